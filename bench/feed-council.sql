-- bench/feed-council.sql: the council of the feed benchmark (bench/feed-db.sh):
-- :orgs organisations (default 2000), 3 people each (2 registered handlers),
-- one live session per person, supervision, 300 groups.  Run once, as the
-- cluster superuser, right after "councilctl migrate", before any post.
-- Deterministic (setseed): two runs build the same council.
--
-- Shape of the :orgs organisations, by position i (1-based):
--   1            JPCERT/CC, the coordinator (Type 1)
--   2            NISC, the general-affairs secretariat
--   3..27        25 national agencies; 3 is investigative (police), 4 is the
--                GSOC member; each of the 15 sectors has a supervisor
--   28..32       5 specified liaison members, through GSOC (R-ORG-8)
--   33..632      600 critical-infrastructure operators, 40 per sector;
--                every 6th is Type 2
--   633..832     200 cyber-related businesses; the first 30 are Type 1
--   833..1132    300 local governments
--   1133..1232   100 universities / research bodies
--   1233..1282   50 mutual-aid bodies (ISAC, CEPTOAR)
--   1283..       individuals and others; every 100th withdrawn, 5 restricted
--   every 67th   opted out of secrets (R-SECRET-3)
\set ON_ERROR_STOP 1
SELECT setseed(0.42);
SET session_replication_role = replica;   -- no audience triggers: no post yet

INSERT INTO council.sectors (code, name_ja, name_en)
SELECT s, s, s FROM unnest(ARRAY['telecom', 'finance', 'aviation', 'airports',
    'railway', 'electricity', 'gas', 'government', 'medical', 'water',
    'logistics', 'chemical', 'credit', 'petroleum', 'ports']) s
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE sec AS
SELECT row_number() OVER (ORDER BY code) - 1 AS n, code FROM council.sectors;

INSERT INTO council.organisations (id, slug, name_ja, name_en, category, sector_code,
    council_role, tf_class, is_investigative, gsoc_liaison, secret_opt_out,
    status, restricted)
OVERRIDING SYSTEM VALUE
SELECT i, 'b-org-' || i, '組織' || i, 'Organisation ' || i,
       c.category::council.org_category,
       CASE WHEN c.category = 'ci_operator'
            THEN (SELECT code FROM sec WHERE n = i % 15) END,
       CASE i WHEN 1 THEN 'coordinator' WHEN 2 THEN 'secretariat' END::council.council_role,
       CASE WHEN i = 1 OR i BETWEEN 633 AND 662 THEN 'type1'
            WHEN i BETWEEN 33 AND 632 AND i % 6 = 0 THEN 'type2'
            ELSE 'none' END::council.tf_class,
       i = 3, i BETWEEN 28 AND 32, i > 2 AND i % 67 = 0,
       CASE WHEN i > 1283 AND i % 100 = 99 THEN 'withdrawn' ELSE 'member' END::council.membership_status,
       i IN (1300, 1400, 1500, 1600, 1700)
FROM generate_series(1, :orgs) i
CROSS JOIN LATERAL (SELECT CASE
        WHEN i = 1 THEN 'other'
        WHEN i <= 32 THEN 'national_agency'
        WHEN i <= 632 THEN 'ci_operator'
        WHEN i <= 832 THEN 'cyber_business'
        WHEN i <= 1132 THEN 'local_government'
        WHEN i <= 1232 THEN 'academia'
        WHEN i <= 1282 THEN 'mutual_aid'
        WHEN i % 2 = 0 THEN 'individual'
        ELSE 'other' END AS category) c;
-- R-ORG-3 (migration 0020): each member's membership period, which the
-- trigger would have opened; a first membership reads from post 0.
INSERT INTO council.org_memberships (org_id, first_post)
SELECT id, 0 FROM council.organisations WHERE status = 'member';
SELECT setval(pg_get_serial_sequence('council.organisations', 'id'),
              (SELECT max(id) FROM council.organisations));
UPDATE council.organisations SET liaison_via = 4 WHERE id BETWEEN 28 AND 32;
-- Each sector has one supervising agency among 5..27.
INSERT INTO council.org_supervises (org_id, sector_code)
SELECT 5 + n % 23, code FROM sec;

INSERT INTO council.people (org_id, name_ja, name_en, email)
SELECT o.id, '職員' || k, 'Staff ' || k, 'p' || k || '@b-org-' || o.id || '.example.jp'
FROM council.organisations o CROSS JOIN generate_series(1, 3) k
ORDER BY o.id, k;
-- Persons 1 and 2 of each organisation are registered handlers (R-ORG-4).
INSERT INTO council.handler_registrations (person_id, registered_at)
SELECT id, now() - interval '30 days' FROM council.people WHERE email !~ '^p3@';
-- One session per person; token "bench-<person id>" (bench/feed.pgbench).
INSERT INTO council.sessions (token_hash, person_id, expires_at)
SELECT sha256(convert_to('bench-' || id, 'UTF8')), id, now() + interval '7 days'
FROM council.people;

-- 300 groups of 5..30 organisations among the operators, businesses,
-- local governments and universities (33..1232).
INSERT INTO council.groups (id, slug, name_ja, name_en, kind, owner_org_id)
OVERRIDING SYSTEM VALUE
SELECT g, 'b-group-' || g, 'グループ' || g, 'Group ' || g,
       (ARRAY['standing', 'adhoc', 'sector', 'cross_sector', 'incident'])[1 + g % 5]::council.group_kind,
       33 + (g * 7919) % 1200
FROM generate_series(1, 300) g;
SELECT setval(pg_get_serial_sequence('council.groups', 'id'), 300);
INSERT INTO council.group_members (group_id, org_id)
SELECT DISTINCT g, 33 + ((g * 7919 + j * 104729) % 1200)
FROM generate_series(1, 300) g, generate_series(1, 5 + g % 26) j
UNION
SELECT id, owner_org_id FROM council.groups;

-- Who may author a post: the first handler of every member organisation
-- that is neither restricted nor a liaison member.
CREATE TABLE public.bench_authors AS
SELECT row_number() OVER (ORDER BY o.id) AS n, p.id AS person_id, o.id AS org_id,
       o.category, o.council_role, NOT o.secret_opt_out AS may_secret
FROM council.organisations o
JOIN council.people p ON p.org_id = o.id AND p.email ~ '^p1@'
WHERE o.status = 'member' AND NOT o.restricted AND NOT o.gsoc_liaison;

-- The expansion of every audience class (docs/sharing.md step 1).
CREATE TABLE public.bench_classes AS
SELECT 'all_members'::council.audience_class AS class, ''::text AS sector, ''::text AS category, id AS org_id
FROM council.organisations
UNION ALL SELECT 'task_force', '', '', id FROM council.organisations
    WHERE council_role = 'coordinator' OR tf_class IN ('type1', 'type2')
UNION ALL SELECT 'type1_group', '', '', id FROM council.organisations
    WHERE council_role = 'coordinator' OR tf_class = 'type1'
UNION ALL SELECT 'type2', '', '', id FROM council.organisations WHERE tf_class = 'type2'
UNION ALL SELECT 'coordinator', '', '', id FROM council.organisations WHERE council_role = 'coordinator'
UNION ALL SELECT 'sector', sector_code, '', id FROM council.organisations WHERE category = 'ci_operator'
UNION ALL SELECT 'category', '', category::text, id FROM council.organisations;
RESET session_replication_role;
-- Sessions were loaded without their triggers: give them their identity.
SELECT council.session_identity_refresh(NULL);
ANALYZE;
