-- tests/sql/22_membership.sql: joining and leaving (policy/73_membership.sql,
-- issue 5; R-ORG-2, R-ORG-3, R-ORG-7, R-ORG-8): an application agreeing to
-- the Rules in force, the committee's admission or refusal (a withheld
-- reason stays withheld), a GSOC-liaison notification, withdrawal at once
-- (sessions end, audiences shrink, history stays), dissolution, the
-- roster.  Same fixtures as 10_sharing_rules.  Everything is rolled back.
BEGIN;
SELECT plan(36);
\ir fixtures/sharing.psql

CREATE FUNCTION pg_temp.tok(s text) RETURNS bytea LANGUAGE sql IMMUTABLE
AS $$ SELECT sha256(convert_to('app-' || s, 'UTF8')) $$;
CREATE FUNCTION pg_temp.rv() RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT council.rules_version() $$;
-- Apply as nobody (no session), as the public form does.
CREATE FUNCTION pg_temp.apply_(s text, agree boolean DEFAULT true, ver integer DEFAULT NULL,
    cat text DEFAULT 'other', sector text DEFAULT NULL) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.nobody();
    RETURN council.apply('申請者' || s, 'Applicant ' || s, cat, sector, '担当 ' || s,
        s || '@applicant.example.jp', coalesce(ver, pg_temp.rv()), agree, pg_temp.tok(s))::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.status_(s text) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws(' ', status, coalesce(reason, '-'))
    FROM council.application_status(pg_temp.tok(s)) $$;
CREATE FUNCTION pg_temp.app_org(s text) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT id FROM council.organisations WHERE name_en = 'Applicant ' || s $$;
-- The committee decides, in one step (the count itself is 20_committee's).
CREATE FUNCTION pg_temp.decide(s text, k text, reason text DEFAULT NULL,
    withheld boolean DEFAULT false) RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE m bigint;
BEGIN
    PERFORM set_config('council.session', encode(sha256(convert_to('tr-tok-cmt', 'UTF8')), 'hex'), true);
    m := council.sc_motion_create(k, k || ' ' || s, '', pg_temp.app_org(s), reason, withheld);
    UPDATE council.sc_motions SET status = 'passed', closed_at = now(),
        result = '{"passed": true}', effect = '{}', chair_window_ends = now() + interval '72 hours',
        rule_id = (SELECT id FROM council.decision_rules WHERE code = 'sc.ordinary' LIMIT 1),
        opened_by = created_by, opened_at = now(), closes_at = now(), quorum_open = '{}'
    WHERE id = m;
    UPDATE council.sc_motions SET effect = council.sc__effect(x) FROM council.sc_motions x
    WHERE council.sc_motions.id = m AND x.id = m;
    RETURN (SELECT status::text FROM council.organisations WHERE id = pg_temp.app_org(s));
END $$;
SET LOCAL ROLE council_app;

-- R-ORG-2: applying. ------------------------------------------------------------
SELECT is(pg_temp.apply_('a', false), 'CP422 agreement_required',
          'R-ORG-2: no agreement to the Rules, no application');
SELECT is(pg_temp.apply_('a', true, pg_temp.rv() - 1), 'CP409 rules_changed',
          'R-ORG-2: agreeing to a version of the Rules no longer in force is refused');
SELECT is((SELECT count(*) FROM council.organisations WHERE name_en LIKE 'Applicant %'), 0::bigint,
          '... and nothing is stored');
SELECT is(pg_temp.apply_('b', true, NULL, 'ci_operator'), 'CP422 invalid_sector',
          'a critical-infrastructure operator names its sector');
SELECT is(pg_temp.apply_(E'c\x07'), 'CP422 invalid_name', 'control characters in a name are refused');
SELECT ok(pg_temp.apply_('a') ~ '^\d+$', 'R-ORG-2: an applicant agreeing to the Rules in force applies');
SELECT is(pg_temp.apply_('a'), 'CP409 already_applied', 'a second application for the same applicant is refused');
SELECT is(pg_temp.status_('a'), 'pending -', 'the applicant''s link shows its application pending');
SELECT is(pg_temp.val('sec-a', format($$SELECT status || ' ' || rules_version FROM council.application_status(%L)$$,
          pg_temp.tok('nobody'))), 'NULL', 'an unknown link shows nothing');
SELECT is(pg_temp.val('bank-h', 'SELECT count(*) FROM council.applications'), '0',
          'a member outside the secretariat and committee reads no application');
SELECT is(pg_temp.val('sec-a', $$SELECT json_array_length(council.applications_pending()->'applications')$$), '1',
          'the secretariat lists the pending application');
SELECT is(pg_temp.err('bank-h', 'SELECT council.applications_pending()'), 'CP403 only_secretariat_or_committee',
          '... a member cannot');
SELECT is(pg_temp.val('sec-a', $$SELECT (council.applications_pending()->'applications'->0->>'rules_version')::int$$),
          pg_temp.rv()::text, 'the application records which version of the Rules was agreed to');
SELECT is((SELECT p.active FROM council.people p WHERE p.email = 'a@applicant.example.jp'), NULL::boolean,
          'the contact person cannot even be read by a member''s session');

-- R-ORG-2, R-GOV-5: the committee decides. ----------------------------------------
RESET ROLE;
SELECT is(pg_temp.decide('a', 'admission'), 'member', 'R-ORG-2: the committee''s admission makes the applicant a member');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.status_('a'), 'approved -', '... and its link says approved');
SELECT ok(pg_temp.apply_('r1') ~ '^\d+$' AND pg_temp.apply_('r2') ~ '^\d+$', 'two more applicants');
RESET ROLE;
SELECT is(pg_temp.decide('r1', 'refusal', 'incompatible business', false), 'refused', 'the committee refuses one with a reason');
SELECT is(pg_temp.decide('r2', 'refusal', 'anti-social forces', true), 'refused', '... and the other with a withheld reason');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.status_('r1'), 'refused incompatible business', 'R-ORG-2: the refused applicant reads the reason');
SELECT is(pg_temp.status_('r2'), 'refused -', 'R-ORG-2: a withheld reason is not shown');
RESET ROLE;
SELECT is((SELECT count(*) FROM council.org_status_history h WHERE h.org_id = pg_temp.app_org('r2')
           AND h.note LIKE '%anti-social%'), 0::bigint, '... nor written in its status history');
SET LOCAL ROLE council_app;

-- R-ORG-8: a GSOC-liaison agency joins by notification. ------------------------------
SELECT is(pg_temp.err('bank-h', $$SELECT council.gsoc_notify('連絡庁', 'Liaison Agency', '担当', 'x@liaison.example.jp')$$),
          'CP403 only_secretariat', 'only the secretariat records a notification');
SELECT ok(pg_temp.val('sec-a', $$SELECT council.gsoc_notify('連絡庁', 'Liaison Agency', '担当', 'x@liaison.example.jp')$$) ~ '^\d+$',
          'R-ORG-2: the secretariat records a GSOC-liaison agency''s notification');
RESET ROLE;
SELECT is((SELECT status || ' ' || gsoc_liaison || ' ' || category FROM council.organisations WHERE name_en = 'Liaison Agency'),
          'member true national_agency', 'R-ORG-8: receipt is approval: a member at once, sharing through GSOC');

-- R-ORG-3: withdrawal, at once. ------------------------------------------------------
SET LOCAL ROLE council_app;
SELECT pg_temp.post('before', 'v1-h', 'report', false, '[{"class": "all_members"}]');
SELECT is(pg_temp.sees('bank-h', 'before'), true, 'before: the bank reads a post to all members');
SELECT is(pg_temp.err('bank-n', 'SELECT council.org_withdraw(true)'), 'CP403 not_org_admin',
          'only an administrator notifies the withdrawal');
RESET ROLE;
UPDATE council.people SET is_org_admin = true WHERE email = 'bank-h@rules-test.example.jp';
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('bank-h', 'SELECT council.org_withdraw(false)'), 'CP422 confirmation_required',
          'a withdrawal is confirmed explicitly');
SELECT is(pg_temp.err('sec-a', 'SELECT council.org_withdraw(true)'), 'CP403 not_org_admin',
          'the secretariat body does not withdraw by notification (nor can this person)');
SELECT is(pg_temp.err('bank-h', 'SELECT council.org_withdraw(true)'), 'no error', 'R-ORG-3: the bank withdraws');
SELECT is(pg_temp.val('bank-h', 'SELECT count(*) FROM council.me'), '0',
          'R-ORG-3: at once its people''s sessions end');
SELECT pg_temp.post('after', 'v1-h', 'report', false, '[{"class": "all_members"}]');
RESET ROLE;
-- A new session of one of its people, as a sign-in would make it.
INSERT INTO council.sessions (token_hash, person_id, expires_at)
SELECT sha256(convert_to('tr-tok-bank-n2', 'UTF8')), person_id, now() + interval '1 hour'
FROM t_people WHERE k = 'bank-n';
SET LOCAL ROLE council_app;
SELECT is((SELECT set_config('council.session', encode(sha256(convert_to('tr-tok-bank-n2', 'UTF8')), 'hex'), true)
                  IS NOT NULL AND NOT EXISTS (SELECT 1 FROM council.posts WHERE id IN (pg_temp.p('after'), pg_temp.p('before')))),
          true, 'R-ORG-3: its people read nothing, the later post to all members included, even with a new session');
RESET ROLE;
SELECT is((SELECT count(*) FROM council.handler_registrations h JOIN council.people p ON p.id = h.person_id
           WHERE p.org_id = pg_temp.o('tr-bank') AND h.deregistered_at IS NULL), 0::bigint,
          'its handlers'' registrations are closed');
SELECT is((SELECT string_agg(status::text, ',' ORDER BY id) FROM council.org_status_history
           WHERE org_id = pg_temp.o('tr-bank') AND status = 'withdrawn'), 'withdrawn',
          'the withdrawal is in its status history (history kept)');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('sec-a', format('SELECT council.org_dissolve(%s)', pg_temp.o('tr-power'))), 'no error',
          'R-ORG-3: the secretariat records a dissolution');
RESET ROLE;
SELECT is((SELECT status::text FROM council.organisations WHERE id = pg_temp.o('tr-power')), 'dissolved',
          '... which ends the membership');

SELECT * FROM finish();
ROLLBACK;
