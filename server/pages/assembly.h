/*
 * assembly.h: the virtual general assembly (R-GOV-1..4, R-GOV-8;
 * docs/governance.md "Pages"): the list and convening, a session's page
 * (attendance, proxies, the agenda with each amendment's diff, polls,
 * ballots, receipts, results).  Its JSON API (/api/v1/assemblies,
 * /api/v1/polls) is rows of site/routes.c's table, each one council.api_*
 * call through kit/api.c.  The minutes are minutes.h's.  Every act of a page goes
 * through the same council.api_* calls as the JSON API, so the page and
 * the API cannot disagree; who may see and do what is the database's.
 */
#ifndef COUNCIL_ASSEMBLY_H
#define COUNCIL_ASSEMBLY_H

#include <microhttpd.h>

struct http_req;

#define ASSEMBLY_PREFIX		"/assemblies/"
#define ASSEMBLY_AGENDA_ROWS	3	/* agenda rows of the convene form */

/* Handlers (site/routes.c); N is the route's {id}. */
enum MHD_Result	assembly_list(struct http_req *);		/* GET /assemblies */
enum MHD_Result	assembly_convene(struct http_req *);	/* POST /assemblies */
enum MHD_Result	assembly_get(struct http_req *);		/* GET /assemblies/N */
enum MHD_Result	assembly_act(struct http_req *);		/* POST /assemblies/N */

#endif
