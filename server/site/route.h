/*
 * route.h: the routing table: (method, path) -> handler, with what the
 * front (http.c) must know before it reads a body.  One table in route.c,
 * so that every URL the portal answers is listed in one place.
 */
#ifndef COUNCIL_ROUTE_H
#define COUNCIL_ROUTE_H

#include <microhttpd.h>

struct http_req;

typedef enum MHD_Result (*route_fn)(struct http_req *);

/* What a route's request body may be. */
enum route_body {
	ROUTE_BODY_FORM = 0,	/* at most max_body_size, kept in memory */
	ROUTE_BODY_UPLOAD	/* with a credential the database knows: an
				 * attached file, streamed to a temporary file
				 * (http.c; issue 10 item 1) */
};

struct route {
	const char	*path;
	int		 prefix;	/* path is a prefix ending in '/' */
	unsigned	 methods;	/* enum http_method bits */
	const char	*allow;		/* the Allow header for 405 */
	route_fn	 fn;
	enum route_body	 body;
};

/*
 * The route of path for method, or NULL.  Then *allow is the Allow
 * header of a path known for other methods (405), or NULL for an unknown
 * path (404).  Pure: the first call of a request uses it, before the body.
 */
const struct route *route_find(const char *path, unsigned method,
		    const char **allow);

/* Run req->route (found by route_find at the request's first call): the
 * credential is read, a POST from another site's page refused, then the
 * handler answers.  With no route: 404, or 405 with req->route_allow. */
enum MHD_Result	route_dispatch(struct http_req *);

#endif
