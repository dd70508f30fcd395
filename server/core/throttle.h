/*
 * throttle.h: sign-in throttling (OWASP ASVS 5.0 V6.3, anti-automation)
 * per account and per client address, in memory, for one councild process.
 *
 * Accounts: the first acct_free failures cost nothing; each failure after
 * that makes the account wait acct_base_ms, doubling up to acct_max_ms.
 * The cap is what keeps an attacker from locking a victim out for long:
 * no wait is longer than acct_max_ms after the last failure.  An account
 * with no failure for acct_forget_ms is forgotten.  Addresses: a token
 * bucket of ip_burst attempts refilled at ip_per_min a minute; every
 * attempt takes a token, successful or not.
 *
 * An attempt on an account that throttle_check lets through is counted as
 * a failure at once (a reservation) and cleared by throttle_success, so
 * that many concurrent requests cannot all pass through the same opening;
 * the throttle_failure that follows does not count it twice.
 *
 * Keys are never held in clear: an entry is named by SHA-256(secret ||
 * kind || key), with a secret drawn per table by RAND_bytes, so that nobody
 * can aim keys at one hash chain.  The table is preallocated for
 * max_entries; when it is full the entry with the oldest last activity is
 * evicted.  That bounds memory at a price: an evicted account starts clean,
 * so someone who makes max_entries new entries in a row earns back the free
 * failures of the accounts he pushed out (every new entry costs an attempt,
 * which the address buckets meter).  Size the table well above the number
 * of accounts and addresses active within acct_forget_ms.
 *
 * Per sign-in attempt, with now from util_now_ms():
 *	wait = throttle_check(t, THROTTLE_IP, addr, now);
 *	if (wait == 0)
 *		wait = throttle_check(t, THROTTLE_ACCOUNT, email, now);
 *	if (wait > 0)		refuse without hashing ("try again in ...")
 *	else if (right)		throttle_success(t, THROTTLE_ACCOUNT, email);
 *	else			throttle_failure(t, THROTTLE_ACCOUNT, email, now);
 * Check the address first, so that refused attempts do not reserve the
 * account.  Normalise the account key as the sign-in lookup does (e.g. case
 * folding), and record failures for unknown accounts too, so that the
 * delays do not tell which accounts exist.
 *
 * Every function is thread-safe (one mutex per table).
 */
#ifndef COUNCIL_THROTTLE_H
#define COUNCIL_THROTTLE_H

#include <stddef.h>

#define THROTTLE_MAX_ENTRIES		65536
#define THROTTLE_ACCT_FREE		5
#define THROTTLE_ACCT_BASE_MS		1000L
#define THROTTLE_ACCT_MAX_MS		60000L
#define THROTTLE_ACCT_FORGET_MS		(15 * 60 * 1000L)
#define THROTTLE_IP_BURST		30
#define THROTTLE_IP_PER_MIN		20
#define THROTTLE_ENTRIES_LIMIT		(1UL << 24)	/* max_entries bound */

enum throttle_kind { THROTTLE_ACCOUNT, THROTTLE_IP };

struct throttle_limits {
	size_t		max_entries;	/* 1..THROTTLE_ENTRIES_LIMIT */
	unsigned	acct_free;	/* failures before any delay */
	long		acct_base_ms;	/* first delay, >= 1 */
	long		acct_max_ms;	/* delay cap, >= acct_base_ms */
	long		acct_forget_ms;	/* quiet time, >= acct_max_ms */
	unsigned	ip_burst;	/* bucket size, >= 1 */
	unsigned	ip_per_min;	/* refill rate, >= 1 */
};

struct throttle;

/* Fill l with the THROTTLE_* defaults above. */
void		 throttle_limits_default(struct throttle_limits *l);

/* A new empty table with a copy of l, all of its memory allocated now.
 * NULL if l is out of bounds or the secret could not be drawn. */
struct throttle	*throttle_new(const struct throttle_limits *l);

/* Free t; accepts NULL. */
void		 throttle_free(struct throttle *t);

/* 0 if an attempt for key may proceed at now_ms, else the milliseconds to
 * wait (>= 1).  When it returns 0 it also counts the attempt: an address
 * loses a token, an account takes a reservation (see above). */
long		 throttle_check(struct throttle *t, enum throttle_kind kind,
		    const char *key, double now_ms);

/* Record a failed attempt at now_ms.  For an account: one more failure
 * (unless it settles a reservation) and the next allowed time set from
 * the count.  For an address nothing: throttle_check counted it. */
void		 throttle_failure(struct throttle *t, enum throttle_kind kind,
		    const char *key, double now_ms);

/* Forget an account's failures and reservations; nothing for an address. */
void		 throttle_success(struct throttle *t, enum throttle_kind kind,
		    const char *key);

/* Number of entries held (at most max_entries).  For tests and metrics. */
size_t		 throttle_count(struct throttle *t);

#endif
