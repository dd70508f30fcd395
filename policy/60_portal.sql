-- policy/60_portal.sql: what the member portal adds to the sharing engine
-- (issue 4): task-force feedback and its ledger (R-TF-1, R-TF-5), the
-- audience preview, idempotent submissions, and the JSON API's write
-- calls.  Re-applied by "councilctl migrate"; every statement idempotent.
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 40_sharing.sql).

------------------------------------------------------------------------
-- Feedback (R-TF-1, R-TF-5).
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

CREATE POLICY submissions_own ON council.submissions TO council_app, council_writer
    USING (person_id = (SELECT me.person_id FROM council.me))
    WITH CHECK (person_id = (SELECT me.person_id FROM council.me));

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
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    p_org := coalesce(p_org, council.current_org_id());
    IF p_org IS DISTINCT FROM council.current_org_id()
       AND NOT council.current_is_coordinator() THEN
        RAISE EXCEPTION 'organisation_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT * INTO v_org FROM council.organisations WHERE id = p_org;
    IF v_org.id IS NULL THEN
        RAISE EXCEPTION 'organisation_not_found' USING ERRCODE = 'CP404';
    END IF;
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
-- Idempotent submissions and the audience preview.
------------------------------------------------------------------------

-- council.create_post, once per (person, key): a second call with the same
-- key returns the first call's post and creates nothing.  Two concurrent
-- calls: the second waits on the key's row and then returns the first's.
CREATE OR REPLACE FUNCTION council.create_post_once(p_key text,
    p_kind council.post_kind, p_title text, p_body text, p_is_secret boolean,
    p_masked boolean DEFAULT false, p_scope jsonb DEFAULT NULL,
    p_exclusions jsonb DEFAULT '[]', p_sources bigint[] DEFAULT '{}',
    p_parent bigint DEFAULT NULL, p_confidence text DEFAULT NULL,
    p_deadline timestamptz DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    v_id      bigint;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF p_key IS NULL THEN
        RETURN council.create_post(p_kind, p_title, p_body, p_is_secret,
            p_masked, p_scope, p_exclusions, p_sources, p_parent,
            p_confidence, p_deadline);
    END IF;
    IF p_key !~ '^[A-Za-z0-9_-]{16,64}$' THEN
        RAISE EXCEPTION 'invalid_submit_key' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.submissions (person_id, key) VALUES (v_person, p_key)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        SELECT s.post_id INTO v_id FROM council.submissions s
        WHERE s.person_id = v_person AND s.key = p_key;
        RETURN v_id;
    END IF;
    v_id := council.create_post(p_kind, p_title, p_body, p_is_secret,
        p_masked, p_scope, p_exclusions, p_sources, p_parent, p_confidence,
        p_deadline);
    UPDATE council.submissions SET post_id = v_id
    WHERE person_id = v_person AND key = p_key;
    RETURN v_id;
END
$$;

-- "Who will be able to read this": the organisations post would reach if
-- created now with these arguments, computed by the very code that will
-- compute it (create_post in a subtransaction that is then rolled back).
-- Errors are create_post's own.  An organisation that is the masked author
-- of a post in the thread is not named (R-TF-6): "masked_member" says one
-- is there.  JPCERT/CC, the system administrator, can open every post
-- (R-ORG-6): "coordinator_all" reminds of it.  Only members are ever in
-- an audience (R-ORG-3, R-SCOPE-1: audience_named), so only members are
-- named.  R-SECRET-2, R-SECRET-3: for a secret, the organisations that
-- cannot receive it are not readers: "secret_unreachable" lists them,
-- each with its reason ('no_handler', 'secret_opt_out'), and "orgs" and
-- "count" leave them out (create_post refuses a secret none can receive).
CREATE OR REPLACE FUNCTION council.audience_preview(
    p_kind council.post_kind, p_title text, p_body text, p_is_secret boolean,
    p_masked boolean DEFAULT false, p_scope jsonb DEFAULT NULL,
    p_exclusions jsonb DEFAULT '[]', p_sources bigint[] DEFAULT '{}',
    p_parent bigint DEFAULT NULL, p_confidence text DEFAULT NULL,
    p_deadline timestamptz DEFAULT NULL) RETURNS json
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id        bigint;
    v_orgs      bigint[];
    v_consents  bigint;
    v_hidden    bigint[] := '{}';
    v_p         bigint := p_parent;
    v_author    bigint;
    v_masked    boolean;
    v_blocked   jsonb := '[]';
    v_unreach   bigint[];
BEGIN
    BEGIN
        v_id := council.create_post(p_kind, coalesce(nullif(btrim(p_title), ''), '-'),
            coalesce(p_body, ''), p_is_secret, p_masked, p_scope, p_exclusions,
            p_sources, p_parent, p_confidence, p_deadline);
        SELECT array_agg(a.org_id) INTO v_orgs
        FROM council.post_audience a WHERE a.post_id = v_id;
        SELECT count(*) INTO v_consents FROM council.consents c WHERE c.post_id = v_id;
        IF p_is_secret THEN
            SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.org_id, 'reason', r.reason)),
                            '[]')
            INTO v_blocked
            FROM council.post_audience a
            CROSS JOIN LATERAL (SELECT a.org_id,
                                       council.org_secret_block(a.org_id) AS reason) r
            WHERE a.post_id = v_id AND NOT a.is_author AND r.reason IS NOT NULL;
        END IF;
        RAISE EXCEPTION 'preview' USING ERRCODE = 'CPZ99';
    EXCEPTION WHEN SQLSTATE 'CPZ99' THEN   -- not CP000: that names the whole class
        NULL;                           -- rolled back: nothing was stored
    END;
    -- The thread's masked authors stay masked.
    WHILE v_p IS NOT NULL LOOP
        SELECT a.org_id, a.masked INTO v_author, v_masked
        FROM council.post_authors a WHERE a.post_id = v_p;
        IF v_masked AND v_author IS DISTINCT FROM council.current_org_id()
           AND NOT council.current_is_coordinator() THEN
            v_hidden := v_hidden || v_author;
        END IF;
        SELECT x.parent_id INTO v_p FROM council.posts x WHERE x.id = v_p;
    END LOOP;
    v_unreach := ARRAY(SELECT (b->>'id')::bigint FROM jsonb_array_elements(v_blocked) b);
    RETURN json_build_object(
        'orgs', coalesce((SELECT json_agg(json_build_object(
                    'id', o.id, 'name_ja', o.name_ja, 'name_en', o.name_en,
                    'category', o.category, 'tf_class', o.tf_class,
                    'author', o.id = council.current_org_id())
                    ORDER BY o.id <> council.current_org_id(), o.name_ja)
                FROM council.organisations o
                WHERE o.id = ANY (v_orgs) AND NOT o.id = ANY (v_hidden)
                  AND NOT o.id = ANY (v_unreach)), '[]'::json),
        'count', (SELECT count(*) FROM council.organisations o
                  WHERE o.id = ANY (v_orgs) AND NOT o.id = ANY (v_hidden)
                    AND NOT o.id = ANY (v_unreach)),
        -- R-TF-6: a masked author of the thread stays unnamed here too.
        'secret_unreachable', coalesce((SELECT json_agg(json_build_object(
                    'id', o.id, 'name_ja', o.name_ja, 'name_en', o.name_en,
                    'reason', b->>'reason') ORDER BY o.name_ja)
                FROM jsonb_array_elements(v_blocked) b
                JOIN council.organisations o ON o.id = (b->>'id')::bigint
                WHERE NOT o.id = ANY (v_hidden)), '[]'::json),
        'masked_member', EXISTS (SELECT 1 FROM unnest(v_orgs) x WHERE x = ANY (v_hidden)),
        'consents', v_consents,
        'coordinator_all', true);
END
$$;

------------------------------------------------------------------------
-- The JSON API's writes.  Each takes the request body as text and
-- answers (status, body): 2xx with the result, or the error as
-- {"error": code}.  A failed call changes nothing (its subtransaction is
-- rolled back).  SECURITY INVOKER: they call the write functions above
-- and in 40_sharing.sql as council_app would.
------------------------------------------------------------------------

-- CP-class errors become (status, {"error": code}); a value of the wrong
-- type (an unknown kind, "yes" for a boolean, a bad timestamp) becomes
-- 422 invalid_request.  Anything else is re-raised.
CREATE OR REPLACE FUNCTION council.api_error(p_state text, p_msg text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_state LIKE 'CP%' AND p_state ~ '^CP[0-9]{3}$' THEN
        status := substr(p_state, 3)::integer;
        body := json_build_object('error', p_msg)::text;
    ELSIF p_state IN ('22P02', '22007', '22008', '22023', '22003', '42804',
                      '22004', '2202E', '22019', '22025', '22030', '22032') THEN
        status := 422;
        body := '{"error":"invalid_request"}';
    ELSE
        status := NULL;
    END IF;
END
$$;

-- The body of a post: the JSON keys of docs/api.md, checked for type.
CREATE OR REPLACE FUNCTION council.api_json(p_body text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j  jsonb;
BEGIN
    BEGIN
        j := p_body::jsonb;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'invalid_json' USING ERRCODE = 'CP400';
    END;
    IF jsonb_typeof(j) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'invalid_json' USING ERRCODE = 'CP400';
    END IF;
    RETURN j;
END
$$;

-- A typed field of j, or NULL when absent or null; the wrong type is
-- CP422 invalid_<key>.
CREATE OR REPLACE FUNCTION council.api_field(j jsonb, k text, t text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF NOT j ? k OR jsonb_typeof(j->k) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(j->k) <> t THEN
        RAISE EXCEPTION 'invalid_%', k USING ERRCODE = 'CP422';
    END IF;
    RETURN j->k;
END
$$;

-- POST /api/v1/posts and /api/v1/preview: p_preview answers the audience
-- instead of creating.  p_key: the Idempotency-Key header, or NULL.
CREATE OR REPLACE FUNCTION council.api_create_post(p_body text, p_key text,
    p_preview boolean DEFAULT false, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j        jsonb;
    v_id     bigint;
    v_src    bigint[];
    v_args   record;
BEGIN
    BEGIN
        j := council.api_json(p_body);
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k
                   WHERE k NOT IN ('kind', 'title', 'body', 'secret', 'masked',
                                   'scope', 'exclusions', 'sources', 'parent',
                                   'confidence', 'deadline')) THEN
            RAISE EXCEPTION 'unknown_field' USING ERRCODE = 'CP422';
        END IF;
        IF council.api_field(j, 'sources', 'array') IS NOT NULL THEN
            IF EXISTS (SELECT 1 FROM jsonb_array_elements(j->'sources') e
                       WHERE jsonb_typeof(e) <> 'number') THEN
                RAISE EXCEPTION 'invalid_sources' USING ERRCODE = 'CP422';
            END IF;
            SELECT array_agg(e::text::bigint) INTO v_src
            FROM jsonb_array_elements(j->'sources') e;
        END IF;
        SELECT (council.api_field(j, 'kind', 'string')->>0)::council.post_kind AS kind,
               council.api_field(j, 'title', 'string')->>0 AS title,
               council.api_field(j, 'body', 'string')->>0 AS body,
               (council.api_field(j, 'secret', 'boolean')->>0)::boolean AS secret,
               coalesce((council.api_field(j, 'masked', 'boolean')->>0)::boolean, false) AS masked,
               council.api_field(j, 'scope', 'array') AS scope,
               coalesce(council.api_field(j, 'exclusions', 'array'), '[]') AS excl,
               (council.api_field(j, 'parent', 'number')->>0)::bigint AS parent,
               council.api_field(j, 'confidence', 'string')->>0 AS confidence,
               (council.api_field(j, 'deadline', 'string')->>0)::timestamptz AS deadline
        INTO v_args;
        IF v_args.kind IS NULL THEN
            RAISE EXCEPTION 'invalid_kind' USING ERRCODE = 'CP422';
        END IF;
        IF p_preview THEN
            status := 200;
            body := council.audience_preview(v_args.kind, v_args.title,
                v_args.body, v_args.secret, v_args.masked, v_args.scope,
                v_args.excl, coalesce(v_src, '{}'), v_args.parent,
                v_args.confidence, v_args.deadline)::text;
        ELSE
            v_id := council.create_post_once(p_key, v_args.kind, v_args.title,
                v_args.body, v_args.secret, v_args.masked, v_args.scope,
                v_args.excl, coalesce(v_src, '{}'), v_args.parent,
                v_args.confidence, v_args.deadline);
            status := 201;
            body := json_build_object('id', v_id)::text;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
        IF status IS NULL THEN RAISE; END IF;
    END;
END
$$;

-- POST /api/v1/posts/N/feedback {"answer": ..., "comment": ...}
CREATE OR REPLACE FUNCTION council.api_give_feedback(p_post bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j        jsonb;
BEGIN
    BEGIN
        j := council.api_json(p_body);
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k
                   WHERE k NOT IN ('answer', 'comment')) THEN
            RAISE EXCEPTION 'unknown_field' USING ERRCODE = 'CP422';
        END IF;
        PERFORM council.give_feedback(p_post,
            council.api_field(j, 'answer', 'string')->>0,
            coalesce(council.api_field(j, 'comment', 'string')->>0, ''));
        status := 200;
        body := json_build_object('post_id', p_post,
                                  'status', council.feedback_status(p_post))::text;
    EXCEPTION WHEN OTHERS THEN
        SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
        IF status IS NULL THEN RAISE; END IF;
    END;
END
$$;

-- POST /api/v1/consents/N {"grant": true|false} (R-SCOPE-4).
CREATE OR REPLACE FUNCTION council.api_decide_consent(p_consent bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    j        jsonb;
    v_grant  boolean;
BEGIN
    BEGIN
        j := council.api_json(p_body);
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(j) k WHERE k <> 'grant') THEN
            RAISE EXCEPTION 'unknown_field' USING ERRCODE = 'CP422';
        END IF;
        v_grant := (council.api_field(j, 'grant', 'boolean')->>0)::boolean;
        IF v_grant IS NULL THEN
            RAISE EXCEPTION 'invalid_grant' USING ERRCODE = 'CP422';
        END IF;
        PERFORM council.decide_consent(p_consent, v_grant);
        status := 200;
        body := json_build_object('id', p_consent,
            'status', CASE WHEN v_grant THEN 'granted' ELSE 'refused' END)::text;
    EXCEPTION WHEN OTHERS THEN
        SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
        IF status IS NULL THEN RAISE; END IF;
    END;
END
$$;

-- The JSON API's reads by one id: (status, body) of council.<p_fn>(p_id),
-- for the functions named here only: ledger (GET /api/v1/ledger),
-- feedback_tally (GET /api/v1/posts/N/feedback), sc_motion (GET
-- /api/v1/committee/motions/N, policy/70_committee.sql), ga_poll and
-- ga_minutes (GET /api/v1/polls/N, /api/v1/assemblies/N/minutes,
-- policy/71_assembly.sql).
CREATE OR REPLACE FUNCTION council.api_read(p_fn text, p_id bigint,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF p_fn NOT IN ('ledger', 'feedback_tally', 'sc_motion', 'ga_poll', 'ga_minutes') THEN
        RAISE EXCEPTION 'api_read: % is not an API read', p_fn;
    END IF;
    status := 200;
    EXECUTE format('SELECT council.%I($1)::text', p_fn) INTO body USING p_id;
EXCEPTION WHEN OTHERS THEN
    SELECT e.status, e.body INTO status, body FROM council.api_error(SQLSTATE, SQLERRM) e;
    IF status IS NULL THEN RAISE; END IF;
END
$$;
DROP FUNCTION IF EXISTS council.api_ledger(bigint);
DROP FUNCTION IF EXISTS council.api_tally(bigint);

-- The consent requests the caller may see (consents' policy): those it
-- must decide as a source's giver, and those of its derived posts.
CREATE OR REPLACE FUNCTION council.my_consents()
    RETURNS TABLE (id bigint, post_id bigint, post_title text,
                   source_post_id bigint, source_title text,
                   status council.consent_status, requested_at timestamptz,
                   mine_to_decide boolean)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT c.id, c.post_id, dp.title, c.source_post_id, sp.title, c.status,
           c.requested_at,
           council.post_author_org(c.source_post_id) IS NOT DISTINCT FROM
               (SELECT me.org_id FROM council.me)
    FROM council.consents c
    LEFT JOIN council.posts dp ON dp.id = c.post_id
    LEFT JOIN council.posts sp ON sp.id = c.source_post_id
    ORDER BY c.status <> 'pending', c.requested_at DESC, c.id DESC
    LIMIT 200
$$;

------------------------------------------------------------------------
-- Owners and grants.
------------------------------------------------------------------------

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.give_feedback(bigint, text, text) OWNER TO council_writer;
ALTER FUNCTION council.create_post_once(text, council.post_kind, text, text,
    boolean, boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.current_tf_class() OWNER TO council_definer;
ALTER FUNCTION council.feedback_status(bigint) OWNER TO council_definer;
ALTER FUNCTION council.feedback_tally(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ledger(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ledger_all() OWNER TO council_definer;
ALTER FUNCTION council.audience_preview(council.post_kind, text, text,
    boolean, boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
