-- 0042_mail_outbox: the durable e-mail outbox and the early-warning
-- service (issue 14 item 6; R-ORG-10; docs/government-information.md,
-- "Early-warning e-mail (item 6)"; docs/configuration.md "E-mail").
-- Every e-mail the portal sends from the database (notifications due by
-- the person's email_digest, the early warnings) is first a row here;
-- councild claims due rows for a lease, hands each to its transport (the
-- SMTP relay, or the Maildir), and marks it sent only after the relay's
-- final 250 to the end of DATA.  Who reads and writes: policy/95_mail.sql.

-- One e-mail to one person.  message_id is fixed when the row is made, so
-- a resend after a crash between the relay's acceptance and the mark
-- (at most one, the documented duplicate) carries the same Message-ID.
-- status: queued (due at next_attempt), sending (claimed until
-- lease_until; a crashed claimer's rows come back when it passes), sent,
-- failed (a permanent refusal, or too many attempts; kept for the
-- record), withheld (its post is no longer readable by the person: never
-- sent).  dedupe: one row per event and person (a warning is mailed once).
-- body names a page, never secret content.
CREATE TABLE council.mail_outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('notification', 'warning')),
    person_id     bigint NOT NULL REFERENCES council.people (id),
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    subject       text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    body          text NOT NULL CHECK (length(body) <= 100000),
    post_id       bigint REFERENCES council.posts (id),
    dedupe        text UNIQUE CHECK (length(dedupe) <= 200),
    message_id    text NOT NULL UNIQUE CHECK (message_id ~ '^[0-9a-f.-]{8,80}$'),
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'withheld')),
    attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt  timestamptz NOT NULL DEFAULT now(),
    lease_until   timestamptz,
    last_error    text CHECK (length(last_error) <= 500),
    created_at    timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz,
    CHECK ((status = 'sending') = (lease_until IS NOT NULL)),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX mail_outbox_due ON council.mail_outbox (next_attempt)
    WHERE status IN ('queued', 'sending');
CREATE INDEX mail_outbox_person ON council.mail_outbox (person_id);
ALTER TABLE council.mail_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.mail_outbox FORCE ROW LEVEL SECURITY;
GRANT SELECT ON council.mail_outbox TO council_app;
GRANT SELECT, INSERT ON council.mail_outbox TO council_definer;
GRANT UPDATE (status, attempts, next_attempt, lease_until, last_error, sent_at)
    ON council.mail_outbox TO council_definer;

-- S/MIME: a person's own certificate (PEM), to which e-mail to them is
-- encrypted.  councild checks that it parses as an X.509 certificate that
-- names the person's address before the database stores it.
ALTER TABLE council.people ADD COLUMN smime_cert text
    CHECK (smime_cert IS NULL OR (length(smime_cert) <= 20000
           AND smime_cert LIKE '-----BEGIN CERTIFICATE-----%'));
GRANT UPDATE (smime_cert) ON council.people TO council_writer;

-- R-ORG-10: registration for the early-warning service is
-- organisations.early_warning_opt_out (0001); an organisation declines on
-- joining (applications.early_warning_declined, carried over when it is
-- admitted) and its administrator leaves or joins again later.
ALTER TABLE council.applications ADD COLUMN early_warning_declined boolean NOT NULL
    DEFAULT false;
GRANT UPDATE (early_warning_opt_out) ON council.organisations
    TO council_writer, council_definer;
