/*
 * coop.h: requests for cooperation on the member portal (R-COOP-1).  The
 * steering committee issues a request by a passed motion (committee.c); the
 * members it asks see it here and answer it with posts of their own.
 * council.coop_requests_for_me and council.coop_answer decide everything.
 */
#ifndef COUNCIL_COOP_H
#define COUNCIL_COOP_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	coop_list(struct http_req *);	/* GET /cooperation */
enum MHD_Result	coop_answer(struct http_req *);	/* POST /cooperation */
enum MHD_Result	coop_api_list(struct http_req *);	/* GET /api/v1/cooperation */

#endif
