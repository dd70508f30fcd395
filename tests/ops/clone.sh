#!/usr/bin/env bash
# tests/ops/clone.sh: the README's first command from a folder that only
# root may enter (issue 18).  Copies the tree as it is (tracked and new
# files, not var/) into a fresh "mktemp -d" folder (mode 0700, like root's
# home on Debian), runs deploy/run-demo.sh there on a free port, signs in
# as a demo member, then stops everything and checks that nothing is left
# behind.  Root only (as root the cluster runs as councilpg, which cannot
# enter that folder: deploy/pg.sh "Where the cluster lives").  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root: the cluster runs as the caller"
	exit 0
fi

OUT=${COUNCIL_TEST_OUT:-$ROOT/var/test}/clone
rm -rf "$OUT"; mkdir -p "$OUT"
d=$(mktemp -d)
P=$d/p
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
	[ -f "$P/var/run/councild.pid" ] && kill -TERM "$(cat "$P/var/run/councild.pid")" 2>/dev/null
	[ -e "$P/var/pg" ] && "$P/deploy/pg.sh" destroy "$P/var/pg" >/dev/null 2>&1
	rm -rf "$d"
}
trap cleanup EXIT

tap_is "$(stat -c %a "$d")" 700 "the clone's folder is private (mode 0700)"
if id -u councilpg >/dev/null 2>&1; then
	runuser -u councilpg -- test -x "$d" 2>/dev/null
	tap_is $? 1 "councilpg cannot enter it"
fi

# The tree as a newcomer would have it: what git tracks, and new files.
mkdir -p "$P"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
	| tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$P" -xf -
tap_ok $? "the tree is copied into $d/p"

COUNCIL_PORT=$port "$P/deploy/run-demo.sh" >"$OUT/run-demo.out" 2>&1
rc=$?
tap_is "$rc" 0 "deploy/run-demo.sh succeeds from the private folder"
[ "$rc" = 0 ] || sed 's/^/# /' "$OUT/run-demo.out" | tail -30

real=$("$P/deploy/pg.sh" where "$P/var/pg")
tap_like "$real" '^/var/lib/council-portal/[0-9a-f]{16}$' \
	"the demo cluster lives under /var/lib/council-portal ($real)"
tap_is "$(stat -c '%U %a' "$real" 2>/dev/null)" "councilpg 700" \
	"councilpg owns it, mode 0700"
tap_is "$(cat "$real/origin" 2>/dev/null)" "$P/var/pg" "its origin names the checkout's var/pg"
tap_is "$(stat -c %a "$d")" 700 "the private folder was not loosened"

# A demo member without a second factor signs in and reads the feed.
email=$(PGPASSFILE=$real/passfile psql -X -qAt -h "$real/run" -U postgres -d council -c "
	SELECT min(p.email) FROM council.people p
	JOIN council.organisations o ON o.id = p.org_id
	WHERE p.active AND o.status = 'member' AND o.council_role IS NULL
	  AND p.password_hash IS NOT NULL
	  AND NOT council.auth_needs_totp(p.id)" 2>/dev/null)
tap_like "$email" '@' "the demo council has a member who signs in with a password only"
jar=$OUT/cookies
code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" \
	--data-urlencode "email=$email" --data-urlencode "password=council-demo-2026" \
	"http://127.0.0.1:$port/signin")
tap_like "$code" '^303 .*/feed$' "signing in as $email answers 303 to /feed"
page=$(curl -s -b "$jar" -w '\n%{http_code}' "http://127.0.0.1:$port/feed")
tap_is "$(tail -n1 <<<"$page")" 200 "the feed answers 200 to the signed-in member"
tap_like "$page" 'signout' "and it is the signed-in page (sign-out button)"

# Stop and destroy: nothing is left under /var/lib/council-portal.
kill -TERM "$(cat "$P/var/run/councild.pid")" 2>/dev/null
"$P/deploy/pg.sh" destroy "$P/var/pg" >/dev/null 2>&1
tap_ok $? "deploy/pg.sh destroy var/pg succeeds"
[ ! -e "$real" ]; tap_ok $? "the cluster's real folder is gone"
[ ! -e "$P/var/pg" ] && [ ! -L "$P/var/pg" ]; tap_ok $? "and so is the link"

# A clone deleted without "destroy" leaves a cluster that prune removes.
mkdir -p "$OUT/gone"
COUNCIL_PG_FAST=1 "$ROOT/deploy/pg.sh" init "$OUT/gone/pg" >/dev/null 2>&1
gone=$("$ROOT/deploy/pg.sh" where "$OUT/gone/pg")
rm -rf "$OUT/gone"
out=$("$ROOT/deploy/pg.sh" prune 2>&1)
tap_like "$out" "pruned $gone" "prune removes the cluster of a deleted checkout"
[ ! -e "$gone" ]; tap_ok $? "its folder is gone"
tap_done
