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
 *      (501), the route (http_route_find over the table site/ handed to
 *      http_start: its body kind and parameters), Content-Length (413).  For an upload route the credential is
 *      checked with the database now, before "100 Continue": only a person
 *      it knows gets the larger limit and an upload slot (429 beyond), and
 *      the body then goes to a temporary file (issue 10 item 1)
 *   -> further calls: the body is collected up to its limit (413)
 *   -> last call: 404 or 405 without a route; else the dispatch hook
 *      (kit: credential, same-site check, access) runs the route's
 *      handler, which answers through http_send / http_page / http_error,
 *      or suspends the request (http_suspend) and answers once resumed
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
struct http_req;

#define HTTP_MAX_URI	4096	/* a longer request target gets 414 */
#define HTTP_RETRY_AFTER_S "5"	/* Retry-After of a 503 that names none */
#define HTTP_RID_LEN	32	/* hex digits of a request id */
#define HTTP_MAX_COOKIES 4	/* Set-Cookie headers of one response */
/* Room for the multipart envelope and the other fields of an upload,
 * beyond attachment_max_size. */
#define HTTP_UPLOAD_ENVELOPE	(64 * 1024)

/* Everything a handler may use; read-only after start-up. */
enum http_method {
	HTTP_GET = 1, HTTP_HEAD = 2, HTTP_POST = 4, HTTP_OTHER = 8
};

typedef enum MHD_Result (*http_handler)(struct http_req *);

/* What a route's request body may be. */
enum http_body {
	HTTP_BODY_FORM = 0,	/* at most max_body_size, kept in memory */
	HTTP_BODY_UPLOAD	/* from a person the database knows (upload_gate,
				 * before 100 Continue): up to attachment_max_size
				 * plus HTTP_UPLOAD_ENVELOPE, streamed to a
				 * temporary file (issue 10 item 1) */
};

/* Who may reach a route's handler (the dispatch hook decides). */
enum http_access {
	HTTP_ANYONE = 0,	/* public, or the handler decides */
	HTTP_PAGE,		/* a signed-in page: no credential, 303 /signin */
	HTTP_API,		/* the JSON API: no credential, 401 not_signed_in */
	HTTP_TOKEN		/* machines only: an API token as Bearer or as
				 * HTTP Basic's password (TAXII clients only do
				 * Basic), never a cookie; the handler answers
				 * a request without one (pages/taxii.c) */
};

#define HTTP_KEY_MAX	512	/* bytes of a {key} or {path} of a pattern */

/*
 * A route: one row of the table site/routes.c hands to http_start, which
 * says everything the front must know before a handler runs.  pattern is a
 * path whose segments are literal or one of
 *   {id}    one segment: req->id is the positive decimal id it holds (no
 *           leading zero, at most 18 digits), or 0 when it holds none,
 *           so that a malformed id gets the answer of an absent one
 *   {key}   one segment of [A-Za-z0-9._-], at most HTTP_KEY_MAX bytes:
 *           req->key
 *   {path}  the last: the rest of the path, whatever it holds: req->key
 * A path that matches no pattern is 404; one that matches only with other
 * methods is 405 with their Allow.  The first row that matches wins.
 */
struct http_route {
	const char		*pattern;
	unsigned		 methods;	/* enum http_method bits */
	enum http_access	 access;
	enum http_body		 body;
	http_handler		 fn;
	const char		*arg;	/* the handler's, from the table (or NULL) */
};

struct http_server {
	const struct config	*cfg;
	const struct i18n	*i18n;
	const struct tmpl_set	*tmpl;
	struct db_pool		*db;
	struct db_pool		*signin_db;	/* council_signin: signin.c only */
	const struct http_route	*routes;	/* the table, and its length */
	size_t			 nroutes;
	/*
	 * Hooks of the layers above (set by site/, which knows them), so that
	 * this file knows no page and no credential:
	 * upload_gate: who the request's credential is, asked of the database
	 *   before an upload body is read: 1 with the person's id in the
	 *   buffer, 0 nobody, -1 no database.
	 * dispatch: run req->route (credential, same-site check, access, then
	 *   the handler).  NULL runs the handler alone.
	 */
	int			(*upload_gate)(struct http_req *, char *,
				    size_t);
	enum MHD_Result		(*dispatch)(struct http_req *);
	struct MHD_Daemon	*daemon;
	unsigned short		 port;		/* the bound port */
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
	const struct http_route	*route;		/* found at the first call */
	unsigned		 allow;		/* or the methods of its path (405) */
	long long		 id;		/* the route's {id}, or 0 */
	char			 key[HTTP_KEY_MAX + 1];	/* its {key} or {path} */
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
	unsigned		 db_trips;	/* database round trips (db.h) */
	char			 ip[64];
	/* Who is asking (credential_request, credential.c): hex SHA-256 of the session
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
/*
 * Post-redirect-get with a one-time message (issue 17): a 303 to location
 * that also sets the cookie "done" to what (letters, digits, '_' and '.',
 * at most HTTP_DONE_MAX bytes; anything else: no message) for a minute.
 * The next page answering a GET (http_page) shows the catalog's text of
 * "done.<what>" as its variable "done", and clears the cookie.
 */
#define HTTP_DONE_MAX	40
enum MHD_Result http_redirect_done(struct http_req *, const char *location,
		    const char *what);
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
/* Does path match pattern (see struct http_route)?  1, with id and key
 * (keylen bytes) filled from its {id} and {key} or {path}; else 0. */
int		 http_route_match(const char *pattern, const char *path,
		    long long *id, char *key, size_t keylen);
/* The first route of routes[0..n) for path and method, or NULL (then
 * *allow holds the methods the path has, 0 for none); id and key as
 * http_route_match fills them. */
const struct http_route *http_route_find(const struct http_route *routes,
		    size_t n, const char *path, unsigned method, unsigned *allow,
		    long long *id, char *key, size_t keylen);
/* The Allow header for methods into out (at least 32 bytes). */
void		 http_allow_header(unsigned methods, char *out, size_t outlen);
/* The language for a request: ?lang= wins, then the "lang" cookie (an
 * earlier choice in this browser), then the browser's Accept-Language,
 * then Japanese.  Unknown values are ignored.  (A signed-in person's own
 * language comes before the cookie and the header: kit/caller.c.) */
enum i18n_lang	 http_choose_lang(const char *query_lang, const char *cookie_lang,
		    const char *accept_language);

#endif
