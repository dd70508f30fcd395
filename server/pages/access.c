/*
 * access.c: the secretariat's access cases, pages and API (see access.h).
 * Nothing is filtered in C: the cases come through access_cases_visible,
 * a case's posts through the posts' own policies, and the page's forms go
 * through the API's own council.api_access_case call (R-ORG-6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "api.h"
#include "caller.h"
#include "confirm.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

/* What closing asks first (confirm.h): it cannot be undone. */
static const char *const access_carry[] = { "action", NULL };

/* "name (organisation)" of the person columns name and org, into vars'
 * key; nothing when the case names nobody there. */
static void
access_person(struct tmpl_vars *vars, const char *key, const PGresult *r,
    int row, int col)
{
	if (PQgetisnull(r, row, col))
		return;
	tmpl_vars_setf(vars, key, "%s (%s)", PQgetvalue(r, row, col),
	    PQgetvalue(r, row, col + 1));
}

/*
 * The cases the person sees, newest first, and for the secretariat the
 * form that opens one.  error, when not NULL, is shown above the form;
 * f, when not NULL, is the refused form, shown again as it was sent
 * (issue 17), and bad the field the error is about ("reason", "posts",
 * "expires"), marked invalid and pointed at the error.
 */
static enum MHD_Result
access_list_page(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *error, const struct form *f, const char *bad)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*r = NULL, *w = NULL;
	const char		*params[1], *v;
	char			 err[256], key[32];
	int			 i;
	enum MHD_Result		 ret;

	params[0] = req->lang == I18N_EN ? "en" : "ja";
	r = caller_db(req, "SELECT c.id, council.access_case_state(c), c.reason, "
	    "x.p->>('name_' || $1), x.p->>('org_' || $1), "
	    CALLER_JST("c.created_at") ", " CALLER_JST("c.expires_at") ", "
	    "(SELECT count(*) FROM council.access_case_posts cp "
	    "WHERE cp.case_id = c.id) "
	    "FROM council.access_cases c CROSS JOIN LATERAL (SELECT "
	    "council.access_case_person(c.id, c.granted_to) AS p) x "
	    "ORDER BY c.id DESC LIMIT 200", 1, params, err, sizeof(err));
	if (r != NULL)
		w = caller_db(req, "SELECT coalesce((SELECT me.is_secretariat "
		    "FROM council.me), false), to_char((now() + interval "
		    "'7 days') AT TIME ZONE 'Asia/Tokyo', "
		    "'YYYY-MM-DD\"T\"HH24:MI')", 0, NULL, err, sizeof(err));
	if (r == NULL || w == NULL) {
		log_error("msg=\"access cases failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	/* R-ORG-6: only the secretariat opens a case (the database says so
	 * again when the form is sent). */
	if (*PQgetvalue(w, 0, 0) == 't')
		tmpl_vars_set(vars, "may_open", "1");
	tmpl_vars_set(vars, "expires", PQgetvalue(w, 0, 1));
	tmpl_vars_set(vars, "posts_describedby", bad != NULL &&
	    strcmp(bad, "posts") == 0 ? "access-posts-help access-error" :
	    "access-posts-help");
	if (f != NULL) {
		if ((v = form_get(f, "reason")) != NULL)
			tmpl_vars_set(vars, "reason", v);
		if ((v = form_get(f, "posts")) != NULL)
			tmpl_vars_set(vars, "posts", v);
		if ((v = form_get(f, "expires")) != NULL)
			tmpl_vars_set(vars, "expires", v);
		if (bad != NULL) {
			snprintf(key, sizeof(key), "bad_%s", bad);
			tmpl_vars_set(vars, key, "true");
			snprintf(key, sizeof(key), "bad_%s_ref", bad);
			tmpl_vars_set(vars, key, "access-error");
		}
	}
	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, "cases");
		tmpl_vars_setf(it, "href", "/access-cases/%s",
		    PQgetvalue(r, i, 0));
		tmpl_vars_setf(it, "label", "#%s", PQgetvalue(r, i, 0));
		tmpl_vars_set(it, "state", http_text_of(req, "access.state",
		    PQgetvalue(r, i, 1), NULL));
		tmpl_vars_set(it, "reason", PQgetvalue(r, i, 2));
		access_person(it, "grantee", r, i, 3);
		tmpl_vars_set(it, "created", PQgetvalue(r, i, 5));
		tmpl_vars_set(it, "expires", PQgetvalue(r, i, 6));
		tmpl_vars_set(it, "nposts", PQgetvalue(r, i, 7));
	}
	ret = http_page(req, status, "access_cases.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(w);
	PQclear(r);
	return ret;
}

enum MHD_Result
access_list(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return access_list_page(req, &me, 200, NULL, NULL, NULL);
}

/*
 * POST /access-cases (reason, posts: numbers separated by spaces or
 * commas, expires: JST datetime-local): R-ORG-6, the secretariat opens a
 * case through council.api_access_case; refused: the list again with the
 * form as sent and the reason; opened: the case's page.
 */
enum MHD_Result
access_open(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[3], *e;
	char			 err[256], where[48];
	unsigned		 status;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	params[0] = form_get(&f, "reason");
	params[1] = form_get(&f, "posts");
	params[2] = form_get(&f, "expires");
	/* The posts are split at spaces, commas (ASCII and Japanese) and
	 * "#"; a word that is not a number stays a string, which the row
	 * refuses as invalid_posts. */
	r = caller_db(req, "SELECT status, body::json->>'error', "
	    "body::json->>'id' FROM council.api_access_case('open', NULL, "
	    "json_strip_nulls(json_build_object('reason', $1::text, "
	    "'posts', (SELECT json_agg(CASE WHEN w ~ '^[0-9]{1,18}$' "
	    "THEN to_json(w::bigint) ELSE to_json(w) END) "
	    "FROM regexp_split_to_table($2::text, '[[:space:],#' || "
	    "chr(12289) || chr(65292) || chr(65283) || ']+') w "
	    "WHERE w <> ''), "
	    "'expires_at', nullif($3::text, '') || ':00+09:00'))::text)",
	    3, params, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"access case open failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	status = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (status >= 300) {
		e = PQgetvalue(r, 0, 1);
		/* A post that does not exist is the form's error, not a
		 * missing page. */
		ret = access_list_page(req, &me, status == 404 ? 422 : status,
		    http_text_of(req, "access.error", e, "access.error.refused"),
		    &f, strcmp(e, "invalid_reason") == 0 ? "reason" :
		    strcmp(e, "invalid_posts") == 0 ||
		    strcmp(e, "post_not_found") == 0 ? "posts" :
		    strcmp(e, "invalid_expires_at") == 0 ? "expires" : NULL);
		goto out;
	}
	snprintf(where, sizeof(where), "/access-cases/%s", PQgetvalue(r, 0, 2));
	ret = http_redirect_done(req, where, "access.opened");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/*
 * Case req->id as the person sees it: its reason, the posts it names
 * (linked only when the person may read them), who opened, approved and
 * closed it and when, its expiry, and the approve and close buttons the
 * person is offered.  A case the person does not see answers exactly like
 * an absent one (404).  error, when not NULL, is shown at the top.
 */
static enum MHD_Result
access_case_page(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *error)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*r = NULL;
	const char		*params[2];
	char			 err[256], id[24];
	int			 i;
	enum MHD_Result		 ret;

	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = id;
	params[1] = req->lang == I18N_EN ? "en" : "ja";
	r = caller_db(req, "SELECT j->>'state', j->>'reason', "
	    "j->'granted_to'->>('name_' || $2), j->'granted_to'->>('org_' || $2), "
	    CALLER_JST("j->>'created_at'") ", "
	    "j->'approved_by'->>('name_' || $2), j->'approved_by'->>('org_' || $2), "
	    CALLER_JST("j->>'approved_at'") ", " CALLER_JST("j->>'expires_at'") ", "
	    "j->'closed_by'->>('name_' || $2), j->'closed_by'->>('org_' || $2), "
	    CALLER_JST("j->>'closed_at'") ", j->>'may_approve', j->>'may_close', "
	    "e->>'id', e->>'title' "
	    "FROM (SELECT council.access_case($1::bigint) AS j) x "
	    "LEFT JOIN LATERAL json_array_elements(x.j->'posts') e ON true",
	    2, params, err, sizeof(err));
	if (r == NULL) {
		if (strcmp(err, "access_case_not_found") == 0) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		log_error("msg=\"access case failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	tmpl_vars_set(vars, "id", id);
	tmpl_vars_setf(vars, "action", "/access-cases/%s", id);
	tmpl_vars_set(vars, "state", http_text_of(req, "access.state",
	    PQgetvalue(r, 0, 0), NULL));
	tmpl_vars_set(vars, "reason", PQgetvalue(r, 0, 1));
	access_person(vars, "grantee", r, 0, 2);
	tmpl_vars_set(vars, "created", PQgetvalue(r, 0, 4));
	access_person(vars, "approver", r, 0, 5);
	if (!PQgetisnull(r, 0, 7))
		tmpl_vars_set(vars, "approved", PQgetvalue(r, 0, 7));
	tmpl_vars_set(vars, "expires", PQgetvalue(r, 0, 8));
	access_person(vars, "closer", r, 0, 9);
	if (!PQgetisnull(r, 0, 11))
		tmpl_vars_set(vars, "closed", PQgetvalue(r, 0, 11));
	if (strcmp(PQgetvalue(r, 0, 12), "true") == 0)
		tmpl_vars_set(vars, "may_approve", "1");
	if (strcmp(PQgetvalue(r, 0, 13), "true") == 0)
		tmpl_vars_set(vars, "may_close", "1");
	for (i = 0; i < PQntuples(r); i++) {
		if (PQgetisnull(r, i, 14))
			continue;
		it = tmpl_vars_add_item(vars, "posts");
		tmpl_vars_setf(it, "number", "#%s", PQgetvalue(r, i, 14));
		/* R-ORG-6: a link and a title only for a post the person
		 * may read (the posts' policies gave its title). */
		if (!PQgetisnull(r, i, 15)) {
			tmpl_vars_setf(it, "href", "/posts/%s",
			    PQgetvalue(r, i, 14));
			tmpl_vars_set(it, "title", PQgetvalue(r, i, 15));
		}
	}
	ret = http_page(req, status, "access_case.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

enum MHD_Result
access_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return access_case_page(req, &me, 200, NULL);
}

/*
 * POST /access-cases/N (action = approve | close): through
 * council.api_access_case.  Closing cannot be undone: asked first
 * (confirm.h), when the person sees the case open; otherwise the call
 * answers.  A hidden case: 404 like an absent one; refused: the case's
 * page with the reason and the API's status.
 */
enum MHD_Result
access_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct confirm_ask	 ask;
	PGresult		*r = NULL;
	const char		*params[2], *a;
	char			 err[256], id[24], where[48];
	unsigned		 status;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", req->id);
	snprintf(where, sizeof(where), "/access-cases/%s", id);
	params[0] = id;
	params[1] = a = form_get(&f, "action");
	if (a != NULL && strcmp(a, "close") == 0 && !confirm_given(&f)) {
		r = caller_db(req, "SELECT c.reason FROM council.access_cases c "
		    "WHERE c.id = $1::bigint AND c.closed_at IS NULL", 1, params,
		    err, sizeof(err));
		if (r != NULL && PQntuples(r) == 1) {
			ask = (struct confirm_ask){ where,
			    "confirm.access_case.heading",
			    "confirm.access_case.consequence", "access.close",
			    PQgetvalue(r, 0, 0), where, access_carry };
			ret = confirm_page(req, &me, &f, &ask);
			goto out;
		}
		PQclear(r);
		r = NULL;
	}
	r = caller_db(req, "SELECT status, body::json->>'error' FROM "
	    "council.api_access_case('act', $1::bigint, "
	    "json_build_object('action', $2::text)::text)", 2, params, err,
	    sizeof(err));
	if (r == NULL) {
		log_error("msg=\"access case act failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	status = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (status == 404) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if (status >= 300) {
		ret = access_case_page(req, &me, status, http_text_of(req,
		    "access.error", PQgetvalue(r, 0, 1), "access.error.refused"));
		goto out;
	}
	ret = http_redirect_done(req, where, a != NULL &&
	    strcmp(a, "close") == 0 ? "access.closed" : "access.approved");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
access_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.access_cases_for_me()::text",
	    0, NULL);
}
