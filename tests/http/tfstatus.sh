#!/usr/bin/env bash
# Black-box tests of task-force admission and the status review (issue 5;
# R-TF-2, R-TF-3, R-TF-4, R-TF-5, R-TF-9) through the JSON API and the
# page: a general member applies for Type 2, the Type 1 group votes, the
# server closes the poll at its time and the member reads task-force posts
# it could not read before; a foreign member is refused; a review over a
# period finds a Type 1 member below the thresholds and the group revokes
# its status, after which it no longer reads task-force posts.  The demo
# council's classes are restored at the end.
#
# Usage: tests/http/tfstatus.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-tfs.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

APPLICANT=hayato.ueda@finsec-isac.example.jp	# a general member's administrator
COORD=taro.yamada@jpcert-cc.example.jp		# JPCERT/CC: runs the TF's polls
T1A=shota.fujii@sakura-security.example.jp	# the Type 1 group ...
T1B=ren.ota@akatsuki-labs.example.jp
T1C=daiki.fujiwara@mizukane-networks.example.jp
AUTHOR=ai.nishimura@sakura-security.example.jp	# a Type 1 handler who posts
FOREIGN=john.smith@northwind-cyber.example.jp	# R-TF-4
GENERAL=daisuke.mori@fsa.example.jp
declare -A TOK
for e in "$APPLICANT" "$COORD" "$T1A" "$T1B" "$T1C" "$AUTHOR" "$FOREIGN" "$GENERAL"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
done
closes() { date -u -d "+$1 seconds" +%Y-%m-%dT%H:%M:%SZ; }
# Wait until decision $1 is closed by the server (at most 40 s).  Polls
# open an hour ahead, so that every vote is in however slow the machine;
# set-up then brings their closing time to now (seconds ahead raced a
# loaded machine); the close itself is the server's clock's.
wait_closed() {
	local st
	sql "UPDATE council.tf_decisions SET closes_at = now() WHERE id = ${1:-0} AND status = 'open'" >/dev/null
	for _ in $(seq 1 40); do
		st=$(sql "SELECT status FROM council.tf_decisions WHERE id = $1")
		case $st in passed|failed) break ;; esac
		sleep 1
	done
	echo "$st"
}

# A task-force post the applicant cannot read yet.
api p0 "${TOK[$AUTHOR]}" POST /api/v1/posts "{\"kind\":\"analysis\",\"title\":\"tfs-test TF only $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"task_force\"}]}"
P=$(json p0 'd["id"]')
api r0 "${TOK[$APPLICANT]}" GET "/api/v1/posts/$P"
tap_is "$code" 404 "before: a general member does not read a task-force post"

# Issue 17: the application form, refused, keeps what was typed and
# points at the field; nothing is stored.
W=$(session "$APPLICANT" web)
LONG="tfs-test statement $$ $(head -c 4000 /dev/zero | tr '\0' 'x')"
form w1 "$W" /tf --data-urlencode "csrf=$(csrf "$W")" --data-urlencode action=apply \
	--data-urlencode class=type1 --data-urlencode "statement=$LONG"
tap_is "$code $(sql "SELECT count(*) FROM council.tf_decisions d JOIN council.people p ON p.org_id = d.org_id WHERE p.email = '$APPLICANT'")" \
	"422 0" "issue 17: a statement over 4,000 characters is refused and nothing is stored"
tap_like "$(cat "$T/w1")" '<textarea id="tf-statement" name="statement" rows="3" maxlength="4000" aria-invalid="true" aria-describedby="tf-error">tfs-test statement' \
	"... the statement is kept, marked and pointed at the message"
tap_like "$(cat "$T/w1")" '<option value="type1" selected="selected">' "... the class chosen is kept"
tap_like "$(cat "$T/w1")" '<p class="alert alert--error" id="tf-error" role="alert">申請の説明は4,000字以内' "... and the message says why"

# R-TF-3: applying.
api a0 "${TOK[$APPLICANT]}" POST /api/v1/tf/applications '{"class":"type2","statement":"数時間以内に回答します"}'
D=$(json a0 'd["id"]')
tap_is "$code $(json a0 'd["status"]')" "201 pending" "R-TF-3: a general member applies for Type 2"
api a1 "${TOK[$APPLICANT]}" POST /api/v1/tf/applications '{"class":"type1"}'
tap_is "$code $(cat "$T/a1")" '409 {"error" : "decision_pending"}' "one decision at a time"
api g0 "${TOK[$GENERAL]}" GET "/api/v1/tf/decisions/$D"
c0="$code $(cat "$T/g0")"
api g1 "${TOK[$GENERAL]}" GET "/api/v1/tf/decisions/99999999"
tap_is "$c0" "$code $(cat "$T/g1")" "R-TF-9: another member sees the decision as if absent"

# R-TF-4: a foreign member without the committee's special approval.
api f0 "${TOK[$FOREIGN]}" POST /api/v1/tf/applications '{"class":"type1"}'
tap_like "$code $(json f0 'd["status"]') $(json f0 'd["refusal"]')" '^201 refused R-TF-4: ' \
	"R-TF-4: a foreign-status member is refused at once, with the reason"

# Issue 17: opening the poll with a closing time in the past is refused,
# the time typed kept in that decision's row and marked.
WC=$(session "$COORD" web)
form w2 "$WC" /tf --data-urlencode "csrf=$(csrf "$WC")" --data-urlencode action=open \
	--data-urlencode "decision=$D" --data-urlencode "closes=2020-01-01T09:00"
tap_is "$code $(sql "SELECT status FROM council.tf_decisions WHERE id = $D")" "422 pending" \
	"issue 17: a closing time in the past is refused; the decision stays pending"
tap_like "$(cat "$T/w2")" "<input type=\"datetime-local\" name=\"closes\" required=\"required\" id=\"tf-closes-$D\" value=\"2020-01-01T09:00\" aria-invalid=\"true\" aria-describedby=\"tf-error\"" \
	"... the time typed is kept in its row, marked and pointed at the message"

# The Type 1 group decides.
api o0 "${TOK[$T1A]}" POST "/api/v1/tf/decisions/$D" "{\"action\":\"open\",\"closes_at\":\"$(closes 3600)\"}"
tap_is "$code" 403 "a Type 1 member does not open the poll"
api o1 "${TOK[$COORD]}" POST "/api/v1/tf/decisions/$D" "{\"action\":\"open\",\"closes_at\":\"$(closes 3600)\"}"
tap_is "$code $(json o1 'd["status"]')" "200 open" "JPCERT/CC opens the Type 1 group's poll"
page w3 "$(session "$T1A" web)" /tf
tap_is "$(grep -c '<button type="submit" class="button" name="choice" value="\(yes\|no\|abstain\)"' "$T/w3") $(grep -c 'button--primary" name="choice"' "$T/w3")" \
	"3 0" "issue 17: the Type 1 ballot styles yes, no and abstain alike"
api v0 "${TOK[$APPLICANT]}" POST "/api/v1/tf/decisions/$D" '{"action":"vote","choice":"yes"}'
tap_is "$code $(cat "$T/v0")" '403 {"error" : "not_type1_group"}' "R-TF-2: the applicant has no vote"
for e in "$COORD" "$T1A" "$T1B"; do
	api v "${TOK[$e]}" POST "/api/v1/tf/decisions/$D" '{"action":"vote","choice":"yes"}'
	[ "$code" = 200 ] || tap_diag "vote of $e: $code $(cat "$T/v")"
done
api v1 "${TOK[$T1C]}" POST "/api/v1/tf/decisions/$D" '{"action":"vote","choice":"no"}'
tap_is "$(wait_closed "$D")" passed "the server closes the poll at its time: 3 yes of 4 votes, 4 of 4 taking part"
api g2 "${TOK[$APPLICANT]}" GET "/api/v1/tf/decisions/$D"
tap_is "$(json g2 'd["result"]["pass"]["numerator"], d["result"]["pass"]["denominator"], d["result"]["rule_code"]')" \
	"(3, 4, 'tf.admission')" "the applicant reads the outcome with its numerator, denominator and rule"
api r1 "${TOK[$APPLICANT]}" GET "/api/v1/posts/$P"
tap_is "$code" 200 "R-TF-3: admitted, it reads the task-force post at once"

# R-TF-5: the status review.
api rv0 "${TOK[$T1A]}" POST /api/v1/tf/reviews '{"from":"2020-01-01T00:00:00+09:00","to":"2020-04-01T00:00:00+09:00"}'
tap_is "$code" 403 "only the TF's secretariat runs a review"
api rv1 "${TOK[$COORD]}" POST /api/v1/tf/reviews '{"from":"2020-01-01T00:00:00+09:00","to":"2020-04-01T00:00:00+09:00"}'
MIZ=$(sql "SELECT id FROM council.organisations WHERE slug = 'mizukane-networks'")
ISAC=$(sql "SELECT id FROM council.organisations WHERE slug = 'finsec-isac'")
tap_is "$code $(json rv1 '[(l["meets"], l["decision"] is not None) for l in d["lines"] if l["org"] in ('"$MIZ"', '"$ISAC"')]')" \
	"201 [(False, True), (True, False)]" \
	"R-TF-5: with no original post in the period a Type 1 member is below the threshold and put to a revocation; a Type 2 member owing nothing is not"
R=$(json rv1 '[l["decision"] for l in d["lines"] if l["org"] == '"$MIZ"'][0]')
api m0 "${TOK[$T1C]}" GET "/api/v1/posts/$P"
c0=$code
api o2 "${TOK[$COORD]}" POST "/api/v1/tf/decisions/$R" "{\"action\":\"open\",\"closes_at\":\"$(closes 3600)\"}"
api v2 "${TOK[$T1C]}" POST "/api/v1/tf/decisions/$R" '{"action":"vote","choice":"no"}'
tap_is "$c0 $code $(cat "$T/v2")" '200 403 {"error" : "own_decision"}' "R-TF-3: the member concerned has no vote on its own status"
for e in "$COORD" "$T1A" "$T1B"; do api v "${TOK[$e]}" POST "/api/v1/tf/decisions/$R" '{"action":"vote","choice":"yes"}'; done
tap_is "$(wait_closed "$R") $(sql "SELECT tf_class FROM council.organisations WHERE id = $MIZ")" "passed none" \
	"R-TF-5: the Type 1 group revokes the status; no free riding"
api m1 "${TOK[$T1C]}" GET "/api/v1/posts/$P"
tap_is "$code" 404 "... and the member no longer reads task-force posts"

# The page.
page w0 "$W" /tf
tap_like "$code $(grep -c '第二類構成員' "$T/w0")" '^200 [1-9]' "the task-force page shows the member its class and decisions"

# The demo council as it was (the browser journeys rely on its classes).
sql "UPDATE council.organisations SET tf_class = 'type1' WHERE id = $MIZ;
     UPDATE council.organisations SET tf_class = 'none' WHERE id = $ISAC" >/dev/null
tap_done
