/*
 * notify.h: a person's notifications on the portal (issue 5: the general
 * assembly's notices and reminders).  A notification names a page, never
 * content; the notifications policy (policy/77_notifications.sql) shows a
 * person only their own.  E-mail is server/mail.c's.
 */
#ifndef COUNCIL_NOTIFY_H
#define COUNCIL_NOTIFY_H

#include <microhttpd.h>

struct http_req;

enum MHD_Result	notify_list(struct http_req *);	/* GET /notifications */
enum MHD_Result	notify_read(struct http_req *);	/* POST /notifications */
enum MHD_Result	notify_api_list(struct http_req *);	/* GET /api/v1/notifications */
enum MHD_Result	notify_api_read(struct http_req *);	/* POST /api/v1/notifications */

#endif
