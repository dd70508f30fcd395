#!/usr/bin/env bash
# Black-box tests of the TAXII 2.1 server (issue 15 item 1;
# server/pages/taxii.c) with curl against the real councild: who may ask
# (API tokens as Bearer and as HTTP Basic's password; nothing else, not a
# browser's cookie: 401 with WWW-Authenticate), the media types (406,
# 415), the body limit (413), the paths with their strict trailing
# slashes (404, 405), the shapes of discovery, the API root and the
# collections, the envelopes with their X-TAXII-Date-Added headers and
# paging, an object and its versions, adding objects with a status
# resource, and hidden things answered exactly as absent ones, byte for
# byte: another organisation's scope preset, a group the caller's
# organisation is not in, another organisation's status resource, an
# object the caller cannot read.  What the objects hold is
# tests/sql/48_stix.sql's and tests/interop/'s subject.
#
# Usage: tests/http/taxii.sh BASE_URL PGDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$here/../lib/tap.sh"
[ $# -eq 2 ] || { echo "usage: $0 BASE_URL PGDIR" >&2; exit 2; }
B=${1%/}
PGDIR=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/councild-taxii.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source-path=SCRIPTDIR source=../lib/portal.sh
. "$here/../lib/portal.sh"

MT='application/taxii+json;version=2.1'
R=/taxii2/council
HANDLER="EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)"
one() { sql "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id
	WHERE $1 AND p.active AND $HANDLER ORDER BY p.id LIMIT 1"; }
A=$(one "o.slug = 'toto-bank'")		# a member, in the finance group
OTHER=$(one "o.slug = 'toto-power'")	# another operator
if [ -z "$A" ] || [ -z "$OTHER" ]; then echo "Bail out! demo council incomplete"; exit 1; fi
if ! { TA=$(session "$A" api) && TO=$(session "$OTHER" api) && WA=$(session "$A" web); }; then
	echo "Bail out! no tokens"; exit 1
fi

# tx NAME TOKEN METHOD PATH [curl args...]: a TAXII request with a Bearer
# token ("" for none) and the Accept $ACCEPT (default the TAXII media
# type; "" for none); body $T/NAME, headers $T/NAME.h, $code.
tx() {
	local name=$1 tok=$2 method=$3 path=$4
	shift 4
	local auth=() acc=() how=(-X "$method")
	[ -n "$tok" ] && auth=(-H "Authorization: Bearer $tok")
	acc=(-H "Accept: ${ACCEPT-$MT}")
	if [ "$method" = HEAD ]; then how=(--head); fi
	code=$(curl -sS --max-time 60 --path-as-is -o "$T/$name" -D "$T/$name.hall" -w '%{http_code}' \
	    "${how[@]}" "${auth[@]}" "${acc[@]}" "$@" "$B$path" 2>"$T/$name.err")
	[ -n "$code" ] || code=000
	tr -d '\r' <"$T/$name.hall" | awk '/^HTTP\//{ b = "" } { b = b $0 "\n" } END { printf "%s", b }' >"$T/$name.h"
}
hdr() { grep -i "^$2:" "$T/$1.h" | tail -n 1 | sed -E 's/^[^:]*:[[:space:]]*//'; }
# err NAME: "status http_status error_code" of a TAXII error resource.
err() { sed -nE 's/.*"error_code":"([^"]*)","http_status":"([0-9]{3})".*/\2 \1/p' "$T/$1"; }
# same A B: the two answers are the same status, type and bytes.
same() { [ "$(hdr "$1" Content-Type)" = "$(hdr "$2" Content-Type)" ] && cmp -s "$T/$1" "$T/$2"; }
uuid() { cat /proc/sys/kernel/random/uuid; }

# ---- Who may ask. ---------------------------------------------------------------------------
tx u1 "" GET /taxii2/
tap_is "$code $(hdr u1 Content-Type) $(err u1)" "401 $MT 401 not_signed_in" \
	"no credential: 401, a TAXII error resource in the TAXII media type"
tap_is "$(hdr u1 WWW-Authenticate)" 'Basic realm="council-taxii"' "... with a Basic challenge"
tx u2 "$(printf '%064d' 0)" GET "$R/collections/"
tx u3 "not-a-token" GET "$R/"
tap_is "$code $(err u2) $(err u3)" "401 401 not_signed_in 401 not_signed_in" \
	"an unknown and a malformed Bearer token: 401"
tx u4 "" GET "$R/" -u "taxii:$(printf '%064d' 0)"
tx u5 "" GET "$R/" -u "$TA:x"
tap_is "$code $(err u4) $(err u5)" "401 401 not_signed_in 401 not_signed_in" \
	"HTTP Basic with an unknown token, or with the token as the user name: 401"
tx u6 "" GET "$R/" -H "Cookie: $SC=$WA"
tap_is "$code $(err u6)" "401 401 not_signed_in" "a browser's session cookie is no TAXII credential: 401"
tx u7 "" GET "$R/nothing-here/"
tap_is "$code" 401 "no credential: 401 on a path that names nothing too"
code=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -u "x:$TA" "$B/api/v1/me")
tap_is "$code" 401 "HTTP Basic is taken on /taxii2/ only, not by the JSON API"

tx d1 "$TA" GET /taxii2/
tx d2 "" GET /taxii2/ -u "anyone:$TA"
tx d3 "" GET /taxii2/ -u ":$TA"
tap_is "$code $(hdr d1 Content-Type)" "200 $MT" "Bearer: discovery answers 200 in the TAXII media type"
same d1 d2 && same d1 d3
tap_ok $? "HTTP Basic with the token as the password (any user name, or none): the same discovery"
tap_is "$(json d1 'd["default"] in d["api_roots"] and d["api_roots"][0].endswith("/taxii2/council/") and bool(d["title"])')" True \
	"discovery: a title, the API root /taxii2/council/ as api_roots and default"
tap_is "$(hdr d1 X-Content-Type-Options) $(hdr d1 Cache-Control) $(hdr d1 X-Request-Id | grep -cE '^[0-9a-f]{32}$')" \
	"nosniff no-store 1" "the common headers: nosniff, no-store, a request id"

# ---- Media types. ---------------------------------------------------------------------------
ACCEPT=application/json tx m1 "$TA" GET "$R/"
tap_is "$code $(hdr m1 Content-Type) $(err m1)" "406 $MT 406 not_acceptable" "Accept: application/json: 406"
ACCEPT='application/taxii+json;version=2.0' tx m2 "$TA" GET "$R/"
tap_is "$code" 406 "Accept of TAXII 2.0: 406"
for a in '*/*' 'application/taxii+json' 'application/json, application/taxii+json;version=2.1;q=0.5' ''; do
	ACCEPT=$a tx m3 "$TA" GET "$R/"
	tap_is "$code" 200 "Accept: '$a' admits the TAXII media type: 200"
done
tx r1 "$TA" GET "$R/"
tap_is "$(json r1 '"%s %s %s" % (bool(d["title"]), d["versions"], d["max_content_length"])')" \
	"True ['$MT'] 10485760" "the API root: a title, version 2.1, max_content_length 10 MiB"
tx h1 "$TA" HEAD "$R/"
tap_is "$code $(hdr h1 Content-Type) $(hdr h1 Content-Length) $(grep -c '{' "$T/h1")" "200 $MT $(wc -c <"$T/r1") 0" \
	"HEAD: the headers (the GET's length) without the body"

# ---- Paths and methods. ----------------------------------------------------------------------
tx p1 "$TA" GET /taxii2/council
tx p2 "$TA" GET "$R/collections"
tx p3 "$TA" GET "$R/other/"
tx p4 "$TA" GET /taxii2/other/
tap_is "$code $(err p1) $(err p2) $(err p3)" "404 404 not_found 404 not_found 404 not_found" \
	"strict trailing slashes: /taxii2/council and .../collections are 404 TAXII errors, and paths that name nothing"
same p1 p4
tap_ok $? "... every such 404 the same bytes"
tx p5 "$TA" DELETE "$R/"
tap_is "$code $(hdr p5 Allow) $(err p5)" "405 GET, HEAD 405 method_not_allowed" "DELETE the API root: 405 with Allow"
tx p6 "$TA" POST "$R/collections/" -H "Content-Type: $MT" --data-binary '{}'
tap_is "$code $(hdr p6 Allow)" "405 GET, HEAD" "POST to the collections: 405"

# ---- Collections. ---------------------------------------------------------------------------
tx c1 "$TA" GET "$R/collections/"
tx c2 "$TO" GET "$R/collections/"
tap_is "$code $(json c1 'all(set(c) >= {"id", "title", "can_read", "can_write", "media_types"} for c in d["collections"])')" \
	"200 True" "collections: each with id, title, can_read, can_write, media_types"
SHARED=$(json c1 '[c["id"] for c in d["collections"] if c["can_read"]][0]')
tap_is "$(json c2 '"'"$SHARED"'" in [c["id"] for c in d["collections"]]')" True \
	"the shared collection is every member's, with one id"
# A group collection of A's that OTHER does not have.
HIDDEN=$(python3 -c 'import json,sys
a = json.load(open(sys.argv[1]))["collections"]; b = {c["id"] for c in json.load(open(sys.argv[2])).get("collections", [])}
print(next((c["id"] for c in a if c["id"] not in b), ""))' "$T/c1" "$T/c2")
tap_like "$HIDDEN" '^[0-9a-f-]{36}$' "the caller's organisation has a group collection the other does not"
tx c3 "$TA" GET "$R/collections/$SHARED/"
tap_is "$code $(json c3 'd["id"]')" "200 $SHARED" "one collection by its id"
tx c4 "$TA" GET "$R/collections/$(echo "$SHARED" | tr a-f A-F)/"
tap_is "$code" 200 "... its id in capitals too"

# A scope preset of A's organisation: a write collection; hidden from OTHER.
PNAME="taxii-test $$"
PRESET=$(sql "INSERT INTO council.scope_presets (org_id, name, scope, created_by)
	SELECT p.org_id, '$PNAME', '[{\"class\": \"all_members\"}]', p.id FROM council.people p
	WHERE p.email = '$A' RETURNING uuid" | head -n 1)
tx c5 "$TA" GET "$R/collections/$PRESET/"
tap_is "$code $(json c5 '"%s %s" % (d["can_read"], d["can_write"])')" "200 False True" \
	"the organisation's scope preset is a write collection of its own"

ABSENT=$(uuid)
for what in "" objects/ manifest/; do
	tx x1 "$TO" GET "$R/collections/$ABSENT/$what"
	tx x2 "$TO" GET "$R/collections/$HIDDEN/$what"
	tx x3 "$TO" GET "$R/collections/$PRESET/$what"
	tap_is "$code $(err x1)" "404 404 not_found" "an absent collection's ${what:-resource}: 404"
	same x1 x2 && same x1 x3
	tap_ok $? "... another's group collection and another organisation's preset answer the same, byte for byte (${what:-collection})"
done
tx x4 "$TO" GET "$R/collections/not-a-uuid/"
same x4 x1
tap_ok $? "a malformed collection id answers like an absent one"

# ---- Objects, manifest, one object, its versions. ---------------------------------------------
tx o1 "$TA" GET "$R/collections/$SHARED/objects/?limit=5"
tap_is "$code $(hdr o1 Content-Type) $(json o1 'len(d["objects"]) <= 5 and isinstance(d["more"], bool)')" "200 $MT True" \
	"objects: an envelope of at most limit objects"
F=$(hdr o1 X-TAXII-Date-Added-First); L=$(hdr o1 X-TAXII-Date-Added-Last)
tap_like "$F $L" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' \
	"... with X-TAXII-Date-Added-First and -Last"
tx o2 "$TA" GET "$R/collections/$SHARED/objects/?limit=5&next=$(json o1 'd.get("next", "")')"
tap_is "$code $(python3 -c 'import json,sys
a = [o["id"] for o in json.load(open(sys.argv[1]))["objects"]]; b = [o["id"] for o in json.load(open(sys.argv[2])).get("objects", [])]
print(len(b) > 0 and not set(a) & set(b))' "$T/o1" "$T/o2")" "200 True" "next: the following page, other objects"
tx o3 "$TA" GET "$R/collections/$SHARED/manifest/?limit=5"
tap_is "$code $(json o3 'all(set(m) >= {"id", "date_added", "version"} for m in d["objects"])') $(hdr o3 X-TAXII-Date-Added-First)" \
	"200 True $F" "manifest: records with id, date_added, version, and the same first date"
# A report: a post the caller reads.
tx o4 "$TA" GET "$R/collections/$SHARED/objects/?match%5Btype%5D=report&limit=1"
OBJ=$(json o4 'd["objects"][0]["id"]')
tap_like "$OBJ" '^report--' "match[type]=report: a report"
tx o5 "$TA" GET "$R/collections/$SHARED/objects/$OBJ/"
tap_is "$code $(json o5 '[o["id"] for o in d["objects"]] == ["'"$OBJ"'"]') $(hdr o5 X-TAXII-Date-Added-First | grep -c .)" \
	"200 True 1" "one object by its id, with the date headers"
tx o6 "$TA" GET "$R/collections/$SHARED/objects/$OBJ/versions/"
tap_is "$code $(json o6 'len(d["versions"]) >= 1')" "200 True" "its versions"
GHOST="report--$(uuid)"
tx o7 "$TA" GET "$R/collections/$SHARED/objects/$GHOST/"
tx o8 "$TA" GET "$R/collections/$SHARED/objects/Not_An_Id/"
tap_is "$code $(err o7)" "404 404 not_found" "an unknown object: 404"
same o7 o8
tap_ok $? "... a malformed object id answers the same"
# A report of A's shared with its organisation alone: the other cannot read it.
ORG_A=$(sql "SELECT org_id FROM council.people WHERE email = '$A'")
api np "$TA" POST /api/v1/posts "{\"kind\":\"report\",\"title\":\"taxii-test own $$\",\"body\":\"b\",\"secret\":false,\"scope\":[{\"org\":$ORG_A}]}"
SECRET=$(sql "SELECT council.stix_post_id($(json np 'd["id"]'))")
tx o9 "$TA" GET "$R/collections/$SHARED/objects/$SECRET/"
tap_is "$code $(json o9 'd["objects"][0]["id"]')" "200 $SECRET" "A reads its post as $SECRET"
tx o9 "$TO" GET "$R/collections/$SHARED/objects/$SECRET/"
tx o10 "$TO" GET "$R/collections/$SHARED/objects/$GHOST/"
tap_is "$code" 404 "... the other cannot: 404"
same o9 o10
tap_ok $? "... byte for byte as an absent object"
tx o9 "$TO" GET "$R/collections/$SHARED/objects/$SECRET/versions/"
tx o10 "$TO" GET "$R/collections/$SHARED/objects/$GHOST/versions/"
tap_is "$code" 404 "... its versions: 404 (TAXII 2.1 5.7), as for an absent object"
same o9 o10
tap_ok $? "... the same bytes as an absent object's"
tx o11 "$TA" GET "$R/collections/$SHARED/objects/?limit=x"
tx o12 "$TA" GET "$R/collections/$SHARED/objects/?added_after=yesterday"
tap_is "$(err o11) / $(err o12)" "400 invalid_request / 400 taxii_bad_parameter" \
	"a limit that is no number, an added_after that is no timestamp: 400"
tx o13 "$TA" GET "$R/collections/$SHARED/objects/?match%5Bcolour%5D=red&limit=1"
tap_is "$code" 200 "an unknown match[...] is ignored"

# ---- Adding objects. ---------------------------------------------------------------------------
ENV='{"objects": [{"type": "indicator", "spec_version": "2.1", "id": "indicator--'"$(uuid)"'",
	"created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z", "name": "taxii.sh",
	"pattern": "[ipv4-addr:value = '"'"'192.0.2.1'"'"']", "pattern_type": "stix", "valid_from": "2026-12-01T00:00:00Z"}]}'
tx a1 "$TA" POST "$R/collections/$PRESET/objects/" -H 'Content-Type: application/json' --data-binary "$ENV"
tap_is "$code $(hdr a1 Content-Type) $(err a1)" "415 $MT 415 unsupported_media_type" "POST with Content-Type application/json: 415"
tx a2 "$TA" POST "$R/collections/$PRESET/objects/" -H "Content-Type: $MT" --data-binary "$ENV"
tap_is "$code $(hdr a2 Content-Type) $(json a2 '"%s %s %s" % (d["status"], d["total_count"], d["pending_count"])')" \
	"202 $MT complete 1 0" "POST objects: 202 with a status resource (complete, one object)"
SID=$(json a2 'd["id"]')
tx a3 "$TA" GET "$R/status/$SID/"
tap_is "$code $(json a3 'd["id"]')" "200 $SID" "the status resource by its id"
tx a4 "$TO" GET "$R/status/$SID/"
tx a5 "$TO" GET "$R/status/$(uuid)/"
tap_is "$code" 404 "another organisation's status: 404"
same a4 a5
tap_ok $? "... byte for byte as an absent one"
tx a6 "$TA" POST "$R/collections/$SHARED/objects/" -H "Content-Type: $MT" --data-binary "$ENV"
tap_is "$code $(err a6)" "403 403 taxii_collection_read_only" "POST to a read collection: 403"
tx a7 "$TO" POST "$R/collections/$PRESET/objects/" -H "Content-Type: $MT" --data-binary "$ENV"
tx a8 "$TO" POST "$R/collections/$ABSENT/objects/" -H "Content-Type: $MT" --data-binary "$ENV"
tap_is "$code" 404 "POST to another organisation's preset: 404"
same a7 a8
tap_ok $? "... byte for byte as to an absent collection"
tx a9 "$TA" POST "$R/collections/$PRESET/objects/" -H "Content-Type: $MT" --data-binary '{"objects": ['
tx a10 "$TA" POST "$R/collections/$PRESET/objects/" -H "Content-Type: $MT" --data-binary ''
tap_is "$(err a9) / $(err a10)" "400 invalid_request / 400 invalid_body" "a body that is no JSON, an empty body: 400"
tx a11 "$TA" POST "$R/collections/$PRESET/objects/" -H "Content-Type: $MT" --data-binary '[1]'
tap_is "$code" 422 "an envelope that is no object: 422"

# ---- The body limit. ---------------------------------------------------------------------------
# 10 MiB + 1 byte, streamed to a file by the front and refused here.
python3 -c 'import sys; n = 10 * 1024 * 1024 + 1; s = "{\"objects\": [], \"x\": \""; sys.stdout.write(s + "a" * (n - len(s) - 2) + "\"}")' >"$T/big.json"
tap_is "$(wc -c <"$T/big.json")" 10485761 "(a body of 10 MiB + 1 byte)"
tx l1 "$TA" POST "$R/collections/$PRESET/objects/" -H "Content-Type: $MT" --data-binary "@$T/big.json"
tap_is "$code $(hdr l1 Content-Type) $(err l1)" "413 $MT 413 too_large" "a body over 10 MiB: 413 as a TAXII error"
head -c 10485000 "$T/big.json" >"$T/fits.json"; printf '"}' >>"$T/fits.json"
tx l2 "$TA" POST "$R/collections/$PRESET/objects/" -H "Content-Type: $MT" --data-binary "@$T/fits.json"
tap_is "$code" 202 "a body just under 10 MiB is read (202: an envelope of no objects)"
tx l3 "$TA" POST "$R/collections/$PRESET/objects/" -H "Content-Type: $MT" -H 'Content-Length: 20971520' \
	-H 'Expect: 100-continue' --data-binary '{}'
tap_is "$code" 413 "a Content-Length of 20 MiB: 413 before the body is read"
alive_code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "$B/healthz")
tap_is "$alive_code" 200 "the server still answers"

sql "UPDATE council.scope_presets SET deleted_at = now() WHERE uuid = '$PRESET'" >/dev/null
tap_done
