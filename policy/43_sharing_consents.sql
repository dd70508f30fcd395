-- policy/43_sharing_consents.sql: R-SCOPE-4 (and R-SCOPE-3 for what the
-- secretariat bodies provide): a post derived from another's information
-- reaches beyond the source's scope only with the consent of the source's
-- giver.  Who sees a consent request, who asks (create_post, widen_scope:
-- 42_sharing_writes.sql) and who decides, and the JSON API's row for it.
-- Re-applied by "councilctl migrate".
-- Errors carry a stable code as MESSAGE and a SQLSTATE of class CP:
-- CP401 not signed in, CP403 forbidden, CP404 not found (hidden and absent
-- look the same), CP422 invalid.

-- R-SCOPE-4: ask each source's giver for consent where post p's named
-- scope reaches beyond the source's, unless it was asked already.  Runs
-- after p's audience is computed.
CREATE OR REPLACE FUNCTION council.consent_request(p bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_src bigint;
    v_id  bigint;
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
            VALUES (p, v_src) RETURNING id INTO v_id;
            PERFORM council.notify_consent_requested(v_id);    -- issue 17
            PERFORM council.audit('consent.request', 'post', p,
                jsonb_build_object('source', v_src));
        END IF;
    END LOOP;
    -- Issue 13 item 5: a warning drawn from a report whose named scope
    -- reaches beyond the report's parties asks its reporter.
    FOR v_src IN SELECT cs.incident_id FROM council.post_case_sources cs
                 WHERE cs.post_id = p AND cs.incident_id IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM council.consents c
                                   WHERE c.post_id = p
                                     AND c.source_incident_id = cs.incident_id)
    LOOP
        IF EXISTS (SELECT 1 FROM council.audience_named(p) AS x
                   WHERE NOT council.incident_party(v_src, x)) THEN
            INSERT INTO council.consents (post_id, source_incident_id)
            VALUES (p, v_src) RETURNING id INTO v_id;
            PERFORM council.notify_consent_requested(v_id);
            PERFORM council.audit('consent.request', 'post', p,
                jsonb_build_object('incident', v_src));
        END IF;
    END LOOP;
END
$$;

-- The organisation that decides consent c: the giver of its source post,
-- or the reporter of its source report (SECURITY DEFINER: the decider
-- may not see the derived post).
CREATE OR REPLACE FUNCTION council.consent_giver(c council.consents) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE WHEN c.source_post_id IS NOT NULL
                THEN council.post_author_org(c.source_post_id)
                ELSE (SELECT r.org_id FROM council.incident_reports r
                      WHERE r.id = c.source_incident_id) END
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
    -- Issue 13 item 5: the reporter decides for its report.
    IF council.consent_giver(c) IS DISTINCT FROM council.current_org_id() THEN
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
    PERFORM council.notify_consent_decided(p_consent);   -- issue 17
    PERFORM council.audit(CASE WHEN p_grant THEN 'consent.grant'
                               ELSE 'consent.refuse' END,
        'post', c.post_id, jsonb_build_object('source', c.source_post_id,
                                              'incident', c.source_incident_id));
END
$$;

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
-- (A report's reporter sees the consents of its report's warnings:
-- policy/87_warnings.sql.)
CREATE POLICY consents_insert ON council.consents FOR INSERT TO council_writer
    WITH CHECK (council.post_author_org(post_id) = (SELECT me.org_id FROM council.me)
                AND status = 'pending');
-- Only the giver of the source decides.
CREATE POLICY consents_decide ON council.consents FOR UPDATE TO council_writer
    USING (council.consent_giver(consents) = (SELECT me.org_id FROM council.me))
    WITH CHECK (decided_by = (SELECT me.person_id FROM council.me));

-- The consent requests the caller may see (consents' policy): those it
-- must decide as a source's giver (or a report's reporter), and those of
-- its derived posts.
CREATE OR REPLACE FUNCTION council.my_consents()
    RETURNS TABLE (id bigint, post_id bigint, post_title text,
                   source_post_id bigint, source_title text,
                   status council.consent_status, requested_at timestamptz,
                   mine_to_decide boolean, source_incident_id bigint,
                   incident_title text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT c.id, c.post_id, dp.title, c.source_post_id, sp.title, c.status,
           c.requested_at,
           council.consent_giver(c) IS NOT DISTINCT FROM
               (SELECT me.org_id FROM council.me),
           c.source_incident_id, ir.title
    FROM council.consents c
    LEFT JOIN council.posts dp ON dp.id = c.post_id
    LEFT JOIN council.posts sp ON sp.id = c.source_post_id
    LEFT JOIN council.incident_reports ir ON ir.id = c.source_incident_id
    ORDER BY c.status <> 'pending', c.requested_at DESC, c.id DESC
    LIMIT 200
$$;

------------------------------------------------------------------------
-- The JSON API's rows (docs/api.md), council.api__<name>(request), reached
-- through the door council.api_call (policy/15_api.sql): they raise, the
-- door answers (status, body), and a refused call changes nothing.
-- SECURITY INVOKER: they call decide_consent as council_app would.
------------------------------------------------------------------------

-- POST /api/v1/consents/N {"grant": true|false} (R-SCOPE-4).
CREATE OR REPLACE FUNCTION council.api__decide_consent(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    p        bigint := (r->>'id')::bigint;
    a        jsonb := council.api_args(r->>'body', '{"grant": "boolean"}');
    v_grant  boolean := (a->>'grant')::boolean;
BEGIN
    IF v_grant IS NULL THEN
        RAISE EXCEPTION 'invalid_grant' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.decide_consent(p, v_grant);
    status := 200;
    body := json_build_object('id', p,
        'status', CASE WHEN v_grant THEN 'granted' ELSE 'refused' END)::text;
END
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.consent_giver(council.consents) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.decide_consent(bigint, boolean) OWNER TO council_writer;
ALTER FUNCTION council.consent_request(bigint) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
REVOKE ALL ON FUNCTION council.consent_request(bigint) FROM PUBLIC;
