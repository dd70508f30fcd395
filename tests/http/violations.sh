#!/usr/bin/env bash
# Black-box tests of violation reports (issue 13 item 8; R-VIOL-1, R-ORG-6)
# through the JSON API: a member reports a suspected leak to the
# secretariat, naming a post it reads (one it cannot read is named like an
# absent one); only the reporter and the secretariat see the report, and
# the member reported on learns nothing, not even that it exists; the
# secretariat opens the recorded access case from it (the posts named, no
# more; granting nothing until a committee member approves it), and closes
# the report, the reporter being told.
#
# Usage: tests/http/violations.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-vio.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active AND $HANDLER ORDER BY p.id LIMIT 1"; }
REP=$(one "o.slug = 'toto-bank'")				# the reporter
SUBJ=$(one "o.slug = 'mizukane-networks'")			# the member reported on
SEC=$(one "o.council_role = 'secretariat'")			# NISC group 2
COORD=$(one "o.council_role = 'coordinator'")
CMT=$(sql "SELECT p.email FROM council.committee_members c JOIN council.people p ON p.id = c.person_id
	WHERE NOT c.is_chair ORDER BY p.id LIMIT 1")		# approves the case
declare -A TOK
for e in "$REP" "$SUBJ" "$SEC" "$COORD" "$CMT"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
done
O_SUBJ=$(sql "SELECT id FROM council.organisations WHERE slug = 'mizukane-networks'")

# Posts: one the bank reads (the subject's, to all members); one it does not.
api p1 "${TOK[$SUBJ]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"vio-test shared $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
P1=$(json p1 'd["id"]')
api p2 "${TOK[$SUBJ]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"vio-test private $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"org\":$O_SUBJ}]}"
P2=$(json p2 'd["id"]')
ABSENT_POST=$(( $(sql "SELECT max(id) FROM council.posts") + 1000 ))

# ---- Filing. ---------------------------------------------------------------------------
n0=$(sql "SELECT count(*) FROM council.violation_reports")
api f0 "${TOK[$REP]}" POST /api/v1/violations "{\"kind\":\"leak\",\"subject\":$O_SUBJ,\"description\":\"vio-test: our post seen outside its scope $$\",\"posts\":[$P2]}"
c0="$code $(cat "$T/f0")"
api f0b "${TOK[$REP]}" POST /api/v1/violations "{\"kind\":\"leak\",\"subject\":$O_SUBJ,\"description\":\"vio-test: our post seen outside its scope $$\",\"posts\":[$ABSENT_POST]}"
tap_is "$c0 $(sql "SELECT count(*) FROM council.violation_reports")" "$code $(cat "$T/f0b") $n0" \
	"R-VIOL-1: naming a post the reporter cannot read fails exactly like naming an absent one, and stores nothing"
api f1 "${TOK[$REP]}" POST /api/v1/violations '{"kind":"gossip","description":"vio-test: too vague"}'
api f2 "${TOK[$REP]}" POST /api/v1/violations '{"kind":"leak","description":"short"}'
tap_is "$(cat "$T/f1") $(cat "$T/f2")" '{"error":"invalid_request"} {"error" : "invalid_description"}' \
	"R-VIOL-1: an unknown kind and a description under 10 characters are refused"
api f3 "${TOK[$REP]}" POST /api/v1/violations "{\"kind\":\"leak\",\"subject\":$O_SUBJ,\"description\":\"vio-test: a leak of post $P1 suspected $$\",\"posts\":[$P1]}"
V=$(json f3 'd["id"]')
tap_is "$code $(json f3 'd["posts"]') $(json f3 'd["kind"]')" "201 [$P1] leak" \
	"R-VIOL-1: the member reports a suspected leak to the secretariat, naming the post"
tap_is "$(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id
	JOIN council.organisations o ON o.id = p.org_id WHERE n.dedupe = 'violation.filed:$V' AND o.council_role IS DISTINCT FROM 'secretariat'")/$(sql "SELECT count(*) > 0 FROM council.notifications WHERE dedupe = 'violation.filed:$V'")" \
	"0/t" "the secretariat is told (and nobody else)"

# ---- Who sees it. ------------------------------------------------------------------------
ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.violation_reports") + 1000 ))
api g1 "${TOK[$SEC]}" GET "/api/v1/violations/$V"
api g2 "${TOK[$REP]}" GET "/api/v1/violations/$V"
tap_is "$(json g1 'd["description"][:8]') $(json g2 'd["mine"]')" "vio-test True" "R-VIOL-1: the secretariat and the reporter read it"
api ga "${TOK[$SUBJ]}" GET "/api/v1/violations/$ABSENT"
for who in SUBJ COORD CMT; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/violations/$V"
	tap_is "$code $(cat "$T/g")" "404 $(cat "$T/ga")" "R-VIOL-1: to $who it answers exactly like an absent report"
done
api l1 "${TOK[$SUBJ]}" GET /api/v1/violations
tap_is "$(json l1 'len(d["violations"])')" 0 "R-VIOL-1: the member reported on finds no report at all (not even a count)"
tap_is "$(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE p.org_id = $O_SUBJ AND n.dedupe LIKE 'violation.%:$V'")" 0 \
	"R-VIOL-1: ... and is told nothing"

# ---- R-ORG-6: the recorded access case. ---------------------------------------------------
EXP=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)
api o0 "${TOK[$REP]}" POST "/api/v1/violations/$V" "{\"action\":\"open_case\",\"expires_at\":\"$EXP\"}"
tap_is "$code $(cat "$T/o0")" '403 {"error" : "only_the_secretariat"}' "the reporter does not open the case"
api o1 "${TOK[$SEC]}" POST "/api/v1/violations/$V" "{\"action\":\"open_case\",\"expires_at\":\"$EXP\"}"
C=$(json o1 'd["access_case"]')
tap_is "$code $(sql "SELECT string_agg(post_id::text, ',') FROM council.access_case_posts WHERE case_id = ${C:-0}")" "200 $P1" \
	"R-VIOL-1, R-ORG-6: the secretariat opens the recorded access case: exactly the posts named"
api o2 "${TOK[$SEC]}" POST "/api/v1/violations/$V" "{\"action\":\"open_case\",\"expires_at\":\"$EXP\"}"
tap_is "$code $(cat "$T/o2")" '409 {"error" : "case_already_opened"}' "... once"
api r0 "${TOK[$SEC]}" GET "/api/v1/posts/$P1"
tap_is "$code" 404 "R-ORG-6: until a committee member approves it, the case grants nothing"
api a1 "${TOK[$CMT]}" POST "/api/v1/access-cases/$C" '{"action":"approve"}'
api r1 "${TOK[$SEC]}" GET "/api/v1/posts/$P1"
tap_is "$code $(json r1 'd["title"]')" "200 vio-test shared $$" "R-ORG-6: approved, the secretariat reads the post named"
api r2 "${TOK[$SEC]}" GET "/api/v1/posts/$P2"
tap_is "$code" 404 "R-ORG-6: ... and no other"

# ---- Closing. ------------------------------------------------------------------------------
api c0 "${TOK[$REP]}" POST "/api/v1/violations/$V" '{"action":"close","outcome":"x"}'
tap_is "$code" 403 "only the secretariat closes a report"
api c1 "${TOK[$SEC]}" POST "/api/v1/violations/$V" '{"action":"close","outcome":"no breach found; the post was in scope"}'
tap_is "$code $(json c1 '"closed" if d["closed_at"] else "open"') $(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'violation.closed:$V' AND p.email = '$REP'")" \
	"200 closed 1" "R-VIOL-1: the secretariat closes the report with its outcome; the reporter is told"
api c2 "${TOK[$SEC]}" POST "/api/v1/violations/$V" '{"action":"close","outcome":"again"}'
tap_is "$code $(cat "$T/c2")" '409 {"error" : "violation_closed"}' "... once"
tap_is "$(sql "SELECT string_agg(action, ' ' ORDER BY id) FROM council.audit_log WHERE object_type = 'violation_report' AND object_id = $V")" \
	"violation.file violation.case violation.close" "every step is in the audit log"
# ---- The pages (Japanese first). --------------------------------------------------------------
W_REP=$(session "$REP" web); W_SEC=$(session "$SEC" web); W_SUBJ=$(session "$SUBJ" web)
form w1 "$W_REP" /violations --data-urlencode "csrf=$(csrf "$W_REP")" --data-urlencode kind=misuse \
	--data-urlencode "subject=$O_SUBJ" --data-urlencode "description=vio-test page $$ misuse suspected" \
	--data-urlencode "posts=#$P2"
tap_is "$code $(grep -c 'role="alert">挙げた投稿が見つかりません' "$T/w1") $(grep -c "value=\"#$P2\"" "$T/w1") $(grep -c "vio-test page $$ misuse suspected</textarea>" "$T/w1")" "422 1 1 1" \
	"R-VIOL-1: the form refuses a post the reporter cannot read, says why and keeps what was typed"
form w2 "$W_REP" /violations --data-urlencode "csrf=$(csrf "$W_REP")" --data-urlencode kind=misuse \
	--data-urlencode "subject=$O_SUBJ" --data-urlencode "description=vio-test page $$ misuse suspected" \
	--data-urlencode "posts=#$P1"
V2=${loc##*/}
tap_is "$code $(sql "SELECT kind || ' ' || (SELECT string_agg(post_id::text, ',') FROM council.violation_report_posts WHERE report_id = ${V2:-0}) FROM council.violation_reports WHERE id = ${V2:-0}")" \
	"303 misuse $P1" "R-VIOL-1: reported from the page"
page w3 "$W_SUBJ" "/violations/$V2"
page w4 "$W_SUBJ" "/violations/$ABSENT"
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
tap_is "$code $(nr w3 | md5sum)" "404 $(nr w4 | md5sum)" "R-VIOL-1: the member reported on gets the absent report's 404 page"
page w5 "$W_SUBJ" /violations
tap_unlike "$(cat "$T/w5")" "vio-test" "... and its list shows none"
form w6 "$W_SEC" "/violations/$V2" --data-urlencode "csrf=$(csrf "$W_SEC")" --data-urlencode action=close --data-urlencode "outcome=vio-test outcome"
tap_is "$code $(grep -c 'id="confirm-heading"' "$T/w6") $(sql "SELECT closed_at IS NULL FROM council.violation_reports WHERE id = ${V2:-0}")" "200 1 t" \
	"R-VIOL-1: closing from the page asks first (it cannot be undone), and nothing is closed yet"
form w7 "$W_SEC" "/violations/$V2" --data-urlencode "csrf=$(csrf "$W_SEC")" --data-urlencode action=close --data-urlencode "outcome=vio-test outcome" --data-urlencode confirm=yes
tap_is "$code $(sql "SELECT outcome FROM council.violation_reports WHERE id = ${V2:-0}")" "303 vio-test outcome" "... confirmed, it is closed with its outcome"
tap_done
