// Smoke test of the E2E harness: the built site loads in headless Chromium,
// its wasm is served as application/wasm, and nothing logs an error.
//
// Run by `cargo xtask test` (or `cargo xtask test smoke.mjs`) with:
//   LAB_URL            the site, e.g. http://127.0.0.1:PORT/
//   LAB_BIN            absolute path of the native `lab` binary (unused here)
//   CHROMIUM           the browser, e.g. /usr/bin/chromium
//   LAB_CHROMIUM_ARGS  space-separated Chromium flags verified on Debian 12 as root
//   LAB_ARTIFACTS      where to put screenshots of failures
// Exit status 0 = pass; anything else = fail.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const url = process.env.LAB_URL;
if (!url) {
  console.error('smoke: LAB_URL is not set (run me through `cargo xtask test`)');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
// Playwright adds --headless and its own fresh profile (--user-data-dir) itself.
const args = (process.env.LAB_CHROMIUM_ARGS ||
  '--no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync')
  .split(/\s+/)
  .filter((a) => a && a !== '--headless' && !a.startsWith('--user-data-dir'));

const problems = [];
const browser = await chromium.launch({ executablePath, args, headless: true, timeout: 60_000 });
let page;
try {
  const context = await browser.newContext();
  page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  const wasm = [];
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
    if (res.url().endsWith('.wasm')) wasm.push(res);
  });

  const res = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  if (!res || !res.ok()) problems.push(`page load returned ${res ? res.status() : 'no response'}`);
  // Give the wasm module time to instantiate and start (errors surface as console/page errors).
  await page.waitForLoadState('networkidle', { timeout: 30_000 });
  await page.waitForTimeout(500);

  const hasBody = await page.evaluate(() => document.querySelector('body') !== null);
  if (!hasBody) problems.push('document.querySelector("body") is null');

  if (wasm.length === 0) {
    problems.push('the page did not fetch any .wasm file');
  } else {
    for (const r of wasm) {
      const ct = r.headers()['content-type'] || '';
      if (!ct.startsWith('application/wasm')) {
        problems.push(`${r.url()} served as "${ct}", expected application/wasm`);
      }
    }
  }
} catch (err) {
  problems.push(`exception: ${err && err.stack ? err.stack : err}`);
} finally {
  if (problems.length && page && process.env.LAB_ARTIFACTS) {
    try {
      mkdirSync(process.env.LAB_ARTIFACTS, { recursive: true });
      const shot = path.join(process.env.LAB_ARTIFACTS, 'smoke-failure.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.error(`smoke: screenshot saved to ${shot}`);
    } catch {
      // the page may be gone; the messages below are what matters
    }
  }
  await browser.close();
}

if (problems.length) {
  console.error('smoke: FAILED');
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`smoke: ok — ${url} loaded with its wasm and no console errors`);
