-- policy/15_api.sql: the JSON API's door (docs/api.md).  councild sends
-- the request body as text and reads back one row (status, body): 2xx
-- with the result, or the error as {"error": code} (server/portal.c,
-- portal_api_call).  A failed call changes nothing (its subtransaction is
-- rolled back).  Each domain's file holds its own API rows; this file
-- holds what they share: the error map, the JSON body's checks, and the
-- reads by one id.  Re-applied by "councilctl migrate".

-- CP-class errors become (status, {"error": code}); a value of the wrong
-- type (an unknown kind, "yes" for a boolean, a bad timestamp) becomes
-- 422 invalid_request.  Anything else is re-raised.
CREATE OR REPLACE FUNCTION council.api_error(p_state text, p_msg text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_state LIKE 'CP%' AND p_state ~ '^CP[0-9]{3}$' THEN
        status := substr(p_state, 3)::integer;
        body := json_build_object('error', p_msg)::text;
    ELSIF p_state IN ('22P02', '22007', '22008', '22023', '22003', '42804',
                      '22004', '2202E', '22019', '22025', '22030', '22032') THEN
        status := 422;
        body := '{"error":"invalid_request"}';
    ELSE
        status := NULL;
    END IF;
END
$$;

-- The body of a post: the JSON keys of docs/api.md, checked for type.
CREATE OR REPLACE FUNCTION council.api_json(p_body text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j  jsonb;
BEGIN
    BEGIN
        j := p_body::jsonb;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'invalid_json' USING ERRCODE = 'CP400';
    END;
    IF jsonb_typeof(j) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'invalid_json' USING ERRCODE = 'CP400';
    END IF;
    RETURN j;
END
$$;

-- A typed field of j, or NULL when absent or null; the wrong type is
-- CP422 invalid_<key>.
CREATE OR REPLACE FUNCTION council.api_field(j jsonb, k text, t text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF NOT j ? k OR jsonb_typeof(j->k) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(j->k) <> t THEN
        RAISE EXCEPTION 'invalid_%', k USING ERRCODE = 'CP422';
    END IF;
    RETURN j->k;
END
$$;

-- The JSON API's reads by one id: (status, body) of council.<p_fn>(p_id),
-- for the functions named here only: ledger (GET /api/v1/ledger),
-- feedback_tally (GET /api/v1/posts/N/feedback), sc_motion (GET
-- /api/v1/committee/motions/N, policy/70_committee.sql), ga_poll and
-- ga_minutes (GET /api/v1/polls/N, /api/v1/assemblies/N/minutes,
-- policy/71_assembly.sql).
CREATE OR REPLACE FUNCTION council.api_read(p_fn text, p_id bigint,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_fn NOT IN ('ledger', 'feedback_tally', 'sc_motion', 'ga_poll', 'ga_minutes') THEN
        RAISE EXCEPTION 'api_read: % is not an API read', p_fn;
    END IF;
    status := 200;
    EXECUTE format('SELECT council.%I($1)::text', p_fn) INTO body USING p_id;
EXCEPTION WHEN OTHERS THEN
    SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
    IF status IS NULL THEN RAISE; END IF;
END
$$;
DROP FUNCTION IF EXISTS council.api_ledger(bigint);
DROP FUNCTION IF EXISTS council.api_tally(bigint);
