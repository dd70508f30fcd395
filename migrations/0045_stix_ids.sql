-- 0045_stix_ids: two mends of 0044_stix (issue 15).
--
-- A pushed object keeps the client's id on export only when no other post
-- carries it (policy/96_stix.sql, stix__idents): keeps_id is false when
-- the id was already a post's, derived or pushed by another organisation,
-- even one the pusher cannot read.  The pusher is told nothing different
-- (that would tell it the hidden post exists); the post is exported under
-- its derived id, so no reader ever gets two objects with one id.
ALTER TABLE council.stix_imports ADD COLUMN keeps_id boolean NOT NULL DEFAULT true;

-- A deleted scope preset frees its name: names are unique among the
-- organisation's live presets only.
ALTER TABLE council.scope_presets DROP CONSTRAINT scope_presets_org_id_name_key;
CREATE UNIQUE INDEX scope_presets_live_name ON council.scope_presets (org_id, name)
    WHERE deleted_at IS NULL;
