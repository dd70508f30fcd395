/*
 * cymat.h: support requests to CYMAT (issue 13 item 7; R-CYMAT-1; seed
 * 003 §10-15): a government body requests, the head dispatches the team
 * or declines, the body reports its damage, the head ends the support.
 * policy/84_cymat.sql decides everything; the pages (Japanese first) and
 * the JSON API call the same functions.
 */
#ifndef COUNCIL_CYMAT_H
#define COUNCIL_CYMAT_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	cymat_list(struct http_req *);		/* GET /cymat */
enum MHD_Result	cymat_request(struct http_req *);	/* POST /cymat */
enum MHD_Result	cymat_get(struct http_req *);		/* GET /cymat/N */
enum MHD_Result	cymat_act(struct http_req *);		/* POST /cymat/N */
enum MHD_Result	cymat_api_list(struct http_req *);	/* GET /api/v1/cymat */

#endif
