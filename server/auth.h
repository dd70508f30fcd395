/*
 * auth.h: who is asking, and how people sign in (OWASP ASVS 5.0 V6, V7,
 * V3.5).
 *
 * Credentials.  A browser carries a session token in a cookie
 * (__Host-council_session: Secure, HttpOnly, SameSite=Strict, Path=/); a
 * machine client sends an API token as "Authorization: Bearer <token>".
 * Both are 256-bit random values from RAND_bytes, written as 64 hex
 * digits.  councild never stores them: the database keeps SHA-256(token),
 * and each request sends that hash as its identity (db.c), which the
 * database turns into a person or nobody (policy/10_identity.sql).
 *
 * Sign-in (policy/50_auth.sql does the bookkeeping):
 *   POST /signin          e-mail and password: throttled per account and
 *                         per address, checked with scrypt (a bounded
 *                         number at once; the same cost for an unknown
 *                         address), rehashed when the parameters changed;
 *                         then a new session, or a "pending" one when a
 *                         second factor is due
 *   /signin/totp          a TOTP code (RFC 6238) or a recovery code
 *   /signin/enrol         first TOTP set-up: the secret shown as text (no
 *                         QR code), a code to prove it, ten recovery codes
 *   POST /signout[/all]   this session, or every session and API token
 * Every failure answers the same generic message.
 *
 * Forms.  Every state change is a POST.  A POST from a browser must come
 * from this site (Sec-Fetch-Site, Origin), and a signed-in form carries a
 * token derived from the session token (SHA-256 of a label and the
 * token), which a page of another site cannot know.
 */
#ifndef COUNCIL_AUTH_H
#define COUNCIL_AUTH_H

#include <microhttpd.h>

struct config;
struct form;
struct http_req;

#define AUTH_TOKEN_HEX	64	/* hex digits of a session or API token */

/* Set up the password-check limit, the throttle and the equal-cost hash
 * for unknown accounts.  Returns 0, or -1 with err. */
int	auth_init(const struct config *, char *err, size_t errlen);
void	auth_fini(void);

/* Read the request's credential into req->session_hash, req->csrf and
 * req->bearer (nothing for an absent or malformed one).  No I/O. */
void	auth_request(struct http_req *);

/* 1 if a POST may proceed: not sent by a page of another site. */
int	auth_origin_ok(struct http_req *);

/* 1 if form's "csrf" field is the signed-in session's form token. */
int	auth_csrf_ok(struct http_req *, const struct form *);

/* A new token (AUTH_TOKEN_HEX hex digits and NUL in out) and its hash
 * (65 bytes in hash).  Returns 0, or -1 if the RNG failed. */
int	auth_token_new(char *out, char *hash);

/* Handlers (route.c). */
enum MHD_Result	auth_signin_get(struct http_req *);
enum MHD_Result	auth_signin_post(struct http_req *);
enum MHD_Result	auth_totp_get(struct http_req *);
enum MHD_Result	auth_totp_post(struct http_req *);
enum MHD_Result	auth_enrol_get(struct http_req *);
enum MHD_Result	auth_enrol_post(struct http_req *);
enum MHD_Result	auth_signout_post(struct http_req *);
enum MHD_Result	auth_signout_all_post(struct http_req *);

#endif
