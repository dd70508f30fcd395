#!/usr/bin/env bash
# Black-box tests of vulnerability matching and targeted warnings (issue
# 14 item 5; R-NEW-4) through the JSON API and the pages, with the samples
# of tests/fixtures/vuln (three NVD CVE API 2.0 records, the changed
# revision of one, one CSAF 2.0 advisory; their ids made unique to this
# run so that it can run again on the same database): only the
# coordinator imports (the government analyst reads the matches); the owner of a matching
# asset gets one warning per advisory and sees its matched assets; another
# operator sees nothing (byte for byte as absent); importing again creates
# nothing; a changed advisory updates its warnings and warns a newly
# matched owner, never duplicating.
#
# Usage: tests/http/vulns.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-vuln.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active AND $HANDLER ORDER BY p.id LIMIT 1"; }
OP=$(one "o.slug = 'toto-bank'")				# the owner
OTHER=$(one "o.slug = 'toto-power'")				# another operator
VEND=$(one "o.slug = 'mizukane-networks'")			# a vendor
COORD=$(one "o.council_role = 'coordinator'")
ANALYST=$(sql "SELECT p.email FROM council.asset_analysts a JOIN council.people p ON p.id = a.person_id
	ORDER BY p.id LIMIT 1")					# the government analyst
if [ -z "$ANALYST" ] || [ -z "$OP" ] || [ -z "$OTHER" ]; then echo "Bail out! demo council incomplete"; exit 1; fi
declare -A TOK
for e in "$OP" "$OTHER" "$VEND" "$COORD" "$ANALYST"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
done
# The samples, their ids unique to this run.
R=$(( $$ % 100000 + 100000 ))
F=$ROOT/tests/fixtures/vuln
ids() { sed -e "s/CVE-2024-21762/CVE-2099-${R}1/g; s/CVE-2024-24989/CVE-2099-${R}2/g" \
	-e "s/CVE-2024-3400/CVE-2099-${R}3/g; s/EXA-SA-2024-0042/EXA-SA-2099-$R/g" "$1"; }
ids "$F/nvd-cves.json" >"$T/nvd.json"
ids "$F/nvd-cve-2024-21762-changed.json" >"$T/nvd2.json"
ids "$F/csaf-advisory.json" >"$T/csaf.json"
imp() { api "$1" "$2" POST /api/v1/advisories "$(cat "$T/$3")"; }
sum() { json "$1" '" ".join(str(d[k]) for k in ("advisories", "new", "changed", "unchanged", "warnings_created", "warnings_updated"))'; }
warning() { sql "SELECT w.post_id FROM council.vuln_warnings w JOIN council.vuln_advisories a ON a.id = w.advisory_id
	JOIN council.organisations o ON o.id = w.org_id WHERE a.external_id = '$1' AND o.slug = '$2'"; }

# ---- The assets. ---------------------------------------------------------------------------
reg() { api "$1" "${TOK[$2]}" POST /api/v1/assets "{\"name\":\"vuln-test $1 $$\",\"cpes\":$3}"; json "$1" 'd["id"]'; }
A1=$(reg a1 "$OP" '["cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*"]')
A2=$(reg a2 "$OP" '["cpe:2.3:a:f5:nginx:1.24.0:*:*:*:open_source:*:*:*","cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*"]')
A3=$(reg a3 "$OTHER" '["cpe:2.3:o:fortinet:fortios:7.0.14:*:*:*:*:*:*:*"]')
A4=$(reg a4 "$OTHER" '["cpe:2.3:o:fortinet:fortios:6.4.3:*:*:*:*:*:*:*"]')
tap_is "$(sql "SELECT count(*) FROM council.assets WHERE id IN (${A1:-0}, ${A2:-0}, ${A3:-0}, ${A4:-0}) AND deleted_at IS NULL")" 4 \
	"R-NEW-4: two operators register four assets"

# ---- Who imports. ----------------------------------------------------------------------------
n0=$(sql "SELECT count(*) FROM council.vuln_advisories")
imp i0 "${TOK[$OP]}" nvd.json; c0="$code $(cat "$T/i0")"
imp i1 "${TOK[$VEND]}" nvd.json; c1="$code $(cat "$T/i1")"
tap_is "$c0 $c1 $(sql "SELECT count(*) - $n0 FROM council.vuln_advisories")" \
	'403 {"error" : "not_an_analyst"} 403 {"error" : "not_an_analyst"} 0' \
	"R-NEW-4: an operator and a vendor cannot import vulnerability data, and nothing is stored"
api i2 "${TOK[$COORD]}" POST /api/v1/advisories '{"vulnerabilities": [{"cve": {"id": "CVE-1"}}]}'
tap_is "$code $(cat "$T/i2")" '422 {"error" : "invalid_document"}' "R-NEW-4: a record that is not a CVE record is refused"

# ---- Import and warnings. ----------------------------------------------------------------------
imp i3 "${TOK[$COORD]}" nvd.json
tap_is "$code $(sum i3)" "201 3 3 0 0 2 0" \
	"R-NEW-4: the coordinator imports three CVE records: two match the owner's assets (a FortiOS range, an nginx version), two warnings; none for 7.0.14 (end excluded)"
imp i4a "${TOK[$ANALYST]}" csaf.json
tap_is "$code $(cat "$T/i4a")" '403 {"error" : "not_an_analyst"}' \
	"R-NEW-4: the analyst does not import (its agency would read the warnings): the coordinator does"
imp i4 "${TOK[$COORD]}" csaf.json
tap_is "$code $(sum i4)" "201 1 1 0 0 1 0" "R-NEW-4: the coordinator imports a CSAF 2.0 advisory: Apache 2.4.58 matches, one warning"
W1=$(warning "CVE-2099-${R}1" toto-bank)
tap_is "$(sql "SELECT count(*) FROM council.vuln_warnings w JOIN council.vuln_advisories a ON a.id = w.advisory_id
	WHERE a.external_id LIKE '%-2099-$R%'") $(sql "SELECT string_agg(DISTINCT o.slug, ' ') FROM council.post_scope s
	JOIN council.organisations o ON o.id = s.org_id WHERE s.post_id IN (SELECT post_id FROM council.vuln_warnings w
	JOIN council.vuln_advisories a ON a.id = w.advisory_id WHERE a.external_id LIKE '%-2099-$R%')")" "3 toto-bank" \
	"R-NEW-4: three warnings, each scoped to the owner only"
api p1 "${TOK[$OP]}" GET "/api/v1/posts/$W1"
tap_is "$code $(json p1 '"vuln-test" in json.dumps(d)') $(json p1 '"CVE-2099-'"$R"'1" in d["title"]')" "200 False True" \
	"R-NEW-4: the owner reads the warning; it names the advisory, not the assets"
api m1 "${TOK[$OP]}" GET /api/v1/advisories
tap_is "$(json m1 '" ".join(sorted(x["advisory"].split("-")[-1] + ":" + x["asset_name"].split()[1] for x in d["matches"] if x["asset"] in ('"$A1,$A2,$A3,$A4"')))') $(json m1 'all(x["post"] for x in d["matches"])')" \
	"${R}1:a1 ${R}2:a2 ${R}:a2 True" \
	"R-NEW-4: the owner lists its matched assets, each advisory with its warning"
api m2 "${TOK[$COORD]}" GET /api/v1/advisories
tap_is "$(json m2 'len([x for x in d["matches"] if x["asset"] in ('"$A1,$A2,$A3,$A4"')])')" 3 "R-NEW-4: the coordinator sees the matches too"

# ---- Another operator sees nothing. --------------------------------------------------------------
ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.posts") + 1000 ))
api p2 "${TOK[$OTHER]}" GET "/api/v1/posts/$W1"
api p3 "${TOK[$OTHER]}" GET "/api/v1/posts/$ABSENT"
tap_is "$code $(md5sum <"$T/p2")" "404 $(md5sum <"$T/p3")" "R-NEW-4: to another operator the warning answers exactly like an absent post"
api m3 "${TOK[$OTHER]}" GET /api/v1/advisories
api m4 "${TOK[$VEND]}" GET /api/v1/advisories
tap_is "$(json m3 'len([x for x in d["matches"] if "'"$R"'" in x["advisory"] or x["asset"] in ('"$A1,$A2"')])') $(grep -c "vuln-test a[12] $$" "$T/m3") $(cat "$T/m4")" \
	'0 0 {"matches" : []}' "R-NEW-4: ... it lists none of these matches (nor the owner's assets), a vendor no match at all"
W_OTHER=$(session "$OTHER" web)
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
page g1 "$W_OTHER" "/posts/$W1"
page g2 "$W_OTHER" "/posts/$ABSENT"
tap_is "$code $(nr g1 | md5sum)" "404 $(nr g2 | md5sum)" "R-NEW-4: ... and its page is the absent post's 404, byte for byte"

# ---- Importing again; a changed advisory. ----------------------------------------------------------
p0=$(sql "SELECT count(*) FROM council.posts")
imp i5 "${TOK[$COORD]}" nvd.json
imp i6 "${TOK[$COORD]}" csaf.json
tap_is "$code $(sum i5) / $(sum i6) $(sql "SELECT count(*) - $p0 FROM council.posts")" "201 3 0 0 3 0 0 / 1 0 0 1 0 0 0" \
	"R-NEW-4: importing the same documents again creates nothing"
imp i7 "${TOK[$COORD]}" nvd2.json
tap_is "$code $(sum i7) $(sql "SELECT count(*) - $p0 FROM council.posts")" "201 1 0 1 0 1 1 1" \
	"R-NEW-4: the changed CVE record updates the owner's warning and warns the newly matched owner (6.4.3): one new post"
api p4 "${TOK[$OP]}" GET "/api/v1/posts/$W1"
tap_is "$(warning "CVE-2099-${R}1" toto-bank) $(json p4 '"the changed record" in d["body"]')" "$W1 True" \
	"R-NEW-4: ... the same warning, with the new revision's text"
W3=$(warning "CVE-2099-${R}1" toto-power)
api p5 "${TOK[$OTHER]}" GET "/api/v1/posts/$W3"
api m5 "${TOK[$OTHER]}" GET /api/v1/advisories
tap_is "$code $(json m5 '" ".join(sorted(x["asset_name"].split()[1] for x in d["matches"] if x["advisory"].endswith("'"$R"'1") and x["asset"] in ('"$A3,$A4"')))') $(grep -c "vuln-test a1" "$T/m5")" "200 a4 0" \
	"R-NEW-4: the newly matched owner reads its warning and sees its own matched asset only"
api p6 "${TOK[$OP]}" GET "/api/v1/posts/$W3"
tap_is "$code" 404 "R-NEW-4: ... and the first owner does not read the other's warning"
# The operators take their assets out of service again (other tests count
# a registry without them); the matches leave every list with them.
for a in "$A1:$OP" "$A2:$OP" "$A3:$OTHER" "$A4:$OTHER"; do
	api d "${TOK[${a#*:}]}" POST "/api/v1/assets/${a%%:*}" '{"action":"delete"}'
done
api m6 "${TOK[$OTHER]}" GET /api/v1/advisories
tap_is "$code $(json m6 'len([x for x in d["matches"] if x["asset"] in ('"$A1,$A2,$A3,$A4"')])')" "200 0" \
	"R-NEW-4: a deleted asset's matches are listed no more"

# ---- The page: the matches, and the coordinator's import from a file. -------------------------
W_CO=$(session "$COORD" web); W_OP=$(session "$OP" web); W_VE=$(session "$VEND" web)
page v1 "$W_VE" /advisories
page v2 "$W_VE" /assets
tap_is "$code $(grep -c 'id="vuln-heading"' "$T/v1")" "404 0" "R-NEW-4: to a vendor the matching page does not exist"
page v3 "$W_CO" /advisories
page v4 "$W_OP" /advisories
tap_is "$(grep -c 'name="file"' "$T/v3") $(grep -c 'name="file"' "$T/v4") $code" "1 0 200" \
	"R-NEW-4: the coordinator's page has the import form; the operator's lists its matches without it"
sed "s/EXA-SA-2099-$R/EXA-SA-2099-${R}p/g" "$T/csaf.json" >"$T/csaf-page.json"
printf 'not json' >"$T/bad.json"
n1=$(sql "SELECT count(*) FROM council.vuln_advisories")
form u1 "$W_CO" /advisories -F "csrf=$(csrf "$W_CO")" -F "file=@$T/bad.json;type=application/json"
tap_is "$code $(grep -c 'id="vuln-error"' "$T/u1") $(sql "SELECT count(*) - $n1 FROM council.vuln_advisories")" "422 1 0" \
	"R-NEW-4: a file that is not JSON is refused on the page, with the reason, and stores nothing"
form u2 "$W_CO" /advisories -F "csrf=0000000000000000000000000000000000000000000000000000000000000000" -F "file=@$T/csaf-page.json;type=application/json"
form u3 "$W_OP" /advisories -F "csrf=$(csrf "$W_OP")" -F "file=@$T/csaf-page.json;type=application/json"
tap_is "$code $(sql "SELECT count(*) - $n1 FROM council.vuln_advisories")" "403 0" \
	"R-NEW-4: a forged form token, and an operator, import nothing"
form u4 "$W_CO" /advisories -F "csrf=$(csrf "$W_CO")" -F "file=@$T/csaf-page.json;type=application/json"
tap_is "$code $loc $(sql "SELECT count(*) FROM council.vuln_advisories WHERE external_id = 'EXA-SA-2099-${R}p'")" "303 /advisories 1" \
	"R-NEW-4: the coordinator imports a CSAF 2.0 advisory from a file on the page"
form u5 "$W_CO" /advisories -F "csrf=$(csrf "$W_CO")" -F "file=@$T/csaf-page.json;type=application/json"
tap_is "$code $(sql "SELECT count(*) FROM council.vuln_advisories WHERE external_id = 'EXA-SA-2099-${R}p'")" "303 1" \
	"R-NEW-4: ... and again: updated, never duplicated"
tap_done
