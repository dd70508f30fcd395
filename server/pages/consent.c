/*
 * consent.c: the consent requests of derived posts (R-SCOPE-4; see
 * consent.h).  A derived post reaches only the intersection with each
 * source's scope until that source's giver consents; the giver decides
 * here.  Nothing is filtered in C: council.my_consents() returns what the
 * consents policy lets the person see.
 */
#include <stdio.h>
#include <string.h>

#include "consent.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "portal.h"
#include "tmpl.h"

/* The list, with error (a refused decision) shown above it. */
static enum MHD_Result
consent_page(struct http_req *req, const struct portal_me *me,
    unsigned status, const char *error)
{
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r;
	char			 err[256], key[48];
	int			 i;
	enum MHD_Result		 ret;

	r = portal_db(req, "SELECT id, post_id, coalesce(post_title, ''), "
	    "source_post_id, coalesce(source_title, ''), status::text, "
	    "to_char(requested_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), "
	    "mine_to_decide, post_title IS NOT NULL FROM council.my_consents()",
	    0, NULL, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"consents failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	portal_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "consents");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, 0));
		/* The giver may not see the derived post (yet): then only
		 * its number is shown, not a link to a 404. */
		if (*PQgetvalue(r, i, 8) == 't') {
			tmpl_vars_setf(item, "post_href", "/posts/%s",
			    PQgetvalue(r, i, 1));
			tmpl_vars_set(item, "post_title", PQgetvalue(r, i, 2));
		} else
			tmpl_vars_setf(item, "post_number", "#%s",
			    PQgetvalue(r, i, 1));
		tmpl_vars_setf(item, "source_href", "/posts/%s",
		    PQgetvalue(r, i, 3));
		tmpl_vars_set(item, "source_title", PQgetvalue(r, i, 4));
		snprintf(key, sizeof(key), "consents.status.%s",
		    PQgetvalue(r, i, 5));
		tmpl_vars_set(item, "status", http_text(req, key));
		tmpl_vars_set(item, "date", PQgetvalue(r, i, 6));
		if (*PQgetvalue(r, i, 7) == 't' &&
		    strcmp(PQgetvalue(r, i, 5), "pending") == 0)
			tmpl_vars_set(item, "decide", "1");
	}
	ret = http_page(req, status, "consents.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

enum MHD_Result
consent_list(struct http_req *req)
{
	struct portal_me	me;
	enum MHD_Result		ret;

	if (!portal_require(req, &me, &ret))
		return ret;
	return consent_page(req, &me, 200, NULL);
}

/*
 * POST /consents (id, decision=grant|refuse): R-SCOPE-4, the giver's
 * decision.  A request the person cannot see answers like an absent one
 * (404); one that is not theirs to decide or already decided: the list
 * again with the reason (403 / 422).
 */
enum MHD_Result
consent_decide(struct http_req *req)
{
	struct portal_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[2], *id, *d;
	char			 err[256], key[300];
	enum MHD_Result		 ret;

	form_init(&f);
	if (!portal_require(req, &me, &ret) || !portal_form(req, &f, &ret))
		goto out;
	id = form_get(&f, "id");
	d = form_get(&f, "decision");
	if (id == NULL || util_id_parse(id) == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if (d == NULL || (strcmp(d, "grant") != 0 && strcmp(d, "refuse") != 0)) {
		ret = consent_page(req, &me, 422,
		    http_text(req, "consents.error.invalid"));
		goto out;
	}
	params[0] = id;
	params[1] = strcmp(d, "grant") == 0 ? "t" : "f";
	r = portal_db(req, "SELECT council.decide_consent($1::bigint, "
	    "$2::boolean)", 2, params, err, sizeof(err));
	if (r == NULL) {
		if (strcmp(err, "consent_not_found") == 0) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		snprintf(key, sizeof(key), "consents.error.%s", err);
		ret = consent_page(req, &me, strcmp(err,
		    "only_the_giver_decides") == 0 ? 403 : 422,
		    strcmp(http_text(req, key), key) != 0 ? http_text(req, key) :
		    http_text(req, "consents.error.invalid"));
		goto out;
	}
	ret = http_redirect(req, "/consents");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}
