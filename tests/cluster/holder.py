#!/usr/bin/python3
"""tests/cluster/holder.py SESSIONS PID1 PID2 < CLIENT_PORT

Which councild (1 or 2) owns the PostgreSQL connection whose client port,
as PostgreSQL sees it (pg_stat_activity.client_port), is on stdin.  Every
councild reaches PostgreSQL through HAProxy (127.0.0.1:54320), so that
port is HAProxy's own: its session table (the file SESSIONS, what
"deploy/cluster.sh haproxy 'show sess all'" printed) gives the
stream whose server side uses it, and that stream's client port; the
councild process holding a socket with that local port is the answer
(/proc/PID/fd and /proc/net/tcp).  Prints 1 or 2; exit 1 if not found.
Used by tests/cluster/run.sh (issue 16 c).
"""
import os
import re
import sys


def inodes(pid):
    r = set()
    d = "/proc/%s/fd" % pid
    for fd in os.listdir(d):
        try:
            t = os.readlink(os.path.join(d, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", t)
        if m:
            r.add(m.group(1))
    return r


def local_port_inodes(port):
    r = set()
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(f).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            x = line.split()
            if int(x[1].rsplit(":", 1)[1], 16) == port:
                r.add(x[9])
    return r


def main():
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        sessions = f.read()
    pids = sys.argv[2:]
    y = int(sys.stdin.read().strip())
    client = None
    for block in re.split(r"\n(?=0x[0-9a-f]+: )", sessions):
        src = re.search(r"source=[0-9.]+:(\d+)", block)
        be = re.search(r"\n\s*backend=\S+ \([^)]*\) addr=[0-9.]+:(\d+)", block)
        if src and be and int(be.group(1)) == y:
            client = int(src.group(1))
            break
    if client is None:
        print("no HAProxy stream with server-side port %d" % y, file=sys.stderr)
        return 1
    want = local_port_inodes(client)
    for n, pid in enumerate(pids, 1):
        try:
            if inodes(pid) & want:
                print(n)
                return 0
        except OSError:
            continue
    print("no councild holds local port %d (HAProxy's client side of %d)" % (client, y),
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
