-- policy/10_identity.sql: who is asking.  Re-applied by "councilctl migrate".
--
-- councild sets, transaction-locally and in the same round trip as the
-- query (server/core/db.c):
--   council.session     hex SHA-256 of the caller's session token, or ''
--   council.request_id  the request id, for the audit log
-- Every policy reads identity only through the view council.me, wrapped as
-- (SELECT col FROM council.me) so that it runs once per statement (an
-- initplan).  An unset, empty or malformed setting yields no row, so NULL,
-- which matches nothing.
--
-- council.me is owned by council_definer, a NOLOGIN role whose only member
-- is council_owner, so its tables are read with the definer's rights
-- (identity_read, below), not the caller's.  That breaks the cycle "policy
-- on people needs the caller's person, which needs a read of people".  The
-- SECURITY DEFINER functions of the other policy files are owned by
-- council_definer too, and read what they compute from through definer_all.

CREATE OR REPLACE FUNCTION council.current_session_hash() RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    -- No FROM clause: the planner inlines it into its callers.
    SELECT CASE WHEN current_setting('council.session', true) ~ '^[0-9a-f]{64}$'
                THEN decode(current_setting('council.session', true), 'hex') END
$$;

-- R-NEW-6: until when a handler whose last secrecy training was on d
-- (JST) may handle secrets: the start (JST) of the day training_days
-- after it (migration 0041, policy/94_training.sql); NULL for NULL.
CREATE OR REPLACE FUNCTION council.handler_secrets_until(d date) RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT ((d + s.training_days)::timestamp AT TIME ZONE 'Asia/Tokyo')
    FROM council.handler_safety_settings s
$$;

-- What a person may do, from the tables that decide it.  The sessions of
-- each person carry a copy (migration 0005), kept current by the triggers
-- below; council.me reads the copy.
CREATE OR REPLACE FUNCTION council.session_identity_refresh(p_people bigint[])
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    UPDATE council.sessions s
    SET (org_id, live, is_coordinator, is_secretariat, is_committee,
         may_receive, may_handle_secrets, secrets_until) = (
        SELECT p.org_id,
               -- R-ORG-3: an inactive person, or an organisation that
               -- withdrew, was expelled or dissolved: nobody.
               p.active AND o.status = 'member',
               -- R-ORG-6: the coordinator (JPCERT/CC) administers the system.
               o.council_role IS NOT DISTINCT FROM 'coordinator',
               -- R-ORG-6: the general-affairs secretariat (NISC).
               o.council_role IS NOT DISTINCT FROM 'secretariat',
               -- R-GOV-5: a member of the steering committee.
               EXISTS (SELECT 1 FROM council.committee_members c
                       WHERE c.person_id = p.id),
               -- May the organisation receive others' posts?  Not when it is
               -- restricted (R-RESTRICT-1), a specified liaison member
               -- (R-ORG-8: only through its GSOC member) or the secretariat
               -- (R-ORG-6).
               NOT o.restricted AND NOT o.gsoc_liaison
                   AND o.council_role IS DISTINCT FROM 'secretariat',
               -- R-SECRET-2, R-SECRET-3: only a registered handler (an open
               -- registration, R-ORG-4) of an organisation that has not
               -- opted out of secrets.
               NOT o.secret_opt_out
                   AND EXISTS (SELECT 1 FROM council.handler_registrations h
                               WHERE h.person_id = p.id
                                 AND h.deregistered_at IS NULL),
               -- R-NEW-6: and only until the handler's training expires
               -- (council.me compares it with now()).
               (SELECT council.handler_secrets_until(h.trained_on)
                FROM council.handler_registrations h
                WHERE h.person_id = p.id AND h.deregistered_at IS NULL)
        FROM council.people p
        JOIN council.organisations o ON o.id = p.org_id
        WHERE p.id = s.person_id)
    WHERE (p_people IS NULL OR s.person_id = ANY (p_people))
      AND s.revoked_at IS NULL;
    -- Issue 4 (ASVS V7.4): a deactivated person's sessions and tokens, and
    -- those of an organisation that left, end; readmission does not revive
    -- them.
    UPDATE council.sessions s SET revoked_at = now()
    WHERE (p_people IS NULL OR s.person_id = ANY (p_people))
      AND s.revoked_at IS NULL AND NOT s.live;
END
$$;

CREATE OR REPLACE FUNCTION council.session_identity_on_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    r record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    IF TG_TABLE_NAME = 'organisations' THEN
        PERFORM council.session_identity_refresh(
            ARRAY(SELECT p.id FROM council.people p WHERE p.org_id = r.id));
    ELSIF TG_TABLE_NAME = 'people' THEN
        PERFORM council.session_identity_refresh(ARRAY[r.id]);
    ELSE    -- handler_registrations, committee_members
        PERFORM council.session_identity_refresh(ARRAY[r.person_id]);
        IF TG_OP = 'UPDATE' AND OLD.person_id <> NEW.person_id THEN
            PERFORM council.session_identity_refresh(ARRAY[OLD.person_id]);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- R-NEW-6: every session, after a change of the training's period.
CREATE OR REPLACE FUNCTION council.session_identity_on_settings() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    PERFORM council.session_identity_refresh(NULL);
    RETURN NULL;
END
$$;

-- A new session starts with its person's identity.
CREATE OR REPLACE FUNCTION council.session_identity_on_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    PERFORM council.session_identity_refresh(ARRAY[NEW.person_id]);
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS session_identity ON council.sessions;
CREATE TRIGGER session_identity AFTER INSERT OR UPDATE OF person_id
    ON council.sessions FOR EACH ROW
    EXECUTE FUNCTION council.session_identity_on_insert();
DROP TRIGGER IF EXISTS session_identity ON council.organisations;
CREATE TRIGGER session_identity AFTER UPDATE OF council_role, restricted,
    gsoc_liaison, secret_opt_out, status ON council.organisations
    FOR EACH ROW EXECUTE FUNCTION council.session_identity_on_change();
DROP TRIGGER IF EXISTS session_identity ON council.people;
CREATE TRIGGER session_identity AFTER UPDATE OF active, org_id
    ON council.people FOR EACH ROW
    EXECUTE FUNCTION council.session_identity_on_change();
DROP TRIGGER IF EXISTS session_identity ON council.handler_registrations;
CREATE TRIGGER session_identity AFTER INSERT OR UPDATE OR DELETE
    ON council.handler_registrations FOR EACH ROW
    EXECUTE FUNCTION council.session_identity_on_change();
-- R-NEW-6: a change of the training's period changes everyone's end.
DROP TRIGGER IF EXISTS session_identity ON council.handler_safety_settings;
CREATE TRIGGER session_identity AFTER UPDATE OF training_days
    ON council.handler_safety_settings FOR EACH STATEMENT
    EXECUTE FUNCTION council.session_identity_on_settings();
DROP TRIGGER IF EXISTS session_identity ON council.committee_members;
CREATE TRIGGER session_identity AFTER INSERT OR UPDATE OR DELETE
    ON council.committee_members FOR EACH ROW
    EXECUTE FUNCTION council.session_identity_on_change();

-- council.me: the caller, as one row, or no row at all.  A row exists only
-- for a browser session or an API token (not a sign-in still waiting for
-- its second factor) that is not revoked, not past its absolute expiry or
-- its idle time-out, of an active person whose organisation is a member
-- (R-ORG-3: a withdrawn, expelled or dissolved member sees nothing):
-- sessions.live.
--
-- It is a view of one table, not a function, for speed: policies read it
-- as (SELECT col FROM council.me), which the planner inlines and runs once
-- per statement as an initplan of one index probe.  A SECURITY DEFINER
-- function costs a function call, and a SQL one a fresh plan, at every use
-- (bench/feed-db.sh measured 76 transactions/s with functions).  The view
-- is owned by council_definer, so sessions is read with the definer's
-- rights (identity_read below), whoever queries it; security_barrier keeps
-- a caller's own conditions from running before the view's.
-- R-NEW-6: may_handle_secrets ends when the handler's training expires
-- (secrets_until), at the moment itself: no job has to run first.
CREATE OR REPLACE VIEW council.me WITH (security_barrier) AS
SELECT s.person_id, s.org_id, s.is_coordinator, s.is_secretariat,
       s.is_committee, s.may_receive,
       coalesce(s.may_handle_secrets AND s.secrets_until > now(), false)
           AS may_handle_secrets
FROM council.sessions s
WHERE s.token_hash = council.current_session_hash()
  AND s.kind IN ('web', 'api')
  AND s.revoked_at IS NULL
  AND s.expires_at > now()
  AND (s.idle_timeout IS NULL OR s.last_seen_at + s.idle_timeout > now())
  AND s.live;

-- The same facts as functions, for PL/pgSQL code and tests.  PL/pgSQL
-- caches the plan of its statement; NULL or false without a session.
-- Policies use council.me directly (see above).
CREATE OR REPLACE FUNCTION council.current_person_id() RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$ BEGIN RETURN (SELECT m.person_id FROM council.me m); END $$;

CREATE OR REPLACE FUNCTION council.current_org_id() RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$ BEGIN RETURN (SELECT m.org_id FROM council.me m); END $$;

CREATE OR REPLACE FUNCTION council.current_is_coordinator() RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$ BEGIN RETURN coalesce((SELECT m.is_coordinator FROM council.me m), false); END $$;

CREATE OR REPLACE FUNCTION council.current_is_secretariat() RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$ BEGIN RETURN coalesce((SELECT m.is_secretariat FROM council.me m), false); END $$;

CREATE OR REPLACE FUNCTION council.current_is_committee() RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$ BEGIN RETURN coalesce((SELECT m.is_committee FROM council.me m), false); END $$;

CREATE OR REPLACE FUNCTION council.current_may_receive() RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$ BEGIN RETURN coalesce((SELECT m.may_receive FROM council.me m), false); END $$;

CREATE OR REPLACE FUNCTION council.current_may_handle_secrets() RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$ BEGIN RETURN coalesce((SELECT m.may_handle_secrets FROM council.me m), false); END $$;

-- Changing an owner needs the new owner to hold CREATE on the schema; it
-- holds it only for the length of these statements.
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER VIEW council.me OWNER TO council_definer;
ALTER FUNCTION council.handler_secrets_until(date) OWNER TO council_definer;
ALTER FUNCTION council.session_identity_refresh(bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.session_identity_on_change() OWNER TO council_definer;
ALTER FUNCTION council.session_identity_on_insert() OWNER TO council_definer;
ALTER FUNCTION council.session_identity_on_settings() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.session_identity_refresh(bigint[]) FROM PUBLIC;
REVOKE ALL ON council.me FROM PUBLIC;
GRANT SELECT ON council.me TO council_app, council_writer, council_definer;

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
        EXECUTE format('CREATE POLICY definer_all ON council.%I TO council_definer '
                       'USING (current_user = ''council_definer'') '
                       'WITH CHECK (current_user = ''council_definer'')', t.relname);
    END LOOP;
END $$;

-- identity_read: what council.me reads, with the definer's rights.  Inside
-- a view current_user is the caller, so definer_all does not apply there.
-- council_owner, the definer's only member, already reads sessions
-- (owner_admin), so it gains nothing.
CREATE POLICY identity_read ON council.sessions FOR SELECT TO council_definer USING (true);

-- Bring every live session's copy up to date (after a change of the rule
-- above, and after bulk loads that bypass triggers).
SELECT council.session_identity_refresh(NULL);
