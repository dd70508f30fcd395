/*
 * api.h: the JSON API's one door (docs/api.md): answers are JSON documents
 * the database built (except the lists of posts, which pages/feed.c writes
 * from columns in the database's own layout), errors are {"error": "<stable code>"} with a status;
 * a write reads its JSON body (an API token, application/json, UTF-8) and
 * answers the (status, body) row of a council.api_* call.  An API call for
 * someone not signed in answers 401 {"error": "not_signed_in"}.
 */
#ifndef COUNCIL_API_H
#define COUNCIL_API_H

#include <microhttpd.h>

struct http_req;

/* {"error": code} with status. */
enum MHD_Result	 api_error(struct http_req *, unsigned, const char *);
/* Answer one row, one column of JSON built by SQL; no row or NULL is 401
 * not_signed_in, no database 503 unavailable. */
enum MHD_Result	 api_json_query(struct http_req *, const char *, int,
		    const char *const *);
/*
 * api_body: the JSON body of an API write, malloc'ed into *out: 1, or 0
 *   with *ret answered (401 without an API token, 415 not JSON, 400 empty,
 *   with a NUL or not UTF-8).
 * api_call: answer the (status, body) row of a council.api_* call.
 * api_write: the common write: api_body, then sql with the body as $1,
 *   or with with_id the route's {id} as $1 and the body as $2; answered
 *   as api_call.
 * api_read: council.api_read(fn, the route's {id}), answered as api_call.
 */
int		 api_body(struct http_req *, char **, enum MHD_Result *);
enum MHD_Result	 api_call(struct http_req *, const char *, int,
		    const char *const *);
enum MHD_Result	 api_write(struct http_req *, int with_id, const char *sql);
enum MHD_Result	 api_read(struct http_req *, const char *fn);

/*
 * The one generic API endpoint: handlers of route-table rows whose work is
 * one council.api_* call named by the row's arg (site/routes.c).
 * api_write_route: arg is the call ("council.api_x($1)", or with the
 *   route's {id} "council.api_x($1::bigint, $2)"); api_write with the
 *   body, and the {id} when the pattern has one.
 * api_read_route: arg is an API read of council.api_read (api_read).
 */
enum MHD_Result	 api_write_route(struct http_req *);
enum MHD_Result	 api_read_route(struct http_req *);

#endif
