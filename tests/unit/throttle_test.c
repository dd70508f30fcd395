/*
 * throttle_test.c: sign-in throttling: account delays and their cap,
 * reset and forgetting, address buckets, the bounded table and its
 * eviction order, and consistency under concurrent threads.  Time is
 * passed in, so nothing sleeps.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "throttle.h"

#define MIN_MS		60000.0
#define FORGET_MS	((double)THROTTLE_ACCT_FORGET_MS)

static struct throttle *
new_default(void)
{
	struct throttle_limits	l;
	struct throttle		*t;

	throttle_limits_default(&l);
	t = throttle_new(&l);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* One attempt as the sign-in handler makes it: check, then fail. */
static long
attempt_fail(struct throttle *t, const char *key, double now)
{
	long	w = throttle_check(t, THROTTLE_ACCOUNT, key, now);

	if (w == 0)
		throttle_failure(t, THROTTLE_ACCOUNT, key, now);
	return w;
}

START_TEST(defaults_and_bounds)
{
	struct throttle_limits	l, bad;

	throttle_limits_default(&l);
	ck_assert_uint_eq(l.max_entries, 65536);
	ck_assert_uint_eq(l.acct_free, 5);
	ck_assert_int_eq(l.acct_base_ms, 1000);
	ck_assert_int_eq(l.acct_max_ms, 60000);
	ck_assert_int_eq(l.acct_forget_ms, 15 * 60 * 1000);
	ck_assert_uint_eq(l.ip_burst, 30);
	ck_assert_uint_eq(l.ip_per_min, 20);

	bad = l, bad.max_entries = 0;
	ck_assert_ptr_null(throttle_new(&bad));
	bad = l, bad.max_entries = THROTTLE_ENTRIES_LIMIT + 1;
	ck_assert_ptr_null(throttle_new(&bad));
	bad = l, bad.acct_base_ms = 0;
	ck_assert_ptr_null(throttle_new(&bad));
	bad = l, bad.acct_max_ms = l.acct_base_ms - 1;
	ck_assert_ptr_null(throttle_new(&bad));
	bad = l, bad.acct_forget_ms = l.acct_max_ms - 1;
	ck_assert_ptr_null(throttle_new(&bad));
	bad = l, bad.ip_burst = 0;
	ck_assert_ptr_null(throttle_new(&bad));
	bad = l, bad.ip_per_min = 0;
	ck_assert_ptr_null(throttle_new(&bad));
	throttle_free(NULL);
}
END_TEST

START_TEST(free_failures_then_doubling_to_cap)
{
	static const long	 want[] = { 1000, 2000, 4000, 8000, 16000,
	    32000, 60000, 60000, 60000 };
	struct throttle		*t = new_default();
	double			 now = 0;
	size_t			 i;

	for (i = 0; i < 5; i++)
		ck_assert_int_eq(attempt_fail(t, "alice@example.org", now), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(attempt_fail(t, "alice@example.org", now), 0);
		ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT,
		    "alice@example.org", now), want[i]);
		ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT,
		    "alice@example.org", now + 250.5), want[i] - 250);
		ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT,
		    "alice@example.org", now + (double)want[i] - 1), 1);
		now += (double)want[i];
	}
	throttle_free(t);
}
END_TEST

START_TEST(failures_without_checks_count_the_same)
{
	struct throttle	*t = new_default();
	int		 i;

	for (i = 0; i < 8; i++)
		throttle_failure(t, THROTTLE_ACCOUNT, "bob", 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "bob", 0), 4000);
	/* A failure reported while waiting still counts. */
	throttle_failure(t, THROTTLE_ACCOUNT, "bob", 10);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "bob", 10), 8000);
	throttle_free(t);
}
END_TEST

START_TEST(success_resets)
{
	struct throttle	*t = new_default();
	int		 i;

	for (i = 0; i < 7; i++)
		throttle_failure(t, THROTTLE_ACCOUNT, "carol", 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "carol", 0), 2000);
	ck_assert_uint_eq(throttle_count(t), 1);
	throttle_success(t, THROTTLE_ACCOUNT, "carol");
	ck_assert_uint_eq(throttle_count(t), 0);
	/* The same second: five free failures again, then 1 s. */
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(attempt_fail(t, "carol", 0), 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "carol", 0), 1000);
	/* An allowed check followed by success leaves nothing behind. */
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "dave", 0), 0);
	throttle_success(t, THROTTLE_ACCOUNT, "dave");
	ck_assert_uint_eq(throttle_count(t), 1);
	/* Success for an unknown account or an address is harmless. */
	throttle_success(t, THROTTLE_ACCOUNT, "nobody");
	throttle_success(t, THROTTLE_IP, "carol");
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "carol", 0), 1000);
	throttle_free(t);
}
END_TEST

START_TEST(quiet_period_forgets)
{
	struct throttle	*t = new_default();
	int		 i;

	for (i = 0; i < 8; i++) {
		throttle_failure(t, THROTTLE_ACCOUNT, "quiet", 0);
		throttle_failure(t, THROTTLE_ACCOUNT, "noisy", 0);
	}
	/* Just before the quiet period ends the count is still there. */
	throttle_failure(t, THROTTLE_ACCOUNT, "noisy", FORGET_MS - 1);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "noisy",
	    FORGET_MS - 1), 8000);
	/* After it, a failure is the first again. */
	throttle_failure(t, THROTTLE_ACCOUNT, "quiet", FORGET_MS);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "quiet",
	    FORGET_MS), 0);
	throttle_failure(t, THROTTLE_ACCOUNT, "quiet", FORGET_MS);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(attempt_fail(t, "quiet", FORGET_MS), 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "quiet",
	    FORGET_MS), 1000);
	/* The quiet period runs from the last failure, not the first. */
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "noisy",
	    2 * FORGET_MS - 2), 0);
	throttle_failure(t, THROTTLE_ACCOUNT, "noisy", 2 * FORGET_MS - 2);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "noisy",
	    2 * FORGET_MS - 2), 16000);
	throttle_free(t);
}
END_TEST

START_TEST(keys_are_independent)
{
	struct throttle	*t = new_default();
	int		 i;

	for (i = 0; i < 40; i++)
		throttle_failure(t, THROTTLE_ACCOUNT, "eve@example.org", 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT,
	    "eve@example.org", 0), 60000);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT,
	    "frank@example.org", 0), 0);
	/* Keys are compared exactly: callers normalise. */
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT,
	    "Eve@example.org", 0), 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "", 0), 0);
	/* The same string as an address is another entry. */
	for (i = 0; i < 30; i++)
		ck_assert_int_eq(throttle_check(t, THROTTLE_IP,
		    "eve@example.org", 0), 0);
	ck_assert_int_gt(throttle_check(t, THROTTLE_IP, "eve@example.org", 0),
	    0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT,
	    "eve@example.org", 0), 60000);
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, "192.0.2.1", 0), 0);
	throttle_free(t);
}
END_TEST

START_TEST(ip_bucket_burst_then_rate)
{
	struct throttle	*t = new_default();
	const char	*ip = "2001:db8::1";
	int		 i;

	for (i = 0; i < 30; i++)
		ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip, 0), 0);
	/* 20 a minute: one token every 3 s. */
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip, 0), 3000);
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip, 1500), 1500);
	/* Failures and successes do not change an address's bucket. */
	throttle_failure(t, THROTTLE_IP, ip, 1500);
	throttle_success(t, THROTTLE_IP, ip);
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip, 1500), 1500);
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip, 3000), 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip, 3000), 3000);
	/* A quiet minute gives 20 attempts back. */
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip,
		    3000 + MIN_MS), 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip, 3000 + MIN_MS),
	    3000);
	/* A long quiet fills the bucket, never past the burst. */
	for (i = 0; i < 30; i++)
		ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip,
		    100 * MIN_MS), 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip, 100 * MIN_MS),
	    3000);
	/* A clock reading older than the bucket's never takes tokens. */
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip, 50 * MIN_MS),
	    3000);
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, ip,
	    100 * MIN_MS + 3000), 0);
	throttle_free(t);
}
END_TEST

START_TEST(table_is_bounded_and_evicts_oldest)
{
	struct throttle_limits	 l;
	struct throttle		*t;
	char			 key[32];
	int			 i;

	throttle_limits_default(&l);
	l.max_entries = 1000;
	l.acct_free = 0;	/* one failure shows whether a key is held */
	ck_assert_ptr_nonnull(t = throttle_new(&l));
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "user%d@example.org", i);
		throttle_failure(t, THROTTLE_ACCOUNT, key, 0);
		ck_assert_uint_le(throttle_count(t), 1000);
	}
	ck_assert_uint_eq(throttle_count(t), 1000);
	/* The newest 1000 are held (a refused check adds nothing)... */
	for (i = 99000; i < 100000; i++) {
		snprintf(key, sizeof(key), "user%d@example.org", i);
		ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, key, 0),
		    1000);
	}
	/* ...and the older ones are gone. */
	for (i = 0; i < 99000; i += 9900) {
		snprintf(key, sizeof(key), "user%d@example.org", i);
		ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, key, 0),
		    0);
	}
	ck_assert_uint_eq(throttle_count(t), 1000);
	throttle_free(t);
}
END_TEST

START_TEST(eviction_follows_last_activity)
{
	struct throttle_limits	 l;
	struct throttle		*t;

	throttle_limits_default(&l);
	l.max_entries = 4;
	l.acct_free = 0;
	ck_assert_ptr_nonnull(t = throttle_new(&l));
	throttle_failure(t, THROTTLE_ACCOUNT, "a", 0);
	throttle_failure(t, THROTTLE_ACCOUNT, "b", 0);
	throttle_failure(t, THROTTLE_ACCOUNT, "c", 0);
	throttle_failure(t, THROTTLE_ACCOUNT, "d", 0);
	/* A refused attempt on "a" is activity: "b" is now the oldest. */
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "a", 0), 1000);
	throttle_failure(t, THROTTLE_ACCOUNT, "e", 0);
	ck_assert_uint_eq(throttle_count(t), 4);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "a", 0), 1000);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "c", 0), 1000);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "d", 0), 1000);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "e", 0), 1000);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "b", 0), 0);
	/* Address buckets share the table and its order. */
	ck_assert_int_eq(throttle_check(t, THROTTLE_IP, "192.0.2.7", 0), 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "a", 0), 0);
	ck_assert_uint_eq(throttle_count(t), 4);
	throttle_free(t);
}
END_TEST

/*
 * The price of bounded memory: once pushed out, an account has its free
 * failures again.  Pushing it out takes max_entries new entries, each an
 * attempt the address buckets meter; size max_entries for that.
 */
START_TEST(evicted_account_starts_clean)
{
	struct throttle_limits	 l;
	struct throttle		*t;
	int			 i;

	throttle_limits_default(&l);
	l.max_entries = 3;
	ck_assert_ptr_nonnull(t = throttle_new(&l));
	for (i = 0; i < 10; i++)
		throttle_failure(t, THROTTLE_ACCOUNT, "victim", 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "victim", 0),
	    16000);
	throttle_failure(t, THROTTLE_ACCOUNT, "x1", 0);
	throttle_failure(t, THROTTLE_ACCOUNT, "x2", 0);
	ck_assert_uint_eq(throttle_count(t), 3);
	throttle_failure(t, THROTTLE_ACCOUNT, "x3", 0);
	ck_assert_uint_eq(throttle_count(t), 3);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(attempt_fail(t, "victim", 0), 0);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT, "victim", 0),
	    1000);
	throttle_free(t);
}
END_TEST

struct hammer {
	struct throttle		*t;
	enum throttle_kind	 kind;
	const char		*key;	/* NULL: a distinct key per call */
	int			 fail;	/* call throttle_failure, not check */
	int			 n;
	int			 seed;
	int			 allowed;
};

static void *
hammer_run(void *arg)
{
	struct hammer	*h = arg;
	char		 buf[48];
	const char	*key;
	int		 i;

	for (i = 0; i < h->n; i++) {
		key = h->key;
		if (key == NULL) {
			snprintf(buf, sizeof(buf), "t%d-%d", h->seed, i % 500);
			key = buf;
		}
		if (h->fail)
			throttle_failure(h->t, h->kind, key, 0);
		else if (throttle_check(h->t, h->kind, key, i) == 0)
			h->allowed++;
		if (h->key == NULL && i % 7 == 0)
			throttle_success(h->t, h->kind, key);
	}
	return NULL;
}

/* Run nthreads copies of proto; the allowed counts, summed. */
static int
hammer(const struct hammer *proto, int nthreads)
{
	struct hammer	h[4];
	pthread_t	tid[4];
	int		i, sum = 0;

	ck_assert_int_le(nthreads, 4);
	for (i = 0; i < nthreads; i++) {
		h[i] = *proto;
		h[i].seed = i;
		ck_assert_int_eq(pthread_create(&tid[i], NULL, hammer_run,
		    &h[i]), 0);
	}
	for (i = 0; i < nthreads; i++) {
		ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
		sum += h[i].allowed;
	}
	return sum;
}

START_TEST(concurrent_failures_are_all_counted)
{
	struct throttle_limits	 l;
	struct throttle		*t;
	struct hammer		 h = { 0 };

	/* 2 x 20000 failures: exactly the first beyond the free ones. */
	throttle_limits_default(&l);
	l.acct_free = 2 * 20000 - 1;
	ck_assert_ptr_nonnull(t = throttle_new(&l));
	h.t = t;
	h.kind = THROTTLE_ACCOUNT;
	h.key = "shared@example.org";
	h.fail = 1;
	h.n = 20000;
	hammer(&h, 2);
	ck_assert_int_eq(throttle_check(t, THROTTLE_ACCOUNT,
	    "shared@example.org", 0), 1000);
	ck_assert_uint_eq(throttle_count(t), 1);
	throttle_free(t);
}
END_TEST

START_TEST(concurrent_checks_share_one_opening)
{
	struct throttle	*t = new_default();
	struct hammer	 h = { 0 };

	/* All at (nearly) the same time: the free failures plus one. */
	h.t = t;
	h.kind = THROTTLE_ACCOUNT;
	h.key = "target@example.org";
	h.n = 500;
	ck_assert_int_eq(hammer(&h, 2), 5 + 1);
	/* And the address bucket hands out its burst, not more; the calls
	 * span 0..499 ms, in which no whole token comes back. */
	h.kind = THROTTLE_IP;
	h.key = "198.51.100.9";
	ck_assert_int_eq(hammer(&h, 2), 30);
	throttle_free(t);
}
END_TEST

START_TEST(concurrent_churn_stays_bounded)
{
	struct throttle_limits	 l;
	struct throttle		*t;
	struct hammer		 h = { 0 };

	throttle_limits_default(&l);
	l.max_entries = 64;
	ck_assert_ptr_nonnull(t = throttle_new(&l));
	h.t = t;
	h.n = 20000;
	h.kind = THROTTLE_ACCOUNT;
	h.fail = 1;
	hammer(&h, 4);
	ck_assert_uint_le(throttle_count(t), 64);
	h.fail = 0;
	hammer(&h, 4);
	h.kind = THROTTLE_IP;
	hammer(&h, 4);
	ck_assert_uint_eq(throttle_count(t), 64);
	throttle_free(t);
}
END_TEST

static Suite *
throttle_suite(void)
{
	Suite	*s = suite_create("throttle");
	TCase	*tc = tcase_create("throttle");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, defaults_and_bounds);
	tcase_add_test(tc, free_failures_then_doubling_to_cap);
	tcase_add_test(tc, failures_without_checks_count_the_same);
	tcase_add_test(tc, success_resets);
	tcase_add_test(tc, quiet_period_forgets);
	tcase_add_test(tc, keys_are_independent);
	tcase_add_test(tc, ip_bucket_burst_then_rate);
	tcase_add_test(tc, table_is_bounded_and_evicts_oldest);
	tcase_add_test(tc, eviction_follows_last_activity);
	tcase_add_test(tc, evicted_account_starts_clean);
	tcase_add_test(tc, concurrent_failures_are_all_counted);
	tcase_add_test(tc, concurrent_checks_share_one_opening);
	tcase_add_test(tc, concurrent_churn_stays_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(throttle_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
