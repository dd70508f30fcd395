// journeys.mjs: the member portal's journeys of issue 4 in a real browser,
// every step through the pages (links, the composer at /posts/new, the
// feedback form), each journey ending with a screenshot:
//   A  a masked consultation and private advice (R-SHARE-1)
//   B  a task-force analysis and Type 1 expert feedback (R-TF-1)
//   C  a countermeasure, a Type 2 "seen here" and the tally (R-TF-1, R-TF-5,
//      R-TF-6)
//   D  a report excluding the supervisors of the author's sector (R-SCOPE-2)
// Every page visited is audited with axe-core (no serious or critical
// violation) and watched for console errors, page errors, CSP violations
// and failed subresources.
//
// Usage: node tests/browser/journeys.mjs BASE_URL OUTDIR PGDIR
//   BASE_URL  a councild with its default cookie_secure = 1
//   OUTDIR    screenshots: consultation-advice.png, analysis-feedback.png,
//             countermeasure-tally.png, supervisors-excluded.png
//   PGDIR     its cluster (deploy/pg.sh), serving the demo council
// People get their sessions without the sign-in form (sign-in is
// signin.mjs's subject; handlers would need a second factor): a session
// row inserted as the cluster's superuser, its token in the browser's
// __Host-council_session cookie, one fresh browser context per person.
// Titles carry Date.now(), so that the script can run again on the same
// cluster.  Prints TAP on stdout, exits 1 when any test failed.
import {
  axeCheck, catalog, checkHeading, checkProblems, cliArgs, diag, follow,
  ok, pathOf, quote, run, screenshot, signedIn, sql, step,
} from './lib.mjs';

const { base, outdir, pgdir } = cliArgs('node journeys.mjs BASE_URL OUTDIR PGDIR', true);
const RUN = Date.now();
const ja = catalog('ja');
// Chromium logs a document's own error status as a console error: expected
// on the 404 pages this script asks for.
const NOT_FOUND_LOG = /status of 404 \(Not Found\)/;

// The cast (demo council).
const CAST = {
  general: 'daisuke.mori@fsa.example.jp', // a general member (FSA)
  analyst: 'takuya.fukuda@sakura-security.example.jp', // Type 1
  type1: 'kaito.matsuda@mizukane-networks.example.jp', // another Type 1
  operator: 'mayu.nakano@toto-bank.example.jp', // Type 2, finance sector
  coordinator: 'taro.yamada@jpcert-cc.example.jp', // JPCERT/CC
  handler: 'ichiro.shimizu@fsa.example.jp', // a handler of the FSA
};

// ---- people and their browsers

// A person's browser (lib.mjs signedIn).
const actor = (browser, email, role) => signedIn(browser, base, pgdir, email, role);

// Every page visited: axe-core and the watch since the last audit.
async function audit(a, label, expected = []) {
  await axeCheck(a.page, `${a.role}: ${label}`);
  checkProblems(`${a.role}: ${label}`, a.w, expected);
  a.w.reset();
}

// Open path directly (the start of a visit; the rest is clicks).
async function open(a, path) {
  return a.page.goto(`${base}${path}`, { waitUntil: 'load' });
}

const text = async (locator) => ((await locator.textContent()) || '').replace(/\s+/g, ' ').trim();
const postPath = /^\/posts\/\d+$/;

// The link in the header's navigation to href, clicked.
async function nav(a, href) {
  return follow(a.page, a.page.locator(`header nav a[href="${href}"]`));
}

// The titles of the feed's first page.
async function feedTitles(a) {
  return (await a.page.locator('main .feed-item__title a').allTextContents()).map((t) => t.trim());
}

// Tomorrow at this minute in Japan, as a datetime-local value (JST).
function tomorrowJst() {
  return new Date(Date.now() + 24 * 3600e3 + 9 * 3600e3).toISOString().slice(0, 16);
}

// Fill the composer (the page must be /posts/new).  f: {kind, confidence,
// title, body, secret ('yes'|'no'), classes [], exclude [], deadline,
// masked}.
async function compose(a, f) {
  const form = a.page.locator('main form[action="/posts/new"]');
  if (f.kind) await form.getByLabel(ja['compose.kind'], { exact: true }).selectOption(f.kind);
  if (f.confidence) await form.getByLabel(ja[`compose.confidence.${f.confidence}`], { exact: true }).check();
  await form.getByLabel(ja['compose.post_title'], { exact: true }).fill(f.title);
  await form.getByLabel(ja['compose.body'], { exact: true }).fill(f.body);
  await form.getByLabel(ja[`compose.secret.${f.secret}`], { exact: true }).check();
  for (const c of f.classes || []) await form.getByLabel(ja[`class.${c}`], { exact: true }).check();
  for (const x of f.exclude || []) await form.getByLabel(ja[`compose.exclude.${x}`], { exact: true }).check();
  if (f.deadline) await form.getByLabel(ja['compose.deadline'], { exact: true }).fill(f.deadline);
  if (f.masked) await form.getByLabel(ja['compose.masked'], { exact: true }).check();
  return form;
}

// The composer's preview: {count, orgs: [{name, author}], masked}.
async function preview(a) {
  const s = a.page.locator('main section.preview');
  const orgs = [];
  let masked = false;
  for (const li of await s.locator('ul.preview__orgs > li').all()) {
    const name = await text(li.locator('span').first());
    if ((await li.locator('span').count()) === 0) {
      masked = (await text(li)) === ja['compose.preview.masked'];
      continue;
    }
    orgs.push({ name, author: (await li.locator('.badge').count()) > 0 });
  }
  return { heading: await text(s.locator('h2')), count: Number(await text(s.locator('.preview__count'))), orgs, masked };
}

// Submit the composer with its "post" button: true when it lands on the
// new post's page, whose h1 is the title.
async function submitPost(a, who, title) {
  return step(`${who}: posting lands on the new post's page`, async () => {
    const res = await follow(a.page, a.page.locator('main button[name="action"][value="post"]'));
    const h1 = await text(a.page.locator('h1').first());
    const alert = await a.page.locator('main [role="alert"]').allTextContents();
    return {
      ok: res && res.status() === 200 && postPath.test(pathOf(a.page)) && h1 === title,
      detail: `status ${res ? res.status() : '(none)'} at ${a.page.url()}, h1 ${JSON.stringify(h1)}` +
        (alert.length ? `, alert ${JSON.stringify(alert)}` : ''),
    };
  });
}

// The 404 page of path against that of an absent post: the same status,
// heading and text (the request id aside).  Returns the test's result.
async function looksAbsent(a, who, path) {
  const absent = Number(sql(pgdir, 'SELECT coalesce(max(id), 0) + 1000000 FROM council.posts')[0][0]);
  const seen = async (p) => {
    const res = await open(a, p);
    const main = (await text(a.page.locator('main'))).replace(/[0-9a-f]{32}/g, 'RID');
    return { status: res ? res.status() : 0, title: await a.page.title(), main };
  };
  const other = await seen(`/posts/${absent}`);
  await audit(a, `the 404 page of an absent post /posts/${absent}`, [NOT_FOUND_LOG]);
  const mine = await seen(path);
  return step(`${who}: ${path} answers the 404 page, exactly as an absent post`, async () => ({
    ok: mine.status === 404 && JSON.stringify(mine) === JSON.stringify(other) &&
      other.title === ja['error.404.title'],
    detail: `${path}: ${JSON.stringify(mine)}\n/posts/${absent}: ${JSON.stringify(other)}`,
  }));
}

// ---- A: consultation -> advice (R-SHARE-1)

async function journeyA(browser) {
  const title = `journeys 相談 ${RUN}: 夜間の不審な通信`;
  const adviceTitle = `journeys 助言 ${RUN}: ログの保全`;
  const g = await actor(browser, CAST.general, 'A general');
  const v1 = await actor(browser, CAST.analyst, 'A analyst');
  const v1b = await actor(browser, CAST.type1, 'A type1');
  try {
    await open(g, '/feed');
    await audit(g, '/feed');
    await step('A general: the header links to the composer', async () => {
      await nav(g, '/posts/new');
      return { ok: pathOf(g.page) === '/posts/new', detail: `at ${g.page.url()}` };
    });
    await checkHeading(g.page, 'A general', ja['compose.heading']);
    await audit(g, '/posts/new');

    await compose(g, {
      kind: 'consultation', title, body: '深夜に外部への不審な通信があります。\n助言をお願いします。',
      secret: 'no', classes: ['type1_group'], masked: true,
    });
    let pv = null;
    await step('A general: the preview button shows who will read it', async () => {
      const res = await follow(g.page, g.page.locator('main button[name="action"][value="preview"]'));
      pv = await preview(g);
      return {
        ok: res && res.status() === 200 && pv.heading === ja['compose.preview.heading'],
        detail: `status ${res ? res.status() : '(none)'}, heading ${JSON.stringify(pv.heading)}`,
      };
    });
    const type1 = sql(pgdir, "SELECT name_ja FROM council.organisations WHERE tf_class = 'type1' AND status = 'member'")
      .map((r) => r[0]);
    await step('A general: the preview names サクラセキュリティ and every Type 1 member', async () => {
      const names = (pv ? pv.orgs : []).map((o) => o.name);
      const missing = type1.filter((t) => !names.includes(t));
      return {
        ok: names.some((nm) => nm.includes('サクラセキュリティ')) && missing.length === 0,
        detail: `listed ${JSON.stringify(names)}, missing ${JSON.stringify(missing)}`,
      };
    });
    await step('A general: the preview\'s count is the organisations listed (Type 1 and the author)', async () => ({
      ok: pv && pv.count === pv.orgs.length && pv.count === type1.length + 1 &&
        pv.orgs.filter((o) => o.author).map((o) => o.name).join() === g.org,
      detail: pv,
    }));
    await step('A general: the preview keeps the form as filled (title, class, masked, secret)', async () => {
      const f = g.page.locator('main form[action="/posts/new"]');
      const t = await f.getByLabel(ja['compose.post_title'], { exact: true }).inputValue();
      const c = await f.getByLabel(ja['class.type1_group'], { exact: true }).isChecked();
      const m = await f.getByLabel(ja['compose.masked'], { exact: true }).isChecked();
      const s = await f.getByLabel(ja['compose.secret.no'], { exact: true }).isChecked();
      return { ok: t === title && c && m && s, detail: { title: t, type1_group: c, masked: m, secretNo: s } };
    });
    await audit(g, '/posts/new with the preview');
    if (!(await submitPost(g, 'A general', title))) return;
    const consultation = pathOf(g.page);
    await audit(g, 'the new consultation');

    // The analyst finds it in its feed; the author is masked.
    await open(v1, '/feed');
    await step('A analyst: the consultation is in its feed, the author masked', async () => {
      const item = v1.page.locator('main .feed-item', { hasText: title });
      if ((await item.count()) !== 1) return { ok: false, detail: `${await item.count()} feed items titled ${title}` };
      const author = await text(item.locator('.feed-item__author'));
      return { ok: author.includes(ja['feed.masked']) && !author.includes(g.org), detail: `author line ${JSON.stringify(author)}` };
    });
    await audit(v1, '/feed');
    await step('A analyst: its title opens the consultation', async () => {
      await follow(v1.page, v1.page.locator('main .feed-item__title a', { hasText: title }));
      return { ok: pathOf(v1.page) === consultation, detail: `at ${v1.page.url()}, expected ${consultation}` };
    });
    await step('A analyst: the consultation shows its author as a masked member, nowhere the FSA\'s name', async () => {
      const author = await text(v1.page.locator('main .feed-item__author'));
      const all = await text(v1.page.locator('body'));
      return {
        ok: author === `${ja['feed.author']} ${ja['feed.masked']}` && !all.includes(g.org),
        detail: `author ${JSON.stringify(author)}; ${g.org} ${all.includes(g.org) ? 'appears' : 'does not appear'}`,
      };
    });
    await audit(v1, 'the consultation');
    await step('A analyst: the reply link opens the composer for a reply', async () => {
      await follow(v1.page, v1.page.getByRole('link', { name: ja['post.reply'], exact: true }));
      const u = new URL(v1.page.url());
      return {
        ok: u.pathname === '/posts/new' && `/posts/${u.searchParams.get('parent')}` === consultation &&
          (await text(v1.page.locator('main .notice').first())) === ja['compose.reply'],
        detail: `at ${v1.page.url()}`,
      };
    });
    await audit(v1, 'the reply composer');
    await compose(v1, {
      kind: 'report', title: adviceTitle, body: 'ファイアウォールとプロキシのログを保全してください。', secret: 'no',
    });
    if (!(await submitPost(v1, 'A analyst', adviceTitle))) return;
    const advice = pathOf(v1.page);
    await step('A analyst: the advice links back to the consultation', async () => {
      const href = await v1.page.getByRole('link', { name: ja['post.parent'], exact: true }).getAttribute('href');
      return { ok: href === consultation, detail: `parent link ${JSON.stringify(href)}` };
    });
    await audit(v1, 'the advice');

    // The consulting member reads the advice from its consultation.
    await open(g, '/feed');
    await audit(g, '/feed again');
    await step('A general: its feed\'s link opens the consultation', async () => {
      await follow(g.page, g.page.locator('main .feed-item__title a', { hasText: title }));
      return { ok: pathOf(g.page) === consultation, detail: `at ${g.page.url()}` };
    });
    await step('A general: the advice is among the replies', async () => {
      const replies = g.page.locator('main section.post__replies');
      const link = replies.getByRole('link', { name: adviceTitle, exact: true });
      return {
        ok: (await text(replies.locator('h2'))) === ja['post.replies'] && (await link.count()) === 1 &&
          (await link.getAttribute('href')) === advice,
        detail: `replies: ${JSON.stringify(await replies.locator('li').allTextContents())}`,
      };
    });
    await audit(g, 'the consultation with its replies');
    await step('A general: the reply opens the advice', async () => {
      await follow(g.page, g.page.locator('main section.post__replies').getByRole('link', { name: adviceTitle, exact: true }));
      const body = await text(g.page.locator('main .post__body'));
      return {
        ok: pathOf(g.page) === advice && (await text(g.page.locator('h1'))) === adviceTitle && body.includes('ログを保全'),
        detail: `at ${g.page.url()}, body ${JSON.stringify(body)}`,
      };
    });
    await step('A general: the adviser is named to the consulting member', async () => {
      const author = await text(g.page.locator('main .feed-item__author'));
      return { ok: author.includes(v1.org), detail: `author ${JSON.stringify(author)}` };
    });
    await screenshot(g.page, outdir, 'consultation-advice.png');
    await audit(g, 'the advice');

    // Another Type 1 member sees the consultation but not the advice.
    await open(v1b, consultation);
    await step('A type1: another Type 1 member reads the consultation, without the advice among its replies', async () => {
      const h1 = await text(v1b.page.locator('h1'));
      const replies = await v1b.page.locator('main section.post__replies a').allTextContents();
      return { ok: h1 === title && !replies.some((r) => r.includes(adviceTitle)), detail: `h1 ${JSON.stringify(h1)}, replies ${JSON.stringify(replies)}` };
    });
    await audit(v1b, 'the consultation');
    await looksAbsent(v1b, 'A type1', advice);
    await audit(v1b, 'the advice\'s URL (404)', [NOT_FOUND_LOG]);
  } finally {
    await Promise.all([g, v1, v1b].map((a) => a.context.close()));
  }
}

// ---- B: TF analysis -> Type 1 expert feedback (R-TF-1)

async function journeyB(browser) {
  const title = `journeys 分析 ${RUN}: C2 サーバーの推定`;
  const comment = `journeys ${RUN}: 同一の C2 を別の検体でも確認しました。`;
  const v1 = await actor(browser, CAST.analyst, 'B analyst');
  const v1b = await actor(browser, CAST.type1, 'B type1');
  try {
    await open(v1, '/feed');
    await audit(v1, '/feed');
    await nav(v1, '/posts/new');
    await audit(v1, '/posts/new');
    await compose(v1, {
      kind: 'analysis', title, body: '検体の通信先から C2 サーバーを推定しました。', secret: 'no',
      classes: ['type1_group'], deadline: tomorrowJst(),
    });
    if (!(await submitPost(v1, 'B analyst', title))) return;
    const post = pathOf(v1.page);
    await step('B analyst: the post asks for feedback, with the deadline', async () => {
      const dl = await text(v1.page.locator('main .feedback__deadline'));
      return { ok: dl.startsWith(ja['feedback.deadline']), detail: `deadline line ${JSON.stringify(dl)}` };
    });
    await audit(v1, 'the new analysis');

    await open(v1b, '/feed');
    await audit(v1b, '/feed');
    await step('B type1: /obligations (header link) lists the analysis', async () => {
      await nav(v1b, '/obligations');
      const item = v1b.page.locator('main .obligation', { hasText: title });
      return { ok: pathOf(v1b.page) === '/obligations' && (await item.count()) === 1, detail: `at ${v1b.page.url()}, ${await item.count()} items` };
    });
    await checkHeading(v1b.page, 'B type1', ja['obligations.heading']);
    await audit(v1b, '/obligations');
    await step('B type1: the obligation opens the analysis', async () => {
      await follow(v1b.page, v1b.page.locator('main .obligation a', { hasText: title }));
      return { ok: pathOf(v1b.page) === post, detail: `at ${v1b.page.url()}` };
    });
    await audit(v1b, 'the analysis, with the feedback form');
    await step('B type1: answers 専門的知見 with a comment', async () => {
      const form = v1b.page.locator('main form.feedback__form');
      await form.getByLabel(ja['feedback.answer.expert'], { exact: true }).check();
      await form.getByLabel(ja['feedback.comment'], { exact: true }).fill(comment);
      const res = await follow(v1b.page, form.getByRole('button', { name: ja['feedback.submit'] }));
      const mine = await text(v1b.page.locator('main .post__feedback p', { hasText: ja['feedback.mine'] }));
      return {
        ok: res && res.status() === 200 && pathOf(v1b.page) === post &&
          mine === `${ja['feedback.mine']} ${ja['feedback.answer.expert']}`,
        detail: `status ${res ? res.status() : '(none)'} at ${v1b.page.url()}, ${JSON.stringify(mine)}`,
      };
    });
    await audit(v1b, 'the analysis, answered');

    await step('B analyst: its post shows the tally, expert 1, and the comment', async () => {
      await v1.page.reload({ waitUntil: 'load' });
      const expert = await text(v1.page.locator('main td.tally__expert'));
      const comments = await v1.page.locator('main .tally__comment').allTextContents();
      return {
        ok: expert === '1' && comments.map((c) => c.trim()).includes(comment),
        detail: `expert ${JSON.stringify(expert)}, comments ${JSON.stringify(comments)}`,
      };
    });
    await screenshot(v1.page, outdir, 'analysis-feedback.png');
    await audit(v1, 'the analysis with its tally');
  } finally {
    await Promise.all([v1, v1b].map((a) => a.context.close()));
  }
}

// ---- C: countermeasure -> Type 2 "seen here" -> tally (R-TF-1, R-TF-5)

async function journeyC(browser) {
  const title = `journeys 対策 ${RUN}: 203.0.113.9 の遮断`;
  const comment = `journeys ${RUN}: VPN 装置 2 台で観測しました。`;
  const v1 = await actor(browser, CAST.analyst, 'C analyst');
  const t2 = await actor(browser, CAST.operator, 'C operator');
  const co = await actor(browser, CAST.coordinator, 'C coordinator');
  try {
    await open(v1, '/feed');
    await audit(v1, '/feed');
    await nav(v1, '/posts/new');
    await audit(v1, '/posts/new');
    await compose(v1, {
      kind: 'countermeasure', confidence: 'high', title, body: '203.0.113.9 への通信を遮断してください。',
      secret: 'no', classes: ['task_force'], deadline: tomorrowJst(),
    });
    if (!(await submitPost(v1, 'C analyst', title))) return;
    const post = pathOf(v1.page);
    await audit(v1, 'the new countermeasure');

    let given = -1;
    await open(t2, '/ledger');
    given = Number(await text(t2.page.locator('main td.ledger__given')));
    await audit(t2, '/ledger before');
    await step('C operator: /obligations (header link) lists the countermeasure', async () => {
      await nav(t2, '/obligations');
      const item = t2.page.locator('main .obligation', { hasText: title });
      return { ok: (await item.count()) === 1, detail: `${await item.count()} items at ${t2.page.url()}` };
    });
    await audit(t2, '/obligations');
    await step('C operator: the obligation opens the countermeasure', async () => {
      await follow(t2.page, t2.page.locator('main .obligation a', { hasText: title }));
      return { ok: pathOf(t2.page) === post, detail: `at ${t2.page.url()}` };
    });
    await step('C operator: the status reads 回答待ち, with the time left', async () => {
      const dl = await text(t2.page.locator('main .feedback__deadline'));
      return {
        ok: dl.includes(ja['feedback.status.open']) && dl.includes(`${ja['feedback.left']} `) &&
          /\d/.test(dl.split(ja['feedback.left'])[1] || ''),
        detail: `deadline line ${JSON.stringify(dl)}`,
      };
    });
    await step('C operator: no expert answer is offered to Type 2', async () => ({
      ok: (await t2.page.locator('main form.feedback__form input[value="expert"]').count()) === 0,
      detail: 'the form offers expert feedback',
    }));
    await audit(t2, 'the countermeasure, with the feedback form');
    await step('C operator: picks 観測あり, comments and submits', async () => {
      const form = t2.page.locator('main form.feedback__form');
      await form.getByLabel(ja['feedback.answer.seen'], { exact: true }).check();
      await form.getByLabel(ja['feedback.comment'], { exact: true }).fill(comment);
      const res = await follow(t2.page, form.getByRole('button', { name: ja['feedback.submit'] }));
      return { ok: res && res.status() === 200 && pathOf(t2.page) === post, detail: `status ${res ? res.status() : '(none)'} at ${t2.page.url()}` };
    });
    await step('C operator: sees its answer, 観測あり, and the status 回答済み', async () => {
      const mine = await text(t2.page.locator('main .post__feedback p', { hasText: ja['feedback.mine'] }));
      const dl = await text(t2.page.locator('main .feedback__deadline'));
      return {
        ok: mine === `${ja['feedback.mine']} ${ja['feedback.answer.seen']}` && dl.includes(ja['feedback.status.answered']),
        detail: `${JSON.stringify(mine)}; ${JSON.stringify(dl)}`,
      };
    });
    await audit(t2, 'the countermeasure, answered');
    await step('C operator: its /ledger (header link) counts one more feedback given', async () => {
      await nav(t2, '/ledger');
      const now = Number(await text(t2.page.locator('main td.ledger__given')));
      return { ok: now >= 1 && now === given + 1, detail: `feedback given ${given} before, ${now} now` };
    });
    await checkHeading(t2.page, 'C operator', ja['ledger.heading']);
    await audit(t2, '/ledger');

    await step('C analyst: its countermeasure shows 観測あり 1 and the comment', async () => {
      await v1.page.reload({ waitUntil: 'load' });
      const seen = await text(v1.page.locator('main td.tally__seen'));
      const comments = (await v1.page.locator('main .tally__comment').allTextContents()).map((c) => c.trim());
      return { ok: seen === '1' && comments.includes(comment), detail: `seen ${JSON.stringify(seen)}, comments ${JSON.stringify(comments)}` };
    });
    await step('C analyst: R-TF-6: the page does not name the organisation that answered', async () => {
      const all = await text(v1.page.locator('body'));
      return { ok: !all.includes(t2.org), detail: `${t2.org} appears on the author's page` };
    });
    await screenshot(v1.page, outdir, 'countermeasure-tally.png');
    await audit(v1, 'the countermeasure with its tally');

    await open(co, post);
    await step('C coordinator: sees which organisation answered', async () => {
      const comments = await text(co.page.locator('main ul.tally__comments'));
      return { ok: comments.includes(t2.org) && comments.includes(comment), detail: `comments ${JSON.stringify(comments)}` };
    });
    await audit(co, 'the countermeasure with its tally');
  } finally {
    await Promise.all([v1, t2, co].map((a) => a.context.close()));
  }
}

// ---- D: a report excluding the supervisors of the author's sector (R-SCOPE-2)

async function journeyD(browser) {
  const title = `journeys 報告 ${RUN}: 不正送金の手口`;
  // The supervisors of the operator's sector: the FSA for finance.  The
  // handler of the cast if its organisation is one, else a person of one.
  const sup = sql(pgdir, 'SELECT o.id, o.name_ja FROM council.org_supervises s ' +
    'JOIN council.organisations o ON o.id = s.org_id JOIN council.organisations a ' +
    `ON a.sector_code = s.sector_code JOIN council.people p ON p.org_id = a.id WHERE p.email = ${quote(CAST.operator)} ` +
    'ORDER BY o.id');
  if (!ok(sup.length > 0, 'D: the operator\'s sector has a supervising ministry (org_supervises)', sup)) return;
  const supIds = sup.map((r) => r[0]).join(',');
  let handler = sql(pgdir, `SELECT p.email FROM council.people p WHERE p.email = ${quote(CAST.handler)} AND p.org_id IN (${supIds})`);
  if (handler.length === 0) {
    handler = sql(pgdir, `SELECT p.email FROM council.people p WHERE p.active AND p.lang = 'ja' AND p.org_id IN (${supIds}) ORDER BY p.id LIMIT 1`);
  }
  // A general member of a ministry that does not supervise the sector: the
  // exclusion is of the supervisors, not of every ministry.
  const other = sql(pgdir, "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id WHERE p.active AND p.lang = 'ja' " +
    `AND o.status = 'member' AND o.council_role IS NULL AND o.tf_class = 'none' AND NOT o.is_investigative AND o.category = 'national_agency' AND o.id NOT IN (${supIds}) ORDER BY p.id LIMIT 1`);
  if (!ok(handler.length === 1 && other.length === 1, 'D: a person of the supervisor and a general member of another ministry',
    { handler, other })) return;
  const t2 = await actor(browser, CAST.operator, 'D operator');
  const fsa = await actor(browser, handler[0][0], 'D supervisor');
  const gm = await actor(browser, other[0][0], 'D other');
  try {
    await open(t2, '/feed');
    await audit(t2, '/feed');
    await nav(t2, '/posts/new');
    await audit(t2, '/posts/new');
    await compose(t2, {
      kind: 'report', title, body: '偽の送金指示メールを確認しました。', secret: 'no',
      classes: ['all_members'], exclude: ['supervisors'],
    });
    await step('D operator: the preview leaves the supervising ministry out and lists the other ministry', async () => {
      await follow(t2.page, t2.page.locator('main button[name="action"][value="preview"]'));
      const names = (await preview(t2)).orgs.map((o) => o.name);
      return {
        ok: names.length > 0 && !names.includes(fsa.org) && names.includes(gm.org) && names.includes(t2.org),
        detail: `${fsa.org} ${names.includes(fsa.org) ? 'listed' : 'not listed'}, ${gm.org} ${names.includes(gm.org) ? 'listed' : 'not listed'}`,
      };
    });
    await step('D operator: the preview keeps the exclusion checked', async () => (
      t2.page.locator('main form[action="/posts/new"]').getByLabel(ja['compose.exclude.supervisors'], { exact: true }).isChecked()
    ));
    await audit(t2, '/posts/new with the preview');
    if (!(await submitPost(t2, 'D operator', title))) return;
    const post = pathOf(t2.page);
    await audit(t2, 'the new report');

    await open(gm, '/feed');
    await audit(gm, '/feed');
    await step('D other: a general member of another ministry finds it in its feed and opens it', async () => {
      const titles = await feedTitles(gm);
      if (!titles.includes(title)) return { ok: false, detail: `not among ${JSON.stringify(titles)}` };
      await follow(gm.page, gm.page.locator('main .feed-item__title a', { hasText: title }));
      return { ok: pathOf(gm.page) === post, detail: `at ${gm.page.url()}` };
    });
    await audit(gm, 'the report');

    await open(fsa, '/feed');
    await step('D supervisor: the report is not in the supervisor\'s feed', async () => {
      const titles = await feedTitles(fsa);
      return {
        ok: titles.length > 0 && !titles.includes(title) && !titles.some((t) => t.includes(`${RUN}: 不正送金`)),
        detail: `feed titles ${JSON.stringify(titles)}`,
      };
    });
    await audit(fsa, '/feed');
    await looksAbsent(fsa, 'D supervisor', post);
    await screenshot(fsa.page, outdir, 'supervisors-excluded.png');
    await audit(fsa, 'the report\'s URL (404)', [NOT_FOUND_LOG]);
  } finally {
    await Promise.all([t2, fsa, gm].map((a) => a.context.close()));
  }
}

await run(async (browser) => {
  for (const [name, journey] of [['A', journeyA], ['B', journeyB], ['C', journeyC], ['D', journeyD]]) {
    await journey(browser).catch((e) => ok(false, `journey ${name}`, (e && e.stack) || String(e)));
  }
});
