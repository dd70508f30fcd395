/*
 * violation.h: violation reports (issue 13 item 8; R-VIOL-1): a member
 * reports a suspected leak, scope breach or misuse to the general-affairs
 * secretariat, naming posts; the secretariat opens a recorded access case
 * from it (R-ORG-6) and closes it with its outcome.  policy/82_violations.sql
 * decides everything; only the reporter and the secretariat see a report.
 */
#ifndef COUNCIL_VIOLATION_H
#define COUNCIL_VIOLATION_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	violation_list(struct http_req *);	/* GET /violations */
enum MHD_Result	violation_file(struct http_req *);	/* POST /violations */
enum MHD_Result	violation_get(struct http_req *);	/* GET /violations/N */
enum MHD_Result	violation_act(struct http_req *);	/* POST /violations/N */
enum MHD_Result	violation_api_list(struct http_req *);	/* GET /api/v1/violations */

#endif
