-- 0041_handler_training: handler safety management (issue 14 item 7;
-- R-NEW-6, basic policy ch. 6 §5).  Per handler, the date of its last
-- secrecy training; per organisation, the yearly confirmation of its
-- handler list by its administrator; the council's periods.  Who writes
-- and who sees: policy/94_training.sql; secret access follows the
-- training through the session identity (policy/10_identity.sql); the
-- design: docs/government-information.md "Handler safety management
-- (item 7)".

-- R-NEW-6: the date (JST) of the handler's last secrecy training.  A
-- registration is the administrator's statement that the person was
-- trained (on the day of registration unless it says otherwise), so every
-- open registration has a date; existing registrations count as trained
-- today (the portal starts tracking now).  trained_recorded_by: who
-- recorded the date last (NULL: the registration, the seed, the owner).
ALTER TABLE council.handler_registrations
    ADD COLUMN trained_on date NOT NULL
        DEFAULT (now() AT TIME ZONE 'Asia/Tokyo')::date,
    ADD COLUMN trained_recorded_by bigint REFERENCES council.people (id);

-- R-NEW-6: every training recorded, for the history (append-only).
CREATE TABLE council.handler_trainings (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    registration_id  bigint NOT NULL REFERENCES council.handler_registrations (id),
    person_id        bigint NOT NULL REFERENCES council.people (id),
    trained_on       date NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    recorded_by      bigint NOT NULL REFERENCES council.people (id)
);
CREATE INDEX handler_trainings_person ON council.handler_trainings (person_id);

-- R-NEW-6: an organisation's administrator confirms, once a year, that its
-- list of handlers is right (handlers: the people listed then).
CREATE TABLE council.handler_list_confirmations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        bigint NOT NULL REFERENCES council.organisations (id),
    confirmed_at  timestamptz NOT NULL DEFAULT now(),
    confirmed_by  bigint NOT NULL REFERENCES council.people (id),
    handlers      bigint[] NOT NULL
);
CREATE INDEX handler_list_confirmations_org
    ON council.handler_list_confirmations (org_id, confirmed_at DESC);

-- R-NEW-6: the council's periods, one row, set by the coordinator:
-- training_days  a training is valid this many days (then the handler
--                loses secret access until renewed)
-- warn_days      the handler and its administrators are warned this many
--                days before (and the confirmation's due date likewise)
-- confirm_days   the handler list is confirmed every this many days
-- introduced_at  when tracking began: the first confirmation is due
--                confirm_days after it
-- swept_at       the last run of the warnings (policy/94_training.sql)
CREATE TABLE council.handler_safety_settings (
    only_row       boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    training_days  integer NOT NULL DEFAULT 365 CHECK (training_days BETWEEN 30 AND 1095),
    warn_days      integer NOT NULL DEFAULT 30 CHECK (warn_days BETWEEN 1 AND 180),
    confirm_days   integer NOT NULL DEFAULT 365 CHECK (confirm_days BETWEEN 30 AND 1095),
    introduced_at  timestamptz NOT NULL DEFAULT now(),
    swept_at       timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     bigint REFERENCES council.people (id),
    CHECK (warn_days < training_days AND warn_days < confirm_days)
);
INSERT INTO council.handler_safety_settings DEFAULT VALUES;

-- The session's copy (0005): until when its person may handle secrets
-- (the training's end), NULL for one who is no handler.  council.me
-- compares it with now(), so access ends on time with no job.
ALTER TABLE council.sessions ADD COLUMN secrets_until timestamptz;
GRANT UPDATE (secrets_until) ON council.sessions TO council_definer;

ALTER TABLE council.handler_trainings ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.handler_trainings FORCE ROW LEVEL SECURITY;
ALTER TABLE council.handler_list_confirmations ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.handler_list_confirmations FORCE ROW LEVEL SECURITY;
ALTER TABLE council.handler_safety_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.handler_safety_settings FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.handler_trainings, council.handler_list_confirmations,
    council.handler_safety_settings TO council_app, council_writer, council_definer;
GRANT INSERT ON council.handler_trainings, council.handler_list_confirmations
    TO council_definer;
GRANT UPDATE (trained_on, trained_recorded_by) ON council.handler_registrations
    TO council_definer;
GRANT UPDATE (training_days, warn_days, confirm_days, swept_at, updated_at, updated_by)
    ON council.handler_safety_settings TO council_definer;
