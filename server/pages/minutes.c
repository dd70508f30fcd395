/*
 * minutes.c: the general assembly's minutes (議事録, R-GOV-1, R-GOV-8) as a
 * printable page and as CSV (UTF-8 with a byte order mark, CRLF, the
 * formula guard of policy/72_assembly_reads.sql), from council.ga_minutes: the
 * same rows, for the same members, as the JSON API's minutes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assembly.h"
#include "caller.h"
#include "http.h"
#include "log.h"
#include "minutes.h"
#include "tmpl.h"
#include "util.h"

/* The rows of the minutes page: one per line of each section, from
 * council.ga_minutes (members only, like the session). */
#define MINUTES_SQL \
	"WITH m AS (SELECT council.ga_minutes($1::bigint) AS j) " \
	"SELECT 'a', m.j->'assembly'->>'title', m.j->'assembly'->>'kind', " \
	"m.j->'assembly'->>'status', " CALLER_JST("m.j->'assembly'->>'starts_at'") ", " \
	CALLER_JST("m.j->'assembly'->>'closed_at'") ", m.j->>'members', " \
	"jsonb_array_length(m.j->'notices')::text, NULL, NULL, NULL, NULL, NULL, NULL, " \
	"NULL, NULL, 0 FROM m " \
	"UNION ALL SELECT 't', CASE WHEN $2 THEN e->>'name_en' ELSE e->>'name_ja' END, " \
	CALLER_JST("e->>'arrived_at'") ", " CALLER_JST("e->>'left_at'") ", " \
	"NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, n " \
	"FROM m, jsonb_array_elements(m.j->'attendance') WITH ORDINALITY x(e, n) " \
	"UNION ALL SELECT 'p', CASE WHEN $2 THEN e->>'name_en' ELSE e->>'name_ja' END, " \
	"CASE WHEN (e->>'to_chair')::boolean THEN NULL WHEN $2 THEN e->>'holder_name_en' " \
	"ELSE e->>'holder_name_ja' END, " CALLER_JST("e->>'given_at'") ", " \
	CALLER_JST("e->>'revoked_at'") ", NULL, NULL, NULL, NULL, NULL, NULL, " \
	"NULL, NULL, NULL, NULL, NULL, n " \
	"FROM m, jsonb_array_elements(m.j->'proxies') WITH ORDINALITY x(e, n) " \
	"UNION ALL SELECT 'i', e->>'position', e->>'title', e->>'status', " \
	"e->'result'->>'yes', e->'result'->>'no', e->'result'->>'abstain', " \
	"e->'result'->>'not_voted', e->'result'->>'attending', " \
	"e->'result'->'quorum_close'->>'numerator', " \
	"e->'result'->'quorum_close'->>'denominator', " \
	"e->'result'->'pass'->>'numerator', e->'result'->'pass'->>'denominator', " \
	"e->'result'->>'rule_code' || '.' || (e->'result'->>'rule_version'), " \
	"e->'result'->>'veto_triggered', e->'result'->>'passed', n " \
	"FROM m, jsonb_array_elements(m.j->'items') WITH ORDINALITY x(e, n) " \
	"UNION ALL SELECT 'v', e->>'position', CASE WHEN $2 THEN v->>'name_en' " \
	"ELSE v->>'name_ja' END, v->>'attended_as', v->>'choice', NULL, NULL, NULL, " \
	"NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, n * 1000 + k " \
	"FROM m, jsonb_array_elements(m.j->'items') WITH ORDINALITY x(e, n), " \
	"jsonb_array_elements(e->'votes') WITH ORDINALITY y(v, k) " \
	"ORDER BY 1, 17"

static enum MHD_Result
minutes_page(struct http_req *req, const struct caller_me *me, long long a)
{
	struct tmpl_vars	*vars = NULL, *it;
	PGresult		*r = NULL;
	const char		*params[2];
	char			 err[256], id[24];
	int			 i;
	enum MHD_Result		 ret;

#define C(c) PQgetvalue(r, i, (c))
	snprintf(id, sizeof(id), "%lld", a);
	params[0] = id;
	params[1] = req->lang == I18N_EN ? "t" : "f";
	if ((r = caller_db(req, MINUTES_SQL, 2, params, err,
	    sizeof(err))) == NULL) {
		if (strcmp(err, "not_found") == 0) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		log_error("msg=\"minutes failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	tmpl_vars_setf(vars, "session_href", ASSEMBLY_PREFIX "%s", id);
	tmpl_vars_setf(vars, "csv_href", ASSEMBLY_PREFIX "%s/minutes.csv", id);
	for (i = 0; i < PQntuples(r); i++) {
		switch (*C(0)) {
		case 'a':
			tmpl_vars_set(vars, "title", C(1));
			tmpl_vars_set(vars, "kind",
			    http_text_of(req, "ga.kind", C(2), NULL));
			tmpl_vars_set(vars, "status",
			    http_text_of(req, "ga.status", C(3), NULL));
			tmpl_vars_set(vars, "starts", C(4));
			tmpl_vars_set(vars, "closed_at", C(5));
			tmpl_vars_set(vars, "members", C(6));
			tmpl_vars_set(vars, "notices", C(7));
			break;
		case 't':
			it = tmpl_vars_add_item(vars, "attendance");
			tmpl_vars_set(it, "org", C(1));
			tmpl_vars_set(it, "arrived", C(2));
			tmpl_vars_set(it, "left", C(3));
			break;
		case 'p':
			it = tmpl_vars_add_item(vars, "proxies");
			tmpl_vars_set(it, "org", C(1));
			tmpl_vars_set(it, "holder", PQgetisnull(r, i, 2) ?
			    http_text(req, "ga.chair") : C(2));
			tmpl_vars_set(it, "given", C(3));
			tmpl_vars_set(it, "revoked", C(4));
			break;
		case 'i':
			it = tmpl_vars_add_item(vars, "items");
			tmpl_vars_set(it, "position", C(1));
			tmpl_vars_set(it, "title", C(2));
			tmpl_vars_set(it, "status",
			    http_text_of(req, "ga.item_status", C(3), NULL));
			if (PQgetisnull(r, i, 15))
				break;
			tmpl_vars_set(it, "counted", "1");
			tmpl_vars_set(it, "yes", C(4));
			tmpl_vars_set(it, "no", C(5));
			tmpl_vars_set(it, "abstain", C(6));
			tmpl_vars_set(it, "not_voted", C(7));
			tmpl_vars_set(it, "attending", C(8));
			tmpl_vars_setf(it, "quorum", "%s / %s", C(9), C(10));
			tmpl_vars_setf(it, "pass", "%s / %s", C(11), C(12));
			tmpl_vars_set(it, "rule",
			    http_text_of(req, "rule", C(13), NULL));
			tmpl_vars_set(it, "veto", http_text(req,
			    strcmp(C(14), "true") == 0 ? "ga.veto.triggered" :
			    "ga.veto.not_triggered"));
			tmpl_vars_set(it, "outcome", http_text(req,
			    strcmp(C(15), "true") == 0 ? "ga.outcome.passed" :
			    "ga.outcome.failed"));
			break;
		case 'v':
			it = tmpl_vars_add_item(vars, "votes");
			tmpl_vars_set(it, "position", C(1));
			tmpl_vars_set(it, "org", C(2));
			tmpl_vars_set(it, "attended_as",
			    http_text_of(req, "ga.attended_as", C(3), NULL));
			if (!PQgetisnull(r, i, 4))
				tmpl_vars_set(it, "choice",
				    http_text_of(req, "ga.choice", C(4), NULL));
			else
				tmpl_vars_set(it, "choice", http_text(req,
				    "ga.choice.none"));
			break;
		}
	}
#undef C
	ret = http_page(req, 200, "minutes.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

/* The minutes as CSV (council.minutes_csv), with a UTF-8 byte order
 * mark so that spreadsheets in Japanese locales read it as UTF-8. */
static enum MHD_Result
minutes_csv(struct http_req *req, long long a)
{
	struct MHD_Response	*resp;
	PGresult		*r;
	struct buf		 b;
	const char		*params[1];
	char			 err[256], id[24], disp[96];
	size_t			 len;
	char			*data;

	snprintf(id, sizeof(id), "%lld", a);
	params[0] = id;
	if ((r = caller_db(req, "SELECT council.ga_minutes_csv($1::bigint)", 1,
	    params, err, sizeof(err))) == NULL) {
		if (strcmp(err, "not_found") == 0)
			return http_error(req, 404, NULL);
		log_error("msg=\"minutes csv failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return http_error(req, 503, NULL);
	}
	buf_init(&b);
	buf_puts(&b, "\xef\xbb\xbf");
	buf_puts(&b, PQgetvalue(r, 0, 0));
	PQclear(r);
	data = buf_release(&b, &len);
	resp = MHD_create_response_from_buffer(len, data,
	    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "text/csv; charset=utf-8");
	snprintf(disp, sizeof(disp), "attachment; filename=\"minutes-%s.csv\"",
	    id);
	MHD_add_response_header(resp, "Content-Disposition", disp);
	return http_send_response(req, 200, resp, len, NULL);
}

enum MHD_Result
minutes_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return minutes_page(req, &me, req->id);
}

enum MHD_Result
minutes_csv_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return minutes_csv(req, req->id);
}
