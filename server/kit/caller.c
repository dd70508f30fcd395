/*
 * caller.c: who is asking (see caller.h).  Every read goes through db_run
 * with the request's identity; what comes back is what row-level security
 * let through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caller.h"
#include "chart.h"
#include "credential.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "multipart.h"
#include "tmpl.h"
#include "util.h"

PGresult *
caller_db(struct http_req *req, const char *sql, int n,
    const char *const *params, char *err, size_t errlen)
{
	struct db_ident	id = { req->session_hash, req->rid, &req->db_trips };

	return db_run(req->srv->db, req->srv->cfg->db_acquire_timeout_ms, &id,
	    sql, n, params, NULL, err, errlen);
}

/*
 * Who is asking, in the request's language; also records activity for the
 * idle time-out; and how many of the person's notifications are unread
 * (the header's badge, issue 17: read under the notifications' policy, so
 * one about a post the person no longer reads is not counted), counted up
 * to CALLER_UNREAD_CAP.  A signed-in request takes the person's language
 * (people.lang, set on /settings or by the language switch) unless ?lang=
 * asked for one, which is then kept as theirs.  Returns 1
 * signed in, 0 not (no session, expired, revoked...), -1 database trouble.
 */
static const char CALLER_WHOAMI_SQL[] =
    "SELECT p.name_ja, p.name_en, o.name_ja, o.name_en, "
    "council.session_touch(), p.lang, p.is_org_admin, "
    "(SELECT count(*) FROM (SELECT 1 FROM council.notifications n "
    "WHERE n.read_at IS NULL LIMIT " CALLER_UNREAD_CAP_S ") u) "
    "FROM council.me m "
    "JOIN council.people p ON p.id = m.person_id "
    "JOIN council.organisations o ON o.id = m.org_id";

/*
 * Issue 17 (the language choice persists): the language a signed-in
 * person picks with ?lang= on a page (GET: the header's switch) becomes
 * their own, on
 * every page and every device from now on, as if set on /settings
 * (audited there).  Best effort: a failure is logged, the page goes on.
 */
static void
caller_keep_lang(struct http_req *req)
{
	const char	*params[1];
	char		 err[256];
	PGresult	*r;

	params[0] = i18n_lang_code(req->lang);
	if ((r = caller_db(req, "SELECT council.set_my_settings($1)", 1,
	    params, err, sizeof(err))) == NULL)
		log_error("msg=\"language not kept\" rid=%s error=\"%s\"",
		    req->rid, err);
	PQclear(r);
}

/* me from CALLER_WHOAMI_SQL's result r (cleared here): 1 or 0. */
static int
caller_whoami_read(struct http_req *req, struct caller_me *me, PGresult *r)
{
	int	en, rc, l = -1;

	rc = PQntuples(r) == 1;
	if (rc) {
		/* The person's own language (/settings, or the last switch)
		 * unless the URL asks for another (?lang=), which then
		 * becomes theirs. */
		l = i18n_lang_parse(PQgetvalue(r, 0, 5));
		if (!req->lang_from_query && l >= 0)
			req->lang = (enum i18n_lang)l;
		en = req->lang == I18N_EN;
		me->org_admin = *PQgetvalue(r, 0, 6) == 't';
		me->unread = atoi(PQgetvalue(r, 0, 7));
		snprintf(me->name, sizeof(me->name), "%s",
		    PQgetvalue(r, 0, en ? 1 : 0));
		snprintf(me->org, sizeof(me->org), "%s",
		    PQgetvalue(r, 0, en ? 3 : 2));
	}
	PQclear(r);
	/* The switch is a link (GET); a form posted to a URL with ?lang=
	 * answers in that language and changes no setting. */
	if (rc && req->lang_from_query && req->method == HTTP_GET &&
	    l != (int)req->lang)
		caller_keep_lang(req);
	return rc;
}

static int
caller_whoami(struct http_req *req, struct caller_me *me)
{
	PGresult	*r;
	char		 err[256];

	if (req->session_hash[0] == '\0')
		return 0;
	r = caller_db(req, CALLER_WHOAMI_SQL, 0, NULL, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"whoami failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		return -1;
	}
	return caller_whoami_read(req, me, r);
}

/* The language the URL asks for, or NULL (caller.h, CALLER_EN). */
const char *
caller_lang_query(struct http_req *req)
{
	if (!req->lang_from_query)
		return NULL;
	return req->lang == I18N_EN ? "en" : "ja";
}

/*
 * A signed-in page's reads in one round trip (caller.h): the identity,
 * then s[0..n) in the same pipeline and transaction.  A statement that
 * runs for nobody sees nothing (row-level security), and its result is
 * thrown away unanswered.
 */
int
caller_page_db(struct http_req *req, struct caller_me *me,
    struct db_stmt *s, int n, enum MHD_Result *ret)
{
	struct db_ident	id = { req->session_hash, req->rid, &req->db_trips };
	struct db_stmt	all[DB_BATCH_MAX];
	char		err[256];
	int		i, who;

	for (i = 0; i < n; i++) {
		s[i].result = NULL;
		s[i].sqlstate[0] = s[i].err[0] = '\0';
	}
	if (req->session_hash[0] == '\0') {
		*ret = http_redirect(req, "/signin");
		return 0;
	}
	if (n < 0 || n > DB_BATCH_MAX - 1) {
		log_error("msg=\"page batch too long\" rid=%s n=%d", req->rid,
		    n);
		*ret = http_error(req, 500, NULL);
		return 0;
	}
	memset(&all[0], 0, sizeof(all[0]));
	all[0].sql = CALLER_WHOAMI_SQL;
	if (n > 0)
		memcpy(&all[1], s, (size_t)n * sizeof(*s));
	if (db_run_batch(req->srv->db, req->srv->cfg->db_acquire_timeout_ms,
	    &id, all, n + 1, err, sizeof(err)) == -1 && all[0].result == NULL) {
		log_error("msg=\"whoami failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		*ret = http_error(req, 503, NULL);
		goto fail;
	}
	who = caller_whoami_read(req, me, all[0].result);
	if (who != 1) {
		*ret = http_redirect(req, "/signin");
		goto fail;
	}
	if (n > 0)
		memcpy(s, &all[1], (size_t)n * sizeof(*s));
	return 1;
fail:
	for (i = 1; i <= n; i++)
		PQclear(all[i].result);
	return 0;
}

/* Who is asking, for pages that anyone may see (caller.h). */
int
caller_identify(struct http_req *req, struct caller_me *me)
{
	return caller_whoami(req, me);
}

/* Layout variables of a signed-in page. */
void
caller_frame(struct http_req *req, struct tmpl_vars *vars,
    const struct caller_me *me)
{
	char	badge[16];

	tmpl_vars_set(vars, "signed_in", "1");
	if (me->org_admin)
		tmpl_vars_set(vars, "me_org_admin", "1");
	tmpl_vars_set(vars, "me_name", me->name);
	tmpl_vars_set(vars, "me_org", me->org);
	tmpl_vars_set(vars, "csrf_token", req->csrf);
	if (me->unread >= CALLER_UNREAD_CAP)
		snprintf(badge, sizeof(badge), "%d+", CALLER_UNREAD_CAP - 1);
	else if (me->unread > 0)
		snprintf(badge, sizeof(badge), "%d", me->unread);
	if (me->unread > 0)
		tmpl_vars_set(vars, "nav_badge", badge);
}

/*
 * Every member page starts here: 1 when the request is signed in (me is
 * filled); otherwise 0 with *ret already answered (303 to /signin, or 503
 * when the database did not answer).
 */
int
caller_require(struct http_req *req, struct caller_me *me,
    enum MHD_Result *ret)
{
	return caller_page_db(req, me, NULL, 0, ret);
}

/*
 * A signed-in form: parse the body into f and check its form token.
 * Returns 1, or 0 with *ret answered (400 malformed, 403 bad token).
 */
int
caller_multipart(struct http_req *req, struct multipart *m,
    const struct multipart_limits *lim, const char *what,
    enum MHD_Result *ret)
{
	struct multipart_limits	 l = *lim;
	char			 boundary[MULTIPART_MAX_BOUNDARY + 1];
	char			 err[256];

	if (multipart_boundary(http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE),
	    boundary, sizeof(boundary)) == -1) {
		*ret = http_error(req, 400, NULL);
		return 0;
	}
	l.max_file = l.max_total = req->body_limit;
	if (multipart_parse(m, req->body.data, req->body.len, boundary, &l,
	    err, sizeof(err)) != MULTIPART_OK) {
		log_info("msg=\"%s upload refused\" rid=%s reason=\"%s\"",
		    what, req->rid, err);
		*ret = http_error(req, 400, NULL);
		return 0;
	}
	if (!credential_csrf_multipart_ok(req, m)) {
		*ret = http_error(req, 403, NULL);
		return 0;
	}
	return 1;
}

int
caller_form(struct http_req *req, struct form *f, enum MHD_Result *ret)
{
	char	err[256];

	if (form_parse(f, req->body.data, req->body.len, err,
	    sizeof(err)) == -1) {
		*ret = http_error(req, 400, NULL);
		return 0;
	}
	if (!credential_csrf_ok(req, f)) {
		*ret = http_error(req, 403, NULL);
		return 0;
	}
	return 1;
}

/* A positive post id from the query string, or 0 when absent; -1 bad. */
long long
caller_id_arg(struct http_req *req, const char *name)
{
	const char	*v = http_query(req, name);
	char		*end;
	long long	 n;

	if (v == NULL || *v == '\0')
		return 0;
	if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 18)
		return -1;
	n = strtoll(v, &end, 10);
	return n > 0 ? n : -1;
}

const char *
caller_rule_name(struct http_req *req, const char *code, const char *version,
    char *buf, size_t buflen)
{
	snprintf(buf, buflen, "%s.%s", code, version);
	return http_text_of(req, "rule", buf, NULL);
}

void
caller_time_left(struct http_req *req, long long secs, char *out, size_t len)
{
	long long	d = secs / 86400, h = (secs % 86400) / 3600;
	long long	m = (secs % 3600) / 60;

	if (d > 0)
		snprintf(out, len, "%lld%s %lld%s", d,
		    http_text(req, "feedback.unit.days"), h,
		    http_text(req, "feedback.unit.hours"));
	else if (h > 0)
		snprintf(out, len, "%lld%s %lld%s", h,
		    http_text(req, "feedback.unit.hours"), m,
		    http_text(req, "feedback.unit.minutes"));
	else
		snprintf(out, len, "%lld%s", m > 0 ? m : 1,
		    http_text(req, "feedback.unit.minutes"));
}

/* A column's number; absent or not a number: -1. */
static double
caller_num(const char *s)
{
	char	*end;
	double	 v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtod(s, &end);
	return *end == '\0' && v == v ? v : -1;
}

/* base * num / den of a rule, or -1 when any is absent or den is 0. */
static double
caller_rule_line(const char *base, const char *num, const char *den)
{
	double	b = caller_num(base), n = caller_num(num), d = caller_num(den);

	return b < 0 || n < 0 || d <= 0 ? -1 : b * n / d;
}

void
caller_vote_chart(struct http_req *req, struct tmpl_vars *vars,
    const char *name, const char *id, const struct caller_vote *cv)
{
	struct chart_part	 c[3] = {
		{ http_text(req, "ga.choice.yes"), 0, "yes" },
		{ http_text(req, "ga.choice.no"), 0, "no" },
		{ http_text(req, "ga.choice.abstain"), 0, "abstain" }
	};
	struct chart_vote	 v;
	struct buf		 b;
	int			 gt;

	c[0].value = (long long)caller_num(cv->yes);
	c[1].value = (long long)caller_num(cv->no);
	c[2].value = (long long)caller_num(cv->abstain);
	memset(&v, 0, sizeof(v));
	v.title = http_text(req, "chart.vote");
	v.choices = c;
	v.nchoices = 3;
	v.base = (long long)caller_num(cv->pass_base);
	v.needed = caller_rule_line(cv->pass_base, cv->pass_num, cv->pass_den);
	gt = cv->pass_cmp != NULL && strcmp(cv->pass_cmp, ">") == 0;
	v.needed_label = http_text(req, gt ? "chart.needed.gt" :
	    "chart.needed.ge");
	v.turnout = (long long)caller_num(cv->present);
	v.electorate = (long long)caller_num(cv->whole);
	v.quorum = caller_rule_line(cv->whole, cv->q_num, cv->q_den);
	gt = cv->q_cmp != NULL && strcmp(cv->q_cmp, ">") == 0;
	v.quorum_label = http_text(req, gt ? "chart.quorum.gt" :
	    "chart.quorum.ge");
	v.turnout_label = http_text(req, cv->present_key);
	buf_init(&b);
	chart_vote(&b, id, &v, req->lang);
	tmpl_vars_set_markup(vars, name, b.data);
	buf_free(&b);
}

void
caller_countdown(struct http_req *req, struct tmpl_vars *vars,
    const char *name, const char *id, const char *what_key,
    long long total_s, long long left_s)
{
	struct buf	b, title;
	char		left[64];

	buf_init(&title);
	buf_puts(&title, http_text(req, what_key));
	buf_puts(&title, " ");
	if (left_s > 0) {
		caller_time_left(req, left_s, left, sizeof(left));
		buf_puts(&title, http_text(req, "feedback.left"));
		buf_puts(&title, " ");
		buf_puts(&title, left);
	} else
		buf_puts(&title, http_text(req, "obligations.overdue"));
	buf_init(&b);
	chart_countdown(&b, id, title.data, total_s, left_s, left_s <= 0 ?
	    "overdue" : left_s < 86400 ? "soon" : NULL, req->lang);
	tmpl_vars_set_markup(vars, name, b.data);
	buf_free(&b);
	buf_free(&title);
}
