/*
 * portal.c: the signed-in member's pages and the JSON API that mirrors
 * them (see portal.h).  Every read goes through db_run with the request's
 * identity; what comes back is what row-level security let through, so
 * nothing here filters visibility.  Dates are shown in JST (Asia/Tokyo).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "portal.h"
#include "tmpl.h"
#include "util.h"

#define PORTAL_PAGE	50	/* posts per feed page */

PGresult *
portal_db(struct http_req *req, const char *sql, int n,
    const char *const *params, char *err, size_t errlen)
{
	struct db_ident	id = { req->session_hash, req->rid };

	return db_run(req->srv->db, req->srv->cfg->db_acquire_timeout_ms, &id,
	    sql, n, params, NULL, err, errlen);
}

/*
 * Who is asking, in the request's language; also records activity for the
 * idle time-out.  Returns 1 signed in, 0 not (no session, expired,
 * revoked...), -1 database trouble.
 */
static int
portal_whoami(struct http_req *req, struct portal_me *me)
{
	PGresult	*r;
	char		 err[256];
	int		 en = req->lang == I18N_EN, rc;

	if (req->session_hash[0] == '\0')
		return 0;
	r = portal_db(req, "SELECT p.name_ja, p.name_en, o.name_ja, o.name_en, "
	    "council.session_touch() FROM council.me m "
	    "JOIN council.people p ON p.id = m.person_id "
	    "JOIN council.organisations o ON o.id = m.org_id", 0, NULL, err,
	    sizeof(err));
	if (r == NULL) {
		log_error("msg=\"whoami failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		return -1;
	}
	rc = PQntuples(r) == 1;
	if (rc) {
		snprintf(me->name, sizeof(me->name), "%s",
		    PQgetvalue(r, 0, en ? 1 : 0));
		snprintf(me->org, sizeof(me->org), "%s",
		    PQgetvalue(r, 0, en ? 3 : 2));
	}
	PQclear(r);
	return rc;
}

/* Layout variables of a signed-in page. */
void
portal_frame(struct http_req *req, struct tmpl_vars *vars,
    const struct portal_me *me)
{
	tmpl_vars_set(vars, "signed_in", "1");
	tmpl_vars_set(vars, "me_name", me->name);
	tmpl_vars_set(vars, "me_org", me->org);
	tmpl_vars_set(vars, "csrf_token", req->csrf);
}

/*
 * Every member page starts here: 1 when the request is signed in (me is
 * filled); otherwise 0 with *ret already answered (303 to /signin, or 503
 * when the database did not answer).
 */
int
portal_require(struct http_req *req, struct portal_me *me,
    enum MHD_Result *ret)
{
	int	who = portal_whoami(req, me);

	if (who == 1)
		return 1;
	*ret = who == 0 ? http_redirect(req, "/signin") :
	    http_error(req, 503, NULL);
	return 0;
}

/*
 * A signed-in form: parse the body into f and check its form token.
 * Returns 1, or 0 with *ret answered (400 malformed, 403 bad token).
 */
int
portal_form(struct http_req *req, struct form *f, enum MHD_Result *ret)
{
	char	err[256];

	if (form_parse(f, req->body.data, req->body.len, err,
	    sizeof(err)) == -1) {
		*ret = http_error(req, 400, NULL);
		return 0;
	}
	if (!auth_csrf_ok(req, f)) {
		*ret = http_error(req, 403, NULL);
		return 0;
	}
	return 1;
}

/* A positive post id from the query string, or 0 when absent; -1 bad. */
long long
portal_id_arg(struct http_req *req, const char *name)
{
	const char	*v = http_query(req, name);
	char		*end;
	long long	 n;

	if (v == NULL || *v == '\0')
		return 0;
	if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 18)
		return -1;
	n = strtoll(v, &end, 10);
	return n > 0 ? n : -1;
}

static const char PORTAL_FEED_SQL[] =
    "SELECT f.id, f.kind::text, f.title, f.tlp::text, f.is_secret, "
    "to_char(f.created_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), "
    "a.org_id IS NOT NULL AND NOT a.masked, o.name_ja, o.name_en, "
    "a.masked "
    "FROM council.feed($1::int, nullif($2, '0')::bigint) f "
    "LEFT JOIN council.post_authors a ON a.post_id = f.id "
    "LEFT JOIN council.organisations o ON o.id = a.org_id "
    "ORDER BY f.id DESC";

enum MHD_Result
portal_feed(struct http_req *req)
{
	struct portal_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL;
	const char		*params[2];
	char			 err[256], limit[16], before[24], key[48];
	long long		 b;
	int			 i, n, en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

	if (!portal_require(req, &me, &ret))
		goto out;
	if ((b = portal_id_arg(req, "before")) < 0) {
		ret = http_error(req, 400, NULL);
		goto out;
	}
	snprintf(limit, sizeof(limit), "%d", PORTAL_PAGE);
	snprintf(before, sizeof(before), "%lld", b);
	params[0] = limit;
	params[1] = before;
	if ((r = portal_db(req, PORTAL_FEED_SQL, 2, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"feed failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	portal_frame(req, vars, &me);
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		item = tmpl_vars_add_item(vars, "posts");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, 0));
		tmpl_vars_setf(item, "href", "/posts/%s", PQgetvalue(r, i, 0));
		snprintf(key, sizeof(key), "kind.%s", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "kind", http_text(req, key));
		tmpl_vars_set(item, "kind_code", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "title", PQgetvalue(r, i, 2));
		snprintf(key, sizeof(key), "tlp.%s", PQgetvalue(r, i, 3));
		tmpl_vars_set(item, "tlp", http_text(req, key));
		tmpl_vars_setf(item, "tlp_class", "tlp tlp--%s",
		    PQgetvalue(r, i, 3));
		if (*PQgetvalue(r, i, 4) == 't')
			tmpl_vars_set(item, "secret", "1");
		tmpl_vars_set(item, "date", PQgetvalue(r, i, 5));
		if (*PQgetvalue(r, i, 6) == 't')
			tmpl_vars_set(item, "author",
			    PQgetvalue(r, i, en ? 8 : 7));
		else
			tmpl_vars_set(item, "author",
			    http_text(req, "feed.masked"));
	}
	if (n == PORTAL_PAGE)
		tmpl_vars_setf(vars, "next_href", "/feed?before=%s",
		    PQgetvalue(r, n - 1, 0));
	if (n == 0)
		tmpl_vars_set(vars, "empty", "1");
	ret = http_page(req, 200, "feed.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

/* JSON errors: {"error": "<stable code>"}. */
enum MHD_Result
portal_json_error(struct http_req *req, unsigned status, const char *code)
{
	char	body[128];
	int	n;

	n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", code);
	return http_json(req, status, body, (size_t)n);
}

/* One row, one column: a JSON document built by the database. */
enum MHD_Result
portal_json_query(struct http_req *req, const char *sql, int nparams,
    const char *const *params)
{
	PGresult	*r;
	char		 err[256];
	enum MHD_Result	 ret;

	if ((r = portal_db(req, sql, nparams, params, err, sizeof(err))) ==
	    NULL) {
		log_error("msg=\"api query failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return portal_json_error(req, 503, "unavailable");
	}
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0))
		ret = portal_json_error(req, 401, "not_signed_in");
	else
		ret = http_json(req, 200, PQgetvalue(r, 0, 0),
		    (size_t)PQgetlength(r, 0, 0));
	PQclear(r);
	return ret;
}

enum MHD_Result
portal_api_me(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return portal_json_error(req, 401, "not_signed_in");
	return portal_json_query(req,
	    "SELECT json_build_object('person_id', m.person_id, "
	    "'name_ja', p.name_ja, 'name_en', p.name_en, 'org_id', m.org_id, "
	    "'org_name_ja', o.name_ja, 'org_name_en', o.name_en, "
	    "'coordinator', m.is_coordinator, 'secretariat', m.is_secretariat, "
	    "'committee', m.is_committee, 'handler', m.may_handle_secrets)::text "
	    "FROM council.me m JOIN council.people p ON p.id = m.person_id "
	    "JOIN council.organisations o ON o.id = m.org_id", 0, NULL);
}

enum MHD_Result
portal_api_feed(struct http_req *req)
{
	const char	*params[2], *lim = http_query(req, "limit");
	char		 limit[16], before[24];
	long long	 b = portal_id_arg(req, "before");
	long		 l = PORTAL_PAGE;

	if (req->session_hash[0] == '\0')
		return portal_json_error(req, 401, "not_signed_in");
	if (b < 0)
		return portal_json_error(req, 400, "invalid_before");
	if (lim != NULL) {
		if (strspn(lim, "0123456789") != strlen(lim) || *lim == '\0' ||
		    strlen(lim) > 3 || (l = atol(lim)) < 1 || l > 200)
			return portal_json_error(req, 400, "invalid_limit");
	}
	snprintf(limit, sizeof(limit), "%ld", l);
	snprintf(before, sizeof(before), "%lld", b);
	params[0] = limit;
	params[1] = before;
	/* "me" decides between an empty feed and nobody (401). */
	return portal_json_query(req,
	    "SELECT CASE WHEN EXISTS (SELECT 1 FROM council.me) THEN "
	    "json_build_object('posts', coalesce((SELECT json_agg(json_build_object("
	    "'id', f.id, 'kind', f.kind, 'title', f.title, 'tlp', f.tlp, "
	    "'secret', f.is_secret, 'created_at', f.created_at, "
	    "'parent_id', f.parent_id, "
	    "'author', CASE WHEN a.org_id IS NULL OR a.masked THEN NULL ELSE "
	    "json_build_object('org_id', o.id, 'name_ja', o.name_ja, "
	    "'name_en', o.name_en) END) ORDER BY f.id DESC) "
	    "FROM council.feed($1::int, nullif($2, '0')::bigint) f "
	    "LEFT JOIN council.post_authors a ON a.post_id = f.id "
	    "LEFT JOIN council.organisations o ON o.id = a.org_id), "
	    "'[]'::json))::text END", 2, params);
}

/* One post. ------------------------------------------------------------------ */

/* The post id of a path "/posts/N" or "/api/v1/posts/N"; 0 if malformed. */
long long
portal_path_id(const char *path, const char *prefix)
{
	const char	*s = path + strlen(prefix);

	if (strncmp(path, prefix, strlen(prefix)) != 0 || *s == '\0' ||
	    strspn(s, "0123456789") != strlen(s) || strlen(s) > 18 ||
	    *s == '0')
		return 0;
	return strtoll(s, NULL, 10);
}

/*
 * The post and its replies, as row-level security lets the caller see
 * them.  A post the caller may not see and a post that does not exist
 * give the same empty answer, hence the same 404 (issue 4).  Reading the
 * body of a secret writes the audit row (post_bodies' policy).
 */
static const char PORTAL_POST_SQL[] =
    "SELECT p.id, p.kind::text, p.title, p.tlp::text, p.is_secret, "
    "to_char(p.created_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), "
    "coalesce(p.parent_id::text, ''), b.body, "
    "a.org_id IS NOT NULL AND NOT a.masked, o.name_ja, o.name_en, "
    "(SELECT coalesce(json_agg(json_build_object('id', r.id, 'title', r.title, "
    "'date', to_char(r.created_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI')) "
    "ORDER BY r.id), '[]')::text FROM council.posts r WHERE r.parent_id = p.id) "
    "FROM council.posts p "
    "LEFT JOIN council.post_bodies b ON b.post_id = p.id "
    "LEFT JOIN council.post_authors a ON a.post_id = p.id "
    "LEFT JOIN council.organisations o ON o.id = a.org_id "
    "WHERE p.id = $1::bigint";

enum MHD_Result
portal_post(struct http_req *req)
{
	struct portal_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL, *rr = NULL;
	const char		*params[1];
	char			 err[256], id[24], key[48];
	long long		 n = portal_path_id(req->path, "/posts/");
	int			 i, en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

	if (!portal_require(req, &me, &ret))
		goto out;
	if (n == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	if ((r = portal_db(req, PORTAL_POST_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"post failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(r) != 1) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	portal_frame(req, vars, &me);
	tmpl_vars_set(vars, "id", PQgetvalue(r, 0, 0));
	snprintf(key, sizeof(key), "kind.%s", PQgetvalue(r, 0, 1));
	tmpl_vars_set(vars, "kind", http_text(req, key));
	tmpl_vars_set(vars, "title", PQgetvalue(r, 0, 2));
	snprintf(key, sizeof(key), "tlp.%s", PQgetvalue(r, 0, 3));
	tmpl_vars_set(vars, "tlp", http_text(req, key));
	tmpl_vars_setf(vars, "tlp_class", "tlp tlp--%s", PQgetvalue(r, 0, 3));
	if (*PQgetvalue(r, 0, 4) == 't')
		tmpl_vars_set(vars, "secret", "1");
	tmpl_vars_set(vars, "date", PQgetvalue(r, 0, 5));
	if (*PQgetvalue(r, 0, 6) != '\0')
		tmpl_vars_setf(vars, "parent_href", "/posts/%s",
		    PQgetvalue(r, 0, 6));
	tmpl_vars_set(vars, "body", PQgetvalue(r, 0, 7));
	tmpl_vars_setf(vars, "reply_href", "/posts/new?parent=%s", id);
	tmpl_vars_set(vars, "author", *PQgetvalue(r, 0, 8) == 't' ?
	    PQgetvalue(r, 0, en ? 10 : 9) : http_text(req, "feed.masked"));
	/* The replies, from the JSON the query built. */
	params[0] = PQgetvalue(r, 0, 11);
	rr = portal_db(req, "SELECT x.id, x.title, x.date FROM "
	    "json_to_recordset($1::json) AS x(id bigint, title text, date text)",
	    1, params, err, sizeof(err));
	for (i = 0; rr != NULL && i < PQntuples(rr); i++) {
		item = tmpl_vars_add_item(vars, "replies");
		tmpl_vars_setf(item, "href", "/posts/%s", PQgetvalue(rr, i, 0));
		tmpl_vars_set(item, "title", PQgetvalue(rr, i, 1));
		tmpl_vars_set(item, "date", PQgetvalue(rr, i, 2));
	}
	ret = http_page(req, 200, "post.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(rr);
	PQclear(r);
	return ret;
}

enum MHD_Result
portal_api_post(struct http_req *req)
{
	const char	*params[1];
	char		 id[24];
	long long	 n = portal_path_id(req->path, "/api/v1/posts/");
	PGresult	*r;
	char		 err[256];
	enum MHD_Result	 ret;

	if (req->session_hash[0] == '\0')
		return portal_json_error(req, 401, "not_signed_in");
	if (n == 0)
		return portal_json_error(req, 404, "post_not_found");
	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	r = portal_db(req, "SELECT EXISTS (SELECT 1 FROM council.me), ("
	    "SELECT json_build_object('id', p.id, 'kind', p.kind, 'title', p.title, "
	    "'tlp', p.tlp, 'secret', p.is_secret, 'created_at', p.created_at, "
	    "'parent_id', p.parent_id, 'body', b.body, "
	    "'author', CASE WHEN a.org_id IS NULL OR a.masked THEN NULL ELSE "
	    "json_build_object('org_id', o.id, 'name_ja', o.name_ja, "
	    "'name_en', o.name_en) END, "
	    "'replies', (SELECT coalesce(json_agg(r.id ORDER BY r.id), '[]') "
	    "FROM council.posts r WHERE r.parent_id = p.id))::text "
	    "FROM council.posts p "
	    "LEFT JOIN council.post_bodies b ON b.post_id = p.id "
	    "LEFT JOIN council.post_authors a ON a.post_id = p.id "
	    "LEFT JOIN council.organisations o ON o.id = a.org_id "
	    "WHERE p.id = $1::bigint)", 1, params, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"api post failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return portal_json_error(req, 503, "unavailable");
	}
	if (*PQgetvalue(r, 0, 0) != 't')
		ret = portal_json_error(req, 401, "not_signed_in");
	else if (PQgetisnull(r, 0, 1))
		ret = portal_json_error(req, 404, "post_not_found");
	else
		ret = http_json(req, 200, PQgetvalue(r, 0, 1),
		    (size_t)PQgetlength(r, 0, 1));
	PQclear(r);
	return ret;
}

/* The composer. ---------------------------------------------------------------- */

static const char *const portal_kinds[] = {
	"consultation", "analysis", "countermeasure", "alert", "report"
};
static const char *const portal_classes[] = {
	"all_members", "task_force", "type1_group", "type2", "coordinator"
};

static int
portal_in(const char *v, const char *const *set, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v, set[i]) == 0)
			return 1;
	return 0;
}

/* 1 when s is a positive id of at most 18 digits. */
static int
portal_is_id(const char *s)
{
	return s != NULL && *s != '\0' && *s != '0' && strlen(s) <= 18 &&
	    strspn(s, "0123456789") == strlen(s);
}

/*
 * Build the scope and exclusion arguments of council.create_post from the
 * form: scope entries "class", "org", "group" (repeatable); exclusions
 * "exclude" (supervisors, investigative) and "exclude_org".  Only known
 * words and digits reach the JSON, so it needs no escaping.  Returns 0, or
 * -1 when a field holds anything else (a forged form).  An empty scope
 * gives "" in scope (NULL: no designated scope, R-SCOPE-5).
 */
static int
portal_scope_json(const struct form *f, struct buf *scope, struct buf *excl)
{
	const char	*v;
	size_t		 i, n = 0, m = 0;

	buf_puts(scope, "[");
	for (i = 0; (v = form_get_nth(f, "class", i)) != NULL; i++) {
		if (!portal_in(v, portal_classes, UTIL_ARRAY_LEN(portal_classes)))
			return -1;
		buf_printf(scope, "%s{\"class\": \"%s\"}", n++ ? ", " : "", v);
	}
	for (i = 0; (v = form_get_nth(f, "org", i)) != NULL; i++) {
		if (!portal_is_id(v))
			return -1;
		buf_printf(scope, "%s{\"org\": %s}", n++ ? ", " : "", v);
	}
	for (i = 0; (v = form_get_nth(f, "group", i)) != NULL; i++) {
		if (!portal_is_id(v))
			return -1;
		buf_printf(scope, "%s{\"group\": %s}", n++ ? ", " : "", v);
	}
	buf_puts(scope, "]");
	if (n == 0)
		buf_reset(scope);
	buf_puts(excl, "[");
	for (i = 0; (v = form_get_nth(f, "exclude", i)) != NULL; i++) {
		if (strcmp(v, "supervisors") != 0 && strcmp(v, "investigative") != 0)
			return -1;
		buf_printf(excl, "%s{\"%s\": true}", m++ ? ", " : "", v);
	}
	for (i = 0; (v = form_get_nth(f, "exclude_org", i)) != NULL; i++) {
		if (!portal_is_id(v))
			return -1;
		buf_printf(excl, "%s{\"org\": %s}", m++ ? ", " : "", v);
	}
	buf_puts(excl, "]");
	return 0;
}

/* The composer page: the organisations and groups the caller may name. */
static enum MHD_Result
portal_compose_page(struct http_req *req, unsigned status,
    const struct portal_me *me, const struct form *f, const char *error)
{
	struct tmpl_vars	*vars = tmpl_vars_new(), *item;
	PGresult		*r;
	char			 err[256];
	const char		*v;
	int			 i, en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

	r = portal_db(req, "SELECT 'org', o.id, o.name_ja, o.name_en "
	    "FROM council.organisations o WHERE o.status = 'member' "
	    "UNION ALL SELECT 'group', g.id, g.name_ja, g.name_en "
	    "FROM council.groups g ORDER BY 1, 2", 0, NULL, err, sizeof(err));
	if (r == NULL) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	portal_frame(req, vars, me);
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, strcmp(PQgetvalue(r, i, 0),
		    "org") == 0 ? "orgs" : "groups");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "name", PQgetvalue(r, i, en ? 3 : 2));
	}
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	if (f != NULL) {
		if ((v = form_get(f, "title")) != NULL)
			tmpl_vars_set(vars, "title", v);
		if ((v = form_get(f, "body")) != NULL)
			tmpl_vars_set(vars, "body", v);
		if ((v = form_get(f, "parent")) != NULL && portal_is_id(v))
			tmpl_vars_set(vars, "parent", v);
	} else if ((v = http_query(req, "parent")) != NULL && portal_is_id(v))
		tmpl_vars_set(vars, "parent", v);
	ret = http_page(req, status, "compose.xhtml", vars);
out:
	PQclear(r);
	tmpl_vars_free(vars);
	return ret;
}

enum MHD_Result
portal_compose(struct http_req *req)
{
	struct portal_me	me;
	enum MHD_Result		ret;

	if (!portal_require(req, &me, &ret))
		return ret;
	return portal_compose_page(req, 200, &me, NULL, NULL);
}

/*
 * POST /posts/new: council.create_post decides everything (R-SECRET-1 the
 * declaration, R-SCOPE-* the scope, who may post what); its error code
 * becomes a message in the person's language and nothing is stored.
 */
enum MHD_Result
portal_compose_post(struct http_req *req)
{
	struct portal_me	 me;
	struct form		 f;
	struct buf		 scope, excl;
	PGresult		*r = NULL;
	const char		*params[9], *kind, *secret, *parent, *conf;
	char			 err[256], key[300], loc[40];
	enum MHD_Result		 ret;

	form_init(&f);
	buf_init(&scope);
	buf_init(&excl);
	if (!portal_require(req, &me, &ret))
		goto out;
	if (!portal_form(req, &f, &ret))
		goto out;
	kind = form_get(&f, "kind");
	secret = form_get(&f, "secret");
	parent = form_get(&f, "parent");
	conf = form_get(&f, "confidence");
	if (kind == NULL || !portal_in(kind, portal_kinds,
	    UTIL_ARRAY_LEN(portal_kinds)) || portal_scope_json(&f, &scope,
	    &excl) == -1 || (parent != NULL && *parent != '\0' &&
	    !portal_is_id(parent)) || (secret != NULL &&
	    strcmp(secret, "yes") != 0 && strcmp(secret, "no") != 0) ||
	    (conf != NULL && *conf != '\0' && strcmp(conf, "high") != 0 &&
	    strcmp(conf, "low") != 0)) {
		ret = portal_compose_page(req, 400, &me, &f,
		    http_text(req, "compose.error.invalid"));
		goto out;
	}
	params[0] = kind;
	params[1] = form_get(&f, "title") ? form_get(&f, "title") : "";
	params[2] = form_get(&f, "body") ? form_get(&f, "body") : "";
	/* R-SECRET-1: no default; absent stays NULL and the database says so. */
	params[3] = secret == NULL ? NULL : strcmp(secret, "yes") == 0 ? "t" : "f";
	params[4] = form_get(&f, "masked") != NULL ? "t" : "f";
	params[5] = scope.len > 0 ? scope.data : NULL;
	params[6] = excl.data;
	params[7] = parent != NULL && *parent != '\0' ? parent : NULL;
	params[8] = strcmp(kind, "countermeasure") == 0 && conf != NULL &&
	    *conf != '\0' ? conf : NULL;
	if (params[7] != NULL)		/* a reply inherits its scope */
		params[5] = NULL, params[6] = "[]";
	r = portal_db(req, "SELECT council.create_post($1::council.post_kind, "
	    "$2, $3, $4::boolean, $5::boolean, $6::jsonb, $7::jsonb, '{}', "
	    "$8::bigint, $9)", 9, params, err, sizeof(err));
	if (r == NULL) {
		/* A hidden parent is an absent parent: the same 404 page. */
		if (strcmp(err, "post_not_found") == 0) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		snprintf(key, sizeof(key), "compose.error.%s", err);
		ret = portal_compose_page(req, 422, &me, &f,
		    strcmp(http_text(req, key), key) != 0 ? http_text(req, key) :
		    http_text(req, "compose.error.invalid"));
		goto out;
	}
	snprintf(loc, sizeof(loc), "/posts/%s", PQgetvalue(r, 0, 0));
	ret = http_redirect(req, loc);
out:
	PQclear(r);
	buf_free(&scope);
	buf_free(&excl);
	form_free(&f);
	return ret;
}

/* Settings: API tokens. -------------------------------------------------- */

static enum MHD_Result
portal_tokens_page(struct http_req *req, unsigned status,
    const struct portal_me *me, const char *new_token, const char *error)
{
	struct tmpl_vars	*vars = tmpl_vars_new(), *item;
	PGresult		*r;
	char			 err[256];
	int			 i;
	enum MHD_Result		 ret;

	r = portal_db(req, "SELECT id, name, "
	    "to_char(created_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), "
	    "to_char(expires_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI') "
	    "FROM council.api_tokens()", 0, NULL, err, sizeof(err));
	if (r == NULL) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	portal_frame(req, vars, me);
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "tokens");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, 0));
		tmpl_vars_set(item, "name", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "created", PQgetvalue(r, i, 2));
		tmpl_vars_set(item, "expires", PQgetvalue(r, i, 3));
		tmpl_vars_set(item, "csrf_token", req->csrf);
	}
	if (new_token != NULL)
		tmpl_vars_set(vars, "new_token", new_token);
	if (error != NULL)
		tmpl_vars_set(vars, "error", http_text(req, error));
	ret = http_page(req, status, "tokens.xhtml", vars);
out:
	PQclear(r);
	tmpl_vars_free(vars);
	return ret;
}

enum MHD_Result
portal_tokens(struct http_req *req)
{
	struct portal_me	me;
	enum MHD_Result		ret;

	if (!portal_require(req, &me, &ret))
		return ret;
	return portal_tokens_page(req, 200, &me, NULL, NULL);
}

/* The catalog key for a database error code of the token functions. */
static const char *
portal_token_error(const char *code)
{
	if (strcmp(code, "invalid_token_name") == 0)
		return "tokens.error.name";
	if (strcmp(code, "invalid_token_lifetime") == 0)
		return "tokens.error.days";
	if (strcmp(code, "too_many_tokens") == 0)
		return "tokens.error.many";
	return "tokens.error.other";
}

enum MHD_Result
portal_tokens_post(struct http_req *req)
{
	struct portal_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[3], *op;
	char			 err[256], tok[AUTH_TOKEN_HEX + 1], hash[65];
	char			 hashx[70];
	enum MHD_Result		 ret;

	form_init(&f);
	tok[0] = '\0';
	if (!portal_require(req, &me, &ret))
		goto out;
	if (!portal_form(req, &f, &ret))
		goto out;
	op = form_get(&f, "op");
	if (op != NULL && strcmp(op, "revoke") == 0) {
		params[0] = form_get(&f, "id");
		if (params[0] == NULL || !*params[0] ||
		    strspn(params[0], "0123456789") != strlen(params[0]) ||
		    strlen(params[0]) > 18) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		r = portal_db(req, "SELECT council.api_token_revoke($1::bigint)",
		    1, params, err, sizeof(err));
		if (r == NULL) {
			ret = http_error(req, strcmp(err, "token_not_found") == 0 ?
			    404 : 503, NULL);
			goto out;
		}
		ret = http_redirect(req, "/settings/tokens");
		goto out;
	}
	if (auth_token_new(tok, hash) == -1) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	snprintf(hashx, sizeof(hashx), "\\x%s", hash);
	params[0] = form_get(&f, "name") ? form_get(&f, "name") : "";
	params[1] = hashx;
	params[2] = form_get(&f, "days") ? form_get(&f, "days") : "";
	if (strspn(params[2], "0123456789") != strlen(params[2]) ||
	    !*params[2] || strlen(params[2]) > 3) {
		ret = portal_tokens_page(req, 400, &me, NULL, "tokens.error.days");
		goto out;
	}
	r = portal_db(req, "SELECT council.api_token_create($1, $2::bytea, "
	    "$3::int)", 3, params, err, sizeof(err));
	if (r == NULL) {
		ret = portal_tokens_page(req, 400, &me, NULL,
		    portal_token_error(err));
		goto out;
	}
	/* Shown once: only its hash is kept. */
	ret = portal_tokens_page(req, 200, &me, tok, NULL);
out:
	OPENSSL_cleanse(tok, sizeof(tok));
	PQclear(r);
	form_free(&f);
	return ret;
}
