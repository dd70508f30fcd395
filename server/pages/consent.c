/*
 * consent.c: the consent requests of derived posts (R-SCOPE-4; see
 * consent.h).  A derived post reaches only the intersection with each
 * source's scope until that source's giver consents; the giver decides
 * here.  Nothing is filtered in C: council.my_consents() returns what the
 * consents policy lets the person see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "confirm.h"
#include "consent.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "tmpl.h"

/* What a decision asks first (confirm.h): it cannot be undone. */
static const char *const consent_carry[] = { "id", "decision", NULL };
static const struct confirm_ask consent_ask_grant = {
	"/consents", "confirm.consent.grant.heading",
	"confirm.consent.grant.consequence", "consents.grant", NULL,
	"/consents", consent_carry
};
static const struct confirm_ask consent_ask_refuse = {
	"/consents", "confirm.consent.refuse.heading",
	"confirm.consent.refuse.consequence", "consents.refuse", NULL,
	"/consents", consent_carry
};

/* The list, with error (a refused decision) shown above it. */
static enum MHD_Result
consent_page(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *error)
{
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r;
	char			 err[256], key[48];
	int			 i;
	enum MHD_Result		 ret;

	r = caller_db(req, "SELECT id, post_id, coalesce(post_title, ''), "
	    "coalesce(source_post_id, source_incident_id), "
	    "coalesce(source_title, incident_title, ''), status::text, "
	    "to_char(requested_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), "
	    "mine_to_decide, post_title IS NOT NULL, "
	    "source_incident_id IS NOT NULL FROM council.my_consents()",
	    0, NULL, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"consents failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
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
		/* Issue 13 item 5: the source is a post or, for a
		 * warning, the caller's incident report. */
		tmpl_vars_setf(item, "source_href", *PQgetvalue(r, i, 9) ==
		    't' ? "/incidents/%s" : "/posts/%s", PQgetvalue(r, i, 3));
		if (*PQgetvalue(r, i, 9) == 't')
			tmpl_vars_set(item, "from_report", "1");
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
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return consent_page(req, &me, 200, NULL);
}

/*
 * POST /consents (id, decision=grant|refuse, confirm=yes): R-SCOPE-4, the
 * giver's decision.  Without confirm=yes a pending request of the
 * person's asks first and changes nothing (issue 17).  A request the
 * person cannot see answers like an absent one (404); one that is not
 * theirs to decide or already decided: the list again with the reason
 * (403 / 422).
 */
enum MHD_Result
consent_decide(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	struct confirm_ask	 ask;
	const char		*params[2], *id, *d;
	char			 err[256], key[300];
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
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
	/* Issue 17: a decision cannot be undone; asked first, when it is
	 * this person's to take (otherwise the call below says why not). */
	if (!confirm_given(&f)) {
		r = caller_db(req, "SELECT coalesce(post_title, source_title) "
		    "FROM council.my_consents() WHERE id = $1::bigint AND "
		    "mine_to_decide AND status = 'pending'", 1, params, err,
		    sizeof(err));
		if (r != NULL && PQntuples(r) == 1) {
			ask = strcmp(d, "grant") == 0 ? consent_ask_grant :
			    consent_ask_refuse;
			ask.subject = PQgetvalue(r, 0, 0);
			ret = confirm_page(req, &me, &f, &ask);
			goto out;
		}
		PQclear(r);
		r = NULL;
	}
	params[1] = strcmp(d, "grant") == 0 ? "t" : "f";
	r = caller_db(req, "SELECT council.decide_consent($1::bigint, "
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
	ret = http_redirect_done(req, "/consents", "consent.decided");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* The JSON API. ------------------------------------------------------------- */

/* GET /api/v1/consents: the requests the caller sees (R-SCOPE-4). */
enum MHD_Result
consent_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req,
	    "SELECT CASE WHEN EXISTS (SELECT 1 FROM council.me) THEN "
	    "json_build_object('consents', coalesce((SELECT json_agg("
	    "json_build_object('id', c.id, 'post_id', c.post_id, "
	    "'post_title', c.post_title, 'source_post_id', c.source_post_id, "
	    "'source_incident_id', c.source_incident_id, "
	    "'source_title', c.source_title, 'status', c.status, "
	    "'requested_at', c.requested_at, 'mine_to_decide', c.mine_to_decide)) "
	    "FROM council.my_consents() c), '[]'::json))::text END", 0, NULL);
}

/* POST /api/v1/consents/N {"grant": bool}: the giver decides (R-SCOPE-4). */
