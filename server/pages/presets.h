/*
 * presets.h: the organisations' scope presets (issue 15 item 1; R-SCOPE-1,
 * R-SCOPE-2): a named scope and exclusions an organisation uses again and
 * again, each live one a TAXII write collection of that organisation
 * (/taxii2/council/collections/<uuid>/).  policy/99_presets.sql decides
 * who sees, creates and deletes; the page (/settings/presets, Japanese
 * first) and the JSON API call the same function, council.api_scope_preset.
 */
#ifndef COUNCIL_PRESETS_H
#define COUNCIL_PRESETS_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	presets_page(struct http_req *);	/* GET /settings/presets */
enum MHD_Result	presets_create(struct http_req *);	/* POST /settings/presets */
enum MHD_Result	presets_act(struct http_req *);		/* POST /settings/presets/N */
enum MHD_Result	presets_api_list(struct http_req *);	/* GET /api/v1/scope-presets */
enum MHD_Result	presets_api_get(struct http_req *);	/* GET /api/v1/scope-presets/N */

#endif
