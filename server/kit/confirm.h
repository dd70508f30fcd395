/*
 * confirm.h: asking before an act that cannot be undone (issue 17: "a
 * confirmation before irreversible actions"), without JavaScript.  A form
 * whose act is irreversible is posted first without confirm=yes; its
 * handler answers with confirm_ask: a page that names the act, says what
 * follows from it and offers the same form again with confirm=yes, or the
 * way back.  Only the second post acts.  The API is not asked: a program
 * that calls it has decided.
 */
#ifndef COUNCIL_CONFIRM_H
#define COUNCIL_CONFIRM_H

#include <microhttpd.h>

struct caller_me;
struct form;
struct http_req;

/* What to ask.  Catalog keys: heading (the question), consequence (what
 * follows; cannot be undone), submit (the button that acts). */
struct confirm_ask {
	const char	 *action;	/* the form's URL (same path, POST) */
	const char	 *heading;
	const char	 *consequence;
	const char	 *submit;
	const char	 *subject;	/* what it is about (a name), or NULL */
	const char	 *back;		/* where "cancel" leads */
	const char *const *carry;	/* the fields posted again, NULL-ended */
};

/* 1 when f confirms (confirm=yes), else 0. */
int		confirm_given(const struct form *f);

/*
 * The page that asks (200): the fields named by a->carry are taken from f
 * and posted again as hidden fields with confirm=yes and a fresh form
 * token; an absent field is left out.  Nothing is changed by it.
 */
enum MHD_Result	confirm_page(struct http_req *, const struct caller_me *,
		    const struct form *f, const struct confirm_ask *a);

#endif
