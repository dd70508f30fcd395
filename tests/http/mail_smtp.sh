#!/usr/bin/env bash
# Black-box tests of the early-warning service by real e-mail (issue 14
# item 6; R-ORG-10; docs/government-information.md "Early-warning e-mail
# (item 6)"): a second councild of this build, on the same database, sends
# through a real SMTP server (tests/lib/smtpd.py on Debian's
# python3-aiosmtpd) with STARTTLS (a throw-away certificate verified
# against smtp_ca_file) and AUTH, signs with S/MIME and encrypts to a
# person's registered certificate.  Proves, from what the server
# received: a targeted warning reaches the registered owner's
# administrator and handlers, naming the page and nothing of the post; an
# organisation that left gets none, nor does anyone who cannot read the
# post; STARTTLS and AUTH were used; the signature verifies (openssl cms)
# and a tampered copy does not; the encrypted one decrypts with the
# person's key only; a relay that is down keeps the e-mail queued with
# its attempts and backoff, and delivers it once when it is back; kill -9
# of councild between the relay's acceptance and the mark sends it again
# once, with the same Message-ID, and loses nothing.
#
# The suite's own councild (COUNCILD_PID) is paused meanwhile (SIGSTOP,
# then SIGCONT), so that its Maildir mailer does not claim the outbox.
#
# Usage: COUNCILD=path/to/councild [COUNCILD_PID=N] tests/http/mail_smtp.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-smtp.XXXXXX")
if [ -z "$T" ] || [ ! -d "$T" ]; then echo "Bail out! no scratch folder"; exit 1; fi
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"
: "${COUNCILD:?COUNCILD must name the councild binary}"
PY=/usr/bin/python3
"$PY" -c 'import aiosmtpd' 2>/dev/null || { echo "Bail out! python3-aiosmtpd is not installed"; exit 1; }

SMTPD_PID='' C2_PID=''
cleanup() {
	[ -n "$C2_PID" ] && kill -TERM "$C2_PID" 2>/dev/null && sleep 0.5
	[ -n "$SMTPD_PID" ] && kill -TERM "$SMTPD_PID" 2>/dev/null
	[ -n "${COUNCILD_PID:-}" ] && kill -CONT "$COUNCILD_PID" 2>/dev/null
	[ -n "${OTHER_ADMIN_TOK:-}" ] && sql "UPDATE council.organisations SET early_warning_opt_out = false
		WHERE slug = 'toto-power'" >/dev/null
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
[ -n "${COUNCILD_PID:-}" ] && kill -STOP "$COUNCILD_PID"

# shellcheck source-path=SCRIPTDIR source=../lib/relay.sh
. "$here/../lib/relay.sh"

# ---- Certificates: the relay's (TLS), the portal's (S/MIME signing), a person's. ----------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-keyout "$T/relay.key" -out "$T/relay.crt" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Council Portal/emailAddress=noreply@portal.example" \
	-addext "subjectAltName=email:noreply@portal.example" -addext "keyUsage=digitalSignature" \
	-addext "extendedKeyUsage=emailProtection" \
	-keyout "$T/portal.key" -out "$T/portal.crt" 2>/dev/null
mkcert() {	# mkcert NAME EMAIL: $T/NAME.key and $T/NAME.crt naming EMAIL
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
		-addext "subjectAltName=email:$2" -addext "keyUsage=keyEncipherment,digitalSignature" \
		-addext "extendedKeyUsage=emailProtection" \
		-keyout "$T/$1.key" -out "$T/$1.crt" 2>/dev/null
}

# ---- The relay and the second councild. ---------------------------------------------------------
SPORT=$(free_port)
BOX=$T/box
start_smtpd() {
	rm -f "$BOX/ready"
	setsid "$PY" "$ROOT/tests/lib/smtpd.py" --port "$SPORT" --dir "$BOX" --cert "$T/relay.crt" \
		--key "$T/relay.key" --user mailer --password "s3cret-$$" >>"$T/smtpd.log" 2>&1 &
	SMTPD_PID=$!
	wait_for 20 test -f "$BOX/ready"
}
start_smtpd || { cat "$T/smtpd.log"; echo "Bail out! the SMTP server did not start"; exit 1; }
C2PORT=$(free_port)
relay_conf "$T/c2.conf" "$C2PORT" "$SPORT"
cat >>"$T/c2.conf" <<CONF
smtp_tls = "starttls"
smtp_ca_file = "$T/relay.crt"
smtp_user = "mailer"
smtp_password = "s3cret-$$"
smime_cert = "$T/portal.crt"
smime_key = "$T/portal.key"
CONF
listening() {
	local n
	n=$(grep -c 'msg=listening' "$T/c2.log" 2>/dev/null)
	[ "${n:-0}" -gt "$1" ]
}
start_c2() {
	local n
	n=$(grep -c 'msg=listening' "$T/c2.log" 2>/dev/null)
	setsid "$COUNCILD" -c "$T/c2.conf" </dev/null >>"$T/c2.log" 2>&1 &
	C2_PID=$!
	disown "$C2_PID"	# its SIGKILL is the test's, not news
	wait_for 30 listening "${n:-0}"
}
start_c2 || { tail "$T/c2.log"; echo "Bail out! the second councild did not start"; exit 1; }
# Every request goes to it: the suite's councild is paused.
B=http://127.0.0.1:$C2PORT

# ---- The people. --------------------------------------------------------------------------
HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active ORDER BY p.id LIMIT 1"; }
OP=$(one "o.slug = 'toto-bank' AND $HANDLER")			# the owner's handler
OTHER=$(one "o.slug = 'toto-power' AND $HANDLER AND NOT p.is_org_admin")
OTHER_ADMIN=$(one "o.slug = 'toto-power' AND p.is_org_admin")
COORD=$(one "o.council_role = 'coordinator' AND $HANDLER")
if [ -z "$OP" ] || [ -z "$OTHER" ] || [ -z "$OTHER_ADMIN" ] || [ -z "$COORD" ]; then
	echo "Bail out! demo council incomplete"; exit 1
fi
declare -A TOK
for e in "$OP" "$OTHER" "$OTHER_ADMIN" "$COORD"; do
	TOK[$e]=$(session "$e" api) || { echo "Bail out! no token for $e"; exit 1; }
done
OTHER_ADMIN_TOK=${TOK[$OTHER_ADMIN]}
WEB=$(session "$OTHER_ADMIN" web)

# ---- R-ORG-10: leaving the service (toto-power), by its administrator only. ----------------
api ew0 "${TOK[$OTHER]}" POST /api/v1/org/early-warning '{"registered": false}'
c0="$code $(cat "$T/ew0")"
api ew1 "${TOK[$OTHER_ADMIN]}" POST /api/v1/org/early-warning '{"registered": false}'
tap_is "$c0 | $code $(cat "$T/ew1")" \
	'403 {"error" : "org_admin_only"} | 200 {"registered" : false, "liaison" : false}' \
	"R-ORG-10: a handler cannot take the organisation out of the early-warning service; its administrator can"
page p0 "$WEB" /settings/mail
tap_like "$code $(tr -d '\n' <"$T/p0")" '^200 .*name="registered" value="1"' \
	"R-ORG-10: the administrator's page offers joining again"
WEBH=$(session "$OTHER" web)
page p1 "$WEBH" /settings/mail
c1="$code $(grep -c 'name="registered"' "$T/p1")"
form p2 "$WEBH" /settings/mail --data-urlencode "csrf=$(csrf "$WEBH")" --data-urlencode action=early_warning \
	--data-urlencode registered=1
tap_is "$c1 $code $(sql "SELECT early_warning_opt_out FROM council.organisations WHERE slug = 'toto-power'")" "200 0 403 t" \
	"R-ORG-10: a handler's page offers no such form, and its POST is refused (403): nothing changes"

# ---- R-ORG-10: declining on joining (the application form). -------------------------------------
RV=$(sql "SELECT council.rules_version()")
apply_form() {	# apply_form NAME SUFFIX [extra curl args]
	local n=$1 s=$2
	shift 2
	code=$(curl -sS --max-time 20 -o "$T/$n" -w '%{http_code}' -H "Origin: $B" \
	    --data-urlencode "name_ja=申請者$s" --data-urlencode "name_en=Applicant $s" \
	    --data-urlencode category=other --data-urlencode "contact_name=担当 $s" \
	    --data-urlencode "contact_email=$s@applicant.example.jp" --data-urlencode "rules_version=$RV" \
	    --data-urlencode agree=yes "$@" "$B/apply" 2>/dev/null)
}
page ap0 "" /apply
tap_like "$(cat "$T/ap0")" 'name="decline_early_warning"' "R-ORG-10: the application form offers to decline the early-warning service"
apply_form ap1 "ewd$$" --data-urlencode decline_early_warning=yes
c1=$code
apply_form ap2 "ewa$$"
tap_is "$c1 $code $(sql "SELECT string_agg(a.early_warning_declined || '/' || o.early_warning_opt_out, ' ' ORDER BY o.name_en DESC)
	FROM council.applications a JOIN council.organisations o ON o.id = a.org_id
	WHERE o.name_en IN ('Applicant ewd$$', 'Applicant ewa$$')")" "201 201 true/true false/false" \
	"R-ORG-10: an applicant that declines is not registered; one that does not decline is (registered on joining)"

# ---- S/MIME: the owner's handler registers a certificate. -------------------------------------
mkcert person "$OP"
mkcert stranger "someone-else@example.org"
pemjson() { "$PY" -c 'import json,sys; print(json.dumps({"pem": open(sys.argv[1]).read()}))' "$1"; }
api s0 "${TOK[$OP]}" POST /api/v1/me/smime "$(pemjson "$T/stranger.crt")"
c0="$code $(cat "$T/s0")"
api s1 "${TOK[$OP]}" POST /api/v1/me/smime '{"pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}'
c1="$code $(cat "$T/s1")"
api s2 "${TOK[$OP]}" POST /api/v1/me/smime "$(pemjson "$T/person.crt")"
tap_is "$c0 | $c1 | $code $(cat "$T/s2")" \
	'422 {"error" : "smime_email_mismatch"} | 422 {"error":"invalid_certificate"} | 200 {"registered" : true}' \
	"S/MIME: a certificate naming another address and one that is none are refused; the person's own is registered"

# ---- Helpers over the outbox and the mailbox. ------------------------------------------------
R=$(( $$ % 100000 + 100000 ))
F=$ROOT/tests/fixtures/vuln
# stage N: import the NVD sample with ids unique to this run and stage.
import() {
	sed -e "s/CVE-2024-21762/CVE-2099-${R}${1}1/g; s/CVE-2024-24989/CVE-2099-${R}${1}2/g" \
		-e "s/CVE-2024-3400/CVE-2099-${R}${1}3/g" "$F/nvd-cves.json" >"$T/nvd$1.json"
	api "imp$1" "${TOK[$COORD]}" POST /api/v1/advisories "$(cat "$T/nvd$1.json")"
}
# The warnings of stage N (post ids), of organisation slug S.
posts() { sql "SELECT string_agg(w.post_id::text, ',' ORDER BY w.post_id) FROM council.vuln_warnings w
	JOIN council.vuln_advisories a ON a.id = w.advisory_id JOIN council.organisations o ON o.id = w.org_id
	WHERE a.external_id LIKE 'CVE-2099-${R}${1}_' AND o.slug = '$2'"; }
# Outbox rows about posts P (a list): "status" counts.
rows() { sql "SELECT count(*) FILTER (WHERE status = 'sent') || ' ' || count(*)
	FROM council.mail_outbox WHERE post_id IN (${1:-0})"; }
all_sent() { local x; x=$(rows "$1"); [ "${x% *}" = "${x#* }" ] && [ "${x#* }" != 0 ]; }
# Files of the mailbox holding Message-ID m.
copies() { grep -l -F "Message-ID: <$1@councild>" "$BOX"/*.eml 2>/dev/null | wc -l; }
file_of() { grep -l -F "Message-ID: <$1@councild>" "$BOX"/*.eml 2>/dev/null | head -1; }

# ---- Stage 1: a warning by e-mail. ------------------------------------------------------------
# The owner and the other operator each run a FortiOS 7.2.5 (CVE-2024-21762).
api a1 "${TOK[$OP]}" POST /api/v1/assets "{\"name\":\"smtp-test op $$\",\"cpes\":[\"cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*\"]}"
api a2 "${TOK[$OTHER]}" POST /api/v1/assets "{\"name\":\"smtp-test other $$\",\"cpes\":[\"cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*\"]}"
import 1
P1=$(posts 1 toto-bank)
Q1=$(posts 1 toto-power)
[ -n "$P1" ] && [ -n "$Q1" ]
tap_ok $? "R-NEW-4: the import warns both operators (posts $P1; $Q1)"
wait_for 60 all_sent "$P1"
tap_is "$(rows "$P1")" "$(sql "SELECT n || ' ' || n FROM (SELECT count(*) AS n FROM council.mail_outbox WHERE post_id IN (${P1:-0})) x")" \
	"the owner's warning e-mails were sent (the relay's 250 to DATA)"
# Who got them: exactly the owner's administrator and handlers who read the post.
want=$(sql "SELECT string_agg(DISTINCT p.email, ' ' ORDER BY p.email) FROM council.people p
	JOIN council.organisations o ON o.id = p.org_id, unnest('{${P1}}'::bigint[]) x(post)
	WHERE o.slug = 'toto-bank' AND p.active AND (p.is_org_admin OR $HANDLER)
	  AND council.person_sees_post(p.id, x.post)")
got=$(sql "SELECT string_agg(DISTINCT email, ' ' ORDER BY email) FROM council.mail_outbox WHERE post_id IN (${P1:-0})")
rcpt=$(for m in $(sql "SELECT message_id FROM council.mail_outbox WHERE post_id IN (${P1:-0})"); do
	f=$(file_of "$m"); [ -n "$f" ] && "$PY" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["rcpt_tos"]))' "${f%.eml}.json"
done | sort -u | tr '\n' ' ')
tap_is "$got | ${rcpt% }" "$want | $want" \
	"R-ORG-10: the SMTP server received the warning for the owner's administrator and handlers who read the post, each at their address"
tap_like "$want" "$OP" "... the handler among them"
tap_is "$(sql "SELECT count(*) FROM council.mail_outbox m JOIN council.people p ON p.id = m.person_id
	JOIN council.organisations o ON o.id = p.org_id WHERE m.post_id IN (${P1:-0}) AND o.slug <> 'toto-bank'")" 0 \
	"R-ORG-10: nobody who cannot read the post (another organisation's people) gets an e-mail about it"
tap_is "$(sql "SELECT count(*) FROM council.mail_outbox WHERE post_id IN (${Q1:-0})")" 0 \
	"R-ORG-10: the organisation that left the service gets no warning e-mail"
others=$(sql "SELECT string_agg(email, ' ') FROM council.people p JOIN council.organisations o ON o.id = p.org_id WHERE o.slug = 'toto-power'")
hit=0
# (its people may still get their notification digests: only the warning
# is the early-warning service's)
for e in $others; do
	for j in $(grep -l -F "\"$e\"" "$BOX"/*.json 2>/dev/null); do
		for q in ${Q1//,/ }; do grep -q -F "/posts/$q" "${j%.json}.eml" && hit=1; done
	done
done
tap_is "$hit" 0 "... the SMTP server received nothing about the warning for any of its people"
meta=$(cat "$BOX"/*.json | "$PY" -c 'import sys,json; ms=[json.loads(l) for l in sys.stdin.read().replace("}{","}\n{").splitlines()]; print(all(m["tls"] for m in ms), all(m["auth"]=="mailer" for m in ms), len(ms) > 0)')
tap_is "$meta" "True True True" "every e-mail came over STARTTLS, after AUTH as the configured user"

# No secret content: neither the title nor the CVE nor the product; the page is named.
PLAIN=$(sql "SELECT message_id FROM council.mail_outbox m JOIN council.people p ON p.id = m.person_id
	WHERE m.post_id IN (${P1:-0}) AND p.smime_cert IS NULL LIMIT 1")
FP=$(file_of "$PLAIN")
openssl cms -verify -in "$FP" -CAfile "$T/portal.crt" -out "$T/plain.txt" 2>"$T/verify.err"
v=$?
tap_is "$v" 0 "S/MIME: the e-mail is signed, and the signature verifies against the portal's certificate (openssl cms -verify)"
body=$("$PY" -c 'import email,sys; print(email.message_from_binary_file(open(sys.argv[1],"rb")).get_payload(decode=True).decode())' "$T/plain.txt")
first=$(echo "$P1" | cut -d, -f1)
tap_like "$body" "https://portal.example/posts/($(echo "$P1" | tr , '|'))" "... its text names the page of the warning"
title=$(sql "SELECT title FROM council.posts WHERE id = ${first:-0}")
# Every text of every e-mail about the warnings: decoded subjects, the
# signed text, the decrypted one.
texts() {
	"$PY" - "$@" <<'PYEOF'
import email, email.header, sys
for f in sys.argv[1:]:
    m = email.message_from_binary_file(open(f, "rb"))
    print(str(email.header.make_header(email.header.decode_header(m.get("Subject", "")))))
    for part in m.walk():
        if part.get_content_maintype() == "text":
            print(part.get_payload(decode=True).decode("utf-8", "replace"))
PYEOF
}
files=$(for m in $(sql "SELECT message_id FROM council.mail_outbox WHERE post_id IN (${P1:-0})"); do file_of "$m"; done)
# shellcheck disable=SC2086
all=$(texts $files "$T/plain.txt")
tap_unlike "$all" "CVE-2099|[Ff]orti[Oo][Ss]|Vulnerability warning|脆弱性警告|$(printf '%s' "$title" | sed 's/[^[:alnum:] ]/./g')" \
	"R-ORG-10: no e-mail carries the post's title, the CVE or the product (subjects decoded, texts decoded)"
tap_like "$all" "a new early warning is waiting|新しい早期警戒情報があります" "... they say a warning is waiting"
sed 's/charset=UTF-8/charset=UTF-9/' "$FP" >"$T/tampered.eml"
cmp -s "$FP" "$T/tampered.eml" && echo "# the tampering changed nothing"
! openssl cms -verify -in "$T/tampered.eml" -CAfile "$T/portal.crt" -out /dev/null 2>/dev/null
tap_ok $? "... and a copy whose text was changed does not verify"

# Encrypted to the person who registered a certificate.
ENC=$(sql "SELECT message_id FROM council.mail_outbox WHERE post_id IN (${P1:-0}) AND email = '$OP' LIMIT 1")
FE=$(file_of "$ENC")
grep -q 'application/pkcs7-mime; smime-type=enveloped-data' "$FE" && ! grep -q 'portal.example/posts' "$FE"
tap_ok $? \
	"S/MIME: the e-mail to the person with a certificate is encrypted (enveloped-data; no page in the clear)"
openssl cms -decrypt -in "$FE" -recip "$T/person.crt" -inkey "$T/person.key" -out "$T/dec.eml" 2>/dev/null
d=$?
openssl cms -verify -in "$T/dec.eml" -CAfile "$T/portal.crt" -out "$T/dec.txt" 2>/dev/null
tap_is "$d $?" "0 0" "... it decrypts with the person's key (openssl cms -decrypt), and inside the signature verifies"
! openssl cms -decrypt -in "$FE" -recip "$T/stranger.crt" -inkey "$T/stranger.key" -out /dev/null 2>/dev/null
tap_ok $? "... and not with another key"

# ---- Stage 2: the relay is down, then back. -------------------------------------------------------
kill -TERM "$SMTPD_PID"; wait "$SMTPD_PID" 2>/dev/null; SMTPD_PID=
emls() { find "$BOX" -maxdepth 1 -name '*.eml' | sort; }
n0=$(emls | wc -l)
import 2
P2=$(posts 2 toto-bank)
tried() { [ "$(sql "SELECT bool_and(attempts >= 2 AND status = 'queued' AND last_error IS NOT NULL)
	FROM council.mail_outbox WHERE post_id IN (${P2:-0})")" = t ]; }
wait_for 60 tried
tap_is "$(sql "SELECT count(*) > 0 AND bool_and(status = 'queued' AND attempts >= 2 AND last_error LIKE 'connect%'
	AND next_attempt > now() - interval '3 s') FROM council.mail_outbox WHERE post_id IN (${P2:-0})") $(emls | wc -l)" \
	"t $n0" "relay down: the e-mails stay queued, with their attempts, the error and the next attempt (backoff); nothing is lost, nothing sent"
start_smtpd || echo "# the SMTP server did not start again"
wait_for 60 all_sent "$P2"
dup=$(for m in $(sql "SELECT message_id FROM council.mail_outbox WHERE post_id IN (${P2:-0})"); do copies "$m"; done | sort -u | tr '\n' ' ')
tap_is "$(rows "$P2" | cut -d' ' -f1) ${dup% }" "$(rows "$P2" | cut -d' ' -f2) 1" \
	"relay back: every queued e-mail is delivered, each exactly once"

# ---- Stage 3: kill -9 of councild between the relay's acceptance and the mark. -------------------
ID0=$(sql "SELECT coalesce(max(id), 0) FROM council.mail_outbox")
emls >"$T/before3"
echo "$C2_PID" >"$BOX/kill-once"
import 3
P3=$(posts 3 toto-bank)
dead() { ! kill -0 "$C2_PID" 2>/dev/null; }
wait_for 60 dead
dead
tap_ok $? "the SMTP server killed councild (SIGKILL) after storing a message, before answering DATA"
dead || { kill -KILL "$C2_PID"; wait "$C2_PID" 2>/dev/null; }
C2_PID=
new3=$(emls | comm -13 "$T/before3" - | head -1)
KILLED=$(sed -n 's/^Message-ID: <\(.*\)@councild>\r*$/\1/p' "${new3:-/dev/null}" | head -1)
tap_is "$(copies "${KILLED:-none}") $(sql "SELECT status FROM council.mail_outbox WHERE message_id = '${KILLED:-none}'")" \
	"1 sending" "... the relay holds the e-mail; the outbox has not marked it sent"
start_c2 || echo "# councild did not start again"
pending() { [ "$(sql "SELECT count(*) FROM council.mail_outbox WHERE id > $ID0 AND status IN ('queued', 'sending')")" = 0 ]; }
wait_for 90 pending
tap_is "$(sql "SELECT count(*) FILTER (WHERE status <> 'sent') FROM council.mail_outbox WHERE id > $ID0") \
$(sql "SELECT count(*) > 0 FROM council.mail_outbox WHERE post_id IN (${P3:-0})")" "0 t" \
	"after the restart every e-mail of the window is sent: none lost"
tot=0 bad=0
for m in $(sql "SELECT message_id FROM council.mail_outbox WHERE id > $ID0"); do
	c=$(copies "$m")
	tot=$((tot + c - 1))
	[ "$c" -ge 1 ] || bad=1
	[ "$m" = "$KILLED" ] && kc=$c
done
tap_is "${kc:-0} $tot $bad" "2 1 0" \
	"... the one the relay took before the crash came again exactly once, with the same Message-ID (the documented duplicate); every other exactly once"

# ---- R-ORG-10: joining again. ----------------------------------------------------------------------
api ew2 "${TOK[$OTHER_ADMIN]}" POST /api/v1/org/early-warning '{"registered": true}'
tap_is "$code $(cat "$T/ew2")" '200 {"registered" : true, "liaison" : false}' \
	"R-ORG-10: the administrator joins the service again later"
api s3 "${TOK[$OP]}" POST /api/v1/me/smime '{"pem": null}'
tap_is "$code $(cat "$T/s3")" '200 {"registered" : false}' "S/MIME: the person removes the certificate"
# The assets of this run go, so that later tests find the registry as it was.
api d1 "${TOK[$OP]}" POST "/api/v1/assets/$(json a1 'd["id"]')" '{"action":"delete"}'
api d2 "${TOK[$OTHER]}" POST "/api/v1/assets/$(json a2 'd["id"]')" '{"action":"delete"}'
tap_done
