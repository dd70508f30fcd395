-- policy/60_feedback.sql: task-force feedback and the contribution
-- ledger (issue 4; R-TF-1, R-TF-5, R-TF-6): who answers a post asking for
-- feedback, what the caller's organisation owes, the author's tally, the
-- ledger, and the JSON API's row for an answer.  Re-applied by
-- "councilctl migrate".
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 42_sharing_writes.sql).

------------------------------------------------------------------------
-- Who sees an answer.
------------------------------------------------------------------------

-- Who sees an answer: its own organisation and the coordinator.  The
-- author of the post sees the tally (council.feedback_tally), which names
-- no organisation: answering "seen here" tells that one was attacked
-- (R-TF-6: victims are masked even from the Type 1 group).
CREATE POLICY feedback_visible ON council.feedback FOR SELECT
    TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me)
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));
CREATE POLICY feedback_insert ON council.feedback FOR INSERT TO council_writer
    WITH CHECK (org_id = (SELECT me.org_id FROM council.me)
                AND person_id = (SELECT me.person_id FROM council.me));
CREATE POLICY feedback_update ON council.feedback FOR UPDATE TO council_writer
    USING (org_id = (SELECT me.org_id FROM council.me))
    WITH CHECK (org_id = (SELECT me.org_id FROM council.me)
                AND person_id = (SELECT me.person_id FROM council.me));

-- The task-force class of the caller's organisation; the coordinator
-- counts as the Type 1 group (R-TF-2).  NULL when nobody is signed in.
CREATE OR REPLACE FUNCTION council.current_tf_class() RETURNS council.tf_class
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN (SELECT CASE WHEN me.is_coordinator THEN 'type1'::council.tf_class
                        ELSE o.tf_class END
            FROM council.me JOIN council.organisations o ON o.id = me.org_id);
END
$$;

-- R-TF-1: the caller's organisation answers post p.  Type 2 answers seen /
-- not_seen / unknown; Type 1 (and the coordinator) may also give expert
-- feedback, with a comment.  Answering again replaces the answer; the
-- audit log keeps every version.  An answer after the deadline is kept
-- and counted late (R-TF-5): nothing acknowledged is lost.
CREATE OR REPLACE FUNCTION council.give_feedback(p_post bigint, p_answer text,
    p_comment text DEFAULT '') RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    v_class   council.tf_class;
    v_post    council.posts;
    v_answer  council.feedback_answer;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    -- As the caller sees it: a hidden post does not exist.
    SELECT * INTO v_post FROM council.posts WHERE id = p_post;
    IF v_post.id IS NULL THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF v_post.feedback_deadline IS NULL OR v_post.parent_id IS NOT NULL THEN
        RAISE EXCEPTION 'no_feedback_requested' USING ERRCODE = 'CP422';
    END IF;
    IF council.post_author_org(p_post) IS NOT DISTINCT FROM council.current_org_id() THEN
        RAISE EXCEPTION 'feedback_on_own_post' USING ERRCODE = 'CP422';
    END IF;
    -- R-ORG-6: the general-affairs secretariat takes no part in feedback
    -- (it sees others' posts only through an access case, to read them).
    IF council.current_is_secretariat() THEN
        RAISE EXCEPTION 'feedback_not_for_the_secretariat' USING ERRCODE = 'CP403';
    END IF;
    v_class := council.current_tf_class();
    IF v_class IS DISTINCT FROM 'type1' AND v_class IS DISTINCT FROM 'type2' THEN
        RAISE EXCEPTION 'feedback_is_for_the_task_force' USING ERRCODE = 'CP403';
    END IF;
    IF p_answer IS NULL OR p_answer NOT IN ('seen', 'not_seen', 'unknown', 'expert') THEN
        RAISE EXCEPTION 'invalid_answer' USING ERRCODE = 'CP422';
    END IF;
    v_answer := p_answer::council.feedback_answer;
    p_comment := coalesce(p_comment, '');
    IF length(p_comment) > 4000 THEN
        RAISE EXCEPTION 'comment_too_long' USING ERRCODE = 'CP422';
    END IF;
    IF v_answer = 'expert' AND v_class <> 'type1' THEN
        RAISE EXCEPTION 'expert_feedback_is_type1' USING ERRCODE = 'CP403';
    END IF;
    IF v_answer = 'expert' AND length(btrim(p_comment)) = 0 THEN
        RAISE EXCEPTION 'comment_required' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.feedback (post_id, org_id, person_id, org_class,
                                  answer, comment, on_time)
    VALUES (p_post, council.current_org_id(), v_person, v_class, v_answer,
            p_comment, now() <= v_post.feedback_deadline)
    ON CONFLICT (post_id, org_id) DO UPDATE
        SET person_id = EXCLUDED.person_id, org_class = EXCLUDED.org_class,
            answer = EXCLUDED.answer, comment = EXCLUDED.comment,
            updated_at = now();
    PERFORM council.audit('feedback.give', 'post', p_post,
        jsonb_build_object('answer', p_answer, 'comment', p_comment,
                           'late', now() > v_post.feedback_deadline));
END
$$;

-- The feedback state of post p for the caller, for the feed and the post
-- page: 'none' (nothing asked of the caller), 'open' / 'overdue' (the
-- caller's organisation owes an answer), 'answered', or for the author
-- 'collecting' / 'closed'.  NULL for a post the caller cannot see.
CREATE OR REPLACE FUNCTION council.feedback_status(p bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_post   council.posts;
    v_org    bigint := council.current_org_id();
    v_class  council.tf_class;
BEGIN
    IF NOT council.current_sees_post(p) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO v_post FROM council.posts WHERE id = p;
    -- R-ORG-6: nothing is asked of the secretariat, and it collects
    -- nothing (feedback_tally).
    IF v_post.feedback_deadline IS NULL OR v_post.parent_id IS NOT NULL
       OR council.current_is_secretariat() THEN
        RETURN 'none';
    END IF;
    IF EXISTS (SELECT 1 FROM council.post_authors a
               WHERE a.post_id = p AND a.org_id = v_org) THEN
        RETURN CASE WHEN now() <= v_post.feedback_deadline THEN 'collecting'
                    ELSE 'closed' END;
    END IF;
    IF EXISTS (SELECT 1 FROM council.feedback f
               WHERE f.post_id = p AND f.org_id = v_org) THEN
        RETURN 'answered';
    END IF;
    SELECT o.tf_class INTO v_class FROM council.organisations o WHERE o.id = v_org;
    IF v_class NOT IN ('type1', 'type2')
       OR NOT EXISTS (SELECT 1 FROM council.post_audience a
                      WHERE a.post_id = p AND a.org_id = v_org) THEN
        RETURN 'none';
    END IF;
    RETURN CASE WHEN now() <= v_post.feedback_deadline THEN 'open'
                ELSE 'overdue' END;
END
$$;

-- R-TF-5: what the caller's organisation owes: every post asking for
-- feedback that reached it as a Type 1 or Type 2 member, not its own, not
-- yet answered; overdue ones included (a late answer still counts as given).
-- SECURITY INVOKER: the posts are read through their policies.
CREATE OR REPLACE FUNCTION council.my_obligations()
    RETURNS TABLE (post_id bigint, kind council.post_kind, title text,
                   tlp council.tlp, is_secret boolean, deadline timestamptz)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT x.id, x.kind, x.title, x.tlp, x.is_secret, x.feedback_deadline
    FROM council.me
    JOIN council.organisations o ON o.id = me.org_id AND o.tf_class IN ('type1', 'type2')
    JOIN council.posts x ON x.feedback_deadline IS NOT NULL AND x.parent_id IS NULL
    WHERE EXISTS (SELECT 1 FROM council.post_audience a
                  WHERE a.post_id = x.id AND a.org_id = me.org_id AND NOT a.is_author)
      AND NOT EXISTS (SELECT 1 FROM council.feedback f
                      WHERE f.post_id = x.id AND f.org_id = me.org_id)
    ORDER BY x.feedback_deadline, x.id
$$;

-- The tally of post p's feedback, for its author's organisation and the
-- coordinator: counts per answer, how many task-force members it reached,
-- and the comments labelled by class only (the coordinator also sees the
-- organisation).  A hidden post: CP404, as if absent.  R-ORG-6: never for
-- the general-affairs secretariat, its own posts included: the answers and
-- comments are what others wrote, which it reads only through an access
-- case, and a case names posts, not their feedback (CP403).
CREATE OR REPLACE FUNCTION council.feedback_tally(p bigint) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_post   council.posts;
    v_coord  boolean := coalesce((SELECT me.is_coordinator FROM council.me), false);
    v_author bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.current_sees_post(p) THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF council.current_is_secretariat() THEN
        RAISE EXCEPTION 'feedback_not_for_the_secretariat' USING ERRCODE = 'CP403';
    END IF;
    SELECT * INTO v_post FROM council.posts WHERE id = p;
    SELECT a.org_id INTO v_author FROM council.post_authors a WHERE a.post_id = p;
    IF v_author IS DISTINCT FROM council.current_org_id() AND NOT v_coord THEN
        RAISE EXCEPTION 'tally_is_for_the_author' USING ERRCODE = 'CP403';
    END IF;
    RETURN json_build_object(
        'post_id', p,
        'deadline', v_post.feedback_deadline,
        'closed', v_post.feedback_deadline IS NOT NULL AND now() > v_post.feedback_deadline,
        'expected', (SELECT count(*) FROM council.post_audience a
                     JOIN council.organisations o ON o.id = a.org_id
                     WHERE a.post_id = p AND NOT a.is_author
                       AND o.tf_class IN ('type1', 'type2')),
        'answered', (SELECT count(*) FROM council.feedback f WHERE f.post_id = p),
        'seen', (SELECT count(*) FROM council.feedback f WHERE f.post_id = p AND f.answer = 'seen'),
        'not_seen', (SELECT count(*) FROM council.feedback f WHERE f.post_id = p AND f.answer = 'not_seen'),
        'unknown', (SELECT count(*) FROM council.feedback f WHERE f.post_id = p AND f.answer = 'unknown'),
        'expert', (SELECT count(*) FROM council.feedback f WHERE f.post_id = p AND f.answer = 'expert'),
        'late', (SELECT count(*) FROM council.feedback f WHERE f.post_id = p AND NOT f.on_time),
        'comments', coalesce((
            SELECT json_agg(json_build_object(
                'class', f.org_class, 'answer', f.answer, 'comment', f.comment,
                'at', f.updated_at, 'late', NOT f.on_time,
                'org', CASE WHEN v_coord THEN json_build_object(
                    'id', o.id, 'name_ja', o.name_ja, 'name_en', o.name_en) END)
                ORDER BY f.first_at, f.id)
            FROM council.feedback f JOIN council.organisations o ON o.id = f.org_id
            WHERE f.post_id = p AND length(f.comment) > 0), '[]'::json));
END
$$;

-- Whose ledger p_org is (NULL: the caller's organisation) for the ledger's
-- readers: the organisation itself and the coordinator (anyone else:
-- CP404, as for an unknown organisation).  council.ledger and
-- council.ledger_months ask it first.
CREATE OR REPLACE FUNCTION council.ledger__org(p_org bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    p_org := coalesce(p_org, council.current_org_id());
    IF p_org IS DISTINCT FROM council.current_org_id()
       AND NOT council.current_is_coordinator() THEN
        RAISE EXCEPTION 'organisation_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.organisations WHERE id = p_org) THEN
        RAISE EXCEPTION 'organisation_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN p_org;
END
$$;

-- R-TF-5: the contribution ledger of an organisation, for itself and the
-- coordinator (anyone else: CP404, as for an unknown organisation).
-- original: its first posts without sources (its own information);
-- due: posts asking for feedback that reached it, whose deadline passed;
-- on_time: of those, answered by the deadline; missed: due, never answered.
CREATE OR REPLACE FUNCTION council.ledger(p_org bigint DEFAULT NULL) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  council.organisations;
    v_due  bigint;
    v_ok   bigint;
BEGIN
    p_org := council.ledger__org(p_org);
    SELECT * INTO v_org FROM council.organisations WHERE id = p_org;
    SELECT count(*), count(*) FILTER (WHERE f.on_time)
    INTO v_due, v_ok
    FROM council.posts x
    JOIN council.post_audience a ON a.post_id = x.id AND a.org_id = p_org AND NOT a.is_author
    LEFT JOIN council.feedback f ON f.post_id = x.id AND f.org_id = p_org
    WHERE x.feedback_deadline IS NOT NULL AND x.parent_id IS NULL
      AND x.feedback_deadline < now();
    RETURN json_build_object(
        'org', json_build_object('id', v_org.id, 'name_ja', v_org.name_ja,
                                 'name_en', v_org.name_en, 'tf_class', v_org.tf_class),
        'original_posts', (SELECT count(*) FROM council.post_authors pa
                           JOIN council.posts x ON x.id = pa.post_id
                           WHERE pa.org_id = p_org AND x.parent_id IS NULL
                             AND NOT EXISTS (SELECT 1 FROM council.post_sources s
                                             WHERE s.post_id = x.id)),
        'replies', (SELECT count(*) FROM council.post_authors pa
                    JOIN council.posts x ON x.id = pa.post_id
                    WHERE pa.org_id = p_org AND x.parent_id IS NOT NULL),
        'feedback_given', (SELECT count(*) FROM council.feedback f WHERE f.org_id = p_org),
        'expert_feedback', (SELECT count(*) FROM council.feedback f
                            WHERE f.org_id = p_org AND f.answer = 'expert'),
        'due', v_due,
        'on_time', v_ok,
        'missed', (SELECT count(*) FROM council.posts x
                   JOIN council.post_audience a ON a.post_id = x.id
                        AND a.org_id = p_org AND NOT a.is_author
                   WHERE x.feedback_deadline IS NOT NULL AND x.parent_id IS NULL
                     AND x.feedback_deadline < now()
                     AND NOT EXISTS (SELECT 1 FROM council.feedback f
                                     WHERE f.post_id = x.id AND f.org_id = p_org)),
        'on_time_rate', CASE WHEN v_due > 0 THEN round(v_ok::numeric / v_due, 3) END);
END
$$;

-- Issue 17: the ledger's due posts per month of their deadline (JST), the
-- last p_months months (1 to 36) up to this one, for the ledger's readers
-- (council.ledger__org): the same rows council.ledger counts as due,
-- on_time and missed, so that the months add up to its numbers (those of
-- deadlines before the first month aside); late: answered after the
-- deadline.  A month with none has zeros.
CREATE OR REPLACE FUNCTION council.ledger_months(p_org bigint DEFAULT NULL,
                                                 p_months integer DEFAULT 12)
    RETURNS TABLE (month text, due bigint, on_time bigint, late bigint, missed bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
DECLARE
    v_now timestamp := date_trunc('month', now() AT TIME ZONE 'Asia/Tokyo');
BEGIN
    p_org := council.ledger__org(p_org);
    p_months := least(greatest(coalesce(p_months, 12), 1), 36);
    RETURN QUERY
    WITH months AS (
        SELECT g AS m FROM generate_series(v_now - make_interval(months => p_months - 1),
                                           v_now, interval '1 month') g
    ), d AS (
        SELECT date_trunc('month', x.feedback_deadline AT TIME ZONE 'Asia/Tokyo') AS m,
               f.post_id IS NOT NULL AS answered, coalesce(f.on_time, false) AS ok
        FROM council.posts x
        JOIN council.post_audience a ON a.post_id = x.id AND a.org_id = p_org AND NOT a.is_author
        LEFT JOIN council.feedback f ON f.post_id = x.id AND f.org_id = p_org
        WHERE x.feedback_deadline IS NOT NULL AND x.parent_id IS NULL
          AND x.feedback_deadline < now()
    )
    SELECT to_char(months.m, 'YYYY-MM'), count(d.m), count(d.m) FILTER (WHERE d.ok),
           count(d.m) FILTER (WHERE d.answered AND NOT d.ok),
           count(d.m) FILTER (WHERE NOT d.answered)
    FROM months LEFT JOIN d ON d.m = months.m
    GROUP BY months.m ORDER BY months.m;
END
$$;

-- The coordinator's overview: the ledger of every task-force member.
CREATE OR REPLACE FUNCTION council.ledger_all() RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF NOT coalesce(council.current_is_coordinator(), false) THEN
        RAISE EXCEPTION 'organisation_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN coalesce((SELECT json_agg(council.ledger(o.id) ORDER BY o.tf_class, o.name_en)
                     FROM council.organisations o
                     WHERE o.tf_class IN ('type1', 'type2') AND o.status = 'member'),
                    '[]'::json);
END
$$;

------------------------------------------------------------------------
-- The JSON API's rows (docs/api.md), council.api__<name>(request), reached
-- through the door council.api_call (policy/15_api.sql): they raise, the
-- door answers (status, body), and a refused call changes nothing.
-- SECURITY INVOKER: they call give_feedback as council_app would.
------------------------------------------------------------------------

-- POST /api/v1/posts/N/feedback {"answer": ..., "comment": ...}
CREATE OR REPLACE FUNCTION council.api__give_feedback(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    p  bigint := (r->>'id')::bigint;
    a  jsonb := council.api_args(r->>'body', '{"answer": "string", "comment": "string"}');
BEGIN
    PERFORM council.give_feedback(p, a->>'answer', coalesce(a->>'comment', ''));
    status := 200;
    body := json_build_object('post_id', p, 'status', council.feedback_status(p))::text;
END
$$;

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.give_feedback(bigint, text, text) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.current_tf_class() OWNER TO council_definer;
ALTER FUNCTION council.feedback_status(bigint) OWNER TO council_definer;
ALTER FUNCTION council.feedback_tally(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ledger(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ledger__org(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ledger_months(bigint, integer) OWNER TO council_definer;
ALTER FUNCTION council.ledger_all() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
