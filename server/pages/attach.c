/*
 * attach.c: files attached to posts (see attach.h).  The request is
 * checked here (multipart shape, form token, limits, type by extension and
 * content); who may see or add a file is the database's decision
 * (policy/63_attachments.sql), asked with the request's identity.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "api.h"
#include "attach.h"
#include "caller.h"
#include "config.h"
#include "credential.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "multipart.h"
#include "tmpl.h"
#include "util.h"

#define ATTACH_MAX_PARTS	8	/* csrf, post, file and some slack */
#define ATTACH_MAX_HEADER	4096	/* bytes of a part's header lines */
#define ATTACH_MAX_FIELD	1024	/* bytes of a field (csrf, post) */

/* The allow-list (docs/api.md; policy/63_attachments.sql holds the same). */
static const struct {
	const char	*ext;
	const char	*type;
} attach_types[] = {
	{ "txt",	"text/plain" },
	{ "log",	"text/plain" },
	{ "csv",	"text/csv" },
	{ "json",	"application/json" },
	{ "pdf",	"application/pdf" },
	{ "png",	"image/png" },
	{ "jpg",	"image/jpeg" },
	{ "jpeg",	"image/jpeg" },
	{ "zip",	"application/zip" },
	{ "pcap",	"application/vnd.tcpdump.pcap" },
	{ "pcapng",	"application/x-pcapng" },
};

/* A download is never a page: nothing in it may run or load, even if a
 * browser were talked into rendering it. */
static const char ATTACH_CSP[] =
    "default-src 'none'; sandbox; frame-ancestors 'none'";

/* The answers of a refused upload: stable code -> HTTP status.  The codes
 * of council.attach_file are among them. */
static const struct {
	const char	*code;
	unsigned	 status;
} attach_errors[] = {
	{ "invalid_multipart",		400 },
	{ "not_signed_in",		401 },
	{ "invalid_form_token",		403 },
	{ "only_the_giver_attaches",	403 },
	{ "member_restricted",		403 },
	{ "post_not_found",		404 },
	{ "attachment_too_large",	413 },
	{ "attachment_missing",		422 },
	{ "attachment_empty",		422 },
	{ "attachment_name_invalid",	422 },
	{ "attachment_type_not_allowed", 422 },
	{ "too_many_attachments",	422 },
};

/* Pure helpers. ------------------------------------------------------------- */

static int
attach_starts(const unsigned char *d, size_t len, const char *sig, size_t n)
{
	return len >= n && memcmp(d, sig, n) == 0;
}

const char *
attach_type(const char *name, const void *data, size_t len)
{
	const unsigned char	*d = data;
	const char		*dot = strrchr(name, '.'), *type = NULL;
	size_t			 i;

	if (dot == NULL || len == 0)
		return NULL;
	for (i = 0; i < UTIL_ARRAY_LEN(attach_types); i++)
		if (strcasecmp(dot + 1, attach_types[i].ext) == 0) {
			type = attach_types[i].type;
			break;
		}
	if (type == NULL)
		return NULL;
	if (strcmp(type, "application/pdf") == 0)
		return attach_starts(d, len, "%PDF-", 5) ? type : NULL;
	if (strcmp(type, "image/png") == 0)
		return attach_starts(d, len, "\x89PNG\r\n\x1a\n", 8) ? type : NULL;
	if (strcmp(type, "image/jpeg") == 0)
		return attach_starts(d, len, "\xff\xd8\xff", 3) ? type : NULL;
	if (strcmp(type, "application/zip") == 0)
		return attach_starts(d, len, "PK\x03\x04", 4) ||
		    attach_starts(d, len, "PK\x05\x06", 4) ? type : NULL;
	if (strcmp(type, "application/vnd.tcpdump.pcap") == 0)
		return attach_starts(d, len, "\xa1\xb2\xc3\xd4", 4) ||
		    attach_starts(d, len, "\xd4\xc3\xb2\xa1", 4) ||
		    attach_starts(d, len, "\xa1\xb2\x3c\x4d", 4) ||
		    attach_starts(d, len, "\x4d\x3c\xb2\xa1", 4) ? type : NULL;
	if (strcmp(type, "application/x-pcapng") == 0)
		return attach_starts(d, len, "\x0a\x0d\x0d\x0a", 4) ? type : NULL;
	/* Text: no control character but the white space of text files. */
	for (i = 0; i < len; i++)
		if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' &&
		    d[i] != '\r' && (d[i] != '\f' || strcmp(type,
		    "application/json") == 0))
			return NULL;
	if (strcmp(type, "application/json") == 0) {
		/* The database checks the syntax (json input). */
		for (i = 0; i < len && (d[i] == ' ' || d[i] == '\t' ||
		    d[i] == '\n' || d[i] == '\r'); i++)
			;
		if (i == len || (d[i] != '{' && d[i] != '[') ||
		    !util_utf8_valid(data, len))
			return NULL;
	}
	return type;
}

/* Characters a stored name never holds: controls, bidirectional and
 * invisible format characters, and what file systems refuse. */
static int
attach_bad_char(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x2069) || c == 0xfeff ||
	    (c < 0x80 && strchr("\"*:<>?|", (int)c) != NULL);
}

int
attach_name_clean(const char *in, char *out, size_t outlen)
{
	const unsigned char	*p, *base = (const unsigned char *)in;
	const unsigned char	*stop = base + strlen(in);
	size_t			 n, o = 0, start, end, chars = 0, i;
	uint32_t		 cp;

	if (outlen < strlen(in) + 1 || !util_utf8_valid(in, strlen(in)))
		return -1;
	for (p = base; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	/* valid UTF-8 (checked above): n is never 0 */
	for (p = base; *p != '\0'; p += n) {
		n = util_utf8_char(p, (size_t)(stop - p), &cp);
		if (attach_bad_char(cp))
			out[o++] = '_';
		else {
			memcpy(out + o, p, n);
			o += n;
		}
	}
	out[o] = '\0';
	start = strspn(out, ". ");
	for (end = o; end > start && (out[end - 1] == '.' ||
	    out[end - 1] == ' '); end--)
		;
	memmove(out, out + start, end - start);
	out[end - start] = '\0';
	for (i = 0; out[i] != '\0'; i++)
		if (((unsigned char)out[i] & 0xc0) != 0x80)
			chars++;
	if (chars == 0 || chars > ATTACH_MAX_NAME) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

void
attach_disposition(const char *name, struct buf *out)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			 c[3];

	/* The fallback: ASCII, one '_' for each other character and for
	 * what a quoted string or a browser's decoding would change. */
	buf_puts(out, "attachment; filename=\"");
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p >= 0x80) {
			if ((*p & 0xc0) != 0x80)
				buf_append(out, "_", 1);
		} else if (*p < 0x20 || *p == 0x7f || *p == '"' ||
		    *p == '\\' || *p == '%')
			buf_append(out, "_", 1);
		else
			buf_append(out, p, 1);
	}
	buf_puts(out, "\"; filename*=UTF-8''");
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p) != NULL)
			buf_append(out, p, 1);
		else {
			c[0] = '%';
			c[1] = hex[*p >> 4];
			c[2] = hex[*p & 15];
			buf_append(out, c, 3);
		}
	}
}

/* A size for people: "512 B", "12.3 KiB", "4.0 MiB". */
static void
attach_size_text(long long n, char *out, size_t outlen)
{
	if (n < 1024)
		snprintf(out, outlen, "%lld B", n);
	else if (n < 1024 * 1024)
		snprintf(out, outlen, "%.1f KiB", (double)n / 1024.0);
	else
		snprintf(out, outlen, "%.1f MiB", (double)n / 1048576.0);
}

/* The configured file limit, for people: "10 MiB". */
static void
attach_limit_text(struct http_req *req, char *out, size_t outlen)
{
	long	n = req->srv->cfg->attachment_max_size;

	if (n % (1024 * 1024) == 0)
		snprintf(out, outlen, "%ld MiB", n / (1024 * 1024));
	else if (n % 1024 == 0)
		snprintf(out, outlen, "%ld KiB", n / 1024);
	else
		snprintf(out, outlen, "%ld B", n);
}

static unsigned
attach_status(const char *code)
{
	size_t	i;

	for (i = 0; i < UTIL_ARRAY_LEN(attach_errors); i++)
		if (strcmp(attach_errors[i].code, code) == 0)
			return attach_errors[i].status;
	return 503;
}

/* 1 when s[0..n) (not NUL-terminated) is a positive id of at most 18
 * digits. */
static int
attach_is_id(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > 18 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Upload. ---------------------------------------------------------------------- */

/* What an upload carried, once checked. */
struct attach_in {
	struct multipart		*m;
	char				 post[24];	/* "" until known */
	char				 name[MULTIPART_MAX_FILENAME + 1];
	const char			*type;
	const struct multipart_part	*file;
};

/*
 * Read and check an upload into in.  Returns NULL, or the stable code of
 * the refusal (attach_errors).  Nothing has been stored either way.
 */
static const char *
attach_receive(struct http_req *req, struct attach_in *in)
{
	struct multipart_limits		 lim;
	const struct multipart_part	*post;
	char				 boundary[MULTIPART_MAX_BOUNDARY + 1];
	char				 err[256];
	int				 rc;

	if (multipart_boundary(http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE),
	    boundary, sizeof(boundary)) == -1)
		return "invalid_multipart";
	lim.max_parts = ATTACH_MAX_PARTS;
	lim.max_header = ATTACH_MAX_HEADER;
	lim.max_field = ATTACH_MAX_FIELD;
	lim.max_file = (size_t)req->srv->cfg->attachment_max_size;
	lim.max_total = req->body_limit;
	rc = multipart_parse(in->m, req->body.data, req->body.len, boundary,
	    &lim, err, sizeof(err));
	if (rc != MULTIPART_OK) {
		log_info("msg=\"upload refused\" rid=%s reason=\"%s\"", req->rid,
		    err);
		return rc == MULTIPART_TOO_LARGE ? "attachment_too_large" :
		    "invalid_multipart";
	}
	/* A browser's form proves its origin with the form token; a bearer
	 * token is not sent by browsers on their own (credential.h). */
	if (!req->bearer && !credential_csrf_multipart_ok(req, in->m))
		return "invalid_form_token";
	post = multipart_get(in->m, "post");
	if (post == NULL || post->is_file || !attach_is_id(post->data,
	    post->len))
		return "post_not_found";	/* as a hidden or absent post */
	memcpy(in->post, post->data, post->len);
	in->post[post->len] = '\0';
	in->file = multipart_get(in->m, "file");
	if (in->file == NULL || !in->file->is_file ||
	    in->file->filename[0] == '\0')
		return "attachment_missing";
	if (in->file->len == 0)
		return "attachment_empty";
	if (attach_name_clean(in->file->filename, in->name,
	    sizeof(in->name)) == -1)
		return "attachment_name_invalid";
	if ((in->type = attach_type(in->name, in->file->data,
	    in->file->len)) == NULL)
		return "attachment_type_not_allowed";
	return NULL;
}

/*
 * council.attach_file with the checked upload; sql selects what the
 * caller answers with.  Returns the result, or NULL with the stable code
 * (or another error) in err.
 */
static PGresult *
attach_store(struct http_req *req, const struct attach_in *in,
    const char *sql, char *err, size_t errlen)
{
	struct db_ident	 id = { req->session_hash, req->rid, &req->db_trips };
	const char	*params[4];
	int		 lengths[4] = { 0, 0, 0, 0 }, formats[4] = { 0, 0, 0, 1 };

	params[0] = in->post;
	params[1] = in->name;
	params[2] = in->type;
	params[3] = in->file->data;
	lengths[3] = (int)in->file->len;
	return db_run_bin(req->srv->db, req->srv->cfg->db_acquire_timeout_ms,
	    &id, sql, 4, params, lengths, formats, 0, NULL, err, errlen);
}

/* The page of a refused upload: the reason in the person's language and
 * the way back to the post. */
static enum MHD_Result
attach_refused_page(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *code, const char *post)
{
	struct tmpl_vars	*vars = tmpl_vars_new();
	char			 key[300], limit[32];
	enum MHD_Result		 ret;

	caller_frame(req, vars, me);
	snprintf(key, sizeof(key), "attach.error.%s", code);
	tmpl_vars_set(vars, "error", http_text(req, key));
	if (status == 413) {
		attach_limit_text(req, limit, sizeof(limit));
		tmpl_vars_set(vars, "limit", limit);
	}
	if (post != NULL && *post != '\0')
		tmpl_vars_setf(vars, "back_href", "/posts/%s", post);
	ret = http_page(req, status, "attach.xhtml", vars);
	tmpl_vars_free(vars);
	return ret;
}

/*
 * POST /attachments: 303 back to the post; a refusal changes nothing and
 * is answered in the person's language (a hidden post as an absent one).
 */
enum MHD_Result
attach_upload(struct http_req *req)
{
	struct caller_me	 me;
	struct attach_in	 in;
	PGresult		*r = NULL;
	const char		*code;
	char			 err[256], loc[48];
	unsigned		 status;
	enum MHD_Result		 ret;

	memset(&in, 0, sizeof(in));
	in.m = xcalloc(1, sizeof(*in.m));
	if (!caller_require(req, &me, &ret))
		goto out;
	if ((code = attach_receive(req, &in)) == NULL) {
		r = attach_store(req, &in, "SELECT council.attach_file("
		    "$1::bigint, $2, $3, $4::bytea)", err, sizeof(err));
		if (r != NULL) {
			snprintf(loc, sizeof(loc), "/posts/%s", in.post);
			ret = http_redirect_done(req, loc, "attach.saved");
			goto out;
		}
		code = err;
	}
	status = attach_status(code);
	if (status == 503)
		log_error("msg=\"upload failed\" rid=%s error=\"%s\"", req->rid,
		    code);
	switch (status) {
	case 401:
		ret = http_redirect(req, "/signin");
		break;
	case 400:
	case 404:
	case 503:
		ret = http_error(req, status, NULL);
		break;
	default:
		if (strcmp(code, "invalid_form_token") == 0)
			ret = http_error(req, 403, NULL);
		else
			ret = attach_refused_page(req, &me, status, code,
			    in.post);
		break;
	}
out:
	PQclear(r);
	free(in.m);
	return ret;
}

/* POST /api/v1/attachments: 201 with the stored file's description. */
enum MHD_Result
attach_api_upload(struct http_req *req)
{
	struct attach_in	 in;
	PGresult		*r = NULL;
	const char		*code;
	char			 err[256];
	unsigned		 status;
	enum MHD_Result		 ret;

	memset(&in, 0, sizeof(in));
	in.m = xcalloc(1, sizeof(*in.m));
	if (req->session_hash[0] == '\0') {
		ret = api_error(req, 401, "not_signed_in");
		goto out;
	}
	if ((code = attach_receive(req, &in)) == NULL) {
		r = attach_store(req, &in, "SELECT json_build_object("
		    "'id', x.id, 'post_id', $1::bigint, 'filename', $2::text, "
		    "'media_type', $3::text, 'size', length($4::bytea), "
		    "'sha256', encode(sha256($4::bytea), 'hex'), "
		    "'href', '/api/v1/attachments/' || x.id)::text "
		    "FROM (SELECT council.attach_file($1::bigint, $2, $3, "
		    "$4::bytea) AS id) x", err, sizeof(err));
		if (r != NULL) {
			ret = http_json(req, 201, PQgetvalue(r, 0, 0),
			    (size_t)PQgetlength(r, 0, 0));
			goto out;
		}
		code = err;
	}
	if ((status = attach_status(code)) == 503) {
		log_error("msg=\"upload failed\" rid=%s error=\"%s\"", req->rid,
		    code);
		code = "unavailable";
	}
	ret = api_error(req, status, code);
out:
	PQclear(r);
	free(in.m);
	return ret;
}

/* Download. -------------------------------------------------------------------- */

static void
attach_result_free(void *cls)
{
	PQclear(cls);
}

/*
 * The file with id n as the caller may see it (binary result: no hex).
 * A file of a post the caller cannot see has no row, as an absent one.
 * Columns: signed in (bool), filename, media_type, content.
 */
static const char ATTACH_GET_SQL[] =
    "SELECT EXISTS (SELECT 1 FROM council.me), a.filename, a.media_type, "
    "a.content FROM (SELECT 1) x "
    "LEFT JOIN council.attachments a ON a.id = $1::bigint";

/*
 * Answer GET /attachments/N (api 0) or /api/v1/attachments/N (api 1).
 * The bytes go out from the database's result, not copied again.
 */
static enum MHD_Result
attach_serve(struct http_req *req, int api)
{
	struct db_ident		 ident = { req->session_hash, req->rid, &req->db_trips };
	struct MHD_Response	*resp;
	struct buf		 disp;
	PGresult		*r = NULL;
	const char		*params[1], *type, *stored;
	char			 err[256], id[24];
	size_t			 i, len;
	enum MHD_Result		 ret;

	buf_init(&disp);
	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = id;
	r = db_run_bin(req->srv->db, req->srv->cfg->db_acquire_timeout_ms,
	    &ident, ATTACH_GET_SQL, 1, params, NULL, NULL, 1, NULL, err,
	    sizeof(err));
	if (r == NULL) {
		log_error("msg=\"download failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = api ? api_error(req, 503, "unavailable") :
		    http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(r) != 1 || PQgetlength(r, 0, 0) != 1 ||
	    PQgetvalue(r, 0, 0)[0] != 1) {
		ret = api ? api_error(req, 401, "not_signed_in") :
		    http_redirect(req, "/signin");
		goto out;
	}
	if (PQgetisnull(r, 0, 3)) {
		ret = api ? api_error(req, 404, "attachment_not_found") :
		    http_error(req, 404, NULL);
		goto out;
	}
	/* The stored type if it is one of ours (the table allows only
	 * those), else bytes. */
	stored = PQgetvalue(r, 0, 2);
	type = "application/octet-stream";
	for (i = 0; i < UTIL_ARRAY_LEN(attach_types); i++)
		if (strcmp(stored, attach_types[i].type) == 0)
			type = attach_types[i].type;
	attach_disposition(PQgetvalue(r, 0, 1), &disp);
	len = (size_t)PQgetlength(r, 0, 3);
	resp = MHD_create_response_from_buffer_with_free_callback_cls(len,
	    PQgetvalue(r, 0, 3), attach_result_free, r);
	if (resp == NULL) {
		ret = MHD_NO;
		goto out;
	}
	r = NULL;	/* the response frees it */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "Content-Disposition", disp.data);
	MHD_add_response_header(resp, "Content-Security-Policy", ATTACH_CSP);
	ret = http_send_response(req, 200, resp, len, "private, no-store");
out:
	buf_free(&disp);
	PQclear(r);
	return ret;
}

enum MHD_Result
attach_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return attach_serve(req, 0);
}

enum MHD_Result
attach_api_get(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return attach_serve(req, 1);
}

/* The post page's section. --------------------------------------------------- */

/* Whether the caller's organisation wrote the post (R-SCOPE-1: it alone
 * adds files), the limit per post, then one row per file (none: one row
 * of NULLs). */
static const char ATTACH_LIST_SQL[] =
    "SELECT coalesce((SELECT council.post_author_org($1::bigint) = m.org_id "
    "FROM council.me m), false), council.attachment_max_per_post(), "
    "a.id, a.filename, a.size, encode(a.sha256, 'hex') "
    "FROM (SELECT 1) x LEFT JOIN council.attachments a "
    "ON a.post_id = $1::bigint ORDER BY a.id";

void
attach_post_vars(struct http_req *req, long long post_id,
    struct tmpl_vars *vars, const char *note, const struct form *sent)
{
	struct tmpl_vars	*item;
	PGresult		*r;
	const char		*params[1];
	char			 err[256], id[24], size[32], limit[32];
	int			 i, nfiles = 0, may;

	(void)note;
	(void)sent;

	snprintf(id, sizeof(id), "%lld", post_id);
	params[0] = id;
	if ((r = caller_db(req, ATTACH_LIST_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"attachments failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return;
	}
	may = PQntuples(r) > 0 && *PQgetvalue(r, 0, 0) == 't';
	for (i = 0; i < PQntuples(r); i++) {
		if (PQgetisnull(r, i, 2))
			continue;
		item = tmpl_vars_add_item(vars, "attachments");
		tmpl_vars_setf(item, "href", "/attachments/%s",
		    PQgetvalue(r, i, 2));
		tmpl_vars_set(item, "filename", PQgetvalue(r, i, 3));
		attach_size_text(strtoll(PQgetvalue(r, i, 4), NULL, 10), size,
		    sizeof(size));
		tmpl_vars_set(item, "size", size);
		tmpl_vars_set(item, "sha256", PQgetvalue(r, i, 5));
		nfiles++;
	}
	if (nfiles > 0 || may)
		tmpl_vars_set(vars, "attach_section", "1");
	if (may && nfiles < atoi(PQgetvalue(r, 0, 1))) {
		tmpl_vars_set(vars, "attach_form", "1");
		attach_limit_text(req, limit, sizeof(limit));
		tmpl_vars_set(vars, "attach_limit", limit);
	} else if (may)
		tmpl_vars_set(vars, "attach_full", "1");
	PQclear(r);
}
