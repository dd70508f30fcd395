/*
 * violation.c: violation reports on the portal (see violation.h): the
 * list with the form that reports one, a report's page with the
 * secretariat's two acts (open the recorded access case, close with the
 * outcome), and the JSON API's list.  Every write goes through the JSON
 * API's own call, council.api_violation, so that the page and the API
 * refuse alike; the rest of the API is routes.c's generic rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "confirm.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"
#include "violation.h"

static const char *const violation_kinds[] = { "leak", "scope_breach",
    "misuse" };

/* The reports the caller sees (policy/82_violations.sql decides), newest
 * first; $1 the language. */
static const char VIOLATION_LIST_SQL[] =
    "SELECT v.id, v.kind::text, CASE WHEN $1 = 'en' THEN o.name_en ELSE o.name_ja END, "
    "coalesce(CASE WHEN $1 = 'en' THEN s.name_en ELSE s.name_ja END, ''), "
    CALLER_JST("v.created_at") ", v.closed_at IS NOT NULL, v.access_case_id IS NOT NULL "
    "FROM council.violation_reports v JOIN council.organisations o ON o.id = v.org_id "
    "LEFT JOIN council.organisations s ON s.id = v.subject_org_id "
    "ORDER BY v.id DESC LIMIT 200";

/* The members one may report on, and whether the caller may report (a
 * registered handler or the administrator) or is the secretariat. */
static const char VIOLATION_FORM_SQL[] =
    "SELECT o.id, CASE WHEN $1 = 'en' THEN o.name_en ELSE o.name_ja END, "
    "council.incident_may_touch(), council.current_is_secretariat() "
    "FROM council.organisations o WHERE o.status = 'member' "
    "ORDER BY CASE WHEN $1 = 'en' THEN o.name_en ELSE o.name_ja END";

/* Report $1 as the caller sees it (no row: hidden or absent). */
static const char VIOLATION_HEAD_SQL[] =
    "SELECT v.id, v.kind::text, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, "
    "coalesce(CASE WHEN $2 = 'en' THEN s.name_en ELSE s.name_ja END, ''), "
    CALLER_JST("v.created_at") ", v.description, coalesce(v.access_case_id::text, ''), "
    "coalesce(" CALLER_JST("v.closed_at") ", ''), coalesce(v.outcome, ''), "
    "council.current_is_secretariat(), "
    "(SELECT coalesce(string_agg(p.post_id::text, ',' ORDER BY p.post_id), '') "
    "FROM council.violation_report_posts p WHERE p.report_id = v.id) "
    "FROM council.violation_reports v JOIN council.organisations o ON o.id = v.org_id "
    "LEFT JOIN council.organisations s ON s.id = v.subject_org_id WHERE v.id = $1::bigint";

/* One call of the API's row: $1 what, $2 id, $3 kind, $4 subject, $5
 * description, $6 post numbers (any separators), $7 action, $8 expiry (JST
 * datetime-local), $9 outcome.  NULLs are left out of the request. */
static const char VIOLATION_CALL_SQL[] =
    "SELECT status, body::json->>'error', body::json->>'id' "
    "FROM council.api_violation($1, $2::bigint, json_strip_nulls(json_build_object("
    "'kind', $3::text, 'subject', CASE WHEN $4::text ~ '^[0-9]{1,18}$' THEN $4::bigint END, "
    "'description', $5::text, "
    "'posts', CASE WHEN $1 = 'file' THEN (SELECT coalesce(json_agg(x::bigint), '[]') "
    "FROM regexp_split_to_table(left(coalesce($6::text, ''), 1000), '[^0-9]+') x "
    "WHERE x ~ '^[0-9]{1,18}$') END, "
    "'action', $7::text, 'expires_at', nullif($8::text, '') || ':00+09:00', "
    "'outcome', $9::text))::text)";

static const char *
violation_lang(struct http_req *req)
{
	return req->lang == I18N_EN ? "en" : "ja";
}

/*
 * The list and, for someone who may report, the form: f (when not NULL)
 * shown again as sent, error above it, bad the field it is about.
 */
static enum MHD_Result
violation_list_page(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *error, const struct form *f, const char *bad)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*r = NULL, *o = NULL;
	const char		*params[1] = { violation_lang(req) }, *v;
	char			 err[256], key[32];
	size_t			 k;
	int			 i;
	enum MHD_Result		 ret;

	if ((r = caller_db(req, VIOLATION_LIST_SQL, 1, params, err,
	    sizeof(err))) == NULL || (o = caller_db(req, VIOLATION_FORM_SQL, 1,
	    params, err, sizeof(err))) == NULL) {
		log_error("msg=\"violations failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	if (bad != NULL) {
		snprintf(key, sizeof(key), "bad_%s", bad);
		tmpl_vars_set(vars, key, "true");
	}
	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, "reports");
		tmpl_vars_setf(it, "href", "/violations/%s", PQgetvalue(r, i, 0));
		tmpl_vars_setf(it, "label", "#%s", PQgetvalue(r, i, 0));
		tmpl_vars_set(it, "kind", http_text_of(req, "violation.kind",
		    PQgetvalue(r, i, 1), NULL));
		tmpl_vars_set(it, "org", PQgetvalue(r, i, 2));
		tmpl_vars_set(it, "subject", PQgetvalue(r, i, 3));
		tmpl_vars_set(it, "date", PQgetvalue(r, i, 4));
		tmpl_vars_set(it, "state", http_text(req, *PQgetvalue(r, i, 5) ==
		    't' ? "violation.state.closed" : *PQgetvalue(r, i, 6) == 't' ?
		    "violation.state.case" : "violation.state.open"));
	}
	if (PQntuples(o) > 0 && *PQgetvalue(o, 0, 2) == 't')
		tmpl_vars_set(vars, "may_report", "1");
	v = f != NULL ? form_get(f, "kind") : NULL;
	for (k = 0; k < UTIL_ARRAY_LEN(violation_kinds); k++) {
		it = tmpl_vars_add_item(vars, "kinds");
		tmpl_vars_set(it, "value", violation_kinds[k]);
		tmpl_vars_set(it, "label", http_text_of(req, "violation.kind",
		    violation_kinds[k], NULL));
		if (v != NULL && strcmp(v, violation_kinds[k]) == 0)
			tmpl_vars_set(it, "selected", "selected");
	}
	v = f != NULL ? form_get(f, "subject") : NULL;
	for (i = 0; i < PQntuples(o); i++) {
		it = tmpl_vars_add_item(vars, "members");
		tmpl_vars_set(it, "value", PQgetvalue(o, i, 0));
		tmpl_vars_set(it, "label", PQgetvalue(o, i, 1));
		if (v != NULL && strcmp(v, PQgetvalue(o, i, 0)) == 0)
			tmpl_vars_set(it, "selected", "selected");
	}
	if (f != NULL && (v = form_get(f, "description")) != NULL)
		tmpl_vars_set(vars, "description", v);
	if (f != NULL && (v = form_get(f, "posts")) != NULL)
		tmpl_vars_set(vars, "posts", v);
	ret = http_page(req, status, "violations.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(o);
	PQclear(r);
	return ret;
}

enum MHD_Result
violation_list(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return violation_list_page(req, &me, 200, NULL, NULL, NULL);
}

/* Call council.api_violation with what f sent; NULL and err on a
 * database failure. */
static PGresult *
violation_call(struct http_req *req, const struct form *f, const char *what,
    const char *id, char *err, size_t errlen)
{
	const char	*params[9];

	params[0] = what;
	params[1] = id;
	params[2] = form_get(f, "kind");
	params[3] = form_get(f, "subject");
	params[4] = form_get(f, "description");
	params[5] = form_get(f, "posts");
	params[6] = form_get(f, "action");
	params[7] = form_get(f, "expires");
	params[8] = form_get(f, "outcome");
	return caller_db(req, VIOLATION_CALL_SQL, 9, params, err, errlen);
}

/* The field a refusal code is about, or NULL. */
static const char *
violation_bad_field(const char *code)
{
	if (strcmp(code, "invalid_description") == 0)
		return "description";
	if (strcmp(code, "post_not_found") == 0 ||
	    strcmp(code, "invalid_posts") == 0)
		return "posts";
	if (strcmp(code, "invalid_subject") == 0)
		return "subject";
	if (strcmp(code, "invalid_request") == 0)
		return "kind";
	return NULL;
}

/*
 * POST /violations (kind, subject, description, posts): R-VIOL-1, through
 * council.api_violation; refused: the form again as sent, the field
 * marked.
 */
enum MHD_Result
violation_file(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	char			 err[256], loc[64];
	const char		*code;
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	if ((r = violation_call(req, &f, "file", NULL, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"violation file failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st >= 300) {
		code = PQgetvalue(r, 0, 1);
		ret = violation_list_page(req, &me, st == 403 ? 403 : 422,
		    http_text_of(req, "violation.error", code,
		    "violation.error.invalid"), &f, violation_bad_field(code));
		goto out;
	}
	snprintf(loc, sizeof(loc), "/violations/%s", PQgetvalue(r, 0, 2));
	ret = http_redirect_done(req, loc, "violation.filed");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* Report n's page (404 when hidden or absent, as an absent id), error
 * above it, f the refused form's values. */
static enum MHD_Result
violation_page(struct http_req *req, const struct caller_me *me, long long n,
    unsigned status, const char *error, const struct form *f)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*h = NULL;
	const char		*params[2], *v;
	char			 err[256], id[24], *posts = NULL, *p, *save;
	enum MHD_Result		 ret;

	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	params[1] = violation_lang(req);
	if ((h = caller_db(req, VIOLATION_HEAD_SQL, 2, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"violation failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(h) == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	tmpl_vars_set(vars, "id", id);
	tmpl_vars_setf(vars, "action", "/violations/%s", id);
	tmpl_vars_set(vars, "kind", http_text_of(req, "violation.kind",
	    PQgetvalue(h, 0, 1), NULL));
	tmpl_vars_set(vars, "org", PQgetvalue(h, 0, 2));
	if (*PQgetvalue(h, 0, 3) != '\0')
		tmpl_vars_set(vars, "subject", PQgetvalue(h, 0, 3));
	tmpl_vars_set(vars, "date", PQgetvalue(h, 0, 4));
	tmpl_vars_set(vars, "description", PQgetvalue(h, 0, 5));
	if (*PQgetvalue(h, 0, 6) != '\0')
		tmpl_vars_setf(vars, "case_href", "/access-cases/%s",
		    PQgetvalue(h, 0, 6));
	if (*PQgetvalue(h, 0, 7) != '\0') {
		tmpl_vars_set(vars, "closed", PQgetvalue(h, 0, 7));
		tmpl_vars_set(vars, "outcome", PQgetvalue(h, 0, 8));
	} else if (*PQgetvalue(h, 0, 9) == 't') {
		tmpl_vars_set(vars, "may_close", "1");
		if (*PQgetvalue(h, 0, 6) == '\0' && *PQgetvalue(h, 0, 10) != '\0')
			tmpl_vars_set(vars, "may_open_case", "1");
	}
	/* The posts named, by number; the post page decides who reads it. */
	if ((posts = strdup(PQgetvalue(h, 0, 10))) == NULL) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	for (p = strtok_r(posts, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		it = tmpl_vars_add_item(vars, "posts");
		tmpl_vars_setf(it, "href", "/posts/%s", p);
		tmpl_vars_setf(it, "label", "#%s", p);
	}
	if (f != NULL && (v = form_get(f, "expires")) != NULL)
		tmpl_vars_set(vars, "expires", v);
	if (f != NULL && (v = form_get(f, "outcome")) != NULL)
		tmpl_vars_set(vars, "outcome_sent", v);
	ret = http_page(req, status, "violation.xhtml", vars);
out:
	free(posts);
	tmpl_vars_free(vars);
	PQclear(h);
	return ret;
}

enum MHD_Result
violation_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return violation_page(req, &me, req->id, 200, NULL, NULL);
}

/* Whether report id is visible, open and the caller's to close: then
 * closing is asked first; otherwise the act answers (404, or why not). */
static int
violation_closable(struct http_req *req, const char *id)
{
	PGresult	*r;
	const char	*params[1] = { id };
	char		 err[256];
	int		 yes;

	r = caller_db(req, "SELECT 1 FROM council.violation_reports "
	    "WHERE id = $1::bigint AND closed_at IS NULL "
	    "AND council.current_is_secretariat()", 1, params, err,
	    sizeof(err));
	yes = r != NULL && PQntuples(r) == 1;
	PQclear(r);
	return yes;
}

/* What closing asks first (confirm.h): it cannot be undone. */
static const char *const violation_carry[] = { "action", "outcome", NULL };

/*
 * POST /violations/N (action = open_case (expires) | close (outcome),
 * asked first): the secretariat's, through council.api_violation.  A
 * hidden report answers like an absent one (404).
 */
enum MHD_Result
violation_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct confirm_ask	 ask = { NULL, "confirm.violation.heading",
				     "confirm.violation.consequence",
				     "violation.close", NULL, NULL,
				     violation_carry };
	PGresult		*r = NULL;
	const char		*a;
	char			 err[256], id[24], loc[64];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", req->id);
	snprintf(loc, sizeof(loc), "/violations/%lld", req->id);
	a = form_get(&f, "action");
	if (a != NULL && strcmp(a, "close") == 0 && !confirm_given(&f) &&
	    violation_closable(req, id)) {
		ask.action = loc;
		ask.back = loc;
		ret = confirm_page(req, &me, &f, &ask);
		goto out;
	}
	if ((r = violation_call(req, &f, "act", id, err, sizeof(err))) ==
	    NULL) {
		log_error("msg=\"violation act failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st == 404) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if (st >= 300) {
		ret = violation_page(req, &me, req->id, st == 403 ? 403 : 422,
		    http_text_of(req, "violation.error", PQgetvalue(r, 0, 1),
		    "violation.error.invalid"), &f);
		goto out;
	}
	ret = http_redirect_done(req, loc, a != NULL && strcmp(a, "close") ==
	    0 ? "violation.closed" : "violation.case");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
violation_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.violations_for_me()::text",
	    0, NULL);
}
