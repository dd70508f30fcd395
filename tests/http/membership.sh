#!/usr/bin/env bash
# Black-box tests of joining and leaving (issue 5; R-ORG-2, R-ORG-3,
# R-ORG-7, R-ORG-8): the public application form (agreement to the Rules
# in force, refusals that store nothing, the status link, the throttle),
# the steering committee's admission and refusal with a withheld reason,
# a GSOC-liaison notification, a member's withdrawal through its page
# (effective at once), a dissolution, and the roster.  The demo council
# is left as it was: what joins here leaves again.
#
# Usage: tests/http/membership.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-lc.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

# A public form POST (no session), from the portal's own origin unless
# ORIGIN says otherwise.
pub() {  # pub NAME PATH [--data-urlencode ...]: sets $code
	code=$(curl -sS --max-time 20 -o "$T/$1" -w '%{http_code}' -H "Origin: ${ORIGIN:-$B}" \
	    "${@:3}" "$B$2" 2>/dev/null)
}
RV=$(sql "SELECT council.rules_version()")
apply_form() {  # apply_form NAME SUFFIX [extra curl args]
	local n=$1 s=$2
	shift 2
	pub "$n" /apply --data-urlencode "name_ja=申請者$s" --data-urlencode "name_en=Applicant $s" \
	    --data-urlencode category=other --data-urlencode "contact_name=担当 $s" \
	    --data-urlencode "contact_email=$s@applicant.example.jp" "$@"
}
orgs_named() { sql "SELECT count(*) FROM council.organisations WHERE name_en = 'Applicant $1'"; }

# The steering committee passes motions (sc_pass: every seat present and
# in favour).
sc_seats || { echo "Bail out! no token for a committee seat"; exit 1; }

# R-ORG-2: the form.
code=$(curl -sS --max-time 20 -o "$T/a0" -w '%{http_code}' "$B/apply")
tap_is "$code $(grep -c "name=\"rules_version\" value=\"$RV\"" "$T/a0")" "200 1" \
	"R-ORG-2: the public form asks for agreement to the Rules in force (version $RV)"
apply_form a1 "x$$" --data-urlencode "rules_version=$RV"
tap_is "$code $(grep -c '規約への同意が必要です' "$T/a1") $(orgs_named "x$$")" "422 1 0" \
	"R-ORG-2: without agreeing to the Rules: refused with the reason, nothing stored"
# Issue 17: refused, the form keeps what was sent and points at the field.
tap_like "$(cat "$T/a1")" "<input id=\"apply-name-ja\" name=\"name_ja\" type=\"text\" maxlength=\"200\" required=\"required\" value=\"申請者x$$\"" \
	"issue 17: ... the form keeps the names typed"
tap_like "$(cat "$T/a1")" '<input id="apply-agree" name="agree" type="checkbox" value="yes" required="required" aria-invalid="true" aria-describedby="apply-error" />' \
	"... and marks the agreement, pointed at the message"
SECTOR=$(sql "SELECT code FROM council.sectors ORDER BY code DESC LIMIT 1")
pub a1b /apply --data-urlencode "name_ja=申請者x$$" --data-urlencode "name_en=Applicant x$$" \
	--data-urlencode category=other --data-urlencode "contact_name=担当 x$$" --data-urlencode "contact_email=not an address" \
	--data-urlencode "rules_version=$RV" --data-urlencode agree=yes --data-urlencode "sector=$SECTOR"
tap_is "$code $(grep -c "<option value=\"$SECTOR\" selected=\"selected\">" "$T/a1b") $(grep -c 'name="agree" type="checkbox" value="yes" required="required" checked="checked"' "$T/a1b") $(grep -c 'value="not an address" aria-invalid="true" aria-describedby="apply-error"' "$T/a1b") $(orgs_named "x$$")" \
	"422 1 1 1 0" "issue 17: a bad address is marked; the sector and the agreement are kept; nothing stored"
apply_form a2 "x$$" --data-urlencode "rules_version=$((RV - 1))" --data-urlencode agree=yes
tap_is "$code $(orgs_named "x$$") $(grep -c 'checked="checked"' "$T/a2")" "409 0 0" \
	"agreeing to a version of the Rules no longer in force is refused (and the agreement is not kept)"
ORIGIN=https://evil.example apply_form a3 "x$$" --data-urlencode "rules_version=$RV" --data-urlencode agree=yes
tap_is "$code $(orgs_named "x$$")" "403 0" "a form posted from another site is refused"
apply_form a4 "a$$" --data-urlencode "rules_version=$RV" --data-urlencode agree=yes
LINK=$(grep -o '/apply/status/[0-9a-f]\{64\}' "$T/a4" | head -1)
tap_is "$code $(orgs_named "a$$") ${LINK:+link}" "201 1 link" "R-ORG-2: an applicant agreeing to the Rules applies and gets its status link"
A_ORG=$(sql "SELECT id FROM council.organisations WHERE name_en = 'Applicant a$$'")
code=$(curl -sS --max-time 20 -o "$T/s0" -w '%{http_code}' "$B$LINK")
tap_is "$code $(grep -c '審査中' "$T/s0")" "200 1" "the link shows the application under review"
code=$(curl -sS --max-time 20 -o "$T/s1" -w '%{http_code}' "$B/apply/status/$(printf '0%.0s' $(seq 1 64))")
tap_is "$code" 404 "an unknown link is 404"
tap_is "$(sql "SELECT status || ' ' || (SELECT count(*) FROM council.sessions s JOIN council.people p ON p.id = s.person_id WHERE p.org_id = o.id)
	FROM council.organisations o WHERE o.id = $A_ORG")" "applied 0" "the applicant is not a member and has no session"

# The secretariat and the committee see the applications.
A_SEC=$(session naoki.sasaki@nisc.example.jp api)
api l0 "$A_SEC" GET /api/v1/applications
tap_is "$(json l0 '[a["rules_version"] for a in d["applications"] if a["org"] == '"$A_ORG"'][0]')" "$RV" \
	"the secretariat lists the application with the version of the Rules agreed to"
A_MEMBER=$(session daisuke.mori@fsa.example.jp api)
api l1 "$A_MEMBER" GET /api/v1/applications
tap_is "$code" 403 "a member does not"

# R-GOV-5: the committee admits; another applicant is refused, its reason withheld.
sc_pass "{\"kind\":\"admission\",\"title\":\"lc-test admission $$\",\"subject\":$A_ORG}"
code=$(curl -sS --max-time 20 -o "$T/s2" -w '%{http_code}' "$B$LINK")
tap_is "$MS $code $(grep -c '承認（構成員）' "$T/s2")" "passed 200 1" "R-ORG-2: the committee admits it: the link says approved"
apply_form a5 "r$$" --data-urlencode "rules_version=$RV" --data-urlencode agree=yes
LINK_R=$(grep -o '/apply/status/[0-9a-f]\{64\}' "$T/a5" | head -1)
R_ORG=$(sql "SELECT id FROM council.organisations WHERE name_en = 'Applicant r$$'")
sc_pass "{\"kind\":\"refusal\",\"title\":\"lc-test refusal $$\",\"subject\":$R_ORG,\"refusal_reason\":\"反社会的勢力 $$\",\"reason_withheld\":true}"
code=$(curl -sS --max-time 20 -o "$T/s3" -w '%{http_code}' "$B$LINK_R")
tap_is "$MS $code $(grep -c '不承認' "$T/s3") $(grep -c "反社会的勢力 $$" "$T/s3")" "passed 200 2 0" \
	"R-ORG-2: refused with a withheld reason: the applicant sees the refusal, not the reason"

# R-ORG-8: a GSOC-liaison agency joins by notification.
api g0 "$A_MEMBER" POST /api/v1/applications "{\"kind\":\"gsoc_notification\",\"name_ja\":\"連絡庁$$\",\"name_en\":\"Liaison $$\",\"contact_name\":\"担当\",\"contact_email\":\"l$$@liaison.example.jp\"}"
tap_is "$code" 403 "only the secretariat records a GSOC-liaison notification"
api g1 "$A_SEC" POST /api/v1/applications "{\"kind\":\"gsoc_notification\",\"name_ja\":\"連絡庁$$\",\"name_en\":\"Liaison $$\",\"contact_name\":\"担当\",\"contact_email\":\"l$$@liaison.example.jp\"}"
G_ORG=$(json g1 'd["org"]')
tap_is "$code $(sql "SELECT status || ' ' || gsoc_liaison FROM council.organisations WHERE id = ${G_ORG:-0}")" \
	"201 member true" "R-ORG-2, R-ORG-8: the receipt is the approval: a member at once, liaising through GSOC"

# R-ORG-3: a member withdraws through its page, at once.  (A member made
# for this test, so that the demo council keeps its members.)
W_ORG=$(sql "INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
	VALUES ('lc-test-$$', '退会試験$$', 'Withdrawing $$', 'other', 'member') RETURNING id")
sql "INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin)
	VALUES ($W_ORG, '退会 太郎', 'Taro Taikai', 'w$$@lc-test.example.jp', true)" >/dev/null
W_WEB=$(session "w$$@lc-test.example.jp" web)
W_API=$(session "w$$@lc-test.example.jp" api)
page r0 "$W_WEB" /roster
tap_is "$(grep -c "<td>退会試験$$</td>" "$T/r0")" 1 "before: it is on the roster"
api w0 "$W_API" GET /api/v1/feed
c0=$code
form w1 "$W_WEB" /settings/org/withdraw --data-urlencode "csrf=$(csrf "$W_WEB")"
tap_is "$c0 $code $(sql "SELECT status FROM council.organisations WHERE id = $W_ORG")" "200 422 member" \
	"a withdrawal must be confirmed explicitly"
form w2 "$W_WEB" /settings/org/withdraw --data-urlencode "csrf=$(csrf "$W_WEB")" --data-urlencode confirm=yes
tap_is "$code $loc $(sql "SELECT status FROM council.organisations WHERE id = $W_ORG")" "303 /signin withdrawn" \
	"R-ORG-3: the administrator notifies the withdrawal: effective at once"
api w3 "$W_API" GET /api/v1/feed
tap_is "$code" 401 "R-ORG-3: its API token no longer works"
api p0 "$(session taro.yamada@jpcert-cc.example.jp api)" POST /api/v1/posts \
	"{\"kind\":\"report\",\"title\":\"lc-test after $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
P=$(json p0 'd["id"]')
api w4 "$(session "w$$@lc-test.example.jp" api)" GET "/api/v1/posts/$P"
tap_is "$code" 401 "R-ORG-3: even a new session of its people reads nothing, a later post to all members included"
tap_is "$(sql "SELECT count(*) FROM council.org_status_history WHERE org_id = $W_ORG AND status = 'withdrawn'")" 1 \
	"its history is kept, with the withdrawal"
code=$(curl -sS --max-time 20 -o "$T/r1" -w '%{http_code}' "$B/roster")
tap_is "$code $(grep -c "<td>退会試験$$</td>" "$T/r1")" "200 0" "R-ORG-7: it is no longer on the public roster"

# R-ORG-3 (Art. 9): the secretariat records dissolutions (the two that joined here).
api d0 "$A_MEMBER" POST /api/v1/applications "{\"kind\":\"dissolution\",\"org\":$A_ORG}"
tap_is "$code" 403 "only the secretariat records a dissolution"
api d1 "$A_SEC" POST /api/v1/applications "{\"kind\":\"dissolution\",\"org\":$A_ORG}"
api d2 "$A_SEC" POST /api/v1/applications "{\"kind\":\"dissolution\",\"org\":$G_ORG}"
tap_is "$code $(sql "SELECT string_agg(status::text, ',' ORDER BY id) FROM council.organisations WHERE id IN ($A_ORG, $G_ORG)")" \
	"200 dissolved,dissolved" "R-ORG-3: a dissolution ends the membership"
code=$(curl -sS --max-time 20 -o "$T/s4" -w '%{http_code}' "$B$LINK")
tap_is "$code $(grep -c '解散' "$T/s4")" "200 1" "... and the applicant's link shows it"

# The form is throttled per address (five at once, then one a minute).
for i in 1 2 3 4 5 6; do apply_form t$i "t$i$$"; done
tap_is "$code $(grep -c '申込みが多すぎます' "$T/t6")" "429 1" "applications from one address are throttled"

tap_done
