/*
 * http_fuzz.c: libFuzzer harness of the first checks of server/web/http.c
 * that are pure functions: http_decode_path (the request target's path),
 * http_method_parse and http_choose_lang.  (The rest of http.c needs a
 * libmicrohttpd connection; tests/http/ tests it against the real
 * councild.)
 *
 * Input, up to the first NUL: the raw request target; its first line
 * also serves as the method, and the first two lines as ?lang= and the
 * lang cookie.
 * Properties (http.h), beyond "no crash, leak or undefined behaviour":
 *   - http_decode_path answers exactly as an independent decoder: the
 *     path (up to '?' or '#') must start with '/', be at most
 *     HTTP_MAX_URI bytes, have only valid %XX escapes, and decode to UTF-8
 *     with no C0 control and no DEL; the result is that decoding;
 *   - http_method_parse: GET, HEAD and POST exactly, all else HTTP_OTHER;
 *   - http_choose_lang: "ja"/"en" in ?lang= win, then the cookie, then
 *     the Accept-Language header (the whole input), then Japanese;
 *     nothing else counts;
 *   - i18n_accept_lang: one of ours or -1, and only a language whose code
 *     the header holds.
 */
#include <string.h>

#include "fuzz.h"
#include "http.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The decoded path of raw, or NULL; written from http.h's contract. */
static char *
ref_path(const char *raw)
{
	size_t	 n = 0, i, o = 0;
	char	*out;

	while (raw[n] != '\0' && raw[n] != '?' && raw[n] != '#')
		n++;
	if (n == 0 || raw[0] != '/' || n > HTTP_MAX_URI)
		return NULL;
	out = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		if (raw[i] != '%')
			out[o++] = raw[i];
		else if (i + 2 < n && hexval(raw[i + 1]) >= 0 &&
		    hexval(raw[i + 2]) >= 0) {
			out[o++] = (char)(hexval(raw[i + 1]) * 16 +
			    hexval(raw[i + 2]));
			i += 2;
		} else
			goto bad;
	}
	out[o] = '\0';
	for (i = 0; i < o; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			goto bad;
	if (!fuzz_utf8_valid(out, o))
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

/* Whether s holds code (two letters), in any case. */
static int
fuzz_has_ci(const char *s, const char *code)
{
	for (; s[0] != '\0' && s[1] != '\0'; s++)
		if ((s[0] | 0x20) == code[0] && (s[1] | 0x20) == code[1])
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			*raw = fuzz_cstr(data, size), *got, *want;
	char			*l1, *l2, *nl;
	enum http_method	 m;
	enum i18n_lang		 lang, w;
	int			 a;

	got = http_decode_path(raw);
	want = ref_path(raw);
	FUZZ_CHECK((got == NULL) == (want == NULL), "http_decode_path %s "
	    "what the contract %s", got ? "accepts" : "refuses",
	    want ? "accepts" : "refuses");
	if (got != NULL)
		FUZZ_CHECK(strcmp(got, want) == 0, "decoded to \"%.100s\", not "
		    "\"%.100s\"", got, want);
	free(got);
	free(want);

	l1 = xstrdup(raw);
	if ((nl = strchr(l1, '\n')) != NULL)
		*nl = '\0';
	l2 = xstrdup(nl != NULL ? raw + (nl - l1) + 1 : "");
	if ((nl = strchr(l2, '\n')) != NULL)
		*nl = '\0';

	m = http_method_parse(l1);
	FUZZ_CHECK(m == (strcmp(l1, "GET") == 0 ? HTTP_GET :
	    strcmp(l1, "HEAD") == 0 ? HTTP_HEAD : strcmp(l1, "POST") == 0 ?
	    HTTP_POST : HTTP_OTHER), "method \"%s\" is %d", l1, (int)m);

	w = strcmp(l1, "ja") == 0 ? I18N_JA : strcmp(l1, "en") == 0 ? I18N_EN :
	    strcmp(l2, "en") == 0 ? I18N_EN : I18N_JA;
	lang = http_choose_lang(l1, l2, NULL);
	FUZZ_CHECK(lang == w, "lang %d for \"%s\", \"%s\"", (int)lang, l1, l2);
	FUZZ_CHECK(http_choose_lang(NULL, l1, NULL) == (strcmp(l1, "en") == 0 ?
	    I18N_EN : I18N_JA), "lang without ?lang=");
	FUZZ_CHECK(http_choose_lang(NULL, NULL, NULL) == I18N_JA,
	    "no lang at all");
	/* The whole input as an Accept-Language header: one of ours or
	 * none; a language chosen is named in the header; the header comes
	 * after ?lang= and the cookie. */
	a = i18n_accept_lang(raw);
	FUZZ_CHECK(a >= -1 && a < I18N_NLANG, "accept %d", a);
	FUZZ_CHECK(a == -1 || (strlen(raw) <= I18N_MAX_ACCEPT &&
	    fuzz_has_ci(raw, i18n_lang_code((enum i18n_lang)a))),
	    "accept %d for a header without its code", a);
	FUZZ_CHECK(http_choose_lang(NULL, NULL, raw) ==
	    (a >= 0 ? (enum i18n_lang)a : I18N_JA), "accept and choose");
	FUZZ_CHECK((i18n_lang_parse(l1) < 0 && i18n_lang_parse(l2) < 0) ||
	    http_choose_lang(l1, l2, raw) == w,
	    "the header changed an explicit choice");
	free(l1);
	free(l2);
	free(raw);
	return 0;
}
