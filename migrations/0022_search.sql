-- 0022_search: search without scanning bodies (issue 12, item 4).
--
-- council.post_search keeps, per post, its searchable text (title and
-- body, normalised) and its secrecy; a GIN index holds every distinct
-- 2-character and 3-character substring ("gram") of that text.  A query of
-- 2 or 3 characters is one index lookup that is exact; a longer one is the
-- posts holding all of its 3-character grams, checked against the text.
-- Why n-grams of characters and not words: Japanese has no spaces, so a
-- word is any substring; why bigrams too: 2-character words (攻撃, 脆弱,
-- 侵入, 被害) are among the most searched (docs/architecture.md, "The
-- feed, unread marks and search").  Filled by the triggers of
-- policy/66_search.sql, read only by its candidate finder (council_definer):
-- nobody else has a grant or a policy.
--
-- The two functions below define the index: never change them in place
-- (a new migration would add new functions and a new index).

-- The searchable form of a text: Unicode NFKC (full-width Latin and digits
-- become ASCII, half-width katakana full-width, ① becomes 1), then lower
-- case.  Queries are normalised the same way (policy/66_search.sql).
CREATE FUNCTION council.search_norm(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog
AS $$ SELECT lower(normalize(t, NFKC)) $$;

-- A post's searchable text: its title and its body, normalised, on two
-- lines (a query holds no line break, so no match spans the two).
CREATE FUNCTION council.search_doc(title text, body text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, council
AS $$ SELECT council.search_norm(coalesce(title, '')) || E'\n' || council.search_norm(coalesce(body, '')) $$;

-- Every substring of 2 and of 3 characters of d (with repeats: GIN keeps
-- each key of a row once).  Five passes of the regular expression engine,
-- each taking non-overlapping pieces from offset 0, 1 or 2: linear in the
-- length of d, and in C (a 500-character text: about 0.3 ms; a window
-- function over its characters took four times as long).
CREATE FUNCTION council.search_grams(d text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog
AS $$
    SELECT ARRAY(
        SELECT m[1] FROM regexp_matches(d, '..', 'g') m
        UNION ALL SELECT m[1] FROM regexp_matches(substr(d, 2), '..', 'g') m
        UNION ALL SELECT m[1] FROM regexp_matches(d, '...', 'g') m
        UNION ALL SELECT m[1] FROM regexp_matches(substr(d, 2), '...', 'g') m
        UNION ALL SELECT m[1] FROM regexp_matches(substr(d, 3), '...', 'g') m)
$$;

-- One row per post, written with the post (title) and again with its body;
-- is_secret is the post's (posts never change their secrecy, 0003).
CREATE TABLE council.post_search (
    post_id    bigint PRIMARY KEY REFERENCES council.posts (id),
    is_secret  boolean NOT NULL,
    doc        text NOT NULL
);

-- Backfill the posts already written (on a new database there are none:
-- migrations run before the policies).  RLS is switched on after it.
INSERT INTO council.post_search (post_id, is_secret, doc)
SELECT p.id, p.is_secret, council.search_doc(p.title, b.body)
FROM council.posts p LEFT JOIN council.post_bodies b ON b.post_id = p.id;

CREATE INDEX post_search_grams ON council.post_search USING gin (council.search_grams(doc));

ALTER TABLE council.post_search ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.post_search FORCE ROW LEVEL SECURITY;

-- The definer writes (the triggers: a row, then its text again) and reads
-- (the candidate finder); council_app and council_writer nothing.
GRANT SELECT, INSERT ON council.post_search TO council_definer;
GRANT UPDATE (doc) ON council.post_search TO council_definer;
