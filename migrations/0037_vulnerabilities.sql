-- 0037_vulnerabilities: vulnerability matching and targeted warnings
-- (issue 14 item 5; R-NEW-4, basic policy ch. 4 §2(1), ch. 5 §2(4)).
-- The coordinator or a government analyst imports vulnerability data in
-- the formats the field uses (NVD CVE API 2.0 JSON, CSAF 2.0); each
-- advisory's CPE match criteria are matched against the registered assets
-- (migration 0036), and every owner of a matching asset gets one warning
-- post per advisory.  Who sees what: policy/89_vulns.sql (a match as its
-- asset; nobody else counts or names anything).

-- R-NEW-4: one advisory: a CVE record of the NVD (external_id the CVE id,
-- modified its lastModified) or a CSAF 2.0 document (the tracking id, its
-- version and current_release_date).  doc is the record as imported (the
-- CVE record, or the whole CSAF document), at most 1,000,000 bytes.
CREATE TABLE council.vuln_advisories (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       text NOT NULL CHECK (source IN ('nvd', 'csaf')),
    external_id  text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    revision     text NOT NULL CHECK (length(revision) BETWEEN 1 AND 100),
    modified     timestamptz NOT NULL,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    cves         text[] NOT NULL DEFAULT '{}',
    doc          jsonb NOT NULL CHECK (octet_length(doc::text) <= 1000000),
    imported_at  timestamptz NOT NULL DEFAULT now(),
    imported_by  bigint NOT NULL REFERENCES council.people (id),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   bigint NOT NULL REFERENCES council.people (id),
    UNIQUE (source, external_id)
);

-- R-NEW-4: an advisory's CPE 2.3 match criteria, with the NVD's version
-- range keys (at most one bound of each end).
CREATE TABLE council.vuln_criteria (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    advisory_id    bigint NOT NULL REFERENCES council.vuln_advisories (id),
    criteria       text NOT NULL CHECK (council.cpe23_valid(criteria)),
    start_incl     text CHECK (length(start_incl) <= 100),
    start_excl     text CHECK (length(start_excl) <= 100),
    end_incl       text CHECK (length(end_incl) <= 100),
    end_excl       text CHECK (length(end_excl) <= 100),
    CHECK (start_incl IS NULL OR start_excl IS NULL),
    CHECK (end_incl IS NULL OR end_excl IS NULL)
);
CREATE INDEX vuln_criteria_advisory ON council.vuln_criteria (advisory_id);

-- R-NEW-4: an asset matched by an advisory, through one of its CPE names
-- and a criterion (the first that matched).
CREATE TABLE council.vuln_matches (
    advisory_id  bigint NOT NULL REFERENCES council.vuln_advisories (id),
    asset_id     bigint NOT NULL REFERENCES council.assets (id),
    org_id       bigint NOT NULL REFERENCES council.organisations (id),
    cpe          text NOT NULL,
    criteria     text NOT NULL,
    matched_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (advisory_id, asset_id)
);
CREATE INDEX vuln_matches_asset ON council.vuln_matches (asset_id);

-- R-NEW-4: the targeted warning of an advisory to one owner: one post per
-- (advisory, owner), so that a re-import updates and never duplicates.
CREATE TABLE council.vuln_warnings (
    advisory_id  bigint NOT NULL REFERENCES council.vuln_advisories (id),
    org_id       bigint NOT NULL REFERENCES council.organisations (id),
    post_id      bigint NOT NULL UNIQUE REFERENCES council.posts (id),
    revision     text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (advisory_id, org_id)
);

ALTER TABLE council.vuln_advisories ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.vuln_advisories FORCE ROW LEVEL SECURITY;
ALTER TABLE council.vuln_criteria ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.vuln_criteria FORCE ROW LEVEL SECURITY;
ALTER TABLE council.vuln_matches ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.vuln_matches FORCE ROW LEVEL SECURITY;
ALTER TABLE council.vuln_warnings ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.vuln_warnings FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.vuln_advisories, council.vuln_criteria, council.vuln_matches,
    council.vuln_warnings TO council_app, council_writer, council_definer;
GRANT INSERT ON council.vuln_advisories, council.vuln_criteria, council.vuln_matches,
    council.vuln_warnings TO council_definer;
GRANT DELETE ON council.vuln_criteria, council.vuln_matches TO council_definer;
GRANT UPDATE (revision, modified, title, description, cves, doc, updated_at, updated_by)
    ON council.vuln_advisories TO council_definer;
GRANT UPDATE (revision, updated_at) ON council.vuln_warnings TO council_definer;
-- A changed advisory rewrites its warnings' text (policy/89_vulns.sql).
GRANT UPDATE (body) ON council.post_bodies TO council_definer;
