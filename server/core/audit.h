/*
 * audit.h: verification of the hash-chained audit log (policy/30_audit.sql).
 *
 * Rows are read in seq order, streamed (single-row mode), and each is
 * checked: seq is the next number, prev_hash equals the previous row's hash
 * (32 zero bytes before the first), and hash equals
 * SHA-256(prev_hash || council.audit_payload(row)).  Finally audit_head must
 * name the last row.  So an altered row breaks its own hash, a removed or
 * reordered row breaks the sequence and the links, and rows cut off the
 * end disagree with the head.
 *
 * That much anyone who can switch the triggers off can defeat: re-hash
 * every row after the one changed, or move the head back with the rows
 * cut.  With a checkpoint file (anchor.h) the chain must also pass
 * through every checkpoint councild signed: the row of each checkpoint's
 * seq must exist and carry its hash.  A rewritten row changes the hash of
 * every checkpoint at or after it; a cut tail leaves a checkpoint beyond
 * the end.  The walk and the head are read in one REPEATABLE READ
 * snapshot, taken after the checkpoint file was opened (anchor_file_open
 * reads no line written later).
 */
#ifndef COUNCIL_AUDIT_H
#define COUNCIL_AUDIT_H

#include <stddef.h>
#include <stdio.h>

#include <libpq-fe.h>

struct anchor_file;

/* Verify the chain on c (as council_owner) and, when af is not NULL,
 * against every checkpoint of af (af->count, af->last say how many were
 * matched and the last).  Returns the number of rows verified (>= 0), or
 * -1 with the first problem in err. */
long	audit_verify(PGconn *c, struct anchor_file *af, char *err,
	    size_t errlen);

/* Check one link: hash == SHA-256(prev || payload), all hashes 32 bytes.
 * Returns 1 if it holds, 0 if not.  Exposed for the unit tests. */
int	audit_link_ok(const unsigned char *prev, const char *payload,
	    size_t payload_len, const unsigned char *hash);

#endif
