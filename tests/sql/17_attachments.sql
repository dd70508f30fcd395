-- tests/sql/17_attachments.sql: files attached to posts (issue 4;
-- policy/63_attachments.sql).  Who may add a file (R-SCOPE-1: the giver),
-- who may read one (exactly who may open the post: R-SECRET-2 for a
-- secret's files, and the audit row a secret read writes), a hidden post
-- answered like an absent one, the hash the database computes, and the
-- limits the database checks again (size, type, name, count).
-- The sharing fixtures (tr-* organisations and people); every call is made
-- as council_app with a person's session, as councild makes it.  Run by
-- pg_prove as the superuser; everything is rolled back.
BEGIN;
SELECT plan(36);
\ir fixtures/sharing.psql

-- attach(who, post label, name, type, content): 'no error' or the error.
CREATE FUNCTION pg_temp.attach(who text, lbl text, name text, type text,
    content bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    PERFORM council.attach_file(pg_temp.p(lbl), name, type, content);
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- files(who, post label): how many files of the post `who` reads.
CREATE FUNCTION pg_temp.files(who text, lbl text) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN (SELECT count(*) FROM council.attachments WHERE post_id = pg_temp.p(lbl));
END $$;
CREATE FUNCTION pg_temp.secret_reads(lbl text) RETURNS bigint LANGUAGE sql
AS $$ SELECT count(*) FROM council.audit_log
      WHERE object_id = pg_temp.p(lbl) AND action = 'post.read.secret' $$;

SET LOCAL ROLE council_app;
-- p_open: the bank's report to the power company; p_secret: the same, a
-- secret; p_many: for the count limit; p_restr: by the member restricted
-- below.
SELECT pg_temp.post('p_open',   'bank-h',  'report', false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('p_secret', 'bank-h',  'report', true,  pg_temp.orgs('tr-power'));
SELECT pg_temp.post('p_many',   'bank-h',  'report', false, pg_temp.orgs('tr-power'));
SELECT pg_temp.post('p_restr',  'restr-h', 'report', false, pg_temp.orgs('tr-power'));

-- Adding a file: the giver only; hidden == absent. ----------------------------
SELECT is(pg_temp.attach('bank-n', 'p_open', 'ioc.txt', 'text/plain', convert_to(E'hello\n', 'UTF8')),
    'no error', 'R-SCOPE-1: a person of the author organisation attaches a file (no handler needed for a non-secret)');
SELECT is(pg_temp.attach('power-h', 'p_open', 'x.txt', 'text/plain', 'x'::bytea),
    'CP403 only_the_giver_attaches', 'R-SCOPE-1: a recipient who sees the post cannot attach to it');
SELECT is(pg_temp.attach('coord-h', 'p_open', 'x.txt', 'text/plain', 'x'::bytea),
    'CP403 only_the_giver_attaches', 'R-ORG-6: not even the coordinator, who sees every post');
SELECT is(pg_temp.attach('bank2-h', 'p_open', 'x.txt', 'text/plain', 'x'::bytea),
    'CP404 post_not_found', 'a member that cannot see the post is told it does not exist');
SELECT is(pg_temp.attach('bank2-h', 'p_open', 'x.txt', 'text/plain', 'x'::bytea),
    (SELECT pg_temp.err('bank2-h', 'SELECT council.attach_file(999999999999, ''x.txt'', ''text/plain'', ''x''::bytea)')),
    '... exactly as for a post id that does not exist');
SELECT pg_temp.nobody();
SELECT throws_ok(format($$SELECT council.attach_file(%s, 'x.txt', 'text/plain', 'x'::bytea)$$, pg_temp.p('p_open')),
    'CP401', 'not_signed_in', 'nobody signed in: nothing is attached');
SELECT throws_ok(format($$INSERT INTO council.attachments (post_id, filename, media_type, size, sha256, content, uploaded_by)
    VALUES (%s, 'x.txt', 'text/plain', 1, sha256('x'::bytea), 'x'::bytea, 1)$$, pg_temp.p('p_open')),
    '42501', NULL, 'council_app cannot insert a file directly (only through attach_file)');

-- The hash is the database's. ---------------------------------------------------
RESET ROLE;
-- SHA-256("hello\n"), computed elsewhere (sha256sum), not by PostgreSQL.
SELECT is((SELECT encode(sha256, 'hex') || ' ' || size || ' ' || media_type || ' ' || filename
           FROM council.attachments WHERE post_id = pg_temp.p('p_open')),
    '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 6 text/plain ioc.txt',
    'the stored SHA-256, size, type and name are those of the bytes sent');
SELECT is((SELECT count(*)::int FROM council.audit_log
           WHERE action = 'attachment.add' AND object_id = pg_temp.p('p_open')
             AND detail->>'sha256' = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03'
             AND person_id = (SELECT person_id FROM pg_temp.t_people WHERE k = 'bank-n')),
    1, 'the upload is in the audit log, with its hash and its uploader');
SELECT is((SELECT uploaded_by FROM council.attachments WHERE post_id = pg_temp.p('p_open')),
    (SELECT person_id FROM pg_temp.t_people WHERE k = 'bank-n'), 'the uploader is the caller');
SELECT id AS open_file FROM council.attachments WHERE post_id = pg_temp.p('p_open') \gset
SET LOCAL ROLE council_app;

-- Reading: exactly who opens the post. --------------------------------------------
SELECT is(pg_temp.files('power-h', 'p_open'), 1, 'R-SCOPE-1: a recipient in scope reads the file');
SELECT is(pg_temp.files('bank-h', 'p_open'), 1, 'the author organisation reads it');
SELECT is(pg_temp.files('bank2-h', 'p_open'), 0, 'a member outside the scope does not see it');
SELECT is(pg_temp.files('univ-n', 'p_open'), 0, 'nor does any other member');
SELECT pg_temp.nobody();
SELECT is((SELECT count(*)::int FROM council.attachments), 0, 'nobody signed in reads no file');
SELECT is(pg_temp.val('bank2-h', 'SELECT count(*) FROM council.attachments WHERE id = ' || :open_file)
       || ' ' || pg_temp.val('power-h', 'SELECT count(*) FROM council.attachments WHERE id = ' || :open_file),
    '0 1', 'the file''s id finds nothing outside the scope (as an absent id), the file in it');

-- R-SECRET-2: a secret's files are for registered handlers; reads are audited.
SELECT is(pg_temp.attach('bank-n', 'p_secret', 'x.txt', 'text/plain', 'x'::bytea),
    'CP404 post_not_found', 'R-SECRET-2: a non-handler of the author organisation cannot attach to a secret: it does not exist for them');
SELECT is(pg_temp.attach('bank-h', 'p_secret', 's.txt', 'text/plain', 'secret'::bytea),
    'no error', 'a registered handler of the author organisation attaches to the secret');
RESET ROLE;
SELECT pg_temp.secret_reads('p_secret') AS reads0 \gset
SET LOCAL ROLE council_app;
SELECT is(pg_temp.files('bank-n', 'p_secret'), 0, 'R-SECRET-2: a non-handler of the author organisation does not read the secret''s file');
SELECT is(pg_temp.files('optout-h', 'p_secret'), 0, 'nor does a member outside the scope');
RESET ROLE;
SELECT is(pg_temp.secret_reads('p_secret'), :reads0::bigint, 'refused reads record nothing');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.files('power-h', 'p_secret'), 1, 'a registered handler in scope reads the secret''s file');
RESET ROLE;
SELECT is(pg_temp.secret_reads('p_secret'), :reads0::bigint + 1,
    'reading a secret''s file writes one post.read.secret row, as opening its body does');
SELECT is((SELECT org_id FROM council.audit_log WHERE action = 'post.read.secret'
           AND object_id = pg_temp.p('p_secret') ORDER BY id DESC LIMIT 1),
    pg_temp.o('tr-power'), '... naming the reader''s organisation');
SELECT count(*) AS all_reads0 FROM council.audit_log WHERE action = 'post.read.secret' \gset
SET LOCAL ROLE council_app;
SELECT pg_temp.files('power-h', 'p_open') AS n_open \gset
RESET ROLE;
SELECT is((SELECT count(*) FROM council.audit_log WHERE action = 'post.read.secret') || ' ' || :n_open,
    :all_reads0 || ' 1', 'reading a non-secret''s file records no secret read');
SET LOCAL ROLE council_app;

-- Limits, checked again by the database. ------------------------------------------
SELECT is(pg_temp.attach('bank-h', 'p_open', 'e.txt', 'text/plain', ''::bytea),
    'CP422 attachment_empty', 'an empty file is refused');
SELECT is(pg_temp.attach('bank-h', 'p_open', 'big.txt', 'text/plain', convert_to(repeat('a', 10485761), 'UTF8')),
    'CP413 attachment_too_large', 'a file of 10 MiB and one byte is refused (413)');
SELECT is(pg_temp.attach('bank-h', 'p_open', 'max.txt', 'text/plain', convert_to(repeat('a', 10485760), 'UTF8')),
    'no error', 'a file of exactly 10 MiB is accepted');
SELECT is(pg_temp.attach('bank-h', 'p_open', 'a.exe', 'application/octet-stream', '\x4d5a90'::bytea)
       || ' / ' || pg_temp.attach('bank-h', 'p_open', 'a.html', 'text/html', '<b>'::bytea)
       || ' / ' || pg_temp.attach('bank-h', 'p_open', 'a.txt', 'image/png', 'x'::bytea),
    'CP422 attachment_type_not_allowed / CP422 attachment_type_not_allowed / CP422 attachment_type_not_allowed',
    'types outside the allow-list, or not the extension''s, are refused');
SELECT is(pg_temp.attach('bank-h', 'p_open', 'a.png', 'image/png', convert_to('%PDF-1.7', 'UTF8'))
       || ' / ' || pg_temp.attach('bank-h', 'p_open', 'a.json', 'application/json', convert_to('{"a": ', 'UTF8'))
       || ' / ' || pg_temp.attach('bank-h', 'p_open', 'a.txt', 'text/plain', '\x610062'::bytea),
    'CP422 attachment_type_not_allowed / CP422 attachment_type_not_allowed / CP422 attachment_type_not_allowed',
    'content that does not match the type (a PDF named .png, broken JSON, a NUL in text) is refused');
SELECT is(pg_temp.attach('bank-h', 'p_open', 'a.png', 'image/png', '\x89504e470d0a1a0a0000000d'::bytea)
       || ' / ' || pg_temp.attach('bank-h', 'p_open', 'i.json', 'application/json', convert_to('{"ioc": ["198.51.100.7"]}', 'UTF8')),
    'no error / no error', 'a real PNG and valid JSON are accepted');
SELECT is(pg_temp.attach('bank-h', 'p_open', 'a/b.txt', 'text/plain', 'x'::bytea)
       || ' / ' || pg_temp.attach('bank-h', 'p_open', U&'invoice\202Etxt.exe.txt', 'text/plain', 'x'::bytea)
       || ' / ' || pg_temp.attach('bank-h', 'p_open', E'a\r\nb.txt', 'text/plain', 'x'::bytea)
       || ' / ' || pg_temp.attach('bank-h', 'p_open', '.hidden.txt', 'text/plain', 'x'::bytea)
       || ' / ' || pg_temp.attach('bank-h', 'p_open', repeat('あ', 197) || '.txt', 'text/plain', 'x'::bytea),
    'CP422 attachment_name_invalid / CP422 attachment_name_invalid / CP422 attachment_name_invalid / CP422 attachment_name_invalid / CP422 attachment_name_invalid',
    'names with a path, a bidirectional override, CR/LF, a leading dot or over 200 characters are refused');
SELECT is((SELECT string_agg(pg_temp.attach('bank-h', 'p_many', 'f' || i || '.txt', 'text/plain', 'x'::bytea), ',')
           FROM generate_series(1, 10) i), repeat('no error,', 9) || 'no error',
    'ten files on one post are accepted');
SELECT is(pg_temp.attach('bank-h', 'p_many', 'f11.txt', 'text/plain', 'x'::bytea),
    'CP422 too_many_attachments', 'the eleventh is refused');
SELECT is(pg_temp.files('bank-h', 'p_many') || ' ' || pg_temp.files('bank-h', 'p_open'), '10 4',
    'refused uploads stored nothing');

-- R-RESTRICT-1: a restricted member adds nothing. ------------------------------------
RESET ROLE;
UPDATE council.organisations SET restricted = true WHERE slug = 'tr-restricted';
SET LOCAL ROLE council_app;
SELECT is(pg_temp.attach('restr-h', 'p_restr', 'x.txt', 'text/plain', 'x'::bytea),
    'CP403 member_restricted', 'R-RESTRICT-1: a restricted member cannot attach to its own post');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
