/*
 * http.c: libmicrohttpd glue: limits, request life cycle, common headers,
 * error pages and the request log (see http.h for the flow).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "metrics.h"
#include "tmpl.h"

/* Requests between http_uri_cb and http_completed_cb. */
static atomic_int	http_inflight;

/* Sent with every response.  The CSP allows nothing inline and nothing
 * from elsewhere: every page is built from templates and /static/. */
static const char *const http_common_headers[][2] = {
	{ "Content-Security-Policy",
	    "default-src 'self'; script-src 'self'; style-src 'self'; "
	    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
	    "object-src 'none'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
	{ "Referrer-Policy", "no-referrer" },
	{ "Cross-Origin-Opener-Policy", "same-origin" },
	{ "Cross-Origin-Resource-Policy", "same-origin" },
	{ "Permissions-Policy", "camera=(), microphone=(), geolocation=()" },
};

enum http_method
http_method_parse(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return HTTP_GET;
	if (strcmp(m, "HEAD") == 0)
		return HTTP_HEAD;
	if (strcmp(m, "POST") == 0)
		return HTTP_POST;
	return HTTP_OTHER;
}

enum i18n_lang
http_choose_lang(const char *query_lang, const char *cookie_lang,
    const char *accept_language)
{
	int	l;

	if ((l = i18n_lang_parse(query_lang)) >= 0)
		return (enum i18n_lang)l;
	if ((l = i18n_lang_parse(cookie_lang)) >= 0)
		return (enum i18n_lang)l;
	if ((l = i18n_accept_lang(accept_language)) >= 0)
		return (enum i18n_lang)l;
	return I18N_JA;
}

char *
http_decode_path(const char *raw)
{
	size_t		 n = strcspn(raw, "?#"), i, o = 0;
	char		*out;
	int		 hi, lo;
	unsigned char	 c;

	if (n == 0 || raw[0] != '/' || n > HTTP_MAX_URI)
		return NULL;
	out = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		c = (unsigned char)raw[i];
		if (c == '%') {
			if (i + 2 >= n)
				goto bad;
			if ((hi = util_hexval(raw[i + 1])) < 0 ||
			    (lo = util_hexval(raw[i + 2])) < 0)
				goto bad;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			goto bad;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (!util_utf8_valid(out, o))
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

/* Match one {id} segment at *p (advanced past it): 1 and *id, or 0. */
static int
http_match_id(const char **p, long long *id)
{
	const char	*s = *p;
	size_t		 n = strcspn(s, "/");
	char		 seg[24];

	if (n == 0)
		return 0;
	/* Not an id ("abc", "0", a sign, 19 digits): the route still
	 * matches, with id 0, which names no row, so that a malformed id
	 * gets the handler's answer for an absent one (issue 4). */
	if (n < sizeof(seg)) {
		memcpy(seg, s, n);
		seg[n] = '\0';
		*id = util_id_parse(seg);
	} else
		*id = 0;
	*p = s + n;
	return 1;
}

/* Match one {key} segment at *p: 1 and key, or 0. */
static int
http_match_key(const char **p, char *key, size_t keylen)
{
	const char	*s = *p;
	size_t		 n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789._-");

	if (n == 0 || n > HTTP_KEY_MAX || n >= keylen ||
	    (s[n] != '\0' && s[n] != '/'))
		return 0;
	memcpy(key, s, n);
	key[n] = '\0';
	*p = s + n;
	return 1;
}

int
http_route_match(const char *pattern, const char *path, long long *id,
    char *key, size_t keylen)
{
	const char	*p = path, *q = pattern;

	*id = 0;
	key[0] = '\0';
	while (*q != '\0') {
		if (*q != '{') {	/* a literal: the common case, kept cheap */
			if (*q++ != *p++)
				return 0;
			continue;
		}
		if (strncmp(q, "{id}", 4) == 0) {
			if (!http_match_id(&p, id))
				return 0;
			q += 4;
		} else if (strncmp(q, "{key}", 5) == 0) {
			if (!http_match_key(&p, key, keylen))
				return 0;
			q += 5;
		} else if (strcmp(q, "{path}") == 0) {
			if (*p == '\0' || strlen(p) >= keylen)
				return 0;
			snprintf(key, keylen, "%s", p);
			return 1;
		} else
			return 0;	/* an unknown token: a bad table */
	}
	return *p == '\0';
}

const struct http_route *
http_route_find(const struct http_route *routes, size_t n, const char *path,
    unsigned method, unsigned *allow, long long *id, char *key, size_t keylen)
{
	size_t	i;

	*allow = 0;
	for (i = 0; i < n; i++) {
		if (!http_route_match(routes[i].pattern, path, id, key, keylen))
			continue;
		if (routes[i].methods & method)
			return &routes[i];
		*allow |= routes[i].methods;
	}
	*id = 0;
	key[0] = '\0';
	return NULL;
}

void
http_allow_header(unsigned methods, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s%s",
	    methods & HTTP_GET ? "GET, HEAD" : methods & HTTP_HEAD ? "HEAD" : "",
	    (methods & (HTTP_GET | HTTP_HEAD)) && (methods & HTTP_POST) ?
	    ", " : "", methods & HTTP_POST ? "POST" : "");
}

const char *
http_header(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

const char *
http_text(struct http_req *req, const char *key)
{
	return i18n_text(req->srv->i18n, req->lang, key);
}

const char *
http_text_of(struct http_req *req, const char *prefix, const char *value,
    const char *fallback)
{
	char		 key[160];
	const char	*t;

	if ((size_t)snprintf(key, sizeof(key), "%s.%s", prefix, value) <
	    sizeof(key) && strcmp(t = http_text(req, key), key) != 0)
		return t;
	return fallback != NULL ? http_text(req, fallback) : value;
}

enum MHD_Result
http_send_response(struct http_req *req, unsigned status,
    struct MHD_Response *resp, size_t body_len, const char *cache)
{
	enum MHD_Result	ret;
	size_t		i;

	if (resp == NULL) {
		log_error("msg=\"cannot create response\" rid=%s", req->rid);
		return MHD_NO;
	}
	for (i = 0; i < UTIL_ARRAY_LEN(http_common_headers); i++)
		if (MHD_get_response_header(resp,
		    http_common_headers[i][0]) == NULL)
			MHD_add_response_header(resp, http_common_headers[i][0],
			    http_common_headers[i][1]);
	MHD_add_response_header(resp, "X-Request-Id", req->rid);
	/* Issue 16: every 503 (no database connection, a failover under
	 * way, a full queue) tells the client when to come back, so that
	 * clients and proxies retry instead of giving up. */
	if (status == 503 && MHD_get_response_header(resp,
	    MHD_HTTP_HEADER_RETRY_AFTER) == NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER,
		    HTTP_RETRY_AFTER_S);
	MHD_add_response_header(resp, "Cache-Control",
	    cache ? cache : "no-store");
	/* Behind TLS (cookie_secure): browsers keep to HTTPS, and every
	 * cookie says Secure (issue 10 item 10). */
	if (req->srv->cfg->cookie_secure)
		MHD_add_response_header(resp, "Strict-Transport-Security",
		    "max-age=31536000; includeSubDomains");
	if (req->lang_from_query)
		http_lang_cookie(req, req->lang);
	for (i = 0; i < (size_t)req->nset_cookie; i++)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
		    req->set_cookie[i]);
	if (req->body_too_large || status == 400 || status == 413 ||
	    status == 431 || status == 414 || status == 501)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION,
		    "close");
	req->status = status;
	req->bytes = req->method == HTTP_HEAD ? 0 : body_len;
	ret = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
http_send(struct http_req *req, unsigned status, const char *content_type,
    const void *data, size_t len, const char *cache)
{
	struct MHD_Response	*resp;

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
	    MHD_RESPMEM_MUST_COPY);
	if (resp != NULL && content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    content_type);
	return http_send_response(req, status, resp, len, cache);
}

void
http_lang_cookie(struct http_req *req, enum i18n_lang lang)
{
	char	c[96];

	snprintf(c, sizeof(c), "lang=%s; Path=/; Max-Age=31536000; HttpOnly; "
	    "SameSite=Lax%s", i18n_lang_code(lang),
	    req->srv->cfg->cookie_secure ? "; Secure" : "");
	http_set_cookie(req, c);
}

void
http_set_cookie(struct http_req *req, const char *value)
{
	if (req->nset_cookie >= HTTP_MAX_COOKIES) {
		log_error("msg=\"too many cookies\" rid=%s", req->rid);
		return;
	}
	req->set_cookie[req->nset_cookie++] = xstrdup(value);
}

enum MHD_Result
http_redirect(struct http_req *req, const char *location)
{
	struct MHD_Response	*resp;

	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
		    location);
	return http_send_response(req, 303, resp, 0, NULL);
}

/*
 * Issue 17 (say what happened): what, a code of letters, digits, '_' and
 * '.' (at most HTTP_DONE_MAX bytes), naming the catalog's "done.<what>".
 * 0 when it is one.
 */
static int
http_done_code_ok(const char *what)
{
	size_t	n;

	if (what == NULL || (n = strlen(what)) == 0 || n > HTTP_DONE_MAX)
		return -1;
	return strspn(what, "abcdefghijklmnopqrstuvwxyz0123456789_.") == n ?
	    0 : -1;
}

enum MHD_Result
http_redirect_done(struct http_req *req, const char *location,
    const char *what)
{
	char	c[HTTP_DONE_MAX + 96];

	if (http_done_code_ok(what) == 0) {
		snprintf(c, sizeof(c), "done=%s; Path=/; Max-Age=60; HttpOnly; "
		    "SameSite=Lax%s", what,
		    req->srv->cfg->cookie_secure ? "; Secure" : "");
		http_set_cookie(req, c);
	}
	return http_redirect(req, location);
}

/*
 * The one-time message of the redirect that led here (http_redirect_done),
 * for a page answering a GET: the catalog's text of "done.<code>" as the
 * variable "done", and the cookie cleared, so a reload does not say it
 * again.  A code the catalog does not know is dropped unread.
 */
static void
http_done_take(struct http_req *req, struct tmpl_vars *vars)
{
	const char	*what;
	char		 key[HTTP_DONE_MAX + 8], c[96];

	if ((req->method & (HTTP_GET | HTTP_HEAD)) == 0 || (what =
	    MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
	    "done")) == NULL)
		return;
	snprintf(c, sizeof(c), "done=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Lax%s", req->srv->cfg->cookie_secure ? "; Secure" : "");
	http_set_cookie(req, c);
	if (http_done_code_ok(what) == -1)
		return;
	snprintf(key, sizeof(key), "done.%s", what);
	if (strcmp(http_text(req, key), key) != 0)
		tmpl_vars_set(vars, "done", http_text(req, key));
}

enum MHD_Result
http_json(struct http_req *req, unsigned status, const char *json,
    size_t len)
{
	return http_send(req, status, "application/json", json, len, NULL);
}

/* One query argument, except lang, re-encoded into the buffer cls. */
static enum MHD_Result
http_query_keep(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct buf	*b = cls;

	(void)kind;
	if (key == NULL || strcmp(key, "lang") == 0)
		return MHD_YES;
	buf_puts(b, b->len == 0 ? "?" : "&");
	util_urlencode(b, key);
	if (value != NULL) {
		buf_puts(b, "=");
		util_urlencode(b, value);
	}
	return MHD_YES;
}

/*
 * The language switch keeps the page a GET asked for, filters and search
 * words included (its other query arguments); a page answering a POST
 * switches to the bare path.
 */
static void
http_lang_switch(struct http_req *req, struct tmpl_vars *vars,
    enum i18n_lang other)
{
	struct buf	q;

	buf_init(&q);
	if (req->method & (HTTP_GET | HTTP_HEAD))
		MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
		    http_query_keep, &q);
	buf_puts(&q, q.len == 0 ? "?lang=" : "&lang=");
	buf_puts(&q, i18n_lang_code(other));
	tmpl_vars_setf(vars, "lang_switch_href", "%s%s", req->path ?
	    req->path : "/", q.data);
	buf_free(&q);
}

enum MHD_Result
http_page(struct http_req *req, unsigned status, const char *name,
    struct tmpl_vars *vars)
{
	struct buf	 out;
	char		 err[256];
	enum i18n_lang	 other = req->lang == I18N_JA ? I18N_EN : I18N_JA;
	enum MHD_Result	 ret;

	buf_init(&out);
	http_lang_switch(req, vars, other);
	http_done_take(req, vars);
	tmpl_vars_set(vars, "lang_other", i18n_lang_code(other));
	tmpl_vars_set(vars, "request_id", req->rid);
	if (tmpl_render(req->srv->tmpl, name, req->srv->i18n, req->lang, vars,
	    &out, err, sizeof(err)) == -1) {
		log_error("msg=\"template failed\" rid=%s template=%s error=\"%s\"",
		    req->rid, name, err);
		ret = http_send(req, 500, "text/plain; charset=utf-8",
		    "internal error\n", 15, NULL);
		goto out;
	}
	ret = http_send(req, status, "text/html; charset=utf-8", out.data,
	    out.len, NULL);
out:
	buf_free(&out);
	return ret;
}

/* The error page, with Allow (405) or Retry-After (429, 503) if given. */
static enum MHD_Result
http_error_page(struct http_req *req, unsigned status, const char *allow,
    unsigned retry_after)
{
	struct tmpl_vars	*vars = tmpl_vars_new();
	struct buf		 out;
	char			 key[32], err[256];
	enum MHD_Result		 ret;
	enum i18n_lang		 other = req->lang == I18N_JA ? I18N_EN : I18N_JA;
	struct MHD_Response	*resp;

	buf_init(&out);
	tmpl_vars_setf(vars, "status", "%u", status);
	snprintf(key, sizeof(key), "error.%u.title", status);
	tmpl_vars_set(vars, "error_title", http_text(req, key));
	snprintf(key, sizeof(key), "error.%u.body", status);
	tmpl_vars_set(vars, "error_body", http_text(req, key));
	tmpl_vars_set(vars, "request_id", req->rid);
	/* Not the failed path: it may be anything (issue 10 item 7). */
	tmpl_vars_setf(vars, "lang_switch_href", "/?lang=%s",
	    i18n_lang_code(other));
	tmpl_vars_set(vars, "lang_other", i18n_lang_code(other));
	if (tmpl_render(req->srv->tmpl, "error.xhtml", req->srv->i18n,
	    req->lang, vars, &out, err, sizeof(err)) == -1) {
		log_error("msg=\"error template failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		buf_reset(&out);
		buf_printf(&out, "%u\n", status);
	}
	resp = MHD_create_response_from_buffer(out.len, out.data,
	    MHD_RESPMEM_MUST_COPY);
	if (resp != NULL) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    "text/html; charset=utf-8");
		if (allow != NULL)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
			    allow);
		if (retry_after > 0) {
			snprintf(key, sizeof(key), "%u", retry_after);
			MHD_add_response_header(resp,
			    MHD_HTTP_HEADER_RETRY_AFTER, key);
		}
	}
	ret = http_send_response(req, status, resp, out.len, NULL);
	buf_free(&out);
	tmpl_vars_free(vars);
	return ret;
}

enum MHD_Result
http_error(struct http_req *req, unsigned status, const char *allow)
{
	return http_error_page(req, status, allow, 0);
}

enum MHD_Result
http_error_retry(struct http_req *req, unsigned status, unsigned seconds)
{
	return http_error_page(req, status, NULL, seconds);
}

void
http_suspend(struct http_req *req, enum MHD_Result (*then)(struct http_req *))
{
	req->resume = then;
	MHD_suspend_connection(req->conn);
}

void
http_resume(struct http_req *req)
{
	MHD_resume_connection(req->conn);
}

/*
 * Uploads in flight, per client address and per person (issue 10 item 1):
 * a counter per key, in a fixed table.  A key whose counter drops to 0
 * frees its entry.
 */
#define HTTP_SLOT_KEYS	1024

static struct {
	pthread_mutex_t	mu;
	struct {
		char		key[80];
		unsigned	n;
	}		e[HTTP_SLOT_KEYS];
} http_slots = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* The counter of key, or a free entry named key when create is set; NULL
 * when there is none (or the table is full).  http_slots.mu is held. */
static unsigned *
http_slot(const char *key, int create)
{
	size_t	i, free_i = HTTP_SLOT_KEYS;

	for (i = 0; i < HTTP_SLOT_KEYS; i++) {
		if (http_slots.e[i].n == 0) {
			if (free_i == HTTP_SLOT_KEYS)
				free_i = i;
			continue;
		}
		if (strcmp(http_slots.e[i].key, key) == 0)
			return &http_slots.e[i].n;
	}
	if (!create || free_i == HTTP_SLOT_KEYS)
		return NULL;
	snprintf(http_slots.e[free_i].key, sizeof(http_slots.e[free_i].key),
	    "%s", key);
	return &http_slots.e[free_i].n;
}

/* Take an upload slot for address ip and person: 1, or 0 when either has
 * its limit in flight already. */
static int
http_slot_take(const struct config *cfg, const char *ip, const char *person)
{
	char		 ka[80], kp[80];
	unsigned	*a, *p;
	int		 ok = 0;

	snprintf(ka, sizeof(ka), "a:%s", ip);
	snprintf(kp, sizeof(kp), "p:%s", person);
	pthread_mutex_lock(&http_slots.mu);
	a = http_slot(ka, 0);
	p = http_slot(kp, 0);
	if ((a != NULL && *a >= (unsigned)cfg->uploads_per_address) ||
	    (p != NULL && *p >= (unsigned)cfg->uploads_per_person))
		goto out;
	if (a == NULL && (a = http_slot(ka, 1)) != NULL)
		(*a)++;		/* named now, so that p finds another entry */
	else if (a != NULL)
		(*a)++;
	if (a == NULL)
		goto out;
	if ((p = http_slot(kp, 1)) == NULL) {
		(*a)--;
		goto out;
	}
	(*p)++;
	ok = 1;
out:
	pthread_mutex_unlock(&http_slots.mu);
	return ok;
}

static void
http_slot_give(const char *ip, const char *person)
{
	char		 ka[80], kp[80];
	unsigned	*n;

	snprintf(ka, sizeof(ka), "a:%s", ip);
	snprintf(kp, sizeof(kp), "p:%s", person);
	pthread_mutex_lock(&http_slots.mu);
	if ((n = http_slot(ka, 0)) != NULL)
		(*n)--;
	if ((n = http_slot(kp, 0)) != NULL)
		(*n)--;
	pthread_mutex_unlock(&http_slots.mu);
}

/* A new temporary file in dir, already unlinked: its descriptor, or -1. */
static int
http_tmpfile(const char *dir)
{
	char	path[1024];
	int	fd;

#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) != -1)
		return fd;
#endif
	if ((size_t)snprintf(path, sizeof(path), "%s/councild-upload.XXXXXX",
	    dir) >= sizeof(path))
		return -1;
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	unlink(path);
	return fd;
}

/*
 * The first call of an upload route (issue 10 item 1).  Before any body
 * is read, and so before "100 Continue": only a credential the database
 * knows now gets the larger limit; the person and the address must each
 * have an upload slot left; the body will go to a temporary file, not to
 * memory.  Returns 0 (go on; with no credential the request simply keeps
 * max_body_size and its handler refuses it), or the status to answer.
 */
static unsigned
http_upload_begin(struct http_req *req)
{
	const struct config	*cfg = req->srv->cfg;
	char			 person[24];
	int			 who;

	if (req->srv->upload_gate == NULL ||
	    (who = req->srv->upload_gate(req, person, sizeof(person))) == -1)
		return 503;
	if (who == 0)
		return 0;
	if (!http_slot_take(cfg, req->ip, person))
		return 429;
	snprintf(req->upload_person, sizeof(req->upload_person), "%s", person);
	if ((req->body_fd = http_tmpfile(cfg->upload_dir)) == -1) {
		log_error("msg=\"cannot make an upload file\" rid=%s dir=\"%s\" "
		    "error=\"%s\"", req->rid, cfg->upload_dir, strerror(errno));
		return 503;
	}
	req->body_limit = (size_t)cfg->attachment_max_size +
	    HTTP_UPLOAD_ENVELOPE;
	return 0;
}

/* Append data to the upload's file; a failure marks the body failed. */
static void
http_upload_write(struct http_req *req, const char *data, size_t len)
{
	ssize_t	n;

	while (len > 0 && !req->body_failed) {
		if ((n = write(req->body_fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			log_error("msg=\"cannot write an upload file\" rid=%s "
			    "error=\"%s\"", req->rid, strerror(errno));
			req->body_failed = 1;
			break;
		}
		data += n;
		len -= (size_t)n;
		req->body.len += (size_t)n;
	}
}

/* Present the upload's file as req->body (mapped, read-only to the
 * handlers).  Returns 0, or -1. */
static int
http_upload_map(struct http_req *req)
{
	void	*p;

	if (req->body.len == 0)
		return 0;
	p = mmap(NULL, req->body.len, PROT_READ, MAP_PRIVATE, req->body_fd, 0);
	if (p == MAP_FAILED) {
		log_error("msg=\"cannot map an upload file\" rid=%s error=\"%s\"",
		    req->rid, strerror(errno));
		return -1;
	}
	req->body.data = p;
	req->body_mapped = 1;
	return 0;
}

/* MHD calls this first, with the raw request target: the request is born. */
static void *
http_uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_req			*req;
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;

	req = xcalloc(1, sizeof(*req));
	req->srv = cls;
	req->conn = conn;
	req->start_ms = util_now_ms();
	buf_init(&req->body);
	req->body_fd = -1;
	if (util_random_hex(req->rid, HTTP_RID_LEN / 2) == -1)
		fatal("RAND_bytes failed");
	req->raw_uri = xstrndup(uri, strnlen(uri, HTTP_MAX_URI + 1));
	req->method_name = "-";
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	sa = ci ? ci->client_addr : NULL;
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, req->ip, sizeof(req->ip));
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, req->ip, sizeof(req->ip));
	else
		snprintf(req->ip, sizeof(req->ip), "-");
	atomic_fetch_add(&http_inflight, 1);
	return req;
}

/* Remember each X-Forwarded-For header's value: the last one wins. */
static enum MHD_Result
http_xff_cb(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	const char	**last = cls;

	(void)kind;
	if (key != NULL && value != NULL &&
	    strcasecmp(key, "X-Forwarded-For") == 0)
		*last = value;
	return MHD_YES;
}

/*
 * Issue 16 (ASVS V4.1.3): behind the configured proxy (trusted_proxy, a
 * list of exact addresses), the client's address is the last element of
 * the last X-Forwarded-For header: the one the proxy itself appended.
 * Anything before it was written by the client and is never believed;
 * from any other peer the header is ignored.  An element that is not an
 * address leaves req->ip the proxy's own, and says so in the log.
 */
static void
http_forwarded_ip(struct http_req *req)
{
	const char	*list = req->srv->cfg->trusted_proxy, *xff = NULL, *v;
	char		 addr[64];
	unsigned char	 bin[16];
	size_t		 n, len = strlen(req->ip);
	int		 trusted = 0;

	for (v = list; *v != '\0' && !trusted; v += n) {
		v += strspn(v, ", ");
		n = strcspn(v, ", ");
		trusted = n > 0 && n == len && strncmp(v, req->ip, n) == 0;
	}
	if (!trusted)
		return;
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, http_xff_cb,
	    &xff);
	if (xff == NULL)
		return;
	if ((v = strrchr(xff, ',')) != NULL)
		xff = v + 1;
	xff += strspn(xff, " \t");
	n = strcspn(xff, " \t");
	if (n == 0 || n >= sizeof(addr) || xff[n] != '\0') {
		log_warn("msg=\"forwarded address refused\" rid=%s proxy=%s",
		    req->rid, req->ip);
		return;
	}
	memcpy(addr, xff, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, bin) != 1 &&
	    inet_pton(AF_INET6, addr, bin) != 1) {
		log_warn("msg=\"forwarded address refused\" rid=%s proxy=%s",
		    req->rid, req->ip);
		return;
	}
	snprintf(req->ip, sizeof(req->ip), "%s", addr);
}

static enum MHD_Result
http_header_size_cb(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	size_t	*total = cls;

	(void)kind;
	*total += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/*
 * First call of a request: the checks every request passes before a
 * handler sees it.  Returns 0 if the request may go on, otherwise the
 * error status to answer with.
 */
static unsigned
http_first_checks(struct http_req *req, const char *method)
{
	const struct config	*cfg = req->srv->cfg;
	const char		*cl, *te;
	size_t			 hsize;
	unsigned		 status;
	char			*end;
	unsigned long long	 len;

	req->method_name = method;
	req->method = http_method_parse(method);
	http_forwarded_ip(req);
	req->body_limit = (size_t)cfg->max_body_size;
	req->lang = http_choose_lang(http_query(req, "lang"),
	    MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, "lang"),
	    http_header(req, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	req->lang_from_query = i18n_lang_parse(http_query(req, "lang")) >= 0;

	if (strlen(req->raw_uri) > HTTP_MAX_URI)
		return 414;
	hsize = strlen(req->raw_uri) + strlen(method) + 12;
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND,
	    http_header_size_cb, &hsize);
	if (hsize > (size_t)cfg->max_header_size)
		return 431;
	if ((req->path = http_decode_path(req->raw_uri)) == NULL)
		return 400;
	/* RFC 9112 6.1: a transfer coding we do not implement (anything but
	 * a lone "chunked") is answered at once, not waited on. */
	if ((te = http_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING)) != NULL &&
	    strcasecmp(te, "chunked") != 0)
		return 501;
	req->route = http_route_find(req->srv->routes, req->srv->nroutes,
	    req->path, req->method, &req->allow, &req->id, req->key,
	    sizeof(req->key));
	if (req->route != NULL && req->route->body == HTTP_BODY_UPLOAD &&
	    (status = http_upload_begin(req)) != 0)
		return status;
	if ((cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH)) != NULL) {
		if (*cl < '0' || *cl > '9')
			return 400;
		len = strtoull(cl, &end, 10);
		if (*end != '\0')
			return 400;
		if (len > (unsigned long long)req->body_limit)
			return 413;
	}
	return 0;
}

/* The last call of a request with its body: 404 or 405 without a route,
 * else the route through the dispatch hook. */
static enum MHD_Result
http_dispatch(struct http_req *req)
{
	static const char	nf[] = "{\"error\":\"not_found\"}\n";
	static const char	na[] = "{\"error\":\"method_not_allowed\"}\n";
	struct MHD_Response	*resp;
	char			 allow[32];
	int			 api = strncmp(req->path, "/api/", 5) == 0;

	if (req->route == NULL && req->allow != 0) {
		http_allow_header(req->allow, allow, sizeof(allow));
		if (!api)
			return http_error(req, 405, allow);
		/* The JSON API answers JSON, also here. */
		resp = MHD_create_response_from_buffer(sizeof(na) - 1,
		    (void *)(uintptr_t)na, MHD_RESPMEM_PERSISTENT);
		if (resp != NULL) {
			MHD_add_response_header(resp,
			    MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
			    allow);
		}
		return http_send_response(req, 405, resp, sizeof(na) - 1, NULL);
	}
	if (req->route == NULL)
		return api ? http_json(req, 404, nf, sizeof(nf) - 1) :
		    http_error(req, 404, NULL);
	if (req->srv->dispatch != NULL)
		return req->srv->dispatch(req);
	return req->route->fn(req);
}

static enum MHD_Result
http_access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_req	*req = *con_cls;
	unsigned	 status;

	(void)cls;
	(void)url;	/* MHD's decoding of it is not used: see http_decode_path */
	(void)version;
	if (req == NULL)	/* cannot happen: http_uri_cb always runs */
		return MHD_NO;
	if (!req->checked) {
		req->checked = 1;
		if ((status = http_first_checks(req, method)) != 0)
			return status == 429 || status == 503 ?
			    http_error_retry(req, status, 5) :
			    http_error(req, status, NULL);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (req->body_too_large || req->body.len + *upload_data_size >
		    req->body_limit)
			req->body_too_large = 1;
		else if (req->body_fd != -1)
			http_upload_write(req, upload_data, *upload_data_size);
		else
			buf_append(&req->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->body_too_large)
		return http_error(req, 413, NULL);
	if (req->body_failed ||
	    (req->body_fd != -1 && !req->body_mapped && req->resume == NULL &&
	    http_upload_map(req) == -1)) {
		req->body_failed = 1;
		return http_error(req, 503, NULL);
	}
	(void)conn;
	if (req->resume != NULL) {	/* back from http_suspend */
		enum MHD_Result (*then)(struct http_req *) = req->resume;

		req->resume = NULL;
		return then(req);
	}
	return http_dispatch(req);
}

static void
http_completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req	*req = *con_cls;
	struct buf	 line;

	(void)cls;
	(void)conn;
	if (req == NULL)
		return;
	buf_init(&line);
	buf_printf(&line, "rid=%s method=", req->rid);
	buf_logfmt(&line, req->method_name);
	buf_puts(&line, " path=");
	buf_logfmt(&line, req->path ? req->path : req->raw_uri);
	buf_printf(&line, " status=%u bytes=%zu dur_ms=%.2f db=%u ip=%s",
	    req->status, req->bytes, util_now_ms() - req->start_ms,
	    req->db_trips, req->ip);
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		buf_printf(&line, " aborted=%d", (int)toe);
	log_info("msg=request %s", line.data);
	buf_free(&line);
	metrics_request(req->route != NULL ? (size_t)(req->route -
	    req->srv->routes) : METRICS_NO_ROUTE, req->method_name,
	    req->status, util_now_ms() - req->start_ms);
	if (req->deferred != NULL && req->deferred_free != NULL)
		req->deferred_free(req->deferred);
	if (req->body_mapped) {
		munmap(req->body.data, req->body.len);
		buf_init(&req->body);
	}
	if (req->body_fd != -1)
		close(req->body_fd);
	if (req->upload_person[0] != '\0')
		http_slot_give(req->ip, req->upload_person);
	buf_free(&req->body);
	for (int i = 0; i < req->nset_cookie; i++)
		free(req->set_cookie[i]);
	free(req->raw_uri);
	free(req->path);
	free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&http_inflight, 1);
}

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\r\n")] = '\0';
	log_msg(LOG_WARN, "msg=mhd text=\"%.400s\"", msg);
}

int
http_start(struct http_server *srv, char *err, size_t errlen)
{
	const struct config		*cfg = srv->cfg;
	struct sockaddr_storage		 ss;
	struct sockaddr_in		*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6		*sin6 = (struct sockaddr_in6 *)&ss;
	unsigned			 flags;
	const union MHD_DaemonInfo	*di;

	memset(&ss, 0, sizeof(ss));
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (inet_pton(AF_INET, cfg->listen_address, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)cfg->listen_port);
	} else if (inet_pton(AF_INET6, cfg->listen_address,
	    &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)cfg->listen_port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "listen_address \"%s\" is not an IP "
		    "address", cfg->listen_address);
		return -1;
	}
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL,
	    http_access_cb, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, srv,	/* must be first */
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->worker_threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->connection_limit,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)cfg->per_ip_connection_limit,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)cfg->connection_memory_limit,
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_cb, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed_cb, srv,
	    MHD_OPTION_END);
	if (srv->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s port %ld",
		    cfg->listen_address, cfg->listen_port);
		return -1;
	}
	di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : (unsigned short)cfg->listen_port;
	return 0;
}

void
http_stop(struct http_server *srv, long grace)
{
	MHD_socket	 lsock;
	double		 deadline = util_now_ms() + (double)grace * 1000.0;

	if (srv->daemon == NULL)
		return;
	/* Stop accepting; connections already open go on. */
	lsock = MHD_quiesce_daemon(srv->daemon);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	while (atomic_load(&http_inflight) > 0 && util_now_ms() < deadline)
		usleep(20 * 1000);
	if (atomic_load(&http_inflight) > 0)
		log_warn("msg=\"shutdown grace expired\" inflight=%d",
		    atomic_load(&http_inflight));
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
}
