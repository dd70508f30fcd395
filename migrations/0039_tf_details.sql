-- 0039_tf_details: a task-force post's damage and method (issue 14 item 2;
-- R-TF-6 depth by class).  A post written by a task-force participant
-- (the coordinator, a Type 1 or a Type 2 member) may carry, 0 or 1 per
-- post, who the victim was (a member organisation, or the name of one
-- that is not a member), the victim's kind and sector (what a masked
-- victim is shown as: "a critical-infrastructure operator, electricity"),
-- whether damage occurred, the damage in detail, the attack method, and
-- which of these the author shares with general members.  Who reads which
-- field: policy/92_depth.sql (council.post_tf_view); council_app cannot
-- read this table at all.

CREATE TABLE council.post_tf_details (
    post_id          bigint PRIMARY KEY REFERENCES council.posts (id),
    -- The victim: a member organisation, or a free-text name; neither
    -- when there is none or it is not known.
    victim_org       bigint REFERENCES council.organisations (id),
    victim_name      text CHECK (length(victim_name) BETWEEN 1 AND 200),
    -- What a masked victim is shown as (R-TF-6): its kind and, for a
    -- critical-infrastructure operator, its sector; a member's copied
    -- from the organisation when written.
    victim_category  council.org_category,
    victim_sector    text REFERENCES council.sectors (code),
    damage_occurred  boolean NOT NULL,
    damage_details   text CHECK (length(damage_details) BETWEEN 1 AND 20000),
    attack_method    text CHECK (length(attack_method) BETWEEN 1 AND 20000),
    -- R-TF-6: what the author chose to share with general members.
    share_general    text[] NOT NULL DEFAULT '{}'
        CHECK (share_general <@ ARRAY['victim_masked', 'damage_occurred',
                                      'damage_details', 'attack_method']),
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       bigint NOT NULL REFERENCES council.people (id),
    CHECK (victim_org IS NULL OR victim_name IS NULL),
    CHECK (victim_sector IS NULL OR victim_category = 'ci_operator'),
    CHECK (victim_category IS NULL OR victim_org IS NOT NULL OR victim_name IS NOT NULL)
);
CREATE INDEX post_tf_details_victim ON council.post_tf_details (victim_org)
    WHERE victim_org IS NOT NULL;

ALTER TABLE council.post_tf_details ENABLE ROW LEVEL SECURITY;
ALTER TABLE council.post_tf_details FORCE ROW LEVEL SECURITY;

-- R-TF-6: no SELECT for council_app: readers go through
-- council.post_tf_view, which returns only the fields their class may see.
-- council_writer owns that function and the write (it is under the
-- caller's policies on posts, so a hidden post stays hidden).
GRANT SELECT, INSERT ON council.post_tf_details TO council_writer;
