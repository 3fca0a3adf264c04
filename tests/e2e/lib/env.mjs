// What every E2E file needs from `cargo xtask test`: the site's URL and the Chromium flags
// verified here (not a test file itself: it lives below tests/e2e, where xtask does not look).

export const WAIT = { timeout: 60_000 };

/// The built site's URL; exits with status 2 (bad environment) when run outside xtask.
export function labUrl(testName) {
  const base = process.env.LAB_URL;
  if (!base) {
    console.error(`${testName}: LAB_URL is not set (run me through \`cargo xtask test\`)`);
    process.exit(2);
  }
  return base;
}

/// Chromium's flags, without the ones playwright sets itself.
export const chromiumArgs = (process.env.LAB_CHROMIUM_ARGS ||
  '--no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync')
  .split(/\s+/)
  .filter((a) => a && a !== '--headless' && !a.startsWith('--user-data-dir'));
