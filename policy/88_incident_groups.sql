-- policy/88_incident_groups.sql: per-incident groups (issue 13 item 10;
-- R-NEW-2, R-NEW-3, R-SCOPE-4; docs/incidents.md "Per-incident groups").
-- An authority an incident report was delivered to, or the coordinator,
-- opens a group of kind 'incident' from the report: owned by its
-- organisation, its first members the owner and the reporter's
-- organisation.  Every other member is proposed by the owner (or the
-- coordinator) and becomes a member only when the reporter consents to
-- it, one by one (seed 002 ch. 4 §2(2): what a member gives is passed on
-- only within its consent); a refusal is final.  Members name the group
-- as a scope like any group; a member added changes the audience of every
-- post naming the group at once (the trigger audience_group,
-- 40_sharing_audience.sql).  council.group_set_member (83_groups.sql)
-- refuses to add to such a group directly, and to remove the reporter.
-- Re-applied by "councilctl migrate".  Errors: MESSAGE a stable code,
-- SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- Who sees what (each through its registered handlers and its
-- administrator, R-ORG-4: a per-incident group is about an incident the
-- council holds in confidence):
--   the group and its members   its members, its owner, the coordinator
--                               (groups_visible), only people who may
--                               touch incident reports
--   the report it comes from    those of them who see the report
--                               (incident_visible): a member added with
--                               consent does not learn the report's number
--   the proposals               the owner, the reporter, the coordinator
--                               (the principals); other members see those
--                               granted; an organisation proposed sees
--                               nothing until the reporter grants it
-- Anyone else finds nothing: a hidden group id answers exactly like an
-- absent one (CP404 incident_group_not_found), and no list counts it.

------------------------------------------------------------------------
-- Who sees what.
------------------------------------------------------------------------

-- Group g is a per-incident group (opened from a report).  SECURITY
-- DEFINER: reads incident_groups under no policy (its own calls this).
CREATE OR REPLACE FUNCTION council.incident_group_is(g bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (SELECT 1 FROM council.incident_groups WHERE group_id = g)
$$;

-- R-NEW-2: the caller sees per-incident group g: its organisation is a
-- member or the owner, or it is the coordinator; and it may touch
-- reports at all (council.incident_may_touch).
CREATE OR REPLACE FUNCTION council.incident_group_visible(g bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m, council.incident_groups ig
        JOIN council.groups gr ON gr.id = ig.group_id
        WHERE ig.group_id = g
          AND (m.is_coordinator OR gr.owner_org_id = m.org_id
               OR EXISTS (SELECT 1 FROM council.group_members gm
                          WHERE gm.group_id = g AND gm.org_id = m.org_id)))
$$;

-- R-SCOPE-4: the caller is a principal of per-incident group g: its
-- owner, the reporter of its report, or the coordinator (who see every
-- proposal with the reporter's answer).
CREATE OR REPLACE FUNCTION council.incident_group_principal(g bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m, council.incident_groups ig
        JOIN council.groups gr ON gr.id = ig.group_id
        JOIN council.incident_reports r ON r.id = ig.report_id
        WHERE ig.group_id = g
          AND (m.is_coordinator OR gr.owner_org_id = m.org_id OR r.org_id = m.org_id))
$$;

-- Signed in (else CP401) and sees per-incident group g (else CP404
-- incident_group_not_found, exactly as for an absent id or a group of
-- another kind).  Returns its row of incident_groups.
CREATE OR REPLACE FUNCTION council.incident_group_require(g bigint) RETURNS council.incident_groups
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.incident_groups;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF g IS NULL OR NOT council.incident_group_visible(g) THEN
        RAISE EXCEPTION 'incident_group_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT * INTO x FROM council.incident_groups WHERE group_id = g;
    RETURN x;
END
$$;

------------------------------------------------------------------------
-- Writing.
------------------------------------------------------------------------

-- R-NEW-2: the caller, an authority report r was delivered to or the
-- coordinator (council.incident_may_draft), opens a per-incident group
-- p_slug (p_name_ja, p_name_en) from it, owned by its organisation.  Its
-- first members are the owner and the reporter's organisation: neither
-- needs consent (the reporter is the one who gives it).  A hidden report
-- answers like an absent one (CP404 incident_not_found).  The reporter is
-- told (a number, no content).  Returns the group's id.
CREATE OR REPLACE FUNCTION council.incident_group_open(r bigint, p_slug text,
    p_name_ja text, p_name_en text) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_org_id();
    v_rep  bigint;
    v_id   bigint;
BEGIN
    PERFORM council.incident_require(r);
    IF NOT council.incident_may_draft(r) THEN
        RAISE EXCEPTION 'only_authorities_open_groups' USING ERRCODE = 'CP403';
    END IF;
    IF p_slug IS NULL OR p_slug !~ '^[a-z0-9][a-z0-9-]{1,62}$' THEN
        RAISE EXCEPTION 'invalid_slug' USING ERRCODE = 'CP422';
    END IF;
    IF p_name_ja IS NULL OR length(btrim(p_name_ja)) NOT BETWEEN 1 AND 200
       OR p_name_en IS NULL OR length(btrim(p_name_en)) NOT BETWEEN 1 AND 200
       OR p_name_ja ~ '[\x01-\x1f\x7f]' OR p_name_en ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_name' USING ERRCODE = 'CP422';
    END IF;
    IF EXISTS (SELECT 1 FROM council.groups WHERE slug = p_slug) THEN
        RAISE EXCEPTION 'slug_taken' USING ERRCODE = 'CP409';
    END IF;
    IF (SELECT count(*) FROM council.incident_groups WHERE report_id = r) >= 20 THEN
        RAISE EXCEPTION 'too_many_groups' USING ERRCODE = 'CP409';
    END IF;
    SELECT org_id INTO v_rep FROM council.incident_reports WHERE id = r;
    INSERT INTO council.groups (slug, name_ja, name_en, kind, owner_org_id)
    VALUES (p_slug, btrim(p_name_ja), btrim(p_name_en), 'incident', v_org)
    RETURNING id INTO v_id;
    INSERT INTO council.incident_groups (group_id, report_id, opened_by)
    VALUES (v_id, r, council.current_person_id());
    INSERT INTO council.group_members (group_id, org_id)
    SELECT v_id, o FROM (VALUES (v_org), (v_rep)) v(o) GROUP BY o;
    IF v_rep <> v_org THEN
        PERFORM council.incident_tell(v_rep, 'incident.group_opened',
            format('インシデント報告 #%s からグループ #%s が作られました', r, v_id),
            format('Incident report #%s: group #%s was opened', r, v_id),
            '/incidents/' || r || '/groups', 'incident_group.opened:' || v_id);
    END IF;
    PERFORM council.audit('incident_group.open', 'group', v_id,
        jsonb_build_object('report', r, 'slug', p_slug));
    RETURN v_id;
END
$$;

-- R-NEW-2, R-SCOPE-4: the owner of per-incident group g (or the
-- coordinator) proposes organisation p_org (a member of the council) as a
-- member.  It waits for the reporter's consent and sees nothing before;
-- the reporter is told (a number, no content).  Refused: already a member
-- (CP409 already_member), already proposed and pending (CP409
-- already_proposed), refused before (CP409 proposal_refused: final).  A
-- member granted and later removed may be proposed again: the reporter is
-- asked again.  At most 200 proposals per group.
CREATE OR REPLACE FUNCTION council.incident_group_propose(g bigint, p_org bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x   council.incident_groups := council.incident_group_require(g);
    p   council.incident_group_proposals;
    v_rep  bigint;
BEGIN
    IF NOT ((SELECT owner_org_id FROM council.groups WHERE id = g) = council.current_org_id()
            OR council.current_is_coordinator()) THEN
        RAISE EXCEPTION 'only_the_owner' USING ERRCODE = 'CP403';
    END IF;
    IF p_org IS NULL OR NOT EXISTS (SELECT 1 FROM council.organisations
                                    WHERE id = p_org AND status = 'member') THEN
        RAISE EXCEPTION 'invalid_member' USING ERRCODE = 'CP422';
    END IF;
    IF EXISTS (SELECT 1 FROM council.group_members WHERE group_id = g AND org_id = p_org) THEN
        RAISE EXCEPTION 'already_member' USING ERRCODE = 'CP409';
    END IF;
    -- One proposal at a time per group (its count and its row).
    PERFORM pg_advisory_xact_lock(hashtext('council.incident_group_proposals'), hashtext(g::text));
    SELECT * INTO p FROM council.incident_group_proposals WHERE group_id = g AND org_id = p_org;
    IF p.status = 'pending' THEN
        RAISE EXCEPTION 'already_proposed' USING ERRCODE = 'CP409';
    ELSIF p.status = 'refused' THEN
        RAISE EXCEPTION 'proposal_refused' USING ERRCODE = 'CP409';
    ELSIF p.status = 'granted' THEN
        UPDATE council.incident_group_proposals
        SET status = 'pending', proposed_by = council.current_person_id(), proposed_at = now(),
            decided_at = NULL, decided_by = NULL
        WHERE group_id = g AND org_id = p_org;
    ELSE
        IF (SELECT count(*) FROM council.incident_group_proposals WHERE group_id = g) >= 200 THEN
            RAISE EXCEPTION 'too_many_proposals' USING ERRCODE = 'CP409';
        END IF;
        INSERT INTO council.incident_group_proposals (group_id, org_id, proposed_by)
        VALUES (g, p_org, council.current_person_id());
    END IF;
    SELECT org_id INTO v_rep FROM council.incident_reports WHERE id = x.report_id;
    PERFORM council.incident_tell(v_rep, 'incident.group_proposed',
        format('グループ #%s への参加について同意を求められています', g),
        format('Group #%s: your consent is asked for a new member', g),
        '/incidents/' || x.report_id || '/groups',
        'incident_group.proposed:' || g || ':' || p_org || ':'
            || (extract(epoch FROM now()) * 1000)::bigint);
    PERFORM council.audit('incident_group.propose', 'group', g, jsonb_build_object('org', p_org));
END
$$;

-- R-SCOPE-4: the reporter (its handlers and its administrator) answers
-- the pending proposal of p_org for per-incident group g: granted, the
-- organisation becomes a member at once (the audience of every post
-- naming the group follows); refused, it never is (final) and is never
-- told.  Only the reporter decides (CP403 only_the_reporter); an
-- organisation not proposed: CP422 not_proposed; answered before: CP409
-- already_decided.  The owner is told, and on a grant the new member.
CREATE OR REPLACE FUNCTION council.incident_group_decide(g bigint, p_org bigint,
    p_grant boolean) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x      council.incident_groups := council.incident_group_require(g);
    p      council.incident_group_proposals;
    v_own  bigint := (SELECT owner_org_id FROM council.groups WHERE id = g);
BEGIN
    IF (SELECT org_id FROM council.incident_reports WHERE id = x.report_id)
       IS DISTINCT FROM council.current_org_id() THEN
        RAISE EXCEPTION 'only_the_reporter' USING ERRCODE = 'CP403';
    END IF;
    IF p_grant IS NULL THEN
        RAISE EXCEPTION 'invalid_grant' USING ERRCODE = 'CP422';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('council.incident_group_proposals'), hashtext(g::text));
    SELECT * INTO p FROM council.incident_group_proposals WHERE group_id = g AND org_id = p_org;
    IF p.group_id IS NULL THEN
        RAISE EXCEPTION 'not_proposed' USING ERRCODE = 'CP422';
    END IF;
    IF p.status <> 'pending' THEN
        RAISE EXCEPTION 'already_decided' USING ERRCODE = 'CP409';
    END IF;
    IF p_grant AND NOT EXISTS (SELECT 1 FROM council.organisations
                               WHERE id = p_org AND status = 'member') THEN
        RAISE EXCEPTION 'invalid_member' USING ERRCODE = 'CP409';
    END IF;
    UPDATE council.incident_group_proposals
    SET status = CASE WHEN p_grant THEN 'granted' ELSE 'refused' END::council.incident_group_consent,
        decided_at = now(), decided_by = council.current_person_id()
    WHERE group_id = g AND org_id = p_org;
    IF p_grant THEN
        INSERT INTO council.group_members (group_id, org_id) VALUES (g, p_org)
        ON CONFLICT DO NOTHING;
        PERFORM council.incident_tell(p_org, 'incident.group_added',
            format('グループ #%s のメンバーになりました', g),
            format('Your organisation was added to group #%s', g),
            '/groups', 'incident_group.added:' || g || ':'
                || (extract(epoch FROM now()) * 1000)::bigint);
    END IF;
    PERFORM council.incident_tell(v_own, 'incident.group_decided',
        format('グループ #%s への参加の提案に報告者が回答しました', g),
        format('Group #%s: the reporter answered a proposal', g),
        '/incidents/' || x.report_id || '/groups',
        'incident_group.decided:' || g || ':' || p_org || ':'
            || (extract(epoch FROM now()) * 1000)::bigint);
    PERFORM council.audit(CASE WHEN p_grant THEN 'incident_group.grant'
                               ELSE 'incident_group.refuse' END,
        'group', g, jsonb_build_object('org', p_org));
END
$$;

------------------------------------------------------------------------
-- Reading (as the caller: the policies below decide).
------------------------------------------------------------------------

-- R-NEW-2: per-incident group g as the caller sees it (CP404
-- incident_group_not_found when hidden or absent): its names, its owner,
-- the report it comes from (NULL to a member that does not see the
-- report), its members, the proposals the caller sees, and what the
-- caller may do.
CREATE OR REPLACE FUNCTION council.incident_group(g bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_org_id();
    v_rep  bigint;
    gr     council.groups;
    v_r    bigint;
BEGIN
    PERFORM council.incident_group_require(g);
    SELECT * INTO gr FROM council.groups WHERE id = g;
    SELECT ig.report_id, r.org_id INTO v_r, v_rep
    FROM council.incident_groups ig JOIN council.incident_reports r ON r.id = ig.report_id
    WHERE ig.group_id = g;
    RETURN json_build_object(
        'id', gr.id, 'slug', gr.slug, 'name_ja', gr.name_ja, 'name_en', gr.name_en,
        'kind', gr.kind, 'report', v_r, 'owner', gr.owner_org_id,
        'owner_name_ja', (SELECT name_ja FROM council.organisations WHERE id = gr.owner_org_id),
        'owner_name_en', (SELECT name_en FROM council.organisations WHERE id = gr.owner_org_id),
        'reporter', v_rep, 'created_at', gr.created_at,
        'members', coalesce((SELECT json_agg(json_build_object('org', m.org_id,
                'name_ja', o.name_ja, 'name_en', o.name_en) ORDER BY m.org_id)
                FROM council.group_members m JOIN council.organisations o ON o.id = m.org_id
                WHERE m.group_id = g), '[]'),
        'proposals', coalesce((SELECT json_agg(json_build_object('org', p.org_id,
                'name_ja', o.name_ja, 'name_en', o.name_en, 'status', p.status,
                'proposed_at', p.proposed_at, 'decided_at', p.decided_at) ORDER BY p.org_id)
                FROM council.incident_group_proposals p
                JOIN council.organisations o ON o.id = p.org_id
                WHERE p.group_id = g), '[]'),
        'owner_is_me', gr.owner_org_id = v_org,
        'reporter_is_me', v_rep IS NOT NULL AND v_rep = v_org,
        'may_propose', gr.owner_org_id = v_org OR council.current_is_coordinator(),
        'may_decide', v_rep IS NOT NULL AND v_rep = v_org
            AND EXISTS (SELECT 1 FROM council.incident_group_proposals p
                        WHERE p.group_id = g AND p.status = 'pending'));
END
$$;

-- R-NEW-2: the per-incident groups of report r the caller sees (CP404
-- incident_not_found when the report is hidden or absent), newest first,
-- and whether the caller may open one.
CREATE OR REPLACE FUNCTION council.incident_groups_of(r bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    PERFORM council.incident_require(r);
    RETURN (SELECT json_build_object('may_open', council.incident_may_draft(r),
            'groups', coalesce(json_agg(json_build_object(
                'id', gr.id, 'slug', gr.slug, 'name_ja', gr.name_ja, 'name_en', gr.name_en,
                'owner', gr.owner_org_id,
                'members', (SELECT count(*) FROM council.group_members m WHERE m.group_id = gr.id),
                'pending', (SELECT count(*) FROM council.incident_group_proposals p
                            WHERE p.group_id = gr.id AND p.status = 'pending'))
                ORDER BY gr.id DESC), '[]'))
        FROM council.incident_groups ig JOIN council.groups gr ON gr.id = ig.group_id
        WHERE ig.report_id = r);
END
$$;

-- R-NEW-2: a per-incident group and its members are seen only by people
-- who may touch incident reports (R-ORG-4), in addition to groups_visible
-- and group_members_visible (41_sharing_policies.sql).
CREATE POLICY groups_incident ON council.groups AS RESTRICTIVE FOR SELECT
    TO council_app, council_writer
    USING (kind <> 'incident' OR council.incident_may_touch());
CREATE POLICY group_members_incident ON council.group_members AS RESTRICTIVE FOR SELECT
    TO council_app, council_writer
    USING (NOT council.incident_group_is(group_id) OR council.incident_may_touch());
-- The report a group comes from: for those who see both.
CREATE POLICY incident_groups_visible ON council.incident_groups FOR SELECT
    TO council_app, council_writer
    USING (council.incident_group_visible(group_id) AND council.incident_visible(report_id));
-- R-SCOPE-4: the proposals: a principal all, with the reporter's answer;
-- another member those granted.
CREATE POLICY incident_group_proposals_visible ON council.incident_group_proposals FOR SELECT
    TO council_app, council_writer
    USING (council.incident_group_principal(group_id)
           OR (status = 'granted' AND council.incident_group_visible(group_id)));

------------------------------------------------------------------------
-- The JSON API's row (docs/api.md), through the door council.api_call
-- (policy/15_api.sql).
------------------------------------------------------------------------

-- POST /api/v1/incidents/N/groups {slug, name_ja, name_en}: open (201
-- with the group); GET /api/v1/incidents/N/groups: the report's groups
-- the caller sees; GET /api/v1/incident-groups/N: one group;
-- POST /api/v1/incident-groups/N {"action": "propose", org} |
-- {"action": "decide", org, grant}: 200 with the group.
CREATE OR REPLACE FUNCTION council.api__incident_group(r jsonb, OUT status integer,
    OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a     jsonb;
    v_id  bigint := (r->>'id')::bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    CASE r->>'what'
    WHEN 'open' THEN
        a := council.api_args(r->>'body', '{"slug": "string", "name_ja": "string",
            "name_en": "string"}');
        v_id := council.incident_group_open(v_id, a->>'slug', a->>'name_ja', a->>'name_en');
        status := 201;
    WHEN 'list' THEN
        status := 200;
        body := council.incident_groups_of(v_id)::text;
        RETURN;
    WHEN 'get' THEN
        status := 200;
    WHEN 'act' THEN
        a := council.api_args(r->>'body', '{"action": "string", "org": "number",
            "grant": "boolean"}');
        PERFORM council.incident_group_require(v_id);
        CASE a->>'action'
        WHEN 'propose' THEN
            PERFORM council.incident_group_propose(v_id, (a->>'org')::bigint);
        WHEN 'decide' THEN
            IF a->>'org' IS NULL THEN
                RAISE EXCEPTION 'not_proposed' USING ERRCODE = 'CP422';
            END IF;
            PERFORM council.incident_group_decide(v_id, (a->>'org')::bigint, (a->>'grant')::boolean);
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
        status := 200;
    ELSE
        RAISE EXCEPTION 'api__incident_group: % is not a call', r->>'what';
    END CASE;
    body := council.incident_group(v_id)::text;
END
$$;

-- councild's entry (server/pages/incgroup.c, routes.c).
CREATE OR REPLACE FUNCTION council.api_incident_group(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('incident_group',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.incident_group_is(bigint) OWNER TO council_definer;
ALTER FUNCTION council.incident_group_visible(bigint) OWNER TO council_definer;
ALTER FUNCTION council.incident_group_principal(bigint) OWNER TO council_definer;
ALTER FUNCTION council.incident_group_require(bigint) OWNER TO council_definer;
ALTER FUNCTION council.incident_group_open(bigint, text, text, text) OWNER TO council_definer;
ALTER FUNCTION council.incident_group_propose(bigint, bigint) OWNER TO council_definer;
ALTER FUNCTION council.incident_group_decide(bigint, bigint, boolean) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
