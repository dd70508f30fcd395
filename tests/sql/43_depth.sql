-- tests/sql/43_depth.sql: depth by class (issue 14 item 2; R-TF-6;
-- migration 0039, policy/92_depth.sql).  A task-force post's damage and
-- method read field by field: for each class (the author, the victim, the
-- coordinator, Type 1, Type 2, a general member, a general member with
-- the author's share, the secretariat through an access case, one who
-- does not read the post) exactly which fields come back non-NULL, and
-- their values; council_app cannot read the table; only the author
-- writes, once, on a task-force participant's first post.  Same fixtures
-- as 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(50);
\ir fixtures/sharing.psql

-- A Type 1 member that writes (tr-dp), with a handler and a non-author.
INSERT INTO council.organisations (slug, name_ja, name_en, category, tf_class, status)
VALUES ('tr-dp', 'DP社', 'DP Inc.', 'cyber_business', 'type1', 'member');
INSERT INTO t_orgs SELECT slug, id FROM council.organisations WHERE slug = 'tr-dp';
INSERT INTO t_people (k, org, handler) VALUES ('dp-h', 'tr-dp', 'open'), ('dp-n', 'tr-dp', 'none');
INSERT INTO council.people (org_id, name_ja, name_en, email)
SELECT o.id, t.k, t.k, t.k || '@rules-test.example.jp'
FROM t_people t JOIN t_orgs o ON o.slug = t.org WHERE t.k IN ('dp-h', 'dp-n');
UPDATE t_people t SET person_id = p.id FROM council.people p
WHERE p.email = t.k || '@rules-test.example.jp' AND t.k IN ('dp-h', 'dp-n');
INSERT INTO council.handler_registrations (person_id, registered_at)
SELECT person_id, now() - interval '1 day' FROM t_people WHERE k = 'dp-h';
INSERT INTO council.sessions (token_hash, person_id, expires_at)
SELECT sha256(convert_to('tr-tok-' || k, 'UTF8')), person_id, now() + interval '1 hour'
FROM t_people WHERE k IN ('dp-h', 'dp-n');
UPDATE council.organisations SET name_ja = '東都銀行', name_en = 'Toto Bank TR' WHERE slug = 'tr-bank';

-- The fields of post_tf_view(lbl) that person `who` gets non-NULL, sorted
-- and joined by commas; 'none' for no row.
CREATE FUNCTION pg_temp.fields(who text, lbl text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE j jsonb;
BEGIN
    PERFORM pg_temp.as_(who);
    SELECT to_jsonb(v) INTO j FROM council.post_tf_view(pg_temp.p(lbl)) v;
    IF j IS NULL THEN
        RETURN 'none';
    END IF;
    RETURN (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_each(j) e(k, x)
            WHERE x <> 'null' AND k NOT IN ('post_id', 'depth'));
END $$;
CREATE FUNCTION pg_temp.tf(lbl text, d jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM council.post_tf_set(pg_temp.p(lbl), d);
    RETURN 'ok';
END $$;

SET LOCAL ROLE council_app;
-- dpA: every member reads the post; the victim is a member (tr-bank);
-- nothing shared with general members.
SELECT pg_temp.post('dpA', 'dp-h', 'analysis', false, '[{"class": "all_members"}]');
SELECT pg_temp.as_('dp-h');
SELECT is(pg_temp.tf('dpA', jsonb_build_object('victim_org', pg_temp.o('tr-bank'),
        'damage_occurred', true, 'damage_details', 'file servers encrypted, 3 days down',
        'attack_method', 'VPN appliance CVE-2024-0001, then RDP')), 'ok',
    'R-TF-6: the author records the details of its task-force post');
-- dpB: the victim is no member (a name, kind and sector); damage and
-- method shared with general members.
SELECT pg_temp.post('dpB', 'dp-h', 'analysis', false, '[{"class": "all_members"}]');
SELECT pg_temp.as_('dp-h');
SELECT is(pg_temp.tf('dpB', '{"victim_name": "Example Power Co.", "victim_category": "ci_operator",
        "victim_sector": "electricity", "damage_occurred": false, "damage_details": "none lost",
        "attack_method": "spear phishing", "share_general": ["attack_method", "damage_occurred"]}'),
    'ok', 'R-TF-6: ... a victim that is not a member, with a share for general members');
-- dpC: only the masked victim shared.
SELECT pg_temp.post('dpC', 'dp-h', 'analysis', false, '[{"class": "all_members"}]');
SELECT pg_temp.as_('dp-h');
SELECT is(pg_temp.tf('dpC', jsonb_build_object('victim_org', pg_temp.o('tr-power'),
        'damage_occurred', true, 'damage_details', 'SCADA HMI wiped',
        'attack_method', 'wiper', 'share_general', '["victim_masked"]'::jsonb)), 'ok',
    'R-TF-6: ... sharing only the masked victim');
-- dpT: the task force only.
SELECT pg_temp.post('dpT', 'dp-h', 'analysis', false, '[{"class": "task_force"}]');
SELECT pg_temp.as_('dp-h');
SELECT is(pg_temp.tf('dpT', '{"damage_occurred": true, "attack_method": "DDoS"}'), 'ok',
    'R-TF-6: ... with no victim named');

-- The secretariat's access case on dpA and dpB (R-ORG-6).
SELECT pg_temp.as_('sec-a');
SELECT council.open_access_case('arbitration', ARRAY[pg_temp.p('dpA'), pg_temp.p('dpB')],
    now() + interval '1 day') AS case_id \gset
SELECT pg_temp.as_('cmt');
SELECT council.approve_access_case(:case_id);

-- ---- Who reads which field (R-TF-6). -------------------------------------------------
\set full '''attack_method,damage_details,damage_occurred,share_general,victim_category,victim_name_en,victim_name_ja,victim_org,victim_sector,victim_sector_en,victim_sector_ja'''
\set type1 '''attack_method,damage_details,damage_occurred,victim_category,victim_sector,victim_sector_en,victim_sector_ja'''
SELECT is(pg_temp.fields('dp-h', 'dpA'), :full, 'R-TF-6: the author reads every field');
SELECT is(pg_temp.fields('dp-n', 'dpA'), :full, '... and so does the author''s organisation');
SELECT is(pg_temp.fields('bank-h', 'dpA'), :full, 'R-TF-6: the victim organisation reads every field');
SELECT is(pg_temp.fields('bank-n', 'dpA'), :full, '... any of its people who reads the post');
SELECT is(pg_temp.fields('coord-h', 'dpA'), :full, 'R-TF-6: the coordinator reads every field');
SELECT is(pg_temp.fields('v1-h', 'dpA'), :type1,
    'R-TF-6: Type 1: the victim masked (kind and sector, no name, no id), damage in detail, the method');
SELECT is(pg_temp.fields('v2-h', 'dpA'), 'attack_method,damage_occurred',
    'R-TF-6: Type 2: whether damage occurred and the method only');
SELECT is(pg_temp.fields('univ-n', 'dpA'), 'none', 'R-TF-6: a general member: nothing, not even a row');
SELECT is(pg_temp.fields('power-h', 'dpA'), 'none', '... another general member likewise');
SELECT is(pg_temp.fields('sec-a', 'dpA'), 'none',
    'R-ORG-6, R-TF-6: the secretariat through an access case: like a general member');
SELECT is(pg_temp.fields('sec-b', 'dpA'), 'none', 'R-ORG-6: the secretariat without a case: nothing');
SELECT ok(pg_temp.sees('univ-n', 'dpA') AND pg_temp.sees('sec-a', 'dpA') AND pg_temp.sees('v2-h', 'dpA'),
    '(those readers do read the post itself: the nulls above are the depth, not the post''s visibility)');

SELECT is(pg_temp.fields('dp-h', 'dpB'),
    'attack_method,damage_details,damage_occurred,share_general,victim_category,victim_name_en,victim_name_ja,victim_sector,victim_sector_en,victim_sector_ja',
    'R-TF-6: the author of a post naming a non-member victim: every field (no member id)');
SELECT is(pg_temp.fields('univ-n', 'dpB'), 'attack_method,damage_occurred',
    'R-TF-6: a general member reads what the author shared with general members');
SELECT is(pg_temp.fields('sec-a', 'dpB'), 'attack_method,damage_occurred',
    'R-ORG-6, R-TF-6: ... and so does the secretariat through its case');
SELECT is(pg_temp.fields('v2-h', 'dpB'), 'attack_method,damage_occurred',
    'R-TF-6: Type 2 reads the same there');
SELECT is(pg_temp.fields('v1-h', 'dpB'), :type1, 'R-TF-6: Type 1 reads its own depth there');
SELECT is(pg_temp.fields('bank-h', 'dpB'), 'attack_method,damage_occurred',
    'R-TF-6: the victim of another post is a general member here');

SELECT is(pg_temp.fields('univ-n', 'dpC'), 'victim_category,victim_sector,victim_sector_en,victim_sector_ja',
    'R-TF-6: the masked victim shared: a general member reads the kind and sector only');
SELECT is(pg_temp.fields('v2-h', 'dpC'),
    'attack_method,damage_occurred,victim_category,victim_sector,victim_sector_en,victim_sector_ja',
    'R-TF-6: what is shared with general members reaches Type 2 as well');
SELECT is(pg_temp.fields('power-h', 'dpC'), :full, 'R-TF-6: the victim (tr-power) reads every field');

SELECT is(pg_temp.fields('v2-h', 'dpT'), 'attack_method,damage_occurred',
    'R-TF-6: a task-force post without a victim: Type 2');
SELECT is(pg_temp.fields('univ-n', 'dpT'), 'none', 'a member who does not read the post: no row');
SELECT ok(NOT pg_temp.sees('univ-n', 'dpT'), '(univ-n does not read dpT)');

-- ---- Values. ----------------------------------------------------------------------------
SELECT is(pg_temp.val('v1-h', format($$SELECT victim_category || '/' || victim_sector || '/' || damage_details
                                         FROM council.post_tf_view(%s)$$, pg_temp.p('dpA'))),
    'ci_operator/finance/file servers encrypted, 3 days down',
    'R-TF-6: Type 1 reads the masked victim as its kind and sector, and the damage as written');
SELECT is(pg_temp.val('bank-h', format($$SELECT victim_name_en || '/' || victim_org FROM council.post_tf_view(%s)$$,
                                         pg_temp.p('dpA'))),
    'Toto Bank TR/' || pg_temp.o('tr-bank'), 'R-TF-6: the victim reads its own name and id');
SELECT is(pg_temp.val('v2-h', format($$SELECT depth || '/' || damage_occurred || '/' || attack_method
                                         FROM council.post_tf_view(%s)$$, pg_temp.p('dpA'))),
    'type2/true/VPN appliance CVE-2024-0001, then RDP', 'R-TF-6: Type 2 reads its depth, the damage flag and the method');
SELECT is(pg_temp.val('v2-h', format($$SELECT council.post_tf_json(%s)$$, pg_temp.p('dpA')))::jsonb,
    '{"depth": "type2", "victim_org": null, "share_general": null, "attack_method": "VPN appliance CVE-2024-0001, then RDP",
      "damage_details": null, "victim_sector": null, "victim_sector_ja": null, "victim_sector_en": null,
      "damage_occurred": true, "victim_name_en": null, "victim_name_ja": null, "victim_category": null}'::jsonb,
    'R-TF-6: the JSON (GET /api/v1/posts/N "tf") carries NULL for the fields Type 2 may not see');
SELECT is(pg_temp.val('univ-n', format('SELECT council.post_tf_json(%s)', pg_temp.p('dpT'))),
          pg_temp.val('univ-n', 'SELECT council.post_tf_json(999999999)'),
    'a hidden post''s details answer exactly like an absent post''s');

-- ---- Nobody reads the table directly. --------------------------------------------------
SELECT throws_ok($$SELECT * FROM council.post_tf_details$$, '42501', NULL,
    'R-TF-6: council_app cannot SELECT post_tf_details');
SELECT throws_ok(format($$INSERT INTO council.post_tf_details (post_id, damage_occurred, created_by)
                          VALUES (%s, true, %s)$$, pg_temp.p('dpT'),
                        (SELECT person_id FROM pg_temp.t_people WHERE k = 'dp-h')),
    '42501', NULL, 'R-TF-6: ... nor INSERT into it');
SELECT is(pg_temp.err('v2-h', format('SELECT council.tf_depth(%s, NULL)', pg_temp.p('dpA'))),
    '42501 permission denied for function tf_depth', 'R-TF-6: council_app cannot ask the depth helper');

-- ---- Who writes. -----------------------------------------------------------------------
SELECT is(pg_temp.err('v1-h', format($$SELECT council.post_tf_set(%s, '{"damage_occurred": true}')$$, pg_temp.p('dpA'))),
    'CP403 not_the_author', 'R-TF-6: a Type 1 member that did not write the post cannot write its details');
SELECT is(pg_temp.err('dp-n', format($$SELECT council.post_tf_set(%s, '{"damage_occurred": true}')$$, pg_temp.p('dpA'))),
    'CP403 not_the_author', '... nor can another person of the author''s organisation');
SELECT is(pg_temp.err('coord-h', format($$SELECT council.post_tf_set(%s, '{"damage_occurred": true}')$$, pg_temp.p('dpA'))),
    'CP403 not_the_author', '... nor the coordinator');
SELECT is(pg_temp.err('univ-n', format($$SELECT council.post_tf_set(%s, '{"damage_occurred": true}')$$, pg_temp.p('dpT'))),
          pg_temp.err('univ-n', $$SELECT council.post_tf_set(999999999, '{"damage_occurred": true}')$$),
    'a post the caller does not read is answered like an absent one');
SELECT is(pg_temp.err('dp-h', format($$SELECT council.post_tf_set(%s, '{"damage_occurred": false}')$$, pg_temp.p('dpA'))),
    'CP422 tf_details_exist', 'R-TF-6: the details are written once');
SELECT is(pg_temp.err('dp-h', format($$SELECT council.post_tf_set(%s, '{"damage_occurred": true, "attack_method": "DDoS"}')$$, pg_temp.p('dpT'))),
    'no error', 'the same details again (a retried submission) change nothing');
SELECT pg_temp.post('bankP', 'bank-h', 'analysis', false, '[{"class": "all_members"}]');
SELECT is(pg_temp.err('bank-h', format($$SELECT council.post_tf_set(%s, '{"damage_occurred": true}')$$, pg_temp.p('bankP'))),
    'CP403 not_in_task_force', 'R-TF-1, R-TF-6: a general member''s post carries no task-force details');
SELECT pg_temp.post('dpR', 'dp-h', 'analysis', false, NULL, parent => 'dpA');
SELECT is(pg_temp.err('dp-h', format($$SELECT council.post_tf_set(%s, '{"damage_occurred": true}')$$, pg_temp.p('dpR'))),
    'CP422 tf_details_on_reply', 'R-TF-6: a reply carries none (its thread''s first post does)');
SELECT pg_temp.post('dpE', 'dp-h', 'analysis', false, '[{"class": "task_force"}]');
SELECT is(pg_temp.err('dp-h', format($$SELECT council.post_tf_set(%s, '{"victim_org": 999999999, "damage_occurred": true}')$$, pg_temp.p('dpE'))),
    'CP404 organisation_not_found', 'a victim id that is no member is refused like an absent one');
SELECT is(pg_temp.err('dp-h', format($$SELECT council.post_tf_set(%s, '{"damage_occurred": true, "share_general": ["victim_name"]}')$$, pg_temp.p('dpE'))),
    'CP422 invalid_share', 'R-TF-6: the victim''s name cannot be shared with general members');
SELECT is(pg_temp.err('dp-h', format($$SELECT council.post_tf_set(%s, '{"attack_method": "x"}')$$, pg_temp.p('dpE'))),
    'CP422 damage_occurred_required', 'whether damage occurred is always stated');
SELECT is(pg_temp.err('dp-h', format($$SELECT council.post_tf_set(%s, '{"damage_occurred": true, "victim_name": "X", "victim_category": "ci_operator", "victim_sector": "nowhere"}')$$, pg_temp.p('dpE'))),
    'CP422 invalid_victim_sector', 'a sector must exist');
SELECT is(pg_temp.fields('dp-h', 'dpE'), 'none', '(the refused writes left nothing)');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'post.tf_details'
           AND object_id IN (SELECT id FROM pg_temp.t_posts)), 4,
    'each recorded set of details is audited, the refused ones are not');

SELECT * FROM finish();
ROLLBACK;
