-- 0021_committee_bar: the steering committee's bars for an expulsion and a
-- restriction are counted over the whole committee (issue 10, item 15;
-- R-GOV-6, R-GOV-7; docs/governance.md "Quorum and count").
--
-- Version 1 of sc.expulsion and sc.restriction (0011_rules) counted the
-- yes over committee_entitled, the seats less every special interest, so
-- that members declaring one lowered the bar: with nine seats, five
-- declarations and four yes restricted a member, four declarations and
-- five yes expelled one.  The Rules count over ALL committee members
-- (Art. 8(1) 「運営委員全員の同意」, Art. 8(2) 「運営委員の４分の３以上の
-- 賛成」); a member with a special interest has no vote, but declaring one
-- never lowers the bar.  Only the subject member's own seat is out of the
-- count (when the subject sits on the committee: it has no vote on
-- itself).  Version 2 counts the yes over committee_seats, which as a pass
-- base is every seat but the subject's own (council.sc__close); the quorum
-- is unchanged.
--
-- A poll opened under version 1 and still open when this lands would be
-- counted against the Rules: it is counted under version 2 (a correction
-- of how the same articles were stated, not an amendment of them), with
-- an audit row sc.rule.corrected naming both versions.

-- The owner writes past RLS here: decision_rules and sc_motions have no
-- policy for it (policy/76_documents.sql, 70_committee.sql).
ALTER TABLE council.decision_rules NO FORCE ROW LEVEL SECURITY;
ALTER TABLE council.sc_motions NO FORCE ROW LEVEL SECURITY;

INSERT INTO council.decision_rules (code, version, body, quorum_base, quorum_cmp,
    quorum_num, quorum_den, pass_base, pass_cmp, pass_num, pass_den, veto, source)
VALUES
    -- R-GOV-6: the consent of ALL committee members, the subject's seat out.
    ('sc.expulsion', 2, 'steering_committee', 'committee_seats', '>', 1, 2,
     'committee_seats', '>=', 1, 1, 'none', 'Rules Art. 8(1)'),
    -- R-GOV-7: at least three quarters of ALL committee members, the
    -- subject's seat out.
    ('sc.restriction', 2, 'steering_committee', 'committee_seats', '>', 1, 2,
     'committee_seats', '>=', 3, 4, 'none', 'Rules Art. 8(2)');

DO $$
DECLARE
    m  record;
BEGIN
    FOR m IN SELECT x.id, x.rule_code, o.version AS v_from, n.id AS new_id, n.version AS v_to
             FROM council.sc_motions x
             JOIN council.decision_rules o ON o.id = x.rule_id
             JOIN council.decision_rules n ON n.code = o.code AND n.version = 2
             WHERE x.status = 'open' AND o.code IN ('sc.expulsion', 'sc.restriction')
               AND o.version = 1
             ORDER BY x.id
    LOOP
        UPDATE council.sc_motions SET rule_id = m.new_id WHERE id = m.id;
        PERFORM council.audit('sc.rule.corrected', 'sc_motion', m.id,
            jsonb_build_object('rule_code', m.rule_code, 'from_version', m.v_from,
                               'to_version', m.v_to, 'migration', '0021_committee_bar'));
    END LOOP;
END $$;

ALTER TABLE council.decision_rules FORCE ROW LEVEL SECURITY;
ALTER TABLE council.sc_motions FORCE ROW LEVEL SECURITY;
