-- tests/sql/29_decisions.sql: the one decisions engine (policy/65_decisions.sql,
-- issue 11 item 4): thresholds exactly in integers (R-GOV-3..7, R-TF-2),
-- the rule version in force as data (R-GOV-5, R-TF-9), a rule refused for
-- a body it is not for, the one close-due loop (order, count, the
-- caller's identity set aside and given back), every body plugged into
-- councild's clock, and the three copies it replaced gone.  The bodies'
-- own counts are 20_committee, 21_assembly and 23_tf_status.  Everything
-- is rolled back.
BEGIN;
SELECT plan(29);

-- Thresholds: exact at the boundary, no rounding however large.
SELECT is(council.decision_meets(3, '>', 1, 2, 5), true, 'R-GOV-4: 3 of 5 is a majority');
SELECT is(council.decision_meets(2, '>', 1, 2, 4), false,
          'R-GOV-3: exactly half is not a majority (> 1/2)');
SELECT is(council.decision_meets(3, '>=', 3, 4, 4), true, 'R-GOV-7: 3 of 4 is at least three quarters');
SELECT is(council.decision_meets(2, '>=', 3, 4, 3), false, 'R-GOV-7: 2 of 3 is less than three quarters');
SELECT is(council.decision_meets(8, '>=', 1, 1, 8), true, 'R-GOV-6: all of 8 is all');
SELECT is(council.decision_meets(7, '>=', 1, 1, 8), false, 'R-GOV-6: 7 of 8 is not all');
SELECT is(council.decision_meets(1000000001, '>', 1, 2, 2000000001), true,
          'a majority of two thousand million and one, exactly');
SELECT is(council.decision_meets(1000000000, '>', 1, 2, 2000000001), false,
          'one short of it is not, exactly (integers, no floating point)');

-- The rule in force: the newest version whose time has come.
SELECT is((council.decision_rule('sc.ordinary')).version, 1, 'R-GOV-5: the founding version is in force');
INSERT INTO council.decision_rules (code, version, body, quorum_base, quorum_cmp, quorum_num,
    quorum_den, pass_base, pass_cmp, pass_num, pass_den, source, effective_from)
VALUES ('sc.ordinary', 2, 'steering_committee', 'committee_seats', '>', 1, 2,
        'committee_present', '>=', 2, 3, 'a later version', now() + interval '1 day');
SELECT is((council.decision_rule('sc.ordinary')).version, 1,
          'R-GOV-5: a version adopted for tomorrow is not yet in force');
INSERT INTO council.decision_rules (code, version, body, quorum_base, quorum_cmp, quorum_num,
    quorum_den, pass_base, pass_cmp, pass_num, pass_den, source, effective_from)
VALUES ('sc.ordinary', 3, 'steering_committee', 'committee_seats', '>', 1, 2,
        'committee_present', '>=', 2, 3, 'an amendment', now() - interval '1 second');
SELECT is((council.decision_rule('sc.ordinary')).version, 3,
          'R-GOV-5: the newest version in force counts (rules are data)');
SELECT is((council.decision_rule('sc.nothing')).id, NULL, 'no rule: a row of NULLs');
SELECT is((council.decision_rule('tf.admission')).body, 'task_force'::council.gov_body,
          'R-TF-9: the task force''s rule is data too');

-- A rule for the body that counts under it, over bases it can count.
SELECT is((council.decision_rule_for('tf.admission', 'task_force',
              ARRAY['type1_group']::council.count_base[],
              ARRAY['attending']::council.count_base[])).code, 'tf.admission',
          'R-TF-2: the TF''s rule, for the TF, over the Type 1 group');
SELECT throws_ok($$SELECT council.decision_rule_for('sc.nothing', 'steering_committee',
                      ARRAY['committee_seats']::council.count_base[],
                      ARRAY['committee_present']::council.count_base[])$$,
                 'CP422', 'no_rule_in_force', 'no rule in force: CP422 no_rule_in_force');
SELECT throws_ok($$SELECT council.decision_rule_for('ga.resolution', 'steering_committee',
                      ARRAY['committee_seats', 'all_members']::council.count_base[],
                      ARRAY['attending']::council.count_base[])$$,
                 'CP422', 'rule_not_applicable', 'another body''s rule is refused');
SELECT throws_ok($$SELECT council.decision_rule_for('ga.resolution', 'general_assembly',
                      ARRAY['committee_seats']::council.count_base[],
                      ARRAY['attending']::council.count_base[], 'no_rule_in_force')$$,
                 'CP422', 'no_rule_in_force',
                 'a quorum base the body cannot count is refused, with the body''s own code');
UPDATE council.decision_rules SET quorum_base = NULL, quorum_cmp = NULL, quorum_num = NULL,
    quorum_den = NULL
WHERE code = 'sc.ordinary' AND version = 3;
SELECT is((council.decision_rule_for('sc.ordinary', 'steering_committee',
              ARRAY['committee_seats', NULL]::council.count_base[],
              ARRAY['committee_present']::council.count_base[])).version, 3,
          'a rule without a quorum, where the body allows one (a NULL base)');
SELECT throws_ok($$SELECT council.decision_rule_for('sc.ordinary', 'steering_committee',
                      ARRAY['committee_seats']::council.count_base[],
                      ARRAY['committee_present']::council.count_base[])$$,
                 'CP422', 'rule_not_applicable', 'and refused where it does not');

-- The one close-due loop, with a closer that records what it saw.
CREATE TEMP TABLE t_closed (n serial, poll bigint, session text);
CREATE FUNCTION pg_temp.closer(p bigint) RETURNS boolean LANGUAGE sql AS $$
    INSERT INTO pg_temp.t_closed (poll, session)
    VALUES (p, current_setting('council.session', true));
    SELECT p % 2 = 0 $$;
SELECT set_config('council.session', 'the-callers-session', true);
SELECT is(council.decision_close_due(ARRAY[5, 2, 8, 3]::bigint[], 'pg_temp.closer'), 2,
          'the loop counts the polls its closer closed');
SELECT is((SELECT array_agg(poll ORDER BY n) FROM pg_temp.t_closed), ARRAY[5, 2, 8, 3]::bigint[],
          'each poll is offered to the closer once, in the order the body gave');
SELECT is((SELECT array_agg(DISTINCT session) FROM pg_temp.t_closed), ARRAY['']::text[],
          'while they close, the caller''s identity is set aside (audit rows name no person)');
SELECT is(current_setting('council.session', true), 'the-callers-session',
          'and it is given back afterwards');
TRUNCATE pg_temp.t_closed;
SELECT is(council.decision_close_due('{}'::bigint[], 'pg_temp.closer'), 0, 'nothing due: 0');
SELECT is((SELECT count(*) FROM pg_temp.t_closed), 0::bigint, 'nothing due: no closer runs');
SELECT is(council.decision_close_due(NULL, 'pg_temp.closer'), 0, 'no list: 0');

-- Every body is plugged into councild's clock (council.gov_close_due).
SELECT is(ARRAY(SELECT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'council'::regnamespace
                  AND p.proname LIKE '%\_close\_due' AND p.proname <> 'gov_close_due'
                  AND p.pronargs = 0 AND p.prorettype = 'integer'::regtype
                ORDER BY p.proname),
          ARRAY['ga_close_due', 'sc_close_due', 'tf_close_due'],
          'the committee, the assembly and the task force each plug into the clock');
SELECT ok(NOT has_function_privilege('council_app',
              'council.decision_close_due(bigint[], regproc)', 'EXECUTE'),
          'councild cannot run the loop with a closer of its choosing');

-- The copies the engine replaced are gone.
SELECT is(ARRAY(SELECT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'council'::regnamespace
                  AND p.proname IN ('sc_threshold', 'ga_meets', 'sc__rule', 'ga_rule')),
          '{}'::text[], 'sc_threshold, ga_meets, sc__rule and ga_rule are gone');

SELECT * FROM finish();
ROLLBACK;
