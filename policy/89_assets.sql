-- policy/89_assets.sql: the asset registry (issue 14 item 4; R-NEW-4,
-- basic policy ch. 4 §2(1), ch. 5 §2(4)).  A critical-infrastructure
-- operator registers its specified critical computers (CPE 2.3 names,
-- location, role, the date of each change); the government matches them
-- with vulnerability information.  Re-applied by "councilctl migrate".
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- Who writes: the operator (category ci_operator, a member), through its
-- registered handlers and administrator (council.incident_may_touch,
-- R-ORG-4).  Who sees: the operator (the same people), the coordinator
-- (its handlers and administrator) and the government analysts
-- (council.asset_analysts).  Nobody else sees, counts or is told anything:
-- no notification, and a hidden asset answers like an absent one.

-- R-NEW-4: the caller reads every operator's registry: the coordinator's
-- handlers and administrator, or a government analyst (an active person
-- of a member national agency, listed in asset_analysts).  SECURITY
-- DEFINER: reads asset_analysts under no policy (its policy calls this).
CREATE OR REPLACE FUNCTION council.asset_oversees() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m
        JOIN council.people p ON p.id = m.person_id AND p.active
        JOIN council.organisations o ON o.id = p.org_id AND o.status = 'member'
        WHERE m.is_coordinator
           OR (o.category = 'national_agency'
               AND EXISTS (SELECT 1 FROM council.asset_analysts a WHERE a.person_id = p.id)))
$$;

-- R-NEW-4: the caller registers its organisation's assets: a handler or
-- the administrator of a member critical-infrastructure operator.
CREATE OR REPLACE FUNCTION council.asset_may_register() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m JOIN council.organisations o ON o.id = m.org_id
        WHERE o.category = 'ci_operator' AND o.status = 'member')
$$;

-- R-NEW-4: the caller sees asset a (not deleted): its operator's handlers
-- and administrator, or one who oversees the registry.
CREATE OR REPLACE FUNCTION council.asset_visible(a bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m, council.assets x
        WHERE x.id = a AND x.deleted_at IS NULL
          AND (x.org_id = m.org_id OR council.asset_oversees()))
$$;

-- Signed in (else CP401) and sees asset a (else CP404, as if absent).
CREATE OR REPLACE FUNCTION council.asset_require(a bigint) RETURNS council.assets
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.assets;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF a IS NULL OR NOT council.asset_visible(a) THEN
        RAISE EXCEPTION 'asset_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT * INTO v FROM council.assets WHERE id = a;
    RETURN v;
END
$$;

-- R-NEW-4: the CPE names p as stored: trimmed, lower case (CPE names
-- compare case-insensitively, NISTIR 7695 §5.3.2), empty lines dropped,
-- duplicates dropped, in the order given.  CP422 invalid_cpe with DETAIL
-- item=N (from 1) for the first invalid one; invalid_cpes for none or
-- more than 20.
CREATE OR REPLACE FUNCTION council.asset_cpes(p text[]) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  text[] := '{}';
    x  text;
    i  integer := 0;
BEGIN
    IF cardinality(coalesce(p, '{}')) > 100 THEN
        RAISE EXCEPTION 'invalid_cpes' USING ERRCODE = 'CP422';
    END IF;
    FOREACH x IN ARRAY coalesce(p, '{}') LOOP
        i := i + 1;
        x := lower(btrim(coalesce(x, ''), E' \t\r\n'));
        CONTINUE WHEN x = '';
        IF NOT council.cpe23_valid(x) THEN
            RAISE EXCEPTION 'invalid_cpe' USING ERRCODE = 'CP422', DETAIL = 'item=' || i;
        END IF;
        IF NOT x = ANY (v) THEN
            v := v || x;
        END IF;
    END LOOP;
    IF cardinality(v) NOT BETWEEN 1 AND 20 THEN
        RAISE EXCEPTION 'invalid_cpes' USING ERRCODE = 'CP422';
    END IF;
    RETURN v;
END
$$;

-- The other fields' checks (CP422, one code each); the date of the change
-- is not in the future (JST) nor before 1990.
CREATE OR REPLACE FUNCTION council.asset_check(p_name text, p_location text, p_role text,
    p_changed_on date) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200
       OR p_name ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_name' USING ERRCODE = 'CP422';
    END IF;
    IF length(coalesce(p_location, '')) > 200 OR p_location ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_location' USING ERRCODE = 'CP422';
    END IF;
    IF length(coalesce(p_role, '')) > 1000 OR p_role ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_role' USING ERRCODE = 'CP422';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION council.asset_check_date(p_changed_on date) RETURNS date
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_changed_on IS NULL THEN
        RETURN (now() AT TIME ZONE 'Asia/Tokyo')::date;
    END IF;
    IF p_changed_on > (now() AT TIME ZONE 'Asia/Tokyo')::date OR p_changed_on < date '1990-01-01' THEN
        RAISE EXCEPTION 'invalid_changed_on' USING ERRCODE = 'CP422';
    END IF;
    RETURN p_changed_on;
END
$$;

-- Signed in, and may register (CP403 not_a_handler, not_an_operator).
CREATE OR REPLACE FUNCTION council.asset_require_writer() RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.incident_may_touch() THEN
        RAISE EXCEPTION 'not_a_handler' USING ERRCODE = 'CP403';
    END IF;
    IF NOT council.asset_may_register() THEN
        RAISE EXCEPTION 'not_an_operator' USING ERRCODE = 'CP403';
    END IF;
END
$$;

-- R-NEW-4: the caller's organisation registers an asset: its name, CPE
-- names (council.asset_cpes), location, role and the date it took this
-- form (NULL: today).  Recorded in the history; nobody is told.  Returns
-- the id.
CREATE OR REPLACE FUNCTION council.asset_register(p_name text, p_cpes text[],
    p_location text, p_role text, p_changed_on date) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_cpes  text[];
    v_on    date;
    v_id    bigint;
BEGIN
    PERFORM council.asset_require_writer();
    PERFORM council.asset_check(p_name, p_location, p_role, p_changed_on);
    v_cpes := council.asset_cpes(p_cpes);
    v_on := council.asset_check_date(p_changed_on);
    INSERT INTO council.assets (org_id, name, cpes, location, role, changed_on, created_by, updated_by)
    VALUES (council.current_org_id(), btrim(p_name), v_cpes, btrim(coalesce(p_location, '')),
            btrim(coalesce(p_role, '')), v_on, council.current_person_id(), council.current_person_id())
    RETURNING id INTO v_id;
    INSERT INTO council.asset_history (asset_id, event, changed_on, name, cpes, location, role, recorded_by)
    SELECT id, 'registered', changed_on, name, cpes, location, role, created_by
    FROM council.assets WHERE id = v_id;
    PERFORM council.audit('asset.register', 'asset', v_id,
        jsonb_build_object('cpes', cardinality(v_cpes)));
    RETURN v_id;
END
$$;

-- R-NEW-4: the operator changes asset a (every field given again), on
-- p_changed_on (NULL: today).  Only its own operator's handlers (one who
-- oversees reads, CP403 not_the_operator); a change that changes nothing
-- is CP422 no_change.
CREATE OR REPLACE FUNCTION council.asset_change(a bigint, p_name text, p_cpes text[],
    p_location text, p_role text, p_changed_on date) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v       council.assets := council.asset_require(a);
    v_cpes  text[];
    v_on    date;
BEGIN
    IF v.org_id <> council.current_org_id() THEN
        RAISE EXCEPTION 'not_the_operator' USING ERRCODE = 'CP403';
    END IF;
    PERFORM council.asset_require_writer();
    PERFORM council.asset_check(p_name, p_location, p_role, p_changed_on);
    v_cpes := council.asset_cpes(p_cpes);
    v_on := council.asset_check_date(p_changed_on);
    IF v.name = btrim(p_name) AND v.cpes = v_cpes AND v.location = btrim(coalesce(p_location, ''))
       AND v.role = btrim(coalesce(p_role, '')) THEN
        RAISE EXCEPTION 'no_change' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.assets
    SET name = btrim(p_name), cpes = v_cpes, location = btrim(coalesce(p_location, '')),
        role = btrim(coalesce(p_role, '')), changed_on = v_on, updated_at = now(),
        updated_by = council.current_person_id()
    WHERE id = a;
    INSERT INTO council.asset_history (asset_id, event, changed_on, name, cpes, location, role, recorded_by)
    SELECT id, 'changed', changed_on, name, cpes, location, role, updated_by
    FROM council.assets WHERE id = a;
    PERFORM council.audit('asset.change', 'asset', a,
        jsonb_build_object('cpes', cardinality(v_cpes)));
END
$$;

-- R-NEW-4: the operator deletes asset a (taken out of service on
-- p_changed_on, NULL: today).  Irreversible: it is gone from every list
-- and page (answers like an absent one); its history stays, in the
-- database only.
CREATE OR REPLACE FUNCTION council.asset_delete(a bigint, p_changed_on date) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v     council.assets := council.asset_require(a);
    v_on  date;
BEGIN
    IF v.org_id <> council.current_org_id() THEN
        RAISE EXCEPTION 'not_the_operator' USING ERRCODE = 'CP403';
    END IF;
    PERFORM council.asset_require_writer();
    v_on := council.asset_check_date(p_changed_on);
    UPDATE council.assets
    SET deleted_at = now(), deleted_by = council.current_person_id(), changed_on = v_on
    WHERE id = a;
    INSERT INTO council.asset_history (asset_id, event, changed_on, name, cpes, location, role, recorded_by)
    SELECT id, 'deleted', changed_on, name, cpes, location, role, deleted_by
    FROM council.assets WHERE id = a;
    PERFORM council.audit('asset.delete', 'asset', a, '{}');
END
$$;

-- R-NEW-4: asset a as the caller sees it (CP404 when hidden or absent),
-- with its history, oldest first.
CREATE OR REPLACE FUNCTION council.asset_json(a bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.assets;
BEGIN
    SELECT * INTO v FROM council.assets WHERE id = a;
    IF v.id IS NULL THEN
        RAISE EXCEPTION 'asset_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN json_build_object('id', v.id, 'org', v.org_id, 'name', v.name, 'cpes', v.cpes,
        'location', v.location, 'role', v.role, 'changed_on', v.changed_on,
        'created_at', v.created_at, 'updated_at', v.updated_at,
        'mine', v.org_id = council.current_org_id(),
        'history', coalesce((SELECT json_agg(json_build_object('event', h.event,
                'changed_on', h.changed_on, 'name', h.name, 'cpes', h.cpes,
                'location', h.location, 'role', h.role, 'recorded_at', h.recorded_at)
                ORDER BY h.id) FROM council.asset_history h WHERE h.asset_id = v.id), '[]'));
END
$$;

-- R-NEW-4: the assets the caller sees (its own; every operator's for one
-- who oversees), by operator then name (at most 1000).
CREATE OR REPLACE FUNCTION council.assets_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('assets', coalesce(json_agg(json_build_object(
            'id', x.id, 'org', x.org_id, 'name', x.name, 'cpes', x.cpes,
            'location', x.location, 'role', x.role, 'changed_on', x.changed_on)
            ORDER BY x.org_id, x.name, x.id), '[]'))
    FROM (SELECT * FROM council.assets ORDER BY org_id, name, id LIMIT 1000) x
$$;

-- R-NEW-4: the picker's dictionary entries whose name or title contains q
-- (all for NULL or empty), at most 100.
CREATE OR REPLACE FUNCTION council.cpe_dictionary_search(q text) RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('cpes', coalesce(json_agg(json_build_object(
            'cpe', d.cpe_name, 'title', d.title) ORDER BY d.title), '[]'))
    FROM (SELECT * FROM council.cpe_dictionary
          WHERE coalesce(q, '') = ''
             OR strpos(lower(cpe_name || ' ' || title), lower(left(q, 100))) > 0
          ORDER BY title LIMIT 100) d
$$;

CREATE POLICY assets_visible ON council.assets FOR SELECT
    TO council_app, council_writer USING (council.asset_visible(id));
CREATE POLICY asset_history_visible ON council.asset_history FOR SELECT
    TO council_app, council_writer USING (council.asset_visible(asset_id));
-- Who the analysts are: known to those who oversee the registry only.
CREATE POLICY asset_analysts_read ON council.asset_analysts FOR SELECT
    TO council_app, council_writer USING (council.asset_oversees());
-- The dictionary is public NVD data: every signed-in person reads it.
CREATE POLICY cpe_dictionary_read ON council.cpe_dictionary FOR SELECT
    TO council_app, council_writer USING ((SELECT m.person_id FROM council.me m) IS NOT NULL);

-- The JSON API's row, through the door (policy/15_api.sql):
-- POST /api/v1/assets {name, cpes, location, role, changed_on};
-- POST /api/v1/assets/N {"action": "change", name, cpes, location, role,
-- changed_on} | {"action": "delete", changed_on}.
CREATE OR REPLACE FUNCTION council.api__asset(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a     jsonb;
    v_id  bigint;
    v_cp  text[];
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    a := council.api_args(r->>'body', '{"action": "string", "name": "string",
        "cpes": "array", "location": "string", "role": "string", "changed_on": "string"}');
    IF jsonb_typeof(a->'cpes') = 'array' AND EXISTS (
        SELECT 1 FROM jsonb_array_elements(a->'cpes') e WHERE jsonb_typeof(e) <> 'string') THEN
        RAISE EXCEPTION 'invalid_cpes' USING ERRCODE = 'CP422';
    END IF;
    v_cp := ARRAY(SELECT e #>> '{}' FROM jsonb_array_elements(coalesce(a->'cpes', '[]')) e);
    IF r->>'what' = 'register' THEN
        v_id := council.asset_register(a->>'name', v_cp, a->>'location', a->>'role',
            (a->>'changed_on')::date);
        status := 201;
    ELSIF r->>'what' = 'act' THEN
        v_id := (r->>'id')::bigint;
        PERFORM council.asset_require(v_id);
        CASE a->>'action'
        WHEN 'change' THEN
            PERFORM council.asset_change(v_id, a->>'name', v_cp, a->>'location', a->>'role',
                (a->>'changed_on')::date);
        WHEN 'delete' THEN
            PERFORM council.asset_delete(v_id, (a->>'changed_on')::date);
            status := 200;
            body := json_build_object('id', v_id, 'deleted', true)::text;
            RETURN;
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
        status := 200;
    ELSE
        RAISE EXCEPTION 'api__asset: % is not a call', r->>'what';
    END IF;
    body := council.asset_json(v_id)::text;
END
$$;

-- councild's entry (routes.c).
CREATE OR REPLACE FUNCTION council.api_asset(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('asset',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.asset_oversees() OWNER TO council_definer;
ALTER FUNCTION council.asset_may_register() OWNER TO council_definer;
ALTER FUNCTION council.asset_visible(bigint) OWNER TO council_definer;
ALTER FUNCTION council.asset_require(bigint) OWNER TO council_definer;
ALTER FUNCTION council.asset_register(text, text[], text, text, date) OWNER TO council_definer;
ALTER FUNCTION council.asset_change(bigint, text, text[], text, text, date) OWNER TO council_definer;
ALTER FUNCTION council.asset_delete(bigint, date) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
