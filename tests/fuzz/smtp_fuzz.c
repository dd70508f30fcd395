/*
 * smtp_fuzz.c: libFuzzer harness of the SMTP client's parsers
 * (server/core/smtp.c): smtp_reply_parse reads what a relay, possibly
 * hostile, answers; smtp_dot_stuff writes DATA from the e-mail councild
 * composed.
 *
 * Input: the first byte chooses; the rest is a relay's bytes (reply) or
 * a message (dot-stuffing).
 * Properties (smtp.h), beyond "no crash, leak or undefined behaviour":
 *   - reply: the answer equals an independent reading written here from
 *     smtp.h (complete with the code and the bytes used, incomplete, or
 *     malformed: a line over SMTP_LINE_MAX, more than SMTP_LINES_MAX
 *     lines, a code not 2xx-5xx or not the same on every line, a fourth
 *     byte that is not "-", " ", CR or LF); a complete reply ends in LF;
 *   - dot-stuffing: the output ends with CRLF "." CRLF; every line ends
 *     in CRLF; no line before the terminator is "."; removing the added
 *     dot of each line gives the input with each bare LF made CRLF and
 *     its last line ended.
 */
#include <string.h>

#include "fuzz.h"
#include "smtp.h"
#include "util.h"

/* The reading of smtp.h, apart from smtp.c: 1, 0 or -1 as documented. */
static int
ref_parse(const char *b, size_t len, int *code, size_t *used)
{
	size_t	start = 0, i, lines = 0;
	int	first = -1, c;

	for (;;) {
		for (i = start; i < len && b[i] != '\n'; i++)
			;
		if (i == len)
			return len - start >= SMTP_LINE_MAX ? -1 : 0;
		if (i + 1 - start > SMTP_LINE_MAX)
			return -1;
		lines++;
		if (lines > SMTP_LINES_MAX)
			return -1;
		if (i + 1 - start < 4)
			return -1;
		if (!(b[start] >= '2' && b[start] <= '5') ||
		    !(b[start + 1] >= '0' && b[start + 1] <= '9') ||
		    !(b[start + 2] >= '0' && b[start + 2] <= '9'))
			return -1;
		c = (b[start] - '0') * 100 + (b[start + 1] - '0') * 10 +
		    b[start + 2] - '0';
		if (first >= 0 && c != first)
			return -1;
		first = c;
		if (b[start + 3] == ' ' || b[start + 3] == '\r' ||
		    b[start + 3] == '\n') {
			*code = c;
			*used = i + 1;
			return 1;
		}
		if (b[start + 3] != '-')
			return -1;
		start = i + 1;
	}
}

static void
check_reply(const char *b, size_t len)
{
	int	c1 = 0, c2 = 0, r1, r2;
	size_t	u1 = 0, u2 = 0;

	r1 = smtp_reply_parse(b, len, &c1, &u1);
	r2 = ref_parse(b, len, &c2, &u2);
	FUZZ_CHECK(r1 == r2, "smtp_reply_parse %d, the reading %d", r1, r2);
	if (r1 == 1) {
		FUZZ_CHECK(c1 == c2 && u1 == u2, "code %d/%d used %zu/%zu",
		    c1, c2, u1, u2);
		FUZZ_CHECK(u1 <= len && b[u1 - 1] == '\n', "used %zu", u1);
		FUZZ_CHECK(c1 >= 200 && c1 <= 599, "code %d", c1);
	}
}

static void
check_stuff(const char *m, size_t len)
{
	struct buf	out, back, want;
	size_t		i, s, e;

	buf_init(&out);
	buf_init(&back);
	buf_init(&want);
	smtp_dot_stuff(&out, m, len);
	FUZZ_CHECK(out.len >= 3 && memcmp(out.data + out.len - 3, ".\r\n", 3) ==
	    0 && (out.len == 3 || (out.len >= 5 &&
	    memcmp(out.data + out.len - 5, "\r\n.\r\n", 5) == 0)),
	    "no terminator");
	/* Undo: each line (CRLF-ended) before the terminator. */
	for (s = 0; s < out.len - 3; s = e + 2) {
		for (e = s; e + 1 < out.len && !(out.data[e] == '\r' &&
		    out.data[e + 1] == '\n'); e++)
			FUZZ_CHECK(out.data[e] != '\n', "a bare LF at %zu", e);
		FUZZ_CHECK(e + 1 < out.len, "a line without CRLF");
		FUZZ_CHECK(!(e - s == 1 && out.data[s] == '.'),
		    "a line that is \".\" before the end");
		if (out.data[s] == '.') {
			FUZZ_CHECK(e - s >= 2 && out.data[s + 1] == '.',
			    "a line starting with one dot");
			s++;
		}
		buf_append(&back, out.data + s, e - s);
		buf_puts(&back, "\r\n");
	}
	for (i = 0; i < len; i++) {
		if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r'))
			buf_puts(&want, "\r");
		buf_append(&want, m + i, 1);
	}
	if (len > 0 && m[len - 1] != '\n')
		buf_puts(&want, "\r\n");
	/* A message ending in CR alone: its CR is kept, then CRLF. */
	FUZZ_CHECK(back.len == want.len && (back.len == 0 ||
	    memcmp(back.data, want.data, back.len) == 0),
	    "unstuffed %zu bytes, want %zu", back.len, want.len);
	buf_free(&out);
	buf_free(&back);
	buf_free(&want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*copy;

	if (size < 1 || size > 200000)
		return 0;
	copy = malloc(size);
	if (copy == NULL)
		abort();
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 1)
		check_reply(copy, size - 1);
	else
		check_stuff(copy, size - 1);
	free(copy);
	return 0;
}
