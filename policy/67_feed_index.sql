-- policy/67_feed_index.sql: the feed index (issue 12 item 1; table:
-- migrations/0023_feed_index.sql): its policy and the triggers that keep
-- it equal to post_audience joined with posts.  Read by council.feed,
-- council.post_candidates and council.feed_filtered (62_feed.sql).
-- Re-applied by "councilctl migrate".
--
-- Invariant: council.feed_items has exactly one row per row of
-- post_audience, holding that row's (org_id, post_id, is_author), its
-- post's secrecy and its post's columns as they are now.  tests/sql/
-- 31_feed_index.sql and the access matrix (tests/matrix/, the "feed"
-- read) check it.

------------------------------------------------------------------------
-- Who reads which row.
------------------------------------------------------------------------

-- The posts policies posts_audience and posts_secret (41_sharing_policies.sql),
-- as conditions on the row itself, so that the planner makes the first an
-- index condition of feed_items_pkey and the others a filter on the row:
-- no subquery per row.  Each (SELECT ... FROM council.me) is one initplan
-- per statement (10_identity.sql); with no live session there is no row of
-- council.me, org_id = NULL matches nothing (R-ORG-3).
-- The coordinator's way in (posts_coordinator: every post, R-ORG-6) and
-- the secretariat's (posts_access_case, R-ORG-6) are not here: through this
-- table they read only their own audience rows, and council.feed gives the
-- coordinator its feed from posts (62_feed.sql).  Nothing in a post's
-- visibility depends on the person beyond council.me's organisation,
-- may_receive and may_handle_secrets, besides those two ways in: private
-- advice (R-SHARE-1) is in the audience itself (40_sharing_audience.sql,
-- step 6a), a registered handler is may_handle_secrets.
CREATE POLICY feed_items_member ON council.feed_items FOR SELECT
    TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me)
           -- R-RESTRICT-1, R-ORG-8, R-ORG-6: a restricted member, a
           -- specified liaison member, the secretariat: only their own posts.
           AND (is_author OR coalesce((SELECT me.may_receive FROM council.me), false))
           -- R-SECRET-2, R-SECRET-3: secrets to registered handlers of
           -- members that did not opt out only, authors included.
           AND (NOT is_secret
                OR coalesce((SELECT me.may_handle_secrets FROM council.me), false)));

-- The filtered feed's finder (council.post_candidates, owned by
-- council_definer) states the same conditions itself.  A second policy
-- USING (true) for the definer folds the policy condition away, so that
-- an enum equality (kind, TLP) may be an index condition there
-- (feed_items_kind, feed_items_tlp): with definer_all's condition left,
-- only leakproof conditions could be (66_search.sql does the same).  It
-- applies to council_definer and its only member, council_owner, who
-- reads every table anyway (90_owner.sql).
CREATE POLICY feed_items_definer ON council.feed_items FOR SELECT
    TO council_definer USING (true);

------------------------------------------------------------------------
-- Keeping it: statement triggers with transition tables.
------------------------------------------------------------------------

-- Audience rows written (council.audience_refresh_post: a post's rows;
-- council.audience_rebuild_orgs: organisations' rows for every post, one
-- INSERT): their feed rows, with the post's columns, in one statement.
-- Deleted rows: their feed rows go, in one statement.  An UPDATE (nobody
-- writes one) is both.  The post's secrecy is taken from posts, as
-- posts_secret reads it.
-- Each statement is EXECUTEd, so planned for this call's transition table,
-- whose size is known then: a post's rows (one to a few thousand) probe
-- the indexes, an organisation's rebuild (a row for every post it
-- receives) may scan.  A plan kept from the first call would serve every
-- later one: measured, a class change at 1M posts took 1,370 s instead of
-- 366 s when the first call's hash join scanned all of posts for every
-- post recomputed.  The posts are looked up once each (OFFSET 0 keeps the
-- lookup a probe of posts_pkey per distinct post, never a scan of posts
-- whose filter the planner cannot estimate under definer_all).
CREATE OR REPLACE FUNCTION council.feed_items_on_audience() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        EXECUTE 'DELETE FROM council.feed_items f USING feed_old o
                 WHERE f.org_id = o.org_id AND f.post_id = o.post_id';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        -- R-NEW-1: a rendition's rows say so (migration 0043).
        EXECUTE 'INSERT INTO council.feed_items (org_id, post_id, is_author, is_secret,
                     parent_id, kind, title, confidence, scope_designated, tlp,
                     feedback_deadline, created_at, shown_author_org, scope_summary,
                     rendition)
                 WITH p AS MATERIALIZED (
                     SELECT x.*, EXISTS (SELECT 1 FROM council.post_renditions r
                                         WHERE r.post_id = x.id) AS rendition
                     FROM (SELECT DISTINCT post_id FROM feed_new) d
                     CROSS JOIN LATERAL (SELECT * FROM council.posts y
                                         WHERE y.id = d.post_id OFFSET 0) x)
                 SELECT n.org_id, n.post_id, n.is_author, p.is_secret,
                        p.parent_id, p.kind, p.title, p.confidence, p.scope_designated,
                        p.tlp, p.feedback_deadline, p.created_at, p.shown_author_org,
                        p.scope_summary, p.rendition
                 FROM feed_new n JOIN p ON p.id = n.post_id
                 ON CONFLICT (org_id, post_id) DO UPDATE
                     SET is_author = EXCLUDED.is_author';
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS feed_items_insert ON council.post_audience;
CREATE TRIGGER feed_items_insert AFTER INSERT ON council.post_audience
    REFERENCING NEW TABLE AS feed_new
    FOR EACH STATEMENT EXECUTE FUNCTION council.feed_items_on_audience();
DROP TRIGGER IF EXISTS feed_items_delete ON council.post_audience;
CREATE TRIGGER feed_items_delete AFTER DELETE ON council.post_audience
    REFERENCING OLD TABLE AS feed_old
    FOR EACH STATEMENT EXECUTE FUNCTION council.feed_items_on_audience();
DROP TRIGGER IF EXISTS feed_items_update ON council.post_audience;
CREATE TRIGGER feed_items_update AFTER UPDATE ON council.post_audience
    REFERENCING OLD TABLE AS feed_old NEW TABLE AS feed_new
    FOR EACH STATEMENT EXECUTE FUNCTION council.feed_items_on_audience();

-- A post's row changed (its scope summary after widen_scope, a feedback
-- deadline, an edit by the owner): its feed rows take the new values, by
-- its audience rows (post_audience_post, then feed_items_pkey).  Posts
-- whose row did not change are skipped.  post_bodies and post_authors
-- hold nothing the feed shows (the author to show is posts.shown_author_org,
-- migration 0014).
CREATE OR REPLACE FUNCTION council.feed_items_on_post() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    -- EXECUTEd for the same reason as above.
    EXECUTE 'UPDATE council.feed_items f
             SET (is_secret, parent_id, kind, title, confidence, scope_designated, tlp,
                  feedback_deadline, created_at, shown_author_org, scope_summary)
               = (n.is_secret, n.parent_id, n.kind, n.title, n.confidence,
                  n.scope_designated, n.tlp, n.feedback_deadline, n.created_at,
                  n.shown_author_org, n.scope_summary)
             FROM feed_new n
             JOIN feed_old o ON o.id = n.id
             JOIN council.post_audience a ON a.post_id = n.id
             WHERE o IS DISTINCT FROM n
               AND f.org_id = a.org_id AND f.post_id = a.post_id';
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS feed_items ON council.posts;
CREATE TRIGGER feed_items AFTER UPDATE ON council.posts
    REFERENCING OLD TABLE AS feed_old NEW TABLE AS feed_new
    FOR EACH STATEMENT EXECUTE FUNCTION council.feed_items_on_post();

-- For a bulk load that bypasses triggers (session_replication_role =
-- replica: bench/feed-posts.sql): the feed rows of posts lo..hi (NULL: no
-- bound) written again from post_audience and posts.  Returns the number
-- of rows written.  The superuser's and the owner's only.
CREATE OR REPLACE FUNCTION council.feed_items_backfill(lo bigint DEFAULT NULL,
    hi bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n bigint;
BEGIN
    DELETE FROM council.feed_items
    WHERE post_id BETWEEN coalesce(lo, 0) AND coalesce(hi, 9223372036854775807);
    INSERT INTO council.feed_items (org_id, post_id, is_author, is_secret,
        parent_id, kind, title, confidence, scope_designated, tlp,
        feedback_deadline, created_at, shown_author_org, scope_summary, rendition)
    SELECT a.org_id, a.post_id, a.is_author, p.is_secret,
           p.parent_id, p.kind, p.title, p.confidence, p.scope_designated,
           p.tlp, p.feedback_deadline, p.created_at, p.shown_author_org,
           p.scope_summary,
           EXISTS (SELECT 1 FROM council.post_renditions r WHERE r.post_id = p.id)
    FROM council.post_audience a JOIN council.posts p ON p.id = a.post_id
    WHERE a.post_id BETWEEN coalesce(lo, 0) AND coalesce(hi, 9223372036854775807)
    ORDER BY a.post_id, a.org_id;     -- post order, as fan-out on write stores them
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.feed_items_on_audience() OWNER TO council_definer;
ALTER FUNCTION council.feed_items_on_post() OWNER TO council_definer;
ALTER FUNCTION council.feed_items_backfill(bigint, bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.feed_items_on_audience(), council.feed_items_on_post(),
    council.feed_items_backfill(bigint, bigint) FROM PUBLIC;
