/*
 * static.h: static files from web_root, served under /static/.
 * Paths are checked segment by segment (no "..", no dot-files, no empty
 * segments), opened without following symbolic links, and must resolve
 * inside web_root.  Responses carry a Content-Type from a fixed table, an
 * ETag and Last-Modified, and Cache-Control "public, max-age=N";
 * If-None-Match answers 304.
 */
#ifndef COUNCIL_STATIC_H
#define COUNCIL_STATIC_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	static_serve(struct http_req *);	/* /static/... */
enum MHD_Result	static_robots(struct http_req *);	/* /robots.txt */

/* The Content-Type for a file name, by extension; never NULL. */
const char	*static_content_type(const char *name);
/* 1 if rel (a path below web_root, no leading '/') is acceptable. */
int		 static_path_ok(const char *rel);

#endif
