/*
 * totp.h: second factor for sign-in.  Time-based one-time passwords per
 * RFC 6238 (HMAC-SHA1, 30 s step, T0 = 0, 6 digits, window of one step
 * either side, each step usable once), the RFC 4648 base32 that
 * authenticator apps exchange secrets in, 160-bit secrets from RAND_bytes,
 * and single-use recovery codes of the form "xxxx-xxxx-xxxx".  Nothing here
 * touches the database: callers store the secret, the last used step and
 * SHA-256 of each normalised recovery code.
 */
#ifndef COUNCIL_TOTP_H
#define COUNCIL_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_STEP		30	/* seconds per time step */
#define TOTP_DIGITS		6	/* digits in a code users type */
#define TOTP_SECRET_LEN		20	/* bytes in a new secret (160 bits) */
#define TOTP_SECRET_B32_LEN	32	/* base32 characters of a new secret */
#define TOTP_KEY_MIN		16	/* RFC 4226 R6: at least 128 bits */
#define TOTP_KEY_MAX		64	/* one SHA-1 block */
#define TOTP_B32_MAX		128	/* longest base32 input accepted */
#define TOTP_CODE_ERROR		UINT32_MAX	/* totp_code() failure */
#define TOTP_RECOVERY_CHARS	12	/* significant characters of a code */
#define TOTP_RECOVERY_LEN	15	/* "xxxx-xxxx-xxxx" plus NUL */
#define TOTP_RECOVERY_NORM_LEN	13	/* normalised form plus NUL */

/* Base32-encode in[0..len) with the RFC 4648 alphabet (A-Z 2-7), without
 * '=' padding, into out as a NUL-terminated string; out needs
 * (8 * len + 4) / 5 + 1 bytes.  Returns 0, or -1 if outlen is too small. */
int	totp_base32_encode(const unsigned char *in, size_t len, char *out,
	    size_t outlen);

/* Decode the NUL-terminated base32 string in (at most TOTP_B32_MAX
 * characters) into out[0..outlen), storing the byte count in *outlenp.
 * Letters may be of either case; spaces and '-' are ignored; '=' padding
 * may only end the input (nothing but '=' after the first one) and must
 * then fill the last 8-character group.  Any other character, an
 * impossible length or non-zero trailing bits make it fail.  Returns 0, or
 * -1 with out wiped and *outlenp untouched. */
int	totp_base32_decode(const char *in, unsigned char *out, size_t outlen,
	    size_t *outlenp);

/* The HOTP value (RFC 4226) of key for counter, with digits 6..8; for TOTP
 * the counter is the time step, time / TOTP_STEP.  keylen must be
 * TOTP_KEY_MIN..TOTP_KEY_MAX.  Returns the code (below 10^digits), or
 * TOTP_CODE_ERROR on bad arguments or an HMAC failure. */
uint32_t totp_code(const unsigned char *key, size_t keylen,
	    uint64_t counter, unsigned digits);

/* Check a code typed by the user: exactly TOTP_DIGITS ASCII digits once
 * spaces are removed.  The steps of now - TOTP_STEP, now and now +
 * TOTP_STEP are tried, comparing in constant time, but a step at or below
 * last_used_step (pass -1 if the secret was never used) is refused, so
 * that each code works once.  Returns 1 on a match and stores the step in
 * *matched_step (the caller persists it as the new last_used_step), 0 if
 * nothing matched, -1 if code is malformed, keylen is out of bounds, now is
 * before 1970 or HMAC failed. */
int	totp_verify(const unsigned char *key, size_t keylen, const char *code,
	    time_t now, int64_t last_used_step, int64_t *matched_step);

/* A new random secret of TOTP_SECRET_LEN bytes, base32-encoded into b32:
 * TOTP_SECRET_B32_LEN characters and a NUL, so len must be at least
 * TOTP_SECRET_B32_LEN + 1.  Returns 0, or -1 (short buffer, RNG failure). */
int	totp_secret_new(char *b32, size_t len);

/* A new recovery code "xxxx-xxxx-xxxx" over the 31 characters
 * "abcdefghjkmnpqrstuvwxyz23456789" (no i, l, o, 0, 1), drawn uniformly
 * from RAND_bytes (about 59 bits).  len must be at least TOTP_RECOVERY_LEN.
 * Returns 0, or -1 (short buffer, RNG failure). */
int	totp_recovery_new(char *code, size_t len);

/* Put a recovery code as typed into the form that is hashed for storage:
 * ASCII letters lowercased, spaces and '-' dropped, and exactly
 * TOTP_RECOVERY_CHARS characters of the recovery alphabet left.  len must
 * be at least TOTP_RECOVERY_NORM_LEN; input longer than 64 characters is
 * refused.  Returns 0, or -1 with out wiped (an empty string if len > 0). */
int	totp_recovery_normalise(const char *in, char *out, size_t len);

struct buf;

/* Append to out the Key URI an authenticator app reads from a QR code
 * (Google Authenticator's "otpauth://totp/LABEL?PARAMETERS" format):
 * label and issuer both issuer, percent-encoded (util_urlencode); secret,
 * the base32 secret as it is; algorithm SHA1, TOTP_DIGITS digits, period
 * TOTP_STEP, the only ones totp_verify and the database accept. */
void	totp_uri(struct buf *out, const char *issuer, const char *secret_b32);

#endif
