-- tests/sql/37_warnings.sql: from report to warning (issue 13 item 5;
-- R-SCOPE-4, R-NEW-5; policy/87_warnings.sql) and the refusal of a post
-- drawn from a CYMAT case without the body's advance consent (item 7;
-- R-CYMAT-1).  Who drafts; what a warning reaches before and after the
-- reporter's consent (and after a refusal); that the reporter, and only
-- it, decides; that the set-based rebuild agrees; what the reporter sees
-- of what its report led to, and that nobody else learns of it.
-- Same fixtures as 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(25);
\ir fixtures/sharing.psql

DELETE FROM council.incident_authorities;
INSERT INTO council.incident_authorities (kind, org_id) VALUES
    ('government', pg_temp.o('tr-gsoc')), ('ppc', pg_temp.o('tr-police')),
    ('coordinator', pg_temp.o('@coordinator'));

-- tr-bank reports to tr-gsoc (the basic policy) and tr-police (the PPC).
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
CREATE TEMP TABLE t_inc AS
SELECT council.incident_file('tr ransomware', now() - interval '1 hour', true, true, false,
    'finance', 'first_notice', '{}', ARRAY[pg_temp.o('tr-gsoc'), pg_temp.o('tr-police')]) AS id;
RESET ROLE;
GRANT SELECT ON t_inc TO PUBLIC;
CREATE FUNCTION pg_temp.inc() RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_inc $$;
-- The organisations post lbl reaches (post_audience, read as the owner).
CREATE FUNCTION pg_temp.reach(lbl text) RETURNS text[] LANGUAGE sql STABLE
AS $$ SELECT coalesce(array_agg(o.slug ORDER BY o.slug), '{}')
      FROM council.post_audience a JOIN pg_temp.t_orgs o ON o.id = a.org_id
      WHERE a.post_id = pg_temp.p(lbl) AND o.slug NOT LIKE '@%' $$;
-- Draft a warning from the report as `who`.
CREATE FUNCTION pg_temp.warn(lbl text, who text, kind council.post_kind, scope jsonb)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    PERFORM pg_temp.as_(who);
    v := council.create_post(p_kind => kind, p_title => lbl, p_body => 'b', p_is_secret => false,
        p_scope => scope, p_incident => pg_temp.inc());
    INSERT INTO pg_temp.t_posts VALUES (lbl, v, false);
    RETURN v;
END $$;
GRANT SELECT, INSERT ON t_posts TO council_app;

-- Who drafts.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('v1-h');
SELECT throws_ok($$SELECT council.create_post('report', 'x', 'b', false, p_scope => '[{"class": "all_members"}]',
                     p_incident => pg_temp.inc())$$,
    'CP404', 'incident_not_found', 'R-NEW-3: a member that does not see the report: as if it were absent');
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.create_post('report', 'x', 'b', false, p_scope => '[{"class": "all_members"}]',
                     p_incident => pg_temp.inc())$$,
    'CP403', 'only_authorities_draft_from_reports', 'item 5: the reporter posts its own, not a warning from its report');
SELECT pg_temp.as_('bank-n');
SELECT throws_ok($$SELECT council.create_post('report', 'x', 'b', false, p_scope => '[{"class": "all_members"}]',
                     p_incident => 999999999)$$,
    'CP404', 'incident_not_found', '... an absent report answers the same');
SELECT pg_temp.as_('gsoc-h');
SELECT throws_ok($$SELECT council.create_post('report', 'x', 'b', false, p_incident => pg_temp.inc(),
                     p_parent => (SELECT min(id) FROM council.posts))$$,
    'CP422', 'reply_inherits_scope', 'a reply is not drawn from a report: its parent decides');

-- A warning to every member, before the reporter consents.
SELECT lives_ok($$SELECT pg_temp.warn('w-all', 'gsoc-h', 'report', '[{"class": "all_members"}]')$$,
    'item 5: an authority the report was delivered to drafts a warning to every member');
RESET ROLE;
SELECT is(pg_temp.reach('w-all'), ARRAY['tr-bank', 'tr-gsoc', 'tr-police'],
    'R-SCOPE-4: until the reporter consents it reaches the report''s parties only (and the coordinator)');
SELECT ok(EXISTS (SELECT 1 FROM council.post_audience WHERE post_id = pg_temp.p('w-all')
                  AND org_id = pg_temp.o('@coordinator')), '... the coordinator among them');
SELECT is((SELECT status::text FROM council.consents WHERE post_id = pg_temp.p('w-all')
           AND source_incident_id = pg_temp.inc()), 'pending',
    'R-SCOPE-4: the reporter is asked, through the consents the posts use');
SELECT ok(EXISTS (SELECT 1 FROM council.notifications n
                  WHERE n.kind = 'consent.requested' AND n.post_id = pg_temp.p('w-all')
                    AND n.person_id = (SELECT person_id FROM pg_temp.t_people WHERE k = 'bank-h')),
    '... and told (a notification to the reporter''s handler)');
SELECT is((SELECT tlp::text FROM council.posts WHERE id = pg_temp.p('w-all')), 'amber',
    'issue 17: labelled by what it reaches, not GREEN, until it reaches every member');

-- Who decides.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('power-h');
SELECT is((SELECT count(*)::int FROM council.consents), 0,
    'R-SCOPE-4: a member outside the report sees no consent of it');
SELECT pg_temp.as_('gsoc-h');
SELECT throws_ok(format('SELECT council.decide_consent(%s, true)',
                        (SELECT id FROM council.consents WHERE post_id = pg_temp.p('w-all'))),
    'CP403', 'only_the_giver_decides', 'R-SCOPE-4: the drafting authority cannot consent for the reporter');
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT mine_to_decide::text || ' ' || incident_title FROM council.my_consents()
           WHERE post_id = pg_temp.p('w-all')), 'true tr ransomware',
    'R-SCOPE-4: the reporter sees it as its own to decide, naming its report');
SELECT lives_ok(format('SELECT council.decide_consent(%s, true)',
                       (SELECT id FROM council.my_consents() WHERE post_id = pg_temp.p('w-all'))),
    'R-SCOPE-4: the reporter consents');
RESET ROLE;
SELECT ok(pg_temp.reach('w-all') @> ARRAY['tr-bank2', 'tr-power', 'tr-univ', 'tr-vendor1'],
    'R-SCOPE-4: after the consent the warning reaches the members its scope names');

-- A refusal keeps it among the parties; a scope within them asks nothing.
SET LOCAL ROLE council_app;
SELECT pg_temp.warn('w-refused', 'police-h', 'report', '[{"class": "all_members"}]');
SELECT pg_temp.as_('bank-h');
SELECT council.decide_consent((SELECT id FROM council.my_consents() WHERE post_id = pg_temp.p('w-refused')), false);
SELECT pg_temp.warn('w-parties', 'coord-h', 'analysis', pg_temp.orgs('tr-gsoc', 'tr-police'));
RESET ROLE;
SELECT is(pg_temp.reach('w-refused'), ARRAY['tr-bank', 'tr-gsoc', 'tr-police'],
    'R-SCOPE-4: refused: it stays among the report''s parties');
SELECT is((SELECT count(*)::int FROM council.consents WHERE post_id = pg_temp.p('w-parties')), 0,
    'R-SCOPE-4: a warning that stays among the parties needs no consent');

-- The set-based rebuild of every organisation's rows agrees with the
-- per-post computation (policy/40_sharing_audience.sql).
CREATE TEMP TABLE t_before AS SELECT org_id, post_id, is_author FROM council.post_audience;
SELECT council.audience_rebuild_orgs(ARRAY(SELECT id FROM council.organisations));
SELECT set_eq($$SELECT org_id, post_id, is_author FROM council.post_audience$$,
              $$SELECT org_id, post_id, is_author FROM t_before$$,
    'the set-based rebuild gives every warning the same audience');

-- R-NEW-5: what the report led to, for the reporter; nothing for others.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT string_agg(title || ':' || coalesce(consent::text, '-') || ':' || beyond_parties,
                             ' ' ORDER BY post_id) FROM council.incident_warnings(pg_temp.inc())),
    'w-all:granted:true w-refused:refused:false w-parties:-:false',
    'R-NEW-5: the reporter sees each warning drawn from its report, its consent and its reach');
SELECT is((SELECT seen FROM council.incident_warnings(pg_temp.inc()) WHERE title = 'w-all'), 0::bigint,
    'R-NEW-5: ... and the feedback it drew, counted');
SELECT pg_temp.as_('v1-h');
SELECT throws_ok($$SELECT * FROM council.incident_warnings(pg_temp.inc())$$,
    'CP404', 'incident_not_found', 'R-NEW-3: a member outside the report learns nothing of it');
SELECT is((SELECT count(*)::int FROM council.post_case_sources), 0,
    'a member reading the warning does not learn which report it came from');
RESET ROLE;

-- R-CYMAT-1: a post drawn from a support case, without and with the
-- body's advance consent.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('fsa-h');
CREATE TEMP TABLE t_cases AS
SELECT council.cymat_request('ciso', false, 'ransomware on the ministry''s mail', false) AS closed_case,
       council.cymat_request('ciso', false, 'phishing wave at the ministry', true) AS open_case;
SELECT pg_temp.as_('coord-h');
SELECT throws_ok(format($$SELECT council.create_post('report', 'x', 'b', false,
                     p_scope => '[{"class": "all_members"}]', p_cymat_case => %s)$$,
                     (SELECT closed_case FROM t_cases)),
    'CP403', 'cymat_case_not_for_wider_use',
    'R-CYMAT-1: a post drawn from a case is refused without the body''s advance consent');
SELECT lives_ok(format($$SELECT council.create_post('report', 'x', 'b', false,
                     p_scope => '[{"class": "all_members"}]', p_cymat_case => %s)$$,
                     (SELECT open_case FROM t_cases)),
    'R-CYMAT-1: ... and allowed with it');
SELECT pg_temp.as_('v1-h');
SELECT throws_ok(format($$SELECT council.create_post('report', 'x', 'b', false,
                     p_scope => '[{"class": "all_members"}]', p_cymat_case => %s)$$,
                     (SELECT open_case FROM t_cases)),
    'CP404', 'cymat_case_not_found', 'R-CYMAT-1: a case the caller does not see is absent');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
