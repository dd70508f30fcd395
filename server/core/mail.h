/*
 * mail.h: e-mail (issue 5; issue 14 item 6; docs/configuration.md
 * "E-mail").  The database decides what is due and for whom: the
 * notifications by the person's email_digest, the early warnings
 * (policy/95_mail.sql); each e-mail is first a row of the outbox
 * (council.mail_outbox), claimed for a lease, handed to the transport (the
 * SMTP relay, smtp.h, when smtp_host is set; else a file written into a
 * Maildir: tmp/, then renamed into new/), and marked sent only after the
 * relay took it.  Signed and encrypted with S/MIME (smime.h) when
 * configured.  An e-mail names a page of the portal, never content.
 */
#ifndef COUNCIL_MAIL_H
#define COUNCIL_MAIL_H

#include <stddef.h>

struct buf;
struct db_pool;

#define MAIL_BATCH	50	/* e-mails claimed per round */

/*
 * mail_configure: where and how to write (copied; dir "" turns e-mail
 * off unless smtp_configure set a relay first, which is then the
 * transport).  Call before the timer starts.  -1 when dir lacks tmp/ or new/
 * and they cannot be made; err says why.
 */
int	mail_configure(const char *dir, const char *from, const char *url,
	    char *err, size_t errlen);
void	mail_unconfigure(void);
/* mail_configure_outbox: the retry's first wait and cap, and the lease of
 * a claimed e-mail, in seconds (config.h). */
void	mail_configure_outbox(long retry_base_s, long retry_max_s, long lease_s);

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
 * mail_compose: as mail_format when S/MIME is off and recipient_cert is
 * NULL; otherwise the same headers over a body in base64, signed
 * (smime_signing) and encrypted to recipient_cert (PEM) when given.  -1 as
 * mail_format, or when S/MIME failed.
 */
int	mail_compose(struct buf *out, const char *from, const char *to,
	    const char *subject, const char *body, long long now,
	    const char *msgid, const char *recipient_cert);

/*
 * mail_send: one e-mail to one address, composed (mail_compose) and
 * handed to the transport now, not through the outbox; for messages councild itself sends (the
 * audit checkpoints of anchor.c).  0 written, 1 e-mail is off (nothing
 * written), -1 refused or not written (logged).  Any thread.
 */
int	mail_send(const char *to, const char *subject, const char *body);

/*
 * mail_deliver: one round: the notifications due into the outbox, claim
 * its due rows, send each, mark it sent or due again after a backoff (a
 * permanent refusal: failed).  Returns the e-mails written, or -1 when the
 * database could not be asked.  Does nothing when e-mail is off.
 */
int	mail_deliver(struct db_pool *, long acquire_ms);

#endif
