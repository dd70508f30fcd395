/*
 * util_test.c: buffers, UTF-8 validation, random ids, hashing, logfmt.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

START_TEST(buf_grows_and_terminates)
{
	struct buf	b;
	char		*p;
	size_t		n;
	int		i;

	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	ck_assert_uint_eq(b.len, strlen(b.data));
	ck_assert(strncmp(b.data, "0,1,2,", 6) == 0);
	ck_assert(strstr(b.data, "999,") != NULL);
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	buf_append(&b, "a\0b", 3);
	ck_assert_uint_eq(b.len, 3);
	p = buf_release(&b, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert(memcmp(p, "a\0b", 4) == 0);
	ck_assert_ptr_null(b.data);
	free(p);
	buf_free(&b);
}
END_TEST

START_TEST(utf8_accepts_valid)
{
	ck_assert(util_utf8_valid("", 0));
	ck_assert(util_utf8_valid("plain ascii", 11));
	ck_assert(util_utf8_valid("サイバー", strlen("サイバー")));
	ck_assert(util_utf8_valid("\xf0\x9f\x94\x92", 4));	/* U+1F512 */
	ck_assert(util_utf8_valid("\xc3\xa9", 2));
}
END_TEST

START_TEST(utf8_rejects_invalid)
{
	ck_assert(!util_utf8_valid("\xff", 1));
	ck_assert(!util_utf8_valid("\xc0\xaf", 2));		/* overlong '/' */
	ck_assert(!util_utf8_valid("\xe0\x80\xaf", 3));	/* overlong */
	ck_assert(!util_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	ck_assert(!util_utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	ck_assert(!util_utf8_valid("\xe3\x82", 2));		/* truncated */
	ck_assert(!util_utf8_valid("a\x80", 2));		/* lone continuation */
}
END_TEST

START_TEST(random_hex_is_hex_and_differs)
{
	char	a[33], b[33];
	size_t	i;

	ck_assert_int_eq(util_random_hex(a, 16), 0);
	ck_assert_int_eq(util_random_hex(b, 16), 0);
	ck_assert_uint_eq(strlen(a), 32);
	for (i = 0; i < 32; i++)
		ck_assert(strchr("0123456789abcdef", a[i]) != NULL);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(sha256_known_answer)
{
	char	out[65];

	util_sha256_hex("abc", 3, out);
	ck_assert_str_eq(out,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(trim_strips_both_ends)
{
	char	s[] = " \t key = v \n";

	ck_assert_str_eq(util_trim(s), "key = v");
}
END_TEST

START_TEST(logfmt_quotes_and_escapes)
{
	struct buf	b;

	buf_init(&b);
	buf_logfmt(&b, "/plain/path");
	ck_assert_str_eq(b.data, "/plain/path");
	buf_reset(&b);
	buf_logfmt(&b, "a b\"c\nd=e\\");
	ck_assert_str_eq(b.data, "\"a b\\\"c\\x0ad=e\\\\\"");
	buf_reset(&b);
	buf_logfmt(&b, "");
	ck_assert_str_eq(b.data, "\"\"");
	buf_free(&b);
}
END_TEST

/*
 * The expected strings are PostgreSQL 15's own: SELECT to_json(E'...')::text
 * (escape_json: \" \\ \b \f \n \r \t, other bytes below 0x20 as \u00xx in
 * lower case, DEL and UTF-8 as they are).  The API's feed depends on it
 * (pages/feed.c, tests/http/feed.sh).
 */
START_TEST(json_string_as_postgresql_writes_it)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} cases[] = {
		{ "", 0, "\"\"" },
		{ "plain", 5, "\"plain\"" },
		{ "x\ty\001z\\", 6, "\"x\\ty\\u0001z\\\\\"" },
		{ "\"q\"", 3, "\"\\\"q\\\"\"" },
		{ "\b\f\n\r", 4, "\"\\b\\f\\n\\r\"" },
		{ "\037\177/", 3, "\"\\u001f\177/\"" },
		{ "注意<b>&", 10, "\"注意<b>&\"" },
		{ "a\0b", 3, "\"a\\u0000b\"" },	/* ours: text holds no NUL */
		/* Longer than a word: the eight-byte scan, then the bytes. */
		{ "0123456789abcdef\"", 17, "\"0123456789abcdef\\\"\"" },
		{ "注意喚起：VPN機器の脆弱性\037末尾\\", 44,
		    "\"注意喚起：VPN機器の脆弱性\\u001f末尾\\\\\"" },
		{ "abcdefgh\nabcdefgh\177abcdefgh", 26,
		    "\"abcdefgh\\nabcdefgh\177abcdefgh\"" },
		{ "\xff\xfe\x80\x80\x80\x80\x80\x80\x1f", 9,
		    "\"\xff\xfe\x80\x80\x80\x80\x80\x80\\u001f\"" },
	};
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		buf_reset(&b);
		buf_puts(&b, "[");
		buf_json_string(&b, cases[i].in, cases[i].len);
		ck_assert_str_eq(b.data + 1, cases[i].out);
	}
	buf_free(&b);
}
END_TEST

/* The eight-byte scan against the plain rule, byte by byte, on random
 * strings in which every byte value and position occurs. */
START_TEST(json_string_word_scan_agrees_with_bytes)
{
	struct buf	 b, want;
	unsigned char	 s[40];
	size_t		 n, i;
	int		 round;
	char		 e[8];

	buf_init(&b);
	buf_init(&want);
	srand(20261205);
	for (round = 0; round < 20000; round++) {
		n = (size_t)rand() % sizeof(s);
		for (i = 0; i < n; i++)	/* mostly clean, some of each kind */
			s[i] = (unsigned char)(rand() % 4 == 0 ? rand() % 256 :
			    0x20 + rand() % 0x60);
		buf_reset(&b);
		buf_reset(&want);
		buf_json_string(&b, (const char *)s, n);
		buf_puts(&want, "\"");
		for (i = 0; i < n; i++) {
			if (s[i] == '"' || s[i] == '\\')
				snprintf(e, sizeof(e), "\\%c", s[i]);
			else if (s[i] == '\b' || s[i] == '\f' || s[i] == '\n' ||
			    s[i] == '\r' || s[i] == '\t')
				snprintf(e, sizeof(e), "\\%c", "bfnrt"[
				    strchr("\b\f\n\r\t", s[i]) - "\b\f\n\r\t"]);
			else if (s[i] < 0x20)
				snprintf(e, sizeof(e), "\\u%04x", s[i]);
			else {
				e[0] = (char)s[i];
				e[1] = '\0';
			}
			buf_puts(&want, e);
		}
		buf_puts(&want, "\"");
		ck_assert_uint_eq(b.len, want.len);
		ck_assert(memcmp(b.data, want.data, b.len) == 0);
	}
	buf_free(&b);
	buf_free(&want);
}
END_TEST

static Suite *
util_suite(void)
{
	Suite	*s = suite_create("util");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, buf_grows_and_terminates);
	tcase_add_test(tc, utf8_accepts_valid);
	tcase_add_test(tc, utf8_rejects_invalid);
	tcase_add_test(tc, random_hex_is_hex_and_differs);
	tcase_add_test(tc, sha256_known_answer);
	tcase_add_test(tc, trim_strips_both_ends);
	tcase_add_test(tc, logfmt_quotes_and_escapes);
	tcase_add_test(tc, json_string_as_postgresql_writes_it);
	tcase_add_test(tc, json_string_word_scan_agrees_with_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(util_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
