// signin.mjs: the sign-in page and the sign-in journeys in a real browser
// (Debian's chromium driven by playwright-core), with an axe-core
// accessibility check of every page visited.
//
// Usage: node tests/browser/signin.mjs BASE_URL OUTDIR [PGDIR]
//   BASE_URL  a councild with its default cookie_secure = 1
//   OUTDIR    screenshots: signin-ja.png, signin-en.png, and with PGDIR
//             feed-ja.png, feed-en.png, recovery-ja.png, enrol-qr-ja.png
//             (the enrolment page's QR code, which zbarimg must read as
//             the otpauth:// URI of the secret the page shows)
//   PGDIR     its cluster (deploy/pg.sh), serving the demo council
//             (password COUNCIL_DEMO_PASSWORD, default council-demo-2026):
//             the journeys find their people there by role.  Without it the
//             journeys are skipped and only the sign-in page is checked.
// Journey B enrols a handler's second factor, which the database keeps:
// each run takes the next handler without one (README.md tells how to
// reset one).
// Prints TAP on stdout, exits 1 when any test failed.  The helpers it
// shares with journeys.mjs (TAP, the cluster, chromium, the page watch,
// axe-core) are in lib.mjs.
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, randomInt } from 'node:crypto';
import { join } from 'node:path';
import {
  axeCheck, catalog, checkHeading, checkProblems, cliArgs, diag, follow,
  newPage, ok, pathOf, quote, run, screenshot, SESSION_COOKIE, skip, sql,
  step, STEP_TIMEOUT,
} from './lib.mjs';

const { base, outdir, pgdir } = cliArgs('node signin.mjs BASE_URL OUTDIR [PGDIR]', false);
const PASSWORD = process.env.COUNCIL_DEMO_PASSWORD || 'council-demo-2026';
const PENDING_COOKIE = '__Host-council_pending';

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

// ---- the database, TOTP

// The person with this e-mail: {email, nameJa, nameEn}.
function person(email) {
  const rows = sql(pgdir, `SELECT email, name_ja, name_en FROM council.people WHERE email = ${quote(email)}`);
  if (rows.length !== 1) throw new Error(`no person ${email}`);
  return { email: rows[0][0], nameJa: rows[0][1], nameEn: rows[0][2] };
}

// RFC 4648 base32, no padding required.
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${JSON.stringify(ch)}`);
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// RFC 6238: HMAC-SHA1 of the 8-byte big-endian step floor(t / 30),
// dynamic truncation, digits decimal digits.
function totp(secret, timeMs = Date.now(), digits = 6) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 1000 / 30)));
  const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0x0f;
  const bin = h.readUInt32BE(o) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

// ---- pages

// Type e-mail and password into /signin's form and submit it.
async function signIn(page, email, password) {
  let form = page.locator('form:has(input[name="password"])');
  if (pathOf(page) !== '/signin' || (await form.count()) === 0) {
    await page.goto(`${base}/signin`, { waitUntil: 'load' });
  }
  form = form.first();
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="password"]').fill(password);
  let res = await follow(page, form.locator('button[type="submit"]'));
  if (res && res.status() === 429) {
    // The earlier layers share this address's sign-in budget (throttle.h):
    // wait as told, once.
    const text = (await page.locator('[role="alert"]').first().textContent()) || '';
    const m = /\((\d+)\)/.exec(text);
    const wait = m ? Number(m[1]) : 0;
    diag(`sign-in of ${email} throttled: ${text.trim()}`);
    if (wait > 0 && wait <= 60) {
      await page.waitForTimeout(wait * 1000 + 500);
      form = page.locator('form:has(input[name="password"])').first();
      await form.locator('input[name="email"]').fill(email);
      await form.locator('input[name="password"]').fill(password);
      res = await follow(page, form.locator('button[type="submit"]'));
    }
  }
  return res;
}

async function cookie(context, name) {
  return (await context.cookies(base)).find((c) => c.name === name);
}

// The session cookie as councild must set it: __Host- (Secure, Path=/, no
// Domain), HttpOnly, SameSite=Strict, a 256-bit hex token.
async function checkSessionCookie(context, who) {
  await step(`${who}: the cookie ${SESSION_COOKIE} is stored, HttpOnly, Secure, SameSite=Strict, Path=/, host-only`, async () => {
    const c = await cookie(context, SESSION_COOKIE);
    if (!c) {
      const names = (await context.cookies()).map((x) => x.name);
      return { ok: false, detail: `not stored (the browser keeps: ${JSON.stringify(names)})` };
    }
    return {
      ok: c.httpOnly === true && c.secure === true && c.sameSite === 'Strict' &&
        c.path === '/' && !c.domain.startsWith('.') && /^[0-9a-f]{64}$/.test(c.value),
      detail: { ...c, value: `${c.value.length} characters` },
    };
  });
}

async function checkName(page, who, name) {
  await step(`${who}: the header shows the member's name (${name})`, async () => {
    const el = page.locator('header .user-nav__who').first();
    const t = ((await el.textContent()) || '').replace(/\s+/g, ' ').trim();
    return { ok: t.includes(name) && (await el.isVisible()), detail: `header shows ${JSON.stringify(t)}` };
  });
}

// ---- the journeys

// A wrong password, then journey A: a plain member signs in, reads the
// feed in both languages and the token page, and signs out.
async function journeyA(browser, who, ja) {
  const msgJa = ja['signin.error.invalid'];
  const { context, page, w } = await newPage(browser);
  try {
    await page.goto(`${base}/signin`, { waitUntil: 'load' });
    w.reset();
    const bad = await signIn(page, who.email, `${PASSWORD}-wrong`);
    await step('wrong password: answered 401 on /signin', async () => ({
      ok: bad && bad.status() === 401 && pathOf(page) === '/signin',
      detail: `status ${bad ? bad.status() : '(none)'} at ${page.url()}`,
    }));
    await step('wrong password: a role="alert" shows the generic message', async () => {
      const alert = page.locator('[role="alert"]');
      if ((await alert.count()) === 0) return { ok: false, detail: `no role="alert" on ${page.url()}` };
      const t = ((await alert.first().textContent()) || '').trim();
      return {
        ok: (await alert.count()) === 1 && (await alert.first().isVisible()) && t === msgJa,
        detail: `alert ${JSON.stringify(t)}, expected ${JSON.stringify(msgJa)}`,
      };
    });
    await step('wrong password: the e-mail is kept, the password is not', async () => {
      if ((await page.locator('input[name="email"]').count()) === 0) return { ok: false, detail: 'no sign-in form' };
      const e = await page.locator('input[name="email"]').inputValue();
      const p = await page.locator('input[name="password"]').inputValue();
      return { ok: e === who.email && p === '', detail: `email ${JSON.stringify(e)}, password ${p.length} characters` };
    });
    await step('wrong password: no session cookie', async () => {
      const c = await cookie(context, SESSION_COOKIE);
      return { ok: !c, detail: 'a session cookie is set' };
    });
    await axeCheck(page, '/signin with the error (ja)');
    // Chromium logs the page's own 401 as a console error.
    checkProblems('wrong password', w, [/status of 401 \(Unauthorized\)/]);
    w.reset();

    const res = await signIn(page, who.email, PASSWORD);
    const landed = await step('A: a plain member signs in and lands on /feed', async () => ({
      ok: pathOf(page) === '/feed' && res && res.status() === 200,
      detail: `status ${res ? res.status() : '(none)'} at ${page.url()}`,
    }));
    if (!landed) return;
    await checkHeading(page, 'A', '新着の投稿');
    await checkName(page, 'A', who.nameJa);
    await checkSessionCookie(context, 'A');
    await step('A: no pending sign-in cookie', async () => ({
      ok: !(await cookie(context, PENDING_COOKIE)), detail: 'a pending cookie is set',
    }));
    await screenshot(page, outdir, 'feed-ja.png');
    await axeCheck(page, '/feed (ja)');

    const postLink = page.locator('main .feed-item__title a[href]').first();
    if ((await postLink.count()) === 0) {
      skip('A: a post title in the feed opens the post page', 'the feed is empty');
    } else {
      const title = ((await postLink.textContent()) || '').trim();
      const opened = await step('A: a post title in the feed opens the post page', async () => {
        await follow(page, postLink);
        const h1 = ((await page.locator('h1').first().textContent()) || '').trim();
        return {
          ok: /^\/posts\/\d+$/.test(pathOf(page)) && h1 === title,
          detail: `h1 ${JSON.stringify(h1)} at ${page.url()}, link ${JSON.stringify(title)}`,
        };
      });
      if (opened) await axeCheck(page, '/posts/N (ja)');
    }

    await step('A: the header links to the API tokens page', async () => {
      await follow(page, page.locator('header a[href="/settings/tokens"]'));
      const h1 = page.locator('h1').first();
      return {
        ok: pathOf(page) === '/settings/tokens' && (await h1.isVisible()),
        detail: `at ${page.url()}`,
      };
    });
    await axeCheck(page, '/settings/tokens (ja)');
    await step('A: ... and back to the feed', async () => {
      await follow(page, page.locator('header a[href="/feed"]'));
      return { ok: pathOf(page) === '/feed', detail: `at ${page.url()}` };
    });

    await step('A: the language link switches the feed to English', async () => {
      await follow(page, page.locator('a[hreflang="en"]').first());
      const l = await page.evaluate(() => document.documentElement.lang);
      return { ok: pathOf(page) === '/feed' && l === 'en', detail: `lang ${JSON.stringify(l)} at ${page.url()}` };
    });
    await checkHeading(page, 'A en', 'Latest posts');
    await checkName(page, 'A en', who.nameEn);
    await screenshot(page, outdir, 'feed-en.png');
    await axeCheck(page, '/feed (en)');
    // Issue 17: the switch is a choice that persists, not one page.
    await step('A: the choice sticks: the next page (API tokens) is in English too', async () => {
      await follow(page, page.locator('header a[href="/settings/tokens"]'));
      const l = await page.evaluate(() => document.documentElement.lang);
      return { ok: pathOf(page) === '/settings/tokens' && l === 'en', detail: `lang ${JSON.stringify(l)} at ${page.url()}` };
    });
    await step('A: ... and switching back to Japanese sticks as well', async () => {
      await follow(page, page.locator('a[hreflang="ja"]').first());
      await follow(page, page.locator('header a[href="/feed"]'));
      const l = await page.evaluate(() => document.documentElement.lang);
      return { ok: pathOf(page) === '/feed' && l === 'ja', detail: `lang ${JSON.stringify(l)} at ${page.url()}` };
    });

    await step('A: the header\'s sign-out button leads back to /signin', async () => {
      const r = await follow(page, page.locator('header form[action="/signout"] button[type="submit"]'));
      return { ok: pathOf(page) === '/signin' && r && r.status() === 200, detail: `status ${r ? r.status() : '(none)'} at ${page.url()}` };
    });
    await step('A: signing out removes the session cookie', async () => ({
      ok: !(await cookie(context, SESSION_COOKIE)), detail: 'the session cookie is still there',
    }));
    await step('A: /feed after signing out redirects to /signin', async () => {
      await page.goto(`${base}/feed`, { waitUntil: 'load' });
      return { ok: pathOf(page) === '/signin', detail: `at ${page.url()}` };
    });
    checkProblems('A', w);
  } finally {
    await context.close();
  }
}

// Journey E (issue 17, language): a browser whose language is English sees
// the sign-in page in English (Accept-Language); a person whose own
// language is Japanese, signing in from the page switched to English,
// lands in English and stays there; the switch back restores Japanese.
async function journeyE(browser, who) {
  const { context, page, w } = await newPage(browser, 'en-US');
  try {
    await page.goto(`${base}/signin`, { waitUntil: 'load' });
    await step('E: an English browser gets the sign-in page in English', async () => {
      const l = await page.evaluate(() => document.documentElement.lang);
      return { ok: l === 'en', detail: `lang ${JSON.stringify(l)}` };
    });
    await step('E: the page switched to Japanese and back keeps the choice in a cookie', async () => {
      await follow(page, page.locator('a[hreflang="ja"]').first());
      const l1 = await page.evaluate(() => document.documentElement.lang);
      await follow(page, page.locator('a[hreflang="en"]').first());
      const l2 = await page.evaluate(() => document.documentElement.lang);
      const c = await cookie(context, 'lang');
      return { ok: l1 === 'ja' && l2 === 'en' && c && c.value === 'en', detail: `${l1} then ${l2}, cookie ${c ? c.value : '(none)'}` };
    });
    const res = await signIn(page, who.email, PASSWORD);
    await step('E: signing in from the English page lands on /feed in English', async () => {
      const l = await page.evaluate(() => document.documentElement.lang);
      return { ok: pathOf(page) === '/feed' && res && res.status() === 200 && l === 'en', detail: `lang ${JSON.stringify(l)} at ${page.url()}` };
    });
    await checkHeading(page, 'E', 'Latest posts');
    await screenshot(page, outdir, 'feed-en-signin.png');
    await step('E: the feed\'s next page stays in English', async () => {
      await follow(page, page.locator('header a[href="/settings/tokens"]'));
      const l = await page.evaluate(() => document.documentElement.lang);
      return { ok: l === 'en', detail: `lang ${JSON.stringify(l)} at ${page.url()}` };
    });
    await step('E: switching back to Japanese (the person\'s language again)', async () => {
      await follow(page, page.locator('a[hreflang="ja"]').first());
      const l = await page.evaluate(() => document.documentElement.lang);
      return { ok: l === 'ja', detail: `lang ${JSON.stringify(l)}` };
    });
    checkProblems('E', w);
  } finally {
    await context.close();
  }
}

// Journey B: a handler without a second factor signs in, enrols TOTP with
// the enrolment code an administrator issued, gets ten recovery codes and
// goes on to the feed.
async function journeyB(browser, who, ja) {
  const { context, page, w } = await newPage(browser);
  try {
    await page.goto(`${base}/signin`, { waitUntil: 'load' });
    w.reset();
    const res = await signIn(page, who.email, PASSWORD);
    const landed = await step('B: a handler without TOTP is sent to /signin/enrol', async () => ({
      ok: pathOf(page) === '/signin/enrol' && res && res.status() === 200,
      detail: `status ${res ? res.status() : '(none)'} at ${page.url()}`,
    }));
    if (!landed) return;
    await step('B: only a pending sign-in cookie, no session yet', async () => {
      const p = await cookie(context, PENDING_COOKIE);
      const s = await cookie(context, SESSION_COOKIE);
      return {
        ok: !!p && !s && p.httpOnly && p.secure && p.sameSite === 'Strict',
        detail: `pending ${JSON.stringify(p && { ...p, value: undefined })}, session ${s ? 'set' : 'absent'}`,
      };
    });
    let secret = '';
    await step('B: the enrolment page holds a 32-character base32 secret', async () => {
      secret = (await page.locator('form input[name="secret"]').getAttribute('value')) || '';
      return { ok: /^[A-Z2-7]{32}$/.test(secret), detail: `secret ${JSON.stringify(secret)}` };
    });
    await step('B: ... and shows the same secret as text', async () => {
      const t = ((await page.locator('#enrol-secret').textContent()) || '').replace(/\s+/g, '');
      return { ok: t === secret && (await page.locator('#enrol-secret').isVisible()), detail: `shown ${JSON.stringify(t)}` };
    });
    // The QR code: an inline SVG image, drawn by councild (server/web/qr.c),
    // as the browser shows it, read back by zbarimg (Debian: zbar-tools).
    await step('B: the QR code is an <svg role="img"> labelled in the catalog\'s words, without inline style', async () => {
      const a = await page.locator('svg#enrol-qr').evaluate((el) => ({
        role: el.getAttribute('role'),
        label: el.getAttribute('aria-label'),
        title: (el.querySelector('title') || {}).textContent,
        viewBox: el.getAttribute('viewBox'),
        paths: el.querySelectorAll('path').length,
        styled: el.matches('[style]') || !!el.querySelector('[style], style, script'),
        visible: el.getBoundingClientRect().width > 0,
      }));
      return {
        ok: a.role === 'img' && a.label === ja['enrol.qr.alt'] && a.title === ja['enrol.qr.alt'] &&
          /^0 0 (\d+) \1$/.test(a.viewBox || '') && a.paths === 1 && !a.styled && a.visible,
        detail: JSON.stringify(a),
      };
    });
    let qrSecret = '';
    await step('B: zbarimg reads the QR code as the otpauth:// URI of the secret shown', async () => {
      const png = join(outdir, 'enrol-qr-ja.png');
      await page.locator('svg#enrol-qr').screenshot({ path: png });
      let text = '';
      try {
        text = execFileSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', '-Sbinary', png],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n$/, '');
      } catch (e) {
        return { ok: false, detail: `zbarimg ${png}: ${e.message} (Debian: zbar-tools, deploy/install-deps.sh)` };
      }
      const want = `otpauth://totp/Council%20Portal?secret=${secret}&issuer=Council%20Portal` +
        '&algorithm=SHA1&digits=6&period=30';
      if (text.startsWith('otpauth://')) qrSecret = new URL(text).searchParams.get('secret') || '';
      return { ok: text === want && qrSecret === secret, detail: `decoded ${JSON.stringify(text)}, want ${JSON.stringify(want)}` };
    });
    await checkHeading(page, 'B enrol', ja['enrol.heading']);
    await axeCheck(page, '/signin/enrol (ja)');

    // The code comes from the secret read out of the QR code, as an
    // authenticator app would compute it (the text's, should zbarimg fail).
    const enrolled = await step('B: the enrolment code and the TOTP code computed here from the QR code complete enrolment', async () => {
      await page.locator('form input[name="token"]').fill(who.enrolCode);
      await page.locator('form input[name="code"]').fill(totp(qrSecret || secret));
      const r = await follow(page, page.locator('form:has(input[name="code"]) button[type="submit"]'));
      return {
        ok: r && r.status() === 200 && (await page.locator('ul.recovery-codes').count()) === 1,
        detail: `status ${r ? r.status() : '(none)'} at ${page.url()}`,
      };
    });
    if (!enrolled) return;
    await step('B: the recovery page shows ten distinct recovery codes', async () => {
      const codes = (await page.locator('ul.recovery-codes li code').allTextContents()).map((c) => c.trim());
      const good = codes.filter((c) => /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/.test(c));
      return {
        ok: codes.length === 10 && good.length === 10 && new Set(codes).size === 10 &&
          (await page.locator('ul.recovery-codes').isVisible()),
        detail: `${codes.length} codes, ${good.length} well-formed, ${new Set(codes).size} distinct`,
      };
    });
    await checkHeading(page, 'B recovery', ja['recovery.heading']);
    await checkSessionCookie(context, 'B');
    await step('B: the pending sign-in cookie is gone', async () => ({
      ok: !(await cookie(context, PENDING_COOKIE)), detail: 'the pending cookie is still there',
    }));
    await screenshot(page, outdir, 'recovery-ja.png');
    await axeCheck(page, 'recovery codes (ja)');

    await step('B: continue leads to /feed', async () => {
      await follow(page, page.locator('main a[href="/feed"]').first());
      return { ok: pathOf(page) === '/feed', detail: `at ${page.url()}` };
    });
    await checkHeading(page, 'B', '新着の投稿');
    await checkName(page, 'B', who.nameJa);
    await step('B: sign out', async () => {
      await follow(page, page.locator('header form[action="/signout"] button[type="submit"]'));
      return { ok: pathOf(page) === '/signin', detail: `at ${page.url()}` };
    });
    checkProblems('B', w);
  } finally {
    await context.close();
  }
}

// RFC 6238, appendix B (SHA-1): T = 59 s gives 94287082.
ok(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59000, 8) === '94287082',
  'the TOTP code of this script matches RFC 6238\'s test vector');

await run(async (browser) => {
  const { page, w } = await newPage(browser);
  const { problems, cssResponses, reset } = w;

  // ---- Japanese (the default)
  const res = await page.goto(`${base}/`, { waitUntil: 'load' });
  ok(res && res.status() === 200, 'GET / in the browser: 200', res ? `status ${res.status()}` : 'no response');
  await checkPage(page, 'ja', /ログイン/, problems, cssResponses);
  await step('ja: full-page screenshot signin-ja.png', async () => {
    await page.screenshot({ path: join(outdir, 'signin-ja.png'), fullPage: true });
  });
  await axeCheck(page, '/signin (ja)');

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
    await axeCheck(page, '/signin (en)');
  }

  // ---- the journeys, with people from the database: people whose language
  // is Japanese (sign-in switches to the person's language).
  if (!pgdir) {
    skip('journeys A (member) and B (handler enrolment)', 'no PGDIR given');
  } else {
    const ja = catalog('ja');
    let plain = null;
    let handler = null;
    await step(`find a plain member and a handler without TOTP in ${pgdir}`, async () => {
      const p = sql(pgdir, "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id WHERE p.active AND o.status = 'member' AND o.council_role IS NULL AND p.password_hash IS NOT NULL AND NOT council.auth_needs_totp(p.id) AND p.lang = 'ja' ORDER BY p.id LIMIT 1");
      const h = sql(pgdir, "SELECT p.email FROM council.people p JOIN council.organisations o ON o.id = p.org_id JOIN council.handler_registrations h ON h.person_id = p.id AND h.deregistered_at IS NULL WHERE p.active AND o.status = 'member' AND p.totp_secret IS NULL AND p.password_hash IS NOT NULL AND p.lang = 'ja' ORDER BY p.id LIMIT 1 OFFSET 1");
      if (p.length === 1) plain = person(p[0][0]);
      if (h.length === 1) handler = person(h[0][0]);
      // Issue 10 item 5: the handler enrols only with an enrolment code,
      // here the operator's (councilctl enrol-token does the same).
      if (handler) {
        const abc = 'abcdefghjkmnpqrstuvwxyz23456789';
        const norm = Array.from({ length: 12 }, () => abc[randomInt(abc.length)]).join('');
        handler.enrolCode = `${norm.slice(0, 4)}-${norm.slice(4, 8)}-${norm.slice(8)}`;
        const hash = createHash('sha256').update(norm).digest('hex');
        sql(pgdir, `SELECT council.enrolment_token_operator(${quote(handler.email)}, decode('${hash}', 'hex'), 1)`);
      }
      return {
        ok: !!plain && !!handler,
        detail: `member ${plain ? plain.email : '(none)'}, handler ${handler ? handler.email : '(none: all enrolled?)'}`,
      };
    });
    if (plain) {
      diag(`journey A: ${plain.email}`);
      await journeyA(browser, plain, ja).catch((e) => ok(false, 'journey A', (e && e.stack) || String(e)));
    } else {
      skip('journey A (member)', 'no plain member found');
    }
    if (plain) {
      diag(`journey E: ${plain.email}`);
      await journeyE(browser, plain).catch((e) => ok(false, 'journey E', (e && e.stack) || String(e)));
    } else {
      skip('journey E (an English browser)', 'no plain member found');
    }
    if (handler) {
      diag(`journey B: ${handler.email}`);
      await journeyB(browser, handler, ja).catch((e) => ok(false, 'journey B', (e && e.stack) || String(e)));
    } else {
      skip('journey B (handler enrolment)', 'no handler without TOTP found');
    }
  }
});
