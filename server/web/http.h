/*
 * http.h: the HTTP front of councild, on libmicrohttpd.
 *
 * A request flows in one direction:
 *   MHD accepts and parses (limits: connection timeout, connection count,
 *   per-IP count, per-connection memory, strict parsing)
 *   -> http_uri_cb: a struct http_req is born (request id, start time,
 *      raw URI kept)
 *   -> http_access_cb, first call: method, URI (percent-decoding, UTF-8,
 *      control characters, length), header size (431), transfer coding
 *      (501), the route (route_find: its body kind), Content-Length (413).  For an upload route the credential is
 *      checked with the database now, before "100 Continue": only a person
 *      it knows gets the larger limit and an upload slot (429 beyond), and
 *      the body then goes to a temporary file (issue 10 item 1)
 *   -> further calls: the body is collected up to its limit (413)
 *   -> last call: route_dispatch (route.c) runs the route's handler,
 *      which answers through http_send / http_page / http_error, or
 *      suspends the request (http_suspend) and answers once resumed
 *   -> http_completed_cb: one log line, the request is freed.
 * Threads: MHD's internal thread pool (worker_threads); a handler may block
 * on the database, which has a connection per worker (db.c).
 */
#ifndef COUNCIL_HTTP_H
#define COUNCIL_HTTP_H

#include <stddef.h>

#include <microhttpd.h>

#include "config.h"
#include "i18n.h"
#include "util.h"

struct tmpl_set;
struct tmpl_vars;
struct db_pool;
struct route;

#define HTTP_MAX_URI	4096	/* a longer request target gets 414 */
#define HTTP_RID_LEN	32	/* hex digits of a request id */
#define HTTP_MAX_COOKIES 4	/* Set-Cookie headers of one response */
/* Room for the multipart envelope and the other fields of an upload,
 * beyond attachment_max_size. */
#define HTTP_UPLOAD_ENVELOPE	(64 * 1024)

/* Everything a handler may use; read-only after start-up. */
struct http_server {
	const struct config	*cfg;
	const struct i18n	*i18n;
	const struct tmpl_set	*tmpl;
	struct db_pool		*db;
	struct db_pool		*signin_db;	/* council_signin: signin.c only */
	struct MHD_Daemon	*daemon;
	unsigned short		 port;		/* the bound port */
};

enum http_method {
	HTTP_GET = 1, HTTP_HEAD = 2, HTTP_POST = 4, HTTP_OTHER = 8
};

struct http_req {
	struct http_server	*srv;
	struct MHD_Connection	*conn;
	char			 rid[HTTP_RID_LEN + 1];
	double			 start_ms;
	char			*raw_uri;	/* as received, for checks */
	char			*path;		/* decoded, validated */
	const char		*method_name;
	enum http_method	 method;
	enum i18n_lang		 lang;
	int			 lang_from_query;	/* ?lang= was given */
	const struct route	*route;		/* route_find, at the first call */
	const char		*route_allow;	/* or the Allow header of a 405 */
	struct buf		 body;		/* or, for an upload, its file mapped */
	size_t			 body_limit;	/* max_body_size, or more for uploads */
	int			 body_too_large;
	int			 body_fd;	/* an upload's temporary file, or -1 */
	int			 body_mapped;	/* body.data is mmap'd from body_fd */
	int			 body_failed;	/* writing the file failed: 503 */
	char			 upload_person[24];	/* holds an upload slot */
	int			 checked;	/* first-call checks done */
	unsigned		 status;	/* what was sent, for the log */
	size_t			 bytes;
	char			 ip[64];
	/* Who is asking (auth_request, auth.c): hex SHA-256 of the session
	 * or API token presented, "" for nobody; the form token derived from
	 * a browser session; whether the credential was a bearer token. */
	char			 session_hash[65];
	char			 csrf[65];
	int			 bearer;
	char			*set_cookie[HTTP_MAX_COOKIES];	/* sent with the response */
	int			 nset_cookie;
	/* A suspended request (http_suspend): what answers it once resumed,
	 * and the work it waits for, owned by the suspending module, which
	 * frees it when it answers; if the client went away meanwhile, the
	 * request's end frees it with deferred_free. */
	enum MHD_Result		(*resume)(struct http_req *);
	void			*deferred;
	void			(*deferred_free)(void *);
};

/* Start listening.  Returns 0, or -1 with err (address in use, ...). */
int	http_start(struct http_server *, char *err, size_t errlen);
/* Stop accepting, let in-flight requests finish for at most grace seconds,
 * then close everything. */
void	http_stop(struct http_server *, long grace);

/* Queue a response with the common security headers.  data is copied.
 * content_type NULL means no body type (e.g. 304).  cache NULL means
 * "no-store".  Returns an MHD_Result. */
enum MHD_Result http_send(struct http_req *, unsigned status,
	    const char *content_type, const void *data, size_t len,
	    const char *cache);
/* Queue a response built by the caller (adds the common headers, frees
 * it).  body_len is recorded for the log.  A common header the caller set
 * already (e.g. a stricter Content-Security-Policy) is kept as it is. */
enum MHD_Result http_send_response(struct http_req *, unsigned status,
	    struct MHD_Response *, size_t body_len, const char *cache);
/* Render template name with vars (layout variables are added) and send. */
enum MHD_Result http_page(struct http_req *, unsigned status,
	    const char *name, struct tmpl_vars *);
/* Send the error page for status in the request's language.  allow, if
 * not NULL, becomes the Allow header (405). */
enum MHD_Result http_error(struct http_req *, unsigned status,
	    const char *allow);
/* The error page for status (429, 503) with Retry-After: seconds. */
enum MHD_Result http_error_retry(struct http_req *, unsigned status,
	    unsigned seconds);

/*
 * Leave a request waiting, so that no worker thread waits with it (a
 * password check, say).  Called from a handler, which then returns MHD_YES
 * without a response; the connection sleeps until another thread calls
 * http_resume(req), after which then(req) runs on a worker thread and
 * answers.  req stays valid while suspended: it is freed only once
 * answered.  Whoever suspends must resume, also when shutting down.
 */
void		 http_suspend(struct http_req *,
		    enum MHD_Result (*then)(struct http_req *));
void		 http_resume(struct http_req *);

/* Queue a Set-Cookie header for the response (at most HTTP_MAX_COOKIES;
 * more are dropped with a log line).  The value is copied. */
void		 http_set_cookie(struct http_req *, const char *value);
/* Queue the "lang" cookie for lang (a year; Secure when cookie_secure). */
void		 http_lang_cookie(struct http_req *, enum i18n_lang);
/* 303 See Other to location (a path of this site). */
enum MHD_Result http_redirect(struct http_req *, const char *location);
/* Send a JSON document (already serialised) with status. */
enum MHD_Result http_json(struct http_req *, unsigned status,
	    const char *json, size_t len);

/* Request helpers. */
const char	*http_header(struct http_req *, const char *name);
const char	*http_query(struct http_req *, const char *name);
const char	*http_text(struct http_req *, const char *key);
/* The text of the key "<prefix>.<value>" (value: a stable code or an enum
 * label from the database); when the catalogs have none, the text of the
 * key fallback, or with fallback NULL value itself. */
const char	*http_text_of(struct http_req *, const char *prefix,
		    const char *value, const char *fallback);

/*
 * Pure parsers, exposed for the unit tests.
 * http_decode_path: take the path part of a raw request target (up to '?'
 * or '#'), percent-decode it and validate it: must start with '/', valid
 * percent escapes only, no NUL or control bytes after decoding, valid
 * UTF-8, at most HTTP_MAX_URI bytes.  Returns a new string or NULL.
 */
char		*http_decode_path(const char *raw);
/* The method's enum value. */
enum http_method http_method_parse(const char *);
/* The language for a request: ?lang= wins, then the "lang" cookie, then
 * Japanese.  Unknown values are ignored. */
enum i18n_lang	 http_choose_lang(const char *query_lang, const char *cookie_lang);

#endif
