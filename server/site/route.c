/*
 * route.c: the table of every URL councild answers (see route.h).
 */
#include <string.h>

#include "attach.h"
#include "auth.h"
#include "consent.h"
#include "document.h"
#include "coop.h"
#include "feedback.h"
#include "gapage.h"
#include "gov.h"
#include "http.h"
#include "member.h"
#include "notify.h"
#include "pages.h"
#include "portal.h"
#include "route.h"
#include "scpage.h"
#include "search.h"
#include "settings.h"
#include "signin.h"
#include "static.h"
#include "tfstatus.h"
#include "util.h"

/* A route whose body is a form or JSON (max_body_size), and an upload
 * route (route.h: ROUTE_BODY_UPLOAD). */
#define ROUTE(path, prefix, methods, allow, fn) \
	{ path, prefix, methods, allow, fn, ROUTE_BODY_FORM }
#define UPLOAD(path, prefix, methods, allow, fn) \
	{ path, prefix, methods, allow, fn, ROUTE_BODY_UPLOAD }

static const struct route routes[] = {
	ROUTE("/", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", signin_get),
	ROUTE("/signin", 0, HTTP_GET | HTTP_HEAD, NULL, signin_get),
	ROUTE("/signin", 0, HTTP_POST, "GET, HEAD, POST", signin_post),
	ROUTE("/signin/totp", 0, HTTP_GET | HTTP_HEAD, NULL, signin_totp_get),
	ROUTE("/signin/totp", 0, HTTP_POST, "GET, HEAD, POST",
	    signin_totp_post),
	ROUTE("/signin/enrol", 0, HTTP_GET | HTTP_HEAD, NULL, signin_enrol_get),
	ROUTE("/signin/enrol", 0, HTTP_POST, "GET, HEAD, POST",
	    signin_enrol_post),
	ROUTE("/signout", 0, HTTP_POST, "POST", signin_signout_post),
	ROUTE("/signout/all", 0, HTTP_POST, "POST", signin_signout_all_post),
	ROUTE("/feed", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", portal_feed),
	ROUTE("/search", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", search_page),
	ROUTE("/posts/new", 0, HTTP_GET | HTTP_HEAD, NULL, portal_compose),
	ROUTE("/posts/new", 0, HTTP_POST, "GET, HEAD, POST",
	    portal_compose_post),
	ROUTE("/posts/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD", portal_post),
	ROUTE("/settings/tokens", 0, HTTP_GET | HTTP_HEAD, NULL, portal_tokens),
	ROUTE("/settings/tokens", 0, HTTP_POST, "GET, HEAD, POST",
	    portal_tokens_post),
	ROUTE("/api/v1/me", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    portal_api_me),
	ROUTE("/api/v1/feed", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    portal_api_feed),
	ROUTE("/api/v1/search", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    search_api),
	ROUTE("/api/v1/posts/", 1, HTTP_GET | HTTP_HEAD, NULL, portal_api_post),
	ROUTE("/api/v1/posts/", 1, HTTP_POST, "GET, HEAD, POST",
	    portal_api_post_write),
	ROUTE("/api/v1/posts", 0, HTTP_POST, "POST", portal_api_create),
	ROUTE("/api/v1/preview", 0, HTTP_POST, "POST", portal_api_preview),
	ROUTE("/api/v1/consents", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    portal_api_consents),
	ROUTE("/api/v1/consents/", 1, HTTP_POST, "POST",
	    portal_api_consent_decide),
	ROUTE("/api/v1/obligations", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    feedback_api_obligations),
	ROUTE("/api/v1/ledger", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    feedback_api_ledger),
	ROUTE("/feedback", 0, HTTP_POST, "POST", feedback_answer),
	ROUTE("/obligations", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    feedback_obligations),
	ROUTE("/ledger", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", feedback_ledger),
	ROUTE("/api/v1/committee/motions", 0, HTTP_POST, "POST",
	    gov_api_motion_create),
	ROUTE("/api/v1/committee/motions/", 1, HTTP_GET | HTTP_HEAD, NULL,
	    gov_api_motion),
	ROUTE("/api/v1/committee/motions/", 1, HTTP_POST, "GET, HEAD, POST",
	    gov_api_motion_act),
	ROUTE("/committee", 0, HTTP_GET | HTTP_HEAD, NULL, scpage_list),
	ROUTE("/committee", 0, HTTP_POST, "GET, HEAD, POST", scpage_create),
	ROUTE(SCPAGE_PREFIX, 1, HTTP_GET | HTTP_HEAD, NULL, scpage_get),
	ROUTE(SCPAGE_PREFIX, 1, HTTP_POST, "GET, HEAD, POST", scpage_act),
	ROUTE("/assemblies", 0, HTTP_GET | HTTP_HEAD, NULL, gapage_list),
	ROUTE("/assemblies", 0, HTTP_POST, "GET, HEAD, POST", gapage_convene),
	ROUTE("/assemblies/", 1, HTTP_GET | HTTP_HEAD, NULL, gapage_get),
	ROUTE("/assemblies/", 1, HTTP_POST, "GET, HEAD, POST", gapage_act),
	ROUTE("/api/v1/assemblies", 0, HTTP_POST, "POST",
	    gov_api_assembly_create),
	ROUTE("/api/v1/assemblies/", 1, HTTP_GET | HTTP_HEAD, NULL,
	    gov_api_minutes),
	ROUTE("/api/v1/assemblies/", 1, HTTP_POST, "GET, HEAD, POST",
	    gov_api_assembly_act),
	ROUTE("/api/v1/polls/", 1, HTTP_GET | HTTP_HEAD, NULL, gov_api_poll),
	ROUTE("/api/v1/polls/", 1, HTTP_POST, "GET, HEAD, POST",
	    gov_api_poll_act),
	ROUTE("/cooperation", 0, HTTP_GET | HTTP_HEAD, NULL, coop_list),
	ROUTE("/cooperation", 0, HTTP_POST, "GET, HEAD, POST", coop_answer),
	ROUTE("/api/v1/cooperation", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    coop_api_list),
	ROUTE("/api/v1/cooperation/", 1, HTTP_POST, "POST", coop_api_answer),
	ROUTE("/notifications", 0, HTTP_GET | HTTP_HEAD, NULL, notify_list),
	ROUTE("/notifications", 0, HTTP_POST, "GET, HEAD, POST", notify_read),
	ROUTE("/api/v1/notifications", 0, HTTP_GET | HTTP_HEAD, NULL,
	    notify_api_list),
	ROUTE("/api/v1/notifications", 0, HTTP_POST, "GET, HEAD, POST",
	    notify_api_read),
	ROUTE("/tf", 0, HTTP_GET | HTTP_HEAD, NULL, tfstatus_page),
	ROUTE("/tf", 0, HTTP_POST, "GET, HEAD, POST", tfstatus_post),
	ROUTE("/api/v1/tf/decisions", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    tfstatus_api_list),
	ROUTE(TFSTATUS_API_PREFIX, 1, HTTP_GET | HTTP_HEAD, NULL,
	    tfstatus_api_get),
	ROUTE(TFSTATUS_API_PREFIX, 1, HTTP_POST, "GET, HEAD, POST",
	    tfstatus_api_act),
	ROUTE("/api/v1/tf/applications", 0, HTTP_POST, "POST",
	    tfstatus_api_apply),
	ROUTE("/api/v1/tf/reviews", 0, HTTP_POST, "POST", tfstatus_api_review),
	ROUTE("/api/v1/tf/amendments", 0, HTTP_POST, "POST",
	    tfstatus_api_amend),
	ROUTE("/consents", 0, HTTP_GET | HTTP_HEAD, NULL, consent_list),
	ROUTE("/consents", 0, HTTP_POST, "GET, HEAD, POST", consent_decide),
	UPLOAD("/attachments", 0, HTTP_POST, "POST", attach_upload),
	ROUTE("/attachments/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    attach_get),
	UPLOAD("/api/v1/attachments", 0, HTTP_POST, "POST", attach_api_upload),
	ROUTE("/api/v1/attachments/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    attach_api_get),
	ROUTE("/settings", 0, HTTP_GET | HTTP_HEAD, NULL, settings_get),
	ROUTE("/settings", 0, HTTP_POST, "GET, HEAD, POST", settings_post),
	ROUTE("/apply", 0, HTTP_GET | HTTP_HEAD, NULL, member_apply_get),
	ROUTE("/apply", 0, HTTP_POST, "GET, HEAD, POST", member_apply_post),
	ROUTE(MEMBER_STATUS_PREFIX, 1, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    member_status),
	ROUTE("/settings/org/withdraw", 0, HTTP_POST, "POST", member_withdraw),
	ROUTE("/api/v1/applications", 0, HTTP_GET | HTTP_HEAD, NULL,
	    member_api_list),
	ROUTE("/api/v1/applications", 0, HTTP_POST, "GET, HEAD, POST",
	    member_api_post),
	ROUTE("/api/v1/org/withdraw", 0, HTTP_POST, "POST",
	    member_api_withdraw),
	ROUTE("/settings/org", 0, HTTP_GET | HTTP_HEAD, NULL, settings_org_get),
	ROUTE("/settings/org", 0, HTTP_POST, "GET, HEAD, POST",
	    settings_org_post),
	ROUTE("/roster", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", settings_roster),
	ROUTE("/documents", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    document_list),
	ROUTE("/documents/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    document_page),
	ROUTE("/api/v1/documents", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    document_api_list),
	ROUTE("/api/v1/documents/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    document_api_get),
	ROUTE("/api/v1/settings", 0, HTTP_GET | HTTP_HEAD, NULL,
	    settings_api_get),
	ROUTE("/api/v1/settings", 0, HTTP_POST, "GET, HEAD, POST",
	    settings_api_post),
	ROUTE("/api/v1/org", 0, HTTP_GET | HTTP_HEAD, NULL, settings_api_org),
	ROUTE("/api/v1/org", 0, HTTP_POST, "GET, HEAD, POST",
	    settings_api_org_post),
	ROUTE("/api/v1/org/handlers", 0, HTTP_POST, "POST",
	    settings_api_handlers),
	ROUTE("/api/v1/roster", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    settings_api_roster),
	ROUTE("/healthz", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", pages_healthz),
	ROUTE("/robots.txt", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    static_robots),
	ROUTE("/static/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD", static_serve),
};

const struct route *
route_find(const char *path, unsigned method, const char **allow)
{
	const struct route	*r;
	size_t			 i;

	*allow = NULL;
	for (i = 0; i < UTIL_ARRAY_LEN(routes); i++) {
		r = &routes[i];
		if (r->prefix ? strncmp(path, r->path, strlen(r->path)) != 0
		    : strcmp(path, r->path) != 0)
			continue;
		if (r->methods & method)
			return r;
		if (r->allow != NULL)
			*allow = r->allow;
	}
	return NULL;
}

enum MHD_Result
route_dispatch(struct http_req *req)
{
	if (req->route == NULL)
		return req->route_allow != NULL ?
		    http_error(req, 405, req->route_allow) :
		    http_error(req, 404, NULL);
	auth_request(req);
	/* Every state change is a POST; none from another site's page
	 * (auth.h). */
	if (req->method == HTTP_POST && !auth_origin_ok(req))
		return http_error(req, 403, NULL);
	return req->route->fn(req);
}
