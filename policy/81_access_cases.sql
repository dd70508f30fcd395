-- policy/81_access_cases.sql: the secretariat's recorded access cases on
-- the portal (R-ORG-6, Rules Art. 14(3); issue 13 item 11).  A person of
-- the general-affairs secretariat opens a case with its reason, the
-- minimum posts it needs and an expiry (council.open_access_case,
-- 42_sharing_writes.sql); another steering-committee member approves it
-- (council.approve_access_case); the grantee or the coordinator closes it
-- here, which cannot be undone and ends the access at once
-- (council.current_case_post_ids and council.person_sees_post,
-- 41_sharing_policies.sql, read closed_at).  Used by violation reports and
-- disputes.  Re-applied by "councilctl migrate".  Errors: MESSAGE a stable
-- code, SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- Who sees a case (access_cases_visible, 41_sharing_policies.sql): its
-- grantee, the steering committee and the coordinator.  Nobody else sees
-- a case or its existence: a hidden id answers exactly like an absent one
-- (CP404 access_case_not_found).  The posts a case names are listed to
-- those who see the case; a post's title only to those who may read the
-- post (its own policies decide, and a read through the case is audited).

------------------------------------------------------------------------
-- Closing.
------------------------------------------------------------------------

-- R-ORG-6: the grantee or the coordinator closes case p_case: from now on
-- it grants nothing.  Closing twice is refused (access_case_already_closed).
CREATE OR REPLACE FUNCTION council.close_access_case(p_case bigint)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    c  council.access_cases;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT * INTO c FROM council.access_cases WHERE id = p_case FOR UPDATE;
    IF c.id IS NULL THEN
        RAISE EXCEPTION 'access_case_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF c.granted_to <> council.current_person_id()
       AND NOT council.current_is_coordinator() THEN
        RAISE EXCEPTION 'only_the_grantee_or_coordinator_closes' USING ERRCODE = 'CP403';
    END IF;
    IF c.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'access_case_already_closed' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.access_cases
    SET closed_at = now(), closed_by = council.current_person_id()
    WHERE id = p_case;
    PERFORM council.audit('access_case.close', 'access_case', p_case, '{}');
END
$$;

------------------------------------------------------------------------
-- Reading.
------------------------------------------------------------------------

-- A case's state as people read it: closed, expired, approved (granting
-- its posts now) or pending (waiting for a committee member).
CREATE OR REPLACE FUNCTION council.access_case_state(c council.access_cases)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE WHEN c.closed_at IS NOT NULL THEN 'closed'
                WHEN c.expires_at <= now() THEN 'expired'
                WHEN c.approved_by IS NOT NULL THEN 'approved'
                ELSE 'pending' END
$$;

-- The name and organisation of person p_person as case p_case names them
-- (its grantee, approver or closer), for a caller who sees the case
-- (the condition of access_cases_visible, 41_sharing_policies.sql);
-- NULL for anyone else, and for a person the case does not name: people
-- of other organisations are otherwise not readable (people_visible).
CREATE OR REPLACE FUNCTION council.access_case_person(p_case bigint, p_person bigint)
    RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN (
        SELECT json_build_object('id', pe.id, 'name_ja', pe.name_ja, 'name_en', pe.name_en,
                                 'org_ja', o.name_ja, 'org_en', o.name_en)
        FROM council.me, council.access_cases c
        JOIN council.people pe ON pe.id = p_person
        JOIN council.organisations o ON o.id = pe.org_id
        WHERE c.id = p_case
          AND p_person IN (c.granted_to, c.approved_by, c.closed_by)
          AND (c.granted_to = me.person_id OR me.is_committee OR me.is_coordinator));
END
$$;

-- R-ORG-6: case p (as json), for those who see it: its reason, the posts
-- it names (each with its title only when the caller may read the post),
-- who opened it (the grantee), who approved it and when, its expiry, who
-- closed it and when, its state, and what the caller may do with it
-- (may_approve: another committee member, while pending; may_close: the
-- grantee or the coordinator, while not closed).  CP404
-- access_case_not_found for a hidden case as for an absent one.
CREATE OR REPLACE FUNCTION council.access_case(p bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    c  council.access_cases;
BEGIN
    SELECT * INTO c FROM council.access_cases WHERE id = p;
    IF c.id IS NULL THEN
        RAISE EXCEPTION 'access_case_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN (SELECT json_build_object(
        'id', c.id, 'reason', c.reason, 'state', council.access_case_state(c),
        'granted_to', council.access_case_person(c.id, c.granted_to),
        'created_at', c.created_at,
        'approved_by', council.access_case_person(c.id, c.approved_by),
        'approved_at', c.approved_at, 'expires_at', c.expires_at,
        'closed_by', council.access_case_person(c.id, c.closed_by),
        'closed_at', c.closed_at,
        'posts', coalesce((SELECT json_agg(json_build_object('id', cp.post_id,
                'title', x.title, 'readable', x.id IS NOT NULL) ORDER BY cp.post_id)
            FROM council.access_case_posts cp
            LEFT JOIN council.posts x ON x.id = cp.post_id
            WHERE cp.case_id = c.id), '[]'),
        'may_approve', me.is_committee AND c.granted_to <> me.person_id
            AND council.access_case_state(c) = 'pending',
        'may_close', (c.granted_to = me.person_id OR me.is_coordinator)
            AND c.closed_at IS NULL)
        FROM council.me);
END
$$;

-- R-ORG-6: the cases the caller sees, newest first (at most 200), and
-- whether the caller may open one (a person of the secretariat).
CREATE OR REPLACE FUNCTION council.access_cases_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object(
        'may_open', coalesce(me.is_secretariat, false),
        'cases', coalesce((SELECT json_agg(json_build_object(
                'id', c.id, 'reason', c.reason, 'state', council.access_case_state(c),
                'granted_to', council.access_case_person(c.id, c.granted_to),
                'created_at', c.created_at, 'approved_at', c.approved_at,
                'expires_at', c.expires_at, 'closed_at', c.closed_at,
                'posts', (SELECT count(*) FROM council.access_case_posts cp
                          WHERE cp.case_id = c.id))
                ORDER BY c.id DESC)
            FROM (SELECT * FROM council.access_cases ORDER BY id DESC LIMIT 200) c), '[]'))
    FROM council.me
$$;

------------------------------------------------------------------------
-- Who may write what (the reading policy, access_cases_visible, and the
-- opening and approving ones are in 41_sharing_policies.sql).
------------------------------------------------------------------------

-- R-ORG-6: the grantee or the coordinator closes, as itself.
CREATE POLICY access_cases_close ON council.access_cases FOR UPDATE TO council_writer
    USING (granted_to = (SELECT me.person_id FROM council.me)
           OR coalesce((SELECT me.is_coordinator FROM council.me), false))
    WITH CHECK (closed_by = (SELECT me.person_id FROM council.me));

------------------------------------------------------------------------
-- The JSON API's row (docs/api.md), council.api__access_case(request),
-- reached through the door council.api_call (policy/15_api.sql).
-- SECURITY INVOKER: it calls the case functions as council_app would.
------------------------------------------------------------------------

-- POST /api/v1/access-cases {"reason", "posts": [ids], "expires_at"}
--   (what "open"): R-ORG-6, the secretariat opens a case; 201 with it.
-- POST /api/v1/access-cases/N {"action": "approve" | "close"} (what
--   "act"): 200 with the case as it is now.
CREATE OR REPLACE FUNCTION council.api__access_case(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a      jsonb;
    v_exp  timestamptz;
    v_id   bigint;
BEGIN
    IF r->>'what' = 'open' THEN
        a := council.api_args(r->>'body',
            '{"reason": "string", "posts": "array", "expires_at": "string"}');
        IF a->>'reason' IS NULL OR length(btrim(a->>'reason')) < 10
           OR length(a->>'reason') > 2000 THEN
            RAISE EXCEPTION 'invalid_reason' USING ERRCODE = 'CP422';
        END IF;
        IF jsonb_typeof(a->'posts') IS DISTINCT FROM 'array'
           OR jsonb_array_length(a->'posts') NOT BETWEEN 1 AND 50
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(a->'posts') e
                      WHERE jsonb_typeof(e) <> 'number' OR e::text !~ '^[1-9][0-9]{0,17}$') THEN
            RAISE EXCEPTION 'invalid_posts' USING ERRCODE = 'CP422';
        END IF;
        BEGIN
            v_exp := (a->>'expires_at')::timestamptz;
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'invalid_expires_at' USING ERRCODE = 'CP422';
        END;
        IF v_exp IS NULL OR v_exp <= now() OR v_exp > now() + interval '30 days' THEN
            RAISE EXCEPTION 'invalid_expires_at' USING ERRCODE = 'CP422';
        END IF;
        v_id := council.open_access_case(a->>'reason',
            ARRAY(SELECT e::text::bigint FROM jsonb_array_elements(a->'posts') e), v_exp);
        status := 201;
        body := council.access_case(v_id)::text;
    ELSIF r->>'what' = 'act' THEN
        a := council.api_args(r->>'body', '{"action": "string"}', 'invalid_action');
        IF a->>'action' = 'approve' THEN
            PERFORM council.approve_access_case((r->>'id')::bigint);
        ELSIF a->>'action' = 'close' THEN
            PERFORM council.close_access_case((r->>'id')::bigint);
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END IF;
        status := 200;
        body := council.access_case((r->>'id')::bigint)::text;
    ELSE
        RAISE EXCEPTION 'api__access_case: % is not an act', r->>'what';
    END IF;
END
$$;

------------------------------------------------------------------------
-- Owners and privileges.
------------------------------------------------------------------------

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.close_access_case(bigint) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.access_case_person(bigint, bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
