#!/usr/bin/env bash
# tests/ops/migrate.sh PGDIR: councilctl migrate and seed-demo against a
# real cluster, as deploy/test.sh runs them.  Needs COUNCILCTL and
# COUNCIL_OWNER_DSN.  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
PGDIR=$1
T=$(mktemp -d "${TMPDIR:-/tmp}/council-migrate.XXXXXX")
trap 'rm -rf "$T"' EXIT

psql_owner() {
	psql -X -qAt "$COUNCIL_OWNER_DSN" -c "$1" 2>&1
}

out=$("$COUNCILCTL" -r "$ROOT" migrate 2>&1); rc=$?
tap_ok "$rc" "migrate applies every migration and policy on an empty database"
tap_like "$out" '^applied 0001_foundation.sql$' "migrate names what it applied"
tap_like "$out" '^policy 90_owner.sql$' "migrate re-applies the policies"

out=$("$COUNCILCTL" -r "$ROOT" migrate 2>&1); rc=$?
tap_ok "$rc" "migrate runs a second time without error (idempotent)"
tap_unlike "$out" '^applied ' "a second migrate applies no migration again"

n=$(psql_owner "SELECT count(*) FROM council_meta.schema_migrations")
tap_is "$n" "$(ls "$ROOT"/migrations/[0-9][0-9][0-9][0-9]_*.sql | wc -l)" \
	"every migration is recorded once"

# policy/ is the whole truth (issue 11 item 4, policy/00_reset.sql): every
# policy of schema council is dropped and created again in one pass, in
# one transaction.
policies="SELECT count(*) || ' ' || md5(string_agg(tablename || ' ' || policyname || ' ' || permissive || ' ' || cmd || ' ' || roles::text || ' ' || coalesce(qual, '') || ' ' || coalesce(with_check, ''), E'\n' ORDER BY tablename, policyname)) FROM pg_policies WHERE schemaname = 'council'"
before=$(psql_owner "$policies")
tap_unlike "$before" '^0 ' "the policy files create policies"
n=$(psql_owner "SELECT count(*) FROM pg_policies WHERE schemaname = 'council' AND (policyname IN ('definer_read', 'recovery_codes_none') OR (policyname = 'identity_read' AND tablename <> 'sessions') OR (policyname = 'ga_members_read' AND tablename = 'ga_representatives'))")
tap_is "$n" 0 "no policy that policy/ no longer creates survives a migrate (the old tombstones' policies are gone)"
psql_owner "CREATE POLICY stray_by_hand ON council.posts FOR SELECT TO council_app USING (true)" >/dev/null
out=$("$COUNCILCTL" -r "$ROOT" migrate 2>&1); rc=$?
tap_ok "$rc" "migrate runs again over a policy made by hand"
n=$(psql_owner "SELECT count(*) FROM pg_policies WHERE schemaname = 'council' AND policyname = 'stray_by_hand'")
tap_is "$n" 0 "a policy that no file of policy/ creates is dropped by the next migrate"
tap_is "$(psql_owner "$policies")" "$before" \
	"each migrate leaves exactly the same policies (names, tables, roles, expressions)"

# A policy file that fails rolls the whole pass back: the policies dropped
# by 00_reset.sql are all still there, so are the owner's rights, and no
# policy file is reported as applied.
mkdir -p "$T/broken"
cp -R "$ROOT/migrations" "$ROOT/policy" "$T/broken/"
printf 'SELECT 1/0;\n' >"$T/broken/policy/95_broken.sql"
psql_owner "CREATE POLICY stray_by_hand ON council.posts FOR SELECT TO council_app USING (true)" >/dev/null
out=$("$COUNCILCTL" -r "$T/broken" migrate 2>&1); rc=$?
tap_is "$rc" 1 "a failing policy file fails the run"
tap_like "$out" '95_broken.sql' "the failure names the policy file"
tap_unlike "$out" '^policy ' "no policy file is reported applied when one of them fails"
n=$(psql_owner "SELECT count(*) FROM pg_policies WHERE schemaname = 'council' AND policyname = 'stray_by_hand'")
tap_is "$n" 1 "the reset of a failed pass is rolled back with it (one transaction)"
psql_owner "DROP POLICY stray_by_hand ON council.posts" >/dev/null
tap_is "$(psql_owner "$policies")" "$before" "after a failed pass every policy is still in force"
n=$(psql_owner "SELECT count(*) FROM council.decision_rules")
tap_unlike "$n" '^0$' "the owner still reads its tables after a failed pass (owner_admin stayed)"

# A landed migration that changed: refused, and nothing else is applied.
mkdir -p "$T/tamper"
cp -R "$ROOT/migrations" "$ROOT/policy" "$T/tamper/"
echo "-- edited after landing" >>"$T/tamper/migrations/0001_foundation.sql"
printf 'CREATE TABLE council.sneaky (id int);\n' >"$T/tamper/migrations/9999_sneaky.sql"
out=$("$COUNCILCTL" -r "$T/tamper" migrate 2>&1); rc=$?
tap_is "$rc" 1 "migrate refuses to run when a landed migration changed"
tap_like "$out" '0001_foundation.sql changed after it was applied' \
	"the refusal names the changed file"
n=$(psql_owner "SELECT count(*) FROM pg_tables WHERE tablename = 'sneaky'")
tap_is "$n" 0 "nothing was applied after the refusal"

# A landed migration whose file disappeared: refused.
rm -rf "$T/tamper"; mkdir -p "$T/tamper"
cp -R "$ROOT/migrations" "$ROOT/policy" "$T/tamper/"
rm "$T/tamper/migrations/0001_foundation.sql"
out=$("$COUNCILCTL" -r "$T/tamper" migrate 2>&1); rc=$?
tap_is "$rc" 1 "migrate refuses to run when a landed migration is missing"
tap_like "$out" 'was applied but its file is missing' "the refusal says so"

# A failing migration rolls back entirely and is not recorded.
rm -rf "$T/tamper"; mkdir -p "$T/tamper"
cp -R "$ROOT/migrations" "$ROOT/policy" "$T/tamper/"
printf 'CREATE TABLE council.half (id int);\nSELECT 1/0;\n' >"$T/tamper/migrations/9998_broken.sql"
out=$("$COUNCILCTL" -r "$T/tamper" migrate 2>&1); rc=$?
tap_is "$rc" 1 "a failing migration fails the run"
n=$(psql_owner "SELECT count(*) FROM pg_tables WHERE tablename = 'half'")$(psql_owner "SELECT count(*) FROM council_meta.schema_migrations WHERE version = 9998")
tap_is "$n" "00" "a failing migration leaves no table and no record (own transaction)"

# A malformed name is refused before anything runs.
rm -rf "$T/tamper"; mkdir -p "$T/tamper"
cp -R "$ROOT/migrations" "$ROOT/policy" "$T/tamper/"
: >"$T/tamper/migrations/2_short.sql"
out=$("$COUNCILCTL" -r "$T/tamper" migrate 2>&1); rc=$?
tap_is "$rc" 1 "a malformed migration file name is refused"

out=$("$COUNCILCTL" -d "host=$PGDIR/run dbname=council user=nobody passfile=$PGDIR/passfile" -r "$ROOT" migrate 2>&1); rc=$?
tap_is "$rc" 1 "migrate with a bad connection fails"
tap_like "$out" 'cannot connect' "and says it cannot connect"

# The demo council.
out=$("$COUNCILCTL" -r "$ROOT" seed-demo 2>&1); rc=$?
tap_ok "$rc" "seed-demo loads the demo council"
before=$(psql_owner "SELECT (SELECT count(*) FROM council.organisations) || '/' || (SELECT count(*) FROM council.people) || '/' || (SELECT count(*) FROM council.handler_registrations)")
out=$("$COUNCILCTL" -r "$ROOT" seed-demo 2>&1); rc=$?
tap_ok "$rc" "seed-demo runs a second time without error"
after=$(psql_owner "SELECT (SELECT count(*) FROM council.organisations) || '/' || (SELECT count(*) FROM council.people) || '/' || (SELECT count(*) FROM council.handler_registrations)")
tap_is "$after" "$before" "seed-demo is idempotent (organisations/people/handlers)"
n=$(psql_owner "SELECT count(*) FROM council.people WHERE password_hash IS NULL OR password_hash NOT LIKE '\$s1\$110801\$%'")
tap_is "$n" 0 "every demo account has an scrypt N=2^17,r=8,p=1 password hash"

tap_done
