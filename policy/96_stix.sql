-- policy/96_stix.sql: the portal as STIX 2.1 objects and TAXII 2.1
-- collections (issue 15 items 1-3; docs/stix.md says field by field what
-- becomes what; migrations/0044_stix.sql).  councild's TAXII front
-- (server/pages/taxii.c) calls the taxii_* functions as council_app with
-- the caller's identity.  Nothing here decides who sees a post: every
-- object is drawn from council.posts, post_bodies, post_indicators and
-- post_scope as the caller reads them, under their row-level security
-- (41_sharing_policies.sql), so a TAXII client sees exactly what the
-- member's pages show (R-SCOPE-1, R-SECRET-2, R-SECRET-3, R-ORG-6).
-- What the caller may not know is added by definer functions that check
-- the rule themselves: the feedback's class counts (R-TF-6, R-TF-1: the
-- author's organisation and the coordinator only), the two parties of a
-- consultation's advice.
-- Re-applied by "councilctl migrate".  Errors: MESSAGE a stable code,
-- SQLSTATE class CP (see 42_sharing_writes.sql).

------------------------------------------------------------------------
-- Identifiers, timestamps, the fixed objects.
------------------------------------------------------------------------

-- UUIDv5 (RFC 9562 5.5) of name in namespace ns: SHA-1, version 5,
-- variant 10.  Immutable, so it may key an index.
CREATE OR REPLACE FUNCTION council.stix_uuid5(ns uuid, name text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT encode(
        overlay(overlay(h PLACING set_byte('\x00'::bytea, 0,
                                           (get_byte(h, 6) & 15) | 80) FROM 7)
                PLACING set_byte('\x00'::bytea, 0,
                                 (get_byte(h, 8) & 63) | 128) FROM 9), 'hex')::uuid
    FROM (SELECT substr(council.digest(decode(replace(ns::text, '-', ''), 'hex')
                                       || convert_to(name, 'UTF8'), 'sha1'), 1, 16) AS h) x
$$;

-- The council's namespace for every id it derives (docs/stix.md).
CREATE OR REPLACE FUNCTION council.stix__ns() RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 'c0dec111-5f1e-4a2b-9c3d-7e8f9a0b1c2d'::uuid $$;

-- A STIX timestamp: UTC, milliseconds (created, modified) ...
CREATE OR REPLACE FUNCTION council.stix_ts(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- ... and microseconds (a TAXII date_added: exact, it orders the pages).
CREATE OR REPLACE FUNCTION council.stix_ts_us(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- A timestamp a client sent (added_after, match[version], modified):
-- RFC 3339 in UTC ("Z"), at most 9 fractional digits; NULL if malformed.
CREATE OR REPLACE FUNCTION council.stix_ts_parse(s text) RETURNS timestamptz
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    IF s IS NULL OR s !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$' THEN
        RETURN NULL;
    END IF;
    RETURN (substr(s, 1, least(length(s) - 1, 26)) || '+00')::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;

-- The official TLP 2.0 marking definitions (FIRST TLP 2.0 extension,
-- extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d).
CREATE OR REPLACE FUNCTION council.stix_tlp_id(t council.tlp) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT 'marking-definition--' || CASE t
        WHEN 'clear' THEN '94868c89-83c2-464b-929b-a1a8aa3c8487'
        WHEN 'green' THEN 'bab4a63c-aed9-4cf5-a766-dfca5abac2bb'
        WHEN 'amber' THEN '55d920b0-5e8b-4f79-9ee9-91f868d9b421'
        WHEN 'amber_strict' THEN '939a9414-2ddd-4d32-a0cd-375ea402b003'
        WHEN 'red' THEN 'e828b379-4e03-4974-9ac4-e53a884c97c1' END
$$;

-- The TLP a marking id names, TLP 2.0 or the STIX 2.1 spec's TLP 1.0
-- (white -> clear), on import; NULL for any other id.
CREATE OR REPLACE FUNCTION council.stix_tlp_of(id text) RETURNS council.tlp
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE id
        WHEN 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487' THEN 'clear'
        WHEN 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb' THEN 'green'
        WHEN 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421' THEN 'amber'
        WHEN 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003' THEN 'amber_strict'
        WHEN 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1' THEN 'red'
        WHEN 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9' THEN 'clear'
        WHEN 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da' THEN 'green'
        WHEN 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82' THEN 'amber'
        WHEN 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed' THEN 'red'
    END::council.tlp
$$;

-- The council's extension (docs/stix.md, council.stix_ext_schema)
-- and the identity that defines it.
CREATE OR REPLACE FUNCTION council.stix_ext_id() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 'extension-definition--'
             || council.stix_uuid5(council.stix__ns(), 'extension:council-scope:1') $$;

CREATE OR REPLACE FUNCTION council.stix_council_identity_id() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 'identity--' || council.stix_uuid5(council.stix__ns(), 'identity:council') $$;

-- The council's extension's JSON Schema (docs/stix.md).  It travels as
-- the extension definition's "schema", as text: STIX 2.1 7.3 allows the
-- definition "as a URL or as plain text", and a text needs no server to
-- fetch it from (a path is no URL, and the portal's address is not the
-- database's to know).
CREATE OR REPLACE FUNCTION council.stix_ext_schema() RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $schema$ SELECT $json${
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Cybersecurity Council sharing scope and secrecy (property-extension 1.0)",
  "description": "Carried by every object the council portal draws from a post (docs/stix.md). On a push into a TAXII write collection, 'secret' is required on every report, note, course-of-action and indicator (R-SECRET-1: the secrecy declaration has no default); the scope is the collection's and anything else here is ignored.",
  "type": "object",
  "properties": {
    "extension_type": {
      "type": "string",
      "enum": [
        "property-extension"
      ]
    },
    "secret": {
      "type": "boolean",
      "description": "The giver's declaration that the information is secret under the council's duty of confidentiality (R-SECRET-1)."
    },
    "post": {
      "type": "integer",
      "minimum": 1,
      "description": "The council post the object is drawn from."
    },
    "kind": {
      "type": "string",
      "enum": [
        "consultation",
        "analysis",
        "countermeasure",
        "alert",
        "report"
      ],
      "description": "The post's kind. On a push: the kind of post a report (analysis, alert, report) or a note (consultation, analysis, report) becomes; analysis when absent."
    },
    "tlp": {
      "type": "string",
      "enum": [
        "clear",
        "green",
        "amber",
        "amber_strict",
        "red"
      ],
      "description": "The TLP the post's scope reaches (also its object_marking_refs)."
    },
    "scope_designated": {
      "type": "boolean",
      "description": "Whether the giver designated the scope (R-SCOPE-5)."
    },
    "scope": {
      "type": "array",
      "minItems": 1,
      "description": "The scope entries of the post the reader may see: an organisation, a group, or a class of members. Absent when there are none (a reply has no scope of its own; STIX has no empty lists).",
      "items": {
        "type": "object",
        "oneOf": [
          {
            "required": [
              "org"
            ],
            "properties": {
              "org": {
                "type": "integer"
              }
            },
            "additionalProperties": false
          },
          {
            "required": [
              "group"
            ],
            "properties": {
              "group": {
                "type": "integer"
              }
            },
            "additionalProperties": false
          },
          {
            "required": [
              "class"
            ],
            "properties": {
              "class": {
                "type": "string",
                "enum": [
                  "all_members",
                  "task_force",
                  "type1_group",
                  "type2",
                  "coordinator",
                  "sector",
                  "category"
                ]
              },
              "sector": {
                "type": "string"
              },
              "category": {
                "type": "string"
              }
            },
            "additionalProperties": false
          }
        ]
      }
    }
  },
  "required": [
    "extension_type",
    "secret"
  ],
  "additionalProperties": false
}$json$::jsonb $schema$;

-- An organisation as the author of what it posted.
CREATE OR REPLACE FUNCTION council.stix_org_identity_id(o bigint) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT 'identity--' || council.stix_uuid5(council.stix__ns(), 'org:' || o) $$;

-- When the fixed objects were added (a constant, so that they stay on
-- the first page of every collection).
CREATE OR REPLACE FUNCTION council.stix__epoch() RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '2026-12-01 00:00:00+00'::timestamptz $$;

-- The objects every collection holds first: the council's identity, its
-- extension-definition and the five TLP 2.0 marking definitions.
CREATE OR REPLACE FUNCTION council.stix__fixed()
    RETURNS TABLE (date_added timestamptz, id text, type text, version text, obj jsonb)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, council
AS $$
    SELECT council.stix__epoch(), council.stix_council_identity_id(), 'identity',
           '2026-12-01T00:00:00.000Z',
           jsonb_build_object('type', 'identity', 'spec_version', '2.1',
               'id', council.stix_council_identity_id(),
               'created', '2026-12-01T00:00:00.000Z', 'modified', '2026-12-01T00:00:00.000Z',
               'name', 'Cybersecurity Council Portal (サイバーセキュリティ協議会)',
               'identity_class', 'system')
    UNION ALL
    SELECT council.stix__epoch(), council.stix_ext_id(), 'extension-definition',
           '2026-12-01T00:00:00.000Z',
           jsonb_build_object('type', 'extension-definition', 'spec_version', '2.1',
               'id', council.stix_ext_id(),
               'created_by_ref', council.stix_council_identity_id(),
               'created', '2026-12-01T00:00:00.000Z', 'modified', '2026-12-01T00:00:00.000Z',
               'name', 'Cybersecurity Council sharing scope and secrecy',
               'description', 'The sharing scope, TLP and secrecy declaration (R-SECRET-1) '
                   'of the council post an object is drawn from. "schema" is its JSON Schema '
                   '(draft 2020-12), as text.',
               'schema', council.stix_ext_schema()::text,
               'version', '1.0',
               'extension_types', jsonb_build_array('property-extension'))
    UNION ALL
    SELECT '2022-10-01 00:00:00+00'::timestamptz, council.stix_tlp_id(t),
           'marking-definition', '2022-10-01T00:00:00.000Z',
           jsonb_build_object('type', 'marking-definition', 'spec_version', '2.1',
               'id', council.stix_tlp_id(t), 'created', '2022-10-01T00:00:00.000Z',
               'name', 'TLP:' || upper(replace(t::text, '_', '+')),
               'extensions', jsonb_build_object(
                   'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d',
                   jsonb_build_object('extension_type', 'property-extension',
                                      'tlp_2_0', replace(t::text, '_', '+'))))
    FROM unnest(enum_range(NULL::council.tlp)) t
$$;

------------------------------------------------------------------------
-- A post's STIX id.
------------------------------------------------------------------------

-- The STIX type a post becomes: a reply or a consultation is a note, a
-- countermeasure a course-of-action, the rest (analysis, alert, report)
-- a report.
CREATE OR REPLACE FUNCTION council.stix_post_type(k council.post_kind, parent bigint)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN parent IS NOT NULL OR k = 'consultation' THEN 'note'
                WHEN k = 'countermeasure' THEN 'course-of-action'
                ELSE 'report' END
$$;

-- The id derived from a post: its number and its creation to the
-- microsecond, so that nobody can compute the id of a post it does not
-- see (a pushed object with a hidden post's id cannot probe it).
CREATE OR REPLACE FUNCTION council.stix__derived_id(p bigint, k council.post_kind,
    parent bigint, created timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT council.stix_post_type(k, parent) || '--'
        || council.stix_uuid5(council.stix__ns(), 'post:' || p || ':'
                              || (extract(epoch FROM created) * 1000000)::bigint)
$$;

-- Who pushed what: seen with the post (the caller reads a row of a post
-- it reads).  The owner's policy is 90_owner.sql's.
DROP POLICY IF EXISTS stix_imports_visible ON council.stix_imports;
CREATE POLICY stix_imports_visible ON council.stix_imports FOR SELECT
    TO council_app
    USING (EXISTS (SELECT 1 FROM council.posts p WHERE p.id = stix_imports.post_id));

-- The ids and versions of posts p_ids' objects, as the caller sees them:
-- a post pushed through TAXII keeps the client's id and modified (so the
-- client that pulls it back does not store a duplicate), unless another
-- post already carried that id when it was pushed (keeps_id, taxii_add)
-- or an earlier push carries it too; else the derived id and the post's
-- creation.  So no reader ever gets two objects with one id.  The posts the caller does not read are not there.
-- (Set-based: every per-post function here costs a plan of the row-level
-- security's policies; one statement for a page costs one.)
CREATE OR REPLACE FUNCTION council.stix__idents(p_ids bigint[])
    RETURNS TABLE (post_id bigint, sid text, modified timestamptz)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
BEGIN
    IF cardinality(p_ids) IS DISTINCT FROM 0 THEN
        RETURN QUERY
        SELECT x.id,
               coalesce(i.stix_id, council.stix__derived_id(x.id, x.kind, x.parent_id,
                                                           x.created_at)),
               coalesce(i.modified, x.created_at)
        FROM council.posts x
        LEFT JOIN council.stix_imports i ON i.post_id = x.id AND i.keeps_id
             AND NOT EXISTS (SELECT 1 FROM council.stix_imports e
                             WHERE e.stix_id = i.stix_id AND e.post_id < i.post_id)
        WHERE x.id = ANY (p_ids);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION council.stix_post_id(p bigint) RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$ SELECT i.sid FROM council.stix__idents(ARRAY[p]) i $$;

------------------------------------------------------------------------
-- What the caller may know beyond the rows it reads.
------------------------------------------------------------------------

-- The indicators of those of posts p_ids the caller reads.  The same
-- rows as reading council.post_indicators, whose policy checks (and, for
-- a secret, audits) the post once for every indicator; here once a post.
-- The audit of the post's opening is its body's, read with it
-- (stix__objects).
CREATE OR REPLACE FUNCTION council.stix__indicators(p_ids bigint[])
    RETURNS TABLE (post_id bigint, kind council.indicator_kind, value text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT i.post_id, i.kind, i.value FROM council.post_indicators i
        WHERE i.post_id IN (SELECT v.id FROM unnest(p_ids) v(id)
                            WHERE council.current_sees_post(v.id));
END
$$;

-- Among posts p_ids, those the caller reads but must not get as STIX:
--   * a poorer rendition of an analysis whose richer one it reads
--     (R-NEW-1: the richest only, as the feed and search);
--   * consultation advice outside its two parties: a reply in a
--     consultation's thread goes only to the organisation that asked and
--     the one that answered (the coordinator, who reads every post on its
--     pages, included only when it is one of them).
CREATE OR REPLACE FUNCTION council.stix__withheld(p_ids bigint[])
    RETURNS TABLE (post_id bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
DECLARE
    v_org bigint := council.current_org_id();
BEGIN
    RETURN QUERY
        SELECT r.post_id FROM council.post_renditions r
        JOIN council.post_renditions h ON h.analysis_id = r.analysis_id AND h.tier > r.tier
        WHERE r.post_id = ANY (p_ids) AND council.current_sees_post(h.post_id)
        UNION
        SELECT t.id FROM (
            WITH RECURSIVE up AS (
                SELECT x.id, x.parent_id AS at FROM council.posts x
                WHERE x.id = ANY (p_ids) AND x.parent_id IS NOT NULL
                UNION ALL
                SELECT up.id, y.parent_id FROM up JOIN council.posts y ON y.id = up.at
                WHERE y.parent_id IS NOT NULL)
            SELECT up.id, y.id AS root FROM up JOIN council.posts y ON y.id = up.at
            WHERE y.parent_id IS NULL AND y.kind = 'consultation') t
        WHERE v_org IS DISTINCT FROM (SELECT a.org_id FROM council.post_authors a
                                      WHERE a.post_id = t.root)
          AND v_org IS DISTINCT FROM (SELECT a.org_id FROM council.post_authors a
                                      WHERE a.post_id = t.id);
END
$$;

-- R-TF-6, R-TF-1: "seen here" on the posts p_ids, counted per task-force
-- class, for their author's organisation and the coordinator
-- (feedback_tally's readers; never the general-affairs secretariat,
-- R-ORG-6); never who.  Nothing for anyone else or a post the caller does
-- not see.
CREATE OR REPLACE FUNCTION council.stix__seen(p_ids bigint[])
    RETURNS TABLE (post_id bigint, org_class council.tf_class, seen bigint,
                   last_at timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
BEGIN
    IF council.current_is_secretariat() OR council.current_person_id() IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT f.post_id, f.org_class, count(*), max(f.updated_at)
        FROM council.feedback f
        JOIN council.post_authors a ON a.post_id = f.post_id
        WHERE f.post_id = ANY (p_ids) AND f.answer = 'seen'
          AND (council.current_is_coordinator() OR a.org_id = council.current_org_id())
          AND council.current_sees_post(f.post_id)
        GROUP BY f.post_id, f.org_class;
END
$$;

------------------------------------------------------------------------
-- The objects drawn from posts.
------------------------------------------------------------------------

-- A STIX pattern's string literal.
CREATE OR REPLACE FUNCTION council.stix__lit(v text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT '''' || replace(replace(v, '\', '\\'), '''', '\''') || '''' $$;

-- The observable an indicator value is: its SCO type, its property and
-- the pattern's object path; NULL for a CVE (a vulnerability) or a hash
-- of no known length.
CREATE OR REPLACE FUNCTION council.stix__observable(k council.indicator_kind, v text,
    OUT sco_type text, OUT prop jsonb, OUT pattern text)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, council
AS $$
    SELECT t, pr, pa FROM (
        SELECT CASE k WHEN 'ip' THEN CASE WHEN v LIKE '%:%' THEN 'ipv6-addr' ELSE 'ipv4-addr' END
                      WHEN 'domain' THEN 'domain-name'
                      WHEN 'url' THEN 'url'
                      WHEN 'email' THEN 'email-addr'
                      WHEN 'hash' THEN CASE WHEN h IS NOT NULL THEN 'file' END END AS t,
               CASE WHEN k = 'hash' THEN
                        CASE WHEN h IS NOT NULL THEN jsonb_build_object('hashes',
                                 jsonb_build_object(h, lower(v))) END
                    WHEN k <> 'cve' THEN jsonb_build_object('value', v) END AS pr,
               CASE WHEN k = 'hash' THEN
                        CASE WHEN h IS NOT NULL THEN '[file:hashes.''' || h || ''' = '
                                 || council.stix__lit(lower(v)) || ']' END
                    WHEN k <> 'cve' THEN
                        '[' || CASE k WHEN 'ip' THEN CASE WHEN v LIKE '%:%' THEN 'ipv6-addr'
                                                          ELSE 'ipv4-addr' END
                                      WHEN 'domain' THEN 'domain-name'
                                      WHEN 'url' THEN 'url'
                                      WHEN 'email' THEN 'email-addr' END
                        || ':value = ' || council.stix__lit(v) || ']' END AS pa
        FROM (SELECT CASE WHEN k = 'hash' THEN CASE length(v) WHEN 32 THEN 'MD5'
                                                             WHEN 40 THEN 'SHA-1'
                                                             WHEN 64 THEN 'SHA-256'
                                                             WHEN 128 THEN 'SHA-512' END END AS h) hh
    ) z
$$;

-- Every object drawn from the posts ids, as the caller sees them (the
-- posts it cannot read are simply not there).  For each post:
--   the post itself (report, note, course-of-action; docs/stix.md);
--   per indicator value: an indicator with its STIX pattern and the SCO
--   it observes (a CVE: a vulnerability), one observed-data over the SCOs;
--   a course-of-action "mitigates" each indicator and vulnerability.
-- Every one carries the post's TLP marking and the council's extension
-- (its scope as the caller sees it, its secrecy); created_by_ref names
-- the author's organisation unless the author is masked (R-TF-6).
-- date_added is the post's creation.
CREATE OR REPLACE FUNCTION council.stix__objects(p_ids bigint[])
    RETURNS TABLE (post_id bigint, date_added timestamptz, id text, type text,
                   version text, obj jsonb)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        WITH p AS (
            SELECT x.id AS pid, x.kind, x.parent_id, x.title, x.is_secret, x.confidence,
                   x.scope_designated, x.tlp, x.created_at, b.body,
                   pi.sid, pi.modified, pp.sid AS parent_sid,
                   -- the type of its id: a pushed note that became an
                   -- analysis stays a note
                   split_part(pi.sid, '--', 1) AS stype,
                   -- the properties everything drawn from the post carries,
                   -- as the caller sees it: the TLP marking, the council's
                   -- extension (the post, its kind, its secrecy declaration,
                   -- its TLP, the scope entries the caller reads) and, unless
                   -- the author is masked (R-TF-6), created_by_ref
                   jsonb_build_object(
                       'spec_version', '2.1',
                       'object_marking_refs', jsonb_build_array(council.stix_tlp_id(x.tlp)),
                       'extensions', jsonb_build_object(council.stix_ext_id(),
                           jsonb_build_object(
                               'extension_type', 'property-extension',
                               'post', x.id, 'kind', x.kind, 'secret', x.is_secret,
                               'tlp', x.tlp, 'scope_designated', x.scope_designated)
                           -- STIX has no empty lists: a reply has no scope
                           || jsonb_strip_nulls(jsonb_build_object('scope', sc.scope))))
                   || coalesce(au.cb, '{}') AS common
            FROM council.posts x
            JOIN council.stix__idents(p_ids) pi ON pi.post_id = x.id
            LEFT JOIN council.stix__idents(ARRAY(SELECT y.parent_id FROM council.posts y
                                                 WHERE y.id = ANY (p_ids)
                                                   AND y.parent_id IS NOT NULL)) pp
                   ON pp.post_id = x.parent_id
            LEFT JOIN council.post_bodies b ON b.post_id = x.id
            LEFT JOIN (
                SELECT s.post_id, jsonb_agg(CASE
                           WHEN s.org_id IS NOT NULL THEN jsonb_build_object('org', s.org_id)
                           WHEN s.group_id IS NOT NULL THEN jsonb_build_object('group', s.group_id)
                           ELSE jsonb_strip_nulls(jsonb_build_object('class', s.class,
                                    'sector', s.sector_code, 'category', s.category))
                           END ORDER BY s.id) AS scope
                FROM council.post_scope s WHERE s.post_id = ANY (p_ids)
                GROUP BY s.post_id) sc ON sc.post_id = x.id
            LEFT JOIN (
                SELECT a.post_id, jsonb_build_object('created_by_ref',
                           council.stix_org_identity_id(a.org_id)) AS cb
                FROM council.post_authors a
                WHERE a.post_id = ANY (p_ids) AND NOT a.masked) au ON au.post_id = x.id
            WHERE x.id = ANY (p_ids)
        ), ind AS (
            SELECT p.pid, p.created_at, p.common, p.sid, i.kind AS ikind, i.value, o.sco_type,
                   o.prop, o.pattern,
                   CASE WHEN i.kind = 'cve' THEN 'vulnerability'
                        WHEN o.sco_type IS NOT NULL THEN 'indicator' END AS itype,
                   council.stix_uuid5(council.stix__ns(),
                       p.sid || ':' || i.kind || ':' || i.value) AS u
            FROM p JOIN council.stix__indicators(p_ids) i ON i.post_id = p.pid
            CROSS JOIN LATERAL council.stix__observable(i.kind, i.value) o
        ), ind2 AS (
            SELECT ind.*, ind.itype || '--' || ind.u AS oid,
                   CASE WHEN ind.sco_type IS NOT NULL
                        THEN ind.sco_type || '--' || council.stix_uuid5(council.stix__ns(),
                             'sco:' || ind.sid || ':' || ind.ikind || ':' || ind.value) END AS scoid
            FROM ind WHERE ind.itype IS NOT NULL
        ), obs AS (
            SELECT ind2.pid, min(ind2.created_at) AS created_at,
                   'observed-data--' || council.stix_uuid5(council.stix__ns(),
                       'observed:' || min(ind2.sid)) AS oid,
                   jsonb_agg(ind2.scoid ORDER BY ind2.scoid) AS refs
            FROM ind2 WHERE ind2.scoid IS NOT NULL GROUP BY ind2.pid
        )
        -- the post
        SELECT p.pid, p.created_at, p.sid, p.stype, council.stix_ts(p.modified),
               p.common || jsonb_build_object('type', p.stype, 'id', p.sid,
                   'created', council.stix_ts(p.modified),
                   'modified', council.stix_ts(p.modified))
               || CASE p.stype
                  WHEN 'report' THEN jsonb_build_object(
                      'name', p.title, 'description', coalesce(p.body, ''),
                      'report_types', jsonb_build_array(CASE p.kind WHEN 'alert' THEN 'threat-report'
                                                                   WHEN 'analysis' THEN 'threat-report'
                                                                   ELSE 'observed-data' END),
                      'published', council.stix_ts(p.created_at),
                      'object_refs', coalesce((
                          SELECT jsonb_agg(r ORDER BY r) FROM (
                              SELECT ind2.oid AS r FROM ind2 WHERE ind2.pid = p.pid
                              UNION ALL SELECT obs.oid FROM obs WHERE obs.pid = p.pid) rr),
                          jsonb_build_array(council.stix_council_identity_id())))
                  WHEN 'note' THEN jsonb_build_object(
                      'abstract', p.title, 'content', coalesce(p.body, ''),
                      'object_refs', coalesce((
                          SELECT jsonb_agg(r ORDER BY r) FROM (
                              SELECT p.parent_sid AS r WHERE p.parent_sid IS NOT NULL
                              UNION ALL SELECT ind2.oid FROM ind2 WHERE ind2.pid = p.pid
                              UNION ALL SELECT obs.oid FROM obs WHERE obs.pid = p.pid) rr),
                          jsonb_build_array(council.stix_council_identity_id())))
                  ELSE jsonb_build_object(
                      'name', p.title, 'description', coalesce(p.body, ''),
                      'confidence', CASE p.confidence WHEN 'high' THEN 85 ELSE 15 END)
                  END
        FROM p
        UNION ALL
        -- indicators and vulnerabilities
        SELECT ind2.pid, ind2.created_at, ind2.oid, ind2.itype, council.stix_ts(ind2.created_at),
               ind2.common || jsonb_build_object('type', ind2.itype, 'id', ind2.oid,
                   'created', council.stix_ts(ind2.created_at),
                   'modified', council.stix_ts(ind2.created_at))
               || CASE ind2.itype
                  WHEN 'indicator' THEN jsonb_build_object('name', ind2.value,
                      'pattern', ind2.pattern, 'pattern_type', 'stix', 'pattern_version', '2.1',
                      'valid_from', council.stix_ts(ind2.created_at))
                  ELSE jsonb_build_object('name', upper(ind2.value),
                      'external_references', jsonb_build_array(jsonb_build_object(
                          'source_name', 'cve', 'external_id', upper(ind2.value))))
                  END
        FROM ind2
        UNION ALL
        -- the observables (SCOs: no created_by_ref, no created/modified)
        SELECT ind2.pid, ind2.created_at, ind2.scoid, ind2.sco_type, NULL,
               (ind2.common - 'created_by_ref')
               || jsonb_build_object('type', ind2.sco_type, 'id', ind2.scoid) || ind2.prop
        FROM ind2 WHERE ind2.scoid IS NOT NULL
        UNION ALL
        SELECT obs.pid, obs.created_at, obs.oid, 'observed-data', council.stix_ts(obs.created_at),
               p.common || jsonb_build_object('type', 'observed-data', 'id', obs.oid,
                   'created', council.stix_ts(obs.created_at),
                   'modified', council.stix_ts(obs.created_at),
                   'first_observed', council.stix_ts(obs.created_at),
                   'last_observed', council.stix_ts(obs.created_at),
                   'number_observed', 1, 'object_refs', obs.refs)
        FROM obs JOIN p ON p.pid = obs.pid
        UNION ALL
        -- a course-of-action mitigates what its post names
        SELECT ind2.pid, ind2.created_at, x.rid, 'relationship', council.stix_ts(ind2.created_at),
               ind2.common || jsonb_build_object('type', 'relationship', 'id', x.rid,
                   'created', council.stix_ts(ind2.created_at),
                   'modified', council.stix_ts(ind2.created_at),
                   'relationship_type', 'mitigates', 'source_ref', p.sid, 'target_ref', ind2.oid)
        FROM ind2 JOIN p ON p.pid = ind2.pid AND p.stype = 'course-of-action'
        CROSS JOIN LATERAL (SELECT 'relationship--' || council.stix_uuid5(council.stix__ns(),
                                'mitigates:' || ind2.oid) AS rid) x;
END
$$;

-- R-TF-6: "seen here" on the countermeasures among posts ids, one
-- sighting per task-force class that saw it, counted, never who
-- (stix__seen's readers only).  date_added is its last "seen": a new
-- answer makes a new version.
CREATE OR REPLACE FUNCTION council.stix__sightings(p_ids bigint[])
    RETURNS TABLE (date_added timestamptz, id text, type text, version text, obj jsonb)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT s.last_at, x.sid2, 'sighting', council.stix_ts(s.last_at),
               jsonb_build_object('type', 'sighting', 'spec_version', '2.1', 'id', x.sid2,
                   'created', council.stix_ts(s.last_at), 'modified', council.stix_ts(s.last_at),
                   'sighting_of_ref', i.sid, 'count', s.seen,
                   'description', 'Task force ' || CASE s.org_class WHEN 'type1' THEN 'Type 1'
                                                                   ELSE 'Type 2' END
                       || ' members that answered "seen here"',
                   'object_marking_refs', jsonb_build_array(council.stix_tlp_id(p.tlp)),
                   'extensions', jsonb_build_object(council.stix_ext_id(), jsonb_build_object(
                       'extension_type', 'property-extension', 'post', p.id, 'kind', p.kind,
                       'secret', p.is_secret, 'tlp', p.tlp,
                       'scope_designated', p.scope_designated)))
        FROM council.stix__seen(p_ids) s
        JOIN council.posts p ON p.id = s.post_id
        JOIN council.stix__idents(ARRAY(SELECT DISTINCT z.post_id
                                        FROM council.stix__seen(p_ids) z)) i ON i.post_id = p.id
        CROSS JOIN LATERAL (SELECT 'sighting--' || council.stix_uuid5(council.stix__ns(),
                                'seen:' || i.sid || ':' || s.org_class) AS sid2) x;
END
$$;


------------------------------------------------------------------------
-- Collections.
------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION council.taxii__shared_id() RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT council.stix_uuid5(council.stix__ns(), 'collection:shared') $$;

CREATE OR REPLACE FUNCTION council.taxii__group_id(g bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT council.stix_uuid5(council.stix__ns(), 'collection:group:' || g) $$;

-- The caller's collections: (id, kind, group or preset, title, read, write).
--   shared  everything the caller may read (its feed; R-SCOPE-1)
--   group   the posts it reads that were shared with a group its
--           organisation belongs to (R-NEW-2)
--   preset  a scope preset of its organisation: write only; what is pushed
--           there gets the preset's scope (item 3)
CREATE OR REPLACE FUNCTION council.taxii__collections()
    RETURNS TABLE (cid uuid, kind text, ref bigint, title text, description text,
                   can_read boolean, can_write boolean)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT council.taxii__shared_id(), 'shared', NULL::bigint,
               '共有された情報 (Shared with us)',
               'Every post your organisation may read, as STIX 2.1 objects.', true, false
        WHERE council.current_person_id() IS NOT NULL
        UNION ALL
        SELECT council.taxii__group_id(g.id), 'group', g.id,
               g.name_ja || ' (' || g.name_en || ')',
               'The posts shared with the group ' || g.slug || ' that you may read.', true, false
        FROM council.groups g
        JOIN council.group_members m ON m.group_id = g.id AND m.org_id = council.current_org_id()
        UNION ALL
        SELECT s.uuid, 'preset', s.id, s.name,
               'Write collection: objects pushed here become posts with this scope preset.',
               false, true
        FROM council.scope_presets s
        WHERE s.org_id = council.current_org_id() AND s.deleted_at IS NULL;
END
$$;

CREATE OR REPLACE FUNCTION council.taxii__collection_json(p_id uuid, p_title text,
    p_description text, p_read boolean, p_write boolean) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT jsonb_build_object('id', p_id, 'title', p_title, 'description', p_description,
        'can_read', p_read, 'can_write', p_write,
        'media_types', jsonb_build_array('application/stix+json;version=2.1'))
$$;

CREATE OR REPLACE FUNCTION council.taxii_discovery_json(p_base text) RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'title', 'サイバーセキュリティ協議会 TAXII (Cybersecurity Council TAXII)',
        'description', 'What your organisation may read, and write collections per scope preset.',
        'default', coalesce(p_base, '/taxii2/') || 'council/',
        'api_roots', jsonb_build_array(coalesce(p_base, '/taxii2/') || 'council/'))
$$;

CREATE OR REPLACE FUNCTION council.taxii_api_root_json() RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object('title', 'Council', 
        'description', 'The council''s posts under their sharing scopes.',
        'versions', jsonb_build_array('application/taxii+json;version=2.1'),
        'max_content_length', 10485760)
$$;

CREATE OR REPLACE FUNCTION council.taxii_collections_json() RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE WHEN count(*) = 0 THEN '{}'::jsonb
                ELSE jsonb_build_object('collections', jsonb_agg(
                         council.taxii__collection_json(c.cid, c.title, c.description, c.can_read, c.can_write) ORDER BY c.kind <> 'shared',
                         c.kind, c.ref)) END
    FROM council.taxii__collections() c
$$;

-- A collection of the caller's by id; NULL for any other (a hidden one
-- answers like an absent one).
CREATE OR REPLACE FUNCTION council.taxii_collection_json(p_id text) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT council.taxii__collection_json(c.cid, c.title, c.description, c.can_read, c.can_write) FROM council.taxii__collections() c
    WHERE c.cid::text = lower(p_id)
$$;

------------------------------------------------------------------------
-- Objects, manifest, versions.
------------------------------------------------------------------------

-- The posts of a collection (kind, ref: taxii__collections) the caller
-- reads, added at or after p_from: all for 'shared', those shared with
-- the group for 'group' (R-NEW-2).  Never a poorer rendition of an
-- analysis whose richer one the caller reads (R-NEW-1, as the feed),
-- never consultation advice outside its two parties.
CREATE OR REPLACE FUNCTION council.taxii__posts(p_kind text, p_ref bigint,
    p_from timestamptz)
    RETURNS TABLE (id bigint, created_at timestamptz)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        WITH c AS (
            SELECT x.id, x.created_at FROM council.posts x
            WHERE (p_from IS NULL OR x.created_at >= p_from)
              AND (p_kind <> 'group' OR EXISTS (SELECT 1 FROM council.post_scope s
                                                WHERE s.post_id = x.id AND s.group_id = p_ref)))
        SELECT c.id, c.created_at FROM c
        WHERE c.id NOT IN (SELECT w.post_id
                           FROM council.stix__withheld(ARRAY(SELECT c2.id FROM c c2)) w);
END
$$;

-- The organisations named as authors (not masked, R-TF-6) of posts
-- p_ids (a collection's), as identity objects, each added with the first
-- of its posts there.
CREATE OR REPLACE FUNCTION council.stix__identities(p_ids bigint[])
    RETURNS TABLE (date_added timestamptz, id text, type text, version text, obj jsonb)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
        SELECT min(x.created_at), council.stix_org_identity_id(o.id), 'identity',
               council.stix_ts(o.created_at),
               jsonb_build_object('type', 'identity', 'spec_version', '2.1',
                   'id', council.stix_org_identity_id(o.id),
                   'created', council.stix_ts(o.created_at),
                   'modified', council.stix_ts(o.created_at),
                   'name', o.name_ja || ' (' || o.name_en || ')',
                   'identity_class', 'organization')
        FROM council.posts x
        JOIN council.post_authors a ON a.post_id = x.id AND NOT a.masked
        JOIN council.organisations o ON o.id = a.org_id
        WHERE x.id = ANY (p_ids)
        GROUP BY o.id;
END
$$;

-- A comma-separated TAXII list: its items, at most 100, each at most 300
-- bytes; CP400 taxii_bad_parameter otherwise.
CREATE OR REPLACE FUNCTION council.taxii__list(s text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    a text[];
BEGIN
    IF s IS NULL THEN
        RETURN NULL;
    END IF;
    a := string_to_array(s, ',');
    IF cardinality(a) > 100 OR EXISTS (SELECT 1 FROM unnest(a) x
                                       WHERE x = '' OR length(x) > 300) THEN
        RAISE EXCEPTION 'taxii_bad_parameter' USING ERRCODE = 'CP400';
    END IF;
    RETURN a;
END
$$;

-- The objects of collection p_collection the caller may read, one page
-- (TAXII 2.1 5.3 objects, 5.4 manifest, 5.7 versions):
--   p_what         'objects', 'manifest' or 'versions' (then p_match_id is
--                  the URL's one object id)
--   p_added_after  only objects added after it (RFC 3339)
--   p_limit        at most this many (1..1000; default 100)
--   p_next         the opaque cursor of the previous page: the
--                  (date_added, id) of its last object, so that a page
--                  never shifts when objects are added meanwhile
--   p_match_*      TAXII's filters, raw (comma-separated)
-- Returns one row: the envelope (NULL: no such collection for the caller,
-- 404) and the first and last date_added of the page (X-TAXII-Date-Added-
-- First/Last).  CP403 taxii_collection_write_only for a write collection;
-- CP400 taxii_bad_parameter for a malformed value.  Every object has one
-- version (docs/stix.md), so match[version] first, last and all are alike.
CREATE OR REPLACE FUNCTION council.taxii_objects(p_collection text, p_added_after text,
    p_limit integer, p_next text, p_match_id text, p_match_type text,
    p_match_version text, p_match_spec text, p_what text)
    RETURNS TABLE (body jsonb, first_added text, last_added text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    c          record;
    v_after    timestamptz;
    v_cur_t    timestamptz;
    v_cur_id   text;
    v_limit    integer := coalesce(p_limit, 100);
    v_ids      text[] := council.taxii__list(p_match_id);
    v_types    text[] := council.taxii__list(p_match_type);
    v_vers     text[] := council.taxii__list(coalesce(p_match_version, 'last'));
    v_specs    text[] := council.taxii__list(p_match_spec);
    v_anyver   boolean;
    v_vts      timestamptz[];
    v_all      bigint[];
    v_all_t    timestamptz[];
    v_n        integer;
    v_i        integer;
    v_j        integer;
    v_step     integer;
    v_done     integer := 0;
    v_have     bigint := 0;
    v_acc      jsonb := '[]';
    v_bound    timestamptz;
    v_from     timestamptz;
    v_rows     jsonb;
    v_more     boolean;
    v_first    timestamptz;
    v_last     timestamptz;
    v_lastid   text;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF p_what NOT IN ('objects', 'manifest', 'versions') THEN
        RAISE EXCEPTION 'taxii_bad_parameter' USING ERRCODE = 'CP400';
    END IF;
    SELECT * INTO c FROM council.taxii__collections() x WHERE x.cid::text = lower(p_collection);
    IF NOT FOUND THEN
        body := NULL;
        RETURN NEXT;
        RETURN;
    END IF;
    IF NOT c.can_read THEN
        RAISE EXCEPTION 'taxii_collection_write_only' USING ERRCODE = 'CP403';
    END IF;
    IF v_limit < 1 OR v_limit > 1000 THEN
        v_limit := CASE WHEN v_limit < 1 THEN 1 ELSE 1000 END;
    END IF;
    IF p_added_after IS NOT NULL THEN
        v_after := council.stix_ts_parse(p_added_after);
        IF v_after IS NULL THEN
            RAISE EXCEPTION 'taxii_bad_parameter' USING ERRCODE = 'CP400';
        END IF;
    END IF;
    IF p_next IS NOT NULL THEN
        IF p_next !~ '^\d{1,20}_[a-z0-9-]{1,250}--[0-9a-f-]{36}$' THEN
            RAISE EXCEPTION 'taxii_bad_parameter' USING ERRCODE = 'CP400';
        END IF;
        v_cur_t := timestamptz 'epoch'
                   + split_part(p_next, '_', 1)::bigint * interval '1 microsecond';
        v_cur_id := substr(p_next, position('_' IN p_next) + 1);
    END IF;
    v_anyver := v_vers && ARRAY['last', 'first', 'all'];
    SELECT array_agg(council.stix_ts_parse(x)) INTO v_vts
    FROM unnest(v_vers) x WHERE x NOT IN ('last', 'first', 'all');
    IF array_position(v_vts, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'taxii_bad_parameter' USING ERRCODE = 'CP400';
    END IF;
    IF p_what = 'versions' AND cardinality(v_ids) IS DISTINCT FROM 1 THEN
        RAISE EXCEPTION 'taxii_bad_parameter' USING ERRCODE = 'CP400';
    END IF;
    v_from := greatest(v_after, v_cur_t);

    -- The posts whose objects may be on this page.  Without a filter:
    -- those added at the cursor's instant, then the next limit+1 (each
    -- gives at least one object), then every other post added at the same
    -- instant as the last (their objects interleave by id): v_bound, the
    -- last instant the page may reach.  A filter may drop objects: then
    -- every post after the cursor.
    -- The collection's posts, read once (each read of posts costs the
    -- policies' plan): all of them, in the order they were added.
    SELECT coalesce(array_agg(x.id ORDER BY x.created_at, x.id), '{}'),
           coalesce(array_agg(x.created_at ORDER BY x.created_at, x.id), '{}')
    INTO v_all, v_all_t
    FROM council.taxii__posts(c.kind, c.ref, NULL) x;
    v_n := cardinality(v_all);
    -- The first post added at or after the cursor's instant.
    v_i := 1;
    IF v_from IS NOT NULL THEN
        SELECT coalesce(min(u.k), v_n + 1) INTO v_i
        FROM unnest(v_all_t) WITH ORDINALITY u(t, k) WHERE u.t >= v_from;
    END IF;
    -- Draw the posts' objects batch by batch, in the order they were
    -- added, until more than a page passes the filters.  A batch ends
    -- with every post added at the instant of its last (their objects
    -- interleave by id), so v_bound, the instant of the last post drawn,
    -- splits no instant; no object of a later post can sort before it.
    -- The first batch guesses; the next ones size themselves on the
    -- objects a post gave so far.
    v_step := least(v_limit + 1, 64);
    WHILE v_i <= v_n AND v_have <= v_limit LOOP
        v_j := least(v_n, v_i + v_step - 1);
        WHILE v_j < v_n AND v_all_t[v_j + 1] = v_all_t[v_j] LOOP
            v_j := v_j + 1;
        END LOOP;
        SELECT v_acc || coalesce(jsonb_agg(jsonb_build_object('t', s.date_added, 'id', s.id,
                   'type', s.type, 'v', s.version, 'o', s.obj)), '[]'),
               v_have + count(*)
        INTO v_acc, v_have
        FROM council.stix__objects(v_all[v_i:v_j]) s
        WHERE (v_after IS NULL OR s.date_added > v_after)
          AND (v_cur_t IS NULL OR s.date_added > v_cur_t
               OR (s.date_added = v_cur_t AND s.id > v_cur_id))
          AND (v_ids IS NULL OR s.id = ANY (v_ids))
          AND (v_types IS NULL OR s.type = ANY (v_types))
          AND (v_anyver OR council.stix_ts_parse(coalesce(s.version,
                               council.stix_ts(s.date_added))) = ANY (v_vts));
        v_done := v_done + (v_j - v_i + 1);
        v_bound := v_all_t[v_j];
        v_i := v_j + 1;
        v_step := least(1000, greatest(16, ceil((v_limit + 1 - v_have)::numeric * 1.25
                                                  * v_done / greatest(v_have, 1))::int + 1));
    END LOOP;
    IF v_i > v_n THEN
        v_bound := NULL;	-- every post drawn: nothing lies beyond
    END IF;

    WITH o AS (
        SELECT f.date_added, f.id, f.type, f.version, f.obj FROM council.stix__fixed() f
        UNION ALL
        SELECT i.date_added, i.id, i.type, i.version, i.obj
        FROM council.stix__identities(v_all) i
        UNION ALL
        SELECT s.date_added, s.id, s.type, s.version, s.obj
        FROM council.stix__sightings(v_all) s
    ), f AS (
        SELECT o.*, coalesce(o.version, council.stix_ts(o.date_added)) AS ver
        FROM o
        WHERE (v_bound IS NULL OR o.date_added <= v_bound)
          AND (v_after IS NULL OR o.date_added > v_after)
          AND (v_cur_t IS NULL OR o.date_added > v_cur_t
               OR (o.date_added = v_cur_t AND o.id > v_cur_id))
          AND (v_ids IS NULL OR o.id = ANY (v_ids))
          AND (v_types IS NULL OR o.type = ANY (v_types))
        UNION ALL
        SELECT (a->>'t')::timestamptz, a->>'id', a->>'type', a->>'v', a->'o',
               coalesce(a->>'v', council.stix_ts((a->>'t')::timestamptz))
        FROM jsonb_array_elements(v_acc) a
    ), g AS (
        SELECT f.* FROM f
        WHERE (v_specs IS NULL OR '2.1' = ANY (v_specs))
          AND (v_anyver OR council.stix_ts_parse(f.ver) = ANY (v_vts))
        ORDER BY f.date_added, f.id
        LIMIT v_limit + 1
    ), n AS (
        SELECT g.*, row_number() OVER (ORDER BY g.date_added, g.id) AS rn FROM g
    )
    SELECT jsonb_agg(CASE p_what
                WHEN 'objects' THEN n.obj
                WHEN 'manifest' THEN jsonb_build_object('id', n.id,
                    'date_added', council.stix_ts_us(n.date_added), 'version', n.ver,
                    'media_type', 'application/stix+json;version=2.1')
                ELSE to_jsonb(n.ver) END ORDER BY n.rn) FILTER (WHERE n.rn <= v_limit),
           count(*) > v_limit,
           min(n.date_added) FILTER (WHERE n.rn <= v_limit),
           max(n.date_added) FILTER (WHERE n.rn <= v_limit),
           (array_agg(n.id ORDER BY n.rn) FILTER (WHERE n.rn = v_limit))[1]
    INTO v_rows, v_more, v_first, v_last, v_lastid
    FROM n;
    -- More when the page is full, or when posts lie beyond what was drawn.
    v_more := coalesce(v_more, false) OR (v_bound IS NOT NULL AND v_rows IS NOT NULL);

    body := jsonb_build_object('more', coalesce(v_more, false));
    IF v_more THEN
        body := body || jsonb_build_object('next',
            (extract(epoch FROM v_last) * 1000000)::bigint::text || '_' || v_lastid);
    END IF;
    IF v_rows IS NOT NULL THEN
        body := body || jsonb_build_object(
            CASE p_what WHEN 'objects' THEN 'objects' WHEN 'manifest' THEN 'objects'
                        ELSE 'versions' END, v_rows);
    END IF;
    first_added := council.stix_ts_us(v_first);
    last_added := council.stix_ts_us(v_last);
    RETURN NEXT;
END
$$;

-- One post as a STIX bundle, for the post page's download (NULL: the
-- caller does not read it; a hidden post answers like an absent one).
CREATE OR REPLACE FUNCTION council.stix_bundle(p_post bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM council.posts x WHERE x.id = p_post)
                     OR EXISTS (SELECT 1 FROM council.stix__withheld(ARRAY[p_post]))
                THEN NULL
                ELSE jsonb_build_object('type', 'bundle',
                    'id', 'bundle--' || council.stix_uuid5(council.stix__ns(),
                              'bundle:' || council.stix_post_id(p_post)),
                    'objects', (SELECT jsonb_agg(o.obj ORDER BY o.k, o.id) FROM (
                        SELECT 0 AS k, f.id, f.obj FROM council.stix__fixed() f
                        UNION ALL
                        SELECT 1, council.stix_org_identity_id(o.id),
                               jsonb_build_object('type', 'identity', 'spec_version', '2.1',
                                   'id', council.stix_org_identity_id(o.id),
                                   'created', council.stix_ts(o.created_at),
                                   'modified', council.stix_ts(o.created_at),
                                   'name', o.name_ja || ' (' || o.name_en || ')',
                                   'identity_class', 'organization')
                        FROM council.post_authors a
                        JOIN council.organisations o ON o.id = a.org_id
                        WHERE a.post_id = p_post AND NOT a.masked
                        UNION ALL
                        SELECT 2, s.id, s.obj FROM council.stix__objects(ARRAY[p_post]) s
                        UNION ALL
                        SELECT 3, s.id, s.obj FROM council.stix__sightings(ARRAY[p_post]) s) o))
           END
$$;

------------------------------------------------------------------------
-- Pushing objects (item 3) and the status resources.
------------------------------------------------------------------------

-- A status resource of the caller's organisation (TAXII 2.1 4.3); NULL
-- for any other id.
DROP POLICY IF EXISTS taxii_status_own ON council.taxii_status;
CREATE POLICY taxii_status_own ON council.taxii_status FOR SELECT TO council_app
    USING (org_id = (SELECT me.org_id FROM council.me));

CREATE OR REPLACE FUNCTION council.taxii__status_json(t council.taxii_status) RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object('id', t.id, 'status', 'complete',
               'request_timestamp', council.stix_ts_us(t.request_at),
               'total_count', t.total,
               'success_count', jsonb_array_length(t.successes),
               'failure_count', jsonb_array_length(t.failures),
               'pending_count', 0)
        || CASE WHEN jsonb_array_length(t.successes) > 0
                THEN jsonb_build_object('successes', t.successes) ELSE '{}' END
        || CASE WHEN jsonb_array_length(t.failures) > 0
                THEN jsonb_build_object('failures', t.failures) ELSE '{}' END
$$;

CREATE OR REPLACE FUNCTION council.taxii_status_json(p_id text) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT council.taxii__status_json(t) FROM council.taxii_status t
    WHERE t.id::text = lower(p_id) AND t.request_at > now() - interval '7 days'
$$;

-- Which of ids some post already carries, whoever may read it (a
-- derived id, or one pushed before by any organisation), and whether the
-- caller reads it under that id (readable: the reference resolves, the
-- object is in the council already).  One pass over the posts for a whole
-- push.  For taxii_add only: the pusher is never told of what it does not
-- read (REVOKEd from PUBLIC).
CREATE OR REPLACE FUNCTION council.stix__claims(ids text[])
    RETURNS TABLE (ref text, readable boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
#variable_conflict use_column
BEGIN
    IF cardinality(ids) IS DISTINCT FROM 0 THEN
        RETURN QUERY
            SELECT d.sid, council.current_sees_post(d.id) FROM (
                SELECT x.id, council.stix__derived_id(x.id, x.kind, x.parent_id,
                                                      x.created_at) AS sid
                FROM council.posts x) d
            WHERE d.sid = ANY (ids)
            UNION ALL
            SELECT s.stix_id, s.keeps_id AND council.current_sees_post(s.post_id)
            FROM council.stix_imports s WHERE s.stix_id = ANY (ids);
    END IF;
END
$$;

-- The TAXII types the portal makes posts of; the reference data it
-- accepts and does not keep.
CREATE OR REPLACE FUNCTION council.stix__post_types() RETURNS text[]
    LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['report', 'note', 'course-of-action', 'indicator'] $$;

-- Push p_envelope's objects into write collection p_collection (a scope
-- preset of the caller's organisation; TAXII 2.1 5.5), item 3:
--   * R-SECRET-1: the secrecy declaration has no default: every object
--     that would become a post must carry the council's extension with a
--     boolean "secret"; if one does not, the whole envelope is refused
--     (every object a failure, nothing stored).
--   * Each report, note and course-of-action becomes a post with the
--     preset's scope and exclusions (create_post, so every rule of a post
--     holds: R-SECRET-2/3, R-SCOPE-2, R-ORG-8, R-RESTRICT-1 ...); an
--     indicator one of them references is written into its body (and so
--     into its indicators); any other indicator becomes a post of its own.
--   * Nothing is widened: a reference (any *_ref, *_refs but created_by_ref
--     and the markings) must name an object of the envelope or one the
--     caller reads, else the object fails 'unresolved_reference' (a hidden
--     post's id fails like an unknown one); an object whose id is a post
--     the caller reads fails 'already_in_council' (re-pushing what one
--     pulled would give it a new scope); an object whose TLP marking is
--     stricter than the TLP its scope reaches fails 'tlp_stricter_than_scope'.
--   * Idempotent: an (id, modified) the organisation pushed before
--     succeeds again and makes nothing.
--   * Marking definitions, identities and extension definitions are
--     reference data: accepted, not kept.  Other types fail
--     'type_not_imported'.
-- Each object in its own subtransaction: one failure stops no other.
-- Returns the status resource (also kept, taxii_status_json).  CP404 for
-- a collection that is not the caller's, CP403 taxii_collection_read_only
-- for one it only reads, CP422 taxii_bad_envelope, CP413 taxii_too_many.
CREATE OR REPLACE FUNCTION council.taxii_add(p_collection text, p_envelope jsonb)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person   bigint := council.current_person_id();
    v_org      bigint := council.current_org_id();
    v_preset   council.scope_presets;
    v_objs     jsonb := p_envelope->'objects';
    v_ext      text := council.stix_ext_id();
    v_ids      text[];
    v_ext_refs text[];
    v_resolved text[];
    v_taken    text[];
    v_missing  boolean;
    v_folded   text[] := '{}';
    v_okposts  text[] := '{}';
    v_succ     jsonb := '[]';
    v_fail     jsonb := '[]';
    v_status   council.taxii_status;
    o          jsonb;
    r          jsonb;
    k          text;
    v_id       text;
    v_type     text;
    v_mod      timestamptz;
    v_ver      text;
    v_post     bigint;
    v_kind     council.post_kind;
    v_title    text;
    v_body     text;
    v_tlp      council.tlp;
    v_reached  council.tlp;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    SELECT * INTO v_preset FROM council.scope_presets s
    WHERE s.uuid::text = lower(p_collection) AND s.org_id = v_org AND s.deleted_at IS NULL;
    IF NOT FOUND THEN
        IF lower(p_collection) = council.taxii__shared_id()::text
           OR EXISTS (SELECT 1 FROM council.group_members m
                      WHERE m.org_id = v_org
                        AND council.taxii__group_id(m.group_id)::text = lower(p_collection)) THEN
            RAISE EXCEPTION 'taxii_collection_read_only' USING ERRCODE = 'CP403';
        END IF;
        RAISE EXCEPTION 'collection_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF jsonb_typeof(p_envelope) IS DISTINCT FROM 'object'
       OR jsonb_typeof(v_objs) IS DISTINCT FROM 'array'
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(v_objs) e
                  WHERE jsonb_typeof(e) <> 'object' OR jsonb_typeof(e->'id') IS DISTINCT FROM 'string'
                     OR jsonb_typeof(e->'type') IS DISTINCT FROM 'string') THEN
        RAISE EXCEPTION 'taxii_bad_envelope' USING ERRCODE = 'CP422';
    END IF;
    IF jsonb_array_length(v_objs) > 1000 THEN
        RAISE EXCEPTION 'taxii_too_many' USING ERRCODE = 'CP413';
    END IF;
    SELECT array_agg(e->>'id') INTO v_ids FROM jsonb_array_elements(v_objs) e;

    -- R-SECRET-1: no default, for the whole envelope.
    SELECT bool_or(jsonb_typeof(e->'extensions'->v_ext->'secret') IS DISTINCT FROM 'boolean')
    INTO v_missing
    FROM jsonb_array_elements(v_objs) e
    WHERE e->>'type' = ANY (council.stix__post_types());
    IF v_missing THEN
        SELECT jsonb_agg(jsonb_build_object('id', e->>'id',
                   'version', coalesce(e->>'modified', e->>'created', ''),
                   'message', CASE WHEN e->>'type' = ANY (council.stix__post_types())
                                    AND jsonb_typeof(e->'extensions'->v_ext->'secret')
                                        IS DISTINCT FROM 'boolean'
                                   THEN 'secret_declaration_required'
                                   ELSE 'envelope_refused_secret_declaration_required' END))
        INTO v_fail FROM jsonb_array_elements(v_objs) e;
        v_succ := '[]';
    ELSE
        -- The references outside the envelope, resolved once.
        SELECT array_agg(DISTINCT x) INTO v_ext_refs
        FROM jsonb_array_elements(v_objs) e, jsonb_each(e) kv,
             LATERAL (SELECT kv.value #>> '{}' AS x WHERE jsonb_typeof(kv.value) = 'string'
                      UNION ALL
                      SELECT a #>> '{}' FROM jsonb_array_elements(
                          CASE WHEN jsonb_typeof(kv.value) = 'array' THEN kv.value
                               ELSE '[]' END) a) refs
        WHERE (kv.key LIKE '%\_ref' OR kv.key LIKE '%\_refs')
          AND kv.key NOT IN ('created_by_ref', 'object_marking_refs')
          AND NOT (x = ANY (v_ids));
        SELECT coalesce(array_agg(DISTINCT x.ref) FILTER (WHERE x.readable), '{}'),
               coalesce(array_agg(DISTINCT x.ref), '{}')
        INTO v_resolved, v_taken
        FROM council.stix__claims(coalesce(v_ext_refs, '{}') || v_ids) x;
        -- the indicators a post of the envelope carries in its body
        SELECT coalesce(array_agg(DISTINCT a #>> '{}'), '{}') INTO v_folded
        FROM jsonb_array_elements(v_objs) e,
             jsonb_array_elements(CASE WHEN jsonb_typeof(e->'object_refs') = 'array'
                                       THEN e->'object_refs' ELSE '[]' END) a
        WHERE e->>'type' IN ('report', 'note', 'course-of-action')
          AND (a #>> '{}') LIKE 'indicator--%' AND (a #>> '{}') = ANY (v_ids);

        FOR o IN SELECT e FROM jsonb_array_elements(v_objs) e
                 ORDER BY (e->>'id') = ANY (v_folded) LOOP
            v_id := o->>'id';
            v_type := o->>'type';
            v_ver := coalesce(o->>'modified', o->>'created', '');
            BEGIN
                IF v_id !~ '^[a-z0-9-]{1,250}--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                   OR split_part(v_id, '--', 1) <> v_type
                   OR o->>'spec_version' IS DISTINCT FROM '2.1' THEN
                    RAISE EXCEPTION 'invalid_object' USING ERRCODE = 'CP422';
                END IF;
                IF v_type IN ('marking-definition', 'identity', 'extension-definition') THEN
                    v_succ := v_succ || jsonb_build_array(jsonb_build_object('id', v_id,
                                  'version', v_ver));
                    CONTINUE;
                END IF;
                IF NOT v_type = ANY (council.stix__post_types()) THEN
                    RAISE EXCEPTION 'type_not_imported' USING ERRCODE = 'CP422';
                END IF;
                v_mod := council.stix_ts_parse(o->>'modified');
                IF v_mod IS NULL THEN
                    RAISE EXCEPTION 'invalid_object' USING ERRCODE = 'CP422';
                END IF;
                -- every reference resolves inside the envelope or to what
                -- the caller reads
                FOR k IN SELECT kv.key FROM jsonb_each(o) kv
                         WHERE (kv.key LIKE '%\_ref' OR kv.key LIKE '%\_refs')
                           AND kv.key NOT IN ('created_by_ref', 'object_marking_refs') LOOP
                    FOR r IN SELECT a FROM jsonb_array_elements(
                                 CASE WHEN jsonb_typeof(o->k) = 'array' THEN o->k
                                      ELSE jsonb_build_array(o->k) END) a LOOP
                        -- identities, markings and extension definitions
                        -- carry nothing of a post: they need not resolve
                        IF jsonb_typeof(r) <> 'string'
                           OR NOT ((r #>> '{}') = ANY (v_ids)
                                   OR (r #>> '{}') = ANY (v_resolved)
                                   OR (r #>> '{}') ~ '^(identity|marking-definition|extension-definition)--') THEN
                            RAISE EXCEPTION 'unresolved_reference' USING ERRCODE = 'CP422';
                        END IF;
                    END LOOP;
                END LOOP;
                IF v_id = ANY (v_folded) THEN
                    IF NOT EXISTS (
                           SELECT 1 FROM jsonb_array_elements(v_objs) e
                           WHERE e->>'id' = ANY (v_okposts)
                             AND e->'object_refs' @> jsonb_build_array(v_id)) THEN
                        RAISE EXCEPTION 'referencing_object_failed' USING ERRCODE = 'CP422';
                    END IF;
                    v_succ := v_succ || jsonb_build_array(jsonb_build_object('id', v_id,
                                  'version', v_ver));
                    CONTINUE;
                END IF;
                -- idempotent
                IF EXISTS (SELECT 1 FROM council.stix_imports s
                           WHERE s.org_id = v_org AND s.stix_id = v_id AND s.modified = v_mod) THEN
                    v_okposts := v_okposts || v_id;
                    v_succ := v_succ || jsonb_build_array(jsonb_build_object('id', v_id,
                                  'version', v_ver));
                    CONTINUE;
                END IF;
                -- what the caller reads is not pushed again
                IF v_id = ANY (v_resolved) THEN
                    RAISE EXCEPTION 'already_in_council' USING ERRCODE = 'CP422';
                END IF;
                v_kind := CASE v_type
                    WHEN 'course-of-action' THEN 'countermeasure'
                    WHEN 'indicator' THEN 'analysis'
                    ELSE CASE WHEN o->'extensions'->v_ext->>'kind' IN ('analysis', 'alert', 'report')
                                   OR (v_type = 'note'
                                       AND o->'extensions'->v_ext->>'kind' = 'consultation')
                              THEN (o->'extensions'->v_ext->>'kind')::council.post_kind
                              ELSE 'analysis' END END;
                v_title := left(btrim(coalesce(CASE v_type WHEN 'note' THEN
                                          coalesce(o->>'abstract', left(o->>'content', 100))
                                      ELSE coalesce(o->>'name', o->>'pattern') END, '')), 300);
                IF v_title = '' THEN
                    v_title := 'STIX ' || v_type;
                END IF;
                v_body := coalesce(CASE v_type WHEN 'note' THEN o->>'content'
                                                ELSE o->>'description' END, '');
                IF v_type = 'indicator' THEN
                    v_body := v_body || E'\n\n' || coalesce(o->>'pattern', '');
                ELSE
                    v_body := v_body || coalesce((
                        SELECT E'\n\n' || string_agg(coalesce(e->>'name', '') || ' '
                                                     || coalesce(e->>'pattern', ''), E'\n'
                                                     ORDER BY e->>'id')
                        FROM jsonb_array_elements(v_objs) e
                        WHERE e->>'type' = 'indicator'
                          AND o->'object_refs' @> jsonb_build_array(e->>'id')), '');
                END IF;
                v_post := council.create_post(v_kind, v_title, left(btrim(v_body), 200000),
                    (o->'extensions'->v_ext->>'secret')::boolean, false,
                    v_preset.scope, v_preset.exclusions, '{}', NULL,
                    CASE WHEN v_kind = 'countermeasure' THEN
                        CASE WHEN jsonb_typeof(o->'confidence') = 'number'
                                  AND (o->>'confidence')::numeric >= 50
                             THEN 'high' ELSE 'low' END END);
                -- the giver's TLP is never widened: the post's TLP is what
                -- its scope reaches, and it may be stricter than the
                -- object's marking, never looser
                SELECT max(council.stix_tlp_of(a #>> '{}')) INTO v_tlp
                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(o->'object_marking_refs') = 'array'
                                               THEN o->'object_marking_refs' ELSE '[]' END) a;
                SELECT x.tlp INTO v_reached FROM council.posts x WHERE x.id = v_post;
                IF v_tlp IS NOT NULL AND v_tlp > v_reached THEN
                    RAISE EXCEPTION 'tlp_stricter_than_scope' USING ERRCODE = 'CP422';
                END IF;
                INSERT INTO council.stix_imports (org_id, stix_id, modified, post_id, keeps_id)
                VALUES (v_org, v_id, v_mod, v_post,
                        -- a lone indicator became a report: its id is not
                        -- the post's
                        v_type <> 'indicator' AND NOT (v_id = ANY (v_taken)));
                v_okposts := v_okposts || v_id;
                v_succ := v_succ || jsonb_build_array(jsonb_build_object('id', v_id,
                              'version', v_ver));
            EXCEPTION WHEN others THEN
                v_fail := v_fail || jsonb_build_array(jsonb_build_object('id', v_id,
                              'version', v_ver,
                              'message', CASE WHEN SQLSTATE LIKE 'CP%' THEN SQLERRM
                                              ELSE 'invalid_object' END));
            END;
        END LOOP;
    END IF;
    INSERT INTO council.taxii_status (org_id, person_id, collection, total, successes, failures)
    VALUES (v_org, v_person, v_preset.uuid, jsonb_array_length(v_objs), v_succ, v_fail)
    RETURNING * INTO v_status;
    PERFORM council.audit('taxii_add', 'scope_preset', v_preset.id,
        jsonb_build_object('status', v_status.id, 'total', v_status.total,
                           'successes', jsonb_array_length(v_succ),
                           'failures', jsonb_array_length(v_fail)));
    RETURN council.taxii__status_json(v_status);
END
$$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.stix__withheld(bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.stix__indicators(bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.stix__seen(bigint[]) OWNER TO council_definer;
ALTER FUNCTION council.stix__claims(text[]) OWNER TO council_definer;
ALTER FUNCTION council.taxii_add(text, jsonb) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.stix__claims(text[]) FROM PUBLIC;

-- GET /api/v1/posts/N/stix: the post as a STIX 2.1 bundle (stix_bundle);
-- a post the caller does not read answers CP404 post_not_found, like an
-- absent one.
CREATE OR REPLACE FUNCTION council.stix_bundle_json(p bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v jsonb := council.stix_bundle(p);
BEGIN
    IF v IS NULL THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    RETURN v;
END
$$;
