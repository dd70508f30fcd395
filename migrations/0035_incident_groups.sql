-- 0035_incident_groups: per-incident groups (issue 13 item 10; R-NEW-2,
-- R-NEW-3, R-SCOPE-4; docs/incidents.md "Per-incident groups").  An
-- authority the report was delivered to, or the coordinator, opens a
-- group of kind 'incident' from a report; its first members are the
-- organisation that opened it (the owner) and the reporter's.  Every
-- other member is proposed by the owner and added only when the reporter
-- consents to it, one by one.  Who sees what: policy/88_incident_groups.sql.

-- The report a group of kind 'incident' was opened from (one report, any
-- number of groups).
CREATE TABLE council.incident_groups (
    group_id   bigint PRIMARY KEY REFERENCES council.groups (id),
    report_id  bigint NOT NULL REFERENCES council.incident_reports (id),
    opened_by  bigint NOT NULL REFERENCES council.people (id),
    opened_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_groups_report ON council.incident_groups (report_id);

-- The reporter's answer for one organisation proposed as a member:
--   pending  not yet answered (the organisation is no member and sees nothing)
--   granted  the reporter consented: the organisation was added
--   refused  the reporter refused: final, never a member through this group
CREATE TYPE council.incident_group_consent AS ENUM ('pending', 'granted', 'refused');

-- One proposal per group and organisation; a granted member the owner
-- later removed may be proposed again (the row returns to pending: the
-- reporter is asked again).
CREATE TABLE council.incident_group_proposals (
    group_id     bigint NOT NULL REFERENCES council.incident_groups (group_id),
    org_id       bigint NOT NULL REFERENCES council.organisations (id),
    proposed_by  bigint NOT NULL REFERENCES council.people (id),
    proposed_at  timestamptz NOT NULL DEFAULT now(),
    status       council.incident_group_consent NOT NULL DEFAULT 'pending',
    decided_at   timestamptz,
    decided_by   bigint REFERENCES council.people (id),
    PRIMARY KEY (group_id, org_id),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK ((decided_at IS NULL) = (decided_by IS NULL))
);
CREATE INDEX incident_group_proposals_org ON council.incident_group_proposals (org_id);

ALTER TABLE council.incident_groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.incident_groups FORCE ROW LEVEL SECURITY;
ALTER TABLE council.incident_group_proposals ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.incident_group_proposals FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.incident_groups, council.incident_group_proposals
    TO council_app, council_writer, council_definer;
GRANT INSERT ON council.incident_groups, council.incident_group_proposals TO council_definer;
GRANT UPDATE (proposed_by, proposed_at, status, decided_at, decided_by)
    ON council.incident_group_proposals TO council_definer;
