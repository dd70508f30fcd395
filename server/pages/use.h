/*
 * use.h: need to know and the uses of a post (issue 14 item 3; R-TF-7,
 * R-TF-8, R-ORG-9, R-USE-1): the post page's section (the uses the caller
 * sees, the need-to-know statement for the coordinator and the author's
 * organisation, the form of a Type 1 member or a mutual-aid body) and its
 * form's answer.  policy/93_uses.sql decides everything.
 */
#ifndef COUNCIL_USE_H
#define COUNCIL_USE_H

#include <microhttpd.h>

struct form;
struct http_req;
struct tmpl_vars;

/* The post page's section "uses" (post.h, post_section_fn). */
void		use_post_vars(struct http_req *, long long post_id,
		    struct tmpl_vars *, const char *note, const struct form *sent);
enum MHD_Result	use_record(struct http_req *);	/* POST /posts/N/uses */

#endif
