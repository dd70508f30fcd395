/*
 * membership.c: joining and leaving, pages and API (see membership.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "caller.h"
#include "form.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "membership.h"
#include "throttle.h"
#include "tmpl.h"
#include "util.h"

/* The application form is public: each address may apply a few times at
 * once and then once a minute (ASVS V2.4 anti-automation). */
static struct throttle	*member_throttle;

/* The refusals of council.apply: the applicant's to correct. */
static const char *const member_refusals[] = {
	"agreement_required", "rules_changed", "invalid_name", "invalid_email",
	"invalid_category", "invalid_sector", "already_applied",
};

static const char *const member_categories[] = {
	"national_agency", "local_government", "ci_operator", "cyber_business",
	"academia", "mutual_aid", "individual", "other",
};

int
membership_init(char *err, size_t errlen)
{
	struct throttle_limits	lim;

	throttle_limits_default(&lim);
	lim.max_entries = 4096;
	lim.ip_burst = MEMBERSHIP_APPLY_BURST;
	lim.ip_per_min = MEMBERSHIP_APPLY_PER_MIN;
	if ((member_throttle = throttle_new(&lim)) == NULL) {
		snprintf(err, errlen, "cannot set up the application throttle");
		return -1;
	}
	return 0;
}

void
membership_fini(void)
{
	throttle_free(member_throttle);
	member_throttle = NULL;
}

/* The field a refusal code is about (issue 17: marked aria-invalid and
 * pointed at the message), or NULL. */
static const char *
membership_bad_field(const char *code)
{
	static const char *const map[][2] = {
		{ "agreement_required", "agree" }, { "invalid_name", "name" },
		{ "invalid_email", "contact_email" },
		{ "invalid_category", "category" }, { "invalid_sector", "sector" },
	};
	size_t	i;

	for (i = 0; code != NULL && i < UTIL_ARRAY_LEN(map); i++)
		if (strcmp(code, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/*
 * The form again, with error above it and every field refilled from f
 * (issue 17: a form never loses its input); code, when not NULL, is the
 * refusal's, whose field is marked (bad_<field>, bad_<field>_ref).
 */
static enum MHD_Result
membership_form_page(struct http_req *req, unsigned status, const char *error,
    const struct form *f, const char *code)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL, *item;
	PGresult		*r = NULL, *s = NULL;
	const char		*v, *bad;
	char			 err[256], key[48];
	const char		*fields[] = { "name_ja", "name_en", "contact_name",
				    "contact_email" };
	size_t			 i;
	int			 who, j;
	enum MHD_Result		 ret;

	if ((who = caller_identify(req, &me)) < 0 ||
	    (r = caller_db(req, "SELECT council.rules_version()", 0, NULL, err,
	    sizeof(err))) == NULL ||
	    (s = caller_db(req, req->lang == I18N_EN ?
	    "SELECT code, name_en FROM council.sectors ORDER BY code" :
	    "SELECT code, name_ja FROM council.sectors ORDER BY code", 0, NULL,
	    err, sizeof(err))) == NULL) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	if (who == 1)
		caller_frame(req, vars, &me);
	if (error != NULL)
		tmpl_vars_set(vars, "error", error);
	tmpl_vars_set(vars, "rules_version", PQgetvalue(r, 0, 0));
	tmpl_vars_setf(vars, "rules_href", "/documents/rules/%s",
	    PQgetvalue(r, 0, 0));
	for (i = 0; f != NULL && i < UTIL_ARRAY_LEN(fields); i++)
		if ((v = form_get(f, fields[i])) != NULL)
			tmpl_vars_set(vars, fields[i], v);
	/* The agreement is kept, but not to Rules that changed since. */
	if (f != NULL && (v = form_get(f, "agree")) != NULL &&
	    strcmp(v, "yes") == 0 && (code == NULL ||
	    strcmp(code, "rules_changed") != 0))
		tmpl_vars_set(vars, "agree", "checked");
	if (f != NULL && (v = form_get(f, "decline_early_warning")) != NULL &&
	    strcmp(v, "yes") == 0)
		tmpl_vars_set(vars, "decline_early_warning", "checked");
	if ((bad = membership_bad_field(code)) != NULL) {
		snprintf(key, sizeof(key), "bad_%s", bad);
		tmpl_vars_set(vars, key, "true");
		snprintf(key, sizeof(key), "bad_%s_ref", bad);
		tmpl_vars_set(vars, key, "apply-error");
	}
	for (i = 0; i < UTIL_ARRAY_LEN(member_categories); i++) {
		item = tmpl_vars_add_item(vars, "categories");
		tmpl_vars_set(item, "value", member_categories[i]);
		tmpl_vars_set(item, "label", http_text_of(req, "roster.category",
		    member_categories[i], NULL));
		v = f != NULL ? form_get(f, "category") : NULL;
		if (v != NULL && strcmp(v, member_categories[i]) == 0)
			tmpl_vars_set(item, "selected", "selected");
	}
	v = f != NULL ? form_get(f, "sector") : NULL;
	for (j = 0; j < PQntuples(s); j++) {
		item = tmpl_vars_add_item(vars, "sectors");
		tmpl_vars_set(item, "value", PQgetvalue(s, j, 0));
		tmpl_vars_set(item, "label", PQgetvalue(s, j, 1));
		if (v != NULL && strcmp(v, PQgetvalue(s, j, 0)) == 0)
			tmpl_vars_set(item, "selected", "selected");
	}
	ret = http_page(req, status, "apply.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(s);
	PQclear(r);
	return ret;
}

enum MHD_Result
membership_apply_get(struct http_req *req)
{
	return membership_form_page(req, 200, NULL, NULL, NULL);
}

/* The message for an application's refusal code. */
static const char *
membership_error(struct http_req *req, const char *code)
{
	return http_text_of(req, "apply.error", code, "apply.error.invalid");
}

/*
 * POST /apply (name_ja, name_en, category, sector, contact_name,
 * contact_email, rules_version, agree): R-ORG-2.  Throttled per address;
 * the status link's token is drawn here and only its SHA-256 is stored.
 * Accepted: the page with the link, shown once.  Refused: the form again
 * with the reason (422, 409 for a changed Rules or a duplicate, 429 when
 * throttled); nothing stored.
 */
enum MHD_Result
membership_apply_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct tmpl_vars	*vars = NULL;
	PGresult		*r = NULL;
	const char		*params[10], *agree, *decline;
	char			 err[256], token[2 * MEMBERSHIP_TOKEN_BYTES + 1];
	char			 hash[65];
	long			 wait;
	size_t			 i;
	int			 who;
	enum MHD_Result		 ret;

	form_init(&f);
	if (form_parse(&f, req->body.data, req->body.len, err,
	    sizeof(err)) == -1) {
		ret = membership_form_page(req, 400, membership_error(req, "invalid"),
		    NULL, NULL);
		goto out;
	}
	if ((wait = throttle_check(member_throttle, THROTTLE_IP, req->ip,
	    util_now_ms())) > 0) {
		ret = membership_form_page(req, 429, membership_error(req, "throttled"),
		    &f, NULL);
		goto out;
	}
	if (util_random_hex(token, MEMBERSHIP_TOKEN_BYTES) == -1) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	util_sha256_hex(token, strlen(token), hash);
	agree = form_get(&f, "agree");
	params[0] = form_get(&f, "name_ja");
	params[1] = form_get(&f, "name_en");
	params[2] = form_get(&f, "category");
	params[3] = form_get(&f, "sector");
	params[4] = form_get(&f, "contact_name");
	params[5] = form_get(&f, "contact_email");
	params[6] = form_get(&f, "rules_version");
	params[7] = agree != NULL && strcmp(agree, "yes") == 0 ? "t" : "f";
	params[8] = hash;
	/* R-ORG-10: registered for the early-warning service unless declined. */
	decline = form_get(&f, "decline_early_warning");
	params[9] = decline != NULL && strcmp(decline, "yes") == 0 ? "t" : "f";
	if (params[6] == NULL || util_id_parse(params[6]) == 0)
		params[6] = "0";
	r = caller_db(req, "SELECT council.apply($1, $2, $3, $4, $5, $6, "
	    "$7::integer, $8::boolean, decode($9, 'hex'), $10::boolean)", 10,
	    params, err, sizeof(err));
	if (r == NULL) {
		for (i = 0; i < UTIL_ARRAY_LEN(member_refusals); i++)
			if (strcmp(err, member_refusals[i]) == 0)
				break;
		if (i == UTIL_ARRAY_LEN(member_refusals)) {
			log_error("msg=\"application failed\" rid=%s error=\"%s\"",
			    req->rid, err);
			ret = http_error(req, 503, NULL);
			goto out;
		}
		ret = membership_form_page(req, strcmp(err, "rules_changed") == 0 ||
		    strcmp(err, "already_applied") == 0 ? 409 : 422,
		    membership_error(req, err), &f, err);
		goto out;
	}
	log_info("msg=\"application received\" rid=%s application=%s",
	    req->rid, PQgetvalue(r, 0, 0));
	vars = tmpl_vars_new();
	if ((who = caller_identify(req, &me)) == 1)
		caller_frame(req, vars, &me);
	tmpl_vars_setf(vars, "status_href", MEMBERSHIP_STATUS_PREFIX "%s", token);
	ret = http_page(req, 201, "apply_done.xhtml", vars);
out:
	explicit_bzero(token, sizeof(token));
	tmpl_vars_free(vars);
	PQclear(r);
	form_free(&f);
	return ret;
}

/* GET /apply/status/TOKEN: the applicant's view; an unknown or malformed
 * link is 404. */
enum MHD_Result
membership_status(struct http_req *req)
{
	struct caller_me	 me;
	struct tmpl_vars	*vars = NULL;
	PGresult		*r = NULL;
	const char		*tok, *params[1];
	char			 err[256], hash[65];
	size_t			 i;
	int			 who;
	enum MHD_Result		 ret;

	tok = req->key;		/* the route's {key} */
	for (i = 0; tok[i] != '\0'; i++)
		if (!isdigit((unsigned char)tok[i]) && (tok[i] < 'a' || tok[i] > 'f'))
			break;
	if (i != 2 * MEMBERSHIP_TOKEN_BYTES || tok[i] != '\0')
		return http_error(req, 404, NULL);
	util_sha256_hex(tok, i, hash);
	params[0] = hash;
	if ((r = caller_db(req, "SELECT name_ja, name_en, status, "
	    "to_char(submitted_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), "
	    "rules_version, reason FROM council.application_status(decode($1, "
	    "'hex'))", 1, params, err, sizeof(err))) == NULL) {
		log_error("msg=\"application status failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		ret = http_error(req, 503, NULL);
		goto out;
	}
	if (PQntuples(r) != 1) {
		ret = http_error(req, 404, NULL);
		goto out;
	}
	vars = tmpl_vars_new();
	if ((who = caller_identify(req, &me)) == 1)
		caller_frame(req, vars, &me);
	tmpl_vars_set(vars, "name", PQgetvalue(r, 0, req->lang == I18N_EN));
	tmpl_vars_set(vars, "status", http_text_of(req, "apply.status",
	    PQgetvalue(r, 0, 2), NULL));
	tmpl_vars_set(vars, "submitted", PQgetvalue(r, 0, 3));
	tmpl_vars_set(vars, "rules_version", PQgetvalue(r, 0, 4));
	if (!PQgetisnull(r, 0, 5))
		tmpl_vars_set(vars, "reason", PQgetvalue(r, 0, 5));
	else if (strcmp(PQgetvalue(r, 0, 2), "refused") == 0)
		tmpl_vars_set(vars, "withheld", "1");
	ret = http_page(req, 200, "apply_status.xhtml", vars);
out:
	tmpl_vars_free(vars);
	PQclear(r);
	return ret;
}

/* POST /settings/org/withdraw (confirm=yes): R-ORG-3, effective at once;
 * then the person is signed out with everyone of the organisation. */
enum MHD_Result
membership_withdraw(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	PGresult		*r = NULL;
	const char		*params[1], *c;
	char			 err[256];
	enum MHD_Result		 ret;

	form_init(&f);
	if (!caller_require(req, &me, &ret) || !caller_form(req, &f, &ret))
		goto out;
	c = form_get(&f, "confirm");
	params[0] = c != NULL && strcmp(c, "yes") == 0 ? "t" : "f";
	r = caller_db(req, "SELECT council.org_withdraw($1::boolean)", 1,
	    params, err, sizeof(err));
	if (r == NULL) {
		if (strcmp(err, "not_org_admin") == 0)
			ret = http_error(req, 403, NULL);
		else if (strcmp(err, "confirmation_required") == 0 ||
		    strcmp(err, "not_withdrawable") == 0)
			ret = http_error(req, strcmp(err, "not_withdrawable") == 0 ?
			    409 : 422, NULL);
		else {
			log_error("msg=\"withdrawal failed\" rid=%s error=\"%s\"",
			    req->rid, err);
			ret = http_error(req, 503, NULL);
		}
		goto out;
	}
	log_info("msg=\"organisation withdrew\" rid=%s", req->rid);
	ret = http_redirect_done(req, "/signin", "org.withdrawn");
out:
	PQclear(r);
	form_free(&f);
	return ret;
}

enum MHD_Result
membership_api_list(struct http_req *req)
{
	PGresult	*r;
	char		 err[256];
	enum MHD_Result	 ret;

	if (req->session_hash[0] == '\0')
		return api_error(req, 401, "not_signed_in");
	if ((r = caller_db(req, "SELECT council.applications_pending()::text",
	    0, NULL, err, sizeof(err))) == NULL) {
		if (strcmp(err, "only_secretariat_or_committee") == 0)
			return api_error(req, 403, err);
		if (strcmp(err, "not_signed_in") == 0)
			return api_error(req, 401, err);
		log_error("msg=\"applications failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return api_error(req, 503, "unavailable");
	}
	ret = http_json(req, 200, PQgetvalue(r, 0, 0),
	    (size_t)PQgetlength(r, 0, 0));
	PQclear(r);
	return ret;
}

