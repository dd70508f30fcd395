// signin.mjs: the sign-in page in a real browser (Debian's chromium driven
// by playwright-core; no browser is ever downloaded).
//
// Usage: node tests/browser/signin.mjs BASE_URL OUTDIR
// Prints TAP on stdout, writes OUTDIR/signin-ja.png and OUTDIR/signin-en.png,
// exits 1 when any test failed.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [baseArg, outArg] = process.argv.slice(2);
if (!baseArg || !outArg) {
  console.error('usage: node signin.mjs BASE_URL OUTDIR');
  process.exit(2);
}
const base = baseArg.replace(/\/+$/, '');
const outdir = resolve(outArg);
mkdirSync(outdir, { recursive: true });

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const STEP_TIMEOUT = 15000;

let n = 0;
let failed = 0;

function diag(text) {
  for (const line of String(text).split('\n')) console.log(`# ${line}`);
}

function ok(cond, desc, detail) {
  n += 1;
  const d = desc.replace(/#/g, '\\#');
  if (cond) {
    console.log(`ok ${n} - ${d}`);
  } else {
    failed += 1;
    console.log(`not ok ${n} - ${d}`);
    if (detail !== undefined) diag(typeof detail === 'string' ? detail : JSON.stringify(detail));
  }
  return cond;
}

// Run one step; an exception is a failed test, not the end of the run.
async function step(desc, fn) {
  try {
    const r = await fn();
    if (r === undefined || r === true) return ok(true, desc);
    if (r === false) return ok(false, desc);
    return ok(r.ok, desc, r.detail);
  } catch (e) {
    return ok(false, desc, (e && e.message) || String(e));
  }
}

// The accessible label of an input: its <label> elements, else aria-label.
async function labelOf(locator) {
  return locator.evaluate((el) => {
    const fromLabels = el.labels && el.labels.length
      ? el.labels[0].textContent
      : '';
    const text = (fromLabels || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
    return text;
  });
}

// Checks shared by both languages.  problems collects console errors,
// page errors, CSP violations and failed requests since the last reset.
// heading is a RegExp the h1 text must match.
async function checkPage(page, lang, heading, problems, cssResponses) {
  await step(`${lang}: <html lang="${lang}">`, async () => {
    const l = await page.evaluate(() => document.documentElement.lang);
    return { ok: l === lang, detail: `lang is ${JSON.stringify(l)}` };
  });

  await step(`${lang}: the h1 matches ${heading}`, async () => {
    const h1 = page.locator('h1').first();
    const text = (await h1.textContent({ timeout: STEP_TIMEOUT })) || '';
    return { ok: heading.test(text), detail: `h1 is ${JSON.stringify(text)}` };
  });

  for (const [name, type] of [['email', 'email'], ['password', 'password']]) {
    const input = page.locator(`form input[name="${name}"]`);
    await step(`${lang}: the ${name} input is visible`, async () => {
      const visible = await input.first().isVisible();
      return { ok: visible, detail: `${await input.count()} input(s) named ${name}` };
    });
    await step(`${lang}: the ${name} input has type=${type}`, async () => {
      const t = await input.first().getAttribute('type');
      return { ok: t === type, detail: `type is ${JSON.stringify(t)}` };
    });
    await step(`${lang}: the ${name} input is labelled and getByLabel finds it`, async () => {
      const label = await labelOf(input.first());
      if (!label) return { ok: false, detail: 'the input has no label' };
      const byLabel = page.getByLabel(label, { exact: true });
      const count = await byLabel.count();
      if (count !== 1) return { ok: false, detail: `getByLabel(${JSON.stringify(label)}) matched ${count} elements` };
      const same = await byLabel.evaluate((el) => el.name);
      return { ok: same === name, detail: `getByLabel(${JSON.stringify(label)}) found input ${JSON.stringify(same)}` };
    });
  }

  await step(`${lang}: the sign-in form posts to /signin`, async () => {
    const form = page.locator('form:has(input[name="password"])').first();
    const action = await form.getAttribute('action');
    const method = ((await form.getAttribute('method')) || '').toLowerCase();
    return {
      ok: new URL(action || '', page.url()).pathname === '/signin' && method === 'post',
      detail: `action=${JSON.stringify(action)} method=${JSON.stringify(method)}`,
    };
  });

  await step(`${lang}: the stylesheet loaded`, async () => {
    // Read the sheets in the page: a second page may take the stylesheet
    // from the cache, without any response event.
    const sheets = await page.evaluate(() => [...document.styleSheets].map((s) => {
      let rules = -1;
      try { rules = s.cssRules.length; } catch (e) { /* cross-origin */ }
      return { href: s.href, rules };
    }));
    const loaded = sheets.some((s) => s.href && s.href.includes('/static/css/') && s.rules > 0);
    const bad = cssResponses.filter((st) => st >= 400);
    return {
      ok: loaded && bad.length === 0,
      detail: `sheets: ${JSON.stringify(sheets)}, stylesheet responses: ${JSON.stringify(cssResponses)}`,
    };
  });

  await step(`${lang}: body font-family is not the default Times New Roman`, async () => {
    const ff = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    return { ok: !/^\s*"?Times New Roman"?\s*$/i.test(ff) && ff !== '', detail: `font-family: ${ff}` };
  });

  if (lang === 'ja') {
    // Without a CJK font every kana is the same "tofu" box: draw two
    // different kana with the body's font and compare the pixels.
    await step('ja: Japanese text renders with real glyphs (a CJK font is installed)', async () => {
      const r = await page.evaluate(() => {
        const c = document.createElement('canvas');
        c.width = 64;
        c.height = 64;
        const g = c.getContext('2d');
        g.font = `48px ${getComputedStyle(document.body).fontFamily}`;
        const draw = (ch) => {
          g.clearRect(0, 0, 64, 64);
          g.fillText(ch, 4, 52);
          return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
        };
        const a = draw('サ');
        const b = draw('イ');
        const tofu = draw('\u0378');
        return { differ: a !== b, notTofu: a !== tofu, font: g.font };
      });
      return {
        ok: r.differ && r.notTofu,
        detail: `サ and イ draw ${r.differ ? 'differently' : 'the same (tofu)'} with ${r.font};` +
          ' install a CJK font (Debian: fonts-noto-cjk)',
      };
    });
  }

  // Let late console messages (e.g. a blocked image) arrive.
  await page.waitForTimeout(300);
  ok(problems.console.length === 0, `${lang}: no console errors`, problems.console.join('\n'));
  ok(problems.pageerror.length === 0, `${lang}: no uncaught page errors`, problems.pageerror.join('\n'));
  ok(problems.csp.length === 0, `${lang}: no CSP violations`, problems.csp.join('\n'));
  ok(problems.failed.length === 0, `${lang}: every subresource loaded`, problems.failed.join('\n'));
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  ok(true, `launch ${CHROMIUM}`);

  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'ja-JP',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.setDefaultNavigationTimeout(STEP_TIMEOUT);

  const problems = { console: [], pageerror: [], csp: [], failed: [] };
  let cssResponses = [];
  const reset = () => {
    for (const k of Object.keys(problems)) problems[k] = [];
    cssResponses = [];
  };
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      problems.console.push(msg.text());
      if (/Content Security Policy/i.test(msg.text())) problems.csp.push(msg.text());
    }
  });
  page.on('pageerror', (err) => problems.pageerror.push(err.message));
  page.on('requestfailed', (req) => {
    problems.failed.push(`${req.url()}: ${req.failure() ? req.failure().errorText : 'failed'}`);
  });
  page.on('response', (res) => {
    const url = res.url();
    if (/\/static\/css\/[^?]*\.css(\?|$)/.test(url)) cssResponses.push(res.status());
    if (res.status() >= 400 && res.request().resourceType() !== 'document') {
      problems.failed.push(`${url}: HTTP ${res.status()}`);
    }
  });
  // securitypolicyviolation events, reported through a binding (bindings
  // and init scripts are not subject to the page's CSP).
  await page.exposeFunction('__councilCspViolation', (v) => problems.csp.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__councilCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}` +
        ` at ${e.sourceFile || ''}:${e.lineNumber || 0}`);
    });
  });

  // ---- Japanese (the default)
  const res = await page.goto(`${base}/`, { waitUntil: 'load' });
  ok(res && res.status() === 200, 'GET / in the browser: 200', res ? `status ${res.status()}` : 'no response');
  await checkPage(page, 'ja', /ログイン/, problems, cssResponses);
  await step('ja: full-page screenshot signin-ja.png', async () => {
    await page.screenshot({ path: join(outdir, 'signin-ja.png'), fullPage: true });
  });

  // ---- the language switch
  const sw = page.locator('a[hreflang="en"]');
  await step('ja: exactly one language switch link with hreflang="en"', async () => {
    const c = await sw.count();
    return { ok: c === 1, detail: `${c} links` };
  });
  await step('ja: the switch link points to ?lang=en', async () => {
    const href = await sw.first().getAttribute('href');
    const u = new URL(href || '', page.url());
    return { ok: u.searchParams.get('lang') === 'en', detail: `href=${JSON.stringify(href)}` };
  });
  reset();
  const switched = await step('clicking the language switch loads the English page', async () => {
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      sw.first().click(),
    ]);
    return { ok: /[?&]lang=en(&|$)/.test(page.url()), detail: `url ${page.url()}` };
  });
  if (switched) {
    // "Sign in", "Member sign-in": case and hyphen are style, not content.
    await checkPage(page, 'en', /sign[ -]in/i, problems, cssResponses);
    await step('en: a switch link back with hreflang="ja"', async () => {
      const c = await page.locator('a[hreflang="ja"]').count();
      return { ok: c >= 1, detail: `${c} links` };
    });
    await step('en: full-page screenshot signin-en.png', async () => {
      await page.screenshot({ path: join(outdir, 'signin-en.png'), fullPage: true });
    });
  }
} catch (e) {
  ok(false, 'browser session', (e && e.stack) || String(e));
} finally {
  if (browser) {
    try {
      await browser.close();
    } catch (e) {
      diag(`closing the browser: ${e.message}`);
    }
  }
}

console.log(`1..${n}`);
if (failed) diag(`failed ${failed} of ${n} tests`);
process.exit(failed || n === 0 ? 1 : 0);
