// general_assembly.mjs: a virtual general assembly end to end in a real
// browser (issue 5; R-GOV-1..4, R-GOV-8), every act through the pages:
//   1. the secretariat, for the chair, convenes an ordinary session with two
//      amendments (the Rules, and the information-management regulation
//      the secretariat has registered), each shown as a diff;
//   2. 30 member organisations' representatives attend or give a proxy (to
//      an attending member or to the chair); one member does neither;
//   3. the secretariat opens the first poll; members vote, proxy holders
//      vote for their principals, one vote is changed; at its time the
//      server closes it: passed, with the counts, the rule version and the
//      Rules' next version;
//   4. most members leave: the second amendment cannot be put to the vote
//      for lack of quorum, and the page says so;
//   5. the minutes (議事録) show the counts; the CSV and a receipt check.
// Every page is audited with axe-core and watched for console errors,
// CSP violations and failed subresources.  Screenshots: ga-convened.png,
// ga-result.png, ga-no-quorum.png, ga-minutes.png.
//
// Usage: node tests/browser/general_assembly.mjs BASE_URL OUTDIR PGDIR
// (as journeys.mjs; the demo council has 31 member organisations).  Takes
// about three minutes: polls close on the server at a minute's boundary.
import {
  axeCheck, catalog, checkProblems, cliArgs, diag, follow, ok, quote, run,
  screenshot, signedIn, sql, step,
} from './lib.mjs';


const { base, outdir, pgdir } = cliArgs('node general_assembly.mjs BASE_URL OUTDIR PGDIR', true);
const RUN = Date.now();
const ja = catalog('ja');
const SECRETARIAT = 'naoki.sasaki@nisc.example.jp'; // NISC: presides for the chair, acts for NISC

// A datetime-local value (JST) minutes from now, to the minute.
function jstIn(minutes) {
  return new Date(Date.now() + minutes * 60e3 + 9 * 3600e3).toISOString().slice(0, 16);
}

const text = async (locator) => ((await locator.textContent()) || '').replace(/\s+/g, ' ').trim();

async function audit(a, label, expected = []) {
  await axeCheck(a.page, `${a.role}: ${label}`);
  checkProblems(`${a.role}: ${label}`, a.w, expected);
  a.w.reset();
}

// The representative (an administrator) of every member organisation but
// the secretariat, in id order: [{email, org, slug, committee}].
function representatives() {
  return sql(pgdir, 'SELECT DISTINCT ON (o.id) p.email, o.id, o.slug, ' +
    'EXISTS (SELECT 1 FROM council.committee_members c JOIN council.people q ON q.id = c.person_id ' +
    'WHERE q.org_id = o.id) FROM council.organisations o JOIN council.people p ON p.org_id = o.id ' +
    "AND p.is_org_admin AND p.active WHERE o.status = 'member' AND o.council_role IS DISTINCT FROM 'secretariat' " +
    'ORDER BY o.id, p.id').map((r) => ({ email: r[0], org: r[1], slug: r[2], committee: r[3] === 't' }));
}

// A representative's browser; a.t: the catalog of the person's own
// language, in which the portal speaks to them.
const catalogs = { ja, en: catalog('en') };
async function member(browser, email, role) {
  const a = await signedIn(browser, base, pgdir, email, role);
  a.t = catalogs[sql(pgdir, `SELECT lang FROM council.people WHERE email = ${quote(email)}`)[0][0]];
  return a;
}

// Click a button of the item's (or the session's) form and follow it.
async function press(a, scope, name) {
  return follow(a.page, scope.getByRole('button', { name, exact: true }));
}

run(async (browser) => {
  const members = Number(sql(pgdir, "SELECT count(*) FROM council.organisations WHERE status = 'member'")[0][0]);
  const reps = representatives();
  ok(members >= 31 && reps.length >= 30, `the demo council has ${members} member organisations (30 and more to count)`);
  // The regulation is not public: the secretariat registers it (as the
  // owner role does, councilctl's) before the assembly amends it.
  const regSlug = `info-regulation-${RUN}`;
  sql(pgdir, 'WITH d AS (INSERT INTO council.documents (slug, title_ja, title_en, owner) VALUES ' +
    `(${quote(regSlug)}, '情報管理規程（試験）', 'Information-management regulation (test)', 'general_assembly') RETURNING id) ` +
    "INSERT INTO council.document_versions (document_id, version, body) SELECT id, 1, " +
    "E'第1条 構成員は、秘密情報を取り扱う者を登録する。\\n第2条 登録の変更は事前に通知する。' FROM d");
  const rulesText = sql(pgdir, "SELECT replace(body, E'\\n', E'\\\\n') FROM council.document_versions v JOIN council.documents d ON d.id = v.document_id " +
    "WHERE d.slug = 'rules' ORDER BY v.version DESC LIMIT 1")[0][0].replace(/\\n/g, '\n');
  const rulesVersion = Number(sql(pgdir, "SELECT max(v.version) FROM council.document_versions v " +
    "JOIN council.documents d ON d.id = v.document_id WHERE d.slug = 'rules'")[0][0]);

  // 1. Convening.
  const sec = await member(browser, SECRETARIAT, 'secretariat');
  const title = `第${RUN % 1000}回 通常総会（電子開催）`;
  let gaPath = '';
  await step('R-GOV-2: the secretariat convenes, for the chair, an ordinary session with two amendments', async () => {
    await sec.page.goto(`${base}/assemblies`, { waitUntil: 'load' });
    await audit(sec, '/assemblies');
    const form = sec.page.locator('main form[action="/assemblies"]');
    const session = form.locator('> div.field');	// the session's fields, before the agenda rows
    await session.getByLabel(ja['ga.col.title'], { exact: true }).fill(title);
    await session.getByLabel(ja['ga.convene.starts'], { exact: true }).fill(jstIn(0));
    const rows = form.locator('fieldset');
    const row = async (i, kind, itemTitle, doc, body) => {
      const r = rows.nth(i);
      await r.getByLabel(ja['ga.convene.item_kind'], { exact: true }).selectOption(kind);
      await r.getByLabel(ja['ga.convene.item_title'], { exact: true }).fill(itemTitle);
      await r.getByLabel(ja['ga.convene.item_document'], { exact: true }).selectOption({ label: doc });
      await r.getByLabel(ja['ga.convene.item_text'], { exact: true }).fill(body);
    };
    await row(0, 'rule_amendment', '規約の改正（電磁的方法による総会）', 'サイバーセキュリティ協議会規約',
      `${rulesText}\n附 則（${RUN}）\nこの改正は、総会の議決の日から施行する。`);
    await row(1, 'regulation_amendment', '情報管理規程の改正', '情報管理規程（試験）',
      '第1条 構成員は、秘密情報を取り扱う者をすべて登録する。\n第2条 登録の変更は事前に通知する。');
    const res = await press(sec, form, ja['ga.convene.submit']);
    gaPath = new URL(sec.page.url()).pathname;
    return { ok: res.status() === 200 && /^\/assemblies\/\d+$/.test(gaPath), detail: `${res.status()} ${sec.page.url()}` };
  });
  if (!gaPath) return;
  const gaId = gaPath.split('/').pop();
  await step('R-GOV-2: every member organisation got the notice', async () => {
    const n = sql(pgdir, `SELECT count(*) FROM council.ga_notices WHERE assembly_id = ${gaId}`)[0][0];
    return { ok: Number(n) === members, detail: `${n} notices for ${members} members` };
  });
  await step('each amendment shows its changes as a diff (added lines marked +)', async () => {
    const adds = await sec.page.locator('main .ga-item .diff__add').allTextContents();
    return { ok: adds.some((t) => t.includes(`附 則（${RUN}）`)) && adds.some((t) => t.includes('すべて登録する')),
      detail: adds.join(' | ') };
  });
  await audit(sec, 'the session page');
  await screenshot(sec.page, outdir, 'ga-convened.png');

  // 2. Attendance and proxies: 24 attend, 6 give a proxy (5 to an
  // attending member, 1 to the chair), the last does nothing.
  const attendN = 24;
  const attending = reps.slice(0, attendN);
  const proxies = reps.slice(attendN, attendN + 6);
  const idle = reps.slice(attendN + 6);
  const actors = [];
  for (const r of attending) {
    const a = await member(browser, r.email, r.slug);
    actors.push({ ...a, rep: r });
    await a.page.goto(`${base}${gaPath}`, { waitUntil: 'load' });
    await press(a, a.page.locator('main'), a.t['ga.presence.attend']);
  }
  await step(`R-GOV-3: ${attendN} representatives attend through the page`, async () => {
    const n = sql(pgdir, `SELECT count(*) FROM council.ga_attendance WHERE assembly_id = ${gaId} AND left_at IS NULL`)[0][0];
    return { ok: Number(n) === attendN, detail: `${n} present` };
  });
  await audit(actors[0], 'the session page, attending');
  const holders = [];
  for (const [i, r] of proxies.entries()) {
    const a = await member(browser, r.email, r.slug);
    await a.page.goto(`${base}${gaPath}`, { waitUntil: 'load' });
    const form = a.page.locator('main form.ga-proxy');
    const holder = i === 0 ? null : attending[i];
    if (i === 1) {
      await step('R-GOV-3: a proxy to a member that gave its own proxy is refused (one hop only)', async () => {
        await form.getByLabel(a.t['ga.proxy.holder'], { exact: true }).selectOption(String(proxies[0].org));
        const res = await press(a, form, a.t['ga.proxy.give']);
        const err = await text(a.page.locator('main [role="alert"]'));
        return { ok: res.status() === 409 && err === a.t['ga.error.proxy_chain'], detail: `${res.status()} ${err}` };
      });
    }
    const f2 = a.page.locator('main form.ga-proxy');
    await f2.getByLabel(a.t['ga.proxy.holder'], { exact: true })
      .selectOption(holder ? String(holder.org) : 'chair');
    await press(a, f2, a.t['ga.proxy.give']);
    holders.push({ principal: r, holder });
    await a.context.close();
  }
  await step('R-GOV-3: six members give their proxy on the page (one to the chair)', async () => {
    const n = sql(pgdir, `SELECT count(*) FILTER (WHERE to_chair), count(*) FROM council.ga_proxies WHERE assembly_id = ${gaId} AND revoked_at IS NULL`)[0];
    return { ok: n[0] === '1' && n[1] === '6', detail: n.join(' ') };
  });
  diag(`${idle.length} member(s) neither attend nor give a proxy: ${idle.map((r) => r.slug).join(', ')}`);

  // 3. The first poll.
  await step(`the secretariat opens the first poll; quorum: 30 of ${members} present or by proxy`, async () => {
    await sec.page.goto(`${base}${gaPath}`, { waitUntil: 'load' });
    const item = sec.page.locator('main .ga-item').first();
    await item.getByLabel(ja['ga.poll.closes'], { exact: true }).fill(jstIn(2));
    await press(sec, item, ja['ga.poll.open']);
    const counts = await text(sec.page.locator('main .ga-item').first().locator('.ga-count'));
    return { ok: counts.includes(`${attendN + 6} (`) && counts.includes(ja['ga.quorum.met']), detail: counts };
  });
  // Issue 17: a proxy held is a task until it is voted.
  const proxyTask = async () => {
    const h = holders.find((x) => x.holder);
    const a = actors.find((x) => x.rep.org === h.holder.org);
    await a.page.goto(`${base}/tasks`, { waitUntil: 'load' });
    const tasks = await a.page.locator('main section[aria-labelledby="tasks-heading"] li').allTextContents();
    return { a, n: tasks.filter((t) => t.includes(a.t['tasks.kind.ga_proxy'])).length, tasks };
  };
  await step('issue 17: a proxy holder finds the vote it holds a proxy for on My tasks', async () => {
    const r = await proxyTask();
    return { ok: r.n === 1, detail: r.tasks };
  });
  // Votes: the first 17 attending yes (committee members among them), the
  // next 5 no, 2 abstain; proxy holders vote yes for their principals.
  const choice = (i) => (i < 17 ? 'yes' : i < 22 ? 'no' : 'abstain');
  for (const [i, a] of actors.entries()) {
    await a.page.goto(`${base}${gaPath}`, { waitUntil: 'load' });
    const item = a.page.locator('main .ga-item').first();
    await press(a, item.locator('form.ga-vote').first(), a.t[`ga.choice.${choice(i)}`]);
    const h = holders.find((x) => x.holder && x.holder.org === a.rep.org);
    if (h) {
      const f = a.page.locator('main .ga-item').first().locator('tr.ga-vote--proxy form');
      await press(a, f, a.t['ga.choice.yes']);
    }
  }
  await step('issue 17: ... and no longer once it has voted for its principal', async () => {
    const r = await proxyTask();
    return { ok: r.n === 0, detail: r.tasks };
  });
  // Issue 17 item 4: the holder's ballots say what was cast for whom, and
  // every option is drawn alike, the one cast marked.
  await step('issue 17: a proxy holder sees, per principal, what it cast, the cast option marked (aria-pressed)', async () => {
    const h = holders.find((x) => x.holder);
    const a = actors.find((x) => x.rep.org === h.holder.org);
    await a.page.goto(`${base}${gaPath}`, { waitUntil: 'load' });
    const row = a.page.locator('main .ga-item').first().locator('tr.ga-vote--proxy').first();
    const cast = await text(row.locator('td').first());
    const pressed = await row.locator('button[aria-pressed="true"]').allTextContents();
    const own = await a.page.locator('main .ga-item').first().locator('form.ga-vote').first()
      .locator('button[aria-pressed="true"]').allTextContents();
    const classes = await a.page.locator('main .ga-item').first().locator('form.ga-vote').first()
      .locator('button').evaluateAll((bs) => bs.map((b) => b.className));
    return {
      ok: cast === a.t['ga.choice.yes'] && pressed.length === 1 && pressed[0].trim() === a.t['ga.choice.yes']
        && own.length === 1 && new Set(classes).size === 1,
      detail: { cast, pressed, own, classes },
    };
  });
  await step('R-GOV-3: a vote is changed before the close (no, then yes); every version is kept', async () => {
    const a = actors[17];
    await a.page.goto(`${base}${gaPath}`, { waitUntil: 'load' });
    await press(a, a.page.locator('main .ga-item').first().locator('form.ga-vote').first(), a.t['ga.choice.yes']);
    const mine = await text(a.page.locator('main .ga-item').first().locator('.ga-mine'));
    return { ok: mine.includes(a.t['ga.choice.yes']) && mine.includes(`${a.t['ga.version']} 2`), detail: mine };
  });
  let receipt = '';
  await step('each ballot has a receipt the member can keep', async () => {
    receipt = await text(actors[0].page.locator('main .ga-item').first().locator('.ga-receipt'));
    return { ok: /^[0-9a-f]{64}$/.test(receipt), detail: receipt };
  });
  // The poll closes on the server at its time (the clock, or the first read).
  const closesAt = sql(pgdir, `SELECT extract(epoch FROM closes_at) FROM council.ga_items WHERE assembly_id = ${gaId} AND position = 1`)[0][0];
  const wait = Math.max(0, Number(closesAt) * 1000 - Date.now()) + 2000;
  diag(`waiting ${Math.round(wait / 1000)} s for the poll to close`);
  await new Promise((r) => setTimeout(r, wait));
  // 18 yes + 5 proxies yes (the chair's proxy is not voted) = 23 of 30.
  await step('R-GOV-4: the amendment passes: 23 yes of 30 attending, counted under ga.resolution, no veto', async () => {
    await sec.page.goto(`${base}${gaPath}`, { waitUntil: 'load' });
    const r = await text(sec.page.locator('main .ga-item').first().locator('.ga-result'));
    const want = [ja['ga.outcome.passed'], '23 / 30', `30 / ${members}`, ja['rule.ga.resolution.1'], ja['ga.veto.not_triggered']];
    return { ok: want.every((w) => r.includes(w)), detail: r };
  });
  await step('... and the Rules\' amended text is in force as their next version', async () => {
    const link = sec.page.locator('main .ga-item').first().locator('.ga-result a');
    const href = await link.getAttribute('href');
    return { ok: href === `/documents/rules/${rulesVersion + 1}`, detail: href };
  });
  await audit(sec, 'the result');
  await screenshot(sec.page, outdir, 'ga-result.png');
  await step('a receipt is checked after the close', async () => {
    const a = actors[0];
    await a.page.goto(`${base}${gaPath}`, { waitUntil: 'load' });
    const f = a.page.locator('main .ga-item').first().locator('form.ga-verify');
    await f.getByLabel(a.t['ga.receipt.check'], { exact: true }).fill(receipt);
    await press(a, f, a.t['ga.receipt.verify']);
    const note = await text(a.page.locator('main [role="status"]'));
    return { ok: note.includes(a.t['ga.receipt.valid']) && note.includes(a.t['ga.receipt.counted']), detail: note };
  });

  // 4. Members leave: no quorum for the second amendment.
  for (const a of actors.slice(4)) {
    await a.page.goto(`${base}${gaPath}`, { waitUntil: 'load' });
    await press(a, a.page.locator('main'), a.t['ga.presence.leave']);
  }
  await step('R-GOV-3: with 20 members gone the second amendment cannot be put to the vote: no quorum', async () => {
    await sec.page.goto(`${base}${gaPath}`, { waitUntil: 'load' });
    const item = sec.page.locator('main .ga-item').nth(1);
    await item.getByLabel(ja['ga.poll.closes'], { exact: true }).fill(jstIn(5));
    const res = await press(sec, item, ja['ga.poll.open']);
    const err = await text(sec.page.locator('main [role="alert"]'));
    const st = sql(pgdir, `SELECT status FROM council.ga_items WHERE assembly_id = ${gaId} AND position = 2`)[0][0];
    return { ok: res.status() === 409 && err === ja['ga.error.no_quorum'] && st === 'pending', detail: `${res.status()} ${err} ${st}` };
  });
  // Chromium logs the page's own 409 as a console error: expected here.
  await audit(sec, 'the refused poll', [/status of 409 \(Conflict\)/]);
  await screenshot(sec.page, outdir, 'ga-no-quorum.png');

  // 5. The minutes.
  await step('the minutes (議事録) show the first item\'s counts and the attendance register', async () => {
    await follow(sec.page, sec.page.locator(`main a[href="${gaPath}/minutes"]`).first());
    const row = await text(sec.page.locator('main section[aria-labelledby="minutes-items"] tbody tr').first());
    const att = await sec.page.locator('main section[aria-labelledby="minutes-attendance"] tbody tr').count();
    return { ok: row.includes('23') && row.includes(`30 / ${members}`) && row.includes(ja['ga.outcome.passed']) && att === attendN,
      detail: `${row} / ${att} attendance rows` };
  });
  await audit(sec, 'the minutes');
  await screenshot(sec.page, outdir, 'ga-minutes.png');
  await step('the minutes as CSV: a download with every counted vote', async () => {
    const res = await sec.page.request.get(`${base}${gaPath}/minutes.csv`);
    const body = await res.text();
    const votes = body.split('\r\n').filter((l) => l.startsWith('"vote"')).length;
    return { ok: res.status() === 200 && /attachment/.test(res.headers()['content-disposition'] || '') && votes === 30,
      detail: `${res.status()} ${votes} vote rows` };
  });
  // The other governance pages of issue 5, audited the same way.
  for (const path of ['/committee', '/tf', '/cooperation', '/notifications', '/documents',
    '/documents/rules', '/documents/annex-1', '/apply']) {
    await step(`${path} answers 200`, async () => {
      const res = await sec.page.goto(`${base}${path}`, { waitUntil: 'load' });
      return { ok: res.status() === 200, detail: String(res.status()) };
    });
    await audit(sec, path);
  }
  await step('R-GOV-8: someone not signed in is sent to sign in, not shown the session', async () => {
    const anon = await browser.newContext();
    const res = await anon.request.get(`${base}${gaPath}/minutes`, { maxRedirects: 0 });
    const where = res.headers().location || '';
    await anon.close();
    return { ok: res.status() === 303 && /\/signin/.test(where), detail: `${res.status()} ${where}` };
  });
});
