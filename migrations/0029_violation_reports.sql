-- 0029_violation_reports: a member reports a suspected leak, scope breach
-- or misuse to the general-affairs secretariat (issue 13 item 8; R-VIOL-1,
-- Rules Art. 29), naming the posts it can; the secretariat opens a
-- recorded access case from it (R-ORG-6) to read exactly those posts, and
-- closes the report with its outcome.  Who sees what: policy/82_violations.sql.

CREATE TYPE council.violation_kind AS ENUM ('leak', 'scope_breach', 'misuse');

CREATE TABLE council.violation_reports (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint NOT NULL REFERENCES council.organisations (id),
    created_by      bigint NOT NULL REFERENCES council.people (id),
    kind            council.violation_kind NOT NULL,
    subject_org_id  bigint REFERENCES council.organisations (id),
    description     text NOT NULL CHECK (length(description) BETWEEN 10 AND 4000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    access_case_id  bigint REFERENCES council.access_cases (id),
    closed_at       timestamptz,
    closed_by       bigint REFERENCES council.people (id),
    outcome         text CHECK (length(outcome) <= 2000),
    CHECK ((closed_at IS NULL) = (closed_by IS NULL))
);
CREATE INDEX violation_reports_org ON council.violation_reports (org_id);

CREATE TABLE council.violation_report_posts (
    report_id  bigint NOT NULL REFERENCES council.violation_reports (id),
    post_id    bigint NOT NULL REFERENCES council.posts (id),
    PRIMARY KEY (report_id, post_id)
);

ALTER TABLE council.violation_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.violation_reports FORCE ROW LEVEL SECURITY;
ALTER TABLE council.violation_report_posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.violation_report_posts FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.violation_reports, council.violation_report_posts
    TO council_app, council_writer, council_definer;
GRANT INSERT ON council.violation_reports, council.violation_report_posts TO council_definer;
GRANT UPDATE (access_case_id, closed_at, closed_by, outcome) ON council.violation_reports
    TO council_definer;
