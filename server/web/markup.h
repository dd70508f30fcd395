/*
 * markup.h: the safe markup of a post's body.  A body is plain text
 * (sanitised on the way in by council.create_post: LF line breaks, no
 * control characters); a few line conventions give it structure:
 *   a blank line                 ends a paragraph
 *   "- " or "* " at line start   a bullet-list item
 *   "## " at line start          a sub-heading
 *   "```" alone on a line        opens or closes a preformatted block
 *                                (logs, indicators: kept verbatim)
 * Nothing else has meaning: no HTML, no links, no inline markup.  The
 * result is a list of blocks for a template, and the template puts every
 * text into a text node, so no byte of a body can ever become markup (it
 * is escaped on the way out by the serialiser, tmpl.h).
 */
#ifndef COUNCIL_MARKUP_H
#define COUNCIL_MARKUP_H

#include <stddef.h>

struct tmpl_vars;

/* Blocks of one body.  What comes after the last one joins it: more
 * items of a list, or more lines of a text; nothing is dropped. */
#define MARKUP_MAX_BLOCKS	2000

/*
 * Add body's blocks to vars as the list `list`: each item has `text` and
 * one of is_p, is_h, is_pre (set to "1"), or `items` (a list of {text})
 * for a bullet list.  Returns the number of blocks.
 */
size_t	markup_blocks(const char *body, struct tmpl_vars *vars,
	    const char *list);

#endif
