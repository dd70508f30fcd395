#!/usr/bin/env bash
# Black-box tests of non-members (issue 13 item 9; R-NONMEM-1, R-SHARE-2,
# R-SCOPE-4) through the JSON API and the pages: a member posts on behalf
# of a non-member (another reader learns only that, not the name; a post
# it cannot read answers like an absent one); only the secretariat adds a
# non-member to a scope, through a member that receives the post; a
# secret only in an emergency; the relaying member reports who handled
# it, and handing it to anyone not on the list, or relaying it to another
# non-member, is blocked; a relay one is no party to answers exactly like
# an absent one; bad input answers 422 and changes nothing; closing the
# list is asked first.
#
# Usage: tests/http/nonmembers.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-nonm.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active AND $HANDLER ORDER BY p.id LIMIT 1"; }
VIA=$(one "o.slug = 'toto-bank'")				# the relaying member
OTHER=$(one "o.slug = 'mizukane-networks'")			# a member, no party
COORD=$(one "o.council_role = 'coordinator'")			# JPCERT/CC
declare -A TOK
for e in "$VIA" "$OTHER" "$COORD"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
done
O_VIA=$(sql "SELECT id FROM council.organisations WHERE slug = 'toto-bank'")
O_OTHER=$(sql "SELECT id FROM council.organisations WHERE slug = 'mizukane-networks'")
counts() { sql "SELECT (SELECT count(*) FROM council.nonmembers) || '/' || (SELECT count(*) FROM council.nonmember_relays)
	|| '/' || (SELECT count(*) FROM council.nonmember_relay_handlers) || '/' || (SELECT count(*) FROM council.nonmember_relay_handovers)
	|| '/' || (SELECT count(*) FROM council.posts)"; }

# ---- The register. ----------------------------------------------------------------------
n0=$(counts)
api r0 "${TOK[$COORD]}" POST /api/v1/nonmembers '{"name":"nm-test client","kind":"pirate"}'
api r1 "${TOK[$COORD]}" POST /api/v1/nonmembers '{"name":"   ","kind":"business"}'
api r2 "${TOK[$COORD]}" POST /api/v1/nonmembers '{"name":"x","kind":"business","extra":1}'
tap_is "$(cat "$T/r0") $(cat "$T/r1") $(cat "$T/r2") $(counts)" \
	"{\"error\":\"invalid_request\"} {\"error\" : \"invalid_name\"} {\"error\" : \"unknown_field\"} $n0" \
	"R-NONMEM-1: an unknown kind, an empty name, an unknown field: 422, and nothing is stored"
api r3 "${TOK[$COORD]}" POST /api/v1/nonmembers "{\"name\":\"nm-test client $$\",\"kind\":\"business\"}"
NM=$(json r3 'd["id"]')
tap_is "$code $(json r3 'd["kind"]')" "201 business" "R-NONMEM-1: the secretariat registers a non-member"
api r4 "${TOK[$VIA]}" POST /api/v1/nonmembers "{\"name\":\"nm-test bank client $$\",\"kind\":\"business\"}"
NMB=$(json r4 'd["id"]')
api l1 "${TOK[$OTHER]}" GET /api/v1/nonmembers
tap_is "$code $(json l1 'len([n for n in d["nonmembers"] if n["name"].endswith(" '"$$"'")])')" "200 0" \
	"R-NONMEM-1: another member sees nobody's register but its own"

# ---- On behalf of a non-member. ------------------------------------------------------------
n0=$(counts)
api b0 "${TOK[$OTHER]}" POST /api/v1/nonmembers/posts "{\"nonmember\":$NMB,\"kind\":\"report\",\"title\":\"nm-test x\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
api b1 "${TOK[$OTHER]}" POST /api/v1/nonmembers/posts "{\"nonmember\":99999999,\"kind\":\"report\",\"title\":\"nm-test x\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
tap_is "$code $(cat "$T/b0") $(counts)" "404 $(cat "$T/b1") $n0" \
	"R-NONMEM-1: another member's non-member is named exactly like an absent one, and nothing is posted"
api b2 "${TOK[$VIA]}" POST /api/v1/nonmembers/posts "{\"nonmember\":$NMB,\"kind\":\"report\",\"title\":\"nm-test x\",\"body\":\"b\",\"scope\":[{\"class\":\"all_members\"}]}"
tap_is "$code $(cat "$T/b2") $(counts)" '422 {"error" : "secret_declaration_required"} '"$n0" \
	"R-NONMEM-1, R-SECRET-1: the same rules protect it: no secrecy declared, refused, nothing stored"
api b3 "${TOK[$VIA]}" POST /api/v1/nonmembers/posts "{\"nonmember\":$NMB,\"name_shown\":false,\"kind\":\"report\",\"title\":\"nm-test on behalf $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"all_members\"}]}"
PB=$(json b3 'd["id"]')
tap_is "$code $(json b3 'd["provenance"]["nonmember"]["name"]')" "201 nm-test bank client $$" \
	"R-NONMEM-1: the member posts on behalf of its non-member and reads the name"
api v1 "${TOK[$OTHER]}" GET "/api/v1/posts/$PB/provenance"
tap_is "$code $(json v1 'd["on_behalf"]') $(json v1 'd["nonmember"]')" "200 True None" \
	"R-NONMEM-1: another reader learns it comes from a non-member, not which one"
api v2 "${TOK[$COORD]}" GET "/api/v1/posts/$PB/provenance"
tap_is "$(json v2 'd["nonmember"]["name"]')" "nm-test bank client $$" "R-NONMEM-1, R-ORG-6: the coordinator reads the name"
api p1 "${TOK[$VIA]}" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"nm-test private $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"org\":$O_VIA}]}"
PPRIV=$(json p1 'd["id"]')
ABSENT_POST=$(( $(sql "SELECT max(id) FROM council.posts") + 1000 ))
api v3 "${TOK[$OTHER]}" GET "/api/v1/posts/$PPRIV/provenance"
c3="$code $(cat "$T/v3")"
api v4 "${TOK[$OTHER]}" GET "/api/v1/posts/$ABSENT_POST/provenance"
tap_is "$c3" "$code $(cat "$T/v4")" "R-NONMEM-1: the provenance of a post one cannot read answers exactly like an absent post's"

# ---- Relays (Art. 22(2), 22(3)). -------------------------------------------------------------
api s1 "${TOK[$COORD]}" POST /api/v1/posts "{\"kind\":\"alert\",\"title\":\"nm-test secret $$\",\"body\":\"b\",\"secret\":true,\"scope\":[{\"org\":$O_VIA}]}"
PS=$(json s1 'd["id"]')
n0=$(counts)
api x0 "${TOK[$VIA]}" POST /api/v1/nonmembers/relays "{\"post\":$PS,\"via\":$O_VIA,\"nonmember\":$NMB,\"emergency\":true,\"reason\":\"onward\"}"
tap_is "$code $(cat "$T/x0") $(counts)" '403 {"error" : "only_the_secretariat"} '"$n0" \
	"R-NONMEM-1, R-SHARE-2: the relaying member cannot relay to a non-member of its own, and nothing is stored"
api x1 "${TOK[$COORD]}" POST /api/v1/nonmembers/relays "{\"post\":$PS,\"via\":$O_VIA,\"nonmember\":$NM,\"reason\":\"help the client\"}"
api x2 "${TOK[$COORD]}" POST /api/v1/nonmembers/relays "{\"post\":$PS,\"via\":$O_OTHER,\"nonmember\":$NM,\"emergency\":true,\"reason\":\"help the client\"}"
api x3 "${TOK[$COORD]}" POST /api/v1/nonmembers/relays "{\"post\":\"$PS\",\"via\":$O_VIA,\"nonmember\":$NM,\"emergency\":true,\"reason\":\"r\"}"
tap_is "$(cat "$T/x1") $(cat "$T/x2") $(cat "$T/x3") $(counts)" \
	"{\"error\" : \"secret_needs_emergency\"} {\"error\" : \"invalid_via\"} {\"error\" : \"invalid_post\"} $n0" \
	"R-NONMEM-1: a secret without an emergency, a member that does not receive the post, a post by name: 422, nothing stored"
api x4 "${TOK[$COORD]}" POST /api/v1/nonmembers/relays "{\"post\":$PS,\"via\":$O_VIA,\"nonmember\":$NM,\"emergency\":true,\"reason\":\"nm-test active intrusion at the client\"}"
R=$(json x4 'd["id"]')
tap_is "$code $(json x4 'd["state"]') $(json x4 'd["secret_emergency"]') $(sql "SELECT count(*) FROM council.notifications WHERE dedupe = 'nonmember.relay:${R:-0}'" | grep -c '^[1-9]')" \
	"201 in_force True 1" "R-NONMEM-1: the secretariat adds the non-member through the member; the member is told of the report due"

# ---- Who sees the relay. -------------------------------------------------------------------
ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.nonmember_relays") + 1000 ))
api g0 "${TOK[$OTHER]}" GET "/api/v1/nonmembers/relays/$ABSENT"
api g1 "${TOK[$OTHER]}" GET "/api/v1/nonmembers/relays/$R"
tap_is "$code $(cat "$T/g1")" "404 $(cat "$T/g0")" "R-NONMEM-1: to a member that is no party the relay answers exactly like an absent one"
api g2 "${TOK[$OTHER]}" POST "/api/v1/nonmembers/relays/$R" '{"action":"report","name":"Someone"}'
api g3 "${TOK[$OTHER]}" POST "/api/v1/nonmembers/relays/$ABSENT" '{"action":"report","name":"Someone"}'
tap_is "$code $(cat "$T/g2")" "404 $(cat "$T/g3")" "R-NONMEM-1: ... and so does acting on it"
api g4 "${TOK[$VIA]}" GET "/api/v1/nonmembers/relays/$R"
tap_is "$code $(json g4 'd["role"]') $(json g4 'd["nonmember"]["name"]')" "200 via nm-test client $$" \
	"R-NONMEM-1: the relaying member reads the relay and the non-member's name"

# ---- The handler list and the block. ---------------------------------------------------------
api h1 "${TOK[$VIA]}" POST "/api/v1/nonmembers/relays/$R" '{"action":"report","name":"Sato Hanako","unit":"CSIRT"}'
tap_is "$code $(json h1 'd["handlers"][0]["name"]')" "200 Sato Hanako" "R-NONMEM-1: the relaying member reports a person who handled it"
n0=$(counts)
api h2 "${TOK[$VIA]}" POST "/api/v1/nonmembers/relays/$R" '{"action":"hand_over","recipient":"Suzuki Ichiro"}'
tap_is "$code $(cat "$T/h2") $(counts)" '422 {"error" : "not_a_reported_handler"} '"$n0" \
	"R-NONMEM-1: handing the secret to a person not on the list is blocked, and nothing is stored"
api h3 "${TOK[$VIA]}" POST "/api/v1/nonmembers/relays/$R" '{"action":"hand_over","recipient":"Sato Hanako"}'
tap_is "$code $(json h3 'd["handovers"][0]["handler"]')" "200 1" "R-NONMEM-1: ... to the person on the list it is recorded"
api h4 "${TOK[$VIA]}" POST "/api/v1/nonmembers/relays/$R" '{"action":"hand_over","recipient":"Sato Hanako","nonmember":1}'
api h5 "${TOK[$VIA]}" POST "/api/v1/nonmembers/relays/$R" '{"action":"report","name":"a\u0001b"}'
tap_is "$(cat "$T/h4") $(cat "$T/h5") $(counts | cut -d/ -f1-3)" \
	"{\"error\" : \"unknown_field\"} {\"error\" : \"invalid_name\"} $(echo "$n0" | cut -d/ -f1-3)" \
	"R-NONMEM-1: a handover names no other non-member; a name with a control character is refused; nothing stored"

# ---- The pages (Japanese first). --------------------------------------------------------------
W_VIA=$(session "$VIA" web); W_OTHER=$(session "$OTHER" web); W_COORD=$(session "$COORD" web)
page w1 "$W_VIA" "/nonmembers/relays/$R"
tap_is "$code $(grep -c '届け出た協議会事務従事者\|取り扱った者全員を届け出てください' "$T/w1") $(grep -o '>Sato Hanako<' "$T/w1" | wc -l)" "200 1 2" \
	"R-NONMEM-1: the relay page tells the relaying member of the duty, shows the list and the handover"
page pp1 "$W_VIA" "/posts/$PB"
page pp2 "$W_OTHER" "/posts/$PB"
tap_is "$code $(grep -c '非構成員からの情報' "$T/pp1")/$(grep -c "nm-test bank client $$" "$T/pp1") $(grep -c '非構成員からの情報' "$T/pp2")/$(grep -c "nm-test bank client $$" "$T/pp2")" \
	"200 1/1 1/0" "R-NONMEM-1: the post's page says it comes from a non-member; its name only for those the rules allow"
page w2 "$W_OTHER" "/nonmembers/relays/$R"
page w3 "$W_OTHER" "/nonmembers/relays/$ABSENT"
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }
tap_is "$code $(nr w2 | md5sum)" "404 $(nr w3 | md5sum)" "R-NONMEM-1: the page of a relay one is no party to is the absent relay's 404 page"
page w4 "$W_OTHER" /nonmembers
tap_unlike "$(cat "$T/w4")" "nm-test [a-z ]*$$" "... and its list shows none of it"
form w5 "$W_VIA" "/nonmembers/relays/$R" --data-urlencode "csrf=$(csrf "$W_VIA")" --data-urlencode action=hand_over --data-urlencode "recipient=Tanaka Jiro"
tap_is "$code $(grep -c 'role="alert">届け出た者以外には渡せません' "$T/w5") $(grep -c 'value="Tanaka Jiro"' "$T/w5")" "422 1 1" \
	"R-NONMEM-1: the page refuses a handover to a person not on the list, says why and keeps what was typed"
form w6 "$W_VIA" "/nonmembers/relays/$R" --data-urlencode "csrf=$(csrf "$W_VIA")" --data-urlencode action=close
tap_is "$code $(grep -c 'id="confirm-heading"' "$T/w6") $(sql "SELECT handlers_closed_at IS NULL FROM council.nonmember_relays WHERE id = ${R:-0}")" "200 1 t" \
	"R-NONMEM-1: closing the list from the page asks first (it cannot be undone), and nothing is closed yet"
form w7 "$W_VIA" "/nonmembers/relays/$R" --data-urlencode "csrf=$(csrf "$W_VIA")" --data-urlencode action=close --data-urlencode confirm=yes
tap_is "$code $(sql "SELECT handlers_closed_at IS NOT NULL FROM council.nonmember_relays WHERE id = ${R:-0}")" "303 t" "... confirmed, the list is closed"
api h6 "${TOK[$VIA]}" POST "/api/v1/nonmembers/relays/$R" '{"action":"report","name":"Suzuki Ichiro"}'
tap_is "$code $(cat "$T/h6")" '409 {"error" : "handler_list_closed"}' "R-NONMEM-1: a closed list takes nobody more"
form w8 "$W_OTHER" "/nonmembers/relays/$R" --data-urlencode "csrf=$(csrf "$W_OTHER")" --data-urlencode action=close
tap_is "$code" 404 "R-NONMEM-1: a member that is no party is not even asked: 404"

# Registering from the page.
n0=$(counts)
form w14 "$W_VIA" /nonmembers --data-urlencode "csrf=$(csrf "$W_VIA")" --data-urlencode action=register \
	--data-urlencode "name=nm-test bank client $$" --data-urlencode kind=academic
tap_is "$code $(grep -c 'role="alert">この非構成員は既に登録されています' "$T/w14") $(grep -c "value=\"nm-test bank client $$\"" "$T/w14") $(counts)" "422 1 1 $n0" \
	"R-NONMEM-1: the page refuses a name already in the register, says why, keeps what was typed, stores nothing"
form w15 "$W_VIA" /nonmembers --data-urlencode "csrf=$(csrf "$W_VIA")" --data-urlencode action=register \
	--data-urlencode "name=nm-test page client $$" --data-urlencode kind=academic
tap_is "$code $(sql "SELECT kind FROM council.nonmembers WHERE name = 'nm-test page client $$'")" "303 academic" \
	"R-NONMEM-1: registered from the page"

# Relaying from the page: asked first, then made.
n0=$(counts)
form w9 "$W_COORD" /nonmembers --data-urlencode "csrf=$(csrf "$W_COORD")" --data-urlencode action=relay \
	--data-urlencode "post=#$PB" --data-urlencode "via=$O_OTHER" --data-urlencode "nonmember=$NM" --data-urlencode "reason=nm-test page relay"
tap_is "$code $(grep -c 'id="confirm-heading"' "$T/w9") $(counts)" "200 1 $n0" "R-NONMEM-1: a relay from the page asks first; nothing is stored yet"
form w10 "$W_COORD" /nonmembers --data-urlencode "csrf=$(csrf "$W_COORD")" --data-urlencode action=relay \
	--data-urlencode "post=#$PB" --data-urlencode "via=$O_OTHER" --data-urlencode "nonmember=$NM" --data-urlencode "reason=nm-test page relay" --data-urlencode confirm=yes
R2=${loc##*/}
tap_is "$code $(sql "SELECT post_id || ' ' || via_org_id FROM council.nonmember_relays WHERE id = ${R2:-0}")" "303 $PB $O_OTHER" \
	"R-NONMEM-1: ... confirmed, the relay is made"
page w11 "$W_OTHER" "/nonmembers/relays/$R2"
tap_is "$code $(grep -c '同意待ち' "$T/w11") $(grep -c 'name="recipient"' "$T/w11")" "200 1 0" \
	"R-SCOPE-4: a member's post waits for its giver's consent; nothing is handed over before"
W_VIAC=$(session "$VIA" web)
form w12 "$W_VIAC" "/nonmembers/relays/$R2" --data-urlencode "csrf=$(csrf "$W_VIAC")" --data-urlencode action=consent --data-urlencode grant=yes
tap_is "$code $(grep -c 'id="confirm-heading"' "$T/w12")" "200 1" "R-SCOPE-4: the giver's consent is asked first"
form w13 "$W_VIAC" "/nonmembers/relays/$R2" --data-urlencode "csrf=$(csrf "$W_VIAC")" --data-urlencode action=consent --data-urlencode grant=yes --data-urlencode confirm=yes
tap_is "$code $(sql "SELECT string_agg(status::text, ',') FROM council.nonmember_relay_consents WHERE relay_id = ${R2:-0}")" "303 granted" \
	"R-SCOPE-4: ... confirmed, the giver consents and the relay is in force"
tap_is "$(sql "SELECT string_agg(action, ' ' ORDER BY id) FROM council.audit_log WHERE object_type = 'nonmember_relay' AND object_id = ${R:-0}")" \
	"nonmember.relay nonmember.handler nonmember.handover nonmember.handlers.close" "every step is in the audit log"
tap_done
