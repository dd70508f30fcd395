-- bench/feed-db-gen.sql: add posts :from .. :to to the benchmark council
-- (bench/feed-db.sh), with scopes, authors, exclusions and the effective
-- scope (post_audience) computed set-based for the scopes generated here:
--    0.1% all_members, 5% task_force, 15% type1_group, 20% sector,
--    30% a group, the rest 1-5 named organisations; 20% secret;
--    10% exclude investigative bodies.
-- Run as the superuser (no RLS, no triggers needed: the generated scopes
-- are expanded here the way council.audience_compute would).
\set ON_ERROR_STOP 1
BEGIN;
SET LOCAL synchronous_commit = off;
CREATE TEMP TABLE g ON COMMIT DROP AS
SELECT i AS id,
       1 + (hashint8(i) & 2147483647) % 2000 AS author_org,
       (hashint8(i * 7) & 2147483647) % 1000 AS pick,
       (hashint8(i * 13) & 2147483647) % 10 < 2 AS secret,
       (hashint8(i * 17) & 2147483647) % 10 = 0 AS excl_inv,
       (hashint8(i * 19) & 2147483647) % 100 AS g_or_s
FROM generate_series(:from, :to) AS i;

INSERT INTO council.posts (id, kind, title, is_secret, confidence,
    scope_designated, tlp, created_at)
OVERRIDING SYSTEM VALUE
SELECT id, (ARRAY['analysis','report','consultation','alert']::council.post_kind[])[1 + id % 4],
       'bench post ' || id, secret, NULL, true,
       CASE WHEN secret THEN 'red' ELSE 'amber' END::council.tlp,
       timestamptz '2026-01-01' + id * interval '1 second'
FROM g;
INSERT INTO council.post_bodies (post_id, body) SELECT id, 'body ' || id FROM g;
INSERT INTO council.post_authors (post_id, person_id, org_id, masked)
SELECT id, author_org, author_org, false FROM g;   -- person i belongs to org i
INSERT INTO council.post_exclusions (post_id, kind) SELECT id, 'investigative' FROM g WHERE excl_inv;

CREATE TEMP TABLE s ON COMMIT DROP AS
SELECT g.id, g.author_org, g.secret, g.excl_inv,
       CASE WHEN pick < 1 THEN 'all' WHEN pick < 51 THEN 'tf' WHEN pick < 201 THEN 't1'
            WHEN pick < 401 THEN 'sector' WHEN pick < 701 THEN 'group' ELSE 'named' END AS how,
       (SELECT code FROM council.sectors ORDER BY code OFFSET g_or_s % 15 LIMIT 1) AS sector,
       1 + g_or_s AS grp
FROM g;
INSERT INTO council.post_scope (post_id, class)
SELECT id, CASE how WHEN 'all' THEN 'all_members' WHEN 'tf' THEN 'task_force'
                    ELSE 'type1_group' END::council.audience_class
FROM s WHERE how IN ('all', 'tf', 't1');
INSERT INTO council.post_scope (post_id, class, sector_code)
SELECT id, 'sector', sector FROM s WHERE how = 'sector';
INSERT INTO council.post_scope (post_id, group_id)
SELECT id, grp FROM s WHERE how = 'group';
INSERT INTO council.post_scope (post_id, org_id)
SELECT DISTINCT s.id, 1 + (hashint8(s.id * 31 + k) & 2147483647) % 2000
FROM s, generate_series(1, 1 + s.id % 5) AS k WHERE how = 'named';

INSERT INTO council.post_audience (org_id, post_id, is_author, is_secret)
SELECT org_id, id, bool_or(is_author), bool_or(secret) FROM (
    SELECT o.id AS org_id, s.id, false AS is_author, s.secret
    FROM s JOIN council.organisations o ON
           s.how = 'all'
        OR (s.how = 'tf' AND (o.council_role = 'coordinator' OR o.tf_class <> 'none'))
        OR (s.how = 't1' AND (o.council_role = 'coordinator' OR o.tf_class = 'type1'))
        OR (s.how = 'sector' AND o.category = 'ci_operator' AND o.sector_code = s.sector)
    WHERE o.council_role IS DISTINCT FROM 'secretariat'
      AND NOT (s.excl_inv AND o.is_investigative)
      AND s.how IN ('all', 'tf', 't1', 'sector')
    UNION ALL
    SELECT gm.org_id, s.id, false, s.secret FROM s
    JOIN council.group_members gm ON gm.group_id = s.grp
    JOIN council.organisations o ON o.id = gm.org_id
    WHERE s.how = 'group' AND o.council_role IS DISTINCT FROM 'secretariat'
      AND NOT (s.excl_inv AND o.is_investigative)
    UNION ALL
    SELECT ps.org_id, s.id, false, s.secret FROM s
    JOIN council.post_scope ps ON ps.post_id = s.id AND ps.org_id IS NOT NULL
    JOIN council.organisations o ON o.id = ps.org_id
    WHERE s.how = 'named' AND o.council_role IS DISTINCT FROM 'secretariat'
      AND NOT (s.excl_inv AND o.is_investigative)
    UNION ALL
    SELECT s.author_org, s.id, true, s.secret FROM s
) x GROUP BY org_id, id;
COMMIT;
