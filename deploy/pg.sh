#!/usr/bin/env bash
# deploy/pg.sh: the project's own embedded PostgreSQL 15 cluster.
#
#   deploy/pg.sh init  [DIR]   create the cluster, roles and database (idempotent)
#   deploy/pg.sh start [DIR]   start it (idempotent), then ensure roles and database
#   deploy/pg.sh stop  [DIR]   stop it cleanly (fast shutdown)
#   deploy/pg.sh destroy DIR   stop it and remove DIR
#   deploy/pg.sh conninfo [DIR] ROLE   print a libpq connection string
#   deploy/pg.sh psql  [DIR] [psql args]   psql as the cluster superuser
#
# DIR defaults to var/pg under the project folder.  The cluster listens only
# on a Unix socket in DIR/run (listen_addresses = ''), so it never collides
# with a system-wide PostgreSQL and never opens a TCP port.  Every role has a
# random password, kept in DIR/passfile (mode 0600, pgpass format); the
# socket accepts scram-sha-256 only.
#
# Roles (docs/architecture.md, "How identity reaches PostgreSQL"):
#   council_owner    LOGIN; owns schema council; used by councilctl migrate
#   council_app      LOGIN; owns nothing, NOBYPASSRLS; used by councild
#   council_signin   LOGIN; owns nothing, no table grant; councild's sign-in
#                    path only (policy/50_auth.sql)
#   council_definer  NOLOGIN; owns the SECURITY DEFINER identity functions
#   council_writer   NOLOGIN; owns the write functions; sees what the caller sees
#   deploy/pg.sh where [DIR]   print the folder that really holds the cluster
#   deploy/pg.sh prune         remove clusters of /var/lib/council-portal whose
#                              checkout is gone (root only)
#   deploy/pg.sh roles-sql     print the psql script that makes the roles and
#                              the database (deploy/cluster.sh runs it too)
#   deploy/pg.sh mkdir DIR     make DIR a folder the server's user owns (as
#                              root: a link into /var/lib/council-portal)
# PostgreSQL refuses to run as root, so as root the server runs as the
# system user "councilpg", created here if missing.
#
# Where the cluster lives (issue 18).  As root, the cluster's files (data,
# socket, logs) are never inside the checkout: councilpg could not reach
# them in a clone under /root or in a mktemp -d folder (mode 0700), and we
# do not loosen folders the project does not own.  They live in
# /var/lib/council-portal/<16 hex of SHA-256 of DIR's path>, which councilpg
# owns (mode 0700); DIR becomes a symbolic link to it, and the file
# "origin" there names DIR, so that "prune" can tell a cluster whose
# checkout was deleted.  Everything the server process opens is named by
# the real path; clients may use either.  Run as another user, the cluster
# stays in DIR itself.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGUSER_OS=councilpg
DBNAME=council

die() { echo "pg.sh: $*" >&2; exit 1; }

[ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 not found in $PGBIN: apt-get install postgresql-15"

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$PGUSER_OS" -- "$@"
	else
		"$@"
	fi
}

ensure_os_user() {
	[ "$(id -u)" = 0 ] || return 0
	id -u "$PGUSER_OS" >/dev/null 2>&1 && return 0
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$PGUSER_OS"
}

STATE=/var/lib/council-portal

# resolve_dir DIR: make DIR exist and be usable by the server's user (see
# "Where the cluster lives" above).  An existing DIR is kept as it is.
resolve_dir() {
	local dir=$1 alt
	mkdir -p "$(dirname "$dir")"
	if [ "$(id -u)" = 0 ] && [ ! -e "$dir" ] && [ ! -L "$dir" ]; then
		mkdir -p "$STATE"
		chmod 0711 "$STATE"
		alt=$STATE/$(printf '%s' "$dir" | sha256sum | cut -c1-16)
		mkdir -p "$alt"
		printf '%s\n' "$dir" >"$alt/origin"
		ln -s "$alt" "$dir"
	fi
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown "$PGUSER_OS": "$(readlink -f "$dir")"
	fi
	chmod 0700 "$(readlink -f "$dir")"
}

# real_dir DIR: the folder that holds the cluster (DIR itself, or the
# target of its link).
real_dir() { readlink -f "$1"; }

dir_arg() {
	local d=${1:-$ROOT/var/pg}
	case $d in /*) ;; *) d=$PWD/$d ;; esac
	printf '%s' "$d"
}

socket_ok() {
	local run=$1/run
	[ ${#run} -lt 90 ] || die "socket directory path too long for a Unix socket: $run"
}

gen_password() { head -c 24 /dev/urandom | base64 | tr -d '/+=' | cut -c1-32; }

passfile_get() {  # passfile_get DIR ROLE
	awk -F: -v r="$2" '$4 == r { print $5 }' "$1/passfile"
}

cmd_init() {
	local dir real; dir=$(dir_arg "${1:-}")
	ensure_os_user
	resolve_dir "$dir"
	real=$(real_dir "$dir")
	socket_ok "$real"
	if [ -f "$real/data/PG_VERSION" ]; then
		return 0
	fi
	local pw; pw=$(gen_password)
	umask 077
	{
		echo "*:*:*:postgres:$pw"
		echo "*:*:*:council_owner:$(gen_password)"
		echo "*:*:*:council_app:$(gen_password)"
		echo "*:*:*:council_signin:$(gen_password)"
	} > "$real/passfile"
	chmod 0600 "$real/passfile"
	mkdir -p "$real/run" "$real/log"
	printf '%s\n' "$pw" > "$real/initpw"
	[ "$(id -u)" = 0 ] && chown -R "$PGUSER_OS": "$real/run" "$real/log" "$real/initpw"
	as_pg "$PGBIN/initdb" -D "$real/data" -U postgres --pwfile="$real/initpw" \
		--auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$real/log/initdb.log" 2>&1 \
		|| { rm -f "$real/initpw"; cat "$real/log/initdb.log" >&2; die "initdb failed"; }
	rm -f "$real/initpw"
	cat >> "$real/data/postgresql.conf" <<CONF
# council-portal: private cluster, Unix socket only
listen_addresses = ''
unix_socket_directories = '$real/run'
unix_socket_permissions = 0777
timezone = 'UTC'
log_timezone = 'UTC'
max_connections = 100
shared_buffers = ${COUNCIL_PG_SHARED_BUFFERS:-128MB}
# Short statements under row-level security: JIT compiled 200+ functions
# per feed request (460-600 ms, bench/http/run.sh) and never paid back.
jit = off
CONF
	if [ -n "${COUNCIL_PG_FAST:-}" ]; then
		# Throw-away test clusters: durability is not needed.
		printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' \
			>> "$real/data/postgresql.conf"
	fi
	# Only the socket, only with passwords.
	printf 'local all all scram-sha-256\n' > "$real/data/pg_hba.conf"
	[ "$(id -u)" = 0 ] && chown "$PGUSER_OS": "$real/data/pg_hba.conf"
	return 0
}

super_psql() {  # super_psql DIR [args]: psql as superuser over the socket
	local dir=$1; shift
	local real; real=$(real_dir "$dir")
	PGPASSFILE="$real/passfile" psql -X -q -v ON_ERROR_STOP=1 \
		-h "$real/run" -U postgres "$@"
}

# roles_sql: the roles and the database, as one psql script (idempotent).
# Run as the superuser connected to database postgres, with the psql
# variables owner_pw, app_pw and signin_pw set; it ends connected to
# database council.  Shared with deploy/cluster.sh ("pg.sh roles-sql").
roles_sql() {
	cat <<'SQL'
SET client_min_messages = warning;
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'council_owner') AS need_owner \gset
\if :need_owner
CREATE ROLE council_owner LOGIN;
\endif
ALTER ROLE council_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT PASSWORD :'owner_pw';
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'council_app') AS need_app \gset
\if :need_app
CREATE ROLE council_app LOGIN;
\endif
ALTER ROLE council_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT PASSWORD :'app_pw';
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'council_signin') AS need_signin \gset
\if :need_signin
CREATE ROLE council_signin LOGIN;
\endif
ALTER ROLE council_signin LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT PASSWORD :'signin_pw';
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'council_definer') AS need_definer \gset
\if :need_definer
CREATE ROLE council_definer NOLOGIN;
\endif
ALTER ROLE council_definer NOLOGIN NOSUPERUSER NOBYPASSRLS;
GRANT council_definer TO council_owner;
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'council_writer') AS need_writer \gset
\if :need_writer
CREATE ROLE council_writer NOLOGIN;
\endif
ALTER ROLE council_writer NOLOGIN NOSUPERUSER NOBYPASSRLS;
GRANT council_writer TO council_owner;
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'council') AS need_db \gset
\if :need_db
CREATE DATABASE council OWNER council_owner ENCODING 'UTF8' TEMPLATE template0;
\endif
REVOKE ALL ON DATABASE council FROM PUBLIC;
GRANT CONNECT ON DATABASE council TO council_owner, council_app, council_signin;
\connect council
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
}

ensure_roles() {
	local dir=$1
	local owner_pw app_pw signin_pw
	# Clusters made before council_signin existed (issue 10) get its line.
	if [ -z "$(passfile_get "$dir" council_signin)" ]; then
		echo "*:*:*:council_signin:$(gen_password)" >>"$dir/passfile"
	fi
	owner_pw=$(passfile_get "$dir" council_owner)
	app_pw=$(passfile_get "$dir" council_app)
	signin_pw=$(passfile_get "$dir" council_signin)
	roles_sql | super_psql "$dir" -d postgres -v owner_pw="$owner_pw" -v app_pw="$app_pw" \
		-v signin_pw="$signin_pw"
}

cmd_start() {
	local dir real; dir=$(dir_arg "${1:-}")
	cmd_init "$dir"
	real=$(real_dir "$dir")
	if ! as_pg "$PGBIN/pg_ctl" -D "$real/data" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$real/data" -l "$real/log/postgresql.log" \
			-w -t 60 start >/dev/null \
			|| { tail -20 "$real/log/postgresql.log" >&2; die "PostgreSQL did not start"; }
	fi
	ensure_roles "$dir"
}

# stop_real REAL: stop the cluster held in the folder REAL, if it runs.
stop_real() {
	local real=$1
	[ -f "$real/data/PG_VERSION" ] || return 0
	if as_pg "$PGBIN/pg_ctl" -D "$real/data" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$real/data" -m fast -w -t 60 stop >/dev/null
	fi
}

cmd_stop() {
	local dir; dir=$(dir_arg "${1:-}")
	stop_real "$(real_dir "$dir")"
}

# destroy DIR: stop the cluster and remove it, wherever it really lives,
# and the link in the checkout.
cmd_destroy() {
	[ -n "${1:-}" ] || die "destroy needs an explicit DIR"
	local dir real; dir=$(dir_arg "$1")
	real=$(real_dir "$dir")
	stop_real "$real"
	rm -rf "$real"
	[ -L "$dir" ] && rm -f "$dir"
	return 0
}

cmd_where() {
	real_dir "$(dir_arg "${1:-}")"
}

# prune: the clusters under STATE whose checkout no longer links to them
# (the clone was deleted without "destroy") are stopped and removed.
cmd_prune() {
	local alt origin
	[ "$(id -u)" = 0 ] || die "prune: root only"
	[ -d "$STATE" ] || return 0
	for alt in "$STATE"/*/; do
		alt=${alt%/}
		[ -f "$alt/origin" ] || continue
		origin=$(cat "$alt/origin")
		if [ -L "$origin" ] && [ "$(readlink -f "$origin")" = "$alt" ]; then
			continue
		fi
		stop_real "$alt" || true
		rm -rf "$alt"
		echo "pruned $alt (was $origin)"
	done
}

cmd_conninfo() {
	local dir role real
	if [ $# -ge 2 ]; then dir=$(dir_arg "$1"); role=$2; else dir=$(dir_arg ""); role=${1:?role}; fi
	real=$(real_dir "$dir")
	printf 'host=%s dbname=%s user=%s passfile=%s\n' "$real/run" "$DBNAME" "$role" "$real/passfile"
}

cmd=${1:-}
shift || true
case $cmd in
	init) cmd_init "$@" ;;
	start) cmd_start "$@" ;;
	stop) cmd_stop "$@" ;;
	destroy) cmd_destroy "$@" ;;
	conninfo) cmd_conninfo "$@" ;;
	where) cmd_where "$@" ;;
	prune) cmd_prune ;;
	roles-sql) roles_sql ;;
	mkdir) [ -n "${1:-}" ] || die "mkdir needs a DIR"; ensure_os_user; resolve_dir "$(dir_arg "$1")" ;;
	psql) d=$(dir_arg "${1:-}"); shift || true; super_psql "$d" -d "$DBNAME" "$@" ;;
	*) echo "usage: deploy/pg.sh init|start|stop|destroy|conninfo|psql|where [DIR] | prune | roles-sql | mkdir DIR" >&2; exit 2 ;;
esac
