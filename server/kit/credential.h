/*
 * credential.h: who is asking (OWASP ASVS 5.0 V7, V3.5).  Signing in is
 * signin.h's.
 *
 * Credentials.  A browser carries a session token in a cookie
 * (__Host-council_session: Secure, HttpOnly, SameSite=Strict, Path=/); a
 * machine client sends an API token as "Authorization: Bearer <token>".
 * Both are 256-bit random values from RAND_bytes, written as 64 hex
 * digits.  councild never stores them: the database keeps SHA-256(token),
 * and each request sends that hash as its identity (db.c), which the
 * database turns into a person or nobody (policy/10_identity.sql).  A
 * sign-in waiting for its second factor has a cookie of its own
 * (__Host-council_pending), which identifies nobody.
 *
 * Forms.  Every state change is a POST.  A POST from a browser must come
 * from this site (Sec-Fetch-Site, Origin), and a signed-in form carries a
 * token derived from the session token (SHA-256 of a label and the
 * token), which a page of another site cannot know.
 */
#ifndef COUNCIL_CREDENTIAL_H
#define COUNCIL_CREDENTIAL_H

#include <stddef.h>

#include <microhttpd.h>

struct config;
struct form;
struct multipart;
struct http_req;

#define CREDENTIAL_TOKEN_HEX	64	/* hex digits of a session or API token */

/* Read the request's credential into req->session_hash, req->csrf and
 * req->bearer (nothing for an absent or malformed one).  On a route of
 * access HTTP_TOKEN, an API token as Bearer or HTTP Basic's password and
 * never the cookie (req->bearer set for both).  No I/O. */
void	credential_request(struct http_req *);

/* An API token sent as HTTP Basic's password (RFC 7617: "Basic " and
 * base64 of "user:password", any user; at most CREDENTIAL_BASIC_MAX
 * characters of base64) into out (CREDENTIAL_TOKEN_HEX + 1 bytes): 1, or
 * 0 (out "").  credential_request takes it on HTTP_TOKEN routes only. */
#define CREDENTIAL_BASIC_MAX	512
int	credential_basic(const char *value, char *out);

/* Who is asking, asked of the database (council.me) now: 1 with the
 * person's id in out, 0 for nobody (no, a malformed, an unknown or an
 * expired credential), -1 if the database did not answer.  For the checks
 * made before a request's body is read (http.c, issue 10 item 1). */
int	credential_person(struct http_req *, char *out, size_t outlen);

/* The dispatch hook of the HTTP front (site/routes.c installs it): read
 * the credential; refuse a POST sent by a page of another site (403), a
 * signed-in page without a credential (303 to /signin) and an API call
 * without one (401 not_signed_in); else run req->route's handler. */
enum MHD_Result credential_dispatch(struct http_req *);

/* 1 if a POST may proceed: not sent by a page of another site. */
int	credential_origin_ok(struct http_req *);

/* 1 if form's "csrf" field is the signed-in session's form token. */
int	credential_csrf_ok(struct http_req *, const struct form *);
/* The same for a multipart/form-data body: its "csrf" part (not a file). */
int	credential_csrf_multipart_ok(struct http_req *, const struct multipart *);

/* A new token (CREDENTIAL_TOKEN_HEX hex digits and NUL in out) and its hash
 * (65 bytes in hash).  Returns 0, or -1 if the RNG failed. */
int	credential_token_new(char *out, char *hash);

/* The token of the session cookie (pending: the pending sign-in's), if
 * present and well-formed, into out (CREDENTIAL_TOKEN_HEX + 1 bytes): 1, or 0. */
int	credential_cookie_token(struct http_req *, int pending, char *out);

/* Queue Set-Cookie for token (NULL: remove the cookie), the session's or
 * with pending the pending sign-in's, living max_age seconds. */
void	credential_cookie_set(struct http_req *, int pending, const char *token,
	    long max_age);

#endif
