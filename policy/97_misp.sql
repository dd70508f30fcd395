-- policy/97_misp.sql: MISP in and out (issue 15 item 4; docs/misp.md).
-- Both directions are functions of the caller: nothing here is a definer,
-- nothing here writes.
--
--   council.misp_event(post)        a post as a MISP core format event
--                                   ({"Event": {...}}), read under the
--                                   caller's row-level security: NULL for
--                                   a post the caller may not read, exactly
--                                   as for an absent one (issue 4).
--   council.misp_draft(doc, lang)   a MISP event JSON as the composer's
--                                   prefilled fields: title, body (the
--                                   attributes listed), the TLP the event
--                                   carried with a note on the scope it
--                                   suggests, the ATT&CK techniques of its
--                                   mitre-attack-pattern galaxies.  A draft
--                                   only: it stores nothing, publishes
--                                   nothing, and chooses neither a scope
--                                   nor the secrecy declaration (R-SCOPE-1,
--                                   R-SECRET-1: the member does, in the
--                                   composer).
--   council.api_misp_import(...)    the JSON API's row (POST
--                                   /api/v1/misp/import), through the door.
--
-- Ids are deterministic: the event's uuid is a UUIDv5 of the post id, each
-- attribute's a UUIDv5 of the post id, its kind and value, so that a
-- member's MISP that imports the same post again updates one event.
-- R-TF-6: a masked author is never named; its Orgc is the placeholder
-- "masked member", the same for every masked post.

-- RFC 4122 §4.3: the name-based UUID of p_name in namespace p_ns, SHA-1
-- (version 5).  pgcrypto lives in schema council (migration 0019).
CREATE OR REPLACE FUNCTION council.misp_uuid5(p_ns uuid, p_name text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path = pg_catalog, council
AS $$
    SELECT encode(set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 80),
                           8, (get_byte(h, 8) & 63) | 128), 'hex')::uuid
    FROM (SELECT substring(council.digest(uuid_send(p_ns) || convert_to(p_name, 'UTF8'), 'sha1')
                           FROM 1 FOR 16) AS h) x
$$;

-- The namespace of every MISP uuid the portal makes: the UUIDv5 of
-- "urn:council-portal:misp" in RFC 4122's URL namespace.
CREATE OR REPLACE FUNCTION council.misp_ns() RETURNS uuid
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$ SELECT council.misp_uuid5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'urn:council-portal:misp') $$;

-- A post's indicator (council.post_indicators) as a MISP attribute's
-- (type, category, to_ids): docs/misp.md "Attributes".  A hash's type is
-- its length's: 32 md5, 40 sha1, 64 sha256, 128 sha512.
CREATE OR REPLACE FUNCTION council.misp_attribute_type(p_kind council.indicator_kind, p_value text,
    OUT type text, OUT category text, OUT to_ids boolean)
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE p_kind
               WHEN 'ip' THEN 'ip-dst'
               WHEN 'domain' THEN 'domain'
               WHEN 'url' THEN 'url'
               WHEN 'hash' THEN CASE length(p_value) WHEN 32 THEN 'md5' WHEN 40 THEN 'sha1'
                                    WHEN 64 THEN 'sha256' ELSE 'sha512' END
               WHEN 'cve' THEN 'vulnerability'
               WHEN 'email' THEN 'email-src' END,
           CASE p_kind
               WHEN 'hash' THEN 'Payload delivery'
               WHEN 'email' THEN 'Payload delivery'
               WHEN 'cve' THEN 'External analysis'
               ELSE 'Network activity' END,
           p_kind <> 'cve'
$$;

-- TLP 2.0 as the MISP taxonomy's tag (name, colour, the tag's id here).
CREATE OR REPLACE FUNCTION council.misp_tlp_tag(p_tlp council.tlp) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT jsonb_build_object('id', v.id, 'name', v.name, 'colour', v.colour, 'exportable', true)
    FROM (VALUES ('clear'::council.tlp, '1', 'tlp:clear', '#ffffff'),
                 ('green', '2', 'tlp:green', '#339900'),
                 ('amber', '3', 'tlp:amber', '#ffc000'),
                 ('amber_strict', '4', 'tlp:amber+strict', '#ffc000'),
                 ('red', '5', 'tlp:red', '#cc0033')) AS v(tlp, id, name, colour)
    WHERE v.tlp = p_tlp
$$;

-- An organisation as a MISP Org object; NULL (p_org) is the placeholder of
-- a masked author (R-TF-6): no id, name or uuid of any member.
CREATE OR REPLACE FUNCTION council.misp_org(p_org bigint, p_name_en text, p_name_ja text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE WHEN p_org IS NULL THEN
               jsonb_build_object('id', '0', 'name', 'Masked member (Cybersecurity Council)',
                                  'uuid', council.misp_uuid5(council.misp_ns(), 'org:masked')::text)
           ELSE
               jsonb_build_object('id', p_org::text,
                                  'name', coalesce(nullif(p_name_en, ''), p_name_ja),
                                  'uuid', council.misp_uuid5(council.misp_ns(), 'org:' || p_org)::text)
           END
$$;

-- The event of post p_post as the caller reads it, or NULL when the caller
-- may not read it or it does not exist: every row comes through the
-- caller's policies (posts, post_bodies, post_indicators, organisations),
-- so a hidden post is an absent one.  The author is posts.shown_author_org
-- (NULL when masked, for every reader: R-TF-6).  Reading a secret's body
-- is audited by post_bodies' own policy, as on the post's page.
-- Volatile for that reason.
CREATE OR REPLACE FUNCTION council.misp_event(p_post bigint) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    p      record;
    v_ts   text;
    v_id   text;
    v_org  jsonb;
    v_atts jsonb;
    v_tags jsonb;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT x.id, x.kind, x.title, x.tlp, x.is_secret, x.created_at, x.shown_author_org,
           x.scope_designated, b.body, o.name_en, o.name_ja
    INTO p
    FROM council.posts x
    LEFT JOIN council.post_bodies b ON b.post_id = x.id
    LEFT JOIN council.organisations o ON o.id = x.shown_author_org
    WHERE x.id = p_post;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    v_id := p.id::text;
    v_ts := floor(extract(epoch FROM p.created_at))::bigint::text;
    -- The author: its organisation when shown to this reader (the name
    -- read through the caller's policy on organisations), else the
    -- placeholder.  An organisation the caller may not read is masked too.
    v_org := council.misp_org(CASE WHEN p.name_en IS NOT NULL OR p.name_ja IS NOT NULL
                                   THEN p.shown_author_org END, p.name_en, p.name_ja);
    SELECT coalesce(jsonb_agg(a.att ORDER BY a.n), '[]'::jsonb) INTO v_atts
    FROM (
        SELECT row_number() OVER (ORDER BY i.ord, i.kind, i.value) AS n,
               jsonb_build_object(
                   'id', (row_number() OVER (ORDER BY i.ord, i.kind, i.value))::text,
                   'type', i.type, 'category', i.category, 'to_ids', i.to_ids,
                   'uuid', council.misp_uuid5(council.misp_ns(),
                                              'post:' || v_id || ':' || i.kind || ':' || i.value)::text,
                   'event_id', v_id, 'distribution', '5', 'sharing_group_id', '0',
                   'timestamp', v_ts, 'comment', i.comment, 'deleted', false,
                   'disable_correlation', false, 'value', i.value) AS att
        FROM (
            SELECT 0 AS ord, pi.kind::text AS kind, pi.value, t.type, t.category, t.to_ids, '' AS comment
            FROM council.post_indicators pi
            CROSS JOIN LATERAL council.misp_attribute_type(pi.kind, pi.value) t
            WHERE pi.post_id = p.id
            UNION ALL
            -- The post's text, as MISP keeps free text: one attribute.
            SELECT 1, 'body', p.body, 'text', 'Other', false, 'The council post''s text'
            WHERE p.body IS NOT NULL AND p.body <> ''
        ) i
    ) a;
    v_tags := jsonb_build_array(
        council.misp_tlp_tag(p.tlp),
        -- R-SECRET-1: the giver's declaration travels with the event.
        jsonb_build_object('id', '6', 'colour', CASE WHEN p.is_secret THEN '#cc0033' ELSE '#ffffff' END,
                           'exportable', true,
                           'name', format('council:secret="%s"', CASE WHEN p.is_secret THEN 'yes' ELSE 'no' END)),
        jsonb_build_object('id', '7', 'colour', '#0088cc', 'exportable', true,
                           'name', format('council:post-kind="%s"', p.kind)));
    RETURN jsonb_build_object('Event', jsonb_build_object(
        'id', v_id,
        'uuid', council.misp_uuid5(council.misp_ns(), 'post:' || v_id)::text,
        'info', left(regexp_replace(p.title, '[\r\n\t]+', ' ', 'g'), 256),
        'date', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
        'threat_level_id', '4',
        'analysis', CASE p.kind WHEN 'consultation' THEN '0' WHEN 'alert' THEN '1' ELSE '2' END,
        'distribution', '0',
        'sharing_group_id', '0',
        'published', false,
        'timestamp', v_ts,
        'publish_timestamp', '0',
        'first_publication', '0',
        'org_id', '0',
        'orgc_id', v_org->>'id',
        'attribute_count', jsonb_array_length(v_atts)::text,
        'extends_uuid', '',
        'locked', false,
        'proposal_email_lock', false,
        'disable_correlation', false,
        'Org', jsonb_build_object('id', '0', 'name', 'Cybersecurity Council portal',
                                  'uuid', council.misp_uuid5(council.misp_ns(), 'org:portal')::text),
        'Orgc', v_org,
        'Attribute', v_atts,
        'ShadowAttribute', '[]'::jsonb,
        'RelatedEvent', '[]'::jsonb,
        'Galaxy', '[]'::jsonb,
        'Object', '[]'::jsonb,
        'Tag', v_tags));
END
$$;

------------------------------------------------------------------------
-- Import: a MISP event as a draft.
------------------------------------------------------------------------

-- One line of text of an imported string: control characters and line
-- breaks become spaces, runs of spaces one, trimmed.
CREATE OR REPLACE FUNCTION council.misp_line(p text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$ SELECT btrim(regexp_replace(p, '[\x01-\x1f\x7f[:space:]]+', ' ', 'g')) $$;

-- The draft's limits (docs/misp.md "Limits").
CREATE OR REPLACE FUNCTION council.misp_limit(p_what text) RETURNS integer
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE p_what
               WHEN 'document' THEN 1000000     -- bytes of the JSON
               WHEN 'attributes' THEN 500       -- attributes, objects' included
               WHEN 'value' THEN 2048           -- characters of an attribute's value
               WHEN 'info' THEN 2000            -- characters of the event's info
               WHEN 'tags' THEN 200             -- tags of the event and its attributes
               WHEN 'tag' THEN 500              -- characters of a tag's name
               WHEN 'galaxies' THEN 50
               WHEN 'clusters' THEN 500         -- clusters of all galaxies
               WHEN 'objects' THEN 200
               WHEN 'body' THEN 60000           -- bytes of the body (the composer's field)
           END
$$;

-- The draft of MISP event document p_doc (text, as sent), with the texts
-- in p_lang ('ja' or 'en').  Returns
--   {"draft": true, "kind": "report", "title", "body", "tlp" (clear,
--    green, amber, amber_strict, red or null), "scope_note",
--    "techniques": [{"id", "name"}], "indicators": [{"kind", "type",
--    "value"}], "source": {"uuid", "info", "org", "date"},
--    "attributes": N, "skipped": N, "secret": null, "scope": null}
-- or raises CP413 misp_too_large, CP422 misp_invalid_json,
-- misp_not_an_event, misp_invalid_info, misp_info_too_long,
-- misp_invalid_attribute (DETAIL item=N), misp_value_too_long (item=N),
-- misp_too_many_attributes, misp_invalid_tag, misp_too_many_tags,
-- misp_invalid_galaxy, misp_too_many_galaxies, misp_invalid_object,
-- misp_body_too_long.  Reads only the ATT&CK list; writes nothing.
CREATE OR REPLACE FUNCTION council.misp_draft(p_doc text, p_lang text DEFAULT 'ja') RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    d       jsonb;
    e       jsonb;
    a       jsonb;
    x       jsonb;
    g       jsonb;
    c       jsonb;
    atts    jsonb := '[]';
    tags    jsonb := '[]';
    clus    jsonb := '[]';
    n       integer := 0;
    v_type  text;
    v_val   text;
    v_info  text;
    v_title text;
    v_tlp   text;
    v_rank  integer := 0;
    v_en    boolean := p_lang = 'en';
    v_body  text;
    v_ind   jsonb := '[]';
    v_oth   jsonb := '[]';
    v_tech  jsonb;
    v_gal   jsonb;
    v_tagl  jsonb;
    v_skip  integer := 0;
    v_note  text;
    v_orgc  text;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF p_doc IS NULL OR octet_length(p_doc) > council.misp_limit('document') THEN
        RAISE EXCEPTION 'misp_too_large' USING ERRCODE = 'CP413';
    END IF;
    BEGIN
        d := p_doc::jsonb;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'misp_invalid_json' USING ERRCODE = 'CP422';
    END;
    -- {"Event": {...}} as the format says; a bare event object (what some
    -- tools write) is taken too.
    e := CASE WHEN jsonb_typeof(d) = 'object' AND d ? 'Event' THEN d->'Event' ELSE d END;
    IF jsonb_typeof(e) IS DISTINCT FROM 'object' OR NOT (e ? 'info' OR e ? 'Attribute' OR e ? 'uuid') THEN
        RAISE EXCEPTION 'misp_not_an_event' USING ERRCODE = 'CP422';
    END IF;
    IF e ? 'info' AND jsonb_typeof(e->'info') <> 'string' THEN
        RAISE EXCEPTION 'misp_invalid_info' USING ERRCODE = 'CP422';
    END IF;
    v_info := council.misp_line(coalesce(e->>'info', ''));
    IF length(v_info) > council.misp_limit('info') THEN
        RAISE EXCEPTION 'misp_info_too_long' USING ERRCODE = 'CP422';
    END IF;
    FOREACH v_type IN ARRAY ARRAY['Attribute', 'Object', 'Tag', 'Galaxy'] LOOP
        IF e ? v_type AND jsonb_typeof(e->v_type) NOT IN ('array', 'null') THEN
            RAISE EXCEPTION 'misp_invalid_%', lower(v_type) USING ERRCODE = 'CP422';
        END IF;
    END LOOP;

    -- The attributes: the event's, then each object's.
    IF jsonb_array_length(coalesce(nullif(e->'Object', 'null'), '[]')) > council.misp_limit('objects') THEN
        RAISE EXCEPTION 'misp_too_many_objects' USING ERRCODE = 'CP422';
    END IF;
    FOR a IN SELECT v FROM jsonb_array_elements(coalesce(nullif(e->'Attribute', 'null'), '[]')) v LOOP
        atts := atts || jsonb_build_array(a);
    END LOOP;
    FOR x IN SELECT v FROM jsonb_array_elements(coalesce(nullif(e->'Object', 'null'), '[]')) v LOOP
        IF jsonb_typeof(x) <> 'object' OR (x ? 'Attribute' AND jsonb_typeof(x->'Attribute') NOT IN ('array', 'null')) THEN
            RAISE EXCEPTION 'misp_invalid_object' USING ERRCODE = 'CP422';
        END IF;
        IF jsonb_array_length(atts) + jsonb_array_length(coalesce(nullif(x->'Attribute', 'null'), '[]'))
           > council.misp_limit('attributes') THEN
            RAISE EXCEPTION 'misp_too_many_attributes' USING ERRCODE = 'CP422';
        END IF;
        atts := atts || coalesce(nullif(x->'Attribute', 'null'), '[]');
    END LOOP;
    IF jsonb_array_length(atts) > council.misp_limit('attributes') THEN
        RAISE EXCEPTION 'misp_too_many_attributes' USING ERRCODE = 'CP422';
    END IF;

    -- Each attribute: an object with a string type and a string (or
    -- number) value within its limit; a deleted one is skipped.  Its
    -- tags join the event's (a stricter TLP on one attribute wins).
    FOR a IN SELECT v FROM jsonb_array_elements(atts) v LOOP
        n := n + 1;
        IF jsonb_typeof(a) <> 'object' OR jsonb_typeof(a->'type') IS DISTINCT FROM 'string'
           OR coalesce(jsonb_typeof(a->'value'), 'absent') NOT IN ('string', 'number')
           OR (a ? 'Tag' AND jsonb_typeof(a->'Tag') NOT IN ('array', 'null')) THEN
            RAISE EXCEPTION 'misp_invalid_attribute' USING ERRCODE = 'CP422', DETAIL = 'item=' || n;
        END IF;
        v_type := lower(council.misp_line(a->>'type'));
        v_val := council.misp_line(a->>'value');
        IF length(v_val) > council.misp_limit('value') OR length(v_type) > 100 THEN
            RAISE EXCEPTION 'misp_value_too_long' USING ERRCODE = 'CP422', DETAIL = 'item=' || n;
        END IF;
        tags := tags || coalesce(nullif(a->'Tag', 'null'), '[]');
        IF coalesce(a->>'deleted', 'false') IN ('true', '1') OR v_val = '' THEN
            v_skip := v_skip + 1;
            CONTINUE;
        END IF;
        -- docs/misp.md "Import": the types that are indicators, and the
        -- part of a composite value each takes.
        SELECT jsonb_agg(jsonb_build_object('kind', k.kind, 'type', k.type, 'value', k.value))
        INTO x
        FROM (
            SELECT 'ip' AS kind, v_type AS type, v_val AS value
            WHERE v_type IN ('ip-src', 'ip-dst')
            UNION ALL SELECT 'ip', split_part(v_type, '|', 1), split_part(v_val, '|', 1)
            WHERE v_type IN ('ip-src|port', 'ip-dst|port')
            UNION ALL SELECT 'domain', v_type, v_val WHERE v_type IN ('domain', 'hostname')
            UNION ALL SELECT 'domain', 'domain', split_part(v_val, '|', 1) WHERE v_type IN ('domain|ip', 'hostname|port')
            UNION ALL SELECT 'ip', 'ip-dst', split_part(v_val, '|', 2) WHERE v_type = 'domain|ip'
            UNION ALL SELECT 'url', v_type, v_val WHERE v_type = 'url'
            UNION ALL SELECT 'hash', v_type, lower(v_val) WHERE v_type IN ('md5', 'sha1', 'sha256', 'sha512')
            UNION ALL SELECT 'hash', split_part(v_type, '|', 2), lower(split_part(v_val, '|', 2))
            WHERE v_type IN ('filename|md5', 'filename|sha1', 'filename|sha256', 'filename|sha512')
            UNION ALL SELECT 'cve', v_type, upper(v_val)
            WHERE v_type = 'vulnerability' AND v_val ~* '^CVE-[0-9]{4}-[0-9]{4,7}$'
            UNION ALL SELECT 'email', v_type, v_val WHERE v_type IN ('email', 'email-src', 'email-dst')
        ) k WHERE k.value <> '';
        IF x IS NULL THEN
            v_oth := v_oth || jsonb_build_array(jsonb_build_object('type', v_type, 'value', v_val));
        ELSE
            v_ind := v_ind || x;
            IF v_type LIKE 'filename|%' THEN
                v_oth := v_oth || jsonb_build_array(jsonb_build_object('type', 'filename',
                                                                       'value', split_part(v_val, '|', 1)));
            END IF;
        END IF;
    END LOOP;

    -- Tags: the event's and the attributes'.  TLP (2.0, and 1.0's white)
    -- gives the suggestion, the strictest label found; a
    -- misp-galaxy:mitre-attack-pattern tag names a technique.
    tags := tags || coalesce(nullif(e->'Tag', 'null'), '[]');
    IF jsonb_array_length(tags) > council.misp_limit('tags') THEN
        RAISE EXCEPTION 'misp_too_many_tags' USING ERRCODE = 'CP422';
    END IF;
    v_tagl := '[]';
    FOR x IN SELECT v FROM jsonb_array_elements(tags) v LOOP
        IF jsonb_typeof(x) <> 'object' OR jsonb_typeof(x->'name') IS DISTINCT FROM 'string'
           OR length(x->>'name') > council.misp_limit('tag') THEN
            RAISE EXCEPTION 'misp_invalid_tag' USING ERRCODE = 'CP422';
        END IF;
        v_val := lower(council.misp_line(x->>'name'));
        IF v_val ~ '^tlp:(clear|white|green|amber|amber\+strict|red)$' THEN
            n := CASE v_val WHEN 'tlp:red' THEN 5 WHEN 'tlp:amber+strict' THEN 4 WHEN 'tlp:amber' THEN 3
                            WHEN 'tlp:green' THEN 2 ELSE 1 END;
            IF n > v_rank THEN
                v_rank := n;
            END IF;
        ELSIF v_val LIKE 'misp-galaxy:mitre-%attack-pattern=%' THEN
            clus := clus || jsonb_build_array(x->>'name');
        ELSIF NOT v_tagl ? council.misp_line(x->>'name') THEN
            v_tagl := v_tagl || to_jsonb(council.misp_line(x->>'name'));
        END IF;
    END LOOP;
    v_tlp := (ARRAY['clear', 'green', 'amber', 'amber_strict', 'red'])[nullif(v_rank, 0)];

    -- Galaxies: the clusters of mitre-attack-pattern galaxies name
    -- techniques (their external_id, or the "- T1234.001" ending their
    -- value); the others are listed by type and value.
    IF jsonb_array_length(coalesce(nullif(e->'Galaxy', 'null'), '[]')) > council.misp_limit('galaxies') THEN
        RAISE EXCEPTION 'misp_too_many_galaxies' USING ERRCODE = 'CP422';
    END IF;
    v_gal := '[]';
    n := 0;
    FOR g IN SELECT v FROM jsonb_array_elements(coalesce(nullif(e->'Galaxy', 'null'), '[]')) v LOOP
        IF jsonb_typeof(g) <> 'object' OR (g ? 'GalaxyCluster' AND jsonb_typeof(g->'GalaxyCluster') NOT IN ('array', 'null')) THEN
            RAISE EXCEPTION 'misp_invalid_galaxy' USING ERRCODE = 'CP422';
        END IF;
        FOR c IN SELECT v FROM jsonb_array_elements(coalesce(nullif(g->'GalaxyCluster', 'null'), '[]')) v LOOP
            n := n + 1;
            IF n > council.misp_limit('clusters') THEN
                RAISE EXCEPTION 'misp_too_many_galaxies' USING ERRCODE = 'CP422';
            END IF;
            IF jsonb_typeof(c) <> 'object' OR length(c::text) > 100000 THEN
                RAISE EXCEPTION 'misp_invalid_galaxy' USING ERRCODE = 'CP422';
            END IF;
            IF coalesce(c->>'type', g->>'type', '') ~ '^mitre-(.*-)?attack-pattern$' THEN
                clus := clus || jsonb_build_array(coalesce(c->>'value', '') || ' ' || coalesce(c->>'tag_name', '')
                                                  || ' ' || coalesce(c#>>'{meta,external_id}', ''));
            ELSIF jsonb_typeof(c->'value') = 'string' THEN
                v_val := left(council.misp_line(coalesce(g->>'name', g->>'type', c->>'type', '')), 200)
                         || ': ' || left(council.misp_line(c->>'value'), 500);
                IF NOT v_gal ? v_val THEN
                    v_gal := v_gal || to_jsonb(v_val);
                END IF;
            END IF;
        END LOOP;
    END LOOP;
    -- R-NEW-3's list: techniques of the bundled ATT&CK, its newest version.
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name) ORDER BY t.id), '[]')
    INTO v_tech
    FROM council.attack_techniques t
    WHERE t.version = (SELECT max(version) FROM council.attack_techniques)
      AND t.id IN (SELECT m[1] FROM jsonb_array_elements_text(clus) s,
                        regexp_matches(s, '(?<![0-9A-Za-z])(T[0-9]{4}(?:\.[0-9]{3})?)(?![0-9])', 'g') m);

    -- The draft's texts.
    v_orgc := council.misp_line(coalesce(e#>>'{Orgc,name}', e#>>'{Org,name}', ''));
    v_title := left(CASE WHEN v_info <> '' THEN v_info
                         ELSE 'MISP event ' || coalesce(council.misp_line(e->>'uuid'), '') END, 300);
    SELECT coalesce(jsonb_agg(DISTINCT i), '[]') INTO v_ind FROM jsonb_array_elements(v_ind) i;
    v_note := CASE v_tlp
        WHEN 'clear' THEN CASE WHEN v_en THEN 'The event was marked TLP:CLEAR: its source sets no limit; the scope is still yours to choose.'
                               ELSE 'このイベントは TLP:CLEAR でした。提供元は開示の制限を設けていませんが、共有範囲はあなたが選んでください。' END
        WHEN 'green' THEN CASE WHEN v_en THEN 'The event was marked TLP:GREEN: the community; for example all members.'
                               ELSE 'このイベントは TLP:GREEN でした。コミュニティ内（例えば全構成員）が目安です。' END
        WHEN 'amber' THEN CASE WHEN v_en THEN 'The event was marked TLP:AMBER: the recipients'' organisations and their clients on a need-to-know basis; name organisations or a group.'
                               ELSE 'このイベントは TLP:AMBER でした。受領組織（と知る必要のある顧客）に限られます。組織またはグループを指定してください。' END
        WHEN 'amber_strict' THEN CASE WHEN v_en THEN 'The event was marked TLP:AMBER+STRICT: the recipients'' organisations only; name the organisations.'
                               ELSE 'このイベントは TLP:AMBER+STRICT でした。受領組織内に限られます。組織を指定してください。' END
        WHEN 'red' THEN CASE WHEN v_en THEN 'The event was marked TLP:RED: the named recipients only; name the organisations, and consider whether it contains a secret.'
                               ELSE 'このイベントは TLP:RED でした。指名された受領者のみです。組織を指定し、秘密を含むかを検討してください。' END
        ELSE CASE WHEN v_en THEN 'The event carried no TLP label: choose the scope yourself.'
                  ELSE 'このイベントには TLP の表示がありません。共有範囲を選んでください。' END
    END;
    v_body := concat_ws(E'\n',
        CASE WHEN v_en THEN 'Imported from a MISP event' ELSE 'MISP イベントから取り込み' END
            || CASE WHEN e ? 'uuid' THEN ' ' || left(council.misp_line(e->>'uuid'), 64) ELSE '' END
            || CASE WHEN v_orgc <> '' THEN ' (' || left(v_orgc, 200) || ')' ELSE '' END
            || CASE WHEN coalesce(e->>'date', '') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN ', ' || (e->>'date') ELSE '' END
            || '.',
        CASE WHEN v_info <> '' AND length(v_info) > 300 THEN E'\n' || v_info END,
        CASE WHEN jsonb_array_length(v_ind) > 0 THEN
            E'\n## ' || CASE WHEN v_en THEN 'Indicators' ELSE '指標' END || E'\n```\n'
            || (SELECT string_agg((i->>'type') || ' ' || (i->>'value'), E'\n'
                                  ORDER BY i->>'kind', i->>'value', i->>'type')
                FROM jsonb_array_elements(v_ind) i)
            || E'\n```' END,
        CASE WHEN jsonb_array_length(v_tech) > 0 THEN
            E'\n## ' || CASE WHEN v_en THEN 'ATT&CK techniques' ELSE 'ATT&CK テクニック' END || E'\n'
            || (SELECT string_agg('- ' || (t->>'id') || ' ' || (t->>'name'), E'\n' ORDER BY t->>'id')
                FROM jsonb_array_elements(v_tech) t) END,
        CASE WHEN jsonb_array_length(v_oth) > 0 THEN
            E'\n## ' || CASE WHEN v_en THEN 'Other attributes' ELSE 'その他の属性' END || E'\n'
            || (SELECT string_agg('- ' || (o->>'type') || ': ' || (o->>'value'), E'\n' ORDER BY zn)
                FROM jsonb_array_elements(v_oth) WITH ORDINALITY z(o, zn)) END,
        CASE WHEN jsonb_array_length(v_gal) > 0 THEN
            E'\n## ' || CASE WHEN v_en THEN 'Galaxies' ELSE 'ギャラクシー' END || E'\n'
            || (SELECT string_agg('- ' || s, E'\n' ORDER BY zn) FROM jsonb_array_elements_text(v_gal) WITH ORDINALITY z(s, zn)) END,
        CASE WHEN jsonb_array_length(v_tagl) > 0 THEN
            E'\n## ' || CASE WHEN v_en THEN 'Tags' ELSE 'タグ' END || E'\n'
            || (SELECT string_agg('- ' || s, E'\n' ORDER BY zn) FROM jsonb_array_elements_text(v_tagl) WITH ORDINALITY z(s, zn)) END);
    IF octet_length(v_body) > council.misp_limit('body') THEN
        RAISE EXCEPTION 'misp_body_too_long' USING ERRCODE = 'CP422';
    END IF;
    RETURN jsonb_build_object(
        'draft', true,
        'kind', 'report',
        'title', v_title,
        'body', v_body,
        'tlp', v_tlp,
        'scope_note', v_note,
        'techniques', v_tech,
        'indicators', v_ind,
        'source', jsonb_build_object('uuid', left(council.misp_line(e->>'uuid'), 64),
                                     'info', left(v_info, 300),
                                     'org', nullif(left(v_orgc, 200), ''),
                                     'date', CASE WHEN coalesce(e->>'date', '') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
                                                  THEN e->>'date' END),
        'attributes', jsonb_array_length(atts),
        'skipped', v_skip,
        -- R-SCOPE-1, R-SECRET-1: the member chooses both, in the composer.
        'scope', NULL,
        'secret', NULL);
END
$$;

-- The JSON API's row, through the door (policy/15_api.sql):
-- POST /api/v1/misp/import with the event as the body: 200 and the draft.
CREATE OR REPLACE FUNCTION council.api__misp_import(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
BEGIN
    status := 200;
    body := council.misp_draft(r->>'body', coalesce(r->>'lang', 'ja'))::text;
END
$$;

-- councild's entry (server/pages/misp.c).
CREATE OR REPLACE FUNCTION council.api_misp_import(p_body text, p_lang text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('misp_import',
    jsonb_build_object('body', p_body, 'lang', p_lang)) $$;
