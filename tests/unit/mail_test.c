/*
 * mail_test.c: the e-mail a notification becomes (mail_format): headers
 * that nothing from the database can forge (CR, LF, controls, white space
 * in the address), the subject as RFC 2047 encoded-words cut only between
 * UTF-8 characters, CRLF line ends, and the Maildir that
 * mail_configure prepares.
 */
#include <sys/stat.h>

#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail.h"
#include "util.h"

static const char *FROM = "Council Portal <noreply@portal.example>";

/* Decode every encoded-word of the Subject header of msg into out. */
static void
subject_of(const char *msg, char *out, size_t outlen)
{
	const char	*p = strstr(msg, "\r\nSubject:"), *end, *w, *q;
	unsigned char	 dec[256];
	int		 n;
	size_t		 len = 0;

	ck_assert_ptr_nonnull(p);
	p += 10;
	end = strstr(p, "\r\nDate:");
	ck_assert_ptr_nonnull(end);
	while ((w = strstr(p, "=?UTF-8?B?")) != NULL && w < end) {
		w += 10;
		q = strstr(w, "?=");
		ck_assert_ptr_nonnull(q);
		ck_assert_int_le(q - w, 76 - 12);	/* RFC 2047: 75 per word */
		n = EVP_DecodeBlock(dec, (const unsigned char *)w, (int)(q - w));
		ck_assert_int_ge(n, 0);
		while (n > 0 && (q - w) >= 2 && q[-1] == '=' && dec[n - 1] == 0) {
			n--;
			q--;
		}
		ck_assert_uint_lt(len + (size_t)n, outlen);
		memcpy(out + len, dec, (size_t)n);
		len += (size_t)n;
		p = strstr(w, "?=") + 2;
	}
	out[len] = '\0';
}

START_TEST(well_formed)
{
	struct buf	b;
	char		subj[512];

	buf_init(&b);
	ck_assert_int_eq(mail_format(&b, FROM, "taro@bank.example.jp",
	    "総会の招集: 2026年度 通常総会",
	    "総会の招集: 2026年度 通常総会\nhttps://portal.example/assemblies/7",
	    1795000000LL, "1795000000.P1Q1.councild"), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "From: Council Portal <noreply@portal.example>\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\r\nTo: <taro@bank.example.jp>\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\r\nDate: Wed, 18 Nov 2026 11:06:40 +0000\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\r\nMessage-ID: <1795000000.P1Q1.councild@councild>\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "Content-Type: text/plain; charset=UTF-8\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "Auto-Submitted: auto-generated\r\n\r\n"
	    "総会の招集: 2026年度 通常総会\r\nhttps://portal.example/assemblies/7\r\n"));
	subject_of(b.data, subj, sizeof(subj));
	ck_assert_str_eq(subj, "総会の招集: 2026年度 通常総会");
	/* No bare LF anywhere. */
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\n')
			ck_assert_int_eq(b.data[i - 1], '\r');
	buf_free(&b);
}
END_TEST

START_TEST(long_subject_cut_between_characters)
{
	struct buf	b;
	char		s[400], subj[512];
	size_t		i;

	/* 100 three-byte characters: 300 bytes, words of at most 45 bytes
	 * must hold whole characters. */
	s[0] = '\0';
	for (i = 0; i < 100; i++)
		strcat(s, "議");
	buf_init(&b);
	ck_assert_int_eq(mail_format(&b, FROM, "a@b.example", s, "x",
	    0, "m"), 0);
	subject_of(b.data, subj, sizeof(subj));
	ck_assert_str_eq(subj, s);
	ck_assert_int_eq(util_utf8_valid(subj, strlen(subj)), 1);
	/* folded: continuation lines start with a space */
	ck_assert_ptr_nonnull(strstr(b.data, "?=\r\n =?UTF-8?B?"));
	buf_free(&b);
}
END_TEST

START_TEST(forged_headers_refused)
{
	struct buf	b;

	buf_init(&b);
	ck_assert_int_eq(mail_format(&b, FROM, "a@b.example\r\nBcc: x@evil.example",
	    "s", "x", 0, "m"), -1);
	ck_assert_int_eq(mail_format(&b, FROM, "a b@b.example", "s", "x", 0, "m"), -1);
	/* One recipient only: no way out of <...> into a second address. */
	ck_assert_int_eq(mail_format(&b, FROM, "a>,<spy@evil.example", "s", "x", 0, "m"), -1);
	ck_assert_int_eq(mail_format(&b, FROM, "a@b.example,spy@evil.example", "s", "x", 0, "m"), -1);
	ck_assert_int_eq(mail_format(&b, FROM, "\"a\"@b.example", "s", "x", 0, "m"), -1);
	ck_assert_int_eq(mail_format(&b, FROM, "a@b.example;spy@evil.example", "s", "x", 0, "m"), -1);
	ck_assert_int_eq(mail_format(&b, FROM, "", "s", "x", 0, "m"), -1);
	ck_assert_int_eq(mail_format(&b, FROM, "a@b.example", "s\nBcc: x@evil.example",
	    "x", 0, "m"), -1);
	ck_assert_int_eq(mail_format(&b, FROM, "a@b.example", "s\x01", "x", 0, "m"), -1);
	ck_assert_int_eq(mail_format(&b, FROM, "a@b.example", "s", "x\r\n.\r\n", 0, "m"), -1);
	ck_assert_int_eq(mail_format(&b, "x\r\nBcc: y", "a@b.example", "s", "x", 0, "m"), -1);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

START_TEST(maildir_prepared)
{
	char		dir[] = "/tmp/mail_test.XXXXXX", path[128], err[256];
	struct stat	st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(mail_configure(dir, FROM, "", err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/new", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/tmp", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	mail_unconfigure();
	ck_assert_int_eq(mail_configure("/proc/no/such/dir", FROM, "", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "mail_dir"));
	ck_assert_int_eq(mail_configure("", FROM, "", err, sizeof(err)), 0);
	mail_unconfigure();
	rmdir(path);
	snprintf(path, sizeof(path), "%s/new", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/cur", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

static Suite *
mail_suite(void)
{
	Suite	*s = suite_create("mail");
	TCase	*tc = tcase_create("format");

	tcase_add_test(tc, well_formed);
	tcase_add_test(tc, long_subject_cut_between_characters);
	tcase_add_test(tc, forged_headers_refused);
	tcase_add_test(tc, maildir_prepared);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(mail_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
