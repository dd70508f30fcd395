-- tests/sql/36_violations.sql: violation reports (issue 13 item 8;
-- R-VIOL-1; policy/82_violations.sql): who may file, that a post the
-- reporter cannot read is named like an absent one, and who sees a report,
-- person by person: the reporter's and the secretariat's handlers; nobody
-- else, the member reported on included.  Same fixtures as
-- 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(6);
\ir fixtures/sharing.psql

SET LOCAL ROLE council_app;
SELECT pg_temp.post('v_open', 'power-h', 'report', false, '[{"class": "all_members"}]');
SELECT pg_temp.post('v_priv', 'power-h', 'report', false, pg_temp.orgs('tr-power'));
SELECT pg_temp.as_('bank-n');
SELECT throws_ok($$SELECT council.violation_file('leak', NULL, 'a suspected leak of a post', '{}')$$,
    'CP403', 'not_a_handler', 'R-VIOL-1: a person with no registration cannot report');
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.violation_file('leak', pg_temp.o('tr-power'), 'a suspected leak of a post',
                     ARRAY[pg_temp.p('v_priv')])$$,
    'CP404', 'post_not_found', 'R-VIOL-1: a post the reporter cannot read is named like an absent one');
SELECT throws_ok($$SELECT council.violation_file('leak', pg_temp.o('tr-power'), 'a suspected leak of a post',
                     ARRAY[999999999::bigint])$$,
    'CP404', 'post_not_found', '... as an absent one is');
CREATE TEMP TABLE t_vio AS
SELECT council.violation_file('scope_breach', pg_temp.o('tr-power'), 'a suspected scope breach of a post',
    ARRAY[pg_temp.p('v_open')]) AS id;
SELECT is((SELECT count(*)::int FROM council.violation_report_posts WHERE report_id = (SELECT id FROM t_vio)), 1,
    'R-VIOL-1: the report names the post');
RESET ROLE;
GRANT SELECT ON t_vio TO PUBLIC;

CREATE FUNCTION pg_temp.sees_violation() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        IF EXISTS (SELECT 1 FROM council.violation_reports WHERE id = (SELECT id FROM pg_temp.t_vio)) THEN
            r := r || t.k;
        END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
SELECT is(pg_temp.sees_violation(),
    (SELECT coalesce(array_agg(k ORDER BY k), '{}') FROM pg_temp.t_people
     WHERE handler = 'open' AND org IN ('tr-bank', '@secretariat')),
    'R-VIOL-1: the reporter''s and the secretariat''s handlers see it; nobody else');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('power-h');
SELECT is((SELECT count(*)::int FROM council.violation_reports) + (SELECT count(*)::int FROM council.violation_report_posts), 0,
    'R-VIOL-1: the member reported on counts nothing');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
