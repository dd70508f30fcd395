#!/usr/bin/env bash
# Black-box tests of sign-in, the second factor, sessions, form tokens and
# API tokens (issue 4; OWASP ASVS 5.0 V6, V7, V3.5), against the real
# councild and the real database.
#
# Usage: tests/http/auth.sh BASE_URL PGDIR
#   BASE_URL  a councild with its default cookie_secure = 1, serving the
#             demo council (councilctl seed-demo, password below)
#   PGDIR     its cluster (deploy/pg.sh), for the superuser's view: the
#             test finds demo people by their roles, and deactivates one
#             or ages a session the way an administrator or the clock would
# Prints TAP.  Cookies are read from Set-Cookie and sent back by hand, so
# the production cookie (__Host-, Secure) is what is tested over plain
# HTTP.  TOTP codes are computed by python3 (RFC 6238), independently of
# the database's SQL (policy/50_auth.sql).
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
PW=${COUNCIL_DEMO_PASSWORD:-council-demo-2026}
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-auth.XXXXXX")
trap 'rm -rf "$T"' EXIT
SC=__Host-council_session
PC=__Host-council_pending

sql() { "$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -c "$1"; }

# req NAME [curl args...] PATH: headers in $T/NAME.h, body $T/NAME.b, $code.
req() {
	local name=$1; shift
	local path=${*: -1}
	code=$(curl -sS --max-time 20 -o "$T/$name.b" -D "$T/$name.h" \
	    -w '%{http_code}' "${@:1:$#-1}" "$B$path" 2>"$T/$name.err")
	[ -n "$code" ] || code=000
	tr -d '\r' <"$T/$name.h" >"$T/$name.hh" && mv "$T/$name.hh" "$T/$name.h"
}
hdr() { grep -i "^$2:" "$T/$1.h" | tail -n 1 | sed -E 's/^[^:]*:[[:space:]]*//'; }
# cookie NAME COOKIE: the value a response set for COOKIE.
cookie() { grep -i '^set-cookie:' "$T/$1.h" | sed -nE "s/^[^:]*: $2=([^;]*).*/\\1/p" | tail -n 1; }
csrf_of() { printf 'council-csrf:%s' "$1" | sha256sum | cut -c1-64; }
# totp SECRET [OFFSET [STEP]]: the code of the current time step (+ OFFSET
# steps), or of time step STEP when given.
totp() {
	python3 - "$1" "${2:-0}" "${3:-}" <<'PY'
import base64, hmac, hashlib, struct, sys, time
key = base64.b32decode(sys.argv[1])
step = int(sys.argv[3]) if sys.argv[3] else int(time.time()) // 30 + int(sys.argv[2])
h = hmac.new(key, struct.pack('>Q', step), hashlib.sha1).digest()
o = h[-1] & 15
print('%06d' % ((struct.unpack('>I', h[o:o + 4])[0] & 0x7fffffff) % 1000000))
PY
}
# signin NAME EMAIL PASSWORD: POST /signin as a same-origin form would.
signin() {
	req "$1" -H "Origin: $B" --data-urlencode "email=$2" \
	    --data-urlencode "password=$3" /signin
}

# People of the demo council, chosen by role, not by name.
PLAIN=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND p.password_hash IS NOT NULL
	  AND NOT council.auth_needs_totp(p.id) ORDER BY p.id LIMIT 1")
PLAIN2=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND p.password_hash IS NOT NULL
	  AND NOT council.auth_needs_totp(p.id) ORDER BY p.id OFFSET 1 LIMIT 1")
HANDLER=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	JOIN council.handler_registrations h ON h.person_id = p.id AND h.deregistered_at IS NULL
	WHERE p.active AND o.status = 'member' AND p.totp_secret IS NULL AND p.password_hash IS NOT NULL
	ORDER BY p.id DESC LIMIT 1")
[ -n "$PLAIN" ] && [ -n "$PLAIN2" ] && [ -n "$HANDLER" ] \
	|| { echo "Bail out! demo council not found in $PGDIR"; exit 1; }

# --- Sign-in: generic failures, cookie attributes, a new token each time ----
signin bad1 "$PLAIN" "wrong-password"
tap_is "$code" 401 "a wrong password is refused (401)"
signin bad2 "nobody-$RANDOM@example.invalid" "wrong-password"
tap_is "$code" 401 "an unknown address is refused the same way (401)"
m1=$(grep -o 'role="alert">[^<]*' "$T/bad1.b"); m2=$(grep -o 'role="alert">[^<]*' "$T/bad2.b")
tap_ok "$([ -n "$m1" ] && [ "$m1" = "$m2" ]; echo $?)" \
	"ASVS V6.3: the same generic message for a wrong password and an unknown address"
tap_is "$(grep -c 'set-cookie: __Host-council' "$T/bad1.h")" 0 "a failed sign-in sets no session cookie"

req xsite -H "Origin: https://attacker.example" --data-urlencode "email=$PLAIN" \
	--data-urlencode "password=$PW" /signin
tap_is "$code" 403 "a sign-in posted by another site's page is refused (Origin)"
req xsite2 -H "Sec-Fetch-Site: cross-site" --data-urlencode "email=$PLAIN" \
	--data-urlencode "password=$PW" /signin
tap_is "$code" 403 "a sign-in posted cross-site is refused (Sec-Fetch-Site)"
req nullorigin -H "Origin: null" -H "Sec-Fetch-Site: same-origin" --data-urlencode "email=$PLAIN" \
	--data-urlencode "password=wrong-0" /signin
tap_is "$code" 401 "a same-origin form as Chromium sends it (Origin: null, Sec-Fetch-Site: same-origin) is answered, not refused"
req nullx -H "Origin: null" --data-urlencode "email=$PLAIN" --data-urlencode "password=$PW" /signin
tap_is "$code" 403 "Origin: null without Fetch Metadata is refused"
req badform -H "Origin: $B" --data-binary 'email=%zz&password=x' /signin
tap_is "$code" 400 "a malformed form body gets 400"

signin ok1 "$PLAIN" "$PW"
tap_is "$code $(hdr ok1 location)" "303 /feed" "a right password signs a person without a second factor in (303 to /feed)"
sc=$(grep -i '^set-cookie: __Host-council_session=' "$T/ok1.h")
tap_like "$sc" '^[Ss]et-[Cc]ookie: __Host-council_session=[0-9a-f]{64}; Path=/; Max-Age=[0-9]+; HttpOnly; SameSite=Strict; Secure$' \
	"ASVS V7: the session cookie is __Host-, Secure, HttpOnly, SameSite=Strict, Path=/, 256-bit hex"
tap_unlike "$sc" '[Dd]omain=' "the session cookie has no Domain"
S1=$(cookie ok1 "$SC")
signin ok2 "$PLAIN" "$PW"
S2=$(cookie ok2 "$SC")
tap_ok "$([ -n "$S1" ] && [ -n "$S2" ] && [ "$S1" != "$S2" ]; echo $?)" "ASVS V7.2: every sign-in issues a new token"
tap_is "$(sql "SELECT count(*) FROM council.sessions WHERE token_hash = decode('$(printf %s "$S1" | sha256sum | cut -c1-64)', 'hex')")" 1 \
	"the database stores the token's SHA-256, not the token"
tap_is "$(sql "SELECT count(*) FROM council.sessions WHERE encode(token_hash, 'hex') = '$S1'")" 0 \
	"... and never the token itself"

req feed1 -H "Cookie: $SC=$S1" /feed
tap_is "$code" 200 "the session opens the feed"
req feed0 /feed
tap_is "$code $(hdr feed0 location)" "303 /signin" "without a session the feed sends to /signin"
req feedx -H "Cookie: $SC=$(printf '%064d' 0)" /feed
tap_is "$code $(hdr feedx location)" "303 /signin" "a forged session token identifies nobody"
n=$(sql "SELECT count(*) FROM council.audit_log WHERE action = 'auth.signin' AND person_id = (SELECT id FROM council.people WHERE email = '$PLAIN')")
tap_ok "$([ "$n" -ge 2 ]; echo $?)" "sign-ins are in the audit log ($n for two sign-ins)"
n=$(sql "SELECT count(*) FROM council.audit_log WHERE action = 'auth.signin.failure' AND person_id = (SELECT id FROM council.people WHERE email = '$PLAIN')")
tap_ok "$([ "$n" -ge 1 ]; echo $?)" "a failed sign-in of a known account is in the audit log ($n)"

# --- Form tokens and sign-out --------------------------------------------------
req so0 -H "Cookie: $SC=$S1" -d "csrf=$(csrf_of "$S2")" /signout
tap_is "$code" 403 "ASVS V3.5: sign-out with another session's form token is refused"
req so1 -H "Cookie: $SC=$S1" -d "x=1" /signout
tap_is "$code" 403 "sign-out without a form token is refused"
req feed2 -H "Cookie: $SC=$S1" /feed
tap_is "$code" 200 "... and the session is still valid"
req so2 -H "Cookie: $SC=$S1" -d "csrf=$(csrf_of "$S1")" /signout
tap_is "$code $(hdr so2 location)" "303 /signin" "sign-out with the session's form token"
tap_like "$(grep -i '^set-cookie:' "$T/so2.h")" "^[Ss]et-[Cc]ookie: $SC=; Path=/; Max-Age=0" "sign-out clears the cookie"
req feed3 -H "Cookie: $SC=$S1" /feed
tap_is "$code" 303 "a signed-out token no longer works, even if kept"
req feed4 -H "Cookie: $SC=$S2" /feed
tap_is "$code" 200 "signing out one session leaves the person's other sessions"
req getso /signout
tap_is "$code" 405 "no state change on GET: GET /signout is 405"

# --- API tokens ------------------------------------------------------------------
req tk0 -H "Cookie: $SC=$S2" -d "op=create&name=ci&days=30" /settings/tokens
tap_is "$code" 403 "an API token cannot be created without the form token"
req tkd -H "Cookie: $SC=$S2" -d "csrf=$(csrf_of "$S2")&op=create&name=ci-$$&days=999" /settings/tokens
tap_is "$code $(grep -c 'id="token-name" type="text" name="name" maxlength="100" required="required" value="ci-'$$'"' "$T/tkd.b") $(grep -c 'name="days" min="1" max="365" required="required" value="999" aria-invalid="true" aria-describedby="tokens-error"' "$T/tkd.b") $(sql "SELECT count(*) FROM council.sessions WHERE kind = 'api' AND name = 'ci-$$'")" \
	"400 1 1 0" "issue 17: a token of 999 days is refused, the name kept, the days kept and marked; nothing made"
req tk1 -H "Cookie: $SC=$S2" -d "csrf=$(csrf_of "$S2")&op=create&name=ci&days=30" /settings/tokens
API=$(grep -o 'id="new-token">[0-9a-f]*' "$T/tk1.b" | cut -d'>' -f2)
tap_like "$code $API" '^200 [0-9a-f]{64}$' "an API token is created and shown once"
req tk2 -H "Cookie: $SC=$S2" /settings/tokens
tap_unlike "$(cat "$T/tk2.b")" "$API" "... and never shown again"
tap_like "$(cat "$T/tk2.b")" 'id="token-days" type="number" name="days" min="1" max="365" required="required" value="90" />' \
	"the creation form offers 90 days, nothing marked"
req me1 -H "Authorization: Bearer $API" /api/v1/me
tap_like "$code $(cat "$T/me1.b")" "^200 .*\"person_id\"" "the API token reads /api/v1/me as its person"
req af1 -H "Authorization: Bearer $API" "/api/v1/feed?limit=3"
tap_like "$code $(cat "$T/af1.b")" '^200 \{"posts"' "the API token reads the JSON feed"
req af2 -H "Authorization: Bearer $API" "/api/v1/feed?limit=0"
tap_is "$code $(cat "$T/af2.b")" '400 {"error":"invalid_limit"}' "a bad limit gets a JSON error with a stable code"
req me0 /api/v1/me
tap_is "$code $(cat "$T/me0.b")" '401 {"error":"not_signed_in"}' "no credential: 401 with a stable code"
req me2 -H "Authorization: Bearer x$API" /api/v1/me
tap_is "$code" 401 "a malformed bearer token identifies nobody"
req tkapi -H "Authorization: Bearer $API" -d "op=create&name=x&days=1" /settings/tokens
tap_is "$code" 403 "an API token cannot mint API tokens (no form token without a browser session)"
tid=$(sql "SELECT id FROM council.sessions WHERE token_hash = decode('$(printf %s "$API" | sha256sum | cut -c1-64)', 'hex')")
other=$(sql "SELECT p.id FROM council.people p WHERE p.email = '$PLAIN2'")
req tk2r -H "Cookie: $SC=$S2" -d "csrf=$(csrf_of "$S2")&op=revoke&id=$tid" /settings/tokens
req tk2m -H "Authorization: Bearer $API" /api/v1/me
tap_is "$(head -1 "$T/tk2r.h" | cut -d' ' -f2) $(grep -c 'id="confirm-heading"' "$T/tk2r.b") $code" "200 1 200" \
	"issue 17: revoking a token asks first (it cannot be undone); the token still works"
tap_like "$(cat "$T/tk2r.b")" '<input type="hidden" name="confirm" value="yes" />' "... and offers the confirmed form"
req tk3 -H "Cookie: $SC=$S2" -d "csrf=$(csrf_of "$S2")&op=revoke&id=$tid&confirm=yes" /settings/tokens
tap_is "$code" 303 "the person revokes its token, confirmed"
tap_like "$(grep -i '^set-cookie: done=' "$T/tk3.h")" 'done=tokens.revoked; ' "... and the next page will say so, once (issue 17)"
req me3 -H "Authorization: Bearer $API" /api/v1/me
tap_is "$code" 401 "a revoked API token identifies nobody"
signin o1 "$PLAIN2" "$PW"
O1=$(cookie o1 "$SC")
req tk4 -H "Cookie: $SC=$O1" -d "csrf=$(csrf_of "$O1")&op=create&name=other&days=5" /settings/tokens
otid=$(sql "SELECT max(id) FROM council.sessions WHERE person_id = $other AND kind = 'api'")
req tk5 -H "Cookie: $SC=$S2" -d "csrf=$(csrf_of "$S2")&op=revoke&id=$otid" /settings/tokens
req tk6 -H "Cookie: $SC=$S2" -d "csrf=$(csrf_of "$S2")&op=revoke&id=999999999" /settings/tokens
tap_is "$code $(sql "SELECT revoked_at IS NULL FROM council.sessions WHERE id = $otid")" "404 t" \
	"revoking another person's token answers like a missing one (404) and changes nothing"
tap_is "$(cat "$T/tk5.h" | head -1 | cut -d' ' -f2)" "$code" "... the same status for another's token and an absent id"

# --- Sign-out everywhere; deactivation; idle time-out ---------------------------
signin ev1 "$PLAIN2" "$PW"; E1=$(cookie ev1 "$SC")
req soall -H "Cookie: $SC=$E1" -d "csrf=$(csrf_of "$E1")" /signout/all
req ev2 -H "Cookie: $SC=$O1" /feed
tap_is "$code" 303 "ASVS V7.4: sign-out everywhere ends the person's other sessions"
tap_is "$(sql "SELECT count(*) FROM council.sessions WHERE person_id = $other AND revoked_at IS NULL")" 0 \
	"... and its API tokens"
signin dv1 "$PLAIN2" "$PW"; D1=$(cookie dv1 "$SC")
sql "UPDATE council.people SET active = false WHERE id = $other" >/dev/null
req dv2 -H "Cookie: $SC=$D1" /feed
sql "UPDATE council.people SET active = true WHERE id = $other" >/dev/null
req dv3 -H "Cookie: $SC=$D1" /feed
tap_is "$(sql "SELECT revoked_at IS NOT NULL FROM council.sessions WHERE token_hash = decode('$(printf %s "$D1" | sha256sum | cut -c1-64)', 'hex')") $code" "t 303" \
	"deactivating a person ends its sessions for good (reactivation does not revive them)"
signin id1 "$PLAIN2" "$PW"; I1=$(cookie id1 "$SC")
sql "UPDATE council.sessions SET last_seen_at = now() - interval '2 hours' WHERE token_hash = decode('$(printf %s "$I1" | sha256sum | cut -c1-64)', 'hex')" >/dev/null
req id2 -H "Cookie: $SC=$I1" /feed
tap_is "$code" 303 "ASVS V7.3: a session idle longer than session_idle_timeout ends"
sql "UPDATE council.sessions SET last_seen_at = now(), expires_at = now() - interval '1 second' WHERE token_hash = decode('$(printf %s "$I1" | sha256sum | cut -c1-64)', 'hex')" >/dev/null
req id3 -H "Cookie: $SC=$I1" /feed
tap_is "$code" 303 "a session past its absolute lifetime ends, however active"

# --- Second factor: enrolment, TOTP, replay, recovery codes ----------------------
signin h1 "$HANDLER" "$PW"
tap_is "$code $(hdr h1 location)" "303 /signin/enrol" "a registered handler without TOTP is sent to enrolment"
P1=$(cookie h1 "$PC")
tap_is "$(grep -ci "^set-cookie: $SC=" "$T/h1.h")" 0 "... with no session yet, only a pending sign-in"
req hp1 -H "Cookie: $SC=$P1" /feed
tap_is "$code" 303 "a pending sign-in opens nothing (used as a session cookie)"
req hp2 -H "Authorization: Bearer $P1" /api/v1/me
tap_is "$code" 401 "... nor as a bearer token"
req en1 -H "Cookie: $PC=$P1" /signin/enrol
SECRET=$(grep -o 'name="secret" value="[A-Z2-7]*"' "$T/en1.b" | sed -E 's/.*value="([A-Z2-7]*)"/\1/')
tap_like "$code $SECRET" '^200 [A-Z2-7]{32}$' "enrolment shows a 160-bit base32 secret as text"
tap_like "$(cat "$T/en1.b")" 'name="token"' "... and asks for an enrolment code"
# Issue 10 item 5: the password and the secret alone do not enrol.
req en0 -H "Cookie: $PC=$P1" -H "Origin: $B" -d "secret=$SECRET&code=$(totp "$SECRET")" /signin/enrol
tap_is "$code $(grep -c '登録コードが正しくない' "$T/en0.b")" "401 1" \
	"issue 10 item 5: a right code without an enrolment code does not enrol (trust on first use is gone)"
req en0b -H "Cookie: $PC=$P1" -H "Origin: $B" -d "secret=$SECRET&token=abcd-efgh-jkmn&code=$(totp "$SECRET")" /signin/enrol
tap_is "$code $(sql "SELECT totp_secret IS NULL FROM council.people WHERE email = '$HANDLER'")" "401 t" \
	"... nor does a made-up enrolment code; nothing is stored"
# An administrator of the handler's organisation issues one on
# /settings/org, or, where it has none but the handler, the secretariat's.
ADMIN=$(sql "SELECT a.email FROM council.people a JOIN council.people h ON h.org_id = a.org_id
	WHERE h.email = '$HANDLER' AND a.is_org_admin AND a.active AND a.id <> h.id
	UNION ALL
	(SELECT a.email FROM council.people a JOIN council.organisations o ON o.id = a.org_id
	 WHERE o.council_role = 'secretariat' AND a.is_org_admin AND a.active ORDER BY a.id LIMIT 1)
	LIMIT 1")
ATOK=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
sql "INSERT INTO council.sessions (token_hash, person_id, expires_at, kind)
     SELECT sha256(convert_to('$ATOK', 'UTF8')), id, now() + interval '1 hour', 'web'
     FROM council.people WHERE email = '$ADMIN'" >/dev/null
HID=$(sql "SELECT id FROM council.people WHERE email = '$HANDLER'")
req og1 -H "Cookie: $SC=$ATOK" /settings/org
tap_like "$code $(grep -c "name=\"person\" value=\"$HID\"" "$T/og1.b")" '^200 [1-9]' \
	"an administrator for the handler ($ADMIN) sees the handler awaiting an enrolment code"
req og2 -H "Cookie: $SC=$ATOK" -H "Origin: $B" -d "csrf=$(csrf_of "$ATOK")&op=enrol_token&person=$HID" /settings/org
ECODE=$(grep -oE 'id="new-enrol-code">[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}' "$T/og2.b" | cut -d'>' -f2)
tap_like "$code $ECODE" '^200 [a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$' "... issues one, shown once"
req og3 -H "Cookie: $SC=$ATOK" /settings/org
tap_unlike "$(cat "$T/og3.b")" "$ECODE" "... and never shown again"
req og4 -H "Cookie: $SC=$S2" -H "Origin: $B" -d "csrf=$(csrf_of "$S2")&op=enrol_token&person=$HID" /settings/org
tap_like "$code" '^40[34]$' "a member of another organisation cannot issue one ($code)"
req en2 -H "Cookie: $PC=$P1" -H "Origin: $B" -d "secret=$SECRET&token=$ECODE&code=000000" /signin/enrol
tap_is "$code" 401 "the enrolment code with a wrong TOTP code does not complete enrolment"
req en3 -H "Cookie: $PC=$P1" -H "Origin: $B" -d "secret=$SECRET&token=${ECODE^^}&code=$(totp "$SECRET")" /signin/enrol
H1=$(cookie en3 "$SC")
ncodes=$(grep -oE '<code>[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}</code>' "$T/en3.b" | wc -l)
tap_like "$code $ncodes $H1" '^200 10 [0-9a-f]{64}$' "a right code completes enrolment: ten recovery codes and a session"
RC=$(grep -oE '<code>[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}</code>' "$T/en3.b" | head -1 | sed -E 's/<\/?code>//g')
req hf1 -H "Cookie: $SC=$H1" /feed
tap_is "$code" 200 "the enrolled handler is signed in"
tap_is "$(sql "SELECT count(*) FROM council.recovery_codes r JOIN council.people p ON p.id = r.person_id WHERE p.email = '$HANDLER'")" 10 \
	"ten recovery codes are stored (hashed)"
req en4 -H "Cookie: $PC=$P1" /signin/enrol
tap_is "$code" 303 "the pending sign-in is spent"

signin h2 "$HANDLER" "$PW"
tap_is "$code $(hdr h2 location)" "303 /signin/totp" "an enrolled handler is asked for a code"
P2=$(cookie h2 "$PC")
last=$(sql "SELECT totp_last_step FROM council.people WHERE email = '$HANDLER'")
req t1 -H "Cookie: $PC=$P2" -H "Origin: $B" -d "code=$(totp "$SECRET" 0 "$last")" /signin/totp
tap_is "$code" 401 "RFC 6238: the code of the time step used at enrolment is refused (no replay)"
req t2 -H "Cookie: $PC=$P2" -H "Origin: $B" -d "code=$(totp "$SECRET" 1)" /signin/totp
tap_is "$code $(hdr t2 location)" "303 /feed" "the next step's code is accepted (window of one step)"
tap_like "$(cookie t2 "$SC")" '^[0-9a-f]{64}$' "... and a session is issued"

signin h3 "$HANDLER" "$PW"; P3=$(cookie h3 "$PC")
req r1 -H "Cookie: $PC=$P3" -H "Origin: $B" --data-urlencode "recovery=${RC^^}" /signin/totp
tap_is "$code $(hdr r1 location)" "303 /feed" "a recovery code signs in (case and dashes do not matter)"
signin h4 "$HANDLER" "$PW"; P4=$(cookie h4 "$PC")
req r2 -H "Cookie: $PC=$P4" -H "Origin: $B" --data-urlencode "recovery=$RC" /signin/totp
tap_is "$code" 401 "a recovery code works once"
req r3 -H "Origin: $B" -d "code=123456" /signin/totp
tap_is "$code $(hdr r3 location)" "303 /signin" "the second step without a pending sign-in goes back to /signin"

# --- Throttling -------------------------------------------------------------------
for i in 1 2 3 4 5 6; do signin th$i "$PLAIN2" "wrong-$i"; done
tap_is "$code" 401 "six wrong passwords in a row are each answered (five free, then a one-second delay)"
# The delay doubles with each further failure: on a loaded machine a
# password check may outlast the first one-second delay, so keep failing
# (at most six more times) until one attempt falls inside a delay.
for i in 7 8 9 10 11 12; do
	signin th6 "$PLAIN2" "wrong-$i"
	[ "$code" = 429 ] && break
done
tap_is "$code" 429 "ASVS V6.3: then the account is throttled (429)"
# The next two requests must fall inside the delay, and on a loaded
# machine (the sanitizer build) a one- or two-second delay can end
# between them: let it grow first (wait it out and fail once, which
# counts and doubles it; a second failure at once is inside it and says
# the wait) until at least four seconds remain.
for i in 13 14 15 16; do
	w=$(grep -oE '\(([0-9]+)\)' "$T/th6.b" | tr -d '()' | head -1)
	[ "$code" = 429 ] && [ "${w:-0}" -ge 4 ] && break
	sleep "${w:-1}"; sleep 0.5
	signin th6 "$PLAIN2" "wrong-$i"
	signin th6 "$PLAIN2" "wrong-$i-again"
done
signin th9 "${PLAIN2^^}" "$PW"
tap_is "$code" 429 "... the upper-case spelling of the address too (the key is the person it names)"
signin th7 "$PLAIN2" "$PW"
tap_is "$code" 429 "... even the right password waits (it is not even checked)"
w=$(grep -oE '\(([0-9]+)\)' "$T/th7.b" | tr -d '()' | head -1)
tap_ok "$([ -n "$w" ] && [ "$w" -le 60 ]; echo $?)" "... for at most a minute (${w:-?} s): an attacker cannot lock a victim out for long"
# Issue 10 item 3: the throttle keys the person the address names, and a
# Unicode look-alike of an address (KELVIN SIGN for k, dotted I for i),
# which PostgreSQL's lower() would fold to the plain spelling, names
# nobody: even the right password does not sign it in while the plain
# spelling is throttled.
case $PLAIN2 in
*k*) VARIANT=${PLAIN2/k/$'\u212a'} ;;
*i*) VARIANT=${PLAIN2/i/$'\u0130'} ;;
*) VARIANT='' ;;
esac
if [ -n "$VARIANT" ]; then
	for i in 1 2 3; do signin thv$i "$VARIANT" "wrong-v$i"; done
	signin thv4 "$VARIANT" "$PW"
	tap_like "$code" '^(401|429)$' "a Unicode look-alike of the address ($VARIANT) does not sign in with the right password ($code)"
else
	tap_ok 0 "# SKIP the address has no k or i"
fi
signin th8 "$PLAIN" "$PW"
tap_is "$code" 303 "another account from the same address is not throttled"

# Issue 10 item 2: thirty sign-ins at once (scrypt, 128 MiB each) do not
# stall the server: /healthz answers while most of them are still waiting
# for their password check, and every one of them is answered.
rm -f "$T"/conc.*
for i in $(seq 30); do
	( c=$(curl -sS --max-time 120 -o /dev/null -w '%{http_code}' -H "Origin: $B" \
		--data-urlencode "email=conc-$i-$RANDOM@example.invalid" \
		--data-urlencode "password=wrong" "$B/signin" 2>/dev/null)
	  echo "$c" >"$T/conc.$i" ) &
done
sleep 0.3
hz=$(curl -sS --max-time 120 -o /dev/null -w '%{http_code}' "$B/healthz")
done_when_healthz=$(ls "$T"/conc.* 2>/dev/null | wc -l)
wait
tap_is "$hz" 200 "issue 10 item 2: /healthz answers during thirty concurrent sign-ins"
tap_ok "$([ "$done_when_healthz" -le 15 ]; echo $?)" \
	"... before half of them were answered ($done_when_healthz of 30 done): no worker waits for scrypt"
tap_is "$(cat "$T"/conc.* | sort | uniq -c | tr -s ' ' | sed 's/^ //')" "30 401" \
	"... and every sign-in is answered (401 for the made-up accounts)"

tap_done
