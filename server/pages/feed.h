/*
 * feed.h: what the member feed (GET /feed, GET /api/v1/feed)
 * and search (search.c) share: the feed's filters, read from the query
 * string with their limits; one post item, as SQL columns and as page
 * variables (kind, TLP badge, secret mark, author or the masked member,
 * scope summary in words, unread mark, feedback status); and the JSON
 * answer of an API read with the database's refusals as 400.  The
 * database decides what is in a feed (policy/62_feed.sql); nothing here
 * filters.
 */
#ifndef COUNCIL_FEED_H
#define COUNCIL_FEED_H

#include <libpq-fe.h>
#include <microhttpd.h>

struct buf;
struct http_req;
struct tmpl_vars;

#define FEED_PAGE	50	/* posts per page (feed and search) */

/* The filters of a feed request; NULL / 0 for "any". */
struct feed_filter {
	long long	 before;	/* older than this post id */
	const char	*kind;		/* a council.post_kind */
	const char	*tlp;		/* a council.tlp */
	long long	 group;		/* a group id (the database checks it) */
	int		 unread;	/* only posts the person has not opened */
};

/*
 * Read before, kind, tlp, group and unread from the query string.  An
 * empty value is "any" (what the page's form sends for "all").  Returns 0,
 * or -1 with *code set to the stable error code: invalid_before (not a
 * positive id of at most 18 digits), invalid_kind, invalid_tlp (not one of
 * the enum's values), invalid_group (not a positive id), invalid_unread
 * (not "1" or "on").
 */
int		 feed_filter_parse(struct http_req *, struct feed_filter *,
		    const char **);
/* Append the filters (not before) as "&name=value..." to out. */
void		 feed_filter_query(const struct feed_filter *, struct buf *);
/*
 * The six arguments of council.feed_page($1..$6) as text (NULL for any);
 * the strings live in the caller's buffers limit (>= 16 bytes), before
 * and group (>= 24 bytes).
 */
void		 feed_filter_params(const struct feed_filter *, int,
		    const char **, char *, char *, char *);

/*
 * One post of a row source "f" (rows of council.posts): FEED_ITEM_COLUMNS
 * and FEED_ITEM_JOINS in a statement's select list and FROM clause give
 * the columns feed_items_vars reads, from column 0; FEED_ITEM_JSON is the
 * same post as a JSON object (docs/api.md).
 */
#define FEED_ITEM_COLUMNS \
	"f.id, f.kind::text, f.title, f.tlp::text, f.is_secret, " \
	"to_char(f.created_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), " \
	"f.shown_author_org IS NOT NULL, o.name_ja, o.name_en, " \
	FEED_ITEM_UNREAD ", " \
	"(SELECT string_agg(CASE WHEN u.t LIKE 'sector:%' THEN 'sector:' || " \
	"coalesce((SELECT s.name_ja || E'\\t' || s.name_en FROM council.sectors s " \
	"WHERE s.code = substr(u.t, 8)), substr(u.t, 8)) ELSE u.t END, E'\\n' " \
	"ORDER BY u.n) FROM unnest(f.scope_summary) " \
	"WITH ORDINALITY AS u(t, n)), " \
	FEED_ITEM_FEEDBACK
/* Only a first post with a deadline can have a feedback state: the others
 * (most) skip the function call (f is a row the caller already sees). */
#define FEED_ITEM_FEEDBACK \
	"CASE WHEN f.feedback_deadline IS NULL OR f.parent_id IS NOT NULL " \
	"THEN 'none' ELSE coalesce(council.feedback_status(f.id), 'none') END"
#define FEED_ITEM_UNREAD \
	"NOT EXISTS (SELECT 1 FROM council.post_reads r WHERE r.person_id = " \
	"(SELECT me.person_id FROM council.me) AND r.post_id = f.id)"
/* The author to show and the scope summary are the post's own columns
 * (migration 0014): no per-post policy or function call. */
#define FEED_ITEM_JOINS \
	"LEFT JOIN council.organisations o ON o.id = f.shown_author_org "
#define FEED_ITEM_JSON \
	"json_build_object('id', f.id, 'kind', f.kind, 'title', f.title, " \
	"'tlp', f.tlp, 'secret', f.is_secret, 'created_at', f.created_at, " \
	"'parent_id', f.parent_id, " \
	"'author', CASE WHEN f.shown_author_org IS NULL THEN NULL ELSE " \
	"json_build_object('org_id', o.id, 'name_ja', o.name_ja, " \
	"'name_en', o.name_en) END, " \
	"'unread', " FEED_ITEM_UNREAD ", " \
	"'scope', f.scope_summary, " \
	"'feedback', " FEED_ITEM_FEEDBACK ")"

/* Fill list "posts" of vars with an item for each row of r
 * (FEED_ITEM_COLUMNS): id, href, kind, kind_code, title, tlp, tlp_class,
 * secret, date, author, unread, scope, scope_excluded, feedback,
 * feedback_class. */
void		 feed_items_vars(struct http_req *, struct tmpl_vars *,
		    const PGresult *);

/*
 * Answer an API read: one row, one column of JSON, as api_json_query,
 * except that the database's refusals of bad input (invalid_group,
 * query_too_short, query_too_long) are 400 {"error": code}.
 */
enum MHD_Result	 feed_api_answer(struct http_req *, const char *, int,
		    const char *const *);


enum MHD_Result	 feed_page(struct http_req *);	/* GET /feed */
enum MHD_Result	 feed_api(struct http_req *);	/* GET /api/v1/feed */

#endif
