/*
 * incident.c: incident reports on the portal (see incident.h): the list,
 * the one form (with the regimes that apply and their deadlines shown
 * before filing), a report's page with its deliveries, deadlines and
 * submissions, the next stage's form and the authority's acknowledgement.
 * Every write goes through the JSON API's own call, council.api_incident,
 * so that the page and the API refuse alike; the JSON API's list is here
 * too, the rest of the API is routes.c's generic rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "incident.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

/* Statement rows on a form: those sent or stored, and at least two empty
 * ones; at most this many in all. */
#define INCIDENT_STATEMENTS_MAX	20

/* The reports the caller sees (policy/80_incidents.sql decides), newest
 * first, with the stage reached, the next deadline not met and the late
 * stages; for an authority, whether it acknowledged. */
static const char INCIDENT_LIST_SQL[] =
    "SELECT l.id, l.title, CASE WHEN " CALLER_EN("$1") " THEN o.name_en ELSE o.name_ja END, "
    CALLER_JST("l.aware_at") ", l.stage::text, l.acknowledged, "
    CALLER_JST("l.next_due") ", l.late "
    "FROM council.incident_list() l JOIN council.organisations o ON o.id = l.org_id "
    "ORDER BY l.id DESC";

/* One call of the API's row (council.api_incident): $1 what, $2 id, the
 * answers ($3..$9), $10 the action, the content's fields ($11..$20:
 * statements as JSON arrays of texts and states) and $21 the authorities
 * (a JSON array of ids).  NULLs are left out of the request. */
static const char INCIDENT_CALL_SQL[] =
    "SELECT status, body::json->>'error', body::json->>'id' "
    "FROM council.api_incident($1, $2::bigint, json_strip_nulls(json_build_object("
    "'title', $3::text, 'aware_at', nullif($4::text, '') || ':00+09:00', "
    "'specified_operator', $5::text = 'yes', 'personal_data', $6::text = 'yes', "
    "'unauthorised_access', $7::text = 'yes', 'sector', nullif($8::text, ''), "
    "'stage', $9::text, 'action', $10::text, "
    "'body', CASE WHEN $10::text IS DISTINCT FROM 'acknowledge' THEN "
    "council.incident_form_body($11, ARRAY(SELECT jsonb_array_elements_text($12::jsonb)), "
    "ARRAY(SELECT jsonb_array_elements_text($13::jsonb)), $14, $15, $16, $17, $18, $19, $20) END, "
    "'authorities', CASE WHEN $1 = 'file' THEN "
    "(SELECT jsonb_agg(e::bigint) FROM jsonb_array_elements_text($21::jsonb) e "
    "WHERE e ~ '^[0-9]{1,18}$') END))::text)";

/* The regimes that apply to the caller's answers, with the deadlines of
 * each stage from the awareness time (JST; '' without one). */
static const char INCIDENT_REGIMES_SQL[] =
    "SELECT f.authority_org_id, CASE WHEN $1 = 'en' THEN f.name_en ELSE f.name_ja END, "
    "CASE WHEN $1 = 'en' THEN f.authority_en ELSE f.authority_ja END, f.mandatory, "
    "coalesce(" CALLER_JST("a.t + f.first_notice") ", ''), "
    "coalesce(" CALLER_JST("a.t + f.preliminary") ", ''), "
    "coalesce(" CALLER_JST("a.t + f.final") ", '') "
    "FROM (SELECT CASE WHEN $2 ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$' "
    "THEN ($2 || ':00+09:00')::timestamptz END AS t) a, "
    "council.incident_regimes_for((SELECT me.org_id FROM council.me), $3 = 'yes', "
    "$4 = 'yes', $5 = 'yes', nullif($6, '')) f";

/* The sectors, for the question "which sector?"; the caller's own. */
static const char INCIDENT_SECTORS_SQL[] =
    "SELECT s.code, CASE WHEN $1 = 'en' THEN s.name_en ELSE s.name_ja END, "
    "s.code = (SELECT o.sector_code FROM council.organisations o, council.me "
    "WHERE o.id = me.org_id), council.incident_may_touch() "
    "FROM council.sectors s ORDER BY s.code";

/* Report r's head as the caller sees it (no row: hidden or absent). */
static const char INCIDENT_HEAD_SQL[] =
    "SELECT x.id, x.title, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, "
    CALLER_JST("x.aware_at") ", x.specified_operator, x.personal_data, "
    "x.unauthorised_access, coalesce(CASE WHEN $2 = 'en' THEN s.name_en ELSE s.name_ja END, ''), "
    "x.org_id = (SELECT me.org_id FROM council.me), "
    "EXISTS (SELECT 1 FROM council.incident_deliveries d WHERE d.report_id = x.id "
    "AND d.authority_org_id = (SELECT me.org_id FROM council.me) AND d.acknowledged_at IS NULL), "
    "council.incident_may_draft(x.id) "
    "FROM council.incident_reports x JOIN council.organisations o ON o.id = x.org_id "
    "LEFT JOIN council.sectors s ON s.code = x.sector_code WHERE x.id = $1::bigint";

/* Its deliveries, deadlines and submissions, in one statement: kind 'd'
 * (authority, regime, delivered, acknowledged), 'l' (authority, regime,
 * stage, due, state, seconds left; soonest first) and 's' (stage,
 * amendment, submitted, -, -, seq; newest first). */
static const char INCIDENT_ROWS_SQL[] =
    "SELECT 'd', CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, d.regime_code, "
    CALLER_JST("d.delivered_at") ", coalesce(" CALLER_JST("d.acknowledged_at") ", ''), '', "
    "0::bigint, 0, 0::double precision "
    "FROM council.incident_deliveries d JOIN council.organisations o ON o.id = d.authority_org_id "
    "WHERE d.report_id = $1::bigint "
    "UNION ALL SELECT 'l', CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, "
    "l.regime_code, l.stage::text, " CALLER_JST("l.due_at") ", l.state, "
    "greatest(0, extract(epoch FROM l.due_at - now()))::bigint, 1, extract(epoch FROM l.due_at) "
    "FROM council.incident_deadlines($1::bigint) l "
    "JOIN council.organisations o ON o.id = l.authority_org_id "
    "UNION ALL SELECT 's', s.stage::text, s.amendment::text, " CALLER_JST("s.submitted_at") ", "
    "'', '', s.seq::bigint, 2, -s.seq "
    "FROM council.incident_submissions s WHERE s.report_id = $1::bigint "
    "ORDER BY 8, 9";

/* Item 5 (R-NEW-5): the warnings drawn from it that the caller reads,
 * with the reporter's consent, their reach and the feedback they drew
 * (counted; NULL where the caller may not see it). */
static const char INCIDENT_WARNINGS_SQL[] =
    "SELECT post_id, title, coalesce(consent::text, 'none'), beyond_parties, "
    "replies, seen IS NOT NULL, seen, not_seen, unknown, expert "
    "FROM council.incident_warnings($1::bigint)";

/* The submission form starts from the latest content. */
static const char INCIDENT_FIELDS_SQL[] =
    "SELECT summary, array_to_json(texts)::text, array_to_json(confirmed)::text, "
    "techniques, indicators, outage, persons, kinds, cause, measures, stage::text "
    "FROM council.incident_form_fields($1::bigint)";

static const char *const incident_stages[] = { "first_notice", "preliminary",
    "final" };

/* The request's language as the statements' parameter wants it. */
static const char *
incident_lang(struct http_req *req)
{
	return req->lang == I18N_EN ? "en" : "ja";
}

/* The JSON array of the values of field name in f, at most max. */
static void
incident_json_list(struct buf *b, const struct form *f, const char *name,
    size_t max)
{
	const char	*v;
	size_t		 i;

	buf_puts(b, "[");
	for (i = 0; f != NULL && i < max &&
	    (v = form_get_nth(f, name, i)) != NULL; i++) {
		if (i > 0)
			buf_puts(b, ",");
		buf_json_string(b, v, strlen(v));
	}
	buf_puts(b, "]");
}

/* The stage options, sel chosen (or the first). */
static void
incident_stage_options(struct http_req *req, struct tmpl_vars *vars,
    const char *sel)
{
	struct tmpl_vars	*o;
	size_t			 i;

	for (i = 0; i < UTIL_ARRAY_LEN(incident_stages); i++) {
		o = tmpl_vars_add_item(vars, "stages");
		tmpl_vars_set(o, "value", incident_stages[i]);
		tmpl_vars_set(o, "label", http_text_of(req, "incident.stage",
		    incident_stages[i], NULL));
		if (sel != NULL && strcmp(sel, incident_stages[i]) == 0)
			tmpl_vars_set(o, "selected", "selected");
	}
}

/* The statement rows: texts and states as sent (or stored), then empty
 * rows up to two more. */
static void
incident_statement_rows(struct tmpl_vars *vars, const char *const *texts,
    const int *confirmed, size_t n)
{
	struct tmpl_vars	*row;
	size_t			 i, kept = 0;

	for (i = 0; i < n + 2 && kept < INCIDENT_STATEMENTS_MAX; i++) {
		if (i < n && (texts[i] == NULL || *texts[i] == '\0'))
			continue;
		row = tmpl_vars_add_item(vars, "statements");
		tmpl_vars_setf(row, "n", "%zu", ++kept);
		if (i < n) {
			tmpl_vars_set(row, "text", texts[i]);
			if (confirmed[i])
				tmpl_vars_set(row, "sel_confirmed", "selected");
		}
	}
}

/* The content's fields from a sent form f. */
static void
incident_fields_sent(struct tmpl_vars *vars, const struct form *f)
{
	static const char *const names[] = { "summary", "techniques",
	    "indicators", "persons", "kinds", "cause", "measures" };
	const char	*texts[INCIDENT_STATEMENTS_MAX] = { NULL }, *v;
	int		 confirmed[INCIDENT_STATEMENTS_MAX] = { 0 };
	size_t		 i, n;

	for (i = 0; i < UTIL_ARRAY_LEN(names); i++)
		if ((v = form_get(f, names[i])) != NULL)
			tmpl_vars_set(vars, names[i], v);
	if ((v = form_get(f, "outage")) != NULL && strcmp(v, "yes") == 0)
		tmpl_vars_set(vars, "outage", "checked");
	for (n = 0; n < INCIDENT_STATEMENTS_MAX &&
	    (texts[n] = form_get_nth(f, "statement", n)) != NULL; n++) {
		v = form_get_nth(f, "statement_state", n);
		confirmed[n] = v != NULL && strcmp(v, "confirmed") == 0;
	}
	incident_statement_rows(vars, texts, confirmed, n);
}

/* The content's fields from INCIDENT_FIELDS_SQL's row (r may have none:
 * empty fields). */
static void
incident_fields_stored(struct http_req *req, struct tmpl_vars *vars,
    PGresult *r)
{
	static const char *const names[] = { "summary", NULL, NULL,
	    "techniques", "indicators", NULL, "persons", "kinds", "cause",
	    "measures" };
	PGresult	*j = NULL;
	const char	*texts[INCIDENT_STATEMENTS_MAX] = { NULL }, *params[2];
	int		 confirmed[INCIDENT_STATEMENTS_MAX] = { 0 };
	char		 err[256];
	size_t		 i, n = 0;

	if (r == NULL || PQntuples(r) < 1) {
		incident_statement_rows(vars, texts, confirmed, 0);
		return;
	}
	for (i = 0; i < UTIL_ARRAY_LEN(names); i++)
		if (names[i] != NULL && !PQgetisnull(r, 0, (int)i))
			tmpl_vars_set(vars, names[i], PQgetvalue(r, 0, (int)i));
	if (*PQgetvalue(r, 0, 5) == 't')
		tmpl_vars_set(vars, "outage", "checked");
	/* The statements, one row each (the arrays read back as rows). */
	params[0] = PQgetvalue(r, 0, 1);
	params[1] = PQgetvalue(r, 0, 2);
	j = caller_db(req, "SELECT t, c FROM json_array_elements_text($1::json) "
	    "WITH ORDINALITY a(t, n) JOIN json_array_elements_text($2::json) "
	    "WITH ORDINALITY b(c, m) ON m = n ORDER BY n", 2, params, err,
	    sizeof(err));
	for (i = 0; j != NULL && i < (size_t)PQntuples(j) &&
	    n < INCIDENT_STATEMENTS_MAX; i++, n++) {
		texts[n] = PQgetvalue(j, (int)i, 0);
		confirmed[n] = strcmp(PQgetvalue(j, (int)i, 1), "true") == 0;
	}
	incident_statement_rows(vars, texts, confirmed, n);
	PQclear(j);
}

/* The answers' radio buttons and the sector as sent in f (or none). */
static void
incident_answers_sent(struct tmpl_vars *vars, const struct form *f)
{
	static const char *const q[] = { "specified", "personal",
	    "unauthorised" };
	const char	*v;
	char		 key[48];
	size_t		 i;

	for (i = 0; f != NULL && i < UTIL_ARRAY_LEN(q); i++) {
		if ((v = form_get(f, q[i])) == NULL ||
		    (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0))
			continue;
		snprintf(key, sizeof(key), "%s_%s", q[i], v);
		tmpl_vars_set(vars, key, "checked");
	}
	if (f != NULL && (v = form_get(f, "title")) != NULL)
		tmpl_vars_set(vars, "title", v);
	if (f != NULL && (v = form_get(f, "aware")) != NULL)
		tmpl_vars_set(vars, "aware", v);
}

enum MHD_Result
incident_list(struct http_req *req)
{
	struct caller_me	 me;
	struct db_stmt		 s[2];
	struct tmpl_vars	*vars = NULL, *it;
	const char		*lang[1] = { caller_lang_query(req) };
	PGresult		*r, *m;
	int			 i;
	enum MHD_Result		 ret;

	memset(s, 0, sizeof(s));
	s[0].sql = INCIDENT_LIST_SQL;
	s[0].nparams = 1;
	s[0].params = lang;
	/* Issue 14 item 4: the asset registry, for those it is for. */
	s[1].sql = "SELECT council.incident_may_touch(), "
	    "council.asset_may_register() OR council.asset_oversees(), "
	    "council.rendition_may_write()";
	if (!caller_page_db(req, &me, s, 2, &ret))
		return ret;
	if ((r = s[0].result) == NULL || (m = s[1].result) == NULL) {
		log_error("msg=\"incidents failed\" rid=%s error=\"%s%s\"",
		    req->rid, s[0].err, s[1].err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	tmpl_vars_set(vars, "mode_list", "1");
	if (*PQgetvalue(m, 0, 0) == 't')
		tmpl_vars_set(vars, "may_report", "1");
	if (*PQgetvalue(m, 0, 1) == 't')
		tmpl_vars_set(vars, "may_assets", "1");
	/* Issue 14 item 1: the analysts' composer of renditions. */
	if (*PQgetvalue(m, 0, 2) == 't')
		tmpl_vars_set(vars, "may_analyses", "1");
	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, "reports");
		tmpl_vars_setf(it, "href", "/incidents/%s", PQgetvalue(r, i, 0));
		tmpl_vars_setf(it, "number", "#%s", PQgetvalue(r, i, 0));
		tmpl_vars_set(it, "title", PQgetvalue(r, i, 1));
		tmpl_vars_set(it, "org", PQgetvalue(r, i, 2));
		tmpl_vars_set(it, "aware", PQgetvalue(r, i, 3));
		tmpl_vars_set(it, "stage", http_text_of(req, "incident.stage",
		    PQgetvalue(r, i, 4), NULL));
		if (*PQgetvalue(r, i, 5) == 'f')
			tmpl_vars_set(it, "unacknowledged", "1");
		if (!PQgetisnull(r, i, 6))
			tmpl_vars_set(it, "next_due", PQgetvalue(r, i, 6));
		if (atoi(PQgetvalue(r, i, 7)) > 0)
			tmpl_vars_set(it, "late", PQgetvalue(r, i, 7));
	}
	ret = http_page(req, 200, "incident.xhtml", vars);
out:
	tmpl_vars_free(vars);
	for (i = 0; i < 2; i++)
		PQclear(s[i].result);
	return ret;
}

/*
 * The one form, with f (when not NULL) shown again as sent, error above
 * it, and, when regimes is not NULL, the regimes that apply to the answers
 * sent (INCIDENT_REGIMES_SQL's rows) as the authorities to confirm, those
 * of a mandatory regime (or those sent) ticked.
 */
static enum MHD_Result
incident_new_page(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *error, const struct form *f,
    PGresult *regimes)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*r = NULL;
	const char		*params[1] = { incident_lang(req) }, *sel, *v;
	char			 err[256];
	size_t			 k;
	int			 i, ticked;
	enum MHD_Result		 ret;

	if ((r = caller_db(req, INCIDENT_SECTORS_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"incident form failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	tmpl_vars_set(vars, "mode_new", "1");
	tmpl_vars_set(vars, "action", "/incidents/new");
	if (PQntuples(r) > 0 && *PQgetvalue(r, 0, 3) == 't')
		tmpl_vars_set(vars, "content_form", "1");
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	sel = f != NULL ? form_get(f, "sector") : NULL;
	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, "sectors");
		tmpl_vars_set(it, "value", PQgetvalue(r, i, 0));
		tmpl_vars_set(it, "label", PQgetvalue(r, i, 1));
		if (sel != NULL ? strcmp(sel, PQgetvalue(r, i, 0)) == 0 :
		    *PQgetvalue(r, i, 2) == 't')
			tmpl_vars_set(it, "selected", "selected");
	}
	incident_answers_sent(vars, f);
	incident_stage_options(req, vars, f != NULL ? form_get(f, "stage") :
	    NULL);
	if (f != NULL)
		incident_fields_sent(vars, f);
	else
		incident_fields_stored(req, vars, NULL);
	for (i = 0; regimes != NULL && i < PQntuples(regimes); i++) {
		it = tmpl_vars_add_item(vars, "regimes");
		tmpl_vars_set(it, "authority", PQgetvalue(regimes, i, 0));
		tmpl_vars_setf(it, "id", "incident-authority-%d", i);
		tmpl_vars_set(it, "name", PQgetvalue(regimes, i, 1));
		tmpl_vars_set(it, "authority_name", PQgetvalue(regimes, i, 2));
		ticked = *PQgetvalue(regimes, i, 3) == 't';
		if (f != NULL && form_count(f, "authority") > 0) {
			ticked = 0;
			for (k = 0; (v = form_get_nth(f, "authority", k)) != NULL;
			    k++)
				if (strcmp(v, PQgetvalue(regimes, i, 0)) == 0)
					ticked = 1;
		}
		if (ticked)
			tmpl_vars_set(it, "checked", "checked");
		if (*PQgetvalue(regimes, i, 3) == 't')
			tmpl_vars_set(it, "mandatory", "1");
		tmpl_vars_set(it, "first", PQgetvalue(regimes, i, 4));
		tmpl_vars_set(it, "preliminary", PQgetvalue(regimes, i, 5));
		tmpl_vars_set(it, "final", PQgetvalue(regimes, i, 6));
	}
	if (regimes != NULL)
		tmpl_vars_set(vars, "previewed", "1");
	ret = http_page(req, status, "incident.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

enum MHD_Result
incident_new(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return incident_new_page(req, &me, 200, NULL, NULL, NULL);
}

/*
 * Call council.api_incident with what a form sent (what: "file" or
 * "act"; action: NULL, "submit" or "acknowledge").  Returns the result
 * (status, error, id), or NULL with err on a database failure.
 */
static PGresult *
incident_call(struct http_req *req, const struct form *f, const char *what,
    const char *id, const char *action, char *err, size_t errlen)
{
	struct buf	 texts, states, auth;
	const char	*params[21];
	PGresult	*r;
	int		 file = strcmp(what, "file") == 0;

	buf_init(&texts);
	buf_init(&states);
	buf_init(&auth);
	incident_json_list(&texts, f, "statement", INCIDENT_STATEMENTS_MAX);
	incident_json_list(&states, f, "statement_state",
	    INCIDENT_STATEMENTS_MAX);
	incident_json_list(&auth, f, "authority", 16);
	params[0] = what;
	params[1] = id;
	params[2] = file ? form_get(f, "title") : NULL;
	params[3] = file ? form_get(f, "aware") : NULL;
	params[4] = file ? form_get(f, "specified") : NULL;
	params[5] = file ? form_get(f, "personal") : NULL;
	params[6] = file ? form_get(f, "unauthorised") : NULL;
	params[7] = file ? form_get(f, "sector") : NULL;
	params[8] = action != NULL && strcmp(action, "acknowledge") == 0 ?
	    NULL : form_get(f, "stage");
	params[9] = action;
	params[10] = form_get(f, "summary");
	params[11] = texts.data;
	params[12] = states.data;
	params[13] = form_get(f, "techniques");
	params[14] = form_get(f, "indicators");
	params[15] = form_get(f, "outage");
	params[16] = form_get(f, "persons");
	params[17] = form_get(f, "kinds");
	params[18] = form_get(f, "cause");
	params[19] = form_get(f, "measures");
	params[20] = auth.data;
	r = caller_db(req, INCIDENT_CALL_SQL, 21, params, err, errlen);
	buf_free(&auth);
	buf_free(&states);
	buf_free(&texts);
	return r;
}

/*
 * POST /incidents/new (action = preview | file): preview shows the
 * regimes that apply to the answers sent, and the form again; file files
 * the report (council.api_incident) and goes to its page.  Refused: the
 * form again as sent, with the reason.
 */
enum MHD_Result
incident_new_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL, *g = NULL;
	const char		*params[6], *a;
	char			 err[256], loc[64];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	params[0] = incident_lang(req);
	params[1] = form_get(&f, "aware") != NULL ? form_get(&f, "aware") : "";
	params[2] = form_get(&f, "specified") != NULL ?
	    form_get(&f, "specified") : "";
	params[3] = form_get(&f, "personal") != NULL ?
	    form_get(&f, "personal") : "";
	params[4] = form_get(&f, "unauthorised") != NULL ?
	    form_get(&f, "unauthorised") : "";
	params[5] = form_get(&f, "sector") != NULL ? form_get(&f, "sector") : "";
	if ((g = caller_db(req, INCIDENT_REGIMES_SQL, 6, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"incident regimes failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	a = form_get(&f, "action");
	if (a == NULL || strcmp(a, "file") != 0) {
		ret = incident_new_page(req, &me, 200, NULL, &f, g);
		goto out;
	}
	if ((r = incident_call(req, &f, "file", NULL, NULL, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"incident file failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st >= 300) {
		ret = incident_new_page(req, &me, st == 401 ? 403 : 422,
		    http_text_of(req, "incident.error", PQgetvalue(r, 0, 1),
		    "incident.error.invalid"), &f, g);
		goto out;
	}
	snprintf(loc, sizeof(loc), "/incidents/%s", PQgetvalue(r, 0, 2));
	ret = http_redirect_done(req, loc, "incident.filed");
out:
	PQclear(g);
	PQclear(r);
	form_free(&f);
	return ret;
}

/* The rows of INCIDENT_ROWS_SQL into the lists deliveries, deadlines and
 * submissions. */
static void
incident_rows(struct http_req *req, struct tmpl_vars *vars, PGresult *r)
{
	struct tmpl_vars	*it;
	const char		*k;
	char			 left[64];
	int			 i;

	for (i = 0; i < PQntuples(r); i++) {
		k = PQgetvalue(r, i, 0);
		if (*k == 'd') {
			it = tmpl_vars_add_item(vars, "deliveries");
			tmpl_vars_set(it, "authority", PQgetvalue(r, i, 1));
			tmpl_vars_set(it, "regime", http_text_of(req,
			    "incident.regime", PQgetvalue(r, i, 2), NULL));
			tmpl_vars_set(it, "delivered", PQgetvalue(r, i, 3));
			if (*PQgetvalue(r, i, 4) != '\0')
				tmpl_vars_set(it, "acknowledged",
				    PQgetvalue(r, i, 4));
		} else if (*k == 'l') {
			it = tmpl_vars_add_item(vars, "deadlines");
			tmpl_vars_set(it, "authority", PQgetvalue(r, i, 1));
			tmpl_vars_set(it, "regime", http_text_of(req,
			    "incident.regime", PQgetvalue(r, i, 2), NULL));
			tmpl_vars_set(it, "stage", http_text_of(req,
			    "incident.stage", PQgetvalue(r, i, 3), NULL));
			tmpl_vars_set(it, "due", PQgetvalue(r, i, 4));
			tmpl_vars_set(it, "state", http_text_of(req,
			    "incident.state", PQgetvalue(r, i, 5), NULL));
			tmpl_vars_setf(it, "state_class", "badge badge--%s",
			    PQgetvalue(r, i, 5));
			if (strcmp(PQgetvalue(r, i, 5), "open") == 0 &&
			    atoll(PQgetvalue(r, i, 6)) > 0) {
				caller_time_left(req, atoll(PQgetvalue(r, i, 6)),
				    left, sizeof(left));
				tmpl_vars_set(it, "left", left);
			}
		} else {
			it = tmpl_vars_add_item(vars, "submissions");
			tmpl_vars_setf(it, "seq", "%s", PQgetvalue(r, i, 6));
			tmpl_vars_set(it, "stage", http_text_of(req,
			    "incident.stage", PQgetvalue(r, i, 1), NULL));
			if (*PQgetvalue(r, i, 2) == 't')
				tmpl_vars_set(it, "amendment", "1");
			tmpl_vars_set(it, "date", PQgetvalue(r, i, 3));
		}
	}
}

/* The warnings drawn from the report (INCIDENT_WARNINGS_SQL's rows). */
static void
incident_warnings(struct http_req *req, struct tmpl_vars *vars, PGresult *w)
{
	struct tmpl_vars	*it;
	int			 i;

	for (i = 0; i < PQntuples(w); i++) {
		it = tmpl_vars_add_item(vars, "warnings");
		tmpl_vars_setf(it, "href", "/posts/%s", PQgetvalue(w, i, 0));
		tmpl_vars_set(it, "title", PQgetvalue(w, i, 1));
		tmpl_vars_set(it, "consent", http_text_of(req,
		    "incident.warnings.consent", PQgetvalue(w, i, 2), NULL));
		tmpl_vars_set(it, "reach", http_text(req,
		    *PQgetvalue(w, i, 3) == 't' ? "incident.warnings.beyond" :
		    "incident.warnings.parties"));
		tmpl_vars_set(it, "replies", PQgetvalue(w, i, 4));
		if (*PQgetvalue(w, i, 5) != 't')
			continue;
		tmpl_vars_setf(it, "feedback", "%s %s · %s %s · %s %s · %s %s",
		    http_text(req, "feedback.answer.seen"), PQgetvalue(w, i, 6),
		    http_text(req, "feedback.answer.not_seen"),
		    PQgetvalue(w, i, 7),
		    http_text(req, "feedback.answer.unknown"),
		    PQgetvalue(w, i, 8),
		    http_text(req, "feedback.answer.expert"),
		    PQgetvalue(w, i, 9));
	}
}

/*
 * Report n's page (404 when hidden or absent, like an absent id), with
 * error above it and, for the reporter, the next stage's form: f as sent
 * when it was refused, else the latest content.
 */
static enum MHD_Result
incident_page(struct http_req *req, const struct caller_me *me, long long n,
    unsigned status, const char *error, const struct form *f)
{
	struct tmpl_vars	*vars = NULL;
	PGresult		*h = NULL, *r = NULL, *c = NULL, *w = NULL;
	const char		*params[2];
	char			 err[256], id[24];
	enum MHD_Result		 ret;

	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	params[1] = incident_lang(req);
	if ((h = caller_db(req, INCIDENT_HEAD_SQL, 2, params, err,
	    sizeof(err))) == NULL ||
	    (r = caller_db(req, INCIDENT_ROWS_SQL, 2, params, err,
	    sizeof(err))) == NULL ||
	    (c = caller_db(req, INCIDENT_FIELDS_SQL, 1, params, err,
	    sizeof(err))) == NULL ||
	    (PQntuples(h) > 0 && (w = caller_db(req, INCIDENT_WARNINGS_SQL, 1,
	    params, err, sizeof(err))) == NULL)) {
		log_error("msg=\"incident failed\" rid=%s error=\"%s\"",
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
	tmpl_vars_set(vars, "mode_report", "1");
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	tmpl_vars_set(vars, "id", id);
	tmpl_vars_setf(vars, "action", "/incidents/%s", id);
	tmpl_vars_set(vars, "report_title", PQgetvalue(h, 0, 1));
	tmpl_vars_set(vars, "org", PQgetvalue(h, 0, 2));
	tmpl_vars_set(vars, "aware", PQgetvalue(h, 0, 3));
	tmpl_vars_set(vars, "a_specified", http_text(req, *PQgetvalue(h, 0, 4)
	    == 't' ? "incident.yes" : "incident.no"));
	tmpl_vars_set(vars, "a_personal", http_text(req, *PQgetvalue(h, 0, 5)
	    == 't' ? "incident.yes" : "incident.no"));
	tmpl_vars_set(vars, "a_unauthorised", http_text(req,
	    *PQgetvalue(h, 0, 6) == 't' ? "incident.yes" : "incident.no"));
	tmpl_vars_set(vars, "a_sector", *PQgetvalue(h, 0, 7) != '\0' ?
	    PQgetvalue(h, 0, 7) : http_text(req, "incident.sector_none"));
	if (PQntuples(c) > 0)
		tmpl_vars_set(vars, "stage_now", http_text_of(req,
		    "incident.stage", PQgetvalue(c, 0, 10), NULL));
	if (*PQgetvalue(h, 0, 9) == 't')
		tmpl_vars_set(vars, "may_ack", "1");
	incident_rows(req, vars, r);
	incident_warnings(req, vars, w);
	if (*PQgetvalue(h, 0, 10) == 't')
		tmpl_vars_setf(vars, "draft_href", "/posts/new?incident=%s", id);
	/* Items 6 and 10: its joint hearings and per-incident groups. */
	tmpl_vars_setf(vars, "hearings_href", "/incidents/%s/hearings", id);
	tmpl_vars_setf(vars, "groups_href", "/incidents/%s/groups", id);
	/* The content: the reporter's in the next stage's form (as sent
	 * when refused), everyone else's to read. */
	if (*PQgetvalue(h, 0, 8) == 't') {
		tmpl_vars_set(vars, "mine", "1");
		tmpl_vars_set(vars, "content_form", "1");
		incident_stage_options(req, vars, f != NULL ?
		    form_get(f, "stage") : PQntuples(c) > 0 ?
		    PQgetvalue(c, 0, 10) : NULL);
	}
	if (f != NULL)
		incident_fields_sent(vars, f);
	else
		incident_fields_stored(req, vars, c);
	ret = http_page(req, status, "incident.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(w);
	PQclear(c);
	PQclear(r);
	PQclear(h);
	return ret;
}

enum MHD_Result
incident_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return incident_page(req, &me, req->id, 200, NULL, NULL);
}

/*
 * POST /incidents/N (action = submit (stage and the content) |
 * acknowledge): through council.api_incident.  A hidden report answers
 * like an absent one (404); refused: the page again with the reason and
 * the form as sent.
 */
enum MHD_Result
incident_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*a;
	char			 err[256], id[24], loc[64];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	a = form_get(&f, "action");
	if (a == NULL || (strcmp(a, "submit") != 0 &&
	    strcmp(a, "acknowledge") != 0)) {
		ret = incident_page(req, &me, req->id, 422, http_text(req,
		    "incident.error.invalid"), NULL);
		goto out;
	}
	snprintf(id, sizeof(id), "%lld", req->id);
	if ((r = incident_call(req, &f, "act", id, a, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"incident act failed\" rid=%s error=\"%s\"",
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
		ret = incident_page(req, &me, req->id, st == 403 ? 403 : 422,
		    http_text_of(req, "incident.error", PQgetvalue(r, 0, 1),
		    "incident.error.invalid"), strcmp(a, "submit") == 0 ?
		    &f : NULL);
		goto out;
	}
	snprintf(loc, sizeof(loc), "/incidents/%lld", req->id);
	ret = http_redirect_done(req, loc, strcmp(a, "submit") == 0 ?
	    "incident.submitted" : "incident.acknowledged");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
incident_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.incidents_for_me()::text",
	    0, NULL);
}
