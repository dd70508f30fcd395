#!/usr/bin/env bash
# bench/cluster.sh: the member feed (GET /api/v1/feed) through HAProxy,
# TLS 1.3, with both councild of the cluster against one (issue 16), and
# one councild directly (no TLS, no proxy) as the ceiling of one instance.
#
#   bench/cluster.sh                 the cluster of deploy/cluster.sh (up if
#                                    it is not), its demo council
#   DURATION=5 bench/cluster.sh      a quick check
#
# Settings (environment): DURATION (15 s a measured run), WARMUP (3 s,
# unmeasured, before each), CONNS (32 wrk connections), WRK_THREADS (2),
# COUNCIL_BUILD_DIR (the build the cluster runs; deploy/cluster.sh's
# default is the release build var/build/cluster).
#
# Each request is made by the next of the demo council's active people, by
# an API token made for this run (bench/http/feed.lua; the tokens are
# deleted at the end).  Two councild against one: HAProxy's admin socket
# puts councild2 in maintenance for the "one" run and back afterwards.
# Prints one line a run and the ratios; every machine-wide caveat (two
# cores shared by three PostgreSQL nodes, HAProxy, wrk and the councild)
# is in docs/benchmarks.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
CONNS=${CONNS:-32}
WRK_THREADS=${WRK_THREADS:-2}
OUT=$ROOT/var/bench-cluster
mkdir -p "$OUT"

die() { echo "bench/cluster.sh: $*" >&2; exit 1; }
command -v wrk >/dev/null || apt-get install -y --no-install-recommends wrk >/dev/null \
	|| die "wrk is missing (apt-get install wrk)"

"$ROOT/deploy/cluster.sh" status >/dev/null 2>&1 || "$ROOT/deploy/cluster.sh" up
# shellcheck source=/dev/null
. "$ROOT/var/cluster/env"
export PGPASSFILE
psql_owner() { psql "$PG_DSN_OWNER" -qAtX -v ON_ERROR_STOP=1 "$@"; }
admin() { "$ROOT/deploy/cluster.sh" haproxy "$1"; }

# The people and their tokens (kind api, an hour).
: >"$OUT/tokens"
people=$(psql_owner -c "SELECT p.id FROM council.people p
	JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' ORDER BY p.id")
values=''
for id in $people; do
	tok=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	echo "$tok" >>"$OUT/tokens"
	values+="${values:+,}(sha256(convert_to('$tok', 'UTF8')), $id, now() + interval '1 hour', 'api')"
done
[ -n "$values" ] || die "no people in the cluster's database"
psql_owner -c "INSERT INTO council.sessions (token_hash, person_id, expires_at, kind) VALUES $values" >/dev/null
cleanup() {
	admin "set server councild/councild2 state ready" >/dev/null || true
	[ -s "$OUT/tokens" ] && psql_owner -c "DELETE FROM council.sessions WHERE token_hash IN
		(SELECT sha256(convert_to(t, 'UTF8')) FROM unnest(string_to_array('$(tr '\n' ' ' <"$OUT/tokens")', ' ')) t)" >/dev/null
}
trap cleanup EXIT

# run NAME URL: one warm-up and one measured wrk run; prints req/s.
run() {
	local name=$1 url=$2 rps line
	wrk -t"$WRK_THREADS" -c"$CONNS" -d"${WARMUP}s" -s "$ROOT/bench/http/feed.lua" \
		"$url/api/v1/feed" -- "$OUT/tokens" bearer x '"id"' >/dev/null 2>&1 || true
	wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$ROOT/bench/http/feed.lua" \
		"$url/api/v1/feed" -- "$OUT/tokens" bearer x '"id"' >"$OUT/$name.out" 2>&1 \
		|| die "wrk failed: $(tail -3 "$OUT/$name.out")"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$OUT/$name.out")
	line=$(grep '^bench:' "$OUT/$name.out")
	printf '%-28s %10s req/s  %s\n' "$name" "$rps" "${line#bench: }" >&2
	echo "$rps"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); build: $BUILD" >&2
echo "people: $(wc -l <"$OUT/tokens"), $CONNS connections, $WRK_THREADS wrk threads, ${DURATION}s a run" >&2
two=$(run "haproxy, 2 councild" "$HTTPS_URL")
admin "set server councild/councild2 state maint" >/dev/null
sleep 1
one=$(run "haproxy, 1 councild" "$HTTPS_URL")
admin "set server councild/councild2 state ready" >/dev/null
direct=$(run "councild1 direct (no TLS)" "http://127.0.0.1:${COUNCILD_PORTS%% *}")
awk -v two="$two" -v one="$one" -v d="$direct" 'BEGIN {
	printf "ratio 2 councild / 1 councild (through HAProxy): %.2f\n", two / one
	printf "ratio 1 councild through HAProxy / direct:       %.2f\n", one / d
}'
