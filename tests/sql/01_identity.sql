-- tests/sql/01_identity.sql: who is asking (policy/10_identity.sql) and what
-- each caller sees of members and people (policy/20_members.sql).
--
-- Sessions are created as the superuser for people of the demo council
-- (deploy/demo/demo-council.sql); then, as council_app, council.session is
-- set the way councild sets it (hex SHA-256 of the token, transaction-local)
-- and the visible rows are counted.  psql variables (\gset) carry the
-- expected ids and counts, read before RLS applies.  Run by pg_prove (psql).
BEGIN;
SELECT plan(50);

-- Expected values, read as the superuser (no RLS). ----------------------------
SELECT id AS p_jpcert FROM council.people WHERE email = 'taro.yamada@jpcert-cc.example.jp' \gset
SELECT id AS p_bank FROM council.people WHERE email = 'yohei.nakagawa@toto-bank.example.jp' \gset
SELECT id AS p_inactive FROM council.people WHERE email = 'mayu.nakano@toto-bank.example.jp' \gset
SELECT id AS p_nisc FROM council.people WHERE email = 'naoki.sasaki@nisc.example.jp' \gset
SELECT id AS p_sakura FROM council.people WHERE email = 'shota.fujii@sakura-security.example.jp' \gset
SELECT id AS p_city FROM council.people WHERE email = 'satoshi.nakayama@toto-city.example.jp' \gset
SELECT id AS o_bank FROM council.organisations WHERE slug = 'toto-bank' \gset
SELECT id AS o_nisc FROM council.organisations WHERE slug = 'nisc' \gset
SELECT id AS o_sakura FROM council.organisations WHERE slug = 'sakura-security' \gset

SELECT (SELECT count(*) FROM council.organisations) AS n_orgs,
       (SELECT count(*) FROM council.people) AS n_people,
       (SELECT count(*) FROM council.handler_registrations) AS n_handlers,
       (SELECT count(*) FROM council.committee_members) AS n_committee,
       (SELECT count(*) FROM council.org_supervises) AS n_supervises,
       (SELECT count(*) FROM council.org_status_history) AS n_history \gset
SELECT (SELECT count(*) FROM council.people WHERE org_id = :o_bank) AS bank_people,
       (SELECT count(*) FROM council.handler_registrations r
        JOIN council.people p ON p.id = r.person_id WHERE p.org_id = :o_bank) AS bank_handlers,
       (SELECT count(*) FROM council.org_status_history WHERE org_id = :o_bank) AS bank_history,
       (SELECT count(*) FROM council.people WHERE org_id = :o_nisc) AS nisc_people,
       (SELECT count(*) FROM council.people WHERE org_id = :o_sakura) AS sakura_people \gset

-- The fixtures must be there, or every "sees nothing" below would be vacuous.
SELECT ok(:n_orgs > 0 AND :n_people > :bank_people AND :bank_people > 1
          AND :bank_handlers > 0 AND :n_committee > 0 AND :nisc_people > 0,
    'fixtures: the demo council is loaded');

-- Sessions (token_hash = SHA-256 of the token). --------------------------------
INSERT INTO council.sessions (token_hash, person_id, expires_at, revoked_at) VALUES
    (sha256('token-jpcert'::bytea),    :p_jpcert,   now() + interval '1 hour',   NULL),
    (sha256('token-bank'::bytea),      :p_bank,     now() + interval '1 hour',   NULL),
    (sha256('token-bank-2'::bytea),    :p_bank,     now() + interval '1 hour',   NULL),
    (sha256('token-nisc'::bytea),      :p_nisc,     now() + interval '1 hour',   NULL),
    (sha256('token-sakura'::bytea),    :p_sakura,   now() + interval '1 hour',   NULL),
    (sha256('token-expired'::bytea),   :p_bank,     now() - interval '1 second', NULL),
    (sha256('token-revoked'::bytea),   :p_jpcert,   now() + interval '1 hour',   now()),
    (sha256('token-inactive'::bytea),  :p_inactive, now() + interval '1 hour',   NULL),
    (sha256('token-withdrawn'::bytea), :p_city,     now() + interval '1 hour',   NULL);
UPDATE council.people SET active = false WHERE id = :p_inactive;
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'toto-city';

-- Helpers, invoked as council_app (SECURITY INVOKER: they see what it sees).
-- use_session sets council.session as councild does (transaction-local);
-- use_token sets it to the hex SHA-256 of a token.
CREATE FUNCTION pg_temp.use_session(s text) RETURNS void LANGUAGE sql
AS $$ SELECT set_config('council.session', s, true) $$;
CREATE FUNCTION pg_temp.use_token(t text) RETURNS void LANGUAGE sql
AS $$ SELECT pg_temp.use_session(encode(sha256(convert_to(t, 'UTF8')), 'hex')) $$;
-- Rows visible in: organisations, people, handler_registrations,
-- committee_members, org_supervises, org_status_history, sessions.
CREATE FUNCTION pg_temp.visible() RETURNS bigint[] LANGUAGE sql
AS $$ SELECT ARRAY[(SELECT count(*) FROM council.organisations),
                   (SELECT count(*) FROM council.people),
                   (SELECT count(*) FROM council.handler_registrations),
                   (SELECT count(*) FROM council.committee_members),
                   (SELECT count(*) FROM council.org_supervises),
                   (SELECT count(*) FROM council.org_status_history),
                   (SELECT count(*) FROM council.sessions)] $$;
CREATE FUNCTION pg_temp.touch(h bytea) RETURNS int LANGUAGE plpgsql
AS $$ DECLARE n int;
      BEGIN UPDATE council.sessions SET last_seen_at = now() WHERE token_hash = h;
            GET DIAGNOSTICS n = ROW_COUNT; RETURN n; END $$;

SET LOCAL ROLE council_app;
SELECT is(current_user::text, 'council_app', 'the rest runs as council_app');

-- No identity: nothing. ----------------------------------------------------------
SELECT is(council.current_person_id(), NULL, 'unset council.session: no person');
SELECT is(pg_temp.visible(), ARRAY[0,0,0,0,0,0,0]::bigint[],
    'unset council.session: no organisation, person, handler, committee seat, session');

SELECT pg_temp.use_session('');
SELECT is(council.current_person_id(), NULL, 'empty council.session: no person');
SELECT is(pg_temp.visible(), ARRAY[0,0,0,0,0,0,0]::bigint[], 'empty council.session: sees nothing');

SELECT pg_temp.use_session('not-a-hash'' OR true --');
SELECT is(council.current_person_id(), NULL, 'malformed council.session (junk): no person');
SELECT is(pg_temp.visible(), ARRAY[0,0,0,0,0,0,0]::bigint[], 'malformed council.session (junk): sees nothing');

-- Near misses of the coordinator's valid hash.
SELECT pg_temp.use_session(left(encode(sha256('token-jpcert'::bytea), 'hex'), 63));
SELECT is(council.current_person_id(), NULL, 'malformed council.session (63 hex digits): no person');
SELECT is(pg_temp.visible(), ARRAY[0,0,0,0,0,0,0]::bigint[], 'malformed council.session (63 hex digits): sees nothing');

SELECT pg_temp.use_session(encode(sha256('token-jpcert'::bytea), 'hex') || E'\n');
SELECT is(council.current_person_id(), NULL, 'malformed council.session (trailing newline): no person');
SELECT is(pg_temp.visible(), ARRAY[0,0,0,0,0,0,0]::bigint[], 'malformed council.session (trailing newline): sees nothing');

SELECT pg_temp.use_token('token-unknown');
SELECT is(council.current_person_id(), NULL, 'unknown session: no person');
SELECT is(pg_temp.visible(), ARRAY[0,0,0,0,0,0,0]::bigint[], 'unknown session: sees nothing');

-- R-ORG-3 and session lifetime: valid-looking sessions that must not count.
SELECT pg_temp.use_token('token-expired');
SELECT is(council.current_person_id(), NULL, 'expired session: no person');
SELECT is(pg_temp.visible(), ARRAY[0,0,0,0,0,0,0]::bigint[],
    'expired session: sees nothing, not even its own session row');

SELECT pg_temp.use_token('token-revoked');
SELECT is(council.current_person_id(), NULL, 'revoked session (of the coordinator): no person');
SELECT is(pg_temp.visible(), ARRAY[0,0,0,0,0,0,0]::bigint[],
    'revoked session of the coordinator: sees nothing (no R-ORG-6 access)');

SELECT pg_temp.use_token('token-inactive');
SELECT is(council.current_person_id(), NULL, 'deactivated person: no person');
SELECT is(pg_temp.visible(), ARRAY[0,0,0,0,0,0,0]::bigint[],
    'deactivated person: sees nothing');

SELECT pg_temp.use_token('token-withdrawn');
SELECT is(council.current_person_id(), NULL, 'R-ORG-3: person of a withdrawn organisation: no person');
SELECT is(pg_temp.visible(), ARRAY[0,0,0,0,0,0,0]::bigint[],
    'R-ORG-3: person of a withdrawn organisation sees nothing');

-- A member's person: its own organisation. ----------------------------------------
SELECT pg_temp.use_token('token-bank');
SELECT is(council.current_person_id(), :p_bank::bigint, 'valid session: resolves to its person');
SELECT is(council.current_org_id(), :o_bank::bigint, 'valid session: resolves to its organisation');
SELECT is(council.current_is_coordinator(), false, 'a bank is not the coordinator');
SELECT is(pg_temp.visible(),
    ARRAY[:n_orgs, :bank_people, :bank_handlers, :n_committee, :n_supervises, :bank_history, 1]::bigint[],
    'member: sees the member list, committee and supervision, but only its own people, handlers, history and session');
SELECT is((SELECT count(*)::int FROM council.people WHERE org_id <> :o_bank), 0,
    'member: no person of another organisation is visible');
SELECT is((SELECT count(*)::int FROM council.people WHERE id = :p_jpcert), 0,
    'member: even asked by id, the coordinator''s person is not visible');
SELECT results_eq('SELECT token_hash FROM council.sessions',
    ARRAY[sha256('token-bank'::bytea)],
    'a session sees only its own sessions row, not its person''s other session');
SELECT is(pg_temp.touch(sha256('token-bank'::bytea)), 1,
    'a session may update its own last_seen_at');
SELECT is(pg_temp.touch(sha256('token-jpcert'::bytea)), 0,
    'a session cannot touch another person''s session');
SELECT is(pg_temp.touch(sha256('token-bank-2'::bytea)), 0,
    'a session cannot touch its own person''s other session');

SELECT pg_temp.use_token('token-sakura');
SELECT is((SELECT count(*)::int FROM council.people), :sakura_people,
    'a Type 1 vendor sees its own people');
SELECT is((SELECT count(*)::int FROM council.people WHERE org_id = :o_bank), 0,
    'a Type 1 vendor does not see the bank''s people');

-- R-ORG-6: the general-affairs secretariat (NISC) has no blanket access.
SELECT pg_temp.use_token('token-nisc');
SELECT is(council.current_is_coordinator(), false, 'R-ORG-6: NISC (secretariat) is not the coordinator');
SELECT is((SELECT count(*)::int FROM council.people), :nisc_people,
    'R-ORG-6: NISC sees only its own people in ordinary operation');
SELECT is((SELECT count(*)::int FROM council.handler_registrations r
           JOIN council.people p ON p.id = r.person_id WHERE p.org_id <> :o_nisc), 0,
    'R-ORG-6: NISC sees no other organisation''s handler registrations');

-- R-ORG-6: the coordinator (JPCERT/CC) administers the system: sees all people.
SELECT pg_temp.use_token('token-jpcert');
SELECT is(council.current_person_id(), :p_jpcert::bigint, 'coordinator: resolves to its person');
SELECT is(council.current_is_coordinator(), true, 'R-ORG-6: JPCERT/CC is the coordinator');
SELECT is(pg_temp.visible(),
    ARRAY[:n_orgs, :n_people, :n_handlers, :n_committee, :n_supervises, :n_history, 1]::bigint[],
    'R-ORG-6: JPCERT/CC sees every person, handler registration and status history, and only its own session');

-- council_app writes nothing but last_seen_at, even as the coordinator. -------
SELECT throws_ok($$INSERT INTO council.organisations (slug, name_ja, name_en, category)
                   VALUES ('x-org', 'x', 'x', 'other')$$,
    '42501', NULL, 'council_app cannot INSERT organisations');
SELECT throws_ok($$UPDATE council.organisations SET status = 'member' WHERE slug = 'toto-city'$$,
    '42501', NULL, 'R-ORG-3: council_app cannot UPDATE organisations (e.g. undo a withdrawal)');
SELECT throws_ok($$DELETE FROM council.organisations WHERE slug = 'toto-city'$$,
    '42501', NULL, 'council_app cannot DELETE organisations');
SELECT throws_ok(format($$INSERT INTO council.people (org_id, name_ja, name_en, email)
                          VALUES (%s, 'x', 'x', 'x@x.example.jp')$$, :o_bank),
    '42501', NULL, 'council_app cannot INSERT people');
SELECT throws_ok($$UPDATE council.people SET is_org_admin = true$$,
    '42501', NULL, 'council_app cannot UPDATE people');
SELECT throws_ok($$DELETE FROM council.people$$,
    '42501', NULL, 'council_app cannot DELETE people');
SELECT throws_ok(format($$INSERT INTO council.sessions (token_hash, person_id, expires_at)
                          VALUES (sha256('forged'::bytea), %s, now() + interval '1 day')$$, :p_jpcert),
    '42501', NULL, 'council_app cannot INSERT a session (forge an identity)');
SELECT throws_ok(format($$UPDATE council.sessions SET person_id = %s$$, :p_bank),
    '42501', NULL, 'council_app cannot re-point a session to another person');
SELECT throws_ok(format($$INSERT INTO council.handler_registrations (person_id) VALUES (%s)$$, :p_jpcert),
    '42501', NULL, 'R-ORG-4: council_app cannot register handlers directly');
SELECT throws_ok(format($$INSERT INTO council.committee_members (person_id) VALUES (%s)$$, :p_jpcert),
    '42501', NULL, 'R-GOV-5: council_app cannot seat committee members');

SELECT * FROM finish();
ROLLBACK;
