-- policy/15_api.sql: the JSON API's one door (docs/api.md; issue 11
-- item 3).  councild sends a request's body as text and reads back one row
-- (status, body): 2xx with the result, or the error as {"error": code}
-- (server/pages/post.c` and `server/pages/compose.c, portal_api_call).  Re-applied by "councilctl migrate".
--
-- Every API row goes through council.api_call(name, request):
--   council.api__<name>(jsonb) the row, in its domain's file: it reads its
--                              arguments with council.api_args, calls the
--                              domain's functions and answers (status,
--                              body), or simply raises.
--   council.api_call           runs the row in a subtransaction and maps
--                              what it raised (council.api_error): written
--                              once, here.  A failed call changes nothing.
--   council.api_<name>(...)    what councild calls (server/*.c, the
--                              signatures unchanged): one line each, at the
--                              end of this file, handing the request (the
--                              path's ids and the body) as JSON to api_call.
-- The error codes: MESSAGE is a stable code, SQLSTATE of class CP gives
-- the status (CP400 bad JSON, CP401, CP403, CP404, CP409, CP422); a value
-- of the wrong type for its column (an unknown kind, a bad timestamp) is
-- 422 invalid_request; anything else is councild's 503.

-- CP-class errors become (status, {"error": code}); a value of the wrong
-- type (an unknown kind, "yes" for a boolean, a bad timestamp) becomes
-- 422 invalid_request.  Anything else: status NULL (the caller re-raises).
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

-- The door: council.api__<p_fn>(p_request) in a subtransaction; what it
-- raised becomes (status, {"error": code}) (api_error), and a failed call
-- changes nothing (an error naming one element of a list also says
-- which, "item").  An error api_error does not know (a bug, a lost
-- connection) is raised again, for councild to log and answer 503.  Only
-- functions named api__* taking one jsonb are reachable: another name is
-- an error of the caller (raised, not answered).
CREATE OR REPLACE FUNCTION council.api_call(p_fn text, p_request jsonb DEFAULT '{}',
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_detail  text;
BEGIN
    IF p_fn IS NULL OR p_fn !~ '^[a-z][a-z0-9_]*$'
       OR to_regprocedure(format('council.%I(jsonb)', 'api__' || p_fn)) IS NULL THEN
        RAISE EXCEPTION 'api_call: % is not an API call', p_fn;
    END IF;
    EXECUTE format('SELECT status, body FROM council.%I($1)', 'api__' || p_fn)
        INTO status, body USING p_request;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
    SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
    IF status IS NULL THEN
        RAISE;
    END IF;
    -- An error about one element of a list (DETAIL 'item=N', N from 1)
    -- says which: {"error": code, "item": N} (issue 17 item 3).
    IF v_detail ~ '^item=[0-9]{1,4}$' THEN
        body := json_build_object('error', body::json->>'error',
                                  'item', substr(v_detail, 6)::integer)::text;
    END IF;
END
$$;

-- A request body's arguments: p_body parsed as a JSON object (else CP400
-- invalid_json), with no key outside p_spec (else CP422 p_unknown), each
-- key of p_spec, when present and not null, of the JSON type it names
-- ("string", "number", "boolean", "array", "object"; null: any) (else
-- CP422 invalid_<key>, checked in p_spec's order).  Returns the object as
-- sent: read a field with ->> (a JSON null reads as NULL, like an absent
-- key) and an array or object with nullif(a->'key', 'null').
CREATE OR REPLACE FUNCTION council.api_args(p_body text, p_spec json,
    p_unknown text DEFAULT 'unknown_field') RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j  jsonb;
    f  record;
BEGIN
    BEGIN
        j := p_body::jsonb;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'invalid_json' USING ERRCODE = 'CP400';
    END;
    IF jsonb_typeof(j) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'invalid_json' USING ERRCODE = 'CP400';
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k WHERE NOT p_spec::jsonb ? k) THEN
        RAISE EXCEPTION '%', p_unknown USING ERRCODE = 'CP422';
    END IF;
    FOR f IN SELECT e.key, e.value FROM json_each_text(p_spec) e LOOP
        IF f.value IS NOT NULL AND jsonb_typeof(j->f.key) NOT IN ('null', f.value) THEN
            RAISE EXCEPTION 'invalid_%', f.key USING ERRCODE = 'CP422';
        END IF;
    END LOOP;
    RETURN j;
END
$$;

-- The JSON API's reads by one id: council.<fn>(id) as the body, for the
-- functions named here only: ledger (GET /api/v1/ledger), feedback_tally
-- (GET /api/v1/posts/N/feedback, policy/60_feedback.sql), sc_motion (GET
-- /api/v1/committee/motions/N, policy/70_committee.sql), ga_poll and
-- ga_minutes (GET /api/v1/polls/N, /api/v1/assemblies/N/minutes,
-- policy/72_assembly_reads.sql), access_case (GET /api/v1/access-cases/N,
-- policy/81_access_cases.sql), stix_bundle_json (GET /api/v1/posts/N/stix,
-- policy/96_stix.sql).
CREATE OR REPLACE FUNCTION council.api__read(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF r->>'fn' NOT IN ('ledger', 'feedback_tally', 'sc_motion', 'ga_poll', 'ga_minutes',
                        'incident', 'access_case', 'violation_report', 'cymat_case',
                        'asset_json', 'rendition_list', 'post_uses_json',
                        'stix_bundle_json') THEN
        RAISE EXCEPTION 'api_read: % is not an API read', r->>'fn';
    END IF;
    status := 200;
    EXECUTE format('SELECT council.%I($1)::text', r->>'fn') INTO body USING (r->>'id')::bigint;
END
$$;

-- councild's entries (server/*.c), one a row: each hands its request
-- (the path's ids and the body, as JSON) to the door, which runs
-- council.api__<name>, the row, in the domain's file named here.  Their
-- names and signatures are councild's contract; when councild calls
-- council.api_call itself, this block goes.
-- GET /api/v1/ledger, /api/v1/posts/N/feedback, /api/v1/committee/motions/N,
-- /api/v1/polls/N, /api/v1/assemblies/N/minutes (above)
CREATE OR REPLACE FUNCTION council.api_read(p_fn text, p_id bigint,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('read',
    jsonb_build_object('fn', p_fn, 'id', p_id)) $$;

-- POST /api/v1/posts, /api/v1/preview (61_compose.sql)
CREATE OR REPLACE FUNCTION council.api_create_post(p_body text, p_key text,
    p_preview boolean DEFAULT false,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('create_post',
    jsonb_build_object('body', p_body, 'key', p_key, 'preview', p_preview)) $$;

-- POST /api/v1/posts/N/feedback (60_feedback.sql)
CREATE OR REPLACE FUNCTION council.api_give_feedback(p_post bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('give_feedback',
    jsonb_build_object('id', p_post, 'body', p_body)) $$;

-- POST /api/v1/consents/N (43_sharing_consents.sql)
CREATE OR REPLACE FUNCTION council.api_decide_consent(p_consent bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('decide_consent',
    jsonb_build_object('id', p_consent, 'body', p_body)) $$;

-- POST /api/v1/settings (64_settings.sql)
CREATE OR REPLACE FUNCTION council.api_set_settings(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('set_settings',
    jsonb_build_object('body', p_body)) $$;

-- GET /api/v1/org (64_settings.sql)
CREATE OR REPLACE FUNCTION council.api_org(OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('org') $$;

-- POST /api/v1/org (64_settings.sql)
CREATE OR REPLACE FUNCTION council.api_set_org(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('set_org',
    jsonb_build_object('body', p_body)) $$;

-- POST /api/v1/org/handlers (64_settings.sql)
CREATE OR REPLACE FUNCTION council.api_handler(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('handler',
    jsonb_build_object('body', p_body)) $$;

-- POST /api/v1/committee/motions (70_committee.sql)
CREATE OR REPLACE FUNCTION council.api_sc_create(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('sc_create',
    jsonb_build_object('body', p_body)) $$;

-- POST /api/v1/committee/motions/N (70_committee.sql)
CREATE OR REPLACE FUNCTION council.api_sc_act(p_motion bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('sc_act',
    jsonb_build_object('id', p_motion, 'body', p_body)) $$;

-- POST /api/v1/assemblies (71_assembly.sql)
CREATE OR REPLACE FUNCTION council.api_ga_convene(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('ga_convene',
    jsonb_build_object('body', p_body)) $$;

-- POST /api/v1/assemblies/N (71_assembly.sql)
CREATE OR REPLACE FUNCTION council.api_ga_act(p_assembly bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('ga_act',
    jsonb_build_object('id', p_assembly, 'body', p_body)) $$;

-- POST /api/v1/polls/N (71_assembly.sql)
CREATE OR REPLACE FUNCTION council.api_ga_poll_act(p_item bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('ga_poll_act',
    jsonb_build_object('id', p_item, 'body', p_body)) $$;

-- POST /api/v1/org/withdraw (73_membership.sql)
CREATE OR REPLACE FUNCTION council.api_org_withdraw(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('org_withdraw',
    jsonb_build_object('body', p_body)) $$;

-- POST /api/v1/applications (73_membership.sql)
CREATE OR REPLACE FUNCTION council.api_membership(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('membership',
    jsonb_build_object('body', p_body)) $$;

-- POST /api/v1/tf/applications, /api/v1/tf/decisions/N, /api/v1/tf/reviews,
-- /api/v1/tf/amendments (74_tf_status.sql)
CREATE OR REPLACE FUNCTION council.api_tf(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('tf',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

-- POST /api/v1/cooperation/N (75_coop.sql)
CREATE OR REPLACE FUNCTION council.api_coop_answer(p_request bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('coop_answer',
    jsonb_build_object('id', p_request, 'body', p_body)) $$;

-- POST /api/v1/notifications (77_notifications.sql)
CREATE OR REPLACE FUNCTION council.api_notifications_read(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('notifications_read',
    jsonb_build_object('body', p_body)) $$;

-- POST /api/v1/access-cases, /api/v1/access-cases/N (81_access_cases.sql)
CREATE OR REPLACE FUNCTION council.api_access_case(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('access_case',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

-- What the door replaced, and earlier reads by id.
DROP FUNCTION IF EXISTS council.api_json(text);
DROP FUNCTION IF EXISTS council.api_field(jsonb, text, text);
DROP FUNCTION IF EXISTS council.api_ledger(bigint);
DROP FUNCTION IF EXISTS council.api_tally(bigint);
