/*
 * auth.c: credentials, sign-in, the second factor and sign-out (see
 * auth.h).  The database does the bookkeeping (policy/50_auth.sql); this
 * file does what the database cannot: scrypt, TOTP, random tokens,
 * cookies and throttling.
 */
#include <ctype.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "password.h"
#include "throttle.h"
#include "tmpl.h"
#include "totp.h"
#include "util.h"

#define AUTH_RECOVERY_CODES	10
#define AUTH_MAX_EMAIL		254

static sem_t		 auth_sem;	/* scrypt checks at once */
static int		 auth_sem_ready;
static struct throttle	*auth_throttle;
static char		 auth_dummy_mcf[PASSWORD_MCF_LEN];

int
auth_init(const struct config *cfg, char *err, size_t errlen)
{
	struct throttle_limits	lim;

	if (sem_init(&auth_sem, 0, (unsigned)cfg->password_checks) == -1) {
		snprintf(err, errlen, "sem_init failed");
		return -1;
	}
	auth_sem_ready = 1;
	throttle_limits_default(&lim);
	lim.ip_burst = (unsigned)cfg->signin_ip_burst;
	lim.ip_per_min = (unsigned)cfg->signin_ip_per_min;
	if ((auth_throttle = throttle_new(&lim)) == NULL) {
		snprintf(err, errlen, "cannot set up the sign-in throttle");
		return -1;
	}
	/* Checked against when an address is unknown, so that the answer
	 * takes as long as for a known one. */
	if (password_hash("council-portal: no such account", auth_dummy_mcf)
	    == -1) {
		snprintf(err, errlen, "cannot hash the placeholder password");
		return -1;
	}
	return 0;
}

void
auth_fini(void)
{
	throttle_free(auth_throttle);
	auth_throttle = NULL;
	if (auth_sem_ready)
		sem_destroy(&auth_sem);
	auth_sem_ready = 0;
}

static const char *
auth_cookie_name(const struct http_req *req, int pending)
{
	if (req->srv->cfg->cookie_secure)
		return pending ? "__Host-council_pending" : "__Host-council_session";
	return pending ? "council_pending" : "council_session";
}

/* The form token of a session: SHA-256("council-csrf:" token), hex. */
static void
auth_csrf_of(const char *token, char *out)
{
	char	in[16 + AUTH_TOKEN_HEX + 1];

	snprintf(in, sizeof(in), "council-csrf:%s", token);
	util_sha256_hex(in, strlen(in), out);
	OPENSSL_cleanse(in, sizeof(in));
}

/* The token of cookie name, if present and well-formed, into out. */
static int
auth_cookie_token(struct http_req *req, int pending, char *out)
{
	const char	*h = http_header(req, MHD_HTTP_HEADER_COOKIE);

	if (h == NULL || form_cookie(h, auth_cookie_name(req, pending), out,
	    AUTH_TOKEN_HEX + 1) != 1)
		return 0;
	return form_token_ok(out, AUTH_TOKEN_HEX);
}

void
auth_request(struct http_req *req)
{
	const char	*h = http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	char		 tok[AUTH_TOKEN_HEX + 1];

	req->session_hash[0] = req->csrf[0] = '\0';
	req->bearer = 0;
	if (h != NULL) {
		if (strncmp(h, "Bearer ", 7) == 0 &&
		    form_token_ok(h + 7, AUTH_TOKEN_HEX)) {
			util_sha256_hex(h + 7, AUTH_TOKEN_HEX, req->session_hash);
			req->bearer = 1;
		}
		return;		/* a malformed one identifies nobody */
	}
	if (auth_cookie_token(req, 0, tok)) {
		util_sha256_hex(tok, AUTH_TOKEN_HEX, req->session_hash);
		auth_csrf_of(tok, req->csrf);
	}
	OPENSSL_cleanse(tok, sizeof(tok));
}

int
auth_origin_ok(struct http_req *req)
{
	const char	*site = http_header(req, "Sec-Fetch-Site");
	const char	*origin = http_header(req, "Origin");
	const char	*host = http_header(req, MHD_HTTP_HEADER_HOST);
	const char	*rest;

	/* Fetch Metadata is set by the browser, never by a page: when it is
	 * there, it decides.  (Under Referrer-Policy: no-referrer a
	 * same-origin form POST carries "Origin: null".) */
	if (site != NULL)
		return strcmp(site, "same-origin") == 0 ||
		    strcmp(site, "none") == 0;
	if (origin == NULL)
		return 1;	/* not a browser, or an old one: the token decides */
	if (host == NULL)
		return 0;
	if (strncmp(origin, "https://", 8) == 0)
		rest = origin + 8;
	else if (strncmp(origin, "http://", 7) == 0)
		rest = origin + 7;
	else
		return 0;	/* "null" and everything else */
	return strcmp(rest, host) == 0;
}

int
auth_csrf_ok(struct http_req *req, const struct form *f)
{
	const char	*t = form_get(f, "csrf");

	if (req->csrf[0] == '\0' || t == NULL || strlen(t) != 64)
		return 0;
	return CRYPTO_memcmp(t, req->csrf, 64) == 0;
}

int
auth_token_new(char *out, char *hash)
{
	if (util_random_hex(out, AUTH_TOKEN_HEX / 2) == -1)
		return -1;
	util_sha256_hex(out, AUTH_TOKEN_HEX, hash);
	return 0;
}

/* Set-Cookie for a token (or its removal when token is NULL). */
static void
auth_cookie_set(struct http_req *req, int pending, const char *token,
    long max_age)
{
	char	c[256];

	snprintf(c, sizeof(c), "%s=%s; Path=/; Max-Age=%ld; HttpOnly; "
	    "SameSite=Strict%s", auth_cookie_name(req, pending),
	    token ? token : "", token ? max_age : 0L,
	    req->srv->cfg->cookie_secure ? "; Secure" : "");
	http_set_cookie(req, c);
	OPENSSL_cleanse(c, sizeof(c));
}

/* Run sql as nobody-in-particular (the auth_* functions take explicit
 * arguments); see db_run. */
static PGresult *
auth_db(struct http_req *req, const char *sql, int n,
    const char *const *params, char *sqlstate, char *err, size_t errlen)
{
	struct db_ident	id = { req->session_hash, req->rid };

	return db_run(req->srv->db, req->srv->cfg->db_acquire_timeout_ms, &id,
	    sql, n, params, sqlstate, err, errlen);
}

static int
auth_password_check(const char *password, const char *mcf)
{
	int	ok;

	while (sem_wait(&auth_sem) == -1)
		;	/* EINTR */
	ok = password_verify(password, mcf);
	sem_post(&auth_sem);
	return ok;
}

/* The sign-in page with an error message (catalog key) and status. */
static enum MHD_Result
auth_signin_page(struct http_req *req, unsigned status, const char *error,
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
auth_signin_get(struct http_req *req)
{
	/* Someone with a session cookie goes to the feed, which sends
	 * anyone the database does not know back here. */
	if (req->session_hash[0] != '\0' && strcmp(req->path, "/") == 0)
		return http_redirect(req, "/feed");
	return auth_signin_page(req, 200, NULL, NULL, 0);
}

/* The throttle key of an account: the address as typed, lowercased. */
static void
auth_account_key(const char *email, char *key, size_t len)
{
	size_t	i;

	snprintf(key, len, "acct:%s", email);
	for (i = 0; key[i] != '\0'; i++)
		key[i] = (char)tolower((unsigned char)key[i]);
}

enum MHD_Result
auth_signin_post(struct http_req *req)
{
	const struct config	*cfg = req->srv->cfg;
	struct form		 f;
	PGresult		*r = NULL, *r2 = NULL;
	const char		*email, *password, *params[5];
	char			 err[256], state[6], key[300], tok[AUTH_TOKEN_HEX + 1];
	char			 hash[65], hashx[70], idle[24], life[24];
	char			 mcf[PASSWORD_MCF_LEN];
	const char		*factor;
	double			 now = util_now_ms();
	long			 wait;
	int			 ok, known;
	enum MHD_Result		 ret;

	form_init(&f);
	tok[0] = '\0';
	if (form_parse(&f, req->body.data, req->body.len,
	    err, sizeof(err)) == -1) {
		ret = auth_signin_page(req, 400, "signin.error.missing", NULL, 0);
		goto out;
	}
	email = form_get(&f, "email");
	password = form_get(&f, "password");
	if (email == NULL || password == NULL || *email == '\0' ||
	    *password == '\0' || strlen(email) > AUTH_MAX_EMAIL ||
	    strlen(password) > PASSWORD_MAX_LEN) {
		ret = auth_signin_page(req, 400, "signin.error.missing", email,
		    0);
		goto out;
	}
	auth_account_key(email, key, sizeof(key));
	/* The address first: a refused address must not reserve, and so
	 * delay, the account it names (throttle.h). */
	wait = throttle_check(auth_throttle, THROTTLE_IP, req->ip, now);
	if (wait == 0)
		wait = throttle_check(auth_throttle, THROTTLE_ACCOUNT, key, now);
	if (wait > 0) {
		log_info("msg=\"sign-in throttled\" rid=%s wait_ms=%ld",
		    req->rid, wait);
		ret = auth_signin_page(req, 429, "signin.error.throttled",
		    email, (wait + 999) / 1000);
		goto out;
	}

	params[0] = email;
	r = auth_db(req, "SELECT person_id, password_hash, second_factor "
	    "FROM council.auth_lookup($1)", 1, params, NULL, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"sign-in lookup failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	known = PQntuples(r) == 1;
	ok = auth_password_check(password,
	    known ? PQgetvalue(r, 0, 1) : auth_dummy_mcf);
	if (!known || ok != 1) {
		throttle_failure(auth_throttle, THROTTLE_ACCOUNT, key, now);
		if (known) {
			params[0] = PQgetvalue(r, 0, 0);
			params[1] = "password";
			PQclear(auth_db(req, "SELECT council.auth_failed($1, $2)",
			    2, params, NULL, err, sizeof(err)));
		}
		log_info("msg=\"sign-in failed\" rid=%s known=%d", req->rid,
		    known);
		ret = auth_signin_page(req, 401, "signin.error.invalid", email,
		    0);
		goto out;
	}
	throttle_success(auth_throttle, THROTTLE_ACCOUNT, key);

	/* ASVS V6.2: old parameters are replaced while we have the
	 * password. */
	if (password_needs_rehash(PQgetvalue(r, 0, 1)) &&
	    password_hash(password, mcf) == 0) {
		params[0] = PQgetvalue(r, 0, 0);
		params[1] = mcf;
		PQclear(auth_db(req, "SELECT council.auth_rehash($1, $2)", 2,
		    params, NULL, err, sizeof(err)));
	}

	factor = PQgetvalue(r, 0, 2);
	if (auth_token_new(tok, hash) == -1) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	snprintf(hashx, sizeof(hashx), "\\x%s", hash);
	snprintf(idle, sizeof(idle), "%ld", cfg->session_idle_timeout);
	snprintf(life, sizeof(life), "%ld", strcmp(factor, "none") == 0 ?
	    cfg->session_lifetime : cfg->signin_pending_timeout);
	params[0] = PQgetvalue(r, 0, 0);
	params[1] = hashx;
	params[2] = strcmp(factor, "none") == 0 ? "web" : "pending";
	params[3] = idle;
	params[4] = life;
	r2 = auth_db(req, "SELECT council.auth_session_open($1, $2::bytea, $3, "
	    "make_interval(secs => $4::int), make_interval(secs => $5::int))",
	    5, params, state, err, sizeof(err));
	if (r2 == NULL) {
		log_error("msg=\"session open failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (strcmp(factor, "none") == 0) {
		auth_cookie_set(req, 0, tok, cfg->session_lifetime);
		ret = http_redirect(req, "/feed");
	} else {
		auth_cookie_set(req, 1, tok, cfg->signin_pending_timeout);
		ret = http_redirect(req, strcmp(factor, "totp") == 0 ?
		    "/signin/totp" : "/signin/enrol");
	}
out:
	OPENSSL_cleanse(tok, sizeof(tok));
	OPENSSL_cleanse(mcf, sizeof(mcf));
	PQclear(r);
	PQclear(r2);
	form_free(&f);
	return ret;
}

/*
 * The pending sign-in of this request: its token's hash (hex, and as a
 * bytea literal), the person, the TOTP secret ("" when not enrolled) and
 * the last step used.  Returns the row (PQclear it) or NULL when there is
 * none (expired, unknown, malformed).
 */
struct auth_pending {
	char	tok[AUTH_TOKEN_HEX + 1];
	char	hash[65];
	char	hashx[70];
};

static PGresult *
auth_pending_get(struct http_req *req, struct auth_pending *p)
{
	PGresult	*r;
	const char	*params[1];
	char		 err[256];

	if (!auth_cookie_token(req, 1, p->tok))
		return NULL;
	util_sha256_hex(p->tok, AUTH_TOKEN_HEX, p->hash);
	snprintf(p->hashx, sizeof(p->hashx), "\\x%s", p->hash);
	params[0] = p->hashx;
	r = auth_db(req, "SELECT person_id, coalesce(totp_secret, ''), "
	    "totp_last_step FROM council.auth_pending($1::bytea)", 1, params,
	    NULL, err, sizeof(err));
	if (r != NULL && PQntuples(r) == 1)
		return r;
	if (r == NULL)
		log_error("msg=\"pending lookup failed\" rid=%s error=\"%s\"",
		    req->rid, err);
	PQclear(r);
	return NULL;
}

static enum MHD_Result
auth_totp_page(struct http_req *req, unsigned status, const char *error)
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
auth_totp_get(struct http_req *req)
{
	struct auth_pending	 p;
	PGresult		*r = auth_pending_get(req, &p);
	enum MHD_Result		 ret;

	if (r == NULL)
		ret = http_redirect(req, "/signin");
	else if (*PQgetvalue(r, 0, 1) == '\0')
		ret = http_redirect(req, "/signin/enrol");
	else
		ret = auth_totp_page(req, 200, NULL);
	PQclear(r);
	OPENSSL_cleanse(&p, sizeof(p));
	return ret;
}

/*
 * Finish a sign-in: the database ends the pending session and opens a web
 * one (p_* arguments of council.auth_second_factor as text, NULL allowed).
 * On success the cookies are swapped and 0 is returned; -1 otherwise with
 * the database's error code in err.
 */
static int
auth_finish(struct http_req *req, const struct auth_pending *p,
    const char *step, const char *recovery, const char *secret,
    const char *recovery_hashes, char *err, size_t errlen)
{
	const struct config	*cfg = req->srv->cfg;
	PGresult		*r;
	const char		*params[8];
	char			 tok[AUTH_TOKEN_HEX + 1], hash[65], hashx[70];
	char			 idle[24], life[24], state[6];

	if (auth_token_new(tok, hash) == -1) {
		snprintf(err, errlen, "rng");
		return -1;
	}
	snprintf(hashx, sizeof(hashx), "\\x%s", hash);
	snprintf(idle, sizeof(idle), "%ld", cfg->session_idle_timeout);
	snprintf(life, sizeof(life), "%ld", cfg->session_lifetime);
	params[0] = p->hashx;
	params[1] = step;
	params[2] = recovery;
	params[3] = hashx;
	params[4] = idle;
	params[5] = life;
	params[6] = secret;
	params[7] = recovery_hashes;
	r = auth_db(req, "SELECT council.auth_second_factor($1::bytea, "
	    "$2::bigint, $3::bytea, $4::bytea, make_interval(secs => $5::int), "
	    "make_interval(secs => $6::int), $7, $8::bytea[])", 8, params,
	    state, err, errlen);
	if (r == NULL) {
		OPENSSL_cleanse(tok, sizeof(tok));
		return -1;
	}
	PQclear(r);
	auth_cookie_set(req, 1, NULL, 0);
	auth_cookie_set(req, 0, tok, cfg->session_lifetime);
	OPENSSL_cleanse(tok, sizeof(tok));
	return 0;
}

enum MHD_Result
auth_totp_post(struct http_req *req)
{
	struct auth_pending	 p;
	struct form		 f;
	PGresult		*r;
	const char		*code, *recovery, *params[2];
	unsigned char		 key[TOTP_KEY_MAX];
	size_t			 keylen = 0;
	char			 err[256], tkey[48], step[24], norm[TOTP_RECOVERY_NORM_LEN];
	char			 rhash[65], rhashx[70];
	int64_t			 matched = 0;
	double			 now = util_now_ms();
	int			 ok;
	enum MHD_Result		 ret;

	form_init(&f);
	if ((r = auth_pending_get(req, &p)) == NULL) {
		ret = http_redirect(req, "/signin");
		goto out;
	}
	if (form_parse(&f, req->body.data, req->body.len,
	    err, sizeof(err)) == -1) {
		ret = auth_totp_page(req, 400, "totp.error.invalid");
		goto out;
	}
	snprintf(tkey, sizeof(tkey), "totp:%s", PQgetvalue(r, 0, 0));
	if (throttle_check(auth_throttle, THROTTLE_IP, req->ip, now) > 0 ||
	    throttle_check(auth_throttle, THROTTLE_ACCOUNT, tkey, now) > 0) {
		ret = auth_totp_page(req, 429, "signin.error.throttled");
		goto out;
	}
	code = form_get(&f, "code");
	recovery = form_get(&f, "recovery");
	ok = 0;
	if (code != NULL && *code != '\0') {
		if (totp_base32_decode(PQgetvalue(r, 0, 1), key, sizeof(key),
		    &keylen) == 0 && totp_verify(key, keylen, code, time(NULL),
		    strtoll(PQgetvalue(r, 0, 2), NULL, 10), &matched) == 1) {
			snprintf(step, sizeof(step), "%lld", (long long)matched);
			ok = auth_finish(req, &p, step, NULL, NULL, NULL, err,
			    sizeof(err)) == 0;
		}
	} else if (recovery != NULL && *recovery != '\0') {
		if (totp_recovery_normalise(recovery, norm, sizeof(norm)) == 0) {
			util_sha256_hex(norm, strlen(norm), rhash);
			snprintf(rhashx, sizeof(rhashx), "\\x%s", rhash);
			ok = auth_finish(req, &p, NULL, rhashx, NULL, NULL, err,
			    sizeof(err)) == 0;
		}
	}
	if (!ok) {
		throttle_failure(auth_throttle, THROTTLE_ACCOUNT, tkey, now);
		params[0] = PQgetvalue(r, 0, 0);
		params[1] = code != NULL && *code != '\0' ? "totp" : "recovery";
		PQclear(auth_db(req, "SELECT council.auth_failed($1, $2)", 2,
		    params, NULL, err, sizeof(err)));
		ret = auth_totp_page(req, 401, "totp.error.invalid");
		goto out;
	}
	throttle_success(auth_throttle, THROTTLE_ACCOUNT, tkey);
	ret = http_redirect(req, "/feed");
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(&p, sizeof(p));
	PQclear(r);
	form_free(&f);
	return ret;
}

/* The enrolment page for a new secret (base32, shown in groups of 4). */
static enum MHD_Result
auth_enrol_page(struct http_req *req, unsigned status, const char *secret,
    const char *error)
{
	struct tmpl_vars	*vars = tmpl_vars_new();
	struct buf		 grouped;
	enum MHD_Result		 ret;
	size_t			 i;

	buf_init(&grouped);
	for (i = 0; secret[i] != '\0'; i++) {
		if (i > 0 && i % 4 == 0)
			buf_puts(&grouped, " ");
		buf_append(&grouped, &secret[i], 1);
	}
	tmpl_vars_set(vars, "secret", secret);
	tmpl_vars_set(vars, "secret_grouped", grouped.data);
	if (error != NULL)
		tmpl_vars_set(vars, "error", http_text(req, error));
	ret = http_page(req, status, "enrol.xhtml", vars);
	tmpl_vars_free(vars);
	buf_free(&grouped);
	return ret;
}

enum MHD_Result
auth_enrol_get(struct http_req *req)
{
	struct auth_pending	 p;
	PGresult		*r = auth_pending_get(req, &p);
	char			 secret[TOTP_SECRET_B32_LEN + 1];
	enum MHD_Result		 ret;

	if (r == NULL)
		ret = http_redirect(req, "/signin");
	else if (*PQgetvalue(r, 0, 1) != '\0')
		ret = http_redirect(req, "/signin/totp");
	else if (totp_secret_new(secret, sizeof(secret)) == -1)
		ret = http_error(req, 503, NULL);
	else
		ret = auth_enrol_page(req, 200, secret, NULL);
	PQclear(r);
	OPENSSL_cleanse(&p, sizeof(p));
	OPENSSL_cleanse(secret, sizeof(secret));
	return ret;
}

enum MHD_Result
auth_enrol_post(struct http_req *req)
{
	struct auth_pending	 p;
	struct form		 f;
	struct tmpl_vars	*vars = NULL, *item;
	struct buf		 hashes;
	PGresult		*r;
	const char		*secret, *code;
	unsigned char		 key[TOTP_KEY_MAX];
	size_t			 keylen = 0;
	char			 err[256], step[24];
	char			 codes[AUTH_RECOVERY_CODES][TOTP_RECOVERY_LEN];
	char			 norm[TOTP_RECOVERY_NORM_LEN], h[65];
	int64_t			 matched = 0;
	int			 i;
	enum MHD_Result		 ret;

	form_init(&f);
	buf_init(&hashes);
	if ((r = auth_pending_get(req, &p)) == NULL) {
		ret = http_redirect(req, "/signin");
		goto out;
	}
	if (*PQgetvalue(r, 0, 1) != '\0') {
		ret = http_redirect(req, "/signin/totp");
		goto out;
	}
	if (form_parse(&f, req->body.data, req->body.len,
	    err, sizeof(err)) == -1 ||
	    (secret = form_get(&f, "secret")) == NULL ||
	    strlen(secret) != TOTP_SECRET_B32_LEN ||
	    totp_base32_decode(secret, key, sizeof(key), &keylen) == -1 ||
	    strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") !=
	    TOTP_SECRET_B32_LEN) {
		ret = http_error(req, 400, NULL);
		goto out;
	}
	code = form_get(&f, "code");
	if (code == NULL || totp_verify(key, keylen, code, time(NULL), -1,
	    &matched) != 1) {
		ret = auth_enrol_page(req, 401, secret, "totp.error.invalid");
		goto out;
	}
	buf_puts(&hashes, "{");
	for (i = 0; i < AUTH_RECOVERY_CODES; i++) {
		if (totp_recovery_new(codes[i], sizeof(codes[i])) == -1 ||
		    totp_recovery_normalise(codes[i], norm, sizeof(norm)) == -1) {
			ret = http_error(req, 503, NULL);
			goto out;
		}
		util_sha256_hex(norm, strlen(norm), h);
		buf_printf(&hashes, "%s\"\\\\x%s\"", i ? "," : "", h);
	}
	buf_puts(&hashes, "}");
	snprintf(step, sizeof(step), "%lld", (long long)matched);
	if (auth_finish(req, &p, step, NULL, secret, hashes.data, err,
	    sizeof(err)) == -1) {
		log_info("msg=\"enrolment failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_redirect(req, "/signin");
		goto out;
	}
	vars = tmpl_vars_new();
	for (i = 0; i < AUTH_RECOVERY_CODES; i++) {
		item = tmpl_vars_add_item(vars, "codes");
		tmpl_vars_set(item, "code", codes[i]);
	}
	ret = http_page(req, 200, "recovery.xhtml", vars);
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(codes, sizeof(codes));
	OPENSSL_cleanse(&p, sizeof(p));
	tmpl_vars_free(vars);
	buf_free(&hashes);
	PQclear(r);
	form_free(&f);
	return ret;
}

static enum MHD_Result
auth_signout(struct http_req *req, int everywhere)
{
	struct form	 f;
	struct db_ident	 id = { req->session_hash, req->rid };
	PGresult	*r;
	char		 err[256];
	enum MHD_Result	 ret;

	form_init(&f);
	if (form_parse(&f, req->body.data, req->body.len,
	    err, sizeof(err)) == -1 || !auth_csrf_ok(req, &f)) {
		ret = http_error(req, 403, NULL);
		goto out;
	}
	r = db_run(req->srv->db, req->srv->cfg->db_acquire_timeout_ms, &id,
	    everywhere ? "SELECT council.session_end(true)" :
	    "SELECT council.session_end(false)", 0, NULL, NULL, err,
	    sizeof(err));
	PQclear(r);
	auth_cookie_set(req, 0, NULL, 0);
	ret = http_redirect(req, "/signin");
out:
	form_free(&f);
	return ret;
}

enum MHD_Result
auth_signout_post(struct http_req *req)
{
	return auth_signout(req, 0);
}

enum MHD_Result
auth_signout_all_post(struct http_req *req)
{
	return auth_signout(req, 1);
}
