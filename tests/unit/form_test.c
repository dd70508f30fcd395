/*
 * form_test.c: the parsers of form.c: urlencoded bodies (decoding,
 * repeated names, refusals, limits), Cookie headers and token shapes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

/* Parse body (as a C string) and expect success. */
static void
parse_ok(struct form *f, const char *body)
{
	char	err[256] = "";

	ck_assert_msg(form_parse(f, body, strlen(body), err, sizeof(err)) == 0,
	    "refused \"%.80s\": %s", body, err);
}

/* Parse body[0..len) and expect refusal with the reason want. */
static void
refused_len(const char *body, size_t len, const char *want)
{
	struct form	f;
	char		err[256] = "";

	ck_assert_msg(form_parse(&f, body, len, err, sizeof(err)) == -1,
	    "accepted \"%.*s\"", (int)(len > 80 ? 80 : len), body);
	ck_assert_uint_eq(f.nfields, 0);
	ck_assert_str_eq(err, want);
	form_free(&f);
}

static void
refused(const char *body, const char *want)
{
	refused_len(body, strlen(body), want);
}

/* body is one field "a=<value>"; expect value to decode to want. */
static void
value_is(const char *body, const char *want)
{
	struct form	f;

	parse_ok(&f, body);
	ck_assert_uint_eq(f.nfields, 1);
	ck_assert_str_eq(f.fields[0].name, "a");
	ck_assert_str_eq(form_get(&f, "a"), want);
	form_free(&f);
}

START_TEST(decodes)
{
	struct form	f;

	parse_ok(&f, "a=x+y&b=%20z&c=%E6%97%A5&d=%e6%97%a5&e=b=c&%66=1");
	ck_assert_uint_eq(f.nfields, 6);
	ck_assert_str_eq(form_get(&f, "a"), "x y");
	ck_assert_str_eq(form_get(&f, "b"), " z");
	ck_assert_str_eq(form_get(&f, "c"), "日");
	ck_assert_str_eq(form_get(&f, "d"), "日");
	ck_assert_str_eq(form_get(&f, "e"), "b=c");	/* first '=' splits */
	ck_assert_str_eq(form_get(&f, "f"), "1");	/* names decode too */
	ck_assert_ptr_null(form_get(&f, "g"));
	ck_assert_ptr_null(form_get(&f, "A"));		/* case-sensitive */
	form_free(&f);

	value_is("a=%2B%25%26%3D", "+%&=");
	value_is("a=%e3%82%b5%E3%82%A4", "サイ");
	value_is("a=日本", "日本");			/* raw UTF-8 is fine */
	value_is("a=", "");
	value_is("a=%09tab", "\ttab");
	value_is("a=%7F", "\x7f");			/* DEL is not C0 */
}
END_TEST

START_TEST(multi_valued)
{
	struct form	f;

	parse_ok(&f, "tag=x&other=1&tag=y&tag=z&tag=");
	ck_assert_uint_eq(f.nfields, 5);
	ck_assert_uint_eq(form_count(&f, "tag"), 4);
	ck_assert_uint_eq(form_count(&f, "other"), 1);
	ck_assert_uint_eq(form_count(&f, "none"), 0);
	ck_assert_uint_eq(form_count(&f, "ta"), 0);
	ck_assert_str_eq(form_get(&f, "tag"), "x");
	ck_assert_str_eq(form_get_nth(&f, "tag", 0), "x");
	ck_assert_str_eq(form_get_nth(&f, "tag", 1), "y");
	ck_assert_str_eq(form_get_nth(&f, "tag", 2), "z");
	ck_assert_str_eq(form_get_nth(&f, "tag", 3), "");
	ck_assert_ptr_null(form_get_nth(&f, "tag", 4));
	ck_assert_ptr_null(form_get_nth(&f, "tag", (size_t)-1));
	ck_assert_str_eq(form_get_nth(&f, "other", 0), "1");
	ck_assert_ptr_null(form_get_nth(&f, "other", 1));
	ck_assert_ptr_null(form_get_nth(&f, "none", 0));
	form_free(&f);
}
END_TEST

START_TEST(empty_and_bare)
{
	struct form	f, z;
	char		err[64] = "";

	ck_assert_int_eq(form_parse(&f, "", 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.nfields, 0);
	ck_assert_ptr_null(form_get(&f, "a"));
	ck_assert_uint_eq(form_count(&f, "a"), 0);
	form_free(&f);
	ck_assert_int_eq(form_parse(&f, NULL, 0, NULL, 0), 0);
	ck_assert_uint_eq(f.nfields, 0);
	form_free(&f);

	parse_ok(&f, "a");			/* no '=': empty value */
	ck_assert_uint_eq(f.nfields, 1);
	ck_assert_str_eq(form_get(&f, "a"), "");
	form_free(&f);
	parse_ok(&f, "a&b=1&c");
	ck_assert_uint_eq(f.nfields, 3);
	ck_assert_str_eq(form_get(&f, "a"), "");
	ck_assert_str_eq(form_get(&f, "b"), "1");
	ck_assert_str_eq(form_get(&f, "c"), "");
	form_free(&f);
	form_free(&f);					/* twice is harmless */

	memset(&z, 0, sizeof(z));			/* never parsed */
	ck_assert_ptr_null(form_get(&z, "a"));
	form_free(&z);
	form_init(&z);
	ck_assert_uint_eq(z.nfields, 0);
	form_free(&z);
}
END_TEST

START_TEST(empty_names_refused)
{
	refused("=x", "field 1: empty name");
	refused("=", "field 1: empty name");
	refused("a=1&=x", "field 2: empty name");
	refused("a=1&", "field 2: empty name");
	refused("&a=1", "field 1: empty name");
	refused("a=1&&b=2", "field 2: empty name");
	refused("&", "field 1: empty name");
}
END_TEST

START_TEST(bad_escapes_refused)
{
	refused("a=%", "field 1: bad percent escape");
	refused("a=%4", "field 1: bad percent escape");
	refused("a=%zz", "field 1: bad percent escape");
	refused("a=%4g", "field 1: bad percent escape");
	refused("a=%g4", "field 1: bad percent escape");
	refused("a=x%", "field 1: bad percent escape");
	refused("a=%%41", "field 1: bad percent escape");
	refused("a=%4&b=1", "field 1: bad percent escape");	/* not %4& */
	refused("b=1&a=%", "field 2: bad percent escape");
	refused("b=1&c=2&%zz=1", "field 3: bad percent escape");
	refused("%", "field 1: bad percent escape");
}
END_TEST

START_TEST(bad_utf8_refused)
{
	refused("a=%C3%28", "field 1: value is not valid UTF-8");
	refused("a=%FF", "field 1: value is not valid UTF-8");
	/* overlong, surrogate, truncated */
	refused("a=%C0%AF", "field 1: value is not valid UTF-8");
	refused("a=%ED%A0%80", "field 1: value is not valid UTF-8");
	refused("a=%E6%97", "field 1: value is not valid UTF-8");
	refused("a=x\xff", "field 1: value is not valid UTF-8");    /* raw */
	refused("b=1&a=%80", "field 2: value is not valid UTF-8");
	refused("%C3%A9=1", "field 1: name may only contain letters A-Z and "
	    "a-z, digits, '_', '.' and '-'");
}
END_TEST

START_TEST(controls_refused)
{
	refused("a=%00", "field 1: value contains a NUL byte");
	refused("a=x%00y", "field 1: value contains a NUL byte");
	refused_len("a=x\0y", 5, "field 1: value contains a NUL byte");
	refused_len("a\0=1", 4, "field 1: name may only contain letters A-Z "
	    "and a-z, digits, '_', '.' and '-'");
	refused("a=%01", "field 1: value contains a control character");
	refused("a=%08", "field 1: value contains a control character");
	refused("a=%0B", "field 1: value contains a control character");
	refused("a=%0C", "field 1: value contains a control character");
	refused("a=%1B%5B31m", "field 1: value contains a control character");
	refused("a=%1F", "field 1: value contains a control character");
	refused("a=x\x01", "field 1: value contains a control character");
	refused("a=1&b=%1b", "field 2: value contains a control character");
	value_is("a=%09%0A%0D", "\t\n\r");		/* TAB, LF, lone CR */
}
END_TEST

START_TEST(crlf_normalised)
{
	value_is("a=x%0D%0Ay%0D%0A", "x\ny\n");
	value_is("a=x%0d%0ay", "x\ny");
	value_is("a=%0D%0A%0D%0A", "\n\n");
	value_is("a=x%0Ay", "x\ny");			/* LF alone: kept */
	value_is("a=x%0Dy", "x\ry");			/* CR alone: kept */
	value_is("a=%0D%0D%0A", "\r\n");		/* CR, then CRLF */
	value_is("a=%0A%0D", "\n\r");			/* LFCR is not CRLF */
	value_is("a=x\r\ny", "x\ny");			/* raw CRLF too */
}
END_TEST

START_TEST(field_count_limit)
{
	struct form	f;
	char		body[16 * (FORM_MAX_FIELDS + 2)], *p;
	int		i;

	p = body;
	for (i = 0; i < FORM_MAX_FIELDS; i++)
		p += sprintf(p, "%sf%d=%d", i ? "&" : "", i, i);
	parse_ok(&f, body);				/* exactly 64 */
	ck_assert_uint_eq(f.nfields, FORM_MAX_FIELDS);
	ck_assert_str_eq(form_get(&f, "f0"), "0");
	ck_assert_str_eq(form_get(&f, "f63"), "63");
	form_free(&f);
	strcpy(p, "&x=1");				/* 65 */
	refused(body, "more than 64 fields");
	strcpy(p, "&x");				/* a bare 65th too */
	refused(body, "more than 64 fields");

	p = body;					/* 64 of one name */
	for (i = 0; i < FORM_MAX_FIELDS; i++)
		p += sprintf(p, "%sc=%d", i ? "&" : "", i);
	parse_ok(&f, body);
	ck_assert_uint_eq(form_count(&f, "c"), FORM_MAX_FIELDS);
	ck_assert_str_eq(form_get_nth(&f, "c", FORM_MAX_FIELDS - 1), "63");
	form_free(&f);
}
END_TEST

START_TEST(value_length_limit)
{
	struct form	f;
	size_t		n = 2 + 6 * (size_t)(FORM_MAX_VALUE + 1), i;
	char		*body = malloc(n + 1);

	ck_assert_ptr_nonnull(body);
	memcpy(body, "a=", 2);
	memset(body + 2, 'x', FORM_MAX_VALUE);	/* exactly at the limit */
	body[2 + FORM_MAX_VALUE] = '\0';
	parse_ok(&f, body);
	ck_assert_uint_eq(strlen(form_get(&f, "a")), FORM_MAX_VALUE);
	form_free(&f);
	body[2 + FORM_MAX_VALUE] = 'x';			/* one more */
	body[3 + FORM_MAX_VALUE] = '\0';
	refused(body, "field 1: value longer than 65536 bytes");

	/* The limit is on the decoded value: three bytes of input each. */
	for (i = 0; i < FORM_MAX_VALUE; i++)
		memcpy(body + 2 + 3 * i, "%41", 3);
	body[2 + 3 * FORM_MAX_VALUE] = '\0';
	parse_ok(&f, body);
	ck_assert_uint_eq(strlen(form_get(&f, "a")), FORM_MAX_VALUE);
	form_free(&f);
	memcpy(body + 2 + 3 * FORM_MAX_VALUE, "%41", 4);
	refused(body, "field 1: value longer than 65536 bytes");

	/* ... and on the value as stored, after CRLF became LF. */
	for (i = 0; i < FORM_MAX_VALUE; i++)
		memcpy(body + 2 + 6 * i, "%0D%0A", 6);
	body[2 + 6 * FORM_MAX_VALUE] = '\0';
	parse_ok(&f, body);
	ck_assert_uint_eq(strlen(form_get(&f, "a")), FORM_MAX_VALUE);
	form_free(&f);
	memcpy(body + 2 + 6 * FORM_MAX_VALUE, "%0D%0A", 7);
	refused(body, "field 1: value longer than 65536 bytes");

	memcpy(body, "b=1&a=", 6);			/* field number */
	memset(body + 6, 'y', FORM_MAX_VALUE + 1);
	body[7 + FORM_MAX_VALUE] = '\0';
	refused(body, "field 2: value longer than 65536 bytes");
	free(body);
}
END_TEST

START_TEST(name_rules)
{
	static const char	*charset = "field 1: name may only contain "
	    "letters A-Z and a-z, digits, '_', '.' and '-'";
	struct form		 f;
	char			 body[FORM_MAX_NAME + 8];

	parse_ok(&f, "Az09_.-=1&csrf=2&x.y-z_w=3");
	ck_assert_str_eq(form_get(&f, "Az09_.-"), "1");
	ck_assert_str_eq(form_get(&f, "x.y-z_w"), "3");
	form_free(&f);

	refused("a+b=1", charset);			/* decodes to a space */
	refused("a%20b=1", charset);
	refused("a%2Fb=1", charset);
	refused("a[]=1", charset);
	refused("a:b=1", charset);
	refused("%E6%97%A5=1", charset);
	refused("\xe6\x97\xa5=1", charset);
	refused("a%0A=1", charset);
	refused("%00=1", charset);

	memset(body, 'n', FORM_MAX_NAME);	/* exactly at the limit */
	strcpy(body + FORM_MAX_NAME, "=1");
	parse_ok(&f, body);
	ck_assert_uint_eq(strlen(f.fields[0].name), FORM_MAX_NAME);
	form_free(&f);
	memset(body, 'n', FORM_MAX_NAME + 1);		/* one more */
	strcpy(body + FORM_MAX_NAME + 1, "=1");
	refused(body, "field 1: name longer than 64 bytes");
	memset(body, 'n', FORM_MAX_NAME + 1);		/* bare name too */
	body[FORM_MAX_NAME + 1] = '\0';
	refused(body, "field 1: name longer than 64 bytes");
}
END_TEST

START_TEST(error_buffer)
{
	struct form	f;
	char		err[8];

	memset(err, 'z', sizeof(err));
	ck_assert_int_eq(form_parse(&f, "a=%", 3, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "field 1");	/* truncated, terminated */
	ck_assert_int_eq(form_parse(&f, "a=%", 3, NULL, 0), -1);
	ck_assert_uint_eq(f.nfields, 0);
	form_free(&f);

	/* A failure late in the body frees the fields parsed before it. */
	ck_assert_int_eq(form_parse(&f, "a=1&b=2&c=%", 11, NULL, 0), -1);
	ck_assert_uint_eq(f.nfields, 0);
	ck_assert_ptr_null(form_get(&f, "a"));
	form_free(&f);
}
END_TEST

/* form_cookie(header, name) with a roomy out: expect ret and value. */
static void
cookie_is(const char *header, const char *name, int want_ret,
    const char *want)
{
	char	out[128];
	int	ret;

	memset(out, 'z', sizeof(out));
	ret = form_cookie(header, name, out, sizeof(out));
	ck_assert_msg(ret == want_ret, "\"%s\" [%s]: %d, want %d",
	    header ? header : "(null)", name, ret, want_ret);
	ck_assert_str_eq(out, want_ret == 1 ? want : "");
}

START_TEST(cookie_found)
{
	cookie_is("a=1", "a", 1, "1");
	cookie_is("a=1; b=2", "a", 1, "1");
	cookie_is("a=1; b=2", "b", 1, "2");
	cookie_is("a=1;b=2", "b", 1, "2");
	cookie_is("a=1 ;  b=2  ", "b", 1, "2");
	cookie_is("a=1\t;\tb=2", "b", 1, "2");
	cookie_is("  a=1", "a", 1, "1");
	cookie_is("a=1; b=2; a=3", "a", 1, "1");	/* first one counts */
	cookie_is("lang=en; __Host-council_session=0123abcd",
	    "__Host-council_session", 1, "0123abcd");
	cookie_is("a=", "a", 1, "");
	cookie_is("a=; b=2", "a", 1, "");
	cookie_is("a=x=y", "a", 1, "x=y");		/* not split again */
	cookie_is("a=%41", "a", 1, "%41");		/* not decoded */
	cookie_is("a=\"quoted\"", "a", 1, "quoted");
	cookie_is("b=0; a=\"q\"; c=1", "a", 1, "q");
	cookie_is("a=\"\"", "a", 1, "");
	cookie_is("junk; a=1", "a", 1, "1");		/* nameless: skipped */
	cookie_is(";; a=1;", "a", 1, "1");
	cookie_is("x=bad value; a=1", "a", 1, "1");	/* not ours: ignored */
}
END_TEST

START_TEST(cookie_absent)
{
	cookie_is("", "a", 0, "");
	cookie_is(NULL, "a", 0, "");
	cookie_is("b=1; c=2", "a", 0, "");
	cookie_is("ab=1", "a", 0, "");			/* prefix of another */
	cookie_is("ab=1; ba=2; xa=3", "a", 0, "");
	cookie_is("a=1", "ab", 0, "");
	cookie_is("A=1", "a", 0, "");			/* case-sensitive */
	cookie_is("a", "a", 0, "");			/* a nameless cookie */
	cookie_is("b=a=1", "a", 0, "");
	cookie_is("a =1", "a", 0, "");			/* name is "a " */
	cookie_is("=1", "", 0, "");			/* empty name */
	cookie_is("a=1", "", 0, "");
}
END_TEST

START_TEST(cookie_malformed)
{
	char	*big, out[16];
	size_t	 n = FORM_MAX_COOKIE_HEADER;

	cookie_is("a=x y", "a", -1, "");
	cookie_is("a=x,y", "a", -1, "");
	cookie_is("a=x\\y", "a", -1, "");
	cookie_is("a=\"x", "a", -1, "");		/* unbalanced quote */
	cookie_is("a=x\"", "a", -1, "");
	cookie_is("a=\"", "a", -1, "");
	cookie_is("a=\"x\"y\"", "a", -1, "");
	cookie_is("a=x\x01", "a", -1, "");
	cookie_is("a=x\x7f", "a", -1, "");
	cookie_is("a=\xe6\x97\xa5", "a", -1, "");
	cookie_is("a=x y; a=1", "a", -1, "");	/* the first one counts */

	/* Too long for out: exactly fits, then one more. */
	memset(out, 'z', sizeof(out));
	ck_assert_int_eq(form_cookie("a=0123456789abcde", "a", out,
	    sizeof(out)), 1);
	ck_assert_str_eq(out, "0123456789abcde");
	memset(out, 'z', sizeof(out));
	ck_assert_int_eq(form_cookie("a=0123456789abcdef", "a", out,
	    sizeof(out)), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(form_cookie("a=\"0123456789abcde\"", "a", out,
	    sizeof(out)), 1);
	ck_assert_int_eq(form_cookie("a=1", "a", out, 0), -1);
	ck_assert_int_eq(form_cookie("b=1", "a", out, 0), 0);

	/* Header length: exactly at the limit, then one more. */
	big = malloc(n + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, 'p', n + 1);
	memcpy(big, "a=1; p=", 7);
	big[n] = '\0';
	ck_assert_int_eq(form_cookie(big, "a", out, sizeof(out)), 1);
	ck_assert_str_eq(out, "1");
	memcpy(big + n - 5, "; b=2", 5);		/* the last bytes */
	ck_assert_int_eq(form_cookie(big, "b", out, sizeof(out)), 1);
	ck_assert_str_eq(out, "2");
	big[n] = 'p';
	big[n + 1] = '\0';
	ck_assert_int_eq(form_cookie(big, "a", out, sizeof(out)), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(form_cookie(big, "zz", out, sizeof(out)), -1);
	free(big);
}
END_TEST

START_TEST(token_shape)
{
	const char	*t64 = "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef";

	ck_assert_int_eq(form_token_ok(t64, 64), 1);
	ck_assert_int_eq(form_token_ok("00ff", 4), 1);
	ck_assert_int_eq(form_token_ok(t64, 63), 0);		/* longer */
	ck_assert_int_eq(form_token_ok(t64, 65), 0);		/* shorter */
	ck_assert_int_eq(form_token_ok("00FF", 4), 0);		/* uppercase */
	ck_assert_int_eq(form_token_ok("00fg", 4), 0);
	ck_assert_int_eq(form_token_ok("00f ", 4), 0);
	ck_assert_int_eq(form_token_ok("00ff ", 4), 0);		/* trailing */
	ck_assert_int_eq(form_token_ok(" 00ff", 4), 0);
	ck_assert_int_eq(form_token_ok("-0ff", 4), 0);
	ck_assert_int_eq(form_token_ok("0xff", 4), 0);
	ck_assert_int_eq(form_token_ok("", 4), 0);
	ck_assert_int_eq(form_token_ok("", 0), 0);	/* never empty */
	ck_assert_int_eq(form_token_ok(NULL, 4), 0);
}
END_TEST

static Suite *
form_suite(void)
{
	Suite	*s = suite_create("form");
	TCase	*tc = tcase_create("body");
	TCase	*tc2 = tcase_create("cookie");

	tcase_add_test(tc, decodes);
	tcase_add_test(tc, multi_valued);
	tcase_add_test(tc, empty_and_bare);
	tcase_add_test(tc, empty_names_refused);
	tcase_add_test(tc, bad_escapes_refused);
	tcase_add_test(tc, bad_utf8_refused);
	tcase_add_test(tc, controls_refused);
	tcase_add_test(tc, crlf_normalised);
	tcase_add_test(tc, field_count_limit);
	tcase_add_test(tc, value_length_limit);
	tcase_add_test(tc, name_rules);
	tcase_add_test(tc, error_buffer);
	suite_add_tcase(s, tc);
	tcase_add_test(tc2, cookie_found);
	tcase_add_test(tc2, cookie_absent);
	tcase_add_test(tc2, cookie_malformed);
	tcase_add_test(tc2, token_shape);
	suite_add_tcase(s, tc2);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(form_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
