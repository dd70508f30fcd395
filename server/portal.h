/*
 * portal.h: the signed-in member's pages (feed, settings) and the JSON API
 * (/api/v1/...) that offers the same reads to API-token clients.  See
 * docs/api.md.  A page for someone not signed in redirects to /signin; an
 * API call answers 401 {"error": "not_signed_in"}.
 */
#ifndef COUNCIL_PORTAL_H
#define COUNCIL_PORTAL_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	portal_feed(struct http_req *);		/* GET /feed */
enum MHD_Result	portal_post(struct http_req *);		/* GET /posts/N */
enum MHD_Result	portal_compose(struct http_req *);	/* GET /posts/new */
enum MHD_Result	portal_compose_post(struct http_req *);	/* POST /posts/new */
enum MHD_Result	portal_tokens(struct http_req *);	/* GET /settings/tokens */
enum MHD_Result	portal_tokens_post(struct http_req *);	/* POST /settings/tokens */
enum MHD_Result	portal_api_me(struct http_req *);	/* GET /api/v1/me */
enum MHD_Result	portal_api_feed(struct http_req *);	/* GET /api/v1/feed */
enum MHD_Result	portal_api_post(struct http_req *);	/* GET /api/v1/posts/N */

#endif
