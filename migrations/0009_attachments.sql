-- 0009_attachments: files attached to posts (issue 4, the composer).
--
-- Who sees a file, and the only way to add one (council.attach_file), are
-- in policy/63_attachments.sql: a file is visible exactly when its post's
-- body is (the same policy, the secret rule and its audit included), and
-- only the post's author organisation adds files to it (R-SCOPE-1).  The
-- checks below are the last line: the write function checks the same
-- limits first and answers with stable error codes.
CREATE TABLE council.attachments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id      bigint NOT NULL REFERENCES council.posts (id),
    -- Sanitised by councild and checked again here: 1 to 200 characters,
    -- no control, path or bidirectional-override character, no leading dot.
    filename     text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 200
                     AND filename !~ '[[:cntrl:]/\\\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]'
                     AND filename !~ '^[. ]'),
    -- The allow-list (docs/api.md, "Attachments"); decided by councild from
    -- the extension and the content, never from the client's header.
    media_type   text NOT NULL CHECK (media_type IN (
                     'text/plain', 'text/csv', 'application/json',
                     'application/pdf', 'image/png', 'image/jpeg',
                     'application/zip', 'application/vnd.tcpdump.pcap',
                     'application/x-pcapng')),
    size         bigint NOT NULL CHECK (size BETWEEN 1 AND 10485760),
    sha256       bytea NOT NULL CHECK (length(sha256) = 32),
    content      bytea NOT NULL,
    uploaded_by  bigint NOT NULL REFERENCES council.people (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (length(content) = size)
);
CREATE INDEX attachments_post ON council.attachments (post_id);
-- The content is stored as it came (no compression: most allowed types are
-- compressed already, and the bytes served are the bytes hashed).
ALTER TABLE council.attachments ALTER COLUMN content SET STORAGE EXTERNAL;

ALTER TABLE council.attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.attachments FORCE ROW LEVEL SECURITY;

-- council_app reads (through the policies); it writes only through
-- council.attach_file, owned by council_writer.
GRANT SELECT ON council.attachments TO council_app, council_writer;
GRANT INSERT ON council.attachments TO council_writer;
GRANT SELECT ON council.attachments TO council_definer;
GRANT USAGE ON SEQUENCE council.attachments_id_seq TO council_writer;
