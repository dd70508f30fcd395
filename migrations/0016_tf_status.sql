-- 0016_tf_status: joining the task force and keeping one's place in it
-- (issue 5; R-TF-3, R-TF-4, R-TF-5, R-TF-9).
--
-- A TF decision is a poll of the Type 1 group (R-TF-2): on one member,
-- 'admission' (it applied for Type 1 or Type 2, R-TF-3) or 'revocation'
-- (a status review found its contribution below the thresholds, R-TF-5);
-- or 'rules_amendment', the whole new text of a document the task force
-- owns (its rules, R-TF-9), against the version in force.  Counted under
-- the TF's own rule, stored as data: decision_rules 'tf.admission'
-- (migration 0011), for every kind.  An applicant under
-- R-TF-4 (foreign status without the steering committee's special
-- approval) is refused at once: status 'refused', with the reason.
CREATE TABLE council.tf_decisions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('admission', 'revocation', 'rules_amendment')),
    org_id       bigint REFERENCES council.organisations (id),
    tf_class     council.tf_class CHECK (tf_class IN ('type1', 'type2')),
    document_id  bigint REFERENCES council.documents (id),
    base_version integer CHECK (base_version >= 1),
    proposed_text text CHECK (length(proposed_text) BETWEEN 1 AND 500000),
    statement    text NOT NULL DEFAULT '' CHECK (length(statement) <= 4000),
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('refused', 'pending', 'open', 'passed', 'failed')),
    refusal      text CHECK (length(refusal) <= 400),
    review_id    bigint,
    created_by   bigint NOT NULL REFERENCES council.people (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    rule_id      bigint REFERENCES council.decision_rules (id),
    opened_by    bigint REFERENCES council.people (id),
    opened_at    timestamptz,
    closes_at    timestamptz,
    closed_at    timestamptz,
    result       jsonb,
    CHECK ((status = 'refused') = (refusal IS NOT NULL)),
    CHECK (status IN ('refused', 'pending') OR num_nulls(rule_id, opened_by, opened_at, closes_at) = 0),
    CHECK ((status IN ('passed', 'failed')) = (closed_at IS NOT NULL AND result IS NOT NULL)),
    CHECK ((kind = 'revocation') = (review_id IS NOT NULL)),
    CHECK ((kind = 'rules_amendment')
           = (org_id IS NULL AND tf_class IS NULL AND document_id IS NOT NULL
              AND base_version IS NOT NULL AND proposed_text IS NOT NULL)),
    CHECK (kind = 'rules_amendment' OR (org_id IS NOT NULL AND tf_class IS NOT NULL
                                        AND num_nulls(document_id, base_version, proposed_text) = 3))
);
-- One decision under way per member.
CREATE UNIQUE INDEX tf_decisions_one ON council.tf_decisions (org_id)
    WHERE status IN ('pending', 'open');
CREATE INDEX tf_decisions_due ON council.tf_decisions (closes_at) WHERE status = 'open';

-- Every version of every Type 1 group organisation's vote.
CREATE TABLE council.tf_ballots (
    decision_id  bigint NOT NULL REFERENCES council.tf_decisions (id),
    org_id       bigint NOT NULL REFERENCES council.organisations (id),
    version      integer NOT NULL CHECK (version >= 1),
    choice       council.sc_choice NOT NULL,
    person_id    bigint NOT NULL REFERENCES council.people (id),
    cast_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (decision_id, org_id, version)
);

-- R-TF-5: what each class must contribute, as versioned data (the TF's
-- own rules, R-TF-9): over the review's period, a Type 1 member gives at
-- least type1_min_originals original posts; a Type 2 member answers at
-- least type2_min_on_time of the feedback it owed on time (a fraction
-- num/den; 0 owed counts as meeting it).
CREATE TABLE council.tf_thresholds (
    version              integer PRIMARY KEY CHECK (version >= 1),
    type1_min_originals  integer NOT NULL CHECK (type1_min_originals >= 0),
    type2_on_time_num    integer NOT NULL CHECK (type2_on_time_num >= 0),
    type2_on_time_den    integer NOT NULL CHECK (type2_on_time_den >= 1),
    source               text NOT NULL,
    effective_from       timestamptz NOT NULL DEFAULT now(),
    CHECK (type2_on_time_num <= type2_on_time_den)
);
INSERT INTO council.tf_thresholds VALUES
    (1, 1, 1, 2, 'TF decision (demo): Type 1 one original post, Type 2 half of its feedback on time, per review period',
     '2019-04-01 00:00+09');

-- A periodic status review (R-TF-5): the figures of every TF member over
-- the period, against the thresholds in force; lines is the snapshot.
CREATE TABLE council.tf_reviews (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period_from     timestamptz NOT NULL,
    period_to       timestamptz NOT NULL,
    threshold_version integer NOT NULL REFERENCES council.tf_thresholds (version),
    opened_by       bigint NOT NULL REFERENCES council.people (id),
    opened_at       timestamptz NOT NULL DEFAULT now(),
    lines           jsonb NOT NULL,
    CHECK (period_from < period_to)
);
ALTER TABLE council.tf_decisions
    ADD FOREIGN KEY (review_id) REFERENCES council.tf_reviews (id);

-- R-TF-4: the steering committee's special approval of a foreign member.
ALTER TYPE council.sc_motion_kind ADD VALUE IF NOT EXISTS 'foreign_approval';
ALTER TABLE council.sc_motions DROP CONSTRAINT sc_motions_check;
ALTER TABLE council.sc_motions ADD CONSTRAINT sc_motions_subject CHECK (
    (kind::text IN ('admission', 'refusal', 'expulsion', 'restriction', 'lift_restriction',
                    'foreign_approval') AND subject_org_id IS NOT NULL)
    OR (kind::text = 'cooperation_request'
        AND (coop_trigger <> 'member_consent' OR subject_org_id IS NOT NULL))
    OR (kind::text IN ('annex1_amendment', 'referral', 'other') AND subject_org_id IS NULL));

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tf_decisions', 'tf_ballots', 'tf_thresholds', 'tf_reviews'] LOOP
        EXECUTE format('ALTER TABLE council.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE council.%I FORCE ROW LEVEL SECURITY', t);
    END LOOP;
END $$;
GRANT SELECT ON council.tf_decisions, council.tf_ballots, council.tf_thresholds,
    council.tf_reviews TO council_app, council_writer;
GRANT SELECT, INSERT ON council.tf_decisions, council.tf_ballots, council.tf_reviews
    TO council_definer;
GRANT SELECT ON council.tf_thresholds TO council_definer;
GRANT UPDATE (status, rule_id, opened_by, opened_at, closes_at, closed_at, result)
    ON council.tf_decisions TO council_definer;
GRANT UPDATE (tf_class, foreign_approved) ON council.organisations TO council_definer;

-- A version the task force adopted names its decision.
ALTER TABLE council.document_versions
    ADD COLUMN adopted_by_tf bigint REFERENCES council.tf_decisions (id);
GRANT INSERT (adopted_by_tf) ON council.document_versions TO council_definer;
