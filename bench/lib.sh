# shellcheck shell=bash
# bench/lib.sh: what the database benchmarks share (sourced, not run):
# bench/feed-db.sh and bench/http.sh.
#
# The caller sets ROOT (the source tree) and PGDIR (its throw-away
# cluster), and defines die.  Functions:
#   bench_pg_running             0 when a server runs in PGDIR
#   bench_pg_new                 a new cluster in PGDIR (any previous one is
#                                destroyed), started; sets SHARED_BUFFERS
#   bench_pg_env                 PGPASSFILE and SOCK for PGDIR
#   bench_psql_su ARGS           psql as the cluster superuser
#   bench_migrate COUNCILCTL     councilctl migrate, as council_owner
#   bench_council ORGS           the council (bench/feed-council.sql)
#   bench_posts ORGS LO HI       posts LO..HI (bench/feed-posts.sql), then
#                                VACUUM ANALYZE
#   bench_sizes                  posts, audience rows, rows/post, audience
#                                size, database size, feed index size
#   bench_tps FILE               TPS of a pgbench output
#   bench_p95 LOGPREFIX          95th percentile (ms) of pgbench -l logs
#   bench_now, bench_secs T0 T1  wall-clock seconds
#   bench_machine                one line: cores, CPU, memory, kernel
# bench_council and bench_posts print the seconds they took.

bench_now() { date +%s.%N; }
bench_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

bench_pg_running() {
	[ -f "$PGDIR/data/postmaster.pid" ] &&
		kill -0 "$(head -1 "$PGDIR/data/postmaster.pid")" 2>/dev/null
}

bench_pg_env() {
	export PGPASSFILE=$PGDIR/passfile
	SOCK=$PGDIR/run
}

# shared_buffers: a quarter of the memory (PostgreSQL's usual advice for a
# dedicated server), at most 8 GB; SHARED_BUFFERS=128MB measures the
# default of deploy/pg.sh.  No fsync (COUNCIL_PG_FAST); a large
# max_wal_size for the bulk load; everything else as deploy/pg.sh sets it.
bench_pg_new() {
	SHARED_BUFFERS=${SHARED_BUFFERS:-$(awk '/MemTotal/ { mb = int($2 / 1024 / 4); if (mb > 8192) mb = 8192; if (mb < 128) mb = 128; print mb "MB" }' /proc/meminfo)}
	"$ROOT/deploy/pg.sh" destroy "$PGDIR" >/dev/null 2>&1 || true
	COUNCIL_PG_FAST=1 COUNCIL_PG_SHARED_BUFFERS=$SHARED_BUFFERS "$ROOT/deploy/pg.sh" init "$PGDIR"
	echo "max_wal_size = 8GB" >>"$PGDIR/data/postgresql.conf"
	COUNCIL_PG_FAST=1 "$ROOT/deploy/pg.sh" start "$PGDIR"
	bench_pg_env
}

bench_psql_su() { psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -U postgres "$@"; }

bench_migrate() {
	"$1" -d "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_owner)" -r "$ROOT" migrate >/dev/null
}

bench_council() {
	local t0; t0=$(bench_now)
	bench_psql_su -d council -v orgs="$1" -f "$ROOT/bench/feed-council.sql" >/dev/null
	bench_secs "$t0" "$(bench_now)"
}

bench_posts() {
	local t0; t0=$(bench_now)
	bench_psql_su -d council -v orgs="$1" -v lo="$2" -v hi="$3" -f "$ROOT/bench/feed-posts.sql" >/dev/null
	bench_psql_su -d council -c 'VACUUM ANALYZE' >/dev/null
	bench_secs "$t0" "$(bench_now)"
}

bench_sizes() {
	bench_psql_su -d council -At -F ' ' -c "SELECT (SELECT count(*) FROM council.posts),
		(SELECT count(*) FROM council.post_audience),
		round((SELECT count(*) FROM council.post_audience)::numeric / greatest((SELECT count(*) FROM council.posts), 1), 1),
		pg_size_pretty(pg_total_relation_size('council.post_audience')),
		pg_size_pretty(pg_database_size('council')),
		pg_size_pretty(pg_total_relation_size('council.feed_items'))"
}

bench_tps() { awk '/^tps = / { printf "%.1f", $3 }' "$1"; }

bench_p95() {
	cat "$1".* | awk '{ print $3 }' | sort -n | awk '{ a[NR] = $1 }
		END { i = int(NR * 0.95); if (i < 1) i = 1; printf "%.3f", a[i] / 1000 }'
}

bench_machine() {
	echo "$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo), kernel $(uname -r)"
}
