-- tests/sql/34_incidents.sql: incident reports (issue 13; R-NEW-3;
-- policy/80_incidents.sql): the regimes the answers select, with their
-- authorities (a designated organisation, or the sector's supervising
-- ministry, R-SCOPE-2); who may file (R-ORG-4); who sees a report, person
-- by person, and that nobody else learns of it, not even by a count; the
-- stages and the final report's completeness; a regime's new version.
-- Same fixtures as 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(17);
\ir fixtures/sharing.psql

-- The authorities, for these fixtures: the basic policy's is tr-gsoc, the
-- PPC's tr-police; tr-fsa supervises finance (the fixtures).
DELETE FROM council.incident_authorities;
INSERT INTO council.incident_authorities (kind, org_id) VALUES
    ('government', pg_temp.o('tr-gsoc')), ('ppc', pg_temp.o('tr-police')),
    ('coordinator', pg_temp.o('@coordinator'));
GRANT SELECT ON t_orgs TO PUBLIC;

SELECT set_eq($$SELECT code || '>' || authority_org_id FROM council.incident_regimes_for(
                  pg_temp.o('tr-bank'), true, true, false, 'finance') WHERE code <> 'sector'$$,
    ARRAY['basic_policy>' || pg_temp.o('tr-gsoc'), 'ppc_breach>' || pg_temp.o('tr-police'),
          'voluntary>' || pg_temp.o('@coordinator')],
    'R-NEW-3: a specified operator with personal data: the basic policy, the PPC, the voluntary report');
SELECT set_eq($$SELECT authority_org_id FROM council.incident_regimes_for(
                  pg_temp.o('tr-bank'), true, true, false, 'finance') WHERE code = 'sector'$$,
    $$SELECT org_id FROM council.org_supervises WHERE sector_code = 'finance'$$,
    'R-NEW-3, R-SCOPE-2: in finance, every ministry supervising it (tr-fsa among them)');
SELECT set_eq($$SELECT code FROM council.incident_regimes_for(pg_temp.o('tr-univ'), false, false, false, NULL)$$,
    ARRAY['voluntary'], 'R-NEW-3: a member with no duty: the voluntary report only');
SELECT is((SELECT final FROM council.incident_regimes_for(pg_temp.o('tr-bank'), false, true, true, NULL)
           WHERE code = 'ppc_breach'), interval '60 days',
    'R-NEW-3: the PPC''s final report: 60 days when unauthorised access is involved');
SELECT is((SELECT final FROM council.incident_regimes_for(pg_temp.o('tr-bank'), false, true, false, NULL)
           WHERE code = 'ppc_breach'), interval '30 days', '... 30 days otherwise');

-- Filing.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-n');
SELECT throws_ok($$SELECT council.incident_file('x', now(), true, true, false, 'finance',
                     'first_notice', '{}', ARRAY[pg_temp.o('tr-gsoc')])$$,
    'CP403', 'not_a_handler', 'R-ORG-4: a person with no registration cannot report');
SELECT pg_temp.as_('bank-d');
SELECT throws_ok($$SELECT council.incident_file('x', now(), true, true, false, 'finance',
                     'first_notice', '{}', ARRAY[pg_temp.o('tr-gsoc')])$$,
    'CP403', 'not_a_handler', 'R-ORG-4: nor one whose registration ended');
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.incident_file('x', now(), true, true, false, 'finance',
                     'first_notice', '{}', ARRAY[pg_temp.o('tr-univ')])$$,
    'CP422', 'authority_not_applicable', 'R-NEW-3: only an authority of a regime that applies');
CREATE TEMP TABLE t_inc AS
SELECT council.incident_file('tr ransomware', now() - interval '1 hour', true, true, false, 'finance',
    'first_notice', '{"statements": [{"text": "perhaps the VPN", "confirmed": false}]}',
    ARRAY[pg_temp.o('tr-gsoc'), pg_temp.o('tr-police')]) AS id;
SELECT is((SELECT count(*)::int FROM council.incident_deliveries WHERE report_id = (SELECT id FROM t_inc)), 2,
    'R-NEW-3: one report, delivered to the two authorities confirmed');
RESET ROLE;
GRANT SELECT ON t_inc TO PUBLIC;

-- Who sees it: person by person, and what everyone else counts.
CREATE FUNCTION pg_temp.sees_incident() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        IF EXISTS (SELECT 1 FROM council.incident_reports WHERE id = (SELECT id FROM pg_temp.t_inc)) THEN
            r := r || t.k;
        END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
SELECT is(pg_temp.sees_incident(),
    (SELECT array_agg(k ORDER BY k) FROM pg_temp.t_people
     WHERE handler = 'open' AND org IN ('tr-bank', 'tr-gsoc', 'tr-police', '@coordinator')),
    'R-NEW-3: the reporter''s, the two authorities'' and the coordinator''s handlers see it; nobody else');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('fsa-h');
SELECT is((SELECT count(*)::int FROM council.incident_reports) + (SELECT count(*)::int FROM council.incident_deliveries)
          + (SELECT count(*)::int FROM council.incident_submissions), 0,
    'R-NEW-3: the sector ministry, not confirmed, counts nothing: no report, delivery or submission');
SELECT throws_ok($$SELECT council.incident((SELECT id FROM t_inc))$$, 'CP404', 'incident_not_found',
    'R-NEW-3: ... and reading it answers like an absent id');
SELECT pg_temp.nobody();
SELECT is((SELECT count(*)::int FROM council.incident_reports), 0, 'without a session: nothing');

-- Stages.
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.incident_submit((SELECT id FROM t_inc), 'final',
                     '{"cause": "c", "measures": "m", "statements": [{"text": "perhaps the VPN", "confirmed": false}]}')$$,
    'CP422', 'final_incomplete', 'R-NEW-3: a final report with an unconfirmed statement is refused');
SELECT lives_ok($$SELECT council.incident_submit((SELECT id FROM t_inc), 'final',
                     '{"cause": "c", "measures": "m", "statements": [{"text": "the VPN", "confirmed": true}]}')$$,
    'R-NEW-3: the final report, every statement confirmed, cause and measures given');
SELECT throws_ok($$SELECT council.incident_submit((SELECT id FROM t_inc), 'preliminary', '{}')$$,
    'CP409', 'stage_goes_back', 'R-NEW-3: a stage never goes back');
RESET ROLE;

-- A regime's next version applies from its effective date on.
INSERT INTO council.incident_regimes (code, version, name_ja, name_en, trigger, authority, mandatory,
    first_notice, source, effective_from)
VALUES ('voluntary', 2, 'x', 'x', 'always', 'coordinator', false, interval '2 days', 'test', now() + interval '1 day');
SELECT is((SELECT version FROM council.incident_regimes_in_force() WHERE code = 'voluntary'), 1,
    'a version not yet in force does not apply');

SELECT * FROM finish();
ROLLBACK;
