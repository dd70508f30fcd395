#!/usr/bin/env bash
# tests/interop/run.sh BASE_URL PGDIR [--only t_feeds,...]: issue 15's proof
# with real clients, not our own.  The OASIS committee's taxii2client,
# stix2, STIX pattern validator and STIX 2.1 JSON Schemas, from
# ../shared/interop beside the checkout (never copied into it; its
# README.md), run by Debian's python3 against the real councild (BASE_URL)
# with the demo council in the cluster PGDIR (deploy/pg.sh; the API tokens
# are made there).  Prints TAP; the exit status is non-zero on any failure.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 BASE_URL PGDIR [--only NAMES]" >&2; exit 2; }
base=$1 pgdir=$2; shift 2
case $pgdir in /*) ;; *) pgdir=$PWD/$pgdir ;; esac
shared=${COUNCIL_SHARED_INTEROP:-$root/../shared/interop}
py=/usr/bin/python3
[ -x "$py" ] || py=python3
# CI has ../shared beside the checkout; a clone elsewhere (a newcomer's)
# has not: then the layer is skipped, and says so, rather than failing
# the README's test command (COUNCIL_SHARED_INTEROP names another place).
if [ ! -d "$shared/python/taxii2client" ] || [ ! -d "$shared/stix2-json-schemas/schemas" ]; then
	echo "ok 1 # SKIP the OASIS tools are not beside this checkout ($shared; issue 15: CI has ../shared, or set COUNCIL_SHARED_INTEROP)"
	echo "1..1"
	exit 0
fi
missing=$(PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$shared/python "$py" -c '
import importlib
for m in ("requests", "six", "pytz", "simplejson", "antlr4", "jsonschema", "dateutil", "psycopg2",
          "taxii2client.v21", "stix2", "stix2patterns.validator"):
    try:
        importlib.import_module(m)
    except Exception as e:
        print("%s (%s)" % (m, e))' 2>&1)
if [ -n "$missing" ]; then
	echo "not ok 1 - Python modules the OASIS tools need import (deploy/install-deps.sh)"
	echo "$missing" | sed 's/^/# /'
	echo "1..1"
	exit 1
fi
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$shared/python STIX_SCHEMAS=$shared/stix2-json-schemas/schemas \
	exec "$py" "$here/interop.py" "$base" "$pgdir" "$@"
