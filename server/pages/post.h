/*
 * post.h: one post, as the caller may see it: its page (/posts/N) with the
 * sections other modules register (feedback, attached files), and the
 * JSON API's read (/api/v1/posts/N).  A post the caller may not see and a
 * post that does not exist give the same 404 (issue 4).
 */
#ifndef COUNCIL_POST_H
#define COUNCIL_POST_H

#include <microhttpd.h>

struct caller_me;
struct form;
struct http_req;
struct tmpl_vars;

/*
 * A section of the post page: fill adds its variables to vars for post
 * post_id; note, when not NULL, is a message for this section (a refused
 * act, shown in it) and sent, when not NULL, the form that act sent, to
 * be shown again as it was (issue 17: a form never loses its input).
 * Registered once at start-up (site/routes.c), in the order the page
 * shows them; at most POST_SECTIONS.
 */
#define POST_SECTIONS	8
typedef void	(*post_section_fn)(struct http_req *, long long post_id,
		    struct tmpl_vars *, const char *note,
		    const struct form *sent);
void		post_section_add(const char *name, post_section_fn fill);

/*
 * The page of post n as the caller may see it (404 when hidden or absent),
 * answered with status; note and sent, when not NULL, go to the section
 * named section (a refused answer in the feedback section, R-TF-1, with
 * the form it came in).
 */
enum MHD_Result	post_page(struct http_req *, const struct caller_me *,
		    long long n, unsigned status, const char *section,
		    const char *note, const struct form *sent);

enum MHD_Result	post_get(struct http_req *);	/* GET /posts/N */
enum MHD_Result	post_api_get(struct http_req *);	/* GET /api/v1/posts/N */

#endif
