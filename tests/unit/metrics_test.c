/*
 * metrics_test.c: server/core/metrics.c: the exposition's format (every
 * line parsed by a strict reader of the text format 0.0.4 written here),
 * histogram bucket placement, label escaping, the bounded tables (series,
 * clock jobs), the scrape token file's checks and its comparison, what
 * the caller hands in at scrape time, and counting from many threads.
 */
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"
#include "util.h"

static const char *const patterns[] = {
	"/healthz", "/signin", "/signin", "/posts/{id}", "/a\"b\\c"
};

static void
init_plain(void)
{
	char	err[256];

	ck_assert_int_eq(metrics_init(patterns, UTIL_ARRAY_LEN(patterns),
	    "1.2.3", "", err, sizeof(err)), 0);
}

/* The exposition as a string (free it). */
static char *
render(const struct metrics_scrape *s)
{
	struct buf	b;

	buf_init(&b);
	metrics_render(&b, s);
	return buf_release(&b, NULL);
}

/* Does text hold the whole line? */
static int
has_line(const char *text, const char *line)
{
	size_t		 n = strlen(line);
	const char	*p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p++;
	}
	return 0;
}

/* The number of lines of text that start with prefix. */
static int
count_prefix(const char *text, const char *prefix)
{
	const char	*p = text;
	int		 n = 0;

	while (*p != '\0') {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

static int
name_char(int c, int first)
{
	return isalpha(c) || c == '_' || c == ':' || (!first && isdigit(c));
}

/* A metric name at *p (advanced): its length, or 0. */
static size_t
parse_name(const char **p)
{
	const char	*s = *p, *start = *p;

	if (!name_char((unsigned char)*s, 1))
		return 0;
	while (name_char((unsigned char)*s, 0))
		s++;
	*p = s;
	return (size_t)(s - start);
}

/*
 * A strict reader of the text format 0.0.4: every line is a HELP, a TYPE
 * or a sample; a sample's family has had its TYPE (and HELP) before it,
 * and a family's lines are together; label names are names, values are
 * quoted with only \\ \" \n escapes; the value is a float, +Inf, -Inf or
 * NaN; the text ends with a newline.  Returns NULL, or why not.
 */
static const char *
parse_exposition(const char *text)
{
	static char	why[512];
	char		families[256][128], fam[128], current[128] = "";
	char		type[256][16];
	const char	*p = text, *line, *s, *nm;
	size_t		nfam = 0, i, n;
	char		*end;
	int		lineno = 0;

	if (*text == '\0' || text[strlen(text) - 1] != '\n')
		return "does not end with a newline";
	while (*p != '\0') {
		line = p;
		lineno++;
		p = strchr(p, '\n') + 1;
		if (strncmp(line, "# HELP ", 7) == 0 ||
		    strncmp(line, "# TYPE ", 7) == 0) {
			s = line + 7;
			nm = s;
			if ((n = parse_name(&s)) == 0 || n >= sizeof(fam) ||
			    *s != ' ')
				goto bad;
			memcpy(fam, nm, n);
			fam[n] = '\0';
			if (line[2] == 'H') {
				for (i = 0; i < nfam; i++)
					if (strcmp(families[i], fam) == 0) {
						snprintf(why, sizeof(why), "line "
						    "%d: HELP of %s twice",
						    lineno, fam);
						return why;
					}
				if (nfam == 256)
					return "too many families";
				snprintf(families[nfam], sizeof(families[0]),
				    "%s", fam);
				type[nfam][0] = '\0';
				nfam++;
				snprintf(current, sizeof(current), "%s", fam);
				continue;
			}
			if (strcmp(fam, current) != 0)
				goto bad;
			s++;
			n = (size_t)(strchr(s, '\n') - s);
			if (!((n == 7 && strncmp(s, "counter", 7) == 0) ||
			    (n == 5 && strncmp(s, "gauge", 5) == 0) ||
			    (n == 9 && strncmp(s, "histogram", 9) == 0)))
				goto bad;
			snprintf(type[nfam - 1], sizeof(type[0]), "%.*s",
			    (int)n, s);
			continue;
		}
		if (line[0] == '#')
			goto bad;
		s = line;
		nm = s;
		if ((n = parse_name(&s)) == 0 || n >= sizeof(fam))
			goto bad;
		memcpy(fam, nm, n);
		fam[n] = '\0';
		/* Which family: itself, or a histogram's _bucket/_sum/_count. */
		if (strcmp(fam, current) != 0) {
			size_t	cl = strlen(current);

			if (nfam == 0 || strcmp(type[nfam - 1], "histogram") != 0 ||
			    strncmp(fam, current, cl) != 0 ||
			    (strcmp(fam + cl, "_bucket") != 0 &&
			    strcmp(fam + cl, "_sum") != 0 &&
			    strcmp(fam + cl, "_count") != 0)) {
				snprintf(why, sizeof(why), "line %d: %s outside "
				    "its family (current %s)", lineno, fam,
				    current);
				return why;
			}
		}
		if (type[nfam - 1][0] == '\0')
			goto bad;
		if (*s == '{') {
			s++;
			while (*s != '}') {
				if (parse_name(&s) == 0 || *s++ != '=' ||
				    *s++ != '"')
					goto bad;
				while (*s != '"') {
					if (*s == '\n' || *s == '\0')
						goto bad;
					if (*s == '\\') {
						s++;
						if (*s != '\\' && *s != '"' &&
						    *s != 'n')
							goto bad;
					}
					s++;
				}
				s++;
				if (*s == ',')
					s++;
				else if (*s != '}')
					goto bad;
			}
			s++;
		}
		if (*s++ != ' ')
			goto bad;
		if (strncmp(s, "+Inf\n", 5) == 0 || strncmp(s, "-Inf\n", 5) == 0 ||
		    strncmp(s, "NaN\n", 4) == 0)
			continue;
		(void)strtod(s, &end);
		if (end == s || *end != '\n')
			goto bad;
	}
	return NULL;
bad:
	snprintf(why, sizeof(why), "line %d malformed: %.*s", lineno,
	    (int)(strchr(line, '\n') - line), line);
	return why;
}

START_TEST(bucket_placement)
{
	ck_assert_uint_eq(metrics_bucket_of(0), 0);
	ck_assert_uint_eq(metrics_bucket_of(-1), 0);
	ck_assert_uint_eq(metrics_bucket_of(0.005), 0);	/* le: inclusive */
	ck_assert_uint_eq(metrics_bucket_of(0.0051), 1);
	ck_assert_uint_eq(metrics_bucket_of(0.1), 4);
	ck_assert_uint_eq(metrics_bucket_of(0.3), 6);
	ck_assert_uint_eq(metrics_bucket_of(1), 7);
	ck_assert_uint_eq(metrics_bucket_of(10), 10);
	ck_assert_uint_eq(metrics_bucket_of(10.001), METRICS_NBUCKETS);
	ck_assert_uint_eq(metrics_bucket_of(INFINITY), METRICS_NBUCKETS);
}
END_TEST

START_TEST(label_escaping)
{
	struct buf	b;

	buf_init(&b);
	metrics_label_value(&b, "a\\b\"c\nd/{id}");
	ck_assert_str_eq(b.data, "a\\\\b\\\"c\\nd/{id}");
	buf_free(&b);
}
END_TEST

START_TEST(before_init_only_the_process)
{
	char	*t;

	metrics_request(0, "GET", 200, 1);	/* a no-op, no crash */
	metrics_clock("x", METRICS_CLOCK_RAN, 1, 1);
	ck_assert_int_eq(metrics_enabled(), 0);
	ck_assert_int_eq(metrics_token_ok("Bearer 0123456789012345678901234567890123"), 0);
	t = render(NULL);
	ck_assert_ptr_null(parse_exposition(t));
	ck_assert(has_line(t, "council_up 1"));
	ck_assert_int_eq(count_prefix(t, "council_http_requests_total{"), 0);
	free(t);
}
END_TEST

START_TEST(requests_by_pattern_method_status)
{
	const char	*why;
	char		*t;

	init_plain();
	metrics_request(0, "GET", 200, 3);		/* /healthz */
	metrics_request(1, "GET", 200, 4);		/* /signin */
	metrics_request(2, "POST", 303, 30);		/* /signin, 2nd row */
	metrics_request(1, "GET", 200, 700);
	metrics_request(3, "HEAD", 404, 12);		/* /posts/{id} */
	metrics_request(METRICS_NO_ROUTE, "GET", 404, 1);
	metrics_request(99, "BREW", 405, 1);		/* beyond the table */
	metrics_request(4, "GET", 0, 20000);		/* no status, 20 s */
	t = render(NULL);
	why = parse_exposition(t);
	ck_assert_msg(why == NULL, "%s\n%s", why, t);
	ck_assert(has_line(t, "# TYPE council_http_requests_total counter"));
	ck_assert(has_line(t, "council_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"));
	ck_assert(has_line(t, "council_http_requests_total{route=\"/signin\",method=\"GET\",status=\"200\"} 2"));
	ck_assert(has_line(t, "council_http_requests_total{route=\"/signin\",method=\"POST\",status=\"303\"} 1"));
	ck_assert(has_line(t, "council_http_requests_total{route=\"/posts/{id}\",method=\"HEAD\",status=\"404\"} 1"));
	ck_assert(has_line(t, "council_http_requests_total{route=\"other\",method=\"GET\",status=\"404\"} 1"));
	ck_assert(has_line(t, "council_http_requests_total{route=\"other\",method=\"other\",status=\"405\"} 1"));
	ck_assert(has_line(t, "council_http_requests_total{route=\"/a\\\"b\\\\c\",method=\"GET\",status=\"0\"} 1"));
	ck_assert_int_eq(count_prefix(t, "council_http_requests_total{"), 7);
	/* The histogram of /signin: 4 ms, 30 ms and 700 ms, cumulative. */
	ck_assert(has_line(t, "# TYPE council_http_request_duration_seconds histogram"));
	ck_assert(has_line(t, "council_http_request_duration_seconds_bucket{route=\"/signin\",le=\"0.005\"} 1"));
	ck_assert(has_line(t, "council_http_request_duration_seconds_bucket{route=\"/signin\",le=\"0.025\"} 1"));
	ck_assert(has_line(t, "council_http_request_duration_seconds_bucket{route=\"/signin\",le=\"0.05\"} 2"));
	ck_assert(has_line(t, "council_http_request_duration_seconds_bucket{route=\"/signin\",le=\"0.5\"} 2"));
	ck_assert(has_line(t, "council_http_request_duration_seconds_bucket{route=\"/signin\",le=\"1\"} 3"));
	ck_assert(has_line(t, "council_http_request_duration_seconds_bucket{route=\"/signin\",le=\"+Inf\"} 3"));
	ck_assert(has_line(t, "council_http_request_duration_seconds_sum{route=\"/signin\"} 0.734"));
	ck_assert(has_line(t, "council_http_request_duration_seconds_count{route=\"/signin\"} 3"));
	/* 20 s: only in +Inf. */
	ck_assert(has_line(t, "council_http_request_duration_seconds_bucket{route=\"/a\\\"b\\\\c\",le=\"10\"} 0"));
	ck_assert(has_line(t, "council_http_request_duration_seconds_bucket{route=\"/a\\\"b\\\\c\",le=\"+Inf\"} 1"));
	/* One series per distinct pattern: /signin's two rows share one. */
	ck_assert_int_eq(count_prefix(t, "council_http_request_duration_seconds_count{"), 5);
	ck_assert_int_eq(count_prefix(t, "council_http_request_duration_seconds_bucket{route=\"/signin\""),
	    METRICS_NBUCKETS + 1);
	ck_assert(has_line(t, "council_build_info{version=\"1.2.3\"} 1"));
	ck_assert(has_line(t, "council_metrics_series_overflow_total 0"));
	free(t);
	metrics_fini();
}
END_TEST

START_TEST(series_table_is_bounded)
{
	static const char *const methods[] = { "GET", "POST", "HEAD", "PUT" };
	char		*t;
	unsigned	 st;
	size_t		 r, m, made = 0;

	init_plain();
	/* 5 routes + other, 4 methods, 900 statuses: far more than fit. */
	for (st = 100; st < 1000; st++)
		for (r = 0; r < 6; r++)
			for (m = 0; m < 4; m++) {
				metrics_request(r < 5 ? r : METRICS_NO_ROUTE,
				    methods[m], st, 1);
				made++;
			}
	t = render(NULL);
	ck_assert_ptr_null(parse_exposition(t));
	/* /signin's two rows share a pattern: 5 slots, not 6. */
	ck_assert_int_eq(count_prefix(t, "council_http_requests_total{"),
	    METRICS_SERIES_MAX);
	/* Every request is in a series or in the overflow. */
	{
		const char		*p = t, *sp;
		unsigned long long	 sum = 0, over = 0;

		while ((p = strstr(p, "\ncouncil_http_requests_total{")) != NULL) {
			p++;
			sp = strchr(p, '\n');
			while (sp[-1] != ' ')
				sp--;
			sum += strtoull(sp, NULL, 10);
		}
		p = strstr(t, "\ncouncil_metrics_series_overflow_total ");
		ck_assert_ptr_nonnull(p);
		over = strtoull(strchr(p + 1, ' ') + 1, NULL, 10);
		ck_assert_uint_gt(over, 0);
		ck_assert_uint_eq(sum + over, made);
	}
	/* Every request is still in the histograms. */
	{
		char	want[128];

		snprintf(want, sizeof(want), "council_http_request_duration_"
		    "seconds_count{route=\"/signin\"} %d", 2 * 4 * 900);
		ck_assert_msg(has_line(t, want), "want %s", want);
	}
	free(t);
	metrics_fini();
}
END_TEST

START_TEST(clock_jobs)
{
	char	*t, name[16];
	int	 i;

	init_plain();
	metrics_clock("mail", METRICS_CLOCK_RAN, 5, 20);
	metrics_clock("mail", METRICS_CLOCK_SKIPPED, 0, 1);
	metrics_clock("mail", METRICS_CLOCK_FAILED, 3, 2);	/* items not added */
	metrics_clock("mail", METRICS_CLOCK_RAN, 2, 1500);
	metrics_clock("gov_close_due", METRICS_CLOCK_SKIPPED, 0, 1);
	metrics_clock("bad name", METRICS_CLOCK_RAN, 1, 1);	/* dropped */
	metrics_clock("x\"y", METRICS_CLOCK_RAN, 1, 1);	/* dropped */
	for (i = 0; i < METRICS_JOBS_MAX + 5; i++) {
		snprintf(name, sizeof(name), "job%d", i);
		metrics_clock(name, METRICS_CLOCK_RAN, 1, 1);
	}
	t = render(NULL);
	ck_assert_ptr_null(parse_exposition(t));
	ck_assert(has_line(t, "council_clock_runs_total{job=\"mail\",outcome=\"ran\"} 2"));
	ck_assert(has_line(t, "council_clock_runs_total{job=\"mail\",outcome=\"skipped\"} 1"));
	ck_assert(has_line(t, "council_clock_runs_total{job=\"mail\",outcome=\"failed\"} 1"));
	ck_assert(has_line(t, "council_clock_items_total{job=\"mail\"} 7"));
	ck_assert(has_line(t, "council_clock_last_duration_seconds{job=\"mail\"} 1.5"));
	ck_assert(has_line(t, "council_clock_last_success_timestamp_seconds{job=\"gov_close_due\"} 0"));
	ck_assert(strstr(t, "council_clock_last_success_timestamp_seconds{job=\"mail\"} 1") != NULL);
	ck_assert(strstr(t, "bad name") == NULL);
	/* mail, gov_close_due and 30 more: the table holds 32 jobs. */
	ck_assert_int_eq(count_prefix(t, "council_clock_items_total{"),
	    METRICS_JOBS_MAX);
	ck_assert(has_line(t, "council_clock_items_total{job=\"job29\"} 1"));
	ck_assert(strstr(t, "job=\"job30\"") == NULL);
	free(t);
	metrics_fini();
}
END_TEST

START_TEST(scrape_values)
{
	const struct metrics_pool	pools[] = {
		{ "app", 8, 3, 12, 1 }, { "signin", 6, 0, 0, 0 }
	};
	const struct metrics_depth	depths[] = {
		{ "mail_outbox", "queued", 2 },
		{ "mail_outbox", "failed", 1 },
		{ "mail_outbox_oldest_due_seconds", "", 12.5 },
		{ "notifications_unmailed", "daily", 40 },
		{ "something_else", "x", 1 },		/* not ours: left out */
	};
	struct metrics_scrape	s = { pools, 2, 4, 32, 1, depths, 5 };
	const char		*why;
	char			*t;

	init_plain();
	t = render(&s);
	why = parse_exposition(t);
	ck_assert_msg(why == NULL, "%s\n%s", why, t);
	ck_assert(has_line(t, "council_db_pool_size{pool=\"app\"} 8"));
	ck_assert(has_line(t, "council_db_pool_in_use{pool=\"app\"} 3"));
	ck_assert(has_line(t, "council_db_pool_waits_total{pool=\"app\"} 12"));
	ck_assert(has_line(t, "council_db_pool_timeouts_total{pool=\"app\"} 1"));
	ck_assert(has_line(t, "council_db_pool_size{pool=\"signin\"} 6"));
	ck_assert(has_line(t, "council_signin_queue_depth 4"));
	ck_assert(has_line(t, "council_signin_queue_limit 32"));
	ck_assert(has_line(t, "council_metrics_db_ok 1"));
	ck_assert(has_line(t, "council_mail_outbox{status=\"queued\"} 2"));
	ck_assert(has_line(t, "council_mail_outbox{status=\"failed\"} 1"));
	ck_assert(has_line(t, "council_mail_outbox_oldest_due_seconds 12.5"));
	ck_assert(has_line(t, "council_notifications_unmailed{digest=\"daily\"} 40"));
	ck_assert(strstr(t, "something_else") == NULL);
	free(t);
	/* The database did not answer: no depth, and it says so. */
	s.db_ok = 0;
	s.signin_queued = -1;
	t = render(&s);
	ck_assert_ptr_null(parse_exposition(t));
	ck_assert(has_line(t, "council_metrics_db_ok 0"));
	ck_assert(strstr(t, "council_mail_outbox") == NULL);
	ck_assert(strstr(t, "council_signin_queue_depth") == NULL);
	free(t);
	metrics_fini();
}
END_TEST

/* A token file in a fresh folder, with mode and contents. */
static char tmpdir[64];

static const char *
token_file(const char *contents, mode_t mode)
{
	static char	path[128];
	FILE		*f;

	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/metrics_test.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	}
	snprintf(path, sizeof(path), "%s/token", tmpdir);
	unlink(path);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(contents, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

START_TEST(token_file_checks)
{
	const char	*tok = "k7Jq2vX9pL4mN8rT1wY6zB3cD5fG0hA2s";	/* 33 */
	char		 err[256], line[128];
	const char	*path;

	/* Good: 0600, a final newline. */
	snprintf(line, sizeof(line), "%s\n", tok);
	path = token_file(line, 0600);
	ck_assert_int_eq(metrics_init(patterns, 1, "v", path, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(metrics_enabled(), 1);
	snprintf(line, sizeof(line), "Bearer %s", tok);
	ck_assert_int_eq(metrics_token_ok(line), 1);
	snprintf(line, sizeof(line), "bearer %s", tok);
	ck_assert_int_eq(metrics_token_ok(line), 1);	/* the scheme's case */
	snprintf(line, sizeof(line), "Bearer %.32s", tok);
	ck_assert_int_eq(metrics_token_ok(line), 0);	/* a prefix */
	snprintf(line, sizeof(line), "Bearer %sx", tok);
	ck_assert_int_eq(metrics_token_ok(line), 0);
	snprintf(line, sizeof(line), "Basic %s", tok);
	ck_assert_int_eq(metrics_token_ok(line), 0);
	snprintf(line, sizeof(line), "Bearer");
	ck_assert_int_eq(metrics_token_ok(line), 0);
	ck_assert_int_eq(metrics_token_ok(NULL), 0);
	ck_assert_int_eq(metrics_token_ok(tok), 0);	/* no scheme */
	/* 0400 is fine too. */
	path = token_file(tok, 0400);
	ck_assert_int_eq(metrics_init(patterns, 1, "v", path, err,
	    sizeof(err)), 0);
	/* Group or others may read it: refused. */
	path = token_file(tok, 0640);
	ck_assert_int_eq(metrics_init(patterns, 1, "v", path, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "chmod 600") != NULL, "%s", err);
	path = token_file(tok, 0604);
	ck_assert_int_eq(metrics_init(patterns, 1, "v", path, err,
	    sizeof(err)), -1);
	/* Too short (31), a blank inside, two lines, empty. */
	path = token_file("0123456789012345678901234567890", 0600);
	ck_assert_int_eq(metrics_init(patterns, 1, "v", path, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "32") != NULL, "%s", err);
	path = token_file("0123456789012345 678901234567890123", 0600);
	ck_assert_int_eq(metrics_init(patterns, 1, "v", path, err,
	    sizeof(err)), -1);
	path = token_file("01234567890123456789012345678901234\nmore\n", 0600);
	ck_assert_int_eq(metrics_init(patterns, 1, "v", path, err,
	    sizeof(err)), -1);
	path = token_file("", 0600);
	ck_assert_int_eq(metrics_init(patterns, 1, "v", path, err,
	    sizeof(err)), -1);
	/* Missing, and a folder. */
	ck_assert_int_eq(metrics_init(patterns, 1, "v", "/nonexistent/token",
	    err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent/token") != NULL, "%s", err);
	ck_assert_int_eq(metrics_init(patterns, 1, "v", tmpdir, err,
	    sizeof(err)), -1);
	/* A refused file leaves the module as it was (still the 0400 one's
	 * token); "" turns /metrics off. */
	snprintf(line, sizeof(line), "Bearer %s", tok);
	ck_assert_int_eq(metrics_token_ok(line), 1);
	ck_assert_int_eq(metrics_init(patterns, 1, "v", "", err, sizeof(err)),
	    0);
	ck_assert_int_eq(metrics_enabled(), 0);
	ck_assert_int_eq(metrics_token_ok(line), 0);
	metrics_fini();
	unlink(path);
	rmdir(tmpdir);
}
END_TEST

#define THREADS		4
#define PER_THREAD	20000

static void *
hammer(void *arg)
{
	size_t	i, row = (size_t)(uintptr_t)arg;

	for (i = 0; i < PER_THREAD; i++) {
		metrics_request(row % 2, i % 2 ? "GET" : "POST", 200, 1);
		if (i % 100 == 0)
			metrics_clock("tick", METRICS_CLOCK_RAN, 1, 1);
	}
	return NULL;
}

START_TEST(concurrent_counts_are_exact)
{
	pthread_t	th[THREADS];
	char		*t, want[160];
	size_t		 i;

	init_plain();
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer,
		    (void *)(uintptr_t)i), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	t = render(NULL);
	ck_assert_ptr_null(parse_exposition(t));
	snprintf(want, sizeof(want), "council_http_request_duration_seconds_"
	    "count{route=\"/healthz\"} %d", THREADS / 2 * PER_THREAD);
	ck_assert_msg(has_line(t, want), "want %s", want);
	snprintf(want, sizeof(want), "council_http_requests_total{route=\""
	    "/signin\",method=\"GET\",status=\"200\"} %d",
	    THREADS / 2 * PER_THREAD / 2);
	ck_assert_msg(has_line(t, want), "want %s", want);
	snprintf(want, sizeof(want), "council_clock_items_total{job=\"tick\"} "
	    "%d", THREADS * PER_THREAD / 100);
	ck_assert_msg(has_line(t, want), "want %s", want);
	free(t);
	metrics_fini();
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite	*s = suite_create("metrics");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bucket_placement);
	tcase_add_test(tc, label_escaping);
	tcase_add_test(tc, before_init_only_the_process);
	tcase_add_test(tc, requests_by_pattern_method_status);
	tcase_add_test(tc, series_table_is_bounded);
	tcase_add_test(tc, clock_jobs);
	tcase_add_test(tc, scrape_values);
	tcase_add_test(tc, token_file_checks);
	tcase_add_test(tc, concurrent_counts_are_exact);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(metrics_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
