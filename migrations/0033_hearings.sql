-- 0033_hearings: joint hearings of a reporter (issue 13 item 6; R-NEW-3;
-- docs/incidents.md "Joint hearings").  An authority that received an
-- incident report asks the reporter for a hearing; with the reporter's
-- consent, given for each of them, other authorities that received the
-- report join it; the record of the hearing is shared among those who
-- take part, the reporter and the coordinator (seed 000 Art. 4(2)(1),
-- (2): "with the consent of the reporter, hearings and other necessary
-- inquiries are made jointly", their results shared; seed 001: a
-- voluntary hearing, jointly with the reporter's agreement).  Who sees
-- what: policy/85_hearings.sql.

-- A hearing's course:
--   requested  asked by an authority, waiting for the reporter's answer
--   consented  the reporter agreed (the hearing is on; the record opens)
--   declined   the reporter refused the hearing altogether (voluntary)
--   held       it took place; the requesting authority closed the record
--   cancelled  the requesting authority withdrew it before it was held
CREATE TYPE council.hearing_status AS ENUM ('requested', 'consented', 'declined', 'held', 'cancelled');

-- The reporter's answer for one other authority invited to join:
--   asked      not yet answered (the authority sees nothing of the hearing)
--   consented  may join (it sees the hearing; the record once it joins)
--   refused    may not (it sees nothing of the hearing, as before)
CREATE TYPE council.hearing_consent AS ENUM ('asked', 'consented', 'refused');

-- A hearing asked of the reporter of one report by one authority the
-- report was delivered to (org_id).  proposed_at: when the authority
-- proposes to hold it (UTC stored, JST shown); note: the reporter's
-- reason when it declines, or the requester's word when it closes.
CREATE TABLE council.incident_hearings (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id     bigint NOT NULL REFERENCES council.incident_reports (id),
    org_id        bigint NOT NULL REFERENCES council.organisations (id),
    requested_by  bigint NOT NULL REFERENCES council.people (id),
    subject       text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    agenda        text NOT NULL DEFAULT '' CHECK (length(agenda) <= 4000),
    proposed_at   timestamptz NOT NULL,
    status        council.hearing_status NOT NULL DEFAULT 'requested',
    answered_at   timestamptz,
    answered_by   bigint REFERENCES council.people (id),
    closed_at     timestamptz,
    closed_by     bigint REFERENCES council.people (id),
    note          text CHECK (length(note) <= 2000),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_hearings_report ON council.incident_hearings (report_id);

-- The other authorities invited to join a hearing (never its requester),
-- each with the reporter's answer; one that was consented and joined
-- takes part (joined_at).
CREATE TABLE council.incident_hearing_parties (
    hearing_id    bigint NOT NULL REFERENCES council.incident_hearings (id),
    org_id        bigint NOT NULL REFERENCES council.organisations (id),
    invited_at    timestamptz NOT NULL DEFAULT now(),
    invited_by    bigint NOT NULL REFERENCES council.people (id),
    consent       council.hearing_consent NOT NULL DEFAULT 'asked',
    answered_at   timestamptz,
    answered_by   bigint REFERENCES council.people (id),
    joined_at     timestamptz,
    joined_by     bigint REFERENCES council.people (id),
    PRIMARY KEY (hearing_id, org_id),
    CHECK (joined_at IS NULL OR consent = 'consented')
);
CREATE INDEX incident_hearing_parties_org ON council.incident_hearing_parties (org_id);

-- The record: notes written by the authorities that take part, in order.
CREATE TABLE council.incident_hearing_notes (
    hearing_id  bigint NOT NULL REFERENCES council.incident_hearings (id),
    seq         integer NOT NULL CHECK (seq >= 1),
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    written_at  timestamptz NOT NULL DEFAULT now(),
    written_by  bigint NOT NULL REFERENCES council.people (id),
    PRIMARY KEY (hearing_id, seq)
);

ALTER TABLE council.incident_hearings ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.incident_hearings FORCE ROW LEVEL SECURITY;
ALTER TABLE council.incident_hearing_parties ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.incident_hearing_parties FORCE ROW LEVEL SECURITY;
ALTER TABLE council.incident_hearing_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.incident_hearing_notes FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.incident_hearings, council.incident_hearing_parties,
    council.incident_hearing_notes TO council_app, council_writer, council_definer;
GRANT INSERT ON council.incident_hearings, council.incident_hearing_parties,
    council.incident_hearing_notes TO council_definer;
GRANT UPDATE (status, answered_at, answered_by, closed_at, closed_by, note)
    ON council.incident_hearings TO council_definer;
GRANT UPDATE (consent, answered_at, answered_by, joined_at, joined_by)
    ON council.incident_hearing_parties TO council_definer;
