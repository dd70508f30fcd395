-- policy/89_vulns.sql: vulnerability matching and targeted warnings
-- (issue 14 item 5; R-NEW-4, basic policy ch. 4 §2(1), ch. 5 §2(4);
-- docs/government-information.md, "Vulnerability matching").  Applied
-- after 89_assets.sql (file names sort: "89_a" < "89_v"), whose
-- asset_visible and asset_oversees it reuses.  Re-applied by "councilctl
-- migrate".  Errors: MESSAGE a stable code, SQLSTATE class CP (see
-- 42_sharing_writes.sql).
--
-- Who imports: those who oversee the registry (the coordinator's handlers
-- and administrator, the government analysts).  Who sees: a match as its
-- asset (the operator, the coordinator, the analysts); a warning's row
-- its owner and those who oversee; an advisory those who oversee and the
-- owners it matched.  Nobody else sees, counts or is told anything.

------------------------------------------------------------------------
-- CPE names and versions.
------------------------------------------------------------------------

-- R-NEW-4: the 13 components of CPE 2.3 formatted string s (NISTIR 7695
-- §6.2), split at the unquoted colons, lower case, quoting kept ("\:"
-- stays "\:").  NULL unless s has 13 components.
CREATE OR REPLACE FUNCTION council.cpe23_parts(s text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog
AS $f$
    SELECT CASE WHEN cardinality(a) = 13 THEN a END
    FROM (SELECT ARRAY(SELECT replace(replace(x, E'\x01', '\:'), E'\x02', '\\')
                       FROM unnest(string_to_array(
                           replace(replace(lower(s), '\\', E'\x02'), '\:', E'\x01'), ':')) x) a) t
$f$;

-- R-NEW-4: compares versions a and b: -1, 0 or 1.  Both are cut into runs
-- of digits and runs of letters (dots, dashes, underscores, quoting and
-- other punctuation only separate); runs compare in turn, digits as
-- numbers (7.0.12 < 7.0.13 < 7.2.0 < 7.10), letters as text (lower
-- case); a number sorts after letters (1.0.a < 1.0.1); a missing run is
-- 0 against a number (7.0 = 7.0.0) and sorts first against letters
-- (1.0 < 1.0rc1: pre-releases are not recognised).  NULL for NULL.
CREATE OR REPLACE FUNCTION council.vuln_version_cmp(a text, b text) RETURNS integer
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog
AS $$
DECLARE
    x  text[];
    y  text[];
    i  integer;
    p  text;
    q  text;
BEGIN
    IF a IS NULL OR b IS NULL THEN
        RETURN NULL;
    END IF;
    x := ARRAY(SELECT m[1] FROM regexp_matches(lower(a), '([0-9]+|[a-z]+)', 'g') m);
    y := ARRAY(SELECT m[1] FROM regexp_matches(lower(b), '([0-9]+|[a-z]+)', 'g') m);
    FOR i IN 1 .. greatest(cardinality(x), cardinality(y)) LOOP
        p := x[i];
        q := y[i];
        IF p IS NULL THEN
            p := CASE WHEN q ~ '^[0-9]' THEN '0' ELSE '' END;
        END IF;
        IF q IS NULL THEN
            q := CASE WHEN p ~ '^[0-9]' THEN '0' ELSE '' END;
        END IF;
        IF p ~ '^[0-9]' AND q ~ '^[0-9]' THEN
            IF p::numeric <> q::numeric THEN
                RETURN CASE WHEN p::numeric < q::numeric THEN -1 ELSE 1 END;
            END IF;
        ELSIF p ~ '^[0-9]' THEN
            RETURN 1;
        ELSIF q ~ '^[0-9]' THEN
            RETURN -1;
        ELSIF p <> q THEN
            RETURN CASE WHEN p COLLATE "C" < q COLLATE "C" THEN -1 ELSE 1 END;
        END IF;
    END LOOP;
    RETURN 0;
END
$$;

-- R-NEW-4: whether asset CPE name a matches criterion c with its version
-- range (NVD's versionStart/End Including/Excluding; NULL: no bound).
-- NISTIR 7696 simplified: part, vendor and product equal; the version: a
-- criterion's * or - with a range compares the asset's version with the
-- bounds (council.vuln_version_cmp), * without a range matches any
-- version, another value (or - without a range) must be equal; an asset
-- whose version is * (not stated) matches any criterion of its product;
-- the other attributes: the criterion's * matches anything, else equal,
-- or the asset's * (not stated).  Wildcards inside values are not
-- interpreted.
CREATE OR REPLACE FUNCTION council.vuln_cpe_match(a text, c text, si text, se text,
    ei text, ee text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  text[] := council.cpe23_parts(a);
    y  text[] := council.cpe23_parts(c);
    v  text;
    i  integer;
BEGIN
    IF x IS NULL OR y IS NULL OR x[3] <> y[3] OR x[4] <> y[4] OR x[5] <> y[5] THEN
        RETURN false;
    END IF;
    FOR i IN 7 .. 13 LOOP
        IF y[i] <> '*' AND x[i] <> '*' AND x[i] <> y[i] THEN
            RETURN false;
        END IF;
    END LOOP;
    IF x[6] = '*' THEN
        RETURN true;
    END IF;
    IF si IS NULL AND se IS NULL AND ei IS NULL AND ee IS NULL THEN
        RETURN y[6] = '*' OR x[6] = y[6];
    END IF;
    IF y[6] NOT IN ('*', '-') THEN
        RETURN x[6] = y[6];
    END IF;
    IF x[6] = '-' THEN
        RETURN false;
    END IF;
    v := replace(x[6], '\', '');
    RETURN (si IS NULL OR council.vuln_version_cmp(v, si) >= 0)
       AND (se IS NULL OR council.vuln_version_cmp(v, se) > 0)
       AND (ei IS NULL OR council.vuln_version_cmp(v, ei) <= 0)
       AND (ee IS NULL OR council.vuln_version_cmp(v, ee) < 0);
END
$$;

------------------------------------------------------------------------
-- Who.
------------------------------------------------------------------------

-- R-NEW-4: the caller imports vulnerability data: the coordinator's
-- handlers and administrator.  An import posts the targeted warnings as
-- the importer, and a post is always read by its author's organisation:
-- only the coordinator, which the issue adds to every warning's audience
-- anyway, keeps that audience exactly the owners and the coordinator.
-- The analysts read the matches (council.advisory_matches_for_me).
CREATE OR REPLACE FUNCTION council.vuln_may_import() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$ SELECT council.asset_oversees()
             AND coalesce((SELECT me.is_coordinator FROM council.me), false) $$;

-- R-NEW-4: the caller sees advisory a: one who oversees the registry, or
-- the operator of an asset it matched (its handlers and administrator).
CREATE OR REPLACE FUNCTION council.vuln_advisory_visible(a bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.asset_oversees() OR EXISTS (
        SELECT 1 FROM council.vuln_matches m
        WHERE m.advisory_id = a AND council.asset_visible(m.asset_id))
$$;

CREATE POLICY vuln_advisories_visible ON council.vuln_advisories FOR SELECT
    TO council_app, council_writer USING (council.vuln_advisory_visible(id));
CREATE POLICY vuln_criteria_visible ON council.vuln_criteria FOR SELECT
    TO council_app, council_writer USING (council.asset_oversees());
CREATE POLICY vuln_matches_visible ON council.vuln_matches FOR SELECT
    TO council_app, council_writer USING (council.asset_visible(asset_id));
CREATE POLICY vuln_warnings_visible ON council.vuln_warnings FOR SELECT
    TO council_app, council_writer
    USING (council.incident_may_touch()
           AND (org_id = (SELECT m.org_id FROM council.me m) OR council.asset_oversees()));

------------------------------------------------------------------------
-- Parsing.
------------------------------------------------------------------------

-- Text from an imported document for a title or a body: control
-- characters but tab and line feed become spaces; at most n characters.
CREATE OR REPLACE FUNCTION council.vuln_text(s text, n integer) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog
AS $$ SELECT left(btrim(regexp_replace(coalesce(s, ''), '[\x01-\x08\x0b-\x1f\x7f]', ' ', 'g')), n) $$;

-- R-NEW-4: the advisories of document d in format p_source ('nvd': an NVD
-- CVE API 2.0 answer, {"vulnerabilities": [{"cve": {...}}]}; 'csaf': a
-- CSAF 2.0 document), one row each: external id, revision, modified,
-- title, description, CVE ids, the record, and the criteria as a JSON
-- array of {criteria, si, se, ei, ee}.  NVD: the vulnerable cpeMatch
-- entries of every configuration node (the nodes' AND/OR is not
-- interpreted: a platform condition is ignored).  CSAF: the products
-- listed known_affected by any vulnerability, through the CPE 2.3 name of
-- their product_identification_helper (branches at any depth and
-- full_product_names; version ranges and CPE 2.2 names are skipped).
-- Limits: at most 100 records, 1000 criteria a record; CP422
-- invalid_document (DETAIL what), unknown_source.
CREATE OR REPLACE FUNCTION council.vuln_parse(p_source text, d jsonb,
    OUT external_id text, OUT revision text, OUT modified timestamptz, OUT title text,
    OUT description text, OUT cves text[], OUT doc jsonb, OUT criteria jsonb)
    RETURNS SETOF record
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    r         jsonb;
    c         jsonb;
    n         integer := 0;
    affected  text[];
BEGIN
    IF p_source = 'nvd' THEN
        IF jsonb_typeof(d->'vulnerabilities') IS DISTINCT FROM 'array' THEN
            RAISE EXCEPTION 'invalid_document' USING ERRCODE = 'CP422', DETAIL = 'vulnerabilities';
        END IF;
        IF jsonb_array_length(d->'vulnerabilities') > 100 THEN
            RAISE EXCEPTION 'invalid_document' USING ERRCODE = 'CP422', DETAIL = 'too_many_records';
        END IF;
        FOR r IN SELECT e FROM jsonb_array_elements(d->'vulnerabilities') e LOOP
            c := r->'cve';
            IF jsonb_typeof(c) IS DISTINCT FROM 'object'
               OR coalesce(c->>'id', '') !~ '^CVE-[0-9]{4}-[0-9]{4,19}$' THEN
                RAISE EXCEPTION 'invalid_document' USING ERRCODE = 'CP422', DETAIL = 'cve.id';
            END IF;
            external_id := c->>'id';
            BEGIN
                modified := (c->>'lastModified')::timestamp AT TIME ZONE 'UTC';
            EXCEPTION WHEN OTHERS THEN
                modified := NULL;
            END;
            IF modified IS NULL THEN
                RAISE EXCEPTION 'invalid_document' USING ERRCODE = 'CP422', DETAIL = 'cve.lastModified';
            END IF;
            revision := left(c->>'lastModified', 100);
            description := council.vuln_text((SELECT x->>'value'
                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c->'descriptions') = 'array'
                                               THEN c->'descriptions' ELSE '[]' END) x
                WHERE x->>'lang' = 'en' LIMIT 1), 4000);
            title := external_id;
            cves := ARRAY[external_id];
            doc := r;
            criteria := coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'criteria', lower(m->>'criteria'),
                    'si', m->>'versionStartIncluding', 'se', m->>'versionStartExcluding',
                    'ei', m->>'versionEndIncluding', 'ee', m->>'versionEndExcluding'))
                FROM jsonb_path_query(c, 'lax $.configurations[*].nodes[*].cpeMatch[*]') m
                WHERE jsonb_typeof(m) = 'object' AND m->'vulnerable' = 'true'), '[]');
            PERFORM council.vuln_check_criteria(criteria);
            RETURN NEXT;
        END LOOP;
    ELSIF p_source = 'csaf' THEN
        IF jsonb_typeof(d->'document') IS DISTINCT FROM 'object'
           OR coalesce(d#>>'{document,csaf_version}', '') <> '2.0' THEN
            RAISE EXCEPTION 'invalid_document' USING ERRCODE = 'CP422', DETAIL = 'document.csaf_version';
        END IF;
        external_id := d#>>'{document,tracking,id}';
        IF coalesce(length(external_id), 0) NOT BETWEEN 1 AND 200
           OR external_id ~ '[\x01-\x1f\x7f]' THEN
            RAISE EXCEPTION 'invalid_document' USING ERRCODE = 'CP422', DETAIL = 'document.tracking.id';
        END IF;
        BEGIN
            modified := (d#>>'{document,tracking,current_release_date}')::timestamptz;
        EXCEPTION WHEN OTHERS THEN
            modified := NULL;
        END;
        IF modified IS NULL OR coalesce(length(d#>>'{document,tracking,version}'), 0) NOT BETWEEN 1 AND 80 THEN
            RAISE EXCEPTION 'invalid_document' USING ERRCODE = 'CP422', DETAIL = 'document.tracking';
        END IF;
        revision := council.vuln_text(d#>>'{document,tracking,version}', 80);
        title := coalesce(nullif(council.vuln_text(d#>>'{document,title}', 250), ''), external_id);
        description := council.vuln_text((SELECT x->>'text'
            FROM jsonb_path_query(d, 'lax $.document.notes[*]') x
            WHERE x->>'category' IN ('summary', 'description') LIMIT 1), 4000);
        cves := ARRAY(SELECT DISTINCT v->>'cve' FROM jsonb_path_query(d, 'lax $.vulnerabilities[*]') v
                      WHERE v->>'cve' ~ '^CVE-[0-9]{4}-[0-9]{4,19}$' ORDER BY 1);
        affected := ARRAY(SELECT DISTINCT p #>> '{}'
            FROM jsonb_path_query(d, 'lax $.vulnerabilities[*].product_status.known_affected[*]') p);
        doc := d;
        criteria := coalesce((SELECT jsonb_agg(DISTINCT jsonb_build_object(
                'criteria', lower(p#>>'{product_identification_helper,cpe}')))
            FROM (SELECT p FROM jsonb_path_query(d, 'lax $.product_tree.**.product') p
                  UNION ALL
                  SELECT p FROM jsonb_path_query(d, 'lax $.product_tree.full_product_names[*]') p) t
            WHERE p->>'product_id' = ANY (affected)
              AND p#>>'{product_identification_helper,cpe}' LIKE 'cpe:2.3:%'), '[]');
        PERFORM council.vuln_check_criteria(criteria);
        RETURN NEXT;
    ELSE
        RAISE EXCEPTION 'unknown_source' USING ERRCODE = 'CP422';
    END IF;
END
$$;

-- The criteria of one record: at most 1000, each a CPE 2.3 name (vendor
-- and product named) and bounds of at most 100 characters (CP422
-- invalid_document, DETAIL criteria).
CREATE OR REPLACE FUNCTION council.vuln_check_criteria(c jsonb) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF jsonb_array_length(c) > 1000 OR EXISTS (
        SELECT 1 FROM jsonb_array_elements(c) e
        WHERE NOT coalesce(council.cpe23_valid(e->>'criteria'), false)
           OR length(e->>'si') > 100 OR length(e->>'se') > 100
           OR length(e->>'ei') > 100 OR length(e->>'ee') > 100
           OR (e->>'si' IS NOT NULL AND e->>'se' IS NOT NULL)
           OR (e->>'ei' IS NOT NULL AND e->>'ee' IS NOT NULL)) THEN
        RAISE EXCEPTION 'invalid_document' USING ERRCODE = 'CP422', DETAIL = 'criteria';
    END IF;
END
$$;

------------------------------------------------------------------------
-- Import, matching, warnings.
------------------------------------------------------------------------

-- The warning's text for advisory v (Japanese first).  It names the
-- advisory, never an asset: the matched assets are listed to those who
-- see them (council.advisory_matches_for_me, GET /api/v1/advisories).
CREATE OR REPLACE FUNCTION council.vuln_warning_body(v council.vuln_advisories) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT '脆弱性情報 ' || v.external_id || ' (' || v.source || ', 版 ' || v.revision
        || ') が、貴組織が登録した重要電子計算機に該当します。該当する資産は資産登録を閲覧できる方に'
        || ' /api/v1/advisories で示されます。' || E'\n\n'
        || 'Vulnerability information ' || v.external_id || ' (' || v.source || ', revision '
        || v.revision || ') matches computers your organisation registered. The matched assets'
        || ' are listed to those who see your asset registry at /api/v1/advisories.'
        || CASE WHEN cardinality(v.cves) > 0 THEN E'\n\nCVE: ' || array_to_string(v.cves, ', ') ELSE '' END
        || CASE WHEN v.title <> v.external_id THEN E'\n\n' || v.title ELSE '' END
        || CASE WHEN v.description <> '' THEN E'\n\n' || v.description ELSE '' END
$$;

-- R-NEW-4: the assets advisory a matches now: every registered asset of
-- a member, with its first CPE name (in its order) that a criterion
-- matches, and that criterion (the first stored).  Definer's rights (the
-- callers': vuln_match).
CREATE OR REPLACE FUNCTION council.vuln_match_rows(a bigint)
    RETURNS TABLE (asset_id bigint, org_id bigint, cpe text, criteria text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT DISTINCT ON (x.id) x.id, x.org_id, n.cpe, c.criteria
    FROM council.assets x
    JOIN council.organisations o ON o.id = x.org_id AND o.status = 'member'
    CROSS JOIN LATERAL unnest(x.cpes) WITH ORDINALITY n(cpe, k)
    JOIN council.vuln_criteria c ON c.advisory_id = a
     AND council.vuln_cpe_match(n.cpe, c.criteria, c.start_incl, c.start_excl, c.end_incl, c.end_excl)
    WHERE x.deleted_at IS NULL
    ORDER BY x.id, n.k, c.id
$$;

-- R-NEW-4: match advisory a against every registered asset of a member
-- (the match rows made current: new ones inserted, gone ones deleted),
-- then warn: one post per owner without a warning (created, through
-- council.create_post as the caller, scope exactly that owner: kind
-- 'alert' from an organisation with a council role, else 'report');
-- when p_changed, every existing warning's text is rewritten for the new
-- revision (updated).  Returns {created, updated, matches}.
CREATE OR REPLACE FUNCTION council.vuln_match(a bigint, p_changed boolean) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v        council.vuln_advisories;
    w        record;
    v_post   bigint;
    v_kind   council.post_kind;
    v_body   text;
    created  integer := 0;
    updated  integer := 0;
BEGIN
    SELECT * INTO v FROM council.vuln_advisories WHERE id = a;
    DELETE FROM council.vuln_matches m
    WHERE m.advisory_id = a
      AND NOT EXISTS (SELECT 1 FROM council.vuln_match_rows(a) t WHERE t.asset_id = m.asset_id
                      AND t.cpe = m.cpe AND t.criteria = m.criteria);
    INSERT INTO council.vuln_matches (advisory_id, asset_id, org_id, cpe, criteria)
    SELECT a, t.asset_id, t.org_id, t.cpe, t.criteria FROM council.vuln_match_rows(a) t
    ON CONFLICT DO NOTHING;

    v_body := council.vuln_warning_body(v);
    IF p_changed THEN
        FOR w IN SELECT * FROM council.vuln_warnings WHERE advisory_id = a AND revision <> v.revision LOOP
            UPDATE council.post_bodies SET body = v_body WHERE post_id = w.post_id;
            UPDATE council.post_search s SET doc = council.search_doc(p.title, v_body)
            FROM council.posts p WHERE p.id = w.post_id AND s.post_id = w.post_id;
            UPDATE council.vuln_warnings SET revision = v.revision, updated_at = now()
            WHERE advisory_id = a AND org_id = w.org_id;
            updated := updated + 1;
        END LOOP;
    END IF;
    v_kind := CASE WHEN (SELECT o.council_role FROM council.organisations o
                         WHERE o.id = council.current_org_id()) IS NOT NULL
                   THEN 'alert' ELSE 'report' END;
    FOR w IN SELECT DISTINCT t.org_id FROM council.vuln_matches t
             WHERE t.advisory_id = a AND NOT EXISTS (SELECT 1 FROM council.vuln_warnings x
                               WHERE x.advisory_id = a AND x.org_id = t.org_id)
             ORDER BY t.org_id LOOP
        v_post := council.create_post(v_kind,
            left('脆弱性警告 Vulnerability warning: ' || v.external_id, 300), v_body, false,
            false, jsonb_build_array(jsonb_build_object('org', w.org_id)));
        INSERT INTO council.vuln_warnings (advisory_id, org_id, post_id, revision)
        VALUES (a, w.org_id, v_post, v.revision);
        created := created + 1;
    END LOOP;
    RETURN jsonb_build_object('created', created, 'updated', updated,
        'matches', (SELECT count(*) FROM council.vuln_matches WHERE advisory_id = a));
END
$$;

-- R-NEW-4: import document d of format p_source ('nvd' or 'csaf'; see
-- council.vuln_parse), as the caller (the coordinator, else CP403
-- not_an_analyst).  A new advisory is stored; a known one whose
-- record is newer (modified later) replaces its record and criteria and
-- is "changed"; the same or an older one changes nothing but is matched
-- again (an asset registered since gets its warning).  Returns
-- {advisories, new, changed, unchanged, matches, warnings_created,
-- warnings_updated}.  Audited (counts only).  Document at most 1,000,000
-- bytes (CP413 document_too_large).
CREATE OR REPLACE FUNCTION council.vuln_import(p_source text, p_doc jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    r         record;
    v         council.vuln_advisories;
    v_id      bigint;
    v_changed boolean;
    m         jsonb;
    n_new     integer := 0;
    n_chg     integer := 0;
    n_same    integer := 0;
    n_match   integer := 0;
    n_created integer := 0;
    n_updated integer := 0;
    v_person  bigint := council.current_person_id();
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.vuln_may_import() THEN
        RAISE EXCEPTION 'not_an_analyst' USING ERRCODE = 'CP403';
    END IF;
    IF p_doc IS NULL OR octet_length(p_doc::text) > 1000000 THEN
        RAISE EXCEPTION 'document_too_large' USING ERRCODE = 'CP413';
    END IF;
    FOR r IN SELECT * FROM council.vuln_parse(p_source, p_doc) LOOP
        SELECT * INTO v FROM council.vuln_advisories
        WHERE source = p_source AND external_id = r.external_id;
        v_changed := false;
        IF v.id IS NULL THEN
            INSERT INTO council.vuln_advisories (source, external_id, revision, modified, title,
                description, cves, doc, imported_by, updated_by)
            VALUES (p_source, r.external_id, r.revision, r.modified, r.title, r.description,
                r.cves, r.doc, v_person, v_person)
            RETURNING id INTO v_id;
            n_new := n_new + 1;
        ELSIF r.modified > v.modified THEN
            v_id := v.id;
            UPDATE council.vuln_advisories
            SET revision = r.revision, modified = r.modified, title = r.title,
                description = r.description, cves = r.cves, doc = r.doc,
                updated_at = now(), updated_by = v_person
            WHERE id = v_id;
            DELETE FROM council.vuln_criteria WHERE advisory_id = v_id;
            v_changed := true;
            n_chg := n_chg + 1;
        ELSE
            v_id := v.id;
            n_same := n_same + 1;
        END IF;
        IF v.id IS NULL OR v_changed THEN
            INSERT INTO council.vuln_criteria (advisory_id, criteria, start_incl, start_excl,
                end_incl, end_excl)
            SELECT v_id, e->>'criteria', e->>'si', e->>'se', e->>'ei', e->>'ee'
            FROM jsonb_array_elements(r.criteria) e;
        END IF;
        m := council.vuln_match(v_id, v_changed);
        n_match := n_match + (m->>'matches')::integer;
        n_created := n_created + (m->>'created')::integer;
        n_updated := n_updated + (m->>'updated')::integer;
    END LOOP;
    PERFORM council.audit('advisory.import', 'advisory', NULL,
        jsonb_build_object('source', p_source, 'new', n_new, 'changed', n_chg,
                           'unchanged', n_same));
    RETURN jsonb_build_object('advisories', n_new + n_chg + n_same, 'new', n_new,
        'changed', n_chg, 'unchanged', n_same, 'matches', n_match,
        'warnings_created', n_created, 'warnings_updated', n_updated);
END
$$;

-- R-NEW-4: the matches the caller sees (its own assets'; every operator's
-- for one who oversees), with the advisory and, for the caller's own
-- organisation (or one who oversees), the warning post; newest advisory
-- first (at most 1000).
CREATE OR REPLACE FUNCTION council.advisory_matches_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('matches', coalesce(json_agg(json_build_object(
            'advisory', a.external_id, 'source', a.source, 'revision', a.revision,
            'title', a.title, 'asset', m.asset_id, 'asset_name', x.name, 'org', m.org_id,
            'cpe', m.cpe, 'criteria', m.criteria, 'post', w.post_id)
            ORDER BY a.modified DESC, a.id, m.org_id, m.asset_id), '[]'))
    FROM (SELECT * FROM council.vuln_matches ORDER BY advisory_id DESC, asset_id LIMIT 1000) m
    JOIN council.vuln_advisories a ON a.id = m.advisory_id
    JOIN council.assets x ON x.id = m.asset_id
    LEFT JOIN council.vuln_warnings w ON w.advisory_id = m.advisory_id AND w.org_id = m.org_id
$$;

-- The JSON API's row, through the door (policy/15_api.sql):
-- POST /api/v1/advisories with the document as the body: a CSAF 2.0
-- document (it has "document") or an NVD CVE API 2.0 answer.
CREATE OR REPLACE FUNCTION council.api__advisory(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    d  jsonb;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.vuln_may_import() THEN
        RAISE EXCEPTION 'not_an_analyst' USING ERRCODE = 'CP403';
    END IF;
    BEGIN
        d := (r->>'body')::jsonb;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'invalid_json' USING ERRCODE = 'CP400';
    END;
    IF jsonb_typeof(d) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'invalid_json' USING ERRCODE = 'CP400';
    END IF;
    status := 201;
    body := council.vuln_import(CASE WHEN d ? 'document' THEN 'csaf' ELSE 'nvd' END, d)::text;
END
$$;

-- councild's entry (routes.c).
CREATE OR REPLACE FUNCTION council.api_advisory(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('advisory', jsonb_build_object('body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.vuln_advisory_visible(bigint) OWNER TO council_definer;
ALTER FUNCTION council.vuln_match(bigint, boolean) OWNER TO council_definer;
ALTER FUNCTION council.vuln_import(text, jsonb) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.vuln_match(bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.vuln_match(bigint, boolean) TO council_definer;
