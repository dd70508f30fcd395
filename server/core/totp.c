/*
 * totp.c: RFC 6238 one-time passwords, RFC 4648 base32, secrets and
 * recovery codes (see totp.h for the contracts).  Everything that held key
 * material or a code is wiped with OPENSSL_cleanse before returning.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "totp.h"
#include "util.h"

#define TOTP_SHA1_LEN		20
#define TOTP_RECOVERY_IN_MAX	64	/* longest recovery code input */
#define TOTP_CODE_IN_MAX	32	/* longest typed TOTP code input */

static const char totp_b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char totp_rec_alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";

/* The 5-bit value of a base32 character in either case, or -1. */
static int
totp_b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
totp_base32_encode(const unsigned char *in, size_t len, char *out,
    size_t outlen)
{
	uint32_t	acc = 0;
	unsigned	bits = 0;
	size_t		i, n = 0;
	int		rc = -1;

	if (len > (SIZE_MAX - 4) / 8 || outlen < (8 * len + 4) / 5 + 1)
		goto out;
	for (i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = totp_b32_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[n++] = totp_b32_alphabet[(acc << (5 - bits)) & 31];
	out[n] = '\0';
	rc = 0;
out:
	OPENSSL_cleanse(&acc, sizeof(acc));
	return rc;
}

int
totp_base32_decode(const char *in, unsigned char *out, size_t outlen,
    size_t *outlenp)
{
	uint32_t	acc = 0;
	unsigned	bits = 0;
	size_t		i, n = 0, nchars = 0, npad = 0;
	int		v, rc = -1;

	for (i = 0; in[i] != '\0'; i++) {
		if (i >= TOTP_B32_MAX)
			goto out;
		if (in[i] == '=') {
			npad++;
			continue;
		}
		if (npad > 0)
			goto out;
		if (in[i] == ' ' || in[i] == '-')
			continue;
		if ((v = totp_b32_value(in[i])) == -1)
			goto out;
		nchars++;
		acc = (acc << 5 | (uint32_t)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outlen)
				goto out;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* 1, 3 or 6 characters in the last group cannot encode whole bytes;
	 * the bits left over must be zero for the encoding to be canonical. */
	if (bits >= 5 || (acc & ((1U << bits) - 1)) != 0)
		goto out;
	if (npad > 0 && (nchars % 8 == 0 || (nchars + npad) % 8 != 0))
		goto out;
	*outlenp = n;
	rc = 0;
out:
	if (rc == -1)
		OPENSSL_cleanse(out, n);
	OPENSSL_cleanse(&acc, sizeof(acc));
	return rc;
}

uint32_t
totp_code(const unsigned char *key, size_t keylen, uint64_t counter,
    unsigned digits)
{
	unsigned char	msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int	maclen = 0;
	uint32_t	bin, mod = 1, code = TOTP_CODE_ERROR;
	unsigned	i, off;

	if (keylen < TOTP_KEY_MIN || keylen > TOTP_KEY_MAX ||
	    digits < 6 || digits > 8)
		goto out;
	for (i = 0; i < 8; i++)
		msg[i] = (unsigned char)(counter >> (56 - 8 * i));
	if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac,
	    &maclen) == NULL || maclen != TOTP_SHA1_LEN)
		goto out;
	/* RFC 4226 section 5.3: dynamic truncation. */
	off = mac[TOTP_SHA1_LEN - 1] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 |
	    (uint32_t)mac[off + 1] << 16 |
	    (uint32_t)mac[off + 2] << 8 |
	    (uint32_t)mac[off + 3];
	for (i = 0; i < digits; i++)
		mod *= 10;
	code = bin % mod;
	OPENSSL_cleanse(&bin, sizeof(bin));
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(msg, sizeof(msg));
	return code;
}

/* Copy the digits of a typed code, without spaces, into digits; 0 if
 * there are exactly TOTP_DIGITS of them and nothing else, -1 otherwise. */
static int
totp_parse_code(const char *code, char digits[TOTP_DIGITS])
{
	size_t	i, n = 0;

	for (i = 0; code[i] != '\0'; i++) {
		if (i >= TOTP_CODE_IN_MAX)
			return -1;
		if (code[i] == ' ')
			continue;
		if (code[i] < '0' || code[i] > '9' || n >= TOTP_DIGITS)
			return -1;
		digits[n++] = code[i];
	}
	return n == TOTP_DIGITS ? 0 : -1;
}

int
totp_verify(const unsigned char *key, size_t keylen, const char *code,
    time_t now, int64_t last_used_step, int64_t *matched_step)
{
	char		typed[TOTP_DIGITS], want[TOTP_DIGITS];
	int64_t		step, s, found = -1;
	uint32_t	c;
	int		i, rc = -1;

	if (totp_parse_code(code, typed) == -1)
		goto out;
	if (keylen < TOTP_KEY_MIN || keylen > TOTP_KEY_MAX || now < 0)
		goto out;
	step = (int64_t)(now / TOTP_STEP);
	/* Try every step in the window whatever matches, so that the time
	 * taken does not say which one did. */
	for (s = step - 1; s <= step + 1; s++) {
		if (s < 0 || s <= last_used_step)
			continue;
		c = totp_code(key, keylen, (uint64_t)s, TOTP_DIGITS);
		if (c == TOTP_CODE_ERROR)
			goto out;
		for (i = TOTP_DIGITS - 1; i >= 0; i--) {
			want[i] = (char)('0' + c % 10);
			c /= 10;
		}
		if (CRYPTO_memcmp(typed, want, sizeof(want)) == 0)
			found = s;
	}
	rc = 0;
	if (found >= 0) {
		if (matched_step != NULL)
			*matched_step = found;
		rc = 1;
	}
out:
	OPENSSL_cleanse(typed, sizeof(typed));
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

int
totp_secret_new(char *b32, size_t len)
{
	unsigned char	key[TOTP_SECRET_LEN];
	int		rc = -1;

	if (len < TOTP_SECRET_B32_LEN + 1)
		goto out;
	if (RAND_bytes(key, sizeof(key)) != 1)
		goto out;
	if (totp_base32_encode(key, sizeof(key), b32, len) == -1)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
totp_recovery_new(char *code, size_t len)
{
	/* 248 = 8 * 31: bytes at or above it are rejected, so that the
	 * remainder modulo 31 is uniform. */
	const unsigned	alen = sizeof(totp_rec_alphabet) - 1;
	const unsigned	limit = 256 / alen * alen;
	unsigned char	rnd[32];
	size_t		r = sizeof(rnd), n = 0, pos = 0;
	int		rc = -1;

	if (len < TOTP_RECOVERY_LEN)
		goto out;
	while (n < TOTP_RECOVERY_CHARS) {
		if (r == sizeof(rnd)) {
			if (RAND_bytes(rnd, sizeof(rnd)) != 1)
				goto out;
			r = 0;
		}
		if (rnd[r] >= limit) {
			r++;
			continue;
		}
		if (n > 0 && n % 4 == 0)
			code[pos++] = '-';
		code[pos++] = totp_rec_alphabet[rnd[r++] % alen];
		n++;
	}
	code[pos] = '\0';
	rc = 0;
out:
	if (rc == -1)
		OPENSSL_cleanse(code, pos);
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return rc;
}

int
totp_recovery_normalise(const char *in, char *out, size_t len)
{
	size_t	i, n = 0;
	char	c;
	int	rc = -1;

	if (len < TOTP_RECOVERY_NORM_LEN)
		goto out;
	for (i = 0; in[i] != '\0'; i++) {
		if (i >= TOTP_RECOVERY_IN_MAX)
			goto out;
		c = in[i];
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (strchr(totp_rec_alphabet, c) == NULL ||
		    n >= TOTP_RECOVERY_CHARS)
			goto out;
		out[n++] = c;
	}
	if (n != TOTP_RECOVERY_CHARS)
		goto out;
	out[n] = '\0';
	rc = 0;
out:
	if (rc == -1) {
		OPENSSL_cleanse(out, n);
		if (len > 0)
			out[0] = '\0';
	}
	return rc;
}

void
totp_uri(struct buf *out, const char *issuer, const char *secret_b32)
{
	buf_puts(out, "otpauth://totp/");
	util_urlencode(out, issuer);
	buf_puts(out, "?secret=");
	buf_puts(out, secret_b32);
	buf_puts(out, "&issuer=");
	util_urlencode(out, issuer);
	buf_printf(out, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS,
	    TOTP_STEP);
}
