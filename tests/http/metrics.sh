#!/usr/bin/env bash
# Black-box tests of GET /metrics, the Prometheus scrape (issue 16;
# server/core/metrics.c, server/pages/scrape.c, policy/54_metrics.sql,
# docs/metrics.md):
#   * with metrics_token_file (the suite's councild: deploy/common.sh
#     writes metrics.token next to its configuration): 401 with
#     WWW-Authenticate and a log line without a token, with a wrong one,
#     with a session cookie alone, with a member's own API token; 200 with
#     the right one, in the text format 0.0.4 (checked by a strict reader
#     below); HEAD; 405 for another method;
#   * a request to a route raises that route's counter (its PATTERN, not
#     the path) by exactly 1; a path without a route is route="other";
#     the pools, the sign-in queue and the database's depths are there;
#   * without metrics_token_file (a second councild of this build): 404,
#     exactly as a path without a route, whatever the method;
#   * councild -t refuses a token file that is missing, readable by group
#     or others, or too short, and takes a good one.
#
# Usage: [COUNCILD=path/to/councild] [COUNCILD_LOG=log]
#        tests/http/metrics.sh BASE_URL PGDIR [TOKEN_FILE]
# TOKEN_FILE defaults to metrics.token next to PGDIR (where
# deploy/test.sh's and tests/dev.sh's council_config put it), the log to
# councild.log there.  Without COUNCILD the second councild's tests are
# skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 BASE_URL PGDIR [TOKEN_FILE]" >&2; exit 2; }
B=${1%/}
PGDIR=$2
TOKEN_FILE=${3:-$(dirname "$PGDIR")/metrics.token}
LOG=${COUNCILD_LOG:-$(dirname "$PGDIR")/councild.log}
PY=/usr/bin/python3
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-metrics.XXXXXX")
C2_PID=
cleanup() {
	[ -n "$C2_PID" ] && kill -TERM "$C2_PID" 2>/dev/null && wait "$C2_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

[ -r "$TOKEN_FILE" ] || { echo "Bail out! no token file $TOKEN_FILE"; exit 1; }
TOKEN=$(cat "$TOKEN_FILE")

# get NAME [curl args...] PATH: $T/NAME (body), $T/NAME.h (headers), $code.
get() {
	local name=$1 path=${*: -1}
	code=$(curl -sS --max-time 20 -o "$T/$name" -D "$T/$name.hall" -w '%{http_code}' \
	    "${@:2:$#-2}" "$B$path" 2>/dev/null)
	tr -d '\r' <"$T/$name.hall" >"$T/$name.h"
}
hdr() { grep -i "^$2:" "$T/$1.h" | tail -n 1 | sed -E 's/^[^:]*:[[:space:]]*//'; }
scrape() { get "$1" -H "Authorization: Bearer $TOKEN" /metrics; }
# value NAME SERIES: the value of the sample SERIES (name{labels}) in
# scrape NAME, or "absent".
value() {
	awk -v s="$2" 'index($0, s " ") == 1 { print substr($0, length(s) + 2); f = 1 }
	    END { if (!f) print "absent" }' "$T/$1"
}

# The strict reader of the text format 0.0.4 (Debian's python3 only): every
# line a HELP, a TYPE or a sample; a family's HELP and TYPE before its
# samples and its lines together; names and label names as the format
# says, label values quoted with \\ \" \n only, no label twice; values
# floats (+Inf, -Inf, NaN); no series twice; counters not negative;
# histograms with le ascending, buckets cumulative, +Inf equal to _count,
# and _sum present; the text ends with a newline.
cat >"$T/parse.py" <<'PY'
import math, re, sys
NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LNAME = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
def fail(n, why, line=''):
    print('line %d: %s: %r' % (n, why, line)); sys.exit(1)
def num(s, n, line):
    if s in ('+Inf', '-Inf', 'NaN'):
        return {'+Inf': math.inf, '-Inf': -math.inf, 'NaN': math.nan}[s]
    if not re.fullmatch(r'[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?', s):
        fail(n, 'bad value', line)
    return float(s)
def labels(s, n, line):
    out, i = {}, 0
    while i < len(s):
        m = LNAME.match(s, i)
        if not m or s[m.end():m.end() + 2] != '="':
            fail(n, 'bad label', line)
        k, i, v = m.group(0), m.end() + 2, ''
        while True:
            if i >= len(s):
                fail(n, 'unterminated label value', line)
            c = s[i]
            if c == '"':
                break
            if c == '\\':
                e = s[i + 1:i + 2]
                if e not in ('\\', '"', 'n'):
                    fail(n, 'bad escape', line)
                v += {'\\': '\\', '"': '"', 'n': '\n'}[e]; i += 2; continue
            v += c; i += 1
        if k in out:
            fail(n, 'label twice', line)
        out[k] = v; i += 1
        if i < len(s):
            if s[i] != ',':
                fail(n, 'bad label list', line)
            i += 1
    return out
text = sys.stdin.read()
if not text.endswith('\n'):
    fail(0, 'no final newline')
fams, types, cur, seen, done = {}, {}, None, set(), set()
samples = []
for n, line in enumerate(text[:-1].split('\n'), 1):
    if line.startswith('# HELP ') or line.startswith('# TYPE '):
        rest = line[7:]
        m = NAME.match(rest)
        if not m or rest[m.end():m.end() + 1] != ' ':
            fail(n, 'bad HELP/TYPE', line)
        name = m.group(0)
        if line[2] == 'H':
            if name in done or name == cur:
                fail(n, 'family opened twice', line)
            if cur:
                done.add(cur)
            cur = name; fams[name] = []
        else:
            if name != cur or name in types:
                fail(n, 'TYPE out of place', line)
            t = rest[m.end() + 1:]
            if t not in ('counter', 'gauge', 'histogram', 'summary', 'untyped'):
                fail(n, 'bad type', line)
            types[name] = t
        continue
    if line.startswith('#') or line == '':
        fail(n, 'stray line', line)
    m = NAME.match(line)
    if not m:
        fail(n, 'bad sample name', line)
    name, rest = m.group(0), line[m.end():]
    lab = {}
    if rest.startswith('{'):
        j = rest.rfind('}')
        if j < 0:
            fail(n, 'no }', line)
        lab = labels(rest[1:j], n, line); rest = rest[j + 1:]
    if not rest.startswith(' ') or ' ' in rest[1:]:
        fail(n, 'bad value part (a timestamp is not expected)', line)
    v = num(rest[1:], n, line)
    fam = name
    if cur not in types:
        fail(n, 'sample before its TYPE', line)
    if name != cur:
        if types[cur] == 'histogram' and name in (cur + '_bucket', cur + '_sum', cur + '_count'):
            fam = cur
        else:
            fail(n, 'sample outside its family ' + cur, line)
    key = (name, tuple(sorted(lab.items())))
    if key in seen:
        fail(n, 'series twice', line)
    seen.add(key)
    if types[fam] == 'counter' and not v >= 0:
        fail(n, 'negative counter', line)
    if name.endswith('_bucket') and types[fam] == 'histogram' and 'le' not in lab:
        fail(n, 'bucket without le', line)
    samples.append((fam, name, lab, v))
# Histograms: per family and labels other than le.
hist = {}
for fam, name, lab, v in samples:
    if types[fam] != 'histogram':
        continue
    rest = tuple(sorted((k, x) for k, x in lab.items() if k != 'le'))
    h = hist.setdefault((fam, rest), {'b': [], 'sum': None, 'count': None})
    if name.endswith('_bucket'):
        h['b'].append((num(lab['le'], 0, lab['le']), v))
    elif name.endswith('_sum'):
        h['sum'] = v
    else:
        h['count'] = v
for (fam, rest), h in hist.items():
    les = [le for le, _ in h['b']]
    if les != sorted(les) or not les or les[-1] != math.inf:
        fail(0, 'le not ascending to +Inf in %s%s' % (fam, rest))
    cs = [c for _, c in h['b']]
    if cs != sorted(cs):
        fail(0, 'buckets not cumulative in %s%s' % (fam, rest))
    if h['count'] is None or h['sum'] is None or cs[-1] != h['count']:
        fail(0, '+Inf bucket, _sum and _count disagree in %s%s' % (fam, rest))
print('%d families, %d samples' % (len(fams), len(samples)))
PY

# ---- Who may scrape. ---------------------------------------------------------------------------
get none /metrics
tap_is "$code" 401 "GET /metrics without a token: 401"
tap_is "$(hdr none WWW-Authenticate)" 'Bearer realm="council-metrics"' "... with WWW-Authenticate: Bearer realm=\"council-metrics\""
RID_NONE=$(hdr none X-Request-Id)
get wrong -H "Authorization: Bearer ${TOKEN%?}x" /metrics
tap_is "$code" 401 "a wrong token (the right one's length, its last character changed): 401"
RID_WRONG=$(hdr wrong X-Request-Id)
get prefix -H "Authorization: Bearer ${TOKEN:0:32}" /metrics
tap_is "$code" 401 "the right token's first 32 characters: 401"
get basic -H "Authorization: Basic $(printf 'x:%s' "$TOKEN" | base64 -w0)" /metrics
tap_is "$code" 401 "the right token as HTTP Basic's password: 401 (Bearer only)"
PERSON=$(sql "SELECT email FROM council.people WHERE active ORDER BY id LIMIT 1")
WEB=$(session "$PERSON" web) && API=$(session "$PERSON" api) || { echo "Bail out! no session"; exit 1; }
get cookie -H "Cookie: $SC=$WEB; council_session=$WEB" /metrics
tap_is "$code" 401 "a member's browser session cookie alone: 401 (never a cookie)"
get apitok -H "Authorization: Bearer $API" /metrics
tap_is "$code" 401 "a member's own API token as Bearer: 401 (the scrape's token only)"
sleep 0.3
tap_like "$(grep -F "rid=$RID_NONE" "$LOG" 2>/dev/null)" 'msg="metrics refused".*reason=no_token' \
	"the refusal without a token is logged (rid, reason=no_token)"
tap_like "$(grep -F "rid=$RID_WRONG" "$LOG" 2>/dev/null)" 'msg="metrics refused".*reason=wrong_token' \
	"the refusal of a wrong token is logged (reason=wrong_token)"
grep -qF -e "$TOKEN" -e "${TOKEN%?}x" "$LOG" 2>/dev/null
tap_ok $((! $?)) "neither the token nor the wrong one is in councild's log"

scrape s1
tap_is "$code" 200 "GET /metrics with the token: 200"
tap_is "$(hdr s1 Content-Type)" 'text/plain; version=0.0.4; charset=utf-8' "Content-Type: text/plain; version=0.0.4; charset=utf-8"
tap_like "$(hdr s1 Cache-Control)" 'no-store' "Cache-Control: no-store"
out=$("$PY" "$T/parse.py" <"$T/s1" 2>&1)
tap_ok $? "the exposition passes the strict text-format reader ($out)"
get head -I -H "Authorization: Bearer $TOKEN" /metrics
tap_is "$code $(hdr head Content-Type)" "200 text/plain; version=0.0.4; charset=utf-8" "HEAD /metrics: 200, the same Content-Type"
get post -X POST -H "Authorization: Bearer $TOKEN" /metrics
tap_is "$code $(hdr post Allow)" "405 GET, HEAD" "POST /metrics with the token: 405, Allow: GET, HEAD"
get postnone -X POST /metrics
tap_is "$code" 401 "POST /metrics without a token: 401 (nothing says which methods exist)"

# ---- What it holds. ----------------------------------------------------------------------------
for f in council_up council_build_info council_process_start_time_seconds \
	council_http_requests_total council_http_request_duration_seconds \
	council_db_pool_size council_db_pool_in_use council_db_pool_waits_total \
	council_db_pool_timeouts_total council_signin_queue_depth council_mail_outbox \
	council_notifications_unmailed council_clock_runs_total \
	council_clock_last_success_timestamp_seconds council_clock_items_total; do
	grep -q "^# TYPE $f " "$T/s1" || missing="${missing:-} $f"
done
tap_is "${missing:-}" "" "every family of docs/metrics.md is declared"
tap_is "$(value s1 council_up)" 1 "council_up 1"
tap_like "$(grep '^council_build_info{' "$T/s1")" '^council_build_info\{version="[^"]+"\} 1$' "council_build_info{version=...} 1"
tap_like "$(value s1 council_process_start_time_seconds)" '^1[0-9]{9}(\.[0-9]+)?$' "council_process_start_time_seconds is a Unix time"
tap_like "$(value s1 'council_db_pool_size{pool="app"}') $(value s1 'council_db_pool_size{pool="signin"}')" \
	'^[1-9][0-9]* [1-9][0-9]*$' "council_db_pool_size of pool=\"app\" and pool=\"signin\""
tap_like "$(value s1 'council_db_pool_in_use{pool="app"}')" '^[0-9]+$' "council_db_pool_in_use{pool=\"app\"}"
tap_like "$(value s1 council_signin_queue_depth)" '^[0-9]+$' "council_signin_queue_depth"
tap_is "$(value s1 council_metrics_db_ok)" 1 "the database's depths were read (council_metrics_db_ok 1)"
# The outbox as the database counts it.
# (The clock's mailer may move a row between the two reads: a few tries.)
for _ in 1 2 3 4 5; do
	scrape s2
	want=$(sql "SELECT string_agg(s || ' ' || (SELECT count(*) FROM council.mail_outbox m WHERE m.status = s), ' ' ORDER BY s)
		FROM unnest(ARRAY['failed', 'queued', 'sending', 'withheld']) s")
	got=""
	for s in failed queued sending withheld; do got="$got${got:+ }$s $(value s2 "council_mail_outbox{status=\"$s\"}")"; done
	[ "$got" = "$want" ] && break
	sleep 0.5
done
tap_is "$got" "$want" "council_mail_outbox{status} is the outbox's count by status (policy/54_metrics.sql)"
tap_like "$(value s1 'council_notifications_unmailed{digest="daily"}') $(value s1 'council_notifications_unmailed{digest="immediate"}')" \
	'^[0-9]+ [0-9]+$' "council_notifications_unmailed{digest=daily|immediate}"
tap_like "$(value s1 council_mail_outbox_oldest_due_seconds)" '^[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?$' "council_mail_outbox_oldest_due_seconds"
# Only council_app may ask for the depths.
out=$("$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -c "SELECT has_function_privilege('council_app', 'council.metrics_depths()', 'EXECUTE'),
	has_function_privilege('council_signin', 'council.metrics_depths()', 'EXECUTE'),
	has_function_privilege('public', 'council.metrics_depths()', 'EXECUTE')" 2>&1)
tap_is "$out" "t|f|f" "council.metrics_depths() is council_app's alone (not council_signin's, not PUBLIC's)"

# ---- A request raises its route's counter by exactly 1. ------------------------------------------
# settle NAME SERIES BEFORE: scrape until SERIES differs from BEFORE (a
# request is counted when it has ended, which may be just after its
# answer arrived), then once more after a pause: it stays.
settle() {
	local i v
	for i in $(seq 1 20); do
		scrape "$1"
		v=$(value "$1" "$2")
		[ "$v" != "$3" ] && break
		sleep 0.1
	done
	sleep 0.3
	scrape "$1"
}
delta() {	# delta BEFORE AFTER: AFTER - BEFORE, "absent" counting as 0
	local a=$1 b=$2
	[ "$a" = absent ] && a=0
	[ "$b" = absent ] && b=0
	echo $((b - a))
}
TAG=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
S_H='council_http_requests_total{route="/healthz",method="GET",status="200"}'
S_P='council_http_requests_total{route="/posts/{id}",method="GET",status="303"}'
S_O='council_http_requests_total{route="other",method="GET",status="404"}'
H_C='council_http_request_duration_seconds_count{route="/healthz"}'
scrape b
bh=$(value b "$S_H") bp=$(value b "$S_P") bo=$(value b "$S_O") bc=$(value b "$H_C")
get h /healthz
settle a "$S_H" "$bh"
tap_is "$(delta "$bh" "$(value a "$S_H")")" 1 "GET /healthz raises route=\"/healthz\",method=\"GET\",status=\"200\" by exactly 1"
tap_is "$(delta "$bc" "$(value a "$H_C")")" 1 "... and its duration histogram's _count by exactly 1"
scrape b
bh=$(value b "$S_H") bp=$(value b "$S_P")
get p "/posts/9$RANDOM"
pc=$code
settle a "$S_P" "$bp"
tap_is "$pc $(delta "$bp" "$(value a "$S_P")")" "303 1" \
	"GET /posts/N without a session (303) raises route=\"/posts/{id}\" (the pattern, not the path) by exactly 1"
tap_is "$(delta "$bh" "$(value a "$S_H")")" 0 "... and not /healthz's"
get o "/no-such-path-$TAG"
oc=$code
settle a "$S_O" "$bo"
tap_is "$oc $(delta "$bo" "$(value a "$S_O")")" "404 1" "a path without a route counts as route=\"other\" (404)"
grep -qF -e "$TAG" -e "/posts/9" "$T/a"
tap_ok $((! $?)) "no path of a request is a label (bounded: the table's patterns only)"
out=$("$PY" "$T/parse.py" <"$T/a" 2>&1)
tap_ok $? "the later exposition passes the strict reader too ($out)"

# ---- Without metrics_token_file: 404, as a path without a route. -------------------------------------
if [ -z "${COUNCILD:-}" ] || [ ! -x "${COUNCILD:-}" ]; then
	for d in "without metrics_token_file, GET /metrics answers as a path without a route" \
		"... and POST /metrics too" "the second councild stops cleanly (exit 0, no sanitizer report)" \
		"councild -t refuses a missing token file" \
		"councild -t refuses a token file group or others may read" \
		"councild -t refuses a token of 31 characters" "councild -t takes a good token file"; do
		tap_skip "$d" "COUNCILD not set"
	done
	tap_done
	exit
fi
base_conf() {
	cat <<CONF
listen_address = 127.0.0.1
listen_port = 0
web_root = "$ROOT/web"
template_root = "$ROOT/templates"
locale_root = "$ROOT/po"
db_conninfo = "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_app)"
db_signin_conninfo = "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_signin)"
cookie_secure = 0
CONF
}
base_conf >"$T/c2.conf"
: >"$T/c2.log"
setsid "$COUNCILD" -c "$T/c2.conf" </dev/null >>"$T/c2.log" 2>&1 &
C2_PID=$!
for _ in $(seq 1 300); do
	grep -q 'msg=listening' "$T/c2.log" && break
	kill -0 "$C2_PID" 2>/dev/null || break
	sleep 0.1
done
C2=$(grep -o 'msg=listening url=[^ ]*' "$T/c2.log" | tail -1 | sed 's/^msg=listening url=//; s:/$::')
if [ -z "$C2" ]; then
	tail -5 "$T/c2.log" | sed 's/^/# /'
	echo "Bail out! the second councild did not start"
	exit 1
fi
# same NAME PATH [curl args]: status, headers' names (the ones that differ
# by request aside) and body with the request id blanked.
same() {
	local n=$1 p=$2
	shift 2
	curl -sS --max-time 20 -o "$T/$n.b" -D "$T/$n.hh" "$@" "$C2$p" >/dev/null 2>&1
	{
		tr -d '\r' <"$T/$n.hh" | sed -E '/^(Date|X-Request-Id|Content-Length):/d'
		sed -E 's/[0-9a-f]{32}/RID/g' "$T/$n.b"
	} >"$T/$n.cmp"
}
same m /metrics -H "Authorization: Bearer $TOKEN"
same u "/no-such-path-$TAG" -H "Authorization: Bearer $TOKEN"
head -1 "$T/m.cmp" | grep -q ' 404' && cmp -s "$T/m.cmp" "$T/u.cmp"
tap_ok $? "without metrics_token_file, GET /metrics answers as a path without a route (404, same headers, same page)"
[ $? = 0 ] || diff "$T/m.cmp" "$T/u.cmp" | head -10 | sed 's/^/# /'
same mp /metrics -X POST
same up "/no-such-path-$TAG" -X POST
head -1 "$T/mp.cmp" | grep -q ' 404' && cmp -s "$T/mp.cmp" "$T/up.cmp"
tap_ok $? "... and POST /metrics too"
kill -TERM "$C2_PID" 2>/dev/null
wait "$C2_PID" 2>/dev/null
c2_rc=$?
C2_PID=
grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/c2.log"
tap_is "$c2_rc $?" "0 1" "the second councild stops cleanly (exit 0, no sanitizer report)"

# ---- councild -t and the token file. ---------------------------------------------------------------
check_t() {	# check_t FILE: councild -t with metrics_token_file = FILE; $out, status
	{ base_conf; echo "metrics_token_file = \"$1\""; } >"$T/c3.conf"
	out=$("$COUNCILD" -t -c "$T/c3.conf" 2>&1)
}
check_t "$T/missing.token"
tap_like "$? $out" '^[1-9].*metrics_token_file .*missing.token' "councild -t refuses a missing token file"
(umask 022 && openssl rand -hex 32 >"$T/loose.token")
check_t "$T/loose.token"
tap_like "$? $out" '^[1-9].*mode 0644.*chmod 600' "councild -t refuses a token file group or others may read"
(umask 077 && printf '%s\n' "$(openssl rand -hex 16 | cut -c1-31)" >"$T/short.token")
check_t "$T/short.token"
tap_like "$? $out" '^[1-9].*32 to' "councild -t refuses a token of 31 characters"
check_t "$TOKEN_FILE"
tap_like "$? $out" '^0 .*valid' "councild -t takes a good token file"

tap_done
