/*
 * training.c: handler safety management on the portal (see training.h):
 * /handlers shows the council's periods, the caller's own training, an
 * administrator's handlers with their last training and its state (with
 * the form that records a new one) and the yearly confirmation of the
 * list, and the coordinator's overview of every organisation (with the
 * periods' form for its administrator).  Every write goes through the
 * JSON API's own call, council.api_handler_safety, so that the page and
 * the API refuse alike (policy/94_training.sql).
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
#include "tmpl.h"
#include "training.h"
#include "util.h"

/* The caller: administrator?, coordinator?, the periods, its own
 * training (NULLs for no handler), its organisation's list due date,
 * state and last confirmation, today (JST). */
static const char TRAINING_ME_SQL[] =
    "SELECT x.is_org_admin, m.is_coordinator, s.training_days, s.warn_days, "
    "s.confirm_days, r.trained_on::text, (r.trained_on + s.training_days)::text, "
    "council.training_state(r.trained_on), council.handler_confirm_due(x.org_id)::text, "
    "council.handler_confirm_state(x.org_id), "
    "(SELECT " CALLER_JST("max(c.confirmed_at)") " FROM council.handler_list_confirmations c "
    "WHERE c.org_id = x.org_id), council.training_today()::text "
    "FROM council.me m JOIN council.people x ON x.id = m.person_id "
    "CROSS JOIN council.handler_safety_settings s "
    "LEFT JOIN council.handler_registrations r ON r.person_id = x.id "
    "AND r.deregistered_at IS NULL";

/* The caller's organisation's open registrations (RLS: its own and the
 * coordinator's; the page asks for an administrator only); $1 language. */
static const char TRAINING_LIST_SQL[] =
    "SELECT x.id, CASE WHEN $1 = 'en' THEN x.name_en ELSE x.name_ja END, "
    "r.trained_on::text, (r.trained_on + s.training_days)::text, "
    "council.training_state(r.trained_on) "
    "FROM council.handler_registrations r JOIN council.people x ON x.id = r.person_id "
    "CROSS JOIN council.handler_safety_settings s "
    "WHERE r.deregistered_at IS NULL AND x.org_id = council.current_org_id() "
    "ORDER BY x.id";

/* The coordinator's overview: every member with a handler; $1 language. */
static const char TRAINING_OVERVIEW_SQL[] =
    "SELECT CASE WHEN $1 = 'en' THEN o.name_en ELSE o.name_ja END, g.n, g.e, g.d, "
    "council.handler_confirm_due(o.id)::text, council.handler_confirm_state(o.id) "
    "FROM council.organisations o JOIN (SELECT x.org_id, count(*) AS n, "
    "count(*) FILTER (WHERE council.training_state(r.trained_on) = 'expiring') AS e, "
    "count(*) FILTER (WHERE council.training_state(r.trained_on) = 'overdue') AS d "
    "FROM council.handler_registrations r JOIN council.people x ON x.id = r.person_id "
    "AND x.active WHERE r.deregistered_at IS NULL GROUP BY x.org_id) g ON g.org_id = o.id "
    "WHERE o.status = 'member' AND council.current_is_coordinator() "
    "ORDER BY o.id";

/* One call of the API's row: $1 action, $2 person, $3 date, $4..$6 the
 * periods.  NULLs are left out. */
static const char TRAINING_CALL_SQL[] =
    "SELECT status, body::json->>'error' FROM council.api_handler_safety("
    "json_strip_nulls(json_build_object('action', $1::text, 'person', $2::bigint, "
    "'trained_on', nullif($3::text, ''), 'training_days', $4::integer, "
    "'warn_days', $5::integer, 'confirm_days', $6::integer))::text)";

/* A state's words and its badge. */
static void
training_state(struct http_req *req, struct tmpl_vars *v, const char *name,
    const char *cls, const char *state)
{
	tmpl_vars_set(v, name, http_text_of(req, "training.state", state,
	    NULL));
	tmpl_vars_setf(v, cls, "badge badge--training-%s", state);
}

/* The page, with the refusal's words (NULL for none), answered with
 * status. */
static enum MHD_Result
training_render(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *error)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*m = NULL, *l = NULL, *o = NULL;
	const char		*params[1] = { req->lang == I18N_EN ? "en" : "ja" };
	char			 err[256];
	int			 i, admin, coord;
	enum MHD_Result		 ret;

	if ((m = caller_db(req, TRAINING_ME_SQL, 0, NULL, err,
	    sizeof(err))) == NULL || PQntuples(m) != 1) {
		log_error("msg=\"handlers failed\" rid=%s error=\"%s\"",
		    req->rid, m == NULL ? err : "no identity");
		ret = http_error(req, 503, NULL);
		goto out;
	}
	admin = *PQgetvalue(m, 0, 0) == 't';
	coord = *PQgetvalue(m, 0, 1) == 't';
	if ((admin && (l = caller_db(req, TRAINING_LIST_SQL, 1, params, err,
	    sizeof(err))) == NULL) || (coord && (o = caller_db(req,
	    TRAINING_OVERVIEW_SQL, 1, params, err, sizeof(err))) == NULL)) {
		log_error("msg=\"handlers failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	tmpl_vars_set(vars, "training_days", PQgetvalue(m, 0, 2));
	tmpl_vars_set(vars, "warn_days", PQgetvalue(m, 0, 3));
	tmpl_vars_set(vars, "confirm_days", PQgetvalue(m, 0, 4));
	if (!PQgetisnull(m, 0, 5)) {
		tmpl_vars_set(vars, "me_trained_on", PQgetvalue(m, 0, 5));
		tmpl_vars_set(vars, "me_valid_until", PQgetvalue(m, 0, 6));
		training_state(req, vars, "me_state", "me_state_class",
		    PQgetvalue(m, 0, 7));
	}
	if (admin) {
		tmpl_vars_set(vars, "admin", "1");
		tmpl_vars_set(vars, "confirm_due", PQgetvalue(m, 0, 8));
		training_state(req, vars, "confirm_state",
		    "confirm_state_class", PQgetvalue(m, 0, 9));
		if (!PQgetisnull(m, 0, 10))
			tmpl_vars_set(vars, "confirm_last", PQgetvalue(m, 0, 10));
		for (i = 0; i < PQntuples(l); i++) {
			it = tmpl_vars_add_item(vars, "handlers");
			tmpl_vars_set(it, "person", PQgetvalue(l, i, 0));
			tmpl_vars_setf(it, "date_id", "trained-on-%s",
			    PQgetvalue(l, i, 0));
			tmpl_vars_set(it, "name", PQgetvalue(l, i, 1));
			tmpl_vars_set(it, "trained_on", PQgetvalue(l, i, 2));
			tmpl_vars_set(it, "valid_until", PQgetvalue(l, i, 3));
			tmpl_vars_set(it, "today", PQgetvalue(m, 0, 11));
			training_state(req, it, "state", "state_class",
			    PQgetvalue(l, i, 4));
		}
	}
	if (coord) {
		tmpl_vars_set(vars, "coordinator", "1");
		if (admin)
			tmpl_vars_set(vars, "settings_form", "1");
		for (i = 0; i < PQntuples(o); i++) {
			it = tmpl_vars_add_item(vars, "overview");
			tmpl_vars_set(it, "org", PQgetvalue(o, i, 0));
			tmpl_vars_set(it, "handlers", PQgetvalue(o, i, 1));
			tmpl_vars_set(it, "expiring", PQgetvalue(o, i, 2));
			tmpl_vars_set(it, "overdue", PQgetvalue(o, i, 3));
			tmpl_vars_set(it, "confirm_due", PQgetvalue(o, i, 4));
			training_state(req, it, "confirm_state",
			    "confirm_state_class", PQgetvalue(o, i, 5));
		}
	}
	ret = http_page(req, status, "handlers.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(o);
	PQclear(l);
	PQclear(m);
	return ret;
}

enum MHD_Result
training_page(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return training_render(req, &me, 200, NULL);
}

/* 1 when s is absent, empty, or 1 to 4 digits (a number of days). */
static int
training_days_ok(const char *s)
{
	return s == NULL || *s == '\0' || (strlen(s) <= 4 &&
	    strspn(s, "0123456789") == strlen(s));
}

/*
 * POST /handlers (action = training (person, trained_on) | confirm |
 * settings (training_days, warn_days, confirm_days)): R-NEW-6 through
 * council.api_handler_safety.  Refused: the page again with the reason
 * (403 for one who may not, else 422); a person of another organisation:
 * the same 404 as an absent one.
 */
enum MHD_Result
training_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[6], *a, *done;
	char			 err[256];
	unsigned		 st;
	enum MHD_Result		 ret;
	size_t			 i;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	a = form_get(&f, "action");
	params[0] = a;
	params[1] = form_get(&f, "person");
	params[2] = form_get(&f, "trained_on");
	params[3] = form_get(&f, "training_days");
	params[4] = form_get(&f, "warn_days");
	params[5] = form_get(&f, "confirm_days");
	if (params[1] != NULL && util_id_parse(params[1]) == 0)
		params[1] = "0";	/* no such person: the database says so */
	for (i = 3; i < 6; i++)
		if (!training_days_ok(params[i]))
			break;
	if (i < 6 || (params[2] != NULL && strlen(params[2]) > 10)) {
		ret = training_render(req, &me, 422,
		    http_text(req, "training.error.invalid"));
		goto out;
	}
	for (i = 3; i < 6; i++)
		if (params[i] != NULL && *params[i] == '\0')
			params[i] = NULL;
	if ((r = caller_db(req, TRAINING_CALL_SQL, 6, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"handler safety failed\" rid=%s error=\"%s\"",
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
		ret = training_render(req, &me, st == 403 ? 403 : 422,
		    http_text_of(req, "training.error", PQgetvalue(r, 0, 1),
		    "training.error.invalid"));
		goto out;
	}
	done = strcmp(a, "training") == 0 ? "training.recorded" :
	    strcmp(a, "confirm") == 0 ? "training.confirmed" :
	    "training.settings";
	ret = http_redirect_done(req, "/handlers", done);
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* GET /api/v1/handlers: council.handlers_json. */
enum MHD_Result
training_api_get(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.handlers_json()::text WHERE "
	    "council.current_person_id() IS NOT NULL",
	    0, NULL);
}
