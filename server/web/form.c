/*
 * form.c: urlencoded form bodies, Cookie headers and token shapes (see
 * form.h for the contracts and the limits).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "util.h"

/*
 * Decode s[0..n) ('+' is a space, %XX a byte) into a new NUL-terminated
 * string (free it) of length *lenp.  NULL for a malformed escape.
 */
static char *
form_decode(const char *s, size_t n, size_t *lenp)
{
	char	*out = xmalloc(n + 1);
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] != '%')
			out[o++] = s[i];
		else {
			if (n - i < 3 || (hi = util_hexval(s[i + 1])) < 0 ||
			    (lo = util_hexval(s[i + 2])) < 0) {
				free(out);
				return NULL;
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	out[o] = '\0';
	*lenp = o;
	return out;
}

static int
form_name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

void
form_init(struct form *f)
{
	memset(f, 0, sizeof(*f));
}

void
form_free(struct form *f)
{
	size_t	i;

	for (i = 0; i < f->nfields && i < FORM_MAX_FIELDS; i++) {
		free(f->fields[i].name);
		free(f->fields[i].value);
	}
	form_init(f);
}

int
form_parse(struct form *f, const char *body, size_t len, char *err,
    size_t errlen)
{
	const char	*p, *end, *amp, *eq, *vstart;
	char		*name = NULL, *value = NULL;
	size_t		 field, nlen, vlen, rawvlen, i, o;
	unsigned char	 c;
	int		 ret = -1;

	form_init(f);
	if (len == 0) {
		ret = 0;
		goto out;
	}
	p = body;
	end = body + len;
	for (field = 1;; field++) {
		if (field > FORM_MAX_FIELDS) {
			util_errf(err, errlen, "more than %d fields",
			    FORM_MAX_FIELDS);
			goto out;
		}
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL) {
			eq = amp;
			vstart = amp;
		} else
			vstart = eq + 1;
		rawvlen = (size_t)(amp - vstart);

		if ((name = form_decode(p, (size_t)(eq - p), &nlen)) == NULL ||
		    (value = form_decode(vstart, rawvlen, &vlen)) == NULL) {
			util_errf(err, errlen, "field %zu: bad percent escape",
			    field);
			goto out;
		}
		if (nlen == 0) {
			util_errf(err, errlen, "field %zu: empty name", field);
			goto out;
		}
		if (nlen > FORM_MAX_NAME) {
			util_errf(err, errlen,
			    "field %zu: name longer than %d bytes", field,
			    FORM_MAX_NAME);
			goto out;
		}
		for (i = 0; i < nlen; i++)
			if (!form_name_char((unsigned char)name[i]))
				break;
		if (i < nlen) {
			util_errf(err, errlen, "field %zu: name may only "
			    "contain letters A-Z and a-z, digits, '_', '.' "
			    "and '-'", field);
			goto out;
		}

		for (i = 0; i < vlen; i++) {
			c = (unsigned char)value[i];
			if (c == '\0') {
				util_errf(err, errlen,
				    "field %zu: value contains a NUL byte",
				    field);
				goto out;
			}
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
				util_errf(err, errlen, "field %zu: value "
				    "contains a control character", field);
				goto out;
			}
		}
		if (!util_utf8_valid(value, vlen)) {
			util_errf(err, errlen,
			    "field %zu: value is not valid UTF-8", field);
			goto out;
		}
		/* CRLF becomes LF; a lone CR stays. */
		for (i = o = 0; i < vlen; i++) {
			if (value[i] == '\r' && i + 1 < vlen &&
			    value[i + 1] == '\n')
				continue;
			value[o++] = value[i];
		}
		value[o] = '\0';
		if (o > FORM_MAX_VALUE) {
			util_errf(err, errlen,
			    "field %zu: value longer than %d bytes", field,
			    FORM_MAX_VALUE);
			goto out;
		}

		f->fields[f->nfields].name = name;
		f->fields[f->nfields].value = value;
		f->nfields++;
		name = value = NULL;
		if (amp == end)
			break;
		p = amp + 1;
	}
	ret = 0;
out:
	free(name);
	free(value);
	if (ret == -1)
		form_free(f);
	return ret;
}

const char *
form_get(const struct form *f, const char *name)
{
	return form_get_nth(f, name, 0);
}

size_t
form_count(const struct form *f, const char *name)
{
	size_t	i, n = 0;

	for (i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			n++;
	return n;
}

const char *
form_get_nth(const struct form *f, const char *name, size_t n)
{
	size_t	i;

	for (i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0 && n-- == 0)
			return f->fields[i].value;
	return NULL;
}

/* RFC 6265 section 4.1.1: cookie-octet, printable US-ASCII but space,
 * '"', ',', ';' and '\'. */
static int
form_cookie_octet(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' &&
	    c != '\\';
}

int
form_cookie(const char *header, const char *name, char *out, size_t outlen)
{
	const char	*p, *end, *semi, *s, *e, *eq;
	size_t		 hlen, nlen, vlen, i;
	int		 ret = 0;

	if (outlen > 0)
		out[0] = '\0';
	if (header == NULL || (nlen = strlen(name)) == 0)
		goto out;
	if ((hlen = strnlen(header, FORM_MAX_COOKIE_HEADER + 1)) >
	    FORM_MAX_COOKIE_HEADER) {
		ret = -1;
		goto out;
	}
	p = header;
	end = header + hlen;
	for (;;) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		s = p;
		e = semi;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		eq = memchr(s, '=', (size_t)(e - s));
		if (eq != NULL && (size_t)(eq - s) == nlen &&
		    memcmp(s, name, nlen) == 0)
			break;
		if (semi == end)
			goto out;	/* absent */
		p = semi + 1;
	}

	/* The first cookie called name: its value is eq+1 .. e. */
	s = eq + 1;
	vlen = (size_t)(e - s);
	if (vlen >= 2 && s[0] == '"' && s[vlen - 1] == '"') {
		s++;
		vlen -= 2;
	}
	ret = -1;
	for (i = 0; i < vlen; i++)
		if (!form_cookie_octet((unsigned char)s[i]))
			goto out;
	if (vlen >= outlen)
		goto out;
	memcpy(out, s, vlen);
	out[vlen] = '\0';
	ret = 1;
out:
	if (ret != 1 && outlen > 0)
		out[0] = '\0';
	return ret;
}

int
form_token_ok(const char *s, size_t want_len)
{
	size_t	i;

	if (s == NULL || want_len == 0)
		return 0;
	for (i = 0; i < want_len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[want_len] == '\0';
}

int
form_is_local_minute(const char *s)
{
	static const char	pat[] = "dddd-dd-ddTdd:dd";
	size_t			i;

	if (s == NULL || strlen(s) != sizeof(pat) - 1)
		return 0;
	for (i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
			return 0;
	return 1;
}
