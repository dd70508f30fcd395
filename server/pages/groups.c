/*
 * groups.c: groups, the JSON API's list (see groups.h).  The writes are
 * routes.c's generic rows (council.api_group).
 */
#include "api.h"
#include "groups.h"
#include "http.h"

enum MHD_Result
groups_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.groups_for_me()::text", 0,
	    NULL);
}
