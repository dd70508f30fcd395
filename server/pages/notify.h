/*
 * notify.h: a person's notifications on the portal (issue 5: the general
 * assembly's notices and reminders; issue 17: the sharing work, policy/
 * 78_notify_sharing.sql) and "My tasks", everything waiting for them.  A notification names a page, never
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
enum MHD_Result	notify_tasks(struct http_req *);	/* GET /tasks */
enum MHD_Result	notify_api_tasks(struct http_req *);	/* GET /api/v1/tasks */

#endif
