-- tests/sql/41_assets.sql: the asset registry (issue 14 item 4; R-NEW-4;
-- policy/89_assets.sql): who registers (a critical-infrastructure
-- operator's handlers and administrator), who sees, person by person (the
-- operator's handlers, the coordinator's, the government analysts; nobody
-- else, who counts nothing), changes with their date and history, and the
-- CPE 2.3 formatted-string syntax at its edges.  Same fixtures as
-- 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(29);
\ir fixtures/sharing.psql

-- The analyst role: an FSA handler (a national agency) and, to show that
-- the role needs a national agency, a vendor's handler.
INSERT INTO council.asset_analysts (person_id)
SELECT person_id FROM pg_temp.t_people WHERE k IN ('fsa-h', 'v1-h');

-- ---- CPE 2.3 syntax (NISTIR 7695 §6.2). ------------------------------------------
SELECT is(ARRAY(SELECT council.cpe23_valid(s) FROM unnest(ARRAY[
        'cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*',
        'cpe:2.3:h:cisco:asa_5506-x:-:*:*:*:*:*:*:*',
        'cpe:2.3:o:cisco:ios:15.9\(3\)m4:*:*:*:*:*:*:*',
        'cpe:2.3:a:foo\\bar:big\$money:2010:*:*:en-us:*:*:*:*',
        'cpe:2.3:a:hp:openview:9.1?:*:*:ja:*:*:*:*',
        'cpe:2.3:a:x:y:1.*:*:*:*:*:*:*:*',
        'cpe:2.3:a:a\:b:c:*:*:*:*:*:*:*:*',
        'cpe:2.3:a:microsoft:.net_framework:4.8:*:*:*:*:*:*:*',
        'cpe:2.3:a:v:p:' || repeat('x', 372) || ':*:*:*:*:*:*:*']) s),
    ARRAY[true, true, true, true, true, true, true, true, true],
    'R-NEW-4: valid CPE 2.3 names: logical values, quoted punctuation, a language tag, wildcards at the ends, 400 characters');
SELECT is(ARRAY(SELECT council.cpe23_valid(s) FROM unnest(ARRAY[
        'cpe:2.3:x:fortinet:fortios:7.2.5:*:*:*:*:*:*:*',
        'cpe:2.3:*:fortinet:fortios:7.2.5:*:*:*:*:*:*:*',
        'cpe:2.3:o:*:fortios:7.2.5:*:*:*:*:*:*:*',
        'cpe:2.3:o:fortinet:-:7.2.5:*:*:*:*:*:*:*',
        'cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*',
        'cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*:*',
        'cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:',
        'cpe:2.3:a:a b:c:*:*:*:*:*:*:*:*',
        'cpe:2.3:a:a(b:c:*:*:*:*:*:*:*:*',
        'cpe:2.3:a:a:b:1**:*:*:*:*:*:*:*',
        'cpe:2.3:a:a:b:1*2:*:*:*:*:*:*:*',
        'cpe:2.3:a:a:b:1:*:*:english:*:*:*:*',
        'cpe:2.3:a:a:b:1:*:*:*:*:*:*:*' || E'\n',
        'cpe:2.2:a:a:b:1:*:*:*:*:*:*:*',
        'cpe:/a:apache:http_server:2.4.58',
        'cpe:2.3:a:v:p:' || repeat('x', 373) || ':*:*:*:*:*:*:*']) s),
    ARRAY[false, false, false, false, false, false, false, false, false, false, false, false,
          false, false, false, false],
    'R-NEW-4: refused: part not a|o|h, vendor or product ANY/NA, 12 or 14 components, an empty one, unquoted punctuation, inner wildcards, a bad language, a newline, CPE 2.2, 401 characters');
SELECT is((SELECT count(*)::int FROM council.cpe_dictionary WHERE NOT council.cpe23_valid(cpe_name)), 0,
    'R-NEW-4: every entry of the bundled dictionary is a valid name');
SELECT cmp_ok((SELECT count(*)::int FROM council.cpe_dictionary), '>=', 40,
    'R-NEW-4: the bundled dictionary offers at least 40 names');

-- ---- Who registers. ------------------------------------------------------------------
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-n');
SELECT throws_ok($$SELECT council.asset_register('VPN', ARRAY['cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*'], '', '', NULL)$$,
    'CP403', 'not_a_handler', 'R-NEW-4: a person with no handler registration cannot register');
SELECT pg_temp.as_('v1-h');
SELECT throws_ok($$SELECT council.asset_register('VPN', ARRAY['cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*'], '', '', NULL)$$,
    'CP403', 'not_an_operator', 'R-NEW-4: a vendor (not a critical-infrastructure operator) cannot register');
SELECT pg_temp.as_('coord-h');
SELECT throws_ok($$SELECT council.asset_register('VPN', ARRAY['cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*'], '', '', NULL)$$,
    'CP403', 'not_an_operator', '... nor does the coordinator');
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.asset_register('VPN', ARRAY['cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*',
                     'cpe:2.3:o:*:fortios:7.2.5:*:*:*:*:*:*:*'], '', '', NULL)$$,
    'CP422', 'invalid_cpe', 'R-NEW-4: an invalid CPE name is refused');
SELECT throws_ok($$SELECT council.asset_register('VPN', '{}', '', '', NULL)$$,
    'CP422', 'invalid_cpes', 'R-NEW-4: an asset names at least one CPE');
SELECT throws_ok($$SELECT council.asset_register('VPN',
                     ARRAY(SELECT 'cpe:2.3:a:v:p' || i || ':1:*:*:*:*:*:*:*' FROM generate_series(1, 21) i), '', '', NULL)$$,
    'CP422', 'invalid_cpes', '... and at most 20');
SELECT throws_ok($$SELECT council.asset_register('VPN', ARRAY['cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*'],
                     '', '', current_date + 3)$$,
    'CP422', 'invalid_changed_on', 'R-NEW-4: the date of a change is not in the future');
SELECT throws_ok($$SELECT council.asset_register('', ARRAY['cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*'], '', '', NULL)$$,
    'CP422', 'invalid_name', 'R-NEW-4: an asset has a name');
CREATE TEMP TABLE t_asset AS
SELECT council.asset_register('Internet VPN gateway',
    ARRAY['CPE:2.3:O:Fortinet:FortiOS:7.2.5:*:*:*:*:*:*:*', ' cpe:2.3:h:fortinet:fortigate-60f:-:*:*:*:*:*:*:* ', ''],
    'Tokyo DC1', 'remote access for branch staff', date '2024-04-01') AS id;
SELECT is((SELECT cpes FROM council.assets WHERE id = (SELECT id FROM t_asset)),
    ARRAY['cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*', 'cpe:2.3:h:fortinet:fortigate-60f:-:*:*:*:*:*:*:*'],
    'R-NEW-4: the operator''s handler registers an asset: its names trimmed, lower case, empty lines dropped');
RESET ROLE;
GRANT SELECT ON t_asset TO PUBLIC;

-- ---- Who sees it. ------------------------------------------------------------------------
CREATE FUNCTION pg_temp.sees_asset() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        IF EXISTS (SELECT 1 FROM council.assets WHERE id = (SELECT id FROM pg_temp.t_asset)) THEN
            r := r || t.k;
        END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
-- Everything of the registry a person counts.
CREATE FUNCTION pg_temp.counts() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        IF (SELECT count(*) FROM council.assets) + (SELECT count(*) FROM council.asset_history)
           + (SELECT count(*) FROM council.asset_analysts) > 0
           OR (SELECT json_array_length(council.assets_for_me()->'assets')) > 0 THEN
            r := r || t.k;
        END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
SELECT is(pg_temp.sees_asset(), ARRAY['bank-h', 'coord-h', 'fsa-h'],
    'R-NEW-4: the operator''s handlers, the coordinator''s and the government analyst see the asset; nobody else');
SELECT is(pg_temp.counts(), ARRAY['bank-h', 'coord-h', 'fsa-h'],
    'R-NEW-4: nobody else counts anything of the registry (assets, history, analysts, the API list)');
CREATE FUNCTION pg_temp.audit_readers() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    t  record;
    r  text[] := '{}';
BEGIN
    FOR t IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
        SET LOCAL ROLE council_app;
        PERFORM pg_temp.as_(t.k);
        IF EXISTS (SELECT 1 FROM council.audit_log WHERE object_type = 'asset') THEN
            r := r || t.k;
        END IF;
        RESET ROLE;
    END LOOP;
    RETURN r;
END $$;
SELECT is(pg_temp.audit_readers(),
    (SELECT array_agg(k ORDER BY k) FROM pg_temp.t_people WHERE org IN ('tr-bank', '@coordinator')),
    'R-NEW-4: the audit entry of a registration is read within the operator and by the coordinator only (the audit log''s own rule)');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('power-h');
SELECT throws_ok($$SELECT council.asset_change((SELECT id FROM pg_temp.t_asset), 'x',
                     ARRAY['cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:*'], '', '', NULL)$$,
    'CP404', 'asset_not_found', 'R-NEW-4: another operator changing the asset is answered as for an absent one');
SELECT throws_ok($$SELECT council.asset_change(999999999, 'x',
                     ARRAY['cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:*'], '', '', NULL)$$,
    'CP404', 'asset_not_found', '... as an absent one is');
SELECT throws_ok($$SELECT council.asset_json((SELECT id FROM pg_temp.t_asset))$$,
    'CP404', 'asset_not_found', '... and reading it too');
SELECT pg_temp.as_('coord-h');
SELECT throws_ok($$SELECT council.asset_delete((SELECT id FROM pg_temp.t_asset), NULL)$$,
    'CP403', 'not_the_operator', 'R-NEW-4: the coordinator reads, and does not delete');
SELECT pg_temp.as_('fsa-h');
SELECT throws_ok($$SELECT council.asset_change((SELECT id FROM pg_temp.t_asset), 'x',
                     ARRAY['cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:*'], '', '', NULL)$$,
    'CP403', 'not_the_operator', '... nor does the analyst change');

-- ---- Changes and their date. -----------------------------------------------------------------
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.asset_change((SELECT id FROM pg_temp.t_asset), 'Internet VPN gateway',
                     ARRAY['cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*', 'cpe:2.3:h:fortinet:fortigate-60f:-:*:*:*:*:*:*:*'],
                     'Tokyo DC1', 'remote access for branch staff', NULL)$$,
    'CP422', 'no_change', 'R-NEW-4: a change that changes nothing is refused');
SELECT lives_ok($$SELECT council.asset_change((SELECT id FROM pg_temp.t_asset), 'Internet VPN gateway',
                     ARRAY['cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:*', 'cpe:2.3:h:fortinet:fortigate-60f:-:*:*:*:*:*:*:*'],
                     'Tokyo DC1', 'remote access for branch staff', date '2025-01-15')$$,
    'R-NEW-4: the operator records an upgrade');
SELECT is((SELECT string_agg(event || '@' || changed_on || '@' || cpes[1], ' ' ORDER BY id)
           FROM council.asset_history WHERE asset_id = (SELECT id FROM t_asset)),
    'registered@2024-04-01@cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:* changed@2025-01-15@cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:*',
    'R-NEW-4: the history keeps each state with the date of its change');
SELECT lives_ok($$SELECT council.asset_delete((SELECT id FROM pg_temp.t_asset), NULL)$$,
    'R-NEW-4: the operator deletes the asset');
SELECT is((SELECT count(*)::int FROM council.assets) + (SELECT count(*)::int FROM council.asset_history), 0,
    'R-NEW-4: a deleted asset is gone from every view, the operator''s too');
RESET ROLE;
SELECT is((SELECT string_agg(event::text, ' ' ORDER BY id) FROM council.asset_history WHERE asset_id = (SELECT id FROM t_asset)),
    'registered changed deleted', 'R-NEW-4: ... its history stays in the database');
SELECT is((SELECT string_agg(action, ' ' ORDER BY id) FROM council.audit_log WHERE object_type = 'asset' AND object_id = (SELECT id FROM t_asset)),
    'asset.register asset.change asset.delete', 'every step is in the audit log');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'council' AND c.relname IN ('assets', 'asset_history', 'asset_analysts', 'cpe_dictionary')
             AND c.relrowsecurity AND c.relforcerowsecurity), 4,
    'R-NEW-4: row-level security enabled and forced on every table of the registry');

SELECT * FROM finish();
ROLLBACK;
