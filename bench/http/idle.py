#!/usr/bin/env python3
"""bench/http/idle.py: hold idle keep-alive connections to councild.

    idle.py HOST PORT N HOLD

Opens N connections, sends one keep-alive "GET /healthz" on each, reads the
answers, prints "open: ok=K failed=F (reasons)" (K answered 200; F could
not connect, were closed, timed out or got another status), then keeps the connections idle for HOLD
seconds and prints "after HOLD s: still_open=M" before closing them.
Bounded: N <= 5000, HOLD <= 120, every socket operation times out after
10 s.
"""
import socket
import sys
import time


def read_answer(s):
    """The status of one HTTP/1.1 answer with a Content-Length, or None."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            return None
        body += chunk
    return int(lines[0].split()[1])


def main():
    host, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    if not (0 < n <= 5000 and 0 <= hold <= 120):
        sys.exit("idle.py: N must be 1..5000 and HOLD 0..120")
    req = ("GET /healthz HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (host, port)).encode()
    socks, why = [], {}

    def fail(reason):
        why[reason] = why.get(reason, 0) + 1

    for _ in range(n):
        try:
            s = socket.create_connection((host, port), timeout=10)
            s.sendall(req)
            socks.append(s)
        except OSError as e:
            fail("connect: %s" % (e.strerror or type(e).__name__))
    ok = []
    for s in socks:
        try:
            status = read_answer(s)
        except socket.timeout:
            status = "timeout"
        except OSError as e:
            status = e.strerror or type(e).__name__
        if status == 200:
            ok.append(s)
        else:
            fail("closed" if status is None else str(status))
            s.close()
    print("open: ok=%d failed=%d%s" % (len(ok), sum(why.values()),
          "".join(" (%s: %d)" % kv for kv in sorted(why.items()))), flush=True)
    time.sleep(hold)
    still = 0
    for s in ok:
        s.setblocking(False)
        try:
            still += s.recv(1, socket.MSG_PEEK) != b""
        except BlockingIOError:
            still += 1
        except OSError:
            pass
        s.close()
    print("after %g s: still_open=%d" % (hold, still), flush=True)


if __name__ == "__main__":
    main()
