-- policy/82_violations.sql: violation reports (issue 13 item 8; R-VIOL-1,
-- Rules Art. 29).  A member that suspects a leak, a scope breach or
-- misuse reports it to the general-affairs secretariat (NISC group 2),
-- naming the posts it can (only posts it reads: a hidden post is named
-- like an absent one).  The secretariat opens a recorded access case from
-- the report (R-ORG-6: the posts named, no more; approved by a committee
-- member as every case is) and closes the report with its outcome, which
-- may be a restriction motion (R-RESTRICT-1, the committee's).
-- Re-applied by "councilctl migrate".  Errors: MESSAGE a stable code,
-- SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- Who sees a report: the reporting organisation and the secretariat, each
-- through its registered handlers and administrator
-- (council.incident_may_touch, R-ORG-4).  Nobody else, the member
-- reported on included: it never learns who reported, nor that a report
-- exists (a hidden id answers like an absent one).

-- R-VIOL-1: the caller sees violation report r.
CREATE OR REPLACE FUNCTION council.violation_visible(r bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m, council.violation_reports v
        WHERE v.id = r AND (v.org_id = m.org_id OR m.is_secretariat))
$$;

-- Signed in (else CP401) and sees report r (else CP404, as if absent).
CREATE OR REPLACE FUNCTION council.violation_require(r bigint) RETURNS council.violation_reports
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.violation_reports;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF r IS NULL OR NOT council.violation_visible(r) THEN
        RAISE EXCEPTION 'violation_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT * INTO v FROM council.violation_reports WHERE id = r;
    RETURN v;
END
$$;

-- R-VIOL-1: the caller's organisation reports a suspected violation of
-- kind p_kind by member p_subject (NULL: unknown), described, naming the
-- posts p_posts it reads (at most 50).  The secretariat's handlers are
-- told (a number, never content or the reporter).  Returns the id.
CREATE OR REPLACE FUNCTION council.violation_file(p_kind council.violation_kind,
    p_subject bigint, p_description text, p_posts bigint[]) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id   bigint;
    v_p    bigint;
    v_sec  bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.incident_may_touch() THEN
        RAISE EXCEPTION 'not_a_handler' USING ERRCODE = 'CP403';
    END IF;
    IF p_kind IS NULL THEN
        RAISE EXCEPTION 'invalid_kind' USING ERRCODE = 'CP422';
    END IF;
    IF p_description IS NULL OR length(btrim(p_description)) NOT BETWEEN 10 AND 4000
       OR p_description ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_description' USING ERRCODE = 'CP422';
    END IF;
    IF p_subject IS NOT NULL AND NOT EXISTS (SELECT 1 FROM council.organisations
                                             WHERE id = p_subject AND status = 'member') THEN
        RAISE EXCEPTION 'invalid_subject' USING ERRCODE = 'CP422';
    END IF;
    IF cardinality(coalesce(p_posts, '{}')) > 50 THEN
        RAISE EXCEPTION 'invalid_posts' USING ERRCODE = 'CP422';
    END IF;
    -- A post the reporter cannot read is named like one that does not exist.
    FOREACH v_p IN ARRAY coalesce(p_posts, '{}') LOOP
        IF v_p IS NULL OR NOT council.current_sees_post(v_p) THEN
            RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
        END IF;
    END LOOP;
    INSERT INTO council.violation_reports (org_id, created_by, kind, subject_org_id, description)
    VALUES (council.current_org_id(), council.current_person_id(), p_kind, p_subject,
            btrim(p_description))
    RETURNING id INTO v_id;
    INSERT INTO council.violation_report_posts (report_id, post_id)
    SELECT DISTINCT v_id, x FROM unnest(coalesce(p_posts, '{}')) AS x;
    FOR v_sec IN SELECT id FROM council.organisations WHERE council_role = 'secretariat' LOOP
        PERFORM council.incident_tell(v_sec, 'violation.filed',
            format('違反の疑いの報告 #%s を受け付けました', v_id),
            format('Suspected violation report #%s received', v_id),
            '/violations/' || v_id, 'violation.filed:' || v_id);
    END LOOP;
    PERFORM council.audit('violation.file', 'violation_report', v_id,
        jsonb_build_object('kind', p_kind, 'posts', cardinality(coalesce(p_posts, '{}'))));
    RETURN v_id;
END
$$;

-- R-VIOL-1, R-ORG-6: the secretariat opens the recorded access case of
-- report r: its posts, until p_expires (council.open_access_case: the
-- grantee is the caller, a committee member approves).  Once.
CREATE OR REPLACE FUNCTION council.violation_open_case(r bigint, p_expires timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v     council.violation_reports := council.violation_require(r);
    v_id  bigint;
BEGIN
    IF NOT council.current_is_secretariat() THEN
        RAISE EXCEPTION 'only_the_secretariat' USING ERRCODE = 'CP403';
    END IF;
    IF v.access_case_id IS NOT NULL THEN
        RAISE EXCEPTION 'case_already_opened' USING ERRCODE = 'CP409';
    END IF;
    IF v.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'violation_closed' USING ERRCODE = 'CP409';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.violation_report_posts WHERE report_id = r) THEN
        RAISE EXCEPTION 'no_posts_named' USING ERRCODE = 'CP422';
    END IF;
    v_id := council.open_access_case(
        format('違反の疑いの報告 #%s（%s）の確認 / checking violation report #%s', r, v.kind, r),
        ARRAY(SELECT post_id FROM council.violation_report_posts WHERE report_id = r ORDER BY post_id),
        p_expires);
    UPDATE council.violation_reports SET access_case_id = v_id WHERE id = r;
    PERFORM council.audit('violation.case', 'violation_report', r,
        jsonb_build_object('access_case', v_id));
    RETURN v_id;
END
$$;

-- R-VIOL-1: the secretariat closes report r with its outcome; the
-- reporter is told (a number only).  Once.
CREATE OR REPLACE FUNCTION council.violation_close(r bigint, p_outcome text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.violation_reports := council.violation_require(r);
BEGIN
    IF NOT council.current_is_secretariat() THEN
        RAISE EXCEPTION 'only_the_secretariat' USING ERRCODE = 'CP403';
    END IF;
    IF v.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'violation_closed' USING ERRCODE = 'CP409';
    END IF;
    IF p_outcome IS NULL OR length(btrim(p_outcome)) NOT BETWEEN 1 AND 2000
       OR p_outcome ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_outcome' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.violation_reports
    SET closed_at = now(), closed_by = council.current_person_id(), outcome = btrim(p_outcome)
    WHERE id = r;
    PERFORM council.incident_tell(v.org_id, 'violation.closed',
        format('違反の疑いの報告 #%s の確認が終わりました', r),
        format('Suspected violation report #%s: the check is over', r),
        '/violations/' || r, 'violation.closed:' || r);
    PERFORM council.audit('violation.close', 'violation_report', r, '{}');
END
$$;

-- R-VIOL-1: report r as the caller sees it (CP404 when hidden or absent).
-- The reporting person is named to the secretariat only by organisation.
CREATE OR REPLACE FUNCTION council.violation_report(r bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.violation_reports;
BEGIN
    SELECT * INTO v FROM council.violation_reports WHERE id = r;
    IF v.id IS NULL THEN
        RAISE EXCEPTION 'violation_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN json_build_object('id', v.id, 'kind', v.kind, 'org', v.org_id,
        'subject', v.subject_org_id, 'description', v.description, 'created_at', v.created_at,
        'posts', coalesce((SELECT json_agg(post_id ORDER BY post_id)
                           FROM council.violation_report_posts WHERE report_id = v.id), '[]'),
        'access_case', v.access_case_id, 'closed_at', v.closed_at, 'outcome', v.outcome,
        'mine', v.org_id = council.current_org_id());
END
$$;

-- R-VIOL-1: the reports the caller sees, newest first (at most 200).
CREATE OR REPLACE FUNCTION council.violations_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('violations', coalesce(json_agg(json_build_object(
            'id', v.id, 'kind', v.kind, 'org', v.org_id, 'subject', v.subject_org_id,
            'created_at', v.created_at, 'access_case', v.access_case_id,
            'closed_at', v.closed_at) ORDER BY v.id DESC), '[]'))
    FROM (SELECT * FROM council.violation_reports ORDER BY id DESC LIMIT 200) v
$$;

CREATE POLICY violation_reports_visible ON council.violation_reports FOR SELECT
    TO council_app, council_writer USING (council.violation_visible(id));
CREATE POLICY violation_report_posts_visible ON council.violation_report_posts FOR SELECT
    TO council_app, council_writer USING (council.violation_visible(report_id));

-- The JSON API's row, through the door (policy/15_api.sql):
-- POST /api/v1/violations {kind, subject, description, posts};
-- POST /api/v1/violations/N {"action": "open_case", "expires_at"} |
-- {"action": "close", "outcome"}.
CREATE OR REPLACE FUNCTION council.api__violation(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a     jsonb;
    v_id  bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF r->>'what' = 'file' THEN
        a := council.api_args(r->>'body', '{"kind": "string", "subject": "number",
            "description": "string", "posts": "array"}');
        v_id := council.violation_file((a->>'kind')::council.violation_kind,
            (a->>'subject')::bigint, a->>'description',
            ARRAY(SELECT (e #>> '{}')::bigint FROM jsonb_array_elements(coalesce(a->'posts', '[]')) e));
        status := 201;
    ELSIF r->>'what' = 'act' THEN
        a := council.api_args(r->>'body', '{"action": "string", "expires_at": "string",
            "outcome": "string"}');
        v_id := (r->>'id')::bigint;
        PERFORM council.violation_require(v_id);
        CASE a->>'action'
        WHEN 'open_case' THEN
            PERFORM council.violation_open_case(v_id, (a->>'expires_at')::timestamptz);
        WHEN 'close' THEN
            PERFORM council.violation_close(v_id, a->>'outcome');
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
        status := 200;
    ELSE
        RAISE EXCEPTION 'api__violation: % is not a call', r->>'what';
    END IF;
    body := council.violation_report(v_id)::text;
END
$$;

-- councild's entry (routes.c).
CREATE OR REPLACE FUNCTION council.api_violation(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('violation',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.violation_visible(bigint) OWNER TO council_definer;
ALTER FUNCTION council.violation_require(bigint) OWNER TO council_definer;
ALTER FUNCTION council.violation_file(council.violation_kind, bigint, text, bigint[])
    OWNER TO council_definer;
ALTER FUNCTION council.violation_open_case(bigint, timestamptz) OWNER TO council_definer;
ALTER FUNCTION council.violation_close(bigint, text) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
