/*
 * feedback.h: task-force feedback (R-TF-1, R-TF-5) on the member portal:
 * the feedback section of a post's page, the answer form, the member's
 * open obligations and its contribution ledger, and the JSON API calls
 * that offer the same (docs/api.md).  policy/60_feedback.sql decides who
 * may answer, what, and who sees the tally; nothing here filters.
 */
#ifndef COUNCIL_FEEDBACK_H
#define COUNCIL_FEEDBACK_H

#include <microhttpd.h>

struct form;
struct http_req;
struct tmpl_vars;

/*
 * Fill the feedback variables of post n's page (fb, fb_status, fb_deadline,
 * fb_left, fb_form, fb_expert, fb_checked_*, fb_comment, tally...).  Sets
 * nothing when the post asks for no feedback.  error: a message to show;
 * sent: the refused answer's form, shown again as it was, the field the
 * error is about marked (fb_bad_answer, fb_bad_comment).  A
 * post_section_fn (post.h).
 */
void		feedback_post_vars(struct http_req *, long long,
		    struct tmpl_vars *, const char *error,
		    const struct form *sent);

/*
 * A feedback tally as a stacked bar (issue 17), set as markup variable
 * name of vars: counts are the numbers of "seen", "not_seen", "unknown"
 * and "expert" answers, as text, in that order; id makes its element ids
 * (unique in the page).
 */
void		feedback_tally_chart(struct http_req *, struct tmpl_vars *,
		    const char *name, const char *id, const char *const counts[4]);

enum MHD_Result	feedback_answer(struct http_req *);	/* POST /feedback */
enum MHD_Result	feedback_obligations(struct http_req *);/* GET /obligations */
enum MHD_Result	feedback_ledger(struct http_req *);	/* GET /ledger */

/* GET /api/v1/obligations, GET /api/v1/ledger[?org=N] */
enum MHD_Result	feedback_api_obligations(struct http_req *);
enum MHD_Result	feedback_api_ledger(struct http_req *);

#endif
