-- 0034_nonmembers: non-members of the council (issue 13 item 9;
-- R-NONMEM-1, R-SHARE-2; Rules Art. 16(1), 22, seed 004).  A non-member
-- is data, not an organisation: it has no people, no session and is in no
-- audience.  A member posts on behalf of one (the post's provenance); the
-- secretariat adds one to a post's scope through a member that relays it
-- (Art. 22(2)), for a secret only in an emergency (Art. 22(3)), after
-- which the relaying member reports every person at the non-member who
-- handled it and hands the post to nobody else.  The givers of what is
-- relayed consent first (Art. 22(4), R-SCOPE-4).  Who sees what:
-- policy/86_nonmembers.sql; the choices: docs/incidents.md "Non-members".

-- R-SCOPE-2: an investigative body or a public body (which may supervise)
-- is never reached by a post that excludes such bodies.
CREATE TYPE council.nonmember_kind AS ENUM ('business', 'public_body', 'investigative',
                                            'academic', 'individual', 'other');

-- The register: each organisation keeps its own (the secretariat's, for
-- its relays; a member's, for its posts on behalf of one).
CREATE TABLE council.nonmembers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES council.organisations (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind        council.nonmember_kind NOT NULL,
    created_by  bigint NOT NULL REFERENCES council.people (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, name)
);

-- R-NONMEM-1 (Art. 22(1)): a post given on behalf of a non-member, by the
-- member that posted it; name_shown: whether readers of the post read the
-- non-member's name (the posting member and the coordinator always do).
CREATE TABLE council.post_nonmember (
    post_id       bigint PRIMARY KEY REFERENCES council.posts (id),
    nonmember_id  bigint NOT NULL REFERENCES council.nonmembers (id),
    name_shown    boolean NOT NULL,
    org_id        bigint NOT NULL REFERENCES council.organisations (id),
    created_by    bigint NOT NULL REFERENCES council.people (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX post_nonmember_nonmember ON council.post_nonmember (nonmember_id);

-- R-NONMEM-1 (Art. 22(2), 22(3)): the secretariat adds non-member
-- nonmember_id to post post_id's scope through member via_org_id.
-- secret_emergency: a secret, relayed in an emergency; then the handler
-- list is due, closed once complete (handlers_closed_at).
CREATE TABLE council.nonmember_relays (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id             bigint NOT NULL REFERENCES council.posts (id),
    via_org_id          bigint NOT NULL REFERENCES council.organisations (id),
    nonmember_id        bigint NOT NULL REFERENCES council.nonmembers (id),
    secret_emergency    boolean NOT NULL,
    reason              text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    org_id              bigint NOT NULL REFERENCES council.organisations (id),
    created_by          bigint NOT NULL REFERENCES council.people (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    handlers_closed_at  timestamptz,
    handlers_closed_by  bigint REFERENCES council.people (id),
    UNIQUE (post_id, via_org_id, nonmember_id),
    CHECK ((handlers_closed_at IS NULL) = (handlers_closed_by IS NULL)),
    CHECK (secret_emergency OR handlers_closed_at IS NULL)
);
CREATE INDEX nonmember_relays_via ON council.nonmember_relays (via_org_id);
CREATE INDEX nonmember_relays_nonmember ON council.nonmember_relays (nonmember_id);

-- R-SCOPE-4 (Art. 22(4)): each giver of what a relay carries consents.
CREATE TABLE council.nonmember_relay_consents (
    relay_id      bigint NOT NULL REFERENCES council.nonmember_relays (id),
    giver_org_id  bigint NOT NULL REFERENCES council.organisations (id),
    status        council.consent_status NOT NULL DEFAULT 'pending',
    decided_by    bigint REFERENCES council.people (id),
    decided_at    timestamptz,
    PRIMARY KEY (relay_id, giver_org_id),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK ((decided_at IS NULL) = (decided_by IS NULL))
);
CREATE INDEX nonmember_relay_consents_giver ON council.nonmember_relay_consents (giver_org_id);

-- R-NONMEM-1 (Art. 22(3)): every person at the non-member who handled a
-- secret relayed in an emergency, reported through the relaying member.
CREATE TABLE council.nonmember_relay_handlers (
    relay_id     bigint NOT NULL REFERENCES council.nonmember_relays (id),
    seq          integer NOT NULL CHECK (seq BETWEEN 1 AND 200),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    unit         text NOT NULL CHECK (length(unit) <= 200),
    reported_by  bigint NOT NULL REFERENCES council.people (id),
    reported_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (relay_id, seq),
    UNIQUE (relay_id, name)
);

-- The relaying member hands the post to a person at the non-member: for a
-- secret relayed in an emergency, only to a person on the list (handler_seq).
CREATE TABLE council.nonmember_relay_handovers (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    relay_id     bigint NOT NULL REFERENCES council.nonmember_relays (id),
    recipient    text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 200),
    handler_seq  integer,
    handed_by    bigint NOT NULL REFERENCES council.people (id),
    handed_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (relay_id, handler_seq) REFERENCES council.nonmember_relay_handlers (relay_id, seq)
);
CREATE INDEX nonmember_relay_handovers_relay ON council.nonmember_relay_handovers (relay_id);

ALTER TABLE council.nonmembers ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.nonmembers FORCE ROW LEVEL SECURITY;
ALTER TABLE council.post_nonmember ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.post_nonmember FORCE ROW LEVEL SECURITY;
ALTER TABLE council.nonmember_relays ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.nonmember_relays FORCE ROW LEVEL SECURITY;
ALTER TABLE council.nonmember_relay_consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.nonmember_relay_consents FORCE ROW LEVEL SECURITY;
ALTER TABLE council.nonmember_relay_handlers ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.nonmember_relay_handlers FORCE ROW LEVEL SECURITY;
ALTER TABLE council.nonmember_relay_handovers ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.nonmember_relay_handovers FORCE ROW LEVEL SECURITY;

GRANT SELECT ON council.nonmembers, council.post_nonmember, council.nonmember_relays,
    council.nonmember_relay_consents, council.nonmember_relay_handlers,
    council.nonmember_relay_handovers
    TO council_app, council_writer, council_definer;
GRANT INSERT ON council.nonmembers, council.post_nonmember, council.nonmember_relays,
    council.nonmember_relay_consents, council.nonmember_relay_handlers,
    council.nonmember_relay_handovers TO council_definer;
GRANT UPDATE (handlers_closed_at, handlers_closed_by) ON council.nonmember_relays
    TO council_definer;
GRANT UPDATE (status, decided_by, decided_at) ON council.nonmember_relay_consents
    TO council_definer;
