#!/usr/bin/env bash
# tests/browser/govinfo.sh: the government-information journey
# (tests/browser/govinfo.mjs, issue 14's proof) against a councild that
# sends its e-mail through a real SMTP server, so that the journey reads
# the targeted warning's e-mail in the relay's mailbox.  Starts
# tests/lib/smtpd.py (Debian's python3-aiosmtpd) and a second councild of
# this build on the same database, configured for that relay; the suite's
# own councild (COUNCILD_PID) is paused meanwhile (SIGSTOP, then SIGCONT)
# so that its Maildir mailer does not claim the outbox.
#
# Usage: COUNCILD=path/to/councild [COUNCILD_PID=N] tests/browser/govinfo.sh OUTDIR PGDIR
# Prints the journey's TAP on stdout.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
[ $# -eq 2 ] || { echo "usage: $0 OUTDIR PGDIR" >&2; exit 2; }
OUTDIR=$1
PGDIR=$2
: "${COUNCILD:?COUNCILD must name the councild binary}"
PY=/usr/bin/python3
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-govinfo.XXXXXX") && [ -d "$T" ] || { echo "Bail out! no scratch folder"; exit 1; }
SMTPD_PID= C2_PID=
cleanup() {
	[ -n "$C2_PID" ] && kill -TERM "$C2_PID" 2>/dev/null && sleep 0.5
	[ -n "$SMTPD_PID" ] && kill -TERM "$SMTPD_PID" 2>/dev/null
	[ -n "${COUNCILD_PID:-}" ] && kill -CONT "$COUNCILD_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
"$PY" -c 'import aiosmtpd' 2>/dev/null || { echo "Bail out! python3-aiosmtpd is not installed"; exit 1; }
# shellcheck source-path=SCRIPTDIR source=../lib/relay.sh
. "$ROOT/tests/lib/relay.sh"

# The relay: plain SMTP on the loopback (STARTTLS, AUTH and S/MIME are
# tests/http/mail_smtp.sh's subject).
SPORT=$(free_port)
BOX=$T/box
mkdir -p "$BOX"
setsid "$PY" "$ROOT/tests/lib/smtpd.py" --port "$SPORT" --dir "$BOX" >"$T/smtpd.log" 2>&1 &
SMTPD_PID=$!
wait_for 20 test -f "$BOX/ready" || { cat "$T/smtpd.log" >&2; echo "Bail out! the SMTP server did not start"; exit 1; }

C2PORT=$(free_port)
relay_conf "$T/c2.conf" "$C2PORT" "$SPORT"
echo 'smtp_tls = "none"' >>"$T/c2.conf"
[ -n "${COUNCILD_PID:-}" ] && kill -STOP "$COUNCILD_PID"
setsid "$COUNCILD" -c "$T/c2.conf" </dev/null >"$T/c2.log" 2>&1 &
C2_PID=$!
wait_for 30 grep -q 'msg=listening' "$T/c2.log" \
	|| { tail "$T/c2.log" >&2; echo "Bail out! the second councild did not start"; exit 1; }

cd "$here" || exit 1
node govinfo.mjs "http://127.0.0.1:$C2PORT" "$OUTDIR" "$PGDIR" "$BOX"
rc=$?
# The second councild's log, for the sanitizers' reports.
if grep -q 'ERROR: AddressSanitizer\|runtime error:' "$T/c2.log"; then
	echo "not ok - the second councild's log holds a sanitizer report"
	grep -A20 'ERROR: AddressSanitizer\|runtime error:' "$T/c2.log" | sed 's/^/# /' | head -40
	rc=1
fi
exit "$rc"
