-- policy/74_tf_status.sql: joining the task force and the status review
-- (issue 5; migrations/0016_tf_status.sql; docs/governance.md "Task-force
-- admission and review").  Re-applied by "councilctl migrate".
--
--   tf_apply       R-TF-3, R-TF-4: a member applies for Type 1 or Type 2
--   tf_open        the Type 1 group's poll opens (the TF's secretariat)
--   tf_vote        R-TF-2: one vote per Type 1 group organisation
--   tf_close_due   the count, by the server at the set time
--   tf_review      R-TF-5: the figures against the thresholds; a
--                  revocation poll for a member below them
--   tf_propose_amendment  R-TF-9: the task force amends its own rules
--   tf_decision    one decision, for its readers

-- R-TF-2: the Type 1 group: JPCERT/CC and the Type 1 members (members,
-- not restricted).
CREATE OR REPLACE FUNCTION council.tf_group() RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT o.id FROM council.organisations o
    WHERE o.status = 'member' AND NOT o.restricted
      AND (o.council_role = 'coordinator' OR o.tf_class = 'type1')
$$;

-- Who runs the TF's polls: the coordinator (JPCERT/CC) or the
-- secretariat (TF rules Art. 9: NISC keeps the TF's general affairs).
CREATE OR REPLACE FUNCTION council.tf_may_run() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT coalesce((SELECT me.is_coordinator OR me.is_secretariat FROM council.me), false)
$$;

-- R-TF-3: the caller's organisation applies for p_class ('type1' or
-- 'type2'), by an administrator; nobody applies for another.  R-TF-4: a
-- foreign-status member without the committee's special approval is
-- refused at once, the application kept with the reason.  Returns the id.
CREATE OR REPLACE FUNCTION council.tf_apply(p_class text, p_statement text DEFAULT '')
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me   bigint := council.current_person_id();
    o      council.organisations;
    v_id   bigint;
BEGIN
    IF v_me IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.people p WHERE p.id = v_me AND p.is_org_admin AND p.active) THEN
        RAISE EXCEPTION 'not_org_admin' USING ERRCODE = 'CP403';
    END IF;
    SELECT * INTO o FROM council.organisations WHERE id = council.current_org_id();
    IF p_class IS NULL OR p_class NOT IN ('type1', 'type2') THEN
        RAISE EXCEPTION 'invalid_class' USING ERRCODE = 'CP422';
    END IF;
    p_statement := coalesce(p_statement, '');
    IF length(p_statement) > 4000 OR p_statement ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_statement' USING ERRCODE = 'CP422';
    END IF;
    IF o.council_role IS NOT NULL OR o.tf_class::text = p_class THEN
        RAISE EXCEPTION 'already_in_class' USING ERRCODE = 'CP409';
    END IF;
    IF EXISTS (SELECT 1 FROM council.tf_decisions d
               WHERE d.org_id = o.id AND d.status IN ('pending', 'open')) THEN
        RAISE EXCEPTION 'decision_pending' USING ERRCODE = 'CP409';
    END IF;
    INSERT INTO council.tf_decisions (kind, org_id, tf_class, statement, status, refusal, created_by)
    VALUES ('admission', o.id, p_class::council.tf_class, p_statement,
            CASE WHEN o.foreign_status AND NOT o.foreign_approved THEN 'refused' ELSE 'pending' END,
            CASE WHEN o.foreign_status AND NOT o.foreign_approved
                 THEN 'R-TF-4: foreign status without the steering committee''s special approval' END,
            v_me)
    RETURNING id INTO v_id;
    PERFORM council.audit('tf.apply', 'tf_decision', v_id,
        jsonb_build_object('class', p_class, 'org', o.id,
                           'refused', o.foreign_status AND NOT o.foreign_approved));
    RETURN v_id;
END
$$;

-- The TF's secretariat opens decision p until p_closes_at (future, at most
-- 30 days); the rule version in force is fixed on it.
CREATE OR REPLACE FUNCTION council.tf_open(p bigint, p_closes_at timestamptz) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    d  council.tf_decisions;
    r  council.decision_rules;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT * INTO d FROM council.tf_decisions WHERE id = p FOR UPDATE;
    IF d.id IS NULL OR NOT (council.tf_may_run() OR council.current_org_id() IN (SELECT council.tf_group())
                            OR council.current_org_id() = d.org_id) THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    IF NOT council.tf_may_run() THEN
        RAISE EXCEPTION 'not_tf_secretariat' USING ERRCODE = 'CP403';
    END IF;
    IF d.status <> 'pending' THEN
        RAISE EXCEPTION 'not_pending' USING ERRCODE = 'CP409';
    END IF;
    IF p_closes_at IS NULL OR p_closes_at <= now() OR p_closes_at > now() + interval '30 days' THEN
        RAISE EXCEPTION 'invalid_closes_at' USING ERRCODE = 'CP422';
    END IF;
    -- An amendment is voted on only against the text in force.
    IF d.kind = 'rules_amendment'
       AND (council.document_head(d.document_id)).version IS DISTINCT FROM d.base_version THEN
        RAISE EXCEPTION 'document_changed' USING ERRCODE = 'CP409';
    END IF;
    -- The TF's rule in force (R-TF-9: its own, stored as data), counted
    -- over the Type 1 group and those who took part.
    r := council.decision_rule_for('tf.admission', 'task_force',
        ARRAY['type1_group']::council.count_base[], ARRAY['attending']::council.count_base[],
        'no_rule_in_force');
    UPDATE council.tf_decisions
    SET status = 'open', opened_by = council.current_person_id(), opened_at = now(),
        closes_at = p_closes_at, rule_id = r.id
    WHERE id = p;
    PERFORM council.audit('tf.open', 'tf_decision', p, jsonb_build_object('closes_at', p_closes_at));
END
$$;

-- Count decision p (open and due): the Type 1 group at the close, less the
-- member it is about (R-TF-3: no vote on one's own status); each
-- organisation's newest vote.  Quorum: votes cast > quorum num/den of the
-- group; passes: yes > pass num/den of the votes cast (the rule's
-- "attending": those who took part).  The effect: the class, or none.
CREATE OR REPLACE FUNCTION council.tf__close(p bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    d       council.tf_decisions;
    r       council.decision_rules;
    v_grp   bigint;
    v_cast  bigint;
    v_yes   bigint;
    v_no    bigint;
    v_abs   bigint;
    v_q     boolean;
    v_p     boolean;
    v_res   jsonb;
BEGIN
    SELECT * INTO d FROM council.tf_decisions WHERE id = p;
    SELECT * INTO r FROM council.decision_rules WHERE id = d.rule_id;
    SELECT count(*) INTO v_grp FROM council.tf_group() g WHERE g IS DISTINCT FROM d.org_id;
    SELECT count(*), count(*) FILTER (WHERE b.choice = 'yes'), count(*) FILTER (WHERE b.choice = 'no'),
           count(*) FILTER (WHERE b.choice = 'abstain')
    INTO v_cast, v_yes, v_no, v_abs
    FROM (SELECT DISTINCT ON (x.org_id) x.choice FROM council.tf_ballots x
          WHERE x.decision_id = p AND x.org_id IN (SELECT council.tf_group())
            AND x.org_id IS DISTINCT FROM d.org_id
          ORDER BY x.org_id, x.version DESC) b;
    v_q := v_grp > 0
           AND council.decision_meets(v_cast, r.quorum_cmp, r.quorum_num, r.quorum_den, v_grp);
    v_p := v_cast > 0
           AND council.decision_meets(v_yes, r.pass_cmp, r.pass_num, r.pass_den, v_cast);
    v_res := jsonb_build_object(
        'rule_code', r.code, 'rule_version', r.version, 'rule_source', r.source,
        'quorum', jsonb_build_object('numerator', v_cast, 'denominator', v_grp, 'met', v_q,
                                     'cmp', r.quorum_cmp, 'num', r.quorum_num, 'den', r.quorum_den),
        'pass', jsonb_build_object('numerator', v_yes, 'denominator', v_cast, 'met', v_p,
                                   'cmp', r.pass_cmp, 'num', r.pass_num, 'den', r.pass_den),
        'yes', v_yes, 'no', v_no, 'abstain', v_abs, 'group', v_grp,
        'passed', v_q AND v_p,
        'reason', CASE WHEN NOT v_q THEN 'no_quorum' WHEN NOT v_p THEN 'no_majority' ELSE 'passed' END,
        'closed_at', d.closes_at);
    UPDATE council.tf_decisions
    SET status = CASE WHEN v_q AND v_p THEN 'passed' ELSE 'failed' END,
        closed_at = d.closes_at, result = v_res
    WHERE id = p;
    IF v_q AND v_p AND d.kind = 'rules_amendment' THEN
        -- R-TF-9: the new text is the next version, unless the document
        -- moved meanwhile (then nothing is adopted; the result says so).
        IF (council.document_head(d.document_id)).version = d.base_version THEN
            INSERT INTO council.document_versions (document_id, version, body, effective_from,
                                                   adopted_by_tf)
            VALUES (d.document_id, d.base_version + 1, d.proposed_text, now(), p);
            v_res := v_res || jsonb_build_object('adopted_version', d.base_version + 1);
            PERFORM council.audit('document.version', 'document', d.document_id,
                jsonb_build_object('version', d.base_version + 1, 'tf_decision', p));
        ELSE
            v_res := v_res || jsonb_build_object('adopted_version', NULL, 'why', 'document_changed');
        END IF;
        UPDATE council.tf_decisions SET result = v_res WHERE id = p;
    ELSIF v_q AND v_p THEN
        UPDATE council.organisations
        SET tf_class = CASE WHEN d.kind = 'admission' THEN d.tf_class ELSE 'none' END
        WHERE id = d.org_id AND status = 'member';
    END IF;
    PERFORM council.audit('tf.count', 'tf_decision', p, v_res);
END
$$;

-- Lock decision p and count it if it is still open and due; whether it
-- did.  A decision another transaction holds is left to the next round
-- (SKIP LOCKED: the clock never waits for a vote).  The closer of
-- policy/65_decisions.sql's loop.
CREATE OR REPLACE FUNCTION council.tf__close_if_due(p bigint) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    PERFORM 1 FROM council.tf_decisions
    WHERE id = p AND status = 'open' AND closes_at <= now()
    FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM council.tf__close(p);
    RETURN true;
END
$$;

-- Close every due TF poll, by closing time (council.gov_close_due calls
-- it: councild's clock; and every read and vote here first).  No
-- identity: the count names no person (policy/65_decisions.sql).
CREATE OR REPLACE FUNCTION council.tf_close_due() RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN council.decision_close_due(ARRAY(
        SELECT id FROM council.tf_decisions
        WHERE status = 'open' AND closes_at <= now() ORDER BY closes_at, id),
        'council.tf__close_if_due');
END
$$;

-- R-TF-2, R-TF-3: the caller's organisation (in the Type 1 group, not
-- the member concerned) votes on open decision p, by an administrator or
-- a registered handler; changeable until the close, every version kept.
-- Returns the version.
CREATE OR REPLACE FUNCTION council.tf_vote(p bigint, p_choice text) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me   bigint := council.current_person_id();
    v_org  bigint := council.current_org_id();
    d      council.tf_decisions;
    v      integer;
BEGIN
    IF v_me IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    PERFORM council.tf_close_due();
    SELECT * INTO d FROM council.tf_decisions WHERE id = p FOR UPDATE;
    IF d.id IS NULL OR NOT (council.tf_may_run() OR v_org IN (SELECT council.tf_group())
                            OR v_org = d.org_id) THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    IF v_org NOT IN (SELECT council.tf_group()) THEN
        RAISE EXCEPTION 'not_type1_group' USING ERRCODE = 'CP403';
    END IF;
    IF v_org = d.org_id THEN
        RAISE EXCEPTION 'own_decision' USING ERRCODE = 'CP403';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.people x WHERE x.id = v_me AND x.active
                   AND (x.is_org_admin OR EXISTS (SELECT 1 FROM council.handler_registrations h
                                                  WHERE h.person_id = x.id
                                                    AND h.deregistered_at IS NULL))) THEN
        RAISE EXCEPTION 'not_representative' USING ERRCODE = 'CP403';
    END IF;
    IF d.status <> 'open' THEN
        RAISE EXCEPTION 'poll_not_open' USING ERRCODE = 'CP409';
    END IF;
    IF p_choice IS NULL OR p_choice NOT IN ('yes', 'no', 'abstain') THEN
        RAISE EXCEPTION 'invalid_choice' USING ERRCODE = 'CP422';
    END IF;
    SELECT coalesce(max(b.version), 0) + 1 INTO v FROM council.tf_ballots b
    WHERE b.decision_id = p AND b.org_id = v_org;
    INSERT INTO council.tf_ballots (decision_id, org_id, version, choice, person_id)
    VALUES (p, v_org, v, p_choice::council.sc_choice, v_me);
    PERFORM council.audit('tf.ballot', 'tf_decision', p,
        jsonb_build_object('org', v_org, 'version', v, 'choice', p_choice));
    RETURN v;
END
$$;

-- Decision p for the caller (closed first if due): the Type 1 group, the
-- TF's secretariat and the member concerned (R-TF-9: non-public); CP404
-- for anyone else.
CREATE OR REPLACE FUNCTION council.tf_decision(p bigint) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_org_id();
    d      council.tf_decisions;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    PERFORM council.tf_close_due();
    SELECT * INTO d FROM council.tf_decisions WHERE id = p;
    IF d.id IS NULL OR NOT (council.tf_may_run() OR v_org IN (SELECT council.tf_group())
                            OR v_org = d.org_id) THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN jsonb_build_object('id', d.id, 'kind', d.kind, 'org', d.org_id, 'class', d.tf_class,
        'statement', d.statement, 'status', d.status, 'refusal', d.refusal,
        'document', d.document_id, 'base_version', d.base_version,
        'review', d.review_id, 'created_at', d.created_at, 'opened_at', d.opened_at,
        'closes_at', d.closes_at, 'closed_at', d.closed_at, 'result', d.result,
        'my_vote', (SELECT jsonb_build_object('choice', b.choice, 'version', b.version)
                    FROM council.tf_ballots b WHERE b.decision_id = p AND b.org_id = v_org
                    ORDER BY b.version DESC LIMIT 1));
END
$$;

-- R-TF-5: a status review over [p_from, p_to) by the TF's secretariat:
-- every TF member's figures (original posts; feedback owed, on time)
-- against the thresholds in force, and for each member below them a
-- revocation decision (pending, to be opened like an admission).  Returns
-- the review: {"id", "lines": [{"org", "class", "originals", "due",
-- "on_time", "meets", "decision"}]}.
CREATE OR REPLACE FUNCTION council.tf_review(p_from timestamptz, p_to timestamptz) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    t      council.tf_thresholds;
    v_id   bigint;
    v_lines jsonb;
    l      jsonb;
    v_dec  bigint;
    v_out  jsonb := '[]';
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.tf_may_run() THEN
        RAISE EXCEPTION 'not_tf_secretariat' USING ERRCODE = 'CP403';
    END IF;
    IF p_from IS NULL OR p_to IS NULL OR p_from >= p_to OR p_to > now() + interval '1 day' THEN
        RAISE EXCEPTION 'invalid_period' USING ERRCODE = 'CP422';
    END IF;
    SELECT * INTO t FROM council.tf_thresholds WHERE effective_from <= now()
    ORDER BY version DESC LIMIT 1;
    SELECT coalesce(jsonb_agg(x ORDER BY x->>'class', (x->>'org')::bigint), '[]') INTO v_lines
    FROM (
        SELECT jsonb_build_object('org', o.id, 'name_en', o.name_en, 'class', o.tf_class,
                   'originals', f.originals, 'due', f.due, 'on_time', f.on_time,
                   'meets', CASE o.tf_class
                       WHEN 'type1' THEN f.originals >= t.type1_min_originals
                       ELSE f.due = 0 OR f.on_time * t.type2_on_time_den >= t.type2_on_time_num * f.due END) AS x
        FROM council.organisations o
        CROSS JOIN LATERAL (
            SELECT (SELECT count(*) FROM council.posts x JOIN council.post_authors a ON a.post_id = x.id
                    WHERE a.org_id = o.id AND x.parent_id IS NULL AND x.kind IN ('analysis', 'countermeasure')
                      AND x.created_at >= p_from AND x.created_at < p_to) AS originals,
                   (SELECT count(*) FROM council.posts x JOIN council.post_audience pa ON pa.post_id = x.id
                    WHERE pa.org_id = o.id AND x.feedback_deadline >= p_from AND x.feedback_deadline < p_to
                      AND x.parent_id IS NULL
                      AND NOT EXISTS (SELECT 1 FROM council.post_authors a
                                      WHERE a.post_id = x.id AND a.org_id = o.id)) AS due,
                   (SELECT count(DISTINCT x.id) FROM council.posts x
                    JOIN council.feedback fb ON fb.post_id = x.id AND fb.org_id = o.id
                    WHERE x.feedback_deadline >= p_from AND x.feedback_deadline < p_to
                      AND fb.on_time) AS on_time) f
        -- JPCERT/CC is in the task force by right (R-TF-2), not reviewed.
        WHERE o.status = 'member' AND o.tf_class IN ('type1', 'type2') AND o.council_role IS NULL
    ) s;
    INSERT INTO council.tf_reviews (period_from, period_to, threshold_version, opened_by, lines)
    VALUES (p_from, p_to, t.version, council.current_person_id(), v_lines)
    RETURNING id INTO v_id;
    FOR l IN SELECT * FROM jsonb_array_elements(v_lines) LOOP
        v_dec := NULL;
        IF NOT (l->>'meets')::boolean
           AND NOT EXISTS (SELECT 1 FROM council.tf_decisions d WHERE d.org_id = (l->>'org')::bigint
                           AND d.status IN ('pending', 'open')) THEN
            INSERT INTO council.tf_decisions (kind, org_id, tf_class, review_id, created_by)
            VALUES ('revocation', (l->>'org')::bigint, (l->>'class')::council.tf_class, v_id,
                    council.current_person_id())
            RETURNING id INTO v_dec;
        END IF;
        v_out := v_out || jsonb_build_array(l || jsonb_build_object('decision', v_dec));
    END LOOP;
    PERFORM council.audit('tf.review', 'tf_review', v_id,
        jsonb_build_object('threshold_version', t.version, 'lines', jsonb_array_length(v_lines)));
    RETURN jsonb_build_object('id', v_id, 'threshold_version', t.version, 'lines', v_out);
END
$$;

-- R-TF-9: a Type 1 group organisation (or the TF's secretariat) proposes
-- the whole new text of a document the task force owns, against the
-- version in force; decided like any TF decision.  Returns the id.
CREATE OR REPLACE FUNCTION council.tf_propose_amendment(p_document bigint, p_text text,
    p_statement text DEFAULT '') RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me   bigint := council.current_person_id();
    h      record;
    v_id   bigint;
BEGIN
    IF v_me IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT (council.tf_may_run() OR council.current_org_id() IN (SELECT council.tf_group())) THEN
        RAISE EXCEPTION 'not_type1_group' USING ERRCODE = 'CP403';
    END IF;
    SELECT * INTO h FROM council.document_head(p_document);
    IF h.owner IS NULL THEN
        RAISE EXCEPTION 'document_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF h.owner <> 'task_force' OR h.version IS NULL THEN
        RAISE EXCEPTION 'document_not_owned' USING ERRCODE = 'CP422';
    END IF;
    p_text := replace(replace(coalesce(p_text, ''), E'\r\n', E'\n'), E'\r', E'\n');
    p_statement := coalesce(p_statement, '');
    IF length(btrim(p_text)) = 0 OR length(p_text) > 500000 OR length(p_statement) > 4000 THEN
        RAISE EXCEPTION 'invalid_text' USING ERRCODE = 'CP422';
    END IF;
    IF p_text ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' OR p_statement ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'control_characters' USING ERRCODE = 'CP422';
    END IF;
    IF p_text = h.body THEN
        RAISE EXCEPTION 'no_change' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.tf_decisions (kind, statement, document_id, base_version, proposed_text,
                                      created_by)
    VALUES ('rules_amendment', p_statement, p_document, h.version, p_text, v_me)
    RETURNING id INTO v_id;
    PERFORM council.audit('tf.propose', 'tf_decision', v_id,
        jsonb_build_object('document', p_document, 'base_version', h.version));
    RETURN v_id;
END
$$;

-- The JSON API's row, reached through the door council.api_call
-- (policy/15_api.sql); r->>'what' says which call:
-- apply: POST /api/v1/tf/applications {"class", "statement"}: 201 the decision.
-- act: POST /api/v1/tf/decisions/N {"action": "open" (closes_at) | "vote" (choice)}.
-- amend: POST /api/v1/tf/amendments {"document", "text", "statement"}: 201.
-- review: POST /api/v1/tf/reviews {"from", "to"}: 201 the review.
CREATE OR REPLACE FUNCTION council.api__tf(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    p  bigint := (r->>'id')::bigint;
    a  jsonb := council.api_args(r->>'body', '{"class": "string", "statement": "string",
        "action": "string", "closes_at": "string", "choice": "string", "from": "string",
        "to": "string", "document": "number", "text": "string"}');
    v  bigint;
BEGIN
    IF r->>'what' = 'apply' THEN
        v := council.tf_apply(a->>'class', coalesce(a->>'statement', ''));
        status := 201;
        body := council.tf_decision(v)::text;
    ELSIF r->>'what' = 'act' THEN
        CASE a->>'action'
        WHEN 'open' THEN PERFORM council.tf_open(p, (a->>'closes_at')::timestamptz);
        WHEN 'vote' THEN PERFORM council.tf_vote(p, a->>'choice');
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
        status := 200;
        body := council.tf_decision(p)::text;
    ELSIF r->>'what' = 'amend' THEN
        v := council.tf_propose_amendment((a->>'document')::bigint, a->>'text',
                                          coalesce(a->>'statement', ''));
        status := 201;
        body := council.tf_decision(v)::text;
    ELSIF r->>'what' = 'review' THEN
        status := 201;
        body := council.tf_review((a->>'from')::timestamptz, (a->>'to')::timestamptz)::text;
    ELSE
        RAISE EXCEPTION 'api_tf: %', r->>'what';
    END IF;
END
$$;

-- GET /api/v1/tf/decisions: the decisions the caller may see, newest first.
CREATE OR REPLACE FUNCTION council.tf_decisions_for_me() RETURNS json
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_org_id();
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    PERFORM council.tf_close_due();
    RETURN json_build_object('decisions', coalesce((SELECT json_agg(json_build_object(
            'id', d.id, 'kind', d.kind, 'org', d.org_id, 'class', d.tf_class, 'status', d.status,
            'refusal', d.refusal, 'closes_at', d.closes_at,
            'passed', (d.result->>'passed')::boolean) ORDER BY d.id DESC)
        FROM council.tf_decisions d
        WHERE council.tf_may_run() OR v_org IN (SELECT council.tf_group()) OR d.org_id = v_org), '[]'));
END
$$;

-- R-TF-9: TF proceedings are non-public: the Type 1 group, the TF's
-- secretariat and the member concerned read a decision; ballots are read
-- by the Type 1 group and the secretariat; reviews by them, thresholds by
-- every member.
CREATE POLICY tf_decisions_visible ON council.tf_decisions FOR SELECT TO council_app, council_writer
    USING (council.tf_may_run() OR org_id = (SELECT me.org_id FROM council.me)
           OR (SELECT me.org_id FROM council.me) IN (SELECT council.tf_group()));
CREATE POLICY tf_ballots_visible ON council.tf_ballots FOR SELECT TO council_app, council_writer
    USING (council.tf_may_run() OR (SELECT me.org_id FROM council.me) IN (SELECT council.tf_group()));
CREATE POLICY tf_reviews_visible ON council.tf_reviews FOR SELECT TO council_app, council_writer
    USING (council.tf_may_run() OR (SELECT me.org_id FROM council.me) IN (SELECT council.tf_group()));
CREATE POLICY tf_thresholds_members ON council.tf_thresholds FOR SELECT TO council_app, council_writer
    USING ((SELECT me.person_id FROM council.me) IS NOT NULL);

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.tf_group() OWNER TO council_definer;
ALTER FUNCTION council.tf_apply(text, text) OWNER TO council_definer;
ALTER FUNCTION council.tf_open(bigint, timestamptz) OWNER TO council_definer;
ALTER FUNCTION council.tf__close(bigint) OWNER TO council_definer;
ALTER FUNCTION council.tf__close_if_due(bigint) OWNER TO council_definer;
ALTER FUNCTION council.tf_close_due() OWNER TO council_definer;
ALTER FUNCTION council.tf_vote(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.tf_decision(bigint) OWNER TO council_definer;
ALTER FUNCTION council.tf_review(timestamptz, timestamptz) OWNER TO council_definer;
ALTER FUNCTION council.tf_decisions_for_me() OWNER TO council_definer;
ALTER FUNCTION council.tf_propose_amendment(bigint, text, text) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.tf__close(bigint), council.tf__close_if_due(bigint) FROM PUBLIC;
