#!/usr/bin/env bash
# Black-box tests of per-incident groups (issue 13 item 10; R-NEW-2,
# R-NEW-3, R-SCOPE-4; docs/incidents.md "Per-incident groups") through the
# JSON API and the page: an authority that received a report opens a
# group from it (the reporter may not; a member the report was not
# delivered to finds no report); the owner and the reporter are its first
# members; the owner proposes members, and only the reporter consents;
# before the reporter grants it, an organisation proposed sees nothing of
# the group (its id answers exactly like an absent one, byte for byte)
# nor a post scoped to it, and once granted it reads that post at once;
# adding through the plain groups API is refused; bad input is refused
# with 422 and changes nothing; the page is Japanese first, and the
# reporter's grant is asked first.
#
# Usage: tests/http/incident_groups.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-igrp.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

# The cast (demo council): the bank's administrator (the reporter) and a
# person of the bank who is no handler; NISC (opens the group), the PPC
# (another authority of the report, no member), the FSA (the report is not
# delivered to it), the coordinator; FinSec-ISAC (proposed, granted), the
# power company (proposed, refused), the telecom company (never involved).
by_org() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE o.slug = '$1' AND p.active AND $2 ORDER BY p.id LIMIT 1"; }
HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
REP=$(by_org toto-bank "p.is_org_admin")
NOBODY=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE o.slug = 'toto-bank' AND NOT p.is_org_admin AND NOT $HANDLER ORDER BY p.id LIMIT 1")
sql "UPDATE council.people SET active = true WHERE email = '$NOBODY' AND NOT active RETURNING 1" >"$T/revive"
trap 'if [ -s "$T/revive" ]; then sql "UPDATE council.people SET active = false WHERE email = '"'"'$NOBODY'"'"'" >/dev/null; fi; rm -rf "$T"' EXIT
NISC=$(by_org nisc "$HANDLER")
PPC=$(by_org ppc "$HANDLER")
FSA=$(by_org fsa "$HANDLER")
COORD=$(by_org jpcert-cc "$HANDLER")
ISAC=$(by_org finsec-isac "$HANDLER")
POWER=$(by_org toto-power "$HANDLER")
TEL=$(by_org toto-telecom "$HANDLER")
declare -A TOK WEB
for e in "$REP" "$NOBODY" "$NISC" "$PPC" "$FSA" "$COORD" "$ISAC" "$POWER" "$TEL"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
	WEB[$e]=$(session "$e" web) || { echo "Bail out! no session for $e"; exit 1; }
done
org() { sql "SELECT id FROM council.organisations WHERE slug = '$1'"; }
O_NISC=$(org nisc); O_PPC=$(org ppc); O_BANK=$(org toto-bank)
O_ISAC=$(org finsec-isac); O_POWER=$(org toto-power); O_TEL=$(org toto-telecom)
ago() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
norm() { sed -E 's/"[0-9a-f]{32}"/RID/g' "$T/$1"; }
norm_page() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
groups() { sql "SELECT count(*) FROM council.groups"; }
props() { sql "SELECT count(*) || ':' || count(*) FILTER (WHERE status = 'pending') FROM council.incident_group_proposals WHERE group_id = ${G:-0}"; }
members() { sql "SELECT string_agg(org_id::text, ',' ORDER BY org_id) FROM council.group_members WHERE group_id = ${1:-0}"; }

# The report: the bank's, delivered to NISC and the PPC (not the FSA).
api f1 "${TOK[$REP]}" POST /api/v1/incidents "{\"title\":\"igrp-test $$\",\"aware_at\":\"$(ago '-2 hours')\",\"specified_operator\":true,\"personal_data\":true,\"unauthorised_access\":true,\"sector\":\"finance\",\"stage\":\"first_notice\",\"body\":{},\"authorities\":[$O_NISC, $O_PPC]}"
I=$(json f1 'd["id"]')
[ "$code" = 201 ] && [ -n "$I" ] || { echo "Bail out! no report ($code)"; exit 1; }
ABSENT_I=$(( $(sql "SELECT max(id) FROM council.incident_reports") + 1000 ))

# ---- R-NEW-2: who opens; bad input changes nothing. -----------------------------------
OPEN="{\"slug\":\"igrp-test-$$\",\"name_ja\":\"事案対応 $$\",\"name_en\":\"Incident response $$\"}"
n0=$(groups)
api o1 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/groups" "{\"slug\":\"Bad Slug\",\"name_ja\":\"x\",\"name_en\":\"x\"}"
api o2 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/groups" "{\"slug\":\"igrp-x-$$\",\"name_ja\":\"\",\"name_en\":\"x\"}"
api o3 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/groups" "{\"slug\":\"igrp-x-$$\",\"name_ja\":\"x\",\"name_en\":\"x\",\"kind\":\"adhoc\"}"
api o4 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/groups" "{\"slug\":5,\"name_ja\":\"x\",\"name_en\":\"x\"}"
tap_is "$code $(json o1 'd["error"]') $(json o2 'd["error"]') $(json o3 'd["error"]') $(json o4 'd["error"]') $(groups)" \
	"422 invalid_slug invalid_name unknown_field invalid_slug $n0" \
	"a slug that is none, an empty name, an unknown field, a slug that is no text: 422, nothing stored"
api o5 "${TOK[$REP]}" POST "/api/v1/incidents/$I/groups" "$OPEN"
tap_is "$code $(json o5 'd["error"]') $(groups)" "403 only_authorities_open_groups $n0" \
	"R-NEW-2: the reporter does not open a group from its own report"
api o6 "${TOK[$FSA]}" POST "/api/v1/incidents/$I/groups" "$OPEN"
api o7 "${TOK[$FSA]}" POST "/api/v1/incidents/$ABSENT_I/groups" "$OPEN"
tap_is "$code $(norm o6 | md5sum) $(groups)" "404 $(norm o7 | md5sum) $n0" \
	"R-NEW-3: to an authority the report was not delivered to, it answers exactly like an absent report"
api g1 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/groups" "$OPEN"
G=$(json g1 'd["id"]')
tap_is "$code $(json g1 'd["kind"], sorted(m["org"] for m in d["members"]), d["proposals"]')" \
	"201 ('incident', $(python3 -c "print(sorted([$O_NISC, $O_BANK]))"), [])" \
	"R-NEW-2: NISC opens a per-incident group; its first members are NISC and the reporter, without consent"
api g2 "${TOK[$NISC]}" POST "/api/v1/incidents/$I/groups" "$OPEN"
tap_is "$code $(json g2 'd["error"]')" "409 slug_taken" "a slug is used once"
tap_is "$(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe = 'incident_group.opened:$G' AND p.email = '$REP'")/$(sql "SELECT count(*) FROM council.notifications WHERE dedupe LIKE 'incident_group.%:$G%' AND (subject_ja ~ '事案対応' OR subject_en ~ 'Incident response')")" \
	"1/0" "the reporter is told, by number, never content"
ABSENT_G=$(( $(sql "SELECT max(id) FROM council.groups") + 1000 ))

# ---- R-NEW-2: who sees it. --------------------------------------------------------------
for who in REP NISC COORD; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/incident-groups/$G"
	tap_is "$code $(json g 'd["slug"], d["report"]')" "200 ('igrp-test-$$', $I)" "R-NEW-2: $who reads the group"
done
api ga "${TOK[$PPC]}" GET "/api/v1/incident-groups/$ABSENT_G"
for who in PPC FSA TEL NOBODY; do
	eval "e=\$$who"
	api g "${TOK[$e]}" GET "/api/v1/incident-groups/$G"
	tap_is "$code $(norm g | md5sum)" "404 $(norm ga | md5sum)" \
		"R-NEW-2: to $who (another authority of the report, not delivered, another member, no handler) it answers exactly like an absent id"
done
api l1 "${TOK[$PPC]}" GET "/api/v1/incidents/$I/groups"
api l2 "${TOK[$PPC]}" GET /api/v1/groups
tap_is "$code $(json l1 'len(d["groups"])') $(json l2 "sum(1 for g in d['groups'] if g['id'] == $G)")" "200 0 0" \
	"R-NEW-2: ... and no list of the PPC's counts it, though it reads the report"

# ---- R-SCOPE-4: members are added only with the reporter's consent. ---------------------
api d0 "${TOK[$NISC]}" POST "/api/v1/groups/$G" "{\"action\":\"add\",\"org\":$O_ISAC}"
tap_is "$code $(json d0 'd["error"]') $(members "$G")" "403 incident_group_needs_consent $(python3 -c "print(','.join(map(str, sorted([$O_NISC, $O_BANK]))))")" \
	"R-SCOPE-4: adding a member through the plain groups API is refused, and changes nothing"
p0=$(props)
api q1 "${TOK[$REP]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"propose\",\"org\":$O_ISAC}"
tap_is "$code $(json q1 'd["error"]')" "403 only_the_owner" "R-SCOPE-4: the reporter does not propose members"
api q2 "${TOK[$NISC]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"propose\",\"org\":\"finsec\"}"
api q3 "${TOK[$NISC]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"propose\",\"org\":999999999}"
api q4 "${TOK[$NISC]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"invite\",\"org\":$O_ISAC}"
tap_is "$code $(json q2 'd["error"]') $(json q3 'd["error"]') $(json q4 'd["error"]') $(props)" \
	"422 invalid_org invalid_member invalid_action $p0" "an organisation that is no id or none, an action that is none: 422, nothing stored"
api q5 "${TOK[$NISC]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"propose\",\"org\":$O_ISAC}"
api q6 "${TOK[$NISC]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"propose\",\"org\":$O_POWER}"
tap_is "$code $(json q6 'sorted((p["org"], p["status"]) for p in d["proposals"])')" \
	"200 $(python3 -c "print(sorted([($O_ISAC, 'pending'), ($O_POWER, 'pending')]))")" \
	"R-SCOPE-4: NISC, the owner, proposes FinSec-ISAC and the power company"
tap_is "$(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE n.dedupe LIKE 'incident_group.proposed:$G:%' AND p.email = '$REP'")" \
	"2" "R-SCOPE-4: the reporter is asked, once per proposal"

# A post scoped to the group, by the reporter.
api p1 "${TOK[$REP]}" POST /api/v1/posts "{\"kind\":\"analysis\",\"title\":\"igrp-test post $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"group\":$G}]}"
P=$(json p1 'd["id"]')
tap_is "$code" 201 "R-NEW-2: a member names the group as a post's scope"
api pa "${TOK[$ISAC]}" GET "/api/v1/posts/$(( P + 100000 ))"
api r1 "${TOK[$ISAC]}" GET "/api/v1/posts/$P"
api r2 "${TOK[$ISAC]}" GET "/api/v1/incident-groups/$G"
tap_is "$code $(norm r2 | md5sum) $(norm r1 | md5sum)" "404 $(norm ga | md5sum) $(norm pa | md5sum)" \
	"R-SCOPE-4: proposed but not granted, FinSec-ISAC sees neither the group nor the post scoped to it"
api x1 "${TOK[$ISAC]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"decide\",\"org\":$O_ISAC,\"grant\":true}"
api xa "${TOK[$ISAC]}" POST "/api/v1/incident-groups/$ABSENT_G" "{\"action\":\"decide\",\"org\":$O_ISAC,\"grant\":true}"
tap_is "$code $(norm x1 | md5sum) $(members "$G" | tr ',' '\n' | grep -cx "$O_ISAC")" "404 $(norm xa | md5sum) 0" \
	"R-SCOPE-4: ... nor can it grant itself: the group answers like an absent one"

# ---- R-SCOPE-4: the reporter alone decides. --------------------------------------------
api x2 "${TOK[$NISC]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"decide\",\"org\":$O_ISAC,\"grant\":true}"
api x3 "${TOK[$COORD]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"decide\",\"org\":$O_ISAC,\"grant\":true}"
tap_is "$code $(json x2 'd["error"]') $(json x3 'd["error"]') $(props)" "403 only_the_reporter only_the_reporter 2:2" \
	"R-SCOPE-4: neither the owner nor the coordinator consents for the reporter"
api x4 "${TOK[$REP]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"decide\",\"org\":$O_ISAC,\"grant\":\"yes\"}"
api x5 "${TOK[$REP]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"decide\",\"org\":$O_TEL,\"grant\":true}"
api x6 "${TOK[$REP]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"decide\",\"org\":$O_ISAC}"
tap_is "$code $(json x4 'd["error"]') $(json x5 'd["error"]') $(json x6 'd["error"]') $(props)" \
	"422 invalid_grant not_proposed invalid_grant 2:2" "a grant that is no boolean or none, an organisation not proposed: 422, nothing changed"

# ---- R-NEW-2 (page): the report's groups, Japanese first; the grant asked first. ------
W_REP=${WEB[$REP]}; W_NISC=${WEB[$NISC]}; W_ISAC=${WEB[$ISAC]}; W_PPC=${WEB[$PPC]}
page s1 "$W_NISC" "/incidents/$I/groups"
tap_is "$code $(grep -c "id=\"igroup-$G\"" "$T/s1") $(grep -c 'name="action" value="propose"' "$T/s1") $(grep -c 'name="action" value="open"' "$T/s1") $(grep -c '<h1 id="igroup-heading"><span>この事案のグループ</span>' "$T/s1")" \
	"200 1 1 1 1" "R-NEW-2: NISC's page lists the group, with the propose form and the open form, in Japanese"
page s2 "$W_REP" "/incidents/$I/groups"
tap_is "$code $(grep -c 'name="grant" value="yes"' "$T/s2") $(grep -c 'name="action" value="open"' "$T/s2")" "200 2 0" \
	"R-SCOPE-4: the reporter's page offers to grant or refuse each pending proposal, and no open form"
page s3 "$W_PPC" "/incidents/$I/groups"
tap_is "$code $(grep -c "igroup-$G" "$T/s3") $(grep -c 'name="action" value="open"' "$T/s3")" "200 0 1" \
	"R-NEW-2: the PPC's page of the report shows no group it is not in, and lets it open its own"
page s4 "$W_ISAC" "/incidents/$I/groups"
page s5 "$W_ISAC" "/incidents/$ABSENT_I/groups"
tap_is "$code $(norm_page s4 | md5sum)" "404 $(norm_page s5 | md5sum)" \
	"R-NEW-3: to a member that does not see the report, its page is the absent report's 404, byte for byte"
form c1 "$W_REP" "/incidents/$I/groups" --data-urlencode "csrf=$(csrf "$W_REP")" --data-urlencode action=decide \
	--data-urlencode "group=$G" --data-urlencode "org=$O_ISAC" --data-urlencode grant=yes
tap_is "$code $(grep -c 'id="confirm-heading">この組織をグループに加えることに同意しますか？' "$T/c1") $(grep -c "name=\"org\" value=\"$O_ISAC\"" "$T/c1") $(props)" \
	"200 1 1 2:2" "R-SCOPE-4: the reporter's grant is asked first, carrying the organisation; nothing changes yet"
form c2 "$W_ISAC" "/incidents/$I/groups" --data-urlencode "csrf=$(csrf "$W_ISAC")" --data-urlencode action=decide \
	--data-urlencode "group=$G" --data-urlencode "org=$O_ISAC" --data-urlencode grant=yes
tap_is "$code" 404 "... while to the organisation proposed the same post answers 404, asking nothing"
form c3 "$W_REP" "/incidents/$I/groups" --data-urlencode "csrf=$(csrf "$W_REP")" --data-urlencode action=decide \
	--data-urlencode "group=$G" --data-urlencode "org=$O_ISAC" --data-urlencode grant=yes --data-urlencode confirm=yes
tap_is "$code $(members "$G" | tr ',' '\n' | grep -cx "$O_ISAC")" "303 1" \
	"R-SCOPE-4: confirmed, the reporter consents: FinSec-ISAC is a member"
page_done c4 "$W_REP" "${loc%%#*}" igroup.granted
tap_is "$code $(status_of c4)" "200 同意しました。組織はただちにメンバーになりました。" "... and the page says so once"

# ---- R-NEW-2: membership takes effect on the audience at once. -------------------------
api r3 "${TOK[$ISAC]}" GET "/api/v1/posts/$P"
api r4 "${TOK[$ISAC]}" GET "/api/v1/incident-groups/$G"
tap_is "$code $(json r3 'd["id"]') $(json r4 'd["report"]')" "200 $P None" \
	"R-NEW-2: granted, FinSec-ISAC reads the post scoped to the group at once, and the group, but not the report's number"
tap_is "$(json r4 'sorted((p["org"], p["status"]) for p in d["proposals"])')" "[($O_ISAC, 'granted')]" \
	"R-SCOPE-4: a member that is no principal sees the proposals granted, not those pending"

# ---- R-SCOPE-4: a refusal is final. -----------------------------------------------------
form c5 "$W_REP" "/incidents/$I/groups" --data-urlencode "csrf=$(csrf "$W_REP")" --data-urlencode action=decide \
	--data-urlencode "group=$G" --data-urlencode "org=$O_POWER" --data-urlencode grant=no
tap_is "$code $(grep -c 'id="confirm-heading">この組織をグループに加えることに同意しませんか？' "$T/c5")" "200 1" \
	"R-SCOPE-4: the refusal is asked first too"
api x7 "${TOK[$REP]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"decide\",\"org\":$O_POWER,\"grant\":false}"
api x8 "${TOK[$REP]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"decide\",\"org\":$O_POWER,\"grant\":true}"
api q7 "${TOK[$NISC]}" POST "/api/v1/incident-groups/$G" "{\"action\":\"propose\",\"org\":$O_POWER}"
tap_is "$(json x7 '[p["status"] for p in d["proposals"] if p["org"] == '"$O_POWER"']') $(json x8 'd["error"]') $(json q7 'd["error"]')" \
	"['refused'] already_decided proposal_refused" "R-SCOPE-4: the reporter refuses the power company; that is final"
api r5 "${TOK[$POWER]}" GET "/api/v1/posts/$P"
api r6 "${TOK[$POWER]}" GET "/api/v1/incident-groups/$G"
tap_is "$code $(norm r6 | md5sum) $(norm r5 | md5sum)" "404 $(norm ga | md5sum) $(norm pa | md5sum)" \
	"R-SCOPE-4: refused, the power company sees neither the group nor the post"
tap_is "$(sql "SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id WHERE p.org_id = $O_POWER AND n.dedupe LIKE 'incident_group.%'")" \
	"0" "R-SCOPE-4: ... and is told nothing"

# ---- R-NEW-2: removal takes effect at once; the reporter stays. -------------------------
api m1 "${TOK[$NISC]}" POST "/api/v1/groups/$G" "{\"action\":\"remove\",\"org\":$O_BANK}"
tap_is "$code $(json m1 'd["error"]')" "409 reporter_stays" "R-SCOPE-4: the reporter is not removed from its incident's group"
api m2 "${TOK[$NISC]}" POST "/api/v1/groups/$G" "{\"action\":\"remove\",\"org\":$O_ISAC}"
api r7 "${TOK[$ISAC]}" GET "/api/v1/posts/$P"
tap_is "$code $(norm r7 | md5sum)" "404 $(norm pa | md5sum)" "R-NEW-2: removed by the owner, FinSec-ISAC no longer reads the post, at once"

# ---- The page's forms: open and propose; bad input changes nothing. ---------------------
n1=$(groups)
form o8 "$W_PPC" "/incidents/$I/groups" --data-urlencode "csrf=$(csrf "$W_PPC")" --data-urlencode action=open \
	--data-urlencode "slug=Not OK" --data-urlencode "name_ja=個人データ $$" --data-urlencode "name_en=Personal data"
tap_is "$code $(grep -c 'role="alert">識別子は英小文字・数字・ハイフンで2〜63文字にしてください。' "$T/o8") $(grep -c "個人データ $$" "$T/o8") $(groups)" \
	"422 1 1 $n1" "a group with a bad slug is refused on the page, which says why and keeps what was typed; nothing stored"
form o9 "$W_PPC" "/incidents/$I/groups" --data-urlencode "csrf=$(csrf "$W_PPC")" --data-urlencode action=open \
	--data-urlencode "slug=igrp-ppc-$$" --data-urlencode "name_ja=個人データ $$" --data-urlencode "name_en=Personal data"
G2=$(sql "SELECT id FROM council.groups WHERE slug = 'igrp-ppc-$$'")
tap_is "$code ${loc%%#*} $(members "$G2")" "303 /incidents/$I/groups $(python3 -c "print(','.join(map(str, sorted([$O_PPC, $O_BANK]))))")" \
	"R-NEW-2: the PPC opens its own group from the page"
form o10 "$W_PPC" "/incidents/$I/groups" --data-urlencode "csrf=$(csrf "$W_PPC")" --data-urlencode action=propose \
	--data-urlencode "group=$G" --data-urlencode "org=$O_TEL"
tap_is "$code $(props)" "404 2:0" "R-NEW-2: a group of the report the PPC does not see answers 404 to its forms"
form o11 "$W_PPC" "/incidents/$I/groups" --data-urlencode "csrf=$(csrf "$W_PPC")" --data-urlencode action=propose \
	--data-urlencode "group=$G2" --data-urlencode "org=$O_TEL"
tap_is "$code $(sql "SELECT status FROM council.incident_group_proposals WHERE group_id = ${G2:-0} AND org_id = $O_TEL")" "303 pending" \
	"R-SCOPE-4: the PPC proposes the telecom company from the page; it waits for the reporter"
form o12 "$W_PPC" "/incidents/$I/groups" --data-urlencode action=propose --data-urlencode "group=$G2" --data-urlencode "org=$O_ISAC"
tap_is "$code" 403 "a form without its token is refused"
tap_done
