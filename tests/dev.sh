#!/usr/bin/env bash
# tests/dev.sh NAME COMMAND [ARGS]: a developer's own sandbox, so that
# several people (or agents) can work in one checkout without sharing a
# cluster, a build or a port.  Everything lives under var/dev/NAME and
# var/build/NAME (ASan+UBSan, like deploy/test.sh).  Not used by CI.
#
#   up        build, create and migrate a cluster, seed the demo council,
#             install pgTAP, start councild on a free port
#   build     rebuild (make) only
#   migrate   re-run councilctl migrate (new migrations, policy files)
#   restart   rebuild, migrate, restart councild
#   start     (re)start councild only
#   sql F..   migrate, then pg_prove the pgTAP files F.. (default: all)
#   url       print councild's base URL
#   psql ...  psql as postgres on the cluster
#   down      stop councild and the cluster
#   destroy   down, and remove var/dev/NAME
#
# Variables for test scripts: tests/dev.sh NAME env prints BASE and PGDIR.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../deploy/common.sh"

[ $# -ge 2 ] || die "usage: tests/dev.sh NAME up|build|migrate|restart|sql|url|psql|env|down|destroy"
NAME=$1 CMD=$2
shift 2
case $NAME in *[!a-z0-9_-]*|'') die "NAME: lower-case letters, digits, - and _" ;; esac
D=$ROOT/var/dev/$NAME
PGDIR=$D/pg
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

dev_build() {
	BUILD=$(council_build "$NAME" --enable-sanitizers) || exit 1
}

dev_migrate() {
	"$BUILD/server/councilctl" -d "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_owner)" \
		-r "$ROOT" migrate >"$D/migrate.out" 2>&1 || { cat "$D/migrate.out" >&2; die "migrate failed"; }
}

dev_stop_councild() {
	if [ -f "$D/councild.pid" ]; then
		kill -TERM "$(cat "$D/councild.pid")" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$(cat "$D/councild.pid")" 2>/dev/null || break
			sleep 0.1
		done
		rm -f "$D/councild.pid"
	fi
}

dev_start_councild() {
	local url i
	dev_stop_councild
	council_config "$D/councild.conf" 0 "$PGDIR"
	echo "signin_ip_burst = 1000" >>"$D/councild.conf"
	: >"$D/councild.log"
	setsid "$BUILD/server/councild" -c "$D/councild.conf" </dev/null >>"$D/councild.log" 2>&1 &
	echo $! >"$D/councild.pid"
	for i in $(seq 1 300); do
		url=$(grep -o 'msg=listening url=[^ ]*' "$D/councild.log" | tail -1)
		if [ -n "$url" ]; then
			url=${url#msg=listening url=}
			echo "${url%/}" >"$D/url"
			echo "councild at ${url%/} (log: ${D#"$ROOT"/}/councild.log)"
			return 0
		fi
		kill -0 "$(cat "$D/councild.pid")" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$D/councild.log" >&2
	die "councild did not start"
}

case $CMD in
up)
	mkdir -p "$D"
	dev_build
	COUNCIL_PG_FAST=1 "$ROOT/deploy/pg.sh" start "$PGDIR" >/dev/null || die "cannot start the cluster"
	dev_migrate
	"$BUILD/server/councilctl" -d "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_owner)" \
		-r "$ROOT" seed-demo >"$D/seed.out" 2>&1 || { cat "$D/seed.out" >&2; die "seed-demo failed"; }
	"$ROOT/deploy/pg.sh" psql "$PGDIR" -c 'CREATE SCHEMA IF NOT EXISTS tap' \
		-c 'CREATE EXTENSION IF NOT EXISTS pgtap SCHEMA tap' \
		-c 'GRANT USAGE ON SCHEMA tap TO council_app, council_signin' \
		-c 'GRANT TEMP ON DATABASE council TO council_app, council_signin' \
		-c "ALTER DATABASE council SET search_path = \"\$user\", public, tap" >/dev/null
	dev_start_councild
	;;
build)
	dev_build
	;;
migrate)
	dev_build
	dev_migrate
	;;
restart)
	dev_build
	dev_migrate
	dev_start_councild
	;;
start)
	BUILD=$ROOT/var/build/$NAME
	dev_start_councild
	;;
sql)
	dev_build
	dev_migrate
	[ $# -gt 0 ] || set -- tests/sql/*.sql
	(cd "$ROOT" && PGPASSFILE=$PGDIR/passfile pg_prove -v -h "$PGDIR/run" -U postgres -d council "$@")
	;;
url)
	cat "$D/url"
	;;
env)
	echo "BASE=$(cat "$D/url") PGDIR=$PGDIR"
	;;
psql)
	"$ROOT/deploy/pg.sh" psql "$PGDIR" "$@"
	;;
down)
	dev_stop_councild
	"$ROOT/deploy/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || true
	;;
destroy)
	dev_stop_councild
	"$ROOT/deploy/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || true
	"$ROOT/deploy/pg.sh" destroy "$PGDIR" >/dev/null 2>&1 || true
	rm -rf "$D"
	;;
*)
	die "unknown command $CMD"
	;;
esac
