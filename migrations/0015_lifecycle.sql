-- 0015_lifecycle: joining the council (issue 5; R-ORG-2, R-ORG-8).
--
-- An application: the organisation (status 'applied' until the steering
-- committee's admission or refusal motion passes, policy/70_committee.sql)
-- and the version of the Rules its applicant agreed to.  The applicant has
-- no account: it follows its application through an unguessable link whose
-- SHA-256 is token_hash.  A GSOC-liaison agency joins by notification
-- (Rules Art. 6(5)): the secretariat records it, and its receipt is the
-- approval (kind 'gsoc_notification', no token, recorded_by the person).
-- Withdrawal and dissolution are status changes (org_status_history).
CREATE TABLE council.applications (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         bigint NOT NULL UNIQUE REFERENCES council.organisations (id),
    kind           text NOT NULL CHECK (kind IN ('application', 'gsoc_notification')),
    rules_version  integer NOT NULL CHECK (rules_version >= 1),
    contact_name   text NOT NULL CHECK (length(contact_name) BETWEEN 1 AND 200),
    contact_email  text NOT NULL CHECK (contact_email ~ '^[^@\s]+@[^@\s]+$'
                                        AND length(contact_email) <= 254),
    token_hash     bytea UNIQUE CHECK (length(token_hash) = 32),
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    recorded_by    bigint REFERENCES council.people (id),
    CHECK ((kind = 'application') = (token_hash IS NOT NULL)),
    CHECK ((kind = 'gsoc_notification') = (recorded_by IS NOT NULL))
);
ALTER TABLE council.applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.applications FORCE ROW LEVEL SECURITY;
GRANT SELECT ON council.applications TO council_app;
GRANT SELECT, INSERT ON council.applications TO council_definer;
GRANT INSERT ON council.organisations, council.people TO council_definer;
GRANT UPDATE (status, gsoc_liaison) ON council.organisations TO council_definer;
GRANT UPDATE (deregistered_at, deregistered_by, deregistration_reason)
    ON council.handler_registrations TO council_definer;
