#!/usr/bin/env bash
# Black-box tests of councild as one instance of several (issue 16 item 1;
# docs/operations.md): a second councild of this build, on the same
# database, configured as the cluster's are (trusted_proxy, a clock every
# second).  Proves, from what a client and the logs observe:
#   * the sign-in throttle's per-account count is the database's: failures
#     on one instance make the account wait on the other (ASVS V6.3.1);
#   * the client's address comes from X-Forwarded-For only when the peer
#     is the configured proxy, and then only the element the proxy
#     appended (the last of the last header); anything that is not an
#     address is refused; the suite's councild, which trusts no proxy,
#     ignores the header; the per-address sign-in bucket follows the
#     forwarded address (ASVS V4.1.3);
#   * while the database refuses connections the instance answers 503
#     with Retry-After, promptly, without dying, and serves again when the
#     database is back, without a restart (its pool reconnects).
#
# The suite's councild (COUNCILD_PID) is paused while the database is
# closed, so that nothing of its own is disturbed.
#
# Usage: COUNCILD=path/to/councild [COUNCILD_PID=N] tests/http/proxy.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B1=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-proxy.XXXXXX")
if [ -z "$T" ] || [ ! -d "$T" ]; then echo "Bail out! no scratch folder"; exit 1; fi
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"
: "${COUNCILD:?COUNCILD must name the councild binary}"
PY=/usr/bin/python3

C2_PID='' PAUSED=''
cleanup() {
	"$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -d postgres \
		-c "ALTER DATABASE council ALLOW_CONNECTIONS true" >/dev/null 2>&1
	[ -n "$PAUSED" ] && kill -CONT "$COUNCILD_PID" 2>/dev/null
	[ -n "$C2_PID" ] && kill -TERM "$C2_PID" 2>/dev/null && sleep 0.5
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

# shellcheck source-path=SCRIPTDIR source=../lib/relay.sh
. "$here/../lib/relay.sh"

# ---- The second instance, configured as the cluster's are. --------------------------------
C2PORT=$(free_port)
cat >"$T/c2.conf" <<CONF
listen_address = 127.0.0.1
listen_port = $C2PORT
web_root = "$ROOT/web"
template_root = "$ROOT/templates"
locale_root = "$ROOT/po"
db_conninfo = "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_app) application_name=proxy-c2 connect_timeout=2"
db_signin_conninfo = "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_signin) application_name=proxy-c2 connect_timeout=2"
db_acquire_timeout_ms = 3000
cookie_secure = 0
trusted_proxy = "127.0.0.1, ::1"
clock_interval = 1
signin_ip_burst = 3
signin_ip_per_min = 1
CONF
setsid "$COUNCILD" -c "$T/c2.conf" </dev/null >>"$T/c2.log" 2>&1 &
C2_PID=$!
disown "$C2_PID"
wait_for 30 grep -q 'msg=listening' "$T/c2.log" ||
	{ tail "$T/c2.log"; echo "Bail out! the second councild did not start"; exit 1; }
B2=http://127.0.0.1:$C2PORT

# req NAME BASE [curl args] PATH: $T/NAME.b, $T/NAME.h, $code, $secs.
req() {
	local name=$1 base=$2; shift 2
	local path=${*: -1} out
	out=$(curl -sS --max-time 20 -o "$T/$name.b" -D "$T/$name.h" \
	    -w '%{http_code} %{time_total}' "${@:1:$#-1}" "$base$path" 2>"$T/$name.err")
	code=${out%% *}; secs=${out#* }
	[ -n "$code" ] || code=000
	tr -d '\r' <"$T/$name.h" >"$T/$name.hh" && mv "$T/$name.hh" "$T/$name.h"
}
hdr() { grep -i "^$2:" "$T/$1.h" | tail -n 1 | sed -E 's/^[^:]*:[[:space:]]*//'; }
# logged_ip LOG NAME: the ip= of the request log line of response NAME.
logged_ip() {
	local rid
	rid=$(hdr "$2" x-request-id)
	wait_for 5 grep -q "msg=request rid=$rid " "$1" || return 0
	grep "msg=request rid=$rid " "$1" | sed -nE 's/.* ip=([^ ]*).*/\1/p' | tail -n 1
}

# ---- 1. One throttle for every instance (the database's). ---------------------------------
# An address nobody has: its failures count as an account's would (throttle.h).
NOBODY="nobody-$$-$RANDOM@example.invalid"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	req f$i "$B1" -H "Origin: $B1" --data-urlencode "email=$NOBODY" \
		--data-urlencode "password=wrong-$i" /signin
	[ "$code" = 429 ] && break
done
tap_is "$code" 429 "the account is throttled on the first instance after its failures there"
req f2 "$B2" -H "Origin: $B2" --data-urlencode "email=$NOBODY" \
	--data-urlencode "password=wrong-other" /signin
tap_is "$code" 429 "ASVS V6.3.1: ... and on the second instance too, which never saw a failure of it"
# The row is keyed by SHA-256 of the key sign-in uses ("acct:unknown:" and
# the folded address), so neither table nor index holds the address.
tap_is "$(sql "SELECT fails >= 6 FROM council.signin_throttle
	WHERE key_hash = sha256(convert_to('acct:unknown:' || council.email_fold('$NOBODY'), 'UTF8'))")" \
	t "the failures are one row, named by the SHA-256 of the account's key, not the address"

# ---- 2. The client's address behind the proxy. --------------------------------------------
req x1 "$B2" -H "X-Forwarded-For: 203.0.113.7" /healthz
tap_is "$(logged_ip "$T/c2.log" x1)" 203.0.113.7 "behind the trusted proxy the forwarded address is the client's"
req x2 "$B2" -H "X-Forwarded-For: 198.51.100.1, 203.0.113.8" /healthz
tap_is "$(logged_ip "$T/c2.log" x2)" 203.0.113.8 "... only the last element, which the proxy appended (the client wrote the rest)"
req x3 "$B2" -H "X-Forwarded-For: 198.51.100.9" -H "X-Forwarded-For: 203.0.113.9" /healthz
tap_is "$(logged_ip "$T/c2.log" x3)" 203.0.113.9 "... of the last header, when the client sent one of its own"
req x4 "$B2" -H "X-Forwarded-For: 203.0.113.10 <script>" /healthz
tap_is "$(logged_ip "$T/c2.log" x4)" 127.0.0.1 "an element that is not an address is not believed"
rid4=$(hdr x4 x-request-id)
tap_ok "$(grep -q "msg=\"forwarded address refused\" rid=$rid4" "$T/c2.log"; echo $?)" "... and the refusal is logged"
if [ -n "${COUNCILD_LOG:-}" ]; then
	req x5 "$B1" -H "X-Forwarded-For: 203.0.113.11" /healthz
	tap_is "$(logged_ip "$COUNCILD_LOG" x5)" 127.0.0.1 "a councild that trusts no proxy ignores X-Forwarded-For"
else
	tap_skip "a councild that trusts no proxy ignores X-Forwarded-For" "COUNCILD_LOG not set"
fi
# The per-address bucket (3 here) follows the forwarded address.
for i in 1 2 3 4; do
	req a$i "$B2" -H "Origin: $B2" -H "X-Forwarded-For: 203.0.113.50" \
		--data-urlencode "email=a$i-$NOBODY" --data-urlencode "password=wrong" /signin
done
tap_is "$code" 429 "the forwarded address's sign-in bucket runs out after three attempts"
req a5 "$B2" -H "Origin: $B2" -H "X-Forwarded-For: 203.0.113.51" \
	--data-urlencode "email=a5-$NOBODY" --data-urlencode "password=wrong" /signin
tap_is "$code" 401 "... another forwarded address is not throttled by it"

# ---- 3. No database: 503 with Retry-After, then back without a restart. -------------------
PLAIN=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL ORDER BY p.id LIMIT 1")
TOKEN=$(session "$PLAIN" api) || { echo "Bail out! no token"; exit 1; }
req d0 "$B2" -H "Authorization: Bearer $TOKEN" /api/v1/feed
tap_is "$code" 200 "the second instance serves the feed"
# A failover ends every connection of the pool (the old primary's
# backends die; HAProxy cuts the sessions): the next request must not
# fail on a dead connection, the pool replaces it first.
"$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -d postgres \
	-c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	    WHERE application_name = 'proxy-c2'" >/dev/null
sleep 0.5
ok200=0
for i in 1 2 3 4 5 6 7 8; do	# more than the pool's connections
	req d5 "$B2" -H "Authorization: Bearer $TOKEN" /api/v1/feed
	[ "$code" = 200 ] && ok200=$((ok200 + 1))
done
tap_is "$ok200" 8 "issue 16: connections ended by the server are replaced before use, not failed on (8 requests, all 200)"
if [ -n "${COUNCILD_PID:-}" ]; then kill -STOP "$COUNCILD_PID" && PAUSED=1; fi
"$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -d postgres \
	-c "ALTER DATABASE council ALLOW_CONNECTIONS false" \
	-c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	    WHERE application_name = 'proxy-c2'" >/dev/null
req d1 "$B2" -H "Authorization: Bearer $TOKEN" /api/v1/feed
tap_is "$code" 503 "issue 16: without a database the instance answers 503 ..."
tap_like "$(hdr d1 retry-after)" '^[0-9]+$' "... with Retry-After ($(hdr d1 retry-after) s)"
tap_ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 10) }'; echo $?)" "... at once, not after a hang (${secs} s)"
req d2 "$B2" /healthz
tap_is "$code $(hdr d2 retry-after)" "503 5" "/healthz says 503 too (HAProxy takes the instance out)"
req d3 "$B2" -H "Origin: $B2" --data-urlencode "email=$PLAIN" --data-urlencode "password=x" /signin
tap_like "$code" '^(503|429)$' "a sign-in is refused, not hung ($code)"
tap_ok "$(kill -0 "$C2_PID" 2>/dev/null; echo $?)" "the instance is still running"
"$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -d postgres \
	-c "ALTER DATABASE council ALLOW_CONNECTIONS true" >/dev/null
[ -n "$PAUSED" ] && kill -CONT "$COUNCILD_PID" && PAUSED=''
wait_for 15 curl -fsS --max-time 5 -o /dev/null -H "Authorization: Bearer $TOKEN" "$B2/api/v1/feed"
req d4 "$B2" -H "Authorization: Bearer $TOKEN" /api/v1/feed
tap_is "$code" 200 "the database back, the same instance serves again: its pool reconnected"
tap_is "$(grep -c 'msg=listening' "$T/c2.log")" 1 "... without a restart"

tap_done
