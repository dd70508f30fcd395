/*
 * metrics.c: councild's counters and their Prometheus exposition (see
 * metrics.h; docs/metrics.md lists every metric).
 *
 * Everything lives in the one struct mx, guarded by mx.mu: the route
 * slots (one per distinct pattern of the route table, and "other"), a
 * histogram per slot, an open-addressed hash table of (slot, method,
 * status) counters with their order of first sight, the clock's jobs.
 * metrics_init allocates it all; counting a request or a clock round
 * only finds its place and adds.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "log.h"
#include "metrics.h"
#include "util.h"

/* Slots of the series' hash table: twice the series, so that probes
 * stay short when it is full. */
#define METRICS_HASH_SLOTS	(2 * METRICS_SERIES_MAX)
#define METRICS_STATUS_MAX	999

static const double metrics_bounds[METRICS_NBUCKETS] = METRICS_BUCKETS;

/* The method label: these, or "other" (the last). */
static const char *const metrics_methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"
};
#define METRICS_NMETHODS	UTIL_ARRAY_LEN(metrics_methods)

static const char *const metrics_outcomes[] = { "ran", "skipped", "failed" };

struct metrics_hist {
	unsigned long long	bucket[METRICS_NBUCKETS + 1];	/* not cumulative */
	unsigned long long	count;
	double			sum;		/* seconds */
};

/* One counter of requests: key 0 is a free slot (see metrics_key). */
struct metrics_series {
	uint32_t		key;
	unsigned long long	n;
};

struct metrics_job {
	char			name[METRICS_JOB_NAME_MAX + 1];
	unsigned long long	runs[UTIL_ARRAY_LEN(metrics_outcomes)];
	unsigned long long	items;
	double			last_success;	/* Unix time, 0: never */
	double			last_seconds;	/* the last round's duration */
};

static struct {
	pthread_mutex_t		 mu;
	int			 ready;
	/* Route slots: pattern[0..npat), then "other" at npat. */
	const char		**pattern;
	size_t			 npat;
	size_t			*slot_of_row;	/* the table's row -> slot */
	size_t			 nrows;
	struct metrics_hist	*hist;		/* npat + 1 */
	struct metrics_series	*series;	/* METRICS_HASH_SLOTS */
	uint32_t		*order;		/* indexes into series, as first seen */
	size_t			 nseries;
	unsigned long long	 overflow;
	struct metrics_job	 jobs[METRICS_JOBS_MAX];
	size_t			 njobs;
	int			 jobs_warned;
	char			 version[64];
	double			 start_time;
	int			 token_set;
	char			 token_sha[65];	/* hex SHA-256 of the token */
} mx = { .mu = PTHREAD_MUTEX_INITIALIZER };

static double
metrics_unix_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* mx's tables freed and its state back to nothing; mx.mu is held. */
static void
metrics_clear(void)
{
	free(mx.pattern);
	free(mx.slot_of_row);
	free(mx.hist);
	free(mx.series);
	free(mx.order);
	mx.pattern = NULL;
	mx.slot_of_row = NULL;
	mx.hist = NULL;
	mx.series = NULL;
	mx.order = NULL;
	mx.npat = mx.nrows = mx.nseries = mx.njobs = 0;
	mx.overflow = 0;
	mx.jobs_warned = 0;
	memset(mx.jobs, 0, sizeof(mx.jobs));
	OPENSSL_cleanse(mx.token_sha, sizeof(mx.token_sha));
	mx.token_set = 0;
	mx.ready = 0;
}

/*
 * Read the scrape token of path into the hex SHA-256 sha (65 bytes):
 * refused unless the file is regular, ours and nobody else's, and holds
 * one token of METRICS_TOKEN_MIN..MAX visible ASCII characters (then a
 * newline at most).  The token itself is wiped.  Returns 0, or -1 with
 * err.
 */
static int
metrics_read_token(const char *path, char *sha, char *err, size_t errlen)
{
	struct stat	st;
	char		tok[METRICS_TOKEN_MAX + 3];
	size_t		len = 0, i;
	ssize_t		r;
	int		fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		util_errf(err, errlen, "metrics_token_file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	/* The checks are on the file that is open: no race with a rename. */
	if (fstat(fd, &st) == -1) {
		util_errf(err, errlen, "metrics_token_file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		util_errf(err, errlen, "metrics_token_file %s: not a regular "
		    "file", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		util_errf(err, errlen, "metrics_token_file %s: owned by uid %u, "
		    "not by councild's user (uid %u)", path,
		    (unsigned)st.st_uid, (unsigned)geteuid());
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		util_errf(err, errlen, "metrics_token_file %s: mode %04o lets "
		    "group or others read it; chmod 600", path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(tok) - 1) {
		r = read(fd, tok + len, sizeof(tok) - 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			util_errf(err, errlen, "metrics_token_file %s: %s",
			    path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > 0 && tok[len - 1] == '\n')
		len--;
	if (len > 0 && tok[len - 1] == '\r')
		len--;
	for (i = 0; i < len; i++)
		if ((unsigned char)tok[i] < 0x21 || (unsigned char)tok[i] > 0x7e)
			break;
	if (i < len || len < METRICS_TOKEN_MIN || len > METRICS_TOKEN_MAX) {
		util_errf(err, errlen, "metrics_token_file %s: must hold one "
		    "token of %d to %d visible ASCII characters (and a newline "
		    "at most)", path, METRICS_TOKEN_MIN, METRICS_TOKEN_MAX);
		goto out;
	}
	util_sha256_hex(tok, len, sha);
	rc = 0;
out:
	OPENSSL_cleanse(tok, sizeof(tok));
	close(fd);
	return rc;
}

int
metrics_init(const char *const *patterns, size_t n, const char *version,
    const char *token_file, char *err, size_t errlen)
{
	char	sha[65];
	int	token_set = 0;
	size_t	i, k;

	if (token_file != NULL && token_file[0] != '\0') {
		if (metrics_read_token(token_file, sha, err, errlen) == -1)
			return -1;
		token_set = 1;
	}
	pthread_mutex_lock(&mx.mu);
	metrics_clear();
	mx.pattern = xcalloc(n + 1, sizeof(*mx.pattern));
	mx.slot_of_row = xcalloc(n + 1, sizeof(*mx.slot_of_row));
	for (i = 0; i < n; i++) {
		for (k = 0; k < mx.npat; k++)
			if (strcmp(mx.pattern[k], patterns[i]) == 0)
				break;
		if (k == mx.npat)
			mx.pattern[mx.npat++] = patterns[i];
		mx.slot_of_row[i] = k;
	}
	mx.nrows = n;
	mx.pattern[mx.npat] = "other";
	mx.hist = xcalloc(mx.npat + 1, sizeof(*mx.hist));
	mx.series = xcalloc(METRICS_HASH_SLOTS, sizeof(*mx.series));
	mx.order = xcalloc(METRICS_SERIES_MAX, sizeof(*mx.order));
	snprintf(mx.version, sizeof(mx.version), "%s",
	    version != NULL ? version : "");
	mx.start_time = metrics_unix_now();
	if (token_set) {
		memcpy(mx.token_sha, sha, sizeof(mx.token_sha));
		mx.token_set = 1;
	}
	mx.ready = 1;
	pthread_mutex_unlock(&mx.mu);
	OPENSSL_cleanse(sha, sizeof(sha));
	return 0;
}

void
metrics_fini(void)
{
	pthread_mutex_lock(&mx.mu);
	metrics_clear();
	pthread_mutex_unlock(&mx.mu);
}

int
metrics_enabled(void)
{
	int	on;

	pthread_mutex_lock(&mx.mu);
	on = mx.token_set;
	pthread_mutex_unlock(&mx.mu);
	return on;
}

int
metrics_token_ok(const char *auth)
{
	char	want[65], got[65];
	size_t	len;
	int	ok;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return 0;
	auth += 7;
	while (*auth == ' ')
		auth++;
	len = strnlen(auth, METRICS_TOKEN_MAX + 1);
	/* Hashed whatever it is: the comparison is of equal lengths, in
	 * constant time, and tells nothing of the token's bytes. */
	util_sha256_hex(auth, len, got);
	pthread_mutex_lock(&mx.mu);
	ok = mx.token_set;
	memcpy(want, mx.token_sha, sizeof(want));
	pthread_mutex_unlock(&mx.mu);
	ok = ok && len >= METRICS_TOKEN_MIN && len <= METRICS_TOKEN_MAX &&
	    CRYPTO_memcmp(want, got, 64) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

size_t
metrics_bucket_of(double seconds)
{
	size_t	i;

	for (i = 0; i < METRICS_NBUCKETS; i++)
		if (seconds <= metrics_bounds[i])
			return i;
	return METRICS_NBUCKETS;
}

static size_t
metrics_method_of(const char *m)
{
	size_t	i;

	for (i = 0; m != NULL && i < METRICS_NMETHODS - 1; i++)
		if (strcmp(m, metrics_methods[i]) == 0)
			return i;
	return METRICS_NMETHODS - 1;
}

/* A series' key: never 0 (the free slot's). */
static uint32_t
metrics_key(size_t slot, size_t method, unsigned status)
{
	return (uint32_t)(slot + 1) << 13 | (uint32_t)method << 10 |
	    (uint32_t)status;
}

/* The counter of key, made when there is room; NULL when the table is
 * full.  mx.mu is held. */
static struct metrics_series *
metrics_series_of(uint32_t key)
{
	size_t	i = (size_t)((key * 2654435761u) % METRICS_HASH_SLOTS);

	for (;;) {
		if (mx.series[i].key == key)
			return &mx.series[i];
		if (mx.series[i].key == 0)
			break;
		i = (i + 1) % METRICS_HASH_SLOTS;
	}
	if (mx.nseries >= METRICS_SERIES_MAX)
		return NULL;
	mx.series[i].key = key;
	mx.order[mx.nseries++] = (uint32_t)i;
	return &mx.series[i];
}

void
metrics_request(size_t route, const char *method, unsigned status,
    double ms)
{
	struct metrics_series	*s;
	struct metrics_hist	*h;
	size_t			 slot;
	double			 secs = ms > 0 ? ms / 1000.0 : 0;

	if (status > METRICS_STATUS_MAX)
		status = 0;
	pthread_mutex_lock(&mx.mu);
	if (!mx.ready)
		goto out;
	slot = route < mx.nrows ? mx.slot_of_row[route] : mx.npat;
	h = &mx.hist[slot];
	h->bucket[metrics_bucket_of(secs)]++;
	h->count++;
	h->sum += secs;
	if ((s = metrics_series_of(metrics_key(slot, metrics_method_of(method),
	    status))) != NULL)
		s->n++;
	else
		mx.overflow++;
out:
	pthread_mutex_unlock(&mx.mu);
}

static int
metrics_job_name_ok(const char *job)
{
	size_t	i;

	if (job == NULL || job[0] == '\0')
		return 0;
	for (i = 0; job[i] != '\0'; i++) {
		if (i >= METRICS_JOB_NAME_MAX)
			return 0;
		if (!((job[i] >= 'a' && job[i] <= 'z') ||
		    (job[i] >= 'A' && job[i] <= 'Z') ||
		    (job[i] >= '0' && job[i] <= '9') ||
		    job[i] == '_' || job[i] == '.' || job[i] == '-'))
			return 0;
	}
	return 1;
}

void
metrics_clock(const char *job, int outcome, long items, double ms)
{
	struct metrics_job	*j = NULL;
	size_t			 i;
	int			 warn = 0;

	if (outcome < 0 || (size_t)outcome >= UTIL_ARRAY_LEN(metrics_outcomes))
		outcome = METRICS_CLOCK_FAILED;
	pthread_mutex_lock(&mx.mu);
	if (!mx.ready)
		goto out;
	if (!metrics_job_name_ok(job)) {
		warn = !mx.jobs_warned;
		mx.jobs_warned = 1;
		goto out;
	}
	for (i = 0; i < mx.njobs && j == NULL; i++)
		if (strcmp(mx.jobs[i].name, job) == 0)
			j = &mx.jobs[i];
	if (j == NULL && mx.njobs < METRICS_JOBS_MAX) {
		j = &mx.jobs[mx.njobs++];
		snprintf(j->name, sizeof(j->name), "%s", job);
	}
	if (j == NULL) {
		warn = !mx.jobs_warned;
		mx.jobs_warned = 1;
		goto out;
	}
	j->runs[outcome]++;
	j->last_seconds = ms > 0 ? ms / 1000.0 : 0;
	if (outcome == METRICS_CLOCK_RAN) {
		j->items += items > 0 ? (unsigned long long)items : 0;
		j->last_success = metrics_unix_now();
	}
out:
	pthread_mutex_unlock(&mx.mu);
	if (warn)
		log_warn("msg=\"a clock job is not counted\" job_len=%zu "
		    "reason=\"a bad name, or more than %d jobs\"",
		    job ? strlen(job) : 0, METRICS_JOBS_MAX);
}

void
metrics_label_value(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_puts(out, "\\\\");
		else if (*s == '"')
			buf_puts(out, "\\\"");
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_append(out, s, 1);
	}
}

/* A sample's value: integers as such, the rest as Prometheus reads
 * floats (+Inf, -Inf, NaN). */
static void
metrics_num(struct buf *out, double v)
{
	if (isnan(v))
		buf_puts(out, "NaN");
	else if (isinf(v))
		buf_puts(out, v > 0 ? "+Inf" : "-Inf");
	else
		buf_printf(out, "%.15g", v);
}

/* # HELP and # TYPE of a family. */
static void
metrics_family(struct buf *out, const char *name, const char *type,
    const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* name{label="value"} v: one sample with one label (label NULL: none). */
static void
metrics_sample1(struct buf *out, const char *name, const char *label,
    const char *value, double v)
{
	buf_puts(out, name);
	if (label != NULL) {
		buf_printf(out, "{%s=\"", label);
		metrics_label_value(out, value);
		buf_puts(out, "\"}");
	}
	buf_puts(out, " ");
	metrics_num(out, v);
	buf_puts(out, "\n");
}

/* The HTTP families; mx.mu is held. */
static void
metrics_render_http(struct buf *out)
{
	const struct metrics_series	*s;
	const struct metrics_hist	*h;
	unsigned long long		 cum;
	size_t				 i, b, slot, method;

	metrics_family(out, "council_http_requests_total", "counter",
	    "Requests answered, by route pattern (route table; other: no "
	    "route), method and status (0: none sent).");
	for (i = 0; i < mx.nseries; i++) {
		s = &mx.series[mx.order[i]];
		slot = (s->key >> 13) - 1;
		method = (s->key >> 10) & 7;
		buf_puts(out, "council_http_requests_total{route=\"");
		metrics_label_value(out, mx.pattern[slot]);
		buf_printf(out, "\",method=\"%s\",status=\"%u\"} %llu\n",
		    metrics_methods[method], (unsigned)(s->key & 1023), s->n);
	}
	metrics_family(out, "council_metrics_series_overflow_total",
	    "counter", "Requests not in council_http_requests_total: its "
	    "table of series was full.");
	buf_printf(out, "council_metrics_series_overflow_total %llu\n",
	    mx.overflow);
	metrics_family(out, "council_http_request_duration_seconds",
	    "histogram", "Time from a request's first byte to its end, by "
	    "route pattern.");
	for (slot = 0; slot <= mx.npat; slot++) {
		h = &mx.hist[slot];
		if (h->count == 0)
			continue;
		for (b = 0, cum = 0; b <= METRICS_NBUCKETS; b++) {
			cum += h->bucket[b];
			buf_puts(out, "council_http_request_duration_seconds_"
			    "bucket{route=\"");
			metrics_label_value(out, mx.pattern[slot]);
			buf_puts(out, "\",le=\"");
			if (b < METRICS_NBUCKETS)
				buf_printf(out, "%g", metrics_bounds[b]);
			else
				buf_puts(out, "+Inf");
			buf_printf(out, "\"} %llu\n", cum);
		}
		buf_puts(out, "council_http_request_duration_seconds_sum"
		    "{route=\"");
		metrics_label_value(out, mx.pattern[slot]);
		buf_puts(out, "\"} ");
		metrics_num(out, h->sum);
		buf_puts(out, "\ncouncil_http_request_duration_seconds_count"
		    "{route=\"");
		metrics_label_value(out, mx.pattern[slot]);
		buf_printf(out, "\"} %llu\n", h->count);
	}
}

/* The clock's families; mx.mu is held. */
static void
metrics_render_clock(struct buf *out)
{
	const struct metrics_job	*j;
	size_t				 i, o;

	metrics_family(out, "council_clock_runs_total", "counter",
	    "Rounds of each clock job, by outcome (skipped: another "
	    "instance held the job).");
	for (i = 0; i < mx.njobs; i++)
		for (o = 0; o < UTIL_ARRAY_LEN(metrics_outcomes); o++) {
			j = &mx.jobs[i];
			buf_puts(out, "council_clock_runs_total{job=\"");
			metrics_label_value(out, j->name);
			buf_printf(out, "\",outcome=\"%s\"} %llu\n",
			    metrics_outcomes[o], j->runs[o]);
		}
	metrics_family(out, "council_clock_items_total", "counter",
	    "Items each clock job did (polls closed, e-mails sent, ...).");
	for (i = 0; i < mx.njobs; i++)
		metrics_sample1(out, "council_clock_items_total", "job",
		    mx.jobs[i].name, (double)mx.jobs[i].items);
	metrics_family(out, "council_clock_last_success_timestamp_seconds",
	    "gauge", "When each clock job last ran (Unix time; 0: never "
	    "since start).");
	for (i = 0; i < mx.njobs; i++)
		metrics_sample1(out,
		    "council_clock_last_success_timestamp_seconds", "job",
		    mx.jobs[i].name, mx.jobs[i].last_success);
	metrics_family(out, "council_clock_last_duration_seconds", "gauge",
	    "How long each clock job's last round took.");
	for (i = 0; i < mx.njobs; i++)
		metrics_sample1(out, "council_clock_last_duration_seconds",
		    "job", mx.jobs[i].name, mx.jobs[i].last_seconds);
}

/* What the caller read at scrape time. */
static void
metrics_render_scrape(struct buf *out, const struct metrics_scrape *s)
{
	static const struct {
		const char	*depth, *name, *label, *help;
	} depths[] = {
		{ "mail_outbox", "council_mail_outbox", "status",
		    "E-mails of the outbox (council.mail_outbox) by status, "
		    "sent ones aside." },
		{ "mail_outbox_oldest_due_seconds",
		    "council_mail_outbox_oldest_due_seconds", NULL,
		    "How long the oldest queued e-mail has been due (0: none "
		    "is)." },
		{ "notifications_unmailed", "council_notifications_unmailed",
		    "digest", "Notifications not yet mailed to people who get "
		    "e-mail, by their digest (daily ones wait for 08:00 JST)." },
	};
	size_t	i, k;

	if (s == NULL)
		return;
	if (s->npools > 0) {
		metrics_family(out, "council_db_pool_size", "gauge",
		    "Connections of each database pool.");
		for (i = 0; i < s->npools; i++)
			metrics_sample1(out, "council_db_pool_size", "pool",
			    s->pools[i].name, (double)s->pools[i].size);
		metrics_family(out, "council_db_pool_in_use", "gauge",
		    "Connections of each pool handed out now.");
		for (i = 0; i < s->npools; i++)
			metrics_sample1(out, "council_db_pool_in_use", "pool",
			    s->pools[i].name, (double)s->pools[i].in_use);
		metrics_family(out, "council_db_pool_waits_total", "counter",
		    "Times a thread found no free connection and waited.");
		for (i = 0; i < s->npools; i++)
			metrics_sample1(out, "council_db_pool_waits_total",
			    "pool", s->pools[i].name,
			    (double)s->pools[i].waits);
		metrics_family(out, "council_db_pool_timeouts_total",
		    "counter", "Times a thread waited in vain "
		    "(db_acquire_timeout_ms: 503).");
		for (i = 0; i < s->npools; i++)
			metrics_sample1(out, "council_db_pool_timeouts_total",
			    "pool", s->pools[i].name,
			    (double)s->pools[i].timeouts);
	}
	if (s->signin_queued >= 0) {
		metrics_family(out, "council_signin_queue_depth", "gauge",
		    "Sign-ins waiting for a password check.");
		metrics_sample1(out, "council_signin_queue_depth", NULL, NULL,
		    (double)s->signin_queued);
		metrics_family(out, "council_signin_queue_limit", "gauge",
		    "Sign-ins that may wait (signin_queue; 503 beyond).");
		metrics_sample1(out, "council_signin_queue_limit", NULL, NULL,
		    (double)s->signin_limit);
	}
	metrics_family(out, "council_metrics_db_ok", "gauge",
	    "1 when this scrape read the queue depths from the database.");
	metrics_sample1(out, "council_metrics_db_ok", NULL, NULL,
	    s->db_ok ? 1 : 0);
	if (!s->db_ok)
		return;
	for (k = 0; k < UTIL_ARRAY_LEN(depths); k++) {
		metrics_family(out, depths[k].name, "gauge", depths[k].help);
		for (i = 0; i < s->ndepths; i++)
			if (strcmp(s->depths[i].name, depths[k].depth) == 0)
				metrics_sample1(out, depths[k].name,
				    depths[k].label, s->depths[i].label,
				    s->depths[i].value);
	}
}

void
metrics_render(struct buf *out, const struct metrics_scrape *s)
{
	pthread_mutex_lock(&mx.mu);
	metrics_family(out, "council_up", "gauge",
	    "1: councild answers.");
	buf_puts(out, "council_up 1\n");
	metrics_family(out, "council_build_info", "gauge",
	    "councild's version, as a label.");
	metrics_sample1(out, "council_build_info", "version", mx.version, 1);
	metrics_family(out, "council_process_start_time_seconds", "gauge",
	    "When councild started (Unix time).");
	metrics_sample1(out, "council_process_start_time_seconds", NULL, NULL,
	    mx.start_time);
	if (mx.ready) {
		metrics_render_http(out);
		metrics_render_clock(out);
	}
	pthread_mutex_unlock(&mx.mu);
	metrics_render_scrape(out, s);
}
