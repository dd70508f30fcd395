-- policy/94_training.sql: handler safety management (issue 14 item 7;
-- R-NEW-6, basic policy ch. 6 §5; migrations/0041_handler_training.sql).
-- Re-applied by "councilctl migrate".
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- Per handler, the date of its last secrecy training: a handler whose
-- training is older than the council's period (training_days, 365 by
-- default) loses secret access until its administrator records a new one
-- (council.me, policy/10_identity.sql: secrets_until; nothing has to run
-- first).  A registration counts as the administrator's statement that
-- the person was trained that day (register_handler records no other
-- date), so no handler is "never trained".  Per organisation, its
-- administrator confirms the handler list every confirm_days (365); an
-- overdue confirmation takes nothing away: the administrators and the
-- coordinator are warned, and the coordinator's overview shows it.
-- Warnings: warn_days (30) before either falls due, the handler and its
-- administrators (for a training) or the administrators (for the list)
-- are told once, and once more when it is overdue
-- (council.training_remind_due, run by councild's clock,
-- server/core/timer.c, at most every ten minutes).
--
-- Who sees: a handler its own training; an organisation's people its
-- handlers' trainings and confirmations (as handler registrations,
-- policy/20_members.sql); the coordinator every organisation's; every
-- signed-in person the periods.  Who writes: the organisation's
-- administrator (trainings, confirmations); the coordinator's
-- administrator (the periods).

-- R-NEW-6: today in Japan.
CREATE OR REPLACE FUNCTION council.training_today() RETURNS date
    LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$ SELECT (now() AT TIME ZONE 'Asia/Tokyo')::date $$;

-- R-NEW-6: the state of a training of date d: 'overdue' from the day it
-- expires (d + training_days: secret access has ended), 'expiring' from
-- warn_days before, else 'valid'.
CREATE OR REPLACE FUNCTION council.training_state(d date) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE WHEN council.training_today() >= d + s.training_days THEN 'overdue'
                WHEN council.training_today() >= d + s.training_days - s.warn_days THEN 'expiring'
                ELSE 'valid' END
    FROM council.handler_safety_settings s
$$;

-- R-NEW-6: the date organisation o's handler list must be confirmed by:
-- confirm_days after its last confirmation, or after tracking began.
-- NULL to a person of another organisation than o but the coordinator
-- (confirmations are seen as registrations are); with no identity (the
-- clock's run) for every organisation.
CREATE OR REPLACE FUNCTION council.handler_confirm_due(o bigint) RETURNS date
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT (greatest(s.introduced_at,
                     (SELECT max(c.confirmed_at) FROM council.handler_list_confirmations c
                      WHERE c.org_id = o)) AT TIME ZONE 'Asia/Tokyo')::date + s.confirm_days
    FROM council.handler_safety_settings s
    WHERE NOT EXISTS (SELECT 1 FROM council.me)
       OR EXISTS (SELECT 1 FROM council.me m WHERE m.org_id = o OR m.is_coordinator)
$$;

-- R-NEW-6: 'overdue' from the due date on, 'expiring' from warn_days
-- before, else 'valid' (NULL where handler_confirm_due is).
CREATE OR REPLACE FUNCTION council.handler_confirm_state(o bigint) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE WHEN d IS NULL THEN NULL
                WHEN council.training_today() >= d THEN 'overdue'
                WHEN council.training_today() >= d - s.warn_days THEN 'expiring'
                ELSE 'valid' END
    FROM council.handler_safety_settings s, council.handler_confirm_due(o) d
$$;

-- R-NEW-6: the caller administers its organisation (CP401, CP403
-- org_admin_only: council.current_admin_org) and person p is one of its
-- people with an open registration (CP404 person_not_found, as for an
-- absent id; CP422 not_registered).  Returns the registration.
CREATE OR REPLACE FUNCTION council.training_registration(p bigint)
    RETURNS council.handler_registrations
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org  bigint := council.current_admin_org();
    h      council.handler_registrations;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM council.people x WHERE x.id = p AND x.org_id = v_org) THEN
        RAISE EXCEPTION 'person_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT * INTO h FROM council.handler_registrations r
    WHERE r.person_id = p AND r.deregistered_at IS NULL;
    IF h.id IS NULL THEN
        RAISE EXCEPTION 'not_registered' USING ERRCODE = 'CP422';
    END IF;
    RETURN h;
END
$$;

-- R-NEW-6: the administrator records that handler p took the secrecy
-- training on p_on (JST; not in the future, not before the training now
-- recorded: CP422 invalid_trained_on).  Secret access follows at once
-- (the session identity triggers).  Returns the date until which the
-- handler may handle secrets.
CREATE OR REPLACE FUNCTION council.training_record(p bigint, p_on date) RETURNS date
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    h  council.handler_registrations := council.training_registration(p);
BEGIN
    IF p_on IS NULL OR p_on > council.training_today() OR p_on < h.trained_on
       OR p_on < date '1990-01-01' THEN
        RAISE EXCEPTION 'invalid_trained_on' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.handler_registrations
    SET trained_on = p_on, trained_recorded_by = council.current_person_id()
    WHERE id = h.id;
    INSERT INTO council.handler_trainings (registration_id, person_id, trained_on, recorded_by)
    VALUES (h.id, p, p_on, council.current_person_id());
    PERFORM council.audit('handler.training', 'person', p,
        jsonb_build_object('trained_on', p_on));
    RETURN p_on + (SELECT s.training_days FROM council.handler_safety_settings s);
END
$$;

-- R-NEW-6: the administrator confirms its organisation's handler list as
-- it stands (the yearly confirmation).  Returns the next due date.
CREATE OR REPLACE FUNCTION council.handler_list_confirm() RETURNS date
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org   bigint := council.current_admin_org();
    v_list  bigint[];
BEGIN
    v_list := ARRAY(SELECT r.person_id FROM council.handler_registrations r
                    JOIN council.people x ON x.id = r.person_id
                    WHERE x.org_id = v_org AND r.deregistered_at IS NULL ORDER BY 1);
    INSERT INTO council.handler_list_confirmations (org_id, confirmed_by, handlers)
    VALUES (v_org, council.current_person_id(), v_list);
    PERFORM council.audit('handler.confirm', 'organisation', v_org,
        jsonb_build_object('handlers', cardinality(v_list)));
    RETURN council.handler_confirm_due(v_org);
END
$$;

-- R-NEW-6: the coordinator's administrator sets the periods (days; NULL
-- keeps one): training 30..1095, warning 1..180 and shorter than both
-- others, confirmation 30..1095 (CP422 invalid_period).  Every session's
-- secret access follows at once (policy/10_identity.sql).
CREATE OR REPLACE FUNCTION council.handler_safety_set(p_training integer, p_warn integer,
    p_confirm integer) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    s  council.handler_safety_settings;
BEGIN
    PERFORM council.current_admin_org();
    IF NOT council.current_is_coordinator() THEN
        RAISE EXCEPTION 'coordinator_only' USING ERRCODE = 'CP403';
    END IF;
    SELECT * INTO s FROM council.handler_safety_settings;
    p_training := coalesce(p_training, s.training_days);
    p_warn := coalesce(p_warn, s.warn_days);
    p_confirm := coalesce(p_confirm, s.confirm_days);
    IF p_training NOT BETWEEN 30 AND 1095 OR p_confirm NOT BETWEEN 30 AND 1095
       OR p_warn NOT BETWEEN 1 AND 180 OR p_warn >= p_training OR p_warn >= p_confirm THEN
        RAISE EXCEPTION 'invalid_period' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.handler_safety_settings
    SET training_days = p_training, warn_days = p_warn, confirm_days = p_confirm,
        updated_at = now(), updated_by = council.current_person_id();
    PERFORM council.audit('handler.safety_settings', 'organisation', council.current_org_id(),
        jsonb_build_object('training_days', p_training, 'warn_days', p_warn,
                           'confirm_days', p_confirm));
END
$$;

-- R-NEW-6: the warnings, idempotent (one per training date or due date
-- and state, by the notifications' dedupe).  Run by councild's clock
-- (server/core/timer.c) every 15 seconds; works at most every ten
-- minutes.  Returns how many people were told.
CREATE OR REPLACE FUNCTION council.training_remind_due() RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    n  integer;
    k  integer;
BEGIN
    UPDATE council.handler_safety_settings SET swept_at = now()
    WHERE swept_at IS NULL OR swept_at < now() - interval '10 minutes';
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    -- A handler's training: the handler and its organisation's
    -- administrators.
    INSERT INTO council.notifications (person_id, kind, subject_ja, subject_en, link, dedupe)
    SELECT DISTINCT ON (t.person_id, t.dedupe) t.person_id, t.kind, t.ja, t.en, '/handlers', t.dedupe
    FROM (
        SELECT w.id AS person_id, 'handler.training_' || h.state AS kind,
               CASE h.state WHEN 'overdue'
                    THEN '秘密取扱いの研修の期限が過ぎました: ' || h.name_ja
                    ELSE '秘密取扱いの研修の期限が近づいています: ' || h.name_ja END AS ja,
               CASE h.state WHEN 'overdue'
                    THEN 'Secrecy training overdue: ' || h.name_en
                    ELSE 'Secrecy training expiring soon: ' || h.name_en END AS en,
               format('handler.training.%s:%s:%s', h.state, h.reg, h.trained_on) AS dedupe
        FROM (SELECT r.id AS reg, r.trained_on, x.id AS person, x.org_id, x.name_ja, x.name_en,
                     council.training_state(r.trained_on) AS state
              FROM council.handler_registrations r
              JOIN council.people x ON x.id = r.person_id AND x.active
              JOIN council.organisations o ON o.id = x.org_id AND o.status = 'member'
              WHERE r.deregistered_at IS NULL) h
        JOIN council.people w ON w.active AND (w.id = h.person OR (w.org_id = h.org_id AND w.is_org_admin))
        WHERE h.state <> 'valid') t
    ON CONFLICT (person_id, dedupe) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    -- An organisation's handler list: its administrators; overdue, the
    -- coordinator's administrators too.
    INSERT INTO council.notifications (person_id, kind, subject_ja, subject_en, link, dedupe)
    SELECT DISTINCT ON (w.id, c.dedupe) w.id, 'handler.confirm_' || c.state,
           CASE c.state WHEN 'overdue' THEN '取扱者名簿の年次確認の期限が過ぎました: ' || c.name_ja
                ELSE '取扱者名簿の年次確認の期限が近づいています: ' || c.name_ja END,
           CASE c.state WHEN 'overdue' THEN 'Yearly confirmation of the handler list overdue: ' || c.name_en
                ELSE 'Yearly confirmation of the handler list due soon: ' || c.name_en END,
           '/handlers', c.dedupe
    FROM (SELECT o.id, o.name_ja, o.name_en, council.handler_confirm_state(o.id) AS state,
                 format('handler.confirm.%s:%s:%s', council.handler_confirm_state(o.id), o.id,
                        council.handler_confirm_due(o.id)) AS dedupe
          FROM council.organisations o
          WHERE o.status = 'member'
            AND EXISTS (SELECT 1 FROM council.handler_registrations r
                        JOIN council.people x ON x.id = r.person_id
                        WHERE x.org_id = o.id AND r.deregistered_at IS NULL)) c
    JOIN council.people w ON w.active AND w.is_org_admin
     AND (w.org_id = c.id
          OR (c.state = 'overdue' AND w.org_id = (SELECT o.id FROM council.organisations o
                                                  WHERE o.council_role = 'coordinator')))
    WHERE c.state <> 'valid'
    ON CONFLICT (person_id, dedupe) DO NOTHING;
    GET DIAGNOSTICS k = ROW_COUNT;
    RETURN n + k;
END
$$;

-- R-NEW-6: what the caller sees of handler safety, as JSON:
-- {"settings": {training_days, warn_days, confirm_days},
--  "me": {trained_on, valid_until, state} | null   (the caller, a handler),
--  "admin": true|false, "coordinator": true|false,
--  "org": {id, confirm_due, confirm_state, last_confirmed_at} | null
--         (an administrator's own organisation),
--  "handlers": [{person, name_ja, name_en, trained_on, valid_until, state}]
--         (an administrator's organisation's open registrations),
--  "overview": [{org, name_ja, name_en, handlers, expiring, overdue,
--         confirm_due, confirm_state}] (the coordinator: every member with
--         a handler)}.
-- SECURITY INVOKER: what it reads is what the caller's policies show.
CREATE OR REPLACE FUNCTION council.handlers_json() RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_me     bigint := council.current_person_id();
    v_org    bigint := council.current_org_id();
    v_admin  boolean;
    v_coord  boolean := council.current_is_coordinator();
BEGIN
    IF v_me IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT x.is_org_admin INTO v_admin FROM council.people x WHERE x.id = v_me;
    RETURN json_build_object(
        'settings', (SELECT json_build_object('training_days', s.training_days,
                        'warn_days', s.warn_days, 'confirm_days', s.confirm_days)
                     FROM council.handler_safety_settings s),
        'me', (SELECT json_build_object('trained_on', r.trained_on,
                   'valid_until', r.trained_on + s.training_days,
                   'state', council.training_state(r.trained_on))
               FROM council.handler_registrations r, council.handler_safety_settings s
               WHERE r.person_id = v_me AND r.deregistered_at IS NULL),
        'admin', v_admin, 'coordinator', v_coord,
        'org', CASE WHEN v_admin THEN json_build_object('id', v_org,
                   'confirm_due', council.handler_confirm_due(v_org),
                   'confirm_state', council.handler_confirm_state(v_org),
                   'last_confirmed_at', (SELECT max(c.confirmed_at)
                        FROM council.handler_list_confirmations c WHERE c.org_id = v_org)) END,
        'handlers', CASE WHEN v_admin THEN coalesce((SELECT json_agg(json_build_object(
                   'person', x.id, 'name_ja', x.name_ja, 'name_en', x.name_en,
                   'trained_on', r.trained_on, 'valid_until', r.trained_on + s.training_days,
                   'state', council.training_state(r.trained_on)) ORDER BY x.id)
               FROM council.handler_registrations r
               JOIN council.people x ON x.id = r.person_id AND x.org_id = v_org
               CROSS JOIN council.handler_safety_settings s
               WHERE r.deregistered_at IS NULL), '[]') ELSE '[]' END,
        'overview', CASE WHEN v_coord THEN coalesce((SELECT json_agg(json_build_object(
                   'org', o.id, 'name_ja', o.name_ja, 'name_en', o.name_en,
                   'handlers', g.n, 'expiring', g.expiring, 'overdue', g.overdue,
                   'confirm_due', council.handler_confirm_due(o.id),
                   'confirm_state', council.handler_confirm_state(o.id)) ORDER BY o.id)
               FROM council.organisations o
               JOIN (SELECT x.org_id, count(*) AS n,
                            count(*) FILTER (WHERE council.training_state(r.trained_on) = 'expiring') AS expiring,
                            count(*) FILTER (WHERE council.training_state(r.trained_on) = 'overdue') AS overdue
                     FROM council.handler_registrations r
                     JOIN council.people x ON x.id = r.person_id AND x.active
                     WHERE r.deregistered_at IS NULL GROUP BY x.org_id) g ON g.org_id = o.id
               WHERE o.status = 'member'), '[]') ELSE '[]' END);
END
$$;

-- R-NEW-6: trainings and confirmations are seen as registrations are
-- (the organisation itself and the coordinator); the periods by everyone
-- signed in.
CREATE POLICY handler_trainings_own ON council.handler_trainings FOR SELECT
    TO council_app, council_writer
    USING (person_id IN (SELECT p.id FROM council.people p
                         WHERE p.org_id = (SELECT me.org_id FROM council.me))
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));
CREATE POLICY handler_list_confirmations_own ON council.handler_list_confirmations FOR SELECT
    TO council_app, council_writer
    USING (org_id = (SELECT me.org_id FROM council.me)
           OR coalesce((SELECT me.is_coordinator FROM council.me), false));
CREATE POLICY handler_safety_settings_read ON council.handler_safety_settings FOR SELECT
    TO council_app, council_writer
    USING ((SELECT me.person_id FROM council.me) IS NOT NULL);

-- The JSON API's row, through the door (policy/15_api.sql):
-- POST /api/v1/handlers {"action": "training", "person", "trained_on"} |
-- {"action": "confirm"} | {"action": "settings", "training_days",
-- "warn_days", "confirm_days"}; answers as GET /api/v1/handlers.
CREATE OR REPLACE FUNCTION council.api__handler_safety(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a  jsonb;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    a := council.api_args(r->>'body', '{"action": "string", "person": "number",
        "trained_on": "string", "training_days": "number", "warn_days": "number",
        "confirm_days": "number"}');
    CASE a->>'action'
    WHEN 'training' THEN
        PERFORM council.training_record((a->>'person')::bigint, (a->>'trained_on')::date);
    WHEN 'confirm' THEN
        PERFORM council.handler_list_confirm();
    WHEN 'settings' THEN
        PERFORM council.handler_safety_set((a->>'training_days')::integer,
            (a->>'warn_days')::integer, (a->>'confirm_days')::integer);
    ELSE
        RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
    END CASE;
    status := 200;
    body := council.handlers_json()::text;
END
$$;

-- councild's entry (routes.c).
CREATE OR REPLACE FUNCTION council.api_handler_safety(p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('handler_safety', jsonb_build_object('body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.training_state(date) OWNER TO council_definer;
ALTER FUNCTION council.handler_confirm_due(bigint) OWNER TO council_definer;
ALTER FUNCTION council.handler_confirm_state(bigint) OWNER TO council_definer;
ALTER FUNCTION council.training_registration(bigint) OWNER TO council_definer;
ALTER FUNCTION council.training_record(bigint, date) OWNER TO council_definer;
ALTER FUNCTION council.handler_list_confirm() OWNER TO council_definer;
ALTER FUNCTION council.handler_safety_set(integer, integer, integer) OWNER TO council_definer;
ALTER FUNCTION council.training_remind_due() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
