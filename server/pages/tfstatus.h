/*
 * tfstatus.h: joining the task force and the status review on the portal
 * (R-TF-2..5, R-TF-9; docs/governance.md "Task-force admission and
 * review").  policy/74_tf_status.sql decides everything: who applies,
 * who runs a poll, who votes, the count, the review's thresholds.
 */
#ifndef COUNCIL_TFSTATUS_H
#define COUNCIL_TFSTATUS_H

#include <microhttpd.h>

struct http_req;

#define TFSTATUS_API_PREFIX	"/api/v1/tf/decisions/"

enum MHD_Result	tfstatus_page(struct http_req *);	/* GET /tf */
enum MHD_Result	tfstatus_post(struct http_req *);	/* POST /tf */
enum MHD_Result	tfstatus_api_list(struct http_req *);	/* GET /api/v1/tf/decisions */
enum MHD_Result	tfstatus_api_get(struct http_req *);	/* GET /api/v1/tf/decisions/N */

#endif
