-- policy/41_sharing_policies.sql: who sees which post, and everything
-- derived from it (docs/sharing.md, "Who sees what"): the functions the
-- policies call, then the policies (R-ORG-6, R-SECRET-2, R-SECRET-3,
-- R-TF-6, R-NEW-2).  The consents' policies are in 43_sharing_consents.sql.
-- Re-applied by "councilctl migrate" (after policy/00_reset.sql).

-- The helpers below are PL/pgSQL, not SQL: PL/pgSQL keeps the plan of each
-- statement for the session, where a SQL function that cannot be inlined
-- is planned again at every call.

-- Posts granted to the caller through an approved, unexpired access case
-- that nobody closed (R-ORG-6: closing takes effect at once, issue 13
-- item 11; policy/81_access_cases.sql).
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
      AND c.expires_at > now()
      AND c.closed_at IS NULL;
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

-- Whether person q may read post p now, computed from the tables council.me
-- and the policies on posts below are made of (session_identity_refresh in
-- 10_identity.sql for the person, then posts_audience, posts_coordinator,
-- posts_access_case and posts_secret), for work done without that person's
-- session: the mailer (issue 17: a notification is mailed only while its
-- post is readable) and the notifications written for others.  No audit:
-- nobody reads anything here.  tests/sql/32_notify_sharing.sql holds it
-- equal to what each person's session reads, person by post.
CREATE OR REPLACE FUNCTION council.person_sees_post(q bigint, p bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN coalesce((
        -- R-ORG-3: an active person of a member.
        SELECT pe.active AND o.status = 'member'
           -- R-SECRET-2, R-SECRET-3: secrets only to registered handlers
           -- of members that did not opt out; R-NEW-6: whose training
           -- has not expired.
           AND (NOT x.is_secret
                OR (NOT o.secret_opt_out
                    AND EXISTS (SELECT 1 FROM council.handler_registrations h
                                WHERE h.person_id = pe.id AND h.deregistered_at IS NULL
                                  AND council.handler_secrets_until(h.trained_on) > now())))
           -- R-ORG-6: the coordinator sees every post; the secretariat
           -- through an approved, unexpired, unclosed access case.
           AND (o.council_role IS NOT DISTINCT FROM 'coordinator'
                OR (o.council_role IS NOT DISTINCT FROM 'secretariat'
                    AND EXISTS (SELECT 1 FROM council.access_cases c
                                JOIN council.access_case_posts cp ON cp.case_id = c.id
                                WHERE c.granted_to = pe.id AND cp.post_id = x.id
                                  AND c.approved_by IS NOT NULL AND c.expires_at > now()
                                  AND c.closed_at IS NULL))
                OR EXISTS (SELECT 1 FROM council.post_audience a
                           WHERE a.post_id = x.id AND a.org_id = o.id
                             -- R-RESTRICT-1, R-ORG-8, R-ORG-6: only one's own.
                             AND (a.is_author
                                  OR (NOT o.restricted AND NOT o.gsoc_liaison
                                      AND o.council_role IS DISTINCT FROM 'secretariat'))))
        FROM council.people pe
        JOIN council.organisations o ON o.id = pe.org_id
        JOIN council.posts x ON x.id = p
        WHERE pe.id = q), false);
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
                                 -- R-NEW-6: a handler whose training expired
                                 -- receives no secret.
                                 WHERE p.org_id = x.id AND p.active
                                   AND council.handler_secrets_until(h.trained_on) > now()) THEN 'no_handler'
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

-- Issue 17 (the explanatory preview): the organisations post p's scope
-- names that it does not reach, each with the rule that leaves it out, in
-- this order: 'excluded' (named in an exclusion, R-SCOPE-2),
-- 'supervisors' and 'investigative' (the author's exclusions, R-SCOPE-2),
-- 'not_member' (R-ORG-3, R-SCOPE-1: named by name or through a group,
-- but not a member, or not since before p; a class names members only, so
-- a class never lists non-members), 'secretariat' (R-ORG-6), 'liaison'
-- (reached through its GSOC member, R-ORG-8), 'consent' (R-SCOPE-4, until
-- a source's giver consents).  For the post's own author organisation
-- only (the preview); no row for anyone else.  A restriction
-- (R-RESTRICT-1) is not told: the committee's decisions are not public.
CREATE OR REPLACE FUNCTION council.audience_left_out(p bigint)
    RETURNS TABLE (org_id bigint, reason text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM council.post_authors pa
                   WHERE pa.post_id = p AND pa.org_id = council.current_org_id()) THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH named AS (
        SELECT o.id, false AS by_name FROM council.organisations o, council.posts x
        WHERE x.id = p AND NOT x.scope_designated AND x.parent_id IS NULL
        UNION ALL
        SELECT s.org_id, true FROM council.post_scope s
        WHERE s.post_id = p AND s.org_id IS NOT NULL
        UNION ALL
        SELECT gm.org_id, true FROM council.post_scope s
        JOIN council.group_members gm ON gm.group_id = s.group_id
        WHERE s.post_id = p
        UNION ALL
        SELECT o.id, false FROM council.post_scope s
        JOIN council.organisations o ON council.class_includes(s, o)
        WHERE s.post_id = p AND s.class IS NOT NULL
    ), n AS (
        SELECT named.id, bool_or(named.by_name) AS by_name FROM named GROUP BY named.id
    ), e AS (
        SELECT n.id, n.by_name, o.council_role, o.gsoc_liaison,
               o.status = 'member' AND EXISTS (
                   SELECT 1 FROM council.org_memberships m
                   WHERE m.org_id = o.id AND m.until IS NULL AND m.first_post <= p) AS member
        FROM n JOIN council.organisations o ON o.id = n.id
        WHERE NOT EXISTS (SELECT 1 FROM council.post_audience a
                          WHERE a.post_id = p AND a.org_id = n.id)
    )
    SELECT e.id, CASE
        WHEN EXISTS (SELECT 1 FROM council.post_exclusions x
                     WHERE x.post_id = p AND x.kind = 'org' AND x.org_id = e.id) THEN 'excluded'
        WHEN EXISTS (SELECT 1 FROM council.post_exclusions x
                     JOIN council.org_supervises sv ON sv.sector_code = x.sector_code
                     WHERE x.post_id = p AND x.kind = 'supervisors' AND sv.org_id = e.id)
            THEN 'supervisors'
        WHEN EXISTS (SELECT 1 FROM council.post_exclusions x
                     JOIN council.organisations o ON o.is_investigative AND o.id = e.id
                     WHERE x.post_id = p AND x.kind = 'investigative') THEN 'investigative'
        WHEN NOT e.member THEN 'not_member'
        WHEN e.council_role IS NOT DISTINCT FROM 'secretariat' THEN 'secretariat'
        WHEN e.gsoc_liaison THEN 'liaison'
        ELSE 'consent' END
    FROM e
    WHERE e.member OR e.by_name;
END
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.post_author_org(bigint) OWNER TO council_definer;
ALTER FUNCTION council.current_group_ids() OWNER TO council_definer;
ALTER FUNCTION council.audit_post_read(bigint, boolean) OWNER TO council_definer;
ALTER FUNCTION council.current_sees_post(bigint) OWNER TO council_definer;
ALTER FUNCTION council.person_sees_post(bigint, bigint) OWNER TO council_definer;
ALTER FUNCTION council.current_case_post_ids() OWNER TO council_definer;
ALTER FUNCTION council.org_secret_block(bigint) OWNER TO council_definer;
ALTER FUNCTION council.audience_secret_reach(bigint) OWNER TO council_definer;
ALTER FUNCTION council.audience_left_out(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.audience_secret_reach(bigint),
    council.audience_left_out(bigint), council.org_secret_block(bigint), council.person_sees_post(bigint, bigint) FROM PUBLIC;
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
