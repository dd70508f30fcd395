-- tests/sql/50_correlation.sql: correlation under scope (issue 15 item 5,
-- M25; policy/98_correlation.sql).  Posts sharing indicators with posts
-- their authors and readers may or may not read (R-SCOPE-1 scope,
-- R-SCOPE-2 exclusion, R-SECRET-2 secrets, R-ORG-6 the coordinator): the
-- author is told only of matches in posts it reads, never a count; a
-- reader's correlations are exactly the posts it reads that share an
-- indicator; a post it cannot read answers like an absent one; the answer
-- for a post with only hidden matches is the answer for a post with no
-- match at all (MISP's CVE-2020-14969 leaked exactly that).  Same
-- fixtures as 10_sharing_rules.sql.  Rolled back.
BEGIN;
SELECT plan(30);
\ir fixtures/sharing.psql

-- A post with its own title and body (the indicators are extracted from
-- them by policy/62_feed.sql's triggers, inside create_post).
CREATE FUNCTION pg_temp.ipost(lbl text, who text, body text, scope jsonb,
    secret boolean DEFAULT false, excl jsonb DEFAULT '[]') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    PERFORM pg_temp.as_(who);
    v := council.create_post(p_kind => 'report', p_title => lbl, p_body => body,
        p_is_secret => secret, p_scope => scope, p_exclusions => excl);
    INSERT INTO pg_temp.t_posts VALUES (lbl, v, secret);
    RETURN v;
END $$;
-- Person who's correlations of post lbl as "label kind value" (sorted).
CREATE FUNCTION pg_temp.corr(who text, lbl text) RETURNS text[] LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN (SELECT coalesce(array_agg(t.label || ' ' || c.kind || ' ' || c.value
                                      ORDER BY t.label, c.kind::text, c.value), '{}')
            FROM council.post_correlations(pg_temp.p(lbl)) c
            JOIN pg_temp.t_posts t ON t.id = c.post_id);
END $$;
-- The API's answer (status and body, the post's id replaced by N) of person
-- who for post id x.
CREATE FUNCTION pg_temp.api(who text, x bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    PERFORM pg_temp.as_(who);
    SELECT * INTO r FROM council.api_post_correlations(x);
    RETURN r.status || ' ' || replace(r.body, x::text, 'N');
END $$;
-- Person who's notifications of kind post.correlation: "label|subject_ja|subject_en|link".
CREATE FUNCTION pg_temp.told(who text) RETURNS text[] LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.as_(who);
    RETURN (SELECT coalesce(array_agg(t.label ORDER BY t.label), '{}')
            FROM council.notifications n JOIN pg_temp.t_posts t ON t.id = n.post_id
            WHERE n.kind = 'post.correlation');
END $$;

SET LOCAL ROLE council_app;
-- The posts already there.  203.0.113.9 is everywhere; hid.example.org
-- and only-hidden.example.org only where bank cannot read;
-- secret.example.net only in a secret.
SELECT pg_temp.ipost('c_all',  'v1-h',    'seen 203.0.113.9, CVE-2024-1111', '[{"class": "all_members"}]');
SELECT pg_temp.ipost('c_pow',  'power-h', 'seen 203.0.113.9 at hid.example.org and only-hidden.example.org',
                     pg_temp.orgs('tr-power'));
SELECT pg_temp.ipost('c_excl', 'v2-h',    'seen 203.0.113.9, hid.example.org, only-hidden.example.org',
                     '[{"class": "all_members"}]', false, pg_temp.orgs('tr-bank'));
SELECT pg_temp.ipost('c_sec',  'power-h', 'secret: 203.0.113.9 secret.example.net', pg_temp.orgs('tr-bank', 'tr-power'), true);
SELECT pg_temp.ipost('c_alone', 'v1-h',   'nothing shared: 192.0.2.200', '[{"class": "all_members"}]');
SELECT is(pg_temp.visible('bank-h') @> ARRAY['c_all', 'c_sec'] AND NOT pg_temp.visible('bank-h') && ARRAY['c_pow', 'c_excl'],
    true, 'fixture: bank''s handler reads c_all and the secret c_sec, not c_pow (scope) nor c_excl (excluded)');

-- ---- The author is told only of matches it reads. ----------------------------
SELECT pg_temp.ipost('n_hid', 'bank-h', 'we saw only-hidden.example.org', '[{"class": "all_members"}]');
SELECT pg_temp.ipost('n_vis', 'bank-h', 'we saw 203.0.113.9 and hid.example.org', '[{"class": "all_members"}]');
SELECT pg_temp.ipost('n_none', 'bank-h', 'we saw nothing special', '[{"class": "all_members"}]');
SELECT pg_temp.ipost('n_sec', 'bank-n', 'a non-handler saw 198.51.100.1 and secret.example.net', '[{"class": "all_members"}]');
SELECT is(pg_temp.told('bank-h'), ARRAY['n_vis'],
    'R-SCOPE-1: the author is told of its post whose indicators match a post it reads (n_vis), not of one whose only matches are in posts it cannot read (n_hid), nor of one without any (n_none)');
SELECT is((SELECT subject_ja || ' | ' || subject_en || ' | ' || link FROM council.notifications
           WHERE kind = 'post.correlation' AND post_id = pg_temp.p('n_vis')),
    format('相関: 投稿 #%s の指標が、閲覧できる他の投稿にもあります | Correlation: indicators of post #%s appear in other posts you can read | /posts/%s',
           pg_temp.p('n_vis'), pg_temp.p('n_vis'), pg_temp.p('n_vis')),
    'M25: the notification names the author''s own post and nothing else: no count, no other post, no value');
SELECT is(pg_temp.told('bank-n'), '{}'::text[],
    'R-SECRET-2: a non-handler whose only match is in a secret post is told nothing');
RESET ROLE;
SELECT is((SELECT array_agg(DISTINCT person_id) FROM council.notifications WHERE kind = 'post.correlation'
           AND post_id IN (SELECT id FROM t_posts WHERE label LIKE 'n\_%')),
    ARRAY[(SELECT person_id FROM t_people WHERE k = 'bank-h')],
    'M25: only the author is told (one notification, the readers of the posts it matches are not)');
SET LOCAL ROLE council_app;
SELECT is(pg_temp.told('power-h'), ARRAY['c_pow', 'c_sec'],
    'R-SCOPE-1: power is told of its two posts, whose 203.0.113.9 is in c_all, which it reads');
SELECT is(pg_temp.told('v2-h'), ARRAY['c_excl'], '... v2 of c_excl (c_all again)');
SELECT is(pg_temp.told('v1-h'), '{}'::text[], '... v1 of nothing: c_all came first, c_alone matches nothing');

-- ---- What each reader is shown. ----------------------------------------------
SELECT is(pg_temp.corr('bank-h', 'n_vis'),
    ARRAY['c_all ip 203.0.113.9', 'c_sec ip 203.0.113.9'],
    'R-SCOPE-1, R-SCOPE-2: bank''s handler is shown the posts it reads that share an indicator: not c_pow (scope), not c_excl (excluded), not n_hid');
SELECT is(pg_temp.corr('bank-n', 'n_vis'), ARRAY['c_all ip 203.0.113.9'],
    'R-SECRET-2: a non-handler of the same organisation is not shown the secret c_sec');
SELECT is(pg_temp.corr('power-h', 'n_vis'),
    ARRAY['c_all ip 203.0.113.9', 'c_excl domain hid.example.org', 'c_excl ip 203.0.113.9',
          'c_pow domain hid.example.org', 'c_pow ip 203.0.113.9', 'c_sec ip 203.0.113.9'],
    'R-SCOPE-1: power reads all of them, with every shared value');
SELECT is(pg_temp.corr('bank-h', 'n_hid'), '{}'::text[],
    'M25: a post whose matches are all hidden from the reader shows none');
SELECT is(pg_temp.corr('bank-h', 'c_pow'), '{}'::text[],
    'R-SCOPE-1: the correlations of a post the reader cannot read: nothing');
SELECT is(pg_temp.corr('coord-h', 'n_vis'), pg_temp.corr('power-h', 'n_vis'),
    'R-ORG-6: the coordinator is shown every correlated post (here what power reads, which is all)');
SELECT is(pg_temp.corr('coord-n', 'n_vis'),
    ARRAY['c_all ip 203.0.113.9', 'c_excl domain hid.example.org', 'c_excl ip 203.0.113.9',
          'c_pow domain hid.example.org', 'c_pow ip 203.0.113.9'],
    'R-SECRET-2: ... but a coordinator''s person who is no handler is not shown the secret');

-- The reader's correlations, every person by every post, equal the posts it
-- reads (posts' own policies, pg_temp.visible) that share an indicator
-- (the indicators read as the owner, without row-level security).
RESET ROLE;
CREATE TEMP TABLE t_ind AS
SELECT t.label, i.kind::text AS kind, i.value FROM council.post_indicators i JOIN t_posts t ON t.id = i.post_id;
GRANT SELECT ON t_ind TO council_app;
CREATE TEMP TABLE t_vis (k text NOT NULL, label text NOT NULL);
GRANT SELECT, INSERT ON t_vis TO council_app;
SET LOCAL ROLE council_app;
INSERT INTO t_vis SELECT pe.k, unnest(pg_temp.visible(pe.k)) FROM t_people pe;
SELECT is((SELECT count(*)::int FROM t_people pe, t_posts x
           WHERE pg_temp.corr(pe.k, x.label) IS DISTINCT FROM (
               SELECT coalesce(array_agg(o.label || ' ' || o.kind || ' ' || o.value
                                         ORDER BY o.label, o.kind, o.value), '{}')
               FROM t_ind m JOIN t_ind o ON o.kind = m.kind AND o.value = m.value AND o.label <> m.label
               WHERE m.label = x.label
                 AND EXISTS (SELECT 1 FROM t_vis v WHERE v.k = pe.k AND v.label = x.label)
                 AND EXISTS (SELECT 1 FROM t_vis v WHERE v.k = pe.k AND v.label = o.label))),
    0, 'R-SCOPE-1, R-SCOPE-2, R-SECRET-2, R-ORG-6: for every test person and every post, the correlations shown are exactly the posts the person reads that share an indicator with a post it reads');

-- ---- The API: same answers, hidden like absent. ------------------------------
SELECT is(pg_temp.api('bank-h', pg_temp.p('c_pow')), pg_temp.api('bank-h', 999999999),
    'R-SCOPE-1: GET /api/v1/posts/N/correlations of a post the caller cannot read answers exactly like an absent one');
SELECT is(pg_temp.api('bank-h', 999999999), '404 {"error" : "post_not_found"}', '... 404 post_not_found');
SELECT is(pg_temp.api('bank-h', pg_temp.p('n_hid')), pg_temp.api('bank-h', pg_temp.p('n_none')),
    'M25: a post whose only matches are hidden answers exactly like a post with no indicator matched at all');
SELECT is(pg_temp.api('bank-h', pg_temp.p('n_none')), '200 {"post" : N, "correlations" : []}',
    '... {"post": N, "correlations": []}');
SELECT is((SELECT json_agg(x ORDER BY x)::text FROM (
              SELECT (c->>'post')::bigint AS x
              FROM json_array_elements((pg_temp.val('bank-h', format('SELECT body FROM council.api_post_correlations(%s)',
                                         pg_temp.p('n_vis'))))::json->'correlations') c) s),
    json_build_array(pg_temp.p('c_all'), pg_temp.p('c_sec'))::text,
    'R-SCOPE-1: the API lists the posts the page lists');
SELECT is(pg_temp.val('bank-h', format('SELECT count(*) FROM council.correlation_list(%s)', pg_temp.p('n_vis'))), '2',
    '... and the page''s list has one row per shared value of the posts it reads');
SELECT pg_temp.nobody();
SELECT is((SELECT status || ' ' || body FROM council.api_post_correlations(pg_temp.p('n_vis'))),
    '401 {"error" : "not_signed_in"}', 'nobody signed in: 401');

-- ---- Nobody else can tell an author, or read past the policies. ----------------
SELECT is(pg_temp.err('bank-h', format('SELECT council.correlation_notify(%s)', pg_temp.p('n_hid'))),
    '42501 permission denied for function correlation_notify',
    'M25: council_app cannot call the definer step that writes the notification');
SELECT is(pg_temp.val('bank-h', format('SELECT council.correlation_any(%s, ARRAY[''domain'']::council.indicator_kind[], ARRAY[''only-hidden.example.org''])',
                                       pg_temp.p('n_hid'))),
    'false', 'M25: the notification''s test, as bank: only-hidden.example.org is only in posts bank cannot read');
SELECT is(pg_temp.val('power-h', format('SELECT council.correlation_any(%s, ARRAY[''domain'']::council.indicator_kind[], ARRAY[''only-hidden.example.org''])',
                                        pg_temp.p('n_hid'))),
    'true', '... as power, which reads c_pow and c_excl, it matches');
SELECT is(pg_temp.val('v1-h', format('SELECT council.correlation_any(%s, ARRAY[''ip'']::council.indicator_kind[], ARRAY[''192.0.2.200''])',
                                     pg_temp.p('c_alone'))),
    'false', '... a value only in the post itself matches nothing');

-- ---- Indicators added later (an edit), and by roles that read everything. -------
-- As the owner (here the superuser, who reads every post) with bank's
-- session: the test would see c_pow, so nothing may be told.
RESET ROLE;
SELECT pg_temp.p('n_none') AS n_none \gset
SELECT pg_temp.as_('bank-h');
INSERT INTO council.post_indicators (post_id, kind, value)
VALUES (:n_none, 'domain', 'only-hidden.example.org');
SELECT is((SELECT count(*)::int FROM council.notifications WHERE post_id = pg_temp.p('n_none')
           AND kind = 'post.correlation'), 0,
    'M25: indicators written by a role that reads every post (the owner, the superuser) tell nobody, even with the author''s session');
-- As council_writer under bank's session (what create_post is): a value
-- only in hidden posts tells nothing, one in a post bank reads tells bank.
SET LOCAL ROLE council_writer;
INSERT INTO council.post_indicators (post_id, kind, value)
VALUES (:n_none, 'domain', 'hid.example.org.invalid-only-hidden'),
       (:n_none, 'hash', repeat('ab', 32));
RESET ROLE;
SELECT is((SELECT count(*)::int FROM council.notifications WHERE post_id = pg_temp.p('n_none')
           AND kind = 'post.correlation'), 0,
    'R-SCOPE-1: indicators added later that match no post the author reads tell nothing');
SELECT pg_temp.as_('bank-h');
SET LOCAL ROLE council_writer;
INSERT INTO council.post_indicators (post_id, kind, value)
VALUES (:n_none, 'cve', 'CVE-2024-1111');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM council.notifications WHERE post_id = pg_temp.p('n_none')
           AND kind = 'post.correlation' AND person_id = (SELECT person_id FROM t_people WHERE k = 'bank-h')), 1,
    'R-SCOPE-1: one added later that matches a post the author reads (c_all''s CVE) tells the author');

SELECT * FROM finish();
ROLLBACK;
