-- tests/sql/32_notify_sharing.sql: the notifications of the sharing work
-- and "My tasks" (issue 17; policy/78_notify_sharing.sql): who is told of
-- what (R-SCOPE-1, R-SECRET-2, R-SECRET-3, R-RESTRICT-1, R-ORG-8, R-SHARE-1,
-- R-TF-5, R-SCOPE-4), that a notification is visible, marked and mailed
-- only while its post is readable (restriction, withdrawal, opt-out,
-- deregistration), that a hidden one answers like an absent one, and that
-- council.person_sees_post (the mailer's reading of the rules) equals what
-- each person's session reads, person by post.  Same fixtures and helpers
-- as 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(35);
\ir fixtures/sharing.psql

-- Every (person, post) pair of the fixtures on which person_sees_post and
-- the person's own session (row-level security) disagree; empty when equal.
CREATE FUNCTION pg_temp.disagree() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE r text[];
BEGIN
    SET LOCAL ROLE council_app;
    PERFORM pg_temp.readers(label) FROM pg_temp.t_posts LIMIT 1;
    RESET ROLE;
    SELECT coalesce(array_agg(t.k || '/' || x.label ORDER BY t.k, x.label), '{}') INTO r
    FROM pg_temp.t_people t CROSS JOIN pg_temp.t_posts x
    WHERE council.person_sees_post(t.person_id, x.id)
          <> EXISTS (SELECT 1 FROM pg_temp.t_seen s WHERE s.k = t.k AND s.label = x.label);
    RETURN r;
END $$;
-- The notification kinds person `who` has about post `lbl` (all rows, as
-- the superuser), sorted.
CREATE FUNCTION pg_temp.told(who text, lbl text) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(n.kind ORDER BY n.kind), '{}')
    FROM council.notifications n JOIN pg_temp.t_people t ON t.person_id = n.person_id
    WHERE t.k = who AND n.post_id = pg_temp.p(lbl) $$;
-- The posts of the notifications person `who` reads through its session.
CREATE FUNCTION pg_temp.mine(who text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE r text[];
BEGIN
    SET LOCAL ROLE council_app;
    PERFORM pg_temp.as_(who);
    SELECT coalesce(array_agg(DISTINCT x.label ORDER BY x.label), '{}') INTO r
    FROM council.notifications n JOIN pg_temp.t_posts x ON x.id = n.post_id;
    RESET ROLE;
    RETURN r;
END $$;
GRANT SELECT ON t_seen TO PUBLIC;
UPDATE council.organisations SET restricted = true WHERE slug = 'tr-restricted';

SET LOCAL ROLE council_app;
SELECT pg_temp.post('n_all',   'bank-h',  'report',   false, '[{"class": "all_members"}]');
SELECT pg_temp.post('n_sec',   'bank-h',  'report',   true,  pg_temp.orgs('tr-vendor1', 'tr-bank2', 'tr-power'));
SELECT pg_temp.post('n_restr', 'bank-h',  'report',   false, pg_temp.orgs('tr-restricted', 'tr-power'));
SELECT pg_temp.post('n_liai',  'bank-h',  'report',   false, pg_temp.orgs('tr-liaison'));
SELECT pg_temp.post('n_cons',  'bank-h',  'consultation', false, NULL);
SELECT pg_temp.post('n_adv',   'v1-h',    'report',   false, NULL, parent => 'n_cons');
SELECT pg_temp.post('n_src',   'bank-h',  'report',   false, pg_temp.orgs('tr-vendor1'));
SELECT pg_temp.post('n_der',   'v1-h',    'analysis', false, pg_temp.orgs('tr-power'), sources => '{n_src}');
SELECT pg_temp.as_('v1-h');
INSERT INTO pg_temp.t_posts
SELECT 'n_tf', council.create_post('analysis', 'n_tf', 'body', false,
    p_scope => '[{"class": "task_force"}]', p_deadline => now() + interval '3 days'), false;
SELECT pg_temp.as_('bank-h');
SELECT count(*) FROM council.audience_preview('report', 'preview', 'b', false, false,
    '[{"class": "all_members"}]');
RESET ROLE;

-- Who is told. -------------------------------------------------------------------
SELECT is(pg_temp.disagree(), '{}'::text[],
    'person_sees_post equals what every person''s session reads, for every post');
SELECT is((SELECT count(*)::int FROM council.notifications n JOIN pg_temp.t_posts x ON x.id = n.post_id
           WHERE NOT council.person_sees_post(n.person_id, n.post_id)), 0,
    'R-SCOPE-1: nobody is told of a post they cannot read');
SELECT is((SELECT count(*)::int FROM council.notifications WHERE kind = 'post.new'
           AND subject_ja LIKE '%preview%'), 0, 'the audience preview tells nobody (rolled back)');
SELECT is(pg_temp.told('power-h', 'n_all'), '{post.new}', 'R-SCOPE-1: a member in the scope is told of a new post');
SELECT is(pg_temp.told('bank-h', 'n_all') || pg_temp.told('bank-n', 'n_all'), '{}',
    'the author, and its own organisation, are not told of their own post');
SELECT is(pg_temp.told('sec-a', 'n_all'), '{}', 'R-ORG-6: the secretariat is not told of what is not shared with it');
SELECT is(pg_temp.told('v1-h', 'n_sec'), '{post.new}', 'R-SECRET-2: a registered handler in the scope is told of a secret');
SELECT is(pg_temp.told('v1-n', 'n_sec'), '{}', 'R-SECRET-2: a colleague without a handler registration is not told of the secret');
SELECT is(pg_temp.told('restr-h', 'n_restr') || pg_temp.told('power-h', 'n_restr'), '{post.new}',
    'R-RESTRICT-1: a restricted member is not told; the other named member is');
SELECT is(pg_temp.told('liaison-h', 'n_liai') || pg_temp.told('gsoc-h', 'n_liai'), '{post.new}',
    'R-ORG-8: a liaison member is not told; its GSOC member is');
SELECT is(pg_temp.told('v1-h', 'n_cons'), '{post.new}', 'R-SHARE-1: the Type 1 group is told of a consultation');
SELECT is(pg_temp.told('power-h', 'n_cons'), '{}', 'R-SHARE-1: a member outside the consultation''s circle is not');
SELECT is(pg_temp.told('bank-h', 'n_adv') || pg_temp.told('bank-n', 'n_adv'), '{post.advice,post.advice}',
    'R-SHARE-1: the consulting member''s people are told of the advice');
SELECT is(pg_temp.told('coord-h', 'n_adv'), '{}', 'a reply is told to the parent''s author only, not to its whole audience');
SELECT is(pg_temp.told('v2-h', 'n_tf'), '{feedback.requested}', 'R-TF-5: a Type 2 member is asked for feedback, with the deadline');
SELECT is((SELECT subject_ja ~ '期限 \d{4}-\d\d-\d\d \d\d:\d\d JST' FROM council.notifications n
           JOIN pg_temp.t_people t ON t.person_id = n.person_id
           WHERE t.k = 'v2-h' AND n.post_id = pg_temp.p('n_tf')), true,
    'R-TF-5: the request names its deadline in JST, and no title');
SELECT is(pg_temp.told('power-h', 'n_tf'), '{}', 'R-TF-1: a member outside the task force is not asked');

-- R-SCOPE-4: consent asked, decided, and the newcomers told. ------------------------
SELECT is((SELECT array_agg(n.kind) FROM council.notifications n JOIN pg_temp.t_people t ON t.person_id = n.person_id
           WHERE t.k = 'bank-h' AND n.kind = 'consent.requested'), '{consent.requested}',
    'R-SCOPE-4: the giver is asked for its consent');
SELECT is(pg_temp.told('power-h', 'n_der'), '{}', 'R-SCOPE-4: before the consent, the wider audience is not told');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT array_agg(kind || ':' || (post_id = pg_temp.p('n_src'))::text) FROM council.my_tasks()),
    '{consent:true}', 'My tasks: the giver''s pending consent is its task');
SELECT pg_temp.as_('v2-h');
SELECT is((SELECT array_agg(kind || ':' || (post_id = pg_temp.p('n_tf'))::text) FROM council.my_tasks()
           WHERE post_id IN (SELECT id FROM pg_temp.t_posts)),
    '{feedback:true}', 'My tasks: the feedback its organisation owes is the Type 2 member''s task');
SELECT pg_temp.as_('bank-h');
SELECT council.decide_consent((SELECT id FROM council.consents WHERE post_id = pg_temp.p('n_der')), true);
RESET ROLE;
SELECT is(pg_temp.told('v1-h', 'n_der'), '{consent.granted}', 'R-SCOPE-4: the deriver is told of the grant');
SELECT is(pg_temp.told('power-h', 'n_der'), '{post.new}', 'R-SCOPE-4: the audience the consent opened is told now');

-- Deadlines: once. -----------------------------------------------------------------
UPDATE council.posts SET feedback_deadline = now() + interval '2 hours' WHERE id = pg_temp.p('n_tf');
SELECT cmp_ok(council.notify_due(), '>=', 1, 'R-TF-5: a deadline within a day reminds');
SELECT is(pg_temp.told('v2-h', 'n_tf'), '{feedback.due,feedback.requested}', 'R-TF-5: the Type 2 member is reminded');
SELECT is(council.notify_due(), 0, 'R-TF-5: a second round reminds nobody again');

-- A notification lives only as long as its post's visibility. -----------------------
UPDATE council.people SET email_digest = 'immediate'
WHERE id IN (SELECT person_id FROM pg_temp.t_people WHERE k IN ('power-h', 'bank2-h'));
UPDATE council.notifications SET mailed_at = now() WHERE mailed_at IS NULL
  AND person_id NOT IN (SELECT person_id FROM pg_temp.t_people WHERE k IN ('power-h', 'bank2-h'));
UPDATE council.organisations SET restricted = true WHERE slug = 'tr-power';
SELECT is(pg_temp.mine('power-h'), '{}'::text[],
    'R-RESTRICT-1: a restricted member no longer reads its notifications of others'' posts');
SELECT is(pg_temp.err('power-h', format('SELECT council.notification_read(%s)',
              (SELECT n.id FROM council.notifications n JOIN pg_temp.t_people t ON t.person_id = n.person_id
               WHERE t.k = 'power-h' AND n.post_id = pg_temp.p('n_all')))),
          pg_temp.err('power-h', 'SELECT council.notification_read(-1)'),
    'a hidden notification answers exactly like an absent one');
SELECT is((SELECT count(*)::int FROM council.mail_claim(100) m
           WHERE m.email = (SELECT email FROM council.people p JOIN pg_temp.t_people t ON t.person_id = p.id
                            WHERE t.k = 'power-h')), 0,
    'R-RESTRICT-1: nothing is mailed about a post the person no longer reads');
UPDATE council.organisations SET restricted = false WHERE slug = 'tr-power';
SELECT is(pg_temp.mine('power-h'), pg_temp.srt('{n_all,n_der,n_restr,n_sec}'),
    'R-RESTRICT-1: lifted, the notifications come back');
SELECT cmp_ok((SELECT count(*)::int FROM council.mail_claim(100) m
               WHERE m.email = (SELECT email FROM council.people p JOIN pg_temp.t_people t ON t.person_id = p.id
                                WHERE t.k = 'power-h')), '>=', 4,
    'R-RESTRICT-1: and are mailed then (they waited, unmailed)');
UPDATE council.organisations SET secret_opt_out = true WHERE slug = 'tr-bank2';
SELECT is(pg_temp.mine('bank2-h'), '{n_all}'::text[], 'R-SECRET-3: an opt-out hides the notification of a secret');
UPDATE council.handler_registrations SET deregistered_at = now()
WHERE person_id = (SELECT person_id FROM pg_temp.t_people WHERE k = 'v1-h');
SELECT is('n_sec' = ANY (pg_temp.mine('v1-h')), false, 'R-SECRET-2: a deregistration hides the notification of a secret');
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'tr-vendor2';
SELECT is(council.person_sees_post((SELECT person_id FROM pg_temp.t_people WHERE k = 'v2-h'), pg_temp.p('n_tf')), false,
    'R-ORG-3: after a withdrawal, nothing about the post is mailed (person_sees_post false)');
SELECT is(pg_temp.disagree(), '{}'::text[],
    'person_sees_post still equals every session''s reads after restriction, opt-out, deregistration and withdrawal');

SELECT * FROM finish();
ROLLBACK;
