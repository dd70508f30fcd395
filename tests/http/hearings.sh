#!/usr/bin/env bash
# Black-box tests of joint hearings (issue 13 item 6; R-NEW-3;
# docs/incidents.md "Joint hearings") through the JSON API and the pages:
# an authority that received a report asks its reporter for a hearing,
# naming another authority that received it; an authority the report was
# not delivered to cannot be invited; before the reporter consents, the
# invited authority sees nothing of the hearing (its id answers exactly
# like an absent one, no list counts it) and cannot join; the reporter
# consents per authority; the authorities that take part write the
# record, which the reporter and the coordinator read too and nobody
# else; one refused never sees the hearing; bad input is refused with 422
# and changes nothing; the irreversible acts are asked first on the pages.
#
# Usage: tests/http/hearings.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-hear.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

# The cast (demo council): the bank's administrator (the reporter) and one
# of its handlers, a person of the bank who is no handler; NISC (asks for
# the hearing), the PPC (invited), the FSA (the bank's sector ministry:
# the report is not delivered to it), the coordinator, a general member.
by_org() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE o.slug = '$1' AND p.active AND $2 ORDER BY p.id LIMIT 1"; }
HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
REP=$(by_org toto-bank "p.is_org_admin")
REP2=$(by_org toto-bank "NOT p.is_org_admin AND $HANDLER")
NOBODY=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE o.slug = 'toto-bank' AND NOT p.is_org_admin AND NOT $HANDLER ORDER BY p.id LIMIT 1")
# (An inactive person signs in nowhere; for this test it is active.)
sql "UPDATE council.people SET active = true WHERE email = '$NOBODY' AND NOT active RETURNING 1" >"$T/revive"
trap 'if [ -s "$T/revive" ]; then sql "UPDATE council.people SET active = false WHERE email = '"'"'$NOBODY'"'"'" >/dev/null; fi; rm -rf "$T"' EXIT
NISC=$(by_org nisc "$HANDLER")
PPC=$(by_org ppc "$HANDLER")
FSA=$(by_org fsa "$HANDLER")
COORD=$(by_org jpcert-cc "$HANDLER")
GEN=$(by_org finsec-isac "$HANDLER")
declare -A TOK WEB
for e in "$REP" "$REP2" "$NISC" "$PPC" "$FSA" "$COORD" "$GEN" "$NOBODY"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
	WEB[$e]=$(session "$e" web) || { echo "Bail out! no session for $e"; exit 1; }
done
org() { sql "SELECT id FROM council.organisations WHERE slug = '$1'"; }
O_NISC=$(org nisc); O_PPC=$(org ppc); O_FSA=$(org fsa)
ago() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
norm() { sed -E 's/"[0-9a-f]{32}"/RID/g' "$T/$1"; }
norm_page() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
hearings() { sql "SELECT count(*) FROM council.incident_hearings"; }
AT=$(ago '+2 days')

# The report: the bank's, delivered to NISC and the PPC (not the FSA).
api f1 "${TOK[$REP]}" POST /api/v1/incidents "{\"title\":\"hear-test $$\",\"aware_at\":\"$(ago '-2 hours')\",\"specified_operator\":true,\"personal_data\":true,\"unauthorised_access\":true,\"sector\":\"finance\",\"stage\":\"first_notice\",\"body\":{},\"authorities\":[$O_NISC, $O_PPC]}"
I=$(json f1 'd["id"]')
[ "$code" = 201 ] && [ -n "$I" ] || { echo "Bail out! no report ($code)"; exit 1; }
ABSENT_I=$(( $(sql "SELECT max(id) FROM council.incident_reports") + 1000 ))

# ---- R-NEW-3: who may ask, whom it may invite; bad input changes nothing. ----------
REQ="{\"subject\":\"hear-test how the VPN was entered $$\",\"agenda\":\"the gateway's logs\",\"proposed_at\":\"$AT\""
n0=$(hearings)
api r1 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/hearings" "$REQ,\"authorities\":[$O_FSA]}"
tap_is "$code $(json r1 'd["error"], d.get("item")') $(hearings)" "422 ('authority_not_delivered', 1) $n0" \
	"R-NEW-3: an authority the report was not delivered to (the FSA) cannot be invited; nothing is stored"
api r2 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/hearings" "{\"subject\":\"\",\"proposed_at\":\"$AT\"}"
api r3 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/hearings" "{\"subject\":\"x\",\"proposed_at\":\"not a time\"}"
api r4 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/hearings" "{\"subject\":\"x\",\"proposed_at\":\"$(ago '-1 day')\"}"
api r5 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/hearings" "$REQ,\"authorities\":[\"ppc\"]}"
tap_is "$code $(json r2 'd["error"]') $(json r3 'd["error"]') $(json r4 'd["error"]') $(json r5 'd["error"]') $(hearings)" \
	"422 invalid_subject invalid_request invalid_proposed_at invalid_request $n0" \
	"R-NEW-3: no subject, a time that is none or past, an authority that is no id: 422, nothing stored"
api r6 "${TOK[$REP]}" POST "/api/v1/incidents/$I/hearings" "$REQ}"
tap_is "$code $(json r6 'd["error"]')" "403 not_an_authority_of_it" "R-NEW-3: the reporter does not ask itself for a hearing"
api r7 "${TOK[$GEN]}" POST "/api/v1/incidents/$I/hearings" "$REQ}"
api r8 "${TOK[$GEN]}" POST "/api/v1/incidents/$ABSENT_I/hearings" "$REQ}"
tap_is "$code $(cat "$T/r7")" "404 $(cat "$T/r8")" \
	"R-NEW-3: to another member the report's hearings answer exactly like an absent report's"
api h1 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/hearings" "$REQ,\"authorities\":[$O_PPC]}"
H=$(json h1 'd["id"]')
tap_is "$code $(json h1 'd["status"], [(p["authority"], p["consent"]) for p in d["parties"]]')" \
	"201 ('requested', [($O_PPC, 'asked')])" "R-NEW-3: NISC asks the bank for a hearing, to be held with the PPC"
tap_is "$(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'hearing.requested:$H' AND p.email = '$REP'")/$(sql "SELECT count(*) FROM council.notifications WHERE dedupe LIKE 'hearing.%:$H%' AND (subject_ja ~ 'VPN' OR subject_en ~ 'VPN')")" \
	"1/0" "the reporter is told, by number, never content"
ABSENT_H=$(( $(sql "SELECT max(id) FROM council.incident_hearings") + 1000 ))

# ---- R-NEW-3: before consent, the invited authority sees nothing. --------------------
for who in REP REP2 NISC COORD; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/hearings/$H"
	tap_is "$code $(json g 'd["subject"]')" "200 hear-test how the VPN was entered $$" "R-NEW-3: $who reads the hearing"
done
api ga "${TOK[$GEN]}" GET "/api/v1/hearings/$ABSENT_H"
for who in PPC FSA GEN NOBODY; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/hearings/$H"
	tap_is "$code $(norm g | md5sum)" "404 $(norm ga | md5sum)" \
		"R-NEW-3: to $who (invited but not consented, not delivered, another member, no handler) it answers exactly like an absent id"
done
api l1 "${TOK[$PPC]}" GET /api/v1/hearings
api l2 "${TOK[$PPC]}" GET "/api/v1/incidents/$I/hearings"
tap_is "$code $(json l1 "sum(1 for h in d['hearings'] if h['id'] == $H)") $(json l2 'len(d["hearings"])')" "200 0 0" \
	"R-NEW-3: ... and no list of the PPC's counts it, though it reads the report"
api j0 "${TOK[$PPC]}" POST "/api/v1/hearings/$H" '{"action":"join"}'
api ja "${TOK[$PPC]}" POST "/api/v1/hearings/$ABSENT_H" '{"action":"join"}'
tap_is "$code $(norm j0 | md5sum)" "404 $(norm ja | md5sum)" \
	"R-NEW-3: the reporter's consent comes before another authority joins: without it, joining answers like an absent hearing"

# ---- R-NEW-3: the reporter consents, per authority. -----------------------------------------
api c0 "${TOK[$NISC]}" POST "/api/v1/hearings/$H" "{\"action\":\"consent\",\"authorities\":[$O_PPC]}"
tap_is "$code $(json c0 'd["error"]')" "403 only_the_reporter" "R-NEW-3: only the reporter consents"
api c1 "${TOK[$REP2]}" POST "/api/v1/hearings/$H" "{\"action\":\"consent\",\"authorities\":[$O_FSA]}"
tap_is "$code $(json c1 'd["error"]') $(sql "SELECT status FROM council.incident_hearings WHERE id = $H")" \
	"422 authority_not_invited requested" "R-NEW-3: consent to an authority not invited is refused, and changes nothing"
api c2 "${TOK[$REP2]}" POST "/api/v1/hearings/$H" "{\"action\":\"consent\",\"authorities\":[$O_PPC]}"
tap_is "$code $(json c2 'd["status"], [(p["authority"], p["consent"]) for p in d["parties"]]')" \
	"200 ('consented', [($O_PPC, 'consented')])" "R-NEW-3: a handler of the bank consents to the hearing and to the PPC"
tap_is "$(sql "SELECT count(*) > 0 FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'hearing.admitted:$H:$O_PPC' AND p.org_id = $O_PPC")" \
	"t" "the PPC is told it may join"
api g1 "${TOK[$PPC]}" GET "/api/v1/hearings/$H"
tap_is "$code $(json g1 'd["record_visible"], d["may_join"]')" "200 (False, True)" \
	"R-NEW-3: the PPC now sees the hearing; not joined yet, it does not read the record"
api w0 "${TOK[$PPC]}" POST "/api/v1/hearings/$H" '{"action":"record","body":"too early"}'
tap_is "$code $(json w0 'd["error"]')" "403 not_a_participant" "R-NEW-3: ... nor write it"
api j1 "${TOK[$PPC]}" POST "/api/v1/hearings/$H" '{"action":"join"}'
tap_is "$code $(json j1 'd["takes_part"], d["record_visible"]')" "200 (True, True)" "R-NEW-3: the PPC joins"

# ---- R-NEW-3: the shared record. -------------------------------------------------------
api w1 "${TOK[$PPC]}" POST "/api/v1/hearings/$H" '{"action":"record","body":"PPC: 1,200 people, names and account numbers"}'
api w2 "${TOK[$NISC]}" POST "/api/v1/hearings/$H" '{"action":"record","body":"NISC: entry through the VPN gateway"}'
tap_is "$code $(json w2 '[(n["seq"], n["org"]) for n in d["record"]]')" "200 [(1, $O_PPC), (2, $O_NISC)]" \
	"R-NEW-3: the PPC and NISC write one record"
api w3 "${TOK[$NISC]}" POST "/api/v1/hearings/$H" '{"action":"record","body":""}'
tap_is "$code $(json w3 'd["error"]') $(sql "SELECT count(*) FROM council.incident_hearing_notes WHERE hearing_id = $H")" \
	"422 invalid_body 2" "an empty note is refused, and changes nothing"
api w4 "${TOK[$REP]}" POST "/api/v1/hearings/$H" '{"action":"record","body":"x"}'
tap_is "$code $(json w4 'd["error"]')" "403 not_a_participant" "R-NEW-3: the reporter reads the record, does not write it"
for who in REP PPC COORD; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/hearings/$H"
	tap_is "$code $(json g 'len(d["record"])')" "200 2" "R-NEW-3: $who reads the shared record"
done
api g "${TOK[$FSA]}" GET "/api/v1/hearings/$H"
tap_is "$code $(norm g | md5sum)" "404 $(norm ga | md5sum)" "R-NEW-3: the FSA still finds nothing"

# ---- R-NEW-3: closing. ----------------------------------------------------------------------
api k0 "${TOK[$PPC]}" POST "/api/v1/hearings/$H" '{"action":"close","outcome":"held"}'
tap_is "$code $(json k0 'd["error"]')" "403 only_the_requester" "R-NEW-3: only the requesting authority closes the hearing"
api k1 "${TOK[$NISC]}" POST "/api/v1/hearings/$H" '{"action":"close","outcome":"finished"}'
tap_is "$code $(json k1 'd["error"]') $(sql "SELECT status FROM council.incident_hearings WHERE id = $H")" \
	"422 invalid_outcome consented" "an outcome that is none is refused, and changes nothing"
api k2 "${TOK[$NISC]}" POST "/api/v1/hearings/$H" '{"action":"close","outcome":"held","note":"held at the bank"}'
api k3 "${TOK[$NISC]}" POST "/api/v1/hearings/$H" '{"action":"record","body":"late"}'
tap_is "$code $(json k3 'd["error"]') $(json k2 'd["status"]')" "409 hearing_closed held" \
	"R-NEW-3: closed as held, the record is final"

# ---- R-NEW-3: an authority refused never sees the hearing. ---------------------------------
api h2 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/hearings" "{\"subject\":\"hear-test second $$\",\"proposed_at\":\"$AT\",\"authorities\":[$O_PPC]}"
H2=$(json h2 'd["id"]')
api c3 "${TOK[$REP]}" POST "/api/v1/hearings/$H2" '{"action":"consent","authorities":[]}'
tap_is "$code $(json c3 'd["status"], [p["consent"] for p in d["parties"]]')" "200 ('consented', ['refused'])" \
	"R-NEW-3: the bank consents to NISC's second hearing, not to the PPC's joining"
api g "${TOK[$PPC]}" GET "/api/v1/hearings/$H2"
api j2 "${TOK[$PPC]}" POST "/api/v1/hearings/$H2" '{"action":"join"}'
tap_is "$code $(norm g | md5sum) $(norm j2 | md5sum)" "404 $(norm ga | md5sum) $(norm ja | md5sum)" \
	"R-NEW-3: to the PPC, refused, it answers like an absent hearing, to read or to join"
api l3 "${TOK[$PPC]}" GET "/api/v1/incidents/$I/hearings"
tap_is "$(json l3 '[h["id"] for h in d["hearings"]]')" "[$H]" "R-NEW-3: ... and its list holds only the hearing it took part in"

# ---- The pages (Japanese first). ------------------------------------------------------------
W_NISC=${WEB[$NISC]}; W_REP=${WEB[$REP]}; W_PPC=${WEB[$PPC]}; W_GEN=${WEB[$GEN]}; W_COORD=${WEB[$COORD]}
page p1 "$W_NISC" "/incidents/$I/hearings"
tap_is "$code $(grep -c "href=\"/hearings/$H\"" "$T/p1") $(grep -c 'name="authority"' "$T/p1")" "200 1 1" \
	"R-NEW-3: NISC's page of the report's hearings lists them, with the form offering the PPC"
for who in REP PPC COORD; do
	eval "e=\$$who"
	page p "${WEB[$e]}" "/hearings/$H"
	tap_like "$code $(tr -d '\n' <"$T/p")" "^200 .*<h2 id=\"hearing-record-heading\">ヒアリングの記録</h2>.*NISC: entry through the VPN gateway" \
		"R-NEW-3: $who's page of the hearing shows the record"
done
page p2 "$W_GEN" "/hearings/$H"
page p3 "$W_GEN" "/hearings/$ABSENT_H"
tap_is "$code $(norm_page p2 | md5sum)" "404 $(norm_page p3 | md5sum)" "R-NEW-3: another member's page of it is the absent id's 404, byte for byte"
page p4 "$W_PPC" "/hearings/$H2"
tap_is "$code $(norm_page p4 | md5sum)" "404 $(norm_page p3 | md5sum)" "R-NEW-3: so is the refused PPC's page of the second hearing"
page p5 "$W_GEN" "/incidents/$I/hearings"
page p6 "$W_GEN" "/incidents/$ABSENT_I/hearings"
tap_is "$code $(norm_page p5 | md5sum)" "404 $(norm_page p6 | md5sum)" "R-NEW-3: and its page of the report's hearings, the absent report's"
PAT=$(TZ=Asia/Tokyo date -d '+3 days' +%Y-%m-%dT%H:%M)
n1=$(hearings)
form q1 "$W_NISC" "/incidents/$I/hearings" --data-urlencode "csrf=$(csrf "$W_NISC")" --data-urlencode "subject=" \
	--data-urlencode "agenda=聞き取り $$" --data-urlencode "proposed=$PAT" --data-urlencode "authority=$O_PPC"
tap_is "$code $(grep -c 'role="alert">件名を200字以内で入力してください。' "$T/q1") $(grep -c "聞き取り $$" "$T/q1") $(hearings)" "422 1 1 $n1" \
	"a request with no subject is refused on the page, which says why and keeps what was typed; nothing stored"
form q2 "$W_NISC" "/incidents/$I/hearings" --data-urlencode "csrf=$(csrf "$W_NISC")" --data-urlencode "subject=hear-test page $$" \
	--data-urlencode "agenda=聞き取り $$" --data-urlencode "proposed=$PAT" --data-urlencode "authority=$O_PPC"
H3=${loc##*/}
tap_is "$code $(sql "SELECT status || ':' || (SELECT string_agg(org_id::text, ',') FROM council.incident_hearing_parties WHERE hearing_id = h.id) FROM council.incident_hearings h WHERE id = ${H3:-0}")" \
	"303 requested:$O_PPC" "R-NEW-3: NISC asks for a hearing from the page, with the PPC"
page_done q3 "$W_NISC" "$loc" hearing.requested
tap_is "$code $(status_of q3)" "200 ヒアリングを依頼しました。報告者に通知されました。" "... and the hearing's page says so once"
form q4 "$W_REP" "/hearings/$H3" --data-urlencode "csrf=$(csrf "$W_REP")" --data-urlencode action=consent --data-urlencode "authority=$O_PPC"
tap_is "$code $(grep -c 'id="confirm-heading">このヒアリングに同意しますか？' "$T/q4") $(grep -c "name=\"authorities\" value=\"$O_PPC\"" "$T/q4") $(sql "SELECT status FROM council.incident_hearings WHERE id = $H3")" \
	"200 1 1 requested" "R-NEW-3: the reporter's consent is asked first, carrying the authorities ticked; nothing changes yet"
form q5 "$W_GEN" "/hearings/$H3" --data-urlencode "csrf=$(csrf "$W_GEN")" --data-urlencode action=consent
tap_is "$code" 404 "... while to another member the same post answers 404, asking nothing"
form q6 "$W_REP" "/hearings/$H3" --data-urlencode "csrf=$(csrf "$W_REP")" --data-urlencode action=consent \
	--data-urlencode "authorities=$O_PPC" --data-urlencode confirm=yes
tap_is "$code $(sql "SELECT h.status || ':' || p.consent FROM council.incident_hearings h JOIN council.incident_hearing_parties p ON p.hearing_id = h.id WHERE h.id = $H3")" \
	"303 consented:consented" "R-NEW-3: confirmed, the reporter consents to the hearing and to the PPC"
form q7 "$W_PPC" "/hearings/$H3" --data-urlencode "csrf=$(csrf "$W_PPC")" --data-urlencode action=join
form q8 "$W_PPC" "/hearings/$H3" --data-urlencode "csrf=$(csrf "$W_PPC")" --data-urlencode action=record --data-urlencode "body=個人データ 1,200人 $$"
tap_is "$code $(sql "SELECT count(*) FROM council.incident_hearing_notes WHERE hearing_id = $H3 AND org_id = $O_PPC")" "303 1" \
	"R-NEW-3: the PPC joins and writes the record from the page"
form q9 "$W_PPC" "/hearings/$H3" --data-urlencode "csrf=$(csrf "$W_PPC")" --data-urlencode action=record --data-urlencode "body="
tap_is "$code $(grep -c 'role="alert">記録を4,000字以内で入力してください。' "$T/q9") $(sql "SELECT count(*) FROM council.incident_hearing_notes WHERE hearing_id = $H3")" \
	"422 1 1" "an empty note is refused on the page, and changes nothing"
form q10 "$W_NISC" "/hearings/$H3" --data-urlencode "csrf=$(csrf "$W_NISC")" --data-urlencode action=close --data-urlencode outcome=held
tap_is "$code $(grep -c 'id="confirm-heading">実施済みとして記録を確定しますか？' "$T/q10") $(sql "SELECT status FROM council.incident_hearings WHERE id = $H3")" \
	"200 1 consented" "R-NEW-3: closing as held is asked first"
form q11 "$W_NISC" "/hearings/$H3" --data-urlencode "csrf=$(csrf "$W_NISC")" --data-urlencode action=close \
	--data-urlencode outcome=held --data-urlencode confirm=yes
tap_is "$code $(sql "SELECT status FROM council.incident_hearings WHERE id = $H3")" "303 held" "... and, confirmed, done"
form q12 "$W_NISC" "/hearings/$H3" --data-urlencode action=record --data-urlencode "body=x"
tap_is "$code" 403 "a form without its token is refused"
tap_done
