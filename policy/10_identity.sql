-- policy/10_identity.sql: who is asking.  Re-applied by "councilctl migrate".
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

-- R-ORG-6: the general-affairs secretariat (NISC).
CREATE OR REPLACE FUNCTION council.current_is_secretariat() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce((SELECT o.council_role = 'secretariat'
                     FROM council.organisations o
                     WHERE o.id = council.current_org_id()), false)
$$;

-- R-GOV-5: a member of the steering committee.
CREATE OR REPLACE FUNCTION council.current_is_committee() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (SELECT 1 FROM council.committee_members c
                   WHERE c.person_id = council.current_person_id())
$$;

-- May the caller's organisation receive others' posts?  Not when it is
-- restricted (R-RESTRICT-1), a specified liaison member (R-ORG-8: only
-- through its GSOC member) or the general-affairs secretariat (R-ORG-6).
CREATE OR REPLACE FUNCTION council.current_may_receive() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce((SELECT NOT o.restricted AND NOT o.gsoc_liaison
                            AND o.council_role IS DISTINCT FROM 'secretariat'
                     FROM council.organisations o
                     WHERE o.id = council.current_org_id()), false)
$$;

-- R-SECRET-2, R-SECRET-3: may the caller handle secrets?  Only a
-- registered handler (an open registration, R-ORG-4) of an organisation
-- that has not opted out of secrets.
CREATE OR REPLACE FUNCTION council.current_may_handle_secrets() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce((SELECT NOT o.secret_opt_out
                     FROM council.people p
                     JOIN council.organisations o ON o.id = p.org_id
                     WHERE p.id = council.current_person_id()
                       AND EXISTS (SELECT 1 FROM council.handler_registrations h
                                   WHERE h.person_id = p.id
                                     AND h.deregistered_at IS NULL)), false)
$$;

-- Changing an owner needs the new owner to hold CREATE on the schema; it
-- holds it only for the length of these statements.
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.current_person_id() OWNER TO council_definer;
ALTER FUNCTION council.current_org_id() OWNER TO council_definer;
ALTER FUNCTION council.current_is_coordinator() OWNER TO council_definer;
ALTER FUNCTION council.current_is_secretariat() OWNER TO council_definer;
ALTER FUNCTION council.current_is_committee() OWNER TO council_definer;
ALTER FUNCTION council.current_may_receive() OWNER TO council_definer;
ALTER FUNCTION council.current_may_handle_secrets() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;

-- The definer reads and maintains everything it computes from; the write
-- privileges it holds are table grants (migrations), not policies.  The
-- policy names the role twice: council_owner is a member of
-- council_definer (it must be, to hand functions to it), and policies
-- apply to members too; "current_user = council_definer" holds only inside
-- the definer's own functions, so the owner gets nothing from it.
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'council' AND c.relkind IN ('r', 'p')
    LOOP
        EXECUTE format('DROP POLICY IF EXISTS definer_read ON council.%I', t.relname);
        EXECUTE format('DROP POLICY IF EXISTS definer_all ON council.%I', t.relname);
        EXECUTE format('CREATE POLICY definer_all ON council.%I TO council_definer '
                       'USING (current_user = ''council_definer'') '
                       'WITH CHECK (current_user = ''council_definer'')', t.relname);
    END LOOP;
END $$;
