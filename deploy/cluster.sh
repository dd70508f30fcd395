#!/usr/bin/env bash
# deploy/cluster.sh: the production shape on one machine (issue 16).
#
#   deploy/cluster.sh up              make or start everything (idempotent)
#   deploy/cluster.sh status          report; exit 0 only if all is healthy
#   deploy/cluster.sh down            stop everything, keep the data
#   deploy/cluster.sh down --destroy  stop and remove var/cluster and its data
#   deploy/cluster.sh destroy         the same
#   deploy/cluster.sh leader          print the Patroni leader's name (pg1..pg3)
#   deploy/cluster.sh pgpid NODE      print NODE's postmaster pid
#   deploy/cluster.sh backup full|incr          a pgBackRest backup
#   deploy/cluster.sh restore TIME DIR PORT     point-in-time restore of the
#        stanza into the NEW folder DIR, started as a standalone PostgreSQL
#        on 127.0.0.1:PORT (same passwords; "PGPORT=PORT deploy/pg.sh psql
#        DIR" works).  TIME as pgBackRest takes it: '2026-12-06 03:32:20+00'
#        (at most microseconds; +00 for UTC)
#   deploy/cluster.sh restore-stop DIR          stop that copy and remove DIR
#   deploy/cluster.sh psql [args]     psql as council_owner through HAProxy
#   deploy/cluster.sh councild-up N   start councild N (1, 2) again if it is not
#        running (tests/cluster/run.sh, after killing it), nothing else
#   deploy/cluster.sh haproxy COMMAND  a command of HAProxy's admin socket
#        ("show stat", "set server councild/councild2 state maint", ...)
#
# Everything lives under var/cluster of the checkout (docs/operations.md):
#
#   etcd       one member, client 127.0.0.1:23791, peer :23792
#   pg1..pg3   PostgreSQL 15 under Patroni, ports 54321..54323, REST
#              8101..8103, scope "council", synchronous replication
#   haproxy    127.0.0.1:54320 to the primary; https://127.0.0.1:8443 (TLS 1.3
#              only) to councild1 (:8181) and councild2 (:8182);
#              http://127.0.0.1:8088 redirects to https
#   pgbackrest repository var/cluster/backup, stanza "council"
#   env        sourceable: HTTPS_URL, CA_FILE, PG_DSN_OWNER, ... (tests/cluster)
#
# As root, PostgreSQL, Patroni and pgBackRest run as the system user
# "councilpg", and the folders they need (pg1..pg3, backup, pgbackrest, log)
# are links into /var/lib/council-portal made by "deploy/pg.sh mkdir" (see
# "Where the cluster lives" in deploy/pg.sh); the processes are given the
# real paths.  Config files are filled from the templates in
# deploy/cluster/, the same ones that deploy onto real hosts.
#
# Environment: COUNCIL_BUILD_DIR (a build folder with server/councild and
# server/councilctl; default: var/build/cluster, built here);
# COUNCIL_CLUSTER_TTL, _LOOP_WAIT, _RETRY_TIMEOUT (Patroni, at bootstrap).
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true

# shellcheck source=deploy/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
die() { printf 'cluster.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '==> [%3d s] %s\n' "$SECONDS" "$*" >&2; }

C=$ROOT/var/cluster
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGUSER_OS=councilpg
HOST=127.0.0.1
ETCD_CLIENT_PORT=23791
ETCD_PEER_PORT=23792
NODES=(pg1 pg2 pg3)
PG_PORTS=(54321 54322 54323)
REST_PORTS=(8101 8102 8103)
PG_FRONT_PORT=54320
HTTPS_PORT=8443
REDIRECT_PORT=8088
COUNCILD_PORTS=(8181 8182)
SIGNIN_PER_MIN=20
TTL=${COUNCIL_CLUSTER_TTL:-10}
LOOP_WAIT=${COUNCIL_CLUSTER_LOOP_WAIT:-1}
RETRY_TIMEOUT=${COUNCIL_CLUSTER_RETRY_TIMEOUT:-3}
TEMPLATES=$ROOT/deploy/cluster
PASSFILE=$C/passfile
SECRETS=$C/secrets
LOGDIR=$C/log

# --- helpers -----------------------------------------------------------------

is_root() { [ "$(id -u)" = 0 ]; }

# as_pg CMD...: run CMD as the PostgreSQL user (as root), from /, so that a
# working directory under /root is never needed.
as_pg() {
	if is_root; then
		(cd / && runuser -u "$PGUSER_OS" -- "$@")
	else
		(cd / && "$@")
	fi
}

# exec_pg CMD...: the same for a daemon: setpriv execs CMD in place, so $!
# of "exec_pg ... &" is the daemon itself (runuser would stay its parent).
exec_pg() {
	cd /
	if is_root; then
		exec setpriv --reuid="$PGUSER_OS" --regid="$PGUSER_OS" --init-groups \
			env HOME=/nonexistent USER="$PGUSER_OS" LOGNAME="$PGUSER_OS" "$@"
	fi
	exec "$@"
}

real() { readlink -f "$1"; }

alive() {  # alive PIDFILE
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# wait_for SECONDS WHAT CMD...: poll CMD every 0.2 s for SECONDS.
wait_for() {
	local secs=$1 what=$2 end; shift 2
	end=$((SECONDS + secs))
	while ((SECONDS < end)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	"$@" >/dev/null 2>&1 && return 0
	die "timed out after ${secs}s waiting for $what"
}

http_code() {  # http_code URL
	curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true
}

# render TEMPLATE OUT KEY=VALUE...: fill the @KEY@ fields; every field must
# be filled.
render() {
	local tpl=$1 out=$2 text kv left; shift 2
	text=$(<"$tpl")
	for kv in "$@"; do
		text=${text//@${kv%%=*}@/${kv#*=}}
	done
	left=$(grep -o '@[A-Z0-9_]*@' <<<"$text" | sort -u | tr '\n' ' ' || true)
	[ -z "$left" ] || die "$tpl: fields left unfilled: $left"
	printf '%s\n' "$text" >"$out.tmp"
	mv -f "$out.tmp" "$out"
}

gen_password() { head -c 24 /dev/urandom | base64 | tr -d '/+=' | cut -c1-32; }

secret() {  # secret NAME
	local v
	v=$(awk -F= -v k="$1" '$1 == k { print substr($0, length(k) + 2) }' "$SECRETS")
	[ -n "$v" ] || die "no $1 in $SECRETS"
	printf '%s' "$v"
}

node_index() {  # node_index NAME: 0..2
	local i
	for i in "${!NODES[@]}"; do
		[ "${NODES[$i]}" = "$1" ] && { echo "$i"; return 0; }
	done
	die "no node named '$1' (pg1, pg2, pg3)"
}

build_dir() {
	if [ -n "${COUNCIL_BUILD_DIR:-}" ]; then
		local p
		for p in councild councilctl; do
			[ -x "$COUNCIL_BUILD_DIR/server/$p" ] \
				|| die "COUNCIL_BUILD_DIR=$COUNCIL_BUILD_DIR has no server/$p"
		done
		(cd "$COUNCIL_BUILD_DIR" && pwd)
	else
		council_build cluster
	fi
}

dsn() {  # dsn ROLE [DB]: through HAProxy
	printf 'host=%s port=%s dbname=%s user=%s passfile=%s connect_timeout=2' \
		"$HOST" "$PG_FRONT_PORT" "${2:-council}" "$1" "$PASSFILE"
}

# --- files -------------------------------------------------------------------

ensure_dirs() {
	local d
	mkdir -p "$C"
	chmod 0700 "$C"
	# What PostgreSQL's user must reach: links into /var/lib as root.
	for d in "${NODES[@]}" backup pgbackrest log; do
		"$ROOT/deploy/pg.sh" mkdir "$C/$d"
	done
	for d in "${NODES[@]}"; do
		mkdir -p "$C/$d/run"
		is_root && chown "$PGUSER_OS": "$(real "$C/$d/run")"
		chmod 0700 "$(real "$C/$d/run")"
	done
	mkdir -p "$C/etcd" "$C/haproxy" "$C/tls" "$C/run" "$C/councild1" "$C/councild2"
	chmod 0700 "$C/etcd" "$C/tls"
	local sock=$C/haproxy/stats.sock
	[ ${#sock} -lt 100 ] || die "path too long for a Unix socket: $sock"
}

ensure_secrets() {
	[ -s "$SECRETS" ] && return 0
	(
		umask 077
		{
			echo "# deploy/cluster.sh: the cluster's passwords (mode 0600)"
			echo "SUPERUSER_PW=$(gen_password)"
			echo "REPLICATION_PW=$(gen_password)"
			echo "REWIND_PW=$(gen_password)"
			echo "RESTAPI_PW=$(gen_password)"
			echo "OWNER_PW=$(gen_password)"
			echo "APP_PW=$(gen_password)"
			echo "SIGNIN_PW=$(gen_password)"
		} >"$SECRETS.tmp"
	)
	mv "$SECRETS.tmp" "$SECRETS"
	chmod 0600 "$SECRETS"
}

# The pgpass file of the clients (councild, councilctl, psql, tests): the
# HAProxy port and every node's port.
write_passfile() {
	local port
	(
		umask 077
		for port in "$PG_FRONT_PORT" "${PG_PORTS[@]}"; do
			echo "$HOST:$port:*:postgres:$(secret SUPERUSER_PW)"
			echo "$HOST:$port:*:council_owner:$(secret OWNER_PW)"
			echo "$HOST:$port:*:council_app:$(secret APP_PW)"
			echo "$HOST:$port:*:council_signin:$(secret SIGNIN_PW)"
		done >"$PASSFILE.tmp"
	)
	mv "$PASSFILE.tmp" "$PASSFILE"
	chmod 0600 "$PASSFILE"
}

# pg_owned FILE: the PostgreSQL user's, mode 0600.
pg_owned() {
	chmod 0600 "$1"
	is_root && chown "$PGUSER_OS": "$1"
	return 0
}

write_pgbackrest_conf() {
	local st; st=$(real "$C/pgbackrest")
	mkdir -p "$st/lock" "$st/spool"
	is_root && chown "$PGUSER_OS": "$st/lock" "$st/spool"
	render "$TEMPLATES/pgbackrest.conf.in" "$st/pgbackrest.conf" \
		REPO_PATH="$(real "$C/backup")" COMPRESS=lz4 LOG_DIR="$(real "$LOGDIR")" \
		STATE_DIR="$st" \
		PG1_DATA="$(real "$C/pg1")/data" PG1_PORT="${PG_PORTS[0]}" PG1_SOCKET="$(real "$C/pg1")/run" \
		PG2_DATA="$(real "$C/pg2")/data" PG2_PORT="${PG_PORTS[1]}" PG2_SOCKET="$(real "$C/pg2")/run" \
		PG3_DATA="$(real "$C/pg3")/data" PG3_PORT="${PG_PORTS[2]}" PG3_SOCKET="$(real "$C/pg3")/run"
	pg_owned "$st/pgbackrest.conf"
	# pgBackRest connects over the nodes' sockets as postgres.
	(umask 077; echo "*:*:*:postgres:$(secret SUPERUSER_PW)" >"$st/pgpass")
	pg_owned "$st/pgpass"
}

pgbr_conf() { printf '%s/pgbackrest.conf' "$(real "$C/pgbackrest")"; }

pgbackrest_run() {  # pgbackrest_run ARGS...: as the PostgreSQL user
	as_pg env PGPASSFILE="$(real "$C/pgbackrest")/pgpass" \
		pgbackrest --config="$(pgbr_conf)" --stanza=council "$@"
}

write_patroni_conf() {  # write_patroni_conf INDEX
	local i=$1 name=${NODES[$1]} nd
	nd=$(real "$C/$name")
	render "$TEMPLATES/patroni.yml.in" "$nd/patroni.yml" \
		NAME="$name" HOST="$HOST" REST_PORT="${REST_PORTS[$i]}" PG_PORT="${PG_PORTS[$i]}" \
		RESTAPI_PW="$(secret RESTAPI_PW)" ETCD_HOSTS="$HOST:$ETCD_CLIENT_PORT" \
		TTL="$TTL" LOOP_WAIT="$LOOP_WAIT" RETRY_TIMEOUT="$RETRY_TIMEOUT" \
		PGBR_CONF="$(pgbr_conf)" DATA_DIR="$nd/data" PGBIN="$PGBIN" NODE_DIR="$nd" \
		SUPERUSER_PW="$(secret SUPERUSER_PW)" REPLICATION_PW="$(secret REPLICATION_PW)" \
		REWIND_PW="$(secret REWIND_PW)" LOG_DIR="$(real "$LOGDIR")" \
		SHARED_BUFFERS="${COUNCIL_PG_SHARED_BUFFERS:-128MB}" HBA_NET="$HOST/32"
	pg_owned "$nd/patroni.yml"
}

# A private CA and the server's certificate (EC P-256, SAN 127.0.0.1 and
# localhost), made once.  server.pem is certificate then key (HAProxy's
# crt format).
ensure_tls() {
	local t=$C/tls
	[ -s "$t/server.pem" ] && [ -s "$t/ca.pem" ] && return 0
	say "TLS: private CA and server certificate (var/cluster/tls)"
	(
		umask 077
		openssl ecparam -name prime256v1 -genkey -noout -out "$t/ca.key" 2>/dev/null
		openssl req -x509 -new -key "$t/ca.key" -sha256 -days 3650 \
			-subj "/CN=Council Portal cluster CA ($(hostname))" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign \
			-out "$t/ca.pem" 2>/dev/null
		openssl ecparam -name prime256v1 -genkey -noout -out "$t/server.key" 2>/dev/null
		openssl req -new -key "$t/server.key" -subj "/CN=localhost" -out "$t/server.csr" 2>/dev/null
		printf '%s\n' "basicConstraints=critical,CA:FALSE" \
			"keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
			"subjectAltName=IP:127.0.0.1,DNS:localhost" >"$t/server.ext"
		openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" \
			-CAcreateserial -days 825 -sha256 -extfile "$t/server.ext" \
			-out "$t/server.crt" 2>/dev/null
		cat "$t/server.crt" "$t/server.key" >"$t/server.pem"
		rm -f "$t/server.csr" "$t/server.ext"
	) || die "openssl could not make the certificates in $t"
	chmod 0644 "$t/ca.pem"
}

write_haproxy_conf() {
	render "$TEMPLATES/haproxy.cfg.in" "$C/haproxy/haproxy.cfg" \
		HAPROXY_DIR="$C/haproxy" PG_FRONT_PORT="$PG_FRONT_PORT" HOST="$HOST" \
		PG1_PORT="${PG_PORTS[0]}" PG2_PORT="${PG_PORTS[1]}" PG3_PORT="${PG_PORTS[2]}" \
		PG1_REST="${REST_PORTS[0]}" PG2_REST="${REST_PORTS[1]}" PG3_REST="${REST_PORTS[2]}" \
		HTTPS_BIND="$HOST:$HTTPS_PORT" TLS_DIR="$C/tls" SIGNIN_PER_MIN="$SIGNIN_PER_MIN" \
		ERRORS_DIR="$TEMPLATES/errors" \
		COUNCILD1_PORT="${COUNCILD_PORTS[0]}" COUNCILD2_PORT="${COUNCILD_PORTS[1]}" \
		HTTP_REDIRECT="$(printf '%s\n' \
			'# Plain HTTP: only a redirect to https.' \
			'frontend http_redirect' \
			"    bind $HOST:$REDIRECT_PORT" \
			'    mode http' \
			"    http-request redirect location https://%[req.hdr(host),field(1,:)]:$HTTPS_PORT%[capture.req.uri] code 301")"
}

# q NAME VALUE: a shell assignment, the value single-quoted.
q() { printf "%s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }

write_env() {
	local build=$1 f=$C/env i
	{
		echo "# deploy/cluster.sh: source this (tests/cluster)."
		q CLUSTER_DIR "$C"
		q CLUSTER_SH "$ROOT/deploy/cluster.sh"
		q HTTPS_URL "https://$HOST:$HTTPS_PORT"
		q CA_FILE "$C/tls/ca.pem"
		q PG_HOST "$HOST"
		q PG_PORT "$PG_FRONT_PORT"
		q PG_DSN_OWNER "$(dsn council_owner)"
		q PG_DSN_APP "$(dsn council_app)"
		q PG_DSN_SIGNIN "$(dsn council_signin)"
		q PG_DSN_SUPER "$(dsn postgres postgres)"
		q PGPASSFILE "$PASSFILE"
		q PG_NODES "${NODES[*]}"
		q PG_NODE_PORTS "${PG_PORTS[*]}"
		q PG_REST_PORTS "${REST_PORTS[*]}"
		for i in "${!NODES[@]}"; do
			q "PG$((i + 1))_PORT" "${PG_PORTS[$i]}"
			q "PG$((i + 1))_REST" "${REST_PORTS[$i]}"
		done
		q PATRONI_CONFIG "$C/pg1/patroni.yml"
		q PGBACKREST_CONFIG "$C/pgbackrest/pgbackrest.conf"
		q ETCD_URL "http://$HOST:$ETCD_CLIENT_PORT"
		q HAPROXY_PIDFILE "$C/haproxy/haproxy.pid"
		q HAPROXY_SOCKET "$C/haproxy/stats.sock"
		q COUNCILD_PORTS "${COUNCILD_PORTS[*]}"
		q COUNCILD_PIDFILES "$C/councild1/councild.pid $C/councild2/councild.pid"
		q COUNCILD_LOGS "$LOGDIR/councild1.log $LOGDIR/councild2.log"
		q BUILD "$build"
		echo "export PGPASSFILE"
	} >"$f.tmp"
	mv "$f.tmp" "$f"
}

# --- etcd --------------------------------------------------------------------

etcd_healthy() { curl -fsS -m 2 "http://$HOST:$ETCD_CLIENT_PORT/health" 2>/dev/null | grep -q '"health":"true"'; }

etcd_up() {
	if alive "$C/run/etcd.pid" && etcd_healthy; then return 0; fi
	say "etcd (127.0.0.1:$ETCD_CLIENT_PORT)"
	local token; token=council-$(printf '%s' "$C" | sha256sum | cut -c1-12)
	(
		cd /
		exec setsid etcd --name council-etcd --data-dir "$C/etcd" \
			--listen-client-urls "http://$HOST:$ETCD_CLIENT_PORT" \
			--advertise-client-urls "http://$HOST:$ETCD_CLIENT_PORT" \
			--listen-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
			--initial-advertise-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
			--initial-cluster "council-etcd=http://$HOST:$ETCD_PEER_PORT" \
			--initial-cluster-state new --initial-cluster-token "$token" \
			--listen-metrics-urls "" \
			</dev/null >>"$LOGDIR/etcd.log" 2>&1
	) &
	echo $! >"$C/run/etcd.pid"
	wait_for 30 "etcd (log: var/cluster/log/etcd.log)" etcd_healthy
}

# --- Patroni -----------------------------------------------------------------

patroni_up() {  # patroni_up INDEX
	local i=$1 name=${NODES[$1]} nd
	nd=$(real "$C/$name")
	write_patroni_conf "$i"
	alive "$C/run/$name.pid" && return 0
	say "Patroni $name (PostgreSQL 127.0.0.1:${PG_PORTS[$i]}, REST :${REST_PORTS[$i]})"
	(exec_pg setsid /usr/bin/patroni "$nd/patroni.yml" </dev/null >>"$LOGDIR/$name-patroni.log" 2>&1) &
	echo $! >"$C/run/$name.pid"
}

# cluster_json: Patroni's view of the cluster from the first node that answers.
cluster_json() {
	local p
	for p in "${REST_PORTS[@]}"; do
		curl -fsS -m 2 "http://$HOST:$p/cluster" 2>/dev/null && return 0
	done
	return 1
}

leader_name() {
	cluster_json | python3 -c '
import json, sys
for m in json.load(sys.stdin).get("members", []):
    if m.get("role") == "leader" and m.get("state") == "running":
        print(m["name"]); break
else:
    sys.exit(1)'
}

# replicas_streaming N: at least N members other than the leader stream.
replicas_streaming() {
	cluster_json | python3 -c '
import json, sys
ms = json.load(sys.stdin).get("members", [])
ok = [m for m in ms if m.get("role") != "leader" and m.get("state") in ("streaming", "running")]
sys.exit(0 if len(ok) >= int(sys.argv[1]) else 1)' "$1"
}

# --- HAProxy -----------------------------------------------------------------

haproxy_stat() {  # haproxy_stat COMMAND: over the stats socket
	python3 - "$C/haproxy/stats.sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
PY
}

haproxy_up() {
	local cfg=$C/haproxy/haproxy.cfg old=""
	[ -f "$cfg" ] && old=$(cat "$cfg")
	write_haproxy_conf
	/usr/sbin/haproxy -c -q -f "$cfg" || die "HAProxy rejects $cfg"
	if alive "$C/haproxy/haproxy.pid"; then
		if [ "$old" != "$(cat "$cfg")" ]; then
			say "HAProxy: new configuration, reloading"
			kill -USR2 "$(cat "$C/haproxy/haproxy.pid")"
		fi
		return 0
	fi
	say "HAProxy (pg 127.0.0.1:$PG_FRONT_PORT, https 127.0.0.1:$HTTPS_PORT)"
	rm -f "$C/haproxy/haproxy.pid"
	# Master-worker in the background: the master's pid in haproxy.pid,
	# its log (stdout) in var/cluster/log/haproxy.log; USR2 reloads.
	(cd / && exec setsid /usr/sbin/haproxy -W -db -f "$cfg" \
		</dev/null >>"$LOGDIR/haproxy.log" 2>&1) &
	wait_for 10 "HAProxy (log: var/cluster/log/haproxy.log)" \
		test -S "$C/haproxy/stats.sock" -a -s "$C/haproxy/haproxy.pid"
}

pg_front_writable() {
	PGPASSFILE=$PASSFILE psql -X -w -qAt "$(dsn postgres postgres)" \
		-c 'SELECT NOT pg_is_in_recovery()' 2>/dev/null | grep -qx t
}

# --- the database --------------------------------------------------------------

ensure_database() {
	say "roles and database council (deploy/pg.sh roles-sql)"
	"$ROOT/deploy/pg.sh" roles-sql | PGPASSFILE=$PASSFILE psql -X -w -q -v ON_ERROR_STOP=1 \
		"$(dsn postgres postgres)" -v owner_pw="$(secret OWNER_PW)" \
		-v app_pw="$(secret APP_PW)" -v signin_pw="$(secret SIGNIN_PW)" \
		|| die "could not make the roles and the database"
}

migrate_seed() {
	local build=$1
	say "migrate and seed-demo"
	PGPASSFILE=$PASSFILE "$build/server/councilctl" -d "$(dsn council_owner)" -r "$ROOT" migrate \
		>"$LOGDIR/migrate.log" 2>&1 || { tail -20 "$LOGDIR/migrate.log" >&2; die "migrate failed"; }
	PGPASSFILE=$PASSFILE "$build/server/councilctl" -d "$(dsn council_owner)" -r "$ROOT" seed-demo \
		>>"$LOGDIR/migrate.log" 2>&1 || { tail -20 "$LOGDIR/migrate.log" >&2; die "seed-demo failed"; }
}

# --- pgBackRest ----------------------------------------------------------------

has_backup() {
	pgbackrest_run --output=json info 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d and d[0].get("backup") else 1)'
}

backup_up() {
	write_pgbackrest_conf
	if ! pgbackrest_run info 2>/dev/null | grep -q 'status: ok'; then
		say "pgBackRest stanza council (var/cluster/backup)"
		pgbackrest_run stanza-create >/dev/null || die "pgbackrest stanza-create failed (log: var/cluster/log)"
	fi
	if ! has_backup; then
		say "pgBackRest: first full backup"
		pgbackrest_run --type=full backup || die "the first full backup failed (log: var/cluster/log)"
	fi
}

# --- councild ------------------------------------------------------------------

councild_conf() {  # councild_conf N BUILD
	local n=$1 build=$2 d=$C/councild$1 help
	help=$("$build/server/councild" --help-config 2>/dev/null || true)
	council_config "$d/councild.conf.new" "${COUNCILD_PORTS[$((n - 1))]}" "" \
		"$(dsn council_app) target_session_attrs=read-write" \
		"$(dsn council_signin) target_session_attrs=read-write"
	{
		echo "# deploy/cluster.sh: behind HAProxy's TLS"
		echo "cookie_secure = 1"
		if grep -qx trusted_proxy <<<"$help"; then echo "trusted_proxy = \"$HOST\""; fi
		if grep -qx clock_interval <<<"$help"; then echo "clock_interval = 1"; fi
		if grep -qx public_url <<<"$help"; then echo "public_url = \"https://$HOST:$HTTPS_PORT/\""; fi
	} >>"$d/councild.conf.new"
}

councild_up() {  # councild_up N BUILD
	local n=$1 build=$2 d=$C/councild$1 log=$LOGDIR/councild$1.log
	councild_conf "$n" "$build"
	if alive "$d/councild.pid"; then
		if cmp -s "$d/councild.conf.new" "$d/councild.conf"; then
			rm -f "$d/councild.conf.new"
			return 0
		fi
		say "councild$n: configuration changed, restarting"
		councild_stop "$n"
	fi
	mv -f "$d/councild.conf.new" "$d/councild.conf"
	say "councild$n (127.0.0.1:${COUNCILD_PORTS[$((n - 1))]}, log: var/cluster/log/councild$n.log)"
	: >"$log"
	(cd / && exec setsid "$build/server/councild" -c "$d/councild.conf" \
		</dev/null >/dev/null 2>>"$log") &
	echo $! >"$d/councild.pid"
	local i
	for ((i = 0; i < 150; i++)); do
		grep -q 'msg=listening' "$log" && return 0
		alive "$d/councild.pid" || { tail -20 "$log" >&2; die "councild$n did not start"; }
		sleep 0.2
	done
	die "councild$n did not start listening within 30 s (log: $log)"
}

stop_pidfile() {  # stop_pidfile PIDFILE WHAT SECONDS
	local f=$1 what=$2 secs=$3 pid i
	alive "$f" || { rm -f "$f"; return 0; }
	pid=$(cat "$f")
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$f"; return 0; }
		sleep 0.1
	done
	say "$what did not stop in ${secs}s: KILL"
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$f"
}

councild_stop() { stop_pidfile "$C/councild$1/councild.pid" "councild$1" 30; }

https_healthy() {
	curl -fsS -m 3 --cacert "$C/tls/ca.pem" "https://$HOST:$HTTPS_PORT/healthz" >/dev/null 2>&1
}

# --- commands --------------------------------------------------------------------

cmd_up() {
	local t0=$SECONDS build i
	[ -x "$PGBIN/postgres" ] || die "PostgreSQL 15 not found in $PGBIN (deploy/install-deps.sh)"
	for i in /usr/bin/patroni /usr/sbin/haproxy; do
		[ -x "$i" ] || die "$i missing (deploy/install-deps.sh)"
	done
	for i in etcd pgbackrest; do
		command -v "$i" >/dev/null || die "$i missing (deploy/install-deps.sh)"
	done
	build=$(build_dir)
	say "build ready: $build ($((SECONDS - t0)) s)"
	ensure_dirs
	ensure_secrets
	write_passfile
	write_pgbackrest_conf
	etcd_up
	for i in "${!NODES[@]}"; do patroni_up "$i"; done
	wait_for 90 "a Patroni leader (logs: var/cluster/log/pg*-patroni.log)" leader_name
	say "leader: $(leader_name)"
	ensure_tls
	haproxy_up
	wait_for 30 "HAProxy's pg frontend to reach the primary" pg_front_writable
	ensure_database
	migrate_seed "$build"
	backup_up
	councild_up 1 "$build"
	councild_up 2 "$build"
	wait_for 30 "https://$HOST:$HTTPS_PORT/healthz through HAProxy" https_healthy
	wait_for 60 "two replicas streaming" replicas_streaming 2
	write_env "$build"
	say "up in $((SECONDS - t0)) s"
	cat <<TXT

Council Portal cluster is up:  https://$HOST:$HTTPS_PORT/   (CA: var/cluster/tls/ca.pem)
  PostgreSQL primary via HAProxy: 127.0.0.1:$PG_FRONT_PORT  (pgpass: var/cluster/passfile)
  leader $(leader_name); nodes ${NODES[*]} on ${PG_PORTS[*]}, Patroni REST ${REST_PORTS[*]}
  environment for scripts: . var/cluster/env
  status: deploy/cluster.sh status    stop: deploy/cluster.sh down
TXT
}

cmd_status() {
	local bad=0 i n
	[ -d "$C" ] || { echo "no cluster under $C"; return 1; }
	printf '%-10s ' etcd
	if etcd_healthy; then echo "healthy (127.0.0.1:$ETCD_CLIENT_PORT)"; else echo "DOWN"; bad=1; fi

	echo "--- Patroni (scope council)"
	if [ -f "$C/pg1/patroni.yml" ] && cluster_json >/dev/null 2>&1; then
		patronictl -c "$C/pg1/patroni.yml" list 2>/dev/null || cluster_json
		leader_name >/dev/null || { echo "no running leader"; bad=1; }
		replicas_streaming 2 || { echo "fewer than two replicas streaming"; bad=1; }
	else
		echo "no Patroni node answers"; bad=1
	fi
	for i in "${!NODES[@]}"; do
		alive "$C/run/${NODES[$i]}.pid" || { echo "patroni ${NODES[$i]}: not running"; bad=1; }
	done

	echo "--- HAProxy"
	if alive "$C/haproxy/haproxy.pid" && [ -S "$C/haproxy/stats.sock" ]; then
		haproxy_stat "show stat" | awk -F, '$1 !~ /^#/ && $2 != "" && $2 != "FRONTEND" && $2 != "BACKEND" {
			printf "  %-10s %-10s %s\n", $1, $2, $18 }'
		local pgup; pgup=$(haproxy_stat "show stat" | awk -F, '$1 == "pg" && $18 == "UP" && $2 != "BACKEND"' | wc -l)
		[ "$pgup" = 1 ] || { echo "  pg: $pgup servers UP (want exactly 1, the primary)"; bad=1; }
		local cdup; cdup=$(haproxy_stat "show stat" | awk -F, '$1 == "councild" && $18 == "UP" && $2 != "BACKEND"' | wc -l)
		[ "$cdup" = 2 ] || { echo "  councild: $cdup of 2 UP"; bad=1; }
	else
		echo "HAProxy not running"; bad=1
	fi

	echo "--- councild"
	for n in 1 2; do
		if alive "$C/councild$n/councild.pid"; then
			echo "  councild$n pid $(cat "$C/councild$n/councild.pid") port ${COUNCILD_PORTS[$((n - 1))]}"
		else
			echo "  councild$n NOT running"; bad=1
		fi
	done
	if https_healthy; then
		echo "  https://$HOST:$HTTPS_PORT/healthz: ok"
	else
		echo "  https://$HOST:$HTTPS_PORT/healthz: FAILED"; bad=1
	fi
	if pg_front_writable; then
		echo "  127.0.0.1:$PG_FRONT_PORT: primary, writable"
	else
		echo "  127.0.0.1:$PG_FRONT_PORT: NOT writable"; bad=1
	fi
	[ $bad = 0 ] && echo "healthy" || echo "NOT healthy"
	return $bad
}

cmd_down() {
	local i name leader=""
	[ -d "$C" ] || return 0
	say "stopping councild"
	councild_stop 1 &
	councild_stop 2 &
	wait
	say "stopping HAProxy"
	stop_pidfile "$C/haproxy/haproxy.pid" HAProxy 10
	# Replicas first, the leader last: no failover on the way down.
	leader=$(leader_name 2>/dev/null || true)
	say "stopping Patroni and PostgreSQL"
	for name in "${NODES[@]}"; do
		[ "$name" = "$leader" ] && continue
		stop_pidfile "$C/run/$name.pid" "patroni $name" 60 &
	done
	wait
	[ -n "$leader" ] && stop_pidfile "$C/run/$leader.pid" "patroni $leader" 60
	for i in "${!NODES[@]}"; do
		# A PostgreSQL left behind (Patroni killed): stop it too.
		name=${NODES[$i]}
		if [ -f "$C/$name/data/postmaster.pid" ] \
			&& as_pg "$PGBIN/pg_ctl" -D "$(real "$C/$name")/data" status >/dev/null 2>&1; then
			as_pg "$PGBIN/pg_ctl" -D "$(real "$C/$name")/data" -m fast -w -t 60 stop >/dev/null || true
		fi
	done
	say "stopping etcd"
	stop_pidfile "$C/run/etcd.pid" etcd 20
}

cmd_destroy() {
	local d
	cmd_down
	[ -d "$C" ] || return 0
	for d in "${NODES[@]}" backup pgbackrest log; do
		if [ -L "$C/$d" ] || [ -d "$C/$d" ]; then
			"$ROOT/deploy/pg.sh" destroy "$C/$d"
		fi
	done
	rm -rf "$C"
	say "removed $C"
}

cmd_leader() { leader_name || die "no leader (is the cluster up?)"; }

cmd_pgpid() {
	[ -n "${1:-}" ] || die "usage: deploy/cluster.sh pgpid NODE"
	node_index "$1" >/dev/null
	local f; f=$C/$1/data/postmaster.pid
	[ -s "$f" ] || die "$1: no postmaster.pid (not running?)"
	head -1 "$f"
}

cmd_backup() {
	local type=${1:-}
	case $type in full | incr) ;; *) die "usage: deploy/cluster.sh backup full|incr" ;; esac
	[ -s "$SECRETS" ] || die "no cluster (deploy/cluster.sh up)"
	write_pgbackrest_conf
	pgbackrest_run --type="$type" backup || die "$type backup failed (log: var/cluster/log)"
	pgbackrest_run info
}

abs_path() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }

cmd_restore() {
	[ $# = 3 ] || die "usage: deploy/cluster.sh restore TARGET_TIME DIR PORT"
	local target=$1 dir port=$3 r
	dir=$(abs_path "$2")
	[[ $port =~ ^[0-9]+$ ]] || die "PORT must be a number"
	[ -s "$SECRETS" ] || die "no cluster (deploy/cluster.sh up)"
	[ -e "$dir" ] || [ -L "$dir" ] && die "$dir exists: restore needs a new folder"
	if ss -Hltn "sport = :$port" | grep -q .; then die "port $port is in use"; fi
	write_pgbackrest_conf
	"$ROOT/deploy/pg.sh" mkdir "$dir"
	# A restore that fails leaves nothing behind: the same command can be
	# run again.
	# shellcheck disable=SC2064  # DIR is fixed now
	trap "restore_cleanup $(printf '%q' "$dir")" EXIT
	r=$(real "$dir")
	mkdir -p "$r/data" "$r/run" "$r/log"
	is_root && chown "$PGUSER_OS": "$r/data" "$r/run" "$r/log"
	chmod 0700 "$r/data"
	# deploy/pg.sh's passfile format, so "deploy/pg.sh psql DIR" works.
	(
		umask 077
		{
			echo "*:*:*:postgres:$(secret SUPERUSER_PW)"
			echo "*:*:*:council_owner:$(secret OWNER_PW)"
			echo "*:*:*:council_app:$(secret APP_PW)"
			echo "*:*:*:council_signin:$(secret SIGNIN_PW)"
		} >"$r/passfile"
	)
	# The WAL up to now into the repository (pgbackrest check switches to a
	# new segment and waits until the old one is archived): a target a
	# few seconds ago is then reachable.  Without a primary, what is
	# archived must do.
	pgbackrest_run check >/dev/null 2>&1 \
		|| say "warning: pgbackrest check failed: the newest WAL may not be archived"
	say "pgbackrest restore --type=time --target='$target' into $dir"
	pgbackrest_run --pg1-path="$r/data" --type=time --target="$target" \
		--target-action=promote restore || die "pgbackrest restore failed (log: var/cluster/log)"
	# A standalone copy: its own port and socket, no archiving into the
	# cluster's repository, no synchronous standby to wait for, no Patroni.
	cat >>"$r/data/postgresql.auto.conf" <<CONF
# deploy/cluster.sh restore: a standalone copy for verification
port = $port
listen_addresses = '$HOST'
unix_socket_directories = '$r/run'
archive_mode = off
synchronous_standby_names = ''
logging_collector = off
primary_conninfo = ''
primary_slot_name = ''
CONF
	is_root && chown "$PGUSER_OS": "$r/data/postgresql.auto.conf"
	as_pg "$PGBIN/pg_ctl" -D "$r/data" -l "$r/log/postgresql.log" -w -t 300 start >/dev/null \
		|| { tail -20 "$r/log/postgresql.log" >&2; die "the restored PostgreSQL did not start"; }
	wait_for 120 "the restored copy to finish recovery and promote" restored_promoted "$r" "$port"
	trap - EXIT
	say "restored copy on 127.0.0.1:$port (stop: deploy/cluster.sh restore-stop $dir)"
	printf 'host=%s port=%s dbname=council user=council_owner passfile=%s\n' "$HOST" "$port" "$r/passfile"
}

restore_cleanup() {  # restore_cleanup DIR: after a failed restore
	[ $? = 0 ] && return 0
	local log; log=$(real "$1")/log/postgresql.log
	[ -s "$log" ] && tail -5 "$log" >&2
	echo "cluster.sh: removing $1" >&2
	"$ROOT/deploy/pg.sh" destroy "$1" || true
}

restored_promoted() {  # restored_promoted REAL PORT
	PGPASSFILE=$1/passfile psql -X -w -qAt -h "$HOST" -p "$2" -U postgres -d postgres \
		-c 'SELECT NOT pg_is_in_recovery()' 2>/dev/null | grep -qx t
}

cmd_restore_stop() {
	[ -n "${1:-}" ] || die "usage: deploy/cluster.sh restore-stop DIR"
	local dir; dir=$(abs_path "$1")
	[ -e "$dir" ] || die "$dir does not exist"
	[ -f "$(real "$dir")/data/PG_VERSION" ] || [ -f "$(real "$dir")/origin" ] \
		|| die "$dir holds no restored cluster"
	"$ROOT/deploy/pg.sh" destroy "$dir"
}

cmd_psql() {
	PGPASSFILE=$PASSFILE exec psql -X "$(dsn council_owner)" "$@"
}

cmd=${1:-}
shift || true
case $cmd in
	up) cmd_up ;;
	status) cmd_status ;;
	down) if [ "${1:-}" = --destroy ]; then cmd_destroy; else cmd_down; fi ;;
	destroy) cmd_destroy ;;
	leader) cmd_leader ;;
	pgpid) cmd_pgpid "$@" ;;
	backup) cmd_backup "$@" ;;
	restore) cmd_restore "$@" ;;
	restore-stop) cmd_restore_stop "$@" ;;
	psql) cmd_psql "$@" ;;
	haproxy) [ -S "$C/haproxy/stats.sock" ] || die "HAProxy is not running"
		haproxy_stat "$*" ;;
	councild-up)
		case ${1:-} in 1 | 2) ;; *) die "usage: deploy/cluster.sh councild-up 1|2" ;; esac
		[ -s "$SECRETS" ] || die "no cluster (deploy/cluster.sh up)"
		councild_up "$1" "$(build_dir)" ;;
	*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
