/*
 * diff_test.c: the line diff of amendments (diff_lines): unchanged,
 * added, deleted and replaced lines in order, a final line feed, empty
 * texts, UTF-8 lines, and the size limits that refuse rather than take
 * unbounded memory.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "util.h"

/* The diff as one string: "+x", "-x", " x" joined by '|'. */
static char *
show(const char *a, const char *b)
{
	struct diff_line	*l;
	struct buf		 out;
	size_t			 n, i;

	ck_assert_int_eq(diff_lines(a, b, &l, &n), 0);
	buf_init(&out);
	for (i = 0; i < n; i++)
		buf_printf(&out, "%s%c%s", i > 0 ? "|" : "",
		    l[i].op == DIFF_ADD ? '+' : l[i].op == DIFF_DEL ? '-' : ' ',
		    l[i].text);
	diff_free(l, n);
	return buf_release(&out, NULL);
}

#define CHECK_DIFF(a, b, want) do {		\
	char *got_ = show((a), (b));		\
	ck_assert_str_eq(got_, (want));		\
	free(got_);				\
} while (0)

START_TEST(basic)
{
	CHECK_DIFF("a\nb\nc", "a\nb\nc", " a| b| c");
	CHECK_DIFF("a\nb\nc", "a\nx\nc", " a|-b|+x| c");
	CHECK_DIFF("a\nc", "a\nb\nc", " a|+b| c");
	CHECK_DIFF("a\nb\nc", "a\nc", " a|-b| c");
	CHECK_DIFF("a\nb", "b\na", "-a| b|+a");
	CHECK_DIFF("", "a", "+a");
	CHECK_DIFF("a", "", "-a");
	CHECK_DIFF("", "", "");
}
END_TEST

START_TEST(final_newline_ends_a_line)
{
	CHECK_DIFF("a\nb\n", "a\nb", " a| b");
	CHECK_DIFF("a\n\nb", "a\nb", " a|-| b");
}
END_TEST

START_TEST(replaced_stretch_deletes_first)
{
	CHECK_DIFF("h\n1\n2\nt", "h\n3\n4\nt", " h|-1|-2|+3|+4| t");
}
END_TEST

START_TEST(utf8_lines)
{
	CHECK_DIFF("別表１ 運営委員一覧\n総務大臣\n外務大臣",
	    "別表１ 運営委員一覧\n総務大臣\nデジタル大臣\n外務大臣",
	    " 別表１ 運営委員一覧| 総務大臣|+デジタル大臣| 外務大臣");
}
END_TEST

START_TEST(limits)
{
	struct diff_line	*l = NULL;
	size_t			 n = 0, i;
	char			*big, *other;

	/* one line too many */
	big = xmalloc(2 * (DIFF_MAX_LINES + 1) + 1);
	for (i = 0; i < DIFF_MAX_LINES + 1; i++)
		memcpy(big + 2 * i, "x\n", 2);
	big[2 * (DIFF_MAX_LINES + 1)] = '\0';
	ck_assert_int_eq(diff_lines(big, "x", &l, &n), -1);
	ck_assert_ptr_null(l);
	/* many lines, all different: the table would be too large */
	other = xmalloc(4 * 3000 + 1);
	for (i = 0; i < 3000; i++)
		snprintf(other + 4 * i, 5, "%03zu\n", i % 1000);
	big[2 * 3000] = '\0';
	ck_assert_int_eq(diff_lines(big, other, &l, &n), -1);
	/* a large text with one change in the middle is fine: the common
	 * head and tail are set aside */
	memcpy(other, big, 2 * 3000 + 1);
	other[2 * 1500] = 'y';
	ck_assert_int_eq(diff_lines(big, other, &l, &n), 0);
	ck_assert_uint_eq(n, 3001);
	ck_assert_int_eq(l[1500].op, DIFF_DEL);
	ck_assert_int_eq(l[1501].op, DIFF_ADD);
	ck_assert_str_eq(l[1501].text, "y");
	diff_free(l, n);
	free(big);
	free(other);
}
END_TEST

static Suite *
diff_suite(void)
{
	Suite	*s = suite_create("diff");
	TCase	*tc = tcase_create("lines");

	tcase_add_test(tc, basic);
	tcase_add_test(tc, final_newline_ends_a_line);
	tcase_add_test(tc, replaced_stretch_deletes_first);
	tcase_add_test(tc, utf8_lines);
	tcase_add_test(tc, limits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(diff_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
