-- policy/99_presets.sql: the organisations' scope presets (issue 15
-- item 1: "one write collection per scope preset the organisation
-- defines"; R-SCOPE-1, R-SCOPE-2).  A preset is a named scope (and
-- exclusions) in create_post's JSON form (42_sharing_writes.sql) that an
-- organisation uses again and again; each live one is a TAXII write
-- collection of that organisation, its uuid the collection's id
-- (/taxii2/council/collections/<uuid>/, policy/96_stix.sql).  The table is
-- migration 0044's council.scope_presets.  Re-applied by "councilctl
-- migrate".  Errors: MESSAGE a stable code, SQLSTATE class CP.
--
-- Who sees a preset: the people of the organisation that owns it, and
-- nobody else -- not the coordinator either.  A preset is a working tool
-- of one organisation, not information shared with the council: it holds
-- nothing a post does not (a post's scope is read by its readers with the
-- post), and R-ORG-6's "every post" does not reach a tool that is not a
-- post.  Another organisation's preset answers like an absent one.
-- A deleted preset is gone for everyone (its row stays, deleted_at set,
-- for the audit log's object ids).  The audit log, which the coordinator
-- reads whole (30_audit.sql), holds of a preset its id, uuid and the
-- number of its scope's entries and exclusions: not its name nor what
-- its scope names.
--
-- Who creates: any person of the organisation, with a scope it could
-- post with now: the scope and exclusions are checked by create_post
-- itself, run in a subtransaction that is rolled back (as the audience
-- preview does, 61_compose.sql), so a refusal carries create_post's own
-- code (empty_scope, organisation_not_found, group_not_found,
-- invalid_scope_entry, invalid_exclusion, member_restricted, ...).  The
-- scope is checked again on every use (each post is written by
-- create_post), so a preset naming a group the organisation has left
-- simply fails on use.
-- Who deletes: the person who created it, or the organisation's
-- administrator (people.is_org_admin).  Deletion is for good: the
-- collection is gone (404); its name is free again (migration 0045:
-- names are unique among the live presets).

-- The caller is its organisation's (active) administrator.
CREATE OR REPLACE FUNCTION council.scope_preset_is_org_admin() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (SELECT 1 FROM council.me m
                   JOIN council.people p ON p.id = m.person_id AND p.active
                   WHERE p.is_org_admin)
$$;

-- R-SCOPE-1, R-SCOPE-2: p_scope and p_exclusions are what the caller
-- could post with now: create_post (a report, not secret) runs with them
-- and is rolled back; what it raises is raised.  Nothing is stored,
-- nobody is told, no audit row stays.
CREATE OR REPLACE FUNCTION council.scope_preset_check(p_scope jsonb, p_exclusions jsonb)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_scope IS NULL OR jsonb_typeof(p_scope) = 'null' THEN
        RAISE EXCEPTION 'empty_scope' USING ERRCODE = 'CP422';
    END IF;
    IF jsonb_typeof(p_exclusions) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'invalid_exclusions' USING ERRCODE = 'CP422';
    END IF;
    IF jsonb_array_length(p_exclusions) > 200 THEN
        RAISE EXCEPTION 'invalid_exclusions' USING ERRCODE = 'CP422';
    END IF;
    BEGIN
        PERFORM council.create_post('report', '-', '', false, false, p_scope, p_exclusions);
        RAISE EXCEPTION 'preset checked' USING ERRCODE = 'CPZ98';
    EXCEPTION WHEN SQLSTATE 'CPZ98' THEN   -- not CP000: that names the whole class
        NULL;                           -- rolled back: nothing was stored
    END;
END
$$;

-- A preset's name: trimmed, 1 to 100 characters, no control characters.
CREATE OR REPLACE FUNCTION council.scope_preset_name(p text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p IS NULL OR length(btrim(p)) NOT BETWEEN 1 AND 100 OR p ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_name' USING ERRCODE = 'CP422';
    END IF;
    RETURN btrim(p);
END
$$;

-- Issue 15 item 1: the caller's organisation gets a preset named p_name
-- with scope p_scope and exclusions p_exclusions (NULL: none), checked by
-- scope_preset_check.  At most 100 live presets an organisation (CP422
-- too_many_presets); a name a live preset has is CP409
-- preset_name_taken.  Audited (scope_preset.create, counts only).
-- Returns the id.
CREATE OR REPLACE FUNCTION council.scope_preset_create(p_name text, p_scope jsonb,
    p_exclusions jsonb DEFAULT '[]') RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org   bigint := council.current_org_id();
    v_name  text;
    v_id    bigint;
    v_uuid  uuid;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    v_name := council.scope_preset_name(p_name);
    p_exclusions := coalesce(p_exclusions, '[]');
    PERFORM council.scope_preset_check(p_scope, p_exclusions);
    -- One organisation's creations one at a time: the count and the name
    -- are read after the lock.
    PERFORM pg_advisory_xact_lock(hashtext('council.scope_presets'), v_org::integer);
    IF (SELECT count(*) FROM council.scope_presets
        WHERE org_id = v_org AND deleted_at IS NULL) >= 100 THEN
        RAISE EXCEPTION 'too_many_presets' USING ERRCODE = 'CP422';
    END IF;
    IF EXISTS (SELECT 1 FROM council.scope_presets
               WHERE org_id = v_org AND name = v_name AND deleted_at IS NULL) THEN
        RAISE EXCEPTION 'preset_name_taken' USING ERRCODE = 'CP409';
    END IF;
    INSERT INTO council.scope_presets (org_id, name, scope, exclusions, created_by)
    VALUES (v_org, v_name, p_scope, p_exclusions, council.current_person_id())
    RETURNING id, uuid INTO v_id, v_uuid;
    PERFORM council.audit('scope_preset.create', 'scope_preset', v_id,
        jsonb_build_object('uuid', v_uuid, 'scope', jsonb_array_length(p_scope),
                           'exclusions', jsonb_array_length(p_exclusions)));
    RETURN v_id;
END
$$;

-- Issue 15 item 1: the caller deletes preset p (for good: its collection
-- is gone).  Another organisation's, a deleted or an absent preset is
-- CP404 preset_not_found; one of the caller's organisation that neither
-- the caller created nor the caller administers is CP403
-- only_creator_or_admin.  Audited (scope_preset.delete).
CREATE OR REPLACE FUNCTION council.scope_preset_delete(p bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.scope_presets;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT * INTO v FROM council.scope_presets
    WHERE id = p AND org_id = council.current_org_id() AND deleted_at IS NULL
    FOR UPDATE;
    IF v.id IS NULL THEN
        RAISE EXCEPTION 'preset_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF v.created_by <> council.current_person_id() AND NOT council.scope_preset_is_org_admin() THEN
        RAISE EXCEPTION 'only_creator_or_admin' USING ERRCODE = 'CP403';
    END IF;
    UPDATE council.scope_presets SET deleted_at = now() WHERE id = p;
    PERFORM council.audit('scope_preset.delete', 'scope_preset', p,
        jsonb_build_object('uuid', v.uuid));
END
$$;

-- Preset p as the caller sees it (CP404 preset_not_found when hidden,
-- deleted or absent): id, uuid, name, scope, exclusions, its TAXII
-- collection's path, who created it and when, and whether the caller may
-- delete it.  SECURITY INVOKER: read under the caller's policies.
CREATE OR REPLACE FUNCTION council.scope_preset_json(p bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  json;
BEGIN
    SELECT json_build_object('id', s.id, 'uuid', s.uuid, 'name', s.name,
            'scope', s.scope, 'exclusions', s.exclusions,
            'collection', '/taxii2/council/collections/' || s.uuid || '/',
            'created_by', s.created_by, 'created_by_name_ja', pe.name_ja,
            'created_by_name_en', pe.name_en, 'created_at', s.created_at,
            'may_delete', s.created_by = council.current_person_id()
                          OR council.scope_preset_is_org_admin())
    INTO v
    FROM council.scope_presets s LEFT JOIN council.people pe ON pe.id = s.created_by
    WHERE s.id = p;
    IF v IS NULL THEN
        RAISE EXCEPTION 'preset_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN v;
END
$$;

-- GET /api/v1/scope-presets: the caller's organisation's live presets,
-- by name ({"presets": [scope_preset_json...]}).  SECURITY INVOKER.
CREATE OR REPLACE FUNCTION council.scope_presets_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('presets', coalesce(json_agg(council.scope_preset_json(s.id)
                                                          ORDER BY s.name, s.id), '[]'))
    FROM council.scope_presets s
$$;

-- Who reads: the owning organisation's people, live presets only (see
-- the head of this file).  Written only by the definer's functions above
-- (table grants of migration 0044); the definer reads them through
-- definer_all (10_identity.sql), the owner through owner_admin.
CREATE POLICY scope_presets_own ON council.scope_presets FOR SELECT
    TO council_app, council_writer
    USING (deleted_at IS NULL AND org_id = (SELECT m.org_id FROM council.me m));

-- The JSON API's row, through the door (policy/15_api.sql):
-- POST /api/v1/scope-presets {name, scope, exclusions} (201, the preset);
-- GET /api/v1/scope-presets/N ('get'); POST /api/v1/scope-presets/N
-- {"action": "delete"} (200 {"id", "deleted": true}).
CREATE OR REPLACE FUNCTION council.api__scope_preset(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a     jsonb;
    v_id  bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    CASE r->>'what'
    WHEN 'create' THEN
        a := council.api_args(r->>'body', '{"name": "string", "scope": "array",
            "exclusions": "array"}');
        v_id := council.scope_preset_create(a->>'name', nullif(a->'scope', 'null'),
            coalesce(nullif(a->'exclusions', 'null'), '[]'));
        status := 201;
        body := council.scope_preset_json(v_id)::text;
    WHEN 'get' THEN
        status := 200;
        body := council.scope_preset_json((r->>'id')::bigint)::text;
    WHEN 'act' THEN
        a := council.api_args(r->>'body', '{"action": "string"}');
        v_id := (r->>'id')::bigint;
        PERFORM council.scope_preset_json(v_id);        -- hidden: 404 first
        IF a->>'action' IS DISTINCT FROM 'delete' THEN
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END IF;
        PERFORM council.scope_preset_delete(v_id);
        status := 200;
        body := json_build_object('id', v_id, 'deleted', true)::text;
    ELSE
        RAISE EXCEPTION 'api__scope_preset: % is not a call', r->>'what';
    END CASE;
END
$$;

-- councild's entry (routes.c, presets.c).
CREATE OR REPLACE FUNCTION council.api_scope_preset(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('scope_preset',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.scope_preset_is_org_admin() OWNER TO council_definer;
ALTER FUNCTION council.scope_preset_check(jsonb, jsonb) OWNER TO council_definer;
ALTER FUNCTION council.scope_preset_create(text, jsonb, jsonb) OWNER TO council_definer;
ALTER FUNCTION council.scope_preset_delete(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
