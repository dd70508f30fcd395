/*
 * compose.h: writing a post (R-SCOPE-1..5, R-SECRET-1..3, R-TF-1): the
 * composer page (/posts/new), its audience preview and submit key, and the
 * JSON API's POST /api/v1/posts and /api/v1/preview (docs/api.md).  The
 * database computes the audience and refuses what the rules refuse
 * (council.create_post, policy/42_sharing_writes.sql).
 */
#ifndef COUNCIL_COMPOSE_H
#define COUNCIL_COMPOSE_H

#include <microhttpd.h>

struct buf;
struct caller_me;
struct form;
struct http_req;

enum MHD_Result	compose_get(struct http_req *);		/* GET /posts/new */
enum MHD_Result	compose_post(struct http_req *);	/* POST /posts/new */
enum MHD_Result	compose_api_create(struct http_req *);	/* POST /api/v1/posts */
enum MHD_Result	compose_api_preview(struct http_req *);	/* POST /api/v1/preview */
/*
 * The composer prefilled with the fields of f (kind, title, body: an
 * import's draft, issue 15 item 4), note shown above it; 200.  Nothing is
 * stored: the person still chooses the scope and declares the secrecy
 * (R-SECRET-1) and sends the form as any other.
 */
/*
 * The scope and exclusions of council.create_post from a form's "class",
 * "org", "group", "exclude" and "exclude_org" fields (JSON built of known
 * words and digits only); 0, or -1 for anything else.  No scope entry
 * leaves scope empty.  compose_form_has: whether f has v for name.
 */
int		compose_scope_json(const struct form *, struct buf *scope,
		    struct buf *excl);
int		compose_form_has(const struct form *, const char *name,
		    const char *v);
enum MHD_Result	compose_prefilled(struct http_req *, const struct caller_me *,
		    const struct form *f, const char *note);

#endif
