#!/usr/bin/env bash
# tests/matrix/run.sh PGDIR [matrix.py options]: the access-matrix test.
#
# PGDIR is a cluster made by deploy/pg.sh (it has run/ and passfile), already
# migrated ("councilctl migrate") and seeded with the demo council
# ("councilctl seed-demo"), with no posts yet.  Prints TAP; the exit status
# is non-zero on any failure.  Extra options go to matrix.py, e.g.
#   tests/matrix/run.sh var/test/pg --seed 42
# Everything the test writes is rolled back (unless --keep).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 PGDIR [matrix.py options]" >&2; exit 2; }
pgdir=$1; shift
case $pgdir in /*) ;; *) pgdir=$PWD/$pgdir ;; esac
[ -d "$pgdir/run" ] && [ -f "$pgdir/passfile" ] \
	|| { echo "$0: $pgdir: no run/ or passfile (deploy/pg.sh start DIR)" >&2; exit 2; }
# Debian's python3 with python3-psycopg2 (apt-get install python3-psycopg2),
# not whatever python3 comes first in PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" -c 'import psycopg2' 2>/dev/null \
	|| { echo "$0: python3-psycopg2 is missing: apt-get install python3-psycopg2" >&2; exit 2; }
exec "$py" "$here/matrix.py" --host "$pgdir/run" --passfile "$pgdir/passfile" "$@"
