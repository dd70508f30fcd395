/*
 * static.c: static files (see static.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "static.h"

#define STATIC_MAX_PATH	256

static const struct {
	const char	*ext;
	const char	*type;
} static_types[] = {
	{ ".css",	"text/css; charset=utf-8" },
	{ ".js",	"text/javascript; charset=utf-8" },
	{ ".svg",	"image/svg+xml" },
	{ ".png",	"image/png" },
	{ ".jpg",	"image/jpeg" },
	{ ".ico",	"image/vnd.microsoft.icon" },
	{ ".txt",	"text/plain; charset=utf-8" },
	{ ".json",	"application/json" },
	{ ".woff2",	"font/woff2" },
	{ ".webmanifest", "application/manifest+json" },
};

const char *
static_content_type(const char *name)
{
	size_t	i, n = strlen(name), e;

	for (i = 0; i < UTIL_ARRAY_LEN(static_types); i++) {
		e = strlen(static_types[i].ext);
		if (n > e && strcmp(name + n - e, static_types[i].ext) == 0)
			return static_types[i].type;
	}
	return "application/octet-stream";
}

int
static_path_ok(const char *rel)
{
	const char	*seg = rel, *p;
	size_t		 n;

	if (*rel == '\0' || strlen(rel) > STATIC_MAX_PATH)
		return 0;
	for (p = rel; *p != '\0'; p++)
		if (*p == '\\' || (unsigned char)*p < 0x20)
			return 0;
	for (;;) {
		n = strcspn(seg, "/");
		/* No empty segment, nothing hidden, no "." or "..". */
		if (n == 0 || seg[0] == '.')
			return 0;
		if (seg[n] == '\0')
			return 1;
		seg += n + 1;
	}
}

/* Serve rel below web_root.  404 for anything that is not a regular file
 * inside web_root. */
static enum MHD_Result
static_file(struct http_req *req, const char *rel)
{
	const struct config	*cfg = req->srv->cfg;
	struct MHD_Response	*resp;
	struct stat		 st;
	char			 path[PATH_MAX], real[PATH_MAX], root[PATH_MAX];
	char			 etag[64], cache[64], lastmod[64];
	const char		*inm;
	struct tm		 tm;
	size_t			 rootlen;
	int			 fd = -1;
	enum MHD_Result		 ret;

	if (!static_path_ok(rel))
		return http_error(req, 404, NULL);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", cfg->web_root, rel) >=
	    sizeof(path))
		return http_error(req, 404, NULL);
	if (realpath(cfg->web_root, root) == NULL ||
	    realpath(path, real) == NULL)
		return http_error(req, 404, NULL);
	rootlen = strlen(root);
	if (strncmp(real, root, rootlen) != 0 || real[rootlen] != '/')
		return http_error(req, 404, NULL);
	if ((fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return http_error(req, 404, NULL);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return http_error(req, 404, NULL);
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)st.st_size,
	    (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)st.st_mtim.tv_nsec);
	snprintf(cache, sizeof(cache), "public, max-age=%ld",
	    cfg->static_max_age);
	gmtime_r(&st.st_mtim.tv_sec, &tm);
	strftime(lastmod, sizeof(lastmod), "%a, %d %b %Y %H:%M:%S GMT", &tm);

	inm = http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm != NULL && strstr(inm, etag) != NULL) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		if (resp != NULL)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		return http_send_response(req, 304, resp, 0, cache);
	}
	/* MHD owns fd from here and closes it. */
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (resp == NULL) {
		close(fd);
		return http_error(req, 500, NULL);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    static_content_type(rel));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
	ret = http_send_response(req, 200, resp, (size_t)st.st_size, cache);
	return ret;
}

enum MHD_Result
static_serve(struct http_req *req)
{
	return static_file(req, req->key);	/* the route's {path} */
}

enum MHD_Result
static_robots(struct http_req *req)
{
	return static_file(req, "robots.txt");
}
