/*
 * vuln.c: vulnerability matching on the portal (see vuln.h): the list of
 * the matches the caller sees, each with its advisory, asset and, for the
 * owner, the warning post, on /advisories and in the API.  Importing is
 * the page's file upload (the coordinator) or POST /api/v1/advisories,
 * both the JSON API's call council.api_advisory; the warnings are posts.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "credential.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "multipart.h"
#include "tmpl.h"
#include "util.h"
#include "vuln.h"

/* GET /api/v1/advisories (R-NEW-4): council.advisory_matches_for_me (an
 * empty list for anyone who sees no asset). */
enum MHD_Result
vuln_api_matches(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req,
	    "SELECT council.advisory_matches_for_me()::text WHERE "
	    "council.current_person_id() IS NOT NULL", 0, NULL);
}

/* The largest document the page takes (as council.vuln_import). */
#define VULN_DOC_MAX		1000000
#define VULN_MAX_PARTS		4	/* csrf, file and some slack */
#define VULN_MAX_HEADER		4096
#define VULN_MAX_FIELD		1024

/* Who sees the page (an operator's handler, one who oversees the
 * registry) and who imports (the coordinator, council.vuln_may_import). */
static const char VULN_WHO_SQL[] =
    "SELECT council.asset_may_register() OR council.asset_oversees(), "
    "council.vuln_may_import()";

/* The matches the caller sees (council.advisory_matches_for_me), with the
 * operator's name in the language $1. */
static const char VULN_MATCHES_SQL[] =
    "SELECT m->>'source', m->>'advisory', m->>'title', m->>'asset_name', "
    "CASE WHEN $1 = 'en' THEN o.name_en ELSE o.name_ja END, m->>'cpe', "
    "coalesce(m->>'post', '') "
    "FROM json_array_elements(council.advisory_matches_for_me()->'matches') m "
    "LEFT JOIN council.organisations o ON o.id = (m->>'org')::bigint";

/*
 * The page: 404 for one who neither registers nor oversees assets (as
 * /assets: nobody else counts anything); the import form for the
 * coordinator; error (a refused import's words) above it.
 */
static enum MHD_Result
vuln_page_render(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *error)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*w = NULL, *r = NULL;
	const char		*params[1];
	char			 err[256];
	int			 i;
	enum MHD_Result		 ret;

	params[0] = req->lang == I18N_EN ? "en" : "ja";
	if ((w = caller_db(req, VULN_WHO_SQL, 0, NULL, err,
	    sizeof(err))) == NULL || (r = caller_db(req, VULN_MATCHES_SQL, 1,
	    params, err, sizeof(err))) == NULL) {
		log_error("msg=\"advisories failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (*PQgetvalue(w, 0, 0) != 't') {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (*PQgetvalue(w, 0, 1) == 't')
		tmpl_vars_set(vars, "may_import", "1");
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	for (i = 0; i < PQntuples(r); i++) {
		it = tmpl_vars_add_item(vars, "matches");
		tmpl_vars_setf(it, "advisory", "%s %s",
		    strcmp(PQgetvalue(r, i, 0), "csaf") == 0 ? "CSAF" : "NVD",
		    PQgetvalue(r, i, 1));
		tmpl_vars_set(it, "title", PQgetvalue(r, i, 2));
		tmpl_vars_set(it, "asset", PQgetvalue(r, i, 3));
		tmpl_vars_set(it, "org", PQgetvalue(r, i, 4));
		tmpl_vars_set(it, "cpe", PQgetvalue(r, i, 5));
		if (*PQgetvalue(r, i, 6) != '\0')
			tmpl_vars_setf(it, "href", "/posts/%s",
			    PQgetvalue(r, i, 6));
	}
	ret = http_page(req, status, "advisories.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(w);
	PQclear(r);
	return ret;
}

enum MHD_Result
vuln_page(struct http_req *req)
{
	struct caller_me	 me;
	enum MHD_Result		 ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return vuln_page_render(req, &me, 200, NULL);
}

/*
 * The uploaded document of m as a NUL-terminated string to free, or NULL
 * with the refusal's code in *code.
 */
static char *
vuln_document(const struct multipart *m, const char **code)
{
	const struct multipart_part	*f = multipart_get(m, "file");
	char				*doc;

	if (f == NULL || !f->is_file || f->len == 0) {
		*code = "document_missing";
		return NULL;
	}
	if (f->len > VULN_DOC_MAX) {
		*code = "document_too_large";
		return NULL;
	}
	if (memchr(f->data, '\0', f->len) != NULL) {
		*code = "invalid_json";
		return NULL;
	}
	doc = xmalloc(f->len + 1);
	memcpy(doc, f->data, f->len);
	doc[f->len] = '\0';
	return doc;
}

/*
 * POST /advisories (multipart: csrf, file): the coordinator imports an
 * NVD CVE API 2.0 answer or a CSAF 2.0 advisory from a file, through the
 * JSON API's own call (council.api_advisory), so that both refuse alike;
 * then back to the page, which lists the matches.
 */
enum MHD_Result
vuln_upload(struct http_req *req)
{
	struct caller_me		 me;
	struct multipart		*m;
	struct multipart_limits		 lim;
	char				 err[256];
	const char			*params[1], *code = NULL;
	char				*doc = NULL;
	PGresult			*r = NULL;
	unsigned			 st;
	enum MHD_Result			 ret;

	m = xcalloc(1, sizeof(*m));
	if (!caller_require(req, &me, &ret))
		goto out;
	lim.max_parts = VULN_MAX_PARTS;
	lim.max_header = VULN_MAX_HEADER;
	lim.max_field = VULN_MAX_FIELD;
	if (!caller_multipart(req, m, &lim, "advisory", &ret))
		goto out;
	if ((doc = vuln_document(m, &code)) != NULL) {
		params[0] = doc;
		if ((r = caller_db(req, "SELECT status, body::json->>'error' "
		    "FROM council.api_advisory($1)", 1, params, err,
		    sizeof(err))) == NULL) {
			log_error("msg=\"advisory import failed\" rid=%s "
			    "error=\"%s\"", req->rid, err);
			ret = http_error(req, 503, NULL);
			goto out;
		}
		st = (unsigned)atoi(PQgetvalue(r, 0, 0));
		if (st == 403 || st == 401) {
			ret = http_error(req, 403, NULL);
			goto out;
		}
		if (st < 300) {
			ret = http_redirect_done(req, "/advisories",
			    "vuln.imported");
			goto out;
		}
		code = PQgetvalue(r, 0, 1);
	}
	ret = vuln_page_render(req, &me, 422, http_text_of(req, "vuln.error",
	    code, "vuln.error.invalid"));
out:
	PQclear(r);
	free(doc);
	free(m);
	return ret;
}
