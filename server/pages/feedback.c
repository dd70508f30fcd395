/*
 * feedback.c: task-force feedback on the member portal (see feedback.h).
 * R-TF-1: Type 2 members answer seen here / not seen / don't know, Type 1
 * members may give expert feedback; R-TF-5: obligations with deadlines
 * and a contribution ledger.  Every decision is the database's
 * (policy/60_feedback.sql): this file turns its answers into pages and JSON.
 * Dates and the time left are shown in JST.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "chart.h"
#include "db.h"
#include "feedback.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "post.h"
#include "tmpl.h"
#include "util.h"

#define FEEDBACK_COMMENT_MAX	4000	/* characters, as the database */

static const char *const feedback_answers[] = {
	"seen", "not_seen", "unknown", "expert"
};

/* Column numbers of FEEDBACK_POST_SQL: the feedback state (every row),
 * then the tally's counts (every row, NULL without a tally) and one of its
 * comments per row (NULL without any). */
enum { FB_STATUS, FB_DEADLINE, FB_SECS, FB_CLASS, FB_ANSWER, FB_COMMENT,
    FB_SEEN, FB_NOT_SEEN, FB_UNKNOWN, FB_EXPERT, FB_ANSWERED, FB_EXPECTED,
    FB_LATE, FB_C_CLASS, FB_C_ANSWER, FB_C_COMMENT, FB_C_AT, FB_C_LATE,
    FB_C_ORG_JA, FB_C_ORG_EN };

/* The post's feedback state for the caller and, where the rules show it,
 * the tally with its comments (R-TF-1, R-TF-6): one statement, the tally's
 * JSON turned into rows where it is made. */
static const char FEEDBACK_POST_SQL[] =
    "SELECT s.status, s.deadline, s.secs, s.cls, s.answer, s.comment, "
    "s.t->>'seen', s.t->>'not_seen', s.t->>'unknown', s.t->>'expert', "
    "s.t->>'answered', s.t->>'expected', s.t->>'late', "
    "c->>'class', c->>'answer', c->>'comment', "
    CALLER_JST("c->>'at'") ", (c->>'late')::boolean, "
    "c->'org'->>'name_ja', c->'org'->>'name_en' "
    "FROM (SELECT council.feedback_status(x.id) AS status, "
    CALLER_JST("x.feedback_deadline") " AS deadline, "
    "floor(extract(epoch FROM x.feedback_deadline - now()))::bigint AS secs, "
    "council.current_tf_class() AS cls, f.answer, f.comment, "
    "CASE WHEN council.feedback_status(x.id) IN ('collecting', 'closed') "
    "OR (SELECT me.is_coordinator FROM council.me) "
    "THEN council.feedback_tally(x.id) END AS t "
    "FROM council.posts x LEFT JOIN council.feedback f ON f.post_id = x.id "
    "AND f.org_id = (SELECT me.org_id FROM council.me) "
    "WHERE x.id = $1 AND x.feedback_deadline IS NOT NULL "
    "AND x.parent_id IS NULL) s "
    "LEFT JOIN LATERAL json_array_elements(s.t->'comments') c ON true";

/* A tally as a stacked bar (issue 17; feedback.h). */
void
feedback_tally_chart(struct http_req *req, struct tmpl_vars *vars,
    const char *name, const char *id, const char *const counts[4])
{
	struct chart_part	 parts[UTIL_ARRAY_LEN(feedback_answers)];
	struct buf		 b;
	char			 key[48];
	size_t			 i;

	for (i = 0; i < UTIL_ARRAY_LEN(parts); i++) {
		snprintf(key, sizeof(key), "feedback.answer.%s",
		    feedback_answers[i]);
		parts[i].label = http_text(req, key);
		parts[i].value = atoll(counts[i]);
		parts[i].cls = feedback_answers[i];
	}
	buf_init(&b);
	chart_stack(&b, id, http_text(req, "feedback.tally"), parts,
	    UTIL_ARRAY_LEN(parts), req->lang);
	tmpl_vars_set_markup(vars, name, b.data);
	buf_free(&b);
}

/* The post page's tally chart, from FEEDBACK_POST_SQL's counts (the
 * rules already showed them to this person): tally_chart. */
static void
feedback_post_chart(struct http_req *req, const PGresult *r,
    struct tmpl_vars *vars)
{
	const char	*counts[4];

	counts[0] = PQgetvalue(r, 0, FB_SEEN);
	counts[1] = PQgetvalue(r, 0, FB_NOT_SEEN);
	counts[2] = PQgetvalue(r, 0, FB_UNKNOWN);
	counts[3] = PQgetvalue(r, 0, FB_EXPERT);
	feedback_tally_chart(req, vars, "tally_chart", "tally", counts);
}

/* The tally's counts and comments from FEEDBACK_POST_SQL's rows (R-TF-1:
 * the author sees them). */
static void
feedback_tally_vars(struct http_req *req, const PGresult *r,
    struct tmpl_vars *vars)
{
	struct tmpl_vars	*item;
	char			 key[48];
	int			 i, en = req->lang == I18N_EN;

	tmpl_vars_set(vars, "tally", "1");
	tmpl_vars_set(vars, "tally_seen", PQgetvalue(r, 0, FB_SEEN));
	tmpl_vars_set(vars, "tally_not_seen", PQgetvalue(r, 0, FB_NOT_SEEN));
	tmpl_vars_set(vars, "tally_unknown", PQgetvalue(r, 0, FB_UNKNOWN));
	tmpl_vars_set(vars, "tally_expert", PQgetvalue(r, 0, FB_EXPERT));
	tmpl_vars_set(vars, "tally_answered", PQgetvalue(r, 0, FB_ANSWERED));
	tmpl_vars_set(vars, "tally_expected", PQgetvalue(r, 0, FB_EXPECTED));
	tmpl_vars_set(vars, "tally_late", PQgetvalue(r, 0, FB_LATE));
	feedback_post_chart(req, r, vars);
	for (i = 0; i < PQntuples(r); i++) {
		if (PQgetisnull(r, i, FB_C_CLASS))
			continue;
		item = tmpl_vars_add_item(vars, "tally_comments");
		snprintf(key, sizeof(key), "class.%s",
		    PQgetvalue(r, i, FB_C_CLASS));
		tmpl_vars_set(item, "class", http_text(req, key));
		snprintf(key, sizeof(key), "feedback.answer.%s",
		    PQgetvalue(r, i, FB_C_ANSWER));
		tmpl_vars_set(item, "answer", http_text(req, key));
		tmpl_vars_set(item, "comment", PQgetvalue(r, i, FB_C_COMMENT));
		tmpl_vars_set(item, "date", PQgetvalue(r, i, FB_C_AT));
		if (*PQgetvalue(r, i, FB_C_LATE) == 't')
			tmpl_vars_set(item, "late", "1");
		if (!PQgetisnull(r, i, FB_C_ORG_JA))
			tmpl_vars_set(item, "org",
			    PQgetvalue(r, i, en ? FB_C_ORG_EN : FB_C_ORG_JA));
	}
}

/* The characters (UTF-8 code points) of s, as the database counts them. */
static size_t
feedback_chars(const char *s)
{
	size_t	n = 0;

	for (; s != NULL && *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int
feedback_is_answer(const char *v)
{
	size_t	i;

	for (i = 0; v != NULL && i < UTIL_ARRAY_LEN(feedback_answers); i++)
		if (strcmp(v, feedback_answers[i]) == 0)
			return 1;
	return 0;
}

void
feedback_post_vars(struct http_req *req, long long n, struct tmpl_vars *vars,
    const char *error, const struct form *sent)
{
	PGresult	*r;
	const char	*params[1], *st, *cls, *ans, *comment;
	char		 id[24], err[256], key[48], left[64], var[32];

	snprintf(id, sizeof(id), "%lld", n);
	params[0] = id;
	r = caller_db(req, FEEDBACK_POST_SQL, 1, params, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"feedback vars failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return;
	}
	if (PQntuples(r) < 1 || PQgetisnull(r, 0, FB_STATUS))
		goto out;
	st = PQgetvalue(r, 0, FB_STATUS);
	cls = PQgetvalue(r, 0, FB_CLASS);
	tmpl_vars_set(vars, "fb", "1");
	snprintf(key, sizeof(key), "feedback.status.%s", st);
	tmpl_vars_set(vars, "fb_status", http_text(req, key));
	tmpl_vars_setf(vars, "fb_status_class", "badge badge--fb-%s", st);
	tmpl_vars_set(vars, "fb_deadline", PQgetvalue(r, 0, FB_DEADLINE));
	if (atol(PQgetvalue(r, 0, FB_SECS)) > 0) {
		caller_time_left(req, atol(PQgetvalue(r, 0, FB_SECS)), left,
		    sizeof(left));
		tmpl_vars_set(vars, "fb_left", left);
	} else
		tmpl_vars_set(vars, "fb_passed", "1");
	/* R-TF-1: the task force answers; the author and others do not. */
	if (strcmp(st, "open") == 0 || strcmp(st, "overdue") == 0 ||
	    strcmp(st, "answered") == 0 || (strcmp(st, "none") == 0 &&
	    strcmp(cls, "type1") == 0)) {
		tmpl_vars_set(vars, "fb_form", "1");
		if (strcmp(cls, "type1") == 0)
			tmpl_vars_set(vars, "fb_expert", "1");
		ans = comment = NULL;
		if (!PQgetisnull(r, 0, FB_ANSWER)) {
			ans = PQgetvalue(r, 0, FB_ANSWER);
			comment = PQgetvalue(r, 0, FB_COMMENT);
			snprintf(key, sizeof(key), "feedback.answer.%s", ans);
			tmpl_vars_set(vars, "fb_mine", http_text(req, key));
		}
		/* Issue 17: a refused answer is shown as it was sent, the
		 * field it failed on marked. */
		if (sent != NULL) {
			ans = form_get(sent, "answer");
			comment = form_get(sent, "comment");
			if (!feedback_is_answer(ans)) {
				ans = NULL;
				tmpl_vars_set(vars, "fb_bad_answer", "true");
				tmpl_vars_set(vars, "fb_bad_answer_ref",
				    "fb-error");
			} else if (feedback_chars(comment) >
			    FEEDBACK_COMMENT_MAX || (strcmp(ans, "expert") == 0 &&
			    feedback_chars(comment) == 0)) {
				tmpl_vars_set(vars, "fb_bad_comment", "true");
				tmpl_vars_set(vars, "fb_bad_comment_ref",
				    "fb-error");
			}
		}
		if (ans != NULL) {
			snprintf(var, sizeof(var), "fb_checked_%s", ans);
			tmpl_vars_set(vars, var, "checked");
		}
		if (comment != NULL)
			tmpl_vars_set(vars, "fb_comment", comment);
	}
	if (!PQgetisnull(r, 0, FB_SEEN))
		feedback_tally_vars(req, r, vars);
	if (error != NULL)
		tmpl_vars_set(vars, "fb_error", error);
out:
	PQclear(r);
}

/*
 * POST /feedback (post, answer, comment): council.give_feedback decides.
 * Refused: the post's page again, 422, with the message in the person's
 * language; a hidden post: the same 404 as an absent one.
 */
enum MHD_Result
feedback_answer(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[3], *post, *answer, *comment;
	char			 err[256], key[300], loc[64];
	long long		 n;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	post = form_get(&f, "post");
	answer = form_get(&f, "answer");
	comment = form_get(&f, "comment");
	n = post != NULL ? util_id_parse(post) : 0;
	if (n == 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if (!feedback_is_answer(answer)) {
		ret = post_page(req, &me, n, 422, "feedback",
		    http_text(req, "feedback.error.invalid_answer"), &f);
		goto out;
	}
	if (comment != NULL && strlen(comment) > FEEDBACK_COMMENT_MAX * 4) {
		ret = post_page(req, &me, n, 422, "feedback",
		    http_text(req, "feedback.error.comment_too_long"), &f);
		goto out;
	}
	params[0] = post;
	params[1] = answer;
	params[2] = comment != NULL ? comment : "";
	r = caller_db(req, "SELECT council.give_feedback($1::bigint, $2, $3)",
	    3, params, err, sizeof(err));
	if (r == NULL) {
		if (strcmp(err, "post_not_found") == 0) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		snprintf(key, sizeof(key), "feedback.error.%s", err);
		ret = post_page(req, &me, n, 422, "feedback",
		    strcmp(http_text(req, key), key) != 0 ? http_text(req, key) :
		    http_text(req, "feedback.error.invalid_answer"), &f);
		goto out;
	}
	snprintf(loc, sizeof(loc), "/posts/%lld#feedback", n);
	ret = http_redirect_done(req, loc, "feedback.saved");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* R-TF-5: what the member's organisation owes, soonest first. */
enum MHD_Result
feedback_obligations(struct http_req *req)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL;
	char			 err[256], key[48], left[64];
	int			 i;
	enum MHD_Result		 ret;

	if (!caller_require(req, &me, &ret))
		goto out;
	/* The window of a countdown opens with the post (read under its
	 * policy: the obligation is to a post this member sees). */
	r = caller_db(req, "SELECT o.post_id, o.kind::text, o.title, "
	    "o.tlp::text, o.is_secret, to_char(o.deadline AT TIME ZONE "
	    "'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), floor(extract(epoch FROM "
	    "o.deadline - now()))::bigint, floor(extract(epoch FROM "
	    "o.deadline - x.created_at))::bigint "
	    "FROM council.my_obligations() o "
	    "LEFT JOIN council.posts x ON x.id = o.post_id "
	    "ORDER BY o.deadline, o.post_id", 0, NULL, err,
	    sizeof(err));
	if (r == NULL) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "obligations");
		tmpl_vars_setf(item, "href", "/posts/%s#feedback",
		    PQgetvalue(r, i, 0));
		snprintf(key, sizeof(key), "kind.%s", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "kind", http_text(req, key));
		tmpl_vars_set(item, "title", PQgetvalue(r, i, 2));
		snprintf(key, sizeof(key), "tlp.%s", PQgetvalue(r, i, 3));
		tmpl_vars_set(item, "tlp", http_text(req, key));
		tmpl_vars_setf(item, "tlp_class", "tlp tlp--%s",
		    PQgetvalue(r, i, 3));
		if (*PQgetvalue(r, i, 4) == 't')
			tmpl_vars_set(item, "secret", "1");
		tmpl_vars_set(item, "deadline", PQgetvalue(r, i, 5));
		if (atol(PQgetvalue(r, i, 6)) > 0) {
			caller_time_left(req, atol(PQgetvalue(r, i, 6)), left,
			    sizeof(left));
			tmpl_vars_set(item, "left", left);
			if (atol(PQgetvalue(r, i, 6)) < 86400)
				tmpl_vars_set(item, "soon", "1");
		} else
			tmpl_vars_set(item, "overdue", "1");
		if (!PQgetisnull(r, i, 7)) {
			snprintf(key, sizeof(key), "left-%s",
			    PQgetvalue(r, i, 0));
			caller_countdown(req, item, "left_chart", key,
			    "feedback.deadline", atoll(PQgetvalue(r, i, 7)),
			    atoll(PQgetvalue(r, i, 6)));
		}
	}
	ret = http_page(req, 200, "obligations.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

/* One ledger (JSON from council.ledger) as variables of item. */
static void
feedback_ledger_item(struct http_req *req, PGresult *r, int row,
    struct tmpl_vars *item)
{
	static const char *const cols[] = { "org_id", "name_ja", "name_en",
	    "tf_class", "original_posts", "replies", "feedback_given",
	    "expert_feedback", "due", "on_time", "missed", "rate" };
	char	key[48];
	int	c, en = req->lang == I18N_EN;

	for (c = 0; c < (int)UTIL_ARRAY_LEN(cols); c++)
		tmpl_vars_set(item, cols[c], PQgetvalue(r, row, c));
	tmpl_vars_set(item, "name", PQgetvalue(r, row, en ? 2 : 1));
	snprintf(key, sizeof(key), "class.%s", PQgetvalue(r, row, 3));
	tmpl_vars_set(item, "class", http_text(req, key));
	if (PQgetisnull(r, row, 11))
		tmpl_vars_set(item, "rate", "-");
	tmpl_vars_setf(item, "href", "/ledger?org=%s", PQgetvalue(r, row, 0));
}

/* The ledger's months (council.ledger_months: rows of month, due,
 * on_time, late, missed) as the list months and the chart
 * ledger_chart (issue 17). */
static void
feedback_ledger_months(struct http_req *req, const PGresult *r,
    struct tmpl_vars *vars)
{
	struct chart_part	 series[3] = {
		{ http_text(req, "ledger.on_time"), 0, "on-time" },
		{ http_text(req, "chart.ledger.late"), 0, "late" },
		{ http_text(req, "ledger.missed"), 0, "missed" }
	};
	struct tmpl_vars	*item;
	const char		**months;
	long long		*values;
	struct buf		 b;
	int			 i, n = PQntuples(r), c;

	if (n == 0)
		return;
	months = xcalloc((size_t)n, sizeof(*months));
	values = xcalloc((size_t)n * 3, sizeof(*values));
	for (i = 0; i < n; i++) {
		item = tmpl_vars_add_item(vars, "months");
		months[i] = PQgetvalue(r, i, 0);
		tmpl_vars_set(item, "month", months[i]);
		tmpl_vars_set(item, "due", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "on_time", PQgetvalue(r, i, 2));
		tmpl_vars_set(item, "late", PQgetvalue(r, i, 3));
		tmpl_vars_set(item, "missed", PQgetvalue(r, i, 4));
		for (c = 0; c < 3; c++)
			values[i * 3 + c] = atoll(PQgetvalue(r, i, 2 + c));
	}
	buf_init(&b);
	chart_columns(&b, "ledger", http_text(req, "chart.ledger"), months,
	    (size_t)n, series, 3, values, req->lang);
	tmpl_vars_set_markup(vars, "ledger_chart", b.data);
	buf_free(&b);
	free(values);
	free(months);
}

#define FEEDBACK_LEDGER_COLS \
    "l->'org'->>'id', l->'org'->>'name_ja', l->'org'->>'name_en', " \
    "l->'org'->>'tf_class', l->>'original_posts', l->>'replies', " \
    "l->>'feedback_given', l->>'expert_feedback', l->>'due', " \
    "l->>'on_time', l->>'missed', " \
    "to_char((l->>'on_time_rate')::numeric * 100, 'FM990.0') || '%'"

/*
 * GET /ledger[?org=N]: R-TF-5, the contribution ledger, for the member
 * itself and the coordinator (another member's: the same 404 as an
 * unknown organisation).  The coordinator also gets every TF member's.
 */
enum MHD_Result
feedback_ledger(struct http_req *req)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL, *all = NULL, *months = NULL;
	const char		*params[1];
	char			 err[256], org[24];
	long long		 o = caller_id_arg(req, "org");
	int			 i;
	enum MHD_Result		 ret;

	if (!caller_require(req, &me, &ret))
		goto out;
	if (o < 0) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	snprintf(org, sizeof(org), "%lld", o);
	params[0] = o > 0 ? org : NULL;
	r = caller_db(req, "SELECT " FEEDBACK_LEDGER_COLS
	    " FROM council.ledger($1::bigint) l", 1, params, err, sizeof(err));
	if (r == NULL) {
		ret = http_error(req, strcmp(err, "organisation_not_found") ==
		    0 ? 404 : 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	feedback_ledger_item(req, r, 0, vars);
	/* The same organisation's months, under the same rule of who may
	 * read its ledger (council.ledger__org). */
	months = caller_db(req, "SELECT month, due, on_time, late, missed "
	    "FROM council.ledger_months($1::bigint)", 1, params, err,
	    sizeof(err));
	if (months != NULL)
		feedback_ledger_months(req, months, vars);
	else
		log_error("msg=\"ledger months failed\" rid=%s error=\"%s\"",
		    req->rid, err);
	all = caller_db(req, "SELECT " FEEDBACK_LEDGER_COLS " FROM "
	    "json_array_elements(council.ledger_all()) l "
	    "WHERE (SELECT me.is_coordinator FROM council.me)", 0, NULL, err,
	    sizeof(err));
	for (i = 0; all != NULL && i < PQntuples(all); i++) {
		item = tmpl_vars_add_item(vars, "ledgers");
		feedback_ledger_item(req, all, i, item);
	}
	ret = http_page(req, 200, "ledger.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(months);
	PQclear(all);
	PQclear(r);
	return ret;
}

/* JSON API. ------------------------------------------------------------- */

enum MHD_Result
feedback_api_obligations(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req,
	    "SELECT CASE WHEN EXISTS (SELECT 1 FROM council.me) THEN "
	    "json_build_object('obligations', coalesce((SELECT json_agg("
	    "json_build_object('post_id', o.post_id, 'kind', o.kind, "
	    "'title', o.title, 'tlp', o.tlp, 'secret', o.is_secret, "
	    "'deadline', o.deadline, 'overdue', o.deadline < now()) "
	    "ORDER BY o.deadline, o.post_id) FROM council.my_obligations() o), "
	    "'[]'::json))::text END", 0, NULL);
}

enum MHD_Result
feedback_api_ledger(struct http_req *req)
{
	const char	*params[1];
	char		 org[24];
	long long	 o = caller_id_arg(req, "org");

	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	if (o < 0)
		return api_error(req, 404, "organisation_not_found");
	snprintf(org, sizeof(org), "%lld", o);
	params[0] = o > 0 ? org : NULL;
	return api_call(req, "SELECT status, body FROM "
	    "council.api_read('ledger', $1::bigint)", 1, params);
}

