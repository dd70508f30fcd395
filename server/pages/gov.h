/*
 * gov.h: the council's governance through the JSON API (issue 5): the
 * steering committee's motions (R-GOV-5..7, R-RESTRICT-1, R-COOP-1) and
 * the virtual general assembly (R-GOV-1..4).
 * policy/70_committee.sql decides everything; policy/72_gov_api.sql turns
 * a call into (status, body).  See docs/governance.md and docs/api.md.
 */
#ifndef COUNCIL_GOV_H
#define COUNCIL_GOV_H

#include <microhttpd.h>

struct http_req;

/* POST /api/v1/committee/motions */
enum MHD_Result	gov_api_motion_create(struct http_req *);
/* GET /api/v1/committee/motions/N */
enum MHD_Result	gov_api_motion(struct http_req *);
/* POST /api/v1/committee/motions/N {"action": ...} */
enum MHD_Result	gov_api_motion_act(struct http_req *);
/* The general assembly: POST /api/v1/assemblies (convene), POST
 * /api/v1/assemblies/N {"action": ...}, GET /api/v1/assemblies/N/minutes,
 * GET and POST /api/v1/polls/N (an agenda item's poll). */
enum MHD_Result	gov_api_assembly_create(struct http_req *);
enum MHD_Result	gov_api_assembly_act(struct http_req *);
enum MHD_Result	gov_api_minutes(struct http_req *);
enum MHD_Result	gov_api_poll(struct http_req *);
enum MHD_Result	gov_api_poll_act(struct http_req *);

#endif
