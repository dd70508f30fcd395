/*
 * taxii.c: the TAXII 2.1 server (see taxii.h).  One handler serves every
 * path under /taxii2/: it parses the rest of the path (the route table
 * matches one {path} only), checks the token, the media types and the
 * body, and asks the database in ONE round trip (db_run_batch): who the
 * token is, then the resource's one call of policy/96_stix.sql, made
 * with the caller's identity like every read of the JSON API.  What the
 * database answers is sent as it is, with the TAXII media type and, for
 * envelopes, X-TAXII-Date-Added-First/Last.
 *
 * Every answer needs a token the database knows: without one, 401 with
 * WWW-Authenticate, whatever the path.  A collection, object or status the
 * caller may not see is answered exactly as an absent one (the database
 * answers NULL or raises CP404 for both; the 404 here has one body).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "http.h"
#include "log.h"
#include "taxii.h"
#include "util.h"

/* The challenge of a 401: Basic, because the common clients know no
 * other; a Bearer token is taken too (credential.c). */
#define TAXII_CHALLENGE	"Basic realm=\"council-taxii\""
#define TAXII_PREFIX	"/taxii2/"

/* Who the token is (nobody: no row or NULL). */
static const char TAXII_WHO_SQL[] = "SELECT person_id FROM council.me";

/* The resources' calls (policy/96_stix.sql), each one JSON text or NULL
 * (404), except TAXII_ENVELOPE_SQL: (body, X-TAXII-Date-Added-First,
 * -Last, the number of objects in the body). */
static const char TAXII_DISCOVERY_SQL[] =
    "SELECT council.taxii_discovery_json($1)::text";
static const char TAXII_API_ROOT_SQL[] =
    "SELECT council.taxii_api_root_json()::text";
static const char TAXII_COLLECTIONS_SQL[] =
    "SELECT council.taxii_collections_json()::text";
static const char TAXII_COLLECTION_SQL[] =
    "SELECT council.taxii_collection_json($1)::text";
static const char TAXII_ENVELOPE_SQL[] =
    "SELECT x.body::text, x.first_added, x.last_added, "
    "CASE jsonb_typeof(coalesce(x.body->'objects', x.body->'versions')) "
    "WHEN 'array' THEN jsonb_array_length(coalesce(x.body->'objects', "
    "x.body->'versions')) ELSE 0 END "
    "FROM council.taxii_objects($1, $2, $3::integer, $4, $5, $6, $7, $8, $9) x";
static const char TAXII_ADD_SQL[] =
    "SELECT council.taxii_add($1, $2::jsonb)::text";
static const char TAXII_STATUS_SQL[] =
    "SELECT council.taxii_status_json($1)::text";

/* Path parsing. ------------------------------------------------------------ */

/* 1 when s (n bytes) is a UUID in its text form (8-4-4-4-12 hex digits). */
static int
taxii_uuid_ok(const char *s, size_t n)
{
	size_t	i;

	if (n != TAXII_UUID_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* 1 when s (n bytes) may be a STIX identifier: "<type>--<uuid>" of
 * lower-case letters, digits and '-', at most TAXII_OBJECT_MAX bytes.
 * (The database decides whether it names anything.) */
static int
taxii_object_ok(const char *s, size_t n)
{
	const char	*sep;
	size_t		 i;

	if (n == 0 || n > TAXII_OBJECT_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-'))
			return 0;
	sep = strstr(s, "--");
	return sep != NULL && sep != s && (size_t)(sep - s) + 2 < n;
}

int
taxii_path_parse(const char *rest, struct taxii_res *res)
{
	const char	*seg[7], *p, *slash;
	size_t		 len[7], n = 0;

	memset(res, 0, sizeof(*res));
	if (rest == NULL)
		return -1;
	if (*rest == '\0') {
		res->what = TAXII_DISCOVERY;
		return 0;
	}
	/* Segments, each ended by '/': the spec's paths end with one. */
	for (p = rest; *p != '\0'; p = slash + 1) {
		if ((slash = strchr(p, '/')) == NULL || slash == p ||
		    n == UTIL_ARRAY_LEN(seg))
			return -1;
		seg[n] = p;
		len[n++] = (size_t)(slash - p);
	}
#define SEG(i, lit)	(len[i] == sizeof(lit) - 1 && \
			    memcmp(seg[i], lit, sizeof(lit) - 1) == 0)
	if (!SEG(0, "council"))
		return -1;
	if (n == 1) {
		res->what = TAXII_API_ROOT;
		return 0;
	}
	if (n == 3 && SEG(1, "status") && taxii_uuid_ok(seg[2], len[2])) {
		memcpy(res->id, seg[2], len[2]);
		res->what = TAXII_STATUS;
		return 0;
	}
	if (!SEG(1, "collections"))
		return -1;
	if (n == 2) {
		res->what = TAXII_COLLECTIONS;
		return 0;
	}
	if (!taxii_uuid_ok(seg[2], len[2]))
		return -1;
	memcpy(res->id, seg[2], len[2]);
	if (n == 3)
		res->what = TAXII_COLLECTION;
	else if (n == 4 && SEG(3, "objects"))
		res->what = TAXII_OBJECTS;
	else if (n == 4 && SEG(3, "manifest"))
		res->what = TAXII_MANIFEST;
	else if ((n == 5 || (n == 6 && SEG(5, "versions"))) &&
	    SEG(3, "objects")) {
		/* The object id, copied first: taxii_object_ok reads it
		 * as a string. */
		if (len[4] > TAXII_OBJECT_MAX)
			goto none;
		memcpy(res->object, seg[4], len[4]);
		res->object[len[4]] = '\0';
		if (!taxii_object_ok(res->object, len[4]))
			goto none;
		res->what = n == 5 ? TAXII_OBJECT : TAXII_VERSIONS;
	}
#undef SEG
	if (res->what != TAXII_NONE)
		return 0;
none:
	memset(res, 0, sizeof(*res));
	return -1;
}

/* Media types. -------------------------------------------------------------- */

/* s[0..n) with the blanks around it taken off: its start, and *n. */
static const char *
taxii_trim(const char *s, size_t *n)
{
	while (*n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*n)--;
	}
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		(*n)--;
	return s;
}

/* Is s[0..n) equal to lit, ignoring case? */
static int
taxii_is(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && strncasecmp(s, lit, n) == 0;
}

/*
 * One media type with its parameters, s[0..n): its type and subtype
 * (*type, *tlen), whether a version parameter says anything but 2.1
 * (*bad_version), whether q is 0 (*refused).  Parameters beyond the
 * eighth are not read.
 */
static void
taxii_media(const char *s, size_t n, const char **type, size_t *tlen,
    int *bad_version, int *refused)
{
	const char	*p, *end = s + n, *semi, *eq, *name, *val;
	size_t		 pl, nl, vl;
	int		 params = 0;

	*bad_version = *refused = 0;
	semi = memchr(s, ';', n);
	*tlen = (size_t)((semi ? semi : end) - s);
	*type = taxii_trim(s, tlen);
	for (p = semi; p != NULL && p < end && params < 8; params++) {
		p++;
		semi = memchr(p, ';', (size_t)(end - p));
		pl = (size_t)((semi ? semi : end) - p);
		if ((eq = memchr(p, '=', pl)) != NULL) {
			nl = (size_t)(eq - p);
			name = taxii_trim(p, &nl);
			vl = (size_t)((p + pl) - (eq + 1));
			val = taxii_trim(eq + 1, &vl);
			if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
				val++;
				vl -= 2;
			}
			if (taxii_is(name, nl, "version") &&
			    !taxii_is(val, vl, "2.1"))
				*bad_version = 1;
			if (taxii_is(name, nl, "q") && strspn(val, "0.") >= vl)
				*refused = 1;
		}
		p = semi;
	}
}

int
taxii_accept_ok(const char *accept)
{
	const char	*p, *comma, *type;
	size_t		 n, tlen;
	int		 ranges = 0, bad_version, refused;

	if (accept == NULL || accept[strspn(accept, " \t")] == '\0')
		return 1;
	for (p = accept; p != NULL && ranges < TAXII_ACCEPT_MAX; ranges++) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		taxii_media(p, n, &type, &tlen, &bad_version, &refused);
		if (!refused && (taxii_is(type, tlen, "*/*") ||
		    taxii_is(type, tlen, "application/*") ||
		    (taxii_is(type, tlen, "application/taxii+json") &&
		    !bad_version)))
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

int
taxii_content_type_ok(const char *ct)
{
	const char	*type;
	size_t		 tlen;
	int		 bad_version, refused;

	if (ct == NULL)
		return 0;
	taxii_media(ct, strlen(ct), &type, &tlen, &bad_version, &refused);
	return taxii_is(type, tlen, "application/taxii+json") && !bad_version;
}

/* Answers. ------------------------------------------------------------------ */

/* The words of the errors this file finds itself (the database's carry
 * only their stable code). */
static const struct {
	const char	*code;
	const char	*description;
} taxii_words[] = {
	{ "not_signed_in", "An API token is needed: as a Bearer token, or as "
	    "the password of HTTP Basic (any user name)." },
	{ "not_acceptable", "This server answers in "
	    TAXII_MEDIA " only." },
	{ "unsupported_media_type", "Objects are sent as " TAXII_MEDIA "." },
	{ "too_large", "A request body may hold at most 10485760 bytes." },
	{ "not_found", "No such resource, or none the caller may see." },
	{ "method_not_allowed", "This resource does not answer this method." },
	{ "invalid_body", "The request body is empty, or not UTF-8 text." },
	{ "invalid_request", "A parameter or the body has a value of the "
	    "wrong form." },
	{ "unavailable", "The server cannot answer now; try again later." },
};

static const char *
taxii_title(unsigned status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	default: return "Service Unavailable";
	}
}

/*
 * Queue a TAXII answer: status, the JSON body (len bytes, copied), the
 * TAXII media type, and the envelope's headers first and last when not
 * NULL.
 */
static enum MHD_Result
taxii_send(struct http_req *req, unsigned status, const char *body,
    size_t len, const char *first, const char *last, const char *allow)
{
	struct MHD_Response	*resp;

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp != NULL) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    TAXII_MEDIA);
		if (first != NULL)
			MHD_add_response_header(resp,
			    "X-TAXII-Date-Added-First", first);
		if (last != NULL)
			MHD_add_response_header(resp,
			    "X-TAXII-Date-Added-Last", last);
		if (allow != NULL)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
			    allow);
		if (status == 401)
			MHD_add_response_header(resp,
			    MHD_HTTP_HEADER_WWW_AUTHENTICATE, TAXII_CHALLENGE);
		if (status == 503)
			MHD_add_response_header(resp,
			    MHD_HTTP_HEADER_RETRY_AFTER, "5");
	}
	return http_send_response(req, status, resp, len, NULL);
}

/*
 * A TAXII error resource (section 3.6.1): title, the description of our
 * own codes, error_code (a stable code: ours, or the database's), and
 * http_status, as text.  Nothing in it names the request, so that two
 * answers of one status and code are the same bytes.
 */
static enum MHD_Result
taxii_error(struct http_req *req, unsigned status, const char *code,
    const char *allow)
{
	struct buf	 b;
	size_t		 i;
	enum MHD_Result	 ret;

	buf_init(&b);
	buf_puts(&b, "{\"title\":");
	buf_json_string(&b, taxii_title(status), strlen(taxii_title(status)));
	for (i = 0; i < UTIL_ARRAY_LEN(taxii_words); i++)
		if (strcmp(taxii_words[i].code, code) == 0) {
			buf_puts(&b, ",\"description\":");
			buf_json_string(&b, taxii_words[i].description,
			    strlen(taxii_words[i].description));
		}
	buf_puts(&b, ",\"error_code\":");
	buf_json_string(&b, code, strnlen(code, 200));
	buf_printf(&b, ",\"http_status\":\"%u\"}\n", status);
	ret = taxii_send(req, status, b.data, b.len, NULL, NULL, allow);
	buf_free(&b);
	return ret;
}

/*
 * A failed call's status and code: a CP-class error as the JSON API maps
 * it (CPnnn: status nnn, its message the code; council.api_error), a value
 * of the wrong form (SQLSTATE class 22: a bad parameter, a body that is
 * no JSON) 400 invalid_request, anything else 503 unavailable.
 */
static unsigned
taxii_db_status(const struct db_stmt *s, const char **code)
{
	unsigned	st;

	if (strncmp(s->sqlstate, "CP", 2) == 0 &&
	    isdigit((unsigned char)s->sqlstate[2]) &&
	    isdigit((unsigned char)s->sqlstate[3]) &&
	    isdigit((unsigned char)s->sqlstate[4]) &&
	    (st = (unsigned)atoi(s->sqlstate + 2)) >= 400 && st <= 499 &&
	    s->err[0] != '\0') {
		*code = s->err;
		return st;
	}
	if (strncmp(s->sqlstate, "22", 2) == 0) {
		*code = "invalid_request";
		return 400;
	}
	*code = "unavailable";
	return 503;
}

/* The request. ---------------------------------------------------------------- */

/* The methods a resource answers. */
static unsigned
taxii_methods(enum taxii_what what)
{
	if (what == TAXII_OBJECTS)
		return HTTP_GET | HTTP_HEAD | HTTP_POST;
	return HTTP_GET | HTTP_HEAD;
}

/*
 * The URL prefix of the API roots, for discovery, into out: public_url
 * with /taxii2/ when it is set, else the path alone, which clients resolve
 * against the discovery URL they asked (councild does not know whether a
 * proxy in front of it speaks TLS; the Host header is the client's word).
 */
static void
taxii_base(struct http_req *req, char *out, size_t outlen)
{
	const char	*pub = req->srv->cfg->public_url;
	size_t		 n = strlen(pub);

	while (n > 0 && pub[n - 1] == '/')
		n--;
	if ((size_t)snprintf(out, outlen, "%.*s" TAXII_PREFIX, (int)n, pub) >=
	    outlen)
		snprintf(out, outlen, TAXII_PREFIX);	/* too long: the path */
}

/* The query parameter name when present and not empty, else NULL (the
 * spec's parameters; any other is ignored). */
static const char *
taxii_param(struct http_req *req, const char *name)
{
	const char	*v = http_query(req, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* What one request asks of the database. */
struct taxii_call {
	const char	*sql;
	const char	*params[9];
	int		 nparams;
	int		 envelope;	/* TAXII_ENVELOPE_SQL's row */
	char		 limit[16];
	char		 base[1024];
};

/*
 * The call for res and the request's method and parameters into c: 0,
 * or the status of a request refused before the database is asked, with
 * *code (and *body, the POST's body as a string to free, for a POST of
 * objects).
 */
static unsigned
taxii_prepare(struct http_req *req, const struct taxii_res *res,
    struct taxii_call *c, char **body, const char **code)
{
	const char	*limit, *what;

	memset(c, 0, sizeof(*c));
	*body = NULL;
	if (!taxii_accept_ok(http_header(req, MHD_HTTP_HEADER_ACCEPT))) {
		*code = "not_acceptable";
		return 406;
	}
	if (res->what == TAXII_NONE) {
		*code = "not_found";
		return 404;
	}
	if ((taxii_methods(res->what) & req->method) == 0) {
		*code = "method_not_allowed";
		return 405;
	}
	switch (res->what) {
	case TAXII_DISCOVERY:
		taxii_base(req, c->base, sizeof(c->base));
		c->sql = TAXII_DISCOVERY_SQL;
		c->params[0] = c->base;
		c->nparams = 1;
		return 0;
	case TAXII_API_ROOT:
		c->sql = TAXII_API_ROOT_SQL;
		return 0;
	case TAXII_COLLECTIONS:
		c->sql = TAXII_COLLECTIONS_SQL;
		return 0;
	case TAXII_COLLECTION:
		c->sql = TAXII_COLLECTION_SQL;
		c->params[0] = res->id;
		c->nparams = 1;
		return 0;
	case TAXII_STATUS:
		c->sql = TAXII_STATUS_SQL;
		c->params[0] = res->id;
		c->nparams = 1;
		return 0;
	default:
		break;
	}
	if (res->what == TAXII_OBJECTS && req->method == HTTP_POST) {
		if (!taxii_content_type_ok(http_header(req,
		    MHD_HTTP_HEADER_CONTENT_TYPE))) {
			*code = "unsupported_media_type";
			return 415;
		}
		if (req->body.len > (size_t)TAXII_MAX_BODY) {
			*code = "too_large";
			return 413;
		}
		if (req->body.len == 0 || memchr(req->body.data, '\0',
		    req->body.len) != NULL ||
		    !util_utf8_valid(req->body.data, req->body.len)) {
			*code = "invalid_body";
			return 400;
		}
		*body = xstrndup(req->body.data, req->body.len);
		c->sql = TAXII_ADD_SQL;
		c->params[0] = res->id;
		c->params[1] = *body;
		c->nparams = 2;
		return 0;
	}
	/* The envelopes: objects, manifest, an object, its versions.  limit
	 * is digits (400 otherwise); more than nine of them ask for no more
	 * than the server's own largest page anyway. */
	if ((limit = taxii_param(req, "limit")) != NULL) {
		if (strspn(limit, "0123456789") != strlen(limit)) {
			*code = "invalid_request";
			return 400;
		}
		snprintf(c->limit, sizeof(c->limit), "%s", strlen(limit) > 9 ?
		    "999999999" : limit);
	}
	what = res->what == TAXII_MANIFEST ? "manifest" :
	    res->what == TAXII_VERSIONS ? "versions" : "objects";
	c->sql = TAXII_ENVELOPE_SQL;
	c->envelope = 1;
	c->nparams = 9;
	c->params[0] = res->id;
	c->params[1] = taxii_param(req, "added_after");
	c->params[2] = limit != NULL ? c->limit : NULL;
	c->params[3] = taxii_param(req, "next");
	/* An object's own routes name it in the path (section 5.5, 5.7:
	 * no match[id] or match[type] there). */
	if (res->what == TAXII_OBJECT || res->what == TAXII_VERSIONS) {
		c->params[4] = res->object;
		c->params[5] = NULL;
	} else {
		c->params[4] = taxii_param(req, "match[id]");
		c->params[5] = taxii_param(req, "match[type]");
	}
	c->params[6] = res->what == TAXII_VERSIONS ? NULL :
	    taxii_param(req, "match[version]");
	c->params[7] = taxii_param(req, "match[spec_version]");
	c->params[8] = what;
	return 0;
}

enum MHD_Result
taxii_serve(struct http_req *req)
{
	struct db_ident		 ident = { req->session_hash, req->rid,
				    &req->db_trips };
	struct db_stmt		 s[2];
	struct taxii_res	 res;
	struct taxii_call	 c;
	const char		*code = NULL, *first, *last;
	char			*body = NULL, err[256], allow[32];
	unsigned		 refused, st;
	int			 n, rc, i;
	PGresult		*r;
	enum MHD_Result		 ret;

	memset(s, 0, sizeof(s));
	if (req->session_hash[0] == '\0' || !req->bearer) {
		ret = taxii_error(req, 401, "not_signed_in", NULL);
		goto out;
	}
	taxii_path_parse(strcmp(req->path, TAXII_PREFIX) == 0 ? "" : req->key,
	    &res);
	refused = taxii_prepare(req, &res, &c, &body, &code);
	/* Who the token is, and (when nothing is refused yet) the call,
	 * in one round trip: every answer, a refusal too, needs a token
	 * the database knows. */
	s[0].sql = TAXII_WHO_SQL;
	n = 1;
	if (refused == 0) {
		s[1].sql = c.sql;
		s[1].nparams = c.nparams;
		s[1].params = c.params;
		n = 2;
	}
	rc = db_run_batch(req->srv->db, req->srv->cfg->db_acquire_timeout_ms,
	    &ident, s, n, err, sizeof(err));
	r = s[0].result;
	if (r == NULL) {
		log_error("msg=\"taxii identity failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = taxii_error(req, 503, "unavailable", NULL);
		goto out;
	}
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
		ret = taxii_error(req, 401, "not_signed_in", NULL);
		goto out;
	}
	if (refused != 0) {
		if (refused == 405)
			http_allow_header(taxii_methods(res.what), allow,
			    sizeof(allow));
		ret = taxii_error(req, refused, code, refused == 405 ? allow :
		    NULL);
		goto out;
	}
	if (rc == -1 || (r = s[1].result) == NULL) {
		st = taxii_db_status(&s[1], &code);
		if (st == 503)
			log_error("msg=\"taxii call failed\" rid=%s "
			    "error=\"%s\"", req->rid, s[1].err[0] ?
			    s[1].err : err);
		ret = taxii_error(req, st, code, NULL);
		goto out;
	}
	/* NULL: hidden or absent; an object's routes (the object, its
	 * versions): no such object. */
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0) ||
	    ((res.what == TAXII_OBJECT || res.what == TAXII_VERSIONS) &&
	    atoi(PQgetvalue(r, 0, 3)) == 0)) {
		ret = taxii_error(req, 404, "not_found", NULL);
		goto out;
	}
	first = c.envelope && !PQgetisnull(r, 0, 1) ? PQgetvalue(r, 0, 1) :
	    NULL;
	last = c.envelope && !PQgetisnull(r, 0, 2) ? PQgetvalue(r, 0, 2) :
	    NULL;
	ret = taxii_send(req, c.sql == TAXII_ADD_SQL ? 202 : 200,
	    PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), first, last,
	    NULL);
out:
	for (i = 0; i < (int)UTIL_ARRAY_LEN(s); i++)
		PQclear(s[i].result);
	free(body);
	return ret;
}
