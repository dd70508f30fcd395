#!/usr/bin/env bash
# Black-box tests of need to know and the uses of a post (issue 14 item 3;
# R-TF-7, R-TF-8, R-ORG-9, R-USE-1) through the JSON API and the pages: a
# Type 1 member deriving from a task-force report for every member must say
# why they need it (the composer and the API refuse without it, store
# nothing, and the preview warns); the coordinator reads the statement on
# the post's page, other readers do not; a Type 1 member and a mutual-aid
# body record uses, a Type 2 member and a general member are refused; the
# uses are seen by the user, the giver and the coordinator only; a hidden
# post answers exactly like an absent one.
#
# Usage: tests/http/uses.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-uses.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active ORDER BY p.id LIMIT 1"; }
V1=$(one "o.slug = 'sakura-security' AND $HANDLER")		# Type 1
COORD=$(one "o.council_role = 'coordinator' AND $HANDLER")
ISAC=$(one "o.slug = 'finsec-isac' AND $HANDLER")		# a mutual-aid body
BANK=$(one "o.slug = 'toto-bank' AND $HANDLER")		# Type 2
GIVER=$(one "o.slug = 'toto-power' AND $HANDLER")		# Type 2, the giver
GEN=$(one "o.slug = 'toto-tech' AND NOT $HANDLER")		# a general member
if [ -z "$ISAC" ] || [ -z "$GEN" ]; then
	echo "Bail out! the demo council lacks a mutual-aid body or a general member"; exit 1
fi
declare -A TOK WEB
for e in "$V1" "$COORD" "$ISAC" "$BANK" "$GIVER" "$GEN"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no session for $e"; exit 1; }
	WEB[$e]=$(session "$e" web) || { echo "Bail out! no session for $e"; exit 1; }
done
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }

# ---- R-TF-7: need to know. --------------------------------------------------------------
api s1 "${TOK[$BANK]}" POST /api/v1/posts '{"kind":"report","title":"uses-test tf source","body":"TF 内の報告","secret":false,"scope":[{"class":"task_force"}]}'
SRC=$(json s1 'd["id"]')
tap_is "$code" 201 "a Type 2 member reports to the task force"
n0=$(sql "SELECT count(*) FROM council.posts")
api d0 "${TOK[$V1]}" POST /api/v1/posts "{\"kind\":\"analysis\",\"title\":\"uses-test derived $$\",\"body\":\"要約\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}],\"sources\":[$SRC]}"
tap_is "$code $(cat "$T/d0") $(sql "SELECT count(*) FROM council.posts")" "422 {\"error\" : \"need_to_know_required\"} $n0" \
	"R-TF-7: deriving from it for every member without saying why they need it is refused, and stores nothing"
api d1 "${TOK[$V1]}" POST /api/v1/posts "{\"kind\":\"analysis\",\"title\":\"uses-test derived $$\",\"body\":\"要約\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}],\"sources\":[$SRC],\"need_to_know\":\"全会員が同型の VPN 機器を使うため $$\"}"
D=$(json d1 'd["id"]')
tap_is "$code" 201 "R-TF-7: ... with the statement it is posted"
# R-SCOPE-4: the source's giver consents, so that the post reaches every member.
api k1 "${TOK[$BANK]}" POST "/api/v1/consents/$(sql "SELECT id FROM council.consents WHERE post_id = ${D:-0}")" '{"grant":true}'
api u1 "${TOK[$COORD]}" GET "/api/v1/posts/$D/uses"
api u2 "${TOK[$GEN]}" GET "/api/v1/posts/$D/uses"
tap_is "$(json u1 'd["need_to_know"]["reason"]') | $code $(json u2 'd["need_to_know"]')" "全会員が同型の VPN 機器を使うため $$ | 200 None" \
	"R-TF-7: the coordinator reads the statement; another reader of the post does not"
page p1 "${WEB[$COORD]}" "/posts/$D"
page p2 "${WEB[$GEN]}" "/posts/$D"
tap_is "$(grep -c "全会員が同型の VPN 機器を使うため $$" "$T/p1") $(grep -c 'class="uses__ntk"' "$T/p1") $(grep -c "VPN 機器を使うため" "$T/p2")" "1 1 0" \
	"R-TF-7: the coordinator sees it on the post's page; the other reader's page does not show it"
form c1 "${WEB[$V1]}" /posts/new --data-urlencode "csrf=$(csrf "${WEB[$V1]}")" --data-urlencode kind=analysis \
	--data-urlencode "title=uses-test composer $$" --data-urlencode body=b --data-urlencode secret=no \
	--data-urlencode class=all_members --data-urlencode "sources=$SRC" --data-urlencode action=preview
tap_is "$code $(grep -c 'class="notice preview__need-to-know"' "$T/c1")" "200 1" "R-TF-7: the composer's preview says a statement will be needed"
form c2 "${WEB[$V1]}" /posts/new --data-urlencode "csrf=$(csrf "${WEB[$V1]}")" --data-urlencode kind=analysis \
	--data-urlencode "title=uses-test composer $$" --data-urlencode body=b --data-urlencode secret=no \
	--data-urlencode class=all_members --data-urlencode "sources=$SRC" --data-urlencode action=post \
	--data-urlencode "submit_key=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
tap_is "$code $(grep -c 'role="alert">タスクフォース内の情報をタスクフォース外の会員へ共有する理由（知る必要）を記入してください。' "$T/c2") $(grep -c 'id="compose-need-to-know"' "$T/c2") $(sql "SELECT count(*) FROM council.posts WHERE title = 'uses-test composer $$'")" "422 1 1 0" \
	"R-TF-7: the composer refuses without it, says why in Japanese, offers the field, stores nothing"
form c3 "${WEB[$V1]}" /posts/new --data-urlencode "csrf=$(csrf "${WEB[$V1]}")" --data-urlencode kind=analysis \
	--data-urlencode "title=uses-test composer $$" --data-urlencode body=b --data-urlencode secret=no \
	--data-urlencode class=type1_group --data-urlencode "sources=$SRC" --data-urlencode action=post \
	--data-urlencode "submit_key=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
tap_is "$code $(sql "SELECT count(*) FROM council.post_need_to_know n JOIN council.posts x ON x.id = n.post_id WHERE x.title = 'uses-test composer $$'")" "303 0" \
	"R-TF-7: within the task force nothing is asked"

# ---- R-TF-8, R-ORG-9, R-USE-1: uses. -------------------------------------------------------
api g1 "${TOK[$GIVER]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"uses-test report $$\",\"body\":\"観測\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
P=$(json g1 'd["id"]')
api w1 "${TOK[$V1]}" POST "/api/v1/posts/$P/uses" '{"kind":"customer_protection","note":"顧客の設定を点検"}'
tap_is "$code $(json w1 'len(d["uses"])') $(json w1 'd["uses"][0]["kind"]')" "201 1 customer_protection" \
	"R-TF-8: a Type 1 member records a use to protect its customers"
api w2 "${TOK[$BANK]}" POST "/api/v1/posts/$P/uses" '{"kind":"customer_protection","note":"x"}'
api w3 "${TOK[$GEN]}" POST "/api/v1/posts/$P/uses" '{"kind":"constituent_relay","note":"x"}'
api w4 "${TOK[$COORD]}" POST "/api/v1/posts/$P/uses" '{"kind":"customer_protection","note":"x"}'
tap_is "$(cat "$T/w2") $(cat "$T/w3") $(cat "$T/w4") $(sql "SELECT count(*) FROM council.post_uses WHERE post_id = $P")" \
	'{"error" : "customer_protection_type1_only"} {"error" : "relay_mutual_aid_only"} {"error" : "secretariat_uses_for_council_only"} 1' \
	"R-USE-1: a Type 2 member, a general member and the coordinator are refused, and nothing is recorded"
page q0 "${WEB[$ISAC]}" "/posts/$P"
tap_is "$(grep -c 'value="constituent_relay"' "$T/q0") $(grep -c 'value="customer_protection"' "$T/q0")" "1 0" \
	"R-ORG-9: the mutual-aid body's page offers the relay, and only it"
form q1 "${WEB[$ISAC]}" "/posts/$P/uses" --data-urlencode "csrf=$(csrf "${WEB[$ISAC]}")" --data-urlencode kind=constituent_relay --data-urlencode "note=  "
tap_is "$code $(grep -c 'role="alert">行ったことを1000文字以内で' "$T/q1")" "422 1" "a use without a note is refused on the page, in Japanese"
form q2 "${WEB[$ISAC]}" "/posts/$P/uses" --data-urlencode "csrf=$(csrf "${WEB[$ISAC]}")" --data-urlencode kind=constituent_relay --data-urlencode "note=会員向け注意喚起 $$"
tap_is "$code $loc" "303 /posts/$P#uses" "R-ORG-9: the mutual-aid body records a relay to its constituents from the page"
ABSENT=$(( $(sql "SELECT max(id) FROM council.posts") + 1000 ))
api h0 "${TOK[$V1]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"uses-test hidden $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"org\":$(sql "SELECT id FROM council.organisations WHERE slug = 'akatsuki-labs'")}]}"
H=$(json h0 'd["id"]')
api h1 "${TOK[$ISAC]}" POST "/api/v1/posts/$H/uses" '{"kind":"constituent_relay","note":"x"}'
api h2 "${TOK[$ISAC]}" POST "/api/v1/posts/$ABSENT/uses" '{"kind":"constituent_relay","note":"x"}'
tap_is "$code $(cat "$T/h1")" "404 $(cat "$T/h2")" "a post it does not see answers exactly like an absent one"
api h3 "${TOK[$ISAC]}" GET "/api/v1/posts/$H/uses"
api h4 "${TOK[$ISAC]}" GET "/api/v1/posts/$ABSENT/uses"
tap_is "$code $(cat "$T/h3")" "404 $(cat "$T/h4")" "... and so does reading its uses"
form h5 "${WEB[$ISAC]}" "/posts/$H/uses" --data-urlencode "csrf=$(csrf "${WEB[$ISAC]}")" --data-urlencode kind=constituent_relay --data-urlencode note=x
form h6 "${WEB[$ISAC]}" "/posts/$ABSENT/uses" --data-urlencode "csrf=$(csrf "${WEB[$ISAC]}")" --data-urlencode kind=constituent_relay --data-urlencode note=x
tap_is "$code $(nr h5 | md5sum)" "404 $(nr h6 | md5sum)" "... and the page's form too, byte for byte"

for who in GIVER COORD V1 ISAC GEN BANK; do
	eval "e=\$$who"
	api l "${TOK[$e]}" GET "/api/v1/posts/$P/uses"
	eval "n_$who=\$(json l 'len(d[\"uses\"])')"
done
# shellcheck disable=SC2154
tap_is "$n_GIVER $n_COORD $n_V1 $n_ISAC $n_GEN $n_BANK" "2 2 1 1 0 0" \
	"R-TF-8, R-ORG-9: the giver and the coordinator see both uses, each user its own, other readers none"
page r1 "${WEB[$GIVER]}" "/posts/$P"
page r2 "${WEB[$GEN]}" "/posts/$P"
tap_is "$(grep -c "会員向け注意喚起 $$" "$T/r1") $(grep -c '顧客の設定を点検' "$T/r1") $(grep -c 'id="uses"' "$T/r2")" "1 1 0" \
	"R-USE-1: the giver's page lists the uses; a general member's page has no uses section at all"
tap_is "$(sql "SELECT count(*) FROM council.notifications n JOIN council.people x ON x.id = n.person_id
	WHERE x.email = '$GIVER' AND n.kind = 'post.used' AND n.link = '/posts/$P'")" 2 \
	"the giver's author is told of each use"
tap_done
