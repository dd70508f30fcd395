/*
 * gov.c: the steering committee's JSON API (see gov.h).  Every call is
 * one council.api_sc_* statement; who may do what is the database's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "gov.h"
#include "http.h"

/*
 * An API write: the JSON body, and with with_id the route's {id}, given
 * to sql as $1 (the body) or $1 (the id) and $2 (the body).
 */
static enum MHD_Result
gov_api_write(struct http_req *req, int with_id, const char *sql)
{
	const char	*params[2];
	char		 id[24], *body;
	enum MHD_Result	 ret;

	if (!api_body(req, &body, &ret))
		return ret;
	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = with_id ? id : body;
	params[1] = body;
	ret = api_call(req, sql, with_id ? 2 : 1, params);
	free(body);
	return ret;
}

/* An API read of council.api_read(fn, {id}). */
static enum MHD_Result
gov_api_read(struct http_req *req, const char *fn)
{
	const char	*params[2];
	char		 id[24];

	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = fn;
	params[1] = id;
	return api_call(req, "SELECT status, body FROM "
	    "council.api_read($1, $2::bigint)", 2, params);
}

enum MHD_Result
gov_api_motion_create(struct http_req *req)
{
	return gov_api_write(req, 0,
	    "SELECT status, body FROM council.api_sc_create($1)");
}

enum MHD_Result
gov_api_motion(struct http_req *req)
{
	return gov_api_read(req, "sc_motion");
}

enum MHD_Result
gov_api_motion_act(struct http_req *req)
{
	return gov_api_write(req, 1,
	    "SELECT status, body FROM council.api_sc_act($1::bigint, $2)");
}

/* The general assembly (R-GOV-1..4). ----------------------------------- */

enum MHD_Result
gov_api_assembly_create(struct http_req *req)
{
	return gov_api_write(req, 0,
	    "SELECT status, body FROM council.api_ga_convene($1)");
}

enum MHD_Result
gov_api_assembly_act(struct http_req *req)
{
	return gov_api_write(req, 1,
	    "SELECT status, body FROM council.api_ga_act($1::bigint, $2)");
}

enum MHD_Result
gov_api_minutes(struct http_req *req)
{
	return gov_api_read(req, "ga_minutes");
}

enum MHD_Result
gov_api_poll(struct http_req *req)
{
	return gov_api_read(req, "ga_poll");
}

enum MHD_Result
gov_api_poll_act(struct http_req *req)
{
	return gov_api_write(req, 1,
	    "SELECT status, body FROM council.api_ga_poll_act($1::bigint, $2)");
}
