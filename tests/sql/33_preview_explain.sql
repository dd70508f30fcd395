-- tests/sql/33_preview_explain.sql: the explanatory audience preview and
-- the TLP label of what a post reaches (issue 17, items 2 and 10;
-- council.audience_left_out, council.tlp_reached, council.audience_preview):
-- who the scope names but the post leaves out, by which rule (R-SCOPE-2,
-- R-ORG-3, R-ORG-6, R-ORG-8, R-SCOPE-4), never a restriction
-- (R-RESTRICT-1, R-GOV-8) and only to the author; the label is AMBER, not
-- GREEN, while a derived post waits for its giver's consent, and GREEN
-- once it reaches every member.  Same fixtures as 10_sharing_rules.sql.
-- Rolled back.
BEGIN;
SELECT plan(14);
\ir fixtures/sharing.psql

UPDATE council.organisations SET restricted = true WHERE slug = 'tr-restricted';
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'tr-withdrawn';
INSERT INTO council.group_members (group_id, org_id)
SELECT pg_temp.g('tr-grp'), pg_temp.o('tr-withdrawn');

-- The preview's "left_out" of a would-be post, as person `who`: sorted
-- "slug:reason" of the fixtures' organisations.
CREATE FUNCTION pg_temp.left_out(who text, scope jsonb, excl jsonb DEFAULT '[]',
    sources text[] DEFAULT '{}') RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE j json;
BEGIN
    PERFORM pg_temp.as_(who);
    j := council.audience_preview('analysis', 't', 'b', false, false, scope, excl,
        ARRAY(SELECT pg_temp.p(s) FROM unnest(sources) s));
    RETURN (SELECT coalesce(array_agg(t.slug || ':' || (x->>'reason') ORDER BY t.slug), '{}')
            FROM json_array_elements(j->'left_out') x
            JOIN pg_temp.t_orgs t ON t.id = (x->>'id')::bigint AND t.slug LIKE 'tr-%');
END $$;
CREATE FUNCTION pg_temp.preview_tlp(who text, scope jsonb, sources text[] DEFAULT '{}')
    RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN council.audience_preview('analysis', 't', 'b', false, false, scope, '[]',
        ARRAY(SELECT pg_temp.p(s) FROM unnest(sources) s))->>'tlp';
END $$;

SET LOCAL ROLE council_app;
SELECT is(pg_temp.left_out('bank-h', pg_temp.orgs('tr-power', 'tr-police'), '[{"investigative": true}]'),
    '{tr-police:investigative}', 'R-SCOPE-2: an investigative body the author excluded is named, with the rule');
SELECT is(pg_temp.left_out('bank-h', pg_temp.orgs('tr-power', 'tr-fsa'), jsonb_build_array(jsonb_build_object('org', pg_temp.o('tr-power')))),
    '{tr-power:excluded}', 'R-SCOPE-2: an organisation excluded by name is named, with the rule');
SELECT is(pg_temp.left_out('bank-h', jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp'))), '[{"supervisors": true}]'),
    '{tr-fsa:supervisors,tr-withdrawn:not_member}',
    'R-SCOPE-2, R-ORG-3: a supervisor excluded and a group''s withdrawn member are named, each with its rule');
SELECT is(pg_temp.left_out('bank-h', '[{"class": "all_members"}]'),
    '{tr-liaison:liaison}',
    'R-ORG-8: every member: a liaison member is told as reached through GSOC; no withdrawn member is listed for a class');
SELECT is((SELECT count(*)::int FROM json_array_elements(
              (SELECT council.audience_preview('report', 't', 'b', false, false, '[{"class": "all_members"}]')
               FROM (SELECT pg_temp.as_('bank-h')) s)->'left_out') x
           WHERE x->>'reason' = 'secretariat'), 1,
    'R-ORG-6: every member: the secretariat is named as never shared with');
SELECT is(pg_temp.left_out('bank-h', pg_temp.orgs('tr-restricted', 'tr-power')), '{}'::text[],
    'R-RESTRICT-1, R-GOV-8: a restriction is never told, not even as a reason');

-- R-SCOPE-4: a derived post waits for its giver; its label says so. ---------------
SELECT pg_temp.post('e_src', 'bank-h', 'report', false, pg_temp.orgs('tr-vendor1'));
SELECT is('tr-power:consent' = ANY (pg_temp.left_out('v1-h', '[{"class": "all_members"}]', sources => '{e_src}')), true,
    'R-SCOPE-4: a member beyond the source''s scope is told as waiting for the giver''s consent');
SELECT is(pg_temp.preview_tlp('v1-h', '[{"class": "all_members"}]', '{e_src}'), 'amber',
    'R-SCOPE-4: while it reaches fewer than every member, the label is AMBER, not GREEN');
SELECT is(pg_temp.preview_tlp('v1-h', '[{"class": "all_members"}]'), 'green',
    'the same scope without a source is GREEN');
SELECT pg_temp.post('e_der', 'v1-h', 'analysis', false, '[{"class": "all_members"}]', sources => '{e_src}');
SELECT is((SELECT tlp::text FROM council.posts WHERE id = pg_temp.p('e_der')), 'amber',
    'R-SCOPE-4: the stored label of the derived post is AMBER until the consent');
SELECT pg_temp.as_('bank-h');
SELECT council.decide_consent((SELECT id FROM council.consents WHERE post_id = pg_temp.p('e_der')), true);
SELECT is((SELECT tlp::text FROM council.posts WHERE id = pg_temp.p('e_der')), 'green',
    'R-SCOPE-4: granted, it reaches every member and the label becomes GREEN');
SELECT is((SELECT DISTINCT f.tlp::text FROM council.feed_items f WHERE f.post_id = pg_temp.p('e_der')), 'green',
    '... in the feed too');

-- Only the author learns why. ----------------------------------------------------------
SELECT throws_ok(format('SELECT council.audience_left_out(%s)', pg_temp.p('e_der')), '42501', NULL,
    'a member cannot ask audience_left_out itself (only the preview does)');
RESET ROLE;
SELECT pg_temp.as_('power-h');
SELECT is((SELECT count(*)::int FROM council.audience_left_out(pg_temp.p('e_der'))), 0,
    'audience_left_out answers only the post''s author organisation');

SELECT * FROM finish();
ROLLBACK;
