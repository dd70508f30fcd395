/*
 * migrate.c: applies migrations and policies (see migrate.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "util.h"

/* Arbitrary constant for pg_advisory_lock: "councilm". */
#define MIGRATE_LOCK_KEY	"7161634213948271981"

int
migrate_parse_name(const char *s)
{
	size_t	i, n = strlen(s);
	int	v = 0;

	if (n < 10 || strcmp(s + n - 4, ".sql") != 0 || s[4] != '_')
		return -1;
	for (i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	for (i = 5; i < n - 4; i++)
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '_'))
			return -1;
	return v;
}

static int
mg_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return strcmp(x->name, y->name);
}

void
migrate_list_free(struct migration *m, size_t n)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].path);
	}
	free(m);
}

int
migrate_list(const char *dir, int want_versions, struct migration **out,
    size_t *nout, char *err, size_t errlen)
{
	DIR			*d;
	struct dirent		*de;
	struct migration	*m = NULL;
	struct buf		 b;
	char			*text;
	size_t			 n = 0, i, len;
	int			 v, rc = -1;

	buf_init(&b);
	if ((d = opendir(dir)) == NULL) {
		util_errf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		v = 0;
		if (want_versions && (v = migrate_parse_name(de->d_name)) < 0) {
			util_errf(err, errlen, "%s/%s: not a migration name "
			    "(NNNN_name.sql, lowercase)", dir, de->d_name);
			goto out;
		}
		if (n == MIGRATE_MAX_FILES) {
			util_errf(err, errlen, "%s: too many files", dir);
			goto out;
		}
		m = xrealloc(m, (n + 1) * sizeof(*m));
		m[n].version = v;
		m[n].name = xstrdup(de->d_name);
		buf_reset(&b);
		buf_printf(&b, "%s/%s", dir, de->d_name);
		m[n].path = xstrdup(b.data);
		n++;
	}
	if (n > 0)
		qsort(m, n, sizeof(*m), mg_cmp);
	for (i = 0; i < n; i++) {
		if (want_versions && i > 0 && m[i].version == m[i - 1].version) {
			util_errf(err, errlen, "%s and %s have the same number",
			    m[i - 1].name, m[i].name);
			goto out;
		}
		if ((text = util_read_file(m[i].path, MIGRATE_MAX_FILE_SIZE,
		    &len, err, errlen)) == NULL)
			goto out;
		util_sha256_hex(text, len, m[i].sha256);
		free(text);
	}
	*out = m;
	*nout = n;
	m = NULL;
	rc = 0;
out:
	if (d != NULL)
		closedir(d);
	migrate_list_free(m, n);
	buf_free(&b);
	return rc;
}

/* Run sql (one or more statements) and expect success. */
static int
mg_exec(PGconn *c, const char *sql, const char *what, char *err, size_t errlen)
{
	PGresult	*r = PQexec(c, sql);
	int		 ok;

	ok = r != NULL && (PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK);
	if (!ok)
		util_errf(err, errlen, "%s: %s", what,
		    r ? PQresultErrorMessage(r) : PQerrorMessage(c));
	PQclear(r);
	return ok ? 0 : -1;
}

/* Run the file at path inside BEGIN/COMMIT, plus extra SQL before COMMIT
 * (parameterised by one value).  Rolls back on failure. */
static int
mg_apply(PGconn *c, const struct migration *m, const char *extra,
    const char *const *params, int nparams, char *err, size_t errlen)
{
	PGresult	*r = NULL;
	char		*text;
	size_t		 len;
	int		 rc = -1;

	if ((text = util_read_file(m->path, MIGRATE_MAX_FILE_SIZE, &len, err,
	    errlen)) == NULL)
		goto out;
	if (mg_exec(c, "BEGIN", m->name, err, errlen) == -1)
		goto out;
	if (mg_exec(c, text, m->name, err, errlen) == -1)
		goto rollback;
	if (extra != NULL) {
		r = PQexecParams(c, extra, nparams, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			util_errf(err, errlen, "%s: %s", m->name,
			    PQresultErrorMessage(r));
			goto rollback;
		}
	}
	if (mg_exec(c, "COMMIT", m->name, err, errlen) == -1)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	PQclear(PQexec(c, "ROLLBACK"));
out:
	PQclear(r);
	free(text);
	return rc;
}

int
migrate_exec_file(PGconn *c, const char *path, char *err, size_t errlen)
{
	struct migration	m;
	const char		*slash = strrchr(path, '/');

	memset(&m, 0, sizeof(m));
	m.name = (char *)(slash ? slash + 1 : path);
	m.path = (char *)path;
	return mg_apply(c, &m, NULL, NULL, 0, err, errlen);
}

int
migrate_run(PGconn *c, const char *mdir, const char *pdir, FILE *out,
    char *err, size_t errlen)
{
	struct migration	*ms = NULL, *ps = NULL;
	size_t			 nm = 0, np = 0, i;
	PGresult		*applied = NULL;
	const char		*params[3];
	char			 vbuf[16];
	int			 rc = -1, locked = 0, row, nrows, found;

	if (migrate_list(mdir, 1, &ms, &nm, err, errlen) == -1 ||
	    migrate_list(pdir, 0, &ps, &np, err, errlen) == -1)
		goto out;
	if (mg_exec(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
	    "lock", err, errlen) == -1)
		goto out;
	locked = 1;
	if (mg_exec(c,
	    "SET client_min_messages = warning;"
	    "CREATE SCHEMA IF NOT EXISTS council_meta;"
	    "REVOKE ALL ON SCHEMA council_meta FROM PUBLIC;"
	    "CREATE TABLE IF NOT EXISTS council_meta.schema_migrations ("
	    "  version integer PRIMARY KEY,"
	    "  name text NOT NULL,"
	    "  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),"
	    "  applied_at timestamptz NOT NULL DEFAULT now())",
	    "schema_migrations", err, errlen) == -1)
		goto out;

	applied = PQexec(c, "SELECT version, name, sha256 FROM "
	    "council_meta.schema_migrations ORDER BY version");
	if (PQresultStatus(applied) != PGRES_TUPLES_OK) {
		util_errf(err, errlen, "schema_migrations: %s",
		    PQresultErrorMessage(applied));
		goto out;
	}

	/* First check every landed migration: nothing runs if one changed. */
	nrows = PQntuples(applied);
	for (row = 0; row < nrows; row++) {
		int v = atoi(PQgetvalue(applied, row, 0));

		for (found = 0, i = 0; i < nm; i++) {
			if (ms[i].version != v)
				continue;
			found = 1;
			if (strcmp(ms[i].sha256, PQgetvalue(applied, row, 2)) != 0) {
				util_errf(err, errlen, "%s changed after it was "
				    "applied (sha256 %.12s..., now %.12s...): "
				    "landed migrations are never edited; add "
				    "a new one", ms[i].name,
				    PQgetvalue(applied, row, 2), ms[i].sha256);
				goto out;
			}
		}
		if (!found) {
			util_errf(err, errlen, "migration %s was applied but "
			    "its file is missing", PQgetvalue(applied, row, 1));
			goto out;
		}
	}

	for (i = 0; i < nm; i++) {
		for (found = 0, row = 0; row < nrows; row++)
			if (atoi(PQgetvalue(applied, row, 0)) == ms[i].version)
				found = 1;
		if (found)
			continue;
		snprintf(vbuf, sizeof(vbuf), "%d", ms[i].version);
		params[0] = vbuf;
		params[1] = ms[i].name;
		params[2] = ms[i].sha256;
		if (mg_apply(c, &ms[i], "INSERT INTO council_meta.schema_migrations"
		    " (version, name, sha256) VALUES ($1, $2, $3)", params, 3,
		    err, errlen) == -1)
			goto out;
		fprintf(out, "applied %s\n", ms[i].name);
	}
	/*
	 * The policy files in ONE transaction: policy/00_reset.sql drops
	 * every policy of schema council and each file creates its own
	 * again, so nobody may see the tables in between (FORCE'd RLS with
	 * no policy shows nothing).  Until COMMIT others read the old
	 * policies (DROP POLICY holds each table's ACCESS EXCLUSIVE lock, a
	 * request waits); a file that fails leaves them all in force.
	 */
	if (np > 0 && mg_exec(c, "BEGIN", "policy", err, errlen) == -1)
		goto out;
	for (i = 0; i < np; i++) {
		size_t	 len;
		char	*text = util_read_file(ps[i].path,
			    MIGRATE_MAX_FILE_SIZE, &len, err, errlen);
		int	 failed = text == NULL ||
			    mg_exec(c, text, ps[i].name, err, errlen) == -1;

		free(text);
		if (failed) {
			PQclear(PQexec(c, "ROLLBACK"));
			goto out;
		}
	}
	if (np > 0 && mg_exec(c, "COMMIT", "policy", err, errlen) == -1) {
		PQclear(PQexec(c, "ROLLBACK"));
		goto out;
	}
	for (i = 0; i < np; i++)
		fprintf(out, "policy %s\n", ps[i].name);
	rc = 0;
out:
	if (locked)
		PQclear(PQexec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
	PQclear(applied);
	migrate_list_free(ms, nm);
	migrate_list_free(ps, np);
	return rc;
}
