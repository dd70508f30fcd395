-- 0001_foundation: the council's members, people and sessions.
--
-- Runs as council_owner (see deploy/pg.sh for the roles).  Every table in
-- schema council has row-level security ENABLED and FORCED; policies live in
-- policy/*.sql and are re-applied by "councilctl migrate" after migrations.
-- councild connects as council_app, which owns nothing and has no BYPASSRLS.
-- council_definer (NOLOGIN) owns the SECURITY DEFINER identity functions and
-- may read only what identity needs, through policies of its own.
-- Never edit this file once landed: add a new migration instead.

CREATE SCHEMA council;
REVOKE ALL ON SCHEMA council FROM PUBLIC;
GRANT USAGE ON SCHEMA council TO council_app, council_definer;

-- R-ORG-1: the kinds of joined member.
CREATE TYPE council.org_category AS ENUM (
    'national_agency', 'local_government', 'ci_operator', 'cyber_business',
    'academia', 'mutual_aid', 'individual', 'other');

-- R-TF-1: task-force class of an organisation.
CREATE TYPE council.tf_class AS ENUM ('none', 'type1', 'type2');

-- R-ORG-2, R-ORG-3, R-GOV-6: where an organisation stands.
CREATE TYPE council.membership_status AS ENUM (
    'applied', 'refused', 'member', 'withdrawn', 'expelled', 'dissolved');

-- R-ORG-5, R-ORG-6: the two secretariat bodies.
CREATE TYPE council.council_role AS ENUM ('coordinator', 'secretariat');

-- Critical-infrastructure sectors (重要インフラ分野).
CREATE TABLE council.sectors (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]{1,31}$'),
    name_ja     text NOT NULL,
    name_en     text NOT NULL
);

CREATE TABLE council.organisations (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                  text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name_ja               text NOT NULL CHECK (length(name_ja) BETWEEN 1 AND 200),
    name_en               text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    category              council.org_category NOT NULL,
    sector_code           text REFERENCES council.sectors (code),
    council_role          council.council_role UNIQUE,
    tf_class              council.tf_class NOT NULL DEFAULT 'none',
    is_investigative      boolean NOT NULL DEFAULT false,  -- R-SCOPE-2
    foreign_status        boolean NOT NULL DEFAULT false,  -- R-TF-4
    foreign_approved      boolean NOT NULL DEFAULT false,  -- R-TF-4 exception
    roster_opt_out        boolean NOT NULL DEFAULT false,  -- R-ORG-7
    secret_opt_out        boolean NOT NULL DEFAULT false,  -- R-SECRET-3
    early_warning_opt_out boolean NOT NULL DEFAULT false,  -- R-ORG-10
    gsoc_liaison          boolean NOT NULL DEFAULT false,  -- R-ORG-8
    status                council.membership_status NOT NULL DEFAULT 'applied',
    restricted            boolean NOT NULL DEFAULT false,  -- R-RESTRICT-1
    created_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (category = 'ci_operator' OR sector_code IS NULL),
    CHECK (category <> 'ci_operator' OR sector_code IS NOT NULL),
    CHECK (NOT foreign_approved OR foreign_status),
    -- R-TF-4: a foreign member is in the TF only with the committee's approval.
    CHECK (tf_class = 'none' OR NOT foreign_status OR foreign_approved)
);

-- Sectors a national agency supervises (R-SCOPE-2 "supervisors of my sector").
CREATE TABLE council.org_supervises (
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    sector_code text NOT NULL REFERENCES council.sectors (code),
    PRIMARY KEY (org_id, sector_code)
);

-- History of membership status; the current status is organisations.status.
CREATE TABLE council.org_status_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    status      council.membership_status NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    note        text NOT NULL DEFAULT ''
);
CREATE INDEX org_status_history_org ON council.org_status_history (org_id, changed_at);

CREATE TABLE council.people (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint NOT NULL REFERENCES council.organisations (id),
    name_ja         text NOT NULL CHECK (length(name_ja) BETWEEN 1 AND 200),
    name_en         text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    email           text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    is_org_admin    boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    password_hash   text,               -- scrypt MCF ($s1$...); NULL: cannot sign in
    lang            text NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja', 'en')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX people_email ON council.people (lower(email));
CREATE INDEX people_org ON council.people (org_id);

-- R-ORG-4: registered handlers, with their history.  A person is a handler
-- while a row with deregistered_at IS NULL exists; registered_at is when the
-- secretariat had the notification.
CREATE TABLE council.handler_registrations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id        bigint NOT NULL REFERENCES council.people (id),
    registered_at    timestamptz NOT NULL DEFAULT now(),
    deregistered_at  timestamptz,
    CHECK (deregistered_at IS NULL OR deregistered_at >= registered_at)
);
CREATE UNIQUE INDEX handler_registrations_open
    ON council.handler_registrations (person_id) WHERE deregistered_at IS NULL;

-- R-GOV-5: the steering committee (Annex 1), one row per seat.
CREATE TABLE council.committee_members (
    person_id   bigint PRIMARY KEY REFERENCES council.people (id),
    is_chair    boolean NOT NULL DEFAULT false,
    since       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX committee_one_chair ON council.committee_members (is_chair) WHERE is_chair;

-- Sessions.  councild sends the SHA-256 of the session token as the
-- transaction-local setting council.session; the database, not councild,
-- turns it into a person (policy/identity.sql).
CREATE TABLE council.sessions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    person_id     bigint NOT NULL REFERENCES council.people (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);
CREATE INDEX sessions_person ON council.sessions (person_id);

DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'council' AND c.relkind = 'r'
    LOOP
        EXECUTE format('ALTER TABLE council.%I ENABLE ROW LEVEL SECURITY', t.relname);
        EXECUTE format('ALTER TABLE council.%I FORCE ROW LEVEL SECURITY', t.relname);
    END LOOP;
END $$;

GRANT SELECT ON ALL TABLES IN SCHEMA council TO council_app;
GRANT SELECT ON council.sessions, council.people, council.organisations
    TO council_definer;
GRANT UPDATE (last_seen_at) ON council.sessions TO council_app;
