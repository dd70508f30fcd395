-- 0025_tlp_reached: a post's TLP label says whom it reaches (issue 17,
-- item 10).  council.audience_refresh_post (policy/40_sharing_audience.sql,
-- council_definer) rewrites posts.tlp of a derived post or a reply from
-- the audience it actually reaches: a post derived from another's
-- information reaches less than its scope names until the giver consents
-- (R-SCOPE-4), and is labelled by what it reaches until then.
GRANT UPDATE (tlp) ON council.posts TO council_definer;
