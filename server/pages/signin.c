/*
 * signin.c: signing in and out (see signin.h).  The database decides and
 * records (policy/50_auth.sql, as council_signin); this file does what the
 * database cannot: scrypt, random tokens and recovery codes, cookies and
 * throttling, and keeping the worker threads free while scrypt runs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "credential.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "password.h"
#include "qr.h"
#include "signin.h"
#include "throttle.h"
#include "tmpl.h"
#include "totp.h"
#include "util.h"

#define SIGNIN_RECOVERY_CODES	10
#define SIGNIN_MAX_EMAIL	254
#define SIGNIN_RETRY_S		5	/* Retry-After of a full queue */
#define SIGNIN_TOTP_ISSUER	"Council Portal"	/* the app's name for it */

/* What a password check found (signin_check). */
enum signin_outcome {
	SIGNIN_UNAVAILABLE = 0,	/* database or scrypt failure, shutdown */
	SIGNIN_WEB,		/* signed in */
	SIGNIN_TOTP,		/* pending: a TOTP code is due */
	SIGNIN_ENROL,		/* pending: a second factor must be set up */
	SIGNIN_INVALID,		/* wrong address or password */
	SIGNIN_THROTTLED	/* the account must wait wait_ms */
};

/* One sign-in waiting for, or past, its password check.  The password
 * lives here only until the check is done. */
struct signin_job {
	struct http_req		*req;
	struct signin_job	*next;
	char			 email[SIGNIN_MAX_EMAIL + 1];
	char			 password[PASSWORD_MAX_LEN + 1];
	enum signin_outcome	 outcome;
	long			 wait_ms;
	char			 token[CREDENTIAL_TOKEN_HEX + 1];
};

/* The password threads and their queue; the throttle. */
static struct {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct signin_job	*head, *tail;
	size_t			 queued, limit;
	int			 stopping;
	pthread_t		*threads;
	size_t			 nthreads;
	struct throttle		*throttle;
} sg = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER
};

static void
signin_job_free(void *p)
{
	struct signin_job	*job = p;

	if (job == NULL)
		return;
	OPENSSL_cleanse(job, sizeof(*job));
	free(job);
}

/* Run sql as council_signin, as nobody (the sign-in functions take their
 * arguments explicitly); see db_run. */
static PGresult *
signin_query(struct http_req *req, const char *sql, int n,
    const char *const *params, char *err, size_t errlen)
{
	struct db_ident	id = { "", req->rid, &req->db_trips };

	return db_run(req->srv->signin_db, req->srv->cfg->db_acquire_timeout_ms,
	    &id, sql, n, params, NULL, err, errlen);
}

/* The three steps of the account throttle (signin_account). */
enum signin_acct { SIGNIN_ACCT_CHECK, SIGNIN_ACCT_FAILURE, SIGNIN_ACCT_SUCCESS };

/*
 * The account throttle: throttle.h's rules and limits, counted in the
 * database (policy/52_cluster.sql) so that every councild of a cluster
 * meets the same failures (issue 16 item 1; ASVS V6.3.1).  The
 * per-address buckets stay in this process (sg.throttle), and in front of
 * the instances in HAProxy's stick-table.  Returns what throttle_check
 * would for SIGNIN_ACCT_CHECK (0 or the wait in ms; 0 for the other two),
 * or -1 when the database did not answer.
 */
static long
signin_account(struct http_req *req, enum signin_acct step, const char *key)
{
	static const char *const sql[] = {
		[SIGNIN_ACCT_CHECK] = "SELECT council.throttle_check($1, $2::int, "
		    "$3::int, $4::int, $5::int)",
		[SIGNIN_ACCT_FAILURE] = "SELECT council.throttle_failure($1, "
		    "$2::int, $3::int, $4::int, $5::int)",
		[SIGNIN_ACCT_SUCCESS] = "SELECT council.throttle_success($1)",
	};
	struct throttle_limits	 lim;
	PGresult		*r;
	const char		*params[5];
	char			 lf[16], lb[24], lm[24], lg[24], err[256];
	long			 wait = 0;

	throttle_limits_default(&lim);
	snprintf(lf, sizeof(lf), "%u", lim.acct_free);
	snprintf(lb, sizeof(lb), "%ld", lim.acct_base_ms);
	snprintf(lm, sizeof(lm), "%ld", lim.acct_max_ms);
	snprintf(lg, sizeof(lg), "%ld", lim.acct_forget_ms);
	params[0] = key;
	params[1] = lf;
	params[2] = lb;
	params[3] = lm;
	params[4] = lg;
	if ((r = signin_query(req, sql[step], step == SIGNIN_ACCT_SUCCESS ?
	    1 : 5, params, err, sizeof(err))) == NULL || PQntuples(r) != 1) {
		log_error("msg=\"sign-in throttle failed\" rid=%s step=%d "
		    "error=\"%s\"", req->rid, (int)step,
		    r == NULL ? err : "no row");
		PQclear(r);
		return -1;
	}
	if (step == SIGNIN_ACCT_CHECK)
		wait = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return wait;
}

/*
 * The password check of job, on a password thread: the account and its
 * scrypt setting (council.auth_begin), the account's throttle, scrypt,
 * then council.auth_password, which compares and opens the session.  Sets
 * job->outcome (and wait_ms, token).  Touches job->req only to read the
 * server's configuration and pools.
 */
static void
signin_check(struct signin_job *job)
{
	struct http_req		*req = job->req;
	const struct config	*cfg = req->srv->cfg;
	PGresult		*r = NULL, *r2 = NULL;
	const char		*params[7], *answer;
	char			 cand[PASSWORD_MCF_LEN], rehash[PASSWORD_MCF_LEN];
	char			 key[320], hash[65], hashx[70], err[256];
	char			 idle[24], life[24], pend[24];

	job->outcome = SIGNIN_UNAVAILABLE;
	cand[0] = rehash[0] = '\0';
	params[0] = job->email;
	r = signin_query(req, "SELECT account, setting FROM council.auth_begin($1)",
	    1, params, err, sizeof(err));
	if (r == NULL || PQntuples(r) != 1 || PQgetisnull(r, 0, 1)) {
		log_error("msg=\"sign-in lookup failed\" rid=%s error=\"%s\"",
		    req->rid, r == NULL ? err : "no row");
		goto out;
	}
	/* Issue 10 item 3: the key is the person the address names (or the
	 * address folded as the database folds it), not the string typed. */
	snprintf(key, sizeof(key), "acct:%s", PQgetvalue(r, 0, 0));
	if ((job->wait_ms = signin_account(req, SIGNIN_ACCT_CHECK, key)) != 0) {
		if (job->wait_ms > 0)
			job->outcome = SIGNIN_THROTTLED;
		goto out;
	}
	if (password_hash_setting(job->password, PQgetvalue(r, 0, 1),
	    cand) == -1) {
		log_error("msg=\"cannot hash under the stored setting\" rid=%s",
		    req->rid);
		goto out;
	}
	/* ASVS V6.2: old parameters are replaced while we have the password. */
	if (password_needs_rehash(PQgetvalue(r, 0, 1)) &&
	    password_hash(job->password, rehash) == -1)
		rehash[0] = '\0';
	if (credential_token_new(job->token, hash) == -1)
		goto out;
	snprintf(hashx, sizeof(hashx), "\\x%s", hash);
	snprintf(idle, sizeof(idle), "%ld", cfg->session_idle_timeout);
	snprintf(life, sizeof(life), "%ld", cfg->session_lifetime);
	snprintf(pend, sizeof(pend), "%ld", cfg->signin_pending_timeout);
	params[1] = cand;
	params[2] = rehash[0] != '\0' ? rehash : NULL;
	params[3] = hashx;
	params[4] = idle;
	params[5] = life;
	params[6] = pend;
	r2 = signin_query(req, "SELECT council.auth_password($1, $2, $3, "
	    "$4::bytea, make_interval(secs => $5::int), "
	    "make_interval(secs => $6::int), make_interval(secs => $7::int))",
	    7, params, err, sizeof(err));
	if (r2 == NULL || PQntuples(r2) != 1) {
		log_error("msg=\"sign-in failed in the database\" rid=%s "
		    "error=\"%s\"", req->rid, r2 == NULL ? err : "no row");
		goto out;
	}
	answer = PQgetvalue(r2, 0, 0);
	if (strcmp(answer, "web") == 0)
		job->outcome = SIGNIN_WEB;
	else if (strcmp(answer, "totp") == 0)
		job->outcome = SIGNIN_TOTP;
	else if (strcmp(answer, "enrol") == 0)
		job->outcome = SIGNIN_ENROL;
	else
		job->outcome = SIGNIN_INVALID;
	(void)signin_account(req, job->outcome == SIGNIN_INVALID ?
	    SIGNIN_ACCT_FAILURE : SIGNIN_ACCT_SUCCESS, key);
out:
	OPENSSL_cleanse(job->password, sizeof(job->password));
	OPENSSL_cleanse(cand, sizeof(cand));
	OPENSSL_cleanse(rehash, sizeof(rehash));
	PQclear(r);
	PQclear(r2);
}

/* A password thread: check queued sign-ins one at a time, resume each. */
static void *
signin_thread(void *arg)
{
	struct signin_job	*job;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&sg.mu);
		while (sg.head == NULL && !sg.stopping)
			pthread_cond_wait(&sg.cv, &sg.mu);
		if ((job = sg.head) == NULL) {
			pthread_mutex_unlock(&sg.mu);
			break;
		}
		sg.head = job->next;
		if (sg.head == NULL)
			sg.tail = NULL;
		sg.queued--;
		pthread_mutex_unlock(&sg.mu);
		signin_check(job);
		http_resume(job->req);	/* job->req is not ours after this */
	}
	return NULL;
}

int
signin_init(const struct config *cfg, char *err, size_t errlen)
{
	struct throttle_limits	lim;
	size_t			i;

	throttle_limits_default(&lim);
	lim.ip_burst = (unsigned)cfg->signin_ip_burst;
	lim.ip_per_min = (unsigned)cfg->signin_ip_per_min;
	if ((sg.throttle = throttle_new(&lim)) == NULL) {
		snprintf(err, errlen, "cannot set up the sign-in throttle");
		return -1;
	}
	sg.limit = (size_t)cfg->signin_queue;
	sg.stopping = 0;
	sg.threads = xcalloc((size_t)cfg->password_checks, sizeof(pthread_t));
	for (i = 0; i < (size_t)cfg->password_checks; i++) {
		if (pthread_create(&sg.threads[i], NULL, signin_thread,
		    NULL) != 0) {
			snprintf(err, errlen, "cannot start a password thread");
			signin_fini();
			return -1;
		}
		sg.nthreads++;
	}
	return 0;
}

void
signin_stop(void)
{
	struct signin_job	*job, *next;
	size_t			 i;

	pthread_mutex_lock(&sg.mu);
	sg.stopping = 1;
	job = sg.head;
	sg.head = sg.tail = NULL;
	sg.queued = 0;
	pthread_cond_broadcast(&sg.cv);
	pthread_mutex_unlock(&sg.mu);
	for (; job != NULL; job = next) {	/* never checked: 503 */
		next = job->next;
		OPENSSL_cleanse(job->password, sizeof(job->password));
		job->outcome = SIGNIN_UNAVAILABLE;
		http_resume(job->req);
	}
	for (i = 0; i < sg.nthreads; i++)
		pthread_join(sg.threads[i], NULL);
	sg.nthreads = 0;
}

void
signin_fini(void)
{
	signin_stop();
	free(sg.threads);
	sg.threads = NULL;
	throttle_free(sg.throttle);
	sg.throttle = NULL;
}

size_t
signin_queue_depth(size_t *limit)
{
	size_t	n;

	pthread_mutex_lock(&sg.mu);
	n = sg.queued;
	if (limit != NULL)
		*limit = sg.limit;
	pthread_mutex_unlock(&sg.mu);
	return n;
}

/* The sign-in page with an error message (catalog key) and status. */
static enum MHD_Result
signin_page(struct http_req *req, unsigned status, const char *error,
    const char *email, long wait_s)
{
	struct tmpl_vars	*vars = tmpl_vars_new();
	enum MHD_Result		 ret;

	if (error != NULL) {
		if (wait_s > 0)
			tmpl_vars_setf(vars, "error", "%s (%ld)",
			    http_text(req, error), wait_s);
		else
			tmpl_vars_set(vars, "error", http_text(req, error));
	}
	if (email != NULL && util_utf8_valid(email, strlen(email)))
		tmpl_vars_set(vars, "email", email);
	ret = http_page(req, status, "signin.xhtml", vars);
	tmpl_vars_free(vars);
	return ret;
}

enum MHD_Result
signin_get(struct http_req *req)
{
	/* Someone with a session cookie goes to the feed, which sends
	 * anyone the database does not know back here. */
	if (req->session_hash[0] != '\0' && strcmp(req->path, "/") == 0)
		return http_redirect(req, "/feed");
	return signin_page(req, 200, NULL, NULL, 0);
}

/*
 * Issue 17 (the language choice persists): a language chosen in this
 * browser (the lang cookie the language switch sets, or ?lang= on this
 * request) becomes the person's own as they sign in, so the portal opens
 * in the language they signed in with; without such a choice their own
 * setting stands (the sign-in page itself follows the browser's
 * Accept-Language).  tok is the new session's token.  Best effort: a
 * failure is logged and the sign-in goes on.
 */
static void
signin_keep_lang(struct http_req *req, const char *tok)
{
	const char	*c = MHD_lookup_connection_value(req->conn,
			    MHD_COOKIE_KIND, "lang");
	char		 hash[CREDENTIAL_TOKEN_HEX + 1], err[256];
	struct db_ident	 id = { hash, req->rid, &req->db_trips };
	const char	*params[1];
	PGresult	*r;

	if (i18n_lang_parse(c) < 0 && !req->lang_from_query)
		return;
	params[0] = i18n_lang_code(req->lang);
	util_sha256_hex(tok, CREDENTIAL_TOKEN_HEX, hash);
	r = db_run(req->srv->db, req->srv->cfg->db_acquire_timeout_ms, &id,
	    "SELECT council.set_my_settings($1)", 1, params, NULL, err,
	    sizeof(err));
	if (r == NULL)
		log_error("msg=\"sign-in language not kept\" rid=%s "
		    "error=\"%s\"", req->rid, err);
	PQclear(r);
}

/* The answer to a sign-in once its password was checked (http_suspend). */
static enum MHD_Result
signin_post_done(struct http_req *req)
{
	const struct config	*cfg = req->srv->cfg;
	struct signin_job	*job = req->deferred;
	enum MHD_Result		 ret;

	req->deferred = NULL;
	switch (job->outcome) {
	case SIGNIN_WEB:
		credential_cookie_set(req, 0, job->token, cfg->session_lifetime);
		signin_keep_lang(req, job->token);
		ret = http_redirect(req, "/feed");
		break;
	case SIGNIN_TOTP:
	case SIGNIN_ENROL:
		credential_cookie_set(req, 1, job->token, cfg->signin_pending_timeout);
		ret = http_redirect(req, job->outcome == SIGNIN_TOTP ?
		    "/signin/totp" : "/signin/enrol");
		break;
	case SIGNIN_INVALID:
		log_info("msg=\"sign-in failed\" rid=%s", req->rid);
		ret = signin_page(req, 401, "signin.error.invalid", job->email,
		    0);
		break;
	case SIGNIN_THROTTLED:
		log_info("msg=\"sign-in throttled\" rid=%s wait_ms=%ld",
		    req->rid, job->wait_ms);
		ret = signin_page(req, 429, "signin.error.throttled",
		    job->email, (job->wait_ms + 999) / 1000);
		break;
	default:
		ret = http_error_retry(req, 503, SIGNIN_RETRY_S);
		break;
	}
	signin_job_free(job);
	return ret;
}

/*
 * Queue job for a password thread and suspend its request.  Returns 0, or
 * -1 when the queue is full or sign-in is stopping (nothing was queued;
 * the caller answers).
 */
static int
signin_submit(struct http_req *req, struct signin_job *job)
{
	pthread_mutex_lock(&sg.mu);
	if (sg.stopping || sg.queued >= sg.limit) {
		pthread_mutex_unlock(&sg.mu);
		return -1;
	}
	job->req = req;
	req->deferred = job;
	req->deferred_free = signin_job_free;
	/* Suspended before it is queued: a thread that takes the job at once
	 * resumes a connection that is already asleep. */
	http_suspend(req, signin_post_done);
	if (sg.tail != NULL)
		sg.tail->next = job;
	else
		sg.head = job;
	sg.tail = job;
	sg.queued++;
	pthread_cond_signal(&sg.cv);
	pthread_mutex_unlock(&sg.mu);
	return 0;
}

/*
 * POST /signin.  Issue 10 item 2: the worker only checks the form and the
 * address's throttle; the password is checked on a password thread while
 * the connection sleeps, so thirty sign-ins at once stall no other request.
 */
enum MHD_Result
signin_post(struct http_req *req)
{
	struct form		 f;
	struct signin_job	*job = NULL;
	const char		*email, *password;
	char			 err[256];
	long			 wait;
	enum MHD_Result		 ret;

	form_init(&f);
	if (form_parse(&f, req->body.data, req->body.len,
	    err, sizeof(err)) == -1) {
		ret = signin_page(req, 400, "signin.error.missing", NULL, 0);
		goto out;
	}
	email = form_get(&f, "email");
	password = form_get(&f, "password");
	if (email == NULL || password == NULL || *email == '\0' ||
	    *password == '\0' || strlen(email) > SIGNIN_MAX_EMAIL ||
	    strlen(password) > PASSWORD_MAX_LEN) {
		ret = signin_page(req, 400, "signin.error.missing", email, 0);
		goto out;
	}
	/* The address first: a refused address must not reserve, and so
	 * delay, the account it names (throttle.h). */
	if ((wait = throttle_check(sg.throttle, THROTTLE_IP, req->ip,
	    util_now_ms())) > 0) {
		log_info("msg=\"sign-in throttled\" rid=%s wait_ms=%ld",
		    req->rid, wait);
		ret = signin_page(req, 429, "signin.error.throttled", email,
		    (wait + 999) / 1000);
		goto out;
	}
	job = xcalloc(1, sizeof(*job));
	snprintf(job->email, sizeof(job->email), "%s", email);
	snprintf(job->password, sizeof(job->password), "%s", password);
	if (signin_submit(req, job) == -1) {
		log_warn("msg=\"sign-in queue full\" rid=%s", req->rid);
		signin_job_free(job);
		ret = http_error_retry(req, 503, SIGNIN_RETRY_S);
		goto out;
	}
	ret = MHD_YES;		/* answered by signin_post_done */
out:
	form_free(&f);
	return ret;
}

/*
 * The pending sign-in of this request: its token's hash as a bytea
 * literal, the person and whether a second factor is set up.  Returns 0,
 * or -1 when there is none (expired, unknown, malformed).
 */
struct signin_pending {
	char	hashx[70];
	char	person[24];
	int	enrolled;
};

static int
signin_pending_get(struct http_req *req, struct signin_pending *p)
{
	PGresult	*r;
	const char	*params[1];
	char		 tok[CREDENTIAL_TOKEN_HEX + 1], hash[65], err[256];
	int		 rc = -1;

	if (!credential_cookie_token(req, 1, tok))
		goto out;
	util_sha256_hex(tok, CREDENTIAL_TOKEN_HEX, hash);
	snprintf(p->hashx, sizeof(p->hashx), "\\x%s", hash);
	params[0] = p->hashx;
	r = signin_query(req, "SELECT person_id, enrolled "
	    "FROM council.auth_pending($1::bytea)", 1, params, err,
	    sizeof(err));
	if (r == NULL)
		log_error("msg=\"pending lookup failed\" rid=%s error=\"%s\"",
		    req->rid, err);
	else if (PQntuples(r) == 1) {
		snprintf(p->person, sizeof(p->person), "%s",
		    PQgetvalue(r, 0, 0));
		p->enrolled = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
		rc = 0;
	}
	PQclear(r);
out:
	OPENSSL_cleanse(tok, sizeof(tok));
	return rc;
}

/*
 * The second factor's throttle (per address, then per person) for
 * pending sign-in p: 0 when the attempt may go on, else the wait in ms
 * (-1: the database did not answer).
 */
static long
signin_factor_throttle(struct http_req *req, const struct signin_pending *p,
    char *key, size_t keylen)
{
	double	now = util_now_ms();
	long	wait;

	snprintf(key, keylen, "totp:%s", p->person);
	if ((wait = throttle_check(sg.throttle, THROTTLE_IP, req->ip, now)) > 0)
		return wait;
	return signin_account(req, SIGNIN_ACCT_CHECK, key);
}

/*
 * Run a second-factor step (council.auth_second_factor or auth_enrol, sql
 * with params; $nnew is the new session's hash and the two after it the
 * time-outs, filled here).  On "ok" the pending cookie goes and the
 * session's comes; the answer (or NULL on a database failure) is copied
 * into out.
 */
static int
signin_factor_db(struct http_req *req, const char *sql, int n,
    const char **params, int nnew, char *out, size_t outlen)
{
	const struct config	*cfg = req->srv->cfg;
	PGresult		*r;
	char			 tok[CREDENTIAL_TOKEN_HEX + 1], hash[65], hashx[70];
	char			 idle[24], life[24], err[256];
	int			 rc = -1;

	if (credential_token_new(tok, hash) == -1)
		goto out;
	snprintf(hashx, sizeof(hashx), "\\x%s", hash);
	snprintf(idle, sizeof(idle), "%ld", cfg->session_idle_timeout);
	snprintf(life, sizeof(life), "%ld", cfg->session_lifetime);
	params[nnew] = hashx;
	params[nnew + 1] = idle;
	params[nnew + 2] = life;
	if ((r = signin_query(req, sql, n, params, err, sizeof(err))) == NULL ||
	    PQntuples(r) != 1) {
		log_error("msg=\"second factor failed in the database\" rid=%s "
		    "error=\"%s\"", req->rid, r == NULL ? err : "no row");
		PQclear(r);
		goto out;
	}
	snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	if (strcmp(out, "ok") == 0) {
		credential_cookie_set(req, 1, NULL, 0);
		credential_cookie_set(req, 0, tok, cfg->session_lifetime);
		signin_keep_lang(req, tok);
	}
	rc = 0;
out:
	OPENSSL_cleanse(tok, sizeof(tok));
	return rc;
}

static enum MHD_Result
signin_totp_page(struct http_req *req, unsigned status, const char *error)
{
	struct tmpl_vars	*vars = tmpl_vars_new();
	enum MHD_Result		 ret;

	if (error != NULL)
		tmpl_vars_set(vars, "error", http_text(req, error));
	ret = http_page(req, status, "totp.xhtml", vars);
	tmpl_vars_free(vars);
	return ret;
}

enum MHD_Result
signin_totp_get(struct http_req *req)
{
	struct signin_pending	p;

	if (signin_pending_get(req, &p) == -1)
		return http_redirect(req, "/signin");
	if (!p.enrolled)
		return http_redirect(req, "/signin/enrol");
	return signin_totp_page(req, 200, NULL);
}

enum MHD_Result
signin_totp_post(struct http_req *req)
{
	struct signin_pending	 p;
	struct form		 f;
	const char		*code, *recovery, *params[6];
	char			 err[256], tkey[48], answer[64];
	char			 norm[TOTP_RECOVERY_NORM_LEN], rhash[65], rhashx[70];
	long			 wait;
	enum MHD_Result		 ret;

	form_init(&f);
	rhashx[0] = norm[0] = '\0';
	if (signin_pending_get(req, &p) == -1) {
		ret = http_redirect(req, "/signin");
		goto out;
	}
	if (form_parse(&f, req->body.data, req->body.len,
	    err, sizeof(err)) == -1) {
		ret = signin_totp_page(req, 400, "totp.error.invalid");
		goto out;
	}
	if ((wait = signin_factor_throttle(req, &p, tkey, sizeof(tkey))) != 0) {
		ret = wait < 0 ? http_error_retry(req, 503, SIGNIN_RETRY_S) :
		    signin_totp_page(req, 429, "signin.error.throttled");
		goto out;
	}
	code = form_get(&f, "code");
	recovery = form_get(&f, "recovery");
	if (code != NULL && *code == '\0')
		code = NULL;
	if (code == NULL && recovery != NULL && *recovery != '\0' &&
	    totp_recovery_normalise(recovery, norm, sizeof(norm)) == 0) {
		util_sha256_hex(norm, strlen(norm), rhash);
		snprintf(rhashx, sizeof(rhashx), "\\x%s", rhash);
	}
	params[0] = p.hashx;
	params[1] = code != NULL && strlen(code) <= 16 ? code : NULL;
	params[2] = rhashx[0] != '\0' ? rhashx : NULL;
	if (params[1] == NULL && params[2] == NULL)
		snprintf(answer, sizeof(answer), "totp_invalid");
	else if (signin_factor_db(req, "SELECT council.auth_second_factor("
	    "$1::bytea, $2, $3::bytea, $4::bytea, make_interval(secs => $5::int), "
	    "make_interval(secs => $6::int))", 6, params, 3, answer,
	    sizeof(answer)) == -1) {
		ret = http_error_retry(req, 503, SIGNIN_RETRY_S);
		goto out;
	}
	if (strcmp(answer, "ok") == 0) {
		(void)signin_account(req, SIGNIN_ACCT_SUCCESS, tkey);
		ret = http_redirect(req, "/feed");
	} else if (strcmp(answer, "pending_not_found") == 0) {
		ret = http_redirect(req, "/signin");
	} else {
		(void)signin_account(req, SIGNIN_ACCT_FAILURE, tkey);
		ret = signin_totp_page(req, 401, "totp.error.invalid");
	}
out:
	OPENSSL_cleanse(norm, sizeof(norm));
	form_free(&f);
	return ret;
}

/*
 * The enrolment page for secret (base32): shown in groups of 4, and as
 * the QR code of its otpauth:// URI (qr.h).  A QR code that cannot be
 * made is left out (the page says to type the secret) and logged.  Every
 * copy of the secret is wiped before returning.
 */
static enum MHD_Result
signin_enrol_page(struct http_req *req, unsigned status, const char *secret,
    const char *error)
{
	struct tmpl_vars	*vars = tmpl_vars_new();
	struct buf		 grouped, uri, path;
	enum MHD_Result		 ret;
	unsigned		 side;
	size_t			 i;

	buf_init(&grouped);
	buf_init(&uri);
	buf_init(&path);
	for (i = 0; secret[i] != '\0'; i++) {
		if (i > 0 && i % 4 == 0)
			buf_puts(&grouped, " ");
		buf_append(&grouped, &secret[i], 1);
	}
	tmpl_vars_set(vars, "secret", secret);
	tmpl_vars_set(vars, "secret_grouped", grouped.data);
	totp_uri(&uri, SIGNIN_TOTP_ISSUER, secret);
	if (qr_path(uri.data, uri.len, &path, &side) == 0) {
		tmpl_vars_set(vars, "qr_path", path.data);
		tmpl_vars_setf(vars, "qr_viewbox", "0 0 %u %u", side, side);
	} else
		log_error("msg=\"enrolment QR code failed\" rid=%s", req->rid);
	if (error != NULL)
		tmpl_vars_set(vars, "error", http_text(req, error));
	ret = http_page(req, status, "enrol.xhtml", vars);
	tmpl_vars_free(vars);
	if (grouped.data != NULL)
		OPENSSL_cleanse(grouped.data, grouped.len);
	if (uri.data != NULL)
		OPENSSL_cleanse(uri.data, uri.len);
	if (path.data != NULL)
		OPENSSL_cleanse(path.data, path.len);
	buf_free(&path);
	buf_free(&uri);
	buf_free(&grouped);
	return ret;
}

enum MHD_Result
signin_enrol_get(struct http_req *req)
{
	struct signin_pending	 p;
	char			 secret[TOTP_SECRET_B32_LEN + 1];
	enum MHD_Result		 ret;

	if (signin_pending_get(req, &p) == -1)
		ret = http_redirect(req, "/signin");
	else if (p.enrolled)
		ret = http_redirect(req, "/signin/totp");
	else if (totp_secret_new(secret, sizeof(secret)) == -1)
		ret = http_error(req, 503, NULL);
	else
		ret = signin_enrol_page(req, 200, secret, NULL);
	OPENSSL_cleanse(secret, sizeof(secret));
	return ret;
}

/*
 * POST /signin/enrol: token (the enrolment token an administrator or the
 * secretariat issued), secret (the one shown), code (from the app).  The
 * database checks all three (council.auth_enrol); ten recovery codes are
 * made here and shown once.
 */
enum MHD_Result
signin_enrol_post(struct http_req *req)
{
	struct signin_pending	 p;
	struct form		 f;
	struct tmpl_vars	*vars = NULL, *item;
	struct buf		 hashes;
	const char		*secret, *code, *token, *params[8];
	char			 err[256], tkey[48], answer[64];
	char			 codes[SIGNIN_RECOVERY_CODES][TOTP_RECOVERY_LEN];
	char			 norm[TOTP_RECOVERY_NORM_LEN], h[65];
	char			 thash[65], thashx[70];
	int			 i;
	long			 wait;
	enum MHD_Result		 ret;

	form_init(&f);
	buf_init(&hashes);
	if (signin_pending_get(req, &p) == -1) {
		ret = http_redirect(req, "/signin");
		goto out;
	}
	if (p.enrolled) {
		ret = http_redirect(req, "/signin/totp");
		goto out;
	}
	if (form_parse(&f, req->body.data, req->body.len,
	    err, sizeof(err)) == -1 ||
	    (secret = form_get(&f, "secret")) == NULL ||
	    strlen(secret) != TOTP_SECRET_B32_LEN ||
	    strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") !=
	    TOTP_SECRET_B32_LEN) {
		ret = http_error(req, 400, NULL);
		goto out;
	}
	if ((wait = signin_factor_throttle(req, &p, tkey, sizeof(tkey))) != 0) {
		ret = wait < 0 ? http_error_retry(req, 503, SIGNIN_RETRY_S) :
		    signin_enrol_page(req, 429, secret,
		    "signin.error.throttled");
		goto out;
	}
	code = form_get(&f, "code");
	token = form_get(&f, "token");
	/* A token that cannot be one is the same answer as a wrong one. */
	if (token == NULL ||
	    totp_recovery_normalise(token, norm, sizeof(norm)) == -1)
		snprintf(norm, sizeof(norm), "-");
	util_sha256_hex(norm, strlen(norm), thash);
	snprintf(thashx, sizeof(thashx), "\\x%s", thash);
	buf_puts(&hashes, "{");
	for (i = 0; i < SIGNIN_RECOVERY_CODES; i++) {
		if (totp_recovery_new(codes[i], sizeof(codes[i])) == -1 ||
		    totp_recovery_normalise(codes[i], norm, sizeof(norm)) == -1) {
			ret = http_error(req, 503, NULL);
			goto out;
		}
		util_sha256_hex(norm, strlen(norm), h);
		buf_printf(&hashes, "%s\"\\\\x%s\"", i ? "," : "", h);
	}
	buf_puts(&hashes, "}");
	params[0] = p.hashx;
	params[1] = thashx;
	params[2] = secret;
	params[3] = code != NULL && strlen(code) <= 16 ? code : "";
	params[4] = hashes.data;
	if (signin_factor_db(req, "SELECT council.auth_enrol($1::bytea, "
	    "$2::bytea, $3, $4, $5::bytea[], $6::bytea, "
	    "make_interval(secs => $7::int), make_interval(secs => $8::int))",
	    8, params, 5, answer, sizeof(answer)) == -1) {
		ret = http_error_retry(req, 503, SIGNIN_RETRY_S);
		goto out;
	}
	if (strcmp(answer, "pending_not_found") == 0) {
		ret = http_redirect(req, "/signin");
		goto out;
	}
	if (strcmp(answer, "ok") != 0) {
		(void)signin_account(req, SIGNIN_ACCT_FAILURE, tkey);
		log_info("msg=\"enrolment refused\" rid=%s why=%s", req->rid,
		    answer);
		ret = signin_enrol_page(req, 401, secret,
		    strcmp(answer, "enrolment_token_invalid") == 0 ?
		    "enrol.error.token" : "totp.error.invalid");
		goto out;
	}
	(void)signin_account(req, SIGNIN_ACCT_SUCCESS, tkey);
	vars = tmpl_vars_new();
	for (i = 0; i < SIGNIN_RECOVERY_CODES; i++) {
		item = tmpl_vars_add_item(vars, "codes");
		tmpl_vars_set(item, "code", codes[i]);
	}
	ret = http_page(req, 200, "recovery.xhtml", vars);
out:
	OPENSSL_cleanse(codes, sizeof(codes));
	OPENSSL_cleanse(norm, sizeof(norm));
	tmpl_vars_free(vars);
	buf_free(&hashes);
	form_free(&f);
	return ret;
}

static enum MHD_Result
signin_signout(struct http_req *req, int everywhere)
{
	struct form	 f;
	struct db_ident	 id = { req->session_hash, req->rid, &req->db_trips };
	PGresult	*r;
	char		 err[256];
	enum MHD_Result	 ret;

	form_init(&f);
	if (form_parse(&f, req->body.data, req->body.len,
	    err, sizeof(err)) == -1 || !credential_csrf_ok(req, &f)) {
		ret = http_error(req, 403, NULL);
		goto out;
	}
	r = db_run(req->srv->db, req->srv->cfg->db_acquire_timeout_ms, &id,
	    everywhere ? "SELECT council.session_end(true)" :
	    "SELECT council.session_end(false)", 0, NULL, NULL, err,
	    sizeof(err));
	PQclear(r);
	credential_cookie_set(req, 0, NULL, 0);
	ret = http_redirect(req, "/signin");
out:
	form_free(&f);
	return ret;
}

enum MHD_Result
signin_signout_post(struct http_req *req)
{
	return signin_signout(req, 0);
}

enum MHD_Result
signin_signout_all_post(struct http_req *req)
{
	return signin_signout(req, 1);
}
