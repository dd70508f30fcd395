-- tests/sql/30_api_door.sql: the JSON API's one door (policy/15_api.sql,
-- issue 11 item 3): council.api_args checks a body's JSON (not JSON, not
-- an object, an unknown key, a value of the wrong type), council.api_call
-- runs a row and maps what it raised to (status, body) once for every row,
-- a refused call changes nothing, an error the map does not know is
-- raised again (councild's 503), only council.api__* rows are reachable,
-- and every entry councild calls goes through the door.  The rows'
-- answers are tested with their domains (16_portal, 18_settings, 20-23)
-- and over HTTP.  Everything is rolled back.
BEGIN;
SELECT plan(27);

-- api_args.
SELECT is(council.api_args('{"a": 1, "b": "x"}', '{"a": "number", "b": "string"}'),
          '{"a": 1, "b": "x"}'::jsonb, 'the arguments come back as sent');
SELECT throws_ok($$SELECT council.api_args('{"a":', '{"a": "number"}')$$,
                 'CP400', 'invalid_json', 'not JSON: CP400 invalid_json');
SELECT throws_ok($$SELECT council.api_args('[1]', '{"a": "number"}')$$,
                 'CP400', 'invalid_json', 'JSON but not an object: CP400 invalid_json');
SELECT throws_ok($$SELECT council.api_args(NULL, '{"a": "number"}')$$,
                 'CP400', 'invalid_json', 'no body: CP400 invalid_json');
SELECT throws_ok($$SELECT council.api_args('{"a": 1, "colour": "red"}', '{"a": "number"}')$$,
                 'CP422', 'unknown_field', 'a key outside the spec: CP422 unknown_field');
SELECT throws_ok($$SELECT council.api_args('{"colour": "red"}', '{"read": null}', 'invalid_read')$$,
                 'CP422', 'invalid_read', 'the row may name its own code for an unknown key');
SELECT throws_ok($$SELECT council.api_args('{"a": "1"}', '{"a": "number"}')$$,
                 'CP422', 'invalid_a', 'a value of the wrong type: CP422 invalid_<key>');
SELECT throws_ok($$SELECT council.api_args('{"a": 1, "b": 2}', '{"b": "string", "a": "string"}')$$,
                 'CP422', 'invalid_b', 'two wrong: the first in the spec''s order is named');
SELECT is(council.api_args('{"a": null}', '{"a": "number"}')->>'a', NULL,
          'a JSON null is no value (of any type), read as NULL');
SELECT is(council.api_args('{"read": "all"}', '{"read": null}')->>'read', 'all',
          'a key spec''d null takes any type (a string) ...');
SELECT is(council.api_args('{"read": 7}', '{"read": null}')->>'read', '7', '... or a number');
SELECT is(council.api_args('{"agenda": null}', '{"agenda": "array"}')->'agenda', 'null'::jsonb,
          'an array read with -> is JSON null when sent null (rows use nullif)');

-- api_call, with rows made for the test.
CREATE TEMP TABLE t_done (what text);
CREATE FUNCTION council.api__test_row(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pg_temp.t_done VALUES (r->>'what');
    CASE r->>'what'
    WHEN 'ok' THEN status := 201; body := '{"id":1}';
    WHEN 'absent' THEN RAISE EXCEPTION 'thing_not_found' USING ERRCODE = 'CP404';
    WHEN 'cast' THEN PERFORM 'seven'::integer;
    WHEN 'json' THEN PERFORM council.api_args(r->>'body', '{"a": "number"}');
    ELSE PERFORM 1 / 0;
    END CASE;
END $$;
SELECT is((SELECT status || ' ' || body FROM council.api_call('test_row', '{"what": "ok"}')),
          '201 {"id":1}', 'a row''s answer passes through the door');
SELECT is((SELECT count(*) FROM pg_temp.t_done), 1::bigint, 'an answered call keeps what it did');
SELECT is((SELECT status || ' ' || (body::json->>'error') FROM council.api_call('test_row', '{"what": "absent"}')),
          '404 thing_not_found', 'CP404 becomes 404 {"error": code}');
SELECT is((SELECT status || ' ' || (body::json->>'error') FROM council.api_call('test_row', '{"what": "cast"}')),
          '422 invalid_request', 'a value of the wrong type for its column becomes 422 invalid_request');
SELECT is((SELECT status || ' ' || (body::json->>'error')
           FROM council.api_call('test_row', '{"what": "json", "body": "{\"a\": true}"}')),
          '422 invalid_a', 'api_args'' refusals are answered too');
SELECT is((SELECT count(*) FROM pg_temp.t_done), 1::bigint,
          'a refused call changes nothing (its subtransaction is rolled back)');
SELECT throws_ok($$SELECT * FROM council.api_call('test_row', '{"what": "bug"}')$$,
                 '22012', NULL, 'an error the door does not know is raised again, for councild''s 503');
SELECT throws_ok($$SELECT * FROM council.api_call('decision_rule', '{}')$$,
                 'P0001', 'api_call: decision_rule is not an API call',
                 'only council.api__* rows are reachable through the door');
SELECT throws_ok($$SELECT * FROM council.api_call('test_row; SELECT 1', '{}')$$,
                 'P0001', NULL, 'a name that is not a plain word is refused');
SELECT throws_ok($$SELECT * FROM council.api_call(NULL, '{}')$$,
                 'P0001', NULL, 'no name is refused');
SELECT throws_ok($$SELECT * FROM council.api_read('sessions', 1)$$,
                 'P0001', 'api_read: sessions is not an API read',
                 'the reads by id are only those named (as before the door)');

-- The shape of every row: one door, one error tail.
SELECT is(ARRAY(SELECT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'council'::regnamespace
                  AND p.prosrc LIKE '%api_error(SQLSTATE%'),
          ARRAY['api_call'], 'the error tail is written once: in council.api_call');
SELECT is(ARRAY(SELECT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'council'::regnamespace
                  AND p.proname LIKE 'api\_%' AND p.proname NOT LIKE 'api\_\_%'
                  AND p.proname NOT IN ('api_call', 'api_args', 'api_error', 'api_settings',
                                        'api_token_create', 'api_token_revoke', 'api_tokens')
                  AND p.prosrc NOT LIKE '%council.api_call(%'
                ORDER BY 1),
          '{}'::text[], 'every entry councild calls goes through council.api_call');
SELECT is(ARRAY(SELECT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'council'::regnamespace
                  AND p.prosrc ~ 'council\.api_call\('''
                  AND to_regprocedure(format('council.api__%s(jsonb)',
                          substring(p.prosrc FROM 'council\.api_call\(''([a-z_]+)''')))
                      IS NULL
                ORDER BY 1),
          '{}'::text[], 'and the row each entry names exists');
SELECT is(ARRAY(SELECT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'council'::regnamespace
                  AND p.proname LIKE 'api\_\_%' AND p.proname <> 'api__test_row'
                  AND p.prosrc LIKE '%jsonb_object_keys%'
                ORDER BY 1),
          '{}'::text[], 'no row checks its keys by hand: council.api_args does');

SELECT * FROM finish();
ROLLBACK;
