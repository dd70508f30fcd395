/*
 * coop.c: requests for cooperation, page and API (see coop.h).  Nothing
 * is filtered in C: the requests come through coop_requests_visible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "coop.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "tmpl.h"

/* The list, with error (a refused answer) above it. */
static enum MHD_Result
coop_page(struct http_req *req, const struct caller_me *me, unsigned status,
    const char *error)
{
	struct tmpl_vars	*vars = NULL, *item, *sub;
	PGresult		*r = NULL, *p = NULL;
	char			 err[256];
	int			 i, j;
	enum MHD_Result		 ret;

	r = caller_db(req, "SELECT q.id, q.trigger::text, q.purpose, q.scope, "
	    "to_char(q.issued_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), "
	    "q.withdrawn_at IS NOT NULL, q.addressee_org_id IS NULL, "
	    "(SELECT string_agg(a.post_id::text, ',' ORDER BY a.linked_at) "
	    "FROM council.coop_answers a WHERE a.request_id = q.id) "
	    "FROM council.coop_requests q ORDER BY q.issued_at DESC, q.id DESC "
	    "LIMIT 100", 0, NULL, err, sizeof(err));
	if (r != NULL)
		p = caller_db(req, "SELECT x.id, x.title FROM council.posts x "
		    "JOIN council.post_authors a ON a.post_id = x.id "
		    "WHERE a.org_id = (SELECT me.org_id FROM council.me) "
		    "ORDER BY x.id DESC LIMIT 50", 0, NULL, err, sizeof(err));
	if (r == NULL || p == NULL) {
		log_error("msg=\"cooperation failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "requests");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, 0));
		tmpl_vars_set(item, "trigger", http_text_of(req, "coop.trigger",
		    PQgetvalue(r, i, 1), NULL));
		tmpl_vars_set(item, "purpose", PQgetvalue(r, i, 2));
		tmpl_vars_set(item, "scope", PQgetvalue(r, i, 3));
		tmpl_vars_set(item, "date", PQgetvalue(r, i, 4));
		tmpl_vars_set(item, "addressee", http_text(req,
		    *PQgetvalue(r, i, 6) == 't' ? "coop.to_every_member" :
		    "coop.to_you"));
		if (!PQgetisnull(r, i, 7))
			tmpl_vars_set(item, "answers", PQgetvalue(r, i, 7));
		if (*PQgetvalue(r, i, 5) == 't')
			tmpl_vars_set(item, "withdrawn", "1");
		else if (PQntuples(p) > 0) {
			tmpl_vars_set(item, "answerable", "1");
			for (j = 0; j < PQntuples(p); j++) {
				sub = tmpl_vars_add_item(item, "posts");
				tmpl_vars_set(sub, "post_id", PQgetvalue(p, j, 0));
				tmpl_vars_setf(sub, "post_label", "#%s %s",
				    PQgetvalue(p, j, 0), PQgetvalue(p, j, 1));
			}
		}
	}
	ret = http_page(req, status, "cooperation.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(p);
	PQclear(r);
	return ret;
}

enum MHD_Result
coop_list(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return coop_page(req, &me, 200, NULL);
}

/*
 * POST /cooperation (request, post): R-COOP-1, answer with an own post.
 * A request the person cannot see answers like an absent one (404);
 * another organisation's post or a withdrawn request: the list again with
 * the reason (403 / 422).
 */
enum MHD_Result
coop_answer(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[2];
	char			 err[256];
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	params[0] = form_get(&f, "request");
	params[1] = form_get(&f, "post");
	if (params[0] == NULL || util_id_parse(params[0]) == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if (params[1] == NULL || util_id_parse(params[1]) == 0) {
		ret = coop_page(req, &me, 422, http_text(req,
		    "coop.error.invalid_post"));
		goto out;
	}
	r = caller_db(req, "SELECT council.coop_answer($1::bigint, $2::bigint)",
	    2, params, err, sizeof(err));
	if (r == NULL) {
		if (strcmp(err, "request_not_found") == 0) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		ret = coop_page(req, &me, strcmp(err, "only_own_posts") == 0 ||
		    strcmp(err, "request_not_addressed_to_you") == 0 ? 403 : 422,
		    http_text_of(req, "coop.error", err,
		    "coop.error.invalid_post"));
		goto out;
	}
	ret = http_redirect_done(req, "/cooperation", "coop.answered");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
coop_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.coop_requests_for_me()"
	    "::text", 0, NULL);
}

