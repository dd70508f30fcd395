/*
 * po_fuzz.c: libFuzzer harness of the .po catalog reader of
 * server/core/i18n.c (i18n_catalog_parse, which i18n_load runs on the text of
 * po/ja.po and po/en.po).  The catalogs are the project's files, but a
 * translator's slip must give "line N: why", never a crash or a wrong
 * text.
 *
 * Properties (i18n.h), beyond "no crash, leak or undefined behaviour":
 *   - a refusal says "line N: why" (N at most the number of lines) or
 *     that the file is too large;
 *   - an accepted catalog holds exactly the entries an independent
 *     reading of the text finds: for each msgid line of a single-line
 *     entry ("msgid "k"" then "msgstr "v"", the shape of our catalogs),
 *     i18n_catalog_get(k) is v; it answers NULL for a key no msgid has;
 *   - the count is at most the number of msgid lines.
 */
#include <string.h>

#include "fuzz.h"
#include "i18n.h"

/* The string of a line `kw "s"` with only plain characters: into out;
 * 0 if the line is not that simple. */
static int
simple(const char *line, size_t len, const char *kw, char *out, size_t max)
{
	size_t	kl = strlen(kw), i;

	if (len < kl + 3 || memcmp(line, kw, kl) != 0 || line[kl] != ' ' ||
	    line[kl + 1] != '"' || line[len - 1] != '"')
		return 0;
	if (len - kl - 3 >= max)
		return 0;
	for (i = kl + 2; i < len - 1; i++)
		if (line[i] == '"' || line[i] == '\\' ||
		    (unsigned char)line[i] < 0x20)
			return 0;
	memcpy(out, line + kl + 2, len - kl - 3);
	out[len - kl - 3] = '\0';
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct i18n_catalog	*c;
	const char		*t = (const char *)data, *p, *nl, *q, *qnl, *r;
	const char		*v;
	char			 err[256], key[256], val[256];
	size_t			 lines = 1, msgids = 0, i, l, ql;
	long			 n;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	memset(err, 'x', sizeof(err));
	c = i18n_catalog_parse(t, size, err, sizeof(err));
	if (c == NULL) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL, "err");
		if (strncmp(err, "line ", 5) == 0) {
			n = strtol(err + 5, NULL, 10);
			FUZZ_CHECK(n >= 1 && (size_t)n <= lines, "line %ld of "
			    "%zu", n, lines);
		} else
			FUZZ_CHECK(strstr(err, "larger") != NULL, "message "
			    "\"%s\"", err);
		return 0;
	}
	/* Each simple entry, found by hand. */
	for (p = t; p < t + size; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(t + size - p))) == NULL)
			nl = t + size;
		l = (size_t)(nl - p);
		for (q = p; q < nl && (*q == ' ' || *q == '\t'); q++)
			;
		if (nl - q >= 5 && memcmp(q, "msgid", 5) == 0)
			msgids++;
		if (nl < t + size && simple(p, l, "msgid", key, sizeof(key)) &&
		    key[0] != '\0') {
			q = nl + 1;
			if ((qnl = memchr(q, '\n', (size_t)(t + size - q))) ==
			    NULL)
				qnl = t + size;
			ql = (size_t)(qnl - q);
			/* the next line is not a continuation */
			r = qnl < t + size ? qnl + 1 : qnl;
			while (r < t + size && (*r == ' ' || *r == '\t'))
				r++;
			if (simple(q, ql, "msgstr", val, sizeof(val)) &&
			    (r == t + size || *r != '"')) {
				v = i18n_catalog_get(c, key);
				FUZZ_CHECK(v != NULL && strcmp(v, val) == 0,
				    "\"%s\" reads \"%s\", not \"%s\"", key,
				    v != NULL ? v : "(none)", val);
			}
		}
		if (nl == t + size)
			break;
	}
	FUZZ_CHECK(i18n_catalog_count(c) <= msgids, "%zu entries from %zu "
	    "msgid lines", i18n_catalog_count(c), msgids);
	FUZZ_CHECK(i18n_catalog_get(c, "no such key, never a key") == NULL,
	    "an impossible key was found");
	i18n_catalog_free(c);
	return 0;
}
