-- policy/40_sharing_audience.sql: whom each post reaches, the effective
-- scope computed into post_audience (fan-out).  The specification is
-- docs/sharing.md; rule IDs are those of ../shared/council-rules.md.
-- Re-applied by "councilctl migrate".
--
-- Sharing is four files, applied in this order:
--   40_sharing_audience.sql  audience_*, SECURITY DEFINER owned by
--                 council_definer: compute the effective scope of a post
--                 into post_audience.  They read everything and decide
--                 nothing about the caller.
--   41_sharing_policies.sql  the single statement of who sees what, and
--                 the functions the policies call.
--   42_sharing_writes.sql    create_post, widen_scope, *_access_case:
--                 SECURITY DEFINER owned by council_writer, which is under
--                 the very policies council_app is, so these see exactly
--                 what the calling person sees; they may insert what the
--                 rules allow, and check the rest.
--   43_sharing_consents.sql  the consent of a source's giver (R-SCOPE-4).
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
-- A post drawn from an incident report (issue 13 item 5) is limited the
-- same way to the report's parties until the reporter consents, and always
-- reaches the reporter.
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
          -- R-SCOPE-4 for a report's warning (issue 13 item 5): only the
          -- report's parties until its reporter consents.
          AND NOT EXISTS (
              SELECT 1 FROM council.post_case_sources cs
              WHERE cs.post_id = p AND cs.incident_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM council.consents c
                                WHERE c.post_id = p
                                  AND c.source_incident_id = cs.incident_id
                                  AND c.status = 'granted')
                AND NOT council.incident_party(cs.incident_id, n.id))
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
    WHERE a.post_id = p AND m.first_post <= p
    UNION
    -- Issue 13 item 5 (R-SCOPE-4, R-NEW-5): the reporter of the report a
    -- warning is drawn from reads it, on the author's terms: it is asked
    -- to consent to what it says, and sees what its report led to.
    SELECT r.org_id FROM council.post_case_sources cs
    JOIN council.incident_reports r ON r.id = cs.incident_id
    JOIN council.organisations o ON o.id = r.org_id AND o.status = 'member'
    JOIN council.org_memberships m ON m.org_id = r.org_id AND m.until IS NULL
    WHERE cs.post_id = p AND m.first_post <= p
      AND o.council_role IS DISTINCT FROM 'secretariat';
END
$$;

-- Issue 17 (item 10): the TLP label of post p from the audience it
-- reaches.  The label its scope designates, as create_post sets it (red
-- for a secret; clear without a designated scope; green with every member
-- named; amber_strict for named organisations only; amber otherwise; a
-- reply takes its parent's), except that a post reaching fewer members
-- than its scope names (R-SCOPE-4: a source's giver has not consented)
-- is not CLEAR or GREEN but AMBER, until it reaches them.
CREATE OR REPLACE FUNCTION council.tlp_reached(p bigint) RETURNS council.tlp
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.posts;
    v  council.tlp;
BEGIN
    SELECT * INTO x FROM council.posts WHERE id = p;
    IF x.is_secret THEN
        RETURN 'red';
    ELSIF x.parent_id IS NOT NULL THEN
        RETURN (SELECT y.tlp FROM council.posts y WHERE y.id = x.parent_id);
    END IF;
    v := CASE
        WHEN NOT x.scope_designated THEN 'clear'
        WHEN EXISTS (SELECT 1 FROM council.post_scope s
                     WHERE s.post_id = p AND s.class = 'all_members') THEN 'green'
        WHEN NOT EXISTS (SELECT 1 FROM council.post_scope s
                         WHERE s.post_id = p AND s.org_id IS NULL) THEN 'amber_strict'
        ELSE 'amber' END;
    IF v IN ('clear', 'green') AND EXISTS (
            SELECT n FROM council.audience_named(p) AS n
            EXCEPT
            SELECT a.org_id FROM council.post_audience a WHERE a.post_id = p) THEN
        v := 'amber';
    END IF;
    RETURN v;
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
    -- Issue 17: the label of what can reach less than its scope (a
    -- derived post) or inherits it (a reply) follows its audience.
    IF EXISTS (SELECT 1 FROM council.posts y WHERE y.id = p AND y.parent_id IS NOT NULL)
       OR EXISTS (SELECT 1 FROM council.post_sources ps WHERE ps.post_id = p)
       OR EXISTS (SELECT 1 FROM council.post_case_sources cs WHERE cs.post_id = p) THEN
        UPDATE council.posts y SET tlp = t.v
        FROM (SELECT council.tlp_reached(p) AS v) t
        WHERE y.id = p AND y.tlp IS DISTINCT FROM t.v;
    END IF;
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
--   without a granted consent, step 5), or
--   O reported the incident P's warning is drawn from (issue 13 item 5);
--   a warning fails for O, until its reporter consents, when O is not a
--   party of the report (council.incident_party).
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
    -- Issue 13 item 5: the reporter of the report a warning is drawn from,
    -- like an author (no dependency limits it).
    rpt AS MATERIALIZED (
        SELECT r.id AS org_id, cs.post_id FROM mem r
        JOIN council.incident_reports ir ON ir.org_id = r.id
        JOIN council.post_case_sources cs ON cs.incident_id = ir.id
                                          AND cs.post_id >= r.first_post
        WHERE NOT r.is_sec
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
          AND NOT EXISTS (SELECT 1 FROM rpt a
                          WHERE a.org_id = c.org_id AND a.post_id = d.dep)
        UNION
        -- R-SCOPE-4, issue 13 item 5: a report's warning reaches only the
        -- report's parties until the reporter consents.
        SELECT c.org_id, c.post_id FROM cand c
        JOIN council.post_case_sources cs ON cs.post_id = c.post_id
                                          AND cs.incident_id IS NOT NULL
        WHERE NOT EXISTS (SELECT 1 FROM council.consents k
                          WHERE k.post_id = cs.post_id
                            AND k.source_incident_id = cs.incident_id
                            AND k.status = 'granted')
          AND NOT council.incident_party(cs.incident_id, c.org_id)
        UNION
        SELECT c.org_id, c.post_id FROM fail f
        JOIN deps d ON d.dep = f.post_id
        JOIN cand c ON c.post_id = d.post_id AND c.org_id = f.org_id)
    SELECT a.org_id, a.post_id, true, x.is_secret
    FROM auth a JOIN council.posts x ON x.id = a.post_id
    UNION ALL
    SELECT c.org_id, c.post_id, false, x.is_secret
    FROM (SELECT org_id, post_id FROM cand EXCEPT SELECT org_id, post_id FROM fail
          UNION SELECT org_id, post_id FROM rpt) c
    JOIN council.posts x ON x.id = c.post_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Organisations os changed what places them in scopes (class, sector,
-- role, investigative flag, routing, supervision): their rows and those of
-- the GSOC members they are routed through now, rebuilt for every post at
-- once (the per-element argument: docs/sharing.md "Keeping effective
-- scopes current").  A changed channel's old GSOC member must be in os.
CREATE OR REPLACE FUNCTION council.audience_rebuild_changed(os bigint[])
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN council.audience_rebuild_orgs(ARRAY(
        SELECT unnest(os)
        UNION
        SELECT x.liaison_via FROM council.organisations x
        WHERE x.id = ANY (os) AND x.gsoc_liaison AND x.liaison_via IS NOT NULL));
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
-- old channel too.  Those are rebuilt set-based as well (issue 12 item 2),
-- with the GSOC members they are routed through, old and new: whether an
-- organisation is in a post's scope depends on the post and on that
-- organisation alone (class_includes, exclusions, routing, R-SHARE-1's
-- pair, dependencies: each per element, docs/sharing.md), so a class,
-- sector, role, investigative or routing change moves no other
-- organisation's rows but its GSOC member's.  The post-by-post
-- audience_refresh_orgs (339-370 posts/s, minutes at 1M posts) is left
-- for a deleted organisation, which has no rows.
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
    IF cardinality(os) > 0 AND TG_OP = 'DELETE' THEN
        PERFORM council.audience_refresh_orgs(os);
    ELSIF cardinality(os) > 0 THEN
        -- R-SCOPE-1, R-SCOPE-2, R-ORG-8, R-TF-1, R-TF-2 (the old channel
        -- is in os already).
        PERFORM council.audience_rebuild_changed(os);
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
    -- R-SCOPE-2: supervising a sector excludes the supervisor from posts
    -- excluding that sector's supervisors, per element: its own rows and
    -- its GSOC member's, set-based (as audience_on_org_change).
    IF cardinality(os) > 0 THEN
        PERFORM council.audience_rebuild_changed(os);
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

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.audience_named(bigint) OWNER TO council_definer;
ALTER FUNCTION council.audience_compute(bigint) OWNER TO council_definer;
ALTER FUNCTION council.tlp_reached(bigint) OWNER TO council_definer;
ALTER FUNCTION council.audience_refresh_post(bigint, boolean) OWNER TO council_definer;
ALTER FUNCTION council.audience_refresh_all() OWNER TO council_definer;
ALTER FUNCTION council.audience_on_group_change() OWNER TO council_definer;
ALTER FUNCTION council.audience_on_org_change() OWNER TO council_definer;
ALTER FUNCTION council.audience_on_supervises_change() OWNER TO council_definer;
ALTER FUNCTION council.audience_refresh_orgs(bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.audience_rebuild_orgs(bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.audience_rebuild_changed(bigint[]) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.audience_named(bigint),
    council.audience_compute(bigint), council.tlp_reached(bigint),
    council.audience_refresh_post(bigint, boolean),
    council.audience_refresh_all(),
    council.audience_refresh_orgs(bigint[]),
    council.audience_rebuild_orgs(bigint[]),
    council.audience_rebuild_changed(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.audience_named(bigint),
    council.audience_refresh_post(bigint, boolean),
    council.audience_refresh_all() TO council_writer, council_owner;
GRANT EXECUTE ON FUNCTION council.audience_rebuild_orgs(bigint[]) TO council_owner;

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
