# tests/ops/councild.sh: start and stop a real councild for tests (sourced).
# Needs COUNCILD (the binary).  councild_start sets COUNCILD_PID and
# COUNCILD_URL (read from the "msg=listening" log line: the configuration
# may say listen_port = 0).

# councild_start CONF LOG: returns 0 once it listens, 1 if it died or took
# longer than 30 s.
councild_start() {
	local conf=$1 log=$2 i url
	"$COUNCILD" -c "$conf" 2>>"$log" &
	COUNCILD_PID=$!
	for i in $(seq 1 300); do
		url=$(grep -o 'msg=listening url=[^ ]*' "$log" 2>/dev/null | tail -1)
		if [ -n "$url" ]; then
			url=${url#msg=listening url=}
			COUNCILD_URL=${url%/}
			export COUNCILD_PID COUNCILD_URL
			return 0
		fi
		kill -0 "$COUNCILD_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# councild_stop: SIGTERM and wait; sets COUNCILD_RC to councild's exit
# status.  Call it in the shell that started councild (not in $(...): only
# the parent can wait for it).
councild_stop() {
	COUNCILD_RC=0
	[ -n "${COUNCILD_PID:-}" ] || return 0
	kill -TERM "$COUNCILD_PID" 2>/dev/null || true
	wait "$COUNCILD_PID" 2>/dev/null || COUNCILD_RC=$?
	COUNCILD_PID=
}
