-- tests/sql/42_vulns.sql: vulnerability matching and targeted warnings
-- (issue 14 item 5; R-NEW-4; policy/89_vulns.sql): parsing NVD CVE API
-- 2.0 and CSAF 2.0 (tests/fixtures/vuln), version comparison and range
-- boundaries, matching against the registry, one warning per (advisory,
-- owner) whose audience is that owner (and the coordinator, and the
-- importer's organisation), idempotent re-import, a changed advisory
-- updating its warnings, who may import, and who sees the matches
-- (nobody else counts anything).  Same fixtures as 41_assets.sql.  Rolled
-- back.  Run from the source root (the fixtures are read with psql).
BEGIN;
SELECT plan(32);
\ir fixtures/sharing.psql
\set nvd `cat tests/fixtures/vuln/nvd-cves.json`
\set nvd2 `cat tests/fixtures/vuln/nvd-cve-2024-21762-changed.json`
\set csaf `cat tests/fixtures/vuln/csaf-advisory.json`
CREATE TEMP TABLE t_doc (k text PRIMARY KEY, d jsonb);
INSERT INTO t_doc VALUES ('nvd', :'nvd'), ('nvd2', :'nvd2'), ('csaf', :'csaf');
GRANT SELECT ON t_doc TO PUBLIC;

INSERT INTO council.asset_analysts (person_id)
SELECT person_id FROM pg_temp.t_people WHERE k IN ('fsa-h', 'v1-h');

-- ---- Versions and CPE matching. -----------------------------------------------------
SELECT is(ARRAY[council.vuln_version_cmp('7.0.12', '7.0.13'), council.vuln_version_cmp('7.0.13', '7.2.0'),
                council.vuln_version_cmp('7.2.0', '7.10'), council.vuln_version_cmp('7.0', '7.0.0'),
                council.vuln_version_cmp('9.1r11', '9.1r2'), council.vuln_version_cmp('1.0.a', '1.0.1'),
                council.vuln_version_cmp('15.9(3)M4', '15.9(3)m4'), council.vuln_version_cmp('2.4.58', '2.4.6')],
    ARRAY[-1, -1, -1, 0, 1, -1, 0, 1],
    'R-NEW-4: versions compare numeric parts as numbers (7.0.12 < 7.0.13 < 7.2.0 < 7.10; 7.0 = 7.0.0; r11 > r2; letters before numbers; no case)');
CREATE FUNCTION pg_temp.m(v text, si text, se text, ei text, ee text) RETURNS boolean LANGUAGE sql AS $$
    SELECT council.vuln_cpe_match('cpe:2.3:o:fortinet:fortios:' || v || ':*:*:*:*:*:*:*',
        'cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*', si, se, ei, ee) $$;
SELECT is(ARRAY[pg_temp.m('7.0.0', '7.0.0', NULL, NULL, '7.0.14'), pg_temp.m('6.4.15', '7.0.0', NULL, NULL, '7.0.14'),
                pg_temp.m('7.0.13', '7.0.0', NULL, NULL, '7.0.14'), pg_temp.m('7.0.14', '7.0.0', NULL, NULL, '7.0.14')],
    ARRAY[true, false, true, false],
    'R-NEW-4: versionStartIncluding includes its bound; versionEndExcluding excludes its own');
SELECT is(ARRAY[pg_temp.m('11.1.2', NULL, '11.1.2', '11.1.3', NULL), pg_temp.m('11.1.2.1', NULL, '11.1.2', '11.1.3', NULL),
                pg_temp.m('11.1.3', NULL, '11.1.2', '11.1.3', NULL), pg_temp.m('11.1.4', NULL, '11.1.2', '11.1.3', NULL)],
    ARRAY[false, true, true, false],
    'R-NEW-4: versionStartExcluding excludes its bound; versionEndIncluding includes its own');
SELECT is(ARRAY[
        council.vuln_cpe_match('cpe:2.3:a:f5:nginx:1.24.0:*:*:*:open_source:*:*:*', 'cpe:2.3:a:f5:nginx:1.24.0:*:*:*:open_source:*:*:*', NULL, NULL, NULL, NULL),
        council.vuln_cpe_match('cpe:2.3:a:f5:nginx:1.24.1:*:*:*:open_source:*:*:*', 'cpe:2.3:a:f5:nginx:1.24.0:*:*:*:open_source:*:*:*', NULL, NULL, NULL, NULL),
        council.vuln_cpe_match('cpe:2.3:a:f5:nginx:1.24.0:*:*:*:plus:*:*:*', 'cpe:2.3:a:f5:nginx:1.24.0:*:*:*:open_source:*:*:*', NULL, NULL, NULL, NULL),
        council.vuln_cpe_match('cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*', 'cpe:2.3:a:f5:nginx:1.24.0:*:*:*:open_source:*:*:*', NULL, NULL, NULL, NULL),
        council.vuln_cpe_match('cpe:2.3:a:f5:nginx_plus:1.24.0:*:*:*:*:*:*:*', 'cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*', NULL, NULL, NULL, NULL),
        council.vuln_cpe_match('cpe:2.3:h:f5:nginx:1.24.0:*:*:*:*:*:*:*', 'cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*', NULL, NULL, NULL, NULL),
        council.vuln_cpe_match('cpe:2.3:o:cisco:ios:15.9\(3\)m4:*:*:*:*:*:*:*', 'cpe:2.3:o:cisco:ios:*:*:*:*:*:*:*:*', '15.9', NULL, '15.9(3)m4', NULL)],
    ARRAY[true, false, false, true, false, false, true],
    'R-NEW-4: an exact version must be equal, other attributes too; an asset of no stated version matches; product and part must be equal; quoted versions compare');

-- ---- Parsing. -------------------------------------------------------------------------
SELECT is(ARRAY(SELECT external_id || ' ' || jsonb_array_length(criteria) FROM council.vuln_parse('nvd', (SELECT d FROM t_doc WHERE k = 'nvd')) ORDER BY 1),
    ARRAY['CVE-2024-21762 3', 'CVE-2024-24989 1', 'CVE-2024-3400 2'],
    'R-NEW-4: an NVD CVE API 2.0 answer gives its CVE records with their vulnerable cpeMatch criteria (not the non-vulnerable ones)');
SELECT is((SELECT external_id || ' ' || revision || ' ' || array_to_string(cves, ',') || ' ' || criteria::text
           FROM council.vuln_parse('csaf', (SELECT d FROM t_doc WHERE k = 'csaf'))),
    'EXA-SA-2024-0042 2 CVE-2024-24795 [{"criteria": "cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*"}]',
    'R-NEW-4: a CSAF 2.0 advisory gives its tracking id and version and the CPE of its known affected products only (branches at any depth)');
SELECT throws_ok($$SELECT * FROM council.vuln_parse('nvd', '{"vulnerabilities": [{"cve": {"id": "CVE-24-1", "lastModified": "2024-01-01T00:00:00"}}]}')$$,
    'CP422', 'invalid_document', 'R-NEW-4: a record whose id is not a CVE id is refused');
SELECT throws_ok($$SELECT * FROM council.vuln_parse('nvd', '{"vulnerabilities": [{"cve": {"id": "CVE-2024-0001", "lastModified": "2024-01-01T00:00:00",
        "configurations": [{"nodes": [{"cpeMatch": [{"vulnerable": true, "criteria": "cpe:2.3:o:*:*:*:*:*:*:*:*:*:*"}]}]}]}}]}')$$,
    'CP422', 'invalid_document', '... so is a criterion that names no vendor and product');
SELECT throws_ok($$SELECT * FROM council.vuln_parse('nvd', jsonb_build_object('vulnerabilities',
        (SELECT jsonb_agg(jsonb_build_object('cve', jsonb_build_object('id', 'CVE-2024-' || (1000 + i), 'lastModified', '2024-01-01T00:00:00')))
         FROM generate_series(1, 101) i)))$$,
    'CP422', 'invalid_document', '... and more than 100 records');
SELECT throws_ok($$SELECT * FROM council.vuln_parse('csaf', '{"document": {"csaf_version": "1.2"}}')$$,
    'CP422', 'invalid_document', '... and a CSAF document of another version');

-- ---- Assets. --------------------------------------------------------------------------
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
CREATE TEMP TABLE t_a AS
SELECT 'bank-vpn'::text AS k, council.asset_register('VPN', ARRAY['cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*'], '', '', NULL) AS id
UNION ALL
SELECT 'bank-web', council.asset_register('Web', ARRAY['cpe:2.3:a:f5:nginx:1.24.0:*:*:*:open_source:*:*:*',
    'cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*'], '', '', NULL);
SELECT pg_temp.as_('power-h');
INSERT INTO t_a SELECT 'power-vpn', council.asset_register('VPN', ARRAY['cpe:2.3:o:fortinet:fortios:7.0.14:*:*:*:*:*:*:*'], '', '', NULL);
INSERT INTO t_a SELECT 'power-old', council.asset_register('Old VPN', ARRAY['cpe:2.3:o:fortinet:fortios:6.4.3:*:*:*:*:*:*:*'], '', '', NULL);
SELECT pg_temp.as_('bank2-h');
INSERT INTO t_a SELECT 'bank2-pan', council.asset_register('FW', ARRAY['cpe:2.3:o:paloaltonetworks:pan-os:10.2.9:*:*:*:*:*:*:*'], '', '', NULL);
RESET ROLE;
GRANT SELECT ON t_a TO PUBLIC;

-- ---- Who imports. -----------------------------------------------------------------------
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.vuln_import('nvd', (SELECT d FROM pg_temp.t_doc WHERE k = 'nvd'))$$,
    'CP403', 'not_an_analyst', 'R-NEW-4: an operator does not import vulnerability data');
SELECT pg_temp.as_('v1-h');
SELECT throws_ok($$SELECT council.vuln_import('nvd', (SELECT d FROM pg_temp.t_doc WHERE k = 'nvd'))$$,
    'CP403', 'not_an_analyst', '... nor a vendor listed as an analyst');
SELECT pg_temp.as_('coord-n');
SELECT throws_ok($$SELECT council.vuln_import('nvd', (SELECT d FROM pg_temp.t_doc WHERE k = 'nvd'))$$,
    'CP403', 'not_an_analyst', '... nor the coordinator''s person who is no handler');

-- ---- Import and matching. --------------------------------------------------------------
SELECT pg_temp.as_('coord-h');
SELECT is(council.vuln_import('nvd', (SELECT d FROM pg_temp.t_doc WHERE k = 'nvd')),
    '{"new": 3, "changed": 0, "matches": 2, "unchanged": 0, "advisories": 3, "warnings_created": 2, "warnings_updated": 0}',
    'R-NEW-4: the coordinator imports three CVE records: FortiOS 7.2.5 and nginx 1.24.0 match (one owner, one warning each); 7.0.14 (end excluded), 6.4.3 and PAN-OS 10.2.9 (end excluded) do not');
RESET ROLE;
SELECT is(ARRAY(SELECT a.external_id || ' ' || t.k FROM council.vuln_matches m JOIN council.vuln_advisories a ON a.id = m.advisory_id
                JOIN t_a t ON t.id = m.asset_id ORDER BY 1),
    ARRAY['CVE-2024-21762 bank-vpn', 'CVE-2024-24989 bank-web'],
    'R-NEW-4: the matches: advisory by asset');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('fsa-h');
SELECT throws_ok($$SELECT council.vuln_import('csaf', (SELECT d FROM pg_temp.t_doc WHERE k = 'csaf'))$$,
    'CP403', 'not_an_analyst',
    'R-NEW-4: an analyst reads the matches but does not import (its agency would read the warnings it posts)');
SELECT pg_temp.as_('coord-h');
SELECT is(council.vuln_import('csaf', (SELECT d FROM pg_temp.t_doc WHERE k = 'csaf'))->>'warnings_created', '1',
    'R-NEW-4: the coordinator imports a CSAF advisory: Apache 2.4.58 matches, one warning');
SELECT is(council.vuln_import('nvd', (SELECT d FROM pg_temp.t_doc WHERE k = 'nvd')),
    '{"new": 0, "changed": 0, "matches": 2, "unchanged": 3, "advisories": 3, "warnings_created": 0, "warnings_updated": 0}',
    'R-NEW-4: importing the same records again changes nothing');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM council.vuln_warnings), 3, '... three warnings in all, one per (advisory, owner)');
SELECT is(ARRAY(SELECT w.org_id FROM council.vuln_warnings w), ARRAY(SELECT (SELECT id FROM t_orgs WHERE slug = 'tr-bank') FROM generate_series(1, 3)),
    '... all to the owner of the matching assets');
SELECT is(ARRAY(SELECT DISTINCT o.slug FROM council.vuln_warnings w JOIN council.post_scope s ON s.post_id = w.post_id
                JOIN council.organisations o ON o.id = s.org_id),
    ARRAY['tr-bank'], 'R-NEW-4: each warning''s scope is exactly the owner');
SELECT is(ARRAY(SELECT DISTINCT p.kind::text || ' ' || (position('VPN' IN b.body) + position('fortios:7.2.5' IN b.body))
                FROM council.vuln_warnings w JOIN council.posts p ON p.id = w.post_id
                JOIN council.post_bodies b ON b.post_id = w.post_id ORDER BY 1),
    ARRAY['alert 0'], 'R-NEW-4: the warnings are alerts; none names an asset');

-- ---- Who reads the warnings and sees the matches. ----------------------------------------
CREATE FUNCTION pg_temp.vuln_readers(p_ext text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
    v  bigint;
BEGIN
    SELECT w.post_id INTO v FROM council.vuln_warnings w JOIN council.vuln_advisories a ON a.id = w.advisory_id
    WHERE a.external_id = p_ext;
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        IF EXISTS (SELECT 1 FROM council.posts WHERE id = v) THEN
            r := r || t.k;
        END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
SELECT is(pg_temp.vuln_readers('CVE-2024-21762'),
    (SELECT array_agg(k ORDER BY k) FROM pg_temp.t_people WHERE org IN ('tr-bank', '@coordinator')),
    'R-NEW-4: the coordinator''s warning is read by the owner and the coordinator only');
SELECT is(pg_temp.vuln_readers('EXA-SA-2024-0042'),
    (SELECT array_agg(k ORDER BY k) FROM pg_temp.t_people WHERE org IN ('tr-bank', '@coordinator')),
    '... and so is the CSAF advisory''s: exactly the owner and the coordinator');
CREATE FUNCTION pg_temp.vuln_counts() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        IF (SELECT count(*) FROM council.vuln_matches) + (SELECT count(*) FROM council.vuln_warnings)
           + (SELECT count(*) FROM council.vuln_advisories) + (SELECT count(*) FROM council.vuln_criteria) > 0
           OR (SELECT json_array_length(council.advisory_matches_for_me()->'matches')) > 0 THEN
            r := r || t.k;
        END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
SELECT is(pg_temp.vuln_counts(), ARRAY['bank-h', 'coord-h', 'fsa-h'],
    'R-NEW-4: advisories, criteria, matches and warnings are counted by the owner''s handler, the coordinator''s and the analyst only; nobody else counts anything');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT array_agg((x->>'advisory') || ' ' || (x->>'asset_name') || ' ' || (x->>'post' IS NOT NULL) ORDER BY x->>'advisory')
           FROM json_array_elements(council.advisory_matches_for_me()->'matches') x),
    ARRAY['CVE-2024-21762 VPN true', 'CVE-2024-24989 Web true', 'EXA-SA-2024-0042 Web true'],
    'R-NEW-4: the owner lists its matched assets with each advisory and its warning');
SELECT is((SELECT count(*)::int FROM council.vuln_criteria), 0, '... but not the criteria (for those who oversee)');
SELECT pg_temp.as_('power-h');
SELECT is((SELECT count(*)::int FROM council.vuln_advisories), 0, 'R-NEW-4: an operator with no match sees no advisory');

-- ---- A changed advisory. ----------------------------------------------------------------
SELECT pg_temp.as_('coord-h');
SELECT is(council.vuln_import('nvd', (SELECT d FROM pg_temp.t_doc WHERE k = 'nvd2')),
    '{"new": 0, "changed": 1, "matches": 2, "unchanged": 0, "advisories": 1, "warnings_created": 1, "warnings_updated": 1}',
    'R-NEW-4: a changed CVE record (6.4.0 to 6.4.14 added) updates the owner''s warning and warns the newly matched owner (6.4.3)');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM council.vuln_warnings w JOIN council.vuln_advisories a ON a.id = w.advisory_id
           WHERE a.external_id = 'CVE-2024-21762'), 2, '... one warning per owner, no duplicate');
SELECT is((SELECT count(*)::int FROM council.vuln_warnings w JOIN council.post_bodies b ON b.post_id = w.post_id
           JOIN council.vuln_advisories a ON a.id = w.advisory_id
           WHERE a.external_id = 'CVE-2024-21762' AND strpos(b.body, '2024-03-05T10:00:00.000') > 0
             AND strpos(b.body, 'the changed record') > 0), 2,
    '... and both warnings carry the new revision''s text');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('coord-h');
SELECT is(council.vuln_import('nvd', (SELECT d FROM pg_temp.t_doc WHERE k = 'nvd'))->>'changed', '0',
    'R-NEW-4: an older revision imported again changes nothing');
SELECT * FROM finish();
ROLLBACK;
