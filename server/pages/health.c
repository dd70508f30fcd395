/*
 * health.c: the health check.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "health.h"
#include "http.h"
#include "log.h"
#include "tmpl.h"

/*
 * GET /healthz: 200 when a database connection answers a query as the
 * anonymous identity, 503 otherwise.  The body is JSON for monitors.
 */
enum MHD_Result
health_get(struct http_req *req)
{
	static const char	 ok[] = "{\"status\":\"ok\",\"database\":\"ok\"}\n";
	static const char	 bad[] =
	    "{\"status\":\"unavailable\",\"database\":\"unavailable\"}\n";
	struct db_ident		 id = { "", req->rid, &req->db_trips };
	PGconn			*c;
	PGresult		*r = NULL;
	char			 err[256];
	int			 up = 0;

	c = db_acquire(req->srv->db, req->srv->cfg->db_acquire_timeout_ms);
	if (c == NULL)
		goto out;
	r = db_query(c, &id, "SELECT 1", 0, NULL, NULL, err, sizeof(err));
	if (r == NULL)
		log_warn("msg=\"health check failed\" rid=%s error=\"%s\"",
		    req->rid, err);
	else
		up = PQntuples(r) == 1;
out:
	PQclear(r);
	if (c != NULL)
		db_release(req->srv->db, c);
	if (up)
		return http_send(req, 200, "application/json", ok,
		    sizeof(ok) - 1, NULL);
	return http_send(req, 503, "application/json", bad, sizeof(bad) - 1,
	    NULL);
}
