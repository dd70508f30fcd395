// day.mjs: "The member's day" (issue 17, its proof) in a real browser: six
// personas of the demo council, found in the cluster by role, go through
// the sharing and governance work of a day, every step through the pages:
//   1  a Type 1 analyst composes an analysis for the task force with a
//      feedback deadline: the preview of all members with "investigative"
//      excluded names the National Police Agency among those left out,
//      with the reason; the task force's preview groups its readers by
//      category, the author first, with the TLP label of what it reaches;
//      posted, the next page says so once (p.done, gone after a reload);
//   2  a Type 2 member: the header's badge counts the unread, /tasks lists
//      the feedback owed on that post; followed and answered, the done
//      message; the task is gone from /tasks;
//   3  a general member outside the task force: no notification and no
//      task about that post, its badge unchanged by it (a hidden post is
//      never told: council.notify_people asks person_sees_post); it marks
//      its notifications read (the done message, the badge gone);
//   4  the analyst consults the Type 1 group; the coordinator advises from
//      the reply link; the analyst finds the advice on /tasks (unread) and
//      on /notifications, and follows it;
//   5  the committee's chair convenes a general assembly with an error in
//      agenda row 2: the page keeps what was sent and names the row; the
//      secretariat convenes one and closes it, which needs the explicit
//      confirmation (the browser refuses the form without it).
//   6  the analyst makes an API token and revokes it: the revocation
//      cannot be undone, so a page asks first, naming the token and what
//      follows; "cancel" goes back and changes nothing; confirmed, the
//      token is gone and the next page says so once.
// Journey 5 runs first (the morning's convening), then 1 to 4, then 6.
// The day is run once per width: first every journey at 1280x900 (desk),
// then all of them again at 390x844 (phone), each person's browser set to
// the width before its first page.  On every page: axe-core (no serious
// or critical violation), no horizontal overflow (scrollWidth at most
// innerWidth), no console errors, page errors, CSP violations or failed
// subresources, and a full-page screenshot OUTDIR/day-JOURNEY-STEP-WIDTH.png
// (day-1-preview-tf-390.png).  At 390 px the header's links are reached
// through the menu button, as on a phone.
//
// Usage: node tests/browser/day.mjs BASE_URL OUTDIR PGDIR
// Sessions are made in the database (lib.mjs signedIn), so nobody needs a
// second factor; titles carry Date.now() and the width, so the script runs
// again on the same cluster.  Prints TAP on stdout, exits 1 when any test
// failed.
import {
  axeCheck, catalog, checkProblems, cliArgs, diag, follow, ok, pathOf, quote, run, screenshot, signedIn, sql, step,
} from './lib.mjs';

const { base, outdir, pgdir } = cliArgs('node day.mjs BASE_URL OUTDIR PGDIR', true);
const RUN = Date.now();
const ja = catalog('ja');
const DESK = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const NOT_FOUND_LOG = /status of 404 \(Not Found\)/;
const UNPROCESSABLE_LOG = /status of 422/;

// The personas by role: [role, SQL condition on p (people) and o (its
// organisation)], as layout.mjs finds them, and told of what they read
// (the preferences the notifications under test depend on).
const PERSONAS = {
  analyst: "o.tf_class = 'type1' AND o.council_role IS NULL AND p.notify_new_in_scope",
  type2: "o.tf_class = 'type2' AND o.council_role IS NULL AND p.notify_feedback_due AND p.notify_new_in_scope",
  general: "o.tf_class = 'none' AND o.council_role IS NULL AND NOT o.is_investigative AND p.notify_new_in_scope " +
    'AND NOT EXISTS (SELECT 1 FROM council.committee_members c WHERE c.person_id = p.id)',
  coordinator: "o.council_role = 'coordinator'",
  secretariat: "o.council_role = 'secretariat'",
  chair: 'EXISTS (SELECT 1 FROM council.committee_members c WHERE c.person_id = p.id AND c.is_chair)',
};

function persona(role) {
  const r = sql(pgdir, 'SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id ' +
    `WHERE p.active AND p.lang = 'ja' AND o.status = 'member' AND ${PERSONAS[role]} ORDER BY p.id LIMIT 1`);
  if (r.length !== 1) throw new Error(`no ${role} in the demo council`);
  return r[0][0];
}

const text = async (locator) => ((await locator.textContent()) || '').replace(/\s+/g, ' ').trim();
const postPath = /^\/posts\/\d+$/;

// Tomorrow at this minute (or days ahead) in Japan, as a datetime-local value.
const jstIn = (days) => new Date(Date.now() + days * 24 * 3600e3 + 9 * 3600e3).toISOString().slice(0, 16);

// ---- every page

// The page as it is at a's width: no overflow, axe-core, the watch since
// the last audit, and its screenshot day-JOURNEY-STEP-WIDTH.png.
async function audit(a, shot, expected = []) {
  const label = `${a.role}: ${shot} at ${a.width} px`;
  const m = await a.page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 &&
      getComputedStyle(e).position !== 'absolute' && !e.closest('.table-scroll, .chart-box, pre'))
      .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`),
  }));
  ok(m.innerWidth === a.width && m.scrollWidth <= m.innerWidth, `${label}: no horizontal overflow`,
    `innerWidth ${m.innerWidth}, scrollWidth ${m.scrollWidth}; wide: ${m.wide.join('; ')} on ${a.page.url()}`);
  await axeCheck(a.page, label);
  checkProblems(label, a.w, expected);
  a.w.reset();
  await screenshot(a.page, outdir, `day-${shot}-${a.width}.png`);
}

// The header's link to href, clicked; at phone width through the menu.
async function nav(a, href) {
  const link = a.page.locator(`header nav.user-nav a[href="${href}"]`);
  if (!(await link.isVisible())) await a.page.locator('header details.menu-toggle > summary').click();
  return follow(a.page, link);
}

// The badge on the header's link to /tasks: its text ('' without one;
// "99+" past councild's cap, CALLER_UNREAD_CAP).
async function badgeText(a) {
  const b = a.page.locator('header a[href="/tasks"] span.badge');
  return (await b.count()) ? text(b) : '';
}
// As a number (0 without a badge, the cap's number for "99+").
const badge = async (a) => parseInt(await badgeText(a), 10) || 0;

// The one-time message of the page: its text, or null.
async function doneMessage(a) {
  const d = a.page.locator('main p.done[role="status"]');
  return (await d.count()) ? text(d) : null;
}

// Fill the composer (the page must be /posts/new).
async function compose(a, f) {
  const form = a.page.locator('main form[action="/posts/new"]');
  if (f.kind) await form.getByLabel(ja['compose.kind'], { exact: true }).selectOption(f.kind);
  await form.getByLabel(ja['compose.post_title'], { exact: true }).fill(f.title);
  await form.getByLabel(ja['compose.body'], { exact: true }).fill(f.body);
  await form.getByLabel(ja[`compose.secret.${f.secret}`], { exact: true }).check();
  for (const c of f.classes || []) await form.getByLabel(ja[`class.${c}`], { exact: true }).check();
  for (const x of f.exclude || []) await form.getByLabel(ja[`compose.exclude.${x}`], { exact: true }).check();
  if (f.deadline) await form.getByLabel(ja['compose.deadline'], { exact: true }).fill(f.deadline);
  return form;
}

// The preview: {count, tlp, tlpClass, groups: [{label, members: [{name,
// author}]}], left: [{name, reason}]}.
async function readPreview(a) {
  const s = a.page.locator('main section.preview');
  const groups = [];
  for (const g of await s.locator('.preview__group').all()) {
    const members = [];
    for (const li of await g.locator('ul.preview__orgs > li').all()) {
      members.push({ name: await text(li.locator('span').first()), author: (await li.locator('.badge').count()) > 0 });
    }
    groups.push({ label: await text(g.locator('h3.preview__category')), members });
  }
  const left = [];
  for (const li of await s.locator('ul.preview__left > li').all()) {
    left.push({ name: await text(li.locator('span').first()), reason: await text(li.locator('span').nth(1)) });
  }
  const tlp = s.locator('span.tlp');
  return {
    count: Number(await text(s.locator('.preview__count'))),
    tlp: (await tlp.count()) ? await text(tlp) : null,
    tlpClass: (await tlp.count()) ? await tlp.getAttribute('class') : null,
    groups,
    left,
  };
}

async function pressPreview(a) {
  const res = await follow(a.page, a.page.locator('main button[name="action"][value="preview"]'));
  return res ? res.status() : 0;
}

// Post the composer: the new post's path, or '' (a failed test).
async function submitPost(a, who, title) {
  let path = '';
  await step(`${who}: posting lands on the new post's page`, async () => {
    const res = await follow(a.page, a.page.locator('main button[name="action"][value="post"]'));
    const h1 = await text(a.page.locator('h1').first());
    if (res && res.status() === 200 && postPath.test(pathOf(a.page)) && h1 === title) path = pathOf(a.page);
    return { ok: path !== '', detail: `status ${res ? res.status() : '(none)'} at ${a.page.url()}, h1 ${JSON.stringify(h1)}` };
  });
  return path;
}

// The one-time message after a form: shown with role=status, then gone
// when the same page is loaded again.
async function doneOnce(a, who, key) {
  await step(`${who}: the next page says ${JSON.stringify(ja[key])} once (role=status)`, async () => {
    const d = await doneMessage(a);
    return { ok: d === ja[key], detail: `p.done ${JSON.stringify(d)} on ${a.page.url()}` };
  });
}
async function doneGone(a, who) {
  await step(`${who}: reloaded, the page no longer shows the message`, async () => {
    await a.page.reload({ waitUntil: 'load' });
    const d = await doneMessage(a);
    return { ok: d === null, detail: `p.done ${JSON.stringify(d)}` };
  });
}

// The tasks and unread notifications of /tasks (the page must be there).
async function readTasks(a) {
  const tasks = [];
  for (const li of await a.page.locator('main li.task').all()) {
    const link = li.locator('h2 a');
    tasks.push({ kind: await text(li.locator('.badge').first()), title: await text(link), href: await link.getAttribute('href') });
  }
  const unread = [];
  for (const li of await a.page.locator('main li.notification').all()) {
    unread.push({ text: await text(li.locator('p').nth(1)), href: await li.locator('a').getAttribute('href') });
  }
  return { tasks, unread };
}

// ---- 1. the analyst's analysis for the task force

async function analysis(d) {
  const { analyst: v1, type2: t2, general: gm } = d;
  const title = `day 分析 ${RUN}-${v1.width}: 不審な VPN 認証の連続`;
  d.analysisTitle = title;
  await d.go(v1, '/tasks');
  await audit(v1, '1-tasks');
  await step('1 analyst: the header links to the composer', async () => {
    await nav(v1, '/posts/new');
    return { ok: pathOf(v1.page) === '/posts/new', detail: `at ${v1.page.url()}` };
  });
  await audit(v1, '1-compose');

  // All members, investigative agencies excluded: who is left out, and why.
  const form = await compose(v1, {
    kind: 'analysis', title, body: '複数の構成員で VPN 装置への認証試行が続いています。\n観測の有無を教えてください。',
    secret: 'no', classes: ['all_members'], exclude: ['investigative'], deadline: jstIn(2),
  });
  const investigative = sql(pgdir, "SELECT name_ja FROM council.organisations WHERE is_investigative AND status = 'member' ORDER BY id")
    .map((r) => r[0]);
  await step('1 analyst: the preview of all members without investigative agencies leaves out the National Police ' +
    'Agency, with its reason', async () => {
    const status = await pressPreview(v1);
    const pv = await readPreview(v1);
    const reason = ja['compose.preview.left.investigative'];
    const npa = pv.left.filter((l) => l.name.includes('警察庁'));
    const missing = investigative.filter((nm) => !pv.left.some((l) => l.name === nm && l.reason === reason));
    const listed = pv.groups.flatMap((g) => g.members.map((m) => m.name));
    return {
      ok: status === 200 && npa.length === 1 && npa[0].reason === reason && missing.length === 0 &&
        !listed.some((nm) => investigative.includes(nm)),
      detail: { status, left: pv.left, missing, investigativeListed: listed.filter((nm) => investigative.includes(nm)) },
    };
  });
  await audit(v1, '1-preview-left');

  // The task force only: the readers grouped by category, the TLP label.
  await form.getByLabel(ja['class.all_members'], { exact: true }).uncheck();
  await form.getByLabel(ja['compose.exclude.investigative'], { exact: true }).uncheck();
  await form.getByLabel(ja['class.task_force'], { exact: true }).check();
  let pv = null;
  await step('1 analyst: the task force\'s preview', async () => {
    const status = await pressPreview(v1);
    pv = await readPreview(v1);
    return { ok: status === 200 && pv.groups.length > 0, detail: { status, pv } };
  });
  const category = Object.fromEntries(sql(pgdir, 'SELECT name_ja, category FROM council.organisations')
    .map(([nm, c]) => [nm, ja[`roster.category.${c}`]]));
  const tf = sql(pgdir, "SELECT name_ja FROM council.organisations WHERE status = 'member' AND tf_class IN ('type1', 'type2')")
    .map((r) => r[0]);
  await step('1 analyst: the author first, under its own heading; the other readers grouped by category under ' +
    'their headings', async () => {
    if (!pv) return false;
    const [own, ...rest] = pv.groups;
    const labels = rest.map((g) => g.label);
    const misplaced = rest.flatMap((g) => g.members.filter((m) => category[m.name] !== g.label)
      .map((m) => `${m.name} under ${g.label}, its category ${category[m.name]}`));
    const authors = pv.groups.flatMap((g) => g.members.filter((m) => m.author));
    return {
      ok: own.label === ja['compose.preview.you'] && own.members.length === 1 && own.members[0].name === v1.org &&
        own.members[0].author && authors.length === 1 && rest.length >= 2 && new Set(labels).size === labels.length &&
        misplaced.length === 0,
      detail: { own, labels, misplaced, authors },
    };
  });
  await step('1 analyst: the task force\'s preview lists every Type 1 and Type 2 member, the count is the list, ' +
    'the general member is not in it', async () => {
    if (!pv) return false;
    const listed = pv.groups.flatMap((g) => g.members.map((m) => m.name));
    const missing = tf.filter((nm) => !listed.includes(nm));
    return {
      ok: missing.length === 0 && pv.count === listed.length && listed.includes(t2.org) && !listed.includes(gm.org),
      detail: { count: pv.count, listed: listed.length, missing, type2: t2.org, general: gm.org },
    };
  });
  await step('1 analyst: the preview gives the TLP label of the audience reached: TLP:AMBER', async () => ({
    ok: pv && pv.tlp === ja['tlp.amber'] && /\btlp--amber\b/.test(pv.tlpClass || ''),
    detail: pv && { tlp: pv.tlp, class: pv.tlpClass },
  }));
  await step('1 analyst: the preview keeps the form (title, task force, deadline)', async () => {
    const t = await form.getByLabel(ja['compose.post_title'], { exact: true }).inputValue();
    const c = await form.getByLabel(ja['class.task_force'], { exact: true }).isChecked();
    const dl = await form.getByLabel(ja['compose.deadline'], { exact: true }).inputValue();
    return { ok: t === title && c && dl !== '', detail: { title: t, task_force: c, deadline: dl } };
  });
  await audit(v1, '1-preview-tf');

  d.analysis = await submitPost(v1, '1 analyst', title);
  if (!d.analysis) return;
  await doneOnce(v1, '1 analyst', 'done.post.created');
  await audit(v1, '1-posted');
  await doneGone(v1, '1 analyst');
  await step('1 analyst: the post asks for feedback, with the deadline', async () => {
    const dl = await text(v1.page.locator('main .feedback__deadline'));
    return { ok: dl.startsWith(ja['feedback.deadline']), detail: `deadline line ${JSON.stringify(dl)}` };
  });
}

// ---- 2. the Type 2 member owes feedback

async function feedback(d) {
  const { type2: t2 } = d;
  if (!d.analysis) return;
  const id = d.analysis.split('/').pop();
  const comment = `day ${RUN}-${t2.width}: 当行の VPN 装置でも 3 件観測しました。`;
  await d.go(t2, '/feed');
  await step('2 type2: the header\'s badge counts at least one unread', async () => {
    const b = await badgeText(t2);
    const n = parseInt(b, 10) || 0;
    const unread = Number(sql(pgdir, 'SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id ' +
      `WHERE p.email = ${quote(t2.email)} AND n.read_at IS NULL`)[0][0]);
    return { ok: n >= 1 && (b.endsWith('+') ? unread >= n : n === unread), detail: `badge ${b}, unread in the database ${unread}` };
  });
  await audit(t2, '2-feed');
  await step('2 type2: the badge\'s link opens /tasks, which lists the feedback owed on the analysis', async () => {
    await nav(t2, '/tasks');
    const { tasks } = await readTasks(t2);
    const mine = tasks.filter((x) => x.href === d.analysis);
    return {
      ok: pathOf(t2.page) === '/tasks' && mine.length === 1 && mine[0].kind === ja['tasks.kind.feedback'] &&
        mine[0].title === d.analysisTitle,
      detail: { at: t2.page.url(), mine, tasks: tasks.slice(0, 5) },
    };
  });
  await step('2 type2: /tasks lists the unread "feedback requested" notification with the post\'s title', async () => {
    const { unread } = await readTasks(t2);
    const n = unread.filter((u) => u.href === d.analysis && u.text.startsWith('フィードバックの依頼（期限 '));
    return {
      ok: n.length === 1 && n[0].text.includes(`#${id}`) &&
        n[0].text.endsWith(`: ${d.analysisTitle}`),
      detail: { n, unread: unread.slice(0, 3) },
    };
  });
  await audit(t2, '2-tasks');
  await step('2 type2: the task opens the analysis, with the feedback form', async () => {
    await follow(t2.page, t2.page.locator('main li.task h2 a', { hasText: d.analysisTitle }));
    return {
      ok: pathOf(t2.page) === d.analysis && (await t2.page.locator('main form.feedback__form').count()) === 1,
      detail: `at ${t2.page.url()}`,
    };
  });
  await audit(t2, '2-post');
  await step('2 type2: answers 観測あり with a comment', async () => {
    const form = t2.page.locator('main form.feedback__form');
    await form.getByLabel(ja['feedback.answer.seen'], { exact: true }).check();
    await form.getByLabel(ja['feedback.comment'], { exact: true }).fill(comment);
    const res = await follow(t2.page, form.getByRole('button', { name: ja['feedback.submit'] }));
    const mine = await text(t2.page.locator('main .post__feedback p', { hasText: ja['feedback.mine'] }));
    return {
      ok: res && res.status() === 200 && pathOf(t2.page) === d.analysis &&
        mine === `${ja['feedback.mine']} ${ja['feedback.answer.seen']}`,
      detail: `status ${res ? res.status() : '(none)'} at ${t2.page.url()}, ${JSON.stringify(mine)}`,
    };
  });
  await doneOnce(t2, '2 type2', 'done.feedback.saved');
  await audit(t2, '2-answered');
  // The notification stays unread (opening the post does not mark it
  // read; /notifications' "mark all read" does): only the task goes.
  await step('2 type2: the feedback task is gone from /tasks', async () => {
    await nav(t2, '/tasks');
    const { tasks } = await readTasks(t2);
    return {
      ok: pathOf(t2.page) === '/tasks' && !tasks.some((x) => x.href === d.analysis),
      detail: { tasks: tasks.filter((x) => x.href === d.analysis) },
    };
  });
  await audit(t2, '2-tasks-after');
}

// ---- 3. the general member outside the task force

async function outside(d) {
  const { general: gm } = d;
  if (!d.analysis) return;
  const id = d.analysis.split('/').pop();
  await step('3 general: its organisation is not among the analysis\'s readers (the premise)', async () => {
    const n = sql(pgdir, `SELECT count(*) FROM council.post_audience a JOIN council.organisations o ON o.id = a.org_id
      WHERE a.post_id = ${id} AND o.name_ja = ${quote(gm.org)}`)[0][0];
    return { ok: n === '0', detail: `${n} audience rows` };
  });
  await d.go(gm, '/tasks');
  await step('3 general: the badge is what it was before the analysis was posted', async () => {
    const b = await badgeText(gm);
    return { ok: b === d.generalBadge, detail: `badge ${JSON.stringify(b)}, before ${JSON.stringify(d.generalBadge)}` };
  });
  await step('3 general: /tasks has no task and no notification about the analysis', async () => {
    const { tasks, unread } = await readTasks(gm);
    const body = await text(gm.page.locator('main'));
    return {
      ok: !tasks.some((x) => x.href === d.analysis) && !unread.some((u) => u.href === d.analysis) && !body.includes(d.analysisTitle),
      detail: { tasks, unread: unread.slice(0, 5) },
    };
  });
  await audit(gm, '3-tasks');
  await step('3 general: /notifications does not name the analysis', async () => {
    await nav(gm, '/notifications');
    const hrefs = await gm.page.locator('main li.notification a').evaluateAll((as) => as.map((x) => x.getAttribute('href')));
    const body = await text(gm.page.locator('main'));
    return {
      ok: pathOf(gm.page) === '/notifications' && !hrefs.includes(d.analysis) && !body.includes(`#${id}`) && !body.includes(d.analysisTitle),
      detail: { hrefs: hrefs.slice(0, 5) },
    };
  });
  await step('3 general: and the database holds no notification of it for this person', async () => {
    const n = sql(pgdir, 'SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id ' +
      `WHERE p.email = ${quote(gm.email)} AND (n.post_id = ${id} OR n.link = ${quote(d.analysis)})`)[0][0];
    return { ok: n === '0', detail: `${n} rows` };
  });
  await audit(gm, '3-notifications');
  await step('3 general: すべて既読にする clears the badge, and says so once', async () => {
    const res = await follow(gm.page, gm.page.getByRole('button', { name: ja['notifications.read_all'], exact: true }));
    const unread = sql(pgdir, 'SELECT count(*) FROM council.notifications n JOIN council.people p ON p.id = n.person_id ' +
      `WHERE p.email = ${quote(gm.email)} AND n.read_at IS NULL`)[0][0];
    const b = await badgeText(gm);
    const d = await doneMessage(gm);
    return {
      ok: res && res.status() === 200 && pathOf(gm.page) === '/notifications' && d === ja['done.notifications.read'] &&
        b === '' && unread === '0',
      detail: { status: res ? res.status() : 0, done: d, badge: b, unread },
    };
  });
  await audit(gm, '3-read');
  await step('3 general: the analysis\'s URL answers 404', async () => {
    const res = await gm.page.goto(`${base}${d.analysis}`, { waitUntil: 'load' });
    return { ok: res && res.status() === 404, detail: `status ${res ? res.status() : 0}` };
  });
  await audit(gm, '3-hidden', [NOT_FOUND_LOG]);
}

// ---- 4. a consultation, the coordinator's advice, the analyst told

async function advice(d) {
  const { analyst: v1, coordinator: co } = d;
  const title = `day 相談 ${RUN}-${v1.width}: 取引先を装うメール`;
  const adviceTitle = `day 助言 ${RUN}-${v1.width}: 送信ドメイン認証の確認`;
  await d.go(v1, '/feed');
  await nav(v1, '/posts/new');
  await compose(v1, {
    kind: 'consultation', title, body: '取引先を装うメールが届いています。対処の助言をお願いします。', secret: 'no',
    classes: ['type1_group'],
  });
  const consultation = await submitPost(v1, '4 analyst', title);
  if (!consultation) return;
  await doneOnce(v1, '4 analyst', 'done.post.created');
  await audit(v1, '4-consultation');
  const id = consultation.split('/').pop();

  await d.go(co, '/feed');
  await step('4 coordinator: the consultation is in its feed and opens', async () => {
    await follow(co.page, co.page.locator('main .feed-item__title a', { hasText: title }));
    return { ok: pathOf(co.page) === consultation, detail: `at ${co.page.url()}` };
  });
  await audit(co, '4-coordinator-reads');
  await step('4 coordinator: the reply link opens the composer for a reply', async () => {
    await follow(co.page, co.page.getByRole('link', { name: ja['post.reply'], exact: true }));
    const u = new URL(co.page.url());
    return { ok: u.pathname === '/posts/new' && `/posts/${u.searchParams.get('parent')}` === consultation, detail: `at ${co.page.url()}` };
  });
  await compose(co, { kind: 'report', title: adviceTitle, body: 'SPF と DMARC の結果をヘッダーで確認してください。', secret: 'no' });
  const adv = await submitPost(co, '4 coordinator', adviceTitle);
  if (!adv) return;
  await doneOnce(co, '4 coordinator', 'done.post.created');
  await audit(co, '4-advice');

  await d.go(v1, '/feed');
  await step('4 analyst: the badge counts the advice', async () => ({ ok: (await badge(v1)) >= 1, detail: `badge ${await badge(v1)}` }));
  await step('4 analyst: /tasks lists the advice among the unread, with its title', async () => {
    await nav(v1, '/tasks');
    const { unread } = await readTasks(v1);
    const n = unread.filter((u) => u.href === adv);
    return { ok: n.length === 1 && n[0].text === `相談 #${id} に助言がありました: ${adviceTitle}`, detail: { n, unread: unread.slice(0, 3) } };
  });
  await audit(v1, '4-tasks');
  await step('4 analyst: /notifications lists it as unread', async () => {
    await follow(v1.page, v1.page.locator('main a[href="/notifications"]'));
    const li = v1.page.locator('main li.notification', { has: v1.page.locator(`a[href="${adv}"]`) });
    return {
      ok: pathOf(v1.page) === '/notifications' && (await li.count()) === 1 &&
        (await text(li.locator('.badge'))) === ja['notifications.unread'] && (await text(li)).includes(adviceTitle),
      detail: `${await li.count()} items for ${adv}`,
    };
  });
  await audit(v1, '4-notifications');
  await step('4 analyst: the notification opens the advice', async () => {
    await follow(v1.page, v1.page.locator(`main li.notification a[href="${adv}"]`));
    return { ok: pathOf(v1.page) === adv && (await text(v1.page.locator('h1'))) === adviceTitle, detail: `at ${v1.page.url()}` };
  });
  await audit(v1, '4-advice-read');
}

// ---- 5. convening a general assembly

async function assembly(d) {
  const { chair: ch, secretariat: sec } = d;
  const title = `day 総会 ${RUN}-${ch.width}`;
  const rowTitle = `day 規約の改正 ${RUN}`;
  await d.go(ch, '/feed');
  await step('5 chair: the header links to the assemblies, with the convening form', async () => {
    await nav(ch, '/assemblies');
    return {
      ok: pathOf(ch.page) === '/assemblies' && (await ch.page.locator('main form[action="/assemblies"]').count()) === 1,
      detail: `at ${ch.page.url()}`,
    };
  });
  await audit(ch, '5-assemblies');
  const form = ch.page.locator('main form[action="/assemblies"]');
  const rows = form.locator('fieldset.ga-agenda-row');
  const field = (i, key) => rows.nth(i).getByLabel(ja[key], { exact: true });
  await form.locator('> div.field').getByLabel(ja['ga.col.title'], { exact: true }).fill(title);
  await form.locator('> div.field').getByLabel(ja['ga.convene.starts'], { exact: true }).fill(jstIn(7));
  await field(0, 'ga.convene.item_kind').selectOption('report');
  await field(0, 'ga.convene.item_title').fill('活動報告');
  // Row 2: a rule amendment that changes nothing (the Rules' own text).
  const rules = sql(pgdir, "SELECT d.id, replace(v.body, E'\\n', E'\\\\n') FROM council.documents d JOIN council.document_versions v ON v.document_id = d.id " +
    "WHERE d.slug = 'rules' ORDER BY v.version DESC LIMIT 1");
  await field(1, 'ga.convene.item_kind').selectOption('rule_amendment');
  await field(1, 'ga.convene.item_title').fill(rowTitle);
  await field(1, 'ga.convene.item_document').selectOption(rules[0][0]);
  await field(1, 'ga.convene.item_text').fill(rules[0][1].replace(/\\n/g, '\n'));
  await step('5 chair: an error in agenda row 2 answers 422 and names the row, at the top and beside it', async () => {
    const res = await follow(ch.page, form.getByRole('button', { name: ja['ga.convene.submit'] }));
    const top = await text(ch.page.locator('main [role="alert"]').first());
    const beside = await text(rows.nth(1).locator('p.alert'));
    return {
      ok: res && res.status() === 422 && top.startsWith(`${ja['ga.convene.item']} 2: `) && beside === top &&
        (await rows.nth(0).locator('p.alert').count()) === 0,
      detail: { status: res ? res.status() : 0, top, beside },
    };
  });
  await step('5 chair: row 2\'s kind is marked invalid and described by its error', async () => {
    const sel = field(1, 'ga.convene.item_kind');
    const described = await sel.getAttribute('aria-describedby');
    return {
      ok: (await sel.getAttribute('aria-invalid')) === 'true' && described === 'error_2' &&
        (await ch.page.locator('#error_2').count()) === 1 && (await field(0, 'ga.convene.item_kind').getAttribute('aria-invalid')) === null,
      detail: { invalid: await sel.getAttribute('aria-invalid'), described },
    };
  });
  await step('5 chair: what was sent is kept (the title, both rows\' kinds and titles, the document)', async () => {
    const kept = {
      title: await form.locator('> div.field').getByLabel(ja['ga.col.title'], { exact: true }).inputValue(),
      kind1: await field(0, 'ga.convene.item_kind').inputValue(),
      title1: await field(0, 'ga.convene.item_title').inputValue(),
      kind2: await field(1, 'ga.convene.item_kind').inputValue(),
      title2: await field(1, 'ga.convene.item_title').inputValue(),
      doc2: await field(1, 'ga.convene.item_document').inputValue(),
      text2: (await field(1, 'ga.convene.item_text').inputValue()).length,
    };
    return {
      ok: kept.title === title && kept.kind1 === 'report' && kept.title1 === '活動報告' && kept.kind2 === 'rule_amendment' &&
        kept.title2 === rowTitle && kept.doc2 === rules[0][0] && kept.text2 > 0,
      detail: kept,
    };
  });
  await step('5 chair: nothing was convened', async () => ({
    ok: sql(pgdir, `SELECT count(*) FROM council.ga_assemblies WHERE title = ${quote(title)}`)[0][0] === '0',
  }));
  await audit(ch, '5-convene-error', [UNPROCESSABLE_LOG]);

  // The secretariat convenes one for the chair, then closes it: the close
  // needs its confirmation.
  const gaTitle = `day 臨時確認 ${RUN}-${sec.width}`;
  await d.go(sec, '/assemblies');
  const sform = sec.page.locator('main form[action="/assemblies"]');
  await sform.locator('> div.field').getByLabel(ja['ga.col.title'], { exact: true }).fill(gaTitle);
  await sform.locator('> div.field').getByLabel(ja['ga.convene.starts'], { exact: true }).fill(jstIn(7));
  const srow = sform.locator('fieldset.ga-agenda-row').first();
  await srow.getByLabel(ja['ga.convene.item_kind'], { exact: true }).selectOption('report');
  await srow.getByLabel(ja['ga.convene.item_title'], { exact: true }).fill('活動報告');
  let ga = '';
  await step('5 secretariat: convenes a session for the chair', async () => {
    const res = await follow(sec.page, sform.getByRole('button', { name: ja['ga.convene.submit'] }));
    if (res && res.status() === 200 && /^\/assemblies\/\d+$/.test(pathOf(sec.page))) ga = pathOf(sec.page);
    return { ok: ga !== '', detail: `status ${res ? res.status() : 0} at ${sec.page.url()}` };
  });
  if (!ga) return;
  await doneOnce(sec, '5 secretariat', 'done.ga.convened');
  await audit(sec, '5-convened');
  const gaId = ga.split('/').pop();
  const status = () => sql(pgdir, `SELECT status FROM council.ga_assemblies WHERE id = ${gaId}`)[0][0];
  const closeForm = sec.page.locator('main form.confirm-form');
  await step('5 secretariat: closing without the confirmation is refused by the form itself', async () => {
    const box = closeForm.locator('input[name="confirm"]');
    await closeForm.getByRole('button', { name: ja['ga.close'] }).click();
    await sec.page.waitForTimeout(300);
    const missing = await box.evaluate((b) => b.validity.valueMissing);
    return { ok: pathOf(sec.page) === ga && missing && status() === 'convened', detail: { at: sec.page.url(), missing, status: status() } };
  });
  await step('5 secretariat: with the confirmation ticked, the session closes', async () => {
    await closeForm.getByLabel(ja['ga.close.confirm'], { exact: true }).check();
    const res = await follow(sec.page, closeForm.getByRole('button', { name: ja['ga.close'] }));
    return { ok: res && res.status() === 200 && status() === 'closed', detail: { status: status(), at: sec.page.url() } };
  });
  await doneOnce(sec, '5 secretariat', 'done.ga.close');
  await audit(sec, '5-closed');
}

// ---- 6: an act that cannot be undone is asked first

async function revokeToken(d) {
  const a = d.analyst;
  const name = `day-${RUN}-${a.width}`;
  const row = () => a.page.locator('main table tr', { has: a.page.locator('td', { hasText: name }) });
  // The row's button, named for the token (a hidden ": NAME" after its
  // visible text, so that a screen reader tells the rows apart).
  const revoke = () => row().getByRole('button', { name: new RegExp(`^${ja['tokens.revoke']}\\s*:\\s*${name}$`) });
  await d.go(a, '/settings/tokens');
  await a.page.getByLabel(ja['tokens.name'], { exact: true }).fill(name);
  await follow(a.page, a.page.locator('main form button', { hasText: ja['tokens.create'] }));
  await step(`analyst: the token ${name} is made and listed`, async () => ({
    ok: (await a.page.locator('#new-token').count()) === 1 && (await row().count()) === 1, detail: a.page.url() }));
  a.w.reset();
  await follow(a.page, revoke());
  await step('analyst: revoking asks first, naming the token and what follows', async () => {
    const h = await text(a.page.locator('main h1'));
    const subject = await text(a.page.locator('main .confirm__subject'));
    const why = await text(a.page.locator('main #confirm-consequence'));
    return { ok: h === ja['confirm.token.heading'] && subject === name && why === ja['confirm.token.consequence'],
      detail: `h1 ${JSON.stringify(h)}, subject ${JSON.stringify(subject)}, consequence ${JSON.stringify(why)}` };
  });
  await audit(a, '6-confirm');
  await follow(a.page, a.page.getByRole('link', { name: ja['confirm.cancel'], exact: true }));
  await step('analyst: "cancel" goes back and the token is still there', async () => ({
    ok: pathOf(a.page) === '/settings/tokens' && (await row().count()) === 1, detail: a.page.url() }));
  await follow(a.page, revoke());
  await follow(a.page, a.page.getByRole('button', { name: ja['tokens.revoke'], exact: true }));
  await doneOnce(a, 'analyst', 'done.tokens.revoked');
  await step('analyst: confirmed, the token is gone', async () => ({ ok: (await row().count()) === 0, detail: a.page.url() }));
  await audit(a, '6-revoked');
}

// ---- the day, once per width

async function day(browser, size) {
  const people = {};
  for (const role of Object.keys(PERSONAS)) {
    people[role] = await signedIn(browser, base, pgdir, persona(role), role);
    people[role].width = size.width;
    await people[role].page.setViewportSize(size);
  }
  const d = {
    ...people,
    // Open path directly: the start of a visit; the rest is clicks.
    go: (a, path) => a.page.goto(`${base}${path}`, { waitUntil: 'load' }),
  };
  diag(`the day at ${size.width}x${size.height}`);
  const journey = (name, fn) => fn(d).catch((e) => ok(false, `journey ${name} at ${size.width} px`, (e && e.stack) || String(e)));
  try {
    // The assembly first: its notice reaches every member, the general
    // member too, whose badge 3 compares before and after the analysis
    // (and which 3 leaves at zero).
    await journey('5', assembly);
    await d.go(d.general, '/tasks');
    d.generalBadge = await badgeText(d.general);
    d.general.w.reset();
    for (const [name, fn] of [['1', analysis], ['2', feedback], ['3', outside], ['4', advice], ['6', revokeToken]]) {
      await journey(name, fn);
    }
  } finally {
    await Promise.all(Object.values(people).map((a) => a.context.close()));
  }
}

await run(async (browser) => {
  for (const size of [DESK, PHONE]) await day(browser, size);
});
