# shellcheck shell=bash
# tests/lib/relay.sh: what the tests that run a second councild against a
# real SMTP server share (tests/http/mail_smtp.sh, tests/browser/govinfo.sh;
# sourced; needs ROOT, PGDIR and PY, Debian's python3):
#   wait_for SECONDS CMD...   run CMD every second until it succeeds
#   free_port                 a free TCP port on the loopback
#   relay_conf FILE PORT SPORT
#                             the second councild's configuration: this
#                             tree, the suite's database, on PORT, sending
#                             through the relay on SPORT (the caller
#                             appends its transport's keys)
wait_for() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 1
	done
	return 1
}
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
relay_conf() {
	cat >"$1" <<CONF
listen_address = 127.0.0.1
listen_port = $2
web_root = "$ROOT/web"
template_root = "$ROOT/templates"
locale_root = "$ROOT/po"
db_conninfo = "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_app)"
db_signin_conninfo = "$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_signin)"
mail_from = "Council Portal <noreply@portal.example>"
public_url = "https://portal.example"
smtp_host = "127.0.0.1"
smtp_port = $3
smtp_timeout = 5
mail_retry_base = 1
mail_retry_max = 2
mail_lease = 5
CONF
}
