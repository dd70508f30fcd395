-- 0005_session_identity: each session carries what its person may do, so
-- that "who is asking" is one index probe of one table (policy/10_identity.sql,
-- the view council.me).  The columns are derived: triggers owned by
-- council_definer keep them equal to what people, organisations,
-- handler_registrations and committee_members say (same file); nobody else
-- may write them (council_app may update last_seen_at only).
ALTER TABLE council.sessions
    ADD COLUMN org_id             bigint REFERENCES council.organisations (id),
    ADD COLUMN live               boolean NOT NULL DEFAULT false,
    ADD COLUMN is_coordinator     boolean NOT NULL DEFAULT false,
    ADD COLUMN is_secretariat     boolean NOT NULL DEFAULT false,
    ADD COLUMN is_committee       boolean NOT NULL DEFAULT false,
    ADD COLUMN may_receive        boolean NOT NULL DEFAULT false,
    ADD COLUMN may_handle_secrets boolean NOT NULL DEFAULT false;
GRANT UPDATE (org_id, live, is_coordinator, is_secretariat, is_committee,
              may_receive, may_handle_secrets)
    ON council.sessions TO council_definer;
