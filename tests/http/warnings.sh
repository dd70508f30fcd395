#!/usr/bin/env bash
# Black-box tests of the way from an incident report to a warning (issue
# 13 item 5; R-SCOPE-4, R-NEW-5; policy/87_warnings.sql) and of posts
# drawn from a CYMAT support case (item 7; R-CYMAT-1), through the JSON
# API and the pages: an authority the report was delivered to drafts a
# warning; it reaches the report's parties only until the reporter
# consents (the consents every derived post uses), then every member its
# scope names; the reporter sees what its report led to and the responses
# it drew, never who read it; nobody else learns of the report, and a
# hidden report or case answers exactly like an absent one.
#
# Usage: tests/http/warnings.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-warn.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

# The cast (demo council): the bank reports to NISC and the PPC; a
# general member (the finance ISAC); the coordinator; a ministry with a
# CYMAT case.
HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
by_org() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE o.slug = '$1' AND p.active AND $HANDLER ORDER BY p.id LIMIT 1"; }
REP=$(by_org toto-bank); NISC=$(by_org nisc); PPC=$(by_org ppc); GEN=$(by_org finsec-isac)
COORD=$(by_org jpcert-cc); BODY=$(by_org mhlw)
declare -A TOK WEB
for e in "$REP" "$NISC" "$PPC" "$GEN" "$COORD" "$BODY"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
	WEB[$e]=$(session "$e" web) || { echo "Bail out! no session for $e"; exit 1; }
done
org() { sql "SELECT id FROM council.organisations WHERE slug = '$1'"; }
O_NISC=$(org nisc); O_PPC=$(org ppc)
norm() { sed -E 's/"[0-9a-f]{32}"/RID/g; s/[0-9a-f]{32}/RID/g' "$T/$1"; }
AW=$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)

# The report: ransomware with personal data, to NISC and the PPC.
api f1 "${TOK[$REP]}" POST /api/v1/incidents "{\"title\":\"warn-test ransomware $$\",\"aware_at\":\"$AW\",\"specified_operator\":true,\"personal_data\":true,\"unauthorised_access\":false,\"sector\":\"finance\",\"stage\":\"first_notice\",\"body\":{\"summary\":\"files encrypted\"},\"authorities\":[$O_NISC, $O_PPC]}"
PI=$(json f1 'd["id"]')
[ "$code" = 201 ] && [ -n "$PI" ] || { echo "Bail out! the report was not filed: $code $(cat "$T/f1")"; exit 1; }
WARN="{\"kind\":\"alert\",\"title\":\"warn-test: ransomware through VPN gateways $$\",\"body\":\"Patch the VPN gateways.\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}],\"incident\":$PI}"

# ---- Who drafts (item 5). ----------------------------------------------------------------
api d0 "${TOK[$GEN]}" POST /api/v1/posts "${WARN/alert/report}"
W0=${WARN/alert/report}; api d0b "${TOK[$GEN]}" POST /api/v1/posts "${W0/\"incident\":$PI/\"incident\":999999999}"
tap_is "$code $(cat "$T/d0")" "404 $(cat "$T/d0b")" \
	"R-NEW-3: a member outside the report that names it is answered exactly as for an absent report"
tap_is "$(cat "$T/d0")" '{"error" : "incident_not_found"}' "... (incident_not_found)"
api d1 "${TOK[$REP]}" POST /api/v1/posts "${WARN/alert/report}"
tap_is "$code $(cat "$T/d1")" '403 {"error" : "only_authorities_draft_from_reports"}' \
	"item 5: the reporter posts its own, not a warning drawn from its report"
n0=$(sql "SELECT count(*) FROM council.posts")
api d2 "${TOK[$NISC]}" POST /api/v1/posts "${WARN/\"incident\":$PI/\"incident\":\"$PI\"}"
tap_is "$code $(sql "SELECT count(*) FROM council.posts")" "422 $n0" "a malformed report id is refused, nothing stored"
api d3 "${TOK[$NISC]}" POST /api/v1/posts "$WARN"
PW=$(json d3 'd["id"]')
tap_is "$code" 201 "item 5: NISC, which received the report, drafts a warning to every member from it"

# ---- R-SCOPE-4: the report's parties only, until the reporter consents. ------------------------
api g0 "${TOK[$GEN]}" GET "/api/v1/posts/$PW"
api g0b "${TOK[$GEN]}" GET "/api/v1/posts/999999999"
tap_is "$code $(norm g0)" "404 $(norm g0b)" \
	"R-SCOPE-4: before the reporter consents a member outside the report cannot read it (as if absent)"
api g1 "${TOK[$PPC]}" GET "/api/v1/posts/$PW"
tap_is "$code" 200 "R-SCOPE-4: ... the other authority the report went to can"
api g2 "${TOK[$REP]}" GET "/api/v1/posts/$PW"
tap_is "$code" 200 "item 5: ... and so can the reporter, which is asked to consent to it"
tap_is "$(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id
	WHERE p.email = '$REP' AND n.kind = 'consent.requested' AND n.post_id = ${PW:-0}")" 1 \
	"R-SCOPE-4: the reporter is told that its consent is asked"
api c0 "${TOK[$REP]}" GET /api/v1/consents
CID=$(json c0 '[c["id"] for c in d["consents"] if c["post_id"] == '"${PW:-0}"'][0]')
tap_is "$(json c0 '[(c["status"], c["source_incident_id"], c["mine_to_decide"]) for c in d["consents"] if c["post_id"] == '"${PW:-0}"']')" \
	"[('pending', $PI, True)]" "R-SCOPE-4: the consent names the reporter's report and is the reporter's to decide"
page p0 "${WEB[$REP]}" /consents
grep -q "href=\"/incidents/$PI\"" "$T/p0"; tap_ok $? "R-SCOPE-4: the consents page links the request to the report"
api c1 "${TOK[$PPC]}" POST "/api/v1/consents/$CID" '{"grant":true}'
tap_is "$code $(cat "$T/c1")" '404 {"error" : "consent_not_found"}' \
	"R-SCOPE-4: another authority cannot even find the reporter's consent"
api c2 "${TOK[$NISC]}" POST "/api/v1/consents/$CID" '{"grant":true}'
tap_is "$code $(cat "$T/c2")" '403 {"error" : "only_the_giver_decides"}' \
	"R-SCOPE-4: the drafting authority sees it but cannot consent for the reporter"

# ---- R-NEW-5: the reporter's page shows what the report led to. ---------------------------
page p1 "${WEB[$REP]}" "/incidents/$PI"
grep -q "warn-test: ransomware through VPN gateways $$" "$T/p1"; tap_ok $? \
	"R-NEW-5: the report's page lists the warning drawn from it"
grep -q '報告者の同意待ち' "$T/p1"; tap_ok $? "R-NEW-5: ... awaiting the reporter's consent"
tap_is "$(grep -c 'href="/posts/new?incident=' "$T/p1")" 0 "item 5: the reporter is not offered to draft one"
page p2 "${WEB[$NISC]}" "/incidents/$PI"
grep -q "href=\"/posts/new?incident=$PI\"" "$T/p2"; tap_ok $? "item 5: an authority that received it is offered to draft one"
page p3 "${WEB[$NISC]}" "/posts/new?incident=$PI"
grep -q "name=\"incident\" value=\"$PI\"" "$T/p3"; tap_ok $? "item 5: the composer carries the report it drafts from"

# The page's form: refused for an outsider as if absent, accepted for NISC.
form p4 "${WEB[$GEN]}" /posts/new --data-urlencode "csrf=$(csrf "${WEB[$GEN]}")" --data-urlencode kind=report \
	--data-urlencode title=x --data-urlencode body=y --data-urlencode secret=no --data-urlencode class=all_members \
	--data-urlencode "incident=$PI"
form p4b "${WEB[$GEN]}" /posts/new --data-urlencode "csrf=$(csrf "${WEB[$GEN]}")" --data-urlencode kind=report \
	--data-urlencode title=x --data-urlencode body=y --data-urlencode secret=no --data-urlencode class=all_members \
	--data-urlencode "incident=999999999"
tap_is "$code $(norm p4)" "404 $(norm p4b)" "R-NEW-3: from the page too, a hidden report answers like an absent one"
form p5 "${WEB[$NISC]}" /posts/new --data-urlencode "csrf=$(csrf "${WEB[$NISC]}")" --data-urlencode kind=alert \
	--data-urlencode "title=warn-test second $$" --data-urlencode body=y --data-urlencode secret=no \
	--data-urlencode "org=$O_PPC" --data-urlencode "incident=$PI"
tap_is "$code $(sql "SELECT count(*) FROM council.post_case_sources WHERE incident_id = $PI")" "303 2" \
	"item 5: NISC drafts from the page; the post names the report"
form p6 "${WEB[$NISC]}" /posts/new --data-urlencode "csrf=$(csrf "${WEB[$NISC]}")" --data-urlencode kind=alert \
	--data-urlencode title=x --data-urlencode body=y --data-urlencode secret=no --data-urlencode "incident=abc"
tap_is "$code" 400 "a malformed report id on the form is refused"

# ---- The reporter consents: every member named reads it. --------------------------------
form k0 "${WEB[$REP]}" /consents --data-urlencode "csrf=$(csrf "${WEB[$REP]}")" --data-urlencode "id=$CID" \
	--data-urlencode decision=grant --data-urlencode confirm=yes
tap_is "$code $(sql "SELECT status FROM council.consents WHERE id = ${CID:-0}")" "303 granted" \
	"R-SCOPE-4: the reporter consents on the consents page"
api g3 "${TOK[$GEN]}" GET "/api/v1/posts/$PW"
tap_is "$code" 200 "R-SCOPE-4: now a member outside the report reads the warning"
tap_is "$(grep -cE '"incident|/incidents/|事案報告' "$T/g3")" 0 "R-NEW-3: ... without learning which report it came from"
api r0 "${TOK[$GEN]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"re\",\"body\":\"seen the same here\",\"secret\":false,\"parent\":$PW}"
tap_is "$code" 201 "a member replies to the warning"
page p7 "${WEB[$REP]}" "/incidents/$PI"
grep -q '報告者が同意' "$T/p7"; tap_ok $? "R-NEW-5: the reporter's page shows its consent"
grep -q '報告の関係者以外の構成員にも届いています' "$T/p7"; tap_ok $? "R-NEW-5: ... that the warning reaches members beyond the report"
grep -qE '返信</span> <span>1<' "$T/p7"; tap_ok $? "R-NEW-5: ... and the response it drew (one reply)"
GEN_NAME=$(sql "SELECT name_ja FROM council.organisations WHERE slug = 'finsec-isac'")
tap_is "$(grep -c "$GEN_NAME" "$T/p7")" 0 "R-NEW-5: ... never who read or answered it"
api i0 "${TOK[$REP]}" GET "/api/v1/incidents/$PI"
tap_is "$(json i0 '[(w["consent"], w["beyond_parties"], w["replies"]) for w in d["warnings"]]')" \
	"[(None, False, 0), ('granted', True, 1)]" "R-NEW-5: the API gives the reporter the same, newest first"
api i1 "${TOK[$GEN]}" GET "/api/v1/incidents/$PI"
tap_is "$code $(cat "$T/i1")" '404 {"error" : "incident_not_found"}' "R-NEW-3: the member that read the warning still cannot find the report"

# ---- R-CYMAT-1: a post drawn from a support case. ----------------------------------------
api y0 "${TOK[$BODY]}" POST /api/v1/cymat '{"channel":"ciso","emergency":false,"description":"warn-test: mail server intrusion","wider_use_consent":false}'
CY0=$(json y0 'd["id"]')
api y1 "${TOK[$BODY]}" POST /api/v1/cymat '{"channel":"ciso","emergency":false,"description":"warn-test: phishing wave","wider_use_consent":true}'
CY1=$(json y1 'd["id"]')
CP="{\"kind\":\"analysis\",\"title\":\"warn-test: from a case\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}],\"cymat_case\":"
api y2 "${TOK[$COORD]}" POST /api/v1/posts "$CP${CY0:-0}}"
tap_is "$code $(cat "$T/y2")" '403 {"error" : "cymat_case_not_for_wider_use"}' \
	"R-CYMAT-1: a post drawn from a case whose body did not consent in advance is refused"
api y3 "${TOK[$COORD]}" POST /api/v1/posts "$CP${CY1:-0}}"
tap_is "$code" 201 "R-CYMAT-1: ... and accepted when it did"
api y4 "${TOK[$GEN]}" POST /api/v1/posts "$CP${CY1:-0}}"
api y4b "${TOK[$GEN]}" POST /api/v1/posts "${CP}999999999}"
tap_is "$code $(cat "$T/y4")" "404 $(cat "$T/y4b")" "R-CYMAT-1: a case the caller does not see answers like an absent one"

tap_done
