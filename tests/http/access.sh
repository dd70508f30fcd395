#!/usr/bin/env bash
# Black-box tests of the secretariat's access cases on the portal (issue 13
# item 11; R-ORG-6) through the pages and the JSON API: the secretariat
# opens a case with a reason and the minimum posts (a refused form keeps
# what was typed and points at the field), it grants nothing until another
# steering-committee member approves it, the approved case lets the
# grantee read exactly the posts named, closing asks first and then ends
# the access at once; a case is seen by its grantee, the committee and the
# coordinator only, and a hidden case answers exactly like an absent one.
#
# Usage: tests/http/access.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-acc.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

SEC=naoki.sasaki@nisc.example.jp		# the general-affairs secretariat (a handler)
SEC2=yumi.matsumoto@nisc.example.jp		# another person of the secretariat
CMT=ichiro.shimizu@fsa.example.jp		# a steering-committee member
COORD=taro.yamada@jpcert-cc.example.jp		# JPCERT/CC, the coordinator
MEMBER=hayato.ueda@finsec-isac.example.jp	# a member, not in the task force
AUTHOR=ai.nishimura@sakura-security.example.jp	# a task-force handler who posts
declare -A TOK WEB
for e in "$SEC" "$SEC2" "$CMT" "$COORD" "$MEMBER" "$AUTHOR"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
	WEB[$e]=$(session "$e" web) || { echo "Bail out! no session for $e"; exit 1; }
done
# A page's body without its request id (the only part that differs
# between two answers of the same page).
body() { sed 's|<code>[0-9a-f]\{32\}</code>|<code>RID</code>|' "$T/$1"; }
ncases() { sql "SELECT count(*) FROM council.access_cases"; }
expires() { TZ=Asia/Tokyo date -d "+$1 days" +%Y-%m-%dT%H:%M; }

# A task-force post the secretariat and the committee member cannot read.
api p0 "${TOK[$AUTHOR]}" POST /api/v1/posts "{\"kind\":\"analysis\",\"title\":\"acc-test TF post $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"task_force\"}]}"
P=$(json p0 'd["id"]')
api r0 "${TOK[$SEC]}" GET "/api/v1/posts/$P"
tap_is "$code" 404 "R-ORG-6: before any case the secretariat does not read the post"

# Opening: only the secretariat; a refused form keeps its input.
api o0 "${TOK[$MEMBER]}" POST /api/v1/access-cases "{\"reason\":\"acc-test: a dispute between two members\",\"posts\":[$P],\"expires_at\":\"$(expires 1)\"}"
tap_is "$code $(cat "$T/o0")" '403 {"error" : "only_the_secretariat_opens_cases"}' \
	"R-ORG-6: only the secretariat opens an access case (API)"
page l0 "${WEB[$MEMBER]}" /access-cases
tap_unlike "$(cat "$T/l0")" 'action="/access-cases"' "R-ORG-6: a member is not offered the form"
page l1 "${WEB[$SEC]}" /access-cases
tap_like "$(cat "$T/l1")" 'id="access-reason" name="reason"' "R-ORG-6: the secretariat is offered the form"
n0=$(ncases)
form f1 "${WEB[$SEC]}" /access-cases --data-urlencode "csrf=$(csrf "${WEB[$SEC]}")" \
	--data-urlencode "reason=short" --data-urlencode "posts=#$P" --data-urlencode "expires=$(expires 2)"
tap_is "$code $(ncases)" "422 $n0" "R-ORG-6: a reason under 10 characters is refused and nothing is stored"
tap_like "$(cat "$T/f1")" '<textarea id="access-reason" name="reason" rows="3" minlength="10" maxlength="2000" required="required" aria-invalid="true" aria-describedby="access-error">short</textarea>' \
	"R-ORG-6: ... the reason is kept, marked and pointed at the message"
tap_like "$(cat "$T/f1")" "value=\"#$P\"" "R-ORG-6: ... the posts typed are kept"
tap_like "$(cat "$T/f1")" '<p class="alert alert--error" id="access-error" role="alert">理由を10文字以上' "R-ORG-6: ... and the message says why"
form f2 "${WEB[$SEC]}" /access-cases --data-urlencode "csrf=$(csrf "${WEB[$SEC]}")" \
	--data-urlencode "reason=acc-test: arbitrating a dispute $$" --data-urlencode "posts=$P, abc" --data-urlencode "expires=$(expires 2)"
tap_is "$code $(ncases)" "422 $n0" "R-ORG-6: a post named by anything but its number is refused"
tap_like "$(cat "$T/f2")" 'aria-describedby="access-posts-help access-error" value="'"$P"', abc" aria-invalid="true"' "R-ORG-6: ... the posts field is kept, marked and pointed at the message"
form f3 "${WEB[$SEC]}" /access-cases --data-urlencode "csrf=$(csrf "${WEB[$SEC]}")" \
	--data-urlencode "reason=acc-test: arbitrating a dispute $$" --data-urlencode "posts=#$P" --data-urlencode "expires=$(expires 40)"
tap_is "$code $(ncases)" "422 $n0" "R-ORG-6: a case lasting more than 30 days is refused"
tap_like "$(cat "$T/f3")" 'name="expires" type="datetime-local" required="required" value="[^"]*" aria-invalid="true" aria-describedby="access-error"' \
	"R-ORG-6: ... the expiry is marked"
form f4 "${WEB[$SEC]}" /access-cases --data-urlencode "csrf=$(csrf "${WEB[$SEC]}")" \
	--data-urlencode "reason=acc-test: arbitrating a dispute $$" --data-urlencode "posts=#$P" --data-urlencode "expires=$(expires 2)"
C=$(sql "SELECT max(id) FROM council.access_cases")
tap_is "$code $loc" "303 /access-cases/$C" "R-ORG-6: the secretariat opens a case from the page, and is led to it"
tap_like "$(cat "$T/f4.h")" 'done=access.opened' "R-ORG-6: ... with a message said once"
api r1 "${TOK[$SEC]}" GET "/api/v1/posts/$P"
tap_is "$code" 404 "R-ORG-6: an unapproved case grants nothing"

# Who sees the case: a hidden case answers exactly like an absent one.
api g0 "${TOK[$SEC]}" GET "/api/v1/access-cases/$C"
tap_is "$code $(json g0 'd["state"]') $(json g0 'd["posts"][0]["id"]')" "200 pending $P" "R-ORG-6: the grantee reads its case (API)"
api g1 "${TOK[$SEC2]}" GET "/api/v1/access-cases/$C"
c1="$code $(cat "$T/g1")"
api g2 "${TOK[$SEC2]}" GET "/api/v1/access-cases/99999999"
tap_is "$c1" "$code $(cat "$T/g2")" "R-ORG-6: another secretariat person gets a hidden case exactly like an absent one (API)"
tap_is "$code" 404 "R-ORG-6: ... 404"
api g3 "${TOK[$MEMBER]}" GET "/api/v1/access-cases/$C"
tap_is "$code $(cat "$T/g3")" "$code $(cat "$T/g2")" "R-ORG-6: so does a member (API)"
page h1 "${WEB[$MEMBER]}" "/access-cases/$C"
h1="$code $(body h1)"
page h2 "${WEB[$MEMBER]}" /access-cases/99999999
tap_is "$h1" "$code $(body h2)" "R-ORG-6: the case page of a hidden case is the absent case's page, byte for byte but the request id"
form h3 "${WEB[$MEMBER]}" "/access-cases/$C" --data-urlencode "csrf=$(csrf "${WEB[$MEMBER]}")" --data-urlencode action=close
h3="$code $(body h3)"
form h4 "${WEB[$MEMBER]}" /access-cases/99999999 --data-urlencode "csrf=$(csrf "${WEB[$MEMBER]}")" --data-urlencode action=close
tap_is "$h3" "$code $(body h4)" "R-ORG-6: acting on a hidden case answers like an absent one"
api g4 "${TOK[$MEMBER]}" GET /api/v1/access-cases
tap_is "$code $(json g4 'len(d["cases"])') $(json g4 'd["may_open"]')" "200 0 False" "R-ORG-6: a member's list holds no case"
api g5 "${TOK[$CMT]}" GET /api/v1/access-cases
tap_is "$(json g5 "[c['state'] for c in d['cases'] if c['id'] == $C]")" "['pending']" "R-ORG-6: the committee member's list holds it"

# The case page: the committee member approves, the grantee does not.
page c1 "${WEB[$CMT]}" "/access-cases/$C"
tap_like "$(cat "$T/c1")" "acc-test: arbitrating a dispute $$" "R-ORG-6: the case page shows the reason"
tap_like "$(cat "$T/c1")" 'name="action" value="approve"' "R-ORG-6: a committee member is offered the approval"
tap_unlike "$(cat "$T/c1")" 'name="action" value="close"' "R-ORG-6: ... not the closing"
tap_like "$(cat "$T/c1")" "<li><span><span>#$P</span> <span>（あなたは閲覧できません）</span></span></li>" \
	"R-ORG-6: the post named is listed without a link to one who may not read it"
page s1 "${WEB[$SEC]}" "/access-cases/$C"
tap_unlike "$(cat "$T/s1")" 'value="approve"' "R-ORG-6: the grantee is not offered the approval"
form s2 "${WEB[$SEC]}" "/access-cases/$C" --data-urlencode "csrf=$(csrf "${WEB[$SEC]}")" --data-urlencode action=approve
tap_is "$code" 403 "R-ORG-6: the grantee cannot approve its own case"
tap_like "$(cat "$T/s2")" '承認できるのは、案件を開いた人以外の運営委員だけです' "R-ORG-6: ... and is told why"
form c2 "${WEB[$CMT]}" "/access-cases/$C" --data-urlencode "csrf=$(csrf "${WEB[$CMT]}")" --data-urlencode action=approve
tap_is "$code $loc" "303 /access-cases/$C" "R-ORG-6: another committee member approves from the page"
tap_like "$(cat "$T/c2.h")" 'done=access.approved' "R-ORG-6: ... with a message said once"
api r2 "${TOK[$SEC]}" GET "/api/v1/posts/$P"
tap_is "$code" 200 "R-ORG-6: the approved case lets the grantee read the post named"
page s3 "${WEB[$SEC]}" "/access-cases/$C"
tap_like "$(cat "$T/s3")" "<a href=\"/posts/$P\"><span>#$P</span> <span>acc-test TF post $$</span></a>" \
	"R-ORG-6: ... its case page links to it"
tap_like "$(cat "$T/s3")" '<span class="badge">承認済み（閲覧可能）</span>' "R-ORG-6: ... and says the case is approved"
tap_like "$(cat "$T/s3")" "<dd><span>$(sql "SELECT name_ja FROM council.people WHERE email = '$CMT'") [(]" "R-ORG-6: ... and who approved it"

# Closing asks first, then ends the access at once.
form s4 "${WEB[$SEC]}" "/access-cases/$C" --data-urlencode "csrf=$(csrf "${WEB[$SEC]}")" --data-urlencode action=close
tap_is "$code $(sql "SELECT closed_at IS NULL FROM council.access_cases WHERE id = $C")" "200 t" \
	"R-ORG-6: closing asks first, and asking changes nothing"
tap_like "$(cat "$T/s4")" '<input type="hidden" name="confirm" value="yes" />' "R-ORG-6: ... the question posts the same form with confirm=yes"
tap_like "$(cat "$T/s4")" 'このアクセス案件を閉じますか' "R-ORG-6: ... and says what it asks"
form s5 "${WEB[$SEC]}" "/access-cases/$C" --data-urlencode "csrf=$(csrf "${WEB[$SEC]}")" --data-urlencode action=close --data-urlencode confirm=yes
tap_is "$code $loc" "303 /access-cases/$C" "R-ORG-6: the grantee closes its case"
tap_like "$(cat "$T/s5.h")" 'done=access.closed' "R-ORG-6: ... with a message said once"
api r3 "${TOK[$SEC]}" GET "/api/v1/posts/$P"
tap_is "$code" 404 "R-ORG-6: a closed case grants nothing, at once"
api x0 "${TOK[$SEC]}" POST "/api/v1/access-cases/$C" '{"action":"close"}'
tap_is "$code $(cat "$T/x0")" '422 {"error" : "access_case_already_closed"}' "R-ORG-6: closing cannot be repeated (nor undone)"
page s6 "${WEB[$SEC]}" "/access-cases/$C"
tap_unlike "$(cat "$T/s6")" 'value="close"' "R-ORG-6: a closed case offers no closing"
tap_is "$(sql "SELECT count(*) FROM council.audit_log WHERE action = 'access_case.close' AND object_id = $C")" 1 \
	"R-ORG-6: the closing is audited"

# The API from end to end: open, approve, the coordinator closes.
api a0 "${TOK[$SEC2]}" POST /api/v1/access-cases "{\"reason\":\"acc-test: running the council's affairs $$\",\"posts\":[$P],\"expires_at\":\"$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)\"}"
C2=$(json a0 'd["id"]')
tap_is "$code $(json a0 'd["state"]')" "201 pending" "R-ORG-6: the secretariat opens a case (API)"
api a1 "${TOK[$CMT]}" POST "/api/v1/access-cases/$C2" '{"action":"grant"}'
tap_is "$code $(cat "$T/a1")" '422 {"error" : "invalid_action"}' "R-ORG-6: an unknown action is refused"
api a2 "${TOK[$COORD]}" POST "/api/v1/access-cases/$C2" '{"action":"approve"}'
tap_is "$code $(cat "$T/a2")" '403 {"error" : "only_another_committee_member_approves"}' "R-ORG-6: the coordinator does not approve"
api a3 "${TOK[$CMT]}" POST "/api/v1/access-cases/$C2" '{"action":"approve"}'
tap_is "$code $(json a3 'd["state"]') $(json a3 'd["approved_by"]["id"] is not None')" "200 approved True" "R-ORG-6: a committee member approves (API)"
api a4 "${TOK[$SEC2]}" GET "/api/v1/posts/$P"
tap_is "$code" 200 "R-ORG-6: the grantee reads the post"
api a5 "${TOK[$MEMBER]}" POST "/api/v1/access-cases/$C2" '{"action":"close"}'
a5="$code $(cat "$T/a5")"
api a6 "${TOK[$MEMBER]}" POST /api/v1/access-cases/99999999 '{"action":"close"}'
tap_is "$a5" "$code $(cat "$T/a6")" "R-ORG-6: closing a hidden case answers exactly like an absent one (API)"
api a7 "${TOK[$COORD]}" POST "/api/v1/access-cases/$C2" '{"action":"close"}'
tap_is "$code $(json a7 'd["state"]')" "200 closed" "R-ORG-6: the coordinator closes it"
api a8 "${TOK[$SEC2]}" GET "/api/v1/posts/$P"
tap_is "$code" 404 "R-ORG-6: ... and the grantee no longer reads the post"

tap_done
