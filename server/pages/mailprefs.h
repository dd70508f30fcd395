/*
 * mailprefs.h: e-mail preferences (issue 14 item 6; R-ORG-10): the
 * person's own S/MIME certificate (e-mail to them is encrypted to it) and
 * the organisation's registration for the early-warning service (its
 * administrator leaves and joins again).  /settings/mail, and the JSON
 * API's /api/v1/me/smime and /api/v1/org/early-warning reads.
 */
#ifndef COUNCIL_MAILPREFS_H
#define COUNCIL_MAILPREFS_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	mailprefs_get(struct http_req *);
enum MHD_Result	mailprefs_post(struct http_req *);
enum MHD_Result	mailprefs_api_smime_get(struct http_req *);
enum MHD_Result	mailprefs_api_smime_post(struct http_req *);
enum MHD_Result	mailprefs_api_early_warning(struct http_req *);

#endif
