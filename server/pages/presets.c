/*
 * presets.c: the organisations' scope presets (see presets.h): the page
 * /settings/presets (templates/presets.xhtml: the organisation's presets,
 * each with what its scope names and excludes and its TAXII collection's
 * address; the creation form with the composer's checkboxes; deleting,
 * asked first) and the JSON API's reads.  Every write goes through the
 * JSON API's own call, council.api_scope_preset (policy/99_presets.sql),
 * so that the page and the API refuse alike; the API's writes are
 * routes.c's WRITE rows.  Who sees a preset is the database's: the
 * people of its organisation only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "compose.h"
#include "confirm.h"
#include "config.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "presets.h"
#include "tmpl.h"
#include "util.h"

/* The classes a preset's scope names on the page (the composer's). */
static const char *const presets_classes[] = {
	"all_members", "task_force", "type1_group", "type2", "coordinator"
};

/* The caller's organisation's live presets, by name ($1 the language):
 * id, uuid, name, creator, created (JST), whether the caller may delete
 * it (council.scope_preset_delete decides the same again). */
static const char PRESETS_LIST_SQL[] =
    "SELECT s.id, s.uuid::text, s.name, "
    "coalesce(CASE WHEN " CALLER_EN("$1") " THEN p.name_en ELSE p.name_ja END, ''), "
    CALLER_JST("s.created_at") ", "
    "s.created_by = council.current_person_id() OR council.scope_preset_is_org_admin() "
    "FROM council.scope_presets s LEFT JOIN council.people p ON p.id = s.created_by "
    "ORDER BY s.name, s.id";

/* What those presets name, by preset (in the list's order), scope first,
 * each in its order: preset, part ('s' scope, 'x' exclusion), key (org,
 * group, class, supervisors, investigative: the order in which
 * create_post reads an entry), the class, its sector's name or its
 * category, the name of an organisation or group (NULL when the caller
 * cannot see it), the organisation's and the group's ids. */
static const char PRESETS_ENTRIES_SQL[] =
    "SELECT x.id, x.part, x.key, x.v->>'class', "
    "coalesce((SELECT CASE WHEN " CALLER_EN("$1") " THEN c.name_en "
    "ELSE c.name_ja END FROM council.sectors c WHERE c.code = x.v->>'sector'), "
    "x.v->>'sector', x.v->>'category'), "
    "CASE WHEN x.key = 'org' THEN (SELECT CASE WHEN " CALLER_EN("$1")
    " THEN o.name_en ELSE o.name_ja END FROM council.organisations o "
    "WHERE o.id = (x.v->>'org')::bigint) "
    "WHEN x.key = 'group' THEN (SELECT CASE WHEN " CALLER_EN("$1")
    " THEN g.name_en ELSE g.name_ja END FROM council.groups g "
    "WHERE g.id = (x.v->>'group')::bigint) END, x.v->>'org', x.v->>'group' "
    "FROM (SELECT s.id, s.name, e.part, e.n, e.v, CASE "
    "WHEN e.v ? 'org' THEN 'org' WHEN e.v ? 'group' THEN 'group' "
    "WHEN e.v ? 'class' THEN 'class' WHEN e.v ? 'supervisors' THEN 'supervisors' "
    "ELSE 'investigative' END AS key "
    "FROM council.scope_presets s, LATERAL (SELECT 's' AS part, n, v "
    "FROM jsonb_array_elements(s.scope) WITH ORDINALITY a(v, n) "
    "UNION ALL SELECT 'x', n, v "
    "FROM jsonb_array_elements(s.exclusions) WITH ORDINALITY b(v, n)) e) x "
    "ORDER BY x.name, x.id, x.part, x.n";

/* The member organisations and the groups a scope may name (the
 * composer's lists; create_post decides again). */
static const char PRESETS_ORGS_SQL[] =
    "SELECT o.id, CASE WHEN " CALLER_EN("$1") " THEN o.name_en ELSE o.name_ja END "
    "FROM council.organisations o WHERE o.status = 'member' ORDER BY 2";
static const char PRESETS_GROUPS_SQL[] =
    "SELECT g.id, CASE WHEN " CALLER_EN("$1") " THEN g.name_en ELSE g.name_ja END "
    "FROM council.groups g ORDER BY g.id";

/* A creation (council.api_scope_preset 'create'): $1 name, $2 scope, $3
 * exclusions (JSON arrays built by compose_scope_json). */
static const char PRESETS_CREATE_SQL[] =
    "SELECT status, body::json->>'error' "
    "FROM council.api_scope_preset('create', NULL, json_build_object("
    "'name', $1::text, 'scope', $2::json, 'exclusions', $3::json)::text)";

/* A deletion (council.api_scope_preset 'act'): $1 the preset, $2 action. */
static const char PRESETS_ACT_SQL[] =
    "SELECT status, body::json->>'error' "
    "FROM council.api_scope_preset('act', $1::bigint, "
    "json_strip_nulls(json_build_object('action', $2::text))::text)";

/* The preset's name when the caller may delete it (then deleting is asked
 * first), else no row. */
static const char PRESETS_DELETABLE_SQL[] =
    "SELECT s.name FROM council.scope_presets s WHERE s.id = $1::bigint "
    "AND (s.created_by = council.current_person_id() "
    "OR council.scope_preset_is_org_admin())";



/* The text of refusal code: the page's own (presets.error.*), else the
 * composer's (create_post's codes, compose.error.*), else a general one. */
static const char *
presets_error_text(struct http_req *req, const char *code)
{
	char	key[160];

	if ((size_t)snprintf(key, sizeof(key), "presets.error.%s", code) <
	    sizeof(key) && strcmp(http_text(req, key), key) != 0)
		return http_text(req, key);
	return http_text_of(req, "compose.error", code, "presets.error.invalid");
}

/* One entry of a preset (row i of e) as the page names it, into it's
 * "label". */
static void
presets_entry(struct http_req *req, struct tmpl_vars *it, PGresult *e, int i)
{
	const char	*key = PQgetvalue(e, i, 2), *name = PQgetvalue(e, i, 5);

	if (strcmp(key, "class") == 0) {
		if (strcmp(PQgetvalue(e, i, 3), "sector") == 0)
			tmpl_vars_setf(it, "label", "%s: %s", http_text(req,
			    "roster.sector"), PQgetvalue(e, i, 4));
		else if (strcmp(PQgetvalue(e, i, 3), "category") == 0)
			tmpl_vars_setf(it, "label", "%s: %s", http_text(req,
			    "roster.category"), http_text_of(req,
			    "roster.category", PQgetvalue(e, i, 4), NULL));
		else
			tmpl_vars_set(it, "label", http_text_of(req, "class",
			    PQgetvalue(e, i, 3), NULL));
	} else if (strcmp(key, "org") == 0 || strcmp(key, "group") == 0) {
		if (!PQgetisnull(e, i, 5))
			tmpl_vars_set(it, "label", name);
		else
			tmpl_vars_setf(it, "label", "#%s", PQgetvalue(e, i,
			    strcmp(key, "org") == 0 ? 6 : 7));
	} else
		tmpl_vars_set(it, "label", http_text_of(req, "compose.exclude",
		    key, NULL));
}

/*
 * The page: the presets and the creation form.  error (when not NULL)
 * above the form, with f the refused form's values.
 */
static enum MHD_Result
presets_show(struct http_req *req, unsigned status, const char *error,
    const struct form *f)
{
	struct caller_me	 me;
	struct db_stmt		 s[4];
	struct tmpl_vars	*vars = NULL, *it, *x;
	const char		*lang[1] = { caller_lang_query(req) }, *v, *base;
	PGresult		*p, *e, *orgs, *groups;
	char			 name[64];
	size_t			 k, blen;
	int			 i, j = 0;
	enum MHD_Result		 ret;

	memset(s, 0, sizeof(s));
	s[0].sql = PRESETS_LIST_SQL;
	s[1].sql = PRESETS_ENTRIES_SQL;
	s[2].sql = PRESETS_ORGS_SQL;
	s[3].sql = PRESETS_GROUPS_SQL;
	for (i = 0; i < 4; i++) {
		s[i].nparams = 1;
		s[i].params = lang;
	}
	if (!caller_page_db(req, &me, s, 4, &ret))
		return ret;
	if ((p = s[0].result) == NULL || (e = s[1].result) == NULL ||
	    (orgs = s[2].result) == NULL || (groups = s[3].result) == NULL) {
		log_error("msg=\"presets failed\" rid=%s error=\"%s%s%s%s\"",
		    req->rid, s[0].err, s[1].err, s[2].err, s[3].err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	/* The collection's address: the configured public address when there
	 * is one, else the path alone. */
	base = req->srv->cfg->public_url;
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	for (i = 0; i < PQntuples(p); i++) {
		const char *id = PQgetvalue(p, i, 0);

		it = tmpl_vars_add_item(vars, "presets");
		tmpl_vars_set(it, "id", id);
		tmpl_vars_setf(it, "heading_id", "preset-%s-heading", id);
		tmpl_vars_setf(it, "action", "/settings/presets/%s", id);
		tmpl_vars_set(it, "uuid", PQgetvalue(p, i, 1));
		tmpl_vars_set(it, "name", PQgetvalue(p, i, 2));
		tmpl_vars_set(it, "creator", PQgetvalue(p, i, 3));
		tmpl_vars_set(it, "created", PQgetvalue(p, i, 4));
		tmpl_vars_setf(it, "collection",
		    "%.*s/taxii2/council/collections/%s/", (int)blen, base,
		    PQgetvalue(p, i, 1));
		tmpl_vars_setf(it, "delete_label", "%s: %s", http_text(req,
		    "presets.delete"), PQgetvalue(p, i, 2));
		if (*PQgetvalue(p, i, 5) == 't')
			tmpl_vars_set(it, "may_delete", "1");
		/* Entries come ordered as the presets do. */
		while (j < PQntuples(e) && strcmp(PQgetvalue(e, j, 0), id) == 0) {
			x = tmpl_vars_add_item(it, *PQgetvalue(e, j, 1) == 's' ?
			    "scope" : "exclusions");
			presets_entry(req, x, e, j);
			j++;
		}
	}
	for (k = 0; k < UTIL_ARRAY_LEN(presets_classes); k++)
		if (compose_form_has(f, "class", presets_classes[k])) {
			snprintf(name, sizeof(name), "chk_class_%s",
			    presets_classes[k]);
			tmpl_vars_set(vars, name, "checked");
		}
	if (compose_form_has(f, "exclude", "supervisors"))
		tmpl_vars_set(vars, "chk_exclude_supervisors", "checked");
	if (compose_form_has(f, "exclude", "investigative"))
		tmpl_vars_set(vars, "chk_exclude_investigative", "checked");
	for (i = 0; i < PQntuples(orgs); i++) {
		v = PQgetvalue(orgs, i, 0);
		it = tmpl_vars_add_item(vars, "orgs");
		tmpl_vars_set(it, "id", v);
		tmpl_vars_set(it, "name", PQgetvalue(orgs, i, 1));
		if (compose_form_has(f, "org", v))
			tmpl_vars_set(it, "selected", "checked");
		if (compose_form_has(f, "exclude_org", v))
			tmpl_vars_set(it, "xselected", "checked");
	}
	for (i = 0; i < PQntuples(groups); i++) {
		v = PQgetvalue(groups, i, 0);
		it = tmpl_vars_add_item(vars, "groups");
		tmpl_vars_set(it, "id", v);
		tmpl_vars_set(it, "name", PQgetvalue(groups, i, 1));
		if (compose_form_has(f, "group", v))
			tmpl_vars_set(it, "selected", "checked");
	}
	if (f != NULL && (v = form_get(f, "name")) != NULL)
		tmpl_vars_set(vars, "name", v);
	ret = http_page(req, status, "presets.xhtml", vars);
out:
	tmpl_vars_free(vars);
	for (i = 0; i < 4; i++)
		PQclear(s[i].result);
	return ret;
}

enum MHD_Result
presets_page(struct http_req *req)
{
	return presets_show(req, 200, NULL, NULL);
}

/*
 * POST /settings/presets (name, class..., org..., group..., exclude...,
 * exclude_org...): through council.api_scope_preset; refused: the page
 * again with the form as sent and the refusal (create_post's code for a
 * scope it refuses), nothing stored.
 */
enum MHD_Result
presets_create(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct buf		 scope, excl;
	PGresult		*r = NULL;
	const char		*params[3];
	char			 err[256];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	buf_init(&scope);
	buf_init(&excl);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	if (compose_scope_json(&f, &scope, &excl) == -1) {
		ret = presets_show(req, 422, presets_error_text(req,
		    "invalid_scope_entry"), &f);
		goto out;
	}
	if (scope.len == 0)		/* no entry: the database answers */
		buf_puts(&scope, "[]");	/* empty_scope */
	params[0] = form_get(&f, "name");
	params[1] = scope.data;
	params[2] = excl.data;
	if ((r = caller_db(req, PRESETS_CREATE_SQL, 3, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"preset create failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st >= 300) {
		ret = presets_show(req, st == 403 || st == 409 ? st : 422,
		    presets_error_text(req, PQgetvalue(r, 0, 1)), &f);
		goto out;
	}
	ret = http_redirect_done(req, "/settings/presets", "presets.created");
out:
	PQclear(r);
	buf_free(&scope);
	buf_free(&excl);
	form_free(&f);
	return ret;
}

/* What deleting asks first (confirm.h): the collection is gone for good. */
static const char *const presets_carry[] = { "action", NULL };

/*
 * POST /settings/presets/N (action = delete, asked first): the creator's
 * or the organisation's administrator's, through council.api_scope_preset.
 * Another organisation's preset answers like an absent one (404).
 */
enum MHD_Result
presets_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct confirm_ask	 ask = { NULL, "confirm.preset.heading",
				     "confirm.preset.consequence",
				     "presets.delete", NULL, "/settings/presets",
				     presets_carry };
	PGresult		*r = NULL, *d = NULL;
	const char		*params[2];
	char			 err[256], id[24], loc[64];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", req->id);
	snprintf(loc, sizeof(loc), "/settings/presets/%lld", req->id);
	params[0] = id;
	params[1] = form_get(&f, "action");
	if (params[1] != NULL && strcmp(params[1], "delete") == 0 &&
	    !confirm_given(&f)) {
		d = caller_db(req, PRESETS_DELETABLE_SQL, 1, params, err,
		    sizeof(err));
		if (d != NULL && PQntuples(d) == 1) {
			ask.action = loc;
			ask.subject = PQgetvalue(d, 0, 0);
			ret = confirm_page(req, &me, &f, &ask);
			goto out;
		}
	}
	if ((r = caller_db(req, PRESETS_ACT_SQL, 2, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"preset act failed\" rid=%s error=\"%s\"",
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
		ret = presets_show(req, st == 403 ? 403 : 422,
		    presets_error_text(req, PQgetvalue(r, 0, 1)), NULL);
		goto out;
	}
	ret = http_redirect_done(req, "/settings/presets", "presets.deleted");
out:
	PQclear(d);
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
presets_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.scope_presets_for_me()::text "
	    "WHERE council.current_person_id() IS NOT NULL", 0, NULL);
}

/* GET /api/v1/scope-presets/N: one preset (404 preset_not_found when
 * hidden, deleted or absent). */
enum MHD_Result
presets_api_get(struct http_req *req)
{
	const char	*params[1];
	char		 id[24];

	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = id;
	return api_call(req, "SELECT status, body FROM "
	    "council.api_scope_preset('get', $1::bigint, NULL)", 1, params);
}
