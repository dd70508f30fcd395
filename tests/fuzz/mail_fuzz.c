/*
 * mail_fuzz.c: libFuzzer harness of mail_format (server/core/mail.c), which
 * renders a notification e-mail from what the database hands over: the
 * address, the subject, the body and the message id.  From is the
 * configuration's (config_validate checks it), so it is fixed here.
 *
 * Input: to, subject, body and msgid, separated by 0xff bytes.
 * Properties (mail.h), beyond "no crash, leak or undefined behaviour":
 *   - refused (-1) exactly when to is empty or holds a control character,
 *     white space or one of < > , ; : " ( ) [ ] \, msgid holds one, the
 *     subject holds a control or is
 *     longer than 600 bytes, or the body holds a CR;
 *   - accepted: the header block is the nine headers, each once, in CRLF
 *     lines with no other CR or LF, continuation lines only in Subject; To
 *     is "<to>"; Subject's encoded-words are at most 75 characters, decode
 *     back to the subject, and cut only between UTF-8 characters (each
 *     word of a UTF-8 subject is UTF-8); the body follows the empty line
 *     with each LF as CRLF, and a final CRLF.
 */
#include <string.h>

#include "fuzz.h"
#include "mail.h"
#include "util.h"

#define FROM	"Council Portal <noreply@portal.example>"

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode base64 s[0..n) onto the end of out; -1 if malformed. */
static int
b64(const char *s, size_t n, struct buf *out)
{
	size_t		i, pad = 0;
	unsigned long	v;
	int		k, j;
	unsigned char	c[3];

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			if (s[i + j] == '=' && i + 4 == n && j >= 2) {
				pad++;
				k = 0;
			} else if ((k = b64val((unsigned char)s[i + j])) < 0 ||
			    pad > 0)
				return -1;
			v = v * 64 + (unsigned long)k;
		}
		c[0] = (unsigned char)(v >> 16);
		c[1] = (unsigned char)(v >> 8);
		c[2] = (unsigned char)v;
		buf_append(out, c, 3 - pad);
	}
	return 0;
}

static int
has(const char *s, const char *set, int ctl)
{
	for (; *s != '\0'; s++)
		if ((ctl && ((unsigned char)*s < 0x20 || *s == 0x7f)) ||
		    strchr(set, *s) != NULL)
			return 1;
	return 0;
}

static void
check_subject(const char *h, const char *subject)
{
	struct buf	 all, word;
	const char	*p = h + strlen("Subject:"), *q, *e;

	buf_init(&all);
	buf_append(&all, "", 0);
	/* " =?UTF-8?B?...?=" words, separated by CRLF and a space. */
	while (strncmp(p, "\r\n", 2) != 0) {
		FUZZ_CHECK(strncmp(p, " =?UTF-8?B?", 11) == 0,
		    "Subject: \"%.40s\"", p);
		q = p + 11;
		e = strstr(q, "?=");
		FUZZ_CHECK(e != NULL, "an unterminated encoded-word");
		FUZZ_CHECK((size_t)(e + 2 - (p + 1)) <= 75, "an encoded-word "
		    "of %zu characters", (size_t)(e + 2 - (p + 1)));
		buf_init(&word);
		buf_append(&word, "", 0);
		FUZZ_CHECK(b64(q, (size_t)(e - q), &word) == 0, "bad base64");
		if (fuzz_utf8_valid(subject, strlen(subject)))
			FUZZ_CHECK(fuzz_utf8_valid(word.data, word.len),
			    "an encoded-word cuts a UTF-8 character");
		buf_append(&all, word.data, word.len);
		buf_free(&word);
		p = e + 2;
		if (strncmp(p, "\r\n ", 3) == 0)
			p += 2;
	}
	FUZZ_CHECK(all.len == strlen(subject) &&
	    memcmp(all.data, subject, all.len) == 0,
	    "the Subject does not decode to the subject");
	buf_free(&all);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "From: ", "To: ", "Subject:",
	    "Date: ", "Message-ID: ", "MIME-Version: ", "Content-Type: ",
	    "Content-Transfer-Encoding: ", "Auto-Submitted: " };
	struct fuzz_in	 in = { data, size };
	char		*to, *subject, *body, *msgid, *hend, *p, *line, *eol;
	struct buf	 out, want;
	size_t		 seen[9], i;
	int		 rc, refuse;

	to = fuzz_piece(&in, 512);
	subject = fuzz_piece(&in, 1024);
	body = fuzz_piece(&in, 4096);
	msgid = fuzz_piece(&in, 128);
	buf_init(&out);
	rc = mail_format(&out, FROM, to, subject, body, 1767225600LL, msgid);
	refuse = to[0] == '\0' || has(to, " <>,;:\"()[]\\", 1) ||
	    has(msgid, " <>,;:\"()[]\\", 1) ||
	    has(subject, "", 1) || strlen(subject) > 600 ||
	    strchr(body, '\r') != NULL;
	FUZZ_CHECK(rc == (refuse ? -1 : 0), "mail_format gave %d", rc);
	if (rc != 0) {
		FUZZ_CHECK(out.len == 0, "a refusal wrote %zu bytes", out.len);
		goto out;
	}
	buf_append(&out, "", 0);
	hend = strstr(out.data, "\r\n\r\n");
	FUZZ_CHECK(hend != NULL, "no end of headers");
	memset(seen, 0, sizeof(seen));
	for (line = out.data; line < hend + 2; line = eol + 2) {
		eol = strstr(line, "\r\n");
		for (p = line; p < eol; p++)
			FUZZ_CHECK(*p != '\r' && *p != '\n', "a bare CR or LF "
			    "in a header");
		if (line[0] == ' ')
			continue;	/* checked with Subject */
		for (i = 0; i < 9; i++)
			if (strncmp(line, names[i], strlen(names[i])) == 0)
				break;
		FUZZ_CHECK(i < 9, "unknown header line \"%.40s\"", line);
		seen[i]++;
		if (i == 1)
			FUZZ_CHECK((size_t)(eol - line) == strlen(to) + 6 &&
			    line[4] == '<' && strncmp(line + 5, to,
			    strlen(to)) == 0 && eol[-1] == '>', "To: is not <to>");
		if (i == 2)
			check_subject(line, subject);
	}
	for (i = 0; i < 9; i++)
		FUZZ_CHECK(seen[i] == 1, "%s %zu times", names[i], seen[i]);
	buf_init(&want);
	for (p = body; *p != '\0'; p++)
		buf_append(&want, *p == '\n' ? "\r\n" : p, *p == '\n' ? 2 : 1);
	buf_append(&want, "\r\n", 2);
	FUZZ_CHECK(strlen(hend + 4) == want.len &&
	    memcmp(hend + 4, want.data, want.len) == 0, "the body differs");
	buf_free(&want);
out:
	buf_free(&out);
	free(to);
	free(subject);
	free(body);
	free(msgid);
	return 0;
}
