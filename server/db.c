/*
 * db.c: the connection pool and the identity pipeline (see db.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "util.h"

struct db_pool {
	pthread_mutex_t	  lock;
	pthread_cond_t	  cond;
	PGconn		**conns;	/* free connections: conns[0..nfree) */
	int		  nfree;
	int		  size;
	char		 *conninfo;
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
	p->size = size;
	p->conninfo = xstrdup(conninfo);
	for (i = 0; i < size; i++) {
		if ((p->conns[i] = db_connect(conninfo, err, errlen)) == NULL) {
			p->nfree = i;
			db_pool_free(p);
			return NULL;
		}
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
	free(p->conninfo);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
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
	while (p->nfree == 0 && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&p->cond, &p->lock, &deadline);
	if (p->nfree > 0)
		c = p->conns[--p->nfree];
	pthread_mutex_unlock(&p->lock);
	if (c != NULL && PQstatus(c) != CONNECTION_OK) {
		PQreset(c);
		if (PQstatus(c) != CONNECTION_OK)
			log_warn("msg=\"database connection lost\" error=\"%.200s\"",
			    PQerrorMessage(c));
	}
	return c;
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

/* db_query with the parameters' lengths and formats and the result's
 * format (see db_run_bin). */
static PGresult *
db_query_full(PGconn *c, const struct db_ident *id, const char *sql,
    int nparams, const char *const *params, const int *lengths,
    const int *formats, int result_binary, char *sqlstate, char *err,
    size_t errlen)
{
	const char	*ident[2];
	PGresult	*r, *out = NULL;
	int		 step, ok = 1;

	err[0] = '\0';
	if (sqlstate != NULL)
		sqlstate[0] = '\0';
	ident[0] = id->session_hash ? id->session_hash : "";
	ident[1] = id->request_id ? id->request_id : "";

	if (PQenterPipelineMode(c) != 1) {
		db_set_error(NULL, c, sqlstate, err, errlen);
		return NULL;
	}
	if (PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQsendQueryParams(c, DB_IDENT_SQL, 2, NULL, ident, NULL, NULL,
	    0) != 1 ||
	    PQsendQueryParams(c, sql, nparams, NULL, params, lengths, formats,
	    result_binary ? 1 : 0) != 1 ||
	    PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQpipelineSync(c) != 1) {
		db_set_error(NULL, c, sqlstate, err, errlen);
		ok = 0;
	}

	/*
	 * Read the four results (each followed by a NULL), then the sync.
	 * After an error the server skips the rest: those come back as
	 * PGRES_PIPELINE_ABORTED.
	 */
	for (step = 0; ok && step < 4; step++) {
		while ((r = PQgetResult(c)) != NULL) {
			ExecStatusType st = PQresultStatus(r);

			if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
				if (st != PGRES_PIPELINE_ABORTED || err[0] == '\0')
					db_set_error(r, c, sqlstate, err, errlen);
				PQclear(r);
				continue;
			}
			if (step == 2 && out == NULL)
				out = r;
			else
				PQclear(r);
		}
	}
	if (ok) {
		r = PQgetResult(c);
		if (r == NULL || PQresultStatus(r) != PGRES_PIPELINE_SYNC)
			db_set_error(r, c, sqlstate, err, errlen);
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
	if (err[0] != '\0') {
		PQclear(out);
		return NULL;
	}
	return out;
}

PGresult *
db_query(PGconn *c, const struct db_ident *id, const char *sql, int nparams,
    const char *const *params, char *sqlstate, char *err, size_t errlen)
{
	return db_query_full(c, id, sql, nparams, params, NULL, NULL, 0,
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
	r = db_query_full(c, id, sql, nparams, params, lengths, formats,
	    result_binary, sqlstate, err, errlen);
	db_release(p, c);
	return r;
}

PGresult *
db_run(struct db_pool *p, long timeout_ms, const struct db_ident *id,
    const char *sql, int nparams, const char *const *params, char *sqlstate,
    char *err, size_t errlen)
{
	return db_run_bin(p, timeout_ms, id, sql, nparams, params, NULL, NULL,
	    0, sqlstate, err, errlen);
}
