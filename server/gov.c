/*
 * gov.c: the steering committee's JSON API (see gov.h).  Every call is
 * one council.api_sc_* statement; who may do what is the database's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "gov.h"
#include "http.h"
#include "portal.h"

#define GOV_MOTIONS	"/api/v1/committee/motions/"

enum MHD_Result
gov_api_motion_create(struct http_req *req)
{
	const char	*params[1];
	char		*body;
	enum MHD_Result	 ret;

	if (!portal_api_body(req, &body, &ret))
		return ret;
	params[0] = body;
	ret = portal_api_call(req, "SELECT status, body FROM "
	    "council.api_sc_create($1)", 1, params);
	free(body);
	return ret;
}

enum MHD_Result
gov_api_motion(struct http_req *req)
{
	const char	*params[1];
	char		 id[24];
	long long	 n = portal_path_id(req->path, GOV_MOTIONS);

	if (req->session_hash[0] == '\0')
		return portal_json_error(req, 401, "not_signed_in");
	if (n == 0)
		return portal_json_error(req, 404, "motion_not_found");
	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	return portal_api_call(req, "SELECT status, body FROM "
	    "council.api_read('sc_motion', $1::bigint)", 1, params);
}

enum MHD_Result
gov_api_motion_act(struct http_req *req)
{
	const char	*params[2];
	char		 id[24], *body;
	long long	 n = portal_path_id(req->path, GOV_MOTIONS);
	enum MHD_Result	 ret;

	if (!portal_api_body(req, &body, &ret))
		return ret;
	if (n == 0) {
		free(body);
		return portal_json_error(req, 404, "motion_not_found");
	}
	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	params[1] = body;
	ret = portal_api_call(req, "SELECT status, body FROM "
	    "council.api_sc_act($1::bigint, $2)", 2, params);
	free(body);
	return ret;
}
