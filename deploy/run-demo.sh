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
  (English: http://127.0.0.1:$PORT/?lang=en, or a browser set to English;
  health: /healthz)

Demo sign-ins, one per persona (password for every demo account:
council-demo-2026).  "2FA: no" goes straight in.  "2FA: at first
sign-in" (registered handlers, JPCERT/CC, NISC, the committee) sets up a
second factor first: it needs the enrolment code printed below (in
production an administrator of the organisation or the secretariat
issues it on /settings/org), then the secret shown goes into any TOTP
app, and the recovery codes are kept.
TXT
PGPASSFILE=$PGDIR/passfile psql -X -qAt -F ' | ' "$OWNER_DSN" -c "
	WITH people AS (
	    SELECT p.id, p.email, o.name_en || ' (' || o.name_ja || ')' AS org,
	           o.council_role, o.tf_class, o.status, p.is_org_admin,
	           c.is_chair, c.person_id IS NOT NULL AS committee,
	           h.id IS NOT NULL AS handler, council.auth_needs_totp(p.id) AS totp
	    FROM council.people p
	    JOIN council.organisations o ON o.id = p.org_id
	    LEFT JOIN council.committee_members c ON c.person_id = p.id
	    LEFT JOIN council.handler_registrations h
	           ON h.person_id = p.id AND h.deregistered_at IS NULL
	    WHERE p.active AND p.password_hash IS NOT NULL AND o.status = 'member'),
	personas(n, persona, id) AS (
	    SELECT 1, 'general member', (SELECT min(id) FROM people WHERE council_role IS NULL
	        AND tf_class = 'none' AND NOT handler AND NOT committee AND NOT is_org_admin)
	    UNION ALL SELECT 2, 'task force Type 1 analyst', (SELECT min(id) FROM people
	        WHERE council_role IS NULL AND tf_class = 'type1' AND NOT handler AND NOT committee)
	    UNION ALL SELECT 3, 'task force Type 2 member', (SELECT min(id) FROM people
	        WHERE council_role IS NULL AND tf_class = 'type2' AND NOT handler AND NOT committee)
	    UNION ALL SELECT 4, 'registered handler (secrets)', (SELECT id FROM people
	        WHERE council_role IS NULL AND handler AND NOT committee
	        ORDER BY is_org_admin, id LIMIT 1)
	    UNION ALL SELECT 5, 'organisation administrator', (SELECT id FROM people
	        WHERE council_role IS NULL AND is_org_admin AND NOT committee
	        ORDER BY handler, id LIMIT 1)
	    UNION ALL SELECT 6, 'JPCERT/CC coordinator', (SELECT min(id) FROM people
	        WHERE council_role = 'coordinator')
	    UNION ALL SELECT 7, 'NISC secretariat', (SELECT min(id) FROM people
	        WHERE council_role = 'secretariat')
	    UNION ALL SELECT 8, 'steering committee chair', (SELECT min(id) FROM people
	        WHERE is_chair))
	SELECT format('%-44s', x.email), format('%-29s', r.persona),
	       CASE WHEN x.totp THEN '2FA: at first sign-in' ELSE '2FA: no' END, x.org
	FROM personas r JOIN people x ON x.id = r.id
	ORDER BY r.n" | tee "$RUN/demo-signins.txt" | sed 's/^/  /'
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

E-mail the portal sends (notifications, the audit anchor) is written to
var/mail/ (a Maildir: one file a message), never sent.

Stop:  kill \$(cat var/run/councild.pid); deploy/pg.sh stop
Tests: deploy/test.sh
TXT
