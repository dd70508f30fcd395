#!/usr/bin/env bash
# Black-box tests of the member pages and the JSON API that take an id
# (issue 4): for a person who may not see an object, the answer is exactly
# the answer for an id that does not exist.  And the feed, the post page and
# the API agree with each other.
#
# Usage: tests/http/portal.sh BASE_URL PGDIR   (as tests/http/auth.sh)
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
PW=${COUNCIL_DEMO_PASSWORD:-council-demo-2026}
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-portal.XXXXXX")
trap 'rm -rf "$T"' EXIT
SC=__Host-council_session
sql() { "$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -c "$1"; }
get() {  # get NAME TOKEN PATH [header]: body in $T/NAME, sets $code
	code=$(curl -sS --max-time 20 -o "$T/$1" -w '%{http_code}' \
	    -H "Cookie: $SC=$2" "${@:4}" "$B$3" 2>/dev/null)
}
api() {  # api NAME TOKEN PATH
	code=$(curl -sS --max-time 20 -o "$T/$1" -w '%{http_code}' \
	    -H "Authorization: Bearer $2" "$B$3" 2>/dev/null)
}
# Request ids and the page's own path differ between answers; nothing else
# may.
norm() { sed -E 's/[0-9a-f]{32}/RID/g; s#/posts/[0-9]+#/posts/N#g' "$T/$1"; }

# A plain member (no second factor) of an organisation that is not the
# coordinator: it cannot see every post.
P=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND NOT o.restricted
	  AND p.password_hash IS NOT NULL AND NOT council.auth_needs_totp(p.id) ORDER BY p.id LIMIT 1")
ORG=$(sql "SELECT org_id FROM council.people WHERE email = '$P'")
code=$(curl -sS --max-time 20 -D "$T/si.h" -o /dev/null -w '%{http_code}' -H "Origin: $B" \
	--data-urlencode "email=$P" --data-urlencode "password=$PW" "$B/signin")
S=$(tr -d '\r' <"$T/si.h" | sed -nE "s/^[Ss]et-[Cc]ookie: $SC=([0-9a-f]{64});.*/\\1/p")
[ -n "$S" ] || { echo "Bail out! cannot sign in as $P ($code)"; exit 1; }
# An API token of the same person.
CSRF=$(printf 'council-csrf:%s' "$S" | sha256sum | cut -c1-64)
curl -sS --max-time 20 -o "$T/tk" -H "Cookie: $SC=$S" \
	-d "csrf=$CSRF&op=create&name=portal-test&days=1" "$B/settings/tokens" >/dev/null
A=$(grep -o 'id="new-token">[0-9a-f]*' "$T/tk" | cut -d'>' -f2)
[ -n "$A" ] || { echo "Bail out! cannot create an API token"; exit 1; }

ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.posts") + 1000000 ))
get absent "$S" "/posts/$ABSENT"; c_abs=$code
api absentj "$A" "/api/v1/posts/$ABSENT"; cj_abs=$code
tap_is "$c_abs $cj_abs $(cat "$T/absentj")" '404 404 {"error":"post_not_found"}' \
	"an absent post id: 404 on the page and in the API"

ids=$(sql "SELECT id FROM council.posts ORDER BY id")
seen=0 hidden=0 bad_page='' bad_api='' seen_ids=''
for id in $ids; do
	get p "$S" "/posts/$id"
	api j "$A" "/api/v1/posts/$id"
	if [ "$code" = 200 ]; then
		seen=$((seen + 1)); seen_ids="$seen_ids $id"
		grep -q "\"id\" : $id," "$T/j" || bad_api="$bad_api $id"
	else
		hidden=$((hidden + 1))
		[ "$code $(cat "$T/j")" = '404 {"error":"post_not_found"}' ] || bad_api="$bad_api $id"
		# the page too: same status and the same page as the absent id
		get p "$S" "/posts/$id"
		[ "$code" = "$c_abs" ] && [ "$(norm p)" = "$(norm absent)" ] || bad_page="$bad_page $id"
	fi
done
tap_ok "$([ "$hidden" -gt 0 ] && [ "$seen" -gt 0 ]; echo $?)" \
	"the demo council has posts this member sees ($seen) and posts it does not ($hidden)"
tap_is "${bad_page:-none}" none "every post it may not see answers the page of an absent id, byte for byte (but the request id)"
tap_is "${bad_api:-none}" none "every post it may not see answers the API's absent-id error; every other its own id"

# The three views agree: feed (HTML), feed (JSON), one by one.
get feed "$S" "/feed"
feed_ids=$(grep -oE 'href="/posts/[0-9]+"' "$T/feed" | grep -oE '[0-9]+' | sort -n | tr '\n' ' ')
api jf "$A" "/api/v1/feed?limit=200"
jfeed_ids=$(grep -oE '"id" : [0-9]+, "kind"' "$T/jf" | grep -oE '[0-9]+' | sort -n | tr '\n' ' ')
all_ids=$(printf '%s\n' $seen_ids | grep -v '^$' | sort -n | tr '\n' ' ')
tap_is "$jfeed_ids" "$all_ids" "the JSON feed lists exactly the posts the API opens"
tap_is "$feed_ids" "$all_ids" "the HTML feed lists exactly the posts the page opens"

# The audience, as the superuser sees it, explains the difference.
outside=$(sql "SELECT count(*) FROM council.posts x WHERE x.id IN (${all_ids// /,}0)
	AND NOT EXISTS (SELECT 1 FROM council.post_audience a WHERE a.post_id = x.id AND a.org_id = $ORG)")
tap_is "$outside" 0 "no post opened lies outside the organisation's effective scope"

# Malformed ids are 404 too, never 500 or a database error.
bad=''
for path in /posts/0 /posts/-1 /posts/abc /posts/1e3 /posts/99999999999999999999 /posts/ "/posts/1%00"; do
	get m "$S" "$path"
	[ "$code" = 404 ] || [ "$code" = 400 ] || bad="$bad $path=$code"
done
tap_is "${bad:-none}" none "malformed post ids answer 404 (or 400 for a NUL), never an error of the server"
api m "$A" "/api/v1/posts/abc"
tap_is "$code $(cat "$T/m")" '404 {"error":"post_not_found"}' "a malformed id in the API: the absent-id error"

# Without a session.
get np "" "/posts/1"
tap_is "$code" 303 "a post page without a session sends to /signin"
code=$(curl -sS --max-time 20 -o "$T/nj" -w '%{http_code}' "$B/api/v1/posts/1")
tap_is "$code $(cat "$T/nj")" '401 {"error":"not_signed_in"}' "the API without a token: 401"

# --- The composer: bad input changes nothing; a hidden parent is absent --------
post() {  # post NAME FORM...: POST /posts/new as P with its form token
	local name=$1; shift
	code=$(curl -sS --max-time 20 -o "$T/$name" -D "$T/$name.h" -w '%{http_code}' \
	    -H "Cookie: $SC=$S" -d "csrf=$CSRF" "$@" "$B/posts/new" 2>/dev/null)
}
n0=$(sql "SELECT count(*) FROM council.posts")
OTHER=$(sql "SELECT id FROM council.organisations WHERE status = 'member' AND id <> $ORG
	AND council_role IS NULL ORDER BY id LIMIT 1")
post c1 -d "kind=report&title=t&body=b&org=$OTHER"
tap_like "$code $(grep -o 'role="alert">[^<]*' "$T/c1")" '^422 role="alert">.+' \
	"R-SECRET-1: a post without a secret declaration is refused with a message"
code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -H "Cookie: $SC=$S" \
	-d "csrf=$(printf '%064d' 0)&kind=report&title=t&body=b&secret=no&org=$OTHER" "$B/posts/new")
tap_is "$code" 403 "a stale or forged form token is refused"
post c3 -d "kind=report&title=t&body=b&secret=no&org=999999999"
tap_like "$code $(grep -o 'role="alert">[^<]*' "$T/c3")" '^422 role="alert">.+' "a scope naming an unknown organisation is refused with a message"
post c4 -d "kind=report&title=t&body=b&secret=no&org=abc"
tap_is "$code" 400 "a forged scope field is refused (400)"
post c5 -d "kind=report&title=t&body=b&secret=no"
tap_is "$code" 303 "R-SCOPE-5: no designated scope is allowed for a non-secret"
tap_is "$(sql "SELECT count(*) FROM council.posts") " "$((n0 + 1)) " \
	"... and the refused posts stored nothing: one post more, not five"
HID=$(sql "SELECT x.id FROM council.posts x WHERE NOT EXISTS (SELECT 1 FROM council.post_audience a
	WHERE a.post_id = x.id AND a.org_id = $ORG) ORDER BY x.id LIMIT 1")
post r1 -d "kind=report&title=t&body=b&secret=no&parent=$HID"
post r2 -d "kind=report&title=t&body=b&secret=no&parent=$ABSENT"
tap_is "$(head -1 "$T/r1.h" | cut -d' ' -f2) $(sed -E 's/[0-9a-f]{32}/RID/g' "$T/r1" | md5sum)" \
	"404 $(sed -E 's/[0-9a-f]{32}/RID/g' "$T/r2" | md5sum)" \
	"a reply to a post the member cannot see answers exactly as a reply to an absent post (404)"
post c6 -d "kind=analysis&title=shared+with+one&body=line1%0Aline2&secret=no&org=$OTHER&exclude=investigative"
loc=$(tr -d '\r' <"$T/c6.h" | sed -nE 's/^[Ll]ocation: //p')
NEW=${loc#/posts/}
tap_like "$code $loc" '^303 /posts/[0-9]+$' "a post naming one organisation is created and opens"
tap_is "$(sql "SELECT string_agg(org_id::text, ',' ORDER BY org_id) FROM council.post_audience WHERE post_id = ${NEW:-0}")" \
	"$(printf '%s\n' "$ORG" "$OTHER" | sort -n | paste -sd,)" \
	"R-SCOPE-1: its effective scope is the named organisation and the author's"
get np2 "$S" "/posts/${NEW:-0}"
tap_like "$code $(tr -d '\n' <"$T/np2" | grep -o 'post__block"><p>[^<]*')" "^200 post__block\"><p>line1line2" \
	"the author reads it; its text is shown as text (one paragraph, line break kept)"

post c7 -d "kind=report&title=markup&secret=no&org=$OTHER" --data-urlencode 'body=<b>x</b>
- <img src=x onerror=alert(1)>'
get np3 "$S" "$(tr -d '\r' <"$T/c7.h" | sed -nE 's/^[Ll]ocation: //p')"
tap_like "$code $(tr -d '\n' <"$T/np3" | grep -o 'post__body">.*</ul></div>')" \
	'^200 post__body"><div class="post__block"><p>&lt;b&gt;x&lt;/b&gt;</p></div><div class="post__block"><ul><li>&lt;img src=x onerror=alert\(1\)&gt;</li></ul></div>' \
	"the body's safe markup: a paragraph and a list, markup-looking text escaped"

tap_done
