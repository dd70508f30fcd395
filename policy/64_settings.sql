-- policy/64_settings.sql: a person's own settings, and what an
-- organisation's administrators may change for it (issue 4): handler
-- registrations (R-ORG-4), the secret-receipt opt-out (R-SECRET-3) and the
-- roster opt-out (R-ORG-7); and the published roster.  Re-applied by
-- "councilctl migrate".
--
-- The write functions are SECURITY DEFINER owned by council_writer, which
-- is under the policies council_app is under (policy/42_sharing_writes.sql):
-- they see what the caller sees, and the UPDATE and INSERT policies below pin
-- what they may change to the caller's own person, or to the caller's own
-- organisation when the caller is its administrator (people.is_org_admin).
-- Errors: MESSAGE a stable code, SQLSTATE of class CP (CP401 not signed
-- in, CP403 forbidden, CP404 not found, CP422 invalid).  A person of
-- another organisation is answered exactly like an id that does not exist
-- (CP404 person_not_found), whoever asks, the coordinator included.

-- The caller's own settings (one row; none for nobody).  council_app may
-- not read the notification columns of people (migration 0010), so this
-- is the one way to read them, and only one's own.
CREATE OR REPLACE FUNCTION council.my_settings()
    RETURNS TABLE (lang text, notify_new_in_scope boolean,
                   notify_feedback_due boolean, notify_consent_request boolean,
                   notify_governance boolean, email_digest text,
                   is_org_admin boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN QUERY
    SELECT p.lang, p.notify_new_in_scope, p.notify_feedback_due,
           p.notify_consent_request, p.notify_governance, p.email_digest,
           p.is_org_admin
    FROM council.people p
    WHERE p.id = council.current_person_id();
END
$$;

-- Change the caller's own settings.  A NULL argument keeps the current
-- value.  p_lang: 'ja' or 'en'; p_digest: 'none', 'immediate' or 'daily'
-- (migration 0010 says what they mean).  Audited when something changed
-- (detail: the new values of what changed).  Returns whether anything did.
CREATE OR REPLACE FUNCTION council.set_my_settings(p_lang text,
    p_new_in_scope boolean DEFAULT NULL, p_feedback_due boolean DEFAULT NULL,
    p_consent_request boolean DEFAULT NULL, p_governance boolean DEFAULT NULL,
    p_digest text DEFAULT NULL) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person bigint := council.current_person_id();
    o        council.people;
    n        council.people;
    v_diff   jsonb;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF p_lang IS NOT NULL AND p_lang NOT IN ('ja', 'en') THEN
        RAISE EXCEPTION 'invalid_language' USING ERRCODE = 'CP422';
    END IF;
    IF p_digest IS NOT NULL AND p_digest NOT IN ('none', 'immediate', 'daily') THEN
        RAISE EXCEPTION 'invalid_digest' USING ERRCODE = 'CP422';
    END IF;
    SELECT * INTO o FROM council.people WHERE id = v_person;
    UPDATE council.people
    SET lang = coalesce(p_lang, lang),
        notify_new_in_scope = coalesce(p_new_in_scope, notify_new_in_scope),
        notify_feedback_due = coalesce(p_feedback_due, notify_feedback_due),
        notify_consent_request = coalesce(p_consent_request, notify_consent_request),
        notify_governance = coalesce(p_governance, notify_governance),
        email_digest = coalesce(p_digest, email_digest)
    WHERE id = v_person
    RETURNING * INTO n;
    SELECT coalesce(jsonb_object_agg(k, nv), '{}') INTO v_diff
    FROM jsonb_each(jsonb_build_object(
             'lang', n.lang, 'notify_new_in_scope', n.notify_new_in_scope,
             'notify_feedback_due', n.notify_feedback_due,
             'notify_consent_request', n.notify_consent_request,
             'notify_governance', n.notify_governance,
             'email_digest', n.email_digest)) AS x(k, nv)
    WHERE nv IS DISTINCT FROM jsonb_build_object(
             'lang', o.lang, 'notify_new_in_scope', o.notify_new_in_scope,
             'notify_feedback_due', o.notify_feedback_due,
             'notify_consent_request', o.notify_consent_request,
             'notify_governance', o.notify_governance,
             'email_digest', o.email_digest) -> k;
    IF v_diff = '{}' THEN
        RETURN false;
    END IF;
    PERFORM council.audit('settings.update', 'person', v_person, v_diff);
    RETURN true;
END
$$;

-- Organisation administration. ------------------------------------------------

-- The caller's organisation, if the caller administers it: CP401 for
-- nobody, CP403 org_admin_only for anyone else.  R-ORG-4 (Art. 13): the
-- secretariat bodies administer themselves the same way.
CREATE OR REPLACE FUNCTION council.current_admin_org() RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org bigint;
    v_admin boolean;
BEGIN
    SELECT me.org_id, p.is_org_admin INTO v_org, v_admin
    FROM council.me JOIN council.people p ON p.id = me.person_id;
    IF v_org IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT v_admin THEN
        RAISE EXCEPTION 'org_admin_only' USING ERRCODE = 'CP403';
    END IF;
    RETURN v_org;
END
$$;

-- The people of the caller's organisation, for its administrator: their
-- names, address, whether they are active or administrators, and their
-- open handler registration (R-ORG-4).  Only the caller's own organisation,
-- even for the coordinator, which may see every person elsewhere.
CREATE OR REPLACE FUNCTION council.org_people()
    RETURNS TABLE (id bigint, name_ja text, name_en text, email text,
                   active boolean, is_org_admin boolean, handler boolean,
                   registered_at timestamptz)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org bigint := council.current_admin_org();
BEGIN
    RETURN QUERY
    SELECT p.id, p.name_ja, p.name_en, p.email, p.active, p.is_org_admin,
           h.registered_at IS NOT NULL, h.registered_at
    FROM council.people p
    LEFT JOIN council.handler_registrations h
           ON h.person_id = p.id AND h.deregistered_at IS NULL
    WHERE p.org_id = v_org
    ORDER BY p.id;
END
$$;

-- A person of the caller's organisation, for its administrator: its id
-- and whether it is active.  A person of another organisation is not
-- found, exactly like an absent id.
CREATE OR REPLACE FUNCTION council.admin_person(p_person bigint,
    OUT id bigint, OUT active boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org bigint := council.current_admin_org();
BEGIN
    SELECT p.id, p.active INTO id, active FROM council.people p
    WHERE p.id = p_person AND p.org_id = v_org;
    IF id IS NULL THEN
        RAISE EXCEPTION 'person_not_found' USING ERRCODE = 'CP404';
    END IF;
END
$$;

-- A new handler (see register_handler) must use the second factor from
-- now on (policy/50_auth.sql, auth_needs_totp).  Sessions and API tokens
-- opened on a password alone must not gain secret access: if the person
-- has no TOTP secret yet, every session and token of theirs ends, and the
-- next sign-in enrols one.  A person with a secret signed in with it
-- (auth_lookup always asks for it), so nothing ends.  Returns the number
-- of sessions ended (audited when not 0).
CREATE OR REPLACE FUNCTION council.handler_step_up(p_person bigint) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n integer;
BEGIN
    IF EXISTS (SELECT 1 FROM council.people p
               WHERE p.id = p_person AND p.totp_secret IS NOT NULL) THEN
        RETURN 0;
    END IF;
    SELECT count(*) INTO n FROM council.sessions s
    WHERE s.person_id = p_person AND s.revoked_at IS NULL;
    IF n = 0 THEN
        RETURN 0;
    END IF;
    -- Audited first: the caller may be registering itself, and then has
    -- no identity once its own session has ended.
    PERFORM council.audit('auth.sessions.revoke', 'person', p_person,
        jsonb_build_object('reason', 'handler_registered', 'sessions', n));
    UPDATE council.sessions s SET revoked_at = now()
    WHERE s.person_id = p_person AND s.revoked_at IS NULL;
    RETURN n;
END
$$;

-- R-ORG-4: the caller, an administrator, registers a person of its own
-- organisation as a council handler.  registered_at is now: the portal is
-- the notification to the secretariat (Art. 6(8)).  The session identity
-- triggers (policy/10_identity.sql) give the person's live sessions secret
-- access at once (if the organisation has not opted out, R-SECRET-3); the
-- audit row is written by the trigger of policy/30_audit.sql
-- (handler.register).  Returns registered_at.
CREATE OR REPLACE FUNCTION council.register_handler(p_person bigint)
    RETURNS timestamptz
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v    record;
    v_at timestamptz := now();
BEGIN
    SELECT * INTO v FROM council.admin_person(p_person);
    IF NOT v.active THEN
        RAISE EXCEPTION 'person_inactive' USING ERRCODE = 'CP422';
    END IF;
    IF EXISTS (SELECT 1 FROM council.handler_registrations h
               WHERE h.person_id = v.id AND h.deregistered_at IS NULL) THEN
        RAISE EXCEPTION 'already_registered' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.handler_registrations (person_id, registered_at, registered_by)
    VALUES (v.id, v_at, council.current_person_id());
    PERFORM council.handler_step_up(v.id);
    RETURN v_at;
END
$$;

-- R-ORG-4: the caller, an administrator, ends a handler registration of a
-- person of its own organisation, with an optional reason (at most 500
-- characters, kept with the registration).  Secret access ends in the same
-- transaction (the session identity triggers); the audit row is
-- handler.deregister (policy/30_audit.sql).
CREATE OR REPLACE FUNCTION council.deregister_handler(p_person bigint,
    p_reason text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v record;
BEGIN
    SELECT * INTO v FROM council.admin_person(p_person);
    p_reason := nullif(btrim(p_reason), '');
    IF length(p_reason) > 500 THEN
        RAISE EXCEPTION 'invalid_reason' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.handler_registrations
    SET deregistered_at = greatest(now(), registered_at),
        deregistered_by = council.current_person_id(),
        deregistration_reason = p_reason
    WHERE person_id = v.id AND deregistered_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'not_registered' USING ERRCODE = 'CP422';
    END IF;
END
$$;

-- R-SECRET-3: the caller's organisation does (true) or does not (false)
-- wish to receive secrets.  The session identity trigger on organisations
-- (policy/10_identity.sql) withdraws or restores its handlers' secret
-- access at once; the posts' policies then hide or show every secret post
-- in its audience (docs/sharing.md).  Audited when it changed; returns
-- whether it did.
CREATE OR REPLACE FUNCTION council.set_secret_opt_out(p_value boolean)
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org bigint := council.current_admin_org();
BEGIN
    IF p_value IS NULL THEN
        RAISE EXCEPTION 'invalid_value' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.organisations SET secret_opt_out = p_value
    WHERE id = v_org AND secret_opt_out IS DISTINCT FROM p_value;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM council.audit('org.secret_opt_out', 'organisation', v_org,
        jsonb_build_object('value', p_value));
    RETURN true;
END
$$;

-- R-ORG-7: the caller's organisation is (false) or is not (true) listed on
-- the published roster.  Audited when it changed; returns whether it did.
CREATE OR REPLACE FUNCTION council.set_roster_opt_out(p_value boolean)
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org bigint := council.current_admin_org();
BEGIN
    IF p_value IS NULL THEN
        RAISE EXCEPTION 'invalid_value' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.organisations SET roster_opt_out = p_value
    WHERE id = v_org AND roster_opt_out IS DISTINCT FROM p_value;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM council.audit('org.roster_opt_out', 'organisation', v_org,
        jsonb_build_object('value', p_value));
    RETURN true;
END
$$;

-- R-ORG-7: the published member list: every member organisation that did
-- not ask to be left out, with public data only (names, category, sector;
-- no id, no people).  Anyone may read it, signed in or not: it runs with
-- the definer's rights, because organisations are otherwise visible only
-- to signed-in members (policy/20_members.sql).
CREATE OR REPLACE FUNCTION council.roster()
    RETURNS TABLE (name_ja text, name_en text, category text,
                   sector_code text, sector_name_ja text, sector_name_en text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN QUERY
    SELECT o.name_ja, o.name_en, o.category::text, o.sector_code,
           s.name_ja, s.name_en
    FROM council.organisations o
    LEFT JOIN council.sectors s ON s.code = o.sector_code
    WHERE o.status = 'member' AND NOT o.roster_opt_out
    ORDER BY o.category, o.name_ja;
END
$$;

------------------------------------------------------------------------
-- The JSON API's rows (docs/api.md), council.api__<name>(request), reached
-- through the door council.api_call (policy/15_api.sql): they raise, the
-- door answers (status, body), and a refused call changes nothing.
-- SECURITY INVOKER: they call the functions above as council_app would.
-- GET /api/v1/settings (api_settings) answers by itself: it raises nothing.
------------------------------------------------------------------------

-- The caller's settings as the API shows them.
CREATE OR REPLACE FUNCTION council.settings_json() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('lang', s.lang,
        'notify_new_in_scope', s.notify_new_in_scope,
        'notify_feedback_due', s.notify_feedback_due,
        'notify_consent_request', s.notify_consent_request,
        'notify_governance', s.notify_governance,
        'email_digest', s.email_digest, 'org_admin', s.is_org_admin)
    FROM council.my_settings() s
$$;

-- GET /api/v1/settings.
CREATE OR REPLACE FUNCTION council.api_settings(OUT status integer, OUT body text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    body := council.settings_json()::text;
    status := CASE WHEN body IS NULL THEN 401 ELSE 200 END;
    body := coalesce(body, '{"error":"not_signed_in"}');
END
$$;

-- POST /api/v1/settings: any of the keys of GET but org_admin; absent
-- keys keep their value.  Answers the settings as GET does.
CREATE OR REPLACE FUNCTION council.api__set_settings(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    a := council.api_args(r->>'body', '{"lang": "string", "notify_new_in_scope": "boolean",
        "notify_feedback_due": "boolean", "notify_consent_request": "boolean",
        "notify_governance": "boolean", "email_digest": "string"}');
    PERFORM council.set_my_settings(a->>'lang',
        (a->>'notify_new_in_scope')::boolean, (a->>'notify_feedback_due')::boolean,
        (a->>'notify_consent_request')::boolean, (a->>'notify_governance')::boolean,
        a->>'email_digest');
    status := 200;
    body := council.settings_json()::text;
END
$$;

-- The caller's organisation and its people, for its administrator
-- (CP403 org_admin_only for anyone else).
CREATE OR REPLACE FUNCTION council.org_json() RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org bigint := council.current_admin_org();
BEGIN
    RETURN (SELECT json_build_object(
        'org', json_build_object('id', o.id, 'name_ja', o.name_ja,
            'name_en', o.name_en, 'secret_opt_out', o.secret_opt_out,
            'roster_opt_out', o.roster_opt_out),
        'people', (SELECT coalesce(json_agg(json_build_object(
            'id', p.id, 'name_ja', p.name_ja, 'name_en', p.name_en,
            'email', p.email, 'active', p.active, 'org_admin', p.is_org_admin,
            'handler', p.handler, 'registered_at', p.registered_at)
            ORDER BY p.id), '[]') FROM council.org_people() p))
        FROM council.organisations o WHERE o.id = v_org);
END
$$;

-- GET /api/v1/org.
CREATE OR REPLACE FUNCTION council.api__org(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    body := council.org_json()::text;
    status := 200;
END
$$;

-- POST /api/v1/org {"secret_opt_out": bool, "roster_opt_out": bool}
-- (either or both; R-SECRET-3, R-ORG-7).  Answers as GET /api/v1/org.
CREATE OR REPLACE FUNCTION council.api__set_org(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a         jsonb;
    v_secret  boolean;
    v_roster  boolean;
BEGIN
    PERFORM council.current_admin_org();
    a := council.api_args(r->>'body', '{"secret_opt_out": "boolean", "roster_opt_out": "boolean"}');
    v_secret := (a->>'secret_opt_out')::boolean;
    v_roster := (a->>'roster_opt_out')::boolean;
    IF v_secret IS NOT NULL THEN
        PERFORM council.set_secret_opt_out(v_secret);
    END IF;
    IF v_roster IS NOT NULL THEN
        PERFORM council.set_roster_opt_out(v_roster);
    END IF;
    status := 200;
    body := council.org_json()::text;
END
$$;

-- POST /api/v1/org/handlers {"person_id": N, "action": "register" |
-- "deregister", "reason": "..."} (R-ORG-4).  A person of another
-- organisation answers like an absent one: 404 person_not_found.
-- Answers {"person_id": N, "handler": bool, "registered_at": ts|null}.
CREATE OR REPLACE FUNCTION council.api__handler(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a         jsonb;
    v_person  bigint;
BEGIN
    PERFORM council.current_admin_org();
    a := council.api_args(r->>'body',
        '{"person_id": "number", "action": "string", "reason": "string"}');
    v_person := (a->>'person_id')::bigint;
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'invalid_person_id' USING ERRCODE = 'CP422';
    END IF;
    IF a->>'action' = 'register' THEN
        IF a ? 'reason' THEN    -- a reason is for a deregistration
            RAISE EXCEPTION 'invalid_reason' USING ERRCODE = 'CP422';
        END IF;
        PERFORM council.register_handler(v_person);
    ELSIF a->>'action' = 'deregister' THEN
        PERFORM council.deregister_handler(v_person, a->>'reason');
    ELSE
        RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
    END IF;
    status := 200;
    body := (SELECT json_build_object('person_id', p.id, 'handler', p.handler,
                                      'registered_at', p.registered_at)
             FROM council.org_people() p WHERE p.id = v_person)::text;
END
$$;

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.my_settings() OWNER TO council_writer;
ALTER FUNCTION council.set_my_settings(text, boolean, boolean, boolean, boolean, text)
    OWNER TO council_writer;
ALTER FUNCTION council.register_handler(bigint) OWNER TO council_writer;
ALTER FUNCTION council.deregister_handler(bigint, text) OWNER TO council_writer;
ALTER FUNCTION council.set_secret_opt_out(boolean) OWNER TO council_writer;
ALTER FUNCTION council.set_roster_opt_out(boolean) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.handler_step_up(bigint) OWNER TO council_definer;
ALTER FUNCTION council.roster() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.handler_step_up(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.handler_step_up(bigint) TO council_writer;

-- The policies: what the functions above may change. ------------------------

-- One's own settings only.
CREATE POLICY people_settings_own ON council.people FOR UPDATE TO council_writer
    USING (id = (SELECT me.person_id FROM council.me))
    WITH CHECK (id = (SELECT me.person_id FROM council.me));

-- R-SECRET-3, R-ORG-7: one's own organisation, by its administrator.
CREATE POLICY organisations_admin ON council.organisations FOR UPDATE TO council_writer
    USING (id = (SELECT me.org_id FROM council.me)
           AND EXISTS (SELECT 1 FROM council.people p
                       WHERE p.id = (SELECT me.person_id FROM council.me)
                         AND p.is_org_admin))
    WITH CHECK (id = (SELECT me.org_id FROM council.me));

-- R-ORG-4: registrations of one's own organisation's people, by its
-- administrator, who is recorded as the one who notified.
CREATE POLICY handler_registrations_admin_insert ON council.handler_registrations
    FOR INSERT TO council_writer
    WITH CHECK (person_id IN (SELECT p.id FROM council.people p
                              WHERE p.org_id = (SELECT me.org_id FROM council.me))
                AND registered_by = (SELECT me.person_id FROM council.me)
                AND EXISTS (SELECT 1 FROM council.people p
                            WHERE p.id = (SELECT me.person_id FROM council.me)
                              AND p.is_org_admin));
CREATE POLICY handler_registrations_admin_update ON council.handler_registrations
    FOR UPDATE TO council_writer
    USING (person_id IN (SELECT p.id FROM council.people p
                         WHERE p.org_id = (SELECT me.org_id FROM council.me))
           AND EXISTS (SELECT 1 FROM council.people p
                       WHERE p.id = (SELECT me.person_id FROM council.me)
                         AND p.is_org_admin))
    WITH CHECK (person_id IN (SELECT p.id FROM council.people p
                              WHERE p.org_id = (SELECT me.org_id FROM council.me))
                AND deregistered_by = (SELECT me.person_id FROM council.me));
