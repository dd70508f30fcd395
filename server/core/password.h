/*
 * password.h: password hashing with scrypt (libscrypt), in the "$s1$" MCF
 * format.  Parameters follow OWASP ASVS 5.0 Appendix C for p = 1:
 * N = 2^17, r = 8, p = 1 (128 MiB per check).  Salts come from RAND_bytes,
 * not from libscrypt's /dev/urandom reader; verification parses the MCF
 * itself, bounds the parameters, and compares in constant time.
 */
#ifndef COUNCIL_PASSWORD_H
#define COUNCIL_PASSWORD_H

#include <stddef.h>

#define PASSWORD_LOG2_N		17
#define PASSWORD_R		8
#define PASSWORD_P		1
#define PASSWORD_MCF_LEN	128	/* buffer size for an MCF string */
#define PASSWORD_MAX_LEN	1024	/* longer passwords are refused */

/* Hash password with the current parameters into mcf (PASSWORD_MCF_LEN).
 * Returns 0, or -1 (RNG or scrypt failure, or an over-long password). */
int	password_hash(const char *password, char *mcf);

/* Hash with explicit parameters (tests and benchmarks use small ones). */
int	password_hash_params(const char *password, unsigned log2_n,
	    unsigned r, unsigned p, char *mcf);

/* 1 if password matches mcf, 0 if not, -1 if mcf is malformed or its
 * parameters are out of bounds (log2 N 10..20, r 1..32, p 1..16). */
int	password_verify(const char *password, const char *mcf);

/* 1 if mcf (a hash, or a setting as below) was made with parameters other
 * than the current ones, or is malformed. */
int	password_needs_rehash(const char *mcf);

/* Hash password under setting, the start of an MCF string up to and
 * including the '$' after the salt ("$s1$NNrrpp$salt$": parameters and
 * salt, no hash), into mcf (PASSWORD_MCF_LEN): the whole MCF string the
 * password would have been stored as.  The database compares it with the
 * stored hash (policy/50_auth.sql), so councild never reads a hash.
 * Returns 0, or -1 (malformed setting or parameters out of bounds, an
 * over-long password, scrypt failure). */
int	password_hash_setting(const char *password, const char *setting,
	    char *mcf);

#endif
