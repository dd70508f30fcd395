-- policy/84_cymat.sql: support requests to CYMAT (issue 13 item 7;
-- R-CYMAT-1; seed 003 §10-15).  A government body (a national agency of
-- the council) requests support: normally from its CISO to the head; in
-- an emergency from its CSIRT to the managers and leads.  The head
-- dispatches the team, naming its members, or declines (not an event the
-- team supports).  While dispatched, the body reports its damage as it
-- goes.  The head ends the support.  What the team learns serves only
-- that body's support unless the body consented in advance to wider use
-- (seed 003 §15): the case records that consent (wider_use_consent).
-- Re-applied by "councilctl migrate".  Errors: MESSAGE a stable code,
-- SQLSTATE class CP.
--
-- Who sees a case: the body (its registered handlers and administrator),
-- the head, the managers and leads, the members dispatched to it, and
-- the coordinator (R-ORG-6).  Nobody else: a hidden id answers like an
-- absent one.

-- The caller's role in the team, or NULL.
CREATE OR REPLACE FUNCTION council.cymat_my_role() RETURNS council.cymat_role
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT t.role FROM council.cymat_team t, council.me m WHERE t.person_id = m.person_id
$$;

-- R-CYMAT-1: the caller sees case c: the supported body, the team's head,
-- the members dispatched, the coordinator (issue 13 item 7); and the
-- managers and leads a request was sent to through the CSIRT's emergency
-- channel (seed 003 §10(4): they answer it when the head cannot be
-- reached), not the other requests.
CREATE OR REPLACE FUNCTION council.cymat_visible(c bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (
        SELECT 1 FROM council.me m, council.cymat_cases x
        WHERE x.id = c
          AND (m.is_coordinator
               OR council.cymat_my_role() = 'head'
               OR (council.cymat_my_role() IN ('manager', 'lead') AND x.channel = 'csirt')
               OR EXISTS (SELECT 1 FROM council.cymat_dispatch d
                          WHERE d.case_id = x.id AND d.person_id = m.person_id)
               OR (x.org_id = m.org_id AND council.incident_may_touch())))
$$;

-- Signed in (CP401) and sees case c (else CP404, as if absent).
CREATE OR REPLACE FUNCTION council.cymat_require(c bigint) RETURNS council.cymat_cases
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.cymat_cases;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF c IS NULL OR NOT council.cymat_visible(c) THEN
        RAISE EXCEPTION 'cymat_case_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT * INTO x FROM council.cymat_cases WHERE id = c;
    RETURN x;
END
$$;

-- Tell the people of the team with role in p_roles (a number only).
CREATE OR REPLACE FUNCTION council.cymat_tell_team(p_roles council.cymat_role[], c bigint,
    p_kind text, p_ja text, p_en text) RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    INSERT INTO council.notifications (person_id, kind, subject_ja, subject_en, link, dedupe)
    SELECT t.person_id, p_kind, p_ja, p_en, '/tasks', p_kind || ':' || c
    FROM council.cymat_team t JOIN council.people p ON p.id = t.person_id AND p.active
    WHERE t.role = ANY (p_roles) AND t.person_id IS DISTINCT FROM council.current_person_id()
    ON CONFLICT (person_id, dedupe) DO NOTHING
$$;

-- R-CYMAT-1: the caller's body (a national agency) requests support:
-- channel 'ciso' (to the head) or, in an emergency, 'csirt' (to the
-- managers and leads).  Returns the case's id.
CREATE OR REPLACE FUNCTION council.cymat_request(p_channel council.cymat_channel,
    p_emergency boolean, p_description text, p_wider_use boolean) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id  bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.incident_may_touch() THEN
        RAISE EXCEPTION 'not_a_handler' USING ERRCODE = 'CP403';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.organisations
                   WHERE id = council.current_org_id() AND category = 'national_agency'
                     AND status = 'member') THEN
        RAISE EXCEPTION 'only_government_bodies' USING ERRCODE = 'CP403';
    END IF;
    IF p_channel IS NULL OR p_emergency IS NULL OR p_wider_use IS NULL THEN
        RAISE EXCEPTION 'answers_required' USING ERRCODE = 'CP422';
    END IF;
    -- seed 003 §10(4): the CSIRT's channel is for an emergency.
    IF p_channel = 'csirt' AND NOT p_emergency THEN
        RAISE EXCEPTION 'csirt_only_in_emergency' USING ERRCODE = 'CP422';
    END IF;
    IF p_description IS NULL OR length(btrim(p_description)) NOT BETWEEN 10 AND 4000
       OR p_description ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_description' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.cymat_cases (org_id, requested_by, channel, emergency, description,
        wider_use_consent)
    VALUES (council.current_org_id(), council.current_person_id(), p_channel, p_emergency,
            btrim(p_description), p_wider_use)
    RETURNING id INTO v_id;
    PERFORM council.cymat_tell_team(CASE p_channel WHEN 'ciso' THEN ARRAY['head']::council.cymat_role[]
                                               ELSE ARRAY['manager', 'lead']::council.cymat_role[] END,
        v_id, 'cymat.request', format('CYMAT への支援要請 #%s', v_id),
        format('Support request to CYMAT #%s', v_id));
    PERFORM council.audit('cymat.request', 'cymat_case', v_id,
        jsonb_build_object('channel', p_channel, 'emergency', p_emergency));
    RETURN v_id;
END
$$;

-- R-CYMAT-1: the head dispatches the team to case c, naming its members
-- (people of the team), or declines it with a note.  Once.
CREATE OR REPLACE FUNCTION council.cymat_decide(c bigint, p_dispatch boolean,
    p_members bigint[], p_note text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.cymat_cases := council.cymat_require(c);
BEGIN
    IF council.cymat_my_role() IS DISTINCT FROM 'head' THEN
        RAISE EXCEPTION 'only_the_head' USING ERRCODE = 'CP403';
    END IF;
    IF x.status <> 'requested' THEN
        RAISE EXCEPTION 'already_decided' USING ERRCODE = 'CP409';
    END IF;
    IF p_note IS NOT NULL AND (length(p_note) > 2000 OR p_note ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]') THEN
        RAISE EXCEPTION 'invalid_note' USING ERRCODE = 'CP422';
    END IF;
    IF p_dispatch THEN
        IF cardinality(coalesce(p_members, '{}')) NOT BETWEEN 1 AND 40
           OR EXISTS (SELECT 1 FROM unnest(p_members) m
                      WHERE NOT EXISTS (SELECT 1 FROM council.cymat_team t
                                        WHERE t.person_id = m)) THEN
            RAISE EXCEPTION 'invalid_members' USING ERRCODE = 'CP422';
        END IF;
        INSERT INTO council.cymat_dispatch (case_id, person_id)
        SELECT DISTINCT c, m FROM unnest(p_members) m;
        INSERT INTO council.notifications (person_id, kind, subject_ja, subject_en, link, dedupe)
        SELECT DISTINCT m, 'cymat.dispatch', format('CYMAT の出動: 支援要請 #%s', c),
               format('CYMAT dispatched: support request #%s', c), '/tasks',
               'cymat.dispatch:' || c
        FROM unnest(p_members) m ON CONFLICT (person_id, dedupe) DO NOTHING;
    ELSIF coalesce(btrim(p_note), '') = '' THEN
        RAISE EXCEPTION 'note_required' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.cymat_cases
    SET status = CASE WHEN p_dispatch THEN 'dispatched' ELSE 'declined' END::council.cymat_status,
        decided_at = now(), decided_by = council.current_person_id(), decision_note = p_note
    WHERE id = c;
    PERFORM council.incident_tell(x.org_id, 'cymat.decided',
        format('CYMAT への支援要請 #%s の判断がありました', c),
        format('Support request to CYMAT #%s: decided', c), '/tasks',
        'cymat.decided:' || c);
    PERFORM council.audit(CASE WHEN p_dispatch THEN 'cymat.dispatch' ELSE 'cymat.decline' END,
        'cymat_case', c, jsonb_build_object('members', cardinality(coalesce(p_members, '{}'))));
END
$$;

-- R-CYMAT-1: the supported body reports its damage while the team is
-- dispatched.  Returns the report's sequence number.
CREATE OR REPLACE FUNCTION council.cymat_damage(c bigint, p_body text) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x      council.cymat_cases := council.cymat_require(c);
    v_seq  integer;
BEGIN
    IF x.org_id IS DISTINCT FROM council.current_org_id() OR NOT council.incident_may_touch() THEN
        RAISE EXCEPTION 'only_the_body' USING ERRCODE = 'CP403';
    END IF;
    IF x.status <> 'dispatched' THEN
        RAISE EXCEPTION 'not_dispatched' USING ERRCODE = 'CP409';
    END IF;
    IF p_body IS NULL OR length(btrim(p_body)) NOT BETWEEN 1 AND 4000
       OR p_body ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_body' USING ERRCODE = 'CP422';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('council.cymat_cases'), hashtext(c::text));
    SELECT coalesce(max(seq), 0) + 1 INTO v_seq FROM council.cymat_damage_reports WHERE case_id = c;
    INSERT INTO council.cymat_damage_reports (case_id, seq, body, submitted_by)
    VALUES (c, v_seq, btrim(p_body), council.current_person_id());
    PERFORM council.audit('cymat.damage', 'cymat_case', c, jsonb_build_object('seq', v_seq));
    RETURN v_seq;
END
$$;

-- R-CYMAT-1: the head ends the support (after hearing the body's CISO:
-- the note records it).  Once.
CREATE OR REPLACE FUNCTION council.cymat_close(c bigint, p_note text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.cymat_cases := council.cymat_require(c);
BEGIN
    IF council.cymat_my_role() IS DISTINCT FROM 'head' THEN
        RAISE EXCEPTION 'only_the_head' USING ERRCODE = 'CP403';
    END IF;
    IF x.status <> 'dispatched' THEN
        RAISE EXCEPTION 'not_dispatched' USING ERRCODE = 'CP409';
    END IF;
    UPDATE council.cymat_cases
    SET status = 'closed', closed_at = now(), closed_by = council.current_person_id(),
        decision_note = coalesce(nullif(btrim(coalesce(p_note, '')), ''), decision_note)
    WHERE id = c;
    PERFORM council.incident_tell(x.org_id, 'cymat.closed',
        format('CYMAT の支援 #%s が終了しました', c),
        format('CYMAT support #%s has ended', c), '/tasks', 'cymat.closed:' || c);
    PERFORM council.audit('cymat.close', 'cymat_case', c, '{}');
END
$$;

-- R-CYMAT-1: case c as the caller sees it (CP404 when hidden or absent).
CREATE OR REPLACE FUNCTION council.cymat_case(c bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.cymat_cases;
BEGIN
    SELECT * INTO x FROM council.cymat_cases WHERE id = c;
    IF x.id IS NULL THEN
        RAISE EXCEPTION 'cymat_case_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN json_build_object('id', x.id, 'org', x.org_id, 'channel', x.channel,
        'emergency', x.emergency, 'description', x.description,
        'wider_use_consent', x.wider_use_consent, 'status', x.status,
        'decided_at', x.decided_at, 'decision_note', x.decision_note, 'closed_at', x.closed_at,
        'created_at', x.created_at,
        'members', coalesce((SELECT json_agg(person_id ORDER BY person_id)
                             FROM council.cymat_dispatch WHERE case_id = x.id), '[]'),
        'damage_reports', coalesce((SELECT json_agg(json_build_object('seq', d.seq, 'body', d.body,
                                    'submitted_at', d.submitted_at) ORDER BY d.seq)
                                    FROM council.cymat_damage_reports d WHERE d.case_id = x.id), '[]'));
END
$$;

-- The cases the caller sees, newest first (at most 200).
CREATE OR REPLACE FUNCTION council.cymat_cases_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('cases', coalesce(json_agg(json_build_object(
            'id', x.id, 'org', x.org_id, 'channel', x.channel, 'emergency', x.emergency,
            'status', x.status, 'created_at', x.created_at) ORDER BY x.id DESC), '[]'))
    FROM (SELECT * FROM council.cymat_cases ORDER BY id DESC LIMIT 200) x
$$;

-- The team is known to every signed-in caller (who to ask); the cases as
-- council.cymat_visible says.
CREATE POLICY cymat_team_read ON council.cymat_team FOR SELECT
    TO council_app, council_writer USING ((SELECT me.person_id FROM council.me) IS NOT NULL);
CREATE POLICY cymat_cases_visible ON council.cymat_cases FOR SELECT
    TO council_app, council_writer USING (council.cymat_visible(id));
CREATE POLICY cymat_dispatch_visible ON council.cymat_dispatch FOR SELECT
    TO council_app, council_writer USING (council.cymat_visible(case_id));
CREATE POLICY cymat_damage_reports_visible ON council.cymat_damage_reports FOR SELECT
    TO council_app, council_writer USING (council.cymat_visible(case_id));

-- The JSON API's row: POST /api/v1/cymat {channel, emergency,
-- description, wider_use_consent}; POST /api/v1/cymat/N {"action":
-- "dispatch", members, note} | {"action": "decline", note} | {"action":
-- "damage", body} | {"action": "close", note}.
CREATE OR REPLACE FUNCTION council.api__cymat(r jsonb, OUT status integer, OUT body text)
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
    IF r->>'what' = 'request' THEN
        a := council.api_args(r->>'body', '{"channel": "string", "emergency": "boolean",
            "description": "string", "wider_use_consent": "boolean"}');
        v_id := council.cymat_request((a->>'channel')::council.cymat_channel,
            (a->>'emergency')::boolean, a->>'description', (a->>'wider_use_consent')::boolean);
        status := 201;
    ELSIF r->>'what' = 'act' THEN
        a := council.api_args(r->>'body', '{"action": "string", "members": "array",
            "note": "string", "body": "string"}');
        v_id := (r->>'id')::bigint;
        PERFORM council.cymat_require(v_id);
        CASE a->>'action'
        WHEN 'dispatch' THEN
            PERFORM council.cymat_decide(v_id, true,
                ARRAY(SELECT (e #>> '{}')::bigint FROM jsonb_array_elements(coalesce(a->'members', '[]')) e),
                a->>'note');
        WHEN 'decline' THEN
            PERFORM council.cymat_decide(v_id, false, NULL, a->>'note');
        WHEN 'damage' THEN
            PERFORM council.cymat_damage(v_id, a->>'body');
        WHEN 'close' THEN
            PERFORM council.cymat_close(v_id, a->>'note');
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
        status := 200;
    ELSE
        RAISE EXCEPTION 'api__cymat: % is not a call', r->>'what';
    END IF;
    body := council.cymat_case(v_id)::text;
END
$$;

-- councild's entry (routes.c).
CREATE OR REPLACE FUNCTION council.api_cymat(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('cymat',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.cymat_my_role() OWNER TO council_definer;
ALTER FUNCTION council.cymat_visible(bigint) OWNER TO council_definer;
ALTER FUNCTION council.cymat_require(bigint) OWNER TO council_definer;
ALTER FUNCTION council.cymat_tell_team(council.cymat_role[], bigint, text, text, text)
    OWNER TO council_definer;
ALTER FUNCTION council.cymat_request(council.cymat_channel, boolean, text, boolean)
    OWNER TO council_definer;
ALTER FUNCTION council.cymat_decide(bigint, boolean, bigint[], text) OWNER TO council_definer;
ALTER FUNCTION council.cymat_damage(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.cymat_close(bigint, text) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.cymat_tell_team(council.cymat_role[], bigint, text, text, text)
    FROM PUBLIC;

-- ==== The pages' reads (server/pages/cymat.c; issue 13 item 7) =============
-- Names the pages show that the caller's own policies hide (people of
-- other organisations).  Each answers nothing to a caller it does not
-- concern; neither writes.

-- R-CYMAT-1: the people named in case c (its requester, the head who
-- decided and ended it, the members dispatched, the authors of its damage
-- reports), with their names and organisations, for a caller who sees
-- the case (council.cymat_visible); no rows otherwise.
CREATE OR REPLACE FUNCTION council.cymat_case_people(c bigint)
    RETURNS TABLE (person_id bigint, name_ja text, name_en text, org_ja text, org_en text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT p.id, p.name_ja, p.name_en, o.name_ja, o.name_en
    FROM council.people p JOIN council.organisations o ON o.id = p.org_id
    WHERE council.cymat_visible(c)
      AND p.id IN (SELECT x.requested_by FROM council.cymat_cases x WHERE x.id = c
                   UNION SELECT x.decided_by FROM council.cymat_cases x WHERE x.id = c
                   UNION SELECT x.closed_by FROM council.cymat_cases x WHERE x.id = c
                   UNION SELECT d.person_id FROM council.cymat_dispatch d WHERE d.case_id = c
                   UNION SELECT r.submitted_by FROM council.cymat_damage_reports r
                         WHERE r.case_id = c)
$$;

-- R-CYMAT-1: the team's active people with their roles, names and
-- organisations, for those who dispatch it or are asked (the head, the
-- managers, the leads) and the coordinator; no rows for anyone else
-- (who is in the team is known to all, cymat_team_read; their names are
-- not).
CREATE OR REPLACE FUNCTION council.cymat_team_roster()
    RETURNS TABLE (person_id bigint, role council.cymat_role, name_ja text, name_en text,
                   org_ja text, org_en text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT p.id, t.role, p.name_ja, p.name_en, o.name_ja, o.name_en
    FROM council.cymat_team t
    JOIN council.people p ON p.id = t.person_id AND p.active
    JOIN council.organisations o ON o.id = p.org_id
    WHERE council.cymat_my_role() IN ('head', 'manager', 'lead')
       OR coalesce(council.current_is_coordinator(), false)
    ORDER BY t.role, p.id
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.cymat_case_people(bigint) OWNER TO council_definer;
ALTER FUNCTION council.cymat_team_roster() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
