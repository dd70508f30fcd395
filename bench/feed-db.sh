#!/usr/bin/env bash
# bench/feed-db.sh: the member feed ("the newest 50 posts I may see") under
# row-level security, at 100k and at 1M posts over 2,000 organisations.
#
#   bench/feed-db.sh            (DURATION=20 CLIENTS=8 THREADS=2 ORGS=2000)
#
# 1. Builds councilctl out of tree (/tmp/benchbuild) unless COUNCILCTL is
#    set, creates a throw-away cluster in var/bench-pg (deploy/pg.sh, with
#    COUNCIL_PG_FAST: no fsync; shared_buffers a quarter of the memory, or
#    SHARED_BUFFERS), migrates it with councilctl.
# 2. Generates the council (bench/feed-council.sql) and 100k posts
#    (bench/feed-posts.sql), set-based, post_audience included; checks a
#    sample of 1,000 posts against council.audience_refresh_post and
#    measures that function's rate (the fan-out-on-write alternative).
# 3. pgbench as council_app, prepared, CLIENTS clients, DURATION seconds,
#    bench/feed.pgbench (a random person's session, then council.feed(50));
#    then pgbench -S (built-in select-only, prepared, same clients and
#    duration) on a pgbench database in the same cluster.  p95 from the
#    per-transaction logs (-l).
# 4. Grows to 1M posts and repeats; also, at 1M, the same transaction with
#    SELECT 1 instead of the feed (bench/feed-ceiling.pgbench: what the
#    transaction shape costs by itself) and the feed's statement without
#    row-level security, as the superuser (bench/feed-raw.pgbench: what the
#    rows cost by themselves: the member's range scan of the feed index); EXPLAIN (ANALYZE, BUFFERS) of the feed query
#    (as executed inside council.feed, through auto_explain) for an ordinary
#    member and for the coordinator; checks for a Seq Scan on council.posts;
#    times two organisation changes (the audience triggers), rolled back.
# 5. Every transaction is one pipeline (\startpipeline), one round trip, as
#    councild sends it (server/core/db.c).
# 6. Prints the numbers and the ratios; destroys the cluster (KEEP=1 keeps
#    it).  Raw outputs (pgbench logs, plans) stay in OUT (var/bench/feed-db).
# The cluster, the council and its posts come from bench/lib.sh, shared
# with bench/http/run.sh.
# Bounded: seven pgbench runs of DURATION seconds; about 10 minutes in all.
# Refuses to run while a server is up in PGDIR (someone else's run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
DURATION=${DURATION:-20}
CLIENTS=${CLIENTS:-8}
THREADS=${THREADS:-2}
ORGS=${ORGS:-2000}
SIZE1=${SIZE1:-100000}     # posts at the first measurement
SIZE2=${SIZE2:-1000000}    # posts at the second
PGDIR=${PGDIR:-$ROOT/var/bench-pg}
OUT=${OUT:-$ROOT/var/bench/feed-db}
BUILD=${BENCH_BUILD:-/tmp/benchbuild}
COUNCILCTL=${COUNCILCTL:-$BUILD/server/councilctl}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'feed-db.sh: %s\n' "$*" >&2; exit 1; }
command -v pgbench >/dev/null || die "pgbench is needed (postgresql-client-15)"

if [ ! -x "$COUNCILCTL" ]; then
	say "building councilctl in $BUILD"
	mkdir -p "$BUILD"
	(cd "$BUILD" && { [ -f Makefile ] || "$ROOT/configure" >configure.out 2>&1; } \
		&& make -j"$(nproc)" >make.out 2>&1) || die "build failed (see $BUILD)"
fi

bench_pg_running && die "a server is running in $PGDIR (another run?); stop it first"
rm -rf "$OUT"
# A new cluster (bench/lib.sh: no fsync, shared_buffers a quarter of the
# memory unless SHARED_BUFFERS says otherwise).
bench_pg_new
[ -n "${KEEP:-}" ] || trap '"$ROOT/deploy/pg.sh" destroy "$PGDIR" >/dev/null 2>&1 || true' EXIT
mkdir -p "$OUT"
psql_su() { bench_psql_su "$@"; }

say "migrate"
bench_migrate "$COUNCILCTL"

say "council: $ORGS organisations"
T_COUNCIL=$(bench_council "$ORGS")

# pgbench's reference database (select-only): scale 10, 1M accounts.
psql_su -d postgres -c 'CREATE DATABASE pgbench' >/dev/null
pgbench -i -q -s 10 -h "$SOCK" -U postgres pgbench >"$OUT/pgbench-init.log" 2>&1

read -r PMIN PMAX < <(psql_su -d council -At -F ' ' -c 'SELECT min(id), max(id) FROM council.people')

p95() { bench_p95 "$@"; }
tps() { bench_tps "$@"; }

run_feed() {  # run_feed TAG [SCRIPT [USER]]
	rm -f "$OUT/feed-$1".*
	(cd "$OUT" && pgbench -n -M prepared -c "$CLIENTS" -j "$THREADS" -T "$DURATION" \
		-f "${2:-$ROOT/bench/feed.pgbench}" -D pmin="$PMIN" -D pmax="$PMAX" \
		-l --log-prefix="feed-$1" \
		"host=$SOCK user=${3:-council_app} passfile=$PGPASSFILE dbname=council") \
		>"$OUT/feed-$1.out" 2>&1 || { cat "$OUT/feed-$1.out" >&2; die "pgbench (feed) failed"; }
	grep -q '^number of failed transactions: 0' "$OUT/feed-$1.out" \
		|| { grep -i 'failed\|error' "$OUT/feed-$1.out" | head >&2; }
}
run_select() {  # run_select TAG
	rm -f "$OUT/select-$1".*
	(cd "$OUT" && pgbench -n -S -M prepared -c "$CLIENTS" -j "$THREADS" -T "$DURATION" \
		-l --log-prefix="select-$1" -h "$SOCK" -U postgres pgbench) \
		>"$OUT/select-$1.out" 2>&1 || { cat "$OUT/select-$1.out" >&2; die "pgbench -S failed"; }
}

check_audience() {  # the set-based audience equals council.audience_refresh_post's
	psql_su -d council -At <<'SQL'
SELECT setseed(0.7) \g /dev/null
CREATE TEMP TABLE sample AS SELECT id FROM council.posts ORDER BY random() LIMIT 1000;
CREATE TEMP TABLE before AS
    SELECT a.* FROM council.post_audience a JOIN sample s ON s.id = a.post_id;
\set t0 `date +%s%N`
SELECT count(council.audience_refresh_post(id, false)) FROM sample \g /dev/null
\set t1 `date +%s%N`
SELECT format('audience check: %s of 1000 sampled posts identical to council.audience_refresh_post; '
              || 'audience_refresh_post: %s posts/s (=> %s s for 1M posts)',
    (SELECT count(*) FROM sample s WHERE
        (SELECT coalesce(array_agg((a.org_id, a.is_author, a.is_secret)::text ORDER BY a.org_id), '{}')
         FROM council.post_audience a WHERE a.post_id = s.id)
      = (SELECT coalesce(array_agg((b.org_id, b.is_author, b.is_secret)::text ORDER BY b.org_id), '{}')
         FROM before b WHERE b.post_id = s.id)),
    round(1000 / ((:t1 - :t0) / 1e9)::numeric),
    round(1e6 / (1000 / ((:t1 - :t0) / 1e9))::numeric));
SQL
}

sizes() { bench_sizes; }

# EXPLAIN (ANALYZE, BUFFERS) of the statement council.feed runs, through
# auto_explain (nested statements), as council_app with a person's session.
# The 6th call in the session is shown: by then PL/pgSQL may use a generic
# plan, as it does under pgbench.
explain_feed() {  # explain_feed PERSON_ID FILE
	psql -X -q -h "$SOCK" -U postgres -d council >"$2" 2>&1 <<SQL
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
SET ROLE council_app;
\o /dev/null
BEGIN;
SELECT set_config('council.session', encode(sha256(convert_to('bench-$1', 'UTF8')), 'hex'), true);
SELECT count(*) FROM council.feed(50);
SELECT count(*) FROM council.feed(50);
SELECT count(*) FROM council.feed(50);
SELECT count(*) FROM council.feed(50);
SELECT count(*) FROM council.feed(50);
SELECT 'LAST CALL';
SELECT count(*) FROM council.feed(50);
COMMIT;
SQL
}
# The plan of the feed's own statement in the last call (from "LAST CALL").
feed_plan() {
	awk '/LAST CALL/ { last = 1 }
	     last && /NOTICE:  duration/ { keep = 0 }
	     last && /Query Text: SELECT (\*|p\.\*|f\.post_id,) (FROM )?(council\.(posts|post_audience)|\()?/ { keep = 1 }
	     keep' "$1" | sed 's/^psql:[^ ]* //'
}
verdict() {
	local bad
	bad=$(grep -E 'Seq Scan on (council\.)?posts\b' "$1" || true)
	if [ -z "$bad" ]; then echo "plan: index scans only"; else echo "plan: SEQ SCAN ON POSTS: $bad"; fi
}
MEMBER=$(psql_su -d council -At -c "SELECT p.id FROM council.people p WHERE p.org_id = 100 AND p.email ~ '^p1@'")
COORD=$(psql_su -d council -At -c "SELECT p.id FROM council.people p JOIN council.organisations o ON o.id = p.org_id WHERE o.council_role = 'coordinator' AND p.email ~ '^p1@'")
say "posts 1..$SIZE1"
T_GEN1=$(bench_posts "$ORGS" 1 "$SIZE1")
SZ1=$(sizes)
CHECK1=$(check_audience)
say "pgbench at $SIZE1 posts"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
run_feed 100k
run_select 100k

say "posts $((SIZE1 + 1))..$SIZE2"
T_GEN2=$(bench_posts "$ORGS" $((SIZE1 + 1)) "$SIZE2")
SZ2=$(sizes)
CHECK2=$(check_audience)
say "pgbench at $SIZE2 posts"
LOAD2=$(cut -d' ' -f1-3 /proc/loadavg)
run_feed 1m
run_select 1m
run_feed ceiling "$ROOT/bench/feed-ceiling.pgbench"
run_feed raw "$ROOT/bench/feed-raw.pgbench" postgres

# What an organisation change costs at SIZE2 posts (the audience triggers,
# council.audience_refresh_orgs): admitting a Type 1 vendor, and moving an
# operator into Type 2; each in a transaction that is rolled back.
org_change() {  # org_change SQL: "N s, audience rows +N"
	{
		echo 'BEGIN;'
		echo 'SELECT count(*) AS n0 FROM council.post_audience \gset'
		echo 'SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset'
		echo "$1;"
		echo 'SELECT extract(epoch FROM clock_timestamp()) AS t1 \gset'
		echo "SELECT round((:t1 - :t0)::numeric, 1) || ' s, audience rows ' ||"
		echo "       to_char((SELECT count(*) FROM council.post_audience) - :n0, 'SG999999990');"
		echo 'ROLLBACK;'
	} >"$OUT/org-change.sql"
	psql_su -d council -At -f "$OUT/org-change.sql"
}
ORG_NEW=$(org_change "INSERT INTO council.organisations (slug, name_ja, name_en, category, tf_class, status) VALUES ('bench-new', 'x', 'x', 'cyber_business', 'type1', 'member')")
ORG_T2=$(org_change "UPDATE council.organisations SET tf_class = 'type2' WHERE id = 40")

explain_feed "$MEMBER" "$OUT/explain-member.raw"
explain_feed "$COORD" "$OUT/explain-coordinator.raw"
feed_plan "$OUT/explain-member.raw" >"$OUT/explain-member.txt"
feed_plan "$OUT/explain-coordinator.raw" >"$OUT/explain-coordinator.txt"


# Results. --------------------------------------------------------------------
F1=$(tps "$OUT/feed-100k.out"); F2=$(tps "$OUT/feed-1m.out")
S1=$(tps "$OUT/select-100k.out"); S2=$(tps "$OUT/select-1m.out")
P1=$(p95 "$OUT/feed-100k"); P2=$(p95 "$OUT/feed-1m")
Q1=$(p95 "$OUT/select-100k"); Q2=$(p95 "$OUT/select-1m")
echo
echo "machine: $(bench_machine), $(psql_su -d council -At -c 'SHOW server_version')"
echo "pgbench: -M prepared -c $CLIENTS -j $THREADS -T $DURATION; feed as council_app, bench/feed.pgbench (one pipeline per transaction); reference: pgbench -S (scale 10); shared_buffers $SHARED_BUFFERS"
echo "generation: council $T_COUNCIL s; posts 1..$SIZE1 $T_GEN1 s; posts $((SIZE1 + 1))..$SIZE2 $T_GEN2 s (each incl. VACUUM ANALYZE)"
echo "size at $SIZE1 posts: posts, audience rows, rows/post, audience size, database, feed index (feed_items with its indexes): $SZ1"
echo "size at $SIZE2 posts: posts, audience rows, rows/post, audience size, database, feed index (feed_items with its indexes): $SZ2"
echo "at $SIZE1 posts: $CHECK1"
echo "at $SIZE2 posts: $CHECK2"
echo "load average before the runs: $LOAD1 (at $SIZE1), $LOAD2 (at $SIZE2)"
printf '%-16s %10s %12s %12s %12s\n' "" "feed TPS" "feed p95" "select TPS" "select p95"
printf '%-16s %10s %9s ms %12s %9s ms\n' "$SIZE1 posts" "$F1" "$P1" "$S1" "$Q1"
printf '%-16s %10s %9s ms %12s %9s ms\n' "$SIZE2 posts" "$F2" "$P2" "$S2" "$Q2"
awk -v p1="$P1" -v p2="$P2" -v f1="$F1" -v f2="$F2" -v s1="$S1" -v s2="$S2" -v n1="$SIZE1" -v n2="$SIZE2" 'BEGIN {
	printf "ratio p95 %d / p95 %d posts: %.2f (target < 1.5)\n", n2, n1, p2 / p1
	printf "ratio feed TPS / pgbench -S TPS: %.3f at %d, %.3f at %d posts (target >= 0.5)\n", f1 / s1, n1, f2 / s2, n2 }'
echo "organisation changes at $SIZE2 posts: admit a Type 1 vendor: $ORG_NEW; operator 40 into Type 2: $ORG_T2"
FC=$(tps "$OUT/feed-ceiling.out")
awk -v c="$FC" -v s="$S2" 'BEGIN { printf "ceiling: the same transaction with SELECT 1 instead of the feed: %.1f TPS = %.3f of pgbench -S\n", c, c / s }'
FR=$(tps "$OUT/feed-raw.out"); PR=$(p95 "$OUT/feed-raw")
awk -v r="$FR" -v pr="$PR" -v s="$S2" -v f="$F2" 'BEGIN { printf "raw: the feed statement without row-level security (superuser): %.1f TPS, p95 %s ms = %.3f of pgbench -S; the feed reaches %.3f of it\n", r, pr, r / s, f / r }'
for who in member coordinator; do
	echo
	echo "EXPLAIN (ANALYZE, BUFFERS) of the feed query at $SIZE2 posts, $who (person $(case $who in coord*) echo "$COORD" ;; *) echo "$MEMBER" ;; esac)):"
	grep -vE '^\s*$' "$OUT/explain-$who.txt" | head -40
	verdict "$OUT/explain-$who.txt"
done
