/*
 * councild.c: the Council Portal server.
 *
 * Start-up: read the configuration (-c FILE), load the message catalogs and
 * the templates (a broken one stops start-up), open the database pool as
 * council_app, start libmicrohttpd, sign a first checkpoint of the audit
 * chain (anchor.h: a key or a checkpoint file that does not work stops
 * start-up), then wait for SIGTERM or SIGINT in the main thread (all
 * other threads block signals).  On a signal: stop accepting, let
 * in-flight requests finish (shutdown_grace), sign a last checkpoint,
 * close.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor.h"
#include "autoconfig.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "mail.h"
#include "smime.h"
#include "smtp.h"
#include "membership.h"
#include "metrics.h"
#include "routes.h"
#include "signin.h"
#include "timer.h"
#include "tmpl.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: councild [-c config-file] [-t] [--help-config] [--version]\n"
	    "  -c FILE         configuration file (default: none, built-in defaults)\n"
	    "  -t              check the configuration, catalogs and templates, then exit\n"
	    "  --help-config   list every setting with its default and range\n");
	exit(2);
}

static enum log_level
councild_level(const char *s)
{
	if (strcmp(s, "debug") == 0)
		return LOG_DEBUG;
	if (strcmp(s, "warn") == 0)
		return LOG_WARN;
	if (strcmp(s, "error") == 0)
		return LOG_ERROR;
	return LOG_INFO;
}

/* metrics_init with the route table's patterns, row by row. */
static int
councild_metrics_init(const struct config *cfg, char *err, size_t errlen)
{
	const struct http_route	*rt;
	const char		**patterns;
	size_t			 i, n;
	int			 rc;

	rt = routes_table(&n);
	patterns = xcalloc(n + 1, sizeof(*patterns));
	for (i = 0; i < n; i++)
		patterns[i] = rt[i].pattern;
	rc = metrics_init(patterns, n, PACKAGE_VERSION,
	    cfg->metrics_token_file, err, errlen);
	free(patterns);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help-config", no_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct config		 cfg;
	struct http_server	 srv;
	struct smtp_config	 smtp_cfg;
	struct i18n		*i18n = NULL;
	struct tmpl_set		*tmpl = NULL;
	struct db_pool		*db = NULL, *signin_db = NULL;
	const char		*conf = NULL;
	char			 err[512];
	sigset_t		 sigs;
	int			 ch, sig = 0, test_only = 0, rc = 1;

	while ((ch = getopt_long(argc, argv, "c:t", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 't':
			test_only = 1;
			break;
		case 'H':
			config_describe(stdout);
			return 0;
		case 'V':
			printf("councild %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	config_defaults(&cfg);
	memset(&srv, 0, sizeof(srv));
	if (conf != NULL && config_load(&cfg, conf, err, sizeof(err)) == -1) {
		log_error("msg=\"bad configuration\" error=\"%s\"", err);
		goto out;
	}
	if (config_validate(&cfg, err, sizeof(err)) == -1) {
		log_error("msg=\"bad configuration\" error=\"%s\"", err);
		goto out;
	}
	log_set_level(councild_level(cfg.log_level));
	log_set_format(strcmp(cfg.log_format, "json") == 0 ?
	    LOG_FORMAT_JSON : LOG_FORMAT_LOGFMT);
	if ((i18n = i18n_load(cfg.locale_root, err, sizeof(err))) == NULL) {
		log_error("msg=\"cannot load message catalogs\" error=\"%s\"", err);
		goto out;
	}
	if ((tmpl = tmpl_load_dir(cfg.template_root, err, sizeof(err))) == NULL) {
		log_error("msg=\"cannot load templates\" error=\"%s\"", err);
		goto out;
	}
	if (tmpl_check_keys(tmpl, i18n, err, sizeof(err)) == -1) {
		log_error("msg=\"template names a missing text\" error=\"%s\"",
		    err);
		goto out;
	}
	tmpl_bind_catalogs(tmpl, i18n);
	/* Issue 16: the counters of /metrics, per route pattern, and its
	 * token (a bad token file stops start-up, and -t says so). */
	if (councild_metrics_init(&cfg, err, sizeof(err)) == -1) {
		log_error("msg=\"bad metrics token\" error=\"%s\"", err);
		goto out;
	}
	if (test_only) {
		if (cfg.audit_key_file[0] != '\0') {
			EVP_PKEY	*key;

			if ((key = anchor_load_private(cfg.audit_key_file, err,
			    sizeof(err))) == NULL) {
				log_error("msg=\"bad audit key\" error=\"%s\"",
				    err);
				goto out;
			}
			EVP_PKEY_free(key);
		}
		printf("configuration, catalogs and templates are valid\n");
		rc = 0;
		goto out;
	}
	if (signin_init(&cfg, err, sizeof(err)) == -1) {
		log_error("msg=\"cannot set up sign-in\" error=\"%s\"", err);
		goto out;
	}
	if (membership_init(err, sizeof(err)) == -1) {
		log_error("msg=\"cannot start\" error=\"%s\"", err);
		goto out;
	}
	if (anchor_configure(cfg.audit_key_file, cfg.audit_checkpoint_file,
	    cfg.audit_checkpoint_interval, err, sizeof(err)) == -1) {
		log_error("msg=\"cannot anchor the audit chain\" error=\"%s\"",
		    err);
		goto out;
	}
	if ((db = db_pool_new(cfg.db_conninfo, (int)cfg.db_pool_size, err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"cannot connect to the database\" error=\"%s\"",
		    err);
		goto out;
	}
	/* Sign-in's own role: a connection per worker and per password
	 * thread, so that neither ever waits for the other (signin.h). */
	if ((signin_db = db_pool_new(cfg.db_signin_conninfo,
	    (int)(cfg.worker_threads + cfg.password_checks), err,
	    sizeof(err))) == NULL) {
		log_error("msg=\"cannot connect to the database for sign-in\" "
		    "error=\"%s\"", err);
		goto out;
	}

	/* Signals go to this thread only: block them before MHD's threads
	 * are created, then wait for them with sigwait. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	srv.cfg = &cfg;
	srv.i18n = i18n;
	srv.tmpl = tmpl;
	srv.db = db;
	srv.signin_db = signin_db;
	routes_install(&srv);
	if (http_start(&srv, err, sizeof(err)) == -1) {
		log_error("msg=\"cannot start\" error=\"%s\"", err);
		goto out;
	}
	smtp_cfg.host = cfg.smtp_host;
	smtp_cfg.port = cfg.smtp_port;
	smtp_cfg.tls = strcmp(cfg.smtp_tls, "none") == 0 ? SMTP_TLS_NONE :
	    SMTP_TLS_STARTTLS;
	smtp_cfg.ca_file = cfg.smtp_ca_file;
	smtp_cfg.user = cfg.smtp_user;
	smtp_cfg.password = cfg.smtp_password;
	smtp_cfg.auth_plaintext = (int)cfg.smtp_auth_plaintext;
	smtp_cfg.timeout_s = cfg.smtp_timeout;
	smtp_cfg.helo = cfg.smtp_helo;
	mail_configure_outbox(cfg.mail_retry_base, cfg.mail_retry_max,
	    cfg.mail_lease);
	if (smtp_configure(&smtp_cfg, err, sizeof(err)) == -1 ||
	    smime_configure(cfg.smime_cert, cfg.smime_key, err,
	    sizeof(err)) == -1 ||
	    mail_configure(cfg.mail_dir, cfg.mail_from, cfg.public_url, err,
	    sizeof(err)) == -1) {
		log_error("msg=\"cannot start\" error=\"%s\"", err);
		signin_stop();
		http_stop(&srv, 0);
		goto out;
	}
	/* The first checkpoint proves key, file and head work together. */
	if (anchor_checkpoint(db, cfg.db_acquire_timeout_ms, 1) == -1) {
		log_error("msg=\"cannot start\" error=\"the first audit "
		    "checkpoint was not written\"");
		http_stop(&srv, 0);
		goto out;
	}
	if (timer_start(db, cfg.db_acquire_timeout_ms, cfg.clock_interval, err,
	    sizeof(err)) == -1) {
		log_error("msg=\"cannot start\" error=\"%s\"", err);
		signin_stop();
		http_stop(&srv, 0);
		goto out;
	}
	log_info("msg=listening url=http://%s%s%s:%u/ workers=%ld db_pool=%ld",
	    strchr(cfg.listen_address, ':') ? "[" : "", cfg.listen_address,
	    strchr(cfg.listen_address, ':') ? "]" : "", srv.port,
	    cfg.worker_threads, cfg.db_pool_size);

	if (sigwait(&sigs, &sig) != 0)
		sig = SIGTERM;
	log_info("msg=\"shutting down\" signal=%d grace_s=%ld", sig,
	    cfg.shutdown_grace);
	signin_stop();		/* resumes every sign-in it holds */
	http_stop(&srv, cfg.shutdown_grace);
	timer_stop();
	anchor_checkpoint(db, cfg.db_acquire_timeout_ms, 1);
	log_info("msg=stopped");
	rc = 0;
out:
	anchor_unconfigure();
	metrics_fini();
	membership_fini();
	mail_unconfigure();
	smime_unconfigure();
	smtp_unconfigure();
	signin_fini();
	db_pool_free(signin_db);
	db_pool_free(db);
	tmpl_set_free(tmpl);
	i18n_free(i18n);
	config_free(&cfg);
	return rc;
}
