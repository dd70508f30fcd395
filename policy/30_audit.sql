-- policy/30_audit.sql: the audit log (docs/sharing.md, "The audit log").
-- Re-applied by "councilctl migrate".
--
-- Rows are written only through council.audit() (SECURITY DEFINER, owned by
-- council_definer), which takes who and which request from the identity
-- settings.  At commit, a deferred constraint trigger seals each new row:
-- it takes the row lock on audit_head (held only while the transaction
-- commits), gives the row the next seq, the previous hash, and
--     hash = SHA-256(prev_hash || payload)
-- with payload = council.audit_payload(...).  councilctl audit verify
-- recomputes the chain.  Nobody may UPDATE or DELETE a sealed row: there is
-- no policy for it, and a trigger refuses it even for the owner.

-- The text that is hashed: every column but the chain itself, separated by
-- U+001F, timestamps in UTC with microseconds.
CREATE OR REPLACE FUNCTION council.audit_payload(
    p_seq bigint, p_id bigint, p_at timestamptz, p_person bigint,
    p_org bigint, p_action text, p_object_type text, p_object_id bigint,
    p_detail jsonb, p_request text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT concat_ws(chr(31), p_seq::text, p_id::text,
        to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(p_person::text, ''), coalesce(p_org::text, ''), p_action,
        coalesce(p_object_type, ''), coalesce(p_object_id::text, ''),
        p_detail::text, coalesce(p_request, ''))
$$;

-- Append one row as the current identity.  Returns its id.
CREATE OR REPLACE FUNCTION council.audit(p_action text, p_object_type text,
    p_object_id bigint, p_detail jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO council.audit_log (person_id, org_id, action, object_type,
                                   object_id, detail, request_id)
    VALUES (council.current_person_id(), council.current_org_id(), p_action,
            p_object_type, p_object_id, coalesce(p_detail, '{}'),
            left(nullif(current_setting('council.request_id', true), ''), 64))
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;

-- Seal one row at commit (deferred constraint trigger).
CREATE OR REPLACE FUNCTION council.audit_seal() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    h       record;
    r       record;
    v_hash  bytea;
BEGIN
    SELECT seq, hash INTO h FROM council.audit_head WHERE one FOR UPDATE;
    SELECT * INTO r FROM council.audit_log WHERE id = NEW.id;
    v_hash := sha256(h.hash || convert_to(council.audit_payload(h.seq + 1,
        r.id, r.at, r.person_id, r.org_id, r.action, r.object_type,
        r.object_id, r.detail, r.request_id), 'UTF8'));
    UPDATE council.audit_log SET seq = h.seq + 1, prev_hash = h.hash,
        hash = v_hash WHERE id = NEW.id;
    UPDATE council.audit_head SET seq = h.seq + 1, hash = v_hash WHERE one;
    RETURN NULL;
END
$$;

-- Append-only: a sealed row never changes; an unsealed one only gets its
-- seal; nothing is ever deleted or truncated.
CREATE OR REPLACE FUNCTION council.audit_guard() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'audit_log_append_only'
            USING ERRCODE = 'CP403', DETAIL = 'the audit log is append-only';
    END IF;
    IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (NEW.id, NEW.at, NEW.person_id, NEW.org_id, NEW.action,
            NEW.object_type, NEW.object_id, NEW.detail, NEW.request_id)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.person_id, OLD.org_id, OLD.action,
            OLD.object_type, OLD.object_id, OLD.detail, OLD.request_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log_append_only'
        USING ERRCODE = 'CP403', DETAIL = 'the audit log is append-only';
END
$$;

-- The head, for councild's anchor (server/core/anchor.c, docs/architecture.md
-- "The audit log"): the chain's last seq and hash, and the addresses of
-- the general-affairs secretariat (R-ORG-5: council_role 'secretariat',
-- its active administrators) to which each signed checkpoint is mailed,
-- one per line (an address holds no white space).  council_app may call
-- it and may not read audit_head or people itself.  The database holds no
-- key: councild signs outside it, so whoever rewrites the chain here
-- cannot make a checkpoint that matches.
CREATE OR REPLACE FUNCTION council.audit_checkpoint_head()
    RETURNS TABLE (seq bigint, hash text, mail_to text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT h.seq, encode(h.hash, 'hex'),
           coalesce((SELECT string_agg(p.email, E'\n' ORDER BY p.id)
                     FROM council.people p
                     JOIN council.organisations o ON o.id = p.org_id
                     WHERE o.council_role = 'secretariat' AND p.active
                       AND p.is_org_admin), '')
    FROM council.audit_head h
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.audit(text, text, bigint, jsonb) OWNER TO council_definer;
ALTER FUNCTION council.audit_seal() OWNER TO council_definer;
ALTER FUNCTION council.audit_checkpoint_head() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.audit(text, text, bigint, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION council.audit_seal() FROM PUBLIC;
REVOKE ALL ON FUNCTION council.audit_checkpoint_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.audit_checkpoint_head() TO council_app, council_owner;
GRANT EXECUTE ON FUNCTION council.audit(text, text, bigint, jsonb)
    TO council_writer, council_owner;

DROP TRIGGER IF EXISTS audit_seal ON council.audit_log;
CREATE CONSTRAINT TRIGGER audit_seal AFTER INSERT ON council.audit_log
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION council.audit_seal();
DROP TRIGGER IF EXISTS audit_guard ON council.audit_log;
CREATE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON council.audit_log
    FOR EACH ROW EXECUTE FUNCTION council.audit_guard();
DROP TRIGGER IF EXISTS audit_no_truncate ON council.audit_log;
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON council.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION council.audit_guard();
DROP TRIGGER IF EXISTS audit_head_guard ON council.audit_head;
CREATE TRIGGER audit_head_guard BEFORE DELETE OR TRUNCATE ON council.audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION council.audit_guard();

-- Reading: one's own organisation's rows; the coordinator all (R-ORG-6).
CREATE POLICY audit_log_own ON council.audit_log FOR SELECT
    TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me)
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));
-- The owner reads (councilctl audit verify) and writes nothing.
CREATE POLICY owner_read ON council.audit_log FOR SELECT TO council_owner
    USING (true);
CREATE POLICY owner_read ON council.audit_head FOR SELECT TO council_owner
    USING (true);

-- Membership changes are audited where they happen, whoever makes them
-- (R-ORG-2, R-ORG-3, R-ORG-4, R-RESTRICT-1).
CREATE OR REPLACE FUNCTION council.audit_membership() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF TG_TABLE_NAME = 'organisations' THEN
        IF TG_OP = 'INSERT' THEN
            PERFORM council.audit('membership.create', 'organisation', NEW.id,
                jsonb_build_object('status', NEW.status, 'slug', NEW.slug));
        ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
            PERFORM council.audit('membership.status', 'organisation', NEW.id,
                jsonb_build_object('from', OLD.status, 'to', NEW.status));
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.restricted IS DISTINCT FROM OLD.restricted THEN
            PERFORM council.audit(CASE WHEN NEW.restricted THEN 'membership.restrict'
                                       ELSE 'membership.unrestrict' END,
                'organisation', NEW.id, '{}');
        END IF;
    ELSIF TG_TABLE_NAME = 'handler_registrations' THEN
        IF TG_OP = 'INSERT' THEN
            PERFORM council.audit('handler.register', 'person', NEW.person_id, '{}');
        ELSIF NEW.deregistered_at IS NOT NULL AND OLD.deregistered_at IS NULL THEN
            PERFORM council.audit('handler.deregister', 'person', NEW.person_id, '{}');
        END IF;
    END IF;
    RETURN NULL;
END
$$;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.audit_membership() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
DROP TRIGGER IF EXISTS audit_membership ON council.organisations;
CREATE TRIGGER audit_membership AFTER INSERT OR UPDATE OF status, restricted
    ON council.organisations FOR EACH ROW
    EXECUTE FUNCTION council.audit_membership();
DROP TRIGGER IF EXISTS audit_handlers ON council.handler_registrations;
CREATE TRIGGER audit_handlers AFTER INSERT OR UPDATE OF deregistered_at
    ON council.handler_registrations FOR EACH ROW
    EXECUTE FUNCTION council.audit_membership();
