/*
 * signin.h: how people sign in and out (OWASP ASVS 5.0 V6, V7).
 *
 *   POST /signin          e-mail and password: throttled per address, then
 *                         per account (the person the address names, issue
 *                         10 item 3); the password is hashed with scrypt on
 *                         a thread of its own while the connection sleeps
 *                         (http_suspend), never on a worker thread; the
 *                         database compares the result with the stored
 *                         hash and opens a session, or a "pending" one
 *                         when a second factor is due
 *   /signin/totp          a TOTP code (RFC 6238) or a recovery code,
 *                         checked by the database
 *   /signin/enrol         first TOTP set-up: only with an enrolment token
 *                         from an administrator of the person's
 *                         organisation or the secretariat (issue 10 item
 *                         5); the secret shown as text, a code to prove
 *                         it, ten recovery codes
 *   POST /signout[/all]   this session, or every session and API token
 * Every failure answers the same generic message.  Everything here talks
 * to the database as council_signin (srv->signin_db), the one role that
 * may call the sign-in steps (policy/50_auth.sql), except sign-out, which
 * is the signed-in person's own act (council_app).
 *
 * Threads: signin_init starts password_checks threads that take sign-ins
 * from a queue of at most signin_queue; a full queue answers 503 with
 * Retry-After.  signin_stop ends them: it must run before the HTTP daemon
 * stops, so that no suspended request outlives it.
 */
#ifndef COUNCIL_SIGNIN_H
#define COUNCIL_SIGNIN_H

#include <stddef.h>

#include <microhttpd.h>

struct config;
struct http_req;

/* Set up the throttle and start the password threads.  Returns 0, or -1
 * with err. */
int		signin_init(const struct config *, char *err, size_t errlen);
/* Refuse new sign-ins, answer those still queued with 503, wait for the
 * ones being checked.  Idempotent. */
void		signin_stop(void);
/* signin_stop, then free everything.  Accepts a never-started state. */
void		signin_fini(void);
/* Sign-ins waiting for a password check now, and in *limit (if not
 * NULL) how many may (signin_queue): for /metrics (pages/scrape.c). */
size_t		signin_queue_depth(size_t *limit);

/* Handlers (site/routes.c). */
enum MHD_Result	signin_get(struct http_req *);		/* GET / and /signin */
enum MHD_Result	signin_post(struct http_req *);
enum MHD_Result	signin_totp_get(struct http_req *);
enum MHD_Result	signin_totp_post(struct http_req *);
enum MHD_Result	signin_enrol_get(struct http_req *);
enum MHD_Result	signin_enrol_post(struct http_req *);
enum MHD_Result	signin_signout_post(struct http_req *);
enum MHD_Result	signin_signout_all_post(struct http_req *);

#endif
