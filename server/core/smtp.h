/*
 * smtp.h: an SMTP client for councild's mailer (issue 14 item 6;
 * docs/configuration.md "E-mail").  One message to one recipient per
 * connection: EHLO, STARTTLS (OpenSSL, the relay's certificate verified
 * against smtp_ca_file or the system's roots, and its name), AUTH PLAIN or
 * LOGIN, MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT.  Every reply is
 * read with limits (line length, lines, time).  Blocking; called from the
 * clock thread only.
 */
#ifndef COUNCIL_SMTP_H
#define COUNCIL_SMTP_H

#include <stddef.h>

struct buf;

#define SMTP_LINE_MAX	2048	/* bytes of one reply line, CRLF included */
#define SMTP_LINES_MAX	64	/* lines of one multi-line reply */

enum smtp_tls { SMTP_TLS_STARTTLS, SMTP_TLS_NONE };

/* What smtp_send answers. */
enum smtp_result {
	SMTP_SENT = 0,		/* the relay's final 2xx to the end of DATA */
	SMTP_TEMPFAIL = 1,	/* try again later: no connection, 4xx, timeout */
	SMTP_PERMFAIL = 2	/* the relay refused for good: 5xx */
};

struct smtp_config {
	const char	*host;		/* "" turns SMTP off */
	long		 port;
	enum smtp_tls	 tls;
	const char	*ca_file;	/* "" : the system's roots */
	const char	*user;		/* "" : no AUTH */
	const char	*password;
	int		 auth_plaintext;	/* 1: AUTH without TLS allowed */
	long		 timeout_s;	/* per read, write and connect */
	const char	*helo;		/* the name given in EHLO */
};

/*
 * smtp_configure: copy c (host "" leaves SMTP off).  -1 when the TLS
 * context cannot be made (ca_file unreadable); err says why.
 * smtp_enabled: whether a relay is configured.
 */
int	smtp_configure(const struct smtp_config *c, char *err, size_t errlen);
void	smtp_unconfigure(void);
int	smtp_enabled(void);

/*
 * smtp_send: deliver msg (a whole message, CRLF line ends) from the
 * envelope address from to the address to.  err (may be NULL) says why
 * when not SMTP_SENT.
 */
enum smtp_result smtp_send(const char *from, const char *to, const char *msg,
	    size_t len, char *err, size_t errlen);

/*
 * smtp_reply_parse: one reply at the start of buf[0..len): lines "ddd-..."
 * then a last "ddd ..." (or "ddd" alone), each ending in CRLF (a bare LF
 * is accepted), the same code on every line.  Returns 1 with *code and
 * *used (bytes of the whole reply) when complete, 0 when more bytes are
 * needed, -1 when malformed: a line longer than SMTP_LINE_MAX, more than
 * SMTP_LINES_MAX lines, a code that is not three digits 2-5 or changes.
 */
int	smtp_reply_parse(const char *buf, size_t len, int *code, size_t *used);

/*
 * smtp_dot_stuff: append msg as DATA's content to out: a line that begins
 * with "." gets another; a bare LF becomes CRLF; the last line is ended;
 * then the terminating ".\r\n".
 */
void	smtp_dot_stuff(struct buf *out, const char *msg, size_t len);

/*
 * smtp_envelope: the address of a From: value ("Name <a@b>" or "a@b")
 * into out (size outlen).  -1 when it has none or it does not fit.
 */
int	smtp_envelope(const char *from, char *out, size_t outlen);

#endif
