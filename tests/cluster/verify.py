#!/usr/bin/python3
"""tests/cluster/verify.py RESULT.json DSN [--councilctl PATH] [--label TEXT]

After tests/cluster/load.py (issue 16): in the database at DSN (a
superuser's, or a role that reads past row-level security), every post the
load saw acknowledged exists exactly once and whole, and the audit chain
verifies.  Prints TAP lines without numbers ("ok - ...", "not ok - ...",
"# ..."): tests/cluster/run.sh numbers them.  Exit status 1 if one failed.

A whole post (policy/42_sharing_writes.sql create_post, policy/61_compose.sql
create_post_once): its row in council.posts with the marker in its title
and its scope summary; one author (post_authors); its body (post_bodies)
with the marker; its scope (post_scope); its audience (post_audience, the
author's organisation among it); exactly one sealed audit event
'post.create' (audit_log, seq and hash set); its Idempotency-Key's row in
council.submissions pointing at it.  All in one transaction, so any of them
missing means a partial write.

Standard library only; queries through psql.
"""
import argparse
import json
import os
import subprocess
import sys


def psql(dsn, sql):
    p = subprocess.run(["psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-F", "\t", "-d", dsn],
                       input=sql, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("psql: " + p.stderr.strip()[:500])
    return p.stdout


class Tap:
    def __init__(self, label):
        self.label = label
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        desc = "%s: %s" % (self.label, desc) if self.label else desc
        print(("ok - " if cond else "not ok - ") + desc)
        if not cond:
            self.failed += 1
            for line in (diag or "").splitlines()[:20]:
                print("#   " + line)
        return cond

    def diag(self, text):
        for line in text.splitlines():
            print("# " + line)


CHECK_SQL = r"""
CREATE TEMP TABLE acked (i int, id bigint, key text, marker text) ON COMMIT DROP;
INSERT INTO acked SELECT * FROM jsonb_to_recordset(:'acked'::jsonb)
    AS x(i int, id bigint, key text, marker text);
-- Every post of the run, by marker in the title (acknowledged or not).
CREATE TEMP TABLE ran ON COMMIT DROP AS
    SELECT p.id, substring(p.title FROM '^fault load (.*)$') AS marker
    FROM council.posts p WHERE p.title LIKE 'fault load ' || :'tag' || '-%';
SELECT 'posts_with_tag', count(*) FROM ran;
SELECT 'markers_twice', count(*) FROM (SELECT marker FROM ran GROUP BY marker HAVING count(*) > 1) d;
SELECT 'markers_twice_list', coalesce(string_agg(marker, ' '), '') FROM
    (SELECT marker FROM ran GROUP BY marker HAVING count(*) > 1 ORDER BY marker LIMIT 10) d;
SELECT 'acked_missing', count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM council.posts p WHERE p.id = a.id);
SELECT 'acked_missing_list', coalesce(string_agg(a.id || '=' || a.marker, ' '), '') FROM
    (SELECT * FROM acked a WHERE NOT EXISTS (SELECT 1 FROM council.posts p WHERE p.id = a.id)
     ORDER BY a.i LIMIT 10) a;
SELECT 'acked_wrong_marker', count(*) FROM acked a JOIN council.posts p ON p.id = a.id
    WHERE p.title <> 'fault load ' || a.marker;
SELECT 'acked_id_twice', count(*) FROM (SELECT id FROM acked GROUP BY id HAVING count(*) > 1) d;
SELECT 'acked_marker_not_once', count(*) FROM acked a
    WHERE (SELECT count(*) FROM ran r WHERE r.marker = a.marker) <> 1;
SELECT 'unacked_present', count(*) FROM ran r WHERE NOT EXISTS (SELECT 1 FROM acked a WHERE a.marker = r.marker);
-- Whole: every piece create_post writes in its one transaction.
CREATE TEMP TABLE partial ON COMMIT DROP AS
SELECT a.id, a.marker,
    concat_ws(',',
      CASE WHEN p.scope_summary IS NULL THEN 'scope_summary' END,
      CASE WHEN (SELECT count(*) FROM council.post_authors x WHERE x.post_id = a.id) <> 1 THEN 'post_authors' END,
      CASE WHEN NOT EXISTS (SELECT 1 FROM council.post_bodies x WHERE x.post_id = a.id
                            AND strpos(x.body, a.marker) > 0) THEN 'post_bodies' END,
      CASE WHEN NOT EXISTS (SELECT 1 FROM council.post_scope x WHERE x.post_id = a.id) THEN 'post_scope' END,
      CASE WHEN NOT EXISTS (SELECT 1 FROM council.post_audience x JOIN council.post_authors w
                              ON w.post_id = x.post_id AND w.org_id = x.org_id
                            WHERE x.post_id = a.id) THEN 'post_audience' END,
      CASE WHEN (SELECT count(*) FROM council.audit_log l WHERE l.action = 'post.create'
                 AND l.object_type = 'post' AND l.object_id = a.id
                 AND l.seq IS NOT NULL AND l.hash IS NOT NULL) <> 1 THEN 'audit_log' END,
      CASE WHEN (SELECT count(*) FROM council.submissions s WHERE s.key = a.key
                 AND s.post_id = a.id) <> 1 THEN 'submissions' END) AS missing
FROM acked a JOIN council.posts p ON p.id = a.id;
SELECT 'partial', count(*) FROM partial WHERE missing <> '';
SELECT 'partial_list', coalesce(string_agg(id || ':' || missing, ' '), '') FROM
    (SELECT * FROM partial WHERE missing <> '' ORDER BY id LIMIT 10) d;
SELECT 'keys_reused', count(*) FROM (SELECT s.key FROM council.submissions s JOIN acked a ON a.key = s.key
    GROUP BY s.key HAVING count(*) > 1) d;
"""


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("result")
    ap.add_argument("dsn")
    ap.add_argument("--councilctl", default=os.environ.get("COUNCILCTL"))
    ap.add_argument("--audit-dsn", help="DSN for councilctl audit verify (default DSN)")
    ap.add_argument("--label", default="")
    a = ap.parse_args(argv)
    t = Tap(a.label)
    with open(a.result) as f:
        res = json.load(f)
    s = res["summary"]
    posts = res["posts"]
    acked = [{"i": p["i"], "id": p["id"], "key": p["key"], "marker": p["marker"]}
             for p in posts if p.get("id") is not None]
    t.ok(s["failed"] == 0 and len(acked) == s["posts"],
         "every one of the %d posts acknowledged (retried with its key: %d failed requests)"
         % (s["posts"], s["failed_requests"]),
         "acked %d, failed %d; first errors of an unacknowledged post: %s" % (
             len(acked), s["failed"],
             next((p["errors"][-3:] for p in posts if p.get("id") is None), [])))
    sql = "BEGIN;\n" + CHECK_SQL + "COMMIT;\n"
    try:
        out = psql(a.dsn, "\\set acked '%s'\n\\set tag '%s'\n" % (
            json.dumps(acked).replace("'", "''"), s["tag"].replace("'", "''")) + sql)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        t.ok(False, "the acknowledged posts read back from the database", str(e))
        return 1
    r = {}
    for line in out.splitlines():
        k, _, v = line.partition("\t")
        r[k] = v
    n = lambda k: int(r.get(k, "-1") or "-1")
    t.ok(n("acked_missing") == 0,
         "every acknowledged post exists (%d of %d)" % (len(acked) - n("acked_missing"), len(acked)),
         "missing: %s" % r.get("acked_missing_list"))
    t.ok(n("acked_id_twice") == 0 and n("acked_wrong_marker") == 0,
         "each acknowledged id is its own post (no id acknowledged twice, the marker matches)",
         "ids twice %s, wrong marker %s" % (r.get("acked_id_twice"), r.get("acked_wrong_marker")))
    t.ok(n("markers_twice") == 0 and n("acked_marker_not_once") == 0,
         "exactly once: no marker of the run in two posts (%s posts carry the run's tag)"
         % r.get("posts_with_tag"),
         "markers twice: %s (%s)" % (r.get("markers_twice"), r.get("markers_twice_list")))
    t.ok(n("partial") == 0,
         "none partial: posts, author, body, scope, audience, one sealed post.create audit event, "
         "the key's submission",
         "partial: %s" % r.get("partial_list"))
    t.ok(n("keys_reused") == 0, "each Idempotency-Key made one submission",
         "keys with several rows: %s" % r.get("keys_reused"))
    if n("unacked_present"):
        t.diag("%s posts of the run exist whose answer never came (given up at the deadline)"
               % r["unacked_present"])
    if a.councilctl:
        p = subprocess.run([a.councilctl, "-d", a.audit_dsn or a.dsn, "audit", "verify"],
                           capture_output=True, text=True, timeout=300)
        t.ok(p.returncode == 0, "councilctl audit verify passes (%s)"
             % " ".join((p.stdout + p.stderr).split())[:200],
             p.stdout + p.stderr)
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
