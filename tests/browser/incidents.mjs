// incidents.mjs: an incident report through the pages, in a real browser
// (issue 13's proof; R-NEW-3), at 1280 px and at 390 px:
//   1  an operator (the demo's bank, in finance) reports a ransomware
//      incident with personal data involved: it answers the questions,
//      the portal shows the regimes that apply (the basic policy to NISC,
//      the PPC, the FSA as its sector's ministry; the voluntary report not
//      ticked) with each stage's deadline in JST; it unticks the FSA and
//      reports once, to NISC and the PPC;
//   2  the PPC finds the report on its list, unacknowledged, opens it and
//      records receipt; the bank is told of the other duty that may apply
//      (the FSA's);
//   3  the bank submits its preliminary report (a fact still unconfirmed)
//      and then its final report, refused while a fact is unconfirmed (the
//      page keeps what was typed) and accepted once confirmed; every
//      deadline is met;
//   4  a general member finds no trace of it: not on its list, and its
//      page answers as an absent one (404);
//   5  NISC drafts a warning to every member from the report (item 5,
//      R-SCOPE-4): until the bank consents the general member cannot open
//      it (404); the bank consents on its consents page (asked first), the
//      general member reads the warning, and the bank's report page shows
//      the warning, its consent and its reach (R-NEW-5).
// On every page: axe-core (no serious or critical violation), no
// horizontal overflow, no console errors, CSP violations or failed
// subresources, and a screenshot OUTDIR/incident-STEP-WIDTH.png.
//
// Usage: node tests/browser/incidents.mjs BASE_URL OUTDIR PGDIR
// Sessions are made in the database (lib.mjs signedIn).  Titles carry
// Date.now() and the width, so the script runs again on the same cluster.
// Prints TAP on stdout, exits 1 when any test failed.
import {
  axeCheck, catalog, checkProblems, cliArgs, diag, follow, ok, pathOf, run, screenshot, signedIn, sql, step,
} from './lib.mjs';

const { base, outdir, pgdir } = cliArgs('node incidents.mjs BASE_URL OUTDIR PGDIR', true);
const ja = catalog('ja');
const RUN = Date.now();
const HANDLER = 'EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)';
const person = (slug) => {
  const r = sql(pgdir, 'SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id ' +
    `WHERE o.slug = '${slug}' AND p.active AND p.lang = 'ja' AND ${HANDLER} ORDER BY p.is_org_admin DESC, p.id LIMIT 1`);
  if (r.length !== 1) throw new Error(`no handler of ${slug}`);
  return r[0][0];
};
const orgName = (slug) => sql(pgdir, `SELECT name_ja FROM council.organisations WHERE slug = '${slug}'`)[0][0];
const text = async (loc) => ((await loc.textContent()) || '').replace(/\s+/g, ' ').trim();

// The page at a's width: overflow, axe-core, the watch, a screenshot.
async function audit(a, shot, expected = []) {
  const label = `${a.role}: ${shot} at ${a.width} px`;
  const m = await a.page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
  ok(m.sw <= m.iw, `${label}: no horizontal overflow`, `scrollWidth ${m.sw}, innerWidth ${m.iw}`);
  await axeCheck(a.page, label);
  checkProblems(label, a.w, expected);
  a.w.reset();
  await screenshot(a.page, outdir, `incident-${shot}-${a.width}.png`);
}

// The regimes offered on the form: [{authority, ticked}].
async function regimes(a) {
  const out = [];
  for (const r of await a.page.locator('main .incident__regime').all()) {
    out.push({ authority: await text(r.locator('strong')), ticked: await r.locator('input[type=checkbox]').isChecked(),
      help: await text(r.locator('p.help')) });
  }
  return out;
}

async function journey(browser, size) {
  const bank = await signedIn(browser, base, pgdir, person('toto-bank'), 'bank');
  const ppc = await signedIn(browser, base, pgdir, person('ppc'), 'PPC');
  const gen = await signedIn(browser, base, pgdir, person('finsec-isac'), 'general member');
  const nis = await signedIn(browser, base, pgdir, person('nisc'), 'NISC');
  for (const a of [bank, ppc, gen, nis]) {
    a.width = size.width;
    await a.page.setViewportSize(size);
  }
  const title = `ランサムウェア感染 ${RUN}-${size.width}`;
  const [nisc, ppcName, fsa] = [orgName('nisc'), orgName('ppc'), orgName('fsa')];
  try {
    // 1: the one form.
    await bank.page.goto(`${base}/incidents`, { waitUntil: 'load' });
    await audit(bank, 'list');
    await follow(bank.page, bank.page.getByRole('link', { name: ja['incident.new.link'] }));
    const f = bank.page.locator('main form.form');
    await f.getByLabel(ja['incident.f.title'], { exact: true }).fill(title);
    const aware = new Date(Date.now() - 3 * 3600e3 + 9 * 3600e3).toISOString().slice(0, 16);
    await f.getByLabel(ja['incident.f.aware'], { exact: true }).fill(aware);
    for (const [q, v] of [['specified', 'yes'], ['personal', 'yes'], ['unauthorised', 'yes']]) {
      await f.getByRole('group', { name: ja[`incident.q.${q}`] }).getByLabel(ja[`incident.${v}`], { exact: true }).check();
    }
    await f.getByLabel(ja['incident.f.summary'], { exact: true }).fill('ファイルサーバのファイルが暗号化された。');
    await f.locator('input[name=statement]').first().fill('VPN装置の脆弱性を悪用された可能性がある。');
    await follow(bank.page, f.getByRole('button', { name: ja['incident.preview'] }));
    await step('1 bank: the regimes that apply are shown, the three with a duty ticked, each with its deadlines in JST', async () => {
      const r = await regimes(bank);
      const ticked = r.filter((x) => x.ticked).map((x) => x.authority).sort();
      return { ok: JSON.stringify(ticked) === JSON.stringify([nisc, ppcName, fsa].sort()) && r.length === 4 &&
        r.every((x) => !x.ticked || /\d{4}-\d\d-\d\d \d\d:\d\d \(JST\)/.test(x.help)), detail: JSON.stringify(r) };
    });
    await step('1 bank: what was typed is kept across the preview', async () => ({
      ok: (await bank.page.getByLabel(ja['incident.f.title'], { exact: true }).inputValue()) === title }));
    await audit(bank, 'regimes');
    await bank.page.locator('main .incident__regime', { hasText: fsa }).locator('input[type=checkbox]').uncheck();
    await follow(bank.page, bank.page.getByRole('button', { name: ja['incident.file'] }));
    const reportPath = pathOf(bank.page);
    await step('1 bank: reported once; the page says so and lists NISC and the PPC as its authorities', async () => {
      const done = await text(bank.page.locator('main p.done'));
      const sentTo = await text(bank.page.locator('main table').first());
      return { ok: /^\/incidents\/\d+$/.test(reportPath) && done === ja['done.incident.filed'] &&
        sentTo.includes(nisc) && sentTo.includes(ppcName) && !sentTo.includes(fsa), detail: `${done} | ${sentTo}` };
    });
    await audit(bank, 'filed');

    // 2: the PPC acknowledges.
    await ppc.page.goto(`${base}/incidents`, { waitUntil: 'load' });
    const row = ppc.page.locator('main tr', { hasText: title });
    await step('2 PPC: the report is on its list, not yet acknowledged', async () => ({
      ok: (await row.count()) === 1 && (await text(row)).includes(ja['incident.unacknowledged']) }));
    await audit(ppc, 'authority-list');
    await follow(ppc.page, row.getByRole('link'));
    await follow(ppc.page, ppc.page.getByRole('button', { name: ja['incident.ack'] }));
    await step('2 PPC: receipt recorded', async () => ({
      ok: (await text(ppc.page.locator('main p.done'))) === ja['done.incident.acknowledged'] }));
    await audit(ppc, 'acknowledged');
    await bank.page.goto(`${base}/notifications`, { waitUntil: 'load' });
    await step('2 bank: told of the receipt and of the FSA\'s duty that may apply', async () => {
      const t = await text(bank.page.locator('main'));
      return { ok: t.includes(`${reportPath.split('/')[2]} を受領しました`) && t.includes(`他の報告義務の可能性: ${fsa}`) };
    });
    bank.w.reset();

    // 3: the preliminary and the final report.
    await bank.page.goto(`${base}${reportPath}`, { waitUntil: 'load' });
    const g = bank.page.locator('main form.form');
    await g.getByLabel(ja['incident.f.stage'], { exact: true }).selectOption('preliminary');
    await follow(bank.page, g.getByRole('button', { name: ja['incident.submit'] }));
    await step('3 bank: the preliminary report is submitted (a fact still unconfirmed)', async () => ({
      ok: (await text(bank.page.locator('main p.done'))) === ja['done.incident.submitted'] }));
    const h = bank.page.locator('main form.form');
    await h.getByLabel(ja['incident.f.stage'], { exact: true }).selectOption('final');
    await h.getByLabel(ja['incident.f.cause'], { exact: true }).fill('未修正のVPN装置の脆弱性');
    await h.getByLabel(ja['incident.f.measures'], { exact: true }).fill('VPN装置を更新し、全アカウントのパスワードを変更した。');
    await follow(bank.page, h.getByRole('button', { name: ja['incident.submit'] }));
    await step('3 bank: a final report with an unconfirmed fact is refused, saying why, keeping what was typed', async () => ({
      ok: (await text(bank.page.locator('main [role=alert]'))) === ja['incident.error.final_incomplete'] &&
        (await bank.page.getByLabel(ja['incident.f.cause'], { exact: true }).inputValue()) === '未修正のVPN装置の脆弱性' }));
    await audit(bank, 'final-refused', [/status of 422/]);
    await bank.page.locator('main select[name=statement_state]').first().selectOption('confirmed');
    await follow(bank.page, bank.page.getByRole('button', { name: ja['incident.submit'] }));
    await step('3 bank: confirmed, the final report is accepted; every deadline is met', async () => {
      const states = await bank.page.locator('main table').nth(1).locator('tbody tr td:nth-child(4) .badge').allTextContents();
      return { ok: states.length > 0 && states.every((s) => s === ja['incident.state.met']), detail: JSON.stringify(states) };
    });
    await audit(bank, 'final');

    // 4: nobody else.
    await gen.page.goto(`${base}/incidents`, { waitUntil: 'load' });
    await step('4 general member: its list shows no trace of the report', async () => ({
      ok: !(await text(gen.page.locator('main'))).includes(title) }));
    const res = await gen.page.goto(`${base}${reportPath}`, { waitUntil: 'load' });
    const absent = await gen.page.evaluate(async () => (await fetch('/incidents/999999999')).status);
    ok(res.status() === 404 && absent === 404, '4 general member: the report\'s page answers 404, as an absent one does',
      `${res.status()} / ${absent}`);
    gen.w.reset();

    // 5: from report to warning (item 5; R-SCOPE-4, R-NEW-5).
    await nis.page.goto(`${base}${reportPath}`, { waitUntil: 'load' });
    await audit(nis, 'nisc-report');
    await follow(nis.page, nis.page.getByRole('link', { name: ja['incident.warnings.draft'] }));
    await step('5 NISC: the composer carries the report and says who the warning reaches until the bank consents', async () => ({
      ok: pathOf(nis.page) === '/posts/new' && (await text(nis.page.locator('main .notice').first())).startsWith(ja['compose.from_incident']) }));
    await audit(nis, 'warning-compose');
    const warning = `注意喚起: VPN装置の脆弱性を悪用したランサムウェア ${RUN}-${size.width}`;
    const cf = nis.page.locator('main form[action="/posts/new"]');
    await cf.getByLabel(ja['compose.kind'], { exact: true }).selectOption('alert');
    await cf.getByLabel(ja['compose.post_title'], { exact: true }).fill(warning);
    await cf.getByLabel(ja['compose.body'], { exact: true }).fill('VPN装置を最新の版に更新してください。');
    await cf.getByLabel(ja['compose.secret.no'], { exact: true }).check();
    await cf.getByLabel(ja['class.all_members'], { exact: true }).check();
    await follow(nis.page, cf.getByRole('button', { name: ja['compose.submit'] }));
    const warningPath = pathOf(nis.page);
    await step('5 NISC: the warning is posted', async () => ({ ok: /^\/posts\/\d+$/.test(warningPath), detail: warningPath }));
    const hidden = await gen.page.goto(`${base}${warningPath}`, { waitUntil: 'load' });
    ok(hidden.status() === 404, '5 general member: before the bank consents the warning answers 404', `${hidden.status()}`);
    gen.w.reset();
    await bank.page.goto(`${base}/consents`, { waitUntil: 'load' });
    const req = bank.page.locator('main li.consent').filter({ hasText: warning });
    await step('5 bank: its consent is asked, naming its report', async () => ({
      ok: (await req.count()) === 1 && (await text(req)).includes(title) }));
    await audit(bank, 'warning-consent');
    await follow(bank.page, req.getByRole('button', { name: ja['consents.grant'] }));
    await audit(bank, 'warning-confirm');
    await follow(bank.page, bank.page.locator('main form.confirm-form button[type=submit]'));
    const shown = await gen.page.goto(`${base}${warningPath}`, { waitUntil: 'load' });
    await step('5 general member: after the consent it reads the warning', async () => ({
      ok: shown.status() === 200 && (await text(gen.page.locator('main h1'))).includes(warning) }));
    await audit(gen, 'warning-read');
    await bank.page.goto(`${base}${reportPath}`, { waitUntil: 'load' });
    const li = bank.page.locator('main ul.incident__warnings li').filter({ hasText: warning });
    await step('5 bank: its report shows the warning, its consent and that it reaches beyond the report', async () => ({
      ok: (await li.count()) === 1 && (await text(li)).includes(ja['incident.warnings.consent.granted']) &&
        (await text(li)).includes(ja['incident.warnings.beyond']) }));
    await audit(bank, 'warning-outcome');
  } finally {
    for (const a of [bank, ppc, gen, nis]) await a.context.close();
  }
}

await run(async (browser) => {
  for (const size of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    diag(`the incident at ${size.width}x${size.height}`);
    await journey(browser, size).catch((e) => ok(false, `journey at ${size.width} px`, (e && e.stack) || String(e)));
  }
});
