-- policy/63_attachments.sql: files attached to posts (issue 4; table in
-- migrations/0009_attachments.sql).  Re-applied by "councilctl migrate".
-- Errors: MESSAGE a stable code, SQLSTATE class CP (see
-- 42_sharing_writes.sql).
--
-- Reading: a file is visible exactly when its post's body is: the policy
-- is post_bodies' own, so the post's policies decide (the audience,
-- R-SECRET-2/3: a secret's files are for registered handlers only, R-ORG-6:
-- the coordinator's and the secretariat's reads are audited) and reading a
-- row of a secret post's files writes the post.read.secret row that opening
-- its body writes (council.audit_post_read).  Listing a secret's files on
-- its page is reading them: each row listed is recorded.
--
-- Writing: only council.attach_file (owned by council_writer, under the
-- caller's policies), as the post's author organisation (R-SCOPE-1: the
-- giver decides what it gives); a post the caller cannot see is answered
-- like one that does not exist.  councild checks the same limits first
-- (server/pages/attach.c); these are the database's own.

-- The limits.  council_app and councild read them from here (one place).
CREATE OR REPLACE FUNCTION council.attachment_max_bytes() RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 10485760::bigint $$;
CREATE OR REPLACE FUNCTION council.attachment_max_per_post() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 10 $$;

-- A stored file name: 1 to 200 characters, no control character (C0, DEL,
-- C1), no path separator, no bidirectional mark or override (a name that
-- reads "txt.exe" backwards), no leading dot or space.  The table's CHECK
-- says the same.
CREATE OR REPLACE FUNCTION council.attachment_name_ok(p_name text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(char_length(p_name) BETWEEN 1 AND 200
        AND p_name !~ '[[:cntrl:]/\\\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]'
        AND p_name !~ '^[. ]', false)
$$;

-- The allow-list: the media type an extension stands for (NULL: not
-- allowed).  docs/api.md lists the same; server/pages/attach.c holds the same
-- table and also checks the content.
CREATE OR REPLACE FUNCTION council.attachment_type_of(p_name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE lower(substring(p_name FROM '\.([A-Za-z0-9]+)$'))
        WHEN 'txt' THEN 'text/plain'
        WHEN 'log' THEN 'text/plain'
        WHEN 'csv' THEN 'text/csv'
        WHEN 'json' THEN 'application/json'
        WHEN 'pdf' THEN 'application/pdf'
        WHEN 'png' THEN 'image/png'
        WHEN 'jpg' THEN 'image/jpeg'
        WHEN 'jpeg' THEN 'image/jpeg'
        WHEN 'zip' THEN 'application/zip'
        WHEN 'pcap' THEN 'application/vnd.tcpdump.pcap'
        WHEN 'pcapng' THEN 'application/x-pcapng'
    END
$$;

-- Whether content is what name and type say: the type is the one of the
-- extension, and the content starts with that type's signature (binary
-- types), is valid JSON (JSON), or holds no NUL byte (text).  councild
-- checks text more strictly (no C0 control but TAB, LF, FF, CR).
CREATE OR REPLACE FUNCTION council.attachment_type_ok(p_name text, p_type text,
    p_content bytea) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_head bytea := substring(p_content FROM 1 FOR 8);
BEGIN
    IF p_type IS NULL OR p_content IS NULL
       OR council.attachment_type_of(p_name) IS DISTINCT FROM p_type THEN
        RETURN false;
    END IF;
    CASE p_type
    WHEN 'application/pdf' THEN
        RETURN substring(v_head FROM 1 FOR 5) = '\x255044462d'::bytea;     -- %PDF-
    WHEN 'image/png' THEN
        RETURN v_head = '\x89504e470d0a1a0a'::bytea;
    WHEN 'image/jpeg' THEN
        RETURN substring(v_head FROM 1 FOR 3) = '\xffd8ff'::bytea;
    WHEN 'application/zip' THEN
        RETURN substring(v_head FROM 1 FOR 4) IN ('\x504b0304'::bytea, '\x504b0506'::bytea);
    WHEN 'application/vnd.tcpdump.pcap' THEN
        RETURN substring(v_head FROM 1 FOR 4) IN ('\xa1b2c3d4'::bytea, '\xd4c3b2a1'::bytea,
                                                  '\xa1b23c4d'::bytea, '\x4d3cb2a1'::bytea);
    WHEN 'application/x-pcapng' THEN
        RETURN substring(v_head FROM 1 FOR 4) = '\x0a0d0d0a'::bytea;
    WHEN 'application/json' THEN
        BEGIN
            PERFORM convert_from(p_content, 'UTF8')::json;
            RETURN true;
        EXCEPTION WHEN data_exception THEN
            RETURN false;
        END;
    ELSE    -- text/plain, text/csv
        RETURN position('\x00'::bytea IN p_content) = 0;
    END CASE;
END
$$;

-- How many files post p has, without reading them (the SELECT policy would
-- record a read of a secret's file).  For attach_file only: it asks after
-- it has seen the post.
CREATE OR REPLACE FUNCTION council.attachment_count(p bigint) RETURNS integer
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
BEGIN
    RETURN (SELECT count(*) FROM council.attachments WHERE post_id = p);
END
$$;

-- Attach a file to post p_post as the signed-in person; returns its id.
-- p_name is the sanitised name, p_type the type councild decided (from the
-- extension and the content); the database checks both again, computes
-- the SHA-256 itself, and records the upload in the audit log.
--   CP401 not_signed_in; CP404 post_not_found (hidden and absent alike);
--   CP403 only_the_giver_attaches (R-SCOPE-1), member_restricted
--   (R-RESTRICT-1); CP413 attachment_too_large; CP422 attachment_empty,
--   attachment_name_invalid, attachment_type_not_allowed,
--   too_many_attachments.
CREATE OR REPLACE FUNCTION council.attach_file(p_post bigint, p_name text,
    p_type text, p_content bytea) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, council
AS $$
DECLARE
    v_person  bigint := council.current_person_id();
    v_id      bigint;
    v_sha     bytea;
BEGIN
    IF v_person IS NULL THEN
        RAISE EXCEPTION 'not_signed_in' USING ERRCODE = 'CP401';
    END IF;
    -- As the caller sees it: a hidden post does not exist (R-SECRET-2: a
    -- secret is hidden from everyone but registered handlers).
    IF NOT EXISTS (SELECT 1 FROM council.posts WHERE id = p_post) THEN
        RAISE EXCEPTION 'post_not_found' USING ERRCODE = 'CP404';
    END IF;
    -- R-SCOPE-1: the giver decides what it gives.
    IF council.post_author_org(p_post) IS DISTINCT FROM council.current_org_id() THEN
        RAISE EXCEPTION 'only_the_giver_attaches' USING ERRCODE = 'CP403';
    END IF;
    IF (SELECT o.restricted FROM council.organisations o
        WHERE o.id = council.current_org_id()) THEN            -- R-RESTRICT-1
        RAISE EXCEPTION 'member_restricted' USING ERRCODE = 'CP403';
    END IF;
    IF p_content IS NULL OR length(p_content) = 0 THEN
        RAISE EXCEPTION 'attachment_empty' USING ERRCODE = 'CP422';
    END IF;
    IF length(p_content) > council.attachment_max_bytes() THEN
        RAISE EXCEPTION 'attachment_too_large' USING ERRCODE = 'CP413';
    END IF;
    IF NOT council.attachment_name_ok(p_name) THEN
        RAISE EXCEPTION 'attachment_name_invalid' USING ERRCODE = 'CP422';
    END IF;
    IF NOT council.attachment_type_ok(p_name, p_type, p_content) THEN
        RAISE EXCEPTION 'attachment_type_not_allowed' USING ERRCODE = 'CP422';
    END IF;
    -- One upload per post at a time, so that two cannot both pass the count.
    PERFORM pg_advisory_xact_lock(hashtext('council.attachments'),
                                  hashtext(p_post::text));
    IF council.attachment_count(p_post) >= council.attachment_max_per_post() THEN
        RAISE EXCEPTION 'too_many_attachments' USING ERRCODE = 'CP422';
    END IF;
    v_sha := sha256(p_content);
    -- The id is taken first: INSERT ... RETURNING would pass the SELECT
    -- policy, which records a read of a secret's file.
    v_id := nextval(pg_get_serial_sequence('council.attachments', 'id'));
    INSERT INTO council.attachments (id, post_id, filename, media_type, size,
        sha256, content, uploaded_by)
    OVERRIDING SYSTEM VALUE
    VALUES (v_id, p_post, p_name, p_type, length(p_content), v_sha, p_content,
            v_person);
    PERFORM council.audit('attachment.add', 'post', p_post,
        jsonb_build_object('attachment', v_id, 'type', p_type,
                           'size', length(p_content),
                           'sha256', encode(v_sha, 'hex')));
    RETURN v_id;
END
$$;

-- Everything derived from a post is visible only with it: exactly
-- post_bodies' policy (policy/41_sharing_policies.sql).
CREATE POLICY attachments_visible ON council.attachments FOR SELECT
    TO council_app, council_writer
    USING (EXISTS (SELECT 1 FROM council.posts p WHERE p.id = attachments.post_id)
           AND council.audit_post_read(post_id, true));
-- R-SCOPE-1: files come from the post's author organisation, uploaded by
-- the caller.
CREATE POLICY attachments_insert ON council.attachments FOR INSERT TO council_writer
    WITH CHECK (uploaded_by = (SELECT me.person_id FROM council.me)
                AND council.post_author_org(post_id) = (SELECT me.org_id FROM council.me));

GRANT CREATE ON SCHEMA council TO council_writer;
ALTER FUNCTION council.attach_file(bigint, text, text, bytea) OWNER TO council_writer;
REVOKE CREATE ON SCHEMA council FROM council_writer;
GRANT CREATE ON SCHEMA council TO council_definer;
ALTER FUNCTION council.attachment_count(bigint) OWNER TO council_definer;
REVOKE CREATE ON SCHEMA council FROM council_definer;
REVOKE ALL ON FUNCTION council.attachment_count(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION council.attachment_count(bigint) TO council_writer;
