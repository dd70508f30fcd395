/*
 * committee.h: the steering committee on the portal (R-GOV-5..7, R-COOP-1,
 * R-GOV-8; docs/governance.md "Steering committee").  The motions the
 * committee and the secretariat bodies see, drafting one, and a motion's
 * page: presence, a special interest, the opening, votes, the count with
 * its numerators, denominators and rule version, an Annex 1 amendment's
 * diff, and the chair's rejection.  The database decides everything
 * (policy/70_committee.sql); the JSON API's motions
 * (/api/v1/committee/motions) are rows of site/routes.c's table with the
 * same calls.
 */
#ifndef COUNCIL_COMMITTEE_H
#define COUNCIL_COMMITTEE_H

#include <microhttpd.h>

struct http_req;

#define COMMITTEE_PREFIX	"/committee/"

enum MHD_Result	committee_list(struct http_req *);		/* GET /committee */
enum MHD_Result	committee_create(struct http_req *);	/* POST /committee */
enum MHD_Result	committee_get(struct http_req *);		/* GET /committee/N */
enum MHD_Result	committee_act(struct http_req *);		/* POST /committee/N */

#endif
