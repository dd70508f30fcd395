#!/usr/bin/env bash
# Black-box tests of the organisations' scope presets (issue 15 item 1;
# R-SCOPE-1, R-SCOPE-2; policy/99_presets.sql, server/pages/presets.c):
# through the JSON API, a member creates a preset and reads it back with
# its TAXII collection's path; its own organisation lists it, another
# organisation and the coordinator do not; another organisation's preset
# answers a read and a deletion like an absent one; a scope create_post
# refuses is refused with create_post's own answer and nothing stored.
# Then the page (Japanese first): the list with the collection's address,
# creation from the form, a refusal that keeps what was typed and stores
# nothing, the form token and the same-site check, deletion asked first,
# a hidden preset's form answering like an absent one's, the settings
# page's link; every write in the audit log.
#
# Usage: tests/http/presets.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-presets.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

person() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active ORDER BY p.id LIMIT 1"; }
BANK=$(person "o.slug = 'toto-bank' AND NOT p.is_org_admin")
ADMIN=$(person "o.slug = 'toto-bank' AND p.is_org_admin")
POWER=$(person "o.slug = 'toto-power'")
COORD=$(person "o.council_role = 'coordinator'")
declare -A TOK WEB
for e in "$BANK" "$ADMIN" "$POWER" "$COORD"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
	WEB[$e]=$(session "$e" web) || { echo "Bail out! no session for $e"; exit 1; }
done
O_POWER=$(sql "SELECT id FROM council.organisations WHERE slug = 'toto-power'")
npresets() { sql "SELECT count(*) FROM council.scope_presets WHERE deleted_at IS NULL"; }
N="preset-$$"

# ---- The JSON API. ------------------------------------------------------------------------
api l0 "" GET /api/v1/scope-presets
tap_is "$code" 401 "nobody signed in reads no presets"
api c1 "${TOK[$ADMIN]}" POST /api/v1/scope-presets \
	"{\"name\":\"$N 電力\",\"scope\":[{\"org\":$O_POWER},{\"class\":\"coordinator\"}],\"exclusions\":[{\"investigative\":true}]}"
P=$(json c1 'd["id"]')
U=$(json c1 'd["uuid"]')
tap_is "$code $(json c1 'd["name"]') $(json c1 'd["collection"]')" "201 $N 電力 /taxii2/council/collections/$U/" \
	"a member (here its administrator) creates a preset through the API; it names its TAXII collection by its uuid"
tap_is "$(sql "SELECT org_id = (SELECT id FROM council.organisations WHERE slug = 'toto-bank') FROM council.scope_presets WHERE id = ${P:-0}")" t \
	"the preset is its organisation's"
api l1 "${TOK[$BANK]}" GET /api/v1/scope-presets
api l2 "${TOK[$POWER]}" GET /api/v1/scope-presets
api l3 "${TOK[$COORD]}" GET /api/v1/scope-presets
tap_is "$(json l1 "sum(1 for p in d['presets'] if p['id'] == $P)") $(json l2 "sum(1 for p in d['presets'] if p['id'] == $P)") $(json l3 "sum(1 for p in d['presets'] if p['id'] == $P)")" \
	"1 0 0" "its organisation lists it; another organisation does not, nor does the coordinator (even when the scope names them)"
api g1 "${TOK[$POWER]}" GET "/api/v1/scope-presets/$P"
c1=$code
api g2 "${TOK[$POWER]}" GET /api/v1/scope-presets/999999999
tap_is "$c1 $(cat "$T/g1")" "$code $(cat "$T/g2")" "another organisation's preset answers a read like an absent one"
tap_is "$c1" 404 "... which is 404"
api d1 "${TOK[$POWER]}" POST "/api/v1/scope-presets/$P" '{"action":"delete"}'
c1=$code
api d2 "${TOK[$POWER]}" POST /api/v1/scope-presets/999999999 '{"action":"delete"}'
tap_is "$c1 $(cat "$T/d1") $(sql "SELECT deleted_at IS NULL FROM council.scope_presets WHERE id = ${P:-0}")" "$code $(cat "$T/d2") t" \
	"... and a deletion like an absent one's, deleting nothing"
# The preset is a TAXII write collection of its organisation only
# (server/pages/taxii.c, policy/96_stix.sql read it under these policies).
taxii() {
	code=$(curl -sS --max-time 20 -o "$T/$1" -w '%{http_code}' -H "Authorization: Bearer $2" \
	    -H 'Accept: application/taxii+json;version=2.1' "$B$3" 2>/dev/null)
}
taxii t1 "${TOK[$BANK]}" "/taxii2/council/collections/$U/"
c1=$code
taxii t2 "${TOK[$POWER]}" "/taxii2/council/collections/$U/"
tap_is "$c1 $(json t1 'd["id"] + " " + str(d["can_read"]) + " " + str(d["can_write"])') $code" "200 $U False True 404" \
	"its organisation's TAXII write collection; another organisation's 404"
n0=$(npresets)
api x1 "${TOK[$BANK]}" POST /api/v1/scope-presets "{\"name\":\"$N x\",\"scope\":[{\"group\":999999999}]}"
c1=$code
api x2 "${TOK[$BANK]}" POST /api/v1/preview '{"kind":"report","title":"t","body":"b","secret":false,"scope":[{"group":999999999}]}'
tap_is "$c1 $(cat "$T/x1") $(npresets)" "$code $(cat "$T/x2") $n0" \
	"R-SCOPE-1: a scope create_post refuses is refused with its own answer, nothing stored"
api x3 "${TOK[$BANK]}" POST /api/v1/scope-presets "{\"name\":\"$N x\",\"scope\":[]}"
api x4 "${TOK[$BANK]}" POST /api/v1/scope-presets "{\"name\":\"$N 電力\",\"scope\":[{\"class\":\"all_members\"}]}"
tap_is "$(cat "$T/x3") $(cat "$T/x4") $code" '{"error" : "empty_scope"} {"error" : "preset_name_taken"} 409' \
	"an empty scope and a name the organisation uses are refused"
code=$(curl -sS --max-time 20 -o "$T/x5" -w '%{http_code}' -X POST -H "Cookie: $SC=${WEB[$BANK]}" -H "Origin: $B" \
	-H 'Content-Type: application/json' --data-binary "{\"name\":\"$N cookie\",\"scope\":[{\"class\":\"all_members\"}]}" \
	"$B/api/v1/scope-presets" 2>/dev/null)
tap_is "$code $(npresets)" "401 $n0" "an API write with a browser's cookie (no token) is refused: the page's form carries the form token"

# ---- The page (Japanese first). --------------------------------------------------------------
page w0 "${WEB[$BANK]}" /settings/presets
tap_is "$code $(grep -c "<h2 id=\"preset-$P-heading\">$N 電力</h2>" "$T/w0") $(grep -c "/taxii2/council/collections/$U/" "$T/w0") $(grep -c '共有範囲のプリセット' "$T/w0")" \
	"200 1 1 2" "the page lists the organisation's preset with its TAXII collection's address, in Japanese"
tap_is "$(grep -c "action=\"/settings/presets/$P\"" "$T/w0")" 0 "a person who did not create it (nor administers the organisation) gets no delete form"
page w1 "${WEB[$POWER]}" /settings/presets
tap_is "$code $(grep -c "$U" "$T/w1")" "200 0" "another organisation's page does not show it"
page w2 "${WEB[$BANK]}" /settings
tap_is "$(grep -c 'href="/settings/presets"' "$T/w2")" 1 "the settings page links to the presets"

n0=$(npresets)
form f1 "${WEB[$BANK]}" /settings/presets --data-urlencode "csrf=$(csrf "${WEB[$BANK]}")" \
	--data-urlencode "name=$N 空" --data-urlencode exclude=investigative
tap_is "$code $(grep -c 'role="alert">共有範囲を指定してください。' "$T/f1") $(grep -c "value=\"$N 空\"" "$T/f1") $(grep -c 'value="investigative" checked="checked"' "$T/f1") $(npresets)" \
	"422 1 1 1 $n0" "a form with no scope is refused, says why, keeps what was typed, stores nothing"
form f2 "${WEB[$BANK]}" /settings/presets --data-urlencode "csrf=$(csrf "${WEB[$BANK]}")" \
	--data-urlencode "name=$N 隠れ" --data-urlencode group=999999999
tap_is "$code $(grep -c 'role="alert">' "$T/f2") $(npresets)" "422 1 $n0" \
	"a group one cannot name is refused as create_post refuses it, nothing stored"
form f3 "${WEB[$BANK]}" /settings/presets --data-urlencode "name=$N token" --data-urlencode class=all_members
c1=$code
code=$(curl -sS --max-time 20 -o "$T/f4" -w '%{http_code}' -H "Cookie: $SC=${WEB[$BANK]}" \
	-H "Origin: https://attacker.example" --data-urlencode "csrf=$(csrf "${WEB[$BANK]}")" \
	--data-urlencode "name=$N xsite" --data-urlencode class=all_members "$B/settings/presets" 2>/dev/null)
c2=$code
code=$(curl -sS --max-time 20 -o "$T/f5" -w '%{http_code}' -H "Cookie: $SC=${WEB[$BANK]}" \
	-H "Sec-Fetch-Site: cross-site" --data-urlencode "csrf=$(csrf "${WEB[$BANK]}")" \
	--data-urlencode "name=$N xsite" --data-urlencode class=all_members "$B/settings/presets" 2>/dev/null)
tap_is "$c1 $c2 $code $(npresets)" "403 403 403 $n0" \
	"a form without its form token, from another site's page (Origin, Sec-Fetch-Site) is refused, nothing stored"
form f6 "${WEB[$BANK]}" /settings/presets --data-urlencode "csrf=$(csrf "${WEB[$BANK]}")" \
	--data-urlencode "name=$N ページ" --data-urlencode class=type1_group --data-urlencode "org=$O_POWER" \
	--data-urlencode exclude=investigative
P2=$(sql "SELECT id FROM council.scope_presets WHERE name = '$N ページ' AND deleted_at IS NULL")
tap_is "$code $loc $(sql "SELECT scope::text || ' ' || exclusions::text FROM council.scope_presets WHERE id = ${P2:-0}")" \
	"303 /settings/presets [{\"class\": \"type1_group\"}, {\"org\": $O_POWER}] [{\"investigative\": true}]" \
	"the form creates a preset with the checked scope and exclusions"
page_done w3 "${WEB[$BANK]}" /settings/presets presets.created
tap_is "$code $(status_of w3) $(grep -c "action=\"/settings/presets/$P2\"" "$T/w3")" "200 プリセットを保存しました。 1" \
	"the page says it once, and its creator gets the delete form"

# Deleting: asked first; a hidden preset answers like an absent one.
form e1 "${WEB[$POWER]}" "/settings/presets/$P2" --data-urlencode "csrf=$(csrf "${WEB[$POWER]}")" --data-urlencode action=delete
c1=$code
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
form e2 "${WEB[$POWER]}" /settings/presets/999999999 --data-urlencode "csrf=$(csrf "${WEB[$POWER]}")" --data-urlencode action=delete
tap_is "$c1 $(nr e1 | md5sum)" "$code $(nr e2 | md5sum)" "another organisation's preset answers the page's form like an absent one (same page)"
form e3 "${WEB[$POWER]}" "/settings/presets/$P2" --data-urlencode "csrf=$(csrf "${WEB[$POWER]}")" --data-urlencode action=delete \
	--data-urlencode confirm=yes
tap_is "$c1 $code $(sql "SELECT deleted_at IS NULL FROM council.scope_presets WHERE id = ${P2:-0}")" "404 404 t" \
	"... 404, confirmed or not, and nothing is deleted"
form e4 "${WEB[$BANK]}" "/settings/presets/$P2" --data-urlencode "csrf=$(csrf "${WEB[$BANK]}")" --data-urlencode action=delete
tap_is "$code $(grep -q 'このプリセットを削除しますか？' "$T/e4" && echo 1) $(grep -c 'name="confirm" value="yes"' "$T/e4") $(sql "SELECT deleted_at IS NULL FROM council.scope_presets WHERE id = ${P2:-0}")" \
	"200 1 1 t" "deleting is asked first; asking deletes nothing"
form e5 "${WEB[$BANK]}" "/settings/presets/$P2" --data-urlencode "csrf=$(csrf "${WEB[$BANK]}")" --data-urlencode action=delete \
	--data-urlencode confirm=yes
tap_is "$code $loc $(sql "SELECT deleted_at IS NOT NULL FROM council.scope_presets WHERE id = ${P2:-0}")" "303 /settings/presets t" \
	"confirmed, its creator deletes it"
page w4 "${WEB[$BANK]}" /settings/presets
api g3 "${TOK[$BANK]}" GET "/api/v1/scope-presets/$P2"
tap_is "$(grep -c "preset-$P2-heading" "$T/w4") $code" "0 404" "a deleted preset is gone from the page and the API"
taxii t3 "${TOK[$BANK]}" "/taxii2/council/collections/$(sql "SELECT uuid FROM council.scope_presets WHERE id = ${P2:-0}")/"
tap_is "$code" 404 "... and its TAXII collection is gone"

# The first preset: the administrator's; a colleague who did not create
# it cannot delete it, the administrator can.
form e6 "${WEB[$BANK]}" "/settings/presets/$P" --data-urlencode "csrf=$(csrf "${WEB[$BANK]}")" --data-urlencode action=delete \
	--data-urlencode confirm=yes
tap_is "$code $(grep -c 'role="alert">削除できるのは作成者と組織の管理者だけです。' "$T/e6") $(sql "SELECT deleted_at IS NULL FROM council.scope_presets WHERE id = ${P:-0}")" \
	"403 1 t" "a colleague who did not create it cannot delete it (says why, deletes nothing)"
form e7 "${WEB[$ADMIN]}" "/settings/presets/$P" --data-urlencode "csrf=$(csrf "${WEB[$ADMIN]}")" --data-urlencode action=delete \
	--data-urlencode confirm=yes
tap_is "$code $(sql "SELECT deleted_at IS NOT NULL FROM council.scope_presets WHERE id = ${P:-0}")" "303 t" "its creator deletes it from the page"
api c2 "${TOK[$BANK]}" POST /api/v1/scope-presets "{\"name\":\"$N 管理者\",\"scope\":[{\"class\":\"all_members\"}]}"
P3=$(json c2 'd["id"]')
api d3 "${TOK[$POWER]}" POST "/api/v1/scope-presets/$P3" '{"action":"delete"}'
c1=$code
api d4 "${TOK[$ADMIN]}" POST "/api/v1/scope-presets/$P3" '{"action":"delete"}'
tap_is "$c1 $code $(cat "$T/d4")" "404 200 {\"id\" : $P3, \"deleted\" : true}" "the organisation's administrator deletes a preset it did not create"
tap_is "$(sql "SELECT string_agg(action, ' ' ORDER BY id) FROM council.audit_log WHERE object_type = 'scope_preset'
	AND object_id IN (${P:-0}, ${P2:-0}, ${P3:-0})")" \
	"scope_preset.create scope_preset.create scope_preset.delete scope_preset.delete scope_preset.create scope_preset.delete" \
	"every creation and deletion is in the audit log (refusals are not)"
tap_done
