/*
 * mailprefs.c: e-mail preferences (see mailprefs.h).  Every decision is
 * the database's (policy/95_mail.sql): whose certificate, who administers
 * the organisation, whether it is registered.  This file checks that a
 * certificate is one (OpenSSL, core/smime.c) and reads the address it
 * names; the database holds it to the person's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "mailprefs.h"
#include "smime.h"
#include "tmpl.h"
#include "util.h"

/* The catalog text of "mail.error.<code>", else of "mail.error.invalid". */
static const char *
mailprefs_error_text(struct http_req *req, const char *code)
{
	char	key[128];

	snprintf(key, sizeof(key), "mail.error.%s", code);
	if (strcmp(http_text(req, key), key) != 0)
		return http_text(req, key);
	return http_text(req, "mail.error.invalid");
}

/* The page: whether a certificate is registered; for an administrator,
 * the organisation's registration.  error above the forms. */
static enum MHD_Result
mailprefs_page(struct http_req *req, unsigned status,
    const struct caller_me *me, const char *error)
{
	struct tmpl_vars	*vars = NULL;
	PGresult		*r;
	char			 err[256];
	enum MHD_Result		 ret;

	r = caller_db(req, "SELECT (council.my_smime()->>'registered')::boolean, "
	    "(council.my_early_warning()->>'registered')::boolean, "
	    "(council.my_early_warning()->>'liaison')::boolean, "
	    "p.is_org_admin FROM council.me m JOIN council.people p "
	    "ON p.id = m.person_id", 0, NULL, err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"mail settings failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(r) != 1) {
		ret = http_redirect(req, "/signin");
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	if (*PQgetvalue(r, 0, 0) == 't')
		tmpl_vars_set(vars, "smime_registered", "1");
	if (*PQgetvalue(r, 0, 3) == 't' && *PQgetvalue(r, 0, 2) != 't')
		tmpl_vars_set(vars, *PQgetvalue(r, 0, 1) == 't' ?
		    "ew_registered" : "ew_left", "1");
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	ret = http_page(req, status, "mail_settings.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

enum MHD_Result
mailprefs_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return mailprefs_page(req, 200, &me, NULL);
}

/*
 * POST /settings/mail: action=smime with pem (a certificate naming the
 * person's address), action=smime_remove, or action=early_warning with
 * registered=1 or 0 (R-ORG-10; the administrator only, else the
 * database's org_admin_only).
 */
enum MHD_Result
mailprefs_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*action, *pem, *reg, *params[2];
	char			 err[256], email[256];
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	action = form_get(&f, "action");
	pem = form_get(&f, "pem");
	reg = form_get(&f, "registered");
	if (action != NULL && strcmp(action, "smime") == 0) {
		if (pem == NULL || smime_cert_email(pem, strlen(pem), email,
		    sizeof(email)) != 0) {
			ret = mailprefs_page(req, 422, &me,
			    mailprefs_error_text(req, "invalid_certificate"));
			goto out;
		}
		params[0] = pem;
		params[1] = email;
		r = caller_db(req, "SELECT council.set_my_smime_cert($1, $2)",
		    2, params, err, sizeof(err));
	} else if (action != NULL && strcmp(action, "smime_remove") == 0) {
		r = caller_db(req, "SELECT council.set_my_smime_cert(NULL, "
		    "NULL)", 0, NULL, err, sizeof(err));
	} else if (action != NULL && strcmp(action, "early_warning") == 0 &&
	    reg != NULL && (strcmp(reg, "1") == 0 || strcmp(reg, "0") == 0)) {
		params[0] = reg[0] == '1' ? "t" : "f";
		r = caller_db(req, "SELECT council.set_early_warning("
		    "$1::boolean)", 1, params, err, sizeof(err));
	} else {
		ret = mailprefs_page(req, 400, &me,
		    mailprefs_error_text(req, "invalid"));
		goto out;
	}
	if (r == NULL) {
		if (strcmp(err, "not_signed_in") == 0)
			ret = http_redirect(req, "/signin");
		else if (strcmp(err, "org_admin_only") == 0)
			ret = mailprefs_page(req, 403, &me,
			    mailprefs_error_text(req, err));
		else if (strncmp(err, "invalid_", 8) == 0 ||
		    strcmp(err, "smime_email_mismatch") == 0 ||
		    strcmp(err, "liaison_member") == 0)
			ret = mailprefs_page(req, 422, &me,
			    mailprefs_error_text(req, err));
		else {
			log_error("msg=\"mail settings save failed\" rid=%s "
			    "error=\"%s\"", req->rid, err);
			ret = http_error(req, 503, NULL);
		}
		goto out;
	}
	ret = http_redirect_done(req, "/settings/mail", "settings.saved");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* GET /api/v1/me/smime: {"registered": bool}. */
enum MHD_Result
mailprefs_api_smime_get(struct http_req *req)
{
	return api_json_query(req, "SELECT council.my_smime()", 0, NULL);
}

/*
 * POST /api/v1/me/smime {"pem": "..."} or {"pem": null}: a certificate
 * that is none (or names no address) is 422 invalid_certificate before
 * the database is asked; the database holds the address to the caller's
 * (422 smime_email_mismatch).
 */
enum MHD_Result
mailprefs_api_smime_post(struct http_req *req)
{
	PGresult	*r = NULL;
	char		*body = NULL, err[256], email[256];
	const char	*params[2];
	enum MHD_Result	 ret;

	if (!api_body(req, &body, &ret))
		return ret;
	params[0] = body;
	/* The pem member as text (NULL when absent, null or not JSON: the
	 * database's api_args then answers what is wrong). */
	r = caller_db(req, "SELECT CASE WHEN jsonb_typeof(council.json_or_"
	    "null($1)->'pem') = 'string' THEN council.json_or_null($1)->>"
	    "'pem' END", 1, params, err, sizeof(err));
	if (r == NULL) {
		ret = api_error(req, 503, "unavailable");
		goto out;
	}
	params[1] = NULL;
	if (!PQgetisnull(r, 0, 0)) {
		const char *pem = PQgetvalue(r, 0, 0);

		if (smime_cert_email(pem, strlen(pem), email,
		    sizeof(email)) != 0) {
			ret = api_error(req, 422, "invalid_certificate");
			goto out;
		}
		params[1] = email;
	}
	ret = api_call(req, "SELECT status, body FROM council.api_smime_cert($1, $2)",
	    2, params);
out:
	PQclear(r);
	free(body);
	return ret;
}

/* GET /api/v1/org/early-warning: {"registered": bool, "liaison": bool}. */
enum MHD_Result
mailprefs_api_early_warning(struct http_req *req)
{
	return api_json_query(req, "SELECT council.my_early_warning()", 0, NULL);
}
