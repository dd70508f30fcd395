-- tests/sql/35_access_cases.sql: issue 13 item 11.  R-ORG-6: the
-- secretariat's recorded access case on the portal: who sees a case (its
-- grantee, the steering committee, the coordinator; a hidden case answers
-- like an absent one), what it shows (the reason, the posts named with a
-- title only for those who may read them, who opened and approved it,
-- the expiry, who closed it), closing by the grantee or the coordinator
-- only, once, ending the access at once (reads and the mailer's
-- person_sees_post), a closed case not approvable, and the API's row.
-- Same fixtures as 10_sharing_rules; everything is rolled back.
BEGIN;
SELECT plan(42);
\ir fixtures/sharing.psql

SET LOCAL ROLE council_app;
SELECT pg_temp.post('ac_a', 'bank-h', 'report', false, pg_temp.orgs('tr-bank', 'tr-power')) AS post_a \gset
SELECT pg_temp.post('ac_b', 'power-h', 'report', false, pg_temp.orgs('tr-power')) AS post_b \gset
SELECT pg_temp.post('ac_c', 'v1-h', 'report', false, pg_temp.orgs('tr-vendor1')) AS post_c \gset

-- The API's row as person `who`: "status body->>error" or "status state".
CREATE FUNCTION pg_temp.api(who text, what text, id bigint, body jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE s integer; b text;
BEGIN
    PERFORM pg_temp.as_(who);
    SELECT x.status, x.body INTO s, b FROM council.api_access_case(what, id, body::text) x;
    RETURN s || ' ' || coalesce(b::json->>'error', b::json->>'state');
END $$;

-- Opening. -----------------------------------------------------------------------
SELECT is(pg_temp.api('bank-h', 'open', NULL, jsonb_build_object('reason', 'arbitrating a dispute',
          'posts', jsonb_build_array(pg_temp.p('ac_a')), 'expires_at', now() + interval '1 day')),
    '403 only_the_secretariat_opens_cases', 'R-ORG-6: only the secretariat opens an access case (API: 403)');
SELECT is(pg_temp.api('sec-a', 'open', NULL, jsonb_build_object('reason', 'short',
          'posts', jsonb_build_array(pg_temp.p('ac_a')), 'expires_at', now() + interval '1 day')),
    '422 invalid_reason', 'R-ORG-6: a case needs a reason of at least 10 characters');
SELECT is(pg_temp.api('sec-a', 'open', NULL, jsonb_build_object('reason', 'arbitrating a dispute',
          'posts', '[]'::jsonb, 'expires_at', now() + interval '1 day')),
    '422 invalid_posts', 'R-ORG-6: a case names at least one post (the minimum, not none)');
SELECT is(pg_temp.api('sec-a', 'open', NULL, jsonb_build_object('reason', 'arbitrating a dispute',
          'posts', '["x"]'::jsonb, 'expires_at', now() + interval '1 day')),
    '422 invalid_posts', 'R-ORG-6: a post is named by its number');
SELECT is(pg_temp.api('sec-a', 'open', NULL, jsonb_build_object('reason', 'arbitrating a dispute',
          'posts', jsonb_build_array(pg_temp.p('ac_a')), 'expires_at', now() + interval '31 days')),
    '422 invalid_expires_at', 'R-ORG-6: a case lasts at most 30 days');
SELECT is(pg_temp.api('sec-a', 'open', NULL, jsonb_build_object('reason', 'arbitrating a dispute',
          'posts', jsonb_build_array(pg_temp.p('ac_a')), 'expires_at', 'tomorrow-ish')),
    '422 invalid_expires_at', 'R-ORG-6: an expiry that is no time is refused as such');
SELECT is(pg_temp.api('sec-a', 'open', NULL, jsonb_build_object('reason', 'arbitrating a dispute',
          'posts', '[999999999]'::jsonb, 'expires_at', now() + interval '1 day')),
    '404 post_not_found', 'R-ORG-6: a post that does not exist is refused');
SELECT is(pg_temp.api('sec-a', 'open', NULL, jsonb_build_object('reason', 'arbitrating a dispute between two members',
          'posts', jsonb_build_array(pg_temp.p('ac_a'), pg_temp.p('ac_b')), 'expires_at', now() + interval '1 day')),
    '201 pending', 'R-ORG-6: the secretariat opens a case: 201, pending');
RESET ROLE;
SELECT max(id) AS c1 FROM council.access_cases \gset
SET LOCAL ROLE council_app;

-- Who sees it. ----------------------------------------------------------------------
SELECT is(pg_temp.val('sec-a', format('SELECT council.access_case(%s)->>''state''', :c1)), 'pending',
    'R-ORG-6: the grantee sees its case');
SELECT is(pg_temp.val('cmt', format('SELECT council.access_case(%s)->>''state''', :c1)), 'pending',
    'R-ORG-6: a steering-committee member sees it');
SELECT is(pg_temp.val('coord-h', format('SELECT council.access_case(%s)->>''state''', :c1)), 'pending',
    'R-ORG-6: the coordinator sees it');
SELECT is(pg_temp.err('sec-b', format('SELECT council.access_case(%s)', :c1)),
    'CP404 access_case_not_found', 'R-ORG-6: another secretariat person does not see it');
SELECT is(pg_temp.err('bank-h', format('SELECT council.access_case(%s)', :c1)),
          pg_temp.err('bank-h', 'SELECT council.access_case(999999999)'),
    'R-ORG-6: a member whose post it names does not see it: exactly like an absent case');
SELECT is(pg_temp.val('bank-h', 'SELECT json_array_length(council.access_cases_for_me()->''cases'')'), '0',
    'R-ORG-6: ... nor in its list');
SELECT is(pg_temp.val('cmt', format($$SELECT council.access_case(%s)->'granted_to'->>'name_en'$$, :c1)), 'sec-a',
    'R-ORG-6: the committee reads who opened the case');
SELECT is(pg_temp.val('bank-h', format('SELECT council.access_case_person(%s, %s)', :c1,
          (SELECT person_id FROM pg_temp.t_people WHERE k = 'sec-a'))), 'NULL',
    'R-ORG-6: the grantee''s name is not told to one who does not see the case');
SELECT is(pg_temp.val('cmt', format('SELECT council.access_case_person(%s, %s)', :c1,
          (SELECT person_id FROM pg_temp.t_people WHERE k = 'bank-h'))), 'NULL',
    'R-ORG-6: ... nor a person the case does not name, to one who sees it');
SELECT is(pg_temp.val('cmt', format($$SELECT council.access_case(%s)->>'may_approve'$$, :c1)), 'true',
    'R-ORG-6: the committee member is offered the approval');
SELECT is(pg_temp.val('sec-a', format($$SELECT council.access_case(%s)->>'may_approve'$$, :c1)), 'false',
    'R-ORG-6: the grantee, though on the committee, is not');
SELECT is(pg_temp.val('sec-a', format($$SELECT council.access_case(%s)->>'may_close'$$, :c1)), 'true',
    'R-ORG-6: the grantee is offered the closing');
SELECT is(pg_temp.val('cmt', format($$SELECT council.access_case(%s)->>'may_close'$$, :c1)), 'false',
    'R-ORG-6: a committee member is not');

-- The posts named: a title only for one who may read the post. ------------------
SELECT is(pg_temp.val('sec-a', format($$SELECT string_agg(coalesce(e->>'title', '-'), ',') FROM json_array_elements(council.access_case(%s)->'posts') e$$, :c1)),
    '-,-', 'R-ORG-6: before approval the grantee sees the posts'' numbers, not their titles');
SELECT is(pg_temp.val('coord-h', format($$SELECT string_agg(coalesce(e->>'title', '-'), ',') FROM json_array_elements(council.access_case(%s)->'posts') e$$, :c1)),
    'ac_a,ac_b', 'R-ORG-6: the coordinator reads every title');

-- Approval. ----------------------------------------------------------------------
SELECT is(pg_temp.api('sec-b', 'act', :c1, '{"action": "approve"}'),
          pg_temp.api('sec-b', 'act', 999999999, '{"action": "approve"}'),
    'R-ORG-6: acting on a case one does not see answers exactly like an absent case');
SELECT is(pg_temp.api('sec-b', 'act', 999999999, '{"action": "approve"}'), '404 access_case_not_found',
    '... 404 access_case_not_found');
SELECT is(pg_temp.api('sec-a', 'act', :c1, '{"action": "approve"}'), '403 only_another_committee_member_approves',
    'R-ORG-6: the grantee cannot approve its own case');
SELECT is(pg_temp.api('cmt', 'act', :c1, '{"action": "close"}'), '403 only_the_grantee_or_coordinator_closes',
    'R-ORG-6: a committee member does not close a case');
SELECT is(pg_temp.api('cmt', 'act', :c1, '{"action": "grant"}'), '422 invalid_action',
    'R-ORG-6: an unknown action is refused');
SELECT is(pg_temp.api('cmt', 'act', :c1, '{"action": "approve"}'), '200 approved',
    'R-ORG-6: another committee member approves: 200, approved');
SELECT is(pg_temp.visible('sec-a'), pg_temp.srt('{ac_a,ac_b}'),
    'R-ORG-6: the approved case gives the grantee exactly the posts named');
SELECT is(pg_temp.val('sec-a', format($$SELECT string_agg(coalesce(e->>'title', '-'), ',') FROM json_array_elements(council.access_case(%s)->'posts') e$$, :c1)),
    'ac_a,ac_b', 'R-ORG-6: ... and their titles on the case');
SELECT is(pg_temp.val('bank-h', format($$SELECT string_agg(coalesce(e->>'title', '-'), ',') FROM json_array_elements(council.access_case(%s)->'posts') e$$, :c1)),
    'CP404 access_case_not_found', 'R-ORG-6: (the member still does not see the case)');
SELECT is(pg_temp.val('cmt', format($$SELECT council.access_case(%s)->'approved_by'->>'name_en'$$, :c1)), 'cmt',
    'R-ORG-6: the case says who approved it');
RESET ROLE;
SELECT is(council.person_sees_post((SELECT person_id FROM pg_temp.t_people WHERE k = 'sec-a'), pg_temp.p('ac_a')),
    true, 'R-ORG-6: the mailer''s person_sees_post agrees while the case is open');
SET LOCAL ROLE council_app;

-- Closing: at once, once. -----------------------------------------------------------
SELECT is(pg_temp.api('sec-a', 'act', :c1, '{"action": "close"}'), '200 closed',
    'R-ORG-6: the grantee closes its case: 200, closed');
SELECT is(pg_temp.visible('sec-a'), '{}'::text[],
    'R-ORG-6: a closed case gives nothing, in the same moment');
RESET ROLE;
SELECT is(council.person_sees_post((SELECT person_id FROM pg_temp.t_people WHERE k = 'sec-a'), pg_temp.p('ac_a')),
    false, 'R-ORG-6: ... nor to the mailer (person_sees_post)');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.api('sec-a', 'act', :c1, '{"action": "close"}'), '422 access_case_already_closed',
    'R-ORG-6: closing is done once (it cannot be undone)');
SELECT is(pg_temp.val('cmt', format($$SELECT council.access_case(%s)->'closed_by'->>'name_en'$$, :c1)), 'sec-a',
    'R-ORG-6: the case says who closed it');

-- A case closed before approval cannot be approved; the coordinator closes. -----
SELECT is(pg_temp.api('sec-b', 'open', NULL, jsonb_build_object('reason', 'running the council''s affairs: a report',
          'posts', jsonb_build_array(pg_temp.p('ac_c')), 'expires_at', now() + interval '2 days')),
    '201 pending', 'R-ORG-6: a second case, opened');
RESET ROLE;
SELECT max(id) AS c2 FROM council.access_cases \gset
SET LOCAL ROLE council_app;
SELECT is(pg_temp.api('coord-h', 'act', :c2, '{"action": "close"}') || ' / '
          || pg_temp.api('cmt', 'act', :c2, '{"action": "approve"}'),
    '200 closed / 422 access_case_closed',
    'R-ORG-6: the coordinator closes a pending case, which can no longer be approved');
SELECT is(pg_temp.visible('sec-b'), '{}'::text[], 'R-ORG-6: ... and it never gave anything');

SELECT * FROM finish();
ROLLBACK;
