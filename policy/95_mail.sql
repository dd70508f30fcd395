-- policy/95_mail.sql: the durable e-mail outbox, the early warnings and
-- the early-warning service's registration (issue 14 item 6; R-ORG-10;
-- migrations/0042_mail_outbox.sql; docs/government-information.md,
-- "Early-warning e-mail (item 6)").  councild's mailer (server/core/mail.c)
-- asks, with no identity, for the due rows (mail_outbox_fill, then
-- mail_outbox_claim), hands them to its transport (server/core/smtp.c or
-- the Maildir), and reports each (mail_outbox_sent, mail_outbox_retry).
-- An e-mail names a page, never content: what a post says stays behind
-- the sign-in.  Re-applied by "councilctl migrate".  Errors: MESSAGE a
-- stable code, SQLSTATE class CP (see 42_sharing_writes.sql).

------------------------------------------------------------------------
-- R-ORG-10: the early-warning service.
------------------------------------------------------------------------

-- R-ORG-10: organisation o is registered for the early-warning service: a
-- member that did not decline it (on joining, or since), and not a
-- specified liaison member (R-ORG-8: they are outside the service).
CREATE OR REPLACE FUNCTION council.early_warning_registered(o bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce((SELECT x.status = 'member' AND NOT x.early_warning_opt_out
                            AND NOT x.gsoc_liaison
                     FROM council.organisations x WHERE x.id = o), false)
$$;

-- R-ORG-10: the caller's organisation leaves (false) or joins again
-- (true) the early-warning service; its administrator only (CP403
-- org_admin_only otherwise, CP401 without a session).  A specified
-- liaison member cannot join (CP422 liaison_member).  Audited when it
-- changed; returns whether it did.
CREATE OR REPLACE FUNCTION council.set_early_warning(p_registered boolean)
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org bigint := council.current_admin_org();
BEGIN
    IF p_registered IS NULL THEN
        RAISE EXCEPTION 'invalid_value' USING ERRCODE = 'CP422';
    END IF;
    IF p_registered AND (SELECT o.gsoc_liaison FROM council.organisations o WHERE o.id = v_org) THEN
        RAISE EXCEPTION 'liaison_member' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.organisations SET early_warning_opt_out = NOT p_registered
    WHERE id = v_org AND early_warning_opt_out IS DISTINCT FROM NOT p_registered;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM council.audit('org.early_warning', 'organisation', v_org,
        jsonb_build_object('registered', p_registered));
    RETURN true;
END
$$;

-- The caller's organisation's registration: {"registered": bool,
-- "liaison": bool}; any signed-in person of it.
CREATE OR REPLACE FUNCTION council.my_early_warning() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('registered', council.early_warning_registered(o.id),
                             'liaison', o.gsoc_liaison)
    FROM council.me m JOIN council.organisations o ON o.id = m.org_id
$$;

-- GET /api/v1/org/early-warning: as council.my_early_warning (CP401
-- without a session).
CREATE OR REPLACE FUNCTION council.api__early_warning(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    body := council.my_early_warning()::text;
    IF body IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    status := 200;
END
$$;

-- POST /api/v1/org/early-warning {"registered": bool} (R-ORG-10): the
-- administrator leaves or joins again.  Answers as GET.
CREATE OR REPLACE FUNCTION council.api__set_early_warning(r jsonb, OUT status integer,
    OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb;
BEGIN
    PERFORM council.current_admin_org();
    a := council.api_args(r->>'body', '{"registered": "boolean"}');
    PERFORM council.set_early_warning((a->>'registered')::boolean);
    status := 200;
    body := council.my_early_warning()::text;
END
$$;

-- The door (policy/15_api.sql) for the row of site/routes.c.
CREATE OR REPLACE FUNCTION council.api_set_early_warning(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('set_early_warning',
    jsonb_build_object('body', p_body)) $$;

-- R-ORG-10: a declined application's organisation is not registered from
-- the start (council.apply records the choice; admission keeps it).
CREATE OR REPLACE FUNCTION council.application_early_warning() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    UPDATE council.organisations SET early_warning_opt_out = NEW.early_warning_declined
    WHERE id = NEW.org_id AND early_warning_opt_out IS DISTINCT FROM NEW.early_warning_declined;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS applications_early_warning ON council.applications;
CREATE TRIGGER applications_early_warning AFTER INSERT ON council.applications
    FOR EACH ROW EXECUTE FUNCTION council.application_early_warning();

------------------------------------------------------------------------
-- S/MIME certificates.
------------------------------------------------------------------------

-- The caller's own certificate, to which e-mail to them is encrypted:
-- p_pem as councild parsed it (an X.509 certificate), p_email the address
-- councild read from it, which must be the caller's (CP422
-- smime_email_mismatch); p_pem NULL removes it.  The JSON API reaches
-- this only through councild's handler (pages/smime.c), never directly:
-- the check that the text is a certificate is OpenSSL's.  Audited.
CREATE OR REPLACE FUNCTION council.set_my_smime_cert(p_pem text, p_email text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me     bigint := council.current_person_id();
    v_email  text;
BEGIN
    IF v_me IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT p.email INTO v_email FROM council.people p WHERE p.id = v_me;
    IF p_pem IS NOT NULL AND (p_email IS NULL OR lower(p_email) <> lower(v_email)) THEN
        RAISE EXCEPTION 'smime_email_mismatch' USING ERRCODE = 'CP422';
    END IF;
    IF p_pem IS NOT NULL AND (length(p_pem) > 20000
                              OR p_pem NOT LIKE '-----BEGIN CERTIFICATE-----%') THEN
        RAISE EXCEPTION 'invalid_certificate' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.people SET smime_cert = p_pem WHERE id = v_me;
    PERFORM council.audit('person.smime_cert', 'person', v_me,
        jsonb_build_object('set', p_pem IS NOT NULL));
END
$$;

-- POST /api/v1/me/smime {"pem": "-----BEGIN CERTIFICATE-----..."} or
-- {"pem": null}: reached only through councild's handler
-- (pages/mailprefs.c), which parsed the certificate and passes the
-- address it names as cert_email.  Answers {"registered": bool}.
-- p parsed as JSON, or NULL when it is not JSON (councild's handler reads
-- the certificate's text from it before the door is called).
CREATE OR REPLACE FUNCTION council.json_or_null(p text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN p::jsonb;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION council.api__smime_cert(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb := council.api_args(r->>'body', '{"pem": null}');
BEGIN
    IF NOT a ? 'pem' OR jsonb_typeof(a->'pem') NOT IN ('string', 'null') THEN
        RAISE EXCEPTION 'invalid_pem' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.set_my_smime_cert(a->>'pem', r->>'cert_email');
    status := 200;
    body := council.my_smime()::text;
END
$$;
CREATE OR REPLACE FUNCTION council.api_smime_cert(p_body text, p_email text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('smime_cert',
    jsonb_build_object('body', p_body, 'cert_email', p_email)) $$;

-- Whether the caller has a certificate registered.
CREATE OR REPLACE FUNCTION council.my_smime() RETURNS json
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('registered', p.smime_cert IS NOT NULL)
    FROM council.people p WHERE p.id = council.current_person_id()
$$;

------------------------------------------------------------------------
-- The outbox.
------------------------------------------------------------------------

-- One e-mail into the outbox (not for council_app): to person q about
-- post p (NULL: none), once per dedupe key.  The page p_link is put after
-- the body, behind councild's public_url, when the e-mail is claimed.
CREATE OR REPLACE FUNCTION council.mail__enqueue(p_kind text, q bigint, p_subject text,
    p_body text, p bigint, p_dedupe text) RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    INSERT INTO council.mail_outbox (kind, person_id, email, subject, body, post_id, dedupe,
                                     message_id)
    SELECT p_kind, x.id, x.email, p_subject, p_body, p, p_dedupe,
           replace(gen_random_uuid()::text, '-', '') || '.' || to_hex(x.id)
    FROM council.people x WHERE x.id = q AND x.active
    ON CONFLICT (dedupe) DO NOTHING
$$;

-- R-ORG-10, R-NEW-4: a targeted warning (council.vuln_warnings) is
-- mailed to the administrator and the registered handlers of its owner
-- when the owner is registered for the early-warning service, and only to
-- those who may read the post (council.person_sees_post).  The e-mail
-- names the page; the post's title and text stay behind the sign-in.
CREATE OR REPLACE FUNCTION council.vuln_warning_mail() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    PERFORM council.mail_warn_org(NEW.org_id, NEW.post_id, 'vuln:' || NEW.post_id);
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS vuln_warnings_mail ON council.vuln_warnings;
CREATE TRIGGER vuln_warnings_mail AFTER INSERT ON council.vuln_warnings
    FOR EACH ROW EXECUTE FUNCTION council.vuln_warning_mail();

-- R-ORG-10: the early warning about post p to organisation o's
-- administrator and registered handlers that may read p, when o is
-- registered.  Returns the e-mails queued.
CREATE OR REPLACE FUNCTION council.mail_warn_org(o bigint, p bigint, p_key text)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    q  record;
    n  integer := 0;
BEGIN
    -- R-ORG-10: not registered (declined, left, liaison member): no mail.
    IF NOT council.early_warning_registered(o) THEN
        RETURN 0;
    END IF;
    FOR q IN SELECT x.id, x.lang FROM council.people x
             WHERE x.org_id = o AND x.active
               AND (x.is_org_admin OR EXISTS (
                        SELECT 1 FROM council.handler_registrations h
                        WHERE h.person_id = x.id AND h.deregistered_at IS NULL))
               -- Issue 17: only a person who may read the post hears of it.
               AND council.person_sees_post(x.id, p)
             ORDER BY x.id LOOP
        PERFORM council.mail__enqueue('warning', q.id,
            CASE WHEN q.lang = 'en' THEN 'Council Portal: a new early warning is waiting'
                 ELSE '協議会ポータル: 新しい早期警戒情報があります' END,
            CASE WHEN q.lang = 'en'
                 THEN 'A new early warning for your organisation is waiting on the portal (sign in to read it):'
                 ELSE '貴組織あての早期警戒情報がポータルに届いています（サインインしてご覧ください）:' END,
            p, p_key || ':' || q.id);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- The mailer's round, step 1: the notifications due by each person's
-- email_digest (council.mail_claim) become rows of the outbox in the same
-- transaction that marks them mailed, so none is lost or made twice.
-- Returns the rows made.  Issue 16: one instance of a cluster at a time
-- (the clock's lock, policy/52_cluster.sql); two fills at once took the
-- same people's notifications and the outbox's dedupe keys in different
-- orders and deadlocked.  An instance that finds it taken makes none
-- this round; the one that holds it makes them.
CREATE OR REPLACE FUNCTION council.mail_outbox_fill(p_limit integer, p_hour integer)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n  integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('council.clock'), hashtext('mail_outbox_fill')) THEN
        RETURN 0;
    END IF;
    INSERT INTO council.mail_outbox (kind, person_id, email, subject, body, dedupe, message_id)
    SELECT 'notification', x.id, m.email, left(m.subject, 300), m.body,
           'n:' || m.ids[1], replace(gen_random_uuid()::text, '-', '') || '.' || to_hex(x.id)
    FROM council.mail_claim(p_limit, p_hour, '{url}') m
    JOIN council.people x ON lower(x.email) = lower(m.email)
    ON CONFLICT (dedupe) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Step 2: claim at most p_limit due rows for p_lease_s seconds: queued
-- ones whose time has come, and sending ones whose claimer's lease ran
-- out (it crashed, or hung).  A claim counts as an attempt.  A row about
-- a post its person can no longer read is withheld instead (never sent).
-- body: the text with the page behind p_url.  smime_cert: the person's
-- certificate (encrypt to it), or NULL.
CREATE OR REPLACE FUNCTION council.mail_outbox_claim(p_limit integer, p_lease_s integer,
    p_url text)
    RETURNS TABLE (id bigint, email text, subject text, body text, message_id text,
                   smime_cert text, attempts integer)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    UPDATE council.mail_outbox m SET status = 'withheld', lease_until = NULL
    WHERE m.id IN (SELECT d.id FROM council.mail_outbox d
                   WHERE (d.status = 'queued' AND d.next_attempt <= now()
                          OR d.status = 'sending' AND d.lease_until < now())
                     AND d.post_id IS NOT NULL
                     AND NOT council.person_sees_post(d.person_id, d.post_id)
                   FOR UPDATE SKIP LOCKED);
    RETURN QUERY
    WITH due AS (
        SELECT d.id FROM council.mail_outbox d
        WHERE (d.status = 'queued' AND d.next_attempt <= now())
           OR (d.status = 'sending' AND d.lease_until < now())
        ORDER BY d.next_attempt, d.id
        LIMIT greatest(p_limit, 0)
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE council.mail_outbox m
        SET status = 'sending', attempts = m.attempts + 1,
            lease_until = now() + make_interval(secs => greatest(p_lease_s, 1))
        FROM due WHERE m.id = due.id
        RETURNING m.*
    )
    SELECT c.id, c.email, c.subject,
           replace(c.body, '{url}', coalesce(p_url, ''))
           || CASE WHEN c.post_id IS NULL THEN ''
                   ELSE E'\n' || coalesce(p_url, '') || '/posts/' || c.post_id END,
           c.message_id, x.smime_cert, c.attempts
    FROM claimed c JOIN council.people x ON x.id = c.person_id
    ORDER BY c.id;
END
$$;

-- Step 3a: row p was accepted by the relay (its final 250 to DATA), or
-- written into the Maildir.  Only a row still claimed is marked.
CREATE OR REPLACE FUNCTION council.mail_outbox_sent(p bigint) RETURNS boolean
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    WITH s AS (
        UPDATE council.mail_outbox SET status = 'sent', sent_at = now(), lease_until = NULL,
                                       last_error = NULL
        WHERE id = p AND status = 'sending' RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM s)
$$;

-- Step 3b: row p was not sent.  A permanent refusal (the relay's 5xx), or
-- the 20th attempt, ends it as failed (kept for the record); otherwise it
-- waits p_base_s * 2^(attempts-1) seconds, at most p_max_s, and is
-- claimed again.
CREATE OR REPLACE FUNCTION council.mail_outbox_retry(p bigint, p_permanent boolean,
    p_error text, p_base_s integer, p_max_s integer) RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    UPDATE council.mail_outbox m
    SET status = CASE WHEN p_permanent OR m.attempts >= 20 THEN 'failed' ELSE 'queued' END,
        lease_until = NULL, last_error = left(p_error, 500),
        next_attempt = now() + make_interval(secs => least(
            greatest(p_base_s, 1)::double precision * power(2, least(greatest(m.attempts - 1, 0), 30)),
            greatest(p_max_s, 1)))
    WHERE m.id = p AND m.status = 'sending'
$$;

-- A person reads the e-mails sent to them (nobody else's).
CREATE POLICY mail_outbox_own ON council.mail_outbox FOR SELECT TO council_app
    USING (person_id = (SELECT me.person_id FROM council.me));

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.early_warning_registered(bigint) OWNER TO council_definer;
ALTER FUNCTION council.application_early_warning() OWNER TO council_definer;
ALTER FUNCTION council.my_smime() OWNER TO council_definer;
ALTER FUNCTION council.mail__enqueue(text, bigint, text, text, bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.vuln_warning_mail() OWNER TO council_definer;
ALTER FUNCTION council.mail_warn_org(bigint, bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.mail_outbox_fill(integer, integer) OWNER TO council_definer;
ALTER FUNCTION council.mail_outbox_claim(integer, integer, text) OWNER TO council_definer;
ALTER FUNCTION council.mail_outbox_sent(bigint) OWNER TO council_definer;
ALTER FUNCTION council.mail_outbox_retry(bigint, boolean, text, integer, integer)
    OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.set_early_warning(boolean) OWNER TO council_writer;
ALTER FUNCTION council.set_my_smime_cert(text, text) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
REVOKE ALL ON FUNCTION council.application_early_warning(), council.mail__enqueue(text,
    bigint, text, text, bigint, text), council.vuln_warning_mail(),
    council.mail_warn_org(bigint, bigint, text), council.mail_outbox_fill(integer, integer),
    council.mail_outbox_claim(integer, integer, text), council.mail_outbox_sent(bigint),
    council.mail_outbox_retry(bigint, boolean, text, integer, integer),
    council.set_early_warning(boolean), council.set_my_smime_cert(text, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.mail_outbox_fill(integer, integer),
    council.mail_outbox_claim(integer, integer, text), council.mail_outbox_sent(bigint),
    council.mail_outbox_retry(bigint, boolean, text, integer, integer),
    council.set_early_warning(boolean), council.set_my_smime_cert(text, text),
    council.early_warning_registered(bigint) TO council_app;
