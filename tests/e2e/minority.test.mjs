// End-to-end (issue 3 "The vault shows it"): a leader isolated in a minority, by clicks, with
// five members. It steps down within about one election timeout (CheckQuorum); the majority
// elects a new leader and takes a new value; through the minority member a serializable read
// returns the STALE value while a linearizable read times out; after healing the old leader
// follows with no term explosion (PreVote). Then the member controls: a slow disk shows on the
// vault, a snapshot marker appears after enough writes, two watch streams see the same revision
// at once and ^C stops one, move-leader and a graceful stop hand leadership over.
//
// Same environment as lab.test.mjs (LAB_URL, CHROMIUM, LAB_CHROMIUM_ARGS, LAB_ARTIFACTS).
// Waits on conditions only (simulated time from `#sim-clock[data-now-us]`), never on sleeps.

import { chromium } from 'playwright-core';
import { WAIT, chromiumArgs, labUrl } from './lib/env.mjs';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const base = labUrl('minority.test');
const args = chromiumArgs;
const problems = [];

function check(cond, what, detail = '') {
  if (!cond) throw new Error(`${what}${detail ? ` (${detail})` : ''}`);
  console.log(`ok - ${what}${detail ? ` (${detail})` : ''}`);
}

const nowUs = (page) => page.$eval('#sim-clock', (e) => Number(e.getAttribute('data-now-us')));
const vault = (page, id) =>
  page.$eval(`[data-member="${id}"]`, (e) => ({
    role: e.getAttribute('data-role'),
    up: e.getAttribute('data-up') === 'true',
    term: Number(e.getAttribute('data-term')),
    side: Number(e.getAttribute('data-side')),
    text: e.textContent,
  }));

/** The one up leader (not `notId`, on `side` if given). */
async function upLeader(page, { notId = null, side = null } = {}) {
  const h = await page.waitForFunction(
    ({ notId, side }) => {
      const l = [...document.querySelectorAll('[data-role="leader"][data-up="true"]')]
        .filter((e) => side === null || e.getAttribute('data-side') === String(side))
        .map((e) => Number(e.getAttribute('data-member')))
        .filter((id) => id !== notId);
      return l.length === 1 ? l[0] : null;
    },
    { notId, side },
    WAIT,
  );
  return h.jsonValue();
}

/** Waits for the newest event-log row of `line` (or starting with `prefix`) to finish. */
async function waitCommand(page, line, { prefix = false } = {}) {
  const h = await page.waitForFunction(
    ({ line, prefix }) => {
      const rows = [...document.querySelectorAll('#event-log li[data-cmd]')].reverse();
      const row = rows.find((li) => {
        const t = li.querySelector('.cmd-line')?.textContent ?? '';
        return prefix ? t.startsWith(line) : t === line;
      });
      if (!row || row.getAttribute('data-done') !== 'true') return false;
      const at = row.querySelector('.cmd-at')?.textContent ?? '';
      return {
        line: row.querySelector('.cmd-line').textContent,
        failed: row.getAttribute('data-failed') === 'true',
        output: row.querySelector('.cmd-output')?.textContent ?? '',
        // `12.345s` → µs
        atUs: Math.round(parseFloat(at) * 1e6),
      };
    },
    { line, prefix },
    WAIT,
  );
  return h.jsonValue();
}

async function target(page, id) {
  await page.selectOption('#target-member', String(id));
  await page.waitForSelector(`[data-member="${id}"].selected`, WAIT);
}

async function put(page, id, key, value) {
  await target(page, id);
  await page.fill('#kv-key', key);
  await page.fill('#kv-value', value);
  await page.click('#act-put');
  return waitCommand(page, `etcdctl --endpoints=etcd-${id} put ${key} ${value}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args,
  timeout: 60_000,
});
let page = null;
let code = 0;
try {
  page = await (await browser.newContext({ viewport: { width: 1400, height: 1100 } })).newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${base}?lang=en`);
  await page.waitForSelector('[data-member="3"]', WAIT);
  await page.selectOption('#members', '5');
  await page.waitForSelector('[data-member="5"]', WAIT);
  check((await page.$$('[data-member]')).length === 5, 'five vaults after choosing 5 members');
  await page.selectOption('#speed', '2');

  // ---- 1. Write a key through the leader -----------------------------------------------------
  const old = await upLeader(page);
  const oldTerm = (await vault(page, old)).term;
  const w1 = await put(page, old, 'x1', 'v1');
  check(!w1.failed && w1.output.includes('OK'), `the write control runs \`${w1.line}\` → OK`);

  // ---- 2. Isolate the leader (with one follower) in a minority, by clicks --------------------
  const buddy = [1, 2, 3, 4, 5].find((n) => n !== old);
  await page.click('#partition-mode');
  await page.waitForSelector('#partition-mode[aria-pressed="true"]', WAIT);
  await page.click(`[data-member="${old}"]`);
  const alone = await waitCommand(page, 'lab partition ', { prefix: true });
  await page.click(`[data-member="${buddy}"]`);
  await page.waitForSelector(`[data-member="${buddy}"][data-side="1"]`, WAIT);
  await page.click('#partition-mode');
  const minority = [old, buddy].sort((a, b) => a - b).map((n) => `etcd-${n}`).join(' ');
  const split = await waitCommand(page, 'lab partition ', { prefix: true });
  check(split.line.endsWith(`| ${minority}`), `two clicks put ${minority} in a minority`, split.line);

  // CheckQuorum: the isolated leader steps down within about one election timeout.
  const down = await page.waitForFunction(
    (id) => {
      const e = document.querySelector(`[data-member="${id}"]`);
      if (e?.getAttribute('data-role') === 'leader') return false;
      return Number(document.querySelector('#sim-clock').getAttribute('data-now-us'));
    },
    old,
    WAIT,
  );
  const steppedAfterUs = (await down.jsonValue()) - alone.atUs;
  check(
    steppedAfterUs > 0 && steppedAfterUs <= 2_200_000,
    `the isolated leader etcd-${old} steps down within two CheckQuorum rounds (≤ 2.2 s simulated)`,
    `${steppedAfterUs} µs after \`${alone.line}\``,
  );
  const fresh = await upLeader(page, { notId: old, side: 0 });
  const freshTerm = (await vault(page, fresh)).term;
  check(freshTerm > oldTerm, `the majority elects etcd-${fresh} in term ${freshTerm}`);

  // ---- 3. A new value on the majority; stale and timed-out reads through the minority --------
  const w2 = await put(page, fresh, 'x1', 'v2');
  check(!w2.failed && w2.output.includes('OK'), `the majority commits x1=v2 (\`${w2.line}\`)`);
  await target(page, old);
  await page.click('#act-read-s');
  const rs = await waitCommand(page, `etcdctl --endpoints=etcd-${old} get x1 --consistency=s`);
  check(
    !rs.failed && /\bv1\b/.test(rs.output) && !/\bv2\b/.test(rs.output),
    `a serializable read through etcd-${old} (minority) returns the STALE value v1`,
    rs.output.replace(/\n/g, ' '),
  );
  await page.click('#act-read-l');
  const rl = await waitCommand(page, `etcdctl --endpoints=etcd-${old} get x1 --consistency=l`);
  check(
    rl.failed && rl.output.includes('Error: context deadline exceeded'),
    `a linearizable read through etcd-${old} times out (Error: context deadline exceeded)`,
    rl.output.replace(/\n/g, ' '),
  );
  await target(page, fresh);
  await page.click('#act-read-l');
  const rm = await waitCommand(page, `etcdctl --endpoints=etcd-${fresh} get x1 --consistency=l`);
  check(!rm.failed && /\bv2\b/.test(rm.output), `a linearizable read through etcd-${fresh} (majority) returns v2`);

  // ---- 4. Heal: the old leader follows, no term explosion (PreVote) --------------------------
  await page.click('#heal');
  const healed = await waitCommand(page, 'lab heal');
  const follows = await page.waitForFunction(
    ({ old, t0 }) => {
      const now = Number(document.querySelector('#sim-clock').getAttribute('data-now-us'));
      const leaders = [...document.querySelectorAll('[data-role="leader"][data-up="true"]')];
      const o = document.querySelector(`[data-member="${old}"]`);
      if (leaders.length !== 1 || o.getAttribute('data-role') !== 'follower') return false;
      if (o.getAttribute('data-term') !== leaders[0].getAttribute('data-term')) return false;
      // Applied what the majority committed meanwhile.
      if (Number(o.getAttribute('data-applied')) < Number(leaders[0].getAttribute('data-commit')) - 1) return false;
      return { term: Number(o.getAttribute('data-term')), leader: Number(leaders[0].getAttribute('data-member')), afterUs: now - t0 };
    },
    { old, t0: healed.atUs },
    WAIT,
  );
  const after = await follows.jsonValue();
  check(
    after.term - oldTerm <= 2,
    `after healing etcd-${old} follows etcd-${after.leader} in term ${after.term} (was ${oldTerm}: no term explosion)`,
    `${after.afterUs} µs after heal`,
  );
  await target(page, old);
  await page.click('#act-read-s');
  const rs2 = await waitCommand(page, `etcdctl --endpoints=etcd-${old} get x1 --consistency=s`);
  check(/\bv2\b/.test(rs2.output), `healed, etcd-${old} serves the new value v2`);

  // ---- 5. A slow disk shows on the vault ------------------------------------------------------
  const leaderNow = await upLeader(page);
  const slow = [1, 2, 3, 4, 5].find((n) => n !== leaderNow);
  await target(page, slow);
  await page.click('#act-disk');
  const disk = await waitCommand(page, `lab disk etcd-${slow} 500ms`);
  check(!disk.failed, `the slow-disk button runs \`${disk.line}\``);
  await page.waitForSelector(`[data-member="${slow}"][data-disk-slow="true"] .hourglass`, WAIT);
  check(
    // The line alternates with the robots' writes: idle it names the slow disk, busy it writes;
    // both show the latency, and the hourglass stays.
    /slow disk: fsync 500ms|writing to disk · 500ms/.test((await vault(page, slow)).text) &&
      (await page.getAttribute('#act-disk', 'aria-pressed')) === 'true',
    `etcd-${slow} shows a slow disk (an hourglass and its fsync latency 500ms)`,
  );
  await page.selectOption('#speed', '0.5');
  await page.click(`[data-teller="${slow}"]`);
  await page.waitForFunction(
    (id) => {
      const v = document.querySelector(`[data-member="${id}"]`);
      return v.getAttribute('data-disk-busy') === 'true' &&
        v.querySelector('.disk-arrow') !== null &&
        v.textContent.includes('writing to disk') &&
        v.querySelector('.entry[data-synced="false"]') !== null;
    },
    slow,
    WAIT,
  );
  check(true, `while it fsyncs, etcd-${slow} shows "writing to disk" and its unsynced entry (cut corner)`);
  await page.selectOption('#speed', '2');
  await page.click('#act-disk');
  await waitCommand(page, `lab disk etcd-${slow} normal`);
  // (A write already in flight finishes at the old speed first.)
  await page.waitForFunction(
    (id) => {
      const v = document.querySelector(`[data-member="${id}"]`);
      return v.getAttribute('data-disk-slow') === 'false' && v.textContent.includes('disk ok') && !v.querySelector('.hourglass');
    },
    slow,
    WAIT,
  );
  check(true, `"Disk back to normal" runs \`lab disk etcd-${slow} normal\` and the vault says "disk ok"`);

  // ---- 6. A snapshot marker after enough writes ------------------------------------------------
  await page.selectOption('#snapshot-count', '5');
  await waitCommand(page, 'lab set snapshot-count 5');
  for (let i = 0; i < 6; i++) {
    await page.click(`[data-teller="${leaderNow}"]`);
  }
  const snap = await page.waitForFunction(
    (id) => {
      const v = document.querySelector(`[data-member="${id}"]`);
      const s = v.getAttribute('data-snapshot');
      return s ? { snapshot: Number(s), compacted: Number(v.getAttribute('data-compacted')), text: v.textContent } : false;
    },
    leaderNow,
    WAIT,
  );
  const sv = await snap.jsonValue();
  check(
    // The log after the snapshot is either a range or, when every entry is in the snapshot,
    // "log — (≤N compacted)": which one depends on whether a write landed after it.
    sv.text.includes(`snapshot @${sv.snapshot}`) &&
      sv.compacted > 0 &&
      (sv.text.includes(`log ${sv.compacted + 1}–`) || sv.text.includes(`≤${sv.compacted}`)),
    `after 6 writes with snapshot-count 5, etcd-${leaderNow} shows "snapshot @${sv.snapshot}" and its compacted log`,
    `compacted ≤ ${sv.compacted}`,
  );

  // ---- 7. Watch streams: every branch notified of the same revision --------------------------
  const [wa, wb] = [1, 2, 3, 4, 5].filter((n) => n !== leaderNow).slice(0, 2);
  for (const id of [wa, wb]) {
    await target(page, id);
    await page.click('#act-watch');
    await waitCommand(page, `etcdctl --endpoints=etcd-${id} watch /registry/pods/default/ --prefix`);
  }
  check((await page.$$('#watch-list > li[data-watch]')).length === 2, 'two watch streams are listed');
  await page.click('#act-put-pod');
  const same = await page.waitForFunction(() => {
    const ws = [...document.querySelectorAll('#watch-list > li[data-watch]')];
    const revs = ws.map((w) => Number(w.getAttribute('data-last-rev')));
    if (ws.length !== 2 || revs[0] === 0 || revs[0] !== revs[1]) return false;
    return ws.every((w) => w.textContent.includes('/registry/pods/default/web-1')) ? revs[0] : false;
  }, null, WAIT);
  check(true, `one pod write reaches both streams at revision ${await same.jsonValue()}`);
  await page.click('#act-watch-stop');
  await waitCommand(page, '^C');
  await page.waitForFunction(() => document.querySelectorAll('#watch-list > li[data-watch]').length === 1, null, WAIT);
  check(true, '^C stops the newest stream');

  // ---- 8. Move leadership, then stop gracefully ------------------------------------------------
  const to = [1, 2, 3, 4, 5].find((n) => n !== leaderNow);
  await target(page, to);
  await page.click('#act-move-leader');
  const moved = await waitCommand(page, `etcdctl --endpoints=etcd-${leaderNow} move-leader `, { prefix: true });
  check(!moved.failed && moved.output.includes('Leadership transferred'), `\`${moved.line}\` → ${moved.output.trim()}`);
  check((await upLeader(page)) === to, `etcd-${to} leads now`);
  await page.click('#act-stop');
  const stop = await waitCommand(page, `lab stop etcd-${to}`);
  check(!stop.failed && stop.output.includes('handed leadership to'), `the graceful stop hands over: ${stop.output.trim()}`);
  await page.waitForSelector(`[data-member="${to}"][data-up="false"]`, WAIT);
  const next = await upLeader(page, { notId: to });
  check(next !== to, `etcd-${next} leads after the graceful stop`);

  // ---- 9. In Korean too; keyboard ---------------------------------------------------------------
  await page.click('#lang-ko');
  await page.waitForFunction(() => document.querySelector('#act-read-s')?.textContent.includes('직렬화'), null, WAIT);
  check(
    (await page.textContent('#act-stop')).includes('정상 종료') && (await page.textContent('#watch-title')).includes('watch'),
    'the controls speak Korean with ?lang=ko',
  );
  await target(page, next);
  await page.focus('#act-read-l');
  await page.keyboard.press('Enter');
  const kb = await waitCommand(page, `etcdctl --endpoints=etcd-${next} get x1 --consistency=l`);
  check(!kb.failed && /\bv2\b/.test(kb.output), 'the read buttons work from the keyboard', kb.output);

  // ---- 10. Membership: a learner joins (a link made by the native `lab share`) ---------------
  if (process.env.LAB_BIN) {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-e2e-'));
    const file = path.join(dir, 'learner.json');
    const scenario = {
      version: 1,
      seed: 9,
      topology: { etcd: 3 },
      commands: [
        { at_us: 0, line: 'lab set snapshot-count 5' },
        ...Array.from({ length: 8 }, (_, i) => ({ at_us: 3_000_000 + i * 200_000, line: `lab put k${i} v${i}` })),
        {
          at_us: 5_000_000,
          line: 'etcdctl member add challenge-cluster-control-plane4 --peer-urls=https://172.18.0.5:2380 --learner',
        },
        // A shared world opens paused where its last command began: let the change commit first.
        { at_us: 7_000_000, line: 'sleep 1s' },
      ],
    };
    writeFileSync(file, JSON.stringify(scenario));
    const link = execFileSync(process.env.LAB_BIN, ['share', file], { encoding: 'utf8' }).trim().split('\n').pop();
    const learnerPage = await (await browser.newContext({ viewport: { width: 1400, height: 1100 } })).newPage();
    learnerPage.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    learnerPage.on('pageerror', (e) => problems.push(e.message));
    await learnerPage.goto(`${base}?lang=en${link.slice(link.indexOf('#'))}`);
    await learnerPage.waitForSelector('[data-member="4"][data-learner="true"]', WAIT);
    const text = await learnerPage.textContent('[data-member="4"]');
    check(text.includes('learner'), 'a learner added by `etcdctl member add --learner` gets its own vault, marked learner');
    check(
      (await learnerPage.$$('[data-member]')).length === 4,
      'the diagram grows to four vaults when a member joins',
    );
    // Promote it and remove another member, by clicks.
    await learnerPage.click('#play');
    await learnerPage.selectOption('#target-member', '4');
    await learnerPage.waitForSelector('#act-promote:not([disabled])', WAIT);
    await learnerPage.click('#act-promote');
    await learnerPage.waitForSelector('[data-member="4"][data-learner="false"]', WAIT);
    const promoted = await (
      await learnerPage.waitForFunction(() => {
        const row = [...document.querySelectorAll('#event-log li[data-cmd]')]
          .reverse()
          .find((li) => (li.querySelector('.cmd-line')?.textContent ?? '').includes(' member promote '));
        if (!row || row.getAttribute('data-done') !== 'true') return false;
        return { line: row.querySelector('.cmd-line').textContent, output: row.querySelector('.cmd-output')?.textContent ?? '' };
      }, null, WAIT)
    ).jsonValue();
    check(promoted.output.includes('promoted in cluster'), `the promote button runs \`${promoted.line}\``);
    await learnerPage.selectOption('#target-member', '3');
    await learnerPage.click('#act-remove');
    await learnerPage.waitForSelector('[data-member="3"][data-removed="true"]', WAIT);
    check(
      (await learnerPage.textContent('[data-member="3"]')).includes('REMOVED'),
      'the remove button takes etcd-3 out of the cluster; its vault says REMOVED',
    );
    await learnerPage.context().close();
  }

  check(problems.length === 0, 'no console error and no page error', problems.join('; '));
  console.log('minority.test: all checks passed');
} catch (e) {
  console.log(`not ok - ${e.message}`);
  code = 1;
  if (page && process.env.LAB_ARTIFACTS) {
    try {
      mkdirSync(process.env.LAB_ARTIFACTS, { recursive: true });
      const shot = path.join(process.env.LAB_ARTIFACTS, 'minority-failure.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.error(`minority.test: screenshot saved to ${shot}`);
    } catch {
      // the page may be gone
    }
  }
} finally {
  await browser.close();
}
process.exit(code);
