-- tests/sql/11_sharing_members.sql: who may see posts at all: R-ORG-3
-- (withdrawn, expelled, dissolved), R-RESTRICT-1, R-ORG-8 (liaison
-- members), R-ORG-6 (the coordinator sees all, audited; the secretariat
-- only through an approved, unexpired access case, audited) and R-TF-6
-- (masked authors).  Same fixtures and helpers as 10_sharing_rules.sql;
-- posts through council.create_post, reads as council_app.
BEGIN;
SELECT plan(49);
\ir fixtures/sharing.psql

SET LOCAL ROLE council_app;
SELECT is(current_user::text, 'council_app', 'the tests run as council_app, through row-level security');

SELECT pg_temp.post('q_all',    'bank-h',  'report',   false, '[{"class": "all_members"}]');
SELECT pg_temp.post('q_clear',  'bank-h',  'report',   false, NULL);
SELECT pg_temp.post('q_sec',    'bank-h',  'report',   false, pg_temp.orgs('@secretariat', 'tr-power'));
SELECT pg_temp.post('q_restr',  'bank-h',  'report',   false, pg_temp.orgs('tr-restricted'));
SELECT pg_temp.post('q_gone',   'bank-h',  'report',   false, pg_temp.orgs('tr-withdrawn', 'tr-expelled', 'tr-dissolved'));
SELECT pg_temp.post('q_liai',   'bank-h',  'report',   false, pg_temp.orgs('tr-liaison'));
SELECT pg_temp.post('q_liai_x', 'bank-h',  'report',   false, pg_temp.orgs('tr-liaison'), jsonb_build_array(jsonb_build_object('org', pg_temp.o('tr-gsoc'))));
SELECT pg_temp.post('q_grp_l',  'v1-h',    'analysis', false, pg_temp.orgs('tr-liaison', 'tr-restricted', '@secretariat'));
SELECT pg_temp.post('q_own_r',  'restr-h', 'report',   false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('q_own_w',  'wd-h',    'report',   false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('q_x',      'bank-h',  'report',   true,  pg_temp.orgs('tr-power'));
SELECT pg_temp.post('q_mask',   'v1-h',    'consultation', false, pg_temp.orgs('tr-bank'), masked => true);
SELECT pg_temp.post('q_plain',  'v1-h',    'consultation', false, pg_temp.orgs('tr-bank'));
SELECT pg_temp.post('q_jp',     'bank-h',  'report',   false, '[{"class": "coordinator"}]');

-- R-ORG-3: withdrawn, expelled, dissolved: nothing. -------------------------------
SELECT is(pg_temp.visible('wd-h'), pg_temp.srt('{q_all,q_clear,q_gone,q_own_w}'),
    'R-ORG-3: while a member, tr-withdrawn sees what its scope gives it');
SELECT is(pg_temp.sees('exp-h', 'q_gone') AND pg_temp.sees('dis-h', 'q_gone'), true,
    'R-ORG-3: while members, tr-expelled and tr-dissolved see the post naming them');
RESET ROLE;
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'tr-withdrawn';
UPDATE council.organisations SET status = 'expelled' WHERE slug = 'tr-expelled';
UPDATE council.organisations SET status = 'dissolved' WHERE slug = 'tr-dissolved';
SET LOCAL ROLE council_app;
SELECT is(pg_temp.visible('wd-h'), '{}'::text[], 'R-ORG-3: a withdrawn member sees nothing, not even its own post');
SELECT is(pg_temp.visible('exp-h'), '{}'::text[], 'R-ORG-3: an expelled member sees nothing');
SELECT is(pg_temp.visible('dis-h'), '{}'::text[], 'R-ORG-3: a dissolved member sees nothing');
SELECT pg_temp.as_('wd-h');
SELECT is((SELECT ARRAY[(SELECT count(*) FROM council.post_bodies), (SELECT count(*) FROM council.post_audience),
                        (SELECT count(*) FROM council.post_authors), (SELECT count(*) FROM council.audit_log)]),
    '{0,0,0,0}'::bigint[], 'R-ORG-3: a withdrawn member sees no body, audience row, author row or audit row');
SELECT throws_ok($$SELECT pg_temp.as_('wd-h'); SELECT council.create_post('report', 't', 'b', false)$$,
    'CP401', 'not_signed_in', 'R-ORG-3: a withdrawn member cannot post');
SELECT throws_ok($$SELECT pg_temp.as_('exp-h'); SELECT council.create_post('report', 't', 'b', false)$$,
    'CP401', 'not_signed_in', 'R-ORG-3: an expelled member cannot post');
SELECT is(pg_temp.sees('power-h', 'q_own_w'), true, 'R-ORG-3: what it shared while a member stays with its recipients');

-- R-RESTRICT-1: a restricted member sees only its own posts and cannot post. --------
SELECT is(pg_temp.visible('restr-h'), pg_temp.srt('{q_all,q_clear,q_restr,q_grp_l,q_own_r}'),
    'R-RESTRICT-1: before the restriction, the member sees what names it');
RESET ROLE;
UPDATE council.organisations SET restricted = true WHERE slug = 'tr-restricted';
SET LOCAL ROLE council_app;
SELECT is(pg_temp.visible('restr-h'), '{q_own_r}'::text[],
    'R-RESTRICT-1: a restricted member sees only its own post: not all-members, not a post naming it');
SELECT is(pg_temp.sees('restr-h', 'q_restr'), false, 'R-RESTRICT-1: not even looked up by id');
SELECT throws_ok($$SELECT pg_temp.as_('restr-h'); SELECT council.create_post('report', 't', 'b', false)$$,
    'CP403', 'member_restricted', 'R-RESTRICT-1: a restricted member cannot post');
SELECT is(pg_temp.sees('power-h', 'q_own_r'), true, 'R-RESTRICT-1: its recipients still see what it posted before');
RESET ROLE;
UPDATE council.organisations SET restricted = false WHERE slug = 'tr-restricted';
SET LOCAL ROLE council_app;
SELECT is(pg_temp.visible('restr-h'), pg_temp.srt('{q_all,q_clear,q_restr,q_grp_l,q_own_r}'),
    'R-RESTRICT-1: lifting the restriction restores what the scopes give');
SELECT lives_ok($$SELECT pg_temp.as_('restr-h'); SELECT council.create_post('report', 't', 'b', false, p_scope => '[{"class": "coordinator"}]')$$,
    'R-RESTRICT-1: after lifting, the member may post again');

-- R-ORG-8: a specified liaison member, only through its GSOC member. ------------------
SELECT is(pg_temp.visible('liaison-h'), '{}'::text[],
    'R-ORG-8: a liaison member sees nothing, though posts name it and are for all members');
SELECT throws_ok($$SELECT pg_temp.as_('liaison-h'); SELECT council.create_post('report', 't', 'b', false)$$,
    'CP403', 'liaison_member_posts_through_gsoc', 'R-ORG-8: a liaison member cannot post');
SELECT is(pg_temp.readers('q_liai'), pg_temp.srt('{bank-h,bank-n,bank-d,gsoc-h,coord-h,coord-n}'),
    'R-ORG-8: a post naming a liaison member reaches its GSOC member (liaison_via)');
SELECT is(pg_temp.readers('q_liai_x'), pg_temp.srt('{bank-h,bank-n,bank-d,coord-h,coord-n}'),
    'R-ORG-8, R-SCOPE-2: ... unless the GSOC member is excluded');
SELECT is(pg_temp.sees('gsoc-h', 'q_all'), true, 'R-ORG-8: the GSOC member sees all-members posts in its own right');

-- R-ORG-6: the coordinator sees every post; out-of-scope reads are audited. ---------
RESET ROLE;
SELECT count(*) AS n_posts, count(*) FILTER (WHERE is_secret) AS n_secret FROM council.posts \gset
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('coord-h');
SELECT is((SELECT count(*) FROM council.posts), :n_posts::bigint,
    'R-ORG-6: the coordinator''s handler sees every post, secrets included');
SELECT pg_temp.as_('coord-n');
SELECT is((SELECT count(*) FROM council.posts), :n_posts::bigint - :n_secret,
    'R-ORG-6, R-SECRET-2: the coordinator''s non-handler sees every non-secret post');
SELECT pg_temp.as_('coord-h');
SELECT count(*) AS n_read0 FROM council.audit_log WHERE action = 'post.read.coordinator'
    AND object_id = pg_temp.p('q_plain') AND person_id = (SELECT council.current_person_id()) \gset
SELECT pg_temp.sees('coord-h', 'q_plain') AS coord_read \gset
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'post.read.coordinator'
           AND object_id = pg_temp.p('q_plain') AND person_id = (SELECT council.current_person_id())), :n_read0 + 1,
    'R-ORG-6: a read of a post outside the coordinator''s scope writes one post.read.coordinator audit row');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'post.read.coordinator'
           AND object_id = pg_temp.p('q_jp')), 0,
    'R-ORG-6: a read of a post whose scope includes the coordinator is not audited as such');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'post.read.coordinator'
           AND object_id = pg_temp.p('q_plain') AND person_id = (SELECT council.current_person_id())), :n_read0 + 1,
    'R-ORG-6: reading the audit log writes no further audit row');
-- the secretariat: no post in ordinary operation.
SELECT is(pg_temp.visible('sec-a'), '{}'::text[],
    'R-ORG-6: the secretariat sees no post: not all-members, not TLP:CLEAR, not one naming it');
SELECT is(pg_temp.sees('sec-a', 'q_sec'), false, 'R-ORG-6: a post naming the secretariat explicitly is not seen by it');
SELECT pg_temp.as_('sec-a');
SELECT is((SELECT ARRAY[(SELECT count(*) FROM council.post_bodies), (SELECT count(*) FROM council.post_audience),
                        (SELECT count(*) FROM council.post_scope)]),
    '{0,0,0}'::bigint[], 'R-ORG-6: nor their bodies, audience rows or scope entries');
SELECT throws_ok($$SELECT pg_temp.as_('cmt'); SELECT council.open_access_case('a dispute between two members', ARRAY[1]::bigint[], now() + interval '1 day')$$,
    'CP403', 'only_the_secretariat_opens_cases', 'R-ORG-6: only the secretariat opens an access case');
SELECT pg_temp.as_('sec-a');
SELECT council.open_access_case('arbitrating a dispute between two members', ARRAY[pg_temp.p('q_all'), pg_temp.p('q_plain')], now() + interval '1 day') AS case1 \gset
SELECT is(pg_temp.visible('sec-a'), '{}'::text[], 'R-ORG-6: an unapproved access case gives nothing');
SELECT throws_ok(format($$SELECT pg_temp.as_('sec-a'); SELECT council.approve_access_case(%s)$$, :case1),
    'CP403', 'only_another_committee_member_approves', 'R-ORG-6: the grantee, though a committee member, cannot approve its own case');
SELECT throws_ok(format($$SELECT pg_temp.as_('coord-h'); SELECT council.approve_access_case(%s)$$, :case1),
    'CP403', 'only_another_committee_member_approves', 'R-ORG-6: the coordinator, not on the committee, cannot approve it');
SELECT is(pg_temp.visible('sec-a'), '{}'::text[], 'R-ORG-6: still nothing after the refused approvals');
SELECT lives_ok(format($$SELECT pg_temp.as_('cmt'); SELECT council.approve_access_case(%s)$$, :case1),
    'R-ORG-6: another steering-committee member approves');
SELECT is(pg_temp.visible('sec-a'), pg_temp.srt('{q_all,q_plain}'),
    'R-ORG-6: an approved case gives the grantee exactly the named posts');
SELECT is(pg_temp.visible('sec-b'), '{}'::text[], 'R-ORG-6: ... and no other secretariat person');
SELECT pg_temp.as_('coord-h');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'post.read.access_case'
           AND object_id = pg_temp.p('q_plain')
           AND person_id = (SELECT person_id FROM pg_temp.t_people WHERE k = 'sec-a')) > 0, true,
    'R-ORG-6: the secretariat''s reads through the case are audited (post.read.access_case)');
SELECT pg_temp.as_('sec-b');
SELECT council.open_access_case('running the council''s affairs: a report', ARRAY[pg_temp.p('q_clear')], now() + interval '1 day') AS case2 \gset
SELECT lives_ok(format($$SELECT pg_temp.as_('cmt'); SELECT council.approve_access_case(%s)$$, :case2),
    'R-ORG-6: a second case, approved');
SELECT is(pg_temp.visible('sec-b'), '{q_clear}'::text[], 'R-ORG-6: ... gives its post');
RESET ROLE;
UPDATE council.access_cases SET expires_at = now() WHERE id = :case2;
SET LOCAL ROLE council_app;
SELECT is(pg_temp.visible('sec-b'), '{}'::text[], 'R-ORG-6: an expired case gives nothing');

-- R-TF-6 / masking: a masked author is known to its organisation and the coordinator.
SELECT is(pg_temp.sees('bank-h', 'q_mask'), true, 'R-TF-6: the recipient sees the masked post');
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT count(*)::int FROM council.post_authors WHERE post_id = pg_temp.p('q_mask')), 0,
    'R-TF-6: the recipient does not see the masked post''s author row');
SELECT is((SELECT count(*)::int FROM council.post_authors WHERE post_id = pg_temp.p('q_plain')), 1,
    'R-TF-6: the recipient sees an unmasked post''s author row');
SELECT pg_temp.as_('v1-n');
SELECT is((SELECT count(*)::int FROM council.post_authors WHERE post_id = pg_temp.p('q_mask')), 1,
    'R-TF-6: another person of the author''s organisation sees the masked author');
SELECT pg_temp.as_('coord-h');
SELECT is((SELECT count(*)::int FROM council.post_authors WHERE post_id = pg_temp.p('q_mask')), 1,
    'R-TF-6: the coordinator sees the masked author');
SELECT is(pg_temp.val('bank-h', format('SELECT council.post_author_org(%s)', pg_temp.p('q_mask'))),
          pg_temp.val('bank-h', 'SELECT council.post_author_org(999999999)'),
    'R-TF-6: the recipient cannot learn the masked author through council.post_author_org');
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE object_id = pg_temp.p('q_mask')), 0,
    'R-TF-6: the recipient sees no audit row naming the masked author');

SELECT * FROM finish();
ROLLBACK;
