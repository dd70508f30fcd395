/*
 * tokens.h: a person's API tokens on /settings/tokens (ASVS V7): create
 * (shown once), list, revoke.  Machine clients send one as "Authorization:
 * Bearer <token>" (credential.h).
 */
#ifndef COUNCIL_TOKENS_H
#define COUNCIL_TOKENS_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	tokens_get(struct http_req *);	/* GET /settings/tokens */
enum MHD_Result	tokens_post(struct http_req *);	/* POST /settings/tokens */

#endif
