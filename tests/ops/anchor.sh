#!/usr/bin/env bash
# tests/ops/anchor.sh: councild anchors the audit chain outside the
# database (issue 10 item 6; docs/configuration.md "The audit anchor").
# Refused starts (a key group or others may read, another user's key, not
# Ed25519, half the settings, a checkpoint file it cannot open), then a
# real councild with a 15-second interval: a signed checkpoint at start,
# a new one after an audited change, each in the file and mailed to the
# secretariat, one at stop, and councilctl audit verify --checkpoints
# passing on them; then, in a scratch database, the tail cut under a
# running councild, which it logs and audit verify reports.  The signatures are also checked with the openssl
# command, an independent verifier.  Starts its own councild (the
# sanitizer build) against the test cluster.  Needs COUNCILD, COUNCILCTL,
# COUNCIL_TEST_OUT, COUNCIL_PGDIR.  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/ops/councild.sh"
. "$ROOT/deploy/common.sh"
OUT=$COUNCIL_TEST_OUT/anchor
PGDIR=$COUNCIL_PGDIR
rm -rf "$OUT"; mkdir -p "$OUT"
SAN_RE='ERROR: (Address|Leak)Sanitizer|runtime error:'
export PGPASSFILE=$PGDIR/passfile
OWNER=$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_owner)
owner() { psql -X -qAt -v ON_ERROR_STOP=1 "$OWNER" -c "$1" 2>&1; }
CPF=$OUT/audit-checkpoints
MAIL=$OUT/mail

council_config "$OUT/councild.conf" 0 "$PGDIR"
echo "audit_checkpoint_interval = 15" >>"$OUT/councild.conf"
tap_like "$(cat "$OUT/councild.conf")" "^audit_key_file = \"$COUNCIL_ANCHOR_KEY\"" \
	"the test configuration names the checkout's key (deploy/common.sh)"
tap_is "$(stat -c %a "$COUNCIL_ANCHOR_KEY")" 600 "which common.sh made mode 0600"

# conf_with NAME SED: a copy of the configuration, edited.
conf_with() { sed "$2" "$OUT/councild.conf" >"$OUT/$1.conf"; }

# A key group or others may read stops start-up (and councild -t).
cp -p "$COUNCIL_ANCHOR_KEY" "$OUT/loose.key"
chmod 640 "$OUT/loose.key"
conf_with loose "s|^audit_key_file = .*|audit_key_file = \"$OUT/loose.key\"|"
out=$("$COUNCILD" -c "$OUT/loose.conf" 2>&1); rc=$?
tap_is "$rc" 1 "councild refuses to start with a key file of mode 0640"
tap_like "$out" 'mode 0640 lets group or others read it' "and says why"
out=$("$COUNCILD" -t -c "$OUT/loose.conf" 2>&1); rc=$?
tap_is "$rc" 1 "councild -t refuses it too"
chmod 604 "$OUT/loose.key"
out=$("$COUNCILD" -c "$OUT/loose.conf" 2>&1); rc=$?
tap_like "$out" 'mode 0604' "a key others may read is refused (mode 0604)"
if [ "$(id -u)" = 0 ]; then
	chmod 600 "$OUT/loose.key"
	chown nobody "$OUT/loose.key"
	out=$("$COUNCILD" -c "$OUT/loose.conf" 2>&1); rc=$?
	tap_like "$out" "owned by uid $(id -u nobody), not by councild's user" \
		"another user's key is refused"
else
	tap_skip "another user's key is refused" "needs root to give a file away"
fi
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out "$OUT/ec.key" 2>/dev/null
chmod 600 "$OUT/ec.key"
conf_with ec "s|^audit_key_file = .*|audit_key_file = \"$OUT/ec.key\"|"
out=$("$COUNCILD" -c "$OUT/ec.conf" 2>&1); rc=$?
tap_like "$out" 'not an Ed25519 key' "a key of another kind is refused"
conf_with half "/^audit_checkpoint_file/d"
out=$("$COUNCILD" -c "$OUT/half.conf" 2>&1); rc=$?
tap_like "$out" 'audit_key_file and audit_checkpoint_file are set together' \
	"a key without a checkpoint file is a configuration error"
conf_with nofile "s|^audit_checkpoint_file = .*|audit_checkpoint_file = \"$OUT/nowhere/cp\"|"
out=$("$COUNCILD" -c "$OUT/nofile.conf" 2>&1); rc=$?
tap_is "$rc" 1 "councild refuses to start when it cannot open the checkpoint file"
tap_like "$out" 'cannot anchor the audit chain' "and says why"
[ ! -e "$CPF" ]; tap_ok $? "no refused start wrote a checkpoint"

# checkpoint_ok LINE: the openssl command accepts LINE's signature.
checkpoint_ok() {
	local line=$1
	printf '%s' "${line% sig=*}" >"$OUT/msg"
	printf "$(printf '%s' "${line##* sig=}" | sed 's/../\\x&/g')" >"$OUT/sig"
	openssl pkeyutl -verify -pubin -inkey "$COUNCIL_ANCHOR_PUB" -rawin \
		-in "$OUT/msg" -sigfile "$OUT/sig" >/dev/null 2>&1
}
# mail_with TEXT [ADDR]: the Maildir files (new/) that hold TEXT (and
# are addressed to ADDR).
mail_with() {
	grep -l -F -- "$1" "$MAIL"/new/* 2>/dev/null \
		| { if [ -n "${2:-}" ]; then xargs -r grep -l -F -- "To: <$2>"; else cat; fi; }
}
FORM='^council-audit-checkpoint v1 seq=[1-9][0-9]* hash=[0-9a-f]{64} at=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z sig=[0-9a-f]{128}$'
SECRETARIAT=$(owner "SELECT string_agg(p.email, ' ' ORDER BY p.id) FROM council.people p
	JOIN council.organisations o ON o.id = p.org_id
	WHERE o.council_role = 'secretariat' AND p.active AND p.is_org_admin")
tap_like "$SECRETARIAT" '@' "the test council's secretariat has an administrator ($SECRETARIAT)"
verify() {
	"$COUNCILCTL" -d "$OWNER" audit verify --checkpoints "$CPF" \
		--pubkey "$COUNCIL_ANCHOR_PUB" 2>&1
}

if councild_start "$OUT/councild.conf" "$OUT/councild.log"; then
	head_at_start=$(owner "SELECT seq FROM council.audit_head")
	tap_is "$(wc -l <"$CPF")" 1 "councild wrote a checkpoint at start"
	first=$(head -1 "$CPF")
	tap_like "$first" "$FORM" "in the documented form"
	seq1=$(sed -E 's/.* seq=([0-9]+) .*/\1/' <<<"$first")
	[ "$seq1" -le "$head_at_start" ] && [ "$seq1" -ge 1 ]
	tap_ok $? "naming the head's seq ($seq1, head now $head_at_start)"
	tap_is "$(stat -c %a "$CPF")" 640 "the checkpoint file is mode 0640"
	checkpoint_ok "$first"
	tap_ok $? "the openssl command verifies its signature with the public key"
	for a in $SECRETARIAT; do
		tap_like "$(mail_with "$first" "$a")" . \
			"the checkpoint line was mailed to the secretariat's administrator $a"
	done
	m=$(mail_with "$first" | head -1)
	tap_like "$(cat "$m" 2>/dev/null)" '^Auto-Submitted: auto-generated' "as an automatic e-mail"
	tap_is "$(sed -n '/^\r*$/,$p' "$m" 2>/dev/null | tr -d '\r' | grep -c -F 'council-audit-checkpoint')" 1 \
		"whose body holds the line once"
	tap_is "$(ls "$MAIL"/new | wc -l)" "$(echo $SECRETARIAT | wc -w)" \
		"one e-mail per administrator, nothing else"

	# An audited change, with a marker that must not leave the database.
	marker=anchor-marker-$RANDOM$RANDOM
	id=$(owner "SELECT council.audit('test.anchor', NULL, NULL, jsonb_build_object('note', '$marker'))")
	seq=$(owner "SELECT seq FROM council.audit_log WHERE id = $id")
	tap_like "$seq" '^[0-9]+$' "an audited change is sealed as seq $seq"
	line=
	for _ in $(seq 1 100); do
		line=$(awk -v s="$seq" '{ for (i = 1; i <= NF; i++) if ($i ~ /^seq=/) { split($i, a, "="); if (a[2] + 0 >= s + 0) { print; exit } } }' "$CPF")
		[ -n "$line" ] && break
		sleep 0.5
	done
	tap_like "$line" "$FORM" "within the interval councild wrote a new checkpoint covering it"
	tap_is "$(awk '{ print $3, $4 }' "$CPF" | uniq -d)" "" \
		"no head is checkpointed twice in a row (only when the log grew)"
	checkpoint_ok "$line"
	tap_ok $? "the openssl command verifies the new one's signature"
	for a in $SECRETARIAT; do
		tap_like "$(mail_with "$line" "$a")" . "and the new checkpoint line was mailed to $a"
	done
	tap_is "$(grep -l -F -- "$marker" "$MAIL"/new/* 2>/dev/null)" "" \
		"no e-mail carries anything of the log's rows (the marker is in none)"
	tap_is "$(grep -c -F -- "$marker" "$CPF")" 0 "nor does the checkpoint file"
	out=$(verify); rc=$?
	tap_ok "$rc" "councilctl audit verify --checkpoints passes on councild's checkpoints"
	tap_like "$out" "checkpoints verified: $(wc -l <"$CPF") signed, all on the chain" \
		"and matched every one of them"

	# A change just before SIGTERM is anchored by the last checkpoint.
	id=$(owner "SELECT council.audit('test.anchor.stop', NULL, NULL, '{}')")
	seq=$(owner "SELECT seq FROM council.audit_log WHERE id = $id")
	councild_stop
	tap_is "$COUNCILD_RC" 0 "councild exits 0 on SIGTERM"
	last=$(tail -1 "$CPF")
	tap_like "$last" "$FORM" "and wrote a checkpoint at stop"
	last_seq=$(sed -E 's/.* seq=([0-9]+) .*/\1/' <<<"$last")
	[ "${last_seq:-0}" -ge "$seq" ]; tap_ok $? "covering the change made just before (seq $seq)"
	out=$(verify); rc=$?
	tap_ok "$rc" "councilctl audit verify --checkpoints passes after the stop"
	tap_like "$(cat "$OUT/councild.log")" 'msg="audit checkpoint" seq=' "councild logs each checkpoint"
	tap_unlike "$(cat "$OUT/councild.log")" "$SAN_RE" "no sanitizer report"
else
	tap_ok 1 "councild started with the audit anchor"
	sed 's/^/# /' "$OUT/councild.log" | tail -20
fi

# ---- Attack 2 against councild's own checkpoints ----
# In a database of its own (council_anchor), so that the cut touches
# nothing else: councild anchors the empty log and then 10 rows; the last
# 5 are cut and the head moved back, which the chain alone accepts.
# councild notices the head moving back at its next round, and audit
# verify, given its checkpoints, fails.
SCR=$OUT/scratch
mkdir -p "$SCR"
psql -X -q "host=$PGDIR/run user=postgres dbname=postgres" \
	-c 'DROP DATABASE IF EXISTS council_anchor' \
	-c 'CREATE DATABASE council_anchor OWNER council_owner' >/dev/null 2>&1
OWNER2=$(sed 's/dbname=council /dbname=council_anchor /' <<<"$OWNER ")
owner2() { psql -X -qAt -v ON_ERROR_STOP=1 "$OWNER2" -c "$1" 2>&1; }
"$COUNCILCTL" -d "$OWNER2" -r "$ROOT" migrate >/dev/null 2>&1
tap_ok $? "a scratch database (council_anchor) is migrated"
council_config "$SCR/councild.conf" 0 "$PGDIR"
sed -i 's/dbname=council /dbname=council_anchor /' "$SCR/councild.conf"
echo "audit_checkpoint_interval = 15" >>"$SCR/councild.conf"
CPF2=$SCR/audit-checkpoints
# wait_line SEQ: wait (at most 50 s) for a checkpoint line naming SEQ.
wait_line() {
	for _ in $(seq 1 100); do
		grep -q " seq=$1 " "$CPF2" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}
if councild_start "$SCR/councild.conf" "$SCR/councild.log"; then
	tap_like "$(head -1 "$CPF2")" " seq=0 hash=0{64} " \
		"councild anchors the empty log (seq 0, 64 zeros)"
	tap_like "$(cat "$SCR/councild.log")" 'audit checkpoint not mailed.*no active administrator' \
		"with no secretariat administrator it says the checkpoint was not mailed"
	owner2 "SELECT count(*) FROM (SELECT council.audit('test.scratch', NULL, NULL, '{}') FROM generate_series(1, 10) g) x" >/dev/null
	wait_line 10
	tap_ok $? "after 10 audited rows councild anchors seq 10"
	psql -X -qAt -v ON_ERROR_STOP=1 "host=$PGDIR/run user=postgres dbname=council_anchor" -c "
		SET session_replication_role = replica;
		DELETE FROM council.audit_log WHERE seq > 5;
		UPDATE council.audit_head SET seq = 5,
		    hash = (SELECT hash FROM council.audit_log WHERE seq = 5)" >/dev/null 2>&1
	tap_is "$(owner2 "SELECT seq FROM council.audit_head")" 5 "the last 5 rows are cut and the head moved back"
	out=$("$COUNCILCTL" -d "$OWNER2" audit verify 2>&1); rc=$?
	tap_ok "$rc" "the chain alone still verifies"
	wait_line 5
	tap_ok $? "councild anchors the shorter head at its next round"
	tap_like "$(cat "$SCR/councild.log")" 'level=error msg="audit head moved back or changed" seq=5 checkpointed_seq=10' \
		"and logs an error that the head moved back"
	out=$("$COUNCILCTL" -d "$OWNER2" audit verify --checkpoints "$CPF2" \
		--pubkey "$COUNCIL_ANCHOR_PUB" 2>&1); rc=$?
	tap_is "$rc" 1 "audit verify with councild's checkpoints FAILS"
	tap_like "$out" 'the log ends at seq 5 but the checkpoint on line 2 .*names seq 10: rows were cut off the end' \
		"naming the checkpoint whose rows were cut"
	councild_stop
	tap_is "$COUNCILD_RC" 0 "councild exits 0 on SIGTERM"
	tap_unlike "$(cat "$SCR/councild.log")" "$SAN_RE" "no sanitizer report (scratch run)"
else
	tap_ok 1 "councild started on the scratch database"
	sed 's/^/# /' "$SCR/councild.log" | tail -20
fi
psql -X -q "host=$PGDIR/run user=postgres dbname=postgres" \
	-c 'DROP DATABASE IF EXISTS council_anchor' >/dev/null 2>&1

tap_done
