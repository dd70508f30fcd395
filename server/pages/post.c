/*
 * post.c: one post (see post.h).  Dates are shown in JST (Asia/Tokyo).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "http.h"
#include "log.h"
#include "markup.h"
#include "post.h"
#include "tmpl.h"
#include "util.h"

/* The sections of the page, registered at start-up (post_section_add). */
static struct {
	const char	*name;
	post_section_fn	 fill;
} post_sections[POST_SECTIONS];
static size_t	post_nsections;

void
post_section_add(const char *name, post_section_fn fill)
{
	if (post_nsections >= POST_SECTIONS)
		fatal("post_section_add: more than %d sections", POST_SECTIONS);
	post_sections[post_nsections].name = name;
	post_sections[post_nsections].fill = fill;
	post_nsections++;
}

/*
 * The post and its replies, as row-level security lets the caller see
 * them.  A post the caller may not see and a post that does not exist
 * give the same empty answer, hence the same 404 (issue 4).  Reading the
 * body of a secret writes the audit row (post_bodies' policy).
 */
static const char POST_SQL[] =
    "WITH post AS (SELECT p.id, p.kind::text, p.title, p.tlp::text, "
    "p.is_secret, "
    "to_char(p.created_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), "
    "coalesce(p.parent_id::text, ''), b.body, "
    "a.org_id IS NOT NULL AND NOT a.masked, o.name_ja, o.name_en, "
    /* Opened: the feed's unread mark goes (policy/62_feed.sql); once,
     * in the CTE, whatever the number of replies.  And its unread
     * notifications with it: how many, read in the statement's snapshot
     * (before the marking), for the header's badge, which was counted
     * before (POST_UNSEEN). */
    "council.mark_read(p.id), "
    "(SELECT count(*) FROM council.notifications n "
    "WHERE n.post_id = p.id AND n.read_at IS NULL), "
    /* R-NONMEM-1: posted on behalf of a non-member ('t'), with its
     * name where the caller may read it (policy/86_nonmembers.sql). */
    "pv.j->>'on_behalf', coalesce(pv.j->'nonmember'->>'name', ''), "
    /* R-NEW-1: the richest rendition the caller sees, when this is a
     * poorer one (policy/91_renditions.sql): the page sends it there.
     * Only an analysis can be a rendition: other posts call nothing. */
    "CASE WHEN p.kind = 'analysis' THEN council.rendition_richest(p.id) "
    "ELSE p.id END AS richest "
    "FROM council.posts p "
    "CROSS JOIN LATERAL (SELECT council.post_provenance(p.id) AS j) pv "
    "LEFT JOIN council.post_bodies b ON b.post_id = p.id "
    "LEFT JOIN council.post_authors a ON a.post_id = p.id "
    "LEFT JOIN council.organisations o ON o.id = a.org_id "
    "WHERE p.id = $1::bigint) "
    /* One row per reply the caller may see (or one row of NULLs), so
     * that the page is one round trip (issue 11). */
    "SELECT post.*, r.id, r.title, "
    "to_char(r.created_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI') "
    "FROM post LEFT JOIN council.posts r ON r.parent_id = post.id "
    "ORDER BY r.id";

/* Columns of POST_SQL: the unseen notifications, then the replies. */
enum { POST_UNSEEN = 12, POST_ON_BEHALF, POST_NONMEMBER, POST_RICHEST, POST_REPLY_ID,
	POST_REPLY_TITLE, POST_REPLY_DATE };

enum MHD_Result
post_get(struct http_req *req)
{
	struct caller_me	 me;
	enum MHD_Result		 ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return post_page(req, &me, req->id, 200, NULL, NULL, NULL);
}

enum MHD_Result
post_page(struct http_req *req, const struct caller_me *me,
    long long n, unsigned status, const char *section, const char *note,
    const struct form *sent)
{
	struct caller_me	 seen;
	int			 mine;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL;
	const char		*params[1];
	char			 err[256], id[24], key[48];
	size_t			 s;
	int			 i, en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	if ((r = caller_db(req, POST_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"post failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(r) == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	/* R-NEW-1: a poorer rendition of an analysis whose richer one the
	 * caller sees: that one is its page. */
	if (section == NULL && strcmp(PQgetvalue(r, 0, POST_RICHEST), id) != 0) {
		char	loc[48];

		snprintf(loc, sizeof(loc), "/posts/%s",
		    PQgetvalue(r, 0, POST_RICHEST));
		ret = http_redirect(req, loc);
		goto out;
	}
	/* Issue 17: the badge, counted with the identity before this
	 * statement marked the post's notifications read, counts them no
	 * more (below the cap; at it, "9+" stays true or nearly). */
	seen = *me;
	if (seen.unread < CALLER_UNREAD_CAP) {
		seen.unread -= atoi(PQgetvalue(r, 0, POST_UNSEEN));
		if (seen.unread < 0)
			seen.unread = 0;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &seen);
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
	if (strcmp(PQgetvalue(r, 0, POST_ON_BEHALF), "true") == 0) {
		tmpl_vars_set(vars, "on_behalf", "1");
		if (*PQgetvalue(r, 0, POST_NONMEMBER) != '\0')
			tmpl_vars_set(vars, "nonmember",
			    PQgetvalue(r, 0, POST_NONMEMBER));
	}
	for (i = 0; i < PQntuples(r); i++) {
		if (PQgetisnull(r, i, POST_REPLY_ID))
			continue;
		item = tmpl_vars_add_item(vars, "replies");
		tmpl_vars_setf(item, "href", "/posts/%s",
		    PQgetvalue(r, i, POST_REPLY_ID));
		tmpl_vars_set(item, "title", PQgetvalue(r, i, POST_REPLY_TITLE));
		tmpl_vars_set(item, "date", PQgetvalue(r, i, POST_REPLY_DATE));
	}
	/* The registered sections: feedback (R-TF-1), attached files. */
	for (s = 0; s < post_nsections; s++) {
		mine = section != NULL &&
		    strcmp(section, post_sections[s].name) == 0;
		post_sections[s].fill(req, n, vars, mine ? note : NULL,
		    mine ? sent : NULL);
	}
	ret = http_page(req, status, "post.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

enum MHD_Result
post_api_get(struct http_req *req)
{
	const char	*params[1];
	char		 id[24];
	PGresult	*r;
	char		 err[256];
	enum MHD_Result	 ret;

	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = id;
	r = caller_db(req, "SELECT EXISTS (SELECT 1 FROM council.me), ("
	    "SELECT json_build_object('id', p.id, 'kind', p.kind, 'title', p.title, "
	    "'tlp', p.tlp, 'secret', p.is_secret, 'created_at', p.created_at, "
	    "'parent_id', p.parent_id, 'body', b.body, "
	    "'author', CASE WHEN a.org_id IS NULL OR a.masked THEN NULL ELSE "
	    "json_build_object('org_id', o.id, 'name_ja', o.name_ja, "
	    "'name_en', o.name_en) END, "
	    "'replies', (SELECT coalesce(json_agg(r.id ORDER BY r.id), '[]') "
	    "FROM council.posts r WHERE r.parent_id = p.id), "
	    /* R-TF-6: the damage and method as the caller's class may see
	     * them (policy/92_depth.sql), or null. */
	    "'tf', council.post_tf_json(p.id))::text "
	    "FROM council.posts p "
	    "LEFT JOIN council.post_bodies b ON b.post_id = p.id "
	    "LEFT JOIN council.post_authors a ON a.post_id = p.id "
	    "LEFT JOIN council.organisations o ON o.id = a.org_id "
	    "WHERE p.id = $1::bigint)", 1, params, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"api post failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return api_error(req, 503, "unavailable");
	}
	if (*PQgetvalue(r, 0, 0) != 't')
		ret = api_error(req, 401, "not_signed_in");
	else if (PQgetisnull(r, 0, 1))
		ret = api_error(req, 404, "post_not_found");
	else
		ret = http_json(req, 200, PQgetvalue(r, 0, 1),
		    (size_t)PQgetlength(r, 0, 1));
	PQclear(r);
	return ret;
}

