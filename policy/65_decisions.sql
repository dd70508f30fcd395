-- policy/65_decisions.sql: the one decisions engine (issue 11 item 4;
-- docs/governance.md "One decisions engine").  Every vote of the council
-- is counted with these pieces: the steering committee's motions
-- (policy/70_committee.sql), the general assembly's polls
-- (71_assembly.sql) and the task force's decisions (74_tf_status.sql).
--
--   decision_meets      a threshold of a rule, exactly, in integers
--   decision_rule       the version of a rule in force (rules are data:
--                       migrations/0011_rules.sql, later versions as rows)
--   decision_rule_for   the same, refused unless it is for the body that
--                       counts under it and over bases that body counts
--   decision_close_due  the one loop that closes a body's due polls
--   gov_close_due       every body's due polls, for councild's clock
--
-- What each body counts (seats, organisations, the Type 1 group) and what
-- a result does stay in the body's file.  A body plugs into the clock with
-- a function council.<body>_close_due() RETURNS integer, which lists its
-- polls whose closing time has come and names the function that closes
-- one of them: decision_close_due does the rest, gov_close_due finds it.
-- Re-applied by "councilctl migrate".

-- A threshold of a decision rule: p_count CMP p_num/p_den of p_base,
-- exactly, in integers (">" 1/2 is a majority, ">=" 3/4 at least three
-- quarters, ">=" 1/1 all).  What an empty base means (nobody entitled,
-- nobody voted) is the caller's to say.
CREATE OR REPLACE FUNCTION council.decision_meets(p_count bigint,
    p_cmp council.threshold_cmp, p_num integer, p_den integer, p_base bigint)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE p_cmp WHEN '>' THEN p_count * p_den > p_num::bigint * p_base
                      ELSE p_count * p_den >= p_num::bigint * p_base END
$$;

-- The version of rule p_code in force now: the newest whose effective_from
-- has passed (R-GOV-3..7, R-TF-9: the rules are data; a new version is a
-- new row, adopted by a resolution).  A row of NULLs when there is none.
-- Each poll fixes the version at its opening (its rule_id) and is counted
-- under that one.
CREATE OR REPLACE FUNCTION council.decision_rule(p_code text)
    RETURNS council.decision_rules
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT r.* FROM council.decision_rules r
    WHERE r.code = p_code AND r.effective_from <= now()
    ORDER BY r.version DESC LIMIT 1
$$;

-- The rule p_code in force, for body p_body to count under: its quorum
-- base one of p_quorum (a NULL element allows a rule without a quorum),
-- its pass base one of p_pass.  CP422 no_rule_in_force when none is in
-- force; CP422 p_unfit when it is another body's rule or counts over a
-- base the body cannot count.
CREATE OR REPLACE FUNCTION council.decision_rule_for(p_code text, p_body council.gov_body,
    p_quorum council.count_base[], p_pass council.count_base[],
    p_unfit text DEFAULT 'rule_not_applicable') RETURNS council.decision_rules
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    r  council.decision_rules := council.decision_rule(p_code);
BEGIN
    IF r.id IS NULL THEN
        RAISE EXCEPTION 'no_rule_in_force' USING ERRCODE = 'CP422';
    END IF;
    IF r.body <> p_body OR array_position(p_quorum, r.quorum_base) IS NULL
       OR array_position(p_pass, r.pass_base) IS NULL THEN
        RAISE EXCEPTION '%', p_unfit USING ERRCODE = 'CP422';
    END IF;
    RETURN r;
END
$$;

-- Close the polls p_due of one body, in that order, with p_close: the
-- body's function (bigint) RETURNS boolean that locks one poll, closes it
-- if it is still open and due (another transaction may have closed it
-- meanwhile) and says whether it did.  Returns how many closed.  The
-- server closes them, not whoever's call found them due: while they
-- close, the caller's identity (council.session) is set aside, so that
-- their audit rows (the count, the effect) name no person, and it is given
-- back after.  Nothing due: nothing is touched.  The caller lists the
-- polls as they were due when it looked (closes_at <= now()); a result is
-- dated at closes_at, however late the count runs.
CREATE OR REPLACE FUNCTION council.decision_close_due(p_due bigint[], p_close regproc)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_session  text;
    p          bigint;
    v_closed   boolean;
    n          integer := 0;
BEGIN
    IF coalesce(cardinality(p_due), 0) = 0 THEN
        RETURN 0;
    END IF;
    v_session := coalesce(current_setting('council.session', true), '');
    PERFORM set_config('council.session', '', true);
    FOREACH p IN ARRAY p_due LOOP
        EXECUTE format('SELECT %s($1)', p_close) INTO v_closed USING p;
        IF v_closed THEN
            n := n + 1;
        END IF;
    END LOOP;
    PERFORM set_config('council.session', v_session, true);
    RETURN n;
END
$$;

-- Close every due poll of every body: each function council.*_close_due()
-- taking no argument and returning integer (sc_close_due, ga_close_due,
-- tf_close_due), in name order.  councild's clock calls it every 15
-- seconds (server/core/timer.c); a reader that comes first closes the poll
-- itself, so a result never waits for the clock.  Returns how many closed.
CREATE OR REPLACE FUNCTION council.gov_close_due() RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    f  regprocedure;
    k  integer;
    n  integer := 0;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = 'council'::regnamespace
               AND p.proname LIKE '%\_close\_due' AND p.proname <> 'gov_close_due'
               AND p.pronargs = 0 AND p.prorettype = 'integer'::regtype
             ORDER BY p.proname
    LOOP
        EXECUTE format('SELECT %s', f) INTO k;
        n := n + coalesce(k, 0);
    END LOOP;
    RETURN n;
END
$$;

-- The loop runs a closer it is given: only for the bodies' own
-- *_close_due functions (owned by council_definer), not for councild.
REVOKE ALL ON FUNCTION council.decision_close_due(bigint[], regproc) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.decision_close_due(bigint[], regproc) TO council_definer;

-- The three copies this engine replaced (issue 11): gone from databases
-- that had them.
DROP FUNCTION IF EXISTS council.sc_threshold(bigint, council.threshold_cmp, integer, integer,
    bigint);
DROP FUNCTION IF EXISTS council.ga_meets(bigint, council.threshold_cmp, integer, integer, bigint);
DROP FUNCTION IF EXISTS council.sc__rule(text);
DROP FUNCTION IF EXISTS council.ga_rule();
