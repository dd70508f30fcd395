/*
 * mail.c: e-mail notifications written into a Maildir (see mail.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "db.h"
#include "log.h"
#include "mail.h"
#include "smime.h"
#include "smtp.h"
#include "util.h"

#define MAIL_SUBJECT_MAX	600	/* bytes of UTF-8 before encoding */
#define MAIL_WORD_BYTES		45	/* per encoded-word: 60 base64 chars */

static struct {
	char		*dir;		/* NULL: e-mail off */
	char		*from;
	char		*url;
	unsigned	 seq;		/* Maildir unique part (atomic) */
	char		 envelope[256];	/* MAIL FROM: the address of from */
	long		 retry_base_s, retry_max_s, lease_s;
} mail = { .retry_base_s = 60, .retry_max_s = 3600, .lease_s = 300 };

int
mail_configure(const char *dir, const char *from, const char *url,
    char *err, size_t errlen)
{
	const char	*sub[] = { "", "/tmp", "/new", "/cur" };
	char		 path[4096];
	size_t		 i;

	mail_unconfigure();
	if (smtp_enabled()) {
		/* The relay is the transport: no Maildir. */
		if (smtp_envelope(from, mail.envelope, sizeof(mail.envelope)) ==
		    -1) {
			snprintf(err, errlen, "mail_from has no address for "
			    "MAIL FROM");
			return -1;
		}
		mail.from = xstrdup(from);
		mail.url = xstrdup(url != NULL ? url : "");
		return 0;
	}
	if (dir == NULL || dir[0] == '\0')
		return 0;
	for (i = 0; i < UTIL_ARRAY_LEN(sub); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s", dir, sub[i]) >=
		    sizeof(path)) {
			snprintf(err, errlen, "mail_dir is too long");
			return -1;
		}
		if (mkdir(path, 0750) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "mail_dir %s: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	mail.dir = xstrdup(dir);
	mail.from = xstrdup(from);
	mail.url = xstrdup(url != NULL ? url : "");
	return 0;
}

void
mail_configure_outbox(long retry_base_s, long retry_max_s, long lease_s)
{
	mail.retry_base_s = retry_base_s;
	mail.retry_max_s = retry_max_s;
	mail.lease_s = lease_s;
}

void
mail_unconfigure(void)
{
	free(mail.dir);
	free(mail.from);
	free(mail.url);
	mail.dir = mail.from = mail.url = NULL;
}

/* Does s hold a byte that may not appear in a header (controls; for an
 * address also white space and what would end it or start another:
 * < > , ; : " ( ) [ ] and backslash)? */
static int
mail_bad_header(const char *s, int address)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
		if (address && strchr(" <>,;:\"()[]\\", *s) != NULL)
			return 1;
	}
	return 0;
}

/* Subject as encoded-words of at most MAIL_WORD_BYTES bytes each, split
 * only between UTF-8 characters (RFC 2047 section 5: a word holds whole
 * characters), folded onto continuation lines. */
static void
mail_subject(struct buf *out, const char *s)
{
	unsigned char	enc[EVP_ENCODE_LENGTH(MAIL_WORD_BYTES) + 1];
	size_t		len = strlen(s), n;

	buf_puts(out, "Subject:");
	while (len > 0) {
		n = len < MAIL_WORD_BYTES ? len : MAIL_WORD_BYTES;
		/* back off continuation bytes (10xxxxxx) at the cut */
		while (n < len && n > 1 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		EVP_EncodeBlock(enc, (const unsigned char *)s, (int)n);
		buf_printf(out, " =?UTF-8?B?%s?=%s", enc, len > n ? "\r\n" : "");
		s += n;
		len -= n;
	}
	buf_puts(out, "\r\n");
}

/* body with each line feed made CRLF, ended by CRLF. */
static void
mail_crlf(struct buf *out, const char *body)
{
	for (; *body != '\0'; body++) {
		if (*body == '\n')
			buf_puts(out, "\r\n");
		else
			buf_append(out, body, 1);
	}
	buf_puts(out, "\r\n");
}

int
mail_format(struct buf *out, const char *from, const char *to,
    const char *subject, const char *body, long long now, const char *msgid)
{
	struct tm	tm;
	time_t		t = (time_t)now;
	char		date[64];

	if (mail_bad_header(from, 0) || mail_bad_header(to, 1) ||
	    mail_bad_header(subject, 0) || mail_bad_header(msgid, 1) ||
	    to[0] == '\0' || strlen(subject) > MAIL_SUBJECT_MAX ||
	    strchr(body, '\r') != NULL)
		return -1;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(out, "From: %s\r\nTo: <%s>\r\n", from, to);
	mail_subject(out, subject);
	buf_printf(out, "Date: %s\r\nMessage-ID: <%s@councild>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Auto-Submitted: auto-generated\r\n\r\n", date, msgid);
	mail_crlf(out, body);
	return 0;
}

int
mail_compose(struct buf *out, const char *from, const char *to,
    const char *subject, const char *body, long long now, const char *msgid,
    const char *recipient_cert)
{
	struct buf	 ent, crlf, wrapped;
	struct tm	 tm;
	time_t		 t = (time_t)now;
	char		 date[64];
	unsigned char	 line[80];
	size_t		 off, n;
	int		 rc = -1;

	if (!smime_signing() && recipient_cert == NULL)
		return mail_format(out, from, to, subject, body, now, msgid);
	if (mail_bad_header(from, 0) || mail_bad_header(to, 1) ||
	    mail_bad_header(subject, 0) || mail_bad_header(msgid, 1) ||
	    to[0] == '\0' || strlen(subject) > MAIL_SUBJECT_MAX ||
	    strchr(body, '\r') != NULL)
		return -1;
	buf_init(&ent);
	buf_init(&crlf);
	buf_init(&wrapped);
	/* The signed entity: base64, so no relay may rewrite a byte of it. */
	mail_crlf(&crlf, body);
	buf_puts(&ent, "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	for (off = 0; off < crlf.len; off += n) {
		n = crlf.len - off < 57 ? crlf.len - off : 57;
		EVP_EncodeBlock(line, (unsigned char *)crlf.data + off, (int)n);
		buf_printf(&ent, "%s\r\n", line);
	}
	if (smime_wrap(&wrapped, ent.data, ent.len, recipient_cert) == -1)
		goto out;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(out, "From: %s\r\nTo: <%s>\r\n", from, to);
	mail_subject(out, subject);
	buf_printf(out, "Date: %s\r\nMessage-ID: <%s@councild>\r\n"
	    "Auto-Submitted: auto-generated\r\n", date, msgid);
	buf_append(out, wrapped.data, wrapped.len);
	rc = 0;
out:
	buf_free(&ent);
	buf_free(&crlf);
	buf_free(&wrapped);
	return rc;
}

/* Write data as Maildir message name: tmp/name, then new/name.  0 or -1
 * (nothing left behind in new/). */
static int
mail_write(const char *name, const char *data, size_t len)
{
	char	tmp[4200], dst[4200];
	int	fd, rc = -1;
	size_t	off = 0;
	ssize_t	w;

	snprintf(tmp, sizeof(tmp), "%s/tmp/%s", mail.dir, name);
	snprintf(dst, sizeof(dst), "%s/new/%s", mail.dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) ==
	    -1) {
		log_warn("msg=\"mail not written\" file=\"%s\" error=\"%s\"",
		    tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		if ((w = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	if (off == len && fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		if (rename(tmp, dst) == 0)
			rc = 0;
	}
	if (rc == -1) {
		log_warn("msg=\"mail not written\" file=\"%s\" error=\"%s\"",
		    tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(tmp);
	}
	return rc;
}

/* A Maildir file name that no other message of this process has. */
static void
mail_name(char *name, size_t len)
{
	snprintf(name, len, "%lld.P%dQ%u.councild", (long long)time(NULL),
	    (int)getpid(), __atomic_add_fetch(&mail.seq, 1, __ATOMIC_RELAXED));
}

/* Hand one formatted message to the transport: the relay, or the
 * Maildir.  SMTP_SENT, SMTP_TEMPFAIL or SMTP_PERMFAIL; err says why. */
static enum smtp_result
mail_transport(const char *to, const struct buf *msg, char *err,
    size_t errlen)
{
	char	name[128];

	if (smtp_enabled())
		return smtp_send(mail.envelope, to, msg->data, msg->len, err,
		    errlen);
	mail_name(name, sizeof(name));
	if (mail_write(name, msg->data, msg->len) == 0)
		return SMTP_SENT;
	snprintf(err, errlen, "not written into the Maildir");
	return SMTP_TEMPFAIL;
}

int
mail_send(const char *to, const char *subject, const char *body)
{
	struct buf	msg;
	char		name[128], err[256];
	int		rc = -1;

	if (mail.from == NULL)
		return 1;
	buf_init(&msg);
	mail_name(name, sizeof(name));
	if (mail_compose(&msg, mail.from, to, subject, body,
	    (long long)time(NULL), name, NULL) == -1) {
		log_warn("msg=\"mail refused\" reason=\"malformed header or "
		    "body\"");
		goto out;
	}
	err[0] = '\0';
	if (mail_transport(to, &msg, err, sizeof(err)) == SMTP_SENT)
		rc = 0;
	else
		log_warn("msg=\"mail not sent\" error=\"%s\"", err);
out:
	buf_free(&msg);
	return rc;
}

/* Run one statement of the outbox as the mailer; 0 or -1 (logged). */
static int
mail_outbox_call(struct db_pool *db, long acquire_ms, const char *sql,
    int n, const char *const *params)
{
	struct db_ident	 id = { "", "mailer", NULL };
	PGresult	*r;
	char		 err[256];

	r = db_run(db, acquire_ms, &id, sql, n, params, NULL, err, sizeof(err));
	if (r == NULL) {
		log_warn("msg=\"e-mail outbox\" error=\"%s\"", err);
		return -1;
	}
	PQclear(r);
	return 0;
}

int
mail_deliver(struct db_pool *db, long acquire_ms)
{
	struct db_ident	 id = { "", "mailer", NULL };
	struct buf	 msg;
	PGresult	*r;
	char		 err[256], limit[16], lease[16], base[16], max[16];
	const char	*claim[3], *p[5];
	const char	*cert;
	enum smtp_result res;
	int		 i, sent = 0;

	if (mail.from == NULL)
		return 0;
	snprintf(limit, sizeof(limit), "%d", MAIL_BATCH);
	snprintf(lease, sizeof(lease), "%ld", mail.lease_s);
	snprintf(base, sizeof(base), "%ld", mail.retry_base_s);
	snprintf(max, sizeof(max), "%ld", mail.retry_max_s);
	/* 1. The notifications due become rows of the outbox. */
	p[0] = limit;
	if (mail_outbox_call(db, acquire_ms, "SELECT council.mail_outbox_fill("
	    "$1::integer, 8)", 1, p) == -1)
		return -1;
	/* 2. Claim the due rows for the lease. */
	claim[0] = limit;
	claim[1] = lease;
	claim[2] = mail.url;
	r = db_run(db, acquire_ms, &id, "SELECT id, email, subject, body, "
	    "message_id, smime_cert FROM council.mail_outbox_claim($1::integer, "
	    "$2::integer, $3)", 3, claim, NULL, err, sizeof(err));
	if (r == NULL) {
		log_warn("msg=\"claiming e-mail failed\" error=\"%s\"", err);
		return -1;
	}
	buf_init(&msg);
	for (i = 0; i < PQntuples(r); i++) {
		buf_reset(&msg);
		err[0] = '\0';
		cert = PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5);
		/* 3. Send; only the relay's 2xx to the end of DATA is sent. */
		if (mail_compose(&msg, mail.from, PQgetvalue(r, i, 1),
		    PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
		    (long long)time(NULL), PQgetvalue(r, i, 4), cert) == -1) {
			snprintf(err, sizeof(err), "malformed header or body");
			res = SMTP_PERMFAIL;
		} else
			res = mail_transport(PQgetvalue(r, i, 1), &msg, err,
			    sizeof(err));
		p[0] = PQgetvalue(r, i, 0);
		if (res == SMTP_SENT) {
			sent++;
			/* A crash before this mark: the row is claimed again
			 * when its lease ends and sent once more, with the
			 * same Message-ID (the documented duplicate). */
			if (mail_outbox_call(db, acquire_ms, "SELECT council."
			    "mail_outbox_sent($1::bigint)", 1, p) == -1)
				log_error("msg=\"e-mail sent but not marked\" "
				    "outbox=%s", p[0]);
			continue;
		}
		log_warn("msg=\"e-mail not sent\" outbox=%s permanent=%d "
		    "error=\"%s\"", p[0], res == SMTP_PERMFAIL, err);
		p[1] = res == SMTP_PERMFAIL ? "true" : "false";
		p[2] = err;
		p[3] = base;
		p[4] = max;
		(void)mail_outbox_call(db, acquire_ms, "SELECT council."
		    "mail_outbox_retry($1::bigint, $2::boolean, $3, $4::integer, "
		    "$5::integer)", 5, p);
	}
	buf_free(&msg);
	PQclear(r);
	return sent;
}
