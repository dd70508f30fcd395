/*
 * migrate.h: schema migrations and policies, applied by "councilctl migrate"
 * as council_owner.
 *
 * migrations/NNNN_name.sql are applied in order of NNNN, each in its own
 * transaction, and recorded with their SHA-256 in
 * council_meta.schema_migrations.  Applying is idempotent.  If a file that
 * was applied has changed, or disappeared, nothing is applied and the run
 * fails: landed migrations are never edited.  Then every .sql file of policy/
 * is re-applied in name order, all of them in one transaction (policy files
 * are idempotent: policy/00_reset.sql drops every policy, each file creates
 * its own, functions are CREATE OR REPLACE), so that no other session sees
 * the tables between the drop and the re-creation.
 * A session-level advisory lock keeps two runs apart.
 * Files must not contain BEGIN/COMMIT of their own.
 */
#ifndef COUNCIL_MIGRATE_H
#define COUNCIL_MIGRATE_H

#include <stddef.h>
#include <stdio.h>

#include <libpq-fe.h>

#define MIGRATE_MAX_FILES	9999
#define MIGRATE_MAX_FILE_SIZE	(4 * 1024 * 1024)

struct migration {
	int	 version;	/* NNNN */
	char	*name;		/* file name, e.g. "0001_foundation.sql" */
	char	*path;
	char	 sha256[65];
};

/* Validate a migration file name (^[0-9]{4}_[a-z0-9_]+\.sql$) and return
 * its version, or -1 if it is not one. */
int	migrate_parse_name(const char *);

/* List dir's migrations sorted by version, reading each file's SHA-256.
 * Fails on duplicate versions, unreadable or oversized files, and on names
 * that look like migrations but are malformed (e.g. "1_x.sql").  With
 * suffix ".sql" and versions off (want_versions 0), lists plain .sql files
 * by name (for policy/).  Returns 0 or -1 with err. */
int	migrate_list(const char *dir, int want_versions, struct migration **,
	    size_t *, char *err, size_t errlen);
void	migrate_list_free(struct migration *, size_t);

/* Apply as described above; progress lines go to out.  Returns 0 or -1. */
int	migrate_run(PGconn *, const char *migrations_dir, const char *policy_dir,
	    FILE *out, char *err, size_t errlen);

/* Run a SQL file in one transaction (used for seeds).  Returns 0 or -1. */
int	migrate_exec_file(PGconn *, const char *path, char *err, size_t errlen);

#endif
