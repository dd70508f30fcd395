/*
 * gapage.h: the virtual general assembly on the member portal (R-GOV-1..4,
 * R-GOV-8; docs/governance.md "Pages").  The list and convening, a
 * session's page (attendance, proxies, the agenda with each amendment's
 * diff, polls, ballots, receipts, results), and the minutes (議事録) as a
 * printable page and as CSV.  Every act goes through the same council.api_*
 * calls as the JSON API (policy/72_gov_api.sql), so the page and the API
 * cannot disagree; who may see and do what is the database's.
 */
#ifndef COUNCIL_GAPAGE_H
#define COUNCIL_GAPAGE_H

#include <microhttpd.h>

struct http_req;

#define GAPAGE_PREFIX		"/assemblies/"
#define GAPAGE_AGENDA_ROWS	3	/* agenda rows of the convene form */

/* Handlers (site/routes.c); N is the route's {id}. */
enum MHD_Result	gapage_list(struct http_req *);		/* GET /assemblies */
enum MHD_Result	gapage_convene(struct http_req *);	/* POST /assemblies */
enum MHD_Result	gapage_get(struct http_req *);		/* GET /assemblies/N */
enum MHD_Result	gapage_minutes(struct http_req *);	/* GET /assemblies/N/minutes */
enum MHD_Result	gapage_minutes_csv(struct http_req *);	/* GET .../N/minutes.csv */
enum MHD_Result	gapage_act(struct http_req *);		/* POST /assemblies/N */

#endif
