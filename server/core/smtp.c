/*
 * smtp.c: the SMTP client of councild's mailer (see smtp.h).
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "smtp.h"
#include "util.h"

#define SMTP_REPLY_MAX	(SMTP_LINE_MAX * SMTP_LINES_MAX)

static struct {
	char		*host;		/* NULL: off */
	char		 port[8];
	enum smtp_tls	 tls;
	char		*user;
	char		*password;
	int		 auth_plaintext;
	long		 timeout_s;
	char		*helo;
	SSL_CTX		*ctx;
} smtp;

/* One connection to the relay. */
struct smtp_conn {
	int		 fd;
	SSL		*ssl;		/* after STARTTLS */
	struct buf	 in;		/* bytes read, not yet a whole reply */
	int		 code;		/* the last reply's code */
	char		 text[256];	/* its first line, for the log */
	int		 can_tls, can_plain, can_login;
};

int
smtp_configure(const struct smtp_config *c, char *err, size_t errlen)
{
	smtp_unconfigure();
	if (c->host == NULL || c->host[0] == '\0')
		return 0;
	if (c->tls == SMTP_TLS_STARTTLS) {
		if ((smtp.ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
			snprintf(err, errlen, "smtp: cannot make a TLS context");
			return -1;
		}
		SSL_CTX_set_min_proto_version(smtp.ctx, TLS1_2_VERSION);
		SSL_CTX_set_verify(smtp.ctx, SSL_VERIFY_PEER, NULL);
		if ((c->ca_file != NULL && c->ca_file[0] != '\0')
		    ? SSL_CTX_load_verify_locations(smtp.ctx, c->ca_file, NULL) != 1
		    : SSL_CTX_set_default_verify_paths(smtp.ctx) != 1) {
			snprintf(err, errlen, "smtp_ca_file %s: cannot be read",
			    c->ca_file != NULL ? c->ca_file : "");
			SSL_CTX_free(smtp.ctx);
			smtp.ctx = NULL;
			return -1;
		}
	}
	smtp.host = xstrdup(c->host);
	snprintf(smtp.port, sizeof(smtp.port), "%ld", c->port);
	smtp.tls = c->tls;
	smtp.user = xstrdup(c->user != NULL ? c->user : "");
	smtp.password = xstrdup(c->password != NULL ? c->password : "");
	smtp.auth_plaintext = c->auth_plaintext;
	smtp.timeout_s = c->timeout_s > 0 ? c->timeout_s : 30;
	smtp.helo = xstrdup(c->helo != NULL && c->helo[0] != '\0' ? c->helo :
	    "localhost");
	return 0;
}

void
smtp_unconfigure(void)
{
	free(smtp.host);
	free(smtp.user);
	if (smtp.password != NULL) {
		explicit_bzero(smtp.password, strlen(smtp.password));
		free(smtp.password);
	}
	free(smtp.helo);
	SSL_CTX_free(smtp.ctx);
	smtp.host = smtp.user = smtp.password = smtp.helo = NULL;
	smtp.ctx = NULL;
}

int
smtp_enabled(void)
{
	return smtp.host != NULL;
}

int
smtp_reply_parse(const char *buf, size_t len, int *code, size_t *used)
{
	size_t	off = 0, eol, lines = 0;
	int	c, first = -1;

	for (;;) {
		const char *nl = memchr(buf + off, '\n', len - off);

		if (nl == NULL)
			return len - off >= SMTP_LINE_MAX ? -1 : 0;
		eol = (size_t)(nl - buf) + 1;
		if (eol - off > SMTP_LINE_MAX || ++lines > SMTP_LINES_MAX)
			return -1;
		if (eol - off < 4 || buf[off] < '2' || buf[off] > '5' ||
		    buf[off + 1] < '0' || buf[off + 1] > '9' ||
		    buf[off + 2] < '0' || buf[off + 2] > '9')
			return -1;
		c = (buf[off] - '0') * 100 + (buf[off + 1] - '0') * 10 +
		    (buf[off + 2] - '0');
		if (first != -1 && c != first)
			return -1;
		first = c;
		/* "ddd\r\n", "ddd\n", "ddd text": the last line */
		if (buf[off + 3] == ' ' || buf[off + 3] == '\r' ||
		    buf[off + 3] == '\n') {
			*code = c;
			*used = eol;
			return 1;
		}
		if (buf[off + 3] != '-')
			return -1;
		off = eol;
	}
}

void
smtp_dot_stuff(struct buf *out, const char *msg, size_t len)
{
	size_t	i;
	int	bol = 1;

	for (i = 0; i < len; i++) {
		if (bol && msg[i] == '.')
			buf_puts(out, ".");
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			buf_puts(out, "\r");
		buf_append(out, msg + i, 1);
		bol = msg[i] == '\n';
	}
	if (!bol)
		buf_puts(out, "\r\n");
	buf_puts(out, ".\r\n");
}

int
smtp_envelope(const char *from, char *out, size_t outlen)
{
	const char	*a = strrchr(from, '<'), *b;
	size_t		 n;

	if (a != NULL) {
		if ((b = strchr(a, '>')) == NULL)
			return -1;
		a++;
	} else {
		a = from;
		b = from + strlen(from);
	}
	n = (size_t)(b - a);
	if (n == 0 || n >= outlen || memchr(a, '@', n) == NULL)
		return -1;
	memcpy(out, a, n);
	out[n] = '\0';
	if (strpbrk(out, " <>\r\n\t") != NULL)
		return -1;
	return 0;
}

/* Set err from a format, once (the first reason wins). */
static void
smtp_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0 || err[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Connect to the relay within the timeout.  The socket, or -1. */
static int
smtp_connect(char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	struct pollfd	 p;
	struct timeval	 tv;
	socklen_t	 sl;
	int		 fd = -1, rc, soerr;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(smtp.host, smtp.port, &hints, &res)) != 0) {
		smtp_err(err, errlen, "resolve %s: %s", smtp.host,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			p.fd = fd;
			p.events = POLLOUT;
			sl = sizeof(soerr);
			soerr = 0;
			if (poll(&p, 1, (int)(smtp.timeout_s * 1000)) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) ==
			    0 && soerr == 0)
				break;
			errno = soerr != 0 ? soerr : ETIMEDOUT;
		}
		smtp_err(err, errlen, "connect %s:%s: %s", smtp.host,
		    smtp.port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		smtp_err(err, errlen, "connect %s:%s: no address", smtp.host,
		    smtp.port);
		return -1;
	}
	/* Blocking from here on, every read and write within the timeout. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	tv.tv_sec = smtp.timeout_s;
	tv.tv_usec = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Write all of data (through TLS once it is on).  0 or -1. */
static int
smtp_write(struct smtp_conn *c, const char *data, size_t len, char *err,
    size_t errlen)
{
	size_t	off = 0;
	ssize_t	w;
	int	n;

	while (off < len) {
		if (c->ssl != NULL) {
			n = SSL_write(c->ssl, data + off, (int)(len - off > 65536 ?
			    65536 : len - off));
			if (n <= 0) {
				smtp_err(err, errlen, "TLS write failed");
				return -1;
			}
			off += (size_t)n;
			continue;
		}
		if ((w = write(c->fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			smtp_err(err, errlen, "write: %s", strerror(errno));
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* Read one whole reply into c->code and c->text; the capabilities when
 * ehlo.  0, or -1 (closed, timeout, malformed). */
static int
smtp_read(struct smtp_conn *c, int ehlo, char *err, size_t errlen)
{
	char	chunk[4096], *line, *nl;
	size_t	used, n;
	ssize_t	r;
	int	rc;

	for (;;) {
		rc = smtp_reply_parse(c->in.data != NULL ? c->in.data : "",
		    c->in.len, &c->code, &used);
		if (rc == 1)
			break;
		if (rc == -1 || c->in.len > SMTP_REPLY_MAX) {
			smtp_err(err, errlen, "malformed reply from the relay");
			return -1;
		}
		if (c->ssl != NULL) {
			int k = SSL_read(c->ssl, chunk, sizeof(chunk));

			r = k > 0 ? k : -1;
		} else {
			do
				r = read(c->fd, chunk, sizeof(chunk));
			while (r == -1 && errno == EINTR);
		}
		if (r <= 0) {
			smtp_err(err, errlen, "%s", r == 0 ?
			    "the relay closed the connection" :
			    "no reply from the relay (timeout or error)");
			return -1;
		}
		buf_append(&c->in, chunk, (size_t)r);
	}
	/* The first line's text, for the log; the capabilities of EHLO. */
	n = 0;
	for (line = c->in.data; line < c->in.data + used; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(c->in.data + used - line));
		if (n++ == 0)
			snprintf(c->text, sizeof(c->text), "%.*s",
			    (int)(nl - line > 4 ? nl - line - 4 : 0), line + 4);
		if (!ehlo || nl - line < 4)
			continue;
		if (strncasecmp(line + 4, "STARTTLS", 8) == 0)
			c->can_tls = 1;
		if (strncasecmp(line + 4, "AUTH", 4) == 0 &&
		    (line[8] == ' ' || line[8] == '=')) {
			char	 caps[SMTP_LINE_MAX], *tok, *save = NULL;

			snprintf(caps, sizeof(caps), "%.*s",
			    (int)(nl - line - 9), line + 9);
			for (tok = strtok_r(caps, " \r=", &save); tok != NULL;
			    tok = strtok_r(NULL, " \r=", &save)) {
				if (strcasecmp(tok, "PLAIN") == 0)
					c->can_plain = 1;
				else if (strcasecmp(tok, "LOGIN") == 0)
					c->can_login = 1;
			}
		}
	}
	/* keep what came after the reply (a pipelining relay) */
	memmove(c->in.data, c->in.data + used, c->in.len - used);
	c->in.len -= used;
	for (n = strlen(c->text); n > 0 && (c->text[n - 1] == '\r' ||
	    (unsigned char)c->text[n - 1] < 0x20); n--)
		c->text[n - 1] = '\0';
	for (n = 0; c->text[n] != '\0'; n++)
		if ((unsigned char)c->text[n] < 0x20 || c->text[n] == '"')
			c->text[n] = '?';
	return 0;
}

/* Send a command line (or NULL: nothing, just read) and read the reply;
 * 0 when its code is the class want (2 or 3), else -1 with err set. */
static int
smtp_cmd(struct smtp_conn *c, const char *line, int want, int ehlo,
    const char *what, char *err, size_t errlen)
{
	if (line != NULL && smtp_write(c, line, strlen(line), err, errlen) ==
	    -1)
		return -1;
	if (smtp_read(c, ehlo, err, errlen) == -1)
		return -1;
	if (c->code / 100 != want) {
		smtp_err(err, errlen, "%s: %d %s", what, c->code, c->text);
		return -1;
	}
	return 0;
}

/* STARTTLS: the handshake, the relay's certificate verified (chain and
 * name: smtp_host as a DNS name or an IP address). */
static int
smtp_starttls(struct smtp_conn *c, char *err, size_t errlen)
{
	X509_VERIFY_PARAM	*vp;
	unsigned char		 ip[16];
	long			 v;

	if ((c->ssl = SSL_new(smtp.ctx)) == NULL) {
		smtp_err(err, errlen, "TLS: cannot make a connection");
		return -1;
	}
	vp = SSL_get0_param(c->ssl);
	if (inet_pton(AF_INET, smtp.host, ip) == 1 ||
	    inet_pton(AF_INET6, smtp.host, ip) == 1)
		X509_VERIFY_PARAM_set1_ip_asc(vp, smtp.host);
	else {
		SSL_set_tlsext_host_name(c->ssl, smtp.host);
		X509_VERIFY_PARAM_set1_host(vp, smtp.host, 0);
	}
	SSL_set_fd(c->ssl, c->fd);
	if (SSL_connect(c->ssl) != 1) {
		v = SSL_get_verify_result(c->ssl);
		smtp_err(err, errlen, "TLS handshake failed: %s",
		    v != X509_V_OK ? X509_verify_cert_error_string(v) :
		    "no common protocol or cipher");
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* AUTH PLAIN (or LOGIN when the relay offers only that). */
static int
smtp_auth(struct smtp_conn *c, char *err, size_t errlen)
{
	struct buf	 line, raw;
	unsigned char	*enc = NULL;
	size_t		 ul = strlen(smtp.user), pl = strlen(smtp.password);
	int		 rc = -1;

	buf_init(&line);
	buf_init(&raw);
	enc = xmalloc(EVP_ENCODE_LENGTH((int)(ul + pl + 2)) + 1);
	if (c->can_plain || !c->can_login) {
		buf_append(&raw, "", 1);
		buf_append(&raw, smtp.user, ul);
		buf_append(&raw, "", 1);
		buf_append(&raw, smtp.password, pl);
		EVP_EncodeBlock(enc, (unsigned char *)raw.data, (int)raw.len);
		buf_printf(&line, "AUTH PLAIN %s\r\n", enc);
		rc = smtp_cmd(c, line.data, 2, 0, "AUTH PLAIN", err, errlen);
		goto out;
	}
	if (smtp_cmd(c, "AUTH LOGIN\r\n", 3, 0, "AUTH LOGIN", err, errlen) ==
	    -1)
		goto out;
	EVP_EncodeBlock(enc, (const unsigned char *)smtp.user, (int)ul);
	buf_printf(&line, "%s\r\n", enc);
	if (smtp_cmd(c, line.data, 3, 0, "AUTH LOGIN user", err, errlen) == -1)
		goto out;
	buf_reset(&line);
	EVP_EncodeBlock(enc, (const unsigned char *)smtp.password, (int)pl);
	buf_printf(&line, "%s\r\n", enc);
	rc = smtp_cmd(c, line.data, 2, 0, "AUTH LOGIN password", err, errlen);
out:
	if (line.data != NULL)
		explicit_bzero(line.data, line.len);
	if (raw.data != NULL)
		explicit_bzero(raw.data, raw.len);
	explicit_bzero(enc, EVP_ENCODE_LENGTH((int)(ul + pl + 2)) + 1);
	free(enc);
	buf_free(&line);
	buf_free(&raw);
	return rc;
}

enum smtp_result
smtp_send(const char *from, const char *to, const char *msg, size_t len,
    char *err, size_t errlen)
{
	struct smtp_conn	 c;
	struct buf		 line, data;
	enum smtp_result	 res = SMTP_TEMPFAIL;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	buf_init(&c.in);
	buf_init(&line);
	buf_init(&data);
	if (smtp.host == NULL) {
		smtp_err(err, errlen, "no relay configured");
		goto out;
	}
	if (strpbrk(from, "\r\n<> ") != NULL || strpbrk(to, "\r\n<> ") !=
	    NULL) {
		smtp_err(err, errlen, "malformed address");
		res = SMTP_PERMFAIL;
		goto out;
	}
	if ((c.fd = smtp_connect(err, errlen)) == -1)
		goto out;
	if (smtp_cmd(&c, NULL, 2, 0, "greeting", err, errlen) == -1)
		goto fail;
	buf_printf(&line, "EHLO %s\r\n", smtp.helo);
	if (smtp_cmd(&c, line.data, 2, 1, "EHLO", err, errlen) == -1)
		goto fail;
	if (smtp.tls == SMTP_TLS_STARTTLS) {
		if (!c.can_tls) {
			smtp_err(err, errlen, "the relay offers no STARTTLS");
			goto out;
		}
		if (smtp_cmd(&c, "STARTTLS\r\n", 2, 0, "STARTTLS", err,
		    errlen) == -1)
			goto out;
		/* Bytes after the 220 came before TLS: whoever sent them is
		 * not to be believed inside it (command injection). */
		if (c.in.len != 0) {
			smtp_err(err, errlen, "data after STARTTLS's reply");
			goto out;
		}
		if (smtp_starttls(&c, err, errlen) == -1)
			goto out;
		c.can_tls = c.can_plain = c.can_login = 0;
		if (smtp_cmd(&c, line.data, 2, 1, "EHLO", err, errlen) == -1)
			goto fail;
	}
	if (smtp.user[0] != '\0') {
		/* Never the password in the clear unless allowed. */
		if (c.ssl == NULL && !smtp.auth_plaintext) {
			smtp_err(err, errlen, "AUTH refused without TLS "
			    "(smtp_auth_plaintext)");
			goto out;
		}
		if (smtp_auth(&c, err, errlen) == -1)
			goto fail;
	}
	buf_reset(&line);
	buf_printf(&line, "MAIL FROM:<%s>\r\n", from);
	if (smtp_cmd(&c, line.data, 2, 0, "MAIL FROM", err, errlen) == -1)
		goto fail;
	buf_reset(&line);
	buf_printf(&line, "RCPT TO:<%s>\r\n", to);
	if (smtp_cmd(&c, line.data, 2, 0, "RCPT TO", err, errlen) == -1)
		goto fail;
	if (smtp_cmd(&c, "DATA\r\n", 3, 0, "DATA", err, errlen) == -1)
		goto fail;
	smtp_dot_stuff(&data, msg, len);
	if (smtp_write(&c, data.data, data.len, err, errlen) == -1)
		goto out;
	/* The relay's answer to the end of DATA: only a 2xx is "sent". */
	if (smtp_cmd(&c, NULL, 2, 0, "end of DATA", err, errlen) == -1)
		goto fail;
	res = SMTP_SENT;
	(void)smtp_cmd(&c, "QUIT\r\n", 2, 0, "QUIT", NULL, 0);
	goto out;
fail:
	/* A 5xx is for good; anything else (4xx, timeout, close) is not. */
	if (c.code >= 500 && c.code <= 599)
		res = SMTP_PERMFAIL;
	/* After a refused AUTH or TLS the configuration is wrong: retry. */
	if (c.code == 535 || c.code == 530 || c.code == 534 || c.code == 538)
		res = SMTP_TEMPFAIL;
out:
	if (c.ssl != NULL) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	if (c.fd != -1)
		close(c.fd);
	buf_free(&c.in);
	buf_free(&line);
	buf_free(&data);
	return res;
}
