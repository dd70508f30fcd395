-- tests/sql/13_audit_reads.sql: reads that the audit log records
-- (R-ORG-6, secret reads) and reads it must not invent.  Uses the demo
-- posts (deploy/demo/demo-posts.sql).  Run by pg_prove as the superuser.
BEGIN;
SELECT plan(11);

SELECT id AS p_bank FROM council.people WHERE email = 'yohei.nakagawa@toto-bank.example.jp' \gset
SELECT id AS p_sakura FROM council.people WHERE email = 'shota.fujii@sakura-security.example.jp' \gset
SELECT id AS p_jpcert FROM council.people WHERE email = 'taro.yamada@jpcert-cc.example.jp' \gset
SELECT id AS o_power FROM council.organisations WHERE slug = 'toto-power' \gset
SELECT id AS secret_post FROM council.posts WHERE title LIKE '未確認：VPN機器%' \gset
INSERT INTO council.sessions (token_hash, person_id, expires_at) VALUES
    (sha256('t13-bank'::bytea), :p_bank, now() + interval '1 hour'),
    (sha256('t13-sakura'::bytea), :p_sakura, now() + interval '1 hour'),
    (sha256('t13-jpcert'::bytea), :p_jpcert, now() + interval '1 hour');
CREATE FUNCTION pg_temp.as_token(t text) RETURNS void LANGUAGE sql
AS $$ SELECT set_config('council.session', encode(sha256(convert_to(t, 'UTF8')), 'hex'), true) $$;
CREATE FUNCTION pg_temp.reads(p bigint, a text) RETURNS bigint LANGUAGE sql
AS $$ SELECT count(*) FROM council.audit_log WHERE object_id = p AND action = a $$;

SELECT ok(:secret_post > 0, 'fixture: the demo secret analysis exists');
SELECT pg_temp.reads(:secret_post, 'post.read.secret') AS before_secret \gset

-- A member outside the scope calls the audit function itself, and opens
-- every body it can: no read of the hidden secret is recorded.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_token('t13-bank');
SELECT ok(council.audit_post_read(:secret_post, true),
    'the audit function answers true whatever it is asked');
SELECT is((SELECT count(*)::int FROM council.post_bodies WHERE post_id = :secret_post), 0,
    'R-SCOPE-1: the hidden secret''s body is not readable outside its scope');
SELECT ok((SELECT count(*) FROM council.post_bodies) > 0,
    'the member opens the bodies it may see');
RESET ROLE;
SELECT is(pg_temp.reads(:secret_post, 'post.read.secret'), :before_secret::bigint,
    'no secret read is recorded for a post the caller cannot see (not even when it calls the audit function)');

-- The author's handler opens the secret: one row, for its organisation.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_token('t13-sakura');
SELECT is((SELECT count(*)::int FROM council.post_bodies WHERE post_id = :secret_post), 1,
    'R-SECRET-2: a registered handler in scope opens the secret');
RESET ROLE;
SELECT is(pg_temp.reads(:secret_post, 'post.read.secret'), :before_secret::bigint + 1,
    'opening a secret writes one post.read.secret row');
SELECT is((SELECT org_id FROM council.audit_log WHERE object_id = :secret_post
           AND action = 'post.read.secret' ORDER BY id DESC LIMIT 1),
          (SELECT org_id FROM council.people WHERE id = :p_sakura),
    'the row names the reader''s organisation');

-- R-ORG-6: the coordinator reads a post outside its scope: recorded.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_token('t13-bank');
SELECT council.create_post('report', 't13 only for the power company', 'x', false,
    false, format('[{"org": %s}]', :o_power)::jsonb) AS private_post \gset
SELECT pg_temp.as_token('t13-jpcert');
SELECT is((SELECT count(*)::int FROM council.posts WHERE id = :private_post), 1,
    'R-ORG-6: the coordinator sees a post outside its scope');
RESET ROLE;
SELECT ok(pg_temp.reads(:private_post, 'post.read.coordinator') >= 1,
    'R-ORG-6: the coordinator''s read outside the scope is in the audit log');

-- R-SECRET-2: a reply to a secret must be secret.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_token('t13-sakura');
SELECT throws_ok(format($$SELECT council.create_post('report', 'r', 'b', false,
    p_parent => %s)$$, :secret_post), 'CP422', 'reply_to_secret_must_be_secret',
    'R-SECRET-2: a non-secret reply to a secret is refused');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
