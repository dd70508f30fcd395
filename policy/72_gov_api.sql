-- policy/72_gov_api.sql: the JSON API's calls for the steering committee
-- (issue 5; docs/api.md, docs/governance.md).  Like policy/60_portal.sql's
-- api_* functions: the request body as text in, (status, body) out, a
-- refused call changes nothing.  SECURITY INVOKER: they call the
-- committee's functions (policy/70_committee.sql) as council_app would.
-- Re-applied by "councilctl migrate".

-- POST /api/v1/committee/motions: draft a motion.
CREATE OR REPLACE FUNCTION council.api_sc_create(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j  jsonb;
BEGIN
    BEGIN
        j := council.api_json(p_body);
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k
                   WHERE k NOT IN ('kind', 'title', 'body', 'subject', 'refusal_reason',
                                   'reason_withheld', 'coop_trigger', 'coop_purpose',
                                   'coop_scope', 'document', 'text')) THEN
            RAISE EXCEPTION 'unknown_field' USING ERRCODE = 'CP422';
        END IF;
        status := 201;
        body := json_build_object('id', council.sc_motion_create(
            council.api_field(j, 'kind', 'string')->>0,
            council.api_field(j, 'title', 'string')->>0,
            coalesce(council.api_field(j, 'body', 'string')->>0, ''),
            (council.api_field(j, 'subject', 'number')->>0)::bigint,
            council.api_field(j, 'refusal_reason', 'string')->>0,
            coalesce((council.api_field(j, 'reason_withheld', 'boolean')->>0)::boolean, false),
            council.api_field(j, 'coop_trigger', 'string')->>0,
            council.api_field(j, 'coop_purpose', 'string')->>0,
            council.api_field(j, 'coop_scope', 'string')->>0,
            (council.api_field(j, 'document', 'number')->>0)::bigint,
            council.api_field(j, 'text', 'string')->>0))::text;
    EXCEPTION WHEN OTHERS THEN
        SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
        IF status IS NULL THEN RAISE; END IF;
    END;
END
$$;

-- POST /api/v1/committee/motions/N {"action": ...}: attend / leave,
-- interest (R-GOV-5, before the poll opens), open (the chair or the
-- secretariat, with closes_at), vote (choice), reject (the chair, reason).
-- Answers the motion as council.sc_motion shows it.
CREATE OR REPLACE FUNCTION council.api_sc_act(p_motion bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j  jsonb;
    a  text;
BEGIN
    BEGIN
        j := council.api_json(p_body);
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k
                   WHERE k NOT IN ('action', 'closes_at', 'choice', 'reason')) THEN
            RAISE EXCEPTION 'unknown_field' USING ERRCODE = 'CP422';
        END IF;
        a := council.api_field(j, 'action', 'string')->>0;
        CASE a
        WHEN 'attend' THEN PERFORM council.sc_attend(p_motion, true);
        WHEN 'leave' THEN PERFORM council.sc_attend(p_motion, false);
        WHEN 'interest' THEN
            PERFORM council.sc_declare_interest(p_motion,
                coalesce(council.api_field(j, 'reason', 'string')->>0, ''));
        WHEN 'open' THEN
            PERFORM council.sc_open(p_motion,
                (council.api_field(j, 'closes_at', 'string')->>0)::timestamptz);
        WHEN 'vote' THEN
            PERFORM council.sc_vote(p_motion, council.api_field(j, 'choice', 'string')->>0);
        WHEN 'reject' THEN
            PERFORM council.sc_chair_reject(p_motion,
                council.api_field(j, 'reason', 'string')->>0);
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
        status := 200;
        body := council.sc_motion(p_motion)::text;
    EXCEPTION WHEN OTHERS THEN
        SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
        IF status IS NULL THEN RAISE; END IF;
    END;
END
$$;

-- GET /api/v1/committee/motions/N: council.api_read('sc_motion', N)
-- (policy/60_portal.sql); the poll is closed first if its time has come.
DROP FUNCTION IF EXISTS council.api_sc_motion(bigint);

-- The general assembly (policy/71_assembly.sql; docs/governance.md).
-- POST /api/v1/assemblies {kind, title, starts_at, agenda, sc_motion}.
CREATE OR REPLACE FUNCTION council.api_ga_convene(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j  jsonb;
BEGIN
    BEGIN
        j := council.api_json(p_body);
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k
                   WHERE k NOT IN ('kind', 'title', 'starts_at', 'agenda', 'sc_motion')) THEN
            RAISE EXCEPTION 'unknown_field' USING ERRCODE = 'CP422';
        END IF;
        status := 201;
        body := json_build_object('id', council.ga_convene(
            council.api_field(j, 'kind', 'string')->>0,
            council.api_field(j, 'title', 'string')->>0,
            (council.api_field(j, 'starts_at', 'string')->>0)::timestamptz,
            council.api_field(j, 'agenda', 'array'),
            (council.api_field(j, 'sc_motion', 'number')->>0)::bigint))::text;
    EXCEPTION WHEN OTHERS THEN
        SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
        IF status IS NULL THEN RAISE; END IF;
    END;
END
$$;

-- POST /api/v1/assemblies/N {"action": attend | leave | designate (person)
-- | proxy (holder: an organisation, or none for the chair) | revoke_proxy
-- | close}: answers {"ok": true}.
CREATE OR REPLACE FUNCTION council.api_ga_act(p_assembly bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j  jsonb;
BEGIN
    BEGIN
        j := council.api_json(p_body);
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k
                   WHERE k NOT IN ('action', 'person', 'holder')) THEN
            RAISE EXCEPTION 'unknown_field' USING ERRCODE = 'CP422';
        END IF;
        CASE council.api_field(j, 'action', 'string')->>0
        WHEN 'attend' THEN PERFORM council.ga_attend(p_assembly);
        WHEN 'leave' THEN PERFORM council.ga_leave(p_assembly);
        WHEN 'designate' THEN
            PERFORM council.ga_designate(p_assembly,
                (council.api_field(j, 'person', 'number')->>0)::bigint);
        WHEN 'proxy' THEN
            PERFORM council.ga_give_proxy(p_assembly,
                (council.api_field(j, 'holder', 'number')->>0)::bigint);
        WHEN 'revoke_proxy' THEN PERFORM council.ga_revoke_proxy(p_assembly);
        WHEN 'close' THEN PERFORM council.ga_close_assembly(p_assembly);
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
        status := 200;
        body := '{"ok":true}';
    EXCEPTION WHEN OTHERS THEN
        SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
        IF status IS NULL THEN RAISE; END IF;
    END;
END
$$;

-- POST /api/v1/polls/N {"action": open (closes_at) | vote (choice, for) |
-- remind}: answers the poll as council.ga_poll shows it; remind answers
-- what council.ga_send_reminders did ({"item", "organisations", "people"}).
-- The actions that change no poll (remind) change nothing when refused.
CREATE OR REPLACE FUNCTION council.api_ga_poll_act(p_item bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j  jsonb;
BEGIN
    BEGIN
        j := council.api_json(p_body);
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k
                   WHERE k NOT IN ('action', 'closes_at', 'choice', 'for')) THEN
            RAISE EXCEPTION 'unknown_field' USING ERRCODE = 'CP422';
        END IF;
        CASE council.api_field(j, 'action', 'string')->>0
        WHEN 'open' THEN
            PERFORM council.ga_open_poll(p_item,
                (council.api_field(j, 'closes_at', 'string')->>0)::timestamptz);
        WHEN 'vote' THEN
            PERFORM council.ga_vote(p_item, council.api_field(j, 'choice', 'string')->>0,
                (council.api_field(j, 'for', 'number')->>0)::bigint);
        WHEN 'remind' THEN
            body := council.ga_send_reminders(p_item)::text;
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
        status := 200;
        body := coalesce(body, council.ga_poll(p_item)::text);
    EXCEPTION WHEN OTHERS THEN
        SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
        IF status IS NULL THEN RAISE; END IF;
    END;
END
$$;

-- GET /api/v1/notifications: the caller's (council.my_notifications).
-- POST /api/v1/notifications {"read": N} or {"read": "all"}: mark read;
-- answers {"marked": n}.  Another person's notification is not_found.
CREATE OR REPLACE FUNCTION council.api_notifications_read(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j  jsonb;
BEGIN
    BEGIN
        j := council.api_json(p_body);
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k WHERE k <> 'read')
           OR NOT j ? 'read' THEN
            RAISE EXCEPTION 'invalid_read' USING ERRCODE = 'CP422';
        END IF;
        IF j->'read' = '"all"' THEN
            body := json_build_object('marked', council.notification_read(NULL))::text;
        ELSIF jsonb_typeof(j->'read') = 'number' THEN
            body := json_build_object('marked', council.notification_read(
                (council.api_field(j, 'read', 'number')->>0)::bigint))::text;
        ELSE
            RAISE EXCEPTION 'invalid_read' USING ERRCODE = 'CP422';
        END IF;
        status := 200;
    EXCEPTION WHEN OTHERS THEN
        SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
        IF status IS NULL THEN RAISE; END IF;
    END;
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

-- POST /api/v1/cooperation/N {"post": id}: answer request N with one of
-- the organisation's own posts (council.coop_answer).  Answers the
-- requests as council.coop_requests_for_me shows them.
CREATE OR REPLACE FUNCTION council.api_coop_answer(p_request bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j  jsonb;
BEGIN
    BEGIN
        j := council.api_json(p_body);
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k WHERE k <> 'post')
           OR council.api_field(j, 'post', 'number') IS NULL THEN
            RAISE EXCEPTION 'invalid_post' USING ERRCODE = 'CP422';
        END IF;
        PERFORM council.coop_answer(p_request,
            (council.api_field(j, 'post', 'number')->>0)::bigint);
        status := 200;
        body := council.coop_requests_for_me()::text;
    EXCEPTION WHEN OTHERS THEN
        SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
        IF status IS NULL THEN RAISE; END IF;
    END;
END
$$;
