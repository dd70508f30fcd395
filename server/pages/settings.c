/*
 * settings.c: own settings, organisation administration and the roster
 * (see settings.h).  Every decision is the database's
 * (policy/64_settings.sql): who is an administrator, whose people an id
 * may name (a person of another organisation is not found, exactly like
 * an absent id), what a value may be.  This file checks the shape of what
 * a form sends, turns the database's answers into pages and JSON, and
 * never filters.  Dates are shown in JST.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api.h"
#include "caller.h"
#include "confirm.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "settings.h"
#include "tmpl.h"
#include "totp.h"
#include "util.h"

#define SETTINGS_REASON_MAX	500	/* characters, as the database */

/* The notification preferences: form value, column, template variable. */
static const char *const settings_notify[] = {
	"new_in_scope", "feedback_due", "consent_request", "governance"
};
static const char *const settings_digests[] = { "none", "immediate", "daily" };
/* Organisation categories, in the order of council.org_category. */
static const char *const settings_categories[] = {
	"national_agency", "local_government", "ci_operator", "cyber_business",
	"academia", "mutual_aid", "individual", "other"
};

/* The index of v in set[0..n), or -1 (also for a NULL v). */
static int
settings_index(const char *v, const char *const *set, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++)
		if (strcmp(v, set[i]) == 0)
			return (int)i;
	return -1;
}

/* 1 when s is a positive id of at most 18 digits. */
static int
settings_is_id(const char *s)
{
	return s != NULL && *s != '\0' && *s != '0' && strlen(s) <= 18 &&
	    strspn(s, "0123456789") == strlen(s);
}

/*
 * The message for a database error code of this module: the catalog text
 * of "<prefix>.error.<code>" when the catalogs have it, else that of
 * "<prefix>.error.invalid".
 */
static const char *
settings_error_text(struct http_req *req, const char *prefix,
    const char *code)
{
	char	key[128];

	snprintf(key, sizeof(key), "%s.error.%s", prefix, code);
	if (strcmp(http_text(req, key), key) != 0)
		return http_text(req, key);
	snprintf(key, sizeof(key), "%s.error.invalid", prefix);
	return http_text(req, key);
}

/* Own settings. --------------------------------------------------------------- */

/*
 * The settings page, as the database has them; error (a message) is shown
 * above the form.  A session that ended meanwhile goes to /signin.
 */
static enum MHD_Result
settings_page(struct http_req *req, unsigned status,
    const struct caller_me *me, const char *error)
{
	struct tmpl_vars	*vars = NULL;
	PGresult		*r;
	char			 err[256], name[48];
	size_t			 i;
	enum MHD_Result		 ret;

	r = caller_db(req, "SELECT lang, notify_new_in_scope, "
	    "notify_feedback_due, notify_consent_request, notify_governance, "
	    "email_digest, is_org_admin FROM council.my_settings()", 0, NULL,
	    err, sizeof(err));
	if (r == NULL) {
		log_error("msg=\"settings failed\" rid=%s error=\"%s\"",
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
	snprintf(name, sizeof(name), "lang_%s", PQgetvalue(r, 0, 0));
	tmpl_vars_set(vars, name, "checked");
	for (i = 0; i < UTIL_ARRAY_LEN(settings_notify); i++) {
		if (*PQgetvalue(r, 0, (int)i + 1) != 't')
			continue;
		snprintf(name, sizeof(name), "notify_%s", settings_notify[i]);
		tmpl_vars_set(vars, name, "checked");
	}
	snprintf(name, sizeof(name), "digest_%s", PQgetvalue(r, 0, 5));
	tmpl_vars_set(vars, name, "checked");
	if (*PQgetvalue(r, 0, 6) == 't')
		tmpl_vars_set(vars, "org_admin", "1");
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	ret = http_page(req, status, "settings.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

enum MHD_Result
settings_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return settings_page(req, 200, &me, NULL);
}

/*
 * POST /settings: lang (ja, en), notify (repeatable: the preferences that
 * are on; an absent one is off), email_digest (none, immediate, daily).
 * Anything else is refused with a message and nothing is stored.  The new
 * language is the person's from the next page on (caller.c reads
 * people.lang); the lang cookie follows, for the pages that do not know
 * who is asking (errors, sign-in).
 */
enum MHD_Result
settings_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[6], *lang, *digest, *v;
	char			 err[256];
	int			 on[UTIL_ARRAY_LEN(settings_notify)] = { 0 }, k;
	size_t			 i;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	lang = form_get(&f, "lang");
	digest = form_get(&f, "email_digest");
	for (i = 0; (v = form_get_nth(&f, "notify", i)) != NULL; i++) {
		if ((k = settings_index(v, settings_notify,
		    UTIL_ARRAY_LEN(settings_notify))) < 0)
			break;
		on[k] = 1;
	}
	if (v != NULL || form_count(&f, "lang") != 1 ||
	    form_count(&f, "email_digest") != 1 ||
	    (strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0) ||
	    settings_index(digest, settings_digests,
	    UTIL_ARRAY_LEN(settings_digests)) < 0) {
		ret = settings_page(req, 400, &me,
		    http_text(req, "settings.error.invalid"));
		goto out;
	}
	params[0] = lang;
	for (i = 0; i < UTIL_ARRAY_LEN(settings_notify); i++)
		params[i + 1] = on[i] ? "t" : "f";
	params[5] = digest;
	r = caller_db(req, "SELECT council.set_my_settings($1, $2::boolean, "
	    "$3::boolean, $4::boolean, $5::boolean, $6)", 6, params, err,
	    sizeof(err));
	if (r == NULL) {
		if (strcmp(err, "not_signed_in") == 0)
			ret = http_redirect(req, "/signin");
		else if (strncmp(err, "invalid_", 8) == 0)
			ret = settings_page(req, 422, &me,
			    settings_error_text(req, "settings", err));
		else {
			log_error("msg=\"settings save failed\" rid=%s "
			    "error=\"%s\"", req->rid, err);
			ret = http_error(req, 503, NULL);
		}
		goto out;
	}
	http_lang_cookie(req, strcmp(lang, "en") == 0 ? I18N_EN : I18N_JA);
	ret = http_redirect_done(req, "/settings", "settings.saved");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* Organisation administration. ------------------------------------------------ */

/* Column numbers of SETTINGS_ORG_SQL. */
enum { ORG_NAME_JA, ORG_NAME_EN, ORG_SECRET, ORG_ROSTER, ORG_P_ID,
    ORG_P_NAME_JA, ORG_P_NAME_EN, ORG_P_EMAIL, ORG_P_ACTIVE, ORG_P_ADMIN,
    ORG_P_HANDLER, ORG_P_SINCE };

static const char SETTINGS_ORG_SQL[] =
    "SELECT o.name_ja, o.name_en, o.secret_opt_out, o.roster_opt_out, "
    "p.id, p.name_ja, p.name_en, p.email, p.active, p.is_org_admin, "
    "p.handler, coalesce(to_char(p.registered_at AT TIME ZONE 'Asia/Tokyo', "
    "'YYYY-MM-DD HH24:MI'), '') "
    "FROM council.org_people() p "
    "JOIN council.organisations o ON o.id = (SELECT me.org_id FROM council.me) "
    "ORDER BY p.id";

/* Column numbers of SETTINGS_ENROL_SQL. */
enum { EN_ID, EN_NAME_JA, EN_NAME_EN, EN_EMAIL, EN_ORG_JA, EN_ORG_EN,
    EN_LIVE };

/* Who the caller may issue an enrolment token for (issue 10 item 5). */
static const char SETTINGS_ENROL_SQL[] =
    "SELECT person_id, name_ja, name_en, email, org_name_ja, org_name_en, "
    "coalesce(to_char(live_token_expires AT TIME ZONE 'Asia/Tokyo', "
    "'YYYY-MM-DD HH24:MI'), '') "
    "FROM council.enrolment_candidates()";

/* The people awaiting an enrolment token, as the list "enrol" of vars. */
static int
settings_enrol_list(struct http_req *req, struct tmpl_vars *vars)
{
	struct tmpl_vars	*item;
	PGresult		*r;
	char			 err[256];
	int			 i, en = req->lang == I18N_EN;

	if ((r = caller_db(req, SETTINGS_ENROL_SQL, 0, NULL, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"enrolment list failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return -1;
	}
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "enrol");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, EN_ID));
		tmpl_vars_set(item, "name",
		    PQgetvalue(r, i, en ? EN_NAME_EN : EN_NAME_JA));
		tmpl_vars_set(item, "email", PQgetvalue(r, i, EN_EMAIL));
		tmpl_vars_set(item, "org",
		    PQgetvalue(r, i, en ? EN_ORG_EN : EN_ORG_JA));
		if (*PQgetvalue(r, i, EN_LIVE) != '\0')
			tmpl_vars_set(item, "live_until",
			    PQgetvalue(r, i, EN_LIVE));
	}
	if (i > 0)
		tmpl_vars_set(vars, "has_enrol", "1");
	PQclear(r);
	return 0;
}

/*
 * The organisation page for its administrator: 403 for anyone else (the
 * database says who is one), 303 to /signin for a session that ended.
 * new_code, if not NULL, is an enrolment code just issued (shown once).
 */
static enum MHD_Result
settings_org_page(struct http_req *req, unsigned status,
    const struct caller_me *me, const char *error, const char *new_code)
{
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r;
	char			 err[256];
	int			 i, en = req->lang == I18N_EN;
	enum MHD_Result		 ret;

	r = caller_db(req, SETTINGS_ORG_SQL, 0, NULL, err, sizeof(err));
	if (r == NULL) {
		if (strcmp(err, "org_admin_only") == 0)
			ret = http_error(req, 403, NULL);
		else if (strcmp(err, "not_signed_in") == 0)
			ret = http_redirect(req, "/signin");
		else {
			log_error("msg=\"org page failed\" rid=%s error=\"%s\"",
			    req->rid, err);
			ret = http_error(req, 503, NULL);
		}
		goto out;
	}
	if (PQntuples(r) == 0) {	/* an administrator is one of them */
		ret = http_redirect(req, "/signin");
		goto out;
	}
	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	tmpl_vars_set(vars, "org_name",
	    PQgetvalue(r, 0, en ? ORG_NAME_EN : ORG_NAME_JA));
	if (*PQgetvalue(r, 0, ORG_SECRET) == 't')
		tmpl_vars_set(vars, "secret_opt_out", "1");
	if (*PQgetvalue(r, 0, ORG_ROSTER) == 't')
		tmpl_vars_set(vars, "roster_opt_out", "1");
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "people");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, ORG_P_ID));
		tmpl_vars_setf(item, "reason_id", "reason-%s",
		    PQgetvalue(r, i, ORG_P_ID));
		tmpl_vars_set(item, "name",
		    PQgetvalue(r, i, en ? ORG_P_NAME_EN : ORG_P_NAME_JA));
		tmpl_vars_set(item, "email", PQgetvalue(r, i, ORG_P_EMAIL));
		if (*PQgetvalue(r, i, ORG_P_ACTIVE) != 't')
			tmpl_vars_set(item, "inactive", "1");
		if (*PQgetvalue(r, i, ORG_P_ADMIN) == 't')
			tmpl_vars_set(item, "admin", "1");
		if (*PQgetvalue(r, i, ORG_P_HANDLER) == 't') {
			tmpl_vars_set(item, "handler", "1");
			tmpl_vars_set(item, "since",
			    PQgetvalue(r, i, ORG_P_SINCE));
		} else if (*PQgetvalue(r, i, ORG_P_ACTIVE) == 't')
			tmpl_vars_set(item, "may_register", "1");
	}
	if (settings_enrol_list(req, vars) == -1) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (new_code != NULL)
		tmpl_vars_set(vars, "new_enrol_code", new_code);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	ret = http_page(req, status, "org.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

enum MHD_Result
settings_org_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return settings_org_page(req, 200, &me, NULL, NULL);
}

/*
 * Issue an enrolment token for a person (issue 10 item 5; the database
 * decides who may: council.enrolment_token_issue) and show it once on the
 * page.  The code has the form of a recovery code; the database keeps
 * SHA-256 of its normalised form.  Valid 7 days.
 */
static enum MHD_Result
settings_enrol_token(struct http_req *req, const struct caller_me *me,
    const char *person)
{
	PGresult	*r = NULL;
	const char	*params[2];
	char		 code[TOTP_RECOVERY_LEN], norm[TOTP_RECOVERY_NORM_LEN];
	char		 hash[65], hashx[70], err[256];
	enum MHD_Result	 ret;

	if (!settings_is_id(person)) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	if (totp_recovery_new(code, sizeof(code)) == -1 ||
	    totp_recovery_normalise(code, norm, sizeof(norm)) == -1) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	util_sha256_hex(norm, strlen(norm), hash);
	snprintf(hashx, sizeof(hashx), "\\x%s", hash);
	params[0] = person;
	params[1] = hashx;
	r = caller_db(req, "SELECT council.enrolment_token_issue($1::bigint, "
	    "$2::bytea, 7)", 2, params, err, sizeof(err));
	if (r != NULL)
		ret = settings_org_page(req, 200, me, NULL, code);
	else if (strcmp(err, "person_not_found") == 0)
		ret = http_error(req, 404, NULL);
	else if (strcmp(err, "not_signed_in") == 0)
		ret = http_redirect(req, "/signin");
	else {
		log_error("msg=\"enrolment token failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
	}
out:
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(norm, sizeof(norm));
	PQclear(r);
	return ret;
}

/* What a deregistration asks first (confirm.h). */
static const char *const settings_carry[] = { "op", "person", "reason", NULL };
static const struct confirm_ask settings_ask_deregister = {
	"/settings/org", "confirm.deregister.heading",
	"confirm.deregister.consequence", "org.deregister", NULL,
	"/settings/org", settings_carry
};

/*
 * Issue 17, R-ORG-4: a deregistration ends the person's access to secrets
 * at once and cannot be undone (registering again is a new notification
 * to the secretariat), so it is asked first when f does not confirm and
 * names a handler of the organisation.  Returns 1 with *ret the asking
 * page; 0 when the act goes ahead (confirmed, or not such a handler: the
 * call then says why not, as it did).
 */
static int
settings_deregister_asked(struct http_req *req, const struct caller_me *me,
    const struct form *f, enum MHD_Result *ret)
{
	struct confirm_ask	 ask = settings_ask_deregister;
	PGresult		*r;
	const char		*params[2];
	char			 err[256];
	int			 asked = 0;

	if (confirm_given(f))
		return 0;
	params[0] = form_get(f, "person");
	params[1] = req->lang == I18N_EN ? "en" : "ja";
	r = caller_db(req, "SELECT CASE WHEN $2 = 'en' THEN p.name_en "
	    "ELSE p.name_ja END FROM council.org_people() p "
	    "WHERE p.id = $1::bigint AND p.handler", 2, params, err,
	    sizeof(err));
	if (r != NULL && PQntuples(r) == 1) {
		ask.subject = PQgetvalue(r, 0, 0);
		*ret = confirm_page(req, me, f, &ask);
		asked = 1;
	}
	PQclear(r);
	return asked;
}

/*
 * POST /settings/org, one change per form (field op):
 *   enrol_token   person=N            issue 10 item 5 (shown once)
 *   register      person=N            R-ORG-4
 *   deregister    person=N [reason] [confirm=yes]   R-ORG-4 (asked first)
 *   secret_opt_out value=1|0          R-SECRET-3
 *   roster_opt_out value=1|0          R-ORG-7
 * A malformed person id, an absent one and a person of another
 * organisation all get the same 404 page; anyone but an administrator
 * gets 403 whatever the id.  Refused values show the page again with a
 * message (422) and change nothing.
 */
enum MHD_Result
settings_org_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[2], *op, *sql, *v;
	char			 err[256];
	int			 n = 1;
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	op = form_get(&f, "op");
	if (op != NULL && strcmp(op, "enrol_token") == 0) {
		ret = settings_enrol_token(req, &me, form_get(&f, "person"));
		goto out;
	}
	if (op != NULL && (strcmp(op, "register") == 0 ||
	    strcmp(op, "deregister") == 0)) {
		params[0] = form_get(&f, "person");
		if (!settings_is_id(params[0])) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		if (strcmp(op, "register") == 0)
			sql = "SELECT council.register_handler($1::bigint)";
		else if (settings_deregister_asked(req, &me, &f, &ret))
			goto out;
		else {
			v = form_get(&f, "reason");
			params[1] = v != NULL && *v != '\0' ? v : NULL;
			sql = "SELECT council.deregister_handler($1::bigint, $2)";
			n = 2;
		}
	} else if (op != NULL && (strcmp(op, "secret_opt_out") == 0 ||
	    strcmp(op, "roster_opt_out") == 0)) {
		v = form_get(&f, "value");
		if (v == NULL || (strcmp(v, "1") != 0 && strcmp(v, "0") != 0)) {
			ret = settings_org_page(req, 400, &me,
			    http_text(req, "org.error.invalid"), NULL);
			goto out;
		}
		params[0] = *v == '1' ? "t" : "f";
		sql = strcmp(op, "secret_opt_out") == 0 ?
		    "SELECT council.set_secret_opt_out($1::boolean)" :
		    "SELECT council.set_roster_opt_out($1::boolean)";
	} else {
		ret = settings_org_page(req, 400, &me,
		    http_text(req, "org.error.invalid"), NULL);
		goto out;
	}
	if ((r = caller_db(req, sql, n, params, err, sizeof(err))) != NULL) {
		/* Registering oneself without a second factor ends one's own
		 * session (policy/64_settings.sql): /settings/org then sends
		 * to /signin. */
		ret = http_redirect_done(req, "/settings/org", "org.saved");
		goto out;
	}
	if (strcmp(err, "person_not_found") == 0)
		ret = http_error(req, 404, NULL);
	else if (strcmp(err, "org_admin_only") == 0)
		ret = http_error(req, 403, NULL);
	else if (strcmp(err, "not_signed_in") == 0)
		ret = http_redirect(req, "/signin");
	else if (strcmp(err, "already_registered") == 0 ||
	    strcmp(err, "not_registered") == 0 ||
	    strcmp(err, "person_inactive") == 0 ||
	    strcmp(err, "invalid_reason") == 0 ||
	    strcmp(err, "invalid_value") == 0)
		ret = settings_org_page(req, 422, &me,
		    settings_error_text(req, "org", err), NULL);
	else {
		log_error("msg=\"org change failed\" rid=%s op=%s error=\"%s\"",
		    req->rid, op, err);
		ret = http_error(req, 503, NULL);
	}
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

/* The roster (R-ORG-7). ----------------------------------------------------------- */

/* Ordered by category, then by name in the page's language. */
static const char SETTINGS_ROSTER_SQL[] =
    "SELECT r.name_ja, r.name_en, r.category, "
    "coalesce(r.sector_name_ja, ''), coalesce(r.sector_name_en, '') "
    "FROM council.roster() r "
    "ORDER BY array_position(enum_range(NULL::council.org_category)::text[], "
    "r.category), CASE WHEN $1 = 'en' THEN r.name_en ELSE r.name_ja END";

/*
 * GET /roster: public (R-ORG-7: the member list is published), with the
 * signed-in frame when someone is signed in.  Only what council.roster()
 * gives: names, category, sector.
 */
enum MHD_Result
settings_roster(struct http_req *req)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL;
	const char		*params[1];
	char			 err[256], key[64];
	int			 i, who, en;
	enum MHD_Result		 ret;

	if ((who = caller_identify(req, &me)) < 0) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	en = req->lang == I18N_EN;
	params[0] = i18n_lang_code(req->lang);
	if ((r = caller_db(req, SETTINGS_ROSTER_SQL, 1, params, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"roster failed\" rid=%s error=\"%s\"", req->rid,
		    err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	if (who == 1)
		caller_frame(req, vars, &me);
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "members");
		tmpl_vars_set(item, "name", PQgetvalue(r, i, en ? 1 : 0));
		if (settings_index(PQgetvalue(r, i, 2), settings_categories,
		    UTIL_ARRAY_LEN(settings_categories)) >= 0) {
			snprintf(key, sizeof(key), "roster.category.%s",
			    PQgetvalue(r, i, 2));
			tmpl_vars_set(item, "category", http_text(req, key));
		}
		tmpl_vars_set(item, "sector", PQgetvalue(r, i, en ? 4 : 3));
	}
	tmpl_vars_setf(vars, "count", "%d", PQntuples(r));
	ret = http_page(req, 200, "roster.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

/* The JSON API (docs/api.md). -------------------------------------------------- */

enum MHD_Result
settings_api_get(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_call(req,
	    "SELECT status, body FROM council.api_settings()", 0, NULL);
}

enum MHD_Result
settings_api_org(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_call(req,
	    "SELECT status, body FROM council.api_org()", 0, NULL);
}

/* GET /api/v1/roster: public, like /roster. */
enum MHD_Result
settings_api_roster(struct http_req *req)
{
	return api_json_query(req,
	    "SELECT json_build_object('members', coalesce(json_agg("
	    "json_build_object('name_ja', r.name_ja, 'name_en', r.name_en, "
	    "'category', r.category, 'sector', r.sector_code, "
	    "'sector_name_ja', r.sector_name_ja, "
	    "'sector_name_en', r.sector_name_en) ORDER BY array_position("
	    "enum_range(NULL::council.org_category)::text[], r.category), "
	    "r.name_ja), '[]'))::text "
	    "FROM council.roster() r", 0, NULL);
}

/* GET /api/v1/me: who the credential is (docs/api.md). */
enum MHD_Result
settings_api_me(struct http_req *req)
{
	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	return api_json_query(req,
	    "SELECT json_build_object('person_id', m.person_id, "
	    "'name_ja', p.name_ja, 'name_en', p.name_en, 'org_id', m.org_id, "
	    "'org_name_ja', o.name_ja, 'org_name_en', o.name_en, "
	    "'coordinator', m.is_coordinator, 'secretariat', m.is_secretariat, "
	    "'committee', m.is_committee, 'handler', m.may_handle_secrets)::text "
	    "FROM council.me m JOIN council.people p ON p.id = m.person_id "
	    "JOIN council.organisations o ON o.id = m.org_id", 0, NULL);
}
