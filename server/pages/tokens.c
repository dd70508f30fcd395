/*
 * tokens.c: a person's API tokens (see tokens.h): created in a browser
 * session, shown once, listed and revoked; the database keeps their hashes
 * (policy/50_auth.sql, api_token_*).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "caller.h"
#include "confirm.h"
#include "credential.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "tmpl.h"
#include "tokens.h"
#include "util.h"

/* The lifetime the creation form offers, in days. */
#define TOKENS_DAYS_DEFAULT	"90"

/* What a revocation asks first (confirm.h): it cannot be undone. */
static const char *const tokens_carry[] = { "op", "id", NULL };
static const struct confirm_ask tokens_ask_revoke = {
	"/settings/tokens", "confirm.token.heading", "confirm.token.consequence",
	"tokens.revoke", NULL, "/settings/tokens", tokens_carry
};

/*
 * The tokens and the form to make one.  error: a catalog key shown above;
 * sent: a refused creation's form, its name and days shown again, the
 * field the error is about marked (issue 17).
 */
static enum MHD_Result
tokens_page(struct http_req *req, unsigned status,
    const struct caller_me *me, const char *new_token, const char *error,
    const struct form *sent)
{
	struct tmpl_vars	*vars = tmpl_vars_new(), *item;
	PGresult		*r;
	const char		*bad;
	char			 err[256], key[32];
	int			 i;
	enum MHD_Result		 ret;

	r = caller_db(req, "SELECT id, name, "
	    "to_char(created_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), "
	    "to_char(expires_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI') "
	    "FROM council.api_tokens()", 0, NULL, err, sizeof(err));
	if (r == NULL) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	caller_frame(req, vars, me);
	for (i = 0; i < PQntuples(r); i++) {
		item = tmpl_vars_add_item(vars, "tokens");
		tmpl_vars_set(item, "id", PQgetvalue(r, i, 0));
		tmpl_vars_set(item, "name", PQgetvalue(r, i, 1));
		tmpl_vars_set(item, "created", PQgetvalue(r, i, 2));
		tmpl_vars_set(item, "expires", PQgetvalue(r, i, 3));
		tmpl_vars_set(item, "csrf_token", req->csrf);
	}
	if (new_token != NULL)
		tmpl_vars_set(vars, "new_token", new_token);
	if (error != NULL)
		tmpl_vars_set(vars, "error", http_text(req, error));
	tmpl_vars_set(vars, "token_days", TOKENS_DAYS_DEFAULT);
	if (sent != NULL) {
		tmpl_vars_set(vars, "token_name", form_get(sent, "name"));
		if (form_get(sent, "days") != NULL)
			tmpl_vars_set(vars, "token_days", form_get(sent, "days"));
		bad = error == NULL ? NULL :
		    strcmp(error, "tokens.error.name") == 0 ? "name" :
		    strcmp(error, "tokens.error.days") == 0 ? "days" : NULL;
		if (bad != NULL) {
			snprintf(key, sizeof(key), "bad_%s", bad);
			tmpl_vars_set(vars, key, "true");
			snprintf(key, sizeof(key), "bad_%s_ref", bad);
			tmpl_vars_set(vars, key, "tokens-error");
		}
	}
	ret = http_page(req, status, "tokens.xhtml", vars);
out:
	PQclear(r);
	tmpl_vars_free(vars);
	return ret;
}

enum MHD_Result
tokens_get(struct http_req *req)
{
	struct caller_me	me;
	enum MHD_Result		ret;

	if (!caller_require(req, &me, &ret))
		return ret;
	return tokens_page(req, 200, &me, NULL, NULL, NULL);
}

/* The catalog key for a database error code of the token functions. */
static const char *
tokens_error(const char *code)
{
	if (strcmp(code, "invalid_token_name") == 0)
		return "tokens.error.name";
	if (strcmp(code, "invalid_token_lifetime") == 0)
		return "tokens.error.days";
	if (strcmp(code, "too_many_tokens") == 0)
		return "tokens.error.many";
	return "tokens.error.other";
}

enum MHD_Result
tokens_post(struct http_req *req)
{
	struct caller_me	 me;
	struct form		 f;
	struct confirm_ask	 ask;
	PGresult		*r = NULL;
	const char		*params[3], *op;
	char			 err[256], tok[CREDENTIAL_TOKEN_HEX + 1], hash[65];
	char			 hashx[70];
	enum MHD_Result		 ret;

	form_init(&f);
	tok[0] = '\0';
	if (!caller_require(req, &me, &ret))
		goto out;
	if (!caller_form(req, &f, &ret))
		goto out;
	op = form_get(&f, "op");
	if (op != NULL && strcmp(op, "revoke") == 0) {
		params[0] = form_get(&f, "id");
		if (params[0] == NULL || !*params[0] ||
		    strspn(params[0], "0123456789") != strlen(params[0]) ||
		    strlen(params[0]) > 18) {
			ret = http_error(req, 404, NULL);
			goto out;
		}
		/* Issue 17: a revocation cannot be undone; asked first, when
		 * the token is the person's (otherwise the call says 404). */
		if (!confirm_given(&f)) {
			r = caller_db(req, "SELECT name FROM council.api_tokens() "
			    "WHERE id = $1::bigint", 1, params, err,
			    sizeof(err));
			if (r != NULL && PQntuples(r) == 1) {
				ask = tokens_ask_revoke;
				ask.subject = PQgetvalue(r, 0, 0);
				ret = confirm_page(req, &me, &f, &ask);
				goto out;
			}
			PQclear(r);
		}
		r = caller_db(req, "SELECT council.api_token_revoke($1::bigint)",
		    1, params, err, sizeof(err));
		if (r == NULL) {
			ret = http_error(req, strcmp(err, "token_not_found") == 0 ?
			    404 : 503, NULL);
			goto out;
		}
		ret = http_redirect_done(req, "/settings/tokens",
		    "tokens.revoked");
		goto out;
	}
	if (credential_token_new(tok, hash) == -1) {
		ret = http_error(req, 503, NULL);
		goto out;
	}
	snprintf(hashx, sizeof(hashx), "\\x%s", hash);
	params[0] = form_get(&f, "name") ? form_get(&f, "name") : "";
	params[1] = hashx;
	params[2] = form_get(&f, "days") ? form_get(&f, "days") : "";
	if (strspn(params[2], "0123456789") != strlen(params[2]) ||
	    !*params[2] || strlen(params[2]) > 3) {
		ret = tokens_page(req, 400, &me, NULL, "tokens.error.days", &f);
		goto out;
	}
	r = caller_db(req, "SELECT council.api_token_create($1, $2::bytea, "
	    "$3::int)", 3, params, err, sizeof(err));
	if (r == NULL) {
		ret = tokens_page(req, 400, &me, NULL, tokens_error(err), &f);
		goto out;
	}
	/* Shown once: only its hash is kept. */
	ret = tokens_page(req, 200, &me, tok, NULL, NULL);
out:
	OPENSSL_cleanse(tok, sizeof(tok));
	PQclear(r);
	form_free(&f);
	return ret;
}

