/*
 * route.c: the table of every URL councild answers (see route.h).
 */
#include <string.h>

#include "http.h"
#include "pages.h"
#include "route.h"
#include "static.h"
#include "util.h"

struct route {
	const char	*path;
	int		 prefix;	/* path is a prefix ending in '/' */
	unsigned	 methods;	/* enum http_method bits */
	const char	*allow;		/* the Allow header for 405 */
	route_fn	 fn;
};

static const struct route routes[] = {
	{ "/",		0, HTTP_GET | HTTP_HEAD, "GET, HEAD", pages_signin },
	{ "/signin",	0, HTTP_GET | HTTP_HEAD, NULL, pages_signin },
	{ "/signin",	0, HTTP_POST, "GET, HEAD, POST", pages_signin_post },
	{ "/healthz",	0, HTTP_GET | HTTP_HEAD, "GET, HEAD", pages_healthz },
	{ "/robots.txt", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", static_robots },
	{ "/static/",	1, HTTP_GET | HTTP_HEAD, "GET, HEAD", static_serve },
};

enum MHD_Result
route_dispatch(struct http_req *req)
{
	const struct route	*r, *allow = NULL;
	size_t			 i;

	for (i = 0; i < UTIL_ARRAY_LEN(routes); i++) {
		r = &routes[i];
		if (r->prefix ? strncmp(req->path, r->path, strlen(r->path)) != 0
		    : strcmp(req->path, r->path) != 0)
			continue;
		if (r->methods & req->method)
			return r->fn(req);
		if (r->allow != NULL)
			allow = r;
	}
	if (allow != NULL)
		return http_error(req, 405, allow->allow);
	return http_error(req, 404, NULL);
}
