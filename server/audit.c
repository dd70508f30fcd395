/*
 * audit.c: councilctl audit verify (see audit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

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

long
audit_verify(PGconn *c, char *err, size_t errlen)
{
	PGresult	*r = NULL;
	unsigned char	 prev[AUDIT_HASH_LEN], rprev[AUDIT_HASH_LEN];
	unsigned char	 hash[AUDIT_HASH_LEN];
	long		 n = 0, seq, head_seq;
	int		 failed = 0;

	memset(prev, 0, sizeof(prev));
	err[0] = '\0';
	if (PQsendQuery(c, AUDIT_ROWS_SQL) != 1 || PQsetSingleRowMode(c) != 1) {
		snprintf(err, errlen, "%s", PQerrorMessage(c));
		return -1;
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
		}
		memcpy(prev, hash, sizeof(prev));
		PQclear(r);
	}
	if (failed)
		return -1;

	r = PQexec(c, "SELECT seq, encode(hash, 'hex') FROM council.audit_head");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		snprintf(err, errlen, "audit_head: %s", PQntuples(r) != 1 ?
		    "missing" : PQresultErrorMessage(r));
		goto fail;
	}
	head_seq = atol(PQgetvalue(r, 0, 0));
	if (head_seq != n || audit_unhex(PQgetvalue(r, 0, 1), hash) == -1 ||
	    CRYPTO_memcmp(hash, prev, sizeof(prev)) != 0) {
		snprintf(err, errlen, "audit_head names seq %ld but the log ends "
		    "at %ld: rows removed at the end, or the head altered",
		    head_seq, n);
		goto fail;
	}
	PQclear(r);
	return n;
fail:
	PQclear(r);
	return -1;
}
