/*
 * smtp_test.c: the SMTP client's parsers (smtp.h): replies (one line,
 * multi-line, incomplete, malformed, too long, too many lines, a code
 * that changes), dot-stuffing of DATA (a line that starts with ".", bare
 * LF, the terminator), the envelope address of a From: value, and
 * smime_cert_email's refusal of what is not a certificate.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smime.h"
#include "smtp.h"
#include "util.h"

START_TEST(reply_single_and_multi)
{
	int	code = 0;
	size_t	used = 0;
	const char *m = "250-relay.example\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"
	    "354 next";

	ck_assert_int_eq(smtp_reply_parse("220 ready\r\n", 11, &code, &used), 1);
	ck_assert_int_eq(code, 220);
	ck_assert_uint_eq(used, 11);
	ck_assert_int_eq(smtp_reply_parse("250\r\n", 5, &code, &used), 1);
	ck_assert_int_eq(code, 250);
	ck_assert_int_eq(smtp_reply_parse("451 later\n", 10, &code, &used), 1);
	ck_assert_int_eq(code, 451);
	ck_assert_int_eq(smtp_reply_parse(m, strlen(m), &code, &used), 1);
	ck_assert_int_eq(code, 250);
	ck_assert_uint_eq(used, strlen(m) - strlen("354 next"));
}
END_TEST

START_TEST(reply_incomplete)
{
	int	code = 0;
	size_t	used = 0;

	ck_assert_int_eq(smtp_reply_parse("", 0, &code, &used), 0);
	ck_assert_int_eq(smtp_reply_parse("250-a\r\n250-b\r\n", 14, &code,
	    &used), 0);
	ck_assert_int_eq(smtp_reply_parse("250 partial", 11, &code, &used), 0);
}
END_TEST

START_TEST(reply_malformed)
{
	char	*big;
	struct buf b;
	int	code = 0, i;
	size_t	used = 0;

	ck_assert_int_eq(smtp_reply_parse("hello\r\n", 7, &code, &used), -1);
	ck_assert_int_eq(smtp_reply_parse("25 x\r\n", 6, &code, &used), -1);
	ck_assert_int_eq(smtp_reply_parse("650 x\r\n", 7, &code, &used), -1);
	ck_assert_int_eq(smtp_reply_parse("250x\r\n", 6, &code, &used), -1);
	ck_assert_int_eq(smtp_reply_parse("250-a\r\n550 b\r\n", 14, &code,
	    &used), -1);
	/* a line longer than the limit, ended or not */
	big = malloc(SMTP_LINE_MAX + 10);
	memset(big, 'a', SMTP_LINE_MAX + 10);
	memcpy(big, "250 ", 4);
	ck_assert_int_eq(smtp_reply_parse(big, SMTP_LINE_MAX + 10, &code,
	    &used), -1);
	big[SMTP_LINE_MAX + 8] = '\r';
	big[SMTP_LINE_MAX + 9] = '\n';
	ck_assert_int_eq(smtp_reply_parse(big, SMTP_LINE_MAX + 10, &code,
	    &used), -1);
	free(big);
	/* too many lines */
	buf_init(&b);
	for (i = 0; i < SMTP_LINES_MAX + 1; i++)
		buf_puts(&b, "250-x\r\n");
	buf_puts(&b, "250 end\r\n");
	ck_assert_int_eq(smtp_reply_parse(b.data, b.len, &code, &used), -1);
	buf_free(&b);
}
END_TEST

START_TEST(dot_stuffing)
{
	struct buf	b;
	const char	*m = ".hidden\r\nline\r\n.\r\n..two\nbare";

	buf_init(&b);
	smtp_dot_stuff(&b, m, strlen(m));
	ck_assert_str_eq(b.data, "..hidden\r\nline\r\n..\r\n...two\r\nbare\r\n"
	    ".\r\n");
	buf_reset(&b);
	smtp_dot_stuff(&b, "a\r\n", 3);
	ck_assert_str_eq(b.data, "a\r\n.\r\n");
	buf_reset(&b);
	smtp_dot_stuff(&b, "", 0);
	ck_assert_str_eq(b.data, ".\r\n");
	buf_free(&b);
}
END_TEST

START_TEST(envelope)
{
	char	a[64];

	ck_assert_int_eq(smtp_envelope("Council Portal <noreply@portal.example>",
	    a, sizeof(a)), 0);
	ck_assert_str_eq(a, "noreply@portal.example");
	ck_assert_int_eq(smtp_envelope("x@y.example", a, sizeof(a)), 0);
	ck_assert_str_eq(a, "x@y.example");
	ck_assert_int_eq(smtp_envelope("Council Portal", a, sizeof(a)), -1);
	ck_assert_int_eq(smtp_envelope("P <a b@c>", a, sizeof(a)), -1);
	ck_assert_int_eq(smtp_envelope("P <noreply@portal.example", a,
	    sizeof(a)), -1);
	ck_assert_int_eq(smtp_envelope("<averyveryveryveryveryveryveryveryvery"
	    "veryverylongname@portal.example>", a, 16), -1);
}
END_TEST

START_TEST(cert_refused)
{
	char	e[64];
	const char *junk = "-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n";

	ck_assert_int_eq(smime_cert_email("", 0, e, sizeof(e)), -1);
	ck_assert_int_eq(smime_cert_email("hello", 5, e, sizeof(e)), -1);
	ck_assert_int_eq(smime_cert_email(junk, strlen(junk), e, sizeof(e)),
	    -1);
}
END_TEST

static Suite *
smtp_suite(void)
{
	Suite	*s = suite_create("smtp");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, reply_single_and_multi);
	tcase_add_test(tc, reply_incomplete);
	tcase_add_test(tc, reply_malformed);
	tcase_add_test(tc, dot_stuffing);
	tcase_add_test(tc, envelope);
	tcase_add_test(tc, cert_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(smtp_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
