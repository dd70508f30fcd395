#!/usr/bin/env bash
# deploy/install-deps.sh: install what the build, the demo and the tests
# need, from Debian 12's archive only.  Installs only what is missing, so a
# second run does nothing.  Needs root when something is missing.
# (clang builds the libFuzzer harnesses, tests/fuzz/; libFuzzer's runtime
# is in libclang-rt-14-dev, which clang only recommends.  libqrencode-dev
# draws the enrolment page's QR code, libqrencode4 at run time; zbar-tools'
# zbarimg reads it back in the tests.  The python3-* after aiosmtpd are what
# ../shared/interop's STIX/TAXII tools need, issue 15.  The line from etcd-server on is
# deploy/cluster.sh's production shape, issue 16: etcd, Patroni (its etcd
# and PostgreSQL drivers), HAProxy, pgBackRest, and testssl.sh
# for the TLS check.)
set -euo pipefail

PKGS=(
	build-essential autoconf automake pkg-config
	clang libclang-rt-14-dev
	libmicrohttpd-dev libpq-dev libssl-dev libxml2-dev libscrypt-dev libqrencode-dev check
	postgresql-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
	gettext curl ca-certificates openssl chromium fonts-noto-cjk python3 python3-psycopg2
	zbar-tools python3-aiosmtpd
	python3-requests python3-six python3-tz python3-simplejson python3-antlr4
	python3-jsonschema python3-dateutil
	etcd-server etcd-client patroni python3-etcd haproxy pgbackrest testssl.sh
)
# systemd-analyze checks deploy/systemd/'s units (tests/ops/units.sh).
PKGS+=(systemd)
# Node.js runs the browser test; use the machine's own if it has one.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
	|| PKGS+=(nodejs npm)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
		|| missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages: ${missing[*]}" >&2
	echo "install-deps: run as root, or: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "==> apt-get install ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
