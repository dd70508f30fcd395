#!/usr/bin/env bash
# Black-box tests of groups made in the portal (issue 13 item 10; R-NEW-2)
# through the JSON API: the coordinator creates an ad-hoc group, a general
# member cannot; the owner adds members, another member cannot; a member
# names the group as a post's scope; a member added reads the post at
# once, a member removed stops at once; a member outside the group does
# not see it, and naming it fails like an absent group.  Then the page
# (Japanese first): who sees which group and which forms, a refused
# creation keeps what was typed and stores nothing, creation and members
# changed from the page, a hidden group's form answers like an absent
# one's (404).
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
# ---- The page (Japanese first). ----------------------------------------------------------------
W_COORD=$(session "$COORD" web); W_BANK=$(session "$BANK" web); W_OUT=$(session "$OUT" web)
ngroups() { sql "SELECT count(*) FROM council.groups"; }
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
page w0 "$W_BANK" /groups
c0=$code
page w1 "$W_OUT" /groups
tap_is "$c0 $(grep -c "id=\"group-$G\"" "$T/w0") $(grep -c 'action="/groups"' "$T/w0") $code $(grep -c "id=\"group-$G\"" "$T/w1")" "200 1 0 200 0" \
	"R-NEW-2: a member sees its group on the page (without the creation form); an organisation outside does not"
tap_is "$(grep -c "action=\"/groups/$G\"" "$T/w0")" 0 "R-NEW-2: ... and a member that does not own it gets no form to change its members"
page w2 "$W_COORD" /groups
tap_is "$code $(grep -c 'action="/groups"' "$T/w2") $(grep -o "action=\"/groups/$G\"" "$T/w2" | wc -l)" "200 1 $(( $(sql "SELECT count(*) FROM council.group_members WHERE group_id = ${G:-0}") + 1 ))" \
	"R-NEW-2: the coordinator gets the creation form, and for the group it owns a form to add and one to remove each member"
n0=$(ngroups)
SLUG2="grp-page-$$"
form c4 "$W_COORD" /groups --data-urlencode "csrf=$(csrf "$W_COORD")" --data-urlencode kind=sector \
	--data-urlencode "name_ja=分野別（試験 $$）" --data-urlencode "name_en=Sector (test $$)" --data-urlencode "slug=Bad Slug"
tap_is "$code $(grep -c 'role="alert">識別子は英小文字' "$T/c4") $(grep -c "value=\"分野別（試験 $$）\"" "$T/c4") $(grep -c 'value="sector" selected="selected"' "$T/c4") $(ngroups)" \
	"422 1 1 1 $n0" "R-NEW-2: the creation form refuses a bad identifier, says why, keeps what was typed, stores nothing"
form c5 "$W_BANK" /groups --data-urlencode "csrf=$(csrf "$W_BANK")" --data-urlencode kind=adhoc \
	--data-urlencode "name_ja=銀行の臨時 $$" --data-urlencode "name_en=bank $$" --data-urlencode "slug=$SLUG2"
tap_is "$code $(ngroups)" "403 $n0" "R-NEW-2: a general member's creation from the page is refused"
form c6 "$W_COORD" /groups --data-urlencode "csrf=$(csrf "$W_COORD")" --data-urlencode kind=sector \
	--data-urlencode "name_ja=分野別（試験 $$）" --data-urlencode "name_en=Sector (test $$)" --data-urlencode "slug=$SLUG2"
G2=$(sql "SELECT id FROM council.groups WHERE slug = '$SLUG2'")
tap_is "$code $loc $(sql "SELECT kind FROM council.groups WHERE id = ${G2:-0}")" "303 /groups sector" "R-NEW-2: the coordinator creates a sector group from the page"
form a6 "$W_COORD" "/groups/$G2" --data-urlencode "csrf=$(csrf "$W_COORD")" --data-urlencode action=add --data-urlencode "org=$O_BANK"
page_done w3 "$W_BANK" /groups groups.added
tap_is "$code $(grep -c "id=\"group-$G2\"" "$T/w3") $(sql "SELECT count(*) FROM council.group_members WHERE group_id = ${G2:-0} AND org_id = $O_BANK")" "200 1 1" \
	"R-NEW-2: the coordinator adds the bank from the page; the bank sees the group at once"
form a7 "$W_COORD" "/groups/$G2" --data-urlencode "csrf=$(csrf "$W_COORD")" --data-urlencode action=add --data-urlencode "org=999999999"
tap_is "$code $(grep -c 'role="alert">構成員である組織を選んでください。' "$T/a7") $(sql "SELECT count(*) FROM council.group_members WHERE group_id = ${G2:-0}")" "422 1 1" \
	"R-NEW-2: adding an organisation that is not a member is refused, nothing changed"
form a8 "$W_BANK" "/groups/$G2" --data-urlencode "csrf=$(csrf "$W_BANK")" --data-urlencode action=remove --data-urlencode "org=$O_BANK"
tap_is "$code $(grep -c 'role="alert">メンバーを変更できるのは' "$T/a8") $(sql "SELECT count(*) FROM council.group_members WHERE group_id = ${G2:-0}")" "403 1 1" \
	"R-NEW-2: a member does not change the members from the page"
form a9 "$W_OUT" "/groups/$G2" --data-urlencode "csrf=$(csrf "$W_OUT")" --data-urlencode action=add --data-urlencode "org=$O_BANK"
c1=$code
form a9x "$W_OUT" "/groups/99999999" --data-urlencode "csrf=$(csrf "$W_OUT")" --data-urlencode action=add --data-urlencode "org=$O_BANK"
tap_is "$c1 $(nr a9 | md5sum)" "$code $(nr a9x | md5sum)" "R-NEW-2: a group one cannot see answers the page's form like an absent group (404, same page)"
form a10 "$W_COORD" "/groups/$G2" --data-urlencode "csrf=$(csrf "$W_COORD")" --data-urlencode action=remove --data-urlencode "org=$O_BANK"
page w4 "$W_BANK" /groups
tap_is "$code $(grep -c "id=\"group-$G2\"" "$T/w4")" "200 0" "R-NEW-2: removed from the page, the bank no longer sees the group, at once"
tap_done
