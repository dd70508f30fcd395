/*
 * password_test.c: scrypt hashing, verification, parameter bounds and
 * rehash detection.  Uses small N for speed except where the real
 * parameters themselves are under test.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "password.h"

START_TEST(hash_then_verify)
{
	char	mcf[PASSWORD_MCF_LEN];

	ck_assert_int_eq(password_hash_params("correct horse", 10, 8, 1, mcf), 0);
	ck_assert(strncmp(mcf, "$s1$0a0801$", 11) == 0);
	ck_assert_int_eq(password_verify("correct horse", mcf), 1);
	ck_assert_int_eq(password_verify("correct horsf", mcf), 0);
	ck_assert_int_eq(password_verify("", mcf), 0);
}
END_TEST

START_TEST(salts_differ)
{
	char	a[PASSWORD_MCF_LEN], b[PASSWORD_MCF_LEN];

	ck_assert_int_eq(password_hash_params("same", 10, 8, 1, a), 0);
	ck_assert_int_eq(password_hash_params("same", 10, 8, 1, b), 0);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(real_parameters_are_asvs_level)
{
	char	mcf[PASSWORD_MCF_LEN];

	/* N = 2^17, r = 8, p = 1: "$s1$110801$". */
	ck_assert_int_eq(password_hash("pässwörd 日本語", mcf), 0);
	ck_assert(strncmp(mcf, "$s1$110801$", 11) == 0);
	ck_assert_int_eq(password_verify("pässwörd 日本語", mcf), 1);
	ck_assert_int_eq(password_needs_rehash(mcf), 0);
}
END_TEST

START_TEST(weaker_hash_needs_rehash)
{
	char	mcf[PASSWORD_MCF_LEN];

	ck_assert_int_eq(password_hash_params("x", 14, 8, 16, mcf), 0);
	ck_assert_int_eq(password_needs_rehash(mcf), 1);
	ck_assert_int_eq(password_needs_rehash("garbage"), 1);
}
END_TEST

START_TEST(malformed_and_out_of_bounds_mcf)
{
	char		mcf[PASSWORD_MCF_LEN], bad[PASSWORD_MCF_LEN];
	const char	*cases[] = {
		"",
		"$s1$",
		"$s2$0a0801$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",
		"$s1$0a0801$notbase64!$AAAA",
		"$s1$0a08$x$y",
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_int_eq(password_verify("x", cases[i]), -1);
	/* A hash whose N is absurd (2^30) must be refused, not computed. */
	ck_assert_int_eq(password_hash_params("x", 10, 8, 1, mcf), 0);
	memcpy(bad, mcf, sizeof(bad));
	memcpy(bad + 4, "1e", 2);
	ck_assert_int_eq(password_verify("x", bad), -1);
	/* p = 0 is invalid. */
	memcpy(bad, mcf, sizeof(bad));
	memcpy(bad + 8, "00", 2);
	ck_assert_int_eq(password_verify("x", bad), -1);
	/* A truncated hash part. */
	memcpy(bad, mcf, sizeof(bad));
	bad[strlen(bad) - 8] = '\0';
	ck_assert_int_eq(password_verify("x", bad), -1);
}
END_TEST

START_TEST(overlong_password_refused)
{
	char	mcf[PASSWORD_MCF_LEN], big[PASSWORD_MAX_LEN + 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(password_hash_params(big, 10, 8, 1, mcf), -1);
	ck_assert_int_eq(password_hash_params("ok", 10, 8, 1, mcf), 0);
	ck_assert_int_eq(password_verify(big, mcf), 0);
}
END_TEST

static Suite *
password_suite(void)
{
	Suite	*s = suite_create("password");
	TCase	*tc = tcase_create("scrypt");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, hash_then_verify);
	tcase_add_test(tc, salts_differ);
	tcase_add_test(tc, real_parameters_are_asvs_level);
	tcase_add_test(tc, weaker_hash_needs_rehash);
	tcase_add_test(tc, malformed_and_out_of_bounds_mcf);
	tcase_add_test(tc, overlong_password_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(password_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
