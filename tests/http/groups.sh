#!/usr/bin/env bash
# Black-box tests of groups made in the portal (issue 13 item 10; R-NEW-2)
# through the JSON API: the coordinator creates an ad-hoc group, a general
# member cannot; the owner adds members, another member cannot; a member
# names the group as a post's scope; a member added reads the post at
# once, a member removed stops at once; a member outside the group does
# not see it, and naming it fails like an absent group.
#
# Usage: tests/http/groups.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-grp.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active AND $HANDLER ORDER BY p.id LIMIT 1"; }
COORD=$(one "o.council_role = 'coordinator'")
BANK=$(one "o.slug = 'toto-bank'")
POWER=$(one "o.slug = 'toto-power'")
OUT=$(one "o.slug = 'finsec-isac'")
declare -A TOK
for e in "$COORD" "$BANK" "$POWER" "$OUT"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
done
org() { sql "SELECT id FROM council.organisations WHERE slug = '$1'"; }
O_BANK=$(org toto-bank); O_POWER=$(org toto-power)
SLUG="grp-test-$$"

api c0 "${TOK[$OUT]}" POST /api/v1/groups "{\"slug\":\"$SLUG\",\"name_ja\":\"試験\",\"name_en\":\"test\",\"kind\":\"adhoc\"}"
tap_is "$code $(cat "$T/c0")" '403 {"error" : "only_coordinator_or_secretariat"}' "R-NEW-2: a general member does not create groups"
api c1 "${TOK[$COORD]}" POST /api/v1/groups "{\"slug\":\"$SLUG\",\"name_ja\":\"臨時グループ（試験）\",\"name_en\":\"Ad-hoc (test)\",\"kind\":\"adhoc\"}"
G=$(json c1 'd["id"]')
tap_is "$code $(json c1 'd["kind"]')" "201 adhoc" "R-NEW-2: the coordinator creates an ad-hoc group"
api c2 "${TOK[$COORD]}" POST /api/v1/groups "{\"slug\":\"$SLUG\",\"name_ja\":\"x\",\"name_en\":\"x\",\"kind\":\"adhoc\"}"
api c3 "${TOK[$COORD]}" POST /api/v1/groups '{"slug":"Bad Slug","name_ja":"x","name_en":"x","kind":"adhoc"}'
tap_is "$code $(cat "$T/c3") $(cat "$T/c2")" '422 {"error" : "invalid_slug"} {"error" : "slug_taken"}' "a slug is checked and unique"

api a0 "${TOK[$BANK]}" POST "/api/v1/groups/$G" "{\"action\":\"add\",\"org\":$O_BANK}"
api a0x "${TOK[$BANK]}" POST "/api/v1/groups/99999999" "{\"action\":\"add\",\"org\":$O_BANK}"
tap_is "$code $(cat "$T/a0")" "404 $(cat "$T/a0x")" "R-NEW-2: a group the member cannot see answers like an absent one"
api a1 "${TOK[$COORD]}" POST "/api/v1/groups/$G" "{\"action\":\"add\",\"org\":$O_BANK}"
api a2 "${TOK[$COORD]}" POST "/api/v1/groups/$G" "{\"action\":\"add\",\"org\":$O_POWER}"
tap_is "$code $(json a2 'd["members"]')" "200 $(printf '%s\n' "$O_BANK" "$O_POWER" | sort -n | paste -sd, | sed 's/^/[/; s/$/]/; s/,/, /g')" \
	"R-NEW-2: the owner adds the bank and the power company"
api a3 "${TOK[$BANK]}" POST "/api/v1/groups/$G" "{\"action\":\"remove\",\"org\":$O_POWER}"
tap_is "$code $(cat "$T/a3")" '403 {"error" : "only_the_owner"}' "R-NEW-2: a member does not change the members"

api l1 "${TOK[$BANK]}" GET /api/v1/groups
api l2 "${TOK[$OUT]}" GET /api/v1/groups
tap_is "$(json l1 "sum(1 for g in d['groups'] if g['id'] == $G)") $(json l2 "sum(1 for g in d['groups'] if g['id'] == $G)")" "1 0" \
	"R-NEW-2: a member sees the group; an organisation outside it does not"

api p1 "${TOK[$BANK]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"grp-test $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"group\":$G}]}"
P=$(json p1 'd["id"]')
api r1 "${TOK[$POWER]}" GET "/api/v1/posts/$P"
c1=$code
api r2 "${TOK[$OUT]}" GET "/api/v1/posts/$P"
tap_is "$c1 $(json r1 'd["title"]') $code" "200 grp-test $$ 404" \
	"R-NEW-2: the group as a scope: a member reads the post, an organisation outside does not"
api x1 "${TOK[$OUT]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"grp-test out $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"group\":$G}]}"
api x2 "${TOK[$OUT]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"grp-test out $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"group\":99999999}]}"
tap_is "$code $(cat "$T/x1")" "404 $(cat "$T/x2")" "R-NEW-2: naming a group one is not in fails like naming an absent group"

api a4 "${TOK[$COORD]}" POST "/api/v1/groups/$G" "{\"action\":\"remove\",\"org\":$O_POWER}"
api r3 "${TOK[$POWER]}" GET "/api/v1/posts/$P"
tap_is "$code" 404 "R-NEW-2: removed from the group, the power company no longer reads the post, at once"
api a5 "${TOK[$COORD]}" POST "/api/v1/groups/$G" "{\"action\":\"add\",\"org\":$O_POWER}"
api r4 "${TOK[$POWER]}" GET "/api/v1/posts/$P"
tap_is "$code" 200 "R-NEW-2: added again, it reads it again, at once"
tap_is "$(sql "SELECT string_agg(action, ' ' ORDER BY id) FROM council.audit_log WHERE object_type = 'group' AND object_id = ${G:-0}")" \
	"group.create group.add group.add group.remove group.add" "every change is in the audit log (refusals and no-ops are not)"
tap_done
