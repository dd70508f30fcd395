/*
 * analysis.h: one analysis in tiered renditions (issue 14 item 1;
 * R-NEW-1): the analysts' composer (/analyses/new: up to three
 * renditions, full, for provision and for awareness, each with its own
 * body, scope and secrecy, and the preview of who reads each), the post
 * page's renditions section (the author's organisation and the
 * coordinator only: the renditions, who reads each, publishing), and the
 * public page of the published renditions for awareness, for anyone.
 * policy/91_renditions.sql decides everything: every rendition is a post,
 * read under the posts' rules; a reader is never told another exists.
 */
#ifndef COUNCIL_ANALYSIS_H
#define COUNCIL_ANALYSIS_H

#include <microhttpd.h>

struct form;
struct http_req;
struct tmpl_vars;

enum MHD_Result	analysis_new(struct http_req *);	/* GET /analyses/new */
enum MHD_Result	analysis_create(struct http_req *);	/* POST /analyses/new */
enum MHD_Result	analysis_publish(struct http_req *);	/* POST /posts/N/publish */
enum MHD_Result	analysis_public_list(struct http_req *);	/* GET /public/analyses */
enum MHD_Result	analysis_public_get(struct http_req *);	/* GET /public/analyses/N */
enum MHD_Result	analysis_api_public(struct http_req *);	/* GET /api/v1/public/analyses */

/* The post page's section "renditions" (post.h's post_section_fn). */
void		analysis_post_vars(struct http_req *, long long post_id,
		    struct tmpl_vars *, const char *note,
		    const struct form *sent);

#endif
