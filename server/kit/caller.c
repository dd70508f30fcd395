/*
 * caller.c: who is asking (see caller.h).  Every read goes through db_run
 * with the request's identity; what comes back is what row-level security
 * let through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caller.h"
#include "credential.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

PGresult *
caller_db(struct http_req *req, const char *sql, int n,
    const char *const *params, char *err, size_t errlen)
{
	struct db_ident	id = { req->session_hash, req->rid, &req->db_trips };

	return db_run(req->srv->db, req->srv->cfg->db_acquire_timeout_ms, &id,
	    sql, n, params, NULL, err, errlen);
}

/*
 * Who is asking, in the request's language; also records activity for the
 * idle time-out.  A signed-in request takes the person's language
 * (people.lang, set on /settings or by the language switch) unless ?lang=
 * asked for one, which is then kept as theirs.  Returns 1
 * signed in, 0 not (no session, expired, revoked...), -1 database trouble.
 */
static const char CALLER_WHOAMI_SQL[] =
    "SELECT p.name_ja, p.name_en, o.name_ja, o.name_en, "
    "council.session_touch(), p.lang, p.is_org_admin FROM council.me m "
    "JOIN council.people p ON p.id = m.person_id "
    "JOIN council.organisations o ON o.id = m.org_id";

/*
 * Issue 17 (the language choice persists): the language a signed-in
 * person picks with ?lang= on a page (GET: the header's switch) becomes
 * their own, on
 * every page and every device from now on, as if set on /settings
 * (audited there).  Best effort: a failure is logged, the page goes on.
 */
static void
caller_keep_lang(struct http_req *req)
{
	const char	*params[1];
	char		 err[256];
	PGresult	*r;

	params[0] = i18n_lang_code(req->lang);
	if ((r = caller_db(req, "SELECT council.set_my_settings($1)", 1,
	    params, err, sizeof(err))) == NULL)
		log_error("msg=\"language not kept\" rid=%s error=\"%s\"",
		    req->rid, err);
	PQclear(r);
}

/* me from CALLER_WHOAMI_SQL's result r (cleared here): 1 or 0. */
static int
caller_whoami_read(struct http_req *req, struct caller_me *me, PGresult *r)
{
	int	en, rc, l = -1;

	rc = PQntuples(r) == 1;
	if (rc) {
		/* The person's own language (/settings, or the last switch)
		 * unless the URL asks for another (?lang=), which then
		 * becomes theirs. */
		l = i18n_lang_parse(PQgetvalue(r, 0, 5));
		if (!req->lang_from_query && l >= 0)
			req->lang = (enum i18n_lang)l;
		en = req->lang == I18N_EN;
		me->org_admin = *PQgetvalue(r, 0, 6) == 't';
		snprintf(me->name, sizeof(me->name), "%s",
		    PQgetvalue(r, 0, en ? 1 : 0));
		snprintf(me->org, sizeof(me->org), "%s",
		    PQgetvalue(r, 0, en ? 3 : 2));
	}
	PQclear(r);
	/* The switch is a link (GET); a form posted to a URL with ?lang=
	 * answers in that language and changes no setting. */
	if (rc && req->lang_from_query && req->method == HTTP_GET &&
	    l != (int)req->lang)
		caller_keep_lang(req);
	return rc;
}

static int
caller_whoami(struct http_req *req, struct caller_me *me)
{
	PGresult	*r;
	char		 err[256];

	if (req->session_hash[0] == '\0')
		return 0;
	r = caller_db(req, CALLER_WHOAMI_SQL, 0, NULL, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"whoami failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		return -1;
	}
	return caller_whoami_read(req, me, r);
}

/*
 * A signed-in page's reads in one round trip (caller.h): the identity,
 * then s[0..n) in the same pipeline and transaction.  A statement that
 * runs for nobody sees nothing (row-level security), and its result is
 * thrown away unanswered.
 */
int
caller_page_db(struct http_req *req, struct caller_me *me,
    struct db_stmt *s, int n, enum MHD_Result *ret)
{
	struct db_ident	id = { req->session_hash, req->rid, &req->db_trips };
	struct db_stmt	all[DB_BATCH_MAX];
	char		err[256];
	int		i, who;

	for (i = 0; i < n; i++) {
		s[i].result = NULL;
		s[i].sqlstate[0] = s[i].err[0] = '\0';
	}
	if (req->session_hash[0] == '\0') {
		*ret = http_redirect(req, "/signin");
		return 0;
	}
	if (n < 0 || n > DB_BATCH_MAX - 1) {
		log_error("msg=\"page batch too long\" rid=%s n=%d", req->rid,
		    n);
		*ret = http_error(req, 500, NULL);
		return 0;
	}
	memset(&all[0], 0, sizeof(all[0]));
	all[0].sql = CALLER_WHOAMI_SQL;
	if (n > 0)
		memcpy(&all[1], s, (size_t)n * sizeof(*s));
	if (db_run_batch(req->srv->db, req->srv->cfg->db_acquire_timeout_ms,
	    &id, all, n + 1, err, sizeof(err)) == -1 && all[0].result == NULL) {
		log_error("msg=\"whoami failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		*ret = http_error(req, 503, NULL);
		goto fail;
	}
	who = caller_whoami_read(req, me, all[0].result);
	if (who != 1) {
		*ret = http_redirect(req, "/signin");
		goto fail;
	}
	if (n > 0)
		memcpy(s, &all[1], (size_t)n * sizeof(*s));
	return 1;
fail:
	for (i = 1; i <= n; i++)
		PQclear(all[i].result);
	return 0;
}

/* Who is asking, for pages that anyone may see (caller.h). */
int
caller_identify(struct http_req *req, struct caller_me *me)
{
	return caller_whoami(req, me);
}

/* Layout variables of a signed-in page. */
void
caller_frame(struct http_req *req, struct tmpl_vars *vars,
    const struct caller_me *me)
{
	tmpl_vars_set(vars, "signed_in", "1");
	if (me->org_admin)
		tmpl_vars_set(vars, "me_org_admin", "1");
	tmpl_vars_set(vars, "me_name", me->name);
	tmpl_vars_set(vars, "me_org", me->org);
	tmpl_vars_set(vars, "csrf_token", req->csrf);
}

/*
 * Every member page starts here: 1 when the request is signed in (me is
 * filled); otherwise 0 with *ret already answered (303 to /signin, or 503
 * when the database did not answer).
 */
int
caller_require(struct http_req *req, struct caller_me *me,
    enum MHD_Result *ret)
{
	return caller_page_db(req, me, NULL, 0, ret);
}

/*
 * A signed-in form: parse the body into f and check its form token.
 * Returns 1, or 0 with *ret answered (400 malformed, 403 bad token).
 */
int
caller_form(struct http_req *req, struct form *f, enum MHD_Result *ret)
{
	char	err[256];

	if (form_parse(f, req->body.data, req->body.len, err,
	    sizeof(err)) == -1) {
		*ret = http_error(req, 400, NULL);
		return 0;
	}
	if (!credential_csrf_ok(req, f)) {
		*ret = http_error(req, 403, NULL);
		return 0;
	}
	return 1;
}

/* A positive post id from the query string, or 0 when absent; -1 bad. */
long long
caller_id_arg(struct http_req *req, const char *name)
{
	const char	*v = http_query(req, name);
	char		*end;
	long long	 n;

	if (v == NULL || *v == '\0')
		return 0;
	if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 18)
		return -1;
	n = strtoll(v, &end, 10);
	return n > 0 ? n : -1;
}

const char *
caller_rule_name(struct http_req *req, const char *code, const char *version,
    char *buf, size_t buflen)
{
	snprintf(buf, buflen, "%s.%s", code, version);
	return http_text_of(req, "rule", buf, NULL);
}
