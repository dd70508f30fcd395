/*
 * cymat.c: CYMAT support requests, the JSON API's list (see cymat.h).
 * The rest of the API is routes.c's generic rows: the read of one case
 * (council.cymat_case) and the writes (council.api_cymat).
 */
#include "api.h"
#include "cymat.h"
#include "http.h"

enum MHD_Result
cymat_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.cymat_cases_for_me()::text",
	    0, NULL);
}
