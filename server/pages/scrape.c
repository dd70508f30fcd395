/*
 * scrape.c: GET /metrics (see scrape.h): the token, then what only a
 * scrape reads (the database pools, the sign-in queue, the outbox's
 * depths), handed with core/metrics.c's own counters to metrics_render.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "scrape.h"
#include "signin.h"
#include "util.h"

/* Rows of council.metrics_depths() read at most; the scrape waits at
 * most this long for a database connection. */
#define SCRAPE_DEPTHS_MAX	16
#define SCRAPE_ACQUIRE_MS	1000

static const char SCRAPE_SQL[] =
    "SELECT name, label, value FROM council.metrics_depths()";

/* 401 with the challenge of RFC 6750; the refusal is logged. */
static enum MHD_Result
scrape_refuse(struct http_req *req, const char *why)
{
	static const char	 body[] = "unauthorized\n";
	struct MHD_Response	*resp;

	log_warn("msg=\"metrics refused\" rid=%s ip=%s reason=%s", req->rid,
	    req->ip, why);
	resp = MHD_create_response_from_buffer(sizeof(body) - 1,
	    (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	if (resp != NULL) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    "text/plain; charset=utf-8");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"council-metrics\"");
	}
	return http_send_response(req, 401, resp, sizeof(body) - 1, NULL);
}

enum MHD_Result
scrape_metrics(struct http_req *req)
{
	const struct config	*cfg = req->srv->cfg;
	struct db_ident		 id = { "", req->rid, &req->db_trips };
	struct metrics_pool	 pools[2];
	struct metrics_depth	 depths[SCRAPE_DEPTHS_MAX];
	struct metrics_scrape	 s;
	struct db_pool_stats	 st;
	struct buf		 out;
	PGresult		*r = NULL;
	const char		*auth;
	char			 allow[32], err[256];
	size_t			 limit = 0;
	long			 timeout;
	int			 i;
	enum MHD_Result		 ret;

	if (!metrics_enabled())
		return http_error(req, 404, NULL);
	auth = http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!metrics_token_ok(auth))
		return scrape_refuse(req, auth == NULL ? "no_token" :
		    "wrong_token");
	if ((req->method & (HTTP_GET | HTTP_HEAD)) == 0) {
		http_allow_header(HTTP_GET | HTTP_HEAD, allow, sizeof(allow));
		return http_error(req, 405, allow);
	}

	memset(&s, 0, sizeof(s));
	s.pools = pools;
	db_pool_stats(req->srv->db, &st);
	pools[s.npools++] = (struct metrics_pool){ "app", st.size, st.in_use,
	    st.waits, st.timeouts };
	if (req->srv->signin_db != NULL) {
		db_pool_stats(req->srv->signin_db, &st);
		pools[s.npools++] = (struct metrics_pool){ "signin", st.size,
		    st.in_use, st.waits, st.timeouts };
	}
	s.signin_queued = (long)signin_queue_depth(&limit);
	s.signin_limit = (long)limit;

	timeout = cfg->db_acquire_timeout_ms < SCRAPE_ACQUIRE_MS ?
	    cfg->db_acquire_timeout_ms : SCRAPE_ACQUIRE_MS;
	r = db_run(req->srv->db, timeout, &id, SCRAPE_SQL, 0, NULL, NULL,
	    err, sizeof(err));
	if (r == NULL)
		log_warn("msg=\"metrics: no depths from the database\" rid=%s "
		    "error=\"%s\"", req->rid, err);
	else {
		for (i = 0; i < PQntuples(r) && i < SCRAPE_DEPTHS_MAX; i++) {
			depths[i].name = PQgetvalue(r, i, 0);
			depths[i].label = PQgetvalue(r, i, 1);
			depths[i].value = strtod(PQgetvalue(r, i, 2), NULL);
		}
		s.depths = depths;
		s.ndepths = (size_t)i;
		s.db_ok = 1;
	}

	buf_init(&out);
	metrics_render(&out, &s);
	ret = http_send(req, 200, METRICS_CONTENT_TYPE, out.data, out.len,
	    NULL);
	buf_free(&out);
	PQclear(r);
	return ret;
}
