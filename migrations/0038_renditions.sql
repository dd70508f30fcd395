-- 0038_renditions: one analysis, tiered renditions (issue 14 item 1;
-- R-NEW-1, basic policy ch. 4 §3).  The government writes one analysis and
-- gives it up to three renditions: full (may include communications
-- information), for provision (no communications information, may hold
-- secrets; for members under the secrecy duty) and for awareness (no
-- secrets; for every member, and publishable).  Each rendition is a post
-- of its own (kind analysis): its own body, scope, secrecy, attachments,
-- replies and audience, all decided by the posts' rules as for any post.
-- What this adds is the link between them, known to the author's
-- organisation and the coordinator only: a reader is shown the richest
-- rendition it sees (policy/91_renditions.sql), and nothing it is served
-- names the analysis or another rendition.

-- The tiers, poorest first: the enum's order is the order of richness.
CREATE TYPE council.rendition_tier AS ENUM ('awareness', 'provision', 'full');

CREATE TABLE council.analyses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    person_id   bigint NOT NULL REFERENCES council.people (id),
    -- the composer's submit key: a double submit returns the first
    submit_key  text CHECK (submit_key ~ '^[A-Za-z0-9_-]{16,64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (person_id, submit_key)
);

CREATE TABLE council.post_renditions (
    post_id       bigint PRIMARY KEY REFERENCES council.posts (id),
    analysis_id   bigint NOT NULL REFERENCES council.analyses (id),
    tier          council.rendition_tier NOT NULL,
    -- R-NEW-1: communications information only in the full rendition
    comms_info    boolean NOT NULL DEFAULT false CHECK (NOT comms_info OR tier = 'full'),
    -- R-NEW-1: only a rendition for awareness is published, without sign-in
    published_at  timestamptz CHECK (published_at IS NULL OR tier = 'awareness'),
    published_by  bigint REFERENCES council.people (id),
    CHECK ((published_at IS NULL) = (published_by IS NULL)),
    UNIQUE (analysis_id, tier)
);
CREATE INDEX post_renditions_published ON council.post_renditions (published_at)
    WHERE published_at IS NOT NULL;

ALTER TABLE council.analyses ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.analyses FORCE ROW LEVEL SECURITY;
ALTER TABLE council.post_renditions ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.post_renditions FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.analyses, council.post_renditions
    TO council_app, council_writer, council_definer;
GRANT INSERT ON council.analyses, council.post_renditions TO council_definer;
GRANT UPDATE (published_at, published_by) ON council.post_renditions TO council_definer;
-- R-NEW-1: a person told of a richer rendition is not told of a poorer
-- one of the same analysis (council.create_analysis).
GRANT DELETE ON council.notifications TO council_definer;
