#!/usr/bin/env bash
# bench/search.sh: search (council.search) as the coordinator and as a
# member, at 100k and at 1M posts over 2,000 organisations, for a word
# found nowhere, a rare word, a medium word and a common word, each in a
# 2-character Japanese and a longer form.
#
#   bench/search.sh            (DURATION=5 ORGS=2000 SIZE1=100000 SIZE2=1000000)
#
# 1. Builds councilctl out of tree (/tmp/benchbuild) unless COUNCILCTL is
#    set; a throw-away cluster in PGDIR (var/bench-search/pg; bench/lib.sh:
#    no fsync, shared_buffers a quarter of the memory), migrated.
# 2. The council (bench/feed-council.sql) and posts 1..SIZE1
#    (bench/feed-posts.sql), then their titles and bodies
#    (bench/search-text.sql: a Japanese and English vocabulary, planted
#    words at 40%/20% (common), 1% (medium), 0.01% (rare), and two never
#    written), then council.search_backfill() with the gram index dropped
#    and built again (faster than growing it row by row; the same
#    definition, read back from pg_indexes).  Skipped where the schema has
#    no post_search (an older tree: "before" numbers).
# 3. For each query, pgbench (prepared, 1 client, DURATION seconds, one
#    pipeline per transaction as councild sends it): bench/search.pgbench,
#    as the coordinator's first handler (person p1 of organisation 1, who
#    may handle secrets) and as a random person of any organisation;
#    p50 and p95 from the per-transaction logs.  The number of posts
#    each query finds (as the coordinator, up to 200) is printed beside.
# 4. Grows to SIZE2 posts and repeats (SIZE2=0: not at all).
# 5. Prints the table and the sizes; destroys the cluster (KEEP=1 keeps it).
#    Raw outputs stay in OUT (var/bench/search).
# Bounded: 2 sizes x 8 queries x 2 callers x DURATION seconds of pgbench,
# plus the generation (about 2 minutes per 100k posts on 2 cores).
# Refuses to run while a server is up in PGDIR (someone else's run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
DURATION=${DURATION:-5}
ORGS=${ORGS:-2000}
SIZE1=${SIZE1:-100000}
SIZE2=${SIZE2:-1000000}
PGDIR=${PGDIR:-$ROOT/var/bench-search/pg}
OUT=${OUT:-$ROOT/var/bench/search}
BUILD=${BENCH_BUILD:-/tmp/benchbuild}
COUNCILCTL=${COUNCILCTL:-$BUILD/server/councilctl}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'search.sh: %s\n' "$*" >&2; exit 1; }
command -v pgbench >/dev/null || die "pgbench is needed (postgresql-client-15)"

if [ ! -x "$COUNCILCTL" ]; then
	say "building councilctl in $BUILD"
	mkdir -p "$BUILD"
	(cd "$BUILD" && { [ -f Makefile ] || "$ROOT/configure" >configure.out 2>&1; } \
		&& make -j2 >make.out 2>&1) || die "build failed (see $BUILD)"
fi

bench_pg_running && die "a server is running in $PGDIR (another run?); stop it first"
rm -rf "$OUT"
mkdir -p "$(dirname "$PGDIR")"
bench_pg_new >/dev/null
[ -n "${KEEP:-}" ] || trap '"$ROOT/deploy/pg.sh" destroy "$PGDIR" >/dev/null 2>&1 || true' EXIT
mkdir -p "$OUT"
psql_su() { bench_psql_su "$@"; }

say "migrate"
bench_migrate "$COUNCILCTL"
say "council: $ORGS organisations"
T_COUNCIL=$(bench_council "$ORGS")
read -r PMIN PMAX < <(psql_su -d council -At -F ' ' -c 'SELECT min(id), max(id) FROM council.people')
COORD=$(psql_su -d council -At -c "SELECT p.id FROM council.people p JOIN council.organisations o ON o.id = p.org_id WHERE o.council_role = 'coordinator' AND p.email ~ '^p1@'")
HAS_SEARCH=$(psql_su -d council -At -c "SELECT to_regclass('council.post_search') IS NOT NULL")

# Posts LO..HI with text, and their searchable rows; prints seconds.
grow() {  # grow LO HI
	local t0 t1 def
	t0=$(bench_now)
	bench_posts "$ORGS" "$1" "$2" >/dev/null
	psql_su -d council -v lo="$1" -v hi="$2" -f "$ROOT/bench/search-text.sql" >/dev/null
	t1=$(bench_now)
	if [ "$HAS_SEARCH" = t ]; then
		def=$(psql_su -d council -At -c "SELECT indexdef FROM pg_indexes WHERE indexname = 'post_search_grams'")
		psql_su -d council -c 'DROP INDEX council.post_search_grams' \
			-c 'SELECT council.search_backfill()' >/dev/null
		T_INDEX=$(bench_now)
		psql_su -d council -c "SET maintenance_work_mem = '1GB'" -c "$def" >/dev/null
		T_INDEX=$(bench_secs "$T_INDEX" "$(bench_now)")
	fi
	psql_su -d council -c 'VACUUM ANALYZE' >/dev/null
	echo "posts+text $(bench_secs "$t0" "$t1") s, searchable rows and index $(bench_secs "$t1" "$(bench_now)") s (of which the index build ${T_INDEX:-0} s)"
}

pct() {  # pct LOGPREFIX P: the P-th percentile (ms) of pgbench -l logs
	cat "$1".* | awk '{ print $3 }' | sort -n | awk -v p="$2" '{ a[NR] = $1 }
		END { i = int(NR * p / 100); if (i < 1) i = 1; printf "%.2f", a[i] / 1000 }'
}

QUERIES="quokkaware 鰐鮫 krakenbot 麒麟 lazarus 鳳凰 ransomware 攻撃"
kind_of() {
	case $1 in
	quokkaware|鰐鮫) echo nowhere ;; krakenbot|麒麟) echo rare ;;
	lazarus|鳳凰) echo medium ;; *) echo common ;;
	esac
}

run_size() {  # run_size TAG
	local q who tag=$1 lo hi n
	for q in $QUERIES; do
		n=$(psql_su -d council -At -c "BEGIN" \
			-c "SELECT set_config('council.session', encode(sha256(convert_to('bench-$COORD', 'UTF8')), 'hex'), true)" \
			-c "SET LOCAL ROLE council_app" -c "SELECT count(*) FROM council.search('$q', 200)" -c "COMMIT" | sed -n 2p)
		for who in coordinator member; do
			if [ $who = coordinator ]; then lo=$COORD hi=$COORD; else lo=$PMIN hi=$PMAX; fi
			rm -f "$OUT/s-$tag-$who-$q".*
			(cd "$OUT" && pgbench -n -M prepared -c 1 -j 1 -T "$DURATION" \
				-f "$ROOT/bench/search.pgbench" -D pmin="$lo" -D pmax="$hi" -D q="$q" \
				-l --log-prefix="s-$tag-$who-$q" \
				"host=$SOCK user=council_app passfile=$PGPASSFILE dbname=council") \
				>"$OUT/out-$tag-$who-$q" 2>&1 || { cat "$OUT/out-$tag-$who-$q" >&2; die "pgbench failed"; }
			grep -q '^number of failed transactions: 0' "$OUT/out-$tag-$who-$q" \
				|| { grep -i 'failed\|error' "$OUT/out-$tag-$who-$q" | head >&2; die "pgbench: failed transactions"; }
			printf '%-9s %-8s %-12s %-12s %5s %8s %8s\n' "$tag" "$(kind_of "$q")" "$q" "$who" \
				"$([ $who = coordinator ] && echo "$n" || echo -)" \
				"$(pct "$OUT/s-$tag-$who-$q" 50)" "$(pct "$OUT/s-$tag-$who-$q" 95)" >>"$OUT/table.txt"
		done
	done
}

sizes() {
	psql_su -d council -At -F ' ' -c "SELECT (SELECT count(*) FROM council.posts),
		pg_size_pretty(pg_total_relation_size('council.post_bodies')),
		CASE WHEN to_regclass('council.post_search') IS NOT NULL THEN
			pg_size_pretty(pg_table_size('council.post_search')) || ' table, '
			|| pg_size_pretty(pg_relation_size('council.post_search_grams')) || ' gram index' ELSE 'none' END"
}

: >"$OUT/table.txt"
say "posts 1..$SIZE1"
G1=$(grow 1 "$SIZE1")
SZ1=$(sizes)
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
say "search at $SIZE1 posts"
run_size "$SIZE1"
if [ "$SIZE2" -gt "$SIZE1" ]; then
	say "posts $((SIZE1 + 1))..$SIZE2"
	G2=$(grow $((SIZE1 + 1)) "$SIZE2")
	SZ2=$(sizes)
	LOAD2=$(cut -d' ' -f1-3 /proc/loadavg)
	say "search at $SIZE2 posts"
	run_size "$SIZE2"
fi

echo
echo "machine: $(bench_machine), $(psql_su -d council -At -c 'SHOW server_version')"
echo "tree: $(git -C "$ROOT" log -1 --format='%h %s' 2>/dev/null | cut -c1-72)"
echo "pgbench: -M prepared -c 1 -T $DURATION, bench/search.pgbench as council_app (one pipeline per transaction); shared_buffers $SHARED_BUFFERS"
echo "council $T_COUNCIL s; posts 1..$SIZE1: $G1"
[ -z "${G2:-}" ] || echo "posts $((SIZE1 + 1))..$SIZE2: $G2"
echo "size at $SIZE1 posts (posts, bodies, search): $SZ1; load average before: $LOAD1"
[ -z "${SZ2:-}" ] || echo "size at $SIZE2 posts (posts, bodies, search): $SZ2; load average before: $LOAD2"
printf '%-9s %-8s %-12s %-12s %5s %8s %8s\n' posts word query caller found "p50 ms" "p95 ms"
cat "$OUT/table.txt"
