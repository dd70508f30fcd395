-- tests/sql/18_settings.sql: a person's own settings and the organisation
-- administration of policy/64_settings.sql (issue 4): only one's own
-- settings; only an organisation's administrators, only for their own
-- organisation (R-ORG-4, R-SECRET-3, R-ORG-7); a person of another
-- organisation answers exactly like an absent id; a deregistration ends
-- secret access at once; an opt-out hides secrets and leaves the roster;
-- every change is audited.  Run as the superuser; the calls are made as
-- council_app (SET ROLE), the way councild makes them.  Rolled back.
BEGIN;
SELECT plan(53);

-- Fixtures (as the superuser). --------------------------------------------------
INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
VALUES ('ts-a', 'ts-a 組織', 'ts-a org', 'other', 'member'),
       ('ts-b', 'ts-b 組織', 'ts-b org', 'other', 'member'),
       ('ts-gone', 'ts-gone 組織', 'ts-gone org', 'other', 'withdrawn');
INSERT INTO council.organisations (slug, name_ja, name_en, category, council_role, tf_class, status)
SELECT 'ts-coordinator', 'x', 'x', 'other', 'coordinator', 'type1', 'member'
WHERE NOT EXISTS (SELECT 1 FROM council.organisations WHERE council_role = 'coordinator');
CREATE TEMP TABLE ts (k text PRIMARY KEY, id bigint);
INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin, active)
SELECT o.id, v.k, v.k, v.k || '@settings-test.example.jp', v.admin, v.active
FROM (VALUES ('a-admin', 'ts-a', true, true), ('a-m', 'ts-a', false, true),
             ('a-new', 'ts-a', false, true), ('a-h', 'ts-a', false, true),
             ('a-off', 'ts-a', false, false),
             ('b-admin', 'ts-b', true, true), ('b-m', 'ts-b', false, true),
             ('b-h', 'ts-b', false, true)) v(k, org, admin, active)
JOIN council.organisations o ON o.slug = v.org;
INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin)
SELECT id, 'c-admin', 'c-admin', 'c-admin@settings-test.example.jp', true
FROM council.organisations WHERE council_role = 'coordinator';
INSERT INTO ts SELECT split_part(email, '@', 1), id FROM council.people
WHERE email LIKE '%@settings-test.example.jp';
INSERT INTO ts SELECT slug, id FROM council.organisations WHERE slug LIKE 'ts-%';
-- a-h signed in with a second factor (it has a TOTP secret); b-h too.
UPDATE council.people SET totp_secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
WHERE email IN ('a-h@settings-test.example.jp', 'b-h@settings-test.example.jp');
INSERT INTO council.handler_registrations (person_id, registered_at)
SELECT id, now() - interval '1 day' FROM ts WHERE k IN ('a-h', 'b-h');
INSERT INTO council.sessions (token_hash, person_id, expires_at)
SELECT sha256(convert_to('ts-tok-' || k, 'UTF8')), id, now() + interval '1 hour'
FROM ts WHERE k IN ('a-admin', 'a-m', 'a-new', 'a-h', 'b-admin', 'b-m', 'b-h', 'c-admin');
GRANT SELECT ON ts TO council_app;
CREATE FUNCTION pg_temp.id(k text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.ts WHERE ts.k = id.k $$;
CREATE FUNCTION pg_temp.as_(k text) RETURNS void LANGUAGE sql
AS $$ SELECT set_config('council.session', encode(sha256(convert_to('ts-tok-' || k, 'UTF8')), 'hex'), true) $$;
-- Run q as k: 'ok' or 'SQLSTATE message'.
CREATE FUNCTION pg_temp.err(k text, q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(k);
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- Run q as k: its first column as text, or the error.
CREATE FUNCTION pg_temp.val(k text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    PERFORM pg_temp.as_(k);
    EXECUTE q INTO r;
    RETURN coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- Does k see post p?
CREATE FUNCTION pg_temp.sees(k text, p bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(k);
    RETURN EXISTS (SELECT 1 FROM council.posts WHERE id = p);
END $$;
-- The audit rows after the fixtures, as "action:actor:object detail" (superuser).
SELECT coalesce(max(id), 0) AS audit0 FROM council.audit_log \gset
CREATE FUNCTION pg_temp.audit(p_action text) RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(coalesce((SELECT k FROM pg_temp.ts WHERE id = a.person_id
                                          AND k NOT LIKE 'ts-%'), '-')
                              || ':' || coalesce((SELECT k FROM pg_temp.ts WHERE id = a.object_id
                                                  AND k NOT LIKE CASE WHEN a.object_type = 'person'
                                                                      THEN 'ts-%' ELSE 'x' END), '-')
                              || ' ' || a.detail::text ORDER BY a.id), '{}')
    FROM council.audit_log a
    WHERE a.id > current_setting('ts.audit0')::bigint AND a.action = p_action $$;
SELECT set_config('ts.audit0', :'audit0', true) AS audit0_set \gset

-- A secret post by ts-b's handler, scoped to ts-a (R-SECRET-2).
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('b-h');
SELECT council.create_post(p_kind => 'report', p_title => 'ts secret', p_body => 'b',
    p_is_secret => true, p_scope => jsonb_build_array(jsonb_build_object('org', pg_temp.id('ts-a'))))
    AS secret_post \gset

-- One's own settings. ---------------------------------------------------------------
SELECT is(pg_temp.val('a-m', 'SELECT row(s.*)::text FROM council.my_settings() s'),
    '(ja,t,t,t,t,daily,f)', 'a person''s settings start at the defaults of migration 0010');
SELECT is(pg_temp.val('nobody', 'SELECT count(*) FROM council.my_settings()'), '0',
    'nobody has settings');
SELECT is(pg_temp.err('nobody', $$SELECT council.set_my_settings('en')$$),
    'CP401 not_signed_in', 'nobody changes settings');
SELECT is(pg_temp.val('a-m', $$SELECT council.set_my_settings('en', false, NULL, NULL, NULL, 'immediate')$$),
    'true', 'a person changes their language, a preference and the digest');
SELECT is(pg_temp.val('a-m', 'SELECT row(s.*)::text FROM council.my_settings() s'),
    '(en,f,t,t,t,immediate,f)', '... which are saved; NULL kept the others');
SELECT is(pg_temp.val('a-m', $$SELECT council.set_my_settings('en', false, NULL, NULL, NULL, 'immediate')$$),
    'false', 'saving the same settings changes nothing');
SELECT is(pg_temp.err('a-m', $$SELECT council.set_my_settings('fr')$$) || ' / ' ||
          pg_temp.err('a-m', $$SELECT council.set_my_settings(NULL, p_digest => 'weekly')$$),
    'CP422 invalid_language / CP422 invalid_digest', 'an unknown language or digest is refused');
SELECT is(pg_temp.val('a-m', 'SELECT row(s.*)::text FROM council.my_settings() s'),
    '(en,f,t,t,t,immediate,f)', '... and changed nothing');
SELECT is(pg_temp.val('a-m', $$SELECT body FROM council.api_set_settings('{"lang": 1}')$$) || ' / ' ||
          pg_temp.val('a-m', $$SELECT body FROM council.api_set_settings('{"notify_governance": "no"}')$$) || ' / ' ||
          pg_temp.val('a-m', $$SELECT body FROM council.api_set_settings('{"org_admin": true}')$$) || ' / ' ||
          pg_temp.val('a-m', $$SELECT status || body FROM council.api_set_settings('[]')$$),
    '{"error" : "invalid_lang"} / {"error" : "invalid_notify_governance"} / {"error" : "unknown_field"} / 400{"error" : "invalid_json"}',
    'the API''s form refuses wrong types, unknown keys (org_admin among them) and non-objects');
SELECT is(pg_temp.val('a-m', $$SELECT status || ' ' || (body::jsonb - 'org_admin')::text
              FROM council.api_set_settings('{"notify_governance": false, "email_digest": "none"}')$$)
          || ' ' || pg_temp.val('a-m', 'SELECT row(s.*)::text FROM council.my_settings() s'),
    '200 {"lang": "en", "email_digest": "none", "notify_governance": false, "notify_feedback_due": true, "notify_new_in_scope": false, "notify_consent_request": true} (en,f,t,t,f,none,f)',
    'the API''s form changes the keys it has, keeps the others and answers the result');
SELECT is(pg_temp.val('a-admin', 'SELECT row(s.*)::text FROM council.my_settings() s'),
    '(ja,t,t,t,t,daily,t)', 'another person''s settings did not move');
SELECT throws_ok($$SELECT notify_governance FROM council.people$$, '42501', NULL,
    'council_app cannot read people''s notification preferences (only its own, through my_settings)');
SELECT throws_ok($$UPDATE council.people SET lang = 'en'$$, '42501', NULL,
    'council_app cannot UPDATE people directly');
RESET ROLE;
SELECT is(pg_temp.audit('settings.update'),
    ARRAY['a-m:a-m {"lang": "en", "email_digest": "immediate", "notify_new_in_scope": false}',
          'a-m:a-m {"email_digest": "none", "notify_governance": false}'],
    'each change of settings is audited with what changed; refused and empty changes are not');
-- The UPDATE policy pins council_writer to the caller's own row.
SET LOCAL ROLE council_writer;
SELECT pg_temp.as_('a-m');
UPDATE council.people SET lang = 'ja';
RESET ROLE;
SELECT is((SELECT string_agg(k, ',' ORDER BY k) FROM ts JOIN council.people p USING (id)
           WHERE k NOT LIKE 'ts-%' AND p.lang = 'ja' AND k IN ('a-m', 'a-admin', 'b-m')),
    'a-admin,a-m,b-m', 'an UPDATE of every person by council_writer reaches only the caller''s row (a-m back to ja)');
SELECT is((SELECT count(*)::int FROM council.people WHERE lang = 'en' AND id = pg_temp.id('a-m')), 0,
    '... which it did change');

-- Organisation administration: only administrators, only their own organisation. --
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('a-m', format('SELECT council.register_handler(%s)', pg_temp.id('a-new'))) || ' / ' ||
          pg_temp.err('a-m', format('SELECT council.register_handler(%s)', pg_temp.id('b-m'))) || ' / ' ||
          pg_temp.err('a-m', 'SELECT council.register_handler(999999999)'),
    'CP403 org_admin_only / CP403 org_admin_only / CP403 org_admin_only',
    'R-ORG-4: a person who is not an administrator registers nobody, and learns nothing about ids');
SELECT is(pg_temp.err('a-m', 'SELECT council.set_secret_opt_out(true)') || ' / ' ||
          pg_temp.err('a-m', 'SELECT council.set_roster_opt_out(true)') || ' / ' ||
          pg_temp.err('a-m', 'SELECT count(*) FROM council.org_people()') || ' / ' ||
          pg_temp.err('a-m', format('SELECT council.deregister_handler(%s)', pg_temp.id('a-h'))),
    'CP403 org_admin_only / CP403 org_admin_only / CP403 org_admin_only / CP403 org_admin_only',
    'R-SECRET-3, R-ORG-7: nor changes the opt-outs, lists the people or deregisters');
SELECT is(pg_temp.err('nobody', 'SELECT council.set_roster_opt_out(true)'), 'CP401 not_signed_in',
    'nobody administers anything');
SELECT is(pg_temp.err('a-admin', format('SELECT council.register_handler(%s)', pg_temp.id('b-m'))),
    pg_temp.err('a-admin', 'SELECT council.register_handler(999999999)'),
    'a person of another organisation is registered exactly like an absent id: not at all');
SELECT is(pg_temp.err('a-admin', format('SELECT council.register_handler(%s)', pg_temp.id('b-m'))),
    'CP404 person_not_found', '... CP404 person_not_found');
SELECT is(pg_temp.err('a-admin', format('SELECT council.deregister_handler(%s)', pg_temp.id('b-h'))),
    pg_temp.err('a-admin', 'SELECT council.deregister_handler(999999999)'),
    'deregistering another organisation''s handler is answered exactly like an absent id');
SELECT is(pg_temp.err('c-admin', format('SELECT council.register_handler(%s)', pg_temp.id('a-new'))),
    'CP404 person_not_found',
    'R-ORG-6: the coordinator, which sees every person, still registers only its own people');
SELECT is(pg_temp.val('a-admin', 'SELECT string_agg(name_en || ''='' || handler, '','' ORDER BY name_en) FROM council.org_people()'),
    'a-admin=false,a-h=true,a-m=false,a-new=false,a-off=false',
    'org_people lists the administrator''s own organisation with handler status');
SELECT is(pg_temp.val('c-admin', 'SELECT count(*) FROM council.org_people() WHERE email LIKE ''%@settings-test.example.jp'' AND name_en <> ''c-admin'''),
    '0', '... only its own, for the coordinator too');

-- R-ORG-4: registration. ---------------------------------------------------------
SELECT is(pg_temp.val('a-new', 'SELECT count(*) FROM council.me'), '1', 'before: a-new is signed in (password only)');
SELECT is(pg_temp.val('a-admin', format('SELECT council.register_handler(%s) = now()', pg_temp.id('a-new'))),
    'true', 'R-ORG-4: an administrator registers a person of its organisation; registered_at is the notification time');
RESET ROLE;
SELECT is((SELECT registered_by FROM council.handler_registrations
           WHERE person_id = pg_temp.id('a-new') AND deregistered_at IS NULL), pg_temp.id('a-admin'),
    '... recorded as notified by the administrator');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.val('a-new', 'SELECT count(*) FROM council.me'), '0',
    'a new handler without a second factor loses its password-only sessions (TOTP is due from now on)');
SELECT is(pg_temp.err('a-admin', format('SELECT council.register_handler(%s)', pg_temp.id('a-new'))),
    'CP422 already_registered', 'a registered handler is not registered twice');
SELECT is(pg_temp.err('a-admin', format('SELECT council.register_handler(%s)', pg_temp.id('a-off'))),
    'CP422 person_inactive', 'an inactive person is not registered');
RESET ROLE;
SELECT is(pg_temp.audit('handler.register'), ARRAY['a-admin:a-new {}'],
    'the registration is audited (actor, person)');
SELECT ok(council.auth_needs_totp(pg_temp.id('a-new')),
    'the new handler must use the second factor from its next sign-in (policy/50_auth.sql)');
SELECT is(pg_temp.audit('auth.sessions.revoke'),
    ARRAY['a-admin:a-new {"reason": "handler_registered", "sessions": 1}'],
    '... and so is the end of the new handler''s password-only sessions');
SELECT throws_ok(format($$SET LOCAL ROLE council_writer; SELECT pg_temp.as_('a-admin');
    INSERT INTO council.handler_registrations (person_id, registered_by) VALUES (%s, %s)$$,
        pg_temp.id('b-m'), pg_temp.id('a-admin')),
    '42501', NULL, 'the INSERT policy refuses council_writer a registration in another organisation');
RESET ROLE;

-- R-ORG-4, R-SECRET-2: deregistration ends secret access at once. -----------------
SET LOCAL ROLE council_app;
SELECT is(pg_temp.sees('a-h', :secret_post), true, 'before: ts-a''s handler sees the secret post');
SELECT is(pg_temp.val('a-admin', format($$SELECT council.deregister_handler(%s, '  left the CSIRT  ')$$,
        pg_temp.id('a-h'))) || ' ' || pg_temp.sees('a-h', :secret_post)::text,
    ' false', 'R-ORG-4: after its deregistration the same session no longer sees it, in the same transaction');
SELECT is(pg_temp.val('a-h', 'SELECT may_handle_secrets FROM council.me'), 'false',
    '... the session identity follows handler_registrations (policy/10_identity.sql)');
SELECT is(pg_temp.val('a-h', 'SELECT count(*) FROM council.me'), '1',
    '... and the person stays signed in: only secrets end');
RESET ROLE;
SELECT is((SELECT deregistration_reason || ' by ' || (SELECT k FROM ts WHERE id = deregistered_by)
           FROM council.handler_registrations WHERE person_id = pg_temp.id('a-h')),
    'left the CSIRT by a-admin', 'the reason (trimmed) and who notified are kept with the registration');
SELECT is(pg_temp.audit('handler.deregister'), ARRAY['a-admin:a-h {}'], 'the deregistration is audited');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('a-admin', format('SELECT council.deregister_handler(%s)', pg_temp.id('a-h'))) || ' / ' ||
          pg_temp.err('a-admin', format('SELECT council.deregister_handler(%s, repeat(''x'', 501))', pg_temp.id('a-new'))),
    'CP422 not_registered / CP422 invalid_reason', 'no second deregistration; a reason is at most 500 characters');
SELECT is(pg_temp.err('a-admin', format('SELECT council.register_handler(%s)', pg_temp.id('a-h'))) || ' ' ||
          pg_temp.sees('a-h', :secret_post)::text || ' ' || pg_temp.val('a-h', 'SELECT count(*) FROM council.me'),
    'ok true 1', 'registered again, a handler with a second factor keeps its session and sees the secret at once');

-- R-SECRET-3: the opt-out hides secrets; opting in shows them again. ---------------
SELECT is(pg_temp.val('a-admin', 'SELECT council.set_secret_opt_out(true)') || ' ' ||
          pg_temp.sees('a-h', :secret_post)::text || ' ' || pg_temp.sees('b-h', :secret_post)::text,
    'true false true', 'R-SECRET-3: after the opt-out ts-a''s handler no longer sees the secret; its author still does');
SELECT is(pg_temp.err('a-h', $$SELECT council.create_post(p_kind => 'report', p_title => 't', p_body => 'b',
        p_is_secret => true, p_scope => '[{"class": "all_members"}]')$$),
    'CP403 secret_needs_registered_handler', '... and cannot post secrets');
SELECT is(pg_temp.val('a-admin', 'SELECT council.set_secret_opt_out(true)'), 'false',
    'opting out twice changes nothing');
SELECT is(pg_temp.val('a-admin', 'SELECT council.set_secret_opt_out(false)') || ' ' ||
          pg_temp.sees('a-h', :secret_post)::text,
    'true true', 'opting in again: the secret in its scope is visible again');
RESET ROLE;
SELECT is(pg_temp.audit('org.secret_opt_out'),
    ARRAY['a-admin:ts-a {"value": true}', 'a-admin:ts-a {"value": false}'],
    'each change of the secret opt-out is audited, the unchanged one not');

-- R-ORG-7: the roster. ------------------------------------------------------------
SET LOCAL ROLE council_app;
SELECT is(pg_temp.val('nobody', $$SELECT string_agg(name_en, ',' ORDER BY name_en) FROM council.roster()
        WHERE name_en LIKE 'ts-%'$$),
    'ts-a org,ts-b org', 'R-ORG-7: the roster is public: members only (not the withdrawn one)');
SELECT is(pg_temp.val('a-admin', 'SELECT council.set_roster_opt_out(true)') || ' ' ||
          pg_temp.val('nobody', $$SELECT string_agg(name_en, ',' ORDER BY name_en) FROM council.roster()
              WHERE name_en LIKE 'ts-%'$$),
    'true ts-b org', 'R-ORG-7: an organisation that opts out is left off the roster');
RESET ROLE;
SELECT is(pg_temp.audit('org.roster_opt_out'), ARRAY['a-admin:ts-a {"value": true}'],
    'the roster opt-out is audited');
SELECT is((SELECT array_agg(n ORDER BY o) FROM unnest(
               (SELECT proargnames FROM pg_proc WHERE proname = 'roster'
                AND pronamespace = 'council'::regnamespace)) WITH ORDINALITY AS x(n, o)),
    ARRAY['name_ja', 'name_en', 'category', 'sector_code', 'sector_name_ja', 'sector_name_en'],
    'the roster gives public data only: names, category, sector (no ids, no people)');

-- The UPDATE policies hold even for council_writer. -----------------------------------
SET LOCAL ROLE council_writer;
SELECT pg_temp.as_('a-admin');
UPDATE council.organisations SET roster_opt_out = true WHERE slug IN ('ts-b', 'ts-a');
SELECT pg_temp.as_('b-m');
UPDATE council.organisations SET secret_opt_out = true;
RESET ROLE;
SELECT is((SELECT string_agg(slug || '=' || roster_opt_out || '/' || secret_opt_out, ',' ORDER BY slug)
           FROM council.organisations WHERE slug IN ('ts-a', 'ts-b')),
    'ts-a=true/false,ts-b=false/false',
    'council_writer updates only its administrator''s own organisation; a non-administrator none');

SELECT * FROM finish();
ROLLBACK;
