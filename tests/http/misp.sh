#!/usr/bin/env bash
# Black-box tests of MISP in and out (issue 15 item 4; docs/misp.md)
# against the real councild and database: a post exported as a MISP event
# (page download and API) has every field the MISP core format
# specification requires, each attribute's type valid for its category
# (the specification's own table when ../shared/interop is there), and
# parses as JSON; a post the caller may not read answers byte for byte
# like an absent one; a masked author is never named (R-TF-6); every
# example event of the specification (tests/fixtures/misp/spec-*.json,
# extracted by tests/fixtures/misp/extract.py) and the portal's own
# ATT&CK sample import as drafts, through the API and the page (the
# composer prefilled, no scope, no secrecy chosen: R-SECRET-1), storing
# nothing; an exported event imports back with its indicators; malformed
# or oversized input is 422 and changes nothing.
#
# Usage: tests/http/misp.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-misp.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"
F=$ROOT/tests/fixtures/misp
SPEC=$ROOT/../shared/interop/misp/misp-core-format.md

HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active AND o.status = 'member' AND $HANDLER ORDER BY p.id LIMIT 1"; }
A=$(one "o.slug = 'toto-bank'")
OB=$(one "o.slug = 'toto-power'")
if [ -z "$A" ] || [ -z "$OB" ]; then echo "Bail out! demo council incomplete"; exit 1; fi
TA=$(session "$A" api); TB=$(session "$OB" api)
WA=$(session "$A" web); WB=$(session "$OB" web)
AORG=$(sql "SELECT org_id FROM council.people WHERE email = '$A'")
ANAMES=$(sql "SELECT name_en || '|' || name_ja FROM council.organisations WHERE id = $AORG")
nposts() { sql "SELECT count(*) FROM council.posts"; }
# okc COMMAND DESC: a test command's status as one test.
okc() { eval "$1"; tap_ok $? "$2"; }
nr() { sed -E 's/[0-9a-f]{32}/RID/g; s/[0-9a-f]{64}/TOKEN/g' "$T/$1"; }

# ---- Three posts of toto-bank: one for every member, one for itself, one masked. --------
BODY="MISP テスト $$: 攻撃元 198.51.100.$(( $$ % 200 + 1 )) と c2-$$.example.net、https://c2-$$.example.net/gate.php\\nsha256 $(printf '%s' "$$" | sha256sum | cut -c1-64)\\nCVE-2024-21762 を悪用。"
post() { api "$1" "$TA" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"misp-test $1 $$\",\"body\":\"$BODY\",\"secret\":false,$2}"; json "$1" 'd["id"]'; }
PUB=$(post pub '"scope":[{"class":"all_members"}]')
PRIV=$(post priv "\"scope\":[{\"org\":$AORG}]")
MASK=$(post mask '"masked":true,"scope":[{"class":"all_members"}]')
ABSENT=$(( $(sql "SELECT coalesce(max(id), 0) FROM council.posts") + 1000 ))
okc "[ -n '$PUB' ] && [ -n '$PRIV' ] && [ -n '$MASK' ]" "a member posts three reports with indicators (all members, itself only, masked)"

# ---- Export: the fields the specification requires. --------------------------------------------
api e1 "$TB" GET "/api/v1/posts/$PUB/misp"
check_event() {
	python3 - "$T/$1" "$SPEC" <<'PY'
import json, os, re, sys
d = json.load(open(sys.argv[1]))
e = d["Event"]
bad = []
for k in ("uuid", "published", "info", "date", "timestamp", "publish_timestamp", "org_id", "orgc_id",
          "distribution", "id", "threat_level_id", "analysis", "attribute_count", "first_publication",
          "Org", "Orgc", "Attribute", "Tag"):
    if k not in e: bad.append("missing " + k)
schema = {"id", "orgc_id", "org_id", "date", "extends_uuid", "threat_level_id", "info", "published", "uuid",
          "attribute_count", "analysis", "timestamp", "first_publication", "distribution", "proposal_email_lock",
          "locked", "publish_timestamp", "sharing_group_id", "disable_correlation", "event_creator_email", "Org",
          "Orgc", "SharingGroup", "Attribute", "ShadowAttribute", "RelatedEvent", "Galaxy", "Object", "Tag"}
bad += ["extra " + k for k in e if k not in schema]
if not isinstance(e["published"], bool): bad.append("published")
for k in ("id", "org_id", "orgc_id", "timestamp", "publish_timestamp", "attribute_count"):
    if not re.fullmatch(r"[0-9]+", str(e.get(k))) or not isinstance(e.get(k), str): bad.append(k)
if not re.fullmatch(r"\d{4}-\d\d-\d\d", e["date"]): bad.append("date")
if e["distribution"] not in ("0", "1", "2", "3", "4") or e["threat_level_id"] not in ("1", "2", "3", "4") \
   or e["analysis"] not in ("0", "1", "2"): bad.append("enumeration")
if len(e["info"]) > 256 or "\n" in e["info"]: bad.append("info")
if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", e["uuid"]): bad.append("uuid")
for o in ("Org", "Orgc"):
    if not all(isinstance(e[o].get(k), str) for k in ("id", "name", "uuid")): bad.append(o)
if e["orgc_id"] != e["Orgc"]["id"]: bad.append("orgc_id")
if int(e["attribute_count"]) != len(e["Attribute"]): bad.append("attribute_count")
# The specification's category -> types table, when it is at hand.
valid = {}
if os.path.exists(sys.argv[2]):
    text = open(sys.argv[2]).read()
    table = text[text.index("The list of valid category-type combinations is as follows:"):text.index("#### category")]
    for cat, types in re.findall(r"\n([A-Z][A-Za-z ]+)\n:   ([^\n]+)", table):
        valid[cat.strip()] = {t.strip() for t in types.split(",")}
for a in e["Attribute"]:
    for k in ("uuid", "id", "type", "category", "to_ids", "event_id", "distribution", "timestamp", "deleted", "value"):
        if k not in a: bad.append("attribute missing " + k)
    if not isinstance(a["to_ids"], bool) or not isinstance(a["deleted"], bool): bad.append("attribute booleans")
    if a["event_id"] != e["id"] or a["distribution"] not in ("0", "1", "2", "3", "4", "5"): bad.append("attribute ids")
    if valid and a["type"] not in valid.get(a["category"], ()): bad.append("type %s in %s" % (a["type"], a["category"]))
for t in e["Tag"]:
    if not isinstance(t.get("name"), str): bad.append("tag name")
print(" ".join(bad) or "ok", "spec-table" if valid else "no-spec-table")
PY
}
tap_like "$code $(check_event e1)" '^200 ok ' "export: a member's export of a post for every member has every field the specification requires (MUST, SHALL), types valid for their categories"
tap_is "$(json e1 '" ".join(sorted(a["type"] for a in d["Event"]["Attribute"]))')" \
	"domain ip-dst sha256 text url vulnerability" "export: the post's indicators as ip-dst, domain, url, sha256, vulnerability, and its text"
tap_is "$(json e1 'd["Event"]["Tag"][0]["name"]')" "tlp:$(sql "SELECT replace(tlp::text, '_', '+') FROM council.posts WHERE id = $PUB")" \
	"export: the post's TLP as the taxonomy's tag"
page d1 "$WB" "/posts/$PUB/misp.json" -D "$T/d1.h"
tap_is "$code $(tr -d '\r' <"$T/d1.h" | sed -n 's/^Content-Disposition: //Ip') $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])))' "$T/d1" "$T/e1" 2>&1)" \
	"200 attachment; filename=\"council-post-$PUB.misp.json\" True" "export: the page's file is an attachment and the same event as the API's"
page p1 "$WB" "/posts/$PUB"
okc "grep -q 'href=\"/posts/$PUB/misp.json\"' '$T/p1'" "export: the post page links to its MISP file"
api e2 "$TA" GET "/api/v1/posts/$PUB/misp"
tap_is "$(json e2 'd["Event"]["uuid"]')" "$(json e1 'd["Event"]["uuid"]')" "export: the same uuid for every reader (UUIDv5 of the post)"

# ---- Export: hidden is absent; masked is unnamed. -------------------------------------------------
api h1 "$TB" GET "/api/v1/posts/$PRIV/misp"
api h2 "$TB" GET "/api/v1/posts/$ABSENT/misp"
tap_is "$code $(md5sum <"$T/h1")" "404 $(md5sum <"$T/h2")" "export: to another member a post outside its scope answers exactly like an absent one (API)"
page h3 "$WB" "/posts/$PRIV/misp.json"; c3=$code
page h4 "$WB" "/posts/$ABSENT/misp.json"
tap_is "$c3 $(nr h3 | md5sum)" "404 $(nr h4 | md5sum)" "export: ... and its file is the absent post's 404 page, byte for byte"
api h5 "$TA" GET "/api/v1/posts/$PRIV/misp"
tap_is "$code" 200 "export: its own organisation exports it"
code=$(curl -sS --max-time 20 -o "$T/h6" -w '%{http_code}' "$B/api/v1/posts/$PUB/misp")
tap_is "$code $(cat "$T/h6")" '401 {"error":"not_signed_in"}' "export: nobody exports nothing"
named() { python3 - "$T/$1" "$ANAMES" "$AORG" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["Event"]
names = [n for n in sys.argv[2].split("|") if n]
text = json.dumps(e, ensure_ascii=False)
print(any(n in text for n in names) or e["orgc_id"] == sys.argv[3] or e["Orgc"]["id"] == sys.argv[3])
PY
}
api m1 "$TB" GET "/api/v1/posts/$MASK/misp"; c1=$code
api m2 "$TA" GET "/api/v1/posts/$MASK/misp"
tap_is "$c1 $(named m1) $code $(named m2) $(json m1 'd["Event"]["Orgc"]["id"]')" "200 False 200 False 0" \
	"R-TF-6: a masked author is not named in the export, to another member nor to its own organisation"
api m3 "$TB" GET "/api/v1/posts/$PUB/misp"
tap_is "$(named m3)" True "R-TF-6: ... while an unmasked one is (the check can see a name)"

# ---- Import: every example event of the specification, and ours. -------------------------------
n0=$(nposts)
for f in "$F"/spec-*.json "$F"/attack-event.json; do
	b=$(basename "$f" .json)
	api "i-$b" "$TA" POST /api/v1/misp/import "$(cat "$f")"
	want=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["Event"]; print(" ".join(e["info"].split())[:300])' "$f")
	tap_is "$code $(json "i-$b" 'd["draft"], d["secret"], d["scope"], d["kind"]') $(json "i-$b" 'd["title"]')" \
		"200 (True, None, None, 'report') $want" "import: $b imports as a draft titled with its info, no secrecy or scope chosen (API)"
	form "f-$b" "$WA" /misp/import -F "csrf=$(csrf "$WA")" -F "file=@$f;type=application/json"
	okc "[ '$code' = 200 ] && grep -q 'action=\"/posts/new\"' '$T/f-$b' && ! grep -q 'name=\"secret\" value=\"[a-z]*\" checked' '$T/f-$b'" \
		"import: ... and the page opens the composer with it, the secrecy unchosen (R-SECRET-1)"
done
tap_is "$(json i-attack-event 'd["tlp"], [t["id"] for t in d["techniques"]], d["skipped"]')" \
	"('amber_strict', ['T1204', 'T1566', 'T1566.001'], 1)" \
	"import: the strictest TLP (an object's attribute's amber+strict), ATT&CK techniques of the bundled list from the galaxy and the tags, the deleted attribute skipped"
tap_is "$(json i-attack-event '" ".join(sorted(i["kind"] + ":" + i["value"] for i in d["indicators"]))')" \
	"cve:CVE-2023-23397 domain:cdn-fetch.example.org domain:login-update.example.net email:billing@invoices.example.com hash:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 hash:d41d8cd98f00b204e9800998ecf8427e hash:da39a3ee5e6b4b0d3255bfef95601890afd80709 ip:192.0.2.44 ip:198.51.100.23 ip:203.0.113.9 url:https://login-update.example.net/owa/auth.php" \
	"import: every attribute that is an indicator, composite values split"
okc "grep -q 'Spearphishing wave against the finance sector' '$T/f-attack-event' && grep -q 'TLP:AMBER+STRICT' '$T/f-attack-event' && grep -q 'T1566.001 Spearphishing Attachment' '$T/f-attack-event'" \
	"import: the composer shows the title, the body with the techniques, and the TLP's note on the scope"
tap_is "$(json i-spec-samples-event '[i["value"] for i in d["indicators"]], "Anunak" in d["body"], "tlp" in d and d["tlp"]')" \
	"([], True, 'clear')" "import: the specification's samples: a comment, a file name, the threat-actor galaxy listed; tlp:white is TLP:CLEAR"
api r1 "$TB" POST /api/v1/misp/import "$(cat "$T/e1")"
tap_is "$code $(json r1 '" ".join(sorted(i["value"] for i in d["indicators"]))')" \
	"200 $(sql "SELECT string_agg(value, ' ' ORDER BY value COLLATE \"C\") FROM council.post_indicators WHERE post_id = $PUB")" \
	"import: an exported event imports back with the post's indicators"
tap_is "$(nposts)" "$n0" "import: nothing is stored"

# ---- Import: refused. --------------------------------------------------------------------------------
api x1 "$TA" POST /api/v1/misp/import '{"Event": {"info": "x", "Attribute": ['
api x2 "$TA" POST /api/v1/misp/import '{"Event": {"info": "x", "Attribute": [{"type": "ip-dst", "value": "192.0.2.1"}, {"value": "y"}]}}'; c2="$code $(cat "$T/x2")"
api x3 "$TA" POST /api/v1/misp/import "$(python3 -c 'import json; print(json.dumps({"Event": {"info": "x", "Attribute": [{"type": "ip-dst", "value": "192.0.2.%d" % (i % 250)} for i in range(501)]}}))')"; c3="$code $(cat "$T/x3")"
api x4 "$TA" POST /api/v1/misp/import '[1, 2, 3]'; c4="$code $(cat "$T/x4")"
tap_is "$code $(cat "$T/x1") / $c2 / $c3 / $c4" \
	'422 {"error" : "misp_invalid_json"} / 422 {"error" : "misp_invalid_attribute", "item" : 2} / 422 {"error" : "misp_too_many_attributes"} / 422 {"error" : "misp_not_an_event"}' \
	"import: malformed JSON, an attribute without a type (which one), more than 500 attributes, JSON that is no event: 422 with a stable code"
api x5 "$TA" POST /api/v1/misp/import "{\"Event\": {\"info\": \"x\", \"Attribute\": [{\"type\": \"text\", \"value\": \"$(head -c 3000 /dev/zero | tr '\0' a)\"}]}}"
tap_is "$code $(cat "$T/x5")" '422 {"error" : "misp_value_too_long", "item" : 1}' "import: a value longer than 2,048 characters: 422"
code=$(curl -sS --max-time 20 -o "$T/x6" -w '%{http_code}' -H "Authorization: Bearer $TA" -H 'Content-Type: text/plain' --data-binary '{}' "$B/api/v1/misp/import")
tap_is "$code" 415 "import: the API takes application/json only"
printf '{"Event": {"info": "broken"' >"$T/broken.json"
form y1 "$WA" /misp/import -F "csrf=$(csrf "$WA")" -F "file=@$T/broken.json;type=application/json"
okc "[ '$code' = 422 ] && grep -q 'misp-error' '$T/y1' && ! grep -q 'action=\"/posts/new\"' '$T/y1'" "import: the page refuses a malformed file with 422 and says why"
form y2 "$WA" /misp/import -F "csrf=0000" -F "file=@$F/attack-event.json;type=application/json"
tap_is "$code" 403 "import: the page's form needs its form token"
tap_is "$(nposts)" "$n0" "import: refused input changes nothing"
page g1 "$WA" /misp/import
okc "[ '$code' = 200 ] && grep -q 'enctype=\"multipart/form-data\"' '$T/g1'" "import: the upload page"
tap_done
