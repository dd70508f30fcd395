/*
 * asset.h: the asset registry (issue 14 item 4; R-NEW-4): a
 * critical-infrastructure operator registers its specified critical
 * computers as CPE 2.3 names (picked from the bundled dictionary subset or
 * typed), with location, role and the date of each change.
 * policy/89_assets.sql decides everything; only the operator, the
 * coordinator and the government analysts see an asset.
 */
#ifndef COUNCIL_ASSET_H
#define COUNCIL_ASSET_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	asset_list(struct http_req *);		/* GET /assets */
enum MHD_Result	asset_register(struct http_req *);	/* POST /assets */
enum MHD_Result	asset_get(struct http_req *);		/* GET /assets/N */
enum MHD_Result	asset_act(struct http_req *);		/* POST /assets/N */
enum MHD_Result	asset_api_list(struct http_req *);	/* GET /api/v1/assets */
enum MHD_Result	asset_api_dictionary(struct http_req *); /* GET /api/v1/cpe-dictionary */

#endif
