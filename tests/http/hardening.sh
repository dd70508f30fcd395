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
# A query argument that is not UTF-8 is refused the same way as a path.
code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $A" "$B/api/v1/search?q=%ff%fe")
tap_is "$code" 400 "GET /api/v1/search?q=%ff%fe (not UTF-8): 400"
# An Idempotency-Key that is not printable ASCII.
code=$(curl -sS --max-time 20 -o "$T/r" -w '%{http_code}' -X POST \
	-H "Authorization: Bearer $A" -H 'Content-Type: application/json' \
	-H "$(printf 'Idempotency-Key: k\xff')" \
	--data-binary '{"kind":"consultation","title":"t","body":"b"}' "$B/api/v1/posts" 2>/dev/null)
tap_is "$code $(cat "$T/r")" '400 {"error":"invalid_idempotency_key"}' \
	"an Idempotency-Key that is not printable ASCII: 400 invalid_idempotency_key"

tap_done
