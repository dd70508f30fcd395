-- policy/77_notifications.sql: notifications and the e-mail that carries
-- them (migrations/0018_notifications.sql, docs/governance.md
-- "Notices and reminders").  Re-applied by "councilctl migrate".
--
-- Who is told about a general assembly: for each member organisation, the
-- person who acts for it there (its designated representative, else its
-- active administrators, as council.ga_acts_for_org), if that person keeps
-- governance notifications on (people.notify_governance, R-GOV-2).

-- Tell the people who act for organisation p_org in assembly p_assembly.
-- Returns how many people were told now (a dedupe already used tells
-- nobody again).
CREATE OR REPLACE FUNCTION council.notify_org(p_org bigint, p_assembly bigint,
    p_kind text, p_subject_ja text, p_subject_en text, p_link text, p_dedupe text)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n  integer;
BEGIN
    INSERT INTO council.notifications (person_id, kind, subject_ja, subject_en, link, dedupe)
    SELECT p.id, p_kind, left(p_subject_ja, 300), left(p_subject_en, 300), p_link, p_dedupe
    FROM council.people p
    LEFT JOIN council.ga_representatives r
           ON r.assembly_id = p_assembly AND r.org_id = p_org
    WHERE p.org_id = p_org AND p.active AND p.notify_governance
      AND CASE WHEN r.person_id IS NOT NULL THEN r.person_id = p.id
               ELSE p.is_org_admin END
    ON CONFLICT (person_id, dedupe) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- R-GOV-2: the notice of a convened assembly reaches each member
-- organisation's people on the portal (and by e-mail, by their choice).
CREATE OR REPLACE FUNCTION council.ga_notice_notify() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    g  council.ga_assemblies;
BEGIN
    SELECT * INTO g FROM council.ga_assemblies WHERE id = NEW.assembly_id;
    PERFORM council.notify_org(NEW.org_id, g.id, 'ga.notice',
        '総会の招集: ' || g.title, 'General assembly convened: ' || g.title,
        '/assemblies/' || g.id, 'ga.notice:' || g.id);
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS ga_notices_notify ON council.ga_notices;
CREATE TRIGGER ga_notices_notify AFTER INSERT ON council.ga_notices
    FOR EACH ROW EXECUTE FUNCTION council.ga_notice_notify();

-- Remind, for open poll p, every member organisation that has neither
-- voted nor given a proxy (council.ga_reminders: the chair or the
-- secretariat only; 403, 404, 409 as there).  p_auto: the server's own
-- reminder (council.ga_remind_due), once per poll.  A person is reminded
-- of one poll at most once an hour.  Returns {"item", "organisations",
-- "people"}.
CREATE OR REPLACE FUNCTION council.ga__remind(p bigint, p_orgs bigint[], p_auto boolean)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    i       council.ga_items;
    v_org   bigint;
    v_n     integer := 0;
    v_res   jsonb;
    v_key   text;
BEGIN
    SELECT * INTO i FROM council.ga_items WHERE id = p;
    v_key := CASE WHEN p_auto THEN format('ga.reminder.auto:%s', p)
                  ELSE format('ga.reminder:%s:%s', p, to_char(now(), 'YYYYMMDDHH24')) END;
    FOREACH v_org IN ARRAY coalesce(p_orgs, '{}') LOOP
        v_n := v_n + council.notify_org(v_org, i.assembly_id, 'ga.reminder',
            format('総会の議決（締切 %s JST）: %s',
                   to_char(i.closes_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), i.title),
            format('General assembly vote (closes %s JST): %s',
                   to_char(i.closes_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI'), i.title),
            '/assemblies/' || i.assembly_id, v_key);
    END LOOP;
    v_res := jsonb_build_object('item', p, 'organisations', cardinality(coalesce(p_orgs, '{}')),
                                'people', v_n, 'auto', p_auto);
    PERFORM council.audit('ga.reminders', 'ga_item', p, v_res);
    RETURN v_res;
END
$$;

CREATE OR REPLACE FUNCTION council.ga_send_reminders(p bigint) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    -- ga_reminders checks the caller, the item and the poll (and closes
    -- it first when due).
    RETURN council.ga__remind(p, ARRAY(SELECT r.org_id FROM council.ga_reminders(p) r), false);
END
$$;

-- The server's reminder: once per poll, when an open poll closes within
-- a day (or, for a shorter poll, once half of its time has passed).
-- No identity: the audit row names no person.  Returns the polls reminded.
CREATE OR REPLACE FUNCTION council.ga_remind_due() RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    i       council.ga_items;
    v_sess  text := coalesce(current_setting('council.session', true), '');
    n       integer := 0;
BEGIN
    PERFORM set_config('council.session', '', true);
    FOR i IN SELECT * FROM council.ga_items x
             WHERE x.status = 'open' AND x.closes_at > now()
               AND now() >= greatest(x.closes_at - interval '1 day',
                                     x.opened_at + (x.closes_at - x.opened_at) / 2)
               AND NOT EXISTS (SELECT 1 FROM council.audit_log a
                               WHERE a.action = 'ga.reminders' AND a.object_type = 'ga_item'
                                 AND a.object_id = x.id AND (a.detail->>'auto')::boolean)
             ORDER BY x.id
             FOR UPDATE SKIP LOCKED
    LOOP
        PERFORM council.ga__remind(i.id, ARRAY(
            SELECT o.id FROM council.organisations o
            WHERE o.status = 'member'
              AND NOT EXISTS (SELECT 1 FROM council.ga_ballots b
                              WHERE b.item_id = i.id AND b.org_id = o.id)
              AND NOT EXISTS (SELECT 1 FROM council.ga_proxies x
                              WHERE x.assembly_id = i.assembly_id AND x.principal_org_id = o.id
                                AND x.revoked_at IS NULL)
            ORDER BY o.id), true);
        n := n + 1;
    END LOOP;
    PERFORM set_config('council.session', v_sess, true);
    RETURN n;
END
$$;

-- The caller's notifications, newest first (at most 100), and how many
-- are unread.
CREATE OR REPLACE FUNCTION council.my_notifications() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object(
        'unread', (SELECT count(*) FROM council.notifications n WHERE n.read_at IS NULL),
        'notifications', coalesce((SELECT json_agg(json_build_object(
                'id', n.id, 'kind', n.kind, 'subject_ja', n.subject_ja,
                'subject_en', n.subject_en, 'link', n.link, 'created_at', n.created_at,
                'read', n.read_at IS NOT NULL) ORDER BY n.created_at DESC, n.id DESC)
            FROM (SELECT * FROM council.notifications x
                  ORDER BY x.created_at DESC, x.id DESC LIMIT 100) n), '[]'))
$$;

-- Mark the caller's notification p read (p NULL: all of them).  Another
-- person's, or an absent one, is CP404 not_found alike.
CREATE OR REPLACE FUNCTION council.notification_read(p bigint) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me  bigint := council.current_person_id();
    n     integer;
BEGIN
    IF v_me IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    -- Issue 17: one about a post the caller cannot read now is hidden:
    -- not marked, and answered like an absent one.
    UPDATE council.notifications SET read_at = now()
    WHERE person_id = v_me AND (p IS NULL OR id = p) AND read_at IS NULL
      AND (post_id IS NULL OR council.current_sees_post(post_id));
    GET DIAGNOSTICS n = ROW_COUNT;
    IF p IS NOT NULL AND n = 0 AND NOT EXISTS (
            SELECT 1 FROM council.notifications WHERE id = p AND person_id = v_me
              AND (post_id IS NULL OR council.current_sees_post(post_id))) THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN n;
END
$$;

-- councild's mailer (server/core/mail.c) claims the e-mails due: one per
-- notification for people who chose "immediate"; for "daily", one digest
-- a day of what came before the day's p_hour o'clock JST, from that hour
-- on.  Claimed rows are marked mailed; the mailer gives back (mail_unclaim)
-- what it could not write, so nothing is lost.  Only active people, with
-- the person's language.  At most p_limit e-mails per call.  body: for
-- each notification its subject and, on the next line, p_url and its page;
-- a blank line between them.
DROP FUNCTION IF EXISTS council.mail_claim(integer, integer);
CREATE OR REPLACE FUNCTION council.mail_claim(p_limit integer, p_hour integer DEFAULT 8,
    p_url text DEFAULT '')
    RETURNS TABLE (ids bigint[], email text, lang text, subject text, body text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_cut  timestamptz := (date_trunc('day', now() AT TIME ZONE 'Asia/Tokyo')
                           + make_interval(hours => p_hour)) AT TIME ZONE 'Asia/Tokyo';
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT n.id, n.person_id, p.email, p.lang, p.email_digest,
               CASE WHEN p.lang = 'en' THEN n.subject_en ELSE n.subject_ja END AS subj,
               n.link, n.created_at
        FROM council.notifications n
        JOIN council.people p ON p.id = n.person_id
        WHERE n.mailed_at IS NULL AND p.active
          -- Issue 17: about a post, only while the person may read it
          -- (a notification that is hidden now waits, unmailed).
          AND (n.post_id IS NULL OR council.person_sees_post(n.person_id, n.post_id))
          AND (p.email_digest = 'immediate'
               OR (p.email_digest = 'daily' AND now() >= v_cut AND n.created_at < v_cut))
        FOR UPDATE OF n SKIP LOCKED
    ), mails AS (
        SELECT ARRAY[d.id] AS m_ids, d.email AS m_email, d.lang AS m_lang,
               d.subj AS m_subject, d.subj || E'\n' || p_url || d.link AS m_body,
               d.created_at AS m_at
        FROM due d WHERE d.email_digest = 'immediate'
        UNION ALL
        SELECT array_agg(d.id ORDER BY d.created_at), min(d.email), min(d.lang),
               CASE WHEN min(d.lang) = 'en' THEN 'Council Portal: daily summary'
                    ELSE '協議会ポータル: 本日のお知らせ' END,
               string_agg(d.subj || E'\n' || p_url || d.link, E'\n\n' ORDER BY d.created_at),
               min(d.created_at)
        FROM due d WHERE d.email_digest = 'daily'
        GROUP BY d.person_id
    ), picked AS (
        SELECT * FROM mails ORDER BY m_at LIMIT greatest(p_limit, 0)
    ), marked AS (
        UPDATE council.notifications n SET mailed_at = now()
        WHERE n.id IN (SELECT unnest(m_ids) FROM picked)
    )
    SELECT m_ids, m_email, m_lang, m_subject, m_body FROM picked;
END
$$;

CREATE OR REPLACE FUNCTION council.mail_unclaim(p_ids bigint[]) RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    UPDATE council.notifications SET mailed_at = NULL WHERE id = ANY (p_ids)
$$;

------------------------------------------------------------------------
-- The JSON API's rows (docs/api.md), council.api__<name>(request), reached
-- through the door council.api_call (policy/15_api.sql): they raise, the
-- door answers (status, body), and a refused call changes nothing.
-- SECURITY INVOKER: they call the functions above as council_app would.
------------------------------------------------------------------------

-- GET /api/v1/notifications: the caller's (council.my_notifications).
-- POST /api/v1/notifications {"read": N} or {"read": "all"}: mark read;
-- answers {"marked": n}.  Another person's notification is not_found.
CREATE OR REPLACE FUNCTION council.api__notifications_read(r jsonb,
    OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb := council.api_args(r->>'body', '{"read": null}', 'invalid_read');
BEGIN
    IF a->'read' = '"all"' THEN
        body := json_build_object('marked', council.notification_read(NULL))::text;
    ELSIF jsonb_typeof(a->'read') = 'number' THEN
        body := json_build_object('marked',
            council.notification_read((a->>'read')::bigint))::text;
    ELSE
        RAISE EXCEPTION 'invalid_read' USING ERRCODE = 'CP422';
    END IF;
    status := 200;
END
$$;

-- A person reads their own notifications only; one about a post only
-- while the person reads the post (issue 17: a notification never outlives
-- its post's visibility, and never tells of a hidden post).  The EXISTS
-- reads the post's audience under post_audience's own policy
-- (41_sharing_policies.sql: posts_audience and posts_secret as they stand,
-- and the coordinator's way in), so the rules are stated once.  One index
-- probe per row: reading posts under all its policies instead cost ~1.5 ms
-- a page for 30 unread (the header's badge counts them on every page).  The
-- secretariat is told only of posts in its own audience.  tests/sql/32 and
-- tests/http/notify.sh hold it to the posts' visibility.
CREATE POLICY notifications_own ON council.notifications FOR SELECT TO council_app
    USING (person_id = (SELECT me.person_id FROM council.me)
           AND (post_id IS NULL
                OR EXISTS (SELECT 1 FROM council.post_audience a
                           WHERE a.post_id = notifications.post_id
                           -- OFFSET 0: probe the audience for each row (as
                           -- posts_audience does); without it the planner
                           -- hashes every audience row the caller reads.
                           OFFSET 0)));

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.notify_org(bigint, bigint, text, text, text, text, text)
    OWNER TO council_definer;
ALTER FUNCTION council.ga_notice_notify() OWNER TO council_definer;
ALTER FUNCTION council.ga__remind(bigint, bigint[], boolean) OWNER TO council_definer;
ALTER FUNCTION council.ga_send_reminders(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ga_remind_due() OWNER TO council_definer;
ALTER FUNCTION council.notification_read(bigint) OWNER TO council_definer;
ALTER FUNCTION council.mail_claim(integer, integer, text) OWNER TO council_definer;
ALTER FUNCTION council.mail_unclaim(bigint[]) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.notify_org(bigint, bigint, text, text, text, text, text),
    council.ga_notice_notify(), council.ga__remind(bigint, bigint[], boolean)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION council.ga_send_reminders(bigint), council.ga_remind_due(),
    council.notification_read(bigint), council.mail_claim(integer, integer, text),
    council.mail_unclaim(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.ga_send_reminders(bigint), council.ga_remind_due(),
    council.my_notifications(), council.notification_read(bigint),
    council.mail_claim(integer, integer, text), council.mail_unclaim(bigint[]) TO council_app;

-- R-COOP-1: an issued request for cooperation is told to the members it
-- asks (every member when it names none): their administrators, who
-- answer it (/cooperation).
CREATE OR REPLACE FUNCTION council.coop_request_notify() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint;
BEGIN
    FOR v_org IN SELECT o.id FROM council.organisations o
                 WHERE o.status = 'member'
                   AND (NEW.addressee_org_id IS NULL OR o.id = NEW.addressee_org_id)
    LOOP
        PERFORM council.notify_org(v_org, NULL, 'coop.request',
            '運営委員会からの協力の求め', 'A request for cooperation from the steering committee',
            '/cooperation', 'coop.request:' || NEW.id);
    END LOOP;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS coop_requests_notify ON council.coop_requests;
CREATE TRIGGER coop_requests_notify AFTER INSERT ON council.coop_requests
    FOR EACH ROW EXECUTE FUNCTION council.coop_request_notify();
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.coop_request_notify() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.coop_request_notify() FROM PUBLIC;
