-- 0046_cluster: what every councild of a cluster shares (issue 16; docs/
-- operations.md).  councild keeps no state a request needs beyond its own
-- memory: the sign-in throttle's per-account state lives here, so that
-- an attacker spreading guesses over the instances behind the proxy meets
-- one count (ASVS V6.3.1).  The per-address bucket stays in each process
-- and, in front of them, in HAProxy's stick-table (deploy/cluster/).
--
-- An account is named by SHA-256 of its throttle key ("acct:" and the
-- person's id, or the address folded as the sign-in lookup folds it), never
-- in clear.  Rows are read and written only by policy/52_cluster.sql's
-- definer functions; council_signin and council_app hold no grant.
CREATE TABLE council.signin_throttle (
    key_hash  bytea PRIMARY KEY CHECK (octet_length(key_hash) = 32),
    fails     integer NOT NULL DEFAULT 0 CHECK (fails >= 0),
    pending   integer NOT NULL DEFAULT 0 CHECK (pending >= 0),
    last_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    next_at   timestamptz
);
CREATE INDEX signin_throttle_last ON council.signin_throttle (last_at);
ALTER TABLE council.signin_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.signin_throttle FORCE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON council.signin_throttle TO council_definer;
