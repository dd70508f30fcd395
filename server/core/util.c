/*
 * util.c: growable buffers, checked allocation, UTF-8 validation and
 * random identifiers (see util.h for the contracts).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "util.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Make room for n more bytes plus the terminating NUL. */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t	need, cap;

	if (n > SIZE_MAX / 2 - b->len)
		fatal("buffer size overflow");
	need = b->len + n + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	/* Room for n bytes and the NUL (most appends): no call. */
	if (b->data == NULL || n >= b->cap - b->len)
		buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("buf_printf: bad format");
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
buf_release(struct buf *b, size_t *lenp)
{
	char	*p;

	if (b->data == NULL) {
		buf_grow(b, 0);
		b->data[0] = '\0';	/* an empty buffer is "" too */
	}
	p = b->data;
	if (lenp != NULL)
		*lenp = b->len;
	buf_init(b);
	return p;
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void	*p = realloc(old, n ? n : 1);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

uint64_t
util_fnv1a(const char *s)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

size_t
util_utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t		len, i;
	uint32_t	c, min;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2; c = p[0] & 0x1f; min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3; c = p[0] & 0x0f; min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4; c = p[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int
util_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n;
	uint32_t		 cp;

	while (i < len) {
		if ((n = util_utf8_char(p + i, len - i, &cp)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

int
util_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
util_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
util_random_hex(char *out, size_t nbytes)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 raw[64];
	size_t			 i;

	if (nbytes > sizeof(raw) || RAND_bytes(raw, (int)nbytes) != 1) {
		out[0] = '\0';
		return -1;
	}
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 0xf];
	}
	out[2 * nbytes] = '\0';
	return 0;
}

void
util_sha256_hex(const void *data, size_t len, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		fatal("SHA-256 failed");
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
}

double
util_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

char *
util_trim(char *s)
{
	char	*end;

	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * Read all of path into a new NUL-terminated buffer (free it), refusing
 * anything but a regular file of at most max bytes.  NULL with a reason
 * in err on failure.
 */
char *
util_read_file(const char *path, size_t max, size_t *lenp, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*data = NULL;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	data = xmalloc(max + 2);
	while (len <= max) {
		r = read(fd, data + len, max + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max) {
		snprintf(err, errlen, "%s: file larger than %zu bytes", path,
		    max);
		goto fail;
	}
	data[len] = '\0';
	*lenp = len;
	goto out;
fail:
	free(data);
	data = NULL;
out:
	close(fd);
	return data;
}

void
util_urlencode(struct buf *out, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_append(out, p, 1);
		else
			buf_printf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

long long
util_id_parse(const char *s)
{
	size_t	n;

	if (s == NULL || *s == '0' || (n = strspn(s, "0123456789")) == 0 ||
	    n > 18 || s[n] != '\0')
		return 0;
	return strtoll(s, NULL, 10);
}

/*
 * Whether a word of 8 bytes holds a byte below 0x20, a '"' or a '\\'
 * (the "has less than" and "has zero byte" tests of bit-twiddling lore:
 * exact for "some byte", whichever byte it is).
 */
#define BUF_ONES		0x0101010101010101ULL
#define BUF_HIGHS		0x8080808080808080ULL
#define BUF_HAS_ZERO(w)		(((w) - BUF_ONES) & ~(w) & BUF_HIGHS)
#define BUF_JSON_SHORT		"\b\f\n\r\t"	/* written \b \f \n \r \t */
#define BUF_JSON_DIRTY(w)	((((w) - BUF_ONES * 0x20) & ~(w) & BUF_HIGHS) | \
	BUF_HAS_ZERO((w) ^ (BUF_ONES * '"')) | BUF_HAS_ZERO((w) ^ (BUF_ONES * '\\')))

void
buf_json_string(struct buf *b, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, run = 0;
	uint64_t		 w;
	const char		*c;
	char			 esc[6] = { '\\', 'u', '0', '0', 0, 0 };

	/* Room for the string as it is and both quotes: most strings need
	 * no escape, and then this is one copy. */
	if (b->data == NULL || n + 2 >= b->cap - b->len)
		buf_grow(b, n + 2);
	b->data[b->len++] = '"';
	for (i = 0; i < n; i++) {
		/* Eight bytes at a time while none needs an escape. */
		while (n - i >= 8) {
			memcpy(&w, p + i, 8);
			if (BUF_JSON_DIRTY(w))
				break;
			i += 8;
		}
		if (i == n)
			break;
		if (p[i] >= 0x20 && p[i] != '"' && p[i] != '\\')
			continue;
		/* The safe run before this byte in one piece. */
		buf_append(b, s + run, i - run);
		run = i + 1;
		/* The short escapes, else \u00xx. */
		if (p[i] == '"' || p[i] == '\\') {
			esc[1] = (char)p[i];
			buf_append(b, esc, 2);
		} else if ((c = memchr(BUF_JSON_SHORT, p[i], 5)) != NULL) {
			esc[1] = "bfnrt"[c - BUF_JSON_SHORT];
			buf_append(b, esc, 2);
		} else {
			esc[1] = 'u';
			esc[4] = hex[p[i] >> 4];
			esc[5] = hex[p[i] & 0xf];
			buf_append(b, esc, sizeof(esc));
		}
	}
	buf_append(b, s + run, n - run);
	buf_append(b, "\"", 1);
}

void
buf_logfmt(struct buf *b, const char *v)
{
	const unsigned char	*p;
	int			 bare = (*v != '\0');

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\' ||
		    *p == '=')
			bare = 0;
	if (bare) {
		buf_puts(b, v);
		return;
	}
	buf_puts(b, "\"");
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < ' ' || *p >= 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else
			buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}
