-- tests/sql/24_membership_periods.sql: audiences follow membership periods
-- (issue 10 items 9 and 11; R-ORG-3, R-SCOPE-1, R-ORG-2, R-ORG-8;
-- migration 0020, policy/40_sharing_audience.sql, policy/73_membership.sql;
-- docs/sharing.md "Membership periods").  Only members are ever in an
-- audience or a preview; naming a non-member is answered exactly as an
-- unknown id; a member that leaves loses its audience rows at once (set
-- based); a withdrawn member applies again, the committee admits it, and it
-- reads what is shared from its new admission on, never what was shared
-- while it was out (nor before it left); a first admission still reads the
-- council's history.  Same fixtures as 10_sharing_rules; rolled back.
BEGIN;
SELECT plan(44);
\ir fixtures/sharing.psql

-- The organisations in post lbl's effective scope (as the superuser).
CREATE FUNCTION pg_temp.aud(lbl text) RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(coalesce(t.slug, '#' || a.org_id) ORDER BY coalesce(t.slug, '#' || a.org_id)), '{}')
    FROM council.post_audience a
    LEFT JOIN (SELECT DISTINCT ON (id) id, slug FROM pg_temp.t_orgs ORDER BY id, slug) t
           ON t.id = a.org_id
    WHERE a.post_id = pg_temp.p(lbl) $$;
CREATE FUNCTION pg_temp.has(lbl text, slug text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM council.post_audience a
                   WHERE a.post_id = pg_temp.p(lbl) AND a.org_id = pg_temp.o(slug)) $$;
-- Audience rows of organisations that are not members, or outside their
-- current membership period (as the superuser): must be none, ever.
CREATE FUNCTION pg_temp.stray() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM council.post_audience a
    JOIN council.organisations o ON o.id = a.org_id
    LEFT JOIN council.org_memberships m ON m.org_id = o.id AND m.until IS NULL
    WHERE o.status <> 'member' OR m.id IS NULL OR a.post_id < m.first_post $$;
CREATE FUNCTION pg_temp.tok(s text) RETURNS bytea LANGUAGE sql IMMUTABLE
AS $$ SELECT sha256(convert_to('app-' || s, 'UTF8')) $$;
CREATE FUNCTION pg_temp.rv() RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT council.rules_version() $$;
-- Apply as nobody (no session), as the public form does.
CREATE FUNCTION pg_temp.apply_(name text, email text, tag text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.nobody();
    RETURN council.apply(name, name, 'academia', NULL, '担当 ' || tag, email,
                         pg_temp.rv(), true, pg_temp.tok(tag))::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- The committee's admission of organisation o, passed in one step (the
-- count itself is 20_committee's), as 22_lifecycle does.
CREATE FUNCTION pg_temp.admit(o bigint) RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE m bigint;
BEGIN
    PERFORM set_config('council.session', encode(sha256(convert_to('tr-tok-cmt', 'UTF8')), 'hex'), true);
    m := council.sc_motion_create('admission', 'admission ' || o, '', o, NULL, false);
    UPDATE council.sc_motions SET status = 'passed', closed_at = now(),
        result = '{"passed": true}', effect = '{}', chair_window_ends = now() + interval '72 hours',
        rule_id = (SELECT id FROM council.decision_rules WHERE code = 'sc.ordinary' LIMIT 1),
        opened_by = created_by, opened_at = now(), closes_at = now(), quorum_open = '{}'
    WHERE id = m;
    UPDATE council.sc_motions SET effect = council.sc__effect(x) FROM council.sc_motions x
    WHERE council.sc_motions.id = m AND x.id = m;
    RETURN (SELECT status::text FROM council.organisations WHERE id = o);
END $$;
-- A new live session of person k (the old ones ended with the withdrawal).
CREATE FUNCTION pg_temp.relog(k text) RETURNS void LANGUAGE sql SECURITY DEFINER AS $$
    UPDATE council.sessions SET revoked_at = NULL, live = true, expires_at = now() + interval '1 hour'
    WHERE token_hash = sha256(convert_to('tr-tok-' || k, 'UTF8'));
    SELECT council.session_identity_refresh(ARRAY[(SELECT person_id FROM pg_temp.t_people WHERE t_people.k = relog.k)]) $$;

-- An applicant (R-ORG-2), and the university as a member of the group. ---------
SELECT ok(pg_temp.apply_('申請大学', 'x@applicant-univ.example.jp', 'newcomer') ~ '^\d+$',
          'an applicant applies (status applied)');
INSERT INTO pg_temp.t_orgs SELECT 'tr-applicant', id FROM council.organisations WHERE name_en = '申請大学';
INSERT INTO council.group_members (group_id, org_id) VALUES (pg_temp.g('tr-grp'), pg_temp.o('tr-univ'));
UPDATE council.people SET is_org_admin = true WHERE email = 'univ-n@rules-test.example.jp';
SET LOCAL ROLE council_app;
SELECT pg_temp.post('m_before', 'bank-h', 'report', false, '[{"class": "all_members"}]');
SELECT pg_temp.post('m_named', 'bank-h', 'report', false, pg_temp.orgs('tr-univ', 'tr-power'));
SELECT pg_temp.post('m_cat_before', 'bank-h', 'report', false, '[{"class": "category", "category": "academia"}]');
SELECT pg_temp.post('m_own', 'univ-n', 'report', false, pg_temp.orgs('tr-power'));
RESET ROLE;

-- Item 9: only members are ever in an audience or a preview. ---------------------
SELECT is(pg_temp.has('m_before', 'tr-applicant'), false,
    'R-SCOPE-1: a post to all members does not reach an applicant (no audience row)');
SELECT is(pg_temp.has('m_cat_before', 'tr-applicant'), false,
    'R-SCOPE-1: ... nor does a post to its category');
SELECT is(pg_temp.has('m_before', 'tr-univ') AND pg_temp.has('m_named', 'tr-univ'), true,
    'before: the university, a member, is in the scope of both posts');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.val('bank-h', $$SELECT count(*) FROM json_array_elements(council.audience_preview(
        'report', 't', 'b', false, false, '[{"class": "all_members"}]')->'orgs') x
        JOIN pg_temp.t_orgs t ON t.id = (x->>'id')::bigint AND t.slug = 'tr-applicant'$$), '0',
    'R-SCOPE-1: the preview of a post to all members does not name the applicant');
SELECT is(pg_temp.val('bank-h', $$SELECT count(*) FROM json_array_elements(council.audience_preview(
        'report', 't', 'b', false, false, NULL)->'orgs') x
        JOIN council.organisations o ON o.id = (x->>'id')::bigint WHERE o.status <> 'member'$$), '0',
    'R-SCOPE-1: no organisation the preview of a post without a scope names is a non-member (item 9)');
RESET ROLE;

-- Item 11: withdrawal removes the audience rows at once, set-based. ---------------
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('univ-n', 'SELECT council.org_withdraw(true)'), 'no error', 'R-ORG-3: the university withdraws');
RESET ROLE;
SELECT is((SELECT count(*) FROM council.post_audience WHERE org_id = pg_temp.o('tr-univ')), 0::bigint,
    'R-ORG-3: at once it is in no audience, its own post''s included');
SELECT is((SELECT format('%s %s %s', count(*), count(*) FILTER (WHERE until IS NOT NULL),
                         max(ended_as::text))
           FROM council.org_memberships WHERE org_id = pg_temp.o('tr-univ')), '1 1 withdrawn',
    'R-ORG-3: its membership period is closed, as withdrawn');
SELECT is(pg_temp.aud('m_named'), '{tr-bank,tr-power}'::text[],
    'R-SCOPE-1: the post that named it reaches the others only');

-- Naming a non-member is answered exactly as an unknown id. ---------------------
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('bank-h', format($$SELECT council.create_post('report', 't', 'b', false, p_scope => '[{"org": %s}]')$$, pg_temp.o('tr-univ'))),
          pg_temp.err('bank-h', $$SELECT council.create_post('report', 't', 'b', false, p_scope => '[{"org": 999999999}]')$$),
    'R-SCOPE-1: naming a withdrawn member in a scope fails exactly like an unknown id');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.create_post('report', 't', 'b', false, p_scope => '[{"org": %s}]')$$, pg_temp.o('tr-applicant'))),
          'CP404 organisation_not_found', 'R-SCOPE-1: ... so does naming an applicant');
SELECT is(pg_temp.err('sec-a', format($$SELECT council.org_dissolve(%s)$$, pg_temp.o('tr-dissolved'))), 'no error',
    'the secretariat records a dissolution');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.create_post('report', 't', 'b', false, p_scope => '[{"org": %s}]')$$, pg_temp.o('tr-dissolved'))),
          'CP404 organisation_not_found', 'R-SCOPE-1: ... and naming a dissolved one');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.create_post('report', 't', 'b', false, p_scope => '[{"class": "all_members"}]', p_exclusions => '[{"org": %s}]')$$, pg_temp.o('tr-univ'))),
          pg_temp.err('bank-h', $$SELECT council.create_post('report', 't', 'b', false, p_scope => '[{"class": "all_members"}]', p_exclusions => '[{"org": 999999999}]')$$),
    'R-SCOPE-1: excluding a withdrawn member fails exactly like excluding an unknown id');
SELECT is(pg_temp.val('bank-h', format($$SELECT status || ' ' || body FROM council.api_create_post('{"kind":"report","title":"t","body":"b","secret":false,"scope":[{"org":%s}]}', NULL, true)$$, pg_temp.o('tr-univ'))),
          pg_temp.val('bank-h', $$SELECT status || ' ' || body FROM council.api_create_post('{"kind":"report","title":"t","body":"b","secret":false,"scope":[{"org":999999999}]}', NULL, true)$$),
    'R-SCOPE-1: the API''s preview answers a withdrawn id with the status and body of an unknown one');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.widen_scope(%s, '[{"org": %s}]')$$, pg_temp.p('m_named'), pg_temp.o('tr-univ'))),
          pg_temp.err('bank-h', format($$SELECT council.widen_scope(%s, '[{"org": 999999999}]')$$, pg_temp.p('m_named'))),
    'R-SCOPE-1: widening a scope to a withdrawn member fails like widening it to an unknown id');

-- What is shared while it is out. -----------------------------------------------
SELECT pg_temp.post('m_gap_all', 'bank-h', 'report', false, '[{"class": "all_members"}]');
SELECT pg_temp.post('m_gap_cat', 'bank-h', 'report', false, '[{"class": "category", "category": "academia"}]');
SELECT pg_temp.post('m_gap_grp', 'v1-h', 'analysis', false, jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp'))));
SELECT pg_temp.post('m_gap_clear', 'bank-h', 'report', false, NULL);
SELECT pg_temp.post('m_gap_reply', 'power-h', 'report', false, NULL, parent => 'm_before');
RESET ROLE;
SELECT is(pg_temp.has('m_gap_all', 'tr-univ') OR pg_temp.has('m_gap_cat', 'tr-univ')
          OR pg_temp.has('m_gap_grp', 'tr-univ') OR pg_temp.has('m_gap_clear', 'tr-univ'), false,
    'R-ORG-3: what is shared while it is out names it by class, group or "every member" but does not reach it');

-- It applies again (R-ORG-2), the committee admits it. --------------------------
SELECT pg_temp.apply_('tr-univ', 'someone@else.example.jp', 'impostor') AS imp_app \gset
SELECT is((SELECT a.org_id <> pg_temp.o('tr-univ') FROM council.applications a
           WHERE a.id::text = :'imp_app')
          || ' ' || (SELECT status FROM council.organisations WHERE id = pg_temp.o('tr-univ')),
    'true withdrawn',
    'R-ORG-2: an application under the withdrawn organisation''s name from another contact is a new applicant''s, not its own');
SELECT pg_temp.apply_('tr-univ', 'univ-n@rules-test.example.jp', 'again') AS re_app \gset
SELECT is((SELECT a.org_id || ' ' || a.readmission FROM council.applications a
           WHERE a.id::text = :'re_app'),
    pg_temp.o('tr-univ') || ' true',
    'R-ORG-2, R-ORG-3: its administrator applies again through the application form''s function, agreeing to the Rules in force: the same organisation, a readmission');
SELECT is((SELECT status::text FROM council.organisations WHERE id = pg_temp.o('tr-univ')), 'applied',
    '... which is an applicant again');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.val('sec-a', format($$SELECT string_agg((a->>'readmission'), ',') FROM json_array_elements(council.applications_pending()->'applications') a WHERE (a->>'org')::bigint = %s$$, pg_temp.o('tr-univ'))),
    'true', 'the secretariat''s list shows one pending application, marked as a readmission');
SELECT is(pg_temp.val('sec-a', format($$SELECT status FROM council.application_status(%L)$$, pg_temp.tok('again'))), 'pending',
    'its new status link says pending');
RESET ROLE;
SELECT is(pg_temp.stray(), 0::bigint, 'an applicant again is still in no audience');
SELECT is(pg_temp.admit(pg_temp.o('tr-univ')), 'member', 'R-ORG-2: the committee''s admission motion readmits it');
SELECT is((SELECT format('%s %s', count(*), bool_and(first_post > pg_temp.p('m_gap_reply')) FILTER (WHERE until IS NULL))
           FROM council.org_memberships WHERE org_id = pg_temp.o('tr-univ')), '2 t',
    'R-ORG-3: a second membership period opens, reading from the next post on');
SELECT pg_temp.relog('univ-n');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.visible('univ-n'), '{}'::text[],
    'R-ORG-3: readmitted, it reads nothing shared while it was out, nor before it left, its own post included');
SELECT is(pg_temp.sees('univ-n', 'm_gap_all') OR pg_temp.sees('univ-n', 'm_gap_clear')
          OR pg_temp.sees('univ-n', 'm_gap_reply') OR pg_temp.sees('univ-n', 'm_before'), false,
    'R-ORG-3: ... not even looked up by id');
SELECT is(pg_temp.err('univ-n', format('SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => %s)', pg_temp.p('m_gap_all'))),
          pg_temp.err('univ-n', 'SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => 999999999)'),
    'R-ORG-3: replying to a post shared while it was out fails like replying to an absent post');
SELECT pg_temp.post('m_after', 'bank-h', 'report', false, '[{"class": "all_members"}]');
SELECT pg_temp.post('m_after_cat', 'bank-h', 'report', false, '[{"class": "category", "category": "academia"}]');
SELECT pg_temp.post('m_after_named', 'bank-h', 'report', false, pg_temp.orgs('tr-univ'));
SELECT pg_temp.post('m_after_reply', 'power-h', 'report', false, NULL, parent => 'm_before');
SELECT is(pg_temp.visible('univ-n'), '{m_after,m_after_cat,m_after_named}'::text[],
    'R-ORG-3: it reads what is shared from its new admission on, by class or by name; a reply in a thread begun before it stays with that thread');
RESET ROLE;
SELECT council.audience_refresh_all();
SET LOCAL ROLE council_app;
SELECT is(pg_temp.visible('univ-n'), '{m_after,m_after_cat,m_after_named}'::text[],
    'R-ORG-3: the same after every audience is computed again from scratch');
RESET ROLE;
CREATE TEMP TABLE t_aud AS SELECT org_id, post_id, is_author, is_secret FROM council.post_audience;
SELECT council.audience_rebuild_orgs(ARRAY(SELECT id FROM council.organisations));
SELECT is((SELECT count(*) FROM (
               (SELECT * FROM t_aud EXCEPT SELECT org_id, post_id, is_author, is_secret FROM council.post_audience)
               UNION ALL
               (SELECT org_id, post_id, is_author, is_secret FROM council.post_audience EXCEPT SELECT * FROM t_aud)) d),
          0::bigint,
    'the set-based rebuild of every organisation equals the post-by-post computation');

-- A first admission reads the council's history (docs/sharing.md, Choice). ---------
SELECT is(pg_temp.admit(pg_temp.o('tr-applicant')), 'member', 'R-ORG-2: the committee admits the applicant');
SELECT is(pg_temp.has('m_before', 'tr-applicant') AND pg_temp.has('m_gap_all', 'tr-applicant')
          AND pg_temp.has('m_gap_cat', 'tr-applicant') AND pg_temp.has('m_gap_reply', 'tr-applicant')
          AND NOT pg_temp.has('m_named', 'tr-applicant'), true,
    'a first admission brings the posts its scopes give it, shared before it joined included (replies too), set-based');
SELECT is((SELECT first_post FROM council.org_memberships
           WHERE org_id = pg_temp.o('tr-applicant') AND until IS NULL), 0::bigint,
    '... its one membership period reads from post 0');

-- R-ORG-8: a liaison member's channel follows its membership too. -------------------
SET LOCAL ROLE council_app;
SELECT pg_temp.post('m_lia', 'bank-h', 'report', false, pg_temp.orgs('tr-liaison'));
RESET ROLE;
SELECT is(pg_temp.aud('m_lia'), '{tr-bank,tr-gsoc}'::text[], 'R-ORG-8: a post naming the liaison member reaches its GSOC member');
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'tr-liaison';
SELECT is(pg_temp.aud('m_lia'), '{tr-bank}'::text[],
    'R-ORG-3, R-ORG-8: once the liaison member withdrew, nothing is routed to the GSOC member on its behalf');
SELECT is(pg_temp.has('m_before', 'tr-gsoc'), true, '... which keeps what names it by class');
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'tr-gsoc';
UPDATE council.organisations SET status = 'member' WHERE slug = 'tr-liaison';
SET LOCAL ROLE council_app;
SELECT pg_temp.post('m_lia2', 'bank-h', 'report', false, pg_temp.orgs('tr-liaison'));
RESET ROLE;
SELECT is(pg_temp.aud('m_lia2'), '{tr-bank}'::text[], 'R-ORG-8: a withdrawn GSOC member is no channel');
SELECT is(pg_temp.has('m_lia', 'tr-gsoc') OR pg_temp.has('m_before', 'tr-gsoc'), false,
    'R-ORG-3: ... and is in no audience itself');

-- The chair's rejection of an admission puts it back under review: out again. -------
UPDATE council.organisations SET status = 'applied' WHERE id = pg_temp.o('tr-applicant');
SELECT is((SELECT count(*) FROM council.post_audience WHERE org_id = pg_temp.o('tr-applicant')), 0::bigint,
    'R-ORG-3: an admission undone leaves no audience row');

SELECT is(pg_temp.stray(), 0::bigint,
    'R-ORG-3, R-SCOPE-1: after all of this, no audience row of a non-member or outside its current membership');
SELECT is((SELECT count(*) FROM council.organisations o WHERE o.status = 'member'
           AND NOT EXISTS (SELECT 1 FROM council.org_memberships m WHERE m.org_id = o.id AND m.until IS NULL)), 0::bigint,
    'every member has an open membership period');
SELECT is((SELECT count(*) FROM council.org_memberships m JOIN council.organisations o ON o.id = m.org_id
           WHERE m.until IS NULL AND o.status <> 'member'), 0::bigint,
    'and no non-member has one');

SELECT * FROM finish();
ROLLBACK;
