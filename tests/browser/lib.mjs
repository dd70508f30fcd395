// lib.mjs: what the browser tests share (signin.mjs, journeys.mjs): TAP
// output, the demo cluster through deploy/pg.sh, the message catalogs,
// Debian's chromium driven by playwright-core (no browser is ever
// downloaded), a watch on every page for console errors, page errors, CSP
// violations and failed subresources, screenshots and axe-core audits.
//
// axe-core is not added with a <script> tag: the Content-Security-Policy
// (script-src 'self') would block it, and bypassCSP would also silence the
// CSP checks.  Its source is evaluated through the DevTools protocol
// (page.evaluate), which the page's policy does not govern, so every page
// is checked under its real policy.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const STEP_TIMEOUT = 15000;
export const SESSION_COOKIE = '__Host-council_session';
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// The command line BASE_URL OUTDIR [PGDIR]: {base (no trailing slash),
// outdir (created), pgdir ('' when absent)}.  Prints usage and exits 2
// when one is missing (PGDIR counts when pgRequired).
export function cliArgs(usage, pgRequired) {
  const [baseArg, outArg, pgArg] = process.argv.slice(2);
  if (!baseArg || !outArg || (pgRequired && !pgArg)) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  const outdir = resolve(outArg);
  mkdirSync(outdir, { recursive: true });
  return { base: baseArg.replace(/\/+$/, ''), outdir, pgdir: pgArg ? resolve(pgArg) : '' };
}

// ---- TAP

let n = 0;
let failed = 0;

export function diag(text) {
  for (const line of String(text).split('\n')) console.log(`# ${line}`);
}

export function ok(cond, desc, detail) {
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

export function skip(desc, reason) {
  n += 1;
  console.log(`ok ${n} - ${desc.replace(/#/g, '\\#')} # SKIP ${reason}`);
}

// Run one step; an exception is a failed test, not the end of the run.
// fn returns true or nothing (passed), false, or {ok, detail}.
export async function step(desc, fn) {
  try {
    const r = await fn();
    if (r === undefined || r === true) return ok(true, desc);
    if (r === false) return ok(false, desc);
    return ok(r.ok, desc, r.detail);
  } catch (e) {
    return ok(false, desc, (e && e.message) || String(e));
  }
}

// The plan, then exit: 1 when any test failed or none ran.
export function done() {
  console.log(`1..${n}`);
  if (failed) diag(`failed ${failed} of ${n} tests`);
  process.exit(failed || n === 0 ? 1 : 0);
}

// ---- the database and the message catalogs

// Rows of query in PGDIR's database, as arrays of columns (tab-separated),
// run by deploy/pg.sh psql (the cluster's superuser).
export function sql(pgdir, query) {
  const out = execFileSync(join(ROOT, 'deploy/pg.sh'),
    ['psql', pgdir, '-qAt', '-F', '\t', '-c', query],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// s as an SQL string literal.
export const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;

// msgid -> msgstr of po/LANG.po (continuation lines joined).
export function catalog(lang) {
  const text = readFileSync(join(ROOT, 'po', `${lang}.po`), 'utf8');
  const unq = (s) => JSON.parse(s);
  const map = {};
  let id = null;
  let str = null;
  let cur = null;
  const flush = () => { if (id !== null && str !== null) map[id] = str; };
  for (const line of text.split('\n')) {
    let m;
    if ((m = /^msgid\s+(".*")\s*$/.exec(line))) {
      flush();
      id = unq(m[1]);
      str = null;
      cur = 'id';
    } else if ((m = /^msgstr\s+(".*")\s*$/.exec(line))) {
      str = unq(m[1]);
      cur = 'str';
    } else if ((m = /^\s*(".*")\s*$/.exec(line))) {
      if (cur === 'id') id += unq(m[1]);
      else if (cur === 'str') str += unq(m[1]);
    } else {
      cur = null;
    }
  }
  flush();
  return map;
}

// ---- the browser and its pages

// Debian's chromium, headless; one test for the launch itself.
export async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  ok(true, `launch ${CHROMIUM}`);
  return browser;
}

// Launch the browser, run body(browser), close the browser, print the plan
// and exit.  An exception out of body is one failed test.
export async function run(body) {
  let browser;
  try {
    browser = await launch();
    await body(browser);
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
  done();
}

// Console errors, page errors, CSP violations, failed subresources and
// stylesheet statuses of page since the last reset().
export async function watch(page) {
  const problems = { console: [], pageerror: [], csp: [], failed: [] };
  const cssResponses = [];
  const reset = () => {
    for (const k of Object.keys(problems)) problems[k] = [];
    cssResponses.length = 0;
  };
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      problems.console.push(msg.text());
      if (/Content Security Policy/i.test(msg.text())) problems.csp.push(msg.text());
    }
  });
  page.on('pageerror', (err) => problems.pageerror.push(err.message));
  page.on('requestfailed', (req) => {
    // Chromium fetches the icon for its own tab strip, after the page's
    // load event; the next navigation cancels it when it is still under
    // way.  The page has lost nothing (an icon that fails to load answers
    // with an HTTP error, caught below).
    const f = req.failure();
    if (f && f.errorText === 'net::ERR_ABORTED' && /\/static\/img\/favicon\.svg$/.test(req.url())) return;
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
  return { problems, cssResponses, reset };
}

// A fresh context (no cookies, Japanese, 1280x900) with one watched page;
// locale sets the browser's language (its Accept-Language header).
export async function newPage(browser, locale = 'ja-JP') {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.setDefaultNavigationTimeout(STEP_TIMEOUT);
  const w = await watch(page);
  return { context, page, w };
}

// A person's browser: a fresh context whose cookie holds a session made
// in the database (the cluster pgdir, as its superuser): sign-in itself is
// signin.mjs's subject, and handlers would need a second factor.
// {email, role, name, org, context, page, w}.
export async function signedIn(browser, base, pgdir, email, role) {
  const who = sql(pgdir, 'SELECT p.name_ja, o.name_ja FROM council.people p JOIN council.organisations o ' +
    `ON o.id = p.org_id WHERE p.email = ${quote(email)}`);
  if (who.length !== 1) throw new Error(`no person ${email}`);
  const token = randomBytes(32).toString('hex');
  const made = sql(pgdir, 'WITH s AS (INSERT INTO council.sessions (token_hash, person_id, expires_at, kind) ' +
    `SELECT sha256(convert_to(${quote(token)}, 'UTF8')), id, now() + interval '1 hour', 'web' ` +
    `FROM council.people WHERE email = ${quote(email)} RETURNING 1) SELECT count(*) FROM s`);
  if (made[0][0] !== '1') throw new Error(`no session for ${email}`);
  const { context, page, w } = await newPage(browser);
  // domain and path, not url: for an http: url the DevTools protocol drops
  // Secure, and then refuses a __Host- cookie ("Invalid cookie fields").
  // Chromium sends Secure cookies to 127.0.0.1 and localhost over http.
  await context.addCookies([{
    name: SESSION_COOKIE, value: token, domain: new URL(base).hostname, path: '/',
    secure: true, httpOnly: true, sameSite: 'Strict',
  }]);
  diag(`${role}: ${email} (${who[0][0]}, ${who[0][1]})`);
  return { email, role, name: who[0][0], org: who[0][1], context, page, w };
}

// Click what navigates (a link, a submit button); the response of the
// document it ends on (after redirects).  A form POST refused with 403 is
// explained by the headers councild judges it by (auth_origin_ok).
export async function follow(page, locator) {
  const posts = [];
  const onRequest = (r) => {
    if (r.method() === 'POST' && r.isNavigationRequest()) posts.push(r);
  };
  page.on('request', onRequest);
  let res;
  try {
    [res] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      locator.click(),
    ]);
  } finally {
    page.off('request', onRequest);
  }
  if (res && res.status() === 403 && posts.length) {
    const h = await posts[0].allHeaders();
    diag(`POST ${new URL(posts[0].url()).pathname} refused (403); the browser sent ` +
      `Origin: ${h.origin}, Sec-Fetch-Site: ${h['sec-fetch-site']}`);
  }
  return res;
}

export const pathOf = (page) => new URL(page.url()).pathname;

export async function checkHeading(page, who, text) {
  return step(`${who}: the h1 reads ${JSON.stringify(text)} and is visible`, async () => {
    const h1 = page.locator('h1').first();
    const t = ((await h1.textContent()) || '').trim();
    return { ok: t === text && (await h1.isVisible()), detail: `h1 ${JSON.stringify(t)} on ${page.url()}` };
  });
}

// One summary test for a journey's console, CSP and subresource problems
// since w.reset(); messages matching one of expected are left out.
export function checkProblems(who, w, expected = []) {
  const p = w.problems;
  const all = [...p.console, ...p.pageerror, ...p.csp.filter((c) => !p.console.includes(c)), ...p.failed]
    .filter((m) => !expected.some((re) => re.test(m)));
  ok(all.length === 0, `${who}: no console errors, page errors, CSP violations or failed subresources`, all.join('\n'));
}

// A full-page screenshot OUTDIR/name, as one test.
export async function screenshot(page, outdir, name) {
  await step(`screenshot ${name}`, async () => {
    await page.screenshot({ path: join(outdir, name), fullPage: true });
  });
}

// axe-core on the page as it is: zero violations of impact serious or
// critical.  Lesser ones are listed as diagnostics.
export async function axeCheck(page, label) {
  let minor = [];
  let incomplete = [];
  await step(`a11y: ${label}: axe-core finds no serious or critical violation`, async () => {
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
      await page.evaluate(AXE_SOURCE);
    }
    const result = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      const ids = (list) => list.map((x) => x.id);
      return { passes: ids(r.passes), incomplete: ids(r.incomplete), violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.length,
        target: v.nodes.length ? v.nodes[0].target.join(' ') : '',
        summary: v.nodes.length ? (v.nodes[0].failureSummary || '').replace(/\s+/g, ' ').trim() : '',
      })) };
    });
    const { violations } = result;
    if (result.passes.length === 0) return { ok: false, detail: `axe passed no rule on ${page.url()}: did it run?` };
    incomplete = result.incomplete;
    const line = (v) => `${v.id} (${v.impact}) ${v.target}${v.nodes > 1 ? ` and ${v.nodes - 1} more` : ''}: ${v.help}` +
      (v.summary ? ` [${v.summary}]` : '');
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    minor = violations.filter((v) => !bad.includes(v));
    return { ok: bad.length === 0, detail: `on ${page.url()}\n${bad.map(line).join('\n')}` };
  });
  for (const v of minor) {
    diag(`axe ${label}: ${v.id} (${v.impact}) ${v.target}: ${v.help}`);
  }
  // Rules axe could not decide (e.g. contrast over an image): to review.
  if (incomplete.length) diag(`axe ${label}: needs review: ${incomplete.join(', ')}`);
}
