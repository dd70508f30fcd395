/*
 * api.c: the JSON API's one door (see api.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "caller.h"
#include "http.h"
#include "log.h"
#include "util.h"

/* JSON errors: {"error": "<stable code>"}. */
enum MHD_Result
api_error(struct http_req *req, unsigned status, const char *code)
{
	char	body[128];
	int	n;

	n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", code);
	return http_json(req, status, body, (size_t)n);
}

/* One row, one column: a JSON document built by the database. */
enum MHD_Result
api_json_query(struct http_req *req, const char *sql, int nparams,
    const char *const *params)
{
	PGresult	*r;
	char		 err[256];
	enum MHD_Result	 ret;

	if ((r = caller_db(req, sql, nparams, params, err, sizeof(err))) ==
	    NULL) {
		log_error("msg=\"api query failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return api_error(req, 503, "unavailable");
	}
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0))
		ret = api_error(req, 401, "not_signed_in");
	else
		ret = http_json(req, 200, PQgetvalue(r, 0, 0),
		    (size_t)PQgetlength(r, 0, 0));
	PQclear(r);
	return ret;
}

/* JSON API writes. ----------------------------------------------------------- */

/*
 * The body of an API write as a C string (free() it): 1, or 0 with *ret
 * answered.  Writes need an API token (a browser's cookie session writes
 * through the forms, which carry the form token), a JSON body and no NUL.
 */
int
api_body(struct http_req *req, char **out, enum MHD_Result *ret)
{
	const char	*ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);

	*out = NULL;
	if (req->session_hash[0] == '\0' || !req->bearer) {
		*ret = api_error(req, 401, "not_signed_in");
		return 0;
	}
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';')) {
		*ret = api_error(req, 415, "unsupported_media_type");
		return 0;
	}
	/* Not UTF-8 (issue 10 item 8): the client's error, before the
	 * database would refuse the parameter. */
	if (req->body.len == 0 || memchr(req->body.data, '\0',
	    req->body.len) != NULL ||
	    !util_utf8_valid(req->body.data, req->body.len)) {
		*ret = api_error(req, 400, "invalid_json");
		return 0;
	}
	*out = xstrndup(req->body.data, req->body.len);
	return 1;
}

/* Answer (status, body) of a council.api_* call. */
enum MHD_Result
api_call(struct http_req *req, const char *sql, int nparams,
    const char *const *params)
{
	PGresult	*r;
	char		 err[256];
	long		 st;
	enum MHD_Result	 ret;

	if ((r = caller_db(req, sql, nparams, params, err, sizeof(err))) ==
	    NULL) {
		log_error("msg=\"api call failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return api_error(req, 503, "unavailable");
	}
	st = PQntuples(r) == 1 ? atol(PQgetvalue(r, 0, 0)) : 0;
	if (st < 200 || st > 599 || PQgetisnull(r, 0, 1))
		ret = api_error(req, 503, "unavailable");
	else
		ret = http_json(req, (unsigned)st, PQgetvalue(r, 0, 1),
		    (size_t)PQgetlength(r, 0, 1));
	PQclear(r);
	return ret;
}

enum MHD_Result
api_write(struct http_req *req, int with_id, const char *sql)
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

enum MHD_Result
api_read(struct http_req *req, const char *fn)
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
api_write_route(struct http_req *req)
{
	char	sql[256];

	snprintf(sql, sizeof(sql), "SELECT status, body FROM %s",
	    req->route->arg);
	return api_write(req, strstr(req->route->pattern, "{id}") != NULL, sql);
}

enum MHD_Result
api_read_route(struct http_req *req)
{
	return api_read(req, req->route->arg);
}
