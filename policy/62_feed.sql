-- policy/62_feed.sql: the member feed's filters, unread marks and scope
-- summaries (issue 4); search is policy/66_search.sql.  Tables:
-- migrations/0008_feed.sql.
-- Re-applied by "councilctl migrate".
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- Nothing here widens what anyone sees: the feed returns
-- rows of council.posts read as the caller through its policies
-- (41_sharing_policies.sql), or, for a member, the same rows from the feed
-- index council.feed_items through its policy (67_feed_index.sql, the
-- posts policies' conditions on the row itself).  Where a helper must read more than the caller (a filter
-- looking at rows without an audit row for each; a scope summary without
-- an audit row per scope row), it is a SECURITY DEFINER function that
-- either answers only for a post the caller sees (council.current_sees_post,
-- the posts' own rule) or is callable only from council.feed_filtered,
-- whose answers pass the posts' policies again (council.post_candidates).

------------------------------------------------------------------------
-- Indicators: filled when a post is written.
------------------------------------------------------------------------

-- The title (a trigger on posts) and the body (a trigger on post_bodies)
-- each add their indicators (council.indicators_extract, 0008).  Invoker
-- rights: inside council.create_post that is council_writer, under the
-- insert policy below; a bulk load as the owner or the superuser fills
-- them too.
CREATE OR REPLACE FUNCTION council.indicators_on_post() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, council
AS $$
BEGIN
    INSERT INTO council.post_indicators (post_id, kind, value)
    SELECT NEW.id, x.kind, x.value FROM council.indicators_extract(NEW.title) x
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION council.indicators_on_body() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, council
AS $$
BEGIN
    INSERT INTO council.post_indicators (post_id, kind, value)
    SELECT NEW.post_id, x.kind, x.value FROM council.indicators_extract(NEW.body) x
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS indicators ON council.posts;
CREATE TRIGGER indicators AFTER INSERT ON council.posts
    FOR EACH ROW EXECUTE FUNCTION council.indicators_on_post();
DROP TRIGGER IF EXISTS indicators ON council.post_bodies;
CREATE TRIGGER indicators AFTER INSERT ON council.post_bodies
    FOR EACH ROW EXECUTE FUNCTION council.indicators_on_body();

------------------------------------------------------------------------
-- Policies.
------------------------------------------------------------------------

-- Unread marks: one's own only.
CREATE POLICY post_reads_own ON council.post_reads FOR SELECT
    TO council_app, council_writer
    USING (person_id = (SELECT me.person_id FROM council.me));
-- Written by council.mark_read only: for the caller, of a post it sees.
CREATE POLICY post_reads_insert ON council.post_reads FOR INSERT TO council_writer
    WITH CHECK (person_id = (SELECT me.person_id FROM council.me)
                AND council.current_sees_post(post_id));

-- Indicators come from the body and the title: visible exactly as the
-- body is (post_bodies_visible, 41_sharing_policies.sql), secrets included (R-SECRET-2),
-- and reading them counts as opening the post (audited for secrets and
-- for the coordinator outside its scope).
CREATE POLICY post_indicators_visible ON council.post_indicators FOR SELECT
    TO council_app, council_writer
    USING (EXISTS (SELECT 1 FROM council.posts p WHERE p.id = post_indicators.post_id)
           AND council.audit_post_read(post_id, true));
-- Written only by the triggers above, in council.create_post, for a
-- signed-in caller (as posts_insert).  The post has no audience yet at that
-- moment, so the check cannot be "the caller sees the post".
CREATE POLICY post_indicators_insert ON council.post_indicators FOR INSERT
    TO council_writer
    WITH CHECK ((SELECT me.person_id FROM council.me) IS NOT NULL);

------------------------------------------------------------------------
-- Unread.
------------------------------------------------------------------------

-- The caller opened post p.  A post the caller cannot see fails exactly
-- like one that does not exist (CP404 post_not_found); marking twice keeps
-- the first time.  Owned by council_writer.
CREATE OR REPLACE FUNCTION council.mark_read(p bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person bigint := council.current_person_id();
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF p IS NULL OR NOT council.current_sees_post(p) THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    INSERT INTO council.post_reads (person_id, post_id) VALUES (v_person, p)
    ON CONFLICT DO NOTHING;
    -- Issue 17: and the caller's notifications about it are read.
    PERFORM council.notifications_seen(p);
END
$$;

------------------------------------------------------------------------
-- Scope summary (docs/sharing.md: post_scope, post_exclusions).
------------------------------------------------------------------------

-- What post p's scope names, as codes and counts for the page to put into
-- words (po/*.po feed.scope.*), in this order:
--   reply                     a reply: its thread's scope (nothing else follows)
--   none                      no designated scope (R-SCOPE-5: every member)
--   class:<audience_class>    all_members, task_force, type1_group, type2, coordinator
--   sector:<code>             the operators of a sector
--   category:<org_category>   every organisation of a category
--   orgs:<n>                  n named organisations
--   groups:<n>                n named groups
--   excluded:orgs:<n>         n organisations excluded by name
--   excluded:supervisors      the supervisors of the author's sector (R-SCOPE-2)
--   excluded:investigative    the investigative bodies (R-SCOPE-2)
-- NULL for a post the caller cannot see (hidden and absent alike).  A
-- definer function guarded by current_sees_post, so that reading the scope
-- rows writes no audit row of its own (post_scope's policy reads posts,
-- which audits the coordinator's reads outside its scope once per row).
CREATE OR REPLACE FUNCTION council.scope_summary_compute(p bigint) RETURNS text[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v council.posts;
BEGIN
    SELECT * INTO v FROM council.posts WHERE id = p;
    IF v.parent_id IS NOT NULL THEN
        RETURN ARRAY['reply'];
    END IF;
    RETURN ARRAY(
        SELECT x.t FROM (
            SELECT 0 AS o, 0 AS k, 'none' AS t WHERE NOT v.scope_designated
            UNION ALL
            SELECT 1, array_position(enum_range(NULL::council.audience_class), s.class),
                   'class:' || s.class::text
            FROM council.post_scope s
            WHERE s.post_id = p AND s.class NOT IN ('sector', 'category')
            GROUP BY s.class
            UNION ALL
            SELECT 2, 0, 'sector:' || sc FROM (SELECT DISTINCT s.sector_code AS sc
                FROM council.post_scope s WHERE s.post_id = p AND s.class = 'sector') q
            UNION ALL
            SELECT 3, 0, 'category:' || c FROM (SELECT DISTINCT s.category::text AS c
                FROM council.post_scope s WHERE s.post_id = p AND s.class = 'category') q
            UNION ALL
            SELECT 4, 0, 'orgs:' || count(*) FROM council.post_scope s
            WHERE s.post_id = p AND s.org_id IS NOT NULL HAVING count(*) > 0
            UNION ALL
            SELECT 5, 0, 'groups:' || count(*) FROM council.post_scope s
            WHERE s.post_id = p AND s.group_id IS NOT NULL HAVING count(*) > 0
            UNION ALL
            SELECT 6, 0, 'excluded:orgs:' || count(*) FROM council.post_exclusions e
            WHERE e.post_id = p AND e.kind = 'org' HAVING count(*) > 0
            UNION ALL
            SELECT 7, 0, 'excluded:supervisors' WHERE EXISTS (
                SELECT 1 FROM council.post_exclusions e
                WHERE e.post_id = p AND e.kind = 'supervisors')
            UNION ALL
            SELECT 8, 0, 'excluded:investigative' WHERE EXISTS (
                SELECT 1 FROM council.post_exclusions e
                WHERE e.post_id = p AND e.kind = 'investigative')
        ) x ORDER BY x.o, x.k, x.t);
END
$$;

-- The summary of a post the caller sees (NULL otherwise).
CREATE OR REPLACE FUNCTION council.scope_summary(p bigint) RETURNS text[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF NOT council.current_sees_post(p) THEN
        RETURN NULL;
    END IF;
    RETURN council.scope_summary_compute(p);
END
$$;

-- Keep post p's scope_summary (0014) true: called by create_post and
-- widen_scope after they write the scope.  It only recomputes what the
-- rows say, so it can do no harm whoever calls it; council_writer only.
CREATE OR REPLACE FUNCTION council.scope_summary_refresh(p bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    UPDATE council.posts SET scope_summary = council.scope_summary_compute(p)
    WHERE id = p;
END
$$;

-- The newest posts the caller may see, newest first, before an id.  The
-- policies select the rows.  For a member (and the secretariat, whose feed
-- is its own posts), one backward range scan of feed_items_pkey for its
-- organisation (the policy feed_items_member, 67_feed_index.sql, gives the
-- index condition), LIMIT p_limit: the rows are the posts' own, copied
-- with the audience (migration 0023), so no post is probed and no policy
-- runs a subquery per row; a fixed amount of work whatever the number of
-- posts (bench/feed-db.sh).  The coordinator walks the posts' primary key
-- through posts' policies (R-ORG-6: its reads outside its scope are
-- audited, row by row).
CREATE OR REPLACE FUNCTION council.feed(p_limit integer DEFAULT 50,
    p_before bigint DEFAULT NULL) RETURNS SETOF council.posts
    -- SECURITY DEFINER, owned by council_writer (under the same policies
    -- as council_app): it reads feed_items.rendition, which council_app
    -- may not (migration 0043).
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    -- A page, not the default estimate of 1,000 rows: the callers' joins
    -- are planned for what comes back (bench/http/run.sh).
    ROWS 50
    SET search_path = pg_catalog, council
    -- One plan for every call: its shape does not depend on the arguments,
    -- and planning the policies again at every call (a "custom" plan,
    -- which the plan cache kept choosing) cost five times the execution
    -- (bench/feed-db.sh at 1M posts).
    SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    p_limit := least(greatest(coalesce(p_limit, 50), 1), 200);
    IF council.current_is_coordinator() THEN
        -- R-NEW-1: an analysis's poorer rendition gives way to the
        -- richest one the caller sees (91_renditions.sql); an analysis
        -- costs one probe of post_renditions, the function runs for
        -- renditions only.
        RETURN QUERY SELECT * FROM council.posts p
            WHERE (p_before IS NULL OR p.id < p_before)
              AND NOT (p.kind = 'analysis'
                       AND EXISTS (SELECT 1 FROM council.post_renditions r
                                   WHERE r.post_id = p.id)
                       AND council.rendition_superseded(p.id))
            ORDER BY p.id DESC LIMIT p_limit;
    ELSE
        -- The keyset bound is a plain parameter: under row-level security
        -- only a leakproof condition may be an index condition, and the
        -- planner counts any COALESCE as leaky, which would leave
        -- "post_id < ..." a filter: a page far back would walk every newer
        -- row of the organisation.
        p_before := coalesce(p_before, 9223372036854775807);
        -- The columns of council.posts, in its order.
        RETURN QUERY SELECT f.post_id, f.parent_id, f.kind, f.title,
                f.is_secret, f.confidence, f.scope_designated, f.tlp,
                f.feedback_deadline, f.created_at, f.shown_author_org,
                f.scope_summary
            FROM council.feed_items f
            WHERE f.post_id < p_before
              -- R-NEW-1: the richest rendition the caller sees only
              -- (91_renditions.sql); the row's flag (migration 0043) keeps
              -- the function off every other row.
              AND NOT (f.rendition AND council.rendition_superseded(f.post_id))
            ORDER BY f.post_id DESC LIMIT p_limit;
    END IF;
END
$$;

------------------------------------------------------------------------
-- Candidates: the newest posts the caller may see that pass the filters.
------------------------------------------------------------------------

-- The ids of at most p_limit posts, newest first, older than p_before,
-- that the caller may see by the posts' own rule (41_sharing_policies.sql, as
-- council.current_sees_post: the organisation's audience and its flags,
-- the coordinator, secrets for handlers only; with p_cases, the
-- secretariat's approved access cases too) and that pass every filter
-- given (NULL: none):
--   p_kind, p_tlp     the post's kind, its TLP label
--   p_group           the post's scope names the group
--   p_unread          the caller has not opened it (post_reads)
--   p_pattern         an ILIKE pattern (escaped by the caller) that the
--                     title or the body matches, or else
--   p_values          an indicator of the post equals one of these
-- The statement holds only the conditions asked for and is planned for
-- the values given (EXECUTE).  A member's candidates are one backward
-- range scan of the feed index (migration 0023): feed_items_kind or
-- feed_items_tlp when a kind or a TLP label is asked for (the definer's
-- policy on feed_items is USING (true), so the enum equality is an index
-- condition, 67_feed_index.sql), feed_items_pkey otherwise; a group's
-- posts (post_scope_group_post) and the read marks (post_reads_pkey) are
-- probed for each row: the work is bounded by the organisation's rows,
-- and stops at the limit.  Only a text pattern (unused since search has
-- its own finder) still probes the post (a correlated subquery, kept so
-- by OFFSET 0).
-- The coordinator's are a backward scan of posts, by the partial index of
-- the kind or TLP asked for (posts_kind_*, posts_tlp_*: under row-level
-- security an index on an enum column cannot be searched, since enum
-- equality is not leakproof, but a partial index's predicate can be
-- implied), else by posts_pkey.
--
-- Why a definer function: read through the policies, every row the scan
-- looks at and the filters then drop would be "read": the coordinator's
-- policy audits each post it reads outside its scope, and post_bodies'
-- policy audits each secret body a search looks at as opened.  Here only
-- ids are found; callable by council_writer only (REVOKE below), i.e. from
-- council.feed_filtered, which reads the posts again through their
-- policies: a hidden post never comes out, whatever this function
-- computes.  Search has its own finder (council.search_candidates,
-- 66_search.sql, migration 0022): nothing passes p_pattern, p_values or
-- p_cases any more.
CREATE OR REPLACE FUNCTION council.post_candidates(p_limit integer,
    p_before bigint, p_kind council.post_kind, p_group bigint,
    p_tlp council.tlp, p_unread boolean, p_pattern text, p_values text[],
    p_cases boolean) RETURNS bigint[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v       record;
    v_post  text := '';     -- conditions on the post's own row (x)
    v_rest  text := '';     -- conditions on other tables, by post id (id)
    v_sql   text;
    v_ids   bigint[];
BEGIN
    SELECT * INTO v FROM council.me;
    IF v.person_id IS NULL THEN
        RETURN '{}';
    END IF;
    IF p_kind IS NOT NULL THEN
        v_post := v_post || ' AND x.kind = $3';
    END IF;
    IF p_tlp IS NOT NULL THEN
        v_post := v_post || ' AND x.tlp = $5';
    END IF;
    IF p_pattern IS NOT NULL THEN
        v_post := v_post || ' AND (x.title ILIKE $6'
            ' OR x.id IN (SELECT i.post_id FROM council.post_indicators i'
            ' WHERE i.value = ANY ($7))'
            ' OR EXISTS (SELECT 1 FROM council.post_bodies b'
            ' WHERE b.post_id = x.id AND b.body ILIKE $6))';
    END IF;
    IF p_group IS NOT NULL THEN
        v_rest := v_rest || ' AND EXISTS (SELECT 1 FROM council.post_scope s'
            ' WHERE s.group_id = $4 AND s.post_id = #.id)';
    END IF;
    IF coalesce(p_unread, false) THEN
        v_rest := v_rest || ' AND NOT EXISTS (SELECT 1 FROM council.post_reads r'
            ' WHERE r.person_id = $8 AND r.post_id = #.id)';
    END IF;
    IF v.is_coordinator THEN
        -- R-ORG-6: every post; R-SECRET-2: secrets for handlers only.
        v_sql := 'SELECT x.id FROM council.posts x WHERE x.id < $2'
            ' AND (NOT x.is_secret OR $11)' || v_post || replace(v_rest, '#.', 'x.')
            -- R-NEW-1: the richest rendition only (91_renditions.sql).
            || ' AND NOT (x.kind = ''analysis'' AND EXISTS (SELECT 1 FROM council.post_renditions r'
               ' WHERE r.post_id = x.id) AND council.rendition_superseded(x.id))'
            || ' ORDER BY x.id DESC LIMIT $1';
    ELSE
        -- The audience (R-SCOPE-*, R-ORG-3 via council.me), the receiving
        -- rule (R-RESTRICT-1, R-ORG-8, R-ORG-6) and secrecy (R-SECRET-2/3),
        -- as the policy feed_items_member states them (67_feed_index.sql).
        v_sql := 'SELECT f.post_id AS id FROM council.feed_items f'
            ' WHERE f.org_id = $9 AND f.post_id < $2'
            ' AND (f.is_author OR $10) AND (NOT f.is_secret OR $11)'
            || CASE WHEN p_kind IS NOT NULL THEN ' AND f.kind = $3' ELSE '' END
            || CASE WHEN p_tlp IS NOT NULL THEN ' AND f.tlp = $5' ELSE '' END
            || replace(v_rest, '#.id', 'f.post_id')
            -- R-NEW-1: the richest rendition only (91_renditions.sql).
            || ' AND NOT (f.rendition AND council.rendition_superseded(f.post_id))';
        IF p_pattern IS NOT NULL THEN
            v_sql := v_sql || ' AND EXISTS (SELECT 1 FROM council.posts x'
                ' WHERE x.id = f.post_id' || v_post || ' OFFSET 0)';
        END IF;
        IF coalesce(p_cases, false) AND v.is_secretariat THEN
            -- R-ORG-6: the secretariat's approved, unexpired access cases.
            v_sql := 'SELECT id FROM (' || v_sql
                || ' UNION SELECT x.id FROM council.posts x'
                ' WHERE x.id IN (SELECT council.current_case_post_ids())'
                ' AND x.id < $2 AND (NOT x.is_secret OR $11)' || v_post
                || replace(v_rest, '#.', 'x.')
                || ') c ORDER BY id DESC LIMIT $1';
        ELSE
            v_sql := v_sql || ' ORDER BY f.post_id DESC LIMIT $1';
        END IF;
    END IF;
    EXECUTE 'SELECT ARRAY(' || v_sql || ')' INTO v_ids
        USING p_limit, p_before, p_kind, p_group, p_tlp, p_pattern, p_values,
              v.person_id, v.org_id, v.may_receive, v.may_handle_secrets;
    RETURN v_ids;
END
$$;

------------------------------------------------------------------------
-- The feed, filtered.
------------------------------------------------------------------------

-- The newest posts the caller may see, newest first, before an id, of
-- one kind, one TLP label, naming one group in their scope, and/or not
-- yet opened by the caller.  Without a filter it is council.feed (the
-- benchmarked statement, above), unchanged; with filters,
-- council.feed_filtered.  The rows are council.posts' rows, read as the
-- caller under row-level security (council.feed).
CREATE OR REPLACE FUNCTION council.feed_page(p_limit integer DEFAULT 50,
    p_before bigint DEFAULT NULL, p_kind council.post_kind DEFAULT NULL,
    p_group bigint DEFAULT NULL, p_tlp council.tlp DEFAULT NULL,
    p_unread boolean DEFAULT false) RETURNS SETOF council.posts
    LANGUAGE plpgsql VOLATILE
    ROWS 50                     -- a page (see council.feed)
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_kind IS NULL AND p_group IS NULL AND p_tlp IS NULL
       AND NOT coalesce(p_unread, false) THEN
        RETURN QUERY SELECT * FROM council.feed(p_limit, p_before);
    ELSE
        RETURN QUERY SELECT * FROM council.feed_filtered(p_limit, p_before,
            p_kind, p_group, p_tlp, p_unread);
    END IF;
END
$$;

-- The filtered feed: the candidates (council.post_candidates), read
-- as the caller (council_writer is under the same policies as council_app)
-- through the posts' policies (the coordinator) or the feed index's (a
-- member: feed_items_member, the same rule), so that a hidden post never
-- comes out and the coordinator's reads outside its scope are audited for
-- the posts shown only.  Like council.feed, a secretariat's feed is its own posts
-- (access-case posts are opened by id).  A group the caller cannot see is
-- refused exactly like one that does not exist (CP422 invalid_group); a
-- reply names no group (it inherits its thread's scope), so the group
-- filter finds the posts that name the group, not their replies.  Nobody
-- gets nothing.
CREATE OR REPLACE FUNCTION council.feed_filtered(p_limit integer,
    p_before bigint, p_kind council.post_kind, p_group bigint,
    p_tlp council.tlp, p_unread boolean) RETURNS SETOF council.posts
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_ids  bigint[];
BEGIN
    IF council.current_person_id() IS NULL THEN
        RETURN;
    END IF;
    IF p_group IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM council.groups g WHERE g.id = p_group) THEN
        RAISE EXCEPTION 'invalid_group' USING ERRCODE = 'CP422';
    END IF;
    v_ids := council.post_candidates(least(greatest(coalesce(p_limit, 50), 1), 200),
        coalesce(p_before, 9223372036854775807), p_kind, p_group, p_tlp,
        coalesce(p_unread, false), NULL, NULL, false);
    IF council.current_is_coordinator() THEN
        RETURN QUERY SELECT p.* FROM council.posts p WHERE p.id = ANY (v_ids)
            ORDER BY p.id DESC;
    ELSE
        -- A member's: its feed rows (feed_items_member decides, as the
        -- posts policies would: 67_feed_index.sql), by feed_items_pkey.
        RETURN QUERY SELECT f.post_id, f.parent_id, f.kind, f.title,
                f.is_secret, f.confidence, f.scope_designated, f.tlp,
                f.feedback_deadline, f.created_at, f.shown_author_org,
                f.scope_summary
            FROM council.feed_items f WHERE f.post_id = ANY (v_ids)
            ORDER BY f.post_id DESC;
    END IF;
END
$$;

------------------------------------------------------------------------
-- Owners and grants.
------------------------------------------------------------------------

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.mark_read(bigint) OWNER TO council_writer;
ALTER FUNCTION council.feed(integer, bigint) OWNER TO council_writer;
ALTER FUNCTION council.feed_filtered(integer, bigint, council.post_kind, bigint,
    council.tlp, boolean) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.scope_summary(bigint) OWNER TO council_definer;
ALTER FUNCTION council.scope_summary_compute(bigint) OWNER TO council_definer;
ALTER FUNCTION council.scope_summary_refresh(bigint) OWNER TO council_definer;
ALTER FUNCTION council.post_candidates(integer, bigint, council.post_kind,
    bigint, council.tlp, boolean, text, text[], boolean) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.post_candidates(integer, bigint, council.post_kind,
    bigint, council.tlp, boolean, text, text[], boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.post_candidates(integer, bigint, council.post_kind,
    bigint, council.tlp, boolean, text, text[], boolean) TO council_writer;

REVOKE ALL ON FUNCTION council.scope_summary_compute(bigint),
    council.scope_summary_refresh(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.scope_summary_refresh(bigint) TO council_writer;

-- Posts written before 0014 (or loaded without the write functions) get
-- their summary now, as the definer: in this pass the owner has no policy
-- until policy/90_owner.sql (policy/00_reset.sql).  Returns how many.
CREATE OR REPLACE FUNCTION council.scope_summary_backfill() RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n  bigint;
BEGIN
    UPDATE council.posts SET scope_summary = council.scope_summary_compute(id)
    WHERE scope_summary IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.scope_summary_backfill() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.scope_summary_backfill() FROM PUBLIC;
SELECT council.scope_summary_backfill();
