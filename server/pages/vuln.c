/*
 * vuln.c: vulnerability matching on the portal (see vuln.h): the list of
 * the matches the caller sees, each with its advisory, asset and, for the
 * owner, the warning post.  Importing is POST /api/v1/advisories, the
 * JSON API's row council.api_advisory (routes.c); the warnings are posts.
 */
#include "api.h"
#include "http.h"
#include "vuln.h"

/* GET /api/v1/advisories (R-NEW-4): council.advisory_matches_for_me (an
 * empty list for anyone who sees no asset). */
enum MHD_Result
vuln_api_matches(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req,
	    "SELECT council.advisory_matches_for_me()::text", 0, NULL);
}
