/*
 * scrape.h: GET /metrics, the Prometheus scrape of councild (issue 16;
 * core/metrics.h keeps the counters; docs/metrics.md lists them).
 */
#ifndef COUNCIL_SCRAPE_H
#define COUNCIL_SCRAPE_H

#include <microhttpd.h>

struct http_req;

/*
 * /metrics, every method.  Without metrics_token_file: 404, exactly as a
 * path without a route.  With it: a GET or HEAD with "Authorization:
 * Bearer <token>" gets the exposition (text format 0.0.4), whatever else
 * 401 with WWW-Authenticate (logged; a session cookie is no credential
 * here), another method 405.  The database is asked one query,
 * council.metrics_depths() (policy/54_metrics.sql), with no identity.
 */
enum MHD_Result	scrape_metrics(struct http_req *);

#endif
