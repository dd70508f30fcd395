// govinfo.mjs: government information through the pages, in a real browser
// (issue 14's proof), at 1280 px and at 390 px:
//   1  the government analyst (the demo's NISC analyst) writes one analysis
//      in three renditions on /analyses/new: full to two ministries (a
//      secret, with communications information), for provision to the
//      task force (a secret), for awareness to every member (published);
//      the preview lists who reads each rendition; posted, the full
//      rendition opens with the section that links the three (R-NEW-1);
//   2  three readers of different classes (a ministry named by the full
//      rendition, a Type 1 handler, a university's member who is no
//      handler) each find one of them in their feed and read three
//      different pages; none is shown the renditions section;
//   3  anyone, without sign-in, reads the rendition for awareness on the
//      public page; the others are not there;
//   4  an operator registers its VPN gateway (CPE 2.3) on /assets
//      (R-NEW-4); the coordinator imports a CSAF 2.0 advisory naming that
//      product from a file on /advisories and sees the match; the
//      operator finds the targeted warning in its feed and opens it, and,
//      when MAILBOX is given, finds the e-mail about it in the SMTP
//      server's mailbox, naming the page and not the content (R-ORG-10).
// On every page: axe-core (no serious or critical violation), no
// horizontal overflow, no console errors, CSP violations or failed
// subresources, and a screenshot OUTDIR/govinfo-STEP-WIDTH.png.
//
// Usage: node tests/browser/govinfo.mjs BASE_URL OUTDIR PGDIR [MAILBOX]
// (MAILBOX: the folder where tests/lib/smtpd.py stores what the relay
// received, one file a message.)  Sessions are made in the database
// (lib.mjs signedIn).  Titles carry Date.now() and the width, so the
// script runs again on the same cluster.  Prints TAP on stdout, exits 1
// when any test failed.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT, axeCheck, catalog, checkProblems, cliArgs, diag, follow, newPage, ok, pathOf, run, screenshot, signedIn,
  sql, step,
} from './lib.mjs';

const { base, outdir, pgdir } = cliArgs('node govinfo.mjs BASE_URL OUTDIR PGDIR [MAILBOX]', true);
const mailbox = process.argv[5] || '';
const ja = catalog('ja');
const RUN = Date.now();
const HANDLER = 'EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)';
const one = (q, what) => {
  const r = sql(pgdir, q);
  if (r.length < 1) throw new Error(`no ${what} in the demo council`);
  return r[0];
};
// An active person of a demo member that receives what is shared with it
// (not restricted, not a liaison member): the organisations earlier suites
// made or changed are left out by naming the demo's.
const person = (where, what) => one('SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id ' +
  `WHERE ${where} AND p.active AND p.lang = 'ja' AND o.status = 'member' AND NOT o.restricted ` +
  'AND NOT o.gsoc_liaison ORDER BY p.is_org_admin DESC, p.id LIMIT 1', what)[0];
const orgId = (slug) => one(`SELECT id FROM council.organisations WHERE slug = '${slug}'`, slug)[0];
const text = async (loc) => ((await loc.textContent()) || '').replace(/\s+/g, ' ').trim();

// The page at a's width: overflow, axe-core, the watch, a screenshot.
async function audit(a, shot, expected = []) {
  const label = `${a.role}: ${shot} at ${a.width} px`;
  const m = await a.page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
  ok(m.sw <= m.iw, `${label}: no horizontal overflow`, `scrollWidth ${m.sw}, innerWidth ${m.iw}`);
  await axeCheck(a.page, label);
  checkProblems(label, a.w, expected);
  a.w.reset();
  await screenshot(a.page, outdir, `govinfo-${shot}-${a.width}.png`);
}

// The feed's titles (the first page) of reader a.
async function feedTitles(a) {
  await a.page.goto(`${base}/feed`, { waitUntil: 'load' });
  return a.page.locator('main .feed-item__title a').allTextContents();
}

async function renditions(browser, size) {
  const analystMail = one('SELECT p.email FROM council.asset_analysts a JOIN council.people p ON p.id = a.person_id ' +
    'ORDER BY p.id LIMIT 1', 'government analyst')[0];
  const analyst = await signedIn(browser, base, pgdir, analystMail, 'analyst');
  const ministry = await signedIn(browser, base, pgdir, person(`o.slug = 'npa' AND ${HANDLER}`, 'NPA handler'), 'ministry');
  const type1 = await signedIn(browser, base, pgdir,
    person(`o.slug IN ('sakura-security', 'akatsuki-labs', 'mizukane-networks') AND ${HANDLER}`, 'Type 1 handler'),
    'Type 1 handler');
  const general = await signedIn(browser, base, pgdir,
    person(`o.slug IN ('toto-tech', 'seiran-univ') AND NOT ${HANDLER}`, 'university member'), 'university member');
  const anon = await newPage(browser);
  anon.role = 'anyone';
  const all = [analyst, ministry, type1, general, anon];
  for (const a of all) {
    a.width = size.width;
    await a.page.setViewportSize(size);
  }
  const T = `段階別分析 ${RUN}-${size.width}`;
  const bodies = {
    full: `通信情報: C2 203.0.113.7 への通信を ISP X で確認。${RUN}`,
    provision: `C2 203.0.113.7。金融分野に被害。${RUN}`,
    awareness: `VPN 装置を修正版に更新してください。${RUN}`,
  };
  try {
    // 1: the analyst writes the analysis.
    await analyst.page.goto(`${base}/analyses/new`, { waitUntil: 'load' });
    await audit(analyst, 'composer');
    const f = (n) => analyst.page.locator(`main [name="${n}"]`);
    await f('full_title').fill(`${T}（全文）`);
    await f('full_body').fill(bodies.full);
    await analyst.page.locator('main input[name=full_secret][value=yes]').check();
    await f('full_comms').check();
    await f('full_org').selectOption([orgId('npa'), orgId('mic')]);
    await f('provision_title').fill(`${T}（提供用）`);
    await f('provision_body').fill(bodies.provision);
    await analyst.page.locator('main input[name=provision_secret][value=yes]').check();
    await analyst.page.locator('main input[name=provision_class][value=task_force]').check();
    await f('awareness_title').fill(`${T}（周知用）`);
    await f('awareness_body').fill(bodies.awareness);
    await follow(analyst.page, analyst.page.getByRole('button', { name: ja['analysis.preview'] }));
    await step('1 analyst: the preview lists, per rendition, how many organisations read it', async () => {
      const counts = await analyst.page.locator('main .preview__count').allTextContents();
      return { ok: counts.length === 3 && Number(counts[0]) === 3 && Number(counts[1]) > 3 &&
        Number(counts[2]) > Number(counts[1]), detail: counts.join(' ') };
    });
    await audit(analyst, 'preview');
    await follow(analyst.page, analyst.page.getByRole('button', { name: ja['analysis.submit'] }));
    await step('1 analyst: posted, the full rendition opens with the renditions section', async () => ({
      ok: (await text(analyst.page.locator('main p.done'))) === ja['done.analysis.created'] &&
        (await text(analyst.page.locator('main h1'))).includes(`${T}（全文）`) &&
        (await analyst.page.locator('main #renditions tbody tr').count()) === 3,
      detail: analyst.page.url() }));
    await audit(analyst, 'posted');

    // 2: three readers, three pages.
    const readers = [
      [ministry, '全文', bodies.full],
      [type1, '提供用', bodies.provision],
      [general, '周知用', bodies.awareness],
    ];
    for (const [a, tier, body] of readers) {
      const mine = (await feedTitles(a)).filter((t) => t.includes(T));
      await step(`2 ${a.role}: the feed shows one rendition, ${tier}`, async () => ({
        ok: mine.length === 1 && mine[0].includes(`（${tier}）`), detail: mine.join(' | ') }));
      await audit(a, `feed-${tier}`);
      await follow(a.page, a.page.locator('main .feed-item__title a', { hasText: T }));
      await step(`2 ${a.role}: its page shows the ${tier} rendition, no other and no renditions section`, async () => {
        const t = await text(a.page.locator('main'));
        const others = Object.values(bodies).filter((b) => b !== body);
        return { ok: t.includes(body) && others.every((b) => !t.includes(b)) &&
          (await a.page.locator('#renditions').count()) === 0, detail: t.slice(0, 300) };
      });
      await audit(a, `read-${tier}`);
    }
    const awPath = pathOf(general.page);
    // The Type 1 handler, opening the rendition for awareness, is sent on.
    await type1.page.goto(`${base}${awPath}`, { waitUntil: 'load' });
    await step('2 Type 1 handler: the rendition for awareness sends it to the richer one it may read', async () => ({
      ok: pathOf(type1.page) !== awPath && (await text(type1.page.locator('main'))).includes(bodies.provision) }));

    // 3: the public page.
    await anon.page.goto(`${base}/public/analyses`, { waitUntil: 'load' });
    await step('3 anyone: the public page lists the rendition for awareness only', async () => {
      const t = await text(anon.page.locator('main'));
      return { ok: t.includes(`${T}（周知用）`) && !t.includes(`${T}（全文）`) && !t.includes(`${T}（提供用）`) };
    });
    await audit(anon, 'public-list');
    await follow(anon.page, anon.page.locator('main a', { hasText: `${T}（周知用）` }));
    await step('3 anyone: without sign-in, reads it', async () => ({
      ok: (await text(anon.page.locator('main'))).includes(bodies.awareness) }));
    await audit(anon, 'public');
  } finally {
    for (const a of all) await a.context.close();
  }
}

// The messages in the SMTP server's mailbox (tests/lib/smtpd.py: one
// N.eml file a message), their RFC 2047 encoded words (the Subject)
// decoded, that mention s.
function mails(s) {
  if (!mailbox || !existsSync(mailbox)) return [];
  const words = (m) => m.replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
  return readdirSync(mailbox).filter((n) => n.endsWith('.eml'))
    .map((n) => words(readFileSync(join(mailbox, n), 'utf8'))).filter((m) => m.includes(s));
}

async function assets(browser, size) {
  const operatorMail = person(`o.slug = 'toto-power' AND ${HANDLER}`, 'operator handler');
  const operator = await signedIn(browser, base, pgdir, operatorMail, 'operator');
  const coord = await signedIn(browser, base, pgdir,
    person(`o.council_role = 'coordinator' AND ${HANDLER}`, 'coordinator'), 'coordinator');
  operator.width = size.width;
  await operator.page.setViewportSize(size);
  const product = `gw${RUN}${size.width}`;
  const cpe = `cpe:2.3:h:examplevendor:${product}:2.1.0:*:*:*:*:*:*:*`;
  try {
    await operator.page.goto(`${base}/assets`, { waitUntil: 'load' });
    await audit(operator, 'assets');
    await operator.page.getByLabel(ja['asset.f.name'], { exact: true }).fill(`VPN ゲートウェイ ${RUN}`);
    await operator.page.getByLabel(ja['asset.f.cpes'], { exact: true }).fill(cpe);
    await operator.page.getByLabel(ja['asset.f.location'], { exact: true }).fill('東京第一データセンター');
    await follow(operator.page, operator.page.getByRole('button', { name: ja['asset.submit'] }));
    await step('4 operator: its VPN gateway is registered with its CPE 2.3 name', async () => ({
      ok: (await text(operator.page.locator('main p.done'))) === ja['done.asset.registered'] &&
        (await text(operator.page.locator('main'))).includes(cpe) }));
    await audit(operator, 'asset');

    // A CSAF 2.0 advisory about the product, imported by the coordinator
    // through the API (as a member's tool would).
    const csaf = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/vuln/csaf-advisory.json'), 'utf8'));
    csaf.document.tracking.id = `CP-TEST-${RUN}-${size.width}`;
    csaf.document.title = `Example gateway ${product}: remote code execution`;
    csaf.product_tree = { branches: [{ category: 'vendor', name: 'examplevendor', branches: [{
      category: 'product_name', name: product, branches: [{ category: 'product_version', name: '2.1.0',
        product: { product_id: 'P1', name: `examplevendor ${product} 2.1.0`,
          product_identification_helper: { cpe } } }] }] }] };
    for (const v of csaf.vulnerabilities || []) v.product_status = { known_affected: ['P1'] };
    const file = join(outdir, `csaf-${RUN}-${size.width}.json`);
    writeFileSync(file, JSON.stringify(csaf));
    coord.width = size.width;
    await coord.page.setViewportSize(size);
    await coord.page.goto(`${base}/advisories`, { waitUntil: 'load' });
    await audit(coord, 'advisories');
    await coord.page.getByLabel(ja['vuln.f.file'], { exact: true }).setInputFiles(file);
    await follow(coord.page, coord.page.getByRole('button', { name: ja['vuln.import'] }));
    await step('4 coordinator: the CSAF 2.0 advisory is imported from a file, and matches the operator\'s gateway', async () => {
      const t = await text(coord.page.locator('main'));
      return { ok: (await text(coord.page.locator('main p.done'))) === ja['done.vuln.imported'] &&
        t.includes(cpe), detail: t.slice(0, 300) };
    });
    await audit(coord, 'imported');

    const tracking = csaf.document.tracking.id;
    const titles = await feedTitles(operator);
    const warning = titles.find((t) => t.includes(tracking));
    await step('4 operator: the targeted warning is in its feed', async () => ({ ok: !!warning, detail: titles.slice(0, 5).join(' | ') }));
    await audit(operator, 'warning-feed');
    await follow(operator.page, operator.page.locator('main .feed-item__title a', { hasText: tracking }));
    await step('4 operator: the warning names its matched asset', async () => ({
      ok: (await text(operator.page.locator('main'))).includes(product) }));
    await audit(operator, 'warning');
    const postPath = pathOf(operator.page);
    if (mailbox) {
      let got = [];
      for (let i = 0; i < 60 && got.length === 0; i++) {
        got = mails(`To: <${operatorMail}>`).filter((m) => m.includes(postPath));
        if (got.length === 0) await new Promise((r) => setTimeout(r, 1000));
      }
      ok(got.length >= 1, '4 operator: the e-mail about the warning reached the SMTP server, naming its page',
        `${mails(`To: <${operatorMail}>`).length} message(s) to ${operatorMail}`);
      ok(got.every((m) => !m.includes(product) && !m.includes(tracking)),
        '4 operator: the e-mail names the page, not the content');
    }
  } finally {
    await operator.context.close();
    await coord.context.close();
  }
}

await run(async (browser) => {
  for (const size of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    diag(`government information at ${size.width}x${size.height}`);
    await renditions(browser, size).catch((e) => ok(false, `renditions at ${size.width} px`, (e && e.stack) || String(e)));
    await assets(browser, size).catch((e) => ok(false, `assets at ${size.width} px`, (e && e.stack) || String(e)));
  }
});
