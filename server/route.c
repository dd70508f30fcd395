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

struct route {
	const char	*path;
	int		 prefix;	/* path is a prefix ending in '/' */
	unsigned	 methods;	/* enum http_method bits */
	const char	*allow;		/* the Allow header for 405 */
	route_fn	 fn;
};

static const struct route routes[] = {
	{ "/",		0, HTTP_GET | HTTP_HEAD, "GET, HEAD", signin_get },
	{ "/signin",	0, HTTP_GET | HTTP_HEAD, NULL, signin_get },
	{ "/signin",	0, HTTP_POST, "GET, HEAD, POST", signin_post },
	{ "/signin/totp", 0, HTTP_GET | HTTP_HEAD, NULL, signin_totp_get },
	{ "/signin/totp", 0, HTTP_POST, "GET, HEAD, POST", signin_totp_post },
	{ "/signin/enrol", 0, HTTP_GET | HTTP_HEAD, NULL, signin_enrol_get },
	{ "/signin/enrol", 0, HTTP_POST, "GET, HEAD, POST", signin_enrol_post },
	{ "/signout",	0, HTTP_POST, "POST", signin_signout_post },
	{ "/signout/all", 0, HTTP_POST, "POST", signin_signout_all_post },
	{ "/feed",	0, HTTP_GET | HTTP_HEAD, "GET, HEAD", portal_feed },
	{ "/search",	0, HTTP_GET | HTTP_HEAD, "GET, HEAD", search_page },
	{ "/posts/new",	0, HTTP_GET | HTTP_HEAD, NULL, portal_compose },
	{ "/posts/new",	0, HTTP_POST, "GET, HEAD, POST", portal_compose_post },
	{ "/posts/",	1, HTTP_GET | HTTP_HEAD, "GET, HEAD", portal_post },
	{ "/settings/tokens", 0, HTTP_GET | HTTP_HEAD, NULL, portal_tokens },
	{ "/settings/tokens", 0, HTTP_POST, "GET, HEAD, POST",
	    portal_tokens_post },
	{ "/api/v1/me",	0, HTTP_GET | HTTP_HEAD, "GET, HEAD", portal_api_me },
	{ "/api/v1/feed", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", portal_api_feed },
	{ "/api/v1/search", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", search_api },
	{ "/api/v1/posts/", 1, HTTP_GET | HTTP_HEAD, NULL, portal_api_post },
	{ "/api/v1/posts/", 1, HTTP_POST, "GET, HEAD, POST",
	    portal_api_post_write },
	{ "/api/v1/posts", 0, HTTP_POST, "POST", portal_api_create },
	{ "/api/v1/preview", 0, HTTP_POST, "POST", portal_api_preview },
	{ "/api/v1/consents", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    portal_api_consents },
	{ "/api/v1/consents/", 1, HTTP_POST, "POST",
	    portal_api_consent_decide },
	{ "/api/v1/obligations", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    feedback_api_obligations },
	{ "/api/v1/ledger", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    feedback_api_ledger },
	{ "/feedback",	0, HTTP_POST, "POST", feedback_answer },
	{ "/obligations", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    feedback_obligations },
	{ "/ledger",	0, HTTP_GET | HTTP_HEAD, "GET, HEAD", feedback_ledger },
	{ "/api/v1/committee/motions", 0, HTTP_POST, "POST",
	    gov_api_motion_create },
	{ "/api/v1/committee/motions/", 1, HTTP_GET | HTTP_HEAD, NULL,
	    gov_api_motion },
	{ "/api/v1/committee/motions/", 1, HTTP_POST, "GET, HEAD, POST",
	    gov_api_motion_act },
	{ "/committee",	0, HTTP_GET | HTTP_HEAD, NULL, scpage_list },
	{ "/committee",	0, HTTP_POST, "GET, HEAD, POST", scpage_create },
	{ SCPAGE_PREFIX, 1, HTTP_GET | HTTP_HEAD, NULL, scpage_get },
	{ SCPAGE_PREFIX, 1, HTTP_POST, "GET, HEAD, POST", scpage_act },
	{ "/assemblies", 0, HTTP_GET | HTTP_HEAD, NULL, gapage_list },
	{ "/assemblies", 0, HTTP_POST, "GET, HEAD, POST", gapage_convene },
	{ "/assemblies/", 1, HTTP_GET | HTTP_HEAD, NULL, gapage_get },
	{ "/assemblies/", 1, HTTP_POST, "GET, HEAD, POST", gapage_act },
	{ "/api/v1/assemblies", 0, HTTP_POST, "POST", gov_api_assembly_create },
	{ "/api/v1/assemblies/", 1, HTTP_GET | HTTP_HEAD, NULL, gov_api_minutes },
	{ "/api/v1/assemblies/", 1, HTTP_POST, "GET, HEAD, POST",
	    gov_api_assembly_act },
	{ "/api/v1/polls/", 1, HTTP_GET | HTTP_HEAD, NULL, gov_api_poll },
	{ "/api/v1/polls/", 1, HTTP_POST, "GET, HEAD, POST", gov_api_poll_act },
	{ "/cooperation", 0, HTTP_GET | HTTP_HEAD, NULL, coop_list },
	{ "/cooperation", 0, HTTP_POST, "GET, HEAD, POST", coop_answer },
	{ "/api/v1/cooperation", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    coop_api_list },
	{ "/api/v1/cooperation/", 1, HTTP_POST, "POST", coop_api_answer },
	{ "/notifications", 0, HTTP_GET | HTTP_HEAD, NULL, notify_list },
	{ "/notifications", 0, HTTP_POST, "GET, HEAD, POST", notify_read },
	{ "/api/v1/notifications", 0, HTTP_GET | HTTP_HEAD, NULL,
	    notify_api_list },
	{ "/api/v1/notifications", 0, HTTP_POST, "GET, HEAD, POST",
	    notify_api_read },
	{ "/tf",	0, HTTP_GET | HTTP_HEAD, NULL, tfstatus_page },
	{ "/tf",	0, HTTP_POST, "GET, HEAD, POST", tfstatus_post },
	{ "/api/v1/tf/decisions", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    tfstatus_api_list },
	{ TFSTATUS_API_PREFIX, 1, HTTP_GET | HTTP_HEAD, NULL, tfstatus_api_get },
	{ TFSTATUS_API_PREFIX, 1, HTTP_POST, "GET, HEAD, POST",
	    tfstatus_api_act },
	{ "/api/v1/tf/applications", 0, HTTP_POST, "POST", tfstatus_api_apply },
	{ "/api/v1/tf/reviews", 0, HTTP_POST, "POST", tfstatus_api_review },
	{ "/api/v1/tf/amendments", 0, HTTP_POST, "POST", tfstatus_api_amend },
	{ "/consents",	0, HTTP_GET | HTTP_HEAD, NULL, consent_list },
	{ "/consents",	0, HTTP_POST, "GET, HEAD, POST", consent_decide },
	{ "/attachments", 0, HTTP_POST, "POST", attach_upload },
	{ "/attachments/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD", attach_get },
	{ "/api/v1/attachments", 0, HTTP_POST, "POST", attach_api_upload },
	{ "/api/v1/attachments/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    attach_api_get },
	{ "/settings",	0, HTTP_GET | HTTP_HEAD, NULL, settings_get },
	{ "/settings",	0, HTTP_POST, "GET, HEAD, POST", settings_post },
	{ "/apply",	0, HTTP_GET | HTTP_HEAD, NULL, member_apply_get },
	{ "/apply",	0, HTTP_POST, "GET, HEAD, POST", member_apply_post },
	{ MEMBER_STATUS_PREFIX, 1, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    member_status },
	{ "/settings/org/withdraw", 0, HTTP_POST, "POST", member_withdraw },
	{ "/api/v1/applications", 0, HTTP_GET | HTTP_HEAD, NULL,
	    member_api_list },
	{ "/api/v1/applications", 0, HTTP_POST, "GET, HEAD, POST",
	    member_api_post },
	{ "/api/v1/org/withdraw", 0, HTTP_POST, "POST", member_api_withdraw },
	{ "/settings/org", 0, HTTP_GET | HTTP_HEAD, NULL, settings_org_get },
	{ "/settings/org", 0, HTTP_POST, "GET, HEAD, POST", settings_org_post },
	{ "/roster",	0, HTTP_GET | HTTP_HEAD, "GET, HEAD", settings_roster },
	{ "/documents",	0, HTTP_GET | HTTP_HEAD, "GET, HEAD", document_list },
	{ "/documents/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD", document_page },
	{ "/api/v1/documents", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    document_api_list },
	{ "/api/v1/documents/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    document_api_get },
	{ "/api/v1/settings", 0, HTTP_GET | HTTP_HEAD, NULL, settings_api_get },
	{ "/api/v1/settings", 0, HTTP_POST, "GET, HEAD, POST",
	    settings_api_post },
	{ "/api/v1/org", 0, HTTP_GET | HTTP_HEAD, NULL, settings_api_org },
	{ "/api/v1/org", 0, HTTP_POST, "GET, HEAD, POST", settings_api_org_post },
	{ "/api/v1/org/handlers", 0, HTTP_POST, "POST", settings_api_handlers },
	{ "/api/v1/roster", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD",
	    settings_api_roster },
	{ "/healthz",	0, HTTP_GET | HTTP_HEAD, "GET, HEAD", pages_healthz },
	{ "/robots.txt", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", static_robots },
	{ "/static/",	1, HTTP_GET | HTTP_HEAD, "GET, HEAD", static_serve },
};

enum MHD_Result
route_dispatch(struct http_req *req)
{
	const struct route	*r, *allow = NULL;
	size_t			 i;

	for (i = 0; i < UTIL_ARRAY_LEN(routes); i++) {
		r = &routes[i];
		if (r->prefix ? strncmp(req->path, r->path, strlen(r->path)) != 0
		    : strcmp(req->path, r->path) != 0)
			continue;
		if (r->methods & req->method) {
			auth_request(req);
			/* Every state change is a POST; none from another
			 * site's page (auth.h). */
			if (req->method == HTTP_POST && !auth_origin_ok(req))
				return http_error(req, 403, NULL);
			return r->fn(req);
		}
		if (r->allow != NULL)
			allow = r;
	}
	if (allow != NULL)
		return http_error(req, 405, allow->allow);
	return http_error(req, 404, NULL);
}
