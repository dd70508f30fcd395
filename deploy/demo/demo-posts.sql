-- deploy/demo/demo-posts.sql: the demo council's sharing: a GSOC member for
-- the liaison member, two groups, and a few posts written through
-- council.create_post as their authors, exactly as councild will.
-- Loaded by "councilctl seed-demo" after demo-council.sql, as
-- council_owner, in one transaction.  Idempotent: posts are written only
-- into a council that has none.  Everything here is fictional.

-- R-ORG-8: the cross-government member a liaison member goes through.
INSERT INTO council.organisations (slug, name_ja, name_en, category, status)
VALUES ('gsoc', '政府横断監視・即応調整チーム（GSOC）',
        'Government Security Operation Coordination team (GSOC)',
        'national_agency', 'member')
ON CONFLICT (slug) DO NOTHING;
INSERT INTO council.org_status_history (org_id, status, note)
SELECT o.id, 'member', 'demo'
FROM council.organisations o
WHERE o.slug = 'gsoc'
  AND NOT EXISTS (SELECT 1 FROM council.org_status_history h WHERE h.org_id = o.id);
UPDATE council.organisations
SET liaison_via = (SELECT id FROM council.organisations WHERE slug = 'gsoc')
WHERE slug = 'digital' AND liaison_via IS NULL;
INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin)
SELECT o.id, '長谷川 剛', 'Tsuyoshi Hasegawa', 'tsuyoshi.hasegawa@gsoc.example.jp', true
FROM council.organisations o WHERE o.slug = 'gsoc'
  AND NOT EXISTS (SELECT 1 FROM council.people
                  WHERE lower(email) = 'tsuyoshi.hasegawa@gsoc.example.jp');
INSERT INTO council.people (org_id, name_ja, name_en, email)
SELECT o.id, '岡田 真理', 'Mari Okada', 'mari.okada@gsoc.example.jp'
FROM council.organisations o WHERE o.slug = 'gsoc'
  AND NOT EXISTS (SELECT 1 FROM council.people
                  WHERE lower(email) = 'mari.okada@gsoc.example.jp');
INSERT INTO council.handler_registrations (person_id)
SELECT p.id FROM council.people p
WHERE lower(p.email) = 'tsuyoshi.hasegawa@gsoc.example.jp'
  AND NOT EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id);

-- R-NEW-2: a per-sector group and an ad-hoc group for an event no member
-- reported (a group of kind 'incident' is opened from a report, with the
-- reporter's consent for each member: policy/88_incident_groups.sql).
INSERT INTO council.groups (slug, name_ja, name_en, kind, owner_org_id)
SELECT v.slug, v.name_ja, v.name_en, v.kind::council.group_kind, o.id
FROM (VALUES
    ('finance-circle', '金融分野 情報共有グループ', 'Finance sector circle', 'sector'),
    ('incident-2026-11', '2026年11月 不審通信対応グループ',
     'November 2026 suspicious traffic response', 'adhoc')
) AS v(slug, name_ja, name_en, kind)
JOIN council.organisations o ON o.slug = 'jpcert-cc'
ON CONFLICT (slug) DO NOTHING;
INSERT INTO council.group_members (group_id, org_id)
SELECT g.id, o.id
FROM (VALUES
    ('finance-circle', 'toto-bank'), ('finance-circle', 'finsec-isac'),
    ('finance-circle', 'jpcert-cc'),
    ('incident-2026-11', 'jpcert-cc'), ('incident-2026-11', 'sakura-security'),
    ('incident-2026-11', 'toto-bank'), ('incident-2026-11', 'toto-power')
) AS v(grp, org)
JOIN council.groups g ON g.slug = v.grp
JOIN council.organisations o ON o.slug = v.org
ON CONFLICT DO NOTHING;

-- Posts, written as their authors: a session row is made for the length
-- of this transaction and removed at its end.
CREATE FUNCTION pg_temp.as_author(p_email text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    v_token bytea := sha256(convert_to('demo-seed-' || p_email || clock_timestamp()::text, 'UTF8'));
BEGIN
    INSERT INTO council.sessions (token_hash, person_id, expires_at)
    SELECT v_token, p.id, now() + interval '1 minute'
    FROM council.people p WHERE lower(p.email) = p_email;
    PERFORM set_config('council.session', encode(v_token, 'hex'), true);
END $$;

DO $$
DECLARE
    v_analysis  bigint;
    v_consult   bigint;
    v_group     bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM council.posts) THEN
        RETURN;
    END IF;
    SELECT id INTO v_group FROM council.groups WHERE slug = 'incident-2026-11';

    PERFORM pg_temp.as_author('shota.fujii@sakura-security.example.jp');
    v_analysis := council.create_post('analysis',
        '未確認：VPN機器を狙う新たなC2通信の兆候',
        '複数の顧客環境で、VPN機器から同一の外部ホストへの定期通信を観測しました。'
        || '現時点では未確認情報です。被害組織名はマスクしています。',
        true, false, '[{"class": "type1_group"}]');
    PERFORM council.create_post('countermeasure',
        '対策：当該C2ホストへの通信遮断',
        '下記のIPアドレス帯への通信を遮断してください。観測の有無をご回答ください。',
        false, false, '[{"class": "task_force"}]', '[]', '{}', NULL, 'high',
        now() + interval '3 days');

    PERFORM pg_temp.as_author('yohei.nakagawa@toto-bank.example.jp');
    v_consult := council.create_post('consultation',
        '何となく違和感：夜間の管理者ログイン',
        '被害は確認していませんが、夜間に普段と異なる管理者ログインがあります。助言をお願いします。',
        false, true, '[{"class": "type1_group"}]', '[{"supervisors": true}]');
    PERFORM council.create_post('report',
        '金融分野向け：不審通信の観測状況',
        '当行では観測していません。',
        false, false, format('[{"group": %s}]', v_group)::jsonb,
        '[{"investigative": true}]');

    PERFORM pg_temp.as_author('taro.yamada@jpcert-cc.example.jp');
    PERFORM council.create_post('report', 'Re: 夜間の管理者ログイン',
        'ログの保全をお勧めします。詳細は個別にご連絡します。',
        false, false, NULL, '[]', '{}', v_consult);
    PERFORM council.create_post('alert',
        '注意喚起：VPN機器の脆弱性を悪用する攻撃',
        '構成員各位：VPN機器のファームウェアを最新版に更新してください。',
        false, false, '[{"class": "all_members"}]');
    -- R-SCOPE-4: derived from the Type 1 analysis, meant for the whole task
    -- force: it reaches only the Type 1 group until Sakura Security consents.
    PERFORM council.create_post('report',
        'TF向け要約：VPN機器を狙うC2通信',
        'タスクフォース構成員向けの要約です。',
        true, false, '[{"class": "task_force"}]', '[]', ARRAY[v_analysis]);
END $$;

-- Issue 15 item 1: scope presets, each a TAXII write collection of its
-- organisation, saved as their authors through council.scope_preset_create
-- (policy/99_presets.sql; the scope checked by create_post).  Idempotent:
-- only into a council that has none.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM council.scope_presets) THEN
        RETURN;
    END IF;
    PERFORM pg_temp.as_author('yohei.nakagawa@toto-bank.example.jp');
    PERFORM council.scope_preset_create('金融分野グループ（捜査機関を除く）',
        jsonb_build_array(jsonb_build_object('group',
            (SELECT id FROM council.groups WHERE slug = 'finance-circle'))),
        '[{"investigative": true}]');
    PERFORM council.scope_preset_create('JPCERT/CC と Type 1 グループ',
        '[{"class": "type1_group"}]', '[{"supervisors": true}]');
    PERFORM pg_temp.as_author('shota.fujii@sakura-security.example.jp');
    PERFORM council.scope_preset_create('タスクフォース全体', '[{"class": "task_force"}]', '[]');
END $$;

-- now() is this transaction's start: exactly the sessions made above.
DELETE FROM council.sessions WHERE expires_at = now() + interval '1 minute';
SELECT set_config('council.session', '', true);
