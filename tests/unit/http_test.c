/*
 * http_test.c: the request parsers of http.c and static.c: path decoding
 * and validation, language choice, methods, static path rules, types.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "static.h"

static void
path_is(const char *raw, const char *want)
{
	char	*got = http_decode_path(raw);

	if (want == NULL) {
		ck_assert_msg(got == NULL, "%s decoded to %s", raw, got);
		return;
	}
	ck_assert_msg(got != NULL, "%s refused", raw);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(decode_path_accepts)
{
	path_is("/", "/");
	path_is("/static/css/council.css?v=1", "/static/css/council.css");
	path_is("/a%20b", "/a b");
	path_is("/%E3%82%B5", "/サ");
	path_is("/x#frag", "/x");
	path_is("/%2e%2e/etc", "/../etc");	/* decoded; static.c refuses it */
}
END_TEST

START_TEST(decode_path_refuses)
{
	char	*big, *ok;

	path_is("", NULL);
	path_is("noslash", NULL);
	path_is("*", NULL);
	path_is("/%00", NULL);		/* NUL */
	path_is("/a%0ab", NULL);		/* newline: log injection */
	path_is("/a%7f", NULL);		/* DEL */
	path_is("/%ff%fe", NULL);	/* not UTF-8 */
	path_is("/%c0%af", NULL);	/* overlong */
	path_is("/%", NULL);
	path_is("/%4", NULL);
	path_is("/%zz", NULL);
	path_is("/\x01", NULL);
	big = malloc(HTTP_MAX_URI + 2);
	memset(big, 'a', HTTP_MAX_URI + 1);
	big[0] = '/';
	big[HTTP_MAX_URI + 1] = '\0';
	path_is(big, NULL);
	big[HTTP_MAX_URI] = '\0';	/* exactly at the limit: accepted */
	ok = http_decode_path(big);
	ck_assert_ptr_nonnull(ok);
	free(ok);
	free(big);
}
END_TEST

START_TEST(lang_choice)
{
	ck_assert_int_eq(http_choose_lang(NULL, NULL), I18N_JA);
	ck_assert_int_eq(http_choose_lang("en", NULL), I18N_EN);
	ck_assert_int_eq(http_choose_lang("ja", "en"), I18N_JA);
	ck_assert_int_eq(http_choose_lang(NULL, "en"), I18N_EN);
	ck_assert_int_eq(http_choose_lang("fr", "en"), I18N_EN);
	ck_assert_int_eq(http_choose_lang("EN<script>", NULL), I18N_JA);
	ck_assert_int_eq(http_choose_lang("", ""), I18N_JA);
}
END_TEST

START_TEST(methods)
{
	ck_assert_int_eq(http_method_parse("GET"), HTTP_GET);
	ck_assert_int_eq(http_method_parse("HEAD"), HTTP_HEAD);
	ck_assert_int_eq(http_method_parse("POST"), HTTP_POST);
	ck_assert_int_eq(http_method_parse("get"), HTTP_OTHER);
	ck_assert_int_eq(http_method_parse("DELETE"), HTTP_OTHER);
}
END_TEST

START_TEST(static_paths)
{
	ck_assert(static_path_ok("css/council.css"));
	ck_assert(static_path_ok("robots.txt"));
	ck_assert(!static_path_ok(""));
	ck_assert(!static_path_ok("../configure.ac"));
	ck_assert(!static_path_ok("css/../../x"));
	ck_assert(!static_path_ok("css/./x"));
	ck_assert(!static_path_ok(".hidden"));
	ck_assert(!static_path_ok("css/.git/config"));
	ck_assert(!static_path_ok("css//x"));
	ck_assert(!static_path_ok("css/"));
	ck_assert(!static_path_ok("/etc/passwd"));
	ck_assert(!static_path_ok("a\\b"));
	ck_assert(!static_path_ok("a\nb"));
}
END_TEST

START_TEST(content_types)
{
	ck_assert_str_eq(static_content_type("a.css"), "text/css; charset=utf-8");
	ck_assert_str_eq(static_content_type("img/x.svg"), "image/svg+xml");
	ck_assert_str_eq(static_content_type("robots.txt"),
	    "text/plain; charset=utf-8");
	ck_assert_str_eq(static_content_type("x.js"),
	    "text/javascript; charset=utf-8");
	ck_assert_str_eq(static_content_type("noext"), "application/octet-stream");
	ck_assert_str_eq(static_content_type(".css"), "application/octet-stream");
	ck_assert_str_eq(static_content_type("x.html"), "application/octet-stream");
}
END_TEST

static Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc = tcase_create("parsers");

	tcase_add_test(tc, decode_path_accepts);
	tcase_add_test(tc, decode_path_refuses);
	tcase_add_test(tc, lang_choice);
	tcase_add_test(tc, methods);
	tcase_add_test(tc, static_paths);
	tcase_add_test(tc, content_types);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(http_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
