/*
 * feed.c: the pieces the member feed and search share (see feed.h):
 * filters from the query string, one post item in words, the caller's
 * groups for the filter form, and API answers.  Visibility is the
 * database's (policy/62_feed.sql, 41_sharing_policies.sql); dates are JST.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "db.h"
#include "feed.h"
#include "http.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

static const char *const feed_kinds[] = {
	"consultation", "analysis", "countermeasure", "alert", "report"
};
static const char *const feed_tlps[] = {
	"clear", "green", "amber", "amber_strict", "red"
};
/* The class of each TLP label's badge, in feed_tlps' order. */
static const char *const feed_tlp_classes[] = {
	"tlp tlp--clear", "tlp tlp--green", "tlp tlp--amber",
	"tlp tlp--amber_strict", "tlp tlp--red"
};

/* The index of v in set, or -1. */
static int
feed_index(const char *v, const char *const *set, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v, set[i]) == 0)
			return (int)i;
	return -1;
}

/* The element of set equal to v, or NULL. */
static const char *
feed_member(const char *v, const char *const *set, size_t n)
{
	int	k = feed_index(v, set, n);

	return k >= 0 ? set[k] : NULL;
}

int
feed_filter_parse(struct http_req *req, struct feed_filter *f,
    const char **code)
{
	const char	*v;

	memset(f, 0, sizeof(*f));
	if ((f->before = caller_id_arg(req, "before")) < 0) {
		*code = "invalid_before";
		return -1;
	}
	if ((v = http_query(req, "kind")) != NULL && *v != '\0' &&
	    (f->kind = feed_member(v, feed_kinds,
	    UTIL_ARRAY_LEN(feed_kinds))) == NULL) {
		*code = "invalid_kind";
		return -1;
	}
	if ((v = http_query(req, "tlp")) != NULL && *v != '\0' &&
	    (f->tlp = feed_member(v, feed_tlps,
	    UTIL_ARRAY_LEN(feed_tlps))) == NULL) {
		*code = "invalid_tlp";
		return -1;
	}
	if ((f->group = caller_id_arg(req, "group")) < 0) {
		*code = "invalid_group";
		return -1;
	}
	if ((v = http_query(req, "unread")) != NULL && *v != '\0') {
		if (strcmp(v, "1") != 0 && strcmp(v, "on") != 0) {
			*code = "invalid_unread";
			return -1;
		}
		f->unread = 1;
	}
	return 0;
}

void
feed_filter_query(const struct feed_filter *f, struct buf *out)
{
	/* Only checked values reach here: words of a fixed set, digits. */
	if (f->kind != NULL)
		buf_printf(out, "&kind=%s", f->kind);
	if (f->group > 0)
		buf_printf(out, "&group=%lld", f->group);
	if (f->tlp != NULL)
		buf_printf(out, "&tlp=%s", f->tlp);
	if (f->unread)
		buf_puts(out, "&unread=1");
}

void
feed_filter_params(const struct feed_filter *f, int limit,
    const char **params, char *lim, char *before, char *group)
{
	snprintf(lim, 16, "%d", limit);
	snprintf(before, 24, "%lld", f->before);
	snprintf(group, 24, "%lld", f->group);
	params[0] = lim;
	params[1] = f->before > 0 ? before : NULL;
	params[2] = f->kind;
	params[3] = f->group > 0 ? group : NULL;
	params[4] = f->tlp;
	params[5] = f->unread ? "t" : "f";
}

/*
 * The catalog text of key with "{n}" replaced by n, into out: "3組織",
 * "3 organisations".  key_one is used when n is 1.
 */
static void
feed_count(struct http_req *req, const char *key_one, const char *key,
    const char *n, struct buf *out)
{
	const char	*t = http_text(req, strcmp(n, "1") == 0 ? key_one : key);
	const char	*p = strstr(t, "{n}");

	if (p == NULL) {
		buf_puts(out, t);
		return;
	}
	buf_append(out, t, (size_t)(p - t));
	buf_puts(out, n);
	buf_puts(out, p + 3);
}

/* Append one part to a list of parts, with sep before all but the first. */
static void
feed_part(struct buf *out, const char *sep)
{
	if (out->len > 0)
		buf_puts(out, sep);
}


/*
 * The scope summary in words: council.scope_summary's codes, one a line
 * (policy/62_feed.sql; a sector's as "sector:<name_ja>\t<name_en>"), into
 * "scope" (what it names, joined by " + ") and "scope_excluded" (what it
 * excludes, R-SCOPE-2).
 */
static void
feed_scope_vars(struct http_req *req, struct tmpl_vars *item,
    const char *codes)
{
	struct buf	 in, ex;
	char		*copy = xstrdup(codes), *line, *next, *tab, key[96];
	const char	*sep = http_text(req, "feed.scope.sep");

	buf_init(&in);
	buf_init(&ex);
	for (line = copy; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strcmp(line, "reply") == 0 || strcmp(line, "none") == 0) {
			feed_part(&in, " + ");
			snprintf(key, sizeof(key), "feed.scope.%s", line);
			buf_puts(&in, http_text(req, key));
		} else if (strncmp(line, "class:", 6) == 0 ||
		    strncmp(line, "category:", 9) == 0) {
			feed_part(&in, " + ");
			snprintf(key, sizeof(key), "feed.scope.%.*s.%s",
			    (int)(strchr(line, ':') - line), line,
			    strchr(line, ':') + 1);
			buf_puts(&in, http_text(req, key));
		} else if (strncmp(line, "sector:", 7) == 0) {
			feed_part(&in, " + ");
			line += 7;
			if ((tab = strchr(line, '\t')) != NULL) {
				*tab = '\0';
				if (req->lang == I18N_EN)
					line = tab + 1;
			}
			buf_puts(&in, line);
		} else if (strncmp(line, "orgs:", 5) == 0) {
			feed_part(&in, " + ");
			feed_count(req, "feed.scope.orgs.one", "feed.scope.orgs",
			    line + 5, &in);
		} else if (strncmp(line, "groups:", 7) == 0) {
			feed_part(&in, " + ");
			feed_count(req, "feed.scope.groups.one",
			    "feed.scope.groups", line + 7, &in);
		} else if (strncmp(line, "excluded:orgs:", 14) == 0) {
			feed_part(&ex, sep);
			feed_count(req, "feed.scope.orgs.one", "feed.scope.orgs",
			    line + 14, &ex);
		} else if (strcmp(line, "excluded:supervisors") == 0 ||
		    strcmp(line, "excluded:investigative") == 0) {
			feed_part(&ex, sep);
			snprintf(key, sizeof(key), "feed.scope.excluded.%s",
			    line + 9);
			buf_puts(&ex, http_text(req, key));
		}
	}
	if (in.len > 0)
		tmpl_vars_set(item, "scope", in.data);
	if (ex.len > 0)
		tmpl_vars_set(item, "scope_excluded", ex.data);
	buf_free(&in);
	buf_free(&ex);
	free(copy);
}

/* Column numbers of FEED_ITEM_COLUMNS. */
enum { FI_ID, FI_KIND, FI_TITLE, FI_TLP, FI_SECRET, FI_DATE, FI_AUTHOR,
    FI_ORG_JA, FI_ORG_EN, FI_UNREAD, FI_SCOPE, FI_FEEDBACK };

/* The words every item of a page shares, looked up once a page. */
struct feed_words {
	const char	*kind[UTIL_ARRAY_LEN(feed_kinds)];
	const char	*tlp[UTIL_ARRAY_LEN(feed_tlps)];
	const char	*masked;
};

static void
feed_words_init(struct http_req *req, struct feed_words *w)
{
	size_t	i;

	for (i = 0; i < UTIL_ARRAY_LEN(feed_kinds); i++)
		w->kind[i] = http_text_of(req, "kind", feed_kinds[i], NULL);
	for (i = 0; i < UTIL_ARRAY_LEN(feed_tlps); i++)
		w->tlp[i] = http_text_of(req, "tlp", feed_tlps[i], NULL);
	w->masked = http_text(req, "feed.masked");
}

/* Fill a list item of the page from row i of r (feed.h). */
static void
feed_item_vars(struct http_req *req, const struct feed_words *w,
    struct tmpl_vars *item, const PGresult *r, int i)
{
	const char	*fb = PQgetvalue(r, i, FI_FEEDBACK);
	const char	*id = PQgetvalue(r, i, FI_ID);
	const char	*kind = PQgetvalue(r, i, FI_KIND);
	const char	*tlp = PQgetvalue(r, i, FI_TLP);
	int		 k;

	tmpl_vars_set(item, "id", id);
	tmpl_vars_set2(item, "href", "/posts/", id);
	/* A kind or label the database has and this list has not yet: its
	 * key is looked up as it is. */
	if ((k = feed_index(kind, feed_kinds, UTIL_ARRAY_LEN(feed_kinds))) >= 0)
		tmpl_vars_set(item, "kind", w->kind[k]);
	else
		tmpl_vars_set(item, "kind", http_text_of(req, "kind", kind, NULL));
	tmpl_vars_set(item, "kind_code", kind);
	tmpl_vars_set(item, "title", PQgetvalue(r, i, FI_TITLE));
	if ((k = feed_index(tlp, feed_tlps, UTIL_ARRAY_LEN(feed_tlps))) >= 0) {
		tmpl_vars_set(item, "tlp", w->tlp[k]);
		tmpl_vars_set(item, "tlp_class", feed_tlp_classes[k]);
	} else {
		tmpl_vars_set(item, "tlp", http_text_of(req, "tlp", tlp, NULL));
		tmpl_vars_set2(item, "tlp_class", "tlp tlp--", tlp);
	}
	if (*PQgetvalue(r, i, FI_SECRET) == 't')
		tmpl_vars_set(item, "secret", "1");
	tmpl_vars_set(item, "date", PQgetvalue(r, i, FI_DATE));
	/* R-TF-6: a masked author is "a masked member" (to its own too). */
	if (*PQgetvalue(r, i, FI_AUTHOR) == 't')
		tmpl_vars_set(item, "author", PQgetvalue(r, i,
		    req->lang == I18N_EN ? FI_ORG_EN : FI_ORG_JA));
	else
		tmpl_vars_set(item, "author", w->masked);
	if (*PQgetvalue(r, i, FI_UNREAD) == 't')
		tmpl_vars_set(item, "unread", "1");
	feed_scope_vars(req, item, PQgetvalue(r, i, FI_SCOPE));
	/* R-TF-1, R-TF-5: only a post that asks something of someone. */
	if (strcmp(fb, "none") != 0 && strspn(fb, "abcdefghijklmnopqrstuvwxyz_")
	    == strlen(fb)) {
		tmpl_vars_set(item, "feedback",
		    http_text_of(req, "feedback.status", fb, NULL));
		tmpl_vars_set2(item, "feedback_class",
		    "badge badge--feedback badge--feedback-", fb);
	}
}

void
feed_items_vars(struct http_req *req, struct tmpl_vars *vars,
    const PGresult *r)
{
	struct feed_words	 w;
	int			 i, n = PQntuples(r);

	feed_words_init(req, &w);
	for (i = 0; i < n; i++)
		feed_item_vars(req, &w, tmpl_vars_add_item(vars, "posts"), r,
		    i);
}

/* R-NEW-2: the groups the caller sees (groups_visible), for the filter. */
static const char FEED_GROUPS_SQL[] =
    "SELECT id, name_ja, name_en FROM council.groups ORDER BY id";

/* The caller's groups for the filter form: list "groups" of {id, name,
 * selected} in vars, from FEED_GROUPS_SQL's result r. */
static void
feed_groups_vars(struct http_req *req, struct tmpl_vars *vars,
    const PGresult *r, long long selected)
{
	struct tmpl_vars	*item;
	int			 i;

	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "groups");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, 0));
		tmpl_vars_set(item, "name", PQgetvalue(r, i,
		    req->lang == I18N_EN ? 2 : 1));
		if (strtoll(PQgetvalue(r, i, 0), NULL, 10) == selected)
			tmpl_vars_set(item, "selected", "selected");
	}
}

/* JSON of the API's posts. ------------------------------------------------------- */

#define FEED_LIT(b, s)	buf_append((b), (s), sizeof(s) - 1)

/* How feed_json_value writes a column. */
enum feed_json_kind {
	FEED_JSON_STRING,	/* text: a JSON string */
	FEED_JSON_RAW,		/* a number or JSON: as the database wrote it */
	FEED_JSON_BOOL,		/* t / f: true / false */
	FEED_JSON_AUTHOR	/* t: the object feed_json_author, f: null */
};

/* One key of an object and the column (of FEED_API_SQL) it shows. */
struct feed_json_field {
	const char		*key;
	int			 col;
	enum feed_json_kind	 kind;
};

/* A post as docs/api.md shows it, in the order json_build_object wrote. */
static const struct feed_json_field feed_json_post[] = {
	{ "id", 1, FEED_JSON_RAW },
	{ "kind", 2, FEED_JSON_STRING },
	{ "title", 3, FEED_JSON_STRING },
	{ "tlp", 4, FEED_JSON_STRING },
	{ "secret", 5, FEED_JSON_BOOL },
	{ "created_at", 6, FEED_JSON_RAW },	/* to_json: any DateStyle */
	{ "parent_id", 7, FEED_JSON_RAW },
	{ "author", 8, FEED_JSON_AUTHOR },
	{ "unread", 12, FEED_JSON_BOOL },
	{ "scope", 13, FEED_JSON_RAW },	/* to_json of the text[] */
	{ "feedback", 14, FEED_JSON_STRING }
};
static const struct feed_json_field feed_json_author[] = {
	{ "org_id", 9, FEED_JSON_RAW },
	{ "name_ja", 10, FEED_JSON_STRING },
	{ "name_en", 11, FEED_JSON_STRING }
};

static void	feed_json_object(struct buf *, const PGresult *, int,
		    const struct feed_json_field *, size_t);

/* Field f of row i, or null. */
static void
feed_json_value(struct buf *b, const PGresult *r, int i,
    const struct feed_json_field *f)
{
	const char	*v = PQgetvalue(r, i, f->col);
	size_t		 n = (size_t)PQgetlength(r, i, f->col);

	if (PQgetisnull(r, i, f->col)) {
		FEED_LIT(b, "null");
		return;
	}
	switch (f->kind) {
	case FEED_JSON_STRING:
		buf_json_string(b, v, n);
		break;
	case FEED_JSON_RAW:
		buf_append(b, v, n);
		break;
	case FEED_JSON_BOOL:
		if (*v == 't')
			FEED_LIT(b, "true");
		else
			FEED_LIT(b, "false");
		break;
	case FEED_JSON_AUTHOR:
		if (*v == 't')
			feed_json_object(b, r, i, feed_json_author,
			    UTIL_ARRAY_LEN(feed_json_author));
		else
			FEED_LIT(b, "null");
		break;
	}
}

/* {"key" : value, ...} of row i, the json type's layout. */
static void
feed_json_object(struct buf *b, const PGresult *r, int i,
    const struct feed_json_field *f, size_t n)
{
	size_t	k;

	for (k = 0; k < n; k++) {
		if (k == 0)
			FEED_LIT(b, "{\"");
		else
			FEED_LIT(b, ", \"");
		buf_puts(b, f[k].key);
		FEED_LIT(b, "\" : ");
		feed_json_value(b, r, i, &f[k]);
	}
	FEED_LIT(b, "}");
}

void
feed_posts_json(struct buf *b, const PGresult *r)
{
	int	i, k = 0, n = PQntuples(r);

	FEED_LIT(b, "{\"posts\" : [");
	for (i = 0; i < n; i++) {
		if (PQgetisnull(r, i, 1))
			continue;	/* the one row of an empty source */
		if (k++ > 0)
			FEED_LIT(b, ", ");
		feed_json_object(b, r, i, feed_json_post,
		    UTIL_ARRAY_LEN(feed_json_post));
	}
	FEED_LIT(b, "]}");
}

enum MHD_Result
feed_api_posts(struct http_req *req, const char *sql, int nparams,
    const char *const *params)
{
	static const char *const bad400[] = {
		"invalid_group", "query_too_short", "query_too_long", NULL
	};
	struct buf	 b;
	PGresult	*r;
	const char	*const *bad;
	char		 err[256];
	enum MHD_Result	 ret;

	buf_init(&b);
	if ((r = caller_db(req, sql, nparams, params, err, sizeof(err))) ==
	    NULL) {
		for (bad = bad400; *bad != NULL; bad++)
			if (strcmp(err, *bad) == 0)
				break;
		if (*bad != NULL)
			ret = api_error(req, 400, err);
		else {
			log_error("msg=\"api query failed\" rid=%s "
			    "error=\"%s\"", req->rid, err);
			ret = api_error(req, 503, "unavailable");
		}
		goto out;
	}
	if (PQntuples(r) < 1 || PQnfields(r) != 15 ||
	    *PQgetvalue(r, 0, 0) != 't') {
		ret = api_error(req, 401, "not_signed_in");
		goto out;
	}
	feed_posts_json(&b, r);
	ret = http_json(req, 200, b.data, b.len);
out:
	PQclear(r);
	buf_free(&b);
	return ret;
}

/* The pages. ---------------------------------------------------------------- */

/* The feed as council.feed_page (policy/62_feed.sql) gives it: $1 limit,
 * $2 before, $3 kind, $4 group, $5 TLP, $6 unread only. */
static const char FEED_PAGE_SQL[] =
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
feed_page(struct http_req *req)
{
	struct caller_me	 me;
	struct feed_filter	 ff;
	struct db_stmt		 s[2];
	struct tmpl_vars	*vars = NULL;
	struct buf		 next;
	PGresult		*r = NULL;
	const char		*params[6], *code = NULL;
	char			 limit[16], before[24], group[24], key[64];
	int			 n, ns = 1;
	enum MHD_Result		 ret;

	/* One round trip: who, the filter's groups, the feed (last: it
	 * fails on a group the person cannot see). */
	buf_init(&next);
	memset(s, 0, sizeof(s));
	s[0].sql = FEED_GROUPS_SQL;
	if (feed_filter_parse(req, &ff, &code) == 0) {
		feed_filter_params(&ff, FEED_PAGE, params, limit, before,
		    group);
		s[1].sql = FEED_PAGE_SQL;
		s[1].nparams = 6;
		s[1].params = params;
		ns = 2;
	}
	if (!caller_page_db(req, &me, s, ns, &ret))
		goto out;
	if (s[0].result == NULL || (ns == 2 && s[1].result == NULL &&
	    strcmp(s[1].err, "invalid_group") != 0)) {
		log_error("msg=\"feed failed\" rid=%s error=\"%s\"", req->rid,
		    s[0].result == NULL ? s[0].err : s[1].err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (ns == 2 && (r = s[1].result) == NULL)
		code = "invalid_group";
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
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
	feed_groups_vars(req, vars, s[0].result, ff.group);
	if (code != NULL) {
		snprintf(key, sizeof(key), "feed.error.%s", code);
		tmpl_vars_set(vars, "error", http_text(req, key));
		ret = http_page(req, 400, "feed.xhtml", vars);
		goto out;
	}
	n = PQntuples(r);
	feed_items_vars(req, vars, r);
	if (n == FEED_PAGE) {
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
	PQclear(s[0].result);
	PQclear(s[1].result);
	return ret;
}

/*
 * GET /api/v1/feed: the feed with the page's filters (kind, group, tlp,
 * unread, before) and limit.  Checked in this order: a credential (401),
 * before, kind, tlp, group, unread, limit (400), the database (a group the
 * person cannot see: 400 invalid_group, like an unknown one).
 */
enum MHD_Result
feed_api(struct http_req *req)
{
	struct feed_filter	 ff;
	const char		*params[6], *lim = http_query(req, "limit");
	const char		*code;
	char			 limit[16], before[24], group[24];
	long			 l = FEED_PAGE;

	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	if (feed_filter_parse(req, &ff, &code) == -1)
		return api_error(req, 400, code);
	if (lim != NULL) {
		if (strspn(lim, "0123456789") != strlen(lim) || *lim == '\0' ||
		    strlen(lim) > 3 || (l = atol(lim)) < 1 || l > 200)
			return api_error(req, 400, "invalid_limit");
	}
	feed_filter_params(&ff, (int)l, params, limit, before, group);
	/* "me" decides between an empty feed and nobody (401). */
	return feed_api_posts(req, FEED_API_SQL("council.feed_page($1::int, "
	    "$2::bigint, $3::council.post_kind, $4::bigint, $5::council.tlp, "
	    "$6::boolean) f"), 6, params);
}
