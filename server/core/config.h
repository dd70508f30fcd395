/*
 * config.h: councild's configuration.  One table (config.c) names every
 * setting with its type, default, range and meaning; the parser, the
 * defaults, "councild --help-config" and docs/configuration.md all come
 * from it.
 *
 * File format: "name = value" per line; '#' starts a comment; blank lines
 * are ignored; values may be double-quoted (then \" and \\ are escapes).
 * Sizes accept the suffixes k, M (1024-based).  Unknown names, repeated
 * names, out-of-range numbers and lines longer than CONFIG_MAX_LINE are
 * errors naming the line.
 */
#ifndef COUNCIL_CONFIG_H
#define COUNCIL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_MAX_LINE		4096
#define CONFIG_MAX_FILE		(256 * 1024)
#define CONFIG_MAX_STRING	1024

struct config {
	char	*listen_address;	/* IPv4/IPv6 literal */
	long	 listen_port;
	char	*web_root;		/* static files, served under /static/ */
	char	*template_root;
	char	*locale_root;		/* ja.po, en.po */
	char	*db_conninfo;		/* libpq conninfo of council_app */
	char	*db_signin_conninfo;	/* libpq conninfo of council_signin */
	long	 db_pool_size;
	long	 db_acquire_timeout_ms;
	long	 worker_threads;	/* libmicrohttpd thread pool size */
	long	 connection_timeout;	/* seconds idle before a connection is closed */
	long	 connection_limit;
	long	 per_ip_connection_limit;
	long	 connection_memory_limit;	/* bytes per connection (headers live here) */
	long	 max_header_size;	/* bytes; larger -> 431 */
	long	 max_body_size;		/* bytes; larger -> 413 */
	long	 attachment_max_size;	/* bytes of one attached file (attach.c) */
	char	*upload_dir;		/* temporary files of uploads */
	long	 uploads_per_address;	/* concurrent uploads per address */
	long	 uploads_per_person;	/* concurrent uploads per person */
	long	 shutdown_grace;	/* seconds to let in-flight requests finish */
	long	 static_max_age;	/* seconds, Cache-Control of /static/ */
	long	 session_idle_timeout;	/* seconds */
	long	 session_lifetime;	/* seconds */
	long	 signin_pending_timeout;	/* seconds */
	long	 password_checks;	/* concurrent scrypt checks */
	long	 signin_queue;		/* sign-ins waiting for one */
	long	 signin_ip_burst;	/* throttle.h: per-address bucket */
	long	 signin_ip_per_min;
	long	 cookie_secure;		/* 1: __Host- prefix and Secure */
	char	*log_level;		/* debug, info, warn, error */
	char	*log_format;		/* logfmt or json */
	char	*trusted_proxy;		/* proxies whose X-Forwarded-For counts */
	long	 clock_interval;	/* seconds between clock rounds */
	char	*mail_dir;		/* Maildir of notifications ("": none) */
	char	*mail_from;		/* From: of notifications */
	char	*public_url;		/* base of links in e-mail ("": none) */
	char	*smtp_host;		/* smtp.h: the relay ("": Maildir) */
	long	 smtp_port;
	char	*smtp_tls;		/* starttls or none */
	char	*smtp_ca_file;
	char	*smtp_user;
	char	*smtp_password;
	long	 smtp_auth_plaintext;
	long	 smtp_timeout;		/* seconds */
	char	*smtp_helo;
	char	*smime_cert;		/* smime.h: signing certificate */
	char	*smime_key;
	long	 mail_retry_base;	/* seconds, doubled per attempt */
	long	 mail_retry_max;	/* seconds */
	long	 mail_lease;		/* seconds a claimed e-mail stays claimed */
	char	*audit_key_file;	/* anchor.h: Ed25519 key ("": off) */
	char	*audit_checkpoint_file;	/* where checkpoints are appended */
	long	 audit_checkpoint_interval;	/* seconds */
	char	*metrics_token_file;	/* metrics.h: /metrics's token ("": off) */
};

/* Fill cfg with the defaults (strings are heap copies). */
void	config_defaults(struct config *);
/* Parse text over cfg.  Returns 0, or -1 with "line N: why" in err. */
int	config_parse(struct config *, const char *text, size_t len,
	    char *err, size_t errlen);
/* Read and parse a file (at most CONFIG_MAX_FILE bytes). */
int	config_load(struct config *, const char *path, char *err, size_t errlen);
/* Check cross-field constraints (e.g. header size below memory limit). */
int	config_validate(const struct config *, char *err, size_t errlen);
void	config_free(struct config *);
/* Print every setting with type, default, range and description. */
void	config_describe(FILE *);
/* Number of settings and the name of setting i (for the tests). */
size_t	config_count(void);
const char *config_name(size_t);

#endif
