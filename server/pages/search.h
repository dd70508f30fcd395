/*
 * search.h: search over what the signed-in person may see (issue 4):
 * GET /search?q=..&before=N (templates/search.xhtml) and
 * GET /api/v1/search?q=..&before=N&limit=N (JSON, docs/api.md).  A post
 * matches when its title or body contains q, or when one of its
 * indicators (IP address, domain, URL, hash, CVE id, e-mail address)
 * equals one found in q; council.search (policy/62_feed.sql) decides, as
 * the caller, through row-level security: a post the caller may not see
 * is never returned, counted or quoted.
 */
#ifndef COUNCIL_SEARCH_H
#define COUNCIL_SEARCH_H

#include <stddef.h>

#include <microhttpd.h>

struct http_req;

#define SEARCH_MIN_CHARS	2	/* after trimming, as the database */
#define SEARCH_MAX_CHARS	200

/*
 * Check a query and trim it into out (outlen bytes, at least
 * SEARCH_MAX_CHARS * 4 + 1): valid UTF-8, no control characters, 2 to 200
 * characters once leading and trailing white space is removed.  Returns
 * NULL, or the stable error code: query_too_short (NULL or shorter),
 * query_too_long, invalid_query.
 */
const char	*search_query_check(const char *, char *, size_t);

enum MHD_Result	search_page(struct http_req *);	/* GET /search */
enum MHD_Result	search_api(struct http_req *);	/* GET /api/v1/search */

#endif
