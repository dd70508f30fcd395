/*
 * groups.h: groups made in the portal (issue 13 item 10; R-NEW-2): the
 * coordinator and the secretariat create them, their owner changes their
 * members, members name them as scopes.  policy/83_groups.sql decides.
 */
#ifndef COUNCIL_GROUPS_H
#define COUNCIL_GROUPS_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	groups_api_list(struct http_req *);	/* GET /api/v1/groups */

#endif
