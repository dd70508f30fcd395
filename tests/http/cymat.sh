#!/usr/bin/env bash
# Black-box tests of support requests to CYMAT (issue 13 item 7;
# R-CYMAT-1; seed 003 §10-15) through the JSON API, from request to
# closure: a ministry's CISO requests support (a company cannot; a CSIRT
# only in an emergency); the head is told; the head dispatches two team
# members (a member of the team cannot decide); the ministry reports its
# damage as it goes; the head ends the support.  Who sees the case: the
# ministry, the head and the leads, the members dispatched, the
# coordinator; for anyone else (another ministry, a member not
# dispatched) it answers like an absent case.
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
for who in HEAD LEAD COORD BODY; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/cymat/$C"
	tap_is "$code" 200 "R-CYMAT-1: $who reads the case"
done
for who in OTHER M1 CO; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/cymat/$C"
	tap_is "$code $(cat "$T/g")" "404 $(cat "$T/ga")" "R-CYMAT-1: to $who (not dispatched, not the body) it answers like an absent case"
done

# ---- Dispatch (§11), damage (§13), end (§14). ---------------------------------------------------
api d0 "${TOK[$LEAD]}" POST "/api/v1/cymat/$C" "{\"action\":\"dispatch\",\"members\":[$(pid "$M2")]}"
tap_is "$code $(cat "$T/d0")" '403 {"error" : "only_the_head"}' "R-CYMAT-1: only the head orders the dispatch"
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
api n1 "${TOK[$HEAD]}" POST "/api/v1/cymat/$C2" '{"action":"decline"}'
api n2 "${TOK[$HEAD]}" POST "/api/v1/cymat/$C2" '{"action":"decline","note":"not an event CYMAT supports"}'
tap_is "$(cat "$T/n1") $code $(json n2 'd["status"]') $(json n2 'd["wider_use_consent"]')" '{"error" : "note_required"} 200 declined True' \
	"R-CYMAT-1: the head declines with a reason; the body's prior consent to wider use is recorded"
tap_done
