/*
 * notify.c: the notifications page and API, and "My tasks" (see
 * notify.h).  Nothing is filtered in C: council.notifications is read
 * under its policy (only one's own, and one about a post only while the
 * post is readable), council.my_tasks under the policies of what it reads,
 * and council.notification_read marks only the caller's own.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "db.h"
#include "feedback.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "notify.h"
#include "tmpl.h"

/*
 * GET /tasks (issue 17, "My tasks"): one inbox of everything waiting for
 * the person: council.my_tasks() (feedback owed, consents to decide,
 * votes, requests for cooperation, soonest first), then the unread
 * notifications (the 20 newest), then the task-force dashboard (the
 * feedback its own posts asked for), each read under its own policies.  The
 * task kinds are the catalog's tasks.kind.<kind>.
 */
static const char NOTIFY_TASKS_SQL[] =
    "SELECT kind, link, title, " CALLER_JST("due") ", "
    "due IS NOT NULL AND due < now() + interval '1 day' FROM council.my_tasks()";
/* A notification's subject in the language $1 (caller_lang_query: the
 * URL's, else the person's own; CALLER_EN). */
#define NOTIFY_SUBJECT \
	"CASE WHEN " CALLER_EN("$1") " THEN n.subject_en ELSE n.subject_ja END"
static const char NOTIFY_UNREAD_SQL[] =
    "SELECT " NOTIFY_SUBJECT ", n.link, " CALLER_JST("n.created_at") ", x.title "
    "FROM council.notifications n LEFT JOIN council.posts x ON x.id = n.post_id "
    "WHERE n.read_at IS NULL ORDER BY n.created_at DESC, n.id DESC LIMIT 20";
/* /notifications: the 100 newest, read or not. */
static const char NOTIFY_LIST_SQL[] =
    "SELECT " NOTIFY_SUBJECT ", n.link, " CALLER_JST("n.created_at") ", "
    "n.read_at IS NULL, x.title FROM council.notifications n "
    "LEFT JOIN council.posts x ON x.id = n.post_id "
    "ORDER BY n.created_at DESC, n.id DESC LIMIT 100";

/*
 * The task-force dashboard of /tasks (issue 17): the organisation's own
 * posts that asked for feedback in the last 30 days, newest deadline
 * first, each with its tally (council.feedback_tally: the author's own),
 * answered of expected.  Nothing for the secretariat (the tally is not
 * its: R-ORG-6).
 */
static const char NOTIFY_TF_SQL[] =
    "SELECT x.id, x.title, " CALLER_JST("x.feedback_deadline") ", "
    "x.feedback_deadline < now(), x.t->>'answered', x.t->>'expected', "
    "x.t->>'seen', x.t->>'not_seen', x.t->>'unknown', x.t->>'expert' "
    "FROM (SELECT p.id, p.title, p.feedback_deadline, "
    "council.feedback_tally(p.id) AS t FROM (SELECT y.id, y.title, "
    "y.feedback_deadline FROM council.posts y "
    "WHERE y.feedback_deadline > now() - interval '30 days' "
    "AND y.parent_id IS NULL AND NOT coalesce((SELECT me.is_secretariat "
    "FROM council.me), false) AND EXISTS (SELECT 1 FROM "
    "council.post_authors a WHERE a.post_id = y.id AND a.org_id = "
    "(SELECT me.org_id FROM council.me)) "
    "ORDER BY y.feedback_deadline DESC, y.id DESC LIMIT 10) p) x";

/* The dashboard's rows (NOTIFY_TF_SQL's result r) as the list tf_posts. */
static void
notify_tf_posts(struct http_req *req, struct tmpl_vars *vars, PGresult *r)
{
	struct tmpl_vars	*item;
	const char		*counts[4];
	char			 id[40];
	int			 i, k;

	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "tf_posts");
		tmpl_vars_setf(item, "href", "/posts/%s#feedback",
		    PQgetvalue(r, i, 0));
		tmpl_vars_set(item, "title", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "deadline", PQgetvalue(r, i, 2));
		if (*PQgetvalue(r, i, 3) == 't')
			tmpl_vars_set(item, "closed", "1");
		tmpl_vars_set(item, "answered", PQgetvalue(r, i, 4));
		tmpl_vars_set(item, "expected", PQgetvalue(r, i, 5));
		for (k = 0; k < 4; k++)
			counts[k] = PQgetvalue(r, i, 6 + k);
		snprintf(id, sizeof(id), "tf-%s", PQgetvalue(r, i, 0));
		feedback_tally_chart(req, item, "chart", id, counts);
	}
}

enum MHD_Result
notify_tasks(struct http_req *req)
{
	struct caller_me	 me;
	struct db_stmt		 s[3];
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*t, *u;
	const char		*lang[1] = { caller_lang_query(req) };
	char			 key[48];
	int			 i;
	enum MHD_Result		 ret;

	memset(s, 0, sizeof(s));
	s[0].sql = NOTIFY_TASKS_SQL;
	s[1].sql = NOTIFY_UNREAD_SQL;
	s[1].nparams = 1;
	s[1].params = lang;
	s[2].sql = NOTIFY_TF_SQL;
	if (!caller_page_db(req, &me, s, 3, &ret))
		return ret;
	if ((t = s[0].result) == NULL || (u = s[1].result) == NULL ||
	    s[2].result == NULL) {
		log_error("msg=\"tasks failed\" rid=%s error=\"%s%s%s\"",
		    req->rid, s[0].err, s[1].err, s[2].err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	for (i = 0; i < PQntuples(t); i++) {
		item = tmpl_vars_add_item(vars, "tasks");
		snprintf(key, sizeof(key), "tasks.kind.%s", PQgetvalue(t, i, 0));
		tmpl_vars_set(item, "kind", http_text(req, key));
		tmpl_vars_set(item, "href", PQgetvalue(t, i, 1));
		tmpl_vars_set(item, "title", PQgetisnull(t, i, 2) ?
		    http_text(req, key) : PQgetvalue(t, i, 2));
		if (!PQgetisnull(t, i, 3))
			tmpl_vars_set(item, "due", PQgetvalue(t, i, 3));
		if (*PQgetvalue(t, i, 4) == 't')
			tmpl_vars_set(item, "soon", "1");
	}
	for (i = 0; i < PQntuples(u); i++) {
		item = tmpl_vars_add_item(vars, "unread");
		tmpl_vars_set(item, "subject", PQgetvalue(u, i, 0));
		tmpl_vars_set(item, "href", PQgetvalue(u, i, 1));
		tmpl_vars_set(item, "date", PQgetvalue(u, i, 2));
		if (!PQgetisnull(u, i, 3))
			tmpl_vars_set(item, "title", PQgetvalue(u, i, 3));
	}
	notify_tf_posts(req, vars, s[2].result);
	ret = http_page(req, 200, "tasks.xhtml", vars);
out:
	tmpl_vars_free(vars);
	for (i = 0; i < 3; i++)
		PQclear(s[i].result);
	return ret;
}

/* GET /api/v1/tasks: {"unread": n, "tasks": [{kind, ref, post_id, title,
 * due, link}]}, as the page. */
enum MHD_Result
notify_api_tasks(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT CASE WHEN EXISTS (SELECT 1 FROM "
	    "council.me) THEN json_build_object('unread', (SELECT count(*) "
	    "FROM council.notifications n WHERE n.read_at IS NULL), "
	    "'tasks', coalesce((SELECT json_agg(t) FROM council.my_tasks() t), "
	    "'[]'))::text END", 0, NULL);
}

/* GET /notifications: newest first (at most 100), unread ones marked;
 * for one about a post, the post's title (read under its policies). */
enum MHD_Result
notify_list(struct http_req *req)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL;
	const char		*lang[1] = { caller_lang_query(req) };
	char			 err[256];
	int			 i, unread = 0;
	enum MHD_Result		 ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	r = caller_db(req, NOTIFY_LIST_SQL, 1, lang, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"notifications failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, &me);
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "notifications");
		tmpl_vars_set(item, "subject", PQgetvalue(r, i, 0));
		tmpl_vars_set(item, "href", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "date", PQgetvalue(r, i, 2));
		if (*PQgetvalue(r, i, 3) == 't') {
			tmpl_vars_set(item, "unread", "1");
			unread++;
		}
		if (!PQgetisnull(r, i, 4))
			tmpl_vars_set(item, "title", PQgetvalue(r, i, 4));
	}
	if (unread > 0)
		tmpl_vars_set(vars, "any_unread", "1");
	ret = http_page(req, 200, "notifications.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

/* POST /notifications (read=all): mark every one read, back to the list. */
enum MHD_Result
notify_read(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*what;
	char			 err[256];
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	what = form_get(&f, "read");
	if (what == NULL || strcmp(what, "all") != 0) {
		ret = http_error(req, 422, NULL);
		goto out;
	}
	r = caller_db(req, "SELECT council.notification_read(NULL)", 0, NULL,
	    err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"marking read failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	ret = http_redirect_done(req, "/notifications", "notifications.read");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
notify_api_list(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req, "SELECT CASE WHEN EXISTS (SELECT 1 FROM "
	    "council.me) THEN council.my_notifications()::text END", 0, NULL);
}

enum MHD_Result
notify_api_read(struct http_req *req)
{
	const char	*params[1];
	char		*body;
	enum MHD_Result	 ret;

	if (!api_body(req, &body, &ret))
		return ret;
	params[0] = body;
	ret = api_call(req, "SELECT status, body FROM "
	    "council.api_notifications_read($1)", 1, params);
	free(body);
	return ret;
}
