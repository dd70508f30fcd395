/*
 * attach_fuzz.c: libFuzzer harness of the pure helpers of server/pages/attach.c,
 * where councild's C inspects JSON: attach_type decides whether an
 * uploaded file may be stored as the type its extension names, and for
 * .json that is the only JSON check C makes (the first byte that is not
 * white space is '{' or '[', the file is UTF-8; the database parses the
 * JSON itself: policy/63_attachments.sql).  The API's JSON bodies are
 * not inspected by C at all (api_body refuses an empty body or one
 * with a NUL and hands the text to the database).  The same input goes
 * through attach_name_clean (the name stored) and attach_disposition (the
 * Content-Disposition header of a download).
 *
 * Input: a file name up to the first NUL, then the file's bytes.
 * Properties (attach.h), beyond "no crash, leak or undefined behaviour":
 *   - attach_type is NULL or the allow-list's type of the name's
 *     extension, and the content matches it (checked apart for JSON and
 *     text: JSON starts with '{' or '[' after white space, is UTF-8 and has
 *     no C0 control but TAB/LF/CR; text has none but TAB/LF/FF/CR);
 *   - a cleaned name is UTF-8, 1..ATTACH_MAX_NAME characters, with no
 *     '/', '\', C0/C1 control, DEL, bidirectional mark or "*:<>?|, and no
 *     leading or trailing dot or space;
 *   - the Content-Disposition value is printable ASCII (no CR, LF or
 *     other control: no header can be forged), its quoted fallback holds
 *     no '"' or '\', and its filename* decodes back to the name.
 */
#include <strings.h>
#include <string.h>

#include "attach.h"
#include "fuzz.h"
#include "util.h"

static void
check_type(const char *name, const unsigned char *d, size_t len)
{
	const char	*t = attach_type(name, d, len), *dot;
	size_t		 i;

	if (t == NULL)
		return;
	FUZZ_CHECK(len > 0, "an empty file has type %s", t);
	dot = strrchr(name, '.');
	FUZZ_CHECK(dot != NULL, "type %s without an extension", t);
	if (strcasecmp(dot, ".json") == 0) {
		FUZZ_CHECK(strcmp(t, "application/json") == 0, "json: %s", t);
		for (i = 0; i < len && strchr(" \t\r\n", d[i]) != NULL &&
		    d[i] != '\0'; i++)
			;
		FUZZ_CHECK(i < len && (d[i] == '{' || d[i] == '['),
		    "JSON that starts with 0x%02x", i < len ? d[i] : 0);
		FUZZ_CHECK(fuzz_utf8_valid((const char *)d, len),
		    "JSON that is not UTF-8");
		for (i = 0; i < len; i++)
			FUZZ_CHECK(d[i] >= 0x20 || d[i] == '\t' || d[i] == '\n' ||
			    d[i] == '\r', "JSON with control 0x%02x", d[i]);
	} else if (strcmp(t, "text/plain") == 0 || strcmp(t, "text/csv") == 0) {
		for (i = 0; i < len; i++)
			FUZZ_CHECK(d[i] >= 0x20 || d[i] == '\t' || d[i] == '\n' ||
			    d[i] == '\f' || d[i] == '\r', "text with control "
			    "0x%02x", d[i]);
	} else if (strcmp(t, "application/pdf") == 0)
		FUZZ_CHECK(len >= 5 && memcmp(d, "%PDF-", 5) == 0, "PDF");
	else if (strcmp(t, "image/png") == 0)
		FUZZ_CHECK(len >= 8 && memcmp(d, "\x89PNG", 4) == 0, "PNG");
}

static void
check_clean(const char *name)
{
	size_t		 n = strlen(name), i, k, chars = 0;
	char		*out = xmalloc(n + 1);
	uint32_t	 c;

	if (attach_name_clean(name, out, n + 1) == -1) {
		FUZZ_CHECK(!fuzz_utf8_valid(name, n) || out[0] == '\0',
		    "a refused name left \"%s\"", out);
		free(out);
		return;
	}
	FUZZ_CHECK(fuzz_utf8_valid(name, n), "a name that is not UTF-8 was "
	    "accepted");
	n = strlen(out);
	FUZZ_CHECK(fuzz_utf8_valid(out, n), "cleaned name is not UTF-8");
	FUZZ_CHECK(n > 0 && out[0] != '.' && out[0] != ' ' &&
	    out[n - 1] != '.' && out[n - 1] != ' ', "cleaned name \"%s\"", out);
	for (i = 0; i < n; i += k, chars++) {
		k = fuzz_utf8_char((const unsigned char *)out + i, n - i, &c);
		FUZZ_CHECK(!(c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
		    (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 &&
		    c <= 0x202e) || (c >= 0x2060 && c <= 0x2069) ||
		    c == 0xfeff || (c < 0x80 && strchr("\"*:<>?|/\\", (int)c) !=
		    NULL)), "U+%04X in a cleaned name", (unsigned)c);
	}
	FUZZ_CHECK(chars <= ATTACH_MAX_NAME, "%zu characters", chars);
	free(out);
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : -1;
}

static void
check_disposition(const char *name)
{
	static const char	 pre[] = "attachment; filename=\"";
	static const char	 mid[] = "\"; filename*=UTF-8''";
	struct buf		 b;
	const char		*q, *s;
	char			*dec;
	size_t			 i, o = 0;

	buf_init(&b);
	attach_disposition(name, &b);
	buf_append(&b, "", 0);
	for (i = 0; i < b.len; i++)
		FUZZ_CHECK(b.data[i] >= 0x20 && b.data[i] < 0x7f,
		    "byte 0x%02x in Content-Disposition",
		    (unsigned char)b.data[i]);
	FUZZ_CHECK(strncmp(b.data, pre, sizeof(pre) - 1) == 0, "starts %.40s",
	    b.data);
	q = strstr(b.data + sizeof(pre) - 1, mid);
	FUZZ_CHECK(q != NULL, "no filename*");
	for (s = b.data + sizeof(pre) - 1; s < q; s++)
		FUZZ_CHECK(*s != '"' && *s != '\\', "'%c' in the quoted name",
		    *s);
	dec = xmalloc(b.len + 1);
	for (s = q + sizeof(mid) - 1; *s != '\0'; s++) {
		if (*s == '%') {
			FUZZ_CHECK(hexval(s[1]) >= 0 && hexval(s[2]) >= 0,
			    "bad escape in filename*");
			dec[o++] = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			FUZZ_CHECK(strchr("!#$&+-.^_`|~", *s) != NULL ||
			    (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
			    (*s >= '0' && *s <= '9'), "'%c' in filename*", *s);
			dec[o++] = *s;
		}
	}
	dec[o] = '\0';
	FUZZ_CHECK(strcmp(dec, name) == 0, "filename* is not the name");
	free(dec);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*name = fuzz_cstr(data, size);
	size_t	 off = strlen(name) + 1;

	check_type(name, off <= size ? data + off : data + size,
	    off <= size ? size - off : 0);
	check_clean(name);
	check_disposition(name);
	free(name);
	return 0;
}
