-- tests/sql/40_incident_groups.sql: per-incident groups (issue 13 item
-- 10; R-NEW-2, R-NEW-3, R-SCOPE-4; policy/88_incident_groups.sql;
-- docs/incidents.md "Per-incident groups"): only an authority the report
-- was delivered to, or the coordinator, opens one; its first members are
-- the owner and the reporter; every other member is proposed by the owner
-- and added only when the reporter consents, the reporter alone deciding;
-- an organisation pending or refused is no member and does not see a post
-- scoped to the group, and sees it at once when granted; adding directly
-- through group_set_member is refused; nobody outside sees the group, its
-- proposals or its report.  Same fixtures as 10_sharing_rules.sql.
-- Rolled back.
BEGIN;
SELECT plan(47);
\ir fixtures/sharing.psql

-- The authorities, as in 34_incidents.sql: the basic policy's is
-- tr-gsoc, the PPC's tr-police.
DELETE FROM council.incident_authorities;
INSERT INTO council.incident_authorities (kind, org_id) VALUES
    ('government', pg_temp.o('tr-gsoc')), ('ppc', pg_temp.o('tr-police')),
    ('coordinator', pg_temp.o('@coordinator'));

-- Report A: tr-bank's, delivered to tr-gsoc and tr-police.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
CREATE TEMP TABLE t_rep AS
SELECT 'A'::text AS k, council.incident_file('igrp A', now() - interval '1 hour', true, true, false,
    'finance', 'first_notice', '{}', ARRAY[pg_temp.o('tr-gsoc'), pg_temp.o('tr-police')]) AS id;
CREATE TEMP TABLE t_ig (k text PRIMARY KEY, id bigint NOT NULL);
RESET ROLE;
GRANT SELECT ON t_rep TO PUBLIC;
GRANT SELECT, INSERT ON t_ig TO PUBLIC;
CREATE FUNCTION pg_temp.r(k text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_rep WHERE t_rep.k = r.k $$;
CREATE FUNCTION pg_temp.ig(k text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_ig WHERE t_ig.k = ig.k $$;
-- Who sees group k, person by person (the group's row, by id).
CREATE FUNCTION pg_temp.sees_group(gk text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        IF EXISTS (SELECT 1 FROM council.groups WHERE id = pg_temp.ig(gk)) THEN
            r := r || t.k;
        END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
CREATE FUNCTION pg_temp.handlers_of(VARIADIC orgs text[]) RETURNS text[] LANGUAGE sql STABLE
AS $$ SELECT array_agg(k ORDER BY k) FROM pg_temp.t_people WHERE handler = 'open' AND org = ANY (orgs) $$;
-- Every row about group k the caller counts: the group, its members, its
-- report's link, its proposals.
CREATE FUNCTION pg_temp.counts(gk text) RETURNS integer LANGUAGE sql STABLE
AS $$ SELECT (SELECT count(*)::int FROM council.groups WHERE id = pg_temp.ig(gk))
           + (SELECT count(*)::int FROM council.group_members WHERE group_id = pg_temp.ig(gk))
           + (SELECT count(*)::int FROM council.incident_groups)
           + (SELECT count(*)::int FROM council.incident_group_proposals) $$;
-- Group k's members, by slug, as the superuser.
CREATE FUNCTION pg_temp.members(gk text) RETURNS text[] LANGUAGE sql STABLE
AS $$ SELECT coalesce(array_agg(o.slug ORDER BY o.slug), '{}')
      FROM council.group_members m JOIN pg_temp.t_orgs o ON o.id = m.org_id
      WHERE m.group_id = pg_temp.ig(gk) $$;

SET LOCAL ROLE council_app;

-- Opening (R-NEW-2: an authority or the coordinator opens it from a report).
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.incident_group_open(pg_temp.r('A'), 'igrp-x', 'x', 'x')$$,
    'CP403', 'only_authorities_open_groups',
    'R-NEW-2: the reporter does not open a per-incident group itself');
SELECT pg_temp.as_('fsa-h');
SELECT throws_ok($$SELECT council.incident_group_open(pg_temp.r('A'), 'igrp-x', 'x', 'x')$$,
    'CP404', 'incident_not_found',
    'R-NEW-3: an authority the report was not delivered to finds no report to open a group from');
SELECT pg_temp.as_('v1-h');
SELECT throws_ok($$SELECT council.incident_group_open(pg_temp.r('A'), 'igrp-x', 'x', 'x')$$,
    'CP404', 'incident_not_found', 'R-NEW-3: nor does another member');
SELECT pg_temp.as_('gsoc-h');
SELECT throws_ok($$SELECT council.incident_group_open(pg_temp.r('A'), 'Bad Slug', 'x', 'x')$$,
    'CP422', 'invalid_slug', 'a slug that is none is refused');
SELECT throws_ok($$SELECT council.incident_group_open(pg_temp.r('A'), 'igrp-x', '', 'x')$$,
    'CP422', 'invalid_name', 'an empty name is refused');
INSERT INTO t_ig SELECT 'G1', council.incident_group_open(pg_temp.r('A'), 'igrp-a-1', '事案A連携', 'Incident A');
SELECT is((SELECT kind::text FROM council.groups WHERE id = pg_temp.ig('G1')), 'incident',
    'R-NEW-2: an authority the report was delivered to (tr-gsoc) opens a per-incident group');
SELECT pg_temp.as_('coord-h');
INSERT INTO t_ig SELECT 'G2', council.incident_group_open(pg_temp.r('A'), 'igrp-a-2', '事案A調整', 'Incident A (coord)');
SELECT ok(pg_temp.ig('G2') IS NOT NULL, 'R-NEW-2: so does the coordinator');
RESET ROLE;
SELECT is(pg_temp.members('G1'), ARRAY['tr-bank', 'tr-gsoc'],
    'R-NEW-2: its first members are the owner and the reporter, without consent');
SELECT is(pg_temp.sees_group('G1'), pg_temp.handlers_of('tr-bank', 'tr-gsoc', '@coordinator'),
    'R-NEW-2: the owner, the reporter and the coordinator see it (handlers only); another authority of the report does not');

-- Adding directly is refused (R-SCOPE-4).
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('gsoc-h');
SELECT throws_ok($$SELECT council.group_set_member(pg_temp.ig('G1'), pg_temp.o('tr-power'), true)$$,
    'CP403', 'incident_group_needs_consent',
    'R-SCOPE-4: the owner cannot add a member to a per-incident group directly');
SELECT throws_ok($$SELECT council.group_set_member(pg_temp.ig('G1'), pg_temp.o('tr-bank'), false)$$,
    'CP409', 'reporter_stays', 'R-SCOPE-4: nor remove the reporter, whose consent governs the group');
SELECT pg_temp.as_('coord-h');
SELECT throws_ok($$SELECT council.group_create('igrp-y', 'y', 'y', 'incident')$$,
    'CP422', 'invalid_kind', 'a per-incident group is not made as a plain group, even by the coordinator');

-- Proposing.
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.incident_group_propose(pg_temp.ig('G1'), pg_temp.o('tr-power'))$$,
    'CP403', 'only_the_owner', 'R-SCOPE-4: the owner proposes members, not the reporter');
SELECT pg_temp.as_('police-h');
SELECT throws_ok($$SELECT council.incident_group_propose(pg_temp.ig('G1'), pg_temp.o('tr-power'))$$,
    'CP404', 'incident_group_not_found',
    'R-NEW-2: to another authority of the report the group answers like an absent id');
SELECT pg_temp.as_('gsoc-h');
SELECT throws_ok($$SELECT council.incident_group_propose(pg_temp.ig('G1'), -1)$$,
    'CP422', 'invalid_member', 'an organisation that does not exist is not proposed');
SELECT throws_ok($$SELECT council.incident_group_propose(pg_temp.ig('G1'), pg_temp.o('tr-bank'))$$,
    'CP409', 'already_member', 'a member is not proposed again');
SELECT lives_ok($$SELECT council.incident_group_propose(pg_temp.ig('G1'), pg_temp.o('tr-power'))$$,
    'R-SCOPE-4: the owner proposes tr-power');
SELECT lives_ok($$SELECT council.incident_group_propose(pg_temp.ig('G1'), pg_temp.o('tr-vendor1'))$$,
    'R-SCOPE-4: ... and tr-vendor1');
SELECT throws_ok($$SELECT council.incident_group_propose(pg_temp.ig('G1'), pg_temp.o('tr-power'))$$,
    'CP409', 'already_proposed', 'a pending proposal is not made twice');
SELECT ok(pg_temp.post('P1', 'gsoc-h', 'analysis', false,
    jsonb_build_array(jsonb_build_object('group', pg_temp.ig('G1')))) IS NOT NULL,
    'R-NEW-2: a member names the group as a scope');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM council.notifications n JOIN pg_temp.t_people t ON t.person_id = n.person_id
           WHERE t.k = 'bank-h' AND n.dedupe LIKE 'incident_group.proposed:' || pg_temp.ig('G1') || ':%'), 2,
    'R-SCOPE-4: the reporter is told of each proposal');
SELECT is((SELECT count(*)::int FROM council.notifications
           WHERE dedupe LIKE 'incident_group.%' AND (subject_ja ~ '事案A' OR subject_en ~ 'Incident A')), 0,
    '... by number, never by content');

-- Pending: no member, sees nothing.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('power-h');
SELECT is(pg_temp.counts('G1'), 0,
    'R-SCOPE-4: an organisation proposed but not granted counts nothing: no group, member, report or proposal');
SELECT is(pg_temp.sees('power-h', 'P1'), false,
    'R-NEW-2: ... and does not see a post scoped to the group');
SELECT is(pg_temp.err('power-h', $$SELECT council.incident_group(pg_temp.ig('G1'))$$),
          pg_temp.err('power-h', $$SELECT council.incident_group(pg_temp.ig('G1') + 100000)$$),
    'R-NEW-2: to it the group answers exactly like an absent id');

-- Deciding: the reporter alone.
SELECT pg_temp.as_('gsoc-h');
SELECT throws_ok($$SELECT council.incident_group_decide(pg_temp.ig('G1'), pg_temp.o('tr-power'), true)$$,
    'CP403', 'only_the_reporter', 'R-SCOPE-4: the owner does not consent for the reporter');
SELECT pg_temp.as_('coord-h');
SELECT throws_ok($$SELECT council.incident_group_decide(pg_temp.ig('G1'), pg_temp.o('tr-power'), true)$$,
    'CP403', 'only_the_reporter', 'R-SCOPE-4: nor does the coordinator');
SELECT pg_temp.as_('bank-n');
SELECT throws_ok($$SELECT council.incident_group_decide(pg_temp.ig('G1'), pg_temp.o('tr-power'), true)$$,
    'CP404', 'incident_group_not_found',
    'R-ORG-4: a person of the reporter who is no handler finds no group to decide on');
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.incident_group_decide(pg_temp.ig('G1'), pg_temp.o('tr-univ'), true)$$,
    'CP422', 'not_proposed', 'the reporter grants only an organisation proposed');
SELECT lives_ok($$SELECT council.incident_group_decide(pg_temp.ig('G1'), pg_temp.o('tr-power'), true)$$,
    'R-SCOPE-4: the reporter consents to tr-power');
SELECT is(pg_temp.sees('power-h', 'P1'), true,
    'R-NEW-2: granted, tr-power is a member and sees the post scoped to the group at once');
SELECT pg_temp.as_('bank-h');
SELECT lives_ok($$SELECT council.incident_group_decide(pg_temp.ig('G1'), pg_temp.o('tr-vendor1'), false)$$,
    'R-SCOPE-4: the reporter refuses tr-vendor1');
SELECT throws_ok($$SELECT council.incident_group_decide(pg_temp.ig('G1'), pg_temp.o('tr-vendor1'), true)$$,
    'CP409', 'already_decided', 'R-SCOPE-4: a refusal is final');
SELECT pg_temp.as_('gsoc-h');
SELECT throws_ok($$SELECT council.incident_group_propose(pg_temp.ig('G1'), pg_temp.o('tr-vendor1'))$$,
    'CP409', 'proposal_refused', 'R-SCOPE-4: ... the owner cannot propose it again');
SELECT is(pg_temp.sees('v1-h', 'P1'), false, 'R-NEW-2: the refused organisation does not see the post');
RESET ROLE;
SELECT is(pg_temp.members('G1'), ARRAY['tr-bank', 'tr-gsoc', 'tr-power'],
    'R-NEW-2: the members: the owner, the reporter and the one granted');
SELECT is(pg_temp.sees_group('G1'), pg_temp.handlers_of('tr-bank', 'tr-gsoc', 'tr-power', '@coordinator'),
    'R-NEW-2: members see the groups they are in; the refused and other authorities do not');
SELECT is((SELECT count(*)::int FROM council.notifications n JOIN pg_temp.t_people t ON t.person_id = n.person_id
           WHERE t.org = 'tr-vendor1' AND n.dedupe LIKE 'incident_group.%'), 0,
    'R-SCOPE-4: the refused organisation is told nothing');

-- What a member that is no principal sees.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('power-h');
SELECT set_eq($$SELECT org_id || ':' || status FROM council.incident_group_proposals$$,
    ARRAY[pg_temp.o('tr-power') || ':granted'],
    'R-SCOPE-4: a member sees the proposals granted, not whom the reporter refused');
SELECT is((SELECT count(*)::int FROM council.incident_groups)
          + coalesce((council.incident_group(pg_temp.ig('G1'))->>'report')::int, 0), 0,
    'R-NEW-3: a member added with consent does not learn the report''s number');
SELECT pg_temp.as_('gsoc-h');
SELECT set_eq($$SELECT org_id || ':' || status FROM council.incident_group_proposals
                WHERE group_id = pg_temp.ig('G1')$$,
    ARRAY[pg_temp.o('tr-power') || ':granted', pg_temp.o('tr-vendor1') || ':refused'],
    'R-SCOPE-4: the owner sees every proposal with the reporter''s answer');

-- Removal by the owner takes effect at once.
SELECT lives_ok($$SELECT council.group_set_member(pg_temp.ig('G1'), pg_temp.o('tr-power'), false)$$,
    'R-NEW-2: the owner removes tr-power');
SELECT is(pg_temp.sees('power-h', 'P1'), false, 'R-NEW-2: ... which no longer sees the post, at once');
SELECT pg_temp.as_('gsoc-h');
SELECT lives_ok($$SELECT council.incident_group_propose(pg_temp.ig('G1'), pg_temp.o('tr-power'))$$,
    'R-SCOPE-4: proposed again after its removal ...');
SELECT is(pg_temp.sees('power-h', 'P1'), false,
    'R-SCOPE-4: ... it waits for the reporter''s consent anew, and sees nothing meanwhile');

-- Outsiders.
SELECT pg_temp.as_('police-h');
SELECT is(pg_temp.counts('G1'), 0, 'R-NEW-2: another authority of the report counts nothing of the group');
SELECT pg_temp.nobody();
SELECT is(pg_temp.counts('G1'), 0, 'without a session: nothing');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
