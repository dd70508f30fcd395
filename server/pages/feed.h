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
 * the columns feed_items_vars reads, from column 0.
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
/*
 * The API's answer of posts from a row source (a FROM item of council.posts
 * rows named f): whether the caller is signed in, then per post the
 * columns feed_api_posts writes as JSON (docs/api.md).  When nobody is
 * signed in the one row says so; when the source is empty the one row has
 * no post (its id is NULL).  The JSON is written in councild from these
 * columns, not built per post in SQL (issue 12 item 3: the database's
 * json_build_object per post cost a third of its TPS).
 */
#define FEED_API_SQL(source) \
	"SELECT m.signed, x.* FROM (SELECT EXISTS (SELECT 1 FROM council.me) " \
	"AS signed) m LEFT JOIN (SELECT f.id AS id, f.kind::text, f.title, " \
	"f.tlp::text, f.is_secret, to_json(f.created_at), f.parent_id, " \
	"f.shown_author_org IS NOT NULL, o.id AS org_id, o.name_ja, " \
	"o.name_en, " FEED_ITEM_UNREAD ", to_json(f.scope_summary), " \
	FEED_ITEM_FEEDBACK " FROM " source " " FEED_ITEM_JOINS ") x " \
	"ON m.signed ORDER BY x.id DESC"

/* Fill list "posts" of vars with an item for each row of r
 * (FEED_ITEM_COLUMNS): id, href, kind, kind_code, title, tlp, tlp_class,
 * secret, date, author, unread, scope, scope_excluded, feedback,
 * feedback_class. */
void		 feed_items_vars(struct http_req *, struct tmpl_vars *,
		    const PGresult *);

/*
 * Answer an API read of posts: sql is FEED_API_SQL of a source with its
 * parameters.  200 {"posts" : [...]} in the database's own JSON layout
 * (the one json_build_object and json_agg write; tests/http/feed.sh holds
 * the bytes to it), 401 not_signed_in, 400 for the database's refusals of
 * bad input (invalid_group, query_too_short, query_too_long), 503.
 */
enum MHD_Result	 feed_api_posts(struct http_req *, const char *, int,
		    const char *const *);
/* Append the posts of r (rows of FEED_API_SQL) to b as that JSON. */
void		 feed_posts_json(struct buf *, const PGresult *);

enum MHD_Result	 feed_page(struct http_req *);	/* GET /feed */
enum MHD_Result	 feed_api(struct http_req *);	/* GET /api/v1/feed */

#endif
