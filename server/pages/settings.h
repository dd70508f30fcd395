/*
 * settings.h: a person's own settings, the administration of an
 * organisation by its administrators, and the published roster, as pages
 * and as JSON API calls (docs/api.md).  policy/64_settings.sql decides who
 * may change what; nothing here filters.
 *
 *   /settings       own language (ja/en, the default language of every
 *                   page for the person from then on) and notification
 *                   preferences
 *   /settings/org   for the organisation's administrators only (403 for
 *                   anyone else): its people with their handler
 *                   registration (R-ORG-4), register / deregister, the
 *                   secret-receipt opt-out (R-SECRET-3), the roster
 *                   opt-out (R-ORG-7)
 *   /roster         the published member list (R-ORG-7): public, signed
 *                   in or not, public data only
 */
#ifndef COUNCIL_SETTINGS_H
#define COUNCIL_SETTINGS_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	settings_get(struct http_req *);	/* GET /settings */
enum MHD_Result	settings_post(struct http_req *);	/* POST /settings */
enum MHD_Result	settings_org_get(struct http_req *);	/* GET /settings/org */
enum MHD_Result	settings_org_post(struct http_req *);	/* POST /settings/org */
enum MHD_Result	settings_roster(struct http_req *);	/* GET /roster */

enum MHD_Result	settings_api_get(struct http_req *);	/* GET /api/v1/settings */
enum MHD_Result	settings_api_org(struct http_req *);	/* GET /api/v1/org */
enum MHD_Result	settings_api_roster(struct http_req *);	/* GET /api/v1/roster */

enum MHD_Result	settings_api_me(struct http_req *);	/* GET /api/v1/me */

#endif
