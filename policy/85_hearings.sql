-- policy/85_hearings.sql: joint hearings of a reporter (issue 13 item 6;
-- R-NEW-3; docs/incidents.md "Joint hearings").  An authority that
-- received an incident report asks its reporter for a hearing, naming
-- the other authorities that received it and that it proposes to hold it
-- with; the reporter consents (to the hearing and, one by one, to each
-- authority proposed) or declines it altogether; an authority consented
-- joins; the authorities that take part write the hearing's record; the
-- requesting authority closes it as held, or cancels it.  Seed 000 Art.
-- 4(2)(1): the bodies hold hearings of the reporter jointly "with the
-- reporter's consent" (報告者等の承諾を得た上で); Art. 4(2)(2): the
-- results are shared among them; seed 001: the hearing is voluntary
-- (任意), held jointly with the reporter's agreement (先方了解を得た上で).
-- Re-applied by "councilctl migrate".  Errors: MESSAGE a stable code,
-- SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- Who sees a hearing (each through its registered handlers and its
-- administrator, R-ORG-4): the reporter's organisation, the requesting
-- authority, every authority the reporter consented to, and the
-- coordinator (R-ORG-6).  An authority that received the report but was
-- not consented (not yet asked, not yet answered, or refused) sees
-- nothing of the hearing, nor does anybody else: a hidden id answers
-- exactly like an absent one (CP404 hearing_not_found), and no list or
-- count includes it.  The record is narrower still: those who take part
-- (the requesting authority and the authorities that joined), the
-- reporter and the coordinator; an authority consented but not yet
-- joined sees the hearing, not its record.

------------------------------------------------------------------------
-- Who sees what.
------------------------------------------------------------------------

-- R-NEW-3: the caller sees hearing h: as the reporter, the requesting
-- authority, an authority the reporter consented to, or the coordinator;
-- and may touch reports at all (council.incident_may_touch).
-- SECURITY DEFINER: reads the hearings, their parties and the reports
-- under no policy (theirs call this one).
CREATE OR REPLACE FUNCTION council.hearing_visible(h bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m, council.incident_hearings x
        JOIN council.incident_reports r ON r.id = x.report_id
        WHERE x.id = h
          AND (m.is_coordinator OR r.org_id = m.org_id OR x.org_id = m.org_id
               OR EXISTS (SELECT 1 FROM council.incident_hearing_parties p
                          WHERE p.hearing_id = x.id AND p.org_id = m.org_id
                            AND p.consent = 'consented')))
$$;

-- R-NEW-3: the caller is a principal of hearing h: the reporter, the
-- requesting authority or the coordinator.  A principal sees every
-- authority invited with the reporter's answer; the others see only the
-- authorities consented (whom the reporter refused is the reporter's).
CREATE OR REPLACE FUNCTION council.hearing_principal(h bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m, council.incident_hearings x
        JOIN council.incident_reports r ON r.id = x.report_id
        WHERE x.id = h
          AND (m.is_coordinator OR r.org_id = m.org_id OR x.org_id = m.org_id))
$$;

-- R-NEW-3: organisation o takes part in hearing h: it requested it, or
-- the reporter consented to it and it joined.
CREATE OR REPLACE FUNCTION council.hearing_takes_part(h bigint, o bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (SELECT 1 FROM council.incident_hearings x WHERE x.id = h AND x.org_id = o)
        OR EXISTS (SELECT 1 FROM council.incident_hearing_parties p
                   WHERE p.hearing_id = h AND p.org_id = o AND p.consent = 'consented'
                     AND p.joined_at IS NOT NULL)
$$;

-- R-NEW-3: the caller reads hearing h's record: as one who takes part,
-- the reporter or the coordinator.
CREATE OR REPLACE FUNCTION council.hearing_record_visible(h bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m, council.incident_hearings x
        JOIN council.incident_reports r ON r.id = x.report_id
        WHERE x.id = h
          AND (m.is_coordinator OR r.org_id = m.org_id
               OR council.hearing_takes_part(x.id, m.org_id)))
$$;

-- Signed in (else CP401) and sees hearing h (else CP404
-- hearing_not_found, exactly as for an absent id).  Returns its row.
CREATE OR REPLACE FUNCTION council.hearing_require(h bigint) RETURNS council.incident_hearings
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.incident_hearings;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF h IS NULL OR NOT council.hearing_visible(h) THEN
        RAISE EXCEPTION 'hearing_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT * INTO x FROM council.incident_hearings WHERE id = h;
    RETURN x;
END
$$;

------------------------------------------------------------------------
-- Writing.
------------------------------------------------------------------------

-- R-NEW-3: the authorities p_orgs may be invited to a hearing of report
-- r requested by p_requester: each one the report was delivered to, not
-- the requester, named once, at most 20.  Raises CP422
-- authority_not_delivered (DETAIL item=N, from 1) or invalid_authorities.
CREATE OR REPLACE FUNCTION council.hearing_check_invitees(r bigint, p_requester bigint,
    p_orgs bigint[]) RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    i  integer;
BEGIN
    IF cardinality(coalesce(p_orgs, '{}')) > 20
       OR (SELECT count(DISTINCT o) <> count(o) FROM unnest(p_orgs) o)
       OR array_position(p_orgs, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'invalid_authorities' USING ERRCODE = 'CP422';
    END IF;
    FOR i IN 1 .. cardinality(coalesce(p_orgs, '{}')) LOOP
        IF p_orgs[i] = p_requester OR NOT EXISTS (
               SELECT 1 FROM council.incident_deliveries d
               WHERE d.report_id = r AND d.authority_org_id = p_orgs[i]) THEN
            RAISE EXCEPTION 'authority_not_delivered' USING ERRCODE = 'CP422',
                DETAIL = 'item=' || i;
        END IF;
    END LOOP;
END
$$;

-- R-NEW-3: the caller's organisation, an authority report r was
-- delivered to, asks the reporter for a hearing on p_subject (what it
-- will ask: p_agenda), proposed for p_at (not in the past, at most a
-- year ahead), to be held jointly with the authorities p_orgs (each one
-- the report was delivered to; none of them sees anything of the hearing
-- before the reporter consents to it).  The reporter is told (a number,
-- no content).  Returns the hearing's id.
CREATE OR REPLACE FUNCTION council.hearing_request(r bigint, p_subject text, p_agenda text,
    p_at timestamptz, p_orgs bigint[]) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_org_id();
    x      council.incident_reports;
    v_id   bigint;
BEGIN
    PERFORM council.incident_require(r);
    IF NOT EXISTS (SELECT 1 FROM council.incident_deliveries
                   WHERE report_id = r AND authority_org_id = v_org) THEN
        RAISE EXCEPTION 'not_an_authority_of_it' USING ERRCODE = 'CP403';
    END IF;
    IF p_subject IS NULL OR length(btrim(p_subject)) NOT BETWEEN 1 AND 200
       OR p_subject ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_subject' USING ERRCODE = 'CP422';
    END IF;
    IF length(coalesce(p_agenda, '')) > 4000 OR p_agenda ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_agenda' USING ERRCODE = 'CP422';
    END IF;
    IF p_at IS NULL OR p_at < now() - interval '5 minutes' OR p_at > now() + interval '366 days' THEN
        RAISE EXCEPTION 'invalid_proposed_at' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.hearing_check_invitees(r, v_org, p_orgs);
    SELECT * INTO x FROM council.incident_reports WHERE id = r;
    INSERT INTO council.incident_hearings (report_id, org_id, requested_by, subject, agenda, proposed_at)
    VALUES (r, v_org, council.current_person_id(), btrim(p_subject), btrim(coalesce(p_agenda, '')), p_at)
    RETURNING id INTO v_id;
    INSERT INTO council.incident_hearing_parties (hearing_id, org_id, invited_by)
    SELECT v_id, o, council.current_person_id() FROM unnest(coalesce(p_orgs, '{}')) o;
    PERFORM council.incident_tell(x.org_id, 'hearing.requested',
        format('インシデント報告 #%s についてヒアリング #%s の依頼があります', r, v_id),
        format('Incident report #%s: hearing #%s requested', r, v_id),
        '/hearings/' || v_id, 'hearing.requested:' || v_id);
    PERFORM council.audit('hearing.request', 'incident_hearing', v_id,
        jsonb_build_object('report', r, 'invited', to_jsonb(coalesce(p_orgs, '{}'))));
    RETURN v_id;
END
$$;

-- R-NEW-3: the requesting authority proposes more authorities for
-- hearing h (requested or consented): each must be one the report was
-- delivered to and not yet invited (CP409 already_invited).  Each waits
-- for the reporter's answer and sees nothing before; the reporter is
-- told.
CREATE OR REPLACE FUNCTION council.hearing_invite(h bigint, p_orgs bigint[]) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.incident_hearings := council.hearing_require(h);
BEGIN
    IF x.org_id IS DISTINCT FROM council.current_org_id() THEN
        RAISE EXCEPTION 'only_the_requester' USING ERRCODE = 'CP403';
    END IF;
    IF x.status NOT IN ('requested', 'consented') THEN
        RAISE EXCEPTION 'hearing_closed' USING ERRCODE = 'CP409';
    END IF;
    IF cardinality(coalesce(p_orgs, '{}')) = 0 THEN
        RAISE EXCEPTION 'authority_required' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.hearing_check_invitees(x.report_id, x.org_id, p_orgs);
    IF EXISTS (SELECT 1 FROM council.incident_hearing_parties
               WHERE hearing_id = h AND org_id = ANY (p_orgs)) THEN
        RAISE EXCEPTION 'already_invited' USING ERRCODE = 'CP409';
    END IF;
    INSERT INTO council.incident_hearing_parties (hearing_id, org_id, invited_by)
    SELECT h, o, council.current_person_id() FROM unnest(p_orgs) o;
    PERFORM council.incident_tell(r.org_id, 'hearing.invited',
        format('ヒアリング #%s に参加を希望する機関について同意を求められています', h),
        format('Hearing #%s: your consent is asked for more authorities', h),
        '/hearings/' || h, 'hearing.invited:' || h || ':' || array_to_string(p_orgs, ','))
    FROM council.incident_reports r WHERE r.id = x.report_id;
    PERFORM council.audit('hearing.invite', 'incident_hearing', h,
        jsonb_build_object('invited', to_jsonb(p_orgs)));
END
$$;

-- R-NEW-3: the reporter consents to hearing h (requested: it is then on)
-- and answers every authority still waiting: those in p_orgs may join,
-- the others are refused and see nothing of it (seed 000 Art. 4(2)(1):
-- joint only with the reporter's consent).  An authority named that is
-- not waiting: CP422 authority_not_invited (DETAIL item=N).  The
-- requesting authority and each authority consented are told; a refused
-- one is not (it does not learn the hearing exists).
CREATE OR REPLACE FUNCTION council.hearing_consent(h bigint, p_orgs bigint[]) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x    council.incident_hearings := council.hearing_require(h);
    v_p  bigint := council.current_person_id();
    i    integer;
    o    bigint;
BEGIN
    IF (SELECT org_id FROM council.incident_reports WHERE id = x.report_id)
       IS DISTINCT FROM council.current_org_id() THEN
        RAISE EXCEPTION 'only_the_reporter' USING ERRCODE = 'CP403';
    END IF;
    IF x.status NOT IN ('requested', 'consented') THEN
        RAISE EXCEPTION 'hearing_closed' USING ERRCODE = 'CP409';
    END IF;
    IF x.status = 'consented' AND NOT EXISTS (SELECT 1 FROM council.incident_hearing_parties
                                              WHERE hearing_id = h AND consent = 'asked') THEN
        RAISE EXCEPTION 'already_answered' USING ERRCODE = 'CP409';
    END IF;
    IF cardinality(coalesce(p_orgs, '{}')) > 20 OR array_position(p_orgs, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'invalid_authorities' USING ERRCODE = 'CP422';
    END IF;
    FOR i IN 1 .. cardinality(coalesce(p_orgs, '{}')) LOOP
        IF NOT EXISTS (SELECT 1 FROM council.incident_hearing_parties
                       WHERE hearing_id = h AND org_id = p_orgs[i] AND consent = 'asked') THEN
            RAISE EXCEPTION 'authority_not_invited' USING ERRCODE = 'CP422',
                DETAIL = 'item=' || i;
        END IF;
    END LOOP;
    IF x.status = 'requested' THEN
        UPDATE council.incident_hearings
        SET status = 'consented', answered_at = now(), answered_by = v_p
        WHERE id = h;
        PERFORM council.incident_tell(x.org_id, 'hearing.consented',
            format('ヒアリング #%s に報告者の同意がありました', h),
            format('Hearing #%s: the reporter consented', h),
            '/hearings/' || h, 'hearing.consented:' || h);
    END IF;
    FOR o IN UPDATE council.incident_hearing_parties
             SET consent = CASE WHEN org_id = ANY (coalesce(p_orgs, '{}'))
                                THEN 'consented' ELSE 'refused' END::council.hearing_consent,
                 answered_at = now(), answered_by = v_p
             WHERE hearing_id = h AND consent = 'asked'
             RETURNING org_id
    LOOP
        IF o = ANY (coalesce(p_orgs, '{}')) THEN
            PERFORM council.incident_tell(o, 'hearing.admitted',
                format('ヒアリング #%s への参加に報告者の同意がありました', h),
                format('Hearing #%s: the reporter consented to your joining', h),
                '/hearings/' || h, 'hearing.admitted:' || h || ':' || o);
        END IF;
    END LOOP;
    PERFORM council.audit('hearing.consent', 'incident_hearing', h,
        jsonb_build_object('consented', to_jsonb(coalesce(p_orgs, '{}'))));
END
$$;

-- R-NEW-3: the reporter declines hearing h altogether while it waits for
-- its answer (a voluntary hearing, seed 001), with a reason if it gives
-- one; every authority waiting is refused.  The requesting authority is
-- told.
CREATE OR REPLACE FUNCTION council.hearing_decline(h bigint, p_note text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x    council.incident_hearings := council.hearing_require(h);
    v_p  bigint := council.current_person_id();
BEGIN
    IF (SELECT org_id FROM council.incident_reports WHERE id = x.report_id)
       IS DISTINCT FROM council.current_org_id() THEN
        RAISE EXCEPTION 'only_the_reporter' USING ERRCODE = 'CP403';
    END IF;
    IF x.status = 'consented' THEN
        RAISE EXCEPTION 'already_answered' USING ERRCODE = 'CP409';
    ELSIF x.status <> 'requested' THEN
        RAISE EXCEPTION 'hearing_closed' USING ERRCODE = 'CP409';
    END IF;
    IF length(coalesce(p_note, '')) > 2000 OR p_note ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_note' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.incident_hearings
    SET status = 'declined', answered_at = now(), answered_by = v_p,
        note = nullif(btrim(coalesce(p_note, '')), '')
    WHERE id = h;
    UPDATE council.incident_hearing_parties
    SET consent = 'refused', answered_at = now(), answered_by = v_p
    WHERE hearing_id = h AND consent = 'asked';
    PERFORM council.incident_tell(x.org_id, 'hearing.declined',
        format('ヒアリング #%s は報告者により辞退されました', h),
        format('Hearing #%s was declined by the reporter', h),
        '/hearings/' || h, 'hearing.declined:' || h);
    PERFORM council.audit('hearing.decline', 'incident_hearing', h, '{}');
END
$$;

-- R-NEW-3: an authority the reporter consented to joins hearing h (on,
-- i.e. consented) and takes part from then on; it must still be one the
-- report was delivered to.  Joining twice changes nothing.  An authority
-- not consented does not see the hearing (CP404, hearing_require).
CREATE OR REPLACE FUNCTION council.hearing_join(h bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x      council.incident_hearings := council.hearing_require(h);
    v_org  bigint := council.current_org_id();
    n      integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM council.incident_hearing_parties p
                   WHERE p.hearing_id = h AND p.org_id = v_org AND p.consent = 'consented')
       OR NOT EXISTS (SELECT 1 FROM council.incident_deliveries d
                      WHERE d.report_id = x.report_id AND d.authority_org_id = v_org) THEN
        RAISE EXCEPTION 'not_invited' USING ERRCODE = 'CP403';
    END IF;
    IF x.status <> 'consented' THEN
        RAISE EXCEPTION 'hearing_closed' USING ERRCODE = 'CP409';
    END IF;
    UPDATE council.incident_hearing_parties
    SET joined_at = now(), joined_by = council.current_person_id()
    WHERE hearing_id = h AND org_id = v_org AND joined_at IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        PERFORM council.incident_tell(x.org_id, 'hearing.joined',
            format('ヒアリング #%s に参加する機関が加わりました', h),
            format('Hearing #%s: an authority joined', h),
            '/hearings/' || h, 'hearing.joined:' || h || ':' || v_org);
        PERFORM council.audit('hearing.join', 'incident_hearing', h, '{}');
    END IF;
END
$$;

-- R-NEW-3: an authority that takes part in hearing h (on) adds a note to
-- its record (1 to 4,000 characters; at most 500 notes).  The reporter
-- and the other authorities that take part are told (a number, no
-- content).  Returns the note's sequence number.
CREATE OR REPLACE FUNCTION council.hearing_record(h bigint, p_body text) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x      council.incident_hearings := council.hearing_require(h);
    v_org  bigint := council.current_org_id();
    v_seq  integer;
    o      bigint;
BEGIN
    IF NOT council.hearing_takes_part(h, v_org) THEN
        RAISE EXCEPTION 'not_a_participant' USING ERRCODE = 'CP403';
    END IF;
    IF x.status = 'requested' THEN
        RAISE EXCEPTION 'hearing_not_consented' USING ERRCODE = 'CP409';
    ELSIF x.status <> 'consented' THEN
        RAISE EXCEPTION 'hearing_closed' USING ERRCODE = 'CP409';
    END IF;
    IF p_body IS NULL OR length(btrim(p_body)) NOT BETWEEN 1 AND 4000
       OR p_body ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_body' USING ERRCODE = 'CP422';
    END IF;
    -- One note at a time per hearing (its sequence numbers).
    PERFORM pg_advisory_xact_lock(hashtext('council.incident_hearings'), hashtext(h::text));
    SELECT coalesce(max(seq), 0) + 1 INTO v_seq FROM council.incident_hearing_notes
    WHERE hearing_id = h;
    IF v_seq > 500 THEN
        RAISE EXCEPTION 'record_full' USING ERRCODE = 'CP409';
    END IF;
    INSERT INTO council.incident_hearing_notes (hearing_id, seq, org_id, body, written_by)
    VALUES (h, v_seq, v_org, btrim(p_body), council.current_person_id());
    FOR o IN SELECT r.org_id FROM council.incident_reports r WHERE r.id = x.report_id
             UNION SELECT x.org_id
             UNION SELECT p.org_id FROM council.incident_hearing_parties p
                   WHERE p.hearing_id = h AND p.joined_at IS NOT NULL
    LOOP
        IF o <> v_org THEN
            PERFORM council.incident_tell(o, 'hearing.recorded',
                format('ヒアリング #%s の記録が追加されました', h),
                format('Hearing #%s: a note was added to the record', h),
                '/hearings/' || h, 'hearing.recorded:' || h || ':' || v_seq);
        END IF;
    END LOOP;
    PERFORM council.audit('hearing.record', 'incident_hearing', h, jsonb_build_object('seq', v_seq));
    RETURN v_seq;
END
$$;

-- R-NEW-3: the requesting authority closes hearing h: 'held' once it
-- took place (consented), the record closed with it; 'cancelled' before
-- (requested or consented).  Once.  The reporter and the authorities
-- consented are told.
CREATE OR REPLACE FUNCTION council.hearing_close(h bigint, p_outcome council.hearing_status,
    p_note text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x  council.incident_hearings := council.hearing_require(h);
    o  bigint;
BEGIN
    IF x.org_id IS DISTINCT FROM council.current_org_id() THEN
        RAISE EXCEPTION 'only_the_requester' USING ERRCODE = 'CP403';
    END IF;
    IF p_outcome IS NULL OR p_outcome NOT IN ('held', 'cancelled') THEN
        RAISE EXCEPTION 'invalid_outcome' USING ERRCODE = 'CP422';
    END IF;
    IF x.status NOT IN ('requested', 'consented') THEN
        RAISE EXCEPTION 'hearing_closed' USING ERRCODE = 'CP409';
    END IF;
    IF p_outcome = 'held' AND x.status <> 'consented' THEN
        RAISE EXCEPTION 'hearing_not_consented' USING ERRCODE = 'CP409';
    END IF;
    IF length(coalesce(p_note, '')) > 2000 OR p_note ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_note' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.incident_hearings
    SET status = p_outcome, closed_at = now(), closed_by = council.current_person_id(),
        note = coalesce(nullif(btrim(coalesce(p_note, '')), ''), note)
    WHERE id = h;
    FOR o IN SELECT r.org_id FROM council.incident_reports r WHERE r.id = x.report_id
             UNION SELECT p.org_id FROM council.incident_hearing_parties p
                   WHERE p.hearing_id = h AND p.consent = 'consented'
    LOOP
        PERFORM council.incident_tell(o, 'hearing.closed',
            CASE p_outcome WHEN 'held' THEN format('ヒアリング #%s の記録が確定しました', h)
                 ELSE format('ヒアリング #%s は取り下げられました', h) END,
            CASE p_outcome WHEN 'held' THEN format('Hearing #%s: held, its record closed', h)
                 ELSE format('Hearing #%s was cancelled', h) END,
            '/hearings/' || h, 'hearing.closed:' || h);
    END LOOP;
    PERFORM council.audit('hearing.' || p_outcome::text, 'incident_hearing', h, '{}');
END
$$;

------------------------------------------------------------------------
-- Reading (as the caller: the policies below decide).
------------------------------------------------------------------------

-- R-NEW-3: hearing h as the caller sees it (CP404 hearing_not_found when
-- hidden or absent): the request, the authorities invited the caller may
-- see (a principal all, with the reporter's answers; the others those
-- consented), the record when the caller reads it (else []), and what the
-- caller may do.
CREATE OR REPLACE FUNCTION council.hearing(h bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x      council.incident_hearings;
    v_org  bigint := council.current_org_id();
    v_rep  bigint;
    v_pt   boolean;
BEGIN
    SELECT * INTO x FROM council.incident_hearings WHERE id = h;
    IF x.id IS NULL THEN
        RAISE EXCEPTION 'hearing_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT org_id INTO v_rep FROM council.incident_reports WHERE id = x.report_id;
    -- Whether the caller takes part, from what it sees (its own row).
    v_pt := x.org_id = v_org OR EXISTS (
        SELECT 1 FROM council.incident_hearing_parties p
        WHERE p.hearing_id = h AND p.org_id = v_org AND p.joined_at IS NOT NULL);
    RETURN json_build_object(
        'id', x.id, 'report', x.report_id,
        'report_title', (SELECT title FROM council.incident_reports WHERE id = x.report_id),
        'reporter', v_rep, 'org', x.org_id,
        'org_name_ja', (SELECT name_ja FROM council.organisations WHERE id = x.org_id),
        'org_name_en', (SELECT name_en FROM council.organisations WHERE id = x.org_id),
        'subject', x.subject, 'agenda', x.agenda, 'proposed_at', x.proposed_at,
        'status', x.status, 'created_at', x.created_at, 'answered_at', x.answered_at,
        'closed_at', x.closed_at, 'note', x.note,
        'parties', coalesce((SELECT json_agg(json_build_object('authority', p.org_id,
                'name_ja', o.name_ja, 'name_en', o.name_en, 'consent', p.consent,
                'joined_at', p.joined_at) ORDER BY p.org_id)
                FROM council.incident_hearing_parties p
                JOIN council.organisations o ON o.id = p.org_id
                WHERE p.hearing_id = x.id), '[]'),
        'record_visible', council.hearing_record_visible(h),
        'record', coalesce((SELECT json_agg(json_build_object('seq', n.seq, 'org', n.org_id,
                'name_ja', o.name_ja, 'name_en', o.name_en, 'body', n.body,
                'written_at', n.written_at) ORDER BY n.seq)
                FROM council.incident_hearing_notes n
                JOIN council.organisations o ON o.id = n.org_id
                WHERE n.hearing_id = x.id), '[]'),
        'reporter_is_me', v_rep = v_org, 'requester_is_me', x.org_id = v_org,
        'takes_part', v_pt,
        'may_consent', v_rep = v_org AND (x.status = 'requested'
            OR (x.status = 'consented' AND EXISTS (SELECT 1 FROM council.incident_hearing_parties p
                                                   WHERE p.hearing_id = h AND p.consent = 'asked'))),
        'may_decline', v_rep = v_org AND x.status = 'requested',
        'may_invite', x.org_id = v_org AND x.status IN ('requested', 'consented'),
        'may_join', x.status = 'consented' AND EXISTS (
            SELECT 1 FROM council.incident_hearing_parties p
            WHERE p.hearing_id = h AND p.org_id = v_org AND p.consent = 'consented'
              AND p.joined_at IS NULL),
        'may_record', v_pt AND x.status = 'consented',
        'may_close', x.org_id = v_org AND x.status IN ('requested', 'consented'));
END
$$;

-- R-NEW-3: the hearings of report r the caller sees (CP404
-- incident_not_found when the report is hidden or absent), newest first.
CREATE OR REPLACE FUNCTION council.hearings_of(r bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    PERFORM council.incident_require(r);
    RETURN (SELECT json_build_object('hearings', coalesce(json_agg(json_build_object(
            'id', x.id, 'report', x.report_id, 'org', x.org_id, 'subject', x.subject,
            'proposed_at', x.proposed_at, 'status', x.status, 'created_at', x.created_at)
            ORDER BY x.id DESC), '[]'))
        FROM council.incident_hearings x WHERE x.report_id = r);
END
$$;

-- R-NEW-3: every hearing the caller sees, newest first (at most 200).
CREATE OR REPLACE FUNCTION council.hearings_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('hearings', coalesce(json_agg(json_build_object(
            'id', x.id, 'report', x.report_id, 'org', x.org_id, 'subject', x.subject,
            'proposed_at', x.proposed_at, 'status', x.status, 'created_at', x.created_at)
            ORDER BY x.id DESC), '[]'))
    FROM (SELECT * FROM council.incident_hearings ORDER BY id DESC LIMIT 200) x
$$;

-- R-NEW-3: a hearing, as council.hearing_visible says; its invited
-- authorities, a principal all of them and anyone else who sees the
-- hearing only those consented; its record, as
-- council.hearing_record_visible says.
CREATE POLICY incident_hearings_visible ON council.incident_hearings FOR SELECT
    TO council_app, council_writer USING (council.hearing_visible(id));
CREATE POLICY incident_hearing_parties_visible ON council.incident_hearing_parties FOR SELECT
    TO council_app, council_writer
    USING (council.hearing_visible(hearing_id)
           AND (consent = 'consented' OR council.hearing_principal(hearing_id)));
CREATE POLICY incident_hearing_notes_visible ON council.incident_hearing_notes FOR SELECT
    TO council_app, council_writer USING (council.hearing_record_visible(hearing_id));

------------------------------------------------------------------------
-- The JSON API's row (docs/api.md), through the door council.api_call
-- (policy/15_api.sql).
------------------------------------------------------------------------

-- POST /api/v1/incidents/N/hearings {subject, agenda, proposed_at,
-- authorities}: request (201 with the hearing);
-- GET /api/v1/incidents/N/hearings: the report's hearings the caller sees;
-- GET /api/v1/hearings/N: one hearing;
-- POST /api/v1/hearings/N {"action": "consent", authorities} |
-- {"action": "decline", note} | {"action": "invite", authorities} |
-- {"action": "join"} | {"action": "record", body} | {"action": "close",
-- outcome: "held" | "cancelled", note}: 200 with the hearing.
CREATE OR REPLACE FUNCTION council.api__hearing(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a     jsonb;
    v_id  bigint := (r->>'id')::bigint;
    v_o   bigint[];
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    CASE r->>'what'
    WHEN 'request' THEN
        a := council.api_args(r->>'body', '{"subject": "string", "agenda": "string",
            "proposed_at": "string", "authorities": "array"}');
        v_o := ARRAY(SELECT (e #>> '{}')::bigint
                     FROM jsonb_array_elements(coalesce(nullif(a->'authorities', 'null'), '[]')) e);
        v_id := council.hearing_request(v_id, a->>'subject', a->>'agenda',
            (a->>'proposed_at')::timestamptz, v_o);
        status := 201;
        body := council.hearing(v_id)::text;
    WHEN 'list' THEN
        status := 200;
        body := council.hearings_of(v_id)::text;
    WHEN 'get' THEN
        status := 200;
        body := council.hearing(v_id)::text;
    WHEN 'act' THEN
        a := council.api_args(r->>'body', '{"action": "string", "authorities": "array",
            "note": "string", "body": "string", "outcome": "string"}');
        PERFORM council.hearing_require(v_id);
        v_o := ARRAY(SELECT (e #>> '{}')::bigint
                     FROM jsonb_array_elements(coalesce(nullif(a->'authorities', 'null'), '[]')) e);
        CASE a->>'action'
        WHEN 'consent' THEN
            PERFORM council.hearing_consent(v_id, v_o);
        WHEN 'decline' THEN
            PERFORM council.hearing_decline(v_id, a->>'note');
        WHEN 'invite' THEN
            PERFORM council.hearing_invite(v_id, v_o);
        WHEN 'join' THEN
            PERFORM council.hearing_join(v_id);
        WHEN 'record' THEN
            PERFORM council.hearing_record(v_id, a->>'body');
        WHEN 'close' THEN
            IF a->>'outcome' IS NULL OR a->>'outcome' NOT IN ('held', 'cancelled') THEN
                RAISE EXCEPTION 'invalid_outcome' USING ERRCODE = 'CP422';
            END IF;
            PERFORM council.hearing_close(v_id, (a->>'outcome')::council.hearing_status, a->>'note');
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
        status := 200;
        body := council.hearing(v_id)::text;
    ELSE
        RAISE EXCEPTION 'api__hearing: % is not a call', r->>'what';
    END CASE;
END
$$;

-- councild's entry (server/pages/hearing.c, routes.c).
CREATE OR REPLACE FUNCTION council.api_hearing(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('hearing',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.hearing_visible(bigint) OWNER TO council_definer;
ALTER FUNCTION council.hearing_principal(bigint) OWNER TO council_definer;
ALTER FUNCTION council.hearing_takes_part(bigint, bigint) OWNER TO council_definer;
ALTER FUNCTION council.hearing_record_visible(bigint) OWNER TO council_definer;
ALTER FUNCTION council.hearing_require(bigint) OWNER TO council_definer;
ALTER FUNCTION council.hearing_check_invitees(bigint, bigint, bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.hearing_request(bigint, text, text, timestamptz, bigint[])
    OWNER TO council_definer;
ALTER FUNCTION council.hearing_invite(bigint, bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.hearing_consent(bigint, bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.hearing_decline(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.hearing_join(bigint) OWNER TO council_definer;
ALTER FUNCTION council.hearing_record(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.hearing_close(bigint, council.hearing_status, text) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
-- Of any organisation, not only the caller's: the definer's own.
REVOKE ALL ON FUNCTION council.hearing_takes_part(bigint, bigint),
    council.hearing_check_invitees(bigint, bigint, bigint[]) FROM PUBLIC;
