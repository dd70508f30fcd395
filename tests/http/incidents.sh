#!/usr/bin/env bash
# Black-box tests of incident reports (issue 13 items 1-4; R-NEW-3)
# through the JSON API: an operator answers the questions and sees the
# regimes, authorities and deadlines that apply; files one report,
# delivered at once to the authorities it confirms and to no other; only
# the reporter, those authorities and the coordinator see it (a hidden id
# answers exactly like an absent one, and a list counts nothing hidden);
# an authority acknowledges and the reporter is told of the other duties
# that may apply; stages follow, never back, the final one complete; the
# deadlines' states at their boundary (a minute before and after), a late
# stage counted late, and a reminder once.
#
# Usage: tests/http/incidents.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-inc.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

# The cast (demo council): the bank's administrator and one of its
# handlers, a person of the bank who is no handler; NISC (the basic
# policy's authority), the PPC, the FSA (the bank's sector ministry), the
# coordinator, a general member.
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
declare -A TOK
for e in "$REP" "$REP2" "$NISC" "$PPC" "$FSA" "$COORD" "$GEN"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
done
TOK[$NOBODY]=$(session "$NOBODY" api) || { echo "Bail out! no token for $NOBODY"; exit 1; }
org() { sql "SELECT id FROM council.organisations WHERE slug = '$1'"; }
O_NISC=$(org nisc); O_PPC=$(org ppc); O_FSA=$(org fsa); O_BANK=$(org toto-bank)
ago() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
norm() { sed -E 's/"[0-9a-f]{32}"/RID/g' "$T/$1"; }

# ---- R-NEW-3: the questions decide the regimes. ----------------------------------
AW=$(ago '-2 hours')
api q1 "${TOK[$REP]}" POST /api/v1/incidents/preview "{\"specified_operator\":true,\"personal_data\":true,\"unauthorised_access\":true,\"sector\":\"finance\",\"aware_at\":\"$AW\"}"
tap_is "$code $(json q1 '" ".join(r["regime"] + ":" + str(r["authority"]) for r in d["regimes"])')" \
	"200 basic_policy:$O_NISC ppc_breach:$O_PPC sector:$O_FSA voluntary:$(org jpcert-cc)" \
	"R-NEW-3: an operator of specified computers, personal data, finance: the basic policy (NISC), the PPC, the FSA, and the voluntary report"
tap_is "$(json q1 '[(r["first_notice_due"][:16], r["preliminary_due"][:16], r["final_due"][:16]) for r in d["regimes"] if r["regime"] == "ppc_breach"][0]')" \
	"$(python3 -c "import datetime as t,sys; a=t.datetime.fromisoformat(sys.argv[1].replace('Z','+00:00')); f=lambda d: (a+t.timedelta(days=d)).isoformat()[:16]; print((f(1), f(5), f(60)))" "$AW")" \
	"R-NEW-3: the PPC's deadlines from awareness: first notice 1 day, preliminary 5 days, final 60 days (unauthorised access)"
api q2 "${TOK[$REP]}" POST /api/v1/incidents/preview '{"specified_operator":false,"personal_data":true,"unauthorised_access":false}'
tap_is "$(json q2 '[(r["regime"], r["final_due"]) for r in d["regimes"]]')" "[('ppc_breach', None), ('voluntary', None)]" \
	"R-NEW-3: personal data without unauthorised access and no sector: the PPC (final 30 days) and the voluntary report"
api q3 "${TOK[$REP]}" POST /api/v1/incidents/preview '{"personal_data":"yes"}'
tap_is "$code $(cat "$T/q3")" '422 {"error" : "invalid_personal_data"}' "a malformed answer is named"

# ---- R-NEW-3: one report, to the authorities confirmed. -------------------------------
BODY='{"summary":"files encrypted on the file server","systems":["file server"],"techniques":["T1486","T1078.002"],"indicators":["198.51.100.7"],"outage":true,"persons":1200,"data_kinds":["names","account numbers"],"statements":[{"text":"entry through the VPN gateway","confirmed":false}]}'
FILE="{\"title\":\"inc-test ransomware $$\",\"aware_at\":\"$AW\",\"specified_operator\":true,\"personal_data\":true,\"unauthorised_access\":true,\"sector\":\"finance\",\"stage\":\"first_notice\",\"body\":$BODY"
n0=$(sql "SELECT count(*) FROM council.incident_reports")
api b1 "${TOK[$REP]}" POST /api/v1/incidents "$FILE,\"authorities\":[$O_NISC, $(org npa)]}"
tap_is "$code $(cat "$T/b1") $(sql "SELECT count(*) FROM council.incident_reports")" \
	"422 {\"error\" : \"authority_not_applicable\"} $n0" "R-NEW-3: an authority no regime names is refused, and nothing is stored"
api b2 "${TOK[$REP]}" POST /api/v1/incidents "$FILE,\"body\":{\"techniques\":[\"X1486\"]},\"authorities\":[$O_NISC]}"
tap_is "$code $(cat "$T/b2")" '422 {"error" : "invalid_techniques"}' "an ATT&CK technique id is checked for its form"
api b2b "${TOK[$REP]}" POST /api/v1/incidents "$FILE,\"body\":{\"techniques\":[\"T1486\",\"T9999\"]},\"authorities\":[$O_NISC]}"
tap_is "$code $(cat "$T/b2b")" '422 {"error" : "invalid_techniques"}' "R-NEW-3: ... and against the bundled ATT&CK list (T9999 is none of v18.1's)"
api b3 "${TOK[$NOBODY]}" POST /api/v1/incidents "$FILE,\"authorities\":[$O_NISC]}"
tap_is "$code $(cat "$T/b3")" '403 {"error" : "not_a_handler"}' "R-ORG-4: a person who is no handler (nor the administrator) cannot report"
api f1 "${TOK[$REP]}" POST /api/v1/incidents "$FILE,\"authorities\":[$O_NISC, $O_PPC]}"
I=$(json f1 'd["id"]')
tap_is "$code $(json f1 '[x["authority"] for x in d["deliveries"]]')" "201 [$O_NISC, $O_PPC]" \
	"R-NEW-3: one report, one submission, delivered to NISC and the PPC at once"
tap_is "$(json f1 'd["submissions"][0]["body"]["statements"][0]["confirmed"]')" False \
	"R-NEW-3: a first notice may carry an unconfirmed statement"
tap_is "$(sql "SELECT string_agg(DISTINCT p.org_id::text, ',' ORDER BY p.org_id::text) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'incident.delivered:$I'")" \
	"$(printf '%s\n' "$O_NISC" "$O_PPC" | sort | paste -sd,)" "each authority is told (and no one else)"
tap_is "$(sql "SELECT count(*) FROM council.notifications WHERE dedupe = 'incident.delivered:$I' AND (subject_ja ~ 'ransomware|encrypted' OR subject_en ~ 'ransomware|encrypted')")" 0 \
	"... by number, never content"

# ---- R-NEW-3: who sees it. ---------------------------------------------------------------
ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.incident_reports") + 1000 ))
for who in REP2 NISC PPC COORD; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/incidents/$I"
	tap_is "$code $(json g 'd["title"]')" "200 inc-test ransomware $$" "R-NEW-3: $who reads the report"
done
api ga "${TOK[$GEN]}" GET "/api/v1/incidents/$ABSENT"
for who in GEN FSA NOBODY; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/incidents/$I"
	tap_is "$code $(norm g | md5sum)" "404 $(norm ga | md5sum)" \
		"R-NEW-3: to $who (not the reporter, not an authority it was delivered to, or no handler) it answers exactly like an absent id"
done
api l1 "${TOK[$GEN]}" GET /api/v1/incidents
api l2 "${TOK[$FSA]}" GET /api/v1/incidents
tap_is "$(json l1 "sum(1 for x in d['incidents'] if x['id'] == $I)") $(json l2 "sum(1 for x in d['incidents'] if x['id'] == $I)")" "0 0" \
	"R-NEW-3: ... and no list counts it"
api l3 "${TOK[$PPC]}" GET /api/v1/incidents
tap_is "$(json l3 "[(x['stage'], x['acknowledged']) for x in d['incidents'] if x['id'] == $I]")" "[('first_notice', False)]" \
	"R-NEW-3: the PPC's list of its reports shows it, at its stage, not yet acknowledged"
api h1 "${TOK[$GEN]}" POST "/api/v1/incidents/$I" '{"action":"acknowledge"}'
api h2 "${TOK[$GEN]}" POST "/api/v1/incidents/$ABSENT" '{"action":"acknowledge"}'
tap_is "$code $(cat "$T/h1")" "404 $(cat "$T/h2")" "acting on a hidden report answers like an absent one"

# ---- R-NEW-3: acknowledged; the mutual introduction. ---------------------------------------
api k0 "${TOK[$REP]}" POST "/api/v1/incidents/$I" '{"action":"acknowledge"}'
tap_is "$code $(cat "$T/k0")" '403 {"error" : "not_an_authority_of_it"}' "the reporter does not acknowledge its own report"
api k1 "${TOK[$PPC]}" POST "/api/v1/incidents/$I" '{"action":"acknowledge"}'
tap_is "$code $(json k1 '[x["regime"] for x in d["introductions"]]')" "200 ['sector']" \
	"R-NEW-3: the PPC acknowledges; the duty to the sector ministry, not yet met, is introduced"
tap_like "$(sql "SELECT subject_ja FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'incident.ack:$I:$O_PPC' AND p.email = '$REP'")" \
	"^インシデント報告 #$I を受領しました。他の報告義務の可能性: 金融庁" "... and the reporter is told so, by the portal"
tap_is "$(sql "SELECT acknowledged_at IS NOT NULL FROM council.incident_deliveries WHERE report_id = $I AND authority_org_id = $O_PPC")/$(sql "SELECT acknowledged_at IS NULL FROM council.incident_deliveries WHERE report_id = $I AND authority_org_id = $O_NISC")" \
	"t/t" "the PPC's acknowledgement is recorded; NISC's is still due"
api k2 "${TOK[$PPC]}" POST "/api/v1/incidents/$I" '{"action":"acknowledge"}'
tap_is "$code $(sql "SELECT count(*) FROM council.audit_log WHERE action = 'incident.ack' AND object_id = $I")" "200 1" \
	"acknowledging twice records it once"

# ---- R-NEW-3: stages. ------------------------------------------------------------------------
api s0 "${TOK[$PPC]}" POST "/api/v1/incidents/$I" '{"action":"submit","stage":"preliminary","body":{}}'
tap_is "$code $(cat "$T/s0")" '403 {"error" : "only_the_reporter"}' "an authority does not write the reporter's report"
api s1 "${TOK[$REP2]}" POST "/api/v1/incidents/$I" "{\"action\":\"submit\",\"stage\":\"preliminary\",\"body\":$BODY}"
tap_is "$code $(json s1 'd["stage"]') $(json s1 'd["submissions"][-1]["amendment"]')" "200 preliminary False" \
	"R-NEW-3: another handler of the bank submits the preliminary report (uncertain content allowed)"
api s2 "${TOK[$REP2]}" POST "/api/v1/incidents/$I" "{\"action\":\"submit\",\"stage\":\"preliminary\",\"body\":$BODY}"
tap_is "$code $(json s2 'd["submissions"][-1]["amendment"]') $(json s2 'len(d["submissions"])')" "200 True 3" "... and amends it"
api s3 "${TOK[$REP]}" POST "/api/v1/incidents/$I" "{\"action\":\"submit\",\"stage\":\"final\",\"body\":$BODY}"
tap_is "$code $(cat "$T/s3")" '422 {"error" : "final_incomplete"}' \
	"R-NEW-3: a final report with an unconfirmed statement (and no cause or measures) is refused"
FINAL='{"summary":"files encrypted","cause":"an unpatched VPN gateway","measures":"gateway patched, passwords reset","statements":[{"text":"entry through the VPN gateway","confirmed":true}]}'
api s4 "${TOK[$REP]}" POST "/api/v1/incidents/$I" "{\"action\":\"submit\",\"stage\":\"final\",\"body\":$FINAL}"
tap_is "$code $(json s4 'd["stage"]') $(json s4 'sorted(set(x["state"] for x in d["deadlines"]))')" "200 final ['met']" \
	"R-NEW-3: the final report, complete: every stage met"
api s5 "${TOK[$REP]}" POST "/api/v1/incidents/$I" "{\"action\":\"submit\",\"stage\":\"preliminary\",\"body\":$BODY}"
tap_is "$code $(cat "$T/s5")" '409 {"error" : "stage_goes_back"}' "a stage never goes back"
tap_is "$(sql "SELECT count(*) FROM council.notifications WHERE dedupe LIKE 'incident.updated:$I:%'")" \
	"$(( $(sql "SELECT count(*) FROM council.people p WHERE p.org_id IN ($O_NISC, $O_PPC) AND p.active AND (p.is_org_admin OR EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL))") * 3 ))" \
	"every authority is told of each of the three submissions"

# ---- R-NEW-3: a deadline's state at its boundary; a late stage counted late. ------------------
# NISC's preliminary report is due 72 hours after awareness.
api e1 "${TOK[$REP]}" POST /api/v1/incidents "{\"title\":\"inc-test due in a minute $$\",\"aware_at\":\"$(ago '-72 hours +1 minute')\",\"specified_operator\":true,\"personal_data\":false,\"unauthorised_access\":false,\"stage\":\"first_notice\",\"body\":{},\"authorities\":[$O_NISC]}"
api e2 "${TOK[$REP]}" POST /api/v1/incidents "{\"title\":\"inc-test due a minute ago $$\",\"aware_at\":\"$(ago '-72 hours -1 minute')\",\"specified_operator\":true,\"personal_data\":false,\"unauthorised_access\":false,\"stage\":\"first_notice\",\"body\":{},\"authorities\":[$O_NISC]}"
E1=$(json e1 'd["id"]'); E2=$(json e2 'd["id"]')
tap_is "$(json e1 '[(x["stage"], x["state"]) for x in d["deadlines"]]')" \
	"[('first_notice', 'late'), ('preliminary', 'open'), ('final', 'open')]" \
	"R-NEW-3: a minute before the preliminary's deadline it is open (the first notice, filed 71 hours late, is late)"
tap_is "$(json e2 '[x["state"] for x in d["deadlines"] if x["stage"] == "preliminary"]')" "['overdue']" \
	"R-NEW-3: a minute after, it is overdue"
api e3 "${TOK[$REP]}" POST "/api/v1/incidents/$E2" '{"action":"submit","stage":"preliminary","body":{}}'
tap_is "$(json e3 '[x["state"] for x in d["deadlines"] if x["stage"] == "preliminary"]')" "['late']" \
	"R-NEW-3: submitted now, the preliminary report is recorded late"
api l4 "${TOK[$NISC]}" GET /api/v1/incidents
tap_is "$(json l4 "[x['late'] for x in d['incidents'] if x['id'] == $E2]")" "[2]" \
	"R-NEW-3: NISC's list counts its two late stages"

# ---- R-NEW-3: reminded once of a stage due within a day. --------------------------------------
sql "SELECT council.incident_remind()" >/dev/null
sql "SELECT council.incident_remind()" >/dev/null
tap_is "$(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'incident.due:$E1:basic_policy:preliminary' AND p.email = '$REP'")/$(sql "SELECT count(*) FROM council.notifications WHERE dedupe LIKE 'incident.due:$I:%'")" \
	"1/0" "R-NEW-3: the reporter is reminded once of the stage due within a day; a report whose stages are met, not at all"
# ---- The pages (Japanese first): the one form, the report, hidden as absent. ------------
W_REP=$(session "$REP" web); W_GEN=$(session "$GEN" web); W_NISC=$(session "$NISC" web)
AWJ=$(TZ=Asia/Tokyo date -d '-3 hours' +%Y-%m-%dT%H:%M)
newform() {	# newform NAME SESSION [curl args]: the form with the answers
	local n=$1 w=$2; shift 2
	form "$n" "$w" /incidents/new --data-urlencode "csrf=$(csrf "$w")" --data-urlencode "title=inc-test page $$" \
		--data-urlencode "aware=$AWJ" --data-urlencode specified=yes --data-urlencode personal=yes \
		--data-urlencode unauthorised=no --data-urlencode sector=finance --data-urlencode stage=first_notice \
		--data-urlencode "summary=暗号化 $$" --data-urlencode "statement=VPN 経由の可能性" \
		--data-urlencode statement_state=unconfirmed "$@"
}
newform p1 "$W_REP" --data-urlencode action=preview
tap_is "$code $(grep -c 'name="authority" id="incident-authority-[0-9]*" value="[0-9]*" checked="checked"' "$T/p1") $(grep -c "value=\"$(org jpcert-cc)\" />" "$T/p1")" "200 3 1" \
	"R-NEW-3: the page shows the regimes for the answers: the three with a duty ticked, the voluntary one not"
tap_like "$(tr -d '\n' <"$T/p1")" "個人情報保護委員会</strong> — <span>個人データの漏えい等の報告（個人情報保護委員会）</span> <span class=\"badge\">報告義務</span></label><p class=\"help\"><span>一報</span>: <span><time>[0-9-]+ [0-9:]+</time> \\(JST\\)</span>" \
	"R-NEW-3: ... each authority with its deadlines, in JST"
tap_like "$(cat "$T/p1")" "value=\"inc-test page $$\"" "... and the form keeps what was typed"
n1=$(sql "SELECT count(*) FROM council.incident_reports")
newform p2 "$W_REP" --data-urlencode action=file
tap_is "$code $(grep -c 'role="alert">届け先を一つ以上選んでください。' "$T/p2") $(sql "SELECT count(*) FROM council.incident_reports")" "422 1 $n1" \
	"filing with no authority ticked is refused, says why, stores nothing"
newform p3 "$W_REP" --data-urlencode action=file --data-urlencode "authority=$O_NISC" --data-urlencode "authority=$O_PPC"
PI=${loc##*/}
tap_is "$code $(sql "SELECT count(*) FROM council.incident_deliveries WHERE report_id = ${PI:-0}")" "303 2" \
	"R-NEW-3: filed from the page: one report, two deliveries"
page_done p4 "$W_REP" "$loc" incident.filed
tap_is "$code $(status_of p4)" "200 報告しました。選んだ届け先に届き、各機関に通知されました。" "... and the report's page says so once"
tap_like "$(tr -d '\n' <"$T/p4")" "<td><span>個人情報保護委員会</span> \\(<span>個人データの漏えい等の報告</span>\\)</td><td>速報</td><td><time>[0-9-]+ [0-9:]+</time> \\(JST\\)</td><td><span class=\"badge badge--open\">未提出</span> <span><span>残り</span> <span>4日" \
	"R-NEW-3: the page shows each deadline with the time left"
page p5 "$W_GEN" "/incidents/$PI"
page p6 "$W_GEN" "/incidents/$ABSENT"
norm_page() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
tap_is "$code $(norm_page p5 | md5sum)" "404 $(norm_page p6 | md5sum)" "R-NEW-3: another member's page of it is the absent id's 404, byte for byte"
page p7 "$W_GEN" /incidents
tap_unlike "$(cat "$T/p7")" "inc-test" "... and its list names none of these reports"
form p8 "$W_REP" "/incidents/$PI" --data-urlencode "csrf=$(csrf "$W_REP")" --data-urlencode action=submit \
	--data-urlencode stage=final --data-urlencode "summary=暗号化" --data-urlencode "statement=VPN 経由 $$" --data-urlencode statement_state=unconfirmed
tap_is "$code $(grep -c "value=\"VPN 経由 $$\"" "$T/p8") $(grep -c 'role="alert">確報には' "$T/p8")" "422 1 1" \
	"R-NEW-3: an incomplete final report is refused on the page, which keeps what was typed"
form p9 "$W_NISC" "/incidents/$PI" --data-urlencode "csrf=$(csrf "$W_NISC")" --data-urlencode action=acknowledge
tap_is "$code $(sql "SELECT acknowledged_at IS NOT NULL FROM council.incident_deliveries WHERE report_id = ${PI:-0} AND authority_org_id = $O_NISC")" "303 t" \
	"R-NEW-3: NISC records its receipt from the page"
form p10 "$W_GEN" "/incidents/$PI" --data-urlencode "csrf=$(csrf "$W_GEN")" --data-urlencode action=acknowledge
tap_is "$code" 404 "... which another member cannot even find"
# The list speaks the person's own language from the first request (its
# reads run before the identity is known: CALLER_EN).
sql "UPDATE council.people SET lang = 'en' WHERE email = '$NISC'" >/dev/null
page p11 "$W_NISC" /incidents
sql "UPDATE council.people SET lang = 'ja' WHERE email = '$NISC'" >/dev/null
BANK_EN=$(sql "SELECT name_en FROM council.organisations WHERE slug = 'toto-bank'")
BANK_JA=$(sql "SELECT name_ja FROM council.organisations WHERE slug = 'toto-bank'")
tap_is "$code $(grep -qF "$BANK_EN" "$T/p11" && echo en) $(grep -qF "$BANK_JA" "$T/p11" && echo ja)" "200 en " \
	"an English-speaking authority's list names the reporter in English, not in Japanese"
tap_done
