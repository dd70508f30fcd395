-- policy/78_ga_pages.sql: what the general assembly's pages read beyond
-- policy/71_assembly.sql (server/gapage.c; docs/governance.md "Pages").
-- Re-applied by "councilctl migrate".  SECURITY INVOKER: the minutes come
-- from council.ga_minutes, so the same visibility (R-GOV-8).

-- One CSV field (RFC 4180): always quoted, quotes doubled.  Text that a
-- spreadsheet could take for a formula gets a leading apostrophe (OWASP
-- "CSV injection", issue 10 item 10): text that starts with any white
-- space or control character (space, tab, CR, LF, U+3000, ...), or whose
-- first character is a formula or DDE trigger, ASCII or full-width:
-- = + - @ | % ; and ＝ ＋ － ＠ ｜ ％ ；.  NULL is an empty field.
CREATE OR REPLACE FUNCTION council.ga_csv_field(v text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT '"' || replace(CASE WHEN v ~ '^([[:space:][:cntrl:]\u00a0\u3000\ufeff]|[-=+@|%;\uff1d\uff0b\uff0d\uff20\uff5c\uff05\uff1b])'
                               THEN '''' || v
                               ELSE coalesce(v, '') END, '"', '""') || '"'
$$;

-- /assemblies/N/minutes.csv: the minutes (council.ga_minutes,
-- so the same visibility) as one CSV table, CRLF line ends, a header
-- line, then rows by section: "assembly", "attendance" (arrived, left),
-- "proxy" (given, revoked; status: holder organisation id or "chair"),
-- "item" (the counts of its result, or of its quorum at opening) and
-- "vote" (each organisation's counted ballot).  Times in UTC (RFC 3339).
CREATE OR REPLACE FUNCTION council.ga_minutes_csv(a bigint) RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    m  jsonb := council.ga_minutes(a);
    t  text;
BEGIN
    SELECT string_agg((SELECT string_agg(council.ga_csv_field(r.f[n]), ',' ORDER BY n)
                       FROM generate_series(1, 26) n), E'\r\n' ORDER BY r.k)
           || E'\r\n'
    INTO t
    FROM (
        SELECT 0 AS k, ARRAY['section', 'item', 'position', 'title', 'org', 'name_ja',
            'name_en', 'status', 'from', 'until', 'members', 'attending', 'present',
            'by_proxy', 'yes', 'no', 'abstain', 'not_voted', 'quorum_numerator',
            'quorum_denominator', 'quorum_met', 'pass_numerator', 'pass_denominator',
            'veto_triggered', 'passed', 'reason'] AS f
        UNION ALL
        SELECT 1, ARRAY['assembly', NULL, NULL, m->'assembly'->>'title', NULL, NULL, NULL,
            m->'assembly'->>'status', m->'assembly'->>'starts_at',
            m->'assembly'->>'closed_at', m->>'members']
        UNION ALL
        SELECT 100 + n, ARRAY['attendance', NULL, NULL, NULL, x->>'org', x->>'name_ja',
            x->>'name_en', CASE WHEN x->>'left_at' IS NULL THEN 'present' ELSE 'left' END,
            x->>'arrived_at', x->>'left_at']
        FROM jsonb_array_elements(m->'attendance') WITH ORDINALITY e(x, n)
        UNION ALL
        SELECT 100000 + n, ARRAY['proxy', NULL, NULL, NULL, x->>'org', x->>'name_ja',
            x->>'name_en', CASE WHEN (x->>'to_chair')::boolean THEN 'chair'
                                ELSE x->>'holder' END,
            x->>'given_at', x->>'revoked_at']
        FROM jsonb_array_elements(m->'proxies') WITH ORDINALITY e(x, n)
        UNION ALL
        SELECT 200000 + 1000 * n, ARRAY['item', x->>'id', x->>'position', x->>'title',
            NULL, NULL, NULL, x->>'status', x->>'opened_at', x->>'closed_at',
            x->'result'->>'members', x->'result'->>'attending', x->'result'->>'present',
            x->'result'->>'by_proxy', x->'result'->>'yes', x->'result'->>'no',
            x->'result'->>'abstain', x->'result'->>'not_voted',
            coalesce(x->'result'->'quorum_close'->>'numerator',
                     x->'quorum_open'->>'numerator'),
            coalesce(x->'result'->'quorum_close'->>'denominator',
                     x->'quorum_open'->>'denominator'),
            x->'result'->'quorum_close'->>'met',
            x->'result'->'pass'->>'numerator', x->'result'->'pass'->>'denominator',
            x->'result'->>'veto_triggered', x->'result'->>'passed', x->'result'->>'reason']
        FROM jsonb_array_elements(m->'items') WITH ORDINALITY e(x, n)
        UNION ALL
        SELECT 200000 + 1000 * n + v.k, ARRAY['vote', x->>'id', x->>'position', NULL,
            y->>'org', y->>'name_ja', y->>'name_en', y->>'choice', NULL, NULL, NULL,
            y->>'attended_as']
        FROM jsonb_array_elements(m->'items') WITH ORDINALITY e(x, n),
             jsonb_array_elements(x->'votes') WITH ORDINALITY v(y, k)
    ) r;
    RETURN t;
END
$$;

-- The caller's organisation in assembly a, for its page: present now;
-- the standing proxy it gave (to the chair, or the holder's names); may
-- it act (its representative, or an administrator while none is
-- designated); may the caller preside (the chair, or the secretariat for
-- the chair); has the session started.  No row for a non-member or an
-- assembly it cannot see (R-GOV-8).
CREATE OR REPLACE FUNCTION council.ga_me(a bigint)
    RETURNS TABLE (present boolean, proxy_to_chair boolean, proxy_holder_ja text,
                   proxy_holder_en text, acts boolean, presides boolean, started boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT EXISTS (SELECT 1 FROM council.ga_attendance t
                   WHERE t.assembly_id = g.id AND t.org_id = me.org_id AND t.left_at IS NULL),
           x.to_chair, ho.name_ja, ho.name_en,
           council.ga_acts_for_org(g.id), council.ga_may_preside(), g.starts_at <= now()
    FROM council.me
    JOIN council.ga_assemblies g ON g.id = a
    LEFT JOIN council.ga_proxies x
           ON x.assembly_id = g.id AND x.principal_org_id = me.org_id AND x.revoked_at IS NULL
    LEFT JOIN council.organisations ho ON ho.id = x.holder_org_id
    WHERE me.person_id IS NOT NULL
$$;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.ga_me(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
