#!/usr/bin/env bash
# Black-box tests of the steering committee through the JSON API (issue 5):
# a restriction passed with at least three quarters of the committee
# (R-GOV-7) takes effect at once: the restricted member no longer reads new
# shared posts (R-RESTRICT-1), while others do.  Also: who may act, and a
# motion one cannot see answers like an absent one; and (issue 10) declared
# special interests do not lower the bar of a restriction or an expulsion
# (R-GOV-6, R-GOV-7): on the demo's nine seats, five declarations and four
# yes do not restrict, four declarations and five yes do not expel.
#
# Sessions are made in the database, as in tests/http/feedback.sh (committee
# members would need a second factor at sign-in).
#
# Usage: tests/http/committee.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-sc.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"
token() { session "$1" api; }	# token EMAIL: a live API token

# The demo committee (Annex 1): the chair and eight members; the member to
# restrict (a Type 2 operator, no seat); a general member who keeps reading.
mapfile -t SEATS < <(sql "SELECT p.email FROM council.committee_members c
	JOIN council.people p ON p.id = c.person_id ORDER BY c.is_chair DESC, p.id")
CHAIR=${SEATS[0]}
N=${#SEATS[@]}
SUBJ_ORG=toto-bank
R=mayu.nakano@toto-bank.example.jp
G=daisuke.mori@fsa.example.jp
AUTHOR=taro.yamada@jpcert-cc.example.jp
[ "$N" -ge 4 ] || { echo "Bail out! the demo committee has $N seats"; exit 1; }
declare -A TOK
for e in "${SEATS[@]}" "$R" "$G" "$AUTHOR"; do
	TOK[$e]=$(token "$e") || { echo "Bail out! no token for $e"; exit 1; }
done
SUBJ=$(sql "SELECT id FROM council.organisations WHERE slug = '$SUBJ_ORG'")
sql "UPDATE council.organisations SET restricted = false WHERE id = $SUBJ" >/dev/null

# Before: the member reads a post shared to all members.
api p0 "${TOK[$AUTHOR]}" POST /api/v1/posts "{\"kind\":\"alert\",\"title\":\"sc-test before $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
P0=$(json p0 'd["id"]')
api r0 "${TOK[$R]}" GET "/api/v1/posts/$P0"
tap_is "$code" 200 "before: the member reads a post shared to all members"

# Who may act.
api m0 "${TOK[$G]}" POST /api/v1/committee/motions "{\"kind\":\"restriction\",\"title\":\"x\",\"subject\":$SUBJ}"
tap_is "$code" 403 "R-GOV-5: a member outside the committee cannot table a motion"
api m1 "${TOK[${SEATS[1]}]}" POST /api/v1/committee/motions \
	"{\"kind\":\"restriction\",\"title\":\"sc-test: suspected leak $$\",\"body\":\"R-RESTRICT-1\",\"subject\":$SUBJ}"
M=$(json m1 'd["id"]')
tap_is "$code" 201 "R-GOV-7: a committee member tables a restriction of the member"
api g1 "${TOK[$G]}" GET "/api/v1/committee/motions/$M"
c1="$code $(cat "$T/g1")"
api g2 "${TOK[$G]}" GET "/api/v1/committee/motions/99999999"
tap_is "$c1" "$code $(cat "$T/g2")" "R-GOV-8: a motion is as invisible to a non-member as an absent one"

# R-GOV-6, R-GOV-7: the bars count every seat.  The last D seats declare a
# special interest, the others all vote yes: a whole "yes" of those
# entitled, but not 3/4 (or all) of the committee.
# Opened an hour ahead, so that a loaded machine tables, attends, declares
# and opens both in time; sc_due (tests/lib/portal.sh) brings their close.
CLOSE_B=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
bar_motion() {	# KIND DECLARED: table, attend, declare, open; echoes the id
	local kind=$1 d=$2 m i=0 e
	api b "${TOK[${SEATS[1]}]}" POST /api/v1/committee/motions \
		"{\"kind\":\"$kind\",\"title\":\"sc-test: bar $kind $$\",\"subject\":$SUBJ}"
	m=$(json b 'd["id"]')
	for e in "${SEATS[@]}"; do
		api b "${TOK[$e]}" POST "/api/v1/committee/motions/$m" '{"action":"attend"}'
		if [ $i -ge $((N - d)) ]; then
			api b "${TOK[$e]}" POST "/api/v1/committee/motions/$m" '{"action":"interest","reason":"sc-test"}'
		fi
		i=$((i + 1))
	done
	api b "${TOK[$CHAIR]}" POST "/api/v1/committee/motions/$m" "{\"action\":\"open\",\"closes_at\":\"$CLOSE_B\"}"
	i=0
	for e in "${SEATS[@]}"; do
		[ $i -lt $((N - d)) ] && api b "${TOK[$e]}" POST "/api/v1/committee/motions/$m" '{"action":"vote","choice":"yes"}'
		i=$((i + 1))
	done
	echo "$m"
}
MR=$(bar_motion restriction $((N - N / 2)))
ME=$(bar_motion expulsion $((N - N / 2 - 1)))

for e in "${SEATS[@]}"; do api a "${TOK[$e]}" POST "/api/v1/committee/motions/$M" '{"action":"attend"}'; done
tap_is "$code" 200 "every committee member marks presence"
CLOSE=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
api o0 "${TOK[${SEATS[1]}]}" POST "/api/v1/committee/motions/$M" "{\"action\":\"open\",\"closes_at\":\"$CLOSE\"}"
tap_is "$code" 403 "only the chair (or the secretariat) opens the poll"
api o1 "${TOK[$CHAIR]}" POST "/api/v1/committee/motions/$M" "{\"action\":\"open\",\"closes_at\":\"$CLOSE\"}"
tap_is "$code $(json o1 'd["status"]')" "200 open" "the chair opens the poll"
api no "${TOK[${SEATS[1]}]}" GET /api/v1/notifications
tap_is "$(json no '[x["link"] for x in d["notifications"] if x["kind"] == "sc.open"][0]')" "/committee/$M" \
	"issue 17: every seat is told that the poll opened, with a link to the motion"
# At least three quarters of all N seats: ceil(3N/4) yes, the rest no.
Y=$(( (3 * N + 3) / 4 ))
i=0
for e in "${SEATS[@]}"; do
	if [ $i -lt "$Y" ]; then c=yes; else c=no; fi
	api v "${TOK[$e]}" POST "/api/v1/committee/motions/$M" "{\"action\":\"vote\",\"choice\":\"$c\"}"
	[ "$code" = 200 ] || tap_diag "vote of $e: $code $(cat "$T/v")"
	i=$((i + 1))
done
api v2 "${TOK[$G]}" POST "/api/v1/committee/motions/$M" '{"action":"vote","choice":"no"}'
tap_is "$code" 404 "a non-member's vote finds no motion"
sc_due "$M"
# Nobody reads the motion: councild's clock (server/core/timer.c, every 15 s)
# closes it at its time.  Wait for that, up to 40 s.
for _ in $(seq 1 40); do
	st=$(sql "SELECT status FROM council.sc_motions WHERE id = $M")
	[ "$st" != open ] && break
	sleep 1
done
tap_is "$st" passed "the server closes the poll at its time, unread (the clock)"
api c "${TOK[${SEATS[1]}]}" GET "/api/v1/committee/motions/$M"
tap_is "$code $(json c 'd["status"]')" "200 passed" \
	"R-GOV-7: $Y of $N seats in favour: the restriction passes when the poll closes"
tap_like "$(cat "$T/c")" "\"rule_code\" *: *\"sc.restriction\"" "... counted under the restriction rule, stated in the result"
tap_is "$(sql "SELECT restricted FROM council.organisations WHERE id = $SUBJ")" t \
	"R-RESTRICT-1: the member is restricted at once"
sc_due "$MR"; sc_due "$ME"
for _ in $(seq 1 40); do
	[ "$(sql "SELECT count(*) FROM council.sc_motions WHERE id IN ($MR, $ME) AND status = 'open'")" = 0 ] && break
	sleep 1
done
api br "${TOK[$CHAIR]}" GET "/api/v1/committee/motions/$MR"
tap_is "$code $(json br 'd["status"], d["result"]["pass"]["numerator"], d["result"]["pass"]["denominator"], d["result"]["pass_rule"]["base"]')" \
	"200 ('failed', $((N / 2)), $N, 'committee_seats')" \
	"R-GOV-7: $((N - N / 2)) declared special interests and $((N / 2)) yes of $N seats do not restrict"
api be "${TOK[$CHAIR]}" GET "/api/v1/committee/motions/$ME"
tap_is "$code $(json be 'd["status"], d["result"]["pass"]["numerator"], d["result"]["pass"]["denominator"]') $(sql "SELECT status FROM council.organisations WHERE id = $SUBJ")" \
	"200 ('failed', $((N / 2 + 1)), $N) member" \
	"R-GOV-6: $((N - N / 2 - 1)) declared special interests and $((N / 2 + 1)) yes of $N seats do not expel"

# After: a new shared post does not reach the restricted member; others read it.
api p1 "${TOK[$AUTHOR]}" POST /api/v1/posts "{\"kind\":\"alert\",\"title\":\"sc-test after $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
P1=$(json p1 'd["id"]')
api r1 "${TOK[$R]}" GET "/api/v1/posts/$P1"
c1="$code $(cat "$T/r1")"
api r2 "${TOK[$R]}" GET "/api/v1/posts/99999999"
tap_is "$c1" "$code $(cat "$T/r2")" "R-RESTRICT-1: the restricted member cannot read the new post (as if absent)"
api r3 "${TOK[$G]}" GET "/api/v1/posts/$P1"
tap_is "$code" 200 "... while another member reads it"
api r4 "${TOK[$R]}" POST /api/v1/posts '{"kind":"report","title":"sc-test restricted","body":"b","secret":false}'
tap_is "$code $(cat "$T/r4")" '403 {"error" : "member_restricted"}' "R-RESTRICT-1: and cannot post"

# The chair may reject a passed resolution, with a reason: the restriction ends.
api x0 "${TOK[${SEATS[1]}]}" POST "/api/v1/committee/motions/$M" '{"action":"reject","reason":"x"}'
tap_is "$code" 403 "only the chair rejects a resolution"
api x1 "${TOK[$CHAIR]}" POST "/api/v1/committee/motions/$M" '{"action":"reject","reason":"sc-test: the council'"'"'s purpose requires it"}'
tap_is "$code $(json x1 'd["status"]') $(sql "SELECT restricted FROM council.organisations WHERE id = $SUBJ")" \
	"200 rejected_by_chair f" "R-GOV-5: the chair's rejection is recorded and undoes the restriction"
api r5 "${TOK[$R]}" GET "/api/v1/posts/$P1"
tap_is "$code" 200 "... and the member reads again"

# R-GOV-5 (Rules Art. 11(3)5): the committee amends Annex 1 with a whole
# new text; passed, the text is the document's next version at once.
ANNEX=$(sql "SELECT id FROM council.documents WHERE slug = 'annex-1'")
HEAD=$(sql "SELECT max(version) FROM council.document_versions WHERE document_id = $ANNEX")
NEWTEXT=$(sql "SELECT body FROM council.document_versions WHERE document_id = $ANNEX AND version = $HEAD" |
	python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().rstrip("\n") + "\nデジタル大臣 ('"$$"')"))')
api d0 "${TOK[$G]}" POST /api/v1/committee/motions "{\"kind\":\"annex1_amendment\",\"title\":\"x\",\"document\":$ANNEX,\"text\":$NEWTEXT}"
tap_is "$code" 403 "R-GOV-5: a member outside the committee cannot table an Annex 1 amendment"
RULES=$(sql "SELECT id FROM council.documents WHERE slug = 'rules'")
api d1 "${TOK[${SEATS[1]}]}" POST /api/v1/committee/motions "{\"kind\":\"annex1_amendment\",\"title\":\"x\",\"document\":$RULES,\"text\":\"x\"}"
tap_is "$code $(cat "$T/d1")" '422 {"error" : "document_not_owned"}' \
	"R-GOV-1: the committee cannot amend the Rules (the general assembly's)"
api d2 "${TOK[${SEATS[1]}]}" POST /api/v1/committee/motions "{\"kind\":\"annex1_amendment\",\"title\":\"sc-test: Annex 1 $$\",\"document\":$ANNEX,\"text\":$NEWTEXT}"
A=$(json d2 'd["id"]')
tap_is "$code" 201 "a committee member tables an Annex 1 amendment with its new text"
api d3 "${TOK[$CHAIR]}" GET "/api/v1/committee/motions/$A"
tap_is "$(json d3 'd["amendment"]["base_version"]') $(json d3 'd["amendment"]["proposed_text"].endswith("デジタル大臣 ('"$$"')")')" \
	"$HEAD True" "the motion shows the version it amends and the text proposed"
for e in "${SEATS[@]}"; do api a "${TOK[$e]}" POST "/api/v1/committee/motions/$A" '{"action":"attend"}'; done
CLOSE=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
api d4 "${TOK[$CHAIR]}" POST "/api/v1/committee/motions/$A" "{\"action\":\"open\",\"closes_at\":\"$CLOSE\"}"
for e in "${SEATS[@]}"; do
	api v "${TOK[$e]}" POST "/api/v1/committee/motions/$A" '{"action":"vote","choice":"yes"}'
done
sc_due "$A"
api d5 "${TOK[${SEATS[1]}]}" GET "/api/v1/committee/motions/$A"
tap_is "$code $(json d5 'd["status"]') $(json d5 'd["effect"]["version"]')" "200 passed $((HEAD + 1))" \
	"the amendment passes and its effect names Annex 1's next version"
tap_is "$(sql "SELECT version = $((HEAD + 1)) AND adopted_by_motion = $A AND body LIKE '%デジタル大臣 ($$)'
	FROM council.document_versions WHERE document_id = $ANNEX ORDER BY version DESC LIMIT 1")" t \
	"the proposed text is in force as the newest version, adopted by the motion"
# R-ORG-7: the texts are published: anyone reads the new version and
# what it changed, without signing in.
code=$(curl -sS --max-time 20 -o "$T/doc" -w '%{http_code}' "$B/documents/annex-1")
tap_like "$code $(grep -c "<span class=\"diff__add\"><span class=\"diff__sign\">+</span><span>デジタル大臣 ($$)</span>" "$T/doc")" \
	'^200 1$' "R-ORG-7: anyone reads Annex 1's new version, the added line shown as added"
tap_like "$(grep -c "運営委員会の議決 #$A" "$T/doc")" '^[1-9]' "... and that the committee's resolution #$A adopted it"
code=$(curl -sS --max-time 20 -o "$T/doc1" -w '%{http_code}' "$B/documents/annex-1/1")
tap_is "$code $(grep -c "デジタル大臣 ($$)" "$T/doc1")" "200 0" "... while version 1 stays readable as it was"
code=$(curl -sS --max-time 20 -o "$T/docx" -w '%{http_code}' "$B/documents/annex-1/999999")
c1=$code
code=$(curl -sS --max-time 20 -o "$T/docy" -w '%{http_code}' "$B/documents/annex-1/1x")
tap_is "$c1 $code" "404 404" "an absent version or a malformed path is 404"
code=$(curl -sS --max-time 20 -o "$T/doca" -w '%{http_code}' "$B/api/v1/documents/annex-1")
tap_is "$code $(json doca 'd["versions"][-1]["adopted_by_motion"]')" "200 $A" "the API gives every version, with the adopting resolution"

# R-COOP-1: a request for cooperation to the member that consented; it
# is told, sees the request and answers it with one of its own posts.
R_ADMIN=$(sql "SELECT email FROM council.people WHERE org_id = $SUBJ AND is_org_admin AND active ORDER BY id LIMIT 1")
TOK[$R_ADMIN]=$(session "$R_ADMIN" api)
coop_told() { api kn "${TOK[$R_ADMIN]}" GET /api/v1/notifications; json kn 'sum(1 for x in d["notifications"] if x["kind"] == "coop.request")'; }
TOLD=$(coop_told)
api k0 "${TOK[${SEATS[1]}]}" POST /api/v1/committee/motions "{\"kind\":\"cooperation_request\",\"title\":\"sc-test: cooperation $$\",\"subject\":$SUBJ,\"coop_trigger\":\"member_consent\",\"coop_purpose\":\"incident analysis $$\",\"coop_scope\":\"logs of the VPN gateway\"}"
K=$(json k0 'd["id"]')
for e in "${SEATS[@]}"; do api a "${TOK[$e]}" POST "/api/v1/committee/motions/$K" '{"action":"attend"}'; done
api k1 "${TOK[$CHAIR]}" POST "/api/v1/committee/motions/$K" "{\"action\":\"open\",\"closes_at\":\"$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)\"}"
for e in "${SEATS[@]}"; do api v "${TOK[$e]}" POST "/api/v1/committee/motions/$K" '{"action":"vote","choice":"yes"}'; done
sc_due "$K"
api k2 "${TOK[$CHAIR]}" GET "/api/v1/committee/motions/$K"
REQ=$(json k2 'd["effect"]["request"]')
tap_is "$(json k2 'd["status"]') $(json k2 'd["effect"]["applied"]')" "passed True" \
	"R-COOP-1: the committee issues a request for cooperation to the member that consented"
tap_is "$(coop_told)" $((TOLD + 1)) "the member's administrator is told"
api k4 "${TOK[$R]}" GET /api/v1/cooperation
tap_is "$(json k4 '[q["purpose"] for q in d["requests"] if q["id"] == '"$REQ"'][0]')" "incident analysis $$" \
	"the member sees the request with its purpose"
api k5 "${TOK[$G]}" GET /api/v1/cooperation
tap_is "$(json k5 'sum(1 for q in d["requests"] if q["id"] == '"$REQ"')')" 0 \
	"a member it does not ask does not see it"
api k6 "${TOK[$R]}" POST "/api/v1/cooperation/$REQ" "{\"post\":$P1}"
tap_is "$code $(cat "$T/k6")" '403 {"error" : "only_own_posts"}' "R-COOP-1: another organisation's post cannot answer it"
api k7 "${TOK[$R]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"sc-test answer $$\",\"body\":\"VPN logs summary\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
PA=$(json k7 'd["id"]')
api k8 "${TOK[$R]}" POST "/api/v1/cooperation/$REQ" "{\"post\":$PA}"
tap_is "$code $(json k8 '[q["answers"][0]["post"] for q in d["requests"] if q["id"] == '"$REQ"'][0]')" "200 $PA" \
	"the member answers with its own post, linked to the request"
api k9 "${TOK[$G]}" POST "/api/v1/cooperation/$REQ" "{\"post\":$P1}"
c9="$code $(cat "$T/k9")"
api k10 "${TOK[$G]}" POST "/api/v1/cooperation/99999999" "{\"post\":$P1}"
tap_is "$c9" "$code $(cat "$T/k10")" "a member it does not ask cannot answer: as if absent"

W_R=$(session "$R" web)
page w0 "$W_R" /cooperation
tap_like "$code $(grep -c "incident analysis $$" "$T/w0") $(grep -c 'name="post"' "$T/w0")" '^200 1 [1-9]' \
	"the cooperation page shows the request and a form to answer with the member's own posts"
form w1 "$W_R" /cooperation --data-urlencode "csrf=$(csrf "$W_R")" --data-urlencode "request=$REQ" --data-urlencode "post=$P1"
tap_is "$code" 403 "... which refuses another organisation's post"


# The committee's pages (server/pages/committee.c): the same acts through forms.
W_C=$(session "$CHAIR" web)
W_S=$(session "${SEATS[1]}" web)
W_G=$(session "$G" web)
page q0 "$W_G" /committee
c0="$code $(grep -c 'sc-result\|href="/committee/[0-9]' "$T/q0")"
page q1 "$W_G" "/committee/$A"
tap_is "$c0 $code" "200 0 404" "R-GOV-8: a member outside the committee sees no motion on the page; one's page is 404"
page q2 "$W_C" "/committee/$A"
tap_like "$code $(grep -c 'class="diff__add"' "$T/q2") $(grep -c '運営委員会の通常の議決（規約第11条第5項〜第7項、第1版）' "$T/q2") $(grep -c 'sc\.ordinary' "$T/q2")" '^200 1 1 0$' \
	"the chair reads the Annex 1 motion with its diff, its count and its rule by name, article and version (no internal code: issue 17 item 8)"
# Issue 17: the count as a chart, its numbers in its text equivalent.
api q2j "${TOK[$CHAIR]}" GET "/api/v1/committee/motions/$A"
tap_like "$(cat "$T/q2")" "<desc id=\"chart-vote-d\">$(vote_chart_desc q2j 出席委員)</desc>" \
	"issue 17: the count is also a chart: choices, the line the rule needs, those present and the quorum, as text"
tap_like "$(cat "$T/q2")" '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--vote" role="img" aria-labelledby="chart-vote-t chart-vote-d"' \
	"... an image named by its title and description"
# Every decision rule has its name in both catalogs.
missing=''
for k in $(sql "SELECT code || '.' || version FROM council.decision_rules ORDER BY 1"); do
	for l in ja en; do grep -qF "msgid \"rule.$k\"" "$ROOT/po/$l.po" || missing="$missing $l:$k"; done
done
tap_is "${missing:-none}" none "every rule of council.decision_rules is named in po/ja.po and po/en.po"
form q3 "$W_S" /committee --data-urlencode "csrf=$(csrf "$W_S")" --data-urlencode kind=other \
	--data-urlencode "title=sc-test page motion $$" --data-urlencode "body=説明"
QM=${loc##*/}
tap_like "$code $loc" '^303 /committee/[0-9]+$' "a committee member tables a motion with the form"
for e in "${SEATS[@]}"; do
	W_E=$(session "$e" web)
	form q4 "$W_E" "/committee/$QM" --data-urlencode "csrf=$(csrf "$W_E")" --data-urlencode action=attend
done
form q5 "$W_S" "/committee/$QM" --data-urlencode "csrf=$(csrf "$W_S")" --data-urlencode action=open \
	--data-urlencode "closes=$(TZ=Asia/Tokyo date -d '+1 day' +%Y-%m-%dT%H:%M)"
tap_is "$code $(grep -c '議長だけが行えます\|この操作はできませんでした' "$T/q5")" "403 1" "a member who is not the chair cannot open the poll on the page"
form q6 "$W_C" "/committee/$QM" --data-urlencode "csrf=$(csrf "$W_C")" --data-urlencode action=open \
	--data-urlencode "closes=$(TZ=Asia/Tokyo date -d '+1 day' +%Y-%m-%dT%H:%M)"
form q7 "$W_S" "/committee/$QM" --data-urlencode "csrf=$(csrf "$W_S")" --data-urlencode action=vote --data-urlencode choice=yes
page q8 "$W_S" "/committee/$QM"
tap_is "$code $(sql "SELECT status FROM council.sc_motions WHERE id = $QM") $(grep -c 'あなたの票' "$T/q8")" "200 open 1" \
	"the chair opens it and a member votes through the page"
tap_like "$(cat "$T/q8")" '<svg [^>]*class="chart chart--countdown" role="img" aria-labelledby="chart-closes-t chart-closes-d"[^>]*><title id="chart-closes-t">採決の締切（日本時間） 残り (23時間 5[0-9]分|1日 0時間)</title><desc id="chart-closes-d">(9[0-9]|100)%</desc>' \
	"issue 17: the open poll's time left is a bar too, said in words"
form q9 "$W_S" "/committee/$QM" --data-urlencode "csrf=0" --data-urlencode action=vote --data-urlencode choice=no
tap_is "$code" 403 "a form without the session's token is refused"

tap_done
