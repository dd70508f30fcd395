#!/usr/bin/python3
"""tests/cluster/load.py: posts under load, each retried with its own
Idempotency-Key until acknowledged (issue 16, "run it like a national
service"; docs/api.md POST /api/v1/posts).

N clients (threads, one keep-alive connection each) submit M posts in all
through POST /api/v1/posts.  Every post has a fresh Idempotency-Key (uuid4)
and a marker of its own in its title and body.  Any failure -- refused or
reset connection, time-out, 5xx (a 503's Retry-After honoured), 408/409/
425/429 -- is retried with the SAME key and body, with a capped backoff,
until a 2xx answers it or the total deadline passes.  Another 4xx is the
request's fault: the post is given up at once (it counts as failed).

While the load runs, hooks (--at-acked N --run CMD, repeatable) run a shell
command in a thread of their own once N posts are acknowledged: the fault
lands in the middle of the load.

The result (--out, JSON): every post's key, marker, acknowledged id,
attempts and errors; the hooks' times and exit status; the summary:
  acked, failed (posts never acknowledged), failed_requests (attempts
  that did not answer 2xx, all retried), max_gap_s (the longest time in
  which no request succeeded: the seconds without a primary), the gap's
  start and end (seconds from the start), duration_s, posts_per_s.
Exit status 0 when every post was acknowledged, 1 otherwise, 2 on usage.

Standard library only (Debian's /usr/bin/python3).
"""
import argparse
import http.client
import json
import os
import random
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

RETRY_4XX = {408, 409, 425, 429}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="base URL (http or https)")
    p.add_argument("--cacert", help="CA file for https")
    p.add_argument("--token", action="append", default=[],
                   help="an API bearer token (repeatable)")
    p.add_argument("--tokens", help="a file of API tokens, one a line")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--posts", type=int, default=1000)
    p.add_argument("--deadline", type=float, default=240.0,
                   help="seconds for the whole load (default 240)")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds for one request (default 10)")
    p.add_argument("--backoff-cap", type=float, default=2.0,
                   help="the longest pause between two attempts (default 2 s)")
    p.add_argument("--tag", default="load-%d" % os.getpid(),
                   help="prefix of every marker")
    p.add_argument("--kind", default="report")
    p.add_argument("--scope", default='[{"class": "all_members"}]',
                   help="the posts' scope, JSON")
    p.add_argument("--at-acked", type=int, action="append", default=[],
                   help="run the next --run once this many posts are acknowledged")
    p.add_argument("--run", action="append", default=[],
                   help="a shell command (with --at-acked)")
    p.add_argument("--out", required=True, help="the result, JSON")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    if a.tokens:
        with open(a.tokens) as f:
            a.token += [x.strip() for x in f if x.strip()]
    if not a.token:
        p.error("no API token (--token or --tokens)")
    if len(a.at_acked) != len(a.run):
        p.error("each --at-acked needs its --run")
    if a.clients < 1 or a.posts < 0:
        p.error("--clients >= 1, --posts >= 0")
    a.scope = json.loads(a.scope)
    return a


class Load:
    def __init__(self, a):
        self.a = a
        u = urllib.parse.urlsplit(a.url)
        if u.scheme not in ("http", "https"):
            raise SystemExit("load.py: --url must be http or https")
        self.https = u.scheme == "https"
        self.host = u.hostname
        self.port = u.port or (443 if self.https else 80)
        self.prefix = u.path.rstrip("/")
        self.ctx = None
        if self.https:
            self.ctx = ssl.create_default_context(cafile=a.cacert)
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.next = 0
        self.acked = 0
        self.done = 0
        self.failed_requests = 0
        self.t0 = time.monotonic()
        self.stop_at = self.t0 + a.deadline
        self.last_ok = self.t0          # the last successful request
        self.max_gap = (0.0, 0.0, 0.0)  # (gap, from, to) in seconds from t0
        self.posts = [None] * a.posts
        self.hooks = [{"at_acked": n, "run": c} for n, c in zip(a.at_acked, a.run)]

    def now(self):
        return time.monotonic() - self.t0

    def conn(self):
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port,
                                               timeout=self.a.timeout, context=self.ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.a.timeout)

    def success(self):
        """A request succeeded now: close the gap since the last one."""
        t = time.monotonic()
        with self.lock:
            gap = t - self.last_ok
            if gap > self.max_gap[0]:
                self.max_gap = (gap, self.last_ok - self.t0, t - self.t0)
            self.last_ok = max(self.last_ok, t)

    def take(self):
        with self.lock:
            if self.next >= len(self.posts):
                return None
            i = self.next
            self.next += 1
            return i

    def post_one(self, i, token, state):
        a = self.a
        key = str(uuid.uuid4())
        marker = "%s-%05d-%s" % (a.tag, i, key[:8])
        body = json.dumps({
            "kind": a.kind, "title": "fault load %s" % marker,
            "body": "marker %s: a post written under fault injection "
                    "(tests/cluster/load.py)" % marker,
            "secret": False, "scope": a.scope}).encode()
        rec = {"i": i, "key": key, "marker": marker, "id": None, "attempts": 0,
               "errors": [], "first_at": round(self.now(), 3)}
        pause = 0.05
        while True:
            if time.monotonic() >= self.stop_at:
                rec["errors"].append("deadline")
                break
            rec["attempts"] += 1
            err = None
            wait = None
            try:
                if state["c"] is None:
                    state["c"] = self.conn()
                c = state["c"]
                c.request("POST", self.prefix + "/api/v1/posts", body=body, headers={
                    "Authorization": "Bearer " + token,
                    "Content-Type": "application/json",
                    "Idempotency-Key": key,
                    "Accept": "application/json"})
                r = c.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    c.close()
                    state["c"] = None
                if 200 <= r.status < 300:
                    self.success()
                    try:
                        rec["id"] = json.loads(data)["id"]
                    except (ValueError, KeyError, TypeError):
                        rec["errors"].append("%.3f %d unreadable answer %r" %
                                             (self.now(), r.status, data[:80]))
                        rec["id"] = None
                        break
                    rec["acked_at"] = round(self.now(), 3)
                    break
                err = "%d %s" % (r.status, data[:80].decode("utf-8", "replace").strip())
                if r.status >= 500 or r.status in RETRY_4XX:
                    ra = r.getheader("Retry-After")
                    if ra and ra.strip().isdigit():
                        wait = float(ra.strip())
                        err += " (Retry-After %s)" % ra.strip()
                else:
                    rec["errors"].append("%.3f %s" % (self.now(), err))
                    with self.lock:
                        self.failed_requests += 1
                    rec["rejected"] = True
                    break
            except (OSError, http.client.HTTPException, ssl.SSLError) as e:
                err = "%s: %s" % (type(e).__name__, e)
                try:
                    if state["c"] is not None:
                        state["c"].close()
                except Exception:
                    pass
                state["c"] = None
            rec["errors"].append("%.3f %s" % (self.now(), err[:160]))
            with self.lock:
                self.failed_requests += 1
            if wait is None:
                wait = pause * (0.5 + random.random())
                pause = min(pause * 2, a.backoff_cap)
            wait = min(wait, max(0.0, self.stop_at - time.monotonic()))
            time.sleep(wait)
        with self.cond:
            self.done += 1
            if rec["id"] is not None:
                self.acked += 1
            self.cond.notify_all()
        self.posts[i] = rec

    def client(self, n):
        token = self.a.token[n % len(self.a.token)]
        state = {"c": None}
        while True:
            i = self.take()
            if i is None:
                break
            self.post_one(i, token, state)
        if state["c"] is not None:
            state["c"].close()

    def hook(self, h):
        with self.cond:
            while self.acked < h["at_acked"] and self.done < len(self.posts):
                self.cond.wait(0.5)
        h["started_at"] = round(self.now(), 3)
        h["acked_then"] = self.acked
        try:
            p = subprocess.run(h["run"], shell=True, capture_output=True,
                               text=True, timeout=max(1.0, self.stop_at - time.monotonic()))
            h["rc"] = p.returncode
            h["output"] = (p.stdout + p.stderr)[-2000:]
        except subprocess.TimeoutExpired:
            h["rc"] = None
            h["output"] = "timed out"
        h["ended_at"] = round(self.now(), 3)
        if not self.a.quiet:
            print("load.py: hook at %d acked (%.1f s): rc %s" %
                  (h["acked_then"], h["started_at"], h["rc"]), file=sys.stderr)

    def run(self):
        hooks = [threading.Thread(target=self.hook, args=(h,), daemon=True)
                 for h in self.hooks]
        for t in hooks:
            t.start()
        ths = [threading.Thread(target=self.client, args=(n,))
               for n in range(self.a.clients)]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        end = time.monotonic()
        for t in hooks:
            t.join(timeout=max(0.0, self.stop_at - time.monotonic()) + 5)
        # A gap that lasted until the end (nothing succeeded after it).
        if self.done and end - self.last_ok > self.max_gap[0] and self.acked < len(self.posts):
            self.max_gap = (end - self.last_ok, self.last_ok - self.t0, end - self.t0)
        dur = end - self.t0
        posts = [p for p in self.posts if p is not None]
        summary = {
            "url": self.a.url, "clients": self.a.clients, "posts": len(self.posts),
            "tag": self.a.tag, "acked": self.acked,
            "failed": len(self.posts) - self.acked,
            "failed_requests": self.failed_requests,
            "retried_posts": sum(1 for p in posts if p["attempts"] > 1),
            "max_attempts": max((p["attempts"] for p in posts), default=0),
            "max_gap_s": round(self.max_gap[0], 3),
            "max_gap_from_s": round(self.max_gap[1], 3),
            "max_gap_to_s": round(self.max_gap[2], 3),
            "duration_s": round(dur, 3),
            "posts_per_s": round(self.acked / dur, 1) if dur > 0 else None,
        }
        return {"summary": summary, "hooks": self.hooks, "posts": posts}


def main(argv):
    a = parse_args(argv)
    res = Load(a).run()
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(res, f, indent=1)
    os.replace(tmp, a.out)
    s = res["summary"]
    if not a.quiet:
        print("load.py: %(acked)d of %(posts)d acked in %(duration_s).1f s "
              "(%(posts_per_s)s/s), %(failed_requests)d failed requests, "
              "longest gap %(max_gap_s).2f s" % s, file=sys.stderr)
    return 0 if s["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
