-- 0023_feed_index: the member feed as one index range scan (issue 12,
-- item 1).
--
-- council.feed_items holds, per (organisation, post) of post_audience,
-- the post's own row as the feed shows it (every column of council.posts,
-- so that council.feed still returns rows of council.posts) and the two
-- flags its policy needs (is_author, is_secret).  "The newest N posts my
-- organisation may see", with keyset paging, is then a backward range scan
-- of feed_items_pkey for the caller's organisation, with no per-row
-- policy subquery and no visit to posts.  Its policy
-- (policy/67_feed_index.sql) is the posts policies posts_audience and
-- posts_secret written as conditions on the row's own columns; the
-- coordinator's and the secretariat's other ways in (posts_coordinator,
-- posts_access_case) stay on posts.
--
-- Kept by the triggers of policy/67_feed_index.sql: statement-level, with
-- transition tables, on post_audience (a row appears and goes with its
-- audience row, so the set-based council.audience_rebuild_orgs stays one
-- statement) and on posts (an edited row is copied again).  A bulk load
-- that bypasses triggers (session_replication_role = replica) calls
-- council.feed_items_backfill() (bench/feed-posts.sql).
--
-- No foreign keys: the rows are a copy of post_audience's, whose own keys
-- hold, and a check per row would double the cost of a large fan-out.

CREATE TABLE council.feed_items (
    org_id            bigint NOT NULL,
    post_id           bigint NOT NULL,
    is_author         boolean NOT NULL,
    is_secret         boolean NOT NULL,       -- the post's (posts.is_secret)
    -- council.posts' columns, in its order (council.feed returns them).
    parent_id         bigint,
    kind              council.post_kind NOT NULL,
    title             text NOT NULL,
    confidence        text,
    scope_designated  boolean NOT NULL,
    tlp               council.tlp NOT NULL,
    feedback_deadline timestamptz,
    created_at        timestamptz NOT NULL,
    shown_author_org  bigint,
    scope_summary     text[],
    PRIMARY KEY (org_id, post_id)
);
-- The filtered feed (council.post_candidates): an organisation's posts of
-- one kind, or of one TLP label, newest first.  Searched by the definer's
-- finder only: for council_app an enum equality cannot be an index
-- condition under row-level security (it is not leakproof).
CREATE INDEX feed_items_kind ON council.feed_items (org_id, kind, post_id);
CREATE INDEX feed_items_tlp ON council.feed_items (org_id, tlp, post_id);

-- The posts already shared (on a new database there are none).
INSERT INTO council.feed_items (org_id, post_id, is_author, is_secret,
    parent_id, kind, title, confidence, scope_designated, tlp,
    feedback_deadline, created_at, shown_author_org, scope_summary)
SELECT a.org_id, a.post_id, a.is_author, p.is_secret,
       p.parent_id, p.kind, p.title, p.confidence, p.scope_designated, p.tlp,
       p.feedback_deadline, p.created_at, p.shown_author_org, p.scope_summary
FROM council.post_audience a JOIN council.posts p ON p.id = a.post_id;

ALTER TABLE council.feed_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.feed_items FORCE ROW LEVEL SECURITY;

-- council_app and council_writer read (through the policy); the definer
-- writes (the triggers) and reads (the filtered feed's finder).  It never
-- moves a row to another organisation or post: UPDATE is a column grant.
GRANT SELECT ON council.feed_items TO council_app, council_writer;
GRANT SELECT, INSERT, DELETE ON council.feed_items TO council_definer;
GRANT UPDATE (is_author, is_secret, parent_id, kind, title, confidence,
    scope_designated, tlp, feedback_deadline, created_at, shown_author_org,
    scope_summary) ON council.feed_items TO council_definer;
