// End-to-end (issue 4 "The office, drawn"): kubectl typed in the page's command line walks the
// API server "government office" (handout Part 2), and the drawing and the request inspector
// show where each request went:
//   (a) as the viewer, `kubectl create deployment` stops at the authorization desk (403);
//   (b) as admin, a quota of one pod: the second `kubectl run` stops at ResourceQuota;
//   (c) etcd-1 cut off with the clients: a write waits in the basement until etcd's 7 s request
//       timeout, while `?resourceVersion=0` is answered from the teller's watch cache;
//   (d) Korean by default, English on request, the new controls reachable and usable by
//       keyboard, reduced motion honoured, no console error.
//
// Same environment as lab.test.mjs (LAB_URL, CHROMIUM, LAB_CHROMIUM_ARGS, LAB_ARTIFACTS).
// Waits on conditions only (the command log, data attributes), never on sleeps.

import { chromium } from 'playwright-core';
import { WAIT, chromiumArgs, labUrl } from './lib/env.mjs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const base = labUrl('office.test');
const problems = [];
let current = null;

function check(cond, what, detail = '') {
  if (!cond) throw new Error(`${what}${detail ? ` (${detail})` : ''}`);
  console.log(`ok - ${what}`);
}

async function newPage(browser, label, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${label}: console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`${label}: page error: ${err.message}`));
  current = page;
  return page;
}

async function ready(page) {
  await page.waitForSelector('[data-member="1"]', WAIT);
  await page.waitForSelector('#office-diagram [data-apiserver="1"]', WAIT);
}

/** Types `line` into the command line and presses Enter; the field empties itself. */
async function type(page, line) {
  await page.fill('#command-input', line);
  await page.press('#command-input', 'Enter');
  await page.waitForFunction(() => document.querySelector('#command-input').value === '', null, WAIT);
}

/** Waits for the newest command-log row of `line` to finish: {failed, output}. */
async function waitCommand(page, line, timeout = 60_000) {
  const h = await page.waitForFunction(
    (line) => {
      const rows = [...document.querySelectorAll('#event-log li[data-cmd]')];
      const row = rows.reverse().find((li) => li.querySelector('.cmd-line')?.textContent === line);
      if (!row || row.getAttribute('data-done') !== 'true') return false;
      return {
        failed: row.getAttribute('data-failed') === 'true',
        output: row.querySelector('.cmd-output')?.textContent ?? '',
      };
    },
    line,
    { timeout },
  );
  return h.jsonValue();
}

/** Whether the newest row of `line` is still running. */
const running = (page, line) =>
  page.evaluate((line) => {
    const rows = [...document.querySelectorAll('#event-log li[data-cmd]')];
    const row = rows.reverse().find((li) => li.querySelector('.cmd-line')?.textContent === line);
    return row?.getAttribute('data-done') === 'false';
  }, line);

const desk = (name, phase = null) =>
  `#office-diagram [data-desk="${name}"]${phase ? `[data-phase="${phase}"]` : ''}`;
const deskState = (page, name, phase = null) => page.getAttribute(desk(name, phase), 'data-state');

/** The desks that did not see the request: every desk after the one that stopped it. */
async function unreached(page, names) {
  const states = await Promise.all(names.map((n) => deskState(page, n)));
  return states.every((s) => s === 'idle');
}

/** Waits until the desks have finished lighting up (finite animations only), so a screenshot
 *  shows the path as it stays. */
const settled = (page) =>
  page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => null)),
    ),
  );

/** The newest request in the inspector's list whose path ends with `suffix`. */
async function requestId(page, suffix) {
  const h = await page.waitForFunction(
    (suffix) => {
      const item = [...document.querySelectorAll('#request-list .request-item')].find((b) =>
        b.querySelector('.req-path')?.textContent.endsWith(suffix),
      );
      return item ? item.getAttribute('data-request') : false;
    },
    suffix,
    WAIT,
  );
  return h.jsonValue();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: chromiumArgs,
  headless: true,
  timeout: 60_000,
});
let failed = null;
try {
  const page = await newPage(browser, 'office');
  await page.goto(base, { waitUntil: 'load', ...WAIT });
  await ready(page);

  // ---- (d) Korean by default; the office is drawn at once ------------------------------------
  check(
    (await page.getAttribute('html', 'lang')) === 'ko' &&
      (await page.textContent('#command-title')).includes('명령 입력') &&
      (await page.textContent('#command-run')).trim() === '실행' &&
      (await page.textContent('#office-title')).includes('정부 청사'),
    'the command line and the office speak Korean by default',
  );
  check(
    (await page.getByRole('textbox', { name: /명령/ }).count()) === 1 &&
      (await page.getByRole('button', { name: '실행' }).count()) === 1,
    'the command line has an accessible name and a Run button',
  );
  check((await page.$$('#office-diagram [data-apiserver]')).length === 3, 'three tellers (API servers) are drawn');
  check(
    (await page.$$('#office-diagram [data-desk][data-phase="mutating"]')).length >= 10 &&
      (await page.$$('#office-diagram [data-desk][data-phase="validating"]')).length >= 10,
    'floor 1 shows the mutating and validating admission plugins as desks',
  );
  await page.selectOption('#speed', '5');

  // ---- (a) the viewer may not create a deployment: stopped at authorization -----------------
  await page.selectOption('#kube-context', 'viewer@challenge-cluster');
  const ctx = await waitCommand(page, 'kubectl config use-context viewer@challenge-cluster');
  check(!ctx.failed, 'the context switcher runs `kubectl config use-context viewer@challenge-cluster`');
  await type(page, 'kubectl create deployment web --image=nginx');
  const denied = await waitCommand(page, 'kubectl create deployment web --image=nginx');
  const forbidden =
    'Error from server (Forbidden): deployments.apps is forbidden: User "viewer" cannot create resource "deployments" in API group "apps" in the namespace "default"';
  check(denied.failed && denied.output === forbidden, 'the log shows kubectl\'s exact Forbidden line', denied.output);
  await page.waitForSelector(`${desk('authorization')}[data-state="rejected"]`, WAIT);
  check(
    (await deskState(page, 'authentication')) === 'noted' &&
      (await page.textContent(`${desk('authorization')} .stop-sign`)).trim() === '403' &&
      (await unreached(page, ['NamespaceLifecycle', 'validation', 'handler', 'etcd'])),
    'the office shows the request stopped at the authorization desk (403), nothing after it visited',
  );
  check(
    (await page.textContent('#office-verdict')).includes('authorization') &&
      (await page.textContent('#request-user')).trim() === 'viewer',
    'the verdict names the desk; the inspector shows the user',
  );
  const lastStep = await page.$eval('#request-steps tbody tr:last-child', (tr) => ({
    desk: tr.getAttribute('data-step-desk'),
    kind: tr.getAttribute('data-step-kind'),
  }));
  check(lastStep.desk === 'authorization' && lastStep.kind === 'rejected', 'the inspector\'s last step is authorization, rejected');

  // ---- (b) a quota of one pod: the second pod stops at ResourceQuota -------------------------
  await type(page, 'kubectl config use-context kind-challenge-cluster');
  await waitCommand(page, 'kubectl config use-context kind-challenge-cluster');
  check(
    (await page.$eval('#kube-context', (s) => s.value)) === 'kind-challenge-cluster',
    'a typed `use-context` moves the context switcher too',
  );
  await type(page, 'kubectl create quota q --hard=pods=1');
  const quota = await waitCommand(page, 'kubectl create quota q --hard=pods=1');
  check(!quota.failed && quota.output === 'resourcequota/q created', 'as admin: resourcequota/q created');
  await type(page, 'kubectl run a --image=nginx');
  const a = await waitCommand(page, 'kubectl run a --image=nginx');
  check(!a.failed && a.output === 'pod/a created', 'pod/a created');
  await page.waitForSelector(`${desk('etcd')}[data-state="noted"]`, WAIT);
  check(
    (await deskState(page, 'ServiceAccount', 'mutating')) === 'mutated' &&
      (await deskState(page, 'validation')) === 'passed' &&
      (await deskState(page, 'ResourceQuota', 'validating')) === 'passed' &&
      (await deskState(page, 'handler')) === 'passed',
    'pod a walks every floor: mutated by ServiceAccount, validated, stored in etcd',
  );
  await type(page, 'kubectl run b --image=nginx');
  const b = await waitCommand(page, 'kubectl run b --image=nginx');
  const exceeded =
    'Error from server (Forbidden): pods "b" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1';
  check(b.failed && b.output === exceeded, 'the log shows the exceeded-quota line', b.output);
  await page.waitForSelector(`${desk('ResourceQuota', 'validating')}[data-state="rejected"]`, WAIT);
  check(
    (await page.textContent(`${desk('ResourceQuota', 'validating')} .stop-sign`)).trim() === '403' &&
      (await unreached(page, ['handler', 'etcd'])) &&
      (await page.textContent('#office-verdict')).includes('ResourceQuota'),
    'the office shows pod b stopped at ResourceQuota, before the handler and etcd',
  );

  // The inspector: pick pod a's request (keyboard too); before/after show the mutation.
  const idA = await requestId(page, '/pods/a');
  const idB = await requestId(page, '/pods/b');
  await page.click(`#request-list [data-request="${idA}"]`);
  await page.waitForSelector(`#office-diagram[data-request="${idA}"]`, WAIT);
  const before = await page.textContent('#request-before pre');
  const after = await page.textContent('#request-after pre');
  check(
    !before.includes('serviceAccountName') && after.includes('"serviceAccountName": "default"') &&
      (await page.getAttribute(`#request-list [data-request="${idA}"]`, 'aria-pressed')) === 'true',
    'picking a request draws it; its object before and after admission shows the mutation',
  );
  await page.click('#request-after summary');
  check(await page.isVisible('#request-after pre'), 'the stored object unfolds (collapsible)');
  await page.focus(`#request-list [data-request="${idA}"]`);
  await page.keyboard.press('ArrowUp');
  await page.waitForSelector(`#office-diagram[data-request="${idB}"]`, WAIT);
  check(
    (await page.evaluate(() => document.activeElement?.getAttribute('data-request'))) === idB,
    '↑ in the request list moves to the newer request and draws it (keyboard)',
  );
  await page.click('#follow-newest');
  await page.waitForSelector('#follow-newest[aria-pressed="true"]', WAIT);

  // ---- (c) etcd-1 and the clients cut off: a write waits in the basement, the cache answers --
  await type(page, 'kubectl delete quota q');
  const del = await waitCommand(page, 'kubectl delete quota q');
  check(!del.failed, 'kubectl delete quota q', del.output);
  // Every teller's watch cache has caught up with the newest revision.
  await page.waitForFunction(() => {
    const newest = Math.max(
      ...[...document.querySelectorAll('[data-etcd-member]')].map((e) => Number(e.getAttribute('data-revision'))),
    );
    return [...document.querySelectorAll('#office-diagram [data-apiserver]')].every(
      (t) => Number(t.getAttribute('data-cache-revision')) === newest,
    );
  }, null, WAIT);
  await type(page, 'lab partition etcd-1 client | etcd-2 etcd-3');
  await waitCommand(page, 'lab partition etcd-1 client | etcd-2 etcd-3');
  await page.selectOption('#speed', '1');
  await type(page, 'kubectl run c --image=nginx');
  await page.waitForSelector(`${desk('etcd')}[data-state="waiting"] .etcd-wait`, WAIT);
  await page.waitForFunction(
    () => Number(document.querySelector('.etcd-wait')?.getAttribute('data-waited-us')) > 300_000,
    null,
    WAIT,
  );
  check(
    (await page.getAttribute('#office-diagram [data-apiserver="1"]', 'class')).includes('serving') &&
      (await page.textContent('#office-verdict')).includes('◔') &&
      (await page.$('#request-steps tr[data-step-desk="etcd"][data-step-kind="waiting"]')) !== null,
    'pod c, through apiserver-1, waits in the basement for etcd (drawn, and in the inspector)',
  );
  if (process.env.LAB_ARTIFACTS) {
    mkdirSync(process.env.LAB_ARTIFACTS, { recursive: true });
    await page.evaluate(() => document.querySelector('#office').scrollIntoView());
    await settled(page);
    await page.screenshot({ path: path.join(process.env.LAB_ARTIFACTS, 'office-waiting-for-etcd.png') });
  }
  const raw = 'kubectl get --raw /api/v1/namespaces/default/pods?resourceVersion=0';
  await type(page, raw);
  const cached = await waitCommand(page, raw);
  const stillWaiting = await running(page, 'kubectl run c --image=nginx');
  let list = null;
  try {
    list = JSON.parse(cached.output);
  } catch {
    // checked below
  }
  check(
    !cached.failed && list?.kind === 'PodList' && list.items.map((p) => p.metadata.name).join(',') === 'a',
    '`?resourceVersion=0` answers from the teller\'s watch cache: a PodList with pod a',
    cached.output.slice(0, 120),
  );
  check(stillWaiting, '…while the write is still waiting for etcd');
  check(
    (await deskState(page, 'watch cache')) === 'noted' && (await deskState(page, 'etcd')) === 'idle',
    'the cached read is drawn through the watch cache desk, never reaching etcd',
  );
  const idC = await requestId(page, '/pods/c');
  await page.click(`#request-list [data-request="${idC}"]`);
  await page.waitForSelector(`#office-diagram[data-request="${idC}"] .etcd-wait`, WAIT);
  await page.selectOption('#speed', '10');
  const timedOut = await waitCommand(page, 'kubectl run c --image=nginx');
  check(
    timedOut.failed && timedOut.output === 'Error from server: etcdserver: request timed out',
    'after etcd\'s request timeout: Error from server: etcdserver: request timed out',
    timedOut.output,
  );
  await page.waitForSelector(`${desk('etcd')}[data-state="rejected"]`, WAIT);
  const times = (await page.textContent('#request-times')).match(/([\d.]+)s → ([\d.]+)s/);
  const waited = times ? Number(times[2]) - Number(times[1]) : 0;
  check(
    waited >= 7 && waited < 7.5 && (await page.textContent('#office-verdict')).includes('500'),
    'the office shows it rejected in the basement (500) after 7 s of simulated time',
    `${waited.toFixed(3)} s`,
  );
  await type(page, 'lab heal');
  await waitCommand(page, 'lab heal');
  await page.selectOption('#speed', '5');

  // ---- (d) keyboard: history, teller controls, the length bound, reachability ---------------
  await page.focus('#command-input');
  await page.keyboard.press('ArrowUp');
  check((await page.inputValue('#command-input')) === 'lab heal', '↑ recalls the last command');
  await page.keyboard.press('ArrowUp');
  check((await page.inputValue('#command-input')) === raw, '↑ again recalls the one before');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  check((await page.inputValue('#command-input')) === '', '↓ returns to an empty line');

  const rows = await page.$$eval('#event-log li[data-cmd]', (l) => l.length);
  await page.fill('#command-input', `kubectl get pods ${'x'.repeat(5000)}`);
  await page.press('#command-input', 'Enter');
  check(
    (await page.textContent('#command-error')).includes('4096') &&
      (await page.isDisabled('#command-run')) &&
      (await page.getAttribute('#command-input', 'aria-invalid')) === 'true' &&
      (await page.$$eval('#event-log li[data-cmd]', (l) => l.length)) === rows,
    'a line over 4 KiB is refused with a clear message (and not run)',
  );
  await page.fill('#command-input', '');

  const crash2 = page.getByRole('button', { name: /창구 2 \(apiserver-2\): 중지/ });
  check((await crash2.count()) === 1, 'each teller button has an accessible name saying which teller');
  await page.focus('#teller-2-crash');
  await page.keyboard.press('Enter');
  await waitCommand(page, 'lab apiserver crash apiserver-2');
  await page.waitForSelector('#office-diagram [data-apiserver="2"][data-up="false"]', WAIT);
  check(
    (await page.textContent('#office-diagram [data-apiserver="2"]')).includes('중지됨') &&
      (await page.textContent('#teller-2-crash')).includes('다시 시작'),
    'Enter on "crash" takes apiserver-2 down: drawn with the word 중지됨, the button now restarts',
  );
  await page.keyboard.press('Enter');
  await waitCommand(page, 'lab apiserver restart apiserver-2');
  await page.waitForSelector('#office-diagram [data-apiserver="2"][data-up="true"]', WAIT);
  await page.focus('#teller-3-slow');
  await page.keyboard.press(' ');
  await waitCommand(page, 'lab apiserver slow apiserver-3 2s');
  await page.waitForSelector('#office-diagram [data-apiserver="3"][data-slow-us="2000000"]', WAIT);
  check(
    (await page.getAttribute('#teller-3-slow', 'aria-pressed')) === 'true' &&
      (await page.textContent('#office-diagram [data-apiserver="3"]')).includes('느림 +2s'),
    'Space on "slow" makes apiserver-3 slow, drawn as 느림 +2s',
  );
  await page.keyboard.press(' ');
  await waitCommand(page, 'lab apiserver slow apiserver-3 0s');
  await page.waitForSelector('#office-diagram [data-apiserver="3"][data-slow-us="0"]', WAIT);
  ok('Space again: `lab apiserver slow apiserver-3 0s`, back to normal');

  // Tab reaches every new control.
  await page.focus('#lang-en');
  const reached = new Set();
  for (let i = 0; i < 250 && reached.size < 7; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e) return null;
      if (e.classList.contains('request-item')) return 'request-item';
      return e.id || null;
    });
    if (['command-input', 'command-run', 'kube-context', 'teller-1-crash', 'teller-1-slow', 'follow-newest', 'request-item'].includes(id)) {
      reached.add(id);
    }
  }
  check(reached.size === 7, 'Tab reaches the command line, Run, the context, the teller buttons and the request list', [...reached].join(', '));

  if (process.env.LAB_ARTIFACTS) {
    mkdirSync(process.env.LAB_ARTIFACTS, { recursive: true });
    await type(page, 'lab webhook add deny-latest no-latest');
    await waitCommand(page, 'lab webhook add deny-latest no-latest');
    await type(page, 'kubectl run d --image=nginx:latest');
    await waitCommand(page, 'kubectl run d --image=nginx:latest');
    await page.waitForSelector(`${desk('ValidatingAdmissionWebhook', 'validating')}[data-state="rejected"]`, WAIT);
    await page.evaluate(() => document.querySelector('#office').scrollIntoView());
    await settled(page);
    await page.screenshot({ path: path.join(process.env.LAB_ARTIFACTS, 'office-1280x800.png') });
    for (const [w, h] of [[1024, 768], [1920, 1080]]) {
      await page.setViewportSize({ width: w, height: h });
      await page.evaluate(() => document.querySelector('#office').scrollIntoView());
      await page.screenshot({ path: path.join(process.env.LAB_ARTIFACTS, `office-${w}x${h}.png`) });
    }
    console.log(`ok - screenshots in ${process.env.LAB_ARTIFACTS}`);
  }

  // ---- (d) English, and reduced motion -------------------------------------------------------
  const en = await newPage(browser, 'english', { reducedMotion: 'reduce' });
  await en.goto(`${base}?lang=en`, { waitUntil: 'load', ...WAIT });
  await ready(en);
  await en.selectOption('#speed', '5');
  await type(en, 'kubectl run web --image=nginx');
  await waitCommand(en, 'kubectl run web --image=nginx');
  await en.waitForSelector(`${desk('etcd')}[data-state="noted"]`, WAIT);
  const office = await en.textContent('#office');
  check(
    (await en.textContent('#command-title')).trim() === 'Command line' &&
      (await en.textContent('#command-run')).trim() === 'Run' &&
      office.includes('Floor 1') &&
      !/[가-힣]/.test(office) &&
      !/[가-힣]/.test(await en.textContent('#command-panel')),
    '?lang=en: the command line and the office are in English',
  );
  const anim = await en.$eval(`${desk('authentication')}`, (e) => getComputedStyle(e).animationName);
  check(anim === 'none', 'with reduced motion the desks do not animate', anim);
  await en.context().close();
  current = page;

  check(problems.length === 0, 'no console error and no page error', problems.join('; '));
} catch (err) {
  failed = err?.stack ?? String(err);
} finally {
  if (failed && current && process.env.LAB_ARTIFACTS) {
    try {
      mkdirSync(process.env.LAB_ARTIFACTS, { recursive: true });
      const shot = path.join(process.env.LAB_ARTIFACTS, 'office-failure.png');
      await current.screenshot({ path: shot, fullPage: true });
      console.error(`office.test: screenshot saved to ${shot}`);
    } catch {
      // the page may be gone
    }
  }
  await browser.close();
}

function ok(what) {
  console.log(`ok - ${what}`);
}

if (failed) {
  console.error(`FAIL - ${failed}`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log('office.test: all checks passed');
