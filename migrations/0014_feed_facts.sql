-- 0014_feed_facts: what the feed shows of each post, kept on the post so
-- that a page of 50 posts costs no per-post policy or function call
-- (bench/http/run.sh measured those at most of a feed request's time):
--   shown_author_org  the author's organisation, NULL when masked (R-TF-6:
--                     as post_authors' policy shows it to everyone but the
--                     author's organisation and the coordinator, who see
--                     "masked member" in the feed too)
--   scope_summary     council.scope_summary_compute's codes, refreshed by
--                     the write functions whenever the scope changes
-- Both are readable exactly when the post is (the posts policies).
ALTER TABLE council.posts
    ADD COLUMN shown_author_org bigint REFERENCES council.organisations (id),
    ADD COLUMN scope_summary text[];
UPDATE council.posts p SET shown_author_org = a.org_id
FROM council.post_authors a WHERE a.post_id = p.id AND NOT a.masked;
GRANT UPDATE (scope_summary) ON council.posts TO council_definer;
