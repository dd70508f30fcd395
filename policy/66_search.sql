-- policy/66_search.sql: search over what the caller may see (issue 4;
-- without scanning bodies, issue 12 item 4).  Table and index:
-- migrations/0022_search.sql (council.post_search, its gram index, and
-- council.search_norm / search_doc / search_grams, which define the index
-- and so live there).  Re-applied by "councilctl migrate".
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- Nothing here widens what anyone sees.  council.search returns rows of
-- council.posts read through their policies (41_sharing_policies.sql), as
-- the caller; the candidate finder below, a SECURITY DEFINER function,
-- only proposes ids, computed by the posts' own rule.  It reads the
-- searchable text as the definer so that looking at a body is not opening
-- it: read through the policies, every secret body a search looked at
-- would be audited as opened (post_bodies_visible), and every post the
-- coordinator's search looked at outside its scope as read
-- (posts_coordinator).  Only the posts shown are read as the caller.

------------------------------------------------------------------------
-- The searchable text, written with the post.
------------------------------------------------------------------------

-- The title when the post is written, then title and body when its body
-- is.  Definer's rights: council_writer (inside council.create_post) has
-- no grant on post_search; a trigger function cannot be called otherwise.
-- A bulk load that bypasses triggers (session_replication_role = replica)
-- calls council.search_backfill() afterwards.
CREATE OR REPLACE FUNCTION council.search_on_post() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    INSERT INTO council.post_search (post_id, is_secret, doc)
    VALUES (NEW.id, NEW.is_secret, council.search_doc(NEW.title, NULL))
    ON CONFLICT (post_id) DO NOTHING;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION council.search_on_body() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    INSERT INTO council.post_search (post_id, is_secret, doc)
    SELECT p.id, p.is_secret, council.search_doc(p.title, NEW.body)
    FROM council.posts p WHERE p.id = NEW.post_id
    ON CONFLICT (post_id) DO UPDATE SET doc = EXCLUDED.doc;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS search ON council.posts;
CREATE TRIGGER search AFTER INSERT ON council.posts
    FOR EACH ROW EXECUTE FUNCTION council.search_on_post();
DROP TRIGGER IF EXISTS search ON council.post_bodies;
CREATE TRIGGER search AFTER INSERT ON council.post_bodies
    FOR EACH ROW EXECUTE FUNCTION council.search_on_body();

-- The rows of posts loaded without triggers (bench/search.sh, an import):
-- returns how many were added.  The owner's (a member of council_definer)
-- and the definer's only.
CREATE OR REPLACE FUNCTION council.search_backfill() RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n  bigint;
BEGIN
    INSERT INTO council.post_search (post_id, is_secret, doc)
    SELECT p.id, p.is_secret, council.search_doc(p.title, b.body)
    FROM council.posts p LEFT JOIN council.post_bodies b ON b.post_id = p.id
    WHERE NOT EXISTS (SELECT 1 FROM council.post_search s WHERE s.post_id = p.id)
    ORDER BY p.id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

------------------------------------------------------------------------
-- Policy.
------------------------------------------------------------------------

-- The definer reads every row (definer_all, 10_identity.sql, also lets it
-- write).  This second, unconditional policy is what lets the gram index
-- be searched: the planner folds "current_user = 'council_definer' OR
-- true" away, where a remaining policy condition would bar every index
-- condition that is not leakproof, and array containment (@>) is not.
-- It applies to council_definer and its only member, council_owner, who
-- reads every table anyway (90_owner.sql); nobody else has a grant.
CREATE POLICY post_search_definer ON council.post_search FOR SELECT
    TO council_definer USING (true);

------------------------------------------------------------------------
-- Candidates.
------------------------------------------------------------------------

-- The grams a query's matches must all hold (0022): the query itself when
-- it has 2 characters (bigrams are indexed), else its distinct 3-character
-- substrings.  For 2 and 3 characters, holding the grams IS containing
-- the query; for more it is necessary only, and the text is checked.
CREATE OR REPLACE FUNCTION council.search_query_grams(q text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog
AS $$
    SELECT CASE WHEN length(q) = 2 THEN ARRAY[q]
           ELSE ARRAY(SELECT DISTINCT substr(q, i, 3)
                      FROM generate_series(1, length(q) - 2) i) END
$$;

-- Every post older than p_below whose searchable text contains p_q (its
-- grams p_grams, council.search_query_grams) or one of whose indicators
-- equals one of p_values, secrets only with p_secrets: their ids, newest
-- first, whoever may see them (council.search_candidates checks that).
-- Its own function for its planner settings: the gram index must be the
-- only way in.  Any other plan (a scan of post_search, or of its primary
-- key, probing each row) would compute council.search_grams of every text
-- it passes, about a millisecond each; and a bitmap of the index that
-- outgrows work_mem turns lossy, and is then checked the same way.
CREATE OR REPLACE FUNCTION council.search_index(p_q text, p_grams text[],
    p_below bigint, p_values text[], p_secrets boolean) RETURNS bigint[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
    SET enable_seqscan = off
    SET enable_indexscan = off
    SET work_mem = '64MB'
AS $$
DECLARE
    v_sql  text;
    v_ids  bigint[];
BEGIN
    v_sql := 'SELECT s.post_id AS id FROM council.post_search s'
        ' WHERE council.search_grams(s.doc) @> $2 AND s.post_id < $3'
        ' AND (NOT s.is_secret OR $5)';
    -- 2 or 3 characters: holding the grams is containing the query.
    IF length(p_q) > 3 THEN
        v_sql := v_sql || ' AND strpos(s.doc, $1) > 0';
    END IF;
    IF cardinality(p_values) > 0 THEN
        v_sql := v_sql || ' UNION SELECT i.post_id FROM council.post_indicators i'
            ' JOIN council.post_search s ON s.post_id = i.post_id'
            ' WHERE i.value = ANY ($4) AND i.post_id < $3 AND (NOT s.is_secret OR $5)';
    END IF;
    EXECUTE 'SELECT ARRAY(SELECT m.id FROM (' || v_sql || ') m ORDER BY m.id DESC)'
        INTO v_ids USING p_q, p_grams, p_below, p_values, p_secrets;
    RETURN v_ids;
END
$$;

-- The ids of at most p_limit posts, newest first, older than p_before,
-- that the caller may see by the posts' own rule (as
-- council.post_candidates: the organisation's audience and its flags, the
-- coordinator, secrets for handlers only, the secretariat's approved
-- access cases) and whose searchable text contains p_q (normalised by
-- council.search_norm, 2 characters or more) or one of whose indicators
-- equals one of p_values.  Two steps, so that no search walks every post:
--   1. the window: the newest v_window posts the caller may see (for the
--      coordinator a backward scan of post_search's primary key, for a
--      member of its audience, post_audience_pkey), each text checked.
--      A common word fills the page here and the search stops.
--   2. otherwise the gram index (post_search_grams) and the indicators'
--      index (post_indicators_value) give the matching posts older than
--      the window, whose visibility is then checked (a member: its
--      audience, by primary key), newest first.  A word found nowhere is
--      one index lookup; a rare word costs its matches.
-- Callable by council_writer only (REVOKE below), i.e. from
-- council.search, which reads the posts again through their policies.
CREATE OR REPLACE FUNCTION council.search_candidates(p_q text, p_limit integer,
    p_before bigint, p_values text[]) RETURNS bigint[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    -- The window's size: 1000, or council.search_window (1 to 10000) if
    -- set; it changes only the cost, never the answer (tests/sql/19_feed.sql
    -- runs with 1, to search below the window).
    v_window  constant integer := least(greatest(coalesce(nullif(
        current_setting('council.search_window', true), '')::integer, 1000), 1), 10000);
    v         record;
    v_ind     text := '';
    v_win     text;
    v_ids     bigint[];
    v_low     bigint;
    v_seen    integer;
    v_more    bigint[];
BEGIN
    SELECT * INTO v FROM council.me;
    IF v.person_id IS NULL OR p_q IS NULL OR length(p_q) < 2 THEN
        RETURN '{}';
    END IF;
    p_values := coalesce(p_values, '{}');
    IF cardinality(p_values) > 0 THEN
        v_ind := ' OR EXISTS (SELECT 1 FROM council.post_indicators i'
            ' WHERE i.post_id = w.id AND i.value = ANY ($4))';
    END IF;
    IF v.is_coordinator THEN
        -- R-ORG-6: every post; R-SECRET-2: secrets for handlers only.
        v_win := 'SELECT s.post_id AS id, s.doc FROM council.post_search s'
            ' WHERE s.post_id < $2 AND (NOT s.is_secret OR $6)'
            ' ORDER BY s.post_id DESC LIMIT $5';
    ELSE
        -- The audience (R-SCOPE-*, R-ORG-3 via council.me), the receiving
        -- rule (R-RESTRICT-1, R-ORG-8, R-ORG-6) and secrecy (R-SECRET-2/3).
        v_win := 'SELECT a.post_id AS id, s.doc FROM (SELECT a.post_id'
            ' FROM council.post_audience a WHERE a.org_id = $7 AND a.post_id < $2'
            ' AND (a.is_author OR $8) AND (NOT a.is_secret OR $6)'
            ' ORDER BY a.post_id DESC LIMIT $5) a'
            ' JOIN council.post_search s ON s.post_id = a.post_id';
    END IF;

    -- 1. The window.
    EXECUTE 'SELECT coalesce(array_agg(w.id ORDER BY w.id DESC) FILTER (WHERE'
        ' strpos(w.doc, $1) > 0' || v_ind || '), ''{}''), min(w.id), count(*)::int'
        ' FROM (' || v_win || ') w'
        INTO v_ids, v_low, v_seen
        USING p_q, p_before, NULL::text[], p_values, v_window,
              v.may_handle_secrets, v.org_id, v.may_receive;

    -- 2. The indexes, below the window (when the window was full and the
    -- page is not).
    IF v_seen = v_window AND cardinality(v_ids) < p_limit THEN
        v_more := council.search_index(p_q, council.search_query_grams(p_q),
            v_low, p_values, v.may_handle_secrets);
        IF NOT v.is_coordinator THEN
            -- Those of the caller's audience (by its primary key, or a
            -- join with the organisation's whole audience when cheaper).
            v_more := ARRAY(SELECT m.id FROM unnest(v_more) m (id)
                            WHERE EXISTS (SELECT 1 FROM council.post_audience a
                                          WHERE a.org_id = v.org_id AND a.post_id = m.id
                                            AND (a.is_author OR v.may_receive)
                                            AND (NOT a.is_secret OR v.may_handle_secrets))
                            ORDER BY m.id DESC LIMIT p_limit - cardinality(v_ids));
        END IF;
        v_more := v_more[1:p_limit - cardinality(v_ids)];
        v_ids := v_ids || v_more;
    END IF;

    -- R-ORG-6: the secretariat's approved, unexpired access cases (a few
    -- posts, each checked).
    IF v.is_secretariat AND NOT v.is_coordinator THEN
        EXECUTE 'SELECT ARRAY(SELECT id FROM (SELECT unnest($9) AS id UNION'
            ' SELECT w.id FROM (SELECT s.post_id AS id, s.doc FROM council.post_search s'
            ' WHERE s.post_id IN (SELECT council.current_case_post_ids())'
            ' AND s.post_id < $2 AND (NOT s.is_secret OR $6)) w'
            ' WHERE strpos(w.doc, $1) > 0' || v_ind || ') c ORDER BY id DESC LIMIT $5)'
            INTO v_ids
            USING p_q, p_before, NULL::text[], p_values, p_limit,
                  v.may_handle_secrets, v.org_id, v.may_receive, v_ids;
    END IF;
    RETURN v_ids[1:p_limit];
END
$$;

------------------------------------------------------------------------
-- Search.
------------------------------------------------------------------------

-- Search what the caller may see, newest first, before an id: posts whose
-- title or body contains q (after council.search_norm on both sides:
-- Unicode NFKC, lower case; every character is literal), or one of whose
-- indicators equals an indicator found in q (an IP address, a domain, a
-- URL, a hash, a CVE id, an e-mail address; council.indicators_extract
-- normalises both sides).  q is trimmed (spaces, before and after
-- normalising) and must have 2 to 200 characters (CP422 query_too_short /
-- query_too_long): an index of 1-character grams would cost as much as
-- the text, and a single character is no useful query.  Returns rows of
-- council.posts read through their policies: a post the caller cannot see
-- is never returned, counted or quoted; a search opens nothing (no
-- "secret opened" audit row, no read mark), and the coordinator's reads
-- outside its scope are audited for the posts returned only.  The
-- secretariat finds its access-case posts too.  Nobody gets nothing.
-- Owned by council_writer (under the caller's policies), which alone may
-- call council.search_candidates.
CREATE OR REPLACE FUNCTION council.search(p_q text, p_limit integer DEFAULT 50,
    p_before bigint DEFAULT NULL) RETURNS SETOF council.posts
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_q    text := btrim(p_q, ' ');
    v_n    text;
    v_ids  bigint[];
BEGIN
    IF council.current_person_id() IS NULL THEN
        RETURN;
    END IF;
    IF v_q IS NULL OR length(v_q) < 2 THEN
        RAISE EXCEPTION 'query_too_short' USING ERRCODE = 'CP422';
    END IF;
    IF length(v_q) > 200 THEN
        RAISE EXCEPTION 'query_too_long' USING ERRCODE = 'CP422';
    END IF;
    -- NFKC may shorten ("ｶﾞ" is "ガ") or bring spaces ("　" is " ").
    v_n := btrim(council.search_norm(v_q), ' ');
    IF length(v_n) < 2 THEN
        RAISE EXCEPTION 'query_too_short' USING ERRCODE = 'CP422';
    END IF;
    v_ids := council.search_candidates(v_n, least(greatest(coalesce(p_limit, 50), 1), 200),
        coalesce(p_before, 9223372036854775807),
        ARRAY(SELECT x.value FROM council.indicators_extract(v_q) x));
    -- R-NEW-1: an analysis's poorer rendition gives way to the richest
    -- one the caller sees (91_renditions.sql): a page may come out short.
    RETURN QUERY SELECT p.* FROM council.posts p WHERE p.id = ANY (v_ids)
        AND NOT (p.kind = 'analysis'
                 AND EXISTS (SELECT 1 FROM council.post_renditions r WHERE r.post_id = p.id)
                 AND council.rendition_superseded(p.id))
        ORDER BY p.id DESC;
END
$$;

------------------------------------------------------------------------
-- Owners and grants.
------------------------------------------------------------------------

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.search(text, integer, bigint) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.search_on_post() OWNER TO council_definer;
ALTER FUNCTION council.search_on_body() OWNER TO council_definer;
ALTER FUNCTION council.search_backfill() OWNER TO council_definer;
ALTER FUNCTION council.search_candidates(text, integer, bigint, text[]) OWNER TO council_definer;
ALTER FUNCTION council.search_index(text, text[], bigint, text[], boolean) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.search_candidates(text, integer, bigint, text[]),
    council.search_index(text, text[], bigint, text[], boolean),
    council.search_backfill() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.search_candidates(text, integer, bigint, text[])
    TO council_writer;
