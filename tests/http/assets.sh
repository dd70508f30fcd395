#!/usr/bin/env bash
# Black-box tests of the asset registry (issue 14 item 4; R-NEW-4) through
# the JSON API and the pages: a critical-infrastructure operator's handler
# registers a specified critical computer as CPE 2.3 names (picked from
# the bundled dictionary or typed); an invalid name is refused and changes
# nothing; the operator, the coordinator and the government analyst see
# it; to anyone else it answers exactly like an absent asset, and the
# registry page does not exist for them; deleting from the page is asked
# first.
#
# Usage: tests/http/assets.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-asset.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active AND $HANDLER ORDER BY p.id LIMIT 1"; }
OP=$(one "o.slug = 'toto-bank'")				# the operator
OTHER=$(one "o.slug = 'toto-power'")				# another operator
VEND=$(one "o.slug = 'mizukane-networks'")			# a vendor
COORD=$(one "o.council_role = 'coordinator'")
ANALYST=$(sql "SELECT p.email FROM council.asset_analysts a JOIN council.people p ON p.id = a.person_id
	ORDER BY p.id LIMIT 1")					# the government analyst
SEC=$(one "o.council_role = 'secretariat' AND NOT EXISTS (SELECT 1 FROM council.asset_analysts a WHERE a.person_id = p.id)")
[ -n "$ANALYST" ] || { echo "Bail out! no government analyst in the demo council"; exit 1; }
declare -A TOK
for e in "$OP" "$OTHER" "$VEND" "$COORD" "$ANALYST" "$SEC"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
done
FOS=cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*

# ---- Registering. --------------------------------------------------------------------------
n0=$(sql "SELECT count(*) FROM council.assets")/$(sql "SELECT count(*) FROM council.asset_history")
api r0 "${TOK[$OP]}" POST /api/v1/assets "{\"name\":\"asset-test VPN $$\",\"cpes\":[\"$FOS\",\"cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*\"]}"
api r1 "${TOK[$OP]}" POST /api/v1/assets "{\"name\":\"asset-test VPN $$\",\"cpes\":[\"$FOS\"],\"changed_on\":\"2999-01-01\"}"
tap_is "$code $(cat "$T/r0") $(cat "$T/r1") $(sql "SELECT count(*) FROM council.assets")/$(sql "SELECT count(*) FROM council.asset_history")" \
	"422 {\"error\" : \"invalid_cpe\", \"item\" : 2} {\"error\" : \"invalid_changed_on\"} $n0" \
	"R-NEW-4: a name of 12 components (which one said) and a future date are refused, and change nothing"
api r2 "${TOK[$VEND]}" POST /api/v1/assets "{\"name\":\"asset-test vendor $$\",\"cpes\":[\"$FOS\"]}"
tap_is "$code $(cat "$T/r2")" '403 {"error" : "not_an_operator"}' "R-NEW-4: a vendor does not register"
api r3 "${TOK[$OP]}" POST /api/v1/assets "{\"name\":\"asset-test VPN $$\",\"cpes\":[\"$FOS\",\"cpe:2.3:h:fortinet:fortigate-60f:-:*:*:*:*:*:*:*\"],\"location\":\"Tokyo DC1\",\"role\":\"remote access\",\"changed_on\":\"2024-04-01\"}"
A=$(json r3 'd["id"]')
tap_is "$code $(json r3 'len(d["cpes"])') $(json r3 'd["changed_on"]')" "201 2 2024-04-01" \
	"R-NEW-4: the operator's handler registers a computer with two CPE names and the date"

# ---- Who sees it. --------------------------------------------------------------------------
ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.assets") + 1000 ))
for who in COORD ANALYST; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/assets/$A"
	tap_is "$code $(json g 'd["name"]')" "200 asset-test VPN $$" "R-NEW-4: the $who reads the asset"
done
api ga "${TOK[$OTHER]}" GET "/api/v1/assets/$ABSENT"
for who in OTHER VEND SEC; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/assets/$A"
	tap_is "$code $(cat "$T/g")" "404 $(cat "$T/ga")" "R-NEW-4: to $who it answers exactly like an absent asset"
	api l "${TOK[$e]}" GET /api/v1/assets
	tap_is "$(json l 'len(d["assets"])')" 0 "R-NEW-4: ... and $who counts no asset at all"
done
api c0 "${TOK[$OTHER]}" POST "/api/v1/assets/$A" '{"action":"delete"}'
api c1 "${TOK[$OTHER]}" POST "/api/v1/assets/$ABSENT" '{"action":"delete"}'
tap_is "$code $(cat "$T/c0")" "404 $(cat "$T/c1")" "R-NEW-4: another operator deleting it is answered as for an absent one"

# ---- The pages (Japanese first). -------------------------------------------------------------
W_OP=$(session "$OP" web); W_OTHER=$(session "$OTHER" web); W_VEND=$(session "$VEND" web)
W_AN=$(session "$ANALYST" web)
page p1 "$W_OP" "/assets?q=fortios"
tap_is "$code $(grep -c '<option value="cpe:2.3:o:fortinet:fortios:7.4.2:\*:\*:\*:\*:\*:\*:\*"' "$T/p1") $(grep -c 'Apache' "$T/p1") $(grep -c "asset-test VPN $$" "$T/p1")" "200 1 0 1" \
	"R-NEW-4: the operator's page lists its asset and the picker offers the dictionary's entries for the query"
page p2 "$W_AN" /assets
tap_is "$code $(grep -c "asset-test VPN $$" "$T/p2") $(grep -c 'name="pick"' "$T/p2")" "200 1 0" \
	"R-NEW-4: the analyst's page lists every operator's assets, with no form"
page p3 "$W_VEND" /assets
page p4 "$W_VEND" "/assets/$ABSENT"
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
tap_is "$code $(nr p3 | md5sum)" "404 $(nr p4 | md5sum)" "R-NEW-4: to a vendor the registry page does not exist"
page p5 "$W_OTHER" "/assets/$A"
page p6 "$W_OTHER" "/assets/$ABSENT"
tap_is "$code $(nr p5 | md5sum)" "404 $(nr p6 | md5sum)" "R-NEW-4: another operator gets the absent asset's 404 page, byte for byte"
page p7 "$W_OTHER" /assets
tap_unlike "$(cat "$T/p7")" "asset-test" "... and its own registry shows none of it"
h0=$(sql "SELECT count(*) FROM council.asset_history WHERE asset_id = $A")
form w1 "$W_OP" /assets --data-urlencode "csrf=$(csrf "$W_OP")" --data-urlencode "name=asset-test page $$" \
	--data-urlencode "cpes=cpe:2.3:a:apache:http_server" --data-urlencode "pick=cpe:2.3:a:apache:http_server:2.4.62:*:*:*:*:*:*:*"
tap_is "$code $(grep -c 'role="alert">CPE 2.3 名の形式が正しくありません' "$T/w1") $(grep -c "value=\"asset-test page $$\"" "$T/w1") $(sql "SELECT count(*) FROM council.assets WHERE name = 'asset-test page $$'")" \
	"422 1 1 0" "R-NEW-4: the form refuses a name that is not CPE 2.3, says why in Japanese, keeps what was typed, stores nothing"
form w2 "$W_OP" /assets --data-urlencode "csrf=$(csrf "$W_OP")" --data-urlencode "name=asset-test page $$" \
	--data-urlencode "cpes=cpe:2.3:a:example\\:corp:portal:1.0:*:*:ja:*:*:*:*" \
	--data-urlencode "pick=cpe:2.3:a:apache:http_server:2.4.62:*:*:*:*:*:*:*" --data-urlencode "location=Osaka"
A2=${loc##*/}
tap_is "$code $(sql "SELECT array_to_string(cpes, ' ') FROM council.assets WHERE id = ${A2:-0}")" \
	"303 cpe:2.3:a:example\\:corp:portal:1.0:*:*:ja:*:*:*:* cpe:2.3:a:apache:http_server:2.4.62:*:*:*:*:*:*:*" \
	"R-NEW-4: registered from the page: a typed name (quoted colon) and a picked one"
form w3 "$W_OP" "/assets/$A" --data-urlencode "csrf=$(csrf "$W_OP")" --data-urlencode action=change \
	--data-urlencode "name=asset-test VPN $$" --data-urlencode "cpes=cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:*" \
	--data-urlencode "location=Tokyo DC1" --data-urlencode "changed_on=2025-02-01"
tap_is "$code $(sql "SELECT changed_on || ' ' || cpes[1] FROM council.assets WHERE id = $A") $(sql "SELECT count(*) - $h0 FROM council.asset_history WHERE asset_id = $A")" \
	"303 2025-02-01 cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:* 1" "R-NEW-4: a change from the page records its date and a history entry"
form w4 "$W_OP" "/assets/$A" --data-urlencode "csrf=$(csrf "$W_OP")" --data-urlencode action=delete
tap_is "$code $(grep -c 'id="confirm-heading"' "$T/w4") $(sql "SELECT deleted_at IS NULL FROM council.assets WHERE id = $A")" "200 1 t" \
	"R-NEW-4: deleting from the page asks first (it cannot be undone), and nothing is deleted yet"
form w5 "$W_OP" "/assets/$A" --data-urlencode "csrf=$(csrf "$W_OP")" --data-urlencode action=delete --data-urlencode confirm=yes
page p8 "$W_OP" "/assets/$A"
tap_is "$code $(sql "SELECT deleted_at IS NOT NULL FROM council.assets WHERE id = $A")" "404 t" "... confirmed, it is gone (its page answers 404)"
api z "${TOK[$VEND]}" GET "/api/v1/cpe-dictionary?q=nginx"
tap_is "$code $(json z 'len(d["cpes"])')" "200 2" "R-NEW-4: the picker's dictionary through the API"
page l1 "$W_OP" /incidents
page l2 "$W_AN" /incidents
page l3 "$W_VEND" /incidents
tap_is "$(grep -c 'href="/assets"' "$T/l1") $(grep -c 'href="/assets"' "$T/l2") $(grep -c 'href="/assets"' "$T/l3")" "1 1 0" \
	"R-NEW-4: the incidents page links the registry for an operator and the analyst, not for a vendor"
# A well-formed token that names nobody: the lists answer as every API
# read does without a credential (not an empty list).
DEAD=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
api d0 "$DEAD" GET /api/v1/feed
for path in /api/v1/assets "/api/v1/cpe-dictionary?q=nginx" /api/v1/advisories /api/v1/handlers; do
	api d1 "$DEAD" GET "$path"
	tap_is "$code $(cat "$T/d1")" "401 $(cat "$T/d0")" "a token that names nobody: $path answers 401 not_signed_in, as the feed does"
done
tap_done
