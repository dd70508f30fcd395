/*
 * incgroup.h: per-incident groups (issue 13 item 10; R-NEW-2, R-NEW-3,
 * R-SCOPE-4; docs/incidents.md "Per-incident groups"): an authority the
 * report was delivered to, or the coordinator, opens a group from a
 * report; its owner proposes members, each added only when the reporter
 * consents.  policy/88_incident_groups.sql decides everything; a group or
 * report the caller may not see answers exactly like an absent one.
 */
#ifndef COUNCIL_INCGROUP_H
#define COUNCIL_INCGROUP_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	incgroup_list(struct http_req *);	/* GET /incidents/N/groups */
enum MHD_Result	incgroup_post(struct http_req *);	/* POST /incidents/N/groups */
enum MHD_Result	incgroup_api_list(struct http_req *);	/* GET /api/v1/incidents/N/groups */
enum MHD_Result	incgroup_api_get(struct http_req *);	/* GET /api/v1/incident-groups/N */

#endif
