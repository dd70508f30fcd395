/*
 * audit.c: councilctl audit verify, with or without checkpoints (see
 * audit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "anchor.h"
#include "audit.h"
#include "util.h"

#define AUDIT_HASH_LEN	32

static const char AUDIT_ROWS_SQL[] =
    "SELECT seq, id, encode(prev_hash, 'hex'), encode(hash, 'hex'), "
    "council.audit_payload(seq, id, at, person_id, org_id, action, "
    "object_type, object_id, detail, request_id) "
    "FROM council.audit_log ORDER BY seq NULLS LAST, id";

int
audit_link_ok(const unsigned char *prev, const char *payload,
    size_t payload_len, const unsigned char *hash)
{
	EVP_MD_CTX	*ctx;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	int		 ok = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, prev, AUDIT_HASH_LEN) == 1 &&
	    EVP_DigestUpdate(ctx, payload, payload_len) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == AUDIT_HASH_LEN)
		ok = CRYPTO_memcmp(md, hash, AUDIT_HASH_LEN) == 0;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* Decode exactly 64 hex digits into 32 bytes.  Returns 0 or -1. */
static int
audit_unhex(const char *s, unsigned char *out)
{
	unsigned	v;
	size_t		i;

	if (s == NULL || strlen(s) != 2 * AUDIT_HASH_LEN)
		return -1;
	for (i = 0; i < AUDIT_HASH_LEN; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

/*
 * Match the checkpoints that name seq (whose row, or the empty log for
 * seq 0, has hash) and read on to the first one after it.  *matched is
 * the seq of the last checkpoint that held.  0, or -1 with err.
 */
static int
audit_match(struct anchor_file *af, struct anchor_checkpoint *cp, int *have,
    long seq, const unsigned char *hash, long *matched, char *err,
    size_t errlen)
{
	while (*have == 1 && cp->seq == seq) {
		if (CRYPTO_memcmp(cp->hash, hash, AUDIT_HASH_LEN) != 0) {
			snprintf(err, errlen, "seq %ld differs from the checkpoint "
			    "on line %ld (signed %s): a row in seq %ld..%ld was "
			    "rewritten and the chain re-hashed after it", seq,
			    af->line, cp->at, *matched + 1 < seq ? *matched + 1 :
			    seq, seq);
			return -1;
		}
		*matched = seq;
		if ((*have = anchor_file_next(af, cp, err, errlen)) == -1)
			return -1;
	}
	return 0;
}

long
audit_verify(PGconn *c, struct anchor_file *af, char *err, size_t errlen)
{
	PGresult		*r = NULL;
	struct anchor_checkpoint cp;
	unsigned char		 prev[AUDIT_HASH_LEN], rprev[AUDIT_HASH_LEN];
	unsigned char		 hash[AUDIT_HASH_LEN];
	long			 n = 0, seq, head_seq, matched = 0, rc = -1;
	int			 failed = 0, have = 0;

	memset(prev, 0, sizeof(prev));
	err[0] = '\0';
	/* One snapshot for the rows and the head: a row committed meanwhile
	 * is in neither. */
	r = PQexec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
		goto out;
	}
	PQclear(r);
	r = NULL;
	if (af != NULL) {
		if ((have = anchor_file_next(af, &cp, err, errlen)) == -1)
			goto out;
		if (have == 0) {
			snprintf(err, errlen, "the checkpoint file holds no "
			    "checkpoint");
			goto out;
		}
		if (audit_match(af, &cp, &have, 0, prev, &matched, err,
		    errlen) == -1)
			goto out;
	}
	if (PQsendQuery(c, AUDIT_ROWS_SQL) != 1 || PQsetSingleRowMode(c) != 1) {
		snprintf(err, errlen, "%s", PQerrorMessage(c));
		goto out;
	}
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {	/* the end */
			PQclear(r);
			continue;
		}
		if (PQresultStatus(r) != PGRES_SINGLE_TUPLE) {
			if (!failed)
				snprintf(err, errlen, "%s", PQresultErrorMessage(r));
			failed = 1;
			PQclear(r);
			continue;
		}
		if (failed) {		/* drain the rest */
			PQclear(r);
			continue;
		}
		n++;
		if (PQgetisnull(r, 0, 0)) {
			snprintf(err, errlen, "row id %s is not sealed (no seq)",
			    PQgetvalue(r, 0, 1));
			failed = 1;
		} else if ((seq = atol(PQgetvalue(r, 0, 0))) != n) {
			snprintf(err, errlen, "seq %ld found where %ld was "
			    "expected: rows removed or reordered", seq, n);
			failed = 1;
		} else if (audit_unhex(PQgetvalue(r, 0, 2), rprev) == -1 ||
		    audit_unhex(PQgetvalue(r, 0, 3), hash) == -1) {
			snprintf(err, errlen, "seq %ld: malformed hashes", seq);
			failed = 1;
		} else if (CRYPTO_memcmp(rprev, prev, sizeof(prev)) != 0) {
			snprintf(err, errlen, "seq %ld: prev_hash does not match "
			    "the previous row: rows removed or reordered", seq);
			failed = 1;
		} else if (!audit_link_ok(prev, PQgetvalue(r, 0, 4),
		    (size_t)PQgetlength(r, 0, 4), hash)) {
			snprintf(err, errlen, "seq %ld (id %s): hash mismatch: "
			    "the row was altered", seq, PQgetvalue(r, 0, 1));
			failed = 1;
		} else if (af != NULL && audit_match(af, &cp, &have, seq, hash,
		    &matched, err, errlen) == -1)
			failed = 1;
		memcpy(prev, hash, sizeof(prev));
		PQclear(r);
	}
	r = NULL;
	if (failed)
		goto out;

	r = PQexec(c, "SELECT seq, encode(hash, 'hex') FROM council.audit_head");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		snprintf(err, errlen, "audit_head: %s", PQntuples(r) != 1 ?
		    "missing" : PQresultErrorMessage(r));
		goto out;
	}
	head_seq = atol(PQgetvalue(r, 0, 0));
	if (head_seq != n || audit_unhex(PQgetvalue(r, 0, 1), hash) == -1 ||
	    CRYPTO_memcmp(hash, prev, sizeof(prev)) != 0) {
		snprintf(err, errlen, "audit_head names seq %ld but the log ends "
		    "at %ld: rows removed at the end, or the head altered",
		    head_seq, n);
		goto out;
	}
	/* A checkpoint left over names a row the log no longer has. */
	if (have == 1) {
		snprintf(err, errlen, "the log ends at seq %ld but the checkpoint "
		    "on line %ld (signed %s) names seq %lld: rows were cut off "
		    "the end", n, af->line, cp.at, cp.seq);
		goto out;
	}
	rc = n;
out:
	PQclear(r);
	PQclear(PQexec(c, "ROLLBACK"));		/* read only: nothing to keep */
	return rc;
}
