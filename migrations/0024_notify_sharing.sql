-- 0024_notify_sharing: notifications of the sharing work (issue 17, item 1).
--
-- A notification about a post names the post (post_id): the policy of
-- policy/78_notify_sharing.sql shows it only while its person may read the
-- post, and the mailer mails it only then, so a notification never
-- outlives the post's visibility (a restriction, a withdrawal, an opt-out
-- of secrets, a narrowed audience) and never tells of a hidden post.
-- NULL: a notification about no post (governance, cooperation).
ALTER TABLE council.notifications
    ADD COLUMN post_id bigint REFERENCES council.posts (id);
CREATE INDEX notifications_post ON council.notifications (post_id)
    WHERE post_id IS NOT NULL;
-- The header's badge counts a person's unread notifications.
CREATE INDEX notifications_unread ON council.notifications (person_id)
    WHERE read_at IS NULL;
