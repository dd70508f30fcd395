/*
 * form.h: what a browser sends besides the URI: the fields of an
 * application/x-www-form-urlencoded request body, the cookies of the
 * Cookie header, and the shape check for the tokens carried in either.
 *
 * Everything here is untrusted input, so the parsers are strict and
 * bounded, and what they hand back is already checked:
 *   - a field name is 1 to FORM_MAX_NAME bytes of [A-Za-z0-9_.-];
 *   - a field value is valid UTF-8 of at most FORM_MAX_VALUE bytes with no
 *     NUL and no C0 control character but TAB, LF and CR, and CRLF in it
 *     has become LF (browsers send a textarea's line breaks as CRLF);
 *   - a form has at most FORM_MAX_FIELDS fields;
 *   - a cookie value is returned only if it is well-formed (RFC 6265
 *     cookie-octets, optionally in double quotes) and fits the caller's
 *     buffer, and only from a header of at most FORM_MAX_COOKIE_HEADER
 *     bytes.
 * Anything else is refused as a whole, never repaired.  No function here
 * logs, and none keeps state between calls: all are thread-safe.
 */
#ifndef COUNCIL_FORM_H
#define COUNCIL_FORM_H

#include <stddef.h>

#define FORM_MAX_FIELDS		64	/* fields of one form */
#define FORM_MAX_NAME		64	/* bytes of a field name */
#define FORM_MAX_VALUE		65536	/* bytes of a field value, as stored */
#define FORM_MAX_COOKIE_HEADER	8192	/* bytes of a Cookie header */

struct form_field {
	char	*name;		/* decoded, NUL-terminated */
	char	*value;		/* decoded, NUL-terminated; may be "" */
};

/* The fields of one body, in the order they were sent.  A name may occur
 * more than once (check boxes, multiple selects). */
struct form {
	struct form_field	 fields[FORM_MAX_FIELDS];
	size_t			 nfields;
};

/* Make f an empty form.  A zeroed struct form is empty as well. */
void		 form_init(struct form *);

/* Free what f holds and leave it empty; accepts an empty, zeroed or
 * already freed form. */
void		 form_free(struct form *);

/*
 * Parse body[0..len) as application/x-www-form-urlencoded into f, which
 * need not be initialised (free an earlier parse first: it is forgotten).
 * Fields are separated by '&'; a field is name=value, or a bare name for
 * an empty value; the first '=' ends the name.  '+' stands for a space and
 * %XX (either case) for a byte.  An empty body is an empty form.  body may
 * be NULL when len is 0, and may hold NUL bytes (they are refused).
 *
 * Returns 0, or -1 with f empty and a plain-English reason in err
 * ("field 3: bad percent escape"; fields count from 1).  Refused: an empty
 * name (so "=x", "a=1&" and "a&&b"), a malformed escape ("%", "%4",
 * "%zz"), a name outside the rules above, a value that is not UTF-8 or
 * holds NUL or another C0 control but TAB, LF and CR, a value longer than
 * FORM_MAX_VALUE bytes after CRLF became LF, more than FORM_MAX_FIELDS
 * fields.  A lone CR is kept.  The reason never quotes the input.  err
 * may be NULL when errlen is 0.
 */
int		 form_parse(struct form *, const char *body, size_t len,
		    char *err, size_t errlen);

/* The first value of field name, or NULL if there is none.  Points into
 * f: valid until form_free. */
const char	*form_get(const struct form *, const char *name);

/* How many fields are called name (0 if none). */
size_t		 form_count(const struct form *, const char *name);

/* The value of the n-th field called name, counting from 0 in the order
 * sent, or NULL if there are not that many.  form_get_nth(f, name, 0) is
 * form_get(f, name). */
const char	*form_get_nth(const struct form *, const char *name, size_t n);

/*
 * Find cookie name in the value of a Cookie request header ("a=1; b=2";
 * the spaces and tabs around each ';' are optional) and copy its value,
 * NUL-terminated, into out[0..outlen).  Names are compared exactly
 * (case-sensitive, "a" does not match "ab" or "A"); only the first cookie
 * of that name counts.  The value is not decoded; a value in double quotes
 * loses them.  Pieces without '=' are nameless cookies and never match.
 *
 * Returns 1 if found, 0 if absent (also for a NULL header or an empty
 * name), -1 if the header is longer than FORM_MAX_COOKIE_HEADER bytes, if
 * the first cookie of that name has a malformed value (a byte outside the
 * RFC 6265 cookie-octets, such as a space, a comma, a backslash, a
 * control or non-ASCII byte, or an unbalanced quote), or if the value does
 * not fit in out.  Unless it returns 1, out holds "" (when outlen > 0).
 */
int		 form_cookie(const char *header, const char *name, char *out,
		    size_t outlen);

/* 1 if s is exactly want_len lowercase hex digits and nothing more (the
 * shape of the tokens councild hands out), else 0; 0 for a NULL s and for
 * want_len 0, since no token is empty. */
int		 form_token_ok(const char *s, size_t want_len);

/* 1 when s is "YYYY-MM-DDTHH:MM", what <input type="datetime-local">
 * sends (digits and separators only; the database checks the date). */
int		 form_is_local_minute(const char *s);

#endif
