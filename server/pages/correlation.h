/*
 * correlation.h: correlation under scope (issue 15 item 5): the post
 * page's section "相関 / Correlations" (the other posts the caller reads
 * that share an indicator with the post, with the shared values) and
 * GET /api/v1/posts/N/correlations.  policy/98_correlation.sql decides
 * everything, as the caller, through the posts' own row-level security:
 * nothing about a post the caller cannot read is shown or counted.
 */
#ifndef COUNCIL_CORRELATION_H
#define COUNCIL_CORRELATION_H

#include <microhttpd.h>

struct form;
struct http_req;
struct tmpl_vars;

/* The post page's section "correlations" (post.h, post_section_fn). */
void		correlation_post_vars(struct http_req *, long long post_id,
		    struct tmpl_vars *, const char *note, const struct form *sent);
/* GET /api/v1/posts/N/correlations: council.api_post_correlations; a
 * hidden post is 404 post_not_found like an absent one. */
enum MHD_Result	correlation_api(struct http_req *);

#endif
