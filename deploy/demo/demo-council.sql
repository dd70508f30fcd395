-- deploy/demo/demo-council.sql: the demo council.
--
-- Loaded by "councilctl seed-demo" as council_owner, inside ONE transaction
-- that the caller opens and commits (no BEGIN/COMMIT here).  Idempotent:
-- every insert is ON CONFLICT DO NOTHING or guarded by NOT EXISTS, and ids
-- (GENERATED ALWAYS) are looked up by slug or e-mail, so a second run changes
-- nothing and does not fail.  Also loaded into the test clusters, where
-- tests/sql/02_demo_council.sql checks its shape.
--
-- ALL PEOPLE, COMPANIES, BANKS, OPERATORS, CITIES, THE PREFECTURE, THE
-- UNIVERSITY, THE HOSPITAL AND THE ISAC BELOW ARE FICTIONAL.  Only the public
-- bodies named in the Council Rules (JPCERT/CC, NISC, the Cabinet
-- Secretariat and the ministries) are real institutions; the people shown in
-- them are invented.  E-mail addresses use <slug>.example.jp, which never
-- resolves (RFC 2606 reserves .example).  password_hash stays NULL:
-- "councilctl" sets passwords.
--
-- Shape (rule IDs from council-rules.md):
--   R-ORG-5/6  JPCERT/CC is the coordinator (the designated corporation,
--              政令指定法人) and administers the system; NISC is the
--              general-affairs secretariat.
--   R-TF-1/2   JPCERT/CC + three Type 1 vendors (the Type 1 group); four
--              Type 2 operators (bank, power company, telecom carrier, city).
--   R-TF-4     one foreign-owned vendor, outside the task force.
--   R-GOV-5    a steering committee of nine: the chair (CS strategy HQ chief,
--              the Chief Cabinet Secretary) and eight ministers.
--   R-SCOPE-2  ministries supervise sectors (org_supervises); the National
--              Police Agency is investigative.
--   R-ORG-7, R-SECRET-3, R-ORG-10  one roster, one secret and one
--              early-warning opt-out.
--   R-ORG-8    デジタル庁 is a specified liaison member (GSOC liaison).
--   R-ORG-4, R-SECRET-2  handlers registered in most organisations, one past
--              (deregistered) registration, and one organisation (the
--              hospital) with no registered handler at all.

-- Critical-infrastructure sectors (重要インフラ分野).
INSERT INTO council.sectors (code, name_ja, name_en) VALUES
    ('telecom',     '情報通信',             'Information and communications'),
    ('finance',     '金融',                 'Finance'),
    ('aviation',    '航空',                 'Aviation'),
    ('airports',    '空港',                 'Airports'),
    ('railway',     '鉄道',                 'Railway'),
    ('electricity', '電力',                 'Electricity'),
    ('gas',         'ガス',                 'Gas'),
    ('government',  '政府・行政サービス',   'Government and administrative services'),
    ('medical',     '医療',                 'Medical services'),
    ('water',       '水道',                 'Water'),
    ('logistics',   '物流',                 'Logistics'),
    ('chemical',    '化学',                 'Chemical industries'),
    ('credit',      'クレジット',           'Credit cards'),
    ('petroleum',   '石油',                 'Petroleum'),
    ('ports',       '港湾',                 'Ports')
ON CONFLICT (code) DO NOTHING;

-- Organisations.  All are members.
INSERT INTO council.organisations
    (slug, name_ja, name_en, category, sector_code, council_role, tf_class,
     is_investigative, foreign_status, roster_opt_out, secret_opt_out,
     early_warning_opt_out, gsoc_liaison, status)
SELECT v.slug, v.name_ja, v.name_en, v.category::council.org_category,
       v.sector_code, v.council_role::council.council_role,
       v.tf_class::council.tf_class, v.inv, v.frn, v.roster_oo, v.secret_oo,
       v.ew_oo, v.gsoc, 'member'
FROM (VALUES
    -- R-ORG-5, R-ORG-6, R-TF-2: the designated corporation; in the TF by
    -- right, with the Type 1 group.
    ('jpcert-cc', '一般社団法人JPCERTコーディネーションセンター',
     'JPCERT Coordination Center (JPCERT/CC)',
     'other', NULL, 'coordinator', 'type1', false, false, false, false, false, false),
    ('nisc', '内閣官房内閣サイバーセキュリティセンター',
     'National center of Incident readiness and Strategy for Cybersecurity (NISC)',
     'national_agency', NULL, 'secretariat', 'none', false, false, false, false, false, false),
    -- The steering committee's chair sits here (CS strategy HQ chief).
    ('cas', '内閣官房', 'Cabinet Secretariat',
     'national_agency', NULL, NULL, 'none', false, false, false, false, false, false),
    ('fsa', '金融庁', 'Financial Services Agency',
     'national_agency', NULL, NULL, 'none', false, false, false, false, false, false),
    ('meti', '経済産業省', 'Ministry of Economy, Trade and Industry',
     'national_agency', NULL, NULL, 'none', false, false, false, false, false, false),
    ('mic', '総務省', 'Ministry of Internal Affairs and Communications',
     'national_agency', NULL, NULL, 'none', false, false, false, false, false, false),
    ('mhlw', '厚生労働省', 'Ministry of Health, Labour and Welfare',
     'national_agency', NULL, NULL, 'none', false, false, false, false, false, false),
    ('mlit', '国土交通省', 'Ministry of Land, Infrastructure, Transport and Tourism',
     'national_agency', NULL, NULL, 'none', false, false, false, false, false, false),
    -- R-ORG-8: a specified liaison member; shares only through GSOC.
    ('digital', 'デジタル庁', 'Digital Agency',
     'national_agency', NULL, NULL, 'none', false, false, false, false, false, true),
    -- R-SCOPE-2: an investigative body members may exclude.
    ('npa', '警察庁', 'National Police Agency',
     'national_agency', NULL, NULL, 'none', true, false, false, false, false, false),
    ('mod', '防衛省', 'Ministry of Defense',
     'national_agency', NULL, NULL, 'none', false, false, false, false, false, false),
    -- R-NEW-3: receives personal-data breach reports (seed 001).
    ('ppc', '個人情報保護委員会', 'Personal Information Protection Commission',
     'national_agency', NULL, NULL, 'none', false, false, false, false, false, false),
    -- Issue 13: the IPA, a national agency of the council that receives
    -- no statutory report (no regime of the seeds names it): it reads
    -- what is shared and offers analysis, like the other agencies.
    ('ipa', '独立行政法人情報処理推進機構', 'Information-technology Promotion Agency, Japan',
     'national_agency', NULL, NULL, 'none', false, false, false, false, false, false),
    -- R-TF-1 Type 1: fictional security vendors.
    ('sakura-security', '株式会社サクラセキュリティ（架空）', 'Sakura Security Inc. (fictional)',
     'cyber_business', NULL, NULL, 'type1', false, false, false, false, false, false),
    ('akatsuki-labs', '株式会社あかつきサイバー研究所（架空）', 'Akatsuki Cyber Labs Inc. (fictional)',
     'cyber_business', NULL, NULL, 'type1', false, false, false, false, false, false),
    ('mizukane-networks', 'みずかねネットワークス株式会社（架空）', 'Mizukane Networks Co., Ltd. (fictional)',
     'cyber_business', NULL, NULL, 'type1', false, false, false, false, false, false),
    -- R-TF-1 Type 2: fictional operators.
    ('toto-bank', '株式会社東都銀行（架空）', 'Toto Bank, Ltd. (fictional)',
     'ci_operator', 'finance', NULL, 'type2', false, false, false, false, false, false),
    ('toto-power', '東都電力株式会社（架空）', 'Toto Electric Power Co., Inc. (fictional)',
     'ci_operator', 'electricity', NULL, 'type2', false, false, false, false, false, false),
    ('toto-telecom', '東都通信株式会社（架空）', 'Toto Telecom Corporation (fictional)',
     'ci_operator', 'telecom', NULL, 'type2', false, false, false, false, false, false),
    ('toto-city', '東都市（架空）', 'Toto City (fictional)',
     'local_government', NULL, NULL, 'type2', false, false, false, false, false, false),
    -- General members.
    -- R-ORG-9: a mutual-aid body.
    ('finsec-isac', '一般社団法人金融セクターISAC（デモ）', 'Financial Sector ISAC (demo)',
     'mutual_aid', NULL, NULL, 'none', false, false, false, false, false, false),
    -- R-ORG-10: declined the early-warning service when it joined.
    ('toto-tech', '東都工業大学（架空）', 'Toto Institute of Technology (fictional)',
     'academia', NULL, NULL, 'none', false, false, false, false, true, false),
    -- R-SECRET-2: no registered handlers (see below).
    ('toto-central-hospital', '医療法人社団東都中央病院（架空）', 'Toto Central Hospital (fictional)',
     'ci_operator', 'medical', NULL, 'none', false, false, false, false, false, false),
    -- R-ORG-7: an individual member that asked to be left off the roster.
    ('kobayashi-research', '小林 誠（個人研究者・架空）', 'Makoto Kobayashi, independent researcher (fictional)',
     'individual', NULL, NULL, 'none', false, false, true, false, false, false),
    -- R-SECRET-3: does not wish to receive secrets.
    ('aoba-pref', '青葉県（架空）', 'Aoba Prefecture (fictional)',
     'local_government', NULL, NULL, 'none', false, false, false, true, false, false),
    -- R-TF-4: foreign-owned, so outside the task force.
    ('northwind-cyber', 'ノースウィンド・サイバー株式会社（架空）', 'Northwind Cyber K.K. (fictional)',
     'cyber_business', NULL, NULL, 'none', false, true, false, false, false, false),
    -- More general members, so that a general assembly has 30 and more
    -- organisations to count (R-GOV-3).
    ('kitahara-city', '北原市（架空）', 'Kitahara City (fictional)',
     'local_government', NULL, NULL, 'none', false, false, false, false, false, false),
    ('minamito-gas', '南都ガス株式会社（架空）', 'Minamito Gas Co., Ltd. (fictional)',
     'ci_operator', 'gas', NULL, 'none', false, false, false, false, false, false),
    ('hoshino-railway', '星野鉄道株式会社（架空）', 'Hoshino Railway Co., Ltd. (fictional)',
     'ci_operator', 'railway', NULL, 'none', false, false, false, false, false, false),
    ('seiran-univ', '青嵐大学（架空）', 'Seiran University (fictional)',
     'academia', NULL, NULL, 'none', false, false, false, false, false, false),
    ('kumo-soft', '株式会社くもソフト（架空）', 'Kumo Soft Inc. (fictional)',
     'cyber_business', NULL, NULL, 'none', false, false, false, false, false, false),
    ('umibe-waterworks', '海辺市水道局（架空）', 'Umibe City Waterworks (fictional)',
     'ci_operator', 'water', NULL, 'none', false, false, false, false, false, false)
) AS v(slug, name_ja, name_en, category, sector_code, council_role, tf_class,
       inv, frn, roster_oo, secret_oo, ew_oo, gsoc)
ON CONFLICT DO NOTHING;

-- Each organisation's admission, once.
INSERT INTO council.org_status_history (org_id, status, note)
SELECT o.id, 'member', 'demo council: admitted'
FROM council.organisations o
WHERE o.slug IN ('jpcert-cc', 'nisc', 'cas', 'fsa', 'meti', 'mic', 'mhlw',
                 'mlit', 'digital', 'npa', 'mod', 'ppc', 'ipa', 'sakura-security',
                 'akatsuki-labs', 'mizukane-networks', 'toto-bank',
                 'toto-power', 'toto-telecom', 'toto-city', 'finsec-isac',
                 'toto-tech', 'toto-central-hospital', 'kobayashi-research',
                 'aoba-pref', 'northwind-cyber', 'kitahara-city', 'minamito-gas',
                 'hoshino-railway', 'seiran-univ', 'kumo-soft', 'umibe-waterworks')
  AND NOT EXISTS (SELECT 1 FROM council.org_status_history h
                  WHERE h.org_id = o.id);

-- R-SCOPE-2: which ministry supervises which sector.  Credit cards fall
-- under METI (Installment Sales Act); water supply moved from MHLW to MLIT
-- in April 2024.
INSERT INTO council.org_supervises (org_id, sector_code)
SELECT o.id, v.sector_code
FROM (VALUES
    ('fsa', 'finance'),
    ('meti', 'electricity'), ('meti', 'gas'), ('meti', 'chemical'),
    ('meti', 'petroleum'), ('meti', 'credit'),
    ('mic', 'telecom'), ('mic', 'government'),
    ('digital', 'government'),
    ('mhlw', 'medical'),
    ('mlit', 'aviation'), ('mlit', 'airports'), ('mlit', 'railway'),
    ('mlit', 'logistics'), ('mlit', 'ports'), ('mlit', 'water')
) AS v(slug, sector_code)
JOIN council.organisations o ON o.slug = v.slug
ON CONFLICT DO NOTHING;

-- People.  handler: 'y' registered now, 'past' registered once and since
-- deregistered, 'n' never.  One org admin per organisation.
-- A temporary table (dropped at COMMIT, so the file needs the caller's
-- transaction; council_owner has TEMP as the database's owner) lets the
-- handler registrations below reuse the list.
CREATE TEMP TABLE demo_people ON COMMIT DROP AS
SELECT * FROM (VALUES
    ('jpcert-cc', '山田 太郎',   'Taro Yamada',      'taro.yamada',      true,  'y',    'ja', true),
    ('jpcert-cc', '中村 花子',   'Hanako Nakamura',  'hanako.nakamura',  false, 'y',    'ja', true),
    ('jpcert-cc', '高橋 健一',   'Kenichi Takahashi','kenichi.takahashi',false, 'y',    'en', true),
    ('jpcert-cc', '伊藤 美咲',   'Misaki Ito',       'misaki.ito',       false, 'y',    'ja', true),
    ('nisc',      '佐々木 直樹', 'Naoki Sasaki',     'naoki.sasaki',     true,  'y',    'ja', true),
    ('nisc',      '松本 由美',   'Yumi Matsumoto',   'yumi.matsumoto',   false, 'y',    'ja', true),
    ('nisc',      '井上 誠司',   'Seiji Inoue',      'seiji.inoue',      false, 'n',    'ja', true),
    ('cas',       '木村 正義',   'Masayoshi Kimura', 'masayoshi.kimura', false, 'y',    'ja', true),
    ('cas',       '林 恵子',     'Keiko Hayashi',    'keiko.hayashi',    true,  'y',    'ja', true),
    ('fsa',       '清水 一郎',   'Ichiro Shimizu',   'ichiro.shimizu',   false, 'y',    'ja', true),
    ('fsa',       '山口 智子',   'Tomoko Yamaguchi', 'tomoko.yamaguchi', true,  'y',    'ja', true),
    ('fsa',       '森 大輔',     'Daisuke Mori',     'daisuke.mori',     false, 'n',    'ja', true),
    ('meti',      '池田 浩',     'Hiroshi Ikeda',    'hiroshi.ikeda',    false, 'y',    'ja', true),
    ('meti',      '橋本 彩',     'Aya Hashimoto',    'aya.hashimoto',    true,  'y',    'ja', true),
    ('mic',       '阿部 隆',     'Takashi Abe',      'takashi.abe',      false, 'y',    'ja', true),
    ('mic',       '石川 里美',   'Satomi Ishikawa',  'satomi.ishikawa',  true,  'y',    'ja', true),
    ('mhlw',      '前田 修',     'Osamu Maeda',      'osamu.maeda',      false, 'y',    'ja', true),
    ('mhlw',      '藤田 千尋',   'Chihiro Fujita',   'chihiro.fujita',   true,  'y',    'ja', true),
    ('mlit',      '後藤 明',     'Akira Goto',       'akira.goto',       false, 'y',    'ja', true),
    ('mlit',      '岡田 舞',     'Mai Okada',        'mai.okada',        true,  'y',    'ja', true),
    ('mlit',      '長谷川 悟',   'Satoru Hasegawa',  'satoru.hasegawa',  false, 'n',    'ja', true),
    ('digital',   '村上 亮',     'Ryo Murakami',     'ryo.murakami',     false, 'y',    'ja', true),
    ('digital',   '近藤 沙織',   'Saori Kondo',      'saori.kondo',      true,  'y',    'en', true),
    ('npa',       '石井 剛',     'Tsuyoshi Ishii',   'tsuyoshi.ishii',   false, 'y',    'ja', true),
    ('npa',       '坂本 直美',   'Naomi Sakamoto',   'naomi.sakamoto',   true,  'y',    'ja', true),
    ('mod',       '遠藤 勝',     'Masaru Endo',      'masaru.endo',      false, 'y',    'ja', true),
    ('mod',       '青木 葵',     'Aoi Aoki',         'aoi.aoki',         true,  'y',    'ja', true),
    ('ppc',       '小松 玲奈',   'Reina Komatsu',    'reina.komatsu',    true,  'y',    'ja', true),
    ('ppc',       '大野 健太',   'Kenta Ono',        'kenta.ono',        false, 'y',    'ja', true),
    ('ipa',       '宮本 誠',     'Makoto Miyamoto',  'makoto.miyamoto',  true,  'y',    'ja', true),
    ('ipa',       '石田 彩花',   'Ayaka Ishida',     'ayaka.ishida',     false, 'y',    'ja', true),
    ('sakura-security',   '藤井 翔太', 'Shota Fujii',     'shota.fujii',     true,  'y', 'ja', true),
    ('sakura-security',   '西村 愛',   'Ai Nishimura',    'ai.nishimura',    false, 'y', 'ja', true),
    ('sakura-security',   '福田 拓也', 'Takuya Fukuda',   'takuya.fukuda',   false, 'n', 'ja', true),
    ('akatsuki-labs',     '太田 蓮',   'Ren Ota',         'ren.ota',         true,  'y', 'ja', true),
    ('akatsuki-labs',     '三浦 結衣', 'Yui Miura',       'yui.miura',       false, 'y', 'en', true),
    ('mizukane-networks', '藤原 大樹', 'Daiki Fujiwara',  'daiki.fujiwara',  true,  'y', 'ja', true),
    ('mizukane-networks', '岡本 陽菜', 'Hina Okamoto',    'hina.okamoto',    false, 'y', 'ja', true),
    ('mizukane-networks', '松田 海斗', 'Kaito Matsuda',   'kaito.matsuda',   false, 'n', 'ja', true),
    ('toto-bank',         '中川 洋平', 'Yohei Nakagawa',  'yohei.nakagawa',  true,  'y', 'ja', true),
    ('toto-bank',         '中野 真由', 'Mayu Nakano',     'mayu.nakano',     false, 'y', 'ja', true),
    -- A former handler who left the bank's CSIRT: history only.
    ('toto-bank',         '原田 健',   'Ken Harada',      'ken.harada',      false, 'past', 'ja', false),
    ('toto-power',        '小野 雄一', 'Yuichi Ono',      'yuichi.ono',      true,  'y', 'ja', true),
    ('toto-power',        '田村 静香', 'Shizuka Tamura',  'shizuka.tamura',  false, 'y', 'ja', true),
    ('toto-telecom',      '竹内 翼',   'Tsubasa Takeuchi','tsubasa.takeuchi',true,  'y', 'ja', true),
    ('toto-telecom',      '金子 優子', 'Yuko Kaneko',     'yuko.kaneko',     false, 'y', 'ja', true),
    ('toto-telecom',      '和田 学',   'Manabu Wada',     'manabu.wada',     false, 'n', 'ja', true),
    ('toto-city',         '中山 聡',   'Satoshi Nakayama','satoshi.nakayama',true,  'y', 'ja', true),
    ('toto-city',         '石田 久美', 'Kumi Ishida',     'kumi.ishida',     false, 'n', 'ja', true),
    ('finsec-isac',       '上田 隼人', 'Hayato Ueda',     'hayato.ueda',     true,  'y', 'ja', true),
    ('finsec-isac',       '森田 紀子', 'Noriko Morita',   'noriko.morita',   false, 'y', 'ja', true),
    ('toto-tech',         '原 拓海',   'Takumi Hara',     'takumi.hara',     true,  'y', 'en', true),
    ('toto-tech',         '柴田 明日香','Asuka Shibata',  'asuka.shibata',   false, 'n', 'ja', true),
    ('toto-central-hospital', '酒井 浩二', 'Koji Sakai',   'koji.sakai',     true,  'n', 'ja', true),
    ('toto-central-hospital', '工藤 未来', 'Miku Kudo',    'miku.kudo',      false, 'n', 'ja', true),
    ('kobayashi-research','小林 誠',   'Makoto Kobayashi','makoto.kobayashi',true,  'y', 'ja', true),
    -- The researcher's contractor assistant (R-ORG-4 covers contractors' staff).
    ('kobayashi-research','横山 颯',   'Hayate Yokoyama', 'hayate.yokoyama', false, 'n', 'ja', true),
    ('aoba-pref',         '宮崎 恵美', 'Emi Miyazaki',    'emi.miyazaki',    true,  'n', 'ja', true),
    ('aoba-pref',         '内田 勇気', 'Yuki Uchida',     'yuki.uchida',     false, 'y', 'ja', true),
    ('northwind-cyber',   'ジョン・スミス', 'John Smith', 'john.smith',      true,  'y', 'en', true),
    ('northwind-cyber',   '高木 玲奈', 'Reina Takagi',    'reina.takagi',    false, 'n', 'ja', true),
    ('kitahara-city',     '大西 慎也', 'Shinya Onishi',   'shinya.onishi',   true,  'n', 'ja', true),
    ('minamito-gas',      '菅原 千夏', 'Chinatsu Sugawara','chinatsu.sugawara',true, 'n', 'ja', true),
    ('hoshino-railway',   '野口 浩之', 'Hiroyuki Noguchi','hiroyuki.noguchi',true,  'n', 'ja', true),
    ('seiran-univ',       '杉山 理沙', 'Risa Sugiyama',   'risa.sugiyama',   true,  'n', 'en', true),
    ('kumo-soft',         '千葉 悠真', 'Yuma Chiba',      'yuma.chiba',      true,  'n', 'ja', true),
    ('umibe-waterworks',  '久保 直子', 'Naoko Kubo',      'naoko.kubo',      true,  'n', 'ja', true),
    ('kitahara-city',     '北村 彩花', 'Ayaka Kitamura',  'ayaka.kitamura',  false, 'y', 'ja', true),
    ('minamito-gas',      '安藤 大翔', 'Hiroto Ando',     'hiroto.ando',     false, 'y', 'ja', true),
    ('hoshino-railway',   '今井 美穂', 'Miho Imai',       'miho.imai',       false, 'y', 'ja', true),
    ('seiran-univ',       '河野 陸',   'Riku Kono',       'riku.kono',       false, 'y', 'ja', true),
    ('kumo-soft',         '荒木 七海', 'Nanami Araki',    'nanami.araki',    false, 'y', 'ja', true),
    ('umibe-waterworks',  '平野 亮介', 'Ryosuke Hirano',  'ryosuke.hirano',  false, 'y', 'ja', true)
) AS v(org_slug, name_ja, name_en, local_part, is_org_admin, handler, lang, active);

INSERT INTO council.people (org_id, name_ja, name_en, email, is_org_admin, active, lang)
SELECT o.id, d.name_ja, d.name_en, d.local_part || '@' || o.slug || '.example.jp',
       d.is_org_admin, d.active, d.lang
FROM demo_people d
JOIN council.organisations o ON o.slug = d.org_slug
ON CONFLICT DO NOTHING;

-- R-ORG-4: handler registrations.  Only people with no registration at all
-- get one, so a second run adds nothing.
INSERT INTO council.handler_registrations (person_id, registered_at, deregistered_at)
SELECT p.id,
       CASE d.handler WHEN 'past' THEN timestamptz '2022-04-01 09:00+09'
                      ELSE timestamptz '2024-04-01 09:00+09' END,
       CASE d.handler WHEN 'past' THEN timestamptz '2024-03-31 18:00+09' END
FROM demo_people d
JOIN council.people p
  ON lower(p.email) = lower(d.local_part || '@' || d.org_slug || '.example.jp')
WHERE d.handler IN ('y', 'past')
  AND NOT EXISTS (SELECT 1 FROM council.handler_registrations r
                  WHERE r.person_id = p.id);

-- R-GOV-5: the steering committee (Annex 1): the CS strategy HQ chief
-- (the Chief Cabinet Secretary) chairs it; eight ministers sit on it.
INSERT INTO council.committee_members (person_id, is_chair)
SELECT p.id, v.is_chair
FROM (VALUES
    ('masayoshi.kimura@cas.example.jp', true),
    ('ichiro.shimizu@fsa.example.jp',   false),
    ('hiroshi.ikeda@meti.example.jp',   false),
    ('takashi.abe@mic.example.jp',      false),
    ('osamu.maeda@mhlw.example.jp',     false),
    ('akira.goto@mlit.example.jp',      false),
    ('ryo.murakami@digital.example.jp', false),
    ('tsuyoshi.ishii@npa.example.jp',   false),
    ('masaru.endo@mod.example.jp',      false)
) AS v(email, is_chair)
JOIN council.people p ON lower(p.email) = v.email
ON CONFLICT DO NOTHING;

-- R-NEW-3: who plays which authority of the incident-reporting regimes
-- (migrations/0026_incidents.sql; the sector ministries are
-- org_supervises'): NISC for the basic policy, the PPC for personal data,
-- JPCERT/CC for voluntary reports.
INSERT INTO council.incident_authorities (kind, org_id)
SELECT v.kind::council.incident_authority_kind, o.id
FROM (VALUES ('government', 'nisc'), ('ppc', 'ppc'), ('coordinator', 'jpcert-cc')) AS v(kind, slug)
JOIN council.organisations o ON o.slug = v.slug
ON CONFLICT DO NOTHING;

-- R-CYMAT-1: the CYMAT team (seed 003 §5-8): NISC's head and lead, and
-- members the ministries nominated.
INSERT INTO council.cymat_team (person_id, role)
SELECT p.id, v.role::council.cymat_role
FROM (VALUES ('naoki.sasaki@nisc.example.jp', 'head'), ('yumi.matsumoto@nisc.example.jp', 'lead'),
             ('aya.hashimoto@meti.example.jp', 'member'), ('satomi.ishikawa@mic.example.jp', 'member')
) AS v(email, role)
JOIN council.people p ON lower(p.email) = v.email
ON CONFLICT DO NOTHING;

-- R-NEW-4: the government analyst role (migrations/0036_assets.sql):
-- NISC's handler who matches the operators' assets with vulnerability
-- information.
INSERT INTO council.asset_analysts (person_id)
SELECT p.id FROM council.people p WHERE lower(p.email) = 'yumi.matsumoto@nisc.example.jp'
ON CONFLICT DO NOTHING;
