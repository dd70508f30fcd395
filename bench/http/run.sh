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
#    6b. In the same cluster: pgbench -S (scale 10), the feed's statement
#    without row-level security (bench/feed-raw.pgbench), the transaction
#    shape with SELECT 1 (bench/feed-ceiling.pgbench), the newest 50 post
#    ids index-only (bench/feed-ionly.pgbench).
#    7b. Open-loop latency with h2load (--h1 --rps) on GET /api/v1/feed at
#    50% and 90% of the JSON maximum just measured.
#    7c. The same CSS file from councild and from nginx (Debian
#    nginx-light, one worker), the static-file anchor.
# 8. councild's VmRSS after start, after the runs, with IDLE idle
#    keep-alive connections (bench/http/idle.py: one GET /healthz each,
#    then idle HOLD s) and after they close.
# 9. A class change and a first admission (rolled back) while pgbench
#    reads the feed: their seconds and the feed's TPS during each.
# Last: every ratio and target of issue 12 from this one run.
# Tools installed from Debian when missing (as root): wrk, nghttp2-client
# (h2load), nginx-light.
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
for tool in wrk:wrk h2load:nghttp2-client nginx:nginx-light; do
	command -v "${tool%%:*}" >/dev/null && continue
	[ "$(id -u)" = 0 ] || die "${tool%%:*} is needed: apt-get install ${tool#*:} (as root)"
	say "apt-get install ${tool#*:}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "${tool#*:}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${tool#*:}" >/dev/null; }
done
"$ROOT/deploy/install-deps.sh"
command -v pgbench >/dev/null || die "pgbench is needed (postgresql-client-15)"
BUILD=${BENCH_BUILD:-$(council_build bench)}
COUNCILD=$BUILD/server/councild
COUNCILCTL=$BUILD/server/councilctl

cleanup() {
	[ -n "${IDLE_PID:-}" ] && kill "$IDLE_PID" 2>/dev/null
	[ -n "${CHANGE_PID:-}" ] && kill "$CHANGE_PID" 2>/dev/null
	[ -n "${NGINX_STARTED:-}" ] && kill "$(cat "$OUT/nginx/nginx.pid" 2>/dev/null)" 2>/dev/null
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

pgb() {  # pgb TAG SCRIPT MODE SECONDS [USER]
	rm -f "$OUT/pgbench-$1".*
	(cd "$OUT" && pgbench -n -M "$3" -c "$CLIENTS" -j "$PG_THREADS" -T "$4" \
		-f "$2" -D pmin="$PLO" -D pmax="$PHI" -l --log-prefix="pgbench-$1" \
		"host=$SOCK user=${5:-council_app} passfile=$PGPASSFILE dbname=council") \
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

# 6b. What the database can do, same clients, duration and cluster:
# pgbench -S (scale 10, database pgbench), the feed's statement without
# row-level security (superuser, bench/feed-raw.pgbench), the transaction
# shape with SELECT 1 (bench/feed-ceiling.pgbench), and the newest 50 post
# ids of the person's organisation read index-only from post_audience_pkey
# (superuser, bench/feed-ionly.pgbench): the cheapest read of the feed's
# rows.
if [ "$(bench_psql_su -d postgres -At -c "SELECT count(*) FROM pg_database WHERE datname = 'pgbench'")" = 0 ]; then
	say "pgbench -i -s 10 (database pgbench)"
	bench_psql_su -d postgres -c 'CREATE DATABASE pgbench' >/dev/null
	pgbench -i -q -s 10 -h "$SOCK" -U postgres pgbench >"$OUT/pgbench-init.log" 2>&1 ||
		{ cat "$OUT/pgbench-init.log" >&2; die "pgbench -i failed"; }
fi
say "pgbench -S, the raw feed, the ceiling, the index-only read: ${DURATION}s each"
rm -f "$OUT/pgbench-select".*
(cd "$OUT" && pgbench -n -S -M prepared -c "$CLIENTS" -j "$PG_THREADS" -T "$DURATION" \
	-l --log-prefix=pgbench-select -h "$SOCK" -U postgres pgbench) >"$OUT/pgbench-select.out" 2>&1 ||
	{ cat "$OUT/pgbench-select.out" >&2; die "pgbench -S failed"; }
pgb raw "$ROOT/bench/feed-raw.pgbench" prepared "$DURATION" postgres
pgb ceiling "$ROOT/bench/feed-ceiling.pgbench" prepared "$DURATION"
pgb ionly "$ROOT/bench/feed-ionly.pgbench" prepared "$DURATION" postgres
# The feed index read bare, as council_app under its policy, without
# council.feed(): the ceiling of "feed under RLS / without RLS" for this
# policy (bench/feed-rls.pgbench).
pgb rls "$ROOT/bench/feed-rls.pgbench" prepared "$DURATION"
# 6c. Where the API's JSON is best built: the API's statement as councild
# sends it (the posts as columns, the JSON written by councild:
# bench/feed-json.pgbench) against the statement that built the JSON in
# SQL before (each post a json_build_object, the page one json_agg:
# bench/feed-jsonsql.pgbench).
say "pgbench: the API's statement and the JSON built in SQL, ${DURATION}s each"
pgb json "$ROOT/bench/feed-json.pgbench" prepared "$DURATION"
pgb jsonsql "$ROOT/bench/feed-jsonsql.pgbench" prepared "$DURATION"
# The page's own SQL: who is asking, the groups, the page's columns, in
# one pipeline as councild sends them (bench/feed-html.pgbench).
pgb html "$ROOT/bench/feed-html.pgbench" prepared "$DURATION"

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

# 7b. Open-loop latency: GET /api/v1/feed at a fixed rate, 50% and 90% of
# the JSON maximum just measured (h2load --h1 --rps).  Each client keeps
# one connection and sends 10 requests a second, so a client waits 100 ms
# between requests, far longer than an answer takes: the rate does not
# bend to the server (no coordinated omission unless an answer takes
# 100 ms).  The clients' 100 ms timers must not tick together: with -D all
# connections open at once and every tick sends one request from each
# client in the same instant (82 at 50%), a burst whose last answer waits
# for all the others -- what the first run of this script measured (p99
# 64.8 ms at 50%).  So the connections open k a millisecond (-r k
# --rate-period 1ms, k = ceil(clients / 100)), their ticks spread over
# the 100 ms, and arrivals are even as a real population's would be; -r
# excludes -D, so the run is -n requests (WARMUP + DURATION seconds' worth)
# and the requests of the first WARMUP seconds are left out of the figures.
# One person's token for every request (h2load sends the same headers each
# time).  p50/p99 from h2load's per-request log (start us, status, us).
openloop() {  # openloop TAG RATE: "clients rate p50 p99 n not-200"
	local c k n bad
	c=$(awk -v r="$2" 'BEGIN { c = int(r / 10 + 0.5); if (c < 1) c = 1; print c }')
	k=$(( (c + 99) / 100 ))
	n=$(( c * 10 * (WARMUP + DURATION) ))
	rm -f "$OUT/h2load-$1.log"
	h2load --h1 -c "$c" -t 1 --rps 10 -r "$k" --rate-period 1ms -n "$n" \
		-H "Authorization: Bearer $OPEN_TOKEN" --log-file="$OUT/h2load-$1.log" \
		"$COUNCILD_URL/api/v1/feed" >"$OUT/h2load-$1.out" 2>&1 ||
		{ cat "$OUT/h2load-$1.out" >&2; die "h2load $1 failed"; }
	sort -n "$OUT/h2load-$1.log" | awk -F'\t' -v w="$WARMUP" '
		NR == 1 { t0 = $1 } $1 >= t0 + w * 1000000 { print }' >"$OUT/h2load-$1.kept"
	bad=$(awk -F'\t' '$2 != 200' "$OUT/h2load-$1.kept" | wc -l)
	cut -f3 "$OUT/h2load-$1.kept" | sort -n | awk -v c="$c" -v d="$DURATION" -v bad="$bad" '
		{ a[NR] = $1 }
		END { i50 = int(NR * 0.50); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
		      printf "%d %.1f %.2f %.2f %d %d\n", c, NR / d, a[i50] / 1000, a[i99] / 1000, NR, bad }'
}
OPEN_TOKEN=$(awk -v p="$CAPTURE_PERSON" '$1 == "api" && $2 == p { print $3 }' "$OUT/tokens")
JMAX=$(wrk_result json | cut -d' ' -f1)
drain
say "h2load: GET /api/v1/feed at 50% of $JMAX req/s, ${DURATION}s"
read -r O50C O50R O50P50 O50P99 O50N O50BAD < <(openloop half "$(awk -v j="$JMAX" 'BEGIN { print j * 0.5 }')")
drain
say "h2load: GET /api/v1/feed at 90% of $JMAX req/s, ${DURATION}s"
read -r O90C O90R O90P50 O90P99 O90N O90BAD < <(openloop ninety "$(awk -v j="$JMAX" 'BEGIN { print j * 0.9 }')")

# 7c. The static-file anchor: the same CSS file from councild and from
# nginx (Debian nginx-light, one worker, sendfile, no access log), wrk with
# the same connections and duration.
STATIC=/static/css/council.css
NGINX_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$OUT/nginx"
cat >"$OUT/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon on;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path $OUT/nginx/body;
    proxy_temp_path $OUT/nginx/proxy;
    fastcgi_temp_path $OUT/nginx/fastcgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location /static/ { alias $ROOT/web/; }
    }
}
NGINX
nginx -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -e "$OUT/nginx/error.log" ||
	die "nginx did not start: $(cat "$OUT/nginx/error.log")"
NGINX_STARTED=1
cmp -s <(curl -s "http://127.0.0.1:$NGINX_PORT$STATIC") <(curl -s "$COUNCILD_URL$STATIC") ||
	die "nginx and councild serve different bytes for $STATIC"
static_run() {  # static_run TAG URL: "req/s p99"
	wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$2" >"$OUT/wrk-$1.out" 2>&1 ||
		{ cat "$OUT/wrk-$1.out" >&2; die "wrk $1 failed"; }
	awk '/^Requests\/sec/ { r = $2 } $1 == "99%" { p = $2 } /Non-2xx|Socket errors/ { e = "yes" }
	     END { print r, p, (e == "" ? "none" : e) }' "$OUT/wrk-$1.out"
}
drain
say "wrk: $STATIC from councild and from nginx, ${DURATION}s each"
read -r SC_R SC_P99 SC_E < <(static_run static-councild "$COUNCILD_URL$STATIC")
read -r SN_R SN_P99 SN_E < <(static_run static-nginx "http://127.0.0.1:$NGINX_PORT$STATIC")
kill "$(cat "$OUT/nginx/nginx.pid")" 2>/dev/null || true
NGINX_STARTED=

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

# 9. An organisation change while the feed is read (issue 12 item 2):
# pgbench on the feed (bench/feed.pgbench, -P 1) runs throughout; after
# CHANGE_IDLE s a class change (operator 40 into Type 2) and, after it, a
# first admission of a Type 1 vendor, each in a transaction rolled back
# (the dataset is kept), timed by psql.  The feed's TPS while each runs is
# the mean of pgbench's progress seconds inside the change, against that of
# the seconds before the first.
CHANGE_IDLE=${CHANGE_IDLE:-10}
drain
say "organisation changes while pgbench reads the feed"
t_rel() { awk -v t0="$CHANGE_T0" -v t="$(bench_now)" 'BEGIN { printf "%.1f", t - t0 }'; }
CHANGE_T0=$(bench_now)
(cd "$OUT" && exec pgbench -n -M prepared -c "$CLIENTS" -j "$PG_THREADS" -T 3600 -P 1 \
	-f "$ROOT/bench/feed.pgbench" -D pmin="$PLO" -D pmax="$PHI" \
	"host=$SOCK user=council_app passfile=$PGPASSFILE dbname=council") >"$OUT/change-pgbench.out" 2>&1 &
CHANGE_PID=$!
sleep "$CHANGE_IDLE"
change() {  # change TAG SQL: "seconds-from-start-begin end rows"
	local a b rows
	a=$(t_rel)
	rows=$(bench_psql_su -d council -At <<SQL
BEGIN;
SELECT count(*) AS n0 FROM council.post_audience \\gset
$2;
SELECT (SELECT count(*) FROM council.post_audience) - :n0;
ROLLBACK;
SQL
)
	b=$(t_rel)
	echo "$a $b $rows"
}
read -r CL_A CL_B CL_ROWS < <(change class "UPDATE council.organisations SET tf_class = 'type2' WHERE id = 40")
read -r AD_A AD_B AD_ROWS < <(change admit "INSERT INTO council.organisations (slug, name_ja, name_en, category, tf_class, status) VALUES ('bench-change', 'x', 'x', 'cyber_business', 'type1', 'member')")
sleep 3
# TERM, not INT: a background job of a non-interactive shell ignores
# SIGINT, and pgbench would read on for its whole -T 3600.
kill -TERM "$CHANGE_PID" 2>/dev/null || true
wait "$CHANGE_PID" 2>/dev/null || true
CHANGE_PID=
# progress: 12.0 s, 4321.0 tps, lat ... (the second ending at 12.0 s)
window_tps() {  # window_tps FROM TO: mean TPS of the progress seconds inside
	awk -v a="$1" -v b="$2" '$1 == "progress:" { t = $2 + 0; if (t - 1 >= a && t <= b) { s += $4; n++ } }
		END { if (n) printf "%.1f", s / n; else printf "n/a" }' "$OUT/change-pgbench.out"
}
CH_IDLE=$(window_tps 2 "$CL_A")
CH_CLASS=$(window_tps "$CL_A" "$CL_B")
CH_ADMIT=$(window_tps "$AD_A" "$AD_B")

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
awk -v d="$DURATION" -v n=2 -v jr="$JR" -v hr="$HR" -v jc="$JC" -v jp="$JP" -v jm="$JM" -v hc="$HC" -v hp="$HP" -v hm="$HM" 'BEGIN {
	if (jr == 0) jr = 1e-9; if (hr == 0) hr = 1e-9
	printf "CPU during wrk JSON: councild %.1f s, PostgreSQL %.1f s, machine %.1f s of %d (%.2f ms councild + %.2f ms PostgreSQL a request)\n", jc, jp, jm, n * d, jc / (jr * d) * 1e3, jp / (jr * d) * 1e3
	printf "CPU during wrk HTML: councild %.1f s, PostgreSQL %.1f s, machine %.1f s of %d (%.2f ms councild + %.2f ms PostgreSQL a request)\n", hc, hp, hm, n * d, hc / (hr * d) * 1e3, hp / (hr * d) * 1e3 }'
echo "councild VmRSS: $RSS_START kB after start, $RSS_RUNS kB after the runs, $RSS_IDLE kB with $IDLE idle keep-alive connections ($IDLE_OPEN; $FDS_IDLE open descriptors), $RSS_AFTER kB after they closed; still open after ${HOLD}s idle: $IDLE_STILL; refusals logged: $REFUSED"
awk -v a="$RSS_RUNS" -v b="$RSS_IDLE" -v n="$IDLE" 'BEGIN { printf "memory of an idle connection: %.1f kB\n", (b - a) / n }'

# Every ratio of issue 12, from this one run on this one cluster.
S=$(bench_tps "$OUT/pgbench-select.out")
RAW=$(bench_tps "$OUT/pgbench-raw.out")
CEIL=$(bench_tps "$OUT/pgbench-ceiling.out")
IONLY=$(bench_tps "$OUT/pgbench-ionly.out")
RLS=$(bench_tps "$OUT/pgbench-rls.out")
TRIPS=$(awk '/round trip/ { sub(/^ +/, ""); print }' "$OUT/capture.txt" | paste -sd';' -)
echo
echo "every ratio (issue 12), one run:"
printf '  %-58s %s\n' "pgbench -S (scale 10)" "$S TPS"
printf '  %-58s %s\n' "the feed's statement, superuser, no RLS (feed-raw)" "$RAW TPS"
printf '  %-58s %s\n' "the transaction shape with SELECT 1 (feed-ceiling)" "$CEIL TPS"
printf '  %-58s %s\n' "newest 50 post ids, index-only, superuser (feed-ionly)" "$IONLY TPS"
printf '  %-58s %s\n' "the feed index read bare under its policy (feed-rls)" "$RLS TPS"
printf '  %-58s %s\n' "the API's statement, columns for councild (feed-json)" "$(bench_tps "$OUT/pgbench-json.out") TPS"
printf '  %-58s %s\n' "the same posts, JSON built in SQL (feed-jsonsql)" "$(bench_tps "$OUT/pgbench-jsonsql.out") TPS"
printf '  %-58s %s\n' "the HTML page's statements in one pipeline (feed-html)" "$(bench_tps "$OUT/pgbench-html.out") TPS"
FJ=$(bench_tps "$OUT/pgbench-json.out")
FH=$(bench_tps "$OUT/pgbench-html.out")
awk -v f="$F" -v fj="$FJ" -v fh="$FH" -v s="$S" -v raw="$RAW" -v rls="$RLS" -v io="$IONLY" -v c="$CEIL" -v jr="$JR" -v hr="$HR" -v hc="$HC" -v d="$DURATION" \
    -v o50="$O50P99" -v o90="$O90P99" -v o50r="$O50R" -v o90r="$O90R" -v o50b="$O50BAD" -v o90b="$O90BAD" \
    -v ra="$RSS_RUNS" -v ri="$RSS_IDLE" -v n="$IDLE" -v cls="$CL_A $CL_B" -v adm="$AD_A $AD_B" \
    -v cti="$CH_IDLE" -v ctc="$CH_CLASS" -v cta="$CH_ADMIT" -v scr="$SC_R" -v snr="$SN_R" 'BEGIN {
	split(cls, C, " "); split(adm, A, " ")
	m = "met"; x = "NOT MET"
	printf "  %-58s %.2f (ceiling: index-only %.2f, SELECT 1 %.2f) target >= 0.5: %s\n", "feed under RLS / pgbench -S", f / s, io / s, c / s, (f / s >= 0.5 ? m : x)
	printf "  %-58s %.2f (ceiling: the bare read under the policy %.2f) target >= 0.8: %s\n", "feed under RLS / the same read without RLS", f / raw, rls / raw, (f / raw >= 0.8 ? m : x)
	printf "  %-58s %.2f (of feed.pgbench: %.2f) target >= 0.8: %s\n", "JSON feed req/s / pgbench TPS of its SQL (feed-json)", jr / fj, jr / f, (jr / fj >= 0.8 ? m : x)
	printf "  %-58s %.2f (of feed.pgbench: %.2f) target >= 0.7: %s\n", "HTML feed req/s / pgbench TPS of its SQL (feed-html)", hr / fh, hr / f, (hr / fh >= 0.7 ? m : x)
	printf "  %-58s %.3f ms target <= 0.15 ms: %s\n", "councild CPU per HTML feed page", hc / (hr * d) * 1e3, (hc / (hr * d) * 1e3 <= 0.15 ? m : x)
	printf "  %-58s %s ms at %s req/s (%s not 200) target <= 10 ms: %s\n", "open-loop p99 at 50% of max JSON", o50, o50r, o50b, (o50 <= 10 ? m : x)
	printf "  %-58s %s ms at %s req/s (%s not 200) target <= 50 ms: %s\n", "open-loop p99 at 90% of max JSON", o90, o90r, o90b, (o90 <= 50 ? m : x)
	printf "  %-58s %.1f kB target <= 32 kB: %s\n", "memory per idle keep-alive connection", (ri - ra) / n, ((ri - ra) / n <= 32 ? m : x)
	printf "  %-58s %.1f s, feed %s TPS during it = %.2f of %s idle; target <= 15 s and >= 0.7: %s\n", "class change at this size (operator 40 into Type 2)", C[2] - C[1], ctc, ctc / cti, cti, ((C[2] - C[1] <= 15 && ctc / cti >= 0.7) ? m : x)
	printf "  %-58s %.1f s, feed %s TPS during it = %.2f of idle\n", "first admission of a Type 1 vendor", A[2] - A[1], cta, cta / cti
	printf "  %-58s %.2f (councild %s, nginx %s req/s)\n", "councild static CSS / nginx, same file", scr / snr, scr, snr }'
echo "  round trips (capture, the seventh request): $TRIPS"
echo "  audience rows written: class change $CL_ROWS, admission $AD_ROWS"
echo "  p95 of the feed at 1M / 100k posts: bench/feed-db.sh (two sizes)"
echo "raw outputs: $OUT"
