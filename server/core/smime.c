/*
 * smime.c: S/MIME signing and encryption of e-mail (see smime.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "smime.h"
#include "util.h"

static struct {
	X509		*cert;		/* NULL: no signing */
	EVP_PKEY	*key;
} smime;

int
smime_configure(const char *cert_file, const char *key_file, char *err,
    size_t errlen)
{
	FILE	*f = NULL;

	smime_unconfigure();
	if (cert_file == NULL || cert_file[0] == '\0')
		return 0;
	if ((f = fopen(cert_file, "r")) == NULL ||
	    (smime.cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errlen, "smime_cert %s: not a PEM certificate",
		    cert_file);
		goto fail;
	}
	fclose(f);
	if ((f = fopen(key_file, "r")) == NULL ||
	    (smime.key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errlen, "smime_key %s: not a PEM private key",
		    key_file);
		goto fail;
	}
	fclose(f);
	f = NULL;
	if (X509_check_private_key(smime.cert, smime.key) != 1) {
		snprintf(err, errlen, "smime_key does not belong to smime_cert");
		goto fail;
	}
	return 0;
fail:
	if (f != NULL)
		fclose(f);
	ERR_clear_error();
	smime_unconfigure();
	return -1;
}

void
smime_unconfigure(void)
{
	X509_free(smime.cert);
	EVP_PKEY_free(smime.key);
	smime.cert = NULL;
	smime.key = NULL;
}

int
smime_signing(void)
{
	return smime.cert != NULL;
}

/* Read one certificate from pem[0..len); NULL when it is none. */
static X509 *
smime_read_cert(const char *pem, size_t len)
{
	BIO	*b;
	X509	*x;

	if (len == 0 || len > SMIME_CERT_MAX)
		return NULL;
	if ((b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	return x;
}

/* Append what b holds to out. */
static void
smime_drain(struct buf *out, BIO *b)
{
	char	*p;
	long	 n = BIO_get_mem_data(b, &p);

	if (n > 0)
		buf_append(out, p, (size_t)n);
}

int
smime_wrap(struct buf *out, const char *entity, size_t len,
    const char *recipient_pem)
{
	BIO			*in = NULL, *mid = NULL, *res = NULL;
	CMS_ContentInfo		*cms = NULL;
	STACK_OF(X509)		*to = NULL;
	X509			*rc = NULL;
	int			 ok = -1;

	if ((in = BIO_new_mem_buf(entity, (int)len)) == NULL ||
	    (res = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if (smime.cert != NULL) {
		/* Detached, over the bytes as they are (CRLF already); the
		 * signature is made while the entity is written (streaming:
		 * signing first and writing after would sign twice). */
		cms = CMS_sign(smime.cert, smime.key, NULL, in,
		    CMS_DETACHED | CMS_BINARY | CMS_STREAM);
		if (cms == NULL || (mid = BIO_new(BIO_s_mem())) == NULL ||
		    SMIME_write_CMS(mid, cms, in, CMS_DETACHED | CMS_BINARY |
		    CMS_CRLFEOL | CMS_STREAM) != 1)
			goto out;
		CMS_ContentInfo_free(cms);
		cms = NULL;
	}
	if (recipient_pem == NULL) {
		if (mid == NULL)
			goto out;	/* nothing to do: the caller's mistake */
		smime_drain(out, mid);
		ok = 0;
		goto out;
	}
	if ((rc = smime_read_cert(recipient_pem, strlen(recipient_pem))) ==
	    NULL || (to = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(to, rc))
		goto out;
	rc = NULL;	/* the stack owns it */
	cms = CMS_encrypt(to, mid != NULL ? mid : in, EVP_aes_256_cbc(),
	    CMS_BINARY);
	if (cms == NULL || SMIME_write_CMS(res, cms, NULL, CMS_CRLFEOL) != 1)
		goto out;
	smime_drain(out, res);
	ok = 0;
out:
	if (ok == -1) {
		log_warn("msg=\"S/MIME failed\" error=\"%s\"",
		    ERR_reason_error_string(ERR_peek_last_error()) != NULL ?
		    ERR_reason_error_string(ERR_peek_last_error()) : "unknown");
		ERR_clear_error();
	}
	X509_free(rc);
	sk_X509_pop_free(to, X509_free);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(mid);
	BIO_free(res);
	return ok;
}

int
smime_cert_email(const char *pem, size_t len, char *email, size_t emaillen)
{
	X509				*x;
	STACK_OF(OPENSSL_STRING)	*emails;
	const char			*e;
	int				 rc = -2;

	if ((x = smime_read_cert(pem, len)) == NULL)
		return -1;
	if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0 ||
	    X509_cmp_current_time(X509_get0_notBefore(x)) >= 0) {
		X509_free(x);
		return -1;
	}
	/* X509_get1_email: the subject's emailAddress and the rfc822Names. */
	if ((emails = X509_get1_email(x)) != NULL &&
	    sk_OPENSSL_STRING_num(emails) > 0) {
		e = sk_OPENSSL_STRING_value(emails, 0);
		if (strlen(e) < emaillen && strpbrk(e, " <>\r\n") == NULL) {
			snprintf(email, emaillen, "%s", e);
			rc = 0;
		}
	}
	X509_email_free(emails);
	X509_free(x);
	return rc;
}
