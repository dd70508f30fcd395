/*
 * groups.h: groups made in the portal (issue 13 item 10; R-NEW-2): the
 * coordinator and the secretariat create them, their owner changes their
 * members, members see them and name them as scopes.  policy/83_groups.sql
 * decides; the page (Japanese first) and the JSON API call the same
 * functions.
 */
#ifndef COUNCIL_GROUPS_H
#define COUNCIL_GROUPS_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	groups_list(struct http_req *);		/* GET /groups */
enum MHD_Result	groups_create(struct http_req *);	/* POST /groups */
enum MHD_Result	groups_act(struct http_req *);		/* POST /groups/N */
enum MHD_Result	groups_api_list(struct http_req *);	/* GET /api/v1/groups */

#endif
