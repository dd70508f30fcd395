/*
 * metrics.h: councild's own counters, for Prometheus (issue 16, "run it
 * like a national service"; docs/metrics.md).
 *
 * What the process counts as it runs, kept here in tables of fixed size
 * made once by metrics_init (nothing is allocated while a request is
 * counted), and written out in the Prometheus text exposition format
 * 0.0.4 when GET /metrics is scraped (pages/scrape.c):
 *   requests      per route PATTERN of the route table (bounded: the
 *                 table's rows; a path without a route is route="other"),
 *                 method (GET, HEAD, POST, ... or "other") and exact
 *                 status code, in a table of METRICS_SERIES_MAX series;
 *                 a request's duration in a histogram per route
 *   the clock     per job (timer.c): its runs by outcome, its items,
 *                 when it last succeeded
 *   the process   its version, its start
 * What is read at scrape time (the database pools, the sign-in queue,
 * the outbox) is handed to metrics_render by the caller: this module
 * knows no pool, no page and no database.
 *
 * The scrape's credential: a bearer token read from metrics_token_file
 * at start (metrics_init); only its SHA-256 is kept, and a presented
 * token is compared with it in constant time (metrics_token_ok).
 *
 * Threads: every function may be called from any thread; one mutex
 * guards the tables.
 */
#ifndef COUNCIL_METRICS_H
#define COUNCIL_METRICS_H

#include <stddef.h>

struct buf;

#define METRICS_NO_ROUTE	((size_t)-1)	/* a request no route matched */
#define METRICS_SERIES_MAX	2048	/* (route, method, status) counters */
#define METRICS_JOBS_MAX	32	/* clock jobs */
#define METRICS_JOB_NAME_MAX	63	/* bytes of a job's name */
#define METRICS_TOKEN_MIN	32	/* characters of the scrape token */
#define METRICS_TOKEN_MAX	1024

/* The upper bounds (seconds) of the request duration histogram's
 * buckets, +Inf aside. */
#define METRICS_BUCKETS \
	{ .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10 }
#define METRICS_NBUCKETS	11

/* How a clock job's round ended (metrics_clock). */
enum metrics_clock_outcome {
	METRICS_CLOCK_RAN = 0,		/* it ran (items done, maybe 0) */
	METRICS_CLOCK_SKIPPED,		/* another instance held the job */
	METRICS_CLOCK_FAILED		/* it failed (database, transport) */
};

/*
 * Set up the tables: patterns[0..n) are the route table's patterns, row
 * by row (rows sharing a pattern share its series); the strings must
 * outlive the module (they are the table's own literals).  version is
 * the build's (council_build_info).  token_file: the path of the scrape
 * token, or "" (or NULL) for no /metrics at all.  The file must be a
 * regular file owned by the process's user with no permission for group
 * or others, and hold one token of METRICS_TOKEN_MIN..METRICS_TOKEN_MAX
 * visible ASCII characters (a final newline is allowed).  Returns 0, or
 * -1 with err (start-up must stop).  Calling it again replaces
 * everything.
 */
int	metrics_init(const char *const *patterns, size_t n,
	    const char *version, const char *token_file, char *err,
	    size_t errlen);
/* Free the tables and wipe the token's hash.  Accepts a module never
 * set up. */
void	metrics_fini(void);

/* 1 when a token is configured (/metrics answers), 0 otherwise. */
int	metrics_enabled(void);
/* 1 when authorization (an Authorization header's value, or NULL) is
 * "Bearer <the token>" (the scheme in any case), compared in constant
 * time; 0 otherwise, and always 0 when no token is configured. */
int	metrics_token_ok(const char *authorization);

/*
 * Count one finished request: route is its row in the table handed to
 * metrics_init (METRICS_NO_ROUTE, or any row beyond it: "other"), method
 * its method's name, status the status sent (0: none, the client went
 * away first), ms its duration.  No allocation; a no-op before
 * metrics_init.  A (route, method, status) beyond METRICS_SERIES_MAX
 * series is counted in council_metrics_series_overflow_total only (its
 * duration still in its route's histogram).
 */
void	metrics_request(size_t route, const char *method, unsigned status,
	    double ms);

/*
 * Count one round of a clock job: job its name (at most
 * METRICS_JOB_NAME_MAX bytes of [A-Za-z0-9_.-]; other names, and jobs
 * beyond METRICS_JOBS_MAX, are dropped with a warning once), outcome an
 * enum metrics_clock_outcome, items what it did (added when it ran), ms
 * how long it took.  No allocation; a no-op before metrics_init.
 */
void	metrics_clock(const char *job, int outcome, long items, double ms);

/* A database pool at scrape time (db.h: db_pool_stats). */
struct metrics_pool {
	const char		*name;		/* label pool= */
	long			 size, in_use;
	unsigned long long	 waits, timeouts;
};

/* One row of council.metrics_depths() (policy/54_metrics.sql). */
struct metrics_depth {
	const char	*name;	/* mail_outbox, mail_outbox_oldest_due_seconds,
				 * notifications_unmailed */
	const char	*label;	/* its status or digest, or "" */
	double		 value;
};

/* What the caller read at scrape time.  A negative signin_queued means
 * unknown (not written); db_ok 0: the depths could not be read (none
 * written, council_metrics_db_ok 0). */
struct metrics_scrape {
	const struct metrics_pool	*pools;
	size_t				 npools;
	long				 signin_queued, signin_limit;
	int				 db_ok;
	const struct metrics_depth	*depths;
	size_t				 ndepths;
};

/* Append the whole exposition (format 0.0.4) to out: the counters of
 * this module and what s holds (s may be NULL).  Every family has its
 * HELP and TYPE; label values are escaped (metrics_label_value). */
void	metrics_render(struct buf *out, const struct metrics_scrape *s);

/* Append s as a label value's inside (without the quotes): \ as \\,
 * " as \", a newline as \n (the exposition format's escapes). */
void	metrics_label_value(struct buf *out, const char *s);

/* The bucket of the request duration histogram a duration of seconds
 * falls in (the first whose bound it does not exceed), METRICS_NBUCKETS
 * for +Inf: for the tests. */
size_t	metrics_bucket_of(double seconds);

/* The content type of the exposition. */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

#endif
