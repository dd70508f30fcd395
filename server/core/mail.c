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
#include "util.h"

#define MAIL_SUBJECT_MAX	600	/* bytes of UTF-8 before encoding */
#define MAIL_WORD_BYTES		45	/* per encoded-word: 60 base64 chars */

static struct {
	char		*dir;		/* NULL: e-mail off */
	char		*from;
	char		*url;
	unsigned	 seq;		/* Maildir unique part (atomic) */
} mail;

int
mail_configure(const char *dir, const char *from, const char *url,
    char *err, size_t errlen)
{
	const char	*sub[] = { "", "/tmp", "/new", "/cur" };
	char		 path[4096];
	size_t		 i;

	mail_unconfigure();
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
	for (; *body != '\0'; body++) {
		if (*body == '\n')
			buf_puts(out, "\r\n");
		else
			buf_append(out, body, 1);
	}
	buf_puts(out, "\r\n");
	return 0;
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

int
mail_send(const char *to, const char *subject, const char *body)
{
	struct buf	msg;
	char		name[128];
	int		rc = -1;

	if (mail.dir == NULL)
		return 1;
	buf_init(&msg);
	mail_name(name, sizeof(name));
	if (mail_format(&msg, mail.from, to, subject, body,
	    (long long)time(NULL), name) == -1) {
		log_warn("msg=\"mail refused\" reason=\"malformed header or "
		    "body\"");
		goto out;
	}
	rc = mail_write(name, msg.data, msg.len);
out:
	buf_free(&msg);
	return rc;
}

int
mail_deliver(struct db_pool *db, long acquire_ms)
{
	struct db_ident	 id = { "", "mailer", NULL };
	struct buf	 msg;
	PGresult	*r, *u;
	const char	*params[1];
	char		 err[256], name[128], limit[16];
	int		 i, sent = 0;
	const char	*claim[] = { limit, NULL };

	if (mail.dir == NULL)
		return 0;
	snprintf(limit, sizeof(limit), "%d", MAIL_BATCH);
	claim[1] = mail.url;
	r = db_run(db, acquire_ms, &id, "SELECT ids::text, email, subject, "
	    "body FROM council.mail_claim($1::integer, 8, $2)", 2, claim, NULL,
	    err, sizeof(err));
	if (r == NULL) {
		log_warn("msg=\"claiming e-mail failed\" error=\"%s\"", err);
		return -1;
	}
	buf_init(&msg);
	for (i = 0; i < PQntuples(r); i++) {
		buf_reset(&msg);
		mail_name(name, sizeof(name));
		if (mail_format(&msg, mail.from, PQgetvalue(r, i, 1),
		    PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
		    (long long)time(NULL), name) == 0 &&
		    mail_write(name, msg.data, msg.len) == 0) {
			sent++;
			continue;
		}
		/* Nothing acknowledged is lost: give it back for the next
		 * round (a malformed one is logged every round until fixed). */
		params[0] = PQgetvalue(r, i, 0);
		u = db_run(db, acquire_ms, &id, "SELECT council.mail_unclaim("
		    "$1::bigint[])", 1, params, NULL, err, sizeof(err));
		if (u == NULL)
			log_error("msg=\"e-mail claimed but not written\" "
			    "ids=\"%s\" error=\"%s\"", params[0], err);
		PQclear(u);
	}
	buf_free(&msg);
	PQclear(r);
	return sent;
}
