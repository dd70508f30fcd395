/*
 * log_test.c: log.c's JSON lines (issue 16 item 4: logs shippable as
 * they are): logfmt pairs become string members, quoted values are
 * unescaped, logfmt's \xNN bytes become JSON escapes, and what is not
 * logfmt is refused (the caller then logs it whole as "msg").
 */
#include <check.h>
#include <string.h>

#include "log.h"

static const char *
json(const char *kv)
{
	static char	out[512];
	int		n;

	n = log_json("2026-12-06T00:00:00.000Z", "info", kv, out,
	    sizeof(out) - 1);
	if (n < 0)
		return NULL;
	out[n] = '\0';
	return out;
}

START_TEST(pairs_become_members)
{
	ck_assert_str_eq(json("msg=request rid=ab12 status=200 ip=127.0.0.1"),
	    "{\"ts\":\"2026-12-06T00:00:00.000Z\",\"level\":\"info\","
	    "\"msg\":\"request\",\"rid\":\"ab12\",\"status\":\"200\","
	    "\"ip\":\"127.0.0.1\"}");
	ck_assert_str_eq(json(""),
	    "{\"ts\":\"2026-12-06T00:00:00.000Z\",\"level\":\"info\"}");
}
END_TEST

START_TEST(quoted_values_are_unescaped)
{
	ck_assert_str_eq(json("msg=\"cannot start\" error=\"a \\\"b\\\" \\\\ c\""),
	    "{\"ts\":\"2026-12-06T00:00:00.000Z\",\"level\":\"info\","
	    "\"msg\":\"cannot start\",\"error\":\"a \\\"b\\\" \\\\ c\"}");
	/* logfmt's \xNN (control and non-ASCII bytes) as \u00NN. */
	ck_assert_str_eq(json("path=\"/a\\x0ab\""),
	    "{\"ts\":\"2026-12-06T00:00:00.000Z\",\"level\":\"info\","
	    "\"path\":\"/a\\u000ab\"}");
	/* UTF-8 (logfmt writes its bytes as \xNN) stays UTF-8 ... */
	ck_assert_str_eq(json("path=\"/\xe6\x97\xa5\""),
	    "{\"ts\":\"2026-12-06T00:00:00.000Z\",\"level\":\"info\","
	    "\"path\":\"/\xe6\x97\xa5\"}");
	/* ... and bytes that are not UTF-8 become \u00NN: valid JSON. */
	ck_assert_str_eq(json("path=\"/\xe6\x97\""),
	    "{\"ts\":\"2026-12-06T00:00:00.000Z\",\"level\":\"info\","
	    "\"path\":\"/\\u00e6\\u0097\"}");
	/* A bare value with a quote inside it is escaped, not trusted. */
	ck_assert_str_eq(json("k=a\"b"),
	    "{\"ts\":\"2026-12-06T00:00:00.000Z\",\"level\":\"info\","
	    "\"k\":\"a\\\"b\"}");
}
END_TEST

START_TEST(not_logfmt_is_refused)
{
	ck_assert_ptr_null(json("just words"));
	ck_assert_ptr_null(json("=value"));
	ck_assert_ptr_null(json("k=\"unterminated"));
	ck_assert_ptr_null(json("k=\"a\"b"));
	ck_assert_ptr_null(json("k=\"bad \\q escape\""));
	ck_assert_ptr_null(json("k\"=v"));
}
END_TEST

START_TEST(too_long_is_refused)
{
	char	kv[1024], out[64];

	memset(kv, 'a', sizeof(kv) - 1);
	kv[0] = 'k';
	kv[1] = '=';
	kv[sizeof(kv) - 1] = '\0';
	ck_assert_int_eq(log_json("t", "info", kv, out, sizeof(out)), -1);
}
END_TEST

static Suite *
log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("json");

	tcase_add_test(tc, pairs_become_members);
	tcase_add_test(tc, quoted_values_are_unescaped);
	tcase_add_test(tc, not_logfmt_is_refused);
	tcase_add_test(tc, too_long_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(log_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
