/*
 * anchor.c: signed checkpoints of the audit chain's head, outside the
 * database (see anchor.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "anchor.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "util.h"

#define ANCHOR_SEQ_DIGITS_MAX	19	/* LLONG_MAX has 19 digits */

static const char ANCHOR_HEAD_SQL[] =
    "SELECT seq, hash, mail_to FROM council.audit_checkpoint_head()";

/* councild's state: set by anchor_configure, used by one thread at a
 * time (the main thread at start and stop, the clock in between). */
static struct {
	EVP_PKEY	*key;		/* NULL: anchoring off */
	int		 fd;		/* the checkpoint file, O_APPEND */
	char		*path;
	long		 interval_s;
	int		 have_last;	/* a checkpoint was written */
	long long	 last_seq;
	unsigned char	 last_hash[ANCHOR_HASH_LEN];
	double		 last_ms;	/* monotonic time of it */
} anchor = { .fd = -1 };

/* ---- the line ---- */

static void
anchor_hex(const unsigned char *in, size_t len, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static int
anchor_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;		/* upper case too: one spelling per value */
}

/* Decode exactly 2*len lowercase hex digits at s.  0 or -1. */
static int
anchor_unhex(const char *s, unsigned char *out, size_t len)
{
	size_t	i;
	int	hi, lo;

	for (i = 0; i < len; i++) {
		if ((hi = anchor_nibble(s[2 * i])) < 0 ||
		    (lo = anchor_nibble(s[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Is s (ANCHOR_AT_LEN bytes) shaped YYYY-MM-DDTHH:MM:SSZ? */
static int
anchor_at_ok(const char *s)
{
	static const char	shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t			i;

	for (i = 0; i < ANCHOR_AT_LEN; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return 0;
	}
	return 1;
}

int
anchor_message(const struct anchor_checkpoint *cp, char *out, size_t outlen)
{
	char	hash[2 * ANCHOR_HASH_LEN + 1];
	int	n;

	if (cp->seq < 0 || strnlen(cp->at, sizeof(cp->at)) != ANCHOR_AT_LEN ||
	    !anchor_at_ok(cp->at))
		return -1;
	anchor_hex(cp->hash, ANCHOR_HASH_LEN, hash);
	n = snprintf(out, outlen, ANCHOR_PREFIX " seq=%lld hash=%s at=%s",
	    cp->seq, hash, cp->at);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return n;
}

int
anchor_format(const struct anchor_checkpoint *cp, char *out, size_t outlen)
{
	char	sig[2 * ANCHOR_SIG_LEN + 1];
	int	n, m;

	if ((n = anchor_message(cp, out, outlen)) == -1)
		return -1;
	anchor_hex(cp->sig, ANCHOR_SIG_LEN, sig);
	m = snprintf(out + n, outlen - (size_t)n, " sig=%s\n", sig);
	if (m < 0 || (size_t)m >= outlen - (size_t)n)
		return -1;
	return n + m;
}

/* If *p starts with lit, step over it.  1 or 0. */
static int
anchor_take(const char **p, const char *end, const char *lit)
{
	size_t	n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	return 1;
}

int
anchor_parse(const char *line, size_t len, struct anchor_checkpoint *cp)
{
	const char	*p = line, *end;
	long long	 seq = 0;
	size_t		 digits = 0;

	if (len > ANCHOR_LINE_MAX)
		return -1;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	end = line + len;
	if (!anchor_take(&p, end, ANCHOR_PREFIX " seq="))
		return -1;
	while (p < end && *p >= '0' && *p <= '9') {
		if (++digits > ANCHOR_SEQ_DIGITS_MAX ||
		    (digits > 1 && seq == 0) ||		/* a leading zero */
		    seq > (LLONG_MAX - (*p - '0')) / 10)
			return -1;
		seq = seq * 10 + (*p - '0');
		p++;
	}
	if (digits == 0)
		return -1;
	cp->seq = seq;
	if (!anchor_take(&p, end, " hash=") ||
	    (size_t)(end - p) < 2 * ANCHOR_HASH_LEN ||
	    anchor_unhex(p, cp->hash, ANCHOR_HASH_LEN) == -1)
		return -1;
	p += 2 * ANCHOR_HASH_LEN;
	if (!anchor_take(&p, end, " at=") || (size_t)(end - p) < ANCHOR_AT_LEN ||
	    !anchor_at_ok(p))
		return -1;
	memcpy(cp->at, p, ANCHOR_AT_LEN);
	cp->at[ANCHOR_AT_LEN] = '\0';
	p += ANCHOR_AT_LEN;
	if (!anchor_take(&p, end, " sig=") ||
	    (size_t)(end - p) != 2 * ANCHOR_SIG_LEN ||
	    anchor_unhex(p, cp->sig, ANCHOR_SIG_LEN) == -1)
		return -1;
	return 0;
}

/* ---- signatures ---- */

int
anchor_sign(EVP_PKEY *key, struct anchor_checkpoint *cp)
{
	EVP_MD_CTX	*ctx = NULL;
	char		 msg[ANCHOR_LINE_MAX];
	size_t		 siglen = ANCHOR_SIG_LEN;
	int		 n, rc = -1;

	if (key == NULL || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519 ||
	    (n = anchor_message(cp, msg, sizeof(msg))) == -1)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, cp->sig, &siglen, (const unsigned char *)msg,
	    (size_t)n) != 1 || siglen != ANCHOR_SIG_LEN)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int
anchor_sig_ok(EVP_PKEY *pub, const struct anchor_checkpoint *cp)
{
	EVP_MD_CTX	*ctx = NULL;
	char		 msg[ANCHOR_LINE_MAX];
	int		 n, ok = 0;

	if (pub == NULL || EVP_PKEY_get_id(pub) != EVP_PKEY_ED25519 ||
	    (n = anchor_message(cp, msg, sizeof(msg))) == -1)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pub) == 1 &&
	    EVP_DigestVerify(ctx, cp->sig, ANCHOR_SIG_LEN,
	    (const unsigned char *)msg, (size_t)n) == 1)
		ok = 1;
out:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* ---- key files ---- */

/* Never ask for a passphrase (OpenSSL's default would read the
 * terminal): an encrypted key is refused. */
static int
anchor_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Read a key file of at most ANCHOR_KEY_FILE_MAX bytes into a new
 * buffer of that size (the caller wipes and frees it).  private: refuse
 * unless it is ours and nobody else's.  NULL with err. */
static char *
anchor_read_key_file(const char *path, int private, size_t *lenp, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL, *ret = NULL;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* The checks are on the file that is open: no race with a rename. */
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (private && st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not by councild's "
		    "user (uid %u)", path, (unsigned)st.st_uid,
		    (unsigned)geteuid());
		goto out;
	}
	if (private && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "%s: mode %04o lets group or others "
		    "read it; chmod 600", path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > ANCHOR_KEY_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    ANCHOR_KEY_FILE_MAX);
		goto out;
	}
	buf = xmalloc(ANCHOR_KEY_FILE_MAX + 1);
	while (len < ANCHOR_KEY_FILE_MAX) {
		r = read(fd, buf + len, ANCHOR_KEY_FILE_MAX - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*lenp = len;
	ret = buf;
	buf = NULL;
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, ANCHOR_KEY_FILE_MAX + 1);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	return ret;
}

/* Load a private (private 1) or public key from path.  NULL with err. */
static EVP_PKEY *
anchor_load(const char *path, int private, char *err, size_t errlen)
{
	EVP_PKEY	*key = NULL, *ret = NULL;
	BIO		*bio = NULL;
	char		*buf;
	size_t		 len = 0;

	if ((buf = anchor_read_key_file(path, private, &len, err,
	    errlen)) == NULL)
		return NULL;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	key = private ?
	    PEM_read_bio_PrivateKey(bio, NULL, anchor_no_passphrase, NULL) :
	    PEM_read_bio_PUBKEY(bio, NULL, anchor_no_passphrase, NULL);
	if (key == NULL) {
		snprintf(err, errlen, "%s: not a PEM %s key%s", path,
		    private ? "private" : "public",
		    private ? " (or an encrypted one)" : "");
		goto out;
	}
	if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "%s: not an Ed25519 key", path);
		goto out;
	}
	ret = key;
	key = NULL;
out:
	EVP_PKEY_free(key);
	BIO_free(bio);
	OPENSSL_cleanse(buf, ANCHOR_KEY_FILE_MAX + 1);
	free(buf);
	ERR_clear_error();
	return ret;
}

EVP_PKEY *
anchor_load_private(const char *path, char *err, size_t errlen)
{
	return anchor_load(path, 1, err, errlen);
}

EVP_PKEY *
anchor_load_public(const char *path, char *err, size_t errlen)
{
	return anchor_load(path, 0, err, errlen);
}

/* Write all of data to fd, then fsync.  0 or -1 (errno set). */
static int
anchor_write_all(int fd, const char *data, size_t len)
{
	ssize_t	w;

	while (len > 0) {
		if ((w = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return fsync(fd);
}

int
anchor_keygen(const char *path, const char *pubpath, FILE *out, char *err,
    size_t errlen)
{
	EVP_PKEY	*key = NULL;
	BIO		*priv = NULL, *pub = NULL;
	char		*data;
	long		 len;
	int		 fd = -1, made = 0, n, rc = -1;

	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL) {
		snprintf(err, errlen, "cannot make an Ed25519 key");
		goto out;
	}
	/* Secure memory for the private key's PEM: wiped when freed. */
	if ((priv = BIO_new(BIO_s_secmem())) == NULL ||
	    (pub = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(priv, key, NULL, NULL, 0, NULL,
	    NULL) != 1 || PEM_write_bio_PUBKEY(pub, key) != 1) {
		snprintf(err, errlen, "cannot encode the key");
		goto out;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW | O_NOCTTY, 0600)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	made = 1;
	len = BIO_get_mem_data(priv, &data);
	if (fchmod(fd, 0600) == -1 || len <= 0 ||
	    anchor_write_all(fd, data, (size_t)len) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	n = close(fd);
	fd = -1;
	if (n == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	len = BIO_get_mem_data(pub, &data);
	if ((fd = open(pubpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW | O_NOCTTY, 0644)) == -1 || len <= 0 ||
	    anchor_write_all(fd, data, (size_t)len) == -1) {
		snprintf(err, errlen, "%s: %s", pubpath, strerror(errno));
		goto out;
	}
	n = close(fd);
	fd = -1;
	if (n == -1) {
		snprintf(err, errlen, "%s: %s", pubpath, strerror(errno));
		goto out;
	}
	if (out != NULL)
		fwrite(data, 1, (size_t)len, out);
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (rc == -1 && made)
		unlink(path);
	BIO_free(priv);
	BIO_free(pub);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return rc;
}

/* ---- reading a checkpoint file ---- */

int
anchor_file_open(struct anchor_file *af, const char *path,
    const char *pubpath, char *err, size_t errlen)
{
	struct stat	st;
	int		rc = -1;

	memset(af, 0, sizeof(*af));
	if ((af->pub = anchor_load_public(pubpath, err, errlen)) == NULL)
		goto out;
	if ((af->f = fopen(path, "re")) == NULL ||
	    fstat(fileno(af->f), &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	af->limit = st.st_size;
	rc = 0;
out:
	if (rc == -1)
		anchor_file_close(af);
	return rc;
}

int
anchor_file_next(struct anchor_file *af, struct anchor_checkpoint *cp,
    char *err, size_t errlen)
{
	char	buf[ANCHOR_LINE_MAX];
	size_t	n = 0;
	int	ch = 0;

	while (af->off < af->limit && (ch = getc(af->f)) != EOF) {
		af->off++;
		if (n == sizeof(buf)) {
			snprintf(err, errlen, "line %ld: longer than %d bytes",
			    af->line + 1, ANCHOR_LINE_MAX);
			return -1;
		}
		buf[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	if (n == 0)
		return 0;
	af->line++;
	if (buf[n - 1] != '\n') {
		snprintf(err, errlen, "line %ld: no line feed at its end "
		    "(cut short?)", af->line);
		return -1;
	}
	if (anchor_parse(buf, n, cp) == -1) {
		snprintf(err, errlen, "line %ld: not a checkpoint line",
		    af->line);
		return -1;
	}
	if (!anchor_sig_ok(af->pub, cp)) {
		snprintf(err, errlen, "line %ld (seq %lld, %s): bad signature: "
		    "forged, altered, or not signed by this key", af->line,
		    cp->seq, cp->at);
		return -1;
	}
	if (af->count > 0 && cp->seq < af->last.seq) {
		snprintf(err, errlen, "line %ld (seq %lld, %s) is below line "
		    "%ld (seq %lld, %s): the log was cut and grew again between "
		    "them", af->line, cp->seq, cp->at, af->line - 1,
		    af->last.seq, af->last.at);
		return -1;
	}
	af->count++;
	af->last = *cp;
	return 1;
}

void
anchor_file_close(struct anchor_file *af)
{
	if (af->f != NULL)
		fclose(af->f);
	EVP_PKEY_free(af->pub);
	af->f = NULL;
	af->pub = NULL;
}

/* ---- councild's part ---- */

int
anchor_configure(const char *key_file, const char *checkpoint_file,
    long interval_s, char *err, size_t errlen)
{
	struct stat	st;
	int		rc = -1;

	anchor_unconfigure();
	if (key_file[0] == '\0' && checkpoint_file[0] == '\0') {
		log_warn("msg=\"the audit chain is not anchored\" "
		    "hint=\"set audit_key_file and audit_checkpoint_file\"");
		return 0;
	}
	if (key_file[0] == '\0' || checkpoint_file[0] == '\0') {
		snprintf(err, errlen, "audit_key_file and audit_checkpoint_file "
		    "are set together or not at all");
		goto out;
	}
	if ((anchor.key = anchor_load_private(key_file, err, errlen)) == NULL)
		goto out;
	if ((anchor.fd = open(checkpoint_file, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOCTTY, 0640)) == -1 ||
	    fstat(anchor.fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", checkpoint_file,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", checkpoint_file);
		goto out;
	}
	anchor.path = xstrdup(checkpoint_file);
	anchor.interval_s = interval_s;
	rc = 0;
out:
	if (rc == -1)
		anchor_unconfigure();
	return rc;
}

void
anchor_unconfigure(void)
{
	EVP_PKEY_free(anchor.key);	/* clears the key's bytes */
	if (anchor.fd != -1)
		close(anchor.fd);
	free(anchor.path);
	anchor.key = NULL;
	anchor.fd = -1;
	anchor.path = NULL;
	anchor.have_last = 0;
}

/* Mail line to each address of to (one per line): the secretariat. */
static void
anchor_mail(const struct anchor_checkpoint *cp, const char *line,
    const char *to)
{
	struct buf	 subject, body;
	const char	*p, *nl;
	char		 addr[256];
	size_t		 n;
	int		 sent = 0;

	buf_init(&subject);
	buf_init(&body);
	buf_printf(&subject, "監査ログのチェックポイント / Audit log "
	    "checkpoint: seq %lld", cp->seq);
	buf_printf(&body,
	    "協議会ポータルの councild が監査ログの先頭に署名しました。このメール"
	    "を保管してください。\n"
	    "ログが後から書き換えられたり末尾を削られたりしていないかを、\n"
	    "councilctl audit verify --checkpoints で確かめるための記録です。\n\n"
	    "councild signed the head of the Council Portal's audit log. Keep "
	    "this e-mail:\n"
	    "councilctl audit verify --checkpoints checks the log against it, "
	    "and so\n"
	    "shows whether rows were later rewritten or cut off the end.\n\n"
	    "%s", line);
	for (p = to; *p != '\0'; p = nl + (*nl != '\0')) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if ((n = (size_t)(nl - p)) == 0 || n >= sizeof(addr))
			continue;
		memcpy(addr, p, n);
		addr[n] = '\0';
		if (mail_send(addr, subject.data, body.data) == 0)
			sent++;
	}
	if (sent == 0)
		log_warn("msg=\"audit checkpoint not mailed\" seq=%lld "
		    "reason=\"%s\"", cp->seq, to[0] == '\0' ?
		    "the secretariat has no active administrator" :
		    "e-mail is off or could not be written");
	buf_free(&subject);
	buf_free(&body);
}

int
anchor_checkpoint(struct db_pool *db, long acquire_ms, int force)
{
	struct db_ident		 id = { "", "anchor", NULL };
	struct anchor_checkpoint cp;
	PGresult		*r = NULL;
	struct tm		 tm;
	time_t			 now = time(NULL);
	double			 now_ms = util_now_ms();
	char			 err[256], line[ANCHOR_LINE_MAX + 1], *end;
	const char		*seq;
	int			 n, rc = -1;

	if (anchor.key == NULL)
		return 0;
	/* One second of slack: the clock's round is 15 s plus its work. */
	if (!force && anchor.have_last &&
	    now_ms - anchor.last_ms < (double)anchor.interval_s * 1000.0 - 1000.0)
		return 0;
	memset(&cp, 0, sizeof(cp));
	if ((r = db_run(db, acquire_ms, &id, ANCHOR_HEAD_SQL, 0, NULL, NULL,
	    err, sizeof(err))) == NULL) {
		log_warn("msg=\"cannot read the audit head\" error=\"%s\"", err);
		goto out;
	}
	if (PQntuples(r) != 1 || PQnfields(r) != 3) {
		log_error("msg=\"malformed audit head\"");
		goto out;
	}
	seq = PQgetvalue(r, 0, 0);
	errno = 0;
	cp.seq = strtoll(seq, &end, 10);
	if (end == seq || *end != '\0' || errno != 0 || cp.seq < 0 ||
	    strlen(PQgetvalue(r, 0, 1)) != 2 * ANCHOR_HASH_LEN ||
	    anchor_unhex(PQgetvalue(r, 0, 1), cp.hash, ANCHOR_HASH_LEN) == -1) {
		log_error("msg=\"malformed audit head\"");
		goto out;
	}
	if (anchor.have_last && cp.seq == anchor.last_seq &&
	    memcmp(cp.hash, anchor.last_hash, ANCHOR_HASH_LEN) == 0) {
		rc = 0;			/* nothing new to anchor */
		goto out;
	}
	/* The database moved back under us: say so now.  The checkpoint is
	 * still written, and audit verify names the same break. */
	if (anchor.have_last && cp.seq <= anchor.last_seq)
		log_error("msg=\"audit head moved back or changed\" seq=%lld "
		    "checkpointed_seq=%lld", cp.seq, anchor.last_seq);
	gmtime_r(&now, &tm);
	strftime(cp.at, sizeof(cp.at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (anchor_sign(anchor.key, &cp) == -1 ||
	    (n = anchor_format(&cp, line, sizeof(line))) == -1) {
		log_error("msg=\"cannot sign the audit checkpoint\"");
		goto out;
	}
	/* One write of the whole line: O_APPEND puts it at the end even
	 * if another writer shares the file. */
	if (anchor_write_all(anchor.fd, line, (size_t)n) == -1) {
		log_error("msg=\"cannot write the audit checkpoint\" file=\"%s\" "
		    "error=\"%s\"", anchor.path, strerror(errno));
		goto out;
	}
	anchor.have_last = 1;
	anchor.last_seq = cp.seq;
	memcpy(anchor.last_hash, cp.hash, ANCHOR_HASH_LEN);
	anchor.last_ms = now_ms;
	log_info("msg=\"audit checkpoint\" seq=%lld at=%s", cp.seq, cp.at);
	anchor_mail(&cp, line, PQgetvalue(r, 0, 2));
	rc = 1;
out:
	PQclear(r);
	return rc;
}
