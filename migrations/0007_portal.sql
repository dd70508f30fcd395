-- 0007_portal: task-force feedback (R-TF-1, R-TF-5) and idempotent
-- submissions for the member portal (issue 4).  Policies and functions:
-- policy/60_portal.sql.

-- R-TF-1: Type 2 answers seen / not seen / don't know; Type 1 members and
-- the coordinator may give expert feedback (a comment is then required).
CREATE TYPE council.feedback_answer AS ENUM ('seen', 'not_seen', 'unknown', 'expert');

-- One answer per organisation and post; a changed answer rewrites the row
-- and every version is in the audit log.  first_at decides "on time"
-- (R-TF-5): a late first answer stays late.
CREATE TABLE council.feedback (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id     bigint NOT NULL REFERENCES council.posts (id),
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    person_id   bigint NOT NULL REFERENCES council.people (id),
    org_class   council.tf_class NOT NULL,       -- the class when given
    answer      council.feedback_answer NOT NULL,
    comment     text NOT NULL DEFAULT '' CHECK (length(comment) <= 4000),
    first_at    timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    on_time     boolean NOT NULL,
    UNIQUE (post_id, org_id),
    CHECK (answer <> 'expert' OR length(btrim(comment)) > 0)
);
CREATE INDEX feedback_org ON council.feedback (org_id, post_id);

-- Posts that ask for feedback (few): the obligations and the ledger start
-- here and probe post_audience's primary key.
CREATE INDEX posts_feedback ON council.posts (id) WHERE feedback_deadline IS NOT NULL;

-- A form or API call submitted twice (double click, retry after a lost
-- answer) creates one post: the key is the composer's submit_key or the
-- API's Idempotency-Key, per person.
CREATE TABLE council.submissions (
    person_id   bigint NOT NULL REFERENCES council.people (id),
    key         text NOT NULL CHECK (key ~ '^[A-Za-z0-9_-]{16,64}$'),
    post_id     bigint REFERENCES council.posts (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, key)
);

ALTER TABLE council.feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.feedback FORCE ROW LEVEL SECURITY;
ALTER TABLE council.submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.submissions FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.feedback, council.submissions TO council_app, council_writer;
GRANT INSERT ON council.feedback, council.submissions TO council_writer;
GRANT UPDATE (person_id, answer, comment, updated_at, org_class)
    ON council.feedback TO council_writer;
GRANT UPDATE (post_id) ON council.submissions TO council_writer;
GRANT SELECT ON council.feedback, council.submissions TO council_definer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA council TO council_writer, council_definer;
