/*
 * asset.c: the asset registry on the portal (see asset.h): the list of
 * the assets the caller sees with the form that registers one (the CPE
 * picker over the bundled dictionary, filtered by ?q=, and free entry),
 * an asset's page with its history, the operator's change and deletion
 * (asked first), and the JSON API's lists.  Every write goes through the
 * JSON API's own call, council.api_asset, so that the page and the API
 * refuse alike; the rest of the API is routes.c's generic rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "asset.h"
#include "caller.h"
#include "confirm.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

/* The most CPE text a form may send (names picked and typed). */
#define ASSET_CPES_MAX	16384

/* The assets the caller sees (policy/89_assets.sql decides); $1 the
 * language. */
static const char ASSET_LIST_SQL[] =
    "SELECT a.id, CASE WHEN $1 = 'en' THEN o.name_en ELSE o.name_ja END, a.name, "
    "array_to_string(a.cpes, ' '), a.location, a.changed_on::text "
    "FROM council.assets a JOIN council.organisations o ON o.id = a.org_id "
    "ORDER BY 2, a.name, a.id LIMIT 1000";

/* Whether the caller registers (an operator's handler) or oversees. */
static const char ASSET_WHO_SQL[] =
    "SELECT council.asset_may_register(), council.asset_oversees()";

/* The picker: dictionary entries whose name or title holds $1. */
static const char ASSET_DICT_SQL[] =
    "SELECT cpe_name, title FROM council.cpe_dictionary "
    "WHERE $1 = '' OR strpos(lower(cpe_name || ' ' || title), lower(left($1, 100))) > 0 "
    "ORDER BY title, cpe_name LIMIT 100";

/* Asset $1 as the caller sees it (no row: hidden or absent), and whether
 * the caller is its operator's writer. */
static const char ASSET_HEAD_SQL[] =
    "SELECT a.id, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, a.name, "
    "array_to_string(a.cpes, E'\\n'), a.location, a.role, a.changed_on::text, "
    "a.org_id = council.current_org_id() AND council.asset_may_register() "
    "FROM council.assets a JOIN council.organisations o ON o.id = a.org_id "
    "WHERE a.id = $1::bigint";

/* Asset $1's history, oldest first. */
static const char ASSET_HISTORY_SQL[] =
    "SELECT event::text, changed_on::text, name, array_to_string(cpes, ' '), "
    "location, " CALLER_JST("recorded_at") " FROM council.asset_history "
    "WHERE asset_id = $1::bigint ORDER BY id";

/* One call of the API's row: $1 what, $2 id, $3 action, $4 name, $5 CPE
 * names one a line, $6 location, $7 role, $8 date of the change.  NULLs
 * are left out of the request. */
static const char ASSET_CALL_SQL[] =
    "SELECT status, body::json->>'error', body::json->>'id', "
    "coalesce(body::json->>'item', '') "
    "FROM council.api_asset($1, $2::bigint, json_strip_nulls(json_build_object("
    "'action', $3::text, 'name', $4::text, "
    "'cpes', CASE WHEN $1 = 'register' OR $3 = 'change' THEN "
    "(SELECT coalesce(json_agg(btrim(x) ORDER BY n), '[]') FROM "
    "regexp_split_to_table(coalesce($5::text, ''), E'\\n') WITH ORDINALITY t(x, n) "
    "WHERE btrim(x, E' \\t\\r') <> '') END, "
    "'location', $6::text, 'role', $7::text, "
    "'changed_on', nullif($8::text, '')))::text)";

static const char *
asset_lang(struct http_req *req)
{
	return req->lang == I18N_EN ? "en" : "ja";
}

/*
 * The CPE names f sends, one a line: the typed ones ("cpes") then the
 * picked ones ("pick", any number).  Returns a string to free, or NULL
 * when there is too much (or no memory).
 */
static char *
asset_cpe_text(const struct form *f)
{
	const char	*v;
	char		*s;
	size_t		 len = 0, n, i, k;

	n = form_count(f, "pick");
	if ((v = form_get(f, "cpes")) != NULL)
		len += strlen(v) + 1;
	for (i = 0; i < n; i++)
		len += strlen(form_get_nth(f, "pick", i)) + 1;
	if (len > ASSET_CPES_MAX || (s = malloc(len + 1)) == NULL)
		return NULL;
	k = 0;
	if (v != NULL) {
		memcpy(s + k, v, strlen(v));
		k += strlen(v);
		s[k++] = '\n';
	}
	for (i = 0; i < n; i++) {
		v = form_get_nth(f, "pick", i);
		memcpy(s + k, v, strlen(v));
		k += strlen(v);
		s[k++] = '\n';
	}
	s[k] = '\0';
	return s;
}

/* The picker's entries for query q, the ones in f marked chosen. */
static int
asset_picker(struct http_req *req, struct tmpl_vars *vars, const char *q,
    const struct form *f, char *err, size_t errlen)
{
	struct tmpl_vars	*it;
	PGresult		*d;
	const char		*params[1] = { q != NULL ? q : "" };
	size_t			 k, n;
	int			 i;

	if ((d = caller_db(req, ASSET_DICT_SQL, 1, params, err,
	    errlen)) == NULL)
		return -1;
	n = f != NULL ? form_count(f, "pick") : 0;
	for (i = 0; i < PQntuples(d); i++) {
		it = tmpl_vars_add_item(vars, "dictionary");
		tmpl_vars_set(it, "value", PQgetvalue(d, i, 0));
		tmpl_vars_setf(it, "label", "%s — %s", PQgetvalue(d, i, 1),
		    PQgetvalue(d, i, 0));
		for (k = 0; k < n; k++)
			if (strcmp(form_get_nth(f, "pick", k),
			    PQgetvalue(d, i, 0)) == 0)
				tmpl_vars_set(it, "selected", "selected");
	}
	if (q != NULL)
		tmpl_vars_set(vars, "q", q);
	PQclear(d);
	return 0;
}

/* The form's values sent again (f may be NULL). */
static void
asset_form_values(struct tmpl_vars *vars, const struct form *f)
{
	static const char *const fields[] = { "name", "cpes", "location",
	    "role", "changed_on" };
	const char	*v;
	size_t		 k;

	if (f == NULL)
		return;
	for (k = 0; k < UTIL_ARRAY_LEN(fields); k++)
		if ((v = form_get(f, fields[k])) != NULL)
			tmpl_vars_set(vars, fields[k], v);
}

/* The refusal's words: the catalog text of code, with the line of the
 * CPE name it is about. */
static void
asset_error(struct http_req *req, struct tmpl_vars *vars, const char *code,
    const char *item)
{
	const char	*t;
	char		 key[32];

	t = http_text_of(req, "asset.error", code, "asset.error.invalid");
	if (*item != '\0')
		tmpl_vars_setf(vars, "error", "%s (%s)", t, item);
	else
		tmpl_vars_set(vars, "error", t);
	if (strncmp(code, "invalid_", 8) == 0 && strlen(code) < 24) {
		snprintf(key, sizeof(key), "bad_%s", code + 8);
		if (strcmp(key, "bad_cpe") == 0)
			snprintf(key, sizeof(key), "bad_cpes");
		tmpl_vars_set(vars, key, "true");
	}
}

/*
 * The list and, for an operator's writer, the form: f (when not NULL)
 * shown again as sent, the refusal code and item above it.
 */
static enum MHD_Result
asset_list_page(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *code, const char *item, const struct form *f)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*r = NULL, *w = NULL;
	const char		*params[1] = { asset_lang(req) };
	char			 err[256];
	int			 i;
	enum MHD_Result		 ret;

	if ((r = caller_db(req, ASSET_LIST_SQL, 1, params, err,
	    sizeof(err))) == NULL || (w = caller_db(req, ASSET_WHO_SQL, 0,
	    NULL, err, sizeof(err))) == NULL) {
		log_error("msg=\"assets failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	/* R-NEW-4: the registry is the operators', the coordinator's and the
	 * analysts'; to anyone else the page does not exist. */
	if (*PQgetvalue(w, 0, 0) != 't' && *PQgetvalue(w, 0, 1) != 't') {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (code != NULL)
		asset_error(req, vars, code, item);
	if (*PQgetvalue(w, 0, 1) == 't')
		tmpl_vars_set(vars, "oversees", "1");
	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, "assets");
		tmpl_vars_setf(it, "href", "/assets/%s", PQgetvalue(r, i, 0));
		tmpl_vars_set(it, "org", PQgetvalue(r, i, 1));
		tmpl_vars_set(it, "name", PQgetvalue(r, i, 2));
		tmpl_vars_set(it, "cpes", PQgetvalue(r, i, 3));
		tmpl_vars_set(it, "location", PQgetvalue(r, i, 4));
		tmpl_vars_set(it, "changed_on", PQgetvalue(r, i, 5));
	}
	if (*PQgetvalue(w, 0, 0) == 't') {
		tmpl_vars_set(vars, "may_register", "1");
		if (asset_picker(req, vars, http_query(req, "q"), f, err,
		    sizeof(err)) != 0) {
			log_error("msg=\"asset picker failed\" rid=%s "
			    "error=\"%s\"", req->rid, err);
			ret = http_error(req, 503, NULL);
			goto out;
		}
		asset_form_values(vars, f);
	}
	ret = http_page(req, status, "assets.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(w);
	PQclear(r);
	return ret;
}

enum MHD_Result
asset_list(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return asset_list_page(req, &me, 200, NULL, "", NULL);
}

/* Call council.api_asset with what f sent; NULL and err on a database
 * failure (or too much text: err says so). */
static PGresult *
asset_call(struct http_req *req, const struct form *f, const char *what,
    const char *id, char *err, size_t errlen)
{
	const char	*params[8];
	char		*cpes;
	PGresult	*r;

	if ((cpes = asset_cpe_text(f)) == NULL) {
		snprintf(err, errlen, "CPE text too long");
		return NULL;
	}
	params[0] = what;
	params[1] = id;
	params[2] = form_get(f, "action");
	params[3] = form_get(f, "name");
	params[4] = cpes;
	params[5] = form_get(f, "location");
	params[6] = form_get(f, "role");
	params[7] = form_get(f, "changed_on");
	r = caller_db(req, ASSET_CALL_SQL, 8, params, err, errlen);
	free(cpes);
	return r;
}

/*
 * POST /assets (name, cpes, pick..., location, role, changed_on): R-NEW-4,
 * through council.api_asset; refused: the form again as sent, the field
 * marked (403 for one who may not register).
 */
enum MHD_Result
asset_register(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	char			 err[256], loc[64];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	if ((r = asset_call(req, &f, "register", NULL, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"asset register failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st == 403) {
		ret = http_error(req, 403, NULL);
		goto out;
	}
	if (st >= 300) {
		ret = asset_list_page(req, &me, 422, PQgetvalue(r, 0, 1),
		    PQgetvalue(r, 0, 3), &f);
		goto out;
	}
	snprintf(loc, sizeof(loc), "/assets/%s", PQgetvalue(r, 0, 2));
	ret = http_redirect_done(req, loc, "asset.registered");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* Asset n's page (404 when hidden or absent, as an absent id): the
 * refusal code and item above it, f the refused form's values. */
static enum MHD_Result
asset_page(struct http_req *req, const struct caller_me *me, long long n,
    unsigned status, const char *code, const char *item, const struct form *f)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*h = NULL, *y = NULL;
	const char		*params[2];
	char			 err[256], id[24];
	int			 i;
	enum MHD_Result		 ret;

	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	params[1] = asset_lang(req);
	if ((h = caller_db(req, ASSET_HEAD_SQL, 2, params, err,
	    sizeof(err))) == NULL || (y = caller_db(req, ASSET_HISTORY_SQL, 1,
	    params, err, sizeof(err))) == NULL) {
		log_error("msg=\"asset failed\" rid=%s error=\"%s\"",
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
	if (code != NULL)
		asset_error(req, vars, code, item);
	tmpl_vars_set(vars, "id", id);
	tmpl_vars_setf(vars, "action", "/assets/%s", id);
	tmpl_vars_set(vars, "org", PQgetvalue(h, 0, 1));
	tmpl_vars_set(vars, "asset_name", PQgetvalue(h, 0, 2));
	tmpl_vars_set(vars, "asset_location", PQgetvalue(h, 0, 4));
	tmpl_vars_set(vars, "asset_role", PQgetvalue(h, 0, 5));
	tmpl_vars_set(vars, "asset_changed_on", PQgetvalue(h, 0, 6));
	tmpl_vars_set(vars, "asset_cpes", PQgetvalue(h, 0, 3));
	for (i = 0; i < PQntuples(y); i++) {
		it = tmpl_vars_add_item(vars, "history");
		tmpl_vars_set(it, "event", http_text_of(req, "asset.event",
		    PQgetvalue(y, i, 0), NULL));
		tmpl_vars_set(it, "changed_on", PQgetvalue(y, i, 1));
		tmpl_vars_set(it, "name", PQgetvalue(y, i, 2));
		tmpl_vars_set(it, "cpes", PQgetvalue(y, i, 3));
		tmpl_vars_set(it, "location", PQgetvalue(y, i, 4));
		tmpl_vars_set(it, "recorded", PQgetvalue(y, i, 5));
	}
	if (*PQgetvalue(h, 0, 7) == 't') {
		tmpl_vars_set(vars, "may_change", "1");
		/* The edit form starts from the asset as it is. */
		tmpl_vars_set(vars, "name", PQgetvalue(h, 0, 2));
		tmpl_vars_set(vars, "cpes", PQgetvalue(h, 0, 3));
		tmpl_vars_set(vars, "location", PQgetvalue(h, 0, 4));
		tmpl_vars_set(vars, "role", PQgetvalue(h, 0, 5));
		asset_form_values(vars, f);
	}
	ret = http_page(req, status, "asset.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(y);
	PQclear(h);
	return ret;
}

enum MHD_Result
asset_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return asset_page(req, &me, req->id, 200, NULL, "", NULL);
}

/* Whether asset id is visible and the caller's to delete: then deleting
 * is asked first; otherwise the act answers (404, or why not). */
static int
asset_deletable(struct http_req *req, const char *id)
{
	PGresult	*r;
	const char	*params[1] = { id };
	char		 err[256];
	int		 yes;

	r = caller_db(req, "SELECT 1 FROM council.assets WHERE id = $1::bigint "
	    "AND org_id = council.current_org_id() "
	    "AND council.asset_may_register()", 1, params, err, sizeof(err));
	yes = r != NULL && PQntuples(r) == 1;
	PQclear(r);
	return yes;
}

/* What deleting asks first (confirm.h): it cannot be undone. */
static const char *const asset_carry[] = { "action", "changed_on", NULL };

/*
 * POST /assets/N (action = change (name, cpes, pick..., location, role,
 * changed_on) | delete (changed_on), asked first): the operator's,
 * through council.api_asset.  A hidden asset answers like an absent one.
 */
enum MHD_Result
asset_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct confirm_ask	 ask = { NULL, "confirm.asset.heading",
				     "confirm.asset.consequence",
				     "asset.delete", NULL, NULL, asset_carry };
	PGresult		*r = NULL;
	const char		*a;
	char			 err[256], id[24], loc[64];
	unsigned		 st;
	int			 del;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", req->id);
	snprintf(loc, sizeof(loc), "/assets/%lld", req->id);
	a = form_get(&f, "action");
	del = a != NULL && strcmp(a, "delete") == 0;
	if (del && !confirm_given(&f) && asset_deletable(req, id)) {
		ask.action = loc;
		ask.back = loc;
		ret = confirm_page(req, &me, &f, &ask);
		goto out;
	}
	if ((r = asset_call(req, &f, "act", id, err, sizeof(err))) == NULL) {
		log_error("msg=\"asset act failed\" rid=%s error=\"%s\"",
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
		ret = asset_page(req, &me, req->id, st == 403 ? 403 : 422,
		    PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 3), &f);
		goto out;
	}
	ret = del ? http_redirect_done(req, "/assets", "asset.deleted") :
	    http_redirect_done(req, loc, "asset.changed");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
asset_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.assets_for_me()::text WHERE "
	    "council.current_person_id() IS NOT NULL",
	    0, NULL);
}

/* GET /api/v1/cpe-dictionary?q=: the picker's entries. */
enum MHD_Result
asset_api_dictionary(struct http_req *req)
{
	const char	*params[1];

	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	params[0] = http_query(req, "q");
	return api_json_query(req,
	    "SELECT council.cpe_dictionary_search($1)::text WHERE "
	    "council.current_person_id() IS NOT NULL", 1, params);
}
