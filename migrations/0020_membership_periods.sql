-- 0020_membership_periods: each organisation's membership periods, so that
-- audiences follow them (issue 10; R-ORG-3, R-SCOPE-1, R-ORG-2;
-- docs/sharing.md "Membership periods").
--
-- A period opens when an organisation becomes a member (status 'member')
-- and closes when it stops being one (withdrawn, expelled, dissolved, or
-- an admission undone by the chair).  At most one period is open: the
-- current membership.  first_post is the first post id the period may
-- read: 0 for an organisation's first membership (it reads what was
-- shared before it joined, as before), and for any later one the next
-- post id when it began (R-ORG-3: "a member from its new admission: what
-- was shared while it was out never reaches it").  Post ids are the
-- clock: they grow with every post written (one sequence), so "shared
-- after the readmission" does not depend on timestamps within one
-- transaction.  end_post: the next post id when it closed (a record).
-- The periods are kept by a trigger on organisations (policy/40_sharing.sql,
-- council.audience_on_org_change) whatever changes the status.
CREATE TABLE council.org_memberships (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    since       timestamptz NOT NULL DEFAULT now(),
    until       timestamptz,
    first_post  bigint NOT NULL DEFAULT 0 CHECK (first_post >= 0),
    end_post    bigint,
    ended_as    council.membership_status CHECK (ended_as IS DISTINCT FROM 'member'),
    CHECK ((until IS NULL) = (end_post IS NULL) AND (until IS NULL) = (ended_as IS NULL)),
    CHECK (until IS NULL OR until >= since)
);
CREATE UNIQUE INDEX org_memberships_open ON council.org_memberships (org_id)
    INCLUDE (first_post) WHERE until IS NULL;
CREATE INDEX org_memberships_org ON council.org_memberships (org_id, since);
ALTER TABLE council.org_memberships ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON council.org_memberships TO council_app;
GRANT SELECT, INSERT, UPDATE (until, end_post, ended_as) ON council.org_memberships
    TO council_definer;
-- The boundary of a period is drawn from the posts' own sequence.
GRANT USAGE ON SEQUENCE council.posts_id_seq TO council_definer;

-- The periods of the organisations there are: a member has one open
-- period since its first admission (or its creation); one that left has a
-- closed one, so that joining again is a readmission.  What came before
-- this migration is not known post by post: every known period reads from
-- post 0, as audiences did.
INSERT INTO council.org_memberships (org_id, since, until, first_post, end_post, ended_as)
SELECT o.id,
       coalesce((SELECT min(h.changed_at) FROM council.org_status_history h
                 WHERE h.org_id = o.id AND h.status = 'member'), o.created_at),
       CASE WHEN o.status <> 'member' THEN
           greatest(coalesce((SELECT max(h.changed_at) FROM council.org_status_history h
                              WHERE h.org_id = o.id AND h.status = o.status), now()),
                    coalesce((SELECT min(h.changed_at) FROM council.org_status_history h
                              WHERE h.org_id = o.id AND h.status = 'member'), o.created_at)) END,
       0,
       CASE WHEN o.status <> 'member' THEN
           coalesce((SELECT max(id) FROM council.posts), 0) + 1 END,
       CASE WHEN o.status <> 'member' THEN o.status END
FROM council.organisations o
WHERE o.status = 'member'
   OR (o.status IN ('withdrawn', 'expelled', 'dissolved')
       AND (EXISTS (SELECT 1 FROM council.org_status_history h
                    WHERE h.org_id = o.id AND h.status = 'member')
            OR NOT EXISTS (SELECT 1 FROM council.applications a WHERE a.org_id = o.id)));
-- Written past RLS by its owner (its policies come only after the
-- migrations, policy/*.sql), then forced like every table.
ALTER TABLE council.org_memberships FORCE ROW LEVEL SECURITY;

-- R-ORG-2, R-ORG-3: a former member applies again (policy/73_membership.sql,
-- council.apply): the same organisation gets another application.
ALTER TABLE council.applications DROP CONSTRAINT applications_org_id_key;
CREATE INDEX applications_org ON council.applications (org_id);
ALTER TABLE council.applications ADD COLUMN readmission boolean NOT NULL DEFAULT false;

-- Audiences computed before this migration hold non-members (every
-- status was checked only when reading).  A migration that changes what
-- an effective scope is asks for every audience to be computed again:
-- policy/40_sharing.sql does it, once, after its functions are in place,
-- and empties this table.
CREATE TABLE IF NOT EXISTS council_meta.audience_rebuild (
    asked_by    text PRIMARY KEY,
    asked_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO council_meta.audience_rebuild (asked_by) VALUES ('0020_membership_periods');
