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
#include "timer.h"

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	pthread_t	 thread;
	int		 running;
	int		 stop;
	struct db_pool	*db;
	long		 acquire_ms;
} timer = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/* Run one of the round's statements (returning a count); log its count
 * with what when not zero. */
static void
timer_job(const char *sql, const char *what)
{
	struct db_ident	 id = { "", "timer", NULL };
	PGresult	*r;
	char		 err[256];

	r = db_run(timer.db, timer.acquire_ms, &id, sql, 0, NULL, NULL, err,
	    sizeof(err));
	if (r == NULL) {
		log_warn("msg=\"%s failed\" error=\"%s\"", what, err);
		return;
	}
	if (PQntuples(r) == 1 && atoi(PQgetvalue(r, 0, 0)) > 0)
		log_info("msg=\"%s\" count=%s", what, PQgetvalue(r, 0, 0));
	PQclear(r);
}

/* One round: close what is due, remind of polls closing soon and of
 * feedback deadlines (policy/78_notify_sharing.sql), write the
 * e-mail due, sign the audit chain's head when a checkpoint is due
 * (anchor.c).  No identity: the database acts as the definer and names
 * no person (docs/governance.md). */
static void
timer_tick(void)
{
	int	n;

	timer_job("SELECT council.gov_close_due()", "polls closed");
	timer_job("SELECT council.ga_remind_due()", "reminders sent");
	timer_job("SELECT council.notify_due()", "deadline notices");
	timer_job("SELECT council.incident_remind()", "incident reminders");
	/* R-NEW-6: handlers' trainings and lists due (policy/94_training.sql). */
	timer_job("SELECT council.training_remind_due()", "handler warnings");
	if ((n = mail_deliver(timer.db, timer.acquire_ms)) > 0)
		log_info("msg=\"e-mail written\" count=%d", n);
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
		until.tv_sec += TIMER_INTERVAL_S;
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
timer_start(struct db_pool *db, long acquire_timeout_ms, char *err,
    size_t errlen)
{
	int	rc;

	timer.db = db;
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
