-- policy/61_compose.sql: the composer (issue 4): idempotent submissions
-- (council.create_post once per key), the audience preview ("who will be
-- able to read this", computed by create_post itself and rolled back),
-- and the JSON API's row that creates or previews a post.  Re-applied by
-- "councilctl migrate".
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 42_sharing_writes.sql).

------------------------------------------------------------------------
-- Idempotent submissions and the audience preview.
------------------------------------------------------------------------

-- council.create_post, once per (person, key): a second call with the same
-- key returns the first call's post and creates nothing.  Two concurrent
-- calls: the second waits on the key's row and then returns the first's.
-- (Issue 14 item 3 added p_need_to_know, R-TF-7: the old signature goes.)
DROP FUNCTION IF EXISTS council.create_post_once(text, council.post_kind, text, text,
    boolean, boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz, bigint, bigint);
CREATE OR REPLACE FUNCTION council.create_post_once(p_key text,
    p_kind council.post_kind, p_title text, p_body text, p_is_secret boolean,
    p_masked boolean DEFAULT false, p_scope jsonb DEFAULT NULL,
    p_exclusions jsonb DEFAULT '[]', p_sources bigint[] DEFAULT '{}',
    p_parent bigint DEFAULT NULL, p_confidence text DEFAULT NULL,
    p_deadline timestamptz DEFAULT NULL, p_incident bigint DEFAULT NULL,
    p_cymat_case bigint DEFAULT NULL, p_need_to_know text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    v_id      bigint;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF p_key IS NULL THEN
        RETURN council.create_post(p_kind, p_title, p_body, p_is_secret,
            p_masked, p_scope, p_exclusions, p_sources, p_parent,
            p_confidence, p_deadline, p_incident, p_cymat_case, p_need_to_know);
    END IF;
    IF p_key !~ '^[A-Za-z0-9_-]{16,64}$' THEN
        RAISE EXCEPTION 'invalid_submit_key' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.submissions (person_id, key) VALUES (v_person, p_key)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        SELECT s.post_id INTO v_id FROM council.submissions s
        WHERE s.person_id = v_person AND s.key = p_key;
        RETURN v_id;
    END IF;
    v_id := council.create_post(p_kind, p_title, p_body, p_is_secret,
        p_masked, p_scope, p_exclusions, p_sources, p_parent, p_confidence,
        p_deadline, p_incident, p_cymat_case, p_need_to_know);
    UPDATE council.submissions SET post_id = v_id
    WHERE person_id = v_person AND key = p_key;
    RETURN v_id;
END
$$;

-- "Who will be able to read this": the organisations post would reach if
-- created now with these arguments, computed by the very code that will
-- compute it (create_post in a subtransaction that is then rolled back).
-- Errors are create_post's own.  An organisation that is the masked author
-- of a post in the thread is not named (R-TF-6): "masked_member" says one
-- is there.  JPCERT/CC, the system administrator, can open every post
-- (R-ORG-6): "coordinator_all" reminds of it.  Only members are ever in
-- an audience (R-ORG-3, R-SCOPE-1: audience_named), so only members are
-- named.  R-SECRET-2, R-SECRET-3: for a secret, the organisations that
-- cannot receive it are not readers: "secret_unreachable" lists them,
-- each with its reason ('no_handler', 'secret_opt_out'), and "orgs" and
-- "count" leave them out (create_post refuses a secret none can receive).
-- Issue 17: "left_out" lists the organisations the scope names that the
-- post does not reach, each with the rule (council.audience_left_out), and
-- "tlp" the label of what it reaches (council.tlp_reached).
-- R-TF-7: "need_to_know" says whether the post will need the author's
-- statement of why its readers outside the task force need it (the
-- preview itself asks for none).
DROP FUNCTION IF EXISTS council.audience_preview(council.post_kind, text, text,
    boolean, boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz, bigint, bigint);
CREATE OR REPLACE FUNCTION council.audience_preview(
    p_kind council.post_kind, p_title text, p_body text, p_is_secret boolean,
    p_masked boolean DEFAULT false, p_scope jsonb DEFAULT NULL,
    p_exclusions jsonb DEFAULT '[]', p_sources bigint[] DEFAULT '{}',
    p_parent bigint DEFAULT NULL, p_confidence text DEFAULT NULL,
    p_deadline timestamptz DEFAULT NULL, p_incident bigint DEFAULT NULL,
    p_cymat_case bigint DEFAULT NULL, p_need_to_know text DEFAULT NULL) RETURNS json
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id        bigint;
    v_orgs      bigint[];
    v_consents  bigint;
    v_hidden    bigint[] := '{}';
    v_p         bigint := p_parent;
    v_author    bigint;
    v_masked    boolean;
    v_blocked   jsonb := '[]';
    v_unreach   bigint[];
    v_left      jsonb := '[]';
    v_tlp       council.tlp;
    v_ntk       boolean := false;
BEGIN
    BEGIN
        v_id := council.create_post(p_kind, coalesce(nullif(btrim(p_title), ''), '-'),
            coalesce(p_body, ''), p_is_secret, p_masked, p_scope, p_exclusions,
            p_sources, p_parent, p_confidence, p_deadline, p_incident, p_cymat_case,
            coalesce(nullif(btrim(p_need_to_know), ''), '-'));
        v_ntk := EXISTS (SELECT 1 FROM council.post_need_to_know n WHERE n.post_id = v_id);
        SELECT array_agg(a.org_id) INTO v_orgs
        FROM council.post_audience a WHERE a.post_id = v_id;
        SELECT count(*) INTO v_consents FROM council.consents c WHERE c.post_id = v_id;
        -- Issue 17: who the scope names but the post leaves out, and why;
        -- the label of what it reaches (tlp_reached, kept on the post).
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', l.org_id, 'reason', l.reason)), '[]')
        INTO v_left FROM council.audience_left_out(v_id) l;
        SELECT x.tlp INTO v_tlp FROM council.posts x WHERE x.id = v_id;
        IF p_is_secret THEN
            SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.org_id, 'reason', r.reason)),
                            '[]')
            INTO v_blocked
            FROM council.post_audience a
            CROSS JOIN LATERAL (SELECT a.org_id,
                                       council.org_secret_block(a.org_id) AS reason) r
            WHERE a.post_id = v_id AND NOT a.is_author AND r.reason IS NOT NULL;
        END IF;
        RAISE EXCEPTION 'preview' USING ERRCODE = 'CPZ99';
    EXCEPTION WHEN SQLSTATE 'CPZ99' THEN   -- not CP000: that names the whole class
        NULL;                           -- rolled back: nothing was stored
    END;
    -- The thread's masked authors stay masked.
    WHILE v_p IS NOT NULL LOOP
        SELECT a.org_id, a.masked INTO v_author, v_masked
        FROM council.post_authors a WHERE a.post_id = v_p;
        IF v_masked AND v_author IS DISTINCT FROM council.current_org_id()
           AND NOT council.current_is_coordinator() THEN
            v_hidden := v_hidden || v_author;
        END IF;
        SELECT x.parent_id INTO v_p FROM council.posts x WHERE x.id = v_p;
    END LOOP;
    v_unreach := ARRAY(SELECT (b->>'id')::bigint FROM jsonb_array_elements(v_blocked) b);
    RETURN json_build_object(
        'orgs', coalesce((SELECT json_agg(json_build_object(
                    'id', o.id, 'name_ja', o.name_ja, 'name_en', o.name_en,
                    'category', o.category, 'tf_class', o.tf_class,
                    'author', o.id = council.current_org_id())
                    ORDER BY o.id <> council.current_org_id(), o.name_ja)
                FROM council.organisations o
                WHERE o.id = ANY (v_orgs) AND NOT o.id = ANY (v_hidden)
                  AND NOT o.id = ANY (v_unreach)), '[]'::json),
        'count', (SELECT count(*) FROM council.organisations o
                  WHERE o.id = ANY (v_orgs) AND NOT o.id = ANY (v_hidden)
                    AND NOT o.id = ANY (v_unreach)),
        -- R-TF-6: a masked author of the thread stays unnamed here too.
        'secret_unreachable', coalesce((SELECT json_agg(json_build_object(
                    'id', o.id, 'name_ja', o.name_ja, 'name_en', o.name_en,
                    'reason', b->>'reason') ORDER BY o.name_ja)
                FROM jsonb_array_elements(v_blocked) b
                JOIN council.organisations o ON o.id = (b->>'id')::bigint
                WHERE NOT o.id = ANY (v_hidden)), '[]'::json),
        -- Issue 17: named by the scope, left out, with the rule (a
        -- masked author of the thread stays unnamed).
        'left_out', coalesce((SELECT json_agg(json_build_object(
                    'id', o.id, 'name_ja', o.name_ja, 'name_en', o.name_en,
                    'category', o.category, 'reason', l->>'reason')
                    ORDER BY l->>'reason', o.name_ja)
                FROM jsonb_array_elements(v_left) l
                JOIN council.organisations o ON o.id = (l->>'id')::bigint
                WHERE NOT o.id = ANY (v_hidden)), '[]'::json),
        'tlp', v_tlp,
        'masked_member', EXISTS (SELECT 1 FROM unnest(v_orgs) x WHERE x = ANY (v_hidden)),
        'consents', v_consents,
        'need_to_know', v_ntk,
        'coordinator_all', true);
END
$$;

-- A person's own submission keys.
CREATE POLICY submissions_own ON council.submissions TO council_app, council_writer
    USING (person_id = (SELECT me.person_id FROM council.me))
    WITH CHECK (person_id = (SELECT me.person_id FROM council.me));

------------------------------------------------------------------------
-- The JSON API's rows (docs/api.md), council.api__<name>(request), reached
-- through the door council.api_call (policy/15_api.sql): they raise, the
-- door answers (status, body), and a refused call changes nothing.
-- SECURITY INVOKER: they call create_post_once and audience_preview as council_app would.
------------------------------------------------------------------------

-- POST /api/v1/posts and /api/v1/preview: p_preview answers the audience
-- instead of creating.  p_key: the Idempotency-Key header, or NULL.
CREATE OR REPLACE FUNCTION council.api__create_post(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a      jsonb := council.api_args(r->>'body', '{"sources": "array", "kind": "string",
        "title": "string", "body": "string", "secret": "boolean", "masked": "boolean",
        "scope": "array", "exclusions": "array", "parent": "number",
        "confidence": "string", "deadline": "string", "incident": "number",
        "cymat_case": "number", "need_to_know": "string", "tf": "object"}');
    v_src  bigint[];
    v_id   bigint;
    v      record;
BEGIN
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(nullif(a->'sources', 'null')) e
               WHERE jsonb_typeof(e) <> 'number') THEN
        RAISE EXCEPTION 'invalid_sources' USING ERRCODE = 'CP422';
    END IF;
    SELECT array_agg(e::text::bigint) INTO v_src
    FROM jsonb_array_elements(nullif(a->'sources', 'null')) e;
    SELECT (a->>'kind')::council.post_kind AS kind, a->>'title' AS title,
           a->>'body' AS body, (a->>'secret')::boolean AS secret,
           coalesce((a->>'masked')::boolean, false) AS masked,
           nullif(a->'scope', 'null') AS scope,
           coalesce(nullif(a->'exclusions', 'null'), '[]') AS excl,
           (a->>'parent')::bigint AS parent, a->>'confidence' AS confidence,
           (a->>'deadline')::timestamptz AS deadline,
           (a->>'incident')::bigint AS incident, (a->>'cymat_case')::bigint AS cymat_case
    INTO v;
    IF v.kind IS NULL THEN
        RAISE EXCEPTION 'invalid_kind' USING ERRCODE = 'CP422';
    END IF;
    IF (r->>'preview')::boolean THEN
        status := 200;
        body := council.audience_preview(v.kind, v.title, v.body, v.secret, v.masked,
            v.scope, v.excl, coalesce(v_src, '{}'), v.parent, v.confidence,
            v.deadline, v.incident, v.cymat_case, a->>'need_to_know')::text;
    ELSE
        status := 201;
        v_id := council.create_post_once(r->>'key', v.kind,
            v.title, v.body, v.secret, v.masked, v.scope, v.excl, coalesce(v_src, '{}'),
            v.parent, v.confidence, v.deadline, v.incident, v.cymat_case,
            a->>'need_to_know');
        -- R-TF-6: a task-force post's damage and method, in the same
        -- transaction (policy/92_depth.sql; a retry with the same key and
        -- the same details changes nothing).
        IF jsonb_typeof(a->'tf') = 'object' THEN
            PERFORM council.post_tf_set(v_id, a->'tf');
        END IF;
        body := json_build_object('id', v_id)::text;
    END IF;
END
$$;

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.create_post_once(text, council.post_kind, text, text,
    boolean, boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz, bigint, bigint, text)
    OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.audience_preview(council.post_kind, text, text,
    boolean, boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz, bigint, bigint, text)
    OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
