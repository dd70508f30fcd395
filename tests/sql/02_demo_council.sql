-- tests/sql/02_demo_council.sql: the shape of the demo council
-- (deploy/demo/demo-council.sql), which the runner has already loaded once.
--
-- Checked as the superuser (no RLS), except the last test, which loads the
-- seed a second time as council_owner (through its owner_admin policies)
-- and checks that nothing changed.  \ir makes this file depend on psql,
-- which pg_prove uses.
BEGIN;
SELECT plan(41);

-- Sizes: fixed by the seed; a change to the seed must update them.
SELECT results_eq(
    $$SELECT (SELECT count(*) FROM council.sectors)::int,
             (SELECT count(*) FROM council.organisations)::int,
             (SELECT count(*) FROM council.people)::int,
             (SELECT count(*) FROM council.committee_members)::int$$,
    $$VALUES (15, 33, 75, 9)$$,
    'demo council: 15 sectors, 33 organisations (GSOC included), 75 people, 9 committee seats');

SELECT set_eq('SELECT code FROM council.sectors',
    ARRAY['telecom', 'finance', 'aviation', 'airports', 'railway', 'electricity',
          'gas', 'government', 'medical', 'water', 'logistics', 'chemical',
          'credit', 'petroleum', 'ports'],
    'the fifteen critical-infrastructure sectors');

-- R-ORG-5, R-ORG-6: the two secretariat bodies. ----------------------------------
SELECT results_eq($$SELECT slug FROM council.organisations WHERE council_role = 'coordinator'$$,
    ARRAY['jpcert-cc'], 'R-ORG-6: exactly one coordinator, JPCERT/CC');
SELECT results_eq($$SELECT slug FROM council.organisations WHERE council_role = 'secretariat'$$,
    ARRAY['nisc'], 'R-ORG-5: exactly one general-affairs secretariat, NISC');
SELECT is((SELECT category::text FROM council.organisations WHERE slug = 'nisc'),
    'national_agency', 'R-ORG-5: NISC is a national agency');

SELECT is(count(*)::int, 0, 'R-ORG-1: every demo organisation is a member; not: '
          || coalesce(string_agg(slug, ', '), 'none'))
FROM council.organisations WHERE status <> 'member';
SELECT is(count(*)::int, 0, 'R-ORG-2: every organisation has a ''member'' status history row; lacking: '
          || coalesce(string_agg(o.slug, ', '), 'none'))
FROM council.organisations o
WHERE NOT EXISTS (SELECT 1 FROM council.org_status_history h
                  WHERE h.org_id = o.id AND h.status = 'member');

-- R-GOV-5: the steering committee. ---------------------------------------------
SELECT results_eq(
    $$SELECT o.slug FROM council.committee_members c
      JOIN council.people p ON p.id = c.person_id
      JOIN council.organisations o ON o.id = p.org_id WHERE c.is_chair$$,
    ARRAY['cas'], 'R-GOV-5: exactly one chair, from the Cabinet Secretariat (the HQ chief)');
SELECT set_eq(
    $$SELECT o.slug FROM council.committee_members c
      JOIN council.people p ON p.id = c.person_id
      JOIN council.organisations o ON o.id = p.org_id$$,
    ARRAY['cas', 'fsa', 'meti', 'mic', 'mhlw', 'mlit', 'digital', 'npa', 'mod'],
    'R-GOV-5: the committee seats are the HQ chief and eight ministries');
SELECT is(count(*)::int, 0,
    'R-GOV-5: every committee member is an active person of a national agency; not: '
    || coalesce(string_agg(p.email, ', '), 'none'))
FROM council.committee_members c JOIN council.people p ON p.id = c.person_id
JOIN council.organisations o ON o.id = p.org_id
WHERE o.category <> 'national_agency' OR NOT p.active;
SELECT is(count(*)::int, 0,
    'R-ORG-4 (Art. 13): every committee member is a registered handler; not: '
    || coalesce(string_agg(p.email, ', '), 'none'))
FROM council.committee_members c JOIN council.people p ON p.id = c.person_id
WHERE NOT EXISTS (SELECT 1 FROM council.handler_registrations r
                  WHERE r.person_id = p.id AND r.deregistered_at IS NULL);

-- R-SCOPE-2: investigative bodies and supervisors. --------------------------------
SELECT results_eq($$SELECT slug FROM council.organisations WHERE is_investigative$$,
    ARRAY['npa'], 'R-SCOPE-2: the National Police Agency is the investigative body');
SELECT ok(EXISTS (SELECT 1 FROM council.org_supervises s
                  JOIN council.organisations o ON o.id = s.org_id
                  WHERE o.slug = 'fsa' AND s.sector_code = 'finance'),
    'R-SCOPE-2: the FSA supervises finance');
SELECT ok(EXISTS (SELECT 1 FROM council.org_supervises s
                  JOIN council.organisations o ON o.id = s.org_id
                  WHERE o.slug = 'meti' AND s.sector_code = 'electricity'),
    'R-SCOPE-2: METI supervises electricity');
SELECT ok(EXISTS (SELECT 1 FROM council.org_supervises s
                  JOIN council.organisations o ON o.id = s.org_id
                  WHERE o.slug = 'mic' AND s.sector_code = 'telecom'),
    'R-SCOPE-2: MIC supervises telecom');
SELECT is(count(*)::int, 0, 'R-SCOPE-2: every sector has a supervising ministry; unsupervised: '
          || coalesce(string_agg(code, ', '), 'none'))
FROM council.sectors s
WHERE NOT EXISTS (SELECT 1 FROM council.org_supervises v WHERE v.sector_code = s.code);
SELECT is(count(*)::int, 0, 'R-SCOPE-2: only national agencies supervise sectors')
FROM council.org_supervises v JOIN council.organisations o ON o.id = v.org_id
WHERE o.category <> 'national_agency';

-- R-TF-1, R-TF-2: the task force. -------------------------------------------------
SELECT set_eq($$SELECT slug FROM council.organisations WHERE tf_class = 'type1'$$,
    ARRAY['jpcert-cc', 'sakura-security', 'akatsuki-labs', 'mizukane-networks'],
    'R-TF-2: the Type 1 group is JPCERT/CC and three Type 1 vendors');
SELECT is(count(*)::int, 3, 'R-TF-1: the three Type 1 members are cyber-related businesses')
FROM council.organisations
WHERE tf_class = 'type1' AND council_role IS NULL AND category = 'cyber_business';
SELECT set_eq(
    $$SELECT category::text || '/' || coalesce(sector_code, '-')
      FROM council.organisations WHERE tf_class = 'type2'$$,
    ARRAY['ci_operator/finance', 'ci_operator/electricity', 'ci_operator/telecom',
          'local_government/-'],
    'R-TF-1: Type 2 is a bank, a power company, a telecom carrier and a city');
SELECT is((SELECT count(*)::int FROM council.organisations WHERE tf_class = 'type2'), 4,
    'R-TF-1: exactly four Type 2 members');

-- R-TF-4: foreign exclusion. ----------------------------------------------------
SELECT results_eq(
    $$SELECT slug, tf_class::text, foreign_approved FROM council.organisations WHERE foreign_status$$,
    $$VALUES ('northwind-cyber'::text, 'none'::text, false)$$,
    'R-TF-4: one foreign-owned vendor, outside the task force, not specially approved');
SELECT is(count(*)::int, 0, 'R-TF-4: no foreign member in the TF without approval')
FROM council.organisations
WHERE tf_class <> 'none' AND foreign_status AND NOT foreign_approved;

-- General members. --------------------------------------------------------------
SELECT ok(count(*) >= 5, 'R-TF-1: at least five general members besides ministries (have '
          || count(*) || ')')
FROM council.organisations
WHERE tf_class = 'none' AND category <> 'national_agency' AND NOT foreign_status
  AND council_role IS NULL;
SELECT ok(array_agg(category::text) @> ARRAY['mutual_aid', 'academia', 'individual',
                                              'ci_operator', 'local_government'],
    'R-ORG-1, R-ORG-9: general members include an ISAC, a university, an individual, an operator and a local government')
FROM council.organisations
WHERE tf_class = 'none' AND category <> 'national_agency' AND NOT foreign_status;

-- Opt-outs and the liaison member. ------------------------------------------------
SELECT ok(count(*) >= 1, 'R-ORG-7: at least one member left off the roster')
FROM council.organisations WHERE roster_opt_out;
SELECT ok(count(*) >= 1, 'R-SECRET-3: at least one member declines secrets')
FROM council.organisations WHERE secret_opt_out;
SELECT ok(count(*) >= 1, 'R-ORG-10: at least one member declined the early-warning service')
FROM council.organisations WHERE early_warning_opt_out;
SELECT results_eq($$SELECT slug FROM council.organisations WHERE gsoc_liaison$$,
    ARRAY['digital'], 'R-ORG-8: the Digital Agency is the specified liaison member');

-- People. -----------------------------------------------------------------------
SELECT is(count(*)::int, 0, 'every organisation has 2 to 4 people; not: '
          || coalesce(string_agg(o.slug, ', '), 'none'))
FROM council.organisations o
WHERE (SELECT count(*) FROM council.people p WHERE p.org_id = o.id) NOT BETWEEN 2 AND 4;
SELECT is(count(*)::int, 0, 'every organisation has exactly one org admin; not: '
          || coalesce(string_agg(o.slug, ', '), 'none'))
FROM council.organisations o
WHERE (SELECT count(*) FROM council.people p WHERE p.org_id = o.id AND p.is_org_admin) <> 1;
SELECT is(count(*)::int, 0, 'every e-mail is <name>@<org slug>.example.jp (never deliverable); not: '
          || coalesce(string_agg(p.email, ', '), 'none'))
FROM council.people p JOIN council.organisations o ON o.id = p.org_id
WHERE p.email NOT LIKE '%@' || o.slug || '.example.jp';
SELECT is(count(*)::int, 0, 'every e-mail is unique regardless of case')
FROM (SELECT lower(email) FROM council.people GROUP BY 1 HAVING count(*) > 1) d;
SELECT is(count(*)::int, 0, 'every demo password is an scrypt N=2^17 r=8 p=1 MCF hash, never plain text (councilctl seed-demo sets them)')
FROM council.people WHERE password_hash IS NULL OR password_hash !~ '^\$s1\$110801\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$';
SELECT is(count(*)::int, 0, 'every person has a Japanese name and an ASCII English alias; not: '
          || coalesce(string_agg(email, ', '), 'none'))
FROM council.people
WHERE name_en !~ '^[ -~]+$' OR name_ja ~ '^[ -~]+$';

-- R-ORG-4, R-SECRET-2: handlers. ----------------------------------------------------
SELECT is(count(*)::int, 0,
    'R-ORG-4: every task-force organisation has a registered handler; lacking: '
    || coalesce(string_agg(o.slug, ', '), 'none'))
FROM council.organisations o
WHERE o.tf_class <> 'none'
  AND NOT EXISTS (SELECT 1 FROM council.handler_registrations r
                  JOIN council.people p ON p.id = r.person_id
                  WHERE p.org_id = o.id AND r.deregistered_at IS NULL);
SELECT is(count(*)::int, 0,
    'R-ORG-4 (Art. 13): every JPCERT/CC and NISC org admin is a registered handler')
FROM council.people p JOIN council.organisations o ON o.id = p.org_id
WHERE o.council_role IS NOT NULL AND p.is_org_admin
  AND NOT EXISTS (SELECT 1 FROM council.handler_registrations r
                  WHERE r.person_id = p.id AND r.deregistered_at IS NULL);
SELECT set_eq(
    $$SELECT o.slug FROM council.organisations o
      WHERE NOT EXISTS (SELECT 1 FROM council.handler_registrations r
                        JOIN council.people p ON p.id = r.person_id
                        WHERE p.org_id = o.id AND r.deregistered_at IS NULL)$$,
    ARRAY['toto-central-hospital'],
    'R-SECRET-2: exactly one organisation (the hospital) has no registered handler');
SELECT ok(count(*) >= 1,
    'R-ORG-4: a past (deregistered) registration is kept as history, its person no longer a handler')
FROM council.handler_registrations r
WHERE r.deregistered_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM council.handler_registrations o
                  WHERE o.person_id = r.person_id AND o.deregistered_at IS NULL);
SELECT is(count(*)::int, 0, 'no inactive person is a registered handler')
FROM council.handler_registrations r JOIN council.people p ON p.id = r.person_id
WHERE r.deregistered_at IS NULL AND NOT p.active;

-- Idempotency: load the seed again, as council_owner, and compare. -------------
CREATE FUNCTION pg_temp.fingerprint() RETURNS TABLE (tbl text, n bigint, digest text)
LANGUAGE sql AS $$
    SELECT 'sectors', count(*), md5(string_agg(t::text, '|' ORDER BY t.code)) FROM council.sectors t
    UNION ALL SELECT 'organisations', count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) FROM council.organisations t
    UNION ALL SELECT 'org_supervises', count(*), md5(string_agg(t::text, '|' ORDER BY t.org_id, t.sector_code)) FROM council.org_supervises t
    UNION ALL SELECT 'org_status_history', count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) FROM council.org_status_history t
    UNION ALL SELECT 'people', count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) FROM council.people t
    UNION ALL SELECT 'handler_registrations', count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) FROM council.handler_registrations t
    UNION ALL SELECT 'committee_members', count(*), md5(string_agg(t::text, '|' ORDER BY t.person_id)) FROM council.committee_members t
$$;
CREATE TEMP TABLE demo_before AS SELECT * FROM pg_temp.fingerprint();

SET LOCAL ROLE council_owner;
\ir ../../deploy/demo/demo-council.sql
RESET ROLE;

SELECT results_eq('SELECT * FROM pg_temp.fingerprint() ORDER BY tbl',
                  'SELECT * FROM demo_before ORDER BY tbl',
    'the demo seed is idempotent: a second load (as council_owner) changes no row');

SELECT * FROM finish();
ROLLBACK;
