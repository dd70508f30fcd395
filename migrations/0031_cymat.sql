-- 0031_cymat: support requests to CYMAT, the government's cyber incident
-- mobile assistance team (issue 13 item 7; R-CYMAT-1; seed 003 §10-15):
-- a government body requests support (normally its CISO to the team's
-- head; in an emergency its CSIRT to the team's leads); the head
-- dispatches the team, naming its members, or finds the event outside
-- its remit; the supported body reports its damage as it goes; the head
-- ends the support.  Who sees what: policy/84_cymat.sql.

-- The team (seed 003 §5-8): the head (統括責任者), managers (管理責任者),
-- leads (現場責任者) and members (要員).  Deployment data.
CREATE TYPE council.cymat_role AS ENUM ('head', 'manager', 'lead', 'member');
CREATE TABLE council.cymat_team (
    person_id  bigint PRIMARY KEY REFERENCES council.people (id),
    role       council.cymat_role NOT NULL
);

CREATE TYPE council.cymat_channel AS ENUM ('ciso', 'csirt');
CREATE TYPE council.cymat_status AS ENUM ('requested', 'dispatched', 'declined', 'closed');

CREATE TABLE council.cymat_cases (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id             bigint NOT NULL REFERENCES council.organisations (id),
    requested_by       bigint NOT NULL REFERENCES council.people (id),
    channel            council.cymat_channel NOT NULL,
    emergency          boolean NOT NULL,
    description        text NOT NULL CHECK (length(description) BETWEEN 10 AND 4000),
    wider_use_consent  boolean NOT NULL,
    status             council.cymat_status NOT NULL DEFAULT 'requested',
    decided_at         timestamptz,
    decided_by         bigint REFERENCES council.people (id),
    decision_note      text CHECK (length(decision_note) <= 2000),
    closed_at          timestamptz,
    closed_by          bigint REFERENCES council.people (id),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cymat_cases_org ON council.cymat_cases (org_id);

CREATE TABLE council.cymat_dispatch (
    case_id    bigint NOT NULL REFERENCES council.cymat_cases (id),
    person_id  bigint NOT NULL REFERENCES council.people (id),
    PRIMARY KEY (case_id, person_id)
);

CREATE TABLE council.cymat_damage_reports (
    case_id       bigint NOT NULL REFERENCES council.cymat_cases (id),
    seq           integer NOT NULL CHECK (seq >= 1),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    submitted_by  bigint NOT NULL REFERENCES council.people (id),
    PRIMARY KEY (case_id, seq)
);

ALTER TABLE council.cymat_team ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.cymat_team FORCE ROW LEVEL SECURITY;
ALTER TABLE council.cymat_cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.cymat_cases FORCE ROW LEVEL SECURITY;
ALTER TABLE council.cymat_dispatch ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.cymat_dispatch FORCE ROW LEVEL SECURITY;
ALTER TABLE council.cymat_damage_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.cymat_damage_reports FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.cymat_team, council.cymat_cases, council.cymat_dispatch,
    council.cymat_damage_reports TO council_app, council_writer, council_definer;
GRANT INSERT ON council.cymat_cases, council.cymat_dispatch, council.cymat_damage_reports
    TO council_definer;
GRANT UPDATE (status, decided_at, decided_by, decision_note, closed_at, closed_by)
    ON council.cymat_cases TO council_definer;
