-- tests/sql/51_presets.sql: the organisations' scope presets (issue 15
-- item 1; R-SCOPE-1, R-SCOPE-2; policy/99_presets.sql): a preset is seen
-- by its own organisation's people only (not another organisation, not
-- the coordinator); a scope is refused with create_post's own code and
-- nothing is stored; only the creator or the organisation's administrator
-- deletes; another organisation's preset answers like an absent one; a
-- deleted preset is gone; writes are audited; council_app writes nothing
-- directly.  Same fixtures as 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(36);
\ir fixtures/sharing.psql

-- bank-d is tr-bank's administrator (its handler registration is closed:
-- deleting needs no registration).
UPDATE council.people SET is_org_admin = true
WHERE id = (SELECT person_id FROM pg_temp.t_people WHERE k = 'bank-d');
-- R-ORG-3: tr-withdrawn has left the council.
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'tr-withdrawn';
CREATE TEMP TABLE t_ids (k text PRIMARY KEY, id bigint);
GRANT SELECT, INSERT ON t_ids TO council_app;
CREATE TEMP TABLE t_audit0 AS SELECT coalesce(max(id), 0) AS id FROM council.audit_log;
GRANT SELECT ON t_audit0 TO council_app;
-- The audit rows of action a written by this test.
CREATE FUNCTION pg_temp.audits(a text) RETURNS bigint LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog AS $$
    SELECT count(*) FROM council.audit_log
    WHERE action = a AND id > (SELECT id FROM pg_temp.t_audit0) $$;
CREATE FUNCTION pg_temp.posts_n() RETURNS bigint LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog AS $$ SELECT count(*) FROM council.posts $$;
GRANT EXECUTE ON FUNCTION pg_temp.audits(text), pg_temp.posts_n() TO council_app;
CREATE TEMP TABLE t_count (posts bigint, audits bigint);
INSERT INTO t_count SELECT pg_temp.posts_n(), (SELECT count(*) FROM council.audit_log);
GRANT SELECT ON t_count TO council_app;
CREATE FUNCTION pg_temp.audit_n() RETURNS bigint LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog AS $$ SELECT count(*) FROM council.audit_log $$;
GRANT EXECUTE ON FUNCTION pg_temp.audit_n() TO council_app;

SET LOCAL ROLE council_app;

-- ---- Creating. ----------------------------------------------------------------------
SELECT pg_temp.nobody();
SELECT throws_ok($$SELECT council.scope_preset_create('x', '[{"class": "all_members"}]', '[]')$$,
    'CP401', 'not_signed_in', 'nobody signed in creates nothing');

SELECT pg_temp.as_('bank-h');
INSERT INTO pg_temp.t_ids
SELECT 'p1', council.scope_preset_create('  銀行と FSA  ', pg_temp.orgs('tr-bank2', 'tr-fsa'),
                                         '[{"investigative": true}]');
SELECT is((SELECT name || ' ' || scope::text || ' ' || exclusions::text
           FROM council.scope_presets WHERE id = (SELECT id FROM pg_temp.t_ids WHERE k = 'p1')),
    '銀行と FSA ' || pg_temp.orgs('tr-bank2', 'tr-fsa')::text || ' [{"investigative": true}]',
    'a person of the organisation creates a preset (name trimmed, scope and exclusions as given)');
SELECT is(pg_temp.audits('scope_preset.create'), 1::bigint, 'the creation is audited');
SELECT is(pg_temp.posts_n(), (SELECT posts FROM pg_temp.t_count),
    'checking the scope with create_post left no post behind');
SELECT is(pg_temp.audit_n(), (SELECT audits FROM pg_temp.t_count) + 1,
    '... and no audit row of a post: the one new row is the preset''s');

-- A person of the organisation without a handler registration may create too.
SELECT pg_temp.as_('bank-n');
INSERT INTO pg_temp.t_ids
SELECT 'p2', council.scope_preset_create('グループ', jsonb_build_array(
    jsonb_build_object('group', pg_temp.g('tr-grp')), '{"class": "type1_group"}'::jsonb), NULL);
SELECT ok((SELECT id FROM pg_temp.t_ids WHERE k = 'p2') IS NOT NULL,
    'any person of the organisation creates one (a group it is in, a class; no exclusions)');

-- ---- Refused with create_post's own code, nothing stored. ------------------------
SELECT is(pg_temp.err('bank-h', $$SELECT council.scope_preset_create('隠れ',
        jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp-hidden'))), '[]')$$),
    pg_temp.err('bank-h', $$SELECT council.create_post('report', 't', 'b', false, false,
        jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp-hidden'))), '[]')$$),
    'R-SCOPE-1: a group the organisation cannot see: create_post''s answer, word for word');
SELECT is(pg_temp.err('bank-h', $$SELECT council.scope_preset_create('隠れ',
        jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp-hidden'))), '[]')$$),
    'CP404 group_not_found', '... which is CP404 group_not_found');
SELECT is(pg_temp.err('bank-h', $$SELECT council.scope_preset_create('脱退', pg_temp.orgs('tr-withdrawn'), '[]')$$),
    'CP404 organisation_not_found', 'R-SCOPE-1: a withdrawn organisation is not in any scope');
SELECT is(pg_temp.err('bank-h', $$SELECT council.scope_preset_create('空', '[]', '[]')$$),
    'CP422 empty_scope', 'an empty scope: empty_scope');
SELECT is(pg_temp.err('bank-h', $$SELECT council.scope_preset_create('無', NULL, '[]')$$),
    'CP422 empty_scope', 'no scope at all: empty_scope (a preset always designates one)');
SELECT is(pg_temp.err('bank-h', $$SELECT council.scope_preset_create('変', '[{"class": "everyone"}]', '[]')$$),
    'CP422 invalid_scope_entry', 'an unknown class: invalid_scope_entry');
SELECT is(pg_temp.err('univ-n', $$SELECT council.scope_preset_create('監督', '[{"class": "all_members"}]',
        '[{"supervisors": true}]')$$),
    pg_temp.err('univ-n', $$SELECT council.create_post('report', 't', 'b', false, false,
        '[{"class": "all_members"}]', '[{"supervisors": true}]')$$),
    'R-SCOPE-2: excluding supervisors without a sector: create_post''s answer');
SELECT is(pg_temp.err('bank-h', $$SELECT council.scope_preset_create('除外', '[{"class": "all_members"}]',
        '[{"everyone": true}]')$$),
    'CP422 invalid_exclusion', 'an unknown exclusion: invalid_exclusion');
SELECT is(pg_temp.err('liaison-h', $$SELECT council.scope_preset_create('連絡', '[{"class": "all_members"}]', '[]')$$),
    'CP403 liaison_member_posts_through_gsoc',
    'R-ORG-8: a member that shares only through GSOC gets no preset to post with');
SELECT is(pg_temp.err('bank-h', $$SELECT council.scope_preset_create(E'a\tb', '[{"class": "all_members"}]', '[]')$$),
    'CP422 invalid_name', 'a control character in the name: invalid_name');
SELECT is(pg_temp.err('bank-h', $$SELECT council.scope_preset_create('   ', '[{"class": "all_members"}]', '[]')$$),
    'CP422 invalid_name', 'a blank name: invalid_name');
SELECT is(pg_temp.err('bank-n', $$SELECT council.scope_preset_create('銀行と FSA', '[{"class": "all_members"}]', '[]')$$),
    'CP409 preset_name_taken', 'a name the organisation already uses: CP409 preset_name_taken');
-- Another organisation may use the same name.
SELECT is(pg_temp.err('bank2-h', $$SELECT council.scope_preset_create('銀行と FSA', '[{"class": "all_members"}]', '[]')$$),
    'no error', 'another organisation may use the same name');
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT count(*) FROM council.scope_presets), 2::bigint,
    'the refused ones stored nothing: tr-bank has its two presets');

-- ---- Who sees. ------------------------------------------------------------------------
SELECT pg_temp.as_('bank-n');
SELECT is(ARRAY(SELECT name FROM council.scope_presets ORDER BY name), ARRAY['グループ', '銀行と FSA'],
    'every person of the organisation sees its presets');
SELECT is(pg_temp.val('bank2-h', $$SELECT count(*) FROM council.scope_presets
        WHERE org_id = pg_temp.o('tr-bank')$$), '0', 'another organisation sees none of them');
SELECT is(pg_temp.val('coord-h', $$SELECT count(*) FROM council.scope_presets
        WHERE org_id = pg_temp.o('tr-bank')$$), '0',
    'the coordinator neither: a preset is a working tool, not shared information');
SELECT is(pg_temp.val('bank2-h', format($$SELECT status || ' ' || body FROM council.api_scope_preset('get', %s, NULL)$$,
        (SELECT id FROM pg_temp.t_ids WHERE k = 'p1'))),
    pg_temp.val('bank2-h', $$SELECT status || ' ' || body FROM council.api_scope_preset('get', 999999999999, NULL)$$),
    'another organisation''s preset answers like an absent one');
SELECT is(pg_temp.val('bank2-h', format($$SELECT status || ' ' || body FROM council.api_scope_preset('act', %s, '{"action": "delete"}')$$,
        (SELECT id FROM pg_temp.t_ids WHERE k = 'p1'))),
    '404 {"error" : "preset_not_found"}', '... and another organisation cannot delete it (404, as absent)');
SELECT is(pg_temp.val('bank-h', format($$SELECT body::json->>'collection' FROM council.api_scope_preset('get', %s, NULL)$$,
        (SELECT id FROM pg_temp.t_ids WHERE k = 'p1'))),
    (SELECT '/taxii2/council/collections/' || uuid || '/' FROM council.scope_presets
     WHERE id = (SELECT id FROM pg_temp.t_ids WHERE k = 'p1')),
    'the API names the preset''s TAXII collection by its uuid');

-- ---- Through the API's door. --------------------------------------------------------
SELECT is(pg_temp.val('bank-h', $$SELECT status || ' ' || (body::json->>'name')
        FROM council.api_scope_preset('create', NULL, '{"name": "API", "scope": [{"class": "all_members"}]}')$$),
    '201 API', 'POST /api/v1/scope-presets creates (201, the preset)');
SELECT is(pg_temp.val('bank-h', $$SELECT status || ' ' || body
        FROM council.api_scope_preset('create', NULL, '{"name": "x", "scope": [], "colour": "red"}')$$),
    '422 {"error" : "unknown_field"}', 'an unknown field is refused by the door');

-- ---- Deleting. ------------------------------------------------------------------------
SELECT is(pg_temp.err('bank-n', format('SELECT council.scope_preset_delete(%s)',
        (SELECT id FROM pg_temp.t_ids WHERE k = 'p1'))),
    'CP403 only_creator_or_admin', 'a person of the organisation who did not create it cannot delete it');
SELECT is(pg_temp.err('bank-d', format('SELECT council.scope_preset_delete(%s)',
        (SELECT id FROM pg_temp.t_ids WHERE k = 'p1'))),
    'no error', 'the organisation''s administrator deletes it');
SELECT is(pg_temp.val('bank-h', $$SELECT string_agg(name, ',' ORDER BY name) FROM council.scope_presets$$),
    'API,グループ', 'a deleted preset is gone from the list');
SELECT is(pg_temp.val('bank-h', format($$SELECT status || ' ' || body FROM council.api_scope_preset('get', %s, NULL)$$,
        (SELECT id FROM pg_temp.t_ids WHERE k = 'p1'))),
    '404 {"error" : "preset_not_found"}', '... and answers like an absent one');
SELECT is(pg_temp.val('bank-n', format($$SELECT status || ' ' || body FROM council.api_scope_preset('act', %s, '{"action": "delete"}')$$,
        (SELECT id FROM pg_temp.t_ids WHERE k = 'p2'))),
    '200 {"id" : ' || (SELECT id FROM pg_temp.t_ids WHERE k = 'p2') || ', "deleted" : true}',
    'its creator deletes one through the API');
SELECT is(pg_temp.audits('scope_preset.delete'), 2::bigint, 'each deletion is audited');
SELECT is(pg_temp.val('coord-h', $$SELECT count(*) || ' ' || count(*) FILTER (
            WHERE detail::text ~ '(銀行と FSA|グループ|API|"org"|"group"|"class")')
        FROM council.audit_log
        WHERE object_type = 'scope_preset' AND id > (SELECT id FROM pg_temp.t_audit0)$$), '6 0',
    'the audit log, which the coordinator reads, holds no preset''s name nor what its scope names');

-- ---- council_app writes nothing itself. ----------------------------------------------
SELECT throws_ok($$INSERT INTO council.scope_presets (org_id, name, scope, created_by)
    VALUES (pg_temp.o('tr-bank'), 'direct', '[{"class": "all_members"}]',
            (SELECT person_id FROM pg_temp.t_people WHERE k = 'bank-h'))$$,
    '42501', NULL, 'council_app cannot insert a preset directly');

SELECT * FROM finish();
ROLLBACK;
