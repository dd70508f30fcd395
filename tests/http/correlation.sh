#!/usr/bin/env bash
# Black-box tests of correlation under scope (issue 15 item 5, M25;
# policy/98_correlation.sql, server/pages/correlation.c) through the JSON
# API and the post page: a member posting indicators that appear in a post
# it reads and in one it cannot read (R-SCOPE-1) is told of its post, and
# shown, on the page ("相関") and by GET /api/v1/posts/N/correlations,
# only the post it reads; a post whose only matches are hidden answers
# exactly like a post without any match, and tells nothing; the hidden
# post's correlations answer exactly like an absent post's (404); a reader
# of both is shown both.
#
# Usage: tests/http/correlation.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-corr.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active ORDER BY p.id LIMIT 1"; }
V1=$(one "o.slug = 'sakura-security' AND $HANDLER")		# Type 1
BANK=$(one "o.slug = 'toto-bank' AND $HANDLER")
POWER=$(one "o.slug = 'toto-power' AND $HANDLER")
COORD=$(one "o.council_role = 'coordinator' AND $HANDLER")
if [ -z "$V1" ] || [ -z "$BANK" ] || [ -z "$POWER" ] || [ -z "$COORD" ]; then
	echo "Bail out! the demo council lacks the members this test needs"; exit 1
fi
declare -A TOK WEB
for e in "$V1" "$BANK" "$POWER" "$COORD"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no session for $e"; exit 1; }
	WEB[$e]=$(session "$e" web) || { echo "Bail out! no session for $e"; exit 1; }
done
POWER_ORG=$(sql "SELECT id FROM council.organisations WHERE slug = 'toto-power'")
# Values of this run only (the database keeps earlier runs' posts).
R=$(head -c 4 /dev/urandom | od -An -tu4 | tr -d ' ')
VIS="vis-$R.example.net"
HID="hid-$R.example.org"
ONLYHID="onlyhid-$R.example.org"
HASH=$(printf '%s' "$R" | sha256sum | cut -c1-64)
# notes PERSON: that person's post.correlation notifications, as "link" lines.
notes() { sql "SELECT string_agg(n.link, ' ' ORDER BY n.id) FROM council.notifications n
	JOIN council.people x ON x.id = n.person_id WHERE x.email = '$1' AND n.kind = 'post.correlation'
	AND n.created_at > now() - interval '1 hour' AND n.link IN ($2)"; }
# shape NAME ID: the answer with the post's id replaced by N.
shape() { sed "s/\b$2\b/N/g" "$T/$1"; }

api v "${TOK[$V1]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"corr-test visible $R\",\"body\":\"C2 at $VIS, sample $HASH\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
PV=$(json v 'd["id"]')
tap_is "$code" 201 "a Type 1 member posts indicators to every member"
api h "${TOK[$POWER]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"corr-test hidden $R\",\"body\":\"C2 at $HID and $ONLYHID, sample $HASH\",\"secret\":false,\"scope\":[{\"org\":$POWER_ORG}]}"
PH=$(json h 'd["id"]')
tap_is "$code" 201 "an operator posts indicators to itself only"

# ---- The author is told only of what it reads. --------------------------------------------
api n1 "${TOK[$BANK]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"corr-test bank $R\",\"body\":\"we saw $VIS, $HID and $HASH\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
N1=$(json n1 'd["id"]')
api n2 "${TOK[$BANK]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"corr-test bank only-hidden $R\",\"body\":\"we saw $ONLYHID\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
N2=$(json n2 'd["id"]')
api n3 "${TOK[$BANK]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"corr-test bank nothing $R\",\"body\":\"we saw nothing\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
N3=$(json n3 'd["id"]')
tap_is "$(json n1 'len(d)') $(json n2 'len(d)') $(json n3 'len(d)') $(json n1 'sorted(d)') $(json n2 'sorted(d)')" \
	"$(json n3 'len(d)') $(json n3 'len(d)') $(json n3 'len(d)') $(json n3 'sorted(d)') $(json n3 'sorted(d)')" \
	"M25: creating a post answers alike whether its indicators match visible posts, hidden posts or none"
tap_is "$(notes "$BANK" "'/posts/$N1', '/posts/$N2', '/posts/$N3'")" "/posts/$N1" \
	"R-SCOPE-1: the author is told of its post that matches a post it reads, not of the one whose matches it cannot read"
api l "${TOK[$BANK]}" GET /api/v1/notifications
tap_is "$(json l "[x['subject_en'] for x in d['notifications'] if x['kind'] == 'post.correlation' and x['link'] == '/posts/$N1']")" \
	"['Correlation: indicators of post #$N1 appear in other posts you can read']" \
	"M25: the notification names the author's post and no count, no other post, no value"

# ---- What each reader is shown. ------------------------------------------------------------
api c1 "${TOK[$BANK]}" GET "/api/v1/posts/$N1/correlations"
tap_is "$code $(json c1 "[(c['post'], c['title'], [(s['kind'], s['value']) for s in c['shared']]) for c in d['correlations'] if c['post'] in ($PV, $PH)]")" \
	"200 [($PV, 'corr-test visible $R', [('domain', '$VIS'), ('hash', '$HASH')])]" \
	"R-SCOPE-1: the API lists the post the author reads with the shared values, not the post it cannot read"
tap_is "$(json c1 "[c for c in d['correlations'] if c['post'] == $PH]") $(grep -c "corr-test hidden\|$ONLYHID" "$T/c1")" "[] 0" \
	"... the hidden post's id, title and values appear nowhere in the answer"
api c2 "${TOK[$BANK]}" GET "/api/v1/posts/$N2/correlations"
api c3 "${TOK[$BANK]}" GET "/api/v1/posts/$N3/correlations"
tap_is "$code $(shape c2 "$N2")" "200 $(shape c3 "$N3")" \
	"M25: a post whose only matches are hidden answers exactly like a post without any match"
api x1 "${TOK[$BANK]}" GET "/api/v1/posts/$PH/correlations"
c_hidden=$code
api x2 "${TOK[$BANK]}" GET "/api/v1/posts/999999999/correlations"
tap_is "$c_hidden $(cat "$T/x1")" "$code $(cat "$T/x2")" \
	"R-SCOPE-1: the correlations of a post the caller cannot read answer exactly like an absent post's"
tap_is "$code $(cat "$T/x2")" '404 {"error" : "post_not_found"}' "... 404 post_not_found"
api c4 "${TOK[$POWER]}" GET "/api/v1/posts/$N1/correlations"
tap_is "$(json c4 "sorted(c['post'] for c in d['correlations'] if c['post'] in ($PV, $PH))")" "$(printf '%s\n' "$PV" "$PH" | sort -n | paste -sd, | sed 's/^/[/; s/$/]/; s/,/, /')" \
	"R-SCOPE-1: the operator, which reads both, is shown both"
api c5 "${TOK[$COORD]}" GET "/api/v1/posts/$N1/correlations"
tap_is "$(json c5 "[s['value'] for c in d['correlations'] if c['post'] == $PH for s in c['shared']]")" "['$HID', '$HASH']" \
	"R-ORG-6: the coordinator is shown the operator's post with both shared values"
code=$(curl -sS --max-time 20 -o "$T/u" -w '%{http_code}' "$B/api/v1/posts/$N1/correlations")
tap_is "$code $(cat "$T/u")" '401 {"error":"not_signed_in"}' "nobody signed in: 401"

# ---- The post page's section. ----------------------------------------------------------------
page p1 "${WEB[$BANK]}" "/posts/$N1"
tap_is "$code $(grep -c 'id="correlations"' "$T/p1") $(grep -c "href=\"/posts/$PV\"" "$T/p1") $(grep -c "href=\"/posts/$PH\"\|corr-test hidden" "$T/p1") $(grep -c "<code>$VIS</code>" "$T/p1")" \
	"200 1 1 0 1" "R-SCOPE-1: the post's page has the section 相関 with the post the author reads and its shared value, and nothing of the hidden one"
tap_like "$(cat "$T/p1")" '<h2 id="correlations-heading">相関</h2>' "... headed in Japanese"
page p2 "${WEB[$BANK]}" "/posts/$N2"
tap_is "$(grep -c 'あなたが閲覧できる投稿に、同じ指標はありません。' "$T/p2") $(grep -c "$ONLYHID</code>" "$T/p2")" "1 0" \
	"M25: the page of the post whose only matches are hidden says there is none"
page p3 "${WEB[$POWER]}" "/posts/$N1"
tap_is "$(grep -c "href=\"/posts/$PV\"" "$T/p3") $(grep -c "href=\"/posts/$PH\"" "$T/p3")" "1 1" \
	"R-SCOPE-1: the operator's page of the same post lists both"
page p4 "${WEB[$BANK]}" "/posts/$PH"
tap_is "$code" 404 "the hidden post's page is 404, like an absent one"
tap_done
