-- policy/50_auth.sql: sign-in, the second factor and enrolment, sessions
-- and API tokens (OWASP ASVS 5.0 V6, V7).  Re-applied by "councilctl
-- migrate".
--
-- Who does what (issue 10 items 3-5).  councild computes scrypt (the
-- database cannot) and hands the result to the database, which compares it
-- with the stored hash; TOTP codes are computed here (pgcrypto's HMAC).  So
-- no role councild uses ever reads a password hash or a TOTP secret.  The
-- sign-in steps run as council_signin, a role of their own on connections
-- of their own (migration 0019); council_app, which serves every other
-- request, can call none of them.  Everything after sign-in is the
-- database's: a session identifies a person only through council.me
-- (policy/10_identity.sql), which checks kind, revocation, idle and
-- absolute expiry, and that the person is active and the organisation a
-- member.  Every sign-in, failure, second factor, enrolment token,
-- sign-out and API token is written to the audit log.
--
-- Tokens never reach the database: councild sends SHA-256(token) only.
-- Errors: MESSAGE is a stable code, SQLSTATE of class CP (see 42_sharing_writes.sql).

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

-- A wrong password for a known account (the audit trail of its
-- organisation shows it); unknown addresses are only logged by councild.
CREATE OR REPLACE FUNCTION council.auth_failed(p_person bigint, p_reason text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_reason NOT IN ('password', 'totp', 'recovery', 'throttled', 'enrolment_token') THEN
        RAISE EXCEPTION 'invalid_reason' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.audit_as(p_person, 'auth.signin.failure',
        jsonb_build_object('reason', p_reason));
END
$$;

-- Sign-in, as council_signin (migration 0019). ------------------------------
--
-- councild's sign-in path runs these on connections of its own role; no
-- other role may call them (grants at the end).  None of them returns a
-- password hash or a TOTP secret: the password is checked by comparing
-- what councild computed from the typed password with the stored hash, and
-- TOTP codes are computed here.  Every step is audited.

-- Addresses match ASCII-case-insensitively and in nothing else (issue 10
-- item 3).  lower() of a UTF-8 database folds U+212A KELVIN SIGN to "k" and
-- U+0130 to "i", so an address typed with either named the account of its
-- plain spelling while councild throttled it under another key.  An address
-- that differs from the stored one in anything but A-Z/a-z names nobody.
CREATE OR REPLACE FUNCTION council.email_fold(p text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT translate(p, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
$$;

-- The person an address names, if they may sign in at all: active, of a
-- member organisation (R-ORG-3), with a password.  Internal.
CREATE OR REPLACE FUNCTION council.auth_account(p_email text) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT p.id FROM council.people p
    JOIN council.organisations o ON o.id = p.org_id
    WHERE council.email_fold(p.email) = council.email_fold(left(p_email, 254))
      AND p.active AND o.status = 'member' AND p.password_hash IS NOT NULL
$$;

-- Step 1: what councild needs to hash the typed password, and the key it
-- throttles failures under (issue 10 item 3: the person, not the string
-- typed).  setting is the scrypt setting of the stored hash, its
-- parameters and salt ("$s1$NNrrpp$salt$"), never the hash.  For an
-- address that names nobody, the current parameters and a salt made from
-- the address and the pepper: the same answer every time, and the same
-- work for councild, whether the account exists or not.
CREATE OR REPLACE FUNCTION council.auth_begin(p_email text,
    OUT account text, OUT setting text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id bigint := council.auth_account(p_email);
BEGIN
    IF v_id IS NOT NULL THEN
        SELECT 'person:' || p.id,
               substring(p.password_hash from '^(\$s1\$[0-9a-f]{6}\$[A-Za-z0-9+/=]+\$)')
        INTO account, setting
        FROM council.people p WHERE p.id = v_id;
    END IF;
    IF setting IS NULL THEN
        account := coalesce(account, 'unknown:' || council.email_fold(left(p_email, 254)));
        SELECT '$s1$110801$' || encode(substring(council.hmac(
                   convert_to(council.email_fold(left(p_email, 254)), 'UTF8'),
                   k.pepper, 'sha256') from 1 for 16), 'base64') || '$'
        INTO setting FROM council.auth_pepper k;
    END IF;
END
$$;

-- Open a session for a person whose password (and, for 'web' with a
-- second factor due, that factor) was just proven.  Internal.
CREATE OR REPLACE FUNCTION council.auth_open(p_person bigint, p_token_hash bytea,
    p_kind text, p_idle interval, p_lifetime interval) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_kind = 'pending' THEN
        p_idle := NULL;
        p_lifetime := least(p_lifetime, interval '10 minutes');
    END IF;
    INSERT INTO council.sessions (token_hash, person_id, kind, idle_timeout, expires_at)
    VALUES (p_token_hash, p_person, p_kind, p_idle, now() + p_lifetime);
END
$$;

-- Step 2: councild hashed the typed password under the setting of step 1
-- into p_candidate (a whole "$s1$" string).  It is compared with the stored
-- hash here, as SHA-256 digests, so that the time of the comparison says
-- nothing about the hash.  On a match, p_rehash (the same password under
-- the current parameters, sent when the setting's were old) replaces the
-- stored hash (ASVS V6.2), and a session opens: a web session when no
-- second factor is due, else a pending one of at most 10 minutes.  The
-- answer says which: 'web', 'totp' (a code is due) or 'enrol' (a second
-- factor must be set up, with an enrolment token).  No match: 'invalid',
-- audited for a known account.  p_token_hash is SHA-256 of the new token;
-- p_idle and p_lifetime are a web session's time-outs, p_pending the
-- lifetime of a pending one (at most 10 minutes whatever is asked).
CREATE OR REPLACE FUNCTION council.auth_password(p_email text, p_candidate text,
    p_rehash text, p_token_hash bytea, p_idle interval, p_lifetime interval,
    p_pending interval) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id     bigint := council.auth_account(p_email);
    v_hash   text;
    v_secret text;
    v_factor text;
BEGIN
    IF v_id IS NULL THEN
        RETURN 'invalid';
    END IF;
    SELECT p.password_hash, p.totp_secret INTO v_hash, v_secret
    FROM council.people p WHERE p.id = v_id FOR UPDATE;
    IF p_candidate IS NULL OR length(p_candidate) > 128
       OR sha256(convert_to(p_candidate, 'UTF8')) <> sha256(convert_to(v_hash, 'UTF8')) THEN
        PERFORM council.auth_failed(v_id, 'password');
        RETURN 'invalid';
    END IF;
    IF p_rehash IS NOT NULL THEN
        IF p_rehash !~ '^\$s1\$[0-9a-f]{6}\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$'
           OR length(p_rehash) > 128 THEN
            RAISE EXCEPTION 'invalid_hash' USING ERRCODE = 'CP422';
        END IF;
        UPDATE council.people SET password_hash = p_rehash WHERE id = v_id;
    END IF;
    v_factor := CASE WHEN v_secret IS NOT NULL THEN 'totp'
                     WHEN council.auth_needs_totp(v_id) THEN 'enrol'
                     ELSE 'web' END;
    IF v_factor = 'web' THEN
        PERFORM council.auth_open(v_id, p_token_hash, 'web', p_idle, p_lifetime);
    ELSE
        PERFORM council.auth_open(v_id, p_token_hash, 'pending', NULL, p_pending);
    END IF;
    PERFORM council.audit_as(v_id,
        CASE v_factor WHEN 'web' THEN 'auth.signin' ELSE 'auth.signin.password' END);
    RETURN v_factor;
END
$$;

-- The pending sign-in behind a token: its person, and whether a second
-- factor is set up.  Never the secret.
DROP FUNCTION IF EXISTS council.auth_pending(bytea);
CREATE OR REPLACE FUNCTION council.auth_pending(p_token_hash bytea)
    RETURNS TABLE (person_id bigint, enrolled boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN QUERY
    SELECT p.id, p.totp_secret IS NOT NULL
    FROM council.sessions s
    JOIN council.people p ON p.id = s.person_id
    JOIN council.organisations o ON o.id = p.org_id
    WHERE s.token_hash = p_token_hash AND s.kind = 'pending'
      AND s.revoked_at IS NULL AND s.expires_at > now()
      AND p.active AND o.status = 'member';
END
$$;

-- TOTP (RFC 6238: HMAC-SHA1, 30-second steps from the epoch, 6 digits),
-- computed here (issue 10 item 4).  base32 as authenticator apps write
-- secrets (RFC 4648, upper case, no padding).
CREATE OR REPLACE FUNCTION council.base32_decode(p text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_bits  bigint := 0;
    v_n     integer := 0;
    v_out   bytea := '';
    v       integer;
    c       text;
BEGIN
    FOREACH c IN ARRAY regexp_split_to_array(p, '') LOOP
        v := strpos('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', c) - 1;
        IF v < 0 THEN
            RAISE EXCEPTION 'invalid_base32' USING ERRCODE = 'CP422';
        END IF;
        v_bits := (v_bits << 5) | v;
        v_n := v_n + 5;
        IF v_n >= 8 THEN
            v_out := v_out || set_byte('\x00'::bytea, 0, ((v_bits >> (v_n - 8)) & 255)::integer);
            v_n := v_n - 8;
            v_bits := v_bits & ((1::bigint << v_n) - 1);
        END IF;
    END LOOP;
    RETURN v_out;
END
$$;

-- The 6-digit code of key at time step p_step (RFC 4226 dynamic truncation).
CREATE OR REPLACE FUNCTION council.totp_code(p_key bytea, p_step bigint) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path = pg_catalog, council
AS $$
    SELECT lpad(((((get_byte(h, o) & 127) << 24) | (get_byte(h, o + 1) << 16)
                  | (get_byte(h, o + 2) << 8) | get_byte(h, o + 3)) % 1000000)::text, 6, '0')
    FROM (SELECT h, get_byte(h, 19) & 15 AS o
          FROM (SELECT council.hmac(int8send(p_step), p_key, 'sha1') AS h) a) b
$$;

-- The time step that code matches for secret: the current step or one
-- either side, and after p_last (each step is used once).  NULL if none.
-- code: six digits once spaces are removed; anything else matches nothing.
CREATE OR REPLACE FUNCTION council.totp_match(p_secret text, p_code text, p_last bigint)
    RETURNS bigint
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, council
AS $$
    SELECT s
    FROM generate_series(floor(extract(epoch FROM clock_timestamp()) / 30)::bigint - 1,
                         floor(extract(epoch FROM clock_timestamp()) / 30)::bigint + 1) s
    WHERE replace(coalesce(p_code, ''), ' ', '') ~ '^[0-9]{6}$'
      AND s > coalesce(p_last, -1)
      AND council.totp_code(council.base32_decode(p_secret), s) = replace(p_code, ' ', '')
    ORDER BY s
    LIMIT 1
$$;

-- The pending sign-in of p_pending, locked, with its person's secret and
-- last step; person_id NULL when there is none.  Internal.
CREATE OR REPLACE FUNCTION council.auth_pending_lock(p_pending bytea,
    OUT person_id bigint, OUT secret text, OUT last_step bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    SELECT s.person_id, p.totp_secret, p.totp_last_step
    INTO person_id, secret, last_step
    FROM council.sessions s
    JOIN council.people p ON p.id = s.person_id
    JOIN council.organisations o ON o.id = p.org_id
    WHERE s.token_hash = p_pending AND s.kind = 'pending'
      AND s.revoked_at IS NULL AND s.expires_at > now()
      AND p.active AND o.status = 'member'
    FOR UPDATE OF s, p;
END
$$;

-- The pending sign-in ends and a web session with p_new_hash begins.
-- Internal.
CREATE OR REPLACE FUNCTION council.auth_promote(p_pending bytea, p_person bigint,
    p_new_hash bytea, p_idle interval, p_lifetime interval, p_how text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    UPDATE council.sessions SET revoked_at = now() WHERE token_hash = p_pending;
    PERFORM council.auth_open(p_person, p_new_hash, 'web', p_idle, p_lifetime);
    PERFORM council.audit_as(p_person, 'auth.signin',
        jsonb_build_object('second_factor', p_how));
END
$$;

-- Step 3: a TOTP code (p_code) or a recovery code (SHA-256 of its
-- normalised form, p_recovery) finishes a pending sign-in.  The code is
-- checked here, in a window of one step either side of now, and a step at
-- or before the last one used is refused (a replayed code); a recovery
-- code is spent.  Returns 'ok' (the pending sign-in became a web session
-- with p_new_hash) or why not: 'pending_not_found', 'not_enrolled',
-- 'totp_invalid', 'recovery_code_invalid'.  Failures are answered, not
-- raised, so that their audit rows stay; they leave the pending sign-in
-- as it was.
CREATE OR REPLACE FUNCTION council.auth_second_factor(p_pending bytea, p_code text,
    p_recovery bytea, p_new_hash bytea, p_idle interval, p_lifetime interval)
    RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  record;
    v_step bigint;
    v_code bigint;
BEGIN
    v := council.auth_pending_lock(p_pending);
    IF v.person_id IS NULL THEN
        RETURN 'pending_not_found';
    END IF;
    IF p_recovery IS NOT NULL THEN
        UPDATE council.recovery_codes SET used_at = now()
        WHERE person_id = v.person_id AND code_hash = p_recovery AND used_at IS NULL
        RETURNING id INTO v_code;
        IF v_code IS NULL THEN
            PERFORM council.auth_failed(v.person_id, 'recovery');
            RETURN 'recovery_code_invalid';
        END IF;
        PERFORM council.audit_as(v.person_id, 'auth.recovery.use');
        PERFORM council.auth_promote(p_pending, v.person_id, p_new_hash, p_idle,
                                     p_lifetime, 'recovery');
        RETURN 'ok';
    END IF;
    IF v.secret IS NULL THEN
        RETURN 'not_enrolled';
    END IF;
    v_step := council.totp_match(v.secret, p_code, v.last_step);
    IF v_step IS NULL THEN
        PERFORM council.auth_failed(v.person_id, 'totp');
        RETURN 'totp_invalid';
    END IF;
    UPDATE council.people SET totp_last_step = v_step WHERE id = v.person_id;
    PERFORM council.auth_promote(p_pending, v.person_id, p_new_hash, p_idle,
                                 p_lifetime, 'totp');
    RETURN 'ok';
END
$$;

-- Step 3, first time (issue 10 item 5): a person who must use a second
-- factor and has none sets one up only with a live enrolment token issued
-- for them (SHA-256 in p_token), proving the new secret with a code of it
-- (checked here).  The token is spent, the secret and the ten recovery
-- codes stored, and a web session opens: 'ok'.  Otherwise the answer says
-- why and nothing is stored but an audit row: 'pending_not_found',
-- 'already_enrolled', 'enrolment_token_invalid' (absent, expired, spent,
-- revoked or another person's: one answer), 'totp_invalid'.  Raises CP422
-- invalid_enrolment for a malformed secret or recovery set (councild's
-- error, not the person's).
CREATE OR REPLACE FUNCTION council.auth_enrol(p_pending bytea, p_token bytea,
    p_secret text, p_code text, p_recovery_hashes bytea[], p_new_hash bytea,
    p_idle interval, p_lifetime interval) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v      record;
    v_tok  bigint;
    v_step bigint;
BEGIN
    IF p_secret IS NULL OR p_secret !~ '^[A-Z2-7]{32}$'
       OR cardinality(p_recovery_hashes) IS DISTINCT FROM 10
       OR EXISTS (SELECT 1 FROM unnest(p_recovery_hashes) h WHERE length(h) IS DISTINCT FROM 32) THEN
        RAISE EXCEPTION 'invalid_enrolment' USING ERRCODE = 'CP422';
    END IF;
    v := council.auth_pending_lock(p_pending);
    IF v.person_id IS NULL THEN
        RETURN 'pending_not_found';
    END IF;
    IF v.secret IS NOT NULL THEN
        RETURN 'already_enrolled';
    END IF;
    SELECT t.id INTO v_tok FROM council.enrolment_tokens t
    WHERE t.token_hash = p_token AND t.person_id = v.person_id
      AND t.used_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()
    FOR UPDATE;
    IF v_tok IS NULL THEN
        PERFORM council.auth_failed(v.person_id, 'enrolment_token');
        RETURN 'enrolment_token_invalid';
    END IF;
    v_step := council.totp_match(p_secret, p_code, -1);
    IF v_step IS NULL THEN
        PERFORM council.auth_failed(v.person_id, 'totp');
        RETURN 'totp_invalid';
    END IF;
    UPDATE council.enrolment_tokens SET used_at = now() WHERE id = v_tok;
    UPDATE council.people SET totp_secret = p_secret, totp_last_step = v_step
    WHERE id = v.person_id;
    INSERT INTO council.recovery_codes (person_id, code_hash)
    SELECT v.person_id, h FROM unnest(p_recovery_hashes) h;
    PERFORM council.audit_as(v.person_id, 'auth.totp.enrol',
        jsonb_build_object('enrolment_token', v_tok));
    PERFORM council.auth_promote(p_pending, v.person_id, p_new_hash, p_idle,
                                 p_lifetime, 'totp');
    RETURN 'ok';
END
$$;

-- Enrolment tokens (item 5), issued as council_app by a signed-in person.
-- ---------------------------------------------------------------------------

-- Who the caller may issue an enrolment token for: a person of a member
-- organisation who must use a second factor and has none, when the caller
-- is an administrator of that person's organisation or of the secretariat
-- (R-ORG-5), and is not that person.  One row per such person, for the
-- administration page.
DROP FUNCTION IF EXISTS council.enrolment_candidates();
CREATE OR REPLACE FUNCTION council.enrolment_candidates()
    RETURNS TABLE (person_id bigint, org_id bigint, name_ja text, name_en text,
                   email text, org_name_ja text, org_name_en text,
                   live_token_expires timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me    bigint := council.current_person_id();
    v_org   bigint;
    v_admin boolean;
    v_sec   boolean;
BEGIN
    SELECT p.org_id, p.is_org_admin, o.council_role IS NOT DISTINCT FROM 'secretariat'
    INTO v_org, v_admin, v_sec
    FROM council.people p JOIN council.organisations o ON o.id = p.org_id
    WHERE p.id = v_me;
    IF NOT coalesce(v_admin, false) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT p.id, p.org_id, p.name_ja, p.name_en, p.email, o.name_ja, o.name_en,
           (SELECT max(t.expires_at) FROM council.enrolment_tokens t
            WHERE t.person_id = p.id AND t.used_at IS NULL AND t.revoked_at IS NULL
              AND t.expires_at > now())
    FROM council.people p JOIN council.organisations o ON o.id = p.org_id
    WHERE (p.org_id = v_org OR v_sec) AND p.id <> v_me
      AND p.active AND o.status = 'member' AND p.password_hash IS NOT NULL
      AND p.totp_secret IS NULL AND council.auth_needs_totp(p.id)
    ORDER BY p.org_id <> v_org, p.org_id, p.id;
END
$$;

-- Issue a token for p_person (councild made it and shows it once; the
-- database keeps SHA-256 in p_token_hash), valid p_days (1..30) days; the
-- person's earlier live tokens are revoked.  Returns the expiry.  Raises
-- CP401 not_signed_in, CP404 person_not_found (not one the caller may
-- issue for: one answer, whatever the reason).
CREATE OR REPLACE FUNCTION council.enrolment_token_issue(p_person bigint,
    p_token_hash bytea, p_days integer) RETURNS timestamptz
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me  bigint := council.current_person_id();
    v_exp timestamptz;
BEGIN
    IF v_me IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.enrolment_candidates() c WHERE c.person_id = p_person) THEN
        RAISE EXCEPTION 'person_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF p_days IS NULL OR p_days NOT BETWEEN 1 AND 30 OR length(p_token_hash) IS DISTINCT FROM 32 THEN
        RAISE EXCEPTION 'invalid_enrolment_token' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.enrolment_tokens SET revoked_at = now()
    WHERE person_id = p_person AND used_at IS NULL AND revoked_at IS NULL;
    INSERT INTO council.enrolment_tokens (person_id, token_hash, issued_by, expires_at)
    VALUES (p_person, p_token_hash, v_me, now() + make_interval(days => p_days))
    RETURNING expires_at INTO v_exp;
    PERFORM council.audit('auth.enrol_token.issue', 'person', p_person,
        jsonb_build_object('days', p_days));
    RETURN v_exp;
END
$$;

-- The operator's way (councilctl enrol-token, as council_owner): the first
-- administrators of a new council, or anyone whose administrators cannot.
-- Refused for a person who needs no token (CP409 enrolment_not_needed).
CREATE OR REPLACE FUNCTION council.enrolment_token_operator(p_email text,
    p_token_hash bytea, p_days integer) RETURNS timestamptz
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id  bigint := council.auth_account(p_email);
    v_exp timestamptz;
BEGIN
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'person_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF EXISTS (SELECT 1 FROM council.people WHERE id = v_id AND totp_secret IS NOT NULL)
       OR NOT council.auth_needs_totp(v_id) THEN
        RAISE EXCEPTION 'enrolment_not_needed' USING ERRCODE = 'CP409';
    END IF;
    IF p_days IS NULL OR p_days NOT BETWEEN 1 AND 30 OR length(p_token_hash) IS DISTINCT FROM 32 THEN
        RAISE EXCEPTION 'invalid_enrolment_token' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.enrolment_tokens SET revoked_at = now()
    WHERE person_id = v_id AND used_at IS NULL AND revoked_at IS NULL;
    INSERT INTO council.enrolment_tokens (person_id, token_hash, issued_by, expires_at)
    VALUES (v_id, p_token_hash, NULL, now() + make_interval(days => p_days))
    RETURNING expires_at INTO v_exp;
    PERFORM council.audit_as(v_id, 'auth.enrol_token.issue',
        jsonb_build_object('days', p_days, 'by', 'operator'));
    RETURN v_exp;
END
$$;

-- Functions of earlier versions of this file (issue 10 item 4: they let
-- council_app read hashes and secrets and open sessions).
DROP FUNCTION IF EXISTS council.auth_lookup(text);
DROP FUNCTION IF EXISTS council.auth_session_open(bigint, bytea, text, interval, interval);
DROP FUNCTION IF EXISTS council.auth_rehash(bigint, text);
DROP FUNCTION IF EXISTS council.auth_second_factor(bytea, bigint, bytea, bytea, interval,
    interval, text, bytea[]);

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
ALTER FUNCTION council.auth_failed(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.auth_account(text) OWNER TO council_definer;
ALTER FUNCTION council.auth_begin(text) OWNER TO council_definer;
ALTER FUNCTION council.auth_open(bigint, bytea, text, interval, interval)
    OWNER TO council_definer;
ALTER FUNCTION council.auth_password(text, text, text, bytea, interval, interval,
    interval) OWNER TO council_definer;
ALTER FUNCTION council.auth_pending(bytea) OWNER TO council_definer;
ALTER FUNCTION council.auth_pending_lock(bytea) OWNER TO council_definer;
ALTER FUNCTION council.auth_promote(bytea, bigint, bytea, interval, interval, text)
    OWNER TO council_definer;
ALTER FUNCTION council.auth_second_factor(bytea, text, bytea, bytea, interval, interval)
    OWNER TO council_definer;
ALTER FUNCTION council.auth_enrol(bytea, bytea, text, text, bytea[], bytea, interval,
    interval) OWNER TO council_definer;
ALTER FUNCTION council.totp_match(text, text, bigint) OWNER TO council_definer;
ALTER FUNCTION council.enrolment_candidates() OWNER TO council_definer;
ALTER FUNCTION council.enrolment_token_issue(bigint, bytea, integer) OWNER TO council_definer;
ALTER FUNCTION council.enrolment_token_operator(text, bytea, integer) OWNER TO council_definer;
ALTER FUNCTION council.session_end(boolean) OWNER TO council_definer;
ALTER FUNCTION council.session_touch() OWNER TO council_definer;
ALTER FUNCTION council.api_token_create(text, bytea, integer) OWNER TO council_definer;
ALTER FUNCTION council.api_token_revoke(bigint) OWNER TO council_definer;
ALTER FUNCTION council.api_tokens() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;

-- Who may call what (issue 10 item 4).  Internal helpers: nobody but their
-- callers (definer functions).  The sign-in steps: council_signin only.
-- The operator's enrolment token: council_owner (councilctl) only.
REVOKE ALL ON FUNCTION council.audit_as(bigint, text, jsonb),
    council.auth_needs_totp(bigint), council.auth_failed(bigint, text),
    council.auth_account(text),
    council.auth_open(bigint, bytea, text, interval, interval),
    council.auth_pending_lock(bytea),
    council.auth_promote(bytea, bigint, bytea, interval, interval, text),
    council.enrolment_token_operator(text, bytea, integer),
    council.totp_match(text, text, bigint)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION council.auth_begin(text),
    council.auth_password(text, text, text, bytea, interval, interval, interval),
    council.auth_pending(bytea),
    council.auth_second_factor(bytea, text, bytea, bytea, interval, interval),
    council.auth_enrol(bytea, bytea, text, text, bytea[], bytea, interval, interval)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.auth_begin(text),
    council.auth_password(text, text, text, bytea, interval, interval, interval),
    council.auth_pending(bytea),
    council.auth_second_factor(bytea, text, bytea, bytea, interval, interval),
    council.auth_enrol(bytea, bytea, text, text, bytea[], bytea, interval, interval)
    TO council_signin;
GRANT EXECUTE ON FUNCTION council.enrolment_token_operator(text, bytea, integer)
    TO council_owner;

-- recovery_codes: no policy for council_app (it holds no grant either);
-- the definer reaches it through definer_all (policy/10_identity.sql).
