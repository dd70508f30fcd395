// layout.mjs: the layout for desk and phone (issue 17 item 9) measured in
// a real browser.  Each persona of the demo council (a general member, a
// Type 1 analyst, a Type 2 member, the coordinator, the secretariat, the
// steering committee's chair), found in the cluster by role, visits every
// main page at 1280 px and at 390 px; on each:
//   - no horizontal overflow: document.documentElement.scrollWidth is at
//     most window.innerWidth (a table scrolls inside its own box instead);
//   - axe-core finds no serious or critical violation;
//   - at 1280 px the navigation is shown, all its links in at most two
//     lines (the distinct line tops of its links), the header at most
//     HEADER_DESK px high (the site's name and the user bar, then the
//     navigation);
//   - at 390 px the navigation is collapsed (its height under 80 px, the
//     header under HEADER_PHONE px), the menu button opens it from the
//     keyboard (focus, Enter) to show every link, and Space closes it;
//   - every control of a form can be hit by touch: radio buttons and
//     checkboxes at least 24 px (or inside a label at least that high).
// The general member also visits every page in English; signed out, the
// sign-in page, the application to join and the documents are checked
// for overflow, axe-core and touch-sized checkboxes.  Full-page
// screenshots at both widths in OUTDIR, named PAGE-WIDTH-LANG.png (the
// first persona to visit a page takes them), and menu-open-390-ja.png
// (the menu opened).  A page a persona may not see (403/404) is skipped
// for that persona, with its status.
//
// Usage: node tests/browser/layout.mjs BASE_URL OUTDIR PGDIR
// (LAYOUT_ONLY=REGEXP: only the personas whose role matches, e.g. while
// working on one page's layout.)
// Prints TAP on stdout, exits 1 when any test failed.
import {
  axeCheck, checkProblems, cliArgs, diag, follow, newPage, ok, run, screenshot, signedIn, skip, sql, step,
} from './lib.mjs';

const { base, outdir, pgdir } = cliArgs('node layout.mjs BASE_URL OUTDIR PGDIR', true);

const DESK = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const HEADER_DESK = 200; // px: two lines of header (name, navigation)
const HEADER_PHONE = 170; // px: name, tagline and the menu button
const NAV_COLLAPSED = 80; // px
const TARGET = 24; // px, WCAG 2.2 target size (minimum)

// The personas by role: [role, SQL condition on p (people) and o (its
// organisation)].  Active members whose language is Japanese; an
// organisation administrator first, so /settings/org is visited too.
const PERSONAS = [
  ['general', "o.tf_class = 'none' AND o.council_role IS NULL " +
    'AND NOT EXISTS (SELECT 1 FROM council.committee_members c WHERE c.person_id = p.id)'],
  ['type1', "o.tf_class = 'type1' AND o.council_role IS NULL"],
  ['type2', "o.tf_class = 'type2' AND o.council_role IS NULL"],
  ['coordinator', "o.council_role = 'coordinator'"],
  ['secretariat', "o.council_role = 'secretariat'"],
  ['chair', 'EXISTS (SELECT 1 FROM council.committee_members c WHERE c.person_id = p.id AND c.is_chair)'],
];

function persona(role, cond) {
  const r = sql(pgdir, 'SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id ' +
    `WHERE p.active AND p.lang = 'ja' AND o.status = 'member' AND ${cond} ` +
    'ORDER BY p.is_org_admin DESC, p.id LIMIT 1');
  if (r.length !== 1) throw new Error(`no ${role} in the demo council`);
  return r[0][0];
}

// The main pages: [name, path].  Pages with an id take the first row the
// demo (or an earlier test) left; absent ones are left out.
function pages() {
  const first = (q) => {
    const r = sql(pgdir, q);
    return r.length ? r[0][0] : null;
  };
  const list = [
    ['tasks', '/tasks'], ['feed', '/feed'], ['search', '/search?q=%E6%94%BB%E6%92%83'], ['compose', '/posts/new'],
    ['consents', '/consents'], ['notifications', '/notifications'],
    ['obligations', '/obligations'], ['ledger', '/ledger'], ['tf', '/tf'], ['cooperation', '/cooperation'],
    ['assemblies', '/assemblies'], ['committee', '/committee'],
    ['settings', '/settings'], ['tokens', '/settings/tokens'], ['org', '/settings/org'],
    ['roster', '/roster'], ['documents', '/documents'], ['incidents', '/incidents'],
    ['incident-new', '/incidents/new'], ['violations', '/violations'],
  ];
  const post = first('SELECT id FROM council.posts ORDER BY id LIMIT 1');
  if (post) list.push(['post', `/posts/${post}`]);
  const ga = first('SELECT id FROM council.ga_assemblies ORDER BY id DESC LIMIT 1');
  if (ga) list.push(['assembly', `/assemblies/${ga}`], ['minutes', `/assemblies/${ga}/minutes`]);
  const motion = first('SELECT id FROM council.sc_motions ORDER BY id DESC LIMIT 1');
  if (motion) list.push(['motion', `/committee/${motion}`]);
  const inc = first('SELECT id FROM council.incident_reports ORDER BY id DESC LIMIT 1');
  if (inc) list.push(['incident', `/incidents/${inc}`]);
  const vio = first('SELECT id FROM council.violation_reports ORDER BY id DESC LIMIT 1');
  if (vio) list.push(['violation', `/violations/${vio}`]);
  // R-CYMAT-1, R-NEW-2: CYMAT's cases (the body's, the team's, the
  // coordinator's; the others get the absent page) and the groups.
  list.push(['cymat', '/cymat'], ['groups', '/groups']);
  const cym = first('SELECT id FROM council.cymat_cases ORDER BY id DESC LIMIT 1');
  if (cym) list.push(['cymat-case', `/cymat/${cym}`]);
  // R-ORG-6: the secretariat's access cases (seen by the grantee, the
  // committee and the coordinator; the others get the absent page).
  list.push(['access-cases', '/access-cases']);
  // R-NEW-1: the analysts' composer of renditions (the coordinator and the
  // government analysts; the others are refused) and the public page.
  list.push(['analysis-new', '/analyses/new'], ['public-analyses', '/public/analyses']);
  const ac = first('SELECT id FROM council.access_cases ORDER BY id DESC LIMIT 1');
  if (ac) list.push(['access-case', `/access-cases/${ac}`]);
  const doc = first('SELECT slug FROM council.documents ORDER BY id LIMIT 1');
  if (doc) list.push(['document', `/documents/${doc}`]);
  return list;
}

// What the page's layout measures, in the browser.
function measure() {
  const box = (el) => (el ? el.getBoundingClientRect() : null);
  const shown = (el) => {
    const r = box(el);
    return !!r && r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const nav = document.querySelector('header nav.user-nav');
  const links = nav ? [...nav.querySelectorAll('a')] : [];
  // Lines of the navigation: link tops more than 8 px apart.
  const tops = links.filter(shown).map((a) => Math.round(box(a).top)).sort((x, y) => x - y);
  let lines = 0;
  let last = -1e9;
  for (const t of tops) {
    if (t - last > 8) lines += 1;
    last = t;
  }
  // Radio buttons and checkboxes smaller than 24 px whose label is too.
  const small = [];
  for (const i of document.querySelectorAll('main input[type="radio"], main input[type="checkbox"]')) {
    if (!shown(i)) continue;
    const r = box(i);
    const label = i.closest('label') || (i.id && document.querySelector(`label[for="${CSS.escape(i.id)}"]`));
    const lr = label ? box(label) : null;
    const big = (x) => x && x.width >= 24 && x.height >= 24;
    if (!big(r) && !big(lr)) small.push(`${i.name}=${i.value} ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    header: Math.round(box(document.querySelector('header')).height),
    nav: nav ? Math.round(box(nav).height) : null,
    links: links.length,
    shownLinks: links.filter(shown).length,
    lines,
    toggle: shown(document.querySelector('header details.menu-toggle > summary')),
    small,
    wide: [...document.querySelectorAll('body *')].filter((e) => box(e).right > window.innerWidth + 1 &&
      getComputedStyle(e).position !== 'absolute' && !e.closest('.table-scroll, .chart-box, pre'))
      .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} right ${Math.round(box(e).right)}`),
  };
}

const shot = new Set();

async function checkWidth(a, name, lang, size) {
  const { page } = a;
  const w = size.width;
  const label = `${a.role}: ${name} (${lang}) at ${w} px`;
  await page.setViewportSize(size);
  const m = await page.evaluate(measure);
  ok(m.scrollWidth <= m.innerWidth, `${label}: no horizontal overflow`,
    `scrollWidth ${m.scrollWidth} > innerWidth ${m.innerWidth}; wide: ${m.wide.join('; ')}`);
  ok(m.small.length === 0, `${label}: radio buttons and checkboxes at least ${TARGET} px (or their labels)`,
    m.small.join('; '));
  if (m.nav === null) {
    ok(false, `${label}: the signed-in navigation is there`);
    return;
  }
  if (w >= 1000) {
    ok(!m.toggle && m.shownLinks === m.links && m.links >= 13 && m.lines >= 1 && m.lines <= 2 &&
      m.header <= HEADER_DESK,
    `${label}: the navigation is shown, in at most two lines, the header at most ${HEADER_DESK} px high`,
    `toggle shown ${m.toggle}, links ${m.shownLinks}/${m.links}, lines ${m.lines}, header ${m.header} px`);
  } else {
    ok(m.toggle && m.nav < NAV_COLLAPSED && m.shownLinks === 0 && m.header < HEADER_PHONE,
      `${label}: the navigation is collapsed behind the menu button, the header under ${HEADER_PHONE} px`,
      `toggle shown ${m.toggle}, nav ${m.nav} px, links shown ${m.shownLinks}, header ${m.header} px`);
  }
  await axeCheck(page, label);
  const file = `${name}-${w}-${lang}.png`;
  if (!shot.has(file)) {
    shot.add(file);
    await screenshot(page, outdir, file);
  }
}

// The menu from the keyboard at 390 px: Tab reaches the button, Enter
// opens it (every link shown), Space closes it again.
async function checkMenu(a, name) {
  const { page } = a;
  const label = `${a.role}: ${name} at 390 px`;
  await page.setViewportSize(PHONE);
  await step(`${label}: the menu opens with Enter from the keyboard and shows every link`, async () => {
    const summary = page.locator('header details.menu-toggle > summary');
    await page.locator('body').focus();
    // Tab from the top of the page until the menu button has the focus.
    let tabs = 0;
    while (tabs < 10 && !(await summary.evaluate((s) => s === document.activeElement))) {
      await page.keyboard.press('Tab');
      tabs += 1;
    }
    if (tabs >= 10) return { ok: false, detail: 'ten Tabs did not reach the menu button' };
    await page.keyboard.press('Enter');
    const m = await page.evaluate(measure);
    const expanded = await page.locator('header details.menu-toggle').evaluate((d) => d.open);
    const hrefs = await page.locator('header nav.user-nav a').evaluateAll((as) => as.map((x) => x.getAttribute('href')));
    return {
      ok: expanded && m.shownLinks === m.links && m.links >= 13 && hrefs[0] === '/tasks' &&
        m.scrollWidth <= m.innerWidth,
      detail: `open ${expanded}, links shown ${m.shownLinks}/${m.links}, first ${hrefs[0]}, scrollWidth ${m.scrollWidth}`,
    };
  });
  await axeCheck(page, `${label} with the menu open`);
  if (!shot.has('menu-open-390-ja.png')) {
    shot.add('menu-open-390-ja.png');
    await screenshot(page, outdir, 'menu-open-390-ja.png');
  }
  await step(`${label}: Space closes the menu again`, async () => {
    await page.keyboard.press('Space');
    const m = await page.evaluate(measure);
    return { ok: m.shownLinks === 0 && m.nav < NAV_COLLAPSED, detail: `links shown ${m.shownLinks}, nav ${m.nav} px` };
  });
}

// The composer's pickers are checkboxes (no <select multiple> needing
// Ctrl-click) that send the fields the list boxes sent, read by the same
// code (server/pages/compose.c, form_get_nth): an organisation checked in
// "org" comes back checked in the refilled form and is in the preview's
// audience; one checked from the keyboard in "exclude_org" beside "all
// members" comes back checked and leaves the audience one smaller.
async function checkPickers(a) {
  const { page } = a;
  await page.setViewportSize(PHONE);
  await page.goto(`${base}/posts/new`, { waitUntil: 'load' });
  await step(`${a.role}: no <select multiple> on the composer`, async () => {
    const n = await page.locator('select[multiple]').count();
    return { ok: n === 0, detail: `${n} found` };
  });
  const box = (field, i) => page.locator(`main fieldset input[type="checkbox"][name="${field}"]`).nth(i);
  const names = await page.locator('main fieldset#compose-orgs label').allTextContents();
  const pick = names.length - 1; // the last: not the persona's own
  const name = (names[pick] || '').trim();
  const preview = async () => {
    await follow(page, page.locator('main button[name="action"][value="preview"]'));
    const s = page.locator('main section.preview');
    if ((await s.count()) === 0) return { text: '', count: -1 };
    return { text: await s.innerText(), count: Number((await s.locator('.preview__count').innerText()).trim()) };
  };
  await page.locator('#compose-body').fill('layout.mjs');
  await page.locator('main input[name="secret"][value="no"]').check();
  await step(`${a.role}: an organisation checked with a click is sent as "org"`, async () => {
    await box('org', pick).click();
    const p = await preview();
    const kept = await box('org', pick).isChecked();
    return { ok: kept && p.text.includes(name), detail: `picked ${name}; still checked ${kept}; preview ${p.text}` };
  });
  await step(`${a.role}: an organisation checked from the keyboard is sent as "exclude_org"`, async () => {
    await box('org', pick).uncheck();
    await page.locator('main input[name="class"][value="all_members"]').check();
    const all = await preview();
    await box('exclude_org', pick).focus();
    await page.keyboard.press('Space');
    const p = await preview();
    const kept = await box('exclude_org', pick).isChecked();
    return { ok: kept && all.count > 1 && p.count === all.count - 1,
      detail: `excluded ${name}; still checked ${kept}; audience ${all.count} -> ${p.count}` };
  });
  await axeCheck(page, `${a.role}: the composer with its preview at 390 px`);
  a.w.reset();
}

async function visit(a, name, path, lang, menu) {
  const { page } = a;
  await page.setViewportSize(DESK);
  const url = `${base}${path}${lang === 'en' ? `${path.includes('?') ? '&' : '?'}lang=en` : ''}`;
  const res = await page.goto(url, { waitUntil: 'load' });
  const status = res ? res.status() : 0;
  if (status !== 200) {
    skip(`${a.role}: ${name} (${lang})`, `${path} answers ${status} to this persona`);
    a.w.reset();
    return;
  }
  await checkWidth(a, name, lang, DESK);
  await checkWidth(a, name, lang, PHONE);
  if (menu) await checkMenu(a, name);
  checkProblems(`${a.role}: ${name} (${lang})`, a.w, [/status of 40[34]/]);
  a.w.reset();
}

// The public pages (sign-in, the application to join and the council's
// texts) at both widths, signed out: no overflow, axe-core, no menu.
async function publicPages(browser) {
  const { context, page, w } = await newPage(browser);
  try {
    for (const [name, path] of [['signin', '/signin'], ['apply', '/apply'], ['documents-public', '/documents'],
      ['analyses-public', '/public/analyses']]) {
      for (const size of [DESK, PHONE]) {
        await page.setViewportSize(size);
        const res = await page.goto(`${base}${path}`, { waitUntil: 'load' });
        const label = `signed out: ${name} at ${size.width} px`;
        const m = await page.evaluate(measure);
        ok(res && res.status() === 200 && m.scrollWidth <= m.innerWidth && m.nav === null && !m.toggle && m.small.length === 0,
          `${label}: 200, no horizontal overflow, no menu, touch-sized checkboxes`,
          `status ${res ? res.status() : 0}, scrollWidth ${m.scrollWidth}, nav ${m.nav}, toggle ${m.toggle}, ` +
          `small ${m.small.join('; ')}; wide: ${m.wide.join('; ')}`);
        await axeCheck(page, label);
        const file = `${name}-${size.width}-ja.png`;
        if (!shot.has(file)) {
          shot.add(file);
          await screenshot(page, outdir, file);
        }
      }
    }
    checkProblems('signed out', w);
  } finally {
    await context.close();
  }
}

await run(async (browser) => {
  await publicPages(browser);
  const list = pages();
  diag(`pages: ${list.map(([n, p]) => `${n} ${p}`).join(', ')}`);
  const only = process.env.LAYOUT_ONLY ? new RegExp(process.env.LAYOUT_ONLY) : null;
  for (const [role, cond] of PERSONAS) {
    if (only && !only.test(role)) continue;
    const email = persona(role, cond);
    const a = await signedIn(browser, base, pgdir, email, role);
    try {
      let first = true;
      for (const [name, path] of list) {
        // The menu from the keyboard on the persona's first page and on
        // the composer (its longest form).
        await visit(a, name, path, 'ja', first || name === 'compose');
        first = false;
      }
      if (role === 'general') {
        await checkPickers(a);
        for (const [name, path] of list) await visit(a, name, path, 'en', name === 'feed');
        // Back to Japanese: ?lang= is remembered in a cookie only.
        await a.page.goto(`${base}/feed?lang=ja`);
      }
    } finally {
      await a.context.close();
    }
  }
  ok(shot.size > 0, 'screenshots taken', `none in ${outdir}`);
  diag(`${shot.size} screenshots in ${outdir}`);
});
