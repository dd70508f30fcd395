/*
 * notify.c: the notifications page and API (see notify.h).  Nothing is
 * filtered in C: council.notifications is read under its policy, and
 * council.notification_read marks only the caller's own.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "notify.h"
#include "tmpl.h"

/* GET /notifications: newest first (at most 100), unread ones marked. */
enum MHD_Result
notify_list(struct http_req *req)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL;
	char			 err[256];
	int			 i, unread = 0;
	enum MHD_Result		 ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	r = caller_db(req, req->lang == I18N_EN ?
	    "SELECT subject_en, link, to_char(created_at AT TIME ZONE "
	    "'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), read_at IS NULL "
	    "FROM council.notifications ORDER BY created_at DESC, id DESC "
	    "LIMIT 100" :
	    "SELECT subject_ja, link, to_char(created_at AT TIME ZONE "
	    "'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), read_at IS NULL "
	    "FROM council.notifications ORDER BY created_at DESC, id DESC "
	    "LIMIT 100", 0, NULL, err, sizeof(err));
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
	ret = http_redirect(req, "/notifications");
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
