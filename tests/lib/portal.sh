# tests/lib/portal.sh: helpers of the black-box tests that act as members
# of the demo council (sourced; needs ROOT, B (base URL), PGDIR and T (a
# scratch folder)).  Sessions are made in the database: sign-in itself is
# tests/http/auth.sh's subject, and handlers would need a second factor.
#   sql Q                 one statement as the superuser, unaligned output
#   session EMAIL KIND    a live session token of the person (web or api)
#   json NAME EXPR        a Python expression over the JSON in $T/NAME (d)
#   csrf TOKEN            the form token of a browser session
#   api NAME TOKEN METHOD PATH [BODY [curl args]]
#                         an API call with a bearer token; $T/NAME, $code
#   page NAME TOKEN PATH [curl args]
#                         a page as a browser session; $T/NAME, $code
#   form NAME TOKEN PATH [--data-urlencode ...]
#                         a form POST as a browser session (same origin);
#                         $T/NAME, headers $T/NAME.h, $code, $loc
#   sc_seats              the steering committee's seats, chair first
#                         (SEATS), and an API token of each (TOK[email])
#   sc_pass JSON          a motion every seat attends and votes for; its id
#                         in $M, its status after the close in $MS
SC=__Host-council_session
sql() { "$ROOT/deploy/pg.sh" psql "$PGDIR" -qAt -c "$1"; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/$1" "$2" 2>/dev/null; }
session() {
	local tok
	tok=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	sql "INSERT INTO council.sessions (token_hash, person_id, expires_at, kind)
	     SELECT sha256(convert_to('$tok', 'UTF8')), id, now() + interval '1 hour', '$2'
	     FROM council.people WHERE email = '$1'" >/dev/null || return 1
	echo "$tok"
}
csrf() { printf 'council-csrf:%s' "$1" | sha256sum | cut -c1-64; }
api() {
	local body=${5-}
	if [ -n "$body" ]; then
		code=$(curl -sS --max-time 20 -o "$T/$1" -w '%{http_code}' -X "$3" \
		    -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
		    --data-binary "$body" "${@:6}" "$B$4" 2>/dev/null)
	else
		code=$(curl -sS --max-time 20 -o "$T/$1" -w '%{http_code}' -X "$3" \
		    -H "Authorization: Bearer $2" "$B$4" 2>/dev/null)
	fi
}
page() {
	code=$(curl -sS --max-time 20 -o "$T/$1" -w '%{http_code}' \
	    -H "Cookie: $SC=$2" "${@:4}" "$B$3" 2>/dev/null)
}
form() {
	code=$(curl -sS --max-time 20 -o "$T/$1" -D "$T/$1.h" -w '%{http_code}' \
	    -H "Cookie: $SC=$2" -H "Origin: $B" "${@:4}" "$B$3" 2>/dev/null)
	loc=$(tr -d '\r' <"$T/$1.h" | sed -n 's/^[Ll]ocation: //p')
}
# status_of NAME: the page's one-time message (role="status"; '' for none).
status_of() { grep -oE '<p class="done" role="status">[^<]*' "$T/$1" | sed 's/.*>//'; }
# page_done NAME TOKEN PATH DONE: a page with the session and the cookie
# "done" a form's redirect set (issue 17).
page_done() {
	code=$(curl -sS --max-time 20 -o "$T/$1" -D "$T/$1.h" -w '%{http_code}' \
	    -H "Cookie: $SC=$2; done=$4" "$B$3" 2>/dev/null)
}
sc_seats() {
	local e
	mapfile -t SEATS < <(sql "SELECT p.email FROM council.committee_members c
		JOIN council.people p ON p.id = c.person_id ORDER BY c.is_chair DESC, p.id")
	declare -gA TOK
	for e in "${SEATS[@]}"; do TOK[$e]=$(session "$e" api) || return 1; done
}
# sc_due M: set-up, not a step under test: motion M's poll, opened an hour
# ahead so that every seat votes in time however slow the machine, has
# reached its closing time now.  (Polls opened seconds ahead raced loaded
# machines, CI's among them.)  The close itself is still the server's:
# on the next read, or on its clock's round.
sc_due() { sql "UPDATE council.sc_motions SET closes_at = now() WHERE id = ${1:-0} AND status = 'open'" >/dev/null; }
sc_pass() {
	local e
	api sm "${TOK[${SEATS[1]}]}" POST /api/v1/committee/motions "$1"
	M=$(json sm 'd["id"]')
	for e in "${SEATS[@]}"; do api a "${TOK[$e]}" POST "/api/v1/committee/motions/$M" '{"action":"attend"}'; done
	api so "${TOK[${SEATS[0]}]}" POST "/api/v1/committee/motions/$M" \
	    "{\"action\":\"open\",\"closes_at\":\"$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)\"}"
	for e in "${SEATS[@]}"; do api v "${TOK[$e]}" POST "/api/v1/committee/motions/$M" '{"action":"vote","choice":"yes"}'; done
	sc_due "$M"
	for _ in $(seq 1 30); do
		sleep 1
		api sr "${TOK[${SEATS[1]}]}" GET "/api/v1/committee/motions/$M"
		MS=$(json sr 'd["status"]')
		[ "$MS" != open ] && break
	done
}

# vote_chart_desc FILE TURNOUT_LABEL: the Japanese text equivalent a vote
# chart (server/web/chart.c chart_vote) must carry for the counted result
# in the API's JSON of FILE (a committee motion's or a poll's "result").
vote_chart_desc() {
	python3 - "$T/$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["result"]
amt = lambda x: ("%.3f" % x).rstrip("0").rstrip(".")
pr = r.get("pass_rule") or r["pass"]
qr = r.get("quorum_rule") or r["quorum"]
qc = r["quorum_close"]
needed = r["pass"]["denominator"] * pr["num"] / pr["den"]
s = "賛成：%d、反対：%d、棄権：%d。%s：%s。%s：%d / %d" % (r["yes"], r["no"], r["abstain"],
    "可決に必要な賛成（この数を超えること）" if pr["cmp"] == ">" else "可決に必要な賛成（この数以上）",
    amt(needed), sys.argv[2], qc["numerator"], qc["denominator"])
if qr["base"] is not None:
    s += "、%s：%s" % ("定足数（この数を超える出席）" if qr["cmp"] == ">" else "定足数（この数以上の出席）",
                      amt(qc["denominator"] * qr["num"] / qr["den"]))
print(s)
PY
}
