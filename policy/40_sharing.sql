-- policy/40_sharing.sql: who sees which post, and the only ways to write
-- one.  The specification is docs/sharing.md; rule IDs are those of
-- ../shared/council-rules.md.  Re-applied by "councilctl migrate".
--
-- Three kinds of function live here:
--   audience_*    SECURITY DEFINER, owned by council_definer: compute the
--                 effective scope of a post into post_audience (fan-out).
--                 They read everything and decide nothing about the caller.
--   create_post, decide_consent, widen_scope, *_access_case
--                 SECURITY DEFINER, owned by council_writer: council_writer
--                 is under the very policies council_app is, so these see
--                 exactly what the calling person sees; they may insert what
--                 the rules allow, and check the rest.
--   the policies  the single statement of who sees what.
-- Errors carry a stable code as MESSAGE and a SQLSTATE of class CP:
-- CP401 not signed in, CP403 forbidden, CP404 not found (hidden and absent
-- look the same), CP422 invalid.

------------------------------------------------------------------------
-- The effective scope (docs/sharing.md, steps 1-7).
------------------------------------------------------------------------

-- Whether the implicit group of scope row s (a class) includes
-- organisation o (R-NEW-2).  No FROM clause: inlined into its callers.
CREATE OR REPLACE FUNCTION council.class_includes(s council.post_scope,
    o council.organisations) RETURNS boolean
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT coalesce(
           s.class = 'all_members'
        -- R-TF-1: the task force is JPCERT/CC plus the admitted members.
        OR (s.class = 'task_force'
            AND (o.council_role = 'coordinator' OR o.tf_class IN ('type1', 'type2')))
        -- R-TF-2: the Type 1 group is JPCERT/CC plus Type 1.
        OR (s.class = 'type1_group'
            AND (o.council_role = 'coordinator' OR o.tf_class = 'type1'))
        OR (s.class = 'type2' AND o.tf_class = 'type2')
        OR (s.class = 'coordinator' AND o.council_role = 'coordinator')
        OR (s.class = 'sector' AND o.category = 'ci_operator'
            AND o.sector_code = s.sector_code)
        OR (s.class = 'category' AND o.category = s.category), false)
$$;

-- The organisations post p reaches, as its scope, exclusions, liaison
-- routing and the secretariat rule make it, before sources limit it.
-- R-ORG-3, R-SCOPE-1: only an organisation that is a member, and whose
-- current membership began before p was shared (org_memberships.first_post
-- <= p: migration 0020), counts, as a named organisation, as a liaison
-- member routed to its GSOC member, and as that GSOC member: nothing is
-- shared with a non-member, and a readmitted member does not read what was
-- shared before its new admission.
-- PL/pgSQL (like every helper here that cannot be inlined): its plan is
-- kept for the session, where a SQL function is planned at every call.
CREATE OR REPLACE FUNCTION council.audience_named(p bigint) RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN QUERY
    WITH post AS (
        SELECT id, scope_designated FROM council.posts WHERE id = p
    ), named AS (
        -- R-SCOPE-5: no designated scope names every member.
        SELECT o.id FROM council.organisations o, post WHERE NOT post.scope_designated
        UNION
        SELECT s.org_id FROM council.post_scope s
        WHERE s.post_id = p AND s.org_id IS NOT NULL
        UNION
        SELECT gm.org_id FROM council.post_scope s
        JOIN council.group_members gm ON gm.group_id = s.group_id
        WHERE s.post_id = p
        UNION
        SELECT o.id FROM council.post_scope s
        JOIN council.organisations o ON council.class_includes(s, o)
        WHERE s.post_id = p AND s.class IS NOT NULL
    ), eligible AS (
        -- R-ORG-3, R-SCOPE-1: members, from their current membership on.
        SELECT o.id, o.gsoc_liaison, o.liaison_via, o.council_role
        FROM council.organisations o
        JOIN council.org_memberships m ON m.org_id = o.id AND m.until IS NULL
        WHERE o.status = 'member' AND m.first_post <= p
    ), excluded AS (
        -- R-SCOPE-2: exclusions always win.
        SELECT e.org_id AS id FROM council.post_exclusions e
        WHERE e.post_id = p AND e.kind = 'org'
        UNION
        SELECT sv.org_id FROM council.post_exclusions e
        JOIN council.org_supervises sv ON sv.sector_code = e.sector_code
        WHERE e.post_id = p AND e.kind = 'supervisors'
        UNION
        SELECT o.id FROM council.post_exclusions e
        JOIN council.organisations o ON o.is_investigative
        WHERE e.post_id = p AND e.kind = 'investigative'
    ), kept AS (
        SELECT o.id, o.gsoc_liaison, o.liaison_via
        FROM named n JOIN eligible o ON o.id = n.id
        WHERE NOT EXISTS (SELECT 1 FROM excluded x WHERE x.id = o.id)
    ), routed AS (
        -- R-ORG-8: a liaison member is reached through its GSOC member.
        SELECT k.id FROM kept k WHERE NOT k.gsoc_liaison
        UNION
        SELECT k.liaison_via FROM kept k
        WHERE k.gsoc_liaison AND k.liaison_via IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM excluded x WHERE x.id = k.liaison_via)
    )
    -- R-ORG-6: the general-affairs secretariat is never in another's scope.
    SELECT r.id FROM routed r JOIN eligible o ON o.id = r.id
    WHERE o.council_role IS DISTINCT FROM 'secretariat';
END
$$;

-- The effective scope of post p (docs/sharing.md): the named audience,
-- limited by every source whose giver has not consented (R-SCOPE-4; and
-- R-SCOPE-3 where the source is what a secretariat body provided), or the
-- parent's for a reply; always with the author's organisation (a member:
-- below).
-- R-SHARE-1: advice is private.  A reply by another organisation to a
-- consultation (the thread's first post) reaches only the consulting
-- member and the adviser (step 6a); replies within that reply inherit it.
CREATE OR REPLACE FUNCTION council.audience_compute(p bigint) RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_pair  bigint[];
BEGIN
    SELECT ARRAY[pa.org_id, ra.org_id] INTO v_pair
    FROM council.posts x
    JOIN council.posts pp ON pp.id = x.parent_id
    JOIN council.post_authors pa ON pa.post_id = pp.id
    JOIN council.post_authors ra ON ra.post_id = x.id
    WHERE x.id = p AND pp.kind = 'consultation' AND pp.parent_id IS NULL
      AND ra.org_id <> pa.org_id;
    RETURN QUERY
    WITH post AS (
        SELECT id, parent_id FROM council.posts WHERE id = p
    ), base AS (
        SELECT a.org_id AS id FROM post, council.post_audience a
        WHERE post.parent_id IS NOT NULL AND a.post_id = post.parent_id
          AND (v_pair IS NULL OR a.org_id = ANY (v_pair))
        UNION
        SELECT n.id FROM post, council.audience_named(p) AS n(id)
        WHERE post.parent_id IS NULL
          AND NOT EXISTS (
              SELECT 1 FROM council.post_sources ps
              WHERE ps.post_id = p
                AND NOT EXISTS (SELECT 1 FROM council.consents c
                                WHERE c.post_id = p
                                  AND c.source_post_id = ps.source_post_id
                                  AND c.status = 'granted')
                AND NOT EXISTS (SELECT 1 FROM council.post_audience a
                                WHERE a.post_id = ps.source_post_id
                                  AND a.org_id = n.id))
    )
    -- R-ORG-6 (step 3) holds for replies too: a reply to the secretariat's
    -- own post does not reach the secretariat through its parent.
    SELECT b.id FROM base b JOIN council.organisations o ON o.id = b.id
    WHERE o.council_role IS DISTINCT FROM 'secretariat'
    UNION
    -- Step 7, within R-ORG-3: the author's organisation, while it is a
    -- member whose current membership began before p.
    SELECT a.org_id FROM council.post_authors a
    JOIN council.organisations o ON o.id = a.org_id AND o.status = 'member'
    JOIN council.org_memberships m ON m.org_id = a.org_id AND m.until IS NULL
    WHERE a.post_id = p AND m.first_post <= p;
END
$$;

-- Rewrite post p's rows of post_audience; with cascade, then those of its
-- replies and of the posts derived from it (ids grow along both relations,
-- so every dependent comes after what it depends on).
CREATE OR REPLACE FUNCTION council.audience_refresh_post(p bigint,
    cascade boolean DEFAULT true) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    d bigint;
BEGIN
    DELETE FROM council.post_audience WHERE post_id = p;
    INSERT INTO council.post_audience (org_id, post_id, is_author, is_secret)
    SELECT x, p, EXISTS (SELECT 1 FROM council.post_authors a
                         WHERE a.post_id = p AND a.org_id = x),
           (SELECT is_secret FROM council.posts WHERE id = p)
    FROM council.audience_compute(p) AS x;
    IF cascade THEN
        FOR d IN SELECT id FROM council.posts WHERE parent_id = p
                 UNION
                 SELECT post_id FROM council.post_sources WHERE source_post_id = p
                 ORDER BY 1
        LOOP
            PERFORM council.audience_refresh_post(d, true);
        END LOOP;
    END IF;
END
$$;

-- Every post, in id order (dependencies first).
CREATE OR REPLACE FUNCTION council.audience_refresh_all() RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    p bigint;
    n bigint := 0;
BEGIN
    FOR p IN SELECT id FROM council.posts ORDER BY id LOOP
        PERFORM council.audience_refresh_post(p, false);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- Triggers: what the effective scope depends on changed.
CREATE OR REPLACE FUNCTION council.audience_on_group_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    p bigint;
BEGIN
    FOR p IN SELECT DISTINCT s.post_id FROM council.post_scope s
             WHERE s.group_id IN (SELECT COALESCE(NEW.group_id, OLD.group_id)
                                  UNION SELECT OLD.group_id)
             ORDER BY 1
    LOOP
        PERFORM council.audience_refresh_post(p, true);
    END LOOP;
    RETURN NULL;
END
$$;

-- The posts whose effective scope may change when what decides the place
-- of organisations os in it changes (class, sector, role, investigative
-- flag, liaison routing, supervision, arrival, departure): those that reach
-- one of them now, those that name one (directly, by group, by class, or by
-- not designating a scope), and the same for the GSOC members they are
-- routed through.  A superset is harmless: each post is recomputed (once,
-- in id order) by audience_refresh_post, which cascades to replies and
-- derived posts.  Returns the number of posts recomputed.
CREATE OR REPLACE FUNCTION council.audience_refresh_orgs(os bigint[]) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    p bigint;
    n bigint := 0;
    v_orgs bigint[];
BEGIN
    v_orgs := ARRAY(SELECT x.id FROM council.organisations x
                    WHERE x.id = ANY (os)
                    UNION
                    SELECT x.liaison_via FROM council.organisations x
                    WHERE x.id = ANY (os) AND x.liaison_via IS NOT NULL
                    UNION
                    SELECT unnest(os));
    FOR p IN
        SELECT a.post_id FROM council.post_audience a WHERE a.org_id = ANY (v_orgs)
        UNION
        SELECT x.id FROM council.posts x WHERE NOT x.scope_designated
        UNION
        SELECT s.post_id FROM council.post_scope s WHERE s.org_id = ANY (v_orgs)
        UNION
        SELECT s.post_id FROM council.post_scope s
        JOIN council.group_members gm ON gm.group_id = s.group_id
        WHERE gm.org_id = ANY (v_orgs)
        UNION
        SELECT s.post_id FROM council.post_scope s
        JOIN council.organisations x ON council.class_includes(s, x)
        WHERE s.class IS NOT NULL AND x.id = ANY (v_orgs)
        ORDER BY 1
    LOOP
        PERFORM council.audience_refresh_post(p, true);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- R-ORG-3, R-SCOPE-1: the rows of post_audience of organisations os, for
-- every post at once, set-based (one DELETE, one INSERT, no loop over
-- posts): what audience_compute gives each post, for these organisations
-- only.  Used when an organisation's membership begins or ends (its own
-- rows change, and those of the GSOC member its liaison channel leads to;
-- nobody else's).  Membership in an effective scope is decided for each
-- organisation separately (union, intersection and inheritance are per
-- element), so an organisation O is in the scope of post P exactly when
--   O is P's author and a member since before P (step 7), or
--   P is a candidate for O (named, not excluded, routed, not the
--   secretariat: steps 1-4 and 6a; every reply for a reply), and O is in
--   the scope of every post P depends on (its parent, step 6; each source
--   without a granted consent, step 5).
-- The second part is computed as candidates minus those that fail through
-- a dependency, a recursive query over the dependencies (ids grow along
-- them).  Returns the number of rows written.
CREATE OR REPLACE FUNCTION council.audience_rebuild_orgs(os bigint[]) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n bigint;
BEGIN
    DELETE FROM council.post_audience WHERE org_id = ANY (os);
    -- Leaving: nothing more to compute.
    IF NOT EXISTS (SELECT 1 FROM council.organisations o
                   WHERE o.id = ANY (os) AND o.status = 'member') THEN
        RETURN 0;
    END IF;
    INSERT INTO council.post_audience (org_id, post_id, is_author, is_secret)
    WITH RECURSIVE
    -- The organisations rebuilt that may be in an audience at all: members,
    -- each from the first post of its current membership.
    mem AS MATERIALIZED (
        SELECT o.id, m.first_post, o.gsoc_liaison,
               o.council_role IS NOT DISTINCT FROM 'secretariat' AS is_sec
        FROM council.organisations o
        JOIN council.org_memberships m ON m.org_id = o.id AND m.until IS NULL
        WHERE o.id = ANY (os) AND o.status = 'member'),
    -- Naming whom brings each of them in (step 4): itself, unless it is a
    -- liaison member; a liaison member routed to it that is a member too;
    -- from_post: the first post both were members for.
    via AS MATERIALIZED (
        SELECT x.id AS named_id, x.first_post AS from_post, x.id AS org_id
        FROM mem x WHERE NOT x.gsoc_liaison AND NOT x.is_sec
        UNION ALL
        SELECT l.id, greatest(lm.first_post, x.first_post), x.id FROM mem x
        JOIN council.organisations l ON l.liaison_via = x.id AND l.gsoc_liaison
                                     AND l.status = 'member'
        JOIN council.org_memberships lm ON lm.org_id = l.id AND lm.until IS NULL
        WHERE NOT x.is_sec),
    -- Step 1: the top-level posts that name them, shared since.
    named AS (
        SELECT v.named_id, v.org_id, x.id AS post_id FROM via v
        JOIN council.posts x ON x.parent_id IS NULL AND NOT x.scope_designated
                             AND x.id >= v.from_post
        UNION
        SELECT v.named_id, v.org_id, s.post_id FROM via v
        JOIN council.post_scope s ON s.org_id = v.named_id AND s.post_id >= v.from_post
        UNION
        SELECT v.named_id, v.org_id, s.post_id FROM via v
        JOIN council.group_members gm ON gm.org_id = v.named_id
        JOIN council.post_scope s ON s.group_id = gm.group_id AND s.post_id >= v.from_post
        UNION
        SELECT v.named_id, v.org_id, s.post_id FROM via v
        JOIN council.organisations o ON o.id = v.named_id
        JOIN council.post_scope s ON s.class IS NOT NULL AND council.class_includes(s, o)
                                  AND s.post_id >= v.from_post),
    -- Steps 2-4: not excluded (neither the one named nor the one reached);
    -- never the secretariat (via leaves it out).
    top AS (
        SELECT n.org_id, n.post_id FROM named n
        WHERE NOT EXISTS (
              SELECT 1 FROM council.post_exclusions e
              JOIN council.organisations xo ON xo.id IN (n.named_id, n.org_id)
              WHERE e.post_id = n.post_id
                AND ((e.kind = 'org' AND e.org_id = xo.id)
                     OR (e.kind = 'supervisors' AND EXISTS (
                             SELECT 1 FROM council.org_supervises sv
                             WHERE sv.org_id = xo.id AND sv.sector_code = e.sector_code))
                     OR (e.kind = 'investigative' AND xo.is_investigative)))),
    -- Step 6: every reply is a candidate (its parent decides), but for
    -- step 6a: another's reply to a consultation opening a thread reaches
    -- the consulting member and the adviser only.
    rep AS (
        SELECT r.id AS org_id, x.id AS post_id FROM mem r
        JOIN council.posts x ON x.parent_id IS NOT NULL AND x.id >= r.first_post
        WHERE NOT r.is_sec
          AND NOT EXISTS (
              SELECT 1 FROM council.posts q
              JOIN council.post_authors qa ON qa.post_id = q.id
              JOIN council.post_authors xa ON xa.post_id = x.id
              WHERE q.id = x.parent_id AND q.kind = 'consultation' AND q.parent_id IS NULL
                AND xa.org_id <> qa.org_id AND r.id NOT IN (qa.org_id, xa.org_id))),
    -- Step 7: their own posts, from their current membership on.
    auth AS MATERIALIZED (
        SELECT r.id AS org_id, a.post_id FROM mem r
        JOIN council.post_authors a ON a.org_id = r.id AND a.post_id >= r.first_post),
    cand AS MATERIALIZED (
        SELECT org_id, post_id FROM top
        UNION
        SELECT org_id, post_id FROM rep
        EXCEPT
        SELECT org_id, post_id FROM auth),
    -- What each post's scope is limited by: its parent (step 6), each
    -- source without a granted consent (step 5).
    deps AS MATERIALIZED (
        SELECT x.id AS post_id, x.parent_id AS dep FROM council.posts x
        WHERE x.parent_id IS NOT NULL AND x.id >= (SELECT min(first_post) FROM mem)
        UNION ALL
        SELECT ps.post_id, ps.source_post_id FROM council.post_sources ps
        JOIN council.posts x ON x.id = ps.post_id AND x.parent_id IS NULL
        WHERE ps.post_id >= (SELECT min(first_post) FROM mem)
          AND NOT EXISTS (SELECT 1 FROM council.consents c
                          WHERE c.post_id = ps.post_id
                            AND c.source_post_id = ps.source_post_id
                            AND c.status = 'granted')),
    fail AS (
        SELECT c.org_id, c.post_id FROM cand c JOIN deps d ON d.post_id = c.post_id
        WHERE NOT EXISTS (SELECT 1 FROM cand c2
                          WHERE c2.org_id = c.org_id AND c2.post_id = d.dep)
          AND NOT EXISTS (SELECT 1 FROM auth a
                          WHERE a.org_id = c.org_id AND a.post_id = d.dep)
        UNION
        SELECT c.org_id, c.post_id FROM fail f
        JOIN deps d ON d.dep = f.post_id
        JOIN cand c ON c.post_id = d.post_id AND c.org_id = f.org_id)
    SELECT a.org_id, a.post_id, true, x.is_secret
    FROM auth a JOIN council.posts x ON x.id = a.post_id
    UNION ALL
    SELECT c.org_id, c.post_id, false, x.is_secret
    FROM (SELECT org_id, post_id FROM cand EXCEPT SELECT org_id, post_id FROM fail) c
    JOIN council.posts x ON x.id = c.post_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Statement triggers with transition tables: one pass for a bulk change.
-- R-ORG-3, R-SCOPE-1: an organisation that becomes a member, or stops
-- being one, gets a membership period opened or closed (migration 0020)
-- and its audience rows rebuilt set-based (audience_rebuild_orgs), with
-- those of the GSOC member it is routed through: a member that leaves
-- loses them all; one that joins for the first time gets what its scopes
-- give it, what was shared before it joined included; one that joins again
-- (a readmission, a chair's rejection of its expulsion) reads from its new
-- admission on, so it gets nothing now.  Otherwise an UPDATE counts only
-- for members whose deciding columns changed (a non-member is in no
-- audience, whatever its class); a changed liaison channel counts for the
-- old channel too.
CREATE OR REPLACE FUNCTION council.audience_on_org_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    os      bigint[] := '{}';
    moved   bigint[] := '{}';
    hubs    bigint[] := '{}';
    v_next  bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        moved := ARRAY(SELECT id FROM new_orgs WHERE status = 'member');
        hubs := ARRAY(SELECT liaison_via FROM new_orgs
                      WHERE status = 'member' AND gsoc_liaison AND liaison_via IS NOT NULL);
    ELSIF TG_OP = 'DELETE' THEN
        os := ARRAY(SELECT id FROM old_orgs);
    ELSE
        moved := ARRAY(SELECT n.id FROM new_orgs n JOIN old_orgs o ON o.id = n.id
                       WHERE (n.status = 'member') <> (o.status = 'member'));
        os := ARRAY(SELECT n.id FROM new_orgs n JOIN old_orgs o ON o.id = n.id
                    WHERE n.status = 'member' AND o.status = 'member'
                      AND (n.category, n.sector_code, n.council_role, n.tf_class,
                           n.is_investigative, n.gsoc_liaison, n.liaison_via)
                          IS DISTINCT FROM
                          (o.category, o.sector_code, o.council_role, o.tf_class,
                           o.is_investigative, o.gsoc_liaison, o.liaison_via)
                    UNION
                    SELECT o.liaison_via FROM new_orgs n JOIN old_orgs o ON o.id = n.id
                    WHERE n.status = 'member' AND o.status = 'member'
                      AND o.liaison_via IS NOT NULL
                      AND o.liaison_via IS DISTINCT FROM n.liaison_via);
        hubs := ARRAY(SELECT x.liaison_via
                      FROM new_orgs n JOIN old_orgs o ON o.id = n.id,
                           LATERAL (VALUES (n.gsoc_liaison, n.liaison_via),
                                           (o.gsoc_liaison, o.liaison_via)) AS x(g, liaison_via)
                      WHERE (n.status = 'member') <> (o.status = 'member')
                        AND x.g AND x.liaison_via IS NOT NULL);
    END IF;
    IF cardinality(moved) > 0 THEN
        -- The boundary of the periods that close or open again: the next
        -- post id (ids are the clock, migration 0020).
        IF EXISTS (SELECT 1 FROM new_orgs n WHERE n.id = ANY (moved)
                   AND (n.status <> 'member'
                        OR EXISTS (SELECT 1 FROM council.org_memberships m
                                   WHERE m.org_id = n.id))) THEN
            v_next := nextval('council.posts_id_seq');
        END IF;
        UPDATE council.org_memberships m
        SET until = now(), end_post = v_next, ended_as = n.status
        FROM new_orgs n
        WHERE n.id = ANY (moved) AND n.status <> 'member'
          AND m.org_id = n.id AND m.until IS NULL;
        INSERT INTO council.org_memberships (org_id, first_post)
        SELECT n.id, CASE WHEN EXISTS (SELECT 1 FROM council.org_memberships m
                                       WHERE m.org_id = n.id) THEN v_next ELSE 0 END
        FROM new_orgs n
        WHERE n.id = ANY (moved) AND n.status = 'member'
          AND NOT EXISTS (SELECT 1 FROM council.org_memberships m
                          WHERE m.org_id = n.id AND m.until IS NULL);
        moved := ARRAY(SELECT unnest(moved) UNION SELECT unnest(hubs));
        PERFORM council.audience_rebuild_orgs(moved);
        os := ARRAY(SELECT unnest(os) EXCEPT SELECT unnest(moved));
    END IF;
    IF cardinality(os) > 0 THEN
        PERFORM council.audience_refresh_orgs(os);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION council.audience_on_supervises_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    os bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        os := ARRAY(SELECT org_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        os := ARRAY(SELECT org_id FROM old_rows);
    ELSE
        os := ARRAY(SELECT org_id FROM new_rows UNION SELECT org_id FROM old_rows);
    END IF;
    IF cardinality(os) > 0 THEN
        PERFORM council.audience_refresh_orgs(os);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS audience_group ON council.group_members;
CREATE TRIGGER audience_group AFTER INSERT OR UPDATE OR DELETE
    ON council.group_members FOR EACH ROW
    EXECUTE FUNCTION council.audience_on_group_change();
DROP TRIGGER IF EXISTS audience_org ON council.organisations;
DROP FUNCTION IF EXISTS council.audience_refresh_org(bigint);
DROP TRIGGER IF EXISTS audience_org_insert ON council.organisations;
CREATE TRIGGER audience_org_insert AFTER INSERT ON council.organisations
    REFERENCING NEW TABLE AS new_orgs
    FOR EACH STATEMENT EXECUTE FUNCTION council.audience_on_org_change();
DROP TRIGGER IF EXISTS audience_org_update ON council.organisations;
CREATE TRIGGER audience_org_update AFTER UPDATE ON council.organisations
    REFERENCING NEW TABLE AS new_orgs OLD TABLE AS old_orgs
    FOR EACH STATEMENT EXECUTE FUNCTION council.audience_on_org_change();
DROP TRIGGER IF EXISTS audience_org_delete ON council.organisations;
CREATE TRIGGER audience_org_delete AFTER DELETE ON council.organisations
    REFERENCING OLD TABLE AS old_orgs
    FOR EACH STATEMENT EXECUTE FUNCTION council.audience_on_org_change();
DROP TRIGGER IF EXISTS audience_supervises ON council.org_supervises;
DROP TRIGGER IF EXISTS audience_supervises_insert ON council.org_supervises;
CREATE TRIGGER audience_supervises_insert AFTER INSERT ON council.org_supervises
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION council.audience_on_supervises_change();
DROP TRIGGER IF EXISTS audience_supervises_update ON council.org_supervises;
CREATE TRIGGER audience_supervises_update AFTER UPDATE ON council.org_supervises
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION council.audience_on_supervises_change();
DROP TRIGGER IF EXISTS audience_supervises_delete ON council.org_supervises;
CREATE TRIGGER audience_supervises_delete AFTER DELETE ON council.org_supervises
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION council.audience_on_supervises_change();

-- The helpers below are PL/pgSQL, not SQL: PL/pgSQL keeps the plan of each
-- statement for the session, where a SQL function that cannot be inlined
-- is planned again at every call.

-- Posts granted to the caller through an approved, unexpired access case.
CREATE OR REPLACE FUNCTION council.current_case_post_ids() RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN QUERY
    SELECT cp.post_id FROM council.me
    JOIN council.access_cases c ON c.granted_to = me.person_id
    JOIN council.access_case_posts cp ON cp.case_id = c.id
    WHERE me.is_secretariat
      AND c.approved_by IS NOT NULL
      AND c.expires_at > now();
END
$$;

-- Whether the caller sees post p, computed from the same pieces as the
-- policies on posts below (which are what actually decide reads).  Used
-- only to guard audit_post_read: the planner may evaluate a policy's
-- function before its other conditions, so the function must never log a
-- read of a post the caller cannot see (a forged row would also tell the
-- caller's organisation that the post exists and is secret).
CREATE OR REPLACE FUNCTION council.current_sees_post(p bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN coalesce((
        SELECT (NOT x.is_secret OR me.may_handle_secrets)
           AND (me.is_coordinator
                OR (me.is_secretariat
                    AND x.id IN (SELECT council.current_case_post_ids()))
                OR EXISTS (SELECT 1 FROM council.post_audience a
                           WHERE a.post_id = x.id
                             AND a.org_id = me.org_id
                             AND (a.is_author OR me.may_receive)))
        FROM council.me, council.posts x WHERE x.id = p), false);
END
$$;

-- The author organisation of a post, for policies that must not recurse
-- through post_authors' own policy.  It tells the caller no more than
-- post_authors would: its own organisation's posts, and otherwise only a
-- visible post with an unmasked author (or any visible post, for the
-- coordinator); NULL for everything else, hidden and absent alike.
CREATE OR REPLACE FUNCTION council.post_author_org(p bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN (SELECT a.org_id FROM council.me, council.post_authors a
            WHERE a.post_id = p
              AND (a.org_id = me.org_id
                   OR ((NOT a.masked OR me.is_coordinator)
                       AND council.current_sees_post(p))));
END
$$;

-- Groups the caller's organisation belongs to or owns.
CREATE OR REPLACE FUNCTION council.current_group_ids() RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN QUERY
    SELECT g.id FROM council.me, council.groups g
    WHERE g.owner_org_id = me.org_id
    UNION
    SELECT gm.group_id FROM council.me, council.group_members gm
    WHERE gm.org_id = me.org_id;
END
$$;

-- R-ORG-6: record a read that the scope did not give: the coordinator's
-- outside its scope, the secretariat's through an access case; and every
-- opened secret (opened = the body was read).  Called from the policies;
-- logs nothing for a post the caller cannot see.  Always returns true.
CREATE OR REPLACE FUNCTION council.audit_post_read(p bigint, opened boolean)
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org bigint := council.current_org_id();
BEGIN
    IF v_org IS NULL OR NOT council.current_sees_post(p) THEN
        RETURN true;
    END IF;
    IF council.current_is_coordinator()
       AND NOT EXISTS (SELECT 1 FROM council.post_audience a
                       WHERE a.post_id = p AND a.org_id = v_org) THEN
        PERFORM council.audit('post.read.coordinator', 'post', p,
            jsonb_build_object('opened', opened));
    ELSIF council.current_is_secretariat()
       AND NOT EXISTS (SELECT 1 FROM council.post_authors a
                       WHERE a.post_id = p AND a.org_id = v_org) THEN
        PERFORM council.audit('post.read.access_case', 'post', p,
            jsonb_build_object('opened', opened));
    END IF;
    IF opened AND (SELECT is_secret FROM council.posts WHERE id = p) THEN
        PERFORM council.audit('post.read.secret', 'post', p, '{}');
    END IF;
    RETURN true;
END
$$;


-- R-SECRET-2, R-SECRET-3: why organisation o cannot receive a secret, or
-- NULL when it can: 'secret_opt_out' (it notified that it does not wish
-- to receive secrets), 'no_handler' (none of its active people has an
-- open handler registration, R-ORG-4).  A restriction (R-RESTRICT-1) is
-- not told: the committee's decisions are not public (R-GOV-8).
CREATE OR REPLACE FUNCTION council.org_secret_block(o bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN (SELECT CASE
                WHEN x.secret_opt_out THEN 'secret_opt_out'
                WHEN NOT EXISTS (SELECT 1 FROM council.people p
                                 JOIN council.handler_registrations h
                                   ON h.person_id = p.id AND h.deregistered_at IS NULL
                                 WHERE p.org_id = x.id AND p.active) THEN 'no_handler'
            END
            FROM council.organisations x WHERE x.id = o);
END
$$;

-- The audience of post p with, for each organisation, whether it is the
-- author and why it cannot receive a secret (org_secret_block), for the
-- post's own author organisation only (create_post, the preview): no row
-- for anyone else.
CREATE OR REPLACE FUNCTION council.audience_secret_reach(p bigint)
    RETURNS TABLE (org_id bigint, is_author boolean, reason text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN QUERY
    SELECT a.org_id, a.is_author, council.org_secret_block(a.org_id)
    FROM council.post_audience a
    WHERE a.post_id = p
      AND EXISTS (SELECT 1 FROM council.post_authors pa
                  WHERE pa.post_id = p AND pa.org_id = council.current_org_id());
END
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.audience_named(bigint) OWNER TO council_definer;
ALTER FUNCTION council.audience_compute(bigint) OWNER TO council_definer;
ALTER FUNCTION council.audience_refresh_post(bigint, boolean) OWNER TO council_definer;
ALTER FUNCTION council.audience_refresh_all() OWNER TO council_definer;
ALTER FUNCTION council.audience_on_group_change() OWNER TO council_definer;
ALTER FUNCTION council.audience_on_org_change() OWNER TO council_definer;
ALTER FUNCTION council.audience_on_supervises_change() OWNER TO council_definer;
ALTER FUNCTION council.audience_refresh_orgs(bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.audience_rebuild_orgs(bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.post_author_org(bigint) OWNER TO council_definer;
ALTER FUNCTION council.current_group_ids() OWNER TO council_definer;
ALTER FUNCTION council.audit_post_read(bigint, boolean) OWNER TO council_definer;
ALTER FUNCTION council.current_sees_post(bigint) OWNER TO council_definer;
ALTER FUNCTION council.current_case_post_ids() OWNER TO council_definer;
ALTER FUNCTION council.org_secret_block(bigint) OWNER TO council_definer;
ALTER FUNCTION council.audience_secret_reach(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.audience_named(bigint),
    council.audience_compute(bigint),
    council.audience_refresh_post(bigint, boolean),
    council.audience_refresh_all(),
    council.audience_refresh_orgs(bigint[]),
    council.audience_rebuild_orgs(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.audience_named(bigint),
    council.audience_refresh_post(bigint, boolean),
    council.audience_refresh_all() TO council_writer, council_owner;
GRANT EXECUTE ON FUNCTION council.audience_rebuild_orgs(bigint[]) TO council_owner;
REVOKE ALL ON FUNCTION council.audience_secret_reach(bigint),
    council.org_secret_block(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.audience_secret_reach(bigint) TO council_writer;

------------------------------------------------------------------------
-- Who sees what: the policies.
------------------------------------------------------------------------

-- Posts: three ways in (permissive), one condition always (restrictive).
CREATE POLICY posts_audience ON council.posts FOR SELECT
    TO council_app, council_writer
    USING (EXISTS (SELECT 1 FROM council.post_audience a
                   WHERE a.post_id = posts.id
                     AND a.org_id = (SELECT me.org_id FROM council.me)
                     -- R-RESTRICT-1, R-ORG-8, R-ORG-6: only one's own posts.
                     AND (a.is_author OR coalesce((SELECT me.may_receive FROM council.me), false))
                   -- OFFSET 0: probe the audience for each row (one index
                   -- lookup); without it the planner may hash the caller's
                   -- whole audience first, a cost that grows with the posts.
                   OFFSET 0));

-- R-ORG-6: the coordinator sees every post; reads outside the scope are
-- audited.
CREATE POLICY posts_coordinator ON council.posts FOR SELECT
    TO council_app, council_writer
    USING (coalesce((SELECT me.is_coordinator FROM council.me), false)
           AND council.audit_post_read(id, false));

-- R-ORG-6: the secretariat, through an approved access case only; audited.
CREATE POLICY posts_access_case ON council.posts FOR SELECT
    TO council_app, council_writer
    USING (coalesce((SELECT me.is_secretariat FROM council.me), false)
           AND id IN (SELECT council.current_case_post_ids())
           AND council.audit_post_read(id, false));

-- R-SECRET-2, R-SECRET-3: secrets only to registered handlers of members
-- that did not opt out: everyone, the coordinator and the author included.
CREATE POLICY posts_secret ON council.posts AS RESTRICTIVE FOR SELECT
    TO council_app, council_writer
    USING (NOT is_secret OR coalesce((SELECT me.may_handle_secrets FROM council.me), false));

CREATE POLICY posts_insert ON council.posts FOR INSERT TO council_writer
    WITH CHECK ((SELECT me.person_id FROM council.me) IS NOT NULL);

-- Everything derived from a post is visible only with it.
CREATE POLICY post_bodies_visible ON council.post_bodies FOR SELECT
    TO council_app, council_writer
    USING (EXISTS (SELECT 1 FROM council.posts p WHERE p.id = post_bodies.post_id)
           AND council.audit_post_read(post_id, true));
CREATE POLICY post_bodies_insert ON council.post_bodies FOR INSERT TO council_writer
    WITH CHECK (council.post_author_org(post_id) = (SELECT me.org_id FROM council.me));

-- R-TF-6: a masked author is known only to its own organisation and the
-- coordinator.
CREATE POLICY post_authors_visible ON council.post_authors FOR SELECT
    TO council_app, council_writer
    USING (EXISTS (SELECT 1 FROM council.posts p WHERE p.id = post_authors.post_id)
           AND (NOT masked
                OR org_id = (SELECT me.org_id FROM council.me)
                OR coalesce((SELECT me.is_coordinator FROM council.me), false)));
-- Nobody posts as another person or organisation.
CREATE POLICY post_authors_insert ON council.post_authors FOR INSERT TO council_writer
    WITH CHECK (person_id = (SELECT me.person_id FROM council.me)
                AND org_id = (SELECT me.org_id FROM council.me));

CREATE POLICY post_scope_visible ON council.post_scope FOR SELECT
    TO council_app, council_writer
    USING (EXISTS (SELECT 1 FROM council.posts p WHERE p.id = post_scope.post_id));
CREATE POLICY post_scope_insert ON council.post_scope FOR INSERT TO council_writer
    WITH CHECK (council.post_author_org(post_id) = (SELECT me.org_id FROM council.me));

CREATE POLICY post_exclusions_visible ON council.post_exclusions FOR SELECT
    TO council_app, council_writer
    USING (EXISTS (SELECT 1 FROM council.posts p WHERE p.id = post_exclusions.post_id));
CREATE POLICY post_exclusions_insert ON council.post_exclusions FOR INSERT TO council_writer
    WITH CHECK (council.post_author_org(post_id) = (SELECT me.org_id FROM council.me));

-- A source is shown only where both ends are visible.
CREATE POLICY post_sources_visible ON council.post_sources FOR SELECT
    TO council_app, council_writer
    USING (EXISTS (SELECT 1 FROM council.posts p WHERE p.id = post_sources.post_id)
           AND EXISTS (SELECT 1 FROM council.posts p
                       WHERE p.id = post_sources.source_post_id));
CREATE POLICY post_sources_insert ON council.post_sources FOR INSERT TO council_writer
    WITH CHECK (council.post_author_org(post_id) = (SELECT me.org_id FROM council.me)
                AND EXISTS (SELECT 1 FROM council.posts p
                            WHERE p.id = post_sources.source_post_id));

-- R-SCOPE-4: consents concern the two givers (and the coordinator).
CREATE POLICY consents_visible ON council.consents FOR SELECT
    TO council_app, council_writer
    -- R-SCOPE-4: each party sees the consent through the post on its side:
    -- the derived post's author organisation while it sees the derived
    -- post, the giver while it sees its source (so it can decide), the
    -- coordinator while it sees either.  A giver thereby learns that a
    -- derived post it cannot read exists: asking for consent says so.
    -- (current_sees_post: the posts' own rule, without auditing a read.)
    USING ((council.post_author_org(post_id) = (SELECT me.org_id FROM council.me)
            AND council.current_sees_post(post_id))
           OR (council.post_author_org(source_post_id) = (SELECT me.org_id FROM council.me)
               AND council.current_sees_post(source_post_id))
           OR (coalesce((SELECT me.is_coordinator FROM council.me), false)
               AND (council.current_sees_post(post_id)
                    OR council.current_sees_post(source_post_id))));
CREATE POLICY consents_insert ON council.consents FOR INSERT TO council_writer
    WITH CHECK (council.post_author_org(post_id) = (SELECT me.org_id FROM council.me)
                AND status = 'pending');
-- Only the giver of the source decides.
CREATE POLICY consents_decide ON council.consents FOR UPDATE TO council_writer
    USING (council.post_author_org(source_post_id) = (SELECT me.org_id FROM council.me))
    WITH CHECK (decided_by = (SELECT me.person_id FROM council.me));

-- The audience rows: exactly those of the posts the caller sees through
-- its audience (its own organisation's rows), or all rows for the
-- coordinator; never a secret's row for one who may not handle it.
CREATE POLICY post_audience_own ON council.post_audience FOR SELECT
    TO council_app, council_writer
    USING ((NOT is_secret OR coalesce((SELECT me.may_handle_secrets FROM council.me), false))
           AND ((org_id = (SELECT me.org_id FROM council.me)
                 AND (is_author OR coalesce((SELECT me.may_receive FROM council.me), false)))
                OR coalesce((SELECT me.is_coordinator FROM council.me), false)));

-- R-NEW-2: a group is seen by its members, its owner and the coordinator.
CREATE POLICY groups_visible ON council.groups FOR SELECT
    TO council_app, council_writer
    USING (id IN (SELECT council.current_group_ids())
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));
CREATE POLICY group_members_visible ON council.group_members FOR SELECT
    TO council_app, council_writer
    USING (group_id IN (SELECT council.current_group_ids())
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));

-- R-ORG-6: access cases: the grantee, the steering committee, the
-- coordinator.
CREATE POLICY access_cases_visible ON council.access_cases FOR SELECT
    TO council_app, council_writer
    USING (granted_to = (SELECT me.person_id FROM council.me)
           OR coalesce((SELECT me.is_committee FROM council.me), false)
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));
CREATE POLICY access_cases_open ON council.access_cases FOR INSERT TO council_writer
    WITH CHECK (granted_to = (SELECT me.person_id FROM council.me)
                AND coalesce((SELECT me.is_secretariat FROM council.me), false)
                AND approved_by IS NULL);
CREATE POLICY access_cases_approve ON council.access_cases FOR UPDATE TO council_writer
    USING (coalesce((SELECT me.is_committee FROM council.me), false))
    WITH CHECK (approved_by = (SELECT me.person_id FROM council.me));
CREATE POLICY access_case_posts_visible ON council.access_case_posts FOR SELECT
    TO council_app, council_writer
    USING (case_id IN (SELECT id FROM council.access_cases));
CREATE POLICY access_case_posts_insert ON council.access_case_posts FOR INSERT
    TO council_writer
    WITH CHECK (case_id IN (SELECT id FROM council.access_cases
                            WHERE granted_to = (SELECT me.person_id FROM council.me)
                              AND approved_by IS NULL));

------------------------------------------------------------------------
-- Writes, as the calling person (owned by council_writer).
------------------------------------------------------------------------

-- Insert the scope entries of p from a JSON array (validated): each entry
-- is {"org": id} | {"group": id} | {"class": name} |
-- {"class": "sector", "sector": code} | {"class": "category",
-- "category": name}.  An organisation or group the caller cannot see is
-- answered like one that does not exist, and so is an organisation that
-- is not a member (R-SCOPE-1, R-ORG-3: an applicant, a refused, withdrawn,
-- expelled or dissolved organisation): nothing is shared with it, and the
-- answer does not tell that the id exists.
CREATE OR REPLACE FUNCTION council.scope_insert(p bigint, p_scope jsonb)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    e        jsonb;
    v_id     bigint;
    v_class  council.audience_class;
BEGIN
    IF jsonb_typeof(p_scope) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'invalid_scope' USING ERRCODE = 'CP422';
    END IF;
    IF jsonb_array_length(p_scope) = 0 THEN
        RAISE EXCEPTION 'empty_scope' USING ERRCODE = 'CP422';
    END IF;
    IF jsonb_array_length(p_scope) > 200 THEN
        RAISE EXCEPTION 'scope_too_large' USING ERRCODE = 'CP422';
    END IF;
    FOR e IN SELECT * FROM jsonb_array_elements(p_scope) LOOP
        IF jsonb_typeof(e) <> 'object' THEN
            RAISE EXCEPTION 'invalid_scope_entry' USING ERRCODE = 'CP422';
        ELSIF e ? 'org' THEN
            IF jsonb_typeof(e->'org') <> 'number' THEN
                RAISE EXCEPTION 'invalid_scope_entry' USING ERRCODE = 'CP422';
            END IF;
            SELECT id INTO v_id FROM council.organisations
            WHERE id = (e->>'org')::bigint AND status = 'member';
            IF v_id IS NULL THEN
                RAISE EXCEPTION 'organisation_not_found' USING ERRCODE = 'CP404';
            END IF;
            INSERT INTO council.post_scope (post_id, org_id) VALUES (p, v_id);
        ELSIF e ? 'group' THEN
            IF jsonb_typeof(e->'group') <> 'number' THEN
                RAISE EXCEPTION 'invalid_scope_entry' USING ERRCODE = 'CP422';
            END IF;
            SELECT id INTO v_id FROM council.groups
            WHERE id = (e->>'group')::bigint;
            IF v_id IS NULL THEN
                RAISE EXCEPTION 'group_not_found' USING ERRCODE = 'CP404';
            END IF;
            INSERT INTO council.post_scope (post_id, group_id) VALUES (p, v_id);
        ELSIF e ? 'class' THEN
            IF (e->>'class') IS NULL OR (e->>'class') NOT IN (SELECT unnest(
                   enum_range(NULL::council.audience_class))::text) THEN
                RAISE EXCEPTION 'invalid_scope_entry' USING ERRCODE = 'CP422';
            END IF;
            v_class := (e->>'class')::council.audience_class;
            IF v_class = 'sector' AND NOT EXISTS (
                   SELECT 1 FROM council.sectors WHERE code = e->>'sector') THEN
                RAISE EXCEPTION 'invalid_scope_entry' USING ERRCODE = 'CP422';
            END IF;
            IF v_class = 'category' AND (e->>'category') NOT IN (SELECT unnest(
                   enum_range(NULL::council.org_category))::text) THEN
                RAISE EXCEPTION 'invalid_scope_entry' USING ERRCODE = 'CP422';
            END IF;
            INSERT INTO council.post_scope (post_id, class, sector_code, category)
            VALUES (p, v_class,
                    CASE WHEN v_class = 'sector' THEN e->>'sector' END,
                    CASE WHEN v_class = 'category'
                         THEN (e->>'category')::council.org_category END);
        ELSE
            RAISE EXCEPTION 'invalid_scope_entry' USING ERRCODE = 'CP422';
        END IF;
    END LOOP;
END
$$;

-- R-SCOPE-4: ask each source's giver for consent where post p's named
-- scope reaches beyond the source's, unless it was asked already.  Runs
-- after p's audience is computed.
CREATE OR REPLACE FUNCTION council.consent_request(p bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_src bigint;
BEGIN
    FOR v_src IN SELECT ps.source_post_id FROM council.post_sources ps
                 WHERE ps.post_id = p
                   AND NOT EXISTS (SELECT 1 FROM council.consents c
                                   WHERE c.post_id = p
                                     AND c.source_post_id = ps.source_post_id)
    LOOP
        IF council.post_author_org(v_src) IS DISTINCT FROM council.current_org_id()
           AND EXISTS (SELECT x FROM council.audience_named(p) AS x
                       EXCEPT
                       SELECT a.org_id FROM council.post_audience a
                       WHERE a.post_id = v_src) THEN
            INSERT INTO council.consents (post_id, source_post_id)
            VALUES (p, v_src);
            PERFORM council.audit('consent.request', 'post', p,
                jsonb_build_object('source', v_src));
        END IF;
    END LOOP;
END
$$;

-- Create a post as the signed-in person (docs/sharing.md, "Writes").
--   p_scope      NULL: no designated scope (R-SCOPE-5); else a JSON array
--                (council.scope_insert); must be NULL for a reply
--   p_exclusions JSON array of {"org": id} | {"supervisors": true}
--                ("supervisors of my sector") | {"investigative": true}
--   p_sources    posts this one is derived from (R-SCOPE-4)
-- Returns the new post's id.
CREATE OR REPLACE FUNCTION council.create_post(
    p_kind council.post_kind, p_title text, p_body text, p_is_secret boolean,
    p_masked boolean DEFAULT false, p_scope jsonb DEFAULT NULL,
    p_exclusions jsonb DEFAULT '[]', p_sources bigint[] DEFAULT '{}',
    p_parent bigint DEFAULT NULL, p_confidence text DEFAULT NULL,
    p_deadline timestamptz DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person   bigint := council.current_person_id();
    v_org      council.organisations;
    v_id       bigint;
    v_tlp      council.tlp;
    v_parent   council.posts;
    v_src      bigint;
    e          jsonb;
    v_oid      bigint;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT o.* INTO v_org FROM council.organisations o
    WHERE o.id = council.current_org_id();
    IF v_org.gsoc_liaison THEN          -- R-ORG-8
        RAISE EXCEPTION 'liaison_member_posts_through_gsoc' USING ERRCODE = 'CP403';
    END IF;
    IF v_org.restricted THEN            -- R-RESTRICT-1
        RAISE EXCEPTION 'member_restricted' USING ERRCODE = 'CP403';
    END IF;
    IF p_is_secret IS NULL THEN         -- R-SECRET-1
        RAISE EXCEPTION 'secret_declaration_required' USING ERRCODE = 'CP422';
    END IF;
    IF p_is_secret AND NOT council.current_may_handle_secrets() THEN  -- R-SECRET-2/3
        RAISE EXCEPTION 'secret_needs_registered_handler' USING ERRCODE = 'CP403';
    END IF;
    -- R-SCOPE-3: what the secretariat provides (an alert) comes only from
    -- its two bodies, each with the scope it designates here.
    IF p_kind = 'alert' AND v_org.council_role IS NULL THEN
        RAISE EXCEPTION 'alert_only_from_secretariat' USING ERRCODE = 'CP403';
    END IF;
    IF (p_kind = 'countermeasure') <> (p_confidence IS NOT NULL)
       OR p_confidence NOT IN ('high', 'low') THEN
        RAISE EXCEPTION 'confidence_required_for_countermeasures' USING ERRCODE = 'CP422';
    END IF;
    -- R-TF-1: the Type 1 group asks the task force for feedback on its
    -- analyses and countermeasures, with a deadline (R-TF-5).
    -- R-ORG-6: not the general-affairs secretariat, even in the task force:
    -- it could not read the answers (feedback_tally).
    IF p_deadline IS NOT NULL
       AND (p_parent IS NOT NULL OR p_kind NOT IN ('analysis', 'countermeasure')
            OR NOT (v_org.council_role IS NOT DISTINCT FROM 'coordinator'
                    OR v_org.tf_class = 'type1')
            OR v_org.council_role IS NOT DISTINCT FROM 'secretariat') THEN
        RAISE EXCEPTION 'feedback_deadline_not_allowed' USING ERRCODE = 'CP422';
    END IF;
    IF p_deadline IS NOT NULL
       AND (p_deadline <= now() OR p_deadline > now() + interval '90 days') THEN
        RAISE EXCEPTION 'feedback_deadline_invalid' USING ERRCODE = 'CP422';
    END IF;
    IF p_title IS NULL OR length(btrim(p_title)) = 0 OR length(p_title) > 300
       OR p_body IS NULL OR length(p_body) > 200000 THEN
        RAISE EXCEPTION 'invalid_title_or_body' USING ERRCODE = 'CP422';
    END IF;
    p_exclusions := coalesce(p_exclusions, '[]');
    p_sources := coalesce(p_sources, '{}');
    -- R-SHARE-1: a consultation is private between the consulting member
    -- and its advisers; without a chosen scope it goes to JPCERT/CC and
    -- the Type 1 group, never to every member (R-SCOPE-5 does not apply).
    IF p_kind = 'consultation' AND p_parent IS NULL AND p_scope IS NULL THEN
        p_scope := '[{"class": "type1_group"}]';
    END IF;
    -- Text is sanitised on the way in: one line-break convention, and no
    -- control characters but tab and line feed (the page escapes the rest
    -- on the way out, server/markup.c).
    p_body := replace(replace(p_body, E'\r\n', E'\n'), E'\r', E'\n');
    IF p_body ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]'
       OR p_title ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'control_characters' USING ERRCODE = 'CP422';
    END IF;

    IF p_parent IS NOT NULL THEN
        -- As the caller sees it: a hidden parent does not exist.
        SELECT * INTO v_parent FROM council.posts WHERE id = p_parent;
        IF v_parent.id IS NULL THEN
            RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
        END IF;
        IF p_scope IS NOT NULL OR jsonb_array_length(p_exclusions) > 0
           OR cardinality(p_sources) > 0 THEN
            RAISE EXCEPTION 'reply_inherits_scope' USING ERRCODE = 'CP422';
        END IF;
        -- R-ORG-6: the general-affairs secretariat reads what others write
        -- only through an access case, which is for reading the minimum,
        -- not for taking part: it replies only to its own posts (a
        -- follow-up it can read), never to a post a case shows it.
        IF v_org.council_role IS NOT DISTINCT FROM 'secretariat'
           AND council.post_author_org(p_parent) IS DISTINCT FROM v_org.id THEN
            RAISE EXCEPTION 'secretariat_replies_to_own_posts_only' USING ERRCODE = 'CP403';
        END IF;
        -- R-SECRET-2: a reply to a secret is handled as one; otherwise a
        -- non-handler would see a reply naming a post it cannot see.
        IF v_parent.is_secret AND NOT p_is_secret THEN
            RAISE EXCEPTION 'reply_to_secret_must_be_secret' USING ERRCODE = 'CP422';
        END IF;
    ELSIF p_scope IS NULL AND p_is_secret THEN   -- R-SCOPE-5
        RAISE EXCEPTION 'secret_needs_scope' USING ERRCODE = 'CP422';
    END IF;
    FOREACH v_src IN ARRAY p_sources LOOP
        IF NOT EXISTS (SELECT 1 FROM council.posts WHERE id = v_src) THEN
            RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
        END IF;
    END LOOP;

    v_tlp := CASE
        WHEN p_is_secret THEN 'red'
        WHEN p_parent IS NOT NULL THEN v_parent.tlp
        WHEN p_scope IS NULL THEN 'clear'
        WHEN p_scope @> '[{"class": "all_members"}]' THEN 'green'
        WHEN jsonb_typeof(p_scope) = 'array' AND NOT EXISTS (
                 SELECT 1 FROM jsonb_array_elements(p_scope) x
                 WHERE NOT (jsonb_typeof(x) = 'object' AND x ? 'org')) THEN 'amber_strict'
        ELSE 'amber' END::council.tlp;
    -- The id is taken first: INSERT ... RETURNING would have to pass the
    -- SELECT policies, and the post has no audience yet.
    v_id := nextval(pg_get_serial_sequence('council.posts', 'id'));
    INSERT INTO council.posts (id, parent_id, kind, title, is_secret,
        confidence, scope_designated, tlp, feedback_deadline,
        shown_author_org)
    OVERRIDING SYSTEM VALUE
    VALUES (v_id, p_parent, p_kind, p_title, p_is_secret, p_confidence,
        p_parent IS NOT NULL OR p_scope IS NOT NULL, v_tlp, p_deadline,
        CASE WHEN coalesce(p_masked, false) THEN NULL ELSE v_org.id END);
    INSERT INTO council.post_authors (post_id, person_id, org_id, masked)
    VALUES (v_id, v_person, v_org.id, coalesce(p_masked, false));
    INSERT INTO council.post_bodies (post_id, body) VALUES (v_id, p_body);

    IF p_parent IS NULL AND p_scope IS NOT NULL THEN
        PERFORM council.scope_insert(v_id, p_scope);
    END IF;
    IF jsonb_typeof(p_exclusions) <> 'array' THEN
        RAISE EXCEPTION 'invalid_exclusions' USING ERRCODE = 'CP422';
    END IF;
    FOR e IN SELECT * FROM jsonb_array_elements(p_exclusions) LOOP
        IF jsonb_typeof(e) = 'object' AND e ? 'org'
           AND jsonb_typeof(e->'org') = 'number' THEN
            -- R-SCOPE-1: a non-member is answered like an unknown id here
            -- too (scope_insert).
            SELECT id INTO v_oid FROM council.organisations
            WHERE id = (e->>'org')::bigint AND status = 'member';
            IF v_oid IS NULL THEN
                RAISE EXCEPTION 'organisation_not_found' USING ERRCODE = 'CP404';
            END IF;
            INSERT INTO council.post_exclusions (post_id, kind, org_id)
            VALUES (v_id, 'org', v_oid);
        ELSIF e = '{"supervisors": true}' THEN      -- R-SCOPE-2
            IF v_org.sector_code IS NULL THEN
                RAISE EXCEPTION 'no_sector_to_exclude_supervisors_of' USING ERRCODE = 'CP422';
            END IF;
            INSERT INTO council.post_exclusions (post_id, kind, sector_code)
            VALUES (v_id, 'supervisors', v_org.sector_code);
        ELSIF e = '{"investigative": true}' THEN    -- R-SCOPE-2
            INSERT INTO council.post_exclusions (post_id, kind)
            VALUES (v_id, 'investigative');
        ELSE
            RAISE EXCEPTION 'invalid_exclusion' USING ERRCODE = 'CP422';
        END IF;
    END LOOP;

    INSERT INTO council.post_sources (post_id, source_post_id)
    SELECT DISTINCT v_id, s FROM unnest(p_sources) AS s;
    PERFORM council.scope_summary_refresh(v_id);         -- 0014
    PERFORM council.audience_refresh_post(v_id, false);
    -- R-SECRET-2, R-SECRET-3: a secret whose audience, beyond the author's
    -- organisation, holds only members that cannot receive it (no
    -- registered handler, or opted out of secrets) reaches nobody: refused.
    -- (One where some can is accepted: the preview names the others.)
    IF p_is_secret AND EXISTS (SELECT 1 FROM council.audience_secret_reach(v_id) r
                               WHERE NOT r.is_author)
       AND NOT EXISTS (SELECT 1 FROM council.audience_secret_reach(v_id) r
                       WHERE NOT r.is_author AND r.reason IS NULL) THEN
        RAISE EXCEPTION 'secret_no_recipient_can_receive' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.consent_request(v_id);
    PERFORM council.audit('post.create', 'post', v_id,
        jsonb_build_object('kind', p_kind, 'secret', p_is_secret,
                           'parent', p_parent, 'sources', to_jsonb(p_sources)));
    RETURN v_id;
END
$$;

-- R-SCOPE-4: the giver of a source grants or refuses a consent (R-SCOPE-3:
-- the secretariat body, for what it provided).
CREATE OR REPLACE FUNCTION council.decide_consent(p_consent bigint,
    p_grant boolean) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    c         council.consents;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT * INTO c FROM council.consents WHERE id = p_consent;
    IF c.id IS NULL THEN
        RAISE EXCEPTION 'consent_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF council.post_author_org(c.source_post_id)
       IS DISTINCT FROM council.current_org_id() THEN
        RAISE EXCEPTION 'only_the_giver_decides' USING ERRCODE = 'CP403';
    END IF;
    IF c.status <> 'pending' OR p_grant IS NULL THEN
        RAISE EXCEPTION 'consent_already_decided' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.consents
    SET status = CASE WHEN p_grant THEN 'granted' ELSE 'refused' END
                 ::council.consent_status,
        decided_at = now(), decided_by = v_person
    WHERE id = p_consent;
    PERFORM council.audience_refresh_post(c.post_id, true);
    PERFORM council.audit(CASE WHEN p_grant THEN 'consent.grant'
                               ELSE 'consent.refuse' END,
        'post', c.post_id, jsonb_build_object('source', c.source_post_id));
END
$$;

-- R-SCOPE-1: only the giver widens its post's scope; nothing narrows it.
-- R-SCOPE-3: the same for what the secretariat bodies provide: nobody but
-- the body that gave it exceeds the scope it designated.
CREATE OR REPLACE FUNCTION council.widen_scope(p_post bigint, p_scope jsonb)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.posts;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT * INTO v FROM council.posts WHERE id = p_post;
    IF v.id IS NULL THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF council.post_author_org(p_post) IS DISTINCT FROM council.current_org_id() THEN
        RAISE EXCEPTION 'only_the_giver_widens' USING ERRCODE = 'CP403';
    END IF;
    IF v.parent_id IS NOT NULL OR NOT v.scope_designated THEN
        RAISE EXCEPTION 'reply_inherits_scope' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.scope_insert(p_post, p_scope);
    PERFORM council.scope_summary_refresh(p_post);       -- 0014
    PERFORM council.audience_refresh_post(p_post, true);
    PERFORM council.consent_request(p_post);
    PERFORM council.audit('post.scope.widen', 'post', p_post,
        jsonb_build_object('added', p_scope));
END
$$;

-- R-ORG-6: a secretariat person asks for the minimum posts, with a reason.
CREATE OR REPLACE FUNCTION council.open_access_case(p_reason text,
    p_posts bigint[], p_expires timestamptz) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id  bigint;
    v_p   bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.current_is_secretariat() THEN
        RAISE EXCEPTION 'only_the_secretariat_opens_cases' USING ERRCODE = 'CP403';
    END IF;
    IF p_expires IS NULL OR p_expires <= now() OR p_expires > now() + interval '30 days'
       OR cardinality(p_posts) NOT BETWEEN 1 AND 50 THEN
        RAISE EXCEPTION 'invalid_access_case' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.access_cases (granted_to, reason, expires_at)
    VALUES (council.current_person_id(), p_reason, p_expires)
    RETURNING id INTO v_id;
    FOREACH v_p IN ARRAY p_posts LOOP
        IF NOT EXISTS (SELECT 1 FROM council.post_exists(v_p)) THEN
            RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
        END IF;
    END LOOP;
    INSERT INTO council.access_case_posts (case_id, post_id)
    SELECT DISTINCT v_id, x FROM unnest(p_posts) AS x;
    PERFORM council.audit('access_case.open', 'access_case', v_id,
        jsonb_build_object('posts', to_jsonb(p_posts), 'reason', p_reason));
    RETURN v_id;
END
$$;

-- Whether post p exists at all (the secretariat names posts it cannot
-- see; the committee decides).
CREATE OR REPLACE FUNCTION council.post_exists(p bigint) RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT id FROM council.posts WHERE id = p
$$;

-- R-ORG-6: a steering-committee member other than the grantee approves.
CREATE OR REPLACE FUNCTION council.approve_access_case(p_case bigint)
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
    SELECT * INTO c FROM council.access_cases WHERE id = p_case;
    IF c.id IS NULL THEN
        RAISE EXCEPTION 'access_case_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF NOT council.current_is_committee()
       OR c.granted_to = council.current_person_id() THEN
        RAISE EXCEPTION 'only_another_committee_member_approves' USING ERRCODE = 'CP403';
    END IF;
    IF c.approved_by IS NOT NULL THEN
        RAISE EXCEPTION 'access_case_already_approved' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.access_cases
    SET approved_by = council.current_person_id(), approved_at = now()
    WHERE id = p_case;
    PERFORM council.audit('access_case.approve', 'access_case', p_case, '{}');
END
$$;

-- The newest posts the caller may see, newest first, before an id.  The
-- policies select the rows.  For a member, the newest p_limit rows of its
-- audience (a backward range scan of post_audience's primary key) are
-- fetched first, then their posts by primary key: a fixed amount of work
-- whatever the number of posts (bench/feed-db.sh).  The coordinator walks
-- the posts' primary key.
CREATE OR REPLACE FUNCTION council.feed(p_limit integer DEFAULT 50,
    p_before bigint DEFAULT NULL) RETURNS SETOF council.posts
    LANGUAGE plpgsql VOLATILE
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
        RETURN QUERY SELECT * FROM council.posts p
            WHERE p_before IS NULL OR p.id < p_before
            ORDER BY p.id DESC LIMIT p_limit;
    ELSE
        RETURN QUERY SELECT p.* FROM (
                SELECT a.post_id FROM council.post_audience a
                WHERE a.org_id = (SELECT me.org_id FROM council.me)
                  AND a.post_id < coalesce(p_before, 9223372036854775807)
                ORDER BY a.post_id DESC LIMIT p_limit) a
            CROSS JOIN LATERAL (SELECT * FROM council.posts x
                                WHERE x.id = a.post_id) p
            ORDER BY p.id DESC;
    END IF;
END
$$;

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.scope_insert(bigint, jsonb) OWNER TO council_writer;
ALTER FUNCTION council.create_post(council.post_kind, text, text, boolean,
    boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz) OWNER TO council_writer;
ALTER FUNCTION council.decide_consent(bigint, boolean) OWNER TO council_writer;
ALTER FUNCTION council.widen_scope(bigint, jsonb) OWNER TO council_writer;
ALTER FUNCTION council.consent_request(bigint) OWNER TO council_writer;
ALTER FUNCTION council.open_access_case(text, bigint[], timestamptz) OWNER TO council_writer;
ALTER FUNCTION council.approve_access_case(bigint) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.post_exists(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.scope_insert(bigint, jsonb),
    council.consent_request(bigint),
    council.post_exists(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.post_exists(bigint) TO council_writer;

-- A migration that changed what an effective scope is (0020: membership
-- periods) asks for every audience to be computed again, once, now that
-- the functions above are those in force.
DO $$
BEGIN
    IF to_regclass('council_meta.audience_rebuild') IS NOT NULL
       AND EXISTS (SELECT 1 FROM council_meta.audience_rebuild) THEN
        PERFORM council.audience_refresh_all();
        DELETE FROM council_meta.audience_rebuild;
    END IF;
END $$;
