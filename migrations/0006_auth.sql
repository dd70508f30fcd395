-- 0006_auth: sign-in, the second factor and API tokens (OWASP ASVS 5.0
-- V6/V7).  The functions that use these live in policy/50_auth.sql.
--
-- A session is one of three kinds:
--   web      a browser's, from the cookie; idle and absolute time-outs
--   api      an API token, scoped to one person, expiring, revocable
--   pending  a password was right and a second factor is still due: it
--            identifies nobody (council.me ignores it) and lives minutes
ALTER TABLE council.sessions
    ADD COLUMN kind text NOT NULL DEFAULT 'web'
        CHECK (kind IN ('web', 'api', 'pending')),
    ADD COLUMN name text CHECK (name IS NULL OR length(name) BETWEEN 1 AND 100),
    ADD COLUMN idle_timeout interval
        CHECK (idle_timeout IS NULL OR idle_timeout > interval '0');
CREATE INDEX sessions_person_kind ON council.sessions (person_id, kind)
    WHERE revoked_at IS NULL;

-- TOTP (RFC 6238): the shared secret in base32, and the last time step
-- used, so that a code is accepted once.
ALTER TABLE council.people
    ADD COLUMN totp_secret text CHECK (totp_secret IS NULL OR totp_secret ~ '^[A-Z2-7]{32}$'),
    ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0;

-- Recovery codes: SHA-256 of the normalised code; each is used once.
CREATE TABLE council.recovery_codes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES council.people (id),
    code_hash   bytea NOT NULL CHECK (length(code_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    UNIQUE (person_id, code_hash)
);
ALTER TABLE council.recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.recovery_codes FORCE ROW LEVEL SECURITY;

-- council_app reads people, but never their credentials: column grants
-- instead of the table grant of 0001.
REVOKE SELECT ON council.people FROM council_app;
GRANT SELECT (id, org_id, name_ja, name_en, email, is_org_admin, active,
              lang, created_at)
    ON council.people TO council_app;

GRANT SELECT, INSERT, UPDATE (used_at) ON council.recovery_codes TO council_definer;
GRANT INSERT ON council.sessions TO council_definer;
GRANT UPDATE (revoked_at, last_seen_at, expires_at) ON council.sessions TO council_definer;
GRANT UPDATE (password_hash, totp_secret, totp_last_step) ON council.people
    TO council_definer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA council TO council_definer;
