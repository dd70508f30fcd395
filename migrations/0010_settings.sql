-- 0010_settings: per-person settings and per-organisation administration
-- (issue 4).  The functions that write these live in policy/64_settings.sql;
-- council_app writes nothing here directly.
--
-- Notification preferences, one set per person, as columns of people (a
-- person always has them; the defaults below are the only place they are
-- defined).  Each says whether the person wants to be told about:
--   notify_new_in_scope     a new post in their organisation's effective
--                           scope (docs/sharing.md)
--   notify_feedback_due     a feedback deadline of a post they may answer
--                           (R-TF-5, R-NEW-5)
--   notify_consent_request  a consent their organisation must decide
--                           (R-SCOPE-4)
--   notify_governance       general assembly, steering committee and
--                           membership matters (R-GOV-1..8)
-- email_digest says how the enabled notifications reach them by e-mail:
--   none       never by e-mail: only on the portal
--   immediate  one e-mail per event
--   daily      one summary e-mail a day (the default: no flood, nothing
--              missed)
-- An e-mail never carries a post's content, only that something is waiting
-- on the portal: the content is read there, under row-level security.
-- council_app gets no SELECT on these columns (colleagues need not know
-- each other's preferences): the person reads their own through
-- council.my_settings().
ALTER TABLE council.people
    ADD COLUMN notify_new_in_scope    boolean NOT NULL DEFAULT true,
    ADD COLUMN notify_feedback_due    boolean NOT NULL DEFAULT true,
    ADD COLUMN notify_consent_request boolean NOT NULL DEFAULT true,
    ADD COLUMN notify_governance      boolean NOT NULL DEFAULT true,
    ADD COLUMN email_digest           text NOT NULL DEFAULT 'daily'
        CHECK (email_digest IN ('none', 'immediate', 'daily'));

-- R-ORG-4: who notified a registration or its end, and why it ended.  NULL
-- for rows written outside the portal (the demo seed, the owner).
-- registered_at stays "when the secretariat had the notification": the
-- portal is the notification, so it is the moment of registration.
ALTER TABLE council.handler_registrations
    ADD COLUMN registered_by          bigint REFERENCES council.people (id),
    ADD COLUMN deregistered_by        bigint REFERENCES council.people (id),
    ADD COLUMN deregistration_reason  text
        CHECK (deregistration_reason IS NULL
               OR length(deregistration_reason) BETWEEN 1 AND 500);

-- council_writer (the write functions, under the caller's policies):
-- exactly the columns the settings functions change.  The UPDATE policies
-- of policy/64_settings.sql pin the rows: one's own person; one's own
-- organisation and its people, for its administrators.
GRANT UPDATE (lang, notify_new_in_scope, notify_feedback_due,
              notify_consent_request, notify_governance, email_digest)
    ON council.people TO council_writer;
GRANT UPDATE (secret_opt_out, roster_opt_out)
    ON council.organisations TO council_writer;
GRANT INSERT (person_id, registered_at, registered_by)
    ON council.handler_registrations TO council_writer;
GRANT UPDATE (deregistered_at, deregistered_by, deregistration_reason)
    ON council.handler_registrations TO council_writer;
