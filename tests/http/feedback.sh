#!/usr/bin/env bash
# Black-box tests of task-force feedback, obligations and the ledger
# (R-TF-1, R-TF-5), private advice on consultations (R-SHARE-1), the
# composer's audience preview and double submit, and the JSON API's
# writes (issue 4), against the real councild.
#
# Sessions are made in the database (sign-in itself is tests/http/auth.sh's
# subject; handlers would need a second factor here).
#
# Usage: tests/http/feedback.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-tf.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"
norm() { sed -E 's/[0-9a-f]{32}/RID/g; s#/posts/[0-9]+#/posts/N#g; s#(value="|post=)[0-9]+#\1N#g' "$T/$1"; }

# The cast (demo council): a Type 1 analyst, another Type 1 member, a
# Type 2 operator, a general member, the coordinator.
V1=takuya.fukuda@sakura-security.example.jp
V1B=kaito.matsuda@mizukane-networks.example.jp
T2=mayu.nakano@toto-bank.example.jp
G=daisuke.mori@fsa.example.jp
CO=taro.yamada@jpcert-cc.example.jp
for who in V1 V1B T2 G CO; do
	eval "email=\$$who"
	w=$(session "$email" web) && a=$(session "$email" api) ||
		{ echo "Bail out! cannot make sessions for $email"; exit 1; }
	eval "W_$who=$w A_$who=$a"
done
# shellcheck disable=SC2154
ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.posts") + 1000000 ))
TITLE="tf-test countermeasure $$"
IKEY=tf-test-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
KEY=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

# ---- The JSON API writes a post (R-TF-1: with a deadline). -------------------
DL=$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)
BODY="{\"kind\":\"countermeasure\",\"title\":\"$TITLE\",\"body\":\"Block 198.51.100.7\",\"secret\":false,\"scope\":[{\"class\":\"task_force\"}],\"confidence\":\"high\",\"deadline\":\"$DL\"}"
api c1 "$A_V1" POST /api/v1/posts "$BODY" -H "Idempotency-Key: $IKEY"
tap_is "$code" 201 "API: a Type 1 member posts a countermeasure asking for feedback (201)"
P=$(json c1 'd["id"]')
api c2 "$A_V1" POST /api/v1/posts "$BODY" -H "Idempotency-Key: $IKEY"
tap_is "$code $(json c2 'd["id"]')" "201 $P" "API: the same Idempotency-Key returns the same post"
tap_is "$(sql "SELECT count(*) FROM council.posts WHERE title = '$TITLE'")" 1 "... and stores it once"

api e1 "$A_V1" POST /api/v1/posts '{"kind":"report","title":"tf-nosecret","body":"b","scope":[{"class":"task_force"}]}'
tap_is "$code $(cat "$T/e1")" '422 {"error" : "secret_declaration_required"}' \
	"R-SECRET-1: API: no secret declaration, 422 with a stable code"
api e2 "$A_V1" POST /api/v1/posts '{"kind":'
tap_is "$code $(cat "$T/e2")" '400 {"error" : "invalid_json"}' "API: malformed JSON is 400"
api e3 "$A_V1" POST /api/v1/posts '{"kind":"report","title":"tf-wrongtype","body":"b","secret":"no"}'
tap_is "$code $(cat "$T/e3")" '422 {"error" : "invalid_secret"}' "API: a field of the wrong type is named"
code=$(curl -sS -o "$T/e4" -w '%{http_code}' -H "Authorization: Bearer $A_V1" -H 'Content-Type: text/plain' \
	--data-binary '{}' "$B/api/v1/posts")
tap_is "$code $(cat "$T/e4")" '415 {"error":"unsupported_media_type"}' "API: a body that is not JSON is 415"
code=$(curl -sS -o "$T/e5" -w '%{http_code}' -H "Cookie: $SC=$W_V1" -H "Origin: $B" \
	-H 'Content-Type: application/json' --data-binary "$BODY" "$B/api/v1/posts")
tap_is "$code" 401 "API: a cookie session cannot write through the API (no form token)"
tap_is "$(sql "SELECT count(*) FROM council.posts WHERE title IN ('tf-nosecret', 'tf-wrongtype')")" 0 \
	"... and none of the refused calls stored a post"

# ---- Obligations and the answer form (R-TF-1, R-TF-5). --------------------------
api o1 "$A_T2" GET /api/v1/obligations
tap_is "$(json o1 "[o['post_id'] for o in d['obligations'] if o['post_id'] == $P]")" "[$P]" \
	"R-TF-5: the Type 2 operator's obligations list the countermeasure"
page p1 "$W_T2" "/posts/$P"
tap_like "$(cat "$T/p1")" 'name="answer" value="seen"' "R-TF-1: its page offers seen here / not seen / don't know"
tap_like "$(cat "$T/p1")" '回答待ち' "... with the status 回答待ち and the time left"
tap_unlike "$(cat "$T/p1")" 'value="expert"' "... and no expert feedback for Type 2"
page ob "$W_T2" /obligations
tap_like "$(cat "$T/ob")" "$TITLE" "R-TF-5: /obligations lists it"
tap_like "$(cat "$T/ob")" "<svg [^>]*class=\"chart chart--countdown\" role=\"img\" aria-labelledby=\"chart-left-$P-t chart-left-$P-d\"[^>]*><title id=\"chart-left-$P-t\">[^<]+ 残り (1日 23時間|2日 0時間)</title><desc id=\"chart-left-$P-d\">(99|100)%</desc>" \
	"issue 17: the time left to the deadline is also a bar, said in words"

before=$(sql "SELECT count(*) FROM council.feedback WHERE post_id = $P")
form f0 "$W_T2" /feedback --data-urlencode "csrf=0000000000000000000000000000000000000000000000000000000000000000" \
	--data-urlencode "post=$P" --data-urlencode "answer=seen"
tap_is "$code $(sql "SELECT count(*) FROM council.feedback WHERE post_id = $P")" "403 $before" \
	"a forged form token is refused and stores nothing"
form f1 "$W_T2" /feedback --data-urlencode "csrf=$(csrf "$W_T2")" --data-urlencode "post=$P" \
	--data-urlencode "answer=seen" --data-urlencode "comment=tf-test: seen on two VPN gateways"
tap_is "$code $loc" "303 /posts/$P#feedback" "R-TF-1: the operator answers \"seen here\" (303 back to the post)"
tap_is "$(sql "SELECT answer || ' ' || on_time FROM council.feedback f JOIN council.organisations o ON o.id = f.org_id WHERE post_id = $P AND o.slug = 'toto-bank'")" \
	"seen true" "... stored once, on time"
page p2 "$W_T2" "/posts/$P"
tap_like "$(cat "$T/p2")" '貴組織の回答：</span> <strong>観測あり' "... and the page shows the organisation's answer"
form f2 "$W_T2" /feedback --data-urlencode "csrf=$(csrf "$W_T2")" --data-urlencode "post=$P" \
	--data-urlencode "answer=expert" --data-urlencode "comment=x"
tap_is "$code" 422 "R-TF-1: expert feedback from a Type 2 member is refused (422)"
tap_like "$(cat "$T/f2")" '専門的知見は第一類グループの構成員のみが回答できます' "... with the reason in Japanese"
tap_is "$(sql "SELECT answer FROM council.feedback f JOIN council.organisations o ON o.id = f.org_id WHERE post_id = $P AND o.slug = 'toto-bank'")" \
	seen "... and the answer is unchanged"
form f3 "$W_T2" /feedback --data-urlencode "csrf=$(csrf "$W_T2")" --data-urlencode "post=$P" \
	--data-urlencode "comment=tf-test: keep <me> $$"
tap_is "$code" 422 "an answer left out is refused (422)"
# Issue 17: a refused answer keeps what was typed and points at the field.
tap_like "$(tr -d '\n' <"$T/f3")" "<textarea id=\"fb-comment\"[^>]*>tf-test: keep &lt;me&gt; $$</textarea>" \
	"issue 17: ... the comment typed is kept (escaped)"
tap_like "$(cat "$T/f3")" '<fieldset aria-invalid="true" aria-describedby="fb-error">' \
	"... the missing answer is marked and pointed at the message"
tap_like "$(cat "$T/f3")" '<p class="form-error" id="fb-error" role="alert">' "... which names it"
tap_unlike "$(cat "$T/f3")" 'checked="checked"' "... and no answer is shown chosen (the stored one was not sent)"
form f4 "$W_V1B" /feedback --data-urlencode "csrf=$(csrf "$W_V1B")" --data-urlencode "post=$P" --data-urlencode "answer=expert"
tap_is "$code $(grep -c 'value="expert" checked="checked"' "$T/f4") $(grep -c '<textarea id="fb-comment"[^>]*aria-invalid="true" aria-describedby="fb-error"' "$T/f4")" \
	"422 1 1" "issue 17: expert feedback without its comment keeps the choice and marks the comment"

# A general member cannot see the task-force post: its answer gets the
# absent post's 404, byte for byte.
form g1 "$W_G" /feedback --data-urlencode "csrf=$(csrf "$W_G")" --data-urlencode "post=$P" --data-urlencode "answer=seen"
c1=$code
form g2 "$W_G" /feedback --data-urlencode "csrf=$(csrf "$W_G")" --data-urlencode "post=$ABSENT" --data-urlencode "answer=seen"
tap_is "$c1 $(norm g1 | md5sum)" "$code $(norm g2 | md5sum)" \
	"an answer to a hidden post is answered exactly as one to an absent post (404)"

api x1 "$A_V1B" POST "/api/v1/posts/$P/feedback" '{"answer":"expert","comment":"tf-test: the C2 rotates weekly"}'
tap_is "$code $(json x1 'd["status"]')" "200 answered" "R-TF-1: API: another Type 1 member gives expert feedback"
api x2 "$A_V1B" POST "/api/v1/posts/$P/feedback" '{"answer":"expert"}'
tap_is "$code $(cat "$T/x2")" '422 {"error" : "comment_required"}' "API: expert feedback without a comment is refused"
api x3 "$A_G" POST "/api/v1/posts/$P/feedback" '{"answer":"seen"}'
c1="$code $(cat "$T/x3")"
api x4 "$A_G" POST "/api/v1/posts/$ABSENT/feedback" '{"answer":"seen"}'
tap_is "$c1" "$code $(cat "$T/x4")" "API: feedback on a hidden post answers as on an absent one"

# ---- The author sees the tally, not who said "seen here" (R-TF-6). -------------
page t1 "$W_V1" "/posts/$P"
tap_like "$(cat "$T/t1")" 'class="tally__seen">1<' "R-TF-1: the author sees the tally (1 seen here)"
tap_like "$(cat "$T/t1")" 'tf-test: seen on two VPN gateways' "... and the comments"
# Issue 17: the tally as a picture, its numbers as text (the table stays).
tap_like "$(cat "$T/t1")" '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--stack" role="img" aria-labelledby="chart-tally-t chart-tally-d"' \
	"issue 17: the tally is also a chart (an image named by its title and description)"
tap_like "$(cat "$T/t1")" '<title id="chart-tally-t">回答の集計</title><desc id="chart-tally-d">観測あり：1、観測なし：0、不明：0、専門的知見（コメント必須）：1</desc>' \
	"... whose text equivalent holds the counts the table shows"
tap_unlike "$(cat "$T/t1")" '<svg[^>]* style=|<script' "... with no inline style or script (CSP)"
tap_unlike "$(cat "$T/t1")" '東都銀行' "R-TF-6: ... but not which organisation answered"
api t2 "$A_V1" GET "/api/v1/posts/$P/feedback"
tap_is "$code $(json t2 'str(d["seen"])+"/"+str(d["expert"])+"/"+str(d["answered"])')" "200 1/1/2" \
	"API: the tally counts both answers"
api t3 "$A_T2" GET "/api/v1/posts/$P/feedback"
tap_is "$code $(cat "$T/t3")" '403 {"error" : "tally_is_for_the_author"}' "API: another member does not see the tally"
api t4 "$A_G" GET "/api/v1/posts/$P/feedback"
c1="$code $(cat "$T/t4")"
api t5 "$A_G" GET "/api/v1/posts/$ABSENT/feedback"
tap_is "$c1" "$code $(cat "$T/t5")" "API: the tally of a hidden post answers as an absent one"
page t6 "$W_CO" "/posts/$P"
tap_like "$(cat "$T/t6")" '東都銀行' "R-ORG-6: the coordinator sees who answered"

# ---- The ledger (R-TF-5): the member itself and the coordinator only. ---------
BANK=$(sql "SELECT id FROM council.organisations WHERE slug = 'toto-bank'")
SAKURA=$(sql "SELECT id FROM council.organisations WHERE slug = 'sakura-security'")
page l1 "$W_T2" /ledger
tap_like "$(cat "$T/l1")" 'class="ledger__given">[1-9]' "R-TF-5: the operator's ledger counts its feedback"
# Issue 17: the ledger per month.  The countermeasure's deadline passes
# (moved into the past here): the operator's ledger counts it due and on
# time, and so do its months, which add up to the ledger's numbers.
sql "UPDATE council.posts SET feedback_deadline = now() - interval '1 minute' WHERE id = $P" >/dev/null
page l1m "$W_T2" /ledger
due=$(grep -o 'class="ledger__due">[0-9]*' "$T/l1m" | grep -o '[0-9]*$')
mdue=$(( $(grep -o 'class="ledger__month-due">[0-9]*' "$T/l1m" | grep -o '[0-9]*$' | paste -sd+) ))
month=$(TZ=Asia/Tokyo date +%Y-%m)
tap_is "$code $(grep -o 'class="ledger__month-due"' "$T/l1m" | wc -l) $mdue" "200 12 $due" \
	"issue 17: the ledger's last twelve months add up to its due posts ($due)"
tap_like "$(cat "$T/l1m")" "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart--columns\" role=\"img\" aria-labelledby=\"chart-ledger-t chart-ledger-d\"" \
	"... drawn as columns, an image named by its title and description"
tap_like "$(cat "$T/l1m")" "<desc id=\"chart-ledger-d\">[^<]*$month：期限内の回答 [1-9][0-9]*、期限後に回答 [0-9]+、未回答 [0-9]+</desc>" \
	"... whose text equivalent counts this month's answer on time"
# The deadline back in the future: a suite run again on the same cluster
# (tests/dev.sh) finds no due post of this run in pgTAP's ledgers.
sql "UPDATE council.posts SET feedback_deadline = now() + interval '2 days' WHERE id = $P" >/dev/null
page l2 "$W_CO" "/ledger?org=$BANK"
tap_is "$code" 200 "R-TF-5: the coordinator opens any member's ledger"
tap_like "$(cat "$T/l2")" '東都銀行' "... and has every TF member's overview"
page l3 "$W_T2" "/ledger?org=$SAKURA"
c1="$code $(norm l3 | md5sum)"
page l4 "$W_T2" "/ledger?org=99999999"
tap_is "$c1" "$code $(norm l4 | md5sum)" "R-TF-5: another member's ledger looks like an unknown organisation's (404)"
api l5 "$A_T2" GET "/api/v1/ledger?org=$SAKURA"
tap_is "$code $(cat "$T/l5")" '404 {"error" : "organisation_not_found"}' "API: the same for the ledger API"

# ---- R-SHARE-1: a masked consultation and private advice, via the API. --------
api k1 "$A_G" POST /api/v1/posts '{"kind":"consultation","title":"tf-test 何となく違和感","body":"夜間の通信","secret":false,"masked":true,"scope":[{"class":"type1_group"}]}'
K=$(json k1 'd["id"]')
tap_is "$code" 201 "R-SHARE-1: a general member opens a masked consultation to the Type 1 group"
api k2 "$A_V1" GET "/api/v1/posts/$K"
tap_is "$code $(json k2 'd["author"]')" "200 None" "R-TF-6: the Type 1 analyst sees it, the consulting member masked"
api k3 "$A_V1" POST /api/v1/preview "{\"kind\":\"report\",\"title\":\"advice\",\"body\":\"b\",\"secret\":false,\"parent\":$K}"
tap_is "$code $(json k3 'd["masked_member"], d["count"]')" "200 (True, 1)" \
	"the preview of the advice: the adviser and a masked member, not named"
api k4 "$A_V1" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"tf-test advice\",\"body\":\"ログを保全してください\",\"secret\":false,\"parent\":$K}"
R=$(json k4 'd["id"]')
api k5 "$A_V1B" GET "/api/v1/posts/$R"
c1="$code $(cat "$T/k5")"
api k6 "$A_V1B" GET "/api/v1/posts/$ABSENT"
tap_is "$c1" "$code $(cat "$T/k6")" "R-SHARE-1: another Type 1 member cannot see the advice (as if absent)"
api k7 "$A_G" GET "/api/v1/posts/$R"
tap_is "$code" 200 "R-SHARE-1: the consulting member reads the advice"
api k8 "$A_CO" GET "/api/v1/posts/$R"
tap_is "$code" 200 "R-ORG-6: the coordinator reads it too"

# ---- The composer: preview and double submit. ------------------------------------
n0=$(sql "SELECT count(*) FROM council.posts")
form v1 "$W_G" /posts/new --data-urlencode "csrf=$(csrf "$W_G")" --data-urlencode "submit_key=$KEY" \
	--data-urlencode "kind=report" --data-urlencode "title=tf-test preview" --data-urlencode "body=b" \
	--data-urlencode "secret=no" --data-urlencode "class=type1_group" --data-urlencode "action=preview"
tap_is "$code" 200 "the composer's preview answers 200"
tap_like "$(cat "$T/v1")" 'サクラセキュリティ' "... and lists a Type 1 member among who will read it"
tap_like "$(cat "$T/v1")" "value=\"$KEY\"" "... keeps the form's submit key"
tap_like "$(cat "$T/v1")" 'value="type1_group" checked="checked"' "... and what the person chose"
tap_is "$(sql "SELECT count(*) FROM council.posts")" "$n0" "... and stores nothing"
for i in 1 2; do
	form s$i "$W_G" /posts/new --data-urlencode "csrf=$(csrf "$W_G")" --data-urlencode "submit_key=$KEY" \
		--data-urlencode "kind=report" --data-urlencode "title=tf-test double $$" --data-urlencode "body=b" \
		--data-urlencode "secret=no" --data-urlencode "class=type1_group" --data-urlencode "action=post"
	eval "loc$i=\$loc code$i=\$code"
done
# shellcheck disable=SC2154
tap_is "$code1 $code2 $loc2" "303 303 $loc1" "a double submit answers both with the same post"
tap_is "$(sql "SELECT count(*) FROM council.posts WHERE title = 'tf-test double $$'")" 1 "... and stores one"

# ---- R-SCOPE-4: a derived post waits for its source's giver. ---------------------
api d1 "$A_V1" POST /api/v1/posts '{"kind":"analysis","title":"tf-test source","body":"原分析","secret":false,"scope":[{"class":"type1_group"}]}'
SRC=$(json d1 'd["id"]')
api d2 "$A_CO" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"tf-test derived\",\"body\":\"要約\",\"secret\":false,\"scope\":[{\"class\":\"task_force\"}],\"sources\":[$SRC]}"
D=$(json d2 'd["id"]')
tap_is "$code" 201 "R-SCOPE-4: the coordinator posts a derived summary for the whole task force"
api d3 "$A_T2" GET "/api/v1/posts/$D"
tap_is "$code" 404 "R-SCOPE-4: until the giver consents, the Type 2 operator (outside the source's scope) cannot read it"
C=$(sql "SELECT id FROM council.consents WHERE post_id = $D")
page d4 "$W_V1" /consents
tap_like "$(cat "$T/d4")" "name=\"id\" value=\"$C\"" "R-SCOPE-4: the giver finds the request on /consents, with its decision form"
form d5 "$W_G" /consents --data-urlencode "csrf=$(csrf "$W_G")" --data-urlencode "id=$C" --data-urlencode "decision=grant"
c1="$code $(norm d5 | md5sum)"
form d6 "$W_G" /consents --data-urlencode "csrf=$(csrf "$W_G")" --data-urlencode "id=99999999" --data-urlencode "decision=grant"
tap_is "$c1" "$code $(norm d6 | md5sum)" "a request one cannot see answers exactly as an absent one (404)"
form d7 "$W_CO" /consents --data-urlencode "csrf=$(csrf "$W_CO")" --data-urlencode "id=$C" --data-urlencode "decision=grant"
tap_is "$code $(sql "SELECT status FROM council.consents WHERE id = $C")" "403 pending" \
	"R-SCOPE-4: the derived post's author cannot consent for the giver"
form d8a "$W_V1" /consents --data-urlencode "csrf=$(csrf "$W_V1")" --data-urlencode "id=$C" --data-urlencode "decision=grant"
tap_is "$code $(grep -c 'id="confirm-heading"' "$T/d8a") $(sql "SELECT status FROM council.consents WHERE id = $C")" "200 1 pending" \
	"R-SCOPE-4, issue 17: consent cannot be taken back, so the giver is asked first; nothing is decided yet"
tap_like "$(cat "$T/d8a")" '<p class="confirm__subject"><strong>tf-test derived</strong></p>' "... naming the derived information"
form d8 "$W_V1" /consents --data-urlencode "csrf=$(csrf "$W_V1")" --data-urlencode "id=$C" --data-urlencode "decision=grant" --data-urlencode confirm=yes
tap_is "$code $loc $(sql "SELECT status FROM council.consents WHERE id = $C")" "303 /consents granted" \
	"R-SCOPE-4: the giver consents, confirmed"
api d9 "$A_T2" GET "/api/v1/posts/$D"
tap_is "$code" 200 "R-SCOPE-4: ... and the derived post reaches the whole task force"
form d10 "$W_V1" /consents --data-urlencode "csrf=$(csrf "$W_V1")" --data-urlencode "id=$C" --data-urlencode "decision=refuse"
tap_is "$code $(sql "SELECT status FROM council.consents WHERE id = $C")" "422 granted" \
	"a decided request cannot be decided again"

tap_done
