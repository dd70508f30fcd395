-- 0018_notifications: what the portal tells a person, and the e-mail that
-- says so (issue 5: the general assembly's notices and reminders,
-- R-GOV-2, R-GOV-3; the preferences of 0010_settings).
--
-- A notification names a page, never content: the content is read on the
-- portal, under row-level security (0010's rule for e-mail holds for the
-- portal's own list too).  One row per person told.  dedupe makes a
-- repeated event (a trigger fired twice, a reminder run that overlaps)
-- tell a person once.  mailed_at: when councild wrote the e-mail that
-- carries it (NULL: not yet, or never, by the person's email_digest).
CREATE TABLE council.notifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES council.people (id),
    kind        text NOT NULL CHECK (kind ~ '^[a-z]+(\.[a-z_]+)+$'),
    subject_ja  text NOT NULL CHECK (length(subject_ja) BETWEEN 1 AND 300),
    subject_en  text NOT NULL CHECK (length(subject_en) BETWEEN 1 AND 300),
    link        text NOT NULL CHECK (link ~ '^/[A-Za-z0-9/_.-]{0,200}$'),
    dedupe      text NOT NULL CHECK (length(dedupe) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    mailed_at   timestamptz,
    UNIQUE (person_id, dedupe)
);
CREATE INDEX notifications_person ON council.notifications (person_id, created_at DESC);
CREATE INDEX notifications_unmailed ON council.notifications (created_at)
    WHERE mailed_at IS NULL;
ALTER TABLE council.notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.notifications FORCE ROW LEVEL SECURITY;
GRANT SELECT ON council.notifications TO council_app;
GRANT SELECT, INSERT, UPDATE (read_at, mailed_at) ON council.notifications
    TO council_definer;
