#!/usr/bin/env bash
# Black-box tests of what the attack pass found against the real councild
# (issue 10, "Security"), each as the attacker did it.  The findings that
# need no account are in tests/http/run.sh; sign-in's are in auth.sh.
#
# Usage: tests/http/hardening.sh BASE_URL PGDIR   (as tests/http/auth.sh)
# COUNCILD_LOG: councild's log (the checks that nothing was logged as an
# error are skipped without it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
LOG=${COUNCILD_LOG:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-hardening.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source=../lib/portal.sh
. "$ROOT/tests/lib/portal.sh"

# A plain member with an API token (made in the database: sign-in itself
# is auth.sh's subject).
P=$(sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND NOT o.restricted
	  AND NOT o.gsoc_liaison AND p.password_hash IS NOT NULL AND NOT council.auth_needs_totp(p.id)
	ORDER BY p.id LIMIT 1")
A=$(session "$P" api) || { echo "Bail out! no API session for $P"; exit 1; }
posts_before=$(sql "SELECT count(*) FROM council.posts")

# Item 8: invalid UTF-8 in a JSON body is the client's error (400
# invalid_json), like a form's, and nothing is logged as a server error.
printf '{"title":"\xff","kind":"consultation","body":"x"}' >"$T/bad.json"
mark=$(wc -l <"${LOG:-/dev/null}" 2>/dev/null || echo 0)
for path in /api/v1/posts /api/v1/preview /api/v1/settings /api/v1/notifications \
	/api/v1/committee/motions /api/v1/assemblies; do
	code=$(curl -sS --max-time 20 -o "$T/r" -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $A" -H 'Content-Type: application/json' \
		--data-binary @"$T/bad.json" "$B$path" 2>/dev/null)
	tap_is "$code $(cat "$T/r")" '400 {"error":"invalid_json"}' \
		"POST $path with invalid UTF-8 in the JSON body: 400 invalid_json"
done
tap_is "$(sql "SELECT count(*) FROM council.posts")" "$posts_before" "... and no post was created"
if [ -n "$LOG" ]; then
	tap_unlike "$(tail -n +"$((mark + 1))" "$LOG" | grep 'level=error')" . \
		"... and councild logged no error for them"
fi
# A query argument that is not UTF-8 is the client's error too.
code=$(curl -sS --max-time 20 -o "$T/r" -w '%{http_code}' \
	-H "Authorization: Bearer $A" "$B/api/v1/search?q=%ff%fe")
tap_is "$code $(cat "$T/r")" '400 {"error":"invalid_query"}' "GET /api/v1/search?q=%ff%fe (not UTF-8): 400 invalid_query"
# An Idempotency-Key that is not printable ASCII.
code=$(curl -sS --max-time 20 -o "$T/r" -w '%{http_code}' -X POST \
	-H "Authorization: Bearer $A" -H 'Content-Type: application/json' \
	-H "$(printf 'Idempotency-Key: k\xff')" \
	--data-binary '{"kind":"consultation","title":"t","body":"b"}' "$B/api/v1/posts" 2>/dev/null)
tap_is "$code $(cat "$T/r")" '400 {"error":"invalid_idempotency_key"}' \
	"an Idempotency-Key that is not printable ASCII: 400 invalid_idempotency_key"

# Item 1: an upload route grants its large body only to a credential the
# database knows, checked before "100 Continue"; a made-up token of the
# right shape gets the ordinary limit (413 at once, no 100 Continue, no
# buffer).  Sixty such uploads at once are each refused at once.
head -c $((5 * 1024 * 1024)) /dev/zero >"$T/5m"
FAKE=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
code=$(curl -sS --max-time 20 -o /dev/null -D "$T/u1.h" -w '%{http_code}' -H "Authorization: Bearer $FAKE" \
	-H 'Expect: 100-continue' -F "post=1" -F "file=@$T/5m" "$B/api/v1/attachments" 2>/dev/null)
tap_is "$code" 413 "item 1: a 5 MiB upload with a made-up bearer token: 413"
tap_unlike "$(cat "$T/u1.h")" '^HTTP/1.1 100' "... answered before any 100 Continue"
rm -f "$T"/fk.*
pids=()
for i in $(seq 60); do
	curl -sS --max-time 30 -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $FAKE" \
		-H 'Expect: 100-continue' -H "Content-Type: multipart/form-data; boundary=x" \
		-H "Content-Length: $((10 * 1024 * 1024))" --data-binary @"$T/5m" \
		"$B/api/v1/attachments" >"$T/fk.$i" 2>/dev/null &
	pids+=($!)
done
wait "${pids[@]}"
tap_is "$(cat "$T"/fk.* | sort | uniq -c | tr -s ' ' | sed 's/^ //')" "60 413" \
	"... and sixty of them at once, each declaring 10 MiB: every one refused with 413"
# A real member's upload is limited per person: two in flight, the third
# is refused (429, Retry-After) before its body is read.
S=$(session "$P" web)
dd if=/dev/zero of="$T/2m" bs=1024 count=2048 2>/dev/null
pids=()
for i in 1 2; do
	curl -sS --max-time 60 --limit-rate 100k -o /dev/null -H "Cookie: $SC=$S" -H "Origin: $B" \
		-F "csrf=$(csrf "$S")" -F "post=1" -F "file=@$T/2m" "$B/attachments" 2>/dev/null &
	pids+=($!)
done
sleep 2
code=$(curl -sS --max-time 20 -o /dev/null -D "$T/u3.h" -w '%{http_code}' -H "Cookie: $SC=$S" -H "Origin: $B" \
	-F "csrf=$(csrf "$S")" -F "post=1" -F "file=@$T/2m" "$B/attachments" 2>/dev/null)
tap_is "$code" 429 "item 1: a third upload of the same person while two are in flight: 429"
tap_like "$(tr -d '\r' <"$T/u3.h")" 'Retry-After: [0-9]+' "... with Retry-After"
kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null
sleep 1
code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -H "Cookie: $SC=$S" -H "Origin: $B" \
	-F "csrf=$(csrf "$S")" -F "post=1" -F "file=@$T/2m" "$B/attachments" 2>/dev/null)
tap_like "$code" '^(201|303|400|403|404|422)$' "... and once they ended, the person may upload again (not 429: $code)"

tap_done
