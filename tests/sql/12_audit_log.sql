-- tests/sql/12_audit_log.sql: the audit log (docs/sharing.md, "The audit
-- log"; policy/30_audit.sql): append-only for everyone, the superuser and
-- council_owner included; sealed at commit (here: SET CONSTRAINTS ALL
-- IMMEDIATE fires the deferred sealing trigger as COMMIT would) with
-- seq / prev_hash / hash; a person reads its own organisation's rows, the
-- coordinator all (R-ORG-6); councild's anchor reads the head and the
-- secretariat's addresses through audit_checkpoint_head() (R-ORG-5).
-- Same fixtures as 10_sharing_rules.sql.
BEGIN;
SELECT plan(40);
\ir fixtures/sharing.psql

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

-- The head as councild's anchor reads it (issue 10 item 6; server/core/anchor.c,
-- docs/configuration.md "The audit anchor"): council_app, with no
-- identity, gets the head's seq and hash and the addresses of the
-- general-affairs secretariat's active administrators (R-ORG-5), and
-- cannot read audit_head itself.
RESET ROLE;
UPDATE council.people SET is_org_admin = (email = 'sec-a@rules-test.example.jp')
WHERE email IN ('sec-a@rules-test.example.jp', 'sec-b@rules-test.example.jp');
UPDATE council.people SET is_org_admin = true WHERE email = 'bank-h@rules-test.example.jp';
SELECT seq || ' ' || encode(hash, 'hex') AS head_now FROM council.audit_head \gset
SET LOCAL ROLE council_app;
SELECT pg_temp.nobody();
SELECT is((SELECT seq || ' ' || hash FROM council.audit_checkpoint_head()), :'head_now',
    'anchor: council_app reads the head''s seq and hash through audit_checkpoint_head()');
SELECT ok((SELECT 'sec-a@rules-test.example.jp' = ANY (string_to_array(mail_to, E'\n'))
           FROM council.audit_checkpoint_head()),
    'anchor: the checkpoint goes to the secretariat''s administrator');
SELECT ok((SELECT NOT ('sec-b@rules-test.example.jp' = ANY (string_to_array(mail_to, E'\n'))
                  OR 'bank-h@rules-test.example.jp' = ANY (string_to_array(mail_to, E'\n')))
           FROM council.audit_checkpoint_head()),
    'anchor: not to the secretariat''s other people, nor to another organisation''s administrator');
SELECT is(pg_temp.try_('SELECT * FROM council.audit_head'),
    '42501 permission denied for table audit_head',
    'anchor: council_app cannot read audit_head itself');
RESET ROLE;
UPDATE council.people SET active = false WHERE email = 'sec-a@rules-test.example.jp';
SET LOCAL ROLE council_app;
SELECT ok((SELECT NOT ('sec-a@rules-test.example.jp' = ANY (string_to_array(mail_to, E'\n')))
           FROM council.audit_checkpoint_head()),
    'anchor: an administrator no longer active is not mailed');
RESET ROLE;
SELECT is((SELECT array_agg(DISTINCT p.prosecdef::text || ' ' || pg_get_userbyid(p.proowner))
           FROM pg_proc p WHERE p.oid = 'council.audit_checkpoint_head()'::regprocedure),
    ARRAY['true council_definer'],
    'anchor: audit_checkpoint_head is a SECURITY DEFINER function of council_definer');

SELECT * FROM finish();
ROLLBACK;
