/*
 * groups.c: groups on the portal (see groups.h): the groups the caller
 * sees (those its organisation is in or owns; all for the coordinator:
 * policy/41_sharing_policies.sql groups_visible) with their members, the
 * owner's forms that add and remove members, the form by which the
 * coordinator and the secretariat create a group, and the JSON API's
 * list.  Every write goes through the JSON API's own call,
 * council.api_group (policy/83_groups.sql), so that the page and the API
 * refuse alike; the rest of the API is routes.c's generic rows.  The
 * composer offers the same groups as scopes (compose.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "db.h"
#include "form.h"
#include "groups.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

/* SQL: true when the page's texts are English: parameter p ('ja', 'en',
 * or NULL for the person's own language; groups_lang). */
#define GROUPS_EN(p) "(coalesce(" p "::text, (SELECT pl.lang FROM council.me ml " \
	"JOIN council.people pl ON pl.id = ml.person_id), 'ja') = 'en')"

/* The kinds a group is created with (an incident's group is opened from
 * its report, not here). */
static const char *const groups_kinds[] = { "standing", "adhoc", "sector",
    "cross_sector" };

/* The groups the caller sees, by id; $1 the language.  Whether the caller
 * may change each one's members (its owner's handler or administrator, or
 * the coordinator's; council.group_set_member decides the same again). */
static const char GROUPS_LIST_SQL[] =
    "SELECT g.id, CASE WHEN " GROUPS_EN("$1") " THEN g.name_en ELSE g.name_ja END, g.kind::text, "
    "coalesce(CASE WHEN " GROUPS_EN("$1") " THEN o.name_en ELSE o.name_ja END, ''), g.slug, "
    "(g.owner_org_id = council.current_org_id() OR council.current_is_coordinator()) "
    "AND council.incident_may_touch(), g.owner_org_id = council.current_org_id() "
    "FROM council.groups g LEFT JOIN council.organisations o ON o.id = g.owner_org_id "
    "ORDER BY g.id";

/* The members of those groups, by group. */
static const char GROUPS_MEMBERS_SQL[] =
    "SELECT m.group_id, m.org_id, CASE WHEN " GROUPS_EN("$1") " THEN o.name_en ELSE o.name_ja END, "
    "m.org_id = council.current_org_id() "
    "FROM council.group_members m JOIN council.organisations o ON o.id = m.org_id "
    "ORDER BY m.group_id, 3";

/* The member organisations one may add, by name. */
static const char GROUPS_ORGS_SQL[] =
    "SELECT o.id, CASE WHEN " GROUPS_EN("$1") " THEN o.name_en ELSE o.name_ja END "
    "FROM council.organisations o WHERE o.status = 'member' ORDER BY 2";

/* Whether the caller may create groups (council.group_create decides the
 * same again). */
static const char GROUPS_MAY_CREATE_SQL[] =
    "SELECT (council.current_is_coordinator() OR council.current_is_secretariat()) "
    "AND council.incident_may_touch()";

/* A creation (council.api_group 'create'): $1 slug, $2 name_ja, $3
 * name_en, $4 kind.  NULLs are left out. */
static const char GROUPS_CREATE_SQL[] =
    "SELECT status, body::json->>'error', body::json->>'id' "
    "FROM council.api_group('create', NULL, json_strip_nulls(json_build_object("
    "'slug', $1::text, 'name_ja', $2::text, 'name_en', $3::text, "
    "'kind', $4::text))::text)";

/* A change of members (council.api_group 'act'): $1 the group, $2
 * action (add, remove), $3 the organisation's id. */
static const char GROUPS_ACT_SQL[] =
    "SELECT status, body::json->>'error' "
    "FROM council.api_group('act', $1::bigint, json_strip_nulls(json_build_object("
    "'action', $2::text, 'org', CASE WHEN $3::text ~ '^[0-9]{1,18}$' "
    "THEN $3::bigint END))::text)";

/*
 * The language of the page's texts from the database: ?lang= when the URL
 * asks for one, else NULL, and the statement takes the person's own
 * (GROUPS_EN), as caller.c does once the identity is read: a page's reads
 * run in the identity's batch, before req->lang is the person's.
 */
static const char *
groups_lang(struct http_req *req)
{
	if (!req->lang_from_query)
		return NULL;
	return req->lang == I18N_EN ? "en" : "ja";
}

/* The field of the creation form a refusal code is about, or NULL. */
static const char *
groups_bad_field(const char *code)
{
	if (strcmp(code, "invalid_slug") == 0 ||
	    strcmp(code, "slug_taken") == 0)
		return "slug";
	if (strcmp(code, "invalid_name") == 0)
		return "name";
	if (strcmp(code, "invalid_kind") == 0 ||
	    strcmp(code, "invalid_request") == 0)
		return "kind";
	return NULL;
}

/* One group's item: its members (rows [*m, ...) of mem with its id, *m
 * advanced past them) and, for whom may change them, the organisations
 * to add, the one sent (when f was about this group) selected. */
static void
groups_item(struct http_req *req, struct tmpl_vars *it, PGresult *g, int i,
    PGresult *mem, int *m, PGresult *orgs, const char *sent_org)
{
	struct tmpl_vars	*x;
	const char		*id = PQgetvalue(g, i, 0);
	int			 first = *m, last, j, k, member;

	tmpl_vars_set(it, "id", id);
	tmpl_vars_setf(it, "anchor", "group-%s", id);
	tmpl_vars_setf(it, "heading_id", "group-%s-heading", id);
	tmpl_vars_setf(it, "slug_id", "group-%s-slug", id);
	tmpl_vars_setf(it, "labelled_by", "group-%s-heading group-%s-slug", id,
	    id);
	tmpl_vars_setf(it, "members_id", "group-%s-members", id);
	tmpl_vars_setf(it, "members_by",
	    "group-%s-members group-%s-heading group-%s-slug", id, id, id);
	tmpl_vars_setf(it, "select_id", "group-%s-org", id);
	tmpl_vars_setf(it, "action", "/groups/%s", id);
	tmpl_vars_set(it, "name", PQgetvalue(g, i, 1));
	tmpl_vars_set(it, "kind", http_text_of(req, "groups.kind",
	    PQgetvalue(g, i, 2), NULL));
	tmpl_vars_set(it, "owner", PQgetvalue(g, i, 3));
	tmpl_vars_set(it, "slug", PQgetvalue(g, i, 4));
	if (*PQgetvalue(g, i, 5) == 't')
		tmpl_vars_set(it, "may_edit", "1");
	if (*PQgetvalue(g, i, 6) == 't')
		tmpl_vars_set(it, "owned", "1");
	while (*m < PQntuples(mem) && strcmp(PQgetvalue(mem, *m, 0), id) == 0) {
		x = tmpl_vars_add_item(it, "members");
		tmpl_vars_set(x, "org_id", PQgetvalue(mem, *m, 1));
		tmpl_vars_set(x, "org", PQgetvalue(mem, *m, 2));
		tmpl_vars_setf(x, "remove_label", "%s: %s", http_text(req,
		    "groups.remove"), PQgetvalue(mem, *m, 2));
		if (*PQgetvalue(mem, *m, 3) == 't')
			tmpl_vars_set(x, "ours", "1");
		(*m)++;
	}
	last = *m;
	if (*PQgetvalue(g, i, 5) != 't')
		return;
	for (j = 0; j < PQntuples(orgs); j++) {
		member = 0;
		for (k = first; k < last && !member; k++)
			member = strcmp(PQgetvalue(mem, k, 1),
			    PQgetvalue(orgs, j, 0)) == 0;
		if (member)
			continue;
		x = tmpl_vars_add_item(it, "candidates");
		tmpl_vars_set(x, "value", PQgetvalue(orgs, j, 0));
		tmpl_vars_set(x, "label", PQgetvalue(orgs, j, 1));
		if (sent_org != NULL && strcmp(sent_org, PQgetvalue(orgs, j,
		    0)) == 0)
			tmpl_vars_set(x, "selected", "selected");
	}
}

/*
 * The page: the groups and, for the coordinator and the secretariat, the
 * creation form.  error (when not NULL) above the list; f a refused
 * form's values: the creation's (group 0), or those of the change of
 * group's members; bad the creation's field a refusal is about.
 */
static enum MHD_Result
groups_page(struct http_req *req, unsigned status, const char *error,
    const struct form *f, long long group, const char *bad)
{
	struct caller_me	 me;
	struct db_stmt		 s[4];
	struct tmpl_vars	*vars = NULL, *it;
	const char		*lang[1] = { groups_lang(req) }, *v, *sent;
	PGresult		*g, *mem, *orgs, *may;
	char			 key[32];
	size_t			 k;
	int			 i, m = 0;
	enum MHD_Result		 ret;

	memset(s, 0, sizeof(s));
	s[0].sql = GROUPS_LIST_SQL;
	s[1].sql = GROUPS_MEMBERS_SQL;
	s[2].sql = GROUPS_ORGS_SQL;
	for (i = 0; i < 3; i++) {
		s[i].nparams = 1;
		s[i].params = lang;
	}
	s[3].sql = GROUPS_MAY_CREATE_SQL;
	if (!caller_page_db(req, &me, s, 4, &ret))
		return ret;
	if ((g = s[0].result) == NULL || (mem = s[1].result) == NULL ||
	    (orgs = s[2].result) == NULL || (may = s[3].result) == NULL) {
		log_error("msg=\"groups failed\" rid=%s error=\"%s%s%s%s\"",
		    req->rid, s[0].err, s[1].err, s[2].err, s[3].err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	if (bad != NULL) {
		snprintf(key, sizeof(key), "bad_%s", bad);
		tmpl_vars_set(vars, key, "true");
	}
	for (i = 0; i < PQntuples(g); i++) {
		/* Members come ordered by group, as the groups do. */
		while (m < PQntuples(mem) && atoll(PQgetvalue(mem, m, 0)) <
		    atoll(PQgetvalue(g, i, 0)))
			m++;
		sent = f != NULL && group > 0 && atoll(PQgetvalue(g, i, 0)) ==
		    group ? form_get(f, "org") : NULL;
		it = tmpl_vars_add_item(vars, "groups");
		groups_item(req, it, g, i, mem, &m, orgs, sent);
	}
	if (PQntuples(may) == 1 && *PQgetvalue(may, 0, 0) == 't')
		tmpl_vars_set(vars, "may_create", "1");
	v = f != NULL && group == 0 ? form_get(f, "kind") : NULL;
	for (k = 0; k < UTIL_ARRAY_LEN(groups_kinds); k++) {
		it = tmpl_vars_add_item(vars, "kinds");
		tmpl_vars_set(it, "value", groups_kinds[k]);
		tmpl_vars_set(it, "label", http_text_of(req, "groups.kind",
		    groups_kinds[k], NULL));
		if (v != NULL && strcmp(v, groups_kinds[k]) == 0)
			tmpl_vars_set(it, "selected", "selected");
	}
	if (f != NULL && group == 0) {
		if ((v = form_get(f, "slug")) != NULL)
			tmpl_vars_set(vars, "slug", v);
		if ((v = form_get(f, "name_ja")) != NULL)
			tmpl_vars_set(vars, "name_ja", v);
		if ((v = form_get(f, "name_en")) != NULL)
			tmpl_vars_set(vars, "name_en", v);
	}
	ret = http_page(req, status, "groups.xhtml", vars);
out:
	tmpl_vars_free(vars);
	for (i = 0; i < 4; i++)
		PQclear(s[i].result);
	return ret;
}

enum MHD_Result
groups_list(struct http_req *req)
{
	return groups_page(req, 200, NULL, NULL, 0, NULL);
}

/*
 * POST /groups (slug, name_ja, name_en, kind): R-NEW-2, through
 * council.api_group; refused: the page again with the form as sent, the
 * field marked, nothing stored.
 */
enum MHD_Result
groups_create(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[4], *code;
	char			 err[256];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	params[0] = form_get(&f, "slug");
	params[1] = form_get(&f, "name_ja");
	params[2] = form_get(&f, "name_en");
	params[3] = form_get(&f, "kind");
	if ((r = caller_db(req, GROUPS_CREATE_SQL, 4, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"group create failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st >= 300) {
		code = PQgetvalue(r, 0, 1);
		ret = groups_page(req, st == 403 ? 403 : 422, http_text_of(req,
		    "groups.error", code, "groups.error.invalid"), &f, 0,
		    groups_bad_field(code));
		goto out;
	}
	ret = http_redirect_done(req, "/groups", "groups.created");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/*
 * POST /groups/N (action = add | remove, org): the owner's, through
 * council.api_group; the audience of every post naming the group follows
 * at once.  A group the caller cannot see answers like an absent one
 * (404); a refusal shows the page again, the organisation sent selected.
 */
enum MHD_Result
groups_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[3], *a;
	char			 err[256], id[24];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", req->id);
	a = form_get(&f, "action");
	params[0] = id;
	params[1] = a;
	params[2] = form_get(&f, "org");
	if ((r = caller_db(req, GROUPS_ACT_SQL, 3, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"group act failed\" rid=%s error=\"%s\"",
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
		ret = groups_page(req, st == 403 ? 403 : 422, http_text_of(req,
		    "groups.error", PQgetvalue(r, 0, 1), "groups.error.invalid"),
		    &f, req->id, NULL);
		goto out;
	}
	ret = http_redirect_done(req, "/groups", a != NULL &&
	    strcmp(a, "remove") == 0 ? "groups.removed" : "groups.added");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
groups_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.groups_for_me()::text", 0,
	    NULL);
}
