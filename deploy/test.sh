#!/usr/bin/env bash
# deploy/test.sh: the README's second command.  Sets everything up (as
# deploy/run-demo.sh does, but with a throw-away cluster and an ASan+UBSan
# build) and runs every test layer:
#   1. C unit tests (Check), under ASan/UBSan          make check
#      libFuzzer: every harness 10 s on its seeds       make fuzz; tests/fuzz/run.sh --tap
#   2. councilctl against a real cluster               tests/ops/migrate.sh
#   3. SQL tests (pgTAP) against the same cluster      tests/sql/*.sql
#      the access matrix against an independent oracle  tests/matrix/run.sh
#      the general assembly against an oracle (property) tests/property/assembly.py
#      the audit chain and councilctl audit verify      tests/ops/audit.sh
#      every rule ID enforced, tested, in docs/rules.md tests/ops/rules.sh
#      server/ in layers, pointing down, no circle      tests/ops/layers.sh
#   4. black-box HTTP tests against the real councild  tests/http/run.sh
#      real STIX/TAXII clients (OASIS, issue 15)        tests/interop/run.sh
#      sign-in, second factor, sessions, API tokens     tests/http/auth.sh
#      member pages and API: hidden ids look absent      tests/http/portal.sh
#      the attack pass's findings (issue 10)             tests/http/hardening.sh
#      feed filters, paging, unread marks and search     tests/http/feed.sh
#      attached files: bytes, headers, limits, hidden     tests/http/attach.sh
#      settings, organisation administration, roster   tests/http/settings.sh
#      feedback, advice, preview, API writes (R-TF-1/5)   tests/http/feedback.sh
#      notifications and My tasks follow visibility       tests/http/notify.sh
#      forms say what happened once; confirmations        tests/http/forms.sh
#      steering committee: a restriction takes effect     tests/http/committee.sh
#      virtual general assembly: quorum, proxies, count   tests/http/assembly.sh
#      joining, withdrawal, dissolution (R-ORG-2/3/8)     tests/http/membership.sh
#      task-force admission and review (R-TF-3/4/5)     tests/http/tfstatus.sh
#      incident reports: one window, deadlines (R-NEW-3)  tests/http/incidents.sh
#      joint hearings: the reporter consents (R-NEW-3)   tests/http/hearings.sh
#      per-incident groups, per-member consent (R-SCOPE-4) tests/http/incident_groups.sh
#      from report to warning (R-SCOPE-4, R-NEW-5)       tests/http/warnings.sh
#      violation reports to the secretariat (R-VIOL-1)    tests/http/violations.sh
#      groups made in the portal, as scopes (R-NEW-2)     tests/http/groups.sh
#      support requests to CYMAT, request to end (R-CYMAT-1) tests/http/cymat.sh
#      non-members: provenance, relays, handlers (R-NONMEM-1) tests/http/nonmembers.sh
#      the secretariat's access cases, closing (R-ORG-6)  tests/http/access.sh
#      the asset registry: who sees, CPE names (R-NEW-4)  tests/http/assets.sh
#      depth by class: damage and method (R-TF-6)        tests/http/depth.sh
#      vulnerability data matched to assets (R-NEW-4)    tests/http/vulns.sh
#      early warnings by real e-mail (SMTP, S/MIME;      tests/http/mail_smtp.sh
#      R-ORG-10)
#      need to know, uses of a post (R-TF-7/8, R-ORG-9)   tests/http/uses.sh
#      handlers' training and yearly list (R-NEW-6)       tests/http/training.sh
#      one analysis in tiered renditions (R-NEW-1)       tests/http/renditions.sh
#      scope presets, TAXII write collections (issue 15) tests/http/presets.sh
#      correlation under scope (issue 15, M25)           tests/http/correlation.sh
#      MISP in and out: export, drafts (issue 15)        tests/http/misp.sh
#      TAXII 2.1: tokens, media types, limits, hidden=absent tests/http/taxii.sh
#      Prometheus /metrics: its token, the format, counts tests/http/metrics.sh
#      membership periods, secrets' reach, secretariat   tests/http/sharing.sh
#   5. headless Chromium against the real councild     tests/browser/signin.mjs
#      consultation, feedback, tally, R-SCOPE-2 journeys  tests/browser/journeys.mjs
#      a whole general assembly with 30 members          tests/browser/general_assembly.mjs
#      the layout at 1280 and 390 px, every persona's pages  tests/browser/layout.mjs
#      the member's day: six personas' journeys at both widths tests/browser/day.mjs
#      an incident reported once, acknowledged, completed  tests/browser/incidents.mjs
#      a CYMAT case from request to closure (R-CYMAT-1)   tests/browser/cymat.mjs
#      tiered renditions, assets, a targeted warning by e-mail tests/browser/govinfo.sh
#   6. councild's life cycle: bad starts, database loss, graceful stop
#                                                      tests/ops/lifecycle.sh
#      the audit chain anchored: signed checkpoints in a file and mailed
#                                                      tests/ops/anchor.sh
#      the demo from a private folder (mode 0700)      tests/ops/clone.sh
#      systemd units: verified, sandboxed (issue 16)   tests/ops/units.sh
#      the cluster under faults (issue 16): councild   tests/cluster/run.sh
#      and the primary killed under load, no primary, a poll's close,
#      point-in-time restore, TLS (deploy/cluster.sh, testssl.sh)
#   7. make distcheck                                  (one test)
# Every layer speaks TAP; the last line is "N passed, N failed, N skipped".
# Output of each layer is kept in var/test/.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$ROOT/deploy/install-deps.sh" || die "cannot install dependencies"

OUT=$ROOT/var/test
PGDIR=$OUT/pg
# Clusters of checkouts deleted without "deploy/pg.sh destroy" (root only).
[ "$(id -u)" = 0 ] && "$ROOT/deploy/pg.sh" prune >/dev/null 2>&1
"$ROOT/deploy/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || true
[ -d "$OUT" ] && { "$ROOT/deploy/pg.sh" destroy "$PGDIR" >/dev/null 2>&1 || true; rm -rf "$OUT"; }
mkdir -p "$OUT"

BUILD=$(council_build test --enable-sanitizers) || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export COUNCIL_SRCDIR=$ROOT

PASSED=0 FAILED=0 SKIPPED=0
# count LAYER FILE [EXIT]: add FILE's TAP results to the totals.  A layer
# that exited non-zero without a failing test line counts one failure
# (a crash, a bad plan).
count() {
	local layer=$1 file=$2 rc=${3:-0} ok notok skip
	ok=$(grep -cE '^[[:space:]]*ok [0-9]+' "$file" || true)
	skip=$(grep -cE '^[[:space:]]*ok [0-9]+.*# (SKIP|skip)' "$file" || true)
	notok=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$file" || true)
	if [ "$rc" != 0 ] && [ "$notok" = 0 ]; then
		notok=1
		echo "not ok - $layer exited with status $rc" >>"$file"
	fi
	PASSED=$((PASSED + ok - skip))
	SKIPPED=$((SKIPPED + skip))
	FAILED=$((FAILED + notok))
	printf '%-10s %4d passed, %d failed, %d skipped   (%s)\n' "$layer" \
		"$((ok - skip))" "$notok" "$skip" "${file#"$ROOT"/}"
	# Each failure with the diagnostics (# lines) that follow it, so that
	# a failure on a machine nobody can log into explains itself.
	[ "$notok" = 0 ] || awk '
		/^[[:space:]]*not ok/ { shown++; on = (shown <= 20); if (on) { print "    " $0; d = 0 }; next }
		/^[[:space:]]*#/ && on { if (d++ < 15) print "      " $0; next }
		{ on = 0 }' "$file"
}

# 1. Unit tests: each program writes TAP into its automake .log file.
say "unit tests"
CK_TAP_LOG_FILE_NAME=- CK_VERBOSITY=silent make -C "$BUILD" check >"$OUT/unit.out" 2>&1
unit_rc=$?
: >"$OUT/unit.tap"
for log in "$BUILD"/tests/unit/*_test.log; do
	[ -f "$log" ] || continue
	cat "$log" >>"$OUT/unit.tap"
	trs=${log%.log}.trs
	if grep -q ':test-result: FAIL' "$trs" 2>/dev/null && ! grep -qE '^not ok' "$log"; then
		echo "not ok - $(basename "$log" .log) crashed or failed outside a test" >>"$OUT/unit.tap"
	fi
done
[ -s "$OUT/unit.tap" ] || echo "not ok - no unit test ran (make check: $unit_rc)" >>"$OUT/unit.tap"
count unit "$OUT/unit.tap"

# libFuzzer: each harness of tests/fuzz/ for a short, bounded time on its
# seed corpus (COUNCIL_FUZZ_SECONDS, default 10), one test per target with
# its executions; a crash's reproducer stays in var/test/fuzz/.
say "fuzz"
if make -C "$BUILD" -j"$(nproc)" fuzz >"$OUT/fuzz-build.out" 2>&1; then
	FUZZ_BIN=$BUILD/fuzz FUZZ_OUT=$OUT/fuzz "$ROOT/tests/fuzz/run.sh" --tap \
		"${COUNCIL_FUZZ_SECONDS:-10}" >"$OUT/fuzz.tap" 2>"$OUT/fuzz.err"
	count fuzz "$OUT/fuzz.tap" $?
else
	echo "not ok 1 - make fuzz (see var/test/fuzz-build.out)" >"$OUT/fuzz.tap"
	count fuzz "$OUT/fuzz.tap"
fi

# 2. The throw-away cluster, migrated and seeded by councilctl (tested).
say "database: throw-away cluster in ${PGDIR#"$ROOT"/}"
COUNCIL_PG_FAST=1 "$ROOT/deploy/pg.sh" start "$PGDIR" || die "cannot start the test cluster"
export COUNCILCTL=$BUILD/server/councilctl
export COUNCIL_OWNER_DSN
COUNCIL_OWNER_DSN=$("$ROOT/deploy/pg.sh" conninfo "$PGDIR" council_owner)
"$ROOT/tests/ops/migrate.sh" "$PGDIR" >"$OUT/migrate.tap" 2>"$OUT/migrate.err"
count councilctl "$OUT/migrate.tap" $?

# 3. pgTAP.  Test clusters only: council_app may use pgTAP's schema.
say "pgTAP"
"$ROOT/deploy/pg.sh" psql "$PGDIR" -c 'CREATE SCHEMA IF NOT EXISTS tap' \
	-c 'CREATE EXTENSION IF NOT EXISTS pgtap SCHEMA tap' \
	-c 'GRANT USAGE ON SCHEMA tap TO council_app, council_signin' \
	-c 'GRANT TEMP ON DATABASE council TO council_app, council_signin' \
	-c "ALTER DATABASE council SET search_path = \"\$user\", public, tap" >/dev/null
(cd "$ROOT" && PGPASSFILE=$PGDIR/passfile pg_prove -v -h "$PGDIR/run" -U postgres \
	-d council tests/sql/*.sql) >"$OUT/sql.tap" 2>&1
count pgtap "$OUT/sql.tap" $?

# The general assembly against an oracle written from the Rules' text:
# random assemblies (members, presence, proxies, votes, the committee),
# each rolled back (R-GOV-3, R-GOV-4; docs/governance.md).
say "property tests"
"$ROOT/tests/property/assembly.py" "$PGDIR" >"$OUT/property.tap" 2>"$OUT/property.err"
count property "$OUT/property.tap" $?

# The access matrix: every (person, post) pair of the demo council and a
# random one, against an oracle written from the rules (docs/sharing.md).
# Opt-in (COUNCIL_TEST_MATRIX=1): at the size the sharing issue asks for
# (2,000 people x 5,000 posts, every pair) it took about 30 minutes on a
# 2-core machine in 2026-11, 4 minutes in 2026-12; with incident reports,
# CYMAT cases, violation reports and access cases (issue 13) about 24
# minutes; docs/sharing.md and tests/matrix/README.md record the runs.
if [ -n "${COUNCIL_TEST_MATRIX:-}" ]; then
	say "access matrix"
	"$ROOT/tests/matrix/run.sh" "$PGDIR" >"$OUT/matrix.tap" 2>"$OUT/matrix.err"
	count matrix "$OUT/matrix.tap" $?
fi

# The audit log's chain and its verifier, in a database of their own.
say "audit log"
"$ROOT/tests/ops/audit.sh" "$PGDIR" >"$OUT/audit.tap" 2>"$OUT/audit.err"
count audit "$OUT/audit.tap" $?

# The council's rules: docs/rules.md against the tree (issue 11 item 6):
# a rule named in code is named by a test, every ID named is a rule of
# the list, and what the list says is enforced where still names it.
say "rules"
"$ROOT/tests/ops/rules.sh" >"$OUT/rules.tap" 2>"$OUT/rules.err"
count rules "$OUT/rules.tap" $?
# The house's shape (issue 11): core, web, kit, pages, site, each file
# pointing only downward, no circle of files.
"$ROOT/tests/ops/layers.sh" >"$OUT/layers.tap" 2>"$OUT/layers.err"
count layers "$OUT/layers.tap" $?

# 4-6. The real councild (sanitizer build) on a free port.
say "councild"
mkdir -p "$OUT/web"
cp -R "$ROOT/web/." "$OUT/web/"
head -c 2097152 /dev/urandom >"$OUT/web/big.bin"	# for the graceful-stop test
council_config "$OUT/councild.conf" 0 "$PGDIR"
sed -i "s|^web_root = .*|web_root = \"$OUT/web\"|" "$OUT/councild.conf"
# One address (127.0.0.1) runs every sign-in of the HTTP and browser layers
# within a minute: more than a person would.  The per-account throttle is
# what tests/http/auth.sh proves, and it keeps its defaults.
echo "signin_ip_burst = 200" >>"$OUT/councild.conf"
# Checkpoints of the audit chain every minute the log grows, so that the
# check after every layer has several to verify against.
echo "audit_checkpoint_interval = 60" >>"$OUT/councild.conf"
export COUNCILD=$BUILD/server/councild COUNCIL_TEST_OUT=$OUT COUNCIL_PGDIR=$PGDIR
export COUNCIL_MAIL_DIR=$OUT/mail	# council_config's mail_dir
. "$ROOT/tests/ops/councild.sh"
councild_start "$OUT/councild.conf" "$OUT/councild.log" || die "councild did not start"

say "HTTP tests against $COUNCILD_URL"
COUNCILD_LOG=$OUT/councild.log COUNCILD_PID=$COUNCILD_PID \
	"$ROOT/tests/http/run.sh" "$COUNCILD_URL" >"$OUT/http.tap" 2>"$OUT/http.err"
count http "$OUT/http.tap" $?
# Issue 15's proof with real clients: the OASIS committee's taxii2client,
# stix2, pattern validator and STIX 2.1 JSON Schemas (../shared/interop)
# against the real councild: feeds, schemas, paging, pushes.
say "interoperability (taxii2client, stix2) against $COUNCILD_URL"
"$ROOT/tests/interop/run.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/interop.tap" 2>"$OUT/interop.err"
count interop "$OUT/interop.tap" $?

say "sign-in, sessions and API tokens against $COUNCILD_URL"
"$ROOT/tests/http/auth.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/auth.tap" 2>"$OUT/auth.err"
count auth "$OUT/auth.tap" $?
"$ROOT/tests/http/portal.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/portal.tap" 2>"$OUT/portal.err"
count portal "$OUT/portal.tap" $?
COUNCILD_LOG=$OUT/councild.log \
	"$ROOT/tests/http/hardening.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/hardening.tap" 2>"$OUT/hardening.err"
count hardening "$OUT/hardening.tap" $?
COUNCILD_LOG=$OUT/councild.log \
	"$ROOT/tests/http/feed.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/feed.tap" 2>"$OUT/feed.err"
count feed "$OUT/feed.tap" $?
"$ROOT/tests/http/attach.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/attach.tap" 2>"$OUT/attach.err"
count attach "$OUT/attach.tap" $?
"$ROOT/tests/http/settings.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/settings.tap" 2>"$OUT/settings.err"
count settings "$OUT/settings.tap" $?
"$ROOT/tests/http/feedback.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/feedback.tap" 2>"$OUT/feedback.err"
count feedback "$OUT/feedback.tap" $?
"$ROOT/tests/http/notify.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/notify.tap" 2>"$OUT/notify.err"
count notify "$OUT/notify.tap" $?
"$ROOT/tests/http/forms.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/forms.tap" 2>"$OUT/forms.err"
count forms "$OUT/forms.tap" $?
"$ROOT/tests/http/committee.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/committee.tap" 2>"$OUT/committee.err"
count committee "$OUT/committee.tap" $?
"$ROOT/tests/http/assembly.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/assembly.tap" 2>"$OUT/assembly.err"
count assembly "$OUT/assembly.tap" $?
"$ROOT/tests/http/membership.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/membership.tap" 2>"$OUT/membership.err"
count membership "$OUT/membership.tap" $?
"$ROOT/tests/http/tfstatus.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/tfstatus.tap" 2>"$OUT/tfstatus.err"
count tf-status "$OUT/tfstatus.tap" $?
"$ROOT/tests/http/incidents.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/incidents.tap" 2>"$OUT/incidents.err"
count incidents "$OUT/incidents.tap" $?
"$ROOT/tests/http/hearings.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/hearings.tap" 2>"$OUT/hearings.err"
count hearings "$OUT/hearings.tap" $?
"$ROOT/tests/http/incident_groups.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/incident_groups.tap" 2>"$OUT/incident_groups.err"
count incident-groups "$OUT/incident_groups.tap" $?
"$ROOT/tests/http/warnings.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/warnings.tap" 2>"$OUT/warnings.err"
count warnings "$OUT/warnings.tap" $?
"$ROOT/tests/http/violations.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/violations.tap" 2>"$OUT/violations.err"
count violations "$OUT/violations.tap" $?
"$ROOT/tests/http/groups.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/groups.tap" 2>"$OUT/groups.err"
count groups "$OUT/groups.tap" $?
"$ROOT/tests/http/cymat.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/cymat.tap" 2>"$OUT/cymat.err"
count cymat "$OUT/cymat.tap" $?
"$ROOT/tests/http/nonmembers.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/nonmembers.tap" 2>"$OUT/nonmembers.err"
count nonmembers "$OUT/nonmembers.tap" $?
"$ROOT/tests/http/access.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/access.tap" 2>"$OUT/access.err"
count access "$OUT/access.tap" $?
"$ROOT/tests/http/assets.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/assets.tap" 2>"$OUT/assets.err"
count assets "$OUT/assets.tap" $?
"$ROOT/tests/http/depth.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/depth.tap" 2>"$OUT/depth.err"
count depth "$OUT/depth.tap" $?
"$ROOT/tests/http/vulns.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/vulns.tap" 2>"$OUT/vulns.err"
count vulns "$OUT/vulns.tap" $?
# A second councild on the same database sends through a real SMTP server
# (the suite's own is paused meanwhile: COUNCILD_PID).
COUNCILD_PID=$COUNCILD_PID \
	"$ROOT/tests/http/mail_smtp.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/mail_smtp.tap" 2>"$OUT/mail_smtp.err"
count mail-smtp "$OUT/mail_smtp.tap" $?
# Issue 16 item 1: a second councild on the same database, as a cluster's
# instance (trusted proxy, shared throttle, no database for a moment).
COUNCILD_PID=$COUNCILD_PID COUNCILD_LOG=$OUT/councild.log \
	"$ROOT/tests/http/proxy.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/proxy.tap" 2>"$OUT/proxy.err"
count proxy "$OUT/proxy.tap" $?
"$ROOT/tests/http/uses.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/uses.tap" 2>"$OUT/uses.err"
count uses "$OUT/uses.tap" $?
"$ROOT/tests/http/training.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/training.tap" 2>"$OUT/training.err"
count training "$OUT/training.tap" $?
"$ROOT/tests/http/renditions.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/renditions.tap" 2>"$OUT/renditions.err"
count renditions "$OUT/renditions.tap" $?
"$ROOT/tests/http/presets.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/presets.tap" 2>"$OUT/presets.err"
count presets "$OUT/presets.tap" $?
"$ROOT/tests/http/correlation.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/correlation.tap" 2>"$OUT/correlation.err"
count correlation "$OUT/correlation.tap" $?
"$ROOT/tests/http/misp.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/misp.tap" 2>"$OUT/misp.err"
count misp "$OUT/misp.tap" $?
"$ROOT/tests/http/taxii.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/taxii.tap" 2>"$OUT/taxii.err"
count taxii "$OUT/taxii.tap" $?
# Issue 16: GET /metrics (the token of council_config's metrics.token; a
# second councild without one answers 404).
COUNCILD_LOG=$OUT/councild.log \
	"$ROOT/tests/http/metrics.sh" "$COUNCILD_URL" "$PGDIR" "$OUT/metrics.token" >"$OUT/metrics.tap" 2>"$OUT/metrics.err"
count metrics "$OUT/metrics.tap" $?
# After lifecycle.sh: it may wait a minute for the application throttle.
"$ROOT/tests/http/sharing.sh" "$COUNCILD_URL" "$PGDIR" >"$OUT/sharing.tap" 2>"$OUT/sharing.err"
count sharing "$OUT/sharing.tap" $?

say "browser (Chromium)"
(
	cd "$ROOT/tests/browser" || exit 1
	if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules ]; then
		npm ci --no-audit --no-fund --loglevel=error >"$OUT/npm.out" 2>&1 || exit 1
		touch node_modules
	fi
	node signin.mjs "$COUNCILD_URL" "$OUT/screenshots" "$PGDIR"
) >"$OUT/browser.tap" 2>"$OUT/browser.err"
count browser "$OUT/browser.tap" $?
(
	cd "$ROOT/tests/browser" || exit 1
	node journeys.mjs "$COUNCILD_URL" "$OUT/screenshots" "$PGDIR"
) >"$OUT/journeys.tap" 2>"$OUT/journeys.err"
count journeys "$OUT/journeys.tap" $?
(
	cd "$ROOT/tests/browser" || exit 1
	node general_assembly.mjs "$COUNCILD_URL" "$OUT/screenshots" "$PGDIR"
) >"$OUT/assembly-browser.tap" 2>"$OUT/assembly-browser.err"
count ga-browser "$OUT/assembly-browser.tap" $?
(
	cd "$ROOT/tests/browser" || exit 1
	node layout.mjs "$COUNCILD_URL" "$OUT/screenshots/layout" "$PGDIR"
) >"$OUT/layout.tap" 2>"$OUT/layout.err"
count layout "$OUT/layout.tap" $?
(
	cd "$ROOT/tests/browser" || exit 1
	node day.mjs "$COUNCILD_URL" "$OUT/screenshots/day" "$PGDIR"
) >"$OUT/day.tap" 2>"$OUT/day.err"
count day "$OUT/day.tap" $?
(
	cd "$ROOT/tests/browser" || exit 1
	node incidents.mjs "$COUNCILD_URL" "$OUT/screenshots/incidents" "$PGDIR"
) >"$OUT/incidents-browser.tap" 2>"$OUT/incidents-browser.err"
count inc-browser "$OUT/incidents-browser.tap" $?
(
	cd "$ROOT/tests/browser" || exit 1
	node cymat.mjs "$COUNCILD_URL" "$OUT/screenshots/cymat" "$PGDIR"
) >"$OUT/cymat-browser.tap" 2>"$OUT/cymat-browser.err"
count cym-browser "$OUT/cymat-browser.tap" $?
# Issue 14: renditions, assets, a CSAF advisory and its targeted warning,
# read in a real SMTP server's mailbox (a second councild sends through it;
# the suite's own is paused meanwhile: COUNCILD_PID).
COUNCILD_PID=$COUNCILD_PID "$ROOT/tests/browser/govinfo.sh" "$OUT/screenshots/govinfo" "$PGDIR" \
	>"$OUT/govinfo-browser.tap" 2>"$OUT/govinfo-browser.err"
count gov-browser "$OUT/govinfo-browser.tap" $?

say "the audit chain after every layer"
# Every notice, attendance, proxy, ballot, count, decision and withdrawal
# the layers above made is in the hash-chained log (issue 5, event log),
# and the chain passes through every checkpoint the test councild signed
# meanwhile (issue 10 item 6; the file council_config names).
{
	if out=$("$COUNCILCTL" -d "$COUNCIL_OWNER_DSN" audit verify 2>&1); then
		echo "ok 1 - councilctl audit verify holds after every layer ($(echo "$out" | tr '\n' ' '))"
	else
		echo "not ok 1 - councilctl audit verify after every layer"
		echo "$out" | sed 's/^/# /'
	fi
	if out=$("$COUNCILCTL" -d "$COUNCIL_OWNER_DSN" audit verify \
	    --checkpoints "$OUT/audit-checkpoints" --pubkey "$COUNCIL_ANCHOR_PUB" 2>&1); then
		echo "ok 2 - and passes through every checkpoint councild signed ($(echo "$out" | tail -1))"
	else
		echo "not ok 2 - councilctl audit verify --checkpoints against the test councild's checkpoints"
		echo "$out" | sed 's/^/# /'
	fi
	echo "1..2"
} >"$OUT/audit-end.tap"
count audit-end "$OUT/audit-end.tap" 0

say "life cycle"
"$ROOT/tests/ops/lifecycle.sh" >"$OUT/lifecycle.tap" 2>"$OUT/lifecycle.err"
count lifecycle "$OUT/lifecycle.tap" $?

say "the audit anchor"
"$ROOT/tests/ops/anchor.sh" >"$OUT/anchor.tap" 2>"$OUT/anchor.err"
count anchor "$OUT/anchor.tap" $?

say "the demo from a private folder"
"$ROOT/tests/ops/clone.sh" >"$OUT/clone.tap" 2>"$OUT/clone.err"
count clone "$OUT/clone.tap" $?

say "systemd units"
"$ROOT/tests/ops/units.sh" "$PGDIR" >"$OUT/units.tap" 2>"$OUT/units.err"
count units "$OUT/units.tap" $?

# The instance that served layers 4 and 5 must stop cleanly, with no
# sanitizer report after all those requests.
councild_stop
{
	[ "$COUNCILD_RC" = 0 ] && echo "ok 1 - councild exits 0 on SIGTERM" \
		|| echo "not ok 1 - councild exited with $COUNCILD_RC"
	if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$OUT/councild.log"; then
		echo "not ok 2 - sanitizer report in var/test/councild.log"
	else
		echo "ok 2 - no sanitizer report in councild's log"
	fi
} >"$OUT/exit.tap"
count sanitizers "$OUT/exit.tap"

# Issue 16: the production shape on this machine (deploy/cluster.sh, fresh,
# destroyed at the end), broken on purpose: a councild and the primary
# killed under 1,000 posts each, no primary at all, a poll closing as a
# councild dies, backup and point-in-time restore, TLS.  The numbers go
# to var/test/cluster-faults.txt.  ok 1 # SKIP where Patroni and the rest
# are missing.
say "cluster faults (deploy/cluster.sh)"
COUNCIL_BUILD_DIR=$BUILD "$ROOT/tests/cluster/run.sh" >"$OUT/cluster.tap" 2>"$OUT/cluster.err"
count cluster "$OUT/cluster.tap" $?

# 7. The distribution builds and passes its own checks.
say "make distcheck"
DIST=$(council_build dist) || exit 1
if make -C "$DIST" distcheck >"$OUT/distcheck.out" 2>&1; then
	echo "ok 1 - make distcheck" >"$OUT/distcheck.tap"
else
	echo "not ok 1 - make distcheck (see var/test/distcheck.out)" >"$OUT/distcheck.tap"
fi
# What "make install" installs must be whole: every migration, policy,
# template, catalog and static file of the tree is in the tarball.
{
	tarball=$(ls -t "$DIST"/council-portal-*.tar.gz 2>/dev/null | head -1)
	tar tzf "$tarball" 2>/dev/null | sed 's|^[^/]*/||' >"$OUT/dist.list"
	missing=$(cd "$ROOT" && for f in migrations/*.sql policy/*.sql templates/*.xhtml po/*.po \
		$(find web -type f) server/*/*.c server/*/*.h; do
		grep -qxF "$f" "$OUT/dist.list" || echo "$f"
	done)
	if [ -n "$tarball" ] && [ -z "$missing" ]; then
		echo "ok 2 - the tarball holds every migration, policy, template, catalog, static and source file"
	else
		echo "not ok 2 - files missing from the tarball (Makefile.am): $(echo $missing)"
	fi
} >>"$OUT/distcheck.tap"
count distcheck "$OUT/distcheck.tap"

"$ROOT/deploy/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || true
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" = 0 ]
