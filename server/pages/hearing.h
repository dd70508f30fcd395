/*
 * hearing.h: joint hearings of a reporter (issue 13 item 6; R-NEW-3;
 * docs/incidents.md "Joint hearings"): an authority that received an
 * incident report asks its reporter for a hearing; with the reporter's
 * consent, given for each, other authorities that received the report
 * join it; the record is shared among those who take part, the reporter
 * and the coordinator.  policy/85_hearings.sql decides everything; a
 * hearing the caller may not see answers exactly like an absent one.
 */
#ifndef COUNCIL_HEARING_H
#define COUNCIL_HEARING_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	hearing_list(struct http_req *);	/* GET /incidents/N/hearings */
enum MHD_Result	hearing_request(struct http_req *);	/* POST /incidents/N/hearings */
enum MHD_Result	hearing_get(struct http_req *);		/* GET /hearings/N */
enum MHD_Result	hearing_act(struct http_req *);		/* POST /hearings/N */
enum MHD_Result	hearing_api_mine(struct http_req *);	/* GET /api/v1/hearings */
enum MHD_Result	hearing_api_list(struct http_req *);	/* GET /api/v1/incidents/N/hearings */
enum MHD_Result	hearing_api_get(struct http_req *);	/* GET /api/v1/hearings/N */

#endif
