-- tests/sql/25_secret_reach_secretariat.sql: issue 10 items 12 and 13.
-- R-SECRET-2, R-SECRET-3: the preview of a secret lists the members of its
-- audience that cannot receive it (no registered handler, opted out of
-- secrets), apart and not counted as readers; a secret that none of its
-- audience beyond the author's organisation can receive is refused
-- (secret_no_recipient_can_receive), in SQL and in the API's JSON.
-- R-ORG-6: the general-affairs secretariat reads what others write only
-- through an access case: it does not read replies in its own threads,
-- replies only to its own posts (not to a post a case shows it), asks for
-- no feedback, reads no tally (comments included) and gives no feedback.
-- Same fixtures as 10_sharing_rules (tr-univ: no registered handler;
-- tr-optout: opted out of secrets); everything is rolled back.
BEGIN;
SELECT plan(34);
\ir fixtures/sharing.psql

CREATE FUNCTION pg_temp.preview(who text, secret boolean, scope jsonb, parent text DEFAULT NULL)
    RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN council.audience_preview('report', 't', 'b', secret, false,
        CASE WHEN parent IS NULL THEN scope END, '[]', '{}', pg_temp.p(parent))::jsonb;
END $$;
-- The slugs of the organisations of a preview's list k, sorted.
CREATE FUNCTION pg_temp.slugs(j jsonb, k text) RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(t.slug || coalesce(':' || (x->>'reason'), '') ORDER BY t.slug), '{}')
    FROM jsonb_array_elements(j->k) x JOIN pg_temp.t_orgs t ON t.id = (x->>'id')::bigint
    WHERE t.slug LIKE 'tr-%' $$;
CREATE FUNCTION pg_temp.nposts() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT count(*) FROM council.posts $$;
GRANT EXECUTE ON FUNCTION pg_temp.nposts() TO council_app;

SELECT pg_temp.nposts() AS n0 \gset
SET LOCAL ROLE council_app;

-- R-SECRET-2, R-SECRET-3: the preview and the refusal. ------------------------------
SELECT is(pg_temp.slugs(pg_temp.preview('bank-h', true, pg_temp.orgs('tr-univ', 'tr-power', 'tr-optout')), 'orgs'),
    '{tr-bank,tr-power}'::text[],
    'R-SECRET-2/3: the preview of a secret names as readers only the members that can receive it (and the author)');
SELECT is((pg_temp.preview('bank-h', true, pg_temp.orgs('tr-univ', 'tr-power', 'tr-optout'))->>'count'), '2',
    '... and counts only them');
SELECT is(pg_temp.slugs(pg_temp.preview('bank-h', true, pg_temp.orgs('tr-univ', 'tr-power', 'tr-optout')), 'secret_unreachable'),
    '{tr-optout:secret_opt_out,tr-univ:no_handler}'::text[],
    'R-SECRET-2/3: it lists apart the members that cannot, each with its reason: no registered handler, opted out of secrets');
SELECT is(pg_temp.slugs(pg_temp.preview('bank-h', false, pg_temp.orgs('tr-univ', 'tr-power', 'tr-optout')), 'orgs'),
    '{tr-bank,tr-optout,tr-power,tr-univ}'::text[],
    'a post that is not secret reaches them all: all are readers');
SELECT is(pg_temp.preview('bank-h', false, pg_temp.orgs('tr-univ', 'tr-optout'))->'secret_unreachable',
    '[]'::jsonb, '... and nobody is listed as unable to receive it');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.create_post('report', 't', 'b', true, p_scope => %L)$$,
          pg_temp.orgs('tr-univ'))), 'CP422 secret_no_recipient_can_receive',
    'R-SECRET-2: a secret scoped only to a member without a registered handler is refused');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.create_post('report', 't', 'b', true, p_scope => %L)$$,
          pg_temp.orgs('tr-optout'))), 'CP422 secret_no_recipient_can_receive',
    'R-SECRET-3: ... so is one scoped only to a member that opted out of secrets');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.create_post('report', 't', 'b', true, p_scope => %L)$$,
          pg_temp.orgs('tr-univ', 'tr-optout'))), 'CP422 secret_no_recipient_can_receive',
    'R-SECRET-2/3: ... and one whose whole audience beyond the author is such members');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.audience_preview('report', 't', 'b', true, false, %L)$$,
          pg_temp.orgs('tr-univ', 'tr-optout'))), 'CP422 secret_no_recipient_can_receive',
    '... which the preview says too');
SELECT is(pg_temp.val('bank-h', format($$SELECT status || ' ' || body FROM council.api_create_post(%L, NULL)$$,
          json_build_object('kind', 'report', 'title', 't', 'body', 'b', 'secret', true,
                            'scope', pg_temp.orgs('tr-univ', 'tr-optout'))::text)),
    '422 {"error" : "secret_no_recipient_can_receive"}', 'the API answers 422 with the stable code');
SELECT is(pg_temp.nposts(), :n0::bigint, '... and nothing was stored');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.create_post('report', 't', 'b', true, p_scope => %L)$$,
          pg_temp.orgs('tr-univ', 'tr-power'))), 'no error',
    'R-SECRET-2: a secret one of whose members can receive it is accepted');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.create_post('report', 't', 'b', false, p_scope => %L)$$,
          pg_temp.orgs('tr-univ'))), 'no error',
    'a post that is not secret, to a member without handlers, is accepted');
SELECT pg_temp.post('s_thread', 'bank-h', 'report', true, pg_temp.orgs('tr-univ', 'tr-power'));
SELECT is(pg_temp.slugs(pg_temp.preview('power-h', true, NULL, 's_thread'), 'secret_unreachable'),
    '{tr-univ:no_handler}'::text[], 'R-SECRET-2: the preview of a reply to a secret names its thread''s members that cannot read it');
SELECT is(pg_temp.slugs(pg_temp.preview('power-h', true, NULL, 's_thread'), 'orgs'),
    '{tr-bank,tr-power}'::text[], '... and the rest as readers');
RESET ROLE;
UPDATE council.handler_registrations SET deregistered_at = now()
WHERE person_id = (SELECT person_id FROM pg_temp.t_people WHERE k = 'power-h')
  AND deregistered_at IS NULL;
SET LOCAL ROLE council_app;
SELECT is(pg_temp.slugs(pg_temp.preview('bank-h', true, pg_temp.orgs('tr-univ', 'tr-power', 'tr-bank2')), 'secret_unreachable'),
    '{tr-power:no_handler,tr-univ:no_handler}'::text[],
    'R-ORG-4: a member whose last handler''s registration ended has no registered handler');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.create_post('report', 't', 'b', true, p_scope => %L)$$,
          pg_temp.orgs('tr-univ', 'tr-power'))), 'CP422 secret_no_recipient_can_receive',
    '... so a secret to it and the university reaches nobody: refused');

-- R-ORG-6: the secretariat in its own threads. ---------------------------------------
SELECT pg_temp.post('s_alert', 'sec-a', 'alert', false, '[{"class": "all_members"}]');
SELECT pg_temp.post('s_reply_bank', 'bank-h', 'report', false, NULL, parent => 's_alert');
SELECT pg_temp.post('s_other', 'bank2-h', 'report', false, '[{"class": "all_members"}]');
SELECT is(pg_temp.sees('sec-a', 's_alert'), true, 'R-ORG-6: the secretariat reads its own post');
SELECT is(pg_temp.sees('sec-a', 's_reply_bank'), false,
    'R-ORG-6: it does not read a reply in its own thread without an access case');
SELECT is(pg_temp.err('sec-a', format('SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => %s)', pg_temp.p('s_alert'))),
    'no error', 'R-ORG-6: it may post a follow-up to its own post');
SELECT is(pg_temp.err('sec-a', format('SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => %s)', pg_temp.p('s_reply_bank'))),
    pg_temp.err('sec-a', 'SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => 999999999)'),
    'R-ORG-6: a reply to a reply it cannot read fails like a reply to an absent post');
SELECT pg_temp.as_('sec-a');
SELECT council.open_access_case('arbitrating a dispute about the alert',
    ARRAY[pg_temp.p('s_reply_bank'), pg_temp.p('s_other')], now() + interval '1 day') AS case1 \gset
SELECT lives_ok(format($$SELECT pg_temp.as_('cmt'); SELECT council.approve_access_case(%s)$$, :case1),
    'a committee member approves the access case');
SELECT is(pg_temp.sees('sec-a', 's_reply_bank') AND pg_temp.sees('sec-a', 's_other'), true,
    'R-ORG-6: through the approved case it reads the reply and the other post');
SELECT is(pg_temp.err('sec-a', format('SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => %s)', pg_temp.p('s_reply_bank'))),
    'CP403 secretariat_replies_to_own_posts_only',
    'R-ORG-6: but a case is for reading: it does not reply to the reply in its own thread');
SELECT is(pg_temp.err('sec-a', format('SELECT council.create_post(''report'', ''t'', ''b'', false, p_parent => %s)', pg_temp.p('s_other'))),
    'CP403 secretariat_replies_to_own_posts_only', '... nor to another''s post a case shows it');

-- R-ORG-6: task-force feedback, even were the secretariat in the task force.
RESET ROLE;
UPDATE council.organisations SET tf_class = 'type1' WHERE id = pg_temp.o('@secretariat');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('sec-a', $$SELECT council.create_post('analysis', 't', 'b', false, p_scope => '[{"class": "task_force"}]', p_deadline => now() + interval '1 day')$$),
    'CP422 feedback_deadline_not_allowed',
    'R-ORG-6: the secretariat does not ask for feedback (it could not read the answers)');
SELECT pg_temp.post('s_an', 'sec-a', 'analysis', false, '[{"class": "task_force"}]');
SELECT pg_temp.post('v_an', 'v1-h', 'analysis', false, '[{"class": "task_force"}]');
RESET ROLE;
-- As if it had asked before this rule: a deadline set behind its back.
UPDATE council.posts SET feedback_deadline = now() + interval '1 day'
WHERE id IN (pg_temp.p('s_an'), pg_temp.p('v_an'));
SET LOCAL ROLE council_app;
SELECT is(pg_temp.err('v1-h', format($$SELECT council.give_feedback(%s, 'expert', 'the C2 is on 192.0.2.7')$$, pg_temp.p('s_an')))
          || ' / ' || pg_temp.err('v2-h', format($$SELECT council.give_feedback(%s, 'seen')$$, pg_temp.p('s_an'))),
    'no error / no error', 'the task force answers it, with an expert comment');
SELECT is(pg_temp.err('sec-a', format('SELECT council.feedback_tally(%s)', pg_temp.p('s_an'))),
    'CP403 feedback_not_for_the_secretariat',
    'R-ORG-6: the secretariat does not read the tally of its own post, its comments included');
SELECT is(pg_temp.val('sec-a', format($$SELECT status || ' ' || body FROM council.api_read('feedback_tally', %s)$$, pg_temp.p('s_an'))),
    '403 {"error" : "feedback_not_for_the_secretariat"}', '... nor through the API');
SELECT is(pg_temp.val('sec-a', format('SELECT council.feedback_status(%s)', pg_temp.p('s_an'))), 'none',
    'R-ORG-6: for the secretariat its post collects nothing (the post page asks no tally)');
SELECT is(pg_temp.val('coord-h', format($$SELECT (council.feedback_tally(%s)->>'answered') || ' ' || json_array_length(council.feedback_tally(%s)->'comments')$$,
          pg_temp.p('s_an'), pg_temp.p('s_an'))), '2 1',
    'R-ORG-6: the coordinator, the system administrator, still reads it');
SELECT pg_temp.as_('sec-a');
SELECT council.open_access_case('running the council''s affairs: an analysis',
    ARRAY[pg_temp.p('v_an')], now() + interval '1 day') AS case2 \gset
SELECT lives_ok(format($$SELECT pg_temp.as_('cmt'); SELECT council.approve_access_case(%s)$$, :case2),
    'a second case shows it another''s analysis asking for feedback');
SELECT is(pg_temp.err('sec-a', format($$SELECT council.give_feedback(%s, 'seen')$$, pg_temp.p('v_an'))),
    'CP403 feedback_not_for_the_secretariat', 'R-ORG-6: it gives no feedback on what a case shows it');
SELECT is(pg_temp.err('sec-a', format('SELECT council.feedback_tally(%s)', pg_temp.p('v_an'))),
    'CP403 feedback_not_for_the_secretariat', '... and reads no tally of it');

SELECT * FROM finish();
ROLLBACK;
