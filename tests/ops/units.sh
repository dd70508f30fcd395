#!/usr/bin/env bash
# tests/ops/units.sh: the systemd units of deploy/systemd/ (issue 16, "run
# it like a national service"), without systemd as PID 1:
#   1. "systemd-analyze verify" passes each unit (councild@portal, the
#      backup's service and timer) in a scratch root that holds the
#      system's own units, /bin/sh and a release build of councild at
#      /usr/local/sbin (verify checks that the commands exist), and fails
#      a unit with one defect (shown first, so that a silent verifier
#      cannot pass);
#   2. "systemd-analyze security --offline=yes" rates councild@portal
#      at most UNITS_MAX_EXPOSURE (2.0, "OK"), and the backup at most 2.5;
#   3. councild@.service holds every directive of the sandbox the issue
#      asks for, exactly;
#   4. MemoryDenyWriteExecute= holds for councild: no segment of it or of
#      a library it loads is both writable and executable, nor its stack;
#      and, given PGDIR (a running test cluster), the release build runs
#      under the kernel's own rule (prctl PR_SET_MDWE, the one systemd
#      applies where the kernel has it), proven in force by a refused
#      W+X mapping: it starts, answers /healthz, a page, a sign-in
#      (scrypt) and /metrics, and stops cleanly.
#
# Usage: tests/ops/units.sh [PGDIR]       (prints TAP)
# COUNCILD_RELEASE: a release councild to use instead of building one
# (var/build/dist, no sanitizers: the units run what "make install"
# installs; deploy/test.sh's distcheck builds there too).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../deploy/common.sh
. "$here/../../deploy/common.sh"
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
PGDIR=${1:-}
PY=/usr/bin/python3
UNITS=$ROOT/deploy/systemd
MAX=${UNITS_MAX_EXPOSURE:-2.0}
T=$(mktemp -d "${TMPDIR:-/tmp}/units.XXXXXX")
C_PID=
cleanup() {
	[ -n "$C_PID" ] && kill -TERM "$C_PID" 2>/dev/null && wait "$C_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

if ! command -v systemd-analyze >/dev/null; then
	echo "1..0 # SKIP systemd-analyze is not installed"
	exit 0
fi
tap_diag "$(systemd-analyze --version | head -1)"

# A release councild (what the units start).
COUNCILD_RELEASE=${COUNCILD_RELEASE:-}
if [ -z "$COUNCILD_RELEASE" ]; then
	BUILD=$(council_build dist 2>"$T/build.err") || { cat "$T/build.err" >&2; echo "Bail out! cannot build councild"; exit 1; }
	COUNCILD_RELEASE=$BUILD/server/councild
fi
[ -x "$COUNCILD_RELEASE" ] || { echo "Bail out! no councild at $COUNCILD_RELEASE"; exit 1; }

# ---- 1. systemd-analyze verify. ----------------------------------------------------------------
R=$T/root
mkdir -p "$R/usr/lib/systemd" "$R/etc/systemd/system" "$R/usr/local/sbin" "$R/bin" \
	"$R/etc/council-portal" "$R/etc/pgbackrest"
cp -a /usr/lib/systemd/system "$R/usr/lib/systemd/"
cp /bin/sh "$R/bin/sh"
cp "$COUNCILD_RELEASE" "$R/usr/local/sbin/councild"
cp "$UNITS"/*.service "$UNITS"/*.timer "$R/etc/systemd/system/"
: >"$R/etc/council-portal/portal.conf"
: >"$R/etc/pgbackrest/pgbackrest.conf"
verify() {	# verify UNIT...: systemd-analyze verify in the scratch root; $out
	out=$(systemd-analyze verify --root="$R" --man=no "$@" 2>&1)
}
# The checker first: one defect, and it must say so.
sed 's/^ProtectSystem=strict$/ProtectSystem=stricter/' "$UNITS/councild@.service" \
	>"$R/etc/systemd/system/broken@.service"
verify broken@portal.service
tap_like "$out" 'stricter' "the verifier speaks of a unit with one defect (ProtectSystem=stricter: a warning, status 0, so every unit below must verify in silence)"
rm "$R/etc/systemd/system/broken@.service"
sed 's|^ExecStart=/usr/local/sbin/councild|ExecStart=/usr/local/sbin/councild-missing|' "$UNITS/councild@.service" \
	>"$R/etc/systemd/system/broken@.service"
verify broken@portal.service
tap_like "$? $out" '^[1-9][0-9]* .*councild-missing' "... and fails one whose command does not exist"
rm "$R/etc/systemd/system/broken@.service"
for u in councild@portal.service council-backup.service council-backup.timer; do
	verify "$u"
	tap_is "$? $out" "0 " "systemd-analyze verify $u: no error, no warning"
done

# ---- 2. The exposure systemd-analyze security rates. --------------------------------------------
exposure() {	# exposure UNIT: the overall exposure level, e.g. 1.5
	systemd-analyze security --offline=yes --root="$R" --no-pager "$1" 2>&1 |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 <= b + 0) }'; }
e=$(exposure councild@portal.service)
at_most "$e" "$MAX"
tap_ok $? "councild@portal's exposure level is $e, at most $MAX (systemd-analyze security --offline=yes)"
systemd-analyze security --offline=yes --root="$R" --threshold="$(awk -v m="$MAX" 'BEGIN { print int(m * 10) }')" \
	councild@portal.service >/dev/null 2>&1
tap_ok $? "... and --threshold=$(awk -v m="$MAX" 'BEGIN { print int(m * 10) }') agrees"
e=$(exposure council-backup.service)
at_most "$e" 2.5
tap_ok $? "council-backup's exposure level is $e, at most 2.5"

# ---- 3. The sandbox the issue asks for, directive by directive. ------------------------------------
missing=""
while IFS= read -r d; do
	grep -qxF -e "$d" "$UNITS/councild@.service" || missing="$missing [$d]"
done <<'DIRECTIVES'
User=council-portal
ExecStart=/usr/local/sbin/councild -c /etc/council-portal/%i.conf
Restart=on-failure
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
SystemCallFilter=@system-service
SystemCallArchitectures=native
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
UMask=0077
StateDirectory=council-portal/%i
ReadWritePaths=-/var/spool/council-portal/%i
DIRECTIVES
tap_is "$missing" "" "councild@.service holds every directive of the sandbox"
grep -q '^OnCalendar=' "$UNITS/council-backup.timer" && grep -q '^Persistent=true$' "$UNITS/council-backup.timer" &&
	grep -q -- '--type="$t" backup' "$UNITS/council-backup.service" && grep -q 't=full' "$UNITS/council-backup.service" &&
	grep -q 't=incr' "$UNITS/council-backup.service"
tap_ok $? "the backup: nightly timer (Persistent), full on Sundays, incremental otherwise (pgBackRest)"

# ---- 4. MemoryDenyWriteExecute= and councild. -------------------------------------------------------
wx=""
for f in "$COUNCILD_RELEASE" $(ldd "$COUNCILD_RELEASE" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]+ \(/ { print $1 }'); do
	readelf -lW "$f" 2>/dev/null | awk -v f="$f" '
		$1 == "LOAD" && $(NF-1) ~ /W/ && $(NF-1) ~ /E/ { print f ": a writable and executable segment" }
		$1 == "GNU_STACK" && $(NF-1) ~ /E/ { print f ": an executable stack" }' >>"$T/wx"
done
wx=$(cat "$T/wx")
tap_is "$wx" "" "no segment of councild or of its $(ldd "$COUNCILD_RELEASE" | wc -l) libraries is writable and executable, nor any stack"

if [ -z "$PGDIR" ]; then
	for d in "the kernel's MDWE rule is in force (a W+X mapping is refused)" \
		"councild starts under it" "... answers /healthz, a page, a sign-in and /metrics" \
		"... and stops cleanly (SIGTERM, exit 0)"; do
		tap_skip "$d" "no PGDIR given"
	done
	tap_done
	exit
fi
# mdwe CMD...: run CMD under prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN).
cat >"$T/mdwe.py" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0 or libc.prctl(66, 0, 0, 0, 0) != 1:   # PR_SET_MDWE, PR_GET_MDWE
    sys.exit('prctl(PR_SET_MDWE): %s' % os.strerror(ctypes.get_errno()))
os.execv(sys.argv[1], sys.argv[1:])
PY
"$PY" "$T/mdwe.py" "$PY" -c '
import mmap, sys
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
except OSError as e:
    sys.exit(0)
sys.exit(1)' 2>"$T/mdwe.err"
mdwe_rc=$?
tap_ok $mdwe_rc "the kernel's MDWE rule is in force (a W+X mapping is refused)"
[ $mdwe_rc = 0 ] || tap_diag "$(cat "$T/mdwe.err")"
(umask 077 && openssl rand -hex 32 >"$T/metrics.token")
cat >"$T/c.conf" <<CONF
listen_address = 127.0.0.1
listen_port = 0
web_root = "$ROOT/web"
template_root = "$ROOT/templates"
locale_root = "$ROOT/po"
db_conninfo = "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_app)"
db_signin_conninfo = "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_signin)"
cookie_secure = 0
upload_dir = "$T"
metrics_token_file = "$T/metrics.token"
CONF
: >"$T/c.log"
"$PY" "$T/mdwe.py" "$COUNCILD_RELEASE" -c "$T/c.conf" </dev/null >>"$T/c.log" 2>&1 &
C_PID=$!
for _ in $(seq 1 300); do
	grep -q 'msg=listening' "$T/c.log" && break
	kill -0 "$C_PID" 2>/dev/null || break
	sleep 0.1
done
URL=$(grep -o 'msg=listening url=[^ ]*' "$T/c.log" | tail -1 | sed 's/^msg=listening url=//; s:/$::')
tap_like "$URL" '^http://' "councild starts under it"
[ -n "$URL" ] || tap_diag "$(tail -5 "$T/c.log")"
c() { curl -sS --max-time 30 -o /dev/null -w '%{http_code}' "$@" 2>/dev/null; }
got="$(c "$URL/healthz") $(c "$URL/signin") $(c "$URL/static/css/council.css")"
got="$got $(c -X POST --data-urlencode email=nobody@example.org --data-urlencode password=not-the-password "$URL/signin")"
got="$got $(c -H "Authorization: Bearer $(cat "$T/metrics.token")" "$URL/metrics") $(c "$URL/healthz")"
tap_like "$got" '^200 200 200 [2-4][0-9][0-9] 200 200$' "... answers /healthz, a page, a sign-in (scrypt) and /metrics ($got)"
kill -TERM "$C_PID" 2>/dev/null
wait "$C_PID"
rc=$?
C_PID=
tap_is "$rc" 0 "... and stops cleanly (SIGTERM, exit 0)"
grep -iE 'mprotect|permission denied|segv|fatal' "$T/c.log" | head -3 | sed 's/^/# /'
tap_done
