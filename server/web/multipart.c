/*
 * multipart.c: multipart/form-data bodies, parsed in place with limits
 * (see multipart.h for what is accepted).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"
#include "util.h"

/* RFC 2046 bcharsnospace. */
static int
mp_bchar_nospace(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || strchr("'()+_,-./:=?", c) != NULL;
}

/* RFC 9110 tchar (a token's characters). */
static int
mp_tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
mp_name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static const char *
mp_skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * A parameter value at *pp (before end): a quoted string (no escapes: a
 * backslash is an ordinary byte, as browsers send it) or a token.  The
 * value is copied to out (NUL-terminated) when it has at most max bytes.
 * Returns its length, -1 if malformed, -2 if longer than max.  *pp moves
 * past the value.
 */
static long
mp_param_value(const char **pp, const char *end, char *out, size_t max)
{
	const char	*p = *pp, *s, *q;
	size_t		 n;

	if (p < end && *p == '"') {
		s = p + 1;
		if ((q = memchr(s, '"', (size_t)(end - s))) == NULL)
			return -1;
		n = (size_t)(q - s);
		*pp = q + 1;
	} else {
		s = p;
		for (q = p; q < end && mp_tchar((unsigned char)*q); q++)
			;
		if (q == s)
			return -1;
		n = (size_t)(q - s);
		*pp = q;
	}
	if (n > max)
		return -2;
	memcpy(out, s, n);
	out[n] = '\0';
	return (long)n;
}

int
multipart_boundary(const char *ct, char *out, size_t outlen)
{
	static const char	 type[] = "multipart/form-data";
	const char		*p, *end, *name;
	char			 b[MULTIPART_MAX_BOUNDARY + 2];
	size_t			 nlen, i;
	long			 n;
	int			 seen = 0;

	if (outlen > 0)
		out[0] = '\0';
	if (ct == NULL || outlen < MULTIPART_MAX_BOUNDARY + 1 ||
	    strncasecmp(ct, type, sizeof(type) - 1) != 0)
		return -1;
	p = ct + sizeof(type) - 1;
	end = ct + strlen(ct);
	for (;;) {
		p = mp_skip_ows(p, end);
		if (p == end)
			break;
		if (*p++ != ';')
			return -1;
		p = mp_skip_ows(p, end);
		for (name = p; p < end && mp_tchar((unsigned char)*p); p++)
			;
		nlen = (size_t)(p - name);
		if (nlen != 8 || strncasecmp(name, "boundary", 8) != 0 ||
		    p == end || *p != '=' || seen++)
			return -1;
		p++;
		if (*p == '"') {
			if ((n = mp_param_value(&p, end, b,
			    MULTIPART_MAX_BOUNDARY)) < 0)
				return -1;
		} else {
			/* A token: bchars that are also token characters. */
			for (i = 0; p + i < end && p[i] != ';' && p[i] != ' ' &&
			    p[i] != '\t'; i++)
				if (i >= MULTIPART_MAX_BOUNDARY ||
				    !mp_tchar((unsigned char)p[i]) ||
				    !mp_bchar_nospace((unsigned char)p[i]))
					return -1;
			memcpy(b, p, i);
			b[i] = '\0';
			n = (long)i;
			p += i;
		}
		if (n < 1 || b[n - 1] == ' ')
			return -1;
		for (i = 0; i < (size_t)n; i++)
			if (b[i] != ' ' && !mp_bchar_nospace((unsigned char)b[i]))
				return -1;
	}
	if (!seen)
		return -1;
	memcpy(out, b, strlen(b) + 1);
	return 0;
}

/* 1 if s[0..n) is UTF-8 with no C0 control (but those in allow) or DEL
 * (when nodel). */
static int
mp_text_ok(const char *s, size_t n, const char *allow, int nodel)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 && (c == '\0' || strchr(allow, c) == NULL))
			return 0;
		if (c == 0x7f && nodel)
			return 0;
	}
	return util_utf8_valid(s, n);
}

/*
 * Content-Disposition's value v[0..n) into part.  Returns 0, or -1 with
 * err.
 */
static int
mp_disposition(struct multipart_part *part, const char *v, size_t n,
    size_t ipart, char *err, size_t errlen)
{
	const char	*p = v, *end = v + n, *name;
	size_t		 nlen;
	long		 len;
	int		 have_name = 0;

	if (n < 9 || strncasecmp(p, "form-data", 9) != 0) {
		util_errf(err, errlen, "part %zu: not form-data", ipart);
		return -1;
	}
	p += 9;
	for (;;) {
		p = mp_skip_ows(p, end);
		if (p == end)
			break;
		if (*p++ != ';')
			goto bad;
		p = mp_skip_ows(p, end);
		for (name = p; p < end && mp_tchar((unsigned char)*p); p++)
			;
		nlen = (size_t)(p - name);
		if (p == end || *p++ != '=')
			goto bad;
		if (nlen == 4 && strncasecmp(name, "name", 4) == 0) {
			if (have_name++)
				goto dup;
			len = mp_param_value(&p, end, part->name,
			    MULTIPART_MAX_NAME);
			if (len == -2) {
				util_errf(err, errlen, "part %zu: name longer than "
				    "%d bytes", ipart, MULTIPART_MAX_NAME);
				return -1;
			}
			if (len <= 0)
				goto bad;
			for (nlen = 0; nlen < (size_t)len; nlen++)
				if (!mp_name_char((unsigned char)part->name[nlen])) {
					util_errf(err, errlen, "part %zu: name has a "
					    "character outside [A-Za-z0-9_.-]",
					    ipart);
					return -1;
				}
		} else if (nlen == 8 && strncasecmp(name, "filename", 8) == 0) {
			if (part->is_file++)
				goto dup;
			len = mp_param_value(&p, end, part->filename,
			    MULTIPART_MAX_FILENAME);
			if (len == -2) {
				util_errf(err, errlen, "part %zu: file name longer "
				    "than %d bytes", ipart, MULTIPART_MAX_FILENAME);
				return -1;
			}
			if (len < 0)
				goto bad;
			if (!mp_text_ok(part->filename, (size_t)len, "", 1)) {
				util_errf(err, errlen, "part %zu: file name is not "
				    "UTF-8 or holds a control character", ipart);
				return -1;
			}
		} else {
			util_errf(err, errlen, "part %zu: unknown Content-Disposition "
			    "parameter", ipart);
			return -1;
		}
	}
	if (!have_name) {
		util_errf(err, errlen, "part %zu: no name", ipart);
		return -1;
	}
	return 0;
dup:
	util_errf(err, errlen, "part %zu: a Content-Disposition parameter is "
	    "repeated", ipart);
	return -1;
bad:
	util_errf(err, errlen, "part %zu: malformed Content-Disposition", ipart);
	return -1;
}

/*
 * The header lines of part ipart, from *pp up to and including the empty
 * line.  Returns 0 (with *pp after the empty line), or -1 with err.
 */
static int
mp_headers(struct multipart_part *part, const char **pp, const char *end,
    size_t max_header, size_t ipart, char *err, size_t errlen)
{
	const char	*p = *pp, *eol, *colon, *v, *ve;
	size_t		 total = 0, n;
	int		 have_cd = 0, have_ct = 0;

	for (;;) {
		if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL) {
			util_errf(err, errlen, "part %zu: unterminated headers",
			    ipart);
			return -1;
		}
		if (eol == p)
			break;
		total += (size_t)(eol - p) + 2;
		if (total > max_header) {
			util_errf(err, errlen, "part %zu: headers longer than %zu "
			    "bytes", ipart, max_header);
			return -1;
		}
		if (memchr(p, '\r', (size_t)(eol - p)) != NULL ||
		    memchr(p, '\n', (size_t)(eol - p)) != NULL ||
		    memchr(p, '\0', (size_t)(eol - p)) != NULL) {
			util_errf(err, errlen, "part %zu: bare CR, LF or NUL in a "
			    "header", ipart);
			return -1;
		}
		for (colon = p; colon < eol && mp_tchar((unsigned char)*colon);
		    colon++)
			;
		if (colon == p || colon == eol || *colon != ':') {
			util_errf(err, errlen, "part %zu: malformed header line",
			    ipart);
			return -1;
		}
		n = (size_t)(colon - p);
		v = mp_skip_ows(colon + 1, eol);
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		if (n == 19 && strncasecmp(p, "Content-Disposition", n) == 0) {
			if (have_cd++)
				goto dup;
			if (mp_disposition(part, v, (size_t)(ve - v), ipart, err,
			    errlen) == -1)
				return -1;
		} else if (n == 12 && strncasecmp(p, "Content-Type", n) == 0) {
			if (have_ct++)
				goto dup;
			if ((size_t)(ve - v) > MULTIPART_MAX_TYPE) {
				util_errf(err, errlen, "part %zu: Content-Type longer "
				    "than %d bytes", ipart, MULTIPART_MAX_TYPE);
				return -1;
			}
			for (colon = v; colon < ve; colon++)
				if ((unsigned char)*colon < 0x20 ||
				    (unsigned char)*colon > 0x7e) {
					util_errf(err, errlen, "part %zu: Content-Type "
					    "is not printable ASCII", ipart);
					return -1;
				}
			memcpy(part->content_type, v, (size_t)(ve - v));
			part->content_type[ve - v] = '\0';
		} else {
			util_errf(err, errlen, "part %zu: header other than "
			    "Content-Disposition and Content-Type", ipart);
			return -1;
		}
		p = eol + 2;
	}
	if (!have_cd) {
		util_errf(err, errlen, "part %zu: no Content-Disposition", ipart);
		return -1;
	}
	*pp = p + 2;
	return 0;
dup:
	util_errf(err, errlen, "part %zu: a header is repeated", ipart);
	return -1;
}

int
multipart_parse(struct multipart *m, const char *body, size_t len,
    const char *boundary, const struct multipart_limits *lim, char *err,
    size_t errlen)
{
	char			 delim[MULTIPART_MAX_BOUNDARY + 5];
	const char		*p, *end = body + len, *next;
	struct multipart_part	*part;
	size_t			 blen, dlen, maxp, i, j;
	int			 rc = MULTIPART_MALFORMED;

	memset(m, 0, sizeof(*m));
	blen = boundary ? strlen(boundary) : 0;
	if (blen == 0 || blen > MULTIPART_MAX_BOUNDARY) {
		util_errf(err, errlen, "no boundary");
		goto out;
	}
	if (len > lim->max_total) {
		util_errf(err, errlen, "body longer than %zu bytes", lim->max_total);
		rc = MULTIPART_TOO_LARGE;
		goto out;
	}
	maxp = lim->max_parts < MULTIPART_MAX_PARTS ? lim->max_parts :
	    MULTIPART_MAX_PARTS;
	/* delim is CRLF "--" boundary; the first one comes without CRLF. */
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	if (len < dlen - 2 || memcmp(body, delim + 2, dlen - 2) != 0) {
		util_errf(err, errlen, "the body does not start with the boundary");
		goto out;
	}
	p = body + dlen - 2;
	for (i = 1;; i++) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			p += 2;		/* the close delimiter */
			if (p == end || (end - p == 2 && p[0] == '\r' &&
			    p[1] == '\n'))
				break;
			util_errf(err, errlen, "data after the close delimiter");
			goto out;
		}
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			util_errf(err, errlen, i == 1 ? "malformed first delimiter" :
			    "part %zu: malformed delimiter", i - 1);
			goto out;
		}
		p += 2;
		if (i > maxp) {
			util_errf(err, errlen, "more than %zu parts", maxp);
			goto out;
		}
		part = &m->parts[i - 1];
		if (mp_headers(part, &p, end, lim->max_header, i, err,
		    errlen) == -1)
			goto out;
		for (j = 0; j + 1 < i; j++)
			if (strcmp(m->parts[j].name, part->name) == 0) {
				util_errf(err, errlen, "part %zu: name repeated", i);
				goto out;
			}
		if ((next = memmem(p, (size_t)(end - p), delim, dlen)) == NULL) {
			util_errf(err, errlen, "part %zu: unterminated", i);
			goto out;
		}
		part->data = p;
		part->len = (size_t)(next - p);
		if (part->is_file && part->len > lim->max_file) {
			util_errf(err, errlen, "part %zu: file longer than %zu bytes",
			    i, lim->max_file);
			rc = MULTIPART_TOO_LARGE;
			goto out;
		}
		if (!part->is_file && (part->len > lim->max_field ||
		    !mp_text_ok(part->data, part->len, "\t\r\n", 0))) {
			util_errf(err, errlen, "part %zu: field too long, not UTF-8 "
			    "or with a control character", i);
			goto out;
		}
		m->nparts = i;
		p = next + dlen;
	}
	rc = MULTIPART_OK;
out:
	if (rc != MULTIPART_OK)
		memset(m, 0, sizeof(*m));
	return rc;
}

const struct multipart_part *
multipart_get(const struct multipart *m, const char *name)
{
	size_t	i;

	for (i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].name, name) == 0)
			return &m->parts[i];
	return NULL;
}
