-- policy/83_groups.sql: groups made in the portal (issue 13 item 10;
-- R-NEW-2, Policy ch. 6 §2: standing or ad-hoc, per sector or across
-- sectors).  The coordinator and the secretariat create groups; the
-- organisation that owns a group (or the coordinator) adds and removes
-- members; members see the groups they are in and name them as scopes
-- (42_sharing_writes.sql).  A change of members takes effect on the
-- audience of every post naming the group at once (the trigger
-- audience_group, 40_sharing_audience.sql).  Who sees a group:
-- groups_visible (41_sharing_policies.sql).  Per-incident groups, opened
-- from a report with the reporter's consent for each member:
-- 88_incident_groups.sql.  Re-applied by "councilctl migrate".  Errors: MESSAGE a stable
-- code, SQLSTATE class CP.

-- R-NEW-2: the coordinator or the secretariat creates a group (kind
-- standing, adhoc, sector or cross_sector), owned by its organisation.
-- Returns its id.
CREATE OR REPLACE FUNCTION council.group_create(p_slug text, p_name_ja text, p_name_en text,
    p_kind council.group_kind) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id  bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT (council.current_is_coordinator() OR council.current_is_secretariat())
       OR NOT council.incident_may_touch() THEN
        RAISE EXCEPTION 'only_coordinator_or_secretariat' USING ERRCODE = 'CP403';
    END IF;
    IF p_slug IS NULL OR p_slug !~ '^[a-z0-9][a-z0-9-]{1,62}$' THEN
        RAISE EXCEPTION 'invalid_slug' USING ERRCODE = 'CP422';
    END IF;
    IF p_name_ja IS NULL OR length(btrim(p_name_ja)) NOT BETWEEN 1 AND 200
       OR p_name_en IS NULL OR length(btrim(p_name_en)) NOT BETWEEN 1 AND 200
       OR p_name_ja ~ '[\x01-\x1f\x7f]' OR p_name_en ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_name' USING ERRCODE = 'CP422';
    END IF;
    IF p_kind IS NULL OR p_kind = 'incident' THEN
        RAISE EXCEPTION 'invalid_kind' USING ERRCODE = 'CP422';
    END IF;
    IF EXISTS (SELECT 1 FROM council.groups WHERE slug = p_slug) THEN
        RAISE EXCEPTION 'slug_taken' USING ERRCODE = 'CP409';
    END IF;
    INSERT INTO council.groups (slug, name_ja, name_en, kind, owner_org_id)
    VALUES (p_slug, btrim(p_name_ja), btrim(p_name_en), p_kind, council.current_org_id())
    RETURNING id INTO v_id;
    PERFORM council.audit('group.create', 'group', v_id,
        jsonb_build_object('slug', p_slug, 'kind', p_kind));
    RETURN v_id;
END
$$;

-- R-NEW-2: the owner organisation's handler or administrator (or the
-- coordinator's) adds (p_add) or removes member organisation p_org of
-- group g.  A group the caller cannot see is absent (CP404).  Changing
-- nothing (adding a member twice) is not an error.
CREATE OR REPLACE FUNCTION council.group_set_member(g bigint, p_org bigint, p_add boolean)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.groups;
    n  integer;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT * INTO x FROM council.groups
    WHERE id = g AND (id IN (SELECT council.current_group_ids()) OR council.current_is_coordinator());
    IF x.id IS NULL THEN
        RAISE EXCEPTION 'group_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF NOT (x.owner_org_id = council.current_org_id() OR council.current_is_coordinator())
       OR NOT council.incident_may_touch() THEN
        RAISE EXCEPTION 'only_the_owner' USING ERRCODE = 'CP403';
    END IF;
    IF p_add IS NULL OR p_org IS NULL
       OR (p_add AND NOT EXISTS (SELECT 1 FROM council.organisations
                                 WHERE id = p_org AND status = 'member')) THEN
        RAISE EXCEPTION 'invalid_member' USING ERRCODE = 'CP422';
    END IF;
    -- R-SCOPE-4: a per-incident group takes a member only with the
    -- reporter's consent (88_incident_groups.sql), and keeps the reporter.
    IF x.kind = 'incident' AND p_add THEN
        RAISE EXCEPTION 'incident_group_needs_consent' USING ERRCODE = 'CP403';
    ELSIF x.kind = 'incident' AND p_org = (SELECT r.org_id FROM council.incident_groups ig
            JOIN council.incident_reports r ON r.id = ig.report_id WHERE ig.group_id = g) THEN
        RAISE EXCEPTION 'reporter_stays' USING ERRCODE = 'CP409';
    END IF;
    IF p_add THEN
        INSERT INTO council.group_members (group_id, org_id) VALUES (g, p_org)
        ON CONFLICT DO NOTHING;
    ELSE
        DELETE FROM council.group_members WHERE group_id = g AND org_id = p_org;
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        PERFORM council.audit(CASE WHEN p_add THEN 'group.add' ELSE 'group.remove' END,
            'group', g, jsonb_build_object('org', p_org));
    END IF;
END
$$;

-- R-NEW-2: the groups the caller sees (groups_visible), with their
-- members and whether the caller's organisation owns each.
CREATE OR REPLACE FUNCTION council.groups_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('groups', coalesce(json_agg(json_build_object(
            'id', g.id, 'slug', g.slug, 'name_ja', g.name_ja, 'name_en', g.name_en,
            'kind', g.kind, 'owner', g.owner_org_id,
            'mine', g.owner_org_id = (SELECT me.org_id FROM council.me),
            'members', coalesce((SELECT json_agg(m.org_id ORDER BY m.org_id)
                                 FROM council.group_members m WHERE m.group_id = g.id), '[]'))
            ORDER BY g.id), '[]'))
    FROM council.groups g
$$;

-- The JSON API's row: POST /api/v1/groups {slug, name_ja, name_en, kind};
-- POST /api/v1/groups/N {"action": "add" | "remove", "org"}.
CREATE OR REPLACE FUNCTION council.api__group(r jsonb, OUT status integer, OUT body text)
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
    IF r->>'what' = 'create' THEN
        a := council.api_args(r->>'body', '{"slug": "string", "name_ja": "string",
            "name_en": "string", "kind": "string"}');
        v_id := council.group_create(a->>'slug', a->>'name_ja', a->>'name_en',
            (a->>'kind')::council.group_kind);
        status := 201;
    ELSIF r->>'what' = 'act' THEN
        a := council.api_args(r->>'body', '{"action": "string", "org": "number"}');
        v_id := (r->>'id')::bigint;
        IF a->>'action' IS NULL OR a->>'action' NOT IN ('add', 'remove') THEN
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END IF;
        PERFORM council.group_set_member(v_id, (a->>'org')::bigint, a->>'action' = 'add');
        status := 200;
    ELSE
        RAISE EXCEPTION 'api__group: % is not a call', r->>'what';
    END IF;
    SELECT json_build_object('id', g.id, 'slug', g.slug, 'kind', g.kind,
           'members', coalesce((SELECT json_agg(m.org_id ORDER BY m.org_id)
                                FROM council.group_members m WHERE m.group_id = g.id), '[]'))::text
    INTO body FROM council.groups g WHERE g.id = v_id;
END
$$;

-- councild's entry (routes.c).
CREATE OR REPLACE FUNCTION council.api_group(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('group',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.group_create(text, text, text, council.group_kind) OWNER TO council_definer;
ALTER FUNCTION council.group_set_member(bigint, bigint, boolean) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
