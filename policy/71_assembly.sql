-- policy/71_assembly.sql: the virtual general assembly (総会) (issue 5,
-- R-GOV-1..4, R-GOV-8; docs/governance.md, "General assembly").  Tables in
-- migrations/0013_assembly.sql; what members read of it, the minutes
-- included: policy/72_assembly_reads.sql.  Re-applied by "councilctl
-- migrate".
--
-- Write functions are SECURITY DEFINER owned by council_writer (under the
-- caller's policies); counting, closing and the reads that close a due
-- poll first are owned by council_definer, which sees every row.  Errors:
-- MESSAGE a stable code, SQLSTATE of class CP (CP401 not signed in, CP403
-- forbidden, CP404 not found, CP409 not now, CP422 invalid).  Every
-- notice, attendance, designation, proxy, ballot, poll and count is an
-- audit row on object ("ga_assembly", id), so "councilctl audit verify"
-- covers the proceedings.
--
-- Time: a poll closes at closes_at (timestamptz: UTC stored, JST shown).
-- council.gov_close_due() (policy/65_decisions.sql) closes every due poll
-- (councild calls it periodically); every function here first closes the
-- due polls, and so do changes of membership and of the committee
-- (triggers below), so a count never sees what happened after its closing
-- time, whenever the closer runs.  Thresholds and the rule in force are
-- those of the one decisions engine (policy/65_decisions.sql).

------------------------------------------------------------------------
-- Helpers.
------------------------------------------------------------------------

-- Is the caller the steering-committee chair (R-GOV-2)?
CREATE OR REPLACE FUNCTION council.ga_is_chair() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (SELECT 1 FROM council.me
                   JOIN council.committee_members c ON c.person_id = me.person_id
                   WHERE c.is_chair)
$$;

-- May the caller preside: convene, open polls, close the session, ask for
-- reminders?  The chair (R-GOV-2), or the general-affairs secretariat
-- acting for the chair (R-ORG-5: it runs the council's affairs).  The
-- audit row names who acted.
CREATE OR REPLACE FUNCTION council.ga_may_preside() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.ga_is_chair()
        OR coalesce((SELECT me.is_secretariat FROM council.me), false)
$$;

-- Does the caller act for its own organisation in assembly a (R-GOV-3)?
-- The representative its administrator designated for the assembly; until
-- one is designated, any active administrator (people.is_org_admin).
CREATE OR REPLACE FUNCTION council.ga_acts_for_org(a bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce((
        SELECT CASE WHEN r.person_id IS NOT NULL THEN r.person_id = me.person_id
                    ELSE p.is_org_admin AND p.active END
        FROM council.me
        JOIN council.people p ON p.id = me.person_id
        LEFT JOIN council.ga_representatives r
               ON r.assembly_id = a AND r.org_id = me.org_id), false)
$$;

-- R-GOV-3: the member organisations (one vote each).
CREATE OR REPLACE FUNCTION council.ga_member_orgs() RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT o.id FROM council.organisations o WHERE o.status = 'member'
$$;

-- R-GOV-3: who attends assembly a now: member organisations present, and
-- those that submitted a proxy (Art. 10(5) 「出席もしくは委任状の提出」).
-- A proxy stands while it is not revoked and its principal is not present
-- (attending overrides it); one to the chair, while the session is
-- convened (the chair presides it).  It counts whether or not its holder
-- is present: the holder's presence decides only whether it can be
-- exercised (ga_vote: not_present).  proxy_id says which proxy.
CREATE OR REPLACE FUNCTION council.ga_attending(a bigint)
    RETURNS TABLE (org_id bigint, attended_as council.ga_attendance_kind, proxy_id bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    WITH m AS (SELECT o.id FROM council.organisations o WHERE o.status = 'member'),
    present AS (SELECT DISTINCT t.org_id FROM council.ga_attendance t
                WHERE t.assembly_id = a AND t.left_at IS NULL
                  AND t.org_id IN (SELECT id FROM m))
    SELECT present.org_id, 'present'::council.ga_attendance_kind, NULL::bigint FROM present
    UNION ALL
    SELECT x.principal_org_id,
           (CASE WHEN x.to_chair THEN 'chair_proxy' ELSE 'proxy' END)::council.ga_attendance_kind,
           x.id
    FROM council.ga_proxies x
    JOIN council.ga_assemblies g ON g.id = x.assembly_id
    WHERE x.assembly_id = a AND x.revoked_at IS NULL
      AND x.principal_org_id IN (SELECT id FROM m)
      AND x.principal_org_id NOT IN (SELECT present.org_id FROM present)
      AND (NOT x.to_chair OR g.status = 'convened')
$$;

-- Is motion m a resolution of the steering committee (passed, not
-- rejected by the chair) of one of the kinds k (migration 0012)?
CREATE OR REPLACE FUNCTION council.ga_sc_resolution(m bigint, k text[]) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (SELECT 1 FROM council.sc_motions x
                   WHERE x.id = m AND x.status = 'passed' AND x.kind::text = ANY (k))
$$;

-- Issue 17 item 8: the committee's decisions a general assembly may be
-- convened on or take up (R-GOV-1: passed referral and "other" motions),
-- newest first, for whoever may preside (the chair, the secretariat);
-- nothing for anyone else.  The convene form offers them by title.
CREATE OR REPLACE FUNCTION council.ga_referrable_motions()
    RETURNS TABLE (id bigint, kind text, title text, decided_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT x.id, x.kind::text, x.title, x.closed_at FROM council.sc_motions x
    WHERE council.ga_may_preside() AND x.status = 'passed'
      AND x.kind IN ('referral', 'other')
    ORDER BY x.closed_at DESC NULLS LAST, x.id DESC
    LIMIT 100
$$;

-- The text a receipt hashes (documented in docs/governance.md so that a
-- member can recompute it once the salt is revealed).
CREATE OR REPLACE FUNCTION council.ga_receipt_text(p_item bigint, p_org bigint,
    p_choice council.ga_choice, p_version integer, p_salt bytea) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT concat_ws('|', 'council-ga', p_item::text, p_org::text, p_choice::text,
                     p_version::text, encode(p_salt, 'hex'))
$$;

-- The next version of organisation p_org's ballot on poll p_item and its
-- receipt (writer-only helper; the caller holds the assembly's lock).  The
-- version counts every earlier one, whoever cast it (the caller may not
-- see them all).  The per-ballot salt is drawn with the first version (32
-- bytes from two random UUIDs: 244 random bits) and kept where only
-- council_definer reads it.
CREATE OR REPLACE FUNCTION council.ga_seal(p_item bigint, p_org bigint,
    p_choice council.ga_choice, OUT o_version integer, OUT o_receipt bytea)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_salt bytea;
BEGIN
    SELECT coalesce(max(b.version), 0) + 1 INTO o_version FROM council.ga_ballots b
    WHERE b.item_id = p_item AND b.org_id = p_org;
    INSERT INTO council.ga_ballot_salts (item_id, org_id, salt)
    VALUES (p_item, p_org, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text,
                                          '-', ''), 'hex'))
    ON CONFLICT DO NOTHING;
    SELECT s.salt INTO v_salt FROM council.ga_ballot_salts s
    WHERE s.item_id = p_item AND s.org_id = p_org;
    o_receipt := sha256(convert_to(council.ga_receipt_text(p_item, p_org, p_choice, o_version,
                                                           v_salt), 'UTF8'));
END
$$;

-- Serialise the changes of one assembly (attendance, proxies, ballots,
-- polls, counts): a transaction-scoped advisory lock.
CREATE OR REPLACE FUNCTION council.ga_lock(a bigint) RETURNS void
    LANGUAGE sql VOLATILE
AS $$
    SELECT pg_advisory_xact_lock(hashtext('council.ga_assembly'), hashtext(a::text))
$$;

-- Text from a form or the API: line breaks as LF (multi-line fields
-- only), no other control characters.
CREATE OR REPLACE FUNCTION council.ga_clean(p text, p_multiline boolean) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF p IS NULL THEN
        RETURN NULL;
    END IF;
    IF p_multiline THEN
        p := replace(replace(p, E'\r\n', E'\n'), E'\r', E'\n');
        IF p ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
            RAISE EXCEPTION 'control_characters' USING ERRCODE = 'CP422';
        END IF;
    ELSIF p ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'control_characters' USING ERRCODE = 'CP422';
    END IF;
    RETURN p;
END
$$;

------------------------------------------------------------------------
-- Counting and closing.
------------------------------------------------------------------------

-- Count and close poll p, whose closing time has come, under the
-- assembly's lock (taken here).  Freezes the attendance (ga_tally) and the quorum
-- again; R-GOV-4: passes with a majority (per the rule version frozen at
-- the opening) of the attending organisations, present or by proxy
-- (abstentions and silence count as attending, not as yes), unless EVERY
-- steering-committee member's organisation (the committee now, attending
-- or not) has a counted "no" (Art. 10(6) 「運営委員全員が反対した場合」:
-- one absent, abstaining, silent or assenting committee organisation
-- means no veto); a poll whose quorum was lost by the close does not pass
-- (R-GOV-3).  A passed amendment becomes the document's next version.
-- Returns false when p is not an open poll whose time has come.  The
-- closer of policy/65_decisions.sql's loop.
CREATE OR REPLACE FUNCTION council.ga_close_item(p bigint) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    i           council.ga_items;
    r           council.decision_rules;
    v_members   bigint;
    v_att       bigint;
    v_present   bigint;
    v_proxy     bigint;
    v_yes       bigint;
    v_no        bigint;
    v_abstain   bigint;
    v_qbase     bigint;
    v_pbase     bigint;
    v_qmet      boolean;
    v_pmet      boolean;
    v_committee bigint[];
    v_against   bigint[];
    v_veto      boolean := false;
    v_passed    boolean;
    v_head      integer;
    v_adopted   integer;
    v_doc       jsonb := NULL;
    v_result    jsonb;
BEGIN
    SELECT * INTO i FROM council.ga_items WHERE id = p;
    IF i.id IS NULL THEN
        RETURN false;
    END IF;
    PERFORM council.ga_lock(i.assembly_id);
    SELECT * INTO i FROM council.ga_items WHERE id = p;
    IF i.status <> 'open' OR i.closes_at > now() THEN
        RETURN false;
    END IF;
    SELECT * INTO r FROM council.decision_rules WHERE id = i.rule_id;

    -- The attendance at the close, and the ballot that counts for each:
    -- its newest version.  Ballots of organisations that no longer attend
    -- are kept but do not count.
    INSERT INTO council.ga_tally (item_id, org_id, attended_as, version, choice)
    SELECT p, a.org_id, a.attended_as, b.version, b.choice
    FROM council.ga_attending(i.assembly_id) a
    LEFT JOIN LATERAL (SELECT x.version, x.choice FROM council.ga_ballots x
                       WHERE x.item_id = p AND x.org_id = a.org_id
                       ORDER BY x.version DESC LIMIT 1) b ON true;

    SELECT count(*) INTO v_members FROM council.ga_member_orgs();
    SELECT count(*), count(*) FILTER (WHERE t.attended_as = 'present'),
           count(*) FILTER (WHERE t.attended_as <> 'present'),
           count(*) FILTER (WHERE t.choice = 'yes'), count(*) FILTER (WHERE t.choice = 'no'),
           count(*) FILTER (WHERE t.choice = 'abstain')
    INTO v_att, v_present, v_proxy, v_yes, v_no, v_abstain
    FROM council.ga_tally t WHERE t.item_id = p;

    v_qbase := CASE r.quorum_base WHEN 'all_members' THEN v_members
                                  WHEN 'attending' THEN v_att END;
    v_pbase := CASE r.pass_base WHEN 'all_members' THEN v_members
                                WHEN 'attending' THEN v_att END;
    IF (r.quorum_base IS NOT NULL AND v_qbase IS NULL) OR v_pbase IS NULL THEN
        RAISE EXCEPTION 'rule_not_for_the_assembly' USING ERRCODE = 'CP500';
    END IF;
    v_qmet := r.quorum_base IS NULL
              OR council.decision_meets(v_att, r.quorum_cmp, r.quorum_num, r.quorum_den,
                                        v_qbase);
    v_pmet := council.decision_meets(v_yes, r.pass_cmp, r.pass_num, r.pass_den, v_pbase);

    -- R-GOV-4 (docs/governance.md): the veto is counted over EVERY
    -- steering-committee member's organisation, not over those attending:
    -- it triggers only when each of them has a counted "no" (it attends at
    -- the close and its newest ballot is "no").  An absent one has no
    -- counted vote, so it blocks the veto, as an abstention does.
    SELECT coalesce(array_agg(DISTINCT pp.org_id ORDER BY pp.org_id), '{}') INTO v_committee
    FROM council.committee_members c JOIN council.people pp ON pp.id = c.person_id;
    SELECT coalesce(array_agg(t.org_id ORDER BY t.org_id), '{}') INTO v_against
    FROM council.ga_tally t
    WHERE t.item_id = p AND t.org_id = ANY (v_committee) AND t.choice = 'no';
    IF r.veto = 'all_committee_against' THEN
        v_veto := cardinality(v_committee) > 0 AND v_against @> v_committee;
    END IF;
    v_passed := v_qmet AND v_pmet AND NOT v_veto;

    IF i.document_id IS NOT NULL THEN
        IF v_passed THEN
            SELECT max(dv.version) INTO v_head FROM council.document_versions dv
            WHERE dv.document_id = i.document_id;
            IF coalesce(v_head, 0) = i.base_version THEN
                v_adopted := coalesce(v_head, 0) + 1;
                INSERT INTO council.document_versions (document_id, version, body,
                                                       effective_from, adopted_by)
                VALUES (i.document_id, v_adopted, i.proposed_text, now(), p);
            END IF;
        END IF;
        v_doc := jsonb_build_object('id', i.document_id, 'base_version', i.base_version,
                                    'adopted_version', v_adopted,
                                    'conflict', v_passed AND v_adopted IS NULL);
    END IF;

    v_result := jsonb_build_object(
        'rule_id', r.id, 'rule_code', r.code, 'rule_version', r.version,
        'rule_source', r.source,
        'members', v_members, 'attending', v_att, 'present', v_present,
        'by_proxy', v_proxy,
        'quorum', jsonb_build_object('base', r.quorum_base, 'cmp', r.quorum_cmp,
                                     'num', r.quorum_num, 'den', r.quorum_den),
        'quorum_open', jsonb_build_object('numerator', i.quorum_open_num,
                                          'denominator', i.quorum_open_den, 'met', true),
        'quorum_close', jsonb_build_object('numerator', v_att, 'denominator', v_qbase,
                                           'met', v_qmet),
        'pass', jsonb_build_object('base', r.pass_base, 'cmp', r.pass_cmp,
                                   'num', r.pass_num, 'den', r.pass_den,
                                   'numerator', v_yes, 'denominator', v_pbase,
                                   'met', v_pmet),
        'yes', v_yes, 'no', v_no, 'abstain', v_abstain,
        'not_voted', v_att - v_yes - v_no - v_abstain,
        'veto', jsonb_build_object('kind', r.veto, 'committee', to_jsonb(v_committee),
                                   'against', to_jsonb(v_against), 'triggered', v_veto),
        'veto_triggered', v_veto,
        'passed', v_passed,
        'reason', CASE WHEN NOT v_qmet THEN 'no_quorum'
                       WHEN NOT v_pmet THEN 'no_majority'
                       WHEN v_veto THEN 'veto'
                       ELSE 'passed' END,
        'document', v_doc,
        'closed_at', i.closes_at, 'counted_at', now());

    -- Closed at the set time, whenever the count ran.
    UPDATE council.ga_items
    SET status = 'closed', closed_at = i.closes_at, result = v_result,
        adopted_version = v_adopted
    WHERE id = p;
    PERFORM council.audit('ga.count', 'ga_assembly', i.assembly_id,
        jsonb_build_object('item', p) || v_result);
    IF v_adopted IS NOT NULL THEN
        PERFORM council.audit('ga.adopt', 'ga_assembly', i.assembly_id,
            jsonb_build_object('item', p, 'document', i.document_id, 'version', v_adopted));
    END IF;
    RETURN true;
END
$$;

-- Close every poll whose closing time has passed, assembly by assembly
-- (policy/65_decisions.sql's loop: no person named in their audit rows);
-- returns how many.  Every function here calls it first, and so do
-- changes of membership and of the committee (the trigger below).
CREATE OR REPLACE FUNCTION council.ga_close_due() RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN council.decision_close_due(ARRAY(
        SELECT i.id FROM council.ga_items i
        WHERE i.status = 'open' AND i.closes_at <= now()
        ORDER BY i.assembly_id, i.id),
        'council.ga_close_item');
END
$$;

-- Membership and the committee decide counts: close the due polls before
-- they change.
CREATE OR REPLACE FUNCTION council.ga_close_due_trigger() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    PERFORM council.ga_close_due();
    RETURN NULL;
END
$$;

------------------------------------------------------------------------
-- Convening (R-GOV-1, R-GOV-2).
------------------------------------------------------------------------

-- The chair convenes a session: p_kind 'ordinary' or 'extraordinary' (the
-- latter names the steering committee's decision, p_sc_motion), a title,
-- the start, and the agenda, a JSON array of 1..50 items:
--   {"kind": "rule_amendment" | "regulation_amendment", "title": ...,
--    "summary": ..., "document": id, "text": proposed text}
--   {"kind": "report", "title": ..., "summary": ...}
--   {"kind": "referred_item", "title": ..., "summary": ..., "motion": id}
-- An amendment names a document the general assembly owns (R-GOV-1) and a
-- text that differs from its newest version.  The agenda is fixed by the
-- notice, which goes to every member organisation (a row in ga_notices
-- and an audit row each).  Returns the assembly's id.
CREATE OR REPLACE FUNCTION council.ga_convene(p_kind text, p_title text,
    p_starts_at timestamptz, p_agenda jsonb, p_sc_motion bigint DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    v_id      bigint;
    v_item    jsonb;
    v_pos     integer := 0;
    v_kind    council.ga_item_kind;
    v_title   text;
    v_summary text;
    v_doc     bigint;
    v_text    text;
    v_motion  bigint;
    v_owner   council.gov_body;
    v_hver    integer;
    v_hbody   text;
    v_org     bigint;
    v_n       integer := 0;
    v_state   text;
    v_msg     text;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.ga_may_preside() THEN
        RAISE EXCEPTION 'not_chair' USING ERRCODE = 'CP403';
    END IF;
    PERFORM council.ga_close_due();
    IF p_kind IS NULL OR p_kind NOT IN ('ordinary', 'extraordinary') THEN
        RAISE EXCEPTION 'invalid_kind' USING ERRCODE = 'CP422';
    END IF;
    -- R-GOV-1: an extraordinary session only on the committee's decision
    -- (a passed referral or "other" motion).
    IF p_kind = 'extraordinary' AND p_sc_motion IS NULL THEN
        RAISE EXCEPTION 'committee_decision_required' USING ERRCODE = 'CP422';
    END IF;
    IF p_sc_motion IS NOT NULL
       AND NOT council.ga_sc_resolution(p_sc_motion, ARRAY['referral', 'other']) THEN
        RAISE EXCEPTION 'committee_decision_required' USING ERRCODE = 'CP422';
    END IF;
    p_title := btrim(council.ga_clean(p_title, false));
    IF p_title IS NULL OR length(p_title) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'invalid_title' USING ERRCODE = 'CP422';
    END IF;
    IF p_starts_at IS NULL OR p_starts_at < now() OR p_starts_at > now() + interval '366 days' THEN
        RAISE EXCEPTION 'invalid_starts_at' USING ERRCODE = 'CP422';
    END IF;
    IF jsonb_typeof(p_agenda) IS DISTINCT FROM 'array'
       OR jsonb_array_length(p_agenda) NOT BETWEEN 1 AND 50 THEN
        RAISE EXCEPTION 'invalid_agenda' USING ERRCODE = 'CP422';
    END IF;

    INSERT INTO council.ga_assemblies (kind, title, starts_at, sc_motion_id, convened_by)
    VALUES (p_kind::council.ga_kind, p_title, p_starts_at, p_sc_motion, v_person)
    RETURNING id INTO v_id;

    FOR v_item IN SELECT e FROM jsonb_array_elements(p_agenda) e LOOP
        v_pos := v_pos + 1;
      -- Issue 17 item 3: an error names its agenda item (DETAIL
      -- 'item=N', which the API's door adds to the answer as "item").
      BEGIN
        IF jsonb_typeof(v_item) IS DISTINCT FROM 'object'
           OR EXISTS (SELECT 1 FROM jsonb_object_keys(v_item) k
                      WHERE k NOT IN ('kind', 'title', 'summary', 'document', 'text', 'motion'))
           OR jsonb_typeof(v_item->'kind') IS DISTINCT FROM 'string'
           OR jsonb_typeof(v_item->'title') IS DISTINCT FROM 'string'
           OR coalesce(jsonb_typeof(v_item->'summary'), 'string') <> 'string'
           OR coalesce(jsonb_typeof(v_item->'document'), 'number') <> 'number'
           OR coalesce(jsonb_typeof(v_item->'text'), 'string') <> 'string'
           OR coalesce(jsonb_typeof(v_item->'motion'), 'number') <> 'number' THEN
            RAISE EXCEPTION 'invalid_agenda' USING ERRCODE = 'CP422';
        END IF;
        -- R-GOV-1: only what the Rules let the general assembly take up.
        IF v_item->>'kind' NOT IN ('rule_amendment', 'regulation_amendment', 'report',
                                   'referred_item') THEN
            RAISE EXCEPTION 'invalid_item_kind' USING ERRCODE = 'CP422';
        END IF;
        v_kind := (v_item->>'kind')::council.ga_item_kind;
        v_title := btrim(council.ga_clean(v_item->>'title', false));
        IF length(v_title) NOT BETWEEN 1 AND 200 THEN
            RAISE EXCEPTION 'invalid_title' USING ERRCODE = 'CP422';
        END IF;
        v_summary := coalesce(council.ga_clean(v_item->>'summary', true), '');
        IF length(v_summary) > 20000 THEN
            RAISE EXCEPTION 'summary_too_long' USING ERRCODE = 'CP422';
        END IF;
        v_doc := NULL; v_text := NULL; v_motion := NULL; v_hver := NULL;
        IF v_kind IN ('rule_amendment', 'regulation_amendment') THEN
            IF v_item ? 'motion' THEN
                RAISE EXCEPTION 'invalid_agenda' USING ERRCODE = 'CP422';
            END IF;
            BEGIN
                v_doc := (v_item->>'document')::bigint;
            EXCEPTION WHEN OTHERS THEN
                RAISE EXCEPTION 'invalid_agenda' USING ERRCODE = 'CP422';
            END;
            SELECT h.owner, h.version, h.body INTO v_owner, v_hver, v_hbody
            FROM council.document_head(v_doc) h;
            IF v_doc IS NULL OR v_owner IS NULL THEN
                RAISE EXCEPTION 'document_not_found' USING ERRCODE = 'CP404';
            END IF;
            -- Rules except Annex 1, and the information-management
            -- regulation: the documents the general assembly owns.
            IF v_owner <> 'general_assembly' THEN
                RAISE EXCEPTION 'document_not_owned' USING ERRCODE = 'CP422';
            END IF;
            v_text := council.ga_clean(v_item->>'text', true);
            IF v_text IS NULL OR length(btrim(v_text)) = 0 OR length(v_text) > 500000 THEN
                RAISE EXCEPTION 'invalid_text' USING ERRCODE = 'CP422';
            END IF;
            IF v_text IS NOT DISTINCT FROM v_hbody THEN
                RAISE EXCEPTION 'text_unchanged' USING ERRCODE = 'CP422';
            END IF;
        ELSE
            IF v_item ? 'document' OR v_item ? 'text' THEN
                RAISE EXCEPTION 'invalid_agenda' USING ERRCODE = 'CP422';
            END IF;
            IF v_kind = 'referred_item' THEN
                BEGIN
                    v_motion := (v_item->>'motion')::bigint;
                EXCEPTION WHEN OTHERS THEN
                    RAISE EXCEPTION 'invalid_motion' USING ERRCODE = 'CP422';
                END;
                -- R-GOV-1: an item the committee referred (a passed referral).
                IF v_motion IS NULL
                   OR NOT council.ga_sc_resolution(v_motion, ARRAY['referral']) THEN
                    RAISE EXCEPTION 'committee_decision_required' USING ERRCODE = 'CP422';
                END IF;
            ELSIF v_item ? 'motion' THEN
                RAISE EXCEPTION 'invalid_agenda' USING ERRCODE = 'CP422';
            END IF;
        END IF;
        INSERT INTO council.ga_items (assembly_id, position, kind, title, summary,
                                      document_id, base_version, proposed_text, sc_motion_id)
        VALUES (v_id, v_pos, v_kind, v_title, v_summary, v_doc,
                CASE WHEN v_doc IS NOT NULL THEN coalesce(v_hver, 0) END,
                v_text, v_motion);
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
        RAISE EXCEPTION '%', v_msg USING ERRCODE = v_state, DETAIL = 'item=' || v_pos;
      END;
    END LOOP;

    PERFORM council.audit('ga.convene', 'ga_assembly', v_id,
        jsonb_build_object('kind', p_kind, 'title', p_title, 'starts_at', p_starts_at,
                           'sc_motion', p_sc_motion, 'items', v_pos,
                           'chair', council.ga_is_chair()));
    -- R-GOV-2: notice to every member organisation.
    FOR v_org IN SELECT x FROM council.ga_member_orgs() x ORDER BY x LOOP
        INSERT INTO council.ga_notices (assembly_id, org_id) VALUES (v_id, v_org);
        PERFORM council.audit('ga.notice', 'ga_assembly', v_id,
                              jsonb_build_object('org', v_org));
        v_n := v_n + 1;
    END LOOP;
    RETURN v_id;
END
$$;

-- The assembly a, as the caller sees it, locked, still in session: or the
-- right error.  (For the write functions below.)
CREATE OR REPLACE FUNCTION council.ga_session(a bigint) RETURNS council.ga_assemblies
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    g council.ga_assemblies;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    PERFORM council.ga_close_due();
    SELECT * INTO g FROM council.ga_assemblies WHERE id = a;
    IF g.id IS NULL THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    PERFORM council.ga_lock(a);
    SELECT * INTO g FROM council.ga_assemblies WHERE id = a;
    IF g.status <> 'convened' THEN
        RAISE EXCEPTION 'assembly_closed' USING ERRCODE = 'CP409';
    END IF;
    RETURN g;
END
$$;

-- R-GOV-3: the caller's organisation's administrator designates who acts
-- for it in assembly a (a person of the same organisation, active).
CREATE OR REPLACE FUNCTION council.ga_designate(a bigint, p_person bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me   bigint := council.current_person_id();
    v_org  bigint := council.current_org_id();
BEGIN
    PERFORM council.ga_session(a);
    IF NOT EXISTS (SELECT 1 FROM council.people p
                   WHERE p.id = v_me AND p.is_org_admin AND p.active) THEN
        RAISE EXCEPTION 'not_org_admin' USING ERRCODE = 'CP403';
    END IF;
    -- A person of another organisation is invisible here: like an absent id.
    IF NOT EXISTS (SELECT 1 FROM council.people p
                   WHERE p.id = p_person AND p.org_id = v_org AND p.active) THEN
        RAISE EXCEPTION 'person_not_found' USING ERRCODE = 'CP404';
    END IF;
    INSERT INTO council.ga_representatives (assembly_id, org_id, person_id, designated_by)
    VALUES (a, v_org, p_person, v_me)
    ON CONFLICT (assembly_id, org_id) DO UPDATE
        SET person_id = EXCLUDED.person_id, designated_by = EXCLUDED.designated_by,
            designated_at = now();
    PERFORM council.audit('ga.designate', 'ga_assembly', a,
        jsonb_build_object('org', v_org, 'person', p_person));
END
$$;

------------------------------------------------------------------------
-- Attendance and proxies (R-GOV-3).
------------------------------------------------------------------------

-- The caller's organisation registers its presence (electronic presence),
-- from the start of the session.  Returns false when it was present
-- already.  Attending overrides a proxy the organisation gave.
CREATE OR REPLACE FUNCTION council.ga_attend(a bigint) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    g      council.ga_assemblies;
    v_org  bigint := council.current_org_id();
BEGIN
    g := council.ga_session(a);
    IF now() < g.starts_at THEN
        RAISE EXCEPTION 'not_started' USING ERRCODE = 'CP409';
    END IF;
    IF NOT council.ga_acts_for_org(a) THEN
        RAISE EXCEPTION 'not_representative' USING ERRCODE = 'CP403';
    END IF;
    IF EXISTS (SELECT 1 FROM council.ga_attendance t
               WHERE t.assembly_id = a AND t.org_id = v_org AND t.left_at IS NULL) THEN
        RETURN false;
    END IF;
    INSERT INTO council.ga_attendance (assembly_id, org_id, person_id)
    VALUES (a, v_org, council.current_person_id());
    PERFORM council.audit('ga.attend', 'ga_assembly', a,
        jsonb_build_object('org', v_org,
                           'overrides_proxy', EXISTS (SELECT 1 FROM council.ga_proxies x
                               WHERE x.assembly_id = a AND x.principal_org_id = v_org
                                 AND x.revoked_at IS NULL)));
    RETURN true;
END
$$;

-- The caller's organisation leaves.  Returns false when it was not present.
CREATE OR REPLACE FUNCTION council.ga_leave(a bigint) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_org_id();
BEGIN
    PERFORM council.ga_session(a);
    IF NOT council.ga_acts_for_org(a) THEN
        RAISE EXCEPTION 'not_representative' USING ERRCODE = 'CP403';
    END IF;
    UPDATE council.ga_attendance t SET left_at = now(), left_by = council.current_person_id()
    WHERE t.assembly_id = a AND t.org_id = v_org AND t.left_at IS NULL;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM council.audit('ga.leave', 'ga_assembly', a, jsonb_build_object('org', v_org));
    RETURN true;
END
$$;

-- The caller's organisation gives its proxy (委任状) for assembly a to
-- member organisation p_holder, or to the chair (p_holder NULL).  One hop
-- only: an organisation that holds a proxy cannot give one, and one that
-- gave a proxy cannot hold one (proxy_chain).  One active proxy per
-- organisation (revoke it first).  Returns the proxy's id.
CREATE OR REPLACE FUNCTION council.ga_give_proxy(a bigint, p_holder bigint DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_org_id();
    v_id   bigint;
BEGIN
    PERFORM council.ga_session(a);
    IF NOT council.ga_acts_for_org(a) THEN
        RAISE EXCEPTION 'not_representative' USING ERRCODE = 'CP403';
    END IF;
    IF p_holder IS NOT NULL THEN
        IF p_holder = v_org THEN
            RAISE EXCEPTION 'proxy_to_self' USING ERRCODE = 'CP422';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM council.organisations o
                       WHERE o.id = p_holder AND o.status = 'member') THEN
            RAISE EXCEPTION 'holder_not_found' USING ERRCODE = 'CP404';
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM council.ga_proxies x
               WHERE x.assembly_id = a AND x.principal_org_id = v_org AND x.revoked_at IS NULL) THEN
        RAISE EXCEPTION 'proxy_exists' USING ERRCODE = 'CP409';
    END IF;
    -- One hop: the giver holds nothing, the holder gave nothing.
    IF EXISTS (SELECT 1 FROM council.ga_proxies x
               WHERE x.assembly_id = a AND x.revoked_at IS NULL
                 AND (x.holder_org_id = v_org
                      OR (p_holder IS NOT NULL AND x.principal_org_id = p_holder))) THEN
        RAISE EXCEPTION 'proxy_chain' USING ERRCODE = 'CP409';
    END IF;
    INSERT INTO council.ga_proxies (assembly_id, principal_org_id, holder_org_id, to_chair,
                                    given_by)
    VALUES (a, v_org, p_holder, p_holder IS NULL, council.current_person_id())
    RETURNING id INTO v_id;
    PERFORM council.audit('ga.proxy', 'ga_assembly', a,
        jsonb_build_object('proxy', v_id, 'org', v_org, 'holder', p_holder,
                           'to_chair', p_holder IS NULL));
    RETURN v_id;
END
$$;

-- The caller's organisation revokes its proxy: only while no poll of the
-- assembly is open.
CREATE OR REPLACE FUNCTION council.ga_revoke_proxy(a bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_org_id();
    v_id   bigint;
BEGIN
    PERFORM council.ga_session(a);
    IF NOT council.ga_acts_for_org(a) THEN
        RAISE EXCEPTION 'not_representative' USING ERRCODE = 'CP403';
    END IF;
    IF EXISTS (SELECT 1 FROM council.ga_items i WHERE i.assembly_id = a AND i.status = 'open') THEN
        RAISE EXCEPTION 'poll_open' USING ERRCODE = 'CP409';
    END IF;
    UPDATE council.ga_proxies x SET revoked_at = now(), revoked_by = council.current_person_id()
    WHERE x.assembly_id = a AND x.principal_org_id = v_org AND x.revoked_at IS NULL
    RETURNING x.id INTO v_id;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'no_proxy' USING ERRCODE = 'CP409';
    END IF;
    PERFORM council.audit('ga.proxy.revoke', 'ga_assembly', a,
        jsonb_build_object('proxy', v_id, 'org', v_org));
END
$$;

------------------------------------------------------------------------
-- Polls and ballots (R-GOV-3, R-GOV-4).
------------------------------------------------------------------------

-- The chair opens the poll on item p until p_closes_at (in the future,
-- within 30 days).  Not on a report; one poll at a time; an amendment only
-- while its document is still at the version it amends; and only with a
-- quorum (R-GOV-3), which is frozen here with the rule version.  Returns
-- {"numerator", "denominator"} of the quorum.
CREATE OR REPLACE FUNCTION council.ga_open_poll(p bigint, p_closes_at timestamptz)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    i          council.ga_items;
    g          council.ga_assemblies;
    r          council.decision_rules;
    v_members  bigint;
    v_att      bigint;
    v_present  bigint;
    v_base     bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT * INTO i FROM council.ga_items WHERE id = p;
    IF i.id IS NULL THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    IF NOT council.ga_may_preside() THEN
        RAISE EXCEPTION 'not_chair' USING ERRCODE = 'CP403';
    END IF;
    g := council.ga_session(i.assembly_id);
    SELECT * INTO i FROM council.ga_items WHERE id = p;
    IF now() < g.starts_at THEN
        RAISE EXCEPTION 'not_started' USING ERRCODE = 'CP409';
    END IF;
    IF i.kind = 'report' THEN
        RAISE EXCEPTION 'report_not_voted' USING ERRCODE = 'CP422';
    END IF;
    IF i.status <> 'pending' THEN
        RAISE EXCEPTION 'poll_not_pending' USING ERRCODE = 'CP409';
    END IF;
    IF EXISTS (SELECT 1 FROM council.ga_items x
               WHERE x.assembly_id = i.assembly_id AND x.status = 'open') THEN
        RAISE EXCEPTION 'poll_open' USING ERRCODE = 'CP409';
    END IF;
    IF p_closes_at IS NULL OR p_closes_at <= now() OR p_closes_at > now() + interval '30 days' THEN
        RAISE EXCEPTION 'invalid_closes_at' USING ERRCODE = 'CP422';
    END IF;
    IF i.document_id IS NOT NULL
       AND coalesce((council.document_head(i.document_id)).version, 0) <> i.base_version THEN
        RAISE EXCEPTION 'document_changed' USING ERRCODE = 'CP409';
    END IF;
    r := council.decision_rule('ga.resolution');     -- R-GOV-3, R-GOV-4
    IF r.id IS NULL THEN
        RAISE EXCEPTION 'no_rule' USING ERRCODE = 'CP409';
    END IF;
    SELECT count(*) INTO v_members FROM council.ga_member_orgs();
    SELECT count(*), count(*) FILTER (WHERE a.attended_as = 'present')
    INTO v_att, v_present FROM council.ga_attending(i.assembly_id) a;
    v_base := CASE r.quorum_base WHEN 'all_members' THEN v_members
                                 WHEN 'attending' THEN v_att END;
    -- R-GOV-3: no quorum, no poll.
    IF r.quorum_base IS NOT NULL
       AND NOT council.decision_meets(v_att, r.quorum_cmp, r.quorum_num, r.quorum_den,
                                      v_base) THEN
        RAISE EXCEPTION 'no_quorum' USING ERRCODE = 'CP409',
            DETAIL = format('%s of %s attending', v_att, v_base);
    END IF;
    UPDATE council.ga_items
    SET status = 'open', rule_id = r.id, opened_by = council.current_person_id(),
        opened_at = now(), closes_at = p_closes_at, quorum_open_num = v_att,
        quorum_open_den = coalesce(v_base, v_members)
    WHERE id = p;
    PERFORM council.audit('ga.poll.open', 'ga_assembly', i.assembly_id,
        jsonb_build_object('item', p, 'closes_at', p_closes_at, 'rule_code', r.code,
                           'rule_version', r.version, 'members', v_members,
                           'attending', v_att, 'present', v_present,
                           'by_proxy', v_att - v_present,
                           'quorum_numerator', v_att, 'quorum_denominator', v_base));
    RETURN jsonb_build_object('numerator', v_att, 'denominator', v_base);
END
$$;

-- Vote on the open poll p: for the caller's own organisation (p_for NULL
-- or its own id), as its representative, while it is present; or for
-- organisation p_for whose proxy the caller's organisation holds (as its
-- representative, while present: R-GOV-3, a proxy is exercised only by a
-- present holder, though it counts toward the quorum without one) or the
-- chair holds (the chair; even for the chair's own organisation), while
-- the principal is not present (attending overrides the proxy).  One
-- ballot per organisation; voting again adds a version (every version is
-- kept) until the close.  Returns {"item", "org", "version", "receipt"}:
-- keep the receipt to check the ballot after the close.
CREATE OR REPLACE FUNCTION council.ga_vote(p bigint, p_choice text, p_for bigint DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me       bigint := council.current_person_id();
    v_myorg    bigint := council.current_org_id();
    i          council.ga_items;
    v_org      bigint;
    v_cap      council.ga_capacity;
    x          council.ga_proxies;
    v_choice   council.ga_choice;
    v_version  integer;
    v_receipt  bytea;
BEGIN
    IF v_me IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    PERFORM council.ga_close_due();
    SELECT * INTO i FROM council.ga_items WHERE id = p;
    IF i.id IS NULL THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    PERFORM council.ga_lock(i.assembly_id);
    SELECT * INTO i FROM council.ga_items WHERE id = p;
    IF i.status = 'closed' OR (i.status = 'open' AND i.closes_at <= now()) THEN
        RAISE EXCEPTION 'poll_closed' USING ERRCODE = 'CP409';
    END IF;
    IF i.status <> 'open' THEN
        RAISE EXCEPTION 'poll_not_open' USING ERRCODE = 'CP409';
    END IF;
    IF p_choice IS NULL OR p_choice NOT IN ('yes', 'no', 'abstain') THEN
        RAISE EXCEPTION 'invalid_choice' USING ERRCODE = 'CP422';
    END IF;
    v_choice := p_choice::council.ga_choice;
    v_org := coalesce(p_for, v_myorg);

    IF v_org = v_myorg AND council.ga_acts_for_org(i.assembly_id) THEN
        IF NOT EXISTS (SELECT 1 FROM council.ga_attending(i.assembly_id) a
                       WHERE a.org_id = v_org AND a.attended_as = 'present') THEN
            RAISE EXCEPTION 'not_present' USING ERRCODE = 'CP409';
        END IF;
        v_cap := 'representative';
    ELSE
        SELECT * INTO x FROM council.ga_proxies y
        WHERE y.assembly_id = i.assembly_id AND y.principal_org_id = v_org
          AND y.revoked_at IS NULL;
        IF x.id IS NULL
           OR (x.to_chair AND NOT council.ga_is_chair())
           OR (NOT x.to_chair AND x.holder_org_id IS DISTINCT FROM v_myorg) THEN
            -- For one's own organisation: only its representative.
            IF v_org = v_myorg THEN
                RAISE EXCEPTION 'not_representative' USING ERRCODE = 'CP403';
            END IF;
            RAISE EXCEPTION 'no_proxy' USING ERRCODE = 'CP403';
        END IF;
        IF NOT x.to_chair THEN
            IF NOT council.ga_acts_for_org(i.assembly_id) THEN
                RAISE EXCEPTION 'not_representative' USING ERRCODE = 'CP403';
            END IF;
            -- R-GOV-3: only a holder who is present exercises a proxy.
            IF NOT EXISTS (SELECT 1 FROM council.ga_attending(i.assembly_id) a
                           WHERE a.org_id = v_myorg AND a.attended_as = 'present') THEN
                RAISE EXCEPTION 'not_present' USING ERRCODE = 'CP409';
            END IF;
        END IF;
        IF EXISTS (SELECT 1 FROM council.ga_attending(i.assembly_id) a
                   WHERE a.org_id = v_org AND a.attended_as = 'present') THEN
            RAISE EXCEPTION 'proxy_overridden' USING ERRCODE = 'CP409';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM council.ga_attending(i.assembly_id) a
                       WHERE a.org_id = v_org AND a.proxy_id = x.id) THEN
            RAISE EXCEPTION 'no_proxy' USING ERRCODE = 'CP403';
        END IF;
        v_cap := CASE WHEN x.to_chair THEN 'chair' ELSE 'proxy' END;
    END IF;

    SELECT z.o_version, z.o_receipt INTO v_version, v_receipt
    FROM council.ga_seal(p, v_org, v_choice) z;
    INSERT INTO council.ga_ballots (item_id, org_id, version, choice, capacity, proxy_id,
                                    cast_by, cast_by_org, receipt)
    VALUES (p, v_org, v_version, v_choice, v_cap, x.id, v_me, v_myorg, v_receipt);
    -- The audit row commits to the ballot (its receipt) without telling
    -- the choice before the close.
    PERFORM council.audit('ga.ballot', 'ga_assembly', i.assembly_id,
        jsonb_build_object('item', p, 'org', v_org, 'version', v_version,
                           'capacity', v_cap, 'receipt', encode(v_receipt, 'hex')));
    RETURN jsonb_build_object('item', p, 'org', v_org, 'version', v_version,
                              'receipt', encode(v_receipt, 'hex'));
END
$$;

-- The chair closes the session: not while a poll is open.  Reports are
-- then heard; items never put to the vote are not taken.
CREATE OR REPLACE FUNCTION council.ga_close_assembly(a bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.ga_assemblies g WHERE g.id = a) THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    IF NOT council.ga_may_preside() THEN
        RAISE EXCEPTION 'not_chair' USING ERRCODE = 'CP403';
    END IF;
    PERFORM council.ga_session(a);
    IF EXISTS (SELECT 1 FROM council.ga_items i WHERE i.assembly_id = a AND i.status = 'open') THEN
        RAISE EXCEPTION 'poll_open' USING ERRCODE = 'CP409';
    END IF;
    UPDATE council.ga_items i
    SET status = CASE WHEN i.kind = 'report' THEN 'heard' ELSE 'not_taken' END::council.ga_item_status
    WHERE i.assembly_id = a AND i.status = 'pending';
    UPDATE council.ga_assemblies g
    SET status = 'closed', closed_at = now(), closed_by = council.current_person_id()
    WHERE g.id = a;
    PERFORM council.audit('ga.close', 'ga_assembly', a,
        jsonb_build_object('chair', council.ga_is_chair()));
END
$$;

------------------------------------------------------------------------
-- The JSON API's rows (docs/api.md), council.api__<name>(request), reached
-- through the door council.api_call (policy/15_api.sql): they raise, the
-- door answers (status, body), and a refused call changes nothing.
-- SECURITY INVOKER: they call the assembly's functions above as council_app would.
------------------------------------------------------------------------

-- POST /api/v1/assemblies {kind, title, starts_at, agenda, sc_motion}.
CREATE OR REPLACE FUNCTION council.api__ga_convene(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb := council.api_args(r->>'body', '{"kind": "string", "title": "string",
        "starts_at": "string", "agenda": "array", "sc_motion": "number"}');
BEGIN
    status := 201;
    body := json_build_object('id', council.ga_convene(a->>'kind', a->>'title',
        (a->>'starts_at')::timestamptz, nullif(a->'agenda', 'null'),
        (a->>'sc_motion')::bigint))::text;
END
$$;

-- POST /api/v1/assemblies/N {"action": attend | leave | designate (person)
-- | proxy (holder: an organisation, or none for the chair) | revoke_proxy
-- | close}: answers {"ok": true}.
CREATE OR REPLACE FUNCTION council.api__ga_act(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    p  bigint := (r->>'id')::bigint;
    a  jsonb := council.api_args(r->>'body',
        '{"action": "string", "person": "number", "holder": "number"}');
BEGIN
    CASE a->>'action'
    WHEN 'attend' THEN PERFORM council.ga_attend(p);
    WHEN 'leave' THEN PERFORM council.ga_leave(p);
    WHEN 'designate' THEN PERFORM council.ga_designate(p, (a->>'person')::bigint);
    WHEN 'proxy' THEN PERFORM council.ga_give_proxy(p, (a->>'holder')::bigint);
    WHEN 'revoke_proxy' THEN PERFORM council.ga_revoke_proxy(p);
    WHEN 'close' THEN PERFORM council.ga_close_assembly(p);
    ELSE
        RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
    END CASE;
    status := 200;
    body := '{"ok":true}';
END
$$;

-- POST /api/v1/polls/N {"action": open (closes_at) | vote (choice, for) |
-- remind}: answers the poll as council.ga_poll shows it; remind answers
-- what council.ga_send_reminders did ({"item", "organisations", "people"}).
-- The actions that change no poll (remind) change nothing when refused.
CREATE OR REPLACE FUNCTION council.api__ga_poll_act(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    p  bigint := (r->>'id')::bigint;
    a  jsonb := council.api_args(r->>'body', '{"action": "string", "closes_at": "string",
        "choice": "string", "for": "number"}');
BEGIN
    CASE a->>'action'
    WHEN 'open' THEN PERFORM council.ga_open_poll(p, (a->>'closes_at')::timestamptz);
    WHEN 'vote' THEN PERFORM council.ga_vote(p, a->>'choice', (a->>'for')::bigint);
    WHEN 'remind' THEN body := council.ga_send_reminders(p)::text;
    ELSE
        RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
    END CASE;
    status := 200;
    body := coalesce(body, council.ga_poll(p)::text);
END
$$;

------------------------------------------------------------------------
-- Policies (R-GOV-8: proceedings to member organisations' people only).
------------------------------------------------------------------------

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ga_assemblies', 'ga_items', 'ga_notices', 'ga_attendance',
                             'ga_proxies', 'ga_tally']
    LOOP
        EXECUTE format('CREATE POLICY ga_members_read ON council.%I FOR SELECT '
                       'TO council_app, council_writer '
                       'USING ((SELECT me.person_id FROM council.me) IS NOT NULL)', t);
    END LOOP;
END $$;

-- Whom an organisation designated is its own affair (the minutes say
-- only that it designated someone).
CREATE POLICY ga_representatives_read ON council.ga_representatives FOR SELECT
    TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me));

-- A ballot: its organisation, whoever cast it (a proxy holder, the chair)
-- and, once its poll is counted, every member (votes are named).
CREATE POLICY ga_ballots_read ON council.ga_ballots FOR SELECT TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me)
           OR (capacity = 'proxy' AND cast_by_org = (SELECT me.org_id FROM council.me))
           OR cast_by = (SELECT me.person_id FROM council.me)
           OR ((SELECT me.person_id FROM council.me) IS NOT NULL
               AND EXISTS (SELECT 1 FROM council.ga_items i
                           WHERE i.id = item_id AND i.status = 'closed')));
CREATE POLICY ga_ballots_insert ON council.ga_ballots FOR INSERT TO council_writer
    WITH CHECK (cast_by = (SELECT me.person_id FROM council.me)
                AND cast_by_org = (SELECT me.org_id FROM council.me));

-- The chair's acts.
CREATE POLICY ga_assemblies_chair ON council.ga_assemblies FOR INSERT TO council_writer
    WITH CHECK ((SELECT council.ga_may_preside())
                AND convened_by = (SELECT me.person_id FROM council.me));
CREATE POLICY ga_assemblies_chair_update ON council.ga_assemblies FOR UPDATE TO council_writer
    USING ((SELECT council.ga_may_preside()))
    WITH CHECK ((SELECT council.ga_may_preside()));
CREATE POLICY ga_items_chair ON council.ga_items FOR INSERT TO council_writer
    WITH CHECK ((SELECT council.ga_may_preside()));
CREATE POLICY ga_items_chair_update ON council.ga_items FOR UPDATE TO council_writer
    USING ((SELECT council.ga_may_preside()))
    WITH CHECK ((SELECT council.ga_may_preside()));
CREATE POLICY ga_notices_chair ON council.ga_notices FOR INSERT TO council_writer
    WITH CHECK ((SELECT council.ga_may_preside()));

-- An organisation's own acts.
CREATE POLICY ga_representatives_own ON council.ga_representatives FOR INSERT TO council_writer
    WITH CHECK (org_id = (SELECT me.org_id FROM council.me)
                AND designated_by = (SELECT me.person_id FROM council.me));
CREATE POLICY ga_representatives_own_update ON council.ga_representatives FOR UPDATE
    TO council_writer
    USING (org_id = (SELECT me.org_id FROM council.me))
    WITH CHECK (org_id = (SELECT me.org_id FROM council.me)
                AND designated_by = (SELECT me.person_id FROM council.me));
CREATE POLICY ga_attendance_own ON council.ga_attendance FOR INSERT TO council_writer
    WITH CHECK (org_id = (SELECT me.org_id FROM council.me)
                AND person_id = (SELECT me.person_id FROM council.me));
CREATE POLICY ga_attendance_own_update ON council.ga_attendance FOR UPDATE TO council_writer
    USING (org_id = (SELECT me.org_id FROM council.me))
    WITH CHECK (org_id = (SELECT me.org_id FROM council.me)
                AND left_by = (SELECT me.person_id FROM council.me));
CREATE POLICY ga_proxies_own ON council.ga_proxies FOR INSERT TO council_writer
    WITH CHECK (principal_org_id = (SELECT me.org_id FROM council.me)
                AND given_by = (SELECT me.person_id FROM council.me));
CREATE POLICY ga_proxies_own_update ON council.ga_proxies FOR UPDATE TO council_writer
    USING (principal_org_id = (SELECT me.org_id FROM council.me))
    WITH CHECK (principal_org_id = (SELECT me.org_id FROM council.me)
                AND revoked_by = (SELECT me.person_id FROM council.me));
-- ga_ballot_salts: no policy for council_app or council_writer (and no
-- grant): only council_definer reads it (definer_all, policy/10_identity).

-- Close the due polls before membership or the committee changes.
DROP TRIGGER IF EXISTS ga_close_due ON council.organisations;
CREATE TRIGGER ga_close_due BEFORE INSERT OR UPDATE OF status ON council.organisations
    FOR EACH STATEMENT EXECUTE FUNCTION council.ga_close_due_trigger();
DROP TRIGGER IF EXISTS ga_close_due ON council.people;
CREATE TRIGGER ga_close_due BEFORE UPDATE OF org_id ON council.people
    FOR EACH STATEMENT EXECUTE FUNCTION council.ga_close_due_trigger();
DROP TRIGGER IF EXISTS ga_close_due ON council.committee_members;
CREATE TRIGGER ga_close_due BEFORE INSERT OR UPDATE OR DELETE ON council.committee_members
    FOR EACH STATEMENT EXECUTE FUNCTION council.ga_close_due_trigger();

------------------------------------------------------------------------
-- Owners and grants.
------------------------------------------------------------------------

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.ga_convene(text, text, timestamptz, jsonb, bigint) OWNER TO council_writer;
ALTER FUNCTION council.ga_designate(bigint, bigint) OWNER TO council_writer;
ALTER FUNCTION council.ga_attend(bigint) OWNER TO council_writer;
ALTER FUNCTION council.ga_leave(bigint) OWNER TO council_writer;
ALTER FUNCTION council.ga_give_proxy(bigint, bigint) OWNER TO council_writer;
ALTER FUNCTION council.ga_revoke_proxy(bigint) OWNER TO council_writer;
ALTER FUNCTION council.ga_open_poll(bigint, timestamptz) OWNER TO council_writer;
ALTER FUNCTION council.ga_vote(bigint, text, bigint) OWNER TO council_writer;
ALTER FUNCTION council.ga_close_assembly(bigint) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.ga_is_chair() OWNER TO council_definer;
ALTER FUNCTION council.ga_may_preside() OWNER TO council_definer;
ALTER FUNCTION council.ga_acts_for_org(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ga_member_orgs() OWNER TO council_definer;
ALTER FUNCTION council.ga_attending(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ga_sc_resolution(bigint, text[]) OWNER TO council_definer;
ALTER FUNCTION council.ga_referrable_motions() OWNER TO council_definer;
ALTER FUNCTION council.ga_seal(bigint, bigint, council.ga_choice)
    OWNER TO council_definer;
ALTER FUNCTION council.ga_close_item(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ga_close_due() OWNER TO council_definer;
ALTER FUNCTION council.ga_close_due_trigger() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
-- Internal helpers: not for councild.
REVOKE ALL ON FUNCTION council.ga_seal(bigint, bigint, council.ga_choice),
    council.ga_close_item(bigint), council.ga_attending(bigint),
    council.ga_acts_for_org(bigint),
    council.ga_session(bigint), council.ga_lock(bigint), council.ga_close_due_trigger(),
    council.ga_member_orgs(), council.ga_sc_resolution(bigint, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.ga_seal(bigint, bigint, council.ga_choice),
    council.ga_attending(bigint), council.ga_acts_for_org(bigint),
    council.ga_session(bigint), council.ga_lock(bigint),
    council.ga_member_orgs(), council.ga_sc_resolution(bigint, text[]) TO council_writer;
GRANT EXECUTE ON FUNCTION council.ga_lock(bigint), council.ga_close_item(bigint)
    TO council_definer;
