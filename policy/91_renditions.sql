-- policy/91_renditions.sql: one analysis, tiered renditions (issue 14
-- item 1; R-NEW-1, basic policy ch. 4 §3).  Re-applied by "councilctl
-- migrate".  Errors: MESSAGE a stable code, SQLSTATE class CP (see
-- 42_sharing_writes.sql).
--
-- Each rendition is a post of kind analysis, made by council.create_post
-- with its own scope and secrecy, so that who reads it is decided by the
-- posts' rules and nothing else (41_sharing_policies.sql).  The link
-- between the renditions (council.post_renditions) is read by the
-- author's organisation and the coordinator only.  A reader:
--   - finds in the feed and in search only the richest rendition it sees
--     (council.rendition_superseded, used by 62_feed.sql and
--     66_search.sql), and is sent to it from a poorer one's page
--     (council.rendition_richest, pages/post.c);
--   - is served nothing that names the analysis or another rendition: a
--     rendition's page, API answer, replies, attachments and counts are
--     those of a post without renditions; an id it does not see answers
--     like an absent one (the posts' rule).
-- Who writes an analysis: the government's analysts and the coordinator
-- (council.asset_oversees: the coordinator's handlers and administrator,
-- or a government analyst of a member national agency).

-- R-NEW-1: the caller writes analyses in renditions.
CREATE OR REPLACE FUNCTION council.rendition_may_write() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$ SELECT council.asset_oversees() $$;

-- Signed in (else CP401) and one who writes renditions (else CP403): the
-- first check of create_analysis and analysis_preview.
CREATE OR REPLACE FUNCTION council.rendition_require_writer() RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.rendition_may_write() THEN
        RAISE EXCEPTION 'only_analysts_write_renditions' USING ERRCODE = 'CP403';
    END IF;
END
$$;

-- R-NEW-1: the caller's organisation wrote analysis a, or the caller is
-- the coordinator: it may know the analysis's renditions.
CREATE OR REPLACE FUNCTION council.rendition_owner(a bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (SELECT 1 FROM council.me m, council.analyses x
                   WHERE x.id = a AND m.person_id IS NOT NULL
                     AND (x.org_id = m.org_id OR m.is_coordinator))
$$;

-- R-NEW-1: post p is a rendition the caller sees, and the caller sees a
-- richer rendition of the same analysis (so p is not shown in lists: the
-- richer one is).  False for every other post, and for a post the caller
-- does not see (a hidden id tells nothing, not even that it is a poorer
-- rendition).  Callers test the kind first (analysis), so that a list
-- pays for this only on analyses.
CREATE OR REPLACE FUNCTION council.rendition_superseded(p bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (SELECT 1 FROM council.post_renditions r
                   JOIN council.post_renditions h
                     ON h.analysis_id = r.analysis_id AND h.tier > r.tier
                   WHERE r.post_id = p AND council.current_sees_post(h.post_id))
       AND council.current_sees_post(p)
$$;

-- R-NEW-1: the richest rendition of p's analysis the caller sees: p
-- itself for a post that is not a rendition, that the caller does not
-- see, or when the caller is the author's organisation or the
-- coordinator (they open every rendition; the renditions section links
-- them).
CREATE OR REPLACE FUNCTION council.rendition_richest(p bigint) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce((
        SELECT h.post_id FROM council.post_renditions r
        JOIN council.post_renditions h ON h.analysis_id = r.analysis_id AND h.tier > r.tier
        WHERE r.post_id = p AND council.current_sees_post(p)
          AND NOT council.rendition_owner(r.analysis_id)
          AND council.current_sees_post(h.post_id)
        ORDER BY h.tier DESC LIMIT 1), p)
$$;

-- The renditions given to create_analysis and analysis_preview, checked:
-- an array of 1 to 3 objects {tier, title, body, secret, comms_info,
-- scope, exclusions, publish}, each tier once, richest first.
-- R-NEW-1: communications information only in the full rendition; a
-- rendition for awareness holds no secret and is the only one published.
CREATE OR REPLACE FUNCTION council.rendition_args(p jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    e     jsonb;
    k     text;
    v_t   council.rendition_tier;
    seen  council.rendition_tier[] := '{}';
BEGIN
    IF jsonb_typeof(p) IS DISTINCT FROM 'array'
       OR jsonb_array_length(p) NOT BETWEEN 1 AND 3 THEN
        RAISE EXCEPTION 'invalid_renditions' USING ERRCODE = 'CP422';
    END IF;
    FOR e IN SELECT x FROM jsonb_array_elements(p) x LOOP
        IF jsonb_typeof(e) IS DISTINCT FROM 'object' THEN
            RAISE EXCEPTION 'invalid_renditions' USING ERRCODE = 'CP422';
        END IF;
        FOR k IN SELECT jsonb_object_keys(e) LOOP
            IF NOT k = ANY (ARRAY['tier', 'title', 'body', 'secret', 'comms_info',
                                  'scope', 'exclusions', 'publish']) THEN
                RAISE EXCEPTION 'unknown_field' USING ERRCODE = 'CP422', DETAIL = 'field=' || k;
            END IF;
        END LOOP;
        IF NOT coalesce(e->>'tier', '') = ANY (ARRAY['awareness', 'provision', 'full']) THEN
            RAISE EXCEPTION 'invalid_tier' USING ERRCODE = 'CP422';
        END IF;
        v_t := (e->>'tier')::council.rendition_tier;
        IF v_t = ANY (seen) THEN
            RAISE EXCEPTION 'tier_twice' USING ERRCODE = 'CP422';
        END IF;
        seen := seen || v_t;
        IF jsonb_typeof(e->'secret') IS DISTINCT FROM 'boolean' THEN   -- R-SECRET-1
            RAISE EXCEPTION 'secret_declaration_required' USING ERRCODE = 'CP422';
        END IF;
        IF coalesce(jsonb_typeof(e->'comms_info'), 'boolean') <> 'boolean'
           OR coalesce(jsonb_typeof(e->'publish'), 'boolean') <> 'boolean'
           OR coalesce(jsonb_typeof(e->'title'), 'string') <> 'string'
           OR coalesce(jsonb_typeof(e->'body'), 'string') <> 'string'
           OR coalesce(jsonb_typeof(e->'scope'), 'array') NOT IN ('array', 'null')
           OR coalesce(jsonb_typeof(e->'exclusions'), 'array') NOT IN ('array', 'null') THEN
            RAISE EXCEPTION 'invalid_renditions' USING ERRCODE = 'CP422';
        END IF;
        -- R-NEW-1: a rendition for awareness is for every member and
        -- publishable: writing a secret into it is refused.
        IF v_t = 'awareness' AND (e->>'secret')::boolean THEN
            RAISE EXCEPTION 'awareness_rendition_not_secret' USING ERRCODE = 'CP422';
        END IF;
        -- R-NEW-1: communications information only in the full rendition.
        IF v_t <> 'full' AND coalesce((e->>'comms_info')::boolean, false) THEN
            RAISE EXCEPTION 'communications_info_only_in_full' USING ERRCODE = 'CP422';
        END IF;
        IF v_t <> 'awareness' AND coalesce((e->>'publish')::boolean, false) THEN
            RAISE EXCEPTION 'only_awareness_is_published' USING ERRCODE = 'CP422';
        END IF;
    END LOOP;
    -- Richest first, so that a poorer rendition's id is never lower.
    RETURN (SELECT jsonb_agg(x ORDER BY (x->>'tier')::council.rendition_tier DESC)
            FROM jsonb_array_elements(p) x);
END
$$;

-- R-NEW-1: writes analysis p_renditions (rendition_args) as one post per
-- rendition (council.create_post: every rule of a post holds for each),
-- all or nothing, and links them.  A second call with the same p_key by
-- the same person returns the first answer.  Returns {"analysis": id,
-- "renditions": {tier: post id}}.
CREATE OR REPLACE FUNCTION council.create_analysis(p_renditions jsonb,
    p_key text DEFAULT NULL) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    v_a       bigint;
    v_post    bigint;
    v_out     jsonb := '{}';
    e         jsonb;
BEGIN
    PERFORM council.rendition_require_writer();
    IF p_key IS NOT NULL AND p_key !~ '^[A-Za-z0-9_-]{16,64}$' THEN
        RAISE EXCEPTION 'invalid_key' USING ERRCODE = 'CP422';
    END IF;
    IF p_key IS NOT NULL THEN
        SELECT x.id INTO v_a FROM council.analyses x
        WHERE x.person_id = v_person AND x.submit_key = p_key;
        IF v_a IS NOT NULL THEN
            SELECT jsonb_object_agg(r.tier, r.post_id) INTO v_out
            FROM council.post_renditions r WHERE r.analysis_id = v_a;
            RETURN jsonb_build_object('analysis', v_a, 'renditions', v_out);
        END IF;
    END IF;
    p_renditions := council.rendition_args(p_renditions);
    INSERT INTO council.analyses (org_id, person_id, submit_key)
    VALUES (council.current_org_id(), v_person, p_key) RETURNING id INTO v_a;
    FOR e IN SELECT x FROM jsonb_array_elements(p_renditions) x LOOP
        v_post := council.create_post(p_kind => 'analysis', p_title => e->>'title',
            p_body => e->>'body', p_is_secret => (e->>'secret')::boolean,
            p_scope => nullif(e->'scope', 'null'),
            p_exclusions => coalesce(nullif(e->'exclusions', 'null'), '[]'));
        INSERT INTO council.post_renditions (post_id, analysis_id, tier, comms_info,
            published_at, published_by)
        VALUES (v_post, v_a, (e->>'tier')::council.rendition_tier,
            coalesce((e->>'comms_info')::boolean, false),
            CASE WHEN (e->>'publish')::boolean THEN now() END,
            CASE WHEN (e->>'publish')::boolean THEN v_person END);
        v_out := v_out || jsonb_build_object(e->>'tier', v_post);
        -- R-NEW-1: the feed rows, written by create_post before the
        -- link, say it is a rendition (migration 0043).
        UPDATE council.feed_items f SET rendition = true
        FROM council.post_audience a
        WHERE a.post_id = v_post AND f.org_id = a.org_id AND f.post_id = a.post_id;
    END LOOP;
    -- R-NEW-1: whoever is told of a richer rendition is not told of a
    -- poorer one too (each post told its own audience, create_post).
    DELETE FROM council.notifications n
    USING council.post_renditions r
    WHERE r.analysis_id = v_a AND n.post_id = r.post_id
      AND EXISTS (SELECT 1 FROM council.post_renditions h
                  WHERE h.analysis_id = v_a AND h.tier > r.tier
                    AND council.person_sees_post(n.person_id, h.post_id));
    PERFORM council.audit('analysis.create', 'analysis', v_a, jsonb_build_object(
        'renditions', v_out));
    RETURN jsonb_build_object('analysis', v_a, 'renditions', v_out);
END
$$;

-- R-NEW-1: the author's preview: per rendition, who will read it (as
-- council.audience_preview answers for one post), nothing stored.
CREATE OR REPLACE FUNCTION council.analysis_preview(p_renditions jsonb) RETURNS json
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    PERFORM council.rendition_require_writer();
    p_renditions := council.rendition_args(p_renditions);
    RETURN (SELECT json_agg(json_build_object('tier', e->>'tier',
                'readers', council.audience_preview('analysis', e->>'title', e->>'body',
                    (e->>'secret')::boolean, false, nullif(e->'scope', 'null'),
                    coalesce(nullif(e->'exclusions', 'null'), '[]'))))
            FROM jsonb_array_elements(p_renditions) e);
END
$$;

-- R-NEW-1: publishes (or withdraws from) the public page the rendition
-- for awareness p.  The author's organisation (its handlers and
-- administrator) or the coordinator; p hidden or not a rendition: like an
-- absent post.
CREATE OR REPLACE FUNCTION council.rendition_publish(p bigint, p_publish boolean)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.post_renditions;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT r.* INTO v FROM council.post_renditions r WHERE r.post_id = p;
    IF v.post_id IS NULL OR NOT council.current_sees_post(p)
       OR NOT council.rendition_owner(v.analysis_id) THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF NOT council.incident_may_touch() THEN
        RAISE EXCEPTION 'handler_or_admin_only' USING ERRCODE = 'CP403';
    END IF;
    IF v.tier <> 'awareness' THEN
        RAISE EXCEPTION 'only_awareness_is_published' USING ERRCODE = 'CP422';
    END IF;
    IF p_publish IS NULL THEN
        RAISE EXCEPTION 'invalid_publish' USING ERRCODE = 'CP422';
    END IF;
    IF (v.published_at IS NOT NULL) = p_publish THEN
        RAISE EXCEPTION 'nothing_changes' USING ERRCODE = 'CP409';
    END IF;
    UPDATE council.post_renditions
    SET published_at = CASE WHEN p_publish THEN now() END,
        published_by = CASE WHEN p_publish THEN council.current_person_id() END
    WHERE post_id = p;
    PERFORM council.audit(CASE WHEN p_publish THEN 'analysis.publish'
                          ELSE 'analysis.unpublish' END, 'post', p, '{}');
END
$$;

-- R-NEW-1: the renditions of p's analysis, for the author's organisation
-- and the coordinator only (NULL for everyone else, and for a post that is
-- not a rendition): tier, post, title, secrecy, communications
-- information, published, and how many organisations read it.
CREATE OR REPLACE FUNCTION council.analysis_renditions(p bigint) RETURNS json
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT json_agg(json_build_object('tier', h.tier, 'post', h.post_id,
                'title', x.title, 'secret', x.is_secret, 'comms_info', h.comms_info,
                'published', h.published_at IS NOT NULL, 'current', h.post_id = p,
                'readers', (SELECT count(*) FROM council.post_audience a
                            WHERE a.post_id = h.post_id))
            ORDER BY h.tier DESC)
    FROM council.post_renditions r
    JOIN council.post_renditions h ON h.analysis_id = r.analysis_id
    JOIN council.posts x ON x.id = h.post_id
    WHERE r.post_id = p AND council.current_sees_post(p)
      AND council.rendition_owner(r.analysis_id)
$$;

-- R-NEW-1: the published renditions for awareness, for anyone without
-- sign-in: newest first, at most 100; with p, that one only (none when it
-- is not published: an absent page).  A rendition for awareness is never
-- secret (rendition_args); the condition is kept here too.
CREATE OR REPLACE FUNCTION council.public_analyses(p bigint DEFAULT NULL) RETURNS json
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce(json_agg(json_strip_nulls(json_build_object('id', x.id, 'title', x.title,
                'body', CASE WHEN p IS NOT NULL THEN b.body END,
                'org_ja', o.name_ja, 'org_en', o.name_en,
                'published_at', to_char(r.published_at AT TIME ZONE 'Asia/Tokyo',
                                        'YYYY-MM-DD')))
            ORDER BY r.published_at DESC, x.id DESC), '[]')
    FROM (SELECT * FROM council.post_renditions r0
          WHERE r0.published_at IS NOT NULL AND r0.tier = 'awareness'
            AND (p IS NULL OR r0.post_id = p)
          ORDER BY r0.published_at DESC LIMIT 100) r
    JOIN council.posts x ON x.id = r.post_id AND NOT x.is_secret
    JOIN council.post_bodies b ON b.post_id = x.id
    JOIN council.post_authors a ON a.post_id = x.id
    JOIN council.organisations o ON o.id = a.org_id
$$;

CREATE POLICY analyses_owner ON council.analyses FOR SELECT
    TO council_app, council_writer USING (council.rendition_owner(id));
CREATE POLICY post_renditions_owner ON council.post_renditions FOR SELECT
    TO council_app, council_writer USING (council.rendition_owner(analysis_id));
-- The feed and search, run as council_writer (62_feed.sql, 66_search.sql),
-- find whether a post is a rendition by one probe, before they ask
-- rendition_superseded; council_writer has no login and is nobody's role
-- but the owner's (deploy/pg.sh), so no caller reads this way.
CREATE POLICY post_renditions_writer ON council.post_renditions FOR SELECT
    TO council_writer USING (true);

-- The JSON API's rows, through the door (policy/15_api.sql):
-- POST /api/v1/analyses {"renditions": [...]} (201 {analysis, renditions});
-- POST /api/v1/analyses/preview {"renditions": [...]} (200, per tier);
-- POST /api/v1/posts/N/publish {"publish": true|false}.
CREATE OR REPLACE FUNCTION council.api__analysis(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF r->>'what' = 'publish' THEN
        a := council.api_args(r->>'body', '{"publish": "boolean"}');
        PERFORM council.rendition_publish((r->>'id')::bigint, (a->>'publish')::boolean);
        status := 200;
        body := json_build_object('id', (r->>'id')::bigint,
            'published', (a->>'publish')::boolean)::text;
        RETURN;
    END IF;
    a := council.api_args(r->>'body', '{"renditions": "array"}');
    IF r->>'what' = 'preview' THEN
        status := 200;
        body := json_build_object('renditions',
            council.analysis_preview(a->'renditions'))::text;
    ELSIF r->>'what' = 'create' THEN
        status := 201;
        body := council.create_analysis(a->'renditions', r->>'key')::text;
    ELSE
        RAISE EXCEPTION 'api__analysis: % is not a call', r->>'what';
    END IF;
END
$$;

-- councild's entry (routes.c, pages/analysis.c: the composer passes its
-- submit key).
CREATE OR REPLACE FUNCTION council.api_analysis(p_what text, p_id bigint, p_body text,
    p_key text DEFAULT NULL, OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('analysis',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body, 'key', p_key)) $$;

-- GET /api/v1/posts/N/renditions (council.api_read): the renditions of
-- N's analysis for its author's organisation and the coordinator; for
-- anyone else, and for a post that is no rendition, the absent post's 404.
CREATE OR REPLACE FUNCTION council.rendition_list(p bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  json := council.analysis_renditions(p);
BEGIN
    IF v IS NULL THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN json_build_object('renditions', v);
END
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.rendition_may_write() OWNER TO council_definer;
ALTER FUNCTION council.rendition_owner(bigint) OWNER TO council_definer;
ALTER FUNCTION council.rendition_superseded(bigint) OWNER TO council_definer;
ALTER FUNCTION council.rendition_richest(bigint) OWNER TO council_definer;
ALTER FUNCTION council.create_analysis(jsonb, text) OWNER TO council_definer;
ALTER FUNCTION council.analysis_preview(jsonb) OWNER TO council_definer;
ALTER FUNCTION council.rendition_publish(bigint, boolean) OWNER TO council_definer;
ALTER FUNCTION council.analysis_renditions(bigint) OWNER TO council_definer;
ALTER FUNCTION council.public_analyses(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
