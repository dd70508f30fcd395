-- policy/72_assembly_reads.sql: what members read of the general
-- assembly (policy/71_assembly.sql; docs/governance.md "General assembly"
-- and "Pages"): a poll with its receipts, the check of a receipt, the
-- organisations still to remind, the minutes as JSON and as CSV, and the
-- caller's own place in a session for its page (server/pages/assembly.c).  Each
-- read first closes the polls that are due, so that what it shows never
-- depends on when councild's timer ran.  Members only (R-GOV-8).
-- Re-applied by "councilctl migrate".

------------------------------------------------------------------------
-- Reads that close a due poll first (the result never depends on when the
-- timer ran).  Members only (R-GOV-8): council.me exists only for a live
-- member's person.
------------------------------------------------------------------------

-- Poll p for the caller: its state, the live attendance, the caller's own
-- ballot, the proxies the caller may exercise now (R-GOV-3: its
-- organisation holds them and is present, or the chair's), and the result
-- once closed.  Receipts: once the poll is closed, and never before, the
-- salts are revealed ("salts": each organisation that cast a ballot, with
-- its salt in hex; "mine" gains "salt" and "receipt_text", the text whose
-- SHA-256 is its newest receipt, council.ga_receipt_text), so a member
-- recomputes its receipt itself.  Before the close "salts" is null.
CREATE OR REPLACE FUNCTION council.ga_poll(p bigint) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org      bigint := council.current_org_id();
    i          council.ga_items;
    v_members  bigint;
    v_att      bigint;
    v_present  bigint;
    v_mine     jsonb;
    v_holds    jsonb;
    v_salts    jsonb;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    PERFORM council.ga_close_due();
    SELECT * INTO i FROM council.ga_items WHERE id = p;
    IF i.id IS NULL THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT count(*) INTO v_members FROM council.ga_member_orgs();
    SELECT count(*), count(*) FILTER (WHERE a.attended_as = 'present')
    INTO v_att, v_present FROM council.ga_attending(i.assembly_id) a;
    SELECT jsonb_build_object('org', b.org_id, 'version', b.version, 'choice', b.choice,
                              'capacity', b.capacity, 'cast_at', b.cast_at,
                              'receipt', encode(b.receipt, 'hex'))
           -- The salt only after the close (the receipt hides the choice
           -- until then).
           || CASE WHEN i.status = 'closed' THEN jsonb_build_object(
                  'salt', encode(s.salt, 'hex'),
                  'receipt_text', council.ga_receipt_text(p, b.org_id, b.choice, b.version,
                                                          s.salt)) ELSE '{}' END
    INTO v_mine FROM council.ga_ballots b
    LEFT JOIN council.ga_ballot_salts s ON s.item_id = b.item_id AND s.org_id = b.org_id
    WHERE b.item_id = p AND b.org_id = v_org ORDER BY b.version DESC LIMIT 1;
    IF i.status = 'closed' THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object('org', s.org_id,
                                                     'salt', encode(s.salt, 'hex'))
                                  ORDER BY s.org_id), '[]')
        INTO v_salts FROM council.ga_ballot_salts s WHERE s.item_id = p;
    END IF;
    -- Issue 17 item 4: with each, the choice the caller's organisation
    -- cast for it (the newest version, when the caller cast it: never
    -- one the principal cast itself before giving the proxy).
    SELECT coalesce(jsonb_agg(jsonb_build_object('org', a.org_id, 'version',
               (SELECT max(b.version) FROM council.ga_ballots b
                WHERE b.item_id = p AND b.org_id = a.org_id),
               'choice', (SELECT CASE WHEN b.cast_by_org = v_org THEN b.choice END
                          FROM council.ga_ballots b
                          WHERE b.item_id = p AND b.org_id = a.org_id
                          ORDER BY b.version DESC LIMIT 1))
               ORDER BY a.org_id), '[]')
    INTO v_holds
    FROM council.ga_attending(i.assembly_id) a
    JOIN council.ga_proxies x ON x.id = a.proxy_id
    WHERE (NOT x.to_chair AND x.holder_org_id = v_org
           AND EXISTS (SELECT 1 FROM council.ga_attending(i.assembly_id) h
                       WHERE h.org_id = v_org AND h.attended_as = 'present'))
       OR (x.to_chair AND council.ga_is_chair());
    RETURN jsonb_build_object(
        'id', i.id, 'assembly', i.assembly_id, 'position', i.position, 'kind', i.kind,
        'title', i.title, 'status', i.status, 'opened_at', i.opened_at,
        'closes_at', i.closes_at, 'closed_at', i.closed_at,
        'members', v_members, 'attending', v_att, 'present', v_present,
        'by_proxy', v_att - v_present,
        'quorum_now', (SELECT council.decision_meets(v_att, r.quorum_cmp, r.quorum_num,
                                                     r.quorum_den, v_members)
                       FROM council.decision_rule('ga.resolution') r),
        'quorum_open', CASE WHEN i.opened_at IS NOT NULL THEN
            jsonb_build_object('numerator', i.quorum_open_num,
                               'denominator', i.quorum_open_den) END,
        'mine', v_mine, 'holds', v_holds, 'result', i.result, 'salts', v_salts);
END
$$;

-- Check a ballot receipt (hex) on poll p, after the close only.  Returns
-- {"valid": false} when no ballot version of p has it; else the ballot it
-- commits to, whether the hash recomputes from the revealed salt, whether
-- it is the newest version and whether it counted (its organisation
-- attended at the close).
CREATE OR REPLACE FUNCTION council.ga_verify_receipt(p bigint, p_receipt text) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    i       council.ga_items;
    b       council.ga_ballots;
    v_salt  bytea;
    v_ok    boolean;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    PERFORM council.ga_close_due();
    SELECT * INTO i FROM council.ga_items WHERE id = p;
    IF i.id IS NULL THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    IF i.status <> 'closed' THEN
        RAISE EXCEPTION 'poll_not_closed' USING ERRCODE = 'CP409';
    END IF;
    IF p_receipt IS NULL OR lower(p_receipt) !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'invalid_receipt' USING ERRCODE = 'CP422';
    END IF;
    SELECT * INTO b FROM council.ga_ballots x
    WHERE x.item_id = p AND x.receipt = decode(lower(p_receipt), 'hex');
    IF b.item_id IS NULL THEN
        RETURN jsonb_build_object('valid', false, 'item', p);
    END IF;
    SELECT s.salt INTO v_salt FROM council.ga_ballot_salts s
    WHERE s.item_id = p AND s.org_id = b.org_id;
    v_ok := sha256(convert_to(council.ga_receipt_text(p, b.org_id, b.choice, b.version, v_salt),
                              'UTF8')) = b.receipt;
    RETURN jsonb_build_object(
        'valid', v_ok, 'item', p, 'org', b.org_id, 'version', b.version,
        'choice', b.choice, 'capacity', b.capacity, 'cast_at', b.cast_at,
        'salt', encode(v_salt, 'hex'),
        'text', council.ga_receipt_text(p, b.org_id, b.choice, b.version, v_salt),
        'latest', b.version = (SELECT max(x.version) FROM council.ga_ballots x
                               WHERE x.item_id = p AND x.org_id = b.org_id),
        'counted', EXISTS (SELECT 1 FROM council.ga_tally t
                           WHERE t.item_id = p AND t.org_id = b.org_id
                             AND t.version = b.version));
END
$$;

-- Reminders for the open poll p: the member organisations that have
-- neither voted nor given a proxy (councild sends them).  The chair and
-- the secretariat only.
CREATE OR REPLACE FUNCTION council.ga_reminders(p bigint)
    RETURNS TABLE (org_id bigint, slug text, name_ja text, name_en text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    i council.ga_items;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    PERFORM council.ga_close_due();
    SELECT * INTO i FROM council.ga_items x WHERE x.id = p;
    IF i.id IS NULL THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    IF NOT council.ga_may_preside() THEN
        RAISE EXCEPTION 'not_chair' USING ERRCODE = 'CP403';
    END IF;
    IF i.status <> 'open' THEN
        RAISE EXCEPTION 'poll_not_open' USING ERRCODE = 'CP409';
    END IF;
    RETURN QUERY
    SELECT o.id, o.slug, o.name_ja, o.name_en
    FROM council.organisations o
    WHERE o.status = 'member'
      AND NOT EXISTS (SELECT 1 FROM council.ga_ballots b WHERE b.item_id = p AND b.org_id = o.id)
      AND NOT EXISTS (SELECT 1 FROM council.ga_proxies x
                      WHERE x.assembly_id = i.assembly_id AND x.principal_org_id = o.id
                        AND x.revoked_at IS NULL)
    ORDER BY o.id;
END
$$;

-- The minutes (議事録) of assembly a as JSON: the session, the notices,
-- the attendance register, representatives, proxies, each item with its
-- result and (once counted) each organisation's counted vote, and the
-- event log (the audit rows of the assembly; a ballot's row only once its
-- poll is closed).  Organisations are named; people are not.
CREATE OR REPLACE FUNCTION council.ga_minutes(a bigint) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    g council.ga_assemblies;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    PERFORM council.ga_close_due();
    SELECT * INTO g FROM council.ga_assemblies x WHERE x.id = a;
    IF g.id IS NULL THEN
        RAISE EXCEPTION 'not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN jsonb_build_object(
        'assembly', jsonb_build_object('id', g.id, 'kind', g.kind, 'title', g.title,
            'starts_at', g.starts_at, 'status', g.status, 'convened_at', g.convened_at,
            'closed_at', g.closed_at, 'sc_motion', g.sc_motion_id),
        'members', (SELECT count(*) FROM council.ga_member_orgs()),
        'notices', (SELECT coalesce(jsonb_agg(jsonb_build_object('org', n.org_id,
                        'name_ja', o.name_ja, 'name_en', o.name_en, 'sent_at', n.sent_at)
                        ORDER BY n.org_id), '[]')
                    FROM council.ga_notices n JOIN council.organisations o ON o.id = n.org_id
                    WHERE n.assembly_id = a),
        'attendance', (SELECT coalesce(jsonb_agg(jsonb_build_object('org', t.org_id,
                        'name_ja', o.name_ja, 'name_en', o.name_en,
                        'arrived_at', t.arrived_at, 'left_at', t.left_at)
                        ORDER BY t.arrived_at, t.id), '[]')
                       FROM council.ga_attendance t JOIN council.organisations o ON o.id = t.org_id
                       WHERE t.assembly_id = a),
        'representatives', (SELECT coalesce(jsonb_agg(jsonb_build_object('org', r.org_id,
                        'designated_at', r.designated_at) ORDER BY r.org_id), '[]')
                       FROM council.ga_representatives r WHERE r.assembly_id = a),
        'proxies', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id,
                        'org', x.principal_org_id, 'name_ja', po.name_ja, 'name_en', po.name_en,
                        'holder', x.holder_org_id, 'holder_name_ja', ho.name_ja,
                        'holder_name_en', ho.name_en, 'to_chair', x.to_chair,
                        'given_at', x.given_at, 'revoked_at', x.revoked_at)
                        ORDER BY x.id), '[]')
                    FROM council.ga_proxies x
                    JOIN council.organisations po ON po.id = x.principal_org_id
                    LEFT JOIN council.organisations ho ON ho.id = x.holder_org_id
                    WHERE x.assembly_id = a),
        'items', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id,
                        'position', i.position, 'kind', i.kind, 'title', i.title,
                        'summary', i.summary, 'status', i.status,
                        'document', i.document_id, 'base_version', i.base_version,
                        'adopted_version', i.adopted_version, 'sc_motion', i.sc_motion_id,
                        'opened_at', i.opened_at, 'closes_at', i.closes_at,
                        'closed_at', i.closed_at,
                        'quorum_open', CASE WHEN i.opened_at IS NOT NULL THEN
                            jsonb_build_object('numerator', i.quorum_open_num,
                                               'denominator', i.quorum_open_den) END,
                        'result', i.result,
                        'votes', (SELECT coalesce(jsonb_agg(jsonb_build_object('org', t.org_id,
                                      'name_ja', o.name_ja, 'name_en', o.name_en,
                                      'attended_as', t.attended_as, 'choice', t.choice,
                                      'version', t.version) ORDER BY t.org_id), '[]')
                                  FROM council.ga_tally t
                                  JOIN council.organisations o ON o.id = t.org_id
                                  WHERE t.item_id = i.id))
                        ORDER BY i.position), '[]')
                  FROM council.ga_items i WHERE i.assembly_id = a),
        'events', (SELECT coalesce(jsonb_agg(jsonb_build_object('at', l.at,
                        'action', l.action, 'org', l.org_id, 'detail', l.detail)
                        ORDER BY l.id), '[]')
                   FROM council.audit_log l
                   WHERE l.object_type = 'ga_assembly' AND l.object_id = a
                     AND (l.action <> 'ga.ballot'
                          OR EXISTS (SELECT 1 FROM council.ga_items i
                                     WHERE i.id = (l.detail->>'item')::bigint
                                       AND i.status = 'closed'))));
END
$$;

------------------------------------------------------------------------
-- What the pages read beyond the above (server/pages/assembly.c).  SECURITY
-- INVOKER but ga_me: the minutes come from council.ga_minutes, so the
-- same visibility (R-GOV-8).
------------------------------------------------------------------------

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
ALTER FUNCTION council.ga_poll(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ga_verify_receipt(bigint, text) OWNER TO council_definer;
ALTER FUNCTION council.ga_reminders(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ga_minutes(bigint) OWNER TO council_definer;
ALTER FUNCTION council.ga_me(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
