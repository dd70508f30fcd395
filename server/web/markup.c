/*
 * markup.c: a post body's blocks (see markup.h).  One pass over the
 * lines; a block's text is accumulated in a buffer and handed to the
 * template variables when the block ends.
 */
#include <stdlib.h>
#include <string.h>

#include "markup.h"
#include "tmpl.h"
#include "util.h"

enum markup_kind { MK_NONE, MK_P, MK_H, MK_PRE, MK_LIST };

struct markup_state {
	struct tmpl_vars	*vars, *block;	/* block: the last one made */
	const char		*list;
	enum markup_kind	 kind;		/* of the open block */
	enum markup_kind	 block_kind;	/* of block */
	struct buf		 text;
	struct buf		 rest;	/* the last text block's text and what
					 * joined it over the limit */
	size_t			 nblocks;
};

/*
 * Over the limit, s[0..len) joins the last block: one more item of a
 * list, or more lines of a text (kept in rest, set when the body ends:
 * setting it at each join would copy it again every time).
 */
static void
markup_join(struct markup_state *st, const char *s, size_t len)
{
	struct tmpl_vars	*item;
	char			*t;

	if (st->block_kind == MK_LIST) {
		item = tmpl_vars_add_item(st->block, "items");
		t = xstrndup(s, len);
		tmpl_vars_set(item, "text", t);
		free(t);
		return;
	}
	if (st->rest.len > 0)
		buf_append(&st->rest, "\n", 1);
	buf_append(&st->rest, s, len);
}

/* Hand the open block (if any) to the variables. */
static void
markup_flush(struct markup_state *st)
{
	static const char *const flag[] = { NULL, "is_p", "is_h", "is_pre",
	    NULL };
	struct tmpl_vars	*b;

	if (st->kind == MK_NONE || st->kind == MK_LIST) {
		st->kind = MK_NONE;
		return;
	}
	buf_append(&st->text, "", 1);
	if (st->nblocks < MARKUP_MAX_BLOCKS) {
		b = tmpl_vars_add_item(st->vars, st->list);
		st->nblocks++;
		tmpl_vars_set(b, flag[st->kind], "1");
		tmpl_vars_set(b, "text", st->text.data);
		st->block = b;
		st->block_kind = st->kind;
		if (st->nblocks == MARKUP_MAX_BLOCKS)
			buf_append(&st->rest, st->text.data, st->text.len - 1);
	} else			/* over the limit: joins the last block */
		markup_join(st, st->text.data, st->text.len - 1);
	buf_reset(&st->text);
	st->kind = MK_NONE;
}

/* Start a block of kind k, ending the open one. */
static void
markup_open(struct markup_state *st, enum markup_kind k)
{
	if (st->kind != k || k == MK_H)
		markup_flush(st);
	st->kind = k;
}

/* One bullet item: the list block is created on its first item (over
 * the limit, the item joins the last block). */
static void
markup_item(struct markup_state *st, const char *s, size_t len)
{
	struct tmpl_vars	*item;
	char			*t;

	if (st->kind != MK_LIST) {
		markup_flush(st);
		if (st->nblocks < MARKUP_MAX_BLOCKS) {
			st->block = tmpl_vars_add_item(st->vars, st->list);
			st->nblocks++;
			st->block_kind = MK_LIST;
		}
		st->kind = MK_LIST;
	}
	if (st->nblocks == MARKUP_MAX_BLOCKS && st->block_kind != MK_LIST) {
		markup_join(st, s, len);
		return;
	}
	item = tmpl_vars_add_item(st->block, "items");
	t = xstrndup(s, len);
	tmpl_vars_set(item, "text", t);
	free(t);
}

size_t
markup_blocks(const char *body, struct tmpl_vars *vars, const char *list)
{
	struct markup_state	 st;
	const char		*line = body, *nl;
	size_t			 len;

	memset(&st, 0, sizeof(st));
	st.vars = vars;
	st.list = list;
	buf_init(&st.text);
	buf_init(&st.rest);
	while (line != NULL && *line != '\0') {
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (len == 3 && strncmp(line, "```", 3) == 0) {
			if (st.kind == MK_PRE)
				markup_flush(&st);
			else {
				markup_flush(&st);
				st.kind = MK_PRE;
			}
		} else if (st.kind == MK_PRE) {
			if (st.text.len > 0)
				buf_append(&st.text, "\n", 1);
			buf_append(&st.text, line, len);
		} else if (len == 0 || strspn(line, " \t") == len) {
			markup_flush(&st);
		} else if (len > 2 && (strncmp(line, "- ", 2) == 0 ||
		    strncmp(line, "* ", 2) == 0)) {
			markup_item(&st, line + 2, len - 2);
		} else if (len > 3 && strncmp(line, "## ", 3) == 0) {
			markup_open(&st, MK_H);
			buf_append(&st.text, line + 3, len - 3);
			markup_flush(&st);
		} else {
			markup_open(&st, MK_P);
			if (st.text.len > 0)
				buf_append(&st.text, "\n", 1);
			buf_append(&st.text, line, len);
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	markup_flush(&st);	/* an unclosed ``` block ends with the body */
	if (st.nblocks == MARKUP_MAX_BLOCKS && st.block_kind != MK_LIST) {
		buf_append(&st.rest, "", 1);
		tmpl_vars_set(st.block, "text", st.rest.data);
	}
	buf_free(&st.text);
	buf_free(&st.rest);
	return st.nblocks;
}
