/*
 * membership.h: joining and leaving the council on the portal (R-ORG-2,
 * R-ORG-3, R-ORG-8; docs/governance.md "Membership").  The public
 * application form and the applicant's status link; the secretariat's
 * and committee's list of applications; a GSOC-liaison notification and
 * a dissolution (the secretariat); a member's withdrawal.  Every rule is
 * policy/73_membership.sql's; the steering committee decides an
 * application with its admission or refusal motion (committee.c).
 */
#ifndef COUNCIL_MEMBERSHIP_H
#define COUNCIL_MEMBERSHIP_H

#include <stddef.h>

#include <microhttpd.h>

struct http_req;

#define MEMBERSHIP_STATUS_PREFIX	"/apply/status/"
#define MEMBERSHIP_TOKEN_BYTES	32	/* the status link's secret */
#define MEMBERSHIP_APPLY_BURST	5	/* applications one address may make at once */
#define MEMBERSHIP_APPLY_PER_MIN	1	/* ... and regains a minute */

int		membership_init(char *err, size_t errlen);
void		membership_fini(void);

enum MHD_Result	membership_apply_get(struct http_req *);	/* GET /apply */
enum MHD_Result	membership_apply_post(struct http_req *);	/* POST /apply */
enum MHD_Result	membership_status(struct http_req *);	/* GET /apply/status/TOKEN */
enum MHD_Result	membership_withdraw(struct http_req *);	/* POST /settings/org/withdraw */
enum MHD_Result	membership_api_list(struct http_req *);	/* GET /api/v1/applications */

#endif
