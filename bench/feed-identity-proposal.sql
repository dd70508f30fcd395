-- bench/feed-identity-proposal.sql: a PROPOSED rewrite of the identity
-- functions of policy/10_identity.sql, measured by bench/feed-db.sh (it is
-- applied to the benchmark's throw-away cluster only, after the official
-- measurement).  Same results for every caller; only the cost differs:
--   * current_session_hash has no FROM clause, so it is inlined into its
--     callers (before: a separate SQL function, planned at every call);
--   * the other functions are PL/pgSQL, whose statements' plans are cached
--     for the session (a non-inlined SQL function is planned again for
--     every statement that calls it), and each resolves the caller's
--     organisation once, by primary key (before: current_is_coordinator,
--     current_is_secretariat and current_may_receive filtered a scan of
--     organisations with current_org_id(), which the planner may evaluate
--     once per organisation);
--   * current_is_committee wraps its inner call as (SELECT ...).
-- Owners, grants and the definer_* policies are unchanged (CREATE OR
-- REPLACE keeps them).
CREATE OR REPLACE FUNCTION council.current_session_hash() RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN current_setting('council.session', true) ~ '^[0-9a-f]{64}$'
                THEN decode(current_setting('council.session', true), 'hex') END
$$;
CREATE OR REPLACE FUNCTION council.current_person_id() RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE h bytea := council.current_session_hash(); v bigint;
BEGIN
    IF h IS NULL THEN RETURN NULL; END IF;
    SELECT s.person_id INTO v
    FROM council.sessions s
    JOIN council.people p ON p.id = s.person_id
    JOIN council.organisations o ON o.id = p.org_id
    WHERE s.token_hash = h AND s.revoked_at IS NULL AND s.expires_at > now()
      AND p.active AND o.status = 'member';
    RETURN v;
END $$;
CREATE OR REPLACE FUNCTION council.current_org_id() RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE h bytea := council.current_session_hash(); v bigint;
BEGIN
    IF h IS NULL THEN RETURN NULL; END IF;
    SELECT p.org_id INTO v
    FROM council.sessions s
    JOIN council.people p ON p.id = s.person_id
    JOIN council.organisations o ON o.id = p.org_id
    WHERE s.token_hash = h AND s.revoked_at IS NULL AND s.expires_at > now()
      AND p.active AND o.status = 'member';
    RETURN v;
END $$;
CREATE OR REPLACE FUNCTION council.current_is_coordinator() RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, council
AS $$ DECLARE o bigint := council.current_org_id(); r boolean;
BEGIN
    SELECT x.council_role = 'coordinator' INTO r FROM council.organisations x WHERE x.id = o;
    RETURN coalesce(r, false);
END $$;
CREATE OR REPLACE FUNCTION council.current_is_secretariat() RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, council
AS $$ DECLARE o bigint := council.current_org_id(); r boolean;
BEGIN
    SELECT x.council_role = 'secretariat' INTO r FROM council.organisations x WHERE x.id = o;
    RETURN coalesce(r, false);
END $$;
CREATE OR REPLACE FUNCTION council.current_may_receive() RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, council
AS $$ DECLARE o bigint := council.current_org_id(); r boolean;
BEGIN
    SELECT NOT x.restricted AND NOT x.gsoc_liaison AND x.council_role IS DISTINCT FROM 'secretariat'
    INTO r FROM council.organisations x WHERE x.id = o;
    RETURN coalesce(r, false);
END $$;
CREATE OR REPLACE FUNCTION council.current_may_handle_secrets() RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, council
AS $$ DECLARE pid bigint := council.current_person_id(); r boolean;
BEGIN
    SELECT NOT o.secret_opt_out INTO r
    FROM council.people p JOIN council.organisations o ON o.id = p.org_id
    WHERE p.id = pid AND EXISTS (SELECT 1 FROM council.handler_registrations h
                                 WHERE h.person_id = p.id AND h.deregistered_at IS NULL);
    RETURN coalesce(r, false);
END $$;
CREATE OR REPLACE FUNCTION council.current_is_committee() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (SELECT 1 FROM council.committee_members c
                   WHERE c.person_id = (SELECT council.current_person_id()))
$$;
