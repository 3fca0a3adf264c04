// End-to-end: CheckQuorum and PreVote as etcd 3.5 runs them, shown by clicks in the vault
// (issue 3 acceptance). A leader moved alone across the partition line steps down within about
// one election timeout (CheckQuorum checks every 1 s: at most two rounds); the majority elects
// a new leader; after healing the old leader follows it with no term explosion (PreVote: the
// cut-off member never raised its term).
//
// Same environment as lab.test.mjs (LAB_URL, CHROMIUM, LAB_CHROMIUM_ARGS).

import { chromium } from 'playwright-core';
import { WAIT, chromiumArgs, labUrl } from './lib/env.mjs';

const base = labUrl('safeguards.test');
const args = chromiumArgs;
const problems = [];

function check(cond, what, detail = '') {
  if (!cond) throw new Error(`${what}${detail ? ` (${detail})` : ''}`);
  console.log(`ok - ${what}`);
}

const nowUs = (page) => page.$eval('#sim-clock', (e) => Number(e.getAttribute('data-now-us')));
const vault = (page, id) =>
  page.$eval(`[data-member="${id}"]`, (e) => ({
    role: e.getAttribute('data-role'),
    up: e.getAttribute('data-up') === 'true',
    term: Number(e.getAttribute('data-term')),
  }));

async function upLeader(page, notId = null) {
  const h = await page.waitForFunction(
    (not) => {
      const l = [...document.querySelectorAll('[data-role="leader"][data-up="true"]')]
        .map((e) => Number(e.getAttribute('data-member')))
        .filter((id) => id !== not);
      return l.length === 1 ? l[0] : null;
    },
    notId,
    WAIT,
  );
  return h.jsonValue();
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args });
let code = 0;
try {
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${base}?lang=en`);
  await page.waitForSelector('[data-member="3"]', WAIT);
  await page.selectOption('#speed', '1');

  // The etcd FAQ table marks the current size: 3 members, majority 2, 1 failure tolerated.
  const row = await page.$$eval('#quorum-table tr[aria-current="true"] td', (tds) => tds.map((t) => t.textContent.trim()));
  check(row[0] === '3' && row[1] === '2' && row[2] === '1' && row[3].includes('now'), 'the quorum table marks 3 / 2 / 1', row.join(' | '));

  const old = await upLeader(page);
  const oldTerm = (await vault(page, old)).term;
  check(oldTerm >= 1, `etcd-${old} leads term ${oldTerm}`);

  // Move the leader alone across the partition line.
  await page.click('#partition-mode');
  await page.click(`[data-member="${old}"]`);
  await page.click('#partition-mode');
  const cutAt = await nowUs(page);
  await page.waitForFunction(
    (id) => document.querySelector(`[data-member="${id}"]`)?.getAttribute('data-role') !== 'leader',
    old,
    WAIT,
  );
  const steppedDownAfterUs = (await nowUs(page)) - cutAt;
  check(
    steppedDownAfterUs <= 2_200_000,
    'the isolated leader steps down within two CheckQuorum rounds (≤ 2.2 s simulated)',
    `${steppedDownAfterUs} µs`,
  );

  const fresh = await upLeader(page, old);
  const freshTerm = (await vault(page, fresh)).term;
  check(fresh !== old && freshTerm > oldTerm, `the majority elects etcd-${fresh} in term ${freshTerm}`);

  // A while apart: the cut-off member pre-campaigns but never raises its term.
  const t = await nowUs(page);
  await page.waitForFunction((t0) => Number(document.querySelector('#sim-clock').getAttribute('data-now-us')) > t0 + 5_000_000, t, WAIT);
  check((await vault(page, old)).term === oldTerm, `cut off for 5 s, etcd-${old} keeps term ${oldTerm} (PreVote)`);

  await page.click('#heal');
  const healedAt = await nowUs(page);
  await page.waitForFunction((t0) => Number(document.querySelector('#sim-clock').getAttribute('data-now-us')) > t0 + 3_000_000, healedAt, WAIT);
  const after = await vault(page, old);
  const leaderNow = await upLeader(page);
  check(leaderNow === fresh, `after healing etcd-${fresh} still leads (no disruption)`);
  check(after.role === 'follower' && after.term === freshTerm, `etcd-${old} follows in term ${freshTerm} (no term explosion)`, JSON.stringify(after));
  check(problems.length === 0, 'no console error and no page error', problems.join('; '));
  console.log('safeguards.test: all checks passed');
} catch (e) {
  console.log(`not ok - ${e.message}`);
  code = 1;
} finally {
  await browser.close();
}
process.exit(code);
