#!/usr/bin/env bash
# bench/taxii.sh: the TAXII 2.1 objects endpoint (issue 15 item 1;
# server/pages/taxii.c, council.taxii_objects of policy/96_stix.sql) for
# one member, 1,000 objects a page, against pgbench of its own SQL.
#   1. a member of the demo council (a plain member's registered handler)
#      sees at least OBJECTS objects in its "shared with us" collection:
#      reports to all members ("bench-taxii N", made once by
#      council.create_post as that member, kept for the next run), each
#      naming ten IPv4 addresses of 198.18.0.0/15 of its own, so about 22
#      objects a post (the report, ten indicators, ten SCOs, one
#      observed-data; docs/stix.md)
#   2. one walk over every page with next (limit=1000): pages, objects,
#      seconds
#   3. ROUNDS rounds, interleaved, each DURATION seconds:
#        http     wrk on GET .../collections/{shared}/objects/?limit=1000
#                 (Bearer token, CONNS connections) against a release
#                 build of councild started here on this cluster
#        pgbench  the same statements as councild sends them for that
#                 request, in one pipeline (BEGIN, the identity, who the
#                 token is, the call, COMMIT), -M prepared, CLIENTS clients
#   Prints requests/s and objects/s of each round, their medians, and the
#   ratio http / pgbench.
#
# Usage: bench/taxii.sh PGDIR   (a cluster of deploy/pg.sh with the demo
#        council, migrated: a sandbox, tests/dev.sh NAME up, then
#        tests/dev.sh NAME env; its own councild is left alone)
#   OBJECTS (3000), DURATION (10), ROUNDS (3), CONNS (4), CLIENTS (4);
#   BENCH_BUILD: a build folder to use instead of var/build/bench-taxii
# Needs wrk and pgbench (Debian: wrk, postgresql-client-15).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"
. "$ROOT/tests/ops/councild.sh"

PGDIR=${1:?usage: bench/taxii.sh PGDIR}
OBJECTS=${OBJECTS:-3000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-4}
CLIENTS=${CLIENTS:-4}
MT='application/taxii+json;version=2.1'
command -v wrk >/dev/null || die "wrk is needed: apt-get install wrk"
command -v pgbench >/dev/null || die "pgbench is needed: apt-get install postgresql-client-15"
sql() { "$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -v ON_ERROR_STOP=1 -c "$1"; }

OUT=$ROOT/var/bench-taxii
mkdir -p "$OUT"
BUILD=${BENCH_BUILD:-$(council_build bench-taxii)}
COUNCILD=$BUILD/server/councild
"$BUILD/server/councilctl" -d "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_owner)" \
	-r "$ROOT" migrate >"$OUT/migrate.out" 2>&1 || { cat "$OUT/migrate.out" >&2; die "migrate failed"; }

# ---- 1. The member, its token, its objects. ------------------------------------------------
PID=$(sql "SELECT p.id FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	JOIN council.handler_registrations h ON h.person_id = p.id AND h.deregistered_at IS NULL
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND NOT o.restricted
	ORDER BY p.id LIMIT 1")
[ -n "$PID" ] || die "no member handler in $PGDIR"
TOK=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
H=$(printf '%s' "$TOK" | sha256sum | cut -c1-64)
sql "INSERT INTO council.sessions (token_hash, person_id, expires_at, kind)
	VALUES (sha256(convert_to('$TOK', 'UTF8')), $PID, now() + interval '2 hours', 'api')" >/dev/null
cleanup() {
	councild_stop >/dev/null 2>&1 || true
	sql "UPDATE council.sessions SET revoked_at = now() WHERE token_hash = sha256(convert_to('$TOK', 'UTF8'))" \
		>/dev/null 2>&1 || true
}
trap cleanup EXIT
SHARED=$(sql "SELECT council.taxii__shared_id()")
HAVE=$(sql "SELECT count(*) FROM council.posts WHERE title LIKE 'bench-taxii %'")
POSTS=$(( (OBJECTS + 19) / 20 ))
if [ "$HAVE" -lt "$POSTS" ]; then
	t0=$(date +%s.%N)
	"$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT set_config('council.session', '$H', false);
SELECT count(council.create_post('report', 'bench-taxii ' || g, 'TAXII benchmark post ' || g || ': '
	|| (SELECT string_agg(format('198.%s.%s.%s', 18 + (n >> 16), (n >> 8) & 255, n & 255), ' ')
	    FROM generate_series(g * 10, g * 10 + 9) n),
	false, false, '[{"class": "all_members"}]'::jsonb))
FROM generate_series($HAVE + 1, $POSTS) g;
SQL
	sql "VACUUM ANALYZE" >/dev/null
	echo "seeded $((POSTS - HAVE)) posts in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
fi

council_config "$OUT/councild.conf" 0 "$PGDIR"
: >"$OUT/councild.log"
councild_start "$OUT/councild.conf" "$OUT/councild.log" || die "councild did not start"
URL="$COUNCILD_URL/taxii2/council/collections/$SHARED/objects/?limit=1000"

# ---- 2. One walk over every page. ----------------------------------------------------------
t0=$(date +%s.%N)
next='' pages=0 total=0
while :; do
	curl -sS --max-time 60 -o "$OUT/page.json" -H "Authorization: Bearer $TOK" -H "Accept: $MT" \
		"$URL${next:+&next=$next}"
	read -r n more next < <(python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); print(len(d.get("objects", [])), d["more"], d.get("next", ""))' "$OUT/page.json")
	pages=$((pages + 1)) total=$((total + n))
	if [ "$more" != True ] || [ "$pages" -ge 1000 ]; then break; fi
done
walk=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
curl -sS --max-time 60 -o "$OUT/first.json" -H "Authorization: Bearer $TOK" -H "Accept: $MT" "$URL"
PER=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["objects"]))' "$OUT/first.json")
BYTES=$(wc -c <"$OUT/first.json")
[ "$total" -ge "$OBJECTS" ] || die "the member sees $total objects, fewer than $OBJECTS"

# ---- 3. HTTP against pgbench. ----------------------------------------------------------------
cat >"$OUT/objects.pgbench" <<PGB
\startpipeline
BEGIN;
SELECT set_config('council.session', '$H', true), set_config('council.request_id', 'bench-taxii', true);
SELECT person_id FROM council.me;
SELECT x.body::text, x.first_added, x.last_added, CASE jsonb_typeof(x.body->'objects') WHEN 'array' THEN jsonb_array_length(x.body->'objects') ELSE 0 END FROM council.taxii_objects('$SHARED', NULL, 1000, NULL, NULL, NULL, NULL, NULL, 'objects') x;
COMMIT;
\endpipeline
PGB
APP=$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_app)
http_run() {
	wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 60s -H "Authorization: Bearer $TOK" -H "Accept: $MT" "$URL" \
		>"$OUT/wrk.out" 2>&1 || die "wrk failed: $(tail -3 "$OUT/wrk.out")"
	grep -q 'Non-2xx' "$OUT/wrk.out" && die "wrk: answers other than 2xx: $(grep Non-2xx "$OUT/wrk.out")"
	# requests / seconds (Requests/sec has two decimals only)
	awk '/ requests in / { sub(/s,$/, "", $4); printf "%.3f\n", $1 / $4 }' "$OUT/wrk.out"
}
pg_run() {
	pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -f "$OUT/objects.pgbench" "$APP" \
		>"$OUT/pgbench.out" 2>&1 || die "pgbench failed: $(tail -3 "$OUT/pgbench.out")"
	awk '/^tps = / { printf "%.3f\n", $3 }' "$OUT/pgbench.out"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo)"
echo "member person $PID sees $total objects in $pages pages (limit=1000); one walk with next: $walk s"
echo "first page: $PER objects, $BYTES bytes"
echo "councild $BUILD (worker_threads/db_pool_size as configured: defaults); wrk $CONNS connections; pgbench $CLIENTS clients; ${DURATION}s x $ROUNDS rounds"
: >"$OUT/http.txt"; : >"$OUT/pg.txt"
for r in $(seq 1 "$ROUNDS"); do
	h=$(http_run); p=$(pg_run)
	echo "$h" >>"$OUT/http.txt"; echo "$p" >>"$OUT/pg.txt"
	awk -v r="$r" -v h="$h" -v p="$p" -v n="$PER" 'BEGIN {
		printf "round %d: http %8.2f req/s %10.0f objects/s   pgbench %8.2f tps %10.0f objects/s   ratio %.2f\n",
		    r, h, h * n, p, p * n, h / p }'
done
H_MED=$(median <"$OUT/http.txt"); P_MED=$(median <"$OUT/pg.txt")
awk -v h="$H_MED" -v p="$P_MED" -v n="$PER" -v b="$BYTES" 'BEGIN {
	printf "median: http %.2f req/s = %.0f objects/s (%.2f MB/s); pgbench %.2f tps = %.0f objects/s; http / pgbench %.2f\n",
	    h, h * n, h * b / 1e6, p, p * n, h / p }'
