/*
 * cymat.h: support requests to CYMAT (issue 13 item 7; R-CYMAT-1; seed
 * 003 §10-15): a government body requests, the head dispatches the team
 * or declines, the body reports its damage, the head ends the support.
 * policy/84_cymat.sql decides everything.
 */
#ifndef COUNCIL_CYMAT_H
#define COUNCIL_CYMAT_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	cymat_api_list(struct http_req *);	/* GET /api/v1/cymat */

#endif
