#!/usr/bin/env python3
"""bench/http/capture.py: what councild asked the database for one request.

    capture.py LOGFILE OFFSET NAME=REQUEST_ID...

Reads a PostgreSQL log (default stderr format, log_line_prefix '%m [%p] ')
from byte OFFSET on, written with log_min_duration_statement = 0 and
auto_explain (log_min_duration = 0, log_analyze = on) for council_app.
councild sets council.request_id to the request's X-Request-Id in every
transaction (server/core/db.c), so the transactions of a request are those
whose identity statement was bound with that id.  For each NAME prints the
request's round trips and, for each statement other than BEGIN, the
identity and COMMIT: unnamed or prepared (named, parsed at its first use
on the connection), its parse, bind (planning, unless a cached plan is
used) and execution times, the planner's estimated cost and whether
PostgreSQL compiled it with JIT.
"""
import re
import sys

HEAD = re.compile(r"^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[(\d+)\] (\w+):  (.*)$")
DUR = re.compile(r"^duration: ([\d.]+) ms  (parse|bind|execute) ([^:]*): (.*)$", re.S)
PLAN = re.compile(r"^duration: ([\d.]+) ms  plan:\n(.*)$", re.S)


def records(text):
    """(pid, level, message) of each log entry, continuation lines joined."""
    out = []
    for line in text.split("\n"):
        m = HEAD.match(line)
        if m:
            out.append([m.group(1), m.group(2), m.group(3)])
        elif out:
            out[-1][2] += "\n" + line
    return out


def short(sql, n=60):
    sql = " ".join(sql.split())
    return sql if len(sql) <= n else sql[: n - 3] + "..."


def request(recs, rid):
    """The statements of the transactions whose identity carries rid.

    In the log, a transaction's identity statement is bound (its DETAIL
    names the parameters) before its other statements run; auto_explain
    logs a statement's plan once its portal closes, at the next statement
    of the pipeline, so plans are matched by their query text."""
    stmts, trips, inside, pid, ident = [], 0, False, None, None
    for p, level, msg in recs:
        if level == "DETAIL":
            if ident == p and rid in msg:
                inside, pid, trips = True, p, trips + 1
            ident = None
            continue
        if p != pid and not (level == "LOG" and msg.startswith("duration:")):
            continue
        m = PLAN.match(msg)
        if m and p == pid:
            q = re.search(r"Query Text: (.*)", m.group(2))
            for st in stmts:
                if st["plan"] is None and q and st["sql"][:200] == q.group(1).strip()[:200]:
                    st["plan"] = m.group(2)
                    break
            continue
        m = DUR.match(msg)
        if not m:
            continue
        ms, phase, name, sql = float(m.group(1)), m.group(2), m.group(3), m.group(4).strip()
        if phase == "bind" and sql.startswith("SELECT set_config('council.session'"):
            ident = p
        if not inside or p != pid:
            continue
        if sql == "COMMIT":
            if phase == "execute":
                inside = False
            continue
        # A prepared statement (named) is parsed once per connection: its
        # later uses start at the bind.
        if phase == "parse" or (phase == "bind" and not (
                stmts and stmts[-1]["sql"] == sql and stmts[-1]["bind"] == 0.0
                and stmts[-1]["execute"] == 0.0)):
            stmts.append({"sql": sql, "name": name, "parse": None, "bind": 0.0,
                          "execute": 0.0, "plan": None})
        if stmts and stmts[-1]["sql"] == sql:
            stmts[-1][phase] = ms
    return trips, stmts


def describe(st):
    cost, jit = "?", "none"
    if st["plan"]:
        m = re.search(r"cost=[\d.]+\.\.([\d.]+)", st["plan"])
        cost = m.group(1) if m else "?"
        f = re.search(r"JIT:\s*\n\s*Functions: (\d+)", st["plan"])
        t = re.search(r"Total ([\d.]+ ms)", st["plan"])
        if f:
            jit = "%s functions, %s" % (f.group(1), t.group(1) if t else "?")
    parse = ("parse %.2f ms" % st["parse"]) if st["parse"] is not None else "parsed before"
    kind = "unnamed" if st["name"] == "<unnamed>" else "prepared " + st["name"]
    return "%s, %s, plan %.2f ms, execute %.2f ms; cost %s; JIT %s" % (
        kind, parse, st["bind"], st["execute"], cost, jit)


def main():
    path, offset = sys.argv[1], int(sys.argv[2])
    with open(path, "rb") as f:
        f.seek(offset)
        recs = records(f.read().decode("utf-8", "replace"))
    for arg in sys.argv[3:]:
        name, _, rid = arg.partition("=")
        trips, stmts = request(recs, rid)
        if trips == 0:
            print("%s: request %s not found in the log" % (name, rid))
            continue
        print("%s: %d round trip(s) to the database" % (name, trips))
        for st in stmts:
            if st["sql"] == "BEGIN" or st["sql"].startswith("SELECT set_config('council.session'"):
                continue
            print("  %s\n    %s" % (short(st["sql"]), describe(st)))


if __name__ == "__main__":
    main()
