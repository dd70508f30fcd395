-- policy/50_auth.sql: sign-in, the second factor, sessions and API tokens
-- (OWASP ASVS 5.0 V6, V7).  Re-applied by "councilctl migrate".
--
-- Who does what.  councild verifies passwords (scrypt, libscrypt) and TOTP
-- codes (HMAC-SHA1, OpenSSL): the database cannot.  So the auth_* functions
-- below trust councild's word that a password or a code was right, and are
-- the only ways council_app can reach credentials or create a session.
-- Everything after sign-in is the database's: a session identifies a
-- person only through council.me (policy/10_identity.sql), which checks
-- kind, revocation, idle and absolute expiry, and that the person is active
-- and the organisation a member.  Every sign-in, failure, second factor,
-- sign-out and token is written to the audit log.
--
-- Tokens never reach the database: councild sends SHA-256(token) only.
-- Errors: MESSAGE is a stable code, SQLSTATE of class CP (see 40_sharing.sql).

-- An audit row for a person who is not (yet) the session's identity.
CREATE OR REPLACE FUNCTION council.audit_as(p_person bigint, p_action text,
    p_detail jsonb DEFAULT '{}') RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    INSERT INTO council.audit_log (person_id, org_id, action, object_type,
                                   object_id, detail, request_id)
    SELECT p.id, p.org_id, p_action, 'person', p.id, coalesce(p_detail, '{}'),
           left(nullif(current_setting('council.request_id', true), ''), 64)
    FROM council.people p WHERE p.id = p_person;
END
$$;

-- Does this person need a second factor?  Registered handlers and the
-- people of council roles (the coordinator, the secretariat, the steering
-- committee) do (issue 4; R-ORG-4, R-ORG-6, R-GOV-5).
CREATE OR REPLACE FUNCTION council.auth_needs_totp(p_person bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM council.handler_registrations h
                   WHERE h.person_id = p_person AND h.deregistered_at IS NULL)
        OR EXISTS (SELECT 1 FROM council.committee_members c
                   WHERE c.person_id = p_person)
        OR EXISTS (SELECT 1 FROM council.people p
                   JOIN council.organisations o ON o.id = p.org_id
                   WHERE p.id = p_person AND o.council_role IS NOT NULL);
END
$$;

-- Step 1 of sign-in: the account behind an e-mail address, if it may sign
-- in at all (active person, member organisation, a password set).
-- second_factor: 'none', 'enrol' (required, not set up) or 'totp'.
CREATE OR REPLACE FUNCTION council.auth_lookup(p_email text)
    RETURNS TABLE (person_id bigint, password_hash text, second_factor text,
                   lang text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN QUERY
    SELECT p.id, p.password_hash,
           CASE WHEN p.totp_secret IS NOT NULL THEN 'totp'
                WHEN council.auth_needs_totp(p.id) THEN 'enrol'
                ELSE 'none' END,
           p.lang
    FROM council.people p
    JOIN council.organisations o ON o.id = p.org_id
    WHERE lower(p.email) = lower(left(p_email, 254))
      AND p.active AND o.status = 'member' AND p.password_hash IS NOT NULL;
END
$$;

-- A wrong password for a known account (the audit trail of its
-- organisation shows it); unknown addresses are only logged by councild.
CREATE OR REPLACE FUNCTION council.auth_failed(p_person bigint, p_reason text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_reason NOT IN ('password', 'totp', 'recovery', 'throttled') THEN
        RAISE EXCEPTION 'invalid_reason' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.audit_as(p_person, 'auth.signin.failure',
        jsonb_build_object('reason', p_reason));
END
$$;

-- The password was right but its hash uses old parameters: store the new
-- one (ASVS V6.2: rehash on sign-in).
CREATE OR REPLACE FUNCTION council.auth_rehash(p_person bigint, p_hash text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_hash !~ '^\$s1\$' OR length(p_hash) > 128 THEN
        RAISE EXCEPTION 'invalid_hash' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.people SET password_hash = p_hash WHERE id = p_person;
END
$$;

-- Open a session for a person councild has authenticated.  kind 'web'
-- only when no second factor is due (else 'pending', which identifies
-- nobody and lives at most 10 minutes).  Refused for a person who may not
-- sign in.  The new token is always new (ASVS V7.2: a new token at
-- sign-in): the hash is UNIQUE.
CREATE OR REPLACE FUNCTION council.auth_session_open(p_person bigint,
    p_token_hash bytea, p_kind text, p_idle interval, p_lifetime interval)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_kind NOT IN ('web', 'pending') THEN
        RAISE EXCEPTION 'invalid_kind' USING ERRCODE = 'CP422';
    END IF;
    IF p_kind = 'web' AND council.auth_needs_totp(p_person) THEN
        RAISE EXCEPTION 'second_factor_required' USING ERRCODE = 'CP403';
    END IF;
    IF p_kind = 'pending' THEN
        p_idle := NULL;
        p_lifetime := least(p_lifetime, interval '10 minutes');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.people p
                   JOIN council.organisations o ON o.id = p.org_id
                   WHERE p.id = p_person AND p.active AND o.status = 'member') THEN
        RAISE EXCEPTION 'account_not_found' USING ERRCODE = 'CP404';
    END IF;
    INSERT INTO council.sessions (token_hash, person_id, kind, idle_timeout, expires_at)
    VALUES (p_token_hash, p_person, p_kind, p_idle, now() + p_lifetime);
    PERFORM council.audit_as(p_person,
        CASE p_kind WHEN 'web' THEN 'auth.signin' ELSE 'auth.signin.password' END);
END
$$;

-- The pending session behind a token: its person, and what the second
-- step needs (the TOTP secret, or NULL when it must be enrolled).
CREATE OR REPLACE FUNCTION council.auth_pending(p_token_hash bytea)
    RETURNS TABLE (person_id bigint, totp_secret text, totp_last_step bigint,
                   lang text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN QUERY
    SELECT p.id, p.totp_secret, p.totp_last_step, p.lang
    FROM council.sessions s
    JOIN council.people p ON p.id = s.person_id
    JOIN council.organisations o ON o.id = p.org_id
    WHERE s.token_hash = p_token_hash AND s.kind = 'pending'
      AND s.revoked_at IS NULL AND s.expires_at > now()
      AND p.active AND o.status = 'member';
END
$$;

-- Step 2: councild verified a TOTP code of time step p_step (or, with
-- p_recovery, a recovery code, whose hash is checked and spent here).
-- The pending session ends and a web session with p_new_hash begins.
-- p_enrol_secret: first enrolment (the person had no secret): the secret
-- the code was verified against is stored, with the recovery codes.
-- A step not after the last one used is a replay: refused.
CREATE OR REPLACE FUNCTION council.auth_second_factor(p_pending bytea,
    p_step bigint, p_recovery bytea, p_new_hash bytea, p_idle interval,
    p_lifetime interval, p_enrol_secret text DEFAULT NULL,
    p_recovery_hashes bytea[] DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person bigint;
    v_secret text;
    v_last   bigint;
    v_code   bigint;
BEGIN
    SELECT s.person_id, p.totp_secret, p.totp_last_step
    INTO v_person, v_secret, v_last
    FROM council.sessions s JOIN council.people p ON p.id = s.person_id
    WHERE s.token_hash = p_pending AND s.kind = 'pending'
      AND s.revoked_at IS NULL AND s.expires_at > now()
    FOR UPDATE OF s, p;
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'pending_not_found' USING ERRCODE = 'CP401';
    END IF;
    IF p_enrol_secret IS NOT NULL THEN
        IF v_secret IS NOT NULL THEN
            RAISE EXCEPTION 'already_enrolled' USING ERRCODE = 'CP422';
        END IF;
        IF p_step IS NULL OR cardinality(p_recovery_hashes) IS DISTINCT FROM 10 THEN
            RAISE EXCEPTION 'invalid_enrolment' USING ERRCODE = 'CP422';
        END IF;
        UPDATE council.people SET totp_secret = p_enrol_secret, totp_last_step = p_step
        WHERE id = v_person;
        INSERT INTO council.recovery_codes (person_id, code_hash)
        SELECT v_person, h FROM unnest(p_recovery_hashes) h;
        PERFORM council.audit_as(v_person, 'auth.totp.enrol');
    ELSIF p_recovery IS NOT NULL THEN
        UPDATE council.recovery_codes SET used_at = now()
        WHERE person_id = v_person AND code_hash = p_recovery AND used_at IS NULL
        RETURNING id INTO v_code;
        IF v_code IS NULL THEN
            PERFORM council.audit_as(v_person, 'auth.signin.failure',
                '{"reason": "recovery"}');
            RAISE EXCEPTION 'recovery_code_invalid' USING ERRCODE = 'CP401';
        END IF;
        PERFORM council.audit_as(v_person, 'auth.recovery.use');
    ELSE
        IF v_secret IS NULL THEN
            RAISE EXCEPTION 'not_enrolled' USING ERRCODE = 'CP422';
        END IF;
        IF p_step IS NULL OR p_step <= v_last THEN
            PERFORM council.audit_as(v_person, 'auth.signin.failure',
                '{"reason": "totp_replay"}');
            RAISE EXCEPTION 'totp_replayed' USING ERRCODE = 'CP401';
        END IF;
        UPDATE council.people SET totp_last_step = p_step WHERE id = v_person;
    END IF;
    UPDATE council.sessions SET revoked_at = now() WHERE token_hash = p_pending;
    INSERT INTO council.sessions (token_hash, person_id, kind, idle_timeout, expires_at)
    VALUES (p_new_hash, v_person, 'web', p_idle, now() + p_lifetime);
    PERFORM council.audit_as(v_person, 'auth.signin',
        jsonb_build_object('second_factor',
            CASE WHEN p_recovery IS NOT NULL THEN 'recovery' ELSE 'totp' END));
END
$$;

-- The signed-in person's own sessions and tokens. ----------------------------

-- Sign out: this session, or every session and API token of the person
-- (ASVS V7.4).
CREATE OR REPLACE FUNCTION council.session_end(p_everywhere boolean)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person bigint := council.current_person_id();
    n bigint;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    UPDATE council.sessions SET revoked_at = now()
    WHERE revoked_at IS NULL
      AND (token_hash = council.current_session_hash()
           OR (p_everywhere AND person_id = v_person));
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM council.audit(CASE WHEN p_everywhere THEN 'auth.signout.all'
                               ELSE 'auth.signout' END, 'person', v_person,
                          jsonb_build_object('sessions', n));
    RETURN n;
END
$$;

-- Record activity for the idle time-out, at most once a minute per session.
CREATE OR REPLACE FUNCTION council.session_touch() RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    UPDATE council.sessions SET last_seen_at = now()
    WHERE token_hash = council.current_session_hash()
      AND revoked_at IS NULL
      AND last_seen_at < now() - interval '1 minute'
      AND council.current_person_id() IS NOT NULL;
END
$$;

-- API tokens (issue 4): created by a person in a browser session, for that
-- person only, expiring within a year, revocable; shown once by councild.
CREATE OR REPLACE FUNCTION council.api_token_create(p_name text,
    p_token_hash bytea, p_days integer) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person bigint := council.current_person_id();
    v_kind   text;
    v_id     bigint;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT kind INTO v_kind FROM council.sessions
    WHERE token_hash = council.current_session_hash();
    IF v_kind IS DISTINCT FROM 'web' THEN
        RAISE EXCEPTION 'browser_session_required' USING ERRCODE = 'CP403';
    END IF;
    p_name := btrim(coalesce(p_name, ''));
    IF length(p_name) NOT BETWEEN 1 AND 100 THEN
        RAISE EXCEPTION 'invalid_token_name' USING ERRCODE = 'CP422';
    END IF;
    IF p_days IS NULL OR p_days NOT BETWEEN 1 AND 365 THEN
        RAISE EXCEPTION 'invalid_token_lifetime' USING ERRCODE = 'CP422';
    END IF;
    IF (SELECT count(*) FROM council.sessions
        WHERE person_id = v_person AND kind = 'api' AND revoked_at IS NULL
          AND expires_at > now()) >= 20 THEN
        RAISE EXCEPTION 'too_many_tokens' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.sessions (token_hash, person_id, kind, name, expires_at)
    VALUES (p_token_hash, v_person, 'api', p_name, now() + make_interval(days => p_days))
    RETURNING id INTO v_id;
    PERFORM council.audit('auth.token.create', 'session', v_id,
                          jsonb_build_object('name', p_name, 'days', p_days));
    RETURN v_id;
END
$$;

CREATE OR REPLACE FUNCTION council.api_token_revoke(p_id bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person bigint := council.current_person_id();
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    UPDATE council.sessions SET revoked_at = now()
    WHERE id = p_id AND person_id = v_person AND kind = 'api' AND revoked_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'token_not_found' USING ERRCODE = 'CP404';
    END IF;
    PERFORM council.audit('auth.token.revoke', 'session', p_id);
END
$$;

-- The caller's API tokens (never their hashes).
CREATE OR REPLACE FUNCTION council.api_tokens()
    RETURNS TABLE (id bigint, name text, created_at timestamptz,
                   expires_at timestamptz, last_seen_at timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN QUERY
    SELECT s.id, s.name, s.created_at, s.expires_at, s.last_seen_at
    FROM council.sessions s
    WHERE s.person_id = council.current_person_id() AND s.kind = 'api'
      AND s.revoked_at IS NULL AND s.expires_at > now()
    ORDER BY s.id;
END
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.audit_as(bigint, text, jsonb) OWNER TO council_definer;
ALTER FUNCTION council.auth_needs_totp(bigint) OWNER TO council_definer;
ALTER FUNCTION council.auth_lookup(text) OWNER TO council_definer;
ALTER FUNCTION council.auth_failed(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.auth_rehash(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.auth_session_open(bigint, bytea, text, interval, interval)
    OWNER TO council_definer;
ALTER FUNCTION council.auth_pending(bytea) OWNER TO council_definer;
ALTER FUNCTION council.auth_second_factor(bytea, bigint, bytea, bytea, interval,
    interval, text, bytea[]) OWNER TO council_definer;
ALTER FUNCTION council.session_end(boolean) OWNER TO council_definer;
ALTER FUNCTION council.session_touch() OWNER TO council_definer;
ALTER FUNCTION council.api_token_create(text, bytea, integer) OWNER TO council_definer;
ALTER FUNCTION council.api_token_revoke(bigint) OWNER TO council_definer;
ALTER FUNCTION council.api_tokens() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.audit_as(bigint, text, jsonb),
    council.auth_needs_totp(bigint) FROM PUBLIC;

DROP POLICY IF EXISTS recovery_codes_none ON council.recovery_codes;
-- recovery_codes: no policy for council_app (it holds no grant either);
-- the definer reaches it through definer_all (policy/10_identity.sql).
