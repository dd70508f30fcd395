/*
 * route.h: the routing table: (method, path) -> handler.  One table in
 * route.c, so that every URL the portal answers is listed in one place.
 */
#ifndef COUNCIL_ROUTE_H
#define COUNCIL_ROUTE_H

#include <microhttpd.h>

struct http_req;

typedef enum MHD_Result (*route_fn)(struct http_req *);

/* Find the handler for req->path and req->method and run it.  An unknown
 * path gets 404; a known path with another method gets 405 with Allow. */
enum MHD_Result	route_dispatch(struct http_req *);

#endif
