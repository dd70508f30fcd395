-- 0043_feed_renditions: the feed index knows which of its rows are
-- renditions of an analysis (issue 14 item 1; R-NEW-1), so that the feed
-- asks whether a richer rendition is seen (council.rendition_superseded,
-- policy/91_renditions.sql) for those rows only and every other row costs
-- nothing more (docs/benchmarks.md, "Tiered renditions and the feed").
-- The flag is not council_app's to read: a member is never told that a
-- post it sees is a rendition (the feed reads it as council_writer).
-- Kept by policy/67_feed_index.sql's triggers (a row written again takes
-- it from council.post_renditions) and by council.create_analysis (its
-- posts' rows, written before the link).
ALTER TABLE council.feed_items ADD COLUMN rendition boolean NOT NULL DEFAULT false;

REVOKE SELECT ON council.feed_items FROM council_app;
GRANT SELECT (org_id, post_id, is_author, is_secret, parent_id, kind, title, confidence,
              scope_designated, tlp, feedback_deadline, created_at, shown_author_org,
              scope_summary)
    ON council.feed_items TO council_app;
GRANT UPDATE (rendition) ON council.feed_items TO council_definer;
