-- policy/76_documents.sql: who reads the council's texts (issue 5,
-- migrations/0011_rules.sql and 0017_amendments.sql).  Re-applied by
-- "councilctl migrate".
--
-- R-ORG-7 (Rules Art. 25): the Rules are published, so every version of
-- every document, and the decision rules that count the votes, are
-- readable by anyone who reaches the portal, signed in or not.  Nobody
-- writes them directly: a new version comes only from a passed resolution
-- of the body that owns the document (council.ga_close_item for the
-- general assembly, council.sc__effect for the steering committee,
-- council.tf__close for the task force).

CREATE POLICY documents_public ON council.documents FOR SELECT
    TO council_app, council_writer, council_definer
    USING (true);
CREATE POLICY document_versions_public ON council.document_versions FOR SELECT
    TO council_app, council_writer, council_definer
    USING (true);
CREATE POLICY document_versions_adopt ON council.document_versions FOR INSERT
    TO council_definer
    WITH CHECK (true);
CREATE POLICY decision_rules_public ON council.decision_rules FOR SELECT
    TO council_app, council_writer, council_definer
    USING (true);

-- The owner and newest version of document d (NULLs when absent): the text
-- an amendment is proposed against, which must still be the newest when
-- the body that owns the document adopts it (the committee's Annex 1, the
-- assembly's Rules and regulation, the task force's rules).
CREATE OR REPLACE FUNCTION council.document_head(d bigint, OUT owner council.gov_body,
    OUT version integer, OUT body text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT doc.owner, v.version, v.body
    FROM council.documents doc
    LEFT JOIN LATERAL (SELECT dv.version, dv.body FROM council.document_versions dv
                       WHERE dv.document_id = doc.id
                       ORDER BY dv.version DESC LIMIT 1) v ON true
    WHERE doc.id = d
$$;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.document_head(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.document_head(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.document_head(bigint) TO council_writer;
-- Its name until issue 11 (a documents concern, not the assembly's).
DROP FUNCTION IF EXISTS council.ga_document_head(bigint);
