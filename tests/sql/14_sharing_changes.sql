-- tests/sql/14_sharing_changes.sql: effective scopes follow changes to the
-- organisations they depend on (docs/sharing.md, steps 1-4), without
-- recomputing every post; the secretariat stays out of replies to its own
-- posts (R-ORG-6, step 3); who sees a consent request (R-SCOPE-4); and the
-- identity view council.me.  Same fixtures and helpers as 10_sharing_rules.
BEGIN;
SELECT plan(31);
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

SET LOCAL ROLE council_app;
SELECT pg_temp.post('c_t1',  'bank-h', 'report', false, '[{"class": "type1_group"}]');
SELECT pg_temp.post('c_t2',  'bank-h', 'report', false, '[{"class": "type2"}]');
SELECT pg_temp.post('c_inv', 'bank-h', 'report', false, pg_temp.orgs('tr-univ', 'tr-power'),
                    '[{"investigative": true}]');
SELECT pg_temp.post('c_sup', 'bank-h', 'report', false, pg_temp.orgs('tr-univ', 'tr-power'),
                    '[{"supervisors": true}]');
SELECT pg_temp.post('c_lia', 'bank-h', 'report', false, pg_temp.orgs('tr-liaison'));
SELECT pg_temp.post('c_rep', 'coord-h', 'report', false, NULL, parent => 'c_t2');
SELECT pg_temp.post('c_named', 'bank-h', 'report', false, pg_temp.orgs('tr-power'));
RESET ROLE;

-- Step 1 (classes): joining and leaving the task force. -------------------------
SELECT is(pg_temp.has('c_t2', 'tr-univ'), false, 'before: the university is not Type 2');
UPDATE council.organisations SET tf_class = 'type2' WHERE slug = 'tr-univ';
SELECT is(pg_temp.has('c_t2', 'tr-univ'), true,
    'R-TF-1: an organisation admitted as Type 2 is in the scope of existing Type 2 posts');
SELECT is(pg_temp.has('c_rep', 'tr-univ'), true,
    'R-TF-1: ... and of the replies to them (step 6 follows)');
UPDATE council.organisations SET tf_class = 'none' WHERE slug = 'tr-vendor2';
SELECT is(pg_temp.has('c_t2', 'tr-vendor2'), false,
    'R-TF-1: an organisation that leaves Type 2 leaves the scope of Type 2 posts');
SELECT is(pg_temp.has('c_rep', 'tr-vendor2'), false, 'R-TF-1: ... and of their replies');
UPDATE council.organisations SET tf_class = 'type1' WHERE slug = 'tr-bank2';
SELECT is(pg_temp.has('c_t1', 'tr-bank2'), true,
    'R-TF-2: a new Type 1 member is in the scope of existing Type 1 group posts');

-- A new member organisation. --------------------------------------------------
INSERT INTO council.organisations (slug, name_ja, name_en, category, tf_class, status)
VALUES ('tr-new-vendor', 'x', 'x', 'cyber_business', 'type1', 'member');
INSERT INTO pg_temp.t_orgs SELECT slug, id FROM council.organisations WHERE slug = 'tr-new-vendor';
SELECT is(pg_temp.has('c_t1', 'tr-new-vendor'), true,
    'R-TF-2: a newly joined Type 1 member is in the scope of existing Type 1 group posts');
SELECT is(pg_temp.has('c_named', 'tr-new-vendor'), false,
    'R-SCOPE-1: ... and not in that of a post naming other organisations');

-- Step 2 (exclusions): becoming investigative, supervising a sector. --------------
SELECT is(pg_temp.has('c_inv', 'tr-univ'), true, 'before: the university is in the scope');
UPDATE council.organisations SET is_investigative = true WHERE slug = 'tr-univ';
SELECT is(pg_temp.has('c_inv', 'tr-univ'), false,
    'R-SCOPE-2: an organisation that becomes an investigative body leaves posts excluding investigative bodies');
SELECT is(pg_temp.has('c_sup', 'tr-univ'), true,
    'R-SCOPE-2: ... but not posts that do not exclude them');
INSERT INTO council.org_supervises (org_id, sector_code)
SELECT id, 'finance' FROM council.organisations WHERE slug = 'tr-power';
SELECT is(pg_temp.has('c_sup', 'tr-power'), false,
    'R-SCOPE-2: an organisation that starts supervising the author''s sector leaves posts excluding its supervisors');
DELETE FROM council.org_supervises WHERE org_id = pg_temp.o('tr-power');
SELECT is(pg_temp.has('c_sup', 'tr-power'), true,
    'R-SCOPE-2: ... and is back when it no longer supervises it');

-- Step 4 (liaison routing). -----------------------------------------------------
SELECT is(pg_temp.aud('c_lia'), pg_temp.srt('{tr-bank,tr-gsoc}'),
    'R-ORG-8: before: the liaison member is reached through tr-gsoc');
UPDATE council.organisations SET liaison_via = pg_temp.o('tr-fsa') WHERE slug = 'tr-liaison';
SELECT is(pg_temp.aud('c_lia'), pg_temp.srt('{tr-bank,tr-fsa}'),
    'R-ORG-8: a new liaison channel replaces the old one in existing posts');
UPDATE council.organisations SET gsoc_liaison = false, liaison_via = NULL WHERE slug = 'tr-liaison';
SELECT is(pg_temp.aud('c_lia'), pg_temp.srt('{tr-bank,tr-liaison}'),
    'R-ORG-8: a member that is no longer a liaison member is reached directly');

-- Incremental: a change touches the posts it can affect, not all of them. -------
SELECT cmp_ok(council.audience_refresh_orgs(ARRAY[pg_temp.o('tr-optout')]), '<',
              (SELECT count(*) FROM council.posts),
    'an organisation''s change recomputes only the posts that can involve it');
SELECT is((SELECT count(*)::int FROM council.posts x
           WHERE (SELECT coalesce(array_agg(a.org_id ORDER BY a.org_id), '{}')
                  FROM council.post_audience a WHERE a.post_id = x.id)
              IS DISTINCT FROM
                 (SELECT coalesce(array_agg(c ORDER BY c), '{}')
                  FROM council.audience_compute(x.id) c)), 0,
    'after all the changes above, every stored effective scope equals a full recomputation');

-- Step 3: the secretariat is never in another's post's scope, replies too. -------
SET LOCAL ROLE council_app;
SELECT pg_temp.post('c_nisc', 'sec-a', 'alert', false, pg_temp.orgs('tr-bank', 'tr-power'));
SELECT pg_temp.post('c_nisc_r', 'bank-h', 'report', false, NULL, parent => 'c_nisc');
RESET ROLE;
SELECT is(pg_temp.has('c_nisc', '@secretariat'), true, 'R-ORG-6: the secretariat''s own alert reaches it');
SELECT is(pg_temp.has('c_nisc_r', '@secretariat'), false,
    'R-ORG-6: a reply to the secretariat''s alert does not reach the secretariat through its parent');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.sees('sec-a', 'c_nisc_r'), false,
    'R-ORG-6: the secretariat does not read replies to its own alert without an access case');

-- R-SCOPE-4: each party sees a consent request through the post on its side. ------
SELECT pg_temp.post('s_sec', 'bank-h', 'analysis', true, pg_temp.orgs('tr-vendor1'));
SELECT pg_temp.post('d_sec', 'coord-h', 'report', false, pg_temp.orgs('tr-vendor1', 'tr-power'),
                    sources => '{s_sec}');
SELECT is(pg_temp.val('bank-h', format('SELECT count(*) FROM council.consents WHERE post_id = %s', pg_temp.p('d_sec'))),
    '1', 'R-SCOPE-4: the giver''s handler sees the consent request on its secret source (it must decide it)');
SELECT is(pg_temp.val('bank-n', format('SELECT count(*) FROM council.consents WHERE post_id = %s', pg_temp.p('d_sec'))),
    '0', 'R-SECRET-2: a non-handler of the giver does not see a consent request about a secret source');
SELECT is(pg_temp.err('bank-n', format('SELECT council.decide_consent((SELECT id FROM council.consents WHERE post_id = %s), true)', pg_temp.p('d_sec'))),
    pg_temp.err('bank-n', 'SELECT council.decide_consent(999999999, true)'),
    'R-SECRET-2: ... nor decide it: the error is that of an absent consent');

-- council.me: the caller only. --------------------------------------------------
SELECT is(pg_temp.val('v1-h', 'SELECT count(*) || '':'' || (max(org_id) = pg_temp.o(''tr-vendor1''))::text FROM council.me'),
    '1:true', 'council.me has exactly the caller''s row');
SELECT set_config('council.session', encode(sha256(convert_to('no such token', 'UTF8')), 'hex'), true);
SELECT is((SELECT count(*)::int FROM council.me), 0,
    'council.me has no row for a session hash that matches no session (a forged token)');

-- The identity each session carries follows its sources at once. ---------------
SELECT is(pg_temp.sees('bank-h', 's_sec'), true, 'before: bank-h, a registered handler, reads its secret');
RESET ROLE;
UPDATE council.handler_registrations SET deregistered_at = now()
WHERE person_id = (SELECT person_id FROM pg_temp.t_people WHERE k = 'bank-h');
DELETE FROM council.committee_members
WHERE person_id = (SELECT person_id FROM pg_temp.t_people WHERE k = 'cmt');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.sees('bank-h', 's_sec'), false,
    'R-ORG-4, R-SECRET-2: a deregistered handler loses the secret in the same transaction');
SELECT is(pg_temp.val('cmt', 'SELECT council.current_is_committee()'), 'false',
    'R-GOV-5: a person removed from the committee is no longer a committee member for the database');
SELECT is(pg_temp.err('v1-h', 'UPDATE council.sessions SET is_coordinator = true'),
    '42501 permission denied for table sessions',
    'council_app cannot write the identity its session carries');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM council.sessions s
           JOIN council.people p ON p.id = s.person_id
           JOIN council.organisations o ON o.id = p.org_id
           WHERE s.revoked_at IS NULL
             AND (s.org_id, s.live, s.is_coordinator, s.is_secretariat, s.is_committee,
                  s.may_receive, s.may_handle_secrets)
                 IS DISTINCT FROM
                 (p.org_id, p.active AND o.status = 'member',
                  coalesce(o.council_role = 'coordinator', false),
                  coalesce(o.council_role = 'secretariat', false),
                  p.id IN (SELECT person_id FROM council.committee_members),
                  NOT o.restricted AND NOT o.gsoc_liaison
                      AND coalesce(o.council_role <> 'secretariat', true),
                  NOT o.secret_opt_out
                      AND p.id IN (SELECT person_id FROM council.handler_registrations
                                   WHERE deregistered_at IS NULL))), 0,
    'after every change in these tests, each live session''s identity equals one computed afresh');

SELECT * FROM finish();
ROLLBACK;
