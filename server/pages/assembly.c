/*
 * assembly.c: the general assembly's pages and JSON API (see assembly.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "assembly.h"
#include "caller.h"
#include "diff.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "tmpl.h"
#include "util.h"

static void
assembly_label(struct http_req *req, struct tmpl_vars *v, const char *name,
    const char *prefix, const char *value)
{
	tmpl_vars_set(v, name, http_text_of(req, prefix, value, NULL));
}

/* The message for a refused act's stable code. */
static const char *
assembly_error_text(struct http_req *req, const char *code)
{
	return http_text_of(req, "ga.error", code, "ga.error.refused");
}

/* Is s empty or absent (then *out NULL), or a positive id (*out s)? */
static int
assembly_opt_id(const char *s, const char **out)
{
	*out = NULL;
	if (s == NULL || *s == '\0')
		return 1;
	if (util_id_parse(s) == 0)
		return 0;
	*out = s;
	return 1;
}

/* ------------------------------------------------------------ the list */

/* What the person sent, for the convene form to show again (issue 17
 * item 3): f's value of name, or NULL without a form. */
static const char *
assembly_sent(const struct form *f, const char *name)
{
	return f != NULL ? form_get(f, name) : NULL;
}

/* The option lists of the convene form: value is one of them when it
 * equals id (then "selected" is set on opt). */
static void
assembly_option(struct tmpl_vars *opt, const char *id, const char *value)
{
	tmpl_vars_set(opt, "id", id);
	if (value != NULL && strcmp(value, id) == 0)
		tmpl_vars_set(opt, "selected", "selected");
}

/*
 * The agenda rows of the convene form, with what f sent (issue 17 item 3:
 * a form keeps its input on error) and, for row bad_row (from 1; 0 none),
 * the error to show beside it.  d: the documents the assembly owns (id,
 * title_ja, title_en); m: the committee's referrals (id, title).
 */
static void
assembly_rows(struct http_req *req, struct tmpl_vars *vars,
    const struct form *f, PGresult *d, PGresult *m, int bad_row,
    const char *error)
{
	static const char *const kinds[] = { "rule_amendment",
	    "regulation_amendment", "report", "referred_item" };
	struct tmpl_vars	*row, *opt;
	char			 key[32];
	const char		*v;
	int			 i, j, en = req->lang == I18N_EN;

	for (i = 1; i <= ASSEMBLY_AGENDA_ROWS; i++) {
		row = tmpl_vars_add_item(vars, "rows");
		tmpl_vars_setf(row, "n", "%d", i);
		tmpl_vars_setf(row, "kind_row", "kind_%d", i);
		tmpl_vars_setf(row, "title_row", "title_%d", i);
		tmpl_vars_setf(row, "document_row", "document_%d", i);
		tmpl_vars_setf(row, "text_row", "text_%d", i);
		tmpl_vars_setf(row, "motion_row", "motion_%d", i);
		tmpl_vars_setf(row, "error_row", "error_%d", i);
		if (i == bad_row && error != NULL) {
			tmpl_vars_set(row, "row_error", error);
			tmpl_vars_set(row, "row_invalid", "true");
			tmpl_vars_setf(row, "row_error_ref", "error_%d", i);
		}
		snprintf(key, sizeof(key), "kind_%d", i);
		v = assembly_sent(f, key);
		for (j = 0; j < (int)(sizeof(kinds) / sizeof(kinds[0])); j++)
			if (v != NULL && strcmp(v, kinds[j]) == 0) {
				snprintf(key, sizeof(key), "sel_%s", kinds[j]);
				tmpl_vars_set(row, key, "selected");
			}
		snprintf(key, sizeof(key), "title_%d", i);
		if ((v = assembly_sent(f, key)) != NULL)
			tmpl_vars_set(row, "title", v);
		snprintf(key, sizeof(key), "text_%d", i);
		if ((v = assembly_sent(f, key)) != NULL)
			tmpl_vars_set(row, "text", v);
		snprintf(key, sizeof(key), "document_%d", i);
		v = assembly_sent(f, key);
		for (j = 0; j < PQntuples(d); j++) {
			opt = tmpl_vars_add_item(row, "documents");
			assembly_option(opt, PQgetvalue(d, j, 0), v);
			tmpl_vars_set(opt, "title", PQgetvalue(d, j, en ? 2 : 1));
		}
		snprintf(key, sizeof(key), "motion_%d", i);
		v = assembly_sent(f, key);
		for (j = 0; j < PQntuples(m); j++) {
			opt = tmpl_vars_add_item(row, "motions");
			assembly_option(opt, PQgetvalue(m, j, 0), v);
			tmpl_vars_setf(opt, "title", "#%s %s", PQgetvalue(m, j, 0),
			    PQgetvalue(m, j, 1));
		}
	}
}

/*
 * The assemblies and, for whoever may preside, the convene form: f, when
 * given, is what was sent and is shown again; bad_row (from 1; 0 none) is
 * the agenda row the error is about, shown beside it; bad names the
 * field of the form's head it is about ("title", "starts", "motion").
 */
static enum MHD_Result
assembly_list_page(struct http_req *req, const struct caller_me *me,
    unsigned status, const char *error, const struct form *f, int bad_row,
    const char *bad)
{
	struct tmpl_vars	*vars = NULL, *item, *opt;
	PGresult		*r = NULL, *d = NULL, *m = NULL;
	char			 err[256], key[32];
	const char		*v;
	int			 i;
	enum MHD_Result		 ret;

	r = caller_db(req, "SELECT g.id, g.kind::text, g.title, g.status::text, "
	    CALLER_JST("g.starts_at") ", council.ga_may_preside() "
	    "FROM council.ga_assemblies g RIGHT JOIN (SELECT 1) one ON true "
	    "ORDER BY g.starts_at DESC NULLS LAST, g.id DESC LIMIT 200",
	    0, NULL, err, sizeof(err));
	if (r != NULL)
		d = caller_db(req, "SELECT d.id, d.title_ja, d.title_en FROM "
		    "council.documents d WHERE d.owner = 'general_assembly' "
		    "ORDER BY d.id", 0, NULL, err, sizeof(err));
	if (d != NULL)
		m = caller_db(req, "SELECT id, title FROM "
		    "council.ga_referrable_motions()", 0, NULL, err,
		    sizeof(err));
	if (r == NULL || d == NULL || m == NULL) {
		log_error("msg=\"assemblies failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	if (bad != NULL) {
		snprintf(key, sizeof(key), "bad_%s", bad);
		tmpl_vars_set(vars, key, "true");
	}
	for (i = 0; i < PQntuples(r); i++) {
		if (i == 0 && *PQgetvalue(r, 0, 5) == 't')
			tmpl_vars_set(vars, "presides", "1");
		if (PQgetisnull(r, i, 0))
			continue;
		item = tmpl_vars_add_item(vars, "assemblies");
		tmpl_vars_setf(item, "href", ASSEMBLY_PREFIX "%s",
		    PQgetvalue(r, i, 0));
		assembly_label(req, item, "kind", "ga.kind", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "title", PQgetvalue(r, i, 2));
		assembly_label(req, item, "status", "ga.status", PQgetvalue(r, i, 3));
		tmpl_vars_set(item, "starts", PQgetvalue(r, i, 4));
	}
	if ((v = assembly_sent(f, "kind")) != NULL &&
	    strcmp(v, "extraordinary") == 0)
		tmpl_vars_set(vars, "sel_extraordinary", "selected");
	if ((v = assembly_sent(f, "title")) != NULL)
		tmpl_vars_set(vars, "title", v);
	if ((v = assembly_sent(f, "starts")) != NULL)
		tmpl_vars_set(vars, "starts", v);
	v = assembly_sent(f, "motion");
	for (i = 0; i < PQntuples(m); i++) {
		opt = tmpl_vars_add_item(vars, "motions");
		assembly_option(opt, PQgetvalue(m, i, 0), v);
		tmpl_vars_setf(opt, "title", "#%s %s", PQgetvalue(m, i, 0),
		    PQgetvalue(m, i, 1));
	}
	assembly_rows(req, vars, f, d, m, bad_row, error);
	ret = http_page(req, status, "assemblies.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(m);
	PQclear(d);
	PQclear(r);
	return ret;
}

enum MHD_Result
assembly_list(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return assembly_list_page(req, &me, 200, NULL, NULL, 0, NULL);
}

/*
 * The form's agenda row (from 1) of the database's item n (from 1): the
 * database numbers only the rows that have a kind.  0 when none.
 */
static int
assembly_form_row(const struct form *f, int n)
{
	char		 key[32];
	const char	*v;
	int		 i, seen = 0;

	for (i = 1; n > 0 && i <= ASSEMBLY_AGENDA_ROWS; i++) {
		snprintf(key, sizeof(key), "kind_%d", i);
		if ((v = form_get(f, key)) != NULL && *v != '\0' && ++seen == n)
			return i;
	}
	return 0;
}

/* The field of the form's head an error code of the convening is about. */
static const char *
assembly_head_field(const char *code)
{
	if (strcmp(code, "invalid_title") == 0)
		return "title";
	if (strcmp(code, "invalid_starts_at") == 0)
		return "starts";
	if (strcmp(code, "committee_decision_required") == 0 ||
	    strcmp(code, "invalid_motion") == 0)
		return "motion";
	if (strcmp(code, "invalid_kind") == 0)
		return "kind";
	return NULL;
}

/*
 * POST /assemblies: the chair (or the secretariat for the chair) convenes
 * (R-GOV-2): kind, title, starts (JST, to the minute: the current minute,
 * or the one before it when the form was filled as the minute turned,
 * means now, so a session can open at once), motion (an extraordinary
 * session's committee decision), and up to ASSEMBLY_AGENDA_ROWS agenda rows
 * (kind_i, title_i, document_i, text_i, motion_i; a row without a kind is
 * left out).  council.api_ga_convene checks everything else.
 */
enum MHD_Result
assembly_convene(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[4 + 5 * ASSEMBLY_AGENDA_ROWS], *starts;
	char			 err[256], key[32], loc[64], msg[512];
	int			 i, k, row;
	const char		*field[] = { "kind", "title", "document", "text",
				    "motion" };
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	starts = form_get(&f, "starts");
	params[0] = form_get(&f, "kind");
	params[1] = form_get(&f, "title");
	params[2] = starts;
	if (!form_is_local_minute(starts)) {
		ret = assembly_list_page(req, &me, 422, assembly_error_text(req,
		    "invalid_starts_at"), &f, 0, "starts");
		goto out;
	}
	if (!assembly_opt_id(form_get(&f, "motion"), &params[3])) {
		ret = assembly_list_page(req, &me, 422, assembly_error_text(req,
		    "invalid_motion"), &f, 0, "motion");
		goto out;
	}
	for (i = 0; i < ASSEMBLY_AGENDA_ROWS; i++)
		for (k = 0; k < 5; k++) {
			snprintf(key, sizeof(key), "%s_%d", field[k], i + 1);
			params[4 + 5 * i + k] = form_get(&f, key);
			if ((k == 2 || k == 4) && !assembly_opt_id(params[4 + 5 * i + k],
			    &params[4 + 5 * i + k])) {
				snprintf(msg, sizeof(msg), "%s %d: %s",
				    http_text(req, "ga.convene.item"), i + 1,
				    assembly_error_text(req, "invalid_agenda"));
				ret = assembly_list_page(req, &me, 422, msg, &f,
				    i + 1, NULL);
				goto out;
			}
		}
	/* The agenda as JSON, built by the database (no JSON in C). */
	r = caller_db(req, "SELECT status, body, body::json->>'error', "
	    "body::json->>'id', body::json->>'item' FROM "
	    "council.api_ga_convene(json_strip_nulls("
	    "json_build_object('kind', $1::text, 'title', $2::text, "
	    "'starts_at', (SELECT CASE WHEN t <= now() AND t > now() - "
	    "interval '2 minutes' THEN now() ELSE t END FROM (SELECT ($3::text "
	    "|| ':00+09:00')::timestamptz AS t) s), 'sc_motion', $4::bigint, "
	    "'agenda', (SELECT coalesce(json_agg(json_strip_nulls("
	    "json_build_object('kind', v.k, 'title', v.t, 'document', v.d, "
	    "'text', nullif(v.x, ''), 'motion', v.m)) ORDER BY v.n), '[]') "
	    "FROM (VALUES (1, $5, $6, $7::bigint, $8, $9::bigint), "
	    "(2, $10, $11, $12::bigint, $13, $14::bigint), "
	    "(3, $15, $16, $17::bigint, $18, $19::bigint)) "
	    "v(n, k, t, d, x, m) WHERE coalesce(v.k, '') <> '')))::text)",
	    4 + 5 * ASSEMBLY_AGENDA_ROWS, params, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"convene failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "201") != 0) {
		/* Issue 17 item 3: say which row ("Item 2: ...") and which
		 * field, and show what was sent again. */
		row = assembly_form_row(&f, atoi(PQgetvalue(r, 0, 4)));
		if (row > 0)
			snprintf(msg, sizeof(msg), "%s %d: %s", http_text(req,
			    "ga.convene.item"), row, assembly_error_text(req,
			    PQgetvalue(r, 0, 2)));
		else
			snprintf(msg, sizeof(msg), "%s", assembly_error_text(req,
			    PQgetvalue(r, 0, 2)));
		ret = assembly_list_page(req, &me, (unsigned)atoi(PQgetvalue(r,
		    0, 0)), msg, &f, row, row > 0 ? NULL :
		    assembly_head_field(PQgetvalue(r, 0, 2)));
		goto out;
	}
	snprintf(loc, sizeof(loc), ASSEMBLY_PREFIX "%s", PQgetvalue(r, 0, 3));
	ret = http_redirect_done(req, loc, "ga.convened");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* --------------------------------------------------------- the session */

/* The line diff of an amendment into item's list "diff". */
static void
assembly_diff(struct tmpl_vars *item, const char *from, const char *to)
{
	struct diff_line	*l;
	struct tmpl_vars	*d;
	size_t			 n, i;

	if (diff_lines(from, to, &l, &n) == -1) {
		tmpl_vars_set(item, "diff_too_large", "1");
		return;
	}
	for (i = 0; i < n; i++) {
		if (l[i].op == DIFF_SAME)
			continue;	/* the whole texts are one click away */
		d = tmpl_vars_add_item(item, "diff");
		tmpl_vars_set(d, "kind", l[i].op == DIFF_ADD ? "diff__add" :
		    "diff__del");
		tmpl_vars_set(d, "sign", l[i].op == DIFF_ADD ? "+" : "-");
		tmpl_vars_set(d, "text", l[i].text);
	}
	diff_free(l, n);
}

/*
 * The choice buttons' marks of a ballot (issue 17 item 4: every option
 * drawn alike, the one cast marked): on v, for choice (yes, no, abstain;
 * NULL or "" none cast), <prefix>chosen_<option> and, when one was cast,
 * <prefix>cast with its text.  (A prefix per ballot: a list's item reads
 * its parent's variables too.)
 */
static void
assembly_cast(struct http_req *req, struct tmpl_vars *v, const char *prefix,
    const char *choice)
{
	char	key[32];

	if (choice == NULL || (strcmp(choice, "yes") != 0 &&
	    strcmp(choice, "no") != 0 && strcmp(choice, "abstain") != 0))
		return;
	snprintf(key, sizeof(key), "%schosen_%s", prefix, choice);
	tmpl_vars_set(v, key, "true");
	snprintf(key, sizeof(key), "%scast", prefix);
	tmpl_vars_set(v, key, http_text_of(req, "ga.choice", choice, NULL));
}

/* The proxies the caller's organisation holds on an item,
 * "org\tja\ten\tchoice" lines (choice: what it cast for that member, or
 * empty), as item's list "holds". */
static void
assembly_holds(struct http_req *req, struct tmpl_vars *item, const char *item_id,
    const char *lines)
{
	struct tmpl_vars	*h;
	char			*copy, *line, *save = NULL, *tab1, *tab2, *tab3;

	copy = xstrdup(lines);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((tab1 = strchr(line, '\t')) == NULL ||
		    (tab2 = strchr(tab1 + 1, '\t')) == NULL ||
		    (tab3 = strchr(tab2 + 1, '\t')) == NULL)
			continue;
		*tab1 = *tab2 = *tab3 = '\0';
		h = tmpl_vars_add_item(item, "holds");
		tmpl_vars_set(h, "org", line);
		tmpl_vars_set(h, "name", req->lang == I18N_EN ? tab2 + 1 :
		    tab1 + 1);
		tmpl_vars_set(h, "item", item_id);
		assembly_cast(req, h, "proxy_", tab3 + 1);
	}
	free(copy);
}

/* The columns of ASSEMBLY_ITEMS_SQL, in order. */
enum {
	IT_ID, IT_POS, IT_KIND, IT_TITLE, IT_SUMMARY, IT_STATUS, IT_MEMBERS,
	IT_ATTENDING, IT_PRESENT, IT_BY_PROXY, IT_QUORUM_NOW, IT_CLOSES,
	IT_MY_CHOICE, IT_MY_VERSION, IT_MY_RECEIPT, IT_HOLDS, IT_YES, IT_NO,
	IT_ABSTAIN, IT_NOT_VOTED, IT_QO_NUM, IT_QO_DEN, IT_QC_NUM, IT_QC_DEN,
	IT_QC_MET, IT_PASS_NUM, IT_PASS_DEN, IT_RULE, IT_RULE_VERSION,
	IT_VETO, IT_PASSED, IT_REASON, IT_ADOPTED, IT_SLUG, IT_BASE,
	IT_PROPOSED, IT_CLOSED, IT_MY_SALT, IT_MY_TEXT, IT_PASS_CMP,
	IT_PASS_RNUM, IT_PASS_RDEN, IT_Q_BASE, IT_Q_CMP, IT_Q_RNUM, IT_Q_RDEN,
	IT_WINDOW, IT_LEFT
};

/* The state comes from council.ga_poll, which closes a due poll first: the
 * row of ga_items read beside it is from before that.  The salt and the
 * text a receipt hashes are NULL until the poll is closed (ga_poll). */
#define ASSEMBLY_ITEMS_SQL \
	"SELECT i.id, i.position, i.kind::text, i.title, i.summary, " \
	"p->>'status', p->>'members', p->>'attending', p->>'present', " \
	"p->>'by_proxy', p->>'quorum_now', " CALLER_JST("i.closes_at") ", " \
	"p->'mine'->>'choice', p->'mine'->>'version', p->'mine'->>'receipt', " \
	"(SELECT string_agg(o.id || E'\\t' || o.name_ja || E'\\t' || o.name_en " \
	"|| E'\\t' || coalesce(h->>'choice', ''), " \
	"E'\\n' ORDER BY o.id) FROM jsonb_array_elements(p->'holds') h " \
	"JOIN council.organisations o ON o.id = (h->>'org')::bigint), " \
	"p->'result'->>'yes', p->'result'->>'no', p->'result'->>'abstain', " \
	"p->'result'->>'not_voted', " \
	"p->'result'->'quorum_open'->>'numerator', " \
	"p->'result'->'quorum_open'->>'denominator', " \
	"p->'result'->'quorum_close'->>'numerator', " \
	"p->'result'->'quorum_close'->>'denominator', " \
	"p->'result'->'quorum_close'->>'met', " \
	"p->'result'->'pass'->>'numerator', p->'result'->'pass'->>'denominator', " \
	"p->'result'->>'rule_code', p->'result'->>'rule_version', " \
	"p->'result'->>'veto_triggered', p->'result'->>'passed', " \
	"p->'result'->>'reason', " \
	"p->'result'->'document'->>'adopted_version', d.slug, b.body, " \
	"i.proposed_text, " CALLER_JST("(p->>'closed_at')::timestamptz") ", " \
	"p->'mine'->>'salt', p->'mine'->>'receipt_text', " \
	"p->'result'->'pass'->>'cmp', p->'result'->'pass'->>'num', " \
	"p->'result'->'pass'->>'den', p->'result'->'quorum'->>'base', " \
	"p->'result'->'quorum'->>'cmp', p->'result'->'quorum'->>'num', " \
	"p->'result'->'quorum'->>'den', " \
	"floor(extract(epoch FROM i.closes_at - i.opened_at))::bigint, " \
	"floor(extract(epoch FROM i.closes_at - now()))::bigint " \
	"FROM council.ga_items i CROSS JOIN LATERAL council.ga_poll(i.id) p " \
	"LEFT JOIN council.documents d ON d.id = i.document_id " \
	"LEFT JOIN council.document_versions b ON b.document_id = i.document_id " \
	"AND b.version = i.base_version " \
	"WHERE i.assembly_id = $1::bigint ORDER BY i.position"

/* The count of a closed item as a chart (issue 17): the choices against
 * the pass line of its rule, those attending against the quorum. */
static void
assembly_vote_chart(struct http_req *req, struct tmpl_vars *it,
    const PGresult *r, int i)
{
	struct caller_vote	cv;
	char			id[48];
	int			q = !PQgetisnull(r, i, IT_Q_BASE);

	memset(&cv, 0, sizeof(cv));
	cv.yes = PQgetvalue(r, i, IT_YES);
	cv.no = PQgetvalue(r, i, IT_NO);
	cv.abstain = PQgetvalue(r, i, IT_ABSTAIN);
	cv.pass_cmp = PQgetvalue(r, i, IT_PASS_CMP);
	cv.pass_num = PQgetvalue(r, i, IT_PASS_RNUM);
	cv.pass_den = PQgetvalue(r, i, IT_PASS_RDEN);
	cv.pass_base = PQgetvalue(r, i, IT_PASS_DEN);
	cv.present = PQgetvalue(r, i, IT_QC_NUM);
	cv.whole = PQgetvalue(r, i, IT_QC_DEN);
	cv.q_cmp = q ? PQgetvalue(r, i, IT_Q_CMP) : NULL;
	cv.q_num = q ? PQgetvalue(r, i, IT_Q_RNUM) : NULL;
	cv.q_den = q ? PQgetvalue(r, i, IT_Q_RDEN) : NULL;
	cv.present_key = "ga.count.attending";
	snprintf(id, sizeof(id), "vote-%s", PQgetvalue(r, i, IT_ID));
	caller_vote_chart(req, it, "vote_chart", id, &cv);
}

/* One agenda item of the session page. */
static void
assembly_item(struct http_req *req, struct tmpl_vars *vars, const PGresult *r,
    int i, int acts, int present, int presides)
{
	struct tmpl_vars	*it = tmpl_vars_add_item(vars, "items");
	const char		*st = PQgetvalue(r, i, IT_STATUS);
	char			 rk[80], cid[48];

#define COL(c) PQgetvalue(r, i, (c))
	tmpl_vars_set(it, "id", COL(IT_ID));
	tmpl_vars_setf(it, "anchor", "item-%s", COL(IT_ID));
	tmpl_vars_set(it, "position", COL(IT_POS));
	assembly_label(req, it, "kind", "ga.item", COL(IT_KIND));
	tmpl_vars_set(it, "title", COL(IT_TITLE));
	if (*COL(IT_SUMMARY) != '\0')
		tmpl_vars_set(it, "summary", COL(IT_SUMMARY));
	assembly_label(req, it, "status", "ga.item_status", st);
	if (!PQgetisnull(r, i, IT_PROPOSED) && !PQgetisnull(r, i, IT_BASE))
		assembly_diff(it, COL(IT_BASE), COL(IT_PROPOSED));
	if (strcmp(st, "pending") == 0 && presides &&
	    strcmp(COL(IT_KIND), "report") != 0)
		tmpl_vars_set(it, "may_open", "1");
	if (strcmp(st, "open") == 0) {
		tmpl_vars_set(it, "open", "1");
		tmpl_vars_set(it, "closes", COL(IT_CLOSES));
		if (!PQgetisnull(r, i, IT_WINDOW)) {
			snprintf(cid, sizeof(cid), "closes-%s", COL(IT_ID));
			caller_countdown(req, it, "closes_chart", cid,
			    "ga.poll.closes", atoll(COL(IT_WINDOW)),
			    atoll(COL(IT_LEFT)));
		}
		if (acts && present)
			tmpl_vars_set(it, "may_vote", "1");
		if (presides)
			tmpl_vars_set(it, "may_remind", "1");
		if (!PQgetisnull(r, i, IT_HOLDS))
			assembly_holds(req, it, COL(IT_ID), COL(IT_HOLDS));
	}
	if (strcmp(st, "open") == 0 || strcmp(st, "pending") == 0) {
		tmpl_vars_set(it, "members", COL(IT_MEMBERS));
		tmpl_vars_set(it, "attending", COL(IT_ATTENDING));
		tmpl_vars_set(it, "present", COL(IT_PRESENT));
		tmpl_vars_set(it, "by_proxy", COL(IT_BY_PROXY));
		tmpl_vars_set(it, "quorum_now", http_text(req,
		    *COL(IT_QUORUM_NOW) == 't' ? "ga.quorum.met" :
		    "ga.quorum.not_met"));
	}
	if (!PQgetisnull(r, i, IT_MY_CHOICE)) {
		assembly_label(req, it, "my_choice", "ga.choice", COL(IT_MY_CHOICE));
		assembly_cast(req, it, "my_", COL(IT_MY_CHOICE));
		tmpl_vars_set(it, "my_version", COL(IT_MY_VERSION));
		tmpl_vars_set(it, "my_receipt", COL(IT_MY_RECEIPT));
	}
	if (strcmp(st, "closed") == 0 && !PQgetisnull(r, i, IT_PASSED)) {
		tmpl_vars_set(it, "closed", "1");
		tmpl_vars_set(it, "closed_at", COL(IT_CLOSED));
		tmpl_vars_set(it, "yes", COL(IT_YES));
		tmpl_vars_set(it, "no", COL(IT_NO));
		tmpl_vars_set(it, "abstain", COL(IT_ABSTAIN));
		tmpl_vars_set(it, "not_voted", COL(IT_NOT_VOTED));
		tmpl_vars_setf(it, "quorum_open", "%s / %s", COL(IT_QO_NUM),
		    COL(IT_QO_DEN));
		tmpl_vars_setf(it, "quorum_close", "%s / %s (%s)",
		    COL(IT_QC_NUM), COL(IT_QC_DEN), http_text(req,
		    *COL(IT_QC_MET) == 't' ? "ga.quorum.met" :
		    "ga.quorum.not_met"));
		tmpl_vars_setf(it, "pass", "%s / %s", COL(IT_PASS_NUM),
		    COL(IT_PASS_DEN));
		assembly_vote_chart(req, it, r, i);
		tmpl_vars_set(it, "rule", caller_rule_name(req, COL(IT_RULE),
		    COL(IT_RULE_VERSION), rk, sizeof(rk)));
		tmpl_vars_set(it, "veto", http_text(req,
		    strcmp(COL(IT_VETO), "true") == 0 ? "ga.veto.triggered" :
		    "ga.veto.not_triggered"));
		tmpl_vars_set(it, "outcome", http_text(req,
		    strcmp(COL(IT_PASSED), "true") == 0 ? "ga.outcome.passed" :
		    "ga.outcome.failed"));
		tmpl_vars_set(it, "outcome_class",
		    strcmp(COL(IT_PASSED), "true") == 0 ? "badge badge--passed" :
		    "badge badge--failed");
		assembly_label(req, it, "reason", "ga.reason", COL(IT_REASON));
		/* Receipts: the salt, revealed by the close, and the text
		 * the organisation's newest receipt hashes. */
		if (!PQgetisnull(r, i, IT_MY_SALT) &&
		    !PQgetisnull(r, i, IT_MY_TEXT)) {
			tmpl_vars_set(it, "my_salt", COL(IT_MY_SALT));
			tmpl_vars_set(it, "my_receipt_text", COL(IT_MY_TEXT));
		}
		if (!PQgetisnull(r, i, IT_ADOPTED)) {
			tmpl_vars_setf(it, "adopted_href", "/documents/%s/%s",
			    COL(IT_SLUG), COL(IT_ADOPTED));
			tmpl_vars_set(it, "adopted_version", COL(IT_ADOPTED));
		}
	}
#undef COL
}

/* The session page of assembly a; error (a refused act) and note (the
 * answer of a receipt check) shown above it. */
static enum MHD_Result
assembly_session_page(struct http_req *req, const struct caller_me *me,
    long long a, unsigned status, const char *error, const char *note)
{
	struct tmpl_vars	*vars = NULL, *o;
	PGresult		*g = NULL, *r = NULL, *m = NULL, *pp = NULL;
	const char		*params[1];
	char			 err[256], id[24];
	int			 i, acts, present, presides, proxy, open_poll = 0;
	int			 en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

	snprintf(id, sizeof(id), "%lld", a);
	params[0] = id;
	g = caller_db(req, "SELECT g.kind::text, g.title, g.status::text, "
	    CALLER_JST("g.starts_at") ", m.present, m.proxy_to_chair IS NOT NULL, "
	    "m.proxy_to_chair, m.proxy_holder_ja, m.proxy_holder_en, m.acts, "
	    "m.presides, m.started FROM council.ga_assemblies g "
	    "CROSS JOIN LATERAL council.ga_me(g.id) m WHERE g.id = $1::bigint",
	    1, params, err, sizeof(err));
	if (g != NULL && PQntuples(g) == 1)
		r = caller_db(req, ASSEMBLY_ITEMS_SQL, 1, params, err, sizeof(err));
	if (r != NULL)
		m = caller_db(req, "SELECT o.id, o.name_ja, o.name_en FROM "
		    "council.organisations o WHERE o.status = 'member' AND "
		    "o.id <> (SELECT me.org_id FROM council.me) ORDER BY o.id",
		    0, NULL, err, sizeof(err));
	/* R-GOV-3: who acts for the organisation; its administrators may
	 * designate one of its people. */
	if (m != NULL)
		pp = caller_db(req, "SELECT p.id, p.name_ja, p.name_en, "
		    "p.id = (SELECT r.person_id FROM council.ga_representatives r "
		    "WHERE r.assembly_id = $1::bigint AND r.org_id = "
		    "(SELECT me.org_id FROM council.me)), "
		    "(SELECT q.is_org_admin FROM council.people q, council.me "
		    "WHERE q.id = me.person_id) FROM council.people p "
		    "WHERE p.org_id = (SELECT me.org_id FROM council.me) "
		    "AND p.active ORDER BY p.id", 1, params, err, sizeof(err));
	if (g == NULL || (PQntuples(g) == 1 && (r == NULL || m == NULL ||
	    pp == NULL))) {
		if (g == NULL && strcmp(err, "not_signed_in") == 0) {
			ret = http_redirect(req, "/signin");
			goto out;
		}
		log_error("msg=\"assembly failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(g) != 1) {
		ret = http_error(req, 404, NULL);	/* R-GOV-8: as absent */
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	if (note != NULL)
		tmpl_vars_set(vars, "note", note);
	tmpl_vars_set(vars, "id", id);
	tmpl_vars_setf(vars, "action", ASSEMBLY_PREFIX "%s", id);
	tmpl_vars_setf(vars, "minutes_href", ASSEMBLY_PREFIX "%s/minutes", id);
	assembly_label(req, vars, "kind", "ga.kind", PQgetvalue(g, 0, 0));
	tmpl_vars_set(vars, "title", PQgetvalue(g, 0, 1));
	assembly_label(req, vars, "status", "ga.status", PQgetvalue(g, 0, 2));
	tmpl_vars_set(vars, "starts", PQgetvalue(g, 0, 3));
	present = *PQgetvalue(g, 0, 4) == 't';
	proxy = *PQgetvalue(g, 0, 5) == 't';
	acts = *PQgetvalue(g, 0, 9) == 't';
	presides = *PQgetvalue(g, 0, 10) == 't';
	for (i = 0; i < PQntuples(r); i++)
		if (strcmp(PQgetvalue(r, i, IT_STATUS), "open") == 0)
			open_poll = 1;
	if (strcmp(PQgetvalue(g, 0, 2), "convened") == 0) {
		tmpl_vars_set(vars, "convened", "1");
		if (*PQgetvalue(g, 0, 11) != 't')
			tmpl_vars_set(vars, "not_started", "1");
		else if (acts)
			tmpl_vars_set(vars, present ? "may_leave" : "may_attend",
			    "1");
		/* Issue 17 item 7: a proxy may be given (and revoked) from
		 * the convocation on, before the session opens, so that it
		 * opens with its quorum (R-GOV-3). */
		if (acts) {
			if (!present && !proxy) {
				tmpl_vars_set(vars, "may_proxy", "1");
				for (i = 0; i < PQntuples(m); i++) {
					o = tmpl_vars_add_item(vars, "orgs");
					tmpl_vars_set(o, "id", PQgetvalue(m, i, 0));
					tmpl_vars_set(o, "name",
					    PQgetvalue(m, i, en ? 2 : 1));
				}
			}
			if (proxy && !open_poll)
				tmpl_vars_set(vars, "may_revoke", "1");
		}
		if (presides && !open_poll)
			tmpl_vars_set(vars, "may_close", "1");
	}
	if (present)
		tmpl_vars_set(vars, "present", "1");
	if (proxy)
		tmpl_vars_set(vars, "proxy_holder",
		    *PQgetvalue(g, 0, 6) == 't' ? http_text(req, "ga.chair") :
		    PQgetvalue(g, 0, en ? 8 : 7));
	if (acts)
		tmpl_vars_set(vars, "acts", "1");
	for (i = 0; i < PQntuples(pp); i++) {
		if (*PQgetvalue(pp, i, 3) == 't')
			tmpl_vars_set(vars, "representative",
			    PQgetvalue(pp, i, en ? 2 : 1));
		if (*PQgetvalue(pp, i, 4) != 't' ||
		    strcmp(PQgetvalue(g, 0, 2), "convened") != 0)
			continue;
		tmpl_vars_set(vars, "may_designate", "1");
		o = tmpl_vars_add_item(vars, "people");
		tmpl_vars_set(o, "id", PQgetvalue(pp, i, 0));
		tmpl_vars_set(o, "name", PQgetvalue(pp, i, en ? 2 : 1));
	}
	for (i = 0; i < PQntuples(r); i++)
		assembly_item(req, vars, r, i, acts, present, presides);
	ret = http_page(req, status, "assembly.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(pp);
	PQclear(m);
	PQclear(r);
	PQclear(g);
	return ret;
}

/*
 * POST /assemblies/N (action, item, choice, for, holder, closes, receipt):
 * one act, through the JSON API's calls.  Done: 303 back to the page (at
 * the item).  Refused: the page again with the reason and the API's status.
 */
enum MHD_Result
assembly_act(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[7], *vparams[3], *action, *item, *holder;
	const char		*closes;
	char			 err[256], id[24], loc[96], note[512];
	long long		 a = req->id;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	snprintf(id, sizeof(id), "%lld", a);
	action = form_get(&f, "action");
	item = form_get(&f, "item");
	holder = form_get(&f, "holder");
	closes = form_get(&f, "closes");
	memset(params, 0, sizeof(params));
	params[0] = id;
	params[1] = action;
	if (action == NULL) {
		ret = assembly_session_page(req, &me, a, 422, assembly_error_text(req,
		    "invalid_action"), NULL);
		goto out;
	}
	if (strcmp(action, "attend") == 0 || strcmp(action, "leave") == 0 ||
	    strcmp(action, "revoke_proxy") == 0 || strcmp(action, "close") == 0 ||
	    strcmp(action, "proxy") == 0 || strcmp(action, "designate") == 0) {
		/* Issue 17: closing ends the session for good; the form asks
		 * for an explicit confirmation (as the withdrawal does). */
		if (strcmp(action, "close") == 0 && (form_get(&f, "confirm") ==
		    NULL || strcmp(form_get(&f, "confirm"), "yes") != 0)) {
			ret = assembly_session_page(req, &me, a, 422,
			    assembly_error_text(req, "confirm_close"), NULL);
			goto out;
		}
		/* holder: an organisation id, or "chair" (no holder). */
		if (strcmp(action, "proxy") == 0 && (holder == NULL ||
		    (strcmp(holder, "chair") != 0 &&
		    util_id_parse(holder) == 0))) {
			ret = assembly_session_page(req, &me, a, 422,
			    assembly_error_text(req, "holder_not_found"), NULL);
			goto out;
		}
		params[2] = holder != NULL && strcmp(holder, "chair") != 0 ?
		    holder : NULL;
		/* designate: person, one of the organisation's people (R-GOV-3). */
		if (!assembly_opt_id(form_get(&f, "person"), &params[3]) ||
		    (strcmp(action, "designate") == 0 && params[3] == NULL)) {
			ret = assembly_session_page(req, &me, a, 422,
			    assembly_error_text(req, "person_not_found"), NULL);
			goto out;
		}
		r = caller_db(req, "SELECT status, body::json->>'error' FROM "
		    "council.api_ga_act($1::bigint, json_strip_nulls("
		    "json_build_object('action', $2::text, 'holder', "
		    "$3::bigint, 'person', $4::bigint))::text)", 4, params, err,
		    sizeof(err));
		snprintf(loc, sizeof(loc), ASSEMBLY_PREFIX "%s", id);
	} else if (strcmp(action, "open") == 0 || strcmp(action, "vote") == 0 ||
	    strcmp(action, "remind") == 0 || strcmp(action, "verify") == 0) {
		if (item == NULL || util_id_parse(item) == 0) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		if (strcmp(action, "open") == 0 && !form_is_local_minute(closes)) {
			ret = assembly_session_page(req, &me, a, 422,
			    assembly_error_text(req, "invalid_closes_at"), NULL);
			goto out;
		}
		if (!assembly_opt_id(form_get(&f, "for"), &params[4])) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		params[2] = item;
		params[3] = form_get(&f, "choice");
		params[5] = strcmp(action, "open") == 0 ? closes : NULL;
		params[6] = form_get(&f, "receipt");
		/* The item must be this assembly's: another's is absent.
		 * verify: the receipt's ballot (valid, choice, version,
		 * counted), after the close only (R-GOV-3 receipts). */
		if (strcmp(action, "verify") == 0) {
			vparams[0] = id;
			vparams[1] = item;
			vparams[2] = params[6];
			r = caller_db(req, "SELECT CASE WHEN v->>'valid' = 'true' "
			    "THEN 200 ELSE 422 END, v->>'choice', v->>'version', "
			    "v->>'latest', v->>'counted' FROM council.ga_items i "
			    "CROSS JOIN LATERAL council.ga_verify_receipt(i.id, "
			    "$3::text) v WHERE i.id = $2::bigint AND "
			    "i.assembly_id = $1::bigint", 3, vparams, err,
			    sizeof(err));
		}
		else
			r = caller_db(req, "SELECT x.status, "
			    "x.body::json->>'error' FROM council.ga_items i "
			    "CROSS JOIN LATERAL council.api_ga_poll_act(i.id, "
			    "json_strip_nulls(json_build_object('action', $2::text, "
			    "'choice', $4::text, 'for', $5::bigint, 'closes_at', "
			    "$6::text || ':00+09:00'))::text) x WHERE i.id = "
			    "$3::bigint AND i.assembly_id = $1::bigint", 6, params,
			    err, sizeof(err));
		snprintf(loc, sizeof(loc), ASSEMBLY_PREFIX "%s#item-%s", id, item);
	} else {
		ret = assembly_session_page(req, &me, a, 422, assembly_error_text(req,
		    "invalid_action"), NULL);
		goto out;
	}
	if (r == NULL) {
		if (strcmp(err, "not_found") == 0 ||
		    strcmp(err, "invalid_receipt") == 0 ||
		    strcmp(err, "poll_not_closed") == 0) {
			ret = assembly_session_page(req, &me, a, strcmp(err,
			    "not_found") == 0 ? 404 : 422, assembly_error_text(req,
			    err), NULL);
			goto out;
		}
		log_error("msg=\"assembly act failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(r) != 1) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if (strcmp(action, "verify") == 0) {
		if (strcmp(PQgetvalue(r, 0, 0), "200") != 0) {
			ret = assembly_session_page(req, &me, a, 422,
			    assembly_error_text(req, "receipt_unknown"), NULL);
			goto out;
		}
		snprintf(note, sizeof(note), "%s %s / %s %s / %s / %s",
		    http_text(req, "ga.receipt.valid"),
		    http_text_of(req, "ga.choice", PQgetvalue(r, 0, 1), NULL),
		    http_text(req, "ga.version"), PQgetvalue(r, 0, 2),
		    http_text(req, strcmp(PQgetvalue(r, 0, 3), "true") == 0 ?
		    "ga.receipt.latest" : "ga.receipt.superseded"),
		    http_text(req, strcmp(PQgetvalue(r, 0, 4), "true") == 0 ?
		    "ga.receipt.counted" : "ga.receipt.not_counted"));
		ret = assembly_session_page(req, &me, a, 200, NULL, note);
		goto out;
	}
	if (atoi(PQgetvalue(r, 0, 0)) >= 300) {
		ret = assembly_session_page(req, &me, a,
		    (unsigned)atoi(PQgetvalue(r, 0, 0)),
		    assembly_error_text(req, PQgetvalue(r, 0, 1)), NULL);
		goto out;
	}
	/* Say what happened: done.ga.<action> (http_redirect_done). */
	snprintf(note, sizeof(note), "ga.%s", action);
	ret = http_redirect_done(req, loc, note);
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
assembly_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return assembly_session_page(req, &me, req->id, 200, NULL, NULL);
}
