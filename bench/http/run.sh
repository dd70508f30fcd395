#!/usr/bin/env bash
# bench/http/run.sh: the member feed over HTTP (councild, release build)
# against the same feed in pgbench, in one run, for the same signed-in
# people; and councild's memory under idle keep-alive connections.
#
#   bench/http/run.sh                  1M posts, 2,000 organisations
#   PGDIR=var/bench-http/pg-small POSTS=20000 DURATION=5 bench/http/run.sh
#                                      a quick check, in its own cluster
#
# Settings (environment): POSTS (1000000), ORGS (2000), DURATION (20 s a
# measured run), WARMUP (3 s, unmeasured, before each), CONNS (64 wrk
# connections), WRK_THREADS (2), CLIENTS (8 pgbench clients, as
# feed-db.sh), PG_THREADS (2), WORKERS (councild's worker_threads and
# db_pool_size, 4), IDLE (1000 idle connections), HOLD (5 s), FRESH=1
# (a new dataset), DESTROY=1 (remove the cluster at the end),
# SHARED_BUFFERS (a new cluster only; bench/lib.sh), PGDIR (the cluster,
# var/bench-http/pg: give a quick check its own), JIT=on or off
# (PostgreSQL's jit for council_app during the run; default: the
# cluster's, deploy/pg.sh), BENCH_BUILD (a build folder to use instead of building
# var/build/bench).
#
# 1. wrk from Debian when missing (as root, like deploy/install-deps.sh);
#    the release build var/build/bench (deploy/common.sh, default flags).
# 2. The dataset in var/bench-http/pg: feed-db.sh's council and posts
#    (bench/lib.sh), generated in feed-db.sh's steps (1..100k, then the
#    rest), so that 1M posts is feed-db.sh's data.  Reused by the next run
#    when the number of organisations is the same (grown when it has fewer
#    posts; rebuilt when more, or when councilctl migrate refuses it: a
#    migration edited after it was applied).
# 3. The signed-in people: persons PLO..PHI, every person of the
#    organisations before the first one whose people have no live identity
#    (with 2,000 organisations: organisations 1..1298, every kind but the
#    restricted and the withdrawn, 3,894 people).  Each gets a browser
#    session and an API token: a random token (64 hex digits), stored as
#    its SHA-256, inserted as council_owner (kind 'web' with production's
#    idle and absolute time-outs; kind 'api').  Tokens of a previous run are
#    deleted first; feed-db.sh's sessions ("bench-<person id>") are kept.
# 4. What councild asks the database for each URL: a councild with one
#    worker and one connection answers seven requests of one person (the
#    first of organisation 100, an operator) for each URL while PostgreSQL logs every statement with its parse, plan
#    and execution times and auto_explain its plan (role settings of
#    council_app, removed afterwards); bench/http/capture.py summarises the
#    seventh request of each (round trips; per statement the times, the
#    estimated cost and whether JIT compiled it; by the seventh use a
#    prepared statement may run a cached generic plan).
# 5. councild (var/build/bench) on a free port, configuration printed.
#    Checks ten people of each kind with curl: 200 and posts; a wrong
#    token gets 401 (API) and 303 (page).
# 6. pgbench for persons PLO..PHI: bench/feed.pgbench (-M prepared, as
#    feed-db.sh), the reference of the ratios.
# 7. wrk on GET /api/v1/feed (Authorization: Bearer) and GET /feed (the
#    session cookie), CONNS connections, DURATION s each, every request the
#    next person (bench/http/feed.lua, which counts non-200 answers and
#    answers without posts); CPU seconds of councild and of PostgreSQL
#    during each.
# 8. councild's VmRSS after start, after the runs, with IDLE idle
#    keep-alive connections (bench/http/idle.py: one GET /healthz each,
#    then idle HOLD s) and after they close.
# Outputs: var/bench-http/out.  Bounded: 3 pgbench or wrk runs of
# DURATION s plus warm-ups; the dataset takes about 3 minutes at 1M posts.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../deploy/common.sh"
. "$ROOT/bench/lib.sh"
. "$ROOT/tests/ops/councild.sh"

POSTS=${POSTS:-1000000}
ORGS=${ORGS:-2000}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-3}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
CLIENTS=${CLIENTS:-8}
PG_THREADS=${PG_THREADS:-2}
WORKERS=${WORKERS:-4}
JIT=${JIT:-}
IDLE=${IDLE:-1000}
HOLD=${HOLD:-5}
BDIR=$ROOT/var/bench-http
PGDIR=${PGDIR:-$BDIR/pg}
case $PGDIR in /*) ;; *) PGDIR=$ROOT/$PGDIR ;; esac	# libpq: a socket path is absolute
OUT=$BDIR/out
HERE=$ROOT/bench/http

mkdir -p "$BDIR"
exec 9>"$BDIR/lock"
flock -n 9 || die "another bench/http/run.sh is running"

# 1. Tools and the build. ------------------------------------------------------
if ! command -v wrk >/dev/null; then
	[ "$(id -u)" = 0 ] || die "wrk is needed: apt-get install wrk (as root)"
	say "apt-get install wrk"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
fi
"$ROOT/deploy/install-deps.sh"
command -v pgbench >/dev/null || die "pgbench is needed (postgresql-client-15)"
BUILD=${BENCH_BUILD:-$(council_build bench)}
COUNCILD=$BUILD/server/councild
COUNCILCTL=$BUILD/server/councilctl

cleanup() {
	[ -n "${IDLE_PID:-}" ] && kill "$IDLE_PID" 2>/dev/null
	councild_stop >/dev/null 2>&1 || true
	if [ -n "${DESTROY:-}" ]; then
		"$ROOT/deploy/pg.sh" destroy "$PGDIR" >/dev/null 2>&1 || true
	else
		"$ROOT/deploy/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

# 2. The dataset. --------------------------------------------------------------
T_COUNCIL=reused
T_POSTS=
have=-1
if [ -z "${FRESH:-}" ] && [ -f "$PGDIR/data/PG_VERSION" ] &&
    [ "$(cat "$PGDIR/dataset" 2>/dev/null)" = "orgs $ORGS" ]; then
	say "reusing the dataset in $PGDIR"
	"$ROOT/deploy/pg.sh" start "$PGDIR"
	bench_pg_env
	if bench_migrate "$COUNCILCTL"; then
		have=$(bench_psql_su -d council -At -c 'SELECT coalesce(max(id), 0) FROM council.posts')
		[ "$have" -le "$POSTS" ] || have=-1
	else
		say "councilctl migrate refused the kept dataset: a new one"
	fi
fi
if [ "$have" -lt 0 ]; then
	say "new dataset: $ORGS organisations"
	bench_pg_new
	bench_migrate "$COUNCILCTL"
	T_COUNCIL=$(bench_council "$ORGS")
	echo "orgs $ORGS" >"$PGDIR/dataset"
	have=0
fi
for hi in 100000 "$POSTS"; do  # feed-db.sh's steps
	[ "$hi" -le "$POSTS" ] && [ "$have" -lt "$hi" ] || continue
	say "posts $((have + 1))..$hi"
	T_POSTS="$T_POSTS posts $((have + 1))..$hi: $(bench_posts "$ORGS" $((have + 1)) "$hi") s;"
	have=$hi
done
SHARED_BUFFERS=$(bench_psql_su -d council -At -c 'SHOW shared_buffers')
rm -rf "$OUT"
mkdir -p "$OUT"
# council_app has no role settings of its own (deploy/pg.sh, migrations):
# start from none, whatever an interrupted run left.
bench_psql_su -d council -c 'ALTER ROLE council_app RESET ALL' >/dev/null
case $JIT in
'') ;;
on | off) bench_psql_su -d council -c "ALTER ROLE council_app SET jit = $JIT" >/dev/null ;;
*) die "JIT must be on or off" ;;
esac
JIT_NOW=$(psql -X -At -c 'SHOW jit' "host=$SOCK user=council_app passfile=$PGPASSFILE dbname=council")

# 3. The signed-in people and their tokens. ------------------------------------
read -r PLO PHI NORG < <(bench_psql_su -d council -At -F ' ' <<'SQL'
WITH r AS (
    SELECT min(p.id) AS lo,
           coalesce((SELECT min(s.person_id) - 1 FROM council.sessions s WHERE NOT s.live),
                    max(p.id)) AS hi
    FROM council.people p)
SELECT r.lo, r.hi, (SELECT count(DISTINCT org_id) FROM council.people WHERE id BETWEEN r.lo AND r.hi)
FROM r;
SQL
)
say "sessions and API tokens for persons $PLO..$PHI ($NORG organisations)"
(umask 077
psql -X -q -v ON_ERROR_STOP=1 -At -F ' ' -v lo="$PLO" -v hi="$PHI" \
    "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_owner)" >"$OUT/tokens" <<'SQL'
DELETE FROM council.sessions
WHERE token_hash <> sha256(convert_to('bench-' || person_id, 'UTF8'));
-- The production time-outs of a browser session (session_idle_timeout,
-- session_lifetime: docs/configuration.md); an API token of 30 days.
WITH t AS MATERIALIZED (
    SELECT p.id AS person_id, k.kind,
           replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') AS token
    FROM council.people p CROSS JOIN (VALUES ('web'), ('api')) k (kind)
    WHERE p.id BETWEEN :lo AND :hi),
ins AS (
    INSERT INTO council.sessions (token_hash, person_id, kind, name, idle_timeout, expires_at)
    SELECT sha256(convert_to(t.token, 'UTF8')), t.person_id, t.kind,
           CASE t.kind WHEN 'api' THEN 'bench-http' END,
           CASE t.kind WHEN 'web' THEN interval '1800 s' END,
           now() + CASE t.kind WHEN 'web' THEN interval '43200 s' ELSE interval '30 days' END
    FROM t)
SELECT kind, person_id, token FROM t ORDER BY md5(token);
SQL
awk '$1 == "web" { print $3 }' "$OUT/tokens" >"$OUT/tokens-web"
awk '$1 == "api" { print $3 }' "$OUT/tokens" >"$OUT/tokens-api")
bench_psql_su -d council -c 'VACUUM ANALYZE council.sessions' >/dev/null
NPEOPLE=$(wc -l <"$OUT/tokens-web")
[ "$NPEOPLE" -gt 0 ] && [ "$(wc -l <"$OUT/tokens-api")" = "$NPEOPLE" ] || die "no tokens"

# 4. What councild asks the database. -----------------------------------------
COOKIE=__Host-council_session
rid() {  # rid PATH HEADER: the X-Request-Id of a GET
	curl -s -D - -o /dev/null -H "$2" "$COUNCILD_URL$1" |
		awk -F': ' 'tolower($1) == "x-request-id" { sub(/\r$/, "", $2); print $2 }'
}
say "what councild asks the database (seven requests of each URL, logged)"
council_config "$OUT/capture.conf" 0 "$PGDIR"
printf 'worker_threads = 1\ndb_pool_size = 1\ncookie_secure = 1\n' >>"$OUT/capture.conf"
bench_psql_su -d council >/dev/null <<'SQL'
ALTER ROLE council_app SET log_min_duration_statement = 0;
ALTER ROLE council_app SET session_preload_libraries = 'auto_explain';
ALTER ROLE council_app SET auto_explain.log_min_duration = 0;
ALTER ROLE council_app SET auto_explain.log_analyze = on;
SQL
PGLOG=$PGDIR/log/postgresql.log
LOGOFF=$(stat -c %s "$PGLOG")
councild_start "$OUT/capture.conf" "$OUT/capture.log" || { tail "$OUT/capture.log" >&2; die "councild did not start"; }
# An ordinary member: the first person of organisation 100 (an operator).
CAPTURE_PERSON=$(bench_psql_su -d council -At -c "SELECT min(id) FROM council.people WHERE org_id = 100")
[ -n "$CAPTURE_PERSON" ] && [ "$CAPTURE_PERSON" -ge "$PLO" ] && [ "$CAPTURE_PERSON" -le "$PHI" ] ||
	CAPTURE_PERSON=$PLO
for _ in 1 2 3 4 5 6 7; do
	RID_API=$(rid /api/v1/feed "Authorization: Bearer $(awk -v p="$CAPTURE_PERSON" '$1 == "api" && $2 == p { print $3 }' "$OUT/tokens")")
	RID_PAGE=$(rid /feed "Cookie: $COOKIE=$(awk -v p="$CAPTURE_PERSON" '$1 == "web" && $2 == p { print $3 }' "$OUT/tokens")")
done
councild_stop
bench_psql_su -d council >/dev/null <<'SQL'
ALTER ROLE council_app RESET log_min_duration_statement;
ALTER ROLE council_app RESET session_preload_libraries;
ALTER ROLE council_app RESET auto_explain.log_min_duration;
ALTER ROLE council_app RESET auto_explain.log_analyze;
SQL
python3 "$HERE/capture.py" "$PGLOG" "$LOGOFF" "GET /api/v1/feed=$RID_API" "GET /feed=$RID_PAGE" >"$OUT/capture.txt"

# 5. councild. -----------------------------------------------------------------
# A production configuration (docs/configuration.md) on a free port: one
# database connection per worker thread (a worker holds at most one while
# it answers); every connection from 127.0.0.1, as behind the TLS proxy of
# production, so the per-address limit is the global one; the __Host-
# cookie (cookie_secure = 1: councild names the cookie, the proxy speaks
# TLS); one log line per request.
CONF=$OUT/councild.conf
council_config "$CONF" 0 "$PGDIR"
cat >>"$CONF" <<CONF
worker_threads = $WORKERS
db_pool_size = $WORKERS
connection_limit = 1024
per_ip_connection_limit = 1024
connection_timeout = 30
cookie_secure = 1
log_level = info
CONF
: >"$OUT/councild.log"
councild_start "$CONF" "$OUT/councild.log" || { tail "$OUT/councild.log" >&2; die "councild did not start"; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$COUNCILD_PID/status"; }
sleep 1
RSS_START=$(rss)
HOSTPORT=${COUNCILD_URL#http://}

# The answers are what we mean to measure.
say "checking the answers"
check() {  # check KIND URL HEADER MARKER: "status posts"
	local code
	code=$(curl -s -o "$OUT/check.body" -w '%{http_code}' -H "$3" "$COUNCILD_URL$2")
	echo "$code $(grep -o "$4" "$OUT/check.body" | wc -l)"
}
CHECK_JSON="" CHECK_HTML=""
while read -r tok; do
	read -r code n < <(check api /api/v1/feed "Authorization: Bearer $tok" '"kind"')
	[ "$code" = 200 ] || die "GET /api/v1/feed with an API token: $code"
	CHECK_JSON="$CHECK_JSON $n"
done < <(head -10 "$OUT/tokens-api")
while read -r tok; do
	read -r code n < <(check web /feed "Cookie: $COOKIE=$tok" 'class="feed-item"')
	[ "$code" = 200 ] || die "GET /feed with a session cookie: $code"
	CHECK_HTML="$CHECK_HTML $n"
done < <(head -10 "$OUT/tokens-web")
BOGUS=$(printf '%064d' 7)
read -r c1 _ < <(check api /api/v1/feed "Authorization: Bearer $BOGUS" x)
read -r c2 _ < <(check web /feed "Cookie: $COOKIE=$BOGUS" x)
[ "$c1" = 401 ] && [ "$c2" = 303 ] || die "a wrong token got $c1 (API) and $c2 (page)"
[ "$(tr ' ' '\n' <<<"$CHECK_JSON$CHECK_HTML" | sort -n | tail -1)" -gt 0 ] ||
	die "no posts in the sampled feeds"

# 6, 7. The runs. --------------------------------------------------------------
PMPID=$(head -1 "$PGDIR/data/postmaster.pid")
cpu_ticks() {  # utime + stime of councild, and of the postmaster's children
	local pg
	pg=$(for p in $PMPID $(pgrep -P "$PMPID"); do cat "/proc/$p/stat" 2>/dev/null; done |
		awk '{ s += $14 + $15 } END { print s + 0 }')
	echo "$(awk '{ print $14 + $15 }' "/proc/$COUNCILD_PID/stat") $pg $(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)"
}
HZ=$(getconf CLK_TCK)

pgb() {  # pgb TAG SCRIPT MODE SECONDS
	rm -f "$OUT/pgbench-$1".*
	(cd "$OUT" && pgbench -n -M "$3" -c "$CLIENTS" -j "$PG_THREADS" -T "$4" \
		-f "$2" -D pmin="$PLO" -D pmax="$PHI" -l --log-prefix="pgbench-$1" \
		"host=$SOCK user=council_app passfile=$PGPASSFILE dbname=council") \
		>"$OUT/pgbench-$1.out" 2>&1 || { cat "$OUT/pgbench-$1.out" >&2; die "pgbench $1 failed"; }
	grep -q '^number of failed transactions: 0' "$OUT/pgbench-$1.out" ||
		die "pgbench $1: failed transactions: $(grep -i 'failed' "$OUT/pgbench-$1.out" | head -3)"
}
pctl() {  # pctl LOGPREFIX PERCENT: latency (ms) of pgbench -l logs
	cat "$1".* | awk '{ print $3 }' | sort -n | awk -v p="$2" '{ a[NR] = $1 }
		END { i = int(NR * p / 100); if (i < 1) i = 1; printf "%.2f", a[i] / 1000 }'
}
wrkrun() {  # wrkrun TAG PATH TOKENS MODE MARKER SECONDS
	wrk -t"$WRK_THREADS" -c"$CONNS" -d"$6s" --timeout 30s --latency -s "$HERE/feed.lua" \
		"$COUNCILD_URL$2" -- "$OUT/$3" "$4" "$COOKIE" "$5" >"$OUT/wrk-$1.out" 2>&1 ||
		{ cat "$OUT/wrk-$1.out" >&2; die "wrk $1 failed"; }
}
wrk_result() {  # wrk_result TAG: "req/s p50 p99 ok empty bad errors"
	local f=$OUT/wrk-$1.out
	awk '/^Requests\/sec/ { r = $2 }
	     /^bench:/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
	     /Socket errors|Non-2xx/ { e = e $0 }
	     END { printf "%s %s %s %s %s %s %s\n", r, v["p50_ms"], v["p99_ms"], v["ok"], v["empty"], v["bad"], (e == "" ? "none" : "yes") }' "$f"
}

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
say "warm-up (${WARMUP}s each)"
pgb warm "$ROOT/bench/feed.pgbench" prepared "$WARMUP"
wrkrun warm-json /api/v1/feed tokens-api bearer '"kind"' "$WARMUP"
wrkrun warm-html /feed tokens-web cookie 'class="feed-item"' "$WARMUP"

say "pgbench: feed (bench/feed.pgbench), ${DURATION}s"
pgb feed "$ROOT/bench/feed.pgbench" prepared "$DURATION"

drain() {  # until councild has answered what a run left in flight
	local _
	for _ in $(seq 1 60); do
		[ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$COUNCILD_URL/healthz")" = 200 ] && return 0
		sleep 1
	done
}
declare -A CPU
measure() {  # measure TAG args of wrkrun...: wrk, with CPU accounting
	local a b
	drain
	a=$(cpu_ticks)
	wrkrun "$@"
	b=$(cpu_ticks)
	CPU[$1]=$(echo "$a $b" | awk -v hz="$HZ" '{ printf "%.1f %.1f %.1f", ($4 - $1) / hz, ($5 - $2) / hz, ($6 - $3) / hz }')
}
say "wrk: GET /api/v1/feed, $CONNS connections, ${DURATION}s"
measure json /api/v1/feed tokens-api bearer '"kind"' "$DURATION"
say "wrk: GET /feed, $CONNS connections, ${DURATION}s"
measure html /feed tokens-web cookie 'class="feed-item"' "$DURATION"
RSS_RUNS=$(rss)

# 8. Idle keep-alive connections. ----------------------------------------------
drain
say "$IDLE idle keep-alive connections"
python3 "$HERE/idle.py" "${HOSTPORT%:*}" "${HOSTPORT##*:}" "$IDLE" "$HOLD" >"$OUT/idle.out" 2>&1 &
IDLE_PID=$!
for _ in $(seq 1 600); do
	grep -q '^open:' "$OUT/idle.out" && break
	kill -0 "$IDLE_PID" 2>/dev/null || break
	sleep 0.1
done
sleep 1
RSS_IDLE=$(rss)
FDS_IDLE=$(find "/proc/$COUNCILD_PID/fd" -mindepth 1 | wc -l)
wait "$IDLE_PID" || die "idle.py failed: $(cat "$OUT/idle.out")"
IDLE_PID=
sleep 1
RSS_AFTER=$(rss)
IDLE_OPEN=$(sed -n 's/^open: //p' "$OUT/idle.out")
IDLE_STILL=$(sed -n 's/^after .*still_open=//p' "$OUT/idle.out")
REFUSED=$(grep 'msg=mhd' "$OUT/councild.log" | grep -ci 'limit' || true)
THREADS_NOW=$(awk '/^Threads/ { print $2 }' "/proc/$COUNCILD_PID/status")

# Results. ---------------------------------------------------------------------
F=$(bench_tps "$OUT/pgbench-feed.out")
read -r JR J50 J99 JOK JEMPTY JBAD JERR < <(wrk_result json)
read -r HR H50 H99 HOK HEMPTY HBAD HERR < <(wrk_result html)
read -r JC JP JM <<<"${CPU[json]}"
read -r HC HP HM <<<"${CPU[html]}"
echo
echo "machine: $(bench_machine), $(bench_psql_su -d council -At -c 'SHOW server_version'); load average before the runs: $LOAD"
echo "dataset: $(bench_sizes | awk '{ printf "%s posts, %s audience rows (%s a post), audience %s %s, database %s %s, feed index %s %s", $1, $2, $3, $4, $5, $6, $7, $8, $9 }'); $ORGS organisations; council $T_COUNCIL${T_POSTS:+ s;$T_POSTS}"
echo "people: persons $PLO..$PHI, $NPEOPLE people of $NORG organisations, a browser session and an API token each"
if [ "$(git -C "$ROOT" rev-parse --show-toplevel 2>/dev/null)" = "$ROOT" ]; then
	REV="commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- server policy migrations templates 2>/dev/null || echo ' with uncommitted changes')$([ -z "$(git -C "$ROOT" status --porcelain -- server policy migrations templates | grep '^??')" ] || echo ', untracked files')"
else
	REV="$ROOT (not a git checkout)"
fi
echo "councild: $REV, var/build/bench ($(awk '/^CFLAGS =/ { $1 = $2 = ""; print }' "$BUILD/Makefile" | xargs)); $THREADS_NOW threads; configuration:"
grep -vE '^(#|web_root|template_root|locale_root|db_conninfo)' "$CONF" | sed 's/^/    /'
echo "PostgreSQL: shared_buffers $SHARED_BUFFERS, fsync off (bench/lib.sh), jit $JIT_NOW for council_app${JIT:+ (JIT=$JIT)}"
echo "pgbench: $CLIENTS clients, $PG_THREADS threads, ${DURATION}s; wrk: $WRK_THREADS threads, $CONNS connections, ${DURATION}s; each after a ${WARMUP}s warm-up"
echo "check of 10 people each: posts per answer: API$CHECK_JSON; page$CHECK_HTML; a wrong token: $c1 (API), $c2 (page)"
echo "what councild asks the database, the seventh request of each URL by person $CAPTURE_PERSON, alone (log and auto_explain):"
sed 's/^/    /' "$OUT/capture.txt"
echo
printf '%-44s %10s %9s %9s\n' "" "req/s|TPS" "p50 ms" "p99 ms"
printf '%-44s %10s %9s %9s\n' "pgbench feed.pgbench (-M prepared)" "$F" "$(pctl "$OUT/pgbench-feed" 50)" "$(pctl "$OUT/pgbench-feed" 99)"
printf '%-44s %10s %9s %9s\n' "wrk GET /api/v1/feed (bearer)" "$JR" "$J50" "$J99"
printf '%-44s %10s %9s %9s\n' "wrk GET /feed (cookie)" "$HR" "$H50" "$H99"
echo "answers: API ok=$JOK empty=$JEMPTY not-200=$JBAD (wrk errors: $JERR); page ok=$HOK empty=$HEMPTY not-200=$HBAD (wrk errors: $HERR)"
awk -v j="$JR" -v h="$HR" -v f="$F" -v j99="$J99" -v h99="$H99" 'BEGIN {
	printf "ratio JSON req/s / pgbench feed TPS: %.2f (target >= 0.5: %s)\n", j / f, (j / f >= 0.5 ? "met" : "NOT MET")
	printf "ratio HTML req/s / pgbench feed TPS: %.2f (target >= 0.4: %s)\n", h / f, (h / f >= 0.4 ? "met" : "NOT MET")
	printf "p99 JSON %s ms, HTML %s ms (target <= 25 ms: %s)\n", j99, h99, ((j > 0 && h > 0 && j99 <= 25 && h99 <= 25) ? "met" : "NOT MET") }'
awk -v d="$DURATION" -v n=2 -v jr="$JR" -v hr="$HR" -v jc="$JC" -v jp="$JP" -v jm="$JM" -v hc="$HC" -v hp="$HP" -v hm="$HM" 'BEGIN {
	if (jr == 0) jr = 1e-9; if (hr == 0) hr = 1e-9
	printf "CPU during wrk JSON: councild %.1f s, PostgreSQL %.1f s, machine %.1f s of %d (%.2f ms councild + %.2f ms PostgreSQL a request)\n", jc, jp, jm, n * d, jc / (jr * d) * 1e3, jp / (jr * d) * 1e3
	printf "CPU during wrk HTML: councild %.1f s, PostgreSQL %.1f s, machine %.1f s of %d (%.2f ms councild + %.2f ms PostgreSQL a request)\n", hc, hp, hm, n * d, hc / (hr * d) * 1e3, hp / (hr * d) * 1e3 }'
echo "councild VmRSS: $RSS_START kB after start, $RSS_RUNS kB after the runs, $RSS_IDLE kB with $IDLE idle keep-alive connections ($IDLE_OPEN; $FDS_IDLE open descriptors), $RSS_AFTER kB after they closed; still open after ${HOLD}s idle: $IDLE_STILL; refusals logged: $REFUSED"
awk -v a="$RSS_RUNS" -v b="$RSS_IDLE" -v n="$IDLE" 'BEGIN { printf "memory of an idle connection: %.1f kB\n", (b - a) / n }'
echo "raw outputs: $OUT"
