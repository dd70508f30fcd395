-- policy/70_committee.sql: the steering committee (issue 5): motions,
-- presence, special interests, ballots, the count under the decision rule
-- in force (migration 0011), the effects of a resolution in the sharing
-- engine, the chair's rejection, and the JSON API's rows.  Rule IDs:
-- R-GOV-5 (quorum, majority of those present, special interest, chair),
-- R-GOV-6 (expulsion: all), R-GOV-7 / R-RESTRICT-1 (restriction: 3/4, at
-- once), R-GOV-8 (non-public), R-ORG-2; a request for cooperation is
-- resolved here and answered in policy/75_coop.sql (R-COOP-1).  Design
-- and the choices the Rules leave open: docs/governance.md, "Steering
-- committee".  Re-applied by "councilctl migrate".
--
-- Two layers, as in the sharing files (40_sharing_audience.sql):
--   council.sc_*                 SECURITY DEFINER owned by council_writer,
--                the calls councild makes: they see what the caller sees
--                (a motion the caller may not see is absent: CP404) and
--                check who the caller is.
--   council.sc__*                SECURITY DEFINER owned by council_definer,
--                callable by council_writer only: the seats, the count,
--                the effects on organisations.  They trust their caller.
-- A poll closes at closes_at: council.sc_close_due() (councild's timer)
-- closes every poll due, and every call that touches a motion first closes
-- it if due (council.sc__lock), so a result never depends on the timer.
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 42_sharing_writes.sql).

------------------------------------------------------------------------
-- The count (council_definer).
------------------------------------------------------------------------

-- A digest of what an audit row must not show in clear (a ballot's choice,
-- a reason): the audit log is read by the actor's whole organisation
-- (30_audit.sql), committee proceedings are not (R-GOV-8).  The row it
-- digests stays in the committee's tables.
CREATE OR REPLACE FUNCTION council.sc_digest(VARIADIC p text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT encode(sha256(convert_to(array_to_string(p, chr(31), ''), 'UTF8')), 'hex')
$$;

-- Whether the subject of a motion of kind k is in the state the motion
-- needs: NULL when it is, else the error code.
CREATE OR REPLACE FUNCTION council.sc__subject_error(p_kind council.sc_motion_kind,
    p_org bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    o  council.organisations;
BEGIN
    IF p_org IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT * INTO o FROM council.organisations WHERE id = p_org;
    IF o.id IS NULL THEN
        RETURN 'organisation_not_found';
    END IF;
    RETURN CASE
        WHEN p_kind IN ('admission', 'refusal') AND o.status <> 'applied'
            THEN 'subject_not_an_applicant'          -- R-ORG-2
        WHEN p_kind IN ('expulsion', 'restriction', 'lift_restriction',
                        'cooperation_request') AND o.status <> 'member'
            THEN 'subject_not_a_member'
        WHEN p_kind = 'restriction' AND o.restricted
            THEN 'subject_already_restricted'        -- R-GOV-7
        WHEN p_kind = 'lift_restriction' AND NOT o.restricted
            THEN 'subject_not_restricted'
        -- R-TF-4: the special approval of a foreign member (migration 0016).
        WHEN p_kind::text = 'foreign_approval' AND o.status <> 'member'
            THEN 'subject_not_a_member'
        WHEN p_kind::text = 'foreign_approval' AND NOT o.foreign_status
            THEN 'subject_not_foreign'
        WHEN p_kind::text = 'foreign_approval' AND o.foreign_approved
            THEN 'subject_already_approved'
        END;
END
$$;

-- The counts of motion p from its seats (frozen at open), their presence
-- now and their last ballots.  A ballot counts when its member is entitled
-- (no special interest) and present.  "voting_seats": every seat but the
-- subject member's own (special_interest 'subject'), the base of R-GOV-6
-- and R-GOV-7; a declared special interest stays in it.
CREATE OR REPLACE FUNCTION council.sc__counts(p bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN (
        WITH s AS (
            SELECT st.special_interest IS NULL AS entitled,
                   st.special_interest IS DISTINCT FROM 'subject' AS voting,
                   coalesce(pr.present, false) AS present,
                   (SELECT b.choice FROM council.sc_ballots b
                    WHERE b.motion_id = st.motion_id AND b.person_id = st.person_id
                    ORDER BY b.version DESC LIMIT 1) AS choice
            FROM council.sc_seats st
            LEFT JOIN council.sc_presence pr
                   ON pr.motion_id = st.motion_id AND pr.person_id = st.person_id
            WHERE st.motion_id = p)
        SELECT jsonb_build_object(
            'seats', count(*),
            'voting_seats', count(*) FILTER (WHERE voting),
            'entitled', count(*) FILTER (WHERE entitled),
            'recused', count(*) FILTER (WHERE NOT entitled),
            'present', count(*) FILTER (WHERE present),
            'present_entitled', count(*) FILTER (WHERE present AND entitled),
            'yes', count(*) FILTER (WHERE present AND entitled AND choice = 'yes'),
            'no', count(*) FILTER (WHERE present AND entitled AND choice = 'no'),
            'abstain', count(*) FILTER (WHERE present AND entitled AND choice = 'abstain'),
            'not_voted', count(*) FILTER (WHERE present AND entitled AND choice IS NULL))
        FROM s);
END
$$;

-- The quorum of motion p under rule r, now: {numerator, denominator, met}.
-- R-GOV-5: those present, recused members included (they are there),
-- against every seat.  A rule without a quorum has it always.
CREATE OR REPLACE FUNCTION council.sc__quorum(p bigint, r council.decision_rules)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    c      jsonb := council.sc__counts(p);
    v_num  bigint;
    v_den  bigint;
BEGIN
    IF r.quorum_base IS NULL THEN
        RETURN jsonb_build_object('numerator', (c->>'present')::bigint,
            'denominator', (c->>'seats')::bigint, 'met', true);
    END IF;
    IF r.quorum_base = 'committee_seats' THEN
        v_num := (c->>'present')::bigint;
        v_den := (c->>'seats')::bigint;
    ELSE    -- committee_entitled (sc__open's rule allows no other)
        v_num := (c->>'present_entitled')::bigint;
        v_den := (c->>'entitled')::bigint;
    END IF;
    RETURN jsonb_build_object('numerator', v_num, 'denominator', v_den,
        'met', v_den > 0 AND council.decision_meets(v_num, r.quorum_cmp,
                                                    r.quorum_num, r.quorum_den, v_den));
END
$$;

-- What a passed resolution does, at once, when the poll closes (R-GOV-7
-- says "immediately" for a restriction; the others take effect at the same
-- moment, and a chair's rejection undoes them: sc__revert).  Nothing is
-- done when the subject is no longer in the state the motion needed (it
-- withdrew meanwhile, say): the effect says so.
CREATE OR REPLACE FUNCTION council.sc__effect(m council.sc_motions) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_err   text := council.sc__subject_error(m.kind, m.subject_org_id);
    v_note  text := format('steering committee resolution #%s', m.id);
    v_req   bigint;
    v_eff   jsonb;
    v_doc   bigint;
    v_base  integer;
    v_head  integer;
    v_text  text;
BEGIN
    IF v_err IS NOT NULL THEN
        v_eff := jsonb_build_object('applied', false, 'why', v_err);
    ELSIF m.kind = 'restriction' THEN                -- R-GOV-7, R-RESTRICT-1
        UPDATE council.organisations SET restricted = true WHERE id = m.subject_org_id;
        v_eff := jsonb_build_object('applied', true, 'restricted', true);
    ELSIF m.kind = 'lift_restriction' THEN
        UPDATE council.organisations SET restricted = false WHERE id = m.subject_org_id;
        v_eff := jsonb_build_object('applied', true, 'restricted', false);
    ELSIF m.kind IN ('expulsion', 'admission', 'refusal') THEN  -- R-GOV-6, R-ORG-2
        v_eff := jsonb_build_object('applied', true, 'from',
            (SELECT status FROM council.organisations WHERE id = m.subject_org_id),
            'to', CASE m.kind WHEN 'expulsion' THEN 'expelled'
                              WHEN 'admission' THEN 'member' ELSE 'refused' END);
        UPDATE council.organisations
        SET status = (v_eff->>'to')::council.membership_status
        WHERE id = m.subject_org_id;
        -- R-ORG-2: a withheld reason is not written where the applicant
        -- may read its history.
        INSERT INTO council.org_status_history (org_id, status, note)
        VALUES (m.subject_org_id, (v_eff->>'to')::council.membership_status,
                v_note || CASE WHEN m.kind = 'refusal' AND NOT m.reason_withheld
                               THEN ': ' || m.refusal_reason ELSE '' END);
    ELSIF m.kind::text = 'foreign_approval' THEN      -- R-TF-4 (Rules Art. 6(4))
        UPDATE council.organisations SET foreign_approved = true WHERE id = m.subject_org_id;
        v_eff := jsonb_build_object('applied', true, 'foreign_approved', true);
    ELSIF m.kind = 'annex1_amendment' THEN           -- R-GOV-5, Art. 11(3)5
        -- The proposed text becomes the next version, unless the document
        -- moved since the motion was drafted (then nothing is adopted).
        SELECT a.document_id, a.base_version, a.proposed_text, h.version
        INTO v_doc, v_base, v_text, v_head
        FROM council.sc_amendments a, council.document_head(a.document_id) h
        WHERE a.motion_id = m.id;
        IF v_doc IS NULL THEN
            v_eff := jsonb_build_object('applied', false, 'why', 'no_text');
        ELSIF v_head IS DISTINCT FROM v_base THEN
            v_eff := jsonb_build_object('applied', false, 'why', 'document_changed');
        ELSE
            INSERT INTO council.document_versions (document_id, version, body,
                effective_from, adopted_by_motion)
            VALUES (v_doc, v_base + 1, v_text, now(), m.id);
            v_eff := jsonb_build_object('applied', true, 'document', v_doc,
                                        'version', v_base + 1);
            PERFORM council.audit('document.version', 'document', v_doc,
                jsonb_build_object('version', v_base + 1, 'motion', m.id));
        END IF;
    ELSIF m.kind = 'cooperation_request' THEN        -- R-COOP-1
        INSERT INTO council.coop_requests (motion_id, trigger, purpose, scope,
                                           addressee_org_id)
        VALUES (m.id, m.coop_trigger, m.coop_purpose, m.coop_scope, m.subject_org_id)
        RETURNING id INTO v_req;
        PERFORM council.audit('coop.request.issue', 'coop_request', v_req,
            jsonb_build_object('motion', m.id, 'trigger', m.coop_trigger,
                               'addressee', m.subject_org_id));
        v_eff := jsonb_build_object('applied', true, 'request', v_req);
    ELSE
        v_eff := jsonb_build_object('applied', false, 'why', 'no_effect');
    END IF;
    PERFORM council.audit('sc.effect', 'sc_motion', m.id, v_eff);
    RETURN v_eff;
END
$$;

-- A chair's rejection undoes the effect, where the subject is still in
-- the state the resolution left it (a later resolution wins).  Returns
-- whether anything was undone.
CREATE OR REPLACE FUNCTION council.sc__revert(m council.sc_motions) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_n     integer := 0;
    v_note  text := format('steering committee resolution #%s rejected by the chair', m.id);
BEGIN
    IF NOT coalesce((m.effect->>'applied')::boolean, false) THEN
        RETURN false;
    END IF;
    IF m.kind IN ('restriction', 'lift_restriction') THEN
        UPDATE council.organisations SET restricted = NOT (m.effect->>'restricted')::boolean
        WHERE id = m.subject_org_id AND restricted = (m.effect->>'restricted')::boolean
          AND status = 'member';
        GET DIAGNOSTICS v_n = ROW_COUNT;
    ELSIF m.kind IN ('expulsion', 'admission', 'refusal') THEN
        UPDATE council.organisations SET status = (m.effect->>'from')::council.membership_status
        WHERE id = m.subject_org_id
          AND status = (m.effect->>'to')::council.membership_status;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        IF v_n > 0 THEN
            INSERT INTO council.org_status_history (org_id, status, note)
            VALUES (m.subject_org_id, (m.effect->>'from')::council.membership_status, v_note);
        END IF;
    ELSIF m.kind = 'cooperation_request' THEN
        UPDATE council.coop_requests SET withdrawn_at = now()
        WHERE motion_id = m.id AND withdrawn_at IS NULL;
        GET DIAGNOSTICS v_n = ROW_COUNT;
    ELSIF m.kind::text = 'foreign_approval' THEN
        -- Not once the member has joined the task force on it (R-TF-4):
        -- then a revocation is the task force's (policy/74_tf_status.sql).
        UPDATE council.organisations SET foreign_approved = false
        WHERE id = m.subject_org_id AND foreign_approved AND tf_class = 'none';
        GET DIAGNOSTICS v_n = ROW_COUNT;
    ELSIF m.kind = 'annex1_amendment' THEN
        -- Versions are never removed: the text before the resolution comes
        -- back as the next version, while the adopted one is still newest.
        INSERT INTO council.document_versions (document_id, version, body,
            effective_from, note)
        SELECT d.document_id, d.version + 1, b.body, now(), v_note
        FROM council.document_versions d
        JOIN council.document_versions b
          ON b.document_id = d.document_id AND b.version = d.version - 1
        WHERE d.document_id = (m.effect->>'document')::bigint
          AND d.version = (m.effect->>'version')::integer
          AND d.adopted_by_motion = m.id
          AND d.version = (council.document_head(d.document_id)).version;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        IF v_n > 0 THEN
            PERFORM council.audit('document.version', 'document',
                (m.effect->>'document')::bigint,
                jsonb_build_object('version', (m.effect->>'version')::integer + 1,
                                   'restores', (m.effect->>'version')::integer - 1,
                                   'motion', m.id));
        END IF;
    END IF;
    RETURN v_n > 0;
END
$$;

-- Close motion p (locked by sc__close_if_due): freeze the quorum again, count
-- under the rule version fixed at open, store the result, apply the
-- effect.  R-GOV-5: a poll whose quorum is lost by the close fails
-- ("quorum_lost"); no resolution is taken without a quorum.
-- p_how: 'timer' (sc_close_due) or 'lazy' (a call that found it due).
-- The server closes it, not whoever's call found it due: its audit rows
-- (the count, the effect, a status change) name no person, as in
-- policy/71_assembly.sql.
CREATE OR REPLACE FUNCTION council.sc__close(p bigint, p_how text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    m       council.sc_motions;
    r       council.decision_rules;
    c       jsonb := council.sc__counts(p);
    q       jsonb;
    v_yes   bigint := (c->>'yes')::bigint;
    v_base  bigint;
    v_pass  boolean;
    v_veto  boolean;
    v_res   jsonb;
    v_eff   jsonb := jsonb_build_object('applied', false, 'why', 'not_passed');
    v_sess  text := coalesce(current_setting('council.session', true), '');
BEGIN
    PERFORM set_config('council.session', '', true);
    SELECT * INTO m FROM council.sc_motions WHERE id = p;
    SELECT * INTO r FROM council.decision_rules WHERE id = m.rule_id;
    q := council.sc__quorum(p, r);
    -- The pass base never holds the subject member's own seat (it has no
    -- vote on itself).  committee_seats: every other seat, a declared
    -- special interest included (R-GOV-6 「運営委員全員の同意」, R-GOV-7
    -- 「運営委員の４分の３以上」: declaring one never lowers the bar).
    v_base := CASE r.pass_base
        WHEN 'committee_seats' THEN (c->>'voting_seats')::bigint
        WHEN 'committee_entitled' THEN (c->>'entitled')::bigint
        ELSE (c->>'present_entitled')::bigint END;
    -- Nobody entitled: nothing can pass (">= 1/1 of 0" would, vacuously).
    v_pass := v_base > 0 AND council.decision_meets(v_yes, r.pass_cmp, r.pass_num,
                                                    r.pass_den, v_base);
    -- R-GOV-4's veto, if a committee rule ever carries one: every entitled
    -- member voted no.
    v_veto := r.veto = 'all_committee_against' AND (c->>'entitled')::bigint > 0
              AND (c->>'no')::bigint = (c->>'entitled')::bigint;
    v_res := jsonb_build_object(
        'rule_code', r.code, 'rule_version', r.version,
        'quorum_rule', jsonb_build_object('base', r.quorum_base, 'cmp', r.quorum_cmp,
                                          'num', r.quorum_num, 'den', r.quorum_den),
        'quorum_open', m.quorum_open,
        'quorum_close', q,
        'pass_rule', jsonb_build_object('base', r.pass_base, 'cmp', r.pass_cmp,
                                        'num', r.pass_num, 'den', r.pass_den),
        'pass', jsonb_build_object('numerator', v_yes, 'denominator', v_base,
                                   'met', v_pass),
        'seats', c->'seats', 'voting_seats', c->'voting_seats',
        'entitled', c->'entitled', 'recused', c->'recused',
        'present', c->'present', 'present_entitled', c->'present_entitled',
        'yes', c->'yes', 'no', c->'no', 'abstain', c->'abstain',
        'not_voted', c->'not_voted',
        'veto', v_veto,
        'quorum_lost', NOT (q->>'met')::boolean,
        'passed', (q->>'met')::boolean AND v_pass AND NOT v_veto,
        'closed_at', m.closes_at, 'counted_at', now(), 'closed_by', p_how);
    UPDATE council.sc_motions
    SET status = CASE WHEN (v_res->>'passed')::boolean THEN 'passed'
                      ELSE 'failed' END::council.sc_motion_status,
        closed_at = m.closes_at, result = v_res, effect = v_eff,
        chair_window_ends = m.closes_at + interval '72 hours'
    WHERE id = p
    RETURNING * INTO m;
    PERFORM council.audit('sc.close', 'sc_motion', p, v_res);
    IF m.status = 'passed' THEN
        v_eff := council.sc__effect(m);
        UPDATE council.sc_motions SET effect = v_eff WHERE id = p;
    END IF;
    PERFORM set_config('council.session', v_sess, true);
END
$$;

-- Lock motion p for the rest of the transaction and close it if it is
-- open and due, p_how saying who found it due; whether it closed.  The
-- closer of policy/65_decisions.sql's loop ('timer', the default).
CREATE OR REPLACE FUNCTION council.sc__close_if_due(p bigint, p_how text DEFAULT 'timer')
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    m  council.sc_motions;
BEGIN
    SELECT * INTO m FROM council.sc_motions WHERE id = p FOR UPDATE;
    IF m.status IS DISTINCT FROM 'open' OR m.closes_at > now() THEN
        RETURN false;
    END IF;
    PERFORM council.sc__close(p, p_how);
    RETURN true;
END
$$;

-- Motion p, locked for the rest of the transaction, closed first if due.
-- Every change to a motion goes through here, so a ballot, a presence or
-- an open never races a close.  NULL row when p does not exist.
CREATE OR REPLACE FUNCTION council.sc__lock(p bigint) RETURNS council.sc_motions
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    m  council.sc_motions;
BEGIN
    PERFORM council.sc__close_if_due(p, 'lazy');
    SELECT * INTO m FROM council.sc_motions WHERE id = p FOR UPDATE;
    RETURN m;
END
$$;

-- Close every poll whose time has come, in id order (councild's clock,
-- through council.gov_close_due; council_app may call it without a
-- session).  Returns how many closed.
CREATE OR REPLACE FUNCTION council.sc_close_due() RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN council.decision_close_due(ARRAY(
        SELECT id FROM council.sc_motions
        WHERE status = 'open' AND closes_at <= now() ORDER BY id),
        'council.sc__close_if_due');
END
$$;

-- Open motion p: freeze the seats (the committee now, R-GOV-5) with their
-- special interests — declared, or the member the motion is about
-- (R-GOV-6: no vote on one's own expulsion) — fix the rule version in
-- force, and require a quorum of those present (frozen into quorum_open).
CREATE OR REPLACE FUNCTION council.sc__open(p bigint, p_closes_at timestamptz)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    m      council.sc_motions := council.sc__lock(p);
    r      council.decision_rules;
    q      jsonb;
    v_err  text;
BEGIN
    IF m.status <> 'draft' THEN
        RAISE EXCEPTION 'poll_already_opened' USING ERRCODE = 'CP422';
    END IF;
    v_err := council.sc__subject_error(m.kind, m.subject_org_id);
    IF v_err IS NOT NULL THEN
        RAISE EXCEPTION '%', v_err USING ERRCODE = 'CP422';
    END IF;
    -- An Annex 1 amendment is voted on only against the text in force.
    IF m.kind = 'annex1_amendment' AND NOT EXISTS (
            SELECT 1 FROM council.sc_amendments a
            WHERE a.motion_id = p
              AND a.base_version = (council.document_head(a.document_id)).version) THEN
        RAISE EXCEPTION 'document_changed' USING ERRCODE = 'CP409';
    END IF;
    -- The rule in force (R-GOV-5..7: rules are data), for the committee.
    r := council.decision_rule_for(m.rule_code, 'steering_committee',
        ARRAY['committee_seats', 'committee_entitled', NULL]::council.count_base[],
        ARRAY['committee_seats', 'committee_entitled', 'committee_present']::council.count_base[]);
    INSERT INTO council.sc_seats (motion_id, person_id, org_id, is_chair, special_interest)
    SELECT p, cm.person_id, pe.org_id, cm.is_chair,
           CASE WHEN pe.org_id = m.subject_org_id THEN 'subject'
                WHEN EXISTS (SELECT 1 FROM council.sc_interests i
                             WHERE i.motion_id = p AND i.person_id = cm.person_id)
                THEN 'declared' END
    FROM council.committee_members cm
    JOIN council.people pe ON pe.id = cm.person_id;
    q := council.sc__quorum(p, r);
    IF NOT (q->>'met')::boolean THEN
        RAISE EXCEPTION 'no_quorum' USING ERRCODE = 'CP422',
            DETAIL = format('%s present of %s', q->>'numerator', q->>'denominator');
    END IF;
    UPDATE council.sc_motions
    SET status = 'open', rule_id = r.id, opened_by = council.current_person_id(),
        opened_at = now(), closes_at = p_closes_at, quorum_open = q
    WHERE id = p;
    PERFORM council.audit('sc.open', 'sc_motion', p,
        jsonb_build_object('rule_code', r.code, 'rule_version', r.version,
                           'closes_at', p_closes_at, 'quorum', q));
    RETURN q;
END
$$;

-- R-GOV-5: the chair rejects passed resolution p, within the window.
CREATE OR REPLACE FUNCTION council.sc__reject(p bigint, p_reason text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    m      council.sc_motions := council.sc__lock(p);
    v_rev  boolean;
BEGIN
    IF m.status <> 'passed' THEN
        RAISE EXCEPTION 'only_a_passed_resolution' USING ERRCODE = 'CP422';
    END IF;
    IF now() > m.chair_window_ends THEN
        RAISE EXCEPTION 'chair_window_closed' USING ERRCODE = 'CP422';
    END IF;
    v_rev := council.sc__revert(m);
    UPDATE council.sc_motions
    SET status = 'rejected_by_chair', rejected_by = council.current_person_id(),
        rejected_at = now(), rejection_reason = p_reason,
        effect = effect || jsonb_build_object('reverted', v_rev)
    WHERE id = p;
    PERFORM council.audit('sc.chair_reject', 'sc_motion', p,
        jsonb_build_object('reverted', v_rev,
                           'reason_digest', council.sc_digest(p::text, p_reason)));
END
$$;

-- R-ORG-2, R-GOV-8: what the caller's own organisation may know of the
-- committee's decisions about it (it sees no motion): the resolutions in
-- force, and a refusal's reason unless withheld.
CREATE OR REPLACE FUNCTION council.sc_my_decisions() RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    RETURN coalesce((
        SELECT json_agg(json_build_object('motion_id', m.id, 'kind', m.kind,
                        'decided_at', m.closed_at,
                        'reason', CASE WHEN m.kind = 'refusal' AND NOT m.reason_withheld
                                       THEN m.refusal_reason END)
                        ORDER BY m.closed_at, m.id)
        FROM council.sc_motions m
        WHERE m.subject_org_id = council.current_org_id() AND m.status = 'passed'
          AND m.kind <> 'cooperation_request'), '[]'::json);
END
$$;

------------------------------------------------------------------------
-- What members call (council_writer).
------------------------------------------------------------------------

-- Motion p as the caller sees it; CP404 when it cannot (hidden == absent).
CREATE OR REPLACE FUNCTION council.sc__visible(p bigint) RETURNS council.sc_motions
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    m  council.sc_motions;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT * INTO m FROM council.sc_motions WHERE id = p;
    IF m.id IS NULL THEN
        RAISE EXCEPTION 'motion_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN m;
END
$$;

-- A committee member or the secretariat drafts a motion (R-GOV-5).
-- Kind-specific fields: p_subject (the member it is about), the refusal's
-- reason and whether it is withheld (R-ORG-2), for a request for
-- cooperation its trigger, purpose and scope (R-COOP-1, all required), and
-- for an Annex 1 amendment the document the committee owns and the whole
-- proposed text, against the document's newest version (sc_amendments).
DROP FUNCTION IF EXISTS council.sc_motion_create(text, text, text, bigint, text, boolean,
    text, text, text);
CREATE OR REPLACE FUNCTION council.sc_motion_create(p_kind text, p_title text,
    p_body text DEFAULT '', p_subject bigint DEFAULT NULL,
    p_refusal_reason text DEFAULT NULL, p_reason_withheld boolean DEFAULT false,
    p_coop_trigger text DEFAULT NULL, p_coop_purpose text DEFAULT NULL,
    p_coop_scope text DEFAULT NULL, p_document bigint DEFAULT NULL,
    p_text text DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    v_kind    council.sc_motion_kind;
    v_err     text;
    v_id      bigint;
    v_owner   council.gov_body;
    v_base    integer;
    v_head    text;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT (council.current_is_committee() OR council.current_is_secretariat()) THEN
        RAISE EXCEPTION 'only_committee_or_secretariat' USING ERRCODE = 'CP403';
    END IF;
    IF p_kind IS NULL OR NOT p_kind = ANY (enum_range(NULL::council.sc_motion_kind)::text[]) THEN
        RAISE EXCEPTION 'invalid_kind' USING ERRCODE = 'CP422';
    END IF;
    v_kind := p_kind::council.sc_motion_kind;
    p_body := replace(replace(coalesce(p_body, ''), E'\r\n', E'\n'), E'\r', E'\n');
    IF p_title IS NULL OR length(btrim(p_title)) = 0 OR length(p_title) > 300
       OR length(p_body) > 100000 THEN
        RAISE EXCEPTION 'invalid_title_or_body' USING ERRCODE = 'CP422';
    END IF;
    IF p_title ~ '[\x01-\x1f\x7f]' OR p_body ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'control_characters' USING ERRCODE = 'CP422';
    END IF;
    -- The member it is about.
    IF v_kind::text IN ('admission', 'refusal', 'expulsion', 'restriction', 'lift_restriction',
                        'foreign_approval')
       AND p_subject IS NULL THEN
        RAISE EXCEPTION 'subject_required' USING ERRCODE = 'CP422';
    END IF;
    IF v_kind IN ('annex1_amendment', 'referral', 'other') AND p_subject IS NOT NULL THEN
        RAISE EXCEPTION 'subject_not_allowed' USING ERRCODE = 'CP422';
    END IF;
    IF p_subject IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM council.organisations WHERE id = p_subject) THEN
        RAISE EXCEPTION 'organisation_not_found' USING ERRCODE = 'CP404';
    END IF;
    v_err := council.sc__subject_error(v_kind, p_subject);
    IF v_err IS NOT NULL THEN
        RAISE EXCEPTION '%', v_err USING ERRCODE = 'CP422';
    END IF;
    -- R-ORG-2: a refusal states its reason; it may be withheld.
    IF v_kind = 'refusal' THEN
        IF p_refusal_reason IS NULL OR length(btrim(p_refusal_reason)) = 0
           OR length(p_refusal_reason) > 4000 THEN
            RAISE EXCEPTION 'refusal_reason_required' USING ERRCODE = 'CP422';
        END IF;
    ELSIF p_refusal_reason IS NOT NULL OR coalesce(p_reason_withheld, false) THEN
        RAISE EXCEPTION 'reason_only_for_refusals' USING ERRCODE = 'CP422';
    END IF;
    -- R-COOP-1: trigger, purpose and scope, all stated.
    IF v_kind = 'cooperation_request' THEN
        IF p_coop_trigger IS NULL
           OR NOT p_coop_trigger = ANY (enum_range(NULL::council.coop_trigger)::text[]) THEN
            RAISE EXCEPTION 'coop_trigger_required' USING ERRCODE = 'CP422';
        END IF;
        IF p_coop_purpose IS NULL OR length(btrim(p_coop_purpose)) = 0
           OR length(p_coop_purpose) > 4000 THEN
            RAISE EXCEPTION 'coop_purpose_required' USING ERRCODE = 'CP422';
        END IF;
        IF p_coop_scope IS NULL OR length(btrim(p_coop_scope)) = 0
           OR length(p_coop_scope) > 4000 THEN
            RAISE EXCEPTION 'coop_scope_required' USING ERRCODE = 'CP422';
        END IF;
        -- Art. 23(1): asked because it consented: the member is named.
        IF p_coop_trigger = 'member_consent' AND p_subject IS NULL THEN
            RAISE EXCEPTION 'subject_required' USING ERRCODE = 'CP422';
        END IF;
    ELSIF num_nonnulls(p_coop_trigger, p_coop_purpose, p_coop_scope) > 0 THEN
        RAISE EXCEPTION 'coop_fields_only_for_requests' USING ERRCODE = 'CP422';
    END IF;
    -- R-GOV-5 (Rules Art. 11(3)5): the committee amends Annex 1, and
    -- only the documents it owns; the whole new text, which must differ.
    IF v_kind = 'annex1_amendment' THEN
        IF p_document IS NULL OR p_text IS NULL THEN
            RAISE EXCEPTION 'amendment_text_required' USING ERRCODE = 'CP422';
        END IF;
        SELECT h.owner, h.version, h.body INTO v_owner, v_base, v_head
        FROM council.document_head(p_document) h;
        IF v_owner IS NULL THEN
            RAISE EXCEPTION 'document_not_found' USING ERRCODE = 'CP404';
        END IF;
        IF v_owner <> 'steering_committee' OR v_base IS NULL THEN
            RAISE EXCEPTION 'document_not_owned' USING ERRCODE = 'CP422';
        END IF;
        p_text := replace(replace(p_text, E'\r\n', E'\n'), E'\r', E'\n');
        IF length(btrim(p_text)) = 0 OR length(p_text) > 500000 THEN
            RAISE EXCEPTION 'invalid_text' USING ERRCODE = 'CP422';
        END IF;
        IF p_text ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
            RAISE EXCEPTION 'control_characters' USING ERRCODE = 'CP422';
        END IF;
        IF p_text = v_head THEN
            RAISE EXCEPTION 'no_change' USING ERRCODE = 'CP422';
        END IF;
    ELSIF p_document IS NOT NULL OR p_text IS NOT NULL THEN
        RAISE EXCEPTION 'text_only_for_amendments' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.sc_motions (kind, title, body, subject_org_id, refusal_reason,
        reason_withheld, coop_trigger, coop_purpose, coop_scope, created_by)
    VALUES (v_kind, p_title, p_body, p_subject, p_refusal_reason,
        coalesce(p_reason_withheld, false), p_coop_trigger::council.coop_trigger,
        p_coop_purpose, p_coop_scope, v_person)
    RETURNING id INTO v_id;
    IF v_kind = 'annex1_amendment' THEN
        INSERT INTO council.sc_amendments (motion_id, document_id, base_version, proposed_text)
        VALUES (v_id, p_document, v_base, p_text);
    END IF;
    PERFORM council.audit('sc.motion.create', 'sc_motion', v_id,
        jsonb_build_object('kind', v_kind));
    RETURN v_id;
END
$$;

-- Electronic presence (R-GOV-5, Art. 11(9)): a committee member marks
-- itself present at (or gone from) motion p, before or while the poll is
-- open.  Going during the poll takes one's ballot out of the count and
-- can cost the quorum at the close.
CREATE OR REPLACE FUNCTION council.sc_attend(p bigint, p_present boolean DEFAULT true)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    m         council.sc_motions := council.sc__visible(p);
BEGIN
    IF p_present IS NULL THEN
        RAISE EXCEPTION 'invalid_presence' USING ERRCODE = 'CP422';
    END IF;
    m := council.sc__lock(p);
    IF m.status NOT IN ('draft', 'open') THEN
        RAISE EXCEPTION 'poll_closed' USING ERRCODE = 'CP422';
    END IF;
    IF (m.status = 'draft' AND NOT EXISTS (SELECT 1 FROM council.committee_members c
                                           WHERE c.person_id = v_person))
       OR (m.status = 'open' AND NOT EXISTS (SELECT 1 FROM council.sc_seats s
                                             WHERE s.motion_id = p AND s.person_id = v_person)) THEN
        RAISE EXCEPTION 'not_a_committee_member' USING ERRCODE = 'CP403';
    END IF;
    INSERT INTO council.sc_presence (motion_id, person_id, present)
    VALUES (p, v_person, p_present)
    ON CONFLICT (motion_id, person_id)
        DO UPDATE SET present = EXCLUDED.present, changed_at = now();
    PERFORM council.audit(CASE WHEN p_present THEN 'sc.attend' ELSE 'sc.leave' END,
        'sc_motion', p, jsonb_build_object('status', m.status));
END
$$;

-- R-GOV-5: a committee member declares a special interest in motion p,
-- before the poll opens; it then has no vote and is out of the entitled
-- base (it still counts as present for the quorum).  Final.
CREATE OR REPLACE FUNCTION council.sc_declare_interest(p bigint, p_reason text DEFAULT '')
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    m         council.sc_motions := council.sc__visible(p);
BEGIN
    p_reason := coalesce(p_reason, '');
    IF length(p_reason) > 4000 THEN
        RAISE EXCEPTION 'reason_too_long' USING ERRCODE = 'CP422';
    END IF;
    m := council.sc__lock(p);
    IF m.status <> 'draft' THEN
        RAISE EXCEPTION 'special_interest_only_before_open' USING ERRCODE = 'CP422';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.committee_members c WHERE c.person_id = v_person) THEN
        RAISE EXCEPTION 'not_a_committee_member' USING ERRCODE = 'CP403';
    END IF;
    INSERT INTO council.sc_interests (motion_id, person_id, reason)
    VALUES (p, v_person, p_reason) ON CONFLICT DO NOTHING;
    IF FOUND THEN
        PERFORM council.audit('sc.interest', 'sc_motion', p,
            jsonb_build_object('reason_digest', council.sc_digest(p::text, p_reason)));
    END IF;
END
$$;

-- The chair or the secretariat opens the poll on motion p until
-- p_closes_at (at most 30 days).  Returns the quorum frozen at open.
CREATE OR REPLACE FUNCTION council.sc_open(p bigint, p_closes_at timestamptz)
    RETURNS json
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    m  council.sc_motions := council.sc__visible(p);
BEGIN
    IF NOT (council.current_is_secretariat()
            OR EXISTS (SELECT 1 FROM council.committee_members c
                       WHERE c.person_id = council.current_person_id() AND c.is_chair)) THEN
        RAISE EXCEPTION 'only_the_chair_or_secretariat_opens' USING ERRCODE = 'CP403';
    END IF;
    IF p_closes_at IS NULL OR p_closes_at <= now()
       OR p_closes_at > now() + interval '30 days' THEN
        RAISE EXCEPTION 'invalid_closing_time' USING ERRCODE = 'CP422';
    END IF;
    RETURN council.sc__open(p, p_closes_at)::json;
END
$$;

-- A present, entitled committee member votes on open motion p; voting
-- again makes a new version (all kept); the last one at the close counts.
-- Returns the version.
CREATE OR REPLACE FUNCTION council.sc_vote(p bigint, p_choice text) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    m         council.sc_motions := council.sc__visible(p);
    s         council.sc_seats;
    v_ver     integer;
    v_at      timestamptz := now();
BEGIN
    IF p_choice IS NULL OR p_choice NOT IN ('yes', 'no', 'abstain') THEN
        RAISE EXCEPTION 'invalid_choice' USING ERRCODE = 'CP422';
    END IF;
    m := council.sc__lock(p);
    IF m.status = 'draft' THEN
        RAISE EXCEPTION 'poll_not_open' USING ERRCODE = 'CP422';
    ELSIF m.status <> 'open' THEN
        RAISE EXCEPTION 'poll_closed' USING ERRCODE = 'CP422';
    END IF;
    SELECT * INTO s FROM council.sc_seats WHERE motion_id = p AND person_id = v_person;
    IF s.person_id IS NULL THEN
        RAISE EXCEPTION 'not_a_committee_member' USING ERRCODE = 'CP403';
    END IF;
    IF s.special_interest IS NOT NULL THEN      -- R-GOV-5, R-GOV-6
        RAISE EXCEPTION 'no_vote_special_interest' USING ERRCODE = 'CP403';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.sc_presence pr
                   WHERE pr.motion_id = p AND pr.person_id = v_person AND pr.present) THEN
        RAISE EXCEPTION 'not_present' USING ERRCODE = 'CP422';
    END IF;
    SELECT coalesce(max(version), 0) + 1 INTO v_ver FROM council.sc_ballots
    WHERE motion_id = p AND person_id = v_person;
    INSERT INTO council.sc_ballots (motion_id, person_id, version, choice, cast_at)
    VALUES (p, v_person, v_ver, p_choice::council.sc_choice, v_at);
    PERFORM council.audit('sc.ballot', 'sc_motion', p,
        jsonb_build_object('version', v_ver,
            'digest', council.sc_digest(p::text, v_person::text, v_ver::text, p_choice,
                to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))));
    RETURN v_ver;
END
$$;

-- R-GOV-5: the chair (committee_members.is_chair, now) rejects passed
-- resolution p with a recorded reason, within 72 hours of the close; the
-- effect is undone (sc__revert).
CREATE OR REPLACE FUNCTION council.sc_chair_reject(p bigint, p_reason text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    m  council.sc_motions := council.sc__visible(p);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM council.committee_members c
                   WHERE c.person_id = council.current_person_id() AND c.is_chair) THEN
        RAISE EXCEPTION 'only_the_chair_rejects' USING ERRCODE = 'CP403';
    END IF;
    IF p_reason IS NULL OR length(btrim(p_reason)) = 0 OR length(p_reason) > 4000 THEN
        RAISE EXCEPTION 'reason_required' USING ERRCODE = 'CP422';
    END IF;
    PERFORM council.sc__reject(p, p_reason);
END
$$;

-- Motion p for its page: the row, the rule version, who is present now,
-- and the caller's own seat, presence, interest and last vote.  Closes it
-- first if due.  CP404 when the caller may not see it.
CREATE OR REPLACE FUNCTION council.sc_motion(p bigint) RETURNS json
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    m         council.sc_motions := council.sc__visible(p);
BEGIN
    IF m.status = 'open' AND m.closes_at <= now() THEN
        PERFORM council.sc__lock(p);
        SELECT * INTO m FROM council.sc_motions WHERE id = p;
    END IF;
    RETURN json_build_object(
        'id', m.id, 'kind', m.kind, 'title', m.title, 'body', m.body,
        'subject_org_id', m.subject_org_id, 'status', m.status,
        'rule_code', m.rule_code,
        'rule_version', (SELECT r.version FROM council.decision_rules r WHERE r.id = m.rule_id),
        'refusal_reason', m.refusal_reason, 'reason_withheld', m.reason_withheld,
        'coop_trigger', m.coop_trigger, 'coop_purpose', m.coop_purpose,
        'coop_scope', m.coop_scope,
        'amendment', (SELECT json_build_object('document', a.document_id, 'slug', d.slug,
                          'base_version', a.base_version, 'proposed_text', a.proposed_text,
                          'base_text', b.body)
                      FROM council.sc_amendments a
                      JOIN council.documents d ON d.id = a.document_id
                      JOIN council.document_versions b
                        ON b.document_id = a.document_id AND b.version = a.base_version
                      WHERE a.motion_id = m.id),
        'created_at', m.created_at, 'opened_at', m.opened_at, 'closes_at', m.closes_at,
        'closed_at', m.closed_at, 'quorum_open', m.quorum_open, 'result', m.result,
        'effect', m.effect, 'chair_window_ends', m.chair_window_ends,
        'rejected_at', m.rejected_at, 'rejection_reason', m.rejection_reason,
        'present', (SELECT count(*) FROM council.sc_presence pr
                    WHERE pr.motion_id = p AND pr.present
                      AND (m.status = 'draft'
                           OR EXISTS (SELECT 1 FROM council.sc_seats s
                                      WHERE s.motion_id = p AND s.person_id = pr.person_id))),
        'me', json_build_object(
            'seat', CASE WHEN m.status = 'draft'
                         THEN EXISTS (SELECT 1 FROM council.committee_members c
                                      WHERE c.person_id = v_person)
                         ELSE EXISTS (SELECT 1 FROM council.sc_seats s
                                      WHERE s.motion_id = p AND s.person_id = v_person) END,
            'present', coalesce((SELECT pr.present FROM council.sc_presence pr
                                 WHERE pr.motion_id = p AND pr.person_id = v_person), false),
            'special_interest', CASE WHEN m.status = 'draft'
                THEN (SELECT 'declared' FROM council.sc_interests i
                      WHERE i.motion_id = p AND i.person_id = v_person)
                ELSE (SELECT s.special_interest FROM council.sc_seats s
                      WHERE s.motion_id = p AND s.person_id = v_person) END,
            'vote', (SELECT b.choice FROM council.sc_ballots b
                     WHERE b.motion_id = p AND b.person_id = v_person
                     ORDER BY b.version DESC LIMIT 1),
            'version', (SELECT max(b.version) FROM council.sc_ballots b
                        WHERE b.motion_id = p AND b.person_id = v_person)));
END
$$;

------------------------------------------------------------------------
-- The JSON API's rows (docs/api.md), council.api__<name>(request), reached
-- through the door council.api_call (policy/15_api.sql): they raise, the
-- door answers (status, body), and a refused call changes nothing.
-- SECURITY INVOKER: they call the committee's functions above as council_app would.
------------------------------------------------------------------------

-- POST /api/v1/committee/motions: draft a motion.
CREATE OR REPLACE FUNCTION council.api__sc_create(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb := council.api_args(r->>'body', '{"kind": "string", "title": "string",
        "body": "string", "subject": "number", "refusal_reason": "string",
        "reason_withheld": "boolean", "coop_trigger": "string", "coop_purpose": "string",
        "coop_scope": "string", "document": "number", "text": "string"}');
BEGIN
    status := 201;
    body := json_build_object('id', council.sc_motion_create(a->>'kind', a->>'title',
        coalesce(a->>'body', ''), (a->>'subject')::bigint, a->>'refusal_reason',
        coalesce((a->>'reason_withheld')::boolean, false), a->>'coop_trigger',
        a->>'coop_purpose', a->>'coop_scope', (a->>'document')::bigint,
        a->>'text'))::text;
END
$$;

-- POST /api/v1/committee/motions/N {"action": ...}: attend / leave,
-- interest (R-GOV-5, before the poll opens), open (the chair or the
-- secretariat, with closes_at), vote (choice), reject (the chair, reason).
-- Answers the motion as council.sc_motion shows it.
CREATE OR REPLACE FUNCTION council.api__sc_act(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    p  bigint := (r->>'id')::bigint;
    a  jsonb := council.api_args(r->>'body', '{"action": "string", "closes_at": "string",
        "choice": "string", "reason": "string"}');
BEGIN
    CASE a->>'action'
    WHEN 'attend' THEN PERFORM council.sc_attend(p, true);
    WHEN 'leave' THEN PERFORM council.sc_attend(p, false);
    WHEN 'interest' THEN PERFORM council.sc_declare_interest(p, coalesce(a->>'reason', ''));
    WHEN 'open' THEN PERFORM council.sc_open(p, (a->>'closes_at')::timestamptz);
    WHEN 'vote' THEN PERFORM council.sc_vote(p, a->>'choice');
    WHEN 'reject' THEN PERFORM council.sc_chair_reject(p, a->>'reason');
    ELSE
        RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
    END CASE;
    status := 200;
    body := council.sc_motion(p)::text;
END
$$;

-- GET /api/v1/committee/motions/N: council.api_read('sc_motion', N)
-- (policy/15_api.sql); the poll is closed first if its time has come.
DROP FUNCTION IF EXISTS council.api_sc_motion(bigint);

------------------------------------------------------------------------
-- Who sees what (R-GOV-8): committee proceedings are seen by the committee
-- and the two secretariat bodies (R-ORG-5: NISC general affairs and
-- JPCERT/CC); nobody else sees a row of them.
------------------------------------------------------------------------

CREATE POLICY sc_motions_visible ON council.sc_motions FOR SELECT
    TO council_app, council_writer
    USING (coalesce((SELECT me.is_committee OR me.is_secretariat OR me.is_coordinator
                     FROM council.me), false));
CREATE POLICY sc_motions_insert ON council.sc_motions FOR INSERT TO council_writer
    WITH CHECK (created_by = (SELECT me.person_id FROM council.me)
                AND coalesce((SELECT me.is_committee OR me.is_secretariat
                              FROM council.me), false));

CREATE POLICY sc_interests_visible ON council.sc_interests FOR SELECT
    TO council_app, council_writer
    USING (coalesce((SELECT me.is_committee OR me.is_secretariat OR me.is_coordinator
                     FROM council.me), false));
CREATE POLICY sc_interests_insert ON council.sc_interests FOR INSERT TO council_writer
    WITH CHECK (person_id = (SELECT me.person_id FROM council.me)
                AND coalesce((SELECT me.is_committee FROM council.me), false));

CREATE POLICY sc_seats_visible ON council.sc_seats FOR SELECT
    TO council_app, council_writer
    USING (coalesce((SELECT me.is_committee OR me.is_secretariat OR me.is_coordinator
                     FROM council.me), false));

CREATE POLICY sc_presence_visible ON council.sc_presence FOR SELECT
    TO council_app, council_writer
    USING (coalesce((SELECT me.is_committee OR me.is_secretariat OR me.is_coordinator
                     FROM council.me), false));
CREATE POLICY sc_presence_insert ON council.sc_presence FOR INSERT TO council_writer
    WITH CHECK (person_id = (SELECT me.person_id FROM council.me)
                AND coalesce((SELECT me.is_committee FROM council.me), false));
CREATE POLICY sc_presence_update ON council.sc_presence FOR UPDATE TO council_writer
    USING (person_id = (SELECT me.person_id FROM council.me))
    WITH CHECK (person_id = (SELECT me.person_id FROM council.me)
                AND coalesce((SELECT me.is_committee FROM council.me), false));

CREATE POLICY sc_ballots_visible ON council.sc_ballots FOR SELECT
    TO council_app, council_writer
    USING (coalesce((SELECT me.is_committee OR me.is_secretariat OR me.is_coordinator
                     FROM council.me), false));
CREATE POLICY sc_ballots_insert ON council.sc_ballots FOR INSERT TO council_writer
    WITH CHECK (person_id = (SELECT me.person_id FROM council.me)
                AND coalesce((SELECT me.is_committee FROM council.me), false));

-- An Annex 1 amendment's text: seen like its motion; written with it.
CREATE POLICY sc_amendments_visible ON council.sc_amendments FOR SELECT
    TO council_app, council_writer
    USING (coalesce((SELECT me.is_committee OR me.is_secretariat OR me.is_coordinator
                     FROM council.me), false));
CREATE POLICY sc_amendments_insert ON council.sc_amendments FOR INSERT TO council_writer
    WITH CHECK (motion_id IN (SELECT x.id FROM council.sc_motions x
                              WHERE x.created_by = (SELECT me.person_id FROM council.me)));

------------------------------------------------------------------------
-- Owners and privileges.
------------------------------------------------------------------------

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.sc__subject_error(council.sc_motion_kind, bigint) OWNER TO council_definer;
ALTER FUNCTION council.sc__counts(bigint) OWNER TO council_definer;
ALTER FUNCTION council.sc__quorum(bigint, council.decision_rules) OWNER TO council_definer;
ALTER FUNCTION council.sc__effect(council.sc_motions) OWNER TO council_definer;
ALTER FUNCTION council.sc__revert(council.sc_motions) OWNER TO council_definer;
ALTER FUNCTION council.sc__close(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.sc__close_if_due(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.sc__lock(bigint) OWNER TO council_definer;
ALTER FUNCTION council.sc_close_due() OWNER TO council_definer;
ALTER FUNCTION council.sc__open(bigint, timestamptz) OWNER TO council_definer;
ALTER FUNCTION council.sc__reject(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.sc_my_decisions() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.sc__visible(bigint) OWNER TO council_writer;
ALTER FUNCTION council.sc_motion_create(text, text, text, bigint, text, boolean, text,
    text, text, bigint, text) OWNER TO council_writer;
ALTER FUNCTION council.sc_attend(bigint, boolean) OWNER TO council_writer;
ALTER FUNCTION council.sc_declare_interest(bigint, text) OWNER TO council_writer;
ALTER FUNCTION council.sc_open(bigint, timestamptz) OWNER TO council_writer;
ALTER FUNCTION council.sc_vote(bigint, text) OWNER TO council_writer;
ALTER FUNCTION council.sc_chair_reject(bigint, text) OWNER TO council_writer;
ALTER FUNCTION council.sc_motion(bigint) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;

-- The definer's functions run for council_writer's only (they trust their
-- arguments); the timer's may be called by councild.
REVOKE ALL ON FUNCTION council.sc__subject_error(council.sc_motion_kind, bigint),
    council.sc__counts(bigint), council.sc__quorum(bigint, council.decision_rules),
    council.sc__effect(council.sc_motions),
    council.sc__revert(council.sc_motions), council.sc__close(bigint, text),
    council.sc__close_if_due(bigint, text),
    council.sc__lock(bigint), council.sc__open(bigint, timestamptz),
    council.sc__reject(bigint, text), council.sc_close_due(),
    council.sc__visible(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.sc__subject_error(council.sc_motion_kind, bigint),
    council.sc__lock(bigint), council.sc__open(bigint, timestamptz),
    council.sc__reject(bigint, text), council.sc_close_due()
    TO council_writer;
GRANT EXECUTE ON FUNCTION council.sc_close_due() TO council_app;
