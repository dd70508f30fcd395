-- 0032_case_sources: posts derived from a case rather than from a post
-- (issue 13 items 5 and 7; docs/incidents.md, "From report to warning").
--
-- A warning drafted from an incident report (R-SCOPE-4, R-NEW-5) names
-- the report as its source; it reaches beyond the report's parties (the
-- reporter, the authorities it was delivered to, the coordinator) only
-- once the reporter consents, through the consents the posts already use.
-- A post derived from a CYMAT support case (R-CYMAT-1) names the case;
-- it is refused unless the supported body consented in advance to wider
-- use (cymat_cases.wider_use_consent).  Who sees what: policy/42, 43.

-- At most one case per post: the report or the support case it draws on.
CREATE TABLE council.post_case_sources (
    post_id        bigint PRIMARY KEY REFERENCES council.posts (id),
    incident_id    bigint REFERENCES council.incident_reports (id),
    cymat_case_id  bigint REFERENCES council.cymat_cases (id),
    CHECK ((incident_id IS NULL) <> (cymat_case_id IS NULL)),
    UNIQUE (post_id, incident_id)
);
CREATE INDEX post_case_sources_incident ON council.post_case_sources (incident_id)
    WHERE incident_id IS NOT NULL;
ALTER TABLE council.post_case_sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.post_case_sources FORCE ROW LEVEL SECURITY;

-- R-SCOPE-4: a consent's source is a post or an incident report; the
-- reporter decides for its report as a giver does for its post.
ALTER TABLE council.consents ALTER COLUMN source_post_id DROP NOT NULL;
ALTER TABLE council.consents ADD COLUMN source_incident_id bigint;
ALTER TABLE council.consents ADD CHECK ((source_post_id IS NULL) <> (source_incident_id IS NULL));
ALTER TABLE council.consents ADD UNIQUE (post_id, source_incident_id);
ALTER TABLE council.consents ADD FOREIGN KEY (post_id, source_incident_id)
    REFERENCES council.post_case_sources (post_id, incident_id);

GRANT SELECT ON council.post_case_sources TO council_app, council_writer, council_definer;
GRANT INSERT ON council.post_case_sources TO council_writer;

-- The signatures of the post writers gain the case (policy/42, 61): the
-- old ones go, or a call with defaults would name two functions.
DROP FUNCTION IF EXISTS council.create_post(council.post_kind, text, text, boolean,
    boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz);
DROP FUNCTION IF EXISTS council.create_post_once(text, council.post_kind, text, text,
    boolean, boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz);
DROP FUNCTION IF EXISTS council.audience_preview(council.post_kind, text, text,
    boolean, boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz);
-- council.my_consents names the report a consent is asked for.
DROP FUNCTION IF EXISTS council.my_consents();
