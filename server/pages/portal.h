/*
 * portal.h: the signed-in member's pages (feed, settings) and the JSON API
 * (/api/v1/...) that offers the same reads to API-token clients.  See
 * docs/api.md.  A page for someone not signed in redirects to /signin; an
 * API call answers 401 {"error": "not_signed_in"}.
 */
#ifndef COUNCIL_PORTAL_H
#define COUNCIL_PORTAL_H

#include <stddef.h>

#include <libpq-fe.h>
#include <microhttpd.h>

struct form;
struct http_req;
struct tmpl_vars;

/* The signed-in person, as the header of every page shows them. */
struct portal_me {
	char	name[256];
	char	org[256];
	int	org_admin;	/* people.is_org_admin (/settings/org) */
};

/*
 * Shared by every module that serves member pages or API calls (portal.c,
 * and the modules beside it).
 *
 * portal_db: one query with the request's identity (db_run); NULL and err
 *   filled on failure.  For CP-class errors err is the bare stable code.
 * portal_require: 1 when signed in (me filled); else 0 and *ret answered
 *   (303 to /signin, or 503).
 * portal_identify: who is asking, for a page anyone may see: 1 signed in
 *   (me filled, the person's language taken), 0 nobody, -1 no database.
 * portal_form: parse a signed-in form into f and check its form token;
 *   0 with *ret answered (400 malformed, 403 bad token).
 * portal_frame: the layout variables of a signed-in page.
 * portal_id_arg: a positive id from the query string; 0 absent, -1 bad.
 * portal_json_error: {"error": code} with status.
 * portal_json_query: answer one row, one column of JSON built by SQL;
 *   no row or NULL is 401 not_signed_in, no database 503 unavailable.
 */
PGresult	*portal_db(struct http_req *, const char *, int,
		    const char *const *, char *, size_t);
int		 portal_require(struct http_req *, struct portal_me *,
		    enum MHD_Result *);
int		 portal_identify(struct http_req *, struct portal_me *);
int		 portal_form(struct http_req *, struct form *, enum MHD_Result *);
void		 portal_frame(struct http_req *, struct tmpl_vars *,
		    const struct portal_me *);
long long	 portal_id_arg(struct http_req *, const char *);
enum MHD_Result	 portal_json_error(struct http_req *, unsigned, const char *);
enum MHD_Result	 portal_json_query(struct http_req *, const char *, int,
		    const char *const *);
/* portal_json_query, with the stable codes (NULL-terminated list) that
 * mean a bad request: answered 400 {"error": code}. */
enum MHD_Result	 portal_json_query_ex(struct http_req *, const char *, int,
		    const char *const *, const char *const *);
/*
 * portal_api_body: the JSON body of an API write, malloc'ed into *out:
 *   1, or 0 with *ret answered (401 without an API token, 415 not JSON,
 *   400 empty or with a NUL).
 * portal_api_call: answer the (status, body) row of a council.api_* call.
 */
int		 portal_api_body(struct http_req *, char **, enum MHD_Result *);
enum MHD_Result	 portal_api_call(struct http_req *, const char *, int,
		    const char *const *);

/*
 * The page of post n as the caller may see it (404 when hidden or absent),
 * answered with status; fb_error, when not NULL, is shown in the feedback
 * section (a refused answer, R-TF-1).
 */
enum MHD_Result	 portal_post_page(struct http_req *, const struct portal_me *,
		    long long, unsigned, const char *);

enum MHD_Result	portal_feed(struct http_req *);		/* GET /feed */
enum MHD_Result	portal_post(struct http_req *);		/* GET /posts/N */
enum MHD_Result	portal_compose(struct http_req *);	/* GET /posts/new */
enum MHD_Result	portal_compose_post(struct http_req *);	/* POST /posts/new */
enum MHD_Result	portal_tokens(struct http_req *);	/* GET /settings/tokens */
enum MHD_Result	portal_tokens_post(struct http_req *);	/* POST /settings/tokens */
enum MHD_Result	portal_api_me(struct http_req *);	/* GET /api/v1/me */
enum MHD_Result	portal_api_feed(struct http_req *);	/* GET /api/v1/feed */
enum MHD_Result	portal_api_post(struct http_req *);	/* GET /api/v1/posts/N[/feedback] */
enum MHD_Result	portal_api_create(struct http_req *);	/* POST /api/v1/posts */
enum MHD_Result	portal_api_preview(struct http_req *);	/* POST /api/v1/preview */
enum MHD_Result	portal_api_consents(struct http_req *);	/* GET /api/v1/consents */
enum MHD_Result	portal_api_consent_decide(struct http_req *); /* POST /api/v1/consents/N */

#endif
