/*
 * vuln.h: vulnerability matching and targeted warnings (issue 14 item 5;
 * R-NEW-4): the matches of imported advisories with the registered
 * assets, as the caller sees them.  policy/89_vulns.sql decides
 * everything; the import is the JSON API's row (routes.c).
 */
#ifndef COUNCIL_VULN_H
#define COUNCIL_VULN_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	vuln_api_matches(struct http_req *);	/* GET /api/v1/advisories */
enum MHD_Result	vuln_page(struct http_req *);		/* GET /advisories */
enum MHD_Result	vuln_upload(struct http_req *);		/* POST /advisories (a file) */

#endif
