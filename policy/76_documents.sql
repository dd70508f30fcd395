-- policy/76_documents.sql: who reads the council's texts (issue 5,
-- migrations/0011_rules.sql and 0017_amendments.sql).  Re-applied by
-- "councilctl migrate".
--
-- R-ORG-7 (Rules Art. 25): the Rules are published, so every version of
-- every document, and the decision rules that count the votes, are
-- readable by anyone who reaches the portal, signed in or not.  Nobody
-- writes them directly: a new version comes only from a passed resolution
-- of the body that owns the document (council.ga_close_item for the
-- general assembly, council.sc__effect for the steering committee).

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
