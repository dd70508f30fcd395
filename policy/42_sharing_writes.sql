-- policy/42_sharing_writes.sql: the only ways to write a post
-- (docs/sharing.md, "Writes"): create_post, widen_scope and the
-- secretariat's access cases, owned by council_writer (under the caller's
-- policies, see 40_sharing_audience.sql).  Re-applied by "councilctl
-- migrate".
-- Errors carry a stable code as MESSAGE and a SQLSTATE of class CP:
-- CP401 not signed in, CP403 forbidden, CP404 not found (hidden and absent
-- look the same), CP422 invalid.

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

-- Create a post as the signed-in person (docs/sharing.md, "Writes").
--   p_scope      NULL: no designated scope (R-SCOPE-5); else a JSON array
--                (council.scope_insert); must be NULL for a reply
--   p_exclusions JSON array of {"org": id} | {"supervisors": true}
--                ("supervisors of my sector") | {"investigative": true}
--   p_sources    posts this one is derived from (R-SCOPE-4)
--   p_incident   the incident report it is drawn from (issue 13 item 5:
--                a warning; drafted by an authority the report was
--                delivered to or the coordinator; R-SCOPE-4: the report's
--                parties only until the reporter consents)
--   p_cymat_case the CYMAT support case it is drawn from (R-CYMAT-1:
--                refused unless the supported body consented in advance
--                to wider use, or is the author)
--   p_need_to_know why the members outside the task force need it
--                (R-TF-7: required of a task-force participant deriving
--                from a source held within the task force for a scope
--                beyond it; council.need_to_know_record, 93_uses.sql)
-- Returns the new post's id.
-- (Issue 14 item 3 added p_need_to_know: the old signature goes.)
DROP FUNCTION IF EXISTS council.create_post(council.post_kind, text, text, boolean,
    boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz, bigint, bigint);
CREATE OR REPLACE FUNCTION council.create_post(
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
    v_person   bigint := council.current_person_id();
    v_org      council.organisations;
    v_case     council.cymat_cases;
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
    -- on the way out, server/web/markup.c).
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
    -- Issue 13: a post drawn from a case (a report, a support case), one
    -- at most, never a reply (its parent decides).  A hidden case is an
    -- absent one.
    IF p_incident IS NOT NULL OR p_cymat_case IS NOT NULL THEN
        IF p_parent IS NOT NULL THEN
            RAISE EXCEPTION 'reply_inherits_scope' USING ERRCODE = 'CP422';
        END IF;
        IF p_incident IS NOT NULL AND p_cymat_case IS NOT NULL THEN
            RAISE EXCEPTION 'one_case_at_most' USING ERRCODE = 'CP422';
        END IF;
    END IF;
    IF p_incident IS NOT NULL THEN
        IF NOT council.incident_visible(p_incident) THEN
            RAISE EXCEPTION 'incident_not_found' USING ERRCODE = 'CP404';
        END IF;
        -- Item 5: an authority the report was delivered to, or the
        -- coordinator, drafts the warning; the reporter posts its own
        -- (council.incident_may_draft, policy/87_warnings.sql: the one
        -- rule the report's page asks too).
        IF NOT council.incident_may_draft(p_incident) THEN
            RAISE EXCEPTION 'only_authorities_draft_from_reports' USING ERRCODE = 'CP403';
        END IF;
    END IF;
    IF p_cymat_case IS NOT NULL THEN
        SELECT * INTO v_case FROM council.cymat_cases WHERE id = p_cymat_case;
        IF v_case.id IS NULL THEN
            RAISE EXCEPTION 'cymat_case_not_found' USING ERRCODE = 'CP404';
        END IF;
        -- R-CYMAT-1 (seed 003 §14): what a case holds serves that body's
        -- support only, unless it consented in advance to wider use.
        IF NOT v_case.wider_use_consent AND v_case.org_id <> v_org.id THEN
            RAISE EXCEPTION 'cymat_case_not_for_wider_use' USING ERRCODE = 'CP403';
        END IF;
    END IF;

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
    IF p_incident IS NOT NULL OR p_cymat_case IS NOT NULL THEN
        INSERT INTO council.post_case_sources (post_id, incident_id, cymat_case_id)
        VALUES (v_id, p_incident, p_cymat_case);
    END IF;
    PERFORM council.scope_summary_refresh(v_id);         -- 0014
    PERFORM council.audience_refresh_post(v_id, false);
    -- R-TF-7: need to know, stated and recorded (93_uses.sql).
    IF cardinality(p_sources) > 0 THEN
        PERFORM council.need_to_know_record(v_id, p_need_to_know);
    END IF;
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
    -- Issue 17: its audience (or, for a reply, the parent's author) is
    -- told, by each person's settings (policy/78_notify_sharing.sql).
    PERFORM council.notify_post_created(v_id);
    PERFORM council.audit('post.create', 'post', v_id,
        jsonb_build_object('kind', p_kind, 'secret', p_is_secret,
                           'parent', p_parent, 'sources', to_jsonb(p_sources),
                           'incident', p_incident, 'cymat_case', p_cymat_case));
    RETURN v_id;
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
    PERFORM council.notify_post_audience(p_post);   -- the newcomers (issue 17)
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
    -- A closed case stays closed (policy/81_access_cases.sql).
    IF c.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'access_case_closed' USING ERRCODE = 'CP422';
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

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.scope_insert(bigint, jsonb) OWNER TO council_writer;
ALTER FUNCTION council.create_post(council.post_kind, text, text, boolean,
    boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz, bigint, bigint, text)
    OWNER TO council_writer;
ALTER FUNCTION council.widen_scope(bigint, jsonb) OWNER TO council_writer;
ALTER FUNCTION council.open_access_case(text, bigint[], timestamptz) OWNER TO council_writer;
ALTER FUNCTION council.approve_access_case(bigint) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.post_exists(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.scope_insert(bigint, jsonb),
    council.post_exists(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.post_exists(bigint) TO council_writer;
