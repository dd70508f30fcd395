-- 0019_signin: sign-in behind its own role, credentials checked inside the
-- database, enrolment tokens (issue 10 items 3-5; OWASP ASVS 5.0 V6, V7).
-- The functions live in policy/50_auth.sql.
--
-- council_signin is a login role (created by deploy/pg.sh, like
-- council_app) used only by councild's sign-in path, on connections of its
-- own.  It owns nothing and holds no table grant: it may only EXECUTE the
-- sign-in functions, which never return a password hash or a TOTP secret.
-- council_app, the role of every other request, can call none of them, so
-- its password alone can no longer read a hash or open a session.
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO council_signin', current_database());
END $$;
GRANT USAGE ON SCHEMA council TO council_signin;

-- pgcrypto: HMAC-SHA1 for TOTP codes (RFC 6238), checked here instead of
-- in councild, and random bytes for the pepper below.  A trusted extension
-- since PostgreSQL 13: the database owner installs it.
CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA council;

-- Item 5: a person who must use a second factor and has none enrols only
-- with a one-time enrolment token from an administrator of the person's
-- organisation, the secretariat, or the operator (councilctl).  Only
-- SHA-256 of the token is kept; it expires, is spent by the enrolment, and
-- a newer token for the same person revokes the older.
CREATE TABLE council.enrolment_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES council.people (id),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    issued_by   bigint REFERENCES council.people (id),	-- NULL: councilctl
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz,
    CHECK (expires_at > issued_at AND expires_at <= issued_at + interval '30 days')
);
CREATE INDEX enrolment_tokens_person ON council.enrolment_tokens (person_id)
    WHERE used_at IS NULL AND revoked_at IS NULL;
ALTER TABLE council.enrolment_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.enrolment_tokens FORCE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE (used_at, revoked_at) ON council.enrolment_tokens
    TO council_definer;

-- Item 3: the salt of the placeholder setting for an address that names no
-- account is HMAC(pepper, address), so that the answer for an unknown
-- address is the same every time and looks like any other.  One row.
CREATE TABLE council.auth_pepper (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    pepper      bytea NOT NULL CHECK (length(pepper) = 32)
);
INSERT INTO council.auth_pepper (pepper) VALUES (council.gen_random_bytes(32));
ALTER TABLE council.auth_pepper ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.auth_pepper FORCE ROW LEVEL SECURITY;
GRANT SELECT ON council.auth_pepper TO council_definer;
