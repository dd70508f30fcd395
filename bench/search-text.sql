-- bench/search-text.sql: titles and bodies to search, for posts :lo..:hi
-- (bench/search.sh), in place of bench/feed-posts.sql's "Body of post N."
-- Run as the cluster superuser after feed-posts.sql.  Deterministic
-- (setseed).
--
-- A body is 30 to 90 pieces, each a word of a Japanese and English
-- security vocabulary (drawn with a skewed law: the first words are the
-- most frequent), a host name, an address or a number, joined by
-- particles and punctuation, so that two vocabulary words never touch
-- (a query of two joined words is found nowhere); about 150 to 500
-- characters.  Planted words, each in its own share of the posts:
--   common   ransomware 20%, 攻撃 40% (also in the vocabulary)
--   medium   lazarus 1%, 鳳凰 1%
--   rare     krakenbot 0.01%, 麒麟 0.01%
-- and never: quokkaware, 鰐鮫.
\set ON_ERROR_STOP 1
SELECT setseed(:lo::float8 / 2000000 + 0.25);
SET session_replication_role = replica;   -- rewritten in place: no triggers

CREATE TEMP TABLE vocab (n int PRIMARY KEY, w text NOT NULL);
INSERT INTO vocab
SELECT row_number() OVER (), w FROM unnest(ARRAY[
    '攻撃', '確認', '情報', '対策', '脆弱性', '不正アクセス', '通信', '組織', '被害',
    '調査', '端末', '感染', '検知', '報告', '公開', '注意', '対応', '影響', '更新',
    '侵入', '認証', '暗号化', '漏えい', '標的型', 'メール', 'サーバ', 'ネットワーク',
    'マルウェア', '添付ファイル', '設定', '利用者', '管理者', '外部', '内部', '発生',
    '観測', '事案', '共有', '関連', '可能性', '遠隔操作', '踏み台', '改ざん', '偽装',
    '窃取', '悪用', '送信元', '宛先', '期間', '手口', '痕跡', '指示', '復旧', '停止',
    'phishing', 'vulnerability', 'exploit', 'patch', 'server', 'network',
    'credential', 'attacker', 'campaign', 'botnet', 'payload', 'backdoor', 'loader',
    'dropper', 'beacon', 'lateral', 'movement', 'privilege', 'escalation',
    'persistence', 'exfiltration', 'firewall', 'gateway', 'endpoint', 'detection',
    'incident', 'response', 'advisory', 'indicator', 'signature', 'sandbox',
    'vpn', 'rdp', 'smb', 'dns', 'tls', 'proxy', 'webshell', 'mimikatz', 'cobalt',
    'strike', 'emotet', 'qakbot', 'lockbit', 'conti', 'apt', 'zero-day', 'cve',
    '重要インフラ', '金融', '電力', '医療', '自治体', '製造業', '通信事業者',
    '委託先', '取引先', '海外', '国内', '同様', '複数', '一部', '大量', '継続',
    '初期侵入', '横展開', '権限昇格', '情報窃取', '身代金', '二重恐喝', 'リーク',
    'サイト', '掲示板', 'ダークウェブ', 'アカウント', 'パスワード', '多要素認証',
    '修正プログラム', '回避策', '緩和策', '検体', '解析', '挙動', 'ログ', '時刻',
    '通報', '警察', '連絡', '支援', '調整', '協議会', '構成員', '情報提供']) w;
SELECT count(*) AS nv FROM vocab \gset

CREATE TEMP TABLE txt AS
SELECT p.id,
       left(p.title || ' ' || tv.w, 300) AS title,
       (SELECT string_agg(coalesce(v.w, x.piece), x.sep ORDER BY x.k)
        FROM (SELECT k, vi,
                     CASE WHEN r < 0.80 THEN NULL
                          WHEN r < 0.88 THEN 'host-' || floor(random() * 100000)::int || '.example.jp'
                          WHEN r < 0.94 THEN floor(random() * 223 + 1)::int || '.' || floor(random() * 256)::int
                                             || '.' || floor(random() * 256)::int || '.' || floor(random() * 256)::int
                          ELSE floor(random() * 1000000)::text END AS piece,
                     (ARRAY['を', 'が', 'に', 'の', 'は', 'と', 'で', 'について', 'しました。',
                            'されています。', 'があります。', '、', ' ', ', ', '. ', ' / '])
                         [1 + floor(random() * 16)::int] AS sep
              FROM generate_series(1, 30 + floor(random() * 61 + p.id * 0)::int) k,
                   LATERAL (SELECT random() AS r, 1 + floor(random() ^ 3 * :nv)::int AS vi
                            WHERE k IS NOT NULL) rr
              UNION ALL
              SELECT 0, NULL, pl.w, '。' FROM (VALUES ('ransomware', 0.20), ('攻撃', 0.40),
                  ('lazarus', 0.01), ('鳳凰', 0.01), ('krakenbot', 0.0001), ('麒麟', 0.0001)) pl (w, f)
              WHERE random() < pl.f + p.id * 0) x
        LEFT JOIN vocab v ON v.n = x.vi AND x.piece IS NULL AND x.k > 0) AS body
FROM council.posts p
CROSS JOIN LATERAL (SELECT 1 + floor(random() ^ 3 * :nv)::int AS vi WHERE p.id IS NOT NULL) ti
JOIN vocab tv ON tv.n = ti.vi
WHERE p.id BETWEEN :lo AND :hi;

UPDATE council.posts p SET title = t.title FROM txt t WHERE t.id = p.id;
UPDATE council.post_bodies b SET body = t.body FROM txt t WHERE t.id = b.post_id;
RESET session_replication_role;
