/*
 * audit_test.c: one link of the audit hash chain, as councilctl audit
 * verify checks it (the database side: tests/ops/audit.sh).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"

static void
unhex(const char *s, unsigned char *out)
{
	unsigned	v;
	size_t		i;

	for (i = 0; i < 32; i++) {
		ck_assert_int_eq(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

START_TEST(link_known_answer)
{
	unsigned char	prev[32], hash[32];

	memset(prev, 0, sizeof(prev));
	/* A wrong hash first, then SHA-256 of 32 zero bytes and "abc". */
	unhex("ee0ad9a7c5f0e6e8bb1b9ad4b5e8bf4c8c0d7a1d2e2a2b2f7c6d3bfc6b1c2b7d", hash);
	ck_assert_int_eq(audit_link_ok(prev, "abc", 3, hash), 0);
	unhex("365aa7d8f7f9402c4b9434502b4cc89ddb09fe50d7cd95b493b834c62d5a5370", hash);
	ck_assert_int_eq(audit_link_ok(prev, "abc", 3, hash), 1);
	/* Any change of the payload, the previous hash or the hash breaks it. */
	ck_assert_int_eq(audit_link_ok(prev, "abd", 3, hash), 0);
	ck_assert_int_eq(audit_link_ok(prev, "abc", 2, hash), 0);
	prev[31] = 1;
	ck_assert_int_eq(audit_link_ok(prev, "abc", 3, hash), 0);
	prev[31] = 0;
	hash[0] ^= 0x80;
	ck_assert_int_eq(audit_link_ok(prev, "abc", 3, hash), 0);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite	*s = suite_create("audit");
	TCase	*tc = tcase_create("chain");

	tcase_add_test(tc, link_known_answer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(audit_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
