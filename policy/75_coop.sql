-- policy/75_coop.sql: requests for cooperation (R-COOP-1; Rules Art. 23,
-- docs/governance.md "Requests for cooperation").  The steering committee
-- resolves a request (policy/70_committee.sql, sc__effect issues it); the
-- members it asks see it and answer it with posts of their own, which
-- keep their own scope (R-SCOPE-1).  Re-applied by "councilctl migrate".
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 42_sharing_writes.sql).

-- R-COOP-1: a member answers request p_request with post p_post, one of
-- its own organisation's.  Linking twice changes nothing.
CREATE OR REPLACE FUNCTION council.coop_answer(p_request bigint, p_post bigint)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_org_id();
    q      council.coop_requests;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT * INTO q FROM council.coop_requests WHERE id = p_request;
    IF q.id IS NULL THEN
        RAISE EXCEPTION 'request_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF q.withdrawn_at IS NOT NULL THEN
        RAISE EXCEPTION 'request_withdrawn' USING ERRCODE = 'CP422';
    END IF;
    IF q.addressee_org_id IS NOT NULL AND q.addressee_org_id <> v_org THEN
        RAISE EXCEPTION 'request_not_addressed_to_you' USING ERRCODE = 'CP403';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.posts WHERE id = p_post) THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF council.post_author_org(p_post) IS DISTINCT FROM v_org THEN
        RAISE EXCEPTION 'only_own_posts' USING ERRCODE = 'CP403';
    END IF;
    INSERT INTO council.coop_answers (request_id, post_id, org_id, person_id)
    VALUES (p_request, p_post, v_org, council.current_person_id())
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        PERFORM council.audit('coop.answer', 'coop_request', p_request,
            jsonb_build_object('post', p_post));
    END IF;
END
$$;

-- R-COOP-1: the requests for cooperation the caller sees (the committee
-- and the secretariat bodies all; a member those addressed to it, or to
-- every member, while they stand: coop_requests_visible), newest first,
-- each with the answers the caller sees (its own organisation's; all for
-- the committee and the secretariat) and, for a member, the posts of its
-- own organisation it could answer with (the 50 newest).
CREATE OR REPLACE FUNCTION council.coop_requests_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object(
        'requests', coalesce((SELECT json_agg(json_build_object(
                'id', q.id, 'motion', q.motion_id, 'trigger', q.trigger,
                'purpose', q.purpose, 'scope', q.scope,
                'to_every_member', q.addressee_org_id IS NULL,
                'issued_at', q.issued_at, 'withdrawn', q.withdrawn_at IS NOT NULL,
                'answers', coalesce((SELECT json_agg(json_build_object(
                        'post', a.post_id, 'org', a.org_id, 'linked_at', a.linked_at)
                        ORDER BY a.linked_at)
                    FROM council.coop_answers a WHERE a.request_id = q.id), '[]'))
                ORDER BY q.issued_at DESC, q.id DESC)
            FROM council.coop_requests q), '[]'),
        'own_posts', coalesce((SELECT json_agg(json_build_object('id', p.id,
                'title', p.title) ORDER BY p.id DESC)
            FROM (SELECT x.id, x.title FROM council.posts x
                  JOIN council.post_authors a ON a.post_id = x.id
                  WHERE a.org_id = (SELECT me.org_id FROM council.me)
                  ORDER BY x.id DESC LIMIT 50) p), '[]'))
    FROM council.me
$$;

------------------------------------------------------------------------
-- Who sees what.
------------------------------------------------------------------------

-- R-COOP-1: a request is seen by those who decide it and, while it stands,
-- by the members it asks (every member when it names none).
CREATE POLICY coop_requests_visible ON council.coop_requests FOR SELECT
    TO council_app, council_writer
    USING (coalesce((SELECT me.is_committee OR me.is_secretariat OR me.is_coordinator
                     FROM council.me), false)
           OR (withdrawn_at IS NULL
               AND (SELECT me.person_id FROM council.me) IS NOT NULL
               AND (addressee_org_id IS NULL
                    OR addressee_org_id = (SELECT me.org_id FROM council.me))));

-- An answer is seen by the member that gave it and by the committee and
-- the secretariat bodies (the post itself keeps its own scope, R-SCOPE-1).
CREATE POLICY coop_answers_visible ON council.coop_answers FOR SELECT
    TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me)
           OR coalesce((SELECT me.is_committee OR me.is_secretariat OR me.is_coordinator
                        FROM council.me), false));
CREATE POLICY coop_answers_insert ON council.coop_answers FOR INSERT TO council_writer
    WITH CHECK (org_id = (SELECT me.org_id FROM council.me)
                AND person_id = (SELECT me.person_id FROM council.me));

------------------------------------------------------------------------
-- The JSON API's rows (docs/api.md), council.api__<name>(request), reached
-- through the door council.api_call (policy/15_api.sql): they raise, the
-- door answers (status, body), and a refused call changes nothing.
-- SECURITY INVOKER: they call coop_answer as council_app would.
------------------------------------------------------------------------

-- POST /api/v1/cooperation/N {"post": id}: answer request N with one of
-- the organisation's own posts (council.coop_answer).  Answers the
-- requests as council.coop_requests_for_me shows them.
CREATE OR REPLACE FUNCTION council.api__coop_answer(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb := council.api_args(r->>'body', '{"post": "number"}', 'invalid_post');
BEGIN
    IF a->>'post' IS NULL THEN
        RAISE EXCEPTION 'invalid_post' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.coop_answer((r->>'id')::bigint, (a->>'post')::bigint);
    status := 200;
    body := council.coop_requests_for_me()::text;
END
$$;

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.coop_answer(bigint, bigint) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
