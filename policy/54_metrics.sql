-- policy/54_metrics.sql: the queue depths councild's /metrics shows
-- (issue 16, "run it like a national service"; server/pages/scrape.c,
-- docs/metrics.md).  Re-applied by "councilctl migrate".  No table of its
-- own: it counts rows of council.mail_outbox (migrations/0042_mail_outbox.sql,
-- policy/95_mail.sql) and council.notifications
-- (migrations/0018_notifications.sql, policy/77_notifications.sql).
--
-- A scrape carries no identity (a machine's bearer token, checked by
-- councild, not a person's session), and row-level security would show
-- nobody's rows to nobody: so this one function counts as the definer.
-- It answers numbers only, never a row, an address or a subject, and it
-- is council_app's alone (councild), not PUBLIC's.

-- One query, every depth, each row (name, label, value):
--   mail_outbox, <status>            e-mails by status: queued, sending,
--                                    failed, withheld (the sent ones are
--                                    history, not a queue, and not counted)
--   mail_outbox_oldest_due_seconds   how long the oldest queued e-mail
--                                    has been due (0 when none is): the
--                                    mailer is stuck when it grows
--   notifications_unmailed, <digest> notifications not yet mailed to
--                                    active people who get e-mail
--                                    ('immediate', 'daily': these wait
--                                    for 08:00 JST by design)
-- Every row is there even when its count is 0, so that a series never
-- disappears.  Cost: the outbox's unsent rows (the partial index
-- mail_outbox_due covers queued and sending; failed and withheld rows
-- are read by a scan of what is not sent), and the unmailed
-- notifications through the partial index notifications_unmailed.
CREATE OR REPLACE FUNCTION council.metrics_depths()
    RETURNS TABLE (name text, label text, value double precision)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    WITH o AS (
        SELECT count(*) FILTER (WHERE m.status = 'queued') AS queued,
               count(*) FILTER (WHERE m.status = 'sending') AS sending,
               count(*) FILTER (WHERE m.status = 'failed') AS failed,
               count(*) FILTER (WHERE m.status = 'withheld') AS withheld,
               coalesce(extract(epoch FROM now() - min(m.next_attempt)
                   FILTER (WHERE m.status = 'queued' AND m.next_attempt <= now())), 0)
                   AS oldest_due
        FROM council.mail_outbox m
        WHERE m.status <> 'sent'
    ), n AS (
        SELECT count(*) FILTER (WHERE p.email_digest = 'immediate') AS immediate,
               count(*) FILTER (WHERE p.email_digest = 'daily') AS daily
        FROM council.notifications x
        JOIN council.people p ON p.id = x.person_id
        WHERE x.mailed_at IS NULL AND p.active AND p.email_digest <> 'none'
    )
    SELECT v.name, v.label, v.value::double precision
    FROM o, n, LATERAL (VALUES
        ('mail_outbox', 'queued', o.queued::numeric),
        ('mail_outbox', 'sending', o.sending::numeric),
        ('mail_outbox', 'failed', o.failed::numeric),
        ('mail_outbox', 'withheld', o.withheld::numeric),
        ('mail_outbox_oldest_due_seconds', '', round(o.oldest_due::numeric, 3)),
        ('notifications_unmailed', 'immediate', n.immediate::numeric),
        ('notifications_unmailed', 'daily', n.daily::numeric)
    ) AS v (name, label, value)
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.metrics_depths() OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.metrics_depths() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.metrics_depths() TO council_app;
