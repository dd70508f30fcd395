-- 0003_audience_secrecy: post_audience carries its post's secrecy, so that
-- its own policy can hide the rows of secrets from those who may not
-- handle them without reading posts (whose policy reads post_audience:
-- reading back would recurse).  Posts never change their secrecy.
ALTER TABLE council.post_audience
    ADD COLUMN is_secret boolean NOT NULL DEFAULT false;
UPDATE council.post_audience a SET is_secret = p.is_secret
FROM council.posts p WHERE p.id = a.post_id AND p.is_secret;
