// End-to-end test of the bank vault page, driven like a person in headless Chromium.
//
// Run by `cargo xtask test` (or `cargo xtask test lab.test.mjs`) with:
//   LAB_URL            the built site, e.g. http://127.0.0.1:PORT/
//   LAB_BIN            absolute path of the native `lab` binary (for the hash cross-check)
//   CHROMIUM           the browser, e.g. /usr/bin/chromium
//   LAB_CHROMIUM_ARGS  Chromium flags verified on Debian 12 as root
//   LAB_ARTIFACTS      where to put a screenshot when a check fails
// Prints one line per check; exit status 0 = pass, 1 = a check failed, 2 = bad environment.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const base = process.env.LAB_URL;
if (!base) {
  console.error('lab.test: LAB_URL is not set (run me through `cargo xtask test`)');
  process.exit(2);
}
const labBin = process.env.LAB_BIN;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const args = (process.env.LAB_CHROMIUM_ARGS ||
  '--no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync')
  .split(/\s+/)
  .filter((a) => a && a !== '--headless' && !a.startsWith('--user-data-dir'));

const HEX16 = /^[0-9a-f]{16}$/;
const WAIT = { timeout: 30_000 };
const problems = []; // console errors and page errors, from every page
let current = null; // the page a failure screenshot should show

class CheckFailed extends Error {}

function ok(what) {
  console.log(`ok - ${what}`);
}

function check(cond, what, detail = '') {
  if (!cond) throw new CheckFailed(`${what}${detail ? ` (${detail})` : ''}`);
  ok(what);
}

function watch(page, label) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${label}: console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`${label}: page error: ${err.message}`));
  current = page;
  return page;
}

async function newPage(browser, label, options = {}) {
  const context = await browser.newContext(options);
  return watch(await context.newPage(), label);
}

const nowUs = (page) =>
  page.$eval('#sim-clock', (e) => Number(e.getAttribute('data-now-us')));

const stateHash = (page) => page.$eval('#state-hash', (e) => e.textContent.trim());

/** Waits for the page's app to be running: a vault and a 16-hex state hash. */
async function ready(page) {
  await page.waitForSelector('[data-member="1"]', WAIT);
  await page.waitForFunction(
    () => /^[0-9a-f]{16}$/.test(document.querySelector('#state-hash')?.textContent ?? ''),
    null,
    WAIT,
  );
}

async function setSpeed(page, speed) {
  await page.selectOption('#speed', String(speed));
}

/** Waits for an up leader (optionally not `notId`, optionally on `side`); returns its id
 *  and the simulated time at which it was first seen. */
async function waitLeader(page, { notId = null, side = null, maxSimUs = null } = {}) {
  const handle = await page.waitForFunction(
    ({ notId, side, maxSimUs }) => {
      const now = Number(document.querySelector('#sim-clock')?.getAttribute('data-now-us'));
      const leaders = [...document.querySelectorAll('[data-role="leader"][data-up="true"]')]
        .filter((e) => notId === null || e.getAttribute('data-member') !== String(notId))
        .filter((e) => side === null || e.getAttribute('data-side') === String(side));
      if (leaders.length > 0) return { id: Number(leaders[0].getAttribute('data-member')), now };
      if (maxSimUs !== null && now > maxSimUs) return { id: null, now };
      return false;
    },
    { notId, side, maxSimUs },
    { timeout: 60_000 },
  );
  return handle.jsonValue();
}

/** Waits for the event log's row for `line` to finish; returns its state and text. */
async function waitCommand(page, line) {
  const handle = await page.waitForFunction(
    (line) => {
      const rows = [...document.querySelectorAll('#event-log li[data-cmd]')];
      const row = rows.reverse().find((li) => li.querySelector('.cmd-line')?.textContent === line);
      if (!row || row.getAttribute('data-done') !== 'true') return false;
      return {
        failed: row.getAttribute('data-failed') === 'true',
        text: row.textContent,
      };
    },
    line,
    { timeout: 60_000 },
  );
  return handle.jsonValue();
}

async function lastCommandLine(page) {
  return page.$$eval('#event-log li[data-cmd] .cmd-line', (els) => els.at(-1)?.textContent);
}

const browser = await chromium.launch({ executablePath, args, headless: true, timeout: 60_000 });
let failed = null;
try {
  // ---- 1. Korean by default; a leader within 5 s of simulated time --------------------------
  const page = await newPage(browser, 'main');
  await page.goto(base, { waitUntil: 'load', ...WAIT });
  await ready(page);
  check(
    (await page.getAttribute('html', 'lang')) === 'ko' &&
      (await page.textContent('h1')).includes('금고') &&
      (await page.textContent('#play')).includes('재생'),
    'the page is in Korean by default',
  );
  check((await page.$$('[data-member]')).length === 3, 'three vaults are drawn by default');
  check((await page.$$('[data-teller]')).length === 3, 'three tellers stand in front of them');
  check(HEX16.test(await stateHash(page)), 'the state hash is shown (16 hex digits)');
  await setSpeed(page, 5);
  const firstLeader = await waitLeader(page, { maxSimUs: 5_000_000 });
  check(
    firstLeader.id !== null && firstLeader.now <= 5_000_000,
    'a leader is shown within 5 s of simulated time',
    `leader ${firstLeader.id} at ${firstLeader.now} µs`,
  );
  check(
    (await page.$$('[data-role="leader"][data-up="true"] .crown')).length === 1,
    'the leader vault is marked by shape (a crown), not colour alone',
  );

  // ---- 2. Crash the leader by clicking it → a new leader ------------------------------------
  const oldLeader = firstLeader.id;
  await page.click(`[data-member="${oldLeader}"]`);
  const crash = await waitCommand(page, `lab crash etcd-${oldLeader}`);
  check(!crash.failed, `clicking the leader runs \`lab crash etcd-${oldLeader}\``);
  await page.waitForSelector(`[data-member="${oldLeader}"][data-up="false"]`, WAIT);
  ok(`etcd-${oldLeader} is drawn down`);
  const newLeader = await waitLeader(page, { notId: oldLeader });
  check(newLeader.id !== oldLeader, 'crashing the leader leads to a new leader', `etcd-${newLeader.id}`);
  await page.click(`[data-member="${oldLeader}"]`);
  await waitCommand(page, `lab restart etcd-${oldLeader}`);
  await page.waitForSelector(`[data-member="${oldLeader}"][data-up="true"]`, WAIT);
  ok(`clicking it again runs \`lab restart etcd-${oldLeader}\``);

  // ---- 3. A partition made by clicks: the minority cannot commit, the majority can ----------
  const leaderNow = await waitLeader(page);
  await page.click('#partition-mode');
  await page.waitForSelector('#partition-mode[aria-pressed="true"]', WAIT);
  await page.click(`[data-member="${leaderNow.id}"]`);
  const others = [1, 2, 3].filter((n) => n !== leaderNow.id).map((n) => `etcd-${n}`).join(' ');
  const partitionLine = `lab partition ${others} | etcd-${leaderNow.id}`;
  const part = await waitCommand(page, partitionLine);
  check(!part.failed, `moving the leader across the line runs \`${partitionLine}\``);
  await page.waitForSelector(`[data-member="${leaderNow.id}"][data-side="1"]`, WAIT);
  const majority = await waitLeader(page, { side: 0 });
  check(majority.id !== leaderNow.id, `the majority side elects its own leader (etcd-${majority.id})`);
  await page.click('#partition-mode');
  await page.click(`[data-teller="${leaderNow.id}"]`);
  const minorityPut = await lastCommandLine(page);
  await page.click(`[data-teller="${majority.id}"]`);
  const majorityPut = await lastCommandLine(page);
  check(
    /^lab put k\d+ v\d+ --via etcd-\d$/.test(minorityPut ?? '') && minorityPut !== majorityPut,
    'each teller press is a `lab put … --via etcd-N` command in the event log',
    `${minorityPut} / ${majorityPut}`,
  );
  const maj = await waitCommand(page, majorityPut);
  check(!maj.failed && /\bOK\b/.test(maj.text), 'the majority side commits the write (OK)', maj.text);
  const min = await waitCommand(page, minorityPut);
  check(
    min.failed && min.text.includes('Error: context deadline exceeded'),
    'the minority side cannot commit (Error: context deadline exceeded)',
    min.text,
  );
  await page.click('#heal');
  await waitCommand(page, 'lab heal');
  ok('Heal runs `lab heal`');

  // ---- 4. Pause and single-step: time moves only by steps, to the next event's instant ------
  await page.click('#pause');
  await page.waitForSelector('#pause[aria-pressed="true"]', WAIT);
  const before = await nowUs(page);
  let t = before;
  for (let i = 0; i < 3; i++) {
    await page.click('#step');
    await page.waitForFunction((t) => Number(document.querySelector('#sim-clock').getAttribute('data-now-us')) > t, t, WAIT);
    t = await nowUs(page);
  }
  const settled = await nowUs(page);
  await page.waitForTimeout(200); // paused: the clock must not move by itself
  check(settled > before && (await nowUs(page)) === settled, 'Pause stops the clock; Step advances it event by event', `${before} → ${settled} µs`);

  // ---- 5. Share → a fresh page replays to the same hash (and the native CLI agrees) ---------
  await page.click('#share');
  await page.waitForFunction(() => document.querySelector('#share-url')?.value?.includes('#s='), null, WAIT);
  const shareUrl = await page.inputValue('#share-url');
  const shareHash = (await page.textContent('#share-hash')).trim();
  check(HEX16.test(shareHash), 'Share shows the link and the hash at that moment', shareHash);
  check(shareUrl.includes('?lang=ko#s=1.'), 'the link carries the language and the scenario');
  check(
    (await page.$eval('#share-url', (e) => e.readOnly)) === true,
    'the link is shown in a read-only field',
  );
  if (labBin) {
    const out = execFileSync(labBin, ['run', shareUrl, '--hash'], { encoding: 'utf8' });
    const last = out.trim().split('\n').at(-1);
    check(last === `state-hash ${shareHash}`, 'the native `lab run URL --hash` prints the same hash', last);
  } else {
    console.log('skip - LAB_BIN is not set: no native hash cross-check');
  }
  const fresh = await newPage(browser, 'shared');
  await fresh.goto(shareUrl, { waitUntil: 'load', ...WAIT });
  await ready(fresh);
  const freshHash = await stateHash(fresh);
  check(freshHash === shareHash, 'opening the link in a fresh page shows the same hash', freshHash);
  check(
    (await fresh.getAttribute('#pause', 'aria-pressed')) === 'true' &&
      (await fresh.isVisible('#notice')),
    'the shared world starts paused, with a notice to press play',
  );
  check(
    (await fresh.$$('#event-log li[data-cmd]')).length ===
      (await page.$$('#event-log li[data-cmd]')).length,
    'the shared world has the same commands in its log',
  );
  await fresh.context().close();
  current = page;

  // ---- 6. Broken and hostile links: an error banner, text only, a working vault -----------
  const hostile = [
    '#s=1.@@@garbage',
    '#s=1.<script>window.__pwned=1</script>',
    '#s=<img src=x onerror="window.__pwned=2">.AAAA',
    `#${shareUrl.split('#')[1].slice(0, 40)}`, // truncated
  ];
  for (const frag of hostile) {
    const p = await newPage(browser, `hostile ${frag.slice(0, 24)}`);
    await p.goto(base + frag, { waitUntil: 'load', ...WAIT });
    await ready(p);
    await p.waitForSelector('#error-banner[role="alert"]', WAIT);
    const banner = await p.textContent('#error-banner');
    const injected = await p.evaluate(() => ({
      pwned: window.__pwned ?? null,
      elements: document.querySelectorAll('#error-banner *:not(p):not(strong):not(span):not(button)').length,
      images: document.querySelectorAll('img, iframe, object, embed').length,
    }));
    check(
      banner.length > 10 && injected.pwned === null && injected.elements === 0 && injected.images === 0,
      `a broken link (${JSON.stringify(frag.slice(0, 30))}) shows the error banner as text only`,
      banner,
    );
    if (frag === hostile[0]) {
      check(/[가-힣]/.test(banner), 'the error is in the reader\'s language (Korean)', banner);
      await setSpeed(p, 5);
      const l = await waitLeader(p);
      check(l.id !== null, 'the default vault still works behind the banner (a leader is elected)');
    }
    await p.context().close();
  }
  current = page;

  // ---- 7. English with ?lang=en; keyboard; reduced motion ----------------------------------
  const en = await newPage(browser, 'english', { reducedMotion: 'reduce' });
  await en.goto(`${base}?lang=en#s=1.@@@garbage`, { waitUntil: 'load', ...WAIT });
  await ready(en);
  check(
    (await en.getAttribute('html', 'lang')) === 'en' &&
      (await en.textContent('h1')).includes('Control Plane Lab') &&
      (await en.textContent('#play')).includes('Play') &&
      !/[가-힣]/.test(await en.textContent('#error-banner')),
    '?lang=en shows English (the error banner too)',
  );
  await en.focus('[data-member="2"]');
  await en.keyboard.press('Enter');
  await waitCommand(en, 'lab crash etcd-2');
  ok('Enter on a focused vault crashes it (keyboard)');
  await en.focus('[data-teller="1"]');
  await en.keyboard.press(' ');
  await en.waitForFunction(() =>
    [...document.querySelectorAll('#event-log .cmd-line')].some((e) => e.textContent.startsWith('lab put k1 v1 --via etcd-1')),
  null, WAIT);
  ok('Space on a focused teller sends a write (keyboard)');
  await en.waitForSelector('.msg.still', WAIT);
  const moving = await en.$$('#vault-diagram .msg:not(.still)');
  const transition = await en.$eval('[data-member="1"]', (e) => getComputedStyle(e).transitionDuration);
  check(
    moving.length === 0 && transition.split(',').every((d) => parseFloat(d) === 0),
    'with reduced motion, messages are drawn still and nothing transitions',
    `moving ${moving.length}, transition ${transition}`,
  );
  await en.context().close();
  current = page;

  check(problems.length === 0, 'no console error and no page error on any page', problems.join('; '));
} catch (err) {
  failed = err instanceof CheckFailed ? err.message : `exception: ${err?.stack ?? err}`;
} finally {
  if (failed && current && process.env.LAB_ARTIFACTS) {
    try {
      mkdirSync(process.env.LAB_ARTIFACTS, { recursive: true });
      const shot = path.join(process.env.LAB_ARTIFACTS, 'lab-failure.png');
      await current.screenshot({ path: shot, fullPage: true });
      console.error(`lab.test: screenshot saved to ${shot}`);
    } catch {
      // the page may be gone
    }
  }
  await browser.close();
}

if (failed) {
  console.error(`FAIL - ${failed}`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log('lab.test: all checks passed');
