/*
 * db.h: councild's database access.  A fixed pool of libpq connections,
 * all logged in as council_app (no BYPASSRLS, owns nothing).  Identity
 * reaches PostgreSQL with every query, in the same round trip: db_query
 * sends, in one libpq pipeline,
 *     BEGIN
 *     SELECT set_config('council.session', $1, true),
 *            set_config('council.request_id', $2, true)
 *     <the query> (db_run_batch: the queries, in order)
 *     COMMIT
 * and reads the results once.  The settings are transaction-local, so a
 * connection returned to the pool carries nothing of the previous request.
 * councild never filters visibility itself: row-level security does.
 */
#ifndef COUNCIL_DB_H
#define COUNCIL_DB_H

#include <stddef.h>

#include <libpq-fe.h>

struct db_pool;

/* Who is asking.  session_hash: hex SHA-256 of the session token, or ""
 * for an anonymous request.  request_id: the request's id.  trips, when
 * not NULL, counts the round trips made for the request (its log line's
 * db=). */
struct db_ident {
	const char	*session_hash;
	const char	*request_id;
	unsigned	*trips;
};

/* One statement of a batch (db_run_batch): the query and its parameters
 * as db_run_bin takes them, and what came of it. */
#define DB_BATCH_MAX	8

struct db_stmt {
	const char		*sql;
	int			 nparams;
	const char *const	*params;
	const int		*lengths;	/* NULL: all text */
	const int		*formats;
	int			 result_binary;
	PGresult		*result;	/* out: PQclear it; NULL if none */
	char			 sqlstate[6];	/* out: of its failure, or "" */
	char			 err[256];	/* out: why it failed, or "" */
};

/* Open size connections with conninfo.  NULL on failure, err says why. */
struct db_pool	*db_pool_new(const char *conninfo, int size, char *err,
		    size_t errlen);
void		 db_pool_free(struct db_pool *);	/* accepts NULL */

/* Take a connection, waiting at most timeout_ms.  NULL on time-out.  A
 * broken connection is reset before it is handed out. */
PGconn		*db_acquire(struct db_pool *, long timeout_ms);
void		 db_release(struct db_pool *, PGconn *);

/* A pool's state now (issue 16, /metrics): its connections, those handed
 * out, and since it was made, the db_acquire calls that found none free
 * and waited, and those of them that waited in vain (NULL). */
struct db_pool_stats {
	int			size, in_use;
	unsigned long long	waits, timeouts;
};
void		 db_pool_stats(struct db_pool *, struct db_pool_stats *);

/* Run one parameterised statement as ident (see above).  Returns the
 * statement's result (PGRES_TUPLES_OK or PGRES_COMMAND_OK) for the caller
 * to PQclear, or NULL with the reason in err; on NULL nothing was
 * committed.  sqlstate, if not NULL, receives the SQLSTATE of a failure
 * (6 bytes) or "". */
PGresult	*db_query(PGconn *, const struct db_ident *, const char *sql,
		    int nparams, const char *const *params, char *sqlstate,
		    char *err, size_t errlen);

/* db_query on a connection of the pool, taken for the length of the
 * statement (waiting at most timeout_ms; then NULL and err says so).  For
 * errors raised by the policy files (SQLSTATE class CP), err is the bare
 * stable code, e.g. "post_not_found". */
PGresult	*db_run(struct db_pool *, long timeout_ms, const struct db_ident *,
		    const char *sql, int nparams, const char *const *params,
		    char *sqlstate, char *err, size_t errlen);

/*
 * The n (at most DB_BATCH_MAX) statements of s, in order, as ident, in one
 * transaction and ONE round trip (one pipeline: BEGIN, the identity, the
 * statements, COMMIT): a page's identity, data and form choices at once.
 * Returns 0 when every statement ran and the transaction committed.
 * Otherwise -1 with err set, nothing committed, and: the first statement
 * that failed has err and sqlstate (a CP-class error's bare code, as
 * db_run), every statement before it its result, none after it a result.
 */
int		 db_run_batch(struct db_pool *, long timeout_ms,
		    const struct db_ident *, struct db_stmt *, int n,
		    char *err, size_t errlen);

/* db_run for bytes: lengths[i] and formats[i] (1: binary, 0: text) of each
 * parameter (both NULL: all text), and the whole result in binary
 * (result_binary 1: a bytea column comes back as its bytes, an int8 as 8
 * bytes in network order, a text as its bytes) or text.  Used for file
 * contents, which would double in size as hex. */
PGresult	*db_run_bin(struct db_pool *, long timeout_ms,
		    const struct db_ident *, const char *sql, int nparams,
		    const char *const *params, const int *lengths,
		    const int *formats, int result_binary, char *sqlstate,
		    char *err, size_t errlen);

#endif
