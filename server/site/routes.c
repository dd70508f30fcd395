/*
 * routes.c: the table of every URL councild answers (see routes.h).  One
 * row per (pattern, methods): the front finds the row at a request's first
 * call (so that the body's kind and limit are known before the body is
 * read), fills the route's {id} or {key}, and answers 404 or 405 (with
 * Allow) itself; the kit's dispatch hook reads the credential, refuses a
 * POST from another site's page and a request without the credential the
 * row asks for, then calls the handler.
 *
 * Access (web/http.h): ANYONE, the handler decides (public pages, sign-in,
 * the health check); PAGE, a signed-in page (no credential: 303 to
 * /signin, or 403 for a POST, which has no form token then); API, the JSON
 * API (no credential: 401 not_signed_in); TOKEN, a machine's API token
 * as Bearer or HTTP Basic's password, never a cookie (the handler answers
 * without one: TAXII).  The database still decides who
 * may see and do what: the row only spares a round trip to nobody.
 */
#include "access.h"
#include "analysis.h"
#include "api.h"
#include "asset.h"
#include "assembly.h"
#include "attach.h"
#include "committee.h"
#include "compose.h"
#include "consent.h"
#include "correlation.h"
#include "coop.h"
#include "credential.h"
#include "cymat.h"
#include "depth.h"
#include "documents.h"
#include "feed.h"
#include "feedback.h"
#include "groups.h"
#include "health.h"
#include "hearing.h"
#include "http.h"
#include "incgroup.h"
#include "incident.h"
#include "membership.h"
#include "misp.h"
#include "minutes.h"
#include "nonmember.h"
#include "notify.h"
#include "post.h"
#include "presets.h"
#include "routes.h"
#include "scrape.h"
#include "search.h"
#include "mailprefs.h"
#include "settings.h"
#include "signin.h"
#include "static.h"
#include "taxii.h"
#include "tfstatus.h"
#include "tokens.h"
#include "training.h"
#include "use.h"
#include "util.h"
#include "violation.h"
#include "vuln.h"

#define G	(HTTP_GET | HTTP_HEAD)
#define P	HTTP_POST
#define R(pattern, methods, access, fn) \
	{ pattern, methods, HTTP_ ## access, HTTP_BODY_FORM, fn, NULL }
#define UPLOAD(pattern, access, fn) \
	{ pattern, HTTP_POST, HTTP_ ## access, HTTP_BODY_UPLOAD, fn, NULL }
/* The JSON API's rows whose work is one call (kit/api.c): a write with
 * the body (and the {id} of the pattern), a read of council.api_read. */
#define WRITE(pattern, call) \
	{ pattern, HTTP_POST, HTTP_API, HTTP_BODY_FORM, api_write_route, \
	    "council." call }
#define READ(pattern, fn) \
	{ pattern, G, HTTP_API, HTTP_BODY_FORM, api_read_route, fn }
/* The TAXII server's rows (taxii.c): tokens only, never a cookie. */
#define TAXII(pattern, methods, body) \
	{ pattern, methods, HTTP_TOKEN, body, taxii_serve, NULL }

static const struct http_route routes[] = {
	/* The machine's (health.c, static.c): first, as the most frequent
	 * and the cheapest to answer. */
	R("/healthz",			G, ANYONE, health_get),
	/* Prometheus (scrape.c; issue 16): its own bearer token, never a
	 * cookie; every method, so that without metrics_token_file it
	 * answers 404 exactly as a path without a route. */
	R("/metrics",			G | P | HTTP_OTHER, ANYONE,
	    scrape_metrics),
	R("/robots.txt",		G, ANYONE, static_robots),
	R("/static/{path}",		G, ANYONE, static_serve),

	/* Sign-in and sign-out (signin.c). */
	R("/",				G, ANYONE, signin_get),
	R("/signin",			G, ANYONE, signin_get),
	R("/signin",			P, ANYONE, signin_post),
	R("/signin/totp",		G, ANYONE, signin_totp_get),
	R("/signin/totp",		P, ANYONE, signin_totp_post),
	R("/signin/enrol",		G, ANYONE, signin_enrol_get),
	R("/signin/enrol",		P, ANYONE, signin_enrol_post),
	R("/signout",			P, ANYONE, signin_signout_post),
	R("/signout/all",		P, ANYONE, signin_signout_all_post),

	/* Sharing: the feed (feed.c), search, posts (post.c), the
	 * composer (compose.c), feedback, consents, attachments. */
	R("/feed",			G, PAGE, feed_page),
	R("/search",			G, PAGE, search_page),
	R("/posts/new",			G, PAGE, compose_get),
	R("/posts/new",			P, PAGE, compose_post),
	R("/posts/{id}",		G, PAGE, post_get),
	R("/feedback",			P, PAGE, feedback_answer),
	R("/obligations",		G, PAGE, feedback_obligations),
	R("/ledger",			G, PAGE, feedback_ledger),
	R("/consents",			G, PAGE, consent_list),
	R("/consents",			P, PAGE, consent_decide),
	UPLOAD("/attachments",		   PAGE, attach_upload),
	R("/attachments/{id}",		G, PAGE, attach_get),
	/* Need to know and uses (use.c; R-TF-7, R-TF-8, R-ORG-9, R-USE-1). */
	R("/posts/{id}/uses",		P, PAGE, use_record),
	READ("/api/v1/posts/{id}/uses",	"post_uses_json"),
	WRITE("/api/v1/posts/{id}/uses",	"api_post_use($1::bigint, $2)"),
	/* Correlation under scope (correlation.c; issue 15 item 5). */
	R("/api/v1/posts/{id}/correlations", G, API, correlation_api),
	/* Handler safety management (training.c; R-NEW-6). */
	R("/handlers",			G, PAGE, training_page),
	R("/handlers",			P, PAGE, training_post),
	R("/api/v1/handlers",		G, API, training_api_get),
	WRITE("/api/v1/handlers",	"api_handler_safety($1)"),
	R("/api/v1/me",			G, API, settings_api_me),
	R("/api/v1/feed",		G, API, feed_api),
	R("/api/v1/search",		G, API, search_api),
	R("/api/v1/posts",		P, API, compose_api_create),
	R("/api/v1/posts/{id}",		G, API, post_api_get),
	READ("/api/v1/posts/{id}/feedback", "feedback_tally"),
	WRITE("/api/v1/posts/{id}/feedback",
	    "api_give_feedback($1::bigint, $2)"),
	R("/api/v1/preview",		P, API, compose_api_preview),
	R("/api/v1/consents",		G, API, consent_api_list),
	WRITE("/api/v1/consents/{id}",
	    "api_decide_consent($1::bigint, $2)"),
	R("/api/v1/obligations",	G, API, feedback_api_obligations),
	R("/api/v1/ledger",		G, API, feedback_api_ledger),
	UPLOAD("/api/v1/attachments",	   API, attach_api_upload),
	R("/api/v1/attachments/{id}",	G, API, attach_api_get),

	/* The steering committee (committee.c). */
	R("/committee",			G, PAGE, committee_list),
	R("/committee",			P, PAGE, committee_create),
	R("/committee/{id}",		G, PAGE, committee_get),
	R("/committee/{id}",		P, PAGE, committee_act),
	WRITE("/api/v1/committee/motions",	"api_sc_create($1)"),
	READ("/api/v1/committee/motions/{id}", "sc_motion"),
	WRITE("/api/v1/committee/motions/{id}",
	    "api_sc_act($1::bigint, $2)"),

	/* The general assembly (assembly.c, minutes.c). */
	R("/assemblies",		G, PAGE, assembly_list),
	R("/assemblies",		P, PAGE, assembly_convene),
	R("/assemblies/{id}",		G, PAGE, assembly_get),
	R("/assemblies/{id}",		P, PAGE, assembly_act),
	R("/assemblies/{id}/minutes",	G, PAGE, minutes_get),
	R("/assemblies/{id}/minutes.csv", G, PAGE, minutes_csv_get),
	WRITE("/api/v1/assemblies",	"api_ga_convene($1)"),
	WRITE("/api/v1/assemblies/{id}",	"api_ga_act($1::bigint, $2)"),
	READ("/api/v1/assemblies/{id}/minutes", "ga_minutes"),
	READ("/api/v1/polls/{id}",	"ga_poll"),
	WRITE("/api/v1/polls/{id}",	"api_ga_poll_act($1::bigint, $2)"),

	/* Requests for cooperation, notifications (coop.c, notify.c). */
	R("/cooperation",		G, PAGE, coop_list),
	R("/cooperation",		P, PAGE, coop_answer),
	R("/api/v1/cooperation",	G, API, coop_api_list),
	WRITE("/api/v1/cooperation/{id}",
	    "api_coop_answer($1::bigint, $2)"),
	R("/notifications",		G, PAGE, notify_list),
	R("/notifications",		P, PAGE, notify_read),
	R("/api/v1/notifications",	G, API, notify_api_list),
	R("/api/v1/notifications",	P, API, notify_api_read),
	R("/tasks",			G, PAGE, notify_tasks),
	R("/api/v1/tasks",		G, API, notify_api_tasks),

	/* Incident reports (incident.c; R-NEW-3): one window to every
	 * authority whose regime applies. */
	R("/incidents",			G, PAGE, incident_list),
	R("/incidents/new",		G, PAGE, incident_new),
	R("/incidents/new",		P, PAGE, incident_new_post),
	R("/incidents/{id}",		G, PAGE, incident_get),
	R("/incidents/{id}",		P, PAGE, incident_post),
	R("/api/v1/incidents",		G, API, incident_api_list),
	WRITE("/api/v1/incidents",	"api_incident('file', NULL, $1)"),
	WRITE("/api/v1/incidents/preview",
	    "api_incident('preview', NULL, $1)"),
	READ("/api/v1/incidents/{id}",	"incident"),
	WRITE("/api/v1/incidents/{id}",	"api_incident('act', $1::bigint, $2)"),

	/* Joint hearings (hearing.c; R-NEW-3): an authority asks the
	 * reporter; with its consent, other authorities join. */
	R("/incidents/{id}/hearings",	G, PAGE, hearing_list),
	R("/incidents/{id}/hearings",	P, PAGE, hearing_request),
	R("/hearings/{id}",		G, PAGE, hearing_get),
	R("/hearings/{id}",		P, PAGE, hearing_act),
	R("/api/v1/hearings",		G, API, hearing_api_mine),
	R("/api/v1/incidents/{id}/hearings", G, API, hearing_api_list),
	WRITE("/api/v1/incidents/{id}/hearings",
	    "api_hearing('request', $1::bigint, $2)"),
	R("/api/v1/hearings/{id}",	G, API, hearing_api_get),
	WRITE("/api/v1/hearings/{id}",	"api_hearing('act', $1::bigint, $2)"),

	/* Per-incident groups (incgroup.c; R-NEW-2, R-SCOPE-4): opened from
	 * a report, each member added with the reporter's consent. */
	R("/incidents/{id}/groups",	G, PAGE, incgroup_list),
	R("/incidents/{id}/groups",	P, PAGE, incgroup_post),
	R("/api/v1/incidents/{id}/groups", G, API, incgroup_api_list),
	WRITE("/api/v1/incidents/{id}/groups",
	    "api_incident_group('open', $1::bigint, $2)"),
	R("/api/v1/incident-groups/{id}", G, API, incgroup_api_get),
	WRITE("/api/v1/incident-groups/{id}",
	    "api_incident_group('act', $1::bigint, $2)"),

	/* The secretariat's access cases (access.c; R-ORG-6): the reason,
	 * the minimum posts, who approved, closing. */
	R("/access-cases",		G, PAGE, access_list),
	R("/access-cases",		P, PAGE, access_open),
	R("/access-cases/{id}",		G, PAGE, access_get),
	R("/access-cases/{id}",		P, PAGE, access_act),
	R("/api/v1/access-cases",	G, API, access_api_list),
	WRITE("/api/v1/access-cases",	"api_access_case('open', NULL, $1)"),
	READ("/api/v1/access-cases/{id}", "access_case"),
	WRITE("/api/v1/access-cases/{id}",
	    "api_access_case('act', $1::bigint, $2)"),

	/* Support requests to CYMAT (cymat.c; R-CYMAT-1). */
	R("/cymat",			G, PAGE, cymat_list),
	R("/cymat",			P, PAGE, cymat_request),
	R("/cymat/{id}",		G, PAGE, cymat_get),
	R("/cymat/{id}",		P, PAGE, cymat_act),
	R("/api/v1/cymat",		G, API, cymat_api_list),
	WRITE("/api/v1/cymat",		"api_cymat('request', NULL, $1)"),
	READ("/api/v1/cymat/{id}",	"cymat_case"),
	WRITE("/api/v1/cymat/{id}",	"api_cymat('act', $1::bigint, $2)"),

	/* Groups (groups.c; R-NEW-2): made by the coordinator and the
	 * secretariat, named as scopes by their members. */
	R("/groups",			G, PAGE, groups_list),
	R("/groups",			P, PAGE, groups_create),
	R("/groups/{id}",		P, PAGE, groups_act),
	R("/api/v1/groups",		G, API, groups_api_list),
	WRITE("/api/v1/groups",		"api_group('create', NULL, $1)"),
	WRITE("/api/v1/groups/{id}",	"api_group('act', $1::bigint, $2)"),

	/* Violation reports (violation.c; R-VIOL-1): to the secretariat
	 * only, which opens an access case from one. */
	R("/violations",		G, PAGE, violation_list),
	R("/violations",		P, PAGE, violation_file),
	R("/violations/{id}",		G, PAGE, violation_get),
	R("/violations/{id}",		P, PAGE, violation_act),
	R("/api/v1/violations",		G, API, violation_api_list),
	WRITE("/api/v1/violations",	"api_violation('file', NULL, $1)"),
	READ("/api/v1/violations/{id}",	"violation_report"),
	WRITE("/api/v1/violations/{id}",
	    "api_violation('act', $1::bigint, $2)"),

	/* The asset registry (asset.c; R-NEW-4): the operator's specified
	 * critical computers as CPE 2.3 names, seen by the coordinator and
	 * the government analysts too. */
	R("/assets",			G, PAGE, asset_list),
	R("/assets",			P, PAGE, asset_register),
	R("/assets/{id}",		G, PAGE, asset_get),
	R("/assets/{id}",		P, PAGE, asset_act),
	R("/api/v1/assets",		G, API, asset_api_list),
	R("/api/v1/cpe-dictionary",	G, API, asset_api_dictionary),
	WRITE("/api/v1/assets",		"api_asset('register', NULL, $1)"),
	READ("/api/v1/assets/{id}",	"asset_json"),
	WRITE("/api/v1/assets/{id}",	"api_asset('act', $1::bigint, $2)"),
	/* One analysis in tiered renditions (analysis.c; R-NEW-1): the
	 * analysts' composer, publishing, the public page for anyone. */
	R("/analyses/new",		G, PAGE, analysis_new),
	R("/analyses/new",		P, PAGE, analysis_create),
	R("/posts/{id}/publish",	P, PAGE, analysis_publish),
	R("/public/analyses",		G, ANYONE, analysis_public_list),
	R("/public/analyses/{id}",	G, ANYONE, analysis_public_get),
	R("/api/v1/public/analyses",	G, ANYONE, analysis_api_public),
	WRITE("/api/v1/analyses",	"api_analysis('create', NULL, $1)"),
	WRITE("/api/v1/analyses/preview", "api_analysis('preview', NULL, $1)"),
	WRITE("/api/v1/posts/{id}/publish", "api_analysis('publish', $1::bigint, $2)"),
	READ("/api/v1/posts/{id}/renditions", "rendition_list"),
	READ("/api/v1/posts/{id}/stix",	"stix_bundle_json"),
	/* Vulnerability matching (vuln.c; R-NEW-4): NVD CVE API 2.0 and CSAF
	 * 2.0 imported by the coordinator or an analyst; the matches. */
	R("/advisories",			G, PAGE, vuln_page),
	UPLOAD("/advisories",			PAGE, vuln_upload),
	R("/api/v1/advisories",		G, API, vuln_api_matches),
	WRITE("/api/v1/advisories",	"api_advisory($1)"),
	/* MISP in and out (misp.c; issue 15 item 4): a post as an event
	 * under the caller's row-level security; an event as a draft in
	 * the composer, nothing stored (R-SECRET-1). */
	R("/posts/{id}/misp.json",	G, PAGE, misp_export_page),
	R("/api/v1/posts/{id}/misp",	G, API, misp_api_export),
	R("/misp/import",		G, PAGE, misp_import_page),
	UPLOAD("/misp/import",			PAGE, misp_import_upload),
	R("/api/v1/misp/import",	P, API, misp_api_import),

	/* Non-members (nonmember.c; R-NONMEM-1, R-SHARE-2): the register,
	 * posts on behalf of one, relays through a member with the handler
	 * list. */
	R("/nonmembers",		G, PAGE, nonmember_list),
	R("/nonmembers",		P, PAGE, nonmember_act),
	R("/nonmembers/relays/{id}",	G, PAGE, nonmember_relay_get),
	R("/nonmembers/relays/{id}",	P, PAGE, nonmember_relay_act),
	R("/api/v1/nonmembers",		G, API, nonmember_api_list),
	WRITE("/api/v1/nonmembers",	"api_nonmember('register', NULL, $1)"),
	WRITE("/api/v1/nonmembers/posts", "api_nonmember('post', NULL, $1)"),
	WRITE("/api/v1/nonmembers/relays",
	    "api_nonmember('relay', NULL, $1)"),
	R("/api/v1/nonmembers/relays/{id}", G, API, nonmember_api_relay),
	WRITE("/api/v1/nonmembers/relays/{id}",
	    "api_nonmember('act', $1::bigint, $2)"),
	R("/api/v1/posts/{id}/provenance", G, API, nonmember_api_provenance),

	/* The task force's admissions and reviews (tfstatus.c). */
	R("/tf",			G, PAGE, tfstatus_page),
	R("/tf",			P, PAGE, tfstatus_post),
	R("/api/v1/tf/decisions",	G, API, tfstatus_api_list),
	R("/api/v1/tf/decisions/{id}",	G, API, tfstatus_api_get),
	WRITE("/api/v1/tf/decisions/{id}",
	    "api_tf('act', $1::bigint, $2)"),
	WRITE("/api/v1/tf/applications",
	    "api_tf('apply', NULL, $1)"),
	WRITE("/api/v1/tf/reviews",	"api_tf('review', NULL, $1)"),
	WRITE("/api/v1/tf/amendments",	"api_tf('amend', NULL, $1)"),

	/* Joining and leaving (membership.c), settings and the organisation
	 * (settings.c, tokens.c). */
	R("/apply",			G, ANYONE, membership_apply_get),
	R("/apply",			P, ANYONE, membership_apply_post),
	R("/apply/status/{key}",	G, ANYONE, membership_status),
	R("/settings/org/withdraw",	P, PAGE, membership_withdraw),
	R("/api/v1/applications",	G, API, membership_api_list),
	WRITE("/api/v1/applications",	"api_membership($1)"),
	WRITE("/api/v1/org/withdraw",	"api_org_withdraw($1)"),
	R("/settings",			G, PAGE, settings_get),
	R("/settings",			P, PAGE, settings_post),
	R("/settings/tokens",		G, PAGE, tokens_get),
	R("/settings/tokens",		P, PAGE, tokens_post),
	R("/settings/org",		G, PAGE, settings_org_get),
	R("/settings/org",		P, PAGE, settings_org_post),
	R("/api/v1/settings",		G, API, settings_api_get),
	WRITE("/api/v1/settings",	"api_set_settings($1)"),
	R("/api/v1/org",		G, API, settings_api_org),
	WRITE("/api/v1/org",		"api_set_org($1)"),
	WRITE("/api/v1/org/handlers",	"api_handler($1)"),
	/* E-mail preferences (mailprefs.c; issue 14 item 6, R-ORG-10). */
	R("/settings/mail",		G, PAGE, mailprefs_get),
	R("/settings/mail",		P, PAGE, mailprefs_post),
	R("/api/v1/me/smime",		G, API, mailprefs_api_smime_get),
	R("/api/v1/me/smime",		P, API, mailprefs_api_smime_post),
	R("/api/v1/org/early-warning",	G, API, mailprefs_api_early_warning),
	WRITE("/api/v1/org/early-warning", "api_set_early_warning($1)"),
	/* Scope presets, each a TAXII write collection of its organisation
	 * (presets.c; issue 15 item 1, R-SCOPE-1, R-SCOPE-2). */
	R("/settings/presets",		G, PAGE, presets_page),
	R("/settings/presets",		P, PAGE, presets_create),
	R("/settings/presets/{id}",	P, PAGE, presets_act),
	R("/api/v1/scope-presets",	G, API, presets_api_list),
	WRITE("/api/v1/scope-presets",	"api_scope_preset('create', NULL, $1)"),
	R("/api/v1/scope-presets/{id}",	G, API, presets_api_get),
	WRITE("/api/v1/scope-presets/{id}",
	    "api_scope_preset('act', $1::bigint, $2)"),

	/* Public: the roster, the council's texts (settings.c, documents.c). */
	R("/roster",			G, ANYONE, settings_roster),
	R("/api/v1/roster",		G, ANYONE, settings_api_roster),
	R("/documents",			G, ANYONE, documents_list),
	R("/documents/{key}",		G, ANYONE, documents_page),
	R("/documents/{key}/{id}",	G, ANYONE, documents_version),
	R("/api/v1/documents",		G, ANYONE, documents_api_list),
	R("/api/v1/documents/{key}",	G, ANYONE, documents_api_get),

	/* TAXII 2.1 (taxii.c; issue 15 item 1): machines with an API token,
	 * as Bearer or as HTTP Basic's password; every method reaches the
	 * handler, which parses the rest of the path and answers 405 itself.
	 * A POST (of objects) takes a body up to attachment_max_size + 64k,
	 * from a token the database knows, into a file (HTTP_BODY_UPLOAD). */
	TAXII("/taxii2/",		G | HTTP_OTHER | P, HTTP_BODY_FORM),
	TAXII("/taxii2/{path}",		G | HTTP_OTHER, HTTP_BODY_FORM),
	TAXII("/taxii2/{path}",		P, HTTP_BODY_UPLOAD),

};

const struct http_route *
routes_table(size_t *n)
{
	*n = UTIL_ARRAY_LEN(routes);
	return routes;
}

void
routes_install(struct http_server *srv)
{
	srv->routes = routes;
	srv->nroutes = UTIL_ARRAY_LEN(routes);
	srv->upload_gate = credential_person;
	srv->dispatch = credential_dispatch;
	/* The post page's sections, in the order it shows them. */
	post_section_add("depth", depth_post_vars);		/* R-TF-6 */
	post_section_add("feedback", feedback_post_vars);	/* R-TF-1 */
	post_section_add("attachments", attach_post_vars);
	post_section_add("renditions", analysis_post_vars);	/* R-NEW-1 */
	post_section_add("uses", use_post_vars);	/* R-TF-7, R-TF-8, R-ORG-9 */
	post_section_add("misp", misp_post_vars);	/* issue 15 item 4 */
	post_section_add("correlations", correlation_post_vars); /* R-SCOPE-1 */
}
