/*
 * incident.h: incident reports on the portal (issue 13; R-NEW-3;
 * docs/incidents.md): filed once, delivered to every authority whose
 * regime applies, kept up to date in stages against their deadlines.
 * policy/80_incidents.sql decides everything: which regimes apply, who
 * sees a report (its reporter, the authorities it was delivered to, the
 * coordinator), the deadlines and their states.  A report the caller may
 * not see answers exactly like an absent one.
 */
#ifndef COUNCIL_INCIDENT_H
#define COUNCIL_INCIDENT_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	incident_list(struct http_req *);	/* GET /incidents */
enum MHD_Result	incident_new(struct http_req *);	/* GET /incidents/new */
enum MHD_Result	incident_new_post(struct http_req *);	/* POST /incidents/new */
enum MHD_Result	incident_get(struct http_req *);	/* GET /incidents/N */
enum MHD_Result	incident_post(struct http_req *);	/* POST /incidents/N */
enum MHD_Result	incident_api_list(struct http_req *);	/* GET /api/v1/incidents */

#endif
