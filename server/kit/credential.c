/*
 * credential.c: who is asking: the credential of a request (session cookie or
 * bearer token), the form token derived from it, the same-site check of
 * a POST, and the cookies and tokens sign-in hands out (see credential.h).
 * Signing in itself is signin.c's.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "credential.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "multipart.h"
#include "util.h"

static const char *
credential_cookie_name(const struct http_req *req, int pending)
{
	if (req->srv->cfg->cookie_secure)
		return pending ? "__Host-council_pending" : "__Host-council_session";
	return pending ? "council_pending" : "council_session";
}

/* The form token of a session: SHA-256("council-csrf:" token), hex. */
static void
credential_csrf_of(const char *token, char *out)
{
	char	in[16 + CREDENTIAL_TOKEN_HEX + 1];

	snprintf(in, sizeof(in), "council-csrf:%s", token);
	util_sha256_hex(in, strlen(in), out);
	OPENSSL_cleanse(in, sizeof(in));
}

int
credential_cookie_token(struct http_req *req, int pending, char *out)
{
	const char	*h = http_header(req, MHD_HTTP_HEADER_COOKIE);

	if (h == NULL || form_cookie(h, credential_cookie_name(req, pending), out,
	    CREDENTIAL_TOKEN_HEX + 1) != 1)
		return 0;
	return form_token_ok(out, CREDENTIAL_TOKEN_HEX);
}

int
credential_basic(const char *value, char *out)
{
	unsigned char	 dec[CREDENTIAL_BASIC_MAX / 4 * 3 + 1];
	const char	*pw;
	size_t		 n, pad;
	int		 len, ok = 0;

	out[0] = '\0';
	if (value == NULL || strncasecmp(value, "Basic ", 6) != 0)
		return 0;
	value += 6;
	n = strlen(value);
	if (n == 0 || n > CREDENTIAL_BASIC_MAX || n % 4 != 0 ||
	    strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/=") != n)
		return 0;
	/* Padding: one or two '=' at the end, nowhere else. */
	pad = n - strcspn(value, "=");
	if (pad > 2 || strspn(value + n - pad, "=") != pad)
		return 0;
	if ((len = EVP_DecodeBlock(dec, (const unsigned char *)value,
	    (int)n)) < 0 || (size_t)len < pad)
		goto out;
	len -= (int)pad;
	dec[len] = '\0';
	/* "user:password": any user, the token as the password. */
	if (memchr(dec, '\0', (size_t)len) != NULL ||
	    (pw = memchr(dec, ':', (size_t)len)) == NULL ||
	    !form_token_ok(pw + 1, CREDENTIAL_TOKEN_HEX))
		goto out;
	memcpy(out, pw + 1, CREDENTIAL_TOKEN_HEX + 1);
	ok = 1;
out:
	OPENSSL_cleanse(dec, sizeof(dec));
	return ok;
}

void
credential_request(struct http_req *req)
{
	const char	*h = http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	char		 tok[CREDENTIAL_TOKEN_HEX + 1];
	int		 token_only = req->route != NULL &&
			    req->route->access == HTTP_TOKEN;

	req->session_hash[0] = req->csrf[0] = '\0';
	req->bearer = 0;
	if (h != NULL) {
		if (strncmp(h, "Bearer ", 7) == 0 &&
		    form_token_ok(h + 7, CREDENTIAL_TOKEN_HEX)) {
			util_sha256_hex(h + 7, CREDENTIAL_TOKEN_HEX, req->session_hash);
			req->bearer = 1;
		} else if (token_only && credential_basic(h, tok)) {
			/* HTTP Basic on the machines' routes only (TAXII
			 * clients know no other): the token is the password. */
			util_sha256_hex(tok, CREDENTIAL_TOKEN_HEX, req->session_hash);
			req->bearer = 1;
		}
		OPENSSL_cleanse(tok, sizeof(tok));
		return;		/* a malformed one identifies nobody */
	}
	if (token_only)
		return;		/* machines only: a browser's cookie is not read */
	if (credential_cookie_token(req, 0, tok)) {
		util_sha256_hex(tok, CREDENTIAL_TOKEN_HEX, req->session_hash);
		credential_csrf_of(tok, req->csrf);
	}
	OPENSSL_cleanse(tok, sizeof(tok));
}

int
credential_person(struct http_req *req, char *out, size_t outlen)
{
	struct db_ident	 id = { req->session_hash, req->rid, &req->db_trips };
	PGresult	*r;
	char		 err[256];
	int		 rc = 0;

	credential_request(req);
	if (req->session_hash[0] == '\0')
		return 0;
	r = db_run(req->srv->db, req->srv->cfg->db_acquire_timeout_ms, &id,
	    "SELECT person_id FROM council.me", 0, NULL, NULL, err,
	    sizeof(err));
	if (r == NULL) {
		log_error("msg=\"credential check failed\" rid=%s error=\"%s\"",
		    req->rid, err);
		return -1;
	}
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
		snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
		rc = 1;
	}
	PQclear(r);
	return rc;
}

enum MHD_Result
credential_dispatch(struct http_req *req)
{
	static const char	nobody[] = "{\"error\":\"not_signed_in\"}\n";

	credential_request(req);
	/* Every state change is a POST; none from another site's page. */
	if (req->method == HTTP_POST && !credential_origin_ok(req))
		return http_error(req, 403, NULL);
	if (req->session_hash[0] == '\0' && req->route->access == HTTP_API)
		return http_json(req, 401, nobody, sizeof(nobody) - 1);
	if (req->session_hash[0] == '\0' && req->route->access == HTTP_PAGE)
		return http_redirect(req, "/signin");
	return req->route->fn(req);
}

int
credential_origin_ok(struct http_req *req)
{
	const char	*site = http_header(req, "Sec-Fetch-Site");
	const char	*origin = http_header(req, "Origin");
	const char	*host = http_header(req, MHD_HTTP_HEADER_HOST);
	const char	*rest;

	/* Fetch Metadata is set by the browser, never by a page: when it is
	 * there, it decides.  (Under Referrer-Policy: no-referrer a
	 * same-origin form POST carries "Origin: null".) */
	if (site != NULL)
		return strcmp(site, "same-origin") == 0 ||
		    strcmp(site, "none") == 0;
	if (origin == NULL)
		return 1;	/* not a browser, or an old one: the token decides */
	if (host == NULL)
		return 0;
	if (strncmp(origin, "https://", 8) == 0)
		rest = origin + 8;
	else if (strncmp(origin, "http://", 7) == 0)
		rest = origin + 7;
	else
		return 0;	/* "null" and everything else */
	return strcmp(rest, host) == 0;
}

int
credential_csrf_ok(struct http_req *req, const struct form *f)
{
	const char	*t = form_get(f, "csrf");

	if (req->csrf[0] == '\0' || t == NULL || strlen(t) != 64)
		return 0;
	return CRYPTO_memcmp(t, req->csrf, 64) == 0;
}

int
credential_csrf_multipart_ok(struct http_req *req, const struct multipart *m)
{
	const struct multipart_part	*p = multipart_get(m, "csrf");

	if (req->csrf[0] == '\0' || p == NULL || p->is_file || p->len != 64)
		return 0;
	return CRYPTO_memcmp(p->data, req->csrf, 64) == 0;
}

int
credential_token_new(char *out, char *hash)
{
	if (util_random_hex(out, CREDENTIAL_TOKEN_HEX / 2) == -1)
		return -1;
	util_sha256_hex(out, CREDENTIAL_TOKEN_HEX, hash);
	return 0;
}

void
credential_cookie_set(struct http_req *req, int pending, const char *token,
    long max_age)
{
	char	c[256];

	snprintf(c, sizeof(c), "%s=%s; Path=/; Max-Age=%ld; HttpOnly; "
	    "SameSite=Strict%s", credential_cookie_name(req, pending),
	    token ? token : "", token ? max_age : 0L,
	    req->srv->cfg->cookie_secure ? "; Secure" : "");
	http_set_cookie(req, c);
	OPENSSL_cleanse(c, sizeof(c));
}
