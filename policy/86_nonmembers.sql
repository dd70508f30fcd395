-- policy/86_nonmembers.sql: non-members (issue 13 item 9; R-NONMEM-1,
-- R-SHARE-2; Rules Art. 16(1), 20, 22, seed 004; docs/incidents.md
-- "Non-members").  Re-applied by "councilctl migrate".  Errors: MESSAGE a
-- stable code, SQLSTATE class CP (see 42_sharing_writes.sql).
--
-- 1. A member posts on behalf of a non-member (Art. 22(1): the same
--    scope, secrecy and purpose rules protect it: the post is an ordinary
--    post of the member, made by council.create_post, unchanged).  The
--    provenance is kept in the same transaction (post_nonmember).  Every
--    reader of the post learns that it comes from a non-member; the name
--    is read by the posting member, the coordinator (R-ORG-6) and, when
--    the poster chose to show it, every reader.
-- 2. The secretariat (JPCERT/CC, the coordinator, for a post shared with
--    it; the general-affairs secretariat for its own posts) adds a
--    non-member to a post's scope through a member that receives the post
--    and relays it (Art. 22(2)).  A secret only in an emergency (Art.
--    22(3)); the relaying member is told at once that it must report every
--    person at the non-member who handles it.  Each giver of what is
--    relayed consents first (Art. 22(4), R-SCOPE-4).  R-SCOPE-2: a post
--    that excludes investigative bodies or supervisors never goes to a
--    non-member that is an investigative or public body.
-- 3. For a secret relayed in an emergency the relaying member reports the
--    handlers (a list kept, never edited) and closes the list when it is
--    complete; it hands the post over only to a person on the list, and a
--    closed list takes nobody more (Art. 22(3): "届け出た協議会事務従事者
--    以外の者に当該情報を取り扱わせてはならない").  Only the secretariat
--    makes relays: the member relays to no other non-member.
--
-- Who sees what (each through its registered handlers and administrator,
-- council.incident_may_touch, R-ORG-4): a non-member, the organisation
-- that registered it, the coordinator, and the parties of a relay to it;
-- a relay, the coordinator, the secretariat body that made it, the
-- relaying member's people who read the post (R-SECRET-2: for a secret,
-- its handlers) and the givers asked to consent; its handler list and
-- handovers, all of those but the givers.  Anything hidden answers like
-- an absent id.

-- R-NONMEM-1: the caller's part in relay r: 'coordinator', 'creator' (the
-- secretariat body that made it), 'via' (the relaying member, while it
-- reads the post), 'giver' (asked to consent), or NULL (hidden or absent).
CREATE OR REPLACE FUNCTION council.nonmember_relay_role(r bigint) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE
        WHEN NOT council.incident_may_touch() THEN NULL
        WHEN m.is_coordinator THEN 'coordinator'
        WHEN x.org_id = m.org_id THEN 'creator'
        WHEN x.via_org_id = m.org_id AND council.current_sees_post(x.post_id) THEN 'via'
        WHEN EXISTS (SELECT 1 FROM council.nonmember_relay_consents c
                     WHERE c.relay_id = x.id AND c.giver_org_id = m.org_id) THEN 'giver'
        END
    FROM council.me m, council.nonmember_relays x WHERE x.id = r
$$;

-- R-NONMEM-1: the caller sees non-member n: its own register, the
-- coordinator's view of all, or a party of a relay to it.
CREATE OR REPLACE FUNCTION council.nonmember_visible(n bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT council.incident_may_touch() AND EXISTS (
        SELECT 1 FROM council.me m, council.nonmembers x
        WHERE x.id = n
          AND (m.is_coordinator OR x.org_id = m.org_id
               OR EXISTS (SELECT 1 FROM council.nonmember_relays r
                          WHERE r.nonmember_id = x.id
                            AND council.nonmember_relay_role(r.id) IS NOT NULL)))
$$;

-- R-SCOPE-4 (Art. 22(4)): relay r's state: 'refused' (a giver refused),
-- 'awaiting_consent', or 'in_force'; NULL when hidden or absent.
CREATE OR REPLACE FUNCTION council.nonmember_relay_state(r bigint) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE
        WHEN council.nonmember_relay_role(r) IS NULL THEN NULL
        WHEN EXISTS (SELECT 1 FROM council.nonmember_relay_consents c
                     WHERE c.relay_id = r AND c.status = 'refused') THEN 'refused'
        WHEN EXISTS (SELECT 1 FROM council.nonmember_relay_consents c
                     WHERE c.relay_id = r AND c.status = 'pending') THEN 'awaiting_consent'
        ELSE 'in_force' END
$$;

-- Signed in (else CP401) and sees relay r (else CP404, as if absent).
CREATE OR REPLACE FUNCTION council.nonmember_relay_require(r bigint)
    RETURNS council.nonmember_relays
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.nonmember_relays;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF r IS NULL OR council.nonmember_relay_role(r) IS NULL THEN
        RAISE EXCEPTION 'relay_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT * INTO v FROM council.nonmember_relays WHERE id = r;
    RETURN v;
END
$$;

-- A name as typed: trimmed, 1 to 200 characters, no control characters;
-- NULL when it is not one.
CREATE OR REPLACE FUNCTION council.nonmember_clean_name(p text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT CASE WHEN length(btrim(p)) BETWEEN 1 AND 200 AND p !~ '[\x01-\x1f\x7f]'
                THEN btrim(p) END
$$;

-- R-NONMEM-1: the caller's organisation registers non-member p_name of
-- kind p_kind (a registered handler or the administrator; CP409 when its
-- register already holds the name).  Returns the id.
CREATE OR REPLACE FUNCTION council.nonmember_register(p_name text,
    p_kind council.nonmember_kind) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_name  text := council.nonmember_clean_name(p_name);
    v_id    bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.incident_may_touch() THEN
        RAISE EXCEPTION 'not_a_handler' USING ERRCODE = 'CP403';
    END IF;
    IF v_name IS NULL THEN
        RAISE EXCEPTION 'invalid_name' USING ERRCODE = 'CP422';
    END IF;
    IF p_kind IS NULL THEN
        RAISE EXCEPTION 'invalid_kind' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.nonmembers (org_id, name, kind, created_by)
    VALUES (council.current_org_id(), v_name, p_kind, council.current_person_id())
    ON CONFLICT (org_id, name) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'nonmember_exists' USING ERRCODE = 'CP409';
    END IF;
    PERFORM council.audit('nonmember.register', 'nonmember', v_id,
        jsonb_build_object('kind', p_kind));
    RETURN v_id;
END
$$;

-- R-NONMEM-1 (Art. 22(1)): the caller posts on behalf of non-member
-- p_nonmember (one it sees, else CP404 as if absent): council.create_post
-- with the rest of the arguments, its every rule unchanged, then the
-- provenance in the same transaction.  p_name_shown: readers of the post
-- read the name.  Returns the post's id.
CREATE OR REPLACE FUNCTION council.nonmember_post(p_nonmember bigint, p_name_shown boolean,
    p_kind council.post_kind, p_title text, p_body text, p_is_secret boolean,
    p_masked boolean DEFAULT false, p_scope jsonb DEFAULT NULL,
    p_exclusions jsonb DEFAULT '[]', p_sources bigint[] DEFAULT '{}',
    p_parent bigint DEFAULT NULL, p_confidence text DEFAULT NULL,
    p_deadline timestamptz DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_id  bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF p_nonmember IS NULL OR NOT council.nonmember_visible(p_nonmember) THEN
        RAISE EXCEPTION 'nonmember_not_found' USING ERRCODE = 'CP404';
    END IF;
    v_id := council.create_post(p_kind, p_title, p_body, p_is_secret, p_masked, p_scope,
        p_exclusions, p_sources, p_parent, p_confidence, p_deadline);
    INSERT INTO council.post_nonmember (post_id, nonmember_id, name_shown, org_id, created_by)
    VALUES (v_id, p_nonmember, coalesce(p_name_shown, false), council.current_org_id(),
            council.current_person_id());
    PERFORM council.audit('nonmember.post', 'post', v_id,
        jsonb_build_object('nonmember', p_nonmember, 'name_shown', coalesce(p_name_shown, false)));
    RETURN v_id;
END
$$;

-- R-NONMEM-1: post p's provenance as the caller may read it (CP404 when
-- the post is hidden or absent): {post, on_behalf}, and for a post on
-- behalf of a non-member its name and kind when the caller may read them
-- (the posting member, the coordinator, or anyone when shown), else null.
CREATE OR REPLACE FUNCTION council.post_provenance(p bigint) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  record;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF p IS NULL OR NOT council.current_sees_post(p) THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT pn.name_shown, n.name, n.kind,
           pn.name_shown OR pn.org_id = m.org_id OR m.is_coordinator AS may_read
    INTO v
    FROM council.post_nonmember pn JOIN council.nonmembers n ON n.id = pn.nonmember_id,
         council.me m
    WHERE pn.post_id = p;
    IF NOT FOUND THEN
        RETURN json_build_object('post', p, 'on_behalf', false);
    END IF;
    RETURN json_build_object('post', p, 'on_behalf', true, 'name_shown', v.name_shown,
        'nonmember', CASE WHEN v.may_read
                          THEN json_build_object('name', v.name, 'kind', v.kind) END);
END
$$;

-- R-NONMEM-1 (Art. 22(2), 22(3)), R-SCOPE-2, R-SCOPE-4: the secretariat
-- adds non-member p_nonmember to post p_post's scope through member
-- p_via, for p_reason; p_emergency must be true for a secret.  The
-- relaying member is told (and of the handler report a secret needs);
-- each giver is asked to consent.  Returns the relay's id.
CREATE OR REPLACE FUNCTION council.nonmember_relay_create(p_post bigint, p_via bigint,
    p_nonmember bigint, p_emergency boolean, p_reason text) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_org     bigint := council.current_org_id();
    v_post    council.posts;
    v_nm      council.nonmembers;
    v_id      bigint;
    v_giver   bigint;
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    IF NOT council.incident_may_touch() THEN
        RAISE EXCEPTION 'not_a_handler' USING ERRCODE = 'CP403';
    END IF;
    -- R-SHARE-2: only the secretariat adds a non-member; a member relays
    -- to nobody of its own accord.
    IF NOT (council.current_is_coordinator() OR council.current_is_secretariat()) THEN
        RAISE EXCEPTION 'only_the_secretariat' USING ERRCODE = 'CP403';
    END IF;
    IF p_post IS NULL OR NOT council.current_sees_post(p_post) THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    IF p_nonmember IS NULL OR NOT council.nonmember_visible(p_nonmember) THEN
        RAISE EXCEPTION 'nonmember_not_found' USING ERRCODE = 'CP404';
    END IF;
    SELECT * INTO v_post FROM council.posts WHERE id = p_post;
    SELECT * INTO v_nm FROM council.nonmembers WHERE id = p_nonmember;
    -- Art. 22(2): the secretariat's scope (Art. 17(2)) is over what was
    -- shared with it: the coordinator's audience, the general-affairs
    -- secretariat's own posts (R-ORG-6: a case is for reading only).
    IF NOT EXISTS (SELECT 1 FROM council.post_audience a
                   WHERE a.post_id = p_post AND a.org_id = v_org) THEN
        RAISE EXCEPTION 'post_not_shared_with_the_secretariat' USING ERRCODE = 'CP422';
    END IF;
    -- The relaying member: a member that receives the post itself (in its
    -- audience, not restricted, no liaison member, neither secretariat
    -- body), able to receive a secret when it is one (R-SECRET-2/3).
    IF p_via IS NULL OR NOT EXISTS (
        SELECT 1 FROM council.organisations o
        JOIN council.post_audience a ON a.org_id = o.id AND a.post_id = p_post
        WHERE o.id = p_via AND o.status = 'member' AND o.council_role IS NULL
          AND NOT o.restricted AND NOT o.gsoc_liaison
          AND (NOT v_post.is_secret OR council.org_secret_block(o.id) IS NULL)) THEN
        RAISE EXCEPTION 'invalid_via' USING ERRCODE = 'CP422';
    END IF;
    -- Art. 22(2) "守秘義務に反しない範囲で"; 22(3): a secret only in an emergency.
    IF v_post.is_secret AND NOT coalesce(p_emergency, false) THEN
        RAISE EXCEPTION 'secret_needs_emergency' USING ERRCODE = 'CP422';
    END IF;
    -- R-SCOPE-2: exclusion always wins.  Which sectors a non-member public
    -- body supervises is unknown: it is treated as a supervisor.
    IF v_nm.kind IN ('investigative', 'public_body') AND EXISTS (
        WITH RECURSIVE up AS (
            SELECT id, parent_id FROM council.posts WHERE id = p_post
            UNION
            SELECT x.id, x.parent_id FROM council.posts x JOIN up ON x.id = up.parent_id)
        SELECT 1 FROM council.post_exclusions e
        WHERE (e.post_id IN (SELECT id FROM up)
               OR e.post_id IN (SELECT s.source_post_id FROM council.post_sources s
                                WHERE s.post_id = p_post))
          AND e.kind IN ('investigative', 'supervisors')) THEN
        RAISE EXCEPTION 'excluded_by_scope' USING ERRCODE = 'CP422';
    END IF;
    IF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 2000
       OR p_reason ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_reason' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.nonmember_relays (post_id, via_org_id, nonmember_id, secret_emergency,
                                          reason, org_id, created_by)
    VALUES (p_post, p_via, p_nonmember, v_post.is_secret, btrim(p_reason), v_org,
            council.current_person_id())
    ON CONFLICT (post_id, via_org_id, nonmember_id) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'relay_exists' USING ERRCODE = 'CP409';
    END IF;
    -- R-SCOPE-4 (Art. 22(4)): the givers: the post's author and its
    -- sources' authors, where they designated a scope (a reply has its
    -- thread's), but neither secretariat body (R-SCOPE-3: its own scope).
    FOR v_giver IN
        SELECT DISTINCT au.org_id
        FROM council.posts x JOIN council.post_authors au ON au.post_id = x.id
        JOIN council.organisations o ON o.id = au.org_id
        WHERE (x.id = p_post OR x.id IN (SELECT s.source_post_id FROM council.post_sources s
                                          WHERE s.post_id = p_post))
          AND (x.scope_designated OR x.parent_id IS NOT NULL)
          AND o.council_role IS NULL
    LOOP
        INSERT INTO council.nonmember_relay_consents (relay_id, giver_org_id)
        VALUES (v_id, v_giver);
        PERFORM council.incident_tell(v_giver, 'nonmember.consent',
            format('非構成員への共有 #%s について同意を求められています', v_id),
            format('Relay to a non-member #%s: your consent is asked', v_id),
            '/nonmembers/relays/' || v_id, 'nonmember.consent:' || v_id);
    END LOOP;
    -- Art. 22(3): told in advance, through the member, of the report due.
    PERFORM council.incident_tell(p_via, 'nonmember.relay',
        CASE WHEN v_post.is_secret
             THEN format('非構成員への共有 #%s（秘密・緊急）: 取り扱った者全員の届出が必要です', v_id)
             ELSE format('非構成員への共有 #%s を依頼されました', v_id) END,
        CASE WHEN v_post.is_secret
             THEN format('Relay to a non-member #%s (secret, emergency): report everyone who handles it', v_id)
             ELSE format('Relay to a non-member #%s requested', v_id) END,
        '/nonmembers/relays/' || v_id, 'nonmember.relay:' || v_id);
    PERFORM council.audit('nonmember.relay', 'nonmember_relay', v_id,
        jsonb_build_object('post', p_post, 'via', p_via, 'nonmember', p_nonmember,
                           'secret_emergency', v_post.is_secret));
    RETURN v_id;
END
$$;

-- R-SCOPE-4 (Art. 22(4)): the caller's organisation, a giver of relay r,
-- grants or refuses its consent.  Once.
CREATE OR REPLACE FUNCTION council.nonmember_relay_consent(r bigint, p_grant boolean)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.nonmember_relays := council.nonmember_relay_require(r);
    c  council.nonmember_relay_consents;
BEGIN
    SELECT * INTO c FROM council.nonmember_relay_consents
    WHERE relay_id = r AND giver_org_id = council.current_org_id();
    IF c.relay_id IS NULL THEN
        RAISE EXCEPTION 'not_a_giver' USING ERRCODE = 'CP403';
    END IF;
    IF c.status <> 'pending' THEN
        RAISE EXCEPTION 'consent_already_decided' USING ERRCODE = 'CP409';
    END IF;
    IF p_grant IS NULL THEN
        RAISE EXCEPTION 'invalid_grant' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.nonmember_relay_consents
    SET status = CASE WHEN p_grant THEN 'granted' ELSE 'refused' END::council.consent_status,
        decided_by = council.current_person_id(), decided_at = now()
    WHERE relay_id = r AND giver_org_id = c.giver_org_id;
    PERFORM council.incident_tell(v.org_id, 'nonmember.consent_decided',
        format('非構成員への共有 #%s: 提供者が回答しました', r),
        format('Relay to a non-member #%s: a giver answered', r),
        '/nonmembers/relays/' || r, 'nonmember.consent_decided:' || r || ':' || c.giver_org_id);
    PERFORM council.audit(CASE WHEN p_grant THEN 'nonmember.consent.grant'
                               ELSE 'nonmember.consent.refuse' END,
        'nonmember_relay', r, '{}');
END
$$;

-- The relaying member's act on relay r: it is the relaying member's
-- (else CP403), carries a secret relayed in an emergency when p_secret
-- (else CP422 not_a_secret_relay), and is in force (else CP409).
CREATE OR REPLACE FUNCTION council.nonmember_relay_for_via(r bigint, p_secret boolean)
    RETURNS council.nonmember_relays
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.nonmember_relays := council.nonmember_relay_require(r);
BEGIN
    IF council.nonmember_relay_role(r) IS DISTINCT FROM 'via' THEN
        RAISE EXCEPTION 'only_the_relaying_member' USING ERRCODE = 'CP403';
    END IF;
    IF p_secret AND NOT v.secret_emergency THEN
        RAISE EXCEPTION 'not_a_secret_relay' USING ERRCODE = 'CP422';
    END IF;
    IF council.nonmember_relay_state(r) <> 'in_force' THEN
        RAISE EXCEPTION 'relay_not_in_force' USING ERRCODE = 'CP409';
    END IF;
    RETURN v;
END
$$;

-- R-NONMEM-1 (Art. 22(3)): the relaying member reports person p_name
-- (p_unit: department or position, may be empty) at the non-member as
-- one who handled the secret of relay r.  Kept for good; refused once the
-- list is closed.  Returns the person's number on the list.
CREATE OR REPLACE FUNCTION council.nonmember_relay_report(r bigint, p_name text,
    p_unit text) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v      council.nonmember_relays := council.nonmember_relay_for_via(r, true);
    v_name text := council.nonmember_clean_name(p_name);
    v_seq  integer;
BEGIN
    IF v.handlers_closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'handler_list_closed' USING ERRCODE = 'CP409';
    END IF;
    IF v_name IS NULL THEN
        RAISE EXCEPTION 'invalid_name' USING ERRCODE = 'CP422';
    END IF;
    IF length(btrim(coalesce(p_unit, ''))) > 200 OR coalesce(p_unit, '') ~ '[\x01-\x1f\x7f]' THEN
        RAISE EXCEPTION 'invalid_unit' USING ERRCODE = 'CP422';
    END IF;
    IF EXISTS (SELECT 1 FROM council.nonmember_relay_handlers WHERE relay_id = r AND name = v_name) THEN
        RAISE EXCEPTION 'handler_already_reported' USING ERRCODE = 'CP409';
    END IF;
    -- One writer at a time per relay: the numbers follow each other.
    PERFORM 1 FROM council.nonmember_relays WHERE id = r FOR UPDATE;
    SELECT coalesce(max(seq), 0) + 1 INTO v_seq FROM council.nonmember_relay_handlers
    WHERE relay_id = r;
    IF v_seq > 200 THEN
        RAISE EXCEPTION 'too_many_handlers' USING ERRCODE = 'CP422';
    END IF;
    INSERT INTO council.nonmember_relay_handlers (relay_id, seq, name, unit, reported_by)
    VALUES (r, v_seq, v_name, btrim(coalesce(p_unit, '')), council.current_person_id());
    PERFORM council.audit('nonmember.handler', 'nonmember_relay', r,
        jsonb_build_object('seq', v_seq));
    RETURN v_seq;
END
$$;

-- R-NONMEM-1 (Art. 22(3)): the relaying member declares relay r's
-- handler list complete (at least one person).  Once; nobody is added
-- afterwards.  The secretariat body that made the relay is told.
CREATE OR REPLACE FUNCTION council.nonmember_relay_close(r bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v  council.nonmember_relays := council.nonmember_relay_for_via(r, true);
BEGIN
    IF v.handlers_closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'handler_list_closed' USING ERRCODE = 'CP409';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM council.nonmember_relay_handlers WHERE relay_id = r) THEN
        RAISE EXCEPTION 'no_handlers_reported' USING ERRCODE = 'CP422';
    END IF;
    UPDATE council.nonmember_relays
    SET handlers_closed_at = now(), handlers_closed_by = council.current_person_id()
    WHERE id = r;
    PERFORM council.incident_tell(v.org_id, 'nonmember.handlers',
        format('非構成員への共有 #%s: 取り扱った者の届出が完了しました', r),
        format('Relay to a non-member #%s: the handlers are reported', r),
        '/nonmembers/relays/' || r, 'nonmember.handlers:' || r);
    PERFORM council.audit('nonmember.handlers.close', 'nonmember_relay', r,
        jsonb_build_object('handlers', (SELECT count(*) FROM council.nonmember_relay_handlers
                                        WHERE relay_id = r)));
END
$$;

-- R-NONMEM-1: the relaying member records that it handed relay r's post
-- to p_recipient at the non-member; for a secret relayed in an emergency
-- only to a person on the handler list (else CP422
-- not_a_reported_handler: "blocks relaying to anyone else").
CREATE OR REPLACE FUNCTION council.nonmember_relay_hand_over(r bigint, p_recipient text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v      council.nonmember_relays := council.nonmember_relay_for_via(r, false);
    v_name text := council.nonmember_clean_name(p_recipient);
    v_seq  integer;
BEGIN
    IF v_name IS NULL THEN
        RAISE EXCEPTION 'invalid_recipient' USING ERRCODE = 'CP422';
    END IF;
    IF v.secret_emergency THEN
        SELECT seq INTO v_seq FROM council.nonmember_relay_handlers
        WHERE relay_id = r AND name = v_name;
        IF v_seq IS NULL THEN
            RAISE EXCEPTION 'not_a_reported_handler' USING ERRCODE = 'CP422';
        END IF;
    END IF;
    INSERT INTO council.nonmember_relay_handovers (relay_id, recipient, handler_seq, handed_by)
    VALUES (r, v_name, v_seq, council.current_person_id());
    PERFORM council.audit('nonmember.handover', 'nonmember_relay', r,
        jsonb_build_object('handler', v_seq));
END
$$;

-- R-NONMEM-1: relay r as the caller sees it (CP404 when hidden or
-- absent), read under the policies below: the consents, handlers and
-- handovers the caller may read, and what it may do now.
CREATE OR REPLACE FUNCTION council.nonmember_relay(r bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v       council.nonmember_relays;
    v_role  text;
    v_state text;
    v_mine  text;
BEGIN
    SELECT * INTO v FROM council.nonmember_relays WHERE id = r;
    IF v.id IS NULL THEN
        RAISE EXCEPTION 'relay_not_found' USING ERRCODE = 'CP404';
    END IF;
    v_role := council.nonmember_relay_role(r);
    v_state := council.nonmember_relay_state(r);
    SELECT c.status::text INTO v_mine FROM council.nonmember_relay_consents c
    WHERE c.relay_id = r AND c.giver_org_id = council.current_org_id();
    RETURN json_build_object('id', v.id, 'post', v.post_id, 'via', v.via_org_id,
        'nonmember', (SELECT json_build_object('id', n.id, 'name', n.name, 'kind', n.kind)
                      FROM council.nonmembers n WHERE n.id = v.nonmember_id),
        'secret_emergency', v.secret_emergency, 'reason', v.reason, 'org', v.org_id,
        'created_at', v.created_at, 'state', v_state, 'role', v_role,
        'consents', coalesce((SELECT json_agg(json_build_object('org', c.giver_org_id,
                                  'status', c.status, 'decided_at', c.decided_at)
                                  ORDER BY c.giver_org_id)
                              FROM council.nonmember_relay_consents c WHERE c.relay_id = r), '[]'),
        'handlers', coalesce((SELECT json_agg(json_build_object('seq', h.seq, 'name', h.name,
                                  'unit', h.unit, 'reported_at', h.reported_at) ORDER BY h.seq)
                              FROM council.nonmember_relay_handlers h WHERE h.relay_id = r), '[]'),
        'handlers_closed_at', v.handlers_closed_at,
        'handovers', coalesce((SELECT json_agg(json_build_object('recipient', o.recipient,
                                   'handler', o.handler_seq, 'handed_at', o.handed_at) ORDER BY o.id)
                               FROM council.nonmember_relay_handovers o WHERE o.relay_id = r), '[]'),
        'may', json_build_object(
            'consent', v_mine = 'pending',
            'report', v_role = 'via' AND v_state = 'in_force' AND v.secret_emergency
                      AND v.handlers_closed_at IS NULL,
            'close', v_role = 'via' AND v_state = 'in_force' AND v.secret_emergency
                     AND v.handlers_closed_at IS NULL,
            'hand_over', v_role = 'via' AND v_state = 'in_force'));
END
$$;

-- R-NONMEM-1: the non-members and the relays the caller sees (at most
-- 200 of each, newest first), and whether it may make relays.
CREATE OR REPLACE FUNCTION council.nonmembers_for_me() RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, council
AS $$
    SELECT json_build_object(
        'may_register', council.incident_may_touch(),
        'may_relay', council.incident_may_touch()
                     AND (council.current_is_coordinator() OR council.current_is_secretariat()),
        'nonmembers', (SELECT coalesce(json_agg(json_build_object('id', n.id, 'name', n.name,
                           'kind', n.kind, 'org', n.org_id, 'created_at', n.created_at)
                           ORDER BY n.id DESC), '[]')
                       FROM (SELECT * FROM council.nonmembers ORDER BY id DESC LIMIT 200) n),
        'relays', (SELECT coalesce(json_agg(json_build_object('id', r.id, 'post', r.post_id,
                       'via', r.via_org_id, 'nonmember', r.nonmember_id,
                       'secret_emergency', r.secret_emergency,
                       'state', council.nonmember_relay_state(r.id),
                       'handlers_closed_at', r.handlers_closed_at,
                       'created_at', r.created_at) ORDER BY r.id DESC), '[]')
                   FROM (SELECT * FROM council.nonmember_relays ORDER BY id DESC LIMIT 200) r))
$$;

CREATE POLICY nonmembers_visible ON council.nonmembers FOR SELECT
    TO council_app, council_writer USING (council.nonmember_visible(id));
-- The fact "on behalf of a non-member" follows its post; the name is the
-- register's (above) or council.post_provenance's.
CREATE POLICY post_nonmember_visible ON council.post_nonmember FOR SELECT
    TO council_app, council_writer USING (council.current_sees_post(post_id));
CREATE POLICY nonmember_relays_visible ON council.nonmember_relays FOR SELECT
    TO council_app, council_writer USING (council.nonmember_relay_role(id) IS NOT NULL);
CREATE POLICY nonmember_relay_consents_visible ON council.nonmember_relay_consents FOR SELECT
    TO council_app, council_writer
    USING (council.nonmember_relay_role(relay_id) IN ('coordinator', 'creator')
           OR (giver_org_id = (SELECT me.org_id FROM council.me)
               AND council.nonmember_relay_role(relay_id) IS NOT NULL));
CREATE POLICY nonmember_relay_handlers_visible ON council.nonmember_relay_handlers FOR SELECT
    TO council_app, council_writer
    USING (council.nonmember_relay_role(relay_id) IN ('coordinator', 'creator', 'via'));
CREATE POLICY nonmember_relay_handovers_visible ON council.nonmember_relay_handovers FOR SELECT
    TO council_app, council_writer
    USING (council.nonmember_relay_role(relay_id) IN ('coordinator', 'creator', 'via'));

-- The JSON API's row, through the door (policy/15_api.sql):
-- POST /api/v1/nonmembers {name, kind};
-- POST /api/v1/nonmembers/posts {nonmember, name_shown, and a post's fields};
-- POST /api/v1/nonmembers/relays {post, via, nonmember, emergency, reason};
-- POST /api/v1/nonmembers/relays/N {"action": "consent", "grant"} |
-- {"action": "report", "name", "unit"} | {"action": "close"} |
-- {"action": "hand_over", "recipient"};
-- GET /api/v1/nonmembers, /api/v1/nonmembers/relays/N, /api/v1/posts/N/provenance.
CREATE OR REPLACE FUNCTION council.api__nonmember(r jsonb, OUT status integer, OUT body text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    a      jsonb;
    v_id   bigint;
    v_src  bigint[];
BEGIN
    IF council.current_person_id() IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    status := 200;
    CASE r->>'what'
    WHEN 'list' THEN
        body := council.nonmembers_for_me()::text;
        RETURN;
    WHEN 'provenance' THEN
        body := council.post_provenance((r->>'id')::bigint)::text;
        RETURN;
    WHEN 'get' THEN
        v_id := (r->>'id')::bigint;
    WHEN 'register' THEN
        a := council.api_args(r->>'body', '{"name": "string", "kind": "string"}');
        v_id := council.nonmember_register(a->>'name', (a->>'kind')::council.nonmember_kind);
        status := 201;
        body := (SELECT json_build_object('id', n.id, 'name', n.name, 'kind', n.kind,
                                          'org', n.org_id)
                 FROM council.nonmembers n WHERE n.id = v_id)::text;
        RETURN;
    WHEN 'post' THEN
        a := council.api_args(r->>'body', '{"nonmember": "number", "name_shown": "boolean",
            "sources": "array", "kind": "string", "title": "string", "body": "string",
            "secret": "boolean", "masked": "boolean", "scope": "array", "exclusions": "array",
            "parent": "number", "confidence": "string", "deadline": "string"}');
        IF EXISTS (SELECT 1 FROM jsonb_array_elements(nullif(a->'sources', 'null')) e
                   WHERE jsonb_typeof(e) <> 'number') THEN
            RAISE EXCEPTION 'invalid_sources' USING ERRCODE = 'CP422';
        END IF;
        SELECT array_agg(e::text::bigint) INTO v_src
        FROM jsonb_array_elements(nullif(a->'sources', 'null')) e;
        IF a->>'kind' IS NULL THEN
            RAISE EXCEPTION 'invalid_kind' USING ERRCODE = 'CP422';
        END IF;
        v_id := council.nonmember_post((a->>'nonmember')::bigint,
            coalesce((a->>'name_shown')::boolean, false), (a->>'kind')::council.post_kind,
            a->>'title', a->>'body', (a->>'secret')::boolean,
            coalesce((a->>'masked')::boolean, false), nullif(a->'scope', 'null'),
            coalesce(nullif(a->'exclusions', 'null'), '[]'), coalesce(v_src, '{}'),
            (a->>'parent')::bigint, a->>'confidence', (a->>'deadline')::timestamptz);
        status := 201;
        body := json_build_object('id', v_id, 'provenance', council.post_provenance(v_id))::text;
        RETURN;
    WHEN 'relay' THEN
        a := council.api_args(r->>'body', '{"post": "number", "via": "number",
            "nonmember": "number", "emergency": "boolean", "reason": "string"}');
        v_id := council.nonmember_relay_create((a->>'post')::bigint, (a->>'via')::bigint,
            (a->>'nonmember')::bigint, (a->>'emergency')::boolean, a->>'reason');
        status := 201;
    WHEN 'act' THEN
        a := council.api_args(r->>'body', '{"action": "string", "grant": "boolean",
            "name": "string", "unit": "string", "recipient": "string"}');
        v_id := (r->>'id')::bigint;
        PERFORM council.nonmember_relay_require(v_id);
        CASE a->>'action'
        WHEN 'consent' THEN
            PERFORM council.nonmember_relay_consent(v_id, (a->>'grant')::boolean);
        WHEN 'report' THEN
            PERFORM council.nonmember_relay_report(v_id, a->>'name', a->>'unit');
        WHEN 'close' THEN
            PERFORM council.nonmember_relay_close(v_id);
        WHEN 'hand_over' THEN
            PERFORM council.nonmember_relay_hand_over(v_id, a->>'recipient');
        ELSE
            RAISE EXCEPTION 'invalid_action' USING ERRCODE = 'CP422';
        END CASE;
    ELSE
        RAISE EXCEPTION 'api__nonmember: % is not a call', r->>'what';
    END CASE;
    body := council.nonmember_relay(v_id)::text;
END
$$;

-- councild's entry (routes.c, server/pages/nonmember.c).
CREATE OR REPLACE FUNCTION council.api_nonmember(p_what text, p_id bigint, p_body text,
    OUT status integer, OUT body text)
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, council
AS $$ SELECT * FROM council.api_call('nonmember',
    jsonb_build_object('what', p_what, 'id', p_id, 'body', p_body)) $$;

GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.nonmember_relay_role(bigint) OWNER TO council_definer;
ALTER FUNCTION council.nonmember_visible(bigint) OWNER TO council_definer;
ALTER FUNCTION council.nonmember_relay_state(bigint) OWNER TO council_definer;
ALTER FUNCTION council.nonmember_relay_require(bigint) OWNER TO council_definer;
ALTER FUNCTION council.nonmember_register(text, council.nonmember_kind) OWNER TO council_definer;
ALTER FUNCTION council.nonmember_post(bigint, boolean, council.post_kind, text, text, boolean,
    boolean, jsonb, jsonb, bigint[], bigint, text, timestamptz) OWNER TO council_definer;
ALTER FUNCTION council.post_provenance(bigint) OWNER TO council_definer;
ALTER FUNCTION council.nonmember_relay_create(bigint, bigint, bigint, boolean, text)
    OWNER TO council_definer;
ALTER FUNCTION council.nonmember_relay_consent(bigint, boolean) OWNER TO council_definer;
ALTER FUNCTION council.nonmember_relay_for_via(bigint, boolean) OWNER TO council_definer;
ALTER FUNCTION council.nonmember_relay_report(bigint, text, text) OWNER TO council_definer;
ALTER FUNCTION council.nonmember_relay_close(bigint) OWNER TO council_definer;
ALTER FUNCTION council.nonmember_relay_hand_over(bigint, text) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
