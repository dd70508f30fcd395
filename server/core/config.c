/*
 * config.c: the configuration table and its parser (see config.h).
 * Modelled on PgBouncer's CF_ABS table: one row per setting, so that the
 * parser, the defaults and the documentation cannot drift apart.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/council-portal"
#endif

enum cf_type { CF_STR, CF_INT, CF_SIZE };

struct cf_entry {
	const char	*name;
	enum cf_type	 type;
	size_t		 offset;
	const char	*def;
	long		 min, max;
	const char	*help;
};

#define CF(name, type, def, min, max, help) \
	{ #name, type, offsetof(struct config, name), def, min, max, help }

static const struct cf_entry cf_table[] = {
	CF(listen_address, CF_STR, "127.0.0.1", 0, 0,
	    "address to listen on (IPv4 or IPv6 literal)"),
	CF(listen_port, CF_INT, "8080", 0, 65535,
	    "TCP port to listen on (0: any free port, logged at start)"),
	CF(web_root, CF_STR, PKGDATADIR "/web", 0, 0,
	    "folder of static files, served under /static/"),
	CF(template_root, CF_STR, PKGDATADIR "/templates", 0, 0,
	    "folder of the XHTML page templates"),
	CF(locale_root, CF_STR, PKGDATADIR "/po", 0, 0,
	    "folder of the message catalogs ja.po and en.po"),
	CF(db_conninfo, CF_STR, "dbname=council user=council_app", 0, 0,
	    "libpq connection string of the council_app role"),
	CF(db_signin_conninfo, CF_STR, "dbname=council user=council_signin", 0, 0,
	    "libpq connection string of the council_signin role, used by the "
	    "sign-in path alone (worker_threads + password_checks connections)"),
	CF(db_pool_size, CF_INT, "4", 1, 256,
	    "database connections (one per worker thread is enough)"),
	CF(db_acquire_timeout_ms, CF_INT, "5000", 1, 600000,
	    "wait at most this long for a free database connection (then 503)"),
	CF(worker_threads, CF_INT, "4", 1, 256,
	    "libmicrohttpd worker threads"),
	CF(connection_timeout, CF_INT, "30", 1, 3600,
	    "seconds a connection may stay idle before it is closed"),
	CF(connection_limit, CF_INT, "1024", 1, 65536,
	    "concurrent connections in all"),
	CF(per_ip_connection_limit, CF_INT, "64", 1, 65536,
	    "concurrent connections from one IP address"),
	/*
	 * Issue 12 item 5: libmicrohttpd zeroes a connection's whole pool
	 * when a keep-alive request ends, so an idle connection holds all of
	 * it (bench/http/run.sh: 64.6 kB a connection at 64k, 24.6 kB at
	 * 24k).  A request's line and headers need half of it; bodies do not
	 * (forms are copied out in chunks, uploads streamed to a file).
	 */
	CF(connection_memory_limit, CF_SIZE, "24k", 8192, 16 * 1024 * 1024,
	    "memory per connection; the request line and headers must fit in it"),
	CF(max_header_size, CF_SIZE, "12k", 1024, 8 * 1024 * 1024,
	    "largest request line plus headers (431 beyond)"),
	CF(max_body_size, CF_SIZE, "1M", 1024, 1024L * 1024 * 1024,
	    "largest request body (413 beyond)"),
	CF(attachment_max_size, CF_SIZE, "10M", 1024, 10L * 1024 * 1024,
	    "largest attached file (413 beyond); the upload paths alone take "
	    "bodies of this size plus 64k, and only with a credential the "
	    "database knows, checked before 100 Continue; at most the "
	    "database's 10M"),
	CF(upload_dir, CF_STR, "/tmp", 0, 0,
	    "folder of the temporary files an upload is streamed into "
	    "(opened and unlinked at once; nothing stays there)"),
	CF(uploads_per_address, CF_INT, "4", 1, 1024,
	    "uploads one client address may send at once (429 beyond)"),
	CF(uploads_per_person, CF_INT, "2", 1, 1024,
	    "uploads one person may send at once (429 beyond)"),
	CF(shutdown_grace, CF_INT, "10", 0, 600,
	    "seconds in-flight requests get to finish on SIGTERM"),
	CF(static_max_age, CF_INT, "3600", 0, 31536000,
	    "Cache-Control max-age of static files, in seconds"),
	CF(session_idle_timeout, CF_INT, "1800", 60, 86400,
	    "seconds without a request after which a browser session ends"),
	CF(session_lifetime, CF_INT, "43200", 300, 2592000,
	    "seconds after sign-in at which a browser session ends regardless"),
	CF(signin_pending_timeout, CF_INT, "300", 60, 600,
	    "seconds between a right password and the second factor"),
	CF(password_checks, CF_INT, "2", 1, 64,
	    "scrypt checks at once (128 MiB each), each on a thread of its "
	    "own; more sign-ins wait in a queue"),
	CF(signin_queue, CF_INT, "32", 1, 4096,
	    "sign-ins that may wait for a password check; beyond, 503 with "
	    "Retry-After (no worker thread ever waits for one)"),
	CF(signin_ip_burst, CF_INT, "30", 1, 100000,
	    "sign-in attempts one address may make at once"),
	CF(signin_ip_per_min, CF_INT, "20", 1, 100000,
	    "sign-in attempts per minute one address regains"),
	CF(cookie_secure, CF_INT, "1", 0, 1,
	    "1: session cookies are __Host- and Secure (behind TLS); 0: plain HTTP (tests)"),
	CF(log_level, CF_STR, "info", 0, 0, "debug, info, warn or error"),
	CF(log_format, CF_STR, "logfmt", 0, 0,
	    "logfmt: key=value pairs a line; json: the same pairs as one JSON "
	    "object a line (every value a string)"),
	CF(trusted_proxy, CF_STR, "", 0, 0,
	    "addresses of the reverse proxies (comma-separated, exact) whose "
	    "X-Forwarded-For names the client (its last element only); "
	    "empty: the peer's address is the client's"),
	CF(clock_interval, CF_INT, "15", 1, 3600,
	    "seconds between two rounds of the clock (closing polls, "
	    "reminders, e-mail); every instance runs it, and each job is "
	    "done by one instance at a time (a PostgreSQL advisory lock)"),
	CF(mail_dir, CF_STR, "", 0, 0,
	    "Maildir (tmp/, new/) where e-mail notifications are written for "
	    "the mail system to send; empty: no e-mail"),
	CF(mail_from, CF_STR, "Council Portal <noreply@localhost>", 0, 0,
	    "From: of the e-mail notifications"),
	CF(smtp_host, CF_STR, "", 0, 0,
	    "SMTP relay to which e-mail is sent (the outbox, issue 14 item 6); "
	    "empty: e-mail goes into mail_dir instead"),
	CF(smtp_port, CF_INT, "587", 1, 65535, "TCP port of the SMTP relay"),
	CF(smtp_tls, CF_STR, "starttls", 0, 0,
	    "starttls: TLS before anything else is said, the relay's "
	    "certificate verified (a relay without STARTTLS is not used); "
	    "none: plain text (a relay on the same machine)"),
	CF(smtp_ca_file, CF_STR, "", 0, 0,
	    "PEM file of the certificates the relay's is verified against; "
	    "empty: the system's roots"),
	CF(smtp_user, CF_STR, "", 0, 0,
	    "user name for SMTP AUTH (PLAIN, else LOGIN); empty: no AUTH"),
	CF(smtp_password, CF_STR, "", 0, 0, "password for SMTP AUTH"),
	CF(smtp_auth_plaintext, CF_INT, "0", 0, 1,
	    "1: AUTH is allowed without TLS (never over a network)"),
	CF(smtp_timeout, CF_INT, "30", 1, 600,
	    "seconds the relay has for each connect, read and write"),
	CF(smtp_helo, CF_STR, "localhost", 0, 0,
	    "the name councild gives in EHLO"),
	CF(smime_cert, CF_STR, "", 0, 0,
	    "PEM certificate with which outgoing e-mail is signed (S/MIME, "
	    "multipart/signed); set with smime_key; empty: not signed"),
	CF(smime_key, CF_STR, "", 0, 0,
	    "PEM private key of smime_cert (mode 0600, never in the database)"),
	CF(mail_retry_base, CF_INT, "60", 1, 86400,
	    "seconds before the first retry of an e-mail the relay did not "
	    "take; doubled at each attempt up to mail_retry_max"),
	CF(mail_retry_max, CF_INT, "3600", 1, 604800,
	    "most seconds between two attempts of one e-mail"),
	CF(mail_lease, CF_INT, "300", 5, 86400,
	    "seconds an e-mail being sent stays claimed; after a crash it is "
	    "sent again once this has passed (the documented duplicate, same "
	    "Message-ID)"),
	CF(public_url, CF_STR, "", 0, 0,
	    "the portal's address as members reach it (https://...), put "
	    "before the page named in an e-mail; empty: the page alone"),
	CF(audit_key_file, CF_STR, "", 0, 0,
	    "Ed25519 private key (PEM) with which councild signs the audit "
	    "chain's head (councilctl audit keygen); owned by councild's user, "
	    "mode 0600, never in the database; empty: the chain is not anchored"),
	CF(audit_checkpoint_file, CF_STR, "", 0, 0,
	    "file to which each signed checkpoint of the audit chain is "
	    "appended, one line each (they are also mailed to the secretariat); "
	    "set with audit_key_file"),
	CF(audit_checkpoint_interval, CF_INT, "900", 15, 86400,
	    "seconds at least between two checkpoints, taken on the clock's "
	    "15-second round and only when the audit log grew; also one at "
	    "start and one at stop"),
	CF(metrics_token_file, CF_STR, "", 0, 0,
	    "file holding the bearer token of GET /metrics (Prometheus, "
	    "docs/metrics.md): at least 32 visible characters, owned by "
	    "councild's user, mode 0600, read at start; empty: /metrics "
	    "answers 404 like any unknown path"),
};

size_t
config_count(void)
{
	return UTIL_ARRAY_LEN(cf_table);
}

const char *
config_name(size_t i)
{
	return i < UTIL_ARRAY_LEN(cf_table) ? cf_table[i].name : NULL;
}

/* Parse a number with an optional k/M suffix into *out.  Returns 0 or -1. */
static int
cf_number(const char *s, enum cf_type type, long *out)
{
	char	*end;
	long	 v, mul = 1;

	if (*s == '\0' || (!isdigit((unsigned char)*s) && *s != '-'))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0)
		return -1;
	if (type == CF_SIZE && (*end == 'k' || *end == 'K')) {
		mul = 1024;
		end++;
	} else if (type == CF_SIZE && *end == 'M') {
		mul = 1024L * 1024;
		end++;
	}
	if (*end != '\0')
		return -1;
	if (v > LONG_MAX / mul || v < LONG_MIN / mul)
		return -1;
	*out = v * mul;
	return 0;
}

/* Store value into the field of e; "line" is for messages. */
static int
cf_set(struct config *cfg, const struct cf_entry *e, const char *value,
    int line, char *err, size_t errlen)
{
	char	**sp;
	long	 *lp, v;

	if (e->type == CF_STR) {
		if (strlen(value) > CONFIG_MAX_STRING) {
			util_errf(err, errlen, "line %d: %s: value too long",
			    line, e->name);
			return -1;
		}
		sp = (char **)((char *)cfg + e->offset);
		free(*sp);
		*sp = xstrdup(value);
		return 0;
	}
	if (cf_number(value, e->type, &v) == -1) {
		util_errf(err, errlen, "line %d: %s: not a %s: \"%s\"", line,
		    e->name, e->type == CF_SIZE ? "size" : "number", value);
		return -1;
	}
	if (v < e->min || v > e->max) {
		util_errf(err, errlen, "line %d: %s: %ld is outside %ld..%ld",
		    line, e->name, v, e->min, e->max);
		return -1;
	}
	lp = (long *)((char *)cfg + e->offset);
	*lp = v;
	return 0;
}

void
config_defaults(struct config *cfg)
{
	size_t	i;
	char	err[128];

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < UTIL_ARRAY_LEN(cf_table); i++)
		if (cf_set(cfg, &cf_table[i], cf_table[i].def, 0, err,
		    sizeof(err)) == -1)
			abort();	/* a broken default is a programming error */
}

/*
 * Unquote a value in place: "a \"b\"" -> a "b".  Returns the value, or NULL
 * if the quoting is broken.
 */
static char *
cf_unquote(char *v)
{
	char	*r, *w;

	if (*v != '"')
		return v;
	for (r = v + 1, w = v; *r != '\0' && *r != '"'; r++) {
		if (*r == '\\') {
			r++;
			if (*r != '"' && *r != '\\')
				return NULL;
		}
		*w++ = *r;
	}
	if (*r != '"' || r[1] != '\0')
		return NULL;
	*w = '\0';
	return v;
}

/* Cut the line at a '#' that stands outside double quotes. */
static void
cf_strip_comment(char *s)
{
	int	quoted = 0;

	for (; *s != '\0'; s++) {
		if (quoted && *s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (*s == '#' && !quoted) {
			*s = '\0';
			return;
		}
	}
}

int
config_parse(struct config *cfg, const char *text, size_t len, char *err,
    size_t errlen)
{
	char		 line[CONFIG_MAX_LINE + 2];
	unsigned char	 seen[UTIL_ARRAY_LEN(cf_table)];
	const char	*p = text, *end = text + len, *nl;
	char		*name, *value, *eq;
	size_t		 n, i;
	int		 lineno = 0, rc = -1;

	memset(seen, 0, sizeof(seen));
	if (memchr(text, '\0', len) != NULL) {
		util_errf(err, errlen, "configuration contains a NUL byte");
		goto out;
	}
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (nl ? (size_t)(nl - p) : (size_t)(end - p));
		if (n > CONFIG_MAX_LINE) {
			util_errf(err, errlen, "line %d: longer than %d bytes",
			    lineno, CONFIG_MAX_LINE);
			goto out;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl != NULL);

		cf_strip_comment(line);
		name = util_trim(line);
		if (*name == '\0')
			continue;
		if ((eq = strchr(name, '=')) == NULL) {
			util_errf(err, errlen, "line %d: expected name = value",
			    lineno);
			goto out;
		}
		*eq = '\0';
		name = util_trim(name);
		value = cf_unquote(util_trim(eq + 1));
		if (value == NULL) {
			util_errf(err, errlen, "line %d: broken quoting", lineno);
			goto out;
		}
		for (i = 0; i < UTIL_ARRAY_LEN(cf_table); i++)
			if (strcmp(cf_table[i].name, name) == 0)
				break;
		if (i == UTIL_ARRAY_LEN(cf_table)) {
			util_errf(err, errlen, "line %d: unknown setting \"%.64s\"",
			    lineno, name);
			goto out;
		}
		if (seen[i]++) {
			util_errf(err, errlen, "line %d: %s is set twice",
			    lineno, name);
			goto out;
		}
		if (cf_set(cfg, &cf_table[i], value, lineno, err, errlen) == -1)
			goto out;
	}
	rc = 0;
out:
	return rc;
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	char	*text, tmp[512];
	size_t	 len;
	int	 rc;

	if ((text = util_read_file(path, CONFIG_MAX_FILE, &len, err,
	    errlen)) == NULL)
		return -1;
	if ((rc = config_parse(cfg, text, len, err, errlen)) == -1) {
		/* Prefix the file name to "line N: ...". */
		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		util_errf(err, errlen, "%s", tmp);
	}
	free(text);
	return rc;
}

/* 0 if list is empty or names 1..16 IPv4 or IPv6 addresses separated by
 * commas (and blanks), else -1. */
static int
config_addresses_ok(const char *list)
{
	unsigned char	bin[16];
	char		addr[64];
	size_t		n;
	int		count = 0;

	for (; *list != '\0'; list += n) {
		list += strspn(list, ", \t");
		if ((n = strcspn(list, ", \t")) == 0)
			continue;
		if (n >= sizeof(addr) || ++count > 16)
			return -1;
		memcpy(addr, list, n);
		addr[n] = '\0';
		if (inet_pton(AF_INET, addr, bin) != 1 &&
		    inet_pton(AF_INET6, addr, bin) != 1)
			return -1;
	}
	return 0;
}

int
config_validate(const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->max_header_size > cfg->connection_memory_limit / 2) {
		util_errf(err, errlen, "max_header_size (%ld) must be at most half "
		    "of connection_memory_limit (%ld)", cfg->max_header_size,
		    cfg->connection_memory_limit);
		return -1;
	}
	if (cfg->db_pool_size < cfg->worker_threads) {
		util_errf(err, errlen, "db_pool_size (%ld) must be at least "
		    "worker_threads (%ld)", cfg->db_pool_size,
		    cfg->worker_threads);
		return -1;
	}
	/* Header injection: nothing in From: may end the header. */
	if (strpbrk(cfg->mail_from, "\r\n") != NULL ||
	    strlen(cfg->mail_from) > 200) {
		util_errf(err, errlen, "mail_from must be one line of at most "
		    "200 bytes");
		return -1;
	}
	if (strcmp(cfg->smtp_tls, "starttls") != 0 &&
	    strcmp(cfg->smtp_tls, "none") != 0) {
		util_errf(err, errlen, "smtp_tls must be starttls or none");
		return -1;
	}
	if ((cfg->smime_cert[0] == '\0') != (cfg->smime_key[0] == '\0')) {
		util_errf(err, errlen, "smime_cert and smime_key go together");
		return -1;
	}
	if (strpbrk(cfg->smtp_helo, " \t\r\n<>") != NULL ||
	    strlen(cfg->smtp_helo) > 253) {
		util_errf(err, errlen, "smtp_helo must be a host name");
		return -1;
	}
	if (cfg->public_url[0] != '\0' &&
	    ((strncmp(cfg->public_url, "https://", 8) != 0 &&
	    strncmp(cfg->public_url, "http://", 7) != 0) ||
	    strpbrk(cfg->public_url, " \t\r\n\"<>") != NULL)) {
		util_errf(err, errlen, "public_url must be an http(s):// address");
		return -1;
	}
	if ((cfg->audit_key_file[0] == '\0') !=
	    (cfg->audit_checkpoint_file[0] == '\0')) {
		util_errf(err, errlen, "audit_key_file and audit_checkpoint_file "
		    "are set together or not at all");
		return -1;
	}
	if (strcmp(cfg->log_format, "logfmt") != 0 &&
	    strcmp(cfg->log_format, "json") != 0) {
		util_errf(err, errlen, "log_format must be logfmt or json");
		return -1;
	}
	if (config_addresses_ok(cfg->trusted_proxy) == -1) {
		util_errf(err, errlen, "trusted_proxy must list IP addresses, "
		    "separated by commas (at most 16)");
		return -1;
	}
	if (strcmp(cfg->log_level, "debug") != 0 &&
	    strcmp(cfg->log_level, "info") != 0 &&
	    strcmp(cfg->log_level, "warn") != 0 &&
	    strcmp(cfg->log_level, "error") != 0) {
		util_errf(err, errlen, "log_level must be debug, info, warn or "
		    "error");
		return -1;
	}
	return 0;
}

void
config_free(struct config *cfg)
{
	size_t	i;

	for (i = 0; i < UTIL_ARRAY_LEN(cf_table); i++) {
		if (cf_table[i].type == CF_STR) {
			char	**sp = (char **)((char *)cfg + cf_table[i].offset);

			free(*sp);
			*sp = NULL;
		}
	}
}

void
config_describe(FILE *f)
{
	size_t			 i;
	const struct cf_entry	*e;

	for (i = 0; i < UTIL_ARRAY_LEN(cf_table); i++) {
		e = &cf_table[i];
		fprintf(f, "%s\n    %s\n    type: %s; default: %s", e->name,
		    e->help, e->type == CF_STR ? "string" :
		    e->type == CF_SIZE ? "size" : "integer", e->def);
		if (e->type != CF_STR)
			fprintf(f, "; range: %ld..%ld", e->min, e->max);
		fputc('\n', f);
	}
}
