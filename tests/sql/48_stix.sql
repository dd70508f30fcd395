-- tests/sql/48_stix.sql: the portal as STIX 2.1 objects and TAXII 2.1
-- collections (issue 15 items 1-3; policy/96_stix.sql, docs/stix.md):
-- UUIDv5, what each member's collections hold (R-SCOPE-1, R-SECRET-2,
-- R-NEW-2), masking (R-TF-6), consultation advice between its two parties,
-- the feedback as class counts for the author only (R-TF-6, R-TF-1),
-- paging, a hidden collection like an absent one, and pushes: the secrecy
-- declaration for the whole envelope (R-SECRET-1), the preset's scope,
-- no widening, idempotence.  Same fixtures as 10_sharing_rules.sql.
-- Rolled back.
BEGIN;
SELECT plan(45);
\ir fixtures/sharing.psql

-- Two scope presets of tr-bank2 (the table's writes are 99_presets.sql's;
-- here as the superuser): every member, and tr-vendor1 only.
INSERT INTO council.scope_presets (org_id, name, scope, created_by)
SELECT pg_temp.o('tr-bank2'), v.name, v.scope, p.person_id
FROM (VALUES ('all', '[{"class": "all_members"}]'::jsonb),
             ('v1', jsonb_build_array(jsonb_build_object('org', pg_temp.o('tr-vendor1')))))
     AS v(name, scope), pg_temp.t_people p
WHERE p.k = 'bank2-h';
CREATE TEMP TABLE t_pre AS SELECT name, uuid::text AS u FROM council.scope_presets
WHERE org_id = pg_temp.o('tr-bank2');
GRANT SELECT ON t_pre TO PUBLIC;
CREATE FUNCTION pg_temp.pre(n text) RETURNS text LANGUAGE sql STABLE
AS $$ SELECT u FROM pg_temp.t_pre WHERE name = n $$;
-- Every object of person who's collection c, in one page.
CREATE FUNCTION pg_temp.objs(who text, c text DEFAULT NULL) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN (SELECT coalesce(body->'objects', '[]') FROM council.taxii_objects(
        coalesce(c, council.taxii__shared_id()::text), NULL, 1000, NULL, NULL, NULL, NULL,
        NULL, 'objects'));
END $$;
-- The posts person who's collection c carries (the extension's "post").
CREATE FUNCTION pg_temp.posts_in(who text, c text DEFAULT NULL) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(DISTINCT t.label ORDER BY t.label), '{}')
    FROM jsonb_array_elements(pg_temp.objs(who, c)) o
    JOIN pg_temp.t_posts t ON t.id = (o->'extensions'->council.stix_ext_id()->>'post')::bigint
$$;
-- The STIX id of post lbl.
CREATE FUNCTION pg_temp.sid(lbl text) RETURNS text LANGUAGE sql
AS $$ SELECT council.stix__derived_id(x.id, x.kind, x.parent_id, x.created_at)
      FROM council.posts x WHERE x.id = pg_temp.p(lbl) $$;
-- An envelope of one report with the council's extension (secret: s,
-- or no declaration when s is NULL) and extra properties.
CREATE FUNCTION pg_temp.env(id text, s boolean, extra jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql AS $$
    SELECT jsonb_build_object('objects', jsonb_build_array(jsonb_build_object(
        'type', 'report', 'spec_version', '2.1', 'id', 'report--' || id,
        'created', '2026-12-01T00:00:00.000Z', 'modified', '2026-12-01T00:00:00.000Z',
        'name', 'pushed ' || id, 'description', 'C2 at 203.0.113.50',
        'report_types', '["threat-report"]'::jsonb, 'published', '2026-12-01T00:00:00.000Z',
        'object_refs', '["identity--3f0e2a10-8e47-4c59-9d5e-0b2c8d6f4a11"]'::jsonb,
        'extensions', jsonb_build_object(council.stix_ext_id(),
            jsonb_strip_nulls(jsonb_build_object('extension_type', 'property-extension',
                                                 'secret', s)))) || extra))
$$;
CREATE FUNCTION pg_temp.with_identity(e jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('objects', (e->'objects') || jsonb_build_array(jsonb_build_object(
        'type', 'identity', 'spec_version', '2.1',
        'id', 'identity--3f0e2a10-8e47-4c59-9d5e-0b2c8d6f4a11',
        'created', '2026-12-01T00:00:00.000Z', 'modified', '2026-12-01T00:00:00.000Z',
        'name', 'bank2 CSIRT', 'identity_class', 'organization')))
$$;

-- ---- Identifiers. ---------------------------------------------------------
SELECT is(council.stix_uuid5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'),
    '886313e1-3b8a-5372-9b90-0c9aee199e5d'::uuid,
    'UUIDv5 as RFC 9562 (the DNS namespace vector)');
SELECT is(council.stix_ts_parse('2026-12-05T01:02:03.123456Z'),
    '2026-12-05 01:02:03.123456+00'::timestamptz, 'a STIX timestamp parses to the microsecond');
SELECT is(council.stix_ts_parse('2026-12-05 01:02:03'), NULL, '... a malformed one is NULL');

-- ---- Posts. ----------------------------------------------------------------
SET LOCAL ROLE council_app;
SELECT pg_temp.post('all', 'bank-h', 'analysis', false, '[{"class": "all_members"}]');
SELECT pg_temp.post('v1-only', 'v1-h', 'analysis', false, pg_temp.orgs('tr-vendor1'));
SELECT pg_temp.post('secret-all', 'bank-h', 'analysis', true, '[{"class": "all_members"}]');
SELECT pg_temp.post('grp', 'v1-h', 'analysis', false,
                    jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp'))));
SELECT pg_temp.post('masked', 'v1-h', 'analysis', false, '[{"class": "all_members"}]',
                    masked => true);
SELECT pg_temp.post('consult', 'bank-h', 'consultation', false, NULL);
SELECT pg_temp.post('advice', 'v1-h', 'consultation', false, NULL, parent => 'consult');
-- a countermeasure of the Type 1 vendor, with indicators, and feedback
SELECT pg_temp.as_('v1-h');
INSERT INTO pg_temp.t_posts SELECT 'cm', council.create_post('countermeasure',
    'block 198.51.100.7', 'Block 198.51.100.7 and evil.example.com; CVE-2024-1234',
    false, false, '[{"class": "task_force"}]', '[]', '{}', NULL, 'high',
    now() + interval '3 days'), false;
SELECT pg_temp.as_('v2-h');
SELECT council.give_feedback(pg_temp.p('cm'), 'seen', '');
SELECT pg_temp.as_('coord-h');
SELECT council.give_feedback(pg_temp.p('cm'), 'seen', '');

-- ---- What each collection holds (R-SCOPE-1 ...). ---------------------------
SELECT ok('all' = ANY (pg_temp.posts_in('bank2-h')) AND NOT 'v1-only' = ANY (pg_temp.posts_in('bank2-h')),
    'R-SCOPE-1: "shared with us" holds what the member reads and not a post scoped to another');
SELECT ok('v1-only' = ANY (pg_temp.posts_in('v1-h')), '... the member in scope has it');
SELECT ok(NOT 'secret-all' = ANY (pg_temp.posts_in('bank-n')) AND 'secret-all' = ANY (pg_temp.posts_in('bank2-h')),
    'R-SECRET-2: a secret goes to registered handlers only, in TAXII as on the pages');
SELECT is(pg_temp.posts_in('power-h', council.taxii__group_id(pg_temp.g('tr-grp'))::text), ARRAY['grp'],
    'R-NEW-2: a group''s collection holds the posts shared with the group');
SELECT is(pg_temp.posts_in('bank2-h', council.taxii__group_id(pg_temp.g('tr-grp'))::text), '{}',
    '... and is no collection of an organisation outside the group');
SELECT is((SELECT body FROM council.taxii_objects(council.taxii__group_id(pg_temp.g('tr-grp-hidden'))::text,
              NULL, 10, NULL, NULL, NULL, NULL, NULL, 'objects')),
          NULL, 'a group collection the caller is not in answers like an absent one (NULL: 404)');
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT body FROM council.taxii_objects(pg_temp.pre('all'), NULL, 10, NULL, NULL, NULL,
              NULL, NULL, 'objects')),
          NULL, 'another organisation''s write collection answers like an absent one');
SELECT is(council.taxii_collection_json(pg_temp.pre('all')), NULL, '... its description too');
SELECT pg_temp.as_('bank2-h');
SELECT throws_ok($$SELECT * FROM council.taxii_objects(pg_temp.pre('all'), NULL, 10, NULL,
                     NULL, NULL, NULL, NULL, 'objects')$$,
    'CP403', 'taxii_collection_write_only', 'the owner''s write collection is not read');
SELECT is((SELECT jsonb_array_length(council.taxii_collections_json()->'collections')), 3,
    'bank2 has "shared with us" and its two presets');

-- R-TF-6: a masked author is never named.
SELECT ok(NOT EXISTS (SELECT 1 FROM jsonb_array_elements(pg_temp.objs('bank-h')) o
                      WHERE (o->'extensions'->council.stix_ext_id()->>'post')::bigint = pg_temp.p('masked')
                        AND o ? 'created_by_ref'),
    'R-TF-6: objects of a masked author''s post carry no created_by_ref');
SELECT ok(EXISTS (SELECT 1 FROM jsonb_array_elements(pg_temp.objs('bank2-h')) o
                  WHERE o->>'id' = pg_temp.sid('all')
                    AND o->>'created_by_ref' = council.stix_org_identity_id(pg_temp.o('tr-bank'))),
    'an unmasked author is its organisation''s identity');
SELECT ok(NOT EXISTS (SELECT 1 FROM jsonb_array_elements(pg_temp.objs('bank2-h')) o
                      WHERE o->>'id' = council.stix_org_identity_id(pg_temp.o('tr-vendor1'))
                        AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(pg_temp.objs('bank2-h')) q
                                        WHERE q->>'created_by_ref' = o->>'id')),
    '... and no identity is served without an unmasked post of its organisation');

-- Consultation advice goes to its two parties only.
SELECT ok('advice' = ANY (pg_temp.posts_in('bank-h')) AND 'advice' = ANY (pg_temp.posts_in('v1-h')),
    'consultation advice is exported to the one who asked and the one who answered');
SELECT ok(NOT 'advice' = ANY (pg_temp.posts_in('coord-h')),
    '... and to nobody else, the coordinator included');
SELECT is((SELECT o->>'type' FROM jsonb_array_elements(pg_temp.objs('bank-h')) o
           WHERE o->>'id' = pg_temp.sid('advice')), 'note', 'advice is a note');

-- R-TF-6, R-TF-1: "seen here" as sightings counted by class, for the author.
SELECT is((SELECT jsonb_agg(o->'count' ORDER BY o->>'description')
           FROM jsonb_array_elements(pg_temp.objs('v1-h')) o WHERE o->>'type' = 'sighting'),
    '[1, 1]'::jsonb, 'R-TF-6: the author sees "seen here" counted per class');
SELECT ok(NOT EXISTS (SELECT 1 FROM jsonb_array_elements(pg_temp.objs('v1-h')) o
                      WHERE o->>'type' = 'sighting' AND (o ? 'where_sighted_refs' OR o ? 'created_by_ref')),
    '... never who');
SELECT ok(NOT EXISTS (SELECT 1 FROM jsonb_array_elements(pg_temp.objs('v2-h')) o
                      WHERE o->>'type' = 'sighting'),
    'R-TF-1: a task-force member that is not the author gets no sighting');
SELECT is((SELECT o->>'type' FROM jsonb_array_elements(pg_temp.objs('v2-h')) o
           WHERE o->>'id' = pg_temp.sid('cm')), 'course-of-action', 'a countermeasure is a course-of-action');
SELECT is((SELECT count(*)::int FROM jsonb_array_elements(pg_temp.objs('v2-h')) o
           WHERE o->>'type' IN ('indicator', 'vulnerability', 'relationship')
             AND (o->'extensions'->council.stix_ext_id()->>'post')::bigint = pg_temp.p('cm')),
    6, '... two indicators, a vulnerability for the CVE, and "mitigates" for each of the three');

-- ---- Paging. -------------------------------------------------------------
CREATE FUNCTION pg_temp.walk(who text, lim int) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE n text; b jsonb; acc text[] := '{}';
BEGIN
    PERFORM pg_temp.as_(who);
    LOOP
        SELECT body INTO b FROM council.taxii_objects(council.taxii__shared_id()::text,
            NULL, lim, n, NULL, NULL, NULL, NULL, 'objects');
        acc := acc || ARRAY(SELECT o->>'id' FROM jsonb_array_elements(coalesce(b->'objects', '[]')) o);
        EXIT WHEN NOT (b->>'more')::boolean;
        n := b->>'next';
    END LOOP;
    RETURN acc;
END $$;
SELECT is((SELECT count(*) FROM unnest(pg_temp.walk('v1-h', 3))),
          (SELECT count(DISTINCT x) FROM unnest(pg_temp.walk('v1-h', 3)) x),
    'paging by three: no object twice');
SELECT is(pg_temp.srt(pg_temp.walk('v1-h', 3)),
          pg_temp.srt(ARRAY(SELECT o->>'id' FROM jsonb_array_elements(pg_temp.objs('v1-h')) o)),
    '... and every object once');
SELECT throws_ok($$SELECT * FROM council.taxii_objects(council.taxii__shared_id()::text, NULL, 3,
                     'garbage', NULL, NULL, NULL, NULL, 'objects')$$,
    'CP400', 'taxii_bad_parameter', 'a malformed next is refused');
SELECT is((SELECT jsonb_array_length(body->'objects') FROM council.taxii_objects(
               council.taxii__shared_id()::text, NULL, 1000, NULL, pg_temp.sid('cm'), NULL, NULL,
               NULL, 'objects')), 1, 'match[id] picks one object');

-- ---- Pushes (item 3). ------------------------------------------------------
SELECT pg_temp.as_('bank2-h');
SELECT is((council.taxii_add(pg_temp.pre('all'),
              pg_temp.with_identity(pg_temp.env('4a1e2b3c-0000-4000-8000-000000000001', NULL)))->>'success_count')::int,
    0, 'R-SECRET-1: an envelope without the secrecy declaration is refused whole');
SELECT is((SELECT count(*)::int FROM council.stix_imports), 0, '... and nothing is stored');
SELECT is((council.taxii_add(pg_temp.pre('all'),
              pg_temp.with_identity(pg_temp.env('4a1e2b3c-0000-4000-8000-000000000001', false)))->>'success_count')::int,
    2, 'with the declaration: the report and its identity are accepted');
INSERT INTO pg_temp.t_posts SELECT 'pushed', post_id, false FROM council.stix_imports
WHERE stix_id = 'report--4a1e2b3c-0000-4000-8000-000000000001';
SELECT ok(pg_temp.sees('power-h', 'pushed') AND pg_temp.sees('bank-h', 'pushed'),
    'R-SCOPE-1: the pushed post has the preset''s scope (every member)');
SELECT is((SELECT o->>'id' FROM jsonb_array_elements(pg_temp.objs('power-h')) o
           WHERE (o->'extensions'->council.stix_ext_id()->>'post')::bigint = pg_temp.p('pushed')
             AND o->>'type' = 'report'),
    'report--4a1e2b3c-0000-4000-8000-000000000001', '... and keeps the client''s id on export');
SELECT pg_temp.as_('bank2-h');
SELECT is((council.taxii_add(pg_temp.pre('all'),
              pg_temp.with_identity(pg_temp.env('4a1e2b3c-0000-4000-8000-000000000001', false)))->>'success_count')::int,
    2, 'pushing the same (id, modified) again succeeds ...');
SELECT is((SELECT count(*)::int FROM council.stix_imports), 1, '... and makes nothing new');
SELECT is(council.taxii_add(pg_temp.pre('v1'), pg_temp.env('4a1e2b3c-0000-4000-8000-000000000002',
              false, jsonb_build_object('object_refs', jsonb_build_array(pg_temp.sid('v1-only')))))
          #>> '{failures,0,message}',
    'unresolved_reference', 'a reference to a post the caller does not read is refused ...');
SELECT is(council.taxii_add(pg_temp.pre('v1'), pg_temp.env('4a1e2b3c-0000-4000-8000-000000000003',
              false, '{"object_refs": ["report--0b0e1c2d-1111-5222-8333-444455556666"]}'))
          #>> '{failures,0,message}',
    'unresolved_reference', '... exactly like a reference to nothing');
SELECT is(council.taxii_add(pg_temp.pre('all'), jsonb_build_object('objects', jsonb_build_array(
              (pg_temp.env('x', false)->'objects'->0) || jsonb_build_object('id', pg_temp.sid('all'),
               'object_refs', '["report--0b0e1c2d-1111-5222-8333-444455556666"]'::jsonb))))
          #>> '{failures,0,message}', 'unresolved_reference',
    'an unknown reference fails before anything else');
SELECT is((council.taxii_add(pg_temp.pre('v1'), pg_temp.env('4a1e2b3c-0000-4000-8000-000000000005',
              false, jsonb_build_object('object_refs', jsonb_build_array(council.stix_council_identity_id()))))
          ->>'success_count')::int, 1,
    'a reference to an identity (here the council''s, as its own reports have) needs no resolving');
-- An id learnt from another member: the derived id of a post bank2 does
-- not read, pushed to vendor1, which reads both.
SELECT pg_temp.as_('v1-h');
SELECT set_config('t.v1sid', pg_temp.sid('v1-only'), true) IS NOT NULL AS learnt;
SELECT pg_temp.as_('bank2-h');
SELECT is((council.taxii_add(pg_temp.pre('v1'), jsonb_build_object('objects', jsonb_build_array(
              (pg_temp.env('x', false)->'objects'->0) || jsonb_build_object('id', current_setting('t.v1sid')))))
          ->>'success_count')::int, 1,
    'a hidden post''s id pushed answers like a fresh id (nothing tells the pusher it exists)');
SELECT is((SELECT count(*)::int FROM jsonb_array_elements(pg_temp.objs('v1-h')) o
           WHERE o->>'id' = current_setting('t.v1sid')), 1,
    '... and a reader of both gets one object with that id: the pushed post has its derived id');
SELECT pg_temp.as_('bank2-h');
SELECT is(council.taxii_add(pg_temp.pre('v1'), jsonb_build_object('objects', jsonb_build_array(
              (pg_temp.env('x', false)->'objects'->0) || jsonb_build_object('id', pg_temp.sid('all'),
               'object_refs', jsonb_build_array(pg_temp.sid('all'))))))
          #>> '{failures,0,message}', 'already_in_council',
    'a post one reads cannot be pushed again under another scope');
SELECT is(council.taxii_add(pg_temp.pre('all'), pg_temp.with_identity(pg_temp.env(
              '4a1e2b3c-0000-4000-8000-000000000004', false,
              '{"object_marking_refs": ["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"]}')))
          #>> '{failures,0,message}', 'tlp_stricter_than_scope',
    'a TLP:RED object (TLP 1.0 id) is not pushed to every member');
SELECT throws_ok($$SELECT council.taxii_add(council.taxii__shared_id()::text, '{"objects": []}')$$,
    'CP403', 'taxii_collection_read_only', '"shared with us" is read only');
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.taxii_add(pg_temp.pre('all'), '{"objects": []}')$$,
    'CP404', 'collection_not_found', 'another organisation''s write collection is not found');

SELECT * FROM finish();
ROLLBACK;
