#!/usr/bin/env bash
# Black-box tests of depth by class (issue 14 item 2; R-TF-6) through the
# JSON API and the post page: a Type 1 member posts to every member with
# its damage and method (victim: a member); the victim and the coordinator
# read every field, a Type 1 reader the victim masked (kind and sector)
# with the damage in detail and the method, a Type 2 reader whether damage
# occurred and the method only, a general member nothing (not even the
# section); a general member's post cannot carry them, a refused set of
# details creates no post, a retried submission creates nothing twice;
# the composer records them with the post and refuses them on a general
# member's post, keeping what was typed; a
# reader who does not see a task-force-only post gets the absent id's
# answer, byte for byte.
#
# Usage: tests/http/depth.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-depth.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active AND $HANDLER ORDER BY p.id LIMIT 1"; }
AUTH=$(one "o.slug = 'sakura-security'")			# Type 1, the author
T1=$(one "o.slug = 'akatsuki-labs'")				# Type 1 reader
T2=$(one "o.slug = 'toto-bank'")				# Type 2 reader
VIC=$(one "o.slug = 'toto-power'")				# the victim (Type 2 too)
GEN=$(one "o.slug = 'toto-tech'")				# a general member
COORD=$(one "o.council_role = 'coordinator'")
VID=$(sql "SELECT id FROM council.organisations WHERE slug = 'toto-power'")
declare -A TOK WEB
for e in "$AUTH" "$T1" "$T2" "$VIC" "$GEN" "$COORD"; do
	[ -n "$e" ] || { echo "Bail out! a demo member has no handler"; exit 1; }
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
	WEB[$e]=$(session "$e" web) || { echo "Bail out! no session for $e"; exit 1; }
done
DET="depth-test $$: SCADA historian encrypted, 2 days down"
MET="depth-test $$: VPN appliance CVE-2024-0001 then RDP"
TF="{\"victim_org\":$VID,\"damage_occurred\":true,\"damage_details\":\"$DET\",\"attack_method\":\"$MET\"}"
npost() { sql "SELECT count(*) FROM council.posts"; }

# ---- Writing. ------------------------------------------------------------------------------
n0=$(npost)
api w0 "${TOK[$GEN]}" POST /api/v1/posts "{\"kind\":\"analysis\",\"title\":\"depth-test gen $$\",\"body\":\"x\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}],\"tf\":$TF}"
api w1 "${TOK[$AUTH]}" POST /api/v1/posts "{\"kind\":\"analysis\",\"title\":\"depth-test bad $$\",\"body\":\"x\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}],\"tf\":{\"damage_occurred\":true,\"share_general\":[\"victim_name\"]}}"
tap_is "$(cat "$T/w0") $(cat "$T/w1") $(npost)" \
	"{\"error\" : \"not_in_task_force\"} {\"error\" : \"invalid_share\"} $n0" \
	"R-TF-1, R-TF-6: a general member's post carries no details, the victim's name is never shared; neither creates a post"
KEY=depth-test-$$-0123456789abcdef
body="{\"kind\":\"analysis\",\"title\":\"depth-test all $$\",\"body\":\"Depth test.\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}],\"tf\":$TF}"
api w2 "${TOK[$AUTH]}" POST /api/v1/posts "$body" -H "Idempotency-Key: $KEY"
P=$(json w2 'd["id"]')
api w3 "${TOK[$AUTH]}" POST /api/v1/posts "$body" -H "Idempotency-Key: $KEY"
tap_is "$code $(json w3 'd["id"]') $(sql "SELECT count(*) FROM council.post_tf_details WHERE post_id = ${P:-0}")" "201 $P 1" \
	"R-TF-6: a Type 1 member posts with its damage and method in one call; the retry creates nothing twice"
api w4 "${TOK[$AUTH]}" POST /api/v1/posts "{\"kind\":\"analysis\",\"title\":\"depth-test tf $$\",\"body\":\"x\",\"secret\":false,\"scope\":[{\"class\":\"task_force\"}],\"tf\":{\"damage_occurred\":false,\"attack_method\":\"$MET\"}}"
PT=$(json w4 'd["id"]')
tap_is "$code" 201 "R-TF-6: ... and a task-force-only post"

# ---- Three readers and more, the same post, different fields (API). -----------------------------
tf() { api "$1" "${TOK[$2]}" GET "/api/v1/posts/$P"; json "$1" "$3"; }
F='" ".join(k for k in sorted(d["tf"]) if d["tf"][k] is not None)'
tap_is "$(tf a1 "$T1" "$F")" "attack_method damage_details damage_occurred depth victim_category victim_sector victim_sector_en victim_sector_ja" \
	"R-TF-6: Type 1 reads the victim masked (kind and sector), the damage in detail and the method"
tap_is "$(json a1 'd["tf"]["victim_category"] + "/" + d["tf"]["victim_sector"] + "/" + d["tf"]["damage_details"]')" \
	"ci_operator/electricity/$DET" "... with their values"
tap_is "$(tf a2 "$T2" "$F") $(json a2 'd["tf"]["attack_method"]')" "attack_method damage_occurred depth $MET" \
	"R-TF-6: Type 2 reads whether damage occurred and the method only"
api a3 "${TOK[$GEN]}" GET "/api/v1/posts/$P"
tap_is "$code $(json a3 'd["tf"]') $(json a3 'd["title"]')" "200 None depth-test all $$" \
	"R-TF-6: a general member reads the post but none of its details"
tap_is "$(tf a4 "$VIC" 'd["tf"]["victim_org"], d["tf"]["victim_name_en"] is not None, d["tf"]["depth"]')" "($VID, True, 'full')" \
	"R-TF-6: the victim reads its own name"
tap_is "$(tf a5 "$COORD" 'd["tf"]["victim_org"], d["tf"]["damage_details"] is not None, d["tf"]["depth"]')" "($VID, True, 'full')" \
	"R-TF-6: the coordinator reads every field"

# ---- The post page. ---------------------------------------------------------------------------
page p1 "${WEB[$T1]}" "/posts/$P"
page p2 "${WEB[$T2]}" "/posts/$P"
page p3 "${WEB[$GEN]}" "/posts/$P"
VNAME=$(sql "SELECT name_ja FROM council.organisations WHERE id = $VID")
tap_is "$code $(grep -c 'id="depth-heading">被害と手口' "$T/p1") $(grep -c "$DET" "$T/p1") $(grep -c "$MET" "$T/p1") $(grep -c 'class="depth__victim-masked">重要社会基盤事業者 (電力)' "$T/p1") $(grep -c "$VNAME" "$T/p1")" \
	"200 1 1 1 1 0" "R-TF-6: Type 1's page: the section, the damage, the method, the victim as \"operator (electricity)\", never its name"
tap_is "$(grep -c 'id="depth-heading"' "$T/p2") $(grep -c "$DET" "$T/p2") $(grep -c "$MET" "$T/p2") $(grep -c 'class="depth__damage">あり' "$T/p2") $(grep -c 'class="depth__victim-masked">重要社会基盤事業者 (電力)' "$T/p2")" \
	"1 0 1 1 0" "R-TF-6: Type 2's page: whether damage occurred and the method, no details, no victim"
tap_is "$(grep -c 'id="depth' "$T/p3") $(grep -c "$MET" "$T/p3") $(grep -c '<h1 id="post-heading">depth-test all' "$T/p3")" "0 0 1" \
	"R-TF-6: a general member's page: the post without the section"
page p4 "${WEB[$VIC]}" "/posts/$P?lang=en"
tap_is "$(grep -c 'id="depth-heading">Damage and method' "$T/p4") $(grep -c "class=\"depth__victim\">$(sql "SELECT name_en FROM council.organisations WHERE id = $VID")" "$T/p4") $(grep -c 'Shared with general members:</span> <span>nothing' "$T/p4")" \
	"1 1 1" "R-TF-6: the victim's page (English) names it and says what is shared with general members"

# ---- The composer. -----------------------------------------------------------------------------
page c0 "${WEB[$AUTH]}" /posts/new
tap_is "$code $(grep -c 'name="tf_victim_org"' "$T/c0") $(grep -c '<option value="electricity">' "$T/c0") $(grep -c 'name="tf_share" value="attack_method"' "$T/c0")" \
	"200 1 1 1" "R-TF-6: the composer offers the damage and method: the victim among the members, the sectors, the share"
n1=$(npost)
form c1 "${WEB[$GEN]}" /posts/new --data-urlencode "csrf=$(csrf "${WEB[$GEN]}")" --data-urlencode kind=analysis \
	--data-urlencode "title=depth-test form gen $$" --data-urlencode body=x --data-urlencode secret=no \
	--data-urlencode class=all_members --data-urlencode tf=1 --data-urlencode tf_damage=yes \
	--data-urlencode "tf_method=typed method $$" --data-urlencode action=post
tap_is "$code $(grep -c -e 'role="alert">被害と手口はタスクフォース参加組織の投稿にだけ付けられます' -e "role=\"alert\">Damage and method can be recorded only on a task-force participant's post" "$T/c1") $(grep -c "typed method $$" "$T/c1") $(npost)" \
	"422 1 1 $n1" "R-TF-1, R-TF-6: a general member's form is refused, says why in the person's language, keeps what was typed, creates no post"
form c2 "${WEB[$AUTH]}" /posts/new --data-urlencode "csrf=$(csrf "${WEB[$AUTH]}")" --data-urlencode kind=analysis \
	--data-urlencode "title=depth-test form $$" --data-urlencode body=x --data-urlencode secret=no \
	--data-urlencode class=all_members --data-urlencode tf=1 --data-urlencode "tf_victim_name=Example Gas $$" \
	--data-urlencode tf_victim_category=ci_operator --data-urlencode tf_victim_sector=gas --data-urlencode tf_damage=no \
	--data-urlencode "tf_details=form details $$" --data-urlencode "tf_method=form method $$" \
	--data-urlencode tf_share=attack_method --data-urlencode action=post
PF=${loc##*/}
tap_is "$code $(sql "SELECT concat_ws('/', victim_name, victim_category, victim_sector, damage_occurred, damage_details, attack_method, share_general) FROM council.post_tf_details WHERE post_id = ${PF:-0}")" \
	"303 Example Gas $$/ci_operator/gas/f/form details $$/form method $$/{attack_method}" \
	"R-TF-6: a Type 1 member's form records the damage and method with the post"
page c3 "${WEB[$GEN]}" "/posts/$PF"
tap_is "$(grep -c "class=\"depth__method\">form method $$" "$T/c3") $(grep -c "form details $$" "$T/c3") $(grep -c 'Example Gas' "$T/c3")" "1 0 0" \
	"R-TF-6: a general member reads the method the author shared, nothing else"

# ---- A reader who does not see the post. ---------------------------------------------------------
ABSENT=$(( $(sql "SELECT max(id) FROM council.posts") + 1000 ))
api h1 "${TOK[$GEN]}" GET "/api/v1/posts/$PT"
api h2 "${TOK[$GEN]}" GET "/api/v1/posts/$ABSENT"
tap_is "$code $(cat "$T/h1")" "404 $(cat "$T/h2")" "a task-force-only post answers a general member exactly like an absent one (API)"
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
page h3 "${WEB[$GEN]}" "/posts/$PT"
page h4 "${WEB[$GEN]}" "/posts/$ABSENT"
tap_is "$code $(nr h3 | md5sum)" "404 $(nr h4 | md5sum)" "... and the page, byte for byte"
api h5 "${TOK[$T2]}" GET "/api/v1/posts/$PT"
tap_is "$code $(json h5 'd["tf"]["damage_occurred"], d["tf"]["attack_method"] == "'"$MET"'"')" "200 (False, True)" \
	"R-TF-6: a Type 2 reader of that post reads that no damage occurred and the method"
tap_done
