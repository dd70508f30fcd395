/*
 * anchor.h: the audit chain's head, signed and kept outside the database
 * (issue 10 item 6; docs/architecture.md "The audit log").
 *
 * The chain (policy/30_audit.sql) proves order, not authenticity: whoever
 * can switch its triggers off can rewrite a row and re-hash everything
 * after it, or cut rows off the end and move audit_head back, and the
 * chain still verifies.  So councild signs the head now and then with an
 * Ed25519 key the database never holds and writes the checkpoint where
 * the database cannot reach: a line appended to a file (O_APPEND, fsync)
 * and an e-mail to the general-affairs secretariat (R-ORG-5), a party
 * other than the system's administrator (R-ORG-6).  councilctl audit
 * verify --checkpoints FILE --pubkey FILE then checks that the chain
 * recomputed from the database passes through every checkpoint.
 *
 * A checkpoint is one line of text (at most ANCHOR_LINE_MAX bytes):
 *
 *   council-audit-checkpoint v1 seq=S hash=H at=T sig=G
 *
 * S the head's seq (decimal, no sign, no leading zero), H its hash (64
 * lowercase hex digits), T councild's clock when it read the head
 * (YYYY-MM-DDTHH:MM:SSZ, UTC), G the Ed25519 signature (RFC 8032; 128
 * lowercase hex digits) of the bytes before " sig=".  Fields are
 * separated by one space, the line ends with a line feed.  seq 0 is the
 * empty log, whose hash is 32 zero bytes.
 *
 * Two halves: the format, signature and key files, which councilctl uses
 * too; and councild's part (anchor_configure .. anchor_unconfigure),
 * which reads the head through council.audit_checkpoint_head() as
 * council_app and holds the private key for the life of the process.
 */
#ifndef COUNCIL_ANCHOR_H
#define COUNCIL_ANCHOR_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <openssl/evp.h>

struct db_pool;

#define ANCHOR_HASH_LEN		32
#define ANCHOR_SIG_LEN		64	/* Ed25519 */
#define ANCHOR_AT_LEN		20	/* YYYY-MM-DDTHH:MM:SSZ */
#define ANCHOR_LINE_MAX		320	/* bytes of one line, line feed included */
#define ANCHOR_KEY_FILE_MAX	4096	/* a PEM private or public key file */
#define ANCHOR_PREFIX		"council-audit-checkpoint v1"

struct anchor_checkpoint {
	long long	seq;			/* >= 0 */
	unsigned char	hash[ANCHOR_HASH_LEN];
	char		at[ANCHOR_AT_LEN + 1];
	unsigned char	sig[ANCHOR_SIG_LEN];
};

/*
 * anchor_message: the signed text of cp (everything before " sig=", no
 * line feed) into out.  Returns its length, or -1 when out is too small
 * or cp's seq or at is malformed.
 */
int	anchor_message(const struct anchor_checkpoint *, char *out,
	    size_t outlen);
/* anchor_format: the whole line, line feed included.  Length or -1. */
int	anchor_format(const struct anchor_checkpoint *, char *out,
	    size_t outlen);
/*
 * anchor_parse: one line of len bytes (a final line feed is allowed, no
 * other control byte) into cp, strictly in the form above: the canonical
 * text of cp is exactly the line.  0, or -1 (cp undefined).  It does not
 * check the signature.
 */
int	anchor_parse(const char *line, size_t len, struct anchor_checkpoint *);

/* anchor_sign: fill cp->sig with key's signature of anchor_message(cp).
 * 0 or -1 (key is not Ed25519, or OpenSSL failed). */
int	anchor_sign(EVP_PKEY *key, struct anchor_checkpoint *);
/* anchor_sig_ok: 1 when cp->sig is pub's signature of anchor_message(cp),
 * else 0. */
int	anchor_sig_ok(EVP_PKEY *pub, const struct anchor_checkpoint *);

/*
 * anchor_load_private: read an Ed25519 private key (PEM, PKCS #8, not
 * encrypted) from path.  Refused unless path is a regular file owned by
 * this process's user with no permission for group or others (mode 0600
 * or 0400).  The file's bytes are wiped after parsing.  NULL with err
 * ("path: why") on failure; free with EVP_PKEY_free.
 */
EVP_PKEY *anchor_load_private(const char *path, char *err, size_t errlen);
/* anchor_load_public: an Ed25519 public key (PEM "PUBLIC KEY") from path.
 * A private key file is refused too (verification needs no secret). */
EVP_PKEY *anchor_load_public(const char *path, char *err, size_t errlen);
/*
 * anchor_keygen: make a new Ed25519 key; write the private key to path
 * (created with mode 0600, never over an existing file) and the public
 * key (PEM) to pubpath (created or replaced, mode 0644) and, when out is
 * not NULL, to out.  0, or -1 with err (nothing left at path).
 */
int	anchor_keygen(const char *path, const char *pubpath, FILE *out,
	    char *err, size_t errlen);

/*
 * Reading a checkpoint file: each line is parsed, its signature checked
 * against pub, and its seq compared with the line before (a lower seq
 * means the log was cut and grew again between them).  Only the bytes the
 * file held when it was opened are read, so a line councild appends
 * while councilctl reads names no row the reader's snapshot, taken after
 * opening, lacks.
 */
struct anchor_file {
	FILE		*f;
	EVP_PKEY	*pub;
	off_t		 limit;		/* file size at open */
	off_t		 off;
	long		 line;		/* number of the last line read */
	long		 count;		/* checkpoints read and verified */
	struct anchor_checkpoint last;	/* the last of them */
};

/* Open path with the public key in pubpath.  0, or -1 with err (and
 * nothing to close). */
int	anchor_file_open(struct anchor_file *, const char *path,
	    const char *pubpath, char *err, size_t errlen);
/* The next checkpoint into cp: 1, or 0 at the end, or -1 with err
 * ("line N: why"). */
int	anchor_file_next(struct anchor_file *, struct anchor_checkpoint *cp,
	    char *err, size_t errlen);
/* Close; accepts one that was zeroed or already closed. */
void	anchor_file_close(struct anchor_file *);

/*
 * councild's part.  anchor_configure: load the key (refusing a file
 * group or others may read), open the checkpoint file (O_APPEND, created
 * mode 0640) and remember the interval (seconds).  key_file and
 * checkpoint_file both "" turn anchoring off (0, and a warning is
 * logged); one without the other is an error.  -1 with err.
 */
int	anchor_configure(const char *key_file, const char *checkpoint_file,
	    long interval_s, char *err, size_t errlen);
/*
 * anchor_checkpoint: read the head as council_app and, when it moved since
 * the last checkpoint (force: also when the interval has not passed yet),
 * sign it, append the line to the file (fsync) and mail it to the
 * secretariat (server/mail.c).  Called by the clock thread each round
 * (force 0), and by councild's main thread at start and at stop (force 1)
 * while the clock is not running.  Returns 1 when a checkpoint was
 * written, 0 when none was due, -1 when one was due but could not be
 * read, signed or written to the file (logged; a mail that cannot be
 * written is logged only).  Does nothing when anchoring is off.
 */
int	anchor_checkpoint(struct db_pool *, long acquire_ms, int force);
/* Forget the key (freed and wiped) and close the file. */
void	anchor_unconfigure(void);

#endif
