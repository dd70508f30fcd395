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

enum gapage_view { GAPAGE_SESSION, GAPAGE_MINUTES, GAPAGE_CSV };

/*
 * gapage_parse_path: "/assemblies/N", ".../N/minutes" or
 * ".../N/minutes.csv" into N (1..10^15) and *view; 0 when malformed.
 */
long long	gapage_parse_path(const char *path, enum gapage_view *view);

enum MHD_Result	gapage_list(struct http_req *);		/* GET /assemblies */
enum MHD_Result	gapage_convene(struct http_req *);	/* POST /assemblies */
enum MHD_Result	gapage_get(struct http_req *);		/* GET /assemblies/N[...] */
enum MHD_Result	gapage_act(struct http_req *);		/* POST /assemblies/N */

#endif
