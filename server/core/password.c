/*
 * password.c: scrypt password hashes (see password.h for the contracts).
 * MCF layout written by libscrypt_mcf: $s1$NNrrpp$<salt b64>$<hash b64>
 * where NN is log2(N), rr is r and pp is p, each two hex digits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libscrypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "password.h"

#define PW_SALT_LEN	16
#define PW_HASH_LEN	64

struct pw_mcf {
	unsigned	log2_n, r, p;
	unsigned char	salt[PW_SALT_LEN];
	unsigned char	hash[PW_HASH_LEN];
};

static int
pw_b64(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	if (outlen < 4 * ((len + 2) / 3) + 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return 0;
}

/* Decode exactly want bytes of base64 from in (with '=' padding). */
static int
pw_unb64(const char *in, size_t inlen, unsigned char *out, size_t want)
{
	unsigned char	tmp[128];
	int		n;
	size_t		pad = 0;

	if (inlen == 0 || inlen % 4 != 0 || inlen / 4 * 3 > sizeof(tmp))
		return -1;
	n = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)inlen);
	if (n < 0)
		return -1;
	if (in[inlen - 1] == '=')
		pad++;
	if (inlen > 1 && in[inlen - 2] == '=')
		pad++;
	if ((size_t)n - pad != want)
		return -1;
	memcpy(out, tmp, want);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return 0;
}

/*
 * Parse an MCF string, or with setting_only its setting (the string up to
 * and including the '$' after the salt, nothing after it); bounds the
 * parameters.  Returns 0 or -1.
 */
static int
pw_parse(const char *mcf, struct pw_mcf *m, int setting_only)
{
	const char	*salt, *hash;
	unsigned	 a, b, c;
	char		 tail;

	if (strncmp(mcf, "$s1$", 4) != 0 || strlen(mcf) >= PASSWORD_MCF_LEN)
		return -1;
	if (sscanf(mcf + 4, "%2x%2x%2x%c", &a, &b, &c, &tail) != 4 ||
	    tail != '$')
		return -1;
	if (a < 10 || a > 20 || b < 1 || b > 32 || c < 1 || c > 16)
		return -1;
	salt = mcf + 11;
	if ((hash = strchr(salt, '$')) == NULL)
		return -1;
	if (pw_unb64(salt, (size_t)(hash - salt), m->salt, PW_SALT_LEN) == -1)
		return -1;
	hash++;
	if (setting_only ? *hash != '\0' :
	    pw_unb64(hash, strlen(hash), m->hash, PW_HASH_LEN) == -1)
		return -1;
	m->log2_n = a;
	m->r = b;
	m->p = c;
	return 0;
}

/* The MCF of password under m's parameters and salt, into mcf. */
static int
pw_format(const char *password, const struct pw_mcf *m, char *mcf)
{
	unsigned char	hash[PW_HASH_LEN];
	char		salt64[32], hash64[96];
	size_t		len = strlen(password);
	int		rc = -1;

	if (len > PASSWORD_MAX_LEN)
		goto out;
	if (libscrypt_scrypt((const uint8_t *)password, len, m->salt,
	    sizeof(m->salt), (uint64_t)1 << m->log2_n, m->r, m->p, hash,
	    sizeof(hash)) != 0)
		goto out;
	if (pw_b64(m->salt, sizeof(m->salt), salt64, sizeof(salt64)) == -1 ||
	    pw_b64(hash, sizeof(hash), hash64, sizeof(hash64)) == -1)
		goto out;
	/* libscrypt_mcf writes at most SCRYPT_MCF_LEN bytes. */
	if (libscrypt_mcf((uint32_t)1 << m->log2_n, m->r, m->p, salt64, hash64,
	    mcf) <= 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(hash64, sizeof(hash64));
	return rc;
}

int
password_hash_params(const char *password, unsigned log2_n, unsigned r,
    unsigned p, char *mcf)
{
	struct pw_mcf	m;
	int		rc = -1;

	if (log2_n < 10 || log2_n > 20 || r < 1 || r > 32 || p < 1 || p > 16)
		goto out;
	if (RAND_bytes(m.salt, sizeof(m.salt)) != 1)
		goto out;
	m.log2_n = log2_n;
	m.r = r;
	m.p = p;
	rc = pw_format(password, &m, mcf);
out:
	OPENSSL_cleanse(&m, sizeof(m));
	return rc;
}

int
password_hash(const char *password, char *mcf)
{
	return password_hash_params(password, PASSWORD_LOG2_N, PASSWORD_R,
	    PASSWORD_P, mcf);
}

int
password_verify(const char *password, const char *mcf)
{
	struct pw_mcf	m;
	unsigned char	hash[PW_HASH_LEN];
	size_t		len = strlen(password);
	int		rc = -1;

	if (pw_parse(mcf, &m, 0) == -1)
		goto out;
	rc = 0;
	if (len > PASSWORD_MAX_LEN)
		goto out;
	if (libscrypt_scrypt((const uint8_t *)password, len, m.salt,
	    sizeof(m.salt), (uint64_t)1 << m.log2_n, m.r, m.p, hash,
	    sizeof(hash)) != 0) {
		rc = -1;
		goto out;
	}
	rc = CRYPTO_memcmp(hash, m.hash, sizeof(hash)) == 0;
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(&m, sizeof(m));
	return rc;
}

int
password_needs_rehash(const char *mcf)
{
	struct pw_mcf	m;

	if (pw_parse(mcf, &m, 0) == -1 && pw_parse(mcf, &m, 1) == -1)
		return 1;
	return m.log2_n != PASSWORD_LOG2_N || m.r != PASSWORD_R ||
	    m.p != PASSWORD_P;
}

int
password_hash_setting(const char *password, const char *setting, char *mcf)
{
	struct pw_mcf	m;
	int		rc = -1;

	if (pw_parse(setting, &m, 1) == -1)
		goto out;
	rc = pw_format(password, &m, mcf);
out:
	OPENSSL_cleanse(&m, sizeof(m));
	return rc;
}
