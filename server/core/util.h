/*
 * util.h: small pieces every module uses: a growable byte buffer, checked
 * allocation, UTF-8 validation, random identifiers.
 */
#ifndef COUNCIL_UTIL_H
#define COUNCIL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define UTIL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A growable buffer; data is always NUL-terminated after any append. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
/* Append value to a logfmt line (log.h): bare if it is safe, otherwise
 * quoted with \" \\ and \xNN escapes, so that a hostile path cannot forge a
 * field. */
void	 buf_logfmt(struct buf *, const char *value);
/* Free the storage; accepts a buffer that was only initialised. */
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
/* Append the n bytes of s to b as one JSON string, quoted and escaped as
 * PostgreSQL's json type writes text (\" \\ \b \f \n \r \t, other
 * bytes below 0x20 as \u00xx, the rest as they are): the caller passes
 * valid UTF-8 (text from the database is). */
void	 buf_json_string(struct buf *, const char *s, size_t n);
/* Append s to b, percent-encoded for a query string (RFC 3986). */
void	 util_urlencode(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hand the storage to the caller (free() it); the buffer is left empty. */
char	*buf_release(struct buf *, size_t *);

/* Allocation that never returns NULL: out of memory ends the process. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
int	 util_utf8_valid(const char *, size_t);
/* Decode one UTF-8 character at p (n bytes available): its length, with
 * the code point in *cp, or 0 if the bytes are not well-formed UTF-8
 * (overlong, a surrogate, beyond U+10FFFF, truncated). */
size_t	 util_utf8_char(const unsigned char *p, size_t n, uint32_t *cp);
/* FNV-1a, 64 bits, of the string s: names of prepared statements, and
 * the hash tables of the catalogs and of template variables. */
uint64_t util_fnv1a(const char *s);
/* The value of the hex digit c (either case), or -1. */
int	 util_hexval(int c);
/* An error message into err (errlen bytes; nothing when err is NULL or
 * errlen 0), as snprintf formats it. */
void	 util_errf(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* s as an id: a positive decimal number with no sign, no leading zero and
 * at most 18 digits (so it fits a bigint); 0 for anything else. */
long long util_id_parse(const char *s);

/* Fill out with 2*nbytes lowercase hex digits of RAND_bytes plus a NUL;
 * out must hold 2*nbytes+1.  Returns 0, or -1 if the RNG failed. */
int	 util_random_hex(char *, size_t);

/* Lowercase hex of SHA-256(data); out holds 65 bytes. */
void	 util_sha256_hex(const void *, size_t, char *);

/* Milliseconds from a monotonic clock. */
double	 util_now_ms(void);

/* Read all of path into a new NUL-terminated buffer (free it), refusing
 * anything but a regular file of at most max bytes.  NULL with a reason in
 * err ("path: why") on failure; the length goes to *lenp. */
char	*util_read_file(const char *path, size_t max, size_t *lenp,
	    char *err, size_t errlen);

/* Strip leading and trailing ASCII white space in place; returns s. */
char	*util_trim(char *);

#endif
