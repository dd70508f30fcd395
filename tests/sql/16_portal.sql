-- tests/sql/16_portal.sql: what the member portal adds (policy/60_feedback.sql,
-- 61_compose.sql, 15_api.sql; issue 4): private advice on consultations (R-SHARE-1), task-force
-- feedback, obligations and the ledger (R-TF-1, R-TF-5), the audience
-- preview, idempotent submissions and the JSON API's write calls.  Same
-- fixtures and helpers as 10_sharing_rules.  Everything is rolled back.
BEGIN;
SELECT plan(64);
\ir fixtures/sharing.psql

CREATE FUNCTION pg_temp.aud(lbl text) RETURNS text[] LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT coalesce(array_agg(coalesce(t.slug, '#' || a.org_id) ORDER BY coalesce(t.slug, '#' || a.org_id)), '{}')
    FROM council.post_audience a
    LEFT JOIN (SELECT DISTINCT ON (id) id, slug FROM pg_temp.t_orgs ORDER BY id, slug) t
           ON t.id = a.org_id
    WHERE a.post_id = pg_temp.p(lbl) $$;
-- A post asking for feedback by `deadline`, as `who`.
CREATE FUNCTION pg_temp.fpost(lbl text, who text, kind council.post_kind, scope jsonb,
    deadline timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    PERFORM pg_temp.as_(who);
    v := council.create_post(p_kind => kind, p_title => lbl, p_body => 'body of ' || lbl,
        p_is_secret => false, p_scope => scope,
        p_confidence => CASE WHEN kind = 'countermeasure' THEN 'high' END,
        p_deadline => deadline);
    INSERT INTO pg_temp.t_posts VALUES (lbl, v, false);
    RETURN v;
END $$;
-- Strip the id out of an error (hidden and absent ids give the same text).
CREATE FUNCTION pg_temp.e(who text, q text) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.err(who, q) $$;

SET LOCAL ROLE council_app;

-- R-SHARE-1: a masked consultation to the Type 1 group, and advice. -------------
SELECT pg_temp.post('cons', 'bank-h', 'consultation', false, '[{"class": "type1_group"}]',
                    masked => true);
SELECT pg_temp.post('adv1', 'v1-h', 'report', false, NULL, parent => 'cons');
SELECT pg_temp.post('adv2', 'coord-h', 'report', false, NULL, parent => 'cons');
SELECT pg_temp.post('ans1', 'bank-h', 'report', false, NULL, parent => 'adv1');
SELECT pg_temp.post('add1', 'bank-h', 'report', false, NULL, parent => 'cons');

SELECT ok('tr-vendor1' = ANY (pg_temp.aud('cons')), 'R-SHARE-1: the Type 1 group receives the consultation');
SELECT is(pg_temp.aud('adv1'), ARRAY['tr-bank', 'tr-vendor1'],
          'R-SHARE-1: advice reaches only the consulting member and the adviser');
SELECT ok(NOT pg_temp.sees('v1-h', 'adv2') AND pg_temp.sees('bank-h', 'adv2'),
          'R-SHARE-1: one adviser does not see another''s advice; the consulting member sees both');
SELECT ok(pg_temp.sees('coord-h', 'adv1'), 'R-ORG-6: the coordinator sees every advice thread');
SELECT is(pg_temp.aud('ans1'), ARRAY['tr-bank', 'tr-vendor1'],
          'R-SHARE-1: the consulting member''s answer stays in the private thread');
SELECT ok(pg_temp.sees('v1-h', 'add1'),
          'R-SHARE-1: the consulting member''s own addendum reaches the whole consultation scope');
SELECT is(pg_temp.val('v1-h', format('SELECT council.post_author_org(%s)', pg_temp.p('cons'))), 'NULL',
          'R-TF-6: the adviser does not learn who consults (masked)');
SELECT is(pg_temp.val('v1-h', format(
    $$SELECT (council.audience_preview('report', 't', 'b', false, false, NULL, '[]', '{}', %s)->>'masked_member')$$,
    pg_temp.p('cons'))), 'true',
    'R-TF-6: the preview of an advice says a masked member reads it ...');
SELECT is(pg_temp.val('v1-h', format(
    $$SELECT json_agg(x->>'id')::text FROM json_array_elements(council.audience_preview('report', 't', 'b', false, false, NULL, '[]', '{}', %s)->'orgs') x$$,
    pg_temp.p('cons'))), format('["%s"]', pg_temp.o('tr-vendor1')),
    '... and names only the adviser''s own organisation');

-- R-SHARE-1: a consultation with no chosen scope goes to the Type 1 group only.
SELECT pg_temp.post('cons_default', 'bank-h', 'consultation', false, NULL);
SELECT ok(pg_temp.sees('v1-h', 'cons_default') AND NOT pg_temp.sees('power-h', 'cons_default')
          AND NOT pg_temp.sees('v2-h', 'cons_default'),
          'R-SHARE-1: an unscoped consultation reaches the Type 1 group, not every member');
-- Text is sanitised on the way in.
SELECT alike(pg_temp.err('bank-h', $$SELECT council.create_post('report', 't', E'a\x07b', false)$$),
          '%control_characters%', 'a control character in the body is refused');
SELECT alike(pg_temp.err('bank-h', $$SELECT council.create_post('report', E't\nx', 'b', false)$$),
          '%control_characters%', 'a line break in the title is refused');
SELECT pg_temp.val('bank-h', $$SELECT council.create_post('report', 'crlf', E'a\r\nb\rc', false)$$);
SELECT is(pg_temp.val('bank-h', $$SELECT b.body FROM council.post_bodies b
          JOIN council.posts p ON p.id = b.post_id WHERE p.title = 'crlf'$$),
          E'a\nb\nc', 'line breaks are stored as LF');

-- R-TF-1: feedback with a deadline. ----------------------------------------------
SELECT pg_temp.fpost('cm', 'v1-h', 'countermeasure', '[{"class": "task_force"}]', now() + interval '1 day');
SELECT pg_temp.fpost('cm_all', 'v1-h', 'countermeasure', '[{"class": "all_members"}]', now() + interval '1 day');
SELECT pg_temp.fpost('an_t1', 'v1-h', 'analysis', '[{"class": "type1_group"}]', now() + interval '1 day');

SELECT alike(pg_temp.e('bank-h', $$SELECT council.create_post('countermeasure', 't', 'b', false, false,
    '[{"class": "task_force"}]', '[]', '{}', NULL, 'high', now() + interval '1 day')$$),
    '%feedback_deadline_not_allowed%', 'R-TF-1: only the Type 1 group asks for feedback');
SELECT alike(pg_temp.e('v1-h', $$SELECT council.create_post('countermeasure', 't', 'b', false, false,
    '[{"class": "task_force"}]', '[]', '{}', NULL, 'high', now() - interval '1 minute')$$),
    '%feedback_deadline_invalid%', 'a deadline in the past is refused');
SELECT alike(pg_temp.e('v1-h', $$SELECT council.create_post('report', 't', 'b', false, false,
    '[{"class": "task_force"}]', '[]', '{}', NULL, NULL, now() + interval '1 day')$$),
    '%feedback_deadline_not_allowed%', 'only analyses and countermeasures ask for feedback');

SELECT is(pg_temp.val('v2-h', format('SELECT council.feedback_status(%s)', pg_temp.p('cm'))), 'open',
          'R-TF-5: the Type 2 member owes an answer');
SELECT is(pg_temp.val('v2-h', 'SELECT string_agg(title, '','' ORDER BY title) FROM council.my_obligations() WHERE post_id IN (SELECT id FROM pg_temp.t_posts)'),
          'cm,cm_all', 'R-TF-5: its obligations list the posts that reached it');
SELECT is(pg_temp.val('v1-h', format('SELECT council.feedback_status(%s)', pg_temp.p('cm'))), 'collecting',
          'the author sees it collecting');
SELECT is(pg_temp.val('bank-h', format('SELECT council.feedback_status(%s)', pg_temp.p('cm_all'))), 'none',
          'a general member owes nothing');
SELECT is(pg_temp.val('bank-h', format('SELECT council.feedback_status(%s)', pg_temp.p('an_t1'))), 'NULL',
          'a hidden post has no status at all');

SELECT is(pg_temp.err('v2-h', format($$SELECT council.give_feedback(%s, 'seen', 'observed on 2 hosts')$$,
          pg_temp.p('cm'))), 'no error', 'R-TF-1: Type 2 answers "seen here" with a comment');
SELECT is(pg_temp.val('v2-h', format('SELECT council.feedback_status(%s)', pg_temp.p('cm'))), 'answered',
          '... and its status is answered');
SELECT is(pg_temp.val('v2-h', 'SELECT string_agg(title, '','' ORDER BY title) FROM council.my_obligations() WHERE post_id IN (SELECT id FROM pg_temp.t_posts)'),
          'cm_all', '... and the obligation is gone');
SELECT alike(pg_temp.err('v2-h', format($$SELECT council.give_feedback(%s, 'expert', 'x')$$, pg_temp.p('cm_all'))),
          '%expert_feedback_is_type1%', 'R-TF-1: expert feedback is the Type 1 group''s');
SELECT alike(pg_temp.err('bank-h', format($$SELECT council.give_feedback(%s, 'seen')$$, pg_temp.p('cm_all'))),
          '%feedback_is_for_the_task_force%', 'a general member cannot answer');
SELECT is(pg_temp.err('v2-h', format($$SELECT council.give_feedback(%s, 'seen')$$, pg_temp.p('an_t1'))),
          pg_temp.err('v2-h', $$SELECT council.give_feedback(999999999, 'seen')$$),
          'feedback on a hidden post fails exactly as on an absent one');
SELECT alike(pg_temp.err('v1-h', format($$SELECT council.give_feedback(%s, 'seen')$$, pg_temp.p('cm'))),
          '%feedback_on_own_post%', 'the author does not answer itself');
SELECT alike(pg_temp.err('v2-h', format($$SELECT council.give_feedback(%s, 'maybe')$$, pg_temp.p('cm_all'))),
          '%invalid_answer%', 'an unknown answer is refused');
SELECT alike(pg_temp.err('v1-h', format($$SELECT council.give_feedback(%s, 'expert', '  ')$$, pg_temp.p('cm')) ),
          '%feedback_on_own_post%', 'own post checked before the comment');
SELECT alike(pg_temp.err('coord-h', format($$SELECT council.give_feedback(%s, 'expert', '')$$, pg_temp.p('cm'))),
          '%comment_required%', 'expert feedback needs a comment');
SELECT is(pg_temp.err('coord-h', format($$SELECT council.give_feedback(%s, 'expert', 'the C2 rotates weekly')$$,
          pg_temp.p('cm'))), 'no error', 'R-TF-2: the coordinator gives expert feedback');

-- The tally: counts and comments, no names for the author (R-TF-6).
SELECT is(pg_temp.val('v1-h', format($$SELECT t->>'seen' || '/' || (t->>'expert') || '/' || (t->>'answered')
    FROM council.feedback_tally(%s) t$$, pg_temp.p('cm'))), '1/1/2', 'R-TF-1: the author sees the tally');
SELECT is(pg_temp.val('v1-h', format($$SELECT count(*) FROM json_array_elements(council.feedback_tally(%s)->'comments') c
    WHERE c->'org' IS NOT NULL AND json_typeof(c->'org') <> 'null'$$, pg_temp.p('cm'))), '0',
    'R-TF-6: ... with the comments, but not who said "seen here"');
SELECT is(pg_temp.val('v1-h', 'SELECT count(*) FROM council.feedback'), '0',
          'R-TF-6: the author cannot read the answers'' rows');
SELECT is(pg_temp.val('coord-h', format($$SELECT count(*) FROM json_array_elements(council.feedback_tally(%s)->'comments') c
    WHERE json_typeof(c->'org') = 'object'$$, pg_temp.p('cm'))), '2', 'the coordinator sees who answered');
SELECT alike(pg_temp.err('v2-h', format('SELECT council.feedback_tally(%s)', pg_temp.p('cm'))),
          '%tally_is_for_the_author%', 'another member does not see the tally');
SELECT is(pg_temp.err('bank-h', format('SELECT council.feedback_tally(%s)', pg_temp.p('an_t1'))),
          pg_temp.err('bank-h', 'SELECT council.feedback_tally(999999999)'),
          'the tally of a hidden post fails as for an absent one');

-- A changed answer: one row, every version audited.
SELECT is(pg_temp.err('v2-h', format($$SELECT council.give_feedback(%s, 'not_seen')$$, pg_temp.p('cm'))),
          'no error', 'an answer may be changed');
RESET ROLE;
SELECT is((SELECT answer::text || count(*) OVER () FROM council.feedback
           WHERE post_id = pg_temp.p('cm') AND org_id = pg_temp.o('tr-vendor2')), 'not_seen1',
          '... one row per organisation holds the latest answer');
SELECT is((SELECT count(*) FROM council.audit_log WHERE action = 'feedback.give'
           AND object_id = pg_temp.p('cm') AND org_id = pg_temp.o('tr-vendor2'))::int, 2,
          '... and the audit log keeps both versions');

-- R-TF-5: the ledger.  The coordinator's cm2 and v1's cm_all pass their
-- deadlines; v1 answers cm2 late; v2 answers neither.
SELECT pg_temp.fpost('cm2', 'coord-h', 'countermeasure', '[{"class": "task_force"}]', now() + interval '1 day');
RESET ROLE;
UPDATE council.posts SET feedback_deadline = now() - interval '1 hour'
WHERE id IN (pg_temp.p('cm_all'), pg_temp.p('cm2'));
SET LOCAL ROLE council_app;
SELECT is(pg_temp.val('v2-h', format('SELECT council.feedback_status(%s)', pg_temp.p('cm_all'))), 'overdue',
          'R-TF-5: past the deadline the obligation is overdue');
SELECT is(pg_temp.err('v1-h', format($$SELECT council.give_feedback(%s, 'unknown')$$, pg_temp.p('cm2'))),
          'no error', 'R-TF-5: a late answer is still accepted (nothing is lost)');
SELECT is(pg_temp.val('v1-h', 'SELECT l->>''due'' || ''/'' || (l->>''on_time'') || ''/'' || (l->>''missed'') FROM council.ledger() l'),
          '1/0/0', 'R-TF-5: the ledger counts it due and late');
SELECT is(pg_temp.val('v2-h', 'SELECT l->>''due'' || ''/'' || (l->>''missed'') || ''/'' || (l->>''feedback_given'') FROM council.ledger() l'),
          '2/2/1', 'R-TF-5: ... and the unanswered ones missed');
SELECT is(pg_temp.val('v1-h', 'SELECT (council.ledger()->>''original_posts'')'), '3',
          'the ledger counts original posts');
SELECT is(pg_temp.err('v2-h', format('SELECT council.ledger(%s)', pg_temp.o('tr-vendor1'))),
          pg_temp.err('v2-h', 'SELECT council.ledger(999999999)'),
          'R-TF-5: another member''s ledger is as unknown as an absent one');
SELECT is(pg_temp.val('coord-h', format('SELECT (council.ledger(%s)->>''missed'')', pg_temp.o('tr-vendor2'))), '2',
          'R-TF-5: the coordinator reads every ledger');
SELECT alike(pg_temp.err('v2-h', 'SELECT council.ledger_all()'), '%organisation_not_found%',
          'only the coordinator has the overview');
-- Issue 17: the ledger per month counts the same rows, under the same rule
-- of who may read it: its months add up to the ledger's numbers.
SELECT is(pg_temp.val('v1-h', 'SELECT (SELECT sum(due) || ''/'' || sum(on_time) || ''/'' || sum(missed) || ''/'' || count(*) FROM council.ledger_months())
                               = (SELECT (l->>''due'') || ''/'' || (l->>''on_time'') || ''/'' || (l->>''missed'') || ''/12'' FROM council.ledger() l)'),
          'true', 'issue 17: the ledger''s twelve months add up to its due, on time and missed');
SELECT is(pg_temp.val('v1-h', 'SELECT bool_and(late = due - on_time - missed) AND sum(late) >= 1 FROM council.ledger_months()'),
          'true', '... late is what was answered after the deadline (cm2)');
SELECT is(pg_temp.err('v2-h', format('SELECT council.ledger_months(%s)', pg_temp.o('tr-vendor1'))),
          pg_temp.err('v2-h', 'SELECT council.ledger_months(999999999)'),
          '... another member''s months are as unknown as an absent organisation''s');
SELECT is(pg_temp.val('coord-h', format('SELECT (SELECT sum(missed) FROM council.ledger_months(%s)) = (council.ledger(%s)->>''missed'')::numeric',
                                        pg_temp.o('tr-vendor2'), pg_temp.o('tr-vendor2'))),
          'true', '... and the coordinator reads every member''s');

-- Idempotent submissions. ---------------------------------------------------------
SELECT is(pg_temp.val('bank-h', $$SELECT council.create_post_once('key-0123456789abcdef', 'report', 'once', 'b', false)$$),
          pg_temp.val('bank-h', $$SELECT council.create_post_once('key-0123456789abcdef', 'report', 'once', 'b', false)$$),
          'a double submit returns the first post ...');
RESET ROLE;
SELECT is((SELECT count(*) FROM council.posts WHERE title = 'once')::int, 1, '... and stores one');
SET LOCAL ROLE council_app;
SELECT alike(pg_temp.err('bank-h', $$SELECT council.create_post_once('short', 'report', 'x', 'b', false)$$),
          '%invalid_submit_key%', 'a malformed key is refused');

-- The preview computes what create_post will, and stores nothing. --------------------
RESET ROLE;
CREATE TEMP TABLE t_counts AS SELECT (SELECT count(*) FROM council.posts) AS posts,
    (SELECT count(*) FROM council.audit_log) AS audit, (SELECT count(*) FROM council.post_audience) AS aud;
GRANT SELECT ON t_counts TO council_app;
SET LOCAL ROLE council_app;
SELECT is(pg_temp.val('bank-h', format($$SELECT (SELECT json_agg(x->>'id' ORDER BY (x->>'id')::bigint)
    FROM json_array_elements(council.audience_preview('report', 't', 'b', false, false,
        %L::jsonb, '[{"supervisors": true}]')->'orgs') x)::text$$, pg_temp.orgs('tr-fsa', 'tr-power', 'tr-univ'))),
    (SELECT json_agg(x::text ORDER BY x)::text FROM unnest(ARRAY[pg_temp.o('tr-bank'), pg_temp.o('tr-power'), pg_temp.o('tr-univ')]) x),
    'R-SCOPE-2: the preview lists who will read it, without the excluded supervisor');
RESET ROLE;
SELECT is(ARRAY[(SELECT count(*) FROM council.posts), (SELECT count(*) FROM council.audit_log),
                (SELECT count(*) FROM council.post_audience)],
          (SELECT ARRAY[posts, audit, aud] FROM t_counts), 'the preview stores nothing');
SET LOCAL ROLE council_app;
SELECT alike(pg_temp.err('bank-n', $$SELECT council.audience_preview('report', 't', 'b', true, false, '[{"class": "all_members"}]')$$),
          '%secret_needs_registered_handler%', 'the preview refuses what create_post refuses');

-- The JSON API's writes. ----------------------------------------------------------------
SELECT is(pg_temp.val('bank-h', $$SELECT status || ' ' || body FROM council.api_create_post('{"kind":', NULL)$$),
          '400 {"error" : "invalid_json"}', 'API: malformed JSON is 400 invalid_json');
SELECT is(pg_temp.val('bank-h', $$SELECT status || ' ' || body FROM council.api_create_post('{"kind":"report","title":"t","body":"b","secret":"no"}', NULL)$$),
          '422 {"error" : "invalid_secret"}', 'API: a field of the wrong type is named');
SELECT is(pg_temp.val('bank-h', $$SELECT status || ' ' || body FROM council.api_create_post('{"kind":"report","title":"api-nosecret","body":"b"}', NULL)$$),
          '422 {"error" : "secret_declaration_required"}', 'R-SECRET-1: API: no declaration, no post');
SELECT is(pg_temp.val('bank-h', $$SELECT status || ' ' || body FROM council.api_create_post('{"kind":"report","title":"t","body":"b","secret":false,"colour":"red"}', NULL)$$),
          '422 {"error" : "unknown_field"}', 'API: an unknown field is refused');
SELECT is(pg_temp.val('v2-h', format($$SELECT status || ' ' || body FROM council.api_give_feedback(%s, '{"answer":"seen"}')$$, pg_temp.p('an_t1'))),
          pg_temp.val('v2-h', $$SELECT status || ' ' || body FROM council.api_give_feedback(999999999, '{"answer":"seen"}')$$),
          'API: feedback on a hidden post answers as for an absent one');
SELECT * FROM finish();
ROLLBACK;
