/*
 * search.c: search over what the signed-in person may see (see search.h).
 * The query is checked here (limits in the parser) and again by
 * council.search, which returns rows of council.posts read through their
 * row-level security as the caller; the items are drawn as the feed's
 * (feed.c).  Results show no body text: a match in a body is not an
 * opening of the post.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "feed.h"
#include "http.h"
#include "log.h"
#include "search.h"
#include "tmpl.h"
#include "util.h"

const char *
search_query_check(const char *q, char *out, size_t outlen)
{
	const unsigned char	*p;
	size_t			 len, start, end, chars = 0, i;

	if (q == NULL)
		return "query_too_short";
	len = strlen(q);
	if (len > SEARCH_MAX_CHARS * 4 + 64)	/* surely too long; skip work */
		return "query_too_long";
	if (!util_utf8_valid(q, len))
		return "invalid_query";
	for (p = (const unsigned char *)q; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "invalid_query";
	for (start = 0; start < len && q[start] == ' '; start++)
		;
	for (end = len; end > start && q[end - 1] == ' '; end--)
		;
	for (i = start; i < end; i++)
		if (((unsigned char)q[i] & 0xc0) != 0x80)
			chars++;
	if (chars < SEARCH_MIN_CHARS)
		return "query_too_short";
	if (chars > SEARCH_MAX_CHARS || end - start >= outlen)
		return "query_too_long";
	memcpy(out, q + start, end - start);
	out[end - start] = '\0';
	return NULL;
}

static const char SEARCH_SQL[] =
    "SELECT " FEED_ITEM_COLUMNS " "
    "FROM council.search($1, $2::int, nullif($3, '0')::bigint) f "
    FEED_ITEM_JOINS "ORDER BY f.id DESC";

/*
 * GET /search: without q, the form; with q, the newest FEED_PAGE matches
 * before "before" and a link to older ones.  Bad input: 400 with the form
 * and a message in the person's language.
 */
enum MHD_Result
search_page(struct http_req *req)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL;
	struct buf		 next;
	PGresult		*r = NULL;
	const char		*q = http_query(req, "q"), *code = NULL;
	const char		*params[3];
	char			 qt[SEARCH_MAX_CHARS * 4 + 1], err[256];
	char			 limit[16], before[24], key[64];
	long long		 b;
	int			 n;
	enum MHD_Result		 ret;

	buf_init(&next);
	if (!caller_require(req, &me, &ret))
		goto out;
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	if (q != NULL)
		tmpl_vars_set(vars, "q", q);	/* refilled, escaped by tmpl */
	if ((b = caller_id_arg(req, "before")) < 0)
		code = "invalid_before";
	else if (q == NULL && b == 0) {
		ret = http_page(req, 200, "search.xhtml", vars);
		goto out;
	} else
		code = search_query_check(q, qt, sizeof(qt));
	if (code == NULL) {
		snprintf(limit, sizeof(limit), "%d", FEED_PAGE);
		snprintf(before, sizeof(before), "%lld", b);
		params[0] = qt;
		params[1] = limit;
		params[2] = before;
		if ((r = caller_db(req, SEARCH_SQL, 3, params, err,
		    sizeof(err))) == NULL) {
			if (strcmp(err, "query_too_short") != 0 &&
			    strcmp(err, "query_too_long") != 0) {
				log_error("msg=\"search failed\" rid=%s "
				    "error=\"%s\"", req->rid, err);
				ret = http_error(req, 503, NULL);
				goto out;
			}
			code = strcmp(err, "query_too_short") == 0 ?
			    "query_too_short" : "query_too_long";
		}
	}
	if (code != NULL) {
		snprintf(key, sizeof(key), "search.error.%s", code);
		tmpl_vars_set(vars, "error", http_text(req, key));
		ret = http_page(req, 400, "search.xhtml", vars);
		goto out;
	}
	tmpl_vars_set(vars, "searched", "1");
	n = PQntuples(r);
	feed_items_vars(req, vars, r);
	if (n == 0)
		tmpl_vars_set(vars, "empty", "1");
	if (n == FEED_PAGE) {
		buf_puts(&next, "/search?q=");
		util_urlencode(&next, qt);
		buf_printf(&next, "&before=%s", PQgetvalue(r, n - 1, 0));
		tmpl_vars_set(vars, "next_href", next.data);
	}
	ret = http_page(req, 200, "search.xhtml", vars);
out:
	buf_free(&next);
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

/*
 * GET /api/v1/search: {"posts": [...]} as /api/v1/feed.  Checked in this
 * order: a credential (401), before, q, limit (400), the database.
 */
enum MHD_Result
search_api(struct http_req *req)
{
	const char	*params[3], *lim = http_query(req, "limit"), *code;
	char		 qt[SEARCH_MAX_CHARS * 4 + 1], limit[16], before[24];
	long long	 b = caller_id_arg(req, "before");
	long		 l = FEED_PAGE;

	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	if (b < 0)
		return api_error(req, 400, "invalid_before");
	if ((code = search_query_check(http_query(req, "q"), qt,
	    sizeof(qt))) != NULL)
		return api_error(req, 400, code);
	if (lim != NULL) {
		if (strspn(lim, "0123456789") != strlen(lim) || *lim == '\0' ||
		    strlen(lim) > 3 || (l = atol(lim)) < 1 || l > 200)
			return api_error(req, 400, "invalid_limit");
	}
	snprintf(limit, sizeof(limit), "%ld", l);
	snprintf(before, sizeof(before), "%lld", b);
	params[0] = qt;
	params[1] = limit;
	params[2] = before;
	/* "me" decides between no match and nobody (401). */
	return feed_api_posts(req, FEED_API_SQL("council.search($1, $2::int, "
	    "nullif($3, '0')::bigint) f"), 3, params);
}
