-- tests/sql/52_cluster.sql: what the instances of a cluster share (issue
-- 16 item 1; policy/52_cluster.sql, migration 0046).  The sign-in
-- throttle's per-account state follows throttle.h's rules (the first five
-- failures free, then a doubling delay capped at a minute, a right answer
-- forgets, a reservation settled by the failure that follows it, quiet
-- accounts forgotten), keyed by SHA-256 and never in clear; only
-- council_signin calls it, and nobody reads the table directly.  The
-- clock's jobs go through council.clock_job only, by name.  Rolled back.
BEGIN;
SELECT plan(18);

-- The limits councild passes (THROTTLE_ACCT_*): 5 free, 1 s, 60 s, 15 min.
CREATE FUNCTION pg_temp.chk(k text) RETURNS bigint LANGUAGE sql AS
$$ SELECT council.throttle_check(k, 5, 1000, 60000, 900000) $$;
CREATE FUNCTION pg_temp.fail(k text) RETURNS void LANGUAGE sql AS
$$ SELECT council.throttle_failure(k, 5, 1000, 60000, 900000) $$;
GRANT EXECUTE ON FUNCTION pg_temp.chk(text), pg_temp.fail(text) TO council_signin;

SET LOCAL ROLE council_signin;
-- Five wrong answers: each check lets the attempt through.
SELECT is(array_agg(w), ARRAY[0,0,0,0,0]::bigint[], 'the first five attempts wait for nothing')
FROM (SELECT pg_temp.chk('acct:t1') AS w, pg_temp.fail('acct:t1') FROM generate_series(1, 5)) s;
SELECT is(pg_temp.chk('acct:t1'), 0::bigint, 'the sixth attempt goes through, and reserves');
SELECT pg_temp.fail('acct:t1');
SELECT ok(pg_temp.chk('acct:t1') BETWEEN 1 AND 1000,
          'after the sixth failure the account waits up to one second');
SELECT is(pg_temp.chk('acct:t2'), 0::bigint, 'another account is not delayed');
SELECT lives_ok($$ SELECT council.throttle_success('acct:t1') $$, 'a right answer ...');
SELECT is(pg_temp.chk('acct:t1'), 0::bigint, '... forgets the account');
SELECT throws_ok($$ SELECT * FROM council.signin_throttle $$, '42501', NULL,
                 'council_signin cannot read the table');
RESET ROLE;

-- Concurrent attempts: each check reserves, so that the sixth check in a
-- row (no answer yet) waits although no failure was recorded.
SET LOCAL ROLE council_signin;
SELECT is(array_agg(w ORDER BY i), ARRAY[0,0,0,0,0,0]::bigint[], 'six checks in a row pass ...')
FROM (SELECT i, pg_temp.chk('acct:t3') AS w FROM generate_series(1, 6) i) s;
SELECT ok(pg_temp.chk('acct:t3') > 0, '... and the seventh waits: reservations count');
SELECT pg_temp.fail('acct:t3');
RESET ROLE;
SELECT is((SELECT fails FROM council.signin_throttle
           WHERE key_hash = sha256(convert_to('acct:t3', 'UTF8'))), 6,
          'a failure settles its reservation instead of counting twice');

-- The delay doubles and is capped at 60 s.
SELECT is(council.throttle__delay(1, 1000, 60000), interval '1 second', 'delay 1: 1 s');
SELECT is(council.throttle__delay(4, 1000, 60000), interval '8 seconds', 'delay 4: 8 s');
SELECT is(council.throttle__delay(30, 1000, 60000), interval '60 seconds', 'the delay is capped');

SELECT is((SELECT count(*) FROM council.signin_throttle
           WHERE position('\x61636374'::bytea IN key_hash) > 0 OR octet_length(key_hash) <> 32),
          0::bigint,
          'keys are SHA-256, never in clear');

-- Quiet accounts are forgotten by the clock's job.
UPDATE council.signin_throttle SET last_at = now() - interval '16 minutes'
WHERE key_hash = sha256(convert_to('acct:t3', 'UTF8'));
SET LOCAL ROLE council_app;
SELECT ok(council.clock_job('throttle_forget') >= 1, 'the clock forgets accounts quiet for 15 minutes');
SELECT throws_ok($$ SELECT council.throttle_check('acct:x', 5, 1000, 60000, 900000) $$, '42501',
                 NULL, 'council_app cannot touch the sign-in throttle');
SELECT throws_ok($$ SELECT council.clock_job('audit_seal') $$, 'CP400', 'unknown_clock_job',
                 'the clock runs its own jobs only');
SELECT is(council.clock_job('gov_close_due') IS NOT NULL, true,
          'a job nobody else holds runs (its count, not NULL)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
