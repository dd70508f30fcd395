-- 0011_rules: the council's decision rules and texts as versioned data
-- (issue 5, docs/governance.md).  Every result of a vote names the rule
-- version it was counted under, with its numerator and denominator.

-- Who decides, and whose texts they own (R-GOV-1, R-GOV-5, R-TF-9).
CREATE TYPE council.gov_body AS ENUM ('general_assembly', 'steering_committee', 'task_force');

-- What a count is taken over.
--   all_members          every member organisation (one vote each, R-GOV-3)
--   attending            members present or represented by proxy (R-GOV-4)
--   committee_seats      every steering-committee seat (R-GOV-5)
--   committee_entitled   the seats entitled to vote on the item: minus those
--                        who declared a special interest (R-GOV-5)
--   committee_present    the entitled seats present
--   type1_group          JPCERT/CC and the Type 1 members (R-TF-2)
CREATE TYPE council.count_base AS ENUM ('all_members', 'attending', 'committee_seats',
    'committee_entitled', 'committee_present', 'type1_group');

-- A threshold: count cmp num/den of base.  ">" 1/2 is "a majority";
-- ">=" 3/4 is "at least three quarters"; ">=" 1/1 is unanimity.
CREATE TYPE council.threshold_cmp AS ENUM ('>', '>=');

CREATE TYPE council.veto_kind AS ENUM ('none', 'all_committee_against');

-- A decision rule, one row per version.  code names the decision
-- ("ga.resolution", "sc.ordinary", "sc.expulsion", "sc.restriction",
-- "tf.admission"); the row in force is the newest whose effective_from has
-- passed.  A new version is a new row, adopted by a resolution.
CREATE TABLE council.decision_rules (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL CHECK (code ~ '^[a-z]+\.[a-z_]+$'),
    version         integer NOT NULL CHECK (version >= 1),
    body            council.gov_body NOT NULL,
    quorum_base     council.count_base,
    quorum_cmp      council.threshold_cmp,
    quorum_num      integer CHECK (quorum_num >= 0),
    quorum_den      integer CHECK (quorum_den >= 1),
    pass_base       council.count_base NOT NULL,
    pass_cmp        council.threshold_cmp NOT NULL,
    pass_num        integer NOT NULL CHECK (pass_num >= 0),
    pass_den        integer NOT NULL CHECK (pass_den >= 1),
    veto            council.veto_kind NOT NULL DEFAULT 'none',
    source          text NOT NULL,          -- the article it states
    effective_from  timestamptz NOT NULL DEFAULT now(),
    adopted_by      bigint,                 -- the resolution (NULL: the founding text)
    UNIQUE (code, version),
    CHECK (num_nulls(quorum_base, quorum_cmp, quorum_num, quorum_den) IN (0, 4)),
    CHECK (pass_num <= pass_den AND (quorum_num IS NULL OR quorum_num <= quorum_den))
);

-- The council's texts (the Rules, Annex 1, the information-management
-- regulation, the TF rules), each version kept; owner is the body whose
-- resolution amends it (docs/governance.md).
CREATE TABLE council.documents (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    title_ja    text NOT NULL,
    title_en    text NOT NULL,
    owner       council.gov_body NOT NULL
);
CREATE TABLE council.document_versions (
    document_id     bigint NOT NULL REFERENCES council.documents (id),
    version         integer NOT NULL CHECK (version >= 1),
    body            text NOT NULL CHECK (length(body) <= 500000),
    effective_from  timestamptz NOT NULL DEFAULT now(),
    adopted_by      bigint,                 -- the resolution (NULL: founding)
    PRIMARY KEY (document_id, version)
);

INSERT INTO council.decision_rules (code, version, body, quorum_base, quorum_cmp,
    quorum_num, quorum_den, pass_base, pass_cmp, pass_num, pass_den, veto, source)
VALUES
    -- R-GOV-3, R-GOV-4: quorum a majority of ALL votes present or by proxy;
    -- passes with a majority of the attending, unless every committee
    -- member entitled to vote voted against.
    ('ga.resolution', 1, 'general_assembly', 'all_members', '>', 1, 2,
     'attending', '>', 1, 2, 'all_committee_against', 'Rules Art. 10(4)-(6)'),
    -- R-GOV-5: quorum a majority of the members; a majority of those present.
    ('sc.ordinary', 1, 'steering_committee', 'committee_seats', '>', 1, 2,
     'committee_present', '>', 1, 2, 'none', 'Rules Art. 11(5)-(7)'),
    -- R-GOV-6: the consent of ALL committee members (entitled to vote).
    ('sc.expulsion', 1, 'steering_committee', 'committee_seats', '>', 1, 2,
     'committee_entitled', '>=', 1, 1, 'none', 'Rules Art. 8(1)'),
    -- R-GOV-7: at least three quarters of the committee members.
    ('sc.restriction', 1, 'steering_committee', 'committee_seats', '>', 1, 2,
     'committee_entitled', '>=', 3, 4, 'none', 'Rules Art. 8(2)'),
    -- R-TF-3: the Type 1 group decides admissions (TF rule, stored as data).
    ('tf.admission', 1, 'task_force', 'type1_group', '>', 1, 2,
     'attending', '>', 1, 2, 'none', 'TF Rules Art. 3');

ALTER TABLE council.decision_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.decision_rules FORCE ROW LEVEL SECURITY;
ALTER TABLE council.documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.documents FORCE ROW LEVEL SECURITY;
ALTER TABLE council.document_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.document_versions FORCE ROW LEVEL SECURITY;
GRANT SELECT ON council.decision_rules, council.documents, council.document_versions
    TO council_app, council_writer, council_definer;
