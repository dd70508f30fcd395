// cymat.mjs: a support request to CYMAT through the pages, from request to
// closure, in a real browser (issue 13's proof; R-CYMAT-1, seed 003
// §10-15), at 1280 px and at 390 px:
//   1  a ministry (the demo's MHLW, a national agency) finds the requests
//      from the incidents page; its request through the CSIRT outside an
//      emergency is refused (the page says why and keeps what was typed);
//      it requests support through its CISO;
//   2  CYMAT's head finds the request on its list, names a member of the
//      team and dispatches it, asked first (it cannot be undone);
//   3  the ministry posts a damage report;
//   4  the member dispatched finds the case on its list and reads the
//      damage report;
//   5  another ministry and a member of the team not dispatched get the
//      absent case's 404, and find nothing on their list;
//   6  the head ends the support, asked first; the ministry sees it ended.
// On every page: axe-core (no serious or critical violation), no
// horizontal overflow, no console errors, CSP violations or failed
// subresources, and a screenshot OUTDIR/cymat-STEP-WIDTH.png.
//
// Usage: node tests/browser/cymat.mjs BASE_URL OUTDIR PGDIR
// Sessions are made in the database (lib.mjs signedIn).  Descriptions
// carry Date.now() and the width, so the script runs again on the same
// cluster.  Prints TAP on stdout, exits 1 when any test failed.
import {
  axeCheck, catalog, checkProblems, cliArgs, diag, follow, ok, pathOf, run, screenshot, signedIn, sql, step,
} from './lib.mjs';

const { base, outdir, pgdir } = cliArgs('node cymat.mjs BASE_URL OUTDIR PGDIR', true);
const ja = catalog('ja');
const RUN = Date.now();
const HANDLER = 'EXISTS (SELECT 1 FROM council.handler_registrations h WHERE h.person_id = p.id AND h.deregistered_at IS NULL)';
const one = (q, what) => {
  const r = sql(pgdir, q);
  if (r.length !== 1) throw new Error(`no ${what} in the demo council`);
  return r[0];
};
const handler = (slug) => one('SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id ' +
  `WHERE o.slug = '${slug}' AND p.active AND p.lang = 'ja' AND ${HANDLER} ` +
  'AND NOT EXISTS (SELECT 1 FROM council.cymat_team t WHERE t.person_id = p.id) ' +
  'ORDER BY p.is_org_admin DESC, p.id LIMIT 1', `handler of ${slug}`)[0];
// CYMAT's people by role: [email, id, name].
const team = (role, offset = 0) => one('SELECT p.email, p.id, p.name_ja FROM council.cymat_team t ' +
  `JOIN council.people p ON p.id = t.person_id WHERE t.role = '${role}' AND p.active ` +
  `ORDER BY p.id LIMIT 1 OFFSET ${offset}`, `CYMAT ${role}`);
const text = async (loc) => ((await loc.textContent()) || '').replace(/\s+/g, ' ').trim();

// The page at a's width: overflow, axe-core, the watch, a screenshot.
async function audit(a, shot, expected = []) {
  const label = `${a.role}: ${shot} at ${a.width} px`;
  const m = await a.page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
  ok(m.sw <= m.iw, `${label}: no horizontal overflow`, `scrollWidth ${m.sw}, innerWidth ${m.iw}`);
  await axeCheck(a.page, label);
  checkProblems(label, a.w, expected);
  a.w.reset();
  await screenshot(a.page, outdir, `cymat-${shot}-${a.width}.png`);
}

async function journey(browser, size) {
  const [headMail] = team('head');
  const [m1Mail] = team('member', 0);
  const [m2Mail, m2Id, m2Name] = team('member', 1);
  const body = await signedIn(browser, base, pgdir, handler('mhlw'), 'ministry');
  const head = await signedIn(browser, base, pgdir, headMail, 'CYMAT head');
  const member = await signedIn(browser, base, pgdir, m2Mail, 'member dispatched');
  const idle = await signedIn(browser, base, pgdir, m1Mail, 'member not dispatched');
  const other = await signedIn(browser, base, pgdir, handler('mlit'), 'another ministry');
  const all = [body, head, member, idle, other];
  for (const a of all) {
    a.width = size.width;
    await a.page.setViewportSize(size);
  }
  const desc = `基幹システムでランサムウェア感染。業務が停止している。${RUN}-${size.width}`;
  const damage = `サーバ12台が暗号化された。${RUN}-${size.width}`;
  try {
    // 1: the request.
    await body.page.goto(`${base}/incidents`, { waitUntil: 'load' });
    await follow(body.page, body.page.getByRole('link', { name: ja['cymat.link'], exact: true }));
    await step('1 ministry: the incidents page leads to the support requests', async () => ({
      ok: pathOf(body.page) === '/cymat', detail: body.page.url() }));
    await audit(body, 'list');
    const f = body.page.locator('main form.form');
    await f.getByLabel(ja['cymat.channel.csirt'], { exact: true }).check();
    await f.getByLabel(ja['cymat.f.description'], { exact: true }).fill(desc);
    await follow(body.page, f.getByRole('button', { name: ja['cymat.submit'] }));
    await step('1 ministry: the CSIRT\'s channel outside an emergency is refused, saying why, keeping what was typed', async () => ({
      ok: (await text(body.page.locator('main [role=alert]'))) === ja['cymat.error.csirt_only_in_emergency'] &&
        (await body.page.getByLabel(ja['cymat.f.description'], { exact: true }).inputValue()) === desc &&
        (await body.page.getByLabel(ja['cymat.channel.csirt'], { exact: true }).isChecked()) }));
    await audit(body, 'refused', [/status of 422/]);
    await body.page.getByLabel(ja['cymat.channel.ciso'], { exact: true }).check();
    await follow(body.page, body.page.getByRole('button', { name: ja['cymat.submit'] }));
    const casePath = pathOf(body.page);
    await step('1 ministry: support requested through its CISO; the case\'s page says so', async () => {
      const done = await text(body.page.locator('main p.done'));
      return { ok: /^\/cymat\/\d+$/.test(casePath) && done === ja['done.cymat.requested'] &&
        (await text(body.page.locator('main'))).includes(desc), detail: `${casePath} | ${done}` };
    });
    await audit(body, 'requested');

    // 2: the head dispatches, naming a member.
    await head.page.goto(`${base}/cymat`, { waitUntil: 'load' });
    const row = head.page.locator('main tr', { has: head.page.locator(`a[href="${casePath}"]`) });
    await step('2 head: the request is on its list, awaiting decision', async () => ({
      ok: (await row.count()) === 1 && (await text(row)).includes(ja['cymat.status.requested']) }));
    await audit(head, 'head-list');
    await follow(head.page, row.getByRole('link'));
    await audit(head, 'head-case');
    await head.page.locator(`main input[name=member][value="${m2Id}"]`).check();
    await follow(head.page, head.page.getByRole('button', { name: ja['cymat.dispatch'] }));
    await step('2 head: the dispatch is asked first', async () => ({
      ok: (await text(head.page.locator('main h1'))) === ja['confirm.cymat.dispatch.heading'] }));
    await audit(head, 'confirm-dispatch');
    await follow(head.page, head.page.getByRole('button', { name: ja['cymat.dispatch'] }));
    await step('2 head: confirmed, the member named is dispatched', async () => {
      const t = await text(head.page.locator('main'));
      return { ok: (await text(head.page.locator('main p.done'))) === ja['done.cymat.dispatched'] &&
        t.includes(ja['cymat.status.dispatched']) && t.includes(m2Name), detail: t.slice(0, 400) };
    });
    await audit(head, 'dispatched');

    // 3: the ministry reports its damage.
    await body.page.goto(`${base}${casePath}`, { waitUntil: 'load' });
    await body.page.getByLabel(ja['cymat.report.body'], { exact: true }).fill(damage);
    await follow(body.page, body.page.getByRole('button', { name: ja['cymat.damage'] }));
    await step('3 ministry: the damage report is posted', async () => ({
      ok: (await text(body.page.locator('main p.done'))) === ja['done.cymat.reported'] &&
        (await text(body.page.locator('main ol'))).includes(damage) }));
    await audit(body, 'damage');

    // 4: the member dispatched reads it.
    await member.page.goto(`${base}/cymat`, { waitUntil: 'load' });
    await follow(member.page, member.page.locator(`main a[href="${casePath}"]`));
    await step('4 member dispatched: finds the case on its list and reads the damage report', async () => ({
      ok: pathOf(member.page) === casePath && (await text(member.page.locator('main'))).includes(damage) }));
    await audit(member, 'member');

    // 5: nobody else.
    for (const a of [other, idle]) {
      await a.page.goto(`${base}/cymat`, { waitUntil: 'load' });
      await step(`5 ${a.role}: its list shows no trace of the case`, async () => ({
        ok: (await a.page.locator(`main a[href="${casePath}"]`).count()) === 0 &&
          !(await text(a.page.locator('main'))).includes(desc) }));
      const res = await a.page.goto(`${base}${casePath}`, { waitUntil: 'load' });
      const shown = await a.page.content();
      const absent = await a.page.evaluate(async () => {
        const r = await fetch('/cymat/999999999');
        return { status: r.status, body: await r.text() };
      });
      const norm = (s) => s.replace(/[0-9a-f]{32}/g, 'RID').replace(/[0-9a-f]{64}/g, 'TOKEN');
      ok(res.status() === 404 && absent.status === 404 && !shown.includes(desc) &&
        norm(await res.text()) === norm(absent.body),
      `5 ${a.role}: the case's page answers 404, as an absent one does`, `${res.status()} / ${absent.status}`);
      if (a === other) await audit(a, 'outsider', [/status of 404/, /\/cymat\/999999999: HTTP 404/]);
      a.w.reset();
    }

    // 6: the head ends the support.
    await head.page.goto(`${base}${casePath}`, { waitUntil: 'load' });
    await head.page.getByLabel(ja['cymat.f.close_note'], { exact: true }).fill('CISO の意見を聴いて終了');
    await follow(head.page, head.page.getByRole('button', { name: ja['cymat.close'] }));
    await step('6 head: ending the support is asked first', async () => ({
      ok: (await text(head.page.locator('main h1'))) === ja['confirm.cymat.close.heading'] }));
    await audit(head, 'confirm-close');
    await follow(head.page, head.page.getByRole('button', { name: ja['cymat.close'] }));
    await step('6 head: confirmed, the support has ended', async () => ({
      ok: (await text(head.page.locator('main p.done'))) === ja['done.cymat.closed'] }));
    await audit(head, 'closed');
    await body.page.goto(`${base}${casePath}`, { waitUntil: 'load' });
    await step('6 ministry: sees the support ended, and no damage form is left', async () => ({
      ok: (await text(body.page.locator('main dl').first())).includes(ja['cymat.status.closed']) &&
        (await body.page.locator('main textarea[name=body]').count()) === 0 }));
    await audit(body, 'ended');
  } finally {
    for (const a of all) await a.context.close();
  }
}

await run(async (browser) => {
  for (const size of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    diag(`the CYMAT case at ${size.width}x${size.height}`);
    await journey(browser, size).catch((e) => ok(false, `journey at ${size.width} px`, (e && e.stack) || String(e)));
  }
});
