/*
 * portal.c: the signed-in member's pages and the JSON API that mirrors
 * them (see portal.h).  Every read goes through db_run with the request's
 * identity; what comes back is what row-level security let through, so
 * nothing here filters visibility.  Dates are shown in JST (Asia/Tokyo).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "attach.h"
#include "auth.h"
#include "db.h"
#include "feed.h"
#include "feedback.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "markup.h"
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
 * idle time-out.  A signed-in request takes the person's language
 * (people.lang, set on /settings) unless ?lang= asked for one.  Returns 1
 * signed in, 0 not (no session, expired, revoked...), -1 database trouble.
 */
static int
portal_whoami(struct http_req *req, struct portal_me *me)
{
	PGresult	*r;
	char		 err[256];
	int		 en, rc, l;

	if (req->session_hash[0] == '\0')
		return 0;
	r = portal_db(req, "SELECT p.name_ja, p.name_en, o.name_ja, o.name_en, "
	    "council.session_touch(), p.lang, p.is_org_admin FROM council.me m "
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
		/* The person's own language (/settings) unless the URL asks
		 * for another (?lang=). */
		if (!req->lang_from_query &&
		    (l = i18n_lang_parse(PQgetvalue(r, 0, 5))) >= 0)
			req->lang = (enum i18n_lang)l;
		en = req->lang == I18N_EN;
		me->org_admin = *PQgetvalue(r, 0, 6) == 't';
		snprintf(me->name, sizeof(me->name), "%s",
		    PQgetvalue(r, 0, en ? 1 : 0));
		snprintf(me->org, sizeof(me->org), "%s",
		    PQgetvalue(r, 0, en ? 3 : 2));
	}
	PQclear(r);
	return rc;
}

/* Who is asking, for pages that anyone may see (portal.h). */
int
portal_identify(struct http_req *req, struct portal_me *me)
{
	return portal_whoami(req, me);
}

/* Layout variables of a signed-in page. */
void
portal_frame(struct http_req *req, struct tmpl_vars *vars,
    const struct portal_me *me)
{
	tmpl_vars_set(vars, "signed_in", "1");
	if (me->org_admin)
		tmpl_vars_set(vars, "me_org_admin", "1");
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

/* The feed as council.feed_page (policy/62_feed.sql) gives it: $1 limit,
 * $2 before, $3 kind, $4 group, $5 TLP, $6 unread only. */
static const char PORTAL_FEED_SQL[] =
    "SELECT " FEED_ITEM_COLUMNS " "
    "FROM council.feed_page($1::int, $2::bigint, $3::council.post_kind, "
    "$4::bigint, $5::council.tlp, $6::boolean) f "
    FEED_ITEM_JOINS "ORDER BY f.id DESC";

/*
 * GET /feed: the newest posts the person may see, newest first, filtered
 * by kind, group, TLP label and unread (a GET form that works without
 * JavaScript), with a link to older posts that keeps the filters.  A bad
 * filter value is 400 with the form and a message in the person's
 * language; a group the person cannot see is refused like one that does
 * not exist (the database's invalid_group).
 */
enum MHD_Result
portal_feed(struct http_req *req)
{
	struct portal_me	 me;
	struct feed_filter	 ff;
	struct tmpl_vars	*vars = NULL, *item;
	struct buf		 next;
	PGresult		*r = NULL;
	const char		*params[6], *code = NULL;
	char			 err[256], limit[16], before[24], group[24];
	char			 key[64];
	int			 i, n;
	enum MHD_Result		 ret;

	buf_init(&next);
	if (!portal_require(req, &me, &ret))
		goto out;
	if (feed_filter_parse(req, &ff, &code) == 0) {
		feed_filter_params(&ff, PORTAL_PAGE, params, limit, before,
		    group);
		if ((r = portal_db(req, PORTAL_FEED_SQL, 6, params, err,
		    sizeof(err))) == NULL) {
			if (strcmp(err, "invalid_group") != 0) {
				log_error("msg=\"feed failed\" rid=%s "
				    "error=\"%s\"", req->rid, err);
				ret = http_error(req, 503, NULL);
				goto out;
			}
			code = "invalid_group";
		}
	}
	vars = tmpl_vars_new();
	portal_frame(req, vars, &me);
	/* The form shows the filters in force. */
	if (ff.kind != NULL) {
		snprintf(key, sizeof(key), "sel_kind_%s", ff.kind);
		tmpl_vars_set(vars, key, "selected");
	}
	if (ff.tlp != NULL) {
		snprintf(key, sizeof(key), "sel_tlp_%s", ff.tlp);
		tmpl_vars_set(vars, key, "selected");
	}
	if (ff.unread)
		tmpl_vars_set(vars, "chk_unread", "checked");
	if (feed_groups_vars(req, vars, ff.group) == -1) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (code != NULL) {
		snprintf(key, sizeof(key), "feed.error.%s", code);
		tmpl_vars_set(vars, "error", http_text(req, key));
		ret = http_page(req, 400, "feed.xhtml", vars);
		goto out;
	}
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		item = tmpl_vars_add_item(vars, "posts");
		feed_item_vars(req, item, r, i);
	}
	if (n == PORTAL_PAGE) {
		buf_printf(&next, "/feed?before=%s", PQgetvalue(r, n - 1, 0));
		feed_filter_query(&ff, &next);
		tmpl_vars_set(vars, "next_href", next.data);
	}
	if (n == 0)
		tmpl_vars_set(vars, ff.kind || ff.tlp || ff.group || ff.unread ?
		    "empty_filtered" : "empty", "1");
	ret = http_page(req, 200, "feed.xhtml", vars);
out:
	buf_free(&next);
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

/*
 * One row, one column: a JSON document built by the database.  An error
 * whose stable code is in bad400 (NULL-terminated, may be NULL) is the
 * client's: 400 {"error": code}; any other failure is 503.
 */
enum MHD_Result
portal_json_query_ex(struct http_req *req, const char *sql, int nparams,
    const char *const *params, const char *const *bad400)
{
	PGresult	*r;
	char		 err[256];
	enum MHD_Result	 ret;

	if ((r = portal_db(req, sql, nparams, params, err, sizeof(err))) ==
	    NULL) {
		for (; bad400 != NULL && *bad400 != NULL; bad400++)
			if (strcmp(err, *bad400) == 0)
				return portal_json_error(req, 400, err);
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
portal_json_query(struct http_req *req, const char *sql, int nparams,
    const char *const *params)
{
	return portal_json_query_ex(req, sql, nparams, params, NULL);
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

/*
 * GET /api/v1/feed: the feed with the page's filters (kind, group, tlp,
 * unread, before) and limit.  Checked in this order: a credential (401),
 * before, kind, tlp, group, unread, limit (400), the database (a group the
 * person cannot see: 400 invalid_group, like an unknown one).
 */
enum MHD_Result
portal_api_feed(struct http_req *req)
{
	struct feed_filter	 ff;
	const char		*params[6], *lim = http_query(req, "limit");
	const char		*code;
	char			 limit[16], before[24], group[24];
	long			 l = PORTAL_PAGE;

	if (req->session_hash[0] == '\0')
		return portal_json_error(req, 401, "not_signed_in");
	if (feed_filter_parse(req, &ff, &code) == -1)
		return portal_json_error(req, 400, code);
	if (lim != NULL) {
		if (strspn(lim, "0123456789") != strlen(lim) || *lim == '\0' ||
		    strlen(lim) > 3 || (l = atol(lim)) < 1 || l > 200)
			return portal_json_error(req, 400, "invalid_limit");
	}
	feed_filter_params(&ff, (int)l, params, limit, before, group);
	/* "me" decides between an empty feed and nobody (401). */
	return feed_api_answer(req,
	    "SELECT CASE WHEN EXISTS (SELECT 1 FROM council.me) THEN "
	    "json_build_object('posts', coalesce((SELECT json_agg("
	    FEED_ITEM_JSON " ORDER BY f.id DESC) "
	    "FROM council.feed_page($1::int, $2::bigint, $3::council.post_kind, "
	    "$4::bigint, $5::council.tlp, $6::boolean) f "
	    FEED_ITEM_JOINS "), '[]'::json))::text END", 6, params);
}

/* One post. ------------------------------------------------------------------ */

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
    "ORDER BY r.id), '[]')::text FROM council.posts r WHERE r.parent_id = p.id), "
    /* Opened: the feed's unread mark goes (policy/62_feed.sql). */
    "council.mark_read(p.id) "
    "FROM council.posts p "
    "LEFT JOIN council.post_bodies b ON b.post_id = p.id "
    "LEFT JOIN council.post_authors a ON a.post_id = p.id "
    "LEFT JOIN council.organisations o ON o.id = a.org_id "
    "WHERE p.id = $1::bigint";

enum MHD_Result
portal_post(struct http_req *req)
{
	struct portal_me	 me;
	enum MHD_Result		 ret;

	if (!portal_require(req, &me, &ret))
		return ret;
	return portal_post_page(req, &me, req->id, 200, NULL);
}

enum MHD_Result
portal_post_page(struct http_req *req, const struct portal_me *me,
    long long n, unsigned status, const char *fb_error)
{
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL, *rr = NULL;
	const char		*params[1];
	char			 err[256], id[24], key[48];
	int			 i, en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

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
	portal_frame(req, vars, me);
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
	/* The safe markup: blocks of text nodes, never HTML (markup.h). */
	markup_blocks(PQgetvalue(r, 0, 7), vars, "body_blocks");
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
	feedback_post_vars(req, n, vars, fb_error);	/* R-TF-1 */
	attach_post_vars(req, n, vars);		/* files of the post */
	ret = http_page(req, status, "post.xhtml", vars);
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
	PGresult	*r;
	char		 err[256];
	enum MHD_Result	 ret;

	snprintf(id, sizeof(id), "%lld", req->id);
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

/* JSON API writes. ----------------------------------------------------------- */

/*
 * The body of an API write as a C string (free() it): 1, or 0 with *ret
 * answered.  Writes need an API token (a browser's cookie session writes
 * through the forms, which carry the form token), a JSON body and no NUL.
 */
int
portal_api_body(struct http_req *req, char **out, enum MHD_Result *ret)
{
	const char	*ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);

	*out = NULL;
	if (req->session_hash[0] == '\0' || !req->bearer) {
		*ret = portal_json_error(req, 401, "not_signed_in");
		return 0;
	}
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';')) {
		*ret = portal_json_error(req, 415, "unsupported_media_type");
		return 0;
	}
	/* Not UTF-8 (issue 10 item 8): the client's error, before the
	 * database would refuse the parameter. */
	if (req->body.len == 0 || memchr(req->body.data, '\0',
	    req->body.len) != NULL ||
	    !util_utf8_valid(req->body.data, req->body.len)) {
		*ret = portal_json_error(req, 400, "invalid_json");
		return 0;
	}
	*out = xstrndup(req->body.data, req->body.len);
	return 1;
}

/* Answer (status, body) of a council.api_* call. */
enum MHD_Result
portal_api_call(struct http_req *req, const char *sql, int nparams,
    const char *const *params)
{
	PGresult	*r;
	char		 err[256];
	long		 st;
	enum MHD_Result	 ret;

	if ((r = portal_db(req, sql, nparams, params, err, sizeof(err))) ==
	    NULL) {
		log_error("msg=\"api call failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return portal_json_error(req, 503, "unavailable");
	}
	st = PQntuples(r) == 1 ? atol(PQgetvalue(r, 0, 0)) : 0;
	if (st < 200 || st > 599 || PQgetisnull(r, 0, 1))
		ret = portal_json_error(req, 503, "unavailable");
	else
		ret = http_json(req, (unsigned)st, PQgetvalue(r, 0, 1),
		    (size_t)PQgetlength(r, 0, 1));
	PQclear(r);
	return ret;
}

#define PORTAL_PRINTABLE " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"

/*
 * POST /api/v1/posts and /api/v1/preview: the composer's capabilities
 * (docs/api.md).  Idempotency-Key makes a retried create return the first
 * post (council.create_post_once).
 */
static enum MHD_Result
portal_api_compose(struct http_req *req, int preview)
{
	const char	*params[3], *key = http_header(req, "Idempotency-Key");
	char		*body;
	enum MHD_Result	 ret;

	/* The key is the client's word for "the same request": printable
	 * ASCII, at most 200 characters. */
	if (key != NULL && (*key == '\0' || strlen(key) > 200 ||
	    strspn(key, PORTAL_PRINTABLE) != strlen(key)))
		return portal_json_error(req, 400, "invalid_idempotency_key");
	if (!portal_api_body(req, &body, &ret))
		return ret;
	params[0] = body;
	params[1] = key;
	params[2] = preview ? "t" : "f";
	ret = portal_api_call(req, "SELECT status, body FROM "
	    "council.api_create_post($1, $2, $3::boolean)", 3, params);
	free(body);
	return ret;
}

enum MHD_Result
portal_api_create(struct http_req *req)
{
	return portal_api_compose(req, 0);
}

enum MHD_Result
portal_api_preview(struct http_req *req)
{
	return portal_api_compose(req, 1);
}

/* GET /api/v1/consents: the requests the caller sees (R-SCOPE-4). */
enum MHD_Result
portal_api_consents(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return portal_json_error(req, 401, "not_signed_in");
	return portal_json_query(req,
	    "SELECT CASE WHEN EXISTS (SELECT 1 FROM council.me) THEN "
	    "json_build_object('consents', coalesce((SELECT json_agg("
	    "json_build_object('id', c.id, 'post_id', c.post_id, "
	    "'post_title', c.post_title, 'source_post_id', c.source_post_id, "
	    "'source_title', c.source_title, 'status', c.status, "
	    "'requested_at', c.requested_at, 'mine_to_decide', c.mine_to_decide)) "
	    "FROM council.my_consents() c), '[]'::json))::text END", 0, NULL);
}

/* POST /api/v1/consents/N {"grant": bool}: the giver decides (R-SCOPE-4). */
enum MHD_Result
portal_api_consent_decide(struct http_req *req)
{
	const char	*params[2];
	char		 id[24], *body;
	enum MHD_Result	 ret;

	if (!portal_api_body(req, &body, &ret))
		return ret;
	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = id;
	params[1] = body;
	ret = portal_api_call(req, "SELECT status, body FROM "
	    "council.api_decide_consent($1::bigint, $2)", 2, params);
	free(body);
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
/* Whether form f has value v for a repeated field name. */
static int
portal_form_has(const struct form *f, const char *name, const char *v)
{
	const char	*x;
	size_t		 i;

	for (i = 0; f != NULL && (x = form_get_nth(f, name, i)) != NULL; i++)
		if (strcmp(x, v) == 0)
			return 1;
	return 0;
}

/* "YYYY-MM-DDTHH:MM" (datetime-local, JST) or empty. */
static int
portal_is_local_time(const char *v)
{
	static const char	pat[] = "dddd-dd-ddTdd:dd";
	size_t			i;

	if (*v == '\0')
		return 1;
	if (strlen(v) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? (v[i] < '0' || v[i] > '9') : v[i] != pat[i])
			return 0;
	return 1;
}

/*
 * "12, 15 3" -> "{12,15,3}" (post ids a derived post cites, R-SCOPE-4);
 * -1 on anything but ids, commas and spaces, or more than 20 ids.
 */
static int
portal_sources(const char *v, struct buf *out)
{
	const char	*p = v;
	size_t		 n = 0, len;

	buf_puts(out, "{");
	while (p != NULL && *p != '\0') {
		p += strspn(p, ", ");
		if (*p == '\0')
			break;
		len = strspn(p, "0123456789");
		if (len == 0 || len > 18 || *p == '0' || ++n > 20)
			return -1;
		buf_printf(out, "%s%.*s", n > 1 ? "," : "", (int)len, p);
		p += len;
		if (*p != '\0' && *p != ',' && *p != ' ')
			return -1;
	}
	buf_puts(out, "}");
	return 0;
}

/* The composer's field values as the person left them (f may be NULL). */
static void
portal_compose_refill(struct http_req *req, struct tmpl_vars *vars,
    const struct form *f)
{
	static const char *const radios[][2] = {
		{ "secret", "yes" }, { "secret", "no" },
		{ "confidence", "high" }, { "confidence", "low" },
		{ "exclude", "supervisors" }, { "exclude", "investigative" },
		{ "masked", "1" }
	};
	const char	*v;
	char		 name[64];
	size_t		 i;

	if (f == NULL) {
		if ((v = http_query(req, "parent")) != NULL && portal_is_id(v))
			tmpl_vars_set(vars, "parent", v);
		if ((v = http_query(req, "kind")) != NULL &&
		    portal_in(v, portal_kinds, UTIL_ARRAY_LEN(portal_kinds))) {
			snprintf(name, sizeof(name), "sel_kind_%s", v);
			tmpl_vars_set(vars, name, "selected");
		}
		return;
	}
	if ((v = form_get(f, "title")) != NULL)
		tmpl_vars_set(vars, "title", v);
	if ((v = form_get(f, "body")) != NULL)
		tmpl_vars_set(vars, "body", v);
	if ((v = form_get(f, "parent")) != NULL && portal_is_id(v))
		tmpl_vars_set(vars, "parent", v);
	if ((v = form_get(f, "deadline")) != NULL && portal_is_local_time(v))
		tmpl_vars_set(vars, "deadline", v);
	if ((v = form_get(f, "sources")) != NULL && strlen(v) < 400)
		tmpl_vars_set(vars, "sources", v);
	if ((v = form_get(f, "kind")) != NULL &&
	    portal_in(v, portal_kinds, UTIL_ARRAY_LEN(portal_kinds))) {
		snprintf(name, sizeof(name), "sel_kind_%s", v);
		tmpl_vars_set(vars, name, "selected");
	}
	for (i = 0; i < UTIL_ARRAY_LEN(radios); i++)
		if (portal_form_has(f, radios[i][0], radios[i][1])) {
			snprintf(name, sizeof(name), "chk_%s_%s", radios[i][0],
			    radios[i][1]);
			tmpl_vars_set(vars, name, "checked");
		}
	for (i = 0; i < UTIL_ARRAY_LEN(portal_classes); i++)
		if (portal_form_has(f, "class", portal_classes[i])) {
			snprintf(name, sizeof(name), "chk_class_%s",
			    portal_classes[i]);
			tmpl_vars_set(vars, name, "checked");
		}
}

/*
 * R-SECRET-2, R-SECRET-3: the preview's members that cannot receive the
 * secret (no registered handler, opted out of secrets), listed apart with
 * the reason in the person's language: preview_unreachable ({name,
 * reason}).  preview: council.audience_preview's JSON.
 */
static void
portal_compose_unreachable(struct http_req *req, struct tmpl_vars *vars,
    const char *preview)
{
	struct tmpl_vars	*item;
	PGresult		*r;
	const char		*params[1];
	char			 err[256], key[64];
	int			 i, en = req->lang == I18N_EN;

	params[0] = preview;
	r = portal_db(req, "SELECT x->>'name_ja', x->>'name_en', x->>'reason' "
	    "FROM json_array_elements(($1::json)->'secret_unreachable') x",
	    1, params, err, sizeof(err));
	for (i = 0; r != NULL && i < PQntuples(r); i++) {
		/* Only the two reasons the database gives have a text. */
		if (strcmp(PQgetvalue(r, i, 2), "no_handler") != 0 &&
		    strcmp(PQgetvalue(r, i, 2), "secret_opt_out") != 0)
			continue;
		tmpl_vars_set(vars, "preview_unreachable_any", "1");
		item = tmpl_vars_add_item(vars, "preview_unreachable");
		tmpl_vars_set(item, "name", PQgetvalue(r, i, en ? 1 : 0));
		snprintf(key, sizeof(key), "compose.preview.reason.%s",
		    PQgetvalue(r, i, 2));
		tmpl_vars_set(item, "reason", http_text(req, key));
	}
	PQclear(r);
}

/*
 * The composer page.  preview: council.audience_preview's JSON, shown as
 * "who will be able to read this".  The submit key is the form's, kept
 * across errors and previews, so that sending it twice posts once.
 */
static enum MHD_Result
portal_compose_page(struct http_req *req, unsigned status,
    const struct portal_me *me, const struct form *f, const char *error,
    const char *preview)
{
	struct tmpl_vars	*vars = tmpl_vars_new(), *item;
	PGresult		*r, *pr = NULL;
	const char		*params[1];
	char			 err[256], key[65];
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
		int org = strcmp(PQgetvalue(r, i, 0), "org") == 0;

		item = tmpl_vars_add_item(vars, org ? "orgs" : "groups");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "name", PQgetvalue(r, i, en ? 3 : 2));
		if (portal_form_has(f, org ? "org" : "group",
		    PQgetvalue(r, i, 1)))
			tmpl_vars_set(item, "selected", "selected");
		if (org && portal_form_has(f, "exclude_org",
		    PQgetvalue(r, i, 1)))
			tmpl_vars_set(item, "xselected", "selected");
	}
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	portal_compose_refill(req, vars, f);
	if (f != NULL && (v = form_get(f, "submit_key")) != NULL &&
	    strlen(v) == 32 && strspn(v, "0123456789abcdef") == 32)
		tmpl_vars_set(vars, "submit_key", v);
	else if (util_random_hex(key, 16) == 0)
		tmpl_vars_set(vars, "submit_key", key);
	if (preview != NULL) {
		params[0] = preview;
		pr = portal_db(req, "SELECT x->>'name_ja', x->>'name_en', "
		    "(x->>'author')::boolean, (p->>'count'), "
		    "(p->>'masked_member')::boolean, (p->>'consents')::int "
		    "FROM (SELECT $1::json AS p) s LEFT JOIN LATERAL "
		    "json_array_elements(s.p->'orgs') x ON true", 1, params,
		    err, sizeof(err));
		for (i = 0; pr != NULL && i < PQntuples(pr); i++) {
			if (i == 0) {
				tmpl_vars_set(vars, "preview", "1");
				tmpl_vars_set(vars, "preview_count",
				    PQgetvalue(pr, 0, 3));
				if (*PQgetvalue(pr, 0, 4) == 't')
					tmpl_vars_set(vars, "preview_masked", "1");
				if (atoi(PQgetvalue(pr, 0, 5)) > 0)
					tmpl_vars_set(vars, "preview_consents",
					    PQgetvalue(pr, 0, 5));
			}
			if (PQgetisnull(pr, i, 0))
				continue;
			item = tmpl_vars_add_item(vars, "preview_orgs");
			tmpl_vars_set(item, "name", PQgetvalue(pr, i, en ? 1 : 0));
			if (*PQgetvalue(pr, i, 2) == 't')
				tmpl_vars_set(item, "author", "1");
		}
		if (pr != NULL)
			portal_compose_unreachable(req, vars, preview);
	}
	ret = http_page(req, status, "compose.xhtml", vars);
out:
	PQclear(pr);
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
	return portal_compose_page(req, 200, &me, NULL, NULL, NULL);
}

/* The message for a database error code err, in the person's language. */
static const char *
portal_compose_error(struct http_req *req, const char *err)
{
	char	key[300];

	snprintf(key, sizeof(key), "compose.error.%s", err);
	return strcmp(http_text(req, key), key) != 0 ? http_text(req, key) :
	    http_text(req, "compose.error.invalid");
}

/*
 * POST /posts/new: council.create_post decides everything (R-SECRET-1 the
 * declaration, R-SCOPE-* the scope, who may post what); its error code
 * becomes a message in the person's language and nothing is stored.
 * action=preview asks council.audience_preview instead and shows the page
 * again with "who will be able to read this".  The form's submit_key
 * makes a double submit return the first post (create_post_once).
 */
enum MHD_Result
portal_compose_post(struct http_req *req)
{
	struct portal_me	 me;
	struct form		 f;
	struct buf		 scope, excl, srcs;
	PGresult		*r = NULL;
	const char		*params[12], *kind, *secret, *parent, *conf;
	const char		*dl, *action, *skey;
	char			 err[256], loc[40], deadline[32];
	int			 preview;
	enum MHD_Result		 ret;

	form_init(&f);
	buf_init(&scope);
	buf_init(&excl);
	buf_init(&srcs);
	if (!portal_require(req, &me, &ret))
		goto out;
	if (!portal_form(req, &f, &ret))
		goto out;
	kind = form_get(&f, "kind");
	secret = form_get(&f, "secret");
	parent = form_get(&f, "parent");
	conf = form_get(&f, "confidence");
	dl = form_get(&f, "deadline");
	action = form_get(&f, "action");
	skey = form_get(&f, "submit_key");
	preview = action != NULL && strcmp(action, "preview") == 0;
	if (kind == NULL || !portal_in(kind, portal_kinds,
	    UTIL_ARRAY_LEN(portal_kinds)) || portal_scope_json(&f, &scope,
	    &excl) == -1 || (parent != NULL && *parent != '\0' &&
	    !portal_is_id(parent)) || (secret != NULL &&
	    strcmp(secret, "yes") != 0 && strcmp(secret, "no") != 0) ||
	    (conf != NULL && *conf != '\0' && strcmp(conf, "high") != 0 &&
	    strcmp(conf, "low") != 0) || (dl != NULL &&
	    !portal_is_local_time(dl)) || portal_sources(form_get(&f,
	    "sources"), &srcs) == -1 || (skey != NULL && (strlen(skey) != 32 ||
	    strspn(skey, "0123456789abcdef") != 32))) {
		ret = portal_compose_page(req, 400, &me, &f,
		    http_text(req, "compose.error.invalid"), NULL);
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
	params[9] = srcs.data;
	/* datetime-local is JST (the page says so). */
	if (dl != NULL && *dl != '\0') {
		snprintf(deadline, sizeof(deadline), "%s:00+09:00", dl);
		params[10] = deadline;
	} else
		params[10] = NULL;
	params[11] = skey;
	if (params[7] != NULL)		/* a reply inherits its scope */
		params[5] = NULL, params[6] = "[]", params[9] = "{}";
	if (preview)
		r = portal_db(req, "SELECT council.audience_preview("
		    "$1::council.post_kind, $2, $3, $4::boolean, $5::boolean, "
		    "$6::jsonb, $7::jsonb, $10::bigint[], $8::bigint, $9, "
		    "$11::timestamptz)::text, $12", 12, params, err, sizeof(err));
	else
		r = portal_db(req, "SELECT council.create_post_once($12, "
		    "$1::council.post_kind, $2, $3, $4::boolean, $5::boolean, "
		    "$6::jsonb, $7::jsonb, $10::bigint[], $8::bigint, $9, "
		    "$11::timestamptz)", 12, params, err, sizeof(err));
	if (r == NULL) {
		/* A hidden parent or source is an absent one: the same 404. */
		if (strcmp(err, "post_not_found") == 0) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		ret = portal_compose_page(req, 422, &me, &f,
		    portal_compose_error(req, err), NULL);
		goto out;
	}
	if (preview) {
		ret = portal_compose_page(req, 200, &me, &f, NULL,
		    PQgetvalue(r, 0, 0));
		goto out;
	}
	snprintf(loc, sizeof(loc), "/posts/%s", PQgetvalue(r, 0, 0));
	ret = http_redirect(req, loc);
out:
	PQclear(r);
	buf_free(&scope);
	buf_free(&excl);
	buf_free(&srcs);
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
