-- tests/sql/21_assembly.sql: the virtual general assembly
-- (policy/71_assembly.sql, issue 5; R-GOV-1..4, R-GOV-8): convening and
-- the agenda, notices, representatives, attendance and proxies (one hop,
-- revocable until a poll opens, overridden by the principal), quorum at
-- exactly half and half + 1, frozen at open and at close, votes changed
-- and votes too late, the collective veto, receipts, reminders, minutes,
-- who sees the proceedings and the audit trail.  Its own small council:
-- ten member organisations (every other organisation is set aside), so a
-- majority of all is 6.  Everything is rolled back.
BEGIN;
SELECT plan(160);

-- Fixtures (as the superuser, no RLS). -----------------------------------------
-- The secretariat body (the demo's NISC, or one made here) and nine
-- members ga-a .. ga-i; ga-gone left the council.
INSERT INTO council.organisations (slug, name_ja, name_en, category, council_role, status)
VALUES ('tr-secretariat', 'x', 'x', 'national_agency', 'secretariat', 'member')
ON CONFLICT DO NOTHING;
INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
SELECT 'ga-' || c, '総会テスト' || c, 'GA test ' || c, 'other', 'member'
FROM unnest(ARRAY['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'gone']) c;
CREATE TEMP TABLE t_orgs (slug text PRIMARY KEY, id bigint NOT NULL);
INSERT INTO t_orgs SELECT slug, id FROM council.organisations WHERE slug LIKE 'ga-%';
INSERT INTO t_orgs SELECT '@sec', id FROM council.organisations WHERE council_role = 'secretariat';
-- Everybody else is set aside for this test: ten members in all.
UPDATE council.organisations SET status = 'withdrawn'
WHERE status = 'member' AND slug NOT LIKE 'ga-%' AND council_role IS DISTINCT FROM 'secretariat';

-- People: one administrator per organisation (who acts for it by
-- default), a non-administrator of ga-a, the chair (ga-a), two committee
-- members (ga-b, ga-c) and a secretariat person.
CREATE TEMP TABLE t_people (k text PRIMARY KEY, org text NOT NULL, admin boolean NOT NULL,
                            person_id bigint);
INSERT INTO t_people (k, org, admin)
SELECT c, 'ga-' || c, true FROM unnest(ARRAY['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'gone']) c;
INSERT INTO t_people (k, org, admin) VALUES
    ('a-n', 'ga-a', false), ('chair', 'ga-a', false), ('cm-b', 'ga-b', false),
    ('cm-c', 'ga-c', false), ('sec', '@sec', true);
INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin)
SELECT o.id, t.k, t.k, t.k || '@ga-test.example.jp', t.admin
FROM t_people t JOIN t_orgs o ON o.slug = t.org;
UPDATE t_people t SET person_id = p.id FROM council.people p
WHERE p.email = t.k || '@ga-test.example.jp';
INSERT INTO council.sessions (token_hash, person_id, expires_at)
SELECT sha256(convert_to('ga-tok-' || k, 'UTF8')), person_id, now() + interval '1 hour'
FROM t_people;
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'ga-gone';
-- The steering committee: the chair (ga-a), cm-b (ga-b), cm-c (ga-c).
DELETE FROM council.committee_members;
INSERT INTO council.committee_members (person_id, is_chair)
SELECT person_id, k = 'chair' FROM t_people WHERE k IN ('chair', 'cm-b', 'cm-c');

-- Texts: the Rules and the regulation (the general assembly's), Annex 1
-- (the committee's).
INSERT INTO council.documents (slug, title_ja, title_en, owner) VALUES
    ('ga-test-rules', '規約', 'Rules', 'general_assembly'),
    ('ga-test-reg', '情報管理規程', 'Regulation', 'general_assembly'),
    ('ga-test-annex', '別表1', 'Annex 1', 'steering_committee');
INSERT INTO council.document_versions (document_id, version, body)
SELECT id, 1, slug || ' v1' FROM council.documents
WHERE slug IN ('ga-test-rules', 'ga-test-reg', 'ga-test-annex');
CREATE TEMP TABLE t_docs AS SELECT slug, id FROM council.documents
WHERE slug IN ('ga-test-rules', 'ga-test-reg', 'ga-test-annex');

-- Steering-committee resolutions (migration 0012): a passed referral, and
-- a referral still in draft.
INSERT INTO council.sc_motions (kind, title, status, created_by, rule_id, opened_by, opened_at,
    closes_at, quorum_open, closed_at, result, effect, chair_window_ends)
SELECT 'referral', 'ga test passed referral', 'passed', p.person_id,
       (SELECT id FROM council.decision_rules WHERE code = 'sc.ordinary' AND version = 1),
       p.person_id, now(), now(), '{}', now(), '{}', '{}', now()
FROM t_people p WHERE p.k = 'chair';
INSERT INTO council.sc_motions (kind, title, created_by)
SELECT 'referral', 'ga test draft referral', person_id FROM t_people WHERE k = 'chair';
CREATE TEMP TABLE t_motions AS
SELECT CASE WHEN status = 'passed' THEN 'passed' ELSE 'draft' END AS k, id
FROM council.sc_motions WHERE title LIKE 'ga test %';

CREATE TEMP TABLE t_ga (k text PRIMARY KEY, id bigint NOT NULL);
CREATE TEMP TABLE t_receipts (k text PRIMARY KEY, receipt text NOT NULL);
GRANT SELECT ON t_orgs, t_people, t_docs, t_motions TO council_app;
GRANT SELECT, INSERT ON t_ga, t_receipts TO council_app;

-- Helpers. ----------------------------------------------------------------------
CREATE FUNCTION pg_temp.as_(who text) RETURNS void LANGUAGE sql
AS $$ SELECT set_config('council.session',
          encode(sha256(convert_to('ga-tok-' || who, 'UTF8')), 'hex'), true) $$;
CREATE FUNCTION pg_temp.nobody() RETURNS void LANGUAGE sql
AS $$ SELECT set_config('council.session', '', true) $$;
CREATE FUNCTION pg_temp.o(s text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_orgs WHERE slug = s $$;
CREATE FUNCTION pg_temp.doc(s text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_docs WHERE slug = s $$;
CREATE FUNCTION pg_temp.motion(s text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_motions WHERE k = s $$;
CREATE FUNCTION pg_temp.ga(s text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_ga WHERE k = s $$;
-- Item at position pos of assembly A1 (read as the superuser).
CREATE FUNCTION pg_temp.it(pos integer) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT id FROM council.ga_items WHERE assembly_id = pg_temp.ga('A1') AND position = pos $$;
-- Run q as person `who`; 'no error' or 'SQLSTATE message'.
CREATE FUNCTION pg_temp.err(who text, q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- Run q as person `who`; its first column as text, or the error.
CREATE FUNCTION pg_temp.val(who text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    PERFORM pg_temp.as_(who);
    EXECUTE q INTO r;
    RETURN coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.attend(VARIADIC who text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE k text;
BEGIN
    FOREACH k IN ARRAY who LOOP
        PERFORM pg_temp.as_(k);
        PERFORM council.ga_attend(pg_temp.ga('A1'));
    END LOOP;
END $$;
CREATE FUNCTION pg_temp.leave(VARIADIC who text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE k text;
BEGIN
    FOREACH k IN ARRAY who LOOP
        PERFORM pg_temp.as_(k);
        PERFORM council.ga_leave(pg_temp.ga('A1'));
    END LOOP;
END $$;
-- `who` votes `choice` on item pos of A1 (for its own organisation); the
-- receipt is kept as "who:pos:version".
CREATE FUNCTION pg_temp.vote(pos integer, choice text, VARIADIC who text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE k text; r jsonb;
BEGIN
    FOREACH k IN ARRAY who LOOP
        PERFORM pg_temp.as_(k);
        r := council.ga_vote(pg_temp.it(pos), choice);
        INSERT INTO pg_temp.t_receipts VALUES (k || ':' || pos || ':' || (r->>'version'),
                                               r->>'receipt');
    END LOOP;
END $$;
CREATE FUNCTION pg_temp.rc(k text) RETURNS text LANGUAGE sql STABLE
AS $$ SELECT receipt FROM pg_temp.t_receipts WHERE t_receipts.k = rc.k $$;
-- The salt of organisation `slug`'s ballot on item pos of A1, and every
-- salt of the item as "org:salt,..." (hex; as the superuser: no member
-- reads council.ga_ballot_salts).
CREATE FUNCTION pg_temp.salt(pos integer, slug text) RETURNS text LANGUAGE sql STABLE
SECURITY DEFINER AS $$ SELECT encode(salt, 'hex') FROM council.ga_ballot_salts
      WHERE item_id = pg_temp.it(pos) AND org_id = pg_temp.o(slug) $$;
CREATE FUNCTION pg_temp.salts(pos integer) RETURNS text LANGUAGE sql STABLE
SECURITY DEFINER AS $$ SELECT string_agg(org_id || ':' || encode(salt, 'hex'), ',' ORDER BY org_id)
      FROM council.ga_ballot_salts WHERE item_id = pg_temp.it(pos) $$;
-- The chair opens item pos for an hour.
CREATE FUNCTION pg_temp.open(pos integer) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_('chair');
    RETURN council.ga_open_poll(pg_temp.it(pos), now() + interval '1 hour');
END $$;
-- Its closing time comes (as the superuser: time passes).
CREATE FUNCTION pg_temp.due(pos integer) RETURNS void LANGUAGE sql SECURITY DEFINER
AS $$ UPDATE council.ga_items SET closes_at = now() - interval '1 second'
      WHERE id = pg_temp.it(pos) $$;
-- The poll as member `who` reads it (which closes it when due).
CREATE FUNCTION pg_temp.poll(who text, pos integer) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN council.ga_poll(pg_temp.it(pos));
END $$;
-- The stored result of item pos (as the superuser).
CREATE FUNCTION pg_temp.res(pos integer) RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT result FROM council.ga_items WHERE id = pg_temp.it(pos) $$;
CREATE FUNCTION pg_temp.status(pos integer) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT status::text FROM council.ga_items WHERE id = pg_temp.it(pos) $$;
CREATE FUNCTION pg_temp.slugs(j jsonb) RETURNS text LANGUAGE sql STABLE
AS $$ SELECT string_agg(t.slug, ',' ORDER BY t.slug) FROM jsonb_array_elements_text(j) e
      JOIN pg_temp.t_orgs t ON t.id = e::bigint $$;
-- The agenda of A1, as JSON.
CREATE FUNCTION pg_temp.agenda() RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_array(
        jsonb_build_object('kind', 'rule_amendment', 'title', '規約第10条の改正',
                           'document', pg_temp.doc('ga-test-rules'), 'text', 'ga-test-rules v2'),
        jsonb_build_object('kind', 'report', 'title', '活動報告'),
        jsonb_build_object('kind', 'referred_item', 'title', 'half',
                           'motion', pg_temp.motion('passed')),
        jsonb_build_object('kind', 'regulation_amendment', 'title', 'veto',
                           'document', pg_temp.doc('ga-test-reg'), 'text', 'ga-test-reg v2'),
        jsonb_build_object('kind', 'referred_item', 'title', 'no veto',
                           'motion', pg_temp.motion('passed')),
        jsonb_build_object('kind', 'referred_item', 'title', 'quorum lost',
                           'motion', pg_temp.motion('passed')),
        jsonb_build_object('kind', 'referred_item', 'title', 'veto, one absent',
                           'motion', pg_temp.motion('passed')),
        jsonb_build_object('kind', 'referred_item', 'title', 'never put',
                           'motion', pg_temp.motion('passed'))) $$;
-- A document's version v ("body adopted_by"), its newest version (as the superuser).
CREATE FUNCTION pg_temp.docv(s text, v integer) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT body || ' ' || coalesce(adopted_by::text, '-') FROM council.document_versions
      WHERE document_id = pg_temp.doc(s) AND version = v $$;
CREATE FUNCTION pg_temp.docmax(s text) RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT max(version) FROM council.document_versions WHERE document_id = pg_temp.doc(s) $$;
-- The audit rows of assembly a with action act (as the superuser).
CREATE FUNCTION pg_temp.audits(a bigint, act text) RETURNS bigint LANGUAGE sql STABLE
SECURITY DEFINER AS $$
    SELECT count(*) FROM council.audit_log
    WHERE object_type = 'ga_assembly' AND object_id = a AND action = act $$;

-- The secretariat body's acting people (the demo's NISC has its own).
CREATE TEMP TABLE t_sec_admins AS
SELECT count(*)::int AS n FROM council.people p JOIN t_orgs o ON o.id = p.org_id
WHERE o.slug = '@sec' AND p.is_org_admin AND p.active AND p.notify_governance;
GRANT SELECT ON t_sec_admins TO council_app;

SET LOCAL ROLE council_app;

-- R-GOV-1, R-GOV-2: convening. ------------------------------------------------------
SELECT is(pg_temp.err('d', format($$SELECT council.ga_convene('ordinary', 't', now(), %L)$$,
          pg_temp.agenda())), 'CP403 not_chair',
          'R-GOV-2: a member who is not the chair cannot convene the general assembly');
SELECT is(pg_temp.err('cm-b', format($$SELECT council.ga_convene('ordinary', 't', now(), %L)$$,
          pg_temp.agenda())), 'CP403 not_chair',
          'R-GOV-2: nor can a committee member who is not the chair');
SELECT is(pg_temp.err('chair', format($$SELECT council.ga_convene('extraordinary', 't', now(), %L)$$,
          pg_temp.agenda())), 'CP422 committee_decision_required',
          'R-GOV-1: an extraordinary session needs the steering committee''s decision');
SELECT is(pg_temp.err('chair', format($$SELECT council.ga_convene('extraordinary', 't', now(), %L, %s)$$,
          pg_temp.agenda(), pg_temp.motion('draft'))), 'CP422 committee_decision_required',
          'R-GOV-1: ... a motion not (yet) passed is not a decision');
SELECT is(pg_temp.err('chair', $$SELECT council.ga_convene('ordinary', 't', now(),
          '[{"kind": "election", "title": "x"}]')$$), 'CP422 invalid_item_kind',
          'R-GOV-1: the agenda takes only amendments, reports and referred items');
SELECT is(pg_temp.err('chair', format($$SELECT council.ga_convene('ordinary', 't', now(),
          '[{"kind": "rule_amendment", "title": "x", "document": %s, "text": "new"}]')$$,
          pg_temp.doc('ga-test-annex'))), 'CP422 document_not_owned',
          'R-GOV-1: Annex 1 is the committee''s, not the general assembly''s, to amend');
SELECT is(pg_temp.err('chair', format($$SELECT council.ga_convene('ordinary', 't', now(),
          '[{"kind": "rule_amendment", "title": "x", "document": %s, "text": "ga-test-rules v1"}]')$$,
          pg_temp.doc('ga-test-rules'))), 'CP422 text_unchanged',
          'an amendment must change the text');
SELECT is(pg_temp.err('chair', $$SELECT council.ga_convene('ordinary', 't', now(),
          '[{"kind": "referred_item", "title": "x"}]')$$), 'CP422 committee_decision_required',
          'R-GOV-1: a referred item names the committee''s referral');
SELECT is(pg_temp.err('chair', $$SELECT council.ga_convene('ordinary', 't', now(), '[]')$$),
          'CP422 invalid_agenda', 'an empty agenda is refused');
SELECT is(pg_temp.err('chair', $$SELECT council.ga_convene('ordinary', E'a\x07b', now(),
          '[{"kind": "report", "title": "x"}]')$$), 'CP422 control_characters',
          'control characters in a title are refused');
SELECT is(pg_temp.err('chair', $$SELECT council.ga_convene('ordinary', 't', now() - interval '1 day',
          '[{"kind": "report", "title": "x"}]')$$), 'CP422 invalid_starts_at',
          'a session cannot start in the past');

INSERT INTO t_ga SELECT 'A1', pg_temp.val('chair', format(
    $$SELECT council.ga_convene('ordinary', '2026年度 通常総会', now(), %L)$$, pg_temp.agenda()))::bigint;
SELECT is(pg_temp.val('d', format('SELECT count(*) FROM council.ga_items WHERE assembly_id = %s',
          pg_temp.ga('A1'))), '8', 'R-GOV-2: the chair convenes an ordinary session with its agenda');
SELECT is(pg_temp.val('d', format('SELECT string_agg(t.slug, '','' ORDER BY t.slug) FROM council.ga_notices n
          JOIN pg_temp.t_orgs t ON t.id = n.org_id WHERE n.assembly_id = %s', pg_temp.ga('A1'))),
          '@sec,ga-a,ga-b,ga-c,ga-d,ga-e,ga-f,ga-g,ga-h,ga-i',
          'R-GOV-2: a notice to every member organisation (and none to one that left)');
SELECT is(pg_temp.audits(pg_temp.ga('A1'), 'ga.notice'), 10::bigint,
          'each notice is an audit row');
SELECT is(pg_temp.val('d', $$SELECT string_agg(x->>'kind' || ' ' || (x->>'link'), ',')
          FROM json_array_elements(council.my_notifications()->'notifications') x$$),
          'ga.notice /assemblies/' || pg_temp.ga('A1'),
          'R-GOV-2: the notice reaches the administrator who acts for each member, on the portal');
SELECT is(pg_temp.val('a-n', $$SELECT council.my_notifications()->>'unread'$$), '0',
          '... not a colleague who does not act for it');
SELECT is(pg_temp.val('d', 'SELECT count(*) FROM council.notifications'), '1',
          'a person reads only their own notifications');
INSERT INTO t_ga SELECT 'A2', pg_temp.val('sec', format(
    $$SELECT council.ga_convene('extraordinary', '臨時総会', now() + interval '1 day',
      '[{"kind": "referred_item", "title": "referred", "motion": %s}]', %s)$$,
    pg_temp.motion('passed'), pg_temp.motion('passed')))::bigint;
SELECT ok(pg_temp.ga('A2') IS NOT NULL,
          'R-GOV-1, R-ORG-5: the secretariat convenes an extraordinary session for the chair on the committee''s decision');
SELECT is(pg_temp.err('d', format('SELECT council.ga_attend(%s)', pg_temp.ga('A2'))),
          'CP409 not_started', 'nobody attends before the session starts');

-- R-GOV-8: members only. ----------------------------------------------------------
SELECT is(pg_temp.val('gone', 'SELECT count(*) FROM council.ga_assemblies'), '0',
          'R-GOV-8: a member that left sees no assembly');
SELECT is(pg_temp.err('gone', format('SELECT council.ga_minutes(%s)', pg_temp.ga('A1'))),
          'CP401 not_signed_in', 'R-GOV-8: ... and gets no minutes');
SELECT pg_temp.nobody();
SELECT is((SELECT count(*) FROM council.ga_items), 0::bigint,
          'R-GOV-8: without a session, no agenda item is visible');
SELECT is(pg_temp.val('i', format('SELECT count(*) FROM council.ga_items WHERE assembly_id = %s',
          pg_temp.ga('A2'))), '1', 'R-GOV-8: every member organisation''s people see the proceedings');
SELECT is(has_table_privilege('council_app', 'council.ga_ballot_salts', 'SELECT'), false,
          'council_app cannot read the receipts'' salts');

-- R-GOV-3: representatives and attendance. -----------------------------------------
SELECT is(pg_temp.err('a-n', format('SELECT council.ga_attend(%s)', pg_temp.ga('A1'))),
          'CP403 not_representative', 'R-GOV-3: a person who does not represent the member cannot register it');
SELECT is(pg_temp.err('a', format('SELECT council.ga_designate(%s, %s)', pg_temp.ga('A1'),
          (SELECT person_id FROM t_people WHERE k = 'b'))), 'CP404 person_not_found',
          'a representative from another organisation is refused like an unknown person');
SELECT is(pg_temp.err('a-n', format('SELECT council.ga_designate(%s, %s)', pg_temp.ga('A1'),
          (SELECT person_id FROM t_people WHERE k = 'a-n'))), 'CP403 not_org_admin',
          'only the organisation''s administrator designates its representative');
SELECT is(pg_temp.err('a', format('SELECT council.ga_designate(%s, %s)', pg_temp.ga('A1'),
          (SELECT person_id FROM t_people WHERE k = 'a-n'))), 'no error',
          'R-GOV-3: the administrator designates a representative for the assembly');
SELECT is(pg_temp.err('a', format('SELECT council.ga_attend(%s)', pg_temp.ga('A1'))),
          'CP403 not_representative', '... who then acts for it, not the administrator');
SELECT is(pg_temp.val('b', 'SELECT count(*) FROM council.ga_representatives')
          || pg_temp.val('a', 'SELECT count(*) FROM council.ga_representatives'), '01',
          'whom an organisation designated is seen by that organisation only');
SELECT pg_temp.attend('a-n', 'b', 'c', 'd', 'e');
SELECT is(pg_temp.val('a-n', format('SELECT council.ga_attend(%s)', pg_temp.ga('A1'))), 'false',
          'attending twice changes nothing');

-- R-GOV-3: quorum at exactly half and at half + 1. -----------------------------
SELECT is((pg_temp.poll('d', 1)->>'attending')::int, 5, 'five of ten members are present');
SELECT is(pg_temp.err('chair', format($$SELECT council.ga_open_poll(%s, now() + interval '1 hour')$$,
          pg_temp.it(1))), 'CP409 no_quorum',
          'R-GOV-3: exactly half of all members (5 of 10) is no quorum: the poll cannot open');

-- Proxies: one hop only. ------------------------------------------------------------
SELECT is(pg_temp.err('f', format('SELECT council.ga_give_proxy(%s, %s)', pg_temp.ga('A1'),
          pg_temp.o('ga-f'))), 'CP422 proxy_to_self', 'a member cannot give its proxy to itself');
SELECT is(pg_temp.err('f', format('SELECT council.ga_give_proxy(%s, %s)', pg_temp.ga('A1'),
          pg_temp.o('ga-gone'))), 'CP404 holder_not_found',
          'a proxy to an organisation that left is refused like one to an unknown organisation');
SELECT is(pg_temp.err('f', format('SELECT council.ga_give_proxy(%s, %s)', pg_temp.ga('A1'),
          pg_temp.o('ga-b'))), 'no error', 'R-GOV-3: ga-f gives its proxy (委任状) to ga-b');
SELECT is(pg_temp.err('f', format('SELECT council.ga_give_proxy(%s, %s)', pg_temp.ga('A1'),
          pg_temp.o('ga-c'))), 'CP409 proxy_exists', 'one proxy at a time');
SELECT is(pg_temp.err('g', format('SELECT council.ga_give_proxy(%s, %s)', pg_temp.ga('A1'),
          pg_temp.o('ga-f'))), 'CP409 proxy_chain',
          'one hop: a member that gave its proxy cannot hold one');
SELECT is(pg_temp.err('b', format('SELECT council.ga_give_proxy(%s, %s)', pg_temp.ga('A1'),
          pg_temp.o('ga-c'))), 'CP409 proxy_chain',
          'one hop: a member holding a proxy cannot give its own');
SELECT is(pg_temp.err('b', format('SELECT council.ga_give_proxy(%s)', pg_temp.ga('A1'))),
          'CP409 proxy_chain', '... not even to the chair');
SELECT is(pg_temp.poll('d', 1)->>'attending', '6', 'present or by proxy: 6 of 10');
SELECT is(pg_temp.open(1), '{"numerator": 6, "denominator": 10}'::jsonb,
          'R-GOV-3: half + 1 (6 of 10) is a quorum: the poll opens, the quorum frozen at 6/10');
SELECT is(pg_temp.audits(pg_temp.ga('A1'), 'ga.poll.open'), 1::bigint, 'the opening is an audit row');
SELECT is(pg_temp.err('chair', format($$SELECT council.ga_open_poll(%s, now() + interval '1 hour')$$,
          pg_temp.it(3))), 'CP409 poll_open', 'one poll at a time');
SELECT is(pg_temp.err('chair', format($$SELECT council.ga_open_poll(%s, now() + interval '1 hour')$$,
          pg_temp.it(2))), 'CP422 report_not_voted', 'R-GOV-1: a report is heard, not voted on');
SELECT is(pg_temp.err('f', format('SELECT council.ga_revoke_proxy(%s)', pg_temp.ga('A1'))),
          'CP409 poll_open', 'a proxy cannot be revoked once the poll has opened');

-- R-GOV-3: ballots. ----------------------------------------------------------------------
SELECT is(pg_temp.err('d', format($$SELECT council.ga_vote(%s, 'maybe')$$, pg_temp.it(1))),
          'CP422 invalid_choice', 'yes, no or abstain only');
SELECT is(pg_temp.err('g', format($$SELECT council.ga_vote(%s, 'yes')$$, pg_temp.it(1))),
          'CP409 not_present', 'a member neither present nor represented cannot vote');
SELECT is(pg_temp.err('c', format($$SELECT council.ga_vote(%s, 'yes', %s)$$, pg_temp.it(1),
          pg_temp.o('ga-f'))), 'CP403 no_proxy', 'only the holder of a proxy votes with it');
SELECT is(pg_temp.err('cm-b', format($$SELECT council.ga_vote(%s, 'yes')$$, pg_temp.it(1))),
          'CP403 not_representative', 'R-GOV-3: one vote per organisation, cast by its representative');
SELECT is(pg_temp.err('d', format($$SELECT council.ga_vote(%s, 'yes')$$, pg_temp.it(3))),
          'CP409 poll_not_open', 'no vote on an item whose poll has not opened');
SELECT pg_temp.vote(1, 'no', 'a-n');
SELECT pg_temp.vote(1, 'abstain', 'a-n');
SELECT pg_temp.vote(1, 'yes', 'a-n', 'b', 'c');
SELECT pg_temp.vote(1, 'no', 'd', 'e');
SELECT pg_temp.as_('b');
INSERT INTO t_receipts SELECT 'f:1:1', council.ga_vote(pg_temp.it(1), 'yes', pg_temp.o('ga-f'))->>'receipt';
SELECT is(pg_temp.val('d', format($$SELECT string_agg(choice::text, ',' ORDER BY version)
          FROM council.ga_ballots WHERE item_id = %s AND org_id = %s$$, pg_temp.it(1), pg_temp.o('ga-a'))),
          'NULL', 'R-GOV-8: before the close a member does not see another''s ballot');
SELECT is(pg_temp.val('a-n', format($$SELECT string_agg(choice::text, ',' ORDER BY version)
          FROM council.ga_ballots WHERE item_id = %s AND org_id = %s$$, pg_temp.it(1), pg_temp.o('ga-a'))),
          'no,abstain,yes', 'a vote changed twice before the close: every version kept');
SELECT is(pg_temp.val('b', format($$SELECT count(*) FROM council.ga_ballots WHERE item_id = %s$$,
          pg_temp.it(1))), '2', 'the proxy holder sees its own ballot and the one it cast for its principal');
SELECT is(pg_temp.err('a-n', format($$SELECT council.ga_verify_receipt(%s, %L)$$, pg_temp.it(1),
          pg_temp.rc('a-n:1:3'))), 'CP409 poll_not_closed', 'a receipt cannot be checked before the close');
SELECT is(pg_temp.audits(pg_temp.ga('A1'), 'ga.ballot'), 8::bigint, 'every ballot version is an audit row');
-- Receipts (issue 10): no salt anywhere before the close.
SELECT is(jsonb_build_array(pg_temp.poll('a-n', 1)->'mine' ? 'salt',
                            pg_temp.poll('a-n', 1)->'mine' ? 'receipt_text',
                            jsonb_typeof(pg_temp.poll('a-n', 1)->'salts')),
          '[false, false, "null"]'::jsonb,
          'before the close the poll shows neither the organisation''s salt nor the salts');
SELECT is(strpos(pg_temp.poll('a-n', 1)::text, pg_temp.salt(1, 'ga-a'))
          + strpos(pg_temp.poll('b', 1)::text, pg_temp.salt(1, 'ga-f'))
          + strpos(pg_temp.poll('b', 1)::text, pg_temp.salt(1, 'ga-b')), 0,
          '... not even in another field: neither the voter nor a proxy holder reads a salt');
SELECT is(pg_temp.val('sec', format($$SELECT count(*) FROM council.audit_log WHERE action = 'ga.ballot'
          AND detail ? 'choice'$$)), '0', 'the audit row commits to the receipt, not the choice');

-- Reminders (the chair or the secretariat).
SELECT is(pg_temp.val('chair', format($$SELECT string_agg(t.slug, ',' ORDER BY t.slug)
          FROM council.ga_reminders(%s) r JOIN pg_temp.t_orgs t ON t.id = r.org_id$$, pg_temp.it(1))),
          '@sec,ga-g,ga-h,ga-i', 'reminders: the members that neither voted nor gave a proxy');
SELECT is(pg_temp.err('d', format('SELECT council.ga_reminders(%s)', pg_temp.it(1))),
          'CP403 not_chair', 'only the chair or the secretariat lists them');
SELECT is(pg_temp.val('chair', format($$SELECT council.ga_send_reminders(%s) - 'item'$$, pg_temp.it(1))),
          format('{"auto": false, "people": %s, "organisations": 4}', 3 + (SELECT n FROM t_sec_admins)),
          'reminders are sent to the four that neither voted nor gave a proxy (one acting person each)');
SELECT is(pg_temp.val('g', $$SELECT (x->>'kind') || ' ' || (x->>'read') || ' ' || (x->>'subject_en' LIKE '%closes%JST%')
          FROM json_array_elements(council.my_notifications()->'notifications') x
          WHERE x->>'kind' = 'ga.reminder'$$),
          'ga.reminder false true', '... each reads an unread reminder that names the closing time in JST');
SELECT is(pg_temp.val('d', $$SELECT count(*) FROM json_array_elements(council.my_notifications()->'notifications') x
          WHERE x->>'kind' = 'ga.reminder'$$), '0', '... a member that voted is not reminded');
SELECT is(pg_temp.val('sec', format($$SELECT council.ga_send_reminders(%s)->>'people'$$, pg_temp.it(1))),
          '0', 'a second reminder within the hour tells nobody twice');
SELECT is(pg_temp.err('d', format('SELECT council.ga_send_reminders(%s)', pg_temp.it(1))),
          'CP403 not_chair', 'only the chair or the secretariat sends reminders');
SELECT is(pg_temp.val('sec', 'SELECT council.ga_remind_due()'), '0',
          'the server does not remind while the poll has more than a day and half its time left');
RESET ROLE;
UPDATE council.ga_items SET opened_at = now() - interval '3 days' WHERE id = pg_temp.it(1);
SET LOCAL ROLE council_app;
SELECT is(pg_temp.val('sec', 'SELECT council.ga_remind_due()') || pg_temp.val('sec', 'SELECT council.ga_remind_due()'),
          '10', 'once half its time has passed the server reminds, once per poll');
SELECT is(pg_temp.val('i', $$SELECT count(*) FROM json_array_elements(council.my_notifications()->'notifications') x
          WHERE x->>'kind' = 'ga.reminder'$$), '2', '... a second reminder, the server''s own');
SELECT is(pg_temp.val('i', 'SELECT council.notification_read(NULL)') || ' '
          || pg_temp.val('i', $$SELECT council.my_notifications()->>'unread'$$),
          '5 0', 'a person marks all read (two notices, the vote opened, two reminders)');
SELECT is(pg_temp.err('i', format('SELECT council.notification_read(%s)',
              pg_temp.val('g', $$SELECT min(id) FROM council.notifications$$))),
          pg_temp.err('i', 'SELECT council.notification_read(999999999)'),
          'another person''s notification is as absent as a missing one');
RESET ROLE;
UPDATE council.people SET email_digest = 'immediate' WHERE email = 'g@ga-test.example.jp';
UPDATE council.people SET email_digest = 'daily' WHERE email = 'h@ga-test.example.jp';
UPDATE council.notifications SET mailed_at = now()
WHERE person_id NOT IN (SELECT person_id FROM t_people WHERE k IN ('g', 'h'));
SET LOCAL ROLE council_app;
SELECT pg_temp.nobody();
CREATE TEMP TABLE t_mail AS SELECT * FROM council.mail_claim(100);
SELECT is((SELECT string_agg(email || ' ' || cardinality(ids), ',' ORDER BY email) FROM t_mail),
          'g@ga-test.example.jp 1,g@ga-test.example.jp 1,g@ga-test.example.jp 1,g@ga-test.example.jp 1,g@ga-test.example.jp 1',
          'e-mail: one per notification for "immediate"; "daily" waits for its hour');
SELECT is((SELECT count(*) FROM council.mail_claim(100)), 0::bigint, 'a claimed e-mail is not claimed twice');
SELECT council.mail_unclaim((SELECT array_agg(x) FROM t_mail, unnest(ids) x));
SELECT is((SELECT count(*) FROM council.mail_claim(100)), 5::bigint,
          'what the mailer could not write is given back and claimed again: nothing is lost');
SELECT is((SELECT string_agg(email || ' ' || cardinality(ids) || ' ' || subject, ',')
           FROM council.mail_claim(100, 0)), NULL,
          '"daily": nothing from after the day''s hour');
RESET ROLE;
UPDATE council.notifications SET created_at = now() - interval '2 days'
WHERE person_id = (SELECT person_id FROM t_people WHERE k = 'h');
SET LOCAL ROLE council_app;
SELECT is((SELECT email || ' ' || cardinality(ids) || ' '
                  || (body ~ '^[^\n]+\nhttps://portal\.example/assemblies/\d+\n\n'
                      AND body NOT LIKE '%' || E'\r' || '%')
           FROM council.mail_claim(100, 0, 'https://portal.example')),
          'h@ga-test.example.jp 5 true',
          '"daily": one digest of the earlier notifications, each a subject and a link, no content');

-- The principal attends: its proxy is overridden.
SELECT pg_temp.attend('f');
SELECT is(pg_temp.err('b', format($$SELECT council.ga_vote(%s, 'no', %s)$$, pg_temp.it(1),
          pg_temp.o('ga-f'))), 'CP409 proxy_overridden',
          'R-GOV-3: a proxy given, then the principal attends: the holder can no longer vote for it');
SELECT is(pg_temp.poll('d', 1)->>'by_proxy', '0', '... it counts as present, not by proxy');
SELECT is(pg_temp.poll('d', 1)->>'attending', '6', '... and is counted once');

-- The close, on the server at the set time. --------------------------------------
SELECT pg_temp.due(1);
SELECT is(pg_temp.status(1), 'open', 'a poll past its time is closed by the first read ...');
SELECT is(pg_temp.poll('i', 1)->>'status', 'closed', '... whoever reads it: lazily');
SELECT is(pg_temp.err('d', format($$SELECT council.ga_vote(%s, 'yes')$$, pg_temp.it(1))),
          'CP409 poll_closed', 'a vote after the close is refused');
SELECT is(pg_temp.res(1)->'quorum_open', '{"numerator": 6, "denominator": 10, "met": true}'::jsonb,
          'the result states the quorum frozen at the opening ...');
SELECT is(pg_temp.res(1)->'quorum_close', '{"numerator": 6, "denominator": 10, "met": true}'::jsonb,
          '... and again at the close');
SELECT is(jsonb_build_array(pg_temp.res(1)->'yes', pg_temp.res(1)->'no', pg_temp.res(1)->'abstain',
          pg_temp.res(1)->'pass'->'numerator', pg_temp.res(1)->'pass'->'denominator'),
          '[4, 2, 0, 4, 6]'::jsonb, 'R-GOV-4: 4 yes of 6 attending (the newest version counts)');
SELECT is(jsonb_build_array(pg_temp.res(1)->'rule_code', pg_temp.res(1)->'rule_version',
          pg_temp.res(1)->'passed', pg_temp.res(1)->'veto_triggered'),
          '["ga.resolution", 1, true, false]'::jsonb,
          'R-GOV-4: half + 1 of the attending (4 of 6) passes, under ga.resolution v1, no veto');
SELECT is(pg_temp.docv('ga-test-rules', 2),
          'ga-test-rules v2 ' || pg_temp.it(1),
          'the passed amendment is the Rules'' version 2, adopted by the item');
RESET ROLE;
SELECT is((SELECT count(*) FROM council.audit_log WHERE action = 'ga.count' AND object_id = pg_temp.ga('A1')
           AND person_id IS NULL AND org_id IS NULL), 1::bigint,
          'the server, not the reader who triggered it, closed the poll (audit row without a person)');
SET LOCAL ROLE council_app;

-- Receipts after the close.
SELECT is(pg_temp.val('a-n', format($$SELECT council.ga_verify_receipt(%s, %L)->>'choice'
          || ' ' || (council.ga_verify_receipt(%1$s, %2$L)->>'valid')
          || ' ' || (council.ga_verify_receipt(%1$s, %2$L)->>'counted')$$, pg_temp.it(1),
          pg_temp.rc('a-n:1:3'))), 'yes true true', 'the receipt of the last version verifies and counted');
SELECT is(pg_temp.val('a-n', format($$SELECT council.ga_verify_receipt(%s, %L)->>'choice'
          || ' ' || (council.ga_verify_receipt(%1$s, %2$L)->>'valid')
          || ' ' || (council.ga_verify_receipt(%1$s, %2$L)->>'counted')$$, pg_temp.it(1),
          pg_temp.rc('a-n:1:1'))), 'no true false', 'an earlier version''s receipt verifies, not counted');
SELECT is(pg_temp.val('a-n', format($$SELECT encode(sha256(convert_to(
          council.ga_receipt_text(%s, %s, 'yes', 3, decode(council.ga_verify_receipt(%1$s, %3$L)->>'salt', 'hex')),
          'UTF8')), 'hex')$$, pg_temp.it(1), pg_temp.o('ga-a'), pg_temp.rc('a-n:1:3'))),
          pg_temp.rc('a-n:1:3'), 'the member recomputes its receipt from the revealed salt');
-- Issue 10: the poll itself reveals the salts once closed.
SELECT is(pg_temp.poll('a-n', 1)->'mine'->>'salt', pg_temp.salt(1, 'ga-a'),
          'after the close the poll shows the organisation its salt');
SELECT is(pg_temp.poll('a-n', 1)->'mine'->>'receipt_text',
          format('council-ga|%s|%s|yes|3|%s', pg_temp.it(1), pg_temp.o('ga-a'), pg_temp.salt(1, 'ga-a')),
          '... and the text its newest receipt hashes: council-ga|item|organisation|choice|version|salt');
SELECT is(encode(sha256(convert_to(pg_temp.poll('a-n', 1)->'mine'->>'receipt_text', 'UTF8')), 'hex'),
          pg_temp.rc('a-n:1:3'), '... whose SHA-256 is the receipt the member kept');
SELECT is((SELECT string_agg((x->>'org') || ':' || (x->>'salt'), ',' ORDER BY (x->>'org')::bigint)
           FROM jsonb_array_elements(pg_temp.poll('d', 1)->'salts') x), pg_temp.salts(1),
          'every organisation that voted has its salt listed, for any member to read');
SELECT is(pg_temp.val('b', format($$SELECT encode(sha256(convert_to(council.ga_receipt_text(%s, %s, 'yes', 1,
          decode((SELECT x->>'salt' FROM jsonb_array_elements(council.ga_poll(%1$s)->'salts') x
                  WHERE (x->>'org')::bigint = %2$s), 'hex')), 'UTF8')), 'hex')$$,
          pg_temp.it(1), pg_temp.o('ga-f'))), pg_temp.rc('f:1:1'),
          'the proxy holder recomputes the receipt of the ballot it cast for its principal');
SELECT is(pg_temp.val('d', format($$SELECT council.ga_verify_receipt(%s, %L)->>'valid'$$,
          pg_temp.it(1), repeat('ab', 32))), 'false', 'an unknown receipt does not verify');
SELECT is(pg_temp.err('d', format($$SELECT council.ga_verify_receipt(%s, 'xyz')$$, pg_temp.it(1))),
          'CP422 invalid_receipt', 'a malformed receipt is refused');
SELECT is(pg_temp.val('d', format($$SELECT council.ga_verify_receipt(%s, %L)->>'capacity'$$,
          pg_temp.it(1), pg_temp.rc('f:1:1'))), 'proxy',
          'the ballot cast by the holder still stands for the principal that attended later');
SELECT is(pg_temp.val('d', format($$SELECT count(*) FROM council.ga_ballots WHERE item_id = %s$$,
          pg_temp.it(1))), '8', 'R-GOV-8: after the close every member sees the named ballots');

-- Exactly half yes fails. -------------------------------------------------------------
SELECT is(pg_temp.open(3)->>'numerator', '6', 'the next poll opens with 6 attending');
SELECT pg_temp.vote(3, 'yes', 'a-n', 'b', 'c');
SELECT pg_temp.vote(3, 'no', 'd', 'e', 'f');
SELECT pg_temp.due(3);
SELECT is(pg_temp.poll('d', 3)->'result'->'passed', 'false'::jsonb,
          'R-GOV-4: exactly half yes (3 of 6) is no majority: fails');
SELECT is(pg_temp.res(3)->>'reason', 'no_majority', '... for lack of a majority');
SELECT is(pg_temp.err('f', format('SELECT council.ga_revoke_proxy(%s)', pg_temp.ga('A1'))),
          'no error', 'between polls a proxy can be revoked');
SELECT is(pg_temp.err('f', format('SELECT council.ga_revoke_proxy(%s)', pg_temp.ga('A1'))),
          'CP409 no_proxy', '... once');

-- R-GOV-4: the collective veto. ------------------------------------------------------------
SELECT pg_temp.attend('g');
SELECT is(pg_temp.err('h', format('SELECT council.ga_give_proxy(%s)', pg_temp.ga('A1'))), 'no error',
          'R-GOV-3: ga-h gives its proxy to the chair');
SELECT is(pg_temp.open(4)->>'numerator', '8', '7 present and 1 by proxy to the chair');
SELECT pg_temp.vote(4, 'no', 'a-n', 'b', 'c');
SELECT pg_temp.vote(4, 'yes', 'd', 'e', 'f', 'g');
SELECT is(pg_temp.err('sec', format($$SELECT council.ga_vote(%s, 'yes', %s)$$, pg_temp.it(4),
          pg_temp.o('ga-h'))), 'CP403 no_proxy', 'only the chair votes with a proxy given to the chair');
SELECT is(pg_temp.val('chair', format($$SELECT council.ga_vote(%s, 'yes', %s)->>'version'$$,
          pg_temp.it(4), pg_temp.o('ga-h'))), '1', 'the chair votes for ga-h');
SELECT pg_temp.due(4);
SELECT is(pg_temp.poll('d', 4)->'result'->'pass'->>'met', 'true', 'a majority: 5 yes of 8 ...');
SELECT is(jsonb_build_array(pg_temp.res(4)->'veto_triggered', pg_temp.res(4)->'passed',
          pg_temp.res(4)->'reason'), '[true, false, "veto"]'::jsonb,
          'R-GOV-4: ... but every committee member''s organisation voted against: vetoed');
SELECT is(pg_temp.slugs(pg_temp.res(4)->'veto'->'committee') || ' / '
          || pg_temp.slugs(pg_temp.res(4)->'veto'->'against'), 'ga-a,ga-b,ga-c / ga-a,ga-b,ga-c',
          'the result names every committee member''s organisation and those that voted no');
SELECT is(pg_temp.docmax('ga-test-reg'), 1, 'a vetoed amendment changes nothing');

SELECT is(pg_temp.open(5)->>'numerator', '8', 'the next poll opens with 8 attending');
SELECT pg_temp.vote(5, 'no', 'a-n', 'b');
SELECT pg_temp.vote(5, 'yes', 'c', 'd', 'e', 'f', 'g');
-- ga-h attends, votes, leaves: its proxy to the chair applies again, and
-- the chair's ballot is its next version (found by tests/property).
SELECT pg_temp.attend('h');
SELECT pg_temp.vote(5, 'no', 'h');
SELECT pg_temp.leave('h');
SELECT is(pg_temp.val('chair', format($$SELECT council.ga_vote(%s, 'yes', %s)->>'version'$$,
          pg_temp.it(5), pg_temp.o('ga-h'))), '2',
          'a principal that voted, then left: the chair''s ballot for it is version 2');
SELECT pg_temp.due(5);
SELECT pg_temp.nobody();
SELECT is(council.gov_close_due(), 1, 'councild''s timer (gov_close_due, no session) closes a due poll');
SELECT is(jsonb_build_array(pg_temp.res(5)->'veto_triggered', pg_temp.res(5)->'passed'),
          '[false, true]'::jsonb, 'R-GOV-4: one committee organisation voted yes: no veto, passes');

-- R-GOV-4 (issue 10): "every committee member" is every one, not every one
-- attending: one absent committee member means no veto.
SELECT pg_temp.leave('c');
SELECT is(pg_temp.open(7)->>'numerator', '7', 'ga-c has left: 6 present, 1 by proxy');
SELECT pg_temp.vote(7, 'no', 'a-n', 'b');
SELECT pg_temp.vote(7, 'yes', 'd', 'e', 'f', 'g');
SELECT pg_temp.due(7);
SELECT is(pg_temp.poll('d', 7)->'result'->'veto'->'triggered', 'false'::jsonb,
          'R-GOV-4: one committee member absent, the two attending vote no: no veto');
SELECT is(pg_temp.slugs(pg_temp.res(7)->'veto'->'committee') || ' / '
          || pg_temp.slugs(pg_temp.res(7)->'veto'->'against') || ' / '
          || (pg_temp.res(7)->>'passed'), 'ga-a,ga-b,ga-c / ga-a,ga-b / true',
          '... the absent ga-c has no "no": the majority (4 of 7) passes it');

-- R-GOV-3: the quorum lost between the opening and the close.
SELECT is(pg_temp.open(6), '{"numerator": 7, "denominator": 10}'::jsonb, 'open with 7 of 10');
SELECT pg_temp.vote(6, 'yes', 'a-n', 'b', 'd');
SELECT pg_temp.leave('d', 'e', 'f', 'g');
SELECT is(pg_temp.err('chair', format('SELECT council.ga_close_assembly(%s)', pg_temp.ga('A1'))),
          'CP409 poll_open', 'the session cannot close while a poll is open');
SELECT pg_temp.due(6);
SELECT is(pg_temp.poll('d', 6)->'result'->'quorum_close',
          '{"numerator": 3, "denominator": 10, "met": false}'::jsonb,
          'R-GOV-3: the quorum lost by the close is recorded (3 of 10) ...');
SELECT is(pg_temp.res(6)->'quorum_open', '{"numerator": 7, "denominator": 10, "met": true}'::jsonb,
          '... next to the quorum at the opening');
SELECT is(jsonb_build_array(pg_temp.res(6)->'passed', pg_temp.res(6)->'reason', pg_temp.res(6)->'yes'),
          '[false, "no_quorum", 2]'::jsonb,
          'without a quorum at the close it does not pass; the ballot of a member that left does not count');

-- Closing the session; the minutes. -------------------------------------------------
SELECT is(pg_temp.err('d', format('SELECT council.ga_close_assembly(%s)', pg_temp.ga('A1'))),
          'CP403 not_chair', 'only the chair closes the session');
SELECT is(pg_temp.err('chair', format('SELECT council.ga_close_assembly(%s)', pg_temp.ga('A1'))),
          'no error', 'the chair closes it');
SELECT is(pg_temp.status(2) || ',' || pg_temp.status(8), 'heard,not_taken',
          'the report was heard; the item never put to the vote was not taken');
SELECT is(pg_temp.err('i', format('SELECT council.ga_attend(%s)', pg_temp.ga('A1'))),
          'CP409 assembly_closed', 'nobody attends a closed session');
SELECT is(pg_temp.err('i', format('SELECT council.ga_give_proxy(%s)', pg_temp.ga('A1'))),
          'CP409 assembly_closed', 'nor gives a proxy for it');

CREATE TEMP TABLE t_min AS SELECT pg_temp.val('i', format('SELECT council.ga_minutes(%s)',
    pg_temp.ga('A1')))::jsonb AS m;
SELECT is((SELECT m->'assembly'->>'status' FROM t_min), 'closed', 'the minutes (議事録) of the session');
SELECT is((SELECT jsonb_array_length(m->'notices') FROM t_min), 10, '... the notices');
SELECT is((SELECT jsonb_array_length(m->'attendance') FROM t_min), 8,
          '... the attendance register (every arrival, with departures)');
SELECT is((SELECT count(*) FROM t_min, jsonb_array_elements(m->'attendance') a
           WHERE a->>'left_at' IS NOT NULL), 6::bigint, '... six of them left');
SELECT is((SELECT string_agg(coalesce(t.slug, 'chair') || (CASE WHEN p->>'revoked_at' IS NULL THEN '' ELSE ' revoked' END),
                  ',' ORDER BY (p->>'id')::bigint)
           FROM t_min, jsonb_array_elements(m->'proxies') p
           LEFT JOIN t_orgs t ON t.id = (p->>'holder')::bigint), 'ga-b revoked,chair',
          '... the proxies');
SELECT is((SELECT string_agg((i->'result'->>'yes') || '/' || (i->'result'->>'attending') || ' '
                  || (i->'result'->>'passed'), ',' ORDER BY (i->>'position')::int)
           FROM t_min, jsonb_array_elements(m->'items') i WHERE i->'result' <> 'null'),
          '4/6 true,3/6 false,5/8 false,6/8 true,2/3 false,4/7 true', '... each item''s counts and result');
SELECT is((SELECT jsonb_array_length(i->'votes') FROM t_min, jsonb_array_elements(m->'items') i
           WHERE (i->>'position')::int = 4), 8, '... with the named votes counted');
SELECT is((SELECT count(*) FROM t_min, jsonb_array_elements(m->'events') e
           WHERE e->>'action' = 'ga.count'), 6::bigint, '... and the event log');
SELECT is((SELECT count(*) FROM t_min, jsonb_array_elements(m->'events') e
           WHERE e->>'action' = 'ga.ballot'), (SELECT count(*) FROM council.ga_ballots b
           JOIN council.ga_items i ON i.id = b.item_id WHERE i.assembly_id = pg_temp.ga('A1')),
          'every ballot is in the event log once its poll is closed');

-- An amendment whose document changed after the notice cannot be put to the vote.
INSERT INTO t_ga SELECT 'A3', pg_temp.val('chair', format(
    $$SELECT council.ga_convene('ordinary', 'third', now(),
      '[{"kind": "rule_amendment", "title": "x", "document": %s, "text": "ga-test-rules v3"}]')$$,
    pg_temp.doc('ga-test-rules')))::bigint;
RESET ROLE;
INSERT INTO council.document_versions (document_id, version, body)
VALUES (pg_temp.doc('ga-test-rules'), 3, 'changed meanwhile');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('chair', format($$SELECT council.ga_open_poll(%s, now() + interval '1 hour')$$,
          (SELECT id FROM council.ga_items WHERE assembly_id = pg_temp.ga('A3')))),
          'CP409 document_changed', 'an amendment of a text changed since the notice is not put to the vote');

-- The audit trail. ---------------------------------------------------------------------
RESET ROLE;
SELECT is((SELECT string_agg(action || ':' || n, ',' ORDER BY action) FROM (
              SELECT action, count(*) AS n FROM council.audit_log
              WHERE object_type = 'ga_assembly' AND object_id = pg_temp.ga('A1')
              AND action NOT IN ('ga.notice', 'ga.ballot') GROUP BY action) x),
          'ga.adopt:1,ga.attend:8,ga.close:1,ga.convene:1,ga.count:6,ga.designate:1,ga.leave:6,ga.poll.open:6,ga.proxy:2,ga.proxy.revoke:1',
          'every notice, attendance, designation, proxy, poll, count and chair action is an audit row');
SELECT is((SELECT count(*) FROM council.ga_ballots b JOIN council.ga_items i ON i.id = b.item_id
           WHERE i.assembly_id = pg_temp.ga('A1')),
          (SELECT count(*) FROM council.audit_log WHERE object_type = 'ga_assembly'
           AND object_id = pg_temp.ga('A1') AND action = 'ga.ballot'),
          'one audit row per ballot version');
SELECT is((SELECT count(*) FROM council.ga_tally t JOIN council.ga_items i ON i.id = t.item_id
           WHERE i.assembly_id = pg_temp.ga('A1') AND i.position = 6), 3::bigint,
          'the tally frozen at the close lists the 3 attending then');

-- Issue 10 (R-GOV-4, R-GOV-3): a fresh session A4 of the same council.
-- Its agenda: four referred items.  Nobody designated a representative,
-- so each organisation's administrator acts for it.
CREATE FUNCTION pg_temp.it4(pos integer) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT id FROM council.ga_items WHERE assembly_id = pg_temp.ga('A4') AND position = pos $$;
CREATE FUNCTION pg_temp.res4(pos integer) RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT result FROM council.ga_items WHERE id = pg_temp.it4(pos) $$;
CREATE FUNCTION pg_temp.due4(pos integer) RETURNS void LANGUAGE sql SECURITY DEFINER
AS $$ UPDATE council.ga_items SET closes_at = now() - interval '1 second' WHERE id = pg_temp.it4(pos) $$;
-- `act` (attend, leave) for each of `who` in A4.
CREATE FUNCTION pg_temp.act4(act text, VARIADIC who text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE k text;
BEGIN
    FOREACH k IN ARRAY who LOOP
        PERFORM pg_temp.as_(k);
        EXECUTE format('SELECT council.ga_%s(%s)', act, pg_temp.ga('A4'));
    END LOOP;
END $$;
CREATE FUNCTION pg_temp.vote4(pos integer, choice text, VARIADIC who text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE k text;
BEGIN
    FOREACH k IN ARRAY who LOOP
        PERFORM pg_temp.as_(k);
        PERFORM council.ga_vote(pg_temp.it4(pos), choice);
    END LOOP;
END $$;
CREATE FUNCTION pg_temp.open4(pos integer) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_('chair');
    RETURN council.ga_open_poll(pg_temp.it4(pos), now() + interval '1 hour')::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- "veto passed reason, committee / against" of a closed item of A4.
CREATE FUNCTION pg_temp.veto4(pos integer) RETURNS text LANGUAGE sql AS $$
    SELECT format('%s %s %s, %s / %s', r->'veto'->>'triggered', r->>'passed', r->>'reason',
                  pg_temp.slugs(r->'veto'->'committee'), coalesce(pg_temp.slugs(r->'veto'->'against'), '-'))
    FROM (SELECT pg_temp.res4(pos) AS r) x $$;

SET LOCAL ROLE council_app;
INSERT INTO t_ga SELECT 'A4', pg_temp.val('chair', format(
    $$SELECT council.ga_convene('ordinary', 'issue 10', now(), %L)$$,
    (SELECT jsonb_agg(jsonb_build_object('kind', 'referred_item', 'title', t,
                                         'motion', pg_temp.motion('passed')) ORDER BY n)
     FROM unnest(ARRAY['alone', 'abstains', 'by proxy', 'holder absent']) WITH ORDINALITY u(t, n))))::bigint;

-- R-GOV-4: one committee organisation attends alone and votes no.
SELECT pg_temp.act4('attend', 'a', 'd', 'e', 'f', 'g', 'h');
SELECT is(pg_temp.open4(1), '{"numerator": 6, "denominator": 10}', 'A4: 6 of 10 present, the poll opens');
SELECT pg_temp.vote4(1, 'no', 'a');
SELECT pg_temp.vote4(1, 'yes', 'd', 'e', 'f', 'g', 'h');
SELECT pg_temp.due4(1);
SELECT is(pg_temp.val('i', format('SELECT council.ga_poll(%s)->>''status''', pg_temp.it4(1)))
          || ' ' || pg_temp.veto4(1), 'closed false true passed, ga-a,ga-b,ga-c / ga-a',
          'R-GOV-4: one committee organisation attending alone and voting no is no veto (5 yes of 6 pass)');

-- R-GOV-4: every committee organisation attends; one abstains.
SELECT pg_temp.act4('attend', 'b', 'c');
SELECT is(pg_temp.open4(2), '{"numerator": 8, "denominator": 10}', 'A4: all three committee organisations present');
SELECT pg_temp.vote4(2, 'no', 'a', 'b');
SELECT pg_temp.vote4(2, 'abstain', 'c');
SELECT pg_temp.vote4(2, 'yes', 'd', 'e', 'f', 'g', 'h');
SELECT pg_temp.due4(2);
SELECT is(pg_temp.val('i', format('SELECT council.ga_poll(%s)->>''status''', pg_temp.it4(2)))
          || ' ' || pg_temp.veto4(2), 'closed false true passed, ga-a,ga-b,ga-c / ga-a,ga-b',
          'R-GOV-4: one committee organisation abstaining is no veto');

-- R-GOV-4: every committee organisation's "no", one of them by proxy.
SELECT pg_temp.act4('leave', 'c');
SELECT is(pg_temp.err('c', format('SELECT council.ga_give_proxy(%s)', pg_temp.ga('A4'))), 'no error',
          'ga-c (committee) leaves and gives its proxy to the chair');
SELECT is(pg_temp.open4(3), '{"numerator": 8, "denominator": 10}', 'A4: 7 present, 1 by proxy');
SELECT pg_temp.vote4(3, 'no', 'a', 'b');
SELECT is(pg_temp.val('chair', format($$SELECT council.ga_vote(%s, 'no', %s)->>'version'$$,
          pg_temp.it4(3), pg_temp.o('ga-c'))), '1', 'the chair casts ga-c''s "no" with its proxy');
SELECT pg_temp.vote4(3, 'yes', 'd', 'e', 'f', 'g', 'h');
SELECT pg_temp.due4(3);
SELECT is(pg_temp.val('i', format('SELECT council.ga_poll(%s)->>''status''', pg_temp.it4(3)))
          || ' ' || pg_temp.veto4(3), 'closed true false veto, ga-a,ga-b,ga-c / ga-a,ga-b,ga-c',
          'R-GOV-4: every committee organisation voted no (one by proxy): the majority (5 of 8) is vetoed');

-- R-GOV-3: a submitted proxy counts toward the quorum while its holder is
-- absent; only a present holder exercises it.
SELECT pg_temp.act4('leave', 'd', 'e', 'f', 'g');
SELECT is(pg_temp.err('i', format('SELECT council.ga_give_proxy(%s, %s)', pg_temp.ga('A4'), pg_temp.o('ga-d'))),
          'no error', 'ga-i gives its proxy to ga-d, which is absent');
SELECT pg_temp.act4('attend', 'sec');
SELECT is(pg_temp.val('h', format('SELECT council.ga_poll(%s)', pg_temp.it4(4)))::jsonb
          - ARRAY['id', 'assembly', 'position', 'kind', 'title', 'status', 'opened_at', 'closes_at',
                  'closed_at', 'quorum_open', 'mine', 'holds', 'result', 'salts'],
          '{"members": 10, "present": 4, "by_proxy": 2, "attending": 6, "quorum_now": true}'::jsonb,
          'R-GOV-3: 4 present and 2 proxies (to the chair, and to the absent ga-d): 6 of 10, a quorum');
SELECT is(pg_temp.open4(4), '{"numerator": 6, "denominator": 10}',
          'R-GOV-3: the poll opens with the proxy whose holder is absent counted');
SELECT is(pg_temp.err('d', format($$SELECT council.ga_vote(%s, 'yes', %s)$$, pg_temp.it4(4), pg_temp.o('ga-i'))),
          'CP409 not_present', 'R-GOV-3: the absent holder cannot exercise the proxy');
SELECT is(pg_temp.val('d', format($$SELECT council.ga_poll(%s)->>'holds'$$, pg_temp.it4(4))), '[]',
          '... and the poll lists no proxy for it to vote with');
SELECT is(pg_temp.err('d', format('SELECT council.ga_give_proxy(%s)', pg_temp.ga('A4'))),
          'CP409 proxy_chain', 'one hop still: the holder, present or not, cannot give its own proxy');
SELECT pg_temp.act4('attend', 'd');
SELECT is(pg_temp.val('d', format($$SELECT council.ga_vote(%s, 'yes', %s)->>'version'$$,
          pg_temp.it4(4), pg_temp.o('ga-i'))), '1', 'once present, the holder votes for ga-i');
SELECT pg_temp.act4('leave', 'd');
SELECT pg_temp.vote4(4, 'yes', 'a', 'b', 'h');
SELECT pg_temp.vote4(4, 'no', 'sec');
SELECT pg_temp.due4(4);
SELECT is(pg_temp.val('i', format('SELECT council.ga_poll(%s)->>''status''', pg_temp.it4(4))), 'closed',
          'the poll closes at its time');
SELECT is((SELECT format('%s %s %s/%s %s', r->'quorum_close'->>'numerator', r->'quorum_close'->>'met',
                         r->>'yes', r->>'attending', r->>'passed') FROM (SELECT pg_temp.res4(4) AS r) x),
          '6 true 4/6 true',
          'R-GOV-3: at the close the proxy still counts (its holder left), with the ballot the holder cast while present: 4 yes of 6 pass');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
