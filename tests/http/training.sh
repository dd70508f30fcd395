#!/usr/bin/env bash
# Black-box tests of handler safety management (issue 14 item 7; R-NEW-6)
# through the pages and the JSON API: a handler whose secrecy training has
# expired no longer reads a secret (it answers like an absent post) until
# its administrator records a new training, never in the future; the
# handler and its administrator see the state on /handlers; only the
# administrator records and confirms the list; another organisation's
# person answers like an absent one; the coordinator sees every
# organisation and sets the periods; the warnings reach the handler once.
#
# Usage: tests/http/training.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-training.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active AND $HANDLER ORDER BY p.id LIMIT 1"; }
ADMIN=$(one "o.slug = 'toto-bank' AND p.is_org_admin")		# the bank's administrator
H=$(one "o.slug = 'toto-bank' AND NOT p.is_org_admin")		# one of its handlers
COORD=$(one "o.council_role = 'coordinator' AND p.is_org_admin")	# the coordinator's administrator
COORDH=$(one "o.council_role = 'coordinator' AND NOT p.is_org_admin")
OTHER=$(one "o.slug = 'sakura-security' AND p.is_org_admin")	# another organisation's administrator
if [ -z "$ADMIN" ] || [ -z "$H" ] || [ -z "$OTHER" ]; then
	echo "Bail out! the demo council lacks the people"; exit 1
fi
HID=$(sql "SELECT id FROM council.people WHERE email = '$H'")
declare -A TOK WEB
for e in "$ADMIN" "$H" "$COORD" "$COORDH" "$OTHER"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no session for $e"; exit 1; }
	WEB[$e]=$(session "$e" web) || { echo "Bail out! no session for $e"; exit 1; }
done
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
TODAY=$(sql "SELECT (now() AT TIME ZONE 'Asia/Tokyo')::date")
train() { sql "UPDATE council.handler_registrations SET trained_on = '$TODAY'::date - $2
	WHERE person_id = $1 AND deregistered_at IS NULL" >/dev/null; }

BANKID=$(sql "SELECT id FROM council.organisations WHERE slug = 'toto-bank'")
api s1 "${TOK[$COORDH]}" POST /api/v1/posts "{\"kind\":\"alert\",\"title\":\"training-test secret $$\",\"body\":\"秘密\",\"secret\":true,\"scope\":[{\"org\":$BANKID}]}"
S=$(json s1 'd["id"]')
api r0 "${TOK[$H]}" GET "/api/v1/posts/$S"
tap_is "$code" 200 "a handler trained today reads a secret shared with its organisation"

# ---- Expiry. -------------------------------------------------------------------------------
train "$HID" 364
api r1 "${TOK[$H]}" GET "/api/v1/posts/$S"
api m1 "${TOK[$H]}" GET /api/v1/handlers
tap_is "$code $(json m1 'd["me"]["state"]')" "200 expiring" "R-NEW-6: a training 364 days old still gives access, shown as expiring soon"
train "$HID" 365
ABSENT=$(( $(sql "SELECT max(id) FROM council.posts") + 1000 ))
api r2 "${TOK[$H]}" GET "/api/v1/posts/$S"
api r3 "${TOK[$H]}" GET "/api/v1/posts/$ABSENT"
tap_is "$code $(cat "$T/r2")" "404 $(cat "$T/r3")" \
	"R-NEW-6: on the day the training expires the secret answers the handler exactly like an absent post"
page w1 "${WEB[$H]}" "/posts/$S"
page w2 "${WEB[$H]}" "/posts/$ABSENT"
tap_is "$code $(nr w1 | md5sum)" "404 $(nr w2 | md5sum)" "R-NEW-6: ... and its page too, byte for byte"
page f1 "${WEB[$H]}" "/feed"
tap_unlike "$(cat "$T/f1")" "training-test secret $$" "R-NEW-6: ... and the feed no longer lists it"
page h1 "${WEB[$H]}" /handlers
tap_is "$code $(grep -c 'badge--training-overdue' "$T/h1") $(grep -c 'name="action" value="training"' "$T/h1")" "200 1 0" \
	"R-NEW-6: the handler's page says its training is overdue, with no form to record one itself"
page h2 "${WEB[$ADMIN]}" /handlers
tap_is "$code $(grep -c 'badge--training-overdue' "$T/h2") $(grep -c "name=\"person\" value=\"$HID\"" "$T/h2")" "200 1 1" \
	"R-NEW-6: its administrator's page lists it as overdue, with the form that records a training"

# ---- Recording a training. -------------------------------------------------------------------
form t1 "${WEB[$H]}" /handlers --data-urlencode "csrf=$(csrf "${WEB[$H]}")" --data-urlencode action=training \
	--data-urlencode "person=$HID" --data-urlencode "trained_on=$TODAY"
tap_is "$code $(grep -c 'role="alert">組織の管理者だけが行えます。' "$T/t1")" "403 1" \
	"R-NEW-6: the handler cannot record its own training"
FUTURE=$(sql "SELECT '$TODAY'::date + 1")
form t2 "${WEB[$ADMIN]}" /handlers --data-urlencode "csrf=$(csrf "${WEB[$ADMIN]}")" --data-urlencode action=training \
	--data-urlencode "person=$HID" --data-urlencode "trained_on=$FUTURE"
api r4 "${TOK[$H]}" GET "/api/v1/posts/$S"
tap_is "$code $(grep -c 'role="alert">研修日は、記録済みの研修日以降で、今日までの日付にしてください。' "$T/t2")" "404 1" \
	"R-NEW-6: a training in the future is refused, in Japanese, and gives nothing back"
api o1 "${TOK[$OTHER]}" POST /api/v1/handlers "{\"action\":\"training\",\"person\":$HID,\"trained_on\":\"$TODAY\"}"
c1="$code $(cat "$T/o1")"
api o2 "${TOK[$OTHER]}" POST /api/v1/handlers "{\"action\":\"training\",\"person\":99999999,\"trained_on\":\"$TODAY\"}"
tap_is "$c1" "404 $(cat "$T/o2")" "R-NEW-6: another organisation's administrator gets the absent person's answer"
k0=$(sql "SELECT count(*) FROM council.handler_trainings WHERE person_id = $HID")
form t3 "${WEB[$ADMIN]}" /handlers --data-urlencode "csrf=$(csrf "${WEB[$ADMIN]}")" --data-urlencode action=training \
	--data-urlencode "person=$HID" --data-urlencode "trained_on=$TODAY"
api r5 "${TOK[$H]}" GET "/api/v1/posts/$S"
tap_is "$loc $code $(json r5 'd["title"]')" "/handlers 200 training-test secret $$" \
	"R-NEW-6: the administrator records today's training and the handler reads the secret again at once"
tap_is "$(sql "SELECT count(*) - $k0 FROM council.handler_trainings WHERE person_id = $HID")" 1 \
	"R-NEW-6: ... and the training is kept in the history"

# ---- The yearly confirmation. ------------------------------------------------------------------
n0=$(sql "SELECT count(*) FROM council.handler_list_confirmations WHERE org_id = $BANKID")
form y1 "${WEB[$H]}" /handlers --data-urlencode "csrf=$(csrf "${WEB[$H]}")" --data-urlencode action=confirm
form y2 "${WEB[$ADMIN]}" /handlers --data-urlencode "csrf=$(csrf "${WEB[$ADMIN]}")" --data-urlencode action=confirm
page_done y3 "${WEB[$ADMIN]}" /handlers training.confirmed
tap_is "$(sql "SELECT count(*) - $n0 FROM council.handler_list_confirmations WHERE org_id = $BANKID") $(status_of y3)" \
	"1 取扱者名簿を確認しました。" "R-NEW-6: the administrator confirms the handler list (the handler's attempt records nothing)"

# ---- The coordinator. ------------------------------------------------------------------------
page v1 "${WEB[$COORD]}" /handlers
page v2 "${WEB[$ADMIN]}" /handlers
BANKNAME=$(sql "SELECT name_ja FROM council.organisations WHERE id = $BANKID")
tap_is "$(grep -c 'id="training-overview-heading"' "$T/v1") $(grep -c "$BANKNAME" "$T/v1") $(grep -c 'id="training-overview-heading"' "$T/v2")" "1 1 0" \
	"R-NEW-6: the coordinator sees every organisation's state; an organisation's administrator does not"
api x1 "${TOK[$ADMIN]}" POST /api/v1/handlers '{"action":"settings","training_days":180}'
api x2 "${TOK[$COORD]}" POST /api/v1/handlers '{"action":"settings","training_days":20}'
api x3 "${TOK[$COORD]}" POST /api/v1/handlers '{"action":"settings","training_days":365,"warn_days":30,"confirm_days":365}'
tap_is "$(cat "$T/x1") $(cat "$T/x2") $code $(json x3 'd["settings"]["training_days"]')" \
	'{"error" : "coordinator_only"} {"error" : "invalid_period"} 200 365' \
	"R-NEW-6: only the coordinator's administrator sets the periods, within their bounds"

# ---- Warnings. -------------------------------------------------------------------------------------
train "$HID" 340
sql "UPDATE council.handler_safety_settings SET swept_at = NULL" >/dev/null
sql "SELECT council.training_remind_due()" >/dev/null
sql "UPDATE council.handler_safety_settings SET swept_at = NULL" >/dev/null
sql "SELECT council.training_remind_due()" >/dev/null
api n1 "${TOK[$H]}" GET /api/v1/notifications
api n2 "${TOK[$ADMIN]}" GET /api/v1/notifications
tap_is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for n in d["notifications"] if n["link"] == "/handlers"))' "$T/n1") \
$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for n in d["notifications"] if n["link"] == "/handlers"))' "$T/n2" 2>/dev/null)" "1 1" \
	"R-NEW-6: 25 days before expiry the handler and its administrator are each told once, linking /handlers"
train "$HID" 0
tap_done
