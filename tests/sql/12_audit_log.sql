-- tests/sql/12_audit_log.sql: the audit log (docs/sharing.md, "The audit
-- log"; policy/30_audit.sql): append-only for everyone, the superuser and
-- council_owner included; sealed at commit (here: SET CONSTRAINTS ALL
-- IMMEDIATE fires the deferred sealing trigger as COMMIT would) with
-- seq / prev_hash / hash; a person reads its own organisation's rows, the
-- coordinator all (R-ORG-6).  Same fixtures as 10_sharing_rules.sql.
BEGIN;
SELECT plan(34);

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

SELECT coalesce(max(id), 0) AS id0 FROM council.audit_log \gset
SELECT seq AS head_seq, encode(hash, 'hex') AS head_hash FROM council.audit_head \gset
-- Rows unchanged since sealing: the chain recomputed over every sealed row.
CREATE FUNCTION pg_temp.chain_ok() RETURNS boolean LANGUAGE sql AS $$
    SELECT coalesce(bool_and(
               hash = sha256(prev_hash || convert_to(council.audit_payload(seq, id, at,
                   person_id, org_id, action, object_type, object_id, detail, request_id), 'UTF8'))
               AND prev_hash = coalesce(prev, decode(repeat('00', 32), 'hex'))
               AND seq = coalesce(prev_seq, 0) + 1), true)
    FROM (SELECT l.*, lag(hash) OVER (ORDER BY seq) AS prev, lag(seq) OVER (ORDER BY seq) AS prev_seq
          FROM council.audit_log l WHERE seq IS NOT NULL) x $$;
-- Run q as the current role and undo it: 'rows=N' (what it would have
-- done) or 'SQLSTATE message'.
CREATE FUNCTION pg_temp.try_(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE q;
    GET DIAGNOSTICS n = ROW_COUNT;
    RAISE EXCEPTION USING ERRCODE = 'TRY00', MESSAGE = 'rows=' || n;
EXCEPTION WHEN OTHERS THEN
    RETURN CASE WHEN SQLSTATE = 'TRY00' THEN SQLERRM ELSE SQLSTATE || ' ' || SQLERRM END;
END $$;

SET LOCAL ROLE council_app;
SELECT pg_temp.post('a1', 'bank-h',  'report', false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('a2', 'bank-h',  'report', false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('a3', 'power-h', 'report', false, '[{"class": "all_members"}]');
SELECT pg_temp.post('a4', 'sec-a',   'alert',  false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('ax', 'bank-h',  'report', true,  pg_temp.orgs('tr-power'));
-- The coordinator reads a1, outside its scope: audited.
SELECT pg_temp.sees('coord-h', 'a1') AS coord_read \gset
RESET ROLE;
SELECT count(*) AS n_new FROM council.audit_log WHERE id > :id0 \gset

-- Sealed at commit. ------------------------------------------------------------------
SELECT ok(:n_new >= 6, 'audit: the writes and the coordinator''s read above wrote audit rows (' || :n_new || ')');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE id > :id0 AND (seq IS NOT NULL OR hash IS NOT NULL OR prev_hash IS NOT NULL)), 0,
    'audit: before commit, the new rows are not yet sealed');
SELECT is((SELECT seq FROM council.audit_head), :head_seq::bigint, 'audit: before commit, the head has not moved');
-- Every row written in this transaction (the fixtures' too) is unsealed.
CREATE TEMP TABLE t_unsealed AS SELECT id FROM council.audit_log WHERE seq IS NULL;
SELECT count(*) AS n_unsealed FROM t_unsealed \gset
-- Commit time: the deferred sealing trigger fires here, as it would at COMMIT.
SET CONSTRAINTS ALL IMMEDIATE;
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE id > :id0 AND (seq IS NULL OR hash IS NULL OR prev_hash IS NULL)), 0,
    'audit: at commit, every new row is sealed (seq, prev_hash, hash)');
SELECT is((SELECT array_agg(seq ORDER BY id) FROM council.audit_log WHERE id IN (SELECT id FROM t_unsealed)),
          (SELECT array_agg(s::bigint) FROM generate_series(:head_seq + 1, :head_seq + :n_unsealed) s),
    'audit: the new rows take the next seq numbers, consecutively, in insertion order');
SELECT is((SELECT encode(prev_hash, 'hex') FROM council.audit_log WHERE seq = :head_seq + 1), :'head_hash',
    'audit: the first new row''s prev_hash is the previous head''s hash');
SELECT is(pg_temp.chain_ok(), true,
    'audit: every row''s hash = SHA-256(prev_hash || audit_payload(row)) and prev_hash = the previous row''s hash');
SELECT is((SELECT (seq, hash) FROM council.audit_head)::text,
          (SELECT (seq, hash) FROM council.audit_log ORDER BY seq DESC LIMIT 1)::text,
    'audit: the head holds the last seq and hash');
SELECT id AS victim FROM council.audit_log WHERE id > :id0 ORDER BY id LIMIT 1 \gset

-- Append-only, even for the superuser and the owner. ---------------------------------
SELECT throws_ok(format('UPDATE council.audit_log SET detail = ''{"forged": true}'' WHERE id = %s', :victim),
    'CP403', 'audit_log_append_only', 'audit: UPDATE of a sealed row is refused, even for the superuser');
SELECT throws_ok(format('UPDATE council.audit_log SET hash = sha256(''x''::bytea) WHERE id = %s', :victim),
    'CP403', 'audit_log_append_only', 'audit: re-sealing a row is refused');
SELECT throws_ok(format('DELETE FROM council.audit_log WHERE id = %s', :victim),
    'CP403', 'audit_log_append_only', 'audit: DELETE is refused, even for the superuser');
SELECT throws_ok('TRUNCATE council.audit_log',
    'CP403', 'audit_log_append_only', 'audit: TRUNCATE is refused, even for the superuser');
SELECT throws_ok('DELETE FROM council.audit_head',
    'CP403', 'audit_log_append_only', 'audit: the head cannot be deleted');
-- As council_owner (pgTAP's schema is not its to use: collect, then check).
SET LOCAL ROLE council_owner;
SELECT current_user AS owner_user,
       pg_temp.try_(format('UPDATE council.audit_log SET detail = ''{"forged": true}'' WHERE id = %s', :victim)) AS r_upd,
       pg_temp.try_(format('DELETE FROM council.audit_log WHERE id = %s', :victim)) AS r_del,
       pg_temp.try_('TRUNCATE council.audit_log') AS r_trunc,
       pg_temp.try_('UPDATE council.audit_head SET seq = 0, hash = decode(repeat(''00'', 32), ''hex'')') AS r_head \gset
RESET ROLE;
SELECT is(:'owner_user'::text, 'council_owner', 'audit: the next four attempts ran as council_owner, the tables'' owner');
SELECT ok(:'r_upd' NOT LIKE 'rows=%' OR :'r_upd' = 'rows=0',
    'audit: council_owner''s UPDATE is refused or changes nothing (' || :'r_upd' || ')');
SELECT ok(:'r_del' NOT LIKE 'rows=%' OR :'r_del' = 'rows=0',
    'audit: council_owner''s DELETE is refused or deletes nothing (' || :'r_del' || ')');
SELECT is(:'r_trunc'::text, 'CP403 audit_log_append_only', 'audit: council_owner''s TRUNCATE is refused');
SELECT ok(:'r_head' NOT LIKE 'rows=%' OR :'r_head' = 'rows=0',
    'audit: council_owner cannot rewind the head (' || :'r_head' || ')');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE id > :id0), :n_new::int, 'audit: no row was removed');
SELECT is(pg_temp.chain_ok(), true, 'audit: after the attempts above, the chain still verifies');
-- An unsealed row may only receive its seal.
SET CONSTRAINTS ALL DEFERRED;
SET LOCAL ROLE council_app;
SELECT pg_temp.post('a5', 'bank-h', 'report', false, pg_temp.orgs('tr-power'));
RESET ROLE;
SELECT max(id) AS unsealed FROM council.audit_log \gset
SELECT throws_ok(format('UPDATE council.audit_log SET action = ''post.nothing'' WHERE id = %s', :unsealed),
    'CP403', 'audit_log_append_only', 'audit: an unsealed row cannot be altered before its seal');
SET CONSTRAINTS ALL IMMEDIATE;
SELECT is(pg_temp.chain_ok(), true, 'audit: the late row is sealed onto the chain');

-- council_app writes nothing directly. ---------------------------------------------
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('coord-h');
SELECT throws_ok(format('UPDATE council.audit_log SET detail = ''{}'' WHERE id = %s', :victim),
    '42501', NULL, 'audit: council_app cannot UPDATE the log');
SELECT throws_ok(format('DELETE FROM council.audit_log WHERE id = %s', :victim),
    '42501', NULL, 'audit: council_app cannot DELETE from the log');
SELECT throws_ok('TRUNCATE council.audit_log', '42501', NULL, 'audit: council_app cannot TRUNCATE the log');
SELECT throws_ok('INSERT INTO council.audit_log (action) VALUES (''post.read.secret'')',
    '42501', NULL, 'audit: council_app cannot INSERT audit rows directly');
SELECT throws_ok('SELECT council.audit(''post.read.secret'', ''post'', 1)',
    '42501', NULL, 'audit: council_app cannot call council.audit');
SELECT pg_temp.as_('bank-n');
SELECT pg_temp.err('bank-n', format('SELECT council.audit_post_read(%s, true)', pg_temp.p('ax'))) AS forged \gset
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE person_id = (SELECT council.current_person_id())
           AND object_id = pg_temp.p('ax') AND action LIKE 'post.read.%'), 0,
    'audit: council_app cannot forge a post.read row through council.audit_post_read (for a secret it cannot open)');

-- Who reads the log. --------------------------------------------------------------
RESET ROLE;
SELECT count(*) AS n_all FROM council.audit_log \gset
SELECT count(*) AS n_bank FROM council.audit_log WHERE org_id = pg_temp.o('tr-bank') \gset
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-n');
SELECT is((SELECT count(*) FROM council.audit_log WHERE org_id IS DISTINCT FROM pg_temp.o('tr-bank')), 0::bigint,
    'audit: a person sees no audit row of another organisation');
SELECT is((SELECT count(*) FROM council.audit_log), :n_bank::bigint,
    'audit: a person sees every audit row of its own organisation');
SELECT pg_temp.as_('power-h');
SELECT is((SELECT count(*)::int FROM council.audit_log WHERE object_id IN (pg_temp.p('a1'), pg_temp.p('a2'))), 0,
    'audit: a recipient does not see the author''s audit rows about the posts it received');
SELECT pg_temp.as_('sec-b');
SELECT is((SELECT count(*) FROM council.audit_log WHERE org_id IS DISTINCT FROM pg_temp.o('@secretariat')), 0::bigint,
    'audit: the secretariat sees only its own audit rows');
SELECT pg_temp.as_('coord-n');
SELECT is((SELECT count(*) FROM council.audit_log), :n_all::bigint, 'audit: the coordinator sees every audit row');
SELECT pg_temp.nobody();
SELECT is((SELECT count(*) FROM council.audit_log), 0::bigint, 'audit: without a session, no audit row');

SELECT * FROM finish();
ROLLBACK;
