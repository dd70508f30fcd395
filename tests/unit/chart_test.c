/*
 * chart_test.c: the SVG charts (chart.c).  Every chart, with ordinary,
 * zero, negative, huge and hostile inputs, must be one well-formed <svg>
 * (libxml2 parses it) that holds only the elements and attributes the CSP
 * and the accessibility rules allow, names its <title> and <desc> from
 * aria-labelledby, carries every number in its text equivalent, and keeps
 * every caller text a text.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "chart.h"
#include "util.h"

#define SVG_NS	"http://www.w3.org/2000/svg"

static const char HOSTILE[] = "<script>alert(1)</script>&amp;\"'\x01\xff]]>";

/* Elements a chart may contain, and attributes none may carry. */
static const char *const allowed[] = {
	"svg", "title", "desc", "rect", "line", "text"
};

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	for (n = n->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

static void
check_tree(xmlNodePtr n)
{
	xmlAttrPtr	a;
	size_t		i;
	int		ok = 0;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		ck_assert_ptr_nonnull(n->ns);
		ck_assert_str_eq((const char *)n->ns->href, SVG_NS);
		for (i = 0, ok = 0; i < UTIL_ARRAY_LEN(allowed); i++)
			ok |= strcmp((const char *)n->name, allowed[i]) == 0;
		ck_assert_msg(ok, "element <%s>", n->name);
		for (a = n->properties; a != NULL; a = a->next) {
			ck_assert_msg(strncasecmp((const char *)a->name, "on",
			    2) != 0, "attribute %s", a->name);
			ck_assert_msg(strcasecmp((const char *)a->name,
			    "style") != 0 && strcasecmp((const char *)a->name,
			    "href") != 0, "attribute %s", a->name);
			ck_assert_ptr_null(a->ns);
		}
		check_tree(n->children);
	}
}

/*
 * Parse out as one chart and check its shape; returns the text of its
 * <desc> (free it).  The title's text goes to *title when asked.
 */
static char *
parse_chart(const struct buf *out, char **title)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, t, d;
	xmlChar		*lab, *tid, *did, *s;
	char		*desc, want[256];

	ck_assert_ptr_nonnull(out->data);
	ck_assert_msg(strstr(out->data, "<script") == NULL, "%s", out->data);
	ck_assert_msg(strstr(out->data, "nan") == NULL &&
	    strstr(out->data, "inf") == NULL, "%s", out->data);
	doc = xmlReadMemory(out->data, (int)out->len, "chart.svg", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ck_assert_msg(doc != NULL, "not well-formed:\n%s", out->data);
	root = xmlDocGetRootElement(doc);
	ck_assert_str_eq((const char *)root->name, "svg");
	check_tree(root);
	s = xmlGetProp(root, BAD_CAST "role");
	ck_assert_str_eq((const char *)s, "img");
	xmlFree(s);
	t = child(root, "title");
	d = child(root, "desc");
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(d);
	tid = xmlGetProp(t, BAD_CAST "id");
	did = xmlGetProp(d, BAD_CAST "id");
	lab = xmlGetProp(root, BAD_CAST "aria-labelledby");
	snprintf(want, sizeof(want), "%s %s", tid, did);
	ck_assert_str_eq((const char *)lab, want);
	xmlFree(tid);
	xmlFree(did);
	xmlFree(lab);
	s = xmlNodeGetContent(d);
	desc = xstrdup((const char *)s);
	xmlFree(s);
	if (title != NULL) {
		s = xmlNodeGetContent(t);
		*title = xstrdup((const char *)s);
		xmlFree(s);
	}
	xmlFreeDoc(doc);
	return desc;
}

START_TEST(stack_counts)
{
	struct chart_part	 p[] = {
		{ "見た", 3, "seen" }, { "見ていない", 1, "not-seen" },
		{ "分からない", 0, "unknown" }
	};
	struct buf		 b;
	char			*desc, *title;

	buf_init(&b);
	chart_stack(&b, "tally", "集計", p, 3, I18N_JA);
	desc = parse_chart(&b, &title);
	ck_assert_str_eq(title, "集計");
	ck_assert_str_eq(desc, "見た：3、見ていない：1、分からない：0");
	/* 3 of 4 and 1 of 4 of the 320 wide bar; no rect for the zero. */
	ck_assert_ptr_nonnull(strstr(b.data, "chart__part--seen\" x=\"0.0\" "
	    "y=\"0.0\" width=\"240.0\""));
	ck_assert_ptr_nonnull(strstr(b.data, "chart__part--not-seen\" "
	    "x=\"240.0\" y=\"0.0\" width=\"80.0\""));
	ck_assert_ptr_nonnull(strstr(b.data, "aria-labelledby=\"chart-tally-t "
	    "chart-tally-d\""));
	free(desc);
	free(title);
	buf_reset(&b);
	chart_stack(&b, "tally", "Tally", p, 3, I18N_EN);
	desc = parse_chart(&b, NULL);
	ck_assert_str_eq(desc, "見た: 3, 見ていない: 1, 分からない: 0");
	free(desc);
	buf_free(&b);
}
END_TEST

START_TEST(zero_negative_huge)
{
	struct chart_part	 z[] = { { "a", 0, "a" }, { "b", -5, "b" } };
	struct chart_part	 h[] = { { "a", LLONG_MAX, "a" },
	    { "b", LLONG_MAX, "b" }, { "c", LLONG_MIN, "c" } };
	struct chart_vote	 v;
	const char		*months[] = { "2026-01", "2026-02" };
	long long		 vals[] = { 0, 0, LLONG_MAX, -1 };
	struct buf		 b;
	char			*desc;

	buf_init(&b);
	chart_stack(&b, "z", "zero", z, 2, I18N_EN);
	desc = parse_chart(&b, NULL);
	ck_assert_str_eq(desc, "a: 0, b: 0");
	/* The legend's swatches only: no part in the bar. */
	ck_assert_ptr_null(strstr(b.data, "y=\"0.0\" width=\"0.0\""));
	free(desc);
	buf_reset(&b);
	chart_stack(&b, "z", "zero", z, 0, I18N_EN);
	free(parse_chart(&b, NULL));
	buf_reset(&b);
	chart_stack(&b, "h", "huge", h, 3, I18N_EN);
	desc = parse_chart(&b, NULL);
	ck_assert_str_eq(desc, "a: 9223372036854775807, b: "
	    "9223372036854775807, c: 0");
	ck_assert_ptr_nonnull(strstr(b.data, "x=\"160.0\" y=\"0.0\" "
	    "width=\"160.0\""));
	free(desc);

	memset(&v, 0, sizeof(v));
	v.title = "vote";
	v.choices = z;
	v.nchoices = 2;
	v.base = 0;
	v.needed = 0;
	v.needed_label = "needed";
	v.electorate = 0;
	v.turnout = 0;
	v.quorum = 0;
	v.turnout_label = "turnout";
	v.quorum_label = "quorum";
	buf_reset(&b);
	chart_vote(&b, "v", &v, I18N_EN);
	desc = parse_chart(&b, NULL);
	ck_assert_str_eq(desc, "a: 0, b: 0. needed: 0. turnout: 0 / 0, "
	    "quorum: 0");
	free(desc);
	v.choices = h;
	v.nchoices = 3;
	v.base = LLONG_MAX;
	v.needed = 1e300;
	v.electorate = LLONG_MAX;
	v.turnout = LLONG_MAX;
	v.quorum = -1;
	buf_reset(&b);
	chart_vote(&b, "v", &v, I18N_EN);
	free(parse_chart(&b, NULL));

	buf_reset(&b);
	chart_columns(&b, "c", "cols", months, 2, z, 2, vals, I18N_EN);
	desc = parse_chart(&b, NULL);
	ck_assert_str_eq(desc, "2026-01: a 0, b 0. 2026-02: a "
	    "9223372036854775807, b 0");
	free(desc);
	buf_reset(&b);
	chart_columns(&b, "c", "cols", months, 0, z, 2, vals, I18N_EN);
	free(parse_chart(&b, NULL));

	buf_reset(&b);
	chart_countdown(&b, "d", "left", 0, 0, "overdue", I18N_EN);
	desc = parse_chart(&b, NULL);
	ck_assert_str_eq(desc, "0%");
	free(desc);
	buf_reset(&b);
	chart_countdown(&b, "d", "left", 100, LLONG_MAX, NULL, I18N_EN);
	desc = parse_chart(&b, NULL);
	ck_assert_str_eq(desc, "100%");
	free(desc);
	buf_reset(&b);
	chart_countdown(&b, "d", "left", LLONG_MAX, -3, "soon", I18N_EN);
	desc = parse_chart(&b, NULL);
	ck_assert_str_eq(desc, "0%");
	free(desc);
	buf_free(&b);
}
END_TEST

START_TEST(vote_lines)
{
	struct chart_part	 c[] = { { "賛成", 3, "yes" },
	    { "反対", 1, "no" }, { "棄権", 1, "abstain" } };
	struct chart_vote	 v = { "議決", c, 3, 5, 2.5, "必要", 5, 6, 3,
	    "出席", "定足数" };
	struct buf		 b;
	char			*desc;

	buf_init(&b);
	chart_vote(&b, "vote-7", &v, I18N_JA);
	desc = parse_chart(&b, NULL);
	ck_assert_str_eq(desc, "賛成：3、反対：1、棄権：1。必要：2.5。"
	    "出席：5 / 6、定足数：3");
	/* The needed line at 2.5 of 5 of the 180 wide bars from 160. */
	ck_assert_ptr_nonnull(strstr(b.data, "chart__line--needed\" "
	    "x1=\"250.0\""));
	/* The quorum line at 3 of 6. */
	ck_assert_ptr_nonnull(strstr(b.data, "chart__line--quorum\" "
	    "x1=\"250.0\""));
	ck_assert_ptr_nonnull(strstr(b.data, ">5 / 6</text>"));
	free(desc);
	buf_free(&b);
}
END_TEST

START_TEST(hostile_texts)
{
	struct chart_part	 p[] = { { HOSTILE, 1, "x\" onload=\"y" },
	    { NULL, 2, NULL } };
	struct chart_vote	 v = { HOSTILE, p, 2, 3, 1.5, HOSTILE, 1, 2, 1,
	    HOSTILE, HOSTILE };
	const char		*months[] = { HOSTILE };
	long long		 vals[] = { 1, 2 };
	char			 longl[3 * 400 + 1], *desc, *title;
	struct buf		 b;
	size_t			 i;

	buf_init(&b);
	chart_stack(&b, "a\" onclick=\"b", HOSTILE, p, 2, I18N_EN);
	desc = parse_chart(&b, &title);
	ck_assert_str_eq(title, "<script>alert(1)</script>&amp;\"'"
	    "\xef\xbf\xbd\xef\xbf\xbd]]>");
	ck_assert_ptr_nonnull(strstr(b.data, "id=\"chart-aonclickb-t\""));
	ck_assert_ptr_nonnull(strstr(b.data, "chart__part--xonloady\""));
	free(desc);
	free(title);
	buf_reset(&b);
	chart_vote(&b, HOSTILE, &v, I18N_JA);
	free(parse_chart(&b, NULL));
	buf_reset(&b);
	chart_columns(&b, "c", HOSTILE, months, 1, p, 2, vals, I18N_EN);
	free(parse_chart(&b, NULL));
	buf_reset(&b);
	chart_countdown(&b, "d", HOSTILE, 10, 5, HOSTILE, I18N_EN);
	free(parse_chart(&b, NULL));

	/* A long label is cut between characters. */
	for (i = 0; i < 400; i++)
		memcpy(longl + 3 * i, "あ", 3);
	longl[3 * 400] = '\0';
	buf_reset(&b);
	chart_stack(&b, "l", longl, p, 1, I18N_JA);
	free(parse_chart(&b, &title));
	ck_assert_uint_le(strlen(title), CHART_MAX_LABEL + 3 + 3);
	ck_assert_msg(util_utf8_valid(title, strlen(title)), "cut mid-char");
	free(title);
	buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("chart");
	TCase	*tc = tcase_create("chart");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, stack_counts);
	tcase_add_test(tc, zero_negative_huge);
	tcase_add_test(tc, vote_lines);
	tcase_add_test(tc, hostile_texts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
