#!/usr/bin/env bash
# bench/static.sh: throughput and latency of councild on loopback.
#   GET /healthz                   one database round trip (identity pipeline)
#   GET /static/css/council.css    a static file (no database)
#   GET /                          a rendered template page (no database)
# Uses the optimised build (var/build/demo, or the build folder BENCH_BUILD,
# to compare two builds in one sitting), the embedded cluster in var/pg
# and wrk (installed from Debian if missing).  Each run is bounded:
# DURATION seconds (default 10) with CONNS connections (default 16).
# Prints requests/s and latency percentiles, and the ratios between them.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"
. "$ROOT/tests/ops/councild.sh"

DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
	|| die "wrk is needed: apt-get install wrk"
"$ROOT/deploy/install-deps.sh"
BUILD=${BENCH_BUILD:-$(council_build demo)}	# BENCH_BUILD: another build folder
PGDIR=$ROOT/var/pg
"$ROOT/deploy/pg.sh" start "$PGDIR"
"$BUILD/server/councilctl" -d "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_owner)" \
	-r "$ROOT" migrate >/dev/null

OUT=$ROOT/var/bench
mkdir -p "$OUT"
council_config "$OUT/councild.conf" 0 "$PGDIR"
COUNCILD=$BUILD/server/councild
# Request lines are logged as in production (one per request).
: >"$OUT/councild.log"
councild_start "$OUT/councild.conf" "$OUT/councild.log" || die "councild did not start"
trap 'councild_stop >/dev/null 2>&1 || true' EXIT

run() {  # run NAME PATH
	local out
	out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$COUNCILD_URL$2")
	rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
	p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	errs=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out")
	printf '%-8s %-28s %10s req/s   p50 %8s   p99 %8s  %s\n' "$1" "$2" \
		"$rps" "$p50" "$p99" "$errs"
	eval "RPS_$1=$rps"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo), $(uname -r)"
echo "wrk: 2 threads, $CONNS connections, ${DURATION}s each; councild: default worker_threads/db_pool_size"
run healthz /healthz
run static /static/css/council.css
run page /
awk -v h="$RPS_healthz" -v s="$RPS_static" -v p="$RPS_page" 'BEGIN {
	printf "ratio healthz/static %.2f, page/static %.2f\n", h / s, p / s }'
