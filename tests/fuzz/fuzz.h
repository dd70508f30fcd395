/*
 * fuzz.h: what the libFuzzer harnesses of tests/fuzz/ share: the entry
 * points libFuzzer calls, an assertion that stops the run with a reason
 * (libFuzzer then keeps the input as a reproducer), where the source tree
 * is (templates, catalogs), a bounded reader of the fuzzer's bytes, and a
 * UTF-8 decoder written apart from util.c so that the harnesses check the
 * parsers against an independent reading.
 *
 * Header-only (static functions): each harness is one program.
 */
#ifndef COUNCIL_FUZZ_H
#define COUNCIL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/* A broken property: say which and why, then abort (a crash to libFuzzer,
 * which writes the input to its artifact prefix). */
#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz: %s:%d: property failed: %s\nfuzz: ",\
		    __FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

/* The source tree: $COUNCIL_SRCDIR, else the one the harness was built
 * from. */
static inline const char *
fuzz_srcdir(void)
{
	const char	*s = getenv("COUNCIL_SRCDIR");

	return s != NULL && s[0] != '\0' ? s : FUZZ_SRCDIR;
}

/* A NUL-terminated copy of data[0..len) (free it); stops at a NUL byte,
 * as a C string from a header or the database would. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t len)
{
	size_t	n = strnlen((const char *)data, len);
	char	*s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* Reads the fuzzer's bytes front to back; past the end every read is 0
 * or empty, so a harness never needs to check. */
struct fuzz_in {
	const uint8_t	*p;
	size_t		 n;
};

static inline unsigned
fuzz_byte(struct fuzz_in *in)
{
	unsigned	b;

	if (in->n == 0)
		return 0;
	b = in->p[0];
	in->p++;
	in->n--;
	return b;
}

/* The next piece, up to (not including) a 0xff byte or the end, at most
 * max bytes, as a new NUL-terminated string (free it); NUL bytes in it
 * become 0x01 so that the string is its whole piece. */
static inline char *
fuzz_piece(struct fuzz_in *in, size_t max)
{
	size_t	 i, n = 0;
	char	*s;

	while (n < in->n && n < max && in->p[n] != 0xff)
		n++;
	if ((s = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		s[i] = in->p[i] == 0 ? 1 : (char)in->p[i];
	s[n] = '\0';
	in->p += n;
	in->n -= n;
	if (in->n > 0 && in->p[0] == 0xff) {
		in->p++;
		in->n--;
	}
	return s;
}

/*
 * One UTF-8 character at p (n bytes available): its length, with the code
 * point in *cp, or 0 when the bytes there are not well-formed UTF-8
 * (RFC 3629: no overlong form, no surrogate, nothing above U+10FFFF).
 * Written from the RFC's table, byte ranges rather than masks.
 */
static inline size_t
fuzz_utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		len, i;
	uint32_t	c;

	if (n == 0)
		return 0;
	if (p[0] <= 0x7f) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2; c = p[0] - 0xc0u;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3; c = p[0] - 0xe0u;
		if (p[0] == 0xe0)
			lo = 0xa0;
		if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4; c = p[0] - 0xf0u;
		if (p[0] == 0xf0)
			lo = 0x90;
		if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 1; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
		c = c * 64 + (p[i] - 0x80u);
	}
	*cp = c;
	return len;
}

/* 1 when s[0..n) is well-formed UTF-8. */
static inline int
fuzz_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k;
	uint32_t		 c;

	while (i < n) {
		if ((k = fuzz_utf8_char(p + i, n - i, &c)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

#endif
