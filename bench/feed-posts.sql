-- bench/feed-posts.sql: posts :lo..:hi of the feed benchmark, set-based
-- (bench/feed-db.sh).  Run as the cluster superuser after feed-council.sql.
--
-- Each post gets an author (bench_authors), a kind, secrecy (10%, where the
-- author's organisation may hold secrets), a scope, sometimes exclusions,
-- and its effective scope in post_audience, computed here with the rules
-- of docs/sharing.md, steps 1-4 and 7 (no replies and no derived posts are
-- generated, so steps 5 and 6 do not arise).  feed-db.sh checks a sample
-- against council.audience_refresh_post.
--
-- Scope mix (per post): 0.1% none (R-SCOPE-5, never secret), 0.1%
-- all_members, 44% 1-5 named organisations, 30% a group, 10% a sector,
-- 3% type1_group, 2% task_force, 3% type2, 2% coordinator, 2% a category
-- (academia or mutual-aid), 3.8% named organisations plus a group.
-- Exclusions: 8% "supervisors of my sector" (operators' posts), 4%
-- investigative bodies, 4% a named organisation.
\set ON_ERROR_STOP 1
SELECT setseed(:lo::float8 / 2000000);
SET work_mem = '512MB';
SET maintenance_work_mem = '1GB';
SET session_replication_role = replica;   -- no FK checks: consistent by construction

SELECT count(*) AS n_authors FROM public.bench_authors \gset

CREATE TEMP TABLE gen AS
SELECT g.id, a.person_id, a.org_id, a.category, a.council_role, s.kind AS scope,
       CASE WHEN a.council_role IS NOT NULL AND r2 < 0.3 THEN 'alert'
            WHEN r2 < 0.45 THEN 'report' WHEN r2 < 0.75 THEN 'analysis'
            WHEN r2 < 0.9 THEN 'countermeasure' ELSE 'consultation'
       END::council.post_kind AS kind,
       a.may_secret AND s.kind <> 'none' AND r3 < 0.1 AS secret,
       CASE WHEN r4 < 0.08 AND a.category = 'ci_operator' THEN 'supervisors'
            WHEN r4 >= 0.08 AND r4 < 0.12 THEN 'investigative'
            WHEN r4 >= 0.12 AND r4 < 0.16 THEN 'org' END AS excl,
       1 + floor(random() * 5)::int AS n_named,
       1 + floor(random() * 300)::bigint AS group_id,
       floor(random() * 15)::int AS sector_n,
       CASE WHEN random() < 0.5 THEN 'academia' ELSE 'mutual_aid' END AS category_c,
       3 + floor(random() * (:orgs - 2))::bigint AS excl_org
FROM generate_series(:lo, :hi) g(id)
CROSS JOIN LATERAL (SELECT random() AS r1, random() AS r2, random() AS r3,
                           random() AS r4, 1 + floor(random() * :n_authors)::bigint AS an
                    WHERE g.id IS NOT NULL) r
JOIN public.bench_authors a ON a.n = r.an
CROSS JOIN LATERAL (SELECT CASE
        WHEN r1 < 0.001 THEN 'none' WHEN r1 < 0.002 THEN 'all'
        WHEN r1 < 0.442 THEN 'orgs' WHEN r1 < 0.742 THEN 'group'
        WHEN r1 < 0.842 THEN 'sector' WHEN r1 < 0.872 THEN 'type1'
        WHEN r1 < 0.892 THEN 'tf' WHEN r1 < 0.922 THEN 'type2'
        WHEN r1 < 0.942 THEN 'coord' WHEN r1 < 0.962 THEN 'category'
        ELSE 'orgs_group' END AS kind) s;

INSERT INTO council.posts (id, kind, title, is_secret, confidence,
    scope_designated, tlp, created_at)
OVERRIDING SYSTEM VALUE
SELECT id, kind, 'Post ' || id || ': ' || kind || ' / ' || scope, secret,
       CASE WHEN kind = 'countermeasure' THEN (ARRAY['high', 'low'])[1 + id % 2] END,
       scope <> 'none',
       CASE WHEN secret THEN 'red' WHEN scope = 'none' THEN 'clear'
            WHEN scope = 'all' THEN 'green' WHEN scope = 'orgs' THEN 'amber_strict'
            ELSE 'amber' END::council.tlp,
       timestamptz '2026-01-01' + id * interval '20 seconds'
FROM gen ORDER BY id;
SELECT setval(pg_get_serial_sequence('council.posts', 'id'), (SELECT max(id) FROM council.posts));
INSERT INTO council.post_authors (post_id, person_id, org_id, masked)
SELECT id, person_id, org_id, kind = 'consultation' FROM gen ORDER BY id;
INSERT INTO council.post_bodies (post_id, body)
SELECT id, repeat('Body of post ' || id || '. ', 8) FROM gen ORDER BY id;

INSERT INTO council.post_scope (post_id, org_id)
SELECT DISTINCT g.id, 3 + floor(random() * (:orgs - 2))::bigint
FROM gen g, generate_series(1, g.n_named) k
WHERE g.scope IN ('orgs', 'orgs_group');
INSERT INTO council.post_scope (post_id, group_id)
SELECT id, group_id FROM gen WHERE scope IN ('group', 'orgs_group');
INSERT INTO council.post_scope (post_id, class, sector_code, category)
SELECT g.id,
       CASE g.scope WHEN 'all' THEN 'all_members' WHEN 'sector' THEN 'sector'
            WHEN 'type1' THEN 'type1_group' WHEN 'tf' THEN 'task_force'
            WHEN 'type2' THEN 'type2' WHEN 'coord' THEN 'coordinator'
            WHEN 'category' THEN 'category' END::council.audience_class,
       CASE WHEN g.scope = 'sector' THEN s.code END,
       CASE WHEN g.scope = 'category' THEN g.category_c::council.org_category END
FROM gen g JOIN (SELECT row_number() OVER (ORDER BY code) - 1 AS n, code
                 FROM council.sectors) s ON s.n = g.sector_n
WHERE g.scope IN ('all', 'sector', 'type1', 'tf', 'type2', 'coord', 'category');
INSERT INTO council.post_exclusions (post_id, kind, org_id, sector_code)
SELECT g.id, g.excl::council.exclusion_kind,
       CASE WHEN g.excl = 'org' THEN g.excl_org END,
       CASE WHEN g.excl = 'supervisors' THEN o.sector_code END
FROM gen g JOIN council.organisations o ON o.id = g.org_id
WHERE g.excl IS NOT NULL;

-- The effective scope (docs/sharing.md), for posts :lo..:hi.
CREATE TEMP TABLE named AS
SELECT s.post_id, s.org_id FROM council.post_scope s
WHERE s.post_id BETWEEN :lo AND :hi AND s.org_id IS NOT NULL
UNION ALL
SELECT s.post_id, m.org_id FROM council.post_scope s
JOIN council.group_members m ON m.group_id = s.group_id
WHERE s.post_id BETWEEN :lo AND :hi
UNION ALL
SELECT s.post_id, c.org_id FROM council.post_scope s
JOIN public.bench_classes c ON c.class = s.class
     AND c.sector = coalesce(s.sector_code, '') AND c.category = coalesce(s.category::text, '')
WHERE s.post_id BETWEEN :lo AND :hi
UNION ALL
SELECT g.id, o.id FROM gen g CROSS JOIN council.organisations o WHERE g.scope = 'none';

CREATE TEMP TABLE excluded AS
SELECT e.post_id, e.org_id FROM council.post_exclusions e
WHERE e.post_id BETWEEN :lo AND :hi AND e.kind = 'org'
UNION
SELECT e.post_id, v.org_id FROM council.post_exclusions e
JOIN council.org_supervises v ON v.sector_code = e.sector_code
WHERE e.post_id BETWEEN :lo AND :hi AND e.kind = 'supervisors'
UNION
SELECT e.post_id, o.id FROM council.post_exclusions e
JOIN council.organisations o ON o.is_investigative
WHERE e.post_id BETWEEN :lo AND :hi AND e.kind = 'investigative';

-- The audience index is rebuilt after the bulk insert (faster than
-- maintaining it row by row); same names and definitions as 0002 and 0004.
ALTER TABLE council.post_audience DROP CONSTRAINT post_audience_pkey;
DROP INDEX council.post_audience_post;
-- Sort-based grouping: the rows leave in post order, the order in which
-- fan-out on write stores them (council.audience_refresh_post, one post at
-- a time), so the heap has production's layout.
SET enable_hashagg = off;          -- sort-based grouping (post order, see above)
SET enable_mergejoin = off;        -- hash anti-joins on the small exclusion set: no extra sort
INSERT INTO council.post_audience (org_id, post_id, is_author, is_secret)
SELECT a.org_id, a.post_id, a.is_author, g.secret  -- 0003: the post's secrecy
FROM (SELECT post_id, org_id, bool_or(is_author) AS is_author FROM (
    -- kept, routed (R-ORG-8), never the secretariat (R-ORG-6); members
    -- only (R-ORG-3: every member here is in its first membership, and
    -- every GSOC member is a member)
    SELECT n.post_id, CASE WHEN o.gsoc_liaison THEN o.liaison_via ELSE o.id END AS org_id,
           false AS is_author
    FROM named n JOIN council.organisations o ON o.id = n.org_id
    WHERE o.status = 'member' AND NOT EXISTS (SELECT 1 FROM excluded x WHERE x.post_id = n.post_id AND x.org_id = o.id)
      AND (NOT o.gsoc_liaison OR (o.liaison_via IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM excluded x WHERE x.post_id = n.post_id AND x.org_id = o.liaison_via)))
      AND o.council_role IS DISTINCT FROM 'secretariat'
    UNION ALL
    SELECT id, org_id, true FROM gen             -- step 7: the author's organisation
  ) u
  GROUP BY post_id, org_id) a
JOIN gen g ON g.id = a.post_id;
RESET enable_hashagg;
RESET enable_mergejoin;
ALTER TABLE council.post_audience ADD CONSTRAINT post_audience_pkey
    PRIMARY KEY (org_id, post_id) INCLUDE (is_author, is_secret);   -- 0004
CREATE INDEX post_audience_post ON council.post_audience (post_id);
-- 0014: what the feed reads from the post itself, as create_post writes
-- it: the author to show (none when masked) and the scope summary.
UPDATE council.posts p SET shown_author_org = a.org_id
FROM council.post_authors a
WHERE a.post_id = p.id AND NOT a.masked AND p.id BETWEEN :lo AND :hi;
UPDATE council.posts SET scope_summary = council.scope_summary_compute(id)
WHERE id BETWEEN :lo AND :hi;
-- 0023: the feed index, which the triggers on post_audience and posts
-- would have written (they do not fire here): rows in post order, indexes
-- rebuilt after the insert; same names and definitions as 0023.
ALTER TABLE council.feed_items DROP CONSTRAINT feed_items_pkey;
DROP INDEX council.feed_items_kind;
DROP INDEX council.feed_items_tlp;
SELECT council.feed_items_backfill(:lo, :hi);
ALTER TABLE council.feed_items ADD CONSTRAINT feed_items_pkey PRIMARY KEY (org_id, post_id);
CREATE INDEX feed_items_kind ON council.feed_items (org_id, kind, post_id);
CREATE INDEX feed_items_tlp ON council.feed_items (org_id, tlp, post_id);
RESET session_replication_role;
