/*
 * documents.c: the council's texts, pages and API (see documents.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "diff.h"
#include "documents.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "tmpl.h"

#define DOCUMENTS_SLUG_MAX	63
#define DOCUMENTS_VERSION_MAX	999999L
#define DOCUMENTS_CONTEXT	3	/* unchanged lines shown around a change */

int
documents_slug_ok(const char *slug)
{
	size_t	n = 0;

	/* [a-z0-9][a-z0-9-]{1,62}, as documents.slug's CHECK */
	while ((islower((unsigned char)slug[n]) || isdigit((unsigned char)slug[n]) ||
	    (slug[n] == '-' && n > 0)) && n <= DOCUMENTS_SLUG_MAX)
		n++;
	return n >= 2 && n <= DOCUMENTS_SLUG_MAX && slug[n] == '\0';
}

/* Who made a version, in words: vars "adopted" (and "note"). */
static void
documents_adopter(struct http_req *req, struct tmpl_vars *vars,
    const PGresult *r, int row, int col)
{
	/* columns: adopted_by, adopted_by_motion, adopted_by_tf, note */
	if (!PQgetisnull(r, row, col))
		tmpl_vars_setf(vars, "adopted", "%s #%s",
		    http_text(req, "documents.adopted.assembly"),
		    PQgetvalue(r, row, col));
	else if (!PQgetisnull(r, row, col + 1))
		tmpl_vars_setf(vars, "adopted", "%s #%s",
		    http_text(req, "documents.adopted.committee"),
		    PQgetvalue(r, row, col + 1));
	else if (!PQgetisnull(r, row, col + 2))
		tmpl_vars_setf(vars, "adopted", "%s #%s",
		    http_text(req, "documents.adopted.task_force"),
		    PQgetvalue(r, row, col + 2));
	else
		tmpl_vars_set(vars, "adopted", http_text(req,
		    "documents.adopted.none"));
	if (*PQgetvalue(r, row, col + 3) != '\0')
		tmpl_vars_set(vars, "note", PQgetvalue(r, row, col + 3));
}

/* GET /documents: every document, its owner and the version in force. */
enum MHD_Result
documents_list(struct http_req *req)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL;
	char			 err[256];
	int			 i, who, en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

	if ((who = caller_identify(req, &me)) < 0) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	r = caller_db(req, "SELECT d.slug, d.title_ja, d.title_en, "
	    "d.owner::text, v.version, to_char(v.effective_from AT TIME ZONE "
	    "'Asia/Tokyo', 'YYYY-MM-DD') FROM council.documents d "
	    "JOIN LATERAL (SELECT x.version, x.effective_from FROM "
	    "council.document_versions x WHERE x.document_id = d.id "
	    "ORDER BY x.version DESC LIMIT 1) v ON true "
	    "ORDER BY d.id", 0, NULL, err,
	    sizeof(err));
	if (r == NULL) {
		log_error("msg=\"documents failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	if (who == 1)
		caller_frame(req, vars, &me);
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "documents");
		tmpl_vars_setf(item, "href", DOCUMENTS_PREFIX "%s",
		    PQgetvalue(r, i, 0));
		tmpl_vars_set(item, "title", PQgetvalue(r, i, en ? 2 : 1));
		tmpl_vars_set(item, "owner", http_text_of(req, "documents.owner",
		    PQgetvalue(r, i, 3), NULL));
		tmpl_vars_set(item, "version", PQgetvalue(r, i, 4));
		tmpl_vars_set(item, "date", PQgetvalue(r, i, 5));
	}
	ret = http_page(req, 200, "documents.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

/* The line diff of from -> to as the list "diff" of {kind, sign, text}:
 * changed lines with DOCUMENTS_CONTEXT unchanged lines around them, and a
 * "gap" item saying how many unchanged lines are left out between. */
static void
documents_diff(struct http_req *req, struct tmpl_vars *vars, const char *from,
    const char *to)
{
	struct diff_line	*l;
	struct tmpl_vars	*item;
	size_t			 n, i, k, gap = 0;
	int			 near;

	if (diff_lines(from, to, &l, &n) == -1) {
		tmpl_vars_set(vars, "diff_too_large", "1");
		return;
	}
	for (i = 0; i < n; i++) {
		near = l[i].op != DIFF_SAME;
		for (k = 1; !near && k <= DOCUMENTS_CONTEXT; k++)
			near = (i >= k && l[i - k].op != DIFF_SAME) ||
			    (i + k < n && l[i + k].op != DIFF_SAME);
		if (!near) {
			gap++;
			continue;
		}
		if (gap > 0) {
			item = tmpl_vars_add_item(vars, "diff");
			tmpl_vars_set(item, "kind", "diff__gap");
			tmpl_vars_set(item, "sign", " ");
			tmpl_vars_setf(item, "text", "%s %zu", http_text(req,
			    "documents.unchanged_lines"), gap);
			gap = 0;
		}
		item = tmpl_vars_add_item(vars, "diff");
		tmpl_vars_set(item, "kind", l[i].op == DIFF_ADD ? "diff__add" :
		    l[i].op == DIFF_DEL ? "diff__del" : "diff__same");
		tmpl_vars_set(item, "sign", l[i].op == DIFF_ADD ? "+" :
		    l[i].op == DIFF_DEL ? "-" : " ");
		tmpl_vars_set(item, "text", l[i].text);
	}
	if (gap > 0) {
		item = tmpl_vars_add_item(vars, "diff");
		tmpl_vars_set(item, "kind", "diff__gap");
		tmpl_vars_set(item, "sign", " ");
		tmpl_vars_setf(item, "text", "%s %zu", http_text(req,
		    "documents.unchanged_lines"), gap);
	}
	diff_free(l, n);
}

/*
 * GET /documents/SLUG[/N]: version N (default: the one in force) with who
 * adopted it, the diff against the version before, and every version.
 */
enum MHD_Result
documents_page(struct http_req *req)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL, *h = NULL;
	const char		*params[2], *slug = req->key;
	char			 err[256], ver[24];
	long			 v;
	int			 i, who, en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

	/* The route's {key} is the slug, its {id} a version (0: none,
	 * documents_version makes sure a version segment held one). */
	if (!documents_slug_ok(req->key) || req->id > DOCUMENTS_VERSION_MAX)
		return http_error(req, 404, NULL);
	v = (long)req->id;
	if ((who = caller_identify(req, &me)) < 0) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	snprintf(ver, sizeof(ver), "%ld", v);
	params[0] = slug;
	params[1] = ver;
	r = caller_db(req, "SELECT d.title_ja, d.title_en, d.owner::text, "
	    "v.version, v.body, to_char(v.effective_from AT TIME ZONE "
	    "'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), v.adopted_by, "
	    "v.adopted_by_motion, v.adopted_by_tf, v.note, p.body, d.id "
	    "FROM council.documents d JOIN council.document_versions v "
	    "ON v.document_id = d.id LEFT JOIN council.document_versions p "
	    "ON p.document_id = d.id AND p.version = v.version - 1 "
	    "WHERE d.slug = $1 AND v.version = CASE WHEN $2::integer > 0 "
	    "THEN $2::integer ELSE (SELECT max(x.version) FROM "
	    "council.document_versions x WHERE x.document_id = d.id) END",
	    2, params, err, sizeof(err));
	if (r != NULL && PQntuples(r) == 1) {
		params[0] = PQgetvalue(r, 0, 11);
		h = caller_db(req, "SELECT version, to_char(effective_from AT "
		    "TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), adopted_by, "
		    "adopted_by_motion, adopted_by_tf, note FROM council.document_versions "
		    "WHERE document_id = $1::bigint ORDER BY version DESC",
		    1, params, err, sizeof(err));
	}
	if (r == NULL || (PQntuples(r) == 1 && h == NULL)) {
		log_error("msg=\"document failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(r) != 1) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	if (who == 1)
		caller_frame(req, vars, &me);
	tmpl_vars_set(vars, "title", PQgetvalue(r, 0, en ? 1 : 0));
	tmpl_vars_set(vars, "owner", http_text_of(req, "documents.owner",
	    PQgetvalue(r, 0, 2), NULL));
	tmpl_vars_set(vars, "version", PQgetvalue(r, 0, 3));
	tmpl_vars_set(vars, "text", PQgetvalue(r, 0, 4));
	tmpl_vars_set(vars, "date", PQgetvalue(r, 0, 5));
	documents_adopter(req, vars, r, 0, 6);
	if (!PQgetisnull(r, 0, 10)) {
		tmpl_vars_setf(vars, "previous", "%ld",
		    atol(PQgetvalue(r, 0, 3)) - 1);
		documents_diff(req, vars, PQgetvalue(r, 0, 10),
		    PQgetvalue(r, 0, 4));
	}
	for (i = 0; i < PQntuples(h); i++) {
		item = tmpl_vars_add_item(vars, "versions");
		tmpl_vars_setf(item, "href", DOCUMENTS_PREFIX "%s/%s", slug,
		    PQgetvalue(h, i, 0));
		tmpl_vars_set(item, "version", PQgetvalue(h, i, 0));
		tmpl_vars_set(item, "date", PQgetvalue(h, i, 1));
		documents_adopter(req, item, h, i, 2);
		if (strcmp(PQgetvalue(h, i, 0), PQgetvalue(r, 0, 3)) == 0)
			tmpl_vars_set(item, "current", "page");
	}
	ret = http_page(req, 200, "document.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(h);
	PQclear(r);
	return ret;
}

enum MHD_Result
documents_api_list(struct http_req *req)
{
	return api_json_query(req, "SELECT json_build_object('documents', "
	    "coalesce(json_agg(json_build_object('slug', d.slug, 'title_ja', "
	    "d.title_ja, 'title_en', d.title_en, 'owner', d.owner, 'version', "
	    "(SELECT max(v.version) FROM council.document_versions v WHERE "
	    "v.document_id = d.id)) ORDER BY d.id), '[]'))::text "
	    "FROM council.documents d", 0, NULL);
}

enum MHD_Result
documents_version(struct http_req *req)
{
	if (req->id == 0)	/* a version that is no number */
		return http_error(req, 404, NULL);
	return documents_page(req);
}

/* GET /api/v1/documents/SLUG: the document and every version's text. */
enum MHD_Result
documents_api_get(struct http_req *req)
{
	PGresult	*r;
	const char	*params[1];
	char		 err[256];
	enum MHD_Result	 ret;

	if (!documents_slug_ok(req->key))
		return api_error(req, 404, "not_found");
	params[0] = req->key;
	r = caller_db(req, "SELECT json_build_object('slug', d.slug, "
	    "'title_ja', d.title_ja, 'title_en', d.title_en, 'owner', d.owner, "
	    "'versions', (SELECT json_agg(json_build_object('version', "
	    "v.version, 'effective_from', v.effective_from, 'adopted_by_item', "
	    "v.adopted_by, 'adopted_by_motion', v.adopted_by_motion, "
	    "'adopted_by_tf', v.adopted_by_tf, 'note', "
	    "v.note, 'body', v.body) ORDER BY v.version) FROM "
	    "council.document_versions v WHERE v.document_id = d.id))::text "
	    "FROM council.documents d WHERE d.slug = $1", 1, params, err,
	    sizeof(err));
	if (r == NULL) {
		log_error("msg=\"document failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return api_error(req, 503, "unavailable");
	}
	if (PQntuples(r) != 1)
		ret = api_error(req, 404, "not_found");
	else
		ret = http_json(req, 200, PQgetvalue(r, 0, 0),
		    (size_t)PQgetlength(r, 0, 0));
	PQclear(r);
	return ret;
}
