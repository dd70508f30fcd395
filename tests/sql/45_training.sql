-- tests/sql/45_training.sql: handler safety management (issue 14 item 7;
-- R-NEW-6; policy/94_training.sql, policy/10_identity.sql): a handler
-- whose secrecy training is older than the council's period loses secret
-- access (every read and write of a secret) until its administrator
-- records a new training, which is never in the future; the yearly
-- confirmation of the handler list; the coordinator's periods; the
-- warnings before, once each.  Same fixtures as 10_sharing_rules.sql.
-- Rolled back.
BEGIN;
SELECT plan(38);
\ir fixtures/sharing.psql

-- Administrators: bank-n of tr-bank, power-h of tr-power, coord-n of the
-- coordinator.
UPDATE council.people SET is_org_admin = true
WHERE id IN (SELECT person_id FROM t_people WHERE k IN ('bank-n', 'power-h', 'coord-n'));
-- Today in Japan (the dates of trainings are JST dates).
CREATE FUNCTION pg_temp.today() RETURNS date LANGUAGE sql STABLE
AS $$ SELECT (now() AT TIME ZONE 'Asia/Tokyo')::date $$;
CREATE FUNCTION pg_temp.train(who text, d date) RETURNS void LANGUAGE sql AS $$
    UPDATE council.handler_registrations SET trained_on = d
    WHERE person_id = (SELECT person_id FROM pg_temp.t_people WHERE k = who) AND deregistered_at IS NULL
$$;
CREATE FUNCTION pg_temp.told(who text, k text) RETURNS integer LANGUAGE sql AS $$
    SELECT count(*)::int FROM council.notifications n
    WHERE n.person_id = (SELECT person_id FROM pg_temp.t_people WHERE t_people.k = who) AND n.kind = told.k
$$;

SELECT is((SELECT count(*)::int FROM council.handler_registrations
           WHERE deregistered_at IS NULL AND trained_on = (now() AT TIME ZONE 'Asia/Tokyo')::date
             AND person_id IN (SELECT person_id FROM t_people)), 18,
    'R-NEW-6: a registration counts as a training on its day (every open registration has a date)');

SET LOCAL ROLE council_app;
SELECT pg_temp.post('x1', 'bank-h', 'report', true, pg_temp.orgs('tr-power', 'tr-vendor1'));
SELECT pg_temp.post('p1', 'bank-h', 'report', false, pg_temp.orgs('tr-power'));
RESET ROLE;

-- ---- Expiry. --------------------------------------------------------------------------
SELECT pg_temp.train('power-h', pg_temp.today() - 364);
SELECT is(pg_temp.val('power-h', 'SELECT may_handle_secrets FROM council.me'), 'true',
    'R-NEW-6: a training 364 days old is still valid (period 365 days)');
SELECT is(pg_temp.val('power-h', 'SELECT council.handlers_json()->''me''->>''state'''), 'expiring',
    '... and is shown as expiring soon');
SELECT pg_temp.train('power-h', pg_temp.today() - 365);
SELECT is(pg_temp.val('power-h', 'SELECT may_handle_secrets FROM council.me'), 'false',
    'R-NEW-6: on the day the training expires the handler loses secret access');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.sees('power-h', 'x1'), false, 'R-NEW-6: ... it no longer reads the secret');
SELECT is(pg_temp.sees('power-h', 'p1'), true, '... but still reads what is not secret');
SELECT is(pg_temp.err('power-h', $$SELECT council.create_post('report', 't', 'b', true, p_scope => '[{"class": "coordinator"}]')$$),
    'CP403 secret_needs_registered_handler', 'R-NEW-6: ... nor posts a secret');
SELECT is(pg_temp.val('power-h', 'SELECT council.handlers_json()->''me''->>''state'''), 'overdue',
    '... and its page says overdue');
RESET ROLE;
SELECT is(council.person_sees_post((SELECT person_id FROM t_people WHERE k = 'power-h'), pg_temp.p('x1')), false,
    'R-NEW-6: the mailer and notifications agree (person_sees_post)');
SELECT is(council.org_secret_block(pg_temp.o('tr-power')), 'no_handler',
    'R-NEW-6: an organisation whose only handler is overdue cannot receive a secret (the preview says why)');
SELECT is(pg_temp.val('v1-h', 'SELECT may_handle_secrets FROM council.me'), 'true', '... other handlers keep theirs');

-- ---- Recording a training. ---------------------------------------------------------------
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('power-h', format('SELECT council.training_record(%s, pg_temp.today() + 1)',
        (SELECT person_id FROM t_people WHERE k = 'power-h'))),
    'CP422 invalid_trained_on', 'R-NEW-6: a training is never recorded in the future');
SELECT is(pg_temp.err('power-h', format('SELECT council.training_record(%s, pg_temp.today() - 400)',
        (SELECT person_id FROM t_people WHERE k = 'power-h'))),
    'CP422 invalid_trained_on', '... nor before the one recorded');
SELECT is(pg_temp.err('bank-h', format('SELECT council.training_record(%s, pg_temp.today())',
        (SELECT person_id FROM t_people WHERE k = 'bank-h'))),
    'CP403 org_admin_only', 'R-NEW-6: only an administrator records a training (not the handler itself)');
SELECT is(pg_temp.err('bank-n', format('SELECT council.training_record(%s, pg_temp.today())',
        (SELECT person_id FROM t_people WHERE k = 'power-h'))),
    pg_temp.err('bank-n', 'SELECT council.training_record(999999999, pg_temp.today())'),
    'R-NEW-6: another organisation''s person answers exactly like an absent one');
SELECT is(pg_temp.err('bank-n', format('SELECT council.training_record(%s, pg_temp.today())',
        (SELECT person_id FROM t_people WHERE k = 'bank-n'))),
    'CP422 not_registered', '... and one who is no handler has no training to record');
SELECT is(pg_temp.err('power-h', format('SELECT council.training_record(%s, pg_temp.today() - 2)',
        (SELECT person_id FROM t_people WHERE k = 'power-h'))),
    'no error', 'R-NEW-6: the administrator (here a handler itself) records the renewed training');
SELECT is(pg_temp.sees('power-h', 'x1'), true, 'R-NEW-6: secret access is back at once');
RESET ROLE;
SELECT is((SELECT string_agg(trained_on::text, ' ') FROM council.handler_trainings
           WHERE person_id = (SELECT person_id FROM t_people WHERE k = 'power-h')),
    (pg_temp.today() - 2)::text, 'R-NEW-6: the training is in the history');

-- ---- The yearly confirmation. --------------------------------------------------------------------
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('bank-h', 'SELECT council.handler_list_confirm()'), 'CP403 org_admin_only',
    'R-NEW-6: only the administrator confirms the handler list');
SELECT is(pg_temp.val('bank-n', 'SELECT council.handler_list_confirm()'),
    ((now() AT TIME ZONE 'Asia/Tokyo')::date + 365)::text,
    'R-NEW-6: the administrator confirms it; the next is due a year later');
RESET ROLE;
SELECT is((SELECT array_length(handlers, 1) FROM council.handler_list_confirmations
           WHERE org_id = pg_temp.o('tr-bank')), 1, '... the confirmation lists its one open handler');
CREATE FUNCTION pg_temp.who(q text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
    n  bigint;
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        EXECUTE q INTO n;
        IF n > 0 THEN
            r := r || t.k;
        END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
SELECT is(pg_temp.who(format('SELECT count(*) FROM council.handler_list_confirmations WHERE org_id = %s',
                             pg_temp.o('tr-bank'))),
    ARRAY['bank-d', 'bank-h', 'bank-n', 'coord-h', 'coord-n'],
    'R-NEW-6: an organisation''s confirmations are seen by its people and the coordinator only');
SELECT is(pg_temp.who('SELECT count(*) FROM council.handler_trainings'),
    ARRAY['coord-h', 'coord-n', 'power-h'],
    'R-NEW-6: a training is seen within its organisation and by the coordinator only');
SELECT is(pg_temp.who('SELECT json_array_length(council.handlers_json()->''overview'')'),
    ARRAY['coord-h', 'coord-n'], 'R-NEW-6: the overview of every organisation is the coordinator''s');
SELECT is(pg_temp.who('SELECT json_array_length(council.handlers_json()->''handlers'')'),
    ARRAY['bank-n', 'coord-n', 'power-h'], '... and an organisation''s list its administrators''');

SET LOCAL ROLE council_app;
SELECT is(ARRAY[pg_temp.val('bank-h', format('SELECT council.handler_confirm_due(%s)', pg_temp.o('tr-vendor1'))),
                pg_temp.val('coord-h', format('SELECT council.handler_confirm_due(%s) IS NOT NULL', pg_temp.o('tr-vendor1')))],
    ARRAY['NULL', 'true'], 'R-NEW-6: another organisation''s list due date is told to the coordinator only');
RESET ROLE;

-- ---- The periods. --------------------------------------------------------------------------------
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('bank-n', 'SELECT council.handler_safety_set(180, NULL, NULL)'), 'CP403 coordinator_only',
    'R-NEW-6: only the coordinator sets the periods');
SELECT is(pg_temp.err('coord-h', 'SELECT council.handler_safety_set(180, NULL, NULL)'), 'CP403 org_admin_only',
    '... through its administrator');
SELECT is(pg_temp.err('coord-n', 'SELECT council.handler_safety_set(20, NULL, NULL)'), 'CP422 invalid_period',
    'R-NEW-6: a training period under 30 days is refused');
RESET ROLE;
SELECT pg_temp.train('v1-h', pg_temp.today() - 200);
SELECT is(pg_temp.val('v1-h', 'SELECT may_handle_secrets FROM council.me'), 'true', 'a training 200 days old is valid under 365 days ...');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('coord-n', 'SELECT council.handler_safety_set(180, NULL, NULL)'), 'no error',
    'R-NEW-6: the coordinator''s administrator shortens the period to 180 days');
RESET ROLE;
SELECT is(pg_temp.val('v1-h', 'SELECT may_handle_secrets FROM council.me'), 'false',
    'R-NEW-6: ... and every session follows at once');
UPDATE council.handler_safety_settings SET training_days = 365;

-- ---- Warnings, once each. --------------------------------------------------------------------------
SELECT pg_temp.train('v1-h', pg_temp.today() - 340);
UPDATE council.handler_safety_settings SET swept_at = NULL;
SELECT council.training_remind_due();
UPDATE council.handler_safety_settings SET swept_at = NULL;
SELECT council.training_remind_due();
SELECT is(ARRAY[pg_temp.told('v1-h', 'handler.training_expiring'), pg_temp.told('v1-n', 'handler.training_expiring'),
                pg_temp.told('bank-n', 'handler.training_expiring')],
    ARRAY[1, 0, 0],
    'R-NEW-6: 30 days before, the handler is warned once (the clock run twice); not its colleague, nor another organisation');
UPDATE council.people SET is_org_admin = true WHERE id = (SELECT person_id FROM t_people WHERE k = 'v1-n');
UPDATE council.handler_safety_settings SET swept_at = NULL, introduced_at = now() - interval '400 days';
SELECT council.training_remind_due();
SELECT is(ARRAY[pg_temp.told('v1-n', 'handler.training_expiring'), pg_temp.told('v1-n', 'handler.confirm_overdue'),
                pg_temp.told('bank-n', 'handler.confirm_overdue'),
                (SELECT count(*)::int FROM council.notifications n
                 WHERE n.person_id = (SELECT person_id FROM t_people WHERE k = 'coord-n')
                   AND n.dedupe LIKE 'handler.confirm.overdue:' || pg_temp.o('tr-vendor1') || ':%'),
                pg_temp.told('bank-h', 'handler.confirm_overdue')],
    ARRAY[1, 1, 0, 1, 0],
    'R-NEW-6: the administrator is warned of its handler''s training; an overdue list warns its administrator and the coordinator''s (bank confirmed its list this year)');
SELECT is(pg_temp.val('v1-h', 'SELECT may_handle_secrets FROM council.me'), 'true',
    'R-NEW-6: an overdue confirmation takes no access away');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'council'
             AND c.relname IN ('handler_trainings', 'handler_list_confirmations', 'handler_safety_settings')
             AND c.relrowsecurity AND c.relforcerowsecurity), 3,
    'row-level security enabled and forced on the three tables');
SELECT is((SELECT string_agg(action, ' ' ORDER BY id) FROM council.audit_log
           WHERE action LIKE 'handler.%' AND action NOT IN ('handler.register', 'handler.deregister')
             AND at >= now()),
    'handler.training handler.confirm handler.safety_settings', 'every act is in the audit log');

SELECT * FROM finish();
ROLLBACK;
