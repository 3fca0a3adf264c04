// End-to-end (issue 5 "The factory, drawn" and its Chromium acceptance point): the class's Part 3
// in the page, driven like a person:
//   (a) Korean by default: the factory, its robots, the Lease, the nodes;
//   (b) `kubectl create deployment nginx --image=nginx --replicas=3` typed in the command line:
//       the watch room shows the Deployment arriving, the Deployment and ReplicaSet robots work
//       (busy, then their reconcile: desired against current, and the writes), three pods run on
//       the workers;
//   (c) scale by clicking + : a fourth pod;
//   (d) crash a worker by clicking: the lab knows at once, the API server after the 40 s grace
//       (NotReady / Unknown, the unreachable taint), and after the 300 s toleration the pods are
//       evicted and replaced on the other worker — at 10× speed, in seconds of wall time;
//   (e) crash the controller-manager leader by clicking: the robots stop, another instance takes
//       the Lease, the robots run again;
//   (f) keyboard, English, reduced motion, no console error; a screenshot of the factory.
//
// Same environment as office.test.mjs (LAB_URL, CHROMIUM, LAB_CHROMIUM_ARGS, LAB_ARTIFACTS).
// Waits on conditions only (the command log, data attributes, simulated time), never on sleeps.

import { chromium } from 'playwright-core';
import { WAIT, chromiumArgs, labUrl } from './lib/env.mjs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const base = labUrl('factory.test');
const problems = [];
let current = null;
const WORKER = 'challenge-cluster-worker';
const WORKER2 = 'challenge-cluster-worker2';
/** Long waits in simulated time (grace + toleration at 10×). */
const LONG = { timeout: 180_000 };

function check(cond, what, detail = '') {
  if (!cond) throw new Error(`${what}${detail ? ` (${detail})` : ''}`);
  console.log(`ok - ${what}`);
}

async function newPage(browser, label, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
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
  await page.waitForSelector('#factory [data-robot="deployment"]', WAIT);
  await page.waitForSelector(`#factory [data-node="${WORKER2}"]`, WAIT);
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

const simNow = (page) => page.$eval('#sim-clock', (e) => Number(e.getAttribute('data-now-us')));

/** The nginx pods drawn: [{node, name, phase, status}]. */
const nginxPods = (page) =>
  page.$$eval('#factory-nodes .node[data-node] .pod', (pods) =>
    pods
      .map((p) => ({
        node: p.closest('.node').getAttribute('data-node'),
        name: p.getAttribute('data-pod'),
        phase: p.getAttribute('data-phase'),
        status: p.getAttribute('data-status'),
      }))
      .filter((p) => p.name.startsWith('nginx-')),
  );

/** Waits until `n` nginx pods are Running (on `node`, if given). */
async function waitRunning(page, n, node = null, options = WAIT) {
  await page.waitForFunction(
    ({ n, node }) =>
      [...document.querySelectorAll('#factory-nodes .node[data-node] .pod[data-phase="Running"]')].filter(
        (p) => p.getAttribute('data-pod').startsWith('nginx-') && (!node || p.closest('.node').getAttribute('data-node') === node),
      ).length === n,
    { n, node },
    options,
  );
}

/** Waits until the drawing has settled (finite animations only), for a clean screenshot. */
const settled = (page) =>
  page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => null)),
    ),
  );

/** A picture of the factory alone (the page is long), when artifacts are wanted. */
async function shot(page, name) {
  if (!process.env.LAB_ARTIFACTS) return;
  mkdirSync(process.env.LAB_ARTIFACTS, { recursive: true });
  await settled(page);
  await page.locator('#factory').screenshot({ path: path.join(process.env.LAB_ARTIFACTS, name) });
  console.log(`ok - screenshot ${name}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: chromiumArgs,
  headless: true,
  timeout: 60_000,
});
let failed = null;
try {
  const page = await newPage(browser, 'factory');
  await page.goto(base, { waitUntil: 'load', ...WAIT });
  await ready(page);

  // ---- (a) Korean by default ------------------------------------------------------------------
  check(
    (await page.getAttribute('html', 'lang')) === 'ko' &&
      (await page.textContent('#factory-title')).includes('로봇 공장') &&
      (await page.textContent('[data-robot="deployment"] h4')).includes('배포 로봇') &&
      (await page.textContent('[data-robot="replicaset"] h4')).includes('복제 로봇') &&
      (await page.textContent('#lease-title')).includes('리더 임대'),
    'the factory speaks Korean by default (로봇 공장, 배포 로봇, 복제 로봇, 리더 임대)',
  );
  const robots = await page.$$eval('#factory [data-robot]', (r) => r.map((e) => e.getAttribute('data-robot')));
  check(
    ['deployment', 'replicaset', 'node-lifecycle', 'garbagecollector', 'endpoint', 'scheduler'].every((r) => robots.includes(r)),
    'six robots are drawn: Deployment, ReplicaSet, node lifecycle, GC, endpoints, scheduler',
    robots.join(','),
  );
  check(
    (await page.$$('#factory-nodes .node[data-node^="challenge-cluster"]')).length === 5 &&
      (await page.getAttribute(`[data-node="${WORKER}"]`, 'data-ready')) === 'True',
    'five nodes (three control planes, two workers), Ready',
  );
  check(
    (await page.textContent('#lease-holder')).trim() === 'kube-controller-manager-challenge-cluster-control-plane' &&
      (await page.getAttribute('#lease-bar', 'role')) === 'meter',
    'the Lease names its holder\'s pod, with a meter for the time since its renewal',
  );

  // Every change of a robot's busy state is recorded (busy lasts a few simulated milliseconds).
  await page.evaluate(() => {
    window.__busy = {};
    const note = () => {
      for (const r of document.querySelectorAll('#factory [data-robot]')) {
        if (r.getAttribute('data-busy') !== '0') window.__busy[r.getAttribute('data-robot')] = r.querySelector('.robot-state')?.textContent;
      }
    };
    new MutationObserver(note).observe(document.querySelector('#factory-robots'), {
      attributes: true,
      subtree: true,
      attributeFilter: ['data-busy'],
    });
  });

  // ---- (b) create a deployment by typing -------------------------------------------------------
  await page.selectOption('#speed', '1');
  await type(page, 'kubectl create deployment nginx --image=nginx --replicas=3');
  const created = await waitCommand(page, 'kubectl create deployment nginx --image=nginx --replicas=3');
  check(!created.failed && created.output === 'deployment.apps/nginx created', 'deployment.apps/nginx created', created.output);
  await page.waitForSelector('#factory-feed .feed-item[data-resource="deployments"][data-key="default/nginx"][data-kind="ADDED"]', WAIT);
  ok('the watch room shows the Deployment arriving: + ADDED deployments default/nginx');
  await page.waitForSelector('[data-robot="deployment"] .reconcile[data-reconcile-key="default/nginx"] .action[data-resource="replicasets"][data-code="201"]', WAIT);
  const dDiff = await page.textContent('[data-robot="deployment"] .reconcile-diff');
  check(dDiff.includes('원하는') && dDiff.includes('create replicasets'), 'the Deployment robot\'s reconcile: desired vs current → create replicasets', dDiff);
  await page.waitForSelector('[data-robot="replicaset"] .reconcile[data-reconcile-key^="default/nginx-"] .action[data-resource="pods"][data-code="201"]', WAIT);
  const rsDiff = await page.textContent('[data-robot="replicaset"] .reconcile-diff');
  check(/replicas: 원하는 3 \/ 현재 \d → create pods/.test(rsDiff), 'the ReplicaSet robot\'s reconcile: replicas 원하는 3 / 현재 … → create pods', rsDiff);
  const busy = await page.evaluate(() => window.__busy);
  check(
    busy.deployment?.includes('⚙ 일하는 중') && busy.replicaset?.includes('⚙ 일하는 중'),
    'the Deployment and ReplicaSet robots were drawn working (⚙ 일하는 중)',
    JSON.stringify(busy),
  );
  await page.selectOption('#speed', '5');
  await waitRunning(page, 3);
  let pods = await nginxPods(page);
  check(
    pods.length === 3 && pods.every((p) => p.node.startsWith(WORKER) && p.status === 'Running'),
    'three nginx pods Running on the workers, drawn in their nodes',
    JSON.stringify(pods),
  );
  await page.waitForSelector('#factory-deployments [data-deployment="default/nginx"][data-replicas="3"]', WAIT);
  await shot(page, 'factory-running.png');

  // ---- (c) scale by clicking + -----------------------------------------------------------------
  const up = page.getByRole('button', { name: 'nginx 늘리기 → 4' });
  check((await up.count()) === 1, 'the scale button has an accessible name saying what it does (nginx 늘리기 → 4)');
  await up.click();
  const scaled = await waitCommand(page, 'kubectl scale deployment nginx --replicas=4');
  check(!scaled.failed && scaled.output === 'deployment.apps/nginx scaled', 'the click ran kubectl scale deployment nginx --replicas=4', scaled.output);
  await waitRunning(page, 4);
  pods = await nginxPods(page);
  check(pods.length === 4 && pods.every((p) => p.status === 'Running'), 'a fourth nginx pod is Running', JSON.stringify(pods));
  const onWorker = pods.filter((p) => p.node === WORKER).length;
  check(onWorker > 0, `some pods run on ${WORKER}`, JSON.stringify(pods));

  // ---- (d) crash a worker by clicking; grace, then toleration, at 10× --------------------------
  const crash = page.getByRole('button', { name: `${WORKER}: 노드 멈추기 (crash)` });
  check((await crash.count()) === 1, 'the node button has an accessible name (노드 멈추기)');
  await crash.click();
  await waitCommand(page, `lab node crash ${WORKER}`);
  const crashedAt = await simNow(page);
  await page.waitForSelector(`[data-node="${WORKER}"][data-kubelet="down"][data-ready="True"] .node-truth`, WAIT);
  check(
    (await page.textContent(`[data-node="${WORKER}"] .node-truth`)).includes('kubelet 멈춤'),
    'the lab draws the kubelet down at once, while the API server still says Ready',
  );
  await page.selectOption('#speed', '10');
  const wall0 = Date.now();
  await page.waitForSelector(`[data-node="${WORKER}"][data-ready="Unknown"]`, LONG);
  const grace = (await simNow(page)) - crashedAt;
  // The grace period counts from the kubelet's last Lease renewal (every 10 s), not the crash.
  check(
    grace >= 30_000_000 && grace < 60_000_000 &&
      (await page.textContent(`[data-node="${WORKER}"] .node-status`)).includes('NotReady (Unknown)'),
    'after the 40 s grace period (from its last heartbeat) the node is drawn NotReady (Unknown)',
    `${(grace / 1e6).toFixed(1)} s simulated`,
  );
  await page.waitForSelector(`[data-node="${WORKER}"] .taint[data-taint="node.kubernetes.io/unreachable:NoExecute"]`, WAIT);
  ok('the node lifecycle robot\'s unreachable:NoExecute taint is drawn on the node');
  check(
    (await nginxPods(page)).filter((p) => p.node === WORKER && p.phase === 'Running').length === onWorker,
    'its pods still read Running (the toleration has not ended)',
  );
  await waitRunning(page, 4, WORKER2, LONG);
  const moved = (await simNow(page)) - crashedAt;
  const wallS = (Date.now() - wall0) / 1000;
  pods = await nginxPods(page);
  check(
    moved >= 330_000_000 && pods.filter((p) => p.node === WORKER).every((p) => p.phase === 'Terminating'),
    `after grace + toleration the ${onWorker} evicted pods are Terminating on ${WORKER} and 4 run on ${WORKER2} ` +
      `(${(moved / 1e6).toFixed(0)} s simulated in ${wallS.toFixed(0)} s of wall time at 10×)`,
    JSON.stringify(pods),
  );
  await page.selectOption('#speed', '1');
  await shot(page, 'factory.png');

  // ---- (e) crash the controller-manager leader by clicking --------------------------------------
  await page.selectOption('#speed', '10');
  await page.click('#kcm-crash-leader');
  await waitCommand(page, 'lab controller-manager crash 1');
  await page.waitForSelector('[data-robot="deployment"][data-running="false"]', WAIT);
  check(
    (await page.textContent('[data-robot="deployment"] .robot-state')).includes('멈춤') &&
      (await page.getAttribute('[data-instance="kube-controller-manager-challenge-cluster-control-plane"]', 'data-up')) === 'false',
    'with the leader down its robots are drawn stopped (✕ 멈춤 — 리더 없음)',
  );
  await page.waitForFunction(
    () => {
      const h = document.querySelector('#lease-holder')?.textContent.trim();
      return h && h.startsWith('kube-controller-manager-') && h !== 'kube-controller-manager-challenge-cluster-control-plane';
    },
    null,
    LONG,
  );
  await page.waitForSelector('[data-robot="deployment"][data-running="true"]', WAIT);
  const holder = (await page.textContent('#lease-holder')).trim();
  check(
    (await page.getAttribute(`[data-instance="${holder}"]`, 'data-leading')) === 'true',
    'another instance takes the Lease and its robots run again',
    holder,
  );

  // ---- (f) keyboard ---------------------------------------------------------------------------
  await page.focus('#scale-default-nginx-down');
  await page.keyboard.press('Enter');
  await waitCommand(page, 'kubectl scale deployment nginx --replicas=3');
  await page.waitForSelector('#factory-deployments [data-deployment="default/nginx"][data-replicas="3"]', WAIT);
  ok('Enter on "− 1" scales nginx back to 3 (keyboard)');
  await page.focus('#lang-en');
  const reached = new Set();
  const want = ['kcm-crash-leader', 'kcm-2-toggle', 'scale-default-nginx-down', 'scale-default-nginx-up', `node-${WORKER2}-toggle`];
  for (let i = 0; i < 400 && reached.size < want.length; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.id || null);
    if (want.includes(id)) reached.add(id);
  }
  check(reached.size === want.length, 'Tab reaches the leader crash, instance, scale and node buttons', [...reached].join(', '));
  check(problems.length === 0, 'no console error and no page error', problems.join('; '));

  // ---- (f) English and reduced motion --------------------------------------------------------------
  const en = await newPage(browser, 'english', { reducedMotion: 'reduce' });
  await en.goto(`${base}?lang=en`, { waitUntil: 'load', ...WAIT });
  await ready(en);
  await en.selectOption('#speed', '5');
  await type(en, 'kubectl create deployment web --image=nginx --replicas=2');
  await waitCommand(en, 'kubectl create deployment web --image=nginx --replicas=2');
  await en.waitForSelector('#factory-feed .feed-item[data-key="default/web"]', WAIT);
  await en.waitForSelector('#factory-deployments [data-deployment="default/web"]', WAIT);
  const factory = await en.textContent('#factory');
  check(
    (await en.textContent('#factory-title')).includes('robot factory') &&
      factory.includes('Deployment robot') &&
      !/[가-힣]/.test(factory),
    '?lang=en: the factory is in English',
  );
  check(
    (await en.getByRole('button', { name: 'web Scale up → 3' }).count()) === 1,
    'the scale button\'s accessible name in English',
  );
  const anim = await en.$eval('#factory-feed .feed-item', (e) => getComputedStyle(e).animationName);
  check(anim === 'none', 'with reduced motion the watch feed does not animate', anim);
  await en.context().close();
  current = page;
  check(problems.length === 0, 'no console error and no page error', problems.join('; '));
} catch (err) {
  failed = err?.stack ?? String(err);
} finally {
  if (failed && current && process.env.LAB_ARTIFACTS) {
    try {
      mkdirSync(process.env.LAB_ARTIFACTS, { recursive: true });
      const shot = path.join(process.env.LAB_ARTIFACTS, 'factory-failure.png');
      await current.screenshot({ path: shot, fullPage: true });
      console.error(`factory.test: screenshot saved to ${shot}`);
      await current.locator('#factory').screenshot({ path: path.join(process.env.LAB_ARTIFACTS, 'factory-failure-factory.png') });
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
console.log('factory.test: all checks passed');
