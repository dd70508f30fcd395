/*
 * totp_test.c: RFC 4648 base32 and RFC 4226 / RFC 6238 known answers,
 * the verification window, replay refusal, malformed codes, secrets and
 * recovery codes.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "totp.h"
#include "util.h"

static const unsigned char rfc_key[] = "12345678901234567890";
#define RFC_KEY_LEN	20

/* The 6-digit code for step as a string, in buf (7 bytes). */
static const char *
code_at(int64_t step, char *buf)
{
	uint32_t	c = totp_code(rfc_key, RFC_KEY_LEN, (uint64_t)step,
			    TOTP_DIGITS);

	ck_assert_uint_ne(c, TOTP_CODE_ERROR);
	ck_assert_uint_lt(c, 1000000);
	snprintf(buf, 7, "%06" PRIu32, c % 1000000);
	return buf;
}

START_TEST(base32_rfc4648_vectors)
{
	const char	*plain[] = { "", "f", "fo", "foo", "foob", "fooba",
			    "foobar" };
	const char	*b32[] = { "", "MY", "MZXQ", "MZXW6", "MZXW6YQ",
			    "MZXW6YTB", "MZXW6YTBOI" };
	char		 enc[32];
	unsigned char	 dec[32];
	size_t		 i, n;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		ck_assert_int_eq(totp_base32_encode(
		    (const unsigned char *)plain[i], strlen(plain[i]), enc,
		    sizeof(enc)), 0);
		ck_assert_str_eq(enc, b32[i]);
		n = 99;
		ck_assert_int_eq(totp_base32_decode(b32[i], dec, sizeof(dec),
		    &n), 0);
		ck_assert_uint_eq(n, strlen(plain[i]));
		ck_assert(memcmp(dec, plain[i], n) == 0);
	}
	/* "foobar" needs 10 characters and the NUL. */
	ck_assert_int_eq(totp_base32_encode((const unsigned char *)"foobar",
	    6, enc, 11), 0);
	ck_assert_int_eq(totp_base32_encode((const unsigned char *)"foobar",
	    6, enc, 10), -1);
	ck_assert_int_eq(totp_base32_encode((const unsigned char *)"", 0,
	    enc, 0), -1);
}
END_TEST

START_TEST(base32_decode_lenient_forms)
{
	const char	*forms[] = {
		"mzxw6ytboi",
		"MzXw6yTbOi",
		"MZXW 6YTB OI",
		"mzxw-6ytb-oi",
		" MZXW-6YTB OI ",
		"MZXW6YTBOI======",
		"mzxw 6ytb oi======",
	};
	unsigned char	 dec[16];
	size_t		 i, n;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		n = 0;
		ck_assert_msg(totp_base32_decode(forms[i], dec, sizeof(dec),
		    &n) == 0, "%s", forms[i]);
		ck_assert_uint_eq(n, 6);
		ck_assert(memcmp(dec, "foobar", 6) == 0);
	}
	ck_assert_int_eq(totp_base32_decode("MY======", dec, sizeof(dec), &n),
	    0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(dec[0], 'f');
}
END_TEST

START_TEST(base32_decode_rejects)
{
	const char	*bad[] = {
		"MZXW1",		/* '1' is not base32 */
		"MZXW8",		/* nor '8' */
		"MZXW0",		/* nor '0' */
		"MZX_W6",
		"MZXW6\t",
		"MZXW6.",
		"MZXW6\xc3\xa9",	/* non-ASCII */
		"M",			/* 5 bits: no whole byte */
		"MZX",			/* 15 bits */
		"MZXW6Y",		/* 30 bits */
		"MZ",			/* non-zero trailing bits */
		"MZ=XW6",		/* padding in the middle */
		"MY=====A",
		"MY====== ",
		"MY=",			/* padding that does not fill a group */
		"MY=======",
		"=",
		"MZXW6YTB========",	/* a whole group of padding */
	};
	unsigned char	 dec[128];
	char		 big[TOTP_B32_MAX + 2];
	size_t		 i, n = 42;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(totp_base32_decode(bad[i], dec, sizeof(dec),
		    &n) == -1, "%s", bad[i]);
	ck_assert_uint_eq(n, 42);

	/* 128 characters are accepted, 129 are not, even if all are valid. */
	memset(big, 'A', TOTP_B32_MAX);
	big[TOTP_B32_MAX] = '\0';
	ck_assert_int_eq(totp_base32_decode(big, dec, sizeof(dec), &n), 0);
	ck_assert_uint_eq(n, TOTP_B32_MAX * 5 / 8);
	big[TOTP_B32_MAX] = 'A';
	big[TOTP_B32_MAX + 1] = '\0';
	ck_assert_int_eq(totp_base32_decode(big, dec, sizeof(dec), &n), -1);
	/* Separators count towards the limit too. */
	memset(big, ' ', TOTP_B32_MAX + 1);
	ck_assert_int_eq(totp_base32_decode(big, dec, sizeof(dec), &n), -1);

	/* An output buffer one byte short. */
	ck_assert_int_eq(totp_base32_decode("MZXW6YTBOI", dec, 5, &n), -1);
	ck_assert_int_eq(totp_base32_decode("MZXW6YTBOI", dec, 6, &n), 0);
	ck_assert_uint_eq(n, 6);
}
END_TEST

START_TEST(hotp_rfc4226_vectors)
{
	const uint32_t	want[] = { 755224, 287082, 359152, 969429, 338314,
			    254676, 287922, 162583, 399871, 520489 };
	uint64_t	i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_uint_eq(totp_code(rfc_key, RFC_KEY_LEN, i, 6),
		    want[i]);
}
END_TEST

START_TEST(totp_rfc6238_sha1_vectors)
{
	const int64_t	times[] = { 59, 1111111109, 1111111111, 1234567890,
			    2000000000, 20000000000 };
	const uint32_t	want[] = { 94287082, 7081804, 14050471, 89005924,
			    69279037, 65353130 };
	char		buf[16];
	size_t		i;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		uint32_t c = totp_code(rfc_key, RFC_KEY_LEN,
		    (uint64_t)(times[i] / TOTP_STEP), 8);

		ck_assert_uint_eq(c, want[i]);
	}
	/* Leading zeros are part of the code. */
	snprintf(buf, sizeof(buf), "%08" PRIu32, totp_code(rfc_key,
	    RFC_KEY_LEN, 1111111109 / TOTP_STEP, 8));
	ck_assert_str_eq(buf, "07081804");
}
END_TEST

START_TEST(totp_code_bad_arguments)
{
	ck_assert_uint_eq(totp_code(rfc_key, RFC_KEY_LEN, 1, 5),
	    TOTP_CODE_ERROR);
	ck_assert_uint_eq(totp_code(rfc_key, RFC_KEY_LEN, 1, 9),
	    TOTP_CODE_ERROR);
	ck_assert_uint_eq(totp_code(rfc_key, TOTP_KEY_MIN - 1, 1, 6),
	    TOTP_CODE_ERROR);
	ck_assert_uint_eq(totp_code(rfc_key, TOTP_KEY_MAX + 1, 1, 6),
	    TOTP_CODE_ERROR);
	ck_assert_uint_lt(totp_code(rfc_key, RFC_KEY_LEN, 1, 7), 10000000);
}
END_TEST

START_TEST(verify_window)
{
	const time_t	now = 1111111109;
	const int64_t	step = now / TOTP_STEP;
	char		c[5][7], spaced[16];
	int64_t		m;
	int		i, j;

	/* The test relies on five distinct codes around now. */
	for (i = 0; i < 5; i++)
		code_at(step - 2 + i, c[i]);
	for (i = 0; i < 5; i++)
		for (j = i + 1; j < 5; j++)
			ck_assert_str_ne(c[i], c[j]);

	for (i = 1; i <= 3; i++) {
		m = -7;
		ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, c[i], now,
		    -1, &m), 1);
		ck_assert_int_eq(m, step - 2 + i);
	}
	m = -7;
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, c[0], now, -1,
	    &m), 0);
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, c[4], now, -1,
	    &m), 0);
	ck_assert_int_eq(m, -7);

	/* Users may type "123 456". */
	snprintf(spaced, sizeof(spaced), " %.3s %.3s ", c[2], c[2] + 3);
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, spaced, now, -1,
	    &m), 1);
	ck_assert_int_eq(m, step);

	/* The matched step may be left unreported. */
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, c[2], now, -1,
	    NULL), 1);
	/* Another key does not match. */
	ck_assert_int_eq(totp_verify((const unsigned char *)
	    "abcdefghijklmnopqrst", 20, c[2], now, -1, &m), 0);
	/* Times before the epoch and out-of-bounds keys are refused. */
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, c[2], -1, -1, &m),
	    -1);
	ck_assert_int_eq(totp_verify(rfc_key, 8, c[2], now, -1, &m), -1);
	/* At the epoch, step -1 is not tried but step 0 and 1 are. */
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN,
	    code_at(1, spaced), 0, -1, &m), 1);
	ck_assert_int_eq(m, 1);
}
END_TEST

START_TEST(verify_refuses_replay)
{
	const time_t	now = 1234567890;
	const int64_t	step = now / TOTP_STEP;
	char		prev[7], cur[7], next[7];
	int64_t		m = -1, last = -1;

	code_at(step - 1, prev);
	code_at(step, cur);
	code_at(step + 1, next);

	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, cur, now, last,
	    &m), 1);
	ck_assert_int_eq(m, step);
	last = m;
	/* The same code again, even a second later in the same step. */
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, cur, now, last,
	    &m), 0);
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, cur, now + 1, last,
	    &m), 0);
	/* Nor an older one still inside the window. */
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, prev, now, last,
	    &m), 0);
	ck_assert_int_eq(m, step);
	/* A later step still works, once. */
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, next, now, last,
	    &m), 1);
	ck_assert_int_eq(m, step + 1);
	last = m;
	ck_assert_int_eq(totp_verify(rfc_key, RFC_KEY_LEN, next,
	    now + TOTP_STEP, last, &m), 0);
}
END_TEST

START_TEST(verify_malformed_codes)
{
	const char	*bad[] = { "12345", "1234567", "12a456", "", "      ",
			    "123-456", "+12345", "12345\n", "１２３４５６",
			    "123456                                     " };
	int64_t		m = 5;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(totp_verify(rfc_key, RFC_KEY_LEN, bad[i],
		    1111111109, -1, &m) == -1, "\"%s\"", bad[i]);
	ck_assert_int_eq(m, 5);
}
END_TEST

START_TEST(secret_is_base32_and_differs)
{
	char		a[TOTP_SECRET_B32_LEN + 1], b[TOTP_SECRET_B32_LEN + 1];
	unsigned char	key[TOTP_SECRET_LEN + 1];
	size_t		i, n;

	ck_assert_int_eq(totp_secret_new(a, sizeof(a)), 0);
	ck_assert_int_eq(totp_secret_new(b, sizeof(b)), 0);
	ck_assert_uint_eq(strlen(a), TOTP_SECRET_B32_LEN);
	ck_assert_uint_eq(strlen(b), TOTP_SECRET_B32_LEN);
	for (i = 0; i < TOTP_SECRET_B32_LEN; i++)
		ck_assert((a[i] >= 'A' && a[i] <= 'Z') ||
		    (a[i] >= '2' && a[i] <= '7'));
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(totp_base32_decode(a, key, sizeof(key), &n), 0);
	ck_assert_uint_eq(n, TOTP_SECRET_LEN);
	ck_assert_uint_ne(totp_code(key, n, 1, 6), TOTP_CODE_ERROR);
	ck_assert_int_eq(totp_secret_new(a, TOTP_SECRET_B32_LEN), -1);
}
END_TEST

START_TEST(recovery_format_and_round_trip)
{
	static const char alpha[] = "abcdefghjkmnpqrstuvwxyz23456789";
	char		code[TOTP_RECOVERY_LEN], other[TOTP_RECOVERY_LEN];
	char		norm[TOTP_RECOVERY_NORM_LEN], upper[32];
	unsigned	seen[256];
	size_t		i, j, k;

	memset(seen, 0, sizeof(seen));
	for (k = 0; k < 1000; k++) {
		ck_assert_int_eq(totp_recovery_new(code, sizeof(code)), 0);
		ck_assert_uint_eq(strlen(code), TOTP_RECOVERY_LEN - 1);
		for (i = 0, j = 0; i < TOTP_RECOVERY_LEN - 1; i++) {
			if (i == 4 || i == 9) {
				ck_assert_int_eq(code[i], '-');
				continue;
			}
			ck_assert_ptr_nonnull(strchr(alpha, code[i]));
			seen[(unsigned char)code[i]]++;
			j++;
		}
		ck_assert_uint_eq(j, TOTP_RECOVERY_CHARS);

		ck_assert_int_eq(totp_recovery_normalise(code, norm,
		    sizeof(norm)), 0);
		ck_assert_uint_eq(strlen(norm), TOTP_RECOVERY_CHARS);
		ck_assert(memcmp(norm, code, 4) == 0);
		ck_assert(memcmp(norm + 4, code + 5, 4) == 0);
		ck_assert(memcmp(norm + 8, code + 10, 4) == 0);
	}
	/* 12000 draws over 31 symbols: about 387 each, sd about 19. */
	for (i = 0; alpha[i] != '\0'; i++) {
		ck_assert_uint_gt(seen[(unsigned char)alpha[i]], 250);
		ck_assert_uint_lt(seen[(unsigned char)alpha[i]], 550);
	}

	/* Typed in capitals, with spaces instead of dashes. */
	for (i = 0, j = 0; code[i] != '\0'; i++)
		upper[j++] = code[i] == '-' ? ' ' :
		    (code[i] >= 'a' && code[i] <= 'z') ?
		    (char)(code[i] - 'a' + 'A') : code[i];
	upper[j] = '\0';
	ck_assert_int_eq(totp_recovery_normalise(upper, other, sizeof(other)),
	    0);
	ck_assert_str_eq(other, norm);

	ck_assert_int_eq(totp_recovery_new(code, sizeof(code)), 0);
	ck_assert_int_eq(totp_recovery_new(other, sizeof(other)), 0);
	ck_assert_str_ne(code, other);
	ck_assert_int_eq(totp_recovery_new(code, TOTP_RECOVERY_LEN - 1), -1);
}
END_TEST

START_TEST(recovery_normalise_rejects)
{
	const char	*bad[] = {
		"",
		"abcd-efgh-jkm",	/* 11 characters */
		"abcd-efgh-jkmnp",	/* 13 */
		"abcd-efgh-jkmi",	/* confusables are not in the alphabet */
		"abcd-efgh-jkml",
		"abcd-efgh-jkmo",
		"abcd-efgh-jkm0",
		"abcd-efgh-jkm1",
		"abcd_efgh_jkmn",
		"abcd\tefgh-jkmn",
		"abcd-efgh-jkm\xc3\xa9",
	};
	char		out[TOTP_RECOVERY_NORM_LEN], big[80];
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 'x', sizeof(out));
		ck_assert_msg(totp_recovery_normalise(bad[i], out,
		    sizeof(out)) == -1, "\"%s\"", bad[i]);
		ck_assert_str_eq(out, "");
	}
	/* At most 64 characters of input, separators included. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "abcd-efgh-jkmn", 14);
	big[64] = '\0';
	ck_assert_int_eq(totp_recovery_normalise(big, out, sizeof(out)), 0);
	big[64] = ' ';
	big[65] = '\0';
	ck_assert_int_eq(totp_recovery_normalise(big, out, sizeof(out)), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(totp_recovery_normalise("ABCD EFGH-jkmn", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "abcdefghjkmn");
	ck_assert_int_eq(totp_recovery_normalise("abcd-efgh-jkmn", out,
	    TOTP_RECOVERY_NORM_LEN - 1), -1);
}
END_TEST

/* The Key URI the enrolment page's QR code holds. */
START_TEST(uri_format)
{
	struct buf	u;

	buf_init(&u);
	totp_uri(&u, "Council Portal", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
	ck_assert_str_eq(u.data, "otpauth://totp/Council%20Portal?"
	    "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Council%20Portal"
	    "&algorithm=SHA1&digits=6&period=30");
	buf_reset(&u);
	totp_uri(&u, "a:b&c=d?\xe5\x8d\x94", "AB");
	ck_assert_str_eq(u.data, "otpauth://totp/a%3Ab%26c%3Dd%3F%E5%8D%94?"
	    "secret=AB&issuer=a%3Ab%26c%3Dd%3F%E5%8D%94"
	    "&algorithm=SHA1&digits=6&period=30");
	buf_free(&u);
}
END_TEST

static Suite *
totp_suite(void)
{
	Suite	*s = suite_create("totp");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, base32_rfc4648_vectors);
	tcase_add_test(tc, base32_decode_lenient_forms);
	tcase_add_test(tc, base32_decode_rejects);
	tcase_add_test(tc, hotp_rfc4226_vectors);
	tcase_add_test(tc, totp_rfc6238_sha1_vectors);
	tcase_add_test(tc, totp_code_bad_arguments);
	tcase_add_test(tc, verify_window);
	tcase_add_test(tc, verify_refuses_replay);
	tcase_add_test(tc, verify_malformed_codes);
	tcase_add_test(tc, secret_is_base32_and_differs);
	tcase_add_test(tc, recovery_format_and_round_trip);
	tcase_add_test(tc, recovery_normalise_rejects);
	tcase_add_test(tc, uri_format);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(totp_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
