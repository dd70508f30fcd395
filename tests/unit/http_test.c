/*
 * http_test.c: the request parsers of http.c and static.c: path decoding
 * and validation, language choice, methods, static path rules, types, and
 * route patterns ({id}, {key}, {path}), the route table's lookup and the
 * Allow header of a 405.
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
	ck_assert_int_eq(http_choose_lang(NULL, NULL, NULL), I18N_JA);
	ck_assert_int_eq(http_choose_lang("en", NULL, NULL), I18N_EN);
	ck_assert_int_eq(http_choose_lang("ja", "en", NULL), I18N_JA);
	ck_assert_int_eq(http_choose_lang(NULL, "en", NULL), I18N_EN);
	ck_assert_int_eq(http_choose_lang("fr", "en", NULL), I18N_EN);
	ck_assert_int_eq(http_choose_lang("EN<script>", NULL, NULL), I18N_JA);
	ck_assert_int_eq(http_choose_lang("", "", NULL), I18N_JA);
	/* The browser's languages come after ?lang= and the cookie. */
	ck_assert_int_eq(http_choose_lang(NULL, NULL, "en-US,en;q=0.9"),
	    I18N_EN);
	ck_assert_int_eq(http_choose_lang(NULL, "ja", "en"), I18N_JA);
	ck_assert_int_eq(http_choose_lang("ja", NULL, "en"), I18N_JA);
	ck_assert_int_eq(http_choose_lang(NULL, NULL, "fr, de"), I18N_JA);
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

static int
match(const char *pattern, const char *path, long long *id, char *key)
{
	return http_route_match(pattern, path, id, key, HTTP_KEY_MAX + 1);
}

START_TEST(route_patterns)
{
	long long	id;
	char		key[HTTP_KEY_MAX + 1];

	ck_assert_int_eq(match("/feed", "/feed", &id, key), 1);
	ck_assert_int_eq(match("/feed", "/feeds", &id, key), 0);
	ck_assert_int_eq(match("/feed", "/fee", &id, key), 0);
	ck_assert_int_eq(match("/posts/{id}", "/posts/42", &id, key), 1);
	ck_assert_int_eq(id, 42);
	/* A malformed id matches with 0: the handler answers as if absent. */
	ck_assert_int_eq(match("/posts/{id}", "/posts/abc", &id, key), 1);
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(match("/posts/{id}", "/posts/007", &id, key), 1);
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(match("/posts/{id}", "/posts/1234567890123456789", &id,
	    key), 1);
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(match("/posts/{id}", "/posts/", &id, key), 0);
	ck_assert_int_eq(match("/posts/{id}", "/posts/1/x", &id, key), 0);
	ck_assert_int_eq(match("/api/v1/posts/{id}/feedback",
	    "/api/v1/posts/9/feedback", &id, key), 1);
	ck_assert_int_eq(id, 9);
	ck_assert_int_eq(match("/api/v1/posts/{id}/feedback",
	    "/api/v1/posts/9/feedbacks", &id, key), 0);
	ck_assert_int_eq(match("/documents/{key}/{id}", "/documents/annex-1/3",
	    &id, key), 1);
	ck_assert_str_eq(key, "annex-1");
	ck_assert_int_eq(id, 3);
	ck_assert_int_eq(match("/documents/{key}", "/documents/a b", &id, key),
	    0);
	ck_assert_int_eq(match("/static/{path}", "/static/css/council.css", &id,
	    key), 1);
	ck_assert_str_eq(key, "css/council.css");
	ck_assert_int_eq(match("/static/{path}", "/static/", &id, key), 0);
}
END_TEST

static enum MHD_Result
handler_a(struct http_req *req)
{
	(void)req;
	return MHD_YES;
}

static enum MHD_Result
handler_b(struct http_req *req)
{
	(void)req;
	return MHD_NO;
}

START_TEST(route_table)
{
	static const struct http_route t[] = {
		{ "/x", HTTP_GET | HTTP_HEAD, HTTP_ANYONE, HTTP_BODY_FORM,
		    handler_a, NULL },
		{ "/x", HTTP_POST, HTTP_PAGE, HTTP_BODY_FORM, handler_b, NULL },
		{ "/x/{id}", HTTP_POST, HTTP_API, HTTP_BODY_UPLOAD, handler_b,
		    NULL },
	};
	const struct http_route	*r;
	unsigned		 allow;
	long long		 id;
	char			 key[HTTP_KEY_MAX + 1], h[32];

	r = http_route_find(t, 3, "/x", HTTP_POST, &allow, &id, key,
	    sizeof(key));
	ck_assert_ptr_eq(r, &t[1]);
	r = http_route_find(t, 3, "/x/5", HTTP_POST, &allow, &id, key,
	    sizeof(key));
	ck_assert_ptr_eq(r, &t[2]);
	ck_assert_int_eq(id, 5);
	r = http_route_find(t, 3, "/x/5", HTTP_GET, &allow, &id, key,
	    sizeof(key));
	ck_assert_ptr_null(r);
	ck_assert_uint_eq(allow, HTTP_POST);
	r = http_route_find(t, 3, "/y", HTTP_GET, &allow, &id, key,
	    sizeof(key));
	ck_assert_ptr_null(r);
	ck_assert_uint_eq(allow, 0);
	r = http_route_find(t, 3, "/x", HTTP_OTHER, &allow, &id, key,
	    sizeof(key));
	ck_assert_ptr_null(r);
	http_allow_header(allow, h, sizeof(h));
	ck_assert_str_eq(h, "GET, HEAD, POST");
	http_allow_header(HTTP_POST, h, sizeof(h));
	ck_assert_str_eq(h, "POST");
	http_allow_header(HTTP_GET | HTTP_HEAD, h, sizeof(h));
	ck_assert_str_eq(h, "GET, HEAD");
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
	tcase_add_test(tc, route_patterns);
	tcase_add_test(tc, route_table);
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
