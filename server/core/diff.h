/*
 * diff.h: a line diff of two texts, for amendments (docs/governance.md
 * "Documents and amendments": an amendment shows what it changes).  The
 * longest common subsequence of lines, after the common head and tail are
 * set aside; the result is plain text for the templates, never markup.
 */
#ifndef COUNCIL_DIFF_H
#define COUNCIL_DIFF_H

#include <stddef.h>

#define DIFF_MAX_LINES	20000		/* lines per text */
#define DIFF_MAX_CELLS	(4L * 1024 * 1024)	/* LCS table of the middle */

enum diff_op { DIFF_SAME, DIFF_DEL, DIFF_ADD };

struct diff_line {
	enum diff_op	 op;
	char		*text;		/* the line without its '\n' */
};

/*
 * diff_lines: the lines of a and b (split at '\n'; a final '\n' ends the
 * last line, it does not start an empty one) as a sequence of kept,
 * deleted and added lines, in order: deletions before additions where
 * both replace a stretch.  *out is malloc'ed (diff_free).  Returns 0, or
 * -1 (nothing allocated) when a text has more than DIFF_MAX_LINES lines
 * or the part that differs needs more than DIFF_MAX_CELLS table cells.
 */
int	diff_lines(const char *a, const char *b, struct diff_line **out,
	    size_t *n);
void	diff_free(struct diff_line *, size_t);

#endif
