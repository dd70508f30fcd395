-- policy/identity.sql: who is asking.  Re-applied by "councilctl migrate".
--
-- councild sets, transaction-locally and in the same round trip as the
-- query (server/db.c):
--   council.session     hex SHA-256 of the caller's session token, or ''
--   council.request_id  the request id, for the audit log
-- Every policy reads identity only through these functions, wrapped as
-- (SELECT council.fn()) so that they run once per statement.  An unset,
-- empty or malformed setting yields NULL, which matches nothing.
--
-- The functions are SECURITY DEFINER and owned by council_definer, a NOLOGIN
-- role that may SELECT only sessions, people and organisations, through the
-- definer_* policies below.  That breaks the cycle "policy on people needs
-- the caller's person, which needs a read of people".

CREATE OR REPLACE FUNCTION council.current_session_hash() RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN s ~ '^[0-9a-f]{64}$' THEN decode(s, 'hex') END
    FROM nullif(current_setting('council.session', true), '') AS s
$$;

-- The person behind the current session: NULL unless the session exists, is
-- neither revoked nor expired, the person is active, and the organisation is
-- a member (R-ORG-3: a withdrawn, expelled or dissolved member sees nothing).
CREATE OR REPLACE FUNCTION council.current_person_id() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT s.person_id
    FROM council.sessions s
    JOIN council.people p ON p.id = s.person_id
    JOIN council.organisations o ON o.id = p.org_id
    WHERE s.token_hash = council.current_session_hash()
      AND s.revoked_at IS NULL
      AND s.expires_at > now()
      AND p.active
      AND o.status = 'member'
$$;

CREATE OR REPLACE FUNCTION council.current_org_id() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT p.org_id FROM council.people p
    WHERE p.id = council.current_person_id()
$$;

-- R-ORG-6: the coordinator (JPCERT/CC) administers the system.
CREATE OR REPLACE FUNCTION council.current_is_coordinator() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce((SELECT o.council_role = 'coordinator'
                     FROM council.organisations o
                     WHERE o.id = council.current_org_id()), false)
$$;

-- Changing an owner needs the new owner to hold CREATE on the schema; it
-- holds it only for the length of these statements.
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.current_person_id() OWNER TO council_definer;
ALTER FUNCTION council.current_org_id() OWNER TO council_definer;
ALTER FUNCTION council.current_is_coordinator() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;

DROP POLICY IF EXISTS definer_read ON council.sessions;
CREATE POLICY definer_read ON council.sessions FOR SELECT TO council_definer
    USING (true);
DROP POLICY IF EXISTS definer_read ON council.people;
CREATE POLICY definer_read ON council.people FOR SELECT TO council_definer
    USING (true);
DROP POLICY IF EXISTS definer_read ON council.organisations;
CREATE POLICY definer_read ON council.organisations FOR SELECT TO council_definer
    USING (true);
