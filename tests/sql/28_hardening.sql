-- tests/sql/28_hardening.sql: findings of the attack pass that live in the
-- database (issue 10).  Item 10: the CSV formula guard of the minutes
-- (policy/72_assembly_reads.sql, council.ga_csv_field).  Everything is rolled back.
BEGIN;
SELECT plan(17);

-- Every field is quoted; text a spreadsheet could run gets an apostrophe.
SELECT is(council.ga_csv_field(v), w, format('CSV field %s is %s', d, w))
FROM (VALUES
    ('=1+1',          '"''=1+1"',         'a leading ='),
    ('+1',            '"''+1"',           'a leading +'),
    ('-1',            '"''-1"',           'a leading -'),
    ('@SUM(A1)',      '"''@SUM(A1)"',     'a leading @'),
    (' =1+1',         '"'' =1+1"',        'a leading space'),
    (E'\n=1+1',       E'"''\n=1+1"',      'a leading LF'),
    (E'\t=1',         E'"''\t=1"',        'a leading tab'),
    (E'\r=1',         E'"''\r=1"',        'a leading CR'),
    ('＝1+1',          '"''＝1+1"',         'a leading full-width = (U+FF1D)'),
    ('|cmd',          '"''|cmd"',         'a leading |'),
    (';=1',           '"'';=1"',          'a leading ;='),
    ('%0A',           '"''%0A"',          'a leading %'),
    (U&'\3000=1',     U&'"''\3000=1"',    'a leading ideographic space'),
    ('plain text',    '"plain text"',     'plain text'),
    ('a "quote"',     '"a ""quote"""',    'quotes doubled'),
    ('会議 = 1',       '"会議 = 1"',        'an = later in the text')
) AS t(v, w, d);
SELECT is(council.ga_csv_field(NULL), '""', 'NULL is an empty quoted field');

SELECT * FROM finish();
ROLLBACK;
