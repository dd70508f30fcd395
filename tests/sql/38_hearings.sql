-- tests/sql/38_hearings.sql: joint hearings of a reporter (issue 13 item
-- 6; R-NEW-3; policy/85_hearings.sql; docs/incidents.md "Joint
-- hearings"): only an authority the report was delivered to asks for one
-- and only such authorities are invited; another authority sees nothing
-- of a hearing, and cannot join it, before the reporter consents to it;
-- one refused never does; the record is read by those who take part, the
-- reporter and the coordinator, and written by the authorities that take
-- part only; nobody else sees a hearing or counts it.  Same fixtures as
-- 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(32);
\ir fixtures/sharing.psql

-- The authorities, as in 34_incidents.sql: the basic policy's is
-- tr-gsoc, the PPC's tr-police; tr-fsa supervises finance.
DELETE FROM council.incident_authorities;
INSERT INTO council.incident_authorities (kind, org_id) VALUES
    ('government', pg_temp.o('tr-gsoc')), ('ppc', pg_temp.o('tr-police')),
    ('coordinator', pg_temp.o('@coordinator'));

-- Report A, delivered to tr-gsoc, tr-police and tr-fsa; report B to
-- tr-gsoc and tr-police only.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
CREATE TEMP TABLE t_rep AS
SELECT 'A'::text AS k, council.incident_file('hear A', now() - interval '1 hour', true, true, false,
    'finance', 'first_notice', '{}',
    ARRAY[pg_temp.o('tr-gsoc'), pg_temp.o('tr-police'), pg_temp.o('tr-fsa')]) AS id
UNION ALL
SELECT 'B', council.incident_file('hear B', now() - interval '1 hour', true, true, false,
    'finance', 'first_notice', '{}', ARRAY[pg_temp.o('tr-gsoc'), pg_temp.o('tr-police')]);
CREATE TEMP TABLE t_hear (k text PRIMARY KEY, id bigint NOT NULL);
RESET ROLE;
GRANT SELECT ON t_rep TO PUBLIC;
GRANT SELECT, INSERT ON t_hear TO PUBLIC;
CREATE FUNCTION pg_temp.r(k text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_rep WHERE t_rep.k = r.k $$;
CREATE FUNCTION pg_temp.h(k text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_hear WHERE t_hear.k = h.k $$;

-- Who sees hearing k (by id), person by person; who reads its record.
CREATE FUNCTION pg_temp.sees_hearing(hk text, p_record boolean) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        IF (NOT p_record AND EXISTS (SELECT 1 FROM council.incident_hearings WHERE id = pg_temp.h(hk)))
           OR (p_record AND EXISTS (SELECT 1 FROM council.incident_hearing_notes
                                    WHERE hearing_id = pg_temp.h(hk))) THEN
            r := r || t.k;
        END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
CREATE FUNCTION pg_temp.handlers_of(VARIADIC orgs text[]) RETURNS text[] LANGUAGE sql STABLE
AS $$ SELECT array_agg(k ORDER BY k) FROM pg_temp.t_people WHERE handler = 'open' AND org = ANY (orgs) $$;
-- Every row of the three tables person k counts.
CREATE FUNCTION pg_temp.counts() RETURNS integer LANGUAGE sql STABLE
AS $$ SELECT (SELECT count(*)::int FROM council.incident_hearings)
           + (SELECT count(*)::int FROM council.incident_hearing_parties)
           + (SELECT count(*)::int FROM council.incident_hearing_notes) $$;

SET LOCAL ROLE council_app;

-- Asking.
SELECT pg_temp.as_('gsoc-h');
SELECT throws_ok($$SELECT council.hearing_request(pg_temp.r('B'), 'x', '', now() + interval '1 day',
                     ARRAY[pg_temp.o('tr-fsa')])$$,
    'CP422', 'authority_not_delivered',
    'R-NEW-3: an authority the report was not delivered to cannot be invited to its hearing');
SELECT pg_temp.as_('fsa-h');
SELECT throws_ok($$SELECT council.hearing_request(pg_temp.r('B'), 'x', '', now() + interval '1 day', '{}')$$,
    'CP404', 'incident_not_found',
    'R-NEW-3: nor can it ask for one: to it the report answers like an absent id');
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.hearing_request(pg_temp.r('A'), 'x', '', now() + interval '1 day', '{}')$$,
    'CP403', 'not_an_authority_of_it', 'R-NEW-3: the reporter does not ask itself for a hearing');
SELECT pg_temp.as_('gsoc-h');
SELECT throws_ok($$SELECT council.hearing_request(pg_temp.r('A'), 'x', '', now() - interval '1 day', '{}')$$,
    'CP422', 'invalid_proposed_at', 'a hearing is not proposed for the past');
INSERT INTO t_hear SELECT 'H1', council.hearing_request(pg_temp.r('A'), 'how the VPN was entered',
    'logs of the gateway', now() + interval '2 days', ARRAY[pg_temp.o('tr-police'), pg_temp.o('tr-fsa')]);
SELECT is((SELECT status::text FROM council.incident_hearings WHERE id = pg_temp.h('H1')), 'requested',
    'R-NEW-3: NISC (tr-gsoc) asks the reporter for a hearing, with the PPC and the FSA');
RESET ROLE;

-- Before the reporter's consent.
SELECT is(pg_temp.sees_hearing('H1', false), pg_temp.handlers_of('tr-bank', 'tr-gsoc', '@coordinator'),
    'R-NEW-3: before consent, the reporter, the requesting authority and the coordinator see it; the authorities invited do not');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('police-h');
SELECT is(pg_temp.counts(), 0,
    'R-NEW-3: an invited authority not yet consented counts nothing: no hearing, party or note');
SELECT throws_ok($$SELECT council.hearing(pg_temp.h('H1'))$$, 'CP404', 'hearing_not_found',
    'R-NEW-3: ... and reading it answers like an absent id');
SELECT throws_ok($$SELECT council.hearing_join(pg_temp.h('H1'))$$, 'CP404', 'hearing_not_found',
    'R-NEW-3: the reporter''s consent comes before another authority joins');
SELECT pg_temp.as_('gsoc-h');
SELECT throws_ok($$SELECT council.hearing_record(pg_temp.h('H1'), 'early')$$,
    'CP409', 'hearing_not_consented', 'R-NEW-3: no record before the reporter consents');
SELECT throws_ok($$SELECT council.hearing_consent(pg_temp.h('H1'), ARRAY[pg_temp.o('tr-police')])$$,
    'CP403', 'only_the_reporter', 'R-NEW-3: only the reporter consents');

-- The reporter consents to the hearing and to the PPC, not to the FSA.
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.hearing_consent(pg_temp.h('H1'), ARRAY[pg_temp.o('tr-univ')])$$,
    'CP422', 'authority_not_invited', 'R-NEW-3: the reporter consents only to authorities invited');
SELECT lives_ok($$SELECT council.hearing_consent(pg_temp.h('H1'), ARRAY[pg_temp.o('tr-police')])$$,
    'R-NEW-3: the reporter consents to the hearing, with the PPC');
RESET ROLE;
SELECT is(pg_temp.sees_hearing('H1', false),
    pg_temp.handlers_of('tr-bank', 'tr-gsoc', 'tr-police', '@coordinator'),
    'R-NEW-3: now the PPC sees it too; the FSA, refused, still sees nothing');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('fsa-h');
SELECT throws_ok($$SELECT council.hearing_join(pg_temp.h('H1'))$$, 'CP404', 'hearing_not_found',
    'R-NEW-3: a refused authority cannot join: the hearing answers like an absent one');
SELECT pg_temp.as_('police-h');
SELECT set_eq($$SELECT org_id || ':' || consent FROM council.incident_hearing_parties$$,
    ARRAY[pg_temp.o('tr-police') || ':consented'],
    'R-NEW-3: a consented authority sees who else was consented, not whom the reporter refused');
SELECT is((council.hearing(pg_temp.h('H1'))->>'record_visible')::boolean, false,
    'R-NEW-3: consented but not joined, it does not read the record');
SELECT throws_ok($$SELECT council.hearing_record(pg_temp.h('H1'), 'x')$$,
    'CP403', 'not_a_participant', 'R-NEW-3: ... nor write it');
SELECT lives_ok($$SELECT council.hearing_join(pg_temp.h('H1'))$$, 'R-NEW-3: the PPC joins');
SELECT is(council.hearing_record(pg_temp.h('H1'), 'the PPC: 1,200 people, names and account numbers'), 1,
    'R-NEW-3: the PPC writes the shared record');
SELECT pg_temp.as_('gsoc-h');
SELECT set_eq($$SELECT org_id || ':' || consent FROM council.incident_hearing_parties$$,
    ARRAY[pg_temp.o('tr-police') || ':consented', pg_temp.o('tr-fsa') || ':refused'],
    'R-NEW-3: the requesting authority sees every authority invited with the reporter''s answer');
SELECT is(council.hearing_record(pg_temp.h('H1'), 'NISC: entry through the VPN gateway'), 2,
    'R-NEW-3: so does NISC, in the same record');
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.hearing_record(pg_temp.h('H1'), 'x')$$,
    'CP403', 'not_a_participant', 'R-NEW-3: the reporter reads the record but does not write it');
RESET ROLE;
SELECT is(pg_temp.sees_hearing('H1', true),
    pg_temp.handlers_of('tr-bank', 'tr-gsoc', 'tr-police', '@coordinator'),
    'R-NEW-3: the record is shared among those who take part, the reporter and the coordinator only');
SELECT is((SELECT count(*)::int FROM council.notifications n JOIN pg_temp.t_people t ON t.person_id = n.person_id
           WHERE t.org = 'tr-fsa' AND n.dedupe LIKE 'hearing.%'), 0,
    'R-NEW-3: the refused authority is told nothing of the hearing');

-- Closing.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('police-h');
SELECT throws_ok($$SELECT council.hearing_close(pg_temp.h('H1'), 'held', NULL)$$,
    'CP403', 'only_the_requester', 'R-NEW-3: only the requesting authority closes the hearing');
SELECT pg_temp.as_('gsoc-h');
SELECT lives_ok($$SELECT council.hearing_close(pg_temp.h('H1'), 'held', 'held on site')$$,
    'R-NEW-3: NISC closes it as held');
SELECT throws_ok($$SELECT council.hearing_record(pg_temp.h('H1'), 'late')$$,
    'CP409', 'hearing_closed', 'R-NEW-3: a held hearing''s record is closed');

-- Declined: a voluntary hearing (seed 001).
INSERT INTO t_hear SELECT 'H2', council.hearing_request(pg_temp.r('B'), 'second', '',
    now() + interval '3 days', ARRAY[pg_temp.o('tr-police')]);
SELECT pg_temp.as_('bank-h');
SELECT lives_ok($$SELECT council.hearing_decline(pg_temp.h('H2'), 'not now')$$,
    'R-NEW-3: the reporter declines a hearing altogether');
SELECT throws_ok($$SELECT council.hearing_consent(pg_temp.h('H2'), '{}')$$,
    'CP409', 'hearing_closed', 'R-NEW-3: ... for good');
SELECT pg_temp.as_('police-h');
SELECT is((SELECT count(*)::int FROM council.incident_hearings WHERE id = pg_temp.h('H2')), 0,
    'R-NEW-3: the authority invited to a declined hearing never sees it');
SELECT pg_temp.nobody();
SELECT is(pg_temp.counts(), 0, 'without a session: nothing');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
