-- 0026_incidents: incident reports, sent once to every authority whose
-- reporting duty applies, with statutory deadlines (issue 13 items 1-4;
-- R-NEW-3; docs/incidents.md).  The rules (which regime applies, which
-- deadlines) are versioned data here; which organisation plays which
-- authority is deployment data (deploy/demo/demo-council.sql); who sees
-- what is policy/80_incidents.sql.

-- The stages of a report (seed 001, the PPC-NISC memorandum's flow):
-- first notice (一報), preliminary (速報), final (確報).  Amendments are
-- further submissions of the stage reached.
CREATE TYPE council.incident_stage AS ENUM ('first_notice', 'preliminary', 'final');

-- The authorities a regime reports to, by kind:
--   government   the national cyber office of the basic policy (NISC)
--   ppc          the Personal Information Protection Commission
--   sector       the ministry supervising the reporter's sector
--                (council.org_supervises, R-SCOPE-2)
--   coordinator  the council's coordinator (JPCERT/CC)
CREATE TYPE council.incident_authority_kind AS ENUM ('government', 'ppc', 'sector', 'coordinator');

-- What makes a regime apply (the reporter's answers):
--   specified_operator  an operator of specified critical computers
--   personal_data       personal data is involved
--   sector              the reporter has a sector with a supervisor
--   always              any member may report (voluntary)
CREATE TYPE council.incident_trigger AS ENUM ('specified_operator', 'personal_data', 'sector', 'always');

-- A reporting regime, one row per version; the version in force is the
-- newest whose effective_from has passed.  Deadlines count from the
-- awareness time; NULL: that stage has no deadline under the regime.
-- final_unauthorised replaces final when the incident involves
-- unauthorised access (the PPC's longer term).
CREATE TABLE council.incident_regimes (
    code                text NOT NULL CHECK (code ~ '^[a-z_]+$'),
    version             integer NOT NULL CHECK (version >= 1),
    name_ja             text NOT NULL,
    name_en             text NOT NULL,
    trigger             council.incident_trigger NOT NULL,
    authority           council.incident_authority_kind NOT NULL,
    mandatory           boolean NOT NULL,
    first_notice        interval,
    preliminary         interval,
    final               interval,
    final_unauthorised  interval,
    source              text NOT NULL,
    effective_from      timestamptz NOT NULL DEFAULT '2025-01-01 00:00+09',
    PRIMARY KEY (code, version)
);

-- Which organisation plays which authority (but 'sector', read from
-- org_supervises).  Deployment data.
CREATE TABLE council.incident_authorities (
    kind    council.incident_authority_kind PRIMARY KEY
            CHECK (kind <> 'sector'),
    org_id  bigint NOT NULL REFERENCES council.organisations (id)
);

-- A report about one incident, filed by a member.  The answers decide the
-- regimes; aware_at starts every clock (UTC stored, JST shown).
CREATE TABLE council.incident_reports (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id               bigint NOT NULL REFERENCES council.organisations (id),
    created_by           bigint NOT NULL REFERENCES council.people (id),
    title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    aware_at             timestamptz NOT NULL,
    specified_operator   boolean NOT NULL,
    personal_data        boolean NOT NULL,
    unauthorised_access  boolean NOT NULL,
    sector_code          text REFERENCES council.sectors (code),
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_reports_org ON council.incident_reports (org_id);

-- Each submission: a stage, or an amendment of the stage reached.  body is
-- the report's content as of then (policy/80_incidents.sql,
-- council.incident_body_check: its keys and limits).
CREATE TABLE council.incident_submissions (
    report_id     bigint NOT NULL REFERENCES council.incident_reports (id),
    seq           integer NOT NULL CHECK (seq >= 1),
    stage         council.incident_stage NOT NULL,
    amendment     boolean NOT NULL,
    body          jsonb NOT NULL,
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    submitted_by  bigint NOT NULL REFERENCES council.people (id),
    PRIMARY KEY (report_id, seq)
);

-- One report, delivered to each authority the reporter confirmed, under
-- the regime (and its version) that applied; the authority acknowledges.
CREATE TABLE council.incident_deliveries (
    report_id        bigint NOT NULL REFERENCES council.incident_reports (id),
    authority_org_id bigint NOT NULL REFERENCES council.organisations (id),
    regime_code      text NOT NULL,
    regime_version   integer NOT NULL,
    delivered_at     timestamptz NOT NULL DEFAULT now(),
    acknowledged_at  timestamptz,
    acknowledged_by  bigint REFERENCES council.people (id),
    PRIMARY KEY (report_id, regime_code, authority_org_id),
    FOREIGN KEY (regime_code, regime_version)
        REFERENCES council.incident_regimes (code, version)
);
CREATE INDEX incident_deliveries_authority ON council.incident_deliveries (authority_org_id);

-- The regimes (docs/incidents.md says why these numbers).
INSERT INTO council.incident_regimes (code, version, name_ja, name_en, trigger, authority,
    mandatory, first_notice, preliminary, final, final_unauthorised, source)
VALUES
    ('basic_policy', 1, '特定侵害事象等の報告（基本方針）',
     'Specified intrusion events (basic policy)', 'specified_operator', 'government', true,
     interval '24 hours', interval '72 hours', interval '30 days', NULL,
     'seed 002 ch. 4 §2(2): deadlines set after foreign examples (EU NIS2 Art. 23: 24 h, 72 h, one month)'),
    ('ppc_breach', 1, '個人データの漏えい等の報告（個人情報保護委員会）',
     'Personal data breach (Personal Information Protection Commission)', 'personal_data', 'ppc', true,
     interval '1 day', interval '5 days', interval '30 days', interval '60 days',
     'seed 001: first notice 0-1 day, preliminary 3-5 days, final within 60 days (unauthorised access; 30 days otherwise, APPI Enforcement Rules Art. 8)'),
    ('sector', 1, '所管省庁への報告（業法等）', 'Sector ministry (sector laws)', 'sector', 'sector', true,
     interval '1 day', NULL, interval '30 days', NULL,
     'seed 000 Art. 4(1), seed 001: the bodies concerned; a first notice at once, a final report'),
    ('voluntary', 1, '任意の報告（調整機関）', 'Voluntary report (coordinator)', 'always', 'coordinator', false,
     NULL, NULL, NULL, NULL,
     'Rules Art. 20: any member may report through the council');

ALTER TABLE council.incident_regimes ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.incident_regimes FORCE ROW LEVEL SECURITY;
ALTER TABLE council.incident_authorities ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.incident_authorities FORCE ROW LEVEL SECURITY;
ALTER TABLE council.incident_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.incident_reports FORCE ROW LEVEL SECURITY;
ALTER TABLE council.incident_submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.incident_submissions FORCE ROW LEVEL SECURITY;
ALTER TABLE council.incident_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.incident_deliveries FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.incident_regimes, council.incident_authorities,
    council.incident_reports, council.incident_submissions, council.incident_deliveries
    TO council_app, council_writer, council_definer;
GRANT INSERT ON council.incident_reports, council.incident_submissions,
    council.incident_deliveries TO council_definer;
GRANT UPDATE (acknowledged_at, acknowledged_by) ON council.incident_deliveries TO council_definer;
