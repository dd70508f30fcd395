-- tests/sql/15_auth.sql: the database side of sign-in (policy/50_auth.sql,
-- issue 4 and issue 10 items 3-5, OWASP ASVS 5.0 V6/V7): who may call the
-- sign-in steps, that no step returns a hash or a secret, the account an
-- address names, who may get a session, enrolment only with a token,
-- TOTP computed here with each step used once and only near now, recovery
-- codes, API tokens and the end of sessions.  Run as the superuser; calls
-- are made as council_signin or council_app (SET ROLE), the way councild
-- makes them.  Everything is rolled back.
BEGIN;
SELECT plan(61);

INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
VALUES ('ta-org', 'x', 'x', 'other', 'member'), ('ta-gone', 'x', 'x', 'other', 'member'),
       ('ta-org2', 'y', 'y', 'other', 'member');
-- A stored hash councild would have made; the test sends candidates as
-- strings (scrypt is councild's part, tests/unit/password_test.c).
INSERT INTO council.people (org_id, name_ja, name_en, email, password_hash, is_org_admin)
SELECT o.id, v.k, v.k, v.k || '@auth-test.example.jp',
       '$s1$0e0801$c2FsdHNhbHRzYWx0c2FsdA==$' || v.k, v.admin
FROM (VALUES ('ta-plain', 'ta-org', false), ('ta-handler', 'ta-org', false),
             ('ta-other', 'ta-org', false), ('ta-gone', 'ta-gone', false),
             ('ta-admin', 'ta-org', true), ('ta-kelvin', 'ta-org', false),
             ('ta-h2', 'ta-org', false), ('ta-admin2', 'ta-org2', true)) v(k, org, admin)
JOIN council.organisations o ON o.slug = v.org;
INSERT INTO council.handler_registrations (person_id)
SELECT id FROM council.people WHERE email IN ('ta-handler@auth-test.example.jp',
                                             'ta-h2@auth-test.example.jp');
CREATE TEMP TABLE ta (k text PRIMARY KEY, id bigint);
INSERT INTO ta SELECT split_part(email, '@', 1), id FROM council.people WHERE email LIKE '%@auth-test.example.jp';
GRANT SELECT ON ta TO council_app, council_signin;
CREATE FUNCTION pg_temp.pid(k text) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT id FROM pg_temp.ta WHERE ta.k = pid.k $$;
-- h(t): the bytea hash of token t; as_(t): act with token t.
CREATE FUNCTION pg_temp.h(t text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$ SELECT sha256(convert_to(t, 'UTF8')) $$;
CREATE FUNCTION pg_temp.as_(t text) RETURNS void LANGUAGE sql
AS $$ SELECT set_config('council.session', encode(sha256(convert_to(t, 'UTF8')), 'hex'), true) $$;
CREATE FUNCTION pg_temp.err(t text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
    PERFORM pg_temp.as_(t);
    EXECUTE q INTO v;
    RETURN coalesce(v, 'ok');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- pw(k, candidate): step 2 for ta-k's address with a candidate hash.
CREATE FUNCTION pg_temp.pw(k text, cand text, tok text) RETURNS text LANGUAGE sql AS $$
    SELECT council.auth_password(k || '@auth-test.example.jp', cand, NULL, pg_temp.h(tok),
        interval '30 min', interval '1 hour', interval '1 day') $$;
CREATE FUNCTION pg_temp.hash(k text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT '$s1$0e0801$c2FsdHNhbHRzYWx0c2FsdA==$' || k $$;
-- The current TOTP code of a base32 secret, shifted by d steps.
CREATE FUNCTION pg_temp.code(secret text, d integer DEFAULT 0) RETURNS text LANGUAGE sql AS $$
    SELECT council.totp_code(council.base32_decode(secret),
                             floor(extract(epoch FROM clock_timestamp()) / 30)::bigint + d) $$;
-- The first ten recovery-code hashes.
CREATE FUNCTION pg_temp.rc() RETURNS bytea[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY(SELECT sha256(convert_to('code' || i, 'UTF8')) FROM generate_series(1, 10) i) $$;
CREATE FUNCTION pg_temp.enrol(pending text, token text, secret text, code text, new text)
    RETURNS text LANGUAGE sql AS $$
    SELECT council.auth_enrol(pg_temp.h(pending), pg_temp.h(token), secret, code, pg_temp.rc(),
        pg_temp.h(new), interval '30 min', interval '1 hour') $$;
CREATE FUNCTION pg_temp.factor(pending text, code text, recovery text, new text)
    RETURNS text LANGUAGE sql AS $$
    SELECT council.auth_second_factor(pg_temp.h(pending), code,
        CASE WHEN recovery IS NOT NULL THEN sha256(convert_to(recovery, 'UTF8')) END,
        pg_temp.h(new), interval '30 min', interval '1 hour') $$;

-- Who may call the sign-in steps (item 4). ----------------------------------------
SELECT is((SELECT count(*)::int FROM unnest(ARRAY[
              'council.auth_begin(text)',
              'council.auth_password(text, text, text, bytea, interval, interval, interval)',
              'council.auth_pending(bytea)',
              'council.auth_second_factor(bytea, text, bytea, bytea, interval, interval)',
              'council.auth_enrol(bytea, bytea, text, text, bytea[], bytea, interval, interval)']) f
           WHERE has_function_privilege('council_app', f, 'EXECUTE')), 0,
    'issue 10 item 4: council_app can call none of the sign-in steps');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY[
              'council.auth_begin(text)',
              'council.auth_password(text, text, text, bytea, interval, interval, interval)',
              'council.auth_pending(bytea)',
              'council.auth_second_factor(bytea, text, bytea, bytea, interval, interval)',
              'council.auth_enrol(bytea, bytea, text, text, bytea[], bytea, interval, interval)']) f
           WHERE has_function_privilege('council_signin', f, 'EXECUTE')), 5,
    '... council_signin can call all five');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['council.auth_failed(bigint, text)',
              'council.auth_open(bigint, bytea, text, interval, interval)',
              'council.auth_promote(bytea, bigint, bytea, interval, interval, text)',
              'council.enrolment_token_operator(text, bytea, integer)',
              'council.totp_match(text, text, bigint)']) f
           WHERE has_function_privilege('council_app', f, 'EXECUTE')
              OR has_function_privilege('council_signin', f, 'EXECUTE')), 0,
    '... and neither role can call the internal steps (open a session, record a failure, check a code, mint an operator token)');
SELECT is((SELECT count(*)::int FROM pg_proc p
           WHERE p.pronamespace = 'council'::regnamespace
             AND p.proname IN ('auth_lookup', 'auth_session_open', 'auth_rehash')), 0,
    'the old steps that returned a hash or opened a session for anyone are gone');
SELECT ok(NOT has_table_privilege('council_signin', 'council.people', 'SELECT')
          AND NOT has_column_privilege('council_signin', 'council.people', 'password_hash', 'SELECT')
          AND NOT has_table_privilege('council_signin', 'council.sessions', 'SELECT')
          AND NOT has_table_privilege('council_signin', 'council.enrolment_tokens', 'SELECT')
          AND NOT has_table_privilege('council_app', 'council.enrolment_tokens', 'SELECT')
          AND NOT has_table_privilege('council_app', 'council.auth_pepper', 'SELECT'),
    'council_signin reads no table; nobody councild uses reads enrolment tokens or the pepper');
SELECT is((SELECT rolbypassrls OR rolsuper OR rolcreaterole OR rolcreatedb
           FROM pg_roles WHERE rolname = 'council_signin'), false,
    'council_signin is no superuser, has no BYPASSRLS and creates nothing');
SELECT is((SELECT count(*)::int FROM pg_class c WHERE c.relowner = 'council_signin'::regrole)
          + (SELECT count(*)::int FROM pg_proc p WHERE p.proowner = 'council_signin'::regrole)
          + (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = 'council_signin'::regrole), 0,
    'council_signin owns nothing and belongs to no role');
SELECT ok(pg_get_function_result('council.auth_pending(bytea)'::regprocedure) NOT LIKE '%secret%',
    'auth_pending returns no secret');

-- Step 1: the account an address names, and the setting (item 3). ----------------
SET LOCAL ROLE council_signin;
SELECT pg_temp.as_('none');
SELECT is((SELECT account || ' ' || setting FROM council.auth_begin('TA-PLAIN@auth-test.example.jp')),
          'person:' || pg_temp.pid('ta-plain') || ' $s1$0e0801$c2FsdHNhbHRzYWx0c2FsdA==$',
    'auth_begin names the person whatever the ASCII case, and gives the setting, never the hash');
SELECT is((SELECT account FROM council.auth_begin(U&'ta-\212Aelvin@auth-test.example.jp')),
          U&'unknown:ta-\212Aelvin@auth-test.example.jp',
    'issue 10 item 3: a KELVIN SIGN for k names nobody (lower() would have folded it)');
SELECT is((SELECT account FROM council.auth_begin(U&'ta-pla\0130n@auth-test.example.jp')),
          U&'unknown:ta-pla\0130n@auth-test.example.jp',
    '... nor a dotted capital I for i');
SELECT alike((SELECT setting FROM council.auth_begin('nobody@auth-test.example.jp')),
          '$s1$110801$%$', 'an unknown address gets a setting with the current parameters');
SELECT is((SELECT setting FROM council.auth_begin('nobody@auth-test.example.jp')),
          (SELECT setting FROM council.auth_begin('NOBODY@auth-test.example.jp')),
    '... the same every time (the salt comes from the address and the pepper)');
SELECT isnt((SELECT setting FROM council.auth_begin('nobody@auth-test.example.jp')),
          (SELECT setting FROM council.auth_begin('nobody2@auth-test.example.jp')),
    '... and another for another address');
SELECT is(pg_temp.pw(U&'ta-\212Aelvin', pg_temp.hash('ta-kelvin'), 'kk'), 'invalid',
    'the Kelvin spelling cannot sign in, even with the right password');

-- Step 2: the password (compared here) and the session. ---------------------------
SELECT is(pg_temp.pw('ta-plain', pg_temp.hash('ta-other'), 'p0'), 'invalid',
    'a wrong candidate is refused');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM council.sessions WHERE token_hash = pg_temp.h('p0')), 0,
    '... and opens nothing');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'auth.signin.failure'
           AND person_id = pg_temp.pid('ta-plain')), 1,
    '... and is in the audit log (a refusal is answered, not raised, so the row stays)');
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'ta-gone';
SET LOCAL ROLE council_signin;
SELECT is(pg_temp.pw('ta-gone', pg_temp.hash('ta-gone'), 'g1'), 'invalid',
    'R-ORG-3: nobody of a withdrawn member can sign in');
SELECT is(pg_temp.pw('ta-plain', pg_temp.hash('ta-plain'), 'pw'), 'web',
    'a plain member gets a web session on the right password');
SELECT is(pg_temp.pw('ta-handler', pg_temp.hash('ta-handler'), 'hp'), 'enrol',
    'R-ORG-4: a registered handler without a second factor must enrol');
RESET ROLE;
SELECT is((SELECT kind FROM council.sessions WHERE token_hash = pg_temp.h('pw')), 'web',
    'the plain member''s session is a web session');
SELECT cmp_ok((SELECT expires_at FROM council.sessions WHERE token_hash = pg_temp.h('hp')), '<=', now() + interval '10 minutes',
    'the handler''s is pending, and lives at most 10 minutes, whatever is asked');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('pw');
SELECT is((SELECT person_id FROM council.me), pg_temp.pid('ta-plain'), 'the web session identifies its person');
SELECT pg_temp.as_('hp');
SELECT is((SELECT count(*)::int FROM council.me), 0, 'a pending sign-in identifies nobody');
SELECT is(pg_temp.err('hp', 'SELECT council.api_token_create(''t'', pg_temp.h(''tk0''), 30)'),
    'CP401 not_signed_in', 'a pending sign-in cannot create an API token');
SET LOCAL ROLE council_signin;
SELECT is((SELECT person_id || ' ' || enrolled FROM council.auth_pending(pg_temp.h('hp'))),
          pg_temp.pid('ta-handler') || ' false', 'auth_pending: the person, not enrolled');

-- Enrolment needs a token (item 5). --------------------------------------------
SELECT is(pg_temp.enrol('hp', 'no-such-token', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          pg_temp.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), 'hw1'),
    'enrolment_token_invalid', 'issue 10 item 5: the password and a right code do not enrol without a token');
RESET ROLE;
SELECT is((SELECT totp_secret FROM council.people WHERE id = pg_temp.pid('ta-handler')), NULL,
    '... nothing is stored');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('other', format('SELECT council.enrolment_token_issue(%s, pg_temp.h(''t-x''), 7)',
          pg_temp.pid('ta-handler'))), 'CP401 not_signed_in', 'nobody issues a token without a session');
RESET ROLE;
INSERT INTO council.sessions (token_hash, person_id, kind, expires_at)
SELECT pg_temp.h('s-' || k), pg_temp.pid(k), 'web', now() + interval '1 hour'
FROM unnest(ARRAY['ta-other', 'ta-admin', 'ta-admin2', 'ta-h2']) k;
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('s-ta-other', format('SELECT council.enrolment_token_issue(%s, pg_temp.h(''t-x''), 7)',
          pg_temp.pid('ta-handler'))), 'CP404 person_not_found', 'a colleague who is no administrator cannot issue one');
SELECT is(pg_temp.err('s-ta-admin2', format('SELECT council.enrolment_token_issue(%s, pg_temp.h(''t-x''), 7)',
          pg_temp.pid('ta-handler'))), 'CP404 person_not_found', 'nor an administrator of another organisation');
SELECT is(pg_temp.err('s-ta-admin', format('SELECT council.enrolment_token_issue(%s, pg_temp.h(''t-x''), 7)',
          pg_temp.pid('ta-plain'))), 'CP404 person_not_found', 'nor anyone for a person who needs no second factor');
SELECT pg_temp.as_('s-ta-admin');
SELECT is((SELECT array_agg(person_id ORDER BY person_id) FROM council.enrolment_candidates()),
          (SELECT array_agg(id ORDER BY id) FROM pg_temp.ta WHERE k IN ('ta-handler', 'ta-h2')),
    'the administrator sees who of its organisation awaits a token');
SELECT isnt(pg_temp.err('s-ta-admin', format('SELECT council.enrolment_token_issue(%s, pg_temp.h(''t-old''), 7)',
          pg_temp.pid('ta-handler'))), 'ok', 'an administrator of the organisation issues one (answers its expiry)');
SELECT alike(pg_temp.err('s-ta-admin', format('SELECT council.enrolment_token_issue(%s, pg_temp.h(''t-1''), 7)',
          pg_temp.pid('ta-handler'))), '2%', '... and again, which replaces the first');
SELECT is(pg_temp.err('s-ta-admin', format('SELECT council.enrolment_token_issue(%s, pg_temp.h(''t-x''), 31)',
          pg_temp.pid('ta-handler'))), 'CP422 invalid_enrolment_token', 'a token lives 30 days at most');
SET LOCAL ROLE council_signin;
SELECT is(pg_temp.enrol('hp', 't-old', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          pg_temp.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), 'hw1'),
    'enrolment_token_invalid', 'a replaced token no longer works');
RESET ROLE;
SELECT NULL FROM council.enrolment_token_operator('ta-h2@auth-test.example.jp', pg_temp.h('t-h2'), 7);
SELECT council.auth_open(pg_temp.pid('ta-h2'), pg_temp.h('hp-h2'), 'pending', NULL, interval '5 min');
SET LOCAL ROLE council_signin;
SELECT is(pg_temp.enrol('hp', 't-h2', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          pg_temp.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), 'hw1'),
    'enrolment_token_invalid', 'another person''s token does not work');
SELECT is(pg_temp.enrol('hp', 't-1', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          pg_temp.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 5), 'hw1'),
    'totp_invalid', 'the right token with a code of another time is refused');
SELECT is(pg_temp.enrol('hp', 't-1', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          pg_temp.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), 'hw2'),
    'ok', 'the right token and a code of the new secret enrol the handler and sign in');
RESET ROLE;
SELECT is((SELECT (t.used_at IS NOT NULL)::text || ' ' || (p.totp_secret IS NOT NULL)::text || ' '
                  || (SELECT count(*) FROM council.recovery_codes r WHERE r.person_id = p.id)
           FROM council.enrolment_tokens t JOIN council.people p ON p.id = t.person_id
           WHERE t.token_hash = pg_temp.h('t-1')), 'true true 10',
    '... the token is spent, the secret and ten recovery codes stored');
UPDATE council.enrolment_tokens SET issued_at = now() - interval '3 days',
    expires_at = now() - interval '1 day' WHERE token_hash = pg_temp.h('t-h2');
SET LOCAL ROLE council_signin;
SELECT is(pg_temp.enrol('hp-h2', 't-h2', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          pg_temp.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), 'hw3'),
    'enrolment_token_invalid', 'an expired token does not work');
SELECT is(pg_temp.enrol('hp', 't-1', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          pg_temp.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), 'hw4'),
    'pending_not_found', 'a pending sign-in is spent by its enrolment');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('hw2');
SELECT is((SELECT person_id FROM council.me), pg_temp.pid('ta-handler'), 'the enrolled handler is signed in');
RESET ROLE;
SELECT throws_ok($$SELECT council.enrolment_token_operator('ta-handler@auth-test.example.jp', pg_temp.h('t-again'), 7)$$,
    'CP409', 'enrolment_not_needed', 'the operator cannot issue a token for someone already enrolled');

-- Step 3: TOTP codes are computed here, near now, each step once (item 4). --------
SELECT is(council.totp_code(council.base32_decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), 1), '287082',
    'RFC 6238 test vector, T = 59 (the six low digits of 94287082)');
SELECT is(council.totp_code(council.base32_decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), 37037036), '081804',
    'RFC 6238 test vector, T = 1111111109 (07081804)');
SELECT council.auth_open(pg_temp.pid('ta-handler'), pg_temp.h('hp2'), 'pending', NULL, interval '5 min');
SET LOCAL ROLE council_signin;
SELECT is(pg_temp.factor('hp2', pg_temp.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), NULL, 'hw5'),
    'totp_invalid', 'RFC 6238: the code of the step used at enrolment is refused (no replay)');
SELECT is(pg_temp.factor('hp2', pg_temp.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 4), NULL, 'hw5'),
    'totp_invalid', 'a code four steps ahead is refused: the window is one step either side of now');
RESET ROLE;
SELECT is((SELECT totp_last_step FROM council.people WHERE id = pg_temp.pid('ta-handler')),
          floor(extract(epoch FROM clock_timestamp()) / 30)::bigint,
    '... and leaves the last step used where it was (no code can lock the person out)');
SET LOCAL ROLE council_signin;
SELECT is(pg_temp.factor('hp2', pg_temp.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 1), NULL, 'hw5'),
    'ok', 'the next step''s code is accepted');
RESET ROLE;
SELECT council.auth_open(pg_temp.pid('ta-handler'), pg_temp.h('hp3'), 'pending', NULL, interval '5 min');
SET LOCAL ROLE council_signin;
SELECT is(pg_temp.factor('hp3', NULL, 'code3', 'hw6'), 'ok', 'a recovery code finishes a sign-in');
RESET ROLE;
SELECT council.auth_open(pg_temp.pid('ta-handler'), pg_temp.h('hp4'), 'pending', NULL, interval '5 min');
SET LOCAL ROLE council_signin;
SELECT is(pg_temp.factor('hp4', NULL, 'code3', 'hw7'), 'recovery_code_invalid', 'a recovery code works once');
SELECT is(pg_temp.factor('hp4', '123456', NULL, 'hw7') || ' ' || pg_temp.factor('nothing', '123456', NULL, 'hw7'),
          'totp_invalid pending_not_found', 'a wrong code, and no pending sign-in at all');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'auth.signin.failure'
           AND person_id = pg_temp.pid('ta-handler')), 8,
    'every refused enrolment, code and recovery code of the handler is audited');

-- API tokens and the end of sessions. ----------------------------------------------
SET LOCAL ROLE council_app;
SELECT alike(pg_temp.err('pw', 'SELECT council.api_token_create(''ci'', pg_temp.h(''tk1''), 30)'), '_%',
    'a browser session creates an API token (answers its id)');
SELECT is(pg_temp.err('tk1', 'SELECT council.api_token_create(''ci2'', pg_temp.h(''tk2''), 30)'),
    'CP403 browser_session_required', 'an API token cannot create API tokens');
SELECT is(pg_temp.err('hw2', format('SELECT council.api_token_revoke(%s)',
        (SELECT id FROM council.api_tokens() LIMIT 1))) || ' / ' ||
          pg_temp.err('hw2', 'SELECT council.api_token_revoke(999999999)'),
    'CP404 token_not_found / CP404 token_not_found', 'another person''s token cannot be revoked, and looks absent')
FROM (SELECT pg_temp.as_('pw')) x;
SELECT is(pg_temp.err('pw', 'SELECT council.session_end(true)'), '2', 'sign-out everywhere');
SELECT pg_temp.as_('tk1');
SELECT is((SELECT count(*)::int FROM council.me), 0, 'ASVS V7.4: sign-out everywhere ends the API tokens too');

SELECT * FROM finish();
ROLLBACK;
