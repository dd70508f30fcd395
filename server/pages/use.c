/*
 * use.c: need to know and the uses of a post on the portal (see use.h):
 * the post page's section "uses" (the uses the caller sees: its own, and
 * every one for the post's giver and the coordinator; the need-to-know
 * statement, for the coordinator and the author's organisation; the form
 * of a Type 1 member or a mutual-aid body) and the form's answer.  The
 * form goes through the JSON API's own call, council.api_post_use, so
 * that the page and the API refuse alike (policy/93_uses.sql).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caller.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "post.h"
#include "tmpl.h"
#include "use.h"
#include "util.h"

/* The most a note may hold, in bytes (1000 characters of UTF-8). */
#define USE_NOTE_MAX	4000

/* The uses of post $1 the caller sees (RLS decides), oldest first; $2:
 * the language. */
static const char USE_LIST_SQL[] =
    "SELECT u.kind::text, CASE WHEN $2 = 'en' THEN o.name_en ELSE o.name_ja END, "
    "u.note, " CALLER_JST("u.used_at") ", u.org_id = council.current_org_id() "
    "FROM council.post_uses u JOIN council.organisations o ON o.id = u.org_id "
    "WHERE u.post_id = $1::bigint ORDER BY u.id LIMIT 500";

/* The kinds the caller may record (one a word), and the need-to-know
 * statement of post $1 when the caller reads it (RLS decides). */
static const char USE_HEAD_SQL[] =
    "SELECT array_to_string(council.post_use_kinds($1::bigint), ' '), n.reason, "
    CALLER_JST("n.created_at") ", array_to_string(n.sources, ' ') "
    "FROM (SELECT 1) x LEFT JOIN council.post_need_to_know n ON n.post_id = $1::bigint";

/* The JSON API's call: $1 post, $2 kind, $3 note. */
static const char USE_CALL_SQL[] =
    "SELECT status, body::json->>'error' FROM council.api_post_use($1::bigint, "
    "json_strip_nulls(json_build_object('kind', $2::text, 'note', $3::text))::text)";

static const char *const use_kinds[] = { "customer_protection",
    "constituent_relay" };

void
use_post_vars(struct http_req *req, long long post_id, struct tmpl_vars *vars,
    const char *note, const struct form *sent)
{
	struct tmpl_vars	*it;
	PGresult		*l = NULL, *h = NULL;
	const char		*params[2], *kinds, *v, *p, *q;
	char			 id[24], err[256], src[24];
	size_t			 k;
	int			 i, any = 0, form_on = 0;

	snprintf(id, sizeof(id), "%lld", post_id);
	params[0] = id;
	params[1] = req->lang == I18N_EN ? "en" : "ja";
	if ((l = caller_db(req, USE_LIST_SQL, 2, params, err,
	    sizeof(err))) == NULL || (h = caller_db(req, USE_HEAD_SQL, 1,
	    params, err, sizeof(err))) == NULL) {
		log_error("msg=\"uses failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		goto out;
	}
	for (i = 0; i < PQntuples(l); i++) {
		it = tmpl_vars_add_item(vars, "uses");
		tmpl_vars_set(it, "kind", http_text_of(req, "use.kind",
		    PQgetvalue(l, i, 0), NULL));
		tmpl_vars_set(it, "org", PQgetvalue(l, i, 1));
		tmpl_vars_set(it, "note", PQgetvalue(l, i, 2));
		tmpl_vars_set(it, "date", PQgetvalue(l, i, 3));
		if (*PQgetvalue(l, i, 4) == 't')
			tmpl_vars_set(it, "mine", "1");
		any = 1;
	}
	/* R-TF-7: the statement, for the coordinator and its author's
	 * organisation (the database shows no row to anyone else). */
	if (PQntuples(h) == 1 && !PQgetisnull(h, 0, 1)) {
		tmpl_vars_set(vars, "ntk_reason", PQgetvalue(h, 0, 1));
		tmpl_vars_set(vars, "ntk_date", PQgetvalue(h, 0, 2));
		p = PQgetvalue(h, 0, 3);
		while (*p != '\0') {
			k = strcspn(p, " ");
			if (k > 0 && k < sizeof(src)) {
				memcpy(src, p, k);
				src[k] = '\0';
				it = tmpl_vars_add_item(vars, "ntk_sources");
				tmpl_vars_setf(it, "href", "/posts/%s", src);
				tmpl_vars_set(it, "id", src);
			}
			p += k;
			p += strspn(p, " ");
		}
		any = 1;
	}
	/* R-TF-8, R-ORG-9: the form offers the kinds the database allows. */
	kinds = PQntuples(h) == 1 ? PQgetvalue(h, 0, 0) : "";
	q = sent != NULL ? form_get(sent, "kind") : NULL;
	for (k = 0; k < UTIL_ARRAY_LEN(use_kinds); k++) {
		if ((v = strstr(kinds, use_kinds[k])) == NULL)
			continue;
		it = tmpl_vars_add_item(vars, "use_kinds");
		tmpl_vars_set(it, "value", use_kinds[k]);
		tmpl_vars_set(it, "label", http_text_of(req, "use.kind",
		    use_kinds[k], NULL));
		/* The kind sent, or else the first offered. */
		if (q != NULL ? strcmp(q, use_kinds[k]) == 0 : !form_on)
			tmpl_vars_set(it, "checked", "checked");
		form_on = 1;
		tmpl_vars_set(vars, "use_form", "1");
		tmpl_vars_setf(vars, "uses_action", "/posts/%s/uses", id);
		any = 1;
	}
	if (note != NULL) {
		tmpl_vars_set(vars, "use_error", note);
		any = 1;
	}
	if (sent != NULL && (v = form_get(sent, "note")) != NULL &&
	    strlen(v) <= USE_NOTE_MAX)
		tmpl_vars_set(vars, "use_note", v);
	if (any)
		tmpl_vars_set(vars, "use_section", "1");
out:
	PQclear(h);
	PQclear(l);
}

/*
 * POST /posts/N/uses (kind, note): R-TF-8, R-ORG-9, R-USE-1 through
 * council.api_post_use.  Refused: the post's page again with the reason
 * in the section and the form as sent (403 for one who may not use it,
 * else 422); a hidden post: the same 404 as an absent one.
 */
enum MHD_Result
use_record(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[3];
	char			 err[256], id[24], loc[64];
	unsigned		 st;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = id;
	params[1] = form_get(&f, "kind");
	params[2] = form_get(&f, "note");
	if (params[2] != NULL && strlen(params[2]) > USE_NOTE_MAX) {
		ret = post_page(req, &me, req->id, 422, "uses",
		    http_text(req, "use.error.invalid_note"), &f);
		goto out;
	}
	if ((r = caller_db(req, USE_CALL_SQL, 3, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"use failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	st = (unsigned)atoi(PQgetvalue(r, 0, 0));
	if (st == 404) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if (st >= 300) {
		ret = post_page(req, &me, req->id, st == 403 ? 403 : 422,
		    "uses", http_text_of(req, "use.error", PQgetvalue(r, 0, 1),
		    "use.error.invalid"), &f);
		goto out;
	}
	snprintf(loc, sizeof(loc), "/posts/%lld#uses", req->id);
	ret = http_redirect_done(req, loc, "use.recorded");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}
