-- 0040_post_uses: need to know and the uses of a post (issue 14 item 3;
-- R-TF-7, R-TF-8, R-ORG-9, R-USE-1).  Who writes and who sees:
-- policy/93_uses.sql; the design: docs/government-information.md "Need to
-- know and uses (item 3)".
--
-- R-TF-7: a task-force participant that derives a post from information
-- held within the task force, for a scope that reaches members outside
-- it, states why they need it.  One statement per post, written by
-- council.create_post (through council.need_to_know_record) in the same
-- transaction as the post: a post that needs one has one.  sources: the
-- sources held within the task force that asked for it.
CREATE TABLE council.post_need_to_know (
    post_id     bigint PRIMARY KEY REFERENCES council.posts (id),
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    person_id   bigint NOT NULL REFERENCES council.people (id),
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    sources     bigint[] NOT NULL CHECK (cardinality(sources) >= 1),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- R-TF-8, R-ORG-9 (the exceptions of R-USE-1): a member records that it
-- used a post beyond securing itself: a Type 1 member to protect its
-- customers (customer_protection), a mutual-aid body for its constituents
-- within the post's scope (constituent_relay).  Append-only.
CREATE TYPE council.post_use_kind AS ENUM ('customer_protection', 'constituent_relay');
CREATE TABLE council.post_uses (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id    bigint NOT NULL REFERENCES council.posts (id),
    org_id     bigint NOT NULL REFERENCES council.organisations (id),
    person_id  bigint NOT NULL REFERENCES council.people (id),
    kind       council.post_use_kind NOT NULL,
    note       text NOT NULL CHECK (length(note) BETWEEN 1 AND 1000),
    used_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX post_uses_post ON council.post_uses (post_id);
CREATE INDEX post_uses_org ON council.post_uses (org_id);

ALTER TABLE council.post_need_to_know ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.post_need_to_know FORCE ROW LEVEL SECURITY;
ALTER TABLE council.post_uses ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.post_uses FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.post_need_to_know, council.post_uses
    TO council_app, council_writer, council_definer;
GRANT INSERT ON council.post_need_to_know, council.post_uses TO council_definer;
