#!/usr/bin/env bash
# Black-box tests of the notifications of the sharing work and "My tasks"
# (issue 17; policy/78_notify_sharing.sql, server/pages/notify.c), against
# the real councild: a member in a post's scope is told, with the unread
# count in every page's header and the post on /tasks; a subject carries
# no title; a post outside its scope tells it nothing; and a notification
# never outlives its post's visibility: an opt-out of secrets (R-SECRET-3),
# a restriction (R-RESTRICT-1) and a withdrawal (R-ORG-3) hide it on the
# page, in the API, in the badge and from the mailer, and a hidden one
# answers exactly like an absent one.
#
# The member told is one made for this test (so the demo council keeps its
# members); sessions are made in the database (tests/lib/portal.sh).
#
# Usage: tests/http/notify.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-notify.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

# The giver: a registered handler of an ordinary member (it posts a secret).
GIVER=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	JOIN council.handler_registrations h ON h.person_id = p.id AND h.deregistered_at IS NULL
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND NOT o.restricted
	  AND NOT o.gsoc_liaison AND NOT o.secret_opt_out ORDER BY p.id LIMIT 1")
[ -n "$GIVER" ] || { echo "Bail out! no registered handler in $PGDIR"; exit 1; }
# The member told: its administrator, a registered handler.
N_ORG=$(sql "INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
	VALUES ('nt-test-$$', '通知試験$$', 'Notify test $$', 'other', 'member') RETURNING id")
sql "INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin)
	VALUES ($N_ORG, '通知 花子', 'Hanako Tsuchi', 'n$$@nt-test.example.jp', true)" >/dev/null
N_ID=$(sql "SELECT id FROM council.people WHERE email = 'n$$@nt-test.example.jp'")
sql "INSERT INTO council.handler_registrations (person_id, registered_at) VALUES ($N_ID, now())" >/dev/null
A_G=$(session "$GIVER" api) && W_N=$(session "n$$@nt-test.example.jp" web) &&
	A_N=$(session "n$$@nt-test.example.jp" api) || { echo "Bail out! no sessions"; exit 1; }
ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.notifications") + 1000000 ))

# mine NAME: the post ids of the notifications the member reads (API), sorted.
mine() {
	api "$1" "$A_N" GET /api/v1/notifications
	python3 -c 'import json,sys,re
d=json.load(open(sys.argv[1]))
print(" ".join(sorted(re.sub(r"^/posts/", "", n["link"]) for n in d["notifications"]
      if n["link"].startswith("/posts/"))))' "$T/$1"
}
# badge NAME: the unread count the header of /feed shows ('' for none).
badge() {
	page "$1" "$W_N" /feed
	sed -n 's#.*href="/tasks"[^>]*>##p' "$T/$1" | grep -oE 'class="badge">[0-9+]+<' |
		grep -oE '[0-9+]+' | head -1
}

TITLE="nt-test secret title $$"
api p1 "$A_G" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"nt-test open $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"org\":$N_ORG}]}"
P1=$(json p1 'd["id"]')
api p2 "$A_G" POST /api/v1/posts "{\"kind\":\"analysis\",\"title\":\"$TITLE\",\"body\":\"b\",\"secret\":true,\"scope\":[{\"org\":$N_ORG}]}"
P2=$(json p2 'd["id"]')
api p3 "$A_G" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"nt-test elsewhere $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"coordinator\"}]}"
P3=$(json p3 'd["id"]')
[ -n "$P1" ] && [ -n "$P2" ] && [ -n "$P3" ]
tap_ok $? "the giver posts an open report and a secret to the member, and a report to the coordinator only"

# ---- Told, by scope. -------------------------------------------------------------
tap_is "$(mine n1)" "$(printf '%s\n' "$P1" "$P2" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"R-SCOPE-1: the member is told of both posts in its scope, and of nothing else (API)"
tap_is "$(json n1 'd["unread"]')" 2 "... both unread"
tap_unlike "$(cat "$T/n1")" "nt-test" "a notification's subject carries no title (nor any content)"
tap_is "$(badge f1)" 2 "every page's header shows the two unread"
page t1 "$W_N" /tasks
tap_is "$code $(grep -c "href=\"/posts/$P2\"" "$T/t1") $(grep -c "$TITLE" "$T/t1")" "200 1 1" \
	"My tasks lists the unread notification with the post's title, read on the portal"
page t1e "$W_N" "/tasks?lang=en"
tap_like "$(cat "$T/t1e")" "New analysis \\(unconfirmed\\): #$P2" "... in English too"
page t1j "$W_N" "/tasks?lang=ja"
N2=$(sql "SELECT id FROM council.notifications WHERE person_id = $N_ID AND post_id = $P2")

# ---- R-SECRET-3: an opt-out hides the secret's notification. ------------------------
form o1 "$W_N" /settings/org --data-urlencode "csrf=$(csrf "$W_N")" --data-urlencode op=secret_opt_out --data-urlencode value=1
tap_is "$(sql "SELECT secret_opt_out FROM council.organisations WHERE id = $N_ORG")" t \
	"R-SECRET-3: the member's administrator opts out of secrets"
tap_is "$(mine n2)" "$P1" "R-SECRET-3: the secret's notification is gone from the API"
tap_is "$(json n2 'd["unread"]') $(badge f2)" "1 1" "... from the unread count and the header's badge"
page t2 "$W_N" /tasks
tap_is "$(grep -c "/posts/$P2\"" "$T/t2")$(grep -c "$TITLE" "$T/t2")" "00" "... and from My tasks"
api r1 "$A_N" POST /api/v1/notifications "{\"read\":$N2}"
r1="$code $(cat "$T/r1")"
api r2 "$A_N" POST /api/v1/notifications "{\"read\":$ABSENT}"
tap_is "$r1" "$code $(cat "$T/r2")" "a hidden notification answers exactly like an absent one (marking it read)"
tap_is "$(sql "SELECT read_at IS NULL FROM council.notifications WHERE id = $N2")" t "... and is not marked"
tap_is "$(sql "SELECT council.person_sees_post($N_ID, $P2)")" f "... nor would it be mailed (mail_claim asks person_sees_post)"
sql "UPDATE council.organisations SET secret_opt_out = false WHERE id = $N_ORG" >/dev/null
tap_is "$(mine n3)" "$(printf '%s\n' "$P1" "$P2" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"R-SECRET-3: the opt-out withdrawn, the notification is back"

# ---- R-RESTRICT-1: a restriction hides them (the committee's decision's effect,
# proved through the committee in tests/http/committee.sh). --------------------------
sql "UPDATE council.organisations SET restricted = true WHERE id = $N_ORG" >/dev/null
tap_is "$(mine n4)" "" "R-RESTRICT-1: a restricted member reads no notification of others' posts"
tap_is "$(json n4 'd["unread"]') $(badge f4)" "0 " "... counts none, and the header shows no badge"
page t4 "$W_N" /tasks
tap_is "$(grep -c "/posts/$P1\"\\|/posts/$P2\"" "$T/t4")" 0 "... and My tasks lists neither"
api r3 "$A_N" POST /api/v1/notifications '{"read":"all"}'
tap_is "$(sql "SELECT count(*) FROM council.notifications WHERE person_id = $N_ID AND read_at IS NULL")" 2 \
	"... 'mark all read' marks nothing it cannot read"
sql "UPDATE council.organisations SET restricted = false WHERE id = $N_ORG" >/dev/null
tap_is "$(json n1 'd["unread"]') $(mine n5 >/dev/null; json n5 'd["unread"]')" "2 2" "R-RESTRICT-1: lifted, both come back unread"

# ---- The explanatory preview (issue 17 items 2 and 10): grouped by category; who
# the scope names but the post leaves out, and by which rule; the TLP label of
# what it reaches. ------------------------------------------------------------------
W_G=$(session "$GIVER" web)
pv() {
	form "$1" "$W_G" /posts/new --data-urlencode "csrf=$(csrf "$W_G")" \
		--data-urlencode "submit_key=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
		--data-urlencode kind=report --data-urlencode "title=nt-test preview" --data-urlencode body=b \
		--data-urlencode secret=no --data-urlencode action=preview "${@:2}"
}
n0=$(sql "SELECT count(*) FROM council.posts")
pv v1 --data-urlencode class=all_members --data-urlencode exclude=investigative
INV=$(sql "SELECT name_ja FROM council.organisations WHERE is_investigative AND status = 'member' ORDER BY id LIMIT 1")
tap_is "$code $(grep -c 'class="preview__category"' "$T/v1")" "200 $(sql "SELECT count(DISTINCT category) + 1 FROM council.organisations o
	WHERE o.status = 'member' AND NOT o.gsoc_liaison AND NOT o.is_investigative AND o.council_role IS DISTINCT FROM 'secretariat'
	  AND o.id <> (SELECT org_id FROM council.people WHERE email = '$GIVER')")" \
	"the preview groups who will read it by category, the author's own organisation first"
tap_like "$(tr -d '\n' <"$T/v1")" "preview__left.*${INV}</span> \\(<span>捜査機関として除外</span>\\)" \
	"R-SCOPE-2: an investigative body the author excluded is named, with the rule that leaves it out"
tap_like "$(tr -d '\n' <"$T/v1")" "preview__left.*\\(<span>庶務を担う事務局には共有されない</span>\\)" \
	"R-ORG-6: the general-affairs secretariat is named as never shared with"
tap_like "$(cat "$T/v1")" 'tlp--green' "a post to every member is labelled TLP:GREEN"
tap_is "$(sql "SELECT count(*) FROM council.posts")" "$n0" "... and the preview stores nothing"
pv v2 --data-urlencode class=all_members --data-urlencode "sources=$P1"
tap_like "$(tr -d '\n' <"$T/v2")" "preview__left.*\\(<span>情報源の提供者が同意するまで届かない</span>\\)" \
	"R-SCOPE-4: derived from a post of narrower scope, the members beyond it wait for the giver's consent"
tap_like "$(cat "$T/v2")" 'tlp--amber"' "... and the label says AMBER, not GREEN, until then"
form v3 "$W_G" "/posts/new?lang=en" --data-urlencode "csrf=$(csrf "$W_G")" \
	--data-urlencode kind=report --data-urlencode "title=nt-test preview" --data-urlencode body=b \
	--data-urlencode secret=no --data-urlencode action=preview --data-urlencode class=all_members \
	--data-urlencode "sources=$P1"
tap_like "$(cat "$T/v3")" "not until the source&#39;s giver consents|not until the source's giver consents" "... in English too"

# ---- The task-force dashboard on My tasks (R-TF-1, R-TF-5): the feedback the
# organisation's own posts asked for, answered of expected, as a chart too. ------
V1=takuya.fukuda@sakura-security.example.jp
T2=mayu.nakano@toto-bank.example.jp
A_V1=$(session "$V1" api) && W_V1=$(session "$V1" web) && A_T2=$(session "$T2" api) && W_T2=$(session "$T2" web)
api d1 "$A_V1" POST /api/v1/posts "{\"kind\":\"countermeasure\",\"title\":\"nt-test dash $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"class\":\"task_force\"}],\"confidence\":\"high\",\"deadline\":\"$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)\"}"
D=$(json d1 'd["id"]')
EXP=$(sql "SELECT count(*) FROM council.post_audience a JOIN council.organisations o ON o.id = a.org_id
	WHERE a.post_id = ${D:-0} AND NOT a.is_author AND o.tf_class IN ('type1', 'type2')")
# dash NAME TOKEN: "answered/expected" of post D on the dashboard of /tasks
# (the first count after its link; no bounded repeats: a long line makes
# them slow beyond use in grep -E).
dash() {
	page "$1" "$2" "/tasks?lang=ja"
	tr -d '\n' <"$T/$1" | sed -n "s#.*href=\"/posts/$D\#feedback\">##p" |
		grep -oE '回答</span> <strong>[0-9]+</strong> / <span>[0-9]+' | head -1 |
		sed -E 's#.*<strong>([0-9]+)</strong> / <span>([0-9]+)#\1/\2#'
}
# tasks NAME: the page's task list only (not its unread notifications).
tasks_of() { sed -n '/id="tasks-heading"/,/id="unread-heading"/p' "$T/$1"; }
tap_is "$(dash k1 "$W_V1")" "0/$EXP" "R-TF-5: the author's My tasks shows its post's feedback: 0 answered of the $EXP task-force members it reached"
page t2a "$W_T2" /tasks
tap_like "$(tasks_of t2a)" "href=\"/posts/$D\"" "R-TF-5: the Type 2 member's My tasks lists the feedback it owes"
api d2 "$A_T2" POST "/api/v1/posts/$D/feedback" '{"answer":"seen"}'
tap_is "$(dash k2 "$W_V1")" "1/$EXP" "R-TF-1: once the Type 2 member answers, the author's dashboard counts it"
tap_like "$(tr -d '\n' <"$T/k2" | sed -n "s#.*chart-tf-$D-t##p" | grep -oE '<desc[^>]*>[^<]*' | head -1)" "[^0-9]1[^0-9]|[^0-9]1$" \
	"... and draws it, with the numbers as text"
page t2b "$W_T2" /tasks
tap_unlike "$(tasks_of t2b)" "href=\"/posts/$D\"" "... and it is no longer the Type 2 member's task"
page k3 "$W_T2" /tasks
tap_unlike "$(cat "$T/k3")" "href=\"/posts/$D#feedback\"" "R-TF-1: a recipient sees no dashboard of another's post"

# ---- Opening a post reads its notifications (the badge counts what was not
# looked at). -------------------------------------------------------------------------
# (Set-up: the person's other notifications read, so that its badge counts
# this one alone, below the cap.)
sql "UPDATE council.notifications SET read_at = now() WHERE person_id = (SELECT id FROM council.people WHERE email = '$T2') AND post_id IS DISTINCT FROM ${D:-0} AND read_at IS NULL" >/dev/null
u0=$(sql "SELECT count(*) FROM council.notifications WHERE person_id = (SELECT id FROM council.people WHERE email = '$T2') AND post_id = ${D:-0} AND read_at IS NULL")
page o1 "$W_T2" "/posts/$D"
tap_is "$u0 $code $(sql "SELECT count(*) FROM council.notifications WHERE person_id = (SELECT id FROM council.people WHERE email = '$T2') AND post_id = ${D:-0} AND read_at IS NULL")" \
	"1 200 0" "opening the post marks its notification read"
# ... and the badge of that very page no longer counts it (it was counted
# with the identity, before the page marked it read).
badge_of() { sed -n 's#.*href="/tasks"[^>]*>##p' "$T/$1" | grep -oE 'class="badge">[0-9+]+<' | grep -oE '[0-9+]+' | head -1; }
tap_is "[$(badge_of o1)]" "[]" "issue 17: the opened post's own page shows no badge: its one notification was read by opening it"

# ---- Marked read; then R-ORG-3: a withdrawal ends everything. ----------------------
api r4 "$A_N" POST /api/v1/notifications "{\"read\":$N2}"
tap_is "$code $(cat "$T/r4") $(badge f5)" '200 {"marked" : 1} 1' "a visible notification is marked read; the badge counts one"
form w1 "$W_N" /settings/org/withdraw --data-urlencode "csrf=$(csrf "$W_N")" --data-urlencode confirm=yes
tap_is "$(sql "SELECT status FROM council.organisations WHERE id = $N_ORG")" withdrawn "R-ORG-3: the member withdraws"
api n6 "$A_N" GET /api/v1/notifications
tap_is "$code" 401 "R-ORG-3: after the withdrawal its notifications cannot be read"
tap_is "$(sql "SELECT count(*) FILTER (WHERE council.person_sees_post(person_id, post_id)) FROM council.notifications WHERE person_id = $N_ID")" 0 \
	"R-ORG-3: ... nor mailed: none of them is readable by the person any more"
tap_done
