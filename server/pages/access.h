/*
 * access.h: the general-affairs secretariat's recorded access cases on the
 * portal (R-ORG-6, Rules Art. 14(3); issue 13 item 11): the reason, the
 * minimum posts named, who opened and who approved it, the expiry, and
 * closing, used by violation reports and disputes.  A person of the
 * secretariat opens a case, another steering-committee member approves
 * it, the grantee or the coordinator closes it (which cannot be undone and
 * ends the access at once).  policy/81_access_cases.sql decides
 * everything: who sees a case (a hidden one answers like an absent one),
 * who may act, which posts' titles a viewer may read.
 */
#ifndef COUNCIL_ACCESS_H
#define COUNCIL_ACCESS_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	access_list(struct http_req *);	/* GET /access-cases */
enum MHD_Result	access_open(struct http_req *);	/* POST /access-cases */
enum MHD_Result	access_get(struct http_req *);	/* GET /access-cases/N */
enum MHD_Result	access_act(struct http_req *);	/* POST /access-cases/N */
enum MHD_Result	access_api_list(struct http_req *); /* GET /api/v1/access-cases */

#endif
