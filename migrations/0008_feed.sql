-- 0008_feed: the member feed's unread marks, the indicators that search
-- matches exactly, and the indexes of the filtered feed (issue 4).
-- Policies, the triggers that fill post_indicators, council.mark_read,
-- council.feed_page and council.search: policy/62_feed.sql.

-- Unread: a row when a person opened a post (its page); the first opening
-- counts.  Each person sees only their own rows (policy/62_feed.sql).
CREATE TABLE council.post_reads (
    person_id  bigint NOT NULL REFERENCES council.people (id),
    post_id    bigint NOT NULL REFERENCES council.posts (id),
    read_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, post_id)
);

-- Indicators of compromise found in a post's title and body, normalised,
-- so that search can match an IP address, a domain, a hash or a CVE id
-- exactly, through an index.  Derived rows: visible only with their post.
CREATE TYPE council.indicator_kind AS ENUM ('ip', 'domain', 'url', 'hash', 'cve', 'email');
CREATE TABLE council.post_indicators (
    post_id  bigint NOT NULL REFERENCES council.posts (id),
    kind     council.indicator_kind NOT NULL,
    value    text NOT NULL CHECK (length(value) BETWEEN 1 AND 2048),
    PRIMARY KEY (post_id, kind, value)
);
CREATE INDEX post_indicators_value ON council.post_indicators (value);

-- The filtered feed (policy/62_feed.sql, council.post_candidates): a
-- group's posts newest first; (group_id, post_id) replaces 0002's index on
-- group_id alone, of which it is a superset.  The posts of one kind or one
-- TLP label newest first: partial indexes, one per value, because under
-- row-level security an index on an enum column cannot be searched (enum
-- equality is not leakproof) while a partial index's predicate can be
-- implied by the query's condition.  Each post is in one index of each
-- set, so the ten cost about two indexes of posts' ids.
CREATE INDEX post_scope_group_post ON council.post_scope (group_id, post_id)
    WHERE group_id IS NOT NULL;
DROP INDEX council.post_scope_group;
CREATE INDEX posts_kind_consultation ON council.posts (id) WHERE kind = 'consultation';
CREATE INDEX posts_kind_analysis ON council.posts (id) WHERE kind = 'analysis';
CREATE INDEX posts_kind_countermeasure ON council.posts (id) WHERE kind = 'countermeasure';
CREATE INDEX posts_kind_alert ON council.posts (id) WHERE kind = 'alert';
CREATE INDEX posts_kind_report ON council.posts (id) WHERE kind = 'report';
CREATE INDEX posts_tlp_clear ON council.posts (id) WHERE tlp = 'clear';
CREATE INDEX posts_tlp_green ON council.posts (id) WHERE tlp = 'green';
CREATE INDEX posts_tlp_amber ON council.posts (id) WHERE tlp = 'amber';
CREATE INDEX posts_tlp_amber_strict ON council.posts (id) WHERE tlp = 'amber_strict';
CREATE INDEX posts_tlp_red ON council.posts (id) WHERE tlp = 'red';

-- An IP address in canonical form (inet's text: IPv6 compressed, lower
-- case), or NULL when t is not an address.  No prefix length: only plain
-- addresses reach it.
CREATE FUNCTION council.indicator_ip(t text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT
    SET search_path = pg_catalog
AS $$
BEGIN
    IF t ~ '/' OR t ~ '(^|\.)0[0-9]' THEN     -- no prefixes, no octal-looking octets
        RETURN NULL;
    END IF;
    RETURN host(t::inet);
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;

-- The indicators in a text, each once, normalised.  Pure: the same text
-- always gives the same set (the backfill below and the triggers of
-- policy/62_feed.sql use it; council.search applies it to the query).
--
-- First, common "defanging" is undone: [.] (.) {.} [dot] (dot) -> ".",
-- [:] -> ":", [@] [at] (at) -> "@", hxxp(s) -> http(s), fxp -> ftp.
-- Then, with PostgreSQL's regular expressions (ARE):
--   url     (https?|ftp)://[^\s<>"'`()\[\]{}、。「」『』（）]+  with trailing
--           .,;:!? removed; scheme and host lower-cased, the rest kept
--   email   [A-Za-z0-9._%+-]{1,64}@(label\.)+[A-Za-z]{2,63}, lower-cased
--   domain  (label\.)+[A-Za-z]{2,63}, not preceded by a letter, digit, "_",
--           "." or "-" and not followed by a letter, digit, "_" or "-";
--           label = [A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?; lower-cased.
--           The hosts of URLs and e-mail addresses are domains too.  Names
--           that end like a file (.exe .dll .pdf .zip .txt .doc .docx .xls
--           .xlsx .ppt .pptx .js .json .html .htm .php .bat .ps1 .sh .py
--           .log .tmp .dat .bin .lnk .msi .iso .img .jpg .jpeg .png .gif
--           .csv .xml .yaml .yml .conf .cfg .ini .md .c .h .sql .gz .tar .7z
--           .rar) are not.
--   ip      IPv4 (?<![0-9.])([0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9]|\.[0-9])
--           and IPv6 (?<![0-9A-Za-z:])([0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}
--           (?![0-9A-Za-z:]), each kept only if inet accepts it
--           (council.indicator_ip: canonical text; octets 0-255, no
--           leading zeros)
--   hash    exactly 32, 40, 64 or 128 hexadecimal digits (MD5, SHA-1,
--           SHA-256, SHA-512) between non-alphanumerics, lower-cased
--   cve     CVE-YYYY-NNNN(NNN) in any case, upper-cased
-- Values longer than 2048 characters are dropped; at most 1000 indicators
-- per text.
CREATE FUNCTION council.indicators_extract(t text)
    RETURNS TABLE (kind council.indicator_kind, value text)
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path = pg_catalog
AS $$
    WITH d AS (
        SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(
                   regexp_replace(t, '\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)', '.', 'gi'),
                   '\[:\]', ':', 'g'),
                   '\[@\]|\[at\]|\(at\)', '@', 'gi'),
                   '\mhxxp(s?)://', 'http\1://', 'gi'),
                   '\mfxp://', 'ftp://', 'gi') AS s
    ), urls AS (
        SELECT regexp_replace(m[1], '[.,;:!?]+$', '') AS u
        FROM d, regexp_matches(d.s,
            '((?:https?|ftp)://[^\s<>"''`()\[\]{}、。「」『』（）]+)', 'gi') AS m
    ), found AS (
        SELECT 'url'::council.indicator_kind AS kind,
               lower(substring(u FROM '^[A-Za-z]+://[^/?#]*')) || substring(u FROM '^[A-Za-z]+://[^/?#]*(.*)$') AS value
        FROM urls WHERE u ~* '^[a-z]+://[^/?#]+'
        UNION
        SELECT 'email', lower(m[1])
        FROM d, regexp_matches(d.s,
            '(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})(?![A-Za-z0-9_-])',
            'g') AS m
        UNION
        SELECT 'domain', lower(m[1])
        FROM d, regexp_matches(d.s,
            '(?<![A-Za-z0-9_.-])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})(?![A-Za-z0-9_-])',
            'g') AS m
        WHERE lower(substring(m[1] FROM '[A-Za-z]+$')) NOT IN (
            'exe', 'dll', 'pdf', 'zip', 'txt', 'doc', 'docx', 'xls', 'xlsx',
            'ppt', 'pptx', 'js', 'json', 'html', 'htm', 'php', 'bat', 'ps1',
            'sh', 'py', 'log', 'tmp', 'dat', 'bin', 'lnk', 'msi', 'iso', 'img',
            'jpg', 'jpeg', 'png', 'gif', 'csv', 'xml', 'yaml', 'yml', 'conf',
            'cfg', 'ini', 'md', 'c', 'h', 'sql', 'gz', 'tar', '7z', 'rar')
        UNION
        SELECT 'ip', council.indicator_ip(m[1])
        FROM d, regexp_matches(d.s,
            '(?<![0-9.])((?:[0-9]{1,3}\.){3}[0-9]{1,3})(?![0-9]|\.[0-9])', 'g') AS m
        UNION
        SELECT 'ip', council.indicator_ip(m[1])
        FROM d, regexp_matches(d.s,
            '(?<![0-9A-Za-z:])((?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4})(?![0-9A-Za-z:])', 'g') AS m
        UNION
        SELECT 'hash', lower(m[1])
        FROM d, regexp_matches(d.s,
            '(?<![0-9A-Za-z])([0-9A-Fa-f]{128}|[0-9A-Fa-f]{64}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{32})(?![0-9A-Za-z])',
            'g') AS m
        UNION
        SELECT 'cve', upper(m[1])
        FROM d, regexp_matches(d.s, '(?<![0-9A-Za-z])(CVE-[0-9]{4}-[0-9]{4,7})(?![0-9])', 'gi') AS m
    )
    SELECT f.kind, f.value FROM found f
    WHERE f.value IS NOT NULL AND length(f.value) BETWEEN 1 AND 2048
    ORDER BY f.kind, f.value
    LIMIT 1000
$$;

-- Backfill: the indicators of the posts already written.  (On a new
-- database, migrations run before the policies, so there are none.)  RLS
-- is switched on after the backfill.
INSERT INTO council.post_indicators (post_id, kind, value)
SELECT p.id, x.kind, x.value
FROM council.posts p
LEFT JOIN council.post_bodies b ON b.post_id = p.id
CROSS JOIN LATERAL council.indicators_extract(p.title || E'\n' || coalesce(b.body, '')) x
ON CONFLICT DO NOTHING;

ALTER TABLE council.post_reads ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.post_reads FORCE ROW LEVEL SECURITY;
ALTER TABLE council.post_indicators ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.post_indicators FORCE ROW LEVEL SECURITY;

-- council_app reads (its policies decide which rows); council_writer
-- inserts through council.mark_read and the indicator triggers; the
-- definer's search candidates read indicators.
GRANT SELECT ON council.post_reads, council.post_indicators
    TO council_app, council_writer, council_definer;
GRANT INSERT ON council.post_reads, council.post_indicators TO council_writer;
