/*
 * councilctl.c: the administration tool.  Connects as council_owner.
 *
 *   councilctl [-d conninfo] [-r root] migrate
 *   councilctl [-d conninfo] [-r root] seed-demo [password]
 *   councilctl [-d conninfo] audit verify [--checkpoints FILE --pubkey FILE]
 *   councilctl audit keygen FILE
 *   councilctl [-d conninfo] enrol-token EMAIL [DAYS]
 *
 * conninfo defaults to $COUNCIL_OWNER_DSN, then "dbname=council
 * user=council_owner".  root is the folder holding migrations/ and policy/
 * (the source tree, or the installed share folder: the default).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>
#include <openssl/crypto.h>

#include "anchor.h"
#include "audit.h"
#include "autoconfig.h"
#include "migrate.h"
#include "password.h"
#include "totp.h"
#include "util.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/council-portal"
#endif

/* Demo accounts live under this domain; seed-demo sets only their
 * passwords, and only where none is set. */
#define CTL_DEMO_EMAIL_LIKE	"%.example.jp"
#define CTL_DEMO_PASSWORD	"council-demo-2026"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: councilctl [-d conninfo] [-r root] command\n"
	    "commands:\n"
	    "  migrate              apply migrations/ and then policy/\n"
	    "  seed-demo [password] load the demo council (idempotent)\n"
	    "  audit verify [--checkpoints FILE --pubkey FILE]\n"
	    "                       check the audit log's hash chain, and that it\n"
	    "                       passes through every signed checkpoint of FILE\n"
	    "  audit keygen FILE    make councild's Ed25519 key: FILE (mode 0600)\n"
	    "                       and FILE.pub, which is also printed\n"
	    "  enrol-token EMAIL [DAYS]\n"
	    "                       issue a one-time enrolment code for a second\n"
	    "                       factor (default 7 days, at most 30)\n");
	exit(2);
}

static PGconn *
ctl_connect(const char *conninfo)
{
	PGconn	*c = PQconnectdb(conninfo);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "councilctl: cannot connect: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	return c;
}

static int
ctl_exists(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0;
}

static int
ctl_migrate(PGconn *c, const char *root)
{
	struct buf	 m, p;
	char		 err[1024];
	int		 rc;

	buf_init(&m);
	buf_init(&p);
	buf_printf(&m, "%s/migrations", root);
	buf_printf(&p, "%s/policy", root);
	rc = migrate_run(c, m.data, p.data, stdout, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "councilctl migrate: %s\n", err);
	buf_free(&m);
	buf_free(&p);
	return rc;
}

static int
ctl_seed_demo(PGconn *c, const char *root, const char *password)
{
	struct buf	 path;
	PGresult	*r = NULL;
	char		 err[1024], mcf[PASSWORD_MCF_LEN];
	const char	*params[2];
	int		 rc = -1;

	buf_init(&path);
	buf_printf(&path, "%s/demo/demo-council.sql", root);
	if (!ctl_exists(path.data)) {
		buf_reset(&path);
		buf_printf(&path, "%s/deploy/demo/demo-council.sql", root);
	}
	if (migrate_exec_file(c, path.data, err, sizeof(err)) == -1) {
		fprintf(stderr, "councilctl seed-demo: %s\n", err);
		goto out;
	}
	/* The sharing demo, written through council.create_post. */
	path.len = strlen(path.data) - strlen("demo-council.sql");
	path.data[path.len] = '\0';
	buf_puts(&path, "demo-posts.sql");
	if (migrate_exec_file(c, path.data, err, sizeof(err)) == -1) {
		fprintf(stderr, "councilctl seed-demo: %s\n", err);
		goto out;
	}
	/* One hash for every demo account: the demo is one shared secret. */
	if (password_hash(password, mcf) == -1) {
		fprintf(stderr, "councilctl seed-demo: cannot hash password\n");
		goto out;
	}
	params[0] = mcf;
	params[1] = CTL_DEMO_EMAIL_LIKE;
	r = PQexecParams(c, "UPDATE council.people SET password_hash = $1 "
	    "WHERE password_hash IS NULL AND email LIKE $2", 2, NULL, params,
	    NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "councilctl seed-demo: %s",
		    PQresultErrorMessage(r));
		goto out;
	}
	printf("demo council loaded (%s passwords set)\n", PQcmdTuples(r));
	rc = 0;
out:
	OPENSSL_cleanse(mcf, sizeof(mcf));
	PQclear(r);
	buf_free(&path);
	return rc;
}

/* audit verify, against the checkpoints of cpfile (signed by the key in
 * pubfile) when both are given. */
static int
ctl_audit_verify(PGconn *c, const char *cpfile, const char *pubfile)
{
	struct anchor_file	 af;
	char			 err[512];
	long			 n;
	int			 rc = -1;

	memset(&af, 0, sizeof(af));
	if (cpfile != NULL &&
	    anchor_file_open(&af, cpfile, pubfile, err, sizeof(err)) == -1) {
		fprintf(stderr, "councilctl audit verify: FAILED: %s\n", err);
		goto out;
	}
	if ((n = audit_verify(c, cpfile != NULL ? &af : NULL, err,
	    sizeof(err))) < 0) {
		fprintf(stderr, "councilctl audit verify: FAILED: %s%s%s\n",
		    cpfile != NULL ? cpfile : "", cpfile != NULL ? ": " : "",
		    err);
		goto out;
	}
	printf("audit log verified: %ld rows, chain intact\n", n);
	if (cpfile != NULL)
		printf("checkpoints verified: %ld signed, all on the chain; the "
		    "last names seq %lld (signed %s); %lld rows after it are "
		    "not yet anchored\n", af.count, af.last.seq, af.last.at,
		    (long long)n - af.last.seq);
	rc = 0;
out:
	anchor_file_close(&af);
	return rc;
}

static int
ctl_audit_keygen(const char *path)
{
	struct buf	pub;
	char		err[512];
	int		rc;

	buf_init(&pub);
	buf_printf(&pub, "%s.pub", path);
	rc = anchor_keygen(path, pub.data, stdout, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "councilctl audit keygen: %s\n", err);
	else
		fprintf(stderr, "councilctl audit keygen: private key %s "
		    "(mode 0600: councild's user only), public key %s\n", path,
		    pub.data);
	buf_free(&pub);
	return rc;
}

/* The options of "audit verify" (argv[0] is "verify"): both or none.
 * 0, or -1 for a usage error. */
static int
ctl_verify_args(int argc, char **argv, const char **cpfile,
    const char **pubfile)
{
	int	i;

	*cpfile = *pubfile = NULL;
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return -1;
		if (strcmp(argv[i], "--checkpoints") == 0 && *cpfile == NULL)
			*cpfile = argv[i + 1];
		else if (strcmp(argv[i], "--pubkey") == 0 && *pubfile == NULL)
			*pubfile = argv[i + 1];
		else
			return -1;
	}
	return (*cpfile == NULL) == (*pubfile == NULL) ? 0 : -1;
}

/*
 * The operator's enrolment token (issue 10 item 5): for a person who must
 * set up a second factor and has none, when no administrator can issue
 * one (the first administrators of a council, say).  Prints the code once;
 * the database keeps SHA-256 of its normalised form.
 */
static int
ctl_enrol_token(PGconn *c, const char *email, const char *days)
{
	PGresult	*r;
	const char	*params[3];
	char		 code[TOTP_RECOVERY_LEN], norm[TOTP_RECOVERY_NORM_LEN];
	char		 hash[65], hashx[70];
	int		 rc = -1;

	if (totp_recovery_new(code, sizeof(code)) == -1 ||
	    totp_recovery_normalise(code, norm, sizeof(norm)) == -1) {
		fprintf(stderr, "councilctl enrol-token: no random bytes\n");
		goto out;
	}
	util_sha256_hex(norm, strlen(norm), hash);
	snprintf(hashx, sizeof(hashx), "\\x%s", hash);
	params[0] = email;
	params[1] = hashx;
	params[2] = days;
	r = PQexecParams(c, "SELECT to_char(council.enrolment_token_operator("
	    "$1, $2::bytea, $3::int) AT TIME ZONE 'Asia/Tokyo', "
	    "'YYYY-MM-DD HH24:MI') || ' JST'", 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "councilctl enrol-token: %s",
		    PQresultErrorMessage(r));
		PQclear(r);
		goto out;
	}
	printf("%s\t%s\t(valid until %s)\n", email, code, PQgetvalue(r, 0, 0));
	PQclear(r);
	rc = 0;
out:
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(norm, sizeof(norm));
	return rc;
}

int
main(int argc, char **argv)
{
	const char	*conninfo = getenv("COUNCIL_OWNER_DSN");
	const char	*root = PKGDATADIR, *cmd, *cpfile, *pubfile;
	PGconn		*c = NULL;
	int		 ch, rc = 1;

	if (conninfo == NULL || *conninfo == '\0')
		conninfo = "dbname=council user=council_owner";
	while ((ch = getopt(argc, argv, "+d:r:")) != -1) {
		switch (ch) {
		case 'd':
			conninfo = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind];
	if (strcmp(cmd, "migrate") == 0 && argc - optind == 1) {
		if ((c = ctl_connect(conninfo)) != NULL)
			rc = ctl_migrate(c, root) == 0 ? 0 : 1;
	} else if (strcmp(cmd, "seed-demo") == 0 && argc - optind <= 2) {
		if ((c = ctl_connect(conninfo)) != NULL)
			rc = ctl_seed_demo(c, root, argc - optind == 2 ?
			    argv[optind + 1] : CTL_DEMO_PASSWORD) == 0 ? 0 : 1;
	} else if (strcmp(cmd, "audit") == 0 && argc - optind >= 2 &&
	    strcmp(argv[optind + 1], "verify") == 0) {
		if (ctl_verify_args(argc - optind - 1, argv + optind + 1,
		    &cpfile, &pubfile) == -1)
			usage();
		if ((c = ctl_connect(conninfo)) != NULL)
			rc = ctl_audit_verify(c, cpfile, pubfile) == 0 ? 0 : 1;
	} else if (strcmp(cmd, "audit") == 0 && argc - optind == 3 &&
	    strcmp(argv[optind + 1], "keygen") == 0) {
		rc = ctl_audit_keygen(argv[optind + 2]) == 0 ? 0 : 1;
	} else if (strcmp(cmd, "enrol-token") == 0 && argc - optind >= 2 &&
	    argc - optind <= 3) {
		if ((c = ctl_connect(conninfo)) != NULL)
			rc = ctl_enrol_token(c, argv[optind + 1],
			    argc - optind == 3 ? argv[optind + 2] : "7") == 0 ?
			    0 : 1;
	} else
		usage();
	PQfinish(c);
	return rc;
}
