/*
 * cymat.c: support requests to CYMAT on the portal (see cymat.h): the
 * cases the caller sees with the form by which a national agency asks for
 * support, a case's page with the head's decision (dispatch, naming the
 * team's members, or decline), the supported body's damage reports and
 * the head's end of the support (the decision and the end are asked
 * first, confirm.h), and the JSON API's list.  Every write goes through
 * the JSON API's own call, council.api_cymat, so that the page and the API
 * refuse alike; policy/84_cymat.sql decides who sees and does what (a
 * hidden case answers like an absent one).  The rest of the API is
 * routes.c's generic rows: the read of one case (council.cymat_case) and
 * the writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "confirm.h"
#include "cymat.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

static const char *const cymat_channels[] = { "ciso", "csirt" };

/* The cases the caller sees (policy/84_cymat.sql decides), newest first;
 * $1 the language. */
static const char CYMAT_LIST_SQL[] =
    "SELECT x.id, coalesce(CASE WHEN " CALLER_EN("$1") " THEN o.name_en ELSE o.name_ja END, ''), "
    "x.channel::text, x.emergency, x.status::text, " CALLER_JST("x.created_at") " "
    "FROM council.cymat_cases x LEFT JOIN council.organisations o ON o.id = x.org_id "
    "ORDER BY x.id DESC LIMIT 200";

/* Whether the caller may request support: a registered handler or the
 * administrator of a national agency (council.cymat_request decides the
 * same again). */
static const char CYMAT_MAY_REQUEST_SQL[] =
    "SELECT council.incident_may_touch() AND EXISTS (SELECT 1 FROM council.organisations o "
    "WHERE o.id = council.current_org_id() AND o.category = 'national_agency' "
    "AND o.status = 'member')";

/* Case $1 as the caller sees it (no row: hidden or absent); $2 the
 * language.  Then whether the caller is the head, and whether it speaks
 * for the supported body. */
static const char CYMAT_CASE_SQL[] =
    "SELECT x.id, coalesce(CASE WHEN " CALLER_EN("$2") " THEN o.name_en ELSE o.name_ja END, ''), "
    "x.channel::text, x.emergency, x.description, x.wider_use_consent, x.status::text, "
    CALLER_JST("x.created_at") ", coalesce(" CALLER_JST("x.decided_at") ", ''), "
    "coalesce(x.decision_note, ''), coalesce(" CALLER_JST("x.closed_at") ", ''), "
    "council.cymat_my_role() IS NOT DISTINCT FROM 'head', "
    "x.org_id = council.current_org_id() AND council.incident_may_touch(), "
    "x.requested_by::text, coalesce(x.decided_by::text, ''), "
    "coalesce(x.closed_by::text, '') "
    "FROM council.cymat_cases x LEFT JOIN council.organisations o ON o.id = x.org_id "
    "WHERE x.id = $1::bigint";

/* Columns of CYMAT_CASE_SQL. */
enum { CC_ID, CC_ORG, CC_CHANNEL, CC_EMERGENCY, CC_DESCRIPTION, CC_WIDER,
    CC_STATUS, CC_CREATED, CC_DECIDED, CC_NOTE, CC_CLOSED, CC_HEAD, CC_BODY,
    CC_REQUESTER, CC_DECIDER, CC_CLOSER };

/* The people the case names (council.cymat_case_people: nothing when the
 * case is hidden), with whether each was dispatched. */
static const char CYMAT_PEOPLE_SQL[] =
    "SELECT p.person_id::text, CASE WHEN " CALLER_EN("$2") " THEN p.name_en ELSE p.name_ja END, "
    "CASE WHEN " CALLER_EN("$2") " THEN p.org_en ELSE p.org_ja END, "
    "EXISTS (SELECT 1 FROM council.cymat_dispatch d WHERE d.case_id = $1::bigint "
    "AND d.person_id = p.person_id) "
    "FROM council.cymat_case_people($1::bigint) p ORDER BY p.person_id";

/* The damage reports of case $1, in order. */
static const char CYMAT_DAMAGE_SQL[] =
    "SELECT r.seq, " CALLER_JST("r.submitted_at") ", r.submitted_by::text, r.body "
    "FROM council.cymat_damage_reports r WHERE r.case_id = $1::bigint ORDER BY r.seq";

/* The team as the head names its members (council.cymat_team_roster:
 * nothing for those outside the team's lead); $1 the language. */
static const char CYMAT_TEAM_SQL[] =
    "SELECT t.person_id::text, t.role::text, "
    "CASE WHEN " CALLER_EN("$1") " THEN t.name_en ELSE t.name_ja END, "
    "CASE WHEN " CALLER_EN("$1") " THEN t.org_en ELSE t.org_ja END "
    "FROM council.cymat_team_roster() t";

/* A request (council.api_cymat 'request'): $1 channel, $2 emergency, $3
 * description, $4 consent to wider use (checkboxes: present or NULL). */
static const char CYMAT_REQUEST_SQL[] =
    "SELECT status, body::json->>'error', body::json->>'id' "
    "FROM council.api_cymat('request', NULL, json_strip_nulls(json_build_object("
    "'channel', $1::text, 'emergency', $2::text IS NOT NULL, 'description', $3::text, "
    "'wider_use_consent', $4::text IS NOT NULL))::text)";

/* An act on case $1 (council.api_cymat 'act'): $2 action, $3 the members
 * (ids with any separators), $4 note, $5 body.  NULLs are left out. */
static const char CYMAT_ACT_SQL[] =
    "SELECT status, body::json->>'error' "
    "FROM council.api_cymat('act', $1::bigint, json_strip_nulls(json_build_object("
    "'action', $2::text, 'members', CASE WHEN $2 = 'dispatch' THEN "
    "(SELECT coalesce(json_agg(x::bigint), '[]') FROM "
    "regexp_split_to_table(left(coalesce($3::text, ''), 1000), '[^0-9]+') x "
    "WHERE x ~ '^[0-9]{1,18}$') END, "
    "'note', nullif(btrim($4::text), ''), 'body', $5::text))::text)";

/* The field a refusal code is about, or NULL. */
static const char *
cymat_bad_field(const char *code)
{
	if (strcmp(code, "invalid_description") == 0)
		return "description";
	if (strcmp(code, "csirt_only_in_emergency") == 0 ||
	    strcmp(code, "answers_required") == 0 ||
	    strcmp(code, "invalid_request") == 0)
		return "channel";
	if (strcmp(code, "invalid_members") == 0)
		return "members";
	if (strcmp(code, "invalid_note") == 0 ||
	    strcmp(code, "note_required") == 0)
		return "note";
	if (strcmp(code, "invalid_body") == 0)
		return "body";
	return NULL;
}

/* The refusal's text and, when it names one, its field (bad_<field>). */
static void
cymat_refusal(struct tmpl_vars *vars, const char *error, const char *bad)
{
	char	key[32];

	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	if (bad != NULL) {
		snprintf(key, sizeof(key), "bad_%s", bad);
		tmpl_vars_set(vars, key, "true");
	}
}

/*
 * The list and, for a national agency's handler, the request form: f
 * (when not NULL) shown again as sent, error above it, bad the field it
 * is about.
 */
static enum MHD_Result
cymat_list_page(struct http_req *req, unsigned status, const char *error,
    const struct form *f, const char *bad)
{
	struct caller_me	 me;
	struct db_stmt		 s[2];
	struct tmpl_vars	*vars = NULL, *it;
	const char		*lang[1] = { caller_lang_query(req) }, *v;
	PGresult		*r, *m;
	size_t			 k;
	int			 i;
	enum MHD_Result		 ret;

	memset(s, 0, sizeof(s));
	s[0].sql = CYMAT_LIST_SQL;
	s[0].nparams = 1;
	s[0].params = lang;
	s[1].sql = CYMAT_MAY_REQUEST_SQL;
	if (!caller_page_db(req, &me, s, 2, &ret))
		return ret;
	if ((r = s[0].result) == NULL || (m = s[1].result) == NULL) {
		log_error("msg=\"cymat list failed\" rid=%s error=\"%s%s\"",
		    req->rid, s[0].err, s[1].err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	cymat_refusal(vars, error, bad);
	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, "cases");
		tmpl_vars_setf(it, "href", "/cymat/%s", PQgetvalue(r, i, 0));
		tmpl_vars_setf(it, "label", "#%s", PQgetvalue(r, i, 0));
		tmpl_vars_set(it, "org", PQgetvalue(r, i, 1));
		tmpl_vars_set(it, "channel", http_text_of(req, "cymat.channel",
		    PQgetvalue(r, i, 2), NULL));
		if (*PQgetvalue(r, i, 3) == 't')
			tmpl_vars_set(it, "emergency", "1");
		tmpl_vars_set(it, "status", http_text_of(req, "cymat.status",
		    PQgetvalue(r, i, 4), NULL));
		tmpl_vars_set(it, "date", PQgetvalue(r, i, 5));
	}
	if (PQntuples(m) == 1 && *PQgetvalue(m, 0, 0) == 't')
		tmpl_vars_set(vars, "may_request", "1");
	v = f != NULL ? form_get(f, "channel") : NULL;
	for (k = 0; k < UTIL_ARRAY_LEN(cymat_channels); k++) {
		it = tmpl_vars_add_item(vars, "channels");
		tmpl_vars_set(it, "value", cymat_channels[k]);
		tmpl_vars_setf(it, "id", "cymat-channel-%s", cymat_channels[k]);
		tmpl_vars_setf(it, "help_id", "cymat-channel-%s-help",
		    cymat_channels[k]);
		tmpl_vars_set(it, "label", http_text_of(req, "cymat.channel",
		    cymat_channels[k], NULL));
		tmpl_vars_set(it, "help", http_text_of(req, "cymat.channel.help",
		    cymat_channels[k], NULL));
		/* The CISO's channel is the usual one: chosen unless the
		 * form sent another. */
		if (v != NULL ? strcmp(v, cymat_channels[k]) == 0 : k == 0)
			tmpl_vars_set(it, "checked", "checked");
	}
	if (f != NULL && form_get(f, "emergency") != NULL)
		tmpl_vars_set(vars, "emergency_checked", "checked");
	if (f != NULL && form_get(f, "wider_use") != NULL)
		tmpl_vars_set(vars, "wider_use_checked", "checked");
	if (f != NULL && (v = form_get(f, "description")) != NULL)
		tmpl_vars_set(vars, "description", v);
	ret = http_page(req, status, "cymat.xhtml", vars);
out:
	tmpl_vars_free(vars);
	for (i = 0; i < 2; i++)
		PQclear(s[i].result);
	return ret;
}

enum MHD_Result
cymat_list(struct http_req *req)
{
	return cymat_list_page(req, 200, NULL, NULL, NULL);
}

/*
 * POST /cymat (channel, emergency, description, wider_use): R-CYMAT-1,
 * through council.api_cymat; refused: the form again as sent, the field
 * marked, nothing stored.
 */
enum MHD_Result
cymat_request(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[4], *code;
	char			 err[256], loc[64];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	params[0] = form_get(&f, "channel");
	params[1] = form_get(&f, "emergency");
	params[2] = form_get(&f, "description");
	params[3] = form_get(&f, "wider_use");
	if ((r = caller_db(req, CYMAT_REQUEST_SQL, 4, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"cymat request failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st >= 300) {
		code = PQgetvalue(r, 0, 1);
		ret = cymat_list_page(req, st == 403 ? 403 : 422,
		    http_text_of(req, "cymat.error", code, "cymat.error.invalid"),
		    &f, cymat_bad_field(code));
		goto out;
	}
	snprintf(loc, sizeof(loc), "/cymat/%s", PQgetvalue(r, 0, 2));
	ret = http_redirect_done(req, loc, "cymat.requested");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* Every member id f sent (the checkboxes "member", or the confirmed
 * form's one field "members"), appended to b separated by commas. */
static void
cymat_members_join(const struct form *f, struct buf *b)
{
	const char	*v;
	size_t		 i;

	buf_puts(b, "");
	for (i = 0; (v = form_get_nth(f, "member", i)) != NULL; i++)
		buf_printf(b, "%s%s", b->len > 0 ? "," : "", v);
	for (i = 0; (v = form_get_nth(f, "members", i)) != NULL; i++)
		buf_printf(b, "%s%s", b->len > 0 ? "," : "", v);
}

/* 1 when id is one of the comma-separated ids of list. */
static int
cymat_listed(const char *list, const char *id)
{
	size_t		 n = strlen(id);
	const char	*p = list;

	while (n > 0 && (p = strstr(p, id)) != NULL) {
		if ((p == list || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

/* The name of person id among the case's people ("" when unknown). */
static const char *
cymat_person(PGresult *people, const char *id, int with_org, char *buf,
    size_t len)
{
	int	i;

	for (i = 0; *id != '\0' && i < PQntuples(people); i++) {
		if (strcmp(PQgetvalue(people, i, 0), id) != 0)
			continue;
		if (!with_org)
			return PQgetvalue(people, i, 1);
		snprintf(buf, len, "%s (%s)", PQgetvalue(people, i, 1),
		    PQgetvalue(people, i, 2));
		return buf;
	}
	return "";
}

/* The forms of the case's page: who may do what now, with what a refused
 * form sent (f, or NULL). */
static void
cymat_case_forms(struct http_req *req, struct tmpl_vars *vars, PGresult *h,
    PGresult *team, const struct form *f)
{
	struct tmpl_vars	*it;
	struct buf		 sent;
	const char		*st = PQgetvalue(h, 0, CC_STATUS), *a, *v;
	int			 head = *PQgetvalue(h, 0, CC_HEAD) == 't', i;
	char			 label[600];

	buf_init(&sent);
	a = f != NULL ? form_get(f, "action") : NULL;
	if (f != NULL)
		cymat_members_join(f, &sent);
	if (head && strcmp(st, "requested") == 0) {
		tmpl_vars_set(vars, "may_decide", "1");
		for (i = 0; i < PQntuples(team); i++) {
			it = tmpl_vars_add_item(vars, "team");
			tmpl_vars_set(it, "value", PQgetvalue(team, i, 0));
			tmpl_vars_setf(it, "id", "cymat-member-%s",
			    PQgetvalue(team, i, 0));
			snprintf(label, sizeof(label), "%s (%s, %s)",
			    PQgetvalue(team, i, 2), PQgetvalue(team, i, 3),
			    http_text_of(req, "cymat.role", PQgetvalue(team,
			    i, 1), NULL));
			tmpl_vars_set(it, "label", label);
			if (sent.data != NULL && cymat_listed(sent.data,
			    PQgetvalue(team, i, 0)))
				tmpl_vars_set(it, "checked", "checked");
		}
		if (a != NULL && strcmp(a, "dispatch") == 0 &&
		    (v = form_get(f, "note")) != NULL)
			tmpl_vars_set(vars, "dispatch_note", v);
		if (a != NULL && strcmp(a, "decline") == 0 &&
		    (v = form_get(f, "note")) != NULL)
			tmpl_vars_set(vars, "decline_note", v);
	}
	if (strcmp(st, "dispatched") == 0) {
		if (*PQgetvalue(h, 0, CC_BODY) == 't') {
			tmpl_vars_set(vars, "may_report", "1");
			if (f != NULL && (v = form_get(f, "body")) != NULL)
				tmpl_vars_set(vars, "body_sent", v);
		}
		if (head) {
			tmpl_vars_set(vars, "may_close", "1");
			if (a != NULL && strcmp(a, "close") == 0 &&
			    (v = form_get(f, "note")) != NULL)
				tmpl_vars_set(vars, "close_note", v);
		}
	}
	buf_free(&sent);
}

/*
 * Case n's page (404 when hidden or absent, as an absent id): the case,
 * the people dispatched, the damage reports and the forms the caller may
 * use; error above it (bad its field), f the refused form's values.
 */
static enum MHD_Result
cymat_case_page(struct http_req *req, long long n, unsigned status,
    const char *error, const struct form *f, const char *bad)
{
	struct caller_me	 me;
	struct db_stmt		 s[4];
	struct tmpl_vars	*vars = NULL, *it;
	const char		*p2[2], *p1[1], *stat;
	PGresult		*h, *people, *dmg, *team;
	char			 id[24], who[600];
	int			 i;
	enum MHD_Result		 ret;

	snprintf(id, sizeof(id), "%lld", n);
	p2[0] = id;
	p2[1] = caller_lang_query(req);
	p1[0] = caller_lang_query(req);
	memset(s, 0, sizeof(s));
	s[0].sql = CYMAT_CASE_SQL;
	s[0].nparams = 2;
	s[0].params = p2;
	s[1].sql = CYMAT_PEOPLE_SQL;
	s[1].nparams = 2;
	s[1].params = p2;
	s[2].sql = CYMAT_DAMAGE_SQL;
	s[2].nparams = 1;
	s[2].params = p2;
	s[3].sql = CYMAT_TEAM_SQL;
	s[3].nparams = 1;
	s[3].params = p1;
	if (!caller_page_db(req, &me, s, 4, &ret))
		return ret;
	if ((h = s[0].result) == NULL || (people = s[1].result) == NULL ||
	    (dmg = s[2].result) == NULL || (team = s[3].result) == NULL) {
		log_error("msg=\"cymat case failed\" rid=%s error=\"%s%s%s%s\"",
		    req->rid, s[0].err, s[1].err, s[2].err, s[3].err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(h) == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	cymat_refusal(vars, error, bad);
	stat = PQgetvalue(h, 0, CC_STATUS);
	tmpl_vars_set(vars, "id", id);
	tmpl_vars_setf(vars, "action", "/cymat/%s", id);
	tmpl_vars_set(vars, "org", PQgetvalue(h, 0, CC_ORG));
	tmpl_vars_set(vars, "channel", http_text_of(req, "cymat.channel",
	    PQgetvalue(h, 0, CC_CHANNEL), NULL));
	tmpl_vars_set(vars, "emergency", http_text(req,
	    *PQgetvalue(h, 0, CC_EMERGENCY) == 't' ? "cymat.yes" : "cymat.no"));
	tmpl_vars_set(vars, "wider_use", http_text(req,
	    *PQgetvalue(h, 0, CC_WIDER) == 't' ? "cymat.wider_use.yes" :
	    "cymat.wider_use.no"));
	tmpl_vars_set(vars, "description", PQgetvalue(h, 0, CC_DESCRIPTION));
	tmpl_vars_set(vars, "status", http_text_of(req, "cymat.status", stat,
	    NULL));
	tmpl_vars_set(vars, "created", PQgetvalue(h, 0, CC_CREATED));
	tmpl_vars_set(vars, "requester", cymat_person(people,
	    PQgetvalue(h, 0, CC_REQUESTER), 0, who, sizeof(who)));
	if (*PQgetvalue(h, 0, CC_DECIDED) != '\0') {
		tmpl_vars_set(vars, "decided", PQgetvalue(h, 0, CC_DECIDED));
		tmpl_vars_set(vars, "decider", cymat_person(people,
		    PQgetvalue(h, 0, CC_DECIDER), 1, who, sizeof(who)));
	}
	if (*PQgetvalue(h, 0, CC_NOTE) != '\0')
		tmpl_vars_set(vars, "note", PQgetvalue(h, 0, CC_NOTE));
	if (*PQgetvalue(h, 0, CC_CLOSED) != '\0') {
		tmpl_vars_set(vars, "closed", PQgetvalue(h, 0, CC_CLOSED));
		tmpl_vars_set(vars, "closer", cymat_person(people,
		    PQgetvalue(h, 0, CC_CLOSER), 1, who, sizeof(who)));
	}
	for (i = 0; i < PQntuples(people); i++) {
		if (*PQgetvalue(people, i, 3) != 't')
			continue;
		it = tmpl_vars_add_item(vars, "members");
		tmpl_vars_set(it, "name", PQgetvalue(people, i, 1));
		tmpl_vars_set(it, "org", PQgetvalue(people, i, 2));
	}
	for (i = 0; i < PQntuples(dmg); i++) {
		it = tmpl_vars_add_item(vars, "reports");
		tmpl_vars_setf(it, "label", "#%s", PQgetvalue(dmg, i, 0));
		tmpl_vars_setf(it, "anchor", "cymat-report-%s",
		    PQgetvalue(dmg, i, 0));
		tmpl_vars_set(it, "date", PQgetvalue(dmg, i, 1));
		tmpl_vars_set(it, "author", cymat_person(people,
		    PQgetvalue(dmg, i, 2), 0, who, sizeof(who)));
		tmpl_vars_set(it, "body", PQgetvalue(dmg, i, 3));
	}
	cymat_case_forms(req, vars, h, team, f);
	ret = http_page(req, status, "cymat_case.xhtml", vars);
out:
	tmpl_vars_free(vars);
	for (i = 0; i < 4; i++)
		PQclear(s[i].result);
	return ret;
}

enum MHD_Result
cymat_get(struct http_req *req)
{
	return cymat_case_page(req, req->id, 200, NULL, NULL, NULL);
}

/*
 * Whether act a on case id is the caller's to do now, with what the form
 * needs for it (a member named to dispatch, a reason to decline): then it
 * is asked first.  Otherwise the act answers at once (404, or why not).
 */
static int
cymat_askable(struct http_req *req, const char *id, const char *a,
    const struct form *f, const char *members)
{
	PGresult	*r;
	const char	*params[2], *note = form_get(f, "note");
	char		 err[256];
	int		 yes;

	if (strcmp(a, "dispatch") == 0 && strspn(members, ", ") ==
	    strlen(members))
		return 0;
	if (strcmp(a, "decline") == 0 && (note == NULL ||
	    strspn(note, " \t\n\r") == strlen(note)))
		return 0;
	params[0] = id;
	params[1] = strcmp(a, "close") == 0 ? "dispatched" : "requested";
	r = caller_db(req, "SELECT 1 FROM council.cymat_cases "
	    "WHERE id = $1::bigint AND status::text = $2 "
	    "AND council.cymat_my_role() IS NOT DISTINCT FROM 'head'", 2,
	    params, err, sizeof(err));
	yes = r != NULL && PQntuples(r) == 1;
	PQclear(r);
	return yes;
}

/* What the head's acts ask first (confirm.h): none can be undone. */
static const char *const cymat_carry[] = { "action", "members", "note", NULL };

/*
 * Ask before the head's act a on case id: the confirmation page, posting
 * the act again with the members sent joined into one field.
 */
static enum MHD_Result
cymat_ask(struct http_req *req, const struct caller_me *me, const char *id,
    const char *a, const struct form *f, const char *members)
{
	struct form		 carry;
	struct confirm_ask	 ask;
	const char		*note = form_get(f, "note");
	char			 loc[64], subject[128], heading[64], cons[64],
				 submit[64];
	enum MHD_Result		 ret;

	form_init(&carry);
	carry.fields[carry.nfields].name = xstrdup("action");
	carry.fields[carry.nfields++].value = xstrdup(a);
	if (*members != '\0') {
		carry.fields[carry.nfields].name = xstrdup("members");
		carry.fields[carry.nfields++].value = xstrdup(members);
	}
	if (note != NULL) {
		carry.fields[carry.nfields].name = xstrdup("note");
		carry.fields[carry.nfields++].value = xstrdup(note);
	}
	snprintf(loc, sizeof(loc), "/cymat/%s", id);
	snprintf(subject, sizeof(subject), "%s #%s", http_text(req,
	    "cymat.case"), id);
	snprintf(heading, sizeof(heading), "confirm.cymat.%s.heading", a);
	snprintf(cons, sizeof(cons), "confirm.cymat.%s.consequence", a);
	snprintf(submit, sizeof(submit), "cymat.%s", a);
	ask.action = loc;
	ask.heading = heading;
	ask.consequence = cons;
	ask.submit = submit;
	ask.subject = subject;
	ask.back = loc;
	ask.carry = cymat_carry;
	ret = confirm_page(req, me, &carry, &ask);
	form_free(&carry);
	return ret;
}

/*
 * POST /cymat/N (action = dispatch (member..., note) | decline (note) |
 * close (note), asked first; damage (body)), through council.api_cymat.
 * A hidden case answers like an absent one (404); a refusal shows the
 * page again with the form as sent, nothing changed.
 */
enum MHD_Result
cymat_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct buf		 members;
	PGresult		*r = NULL;
	const char		*params[5], *a, *code;
	char			 err[256], id[24], loc[64];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	buf_init(&members);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", req->id);
	snprintf(loc, sizeof(loc), "/cymat/%lld", req->id);
	a = form_get(&f, "action");
	cymat_members_join(&f, &members);
	if (a != NULL && (strcmp(a, "dispatch") == 0 ||
	    strcmp(a, "decline") == 0 || strcmp(a, "close") == 0) &&
	    !confirm_given(&f) && cymat_askable(req, id, a, &f,
	    members.data)) {
		ret = cymat_ask(req, &me, id, a, &f, members.data);
		goto out;
	}
	params[0] = id;
	params[1] = a;
	params[2] = members.data;
	params[3] = form_get(&f, "note");
	params[4] = form_get(&f, "body");
	if ((r = caller_db(req, CYMAT_ACT_SQL, 5, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"cymat act failed\" rid=%s error=\"%s\"",
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
		code = PQgetvalue(r, 0, 1);
		ret = cymat_case_page(req, req->id, st == 403 ? 403 : 422,
		    http_text_of(req, "cymat.error", code,
		    "cymat.error.invalid"), &f, cymat_bad_field(code));
		goto out;
	}
	ret = http_redirect_done(req, loc, a == NULL ? "cymat.reported" :
	    strcmp(a, "dispatch") == 0 ?
	    "cymat.dispatched" : strcmp(a, "decline") == 0 ?
	    "cymat.declined" : strcmp(a, "close") == 0 ? "cymat.closed" :
	    "cymat.reported");
out:
	PQclear(r);
	buf_free(&members);
	form_free(&f);
	return ret;
}

enum MHD_Result
cymat_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.cymat_cases_for_me()::text",
	    0, NULL);
}
