/*
 * tfstatus.c: task-force decisions, page and API (see tfstatus.h).  The
 * page's forms go through the API's own council.api_tf call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "tfstatus.h"
#include "tmpl.h"

/* The catalog text of "<prefix>.<value>", or value. */
static const char *
tf_text(struct http_req *req, const char *prefix, const char *value)
{
	return http_text_of(req, prefix, value, NULL);
}

/*
 * The decisions the person sees, newest first, with what they may do.
 * error, when not NULL, is shown at the top; f, when not NULL, is the
 * refused form, shown again as it was sent (issue 17), and bad the field
 * the error is about ("class", "statement", "closes"), marked invalid and
 * pointed at the error.
 */
static enum MHD_Result
tf_page(struct http_req *req, const struct caller_me *me, unsigned status,
    const char *error, const struct form *f, const char *bad)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*r = NULL, *w = NULL;
	const char		*a, *v, *d;
	char			 err[256], key[32], rule[96];
	int			 i, en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

	r = caller_db(req, "SELECT d.id, d.kind, coalesce(d.tf_class::text, ''), "
	    "d.status, coalesce(d.refusal, ''), coalesce(o.name_ja, doc.title_ja), "
	    "coalesce(o.name_en, doc.title_en), "
	    "to_char(d.closes_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), "
	    "d.result->'quorum'->>'numerator', d.result->'quorum'->>'denominator', "
	    "d.result->'pass'->>'numerator', d.result->'pass'->>'denominator', "
	    "d.result->>'rule_code', d.result->>'rule_version', "
	    "(SELECT b.choice::text FROM council.tf_ballots b WHERE b.decision_id = d.id "
	    "AND b.org_id = (SELECT me.org_id FROM council.me) ORDER BY b.version DESC LIMIT 1) "
	    "FROM council.tf_decisions d LEFT JOIN council.organisations o ON o.id = d.org_id "
	    "LEFT JOIN council.documents doc ON doc.id = d.document_id "
	    "CROSS JOIN (SELECT council.tf_close_due()) c "
	    "ORDER BY d.id DESC LIMIT 100", 0, NULL, err, sizeof(err));
	if (r != NULL)
		w = caller_db(req, "SELECT council.tf_may_run(), "
		    "(SELECT me.org_id FROM council.me) IN (SELECT council.tf_group()), "
		    "(SELECT p.is_org_admin FROM council.people p, council.me "
		    "WHERE p.id = me.person_id), (SELECT o.tf_class::text FROM "
		    "council.organisations o, council.me WHERE o.id = me.org_id)",
		    0, NULL, err, sizeof(err));
	if (r == NULL || w == NULL) {
		log_error("msg=\"tf page failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	a = f != NULL ? form_get(f, "action") : NULL;
	d = f != NULL ? form_get(f, "decision") : NULL;
	if (a != NULL && strcmp(a, "apply") == 0) {
		if ((v = form_get(f, "class")) != NULL &&
		    strcmp(v, "type1") == 0)
			tmpl_vars_set(vars, "sel_type1", "selected");
		if ((v = form_get(f, "statement")) != NULL)
			tmpl_vars_set(vars, "statement", v);
		if (bad != NULL) {
			snprintf(key, sizeof(key), "bad_%s", bad);
			tmpl_vars_set(vars, key, "true");
			snprintf(key, sizeof(key), "bad_%s_ref", bad);
			tmpl_vars_set(vars, key, "tf-error");
		}
	}
	if (*PQgetvalue(w, 0, 2) == 't')
		tmpl_vars_set(vars, "may_apply", "1");
	tmpl_vars_set(vars, "my_class", tf_text(req, "tf.class",
	    PQgetvalue(w, 0, 3)));
	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, "decisions");
		tmpl_vars_set(it, "id", PQgetvalue(r, i, 0));
		tmpl_vars_set(it, "kind", tf_text(req, "tf.kind", PQgetvalue(r, i, 1)));
		tmpl_vars_set(it, "class", tf_text(req, "tf.class", PQgetvalue(r, i, 2)));
		tmpl_vars_set(it, "status", tf_text(req, "tf.status", PQgetvalue(r, i, 3)));
		tmpl_vars_set(it, "org", PQgetvalue(r, i, en ? 6 : 5));
		if (*PQgetvalue(r, i, 4) != '\0')
			tmpl_vars_set(it, "refusal", PQgetvalue(r, i, 4));
		if (strcmp(PQgetvalue(r, i, 3), "pending") == 0 &&
		    *PQgetvalue(w, 0, 0) == 't') {
			tmpl_vars_set(it, "may_open", "1");
			tmpl_vars_setf(it, "closes_id", "tf-closes-%s",
			    PQgetvalue(r, i, 0));
			/* The refused opening of this decision, as sent. */
			if (a != NULL && strcmp(a, "open") == 0 && d != NULL &&
			    strcmp(d, PQgetvalue(r, i, 0)) == 0) {
				if ((v = form_get(f, "closes")) != NULL)
					tmpl_vars_set(it, "closes_sent", v);
				if (bad != NULL && strcmp(bad, "closes") == 0) {
					tmpl_vars_set(it, "bad_closes", "true");
					tmpl_vars_set(it, "bad_closes_ref",
					    "tf-error");
				}
			}
		}
		if (strcmp(PQgetvalue(r, i, 3), "open") == 0) {
			tmpl_vars_set(it, "closes", PQgetvalue(r, i, 7));
			if (*PQgetvalue(w, 0, 1) == 't')
				tmpl_vars_set(it, "may_vote", "1");
		}
		if (!PQgetisnull(r, i, 8)) {
			/* Issue 17 item 8: the rule by its name, not its id. */
			tmpl_vars_setf(it, "count", "%s / %s · %s / %s · %s",
			    PQgetvalue(r, i, 8), PQgetvalue(r, i, 9),
			    PQgetvalue(r, i, 10), PQgetvalue(r, i, 11),
			    caller_rule_name(req, PQgetvalue(r, i, 12),
			    PQgetvalue(r, i, 13), rule, sizeof(rule)));
		}
		if (!PQgetisnull(r, i, 14))
			tmpl_vars_set(it, "my_vote", tf_text(req, "ga.choice",
			    PQgetvalue(r, i, 14)));
	}
	ret = http_page(req, status, "tfstatus.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(w);
	PQclear(r);
	return ret;
}

enum MHD_Result
tfstatus_page(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return tf_page(req, &me, 200, NULL, NULL, NULL);
}

/*
 * POST /tf (action = apply (class, statement) | open (decision, closes:
 * JST datetime-local) | vote (decision, choice)): through council.api_tf;
 * refused: the page with the reason and the API's status.
 */
enum MHD_Result
tfstatus_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[7], *a, *d, *e;
	char			 err[256];
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	a = form_get(&f, "action");
	d = form_get(&f, "decision");
	if (a == NULL || (strcmp(a, "apply") != 0 && (d == NULL ||
	    util_id_parse(d) == 0))) {
		ret = tf_page(req, &me, 422, http_text(req, "tf.error.refused"),
		    &f, NULL);
		goto out;
	}
	params[0] = strcmp(a, "apply") == 0 ? "apply" : "act";
	params[1] = strcmp(a, "apply") == 0 ? NULL : d;
	params[2] = form_get(&f, "class");
	params[3] = form_get(&f, "statement");
	params[4] = strcmp(a, "apply") == 0 ? NULL : a;
	params[5] = form_get(&f, "closes");
	params[6] = form_get(&f, "choice");
	r = caller_db(req, "SELECT status, body::json->>'error' FROM "
	    "council.api_tf($1, $2::bigint, json_strip_nulls(json_build_object("
	    "'class', $3::text, 'statement', $4::text, 'action', $5::text, "
	    "'choice', $7::text, 'closes_at', $6::text || ':00+09:00'))::text)",
	    7, params, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"tf act failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (atoi(PQgetvalue(r, 0, 0)) >= 300) {
		e = PQgetvalue(r, 0, 1);
		ret = tf_page(req, &me, (unsigned)atoi(PQgetvalue(r, 0, 0)),
		    http_text_of(req, "tf.error", e, "tf.error.refused"), &f,
		    strcmp(e, "invalid_class") == 0 ? "class" :
		    strcmp(e, "invalid_statement") == 0 ? "statement" :
		    strcmp(e, "invalid_closes_at") == 0 ? "closes" : NULL);
		goto out;
	}
	ret = http_redirect_done(req, "/tf", "tf.saved");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
tfstatus_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.tf_decisions_for_me()::text",
	    0, NULL);
}

enum MHD_Result
tfstatus_api_get(struct http_req *req)
{
	PGresult	*r;
	const char	*params[1];
	char		 id[24], err[256];
	enum MHD_Result	 ret;

	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = id;
	if ((r = caller_db(req, "SELECT council.tf_decision($1::bigint)::text",
	    1, params, err, sizeof(err))) == NULL) {
		if (strcmp(err, "not_found") == 0 ||
		    strcmp(err, "not_signed_in") == 0)
			return api_error(req, strcmp(err, "not_found") == 0 ?
			    404 : 401, err);
		log_error("msg=\"tf decision failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return api_error(req, 503, "unavailable");
	}
	ret = http_json(req, 200, PQgetvalue(r, 0, 0),
	    (size_t)PQgetlength(r, 0, 0));
	PQclear(r);
	return ret;
}

