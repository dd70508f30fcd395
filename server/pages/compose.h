/*
 * compose.h: writing a post (R-SCOPE-1..5, R-SECRET-1..3, R-TF-1): the
 * composer page (/posts/new), its audience preview and submit key, and the
 * JSON API's POST /api/v1/posts and /api/v1/preview (docs/api.md).  The
 * database computes the audience and refuses what the rules refuse
 * (council.create_post, policy/42_sharing_writes.sql).
 */
#ifndef COUNCIL_COMPOSE_H
#define COUNCIL_COMPOSE_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	compose_get(struct http_req *);		/* GET /posts/new */
enum MHD_Result	compose_post(struct http_req *);	/* POST /posts/new */
enum MHD_Result	compose_api_create(struct http_req *);	/* POST /api/v1/posts */
enum MHD_Result	compose_api_preview(struct http_req *);	/* POST /api/v1/preview */

#endif
