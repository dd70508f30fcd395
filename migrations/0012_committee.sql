-- 0012_committee: the steering committee (運営委員会) online: motions, the
-- seats frozen when a poll opens, special-interest declarations, electronic
-- presence, ballots (every version kept), chair rejections, and requests
-- for cooperation with the posts that answer them (issue 5; R-GOV-5..8,
-- R-RESTRICT-1, R-COOP-1, R-ORG-2).  Functions and policies:
-- policy/70_committee.sql.  Design: docs/governance.md, "Steering committee".

-- R-GOV-5 (Art. 11(3)): what the committee decides.
CREATE TYPE council.sc_motion_kind AS ENUM ('admission', 'refusal', 'expulsion',
    'restriction', 'lift_restriction', 'cooperation_request', 'annex1_amendment',
    'referral', 'other');

-- draft -> open -> passed | failed; passed -> rejected_by_chair (R-GOV-5).
CREATE TYPE council.sc_motion_status AS ENUM ('draft', 'open', 'passed', 'failed',
    'rejected_by_chair');

CREATE TYPE council.sc_choice AS ENUM ('yes', 'no', 'abstain');

-- R-COOP-1 (Rules Art. 23(1)): the only two grounds for a request.
CREATE TYPE council.coop_trigger AS ENUM ('large_scale_attack', 'member_consent');

CREATE TABLE council.sc_motions (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                council.sc_motion_kind NOT NULL,
    title               text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    body                text NOT NULL DEFAULT '' CHECK (length(body) <= 100000),
    -- The member the motion is about (admission, refusal, expulsion,
    -- restriction, lifting it; the consenting member of a request).
    subject_org_id      bigint REFERENCES council.organisations (id),
    -- Which decision rule counts it (R-GOV-6, R-GOV-7, R-GOV-5); the
    -- version is the one in force when the poll opens (rule_id).
    rule_code           text NOT NULL GENERATED ALWAYS AS (CASE kind
                            WHEN 'expulsion' THEN 'sc.expulsion'
                            WHEN 'restriction' THEN 'sc.restriction'
                            ELSE 'sc.ordinary' END) STORED,
    rule_id             bigint REFERENCES council.decision_rules (id),
    -- R-ORG-2: a refusal's reason, which may be withheld from the applicant.
    refusal_reason      text CHECK (length(refusal_reason) <= 4000),
    reason_withheld     boolean NOT NULL DEFAULT false,
    -- R-COOP-1: the request the committee is asked to issue.
    coop_trigger        council.coop_trigger,
    coop_purpose        text CHECK (length(coop_purpose) <= 4000),
    coop_scope          text CHECK (length(coop_scope) <= 4000),
    status              council.sc_motion_status NOT NULL DEFAULT 'draft',
    created_by          bigint NOT NULL REFERENCES council.people (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    opened_by           bigint REFERENCES council.people (id),
    opened_at           timestamptz,
    closes_at           timestamptz,
    closed_at           timestamptz,
    -- The quorum as it stood when the poll opened (frozen: docs/governance.md).
    quorum_open         jsonb,
    -- The count, as docs/governance.md describes it; and what it did.
    result              jsonb,
    effect              jsonb,
    -- R-GOV-5: the chair may reject a passed resolution until then.
    chair_window_ends   timestamptz,
    rejected_by         bigint REFERENCES council.people (id),
    rejected_at         timestamptz,
    rejection_reason    text CHECK (length(rejection_reason) <= 4000),
    CHECK ((kind IN ('admission', 'refusal', 'expulsion', 'restriction',
                     'lift_restriction') AND subject_org_id IS NOT NULL)
        OR (kind = 'cooperation_request'
            AND (coop_trigger <> 'member_consent' OR subject_org_id IS NOT NULL))
        OR (kind IN ('annex1_amendment', 'referral', 'other') AND subject_org_id IS NULL)),
    CHECK ((kind = 'refusal') = (refusal_reason IS NOT NULL)),
    CHECK (kind = 'refusal' OR NOT reason_withheld),
    CHECK ((kind = 'cooperation_request')
           = (coop_trigger IS NOT NULL AND coop_purpose IS NOT NULL AND coop_scope IS NOT NULL)),
    CHECK (kind = 'cooperation_request'
           OR num_nulls(coop_trigger, coop_purpose, coop_scope) = 3),
    CHECK (status = 'draft'
           OR num_nulls(rule_id, opened_by, opened_at, closes_at, quorum_open) = 0),
    CHECK (status IN ('draft', 'open')
           OR num_nulls(closed_at, result, effect, chair_window_ends) = 0),
    CHECK ((status = 'rejected_by_chair')
           = (num_nulls(rejected_by, rejected_at, rejection_reason) = 0))
);
CREATE INDEX sc_motions_due ON council.sc_motions (closes_at) WHERE status = 'open';
CREATE INDEX sc_motions_subject ON council.sc_motions (subject_org_id)
    WHERE subject_org_id IS NOT NULL;

-- R-GOV-5: a special interest, declared by the member before the poll opens.
CREATE TABLE council.sc_interests (
    motion_id   bigint NOT NULL REFERENCES council.sc_motions (id),
    person_id   bigint NOT NULL REFERENCES council.people (id),
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 4000),
    declared_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (motion_id, person_id)
);

-- The committee as it was when the poll opened: one row per seat
-- (council.committee_members), with its special interest: declared, or
-- "subject" (its organisation is the motion's subject, R-GOV-6).
CREATE TABLE council.sc_seats (
    motion_id         bigint NOT NULL REFERENCES council.sc_motions (id),
    person_id         bigint NOT NULL REFERENCES council.people (id),
    org_id            bigint NOT NULL REFERENCES council.organisations (id),
    is_chair          boolean NOT NULL,
    special_interest  text CHECK (special_interest IN ('declared', 'subject')),
    PRIMARY KEY (motion_id, person_id)
);

-- Electronic presence: whether the member is present now (draft or open).
-- Every change is an audit row.
CREATE TABLE council.sc_presence (
    motion_id   bigint NOT NULL REFERENCES council.sc_motions (id),
    person_id   bigint NOT NULL REFERENCES council.people (id),
    present     boolean NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (motion_id, person_id)
);

-- Ballots: a changed vote is a new version; the highest version counts.
CREATE TABLE council.sc_ballots (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    motion_id   bigint NOT NULL REFERENCES council.sc_motions (id),
    person_id   bigint NOT NULL REFERENCES council.people (id),
    version     integer NOT NULL CHECK (version >= 1),
    choice      council.sc_choice NOT NULL,
    cast_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (motion_id, person_id, version)
);

-- R-COOP-1: a request for cooperation exists only as the effect of a passed
-- cooperation_request motion (one per motion).  addressee_org_id NULL: every
-- member (a large-scale attack); otherwise the member asked.
CREATE TABLE council.coop_requests (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    motion_id         bigint NOT NULL UNIQUE REFERENCES council.sc_motions (id),
    trigger           council.coop_trigger NOT NULL,
    purpose           text NOT NULL CHECK (length(btrim(purpose)) BETWEEN 1 AND 4000),
    scope             text NOT NULL CHECK (length(btrim(scope)) BETWEEN 1 AND 4000),
    addressee_org_id  bigint REFERENCES council.organisations (id),
    issued_at         timestamptz NOT NULL DEFAULT now(),
    withdrawn_at      timestamptz,
    CHECK (trigger <> 'member_consent' OR addressee_org_id IS NOT NULL)
);

-- A member's answer: one of its own posts, linked to the request.
CREATE TABLE council.coop_answers (
    request_id  bigint NOT NULL REFERENCES council.coop_requests (id),
    post_id     bigint NOT NULL REFERENCES council.posts (id),
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    person_id   bigint NOT NULL REFERENCES council.people (id),
    linked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, post_id)
);
CREATE INDEX coop_answers_org ON council.coop_answers (org_id, request_id);

ALTER TABLE council.sc_motions ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.sc_motions FORCE ROW LEVEL SECURITY;
ALTER TABLE council.sc_interests ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.sc_interests FORCE ROW LEVEL SECURITY;
ALTER TABLE council.sc_seats ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.sc_seats FORCE ROW LEVEL SECURITY;
ALTER TABLE council.sc_presence ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.sc_presence FORCE ROW LEVEL SECURITY;
ALTER TABLE council.sc_ballots ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.sc_ballots FORCE ROW LEVEL SECURITY;
ALTER TABLE council.coop_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.coop_requests FORCE ROW LEVEL SECURITY;
ALTER TABLE council.coop_answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.coop_answers FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.sc_motions, council.sc_interests, council.sc_seats,
    council.sc_presence, council.sc_ballots, council.coop_requests, council.coop_answers
    TO council_app, council_writer, council_definer;
-- What a member does itself (council_writer, under the caller's policies).
GRANT INSERT ON council.sc_motions, council.sc_interests, council.sc_presence,
    council.sc_ballots, council.coop_answers TO council_writer;
GRANT UPDATE (present, changed_at) ON council.sc_presence TO council_writer;
-- What the committee's count does (council_definer: open, close, effects,
-- the chair's rejection); never a motion's text, kind or author.
GRANT UPDATE (status, rule_id, opened_by, opened_at, closes_at, quorum_open, closed_at,
              result, effect, chair_window_ends, rejected_by, rejected_at, rejection_reason)
    ON council.sc_motions TO council_definer;
GRANT INSERT ON council.sc_seats, council.coop_requests TO council_definer;
GRANT UPDATE (withdrawn_at) ON council.coop_requests TO council_definer;
GRANT UPDATE (status, restricted) ON council.organisations TO council_definer;
GRANT INSERT ON council.org_status_history TO council_definer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA council TO council_writer, council_definer;
