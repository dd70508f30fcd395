-- policy/92_depth.sql: depth by class (issue 14 item 2; R-TF-6).  A
-- task-force post's damage and method (migration 0039) are read field by
-- field as the reader's class allows.  Re-applied by "councilctl migrate".
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- Who writes: the post's author (the person), once, when the author's
-- organisation is a task-force participant (the coordinator, Type 1 or
-- Type 2, R-TF-1) and the post is a thread's first post: giving the
-- details is what marks a post as the task force's.  The composer and
-- POST /api/v1/posts call council.post_tf_set in the transaction that
-- creates the post.
--
-- Who reads which field (council.post_tf_view), only with the post
-- itself (read under the caller's own policies on posts: a post the
-- caller does not see has no details, exactly like one without any):
--   full     the author's organisation, the victim organisation (when it
--            is a member named as such) and the coordinator: every field;
--   type1    a Type 1 member: the victim masked (its kind and sector, never
--            its name or id), whether damage occurred, the damage in
--            detail, the attack method;
--   type2    a Type 2 member: whether damage occurred and the attack
--            method only;
--   general  every other member: nothing, unless the author chose to share
--            some of the four (victim_masked, damage_occurred,
--            damage_details, attack_method) with general members;
--   the general-affairs secretariat reads a post only through an access
--   case (R-ORG-6), for the minimum: like a general member.
-- What the author shares with general members reaches every class (a
-- Type 2 member never sees less than a general member).  A reader who
-- would see no field gets no row.

-- R-TF-6: the reader's depth for post p whose details name victim
-- organisation v: 'full', 'type1', 'type2' or 'general'; NULL without a
-- session.  SECURITY DEFINER (council_definer): reads the author's
-- organisation of a masked post.  Says nothing about p the caller does
-- not know: callers ask only about a post they see.
CREATE OR REPLACE FUNCTION council.tf_depth(p bigint, v bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN (SELECT CASE
        -- R-TF-6: the coordinator, the author's organisation, the victim.
        WHEN me.is_coordinator THEN 'full'
        WHEN EXISTS (SELECT 1 FROM council.post_authors a
                     WHERE a.post_id = p AND a.org_id = me.org_id) THEN 'full'
        WHEN v IS NOT DISTINCT FROM me.org_id THEN 'full'
        -- R-ORG-6: the secretariat reads through an access case: general.
        WHEN me.is_secretariat THEN 'general'
        -- R-TF-6: Type 1 in depth, victim masked; Type 2 less.
        WHEN o.tf_class = 'type1' THEN 'type1'
        WHEN o.tf_class = 'type2' THEN 'type2'
        ELSE 'general' END
        FROM council.me JOIN council.organisations o ON o.id = me.org_id);
END
$$;

-- R-TF-6: the task-force details of post p, as the caller's class may see
-- them: one row, or none (no session, a post the caller does not see, no
-- details, or no field the caller may see).  Fields the class may not see
-- are NULL.  depth is the caller's class ('full', 'type1', 'type2',
-- 'general'); share_general is told to the 'full' readers only.
-- SECURITY DEFINER owned by council_writer: council_app has no SELECT on
-- post_tf_details, and the post is read under the caller's own policies
-- (council_writer is under the same ones), so no policy is bypassed.
CREATE OR REPLACE FUNCTION council.post_tf_view(p bigint)
    RETURNS TABLE (post_id bigint, depth text, victim_org bigint,
        victim_name_ja text, victim_name_en text, victim_category text,
        victim_sector text, victim_sector_ja text, victim_sector_en text,
        damage_occurred boolean, damage_details text, attack_method text,
        share_general text[])
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    d      council.post_tf_details;
    v_dep  text;
    v_all  boolean;
    v_sh   text[];
    v_ja   text;
    v_en   text;
BEGIN
    -- The post as the caller sees it (RLS): hidden is absent.
    IF NOT EXISTS (SELECT 1 FROM council.posts x WHERE x.id = p) THEN
        RETURN;
    END IF;
    SELECT * INTO d FROM council.post_tf_details t WHERE t.post_id = p;
    IF d.post_id IS NULL THEN
        RETURN;
    END IF;
    v_dep := council.tf_depth(p, d.victim_org);
    IF v_dep IS NULL THEN
        RETURN;
    END IF;
    v_all := v_dep = 'full';
    -- What the class sees (R-TF-6), with what the author shared.
    v_sh := d.share_general || CASE v_dep
        WHEN 'full' THEN ARRAY['victim_masked', 'damage_occurred', 'damage_details', 'attack_method']
        WHEN 'type1' THEN ARRAY['victim_masked', 'damage_occurred', 'damage_details', 'attack_method']
        WHEN 'type2' THEN ARRAY['damage_occurred', 'attack_method']
        ELSE '{}'::text[] END;
    IF cardinality(v_sh) = 0 THEN
        RETURN;
    END IF;
    IF v_all THEN
        IF d.victim_org IS NOT NULL THEN
            SELECT o.name_ja, o.name_en INTO v_ja, v_en
            FROM council.organisations o WHERE o.id = d.victim_org;
        ELSE
            v_ja := d.victim_name;
            v_en := d.victim_name;
        END IF;
    END IF;
    post_id := p;
    depth := v_dep;
    -- R-TF-6: the victim's name and id: full only (masked from Type 1).
    victim_org := CASE WHEN v_all THEN d.victim_org END;
    victim_name_ja := v_ja;
    victim_name_en := v_en;
    -- R-TF-6: the masked victim: Type 1, or shared.
    IF 'victim_masked' = ANY (v_sh) THEN
        victim_category := d.victim_category::text;
        victim_sector := d.victim_sector;
        SELECT s.name_ja, s.name_en INTO victim_sector_ja, victim_sector_en
        FROM council.sectors s WHERE s.code = d.victim_sector;
    END IF;
    -- R-TF-6: whether damage occurred: Type 1 and Type 2, or shared.
    damage_occurred := CASE WHEN 'damage_occurred' = ANY (v_sh) THEN d.damage_occurred END;
    -- R-TF-6: damage in detail: Type 1 only (not Type 2), or shared.
    damage_details := CASE WHEN 'damage_details' = ANY (v_sh) THEN d.damage_details END;
    -- R-TF-6: the attack method: Type 1 and Type 2, or shared.
    attack_method := CASE WHEN 'attack_method' = ANY (v_sh) THEN d.attack_method END;
    share_general := CASE WHEN v_all THEN d.share_general END;
    RETURN NEXT;
END
$$;

-- The same as JSON for the API and the page: an object, or NULL.
CREATE OR REPLACE FUNCTION council.post_tf_json(p bigint) RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object('depth', v.depth, 'victim_org', v.victim_org,
        'victim_name_ja', v.victim_name_ja, 'victim_name_en', v.victim_name_en,
        'victim_category', v.victim_category, 'victim_sector', v.victim_sector,
        'victim_sector_ja', v.victim_sector_ja, 'victim_sector_en', v.victim_sector_en,
        'damage_occurred', v.damage_occurred, 'damage_details', v.damage_details,
        'attack_method', v.attack_method, 'share_general', v.share_general)
    FROM council.post_tf_view(p) v
$$;

-- R-TF-6: the author records post p's task-force details d, a JSON object:
--   victim_org       a member organisation's id (its kind and sector are
--                    copied), or
--   victim_name      a victim that is not a member, by name, with
--   victim_category  its kind (org_category) and, for a CI operator,
--   victim_sector    its sector code;
--   damage_occurred  boolean, required;
--   damage_details, attack_method  text (empty: none);
--   share_general    the fields shared with general members: a subset of
--                    victim_masked, damage_occurred, damage_details,
--                    attack_method.
-- Errors: CP401 not_signed_in; CP404 post_not_found (hidden or absent),
-- organisation_not_found (a victim id that is not a member); CP403
-- not_the_author, not_in_task_force (R-TF-1: the author's organisation is
-- no participant); CP422 tf_details_on_reply, tf_details_exist (written
-- once: the same details again by the same person change nothing),
-- invalid_tf (not an object, an unknown key, a wrong type),
-- damage_occurred_required, victim_org_or_name, invalid_victim_name,
-- invalid_victim_category, invalid_victim_sector, invalid_damage_details,
-- invalid_attack_method, invalid_share, control_characters.
CREATE OR REPLACE FUNCTION council.post_tf_set(p bigint, d jsonb) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_post    council.posts;
    v_org     council.organisations;
    v_victim  council.organisations;
    v_cat     council.org_category;
    v_sec     text;
    v_name    text;
    v_det     text;
    v_met     text;
    v_share   text[];
    v_old     council.post_tf_details;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    -- As the caller sees it: a hidden post does not exist.
    SELECT * INTO v_post FROM council.posts x WHERE x.id = p;
    IF v_post.id IS NULL THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    -- R-TF-6: only the author (the person) writes them.
    IF NOT EXISTS (SELECT 1 FROM council.post_authors a
                   WHERE a.post_id = p AND a.person_id = council.current_person_id()) THEN
        RAISE EXCEPTION 'not_the_author' USING ERRCODE = 'CP403';
    END IF;
    -- R-TF-1: a task-force participant's post.
    SELECT o.* INTO v_org FROM council.organisations o WHERE o.id = council.current_org_id();
    IF NOT (v_org.council_role IS NOT DISTINCT FROM 'coordinator'
            OR v_org.tf_class IN ('type1', 'type2')) THEN
        RAISE EXCEPTION 'not_in_task_force' USING ERRCODE = 'CP403';
    END IF;
    IF v_post.parent_id IS NOT NULL THEN
        RAISE EXCEPTION 'tf_details_on_reply' USING ERRCODE = 'CP422';
    END IF;
    IF d IS NULL OR jsonb_typeof(d) <> 'object'
       OR EXISTS (SELECT 1 FROM jsonb_object_keys(d) k
                  WHERE k NOT IN ('victim_org', 'victim_name', 'victim_category',
                                  'victim_sector', 'damage_occurred', 'damage_details',
                                  'attack_method', 'share_general'))
       OR jsonb_typeof(d->'victim_org') NOT IN ('null', 'number')
       OR jsonb_typeof(d->'share_general') NOT IN ('null', 'array')
       OR EXISTS (SELECT 1 FROM unnest(ARRAY['victim_name', 'victim_category', 'victim_sector',
                                            'damage_details', 'attack_method']) k
                  WHERE jsonb_typeof(d->k) NOT IN ('null', 'string')) THEN
        RAISE EXCEPTION 'invalid_tf' USING ERRCODE = 'CP422';
    END IF;
    IF jsonb_typeof(d->'damage_occurred') IS DISTINCT FROM 'boolean' THEN
        RAISE EXCEPTION 'damage_occurred_required' USING ERRCODE = 'CP422';
    END IF;
    v_name := nullif(btrim(d->>'victim_name'), '');
    IF jsonb_typeof(d->'victim_org') = 'number' THEN
        IF v_name IS NOT NULL OR nullif(d->>'victim_category', '') IS NOT NULL
           OR nullif(d->>'victim_sector', '') IS NOT NULL THEN
            RAISE EXCEPTION 'victim_org_or_name' USING ERRCODE = 'CP422';
        END IF;
        -- R-SCOPE-1: a non-member answers like an unknown id.
        SELECT o.* INTO v_victim FROM council.organisations o
        WHERE o.id = (d->>'victim_org')::numeric AND o.status = 'member';
        IF v_victim.id IS NULL THEN
            RAISE EXCEPTION 'organisation_not_found' USING ERRCODE = 'CP404';
        END IF;
        v_cat := v_victim.category;
        v_sec := v_victim.sector_code;
    ELSE
        IF v_name IS NOT NULL AND (length(v_name) > 200 OR v_name ~ '[\x01-\x1f\x7f]') THEN
            RAISE EXCEPTION 'invalid_victim_name' USING ERRCODE = 'CP422';
        END IF;
        IF nullif(d->>'victim_category', '') IS NOT NULL THEN
            IF v_name IS NULL OR NOT EXISTS (SELECT 1 FROM unnest(enum_range(NULL::council.org_category)) c
                                             WHERE c::text = d->>'victim_category') THEN
                RAISE EXCEPTION 'invalid_victim_category' USING ERRCODE = 'CP422';
            END IF;
            v_cat := (d->>'victim_category')::council.org_category;
        END IF;
        IF nullif(d->>'victim_sector', '') IS NOT NULL THEN
            IF v_cat IS DISTINCT FROM 'ci_operator'
               OR NOT EXISTS (SELECT 1 FROM council.sectors s WHERE s.code = d->>'victim_sector') THEN
                RAISE EXCEPTION 'invalid_victim_sector' USING ERRCODE = 'CP422';
            END IF;
            v_sec := d->>'victim_sector';
        END IF;
    END IF;
    v_det := nullif(btrim(replace(replace(d->>'damage_details', E'\r\n', E'\n'), E'\r', E'\n')), '');
    v_met := nullif(btrim(replace(replace(d->>'attack_method', E'\r\n', E'\n'), E'\r', E'\n')), '');
    IF length(v_det) > 20000 THEN
        RAISE EXCEPTION 'invalid_damage_details' USING ERRCODE = 'CP422';
    END IF;
    IF length(v_met) > 20000 THEN
        RAISE EXCEPTION 'invalid_attack_method' USING ERRCODE = 'CP422';
    END IF;
    IF v_det ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' OR v_met ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'control_characters' USING ERRCODE = 'CP422';
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(nullif(d->'share_general', 'null'), '[]')) e
               WHERE jsonb_typeof(e) <> 'string'
                  OR NOT e #>> '{}' IN ('victim_masked', 'damage_occurred',
                                        'damage_details', 'attack_method')) THEN
        RAISE EXCEPTION 'invalid_share' USING ERRCODE = 'CP422';
    END IF;
    v_share := ARRAY(SELECT DISTINCT e #>> '{}'
                     FROM jsonb_array_elements(coalesce(nullif(d->'share_general', 'null'), '[]')) e
                     ORDER BY 1);
    -- Written once.  The same details again from the same person (a
    -- retried submission, create_post_once's key) change nothing.
    SELECT * INTO v_old FROM council.post_tf_details t WHERE t.post_id = p;
    IF v_old.post_id IS NOT NULL THEN
        IF v_old.created_by = council.current_person_id()
           AND (v_old.victim_org, v_old.victim_name, v_old.victim_category, v_old.victim_sector,
                v_old.damage_occurred, v_old.damage_details, v_old.attack_method, v_old.share_general)
               IS NOT DISTINCT FROM
               (v_victim.id, CASE WHEN v_victim.id IS NULL THEN v_name END, v_cat, v_sec,
                (d->>'damage_occurred')::boolean, v_det, v_met, v_share) THEN
            RETURN;
        END IF;
        RAISE EXCEPTION 'tf_details_exist' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.post_tf_details (post_id, victim_org, victim_name, victim_category,
        victim_sector, damage_occurred, damage_details, attack_method, share_general, created_by)
    VALUES (p, v_victim.id, CASE WHEN v_victim.id IS NULL THEN v_name END, v_cat, v_sec,
        (d->>'damage_occurred')::boolean, v_det, v_met, v_share, council.current_person_id());
    PERFORM council.audit('post.tf_details', 'post', p,
        jsonb_build_object('victim_member', v_victim.id IS NOT NULL,
                           'share_general', to_jsonb(v_share)));
END
$$;

-- R-TF-6: the details of a post the caller sees (its policy on posts);
-- only council_writer reads the table (council.post_tf_view above).
CREATE POLICY post_tf_details_read ON council.post_tf_details FOR SELECT
    TO council_writer
    USING (EXISTS (SELECT 1 FROM council.posts x WHERE x.id = post_tf_details.post_id));
-- Only the author, as itself (post_tf_set checks the rest).
CREATE POLICY post_tf_details_insert ON council.post_tf_details FOR INSERT
    TO council_writer
    WITH CHECK (created_by = (SELECT me.person_id FROM council.me)
                AND EXISTS (SELECT 1 FROM council.post_authors a
                            WHERE a.post_id = post_tf_details.post_id
                              AND a.person_id = (SELECT me.person_id FROM council.me)));

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.tf_depth(bigint, bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.post_tf_view(bigint) OWNER TO council_writer;
ALTER FUNCTION council.post_tf_set(bigint, jsonb) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
REVOKE ALL ON FUNCTION council.tf_depth(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.tf_depth(bigint, bigint) TO council_writer;
