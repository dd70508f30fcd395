-- 0004_audience_covering: the primary key of post_audience carries the two
-- flags its policy reads (is_author, is_secret), so that the feed's range
-- scan and the per-post audience probe of the posts policy are index-only
-- scans: no visit to the table's pages (bench/feed-db.sh).
ALTER TABLE council.post_audience DROP CONSTRAINT post_audience_pkey;
ALTER TABLE council.post_audience ADD CONSTRAINT post_audience_pkey
    PRIMARY KEY (org_id, post_id) INCLUDE (is_author, is_secret);
