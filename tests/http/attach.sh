#!/usr/bin/env bash
# Black-box tests of attached files (issue 4; server/pages/attach.c,
# policy/63_attachments.sql): an upload comes back byte for byte with the
# hash the database computed and the download headers that keep a browser
# from running it; bad input (too large, a refused type, no file, a forged
# form token) is answered in the person's language and stores nothing; and
# for a person who may not see the post, a file and an upload answer
# exactly as for an id that does not exist.
#
# Usage: tests/http/attach.sh BASE_URL PGDIR   (as tests/http/portal.sh;
# councild with the default attachment_max_size of 10M)
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
PW=${COUNCIL_DEMO_PASSWORD:-council-demo-2026}
MAX=$((10 * 1024 * 1024))
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-attach.XXXXXX")
trap 'rm -rf "$T"' EXIT
SC=__Host-council_session
sql() { "$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -c "$1"; }
# req NAME [curl args...] PATH: body $T/NAME, headers $T/NAME.h (no CR), $code.
req() {
	local name=$1; shift
	local path=${*: -1}
	code=$(curl -sS --max-time 60 -o "$T/$name" -D "$T/$name.h" \
	    -w '%{http_code}' "${@:1:$#-1}" "$B$path" 2>"$T/$name.err")
	[ -n "$code" ] || code=000
	tr -d '\r' <"$T/$name.h" >"$T/$name.hh" && mv "$T/$name.hh" "$T/$name.h"
}
hdr() { grep -i "^$2:" "$T/$1.h" | tail -n 1 | sed -E 's/^[^:]*:[[:space:]]*//'; }
# The response headers but those that differ between any two answers.
headers() { grep -viE '^(date|x-request-id|http/)' "$T/$1.h" | grep -v '^$' | sort; }
# Request ids and the path's own id differ between answers; nothing else may.
norm() { sed -E 's/[0-9a-f]{32}/RID/g; s#/(attachments|posts)/[0-9]+#/\1/N#g' "$T/$1"; }
alert() { grep -o 'role="alert">[^<]*' "$T/$1" | head -1; }
files() { sql "SELECT count(*) FROM council.attachments"; }
signin() {  # signin EMAIL: the session token
	curl -sS --max-time 20 -D - -o /dev/null -H "Origin: $B" \
	    --data-urlencode "email=$1" --data-urlencode "password=$PW" "$B/signin" |
	    tr -d '\r' | sed -nE "s/^[Ss]et-[Cc]ookie: $SC=([0-9a-f]{64});.*/\\1/p"
}
csrf_of() { printf 'council-csrf:%s' "$1" | sha256sum | cut -c1-64; }
# up NAME TOKEN CURL-ARGS...: POST /attachments with the session TOKEN.
up() {
	local name=$1 tok=$2; shift 2
	req "$name" -H "Cookie: $SC=$tok" "$@" /attachments
}

# Two plain members (no second factor) of two organisations that are not
# the coordinator: P writes the posts, Q is the other member.
plain="SELECT p.email, p.org_id FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND NOT o.restricted
	  AND NOT o.gsoc_liaison AND p.password_hash IS NOT NULL AND NOT council.auth_needs_totp(p.id)"
read -r P ORG <<<"$(sql "$plain ORDER BY p.id LIMIT 1" | tr '|' ' ')"
read -r Q QORG <<<"$(sql "$plain AND p.org_id <> ${ORG:-0} ORDER BY p.id LIMIT 1" | tr '|' ' ')"
S=$(signin "$P"); S2=$(signin "$Q")
[ -n "$S" ] && [ -n "$S2" ] || { echo "Bail out! cannot sign in as $P and $Q"; exit 1; }
CSRF=$(csrf_of "$S"); CSRF2=$(csrf_of "$S2")
curl -sS --max-time 20 -o "$T/tk" -H "Cookie: $SC=$S" \
	-d "csrf=$CSRF&op=create&name=attach-test&days=1" "$B/settings/tokens" >/dev/null
A=$(grep -o 'id="new-token">[0-9a-f]*' "$T/tk" | cut -d'>' -f2)
[ -n "$A" ] || { echo "Bail out! cannot create an API token"; exit 1; }
# SHARED: P's post to Q's organisation (Q sees it); OWN: P's post to its
# own organisation only (Q does not).
newpost() {
	curl -sS --max-time 20 -o /dev/null -D - -H "Cookie: $SC=$S" \
	    -d "csrf=$CSRF&kind=report&title=$1&body=b&secret=no&org=$2" "$B/posts/new" |
	    tr -d '\r' | sed -nE 's#^[Ll]ocation: /posts/([0-9]+)$#\1#p'
}
SHARED=$(newpost attach-shared "$QORG")
OWN=$(newpost attach-own "$ORG")
[ -n "$SHARED" ] && [ -n "$OWN" ] || { echo "Bail out! cannot create the posts"; exit 1; }
ABSENT_POST=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.posts") + 1000000 ))

# --- Upload and download: the same bytes, the database's hash -------------------
printf 'IOC list\r\n198.51.100.7\r\n日本語の行\n' >"$T/ioc.txt"
n0=$(files)
up u1 "$S" -F "csrf=$CSRF" -F "post=$SHARED" -F "file=@$T/ioc.txt;filename=報告 1.txt;type=text/html"
tap_is "$code $(hdr u1 location)" "303 /posts/$SHARED" "an upload from the post's author organisation answers 303 back to the post"
tap_like "$(grep -i '^set-cookie: done=' "$T/u1.h")" 'done=attach.saved; ' "... where it says, once, that the file was attached (issue 17)"
ID=$(sql "SELECT max(id) FROM council.attachments WHERE post_id = $SHARED")
tap_is "$(sql "SELECT encode(sha256, 'hex') || ' ' || size || ' ' || media_type || ' ' || filename
	FROM council.attachments WHERE id = ${ID:-0}")" \
	"$(sha256sum <"$T/ioc.txt" | cut -c1-64) $(wc -c <"$T/ioc.txt") text/plain 報告 1.txt" \
	"the database stores the sha256 of the bytes sent, their size, the name, and the type from the extension and content (not the client's text/html)"
req page -H "Cookie: $SC=$S" "/posts/$SHARED"
tap_like "$(tr -d '\n' <"$T/page")" "<a href=\"/attachments/$ID\">報告 1.txt</a>.*$(sha256sum <"$T/ioc.txt" | cut -c1-64)" \
	"the post's page lists the file (link, name) with its SHA-256"
tap_like "$(tr -d '\n' <"$T/page")" '<form[^>]*action="/attachments"[^>]*enctype="multipart/form-data"' \
	"... and offers the author organisation the upload form"

req d1 -H "Cookie: $SC=$S" "/attachments/$ID"
cmp -s "$T/d1" "$T/ioc.txt"
tap_ok $? "GET /attachments/N answers the uploaded bytes, identical"
tap_is "$(sha256sum <"$T/d1" | cut -c1-64)" "$(sql "SELECT encode(sha256, 'hex') FROM council.attachments WHERE id = $ID")" \
	"... whose SHA-256 is the one shown"
tap_is "$code|$(hdr d1 content-type)|$(hdr d1 content-disposition)|$(hdr d1 x-content-type-options)|$(hdr d1 cache-control)|$(hdr d1 content-security-policy)|$(hdr d1 content-length)" \
	"200|text/plain|attachment; filename=\"__ 1.txt\"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%201.txt|nosniff|private, no-store|default-src 'none'; sandbox; frame-ancestors 'none'|$(wc -c <"$T/ioc.txt")" \
	"download headers, exactly: stored type, Content-Disposition attachment (RFC 6266/8187), nosniff, private no-store, CSP sandbox"
tap_is "$(grep -ci '^content-security-policy:' "$T/d1.h")" 1 "one Content-Security-Policy: the download's replaces the pages'"
req d1q -H "Cookie: $SC=$S2" "/attachments/$ID"
cmp -s "$T/d1q" "$T/ioc.txt"
tap_ok $? "R-SCOPE-1: the member the post is shared with downloads the same bytes"
req qpage -H "Cookie: $SC=$S2" "/posts/$SHARED"
tap_like "$(grep -c "href=\"/attachments/$ID\"" "$T/qpage") $(grep -c 'action="/attachments"' "$T/qpage")" '^1 0$' \
	"... its page lists the file but offers no upload form (R-SCOPE-1: only the giver adds files)"
req d1a -H "Authorization: Bearer $A" "/api/v1/attachments/$ID"
cmp -s "$T/d1a" "$T/ioc.txt"
tap_ok $? "GET /api/v1/attachments/N with an API token: the same bytes"
tap_is "$code $(headers d1a)" "200 $(headers d1)" "... and exactly the same headers"
req h1 -I -H "Cookie: $SC=$S" "/attachments/$ID"
tap_is "$code $(hdr h1 content-length) $(hdr h1 content-disposition)" "200 $(wc -c <"$T/ioc.txt") $(hdr d1 content-disposition)" \
	"HEAD answers the same headers"

# Binary content (NUL bytes, every byte value) through the API upload.
{ printf '\x89PNG\r\n\x1a\n'; head -c 300000 /dev/urandom; } >"$T/img.png"
req api1 -H "Authorization: Bearer $A" -F "post=$SHARED" -F "file=@$T/img.png;type=application/octet-stream" /api/v1/attachments
AID=$(grep -oE '"id" *: *[0-9]+' "$T/api1" | grep -oE '[0-9]+$')
tap_like "$code $(tr -d ' ' <"$T/api1")" "^201 .*\"sha256\":\"$(sha256sum <"$T/img.png" | cut -c1-64)\"" \
	"POST /api/v1/attachments with a bearer token (no form token): 201, with the SHA-256 of the bytes"
tap_like "$(tr -d ' ' <"$T/api1")" '"media_type":"image/png".*"size":300008' "... typed by its content as image/png, 300008 bytes"
req d2 -H "Authorization: Bearer $A" "/api/v1/attachments/${AID:-0}"
cmp -s "$T/d2" "$T/img.png"
tap_ok $? "a binary file comes back byte for byte"
tap_is "$(hdr d2 content-type)" image/png "... as image/png"
req b1 -H "Authorization: Bearer $A" -F "post=$SHARED" -F "file=@$T/img.png" /attachments
tap_is "$code $(hdr b1 location)" "303 /posts/$SHARED" "the web upload path takes a bearer token too, without a form token"

# --- Bad input: a message in the person's language; nothing stored -------------
n1=$(files)
head -c $((MAX + 1)) /dev/zero | tr '\0' 'a' >"$T/big.txt"
up big "$S" -F "csrf=$CSRF" -F "post=$SHARED" -F "file=@$T/big.txt"
tap_is "$code $(alert big)" "413 role=\"alert\">ファイルが大きすぎます。ファイルは保存されていません。" \
	"a file one byte over attachment_max_size: 413 with a message in Japanese (the default)"
tap_like "$(tr -d '\n' <"$T/big")" '10 MiB' "... naming the limit"
req bigen -H "Cookie: $SC=$S" -F "csrf=$CSRF" -F "post=$SHARED" -F "file=@$T/big.txt" "/attachments?lang=en"
tap_is "$code $(alert bigen)" "413 role=\"alert\">The file is too large. Nothing was stored." \
	"... and in English when English is asked for"
head -c $((MAX + 200000)) /dev/zero | tr '\0' 'a' >"$T/huge.txt"
up huge "$S" -F "csrf=$CSRF" -F "post=$SHARED" -F "file=@$T/huge.txt"
tap_like "$code $(tr -d '\n' <"$T/huge")" '^413 .*送信データが大きすぎます' \
	"a body over the upload limit is refused before it is read (413, Japanese)"
tap_is "$(files)" "$n1" "... and none of the refused uploads was stored"
req apibig -H "Authorization: Bearer $A" -F "post=$SHARED" -F "file=@$T/big.txt" /api/v1/attachments
tap_is "$code $(cat "$T/apibig")" '413 {"error":"attachment_too_large"}' "the API answers a file too large with 413 attachment_too_large"

printf 'MZ\x90\x00\x03' >"$T/x.exe"
up exe "$S" -F "csrf=$CSRF" -F "post=$SHARED" -F "file=@$T/x.exe;type=text/plain"
tap_like "$code $(alert exe)" '^422 role="alert">この種類のファイルは添付できません' \
	"a type outside the allow-list (.exe, whatever Content-Type is claimed): 422 with a message"
printf '%%PDF-1.7\n' >"$T/fake.png"
up fake "$S" -F "csrf=$CSRF" -F "post=$SHARED" -F "file=@$T/fake.png;type=image/png"
tap_like "$code $(alert fake)" '^422 role="alert">この種類のファイルは添付できません' \
	"a PDF named .png (content and extension disagree): 422"
printf '<svg onload="alert(1)"/>' >"$T/x.svg"
req svg -H "Authorization: Bearer $A" -F "post=$SHARED" -F "file=@$T/x.svg;type=image/png" /api/v1/attachments
tap_is "$code $(cat "$T/svg")" '422 {"error":"attachment_type_not_allowed"}' "an SVG through the API: 422 attachment_type_not_allowed"
up nofile "$S" -F "csrf=$CSRF" -F "post=$SHARED"
tap_like "$code $(alert nofile)" '^422 role="alert">添付するファイルを選択してください' "no file part: 422 asking for a file"
: >"$T/empty.txt"
up empty "$S" -F "csrf=$CSRF" -F "post=$SHARED" -F "file=@$T/empty.txt"
tap_like "$code $(alert empty)" '^422 role="alert">空のファイル' "an empty file: 422"
up forged "$S" -F "csrf=$(printf '%064d' 0)" -F "post=$SHARED" -F "file=@$T/ioc.txt"
tap_is "$code" 403 "a stale or forged form token: 403"
up notoken "$S" -F "post=$SHARED" -F "file=@$T/ioc.txt"
tap_is "$code" 403 "no form token: 403"
up othertoken "$S" -F "csrf=$CSRF2" -F "post=$SHARED" -F "file=@$T/ioc.txt"
tap_is "$code" 403 "another session's form token: 403"
req apicookie -H "Cookie: $SC=$S" -F "post=$SHARED" -F "file=@$T/ioc.txt" /api/v1/attachments
tap_is "$code $(cat "$T/apicookie")" '403 {"error":"invalid_form_token"}' "the API with a browser session and no form token: 403"
up xsite "$S" -H "Sec-Fetch-Site: cross-site" -F "csrf=$CSRF" -F "post=$SHARED" -F "file=@$T/ioc.txt"
tap_is "$code" 403 "an upload posted by another site's page: 403"
up dup "$S" -F "csrf=$CSRF" -F "post=$SHARED" -F "post=$OWN" -F "file=@$T/ioc.txt"
tap_is "$code" 400 "a repeated field (two posts): 400"
# rawbody NAME FILE-PART-HEADERS CONTENT: a multipart body written by hand
# (boundary "b0undary") in $T/NAME.body, with the form token and SHARED as
# the post; raw NAME TOKEN ...: and send it.
rawbody() {
	local bd=--b0undary
	printf '%s\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n%s\r\n%s\r\nContent-Disposition: form-data; name="post"\r\n\r\n%s\r\n%s\r\n%s\r\n\r\n%s\r\n%s--\r\n' \
	    "$bd" "$CSRF" "$bd" "$SHARED" "$bd" "$2" "$3" "$bd" >"$T/$1.body"
}
raw() {
	rawbody "$1" "$3" "$4"
	up "$1" "$2" -H 'Content-Type: multipart/form-data; boundary=b0undary' --data-binary "@$T/$1.body"
}
raw rawok "$S" 'Content-Disposition: form-data; name="file"; filename="raw.txt"' 'x'
tap_is "$code" 303 "(a hand-written body is accepted when well-formed)"
n1=$(files)
rawbody badmp 'Content-Disposition: form-data; name="file"; filename="raw.txt"' 'x'
up badmp "$S" -H 'Content-Type: multipart/form-data; boundary=nothere' --data-binary "@$T/badmp.body"
tap_is "$code" 400 "a body that does not use its declared boundary: 400"
req urlenc -H "Cookie: $SC=$S" -d "csrf=$CSRF&post=$SHARED" /attachments
tap_is "$code" 400 "an urlencoded body instead of multipart: 400"
raw crlf "$S" $'Content-Disposition: form-data; name="file"; filename="a.txt\r\nContent-Type: text/html\r\n\r\n<b>.txt"' 'x'
tap_is "$code" 400 "a CRLF inside a file name (header injection): 400"
raw latin1 "$S" $'Content-Disposition: form-data; name="file"; filename="caf\xe9.txt"' 'x'
tap_is "$code" 400 "a file name that is not UTF-8: 400"
raw bidi "$S" $'Content-Disposition: form-data; name="file"; filename="invoice\xe2\x80\xaetxt.exe"' 'x'
tap_like "$code $(alert bidi)" '^422 role="alert">この種類' \
	"a right-to-left override cannot disguise invoice<RLO>txt.exe as .txt: it is cleaned to invoice_txt.exe and refused (422)"
raw emptyname "$S" 'Content-Disposition: form-data; name="file"; filename=""' ''
tap_like "$code $(alert emptyname)" '^422 role="alert">添付するファイルを選択してください' \
	"a file input left empty (filename \"\", no content): 422 asking for a file"
up q403 "$S2" -F "csrf=$CSRF2" -F "post=$SHARED" -F "file=@$T/ioc.txt"
tap_like "$code $(alert q403)" '^403 role="alert">ファイルを添付できるのは' \
	"R-SCOPE-1: a member who sees the post but did not give it: 403 with a message"
tap_is "$(files)" "$n1" "every refused upload above stored nothing"

# --- Hidden is absent ---------------------------------------------------------------
up own "$S" -F "csrf=$CSRF" -F "post=$OWN" -F "file=@$T/ioc.txt"
HID=$(sql "SELECT max(id) FROM council.attachments WHERE post_id = $OWN")
# An absent id with as many digits as HID, so that even the pages' lengths
# may be compared (the path is on the page).
ABSENT=$(printf '9%.0s' $(seq ${#HID}))
[ "$ABSENT" -gt "$(sql "SELECT max(id) FROM council.attachments")" ] \
	|| ABSENT=$(( $(sql "SELECT max(id) FROM council.attachments") + 1000000 ))
tap_is "$code ${HID:+found}" "303 found" "a file on a post only the author organisation sees"
req hid -H "Cookie: $SC=$S2" "/attachments/$HID"
req abs -H "Cookie: $SC=$S2" "/attachments/$ABSENT"
tap_is "$(head -1 "$T/hid.h" | cut -d' ' -f2) $(norm hid | md5sum)" "404 $(norm abs | md5sum)" \
	"a member outside the scope gets for the file exactly the page of an absent id (404)"
tap_is "$(headers hid)" "$(headers abs)" "... with the same headers"
req hidj -H "Authorization: Bearer $A" "/api/v1/attachments/$ABSENT"
tap_is "$code $(cat "$T/hidj")" '404 {"error":"attachment_not_found"}' "the API: an absent id is 404 attachment_not_found"
# Q's API token, for the hidden id.
curl -sS --max-time 20 -o "$T/tk2" -H "Cookie: $SC=$S2" \
	-d "csrf=$CSRF2&op=create&name=attach-test&days=1" "$B/settings/tokens" >/dev/null
A2=$(grep -o 'id="new-token">[0-9a-f]*' "$T/tk2" | cut -d'>' -f2)
req hidq -H "Authorization: Bearer $A2" "/api/v1/attachments/$HID"
req absq -H "Authorization: Bearer $A2" "/api/v1/attachments/$ABSENT"
tap_is "$code $(cat "$T/hidq")" "$(head -1 "$T/absq.h" | cut -d' ' -f2) $(cat "$T/absq")" \
	"... and the hidden file's id gets exactly the same answer"
up hidup "$S2" -F "csrf=$CSRF2" -F "post=$OWN" -F "file=@$T/ioc.txt"
up absup "$S2" -F "csrf=$CSRF2" -F "post=$ABSENT_POST" -F "file=@$T/ioc.txt"
tap_is "$(head -1 "$T/hidup.h" | cut -d' ' -f2) $(norm hidup | md5sum)" "404 $(norm absup | md5sum)" \
	"an upload to a post the member cannot see answers exactly as one to an absent post (404)"
req hidupj -H "Authorization: Bearer $A2" -F "post=$OWN" -F "file=@$T/ioc.txt" /api/v1/attachments
req absupj -H "Authorization: Bearer $A2" -F "post=$ABSENT_POST" -F "file=@$T/ioc.txt" /api/v1/attachments
tap_is "$code $(cat "$T/hidupj")" "404 $(cat "$T/absupj")" "... in the API too"
tap_is "$(cat "$T/absupj")" '{"error":"post_not_found"}' "(post_not_found)"
tap_is "$(sql "SELECT count(*) FROM council.attachments WHERE post_id = $OWN")" 1 "... and stored nothing"
bad=''
for path in /attachments/0 /attachments/-1 /attachments/abc /attachments/1e3 /attachments/ \
	/attachments/99999999999999999999 "/attachments/$ID/x"; do
	req m -H "Cookie: $SC=$S" "$path"
	[ "$code" = 404 ] || bad="$bad $path=$code"
done
tap_is "${bad:-none}" none "malformed file ids answer 404, never an error of the server"

# --- Without a session ------------------------------------------------------------------
req ns "/attachments/$ID"
tap_is "$code $(hdr ns location)" "303 /signin" "a download without a session sends to /signin"
req nsj "/api/v1/attachments/$ID"
tap_is "$code $(cat "$T/nsj")" '401 {"error":"not_signed_in"}' "the API without a token: 401"
req nsup -F "post=$SHARED" -F "file=@$T/ioc.txt" /attachments
tap_is "$code $(hdr nsup location)" "303 /signin" "an upload without a session sends to /signin"
req nsbig -F "post=$SHARED" -F "file=@$T/big.txt" /api/v1/attachments
tap_is "$code" 413 "an anonymous request may not send an upload-sized body (413 at max_body_size)"
req badtok -H "Authorization: Bearer $(printf '%064d' 7)" -F "post=$SHARED" -F "file=@$T/ioc.txt" /api/v1/attachments
tap_is "$code $(cat "$T/badtok")" '401 {"error":"not_signed_in"}' "an unknown bearer token uploads nothing (401)"
tap_is "$(sql "SELECT count(*) FROM council.attachments WHERE post_id IN ($SHARED, $OWN)")" 5 \
	"in all, exactly the five accepted uploads are stored"

tap_done
