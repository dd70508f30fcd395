/*
 * smime.h: S/MIME for councild's e-mail with OpenSSL CMS (issue 14 item
 * 6; docs/configuration.md "E-mail").  With smime_cert and smime_key
 * every e-mail is signed (detached, multipart/signed); to a person who
 * registered a certificate it is then encrypted (enveloped-data, AES-256).
 * The key stays in councild's memory, never in the database.
 */
#ifndef COUNCIL_SMIME_H
#define COUNCIL_SMIME_H

#include <stddef.h>

struct buf;

#define SMIME_CERT_MAX	20000	/* bytes of a person's certificate (PEM) */

/*
 * smime_configure: load the signing certificate and key (both "" : no
 * signing).  -1 when they cannot be read or do not belong together.
 */
int	smime_configure(const char *cert_file, const char *key_file, char *err,
	    size_t errlen);
void	smime_unconfigure(void);
int	smime_signing(void);

/*
 * smime_wrap: the MIME entity (its headers, a blank line, its body; CRLF
 * line ends) signed when signing is configured, then encrypted to the
 * certificate recipient_pem when not NULL, appended to out as a whole
 * MIME entity starting with "MIME-Version:".  0, or -1 (nothing usable
 * appended; logged).
 */
int	smime_wrap(struct buf *out, const char *entity, size_t len,
	    const char *recipient_pem);

/*
 * smime_cert_email: whether pem[0..len) is one X.509 certificate (PEM,
 * at most SMIME_CERT_MAX bytes) valid now and naming an e-mail address
 * (subjectAltName rfc822Name, else the subject's emailAddress): 0 with
 * the address in email, -1 not a certificate (or expired), -2 no address
 * (or one longer than emaillen).
 */
int	smime_cert_email(const char *pem, size_t len, char *email,
	    size_t emaillen);

#endif
