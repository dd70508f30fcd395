-- tests/sql/44_uses.sql: need to know and the uses of a post (issue 14
-- item 3; R-TF-7, R-TF-8, R-ORG-9, R-USE-1; policy/93_uses.sql): a task-
-- force participant deriving from information held within the task force
-- for members outside it must state why they need it (recorded, read by
-- the coordinator and its own organisation only); the uses a Type 1
-- member (customer protection) and a mutual-aid body (relay to its
-- constituents) record, refused to everyone else, seen by the user, the
-- giver and the coordinator only.  Same fixtures as 10_sharing_rules.sql,
-- plus a mutual-aid body.  Rolled back.
BEGIN;
SELECT plan(42);
\ir fixtures/sharing.psql

-- A mutual-aid body (R-ORG-9) with a handler, before any post.
INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
VALUES ('tr-isac', 'tr-isac', 'tr-isac', 'mutual_aid', 'member');
INSERT INTO t_orgs SELECT slug, id FROM council.organisations WHERE slug = 'tr-isac';
INSERT INTO t_people (k, org, handler) VALUES ('isac-h', 'tr-isac', 'open');
INSERT INTO council.people (org_id, name_ja, name_en, email)
VALUES (pg_temp.o('tr-isac'), 'isac-h', 'isac-h', 'isac-h@rules-test.example.jp');
UPDATE t_people t SET person_id = p.id FROM council.people p
WHERE p.email = 'isac-h@rules-test.example.jp' AND t.k = 'isac-h';
INSERT INTO council.handler_registrations (person_id, registered_at)
SELECT person_id, now() - interval '1 day' FROM t_people WHERE k = 'isac-h';
INSERT INTO council.sessions (token_hash, person_id, expires_at)
SELECT sha256(convert_to('tr-tok-isac-h', 'UTF8')), person_id, now() + interval '1 hour'
FROM t_people WHERE k = 'isac-h';

SET LOCAL ROLE council_app;
SELECT pg_temp.post('src_tf', 'v1-h',  'analysis', false, '[{"class": "task_force"}]');
SELECT pg_temp.post('src_t1', 'v1-h',  'analysis', false, pg_temp.orgs('tr-vendor2'));
SELECT pg_temp.post('src_bk', 'bank-h', 'report',  false, pg_temp.orgs('tr-vendor1'));
SELECT pg_temp.post('p_all',  'bank-h', 'report',  false, '[{"class": "all_members"}]');
SELECT pg_temp.post('p_pow',  'power-h', 'report', false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('x1',     'bank-h', 'report',  true,  pg_temp.orgs('tr-power', 'tr-vendor1', 'tr-isac'));

-- ---- R-TF-7: need to know. -----------------------------------------------------
SELECT pg_temp.as_('v1-h');
SELECT throws_ok(format($$SELECT council.create_post('analysis', 'd', 'b', false,
        p_scope => '[{"class": "all_members"}]', p_sources => ARRAY[%s]::bigint[])$$, pg_temp.p('src_tf')),
    'CP422', 'need_to_know_required',
    'R-TF-7: a TF participant deriving from a task-force post for every member must say why they need it');
SELECT throws_ok(format($$SELECT council.create_post('analysis', 'd', 'b', false,
        p_scope => '[{"class": "all_members"}]', p_sources => ARRAY[%s]::bigint[], p_need_to_know => '   ')$$, pg_temp.p('src_tf')),
    'CP422', 'need_to_know_required', 'R-TF-7: ... blanks are no statement');
SELECT throws_ok(format($$SELECT council.create_post('analysis', 'd', 'b', false,
        p_scope => %L, p_sources => ARRAY[%s]::bigint[])$$, pg_temp.orgs('tr-bank'), pg_temp.p('src_t1')),
    'CP422', 'need_to_know_required',
    'R-TF-7: ... and so for a source whose every reader is in the task force, to one member outside it');
SELECT is((SELECT count(*)::int FROM council.posts WHERE title = 'd'), 0, 'R-TF-7: ... refused, nothing is stored');
SELECT lives_ok(format($$INSERT INTO pg_temp.t_posts SELECT 'd_ntk', council.create_post('analysis', 'd', 'b', false,
        p_scope => '[{"class": "all_members"}]', p_sources => ARRAY[%s]::bigint[],
        p_need_to_know => ' 全会員の VPN 機器が対象のため '), false$$, pg_temp.p('src_tf')),
    'R-TF-7: ... with the statement it is posted');
SELECT pg_temp.as_('coord-h');
SELECT is((SELECT reason || ' ' || array_to_string(sources, ',') FROM council.post_need_to_know
           WHERE post_id = pg_temp.p('d_ntk')),
    '全会員の VPN 機器が対象のため ' || pg_temp.p('src_tf'),
    'R-TF-7: the statement is recorded (trimmed) with the source that asked for it, and the coordinator reads it');
SELECT pg_temp.as_('v1-h');
SELECT lives_ok(format($$INSERT INTO pg_temp.t_posts SELECT 'd_in', council.create_post('analysis', 'd2', 'b', false,
        p_scope => '[{"class": "type1_group"}]', p_sources => ARRAY[%s]::bigint[]), false$$, pg_temp.p('src_tf')),
    'R-TF-7: within the task force no statement is asked');
SELECT lives_ok(format($$INSERT INTO pg_temp.t_posts SELECT 'd_bk', council.create_post('analysis', 'd3', 'b', false,
        p_scope => '[{"class": "all_members"}]', p_sources => ARRAY[%s]::bigint[]), false$$, pg_temp.p('src_bk')),
    'R-TF-7: nor for a source given by a member outside the task force (R-SCOPE-4''s consent governs it)');
SELECT pg_temp.as_('coord-h');
SELECT is((SELECT count(*)::int FROM council.post_need_to_know
           WHERE post_id IN (pg_temp.p('d_in'), pg_temp.p('d_bk'))), 0, '... and none is recorded');
SELECT pg_temp.as_('v1-h');
SELECT is((council.audience_preview('analysis', 't', 'b', false, false, '[{"class": "all_members"}]', '[]',
           ARRAY[pg_temp.p('src_tf')]))->>'need_to_know', 'true',
    'R-TF-7: the preview says the statement will be needed');
SELECT is((council.audience_preview('analysis', 't', 'b', false, false, '[{"class": "type1_group"}]', '[]',
           ARRAY[pg_temp.p('src_tf')]))->>'need_to_know', 'false', '... and when it will not');
RESET ROLE;

-- Who reads what, person by person.
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
SELECT is(pg_temp.who(format('SELECT count(*) FROM council.post_need_to_know WHERE post_id = %s', pg_temp.p('d_ntk'))),
    ARRAY['coord-h', 'coord-n', 'v1-h', 'v1-n'],
    'R-TF-7: the statement is read by the coordinator and the author''s organisation; no other reader of the post');

-- ---- R-TF-8, R-ORG-9, R-USE-1: uses. ----------------------------------------------
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('v1-h');
SELECT lives_ok(format($$SELECT council.post_use_record(%s, 'customer_protection', '顧客の VPN 設定を点検')$$, pg_temp.p('p_all')),
    'R-TF-8: a Type 1 member records a use to protect its customers');
SELECT throws_ok(format($$SELECT council.post_use_record(%s, 'constituent_relay', 'x')$$, pg_temp.p('p_all')),
    'CP403', 'relay_mutual_aid_only', 'R-ORG-9: ... but relays to constituents are a mutual-aid body''s');
SELECT pg_temp.as_('v2-h');
SELECT throws_ok(format($$SELECT council.post_use_record(%s, 'customer_protection', 'x')$$, pg_temp.p('p_all')),
    'CP403', 'customer_protection_type1_only', 'R-TF-8: a Type 2 member may not (Type 1 only)');
SELECT pg_temp.as_('bank2-h');
SELECT throws_ok(format($$SELECT council.post_use_record(%s, 'customer_protection', 'x')$$, pg_temp.p('p_all')),
    'CP403', 'customer_protection_type1_only', 'R-USE-1: a general member may not use it for third parties');
SELECT throws_ok(format($$SELECT council.post_use_record(%s, 'constituent_relay', 'x')$$, pg_temp.p('p_all')),
    'CP403', 'relay_mutual_aid_only', 'R-USE-1: ... nor relay it');
SELECT pg_temp.as_('isac-h');
SELECT lives_ok(format($$SELECT council.post_use_record(%s, 'constituent_relay', '会員向け注意喚起（範囲内）')$$, pg_temp.p('p_all')),
    'R-ORG-9: a mutual-aid body records a relay to its constituents');
SELECT throws_ok(format($$SELECT council.post_use_record(%s, 'customer_protection', 'x')$$, pg_temp.p('p_all')),
    'CP403', 'customer_protection_type1_only', 'R-TF-8: ... but not a customer-protection use');
SELECT pg_temp.as_('coord-h');
SELECT throws_ok(format($$SELECT council.post_use_record(%s, 'customer_protection', 'x')$$, pg_temp.p('p_all')),
    'CP403', 'secretariat_uses_for_council_only', 'R-USE-1: the coordinator (in the Type 1 group) uses it for the council only');
SELECT pg_temp.as_('bank-h');
SELECT throws_ok(format($$SELECT council.post_use_record(%s, 'customer_protection', 'x')$$, pg_temp.p('p_all')),
    'CP403', 'customer_protection_type1_only', '... and a giver is no Type 1 member either');
SELECT pg_temp.as_('v1-h');
SELECT is(pg_temp.err('v1-h', format($$SELECT council.post_use_record(%s, 'customer_protection', 'x')$$, pg_temp.p('p_pow'))),
          pg_temp.err('v1-h', $$SELECT council.post_use_record(999999999, 'customer_protection', 'x')$$),
    'R-TF-8: a post it does not see answers exactly like an absent one');
SELECT is(pg_temp.err('v1-h', $$SELECT council.post_use_record(999999999, 'customer_protection', 'x')$$),
    'CP404 post_not_found', '... post_not_found');
SELECT throws_ok(format($$SELECT council.post_use_record(%s, 'resale', 'x')$$, pg_temp.p('p_all')),
    'CP422', 'invalid_use_kind', 'R-USE-1: no other kind of use exists');
SELECT throws_ok(format($$SELECT council.post_use_record(%s, 'customer_protection', '  ')$$, pg_temp.p('p_all')),
    'CP422', 'invalid_note', 'a use says what was done');
SELECT lives_ok(format($$SELECT council.post_use_record(%s, 'customer_protection', '秘密: 顧客へ個別連絡')$$, pg_temp.p('x1')),
    'R-TF-8, R-SECRET-2: a Type 1 handler uses a secret within the secrecy duty');
SELECT is(pg_temp.err('v1-n', format($$SELECT council.post_use_record(%s, 'customer_protection', 'x')$$, pg_temp.p('x1'))),
    'CP404 post_not_found', 'R-SECRET-2: its colleague who is no handler cannot (the secret does not exist for it)');
RESET ROLE;
UPDATE council.handler_registrations SET trained_on = current_date - 400
WHERE person_id = (SELECT person_id FROM t_people WHERE k = 'isac-h') AND deregistered_at IS NULL;
SELECT is(pg_temp.err('isac-h', format($$SELECT council.post_use_record(%s, 'constituent_relay', 'x')$$, pg_temp.p('x1'))),
    'CP404 post_not_found', 'R-NEW-6, R-ORG-9: a handler whose training expired cannot use a secret either');
UPDATE council.handler_registrations SET trained_on = current_date
WHERE person_id = (SELECT person_id FROM t_people WHERE k = 'isac-h') AND deregistered_at IS NULL;

SELECT is(pg_temp.who(format('SELECT count(*) FROM council.post_uses WHERE post_id = %s', pg_temp.p('p_all'))),
    ARRAY['bank-d', 'bank-h', 'bank-n', 'coord-h', 'coord-n', 'isac-h', 'v1-h', 'v1-n'],
    'R-TF-8, R-ORG-9: the uses are seen by the users, the giver and the coordinator; no other reader of the post');
SELECT is(pg_temp.who(format('SELECT count(*) FROM council.post_uses WHERE post_id = %s AND org_id = %s',
                             pg_temp.p('p_all'), pg_temp.o('tr-isac'))),
    ARRAY['bank-d', 'bank-h', 'bank-n', 'coord-h', 'coord-n', 'isac-h'],
    '... one user does not see another''s use');
SELECT is(pg_temp.who(format('SELECT count(*) FROM council.post_uses WHERE post_id = %s', pg_temp.p('x1'))),
    ARRAY['bank-h', 'coord-h', 'v1-h'],
    'R-SECRET-2: a use of a secret is seen by handlers only, of the user, the giver and the coordinator (another reader, isac-h, not)');
SELECT is(pg_temp.who('SELECT count(*) FROM council.post_uses'),
    ARRAY['bank-d', 'bank-h', 'bank-n', 'coord-h', 'coord-n', 'isac-h', 'v1-h', 'v1-n'],
    'R-USE-1: nobody else counts any use');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('power-h', format('SELECT council.post_uses_json(%s)', pg_temp.p('x1'))),
    'no error', 'a reader of the post reads its page of uses ...');
SELECT is(pg_temp.val('power-h', format($$SELECT json_array_length(council.post_uses_json(%s)->'uses')$$, pg_temp.p('x1'))),
    '0', '... with no use it may not see');
SELECT is(pg_temp.err('fsa-h', format('SELECT council.post_uses_json(%s)', pg_temp.p('x1'))),
          pg_temp.err('fsa-h', 'SELECT council.post_uses_json(999999999)'),
    'a hidden post''s uses answer exactly like an absent post''s');
SELECT is(pg_temp.val('v1-h', format($$SELECT council.post_uses_json(%s)->>'may_use'$$, pg_temp.p('p_all'))),
    '["customer_protection"]', 'the page offers a Type 1 member its one kind');
SELECT is(pg_temp.val('bank2-h', format($$SELECT council.post_uses_json(%s)->>'may_use'$$, pg_temp.p('p_all'))),
    '[]', '... and a general member none');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM council.notifications n JOIN t_people t ON t.person_id = n.person_id
           WHERE t.k = 'bank-h' AND n.kind = 'post.used'), 3,
    'the giver''s author is told of each use (a notification naming the page)');
SELECT is((SELECT string_agg(action, ' ' ORDER BY id) FROM council.audit_log
           WHERE action IN ('post.use', 'post.need_to_know') AND at >= now()),
    'post.need_to_know post.use post.use post.use', 'every statement and use is in the audit log');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'council' AND c.relname IN ('post_uses', 'post_need_to_know')
             AND c.relrowsecurity AND c.relforcerowsecurity), 2,
    'row-level security enabled and forced on both tables');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('v1-h');
SELECT throws_ok(format($$SELECT council.need_to_know_record(%s, 'x')$$, pg_temp.p('d_in')),
    '42501', NULL, 'council_app cannot write a statement itself (only create_post does)');
SELECT throws_ok(format($$SELECT council.post_tf_held(%s)$$, pg_temp.p('p_pow')),
    '42501', NULL, 'R-TF-7: nor ask whether a post it does not see is held within the task force');

SELECT * FROM finish();
ROLLBACK;
