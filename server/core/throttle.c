/*
 * throttle.c: sign-in throttling (see throttle.h for the contracts).
 *
 * The table is two preallocated arrays: slots for max_entries entries and
 * a power-of-two array of hash chain heads, both indexed by uint32_t with
 * THROTTLE_NIL for "none".  Entries in use are also on a doubly linked
 * list from newest to oldest activity, so eviction takes the tail in O(1);
 * free slots are linked through their chain field.  Nothing is allocated
 * after throttle_new, and the mutex is held only for lookups and
 * arithmetic: the digest is computed before taking it.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "throttle.h"
#include "util.h"

#define THROTTLE_NIL	UINT32_MAX
#define THROTTLE_ID_LEN	32		/* SHA-256 */

struct throttle_entry {
	unsigned char	id[THROTTLE_ID_LEN];
	uint32_t	chain;		/* next in hash chain or free list */
	uint32_t	newer, older;	/* activity list */
	union {
		struct {
			unsigned	fails;	/* reservations included */
			unsigned	pending; /* reservations unsettled */
			double		last_ms; /* last failure or reservation */
			double		next_ms; /* no attempt before this */
		} acct;
		struct {
			double		tokens;
			double		stamp_ms; /* tokens counted up to here */
		} ip;
	} u;
};

struct throttle {
	pthread_mutex_t		 lock;
	struct throttle_limits	 lim;
	unsigned char		 secret[32];
	struct throttle_entry	*ent;
	uint32_t		*bucket;
	uint32_t		 mask;		/* buckets - 1 */
	uint32_t		 newest, oldest;
	uint32_t		 free;
	size_t			 count;
};

void
throttle_limits_default(struct throttle_limits *l)
{
	l->max_entries = THROTTLE_MAX_ENTRIES;
	l->acct_free = THROTTLE_ACCT_FREE;
	l->acct_base_ms = THROTTLE_ACCT_BASE_MS;
	l->acct_max_ms = THROTTLE_ACCT_MAX_MS;
	l->acct_forget_ms = THROTTLE_ACCT_FORGET_MS;
	l->ip_burst = THROTTLE_IP_BURST;
	l->ip_per_min = THROTTLE_IP_PER_MIN;
}

static int
throttle_limits_ok(const struct throttle_limits *l)
{
	return l->max_entries >= 1 &&
	    l->max_entries <= THROTTLE_ENTRIES_LIMIT &&
	    l->acct_base_ms >= 1 && l->acct_max_ms >= l->acct_base_ms &&
	    l->acct_forget_ms >= l->acct_max_ms &&
	    l->ip_burst >= 1 && l->ip_per_min >= 1;
}

struct throttle *
throttle_new(const struct throttle_limits *l)
{
	struct throttle	*t;
	size_t		 nbuckets, i;

	if (!throttle_limits_ok(l))
		return NULL;
	t = xcalloc(1, sizeof(*t));
	if (RAND_bytes(t->secret, sizeof(t->secret)) != 1 ||
	    pthread_mutex_init(&t->lock, NULL) != 0) {
		OPENSSL_cleanse(t->secret, sizeof(t->secret));
		free(t);
		return NULL;
	}
	t->lim = *l;
	for (nbuckets = 1; nbuckets < l->max_entries; nbuckets *= 2)
		;
	t->mask = (uint32_t)(nbuckets - 1);
	t->bucket = xcalloc(nbuckets, sizeof(*t->bucket));
	for (i = 0; i < nbuckets; i++)
		t->bucket[i] = THROTTLE_NIL;
	t->ent = xcalloc(l->max_entries, sizeof(*t->ent));
	for (i = 0; i < l->max_entries; i++)
		t->ent[i].chain = i + 1 < l->max_entries ?
		    (uint32_t)(i + 1) : THROTTLE_NIL;
	t->free = 0;
	t->newest = t->oldest = THROTTLE_NIL;
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	OPENSSL_cleanse(t->secret, sizeof(t->secret));
	free(t->ent);
	free(t->bucket);
	free(t);
}

/* id = SHA-256(secret || kind || key). */
static void
throttle_id(const struct throttle *t, enum throttle_kind kind,
    const char *key, unsigned char *id)
{
	EVP_MD_CTX	*ctx;
	unsigned char	 k = (unsigned char)kind;
	unsigned int	 len = 0;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatal("SHA-256 failed");
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, t->secret, sizeof(t->secret)) == 1 &&
	    EVP_DigestUpdate(ctx, &k, 1) == 1 &&
	    EVP_DigestUpdate(ctx, key, strlen(key)) == 1 &&
	    EVP_DigestFinal_ex(ctx, id, &len) == 1 && len == THROTTLE_ID_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		fatal("SHA-256 failed");
}

static uint32_t
throttle_bucket(const struct throttle *t, const unsigned char *id)
{
	uint32_t	h;

	memcpy(&h, id, sizeof(h));
	return h & t->mask;
}

/* The rest of the static functions expect the lock held. */

static uint32_t
throttle_find(const struct throttle *t, const unsigned char *id)
{
	uint32_t	i;

	for (i = t->bucket[throttle_bucket(t, id)]; i != THROTTLE_NIL;
	    i = t->ent[i].chain)
		if (memcmp(t->ent[i].id, id, THROTTLE_ID_LEN) == 0)
			return i;
	return THROTTLE_NIL;
}

static void
throttle_unlink(struct throttle *t, uint32_t i)
{
	struct throttle_entry	*e = &t->ent[i];

	if (e->newer != THROTTLE_NIL)
		t->ent[e->newer].older = e->older;
	else
		t->newest = e->older;
	if (e->older != THROTTLE_NIL)
		t->ent[e->older].newer = e->newer;
	else
		t->oldest = e->newer;
}

static void
throttle_push(struct throttle *t, uint32_t i)
{
	struct throttle_entry	*e = &t->ent[i];

	e->newer = THROTTLE_NIL;
	e->older = t->newest;
	if (t->newest != THROTTLE_NIL)
		t->ent[t->newest].newer = i;
	else
		t->oldest = i;
	t->newest = i;
}

/* Mark i as the most recently active entry. */
static void
throttle_touch(struct throttle *t, uint32_t i)
{
	if (t->newest == i)
		return;
	throttle_unlink(t, i);
	throttle_push(t, i);
}

/* Drop entry i: off its chain and the activity list, onto the free list. */
static void
throttle_remove(struct throttle *t, uint32_t i)
{
	struct throttle_entry	*e = &t->ent[i];
	uint32_t		*p;

	for (p = &t->bucket[throttle_bucket(t, e->id)]; *p != i;
	    p = &t->ent[*p].chain)
		;
	*p = e->chain;
	throttle_unlink(t, i);
	memset(e, 0, sizeof(*e));
	e->chain = t->free;
	t->free = i;
	t->count--;
}

/* A new zeroed entry named id, evicting the oldest if the table is full. */
static uint32_t
throttle_insert(struct throttle *t, const unsigned char *id)
{
	struct throttle_entry	*e;
	uint32_t		 i, b;

	if (t->free == THROTTLE_NIL)
		throttle_remove(t, t->oldest);
	i = t->free;
	e = &t->ent[i];
	t->free = e->chain;
	memcpy(e->id, id, THROTTLE_ID_LEN);
	b = throttle_bucket(t, id);
	e->chain = t->bucket[b];
	t->bucket[b] = i;
	throttle_push(t, i);
	t->count++;
	return i;
}

/* Delay after the n-th failure beyond the free ones (n >= 1). */
static long
throttle_delay(const struct throttle_limits *l, unsigned n)
{
	long		d = l->acct_base_ms;
	unsigned	k;

	for (k = 1; k < n && d < l->acct_max_ms; k++)
		d = d > l->acct_max_ms / 2 ? l->acct_max_ms : d * 2;
	return d < l->acct_max_ms ? d : l->acct_max_ms;
}

/* Milliseconds from now to until, rounded up, at least 1. */
static long
throttle_wait(double now, double until)
{
	double	d = until - now;
	long	w;

	if (d > (double)LONG_MAX)
		return LONG_MAX;
	w = (long)d;
	if ((double)w < d)
		w++;
	return w < 1 ? 1 : w;
}

/* The account entry for id, created if absent, forgotten if quiet. */
static struct throttle_entry *
throttle_account(struct throttle *t, const unsigned char *id, double now)
{
	struct throttle_entry	*e;
	uint32_t		 i;

	if ((i = throttle_find(t, id)) == THROTTLE_NIL)
		i = throttle_insert(t, id);
	else
		throttle_touch(t, i);
	e = &t->ent[i];
	if (e->u.acct.fails > 0 &&
	    now - e->u.acct.last_ms >= (double)t->lim.acct_forget_ms)
		memset(&e->u.acct, 0, sizeof(e->u.acct));
	return e;
}

/* Count one failure (a new one, or a reservation if settle) at now. */
static void
throttle_fail(struct throttle *t, struct throttle_entry *e, double now,
    int settle)
{
	double	next;

	if (settle && e->u.acct.pending > 0)
		e->u.acct.pending--;
	else if (e->u.acct.fails < UINT_MAX)
		e->u.acct.fails++;
	/* Other threads may hold an earlier now: never move time back. */
	if (now > e->u.acct.last_ms)
		e->u.acct.last_ms = now;
	if (e->u.acct.fails <= t->lim.acct_free)
		return;
	next = now + (double)throttle_delay(&t->lim,
	    e->u.acct.fails - t->lim.acct_free);
	if (next > e->u.acct.next_ms)
		e->u.acct.next_ms = next;
}

static long
throttle_check_account(struct throttle *t, const unsigned char *id,
    double now)
{
	struct throttle_entry	*e = throttle_account(t, id, now);

	if (now < e->u.acct.next_ms)
		return throttle_wait(now, e->u.acct.next_ms);
	throttle_fail(t, e, now, 0);
	if (e->u.acct.pending < UINT_MAX)
		e->u.acct.pending++;
	return 0;
}

static long
throttle_check_ip(struct throttle *t, const unsigned char *id, double now)
{
	struct throttle_entry	*e;
	uint32_t		 i;
	double			 burst = (double)t->lim.ip_burst;
	double			 per_min = (double)t->lim.ip_per_min;

	if ((i = throttle_find(t, id)) == THROTTLE_NIL) {
		i = throttle_insert(t, id);
		t->ent[i].u.ip.tokens = burst;
		t->ent[i].u.ip.stamp_ms = now;
	} else
		throttle_touch(t, i);
	e = &t->ent[i];
	if (now > e->u.ip.stamp_ms) {
		e->u.ip.tokens += (now - e->u.ip.stamp_ms) * per_min /
		    60000.0;
		if (e->u.ip.tokens > burst)
			e->u.ip.tokens = burst;
		e->u.ip.stamp_ms = now;
	}
	if (e->u.ip.tokens >= 1.0) {
		e->u.ip.tokens -= 1.0;
		return 0;
	}
	return throttle_wait(0.0, (1.0 - e->u.ip.tokens) * 60000.0 / per_min);
}

long
throttle_check(struct throttle *t, enum throttle_kind kind, const char *key,
    double now_ms)
{
	unsigned char	id[THROTTLE_ID_LEN];
	long		wait;

	throttle_id(t, kind, key, id);
	pthread_mutex_lock(&t->lock);
	if (kind == THROTTLE_ACCOUNT)
		wait = throttle_check_account(t, id, now_ms);
	else
		wait = throttle_check_ip(t, id, now_ms);
	pthread_mutex_unlock(&t->lock);
	return wait;
}

void
throttle_failure(struct throttle *t, enum throttle_kind kind,
    const char *key, double now_ms)
{
	unsigned char	id[THROTTLE_ID_LEN];

	if (kind != THROTTLE_ACCOUNT)
		return;
	throttle_id(t, kind, key, id);
	pthread_mutex_lock(&t->lock);
	throttle_fail(t, throttle_account(t, id, now_ms), now_ms, 1);
	pthread_mutex_unlock(&t->lock);
}

void
throttle_success(struct throttle *t, enum throttle_kind kind,
    const char *key)
{
	unsigned char	id[THROTTLE_ID_LEN];
	uint32_t	i;

	if (kind != THROTTLE_ACCOUNT)
		return;
	throttle_id(t, kind, key, id);
	pthread_mutex_lock(&t->lock);
	if ((i = throttle_find(t, id)) != THROTTLE_NIL)
		throttle_remove(t, i);
	pthread_mutex_unlock(&t->lock);
}

size_t
throttle_count(struct throttle *t)
{
	size_t	n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}
