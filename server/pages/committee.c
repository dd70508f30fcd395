/*
 * committee.c: the steering committee's pages and JSON API (see
 * committee.h).  Every form is the JSON API's own call
 * (council.api_sc_create, council.api_sc_act), so the page and the API
 * cannot disagree.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "committee.h"
#include "diff.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "tmpl.h"

static const char *const sc_kinds[] = {
	"admission", "refusal", "expulsion", "restriction", "lift_restriction",
	"cooperation_request", "annex1_amendment", "foreign_approval",
	"referral", "other",
};

/* A value f sent (NULL without a form), for the drafting form to show
 * again (issue 17 item 3: a form keeps its input on error). */
static const char *
committee_sent(const struct form *f, const char *name)
{
	return f != NULL ? form_get(f, name) : NULL;
}

/* it's "selected" when v (what was sent) is id. */
static void
committee_selected(struct tmpl_vars *it, const char *id, const char *v)
{
	if (v != NULL && strcmp(v, id) == 0)
		tmpl_vars_set(it, "selected", "selected");
}

/*
 * The list, and the drafting form for the committee and the secretariat;
 * f, when given, is what was sent, shown again with the error.
 */
static enum MHD_Result
committee_list_page(struct http_req *req, const struct caller_me *me, unsigned status,
    const char *error, const struct form *f)
{
	static const char *const texts[] = { "title", "body", "refusal_reason",
	    "coop_purpose", "coop_scope", "text" };
	const char		*v;
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*r = NULL, *w = NULL, *o = NULL, *d = NULL;
	char			 err[256];
	size_t			 k;
	int			 i, en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

	r = caller_db(req, "SELECT m.id, m.kind::text, m.title, m.status::text, "
	    CALLER_JST("m.closes_at") " FROM council.sc_motions m "
	    "ORDER BY m.id DESC LIMIT 200", 0, NULL, err, sizeof(err));
	if (r != NULL)
		w = caller_db(req, "SELECT coalesce((SELECT me.is_committee OR "
		    "me.is_secretariat FROM council.me), false)", 0, NULL, err,
		    sizeof(err));
	if (w != NULL)
		o = caller_db(req, "SELECT id, name_ja, name_en, status::text "
		    "FROM council.organisations WHERE status IN ('applied', "
		    "'member') ORDER BY id", 0, NULL, err, sizeof(err));
	if (o != NULL)
		d = caller_db(req, "SELECT id, title_ja, title_en FROM "
		    "council.documents WHERE owner = 'steering_committee' "
		    "ORDER BY id", 0, NULL, err, sizeof(err));
	if (d == NULL) {
		log_error("msg=\"committee list failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, "motions");
		tmpl_vars_setf(it, "href", COMMITTEE_PREFIX "%s", PQgetvalue(r, i, 0));
		tmpl_vars_set(it, "id", PQgetvalue(r, i, 0));
		tmpl_vars_set(it, "kind", http_text_of(req, "sc.kind",
		    PQgetvalue(r, i, 1), NULL));
		tmpl_vars_set(it, "title", PQgetvalue(r, i, 2));
		tmpl_vars_set(it, "status", http_text_of(req, "sc.status",
		    PQgetvalue(r, i, 3), NULL));
		tmpl_vars_set(it, "closes", PQgetvalue(r, i, 4));
	}
	if (*PQgetvalue(w, 0, 0) == 't') {
		tmpl_vars_set(vars, "may_draft", "1");
		for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++)
			if ((v = committee_sent(f, texts[k])) != NULL)
				tmpl_vars_set(vars, texts[k], v);
		if ((v = committee_sent(f, "reason_withheld")) != NULL &&
		    strcmp(v, "yes") == 0)
			tmpl_vars_set(vars, "withheld", "checked");
		if ((v = committee_sent(f, "coop_trigger")) != NULL &&
		    (strcmp(v, "large_scale_attack") == 0 ||
		    strcmp(v, "member_consent") == 0))
			tmpl_vars_set(vars, strcmp(v, "member_consent") == 0 ?
			    "sel_member_consent" : "sel_large_scale_attack",
			    "selected");
		for (k = 0; k < sizeof(sc_kinds) / sizeof(sc_kinds[0]); k++) {
			it = tmpl_vars_add_item(vars, "kinds");
			tmpl_vars_set(it, "value", sc_kinds[k]);
			committee_selected(it, sc_kinds[k], committee_sent(f,
			    "kind"));
			tmpl_vars_set(it, "label", http_text_of(req, "sc.kind",
			    sc_kinds[k], NULL));
		}
		for (i = 0; i < PQntuples(o); i++) {
			it = tmpl_vars_add_item(vars, "orgs");
			tmpl_vars_set(it, "id", PQgetvalue(o, i, 0));
			committee_selected(it, PQgetvalue(o, i, 0),
			    committee_sent(f, "subject"));
			tmpl_vars_setf(it, "name", "%s (%s)",
			    PQgetvalue(o, i, en ? 2 : 1), http_text_of(req,
			    "apply.status", strcmp(PQgetvalue(o, i, 3), "applied") == 0 ?
			    "pending" : "approved", NULL));
		}
		for (i = 0; i < PQntuples(d); i++) {
			it = tmpl_vars_add_item(vars, "documents");
			tmpl_vars_set(it, "id", PQgetvalue(d, i, 0));
			committee_selected(it, PQgetvalue(d, i, 0),
			    committee_sent(f, "document"));
			tmpl_vars_set(it, "title", PQgetvalue(d, i, en ? 2 : 1));
		}
	}
	ret = http_page(req, status, "committee.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(d);
	PQclear(o);
	PQclear(w);
	PQclear(r);
	return ret;
}

enum MHD_Result
committee_list(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return committee_list_page(req, &me, 200, NULL, NULL);
}

/* Empty to NULL: a field left blank is absent from the JSON. */
static const char *
committee_field(const struct form *f, const char *name)
{
	const char	*v = form_get(f, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * POST /committee (kind, title, body, subject, refusal_reason,
 * reason_withheld, coop_trigger, coop_purpose, coop_scope, document,
 * text): draft a motion; 303 to it, or the list again with the reason.
 */
enum MHD_Result
committee_create(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[11];
	const char		*names[] = { "kind", "title", "body", "subject",
				    "refusal_reason", "reason_withheld", "coop_trigger",
				    "coop_purpose", "coop_scope", "document", "text" };
	char			 err[256], loc[64];
	size_t			 i;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		params[i] = committee_field(&f, names[i]);
	if ((params[3] != NULL && util_id_parse(params[3]) == 0) ||
	    (params[9] != NULL && util_id_parse(params[9]) == 0)) {
		ret = committee_list_page(req, &me, 422, http_text(req,
		    "sc.error.refused"), &f);
		goto out;
	}
	params[5] = params[5] != NULL && strcmp(params[5], "yes") == 0 ? "t" :
	    NULL;
	r = caller_db(req, "SELECT status, body::json->>'error', "
	    "body::json->>'id' FROM council.api_sc_create(json_strip_nulls("
	    "json_build_object('kind', $1::text, 'title', $2::text, 'body', "
	    "$3::text, 'subject', $4::bigint, 'refusal_reason', $5::text, "
	    "'reason_withheld', $6::boolean, 'coop_trigger', $7::text, "
	    "'coop_purpose', $8::text, 'coop_scope', $9::text, 'document', "
	    "$10::bigint, 'text', $11::text))::text)", 11, params, err,
	    sizeof(err));
	if (r == NULL) {
		log_error("msg=\"motion failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "201") != 0) {
		ret = committee_list_page(req, &me, (unsigned)atoi(PQgetvalue(r, 0, 0)),
		    http_text_of(req, "sc.error", PQgetvalue(r, 0, 1),
		    "sc.error.refused"), &f);
		goto out;
	}
	snprintf(loc, sizeof(loc), COMMITTEE_PREFIX "%s", PQgetvalue(r, 0, 2));
	ret = http_redirect_done(req, loc, "sc.created");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* The columns of COMMITTEE_MOTION_SQL. */
enum {
	M_KIND, M_TITLE, M_BODY, M_STATUS, M_RULE, M_RULE_VERSION, M_CLOSES,
	M_PASSED, M_QC_NUM, M_QC_DEN, M_PASS_NUM, M_PASS_DEN, M_YES, M_NO,
	M_ABSTAIN, M_QUORUM_LOST, M_PRESENT, M_SEAT, M_ME_PRESENT, M_INTEREST,
	M_VOTE, M_VERSION, M_BASE, M_PROPOSED, M_REASON, M_WITHHELD,
	M_PURPOSE, M_SCOPE, M_REJECTION, M_SUBJECT_JA, M_SUBJECT_EN, M_CHAIR,
	M_PRESIDES, M_EFFECT, M_PASS_CMP, M_PASS_RNUM, M_PASS_RDEN, M_Q_BASE,
	M_Q_CMP, M_Q_RNUM, M_Q_RDEN, M_WINDOW, M_LEFT
};

#define COMMITTEE_MOTION_SQL \
	"SELECT j->>'kind', j->>'title', j->>'body', j->>'status', " \
	"j->>'rule_code', j->>'rule_version', " CALLER_JST("j->>'closes_at'") ", " \
	"j->'result'->>'passed', j->'result'->'quorum_close'->>'numerator', " \
	"j->'result'->'quorum_close'->>'denominator', " \
	"j->'result'->'pass'->>'numerator', j->'result'->'pass'->>'denominator', " \
	"j->'result'->>'yes', j->'result'->>'no', j->'result'->>'abstain', " \
	"j->'result'->>'quorum_lost', j->>'present', j->'me'->>'seat', " \
	"j->'me'->>'present', j->'me'->>'special_interest', j->'me'->>'vote', " \
	"j->'me'->>'version', j->'amendment'->>'base_text', " \
	"j->'amendment'->>'proposed_text', j->>'refusal_reason', " \
	"j->>'reason_withheld', j->>'coop_purpose', j->>'coop_scope', " \
	"j->>'rejection_reason', o.name_ja, o.name_en, council.ga_is_chair(), " \
	"council.ga_may_preside(), j->'effect'->>'applied', " \
	"j->'result'->'pass_rule'->>'cmp', j->'result'->'pass_rule'->>'num', " \
	"j->'result'->'pass_rule'->>'den', j->'result'->'quorum_rule'->>'base', " \
	"j->'result'->'quorum_rule'->>'cmp', j->'result'->'quorum_rule'->>'num', " \
	"j->'result'->'quorum_rule'->>'den', " \
	"floor(extract(epoch FROM (j->>'closes_at')::timestamptz - " \
	"(j->>'opened_at')::timestamptz))::bigint, " \
	"floor(extract(epoch FROM (j->>'closes_at')::timestamptz - now()))::bigint " \
	"FROM (SELECT council.sc_motion($1::bigint)::jsonb AS j) x " \
	"LEFT JOIN council.organisations o ON o.id = (j->>'subject_org_id')::bigint"

/* The count of a closed motion as a chart (issue 17): the choices
 * against the pass line of the rule, those present against the quorum. */
static void
committee_vote_chart(struct http_req *req, struct tmpl_vars *vars,
    const PGresult *r)
{
	struct caller_vote	cv;
	int			q = !PQgetisnull(r, 0, M_Q_BASE);

	memset(&cv, 0, sizeof(cv));
	cv.yes = PQgetvalue(r, 0, M_YES);
	cv.no = PQgetvalue(r, 0, M_NO);
	cv.abstain = PQgetvalue(r, 0, M_ABSTAIN);
	cv.pass_cmp = PQgetvalue(r, 0, M_PASS_CMP);
	cv.pass_num = PQgetvalue(r, 0, M_PASS_RNUM);
	cv.pass_den = PQgetvalue(r, 0, M_PASS_RDEN);
	cv.pass_base = PQgetvalue(r, 0, M_PASS_DEN);
	cv.present = PQgetvalue(r, 0, M_QC_NUM);
	cv.whole = PQgetvalue(r, 0, M_QC_DEN);
	cv.q_cmp = q ? PQgetvalue(r, 0, M_Q_CMP) : NULL;
	cv.q_num = q ? PQgetvalue(r, 0, M_Q_RNUM) : NULL;
	cv.q_den = q ? PQgetvalue(r, 0, M_Q_RDEN) : NULL;
	cv.present_key = "sc.present";
	caller_vote_chart(req, vars, "vote_chart", "vote", &cv);
}

/* Motion n's page; error above it. */
static enum MHD_Result
committee_motion_page(struct http_req *req, const struct caller_me *me, long long n,
    unsigned status, const char *error)
{
	struct tmpl_vars	*vars = NULL, *it;
	struct diff_line	*l;
	PGresult		*r = NULL;
	const char		*params[1], *st;
	char			 err[256], id[24], rk[80];
	size_t			 nl, i;
	int			 en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

#define C(c) PQgetvalue(r, 0, (c))
#define T(c) (*PQgetvalue(r, 0, (c)) == 't')
	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	if ((r = caller_db(req, COMMITTEE_MOTION_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		if (strcmp(err, "motion_not_found") == 0 ||
		    strcmp(err, "not_found") == 0) {
			ret = http_error(req, 404, NULL);	/* R-GOV-8 */
			goto out;
		}
		log_error("msg=\"motion page failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	st = C(M_STATUS);
	tmpl_vars_setf(vars, "action", COMMITTEE_PREFIX "%s", id);
	tmpl_vars_set(vars, "kind", http_text_of(req, "sc.kind", C(M_KIND), NULL));
	tmpl_vars_set(vars, "title", C(M_TITLE));
	if (*C(M_BODY) != '\0')
		tmpl_vars_set(vars, "body", C(M_BODY));
	tmpl_vars_set(vars, "status", http_text_of(req, "sc.status", st, NULL));
	if (!PQgetisnull(r, 0, M_SUBJECT_JA))
		tmpl_vars_set(vars, "subject", C(en ? M_SUBJECT_EN : M_SUBJECT_JA));
	if (!PQgetisnull(r, 0, M_REASON) && !T(M_WITHHELD))
		tmpl_vars_set(vars, "refusal_reason", C(M_REASON));
	if (!PQgetisnull(r, 0, M_PURPOSE)) {
		tmpl_vars_set(vars, "purpose", C(M_PURPOSE));
		tmpl_vars_set(vars, "scope", C(M_SCOPE));
	}
	if (!PQgetisnull(r, 0, M_PROPOSED) &&
	    diff_lines(C(M_BASE), C(M_PROPOSED), &l, &nl) == 0) {
		for (i = 0; i < nl; i++) {
			if (l[i].op == DIFF_SAME)
				continue;
			it = tmpl_vars_add_item(vars, "diff");
			tmpl_vars_set(it, "kind", l[i].op == DIFF_ADD ?
			    "diff__add" : "diff__del");
			tmpl_vars_set(it, "sign", l[i].op == DIFF_ADD ? "+" : "-");
			tmpl_vars_set(it, "text", l[i].text);
		}
		diff_free(l, nl);
	}
	tmpl_vars_set(vars, "present", C(M_PRESENT));
	if (T(M_SEAT)) {
		tmpl_vars_set(vars, "seat", "1");
		if (strcmp(st, "draft") == 0 || strcmp(st, "open") == 0)
			tmpl_vars_set(vars, T(M_ME_PRESENT) ? "may_leave" :
			    "may_attend", "1");
		if (strcmp(st, "draft") == 0 && PQgetisnull(r, 0, M_INTEREST))
			tmpl_vars_set(vars, "may_declare", "1");
		if (!PQgetisnull(r, 0, M_INTEREST))
			tmpl_vars_set(vars, "interest", "1");
		else if (strcmp(st, "open") == 0 && T(M_ME_PRESENT))
			tmpl_vars_set(vars, "may_vote", "1");
	}
	if (!PQgetisnull(r, 0, M_VOTE)) {
		tmpl_vars_set(vars, "my_vote", http_text_of(req, "ga.choice",
		    C(M_VOTE), NULL));
		tmpl_vars_set(vars, "my_version", C(M_VERSION));
	}
	if (strcmp(st, "draft") == 0 && T(M_PRESIDES))
		tmpl_vars_set(vars, "may_open", "1");
	if (strcmp(st, "open") == 0) {
		tmpl_vars_set(vars, "closes", C(M_CLOSES));
		if (!PQgetisnull(r, 0, M_WINDOW))
			caller_countdown(req, vars, "closes_chart", "closes",
			    "ga.poll.closes", atoll(C(M_WINDOW)),
			    atoll(C(M_LEFT)));
	}
	if (!PQgetisnull(r, 0, M_PASSED)) {
		tmpl_vars_set(vars, "counted", "1");
		tmpl_vars_set(vars, "outcome", http_text(req,
		    strcmp(C(M_PASSED), "true") == 0 ? "ga.outcome.passed" :
		    "ga.outcome.failed"));
		tmpl_vars_setf(vars, "quorum", "%s / %s%s", C(M_QC_NUM),
		    C(M_QC_DEN), strcmp(C(M_QUORUM_LOST), "true") == 0 ?
		    http_text(req, "sc.quorum_lost") : "");
		tmpl_vars_setf(vars, "pass", "%s / %s", C(M_PASS_NUM),
		    C(M_PASS_DEN));
		tmpl_vars_setf(vars, "votes", "%s / %s / %s", C(M_YES), C(M_NO),
		    C(M_ABSTAIN));
		committee_vote_chart(req, vars, r);
		tmpl_vars_set(vars, "rule", caller_rule_name(req, C(M_RULE),
		    C(M_RULE_VERSION), rk, sizeof(rk)));
		if (strcmp(st, "passed") == 0 && T(M_CHAIR))
			tmpl_vars_set(vars, "may_reject", "1");
	}
	if (!PQgetisnull(r, 0, M_REJECTION))
		tmpl_vars_set(vars, "rejection", C(M_REJECTION));
	ret = http_page(req, status, "motion.xhtml", vars);
#undef C
#undef T
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

enum MHD_Result
committee_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return committee_motion_page(req, &me, req->id, 200, NULL);
}

/*
 * POST /committee/N (action: attend | leave | interest (reason) | open
 * (closes, JST) | vote (choice) | reject (reason)): R-GOV-5..7 through
 * council.api_sc_act; 303 back, or the page with the reason.
 */
enum MHD_Result
committee_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[5], *closes;
	char			 err[256], id[24], loc[64], done[48];
	long long		 n = req->id;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", n);
	closes = committee_field(&f, "closes");
	if (closes != NULL && !form_is_local_minute(closes)) {
		ret = committee_motion_page(req, &me, n, 422, http_text(req,
		    "ga.error.invalid_closes_at"));
		goto out;
	}
	params[0] = id;
	params[1] = committee_field(&f, "action");
	params[2] = closes;
	params[3] = committee_field(&f, "choice");
	params[4] = committee_field(&f, "reason");
	r = caller_db(req, "SELECT status, body::json->>'error' FROM "
	    "council.api_sc_act($1::bigint, json_strip_nulls(json_build_object("
	    "'action', $2::text, 'closes_at', $3::text || ':00+09:00', "
	    "'choice', $4::text, 'reason', $5::text))::text)", 5, params, err,
	    sizeof(err));
	if (r == NULL) {
		log_error("msg=\"motion act failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "404") == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if (atoi(PQgetvalue(r, 0, 0)) >= 300) {
		ret = committee_motion_page(req, &me, n,
		    (unsigned)atoi(PQgetvalue(r, 0, 0)), http_text_of(req,
		    "sc.error", PQgetvalue(r, 0, 1), "sc.error.refused"));
		goto out;
	}
	snprintf(loc, sizeof(loc), COMMITTEE_PREFIX "%s", id);
	/* Say what happened: done.sc.<action> (http_redirect_done). */
	snprintf(done, sizeof(done), "sc.%s", params[1] != NULL ?
	    params[1] : "");
	ret = http_redirect_done(req, loc, done);
out:
	PQclear(r);
	form_free(&f);
	return ret;
}
