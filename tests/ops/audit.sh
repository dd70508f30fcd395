#!/usr/bin/env bash
# tests/ops/audit.sh PGDIR: the audit log is append-only and
# "councilctl audit verify" detects every kind of tampering.  Uses a
# database of its own (council_audit) in the test cluster, so tampering
# touches nothing else.  Needs COUNCILCTL.  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
PGDIR=$1
export PGPASSFILE=$PGDIR/passfile
SUPER="host=$PGDIR/run user=postgres dbname=council_audit"
OWNER="host=$PGDIR/run user=council_owner dbname=council_audit"

super() { psql -X -qAt -v ON_ERROR_STOP=1 "$SUPER" -c "$1" 2>&1; }
owner() { psql -X -qAt -v ON_ERROR_STOP=1 "$OWNER" -c "$1" 2>&1; }
verify() { "$COUNCILCTL" -d "$OWNER" audit verify 2>&1; }
# Tamper as the superuser with triggers off (what an attacker with the
# database files could do), then check verify, then restore.
tamper() { super "SET session_replication_role = replica; $1" >/dev/null; }
restore() {
	tamper "DELETE FROM council.audit_log;
	        INSERT INTO council.audit_log OVERRIDING SYSTEM VALUE
	        SELECT * FROM public.audit_backup;
	        UPDATE council.audit_head SET seq = b.seq, hash = b.hash
	        FROM public.head_backup b"
}

psql -X -q "host=$PGDIR/run user=postgres dbname=postgres" \
	-c 'DROP DATABASE IF EXISTS council_audit' \
	-c 'CREATE DATABASE council_audit OWNER council_owner' >/dev/null 2>&1
"$COUNCILCTL" -d "$OWNER" -r "$ROOT" migrate >/dev/null 2>&1
tap_ok $? "a fresh database for the audit tests is migrated"

out=$(verify); rc=$?
tap_ok "$rc" "an empty audit log verifies"
owner "SELECT count(*) FROM (SELECT council.audit('test.event', 'post', g, jsonb_build_object('n', g)) FROM generate_series(1, 20) g) x" >/dev/null
owner "SELECT council.audit('test.other', NULL, NULL, '{\"note\": \"日本語 and \\\\u0000-free text\"}')" >/dev/null
n=$(owner "SELECT count(*) FROM council.audit_log WHERE seq IS NOT NULL AND hash IS NOT NULL")
tap_is "$n" 21 "every row is sealed at commit (seq and hash set)"
tap_is "$(owner "SELECT count(DISTINCT seq) = 21 AND min(seq) = 1 AND max(seq) = 21 FROM council.audit_log")" t \
	"seq numbers the rows 1..21 without gaps"
out=$(verify); rc=$?
tap_ok "$rc" "verify accepts the intact chain"
tap_like "$out" 'verified: 21 rows' "verify counts every row"

# Append-only even for the owner.
owner "UPDATE council.audit_log SET action = 'forged' WHERE seq = 3" >/dev/null
tap_is "$(owner "SELECT action FROM council.audit_log WHERE seq = 3")" test.event \
	"the owner's UPDATE changes nothing (no policy lets it)"
owner "DELETE FROM council.audit_log" >/dev/null
tap_is "$(owner "SELECT count(*) FROM council.audit_log")" 21 \
	"the owner's DELETE removes nothing"
out=$(owner "TRUNCATE council.audit_log"); rc=$?
tap_like "$out" 'audit_log_append_only' "TRUNCATE is refused even for the owner"
out=$(super "UPDATE council.audit_log SET action = 'forged' WHERE seq = 3")
tap_like "$out" 'audit_log_append_only' "even the superuser's UPDATE is refused by the trigger"
out=$(super "DELETE FROM council.audit_log WHERE seq = 3")
tap_like "$out" 'audit_log_append_only' "even the superuser's DELETE is refused by the trigger"

super "DROP TABLE IF EXISTS public.audit_backup, public.head_backup;
       CREATE TABLE public.audit_backup AS SELECT * FROM council.audit_log;
       CREATE TABLE public.head_backup AS SELECT * FROM council.audit_head" >/dev/null

tamper "UPDATE council.audit_log SET detail = '{\"n\": 99}' WHERE seq = 5"
out=$(verify); rc=$?
tap_is "$rc" 1 "verify fails on an altered row"
tap_like "$out" 'seq 5 .*hash mismatch: the row was altered' "and names the altered row"
restore

tamper "UPDATE council.audit_log SET at = at + interval '1 second' WHERE seq = 9"
out=$(verify); rc=$?
tap_like "$out" 'seq 9 .*altered' "a changed timestamp is detected"
restore

tamper "DELETE FROM council.audit_log WHERE seq = 7"
out=$(verify); rc=$?
tap_is "$rc" 1 "verify fails on a removed row"
tap_like "$out" 'seq 8 found where 7 was expected' "and says where the gap is"
restore

tamper "DELETE FROM council.audit_log WHERE seq = 7;
        UPDATE council.audit_log SET seq = seq - 1 WHERE seq > 7"
out=$(verify); rc=$?
tap_like "$out" 'seq 7: prev_hash does not match' "a removed row with renumbered seqs is detected by the links"
restore

tamper "UPDATE council.audit_log SET seq = -seq WHERE seq IN (3, 4);
        UPDATE council.audit_log SET seq = 4 WHERE seq = -3;
        UPDATE council.audit_log SET seq = 3 WHERE seq = -4"
out=$(verify); rc=$?
tap_is "$rc" 1 "verify fails on reordered rows"
tap_like "$out" 'seq 3: prev_hash does not match' "and names where the order breaks"
restore

tamper "DELETE FROM council.audit_log WHERE seq = 21"
out=$(verify); rc=$?
tap_like "$out" 'audit_head names seq 21 but the log ends at 20' "a row cut off the end is detected by the head"
restore

out=$(verify); rc=$?
tap_ok "$rc" "after restoring, the chain verifies again (the checks above were real)"

# A person sees only its own organisation's audit rows (R-ORG-6: the
# coordinator all) -- checked in tests/sql; here: the app cannot write.
out=$(psql -X -qAt "host=$PGDIR/run user=council_app dbname=council_audit" \
	-c "INSERT INTO council.audit_log (action) VALUES ('forged')" 2>&1)
tap_like "$out" 'permission denied' "council_app cannot insert audit rows directly"
out=$(psql -X -qAt "host=$PGDIR/run user=council_app dbname=council_audit" \
	-c "SELECT council.audit('forged', NULL, NULL, '{}')" 2>&1)
tap_like "$out" 'permission denied' "council_app cannot call council.audit() itself"

psql -X -q "host=$PGDIR/run user=postgres dbname=postgres" \
	-c 'DROP DATABASE IF EXISTS council_audit' >/dev/null 2>&1
tap_done
