/*
 * incident.c: incident reports, the JSON API's list (see incident.h).  The
 * rest of the API is routes.c's generic rows: the read of one report
 * (council.incident) and the writes (council.api_incident).
 */
#include "api.h"
#include "http.h"
#include "incident.h"

enum MHD_Result
incident_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT council.incidents_for_me()::text",
	    0, NULL);
}
