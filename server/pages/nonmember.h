/*
 * nonmember.h: non-members (issue 13 item 9; R-NONMEM-1, R-SHARE-2): the
 * register of non-members, posts on behalf of one (their provenance), and
 * relays: the secretariat adds a non-member to a post's scope through a
 * member, which reports every person at the non-member who handles a
 * secret and hands the post to nobody else.  policy/86_nonmembers.sql
 * decides everything; a hidden relay answers like an absent one.
 */
#ifndef COUNCIL_NONMEMBER_H
#define COUNCIL_NONMEMBER_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	nonmember_list(struct http_req *);	/* GET /nonmembers */
enum MHD_Result	nonmember_act(struct http_req *);	/* POST /nonmembers */
enum MHD_Result	nonmember_relay_get(struct http_req *);	/* GET /nonmembers/relays/N */
enum MHD_Result	nonmember_relay_act(struct http_req *);	/* POST /nonmembers/relays/N */
/* GET /api/v1/nonmembers, /api/v1/nonmembers/relays/N, /api/v1/posts/N/provenance */
enum MHD_Result	nonmember_api_list(struct http_req *);
enum MHD_Result	nonmember_api_relay(struct http_req *);
enum MHD_Result	nonmember_api_provenance(struct http_req *);

#endif
