/*
 * mail.h: e-mail notifications (issue 5; docs/configuration.md "E-mail").
 * councild does not speak SMTP: it writes each e-mail as a file into a
 * Maildir (tmp/, then renamed into new/), and the machine's mail system
 * sends what appears there.  The database decides what is due and for
 * whom (council.mail_claim: the person's email_digest); an e-mail names
 * a page of the portal, never content.
 */
#ifndef COUNCIL_MAIL_H
#define COUNCIL_MAIL_H

#include <stddef.h>

struct buf;
struct db_pool;

#define MAIL_BATCH	50	/* e-mails claimed per round */

/*
 * mail_configure: where and how to write (copied; dir "" turns e-mail
 * off).  Call before the timer starts.  -1 when dir lacks tmp/ or new/
 * and they cannot be made; err says why.
 */
int	mail_configure(const char *dir, const char *from, const char *url,
	    char *err, size_t errlen);
void	mail_unconfigure(void);

/*
 * mail_format: the whole message into out: headers (From, To, Subject as
 * RFC 2047 base64 encoded-words, Date from now, Message-ID <msgid@councild>,
 * MIME UTF-8 8bit, Auto-Submitted) and body (line feeds become CRLF).
 * -1 (out untouched) when to or subject could end a header (CR, LF or
 * another control character), to or msgid could end the address or name
 * another (white space, < > , ; : " ( ) [ ] or a backslash), or body holds
 * a CR or a NUL: nothing the database sends may forge a header or add a
 * recipient.
 */
int	mail_format(struct buf *out, const char *from, const char *to,
	    const char *subject, const char *body, long long now,
	    const char *msgid);

/*
 * mail_send: one e-mail to one address, formatted (mail_format) and
 * written into the Maildir now; for messages councild itself sends (the
 * audit checkpoints of anchor.c).  0 written, 1 e-mail is off (nothing
 * written), -1 refused or not written (logged).  Any thread.
 */
int	mail_send(const char *to, const char *subject, const char *body);

/*
 * mail_deliver: one round: claim what is due, write it, give back what
 * could not be written.  Returns the e-mails written, or -1 when the
 * database could not be asked.  Does nothing when e-mail is off.
 */
int	mail_deliver(struct db_pool *, long acquire_ms);

#endif
