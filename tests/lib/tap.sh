# tap.sh: a tiny TAP (Test Anything Protocol) library for bash test scripts.
# shellcheck shell=bash
#
# Source it, then:
#   some_command; tap_ok $? "description"     # passes when the status is 0
#   tap_is   "$got" "$expected" "description" # exact string equality
#   tap_like "$got" 'regex'     "description" # grep -E match (multi-line ok)
#   tap_unlike "$got" 'regex'   "description" # no line matches
#   tap_diag "text"                           # a "# text" comment line
#   tap_done                                  # prints 1..N; status 1 if any failed
#
# Needs only bash, coreutils and grep.

TAP_N=0
TAP_FAILED=0

# Print each line of $2 as a diagnostic, prefixed with "#   $1".
_tap_diag_value() {
	local label=$1 value=$2 line first=1
	# Keep diagnostics readable: cap very long values.
	if [ "${#value}" -gt 800 ]; then
		value="${value:0:800}...(${#2} chars)"
	fi
	while IFS= read -r line || [ -n "$line" ]; do
		if [ "$first" = 1 ]; then
			printf '#   %s: %s\n' "$label" "$line"
			first=0
		else
			printf '#   %*s  %s\n' "${#label}" '' "$line"
		fi
	done <<<"$value"
}

tap_diag() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

# _tap_result PASSED(0|1) DESC
_tap_result() {
	TAP_N=$((TAP_N + 1))
	# A "#" in a description would start a TAP directive; escape it.
	local desc=${2//#/\\#}
	if [ "$1" = 1 ]; then
		printf 'ok %d - %s\n' "$TAP_N" "$desc"
		return 0
	fi
	TAP_FAILED=$((TAP_FAILED + 1))
	printf 'not ok %d - %s\n' "$TAP_N" "$desc"
	return 1
}

# tap_ok STATUS DESC: passes when STATUS is 0 (pass "$?" of a test command).
tap_ok() {
	local status=$1 desc=$2
	if [ "$status" = 0 ]; then
		_tap_result 1 "$desc"
	else
		_tap_result 0 "$desc"
		printf '#   exit status: %s\n' "$status"
		return 1
	fi
}

# tap_is GOT EXPECTED DESC
tap_is() {
	if [ "$1" == "$2" ]; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		_tap_diag_value "     got" "$1"
		_tap_diag_value "expected" "$2"
		return 1
	fi
}

# tap_like GOT REGEX DESC: passes when some line of GOT matches the
# extended regular expression REGEX.
tap_like() {
	if printf '%s\n' "$1" | grep -Eq -e "$2"; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		_tap_diag_value "     got" "$1"
		_tap_diag_value "expected" "to match /$2/"
		return 1
	fi
}

# tap_unlike GOT REGEX DESC: passes when no line of GOT matches REGEX.
tap_unlike() {
	if ! printf '%s\n' "$1" | grep -Eq -e "$2"; then
		_tap_result 1 "$3"
	else
		_tap_result 0 "$3"
		_tap_diag_value "     got" "$1"
		_tap_diag_value "expected" "not to match /$2/"
		return 1
	fi
}

# tap_skip DESC REASON
tap_skip() {
	TAP_N=$((TAP_N + 1))
	printf 'ok %d - %s # SKIP %s\n' "$TAP_N" "${1//#/\\#}" "$2"
}

# tap_done: print the plan; return 1 if any test failed (or none ran).
tap_done() {
	printf '1..%d\n' "$TAP_N"
	if [ "$TAP_FAILED" -gt 0 ]; then
		printf '# failed %d of %d tests\n' "$TAP_FAILED" "$TAP_N"
		return 1
	fi
	[ "$TAP_N" -gt 0 ]
}
