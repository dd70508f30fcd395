#!/usr/bin/env bash
# Black-box tests of what the access oracle found in the sharing rules
# (issue 10, items 9, 11, 12, 13), against the real councild:
#   R-SCOPE-1, R-ORG-3  a non-member (withdrawn, applicant) named in a
#                       scope, an exclusion or a preview is answered
#                       byte for byte like an unknown id, in the API and on
#                       the composer page; the preview names members only
#   R-ORG-2, R-ORG-3    a withdrawn member applies again on the public form,
#                       the committee readmits it, and it reads what is
#                       shared from then on, never what was shared while it
#                       was out (each such post answers like an absent one)
#   R-SECRET-2/3        the preview lists apart the members that cannot
#                       receive a secret, with the reason, in Japanese and
#                       English; a secret none of them can receive is
#                       refused with a stable code (API and page)
#   R-ORG-6             the secretariat does not read replies in its own
#                       threads, replies only to its own posts, and reads
#                       no feedback tally
# The demo council is left as it was: what joins here is dissolved again.
#
# Usage: tests/http/sharing.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-sharing.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

# Request ids differ between two answers; nothing else may.
norm() { sed -E 's/[0-9a-f]{32}/RID/g' "$T/$1"; }
same() {  # same A B: the two answers (status in $T/A.code) are identical
	[ "$(cat "$T/$1.code")" = "$(cat "$T/$2.code")" ] && [ "$(norm "$1")" = "$(norm "$2")" ]
}
apicode() {  # apicode NAME TOKEN METHOD PATH [BODY]: api, keeping the status
	api "$@"
	echo "$code" >"$T/$1.code"
}
formcode() {  # formcode NAME TOKEN PATH ARGS...: form, keeping the status
	form "$@"
	echo "$code" >"$T/$1.code"
}
org_id() { sql "SELECT id FROM council.organisations WHERE slug = '$1'"; }
post_json() {  # post_json KIND TITLE SCOPE-JSON [SECRET]
	printf '{"kind":"%s","title":"%s","body":"b","secret":%s,"scope":%s}' "$1" "$2" "${4:-false}" "$3"
}

# A plain member and a handler of ordinary members, with API and page sessions.
P=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND NOT o.restricted
	  AND NOT o.gsoc_liaison ORDER BY p.id LIMIT 1")
H=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	JOIN council.handler_registrations h ON h.person_id = p.id AND h.deregistered_at IS NULL
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND NOT o.restricted
	  AND NOT o.gsoc_liaison AND NOT o.secret_opt_out AND o.slug <> 'toto-power'
	ORDER BY p.id LIMIT 1")
A=$(session "$P" api); S=$(session "$P" web)
HA=$(session "$H" api); HS=$(session "$H" web)
[ -n "$A" ] && [ -n "$HA" ] || { echo "Bail out! no sessions"; exit 1; }
UNKNOWN=$(( $(sql "SELECT max(id) FROM council.organisations") + 100000 ))
ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.posts") + 1000000 ))
KEY=$(printf '%032x' $$)
sc_seats || { echo "Bail out! no token for a committee seat"; exit 1; }

# A member made for this test, with its administrator, and a post before it leaves.
W=$(sql "INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
	VALUES ('sh-test-$$', '再加入試験$$', 'Rejoining $$', 'academia', 'member') RETURNING id")
sql "INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin)
	VALUES ($W, '再加入 花子', 'Hanako Saikanyu', 'w$$@sh-test.example.jp', true)" >/dev/null
W_API=$(session "w$$@sh-test.example.jp" api)
api b0 "$A" POST /api/v1/posts "$(post_json report "sh before $$" '[{"class":"all_members"}]')"
P_BEFORE=$(json b0 'd["id"]')
api w0 "$W_API" GET "/api/v1/posts/$P_BEFORE"
tap_is "$code" 200 "before: the new member reads a post to all members"

# R-ORG-3: it withdraws.
api w1 "$W_API" POST /api/v1/org/withdraw '{"confirm":true}'
tap_is "$code $(sql "SELECT count(*) FROM council.post_audience WHERE org_id = $W")" "200 0" \
	"R-ORG-3: it withdraws: at once it is in no audience (not even of a post it could read)"

# An applicant (the public form's own function: the form itself, and its
# throttle, are tests/http/membership.sh's).
RV=$(sql "SELECT council.rules_version()")
APP_ID=$(sql "SELECT council.apply('申請者$$', 'Applicant sh$$', 'other', NULL, '担当',
	'sh$$@applicant.example.jp', $RV, true, sha256(convert_to('sh-app-$$', 'UTF8')))")
APP=$(sql "SELECT org_id FROM council.applications WHERE id = ${APP_ID:-0}")
tap_is "$(sql "SELECT status FROM council.organisations WHERE id = ${APP:-0}")" applied "an applicant applies"

# --- Item 11: a non-member named anywhere looks exactly like an unknown id ----------
for who in W APP; do
	id=${!who}
	apicode "n_$who" "$A" POST /api/v1/posts "$(post_json report "sh n $$" "[{\"org\":$id}]")"
	apicode u_post "$A" POST /api/v1/posts "$(post_json report "sh n $$" "[{\"org\":$UNKNOWN}]")"
	tap_ok "$(same "n_$who" u_post; echo $?)" \
		"R-SCOPE-1: POST /api/v1/posts naming $([ $who = W ] && echo 'a withdrawn member' || echo 'an applicant') answers byte for byte like an unknown id ($(cat "$T/u_post.code") $(cat "$T/u_post"))"
	apicode "np_$who" "$A" POST /api/v1/preview "$(post_json report "sh n $$" "[{\"org\":$id}]")"
	apicode u_prev "$A" POST /api/v1/preview "$(post_json report "sh n $$" "[{\"org\":$UNKNOWN}]")"
	tap_ok "$(same "np_$who" u_prev; echo $?)" "R-SCOPE-1: ... and so does the preview"
done
apicode x_w "$A" POST /api/v1/posts '{"kind":"report","title":"t","body":"b","secret":false,"scope":[{"class":"all_members"}],"exclusions":[{"org":'"$W"'}]}'
apicode x_u "$A" POST /api/v1/posts '{"kind":"report","title":"t","body":"b","secret":false,"scope":[{"class":"all_members"}],"exclusions":[{"org":'"$UNKNOWN"'}]}'
tap_ok "$(same x_w x_u; echo $?)" "R-SCOPE-1: excluding a withdrawn member answers like excluding an unknown id"
CS=$(csrf "$S")
formcode c_w "$S" /posts/new --data-urlencode "csrf=$CS" -d "kind=report&title=t&body=b&secret=no&org=$W&submit_key=$KEY"
formcode c_u "$S" /posts/new --data-urlencode "csrf=$CS" -d "kind=report&title=t&body=b&secret=no&org=$UNKNOWN&submit_key=$KEY"
tap_ok "$(same c_w c_u; echo $?)" \
	"R-SCOPE-1: the composer page answers a withdrawn member in the scope byte for byte like an unknown id ($(cat "$T/c_u.code"))"
formcode cp_w "$S" /posts/new --data-urlencode "csrf=$CS" -d "kind=report&title=t&body=b&secret=no&org=$APP&action=preview&submit_key=$KEY"
formcode cp_u "$S" /posts/new --data-urlencode "csrf=$CS" -d "kind=report&title=t&body=b&secret=no&org=$UNKNOWN&action=preview&submit_key=$KEY"
tap_ok "$(same cp_w cp_u; echo $?)" "R-SCOPE-1: ... and its preview an applicant like an unknown id"

# --- Item 9: the preview and the audiences name members only --------------------
api pv "$A" POST /api/v1/preview "$(post_json report "sh all $$" '[{"class":"all_members"}]')"
ids=$(json pv '",".join(str(o["id"]) for o in d["orgs"])')
tap_is "$code $(sql "SELECT count(*) FROM council.organisations WHERE id IN (${ids:-0}) AND status <> 'member'")
	$(json pv 'd["count"]')" "200 0
	$(sql "SELECT count(*) FROM council.organisations WHERE status = 'member' AND council_role IS DISTINCT FROM 'secretariat'
		AND NOT gsoc_liaison")" \
	"R-SCOPE-1: the preview of a post to all members names every member and no applicant or former member"
api pa "$A" POST /api/v1/posts "$(post_json report "sh all $$" '[{"class":"all_members"}]')"
NEW=$(json pa 'd["id"]')
tap_is "$(sql "SELECT count(*) FROM council.post_audience a JOIN council.organisations o ON o.id = a.org_id
	WHERE a.post_id = ${NEW:-0} AND o.status <> 'member'")" 0 "R-SCOPE-1: ... and its stored audience holds no non-member"

# --- Item 11: readmission reads nothing shared while it was out ---------------------
api g1 "$A" POST /api/v1/posts "$(post_json report "sh gap all $$" '[{"class":"all_members"}]')"
api g2 "$A" POST /api/v1/posts "$(post_json report "sh gap cat $$" '[{"class":"category","category":"academia"}]')"
api g3 "$A" POST /api/v1/posts '{"kind":"report","title":"sh gap clear","body":"b","secret":false}'
GAP="$(json g1 'd["id"]') $(json g2 'd["id"]') $(json g3 'd["id"]') $NEW"
reapply() {
	code=$(curl -sS --max-time 20 -o "$T/ra" -w '%{http_code}' -H "Origin: $B" \
	    --data-urlencode "name_ja=再加入試験$$" --data-urlencode "name_en=Rejoining $$" \
	    --data-urlencode category=academia --data-urlencode "contact_name=再加入 花子" \
	    --data-urlencode "contact_email=w$$@sh-test.example.jp" --data-urlencode "rules_version=$RV" \
	    --data-urlencode agree=yes "$B/apply")
}
reapply
# The form admits one application a minute from an address once five were
# made (lifecycle.sh makes six): wait as a person would, once.
[ "$code" != 429 ] || { sleep 61; reapply; }
tap_is "$code $(sql "SELECT status || ' ' || (SELECT count(*) FROM council.applications a WHERE a.org_id = o.id AND a.readmission)
	FROM council.organisations o WHERE o.id = $W")" "201 applied 1" \
	"R-ORG-2: the former member applies again on the public form: the same organisation, an application to rejoin"
api l0 "${TOK[${SEATS[1]}]}" GET /api/v1/applications
tap_is "$(json l0 '[a["readmission"] for a in d["applications"] if a["org"] == '"$W"']')" "[True]" \
	"the committee sees it listed once, as a readmission"
sc_pass "{\"kind\":\"admission\",\"title\":\"sh-test readmission $$\",\"subject\":$W}"
tap_is "$MS $(sql "SELECT status FROM council.organisations WHERE id = $W")" "passed member" \
	"R-ORG-2: the committee's admission motion readmits it"
W_API=$(session "w$$@sh-test.example.jp" api)
bad=''
for id in $P_BEFORE $GAP; do
	apicode r "$W_API" GET "/api/v1/posts/$id"
	apicode ra "$W_API" GET "/api/v1/posts/$ABSENT"
	same r ra || bad="$bad $id"
done
tap_is "${bad:-none}" none \
	"R-ORG-3: readmitted, each post shared while it was out (and before it left) answers like an absent post"
api f0 "$W_API" GET "/api/v1/feed?limit=200"
tap_is "$code $(json f0 'len(d["posts"])')" "200 0" "R-ORG-3: its feed is empty"
api a1 "$A" POST /api/v1/posts "$(post_json report "sh after $$" '[{"class":"category","category":"academia"}]')"
api r1 "$W_API" GET "/api/v1/posts/$(json a1 'd["id"]')"
tap_is "$code" 200 "R-ORG-3: it reads what is shared from its new admission on"

# --- Item 12: secrets the scope cannot receive ----------------------------------
HOSP=$(org_id toto-central-hospital); AOBA=$(org_id aoba-pref); POWER=$(org_id toto-power)
api s0 "$HA" POST /api/v1/preview "$(post_json report "sh secret $$" "[{\"org\":$HOSP},{\"org\":$AOBA},{\"org\":$POWER}]" true)"
tap_is "$code $(json s0 'sorted((o["id"], o["reason"]) for o in d["secret_unreachable"])') $(json s0 'd["count"]') $(json s0 'sorted(o["id"] for o in d["orgs"] if not o["author"])')" \
	"200 $(python3 -c "print(sorted([($HOSP, 'no_handler'), ($AOBA, 'secret_opt_out')]))") 2 [$POWER]" \
	"R-SECRET-2/3: the preview of a secret lists apart the members that cannot receive it, with the reason, and counts only the readers"
n0=$(sql "SELECT count(*) FROM council.posts")
api s1 "$HA" POST /api/v1/posts "$(post_json report "sh secret $$" "[{\"org\":$HOSP},{\"org\":$AOBA}]" true)"
tap_is "$code $(cat "$T/s1") $(sql "SELECT count(*) FROM council.posts")" "422 {\"error\" : \"secret_no_recipient_can_receive\"} $n0" \
	"R-SECRET-2/3: a secret none of whose members can receive it is refused with a stable code; nothing stored"
api s2 "$HA" POST /api/v1/preview "$(post_json report "sh secret $$" "[{\"org\":$HOSP},{\"org\":$AOBA}]" true)"
tap_is "$code $(cat "$T/s2")" '422 {"error" : "secret_no_recipient_can_receive"}' "... which its preview says too"
HCS=$(csrf "$HS")
form s3 "$HS" /posts/new --data-urlencode "csrf=$HCS" -d "kind=report&title=t&body=b&secret=yes&org=$HOSP&org=$AOBA&org=$POWER&action=preview"
tap_is "$code $(grep -c '登録された取扱者がいません' "$T/s3") $(grep -c '秘密の受領を辞退しています' "$T/s3")" "200 1 1" \
	"R-SECRET-2/3: the composer's preview names them apart with the reason (Japanese)"
form s4 "$HS" "/posts/new?lang=en" --data-urlencode "csrf=$HCS" -d "kind=report&title=t&body=b&secret=yes&org=$HOSP&org=$AOBA&org=$POWER&action=preview"
tap_is "$code $(grep -c 'no registered handler' "$T/s4") $(grep -c 'opted out of receiving secrets' "$T/s4")" "200 1 1" \
	"... and in English"
form s5 "$HS" /posts/new --data-urlencode "csrf=$HCS" -d "kind=report&title=t&body=b&secret=yes&org=$HOSP&org=$AOBA"
tap_is "$code $(grep -c 'いずれも秘密を受け取れません' "$T/s5") $(sql "SELECT count(*) FROM council.posts")" "422 1 $n0" \
	"R-SECRET-2/3: the composer refuses such a secret with the message (Japanese); nothing stored"
form s6 "$HS" "/posts/new?lang=en" --data-urlencode "csrf=$HCS" -d "kind=report&title=t&body=b&secret=yes&org=$HOSP&org=$AOBA"
tap_is "$code $(grep -c 'None of the members in the scope' "$T/s6")" "422 1" "... and in English"

# --- Item 13: the secretariat in its own threads (R-ORG-6) ---------------------------
SEC=naoki.sasaki@nisc.example.jp
SA=$(session "$SEC" api)
api t0 "$SA" POST /api/v1/posts "$(post_json alert "sh alert $$" '[{"class":"all_members"}]')"
ALERT=$(json t0 'd["id"]')
api t1 "$A" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"sh reply $$\",\"body\":\"b\",\"secret\":false,\"parent\":$ALERT}"
REPLY=$(json t1 'd["id"]')
apicode t2 "$SA" GET "/api/v1/posts/$REPLY"
apicode t2a "$SA" GET "/api/v1/posts/$ABSENT"
tap_ok "$(same t2 t2a; echo $?)" "R-ORG-6: the secretariat does not read a reply in its own thread: it answers like an absent post"
api t3 "$SA" POST /api/v1/posts "{\"kind\":\"alert\",\"title\":\"sh follow-up $$\",\"body\":\"b\",\"secret\":false,\"parent\":$ALERT}"
tap_is "$code" 201 "R-ORG-6: it posts a follow-up to its own post"
apicode t4 "$SA" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"t\",\"body\":\"b\",\"secret\":false,\"parent\":$REPLY}"
apicode t4a "$SA" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"t\",\"body\":\"b\",\"secret\":false,\"parent\":$ABSENT}"
tap_ok "$(same t4 t4a; echo $?)" "R-ORG-6: a reply to the reply it cannot read answers like a reply to an absent post"
api t5 "$SA" GET "/api/v1/posts/$ALERT/feedback"
tap_is "$code $(cat "$T/t5")" '403 {"error" : "feedback_not_for_the_secretariat"}' \
	"R-ORG-6: it reads no feedback tally, not even of its own post"
# An access case on the reply, approved by a committee member (no API: as councild would call it).
SEC_HASH=$(printf '%s' "$SA" | sha256sum | cut -c1-64)
CASE=$(sql "SELECT set_config('council.session', '$SEC_HASH', false);
	SELECT council.open_access_case('sh-test: a dispute in the thread', ARRAY[$REPLY]::bigint[], now() + interval '1 hour')" | tail -1)
APPR=$(printf '%s' "${TOK[${SEATS[1]}]}" | sha256sum | cut -c1-64)
sql "SELECT set_config('council.session', '$APPR', false); SELECT council.approve_access_case($CASE)" >/dev/null
api t6 "$SA" GET "/api/v1/posts/$REPLY"
tap_is "$code" 200 "R-ORG-6: through an approved access case it reads the reply"
api t7 "$SA" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"t\",\"body\":\"b\",\"secret\":false,\"parent\":$REPLY}"
tap_is "$code $(cat "$T/t7")" '403 {"error" : "secretariat_replies_to_own_posts_only"}' \
	"R-ORG-6: a case is for reading: it does not reply to what the case shows it"

# The demo council as it was: the member made here is dissolved (the
# applicant stays pending, like those of lifecycle.sh).
SECT=$(session "$SEC" api)
api d1 "$SECT" POST /api/v1/applications "{\"kind\":\"dissolution\",\"org\":$W}"

tap_done
