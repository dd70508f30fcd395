#!/usr/bin/env bash
# deploy/run-demo.sh: the README's first command.  On a fresh Debian 12
# machine (as root): installs what is missing, builds, starts the project's
# own PostgreSQL under var/pg, migrates, loads the demo council and starts
# councild in the background.  Prints the URL and the demo sign-ins.
# Idempotent: a second run rebuilds what changed and restarts councild.
#   COUNCIL_PORT   port to listen on (default 8080)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PORT=${COUNCIL_PORT:-8080}
PGDIR=$ROOT/var/pg
RUN=$ROOT/var/run
LOG=$ROOT/var/log
mkdir -p "$RUN" "$LOG"

"$ROOT/deploy/install-deps.sh"
BUILD=$(council_build demo)

say "PostgreSQL (var/pg)"
"$ROOT/deploy/pg.sh" start "$PGDIR"
OWNER_DSN=$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_owner)
say "migrate"
"$BUILD/server/councilctl" -d "$OWNER_DSN" -r "$ROOT" migrate >"$LOG/migrate.log"
# A new database starts a new chain: the checkpoints of an earlier one
# (after "deploy/pg.sh destroy") are kept aside, not verified against it.
if grep -q '^applied 0001_' "$LOG/migrate.log" && [ -s "$ROOT/var/audit-checkpoints" ]; then
	mv "$ROOT/var/audit-checkpoints" "$ROOT/var/audit-checkpoints.$(date -u +%Y%m%dT%H%M%SZ)"
fi
say "demo council"
"$BUILD/server/councilctl" -d "$OWNER_DSN" -r "$ROOT" seed-demo >>"$LOG/migrate.log"

if [ -f "$RUN/councild.pid" ] && kill -0 "$(cat "$RUN/councild.pid")" 2>/dev/null; then
	say "stopping the running councild"
	kill -TERM "$(cat "$RUN/councild.pid")"
	for _ in $(seq 1 100); do
		kill -0 "$(cat "$RUN/councild.pid")" 2>/dev/null || break
		sleep 0.1
	done
fi

council_config "$ROOT/var/councild.conf" "$PORT" "$PGDIR"
say "councild (log: var/log/councild.log)"
: >"$LOG/councild.log"
setsid "$BUILD/server/councild" -c "$ROOT/var/councild.conf" \
	</dev/null >/dev/null 2>>"$LOG/councild.log" &
echo $! >"$RUN/councild.pid"
for _ in $(seq 1 100); do
	grep -q 'msg=listening' "$LOG/councild.log" && break
	kill -0 "$(cat "$RUN/councild.pid")" 2>/dev/null \
		|| { cat "$LOG/councild.log" >&2; die "councild did not start"; }
	sleep 0.1
done
grep -q 'msg=listening' "$LOG/councild.log" || die "councild did not start"
curl -fsS --max-time 5 "http://127.0.0.1:$PORT/healthz" >/dev/null \
	|| die "councild does not answer /healthz"

cat <<TXT

Council Portal is running:  http://127.0.0.1:$PORT/
  (English: http://127.0.0.1:$PORT/?lang=en; health: /healthz)

Demo sign-ins (password for every demo account: council-demo-2026).
Members with no "handler" and no council role go straight in.  The
others set up a second factor at their first sign-in: they need the
enrolment code printed below (in production an administrator of their
organisation or the secretariat issues it on /settings/org), then type
the secret shown into any TOTP app, and keep the recovery codes.
TXT
PGPASSFILE=$PGDIR/passfile psql -X -qAt -F ' | ' "$OWNER_DSN" -c "
	SELECT format('%-44s', p.email), o.name_en || ' (' || o.name_ja || ')',
	       concat_ws(', ', o.council_role::text,
	                 CASE WHEN c.is_chair THEN 'committee chair'
	                      WHEN c.person_id IS NOT NULL THEN 'committee' END,
	                 CASE WHEN o.tf_class <> 'none' THEN 'TF ' || o.tf_class END,
	                 CASE WHEN h.id IS NOT NULL THEN 'handler' END)
	FROM council.people p
	JOIN council.organisations o ON o.id = p.org_id
	LEFT JOIN council.committee_members c ON c.person_id = p.id
	LEFT JOIN council.handler_registrations h
	       ON h.person_id = p.id AND h.deregistered_at IS NULL
	WHERE ((p.is_org_admin OR c.is_chair) AND p.active)
	   OR p.id = (SELECT min(x.id) FROM council.people x
	              JOIN council.organisations xo ON xo.id = x.org_id
	              WHERE x.active AND xo.status = 'member' AND xo.council_role IS NULL
	                AND NOT EXISTS (SELECT 1 FROM council.handler_registrations xh
	                                WHERE xh.person_id = x.id AND xh.deregistered_at IS NULL)
	                AND NOT EXISTS (SELECT 1 FROM council.committee_members xc
	                                WHERE xc.person_id = x.id))
	ORDER BY h.id IS NULL AND o.council_role IS NULL AND c.person_id IS NULL DESC,
	         o.council_role NULLS LAST, c.is_chair DESC NULLS LAST,
	         o.tf_class DESC, o.id
	LIMIT 13" | tee "$RUN/demo-signins.txt" | sed 's/^/  /'
# Enrolment codes (issue 10 item 5) for the listed people who need one.
codes=$(cut -d'|' -f1 "$RUN/demo-signins.txt" | while read -r email; do
	"$BUILD/server/councilctl" -d "$OWNER_DSN" enrol-token "$email" 7 2>/dev/null
done)
if [ -n "$codes" ]; then
	printf '\nEnrolment codes for the second factor (one use each, valid 7 days;\n'
	printf 'run deploy/run-demo.sh again for new ones):\n'
	printf '%s\n' "$codes" | sed 's/^/  /'
fi
cat <<TXT

Stop:  kill \$(cat var/run/councild.pid); deploy/pg.sh stop
Tests: deploy/test.sh
TXT
