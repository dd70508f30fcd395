/*
 * consent.h: R-SCOPE-4 on the member portal: the consent requests a
 * person sees (as the giver of a source, or as the author of a derived
 * post) and the giver's decision.  council.decide_consent and the
 * consents policy (policy/43_sharing_consents.sql) decide everything.
 */
#ifndef COUNCIL_CONSENT_H
#define COUNCIL_CONSENT_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	consent_list(struct http_req *);	/* GET /consents */
enum MHD_Result	consent_decide(struct http_req *);	/* POST /consents */

/* GET /api/v1/consents (POST /api/v1/consents/N is a row of site/routes.c) */
enum MHD_Result	consent_api_list(struct http_req *);

#endif
