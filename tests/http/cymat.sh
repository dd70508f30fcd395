#!/usr/bin/env bash
# Black-box tests of support requests to CYMAT (issue 13 item 7;
# R-CYMAT-1; seed 003 §10-15) through the JSON API, from request to
# closure: a ministry's CISO requests support (a company cannot; a CSIRT
# only in an emergency); the head is told; the head dispatches two team
# members (a member of the team cannot decide); the ministry reports its
# damage as it goes; the head ends the support.  Who sees the case: the
# ministry, the head and the leads, the members dispatched, the
# coordinator; for anyone else (another ministry, a member not
# dispatched) it answers like an absent case.  Then the same through the
# pages (Japanese first): the list and the request form (refused forms
# keep what was typed and store nothing), the case's page for those who
# see it and the absent case's 404, byte for byte, for the others (the
# page and its forms), the head's dispatch and end asked first, the
# body's damage reports.
#
# Usage: tests/http/cymat.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-cym.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active AND $HANDLER ORDER BY p.id LIMIT 1"; }
team() { sql "SELECT p.email FROM council.cymat_team t JOIN council.people p ON p.id = t.person_id
	WHERE t.role = '$1' ORDER BY p.id LIMIT 1 OFFSET ${2:-0}"; }
HEAD=$(team head); LEAD=$(team lead); M1=$(team member 0); M2=$(team member 1)
[ -n "$HEAD" ] && [ -n "$M2" ] || { echo "Bail out! the demo council has no CYMAT team"; exit 1; }
BODY=$(one "o.slug = 'mhlw'")			# the ministry that asks
OTHER=$(one "o.slug = 'mlit'")			# another ministry
CO=$(one "o.slug = 'toto-bank'")		# a company
COORD=$(one "o.council_role = 'coordinator'")
declare -A TOK
for e in "$HEAD" "$LEAD" "$M1" "$M2" "$BODY" "$OTHER" "$CO" "$COORD"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
done
pid() { sql "SELECT id FROM council.people WHERE email = '$1'"; }

# ---- The request (seed 003 §10). ---------------------------------------------------------
REQ='"description":"cym-test: ransomware on the benefits system '$$'","wider_use_consent":false'
api r0 "${TOK[$CO]}" POST /api/v1/cymat "{\"channel\":\"ciso\",\"emergency\":false,$REQ}"
tap_is "$code $(cat "$T/r0")" '403 {"error" : "only_government_bodies"}' "R-CYMAT-1: a company does not request CYMAT's support"
api r1 "${TOK[$BODY]}" POST /api/v1/cymat "{\"channel\":\"csirt\",\"emergency\":false,$REQ}"
tap_is "$code $(cat "$T/r1")" '422 {"error" : "csirt_only_in_emergency"}' "R-CYMAT-1: the CSIRT's channel is for an emergency"
api r2 "${TOK[$BODY]}" POST /api/v1/cymat "{\"channel\":\"ciso\",\"emergency\":false,$REQ}"
C=$(json r2 'd["id"]')
tap_is "$code $(json r2 'd["status"]')" "201 requested" "R-CYMAT-1: the ministry's CISO requests support"
tap_is "$(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'cymat.request:$C' AND p.email = '$HEAD'")/$(sql "SELECT count(*) FROM council.notifications WHERE dedupe = 'cymat.request:$C' AND subject_ja ~ 'ransomware'")" \
	"1/0" "R-CYMAT-1: ... to the head, who is told (a number, no content)"

# ---- Who sees it. --------------------------------------------------------------------------
ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.cymat_cases") + 1000 ))
api ga "${TOK[$OTHER]}" GET "/api/v1/cymat/$ABSENT"
for who in HEAD COORD BODY; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/cymat/$C"
	tap_is "$code" 200 "R-CYMAT-1: $who reads the case"
done
for who in OTHER M1 CO LEAD; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/cymat/$C"
	tap_is "$code $(cat "$T/g")" "404 $(cat "$T/ga")" "R-CYMAT-1: to $who (not dispatched, not the body; a lead: not sent to the leads) it answers like an absent case"
done

# ---- Dispatch (§11), damage (§13), end (§14). ---------------------------------------------------
api d0 "${TOK[$M1]}" POST "/api/v1/cymat/$C" "{\"action\":\"dispatch\",\"members\":[$(pid "$M2")]}"
tap_is "$code $(cat "$T/d0")" "404 $(cat "$T/ga")" "R-CYMAT-1: a team member not dispatched cannot even find the case to dispatch it"
api x0 "${TOK[$BODY]}" POST "/api/v1/cymat/$C" '{"action":"damage","body":"too early"}'
tap_is "$code $(cat "$T/x0")" '409 {"error" : "not_dispatched"}' "no damage report before the team is dispatched"
api d1 "${TOK[$HEAD]}" POST "/api/v1/cymat/$C" "{\"action\":\"dispatch\",\"members\":[$(pid "$M2"), $(pid "$BODY")]}"
tap_is "$code $(cat "$T/d1")" '422 {"error" : "invalid_members"}' "R-CYMAT-1: only people of the team are dispatched"
api d2 "${TOK[$HEAD]}" POST "/api/v1/cymat/$C" "{\"action\":\"dispatch\",\"members\":[$(pid "$M2")],\"note\":\"dispatched\"}"
tap_is "$code $(json d2 'd["status"]') $(json d2 'd["members"]')" "200 dispatched [$(pid "$M2")]" "R-CYMAT-1: the head dispatches the team, naming its member"
api g2 "${TOK[$M2]}" GET "/api/v1/cymat/$C"
c2=$code
api g3 "${TOK[$M1]}" GET "/api/v1/cymat/$C"
tap_is "$c2 $code" "200 404" \
	"R-CYMAT-1: the member dispatched now reads the case; the member not dispatched still does not"
api x1 "${TOK[$M2]}" POST "/api/v1/cymat/$C" '{"action":"damage","body":"cym-test: seen from the team"}'
tap_is "$code $(cat "$T/x1")" '403 {"error" : "only_the_body"}' "R-CYMAT-1: damage is reported by the body, not the team"
api x2 "${TOK[$BODY]}" POST "/api/v1/cymat/$C" '{"action":"damage","body":"cym-test: 3 servers encrypted, benefits stopped"}'
api x3 "${TOK[$BODY]}" POST "/api/v1/cymat/$C" '{"action":"damage","body":"cym-test: service restored from backups"}'
tap_is "$code $(json x3 '[r["seq"] for r in d["damage_reports"]]')" "200 [1, 2]" "R-CYMAT-1: the body reports its damage as it goes"
api e0 "${TOK[$M2]}" POST "/api/v1/cymat/$C" '{"action":"close"}'
tap_is "$code" 403 "R-CYMAT-1: a member does not end the support"
api e1 "${TOK[$HEAD]}" POST "/api/v1/cymat/$C" '{"action":"close","note":"ended after hearing the CISO"}'
tap_like "$code $(json e1 'd["status"]') $(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'cymat.closed:$C' AND p.email = '$BODY'")/$(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'cymat.closed:$C' AND p.org_id <> (SELECT org_id FROM council.people WHERE email = '$BODY')")" \
	'^200 closed 1/0$' "R-CYMAT-1: the head ends the support; the body is told (and nobody else)"
api e2 "${TOK[$BODY]}" POST "/api/v1/cymat/$C" '{"action":"damage","body":"late"}'
tap_is "$code" 409 "... after which no damage report is taken"
tap_is "$(sql "SELECT string_agg(action, ' ' ORDER BY id) FROM council.audit_log WHERE object_type = 'cymat_case' AND object_id = ${C:-0}")" \
	"cymat.request cymat.dispatch cymat.damage cymat.damage cymat.close" "every step is in the audit log"

# ---- An emergency request by the CSIRT reaches the leads, and may be declined. ------------------
api r3 "${TOK[$BODY]}" POST /api/v1/cymat "{\"channel\":\"csirt\",\"emergency\":true,\"description\":\"cym-test: emergency $$\",\"wider_use_consent\":true}"
C2=$(json r3 'd["id"]')
tap_is "$code $(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'cymat.request:$C2' AND p.email = '$LEAD'")" "201 1" \
	"R-CYMAT-1: in an emergency the CSIRT's request reaches the leads"
api g4 "${TOK[$LEAD]}" GET "/api/v1/cymat/$C2"
tap_is "$code" 200 "R-CYMAT-1: ... who read it (it is addressed to them, seed 003 §10(4))"
api n0 "${TOK[$LEAD]}" POST "/api/v1/cymat/$C2" '{"action":"decline","note":"x"}'
tap_is "$code $(cat "$T/n0")" '403 {"error" : "only_the_head"}' "R-CYMAT-1: only the head decides, even on the emergency channel"
api n1 "${TOK[$HEAD]}" POST "/api/v1/cymat/$C2" '{"action":"decline"}'
api n2 "${TOK[$HEAD]}" POST "/api/v1/cymat/$C2" '{"action":"decline","note":"not an event CYMAT supports"}'
tap_is "$(cat "$T/n1") $code $(json n2 'd["status"]') $(json n2 'd["wider_use_consent"]')" '{"error" : "note_required"} 200 declined True' \
	"R-CYMAT-1: the head declines with a reason; the body's prior consent to wider use is recorded"
# ---- The pages (Japanese first), from request to closure. -------------------------------------
W_BODY=$(session "$BODY" web); W_HEAD=$(session "$HEAD" web); W_LEAD=$(session "$LEAD" web)
W_M1=$(session "$M1" web); W_M2=$(session "$M2" web); W_OTHER=$(session "$OTHER" web)
W_CO=$(session "$CO" web); W_COORD=$(session "$COORD" web)
ncases() { sql "SELECT count(*) FROM council.cymat_cases"; }
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
page w0 "$W_CO" /cymat
c0=$code
page w1 "$W_BODY" /cymat
tap_is "$c0 $(grep -c 'action="/cymat"' "$T/w0") $code $(grep -c 'action="/cymat"' "$T/w1") $(grep -c '<h1 id="cymat-heading">CYMAT への支援要請</h1>' "$T/w1")" "200 0 200 1 1" \
	"R-CYMAT-1: the list page answers everyone signed in; only a national agency's handler gets the request form"
n0=$(ncases)
form w2 "$W_BODY" /cymat --data-urlencode "csrf=$(csrf "$W_BODY")" --data-urlencode channel=csirt \
	--data-urlencode "description=cym-page $$: a refused request"
tap_is "$code $(grep -c 'role="alert">CSIRT からの要請は緊急時に限られます' "$T/w2") $(grep -c "cym-page $$: a refused request</textarea>" "$T/w2") $(grep -c 'value="csirt" id="cymat-channel-csirt" aria-describedby="cymat-channel-csirt-help" checked="checked"' "$T/w2") $(ncases)" \
	"422 1 1 1 $n0" "R-CYMAT-1: the form refuses the CSIRT's channel outside an emergency, says why, keeps what was typed, stores nothing"
form w3 "$W_CO" /cymat --data-urlencode "csrf=$(csrf "$W_CO")" --data-urlencode channel=ciso \
	--data-urlencode "description=cym-page $$: a company asks"
tap_is "$code $(grep -c 'role="alert">CYMAT に支援を要請できるのは政府機関だけです。' "$T/w3") $(ncases)" "403 1 $n0" \
	"R-CYMAT-1: a company's request from the page is refused, nothing stored"
form w4 "$W_BODY" /cymat --data-urlencode "csrf=$(csrf "$W_BODY")" --data-urlencode channel=ciso \
	--data-urlencode "description=cym-page $$: ransomware on the pension system" --data-urlencode wider_use=yes
C3=${loc##*/}
tap_is "$code ${loc%/*} $(sql "SELECT status || ' ' || channel || ' ' || emergency || ' ' || wider_use_consent FROM council.cymat_cases WHERE id = ${C3:-0}")" \
	"303 /cymat requested ciso false true" "R-CYMAT-1: the ministry requests support from the page, its prior consent recorded"
page_done w5 "$W_BODY" "/cymat/$C3" cymat.requested
tap_is "$code $(status_of w5)" "200 支援を要請しました。CYMAT に通知されました。" "... and its page says so"
ABSENT3=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.cymat_cases") + 1000 ))
for who in HEAD COORD; do
	eval "w=\$W_$who"
	page g "$w" "/cymat/$C3"
	tap_is "$code $(grep -c "cym-page $$: ransomware on the pension system" "$T/g")" "200 1" "R-CYMAT-1: $who reads the case's page"
done
for who in OTHER M1 CO LEAD; do
	eval "w=\$W_$who"
	page g "$w" "/cymat/$C3"
	c1=$code
	page ga "$w" "/cymat/$ABSENT3"
	tap_is "$c1 $(nr g | md5sum)" "$code $(nr ga | md5sum)" "R-CYMAT-1: to $who (a lead: the CISO's request is not sent to the leads) the case's page is the absent case's 404, byte for byte"
	page gl "$w" /cymat
	tap_unlike "$(cat "$T/gl")" "href=\"/cymat/$C3\"" "... and its list does not show it"
done
form x0 "$W_OTHER" "/cymat/$C3" --data-urlencode "csrf=$(csrf "$W_OTHER")" --data-urlencode action=damage --data-urlencode "body=cym-page $$ intruder"
c1=$code
form x0a "$W_OTHER" "/cymat/$ABSENT3" --data-urlencode "csrf=$(csrf "$W_OTHER")" --data-urlencode action=damage --data-urlencode "body=cym-page $$ intruder"
tap_is "$c1 $(nr x0 | md5sum) $(sql "SELECT count(*) FROM council.cymat_damage_reports WHERE case_id = ${C3:-0}")" "$code $(nr x0a | md5sum) 0" \
	"R-CYMAT-1: a form posted to a hidden case answers like one posted to an absent case, and changes nothing"

page h0 "$W_HEAD" "/cymat/$C3"
tap_is "$(grep -o 'name="member"' "$T/h0" | wc -l) $(grep -c 'value="dispatch"' "$T/h0") $(grep -c 'value="decline"' "$T/h0")" \
	"$(sql "SELECT count(*) FROM council.cymat_team t JOIN council.people p ON p.id = t.person_id AND p.active") 1 1" \
	"R-CYMAT-1: the head's page offers the dispatch, naming any of the team, and the decline"
form d0 "$W_HEAD" "/cymat/$C3" --data-urlencode "csrf=$(csrf "$W_HEAD")" --data-urlencode action=dispatch --data-urlencode "note=cym-page note $$"
tap_is "$code $(grep -c 'role="alert">派遣する要員を' "$T/d0") $(grep -c "cym-page note $$</textarea>" "$T/d0") $(sql "SELECT status FROM council.cymat_cases WHERE id = ${C3:-0}")" \
	"422 1 1 requested" "R-CYMAT-1: a dispatch naming nobody is refused, says why, keeps the note, changes nothing"
form d1 "$W_HEAD" "/cymat/$C3" --data-urlencode "csrf=$(csrf "$W_HEAD")" --data-urlencode action=dispatch \
	--data-urlencode "member=$(pid "$M2")" --data-urlencode "note=cym-page note $$"
tap_is "$code $(grep -c 'id="confirm-heading">CYMAT の派遣を決定しますか？' "$T/d1") $(grep -c "name=\"members\" value=\"$(pid "$M2")\"" "$T/d1") $(sql "SELECT status FROM council.cymat_cases WHERE id = ${C3:-0}")" \
	"200 1 1 requested" "R-CYMAT-1: the dispatch asks first (it cannot be undone), carrying the members named; nothing is decided yet"
form d2 "$W_HEAD" "/cymat/$C3" --data-urlencode "csrf=$(csrf "$W_HEAD")" --data-urlencode action=dispatch \
	--data-urlencode "members=$(pid "$M2")" --data-urlencode "note=cym-page note $$" --data-urlencode confirm=yes
tap_is "$code $(sql "SELECT x.status || ' ' || string_agg(d.person_id::text, ',') FROM council.cymat_cases x JOIN council.cymat_dispatch d ON d.case_id = x.id WHERE x.id = ${C3:-0} GROUP BY x.status")" \
	"303 dispatched $(pid "$M2")" "R-CYMAT-1: confirmed, the head dispatches the member named"
page m2 "$W_M2" "/cymat/$C3"
c1=$code
page m1 "$W_M1" "/cymat/$C3"
tap_is "$c1 $(grep -c "<li><span>$(sql "SELECT name_ja FROM council.people WHERE email = '$M2'")</span>" "$T/m2") $code" "200 1 404" \
	"R-CYMAT-1: the member dispatched reads the case (named on it); the member not dispatched still gets 404"
form r0 "$W_BODY" "/cymat/$C3" --data-urlencode "csrf=$(csrf "$W_BODY")" --data-urlencode action=damage --data-urlencode "body=   "
tap_is "$code $(grep -c 'role="alert">被害状況を1字以上' "$T/r0") $(sql "SELECT count(*) FROM council.cymat_damage_reports WHERE case_id = ${C3:-0}")" "422 1 0" \
	"R-CYMAT-1: an empty damage report is refused, nothing stored"
form r1 "$W_M2" "/cymat/$C3" --data-urlencode "csrf=$(csrf "$W_M2")" --data-urlencode action=damage --data-urlencode "body=cym-page from the team"
tap_is "$code $(grep -c 'role="alert">被害状況を報告できるのは' "$T/r1") $(sql "SELECT count(*) FROM council.cymat_damage_reports WHERE case_id = ${C3:-0}")" "403 1 0" \
	"R-CYMAT-1: the team does not report the body's damage"
form r2 "$W_BODY" "/cymat/$C3" --data-urlencode "csrf=$(csrf "$W_BODY")" --data-urlencode action=damage \
	--data-urlencode "body=cym-page $$: 12 servers encrypted"
c1=$code
page m2b "$W_M2" "/cymat/$C3"
tap_is "$c1 $(grep -c "cym-page $$: 12 servers encrypted" "$T/m2b")" "303 1" "R-CYMAT-1: the body reports its damage from the page; the member dispatched reads it"
form e0 "$W_HEAD" "/cymat/$C3" --data-urlencode "csrf=$(csrf "$W_HEAD")" --data-urlencode action=close --data-urlencode "note=cym-page end $$"
tap_is "$code $(grep -c 'id="confirm-heading">この支援を終了しますか？' "$T/e0") $(sql "SELECT status FROM council.cymat_cases WHERE id = ${C3:-0}")" "200 1 dispatched" \
	"R-CYMAT-1: ending the support asks first; nothing is ended yet"
form e1 "$W_HEAD" "/cymat/$C3" --data-urlencode "csrf=$(csrf "$W_HEAD")" --data-urlencode action=close --data-urlencode "note=cym-page end $$" --data-urlencode confirm=yes
tap_is "$code $(sql "SELECT status || ' ' || decision_note FROM council.cymat_cases WHERE id = ${C3:-0}")" "303 closed cym-page end $$" \
	"R-CYMAT-1: confirmed, the head ends the support"
page e2 "$W_BODY" "/cymat/$C3"
tap_is "$(grep -c '<span class="badge">支援終了</span>' "$T/e2") $(grep -c 'value="damage"' "$T/e2")" "1 0" "... the body's page shows it ended, with no damage form left"
tap_is "$(sql "SELECT string_agg(action, ' ' ORDER BY id) FROM council.audit_log WHERE object_type = 'cymat_case' AND object_id = ${C3:-0}")" \
	"cymat.request cymat.dispatch cymat.damage cymat.close" "every step from the pages is in the audit log (refusals are not)"
tap_done
