#!/usr/bin/env bash
# Black-box tests of the member feed's filters, paging and unread marks, and
# of search (issue 4; policy/62_feed.sql, server/pages/feed.c, server/pages/search.c),
# against the real councild and the real database.
#
# Usage: tests/http/feed.sh BASE_URL PGDIR   (as tests/http/portal.sh)
#
# Set-up, as the superuser: posts written through council.create_post as
# their authors (a session row each, removed afterwards): 55 posts a plain
# member P's organisation wrote for itself (so that the feed has pages),
# one post P's organisation may not see (R-SCOPE-2: it excludes the
# supervisors of the author's sector, and P's organisation supervises it)
# and one secret for P's organisation (P is no registered handler:
# R-SECRET-2).  Expectations come from three places that must agree: the
# HTML pages, the JSON API, and the database's tables read as the
# superuser with the sharing rules applied by hand (docs/sharing.md) --
# only to compute what P should see, never shown to P.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
PW=${COUNCIL_DEMO_PASSWORD:-council-demo-2026}
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-feed.XXXXXX")
trap 'rm -rf "$T"' EXIT
SC=__Host-council_session
RUN=$(date +%s)$$
# Addresses of this run only (documentation and private ranges).
IP1=10.$((RUN % 251)).$((RUN / 251 % 251)).$((RUN / 63001 % 251 + 1))
IP2=172.16.$((RUN % 251)).$((RUN / 251 % 251 + 1))
sql() { "$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -v ON_ERROR_STOP=1 -c "$1"; }
get() {  # get NAME TOKEN PATH: body in $T/NAME, sets $code
	code=$(curl -sS --max-time 30 -o "$T/$1" -w '%{http_code}' \
	    -H "Cookie: $SC=$2" "$B$3" 2>/dev/null)
}
api() {  # api NAME TOKEN PATH
	code=$(curl -sS --max-time 30 -o "$T/$1" -w '%{http_code}' \
	    -H "Authorization: Bearer $2" "$B$3" 2>/dev/null)
}
signin() {  # signin EMAIL: prints the session token
	curl -sS --max-time 20 -D "$T/si.h" -o /dev/null -H "Origin: $B" \
	    --data-urlencode "email=$1" --data-urlencode "password=$PW" "$B/signin" >/dev/null
	tr -d '\r' <"$T/si.h" | sed -nE "s/^[Ss]et-[Cc]ookie: $SC=([0-9a-f]{64});.*/\\1/p"
}
token() {  # token SESSION: a new API token of the session's person
	local csrf
	csrf=$(printf 'council-csrf:%s' "$1" | sha256sum | cut -c1-64)
	curl -sS --max-time 20 -o "$T/tk" -H "Cookie: $SC=$1" \
	    -d "csrf=$csrf&op=create&name=feed-test&days=1" "$B/settings/tokens" >/dev/null
	grep -o 'id="new-token">[0-9a-f]*' "$T/tk" | cut -d'>' -f2
}
# The ids of a JSON answer's posts, in order, one line; "unread" flags too.
jids() { python3 -c 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(open(sys.argv[1]))["posts"]))' "$T/$1"; }
junread() { python3 -c 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(open(sys.argv[1]))["posts"] if p["unread"]))' "$T/$1"; }
# The ids of a page's posts, in order; the unread ones; the older link.
hids() { tr -d '\n' <"$T/$1" | sed 's/<li class="feed-item">/\n/g' | sed -nE 's#.*feed-item__title"><a href="/posts/([0-9]+)".*#\1#p' | tr '\n' ' ' | sed 's/ $//'; }
hunread() { tr -d '\n' <"$T/$1" | sed 's/<li class="feed-item">/\n/g' | grep 'badge--unread' | sed -nE 's#.*feed-item__title"><a href="/posts/([0-9]+)".*#\1#p' | tr '\n' ' ' | sed 's/ $//'; }
older() { grep -oE 'class="pager"><a href="[^"]*"' "$T/$1" | sed -E 's/.*href="([^"]*)"/\1/; s/&amp;/\&/g'; }
alert() { grep -oE 'role="alert">[^<]*' "$T/$1" | cut -d'>' -f2; }
norm() { sed -E 's/[0-9a-f]{32}/RID/g' "$T/$1"; }

# --- People and posts -----------------------------------------------------------
# P: a plain member (no second factor) of an organisation that supervises a
# sector; G: a plain member of an organisation in a group.
P=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND NOT o.restricted
	  AND NOT o.gsoc_liaison AND p.password_hash IS NOT NULL AND NOT council.auth_needs_totp(p.id)
	  AND EXISTS (SELECT 1 FROM council.org_supervises s WHERE s.org_id = o.id)
	ORDER BY p.id LIMIT 1")
ORG=$(sql "SELECT org_id FROM council.people WHERE email = '$P'")
PID=$(sql "SELECT id FROM council.people WHERE email = '$P'")
SECTOR=$(sql "SELECT sector_code FROM council.org_supervises WHERE org_id = $ORG ORDER BY 1 LIMIT 1")
# An author in that sector (its post excludes "supervisors of my sector").
SUP_AUTHOR=$(sql "SELECT p.id FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE o.sector_code = '$SECTOR' AND o.category = 'ci_operator' AND o.status = 'member'
	  AND NOT o.restricted AND NOT o.gsoc_liaison AND p.active ORDER BY p.id LIMIT 1")
# A registered handler of another organisation, for the secret.
HANDLER=$(sql "SELECT p.id FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	JOIN council.handler_registrations h ON h.person_id = p.id AND h.deregistered_at IS NULL
	WHERE o.id <> $ORG AND o.status = 'member' AND NOT o.restricted AND NOT o.gsoc_liaison
	  AND NOT o.secret_opt_out AND o.council_role IS NULL AND p.active ORDER BY p.id LIMIT 1")
G=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND NOT o.restricted
	  AND NOT o.gsoc_liaison AND p.password_hash IS NOT NULL AND NOT council.auth_needs_totp(p.id)
	  AND EXISTS (SELECT 1 FROM council.group_members m WHERE m.org_id = o.id)
	ORDER BY p.id LIMIT 1")
[ -n "$P" ] && [ -n "$SUP_AUTHOR" ] && [ -n "$HANDLER" ] && [ -n "$G" ] \
	|| { echo "Bail out! demo council not found in $PGDIR"; exit 1; }
GORG=$(sql "SELECT org_id FROM council.people WHERE email = '$G'")
GRP=$(sql "SELECT group_id FROM council.group_members WHERE org_id = $GORG ORDER BY 1 LIMIT 1")
HIDDEN_GRP=$(sql "SELECT g.id FROM council.groups g WHERE g.owner_org_id <> $GORG
	AND NOT EXISTS (SELECT 1 FROM council.group_members m WHERE m.group_id = g.id AND m.org_id = $GORG)
	ORDER BY 1 LIMIT 1")

# as_author PERSON_ID SQL: run SQL (create_post calls) as that person.
as_author() {
	sql "BEGIN;
	INSERT INTO council.sessions (token_hash, person_id, expires_at)
	VALUES (sha256(convert_to('feed-test-$RUN-$1', 'UTF8')), $1, now() + interval '5 minutes');
	SELECT set_config('council.session', encode(sha256(convert_to('feed-test-$RUN-$1', 'UTF8')), 'hex'), true);
	$2
	DELETE FROM council.sessions WHERE token_hash = sha256(convert_to('feed-test-$RUN-$1', 'UTF8'));
	COMMIT;" >/dev/null
}
as_author "$PID" "SELECT council.create_post(
	  (ARRAY['report', 'analysis', 'consultation'])[1 + i % 3]::council.post_kind,
	  'feedtest-$RUN-' || i || CASE WHEN i = 7 THEN ' titleword$RUN' ELSE '' END,
	  'body ' || i || CASE WHEN i = 11 THEN ' bodyword$RUN' WHEN i = 13 THEN ' C2: $IP1' ELSE '' END,
	  false, false, '[{\"org\": $ORG}]')
	FROM generate_series(1, 55) i;" || { echo "Bail out! cannot write the test posts"; exit 1; }
as_author "$SUP_AUTHOR" "SELECT council.create_post('report', 'feedtest hidden $RUN',
	'hiddenword$RUN seen at $IP2', false, false,
	'[{\"class\": \"all_members\"}]', '[{\"supervisors\": true}]');" \
	|| { echo "Bail out! cannot write the excluded post"; exit 1; }
as_author "$HANDLER" "SELECT council.create_post('report', 'feedtest secret $RUN',
	'secretword$RUN', true, false, '[{\"org\": $ORG}]');" \
	|| { echo "Bail out! cannot write the secret"; exit 1; }
HID=$(sql "SELECT id FROM council.posts WHERE title = 'feedtest hidden $RUN'")
SEC=$(sql "SELECT id FROM council.posts WHERE title = 'feedtest secret $RUN'")
TITLED=$(sql "SELECT id FROM council.posts WHERE title = 'feedtest-$RUN-7 titleword$RUN'")
BODIED=$(sql "SELECT id FROM council.posts WHERE title = 'feedtest-$RUN-11'")
IOC=$(sql "SELECT id FROM council.posts WHERE title = 'feedtest-$RUN-13'")

# ?lang= on a page is the language switch, which persists (issue 17):
# the people's languages are put back at the end.
LANGS=$(sql "SELECT string_agg(format('UPDATE council.people SET lang = %L WHERE id = %s;', lang, id), ' ')
	FROM council.people WHERE email IN ('$P', '$G')")
trap 'sql "$LANGS" >/dev/null 2>&1; rm -rf "$T"' EXIT
S=$(signin "$P"); A=$(token "$S")
SG=$(signin "$G")
[ -n "$S" ] && [ -n "$A" ] && [ -n "$SG" ] || { echo "Bail out! cannot sign in"; exit 1; }

# What P should see, from the tables (docs/sharing.md, applied by hand): its
# organisation's audience, no secret (P is no registered handler).
expect() {  # expect CONDITION: the ids, newest first, one line
	sql "SELECT string_agg(x.id::text, ' ' ORDER BY x.id DESC) FROM council.post_audience a
	JOIN council.posts x ON x.id = a.post_id
	WHERE a.org_id = $ORG AND NOT a.is_secret AND ($1)"
}

tap_is "$(sql "SELECT count(*) FROM council.post_audience WHERE org_id = $ORG AND post_id IN ($HID, $SEC)")" 1 \
	"set-up: the secret reaches P's organisation, the excluded post does not (R-SCOPE-2)"

# --- Paging ---------------------------------------------------------------------
api all "$A" "/api/v1/feed?limit=200"
ALL=$(jids all)
tap_is "$ALL" "$(expect true)" "the JSON feed is exactly what the tables say P may see, newest first"
n=$(wc -w <<<"$ALL")
tap_ok "$([ "$n" -gt 50 ]; echo $?)" "... more than one page of it ($n posts)"
paged='' before='' pages=0
while :; do
	api pg "$A" "/api/v1/feed?limit=7${before:+&before=$before}"
	[ "$code" = 200 ] || break
	ids=$(jids pg); [ -n "$ids" ] || break
	paged="$paged $ids"; before=${ids##* }; pages=$((pages + 1))
	[ "$pages" -lt 100 ] || break
done
tap_is "$(echo $paged)" "$ALL" "API pages of 7 cover every visible post exactly once, in order ($pages pages)"
paged='' url=/feed pages=0 sizes=''
while [ -n "$url" ] && [ "$pages" -lt 20 ]; do
	get page "$S" "$url"
	ids=$(hids page); paged="$paged $ids"; sizes="$sizes $(wc -w <<<"$ids")"
	url=$(older page); pages=$((pages + 1))
done
tap_is "$(echo $paged)" "$ALL" "HTML pages, following the older link, cover the same posts exactly once, in order"
tap_like "$sizes" '^ 50 ' "... 50 posts a page ($sizes)"
tap_unlike "$paged" "(^| )($HID|$SEC)( |$)" "neither the excluded post nor the secret is in any page"

# --- Filters: HTML, JSON and the tables agree -----------------------------------
bad=''
for f in "kind=report" "kind=analysis" "tlp=amber_strict" "tlp=green" "kind=consultation&tlp=amber_strict" \
	"kind=alert" "tlp=red"; do
	cond=$(sed -E "s/kind=([a-z_]+)/x.kind = '\1'/; s/tlp=([a-z_]+)/x.tlp = '\1'/; s/&/ AND /" <<<"$f")
	want=$(expect "$cond")
	api jf "$A" "/api/v1/feed?limit=200&$f"; j=$(jids jf)
	get hf "$S" "/feed?$f"; h=$(hids hf)
	# The HTML shows the first 50.
	[ "$j" = "$want" ] && [ "$h" = "$(tr ' ' '\n' <<<"$want" | head -50 | tr '\n' ' ' | sed 's/ $//')" ] \
		|| bad="$bad [$f: api=$(wc -w <<<"$j") html=$(wc -w <<<"$h") want=$(wc -w <<<"$want")]"
done
tap_is "${bad:-none}" none "kind and TLP filters: page, API and tables agree, for seven combinations"
get hf "$S" "/feed?tlp=amber_strict"
nx=$(older hf)
tap_like "$nx" "^/feed\\?before=[0-9]+&tlp=amber_strict$" "the older link keeps the filters ($nx)"
get hf2 "$S" "$nx"; api jf2 "$A" "/api/v1/feed?limit=200&tlp=amber_strict"
tap_is "$(hids hf) $(hids hf2)" "$(jids jf2 | tr ' ' '\n' | head -$(( $(hids hf | wc -w) + $(hids hf2 | wc -w) )) | tr '\n' ' ' | sed 's/ $//')" \
	"... and its page continues the filtered list"
tap_like "$(grep -o '<option value="amber_strict" selected="selected"' "$T/hf")" selected "the form shows the filter in force"

# Groups: G sees its group's posts; a group it cannot see is refused like an unknown one.
api jg "$SG" "/api/v1/feed?group=$GRP&limit=200" 2>/dev/null
get hg "$SG" "/feed?group=$GRP"
wantg=$(sql "SELECT coalesce(string_agg(x.id::text, ' ' ORDER BY x.id DESC), '') FROM council.post_audience a
	JOIN council.posts x ON x.id = a.post_id WHERE a.org_id = $GORG AND NOT a.is_secret
	AND EXISTS (SELECT 1 FROM council.post_scope s WHERE s.post_id = x.id AND s.group_id = $GRP)")
tap_is "$(hids hg)" "$wantg" "group filter: the posts naming G's group that G's organisation receives (page)"
tap_like "$(grep -o "<option value=\"$GRP\" selected=\"selected\"" "$T/hg")" selected "the group select lists G's group, selected"
if [ -n "$HIDDEN_GRP" ]; then
	get gh "$SG" "/feed?group=$HIDDEN_GRP"; c1=$code
	get ga "$SG" "/feed?group=999999999"; c2=$code
	tap_is "$c1 $(norm gh | md5sum)" "400 $(norm ga | sed "s/999999999/$HIDDEN_GRP/g" | md5sum)" \
		"a group G cannot see answers exactly like an unknown group (400, same page)"
	code=$(curl -sS -o "$T/jh" -w '%{http_code}' -H "Cookie: $SC=$SG" "$B/api/v1/feed?group=$HIDDEN_GRP")
	tap_is "$code $(cat "$T/jh")" '400 {"error":"invalid_group"}' "... and in the API (invalid_group)"
	tap_unlike "$(cat "$T/hg")" "<option value=\"$HIDDEN_GRP\"" "the form does not offer a group G cannot see"
else
	tap_skip "hidden group" "the demo council has no group G cannot see"
	tap_skip "hidden group (API)" "idem"
	tap_skip "hidden group (form)" "idem"
fi

# --- Scope summaries in words ------------------------------------------------------
msg() { sed -n "/^msgid \"$2\"/{n;p;}" "$ROOT/po/$1.po" | sed -E 's/^msgstr "(.*)"$/\1/'; }
scope_of() {  # scope_of PAGE ID: the scope line of that item, tags removed
	tr -d '\n' <"$T/$1" | sed 's/<li class="feed-item">/\n/g' | grep "href=\"/posts/$2\"" \
	    | sed -nE 's#.*<p class="feed-item__scope">(.*)</p>.*#\1#p' | sed -E 's/<[^>]*>//g'
}
get f0 "$S" "/feed"
tap_is "$(scope_of f0 "$TITLED")" "$(msg ja feed.scope.label) $(msg ja feed.scope.orgs.one)" \
	"a post naming one organisation: its scope in words (ja)"
# The demo's consultation: the Type 1 group, excluding the supervisors of its sector (R-SCOPE-2).
CONS=$(sql "SELECT p.id FROM council.posts p JOIN council.post_exclusions e ON e.post_id = p.id AND e.kind = 'supervisors'
	JOIN council.post_scope s ON s.post_id = p.id AND s.class = 'type1_group'
	JOIN council.post_audience a ON a.post_id = p.id AND a.org_id = $GORG AND NOT a.is_secret ORDER BY p.id LIMIT 1")
if [ -n "$CONS" ]; then
	get g0 "$SG" "/feed?before=$((CONS + 1))&lang=en"
	tap_is "$(scope_of g0 "$CONS")" \
		"$(msg en feed.scope.label) $(msg en feed.scope.class.type1_group) + $(msg en feed.scope.excluded) $(msg en feed.scope.excluded.supervisors)" \
		"a post excluding the supervisors: \"the Type 1 group + excluding supervising ministries\" (en)"
else
	tap_skip "scope with an exclusion" "no such demo post for G"
fi

# --- Unread -----------------------------------------------------------------------
api u0 "$A" "/api/v1/feed?limit=200&unread=1"
tap_is "$(jids u0)" "$(expect "NOT EXISTS (SELECT 1 FROM council.post_reads r WHERE r.person_id = $PID AND r.post_id = x.id)")" \
	"unread filter: the visible posts P has not opened"
get f1 "$S" "/feed"
first=$(hids f1 | cut -d' ' -f1)
tap_like " $(hunread f1) " " $first " "the newest post is marked unread on the page"
get open "$S" "/posts/$first"
tap_is "$code" 200 "P opens it"
get f2 "$S" "/feed"
tap_unlike " $(hunread f2) " " $first " "... and the unread mark is gone"
tap_like " $(hunread f2) " " $(hids f2 | cut -d' ' -f2) " "... from that post only"
api u1 "$A" "/api/v1/feed?limit=200&unread=1"
tap_unlike " $(jids u1) " " $first " "the unread filter drops it (API)"
api a1 "$A" "/api/v1/feed?limit=200"
tap_unlike " $(junread a1) " " $first " "the API says unread: false"
get open "$S" "/posts/$HID"
tap_is "$code $(sql "SELECT count(*) FROM council.post_reads WHERE person_id = $PID AND post_id IN ($HID, $SEC)")" "404 0" \
	"opening a post P may not see: 404, and no read mark"

# --- Search -----------------------------------------------------------------------
srch() {  # srch NAME QUERY(url-encoded): JSON ids in $j, page ids in $h
	api "$1j" "$A" "/api/v1/search?q=$2"; jc=$code; j=$(jids "$1j")
	get "$1h" "$S" "/search?q=$2"; hc=$code; h=$(hids "$1h")
}
srch t "titleword$RUN"
tap_is "$jc $hc $j|$h" "200 200 $TITLED|$TITLED" "search finds a post by a word of its title (API and page)"
srch b "BODYWORD$RUN"
tap_is "$j|$h" "$BODIED|$BODIED" "search finds a post by a word of its body, whatever the case"
srch i "${IP1%.*}%5B.%5D${IP1##*.}"
tap_is "$j|$h" "$IOC|$IOC" "search finds a post by an indicator (a defanged IP address)"
srch x "hiddenword$RUN"
tap_is "$jc $(cat "$T/xj")|$h" '200 {"posts" : []}|' "R-SCOPE-2: the excluded post's unique word finds nothing"
srch x2 "$IP2"
tap_is "$(cat "$T/x2j")" '{"posts" : []}' "... nor its IP address"
srch s "secretword$RUN"
tap_is "$(cat "$T/sj")|$h" '{"posts" : []}|' "R-SECRET-2: the secret's unique word finds nothing for a non-handler"
srch n "nosuchword$RUN"
tap_is "$(sed "s/nosuchword/hiddenword/g" "$T/nh" | sed -E 's/[0-9a-f]{32}/RID/g' | md5sum)" "$(norm xh | md5sum)" \
	"the page for a hidden post's word is the page for a word that exists nowhere"
srch all "feedtest-$RUN"
tap_is "$j" "$(expect "x.title LIKE 'feedtest-$RUN%'" | tr ' ' '\n' | head -50 | tr '\n' ' ' | sed 's/ $//')" \
	"a search for the test posts' prefix: the newest 50 P may see"
nx=$(older allh)
tap_like "$nx" "^/search\\?q=feedtest-$RUN&before=[0-9]+$" "the search's older link keeps the query"
get allh2 "$S" "$nx"
tap_is "$(hids allh) $(hids allh2)" "$(expect "x.title LIKE 'feedtest-$RUN%'")" "... and its page continues the results"
tap_like "$(grep -o 'href="/search"' "$T/f1")" search "the signed-in navigation links to search"

# --- Bad input --------------------------------------------------------------------
bad=''
for q in "kind=bogus" "tlp=purple" "group=abc" "group=0" "before=-1" "before=abc" "unread=yes"; do
	get b "$S" "/feed?$q"
	[ "$code" = 400 ] && [ -n "$(alert b)" ] || bad="$bad $q=$code"
done
tap_is "${bad:-none}" none "bad filter values: 400 with a message on the feed page"
get b "$S" "/feed?kind=bogus"
tap_is "$(alert b)" "$(msg ja feed.error.invalid_kind)" "... in Japanese by default"
get b "$S" "/feed?kind=bogus&lang=en"
tap_is "$(alert b)" "$(msg en feed.error.invalid_kind)" "... in English when asked"
sql "$LANGS" >/dev/null	# the switch above made English P's language
bad=''
for q in "kind=bogus:invalid_kind" "tlp=purple:invalid_tlp" "group=abc:invalid_group" "before=0:invalid_before" \
	"unread=2:invalid_unread" "limit=0:invalid_limit" "limit=201:invalid_limit"; do
	api b "$A" "/api/v1/feed?${q%%:*}"
	[ "$code $(cat "$T/b")" = "400 {\"error\":\"${q##*:}\"}" ] || bad="$bad ${q%%:*}=$code:$(cat "$T/b")"
done
tap_is "${bad:-none}" none "bad filter values in the API: 400 with the stable code"
bad=''
long=$(printf 'a%.0s' $(seq 1 201))
for q in "x:query_too_short" "%20%20x%20%20:query_too_short" ":query_too_short" "$long:query_too_long" \
	"%FF%FE:invalid_query" "a%01b:invalid_query"; do
	api b "$A" "/api/v1/search?q=${q%%:*}"
	[ "$code $(cat "$T/b")" = "400 {\"error\":\"${q##*:}\"}" ] || bad="$bad ${q:0:12}=$code:$(cat "$T/b")"
	get b "$S" "/search?q=${q%%:*}"
	[ "$code" = 400 ] && [ -n "$(alert b)" ] || bad="$bad page:${q:0:12}=$code"
done
tap_is "${bad:-none}" none "bad queries: 400 with the stable code (API) and a message (page)"
api b "$A" "/api/v1/search?q=abc&before=x"
tap_is "$code $(cat "$T/b")" '400 {"error":"invalid_before"}' "a bad before in a search: 400"
get b "$S" "/search"
tap_is "$code $(alert b)" "200 " "the search page without a query is the form, no error"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$B/search?q=abc")
tap_is "$code" 303 "search without a session sends to /signin"
code=$(curl -sS -o "$T/nj" -w '%{http_code}' "$B/api/v1/search?q=abc")
tap_is "$code $(cat "$T/nj")" '401 {"error":"not_signed_in"}' "the search API without a token: 401"

# The language switch keeps the filters and the search words.
get b "$S" "/feed?kind=report&unread=1"
tap_like "$(cat "$T/b")" 'href="/feed\?kind=report&amp;unread=1&amp;lang=en"' "the language switch keeps the feed's filters"
get b "$S" "/search?q=%E4%B8%8D%E5%AF%A9&lang=ja"
tap_like "$(cat "$T/b")" 'href="/search\?q=%E4%B8%8D%E5%AF%A9&amp;lang=en"' "... and the search words (and drops the old lang)"

# --- The API's JSON is the database's own layout (issue 12 item 3) ---------------
# councild writes the posts' JSON from columns; the bytes must be what
# PostgreSQL's json_build_object and json_agg wrote before (docs/api.md),
# for the same person at the same moment: the reference runs the old
# statement as council_app with P's token.  A masked post with quotes, a
# backslash and markup in its title (control characters are refused by
# create_post; the unit test util_test.c holds their escapes), and one
# scoped to all members and a sector, join the set.
as_author "$SUP_AUTHOR" "SELECT council.create_post('report',
	E'parity \"q\" \\\\ <b>&amp; 注意 end $RUN', 'paritybody', false, true,
	'[{\"class\": \"all_members\"}]');
	SELECT council.create_post('analysis', 'parity sector $RUN', 'paritybody', false, false,
	'[{\"class\": \"all_members\"}, {\"class\": \"sector\", \"sector\": \"$SECTOR\"}]');" \
	|| echo "# cannot write the parity posts"
ref() {  # ref TOKEN SOURCE: the old statement's JSON of SOURCE's posts, as TOKEN's person
	local h
	h=$(printf %s "$1" | sha256sum | cut -c1-64)
	sql "BEGIN; SET LOCAL ROLE council_app;
	SELECT set_config('council.session', '$h', true) IS NULL;
	SELECT CASE WHEN EXISTS (SELECT 1 FROM council.me) THEN json_build_object('posts',
	  coalesce((SELECT json_agg(json_build_object('id', f.id, 'kind', f.kind, 'title', f.title,
	  'tlp', f.tlp, 'secret', f.is_secret, 'created_at', f.created_at, 'parent_id', f.parent_id,
	  'author', CASE WHEN f.shown_author_org IS NULL THEN NULL ELSE json_build_object('org_id', o.id,
	  'name_ja', o.name_ja, 'name_en', o.name_en) END,
	  'unread', NOT EXISTS (SELECT 1 FROM council.post_reads r WHERE r.person_id =
	    (SELECT me.person_id FROM council.me) AND r.post_id = f.id),
	  'scope', f.scope_summary,
	  'feedback', CASE WHEN f.feedback_deadline IS NULL OR f.parent_id IS NOT NULL THEN 'none'
	    ELSE coalesce(council.feedback_status(f.id), 'none') END) ORDER BY f.id DESC)
	  FROM $2 f LEFT JOIN council.organisations o ON o.id = f.shown_author_org), '[]'::json))::text END;
	COMMIT;" | tail -n 1
}
api par "$A" "/api/v1/feed?limit=200"
grep -qF 'parity \"q\" \\ <b>&amp; 注意 end' "$T/par"
tap_ok $? "the API escapes a title's quote and backslash as JSON"
tap_is "$(cat "$T/par")" "$(ref "$A" "council.feed_page(200, NULL, NULL, NULL, NULL, false)")" \
	"GET /api/v1/feed?limit=200: the bytes of the database's own JSON (masked author, sector scope, escapes, unread)"
api par "$A" "/api/v1/feed?limit=5&kind=report&unread=1"
tap_is "$(cat "$T/par")" "$(ref "$A" "council.feed_page(5, NULL, 'report', NULL, NULL, true)")" \
	"... filtered by kind and unread"
api par "$A" "/api/v1/search?q=titleword$RUN"
tap_is "$(cat "$T/par")" "$(ref "$A" "council.search('titleword$RUN', 50, NULL)")" \
	"GET /api/v1/search: the same bytes as the database's JSON"
api par "$A" "/api/v1/search?q=nomatch$RUN"
tap_is "$code $(cat "$T/par")" '200 {"posts" : []}' "... no match: an empty list"
api par "$A" "/api/v1/feed?before=1"
tap_is "$code $(cat "$T/par")" '200 {"posts" : []}' "an empty feed page: an empty list, not 401"
api par "$(printf 'e%.0s' $(seq 64))" "/api/v1/feed"
tap_is "$code $(cat "$T/par")" '401 {"error":"not_signed_in"}' "an unknown token: 401, as before"

# --- Every time says JST (issue 17 item 10) -------------------------------------------
get tj "$S" /feed
get tp "$S" "/posts/$TITLED"
n_all=$(cat "$T/tj" "$T/tp" | grep -o '<time>' | wc -l)
n_jst=$(cat "$T/tj" "$T/tp" | grep -oE '<time>[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}</time> \(JST\)' | wc -l)
tap_is "$([ "$n_all" -ge 51 ] && echo "$n_jst" || echo "only $n_all times")" "$n_all" \
	"every time on the feed (50 posts) and on a post is marked JST"

# --- One database round trip a page (issue 12) -------------------------------------
# councild's request log line says how many round trips a request made
# (db=): the feed page asks who, the filter's groups and the feed in one
# pipeline, also when the feed refuses a group; the API read is one too.
LOG=${COUNCILD_LOG:-}
trips() {  # trips COOKIE|BEARER TOKEN PATH: the db= of that request's log line
	local rid i line
	if [ "$1" = cookie ]; then
		rid=$(curl -sS --max-time 30 -o /dev/null -D - -H "Cookie: $SC=$2" "$B$3" | tr -d '\r' |
		    sed -nE 's/^[Xx]-[Rr]equest-[Ii]d: ([0-9a-f]+)$/\1/p')
	else
		rid=$(curl -sS --max-time 30 -o /dev/null -D - -H "Authorization: Bearer $2" "$B$3" | tr -d '\r' |
		    sed -nE 's/^[Xx]-[Rr]equest-[Ii]d: ([0-9a-f]+)$/\1/p')
	fi
	for i in $(seq 30); do
		line=$(grep -F "msg=request rid=${rid:-none} " "$LOG" 2>/dev/null)
		[ -n "$line" ] && break
		sleep 0.1
	done
	sed -nE 's/.* db=([0-9]+) .*/\1/p' <<<"$line"
}
if [ -z "$LOG" ] || [ ! -r "$LOG" ]; then
	tap_skip "round trips of the feed" "COUNCILD_LOG not set or not readable"
else
	got="$(trips cookie "$S" /feed) $(trips cookie "$S" "/feed?kind=report&unread=1")"
	got="$got $(trips cookie "$S" "/feed?kind=bogus") $(trips bearer "$A" /api/v1/feed)"
	if [ -n "${HIDDEN_GRP:-}" ]; then
		got="$got $(trips cookie "$SG" "/feed?group=$HIDDEN_GRP")"
	else
		got="$got 1"
	fi
	tap_is "$got" "1 1 1 1 1" "GET /feed (plain, filtered, a bad filter, a hidden group) and GET /api/v1/feed: one database round trip each"
	tap_is "$(trips cookie "" /feed) $(trips cookie "$(printf 'f%.0s' $(seq 64))" /feed)" "0 1" \
	    "... none without a session; one for an unknown session (then /signin)"
fi

tap_done
