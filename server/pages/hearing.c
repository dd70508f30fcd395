/*
 * hearing.c: joint hearings on the portal (see hearing.h): the hearings
 * of one report with the form by which an authority asks for one, a
 * hearing's page with its invited authorities, its record and the acts
 * of whoever may act (the reporter consents, per authority, or declines;
 * an authority consented joins; those who take part write the record;
 * the requesting authority invites more and closes), and the JSON API's
 * reads.  Every write goes through the JSON API's own call,
 * council.api_hearing, so that the page and the API refuse alike; the
 * acts that cannot be undone (consent, decline, close) are asked first
 * (kit/confirm.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "confirm.h"
#include "db.h"
#include "form.h"
#include "hearing.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

/* Report $1 as the caller sees it (no row: hidden or absent), and
 * whether the caller's organisation is an authority it was delivered to
 * (then it may ask for a hearing). */
static const char HEARING_REPORT_SQL[] =
    "SELECT x.id, x.title, EXISTS (SELECT 1 FROM council.incident_deliveries d "
    "WHERE d.report_id = x.id AND d.authority_org_id = (SELECT me.org_id FROM council.me)) "
    "FROM council.incident_reports x WHERE x.id = $1::bigint";

/* The hearings of report $1 the caller sees, newest first; $2 the
 * language. */
static const char HEARING_LIST_SQL[] =
    "SELECT h.id, h.subject, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, "
    CALLER_JST("h.proposed_at") ", h.status::text "
    "FROM council.incident_hearings h JOIN council.organisations o ON o.id = h.org_id "
    "WHERE h.report_id = $1::bigint ORDER BY h.id DESC LIMIT 200";

/* The other authorities report $1 was delivered to: those a hearing may
 * be held with. */
static const char HEARING_INVITEES_SQL[] =
    "SELECT DISTINCT d.authority_org_id, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END "
    "FROM council.incident_deliveries d JOIN council.organisations o ON o.id = d.authority_org_id "
    "WHERE d.report_id = $1::bigint AND d.authority_org_id <> (SELECT me.org_id FROM council.me) "
    "ORDER BY 2";

/* Hearing $1 as the caller sees it (no row: hidden or absent), with what
 * the caller may do (council.hearing's flags). */
static const char HEARING_HEAD_SQL[] =
    "SELECT h.id, h.report_id, x.title, "
    "CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, "
    "CASE WHEN $2 = 'en' THEN ro.name_en ELSE ro.name_ja END, "
    "h.subject, h.agenda, " CALLER_JST("h.proposed_at") ", h.status::text, "
    "coalesce(" CALLER_JST("h.answered_at") ", ''), "
    "coalesce(" CALLER_JST("h.closed_at") ", ''), coalesce(h.note, ''), "
    "v.j->>'may_consent', v.j->>'may_decline', v.j->>'may_invite', v.j->>'may_join', "
    "v.j->>'may_record', v.j->>'may_close', v.j->>'record_visible' "
    "FROM council.incident_hearings h "
    "JOIN council.incident_reports x ON x.id = h.report_id "
    "JOIN council.organisations o ON o.id = h.org_id "
    "JOIN council.organisations ro ON ro.id = x.org_id "
    "CROSS JOIN LATERAL (SELECT council.hearing(h.id)::jsonb AS j) v "
    "WHERE h.id = $1::bigint";

/* The head's columns. */
enum {
	HH_ID, HH_REPORT, HH_TITLE, HH_REQUESTER, HH_REPORTER, HH_SUBJECT,
	HH_AGENDA, HH_PROPOSED, HH_STATUS, HH_ANSWERED, HH_CLOSED, HH_NOTE,
	HH_MAY_CONSENT, HH_MAY_DECLINE, HH_MAY_INVITE, HH_MAY_JOIN,
	HH_MAY_RECORD, HH_MAY_CLOSE, HH_RECORD_VISIBLE
};

/* The authorities invited to hearing $1 the caller sees (a principal
 * all, with the reporter's answers; others those consented). */
static const char HEARING_PARTIES_SQL[] =
    "SELECT p.org_id, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, "
    "p.consent::text, coalesce(" CALLER_JST("p.joined_at") ", '') "
    "FROM council.incident_hearing_parties p JOIN council.organisations o ON o.id = p.org_id "
    "WHERE p.hearing_id = $1::bigint ORDER BY 2";

/* Hearing $1's record, when the caller reads it. */
static const char HEARING_NOTES_SQL[] =
    "SELECT n.seq, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, n.body, "
    CALLER_JST("n.written_at") " "
    "FROM council.incident_hearing_notes n JOIN council.organisations o ON o.id = n.org_id "
    "WHERE n.hearing_id = $1::bigint ORDER BY n.seq";

/* The authorities the report of hearing $1 was delivered to that are
 * neither its requester nor invited yet (for the requester's form). */
static const char HEARING_INVITABLE_SQL[] =
    "SELECT DISTINCT d.authority_org_id, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END "
    "FROM council.incident_hearings h "
    "JOIN council.incident_deliveries d ON d.report_id = h.report_id "
    "JOIN council.organisations o ON o.id = d.authority_org_id "
    "WHERE h.id = $1::bigint AND d.authority_org_id <> h.org_id "
    "AND NOT EXISTS (SELECT 1 FROM council.incident_hearing_parties p "
    "WHERE p.hearing_id = h.id AND p.org_id = d.authority_org_id) ORDER BY 2";

/* One call of the API's row: $1 what, $2 id (the report's or the
 * hearing's), $3 subject, $4 agenda, $5 proposed (JST datetime-local),
 * $6 authorities (comma-separated; the door checks each), $7 action, $8
 * note, $9 body, $10 outcome.  NULLs are left out of the request. */
static const char HEARING_CALL_SQL[] =
    "SELECT status, body::json->>'error', body::json->>'id' "
    "FROM council.api_hearing($1, $2::bigint, json_strip_nulls(json_build_object("
    "'subject', $3::text, 'agenda', $4::text, "
    "'proposed_at', nullif($5::text, '') || ':00+09:00', "
    "'authorities', CASE WHEN $6::text IS NOT NULL THEN (SELECT coalesce(json_agg(x), '[]') "
    "FROM regexp_split_to_table(left($6::text, 1000), ',') x WHERE x <> '') END, "
    "'action', $7::text, 'note', $8::text, 'body', $9::text, 'outcome', $10::text))::text)";

/* Whether act $2 is the caller's to do on hearing $1 now (then it is
 * asked first); no row for a hidden or absent hearing. */
static const char HEARING_ASKABLE_SQL[] =
    "SELECT 1 FROM council.incident_hearings h "
    "CROSS JOIN LATERAL (SELECT council.hearing(h.id)::jsonb AS j) v "
    "WHERE h.id = $1::bigint AND (v.j->>('may_' || $2))::boolean";

static const char *
hearing_lang(struct http_req *req)
{
	return req->lang == I18N_EN ? "en" : "ja";
}

/* The badge of a hearing's status: held passed, declined and cancelled
 * failed, the others plain. */
static const char *
hearing_badge(const char *status)
{
	if (strcmp(status, "held") == 0)
		return "badge badge--passed";
	if (strcmp(status, "declined") == 0 || strcmp(status, "cancelled") == 0)
		return "badge badge--failed";
	return "badge";
}

/* Every authority id f sent (the check boxes "authority", or the
 * confirmed form's one field "authorities"), appended to b separated by
 * commas; b holds "" when none. */
static void
hearing_authorities_join(const struct form *f, struct buf *b)
{
	const char	*v;
	size_t		 i;

	buf_puts(b, "");
	for (i = 0; f != NULL && (v = form_get_nth(f, "authority", i)) != NULL;
	    i++)
		buf_printf(b, "%s%s", b->len > 0 ? "," : "", v);
	for (i = 0; f != NULL && (v = form_get_nth(f, "authorities", i)) !=
	    NULL; i++)
		buf_printf(b, "%s%s", b->len > 0 ? "," : "", v);
}

/* 1 when id is one of the comma-separated ids of list. */
static int
hearing_listed(const char *list, const char *id)
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

/* Check boxes of the authorities in r (id, name), under list name of
 * vars, ticked when sent lists them (sent NULL: none ticked). */
static void
hearing_boxes(struct tmpl_vars *vars, const char *name, PGresult *r,
    const char *sent)
{
	struct tmpl_vars	*it;
	int			 i;

	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, name);
		tmpl_vars_set(it, "value", PQgetvalue(r, i, 0));
		tmpl_vars_setf(it, "id", "hearing-%s-%s", name,
		    PQgetvalue(r, i, 0));
		tmpl_vars_set(it, "label", PQgetvalue(r, i, 1));
		if (sent != NULL && hearing_listed(sent, PQgetvalue(r, i, 0)))
			tmpl_vars_set(it, "checked", "checked");
	}
}

/* The field a refusal code is about, or NULL. */
static const char *
hearing_bad_field(const char *code)
{
	if (strcmp(code, "invalid_subject") == 0)
		return "subject";
	if (strcmp(code, "invalid_agenda") == 0)
		return "agenda";
	if (strcmp(code, "invalid_proposed_at") == 0 ||
	    strcmp(code, "invalid_request") == 0)
		return "proposed";
	if (strcmp(code, "invalid_body") == 0)
		return "body";
	if (strcmp(code, "invalid_note") == 0)
		return "note";
	return NULL;
}

/* The status a refusal answers with: 403 and 409 as the API says, the
 * rest 422. */
static unsigned
hearing_refusal_status(unsigned st)
{
	return st == 403 || st == 409 ? st : 422;
}

/* error and the field it is about (bad) on vars. */
static void
hearing_refusal(struct tmpl_vars *vars, const char *error, const char *bad)
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
 * The hearings of report n (404 when hidden or absent, as an absent id)
 * and, for an authority it was delivered to, the form that asks for one:
 * f (when not NULL) shown again as sent, error above it, bad the field it
 * is about.
 */
static enum MHD_Result
hearing_list_page(struct http_req *req, long long n, unsigned status,
    const char *error, const struct form *f, const char *bad)
{
	struct caller_me	 me;
	struct db_stmt		 s[3];
	struct tmpl_vars	*vars = NULL, *it;
	struct buf		 sent;
	const char		*p2[2], *v;
	PGresult		*rep, *list, *inv;
	char			 id[24];
	int			 i;
	enum MHD_Result		 ret;

	buf_init(&sent);
	snprintf(id, sizeof(id), "%lld", n);
	p2[0] = id;
	p2[1] = hearing_lang(req);
	memset(s, 0, sizeof(s));
	s[0].sql = HEARING_REPORT_SQL;
	s[0].nparams = 1;
	s[0].params = p2;
	s[1].sql = HEARING_LIST_SQL;
	s[1].nparams = 2;
	s[1].params = p2;
	s[2].sql = HEARING_INVITEES_SQL;
	s[2].nparams = 2;
	s[2].params = p2;
	if (!caller_page_db(req, &me, s, 3, &ret))
		goto out;
	if ((rep = s[0].result) == NULL || (list = s[1].result) == NULL ||
	    (inv = s[2].result) == NULL) {
		log_error("msg=\"hearings failed\" rid=%s error=\"%s%s%s\"",
		    req->rid, s[0].err, s[1].err, s[2].err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(rep) == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	hearing_refusal(vars, error, bad);
	tmpl_vars_set(vars, "mode_list", "1");
	tmpl_vars_set(vars, "report_id", id);
	tmpl_vars_set(vars, "report_title", PQgetvalue(rep, 0, 1));
	tmpl_vars_setf(vars, "report_href", "/incidents/%s", id);
	tmpl_vars_setf(vars, "action", "/incidents/%s/hearings", id);
	for (i = 0; i < PQntuples(list); i++) {
		it = tmpl_vars_add_item(vars, "hearings");
		tmpl_vars_setf(it, "href", "/hearings/%s",
		    PQgetvalue(list, i, 0));
		tmpl_vars_setf(it, "label", "#%s", PQgetvalue(list, i, 0));
		tmpl_vars_set(it, "subject", PQgetvalue(list, i, 1));
		tmpl_vars_set(it, "requester", PQgetvalue(list, i, 2));
		tmpl_vars_set(it, "proposed", PQgetvalue(list, i, 3));
		tmpl_vars_set(it, "status", http_text_of(req, "hearing.status",
		    PQgetvalue(list, i, 4), NULL));
		tmpl_vars_set(it, "status_class",
		    hearing_badge(PQgetvalue(list, i, 4)));
	}
	if (*PQgetvalue(rep, 0, 2) == 't') {
		tmpl_vars_set(vars, "may_request", "1");
		hearing_authorities_join(f, &sent);
		hearing_boxes(vars, "invitees", inv, sent.data);
		if (f != NULL && (v = form_get(f, "subject")) != NULL)
			tmpl_vars_set(vars, "subject", v);
		if (f != NULL && (v = form_get(f, "agenda")) != NULL)
			tmpl_vars_set(vars, "agenda", v);
		if (f != NULL && (v = form_get(f, "proposed")) != NULL)
			tmpl_vars_set(vars, "proposed", v);
	}
	ret = http_page(req, status, "hearing.xhtml", vars);
out:
	tmpl_vars_free(vars);
	for (i = 0; i < 3; i++)
		PQclear(s[i].result);
	buf_free(&sent);
	return ret;
}

enum MHD_Result
hearing_list(struct http_req *req)
{
	return hearing_list_page(req, req->id, 200, NULL, NULL, NULL);
}

/* Call council.api_hearing (what, id) with what f sent (authorities
 * joined); NULL and err on a database failure. */
static PGresult *
hearing_call(struct http_req *req, const struct form *f, const char *what,
    const char *id, const char *authorities, char *err, size_t errlen)
{
	const char	*params[10];

	params[0] = what;
	params[1] = id;
	params[2] = form_get(f, "subject");
	params[3] = form_get(f, "agenda");
	params[4] = form_get(f, "proposed");
	params[5] = authorities;
	params[6] = form_get(f, "action");
	params[7] = form_get(f, "note");
	params[8] = form_get(f, "body");
	params[9] = form_get(f, "outcome");
	return caller_db(req, HEARING_CALL_SQL, 10, params, err, errlen);
}

/*
 * POST /incidents/N/hearings (subject, agenda, proposed, authority...):
 * R-NEW-3, an authority of report N asks its reporter for a hearing,
 * through council.api_hearing; refused: the list again with the form as
 * sent, the field marked, nothing stored.  A hidden report answers like
 * an absent one (404).
 */
enum MHD_Result
hearing_request(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct buf		 auth;
	PGresult		*r = NULL;
	char			 err[256], id[24], loc[64];
	const char		*code;
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	buf_init(&auth);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", req->id);
	hearing_authorities_join(&f, &auth);
	if ((r = hearing_call(req, &f, "request", id, auth.data, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"hearing request failed\" rid=%s error=\"%s\"",
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
		ret = hearing_list_page(req, req->id,
		    hearing_refusal_status(st), http_text_of(req,
		    "hearing.error", code, "hearing.error.invalid"), &f,
		    hearing_bad_field(code));
		goto out;
	}
	snprintf(loc, sizeof(loc), "/hearings/%s", PQgetvalue(r, 0, 2));
	ret = http_redirect_done(req, loc, "hearing.requested");
out:
	PQclear(r);
	buf_free(&auth);
	form_free(&f);
	return ret;
}

/* The forms of the hearing's page: who may do what now (the head's
 * flags), with what a refused form sent (f, or NULL). */
static void
hearing_forms(struct tmpl_vars *vars, PGresult *h, PGresult *parties,
    PGresult *invitable, const struct form *f)
{
	struct tmpl_vars	*it;
	struct buf		 sent;
	const char		*a, *v;
	int			 i;

	buf_init(&sent);
	hearing_authorities_join(f, &sent);
	a = f != NULL ? form_get(f, "action") : NULL;
	if (*PQgetvalue(h, 0, HH_MAY_CONSENT) == 't') {
		tmpl_vars_set(vars, "may_consent", "1");
		for (i = 0; i < PQntuples(parties); i++) {
			if (strcmp(PQgetvalue(parties, i, 2), "asked") != 0)
				continue;
			it = tmpl_vars_add_item(vars, "pending");
			tmpl_vars_set(it, "value", PQgetvalue(parties, i, 0));
			tmpl_vars_setf(it, "id", "hearing-pending-%s",
			    PQgetvalue(parties, i, 0));
			tmpl_vars_set(it, "label", PQgetvalue(parties, i, 1));
			if (a != NULL && strcmp(a, "consent") == 0 &&
			    hearing_listed(sent.data,
			    PQgetvalue(parties, i, 0)))
				tmpl_vars_set(it, "checked", "checked");
		}
	}
	if (*PQgetvalue(h, 0, HH_MAY_DECLINE) == 't') {
		tmpl_vars_set(vars, "may_decline", "1");
		if (a != NULL && strcmp(a, "decline") == 0 &&
		    (v = form_get(f, "note")) != NULL)
			tmpl_vars_set(vars, "decline_note", v);
	}
	if (*PQgetvalue(h, 0, HH_MAY_INVITE) == 't' &&
	    PQntuples(invitable) > 0) {
		tmpl_vars_set(vars, "may_invite", "1");
		hearing_boxes(vars, "invitable", invitable, a != NULL &&
		    strcmp(a, "invite") == 0 ? sent.data : NULL);
	}
	if (*PQgetvalue(h, 0, HH_MAY_JOIN) == 't')
		tmpl_vars_set(vars, "may_join", "1");
	if (*PQgetvalue(h, 0, HH_MAY_RECORD) == 't') {
		tmpl_vars_set(vars, "may_record", "1");
		if (f != NULL && (v = form_get(f, "body")) != NULL)
			tmpl_vars_set(vars, "body_sent", v);
	}
	if (*PQgetvalue(h, 0, HH_MAY_CLOSE) == 't') {
		tmpl_vars_set(vars, "may_close", "1");
		if (strcmp(PQgetvalue(h, 0, HH_STATUS), "consented") == 0)
			tmpl_vars_set(vars, "may_hold", "1");
		if (a != NULL && strcmp(a, "close") == 0 &&
		    (v = form_get(f, "note")) != NULL)
			tmpl_vars_set(vars, "close_note", v);
	}
	buf_free(&sent);
}

/*
 * Hearing n's page (404 when hidden or absent, as an absent id): the
 * request, the authorities invited the caller sees, the record when it
 * reads it, and the forms the caller may use; error above it (bad its
 * field), f the refused form's values.
 */
static enum MHD_Result
hearing_page(struct http_req *req, long long n, unsigned status,
    const char *error, const struct form *f, const char *bad)
{
	struct caller_me	 me;
	struct db_stmt		 s[4];
	struct tmpl_vars	*vars = NULL, *it;
	const char		*p2[2];
	PGresult		*h, *parties, *notes, *invitable;
	char			 id[24];
	int			 i;
	enum MHD_Result		 ret;

	snprintf(id, sizeof(id), "%lld", n);
	p2[0] = id;
	p2[1] = hearing_lang(req);
	memset(s, 0, sizeof(s));
	s[0].sql = HEARING_HEAD_SQL;
	s[1].sql = HEARING_PARTIES_SQL;
	s[2].sql = HEARING_NOTES_SQL;
	s[3].sql = HEARING_INVITABLE_SQL;
	for (i = 0; i < 4; i++) {
		s[i].nparams = 2;
		s[i].params = p2;
	}
	if (!caller_page_db(req, &me, s, 4, &ret))
		return ret;
	if ((h = s[0].result) == NULL || (parties = s[1].result) == NULL ||
	    (notes = s[2].result) == NULL ||
	    (invitable = s[3].result) == NULL) {
		log_error("msg=\"hearing failed\" rid=%s error=\"%s%s%s%s\"",
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
	hearing_refusal(vars, error, bad);
	tmpl_vars_set(vars, "mode_hearing", "1");
	tmpl_vars_set(vars, "id", id);
	tmpl_vars_setf(vars, "action", "/hearings/%s", id);
	tmpl_vars_setf(vars, "report_href", "/incidents/%s",
	    PQgetvalue(h, 0, HH_REPORT));
	tmpl_vars_setf(vars, "report_label", "#%s %s",
	    PQgetvalue(h, 0, HH_REPORT), PQgetvalue(h, 0, HH_TITLE));
	tmpl_vars_setf(vars, "list_href", "/incidents/%s/hearings",
	    PQgetvalue(h, 0, HH_REPORT));
	tmpl_vars_set(vars, "requester", PQgetvalue(h, 0, HH_REQUESTER));
	tmpl_vars_set(vars, "reporter", PQgetvalue(h, 0, HH_REPORTER));
	tmpl_vars_set(vars, "subject", PQgetvalue(h, 0, HH_SUBJECT));
	if (*PQgetvalue(h, 0, HH_AGENDA) != '\0')
		tmpl_vars_set(vars, "agenda", PQgetvalue(h, 0, HH_AGENDA));
	tmpl_vars_set(vars, "proposed", PQgetvalue(h, 0, HH_PROPOSED));
	tmpl_vars_set(vars, "status", http_text_of(req, "hearing.status",
	    PQgetvalue(h, 0, HH_STATUS), NULL));
	tmpl_vars_set(vars, "status_class",
	    hearing_badge(PQgetvalue(h, 0, HH_STATUS)));
	if (*PQgetvalue(h, 0, HH_ANSWERED) != '\0')
		tmpl_vars_set(vars, "answered", PQgetvalue(h, 0, HH_ANSWERED));
	if (*PQgetvalue(h, 0, HH_CLOSED) != '\0')
		tmpl_vars_set(vars, "closed", PQgetvalue(h, 0, HH_CLOSED));
	if (*PQgetvalue(h, 0, HH_NOTE) != '\0')
		tmpl_vars_set(vars, "note", PQgetvalue(h, 0, HH_NOTE));
	for (i = 0; i < PQntuples(parties); i++) {
		it = tmpl_vars_add_item(vars, "parties");
		tmpl_vars_set(it, "name", PQgetvalue(parties, i, 1));
		tmpl_vars_set(it, "consent", http_text_of(req,
		    "hearing.consent", PQgetvalue(parties, i, 2), NULL));
		if (*PQgetvalue(parties, i, 3) != '\0')
			tmpl_vars_set(it, "joined", PQgetvalue(parties, i, 3));
	}
	if (*PQgetvalue(h, 0, HH_RECORD_VISIBLE) == 't') {
		tmpl_vars_set(vars, "record_visible", "1");
		if (PQntuples(notes) == 0)
			tmpl_vars_set(vars, "record_empty", "1");
		for (i = 0; i < PQntuples(notes); i++) {
			it = tmpl_vars_add_item(vars, "record");
			tmpl_vars_setf(it, "label", "#%s",
			    PQgetvalue(notes, i, 0));
			tmpl_vars_setf(it, "anchor", "hearing-note-%s",
			    PQgetvalue(notes, i, 0));
			tmpl_vars_set(it, "org", PQgetvalue(notes, i, 1));
			tmpl_vars_set(it, "body", PQgetvalue(notes, i, 2));
			tmpl_vars_set(it, "date", PQgetvalue(notes, i, 3));
		}
	}
	hearing_forms(vars, h, parties, invitable, f);
	ret = http_page(req, status, "hearing.xhtml", vars);
out:
	tmpl_vars_free(vars);
	for (i = 0; i < 4; i++)
		PQclear(s[i].result);
	return ret;
}

enum MHD_Result
hearing_get(struct http_req *req)
{
	return hearing_page(req, req->id, 200, NULL, NULL, NULL);
}

/* Whether act a on hearing id is the caller's to do now: then it is asked
 * first.  Otherwise the act answers at once (404, or why not). */
static int
hearing_askable(struct http_req *req, const char *id, const char *a)
{
	PGresult	*r;
	const char	*params[2] = { id, a };
	char		 err[256];
	int		 yes;

	r = caller_db(req, HEARING_ASKABLE_SQL, 2, params, err, sizeof(err));
	yes = r != NULL && PQntuples(r) == 1;
	PQclear(r);
	return yes;
}

/* What the acts that cannot be undone ask first (confirm.h). */
static const char *const hearing_carry[] = { "action", "authorities", "note",
    "outcome", NULL };

/*
 * Ask before act a (consent, decline, close) on hearing id: the
 * confirmation page, posting the act again with the authorities sent
 * joined into one field.
 */
static enum MHD_Result
hearing_ask(struct http_req *req, const struct caller_me *me, const char *id,
    const char *a, const struct form *f, const char *authorities)
{
	struct form		 carry;
	struct confirm_ask	 ask;
	const char		*v;
	char			 loc[64], subject[128], heading[64], cons[64],
				 submit[64];
	enum MHD_Result		 ret;

	form_init(&carry);
	carry.fields[carry.nfields].name = xstrdup("action");
	carry.fields[carry.nfields++].value = xstrdup(a);
	carry.fields[carry.nfields].name = xstrdup("authorities");
	carry.fields[carry.nfields++].value = xstrdup(authorities);
	if ((v = form_get(f, "note")) != NULL) {
		carry.fields[carry.nfields].name = xstrdup("note");
		carry.fields[carry.nfields++].value = xstrdup(v);
	}
	if ((v = form_get(f, "outcome")) != NULL) {
		carry.fields[carry.nfields].name = xstrdup("outcome");
		carry.fields[carry.nfields++].value = xstrdup(v);
	}
	snprintf(loc, sizeof(loc), "/hearings/%s", id);
	snprintf(subject, sizeof(subject), "%s #%s", http_text(req,
	    "hearing.hearing"), id);
	/* close: held or cancelled, each its own question. */
	if (strcmp(a, "close") == 0 && (v = form_get(f, "outcome")) != NULL &&
	    strcmp(v, "held") == 0)
		a = "hold";
	else if (strcmp(a, "close") == 0)
		a = "cancel";
	snprintf(heading, sizeof(heading), "confirm.hearing.%s.heading", a);
	snprintf(cons, sizeof(cons), "confirm.hearing.%s.consequence", a);
	snprintf(submit, sizeof(submit), "hearing.%s", a);
	ask.action = loc;
	ask.heading = heading;
	ask.consequence = cons;
	ask.submit = submit;
	ask.subject = subject;
	ask.back = loc;
	ask.carry = hearing_carry;
	ret = confirm_page(req, me, &carry, &ask);
	form_free(&carry);
	return ret;
}

/* The one-time message after act a. */
static const char *
hearing_done(const char *a, const struct form *f)
{
	const char	*o;

	if (a == NULL)
		return "hearing.done";
	if (strcmp(a, "consent") == 0)
		return "hearing.consented";
	if (strcmp(a, "decline") == 0)
		return "hearing.declined";
	if (strcmp(a, "invite") == 0)
		return "hearing.invited";
	if (strcmp(a, "join") == 0)
		return "hearing.joined";
	if (strcmp(a, "record") == 0)
		return "hearing.recorded";
	if (strcmp(a, "close") == 0) {
		o = form_get(f, "outcome");
		return o != NULL && strcmp(o, "held") == 0 ? "hearing.held" :
		    "hearing.cancelled";
	}
	return "hearing.done";
}

/*
 * POST /hearings/N (action = consent (authority...) | decline (note) |
 * close (outcome, note), asked first; invite (authority...) | join |
 * record (body)), through council.api_hearing.  A hidden hearing answers
 * like an absent one (404); a refusal shows the page again with the form
 * as sent, nothing changed.
 */
enum MHD_Result
hearing_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct buf		 auth;
	PGresult		*r = NULL;
	const char		*a, *code;
	char			 err[256], id[24], loc[64];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	buf_init(&auth);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", req->id);
	snprintf(loc, sizeof(loc), "/hearings/%lld", req->id);
	a = form_get(&f, "action");
	hearing_authorities_join(&f, &auth);
	if (a != NULL && (strcmp(a, "consent") == 0 ||
	    strcmp(a, "decline") == 0 || strcmp(a, "close") == 0) &&
	    !confirm_given(&f) && hearing_askable(req, id, a)) {
		ret = hearing_ask(req, &me, id, a, &f, auth.data);
		goto out;
	}
	if ((r = hearing_call(req, &f, "act", id, auth.data, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"hearing act failed\" rid=%s error=\"%s\"",
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
		ret = hearing_page(req, req->id, hearing_refusal_status(st),
		    http_text_of(req, "hearing.error", code,
		    "hearing.error.invalid"), &f, hearing_bad_field(code));
		goto out;
	}
	ret = http_redirect_done(req, loc, hearing_done(a, &f));
out:
	PQclear(r);
	buf_free(&auth);
	form_free(&f);
	return ret;
}

enum MHD_Result
hearing_api_mine(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.hearings_for_me()::text",
	    0, NULL);
}

/* GET /api/v1/incidents/N/hearings, /api/v1/hearings/N: through the
 * door, so that a hidden report or hearing answers like an absent one. */
static enum MHD_Result
hearing_api_read(struct http_req *req, const char *what)
{
	const char	*params[2];
	char		 id[24];

	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = what;
	params[1] = id;
	return api_call(req, "SELECT status, body FROM "
	    "council.api_hearing($1, $2::bigint, NULL)", 2, params);
}

enum MHD_Result
hearing_api_list(struct http_req *req)
{
	return hearing_api_read(req, "list");
}

enum MHD_Result
hearing_api_get(struct http_req *req)
{
	return hearing_api_read(req, "get");
}
