/*
 * form_fuzz.c: libFuzzer harness of server/web/form.c.  The input is used
 * whole as an application/x-www-form-urlencoded body (form_parse) and, up
 * to its first NUL, as a Cookie header (form_cookie), a token
 * (form_token_ok) and a datetime-local value (form_is_local_minute).
 *
 * Properties (form.h's contracts), beyond "no crash, leak or undefined
 * behaviour":
 *   - an accepted body gives exactly the fields an independent decoder
 *     finds (split at '&' and the first '=', '+' and %XX), each name
 *     1..FORM_MAX_NAME bytes of [A-Za-z0-9_.-], each value UTF-8 with no
 *     NUL or C0 control but TAB/LF/CR, each CRLF sent turned into LF in
 *     one pass (CR CR LF is a lone CR, then a line break), at most
 *     FORM_MAX_VALUE bytes, at most FORM_MAX_FIELDS fields;
 *     form_get/count/get_nth agree with the fields; a refused body leaves
 *     an empty form and a reason;
 *   - a cookie value handed back is RFC 6265 cookie-octets that fit the
 *     buffer, and is the first cookie of that name; otherwise out is "";
 *   - form_token_ok and form_is_local_minute agree with their patterns.
 */
#include <string.h>

#include "form.h"
#include "fuzz.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode s[0..n) ('+', %XX) into out; -1 on a bad escape.  Returns the
 * length. */
static long
ref_decode(const char *s, size_t n, char *out)
{
	size_t	i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				return -1;
			if (hexval((unsigned char)s[i + 1]) < 0 ||
			    hexval((unsigned char)s[i + 2]) < 0)
				return -1;
			out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]));
			i += 2;
		} else
			out[o++] = s[i] == '+' ? ' ' : s[i];
	}
	return (long)o;
}

/* The accepted body again, field by field, against form_parse's result. */
static void
check_fields(const struct form *f, const char *body, size_t len)
{
	const char	*p = body, *end = body + len, *amp, *eq;
	char		*name = malloc(len + 1), *value = malloc(len + 1);
	long		 nl, vl, i, o;
	size_t		 k = 0;

	if (name == NULL || value == NULL)
		abort();
	while (len > 0) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		nl = ref_decode(p, (size_t)(eq - p), name);
		vl = ref_decode(eq == amp ? amp : eq + 1,
		    (size_t)(amp - (eq == amp ? amp : eq + 1)), value);
		FUZZ_CHECK(nl > 0 && vl >= 0, "field %zu accepted although the "
		    "reference decoder refuses it", k + 1);
		/* CRLF became LF. */
		for (i = o = 0; i < vl; i++)
			if (!(value[i] == '\r' && i + 1 < vl &&
			    value[i + 1] == '\n'))
				value[o++] = value[i];
		FUZZ_CHECK(k < f->nfields, "fewer fields than the body has");
		FUZZ_CHECK((size_t)nl == strlen(f->fields[k].name) &&
		    memcmp(name, f->fields[k].name, (size_t)nl) == 0,
		    "field %zu: name differs from the reference", k + 1);
		FUZZ_CHECK((size_t)o == strlen(f->fields[k].value) &&
		    memcmp(value, f->fields[k].value, (size_t)o) == 0,
		    "field %zu: value differs from the reference", k + 1);
		k++;
		if (amp == end)
			break;
		p = amp + 1;
	}
	FUZZ_CHECK(k == f->nfields, "%zu fields, the body has %zu",
	    f->nfields, k);
	free(name);
	free(value);
}

static void
check_form(const uint8_t *data, size_t size)
{
	struct form	 f;
	char		 err[128];
	const char	*v;
	size_t		 i, j, n, nl, vl, same;
	unsigned char	 c;
	int		 rc;

	memset(err, 'x', sizeof(err));
	rc = form_parse(&f, (const char *)data, size, err, sizeof(err));
	if (rc != 0) {
		FUZZ_CHECK(rc == -1, "form_parse returned %d", rc);
		FUZZ_CHECK(f.nfields == 0, "a refused form keeps fields");
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL &&
		    err[0] != '\0', "no reason for a refusal");
		form_free(&f);
		return;
	}
	FUZZ_CHECK(f.nfields <= FORM_MAX_FIELDS, "%zu fields", f.nfields);
	for (i = 0; i < f.nfields; i++) {
		nl = strlen(f.fields[i].name);
		FUZZ_CHECK(nl >= 1 && nl <= FORM_MAX_NAME, "name length %zu", nl);
		for (j = 0; j < nl; j++) {
			c = (unsigned char)f.fields[i].name[j];
			FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' &&
			    c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
			    c == '.' || c == '-', "name byte 0x%02x", c);
		}
		vl = strlen(f.fields[i].value);
		FUZZ_CHECK(vl <= FORM_MAX_VALUE, "value of %zu bytes", vl);
		FUZZ_CHECK(fuzz_utf8_valid(f.fields[i].value, vl),
		    "field %zu: value is not UTF-8", i + 1);
		for (j = 0; j < vl; j++) {
			c = (unsigned char)f.fields[i].value[j];
			FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n' ||
			    c == '\r', "value byte 0x%02x", c);
		}
		/* The look-ups agree with the list. */
		n = form_count(&f, f.fields[i].name);
		for (j = same = 0; j <= i; j++)
			if (strcmp(f.fields[j].name, f.fields[i].name) == 0)
				same++;
		v = form_get_nth(&f, f.fields[i].name, same - 1);
		FUZZ_CHECK(v == f.fields[i].value, "form_get_nth misses field "
		    "%zu", i + 1);
		FUZZ_CHECK(n >= same && form_get_nth(&f, f.fields[i].name, n) ==
		    NULL, "form_count is %zu", n);
		FUZZ_CHECK(form_get(&f, f.fields[i].name) ==
		    form_get_nth(&f, f.fields[i].name, 0), "form_get");
	}
	check_fields(&f, (const char *)data, size);
	form_free(&f);
	form_free(&f);	/* freeing twice is allowed */
}

static int
octet(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' &&
	    c != '\\';
}

/* The cookie name in header, found again by hand: its raw value into
 * *vp and *vlp; 0 when absent. */
static int
ref_cookie(const char *h, const char *name, const char **vp, size_t *vlp)
{
	const char	*p = h, *s, *e, *semi;
	size_t		 nl = strlen(name);

	for (;;) {
		semi = strchr(p, ';');
		e = semi != NULL ? semi : p + strlen(p);
		s = p;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) > nl && strncmp(s, name, nl) == 0 &&
		    s[nl] == '=') {
			*vp = s + nl + 1;
			*vlp = (size_t)(e - *vp);
			return 1;
		}
		if (semi == NULL)
			return 0;
		p = semi + 1;
	}
}

static void
check_cookie(const char *h, const char *name, size_t outlen)
{
	char		 out[128];
	const char	*v;
	size_t		 vl, i;
	int		 rc, found;

	memset(out, 'x', sizeof(out));
	rc = form_cookie(h, name, out, outlen);
	FUZZ_CHECK(rc >= -1 && rc <= 1, "form_cookie returned %d", rc);
	if (outlen > 0 && rc != 1)
		FUZZ_CHECK(out[0] == '\0', "out not emptied (rc %d)", rc);
	if (strlen(h) > FORM_MAX_COOKIE_HEADER) {
		FUZZ_CHECK(rc == -1, "a header too long gave %d", rc);
		return;
	}
	found = ref_cookie(h, name, &v, &vl);
	if (!found) {
		FUZZ_CHECK(rc == 0, "cookie %s absent, rc %d", name, rc);
		return;
	}
	FUZZ_CHECK(rc != 0, "cookie %s present, rc 0", name);
	if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
		v++;
		vl -= 2;
	}
	for (i = 0; i < vl && octet((unsigned char)v[i]); i++)
		;
	if (i < vl || vl >= outlen) {
		FUZZ_CHECK(rc == -1, "malformed or too long value, rc %d", rc);
		return;
	}
	FUZZ_CHECK(rc == 1, "well-formed value, rc %d", rc);
	FUZZ_CHECK(strlen(out) == vl && memcmp(out, v, vl) == 0,
	    "value \"%s\" is not the header's", out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "lang", "council_session",
	    "__Host-council_session", "council_pending", "a" };
	char	*s;
	size_t	 i, n;
	int	 ok;

	check_form(data, size);

	s = fuzz_cstr(data, size);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		check_cookie(s, names[i], 65);
		check_cookie(s, names[i], 8);
		check_cookie(s, names[i], 1);
	}
	FUZZ_CHECK(form_cookie(NULL, "a", NULL, 0) == 0, "NULL header");
	FUZZ_CHECK(form_cookie(s, "", NULL, 0) == 0, "empty name");

	n = strlen(s);
	for (i = 0, ok = n > 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			ok = 0;
	FUZZ_CHECK(form_token_ok(s, n > 0 ? n : 1) == ok, "form_token_ok");
	FUZZ_CHECK(form_token_ok(s, 0) == 0, "form_token_ok of length 0");
	if (n > 1)
		FUZZ_CHECK(form_token_ok(s, n - 1) == 0, "a shorter token");
	ok = n == 16;
	for (i = 0; ok && i < 16; i++)
		ok = (i == 4 || i == 7) ? s[i] == '-' : i == 10 ? s[i] == 'T' :
		    i == 13 ? s[i] == ':' : (s[i] >= '0' && s[i] <= '9');
	FUZZ_CHECK(form_is_local_minute(s) == ok, "form_is_local_minute");
	free(s);
	return 0;
}
