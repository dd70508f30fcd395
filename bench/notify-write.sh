#!/usr/bin/env bash
# bench/notify-write.sh: what the notifications of the sharing work
# (issue 17) cost a new post.  council.create_post ends by telling the
# people who read the post (council.notify_post_created: one row each,
# written only for those whose settings ask and who read it,
# council.person_sees_post).  Two pgbench runs, interleaved ROUNDS times,
# one client, prepared, DURATION seconds each, every transaction rolled
# back (the cluster is left as it was):
#   told     a member's report to all members, as councild sends it
#   untold   the same, with every person's "new in scope" switched off
#            for the run: the same work without the notifications' rows
#            (the audience is still read, to find nobody to tell)
#   floor    the same number of notification rows inserted bare by
#            council_owner, nothing checked: the cheapest write of them
# Prints the mean latency of each (the median of the rounds), the rows a
# post writes, and the ratio told / untold.
#
# Usage: bench/notify-write.sh PGDIR   (a cluster of deploy/pg.sh with the
#        demo council, e.g. a sandbox: tests/dev.sh NAME env)
#   DURATION (default 5), ROUNDS (default 3)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGDIR=${1:?usage: bench/notify-write.sh PGDIR}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
T=$(mktemp -d "${TMPDIR:-/tmp}/notify-write.XXXXXX")
sql() { "$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -c "$1"; }

# A registered handler of a plain member, which may post to all members.
PID=$(sql "SELECT p.id FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	JOIN council.handler_registrations h ON h.person_id = p.id AND h.deregistered_at IS NULL
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND NOT o.restricted
	ORDER BY p.id LIMIT 1")
[ -n "$PID" ] || { echo "no member handler in $PGDIR" >&2; exit 1; }
TOK=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
sql "INSERT INTO council.sessions (token_hash, person_id, expires_at, kind)
	VALUES (sha256(convert_to('$TOK', 'UTF8')), $PID, now() + interval '1 hour', 'web')" >/dev/null
H=$(printf '%s' "$TOK" | sha256sum | cut -c1-64)
# Whose "new in scope" is on now: put back as it was, whatever happens.
sql "SELECT id FROM council.people WHERE notify_new_in_scope" >"$T/on"
restore() {
	[ -s "$T/on" ] && sql "UPDATE council.people SET notify_new_in_scope = true
		WHERE id IN ($(paste -sd, "$T/on"))" >/dev/null
	sql "UPDATE council.sessions SET revoked_at = now() WHERE token_hash = sha256(convert_to('$TOK', 'UTF8'))" >/dev/null
	rm -rf "$T"
}
trap restore EXIT

POST="council.create_post('report', 'bench notify-write', 'b', false, false, '[{\"class\": \"all_members\"}]'::jsonb)"
printf 'BEGIN;\nSELECT set_config(%s, %s, true);\nSELECT %s;\nROLLBACK;\n' "'council.session'" "'$H'" "$POST" >"$T/post.sql"
# The rows one such post writes (counted in a transaction rolled back).
printf "BEGIN;\nSELECT set_config('council.session', '%s', true) \\g /dev/null\nCREATE TEMP TABLE bench_x AS SELECT %s AS id;\nSELECT count(*) FROM council.notifications WHERE post_id = (SELECT id FROM bench_x);\nROLLBACK;\n" \
    "$H" "$POST" >"$T/rows.sql"
ROWS=$("$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -f "$T/rows.sql")

printf "BEGIN;\nINSERT INTO council.notifications (person_id, kind, subject_ja, subject_en, link, dedupe) SELECT id, 'post.new', 's', 's', '/posts/0', 'bench:' || id FROM council.people WHERE active ORDER BY id LIMIT %s;\nROLLBACK;\n" \
    "${ROWS:-0}" >"$T/floor.sql"

run() {	# run NAME FILE USER: mean latency in ms
	pgbench -n -M prepared -c 1 -j 1 -T "$DURATION" -f "$T/$2.sql" \
	    "host=$PGDIR/run user=$3 passfile=$PGDIR/passfile dbname=council" 2>&1 |
	    sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' >>"$T/$1"
}
for _ in $(seq 1 "$ROUNDS"); do
	run told post council_app
	sql "UPDATE council.people SET notify_new_in_scope = false WHERE notify_new_in_scope" >/dev/null
	run untold post council_app
	sql "UPDATE council.people SET notify_new_in_scope = true WHERE id IN ($(paste -sd, "$T/on"))" >/dev/null
	run floor floor council_owner
done
med() { sort -n "$T/$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "person $PID; $(wc -l <"$T/on") of $(sql "SELECT count(*) FROM council.people") people want new posts in scope; a post to all members tells $ROWS"
printf 'told    %s ms\nuntold  %s ms\nfloor   %s ms\n' "$(med told)" "$(med untold)" "$(med floor)"
awk -v a="$(med told)" -v b="$(med untold)" -v f="$(med floor)" -v r="${ROWS:-0}" \
    'BEGIN { printf "told / untold %.2f; told - untold %.3f ms (%.3f ms a row); floor %.3f ms (%.3f ms a row)\n", a / b, a - b, (a - b) / (r ? r : 1), f, f / (r ? r : 1) }'
