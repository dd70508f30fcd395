/*
 * misp.c: MISP in and out on the portal (see misp.h).  Export: the post
 * page's link to /posts/N/misp.json (a file to download) and GET
 * /api/v1/posts/N/misp, both council.misp_event under the caller's
 * row-level security, so that a post the caller may not read answers
 * exactly as an absent one.  Import: the upload form of /misp/import and
 * POST /api/v1/misp/import, both council.misp_draft, which stores
 * nothing: the page shows the composer prefilled (compose.c), the API
 * answers the draft.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "compose.h"
#include "credential.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "misp.h"
#include "multipart.h"
#include "tmpl.h"
#include "util.h"

/* The largest event the page takes (as council.misp_limit('document')). */
#define MISP_DOC_MAX		1000000
#define MISP_MAX_PARTS		4	/* csrf, file and some slack */
#define MISP_MAX_HEADER		4096
#define MISP_MAX_FIELD		1024

/* The post page's section: only a link, so no query (the page is shown
 * only to one who reads the post). */
void
misp_post_vars(struct http_req *req, long long post_id,
    struct tmpl_vars *vars, const char *note, const struct form *sent)
{
	(void)req;
	(void)note;
	(void)sent;
	tmpl_vars_setf(vars, "misp_href", "/posts/%lld/misp.json", post_id);
}

/* The event of the route's post (row 0, column 1), or NULL with *hidden
 * 1 when the caller may not read it or it does not exist (the same
 * answer), 2 when nobody is signed in, 0 on a database error. */
static PGresult *
misp_event(struct http_req *req, int *hidden)
{
	const char	*params[1];
	char		 id[24], err[256];
	PGresult	*r;

	*hidden = 0;
	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = id;
	if ((r = caller_db(req, "SELECT EXISTS (SELECT 1 FROM council.me), "
	    "jsonb_pretty(council.misp_event($1::bigint))", 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"misp export failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return NULL;
	}
	if (*PQgetvalue(r, 0, 0) != 't' || PQgetisnull(r, 0, 1)) {
		*hidden = *PQgetvalue(r, 0, 0) == 't' ? 1 : 2;
		PQclear(r);
		return NULL;
	}
	return r;
}

/*
 * GET /posts/N/misp.json: the event as a file (Content-Disposition
 * attachment).  A post the caller may not read is the absent post's 404
 * page.
 */
enum MHD_Result
misp_export_page(struct http_req *req)
{
	struct caller_me	 me;
	struct MHD_Response	*resp;
	PGresult		*r;
	char			 disp[96];
	char			*data;
	size_t			 len;
	int			 hidden;
	enum MHD_Result		 ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	if ((r = misp_event(req, &hidden)) == NULL)
		return http_error(req, hidden ? 404 : 503, NULL);
	len = (size_t)PQgetlength(r, 0, 1);
	data = xmalloc(len + 1);
	memcpy(data, PQgetvalue(r, 0, 1), len);
	data[len++] = '\n';
	PQclear(r);
	resp = MHD_create_response_from_buffer(len, data,
	    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json; charset=utf-8");
	snprintf(disp, sizeof(disp),
	    "attachment; filename=\"council-post-%lld.misp.json\"", req->id);
	MHD_add_response_header(resp, "Content-Disposition", disp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	return http_send_response(req, 200, resp, len, "private, no-store");
}

/* GET /api/v1/posts/N/misp: the event, or 404 post_not_found exactly as
 * GET /api/v1/posts/N answers an absent post. */
enum MHD_Result
misp_api_export(struct http_req *req)
{
	PGresult	*r;
	int		 hidden;
	enum MHD_Result	 ret;

	if ((r = misp_event(req, &hidden)) == NULL)
		return hidden == 2 ? api_error(req, 401, "not_signed_in") :
		    hidden ? api_error(req, 404, "post_not_found") :
		    api_error(req, 503, "unavailable");
	ret = http_json(req, 200, PQgetvalue(r, 0, 1),
	    (size_t)PQgetlength(r, 0, 1));
	PQclear(r);
	return ret;
}

/* The upload form, with error (a refused event's words) above it. */
static enum MHD_Result
misp_import_render(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *error)
{
	struct tmpl_vars	*vars = tmpl_vars_new();
	enum MHD_Result		 ret;

	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	tmpl_vars_setf(vars, "misp_limit", "%d", MISP_DOC_MAX / 1000);
	ret = http_page(req, status, "misp_import.xhtml", vars);
	tmpl_vars_free(vars);
	return ret;
}

enum MHD_Result
misp_import_page(struct http_req *req)
{
	struct caller_me	 me;
	enum MHD_Result		 ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return misp_import_render(req, &me, 200, NULL);
}

/* Add name=value to f (copied; form_free frees them). */
static void
misp_form_add(struct form *f, const char *name, const char *value)
{
	if (f->nfields >= FORM_MAX_FIELDS)
		return;
	f->fields[f->nfields].name = xstrdup(name);
	f->fields[f->nfields].value = xstrdup(value);
	f->nfields++;
}

/*
 * POST /misp/import (multipart: csrf, file): council.misp_draft of the
 * file, then the composer prefilled with its kind, title and body and the
 * draft's note on the scope (the TLP the event carried); the member
 * chooses the scope and declares the secrecy there (R-SECRET-1).  Nothing
 * is stored.  A refused event: this page again, 422, with the reason.
 */
enum MHD_Result
misp_import_upload(struct http_req *req)
{
	struct caller_me		 me;
	struct multipart		*m;
	struct multipart_limits		 lim;
	struct form			 f;
	const struct multipart_part	*part;
	char				 err[256];
	const char			*params[2], *code = "invalid";
	char				*doc = NULL;
	PGresult			*r = NULL;
	enum MHD_Result			 ret;

	form_init(&f);
	m = xcalloc(1, sizeof(*m));
	if (!caller_require(req, &me, &ret))
		goto out;
	lim.max_parts = MISP_MAX_PARTS;
	lim.max_header = MISP_MAX_HEADER;
	lim.max_field = MISP_MAX_FIELD;
	if (!caller_multipart(req, m, &lim, "misp", &ret))
		goto out;
	part = multipart_get(m, "file");
	if (part == NULL || !part->is_file || part->len == 0)
		code = "misp_missing";
	else if (part->len > MISP_DOC_MAX)
		code = "misp_too_large";
	else if (memchr(part->data, '\0', part->len) != NULL ||
	    !util_utf8_valid(part->data, part->len))
		code = "misp_invalid_json";
	else {
		doc = xstrndup(part->data, part->len);
		params[0] = doc;
		params[1] = req->lang == I18N_EN ? "en" : "ja";
		r = caller_db(req, "SELECT d->>'kind', d->>'title', "
		    "d->>'body', d->>'scope_note' FROM "
		    "council.misp_draft($1, $2) d", 2, params, err,
		    sizeof(err));
		if (r != NULL) {
			misp_form_add(&f, "kind", PQgetvalue(r, 0, 0));
			misp_form_add(&f, "title", PQgetvalue(r, 0, 1));
			misp_form_add(&f, "body", PQgetvalue(r, 0, 2));
			ret = compose_prefilled(req, &me, &f,
			    PQgetvalue(r, 0, 3));
			goto out;
		}
		if (strncmp(err, "misp_", 5) != 0) {
			log_error("msg=\"misp import failed\" rid=%s "
			    "error=\"%s\"", req->rid, err);
			ret = http_error(req, 503, NULL);
			goto out;
		}
		code = err;
	}
	ret = misp_import_render(req, &me, 422, http_text_of(req,
	    "misp.error", code, "misp.error.invalid"));
out:
	PQclear(r);
	free(doc);
	form_free(&f);
	free(m);
	return ret;
}

/* POST /api/v1/misp/import: the event as the body (application/json);
 * 200 with the draft (policy/97_misp.sql), nothing stored. */
enum MHD_Result
misp_api_import(struct http_req *req)
{
	const char	*params[2];
	char		*body;
	enum MHD_Result	 ret;

	if (!api_body(req, &body, &ret))
		return ret;
	params[0] = body;
	params[1] = req->lang == I18N_EN ? "en" : "ja";
	ret = api_call(req, "SELECT status, body FROM "
	    "council.api_misp_import($1, $2)", 2, params);
	free(body);
	return ret;
}
