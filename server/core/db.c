/*
 * db.c: the connection pool and the identity pipeline (see db.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "util.h"

/*
 * The statements prepared on one connection (db_run): a statement is
 * parsed and planned once per connection, not at every request.  Its name
 * is "cp_" and the FNV-1a hash of its text; pid is the server process the
 * names exist in, so a reset connection (new process) starts afresh.  Only
 * the thread holding the connection touches its slot.
 */
#define DB_PREPARED_MAX	128

struct db_slot {
	PGconn		*conn;
	int		 pid;
	int		 n;
	uint64_t	 stmt[DB_PREPARED_MAX];
};

struct db_pool {
	pthread_mutex_t	  lock;
	pthread_cond_t	  cond;
	PGconn		**conns;	/* free connections: conns[0..nfree) */
	struct db_slot	 *slots;	/* one per connection, fixed */
	int		  nfree;
	int		  size;
	char		 *conninfo;
	unsigned long long waits, timeouts;	/* db_pool_stats */
};

static const char DB_IDENT_SQL[] =
    "SELECT set_config('council.session', $1, true), "
    "set_config('council.request_id', $2, true)";

static void
db_notice(void *arg, const char *msg)
{
	(void)arg;
	log_msg(LOG_DEBUG, "msg=db-notice text=\"%.200s\"", msg);
}

static PGconn *
db_connect(const char *conninfo, char *err, size_t errlen)
{
	PGconn	*c = PQconnectdb(conninfo);

	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", c ? PQerrorMessage(c) : "out of memory");
		err[strcspn(err, "\n")] = '\0';
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, db_notice, NULL);
	return c;
}

struct db_pool *
db_pool_new(const char *conninfo, int size, char *err, size_t errlen)
{
	struct db_pool	*p;
	int		 i;

	p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->conns = xcalloc((size_t)size, sizeof(PGconn *));
	p->slots = xcalloc((size_t)size, sizeof(struct db_slot));
	p->size = size;
	p->conninfo = xstrdup(conninfo);
	for (i = 0; i < size; i++) {
		if ((p->conns[i] = db_connect(conninfo, err, errlen)) == NULL) {
			p->nfree = i;
			db_pool_free(p);
			return NULL;
		}
		p->slots[i].conn = p->conns[i];
	}
	p->nfree = size;
	return p;
}

void
db_pool_free(struct db_pool *p)
{
	int	i;

	if (p == NULL)
		return;
	if (p->nfree != p->size && p->conns[0] != NULL)
		log_warn("msg=\"db pool freed with connections in use\"");
	for (i = 0; i < p->nfree; i++)
		PQfinish(p->conns[i]);
	free(p->conns);
	free(p->slots);
	free(p->conninfo);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/*
 * 1 if idle connection c is no use: broken, or the server has spoken on
 * it (issue 16).  An idle connection of the pool has nothing to hear (no
 * LISTEN), so anything readable is the server ending it: "terminating
 * connection" and EOF when its primary died or was demoted, HAProxy
 * cutting the session of a node marked down.  Reset before use instead of
 * failing the request that would have used it.  One poll(2) of no wait.
 */
static int
db_stale(PGconn *c)
{
	struct pollfd	pfd;

	if (PQstatus(c) != CONNECTION_OK || (pfd.fd = PQsocket(c)) < 0)
		return 1;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) != 0;
}

PGconn *
db_acquire(struct db_pool *p, long timeout_ms)
{
	struct timespec	 deadline;
	PGconn		*c = NULL;
	int		 rc = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	if (p->nfree == 0)
		p->waits++;
	while (p->nfree == 0 && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&p->cond, &p->lock, &deadline);
	if (p->nfree > 0)
		c = p->conns[--p->nfree];
	else
		p->timeouts++;
	pthread_mutex_unlock(&p->lock);
	if (c != NULL && db_stale(c)) {
		PQreset(c);
		if (PQstatus(c) != CONNECTION_OK)
			log_warn("msg=\"database connection lost\" error=\"%.200s\"",
			    PQerrorMessage(c));
	}
	return c;
}

void
db_pool_stats(struct db_pool *p, struct db_pool_stats *st)
{
	pthread_mutex_lock(&p->lock);
	st->size = p->size;
	st->in_use = p->size - p->nfree;
	st->waits = p->waits;
	st->timeouts = p->timeouts;
	pthread_mutex_unlock(&p->lock);
}

void
db_release(struct db_pool *p, PGconn *c)
{
	if (c == NULL)
		return;
	/* Never hand out a connection in the middle of a transaction. */
	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		PQreset(c);
	pthread_mutex_lock(&p->lock);
	p->conns[p->nfree++] = c;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void
db_set_error(PGresult *r, PGconn *c, char *sqlstate, char *err, size_t errlen)
{
	const char	*st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char	*msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
	const char	*primary = r ? PQresultErrorField(r,
			    PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (sqlstate != NULL && sqlstate[0] == '\0')
		snprintf(sqlstate, 6, "%s", st ? st : "");
	/* The policy files' own errors (SQLSTATE class CP) carry a stable
	 * code as their message: keep it bare, for callers to map. */
	if (err[0] == '\0' && st != NULL && strncmp(st, "CP", 2) == 0 &&
	    primary != NULL) {
		snprintf(err, errlen, "%s", primary);
		return;
	}
	if (err[0] == '\0') {
		snprintf(err, errlen, "%s", msg && *msg ? msg : "database error");
		err[strcspn(err, "\n")] = '\0';
	}
}

/* The slot of connection c in pool p (NULL if it is not the pool's). */
static struct db_slot *
db_slot_of(struct db_pool *p, PGconn *c)
{
	int	i;

	for (i = 0; i < p->size; i++)
		if (p->slots[i].conn == c)
			return &p->slots[i];
	return NULL;
}

/*
 * Run the n statements of s in order, in one transaction and one round
 * trip: a libpq pipeline of the prepares still needed, BEGIN, the
 * identity, the statements, COMMIT and a sync.  With a slot, a statement
 * is prepared on the connection the first time and executed by name
 * afterwards.  Returns 0 when all ran (and committed); else -1 with err
 * set: the first statement that failed has its own err and sqlstate, the
 * ones before it keep their results, the ones after it have none, and
 * nothing was committed.
 */
static int
db_batch_on(PGconn *c, struct db_slot *slot, const struct db_ident *id,
    struct db_stmt *s, int n, char *err, size_t errlen)
{
	const char	*ident[2];
	PGresult	*r;
	ExecStatusType	 st;
	char		 name[DB_BATCH_MAX][24];
	uint64_t	 h[DB_BATCH_MAX];
	int		 named[DB_BATCH_MAX], prepare[DB_BATCH_MAX];
	int		 prep[DB_BATCH_MAX];	/* the prepares' statements */
	int		 step, nsteps, nprep = 0, ok = 1, i, k, ready;

	err[0] = '\0';
	if (n < 1 || n > DB_BATCH_MAX) {
		snprintf(err, errlen, "a batch of %d statements", n);
		return -1;
	}
	ident[0] = id->session_hash ? id->session_hash : "";
	ident[1] = id->request_id ? id->request_id : "";
	if (slot != NULL && slot->pid != PQbackendPID(c)) {
		slot->pid = PQbackendPID(c);
		slot->n = 0;
	}
	for (i = 0; i < n; i++) {
		s[i].result = NULL;
		s[i].sqlstate[0] = '\0';
		s[i].err[0] = '\0';
		named[i] = prepare[i] = 0;
		if (slot == NULL)
			continue;
		h[i] = util_fnv1a(s[i].sql);
		snprintf(name[i], sizeof(name[i]), "cp_%016" PRIx64, h[i]);
		for (k = 0; k < slot->n && !named[i]; k++)
			named[i] = slot->stmt[k] == h[i];
		for (k = 0; k < i && !named[i]; k++)
			named[i] = prepare[k] && h[k] == h[i];
		if (!named[i] && slot->n + nprep < DB_PREPARED_MAX) {
			named[i] = prepare[i] = 1;
			prep[nprep++] = i;
		}
	}

	if (PQenterPipelineMode(c) != 1) {
		db_set_error(NULL, c, NULL, err, errlen);
		return -1;
	}
	if (id->trips != NULL)
		(*id->trips)++;
	for (i = 0; ok && i < n; i++)
		if (prepare[i] && PQsendPrepare(c, name[i], s[i].sql,
		    s[i].nparams, NULL) != 1)
			ok = 0;
	if (ok && (PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL,
	    0) != 1 || PQsendQueryParams(c, DB_IDENT_SQL, 2, NULL, ident,
	    NULL, NULL, 0) != 1))
		ok = 0;
	for (i = 0; ok && i < n; i++)
		if ((named[i] ? PQsendQueryPrepared(c, name[i], s[i].nparams,
		    s[i].params, s[i].lengths, s[i].formats,
		    s[i].result_binary ? 1 : 0) : PQsendQueryParams(c, s[i].sql,
		    s[i].nparams, NULL, s[i].params, s[i].lengths, s[i].formats,
		    s[i].result_binary ? 1 : 0)) != 1)
			ok = 0;
	if (ok && (PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL,
	    0) != 1 || PQpipelineSync(c) != 1))
		ok = 0;
	if (!ok)
		db_set_error(NULL, c, NULL, err, errlen);

	/*
	 * Read the results (each followed by a NULL): the prepares, BEGIN,
	 * the identity, the statements, COMMIT; then the sync.  After an
	 * error the server skips the rest: those come back as
	 * PGRES_PIPELINE_ABORTED.
	 */
	nsteps = nprep + 2 + n + 1;
	for (step = 0; ok && step < nsteps; step++) {
		i = step - nprep - 2;	/* the statement, when 0 <= i < n */
		while ((r = PQgetResult(c)) != NULL) {
			st = PQresultStatus(r);
			if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
				if (st != PGRES_PIPELINE_ABORTED ||
				    err[0] == '\0') {
					if (i >= 0 && i < n &&
					    s[i].err[0] == '\0')
						db_set_error(r, c,
						    s[i].sqlstate, s[i].err,
						    sizeof(s[i].err));
					db_set_error(r, c, NULL, err, errlen);
				}
				PQclear(r);
				continue;
			}
			if (step < nprep)	/* prepared: remember it */
				slot->stmt[slot->n++] = h[prep[step]];
			if (i >= 0 && i < n && s[i].result == NULL)
				s[i].result = r;
			else
				PQclear(r);
		}
	}
	if (ok) {
		r = PQgetResult(c);
		if (r == NULL || PQresultStatus(r) != PGRES_PIPELINE_SYNC)
			db_set_error(r, c, NULL, err, errlen);
		PQclear(r);
	}
	if (PQexitPipelineMode(c) != 1 || !ok) {
		/* Out of step with the server: start afresh. */
		PQreset(c);
		if (err[0] == '\0')
			snprintf(err, errlen, "database connection reset");
	}

	/* An error inside the explicit transaction leaves it aborted. */
	if (PQtransactionStatus(c) == PQTRANS_INERROR ||
	    PQtransactionStatus(c) == PQTRANS_INTRANS)
		PQclear(PQexec(c, "ROLLBACK"));
	if (err[0] == '\0')
		return 0;
	/* Keep the results before the first failure only. */
	for (i = 0, ready = 1; i < n; i++) {
		if (s[i].err[0] != '\0')
			ready = 0;
		if (!ready || s[i].err[0] != '\0') {
			PQclear(s[i].result);
			s[i].result = NULL;
		}
	}
	return -1;
}

/* One statement: db_batch_on with a batch of one. */
static PGresult *
db_query_full(PGconn *c, struct db_slot *slot, const struct db_ident *id,
    const char *sql, int nparams, const char *const *params,
    const int *lengths, const int *formats, int result_binary,
    char *sqlstate, char *err, size_t errlen)
{
	struct db_stmt	s;

	memset(&s, 0, sizeof(s));
	s.sql = sql;
	s.nparams = nparams;
	s.params = params;
	s.lengths = lengths;
	s.formats = formats;
	s.result_binary = result_binary;
	if (sqlstate != NULL)
		sqlstate[0] = '\0';
	if (db_batch_on(c, slot, id, &s, 1, err, errlen) == -1) {
		if (sqlstate != NULL)
			memcpy(sqlstate, s.sqlstate, sizeof(s.sqlstate));
		/* The statement's own message (a CP code bare) first. */
		if (s.err[0] != '\0')
			snprintf(err, errlen, "%s", s.err);
		return NULL;
	}
	return s.result;
}

PGresult *
db_query(PGconn *c, const struct db_ident *id, const char *sql, int nparams,
    const char *const *params, char *sqlstate, char *err, size_t errlen)
{
	return db_query_full(c, NULL, id, sql, nparams, params, NULL, NULL, 0,
	    sqlstate, err, errlen);
}

PGresult *
db_run_bin(struct db_pool *p, long timeout_ms, const struct db_ident *id,
    const char *sql, int nparams, const char *const *params,
    const int *lengths, const int *formats, int result_binary,
    char *sqlstate, char *err, size_t errlen)
{
	PGconn		*c;
	PGresult	*r;

	if (sqlstate != NULL)
		sqlstate[0] = '\0';
	if ((c = db_acquire(p, timeout_ms)) == NULL) {
		snprintf(err, errlen, "no database connection within %ld ms",
		    timeout_ms);
		return NULL;
	}
	r = db_query_full(c, db_slot_of(p, c), id, sql, nparams, params,
	    lengths, formats, result_binary, sqlstate, err, errlen);
	db_release(p, c);
	return r;
}

int
db_run_batch(struct db_pool *p, long timeout_ms, const struct db_ident *id,
    struct db_stmt *s, int n, char *err, size_t errlen)
{
	PGconn	*c;
	int	 rc, i;

	if ((c = db_acquire(p, timeout_ms)) == NULL) {
		for (i = 0; i < n && i < DB_BATCH_MAX; i++) {
			s[i].result = NULL;
			s[i].sqlstate[0] = '\0';
			s[i].err[0] = '\0';
		}
		snprintf(err, errlen, "no database connection within %ld ms",
		    timeout_ms);
		return -1;
	}
	rc = db_batch_on(c, db_slot_of(p, c), id, s, n, err, errlen);
	db_release(p, c);
	return rc;
}

PGresult *
db_run(struct db_pool *p, long timeout_ms, const struct db_ident *id,
    const char *sql, int nparams, const char *const *params, char *sqlstate,
    char *err, size_t errlen)
{
	return db_run_bin(p, timeout_ms, id, sql, nparams, params, NULL, NULL,
	    0, sqlstate, err, errlen);
}
