/*
 * search_test.c: the query check of search.c (search_query_check: UTF-8,
 * control characters, trimming, the 2..200 character limits counted in
 * characters, not bytes) and the query-string encoder of feed.c
 * (util_urlencode), which builds the "older results" link.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "search.h"
#include "util.h"

static char	out[SEARCH_MAX_CHARS * 4 + 1];

/* The check's answer for q: NULL (accepted) or its error code. */
static const char *
check(const char *q)
{
	memset(out, 'x', sizeof(out));
	return search_query_check(q, out, sizeof(out));
}

START_TEST(accepted_and_trimmed)
{
	ck_assert_ptr_null(check("VPN"));
	ck_assert_str_eq(out, "VPN");
	ck_assert_ptr_null(check("  C2 at 198.51.100[.]23  "));
	ck_assert_str_eq(out, "C2 at 198.51.100[.]23");
	ck_assert_ptr_null(check("不審"));		/* 2 characters, 6 bytes */
	ck_assert_str_eq(out, "不審");
	ck_assert_ptr_null(check("100% a_b \\"));	/* LIKE's characters are text */
	ck_assert_str_eq(out, "100% a_b \\");
}
END_TEST

START_TEST(too_short)
{
	ck_assert_str_eq(check(NULL), "query_too_short");
	ck_assert_str_eq(check(""), "query_too_short");
	ck_assert_str_eq(check("a"), "query_too_short");
	ck_assert_str_eq(check("   a   "), "query_too_short");
	ck_assert_str_eq(check("脆"), "query_too_short");	/* 1 character, 3 bytes */
}
END_TEST

START_TEST(too_long_counts_characters)
{
	char	q[1024];
	size_t	i;

	memset(q, 'a', 200);
	q[200] = '\0';
	ck_assert_ptr_null(check(q));
	ck_assert_uint_eq(strlen(out), 200);
	q[200] = 'a';
	q[201] = '\0';
	ck_assert_str_eq(check(q), "query_too_long");
	/* 200 three-byte characters (600 bytes) are accepted, 201 are not. */
	for (i = 0; i < 200; i++)
		memcpy(q + 3 * i, "漢", 3);
	q[600] = '\0';
	ck_assert_ptr_null(check(q));
	ck_assert_uint_eq(strlen(out), 600);
	memcpy(q + 600, "漢", 4);
	ck_assert_str_eq(check(q), "query_too_long");
	/* Surely too long: refused before any other work. */
	memset(q, 'a', sizeof(q) - 1);
	q[sizeof(q) - 1] = '\0';
	ck_assert_str_eq(check(q), "query_too_long");
}
END_TEST

START_TEST(invalid_refused)
{
	ck_assert_str_eq(check("ab\xff"), "invalid_query");
	ck_assert_str_eq(check("\xe6\xbc"), "invalid_query");	/* truncated */
	ck_assert_str_eq(check("\xc0\xaf\xc0\xaf"), "invalid_query");	/* overlong */
	ck_assert_str_eq(check("a\tb"), "invalid_query");
	ck_assert_str_eq(check("ab\n"), "invalid_query");
	ck_assert_str_eq(check("a\x7f" "b"), "invalid_query");
}
END_TEST

START_TEST(small_output_buffer)
{
	char	small[4];

	ck_assert_str_eq(search_query_check("abcd", small, sizeof(small)),
	    "query_too_long");
	ck_assert_ptr_null(search_query_check("abc", small, sizeof(small)));
	ck_assert_str_eq(small, "abc");
}
END_TEST

START_TEST(urlencode)
{
	struct buf	b;

	buf_init(&b);
	util_urlencode(&b, "Az09-._~");
	ck_assert_str_eq(b.data, "Az09-._~");
	buf_reset(&b);
	util_urlencode(&b, "a b&c=d%e+f/g?h#i");
	ck_assert_str_eq(b.data, "a%20b%26c%3Dd%25e%2Bf%2Fg%3Fh%23i");
	buf_reset(&b);
	util_urlencode(&b, "不審");
	ck_assert_str_eq(b.data, "%E4%B8%8D%E5%AF%A9");
	buf_reset(&b);
	util_urlencode(&b, "\"<'>");
	ck_assert_str_eq(b.data, "%22%3C%27%3E");
	buf_free(&b);
}
END_TEST

static Suite *
search_suite(void)
{
	Suite	*s = suite_create("search");
	TCase	*tc = tcase_create("query");

	tcase_add_test(tc, accepted_and_trimmed);
	tcase_add_test(tc, too_short);
	tcase_add_test(tc, too_long_counts_characters);
	tcase_add_test(tc, invalid_refused);
	tcase_add_test(tc, small_output_buffer);
	tcase_add_test(tc, urlencode);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(search_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
