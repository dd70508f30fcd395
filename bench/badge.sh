#!/usr/bin/env bash
# bench/badge.sh: what the header's unread badge (issue 17) costs every
# page.  Every signed-in page reads the caller's identity in one statement
# (server/kit/caller.c, CALLER_WHOAMI_SQL); the badge adds a sub-select
# counting the caller's unread notifications (at most CALLER_UNREAD_CAP)
# under their policy (policy/77_notifications.sql).  Three pgbench runs,
# interleaved ROUNDS times, one client, prepared, DURATION seconds each:
#   bare     the identity statement without the count (before issue 17)
#   badge    the identity statement as councild sends it now
#   floor    the same count read bare by council_owner, no identity: the
#            cheapest read of the same rows
# for the person with the most unread notifications in the cluster.
# Prints the mean latency of each (the median of the rounds) and the
# ratio badge / bare.
#
# Usage: bench/badge.sh PGDIR   (a cluster of deploy/pg.sh with the demo
#        council and some notifications, e.g. a sandbox: tests/dev.sh NAME
#        env, after tests/http/notify.sh has run against it)
#   DURATION (default 5), ROUNDS (default 3)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGDIR=${1:?usage: bench/badge.sh PGDIR}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
T=$(mktemp -d "${TMPDIR:-/tmp}/badge.XXXXXX")
trap 'rm -rf "$T"' EXIT
sql() { "$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -c "$1"; }

PID=$(sql "SELECT person_id FROM council.notifications n JOIN council.people p ON p.id = n.person_id
	WHERE n.read_at IS NULL AND p.active GROUP BY person_id ORDER BY count(*) DESC LIMIT 1")
[ -n "$PID" ] || { echo "no unread notification in $PGDIR" >&2; exit 1; }
TOK=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
sql "INSERT INTO council.sessions (token_hash, person_id, expires_at, kind)
	VALUES (sha256(convert_to('$TOK', 'UTF8')), $PID, now() + interval '1 hour', 'web')" >/dev/null
H=$(printf '%s' "$TOK" | sha256sum | cut -c1-64)
CAP=$(sed -n 's/^#define CALLER_UNREAD_CAP_S[[:space:]]*"\([0-9]*\)"/\1/p' "$ROOT/server/kit/caller.h")
WHO="SELECT p.name_ja, p.name_en, o.name_ja, o.name_en, council.session_touch(), p.lang, p.is_org_admin"
FROM="FROM council.me m JOIN council.people p ON p.id = m.person_id JOIN council.organisations o ON o.id = m.org_id"
COUNT="(SELECT count(*) FROM (SELECT 1 FROM council.notifications n WHERE n.read_at IS NULL LIMIT $CAP) u)"
printf 'BEGIN;\nSELECT set_config(%s, %s, true);\n%s %s;\nCOMMIT;\n' "'council.session'" "'$H'" "$WHO" "$FROM" >"$T/bare.sql"
printf 'BEGIN;\nSELECT set_config(%s, %s, true);\n%s, %s %s;\nCOMMIT;\n' "'council.session'" "'$H'" "$WHO" "$COUNT" "$FROM" >"$T/badge.sql"
printf 'SELECT count(*) FROM (SELECT 1 FROM council.notifications n WHERE n.person_id = %s AND n.read_at IS NULL LIMIT %s) u;\n' "$PID" "$CAP" >"$T/floor.sql"

run() {	# run NAME USER: mean latency in ms
	pgbench -n -M prepared -c 1 -j 1 -T "$DURATION" -f "$T/$1.sql" \
	    "host=$PGDIR/run user=$2 passfile=$PGDIR/passfile dbname=council" 2>&1 |
	    sed -n 's/^latency average = \([0-9.]*\) ms/\1/p'
}
for _ in $(seq 1 "$ROUNDS"); do
	run bare council_app >>"$T/bare"
	run badge council_app >>"$T/badge"
	run floor council_owner >>"$T/floor"
done
med() { sort -n "$T/$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "person $PID, $(sql "SELECT count(*) FROM council.notifications WHERE person_id = $PID AND read_at IS NULL") unread, cap $CAP"
printf 'bare   %s ms\nbadge  %s ms\nfloor  %s ms\n' "$(med bare)" "$(med badge)" "$(med floor)"
awk -v a="$(med badge)" -v b="$(med bare)" -v f="$(med floor)" \
    'BEGIN { printf "badge / bare %.2f; badge - bare %.3f ms; floor %.3f ms\n", a / b, a - b, f }'
sql "UPDATE council.sessions SET revoked_at = now() WHERE token_hash = sha256(convert_to('$TOK', 'UTF8'))" >/dev/null
