/*
 * multipart_fuzz.c: libFuzzer harness of server/web/multipart.c.  The input
 * is a request as attach.c sees it: the Content-Type header's value up to
 * the first LF, then the body.  multipart_boundary reads the header;
 * multipart_parse parses the body with attach.c's limits (and, on a
 * second pass, with tiny limits, so that every limit is reached).
 *
 * Properties (multipart.h), beyond "no crash, leak or undefined
 * behaviour":
 *   - a boundary handed back is 1..70 of RFC 2046's bchars, not ending in
 *     a space; out is "" on refusal;
 *   - an accepted body: at most max_parts parts, in order, inside the
 *     body and not overlapping, each preceded by CRLF "--" boundary and
 *     followed by one; names 1..64 of [A-Za-z0-9_.-] and unique
 *     (multipart_get finds each); file names UTF-8 without C0 or DEL; a
 *     field UTF-8 without C0 but TAB/LF/CR, at most max_field bytes; a
 *     file at most max_file; Content-Type printable ASCII;
 *   - a refused body leaves no part and a reason.
 */
#include <string.h>

#include "fuzz.h"
#include "multipart.h"

static int
bchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("'()+_,-./:=? ", c) != NULL);
}

static int
text_ok(const char *s, size_t n, int field)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 && !(field && (c == '\t' || c == '\n' || c == '\r')))
			return 0;
		if (c == 0x7f && !field)
			return 0;
	}
	return fuzz_utf8_valid(s, n);
}

static void
check_parse(const char *body, size_t len, const char *boundary,
    const struct multipart_limits *lim)
{
	struct multipart		 m;
	const struct multipart_part	*p;
	const char			*prev_end = body;
	char				 delim[MULTIPART_MAX_BOUNDARY + 5];
	char				 err[128];
	size_t				 i, j, n, dlen;
	int				 rc;

	memset(err, 'x', sizeof(err));
	rc = multipart_parse(&m, body, len, boundary, lim, err, sizeof(err));
	if (rc != MULTIPART_OK) {
		FUZZ_CHECK(rc == MULTIPART_MALFORMED ||
		    rc == MULTIPART_TOO_LARGE, "rc %d", rc);
		FUZZ_CHECK(m.nparts == 0, "a refused body keeps %zu parts",
		    m.nparts);
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL &&
		    err[0] != '\0', "no reason for a refusal");
		return;
	}
	FUZZ_CHECK(len <= lim->max_total, "body of %zu bytes accepted", len);
	FUZZ_CHECK(m.nparts <= lim->max_parts &&
	    m.nparts <= MULTIPART_MAX_PARTS, "%zu parts", m.nparts);
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	FUZZ_CHECK(len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0,
	    "the body does not start with the boundary");
	for (i = 0; i < m.nparts; i++) {
		p = &m.parts[i];
		FUZZ_CHECK(p->data >= prev_end && p->data + p->len <= body + len,
		    "part %zu lies outside the body or overlaps", i + 1);
		FUZZ_CHECK(p->data + p->len + dlen <= body + len &&
		    memcmp(p->data + p->len, delim, dlen) == 0,
		    "part %zu is not followed by a delimiter", i + 1);
		FUZZ_CHECK(memmem(p->data, p->len, delim, dlen) == NULL,
		    "part %zu holds a delimiter", i + 1);
		prev_end = p->data + p->len;
		n = strlen(p->name);
		FUZZ_CHECK(n >= 1 && n <= MULTIPART_MAX_NAME, "name of %zu", n);
		for (j = 0; j < n; j++)
			FUZZ_CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
			    "NOPQRSTUVWXYZ0123456789_.-", p->name[j]) != NULL,
			    "name byte 0x%02x", (unsigned char)p->name[j]);
		FUZZ_CHECK(multipart_get(&m, p->name) == p,
		    "multipart_get(%s) finds another part", p->name);
		n = strlen(p->filename);
		FUZZ_CHECK(n <= MULTIPART_MAX_FILENAME, "file name of %zu", n);
		FUZZ_CHECK(p->is_file || n == 0, "a field with a file name");
		FUZZ_CHECK(text_ok(p->filename, n, 0), "file name of part %zu",
		    i + 1);
		n = strlen(p->content_type);
		FUZZ_CHECK(n <= MULTIPART_MAX_TYPE, "type of %zu", n);
		for (j = 0; j < n; j++)
			FUZZ_CHECK(p->content_type[j] >= 0x20 &&
			    p->content_type[j] <= 0x7e, "type byte 0x%02x",
			    (unsigned char)p->content_type[j]);
		if (p->is_file)
			FUZZ_CHECK(p->len <= lim->max_file, "file of %zu", p->len);
		else
			FUZZ_CHECK(p->len <= lim->max_field &&
			    text_ok(p->data, p->len, 1), "field %zu", i + 1);
	}
	FUZZ_CHECK(multipart_get(&m, "no such part, never a name") == NULL,
	    "multipart_get of an impossible name");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* attach.c's limits, then tiny ones. */
	static const struct multipart_limits attach = { 8, 4096, 1024,
	    10 * 1024 * 1024, 10 * 1024 * 1024 + 64 * 1024 };
	static const struct multipart_limits tiny = { 2, 64, 8, 16, 512 };
	const uint8_t	*nl = memchr(data, '\n', size);
	char		*ct, boundary[MULTIPART_MAX_BOUNDARY + 1], small[8];
	size_t		 n, i;
	int		 rc;

	if (nl == NULL)
		return 0;
	ct = fuzz_cstr(data, (size_t)(nl - data));
	memset(boundary, 'x', sizeof(boundary));
	rc = multipart_boundary(ct, boundary, sizeof(boundary));
	FUZZ_CHECK(multipart_boundary(ct, small, sizeof(small)) == -1 &&
	    small[0] == '\0', "a short out buffer");
	FUZZ_CHECK(multipart_boundary(NULL, small, sizeof(small)) == -1,
	    "NULL Content-Type");
	free(ct);
	if (rc != 0) {
		FUZZ_CHECK(rc == -1 && boundary[0] == '\0', "refused: rc %d, "
		    "out not emptied", rc);
		return 0;
	}
	n = strlen(boundary);
	FUZZ_CHECK(n >= 1 && n <= MULTIPART_MAX_BOUNDARY && boundary[n - 1] !=
	    ' ', "boundary of %zu", n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(bchar((unsigned char)boundary[i]), "boundary byte "
		    "0x%02x", (unsigned char)boundary[i]);

	check_parse((const char *)nl + 1, size - (size_t)(nl + 1 - data),
	    boundary, &attach);
	check_parse((const char *)nl + 1, size - (size_t)(nl + 1 - data),
	    boundary, &tiny);
	return 0;
}
