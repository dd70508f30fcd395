#!/usr/bin/env bash
# tests/ops/lifecycle.sh: councild's life cycle, observed from outside.
# Starts its own councild instances (the sanitizer build) against the test
# cluster.  Needs COUNCILD, COUNCIL_TEST_OUT, COUNCIL_PGDIR.  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/ops/councild.sh"
. "$ROOT/deploy/common.sh"
OUT=$COUNCIL_TEST_OUT/lifecycle
PGDIR=$COUNCIL_PGDIR
rm -rf "$OUT"; mkdir -p "$OUT"
SAN_RE='ERROR: (Address|Leak)Sanitizer|runtime error:'

code_of() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$@" 2>/dev/null; }

council_config "$OUT/good.conf" 0 "$PGDIR"
sed -i "s|^web_root = .*|web_root = \"$COUNCIL_TEST_OUT/web\"|" "$OUT/good.conf"

# -t checks configuration, catalogs and templates without serving.
out=$("$COUNCILD" -t -c "$OUT/good.conf" 2>&1); rc=$?
tap_ok "$rc" "councild -t accepts the test configuration"
tap_like "$out" 'valid' "councild -t says the configuration is valid"

# A bad configuration stops start-up with the line named.
cp "$OUT/good.conf" "$OUT/bad.conf"
echo "listen_prot = 8080" >>"$OUT/bad.conf"
out=$("$COUNCILD" -c "$OUT/bad.conf" 2>&1); rc=$?
tap_is "$rc" 1 "an unknown setting stops councild"
tap_like "$out" 'line [0-9]+: unknown setting' "the error names the line"

out=$("$COUNCILD" -c /nonexistent/councild.conf 2>&1); rc=$?
tap_is "$rc" 1 "a missing configuration file stops councild"

# A template that would put a value inside <script> stops start-up.
mkdir -p "$OUT/templates"
cp "$ROOT"/templates/*.xhtml "$OUT/templates/"
cat >"$OUT/templates/evil.xhtml" <<'X'
<t:page xmlns="http://www.w3.org/1999/xhtml" xmlns:t="urn:council-portal:template" layout="layout.xhtml"><t:fill slot="content"><script t:text="request_id"></script></t:fill></t:page>
X
cp "$OUT/good.conf" "$OUT/evil.conf"
sed -i "s|^template_root = .*|template_root = \"$OUT/templates\"|" "$OUT/evil.conf"
out=$("$COUNCILD" -t -c "$OUT/evil.conf" 2>&1); rc=$?
tap_is "$rc" 1 "a template that fills <script> is refused at start-up"
tap_like "$out" 'evil.xhtml' "the refusal names the template"

# No database: refuse to start rather than serve errors.
cp "$OUT/good.conf" "$OUT/nodb.conf"
sed -i "s|^db_conninfo = .*|db_conninfo = \"host=$OUT/nowhere dbname=council user=council_app\"|" "$OUT/nodb.conf"
out=$("$COUNCILD" -c "$OUT/nodb.conf" 2>&1); rc=$?
tap_is "$rc" 1 "councild refuses to start without its database"
tap_like "$out" 'cannot connect to the database' "and says why"

# The database goes away and comes back: /healthz follows it.
if councild_start "$OUT/good.conf" "$OUT/councild-a.log"; then
	tap_is "$(code_of "$COUNCILD_URL/healthz")" 200 "healthz is 200 with the database up"
	"$ROOT/deploy/pg.sh" stop "$PGDIR" >/dev/null 2>&1
	tap_is "$(code_of "$COUNCILD_URL/healthz")" 503 "healthz is 503 while the database is down"
	tap_is "$(code_of "$COUNCILD_URL/")" 200 "pages that need no database still answer"
	COUNCIL_PG_FAST=1 "$ROOT/deploy/pg.sh" start "$PGDIR" >/dev/null 2>&1
	got=000
	for i in $(seq 1 20); do
		got=$(code_of "$COUNCILD_URL/healthz")
		[ "$got" = 200 ] && break
		sleep 0.25
	done
	tap_is "$got" 200 "healthz is 200 again once the database is back (reconnects)"
	councild_stop
	tap_is "$COUNCILD_RC" 0 "councild exits 0 on SIGTERM"
	tap_unlike "$(cat "$OUT/councild-a.log")" "$SAN_RE" "no sanitizer report (database outage run)"
else
	tap_ok 1 "councild started for the database-outage test"
fi

# Graceful stop: a download in flight when SIGTERM arrives completes;
# new connections are refused meanwhile.
if councild_start "$OUT/good.conf" "$OUT/councild-b.log"; then
	curl -s --max-time 30 --limit-rate 400k -o "$OUT/big.out" \
		"$COUNCILD_URL/static/big.bin" &
	dl=$!
	sleep 1
	pid=$COUNCILD_PID
	kill -TERM "$pid"
	sleep 0.5
	tap_is "$(code_of "$COUNCILD_URL/healthz")" 000 \
		"after SIGTERM no new request is accepted"
	wait "$dl"; dlrc=$?
	tap_is "$dlrc" 0 "the download in flight at SIGTERM completes"
	tap_is "$(sha256sum <"$OUT/big.out" | cut -d' ' -f1)" \
		"$(sha256sum <"$COUNCIL_TEST_OUT/web/big.bin" | cut -d' ' -f1)" \
		"and every byte of it arrived"
	rc=0; wait "$pid" || rc=$?
	COUNCILD_PID=
	tap_is "$rc" 0 "councild exits 0 after finishing in-flight requests"
	tap_like "$(cat "$OUT/councild-b.log")" 'msg=stopped' "councild logs that it stopped"
	tap_unlike "$(cat "$OUT/councild-b.log")" "$SAN_RE" "no sanitizer report (graceful stop run)"
else
	tap_ok 1 "councild started for the graceful-stop test"
fi

# Issue 10 item 2: sign-ins beyond the password threads' queue get 503
# with Retry-After at once, and SIGTERM with sign-ins queued answers every
# one of them and stops cleanly.  One password thread, a queue of one.
cp "$OUT/good.conf" "$OUT/queue.conf"
printf 'password_checks = 1\nsignin_queue = 1\nsignin_ip_burst = 1000\n' >>"$OUT/queue.conf"
if councild_start "$OUT/queue.conf" "$OUT/councild-c.log"; then
	rm -f "$OUT"/q.*
	pids=()
	for i in $(seq 8); do
		curl -s --max-time 60 -D "$OUT/q.$i.h" -o /dev/null -H "Origin: $COUNCILD_URL" \
			--data-urlencode "email=queue-$i@example.invalid" \
			--data-urlencode "password=wrong" "$COUNCILD_URL/signin" &
		pids+=($!)
	done
	wait "${pids[@]}"	# not councild, also a child of this shell
	codes=$(for i in $(seq 8); do head -n1 "$OUT/q.$i.h" | cut -d' ' -f2; done | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
	n503=$(grep -l '^HTTP/1.1 503' "$OUT"/q.*.h 2>/dev/null | wc -l)
	nra=$(grep -il '^Retry-After: [0-9]' $(grep -l '^HTTP/1.1 503' "$OUT"/q.*.h 2>/dev/null) /dev/null 2>/dev/null | wc -l)
	tap_ok "$([ "$n503" -ge 1 ]; echo $?)" "eight sign-ins at once with one password thread and a queue of one: some get 503 ($codes)"
	tap_is "$nra" "$n503" "... each 503 with Retry-After"
	tap_ok "$([ "$(grep -l '^HTTP/1.1 401' "$OUT"/q.*.h | wc -l)" -ge 2 ]; echo $?)" "... and the checked ones 401"
	pids=()
	for i in $(seq 4); do
		curl -s --max-time 60 -o /dev/null -w '%{http_code}\n' -H "Origin: $COUNCILD_URL" \
			--data-urlencode "email=stop-$i@example.invalid" \
			--data-urlencode "password=wrong" "$COUNCILD_URL/signin" >"$OUT/s.$i" &
		pids+=($!)
	done
	sleep 0.2
	councild_stop
	wait "${pids[@]}"
	tap_is "$COUNCILD_RC" 0 "SIGTERM with sign-ins waiting: councild exits 0"
	tap_is "$(cat "$OUT"/s.* | grep -cE '^(401|503)$')" 4 "... having answered each of them (401 or 503)"
	tap_unlike "$(cat "$OUT/councild-c.log")" "$SAN_RE" "no sanitizer report (sign-in queue run)"
else
	tap_ok 1 "councild started for the sign-in queue test"
fi

tap_done
