-- 0013_assembly: the virtual general assembly (総会) (issue 5, R-GOV-1..4,
-- R-GOV-8; docs/governance.md, "General assembly").  The functions that
-- write these tables, and their policies, are in policy/71_assembly.sql.
-- Never edit this file once landed: add a new migration instead.

-- R-GOV-1: an ordinary session (at least yearly) or an extraordinary one
-- (when the steering committee decides).
CREATE TYPE council.ga_kind AS ENUM ('ordinary', 'extraordinary');
CREATE TYPE council.ga_status AS ENUM ('convened', 'closed');
-- R-GOV-1: what the general assembly may take up.
CREATE TYPE council.ga_item_kind AS ENUM ('rule_amendment', 'regulation_amendment',
    'report', 'referred_item');
--   pending    not yet put to the vote (a report is never put to the vote)
--   open       the poll is open until closes_at
--   closed     counted: result holds the count
--   heard      a report, when the assembly closed
--   not_taken  an item never put to the vote before the assembly closed
CREATE TYPE council.ga_item_status AS ENUM ('pending', 'open', 'closed', 'heard', 'not_taken');
CREATE TYPE council.ga_choice AS ENUM ('yes', 'no', 'abstain');
-- Who cast a ballot for its organisation: its representative, the
-- representative of the member holding its proxy, or the chair holding it.
CREATE TYPE council.ga_capacity AS ENUM ('representative', 'proxy', 'chair');
-- How an organisation attended a count: present, or represented by a proxy
-- held by a present member or by the chair (R-GOV-3).
CREATE TYPE council.ga_attendance_kind AS ENUM ('present', 'proxy', 'chair_proxy');

-- A session of the general assembly.  sc_motion_id names the steering
-- committee's resolution (a passed motion, migration 0012) that called an
-- extraordinary session (R-GOV-1).
CREATE TABLE council.ga_assemblies (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          council.ga_kind NOT NULL,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    starts_at     timestamptz NOT NULL,
    sc_motion_id  bigint REFERENCES council.sc_motions (id),
    status        council.ga_status NOT NULL DEFAULT 'convened',
    convened_by   bigint NOT NULL REFERENCES council.people (id),
    convened_at   timestamptz NOT NULL DEFAULT now(),
    closed_by     bigint REFERENCES council.people (id),
    closed_at     timestamptz,
    CHECK (kind = 'ordinary' OR sc_motion_id IS NOT NULL),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);

-- The agenda, fixed by the notice.  A referred item names the committee's
-- passed referral motion (R-GOV-1).  An amendment names a document the
-- general assembly owns, the version it amends and the proposed text; when
-- it passes, the text becomes the document's next version (adopted_version,
-- document_versions.adopted_by = this item's id).
CREATE TABLE council.ga_items (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assembly_id      bigint NOT NULL REFERENCES council.ga_assemblies (id),
    position         integer NOT NULL CHECK (position BETWEEN 1 AND 50),
    kind             council.ga_item_kind NOT NULL,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary          text NOT NULL DEFAULT '' CHECK (length(summary) <= 20000),
    document_id      bigint REFERENCES council.documents (id),
    base_version     integer CHECK (base_version >= 0),
    proposed_text    text CHECK (length(proposed_text) BETWEEN 1 AND 500000),
    sc_motion_id     bigint REFERENCES council.sc_motions (id),
    status           council.ga_item_status NOT NULL DEFAULT 'pending',
    rule_id          bigint REFERENCES council.decision_rules (id),
    opened_by        bigint REFERENCES council.people (id),
    opened_at        timestamptz,
    closes_at        timestamptz,
    quorum_open_num  integer,
    quorum_open_den  integer,
    closed_at        timestamptz,
    result           jsonb,
    adopted_version  integer,
    UNIQUE (assembly_id, position),
    CHECK ((kind IN ('rule_amendment', 'regulation_amendment'))
           = (document_id IS NOT NULL AND base_version IS NOT NULL AND proposed_text IS NOT NULL)),
    CHECK ((kind IN ('rule_amendment', 'regulation_amendment'))
           OR num_nulls(document_id, base_version, proposed_text) = 3),
    CHECK ((kind = 'referred_item') = (sc_motion_id IS NOT NULL)),
    CHECK (kind <> 'report' OR status IN ('pending', 'heard')),
    CHECK (status NOT IN ('open', 'closed')
           OR num_nulls(rule_id, opened_by, opened_at, closes_at, quorum_open_num,
                        quorum_open_den) = 0),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL AND result IS NOT NULL)),
    CHECK (adopted_version IS NULL OR status = 'closed')
);
-- One poll at a time in an assembly; the due polls, for the closer.
CREATE UNIQUE INDEX ga_items_one_open ON council.ga_items (assembly_id) WHERE status = 'open';
CREATE INDEX ga_items_due ON council.ga_items (closes_at) WHERE status = 'open';

-- R-GOV-2: the notice to every member organisation.
CREATE TABLE council.ga_notices (
    assembly_id  bigint NOT NULL REFERENCES council.ga_assemblies (id),
    org_id       bigint NOT NULL REFERENCES council.organisations (id),
    sent_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (assembly_id, org_id)
);

-- R-GOV-3: the person who acts for an organisation in one assembly.
-- Without a row, any active administrator of the organisation does.
CREATE TABLE council.ga_representatives (
    assembly_id    bigint NOT NULL REFERENCES council.ga_assemblies (id),
    org_id         bigint NOT NULL REFERENCES council.organisations (id),
    person_id      bigint NOT NULL REFERENCES council.people (id),
    designated_by  bigint NOT NULL REFERENCES council.people (id),
    designated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (assembly_id, org_id)
);

-- The attendance register (electronic presence), with its history: an
-- organisation is present while it has a row with left_at IS NULL.
CREATE TABLE council.ga_attendance (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assembly_id  bigint NOT NULL REFERENCES council.ga_assemblies (id),
    org_id       bigint NOT NULL REFERENCES council.organisations (id),
    person_id    bigint NOT NULL REFERENCES council.people (id),
    arrived_at   timestamptz NOT NULL DEFAULT now(),
    left_by      bigint REFERENCES council.people (id),
    left_at      timestamptz,
    CHECK ((left_at IS NULL) = (left_by IS NULL))
);
CREATE UNIQUE INDEX ga_attendance_present ON council.ga_attendance (assembly_id, org_id)
    WHERE left_at IS NULL;

-- Proxies (委任状): from a member organisation to another one, or to the
-- chair (holder_org_id NULL).  One active proxy per principal.
CREATE TABLE council.ga_proxies (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assembly_id       bigint NOT NULL REFERENCES council.ga_assemblies (id),
    principal_org_id  bigint NOT NULL REFERENCES council.organisations (id),
    holder_org_id     bigint REFERENCES council.organisations (id),
    to_chair          boolean NOT NULL,
    given_by          bigint NOT NULL REFERENCES council.people (id),
    given_at          timestamptz NOT NULL DEFAULT now(),
    revoked_by        bigint REFERENCES council.people (id),
    revoked_at        timestamptz,
    CHECK (to_chair = (holder_org_id IS NULL)),
    CHECK (holder_org_id IS DISTINCT FROM principal_org_id),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE UNIQUE INDEX ga_proxies_active ON council.ga_proxies (assembly_id, principal_org_id)
    WHERE revoked_at IS NULL;
CREATE INDEX ga_proxies_holder ON council.ga_proxies (assembly_id, holder_org_id)
    WHERE revoked_at IS NULL;

-- Ballots: one per organisation and item, every version kept (a vote may
-- change until the close).  receipt = SHA-256 of the text
-- "council-ga|item|org|choice|version|salt-hex", the salt per (item, org)
-- in ga_ballot_salts, which only council_definer reads, and which
-- council.ga_verify_receipt reveals after the close.
CREATE TABLE council.ga_ballots (
    item_id      bigint NOT NULL REFERENCES council.ga_items (id),
    org_id       bigint NOT NULL REFERENCES council.organisations (id),
    version      integer NOT NULL CHECK (version >= 1),
    choice       council.ga_choice NOT NULL,
    capacity     council.ga_capacity NOT NULL,
    proxy_id     bigint REFERENCES council.ga_proxies (id),
    cast_by      bigint NOT NULL REFERENCES council.people (id),
    cast_by_org  bigint NOT NULL REFERENCES council.organisations (id),
    cast_at      timestamptz NOT NULL DEFAULT now(),
    receipt      bytea NOT NULL CHECK (length(receipt) = 32),
    PRIMARY KEY (item_id, org_id, version),
    CHECK ((capacity = 'representative') = (proxy_id IS NULL))
);
CREATE UNIQUE INDEX ga_ballots_receipt ON council.ga_ballots (item_id, receipt);
CREATE TABLE council.ga_ballot_salts (
    item_id  bigint NOT NULL REFERENCES council.ga_items (id),
    org_id   bigint NOT NULL REFERENCES council.organisations (id),
    salt     bytea NOT NULL CHECK (length(salt) = 32),
    PRIMARY KEY (item_id, org_id)
);

-- The count, frozen at the close: every organisation attending then, and
-- the ballot version that counted for it (NULL: attended, did not vote).
CREATE TABLE council.ga_tally (
    item_id      bigint NOT NULL REFERENCES council.ga_items (id),
    org_id       bigint NOT NULL REFERENCES council.organisations (id),
    attended_as  council.ga_attendance_kind NOT NULL,
    version      integer,
    choice       council.ga_choice,
    PRIMARY KEY (item_id, org_id),
    CHECK ((version IS NULL) = (choice IS NULL))
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ga_assemblies', 'ga_items', 'ga_notices', 'ga_representatives',
                             'ga_attendance', 'ga_proxies', 'ga_ballots', 'ga_ballot_salts',
                             'ga_tally']
    LOOP
        EXECUTE format('ALTER TABLE council.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE council.%I FORCE ROW LEVEL SECURITY', t);
    END LOOP;
END $$;

-- council_app reads (through the policies); never the salts.
GRANT SELECT ON council.ga_assemblies, council.ga_items, council.ga_notices,
    council.ga_representatives, council.ga_attendance, council.ga_proxies,
    council.ga_ballots, council.ga_tally TO council_app, council_writer;
-- council_writer: what the write functions insert and change.
GRANT INSERT ON council.ga_assemblies, council.ga_items, council.ga_notices,
    council.ga_representatives, council.ga_attendance, council.ga_proxies,
    council.ga_ballots TO council_writer;
GRANT UPDATE (status, closed_by, closed_at) ON council.ga_assemblies TO council_writer;
GRANT UPDATE (status, rule_id, opened_by, opened_at, closes_at, quorum_open_num,
    quorum_open_den) ON council.ga_items TO council_writer;
GRANT UPDATE (person_id, designated_by, designated_at) ON council.ga_representatives
    TO council_writer;
GRANT UPDATE (left_by, left_at) ON council.ga_attendance TO council_writer;
GRANT UPDATE (revoked_by, revoked_at) ON council.ga_proxies TO council_writer;
-- council_definer: counts (column grants only), keeps the salts, adopts
-- amended texts.
GRANT SELECT ON council.ga_assemblies, council.ga_items, council.ga_notices,
    council.ga_representatives, council.ga_attendance, council.ga_proxies,
    council.ga_ballots, council.ga_ballot_salts, council.ga_tally TO council_definer;
GRANT INSERT (item_id, org_id, salt) ON council.ga_ballot_salts TO council_definer;
GRANT INSERT (item_id, org_id, attended_as, version, choice) ON council.ga_tally
    TO council_definer;
GRANT UPDATE (status, closed_at, result, adopted_version) ON council.ga_items
    TO council_definer;
GRANT INSERT (document_id, version, body, effective_from, adopted_by)
    ON council.document_versions TO council_definer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA council TO council_writer, council_definer;
