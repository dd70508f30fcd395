-- policy/78_notify_sharing.sql: notifications of the sharing work and the
-- person's tasks (issue 17, items 1 and "My tasks"; migration 0024).
-- Re-applied by "councilctl migrate".
--
-- What is told, and under which of the person's settings (0010_settings):
--   post.new            a new post in the organisation's effective scope,
--                       or one that a consent or a widening brought into it
--                       (notify_new_in_scope)
--   post.reply          a reply to a post of the person's organisation
--   post.advice         advice on its consultation (R-SHARE-1)
--                       (both notify_new_in_scope: a reply is a new post
--                       in scope, told only to the parent's organisation)
--   feedback.requested  a task-force post asking for feedback (R-TF-5)
--   feedback.due        its deadline within a day, no feedback given yet
--                       (both notify_feedback_due)
--   consent.requested   a consent the organisation must decide (R-SCOPE-4)
--   consent.granted, consent.refused   the decision, to the deriver
--                       (all three notify_consent_request)
--   sc.open, sc.closing a committee poll opened, closing within a day
--   ga.open             a general-assembly vote opened
--                       (notify_governance; ga.notice, ga.reminder and
--                       coop.request are in 77_notifications.sql)
-- A subject names the kind of event and a number, never a title or any
-- content (0010: e-mail carries no content); the page is read on the
-- portal.  A notification about a post carries post_id: the policy
-- notifications_own (77) shows it only while the person reads the post,
-- and mail_claim mails it only then.  It is written only for people who
-- read the post when it is written (council.person_sees_post), never for
-- the person whose action caused it.

-- Tell the active people of organisations p_orgs who keep preference
-- p_pref on and, for a post, may read it now.  dedupe: one row per person
-- and key, ever (a repeated event tells nobody twice).  Returns how many
-- people were told now.
CREATE OR REPLACE FUNCTION council.notify_people(p_post bigint, p_orgs bigint[],
    p_pref text, p_kind text, p_subject_ja text, p_subject_en text, p_link text,
    p_dedupe text)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n  integer;
BEGIN
    INSERT INTO council.notifications (person_id, kind, subject_ja, subject_en,
        link, dedupe, post_id)
    SELECT pe.id, p_kind, left(p_subject_ja, 300), left(p_subject_en, 300), p_link,
           p_dedupe, p_post
    FROM council.people pe
    WHERE pe.org_id = ANY (p_orgs) AND pe.active
      AND pe.id IS DISTINCT FROM council.current_person_id()
      AND CASE p_pref
              WHEN 'new_in_scope' THEN pe.notify_new_in_scope
              WHEN 'feedback_due' THEN pe.notify_feedback_due
              WHEN 'consent_request' THEN pe.notify_consent_request
              WHEN 'governance' THEN pe.notify_governance
          END
      AND (p_post IS NULL OR council.person_sees_post(pe.id, p_post))
    ON CONFLICT (person_id, dedupe) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- The kind of post k as the subjects name it: {ja, en}.
CREATE OR REPLACE FUNCTION council.notify_kind_name(k council.post_kind) RETURNS text[]
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE k
        WHEN 'consultation' THEN ARRAY['相談', 'consultation']
        WHEN 'analysis' THEN ARRAY['分析（未確定）', 'analysis (unconfirmed)']
        WHEN 'countermeasure' THEN ARRAY['対策情報', 'countermeasure']
        WHEN 'alert' THEN ARRAY['注意喚起', 'alert']
        ELSE ARRAY['報告', 'report'] END
$$;

-- Tell the audience of top-level post p, but its author, that it is there:
-- the task-force members it asks for feedback first (feedback.requested),
-- everyone else who was not told of it yet (post.new).  Both use the key
-- post.new:p, so a person is told of a post once; called again after the
-- audience grew (a consent, a widening), it tells only the newcomers.
CREATE OR REPLACE FUNCTION council.notify_post_audience(p bigint) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x     council.posts;
    v_k   text[];
    v_at  text;
    n     integer := 0;
BEGIN
    SELECT * INTO x FROM council.posts WHERE id = p AND parent_id IS NULL;
    IF x.id IS NULL THEN
        RETURN 0;
    END IF;
    v_k := council.notify_kind_name(x.kind);
    IF x.feedback_deadline IS NOT NULL AND x.feedback_deadline > now() THEN
        -- R-TF-5: the task-force members it reached owe feedback.
        v_at := to_char(x.feedback_deadline AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI');
        n := council.notify_people(p, ARRAY(
                SELECT a.org_id FROM council.post_audience a
                JOIN council.organisations o ON o.id = a.org_id
                WHERE a.post_id = p AND NOT a.is_author
                  AND o.tf_class IN ('type1', 'type2')),
            'feedback_due', 'feedback.requested',
            format('フィードバックの依頼（期限 %s JST）: %s #%s', v_at, v_k[1], p),
            format('Feedback requested (due %s JST): %s #%s', v_at, v_k[2], p),
            '/posts/' || p, 'post.new:' || p);
    END IF;
    n := n + council.notify_people(p, ARRAY(
            SELECT a.org_id FROM council.post_audience a
            WHERE a.post_id = p AND NOT a.is_author),
        'new_in_scope', 'post.new',
        format('新しい%s: #%s', v_k[1], p),
        format('New %s: #%s', v_k[2], p),
        '/posts/' || p, 'post.new:' || p);
    RETURN n;
END
$$;

-- After create_post: a top-level post is told to its audience; a reply to
-- the organisation that wrote the post it answers (advice, when it answers
-- a consultation from another organisation: R-SHARE-1), if that
-- organisation reads the reply.
CREATE OR REPLACE FUNCTION council.notify_post_created(p bigint) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x          council.posts;
    parent     council.posts;
    v_by       bigint;
    v_to       bigint;
    v_advice   boolean;
BEGIN
    SELECT * INTO x FROM council.posts WHERE id = p;
    IF x.parent_id IS NULL THEN
        RETURN council.notify_post_audience(p);
    END IF;
    SELECT * INTO parent FROM council.posts WHERE id = x.parent_id;
    SELECT org_id INTO v_by FROM council.post_authors WHERE post_id = p;
    SELECT org_id INTO v_to FROM council.post_authors WHERE post_id = parent.id;
    IF v_to IS NULL OR v_to = v_by THEN
        RETURN 0;
    END IF;
    v_advice := parent.kind = 'consultation' AND parent.parent_id IS NULL;
    RETURN council.notify_people(p, ARRAY[v_to], 'new_in_scope',
        CASE WHEN v_advice THEN 'post.advice' ELSE 'post.reply' END,
        CASE WHEN v_advice THEN format('相談 #%s に助言がありました', parent.id)
             ELSE format('投稿 #%s に返信がありました', parent.id) END,
        CASE WHEN v_advice THEN format('Advice on your consultation #%s', parent.id)
             ELSE format('A reply to post #%s', parent.id) END,
        '/posts/' || p, 'post.reply:' || p);
END
$$;

-- R-SCOPE-4: consent c was asked: tell the source's giver, who decides.
CREATE OR REPLACE FUNCTION council.notify_consent_requested(c bigint) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    k  council.consents;
BEGIN
    SELECT * INTO k FROM council.consents WHERE id = c;
    -- Issue 13 item 5: for a report, its reporter (which reads the
    -- warning: council.audience_compute).
    IF k.source_incident_id IS NOT NULL THEN
        RETURN council.notify_people(k.post_id, ARRAY(
                SELECT r.org_id FROM council.incident_reports r
                WHERE r.id = k.source_incident_id),
            'consent_request', 'consent.requested',
            format('同意の依頼: あなたの事案報告 #%s から作られた注意喚起', k.source_incident_id),
            format('Consent requested: a warning drawn from your incident report #%s',
                   k.source_incident_id),
            '/consents', 'consent.requested:' || c);
    END IF;
    RETURN council.notify_people(k.source_post_id, ARRAY(
            SELECT a.org_id FROM council.post_authors a WHERE a.post_id = k.source_post_id),
        'consent_request', 'consent.requested',
        format('同意の依頼: あなたの投稿 #%s の情報を含む投稿', k.source_post_id),
        format('Consent requested: a post using your post #%s', k.source_post_id),
        '/consents', 'consent.requested:' || c);
END
$$;

-- R-SCOPE-4: consent c was decided: tell the deriver; a grant may have
-- widened the derived post's audience: tell the newcomers of it.
CREATE OR REPLACE FUNCTION council.notify_consent_decided(c bigint) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    k  council.consents;
    n  integer;
BEGIN
    SELECT * INTO k FROM council.consents WHERE id = c;
    n := council.notify_people(k.post_id, ARRAY(
            SELECT a.org_id FROM council.post_authors a WHERE a.post_id = k.post_id),
        'consent_request', 'consent.' || k.status,
        CASE WHEN k.status = 'granted' THEN format('同意されました: 投稿 #%s', k.post_id)
             ELSE format('同意されませんでした: 投稿 #%s', k.post_id) END,
        CASE WHEN k.status = 'granted' THEN format('Consent granted: post #%s', k.post_id)
             ELSE format('Consent refused: post #%s', k.post_id) END,
        '/posts/' || k.post_id, 'consent.decided:' || c);
    RETURN n + council.notify_post_audience(k.post_id);
END
$$;

-- Tell the seats of committee motion m (R-GOV-5) that keep governance
-- notifications on, but the person acting (p_unvoted: only those that
-- have not voted), of event p_kind, once (dedupe "<kind>:<m>").  The
-- subjects are p_ja and p_en with %1$s the closing time (JST) and %2$s
-- the motion.  Returns how many people were told.
CREATE OR REPLACE FUNCTION council.notify_seats(m bigint, p_kind text, p_ja text,
    p_en text, p_unvoted boolean)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_at  text := (SELECT to_char(x.closes_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI')
                   FROM council.sc_motions x WHERE x.id = m);
    n     integer;
BEGIN
    INSERT INTO council.notifications (person_id, kind, subject_ja, subject_en, link, dedupe)
    SELECT pe.id, p_kind, format(p_ja, v_at, m), format(p_en, v_at, m),
           '/committee/' || m, p_kind || ':' || m
    FROM council.sc_seats s JOIN council.people pe ON pe.id = s.person_id
    WHERE s.motion_id = m AND pe.active AND pe.notify_governance
      AND pe.id IS DISTINCT FROM council.current_person_id()
      AND NOT (p_unvoted AND EXISTS (SELECT 1 FROM council.sc_ballots b
                                     WHERE b.motion_id = m AND b.person_id = pe.id))
    ON CONFLICT (person_id, dedupe) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- A committee poll opened: its seats are told (R-GOV-5).
CREATE OR REPLACE FUNCTION council.notify_sc_open() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    PERFORM council.notify_seats(NEW.id, 'sc.open',
        '運営委員会の議決が始まりました（締切 %1$s JST）: 議案 #%2$s',
        'Steering committee vote opened (closes %1$s JST): motion #%2$s', false);
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS sc_motions_notify_open ON council.sc_motions;
CREATE TRIGGER sc_motions_notify_open AFTER UPDATE OF status ON council.sc_motions
    FOR EACH ROW WHEN (OLD.status = 'draft' AND NEW.status = 'open')
    EXECUTE FUNCTION council.notify_sc_open();

-- A general-assembly vote opened: every member organisation's acting
-- person is told (R-GOV-2, as the notice: notify_org).
CREATE OR REPLACE FUNCTION council.notify_ga_open() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint;
    v_at   text := to_char(NEW.closes_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI');
BEGIN
    FOR v_org IN SELECT o.id FROM council.organisations o WHERE o.status = 'member' LOOP
        PERFORM council.notify_org(v_org, NEW.assembly_id, 'ga.open',
            format('総会の議決が始まりました（締切 %s JST）: 議題 %s', v_at, NEW.position),
            format('General assembly vote opened (closes %s JST): item %s', v_at, NEW.position),
            '/assemblies/' || NEW.assembly_id, 'ga.open:' || NEW.id);
    END LOOP;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS ga_items_notify_open ON council.ga_items;
CREATE TRIGGER ga_items_notify_open AFTER UPDATE OF status ON council.ga_items
    FOR EACH ROW WHEN (OLD.status <> 'open' AND NEW.status = 'open')
    EXECUTE FUNCTION council.notify_ga_open();

-- The server's reminders of deadlines (councild's timer, server/core/
-- timer.c): a feedback deadline within a day for the task-force members
-- that gave none (R-TF-5), a committee poll closing within a day for the
-- seats that did not vote.  Once per person and deadline.  No identity.
-- Returns how many people were reminded.
CREATE OR REPLACE FUNCTION council.notify_due() RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    x     record;
    n     integer := 0;
    v_at  text;
BEGIN
    FOR x IN SELECT p.id, p.kind, p.feedback_deadline FROM council.posts p
             WHERE p.feedback_deadline > now()
               AND p.feedback_deadline <= now() + interval '1 day'
               AND p.parent_id IS NULL
    LOOP
        v_at := to_char(x.feedback_deadline AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI');
        n := n + council.notify_people(x.id, ARRAY(
                SELECT a.org_id FROM council.post_audience a
                JOIN council.organisations o ON o.id = a.org_id
                WHERE a.post_id = x.id AND NOT a.is_author
                  AND o.tf_class IN ('type1', 'type2')
                  AND NOT EXISTS (SELECT 1 FROM council.feedback f
                                  WHERE f.post_id = x.id AND f.org_id = a.org_id)),
            'feedback_due', 'feedback.due',
            format('フィードバックの期限が近づいています（%s JST）: #%s', v_at, x.id),
            format('Feedback due soon (%s JST): #%s', v_at, x.id),
            '/posts/' || x.id, 'feedback.due:' || x.id);
    END LOOP;
    FOR x IN SELECT m.id FROM council.sc_motions m
             WHERE m.status = 'open' AND m.closes_at > now()
               AND m.closes_at <= now() + interval '1 day'
    LOOP
        n := n + council.notify_seats(x.id, 'sc.closing',
            '運営委員会の議決の締切が近づいています（%1$s JST）: 議案 #%2$s',
            'Steering committee vote closes soon (%1$s JST): motion #%2$s', true);
    END LOOP;
    RETURN n;
END
$$;

-- The caller opened post p (council.mark_read, the post's page): its
-- notifications about p are read (issue 17: what was looked at stops
-- counting in the header's badge).  Returns how many were marked.
CREATE OR REPLACE FUNCTION council.notifications_seen(p bigint) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n  integer;
BEGIN
    UPDATE council.notifications SET read_at = now()
    WHERE person_id = council.current_person_id() AND post_id = p AND read_at IS NULL
      AND council.current_sees_post(p);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- The caller's votes waiting (for my_tasks): a committee poll open on the
-- caller's seat that it did not vote on (R-GOV-5); an open assembly vote
-- for which it acts for its organisation (ga_acts_for_org), that has
-- neither voted nor given a proxy, and one it holds proxies for, not all
-- voted yet ('ga_proxy', R-GOV-3).  SECURITY DEFINER: the
-- caller's identity decides every row, nothing else is read out.
CREATE OR REPLACE FUNCTION council.my_vote_tasks()
    RETURNS TABLE (kind text, ref bigint, title text, due timestamptz, link text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me   bigint := council.current_person_id();
    v_org  bigint := council.current_org_id();
BEGIN
    IF v_me IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT 'sc_vote', m.id, m.title, m.closes_at, '/committee/' || m.id
    FROM council.sc_motions m
    JOIN council.sc_seats s ON s.motion_id = m.id AND s.person_id = v_me
    WHERE m.status = 'open'
      AND NOT EXISTS (SELECT 1 FROM council.sc_ballots b
                      WHERE b.motion_id = m.id AND b.person_id = v_me)
    UNION ALL
    SELECT 'ga_vote', i.assembly_id, i.title, i.closes_at, '/assemblies/' || i.assembly_id
    FROM council.ga_items i
    WHERE i.status = 'open'
      AND council.ga_acts_for_org(i.assembly_id)
      AND NOT EXISTS (SELECT 1 FROM council.ga_ballots b
                      WHERE b.item_id = i.id AND b.org_id = v_org)
      AND NOT EXISTS (SELECT 1 FROM council.ga_proxies x
                      WHERE x.assembly_id = i.assembly_id AND x.revoked_at IS NULL
                        AND x.principal_org_id = v_org)
    UNION ALL
    -- R-GOV-3: an open vote for which the caller holds a proxy (as its
    -- organisation's acting person, or the chair's) not yet voted.
    SELECT DISTINCT 'ga_proxy', i.assembly_id, i.title, i.closes_at,
           '/assemblies/' || i.assembly_id
    FROM council.ga_items i
    JOIN council.ga_proxies x ON x.assembly_id = i.assembly_id AND x.revoked_at IS NULL
    WHERE i.status = 'open'
      AND ((NOT x.to_chair AND x.holder_org_id = v_org
            AND council.ga_acts_for_org(i.assembly_id))
           OR (x.to_chair AND council.ga_is_chair()))
      AND NOT EXISTS (SELECT 1 FROM council.ga_ballots b
                      WHERE b.item_id = i.id AND b.org_id = x.principal_org_id);
END
$$;

-- "My tasks" (issue 17): everything waiting for the caller, as the
-- caller's own reads show it (SECURITY INVOKER: every row passes the
-- policies of what it comes from).  kind: 'feedback' (R-TF-5, my
-- organisation owes feedback; ref the post, due its deadline), 'consent'
-- (R-SCOPE-4, mine to decide; ref the consent, post the source), 'sc_vote'
-- (a committee poll open on my seat, not voted), 'ga_vote' (an assembly
-- vote open for my organisation, not cast; ref the assembly), 'ga_proxy'
-- (one for a member whose proxy I hold, not cast), 'coop' (a request for
-- cooperation standing, not answered by my organisation).  Soonest
-- first; at most 200.
CREATE OR REPLACE FUNCTION council.my_tasks()
    RETURNS TABLE (kind text, ref bigint, post_id bigint, title text,
                   due timestamptz, link text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT * FROM (
        SELECT 'feedback', o.post_id, o.post_id, o.title, o.deadline,
               '/posts/' || o.post_id
        FROM council.my_obligations() o
        UNION ALL
        SELECT 'consent', c.id, c.source_post_id,
               coalesce(c.source_title, c.incident_title), NULL::timestamptz,
               '/consents'
        FROM council.my_consents() c
        WHERE c.mine_to_decide AND c.status = 'pending'
        UNION ALL
        SELECT v.kind, v.ref, NULL, v.title, v.due, v.link FROM council.my_vote_tasks() v
        UNION ALL
        SELECT 'coop', q.id, NULL, NULL, NULL::timestamptz, '/cooperation'
        FROM council.coop_requests q
        WHERE q.withdrawn_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM council.coop_answers a
                          WHERE a.request_id = q.id
                            AND a.org_id = (SELECT me.org_id FROM council.me))
          AND NOT coalesce((SELECT me.is_committee OR me.is_secretariat FROM council.me), false)
    ) t (kind, ref, post_id, title, due, link)
    ORDER BY due NULLS LAST, kind, ref
    LIMIT 200
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.notify_people(bigint, bigint[], text, text, text, text, text, text)
    OWNER TO council_definer;
ALTER FUNCTION council.notify_post_audience(bigint) OWNER TO council_definer;
ALTER FUNCTION council.notify_post_created(bigint) OWNER TO council_definer;
ALTER FUNCTION council.notify_consent_requested(bigint) OWNER TO council_definer;
ALTER FUNCTION council.notify_consent_decided(bigint) OWNER TO council_definer;
ALTER FUNCTION council.notify_sc_open() OWNER TO council_definer;
ALTER FUNCTION council.notify_seats(bigint, text, text, text, boolean) OWNER TO council_definer;
ALTER FUNCTION council.notify_ga_open() OWNER TO council_definer;
ALTER FUNCTION council.notify_due() OWNER TO council_definer;
ALTER FUNCTION council.my_vote_tasks() OWNER TO council_definer;
ALTER FUNCTION council.notifications_seen(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.notify_people(bigint, bigint[], text, text, text, text, text, text),
    council.notify_post_audience(bigint), council.notify_post_created(bigint),
    council.notify_consent_requested(bigint), council.notify_consent_decided(bigint),
    council.notify_sc_open(), council.notify_ga_open(), council.notify_due(),
    council.my_vote_tasks(), council.notify_seats(bigint, text, text, text, boolean),
    council.notifications_seen(bigint) FROM PUBLIC;
-- The writers call them after their own work (42, 43).
GRANT EXECUTE ON FUNCTION council.notify_post_created(bigint),
    council.notify_post_audience(bigint), council.notify_consent_requested(bigint),
    council.notify_consent_decided(bigint), council.notifications_seen(bigint)
    TO council_writer;
GRANT EXECUTE ON FUNCTION council.notify_due(), council.my_tasks(), council.my_vote_tasks()
    TO council_app;
