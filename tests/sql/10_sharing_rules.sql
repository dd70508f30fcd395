-- tests/sql/10_sharing_rules.sql: the sharing scope and secrecy rules
-- (docs/sharing.md; rule IDs of council-rules.md): R-SCOPE-1..5,
-- R-SECRET-1..3, R-ORG-4, replies, and "no exists-but-hidden leaks".
--
-- The fixtures are built in this transaction: organisations "tr-*",
-- people, handler registrations, groups and sessions as the superuser;
-- then every post is created THROUGH council.create_post as its author
-- (SET LOCAL ROLE council_app + council.session, as councild does), and
-- every visibility is asked as council_app, through row-level security.
-- pg_temp.readers(post) asks each of the 23 test people whether it sees
-- the post, so an expected reader list is a positive AND a negative test.
-- Run by pg_prove (psql) as the superuser; everything is rolled back.
BEGIN;
SELECT plan(110);
\ir fixtures/sharing.psql

SET LOCAL ROLE council_app;
SELECT is(current_user::text, 'council_app', 'the tests run as council_app, through row-level security');

-- The posts, created through council.create_post as their authors. --------------
SELECT pg_temp.post('p_org',  'bank-h',  'analysis', false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('p_grp',  'v1-h',    'analysis', false, jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp'))));
SELECT pg_temp.post('p_t1',   'bank-h',  'report',   false, '[{"class": "type1_group"}]');
SELECT pg_temp.post('p_tf',   'bank-h',  'report',   false, '[{"class": "task_force"}]');
SELECT pg_temp.post('p_t2',   'bank-h',  'report',   false, '[{"class": "type2"}]');
SELECT pg_temp.post('p_sect', 'power-h', 'report',   false, '[{"class": "sector", "sector": "finance"}]');
SELECT pg_temp.post('p_cat',  'bank-h',  'report',   false, '[{"class": "category", "category": "academia"}]');
SELECT pg_temp.post('p_jp',   'bank-h',  'report',   false, '[{"class": "coordinator"}]');
SELECT pg_temp.post('p_all',  'bank-h',  'report',   false, '[{"class": "all_members"}]');
SELECT pg_temp.post('p_clear','bank-h',  'report',   false, NULL);
SELECT pg_temp.post('e_sup',  'bank-h',  'report',   false, '[{"class": "all_members"}]', '[{"supervisors": true}]');
SELECT pg_temp.post('e_supn', 'bank-h',  'report',   false, pg_temp.orgs('tr-fsa', 'tr-power'), '[{"supervisors": true}]');
SELECT pg_temp.post('e_grp',  'v1-h',    'analysis', false, jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp'))),
                    jsonb_build_array(jsonb_build_object('org', pg_temp.o('tr-fsa'))));
SELECT pg_temp.post('e_inv',  'bank-h',  'report',   false, pg_temp.orgs('tr-police') || '[{"class": "all_members"}]', '[{"investigative": true}]');
SELECT pg_temp.post('a_coord','coord-h', 'alert',    false, pg_temp.orgs('tr-bank'));
SELECT pg_temp.post('a_sec',  'sec-a',   'alert',    false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('a_der',  'bank-h',  'analysis', false, '[{"class": "all_members"}]', sources => '{a_coord}');
SELECT pg_temp.post('s1',     'bank-h',  'report',   false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('d1',     'coord-h', 'analysis', false, '[{"class": "all_members"}]', sources => '{s1}');
SELECT pg_temp.post('d2',     'coord-h', 'analysis', false, '[{"class": "all_members"}]', sources => '{s1}');
SELECT pg_temp.post('d3',     'coord-h', 'analysis', false, pg_temp.orgs('tr-power'), sources => '{s1}');
SELECT pg_temp.post('x1',     'bank-h',  'report',   true,  pg_temp.orgs('tr-power', 'tr-univ', 'tr-optout', 'tr-vendor1'));
SELECT pg_temp.post('r1',     'power-h', 'report',   false, NULL, parent => 'p_org');

-- R-SCOPE-1: a designated scope reaches exactly what it names. ---------------------
SELECT is(pg_temp.readers('p_org'),
    pg_temp.srt('{bank-h,bank-n,bank-d,power-h,coord-h,coord-n}'),
    'R-SCOPE-1: a post scoped to a named organisation reaches it, the author''s organisation and the coordinator, nobody else');
SELECT is(pg_temp.sees('power-h', 'p_org'), true, 'R-SCOPE-1: the named organisation sees the post');
SELECT is(pg_temp.sees('bank2-h', 'p_org'), false, 'R-SCOPE-1: a member of the author''s own sector, not named, does not');
SELECT is(pg_temp.sees('fsa-h', 'p_org'), false, 'R-SCOPE-1: the author''s supervisor, not named, does not');
SELECT is(pg_temp.readers('p_grp'),
    pg_temp.srt('{v1-h,v1-n,bank-h,bank-n,bank-d,power-h,fsa-h,cmt,coord-h,coord-n}'),
    'R-SCOPE-1: a group scope reaches exactly the group''s member organisations (and author, coordinator)');
SELECT is(pg_temp.readers('p_t1'), pg_temp.srt('{bank-h,bank-n,bank-d,coord-h,coord-n,v1-h,v1-n}'),
    'R-SCOPE-1 (R-TF-2): the type1_group class reaches the coordinator and Type 1 members only');
SELECT is(pg_temp.readers('p_tf'), pg_temp.srt('{bank-h,bank-n,bank-d,coord-h,coord-n,v1-h,v1-n,v2-h}'),
    'R-SCOPE-1 (R-TF-1): the task_force class reaches the coordinator, Type 1 and Type 2 only');
SELECT is(pg_temp.readers('p_t2'), pg_temp.srt('{bank-h,bank-n,bank-d,coord-h,coord-n,v2-h}'),
    'R-SCOPE-1: the type2 class reaches Type 2 members only (not Type 1)');
SELECT is(pg_temp.readers('p_sect'), pg_temp.srt('{power-h,bank-h,bank-n,bank-d,bank2-h,coord-h,coord-n}'),
    'R-SCOPE-1: a sector class reaches that sector''s operators only (not its supervisor)');
SELECT is(pg_temp.readers('p_cat'), pg_temp.srt('{bank-h,bank-n,bank-d,optout-h,univ-n,coord-h,coord-n}'),
    'R-SCOPE-1: a category class reaches that category only');
SELECT is(pg_temp.readers('p_jp'), pg_temp.srt('{bank-h,bank-n,bank-d,coord-h,coord-n}'),
    'R-SCOPE-1: the coordinator class reaches the coordinator only');
SELECT is(pg_temp.readers('p_all'), pg_temp.all_but('{sec-a,sec-b,liaison-h}'),
    'R-SCOPE-1: all_members reaches every member (not the secretariat, not a liaison member directly)');

-- Only the giver widens (council.widen_scope); nothing narrows.
SELECT is(pg_temp.sees('police-h', 'p_org'), false, 'R-SCOPE-1: before widening, an unnamed organisation does not see the post');
SELECT throws_ok(format($$SELECT pg_temp.as_('power-h'); SELECT council.widen_scope(%s, '[{"class": "all_members"}]')$$, pg_temp.p('p_org')),
    'CP403', 'only_the_giver_widens', 'R-SCOPE-1: a recipient cannot widen the scope (CP403)');
SELECT throws_ok(format($$SELECT pg_temp.as_('coord-h'); SELECT council.widen_scope(%s, '[{"class": "all_members"}]')$$, pg_temp.p('p_org')),
    'CP403', 'only_the_giver_widens', 'R-SCOPE-1: not even the coordinator widens another''s scope (CP403)');
SELECT is(pg_temp.readers('p_org'), pg_temp.srt('{bank-h,bank-n,bank-d,power-h,coord-h,coord-n}'),
    'R-SCOPE-1: refused widenings changed nothing');
SELECT lives_ok(format($$SELECT pg_temp.as_('bank-h'); SELECT council.widen_scope(%s, %L)$$, pg_temp.p('p_org'), pg_temp.orgs('tr-police')),
    'R-SCOPE-1: the giver widens its own post''s scope');
SELECT is(pg_temp.readers('p_org'), pg_temp.srt('{bank-h,bank-n,bank-d,power-h,police-h,coord-h,coord-n}'),
    'R-SCOPE-1: after widening, exactly the added organisation also sees it');
SELECT is(pg_temp.readers('r1'), pg_temp.readers('p_org'),
    'R-SCOPE-1: a reply''s audience follows its parent''s, widening included');

SELECT pg_temp.as_('bank-h');
SELECT throws_ok(format('DELETE FROM council.post_scope WHERE post_id = %s', pg_temp.p('p_org')),
    '42501', NULL, 'R-SCOPE-1: council_app cannot DELETE scope entries (nothing narrows)');
SELECT throws_ok(format('UPDATE council.post_scope SET org_id = %s WHERE post_id = %s', pg_temp.o('tr-bank'), pg_temp.p('p_org')),
    '42501', NULL, 'R-SCOPE-1: council_app cannot UPDATE scope entries');
SELECT throws_ok(format('INSERT INTO council.post_scope (post_id, class) VALUES (%s, ''all_members'')', pg_temp.p('p_org')),
    '42501', NULL, 'R-SCOPE-1: council_app cannot INSERT scope entries around widen_scope');
SELECT throws_ok(format('INSERT INTO council.post_exclusions (post_id, kind, org_id) VALUES (%s, ''org'', %s)', pg_temp.p('p_org'), pg_temp.o('tr-power')),
    '42501', NULL, 'R-SCOPE-1: council_app cannot add an exclusion after the fact');
SELECT throws_ok(format('DELETE FROM council.post_exclusions WHERE post_id = %s', pg_temp.p('e_sup')),
    '42501', NULL, 'R-SCOPE-1: council_app cannot DELETE exclusions');
SELECT throws_ok(format('UPDATE council.posts SET scope_designated = false WHERE id = %s', pg_temp.p('p_org')),
    '42501', NULL, 'R-SCOPE-1: council_app cannot UPDATE posts');
SELECT throws_ok(format('DELETE FROM council.posts WHERE id = %s', pg_temp.p('p_org')),
    '42501', NULL, 'R-SCOPE-1: council_app cannot DELETE posts');
SELECT throws_ok(format('INSERT INTO council.post_audience (org_id, post_id) VALUES (%s, %s)', pg_temp.o('tr-vendor1'), pg_temp.p('p_org')),
    '42501', NULL, 'R-SCOPE-1: council_app cannot write the materialised audience');
SELECT throws_ok(format('SELECT council.scope_insert(%s, ''[{"class": "all_members"}]'')', pg_temp.p('p_org')),
    '42501', NULL, 'R-SCOPE-1: council_app cannot call council.scope_insert directly');
SELECT throws_ok(format('SELECT council.audience_refresh_post(%s)', pg_temp.p('p_org')),
    '42501', NULL, 'R-SCOPE-1: council_app cannot call council.audience_refresh_post');

-- R-SCOPE-2: exclusions win over every way in. -----------------------------------
SELECT is(pg_temp.readers('e_sup'), pg_temp.all_but('{sec-a,sec-b,liaison-h,fsa-h,cmt}'),
    'R-SCOPE-2: "supervisors of my sector" excluded from an all-members post: everyone else sees it');
SELECT is(pg_temp.sees('fsa-h', 'e_sup'), false, 'R-SCOPE-2: the excluded supervisor does not see it');
SELECT is(pg_temp.readers('e_supn'), pg_temp.srt('{bank-h,bank-n,bank-d,power-h,coord-h,coord-n}'),
    'R-SCOPE-2: the exclusion wins over naming the supervisor explicitly');
SELECT is(pg_temp.readers('e_grp'), pg_temp.srt('{v1-h,v1-n,bank-h,bank-n,bank-d,power-h,coord-h,coord-n}'),
    'R-SCOPE-2: a named-organisation exclusion wins over membership of a scoped group');
SELECT is(pg_temp.readers('e_inv'), pg_temp.all_but('{sec-a,sec-b,liaison-h,police-h}'),
    'R-SCOPE-2: excluding investigative bodies wins over naming the police explicitly');
SELECT lives_ok(format($$SELECT pg_temp.as_('bank-h'); SELECT council.widen_scope(%s, %L)$$, pg_temp.p('e_supn'),
                       pg_temp.orgs('tr-fsa') || jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp')))),
    'R-SCOPE-2: the giver widens an excluding post by the supervisor again and by a group containing it');
SELECT is(pg_temp.sees('fsa-h', 'e_supn'), false, 'R-SCOPE-2: the exclusion still wins after widening');

-- R-SCOPE-3: the secretariat's and coordinator's scopes hold like any other. -------
SELECT is(pg_temp.readers('a_coord'), pg_temp.srt('{bank-h,bank-n,bank-d,coord-h,coord-n}'),
    'R-SCOPE-3: a coordinator alert reaches exactly its scope');
SELECT is(pg_temp.readers('a_sec'), pg_temp.srt('{power-h,sec-a,sec-b,coord-h,coord-n}'),
    'R-SCOPE-3: a secretariat alert reaches exactly its scope (and its author)');
SELECT throws_ok(format($$SELECT pg_temp.as_('bank-h'); SELECT council.widen_scope(%s, '[{"class": "all_members"}]')$$, pg_temp.p('a_coord')),
    'CP403', 'only_the_giver_widens', 'R-SCOPE-3: a recipient cannot widen the coordinator''s alert');
SELECT is(pg_temp.readers('a_der'), pg_temp.srt('{bank-h,bank-n,bank-d,coord-h,coord-n}'),
    'R-SCOPE-3: a post derived from the coordinator''s alert stays within the alert''s scope without its consent');
SELECT throws_ok($$SELECT pg_temp.as_('bank-h'); SELECT council.create_post('alert', 't', 'b', false, p_scope => '[{"class": "all_members"}]')$$,
    'CP403', 'alert_only_from_secretariat', 'R-SCOPE-3: only the secretariat bodies issue alerts');

-- R-SCOPE-4: derived posts. ---------------------------------------------------------
SELECT is(pg_temp.readers('d1'), pg_temp.srt('{bank-h,bank-n,bank-d,power-h,coord-h,coord-n}'),
    'R-SCOPE-4: an all-members post derived from a source scoped to one org reaches only the intersection');
SELECT is(pg_temp.sees('v1-h', 'd1'), false, 'R-SCOPE-4: an org outside the source''s scope does not see the derived post');
SELECT pg_temp.as_('coord-h');
SELECT results_eq(format('SELECT status::text FROM council.consents WHERE post_id = %s AND source_post_id = %s', pg_temp.p('d1'), pg_temp.p('s1')),
    ARRAY['pending'], 'R-SCOPE-4: a wider derived post creates a pending consent request to the giver');
SELECT is((SELECT count(*)::int FROM council.consents WHERE post_id = pg_temp.p('d3')), 0,
    'R-SCOPE-4: a derived post within the source''s scope creates no consent request');
SELECT is(pg_temp.readers('d3'), pg_temp.srt('{power-h,coord-h,coord-n}'),
    'R-SCOPE-4: a derived post within the source''s scope reaches what it names');
SELECT pg_temp.as_('coord-h');
SELECT id AS c1 FROM council.consents WHERE post_id = pg_temp.p('d1') \gset
SELECT id AS c2 FROM council.consents WHERE post_id = pg_temp.p('d2') \gset
SELECT throws_ok(format($$SELECT pg_temp.as_('coord-h'); SELECT council.decide_consent(%s, true)$$, :c1),
    'CP403', 'only_the_giver_decides', 'R-SCOPE-4: the derived post''s author (who sees the request) cannot grant it (CP403)');
SELECT throws_ok(format($$SELECT pg_temp.as_('power-h'); SELECT council.decide_consent(%s, true)$$, :c1),
    'CP404', 'consent_not_found', 'R-SCOPE-4: a recipient of both posts, not the giver, cannot grant it (answered as absent)');
SELECT lives_ok(format($$SELECT pg_temp.as_('bank-h'); SELECT council.decide_consent(%s, false)$$, :c1),
    'R-SCOPE-4: the giver refuses consent');
SELECT is(pg_temp.readers('d1'), pg_temp.srt('{bank-h,bank-n,bank-d,power-h,coord-h,coord-n}'),
    'R-SCOPE-4: a refused consent keeps the limit');
SELECT throws_ok(format($$SELECT pg_temp.as_('bank-h'); SELECT council.decide_consent(%s, true)$$, :c1),
    'CP422', 'consent_already_decided', 'R-SCOPE-4: a refusal cannot be turned into a grant afterwards');
SELECT lives_ok(format($$SELECT pg_temp.as_('coord-h'); SELECT council.widen_scope(%s, %L)$$, pg_temp.p('d1'), pg_temp.orgs('tr-vendor1')),
    'R-SCOPE-4: the derived post''s author may widen its own scope ...');
SELECT is(pg_temp.sees('v1-h', 'd1'), false, 'R-SCOPE-4: ... but a refused consent still keeps the limit');
SELECT is(pg_temp.readers('d2'), pg_temp.srt('{bank-h,bank-n,bank-d,power-h,coord-h,coord-n}'),
    'R-SCOPE-4: before consent, the second derived post is limited too');
SELECT lives_ok(format($$SELECT pg_temp.as_('bank-h'); SELECT council.decide_consent(%s, true)$$, :c2),
    'R-SCOPE-4: the giver grants consent');
SELECT is(pg_temp.readers('d2'), pg_temp.all_but('{sec-a,sec-b,liaison-h}'),
    'R-SCOPE-4: a granted consent lifts the limit: the derived post reaches its whole scope');
SELECT lives_ok(format($$SELECT pg_temp.as_('bank-h'); SELECT council.widen_scope(%s, %L)$$, pg_temp.p('s1'), pg_temp.orgs('tr-vendor2')),
    'R-SCOPE-4: the giver widens the source');
SELECT is(pg_temp.readers('d1'), pg_temp.srt('{bank-h,bank-n,bank-d,power-h,v2-h,coord-h,coord-n}'),
    'R-SCOPE-4: the limit follows the source''s scope as its giver widens it (and nothing else)');
SELECT lives_ok(format($$SELECT pg_temp.as_('coord-h'); SELECT council.widen_scope(%s, '[{"class": "all_members"}]')$$, pg_temp.p('d3')),
    'R-SCOPE-4: the author widens a derived post that was within its source''s scope');
SELECT is(pg_temp.sees('v1-h', 'd3'), false,
    'R-SCOPE-4: widening a derived post beyond its source does not bypass the giver');
SELECT pg_temp.as_('coord-h');
SELECT is((SELECT count(*)::int FROM council.consents WHERE post_id = pg_temp.p('d3') AND status = 'pending'), 1,
    'R-SCOPE-4: widening a derived post beyond its source asks the giver for consent');

-- R-SCOPE-5: no scope, no secret. ----------------------------------------------------
SELECT is(pg_temp.readers('p_clear'), pg_temp.all_but('{sec-a,sec-b,liaison-h}'),
    'R-SCOPE-5: a post without a designated scope reaches every member');
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT tlp::text FROM council.posts WHERE id = pg_temp.p('p_clear')), 'clear',
    'R-SCOPE-5: a post without a designated scope is TLP:CLEAR');
SELECT is((SELECT scope_designated FROM council.posts WHERE id = pg_temp.p('p_clear')), false,
    'R-SCOPE-5: ... and is recorded as undesignated');
SELECT throws_ok($$SELECT pg_temp.as_('bank-h'); SELECT council.create_post('report', 't', 'b', true)$$,
    'CP422', 'secret_needs_scope', 'R-SCOPE-5: a secret without a designated scope is refused');

-- R-SECRET-1: declare secrecy. -------------------------------------------------------
SELECT throws_ok($$SELECT pg_temp.as_('bank-h'); SELECT council.create_post('report', 't', 'b', NULL, p_scope => '[{"class": "all_members"}]')$$,
    'CP422', 'secret_declaration_required', 'R-SECRET-1: create_post without a secrecy declaration is refused');
SELECT throws_ok($$SELECT pg_temp.as_('bank-h'); SELECT council.create_post('report', 't', 'b', NULL)$$,
    'CP422', 'secret_declaration_required', 'R-SECRET-1: ... also without a scope');
SELECT lives_ok($$SELECT pg_temp.as_('bank-h'); SELECT council.create_post('report', 't', 'b', false, p_scope => '[{"class": "coordinator"}]')$$,
    'R-SECRET-1: an explicit "not secret" declaration is accepted');
SELECT throws_ok($$INSERT INTO council.posts (kind, title, is_secret, scope_designated, tlp) VALUES ('report', 't', NULL, true, 'amber')$$,
    '42501', NULL, 'R-SECRET-1: council_app cannot insert a post around create_post');

-- R-SECRET-2, R-SECRET-3, R-ORG-4: secrets only to registered handlers. ---------------
SELECT is(pg_temp.readers('x1'), pg_temp.srt('{bank-h,power-h,v1-h,coord-h}'),
    'R-SECRET-2: a secret reaches only the registered handlers of in-scope members (and of the coordinator)');
SELECT is(pg_temp.sees('v1-n', 'x1'), false, 'R-SECRET-2: a non-handler of an in-scope member sees no secret');
SELECT is(pg_temp.sees('univ-n', 'x1'), false, 'R-SECRET-2: a member with no registered handler at all sees no secret');
SELECT is(pg_temp.sees('bank-n', 'x1'), false, 'R-SECRET-2: a non-handler of the author''s own organisation sees no secret');
SELECT is(pg_temp.sees('bank-d', 'x1'), false, 'R-SECRET-2, R-ORG-4: a deregistered handler sees no secret');
SELECT is(pg_temp.sees('coord-n', 'x1'), false, 'R-SECRET-2: the coordinator''s non-handlers see no secret either');
SELECT is(pg_temp.sees('coord-h', 'x1'), true, 'R-SECRET-2: the coordinator''s handler sees it');
SELECT is(pg_temp.sees('v1-n', 'p_t1'), true, 'R-SECRET-2: the same non-handler sees non-secret posts of its scope');
SELECT throws_ok($$SELECT pg_temp.as_('bank-n'); SELECT council.create_post('report', 't', 'b', true, p_scope => '[{"class": "coordinator"}]')$$,
    'CP403', 'secret_needs_registered_handler', 'R-SECRET-2: a non-handler cannot post a secret');
SELECT throws_ok($$SELECT pg_temp.as_('bank-d'); SELECT council.create_post('report', 't', 'b', true, p_scope => '[{"class": "coordinator"}]')$$,
    'CP403', 'secret_needs_registered_handler', 'R-SECRET-2, R-ORG-4: a deregistered handler cannot post a secret');
SELECT pg_temp.as_('v1-n');
SELECT is((SELECT ARRAY[(SELECT count(*) FROM council.post_bodies WHERE post_id = pg_temp.p('x1')),
                        (SELECT count(*) FROM council.post_scope WHERE post_id = pg_temp.p('x1')),
                        (SELECT count(*) FROM council.post_authors WHERE post_id = pg_temp.p('x1'))]),
    '{0,0,0}'::bigint[], 'R-SECRET-2: a non-handler sees no body, scope entry or author row of the secret');
SELECT is(pg_temp.sees('optout-h', 'x1'), false, 'R-SECRET-3: a handler of an organisation that opted out receives no secret');
SELECT is(pg_temp.sees('optout-h', 'p_cat'), true, 'R-SECRET-3: ... but receives non-secret posts of its scope');
SELECT throws_ok($$SELECT pg_temp.as_('optout-h'); SELECT council.create_post('report', 't', 'b', true, p_scope => '[{"class": "coordinator"}]')$$,
    'CP403', 'secret_needs_registered_handler', 'R-SECRET-3: an organisation that opted out cannot post a secret');
RESET ROLE;
UPDATE council.handler_registrations SET deregistered_at = now()
WHERE person_id = (SELECT person_id FROM t_people WHERE k = 'power-h') AND deregistered_at IS NULL;
SET LOCAL ROLE council_app;
SELECT is(pg_temp.sees('power-h', 'x1'), false, 'R-ORG-4: closing a handler registration ends secret access at once');
SELECT is(pg_temp.sees('power-h', 'p_org'), true, 'R-ORG-4: ... not access to non-secret posts');
SELECT throws_ok($$SELECT pg_temp.as_('power-h'); SELECT council.create_post('report', 't', 'b', true, p_scope => '[{"class": "coordinator"}]')$$,
    'CP403', 'secret_needs_registered_handler', 'R-ORG-4: ... and the person can no longer post a secret');
RESET ROLE;
INSERT INTO council.handler_registrations (person_id)
SELECT person_id FROM t_people WHERE k = 'power-h';
SET LOCAL ROLE council_app;
SELECT is(pg_temp.sees('power-h', 'x1'), true, 'R-ORG-4: a new registration (the history keeps the old one) restores access');

-- Replies inherit scope; hidden parents are "not found". -------------------------
SELECT throws_ok(format($$SELECT pg_temp.as_('power-h'); SELECT council.create_post('report', 't', 'b', false, p_scope => '[{"class": "all_members"}]', p_parent => %s)$$, pg_temp.p('p_org')),
    'CP422', 'reply_inherits_scope', 'replies: a reply cannot carry its own scope');
SELECT throws_ok(format($$SELECT pg_temp.as_('v2-h'); SELECT council.create_post('report', 't', 'b', false, p_parent => %s)$$, pg_temp.p('p_org')),
    'CP404', 'post_not_found', 'replies: a reply to a hidden post fails with CP404 post_not_found');
SELECT throws_ok($$SELECT pg_temp.as_('v2-h'); SELECT council.create_post('report', 't', 'b', false, p_parent => 999999999)$$,
    'CP404', 'post_not_found', 'replies: a reply to a non-existent post fails with CP404 post_not_found');
SELECT is(pg_temp.err('v2-h', format('SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => %s)', pg_temp.p('p_org'))),
          pg_temp.err('v2-h', 'SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => 999999999)'),
    'replies: hidden and absent parents give the same SQLSTATE and message');
SELECT is(pg_temp.err('bank-n', format('SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => %s)', pg_temp.p('x1'))),
          pg_temp.err('bank-n', 'SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => 999999999)'),
    'replies: a secret parent hidden from a non-handler is answered like an absent one');
SELECT pg_temp.as_('power-h');
SELECT is((SELECT tlp::text FROM council.posts WHERE id = pg_temp.p('r1')), 'amber_strict',
    'replies: a reply carries its parent''s TLP');

-- No exists-but-hidden leaks. ------------------------------------------------------
SELECT is(pg_temp.err('v1-h', format('SELECT council.create_post(''analysis'', ''t'', ''b'', false, p_scope => ''[{"class": "type1_group"}]'', p_sources => ARRAY[%s]::bigint[])', pg_temp.p('s1'))),
          pg_temp.err('v1-h', 'SELECT council.create_post(''analysis'', ''t'', ''b'', false, p_scope => ''[{"class": "type1_group"}]'', p_sources => ARRAY[999999999]::bigint[])'),
    'leaks: a hidden source and an absent source give the same error');
SELECT is(pg_temp.err('v1-h', format('SELECT council.widen_scope(%s, ''[{"class": "all_members"}]'')', pg_temp.p('p_org'))),
          pg_temp.err('v1-h', 'SELECT council.widen_scope(999999999, ''[{"class": "all_members"}]'')'),
    'leaks: widen_scope of a hidden post and of an absent post give the same error');
SELECT pg_temp.as_('coord-h');
SELECT id AS c_ader FROM council.consents WHERE post_id = pg_temp.p('a_der') \gset
SELECT is(pg_temp.err('v1-h', format('SELECT council.decide_consent(%s, true)', :c_ader)),
          pg_temp.err('v1-h', 'SELECT council.decide_consent(999999999, true)'),
    'leaks: decide_consent on a hidden consent and on an absent one give the same error');
SELECT is(pg_temp.err('bank-h', format('SELECT council.create_post(''report'', ''t'', ''b'', false, p_scope => ''[{"group": %s}]'')', pg_temp.g('tr-grp-hidden'))),
          pg_temp.err('bank-h', 'SELECT council.create_post(''report'', ''t'', ''b'', false, p_scope => ''[{"group": 999999999}]'')'),
    'leaks: naming a hidden group and an absent group give the same error');
SELECT is(pg_temp.val('v1-h', format('SELECT council.post_author_org(%s)', pg_temp.p('p_org'))),
          pg_temp.val('v1-h', 'SELECT council.post_author_org(999999999)'),
    'leaks: council.post_author_org answers the same for a hidden post as for an absent one');

-- Replies to a secret (R-SECRET-2): a non-secret one would show
-- non-handlers a parent_id they cannot see.
SELECT throws_ok(format($$SELECT pg_temp.as_('bank-h'); SELECT council.create_post('report', 't', 'b', false, p_parent => %s)$$, pg_temp.p('x1')),
    'CP422', 'reply_to_secret_must_be_secret', 'R-SECRET-2: a reply to a secret must itself be secret');
SELECT pg_temp.post('r_x1', 'power-h', 'report', true, NULL, parent => 'x1');
SELECT is(pg_temp.readers('r_x1'), pg_temp.readers('x1'),
    'R-SECRET-2: a secret reply to a secret reaches exactly the secret''s readers');
RESET ROLE;
SELECT min(id) AS lo, max(id) AS hi FROM council.posts \gset
CREATE FUNCTION pg_temp.offenders(q text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE r text; n bigint; acc text[] := '{}';
BEGIN
    FOR r IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        PERFORM pg_temp.as_(r);
        EXECUTE q INTO n;
        IF n <> 0 THEN acc := acc || r; END IF;
    END LOOP;
    RETURN acc;
END $$;
SET LOCAL ROLE council_app;
SELECT is(pg_temp.offenders(format($$SELECT (SELECT count(*) FROM council.posts)
        - (SELECT count(*) FROM generate_series(%s, %s) i WHERE EXISTS (SELECT 1 FROM council.posts WHERE id = i))$$, :lo, :hi)),
    '{}'::text[], 'leaks: for every person, count(*) over posts equals the number of posts it can look up');
SELECT is(pg_temp.offenders($$SELECT (SELECT count(*) FROM council.post_bodies) - (SELECT count(*) FROM council.posts)$$),
    '{}'::text[], 'leaks: for every person, count(*) over post_bodies equals its number of visible posts');
SELECT is(pg_temp.offenders($$SELECT count(*) FROM council.post_scope s WHERE NOT EXISTS (SELECT 1 FROM council.posts p WHERE p.id = s.post_id)$$),
    '{}'::text[], 'leaks: no person sees a scope entry of a post it cannot see');
SELECT is(pg_temp.offenders($$SELECT count(*) FROM council.post_exclusions s WHERE NOT EXISTS (SELECT 1 FROM council.posts p WHERE p.id = s.post_id)$$),
    '{}'::text[], 'leaks: no person sees an exclusion of a post it cannot see');
SELECT is(pg_temp.offenders($$SELECT count(*) FROM council.post_sources s WHERE NOT EXISTS (SELECT 1 FROM council.posts p WHERE p.id = s.source_post_id)$$),
    '{}'::text[], 'leaks: no person sees a source link to a post it cannot see');
SELECT is(pg_temp.offenders($$SELECT count(*) FROM council.post_audience a WHERE NOT EXISTS (SELECT 1 FROM council.posts p WHERE p.id = a.post_id)$$),
    '{}'::text[], 'leaks: no person sees a post_audience row of a post it cannot see (e.g. a non-handler and a secret)');
SELECT is(pg_temp.offenders($$SELECT count(*) FROM council.posts r WHERE r.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM council.posts p WHERE p.id = r.parent_id)$$),
    '{}'::text[], 'leaks: no person sees a reply whose parent_id names a post it cannot see (a non-secret reply to a secret)');
SELECT is(pg_temp.offenders($$SELECT count(*) FROM council.audit_log l
        WHERE l.person_id = (SELECT council.current_person_id()) AND l.action LIKE 'post.read.%'
          AND NOT EXISTS (SELECT 1 FROM council.posts p WHERE p.id = l.object_id)$$),
    '{}'::text[], 'leaks: after all the scans above, nobody''s audit trail records a read of a post it could not see');
RESET ROLE;
-- How many audit rows about post p, by `who`, does calling
-- council.audit_post_read(p, true) as `who` add (as `who` sees them)?
CREATE FUNCTION pg_temp.trace(who text, p bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n0 bigint; n1 bigint;
BEGIN
    PERFORM pg_temp.as_(who);
    SELECT count(*) INTO n0 FROM council.audit_log WHERE object_id = p;
    PERFORM pg_temp.err(who, format('SELECT council.audit_post_read(%s, true)', p));
    SELECT count(*) INTO n1 FROM council.audit_log WHERE object_id = p;
    RETURN n1 - n0;
END $$;
SET LOCAL ROLE council_app;
SELECT is(pg_temp.trace('bank-n', pg_temp.p('x1')), pg_temp.trace('bank-n', 999999999),
    'leaks: calling council.audit_post_read on a hidden secret leaves the same trace as on an absent post');

SELECT * FROM finish();
ROLLBACK;
