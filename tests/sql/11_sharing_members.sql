-- tests/sql/11_sharing_members.sql: who may see posts at all: R-ORG-3
-- (withdrawn, expelled, dissolved), R-RESTRICT-1, R-ORG-8 (liaison
-- members), R-ORG-6 (the coordinator sees all, audited; the secretariat
-- only through an approved, unexpired access case, audited) and R-TF-6
-- (masked authors).  Same fixtures and helpers as 10_sharing_rules.sql;
-- posts through council.create_post, reads as council_app.
BEGIN;
SELECT plan(49);

-- Fixtures (as the superuser, no RLS). -----------------------------------------
-- Organisations "tr-*"; the coordinator and the secretariat are whichever
-- organisations hold those roles (the demo's JPCERT/CC and NISC when the
-- demo council is loaded, else two created here: council_role is unique).
INSERT INTO council.sectors (code, name_ja, name_en) VALUES
    ('finance', '金融', 'Finance'), ('electricity', '電力', 'Electricity')
ON CONFLICT DO NOTHING;
INSERT INTO council.organisations (slug, name_ja, name_en, category, council_role, tf_class, status)
VALUES ('tr-coordinator', 'x', 'x', 'other', 'coordinator', 'type1', 'member') ON CONFLICT DO NOTHING;
INSERT INTO council.organisations (slug, name_ja, name_en, category, council_role, status)
VALUES ('tr-secretariat', 'x', 'x', 'national_agency', 'secretariat', 'member') ON CONFLICT DO NOTHING;
INSERT INTO council.organisations
    (slug, name_ja, name_en, category, sector_code, tf_class, is_investigative,
     secret_opt_out, gsoc_liaison, status)
SELECT v.slug, v.slug, v.slug, v.category::council.org_category, v.sector, v.tf::council.tf_class,
       v.inv, v.optout, v.liaison, 'member'
FROM (VALUES
    ('tr-bank',       'ci_operator',      'finance',     'none',  false, false, false),
    ('tr-bank2',      'ci_operator',      'finance',     'none',  false, false, false),
    ('tr-power',      'ci_operator',      'electricity', 'none',  false, false, false),
    ('tr-fsa',        'national_agency',  NULL,          'none',  false, false, false),
    ('tr-police',     'national_agency',  NULL,          'none',  true,  false, false),
    ('tr-vendor1',    'cyber_business',   NULL,          'type1', false, false, false),
    ('tr-vendor2',    'cyber_business',   NULL,          'type2', false, false, false),
    ('tr-optout',     'academia',         NULL,          'none',  false, true,  false),
    ('tr-univ',       'academia',         NULL,          'none',  false, false, false),
    ('tr-gsoc',       'national_agency',  NULL,          'none',  false, false, false),
    ('tr-liaison',    'national_agency',  NULL,          'none',  false, false, true),
    ('tr-restricted', 'other',            NULL,          'none',  false, false, false),
    ('tr-withdrawn',  'other',            NULL,          'none',  false, false, false),
    ('tr-expelled',   'other',            NULL,          'none',  false, false, false),
    ('tr-dissolved',  'other',            NULL,          'none',  false, false, false))
    AS v(slug, category, sector, tf, inv, optout, liaison);
UPDATE council.organisations SET liaison_via = (SELECT id FROM council.organisations WHERE slug = 'tr-gsoc')
WHERE slug = 'tr-liaison';
INSERT INTO council.org_supervises (org_id, sector_code)
SELECT id, 'finance' FROM council.organisations WHERE slug = 'tr-fsa';

CREATE TEMP TABLE t_orgs (slug text PRIMARY KEY, id bigint NOT NULL);
INSERT INTO t_orgs SELECT slug, id FROM council.organisations WHERE slug LIKE 'tr-%';
INSERT INTO t_orgs SELECT '@' || council_role, id FROM council.organisations WHERE council_role IS NOT NULL;

-- People: key, organisation, handler registration (open / closed / none).
CREATE TEMP TABLE t_people (k text PRIMARY KEY, org text NOT NULL, handler text NOT NULL,
                            person_id bigint);
INSERT INTO t_people (k, org, handler) VALUES
    ('coord-h', '@coordinator', 'open'), ('coord-n', '@coordinator', 'none'),
    ('sec-a', '@secretariat', 'open'), ('sec-b', '@secretariat', 'open'),
    ('bank-h', 'tr-bank', 'open'), ('bank-n', 'tr-bank', 'none'), ('bank-d', 'tr-bank', 'closed'),
    ('bank2-h', 'tr-bank2', 'open'), ('power-h', 'tr-power', 'open'),
    ('fsa-h', 'tr-fsa', 'open'), ('cmt', 'tr-fsa', 'open'), ('police-h', 'tr-police', 'open'),
    ('v1-h', 'tr-vendor1', 'open'), ('v1-n', 'tr-vendor1', 'none'), ('v2-h', 'tr-vendor2', 'open'),
    ('optout-h', 'tr-optout', 'open'), ('univ-n', 'tr-univ', 'none'),
    ('gsoc-h', 'tr-gsoc', 'open'), ('liaison-h', 'tr-liaison', 'open'),
    ('restr-h', 'tr-restricted', 'open'), ('wd-h', 'tr-withdrawn', 'open'),
    ('exp-h', 'tr-expelled', 'open'), ('dis-h', 'tr-dissolved', 'open');
INSERT INTO council.people (org_id, name_ja, name_en, email)
SELECT o.id, t.k, t.k, t.k || '@rules-test.example.jp'
FROM t_people t JOIN t_orgs o ON o.slug = t.org;
UPDATE t_people t SET person_id = p.id FROM council.people p
WHERE p.email = t.k || '@rules-test.example.jp';
INSERT INTO council.handler_registrations (person_id, registered_at)
SELECT person_id, now() - interval '1 day' FROM t_people WHERE handler = 'open';
INSERT INTO council.handler_registrations (person_id, registered_at, deregistered_at)
SELECT person_id, now() - interval '10 days', now() - interval '1 day'
FROM t_people WHERE handler = 'closed';
-- One live session per person; token "tr-tok-<key>".
INSERT INTO council.sessions (token_hash, person_id, expires_at)
SELECT sha256(convert_to('tr-tok-' || k, 'UTF8')), person_id, now() + interval '1 hour'
FROM t_people;
-- Steering committee: an FSA person, and a secretariat person (for the
-- "approved by ANOTHER member" rule).
INSERT INTO council.committee_members (person_id)
SELECT person_id FROM t_people WHERE k IN ('cmt', 'sec-a');

-- Groups (R-NEW-2): tr-grp owned by vendor1 with bank, power and FSA;
-- tr-grp-hidden owned by power, with power only (bank cannot see it).
INSERT INTO council.groups (slug, name_ja, name_en, kind, owner_org_id)
SELECT g.slug, g.slug, g.slug, 'adhoc', o.id
FROM (VALUES ('tr-grp', 'tr-vendor1'), ('tr-grp-hidden', 'tr-power')) AS g(slug, owner)
JOIN t_orgs o ON o.slug = g.owner;
INSERT INTO council.group_members (group_id, org_id)
SELECT g.id, o.id FROM council.groups g, t_orgs o
WHERE (g.slug = 'tr-grp' AND o.slug IN ('tr-bank', 'tr-power', 'tr-fsa'))
   OR (g.slug = 'tr-grp-hidden' AND o.slug = 'tr-power');

CREATE TEMP TABLE t_groups AS SELECT slug, id FROM council.groups WHERE slug LIKE 'tr-%';
CREATE TEMP TABLE t_posts (label text PRIMARY KEY, id bigint NOT NULL, secret boolean NOT NULL);
GRANT SELECT ON t_orgs, t_people, t_groups TO council_app;
GRANT SELECT, INSERT ON t_posts TO council_app;

-- Helpers (SECURITY INVOKER: run as council_app, they see what it sees). --------
-- as_(k): act as person k, the way councild sets identity (transaction-local).
CREATE FUNCTION pg_temp.as_(who text) RETURNS void LANGUAGE sql
AS $$ SELECT set_config('council.session',
          encode(sha256(convert_to('tr-tok-' || who, 'UTF8')), 'hex'), true) $$;
CREATE FUNCTION pg_temp.nobody() RETURNS void LANGUAGE sql
AS $$ SELECT set_config('council.session', '', true) $$;
CREATE FUNCTION pg_temp.o(slug text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_orgs WHERE t_orgs.slug = o.slug $$;
CREATE FUNCTION pg_temp.g(slug text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_groups WHERE t_groups.slug = g.slug $$;
CREATE FUNCTION pg_temp.p(lbl text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.t_posts WHERE label = lbl $$;
-- A scope naming organisations: [{"org": id}, ...].
CREATE FUNCTION pg_temp.orgs(VARIADIC slugs text[]) RETURNS jsonb LANGUAGE sql STABLE
AS $$ SELECT jsonb_agg(jsonb_build_object('org', pg_temp.o(s))) FROM unnest(slugs) s $$;
CREATE FUNCTION pg_temp.srt(a text[]) RETURNS text[] LANGUAGE sql STABLE
AS $$ SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(a) x $$;
CREATE FUNCTION pg_temp.all_but(a text[]) RETURNS text[] LANGUAGE sql STABLE
AS $$ SELECT coalesce(array_agg(k ORDER BY k), '{}') FROM pg_temp.t_people WHERE k <> ALL (a) $$;
-- Create a post through council.create_post as person `who`; remember it.
CREATE FUNCTION pg_temp.post(lbl text, who text, kind council.post_kind, secret boolean,
    scope jsonb, excl jsonb DEFAULT '[]', sources text[] DEFAULT '{}',
    parent text DEFAULT NULL, masked boolean DEFAULT false) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    PERFORM pg_temp.as_(who);
    v := council.create_post(p_kind => kind, p_title => lbl, p_body => 'body of ' || lbl,
        p_is_secret => secret, p_masked => masked, p_scope => scope, p_exclusions => excl,
        p_sources => ARRAY(SELECT pg_temp.p(s) FROM unnest(sources) s),
        p_parent => pg_temp.p(parent),
        p_confidence => CASE WHEN kind = 'countermeasure' THEN 'high' END);
    INSERT INTO pg_temp.t_posts VALUES (lbl, v, secret);
    RETURN v;
END $$;
-- Does person `who` see post `lbl` (looked up by id)?
CREATE FUNCTION pg_temp.sees(who text, lbl text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN EXISTS (SELECT 1 FROM council.posts WHERE id = pg_temp.p(lbl));
END $$;
-- Every test person who sees post `lbl`, sorted.  Asking 23 people costs
-- 23 statements, so the answer for all posts is cached, keyed on a digest
-- of everything visibility depends on (taken as the superuser, below): any
-- change of audience, handlers, organisations, people, sessions, posts or
-- access cases rebuilds it.  Each person's row set comes from a scan of
-- posts; sees() above is the by-id lookup.
CREATE TEMP TABLE t_seen (k text NOT NULL, label text NOT NULL);
CREATE TEMP TABLE t_state (token text);
INSERT INTO t_state VALUES (NULL);
GRANT SELECT, INSERT, DELETE, UPDATE ON t_seen, t_state TO council_app;
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog AS $$
    SELECT md5(concat_ws('|',
        (SELECT array_agg(a.* ORDER BY a.org_id, a.post_id)::text FROM council.post_audience a),
        (SELECT array_agg(h.* ORDER BY h.id)::text FROM council.handler_registrations h),
        (SELECT array_agg(o.* ORDER BY o.id)::text FROM council.organisations o),
        (SELECT array_agg(p.* ORDER BY p.id)::text FROM council.people p),
        (SELECT array_agg(s.* ORDER BY s.id)::text FROM council.sessions s),
        (SELECT array_agg(p.* ORDER BY p.id)::text FROM council.posts p),
        (SELECT array_agg(c.* ORDER BY c.id)::text FROM council.access_cases c),
        (SELECT array_agg(c.* ORDER BY c.case_id, c.post_id)::text FROM council.access_case_posts c))) $$;
CREATE FUNCTION pg_temp.readers(lbl text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE r text; s text := pg_temp.state();
BEGIN
    IF s IS DISTINCT FROM (SELECT token FROM pg_temp.t_state) THEN
        DELETE FROM pg_temp.t_seen;
        FOR r IN SELECT k FROM pg_temp.t_people ORDER BY k LOOP
            PERFORM pg_temp.as_(r);
            INSERT INTO pg_temp.t_seen
            SELECT r, t.label FROM council.posts p JOIN pg_temp.t_posts t ON t.id = p.id;
        END LOOP;
        UPDATE pg_temp.t_state SET token = s;
    END IF;
    RETURN (SELECT coalesce(array_agg(k ORDER BY k), '{}') FROM pg_temp.t_seen WHERE label = lbl);
END $$;
-- The labels of the posts person `who` sees (a scan, not a lookup), sorted.
CREATE FUNCTION pg_temp.visible(who text) RETURNS text[] LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN (SELECT coalesce(array_agg(t.label ORDER BY t.label), '{}')
            FROM council.posts p JOIN pg_temp.t_posts t ON t.id = p.id);
END $$;
-- Run q as person `who`; 'ok' or 'SQLSTATE message' (for "same error" tests).
CREATE FUNCTION pg_temp.err(who text, q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- Run q as person `who`; its first column as text, or the error.
CREATE FUNCTION pg_temp.val(who text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    PERFORM pg_temp.as_(who);
    EXECUTE q INTO r;
    RETURN coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;

SET LOCAL ROLE council_app;
SELECT is(current_user::text, 'council_app', 'the tests run as council_app, through row-level security');

SELECT pg_temp.post('q_all',    'bank-h',  'report',   false, '[{"class": "all_members"}]');
SELECT pg_temp.post('q_clear',  'bank-h',  'report',   false, NULL);
SELECT pg_temp.post('q_sec',    'bank-h',  'report',   false, pg_temp.orgs('@secretariat', 'tr-power'));
SELECT pg_temp.post('q_restr',  'bank-h',  'report',   false, pg_temp.orgs('tr-restricted'));
SELECT pg_temp.post('q_gone',   'bank-h',  'report',   false, pg_temp.orgs('tr-withdrawn', 'tr-expelled', 'tr-dissolved'));
SELECT pg_temp.post('q_liai',   'bank-h',  'report',   false, pg_temp.orgs('tr-liaison'));
SELECT pg_temp.post('q_liai_x', 'bank-h',  'report',   false, pg_temp.orgs('tr-liaison'), jsonb_build_array(jsonb_build_object('org', pg_temp.o('tr-gsoc'))));
SELECT pg_temp.post('q_grp_l',  'v1-h',    'analysis', false, pg_temp.orgs('tr-liaison', 'tr-restricted', '@secretariat'));
SELECT pg_temp.post('q_own_r',  'restr-h', 'report',   false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('q_own_w',  'wd-h',    'report',   false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('q_x',      'bank-h',  'report',   true,  pg_temp.orgs('tr-power'));
SELECT pg_temp.post('q_mask',   'v1-h',    'consultation', false, pg_temp.orgs('tr-bank'), masked => true);
SELECT pg_temp.post('q_plain',  'v1-h',    'consultation', false, pg_temp.orgs('tr-bank'));
SELECT pg_temp.post('q_jp',     'bank-h',  'report',   false, '[{"class": "coordinator"}]');

-- R-ORG-3: withdrawn, expelled, dissolved: nothing. -------------------------------
SELECT is(pg_temp.visible('wd-h'), pg_temp.srt('{q_all,q_clear,q_gone,q_own_w}'),
    'R-ORG-3: while a member, tr-withdrawn sees what its scope gives it');
SELECT is(pg_temp.sees('exp-h', 'q_gone') AND pg_temp.sees('dis-h', 'q_gone'), true,
    'R-ORG-3: while members, tr-expelled and tr-dissolved see the post naming them');
RESET ROLE;
UPDATE council.organisations SET status = 'withdrawn' WHERE slug = 'tr-withdrawn';
UPDATE council.organisations SET status = 'expelled' WHERE slug = 'tr-expelled';
UPDATE council.organisations SET status = 'dissolved' WHERE slug = 'tr-dissolved';
SET LOCAL ROLE council_app;
SELECT is(pg_temp.visible('wd-h'), '{}'::text[], 'R-ORG-3: a withdrawn member sees nothing, not even its own post');
SELECT is(pg_temp.visible('exp-h'), '{}'::text[], 'R-ORG-3: an expelled member sees nothing');
SELECT is(pg_temp.visible('dis-h'), '{}'::text[], 'R-ORG-3: a dissolved member sees nothing');
SELECT pg_temp.as_('wd-h');
SELECT is((SELECT ARRAY[(SELECT count(*) FROM council.post_bodies), (SELECT count(*) FROM council.post_audience),
                        (SELECT count(*) FROM council.post_authors), (SELECT count(*) FROM council.audit_log)]),
    '{0,0,0,0}'::bigint[], 'R-ORG-3: a withdrawn member sees no body, audience row, author row or audit row');
SELECT throws_ok($$SELECT pg_temp.as_('wd-h'); SELECT council.create_post('report', 't', 'b', false)$$,
    'CP401', 'not_signed_in', 'R-ORG-3: a withdrawn member cannot post');
SELECT throws_ok($$SELECT pg_temp.as_('exp-h'); SELECT council.create_post('report', 't', 'b', false)$$,
    'CP401', 'not_signed_in', 'R-ORG-3: an expelled member cannot post');
SELECT is(pg_temp.sees('power-h', 'q_own_w'), true, 'R-ORG-3: what it shared while a member stays with its recipients');

-- R-RESTRICT-1: a restricted member sees only its own posts and cannot post. --------
SELECT is(pg_temp.visible('restr-h'), pg_temp.srt('{q_all,q_clear,q_restr,q_grp_l,q_own_r}'),
    'R-RESTRICT-1: before the restriction, the member sees what names it');
RESET ROLE;
UPDATE council.organisations SET restricted = true WHERE slug = 'tr-restricted';
SET LOCAL ROLE council_app;
SELECT is(pg_temp.visible('restr-h'), '{q_own_r}'::text[],
    'R-RESTRICT-1: a restricted member sees only its own post: not all-members, not a post naming it');
SELECT is(pg_temp.sees('restr-h', 'q_restr'), false, 'R-RESTRICT-1: not even looked up by id');
SELECT throws_ok($$SELECT pg_temp.as_('restr-h'); SELECT council.create_post('report', 't', 'b', false)$$,
    'CP403', 'member_restricted', 'R-RESTRICT-1: a restricted member cannot post');
SELECT is(pg_temp.sees('power-h', 'q_own_r'), true, 'R-RESTRICT-1: its recipients still see what it posted before');
RESET ROLE;
UPDATE council.organisations SET restricted = false WHERE slug = 'tr-restricted';
SET LOCAL ROLE council_app;
SELECT is(pg_temp.visible('restr-h'), pg_temp.srt('{q_all,q_clear,q_restr,q_grp_l,q_own_r}'),
    'R-RESTRICT-1: lifting the restriction restores what the scopes give');
SELECT lives_ok($$SELECT pg_temp.as_('restr-h'); SELECT council.create_post('report', 't', 'b', false, p_scope => '[{"class": "coordinator"}]')$$,
    'R-RESTRICT-1: after lifting, the member may post again');

-- R-ORG-8: a specified liaison member, only through its GSOC member. ------------------
SELECT is(pg_temp.visible('liaison-h'), '{}'::text[],
    'R-ORG-8: a liaison member sees nothing, though posts name it and are for all members');
SELECT throws_ok($$SELECT pg_temp.as_('liaison-h'); SELECT council.create_post('report', 't', 'b', false)$$,
    'CP403', 'liaison_member_posts_through_gsoc', 'R-ORG-8: a liaison member cannot post');
SELECT is(pg_temp.readers('q_liai'), pg_temp.srt('{bank-h,bank-n,bank-d,gsoc-h,coord-h,coord-n}'),
    'R-ORG-8: a post naming a liaison member reaches its GSOC member (liaison_via)');
SELECT is(pg_temp.readers('q_liai_x'), pg_temp.srt('{bank-h,bank-n,bank-d,coord-h,coord-n}'),
    'R-ORG-8, R-SCOPE-2: ... unless the GSOC member is excluded');
SELECT is(pg_temp.sees('gsoc-h', 'q_all'), true, 'R-ORG-8: the GSOC member sees all-members posts in its own right');

-- R-ORG-6: the coordinator sees every post; out-of-scope reads are audited. ---------
RESET ROLE;
SELECT count(*) AS n_posts, count(*) FILTER (WHERE is_secret) AS n_secret FROM council.posts \gset
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('coord-h');
SELECT is((SELECT count(*) FROM council.posts), :n_posts::bigint,
    'R-ORG-6: the coordinator''s handler sees every post, secrets included');
SELECT pg_temp.as_('coord-n');
SELECT is((SELECT count(*) FROM council.posts), :n_posts::bigint - :n_secret,
    'R-ORG-6, R-SECRET-2: the coordinator''s non-handler sees every non-secret post');
SELECT pg_temp.as_('coord-h');
SELECT count(*) AS n_read0 FROM council.audit_log WHERE action = 'post.read.coordinator'
    AND object_id = pg_temp.p('q_plain') AND person_id = (SELECT council.current_person_id()) \gset
SELECT pg_temp.sees('coord-h', 'q_plain') AS coord_read \gset
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'post.read.coordinator'
           AND object_id = pg_temp.p('q_plain') AND person_id = (SELECT council.current_person_id())), :n_read0 + 1,
    'R-ORG-6: a read of a post outside the coordinator''s scope writes one post.read.coordinator audit row');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'post.read.coordinator'
           AND object_id = pg_temp.p('q_jp')), 0,
    'R-ORG-6: a read of a post whose scope includes the coordinator is not audited as such');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'post.read.coordinator'
           AND object_id = pg_temp.p('q_plain') AND person_id = (SELECT council.current_person_id())), :n_read0 + 1,
    'R-ORG-6: reading the audit log writes no further audit row');
-- the secretariat: no post in ordinary operation.
SELECT is(pg_temp.visible('sec-a'), '{}'::text[],
    'R-ORG-6: the secretariat sees no post: not all-members, not TLP:CLEAR, not one naming it');
SELECT is(pg_temp.sees('sec-a', 'q_sec'), false, 'R-ORG-6: a post naming the secretariat explicitly is not seen by it');
SELECT pg_temp.as_('sec-a');
SELECT is((SELECT ARRAY[(SELECT count(*) FROM council.post_bodies), (SELECT count(*) FROM council.post_audience),
                        (SELECT count(*) FROM council.post_scope)]),
    '{0,0,0}'::bigint[], 'R-ORG-6: nor their bodies, audience rows or scope entries');
SELECT throws_ok($$SELECT pg_temp.as_('cmt'); SELECT council.open_access_case('a dispute between two members', ARRAY[1]::bigint[], now() + interval '1 day')$$,
    'CP403', 'only_the_secretariat_opens_cases', 'R-ORG-6: only the secretariat opens an access case');
SELECT pg_temp.as_('sec-a');
SELECT council.open_access_case('arbitrating a dispute between two members', ARRAY[pg_temp.p('q_all'), pg_temp.p('q_plain')], now() + interval '1 day') AS case1 \gset
SELECT is(pg_temp.visible('sec-a'), '{}'::text[], 'R-ORG-6: an unapproved access case gives nothing');
SELECT throws_ok(format($$SELECT pg_temp.as_('sec-a'); SELECT council.approve_access_case(%s)$$, :case1),
    'CP403', 'only_another_committee_member_approves', 'R-ORG-6: the grantee, though a committee member, cannot approve its own case');
SELECT throws_ok(format($$SELECT pg_temp.as_('coord-h'); SELECT council.approve_access_case(%s)$$, :case1),
    'CP403', 'only_another_committee_member_approves', 'R-ORG-6: the coordinator, not on the committee, cannot approve it');
SELECT is(pg_temp.visible('sec-a'), '{}'::text[], 'R-ORG-6: still nothing after the refused approvals');
SELECT lives_ok(format($$SELECT pg_temp.as_('cmt'); SELECT council.approve_access_case(%s)$$, :case1),
    'R-ORG-6: another steering-committee member approves');
SELECT is(pg_temp.visible('sec-a'), pg_temp.srt('{q_all,q_plain}'),
    'R-ORG-6: an approved case gives the grantee exactly the named posts');
SELECT is(pg_temp.visible('sec-b'), '{}'::text[], 'R-ORG-6: ... and no other secretariat person');
SELECT pg_temp.as_('coord-h');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE action = 'post.read.access_case'
           AND object_id = pg_temp.p('q_plain')
           AND person_id = (SELECT person_id FROM pg_temp.t_people WHERE k = 'sec-a')) > 0, true,
    'R-ORG-6: the secretariat''s reads through the case are audited (post.read.access_case)');
SELECT pg_temp.as_('sec-b');
SELECT council.open_access_case('running the council''s affairs: a report', ARRAY[pg_temp.p('q_clear')], now() + interval '1 day') AS case2 \gset
SELECT lives_ok(format($$SELECT pg_temp.as_('cmt'); SELECT council.approve_access_case(%s)$$, :case2),
    'R-ORG-6: a second case, approved');
SELECT is(pg_temp.visible('sec-b'), '{q_clear}'::text[], 'R-ORG-6: ... gives its post');
RESET ROLE;
UPDATE council.access_cases SET expires_at = now() WHERE id = :case2;
SET LOCAL ROLE council_app;
SELECT is(pg_temp.visible('sec-b'), '{}'::text[], 'R-ORG-6: an expired case gives nothing');

-- R-TF-6 / masking: a masked author is known to its organisation and the coordinator.
SELECT is(pg_temp.sees('bank-h', 'q_mask'), true, 'R-TF-6: the recipient sees the masked post');
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT count(*)::int FROM council.post_authors WHERE post_id = pg_temp.p('q_mask')), 0,
    'R-TF-6: the recipient does not see the masked post''s author row');
SELECT is((SELECT count(*)::int FROM council.post_authors WHERE post_id = pg_temp.p('q_plain')), 1,
    'R-TF-6: the recipient sees an unmasked post''s author row');
SELECT pg_temp.as_('v1-n');
SELECT is((SELECT count(*)::int FROM council.post_authors WHERE post_id = pg_temp.p('q_mask')), 1,
    'R-TF-6: another person of the author''s organisation sees the masked author');
SELECT pg_temp.as_('coord-h');
SELECT is((SELECT count(*)::int FROM council.post_authors WHERE post_id = pg_temp.p('q_mask')), 1,
    'R-TF-6: the coordinator sees the masked author');
SELECT is(pg_temp.val('bank-h', format('SELECT council.post_author_org(%s)', pg_temp.p('q_mask'))),
          pg_temp.val('bank-h', 'SELECT council.post_author_org(999999999)'),
    'R-TF-6: the recipient cannot learn the masked author through council.post_author_org');
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE object_id = pg_temp.p('q_mask')), 0,
    'R-TF-6: the recipient sees no audit row naming the masked author');

SELECT * FROM finish();
ROLLBACK;
