-- tests/sql/46_mail.sql: the e-mail outbox and the early-warning service
-- (issue 14 item 6; R-ORG-10; policy/95_mail.sql): registration on
-- joining unless declined, leaving and joining again by the
-- administrator only (not a handler, not a stranger, not a liaison
-- member), the targeted warnings mailed to the registered owner's
-- administrator and handlers who may read the post (and to nobody of an
-- organisation that left, nor to a person who cannot read it), e-mail
-- that names the page and not the post, and the outbox's claim, lease,
-- backoff, permanent failure and crash recovery; who reads the outbox;
-- the S/MIME certificate held to the person's own address.  Same
-- fixtures as 41_assets.sql.  Rolled back.  Run from the source root.
BEGIN;
SELECT plan(42);
\ir fixtures/sharing.psql
\set nvd `cat tests/fixtures/vuln/nvd-cves.json`
\set csaf `cat tests/fixtures/vuln/csaf-advisory.json`
CREATE TEMP TABLE t_doc (k text PRIMARY KEY, d jsonb);
INSERT INTO t_doc VALUES ('nvd', :'nvd'), ('csaf', :'csaf');
GRANT SELECT ON t_doc TO PUBLIC;
-- tr-bank's administrator is bank-n (no handler); tr-liaison's is liaison-h.
UPDATE council.people SET is_org_admin = true
WHERE id IN (SELECT person_id FROM pg_temp.t_people WHERE k IN ('bank-n', 'liaison-h', 'power-h'));
UPDATE council.people SET lang = 'en' WHERE id = (SELECT person_id FROM pg_temp.t_people WHERE k = 'bank-h');
CREATE FUNCTION pg_temp.pid(k text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT person_id FROM pg_temp.t_people WHERE t_people.k = pid.k $$;
CREATE FUNCTION pg_temp.reg(slug text) RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT council.early_warning_registered(pg_temp.o(slug)) $$;
-- Who has a row of the outbox about post p, sorted.
CREATE FUNCTION pg_temp.mailed(p bigint) RETURNS text[] LANGUAGE sql SECURITY DEFINER
AS $$ SELECT coalesce(array_agg(t.k ORDER BY t.k), '{}') FROM council.mail_outbox m
      JOIN pg_temp.t_people t ON t.person_id = m.person_id WHERE m.post_id = p $$;
CREATE FUNCTION pg_temp.row_of(k text, p bigint) RETURNS bigint LANGUAGE sql SECURITY DEFINER
AS $$ SELECT m.id FROM council.mail_outbox m WHERE m.person_id = pg_temp.pid(k) AND m.post_id = p $$;
CREATE FUNCTION pg_temp.st(i bigint) RETURNS text LANGUAGE sql SECURITY DEFINER
AS $$ SELECT status || ' ' || attempts FROM council.mail_outbox WHERE id = i $$;
CREATE FUNCTION pg_temp.mid(i bigint) RETURNS text LANGUAGE sql SECURITY DEFINER
AS $$ SELECT message_id FROM council.mail_outbox WHERE id = i $$;
GRANT EXECUTE ON FUNCTION pg_temp.mid(bigint), pg_temp.mailed(bigint), pg_temp.row_of(text, bigint), pg_temp.st(bigint)
    TO PUBLIC;

-- ---- R-ORG-10: registration. ------------------------------------------------------------
SELECT is(ARRAY[pg_temp.reg('tr-bank'), pg_temp.reg('tr-power'), pg_temp.reg('tr-liaison')],
    ARRAY[true, true, false],
    'R-ORG-10: members are registered for the early-warning service; a specified liaison member is not');
-- An application that declines: its organisation is not registered once admitted.
INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
VALUES ('tr-new-decl', 'x', 'x', 'other', 'applied'), ('tr-new-acc', 'y', 'y', 'other', 'applied');
INSERT INTO council.applications (org_id, kind, rules_version, contact_name, contact_email, token_hash,
                                  early_warning_declined)
SELECT id, 'application', 1, 'c', slug || '@x.example', sha256(convert_to(slug, 'UTF8')), slug = 'tr-new-decl'
FROM council.organisations WHERE slug IN ('tr-new-decl', 'tr-new-acc');
UPDATE council.organisations SET status = 'member' WHERE slug IN ('tr-new-decl', 'tr-new-acc');
SELECT is(ARRAY(SELECT council.early_warning_registered(id) FROM council.organisations
                WHERE slug IN ('tr-new-decl', 'tr-new-acc') ORDER BY slug),
    ARRAY[true, false],
    'R-ORG-10: registered on joining unless the application declined the service');
CREATE TEMP TABLE t_app AS SELECT council.apply('申請者EW', 'Applicant EW', 'academia', NULL, '担当 EW',
    'ew-decline@apply-test.example.jp', council.rules_version(), true, sha256('ew-decline'),
    p_decline_early_warning => true) AS id;
SELECT is((SELECT a.early_warning_declined::text || ' ' || o.early_warning_opt_out::text
           FROM council.applications a JOIN council.organisations o ON o.id = a.org_id
           WHERE a.id = (SELECT id FROM t_app)),
    'true true', 'R-ORG-10: the application form''s choice to decline is recorded with the application and the organisation');

SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
SELECT throws_ok($$SELECT council.set_early_warning(false)$$, 'CP403', 'org_admin_only',
    'R-ORG-10: a handler who is not the administrator cannot leave the service');
SELECT pg_temp.as_('power-h');
SELECT throws_ok($$SELECT council.set_early_warning(NULL)$$, 'CP422', 'invalid_value',
    'R-ORG-10: neither registered nor not: refused');
SELECT pg_temp.nobody();
SELECT throws_ok($$SELECT council.set_early_warning(false)$$, 'CP401', 'not_signed_in',
    'R-ORG-10: nobody signed in cannot change it');
SELECT pg_temp.as_('liaison-h');
SELECT throws_ok($$SELECT council.set_early_warning(true)$$, 'CP422', 'liaison_member',
    'R-ORG-10, R-ORG-8: a specified liaison member cannot join the service');
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT status || ' ' || body FROM council.api_set_early_warning('{"registered": false}')),
    '403 {"error" : "org_admin_only"}', '... nor through the API');
RESET ROLE;
SELECT is(ARRAY[pg_temp.reg('tr-bank'), pg_temp.reg('tr-power')], ARRAY[true, true],
    '... and nothing changed');
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-n');
SELECT is(council.set_early_warning(false), true, 'R-ORG-10: the administrator leaves the service');
SELECT is(council.set_early_warning(false), false, '... once (leaving again changes nothing)');
SELECT is(council.my_early_warning()::jsonb, '{"registered": false, "liaison": false}',
    '... and reads it');
SELECT is(council.set_early_warning(true), true, 'R-ORG-10: and joins again later');
RESET ROLE;
SELECT is((SELECT array_agg(detail->>'registered' ORDER BY id) FROM council.audit_log
           WHERE action = 'org.early_warning' AND org_id = pg_temp.o('tr-bank')),
    ARRAY['false', 'true'], 'R-ORG-10: both changes are audited');

-- ---- R-ORG-10: the targeted warnings by e-mail. -------------------------------------------
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-h');
CREATE TEMP TABLE t_a AS
SELECT council.asset_register('VPN', ARRAY['cpe:2.3:o:fortinet:fortios:7.2.5:*:*:*:*:*:*:*'], '', '', NULL) AS id
UNION ALL
SELECT council.asset_register('Web', ARRAY['cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*'], '', '', NULL);
SELECT pg_temp.as_('coord-h');
SELECT council.vuln_import('nvd', (SELECT d FROM pg_temp.t_doc WHERE k = 'nvd')) IS NOT NULL;
SELECT is((SELECT count(*)::int FROM council.vuln_warnings WHERE org_id = pg_temp.o('tr-bank')), 1,
    'R-NEW-4: the coordinator imports: one warning for tr-bank');
RESET ROLE;
CREATE TEMP TABLE t_w AS SELECT post_id FROM council.vuln_warnings WHERE org_id = pg_temp.o('tr-bank');
GRANT SELECT ON t_w TO PUBLIC;
SELECT is(pg_temp.mailed((SELECT post_id FROM t_w)), ARRAY['bank-h', 'bank-n'],
    'R-ORG-10: the warning is mailed to the registered owner''s administrator and handler (not to a deregistered handler, nor to anyone else)');
SELECT is((SELECT count(*)::int FROM council.mail_outbox m JOIN council.people p ON p.id = m.person_id
           WHERE m.post_id = (SELECT post_id FROM t_w) AND p.org_id <> pg_temp.o('tr-bank')), 0,
    '... nobody of another organisation (none of them reads the post) gets one');
SELECT is((SELECT bool_and(m.body NOT LIKE '%' || x.title || '%' AND m.subject NOT LIKE '%CVE%'
                           AND m.body NOT LIKE '%CVE%' AND m.body NOT LIKE '%FortiOS%')
           FROM council.mail_outbox m JOIN council.posts x ON x.id = m.post_id
           WHERE m.post_id = (SELECT post_id FROM t_w)), true,
    'R-ORG-10: the e-mail names no title, no CVE, no product: it names the page');
SELECT is((SELECT array_agg(subject ORDER BY person_id) FROM council.mail_outbox
           WHERE post_id = (SELECT post_id FROM t_w)),
    ARRAY['Council Portal: a new early warning is waiting', '協議会ポータル: 新しい早期警戒情報があります'],
    '... in the person''s language');
-- tr-bank leaves; the next warning (the CSAF advisory on its web server) is not mailed.
SET LOCAL ROLE council_app;
SELECT pg_temp.as_('bank-n');
SELECT council.set_early_warning(false);
SELECT pg_temp.as_('coord-h');
SELECT council.vuln_import('csaf', (SELECT d FROM pg_temp.t_doc WHERE k = 'csaf')) IS NOT NULL;
SELECT is((SELECT count(*)::int FROM council.vuln_warnings WHERE org_id = pg_temp.o('tr-bank')), 2,
    'R-NEW-4: another advisory: another warning for tr-bank');
RESET ROLE;
SELECT is(pg_temp.mailed((SELECT max(post_id) FROM council.vuln_warnings WHERE org_id = pg_temp.o('tr-bank'))),
    '{}'::text[], 'R-ORG-10: an organisation that left the service gets no warning e-mail');
UPDATE council.organisations SET early_warning_opt_out = false WHERE id = pg_temp.o('tr-bank');
-- A secret warning: the administrator, no handler, cannot read it.
SET LOCAL ROLE council_app;
SELECT pg_temp.post('secret-warning', 'coord-h', 'alert', true, pg_temp.orgs('tr-bank'));
RESET ROLE;
SELECT is(council.mail_warn_org(pg_temp.o('tr-bank'), pg_temp.p('secret-warning'), 'test'), 1,
    'R-SECRET-2: a secret warning is queued for the handler only');
SELECT is(pg_temp.mailed(pg_temp.p('secret-warning')), ARRAY['bank-h'],
    '... the administrator, who cannot read the post, gets no e-mail about it');

-- ---- The outbox. --------------------------------------------------------------------------
SET LOCAL ROLE council_app;
SELECT pg_temp.nobody();
CREATE TEMP TABLE t_c AS SELECT * FROM council.mail_outbox_claim(100, 60, 'https://portal.example');
RESET ROLE;
GRANT SELECT ON t_c TO PUBLIC;
SET LOCAL ROLE council_app;
SELECT is((SELECT body FROM t_c WHERE id = pg_temp.row_of('bank-h', (SELECT post_id FROM t_w))),
    'A new early warning for your organisation is waiting on the portal (sign in to read it):' || E'\n'
    || 'https://portal.example/posts/' || (SELECT post_id FROM t_w),
    'the mailer claims the warnings: the text and the page behind the public address');
SELECT is(pg_temp.st(pg_temp.row_of('bank-h', (SELECT post_id FROM t_w))), 'sending 1',
    '... each claimed for its lease, an attempt counted');
SELECT is((SELECT count(*)::int FROM council.mail_outbox_claim(100, 60, 'x')), 0,
    '... and not claimed again while the lease runs (another councild gets none)');
SELECT council.mail_outbox_retry(pg_temp.row_of('bank-h', (SELECT post_id FROM t_w)), false, '421 try later', 60, 3600);
RESET ROLE;
SELECT is((SELECT status || ' ' || (next_attempt - now() BETWEEN interval '59 s' AND interval '61 s')
           || ' ' || last_error FROM council.mail_outbox WHERE id = pg_temp.row_of('bank-h', (SELECT post_id FROM t_w))),
    'queued true 421 try later', 'a relay that is down: queued again, due after the first wait');
UPDATE council.mail_outbox SET next_attempt = now() - interval '1 s' WHERE id = pg_temp.row_of('bank-h', (SELECT post_id FROM t_w));
SET LOCAL ROLE council_app;
SELECT is((SELECT attempts FROM council.mail_outbox_claim(100, 60, 'x')), 2, '... claimed again when due');
SELECT council.mail_outbox_retry(pg_temp.row_of('bank-h', (SELECT post_id FROM t_w)), false, 'timeout', 60, 3600);
RESET ROLE;
SELECT is((SELECT next_attempt - now() BETWEEN interval '119 s' AND interval '121 s'
           FROM council.mail_outbox WHERE id = pg_temp.row_of('bank-h', (SELECT post_id FROM t_w))), true,
    '... and the wait doubles (exponential backoff)');
-- A crash between the relay's acceptance and the mark: the lease runs out.
UPDATE council.mail_outbox SET lease_until = now() - interval '1 s'
WHERE id = pg_temp.row_of('bank-n', (SELECT post_id FROM t_w));
SET LOCAL ROLE council_app;
SELECT is((SELECT array_agg(id) FROM council.mail_outbox_claim(100, 60, 'x')),
    ARRAY[pg_temp.row_of('bank-n', (SELECT post_id FROM t_w))],
    'a claimer that crashed: its row comes back when the lease ends, nothing lost');
SELECT is((SELECT message_id FROM t_c WHERE id = pg_temp.row_of('bank-n', (SELECT post_id FROM t_w))),
    pg_temp.mid(pg_temp.row_of('bank-n', (SELECT post_id FROM t_w))),
    '... with the same Message-ID, so a resend is the recognisable duplicate');
SELECT is(council.mail_outbox_sent(pg_temp.row_of('bank-n', (SELECT post_id FROM t_w))), true,
    'the relay took it: marked sent');
SELECT is(council.mail_outbox_sent(pg_temp.row_of('bank-n', (SELECT post_id FROM t_w))), false,
    '... once');
SELECT council.mail_outbox_retry(pg_temp.row_of('bank-h', pg_temp.p('secret-warning')), true, '550 no such user', 60, 3600);
SELECT is(pg_temp.st(pg_temp.row_of('bank-h', pg_temp.p('secret-warning'))), 'failed 1',
    'a permanent refusal (5xx): failed, kept for the record, never claimed again');
-- The person can no longer read the post: withheld, never sent.
RESET ROLE;
UPDATE council.handler_registrations SET deregistered_at = now()
WHERE person_id = pg_temp.pid('bank-h') AND deregistered_at IS NULL;
UPDATE council.mail_outbox SET status = 'queued', lease_until = NULL, next_attempt = now() - interval '1 s'
WHERE id = pg_temp.row_of('bank-h', pg_temp.p('secret-warning'));
SET LOCAL ROLE council_app;
SELECT is((SELECT count(*)::int FROM council.mail_outbox_claim(100, 60, 'x')
           WHERE id = pg_temp.row_of('bank-h', pg_temp.p('secret-warning'))), 0,
    'R-SECRET-2: an e-mail about a post its person can no longer read is not sent');
SELECT is(pg_temp.st(pg_temp.row_of('bank-h', pg_temp.p('secret-warning'))), 'withheld 1', '... it is withheld');

-- ---- Who reads the outbox; who writes it. ---------------------------------------------------
SELECT pg_temp.as_('bank-n');
SELECT is((SELECT array_agg(DISTINCT person_id) FROM council.mail_outbox), ARRAY[pg_temp.pid('bank-n')],
    'a person reads the e-mails sent to them, nobody else''s');
SELECT pg_temp.as_('power-h');
SELECT is((SELECT count(*)::int FROM council.mail_outbox), 0, '... another organisation''s person reads none');
SELECT throws_ok($$INSERT INTO council.mail_outbox (kind, person_id, email, subject, body, message_id)
                   VALUES ('warning', 1, 'a@b', 's', 'b', '0123456789abcdef')$$, '42501', NULL,
    'council_app cannot write the outbox (only the definer''s functions)');

-- ---- S/MIME certificates. --------------------------------------------------------------------
SELECT pg_temp.as_('power-h');
SELECT throws_ok($$SELECT council.set_my_smime_cert('-----BEGIN CERTIFICATE-----x', 'bank-h@rules-test.example.jp')$$,
    'CP422', 'smime_email_mismatch', 'a certificate that names another person''s address is refused');
SELECT lives_ok($$SELECT council.set_my_smime_cert('-----BEGIN CERTIFICATE-----x', 'POWER-H@rules-test.example.jp')$$,
    '... one naming the person''s own is registered');
RESET ROLE;
SELECT is((SELECT smime_cert FROM council.people WHERE id = pg_temp.pid('power-h')), '-----BEGIN CERTIFICATE-----x',
    '... for that person');

SELECT * FROM finish();
ROLLBACK;
