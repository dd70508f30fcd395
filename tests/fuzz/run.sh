#!/usr/bin/env bash
# tests/fuzz/run.sh [--tap] [SECONDS] [TARGET...]: run the libFuzzer
# harnesses (tests/fuzz/targets) one at a time, each for SECONDS (default
# 300) on its seed corpus, and print how many inputs each executed.
#
#   tests/fuzz/run.sh               every target, 300 s each
#   tests/fuzz/run.sh 60 tmpl form  two targets, 60 s each
#
# Builds them first (tests/fuzz/fuzz.mk into var/build/libfuzzer: not
# var/build/fuzz, which "tests/dev.sh fuzz" would use) unless
# FUZZ_BIN names a folder that holds them already ("make fuzz" in a
# configured build folder puts them in BUILD/fuzz).  New inputs
# the fuzzer finds go to var/fuzz/corpus/TARGET (kept from run to run,
# never into the seed corpus in the tree); a crash's reproducer and the
# log go to var/fuzz/.  Replay a reproducer with
# var/build/libfuzzer/TARGET_fuzz FILE.
#
# --tap (deploy/test.sh's fuzz layer): TAP, one test per target, the
# executions in its description; a fresh work corpus; output and
# reproducers in FUZZ_OUT (default var/test/fuzz).
# Exit status: 0 when no target crashed.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

TAP=0
if [ "${1:-}" = --tap ]; then
	TAP=1
	shift
fi
SECONDS_EACH=300
case ${1:-} in
'' | *[!0-9]*) ;;
*) SECONDS_EACH=$1; shift ;;
esac

# The targets and their own options.
declare -A OPTS
ALL=()
while read -r name opts; do
	case $name in '' | '#'*) continue ;; esac
	ALL+=("$name")
	OPTS[$name]=$opts
done <"$ROOT/tests/fuzz/targets"
if [ $# -gt 0 ]; then
	TARGETS=("$@")
	for t in "${TARGETS[@]}"; do
		[ -n "${OPTS[$t]+x}" ] || { echo "run.sh: no target $t" >&2; exit 2; }
	done
else
	TARGETS=("${ALL[@]}")
fi

if [ "$TAP" = 1 ]; then
	OUT=${FUZZ_OUT:-$ROOT/var/test/fuzz}
else
	OUT=${FUZZ_OUT:-$ROOT/var/fuzz}
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ -z "${FUZZ_BIN:-}" ]; then
	FUZZ_BIN=$ROOT/var/build/libfuzzer
	make -s -f "$ROOT/tests/fuzz/fuzz.mk" top_srcdir="$ROOT" O="$FUZZ_BIN" \
		-j2 >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
fi
FUZZ_BIN=$(cd "$FUZZ_BIN" && pwd) || exit 1

# The templates and catalogs the tmpl and markup harnesses load.
export COUNCIL_SRCDIR=$ROOT
# libFuzzer reports leaks itself; a UBSan report stops the run.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

n=0 failed=0
for t in "${TARGETS[@]}"; do
	n=$((n + 1))
	bin=$FUZZ_BIN/${t}_fuzz
	log=$OUT/$t.log
	if [ "$TAP" = 1 ]; then
		work=$OUT/$t.corpus
		rm -rf "$work"
	else
		work=$OUT/corpus/$t
	fi
	mkdir -p "$work"
	rm -f "$OUT/$t"-crash-* "$OUT/$t"-leak-* "$OUT/$t"-timeout-* "$OUT/$t"-oom-*
	args=(-max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10
		-rss_limit_mb=2048 -artifact_prefix="$OUT/$t-")
	[ -f "$ROOT/tests/fuzz/dict/$t.dict" ] && args+=(-dict="$ROOT/tests/fuzz/dict/$t.dict")
	# shellcheck disable=SC2206
	args+=(${OPTS[$t]})
	if [ -x "$bin" ]; then
		(cd "$OUT" && "$bin" "${args[@]}" "$work" "$ROOT/tests/fuzz/corpus/$t") >"$log" 2>&1
		rc=$?
	else
		echo "run.sh: $bin is missing" >"$log"
		rc=127
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -1)
	execs=${execs:-0}
	repro=$(ls "$OUT/$t"-crash-* "$OUT/$t"-leak-* "$OUT/$t"-timeout-* \
		"$OUT/$t"-oom-* 2>/dev/null | head -1)
	if [ "$rc" = 0 ]; then
		if [ "$TAP" = 1 ]; then
			echo "ok $n - fuzz $t: $execs executions in ${SECONDS_EACH} s, no crash"
		else
			printf '%-10s %10s executions in %4s s (%s/s)\n' "$t" "$execs" \
				"$SECONDS_EACH" "$((execs / (SECONDS_EACH > 0 ? SECONDS_EACH : 1)))"
		fi
	else
		failed=$((failed + 1))
		what="exit status $rc"
		[ -n "$repro" ] && what="reproducer ${repro#"$ROOT"/}"
		if [ "$TAP" = 1 ]; then
			echo "not ok $n - fuzz $t: failed after $execs executions ($what)"
			grep -E '^fuzz:|ERROR|SUMMARY|runtime error|#[0-9]+ 0x' "$log" | head -12 \
				| sed 's/^/# /'
			echo "# log: ${log#"$ROOT"/}"
		else
			printf '%-10s FAILED after %s executions (%s; log %s)\n' "$t" "$execs" \
				"$what" "${log#"$ROOT"/}"
		fi
	fi
done
[ "$TAP" = 1 ] && echo "1..$n"
[ "$failed" = 0 ]
