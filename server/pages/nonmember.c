/*
 * nonmember.c: non-members on the portal (R-NONMEM-1, R-SHARE-2; see
 * nonmember.h): the list of the non-members and relays the caller sees,
 * with the forms that register a non-member and (the secretariat's) add
 * one to a post's scope through a member; a relay's page with the
 * givers' consent, the handler list the relaying member reports, closing
 * it and handing the post over; and the JSON API's reads.  Every write goes through the JSON API's own
 * call, council.api_nonmember, so that the pages and the API refuse
 * alike; acts that cannot be undone (a relay, a consent, closing the
 * list) are asked first (confirm.h).
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
#include "nonmember.h"
#include "tmpl.h"
#include "util.h"

static const char *const nonmember_kinds[] = { "business", "public_body",
    "investigative", "academic", "individual", "other" };

/* The non-members the caller sees (policy/86_nonmembers.sql decides),
 * newest first; $1 the language. */
static const char NONMEMBER_LIST_SQL[] =
    "SELECT n.id, n.name, n.kind::text, "
    "CASE WHEN $1 = 'en' THEN o.name_en ELSE o.name_ja END, "
    CALLER_JST("n.created_at") " "
    "FROM council.nonmembers n JOIN council.organisations o ON o.id = n.org_id "
    "ORDER BY n.id DESC LIMIT 200";

/* The relays the caller sees, newest first; $1 the language. */
static const char NONMEMBER_RELAYS_SQL[] =
    "SELECT r.id, r.post_id, CASE WHEN $1 = 'en' THEN v.name_en ELSE v.name_ja END, "
    "coalesce(n.name, ''), r.secret_emergency, council.nonmember_relay_state(r.id) "
    "FROM council.nonmember_relays r JOIN council.organisations v ON v.id = r.via_org_id "
    "LEFT JOIN council.nonmembers n ON n.id = r.nonmember_id "
    "ORDER BY r.id DESC LIMIT 200";

/* Whether the caller may register non-members and make relays; then the
 * members that may relay ($1 the language; the database still checks
 * that each receives the post). */
static const char NONMEMBER_FORM_SQL[] =
    "SELECT council.incident_may_touch(), council.incident_may_touch() AND "
    "(council.current_is_coordinator() OR council.current_is_secretariat())";
static const char NONMEMBER_MEMBERS_SQL[] =
    "SELECT o.id, CASE WHEN $1 = 'en' THEN o.name_en ELSE o.name_ja END "
    "FROM council.organisations o WHERE o.status = 'member' "
    "AND o.council_role IS NULL AND NOT o.gsoc_liaison "
    "ORDER BY CASE WHEN $1 = 'en' THEN o.name_en ELSE o.name_ja END";

/* Relay $1 as the caller sees it (no row: hidden or absent); $2 the
 * language. */
static const char NONMEMBER_HEAD_SQL[] =
    "SELECT r.id, r.post_id, CASE WHEN $2 = 'en' THEN v.name_en ELSE v.name_ja END, "
    "coalesce(n.name, ''), coalesce(n.kind::text, 'other'), r.secret_emergency, r.reason, "
    CALLER_JST("r.created_at") ", council.nonmember_relay_state(r.id), "
    "coalesce(council.nonmember_relay_role(r.id), ''), "
    "coalesce(" CALLER_JST("r.handlers_closed_at") ", ''), "
    "coalesce((SELECT c.status::text FROM council.nonmember_relay_consents c "
    "WHERE c.relay_id = r.id AND c.giver_org_id = council.current_org_id()), '') "
    "FROM council.nonmember_relays r JOIN council.organisations v ON v.id = r.via_org_id "
    "LEFT JOIN council.nonmembers n ON n.id = r.nonmember_id WHERE r.id = $1::bigint";

/* What the caller reads of relay $1: consents ($2 the language), the
 * handler list, the handovers. */
static const char NONMEMBER_CONSENTS_SQL[] =
    "SELECT CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, c.status::text "
    "FROM council.nonmember_relay_consents c "
    "JOIN council.organisations o ON o.id = c.giver_org_id "
    "WHERE c.relay_id = $1::bigint ORDER BY o.id";
static const char NONMEMBER_HANDLERS_SQL[] =
    "SELECT h.seq, h.name, h.unit, " CALLER_JST("h.reported_at") " "
    "FROM council.nonmember_relay_handlers h WHERE h.relay_id = $1::bigint "
    "ORDER BY h.seq";
static const char NONMEMBER_HANDOVERS_SQL[] =
    "SELECT o.recipient, " CALLER_JST("o.handed_at") " "
    "FROM council.nonmember_relay_handovers o WHERE o.relay_id = $1::bigint "
    "ORDER BY o.id";

/* One call of the API's row: $1 what, $2 id, $3 name, $4 kind, $5 post
 * number (a leading # allowed), $6 via, $7 non-member, $8 emergency
 * ("yes"), $9 reason, $10 action (of an act; the page's own otherwise),
 * $11 grant ("yes"/"no"), $12 unit, $13 recipient.  NULLs are left out of
 * the request. */
static const char NONMEMBER_CALL_SQL[] =
    "SELECT status, body::json->>'error', body::json->>'id' "
    "FROM council.api_nonmember($1, $2::bigint, json_strip_nulls(json_build_object("
    "'name', $3::text, 'kind', $4::text, "
    "'post', CASE WHEN $1 = 'relay' THEN coalesce(CASE WHEN btrim($5::text) ~ '^#?[0-9]{1,18}$' "
    "THEN ltrim(btrim($5::text), '#')::bigint END, 0) END, "
    "'via', CASE WHEN $6::text ~ '^[0-9]{1,18}$' THEN $6::bigint END, "
    "'nonmember', CASE WHEN $7::text ~ '^[0-9]{1,18}$' THEN $7::bigint END, "
    "'emergency', CASE WHEN $1 = 'relay' THEN $8::text IS NOT DISTINCT FROM 'yes' END, "
    "'reason', $9::text, 'action', CASE WHEN $1 = 'act' THEN $10::text END, "
    "'grant', CASE WHEN $11::text IN ('yes', 'no') THEN $11::text = 'yes' END, "
    "'unit', $12::text, 'recipient', $13::text))::text)";

static const char *
nonmember_lang(struct http_req *req)
{
	return req->lang == I18N_EN ? "en" : "ja";
}

/* A form's value, or "" (for redisplay). */
static const char *
nonmember_sent(const struct form *f, const char *name)
{
	const char	*v = f != NULL ? form_get(f, name) : NULL;

	return v != NULL ? v : "";
}

/*
 * The list and the forms: f (when not NULL) shown again as sent, error
 * above it, bad the field it is about (bad_<field>).
 */
static enum MHD_Result
nonmember_list_page(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *error, const struct form *f, const char *bad)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*n = NULL, *r = NULL, *o = NULL, *m = NULL;
	const char		*params[1] = { nonmember_lang(req) }, *v;
	char			 err[256], key[32];
	size_t			 k;
	int			 i, may_relay;
	enum MHD_Result		 ret;

	if ((n = caller_db(req, NONMEMBER_LIST_SQL, 1, params, err,
	    sizeof(err))) == NULL || (r = caller_db(req, NONMEMBER_RELAYS_SQL,
	    1, params, err, sizeof(err))) == NULL || (o = caller_db(req,
	    NONMEMBER_FORM_SQL, 0, NULL, err, sizeof(err))) == NULL) {
		log_error("msg=\"nonmembers failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	may_relay = PQntuples(o) == 1 && *PQgetvalue(o, 0, 1) == 't';
	if (may_relay && (m = caller_db(req, NONMEMBER_MEMBERS_SQL, 1, params,
	    err, sizeof(err))) == NULL) {
		log_error("msg=\"nonmembers failed\" rid=%s error=\"%s\"",
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
	for (i = 0; i < PQntuples(n); i++) {
		it = tmpl_vars_add_item(vars, "nonmembers");
		tmpl_vars_set(it, "name", PQgetvalue(n, i, 1));
		tmpl_vars_set(it, "kind", http_text_of(req, "nonmember.kind",
		    PQgetvalue(n, i, 2), NULL));
		tmpl_vars_set(it, "org", PQgetvalue(n, i, 3));
		tmpl_vars_set(it, "date", PQgetvalue(n, i, 4));
	}
	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, "relays");
		tmpl_vars_setf(it, "href", "/nonmembers/relays/%s",
		    PQgetvalue(r, i, 0));
		tmpl_vars_setf(it, "label", "#%s", PQgetvalue(r, i, 0));
		tmpl_vars_setf(it, "post_href", "/posts/%s", PQgetvalue(r, i, 1));
		tmpl_vars_setf(it, "post", "#%s", PQgetvalue(r, i, 1));
		tmpl_vars_set(it, "via", PQgetvalue(r, i, 2));
		tmpl_vars_set(it, "nonmember", PQgetvalue(r, i, 3));
		if (*PQgetvalue(r, i, 4) == 't')
			tmpl_vars_set(it, "secret", "1");
		tmpl_vars_set(it, "state", http_text_of(req, "nonmember.state",
		    PQgetvalue(r, i, 5), NULL));
	}
	if (PQntuples(o) == 1 && *PQgetvalue(o, 0, 0) == 't')
		tmpl_vars_set(vars, "may_register", "1");
	v = f != NULL ? form_get(f, "kind") : NULL;
	for (k = 0; k < UTIL_ARRAY_LEN(nonmember_kinds); k++) {
		it = tmpl_vars_add_item(vars, "kinds");
		tmpl_vars_set(it, "value", nonmember_kinds[k]);
		tmpl_vars_set(it, "label", http_text_of(req, "nonmember.kind",
		    nonmember_kinds[k], NULL));
		if (v != NULL && strcmp(v, nonmember_kinds[k]) == 0)
			tmpl_vars_set(it, "selected", "selected");
	}
	tmpl_vars_set(vars, "name", nonmember_sent(f, "name"));
	if (may_relay) {
		tmpl_vars_set(vars, "may_relay", "1");
		v = f != NULL ? form_get(f, "via") : NULL;
		for (i = 0; i < PQntuples(m); i++) {
			it = tmpl_vars_add_item(vars, "members");
			tmpl_vars_set(it, "value", PQgetvalue(m, i, 0));
			tmpl_vars_set(it, "label", PQgetvalue(m, i, 1));
			if (v != NULL && strcmp(v, PQgetvalue(m, i, 0)) == 0)
				tmpl_vars_set(it, "selected", "selected");
		}
		v = f != NULL ? form_get(f, "nonmember") : NULL;
		for (i = 0; i < PQntuples(n); i++) {
			it = tmpl_vars_add_item(vars, "choices");
			tmpl_vars_set(it, "value", PQgetvalue(n, i, 0));
			tmpl_vars_set(it, "label", PQgetvalue(n, i, 1));
			if (v != NULL && strcmp(v, PQgetvalue(n, i, 0)) == 0)
				tmpl_vars_set(it, "selected", "selected");
		}
		tmpl_vars_set(vars, "post", nonmember_sent(f, "post"));
		tmpl_vars_set(vars, "reason", nonmember_sent(f, "reason"));
		if (strcmp(nonmember_sent(f, "emergency"), "yes") == 0)
			tmpl_vars_set(vars, "emergency", "checked");
	}
	ret = http_page(req, status, "nonmembers.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(m);
	PQclear(o);
	PQclear(r);
	PQclear(n);
	return ret;
}

enum MHD_Result
nonmember_list(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return nonmember_list_page(req, &me, 200, NULL, NULL, NULL);
}

/* Call council.api_nonmember with what f sent; NULL and err on a
 * database failure. */
static PGresult *
nonmember_call(struct http_req *req, const struct form *f, const char *what,
    const char *id, char *err, size_t errlen)
{
	const char	*params[13];

	params[0] = what;
	params[1] = id;
	params[2] = form_get(f, "name");
	params[3] = form_get(f, "kind");
	params[4] = form_get(f, "post");
	params[5] = form_get(f, "via");
	params[6] = form_get(f, "nonmember");
	params[7] = form_get(f, "emergency");
	params[8] = form_get(f, "reason");
	params[9] = form_get(f, "action");
	params[10] = form_get(f, "grant");
	params[11] = form_get(f, "unit");
	params[12] = form_get(f, "recipient");
	return caller_db(req, NONMEMBER_CALL_SQL, 13, params, err, errlen);
}

/* The field a refusal code is about, or NULL. */
static const char *
nonmember_bad_field(const char *code)
{
	static const struct {
		const char	*code, *field;
	} map[] = {
		{ "invalid_name", "name" }, { "nonmember_exists", "name" },
		{ "invalid_kind", "kind" }, { "invalid_request", "kind" },
		{ "post_not_found", "post" },
		{ "post_not_shared_with_the_secretariat", "post" },
		{ "invalid_via", "via" }, { "nonmember_not_found", "nonmember" },
		{ "excluded_by_scope", "nonmember" },
		{ "secret_needs_emergency", "emergency" },
		{ "invalid_reason", "reason" },
		{ "invalid_recipient", "recipient" },
		{ "not_a_reported_handler", "recipient" },
		{ "handler_already_reported", "name" },
		{ "invalid_unit", "unit" },
	};
	size_t	i;

	for (i = 0; i < UTIL_ARRAY_LEN(map); i++)
		if (strcmp(code, map[i].code) == 0)
			return map[i].field;
	return NULL;
}

/* What a relay asks first (confirm.h): it shares the post outside the
 * council. */
static const char *const nonmember_relay_carry[] = { "action", "post", "via",
    "nonmember", "emergency", "reason", NULL };

/*
 * POST /nonmembers: action = register (name, kind) | relay (post, via,
 * nonmember, emergency, reason; asked first), through
 * council.api_nonmember; refused: the forms again as sent, the field
 * marked.
 */
enum MHD_Result
nonmember_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct confirm_ask	 ask = { "/nonmembers", "confirm.nonmember.heading",
				     "confirm.nonmember.consequence",
				     "nonmember.relay.submit", NULL, "/nonmembers",
				     nonmember_relay_carry };
	PGresult		*r = NULL, *o = NULL;
	const char		*a, *code;
	char			 err[256], loc[64];
	unsigned		 st;
	int			 relay;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	a = form_get(&f, "action");
	relay = a != NULL && strcmp(a, "relay") == 0;
	if (relay && !confirm_given(&f)) {
		/* Asked only of whom may make a relay at all. */
		if ((o = caller_db(req, NONMEMBER_FORM_SQL, 0, NULL, err,
		    sizeof(err))) == NULL) {
			log_error("msg=\"nonmember form failed\" rid=%s "
			    "error=\"%s\"", req->rid, err);
			ret = http_error(req, 503, NULL);
			goto out;
		}
		if (PQntuples(o) == 1 && *PQgetvalue(o, 0, 1) == 't') {
			ret = confirm_page(req, &me, &f, &ask);
			goto out;
		}
	}
	if ((r = nonmember_call(req, &f, relay ? "relay" : "register", NULL,
	    err, sizeof(err))) == NULL) {
		log_error("msg=\"nonmember act failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st >= 300) {
		code = PQgetvalue(r, 0, 1);
		ret = nonmember_list_page(req, &me, st == 403 ? 403 : 422,
		    http_text_of(req, "nonmember.error", code,
		    "nonmember.error.invalid"), &f, nonmember_bad_field(code));
		goto out;
	}
	if (relay) {
		snprintf(loc, sizeof(loc), "/nonmembers/relays/%s",
		    PQgetvalue(r, 0, 2));
		ret = http_redirect_done(req, loc, "nonmember.relayed");
	} else
		ret = http_redirect_done(req, "/nonmembers",
		    "nonmember.registered");
out:
	PQclear(o);
	PQclear(r);
	form_free(&f);
	return ret;
}

/* Relay n's page (404 when hidden or absent, as an absent id), error
 * above it, bad the field it is about, f the refused form's values. */
static enum MHD_Result
nonmember_relay_page(struct http_req *req, const struct caller_me *me,
    long long n, unsigned status, const char *error, const char *bad,
    const struct form *f)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*h = NULL, *c = NULL, *l = NULL, *o = NULL;
	const char		*params[2], *state, *role;
	char			 err[256], id[24], key[32];
	int			 i, in_force, open_list;
	enum MHD_Result		 ret;

	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	params[1] = nonmember_lang(req);
	if ((h = caller_db(req, NONMEMBER_HEAD_SQL, 2, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"relay failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(h) == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if ((c = caller_db(req, NONMEMBER_CONSENTS_SQL, 2, params, err,
	    sizeof(err))) == NULL || (l = caller_db(req,
	    NONMEMBER_HANDLERS_SQL, 1, params, err, sizeof(err))) == NULL ||
	    (o = caller_db(req, NONMEMBER_HANDOVERS_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"relay failed\" rid=%s error=\"%s\"", req->rid,
		    err);
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
	tmpl_vars_set(vars, "id", id);
	tmpl_vars_setf(vars, "action", "/nonmembers/relays/%s", id);
	tmpl_vars_setf(vars, "post_href", "/posts/%s", PQgetvalue(h, 0, 1));
	tmpl_vars_setf(vars, "post", "#%s", PQgetvalue(h, 0, 1));
	tmpl_vars_set(vars, "via", PQgetvalue(h, 0, 2));
	tmpl_vars_set(vars, "nonmember", PQgetvalue(h, 0, 3));
	tmpl_vars_set(vars, "kind", http_text_of(req, "nonmember.kind",
	    PQgetvalue(h, 0, 4), NULL));
	if (*PQgetvalue(h, 0, 5) == 't')
		tmpl_vars_set(vars, "secret", "1");
	tmpl_vars_set(vars, "reason", PQgetvalue(h, 0, 6));
	tmpl_vars_set(vars, "date", PQgetvalue(h, 0, 7));
	state = PQgetvalue(h, 0, 8);
	role = PQgetvalue(h, 0, 9);
	tmpl_vars_set(vars, "state", http_text_of(req, "nonmember.state",
	    state, NULL));
	if (*PQgetvalue(h, 0, 10) != '\0')
		tmpl_vars_set(vars, "closed", PQgetvalue(h, 0, 10));
	in_force = strcmp(state, "in_force") == 0 && strcmp(role, "via") == 0;
	open_list = in_force && *PQgetvalue(h, 0, 5) == 't' &&
	    *PQgetvalue(h, 0, 10) == '\0';
	if (strcmp(PQgetvalue(h, 0, 11), "pending") == 0)
		tmpl_vars_set(vars, "may_consent", "1");
	if (open_list) {
		tmpl_vars_set(vars, "may_report", "1");
		tmpl_vars_set(vars, "name", nonmember_sent(f, "name"));
		tmpl_vars_set(vars, "unit", nonmember_sent(f, "unit"));
	}
	if (in_force) {
		tmpl_vars_set(vars, "may_hand_over", "1");
		tmpl_vars_set(vars, "recipient", nonmember_sent(f,
		    "recipient"));
	}
	for (i = 0; i < PQntuples(c); i++) {
		it = tmpl_vars_add_item(vars, "consents");
		tmpl_vars_set(it, "org", PQgetvalue(c, i, 0));
		tmpl_vars_set(it, "status", http_text_of(req,
		    "nonmember.consent", PQgetvalue(c, i, 1), NULL));
	}
	for (i = 0; i < PQntuples(l); i++) {
		it = tmpl_vars_add_item(vars, "handlers");
		tmpl_vars_set(it, "seq", PQgetvalue(l, i, 0));
		tmpl_vars_set(it, "name", PQgetvalue(l, i, 1));
		tmpl_vars_set(it, "unit", PQgetvalue(l, i, 2));
		tmpl_vars_set(it, "date", PQgetvalue(l, i, 3));
	}
	for (i = 0; i < PQntuples(o); i++) {
		it = tmpl_vars_add_item(vars, "handovers");
		tmpl_vars_set(it, "recipient", PQgetvalue(o, i, 0));
		tmpl_vars_set(it, "date", PQgetvalue(o, i, 1));
	}
	if (*PQgetvalue(h, 0, 5) == 't' && (strcmp(role, "via") == 0 ||
	    PQntuples(l) > 0 || *PQgetvalue(h, 0, 10) != '\0'))
		tmpl_vars_set(vars, "show_handlers", "1");
	ret = http_page(req, status, "nonmember_relay.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(o);
	PQclear(l);
	PQclear(c);
	PQclear(h);
	return ret;
}

enum MHD_Result
nonmember_relay_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return nonmember_relay_page(req, &me, req->id, 200, NULL, NULL, NULL);
}

/* Whether the act a on relay id is one the caller may do now and one
 * that cannot be undone (a consent, closing the list): then it is asked
 * first; otherwise the act answers (404, or why not). */
static int
nonmember_asks(struct http_req *req, const char *id, const char *a)
{
	PGresult	*r;
	const char	*params[1] = { id };
	char		 err[256];
	int		 yes;

	if (strcmp(a, "consent") == 0)
		r = caller_db(req, "SELECT 1 FROM council.nonmember_relay_consents "
		    "WHERE relay_id = $1::bigint AND status = 'pending' "
		    "AND giver_org_id = council.current_org_id()", 1, params,
		    err, sizeof(err));
	else if (strcmp(a, "close") == 0)
		r = caller_db(req, "SELECT 1 FROM council.nonmember_relays "
		    "WHERE id = $1::bigint AND secret_emergency "
		    "AND handlers_closed_at IS NULL "
		    "AND council.nonmember_relay_role(id) = 'via'", 1, params,
		    err, sizeof(err));
	else
		return 0;
	yes = r != NULL && PQntuples(r) == 1;
	PQclear(r);
	return yes;
}

static const char *const nonmember_act_carry[] = { "action", "grant", NULL };

/*
 * POST /nonmembers/relays/N (action = consent (grant; asked first) |
 * report (name, unit) | close (asked first) | hand_over (recipient)),
 * through council.api_nonmember.  A hidden relay answers like an absent
 * one (404).
 */
enum MHD_Result
nonmember_relay_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct confirm_ask	 ask = { NULL, NULL, NULL, NULL, NULL, NULL,
				     nonmember_act_carry };
	PGresult		*r = NULL;
	const char		*a, *code, *g;
	char			 err[256], id[24], loc[64];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", req->id);
	snprintf(loc, sizeof(loc), "/nonmembers/relays/%lld", req->id);
	a = form_get(&f, "action");
	if (a == NULL)
		a = "";
	if (!confirm_given(&f) && nonmember_asks(req, id, a)) {
		g = form_get(&f, "grant");
		ask.action = loc;
		ask.back = loc;
		if (strcmp(a, "close") == 0) {
			ask.heading = "confirm.nonmember_close.heading";
			ask.consequence = "confirm.nonmember_close.consequence";
			ask.submit = "nonmember.close.submit";
		} else if (g != NULL && strcmp(g, "yes") == 0) {
			ask.heading = "confirm.nonmember_grant.heading";
			ask.consequence = "confirm.nonmember_grant.consequence";
			ask.submit = "nonmember.consent.grant";
		} else {
			ask.heading = "confirm.nonmember_refuse.heading";
			ask.consequence =
			    "confirm.nonmember_refuse.consequence";
			ask.submit = "nonmember.consent.refuse";
		}
		ret = confirm_page(req, &me, &f, &ask);
		goto out;
	}
	if ((r = nonmember_call(req, &f, "act", id, err, sizeof(err))) ==
	    NULL) {
		log_error("msg=\"relay act failed\" rid=%s error=\"%s\"",
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
		ret = nonmember_relay_page(req, &me, req->id, st == 403 ? 403 :
		    422, http_text_of(req, "nonmember.error", code,
		    "nonmember.error.invalid"), nonmember_bad_field(code), &f);
		goto out;
	}
	ret = http_redirect_done(req, loc, strcmp(a, "consent") == 0 ?
	    "nonmember.consented" : strcmp(a, "report") == 0 ?
	    "nonmember.reported" : strcmp(a, "close") == 0 ?
	    "nonmember.closed" : "nonmember.handed_over");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* The JSON API's reads: each one call of council.api_nonmember. */
static enum MHD_Result
nonmember_api_read(struct http_req *req, const char *what, int with_id)
{
	const char	*params[2];
	char		 id[24];

	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = what;
	params[1] = with_id ? id : NULL;
	return api_call(req, "SELECT status, body FROM "
	    "council.api_nonmember($1, $2::bigint, NULL)", 2, params);
}

enum MHD_Result
nonmember_api_list(struct http_req *req)
{
	return nonmember_api_read(req, "list", 0);
}

enum MHD_Result
nonmember_api_relay(struct http_req *req)
{
	return nonmember_api_read(req, "get", 1);
}

enum MHD_Result
nonmember_api_provenance(struct http_req *req)
{
	return nonmember_api_read(req, "provenance", 1);
}
