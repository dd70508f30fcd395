-- policy/52_cluster.sql: what the instances of a cluster share (issue 16;
-- docs/operations.md).  Re-applied by "councilctl migrate".
--
-- Several councild serve one database behind HAProxy.  Nothing a request
-- needs may live in one process only, and the clock's work must be done
-- once, by whichever instance is alive:
--   * the sign-in throttle's per-account state (migration 0046): the
--     same rules as server/core/throttle.h, counted here, so that guesses
--     spread over the instances meet one count (ASVS V6.3.1);
--   * council.clock_job: each job of the clock's round under a
--     transaction-level advisory lock.  An instance that finds the lock
--     taken skips the job this round (another does it now); an instance
--     that dies mid-job loses its transaction and its lock with its
--     connection, so the next round of any instance does the job.  A job
--     commits its effects and the fact that they are done (a poll's
--     closed_at, a notice's sent mark) in the same transaction, so no
--     job is done twice and none is skipped.

-- Milliseconds from now until t, rounded up, at least 1 (throttle_wait).
CREATE OR REPLACE FUNCTION council.throttle__wait(t timestamptz) RETURNS bigint
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog
AS $$
    SELECT greatest(1, ceil(extract(epoch FROM t - clock_timestamp()) * 1000))::bigint
$$;

-- The delay after the n-th failure beyond the free ones (throttle_delay):
-- p_base_ms doubled n - 1 times, at most p_max_ms.
CREATE OR REPLACE FUNCTION council.throttle__delay(n integer, p_base_ms integer,
    p_max_ms integer) RETURNS interval
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog
AS $$
    SELECT make_interval(secs => least(p_max_ms::numeric,
               p_base_ms::numeric * power(2::numeric, least(greatest(n - 1, 0), 40)))
           / 1000)
$$;

-- The account's row, locked (created if absent; its failures forgotten
-- after p_forget_ms without one).
CREATE OR REPLACE FUNCTION council.throttle__row(p_key text, p_forget_ms integer)
    RETURNS council.signin_throttle
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    h  bytea := sha256(convert_to(p_key, 'UTF8'));
    t  council.signin_throttle;
BEGIN
    INSERT INTO council.signin_throttle (key_hash) VALUES (h) ON CONFLICT DO NOTHING;
    SELECT * INTO t FROM council.signin_throttle WHERE key_hash = h FOR UPDATE;
    IF t.fails > 0
       AND clock_timestamp() - t.last_at >= make_interval(secs => p_forget_ms / 1000.0) THEN
        t.fails := 0;
        t.pending := 0;
        t.next_at := NULL;
    END IF;
    RETURN t;
END
$$;

-- Count one failure of t (a reservation settled if p_settle) now
-- (throttle_fail); the row is written back.
CREATE OR REPLACE FUNCTION council.throttle__fail(t council.signin_throttle, p_settle boolean,
    p_free integer, p_base_ms integer, p_max_ms integer) RETURNS council.signin_throttle
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_now  timestamptz := clock_timestamp();
BEGIN
    IF p_settle AND t.pending > 0 THEN
        t.pending := t.pending - 1;
    ELSE
        t.fails := t.fails + 1;
    END IF;
    t.last_at := greatest(t.last_at, v_now);
    IF t.fails > p_free THEN
        t.next_at := greatest(coalesce(t.next_at, v_now),
                              v_now + council.throttle__delay(t.fails - p_free, p_base_ms, p_max_ms));
    END IF;
    UPDATE council.signin_throttle
       SET fails = t.fails, pending = t.pending, last_at = t.last_at, next_at = t.next_at
     WHERE key_hash = t.key_hash;
    RETURN t;
END
$$;

-- throttle_check for an account (server/core/throttle.h): 0 if an attempt
-- may proceed now, and then the attempt is counted at once as a failure (a
-- reservation, so that concurrent attempts on any instance cannot all pass
-- through one opening); else the milliseconds to wait.
CREATE OR REPLACE FUNCTION council.throttle_check(p_key text, p_free integer,
    p_base_ms integer, p_max_ms integer, p_forget_ms integer) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    t  council.signin_throttle := council.throttle__row(p_key, p_forget_ms);
BEGIN
    IF t.next_at IS NOT NULL AND clock_timestamp() < t.next_at THEN
        RETURN council.throttle__wait(t.next_at);
    END IF;
    t.pending := t.pending + 1;
    PERFORM council.throttle__fail(t, false, p_free, p_base_ms, p_max_ms);
    RETURN 0;
END
$$;

-- throttle_failure for an account: a wrong answer (settles the
-- reservation throttle_check made).
CREATE OR REPLACE FUNCTION council.throttle_failure(p_key text, p_free integer,
    p_base_ms integer, p_max_ms integer, p_forget_ms integer) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    PERFORM council.throttle__fail(council.throttle__row(p_key, p_forget_ms), true,
                                   p_free, p_base_ms, p_max_ms);
END
$$;

-- throttle_success for an account: the right answer forgets it.
CREATE OR REPLACE FUNCTION council.throttle_success(p_key text) RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    DELETE FROM council.signin_throttle WHERE key_hash = sha256(convert_to(p_key, 'UTF8'))
$$;

-- The clock's job: forget the accounts quiet for 15 minutes
-- (THROTTLE_ACCT_FORGET_MS).  Returns how many.
CREATE OR REPLACE FUNCTION council.throttle_forget() RETURNS integer
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    WITH gone AS (
        DELETE FROM council.signin_throttle
        WHERE last_at < clock_timestamp() - interval '15 minutes' RETURNING 1)
    SELECT count(*)::integer FROM gone
$$;

-- One job of the clock's round (server/core/timer.c), by one instance at a
-- time: NULL when another instance holds it now, else the job's count.
-- Only the clock's own jobs, named here.  The lock is the transaction's:
-- it ends with the job's commit, or with the connection of an instance
-- that died.  Each job reads with fresh snapshots after the lock is held
-- (plpgsql, READ COMMITTED), so it sees what a job before it committed.
CREATE OR REPLACE FUNCTION council.clock_job(p_job text) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n  integer;
BEGIN
    IF p_job NOT IN ('gov_close_due', 'ga_remind_due', 'notify_due', 'incident_remind',
                     'training_remind_due', 'throttle_forget') THEN
        RAISE EXCEPTION 'unknown_clock_job' USING ERRCODE = 'CP400';
    END IF;
    IF NOT pg_try_advisory_xact_lock(hashtext('council.clock'), hashtext(p_job)) THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT council.%I()', p_job) INTO n;
    RETURN coalesce(n, 0);
END
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.throttle__row(text, integer) OWNER TO council_definer;
ALTER FUNCTION council.throttle__fail(council.signin_throttle, boolean, integer, integer,
    integer) OWNER TO council_definer;
ALTER FUNCTION council.throttle_check(text, integer, integer, integer, integer)
    OWNER TO council_definer;
ALTER FUNCTION council.throttle_failure(text, integer, integer, integer, integer)
    OWNER TO council_definer;
ALTER FUNCTION council.throttle_success(text) OWNER TO council_definer;
ALTER FUNCTION council.throttle_forget() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.throttle__row(text, integer),
    council.throttle__fail(council.signin_throttle, boolean, integer, integer, integer),
    council.throttle_check(text, integer, integer, integer, integer),
    council.throttle_failure(text, integer, integer, integer, integer),
    council.throttle_success(text), council.throttle_forget(),
    council.clock_job(text)
    FROM PUBLIC;
-- The sign-in steps run as council_signin only (policy/50_auth.sql).
GRANT EXECUTE ON FUNCTION council.throttle_check(text, integer, integer, integer, integer),
    council.throttle_failure(text, integer, integer, integer, integer),
    council.throttle_success(text)
    TO council_signin;
-- The clock runs as council_app (server/core/timer.c).
GRANT EXECUTE ON FUNCTION council.clock_job(text), council.throttle_forget() TO council_app;
