-- tests/sql/19_feed.sql: the member feed's filters, unread marks, scope
-- summaries, indicators and search (policy/62_feed.sql, migration 0008,
-- issue 4).  Same fixtures and helpers as 10_sharing_rules: posts are
-- written through council.create_post as their authors, and every read is
-- made as council_app with a person's session, through row-level security.
-- The oracle for "what may person k see" is pg_temp.visible(k): a scan of
-- council.posts through its policies; search and the filtered feed must
-- give exactly the matching part of it, for each of the 23 test people
-- (secrets and non-handlers, R-SCOPE-2 exclusions, restricted, liaison,
-- withdrawn members, the coordinator and the secretariat).  Rolled back.
BEGIN;
SELECT plan(100);
\ir fixtures/sharing.psql

-- A post with a body of our own (still starting with "body of <label>").
CREATE FUNCTION pg_temp.bpost(lbl text, who text, kind council.post_kind, secret boolean,
    scope jsonb, excl jsonb, title text, extra text, parent text DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    PERFORM pg_temp.as_(who);
    v := council.create_post(p_kind => kind, p_title => title,
        p_body => 'body of ' || lbl || ' ' || extra, p_is_secret => secret,
        p_scope => scope, p_exclusions => excl, p_parent => pg_temp.p(parent),
        p_confidence => CASE WHEN kind = 'countermeasure' THEN 'high' END);
    INSERT INTO pg_temp.t_posts VALUES (lbl, v, secret);
    RETURN v;
END $$;
-- The labels (of this file's posts) that a search by `who` returns, sorted.
CREATE FUNCTION pg_temp.srch(who text, q text, lim int DEFAULT 200) RETURNS text[]
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN (SELECT coalesce(array_agg(t.label ORDER BY t.label), '{}')
            FROM council.search(q, lim) s JOIN pg_temp.t_posts t ON t.id = s.id);
END $$;
-- The labels of council.feed_page as `who`, with filters, sorted.
CREATE FUNCTION pg_temp.fp(who text, kind council.post_kind DEFAULT NULL,
    grp bigint DEFAULT NULL, tlp council.tlp DEFAULT NULL, unread boolean DEFAULT false)
RETURNS text[] LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN (SELECT coalesce(array_agg(t.label ORDER BY t.label), '{}')
            FROM council.feed_page(200, NULL, kind, grp, tlp, unread) f
            JOIN pg_temp.t_posts t ON t.id = f.id);
END $$;
-- The labels `who` sees (through the posts' policies) that satisfy cond.
CREATE FUNCTION pg_temp.vis(who text, cond text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE r text[];
BEGIN
    PERFORM pg_temp.as_(who);
    EXECUTE 'SELECT coalesce(array_agg(t.label ORDER BY t.label), ''{}'') FROM council.posts p '
         || 'JOIN pg_temp.t_posts t ON t.id = p.id WHERE ' || cond INTO r;
    RETURN r;
END $$;
-- The people for whom a and b differ ("none" when none).
CREATE FUNCTION pg_temp.diff(q_a text, q_b text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE k text; a text; b text; bad text := '';
BEGIN
    FOR k IN SELECT t.k FROM pg_temp.t_people t ORDER BY t.k LOOP
        EXECUTE format(q_a, k) INTO a;
        EXECUTE format(q_b, k) INTO b;
        IF a IS DISTINCT FROM b THEN
            bad := bad || ' ' || k || ':' || coalesce(a, 'NULL') || '<>' || coalesce(b, 'NULL');
        END IF;
    END LOOP;
    RETURN coalesce(nullif(btrim(bad), ''), 'none');
END $$;
CREATE FUNCTION pg_temp.audits(act text) RETURNS bigint LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog AS $$ SELECT count(*) FROM council.audit_log WHERE action = act $$;
CREATE FUNCTION pg_temp.ind(lbl text) RETURNS text[] LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog AS $$
    SELECT coalesce(array_agg(i.kind || ' ' || i.value ORDER BY i.kind, i.value), '{}')
    FROM council.post_indicators i WHERE i.post_id = pg_temp.p(lbl) $$;
CREATE FUNCTION pg_temp.reads(who text) RETURNS bigint LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog AS $$
    SELECT count(*) FROM council.post_reads r
    JOIN pg_temp.t_people t ON t.person_id = r.person_id WHERE t.k = who $$;
-- The ids of the unfiltered feed_page, or of council.feed, as `who`.
CREATE FUNCTION pg_temp.feedids(who text, fn text) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE r bigint[];
BEGIN
    PERFORM pg_temp.as_(who);
    EXECUTE format('SELECT ARRAY(SELECT id FROM council.%I(200))', fn) INTO r;
    RETURN r;
END $$;
-- The group filter as `who`: the labels, or the error.
CREATE FUNCTION pg_temp.fpg(who text, grp bigint) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN pg_temp.fp(who, grp => grp)::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- ... and what it should be: the visible posts naming the group, for one
-- who sees the group; the error for one who does not; nothing for nobody.
CREATE FUNCTION pg_temp.fpg_expected(who text, grp bigint) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    IF council.current_person_id() IS NULL THEN
        RETURN '{}';
    ELSIF EXISTS (SELECT 1 FROM council.groups WHERE id = grp) THEN
        RETURN pg_temp.vis(who, format('EXISTS (SELECT 1 FROM council.post_scope s '
            'WHERE s.post_id = p.id AND s.group_id = %s)', grp))::text;
    END IF;
    RETURN 'CP422 invalid_group';
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.audits(text), pg_temp.ind(text), pg_temp.reads(text) TO council_app;

SET LOCAL ROLE council_app;

-- The posts. ------------------------------------------------------------------
SELECT pg_temp.bpost('f_all', 'bank-h', 'report', false, '[{"class": "all_members"}]', '[]',
    'f_all Zebra login CVE-2023-0001', 'C2 at 198.51.100.23, see hxxp://evil[.]example[.]com/x and cve-2024-3400.');
SELECT pg_temp.bpost('f_grp', 'v1-h', 'analysis', false,
    jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp'))), '[]',
    'f_grp beacon', 'beacon to EVIL.example.net from 2001:DB8::7');
SELECT pg_temp.bpost('f_sec', 'bank-h', 'report', true, pg_temp.orgs('tr-power', 'tr-univ', 'tr-optout', 'tr-vendor1'),
    '[]', 'f_sec secret', 'quokka sample e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
SELECT pg_temp.bpost('f_sup', 'bank-h', 'report', false, '[{"class": "all_members"}]', '[{"supervisors": true}]',
    'f_sup login', 'wombat seen at 203.0.113.99');
SELECT pg_temp.bpost('f_alert', 'coord-h', 'alert', false, '[{"class": "all_members"}]', '[]',
    'f_alert 100% done_ok', 'patch now');
SELECT pg_temp.bpost('f_hid', 'power-h', 'report', false,
    jsonb_build_array(jsonb_build_object('group', pg_temp.g('tr-grp-hidden'))), '[]',
    'f_hid', 'platypus');
SELECT pg_temp.bpost('f_orgs', 'bank-h', 'analysis', false, pg_temp.orgs('tr-power', 'tr-univ', 'tr-police'),
    jsonb_build_array(jsonb_build_object('org', pg_temp.o('tr-police')), '{"investigative": true}'::jsonb),
    'f_orgs', 'named');
SELECT pg_temp.bpost('f_sect', 'power-h', 'report', false, '[{"class": "sector", "sector": "finance"}]', '[]',
    'f_sect', 'sector');
SELECT pg_temp.bpost('f_clear', 'bank-h', 'report', false, NULL, '[]', 'f_clear', 'awareness');
SELECT pg_temp.bpost('f_reply', 'power-h', 'report', false, NULL, '[]', 'f_reply', 'answer', parent => 'f_all');

-- Indicators (migration 0008: council.indicators_extract). ---------------------
SELECT is(pg_temp.ind('f_all'),
    ARRAY['ip 198.51.100.23', 'domain evil.example.com', 'url http://evil.example.com/x',
          'cve CVE-2023-0001', 'cve CVE-2024-3400'],
    'indicators are extracted from the title and the body when a post is written: defanged, normalised');
SELECT is(pg_temp.ind('f_grp'), ARRAY['ip 2001:db8::7', 'domain evil.example.net'],
    'an IPv6 address in canonical form, a domain in lower case');
SELECT is(pg_temp.ind('f_sec'),
    ARRAY['hash e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    'a SHA-256 hash');
SELECT is((SELECT array_agg(kind || ' ' || value ORDER BY kind, value) FROM council.indicators_extract(
    'v1.2.3.4.5 999.1.1.1 01.2.3.4 report.pdf e.g. a@b.example.org ABCDEF0123456789ABCDEF0123456789 12:30:45')),
    ARRAY['domain b.example.org', 'hash abcdef0123456789abcdef0123456789', 'email a@b.example.org'],
    'no false indicators: not a version, an octet over 255, a leading zero, a file name, a time');

-- R-SECRET-2: the indicators of a secret are visible exactly as its body.
SELECT pg_temp.as_('bank-n');
SELECT is((SELECT count(*)::int FROM council.post_indicators WHERE post_id = pg_temp.p('f_sec')), 0,
    'R-SECRET-2: a non-handler of the author''s own organisation reads no indicator of a secret');
SELECT pg_temp.as_('fsa-h');
SELECT is((SELECT count(*)::int FROM council.post_indicators WHERE post_id = pg_temp.p('f_sup')), 0,
    'R-SCOPE-2: the excluded supervisor reads no indicator of the post');
SELECT pg_temp.audits('post.read.secret') AS secret_reads \gset
SELECT pg_temp.as_('power-h');
SELECT is((SELECT count(*)::int FROM council.post_indicators WHERE post_id = pg_temp.p('f_sec')), 1,
    'a handler in scope reads the indicators of a secret');
SELECT cmp_ok(pg_temp.audits('post.read.secret'), '>', :secret_reads::bigint,
    '... and that counts as opening it (audited, R-SECRET-2)');
SELECT throws_ok($$INSERT INTO council.post_indicators VALUES (1, 'ip', '192.0.2.1')$$, '42501', NULL,
    'council_app cannot write indicators');

-- The feed without a filter is council.feed. --------------------------------------
SELECT is(pg_temp.diff($$SELECT pg_temp.feedids(%L, 'feed_page')$$,
                       $$SELECT pg_temp.feedids(%L, 'feed')$$), 'none',
    'feed_page without a filter returns exactly council.feed, for every person');

-- Filters: exactly the visible posts that match, for every person. ---------------
SELECT is(pg_temp.diff($$SELECT pg_temp.fp(%L, kind => 'report')$$,
                       $$SELECT pg_temp.vis(%L, 'p.kind = ''report''')$$), 'none',
    'kind filter: exactly the visible reports, for every person');
SELECT is(pg_temp.diff($$SELECT pg_temp.fp(%L, tlp => 'red')$$,
                       $$SELECT pg_temp.vis(%L, 'p.tlp = ''red''')$$), 'none',
    'TLP filter: exactly the visible TLP:RED posts (secrets: handlers in scope only), for every person');
SELECT is(pg_temp.diff($$SELECT pg_temp.fp(%L, kind => 'analysis', tlp => 'amber_strict')$$,
                       $$SELECT pg_temp.vis(%L, 'p.kind = ''analysis'' AND p.tlp = ''amber_strict''')$$), 'none',
    'kind and TLP together, for every person');
SELECT is(pg_temp.diff($$SELECT pg_temp.fp(%L, unread => true)$$,
                       $$SELECT pg_temp.vis(%L, 'true')$$), 'none',
    'unread filter: before anyone opens anything, every visible post is unread, for every person');
SELECT is(pg_temp.fp('fsa-h', kind => 'report'), ARRAY['f_all', 'f_clear', 'f_reply'],
    'R-SCOPE-2: the supervising ministry''s filtered feed has no post that excludes supervisors');
SELECT is(pg_temp.fp('bank-n', tlp => 'red'), '{}'::text[],
    'R-SECRET-2: a non-handler''s TLP:RED feed is empty, though its organisation wrote a secret');

-- The group filter (R-NEW-2): posts that name the group; only a group one sees.
SELECT is(pg_temp.fp('bank-h', grp => pg_temp.g('tr-grp')), ARRAY['f_grp'],
    'group filter: the posts naming the group');
SELECT is(pg_temp.fp('fsa-h', grp => pg_temp.g('tr-grp'), kind => 'analysis'), ARRAY['f_grp'],
    'group and kind together');
SELECT is(pg_temp.fp('power-h', grp => pg_temp.g('tr-grp-hidden')), ARRAY['f_hid'],
    'a member of the other group finds its post');
SELECT is(pg_temp.err('bank-h', format('SELECT * FROM council.feed_page(50, NULL, NULL, %s)', pg_temp.g('tr-grp-hidden'))),
    'CP422 invalid_group', 'a group the caller cannot see is refused (CP422 invalid_group)');
SELECT is(pg_temp.err('bank-h', format('SELECT * FROM council.feed_page(50, NULL, NULL, %s)', pg_temp.g('tr-grp-hidden'))),
    pg_temp.err('bank-h', 'SELECT * FROM council.feed_page(50, NULL, NULL, 999999999)'),
    '... exactly like a group that does not exist');
SELECT is(pg_temp.diff(
    format($$SELECT pg_temp.fpg(%%L, %s)$$, pg_temp.g('tr-grp')),
    format($$SELECT pg_temp.fpg_expected(%%L, %s)$$, pg_temp.g('tr-grp'))),
    'none', 'group filter, for every person: the posts naming it for those who see the group, the same refusal for the others');

-- Paging covers each filtered post once, newest first.
CREATE FUNCTION pg_temp.pages(who text, kind council.post_kind) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE b bigint; acc bigint[] := '{}'; x bigint;
BEGIN
    PERFORM pg_temp.as_(who);
    LOOP
        SELECT f.id INTO x FROM council.feed_page(1, b, kind) f;
        EXIT WHEN x IS NULL;
        acc := acc || x; b := x;
    END LOOP;
    RETURN acc;
END $$;
SELECT is(pg_temp.pages('power-h', 'report'),
    ARRAY(SELECT id FROM council.feed_page(200, NULL, 'report') ORDER BY id DESC),
    'pages of one filtered post each cover the filtered feed exactly once, newest first');

-- Unread marks. ---------------------------------------------------------------------
SELECT lives_ok(format('SELECT pg_temp.as_(''power-h''); SELECT council.mark_read(%s)', pg_temp.p('f_all')),
    'a person marks a post it sees as read');
SELECT lives_ok(format('SELECT pg_temp.as_(''power-h''); SELECT council.mark_read(%s)', pg_temp.p('f_all')),
    '... twice without error');
SELECT ok(NOT ('f_all' = ANY (pg_temp.fp('power-h', unread => true))) AND 'f_sup' = ANY (pg_temp.fp('power-h', unread => true)),
    'the read post leaves the person''s unread feed; the others stay');
SELECT ok('f_all' = ANY (pg_temp.fp('bank-h', unread => true)),
    'another person''s unread feed keeps it');
SELECT is(pg_temp.fp('power-h', kind => 'report', unread => true),
    pg_temp.vis('power-h', 'p.kind = ''report'' AND p.id <> ' || pg_temp.p('f_all')),
    'unread and kind together');
SELECT pg_temp.as_('bank-h');
SELECT is((SELECT count(*)::int FROM council.post_reads), 0,
    'a person sees no one else''s read marks');
SELECT pg_temp.as_('power-h');
SELECT is((SELECT array_agg(post_id) FROM council.post_reads), ARRAY[pg_temp.p('f_all')],
    'a person sees its own read mark, once');
SELECT is(pg_temp.err('bank2-h', format('SELECT council.mark_read(%s)', pg_temp.p('f_hid'))),
    'CP404 post_not_found', 'mark_read of a post the caller cannot see: CP404 post_not_found');
SELECT is(pg_temp.err('bank2-h', format('SELECT council.mark_read(%s)', pg_temp.p('f_hid'))),
    pg_temp.err('bank2-h', 'SELECT council.mark_read(999999999)'),
    '... exactly like a post that does not exist');
SELECT is(pg_temp.err('bank-n', format('SELECT council.mark_read(%s)', pg_temp.p('f_sec'))),
    'CP404 post_not_found', 'R-SECRET-2: a non-handler cannot mark a secret, not even its organisation''s');
SELECT is(pg_temp.err('fsa-h', format('SELECT council.mark_read(%s)', pg_temp.p('f_sup'))),
    'CP404 post_not_found', 'R-SCOPE-2: the excluded supervisor cannot mark the post');
SELECT is(pg_temp.reads('bank2-h') + pg_temp.reads('bank-n') + pg_temp.reads('fsa-h'), 0::bigint,
    '... and the refused marks stored nothing');
SELECT is(pg_temp.err('none', format('SELECT council.mark_read(%s)', pg_temp.p('f_all'))),
    'CP401 not_signed_in', 'nobody marks anything');
SELECT throws_ok(format('INSERT INTO council.post_reads (person_id, post_id) VALUES (1, %s)', pg_temp.p('f_all')),
    '42501', NULL, 'council_app cannot write read marks directly');

-- Scope summaries (codes for the page to put into words). -----------------------
SELECT pg_temp.as_('bank-h');
SELECT is(council.scope_summary(pg_temp.p('f_sup')), ARRAY['class:all_members', 'excluded:supervisors'],
    'scope summary: all members, excluding supervisors (R-SCOPE-2)');
SELECT is(council.scope_summary(pg_temp.p('f_orgs')), ARRAY['orgs:3', 'excluded:orgs:1', 'excluded:investigative'],
    'scope summary: named organisations counted, exclusions');
SELECT is(council.scope_summary(pg_temp.p('f_grp')), ARRAY['groups:1'], 'scope summary: a group');
SELECT is(council.scope_summary(pg_temp.p('f_sect')), ARRAY['sector:finance'], 'scope summary: a sector');
SELECT is(council.scope_summary(pg_temp.p('f_clear')), ARRAY['none'], 'scope summary: no designated scope (R-SCOPE-5)');
SELECT is(council.scope_summary(pg_temp.p('f_reply')), ARRAY['reply'], 'scope summary: a reply inherits');
SELECT pg_temp.as_('bank2-h');
SELECT is(council.scope_summary(pg_temp.p('f_orgs')), NULL, 'no scope summary of a post the caller cannot see');
SELECT is(council.scope_summary(pg_temp.p('f_orgs')), council.scope_summary(999999999), '... the same as for no post');
SELECT pg_temp.as_('bank-n');
SELECT is(council.scope_summary(pg_temp.p('f_sec')), NULL, 'R-SECRET-2: none of a secret for a non-handler');

-- Search. --------------------------------------------------------------------------
-- council.search_candidates looks first at the newest posts the caller
-- sees (its window), then below them through the gram index
-- (policy/66_search.sql).  These posts are far fewer than the window, so
-- each search here is also run with a window of 1 post
-- (council.search_window): then every match but the newest comes from the
-- index.  The answer must not depend on it.
CREATE FUNCTION pg_temp.srchw(who text, q text, w int, lim int DEFAULT 200) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE r text[];
BEGIN
    PERFORM set_config('council.search_window', w::text, true);
    r := pg_temp.srch(who, q, lim);
    PERFORM set_config('council.search_window', '', true);
    RETURN r;
END $$;
-- The plan of a statement, as text.
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text := ''; l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN ' || q LOOP
        r := r || l || E'\n';
    END LOOP;
    RETURN r;
END $$;
-- Both ways at once: the labels when they agree, else both answers.
CREATE FUNCTION pg_temp.srch2(who text, q text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE a text[] := pg_temp.srch(who, q); b text[] := pg_temp.srchw(who, q, 1);
BEGIN
    RETURN CASE WHEN a = b THEN a ELSE ARRAY['window:'] || a || ARRAY['index:'] || b END;
END $$;

-- Japanese text (no spaces), full-width and half-width forms, a secret.
SELECT pg_temp.bpost('f_ja', 'bank-h', 'analysis', false, pg_temp.orgs('tr-power', 'tr-univ'), '[]',
    'f_ja 標的型攻撃の報告',
    'ランサムウェア「ＬｏｃｋＢｉｔ」による暗号化と脆弱性の悪用。ﾌｨｯｼﾝｸﾞ mail: ransomware, not a warehouse.');
SELECT pg_temp.bpost('f_jasec', 'bank-h', 'report', true, pg_temp.orgs('tr-power', 'tr-univ', 'tr-optout', 'tr-vendor1'),
    '[]', 'f_jasec 連絡', '秘匿すべき極秘計画の所在');

SELECT is(pg_temp.srch2('power-h', '攻撃'), ARRAY['f_ja'],
    'a 2-character Japanese word of a title, found by its bigram (window and index alike)');
SELECT is(pg_temp.srch2('power-h', '脆弱'), ARRAY['f_ja'], 'a 2-character Japanese word inside a longer one (脆弱性)');
SELECT is(pg_temp.srch2('power-h', '型攻'), ARRAY['f_ja'], 'any 2 characters, across what a reader would call two words');
SELECT is(pg_temp.srch2('power-h', 'サムウェ'), ARRAY['f_ja'], 'a Japanese substring of 4 characters (grams, then the text)');
SELECT is(pg_temp.srch2('power-h', 'ansomwar'), ARRAY['f_ja'], 'a Latin word inside a longer word');
SELECT is(pg_temp.srch2('power-h', '攻撃報') || pg_temp.srch2('power-h', 'somwarehouse'), '{}'::text[],
    'no match from grams that are all there but not in that order (攻撃の報告; ransomware, warehouse)');
SELECT is(pg_temp.srch2('power-h', 'ｌｏｃｋｂｉｔ') || pg_temp.srch2('power-h', 'LOCKBIT')
          || pg_temp.srch2('power-h', 'フィッシング'), ARRAY['f_ja', 'f_ja', 'f_ja'],
    'full-width and upper-case Latin, half-width katakana: the same word (NFKC, lower case, both sides)');
SELECT is(pg_temp.srch2('bank2-h', '攻撃') || pg_temp.srch2('fsa-h', '脆弱'), '{}'::text[],
    'members outside the scope find nothing, 2-character words included');
SELECT is(pg_temp.srch2('bank-n', '秘匿') || pg_temp.srch2('bank-n', '極秘計画') || pg_temp.srch2('univ-n', '秘匿')
          || pg_temp.srch2('optout-h', '秘匿') || pg_temp.srch2('coord-n', '秘匿'), '{}'::text[],
    'R-SECRET-2/3: a secret''s body is found by nobody without the right to secrets (its author''s own non-handler, the coordinator''s, an opted-out member)');
SELECT is(pg_temp.srch2('power-h', '秘匿') || pg_temp.srch2('power-h', '極秘計画'), ARRAY['f_jasec', 'f_jasec'],
    '... and by a handler in scope');
SELECT is(pg_temp.srch2('coord-h', '極秘計画') || pg_temp.srch2('coord-h', '攻撃'), ARRAY['f_jasec', 'f_ja'],
    'R-ORG-6: the coordinator''s handler finds posts it may see outside its scope, a secret''s body included');
SELECT is(pg_temp.srch2('power-h', '198.51.100[.]23') || pg_temp.srch2('bank-h', 'Evil.Example.NET'),
    ARRAY['f_all', 'f_grp'], 'indicators are found below the window too');
SELECT is(pg_temp.srch2('bank-n', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'), '{}'::text[],
    'R-SECRET-2: ... but never a secret''s indicator for a non-handler');
SELECT is(pg_temp.err('bank-h', 'SELECT * FROM council.search(''ｶﾞ'')'), 'CP422 query_too_short',
    'two half-width characters that are one (ｶﾞ is ガ): CP422 query_too_short');

-- A search opens nothing: the coordinator's search of a secret's body
-- writes no "secret opened" row and no read mark; its reads outside its
-- scope are audited for the posts it returns.
SELECT pg_temp.audits('post.read.secret') AS secret_reads, pg_temp.audits('post.read.coordinator') AS coord_reads \gset
SELECT is(pg_temp.srch('coord-h', '極秘計画'), ARRAY['f_jasec'], 'the coordinator searches a secret''s body');
SELECT is(ARRAY[pg_temp.audits('post.read.secret') - :secret_reads, pg_temp.audits('post.read.coordinator') - :coord_reads,
                pg_temp.reads('coord-h')], ARRAY[0, 1, 0]::bigint[],
    '... no "secret opened" row, one coordinator read (the post returned), no read mark');

-- The gram index is searchable by the candidate finder's role (a policy
-- condition left on post_search would forbid it: @> is not leakproof).
RESET ROLE;
SET LOCAL enable_seqscan = off;
SET LOCAL ROLE council_definer;
SELECT pg_temp.plan_of($$SELECT s.post_id FROM council.post_search s
                         WHERE council.search_grams(s.doc) @> ARRAY['攻撃']$$) AS grams_plan \gset
RESET ROLE;
SELECT ok(:'grams_plan' ~ 'Bitmap Index Scan on post_search_grams',
    'the candidate finder''s role reads post_search through its gram index');
RESET enable_seqscan;
SET LOCAL ROLE council_app;
SELECT throws_ok('SELECT count(*) FROM council.post_search', '42501', NULL,
    'council_app cannot read the searchable text');
SELECT throws_ok($$SELECT council.search_candidates('攻撃', 50, 1000, '{}')$$, '42501', NULL,
    'council_app cannot call the search''s candidate finder (only council.search can)');

SELECT is(pg_temp.srch('power-h', 'zebra'), ARRAY['f_all'], 'search finds a title, whatever the case');
SELECT is(pg_temp.srch('power-h', 'C2 at'), ARRAY['f_all'], 'search finds a body');
SELECT is(pg_temp.srch('power-h', '198.51.100[.]23'), ARRAY['f_all'],
    'search finds an indicator: a defanged IP address equals the normalised one (no substring of the body matches)');
SELECT is(pg_temp.srch('power-h', 'evil.example.com'), ARRAY['f_all'],
    'search finds a domain the body wrote defanged');
SELECT is(pg_temp.srch('bank-h', 'Evil.Example.NET'), ARRAY['f_grp'], 'search finds a domain in any case');
SELECT is(pg_temp.srch('bank-h', '2001:db8:0::7'), ARRAY['f_grp'], 'search finds an IPv6 address in any notation');
SELECT is(pg_temp.srch('power-h', 'CVE-2024-3400'), ARRAY['f_all'], 'search finds a CVE id');
SELECT is(pg_temp.srch('power-h', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'), ARRAY['f_sec'],
    'search finds a hash (a handler in scope)');

-- Never a hidden post.
SELECT is(pg_temp.srch('bank-n', 'quokka') || pg_temp.srch('univ-n', 'quokka') || pg_temp.srch('optout-h', 'quokka')
          || pg_temp.srch('bank-n', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    '{}'::text[], 'R-SECRET-2/3: a secret''s unique word and hash find nothing for non-handlers and an opted-out member');
SELECT is(pg_temp.srch('power-h', 'quokka'), ARRAY['f_sec'], '... and the secret for a handler in scope');
SELECT is(pg_temp.srch('fsa-h', 'wombat') || pg_temp.srch('cmt', 'wombat') || pg_temp.srch('fsa-h', '203.0.113.99'),
    '{}'::text[], 'R-SCOPE-2: the supervising ministry finds nothing of a post that excludes supervisors');
SELECT is(pg_temp.srch('bank2-h', 'wombat'), ARRAY['f_sup'], '... another member does');
SELECT is(pg_temp.srch('bank-h', 'platypus'), '{}'::text[], 'a post of a group one is not in: nothing');
SELECT is(pg_temp.srch('coord-n', 'quokka'), '{}'::text[], 'R-SECRET-2: not even the coordinator''s non-handler');
SELECT is(pg_temp.diff($$SELECT pg_temp.srch(%L, 'body of')$$, $$SELECT pg_temp.visible(%L)$$), 'none',
    'a search that every body matches returns exactly the posts each person sees, for every person');
SELECT is(pg_temp.diff($$SELECT pg_temp.srch(%L, 'login')$$,
                       $$SELECT pg_temp.vis(%L, 'p.title ILIKE ''%%login%%''')$$), 'none',
    'a title search returns exactly the visible matching posts, for every person');
SELECT is(pg_temp.diff($$SELECT pg_temp.srchw(%L, 'body of', 1)$$, $$SELECT pg_temp.visible(%L)$$), 'none',
    '... the same through the gram index (a window of 1 post), for every person');
SELECT is(pg_temp.diff($$SELECT pg_temp.srchw(%L, 'login', 1)$$,
                       $$SELECT pg_temp.vis(%L, 'p.title ILIKE ''%%login%%''')$$), 'none',
    '... and the title search, for every person');
SELECT is(pg_temp.diff($$SELECT pg_temp.srchw(%L, 'body of', 2, 3)$$, $$SELECT pg_temp.srch(%L, 'body of', 3)$$), 'none',
    'the newest 3 matches are the same whether 2 come from the window and 1 from the index, for every person');

-- Literal %, _ and \.
SELECT is(pg_temp.srch('bank-h', '0% d'), ARRAY['f_alert'], 'a % in the query is a %');
SELECT is(pg_temp.srch('bank-h', 'n%k') || pg_temp.srch('bank-h', '0_d'), '{}'::text[],
    '... and neither % nor _ is a wildcard');
SELECT is(pg_temp.srch('bank-h', 'e_ok'), ARRAY['f_alert'], 'a _ in the query is a _');

-- Paging, limits, errors, nobody.
SELECT pg_temp.as_('bank-h');
SELECT is(ARRAY(SELECT id FROM council.search('body of', 2)),
    ARRAY(SELECT s.id FROM council.search('body of', 200) s ORDER BY s.id DESC LIMIT 2),
    'search returns the newest matches first, at most the limit');
SELECT is(ARRAY(SELECT id FROM council.search('body of', 200, pg_temp.p('f_sup'))),
    ARRAY(SELECT s.id FROM council.search('body of', 200) s WHERE s.id < pg_temp.p('f_sup')),
    'search before an id: only older matches');
SELECT is(pg_temp.err('bank-h', 'SELECT * FROM council.search(''x'')'), 'CP422 query_too_short', 'a 1-character query: CP422 query_too_short');
SELECT is(pg_temp.err('bank-h', 'SELECT * FROM council.search(''  a  '')'), 'CP422 query_too_short', 'spaces do not count');
SELECT is(pg_temp.err('bank-h', 'SELECT * FROM council.search(repeat(''a'', 201))'), 'CP422 query_too_long', 'a 201-character query: CP422 query_too_long');
SELECT is(pg_temp.srch('none', 'zebra'), '{}'::text[], 'nobody finds nothing');

-- Audit: a search looks at bodies without opening them; the coordinator's
-- filtered feed is audited for the posts it shows, not those it skipped.
SELECT pg_temp.audits('post.read.secret') AS secret_reads \gset
SELECT is(pg_temp.srch('power-h', 'body of') @> ARRAY['f_sec'], true, 'a handler''s search looks at a secret''s body');
SELECT is(pg_temp.audits('post.read.secret'), :secret_reads::bigint,
    '... without writing a "secret opened" row: looking for a match is not opening');
CREATE TEMP TABLE t_coord (n bigint, shown bigint[]);
GRANT ALL ON t_coord TO council_app;
INSERT INTO t_coord SELECT pg_temp.audits('post.read.coordinator'), NULL;
SELECT pg_temp.as_('coord-n');
UPDATE t_coord SET shown = ARRAY(SELECT id FROM council.feed_page(50, NULL, 'analysis'));
RESET ROLE;
SELECT is(pg_temp.audits('post.read.coordinator') - (SELECT n FROM t_coord),
    (SELECT count(*) FROM unnest((SELECT shown FROM t_coord)) s(id)
     WHERE NOT EXISTS (SELECT 1 FROM council.post_audience a
                       WHERE a.post_id = s.id AND a.org_id = pg_temp.o('@coordinator'))),
    'R-ORG-6: the coordinator''s filtered feed audits exactly the posts it shows outside its scope');
SET LOCAL ROLE council_app;

-- R-ORG-6: the secretariat finds what an approved access case grants.
SELECT is(pg_temp.srch('sec-a', 'wombat'), '{}'::text[], 'the secretariat finds nothing without an access case');
SELECT pg_temp.as_('sec-a');
SELECT council.open_access_case('arbitration of a dispute', ARRAY[pg_temp.p('f_sup')], now() + interval '1 day') AS case_id \gset
SELECT pg_temp.as_('cmt');
SELECT council.approve_access_case(:case_id);
SELECT is(pg_temp.srch('sec-a', 'wombat'), ARRAY['f_sup'], '... and the post of an approved access case with one');
SELECT is(pg_temp.srchw('sec-a', 'wombat', 1), ARRAY['f_sup'], '... below the window too');

-- Functions council_app may not call.
SELECT throws_ok($$SELECT council.post_candidates(50, 1000, NULL, NULL, NULL, false, '%', '{}', true)$$,
    '42501', NULL, 'council_app cannot call the candidate finder (only council.search and council.feed_filtered can)');

SELECT * FROM finish();
ROLLBACK;
