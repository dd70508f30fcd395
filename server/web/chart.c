/*
 * chart.c: SVG charts (the contract is in chart.h).  Each writer computes
 * its geometry in viewBox units from the numbers it is given, writes the
 * element with its <title> and <desc> (the text equivalent, every number
 * drawn), then the shapes.  Texts go through chart_esc, the only place a
 * caller's bytes reach the output; ids and classes through chart_token.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "util.h"

#define CHART_SVG_NS	"http://www.w3.org/2000/svg"
#define CHART_MAX_ID	48

/* The separators of the text equivalent, per language. */
static const struct {
	const char	*value;	/* between a label and its number */
	const char	*item;	/* between two items */
	const char	*group;	/* between two groups of items */
} chart_sep[I18N_NLANG] = {
	[I18N_JA] = { "：", "、", "。" },
	[I18N_EN] = { ": ", ", ", ". " }
};

static int
chart_xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd ||
	    (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0x10ffff);
}

/*
 * Append s (NULL: nothing) escaped for text and attribute values alike,
 * at most CHART_MAX_LABEL bytes of it (cut between characters, "…"
 * after), every ill-formed byte and character XML forbids as U+FFFD.
 */
static void
chart_esc(struct buf *out, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len, i = 0, n;
	uint32_t		 c;

	if (s == NULL)
		return;
	len = strlen(s);
	while (i < len) {
		if (i >= CHART_MAX_LABEL) {
			buf_puts(out, "…");
			return;
		}
		switch (p[i]) {
		case '&':
			buf_puts(out, "&amp;");
			i++;
			continue;
		case '<':
			buf_puts(out, "&lt;");
			i++;
			continue;
		case '>':
			buf_puts(out, "&gt;");
			i++;
			continue;
		case '"':
			buf_puts(out, "&quot;");
			i++;
			continue;
		case '\'':
			buf_puts(out, "&#39;");
			i++;
			continue;
		default:
			break;
		}
		n = util_utf8_char(p + i, len - i, &c);
		if (n == 0 || !chart_xml_char(c)) {
			buf_puts(out, "\xef\xbf\xbd");
			i += n != 0 ? n : 1;
			continue;
		}
		buf_append(out, s + i, n);
		i += n;
	}
}

/* Append s reduced to [A-Za-z0-9_-] (at most CHART_MAX_ID bytes). */
static void
chart_token(struct buf *out, const char *s)
{
	size_t	i;
	char	c;

	for (i = 0; s != NULL && s[i] != '\0' && i < CHART_MAX_ID; i++) {
		c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-')
			buf_append(out, &c, 1);
	}
}

static long long
chart_nonneg(long long v)
{
	return v < 0 ? 0 : v;
}

/* A length in viewBox units with one decimal ("0.0" for NaN). */
static void
chart_num(struct buf *out, double v)
{
	if (!(v == v))
		v = 0;
	buf_printf(out, "%.1f", v);
}

/* A count as the text equivalent writes it: up to 3 decimals, no
 * trailing zeros (2.5, 3). */
static void
chart_amount(struct buf *out, double v)
{
	char	s[64];
	size_t	n;

	if (!(v == v) || v < 0)
		v = 0;
	if (v > 1e15) {
		buf_printf(out, "%.0f", v);
		return;
	}
	n = (size_t)snprintf(s, sizeof(s), "%.3f", v);
	while (n > 0 && s[n - 1] == '0')
		n--;
	if (n > 0 && s[n - 1] == '.')
		n--;
	buf_append(out, s, n);
}

/* The start of the element up to the start of <desc>'s text. */
static void
chart_open(struct buf *out, const char *kind, const char *id, double w,
    double h, const char *title)
{
	buf_puts(out, "<svg xmlns=\"" CHART_SVG_NS "\" class=\"chart chart--");
	buf_puts(out, kind);
	buf_puts(out, "\" role=\"img\" aria-labelledby=\"chart-");
	chart_token(out, id);
	buf_puts(out, "-t chart-");
	chart_token(out, id);
	buf_puts(out, "-d\" width=\"");
	chart_num(out, w);
	buf_puts(out, "\" height=\"");
	chart_num(out, h);
	buf_puts(out, "\" viewBox=\"0 0 ");
	chart_num(out, w);
	buf_puts(out, " ");
	chart_num(out, h);
	buf_puts(out, "\"><title id=\"chart-");
	chart_token(out, id);
	buf_puts(out, "-t\">");
	chart_esc(out, title);
	buf_puts(out, "</title><desc id=\"chart-");
	chart_token(out, id);
	buf_puts(out, "-d\">");
}

/* "label：N" of the text equivalent. */
static void
chart_desc_item(struct buf *out, const char *label, double v,
    enum i18n_lang lang)
{
	chart_esc(out, label);
	buf_puts(out, chart_sep[lang].value);
	chart_amount(out, v);
}

/* "label：N" for a count (exact, however large). */
static void
chart_desc_count(struct buf *out, const char *label, long long v,
    enum i18n_lang lang)
{
	chart_esc(out, label);
	buf_puts(out, chart_sep[lang].value);
	buf_printf(out, "%lld", chart_nonneg(v));
}

/* <rect> with class base (and base--cls when cls has a token). */
static void
chart_rect(struct buf *out, const char *base, const char *cls, double x,
    double y, double w, double h, const char *fill)
{
	buf_puts(out, "<rect class=\"");
	buf_puts(out, base);
	if (cls != NULL && cls[0] != '\0') {
		buf_puts(out, " ");
		buf_puts(out, base);
		buf_puts(out, "--");
		chart_token(out, cls);
	}
	buf_puts(out, "\" x=\"");
	chart_num(out, x);
	buf_puts(out, "\" y=\"");
	chart_num(out, y);
	buf_puts(out, "\" width=\"");
	chart_num(out, w < 0 ? 0 : w);
	buf_puts(out, "\" height=\"");
	chart_num(out, h < 0 ? 0 : h);
	buf_puts(out, "\" fill=\"");
	buf_puts(out, fill);
	buf_puts(out, "\"/>");
}

/* <text> at x, y; anchor "start", "middle" or "end". */
static void
chart_text_open(struct buf *out, double x, double y, const char *anchor)
{
	buf_puts(out, "<text class=\"chart__text\" x=\"");
	chart_num(out, x);
	buf_puts(out, "\" y=\"");
	chart_num(out, y);
	buf_puts(out, "\" text-anchor=\"");
	buf_puts(out, anchor);
	buf_puts(out, "\" font-size=\"13\" fill=\"currentColor\">");
}

/* A vertical line from y0 to y1 at x. */
static void
chart_vline(struct buf *out, const char *cls, double x, double y0, double y1)
{
	buf_puts(out, "<line class=\"chart__line chart__line--");
	buf_puts(out, cls);
	buf_puts(out, "\" x1=\"");
	chart_num(out, x);
	buf_puts(out, "\" x2=\"");
	chart_num(out, x);
	buf_puts(out, "\" y1=\"");
	chart_num(out, y0);
	buf_puts(out, "\" y2=\"");
	chart_num(out, y1);
	buf_puts(out, "\" stroke=\"currentColor\" stroke-width=\"2\" "
	    "stroke-dasharray=\"4 2\"/>");
}

/* The default fills of the parts, in order (council.css may set others). */
static const char *const chart_fills[] = {
	"#1b6e3c", "#b3261e", "#6b6b6b", "#1f4e8c", "#a05a00", "#5b3c88"
};

#define CHART_FILL(i)	chart_fills[(i) % UTIL_ARRAY_LEN(chart_fills)]

/* A legend row: the part's swatch and "label N" at y. */
static void
chart_legend(struct buf *out, const struct chart_part *p, size_t i, double y,
    int with_value)
{
	chart_rect(out, "chart__part", p->cls, 0, y - 10, 12, 12, CHART_FILL(i));
	chart_text_open(out, 18, y, "start");
	chart_esc(out, p->label);
	if (with_value)
		buf_printf(out, " %lld", chart_nonneg(p->value));
	buf_puts(out, "</text>");
}

void
chart_stack(struct buf *out, const char *id, const char *title,
    const struct chart_part *parts, size_t nparts, enum i18n_lang lang)
{
	const double	 w = 320, bar = 24;
	double		 total = 0, x = 0, pw;
	size_t		 i;

	if (nparts > CHART_MAX_PARTS)
		nparts = CHART_MAX_PARTS;
	for (i = 0; i < nparts; i++)
		total += (double)chart_nonneg(parts[i].value);
	chart_open(out, "stack", id, w, bar + 12 + 20 * (double)nparts, title);
	for (i = 0; i < nparts; i++) {
		if (i > 0)
			buf_puts(out, chart_sep[lang].item);
		chart_desc_count(out, parts[i].label, parts[i].value, lang);
	}
	buf_puts(out, "</desc>");
	chart_rect(out, "chart__track", NULL, 0, 0, w, bar, "#e6e6e6");
	for (i = 0; i < nparts && total > 0; i++) {
		pw = w * (double)chart_nonneg(parts[i].value) / total;
		if (pw > 0)
			chart_rect(out, "chart__part", parts[i].cls, x, 0, pw,
			    bar, CHART_FILL(i));
		x += pw;
	}
	for (i = 0; i < nparts; i++)
		chart_legend(out, &parts[i], i, bar + 26 + 20 * (double)i, 1);
	buf_puts(out, "</svg>");
}

/* One row of the vote chart: label, track, bar of v on scale, number. */
static void
chart_vote_row(struct buf *out, const char *label, const char *cls,
    size_t fill, double y, double v, double scale, const char *number)
{
	const double	x0 = 160, bw = 180, h = 18;

	chart_text_open(out, x0 - 6, y + 13, "end");
	chart_esc(out, label);
	buf_puts(out, "</text>");
	chart_rect(out, "chart__track", NULL, x0, y, bw, h, "#e6e6e6");
	if (v > 0 && scale > 0)
		chart_rect(out, "chart__part", cls, x0, y, bw * v / scale, h,
		    CHART_FILL(fill));
	chart_text_open(out, x0 + bw + 6, y + 13, "start");
	buf_puts(out, number);
	buf_puts(out, "</text>");
}

void
chart_vote(struct buf *out, const char *id, const struct chart_vote *v,
    enum i18n_lang lang)
{
	const double	 x0 = 160, bw = 180, row = 26, w = 420;
	struct buf	 num;
	double		 scale, tscale, y, h, lx;
	size_t		 i, n = v->nchoices;
	int		 turnout = v->electorate >= 0;

	if (n > CHART_MAX_PARTS)
		n = CHART_MAX_PARTS;
	scale = (double)chart_nonneg(v->base);
	for (i = 0; i < n; i++)
		if ((double)chart_nonneg(v->choices[i].value) > scale)
			scale = (double)chart_nonneg(v->choices[i].value);
	if (v->needed > scale)
		scale = v->needed;
	tscale = (double)chart_nonneg(v->electorate);
	if ((double)chart_nonneg(v->turnout) > tscale)
		tscale = (double)chart_nonneg(v->turnout);
	if (v->quorum > tscale)
		tscale = v->quorum;
	h = 4 + row * (double)n + (turnout ? row : 0) +
	    (v->needed >= 0 ? 20 : 0) + (turnout && v->quorum >= 0 ? 20 : 0) +
	    4;

	chart_open(out, "vote", id, w, h, v->title);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(out, chart_sep[lang].item);
		chart_desc_count(out, v->choices[i].label,
		    v->choices[i].value, lang);
	}
	if (v->needed >= 0) {
		buf_puts(out, chart_sep[lang].group);
		chart_desc_item(out, v->needed_label, v->needed, lang);
	}
	if (turnout) {
		buf_puts(out, chart_sep[lang].group);
		chart_desc_count(out, v->turnout_label, v->turnout, lang);
		buf_printf(out, " / %lld", chart_nonneg(v->electorate));
		if (v->quorum >= 0) {
			buf_puts(out, chart_sep[lang].item);
			chart_desc_item(out, v->quorum_label, v->quorum, lang);
		}
	}
	buf_puts(out, "</desc>");

	buf_init(&num);
	y = 4;
	for (i = 0; i < n; i++, y += row) {
		buf_reset(&num);
		buf_printf(&num, "%lld", chart_nonneg(v->choices[i].value));
		chart_vote_row(out, v->choices[i].label, v->choices[i].cls, i,
		    y, (double)chart_nonneg(v->choices[i].value), scale,
		    num.data);
	}
	if (v->needed >= 0) {
		lx = x0 + (scale > 0 ? bw * v->needed / scale : 0);
		chart_vline(out, "needed", lx, 0, y - 4);
	}
	if (turnout) {
		buf_reset(&num);
		buf_printf(&num, "%lld / %lld", chart_nonneg(v->turnout),
		    chart_nonneg(v->electorate));
		chart_vote_row(out, v->turnout_label, "turnout", 3, y,
		    (double)chart_nonneg(v->turnout), tscale, num.data);
		if (v->quorum >= 0) {
			lx = x0 + (tscale > 0 ? bw * v->quorum / tscale : 0);
			chart_vline(out, "quorum", lx, y - 2, y + 20);
		}
		y += row;
	}
	/* The lines' legend: a dashed stroke and "label：X" a row each. */
	if (v->needed >= 0) {
		chart_vline(out, "needed", 6, y, y + 14);
		chart_text_open(out, 16, y + 12, "start");
		chart_desc_item(out, v->needed_label, v->needed, lang);
		buf_puts(out, "</text>");
		y += 20;
	}
	if (turnout && v->quorum >= 0) {
		chart_vline(out, "quorum", 6, y, y + 14);
		chart_text_open(out, 16, y + 12, "start");
		chart_desc_item(out, v->quorum_label, v->quorum, lang);
		buf_puts(out, "</text>");
	}
	buf_free(&num);
	buf_puts(out, "</svg>");
}

void
chart_columns(struct buf *out, const char *id, const char *title,
    const char *const *xlabels, size_t nx, const struct chart_part *series,
    size_t nseries, const long long *values, enum i18n_lang lang)
{
	const double	 cw = 58, bw = 36, top = 14, plot = 80, left = 4;
	double		 max = 0, sum, y, bh, w, h;
	size_t		 x, s, first = 0;

	if (nseries > CHART_MAX_PARTS)
		nseries = CHART_MAX_PARTS;
	if (nx > CHART_MAX_COLS)
		first = nx - CHART_MAX_COLS;
	for (x = first; x < nx; x++) {
		for (sum = 0, s = 0; s < nseries; s++)
			sum += (double)chart_nonneg(values[x * nseries + s]);
		if (sum > max)
			max = sum;
	}
	w = left * 2 + cw * (double)(nx - first);
	if (w < 240)
		w = 240;
	h = top + plot + 18 + 20 * (double)nseries;

	chart_open(out, "columns", id, w, h, title);
	for (x = first; x < nx; x++) {
		if (x > first)
			buf_puts(out, chart_sep[lang].group);
		chart_esc(out, xlabels[x]);
		buf_puts(out, chart_sep[lang].value);
		for (s = 0; s < nseries; s++) {
			if (s > 0)
				buf_puts(out, chart_sep[lang].item);
			chart_esc(out, series[s].label);
			buf_printf(out, " %lld",
			    chart_nonneg(values[x * nseries + s]));
		}
	}
	buf_puts(out, "</desc>");
	chart_text_open(out, left, 10, "start");
	chart_amount(out, max);
	buf_puts(out, "</text>");
	for (x = first; x < nx; x++) {
		y = top + plot;
		for (s = 0; s < nseries && max > 0; s++) {
			bh = plot * (double)chart_nonneg(values[x * nseries +
			    s]) / max;
			if (bh <= 0)
				continue;
			y -= bh;
			chart_rect(out, "chart__part", series[s].cls, left +
			    cw * (double)(x - first) + (cw - bw) / 2, y, bw, bh,
			    CHART_FILL(s));
		}
		chart_text_open(out, left + cw * (double)(x - first) + cw / 2,
		    top + plot + 13, "middle");
		chart_esc(out, xlabels[x]);
		buf_puts(out, "</text>");
	}
	buf_puts(out, "<line class=\"chart__axis\" x1=\"0\" x2=\"");
	chart_num(out, w);
	buf_puts(out, "\" y1=\"");
	chart_num(out, top + plot);
	buf_puts(out, "\" y2=\"");
	chart_num(out, top + plot);
	buf_puts(out, "\" stroke=\"currentColor\"/>");
	for (s = 0; s < nseries; s++)
		chart_legend(out, &series[s], s, top + plot + 36 + 20 *
		    (double)s, 0);
	buf_puts(out, "</svg>");
}

void
chart_countdown(struct buf *out, const char *id, const char *title,
    long long total_s, long long left_s, const char *cls,
    enum i18n_lang lang)
{
	const double	w = 160, h = 10;
	double		frac;

	total_s = chart_nonneg(total_s);
	left_s = chart_nonneg(left_s);
	if (left_s > total_s)
		left_s = total_s;
	frac = total_s > 0 ? (double)left_s / (double)total_s : 0;
	(void)lang;
	chart_open(out, "countdown", id, w, h, title);
	chart_amount(out, (double)(long long)(frac * 100 + 0.5));
	buf_puts(out, "%</desc>");
	chart_rect(out, "chart__track", NULL, 0, 0, w, h, "#e6e6e6");
	if (frac > 0)
		chart_rect(out, "chart__left", cls, 0, 0, w * frac, h,
		    "#1f4e8c");
	buf_puts(out, "</svg>");
}
