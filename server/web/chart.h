/*
 * chart.h: small charts as SVG, written by councild itself (issue 17
 * "pictures where people would rather look than read"): the feedback
 * tally as one stacked bar, a vote's choices against the line its rule
 * needs and its turnout against the quorum, counts per month as columns,
 * and a deadline's time left as a bar.
 *
 * What the output is, whatever the input:
 *   - one well-formed <svg> element in the SVG namespace, with role="img",
 *     aria-labelledby naming its <title> and <desc>: the title the caller
 *     gives and every number drawn, as text (a screen reader reads them;
 *     the page also shows them next to the chart, as a table or text);
 *   - no <script>, no <style>, no style or on* attribute, no link: the
 *     Content-Security-Policy allows nothing inline, and presentation
 *     attributes (fill, stroke) and classes (chart__*, web/css/council.css)
 *     are all it uses;
 *   - every caller text (labels, titles) escaped for text and attribute
 *     alike, invalid UTF-8 and characters XML forbids replaced by U+FFFD,
 *     cut to CHART_MAX_LABEL bytes; ids and class names reduced to
 *     [A-Za-z0-9_-].
 * So the markup may go into a page through tmpl_vars_set_markup and
 * t:markup (tmpl.h).  Every number is one the page already read under
 * row-level security: a chart counts nothing itself.
 *
 * The writers append to out and never fail (memory: util.h's x*alloc).
 * lang picks the separators of the text equivalent ("：" "、" in Japanese).
 */
#ifndef COUNCIL_CHART_H
#define COUNCIL_CHART_H

#include <stddef.h>

#include "i18n.h"

struct buf;

#define CHART_MAX_LABEL	200	/* bytes of one caller text; more is cut */
#define CHART_MAX_PARTS	16	/* parts or series; more are left out */
#define CHART_MAX_COLS	36	/* columns; the last ones are kept */

/* One part of a whole: a label, a count (below 0 counts as 0) and a CSS
 * modifier (cls "seen" gives class "chart__part chart__part--seen"). */
struct chart_part {
	const char	*label;
	long long	 value;
	const char	*cls;
};

/*
 * One horizontal bar split into parts in proportion to their values, and
 * a legend "label N" per part.  id makes the element ids ("chart-<id>-t"),
 * unique in the page.  All values 0: an empty bar.
 */
void	chart_stack(struct buf *out, const char *id, const char *title,
	    const struct chart_part *parts, size_t nparts, enum i18n_lang lang);

/*
 * A vote: one bar per choice on a scale of `base` (the number the rule's
 * fraction is of; at least the largest choice), a line at `needed`
 * (votes, may be fractional: "more than half of 5" is 2.5; below 0: no
 * line), and, when electorate >= 0, a bar of the turnout of the
 * electorate with a line at `quorum` (below 0: no line).  The labels of
 * the lines and of the turnout row are the caller's texts.
 */
struct chart_vote {
	const char		*title;
	const struct chart_part	*choices;
	size_t			 nchoices;
	long long		 base;
	double			 needed;
	const char		*needed_label;
	long long		 turnout;
	long long		 electorate;
	double			 quorum;
	const char		*turnout_label;
	const char		*quorum_label;
};

void	chart_vote(struct buf *out, const char *id, const struct chart_vote *v,
	    enum i18n_lang lang);

/*
 * Columns: one per x label (a month), each a stack of nseries values
 * (values[x * nseries + s]), on a scale of the largest column; a legend
 * of the series (their label and cls; their value is not used).
 */
void	chart_columns(struct buf *out, const char *id, const char *title,
	    const char *const *xlabels, size_t nx,
	    const struct chart_part *series, size_t nseries,
	    const long long *values, enum i18n_lang lang);

/*
 * A countdown: a bar of the time left (left_s, clamped to 0..total_s) of
 * a window of total_s seconds; title says it in words (the caller's
 * "2 days 3 hours left").  cls as for a part ("soon", "overdue").
 */
void	chart_countdown(struct buf *out, const char *id, const char *title,
	    long long total_s, long long left_s, const char *cls,
	    enum i18n_lang lang);

#endif
