-- tests/sql/49_misp.sql: MISP in and out (issue 15 item 4;
-- policy/97_misp.sql, docs/misp.md).  Export: a post as a MISP core format
-- event has every field the specification requires (MUST and SHALL of
-- Event, Org/Orgc, Attribute, Tag), its indicators as attributes of the
-- right type and category, its TLP as the taxonomy's tag, deterministic
-- uuids (UUIDv5, RFC 4122's own test vector first); a post the caller may
-- not read is NULL exactly like an absent one; a masked author is never
-- named (R-TF-6).  Import: an event becomes a draft (title, body listing
-- the indicators, the strictest TLP, ATT&CK techniques of the bundled
-- list), choosing neither scope nor secrecy (R-SECRET-1) and storing
-- nothing; malformed or oversized input is refused with a stable code.
-- Same fixtures as 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(44);
\ir fixtures/sharing.psql

-- ---- UUIDv5. --------------------------------------------------------------------------
SELECT is(council.misp_uuid5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'),
    '886313e1-3b8a-5372-9b90-0c9aee199e5d'::uuid, 'UUIDv5: the DNS namespace''s "python.org" (RFC 4122 §4.3, SHA-1)');

SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
INSERT INTO pg_temp.t_posts SELECT 'ind', council.create_post('report', 'VPN 機器への攻撃',
    E'攻撃元 198.51.100.7 と evil-update.example.net、https://evil-update.example.net/a.php\n'
    'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 md5 d41d8cd98f00b204e9800998ecf8427e\n'
    'CVE-2024-21762 を悪用。送信元 phish@bad.example.com',
    false, p_scope => '[{"class": "all_members"}]'), false;
SELECT pg_temp.post('pow', 'power-h', 'report', false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('mask', 'v1-h', 'analysis', false, '[{"class": "all_members"}]', masked => true);
SELECT pg_temp.post('sec', 'power-h', 'report', true, pg_temp.orgs('tr-bank'));

-- ---- Export: the fields the specification requires. -------------------------------------
SELECT pg_temp.as_('bank2-h');
CREATE TEMP TABLE ev AS SELECT council.misp_event(pg_temp.p('ind'))->'Event' AS e;
SELECT ok((SELECT e IS NOT NULL FROM ev), 'export: a member of the scope reads the post as a MISP event');
SELECT is((SELECT array_agg(k ORDER BY k) FROM ev, unnest(ARRAY['uuid', 'published', 'info', 'date', 'timestamp',
               'publish_timestamp', 'org_id', 'orgc_id', 'distribution', 'Org', 'Orgc']) k WHERE NOT e ? k),
    NULL, 'export: every MUST field of Event is present');
SELECT is((SELECT array_agg(k ORDER BY k) FROM ev, unnest(ARRAY['id', 'threat_level_id', 'analysis', 'attribute_count',
               'first_publication', 'sharing_group_id', 'extends_uuid', 'locked', 'Attribute', 'Tag']) k WHERE NOT e ? k),
    NULL, 'export: ... and every SHALL and SHOULD field');
SELECT is((SELECT array_agg(k ORDER BY k) FROM ev, jsonb_object_keys(e) k
           WHERE k NOT IN ('id', 'orgc_id', 'org_id', 'date', 'extends_uuid', 'threat_level_id', 'info', 'published',
                           'uuid', 'attribute_count', 'analysis', 'timestamp', 'first_publication', 'distribution',
                           'proposal_email_lock', 'locked', 'publish_timestamp', 'sharing_group_id',
                           'disable_correlation', 'event_creator_email', 'Org', 'Orgc', 'SharingGroup', 'Attribute',
                           'ShadowAttribute', 'RelatedEvent', 'Galaxy', 'Object', 'Tag')),
    NULL, 'export: no key outside the JSON Schema''s event (additionalProperties false)');
SELECT is((SELECT jsonb_typeof(e->'published') || ' ' || jsonb_typeof(e->'locked') FROM ev), 'boolean boolean',
    'export: published and locked are booleans');
SELECT ok((SELECT bool_and(jsonb_typeof(e->k) = 'string') FROM ev, unnest(ARRAY['id', 'uuid', 'info', 'date', 'timestamp',
               'publish_timestamp', 'first_publication', 'org_id', 'orgc_id', 'distribution', 'sharing_group_id',
               'threat_level_id', 'analysis', 'attribute_count']) k),
    'export: the other fields are JSON strings, as the format represents them');
SELECT ok((SELECT e->>'id' ~ '^[0-9]+$' AND e->>'org_id' ~ '^[0-9]+$' AND e->>'orgc_id' ~ '^[0-9]+$'
                  AND e->>'timestamp' ~ '^[0-9]+$' AND e->>'date' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
                  AND e->>'threat_level_id' IN ('1', '2', '3', '4') AND e->>'analysis' IN ('0', '1', '2')
                  AND e->>'distribution' IN ('0', '1', '2', '3', '4') AND e->>'sharing_group_id' = '0'
                  AND e->>'publish_timestamp' = '0' AND NOT (e->>'published')::boolean FROM ev),
    'export: ids unsigned integers, the date ISO 8601, the enumerations in range, unpublished (publish_timestamp 0)');
SELECT ok((SELECT bool_and(e->o ? 'uuid' AND e->o ? 'name' AND e->o ? 'id' AND (e->o->>'id') ~ '^[0-9]+$')
           FROM ev, unnest(ARRAY['Org', 'Orgc']) o), 'export: Org and Orgc have uuid, name and id');
SELECT is((SELECT e->'Orgc'->>'id' || ' ' || (e->>'orgc_id') FROM ev),
    pg_temp.o('tr-bank') || ' ' || pg_temp.o('tr-bank'), 'export: Orgc is the author''s organisation, orgc_id its id');
SELECT is((SELECT count(*)::int FROM ev, jsonb_array_elements(e->'Attribute') a
           WHERE NOT (a ?& ARRAY['uuid', 'id', 'type', 'category', 'to_ids', 'event_id', 'distribution', 'timestamp',
                                 'sharing_group_id', 'deleted', 'value'])
              OR jsonb_typeof(a->'to_ids') <> 'boolean' OR jsonb_typeof(a->'deleted') <> 'boolean'
              OR a->>'event_id' <> e->>'id'),
    0, 'export: every attribute has every required field (to_ids and deleted booleans, event_id the event''s)');
SELECT is((SELECT e->>'attribute_count' FROM ev), (SELECT jsonb_array_length(e->'Attribute')::text FROM ev),
    'export: attribute_count counts them');
SELECT is((SELECT array_agg(a->>'type' || '/' || (a->>'category') || '/' || (a->>'to_ids') || '=' || (a->>'value')
                            ORDER BY a->>'type', a->>'value')
           FROM ev, jsonb_array_elements(e->'Attribute') a WHERE a->>'type' <> 'text'),
    ARRAY['domain/Network activity/true=bad.example.com',
          'domain/Network activity/true=evil-update.example.net',
          'email-src/Payload delivery/true=phish@bad.example.com',
          'ip-dst/Network activity/true=198.51.100.7',
          'md5/Payload delivery/true=d41d8cd98f00b204e9800998ecf8427e',
          'sha256/Payload delivery/true=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          'url/Network activity/true=https://evil-update.example.net/a.php',
          'vulnerability/External analysis/false=CVE-2024-21762'],
    'export: each indicator kind as its MISP type, in a category the format allows for it (the e-mail''s domain is an indicator of the post too)');
SELECT is((SELECT count(*)::int FROM ev, jsonb_array_elements(e->'Attribute') a
           WHERE a->>'type' = 'text' AND a->>'category' = 'Other' AND a->>'value' LIKE '攻撃元 198.51.100.7%'),
    1, 'export: the post''s text is one text attribute');
SELECT is((SELECT (e->'Tag'->0->>'name') FROM ev),
    (SELECT 'tlp:' || replace(tlp::text, '_', '+') FROM council.posts WHERE id = pg_temp.p('ind')),
    'export: the post''s TLP as the MISP taxonomy''s tag');
SELECT ok((SELECT bool_and(t ? 'name' AND t ? 'colour' AND t ? 'id' AND t ? 'exportable')
           FROM ev, jsonb_array_elements(e->'Tag') t), 'export: each tag has name, colour, id and exportable');
SELECT ok((SELECT e->'Tag' @> '[{"name": "council:secret=\"no\""}]' FROM ev), 'export: R-SECRET-1: the declaration travels as a tag');
SELECT is((SELECT e->>'uuid' FROM ev), council.misp_uuid5(council.misp_ns(), 'post:' || pg_temp.p('ind'))::text,
    'export: the event uuid is the UUIDv5 of the post');
SELECT pg_temp.as_('power-h');
SELECT is(council.misp_event(pg_temp.p('ind'))->'Event'->>'uuid', (SELECT e->>'uuid' FROM ev),
    'export: ... the same for every reader and every export');
SELECT is((SELECT array_agg(a->>'uuid' ORDER BY a->>'uuid') FROM jsonb_array_elements(council.misp_event(pg_temp.p('ind'))->'Event'->'Attribute') a),
    (SELECT array_agg(a->>'uuid' ORDER BY a->>'uuid') FROM ev, jsonb_array_elements(e->'Attribute') a),
    'export: ... and so are the attributes'' uuids');

-- ---- Export: who reads it. -------------------------------------------------------------------
SELECT pg_temp.as_('bank-h');
SELECT is(council.misp_event(pg_temp.p('pow')), NULL, 'export: a post outside the caller''s scope is NULL ...');
SELECT is(council.misp_event((SELECT max(id) + 1000 FROM council.posts)), NULL, '... exactly like an absent post');
SELECT pg_temp.as_('power-h');
SELECT ok(council.misp_event(pg_temp.p('pow')) IS NOT NULL, 'export: its own scope reads it');
SELECT pg_temp.as_('bank-n');
SELECT is(council.misp_event(pg_temp.p('sec')), NULL, 'export: R-SECRET-2: a secret is NULL to one who is no handler');
SELECT pg_temp.as_('bank-h');
SELECT ok(council.misp_event(pg_temp.p('sec'))->'Event'->'Tag' @> '[{"name": "council:secret=\"yes\""}]',
    'export: a registered handler in scope reads the secret, marked secret');
SELECT pg_temp.nobody();
SELECT is(council.misp_event(pg_temp.p('ind')), NULL, 'export: nobody reads nothing');

-- R-TF-6: a masked author is never named, for any reader.
CREATE TEMP TABLE masked AS
SELECT k.k, (SELECT council.misp_event(pg_temp.p('mask')) FROM (SELECT pg_temp.as_(k.k)) s) AS ev
FROM unnest(ARRAY['bank-h', 'power-h', 'v1-h', 'coord-h']) k(k);
SELECT is((SELECT count(*)::int FROM masked WHERE ev IS NOT NULL), 4, 'R-TF-6: four readers export the masked post ...');
SELECT is((SELECT count(*)::int FROM masked
           WHERE ev->'Event'->>'orgc_id' <> '0' OR ev->'Event'->'Orgc'->>'id' <> '0'
              OR ev::text LIKE '%"tr-vendor1"%'
              OR ev->'Event'->'Orgc'->>'uuid' = council.misp_uuid5(council.misp_ns(), 'org:' || pg_temp.o('tr-vendor1'))::text),
    0, 'R-TF-6: ... none of them, the author''s own organisation and the coordinator included, finds its name, id or uuid');

-- ---- Import: a draft. -----------------------------------------------------------------------
SELECT pg_temp.as_('bank-h');
CREATE TEMP TABLE n0 AS SELECT (SELECT count(*) FROM council.posts) AS posts;
CREATE TEMP TABLE dr AS SELECT council.misp_draft($j${"Event": {
  "uuid": "5b2d6a6e-7f3c-4e0a-9a4e-0c3f2d1e9b11", "info": "Spearphishing\nwave", "date": "2026-11-30",
  "Orgc": {"id": "1", "name": "Example CERT", "uuid": "1d3e8b86-5b5c-4c2e-9a3a-4c5c8f1c2d77"},
  "Attribute": [
    {"type": "ip-dst", "category": "Network activity", "value": "198.51.100.23"},
    {"type": "domain|ip", "value": "cdn.example.org|192.0.2.44"},
    {"type": "filename|sha1", "value": "a.exe|DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"},
    {"type": "vulnerability", "value": "cve-2023-23397"},
    {"type": "comment", "value": "lure"},
    {"type": "ip-dst", "value": "192.0.2.200", "deleted": true, "Tag": [{"name": "tlp:red"}]}],
  "Tag": [{"name": "tlp:green"}, {"name": "TLP:AMBER"}, {"name": "misp-galaxy:mitre-attack-pattern=\"Phishing - T1566\""}],
  "Galaxy": [{"type": "mitre-attack-pattern", "GalaxyCluster": [
      {"value": "Spearphishing Attachment - T1566.001", "meta": {"external_id": ["T1566.001"]}},
      {"value": "Nothing - T9999"}]}]}}$j$, 'en') AS d;
SELECT is((SELECT d->>'title' FROM dr), 'Spearphishing wave', 'import: the title is the event''s info, on one line');
SELECT is((SELECT d->>'tlp' FROM dr), 'red', 'import: the strictest TLP label of the event and its attributes (a deleted one''s too) is suggested');
SELECT is((SELECT array_agg(t->>'id' ORDER BY t->>'id') FROM dr, jsonb_array_elements(d->'techniques') t),
    ARRAY['T1566', 'T1566.001'], 'import: ATT&CK techniques of the galaxy and its tags, of the bundled list only');
SELECT is((SELECT array_agg((i->>'kind') || '=' || (i->>'value') ORDER BY i->>'kind', i->>'value')
           FROM dr, jsonb_array_elements(d->'indicators') i),
    ARRAY['cve=CVE-2023-23397', 'domain=cdn.example.org', 'hash=da39a3ee5e6b4b0d3255bfef95601890afd80709',
          'ip=192.0.2.44', 'ip=198.51.100.23'],
    'import: the attributes that are indicators, composite values split, the deleted one skipped');
SELECT ok((SELECT d->>'body' LIKE E'%\n```\n%ip-dst 198.51.100.23%```%' AND d->>'body' LIKE '%- T1566.001 Spearphishing Attachment%'
                  AND d->>'body' LIKE '%- comment: lure%' AND d->>'body' LIKE '%- filename: a.exe%' FROM dr),
    'import: the body lists the indicators, the techniques and the other attributes');
SELECT is((SELECT jsonb_build_array(d->'secret', d->'scope') FROM dr), '[null, null]'::jsonb,
    'import: R-SECRET-1, R-SCOPE-1: the draft declares no secrecy and names no scope');
SELECT is((SELECT count(*) FROM council.posts), (SELECT posts FROM n0), 'import: nothing is stored');
SELECT is((SELECT array_agg(i->>'value' ORDER BY i->>'value') FROM jsonb_array_elements(
               council.misp_draft(council.misp_event(pg_temp.p('ind'))::text)->'indicators') i),
    (SELECT array_agg(value ORDER BY value) FROM council.post_indicators WHERE post_id = pg_temp.p('ind')),
    'import: an exported event imports back with the post''s indicators');

-- ---- Import: refused. -----------------------------------------------------------------------
SELECT throws_ok($$SELECT council.misp_draft('{"Event": ')$$, 'CP422', 'misp_invalid_json', 'import: malformed JSON is refused');
SELECT throws_ok($$SELECT council.misp_draft('[1, 2]')$$, 'CP422', 'misp_not_an_event', 'import: ... and JSON that is no event');
SELECT throws_ok($$SELECT council.misp_draft('{"Event": {"info": "x", "Attribute": [{"value": "1.2.3.4"}]}}')$$,
    'CP422', 'misp_invalid_attribute', 'import: ... an attribute without a type');
SELECT throws_ok(format('SELECT council.misp_draft(%L)', jsonb_build_object('Event', jsonb_build_object('info', 'x',
        'Attribute', (SELECT jsonb_agg(jsonb_build_object('type', 'ip-dst', 'value', '192.0.2.' || (i % 250)))
                      FROM generate_series(1, 501) i)))),
    'CP422', 'misp_too_many_attributes', 'import: ... more than 500 attributes');
SELECT throws_ok(format('SELECT council.misp_draft(%L)', jsonb_build_object('Event', jsonb_build_object('info', 'x',
        'Attribute', jsonb_build_array(jsonb_build_object('type', 'text', 'value', repeat('a', 2049)))))),
    'CP422', 'misp_value_too_long', 'import: ... a value longer than 2,048 characters');
SELECT throws_ok(format('SELECT council.misp_draft(%L)', '{"Event": {"info": "' || repeat('a', 1000001) || '"}}'),
    'CP413', 'misp_too_large', 'import: ... a document larger than 1 MB');
SELECT is((SELECT body FROM council.api_misp_import('{"Event": {"info": "x", "Attribute": [{"type": "a", "value": "b"}, {"type": 1}]}}', 'ja')),
    '{"error" : "misp_invalid_attribute", "item" : 2}', 'import: the API says which attribute');
SELECT pg_temp.nobody();
SELECT throws_ok($$SELECT council.misp_draft('{"Event": {"info": "x"}}')$$, 'CP401', 'not_signed_in', 'import: nobody imports');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
