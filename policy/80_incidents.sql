-- policy/80_incidents.sql: incident reports (issue 13 items 1-4; R-NEW-3;
-- docs/incidents.md).  A member files one report about one incident and
-- keeps it up to date in stages (first notice, preliminary, final, with
-- amendments between); the report is delivered once to every authority
-- whose regime applies and that the reporter confirmed; each stage has a
-- deadline per regime, counted from the awareness time; an authority
-- acknowledges, and the reporter is then told of the other authorities'
-- duties that may apply (seed 000 Art. 4(1), seed 001).
-- Re-applied by "councilctl migrate".  Errors: MESSAGE a stable code,
-- SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- Who sees a report, its submissions and its deliveries: the reporter's
-- organisation, every authority it was delivered to, and the coordinator
-- (R-ORG-6), each through its registered handlers and its administrator
-- (R-ORG-4).  Nobody else sees a report, its existence or its count: a
-- hidden id answers exactly like an absent one (CP404 incident_not_found).

------------------------------------------------------------------------
-- Who may touch a report.
------------------------------------------------------------------------

-- The caller is an active registered handler or the administrator of its
-- organisation (R-ORG-4: only registered people touch what the council
-- holds in confidence; the administrator answers for the organisation).
CREATE OR REPLACE FUNCTION council.incident_may_touch() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (
        SELECT 1 FROM council.me m
        JOIN council.people p ON p.id = m.person_id AND p.active
        WHERE p.is_org_admin
           OR EXISTS (SELECT 1 FROM council.handler_registrations h
                      WHERE h.person_id = p.id AND h.deregistered_at IS NULL))
$$;

-- R-NEW-3: the caller sees report r: as its reporter, as an authority it
-- was delivered to, or as the coordinator; and may touch reports at all.
-- SECURITY DEFINER: reads the deliveries under no policy (theirs calls
-- this one).
CREATE OR REPLACE FUNCTION council.incident_visible(r bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m, council.incident_reports x
        WHERE x.id = r
          AND (m.is_coordinator OR x.org_id = m.org_id
               OR EXISTS (SELECT 1 FROM council.incident_deliveries d
                          WHERE d.report_id = x.id AND d.authority_org_id = m.org_id)))
$$;

-- R-NEW-3, R-SCOPE-4: organisation o is a party of report r: its
-- reporter, an authority it was delivered to, or the coordinator.  What is
-- drawn from the report reaches nobody else until the reporter consents
-- (council.audience_compute).  SECURITY DEFINER: reads under no policy.
CREATE OR REPLACE FUNCTION council.incident_party(r bigint, o bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (
        SELECT 1 FROM council.incident_reports x
        WHERE x.id = r
          AND (x.org_id = o
               OR EXISTS (SELECT 1 FROM council.incident_deliveries d
                          WHERE d.report_id = x.id AND d.authority_org_id = o)
               OR EXISTS (SELECT 1 FROM council.organisations c
                          WHERE c.id = o AND c.council_role = 'coordinator')))
$$;

------------------------------------------------------------------------
-- The regimes and their deadlines.
------------------------------------------------------------------------

-- The version of each regime in force now.
CREATE OR REPLACE FUNCTION council.incident_regimes_in_force()
    RETURNS SETOF council.incident_regimes
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT DISTINCT ON (code) * FROM council.incident_regimes
    WHERE effective_from <= now()
    ORDER BY code, version DESC
$$;

-- R-NEW-3: the regimes that apply to a reporter of organisation p_org with
-- these answers, with the authority each reports to (the organisation
-- playing it; for 'sector', each ministry supervising p_sector, R-SCOPE-2)
-- and its deadlines (final: the unauthorised-access term when it applies).
-- A regime whose authority no organisation plays, or that would report to
-- the reporter itself, is left out.  Mandatory regimes first.
CREATE OR REPLACE FUNCTION council.incident_regimes_for(p_org bigint,
    p_specified boolean, p_personal boolean, p_unauthorised boolean, p_sector text)
    RETURNS TABLE (code text, version integer, name_ja text, name_en text,
                   mandatory boolean, authority_org_id bigint,
                   authority_ja text, authority_en text,
                   first_notice interval, preliminary interval, final interval)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT g.code, g.version, g.name_ja, g.name_en, g.mandatory, o.id, o.name_ja, o.name_en,
           g.first_notice, g.preliminary,
           CASE WHEN p_unauthorised AND g.final_unauthorised IS NOT NULL
                THEN g.final_unauthorised ELSE g.final END
    FROM council.incident_regimes_in_force() g
    JOIN LATERAL (
        SELECT a.org_id FROM council.incident_authorities a WHERE a.kind = g.authority
        UNION ALL
        SELECT s.org_id FROM council.org_supervises s
        WHERE g.authority = 'sector' AND s.sector_code = p_sector
    ) w ON true
    JOIN council.organisations o ON o.id = w.org_id AND o.status = 'member'
    WHERE o.id <> p_org
      AND CASE g.trigger
              WHEN 'specified_operator' THEN coalesce(p_specified, false)
              WHEN 'personal_data' THEN coalesce(p_personal, false)
              WHEN 'sector' THEN p_sector IS NOT NULL
              ELSE true END
    ORDER BY g.mandatory DESC, g.code, o.id
$$;

-- R-NEW-3: the deadlines of report r: one row per delivery and stage with
-- a deadline under the delivery's regime: when it is due, when it was met
-- (the first submission of that stage or a later one), and its state:
-- 'met', 'late' (met after the deadline), 'open' (not yet due), 'overdue'.
-- Reads what the caller sees (the policies below), nothing more.
CREATE OR REPLACE FUNCTION council.incident_deadlines(r bigint)
    RETURNS TABLE (authority_org_id bigint, regime_code text, stage council.incident_stage,
                   due_at timestamptz, met_at timestamptz, state text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT d.authority_org_id, d.regime_code, s.stage, x.aware_at + s.term, m.met,
           CASE WHEN m.met IS NOT NULL AND m.met <= x.aware_at + s.term THEN 'met'
                WHEN m.met IS NOT NULL THEN 'late'
                WHEN now() <= x.aware_at + s.term THEN 'open'
                ELSE 'overdue' END
    FROM council.incident_reports x
    JOIN council.incident_deliveries d ON d.report_id = x.id
    JOIN council.incident_regimes g ON g.code = d.regime_code AND g.version = d.regime_version
    CROSS JOIN LATERAL (VALUES
        ('first_notice'::council.incident_stage, g.first_notice),
        ('preliminary'::council.incident_stage, g.preliminary),
        ('final'::council.incident_stage,
         CASE WHEN x.unauthorised_access AND g.final_unauthorised IS NOT NULL
              THEN g.final_unauthorised ELSE g.final END)) s(stage, term)
    CROSS JOIN LATERAL (
        SELECT min(b.submitted_at) AS met FROM council.incident_submissions b
        WHERE b.report_id = x.id AND b.stage >= s.stage) m
    WHERE x.id = r AND s.term IS NOT NULL
    ORDER BY x.aware_at + s.term, d.regime_code
$$;

------------------------------------------------------------------------
-- Writing.
------------------------------------------------------------------------

-- R-NEW-3: a report's content, checked: an object with only these keys,
-- each of its type and within its limit (text 4,000 characters, lists 100
-- items of 500 characters); statements [{text, confirmed}]; techniques
-- MITRE ATT&CK technique ids (T1234 or T1234.567) of the bundled list,
-- council.attack_techniques (migration 0028, its newest version).  At the
-- final stage
-- every statement must be confirmed (a preliminary report may carry
-- uncertain content: seed 002 ch. 4 §2(2)), and the cause and the measures
-- must be given.  Raises CP422 invalid_<key> or final_incomplete.
CREATE OR REPLACE FUNCTION council.incident_body_check(b jsonb, p_stage council.incident_stage)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    k  text;
    e  jsonb;
BEGIN
    IF b IS NULL OR jsonb_typeof(b) <> 'object' THEN
        RAISE EXCEPTION 'invalid_body' USING ERRCODE = 'CP422';
    END IF;
    FOR k IN SELECT jsonb_object_keys(b) LOOP
        IF k NOT IN ('summary', 'systems', 'techniques', 'indicators', 'outage',
                     'persons', 'data_kinds', 'cause', 'measures', 'statements') THEN
            RAISE EXCEPTION 'invalid_body' USING ERRCODE = 'CP422';
        END IF;
    END LOOP;
    FOREACH k IN ARRAY ARRAY['summary', 'cause', 'measures'] LOOP
        IF b ? k AND (jsonb_typeof(b->k) <> 'string' OR length(b->>k) > 4000
                      OR b->>k ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]') THEN
            RAISE EXCEPTION 'invalid_%', k USING ERRCODE = 'CP422';
        END IF;
    END LOOP;
    FOREACH k IN ARRAY ARRAY['systems', 'techniques', 'indicators', 'data_kinds'] LOOP
        IF b ? k THEN
            IF jsonb_typeof(b->k) <> 'array' OR jsonb_array_length(b->k) > 100 THEN
                RAISE EXCEPTION 'invalid_%', k USING ERRCODE = 'CP422';
            END IF;
            FOR e IN SELECT value FROM jsonb_array_elements(b->k) LOOP
                IF jsonb_typeof(e) <> 'string' OR length(e #>> '{}') NOT BETWEEN 1 AND 500
                   OR e #>> '{}' ~ '[\x01-\x1f\x7f]'
                   OR (k = 'techniques' AND NOT EXISTS (
                           SELECT 1 FROM council.attack_techniques t
                           WHERE t.id = e #>> '{}'
                             AND t.version = (SELECT max(version) FROM council.attack_techniques))) THEN
                    RAISE EXCEPTION 'invalid_%', k USING ERRCODE = 'CP422';
                END IF;
            END LOOP;
        END IF;
    END LOOP;
    IF b ? 'outage' AND jsonb_typeof(b->'outage') <> 'boolean' THEN
        RAISE EXCEPTION 'invalid_outage' USING ERRCODE = 'CP422';
    END IF;
    IF b ? 'persons' AND (jsonb_typeof(b->'persons') <> 'number'
                          OR (b->>'persons') !~ '^[0-9]{1,10}$') THEN
        RAISE EXCEPTION 'invalid_persons' USING ERRCODE = 'CP422';
    END IF;
    IF b ? 'statements' THEN
        IF jsonb_typeof(b->'statements') <> 'array' OR jsonb_array_length(b->'statements') > 100 THEN
            RAISE EXCEPTION 'invalid_statements' USING ERRCODE = 'CP422';
        END IF;
        FOR e IN SELECT value FROM jsonb_array_elements(b->'statements') LOOP
            IF jsonb_typeof(e) <> 'object' OR jsonb_typeof(e->'text') IS DISTINCT FROM 'string'
               OR jsonb_typeof(e->'confirmed') IS DISTINCT FROM 'boolean'
               OR length(e->>'text') NOT BETWEEN 1 AND 4000
               OR e->>'text' ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]'
               OR EXISTS (SELECT 1 FROM jsonb_object_keys(e) j WHERE j NOT IN ('text', 'confirmed')) THEN
                RAISE EXCEPTION 'invalid_statements' USING ERRCODE = 'CP422';
            END IF;
        END LOOP;
    END IF;
    IF p_stage = 'final' AND (coalesce(b->>'cause', '') = '' OR coalesce(b->>'measures', '') = ''
        OR EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(b->'statements', '[]')) s
                   WHERE NOT (s->>'confirmed')::boolean)) THEN
        RAISE EXCEPTION 'final_incomplete' USING ERRCODE = 'CP422';
    END IF;
    RETURN b;
END
$$;

-- Tell the handlers and the administrator of organisation p_org (never
-- the caller): kind, subjects (no content: a number only), a link; once
-- per dedupe key.
CREATE OR REPLACE FUNCTION council.incident_tell(p_org bigint, p_kind text,
    p_subject_ja text, p_subject_en text, p_link text, p_dedupe text) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n  integer;
BEGIN
    INSERT INTO council.notifications (person_id, kind, subject_ja, subject_en, link, dedupe)
    SELECT p.id, p_kind, p_subject_ja, p_subject_en, p_link, p_dedupe
    FROM council.people p
    WHERE p.org_id = p_org AND p.active
      AND p.id IS DISTINCT FROM council.current_person_id()
      AND (p.is_org_admin OR EXISTS (SELECT 1 FROM council.handler_registrations h
                                     WHERE h.person_id = p.id AND h.deregistered_at IS NULL))
    ON CONFLICT (person_id, dedupe) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- R-NEW-3: file a report (one window, one form).  The caller's
-- organisation reports p_title, of which it became aware at p_aware (not
-- in the future, at most a year ago), with its answers, its first
-- submission (p_stage, p_body) and the authorities it confirms
-- (p_authorities: each must be the authority of a regime that applies,
-- at least one).  Delivered to each at once, under the regime in force;
-- each authority is told (a number, no content).  Returns the report's id.
CREATE OR REPLACE FUNCTION council.incident_file(p_title text, p_aware timestamptz,
    p_specified boolean, p_personal boolean, p_unauthorised boolean, p_sector text,
    p_stage council.incident_stage, p_body jsonb, p_authorities bigint[]) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    v_org     bigint := council.current_org_id();
    v_id      bigint;
    g         record;
    a         bigint;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.incident_may_touch() THEN
        RAISE EXCEPTION 'not_a_handler' USING ERRCODE = 'CP403';
    END IF;
    IF p_title IS NULL OR length(btrim(p_title)) NOT BETWEEN 1 AND 200
       OR p_title ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_title' USING ERRCODE = 'CP422';
    END IF;
    IF p_aware IS NULL OR p_aware > now() + interval '5 minutes'
       OR p_aware < now() - interval '366 days' THEN
        RAISE EXCEPTION 'invalid_aware_at' USING ERRCODE = 'CP422';
    END IF;
    IF p_specified IS NULL OR p_personal IS NULL OR p_unauthorised IS NULL THEN
        RAISE EXCEPTION 'answers_required' USING ERRCODE = 'CP422';
    END IF;
    IF p_sector IS NOT NULL AND NOT EXISTS (SELECT 1 FROM council.sectors WHERE code = p_sector) THEN
        RAISE EXCEPTION 'invalid_sector' USING ERRCODE = 'CP422';
    END IF;
    IF p_stage IS NULL THEN
        RAISE EXCEPTION 'invalid_stage' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.incident_body_check(p_body, p_stage);
    IF p_authorities IS NULL OR cardinality(p_authorities) = 0 THEN
        RAISE EXCEPTION 'authority_required' USING ERRCODE = 'CP422';
    END IF;
    FOREACH a IN ARRAY p_authorities LOOP
        IF NOT EXISTS (SELECT 1 FROM council.incident_regimes_for(v_org, p_specified,
                           p_personal, p_unauthorised, p_sector) f
                       WHERE f.authority_org_id = a) THEN
            RAISE EXCEPTION 'authority_not_applicable' USING ERRCODE = 'CP422';
        END IF;
    END LOOP;
    INSERT INTO council.incident_reports (org_id, created_by, title, aware_at,
        specified_operator, personal_data, unauthorised_access, sector_code)
    VALUES (v_org, v_person, btrim(p_title), p_aware, p_specified, p_personal,
            p_unauthorised, p_sector)
    RETURNING id INTO v_id;
    INSERT INTO council.incident_submissions (report_id, seq, stage, amendment, body, submitted_by)
    VALUES (v_id, 1, p_stage, false, p_body, v_person);
    -- One delivery per regime that applies and authority confirmed (one
    -- authority may hold two regimes, a sector two ministries: each
    -- recorded).
    FOR g IN SELECT * FROM council.incident_regimes_for(v_org, p_specified, p_personal,
                 p_unauthorised, p_sector) f
             WHERE f.authority_org_id = ANY (p_authorities)
    LOOP
        INSERT INTO council.incident_deliveries (report_id, authority_org_id, regime_code, regime_version)
        VALUES (v_id, g.authority_org_id, g.code, g.version);
        PERFORM council.incident_tell(g.authority_org_id, 'incident.delivered',
            format('インシデント報告 #%s を受信しました', v_id),
            format('Incident report #%s received', v_id),
            '/incidents/' || v_id, 'incident.delivered:' || v_id);
    END LOOP;
    PERFORM council.audit('incident.file', 'incident_report', v_id,
        jsonb_build_object('stage', p_stage, 'authorities', to_jsonb(p_authorities)));
    RETURN v_id;
END
$$;

-- The caller is signed in (else CP401) and sees report r (else CP404
-- incident_not_found, exactly as for an absent id).
CREATE OR REPLACE FUNCTION council.incident_require(r bigint) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF r IS NULL OR NOT council.incident_visible(r) THEN
        RAISE EXCEPTION 'incident_not_found' USING ERRCODE = 'CP404';
    END IF;
END
$$;

-- R-NEW-3: the reporter submits the next stage of report r, or amends the
-- stage reached (p_stage equal to it).  A stage never goes back.  Each
-- authority is told (a number, no content).  Returns the submission's
-- sequence number.
CREATE OR REPLACE FUNCTION council.incident_submit(r bigint, p_stage council.incident_stage,
    p_body jsonb) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x      council.incident_reports;
    v_top  council.incident_stage;
    v_seq  integer;
    d      record;
BEGIN
    PERFORM council.incident_require(r);
    -- One submission at a time per report (its sequence numbers).
    PERFORM pg_advisory_xact_lock(hashtext('council.incident_reports'), hashtext(r::text));
    SELECT * INTO x FROM council.incident_reports WHERE id = r;
    IF x.org_id <> council.current_org_id() THEN
        RAISE EXCEPTION 'only_the_reporter' USING ERRCODE = 'CP403';
    END IF;
    IF p_stage IS NULL THEN
        RAISE EXCEPTION 'invalid_stage' USING ERRCODE = 'CP422';
    END IF;
    SELECT max(stage), max(seq) INTO v_top, v_seq FROM council.incident_submissions
    WHERE report_id = r;
    IF p_stage < v_top THEN
        RAISE EXCEPTION 'stage_goes_back' USING ERRCODE = 'CP409';
    END IF;
    PERFORM council.incident_body_check(p_body, p_stage);
    INSERT INTO council.incident_submissions (report_id, seq, stage, amendment, body, submitted_by)
    VALUES (r, v_seq + 1, p_stage, p_stage = v_top, p_body, council.current_person_id());
    FOR d IN SELECT DISTINCT authority_org_id FROM council.incident_deliveries WHERE report_id = r LOOP
        PERFORM council.incident_tell(d.authority_org_id, 'incident.updated',
            format('インシデント報告 #%s が更新されました', r),
            format('Incident report #%s was updated', r),
            '/incidents/' || r, 'incident.updated:' || r || ':' || (v_seq + 1));
    END LOOP;
    PERFORM council.audit('incident.submit', 'incident_report', r,
        jsonb_build_object('seq', v_seq + 1, 'stage', p_stage));
    RETURN v_seq + 1;
END
$$;

-- R-NEW-3: an authority acknowledges report r (its deliveries).  The
-- reporter is told, and told of the other authorities' duties that may
-- apply, those of the regimes that apply to it and were not delivered
-- (the memorandum's mutual introduction, seed 000 Art. 4(1), seed 001).
-- Acknowledging twice changes nothing.  Returns the introductions.
CREATE OR REPLACE FUNCTION council.incident_ack(r bigint) RETURNS json
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x        council.incident_reports;
    v_org    bigint := council.current_org_id();
    v_intro  json;
    v_ja     text;
    v_en     text;
    n        integer;
BEGIN
    PERFORM council.incident_require(r);
    IF NOT EXISTS (SELECT 1 FROM council.incident_deliveries
                   WHERE report_id = r AND authority_org_id = v_org) THEN
        RAISE EXCEPTION 'not_an_authority_of_it' USING ERRCODE = 'CP403';
    END IF;
    UPDATE council.incident_deliveries
    SET acknowledged_at = now(), acknowledged_by = council.current_person_id()
    WHERE report_id = r AND authority_org_id = v_org AND acknowledged_at IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT * INTO x FROM council.incident_reports WHERE id = r;
    -- The mandatory regimes that apply and were not delivered.
    SELECT coalesce(json_agg(json_build_object('regime', f.code, 'authority', f.authority_org_id,
                                               'name_ja', f.authority_ja, 'name_en', f.authority_en,
                                               'regime_ja', f.name_ja, 'regime_en', f.name_en)
                             ORDER BY f.code), '[]')
    INTO v_intro
    FROM council.incident_regimes_for(x.org_id, x.specified_operator, x.personal_data,
                                      x.unauthorised_access, x.sector_code) f
    WHERE f.mandatory
      AND NOT EXISTS (SELECT 1 FROM council.incident_deliveries d
                      WHERE d.report_id = r AND d.regime_code = f.code
                        AND d.authority_org_id = f.authority_org_id);
    IF n > 0 THEN
        SELECT string_agg((e->>'name_ja') || '（' || (e->>'regime_ja') || '）', '、'),
               string_agg((e->>'name_en') || ' (' || (e->>'regime_en') || ')', '; ')
        INTO v_ja, v_en FROM json_array_elements(v_intro) e;
        PERFORM council.incident_tell(x.org_id, 'incident.acknowledged',
            left(format('インシデント報告 #%s を受領しました', r)
                 || coalesce('。他の報告義務の可能性: ' || v_ja, ''), 300),
            left(format('Incident report #%s acknowledged', r)
                 || coalesce('. Other duties that may apply: ' || v_en, ''), 300),
            '/incidents/' || r, 'incident.ack:' || r || ':' || v_org);
        PERFORM council.audit('incident.ack', 'incident_report', r, '{}');
    END IF;
    RETURN json_build_object('introductions', v_intro);
END
$$;

-- R-NEW-3: remind the reporter of a stage due within a day (the timer's
-- round, server/core/timer.c): once per report, regime and stage.
CREATE OR REPLACE FUNCTION council.incident_remind() RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  record;
    n  integer := 0;
BEGIN
    FOR x IN SELECT r.id, r.org_id, l.regime_code, l.stage, l.due_at
             FROM council.incident_reports r
             CROSS JOIN LATERAL council.incident_deadlines(r.id) l
             WHERE l.state = 'open' AND l.due_at <= now() + interval '1 day'
               AND r.aware_at > now() - interval '400 days'
    LOOP
        n := n + council.incident_tell(x.org_id, 'incident.due',
            format('インシデント報告 #%s の期限が近づいています（%s JST）', x.id,
                   to_char(x.due_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI')),
            format('Incident report #%s: a stage is due soon (%s JST)', x.id,
                   to_char(x.due_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI')),
            '/incidents/' || x.id, 'incident.due:' || x.id || ':' || x.regime_code || ':' || x.stage);
    END LOOP;
    RETURN n;
END
$$;

------------------------------------------------------------------------
-- Reading.
------------------------------------------------------------------------

-- R-NEW-3: report r as the caller sees it (CP404 incident_not_found when
-- hidden or absent): the answers, every submission, the deliveries with
-- their acknowledgements, the deadlines with their states, and what the
-- caller may do.
CREATE OR REPLACE FUNCTION council.incident(r bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.incident_reports;
BEGIN
    SELECT * INTO x FROM council.incident_reports WHERE id = r;
    IF x.id IS NULL THEN
        RAISE EXCEPTION 'incident_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN json_build_object(
        'id', x.id, 'title', x.title, 'org', x.org_id,
        'org_name_ja', (SELECT name_ja FROM council.organisations WHERE id = x.org_id),
        'org_name_en', (SELECT name_en FROM council.organisations WHERE id = x.org_id),
        'aware_at', x.aware_at, 'created_at', x.created_at,
        'specified_operator', x.specified_operator, 'personal_data', x.personal_data,
        'unauthorised_access', x.unauthorised_access, 'sector', x.sector_code,
        'stage', (SELECT max(stage) FROM council.incident_submissions WHERE report_id = x.id),
        'submissions', coalesce((SELECT json_agg(json_build_object('seq', s.seq, 'stage', s.stage,
                'amendment', s.amendment, 'body', s.body, 'submitted_at', s.submitted_at)
                ORDER BY s.seq) FROM council.incident_submissions s WHERE s.report_id = x.id), '[]'),
        'deliveries', coalesce((SELECT json_agg(json_build_object('authority', d.authority_org_id,
                'name_ja', o.name_ja, 'name_en', o.name_en,
                'regime', d.regime_code, 'regime_version', d.regime_version,
                'delivered_at', d.delivered_at, 'acknowledged_at', d.acknowledged_at)
                ORDER BY d.regime_code)
                FROM council.incident_deliveries d JOIN council.organisations o ON o.id = d.authority_org_id
                WHERE d.report_id = x.id), '[]'),
        'deadlines', coalesce((SELECT json_agg(json_build_object('authority', l.authority_org_id,
                'regime', l.regime_code, 'stage', l.stage, 'due_at', l.due_at, 'met_at', l.met_at,
                'state', l.state)) FROM council.incident_deadlines(x.id) l), '[]'),
        -- Item 5 (R-NEW-5): what was drawn from it (policy/87_warnings.sql).
        'warnings', council.incident_warnings_json(x.id),
        'may_draft', council.incident_may_draft(x.id),
        'mine', x.org_id = council.current_org_id(),
        'may_acknowledge', EXISTS (SELECT 1 FROM council.incident_deliveries d
                                   WHERE d.report_id = x.id
                                     AND d.authority_org_id = council.current_org_id()
                                     AND d.acknowledged_at IS NULL));
END
$$;

-- R-NEW-3: the rows of the caller's list (the page's and the API's), the
-- 200 newest reports it sees: the stage reached, whether the caller's
-- organisation acknowledged (NULL: not an authority of it), the next
-- deadline not met and the stages late or overdue, its deadlines read
-- once per report.
CREATE OR REPLACE FUNCTION council.incident_list()
    RETURNS TABLE (id bigint, title text, org_id bigint, aware_at timestamptz,
                   stage council.incident_stage, acknowledged boolean,
                   next_due timestamptz, late bigint)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT x.id, x.title, x.org_id, x.aware_at,
           (SELECT max(s.stage) FROM council.incident_submissions s WHERE s.report_id = x.id),
           (SELECT bool_and(d.acknowledged_at IS NOT NULL) FROM council.incident_deliveries d
            WHERE d.report_id = x.id AND d.authority_org_id = council.current_org_id()),
           l.next_due, l.late
    FROM (SELECT * FROM council.incident_reports ORDER BY id DESC LIMIT 200) x
    CROSS JOIN LATERAL (
        SELECT min(d.due_at) FILTER (WHERE d.state IN ('open', 'overdue')) AS next_due,
               count(*) FILTER (WHERE d.state IN ('late', 'overdue')) AS late
        FROM council.incident_deadlines(x.id) d) l
    ORDER BY x.id DESC
$$;

-- R-NEW-3: the reports the caller sees, newest first (at most 200), each
-- with its stage and, for an authority, whether it acknowledged and the
-- nearest deadline not met: the authority's list of open reports.
CREATE OR REPLACE FUNCTION council.incidents_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('incidents', coalesce(json_agg(json_build_object(
               'id', l.id, 'title', l.title, 'org', l.org_id, 'aware_at', l.aware_at,
               'stage', l.stage, 'mine', l.org_id = council.current_org_id(),
               'acknowledged', l.acknowledged, 'next_due', l.next_due, 'late', l.late)
               ORDER BY l.id DESC), '[]'))
    FROM council.incident_list() l
$$;

------------------------------------------------------------------------
-- Who sees what.
------------------------------------------------------------------------

-- The rules are public to every signed-in caller (and the owner); so is
-- the ATT&CK list.
CREATE POLICY attack_techniques_read ON council.attack_techniques FOR SELECT
    TO council_app, council_writer USING (true);
CREATE POLICY incident_regimes_read ON council.incident_regimes FOR SELECT
    TO council_app, council_writer USING (true);
CREATE POLICY incident_authorities_read ON council.incident_authorities FOR SELECT
    TO council_app, council_writer USING (true);
-- R-NEW-3: a report, its submissions and its deliveries: as
-- council.incident_visible says.
CREATE POLICY incident_reports_visible ON council.incident_reports FOR SELECT
    TO council_app, council_writer USING (council.incident_visible(id));
CREATE POLICY incident_submissions_visible ON council.incident_submissions FOR SELECT
    TO council_app, council_writer USING (council.incident_visible(report_id));
CREATE POLICY incident_deliveries_visible ON council.incident_deliveries FOR SELECT
    TO council_app, council_writer USING (council.incident_visible(report_id));

------------------------------------------------------------------------
-- The JSON API's row (docs/api.md), through the door council.api_call
-- (policy/15_api.sql).
------------------------------------------------------------------------

-- POST /api/v1/incidents/preview {answers}: the regimes that apply, with
-- their authorities and deadlines (nothing stored);
-- POST /api/v1/incidents {title, aware_at, answers, stage, body,
-- authorities}: file (201 with the report);
-- POST /api/v1/incidents/N {"action": "submit", stage, body} | {"action":
-- "acknowledge"}.
CREATE OR REPLACE FUNCTION council.api__incident(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a     jsonb;
    v_id  bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    CASE r->>'what'
    WHEN 'preview' THEN
        a := council.api_args(r->>'body', '{"specified_operator": "boolean",
            "personal_data": "boolean", "unauthorised_access": "boolean", "sector": "string",
            "aware_at": "string"}');
        status := 200;
        body := json_build_object('regimes', coalesce((SELECT json_agg(json_build_object(
                'regime', f.code, 'version', f.version, 'name_ja', f.name_ja, 'name_en', f.name_en,
                'mandatory', f.mandatory, 'authority', f.authority_org_id,
                'authority_ja', f.authority_ja, 'authority_en', f.authority_en,
                'first_notice_due', (a->>'aware_at')::timestamptz + f.first_notice,
                'preliminary_due', (a->>'aware_at')::timestamptz + f.preliminary,
                'final_due', (a->>'aware_at')::timestamptz + f.final))
            FROM council.incident_regimes_for(council.current_org_id(),
                coalesce((a->>'specified_operator')::boolean, false),
                coalesce((a->>'personal_data')::boolean, false),
                coalesce((a->>'unauthorised_access')::boolean, false), a->>'sector') f), '[]'))::text;
    WHEN 'file' THEN
        a := council.api_args(r->>'body', '{"title": "string", "aware_at": "string",
            "specified_operator": "boolean", "personal_data": "boolean",
            "unauthorised_access": "boolean", "sector": "string", "stage": "string",
            "body": "object", "authorities": "array"}');
        v_id := council.incident_file(a->>'title', (a->>'aware_at')::timestamptz,
            (a->>'specified_operator')::boolean, (a->>'personal_data')::boolean,
            (a->>'unauthorised_access')::boolean, a->>'sector',
            (a->>'stage')::council.incident_stage, a->'body',
            ARRAY(SELECT (e #>> '{}')::bigint FROM jsonb_array_elements(coalesce(a->'authorities', '[]')) e));
        status := 201;
        body := council.incident(v_id)::text;
    WHEN 'act' THEN
        a := council.api_args(r->>'body', '{"action": "string", "stage": "string", "body": "object"}');
        v_id := (r->>'id')::bigint;
        PERFORM council.incident_require(v_id);
        CASE a->>'action'
        WHEN 'submit' THEN
            PERFORM council.incident_submit(v_id, (a->>'stage')::council.incident_stage, a->'body');
            status := 200;
            body := council.incident(v_id)::text;
        WHEN 'acknowledge' THEN
            status := 200;
            body := council.incident_ack(v_id)::text;
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
    ELSE
        RAISE EXCEPTION 'api__incident: % is not a call', r->>'what';
    END CASE;
END
$$;

------------------------------------------------------------------------
-- The pages' forms (server/pages/incident.c): one field per key of a
-- report's content, turned into the API's JSON and back.
------------------------------------------------------------------------

-- Split a form field into a list: techniques and data kinds on commas
-- (also 、 and ，) and white space, indicators on line breaks; empty items
-- dropped.
CREATE OR REPLACE FUNCTION council.incident_form_list(p text, p_lines boolean) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce(jsonb_agg(btrim(e) ORDER BY n), '[]')
    FROM regexp_split_to_table(coalesce(p, ''),
             CASE WHEN p_lines THEN '\r?\n' ELSE '[,、，\s]+' END) WITH ORDINALITY AS t(e, n)
    WHERE btrim(e) <> ''
$$;

-- A report's content from the form's fields (empty fields left out;
-- statements: the texts with their states, 'confirmed' or not, row by
-- row; a number of persons that is not one is kept as text, for
-- incident_body_check to name).
CREATE OR REPLACE FUNCTION council.incident_form_body(p_summary text, p_texts text[],
    p_states text[], p_techniques text, p_indicators text, p_outage text, p_persons text,
    p_kinds text, p_cause text, p_measures text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'summary', nullif(btrim(coalesce(p_summary, '')), ''),
        'statements', (SELECT nullif(coalesce(jsonb_agg(jsonb_build_object('text', btrim(t),
                              'confirmed', coalesce(p_states[n] = 'confirmed', false)) ORDER BY n), '[]'), '[]')
                       FROM unnest(coalesce(p_texts, '{}')) WITH ORDINALITY AS u(t, n)
                       WHERE btrim(t) <> ''),
        'techniques', nullif(council.incident_form_list(upper(p_techniques), false), '[]'),
        'indicators', nullif(council.incident_form_list(p_indicators, true), '[]'),
        'outage', CASE WHEN p_outage = 'yes' THEN true END,
        'persons', CASE WHEN btrim(coalesce(p_persons, '')) ~ '^[0-9]{1,10}$' THEN to_jsonb(btrim(p_persons)::bigint)
                        WHEN btrim(coalesce(p_persons, '')) <> '' THEN to_jsonb(p_persons) END,
        'data_kinds', nullif(council.incident_form_list(p_kinds, false), '[]'),
        'cause', nullif(btrim(coalesce(p_cause, '')), ''),
        'measures', nullif(btrim(coalesce(p_measures, '')), '')))
$$;

-- The form's fields from report r's latest content (the submission form
-- starts from it): one row, statements as two arrays.
CREATE OR REPLACE FUNCTION council.incident_form_fields(r bigint,
    OUT summary text, OUT texts text[], OUT confirmed boolean[], OUT techniques text,
    OUT indicators text, OUT outage boolean, OUT persons text, OUT kinds text,
    OUT cause text, OUT measures text, OUT stage council.incident_stage)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT b->>'summary',
           ARRAY(SELECT e->>'text' FROM jsonb_array_elements(coalesce(b->'statements', '[]')) e),
           ARRAY(SELECT (e->>'confirmed')::boolean FROM jsonb_array_elements(coalesce(b->'statements', '[]')) e),
           (SELECT string_agg(e #>> '{}', ', ') FROM jsonb_array_elements(coalesce(b->'techniques', '[]')) e),
           (SELECT string_agg(e #>> '{}', E'\n') FROM jsonb_array_elements(coalesce(b->'indicators', '[]')) e),
           coalesce((b->>'outage')::boolean, false), b->>'persons',
           (SELECT string_agg(e #>> '{}', ', ') FROM jsonb_array_elements(coalesce(b->'data_kinds', '[]')) e),
           b->>'cause', b->>'measures', s.stage
    FROM council.incident_submissions s, LATERAL (SELECT s.body AS b) x
    WHERE s.report_id = r
    ORDER BY s.seq DESC LIMIT 1
$$;

-- councild's entry (server/pages/incident.c, routes.c).
CREATE OR REPLACE FUNCTION council.api_incident(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('incident',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.incident_may_touch() OWNER TO council_definer;
ALTER FUNCTION council.incident_visible(bigint) OWNER TO council_definer;
ALTER FUNCTION council.incident_party(bigint, bigint) OWNER TO council_definer;
ALTER FUNCTION council.incident_regimes_for(bigint, boolean, boolean, boolean, text)
    OWNER TO council_definer;
ALTER FUNCTION council.incident_tell(bigint, text, text, text, text, text) OWNER TO council_definer;
ALTER FUNCTION council.incident_file(text, timestamptz, boolean, boolean, boolean, text,
    council.incident_stage, jsonb, bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.incident_submit(bigint, council.incident_stage, jsonb) OWNER TO council_definer;
ALTER FUNCTION council.incident_ack(bigint) OWNER TO council_definer;
ALTER FUNCTION council.incident_remind() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.incident_tell(bigint, text, text, text, text, text),
    council.incident_party(bigint, bigint),
    council.incident_remind() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.incident_remind() TO council_app;
-- council.consent_request (council_writer's) asks whether a warning's
-- scope goes beyond the report's parties.
GRANT EXECUTE ON FUNCTION council.incident_party(bigint, bigint) TO council_writer;
