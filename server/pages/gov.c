/*
 * gov.c: the steering committee's JSON API (see gov.h).  Every call is
 * one council.api_sc_* statement; who may do what is the database's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gov.h"
#include "http.h"
#include "portal.h"

#define GOV_MOTIONS	"/api/v1/committee/motions/"
#define GOV_ASSEMBLIES	"/api/v1/assemblies/"
#define GOV_POLLS	"/api/v1/polls/"

/*
 * An API write: the JSON body and, when prefix is not NULL, the id N of
 * the path "<prefix>N" (404 code when malformed), given to sql as $1 (the
 * body) or $1 (the id) and $2 (the body).
 */
static enum MHD_Result
gov_api_write(struct http_req *req, const char *prefix, const char *code,
    const char *sql)
{
	const char	*params[2];
	char		 id[24], *body;
	long long	 n = 0;
	enum MHD_Result	 ret;

	if (!portal_api_body(req, &body, &ret))
		return ret;
	if (prefix != NULL && (n = portal_path_id(req->path, prefix)) == 0) {
		free(body);
		return portal_json_error(req, 404, code);
	}
	snprintf(id, sizeof(id), "%lld", n);
	params[0] = prefix != NULL ? id : body;
	params[1] = body;
	ret = portal_api_call(req, sql, prefix != NULL ? 2 : 1, params);
	free(body);
	return ret;
}

/* An API read of council.api_read(fn, N) for the path "<prefix>N<suffix>". */
static enum MHD_Result
gov_api_read(struct http_req *req, const char *prefix, const char *suffix,
    const char *fn, const char *code)
{
	const char	*params[2];
	char		 id[24];
	size_t		 pl = strlen(prefix), sl = strlen(suffix);
	size_t		 len = strlen(req->path);
	long long	 n = 0;

	if (req->session_hash[0] == '\0')
		return portal_json_error(req, 401, "not_signed_in");
	if (len > pl + sl && len - pl - sl < sizeof(id) &&
	    strcmp(req->path + len - sl, suffix) == 0) {
		memcpy(id, req->path + pl, len - pl - sl);
		id[len - pl - sl] = '\0';
		n = portal_path_id(id, "");
	}
	if (n == 0)
		return portal_json_error(req, 404, code);
	snprintf(id, sizeof(id), "%lld", n);
	params[0] = fn;
	params[1] = id;
	return portal_api_call(req, "SELECT status, body FROM "
	    "council.api_read($1, $2::bigint)", 2, params);
}

enum MHD_Result
gov_api_motion_create(struct http_req *req)
{
	return gov_api_write(req, NULL, NULL,
	    "SELECT status, body FROM council.api_sc_create($1)");
}

enum MHD_Result
gov_api_motion(struct http_req *req)
{
	return gov_api_read(req, GOV_MOTIONS, "", "sc_motion",
	    "motion_not_found");
}

enum MHD_Result
gov_api_motion_act(struct http_req *req)
{
	return gov_api_write(req, GOV_MOTIONS, "motion_not_found",
	    "SELECT status, body FROM council.api_sc_act($1::bigint, $2)");
}

/* The general assembly (R-GOV-1..4). ----------------------------------- */

enum MHD_Result
gov_api_assembly_create(struct http_req *req)
{
	return gov_api_write(req, NULL, NULL,
	    "SELECT status, body FROM council.api_ga_convene($1)");
}

enum MHD_Result
gov_api_assembly_act(struct http_req *req)
{
	return gov_api_write(req, GOV_ASSEMBLIES, "not_found",
	    "SELECT status, body FROM council.api_ga_act($1::bigint, $2)");
}

enum MHD_Result
gov_api_minutes(struct http_req *req)
{
	return gov_api_read(req, GOV_ASSEMBLIES, "/minutes", "ga_minutes",
	    "not_found");
}

enum MHD_Result
gov_api_poll(struct http_req *req)
{
	return gov_api_read(req, GOV_POLLS, "", "ga_poll", "not_found");
}

enum MHD_Result
gov_api_poll_act(struct http_req *req)
{
	return gov_api_write(req, GOV_POLLS, "not_found",
	    "SELECT status, body FROM council.api_ga_poll_act($1::bigint, $2)");
}
