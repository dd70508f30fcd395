-- policy/98_correlation.sql: correlation under scope (issue 15 item 5;
-- engineering notes "Why the database enforces who sees what": MISP's
-- CVE-2020-14969 leaked the correlation metadata of attributes the reader
-- could not reach).  Re-applied by "councilctl migrate".  No table of its
-- own: the indicators are council.post_indicators (migrations/0008_feed.sql,
-- filled by the triggers of policy/62_feed.sql).
--
-- The rule (R-SCOPE-1, R-SCOPE-2, R-SCOPE-3, R-SCOPE-4, R-SECRET-2,
-- R-ORG-6): a correlation is a pair of posts that share an indicator (the
-- same kind and normalised value).  It is shown to a person only when the
-- person reads BOTH posts, and it is decided the only way a read is
-- decided: by reading post_indicators as that person, through its policy
-- post_indicators_visible (62), which is the posts' own rule (41).  Nothing
-- here is SECURITY DEFINER except the one INSERT of a notification, which
-- is told nothing but "the caller's own post has a match the caller
-- reads".  So:
--   * there is no count of all matches anywhere: no definer query looks at
--     posts the reader cannot read, and no answer carries a number that
--     includes them (the notification names the post, never a count; the
--     lists are the visible posts themselves);
--   * a post the reader cannot read answers exactly like an absent one
--     (CP404 post_not_found), whatever it correlates with;
--   * reading a correlated post's indicators is reading that post: audited
--     like any read of its body (post.read.secret for a secret,
--     post.read.coordinator outside the coordinator's scope, 41).
--
-- What it is made of:
--   council.post_correlations(p)     (other post, kind, value) rows, as the
--                                    caller reads them
--   council.correlation_any(p, kinds, values)   whether the caller reads
--                                    another post with one of these
--                                    indicators (the notification's test)
--   council.post_correlations_json(p)   GET /api/v1/posts/N/correlations
--   council.correlation_list(p)      the post page's section (pages/
--                                    correlation.c), one row per shared value
--   council.correlations_on_insert() the trigger: a post's new indicators
--                                    matching a post its author reads tell
--                                    the author (post.correlation)
--   council.correlation_notify(p)    the one definer step: the notification

-- The indicators post p shares with other posts, as the caller reads both:
-- one row per (other post, kind, value).  Both sides are read through
-- post_indicators' policy, so a post p the caller does not read gives no
-- row, and neither does any post the caller does not read.
CREATE OR REPLACE FUNCTION council.post_correlations(p bigint)
    RETURNS TABLE (post_id bigint, kind council.indicator_kind, value text)
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, council
AS $$
    SELECT DISTINCT o.post_id, o.kind, o.value
    FROM council.post_indicators m
    JOIN council.post_indicators o ON o.value = m.value AND o.kind = m.kind
    WHERE m.post_id = p AND o.post_id <> p
$$;

-- Whether the caller reads a post other than p_post that has one of the
-- indicators (p_kinds[i], p_values[i]).  The indicators are given, not
-- read, because a post being written has no audience yet (its author does
-- not read it through post_indicators until create_post is done); the
-- other posts are read through post_indicators' policy, as the caller.
-- Invoker's rights: council_writer inside create_post, under the author's
-- session.
CREATE OR REPLACE FUNCTION council.correlation_any(p_post bigint,
    p_kinds council.indicator_kind[], p_values text[])
    RETURNS boolean
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (
        SELECT 1
        FROM unnest(p_kinds, p_values) n (kind, value)
        JOIN council.post_indicators o ON o.value = n.value AND o.kind = n.kind
        WHERE o.post_id <> p_post)
$$;

-- The one definer step: tell the author of post p, the caller, that its
-- post shares indicators with posts it reads (the caller found that, as
-- itself, with correlation_any).  Nothing is told but the caller's own
-- post's number: no count, no other post, no value; the page and the API
-- compute the list when they are read, as the reader.  Once per post
-- (dedupe "post.correlation:p").  Visible, and mailed, only while the
-- author reads p (notifications_own, mail_claim: person_sees_post).  Does
-- nothing for a post the caller did not write.  Callable by council_writer
-- only (the trigger below runs as it inside create_post).
CREATE OR REPLACE FUNCTION council.correlation_notify(p bigint) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me  bigint := council.current_person_id();
    n     integer;
BEGIN
    IF v_me IS NULL OR NOT EXISTS (SELECT 1 FROM council.post_authors a
                                   WHERE a.post_id = p AND a.person_id = v_me) THEN
        RETURN 0;
    END IF;
    INSERT INTO council.notifications (person_id, kind, subject_ja, subject_en, link,
        dedupe, post_id)
    VALUES (v_me, 'post.correlation',
        format('相関: 投稿 #%s の指標が、閲覧できる他の投稿にもあります', p),
        format('Correlation: indicators of post #%s appear in other posts you can read', p),
        '/posts/' || p, 'post.correlation:' || p, p)
    ON CONFLICT (person_id, dedupe) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- After indicators are added (a post's title, its body: 62's triggers
-- inside create_post, and every other writer of posts), for each post whose
-- author is the caller: if another post the caller reads has one of them,
-- tell the caller (correlation_notify).  Invoker's rights: the test reads as
-- the author.  Only when the insert runs as a role under the caller's
-- policies (council_writer, inside create_post; council_app): as any other
-- role (the owner, the superuser, a definer that reads everything) the test
-- could see posts the author cannot, so nothing is told.  No session (a
-- bulk load, the matrix's raw rows): nothing.
CREATE OR REPLACE FUNCTION council.correlations_on_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  record;
BEGIN
    IF current_user NOT IN ('council_writer', 'council_app')
       OR council.current_person_id() IS NULL THEN
        RETURN NULL;
    END IF;
    FOR x IN SELECT n.post_id, array_agg(n.kind) AS kinds, array_agg(n.value) AS vals
             FROM added n GROUP BY n.post_id ORDER BY n.post_id
    LOOP
        IF council.correlation_any(x.post_id, x.kinds, x.vals) THEN
            PERFORM council.correlation_notify(x.post_id);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS correlations ON council.post_indicators;
CREATE TRIGGER correlations AFTER INSERT ON council.post_indicators
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION council.correlations_on_insert();

-- The post page's section "相関 / Correlations" (pages/correlation.c): the
-- posts the caller reads that share an indicator with post p, newest first,
-- at most 200 posts, one row per shared (kind, value), as the caller reads
-- the other post (title, kind, time).  Nothing for a post the caller does
-- not read.
CREATE OR REPLACE FUNCTION council.correlation_list(p bigint)
    RETURNS TABLE (post_id bigint, title text, post_kind council.post_kind,
                   created_at timestamptz, kind council.indicator_kind, value text)
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, council
AS $$
    WITH c AS (SELECT * FROM council.post_correlations(p)),
    top AS (SELECT DISTINCT c.post_id FROM c ORDER BY c.post_id DESC LIMIT 200)
    SELECT x.id, x.title, x.kind, x.created_at, c.kind, c.value
    FROM top
    JOIN council.posts x ON x.id = top.post_id
    JOIN c ON c.post_id = top.post_id
    ORDER BY x.id DESC, c.kind, c.value
$$;

-- GET /api/v1/posts/N/correlations: {"post": N, "correlations": [{"post",
-- "title", "kind", "created_at", "shared": [{"kind", "value"}]}]}, newest
-- first, at most 200 posts.  A post the caller does not read is CP404
-- post_not_found, like an absent one; the answer for a post it reads is
-- the same whether or not hidden posts share its indicators.
CREATE OR REPLACE FUNCTION council.post_correlations_json(p bigint) RETURNS json
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF p IS NULL OR NOT EXISTS (SELECT 1 FROM council.posts x WHERE x.id = p) THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN json_build_object('post', p,
        'correlations', coalesce((
            SELECT json_agg(json_build_object('post', g.post_id, 'title', g.title,
                       'kind', g.post_kind, 'created_at', g.created_at,
                       'shared', g.shared) ORDER BY g.post_id DESC)
            FROM (SELECT l.post_id, l.title, l.post_kind, l.created_at,
                         json_agg(json_build_object('kind', l.kind, 'value', l.value)
                                  ORDER BY l.kind, l.value) AS shared
                  FROM council.correlation_list(p) l
                  GROUP BY l.post_id, l.title, l.post_kind, l.created_at) g), '[]'));
END
$$;

-- The JSON API's row, through the door (policy/15_api.sql, api_call):
-- {"id": N} → 200 post_correlations_json(N).
CREATE OR REPLACE FUNCTION council.api__post_correlations(r jsonb,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    status := 200;
    body := council.post_correlations_json((r->>'id')::bigint)::text;
END
$$;

-- councild's entry (pages/correlation.c).
CREATE OR REPLACE FUNCTION council.api_post_correlations(p_post bigint,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('post_correlations',
    jsonb_build_object('id', p_post)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.correlation_notify(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.correlation_notify(bigint),
    council.correlations_on_insert() FROM PUBLIC;
-- Only the writers (inside create_post and the other writers of posts,
-- through the trigger) tell an author.
GRANT EXECUTE ON FUNCTION council.correlation_notify(bigint) TO council_writer;
