-- tests/sql/47_renditions.sql: one analysis, tiered renditions (issue 14
-- item 1; R-NEW-1; policy/91_renditions.sql): who writes (the government's
-- analysts and the coordinator), what each tier may hold (no secret for
-- awareness, communications information only in full), who reads which
-- rendition person by person, the richest one shown in the feed and in
-- search, the link known to the author and the coordinator only, the
-- public page, the preview, and all or nothing.  Same fixtures as
-- 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(35);
\ir fixtures/sharing.psql

-- The government analyst role (as 41_assets.sql): an FSA handler, and a
-- vendor's handler to show that the role needs a national agency.
INSERT INTO council.asset_analysts (person_id)
SELECT person_id FROM pg_temp.t_people WHERE k IN ('fsa-h', 'v1-h');
CREATE TEMP TABLE t_an (tier text PRIMARY KEY, id bigint);
GRANT SELECT, INSERT ON t_an TO PUBLIC;
CREATE FUNCTION pg_temp.r(t text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_an WHERE tier = t $$;
-- The three renditions: full to the FSA and the police (secret, with
-- communications information), for provision to the task force
-- (secret), for awareness to every member (published).
CREATE FUNCTION pg_temp.three(title text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_array(
        jsonb_build_object('tier', 'awareness', 'title', title || ' (awareness)',
            'body', 'Patch your VPN.', 'secret', false, 'publish', true),
        jsonb_build_object('tier', 'full', 'title', title || ' (full)',
            'body', 'C2 203.0.113.7 seen in traffic of ISP X.', 'secret', true,
            'comms_info', true, 'scope', pg_temp.orgs('tr-fsa', 'tr-police')),
        jsonb_build_object('tier', 'provision', 'title', title || ' (provision)',
            'body', 'C2 203.0.113.7; victims in finance.', 'secret', true,
            'scope', '[{"class": "task_force"}]'::jsonb))
$$;

SET LOCAL ROLE council_app;
-- ---- Who writes, what a tier may hold. ---------------------------------------------
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.create_analysis(pg_temp.three('x'))$$,
    'CP403', 'only_analysts_write_renditions', 'R-NEW-1: a member''s handler does not write renditions');
SELECT pg_temp.as_('v1-h');
SELECT throws_ok($$SELECT council.create_analysis(pg_temp.three('x'))$$,
    'CP403', 'only_analysts_write_renditions', '... nor a vendor listed as an analyst (the role is the government''s)');
SELECT pg_temp.as_('fsa-h');
SELECT throws_ok($$SELECT council.create_analysis('[{"tier": "awareness", "title": "t", "body": "b", "secret": true}]')$$,
    'CP422', 'awareness_rendition_not_secret', 'R-NEW-1: writing a secret into a rendition for awareness is refused');
SELECT throws_ok($$SELECT council.create_analysis('[{"tier": "provision", "title": "t", "body": "b", "secret": true,
                     "comms_info": true, "scope": [{"class": "task_force"}]}]')$$,
    'CP422', 'communications_info_only_in_full', 'R-NEW-1: communications information only in the full rendition');
SELECT throws_ok($$SELECT council.create_analysis('[{"tier": "full", "title": "t", "body": "b", "secret": false, "publish": true}]')$$,
    'CP422', 'only_awareness_is_published', 'R-NEW-1: only a rendition for awareness is published');
SELECT throws_ok($$SELECT council.create_analysis('[{"tier": "full", "title": "t", "body": "b", "secret": false},
                     {"tier": "full", "title": "u", "body": "b", "secret": false}]')$$,
    'CP422', 'tier_twice', 'R-NEW-1: one rendition per tier');
SELECT throws_ok($$SELECT council.create_analysis('[{"tier": "full", "title": "t", "body": "b"}]')$$,
    'CP422', 'secret_declaration_required', 'R-SECRET-1: each rendition declares its secrecy');
SELECT throws_ok($$SELECT council.create_analysis('[]')$$,
    'CP422', 'invalid_renditions', 'R-NEW-1: one to three renditions');
-- All or nothing: a rendition refused by the posts' own rules (a secret
-- with no designated scope, R-SCOPE-5) leaves no analysis and no post.
SELECT is(pg_temp.err('fsa-h', $$SELECT council.create_analysis('[
        {"tier": "awareness", "title": "t", "body": "b", "secret": false},
        {"tier": "provision", "title": "t", "body": "b", "secret": true}]')$$),
    'CP422 secret_needs_scope', 'R-SCOPE-5 holds in each rendition: a secret needs a designated scope');
SELECT pg_temp.as_('fsa-h');
SELECT is((SELECT count(*)::int FROM council.analyses), 0, '... and nothing of the refused analysis is stored');

-- ---- The preview: per rendition, who will read it. ---------------------------------
CREATE TEMP TABLE t_preview AS
SELECT e->>'tier' AS tier, (e->'readers'->>'count')::int AS n
FROM json_array_elements(council.analysis_preview(pg_temp.three('Alpha'))) e;
SELECT is((SELECT count(*)::int FROM council.analyses), 0, '... and stores nothing');

-- ---- The analysis. ----------------------------------------------------------------------
INSERT INTO pg_temp.t_an SELECT k, v::bigint
FROM jsonb_each_text(council.create_analysis(pg_temp.three('Alpha'), 'key-0123456789abcdef')->'renditions') AS x(k, v);
SELECT is((SELECT count(*)::int FROM pg_temp.t_an), 3, 'R-NEW-1: an analysis in three renditions, one post each');
SELECT is(council.create_analysis(pg_temp.three('Alpha'), 'key-0123456789abcdef')->'renditions',
    (SELECT jsonb_object_agg(tier, id) FROM pg_temp.t_an),
    'a double submit with the same key returns the first answer');
RESET ROLE;
SELECT is((SELECT array_agg(p.tier || ':' || p.n ORDER BY p.tier) FROM pg_temp.t_preview p),
    (SELECT array_agg(t.tier || ':' || (SELECT count(*) FROM council.post_audience a WHERE a.post_id = t.id)
                      ORDER BY t.tier) FROM pg_temp.t_an t),
    'R-NEW-1: the author''s preview named, per rendition, as many organisations as then read it');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('fsa-h');
SELECT ok(pg_temp.r('full') < pg_temp.r('provision') AND pg_temp.r('provision') < pg_temp.r('awareness'),
    'the richest is written first: a poorer rendition''s id is never below a richer one''s');
RESET ROLE;
INSERT INTO pg_temp.t_posts SELECT 'an-' || tier, id, tier <> 'awareness' FROM pg_temp.t_an;
CREATE TEMP TABLE t_aid AS SELECT analysis_id FROM council.post_renditions WHERE post_id = pg_temp.r('full');
GRANT SELECT ON t_aid TO PUBLIC;
SET LOCAL ROLE council_app;

-- ---- Who reads which rendition (the posts' rules, each on its own). ------------------
SELECT is(pg_temp.readers('an-full'),
    ARRAY['cmt', 'coord-h', 'fsa-h', 'police-h'], 'R-NEW-1: the full rendition: its scope''s handlers and the coordinator''s');
SELECT is(pg_temp.readers('an-provision'),
    ARRAY['cmt', 'coord-h', 'fsa-h', 'v1-h', 'v2-h'],
    'R-NEW-1: the rendition for provision: the task force''s handlers (secret), the author');

-- Told once: of the richest rendition each may read (notifications).
CREATE FUNCTION pg_temp.told(who text) RETURNS text[] LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN (SELECT coalesce(array_agg(t.tier ORDER BY t.tier), '{}')
            FROM council.notifications n JOIN pg_temp.t_an t ON t.id = n.post_id);
END $$;
SELECT is(ARRAY[pg_temp.told('police-h'), pg_temp.told('v1-h'), pg_temp.told('univ-n')],
    ARRAY[ARRAY['full'], ARRAY['provision'], ARRAY['awareness']],
    'R-NEW-1: each reader is told of the richest rendition it may read, not of the poorer ones');

-- The richest each sees: what the feed lists and the post page sends to.
CREATE FUNCTION pg_temp.feed_renditions(who text) RETURNS text[] LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN (SELECT coalesce(array_agg(t.tier ORDER BY t.tier), '{}')
            FROM council.feed(200) f JOIN pg_temp.t_an t ON t.id = f.id);
END $$;
SELECT is(ARRAY[pg_temp.feed_renditions('police-h'), pg_temp.feed_renditions('v1-h'),
                pg_temp.feed_renditions('v1-n'), pg_temp.feed_renditions('univ-n'),
                pg_temp.feed_renditions('coord-h')],
    ARRAY[ARRAY['full'], ARRAY['provision'], ARRAY['awareness'], ARRAY['awareness'], ARRAY['full']],
    'R-NEW-1: the feed lists the richest rendition each reader sees, and only that one');
SELECT pg_temp.as_('v1-h');
SELECT is(ARRAY(SELECT f.id FROM council.feed_page(200, NULL, 'analysis') f
                JOIN pg_temp.t_an t ON t.id = f.id),
    ARRAY[pg_temp.r('provision')], '... the filtered feed too');
SELECT is(ARRAY(SELECT s.id FROM council.search('Alpha') s JOIN pg_temp.t_an t ON t.id = s.id),
    ARRAY[pg_temp.r('provision')], '... and search');
SELECT is(ARRAY[council.rendition_richest(pg_temp.r('awareness')), council.rendition_richest(pg_temp.r('provision')),
                council.rendition_richest(pg_temp.r('full'))],
    ARRAY[pg_temp.r('provision'), pg_temp.r('provision'), pg_temp.r('full')],
    'R-NEW-1: from a poorer rendition''s page a reader is sent to the richest it sees; a hidden one stays hidden');
SELECT pg_temp.as_('police-h');
SELECT is(ARRAY[council.rendition_superseded(pg_temp.r('provision')), council.rendition_superseded(pg_temp.r('awareness'))],
    ARRAY[false, true],
    'R-NEW-1: a hidden poorer rendition is not even known as one to a reader of the richer');
SELECT pg_temp.as_('univ-n');
SELECT is(council.rendition_richest(pg_temp.r('awareness')), pg_temp.r('awareness'),
    '... a reader of awareness only stays where it is');
SELECT is(ARRAY(SELECT s.id FROM council.search('Alpha') s JOIN pg_temp.t_an t ON t.id = s.id),
    ARRAY[pg_temp.r('awareness')], '... and finds only that one');

-- ---- Nothing names the analysis to a reader. ----------------------------------------
CREATE FUNCTION pg_temp.link_seen() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        PERFORM pg_temp.as_(t.k);
        IF (SELECT count(*) FROM council.analyses x
            WHERE x.id = (SELECT analysis_id FROM pg_temp.t_aid))
           + (SELECT count(*) FROM council.post_renditions WHERE post_id IN (SELECT id FROM pg_temp.t_an)) > 0
           OR council.analysis_renditions(pg_temp.r('awareness')) IS NOT NULL THEN
            r := r || t.k;
        END IF;
    END LOOP;
    RETURN r;
END $$;
SELECT is(pg_temp.link_seen(), ARRAY['cmt', 'coord-h', 'coord-n', 'fsa-h'],
    'R-NEW-1: the link between renditions is known to the author''s organisation and the coordinator only');
SELECT pg_temp.as_('fsa-h');
SELECT is((SELECT array_agg(e->>'tier' ORDER BY e->>'tier')
           FROM json_array_elements(council.analysis_renditions(pg_temp.r('provision'))) e),
    ARRAY['awareness', 'full', 'provision'], '... who see every rendition from any of them');
SELECT is(council.rendition_richest(pg_temp.r('awareness')), pg_temp.r('awareness'),
    '... and open each without being sent on');

-- ---- Publishing. -------------------------------------------------------------------------
SELECT pg_temp.nobody();
SELECT is((SELECT array_agg((e->>'id')::bigint) FROM json_array_elements(council.public_analyses()) e
           WHERE (e->>'id')::bigint IN (SELECT id FROM pg_temp.t_an)),
    ARRAY[pg_temp.r('awareness')], 'R-NEW-1: the published rendition for awareness is public, without sign-in');
SELECT is(json_array_length(council.public_analyses(pg_temp.r('full'))), 0,
    '... a richer rendition never is');
SELECT is(pg_temp.err('v1-h', format('SELECT council.rendition_publish(%s, false)', pg_temp.r('awareness'))),
    pg_temp.err('v1-h', 'SELECT council.rendition_publish(999999999, false)'),
    'R-NEW-1: a reader who is not the author cannot unpublish: it is answered as for an absent post');
SELECT is(pg_temp.err('fsa-h', format('SELECT council.rendition_publish(%s, true)', pg_temp.r('provision'))),
    'CP422 only_awareness_is_published', '... and the author cannot publish a richer rendition');
SELECT is(pg_temp.err('fsa-h', format('SELECT council.rendition_publish(%s, false)', pg_temp.r('awareness'))),
    'no error', 'the author withdraws it from the public page');
SELECT pg_temp.nobody();
SELECT is(json_array_length(council.public_analyses(pg_temp.r('awareness'))), 0, '... and it is public no more');

-- ---- Writes only through the functions. -------------------------------------------------
SELECT pg_temp.as_('fsa-h');
SELECT throws_ok(format('INSERT INTO council.post_renditions (post_id, analysis_id, tier) VALUES (%s, 1, ''full'')',
                        pg_temp.r('awareness')),
    '42501', NULL, 'nobody writes the renditions table directly');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
