/*
 * timer.c: the clock thread (see timer.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anchor.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "metrics.h"
#include "timer.h"
#include "util.h"

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	pthread_t	 thread;
	int		 running;
	int		 stop;
	struct db_pool	*db;
	long		 acquire_ms;
	long		 interval_s;
} timer = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/*
 * The clock's jobs, in the order of a round: each a function of
 * a policy file that does what is due and returns how many it did.  Every
 * instance of a cluster runs the round; council.clock_job
 * (policy/52_cluster.sql) lets one instance at a time do each job (issue
 * 16 item 1).
 */
static const struct {
	const char	*name;		/* council.clock_job's name of it */
	const char	*what;		/* the log's words */
} timer_jobs[] = {
	{ "gov_close_due", "polls closed" },
	{ "ga_remind_due", "reminders sent" },
	/* policy/78_notify_sharing.sql */
	{ "notify_due", "deadline notices" },
	{ "incident_remind", "incident reminders" },
	/* R-NEW-6: handlers' trainings and lists due (94_training.sql). */
	{ "training_remind_due", "handler warnings" },
	{ "throttle_forget", "sign-in throttle entries forgotten" },
};

/* Run job i of timer_jobs under its lock; log its count when not zero,
 * and that another instance had it (debug). */
static void
timer_job(size_t i)
{
	struct db_ident	 id = { "", "timer", NULL };
	PGresult	*r;
	const char	*params[1] = { timer_jobs[i].name };
	char		 err[256];

	double		 t0 = util_now_ms();
	long		 n = 0;
	int		 outcome = METRICS_CLOCK_FAILED;

	r = db_run(timer.db, timer.acquire_ms, &id,
	    "SELECT council.clock_job($1)", 1, params, NULL, err,
	    sizeof(err));
	if (r == NULL || PQntuples(r) != 1) {
		log_warn("msg=\"%s failed\" job=%s error=\"%s\"",
		    timer_jobs[i].what, timer_jobs[i].name,
		    r == NULL ? err : "no row");
		goto out;
	}
	if (PQgetisnull(r, 0, 0)) {
		outcome = METRICS_CLOCK_SKIPPED;
		log_msg(LOG_DEBUG, "msg=\"clock job held by another "
		    "instance\" job=%s", timer_jobs[i].name);
		goto out;
	}
	outcome = METRICS_CLOCK_RAN;
	if ((n = atol(PQgetvalue(r, 0, 0))) > 0)
		log_info("msg=\"%s\" job=%s count=%ld", timer_jobs[i].what,
		    timer_jobs[i].name, n);
out:
	metrics_clock(timer_jobs[i].name, outcome, n, util_now_ms() - t0);
	PQclear(r);
}

/* One round: the jobs above, then the e-mail due (mail.c: rows claimed
 * with SKIP LOCKED, so instances share them), then the audit chain's head
 * signed when a checkpoint is due (anchor.c; each instance signs into its
 * own checkpoint file).  No identity: the database acts as the definer
 * and names no person (docs/governance.md). */
static void
timer_tick(void)
{
	size_t	i;
	double	t0;
	int	n;

	/* R-NEW-6: the handlers' trainings and lists due are among them. */
	for (i = 0; i < sizeof(timer_jobs) / sizeof(timer_jobs[0]); i++)
		timer_job(i);
	t0 = util_now_ms();
	if ((n = mail_deliver(timer.db, timer.acquire_ms)) > 0)
		log_info("msg=\"e-mail written\" count=%d", n);
	metrics_clock("mail_deliver", n < 0 ? METRICS_CLOCK_FAILED :
	    METRICS_CLOCK_RAN, n > 0 ? n : 0, util_now_ms() - t0);
	anchor_checkpoint(timer.db, timer.acquire_ms, 0);
}

static void *
timer_main(void *arg)
{
	struct timespec	until;

	(void)arg;
	pthread_mutex_lock(&timer.lock);
	while (!timer.stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += timer.interval_s;
		while (!timer.stop && pthread_cond_timedwait(&timer.cond,
		    &timer.lock, &until) != ETIMEDOUT)
			;
		if (timer.stop)
			break;
		pthread_mutex_unlock(&timer.lock);
		timer_tick();
		pthread_mutex_lock(&timer.lock);
	}
	pthread_mutex_unlock(&timer.lock);
	return NULL;
}

int
timer_start(struct db_pool *db, long acquire_timeout_ms, long interval_s,
    char *err, size_t errlen)
{
	int	rc;

	timer.db = db;
	timer.interval_s = interval_s > 0 ? interval_s : TIMER_INTERVAL_S;
	timer.acquire_ms = acquire_timeout_ms;
	timer.stop = 0;
	if ((rc = pthread_create(&timer.thread, NULL, timer_main, NULL)) !=
	    0) {
		snprintf(err, errlen, "cannot start the timer: %s",
		    strerror(rc));
		return -1;
	}
	timer.running = 1;
	return 0;
}

void
timer_stop(void)
{
	if (!timer.running)
		return;
	pthread_mutex_lock(&timer.lock);
	timer.stop = 1;
	pthread_cond_signal(&timer.cond);
	pthread_mutex_unlock(&timer.lock);
	pthread_join(timer.thread, NULL);
	timer.running = 0;
}
