-- 0027_access_cases: R-ORG-6, an access case of the secretariat is closed
-- on the portal (issue 13 item 11).  Who closed it and when; a closed case
-- grants nothing from that moment (council.current_case_post_ids and
-- council.person_sees_post, policy/41_sharing_policies.sql), and closing
-- is not undone.  council.close_access_case (policy/81_access_cases.sql,
-- council_writer) is the only writer.
ALTER TABLE council.access_cases
    ADD COLUMN closed_at timestamptz,
    ADD COLUMN closed_by bigint REFERENCES council.people (id),
    ADD CONSTRAINT access_cases_closed CHECK ((closed_by IS NULL) = (closed_at IS NULL));
GRANT UPDATE (closed_at, closed_by) ON council.access_cases TO council_writer;
