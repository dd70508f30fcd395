/*
 * caller.h: who is asking, for every page and API call of pages/: the
 * request's statement with its identity (caller_db), the signed-in person
 * as the header shows them, the frame of a signed-in page, a signed-in
 * form with its form token, and small readers of the query string.  The
 * database decides who someone is (council.me); nothing here filters
 * visibility.
 */
#ifndef COUNCIL_CALLER_H
#define COUNCIL_CALLER_H

#include <stddef.h>

#include <libpq-fe.h>
#include <microhttpd.h>

struct db_stmt;
struct form;
struct http_req;
struct multipart;
struct multipart_limits;
struct tmpl_vars;

/* SQL: the timestamp expression col as people read it, in JST
 * (Asia/Tokyo) to the minute; the database stores UTC. */
#define CALLER_JST(col) "to_char((" col ")::timestamptz AT TIME ZONE " \
	"'Asia/Tokyo', 'YYYY-MM-DD HH24:MI')"

/* SQL: whether a batched read speaks English: the parameter p ('en' or
 * 'ja', from caller_lang_query) when the URL asks for a language, else
 * the person's own.  A page's reads run in the identity's batch
 * (caller_page_db), before req->lang is the person's. */
#define CALLER_EN(p) "(coalesce(" p "::text, (SELECT pl.lang FROM council.me ml " \
	"JOIN council.people pl ON pl.id = ml.person_id), 'ja') = 'en')"

/* The header's badge counts unread notifications up to this many, and
 * shows "9+" from there: at most two characters in the header, and at
 * most ten notifications read for it on every page. */
#define CALLER_UNREAD_CAP	10
#define CALLER_UNREAD_CAP_S	"10"

/* The signed-in person, as the header of every page shows them. */
struct caller_me {
	char	name[256];
	char	org[256];
	int	org_admin;	/* people.is_org_admin (/settings/org) */
	int	unread;		/* unread notifications, at most CALLER_UNREAD_CAP */
};

/*
 * caller_db: one query with the request's identity (db_run on council_app);
 *   NULL and err filled on failure.  For CP-class errors err is the bare
 *   stable code.
 * caller_require: 1 when signed in (me filled); else 0 and *ret answered
 *   (303 to /signin, or 503).
 * caller_page_db: caller_require and a page's n reads (at most
 *   DB_BATCH_MAX - 1) in ONE round trip: the identity first, then s[0..n)
 *   in one pipeline and transaction (db_run_batch).  1 when signed in (me
 *   filled; each s[i] has its result, or its err when it failed; after a
 *   failure the rest did not run); else 0 with *ret answered as
 *   caller_require does.  Put a read that may fail for a reason the page
 *   shows (a bad filter) last.
 * caller_identify: who is asking, for a page anyone may see: 1 signed in
 *   (me filled, the person's language taken), 0 nobody, -1 no database.
 * caller_form: parse a signed-in form into f and check its form token;
 *   0 with *ret answered (400 malformed, 403 bad token).
 * caller_multipart: the same for a signed-in multipart/form-data body
 *   (an import page's file), parsed into m within lim (parts, header and
 *   field bytes; a file and the whole body: the route's body limit); a
 *   refusal is logged as "<what> upload refused".
 * caller_frame: the layout variables of a signed-in page (nav_badge: the
 *   unread notifications, when any).
 * caller_id_arg: a positive id from the query string; 0 absent, -1 bad.
 * caller_lang_query: "en" or "ja" when the URL asks for a language
 *   (?lang=), else NULL: CALLER_EN's parameter.
 */
PGresult	*caller_db(struct http_req *, const char *, int,
		    const char *const *, char *, size_t);
int		 caller_require(struct http_req *, struct caller_me *,
		    enum MHD_Result *);
int		 caller_page_db(struct http_req *, struct caller_me *,
		    struct db_stmt *, int, enum MHD_Result *);
int		 caller_identify(struct http_req *, struct caller_me *);
int		 caller_form(struct http_req *, struct form *, enum MHD_Result *);
int		 caller_multipart(struct http_req *, struct multipart *,
		    const struct multipart_limits *, const char *what,
		    enum MHD_Result *);
void		 caller_frame(struct http_req *, struct tmpl_vars *,
		    const struct caller_me *);
long long	 caller_id_arg(struct http_req *, const char *);
const char	*caller_lang_query(struct http_req *);
/*
 * The name of a decision rule (council.decision_rules: code, version) as
 * people read it, with its article and version: the catalog key
 * "rule.<code>.<version>" (issue 17 item 8: no internal code on a page);
 * a rule the catalogs do not name yet shows as "<code>.<version>".  buf
 * (at least 80 bytes) may hold the answer.
 */
const char	*caller_rule_name(struct http_req *, const char *code,
		    const char *version, char *buf, size_t buflen);

/*
 * "2日 3時間" / "2 d 3 h": secs (> 0) of time left in the catalog's units
 * (feedback.unit.*), into out.
 */
void		 caller_time_left(struct http_req *, long long secs, char *out,
		    size_t len);

/*
 * Charts (issue 17, server/web/chart.h) of numbers a page already read
 * under row-level security, as markup for t:markup (tmpl_vars_set_markup
 * of name in vars).
 *
 * caller_vote_chart: a counted vote.  Every field is a column as the
 * database wrote it (text; NULL or "" when absent): the choices, the pass
 * rule (cmp ">" or ">=", num/den of base) and the quorum (the count
 * present of the whole, the rule's cmp, num/den; no rule: no line).
 * present_key names the catalog text of the turnout row.
 *
 * caller_countdown: the time left (left_s) of a window of total_s
 * seconds, titled by the catalog text of what_key and the time left in
 * words ("soon" under a day, "overdue" at none).
 */
struct caller_vote {
	const char	*yes, *no, *abstain;
	const char	*pass_cmp, *pass_num, *pass_den, *pass_base;
	const char	*present, *whole, *q_cmp, *q_num, *q_den;
	const char	*present_key;
};
void		 caller_vote_chart(struct http_req *, struct tmpl_vars *,
		    const char *name, const char *id,
		    const struct caller_vote *);
void		 caller_countdown(struct http_req *, struct tmpl_vars *,
		    const char *name, const char *id, const char *what_key,
		    long long total_s, long long left_s);

#endif
