/*
 * confirm.c: the page that asks before an irreversible act (see
 * confirm.h).
 */
#include <string.h>

#include "caller.h"
#include "confirm.h"
#include "form.h"
#include "http.h"
#include "tmpl.h"

/* At most this many fields are carried: every form asking has two or
 * three; more is a programming error, cut rather than grown. */
#define CONFIRM_CARRY_MAX	8

int
confirm_given(const struct form *f)
{
	const char	*v = form_get(f, "confirm");

	return v != NULL && strcmp(v, "yes") == 0;
}

enum MHD_Result
confirm_page(struct http_req *req, const struct caller_me *me,
    const struct form *f, const struct confirm_ask *a)
{
	struct tmpl_vars	*vars, *it;
	const char		*v;
	size_t			 i;
	enum MHD_Result		 ret;

	vars = tmpl_vars_new();
	caller_frame(req, vars, me);
	tmpl_vars_set(vars, "action", a->action);
	tmpl_vars_set(vars, "heading", http_text(req, a->heading));
	tmpl_vars_set(vars, "consequence", http_text(req, a->consequence));
	tmpl_vars_set(vars, "submit", http_text(req, a->submit));
	tmpl_vars_set(vars, "back", a->back);
	if (a->subject != NULL && *a->subject != '\0')
		tmpl_vars_set(vars, "subject", a->subject);
	for (i = 0; a->carry != NULL && i < CONFIRM_CARRY_MAX &&
	    a->carry[i] != NULL; i++) {
		if ((v = form_get(f, a->carry[i])) == NULL)
			continue;
		it = tmpl_vars_add_item(vars, "fields");
		tmpl_vars_set(it, "name", a->carry[i]);
		tmpl_vars_set(it, "value", v);
	}
	ret = http_page(req, 200, "confirm.xhtml", vars);
	tmpl_vars_free(vars);
	return ret;
}
