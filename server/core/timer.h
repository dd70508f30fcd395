/*
 * timer.h: councild's clock.  One thread that, every clock_interval
 * seconds (TIMER_INTERVAL_S by default), asks the database to close the polls whose closing time has
 * passed (council.gov_close_due(): the steering committee's and the general
 * assembly's, issue 5).  Polls also close when they are read, so a result
 * never depends on this thread; it makes the close, its effects (a
 * restriction, R-GOV-7) and its audit rows happen on time when nobody looks.
 * Each round also sends the e-mail due (mail.c) and, every
 * audit_checkpoint_interval, signs the audit chain's head (anchor.c).
 * Every instance of a cluster runs its clock; each job is done by one
 * instance at a time (council.clock_job, policy/52_cluster.sql).
 */
#ifndef COUNCIL_TIMER_H
#define COUNCIL_TIMER_H

struct db_pool;

#define TIMER_INTERVAL_S	15

/* Start the thread, a round every interval_s seconds (clock_interval;
 * TIMER_INTERVAL_S if <= 0): 0, or -1 with err filled. */
int	timer_start(struct db_pool *, long acquire_timeout_ms, long interval_s,
	    char *err, size_t errlen);
/* Stop it and wait for it (a query under way finishes first). */
void	timer_stop(void);

#endif
