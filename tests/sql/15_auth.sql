-- tests/sql/15_auth.sql: the database side of sign-in (policy/50_auth.sql,
-- issue 4, OWASP ASVS 5.0 V6/V7): who may get a session, what a pending
-- sign-in or an API token may do, replay of TOTP steps, time-outs, and the
-- end of sessions.  Run as the superuser; the calls are made as council_app
-- (SET ROLE), the way councild makes them.  Everything is rolled back.
BEGIN;
SELECT plan(24);

INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
VALUES ('ta-org', 'x', 'x', 'other', 'member'), ('ta-gone', 'x', 'x', 'other', 'member');
INSERT INTO council.people (org_id, name_ja, name_en, email, password_hash)
SELECT o.id, v.k, v.k, v.k || '@auth-test.example.jp', '$s1$0e0801$placeholder'
FROM (VALUES ('ta-plain', 'ta-org'), ('ta-handler', 'ta-org'), ('ta-other', 'ta-org'),
             ('ta-gone', 'ta-gone')) v(k, org)
JOIN council.organisations o ON o.slug = v.org;
INSERT INTO council.handler_registrations (person_id)
SELECT id FROM council.people WHERE email = 'ta-handler@auth-test.example.jp';
CREATE TEMP TABLE ta (k text PRIMARY KEY, id bigint);
INSERT INTO ta SELECT split_part(email, '@', 1), id FROM council.people WHERE email LIKE '%@auth-test.example.jp';
GRANT SELECT ON ta TO council_app;
CREATE FUNCTION pg_temp.pid(k text) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT id FROM pg_temp.ta WHERE ta.k = pid.k $$;
-- h(t): the bytea hash of token t; as_(t): act with token t.
CREATE FUNCTION pg_temp.h(t text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$ SELECT sha256(convert_to(t, 'UTF8')) $$;
CREATE FUNCTION pg_temp.as_(t text) RETURNS void LANGUAGE sql
AS $$ SELECT set_config('council.session', encode(sha256(convert_to(t, 'UTF8')), 'hex'), true) $$;
CREATE FUNCTION pg_temp.err(t text, q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(t);
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;

SELECT p.email AS coord_email FROM council.people p
JOIN council.organisations o ON o.id = p.org_id
WHERE o.council_role = 'coordinator' AND p.active AND p.totp_secret IS NULL
  AND p.password_hash IS NOT NULL ORDER BY p.id LIMIT 1 \gset
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('none');

-- Step 1: the account behind an address. ---------------------------------------
SELECT is((SELECT second_factor FROM council.auth_lookup('TA-PLAIN@auth-test.example.jp')), 'none',
    'auth_lookup finds an account whatever the case of the address; no second factor for a plain member');
SELECT is((SELECT second_factor FROM council.auth_lookup('ta-handler@auth-test.example.jp')), 'enrol',
    'R-ORG-4: a registered handler must enrol a second factor');
SELECT is((SELECT second_factor FROM council.auth_lookup(:'coord_email')), 'enrol',
    'R-ORG-6: a person of the coordinator must enrol a second factor');
RESET ROLE;
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'ta-gone';
SET LOCAL ROLE council_app;
SELECT is((SELECT count(*)::int FROM council.auth_lookup('ta-gone@auth-test.example.jp')), 0,
    'R-ORG-3: nobody of a withdrawn member can sign in');
SELECT throws_ok($$SELECT password_hash FROM council.people$$, '42501', NULL,
    'ASVS V6: council_app cannot read password hashes from people');
SELECT throws_ok($$INSERT INTO council.sessions (token_hash, person_id, expires_at) VALUES (sha256('x'), 1, now() + interval '1 hour')$$,
    '42501', NULL, 'council_app cannot create a session except through auth_session_open');

-- Sessions: kinds, second factor, identity. ------------------------------------
SELECT is(pg_temp.err('none', format($$SELECT council.auth_session_open(%s, pg_temp.h('hw'), 'web', interval '30 min', interval '1 hour')$$, pg_temp.pid('ta-handler'))),
    'CP403 second_factor_required', 'a handler cannot get a web session on a password alone');
SELECT lives_ok(format($$SELECT council.auth_session_open(%s, pg_temp.h('pw'), 'web', interval '30 min', interval '1 hour')$$, pg_temp.pid('ta-plain')),
    'a plain member gets a web session on a password');
SELECT lives_ok(format($$SELECT council.auth_session_open(%s, pg_temp.h('hp'), 'pending', NULL, interval '1 day')$$, pg_temp.pid('ta-handler')),
    'a handler gets a pending sign-in');
SELECT pg_temp.as_('pw');
SELECT is((SELECT person_id FROM council.me), pg_temp.pid('ta-plain'), 'the web session identifies its person');
SELECT pg_temp.as_('hp');
SELECT is((SELECT count(*)::int FROM council.me), 0, 'a pending sign-in identifies nobody');
RESET ROLE;
SELECT cmp_ok((SELECT expires_at FROM council.sessions WHERE token_hash = pg_temp.h('hp')), '<=', now() + interval '10 minutes',
    'a pending sign-in lives at most 10 minutes, whatever is asked');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('hp', 'SELECT council.api_token_create(''t'', pg_temp.h(''tk0''), 30)'),
    'CP401 not_signed_in', 'a pending sign-in cannot create an API token');

-- Step 2: TOTP steps are used once. -------------------------------------------
SELECT lives_ok($$SELECT council.auth_second_factor(pg_temp.h('hp'), 1000, NULL, pg_temp.h('hw2'),
        interval '30 min', interval '1 hour', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        ARRAY(SELECT sha256(convert_to('code' || i, 'UTF8')) FROM generate_series(1, 10) i))$$,
    'enrolment stores the secret and ten recovery codes and opens a web session');
SELECT pg_temp.as_('hw2');
SELECT is((SELECT person_id FROM council.me), pg_temp.pid('ta-handler'), 'the handler is signed in after the second factor');
SELECT is(pg_temp.err('hp', $$SELECT council.auth_second_factor(pg_temp.h('hp'), 1001, NULL, pg_temp.h('hw3'), interval '30 min', interval '1 hour')$$),
    'CP401 pending_not_found', 'a pending sign-in is spent by its second factor');
RESET ROLE;
SELECT council.auth_session_open(pg_temp.pid('ta-handler'), pg_temp.h('hp2'), 'pending', NULL, interval '5 min');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('hp2', $$SELECT council.auth_second_factor(pg_temp.h('hp2'), 1000, NULL, pg_temp.h('hw4'), interval '30 min', interval '1 hour')$$),
    'CP401 totp_replayed', 'RFC 6238: a time step at or before the last one used is refused');
SELECT is(pg_temp.err('hp2', $$SELECT council.auth_second_factor(pg_temp.h('hp2'), NULL, sha256(convert_to('code3', 'UTF8')), pg_temp.h('hw5'), interval '30 min', interval '1 hour')$$),
    'ok', 'a recovery code finishes the sign-in');
RESET ROLE;
SELECT council.auth_session_open(pg_temp.pid('ta-handler'), pg_temp.h('hp3'), 'pending', NULL, interval '5 min');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('hp3', $$SELECT council.auth_second_factor(pg_temp.h('hp3'), NULL, sha256(convert_to('code3', 'UTF8')), pg_temp.h('hw6'), interval '30 min', interval '1 hour')$$),
    'CP401 recovery_code_invalid', 'a recovery code works once');

-- API tokens and the end of sessions. ----------------------------------------------
SELECT is(pg_temp.err('pw', 'SELECT council.api_token_create(''ci'', pg_temp.h(''tk1''), 30)'), 'ok',
    'a browser session creates an API token');
SELECT is(pg_temp.err('tk1', 'SELECT council.api_token_create(''ci2'', pg_temp.h(''tk2''), 30)'),
    'CP403 browser_session_required', 'an API token cannot create API tokens');
SELECT is(pg_temp.err('hw2', format('SELECT council.api_token_revoke(%s)',
        (SELECT id FROM council.api_tokens() LIMIT 1))) || ' / ' ||
          pg_temp.err('hw2', 'SELECT council.api_token_revoke(999999999)'),
    'CP404 token_not_found / CP404 token_not_found', 'another person''s token cannot be revoked, and looks absent')
FROM (SELECT pg_temp.as_('pw')) x;
SELECT is(pg_temp.err('pw', 'SELECT council.session_end(true)'), 'ok', 'sign-out everywhere');
SELECT pg_temp.as_('tk1');
SELECT is((SELECT count(*)::int FROM council.me), 0, 'ASVS V7.4: sign-out everywhere ends the API tokens too');

SELECT * FROM finish();
ROLLBACK;
