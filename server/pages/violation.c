/*
 * violation.c: violation reports, the JSON API's list (see violation.h).
 * The rest of the API is routes.c's generic rows: the read of one report
 * (council.violation_report) and the writes (council.api_violation).
 */
#include "api.h"
#include "http.h"
#include "violation.h"

enum MHD_Result
violation_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.violations_for_me()::text",
	    0, NULL);
}
