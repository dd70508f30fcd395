-- 0002_sharing: the sharing engine's tables (docs/sharing.md).
--
-- Visibility is decided by the policies of policy/sharing.sql; the
-- effective scope of each post is materialised in post_audience by
-- council.audience_refresh_post (fan-out on write).  council_app writes
-- nothing here directly: it calls the functions of policy/sharing.sql,
-- owned by council_writer (NOLOGIN), which sees exactly what the calling
-- person sees (the same policies) and may insert what the rules allow.

-- R-ORG-8: the GSOC member a specified liaison member goes through.
ALTER TABLE council.organisations
    ADD COLUMN liaison_via bigint REFERENCES council.organisations (id),
    ADD CONSTRAINT organisations_liaison_flag
        CHECK (liaison_via IS NULL OR (gsoc_liaison AND liaison_via <> id));

-- R-NEW-2: named groups.
CREATE TYPE council.group_kind AS ENUM (
    'standing', 'adhoc', 'sector', 'cross_sector', 'incident');

CREATE TABLE council.groups (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name_ja       text NOT NULL CHECK (length(name_ja) BETWEEN 1 AND 200),
    name_en       text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    kind          council.group_kind NOT NULL,
    owner_org_id  bigint NOT NULL REFERENCES council.organisations (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE council.group_members (
    group_id  bigint NOT NULL REFERENCES council.groups (id),
    org_id    bigint NOT NULL REFERENCES council.organisations (id),
    PRIMARY KEY (group_id, org_id)
);
CREATE INDEX group_members_org ON council.group_members (org_id);

CREATE TYPE council.post_kind AS ENUM (
    'consultation', 'analysis', 'countermeasure', 'alert', 'report');
CREATE TYPE council.tlp AS ENUM ('clear', 'green', 'amber', 'amber_strict', 'red');
CREATE TYPE council.audience_class AS ENUM (
    'all_members', 'task_force', 'type1_group', 'type2', 'coordinator',
    'sector', 'category');
CREATE TYPE council.exclusion_kind AS ENUM ('org', 'supervisors', 'investigative');

CREATE TABLE council.posts (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id          bigint REFERENCES council.posts (id),
    kind               council.post_kind NOT NULL,
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    is_secret          boolean NOT NULL,          -- R-SECRET-1: no default
    confidence         text CHECK (confidence IN ('high', 'low')),
    scope_designated   boolean NOT NULL,          -- R-SCOPE-5
    tlp                council.tlp NOT NULL,
    feedback_deadline  timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'countermeasure') = (confidence IS NOT NULL)),
    CHECK (NOT (is_secret AND NOT scope_designated AND parent_id IS NULL)),
    CHECK (parent_id IS NULL OR parent_id < id)
);
CREATE INDEX posts_parent ON council.posts (parent_id) WHERE parent_id IS NOT NULL;

-- Opening a post = reading its body (secret reads are audited).
CREATE TABLE council.post_bodies (
    post_id  bigint PRIMARY KEY REFERENCES council.posts (id),
    body     text NOT NULL CHECK (length(body) <= 200000)
);

CREATE TABLE council.post_authors (
    post_id    bigint PRIMARY KEY REFERENCES council.posts (id),
    person_id  bigint NOT NULL REFERENCES council.people (id),
    org_id     bigint NOT NULL REFERENCES council.organisations (id),
    masked     boolean NOT NULL                  -- R-TF-6, consultation privacy
);
CREATE INDEX post_authors_org ON council.post_authors (org_id);

-- R-SCOPE-1: recipients.  Exactly one of org, group, class per row.
CREATE TABLE council.post_scope (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id      bigint NOT NULL REFERENCES council.posts (id),
    org_id       bigint REFERENCES council.organisations (id),
    group_id     bigint REFERENCES council.groups (id),
    class        council.audience_class,
    sector_code  text REFERENCES council.sectors (code),
    category     council.org_category,
    CHECK (num_nonnulls(org_id, group_id, class) = 1),
    CHECK (sector_code IS NULL OR class = 'sector'),
    CHECK (class IS DISTINCT FROM 'sector' OR sector_code IS NOT NULL),
    CHECK (category IS NULL OR class = 'category'),
    CHECK (class IS DISTINCT FROM 'category' OR category IS NOT NULL)
);
CREATE INDEX post_scope_post ON council.post_scope (post_id);
CREATE INDEX post_scope_group ON council.post_scope (group_id) WHERE group_id IS NOT NULL;

-- R-SCOPE-2: exclusions always win.
CREATE TABLE council.post_exclusions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id      bigint NOT NULL REFERENCES council.posts (id),
    kind         council.exclusion_kind NOT NULL,
    org_id       bigint REFERENCES council.organisations (id),
    sector_code  text REFERENCES council.sectors (code),
    CHECK ((kind = 'org') = (org_id IS NOT NULL)),
    CHECK ((kind = 'supervisors') = (sector_code IS NOT NULL))
);
CREATE INDEX post_exclusions_post ON council.post_exclusions (post_id);

-- R-SCOPE-4: derived information and the givers' consents.
CREATE TABLE council.post_sources (
    post_id         bigint NOT NULL REFERENCES council.posts (id),
    source_post_id  bigint NOT NULL REFERENCES council.posts (id),
    PRIMARY KEY (post_id, source_post_id),
    CHECK (source_post_id < post_id)
);
CREATE INDEX post_sources_source ON council.post_sources (source_post_id);

CREATE TYPE council.consent_status AS ENUM ('pending', 'granted', 'refused');
CREATE TABLE council.consents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id         bigint NOT NULL,
    source_post_id  bigint NOT NULL,
    status          council.consent_status NOT NULL DEFAULT 'pending',
    requested_at    timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz,
    decided_by      bigint REFERENCES council.people (id),
    UNIQUE (post_id, source_post_id),
    FOREIGN KEY (post_id, source_post_id)
        REFERENCES council.post_sources (post_id, source_post_id),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);

-- The effective scope, materialised (docs/sharing.md).  The feed of a
-- member is a range scan of (org_id, post_id DESC).
CREATE TABLE council.post_audience (
    org_id     bigint NOT NULL REFERENCES council.organisations (id),
    post_id    bigint NOT NULL REFERENCES council.posts (id),
    is_author  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (org_id, post_id)
);
CREATE INDEX post_audience_post ON council.post_audience (post_id);

-- R-ORG-6: the secretariat's recorded access.
CREATE TABLE council.access_cases (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    granted_to   bigint NOT NULL REFERENCES council.people (id),
    reason       text NOT NULL CHECK (length(reason) BETWEEN 10 AND 2000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    approved_by  bigint REFERENCES council.people (id),
    approved_at  timestamptz,
    expires_at   timestamptz NOT NULL,
    CHECK (approved_by IS DISTINCT FROM granted_to),
    CHECK ((approved_by IS NULL) = (approved_at IS NULL))
);
CREATE TABLE council.access_case_posts (
    case_id  bigint NOT NULL REFERENCES council.access_cases (id),
    post_id  bigint NOT NULL REFERENCES council.posts (id),
    PRIMARY KEY (case_id, post_id)
);
CREATE INDEX access_case_posts_post ON council.access_case_posts (post_id);

-- The audit log: append-only, hash-chained at commit (policy/audit.sql).
CREATE TABLE council.audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    person_id    bigint,
    org_id       bigint,
    action       text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{0,63}$'),
    object_type  text CHECK (object_type ~ '^[a-z_]{1,32}$'),
    object_id    bigint,
    detail       jsonb NOT NULL DEFAULT '{}',
    request_id   text CHECK (length(request_id) <= 64),
    seq          bigint UNIQUE,
    prev_hash    bytea CHECK (length(prev_hash) = 32),
    hash         bytea CHECK (length(hash) = 32)
);
CREATE INDEX audit_log_org ON council.audit_log (org_id, id);

CREATE TABLE council.audit_head (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq   bigint NOT NULL,
    hash  bytea NOT NULL CHECK (length(hash) = 32)
);
INSERT INTO council.audit_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'));

DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'council' AND c.relkind = 'r'
               AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
    LOOP
        EXECUTE format('ALTER TABLE council.%I ENABLE ROW LEVEL SECURITY', t.relname);
        EXECUTE format('ALTER TABLE council.%I FORCE ROW LEVEL SECURITY', t.relname);
    END LOOP;
END $$;

-- council_app reads; it writes only through the functions.
GRANT SELECT ON council.groups, council.group_members, council.posts,
    council.post_bodies, council.post_authors, council.post_scope,
    council.post_exclusions, council.post_sources, council.consents,
    council.post_audience, council.access_cases, council.access_case_posts,
    council.audit_log
    TO council_app, council_writer;
-- council_writer: what the write functions insert.
GRANT INSERT ON council.posts, council.post_bodies, council.post_authors,
    council.post_scope, council.post_exclusions, council.post_sources,
    council.consents, council.access_cases, council.access_case_posts
    TO council_writer;
GRANT UPDATE (status, decided_at, decided_by) ON council.consents TO council_writer;
GRANT UPDATE (approved_by, approved_at) ON council.access_cases TO council_writer;
GRANT SELECT ON council.organisations, council.people, council.sectors,
    council.org_supervises, council.handler_registrations,
    council.committee_members, council.sessions TO council_writer;
-- council_definer: computes audiences and seals the audit log.
GRANT SELECT ON ALL TABLES IN SCHEMA council TO council_definer;
GRANT INSERT, DELETE ON council.post_audience TO council_definer;
GRANT INSERT ON council.audit_log TO council_definer;
GRANT UPDATE (seq, prev_hash, hash) ON council.audit_log TO council_definer;
GRANT UPDATE ON council.audit_head TO council_definer;
GRANT USAGE ON SCHEMA council TO council_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA council TO council_writer, council_definer;
