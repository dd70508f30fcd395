-- policy/73_membership.sql: joining and leaving the council (issue 5;
-- migrations/0015_lifecycle.sql; docs/governance.md "Membership").
-- Re-applied by "councilctl migrate".
--
--   apply            R-ORG-2: anyone applies, agreeing to the Rules in force
--   application_status  the applicant's view, through its link
--   applications_pending  the secretariat's and the committee's list
--   gsoc_notify      R-ORG-2, R-ORG-8: a GSOC-liaison agency's notification
--   org_withdraw     R-ORG-3: a member leaves, at once
--   org_dissolve     R-ORG-3 (Art. 9): the secretariat records a dissolution
-- The committee's decision is its admission or refusal motion
-- (policy/70_committee.sql sc__effect), which sets the status.

-- The version of the Rules in force.
CREATE OR REPLACE FUNCTION council.rules_version() RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT max(v.version) FROM council.document_versions v
    JOIN council.documents d ON d.id = v.document_id WHERE d.slug = 'rules'
$$;

-- A name or title: 1..200 characters, one line, no control characters.
CREATE OR REPLACE FUNCTION council.lifecycle_text_ok(t text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT t IS NOT NULL AND length(btrim(t)) BETWEEN 1 AND 200 AND t !~ '[\x01-\x1f\x7f]'
$$;

-- R-ORG-2: an application.  Nobody is made to apply: there is no session
-- here and no way to name an existing organisation; the applicant states
-- its own.  p_agree must be true and p_rules_version the version of the
-- Rules in force (the one the form showed); an application agreeing to an
-- older version is refused (CP409 rules_changed: read the new one).  The
-- organisation is 'applied'; its contact person is recorded inactive (no
-- sign-in before admission).  p_token_hash: SHA-256 of the applicant's
-- status link.  A second pending application with the same name or
-- contact is refused (CP409 already_applied).  Returns the application id.
--
-- R-ORG-2, R-ORG-3: a former member applies again the same way.  When the
-- contact e-mail is that of an administrator of a withdrawn organisation
-- and one of the names is its name, this is that organisation's new
-- application: the organisation (its record kept as it was) is 'applied'
-- again, with an application marked readmission, and the committee's
-- admission motion decides, as for anyone (policy/70_committee.sql).  Once
-- admitted it is a member from its new admission: its new membership
-- period reads only what is shared from then on (migration 0020,
-- docs/sharing.md "Membership periods").  As for a first application, the
-- form proves nothing about who fills it in: the committee's decision is
-- the check.  Expelled and dissolved organisations do not apply again this
-- way (CP409 already_applied, as before).
-- R-ORG-10: p_decline_early_warning, the applicant declines the
-- early-warning service on joining (policy/95_mail.sql: the organisation
-- is then not registered).
DROP FUNCTION IF EXISTS council.apply(text, text, text, text, text, text, integer, boolean, bytea);
CREATE OR REPLACE FUNCTION council.apply(p_name_ja text, p_name_en text, p_category text,
    p_sector text, p_contact_name text, p_contact_email text, p_rules_version integer,
    p_agree boolean, p_token_hash bytea, p_decline_early_warning boolean DEFAULT false)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint;
    v_id   bigint;
BEGIN
    IF NOT coalesce(p_agree, false) THEN
        RAISE EXCEPTION 'agreement_required' USING ERRCODE = 'CP422';
    END IF;
    IF p_rules_version IS DISTINCT FROM council.rules_version() THEN
        RAISE EXCEPTION 'rules_changed' USING ERRCODE = 'CP409';
    END IF;
    IF NOT (council.lifecycle_text_ok(p_name_ja) AND council.lifecycle_text_ok(p_name_en)
            AND council.lifecycle_text_ok(p_contact_name)) THEN
        RAISE EXCEPTION 'invalid_name' USING ERRCODE = 'CP422';
    END IF;
    IF p_contact_email IS NULL OR p_contact_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
       OR length(p_contact_email) > 254 OR p_contact_email ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_email' USING ERRCODE = 'CP422';
    END IF;
    IF p_category IS NULL OR NOT p_category = ANY (enum_range(NULL::council.org_category)::text[]) THEN
        RAISE EXCEPTION 'invalid_category' USING ERRCODE = 'CP422';
    END IF;
    IF (p_category = 'ci_operator') <> (nullif(p_sector, '') IS NOT NULL)
       OR (nullif(p_sector, '') IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM council.sectors WHERE code = p_sector)) THEN
        RAISE EXCEPTION 'invalid_sector' USING ERRCODE = 'CP422';
    END IF;
    IF p_token_hash IS NULL OR length(p_token_hash) <> 32 THEN
        RAISE EXCEPTION 'invalid_token' USING ERRCODE = 'CP422';
    END IF;
    SELECT o.id INTO v_org FROM council.people p
    JOIN council.organisations o ON o.id = p.org_id
    WHERE lower(p.email) = lower(p_contact_email) AND p.is_org_admin
      AND o.status = 'withdrawn'
      AND (o.name_ja = btrim(p_name_ja) OR o.name_en = btrim(p_name_en));
    IF v_org IS NOT NULL THEN
        UPDATE council.organisations SET status = 'applied' WHERE id = v_org;
        INSERT INTO council.org_status_history (org_id, status, note)
        VALUES (v_org, 'applied', format('application to join again received; agreed to the '
                                         'Rules, version %s', p_rules_version));
        INSERT INTO council.applications (org_id, kind, rules_version, contact_name,
                                          contact_email, token_hash, readmission,
                                          early_warning_declined)
        VALUES (v_org, 'application', p_rules_version, btrim(p_contact_name), p_contact_email,
                p_token_hash, true, coalesce(p_decline_early_warning, false))
        RETURNING id INTO v_id;
        PERFORM council.audit('membership.reapply', 'organisation', v_org,
            jsonb_build_object('application', v_id, 'rules_version', p_rules_version));
        RETURN v_id;
    END IF;
    IF EXISTS (SELECT 1 FROM council.organisations o
               WHERE o.status = 'applied'
                 AND (o.name_ja = btrim(p_name_ja) OR o.name_en = btrim(p_name_en)))
       OR EXISTS (SELECT 1 FROM council.people p JOIN council.organisations o ON o.id = p.org_id
                  WHERE lower(p.email) = lower(p_contact_email)) THEN
        RAISE EXCEPTION 'already_applied' USING ERRCODE = 'CP409';
    END IF;
    INSERT INTO council.organisations (slug, name_ja, name_en, category, sector_code, status)
    VALUES ('applicant-' || encode(gen_random_bytes_or_md5(), 'hex'),
            btrim(p_name_ja), btrim(p_name_en), p_category::council.org_category,
            nullif(p_sector, ''), 'applied')
    RETURNING id INTO v_org;
    INSERT INTO council.org_status_history (org_id, status, note)
    VALUES (v_org, 'applied', format('application received; agreed to the Rules, version %s',
                                     p_rules_version));
    INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin, active)
    VALUES (v_org, btrim(p_contact_name), btrim(p_contact_name), p_contact_email, true, false);
    INSERT INTO council.applications (org_id, kind, rules_version, contact_name, contact_email,
                                      token_hash, early_warning_declined)
    VALUES (v_org, 'application', p_rules_version, btrim(p_contact_name), p_contact_email,
            p_token_hash, coalesce(p_decline_early_warning, false))
    RETURNING id INTO v_id;
    PERFORM council.audit('membership.apply', 'organisation', v_org,
        jsonb_build_object('application', v_id, 'rules_version', p_rules_version));
    RETURN v_id;
END
$$;

-- Six random bytes for an applicant's slug (pgcrypto is not assumed).
CREATE OR REPLACE FUNCTION council.gen_random_bytes_or_md5() RETURNS bytea
    LANGUAGE sql VOLATILE
AS $$
    SELECT substr(decode(md5(random()::text || clock_timestamp()::text), 'hex'), 1, 6)
$$;

-- The applicant's view (R-ORG-2): its names, 'pending' / 'approved' /
-- 'refused' (a later withdrawal or expulsion shows as it is), when it
-- applied, and a refusal's reason unless the committee withheld it.  No
-- row for an unknown link.
CREATE OR REPLACE FUNCTION council.application_status(p_token_hash bytea)
    RETURNS TABLE (name_ja text, name_en text, status text, submitted_at timestamptz,
                   rules_version integer, reason text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT o.name_ja, o.name_en,
           CASE o.status WHEN 'applied' THEN 'pending' WHEN 'member' THEN 'approved'
                         ELSE o.status::text END,
           a.submitted_at, a.rules_version,
           CASE WHEN o.status = 'refused' THEN
               (SELECT CASE WHEN m.reason_withheld THEN NULL ELSE m.refusal_reason END
                FROM council.sc_motions m
                WHERE m.subject_org_id = o.id AND m.kind = 'refusal' AND m.status = 'passed'
                ORDER BY m.closed_at DESC LIMIT 1) END
    FROM council.applications a JOIN council.organisations o ON o.id = a.org_id
    WHERE a.token_hash = p_token_hash AND a.kind = 'application'
$$;

-- The pending applications, for the secretariat, the coordinator and the
-- committee (who decide them, R-GOV-5): CP403 for anyone else.
CREATE OR REPLACE FUNCTION council.applications_pending() RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT coalesce((SELECT me.is_secretariat OR me.is_coordinator OR me.is_committee
                     FROM council.me), false) THEN
        RAISE EXCEPTION 'only_secretariat_or_committee' USING ERRCODE = 'CP403';
    END IF;
    RETURN json_build_object('applications', coalesce((SELECT json_agg(json_build_object(
            'id', a.id, 'org', o.id, 'name_ja', o.name_ja, 'name_en', o.name_en,
            'category', o.category, 'sector', o.sector_code,
            'contact_name', a.contact_name, 'contact_email', a.contact_email,
            'rules_version', a.rules_version, 'submitted_at', a.submitted_at,
            'readmission', a.readmission,
            'motions', (SELECT coalesce(json_agg(json_build_object('id', m.id, 'kind', m.kind,
                                'status', m.status) ORDER BY m.id), '[]')
                        FROM council.sc_motions m WHERE m.subject_org_id = o.id))
            ORDER BY a.submitted_at)
        FROM council.applications a JOIN council.organisations o ON o.id = a.org_id
        WHERE o.status = 'applied'
          -- a former member's latest application only
          AND a.id = (SELECT max(x.id) FROM council.applications x
                      WHERE x.org_id = o.id)), '[]'));
END
$$;

-- R-ORG-2, R-ORG-8 (Rules Art. 6(5)): the secretariat records a national
-- agency's notification that it joins as a GSOC-liaison member; the
-- receipt is the approval: a member at once, sharing through GSOC.
-- Returns the organisation.
CREATE OR REPLACE FUNCTION council.gsoc_notify(p_name_ja text, p_name_en text,
    p_contact_name text, p_contact_email text) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me   bigint := council.current_person_id();
    v_org  bigint;
BEGIN
    IF v_me IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.current_is_secretariat() THEN
        RAISE EXCEPTION 'only_secretariat' USING ERRCODE = 'CP403';
    END IF;
    IF NOT (council.lifecycle_text_ok(p_name_ja) AND council.lifecycle_text_ok(p_name_en)
            AND council.lifecycle_text_ok(p_contact_name)) THEN
        RAISE EXCEPTION 'invalid_name' USING ERRCODE = 'CP422';
    END IF;
    IF p_contact_email IS NULL OR p_contact_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
       OR length(p_contact_email) > 254 THEN
        RAISE EXCEPTION 'invalid_email' USING ERRCODE = 'CP422';
    END IF;
    IF EXISTS (SELECT 1 FROM council.organisations o
               WHERE o.name_ja = btrim(p_name_ja) AND o.status IN ('applied', 'member'))
       OR EXISTS (SELECT 1 FROM council.people p WHERE lower(p.email) = lower(p_contact_email)) THEN
        RAISE EXCEPTION 'already_applied' USING ERRCODE = 'CP409';
    END IF;
    INSERT INTO council.organisations (slug, name_ja, name_en, category, gsoc_liaison, status)
    VALUES ('liaison-' || encode(council.gen_random_bytes_or_md5(), 'hex'),
            btrim(p_name_ja), btrim(p_name_en), 'national_agency', true, 'member')
    RETURNING id INTO v_org;
    INSERT INTO council.org_status_history (org_id, status, note)
    VALUES (v_org, 'member', 'GSOC-liaison notification received: receipt is approval (Rules Art. 6(5))');
    INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin, active)
    VALUES (v_org, btrim(p_contact_name), btrim(p_contact_name), p_contact_email, true, true);
    INSERT INTO council.applications (org_id, kind, rules_version, contact_name, contact_email,
                                      recorded_by)
    VALUES (v_org, 'gsoc_notification', council.rules_version(), btrim(p_contact_name),
            p_contact_email, v_me);
    PERFORM council.audit('membership.gsoc_notification', 'organisation', v_org, '{}');
    RETURN v_org;
END
$$;

-- Leaving (R-ORG-3): the organisation's status, its history row, its
-- handlers' registrations closed; its people's sessions and API tokens
-- end through the identity triggers (policy/10_identity.sql), its
-- audiences through the sharing engine's (policy/40_sharing_audience.sql).  Its
-- posts, ledger and audit rows stay.
CREATE OR REPLACE FUNCTION council.org__leave(p_org bigint, p_status council.membership_status,
    p_note text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    UPDATE council.handler_registrations h
    SET deregistered_at = now(), deregistered_by = council.current_person_id(),
        deregistration_reason = p_note
    WHERE h.deregistered_at IS NULL
      AND h.person_id IN (SELECT p.id FROM council.people p WHERE p.org_id = p_org);
    UPDATE council.organisations SET status = p_status WHERE id = p_org;
    INSERT INTO council.org_status_history (org_id, status, note) VALUES (p_org, p_status, p_note);
END
$$;

-- R-ORG-3 (Rules Art. 7): an administrator of a member notifies its
-- withdrawal, effective at once.  p_confirm must be true.  JPCERT/CC and
-- NISC (the secretariat bodies named by the Rules) and an organisation
-- holding a steering-committee seat (Annex 1: members by office, not by
-- joining) cannot withdraw by notification (CP409 not_withdrawable).
CREATE OR REPLACE FUNCTION council.org_withdraw(p_confirm boolean) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_org_id();
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.people p
                   WHERE p.id = council.current_person_id() AND p.is_org_admin AND p.active) THEN
        RAISE EXCEPTION 'not_org_admin' USING ERRCODE = 'CP403';
    END IF;
    IF NOT coalesce(p_confirm, false) THEN
        RAISE EXCEPTION 'confirmation_required' USING ERRCODE = 'CP422';
    END IF;
    IF EXISTS (SELECT 1 FROM council.organisations o WHERE o.id = v_org AND o.council_role IS NOT NULL)
       OR EXISTS (SELECT 1 FROM council.committee_members c JOIN council.people p ON p.id = c.person_id
                  WHERE p.org_id = v_org) THEN
        RAISE EXCEPTION 'not_withdrawable' USING ERRCODE = 'CP409';
    END IF;
    PERFORM council.audit('membership.withdraw', 'organisation', v_org, '{}');
    PERFORM council.org__leave(v_org, 'withdrawn', 'withdrawal notified (Rules Art. 7)');
END
$$;

-- R-ORG-3 (Rules Art. 9): the secretariat records that a member was
-- dissolved (or, for an individual, died or disappeared).
CREATE OR REPLACE FUNCTION council.org_dissolve(p_org bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.current_is_secretariat() THEN
        RAISE EXCEPTION 'only_secretariat' USING ERRCODE = 'CP403';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.organisations o WHERE o.id = p_org AND o.status = 'member') THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    IF EXISTS (SELECT 1 FROM council.organisations o WHERE o.id = p_org AND o.council_role IS NOT NULL) THEN
        RAISE EXCEPTION 'not_withdrawable' USING ERRCODE = 'CP409';
    END IF;
    PERFORM council.audit('membership.dissolve', 'organisation', p_org, '{}');
    PERFORM council.org__leave(p_org, 'dissolved', 'dissolution recorded (Rules Art. 9)');
END
$$;

-- The JSON API's rows, council.api__<name>(request), reached through the
-- door council.api_call (policy/15_api.sql).
-- POST /api/v1/org/withdraw {"confirm": true}
CREATE OR REPLACE FUNCTION council.api__org_withdraw(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb := council.api_args(r->>'body', '{"confirm": "boolean"}');
BEGIN
    PERFORM council.org_withdraw((a->>'confirm')::boolean);
    status := 200;
    body := '{"status":"withdrawn"}';
END
$$;

-- POST /api/v1/applications {"kind": "gsoc_notification", name_ja,
-- name_en, contact_name, contact_email} (the secretariat) or
-- {"kind": "dissolution", "org": N} (the secretariat, Art. 9).
CREATE OR REPLACE FUNCTION council.api__membership(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb := council.api_args(r->>'body', '{"kind": "string", "name_ja": "string",
        "name_en": "string", "contact_name": "string", "contact_email": "string",
        "org": "number"}');
BEGIN
    IF a->>'kind' = 'gsoc_notification' THEN
        status := 201;
        body := json_build_object('org', council.gsoc_notify(a->>'name_ja', a->>'name_en',
            a->>'contact_name', a->>'contact_email'), 'status', 'member')::text;
    ELSIF a->>'kind' = 'dissolution' THEN
        PERFORM council.org_dissolve((a->>'org')::bigint);
        status := 200;
        body := '{"status":"dissolved"}';
    ELSE
        RAISE EXCEPTION 'invalid_kind' USING ERRCODE = 'CP422';
    END IF;
END
$$;

-- Applications: the secretariat bodies and the committee read them; the
-- applicant through council.application_status.
CREATE POLICY applications_visible ON council.applications FOR SELECT TO council_app
    USING (coalesce((SELECT me.is_secretariat OR me.is_coordinator OR me.is_committee
                     FROM council.me), false));

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.rules_version() OWNER TO council_definer;
ALTER FUNCTION council.apply(text, text, text, text, text, text, integer, boolean, bytea, boolean)
    OWNER TO council_definer;
ALTER FUNCTION council.application_status(bytea) OWNER TO council_definer;
ALTER FUNCTION council.applications_pending() OWNER TO council_definer;
ALTER FUNCTION council.gsoc_notify(text, text, text, text) OWNER TO council_definer;
ALTER FUNCTION council.org__leave(bigint, council.membership_status, text) OWNER TO council_definer;
ALTER FUNCTION council.org_withdraw(boolean) OWNER TO council_definer;
ALTER FUNCTION council.org_dissolve(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.org__leave(bigint, council.membership_status, text) FROM PUBLIC;
