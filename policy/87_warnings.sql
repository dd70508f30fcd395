-- policy/87_warnings.sql: from report to warning (issue 13 item 5;
-- R-SCOPE-4, R-NEW-5; docs/incidents.md, "From report to warning").
-- An authority the report was delivered to, or the coordinator, drafts a
-- warning for members: a post whose source is the report
-- (council.create_post, p_incident).  It reaches the report's parties (the
-- reporter, the authorities it was delivered to, the coordinator) and,
-- beyond them, only the members its scope names once the reporter
-- consents (council.audience_compute; the consent is one of
-- council.consents, asked by council.consent_request and decided by
-- council.decide_consent like any giver's).  The reporter sees what was
-- drawn from its report and the feedback it drew, never who read it.
-- Re-applied by "councilctl migrate".  Errors: MESSAGE a stable code,
-- SQLSTATE class CP (see 42_sharing_writes.sql).

------------------------------------------------------------------------
-- Who sees what.
------------------------------------------------------------------------

-- Which case a post is drawn from: for those who see both the post and
-- the case (the case's parties among the post's readers).  A member that
-- reads a warning does not learn the report's number.
CREATE POLICY post_case_sources_visible ON council.post_case_sources FOR SELECT
    TO council_app, council_writer
    USING (council.current_sees_post(post_id)
           AND ((incident_id IS NOT NULL AND council.incident_visible(incident_id))
                OR (cymat_case_id IS NOT NULL AND council.cymat_visible(cymat_case_id))));
-- Written by council.create_post only, for the caller's own new post.
CREATE POLICY post_case_sources_insert ON council.post_case_sources FOR INSERT
    TO council_writer
    WITH CHECK (council.post_author_org(post_id) = (SELECT me.org_id FROM council.me));

-- R-SCOPE-4: the reporter sees the consents asked for its report (in
-- addition to consents_visible, 43_sharing_consents.sql), to decide them.
CREATE POLICY consents_reporter ON council.consents FOR SELECT
    TO council_app, council_writer
    USING (source_incident_id IS NOT NULL
           AND council.consent_giver(consents) = (SELECT me.org_id FROM council.me)
           AND council.incident_visible(source_incident_id));

------------------------------------------------------------------------
-- What a report led to (R-NEW-5).
------------------------------------------------------------------------

-- The caller may draft a warning from report r: it sees r and is an
-- authority r was delivered to, or the coordinator (create_post's rule).
CREATE OR REPLACE FUNCTION council.incident_may_draft(r bigint) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_visible(r)
       AND (coalesce((SELECT me.is_coordinator FROM council.me), false)
            OR EXISTS (SELECT 1 FROM council.incident_deliveries d
                       WHERE d.report_id = r
                         AND d.authority_org_id = (SELECT me.org_id FROM council.me)))
$$;

-- R-NEW-5: the posts drawn from report r that the caller reads (its
-- parties read every one: council.audience_compute), newest first, each
-- with the reporter's consent (NULL: none was needed), whether it reaches
-- members beyond the report's parties, its replies the caller reads, and
-- the feedback it drew, counted, with the comments (R-TF-6: no
-- organisation is named; who read it is never told).  CP404 incident_not_found when r is hidden.
-- SECURITY DEFINER: counts feedback under no policy (each organisation
-- sees only its own answers); everything else is filtered explicitly
-- through the caller's own visibility.
CREATE OR REPLACE FUNCTION council.incident_warnings(r bigint)
    RETURNS TABLE (post_id bigint, title text, kind council.post_kind,
                   created_at timestamptz, consent council.consent_status,
                   beyond_parties boolean, replies bigint, seen bigint,
                   not_seen bigint, unknown bigint, expert bigint,
                   comments json)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF NOT council.incident_visible(r) THEN
        RAISE EXCEPTION 'incident_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN QUERY
    SELECT x.id, x.title, x.kind, x.created_at,
           (SELECT c.status FROM council.consents c
            WHERE c.post_id = x.id AND c.source_incident_id = r),
           EXISTS (SELECT 1 FROM council.post_audience a
                   WHERE a.post_id = x.id AND NOT council.incident_party(r, a.org_id)),
           (SELECT count(*) FROM council.posts y
            WHERE y.parent_id = x.id AND council.current_sees_post(y.id)),
           fb.n[1], fb.n[2], fb.n[3], fb.n[4], fb.comments
    FROM council.post_case_sources cs
    JOIN council.posts x ON x.id = cs.post_id
    -- The feedback: for the reporter (R-NEW-5), the warning's author and
    -- the coordinator (as council.feedback_tally); never for the
    -- general-affairs secretariat (R-ORG-6); NULL for the other parties.
    LEFT JOIN LATERAL (
        SELECT ARRAY[count(*) FILTER (WHERE f.answer = 'seen'),
                     count(*) FILTER (WHERE f.answer = 'not_seen'),
                     count(*) FILTER (WHERE f.answer = 'unknown'),
                     count(*) FILTER (WHERE f.answer = 'expert')] AS n,
               coalesce(json_agg(json_build_object('answer', f.answer, 'comment', f.comment)
                                 ORDER BY f.first_at, f.id)
                        FILTER (WHERE length(f.comment) > 0), '[]'::json) AS comments
        FROM council.feedback f
        WHERE f.post_id = x.id) fb
      ON NOT council.current_is_secretariat()
     AND (council.current_org_id() IN (council.post_author_org(x.id),
              (SELECT ir.org_id FROM council.incident_reports ir WHERE ir.id = r))
          OR coalesce((SELECT me.is_coordinator FROM council.me), false))
    WHERE cs.incident_id = r AND council.current_sees_post(x.id)
    ORDER BY x.id DESC
    LIMIT 100;
END
$$;

-- The same as JSON, for council.incident (the report's page and API).
CREATE OR REPLACE FUNCTION council.incident_warnings_json(r bigint) RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce(json_agg(json_build_object('post', w.post_id, 'title', w.title,
               'kind', w.kind, 'created_at', w.created_at, 'consent', w.consent,
               'beyond_parties', w.beyond_parties, 'replies', w.replies,
               'feedback', json_build_object('seen', w.seen, 'not_seen', w.not_seen,
                   'unknown', w.unknown, 'expert', w.expert, 'comments', w.comments))
               ORDER BY w.post_id DESC), '[]'::json)
    FROM council.incident_warnings(r) w
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.incident_warnings(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
