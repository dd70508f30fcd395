/*
 * correlation.c: correlation under scope (see correlation.h; issue 15
 * item 5, M25).  The database lists, as the caller, the posts it reads
 * that share an indicator with this post (council.correlation_list, one
 * row per shared value, newest post first); this file groups the rows by
 * post and shows them.  The API's answer is the JSON API's door
 * (council.api_post_correlations).
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "correlation.h"
#include "http.h"
#include "log.h"
#include "tmpl.h"

/* The correlated posts of post $1 the caller reads, one row per shared
 * (kind, value).  Columns: CO_* below. */
static const char CORRELATION_SQL[] =
    "SELECT l.post_id, l.title, l.post_kind::text, "
    CALLER_JST("l.created_at") ", l.kind::text, l.value "
    "FROM council.correlation_list($1::bigint) l";

enum { CO_POST, CO_TITLE, CO_POST_KIND, CO_DATE, CO_KIND, CO_VALUE };

void
correlation_post_vars(struct http_req *req, long long post_id,
    struct tmpl_vars *vars, const char *note, const struct form *sent)
{
	struct tmpl_vars	*it = NULL, *v;
	PGresult		*r;
	const char		*params[1], *last = NULL;
	char			 err[256], id[24];
	int			 i;

	(void)note;
	(void)sent;
	snprintf(id, sizeof(id), "%lld", post_id);
	params[0] = id;
	if ((r = caller_db(req, CORRELATION_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"correlations failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return;
	}
	/* The section is always shown for a post the caller reads: whether
	 * it has rows depends only on what the caller reads. */
	tmpl_vars_set(vars, "corr_section", "1");
	for (i = 0; i < PQntuples(r); i++) {
		if (last == NULL || strcmp(last, PQgetvalue(r, i, CO_POST)) != 0) {
			last = PQgetvalue(r, i, CO_POST);
			it = tmpl_vars_add_item(vars, "correlations");
			tmpl_vars_set(it, "id", last);
			tmpl_vars_setf(it, "href", "/posts/%s", last);
			tmpl_vars_set(it, "title", PQgetvalue(r, i, CO_TITLE));
			tmpl_vars_set(it, "kind", http_text_of(req, "kind",
			    PQgetvalue(r, i, CO_POST_KIND), NULL));
			tmpl_vars_set(it, "date", PQgetvalue(r, i, CO_DATE));
		}
		v = tmpl_vars_add_item(it, "shared");
		tmpl_vars_set(v, "kind", http_text_of(req, "correlation.kind",
		    PQgetvalue(r, i, CO_KIND), NULL));
		tmpl_vars_set(v, "value", PQgetvalue(r, i, CO_VALUE));
	}
	PQclear(r);
}

enum MHD_Result
correlation_api(struct http_req *req)
{
	const char	*params[1];
	char		 id[24];

	snprintf(id, sizeof(id), "%lld", req->id);
	params[0] = id;
	return api_call(req, "SELECT status, body FROM "
	    "council.api_post_correlations($1::bigint)", 1, params);
}
