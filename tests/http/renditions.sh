#!/usr/bin/env bash
# Black-box tests of one analysis in tiered renditions (issue 14 item 1;
# R-NEW-1) through the JSON API and the pages: the government analyst
# previews who reads each rendition and writes three (full to two
# ministries, for provision to the task force as a secret, for awareness
# to every member and published); a ministry's handler, a Type 1 handler
# and a university are each shown a different rendition, the richest they
# may read; a reader of a poorer rendition cannot tell a richer one exists:
# its page and API answer are byte for byte those of a post without
# renditions (ids and times aside), a richer id answers like an absent
# one; the rendition for awareness is public without sign-in, the others
# never; a secret in the rendition for awareness is refused and changes
# nothing.
#
# Usage: tests/http/renditions.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-rend.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active ORDER BY p.id LIMIT 1"; }
ANALYST=$(sql "SELECT p.email FROM council.asset_analysts a JOIN council.people p ON p.id = a.person_id
	ORDER BY p.id LIMIT 1")					# the government analyst
FULLR=$(one "o.slug = 'npa' AND $HANDLER")			# a ministry named by the full rendition
TF=$(one "o.tf_class = 'type1' AND o.council_role IS NULL AND $HANDLER")	# a Type 1 handler
GEN=$(one "o.slug = 'toto-tech' AND NOT $HANDLER")		# a university's non-handler
[ -n "$ANALYST" ] && [ -n "$FULLR" ] && [ -n "$TF" ] && [ -n "$GEN" ] || { echo "Bail out! demo people missing"; exit 1; }
declare -A TOK WEB
for e in "$ANALYST" "$FULLR" "$TF" "$GEN"; do
	TOK[$e]=$(session "$e" api) && WEB[$e]=$(session "$e" web) || { echo "Bail out! no session for $e"; exit 1; }
done
NPA=$(sql "SELECT id FROM council.organisations WHERE slug = 'npa'")
MIC=$(sql "SELECT id FROM council.organisations WHERE slug = 'mic'")
R="rend-$$"
AW_BODY="Update the VPN appliances to the fixed version."
RENDITIONS="[{\"tier\":\"full\",\"title\":\"$R full\",\"body\":\"C2 203.0.113.7 seen in ISP traffic.\",\"secret\":true,\"comms_info\":true,\"scope\":[{\"org\":$NPA},{\"org\":$MIC}]},
 {\"tier\":\"provision\",\"title\":\"$R provision\",\"body\":\"C2 203.0.113.7; victims in finance.\",\"secret\":true,\"scope\":[{\"class\":\"task_force\"}]},
 {\"tier\":\"awareness\",\"title\":\"$R awareness\",\"body\":\"$AW_BODY\",\"secret\":false,\"publish\":true}]"

# ---- Refusals change nothing. ------------------------------------------------------------
n0=$(sql "SELECT count(*) FROM council.posts")/$(sql "SELECT count(*) FROM council.analyses")
api x0 "${TOK[$ANALYST]}" POST /api/v1/analyses '{"renditions":[{"tier":"awareness","title":"t","body":"b","secret":true}]}'
api x1 "${TOK[$ANALYST]}" POST /api/v1/analyses '{"renditions":[{"tier":"provision","title":"t","body":"b","secret":false,"comms_info":true}]}'
tap_is "$code $(cat "$T/x0") $(cat "$T/x1") $(sql "SELECT count(*) FROM council.posts")/$(sql "SELECT count(*) FROM council.analyses")" \
	"422 {\"error\" : \"awareness_rendition_not_secret\"} {\"error\" : \"communications_info_only_in_full\"} $n0" \
	"R-NEW-1: a secret in the rendition for awareness, communications information outside the full one: refused, nothing stored"
api x2 "${TOK[$TF]}" POST /api/v1/analyses "{\"renditions\":$RENDITIONS}"
tap_is "$code $(cat "$T/x2")" '403 {"error" : "only_analysts_write_renditions"}' "R-NEW-1: a member's handler does not write renditions"

# ---- The preview, then the analysis. -------------------------------------------------------
api pv "${TOK[$ANALYST]}" POST /api/v1/analyses/preview "{\"renditions\":$RENDITIONS}"
PV=$(json pv '" ".join(r["tier"] + ":" + str(r["readers"]["count"]) for r in d["renditions"])')
tap_is "$code $(sql "SELECT count(*) FROM council.posts")/$(sql "SELECT count(*) FROM council.analyses")" "200 $n0" \
	"R-NEW-1: the author's preview answers and stores nothing"
api c "${TOK[$ANALYST]}" POST /api/v1/analyses "{\"renditions\":$RENDITIONS}"
FULL=$(json c 'd["renditions"]["full"]'); PROV=$(json c 'd["renditions"]["provision"]'); AW=$(json c 'd["renditions"]["awareness"]')
tap_is "$code ${FULL:+1} ${PROV:+1} ${AW:+1}" "201 1 1 1" "R-NEW-1: the analyst writes one analysis in three renditions"
AUD=$(sql "SELECT string_agg(t || ':' || (SELECT count(*) FROM council.post_audience a WHERE a.post_id = x), ' ' ORDER BY o)
	FROM (VALUES (1, 'full', ${FULL:-0}), (2, 'provision', ${PROV:-0}), (3, 'awareness', ${AW:-0})) v(o, t, x)")
tap_is "$PV" "$AUD" "R-NEW-1: the preview named, per rendition, as many organisations as then read it"

# A post with no renditions, by the same analyst, as the rendition for
# awareness: what a reader of that rendition must not tell apart.
api pl "${TOK[$ANALYST]}" POST /api/v1/posts "{\"kind\":\"analysis\",\"title\":\"$R awareness\",\"body\":\"$AW_BODY\",\"secret\":false}"
PLAIN=$(json pl 'd["id"]')
ABSENT=$(( $(sql "SELECT max(id) FROM council.posts") + 1000 ))

# ---- Each reader, the richest rendition it may read. ---------------------------------------
feed_of() { api f "${TOK[$1]}" GET "/api/v1/feed?limit=200"; json f "' '.join(str(p['id']) for p in d['posts'] if p['id'] in ($FULL, $PROV, $AW))"; }
tap_is "$(feed_of "$FULLR")|$(feed_of "$TF")|$(feed_of "$GEN")" "$FULL|$PROV|$AW" \
	"R-NEW-1: a ministry named by it, a Type 1 handler and a university each find one rendition in their feed: the richest they may read"
page g1 "${WEB[$TF]}" "/posts/$AW" -D "$T/g1.h"
page g2 "${WEB[$FULLR]}" "/posts/$AW" -D "$T/g2.h"
tap_is "$code $(tr -d '\r' <"$T/g1.h" | sed -n 's/^[Ll]ocation: //p') $(tr -d '\r' <"$T/g2.h" | sed -n 's/^[Ll]ocation: //p')" \
	"303 /posts/$PROV /posts/$FULL" "R-NEW-1: the rendition for awareness's page sends each reader to the richest it may read"
page g3 "${WEB[$TF]}" "/posts/$PROV"
page g4 "${WEB[$FULLR]}" "/posts/$FULL"
page g5 "${WEB[$GEN]}" "/posts/$AW"
has() { grep -q "$2" "$T/$1" && echo 1 || echo 0; }
tap_is "$(has g3 "$R provision") $(has g3 "victims in finance") $(has g4 "$R full") $(has g4 "ISP traffic") $(has g5 "$AW_BODY") $(has g5 "$R \(full\|provision\)")" \
	"1 1 1 1 1 0" "R-NEW-1: three readers of different classes see three different pages"

# ---- Nothing tells the reader of awareness that more exists. ------------------------------
# Ids, times and the per-request values aside, the rendition's page and
# API answer are those of the post without renditions.
norm() { sed -E "s/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g; s/\b($2)\b/ID/g; s/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.+]+/TIME/g" "$T/$1"; }
sql "UPDATE council.notifications SET read_at = now() WHERE person_id = (SELECT id FROM council.people WHERE email = '$GEN')" >/dev/null
page a1 "${WEB[$GEN]}" "/posts/$AW"
page a2 "${WEB[$GEN]}" "/posts/$PLAIN"
tap_is "$(norm a1 "$AW" | md5sum)" "$(norm a2 "$PLAIN" | md5sum)" \
	"R-NEW-1: the reader of awareness gets the page of a post without renditions, byte for byte (ids and times aside)"
api j1 "${TOK[$GEN]}" GET "/api/v1/posts/$AW"
api j2 "${TOK[$GEN]}" GET "/api/v1/posts/$PLAIN"
tap_is "$(norm j1 "$AW" | md5sum)" "$(norm j2 "$PLAIN" | md5sum)" "... and its API answer too"
page h1 "${WEB[$GEN]}" "/posts/$FULL"
page h2 "${WEB[$GEN]}" "/posts/$ABSENT"
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
tap_is "$code $(nr h1 | md5sum) $(nr h1 | grep -c "$R")" "404 $(nr h2 | md5sum) 0" "R-NEW-1: a richer rendition's id answers like an absent post, byte for byte"
for path in "/api/v1/posts/$PROV" "/api/v1/posts/$AW/renditions" "/api/v1/posts/$FULL/renditions"; do
	api k1 "${TOK[$GEN]}" GET "$path"
	api k2 "${TOK[$GEN]}" GET "${path/\/$PROV/\/$ABSENT}"
	api k3 "${TOK[$GEN]}" GET "/api/v1/posts/$ABSENT/renditions"
	case $path in */renditions) want=$(cat "$T/k3") ;; *) want=$(cat "$T/k2") ;; esac
	tap_is "$code $(cat "$T/k1")" "404 $want" "R-NEW-1: $path answers the university like an absent post"
done
api k4 "${TOK[$TF]}" GET "/api/v1/posts/$PROV/renditions"
tap_is "$code" 404 "R-NEW-1: the Type 1 handler is not told either which renditions exist"
api k5 "${TOK[$ANALYST]}" GET "/api/v1/posts/$AW/renditions"
tap_is "$code $(json k5 '" ".join(r["tier"] for r in d["renditions"])')" "200 full provision awareness" \
	"R-NEW-1: the author lists the renditions"
page s1 "${WEB[$ANALYST]}" "/posts/$PROV"
# The renditions section only (the correlations section may link the
# other renditions too: they share indicators).
sed -n '/id="renditions"/,/<\/section>/p' "$T/s1" >"$T/s1r"
tap_is "$code $(grep -c 'id="renditions-heading"' "$T/s1r") $(grep -c "href=\"/posts/$FULL\"" "$T/s1r") $(grep -c "href=\"/posts/$AW\"" "$T/s1r")" "200 1 1 1" \
	"R-NEW-1: the author's post page shows every rendition and how many read it"
tap_is "$(grep -c 'id="renditions-heading"' "$T/g3")$(grep -c 'id="renditions-heading"' "$T/g4")$(grep -c 'id="renditions-heading"' "$T/a1")" "000" \
	"... no reader's page has that section"

# ---- The public page. ------------------------------------------------------------------------
pub() { code=$(curl -sS --max-time 20 -o "$T/$1" -w '%{http_code}' "$B$2"); }
pub u1 "/public/analyses/$AW"
pub u2 "/public/analyses/$PROV"
pub u3 "/public/analyses/$ABSENT"
tap_is "$(grep -c "$AW_BODY" "$T/u1") $code $(nr u2 | md5sum)" "1 404 $(nr u3 | md5sum)" \
	"R-NEW-1: the rendition for awareness is public without sign-in; a richer one's public page is an absent one"
pub u4 /api/v1/public/analyses
tap_is "$(json u4 "sum(1 for a in d['analyses'] if a['id'] in ($FULL, $PROV, $AW))")" 1 "... and the public list names it only"
form w1 "${WEB[$GEN]}" "/posts/$AW/publish" --data-urlencode "csrf=$(csrf "${WEB[$GEN]}")" --data-urlencode publish=0
tap_is "$code $(sql "SELECT published_at IS NOT NULL FROM council.post_renditions WHERE post_id = $AW")" "404 t" \
	"R-NEW-1: a reader cannot unpublish it (an absent post's answer)"
api x3 "${TOK[$ANALYST]}" POST "/api/v1/posts/$AW/publish" '{}'
tap_is "$code $(cat "$T/x3")" '422 {"error" : "invalid_publish"}' "R-NEW-1: publishing says whether: a body without it is refused"
form w2 "${WEB[$ANALYST]}" "/posts/$AW/publish" --data-urlencode "csrf=$(csrf "${WEB[$ANALYST]}")" --data-urlencode publish=0
pub u5 "/public/analyses/$AW"
tap_is "$code $(sql "SELECT published_at IS NULL FROM council.post_renditions WHERE post_id = $AW")" "404 t" \
	"R-NEW-1: the author takes it off the public page"

# ---- The composer page. -------------------------------------------------------------------
page c1 "${WEB[$ANALYST]}" /analyses/new
page c2 "${WEB[$GEN]}" /analyses/new
tap_is "$(grep -c 'name="full_title"' "$T/c1") $(grep -c 'name="awareness_secret"' "$T/c1") $code" "1 0 403" \
	"R-NEW-1: the analyst's composer has the three renditions (no secrecy choice for awareness); nobody else has it"
KEY=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
set -- --data-urlencode "csrf=$(csrf "${WEB[$ANALYST]}")" --data-urlencode "submit_key=$KEY" \
	--data-urlencode full_on=on --data-urlencode "full_title=$R page full" --data-urlencode "full_body=comms" \
	--data-urlencode full_secret=yes --data-urlencode full_comms=on --data-urlencode "full_org=$NPA" \
	--data-urlencode awareness_on=on --data-urlencode "awareness_title=$R page awareness" \
	--data-urlencode "awareness_body=patch"
form w3 "${WEB[$ANALYST]}" /analyses/new "$@" --data-urlencode preview=1
tap_is "$code $(grep -o 'class="preview__count"' "$T/w3" | wc -l) $(grep -c "value=\"$R page full\"" "$T/w3")" "200 2 1" \
	"R-NEW-1: the page's preview lists who reads each rendition and keeps the form"
form w4 "${WEB[$ANALYST]}" /analyses/new "$@"
P1=${loc##*/}
form w5 "${WEB[$ANALYST]}" /analyses/new "$@"
tap_is "$(sql "SELECT count(*) FROM council.post_renditions r JOIN council.posts p ON p.id = r.post_id WHERE p.title LIKE '$R page%'") ${loc##*/} $(sql "SELECT tier FROM council.post_renditions WHERE post_id = ${P1:-0}")" \
	"2 $P1 full" "R-NEW-1: posted from the page, it opens the full rendition; a double submit writes nothing more"
tap_done
