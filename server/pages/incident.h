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

enum MHD_Result	incident_api_list(struct http_req *);	/* GET /api/v1/incidents */

#endif
