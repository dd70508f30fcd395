-- 0044_stix: what the STIX 2.1 / TAXII 2.1 face of the portal keeps
-- (issue 15; docs/stix.md).  The objects a member's tool pulls are not
-- stored: policy/96_stix.sql draws them, under the caller's row-level
-- security, from the posts, their indicators and the feedback.  Kept here
-- is only what cannot be drawn: the organisations' scope presets (each a
-- TAXII write collection), what a bundle pushed into the portal became
-- (so that a push is idempotent and a re-export keeps the client's ids),
-- and the status resources of pushes.

-- A scope preset: a named scope (and exclusions) that an organisation
-- uses again and again; each is one TAXII write collection of that
-- organisation (collection id = uuid).  scope and exclusions are in
-- create_post's form (council.scope_insert, 42_sharing_writes.sql) and
-- are checked by it on every use, so a preset that names a group the
-- organisation left simply fails on use (R-SCOPE-1).
CREATE TABLE council.scope_presets (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid        uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    scope       jsonb NOT NULL CHECK (jsonb_typeof(scope) = 'array'
                                      AND jsonb_array_length(scope) BETWEEN 1 AND 200),
    exclusions  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(exclusions) = 'array'),
    created_by  bigint NOT NULL REFERENCES council.people (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    UNIQUE (org_id, name)
);
CREATE INDEX scope_presets_org ON council.scope_presets (org_id);
ALTER TABLE council.scope_presets ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.scope_presets FORCE ROW LEVEL SECURITY;
GRANT SELECT ON council.scope_presets TO council_app, council_definer;
GRANT INSERT ON council.scope_presets TO council_definer;
GRANT UPDATE (deleted_at) ON council.scope_presets TO council_definer;

-- What a pushed STIX object became: one row per (organisation, object id,
-- modified).  post_id is the post made of it (a report, note,
-- course-of-action, or a lone indicator).  On export the post keeps the
-- client's id (council.stix_post_id), so a client that pulls back what
-- it pushed does not get a duplicate.
CREATE TABLE council.stix_imports (
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    stix_id     text NOT NULL CHECK (stix_id ~ '^[a-z0-9-]{1,250}--[0-9a-f-]{36}$'),
    modified    timestamptz NOT NULL,
    post_id     bigint NOT NULL REFERENCES council.posts (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, stix_id, modified)
);
CREATE UNIQUE INDEX stix_imports_post ON council.stix_imports (post_id);
CREATE INDEX stix_imports_id ON council.stix_imports (stix_id);
ALTER TABLE council.stix_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.stix_imports FORCE ROW LEVEL SECURITY;
GRANT SELECT ON council.stix_imports TO council_app, council_definer;
GRANT INSERT ON council.stix_imports TO council_definer;

-- A TAXII status resource: what became of one POST of objects.  The
-- objects are processed in the request, so a status is complete when it
-- is made (pending_count 0); it is kept for 7 days for the client to read.
-- successes, failures: arrays of {"id", "version", "message"?}.
CREATE TABLE council.taxii_status (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    person_id   bigint NOT NULL REFERENCES council.people (id),
    collection  uuid NOT NULL,
    request_at  timestamptz NOT NULL DEFAULT now(),
    total       integer NOT NULL CHECK (total >= 0),
    successes   jsonb NOT NULL DEFAULT '[]',
    failures    jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX taxii_status_age ON council.taxii_status (request_at);
ALTER TABLE council.taxii_status ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.taxii_status FORCE ROW LEVEL SECURITY;
GRANT SELECT ON council.taxii_status TO council_app, council_definer;
GRANT INSERT ON council.taxii_status TO council_definer;

-- A TAXII collection is read in the order objects were added, and an
-- object is added with its post (policy/96_stix.sql, taxii_objects).
CREATE INDEX posts_created ON council.posts (created_at, id);
