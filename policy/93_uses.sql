-- policy/93_uses.sql: need to know and the uses of a post (issue 14 item
-- 3; R-TF-7, R-TF-8, R-ORG-9, R-USE-1; migrations/0040_post_uses.sql).
-- Re-applied by "councilctl migrate".
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- R-TF-7: a task-force participant that derives a post from a source held
-- within the task force, for a scope that reaches members outside it,
-- states why they need it; council.create_post refuses the post without
-- the statement (need_to_know_required) and records it here.  The
-- statement is read by the coordinator and the author's own organisation
-- (among those who see the post), nobody else.
--
-- R-USE-1: members use information only to secure themselves.  The two
-- exceptions are recorded as uses of the post: R-TF-8 a Type 1 member
-- protecting its customers (customer_protection), R-ORG-9 a mutual-aid
-- body for its constituents (constituent_relay: within the post's scope
-- and the secrecy duty; the portal widens nothing).  Anyone else is
-- refused, the two secretariat bodies included (their use is the
-- council's own).  A use is seen by the using organisation, the post's
-- giver and the coordinator, among those who see the post; a hidden post
-- answers exactly like an absent one.

-- R-TF-7: organisation o is in the task force (class_includes' task
-- force: JPCERT/CC plus the admitted Type 1 and Type 2 members).
CREATE OR REPLACE FUNCTION council.org_in_tf(o bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce((SELECT x.council_role IS NOT DISTINCT FROM 'coordinator'
                            OR x.tf_class IN ('type1', 'type2')
                     FROM council.organisations x WHERE x.id = o), false)
$$;

-- R-TF-7: post p is held within the task force: its scope names only the
-- task force's classes (task_force, type1_group, type2), or every
-- organisation it names or reaches, its author included, is in the task
-- force.
CREATE OR REPLACE FUNCTION council.post_tf_held(p bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM council.post_scope s WHERE s.post_id = p)
       AND NOT EXISTS (SELECT 1 FROM council.post_scope s WHERE s.post_id = p
                       AND s.class IS DISTINCT FROM 'task_force'
                       AND s.class IS DISTINCT FROM 'type1_group'
                       AND s.class IS DISTINCT FROM 'type2') THEN
        RETURN true;
    END IF;
    RETURN EXISTS (SELECT 1 FROM council.post_authors a WHERE a.post_id = p)
       AND NOT EXISTS (
           SELECT 1 FROM (
               SELECT a.org_id FROM council.post_authors a WHERE a.post_id = p
               UNION SELECT a.org_id FROM council.post_audience a WHERE a.post_id = p
               UNION SELECT x FROM council.audience_named(p) x) o
           WHERE NOT council.org_in_tf(o.org_id));
END
$$;

-- R-TF-7: post p's scope names an organisation outside the task force
-- (before its sources limit it: a member that waits for a giver's consent
-- is reached once the giver consents).
CREATE OR REPLACE FUNCTION council.post_reaches_outside_tf(p bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM council.audience_named(p) x WHERE NOT council.org_in_tf(x));
END
$$;

-- R-TF-7: called by council.create_post for its new post p (after its
-- scope and sources are in), with the author's statement p_reason.  When
-- the author's organisation is in the task force, a source is held within
-- it and the scope reaches outside it, the statement is required (CP422
-- need_to_know_required; at most 2000 characters, else
-- invalid_need_to_know) and recorded; otherwise nothing is recorded.
-- Only for the caller's own post (else CP404, as for an absent one).
CREATE OR REPLACE FUNCTION council.need_to_know_record(p bigint, p_reason text)
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org   bigint;
    v_src   bigint[];
    v_text  text := nullif(btrim(p_reason), '');
BEGIN
    SELECT a.org_id INTO v_org FROM council.post_authors a
    WHERE a.post_id = p AND a.person_id = council.current_person_id();
    IF v_org IS NULL THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF NOT council.org_in_tf(v_org) THEN
        RETURN false;
    END IF;
    v_src := ARRAY(SELECT s.source_post_id FROM council.post_sources s
                   WHERE s.post_id = p AND council.post_tf_held(s.source_post_id)
                   ORDER BY 1);
    IF cardinality(v_src) = 0 OR NOT council.post_reaches_outside_tf(p) THEN
        RETURN false;
    END IF;
    IF v_text IS NULL THEN                     -- R-TF-7
        RAISE EXCEPTION 'need_to_know_required' USING ERRCODE = 'CP422';
    END IF;
    IF length(v_text) > 2000 OR v_text ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_need_to_know' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.post_need_to_know (post_id, org_id, person_id, reason, sources)
    VALUES (p, v_org, council.current_person_id(), v_text, v_src);
    PERFORM council.audit('post.need_to_know', 'post', p,
        jsonb_build_object('sources', to_jsonb(v_src)));
    RETURN true;
END
$$;

-- R-TF-7: the caller reads post p's statement: it sees the post, and is
-- the coordinator or of the author's organisation.
CREATE OR REPLACE FUNCTION council.need_to_know_visible(p bigint, o bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN council.current_sees_post(p) AND EXISTS (
        SELECT 1 FROM council.me m WHERE m.is_coordinator OR m.org_id = o);
END
$$;

-- R-TF-8, R-ORG-9: the caller reads a use of post p by organisation o: it
-- sees the post, and is of the using organisation, of the post's giver,
-- or the coordinator.
CREATE OR REPLACE FUNCTION council.post_use_visible(p bigint, o bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN council.current_sees_post(p) AND EXISTS (
        SELECT 1 FROM council.me m
        WHERE m.is_coordinator OR m.org_id = o
           OR EXISTS (SELECT 1 FROM council.post_authors a
                      WHERE a.post_id = p AND a.org_id = m.org_id));
END
$$;

-- R-USE-1, R-TF-8, R-ORG-9: the kinds of use the caller's organisation may
-- record for post p (it sees the post, did not give it, is not a
-- secretariat body): customer_protection for a Type 1 member,
-- constituent_relay for a mutual-aid body.  Empty for anyone else.
CREATE OR REPLACE FUNCTION council.post_use_kinds(p bigint) RETURNS text[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    o  council.organisations;
BEGIN
    SELECT x.* INTO o FROM council.me m JOIN council.organisations x ON x.id = m.org_id;
    IF o.id IS NULL OR NOT council.current_sees_post(p) OR o.council_role IS NOT NULL
       OR EXISTS (SELECT 1 FROM council.post_authors a WHERE a.post_id = p AND a.org_id = o.id) THEN
        RETURN '{}';
    END IF;
    RETURN ARRAY(SELECT k FROM (VALUES
        (1, 'customer_protection', o.tf_class = 'type1'),
        (2, 'constituent_relay', o.category = 'mutual_aid')) v(n, k, ok)
        WHERE ok ORDER BY n);
END
$$;

-- R-TF-8, R-ORG-9, R-USE-1: the caller's organisation records a use of
-- post p: p_kind 'customer_protection' (a Type 1 member, R-TF-8) or
-- 'constituent_relay' (a mutual-aid body, R-ORG-9), with a note of what
-- was done (1 to 1000 characters).  CP404 post_not_found for a post the
-- caller does not see (as for an absent one); CP403 for anyone else
-- (R-USE-1: members use information only to secure themselves).  The
-- post's author is told (a notification naming the page).  Returns the
-- use's id.
CREATE OR REPLACE FUNCTION council.post_use_record(p bigint, p_kind text, p_note text)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    o       council.organisations;
    v_note  text := btrim(coalesce(p_note, ''));
    v_id    bigint;
    v_auth  bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF p IS NULL OR NOT council.current_sees_post(p) THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF p_kind IS NULL OR p_kind NOT IN ('customer_protection', 'constituent_relay') THEN
        RAISE EXCEPTION 'invalid_use_kind' USING ERRCODE = 'CP422';
    END IF;
    SELECT x.* INTO o FROM council.organisations x WHERE x.id = council.current_org_id();
    -- R-USE-1: the secretariat bodies use information for the council's
    -- activities only, never for their own customers or constituents.
    IF o.council_role IS NOT NULL THEN
        RAISE EXCEPTION 'secretariat_uses_for_council_only' USING ERRCODE = 'CP403';
    END IF;
    -- R-TF-8: third-party use is a privilege of Type 1 only.
    IF p_kind = 'customer_protection' AND o.tf_class IS DISTINCT FROM 'type1' THEN
        RAISE EXCEPTION 'customer_protection_type1_only' USING ERRCODE = 'CP403';
    END IF;
    -- R-ORG-9: relaying to constituents is a mutual-aid body's.
    IF p_kind = 'constituent_relay' AND o.category IS DISTINCT FROM 'mutual_aid' THEN
        RAISE EXCEPTION 'relay_mutual_aid_only' USING ERRCODE = 'CP403';
    END IF;
    SELECT a.person_id INTO v_auth FROM council.post_authors a
    WHERE a.post_id = p AND a.org_id = o.id;
    IF FOUND THEN
        RAISE EXCEPTION 'own_post' USING ERRCODE = 'CP422';
    END IF;
    -- R-SECRET-2: a secret is used by a handler (one who sees it is one;
    -- said here too, for the rule's sake).
    IF (SELECT x.is_secret FROM council.posts x WHERE x.id = p)
       AND NOT council.current_may_handle_secrets() THEN
        RAISE EXCEPTION 'secret_needs_registered_handler' USING ERRCODE = 'CP403';
    END IF;
    IF length(v_note) NOT BETWEEN 1 AND 1000
       OR v_note ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_note' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.post_uses (post_id, org_id, person_id, kind, note)
    VALUES (p, o.id, council.current_person_id(), p_kind::council.post_use_kind, v_note)
    RETURNING id INTO v_id;
    PERFORM council.audit('post.use', 'post', p,
        jsonb_build_object('use', v_id, 'kind', p_kind));
    -- The giver sees the use on the post's page; its author is told there
    -- is one (while it can read the post).
    INSERT INTO council.notifications (person_id, kind, subject_ja, subject_en, link, dedupe)
    SELECT a.person_id, 'post.used', '投稿の利用が記録されました',
           'A use of your post was recorded', '/posts/' || p, 'post.use:' || v_id
    FROM council.post_authors a
    WHERE a.post_id = p AND council.person_sees_post(a.person_id, p)
    ON CONFLICT (person_id, dedupe) DO NOTHING;
    RETURN v_id;
END
$$;

-- R-TF-7, R-TF-8, R-ORG-9: post p's uses and need-to-know statement as the
-- caller sees them (CP404 post_not_found for a hidden or absent post):
-- {"post", "uses": [{"id", "org", "org_name_ja", "org_name_en", "kind",
-- "note", "used_at", "mine"}], "need_to_know": {"reason", "sources",
-- "created_at"} | null, "may_use": [kind]}.
CREATE OR REPLACE FUNCTION council.post_uses_json(p bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.posts x WHERE x.id = p) THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN json_build_object('post', p,
        'uses', coalesce((SELECT json_agg(json_build_object('id', u.id, 'org', u.org_id,
                'org_name_ja', o.name_ja, 'org_name_en', o.name_en, 'kind', u.kind,
                'note', u.note, 'used_at', u.used_at,
                'mine', u.org_id = council.current_org_id()) ORDER BY u.id)
            FROM council.post_uses u JOIN council.organisations o ON o.id = u.org_id
            WHERE u.post_id = p), '[]'),
        'need_to_know', (SELECT json_build_object('reason', n.reason, 'sources', n.sources,
                'created_at', n.created_at)
            FROM council.post_need_to_know n WHERE n.post_id = p),
        'may_use', to_json(council.post_use_kinds(p)));
END
$$;

CREATE POLICY post_uses_visible ON council.post_uses FOR SELECT
    TO council_app, council_writer USING (council.post_use_visible(post_id, org_id));
CREATE POLICY post_need_to_know_visible ON council.post_need_to_know FOR SELECT
    TO council_app, council_writer USING (council.need_to_know_visible(post_id, org_id));

-- The JSON API's row, through the door (policy/15_api.sql):
-- POST /api/v1/posts/N/uses {"kind", "note"} → 201 the post's uses.
CREATE OR REPLACE FUNCTION council.api__post_use(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    a := council.api_args(r->>'body', '{"kind": "string", "note": "string"}');
    PERFORM council.post_use_record((r->>'id')::bigint, a->>'kind', a->>'note');
    status := 201;
    body := council.post_uses_json((r->>'id')::bigint)::text;
END
$$;

-- councild's entry (routes.c).
CREATE OR REPLACE FUNCTION council.api_post_use(p_post bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('post_use',
    jsonb_build_object('id', p_post, 'body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.org_in_tf(bigint) OWNER TO council_definer;
ALTER FUNCTION council.post_tf_held(bigint) OWNER TO council_definer;
ALTER FUNCTION council.post_reaches_outside_tf(bigint) OWNER TO council_definer;
ALTER FUNCTION council.need_to_know_record(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.need_to_know_visible(bigint, bigint) OWNER TO council_definer;
ALTER FUNCTION council.post_use_visible(bigint, bigint) OWNER TO council_definer;
ALTER FUNCTION council.post_use_kinds(bigint) OWNER TO council_definer;
ALTER FUNCTION council.post_use_record(bigint, text, text) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
-- Only create_post (council_writer) records a statement, for its own post.
REVOKE ALL ON FUNCTION council.need_to_know_record(bigint, text) FROM PUBLIC;
-- They read any post: only the definer's own functions call them (a
-- hidden post must not be told from an absent one).
REVOKE ALL ON FUNCTION council.org_in_tf(bigint), council.post_tf_held(bigint),
    council.post_reaches_outside_tf(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.need_to_know_record(bigint, text) TO council_writer;
