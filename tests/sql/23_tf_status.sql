-- tests/sql/23_tf_status.sql: task-force admission and the status review
-- (policy/74_tf_status.sql, issue 5; R-TF-2, R-TF-3, R-TF-4, R-TF-5,
-- R-TF-9): the Type 1 group decides by the TF's rule stored as data, at
-- exactly half (fails) and half + 1 (meets); votes changed and votes too
-- late; no vote on one's own status; a foreign applicant refused until the
-- steering committee's special approval; a review that finds a member
-- below the thresholds and revokes its status.  Same fixtures as
-- 10_sharing_rules.  Everything is rolled back.
BEGIN;
SELECT plan(32);
\ir fixtures/sharing.psql

-- The Type 1 group for these tests: the coordinator, tr-vendor1, tr-univ
-- and tr-optout (4); every other Type 1 organisation is set aside.
UPDATE council.organisations SET tf_class = 'none'
WHERE tf_class = 'type1' AND council_role IS NULL AND slug NOT IN ('tr-vendor1');
UPDATE council.organisations SET tf_class = 'type1' WHERE slug IN ('tr-univ', 'tr-optout');
UPDATE council.people SET is_org_admin = true
WHERE email IN ('bank-h@rules-test.example.jp', 'univ-n@rules-test.example.jp',
                'power-h@rules-test.example.jp');
CREATE FUNCTION pg_temp.due(d bigint) RETURNS integer LANGUAGE sql SECURITY DEFINER AS $$
    UPDATE council.tf_decisions SET closes_at = now() - interval '1 second' WHERE id = d;
    SELECT council.tf_close_due() $$;
CREATE FUNCTION pg_temp.row_(d bigint) RETURNS council.tf_decisions LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT * FROM council.tf_decisions WHERE id = d $$;
CREATE FUNCTION pg_temp.cls(s text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT tf_class::text FROM council.organisations WHERE slug = s $$;
CREATE FUNCTION pg_temp.vote(d bigint, c text, VARIADIC who text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE k text;
BEGIN
    FOREACH k IN ARRAY who LOOP
        PERFORM pg_temp.as_(k);
        PERFORM council.tf_vote(d, c);
    END LOOP;
END $$;
CREATE TEMP TABLE t_d (label text PRIMARY KEY, id bigint);
GRANT SELECT, INSERT ON t_d TO council_app;
CREATE FUNCTION pg_temp.d(l text) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT id FROM pg_temp.t_d WHERE label = l $$;
SET LOCAL ROLE council_app;

-- R-TF-3: applying. -------------------------------------------------------------
SELECT is(pg_temp.err('bank-n', $$SELECT council.tf_apply('type2')$$), 'CP403 not_org_admin',
          'R-TF-3: only an administrator applies, for its own organisation');
SELECT is(pg_temp.err('bank-h', $$SELECT council.tf_apply('type3')$$), 'CP422 invalid_class', 'Type 1 or Type 2 only');
INSERT INTO t_d SELECT 'a1', pg_temp.val('bank-h', $$SELECT council.tf_apply('type2', 'we answer within a day')$$)::bigint;
SELECT is((pg_temp.row_(pg_temp.d('a1'))).status, 'pending', 'R-TF-3: a member applies for Type 2');
SELECT is(pg_temp.err('bank-h', $$SELECT council.tf_apply('type1')$$), 'CP409 decision_pending',
          'one decision at a time per member');
SELECT is(pg_temp.err('v1-h', format($$SELECT council.tf_open(%s, now() + interval '1 day')$$, pg_temp.d('a1'))),
          'CP403 not_tf_secretariat', 'a Type 1 member does not open the poll');
SELECT is(pg_temp.err('coord-h', format($$SELECT council.tf_open(%s, now() + interval '1 day')$$, pg_temp.d('a1'))),
          'no error', 'the TF''s secretariat (JPCERT/CC) opens it');
SELECT is(pg_temp.err('bank2-h', format($$SELECT council.tf_vote(%s, 'yes')$$, pg_temp.d('a1'))),
          pg_temp.err('bank2-h', $$SELECT council.tf_vote(999999999, 'yes')$$),
          'R-TF-9: a general member cannot vote, nor see the decision: as if absent');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.tf_vote(%s, 'yes')$$, pg_temp.d('a1'))),
          'CP403 not_type1_group', 'R-TF-2: the applicant, outside the Type 1 group, has no vote');
SELECT pg_temp.vote(pg_temp.d('a1'), 'yes', 'v1-h', 'coord-h');
SELECT pg_temp.due(pg_temp.d('a1'));
SELECT is(concat_ws(' ', (pg_temp.row_(pg_temp.d('a1'))).status,
                    (pg_temp.row_(pg_temp.d('a1'))).result->'quorum'->>'numerator',
                    (pg_temp.row_(pg_temp.d('a1'))).result->'quorum'->>'denominator',
                    (pg_temp.row_(pg_temp.d('a1'))).result->>'reason',
                    (pg_temp.row_(pg_temp.d('a1'))).result->>'rule_code'),
          'failed 2 4 no_quorum tf.admission',
          'R-TF-3: exactly half of the Type 1 group taking part (2 of 4) is no quorum under tf.admission (> 1/2)');
SELECT is(pg_temp.cls('tr-bank'), 'none', '... and the status is unchanged');
SELECT is(pg_temp.err('v1-h', format($$SELECT council.tf_vote(%s, 'no')$$, pg_temp.d('a1'))),
          'CP409 poll_not_open', 'a vote after the close is refused');

INSERT INTO t_d SELECT 'a2', pg_temp.val('bank-h', $$SELECT council.tf_apply('type2')$$)::bigint;
SELECT pg_temp.as_('coord-h');
SELECT council.tf_open(pg_temp.d('a2'), now() + interval '1 day');
SELECT pg_temp.vote(pg_temp.d('a2'), 'yes', 'coord-h');
SELECT pg_temp.vote(pg_temp.d('a2'), 'no', 'coord-h');
SELECT is(pg_temp.val('coord-h', format($$SELECT council.tf_vote(%s, 'yes')$$, pg_temp.d('a2'))), '3',
          'a vote changed twice before the close: version 3');
SELECT pg_temp.vote(pg_temp.d('a2'), 'yes', 'v1-h', 'univ-n');
SELECT pg_temp.due(pg_temp.d('a2'));
SELECT is(concat_ws(' ', (pg_temp.row_(pg_temp.d('a2'))).status,
                    (pg_temp.row_(pg_temp.d('a2'))).result->'quorum'->>'numerator',
                    (pg_temp.row_(pg_temp.d('a2'))).result->'pass'->>'numerator',
                    (pg_temp.row_(pg_temp.d('a2'))).result->'pass'->>'denominator',
                    (pg_temp.row_(pg_temp.d('a2'))).result->>'rule_version'),
          'passed 3 3 3 1', 'R-TF-3: half + 1 taking part (3 of 4), all in favour: admitted, under rule version 1');
SELECT is(pg_temp.cls('tr-bank'), 'type2', '... the member is Type 2 at once');
SELECT is(pg_temp.val('bank-h', format($$SELECT council.tf_decision(%s)->>'status'$$, pg_temp.d('a2'))), 'passed',
          'the applicant sees the outcome');
SELECT is(pg_temp.val('bank2-h', 'SELECT count(*) FROM council.tf_decisions'), '0',
          'R-TF-9: another member sees no TF decision');
SELECT is(pg_temp.val('bank2-h', 'SELECT count(*) FROM council.tf_ballots'), '0', '... nor any vote');

-- R-TF-4: a foreign member, refused until the committee's special approval.
RESET ROLE;
UPDATE council.organisations SET foreign_status = true WHERE slug = 'tr-power';
SET LOCAL ROLE council_app;
INSERT INTO t_d SELECT 'f1', pg_temp.val('power-h', $$SELECT council.tf_apply('type1')$$)::bigint;
SELECT is(concat_ws(' | ', (pg_temp.row_(pg_temp.d('f1'))).status, (pg_temp.row_(pg_temp.d('f1'))).refusal),
          'refused | R-TF-4: foreign status without the steering committee''s special approval',
          'R-TF-4: a foreign-status member is refused at once, the reason recorded');
SELECT is(pg_temp.err('coord-h', format($$SELECT council.tf_open(%s, now() + interval '1 day')$$, pg_temp.d('f1'))),
          'CP409 not_pending', '... and no poll is opened on it');
SELECT is(pg_temp.err('cmt', format($$SELECT council.sc_motion_create('foreign_approval', 't', '', %s)$$, pg_temp.o('tr-bank'))),
          'CP422 subject_not_foreign', 'a special approval is only for a foreign member');
INSERT INTO t_d SELECT 'sc', pg_temp.val('cmt', format($$SELECT council.sc_motion_create('foreign_approval',
    'special approval: long trusted contribution', '', %s)$$, pg_temp.o('tr-power')))::bigint;
RESET ROLE;
UPDATE council.sc_motions SET status = 'passed', closed_at = now(), result = '{"passed": true}', effect = '{}',
    chair_window_ends = now() + interval '72 hours', opened_by = created_by, opened_at = now(),
    closes_at = now(), quorum_open = '{}',
    rule_id = (SELECT id FROM council.decision_rules WHERE code = 'sc.ordinary' ORDER BY version LIMIT 1)
WHERE id = pg_temp.d('sc');
UPDATE council.sc_motions SET effect = council.sc__effect(x) FROM council.sc_motions x
WHERE council.sc_motions.id = pg_temp.d('sc') AND x.id = pg_temp.d('sc');
SELECT is((SELECT foreign_approved FROM council.organisations WHERE slug = 'tr-power'), true,
          'R-TF-4: the steering committee''s passed motion specially approves it');
SET LOCAL ROLE council_app;
INSERT INTO t_d SELECT 'f2', pg_temp.val('power-h', $$SELECT council.tf_apply('type1')$$)::bigint;
SELECT is((pg_temp.row_(pg_temp.d('f2'))).status, 'pending', '... after which its application proceeds');

-- R-TF-5: the status review. -------------------------------------------------------
SELECT is(pg_temp.err('v1-h', $$SELECT council.tf_review(now() - interval '30 days', now())$$),
          'CP403 not_tf_secretariat', 'only the TF''s secretariat runs a review');
INSERT INTO t_d SELECT 'rv', (pg_temp.val('coord-h', $$SELECT council.tf_review(now() - interval '30 days', now())$$)::jsonb->>'id')::bigint;
RESET ROLE;
SELECT is((SELECT string_agg((l->>'org')::bigint || ':' || (l->>'meets'), ',' ORDER BY (l->>'org')::bigint)
           FROM council.tf_reviews r, jsonb_array_elements(r.lines) l
           WHERE r.id = pg_temp.d('rv') AND (l->>'org')::bigint IN (pg_temp.o('tr-bank'), pg_temp.o('tr-vendor1'))),
          least(pg_temp.o('tr-bank'), pg_temp.o('tr-vendor1')) || ':' ||
              CASE WHEN pg_temp.o('tr-bank') < pg_temp.o('tr-vendor1') THEN 'true' ELSE 'false' END || ',' ||
          greatest(pg_temp.o('tr-bank'), pg_temp.o('tr-vendor1')) || ':' ||
              CASE WHEN pg_temp.o('tr-bank') < pg_temp.o('tr-vendor1') THEN 'false' ELSE 'true' END,
          'R-TF-5: the review finds the Type 1 member with no original post below the threshold; the Type 2 member owing nothing meets it');
INSERT INTO t_d SELECT 'rev', id FROM council.tf_decisions
WHERE review_id = pg_temp.d('rv') AND org_id = pg_temp.o('tr-vendor1');
SELECT is((pg_temp.row_(pg_temp.d('rev'))).kind, 'revocation', '... and puts its revocation to the Type 1 group');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('coord-h');
SELECT council.tf_open(pg_temp.d('rev'), now() + interval '1 day');
SELECT is(pg_temp.err('v1-h', format($$SELECT council.tf_vote(%s, 'no')$$, pg_temp.d('rev'))),
          'CP403 own_decision', 'R-TF-3: a member has no vote on its own status');
SELECT pg_temp.vote(pg_temp.d('rev'), 'yes', 'coord-h', 'univ-n', 'optout-h');
SELECT pg_temp.due(pg_temp.d('rev'));
SELECT is(concat_ws(' ', (pg_temp.row_(pg_temp.d('rev'))).status,
                    (pg_temp.row_(pg_temp.d('rev'))).result->'quorum'->>'denominator'),
          'passed 3', 'R-TF-5: the group (3 without the member concerned) revokes the status');
SELECT is(pg_temp.cls('tr-vendor1'), 'none', '... which ends at once: no free riding');

-- R-TF-9: the task force amends its own rules. ------------------------------------
CREATE TEMP TABLE t_tfr AS SELECT v.version AS v0, v.body AS b0 FROM council.document_versions v
    JOIN council.documents d ON d.id = v.document_id WHERE d.slug = 'tf-rules' ORDER BY v.version DESC LIMIT 1;
GRANT SELECT ON t_tfr TO council_app;
SELECT is(pg_temp.err('bank2-h', format($$SELECT council.tf_propose_amendment(%s, 'x')$$,
              (SELECT id FROM council.documents WHERE slug = 'tf-rules'))),
          'CP403 not_type1_group', 'R-TF-9: a member outside the task force''s Type 1 group cannot propose it');
SELECT is(pg_temp.err('univ-n', format($$SELECT council.tf_propose_amendment(%s, 'x')$$,
              (SELECT id FROM council.documents WHERE slug = 'rules'))),
          'CP422 document_not_owned', '... nor amend the Rules, the general assembly''s');
INSERT INTO t_d SELECT 'am', pg_temp.val('univ-n', format($$SELECT council.tf_propose_amendment(%s, %L)$$,
    (SELECT id FROM council.documents WHERE slug = 'tf-rules'), (SELECT b0 FROM t_tfr) || E'\n第10条 この規則は決定の日から施行する。'))::bigint;
SELECT pg_temp.as_('coord-h');
SELECT council.tf_open(pg_temp.d('am'), now() + interval '1 day');
SELECT pg_temp.vote(pg_temp.d('am'), 'yes', 'coord-h', 'univ-n', 'optout-h');
SELECT pg_temp.due(pg_temp.d('am'));
RESET ROLE;
SELECT is((SELECT concat_ws(' ', v.version - (SELECT v0 FROM t_tfr), v.adopted_by_tf = pg_temp.d('am'),
                            right(v.body, 8))
           FROM council.document_versions v JOIN council.documents d ON d.id = v.document_id
           WHERE d.slug = 'tf-rules' ORDER BY v.version DESC LIMIT 1),
          '1 t 日から施行する。', 'R-TF-9: the Type 1 group''s decision makes the text the TF rules'' next version');
SELECT is((SELECT array_agg(DISTINCT action ORDER BY action) FROM council.audit_log
           WHERE object_type = 'tf_decision' AND object_id IN (SELECT id FROM t_d)),
          ARRAY['tf.apply', 'tf.ballot', 'tf.count', 'tf.open', 'tf.propose'],
          'every application, opening, vote and count is in the audit log');

SELECT * FROM finish();
ROLLBACK;
