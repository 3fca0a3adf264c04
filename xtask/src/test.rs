//! `cargo xtask test`: native tests, wasm tests in headless Chromium, the release
//! site build, and end-to-end tests of that site in headless Chromium.

use crate::tools::{self, Browser, Toolchain, WASM_TARGET};
use crate::util::{self, say, Context, Result, Timer};
use crate::{bail, server, site};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Headless Chromium flags verified on Debian 12 as root (also used by tests/e2e).
pub const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

/// Per-file limit for an E2E test (override with `LAB_E2E_TIMEOUT_S`).
const E2E_TIMEOUT_S: u64 = 300;

#[derive(Default)]
struct Plan {
    native: bool,
    wasm: bool,
    site: bool,
    e2e: bool,
    e2e_files: Vec<String>,
}

/// Seeds `lab check` runs in `cargo xtask test` (60 s of simulated time each).
const CHECK_SEEDS: u32 = 2000;
/// Random office worlds `cargo xtask test` checks (about a minute of simulated requests each).
const OFFICE_SEEDS: u32 = 300;

fn plan(args: &[String]) -> Result<Plan> {
    let mut p = Plan::default();
    for a in args {
        match a.as_str() {
            "native" => p.native = true,
            "wasm" => p.wasm = true,
            "site" => p.site = true,
            "e2e" => p.e2e = true,
            f if f.ends_with(".mjs") => {
                p.e2e = true;
                p.e2e_files.push(f.rsplit('/').next().unwrap_or(f).to_string());
            }
            other => {
                bail!("unknown test layer `{other}` (layers: native, wasm, site, e2e; or an E2E file like smoke.mjs)")
            }
        }
    }
    if !(p.native || p.wasm || p.site || p.e2e) {
        p = Plan { native: true, wasm: true, site: true, e2e: true, e2e_files: vec![] };
    }
    p.site |= p.e2e;
    Ok(p)
}

pub fn run(args: &[String]) -> Result<()> {
    let plan = plan(args)?;
    if plan.e2e {
        e2e_files(&plan.e2e_files)?; // unknown file names fail before any build
    }
    let total = Timer::start();
    let root = util::root();

    // Tools first, so a missing prerequisite fails fast rather than after the native tests.
    let mut tc: Option<Toolchain> = None;
    let mut browser: Option<Browser> = None;
    if plan.wasm || plan.site {
        tc = Some(tools::ensure_web_toolchain()?);
    }
    if plan.wasm || plan.e2e {
        browser = Some(tools::ensure_chromium()?);
    }
    if plan.e2e {
        tools::ensure_node()?;
    }

    let mut step = 0;
    let mut next = |name: &str| {
        step += 1;
        println!();
        say(format!("== {step}. {name}"));
        Timer::start()
    };

    if plan.native {
        let t = next("native tests: cargo test --workspace");
        let mut cmd = Command::new(util::cargo());
        cmd.current_dir(&root).args(["test", "--workspace"]);
        stage(util::run(&mut cmd), "native tests")?;
        say(format!("native tests passed in {}", t.took()));

        // The checkers must be able to fail: each deliberate bug is caught (within 500 random
        // seeds, or by the scripted Raft Figure 8 schedule).
        let t = next("mutants: cargo test -p lab-core --features mutants --test mutants --test figure8");
        let mut cmd = Command::new(util::cargo());
        cmd.current_dir(&root).args([
            "test",
            "-p",
            "lab-core",
            "--features",
            "mutants",
            "--test",
            "mutants",
            "--test",
            "figure8",
        ]);
        stage(util::run(&mut cmd), "mutant tests")?;
        say(format!("every mutant caught in {}", t.took()));

        // Safety and liveness over many random worlds (issue 3: ≥ 2,000 seeds of 60 s).
        let lab_check = |extra: &[&str]| {
            let mut cmd = Command::new(util::cargo());
            cmd.current_dir(&root).args([
                "run",
                "--quiet",
                "--release",
                "-p",
                "lab-core",
                "--bin",
                "lab",
                "--",
                "check",
            ]);
            cmd.args(extra);
            cmd
        };
        let t = next(&format!("lab check --seeds {CHECK_SEEDS} (release)"));
        stage(util::run(&mut lab_check(&["--seeds", &CHECK_SEEDS.to_string()])), "lab check")?;
        say(format!("lab check passed in {}", t.took()));

        // The API server's invariants over random requests and faults (issue 4).
        let t = next(&format!("lab check --office --seeds {OFFICE_SEEDS} (release)"));
        let seeds = OFFICE_SEEDS.to_string();
        stage(util::run(&mut lab_check(&["--office", "--seeds", &seeds])), "lab check --office")?;
        say(format!("lab check --office passed in {}", t.took()));
    }

    if plan.wasm {
        let t = next("wasm tests in headless Chromium (wasm-bindgen-test)");
        let (tc, browser) = (tc.as_ref().unwrap(), browser.as_ref().unwrap());
        for (pkg, dir) in [("lab-core", root.join("core")), ("control-plane-lab", root.clone())] {
            stage(wasm_tests(tc, browser, pkg, &dir), "wasm tests")?;
        }
        say(format!("wasm tests passed in {}", t.took()));
    }

    let mut dist = None;
    if plan.site {
        let _t = next("release site: trunk build --release --offline");
        dist = Some(stage(site::build(tc.as_ref().unwrap(), false), "site build")?);
    }

    if plan.e2e {
        let t = next("end-to-end tests in headless Chromium (tests/e2e)");
        let browser = browser.as_ref().unwrap();
        stage(e2e(dist.as_deref().unwrap(), browser, &plan.e2e_files), "end-to-end tests")?;
        say(format!("end-to-end tests passed in {}", t.took()));
    }

    println!();
    say(format!("all requested test layers passed in {}", total.took()));
    Ok(())
}

fn stage<T>(r: Result<T>, what: &str) -> Result<T> {
    r.map_err(|e| util::Error(format!("{what} FAILED: {e}")))
}

/// `tests/wasm_*.rs` files of a package.
fn wasm_test_files(pkg_dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(pkg_dir.join("tests"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("wasm_") && n.ends_with(".rs"))
        .collect();
    v.sort();
    v
}

fn wasm_tests(tc: &Toolchain, browser: &Browser, pkg: &str, pkg_dir: &Path) -> Result<()> {
    let files = wasm_test_files(pkg_dir);
    if files.is_empty() {
        say(format!("{pkg}: no {}/tests/wasm_*.rs files; nothing to run", pkg_dir.display()));
        return Ok(());
    }
    say(format!("{pkg}: {}", files.join(", ")));
    // Cargo runs the runner from the package directory, but wasm-bindgen-test-runner
    // reads `webdriver.json` from its working directory: so cargo runs us, and we
    // run wasm-bindgen-test-runner from a directory holding the capabilities we want.
    let me = std::env::current_exe().context(|| "cannot find the xtask binary".into())?;
    let me = me.to_str().filter(|s| !s.contains(char::is_whitespace));
    let Some(me) = me else {
        bail!("the xtask binary's path contains whitespace; cargo cannot use it as a test runner");
    };
    let mut cmd = Command::new(util::cargo());
    cmd.current_dir(util::root())
        .env("PATH", &tc.path)
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", format!("{me} wasm-test-runner"))
        .env("CHROMEDRIVER", &browser.chromedriver)
        .env("CHROMIUM", &browser.chromium)
        .args(["test", "-p", pkg, "--target", WASM_TARGET, "--test", "wasm_*"]);
    if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
        cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "180");
    }
    util::run(&mut cmd)
}

/// `cargo xtask wasm-test-runner WASM [ARGS…]`: what cargo runs for each wasm32 test binary.
pub fn wasm_test_runner(args: &[String]) -> Result<()> {
    let Some((wasm, rest)) = args.split_first() else {
        bail!("usage: cargo xtask wasm-test-runner TEST.wasm [ARGS…] (cargo calls this)");
    };
    let wasm = std::path::absolute(wasm).context(|| format!("bad path {wasm}"))?;
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let dir = util::root().join("target").join("xtask").join(format!("wasm-runner-{}", std::process::id()));
    let profile = dir.join("profile");
    std::fs::create_dir_all(&profile).context(|| format!("cannot create {}", dir.display()))?;
    let mut chrome_args: Vec<serde_json::Value> = CHROMIUM_ARGS.iter().map(|a| (*a).into()).collect();
    chrome_args.push(format!("--user-data-dir={}", profile.display()).into());
    let caps = serde_json::json!({
        "goog:chromeOptions": { "binary": chromium, "args": chrome_args }
    });
    std::fs::write(dir.join("webdriver.json"), caps.to_string())
        .context(|| format!("cannot write {}", dir.join("webdriver.json").display()))?;
    let st = util::status(
        Command::new("wasm-bindgen-test-runner")
            .current_dir(&dir)
            // its anyhow backtraces under RUST_BACKTRACE=1 only bury the test output
            .env("RUST_LIB_BACKTRACE", "0")
            .arg(&wasm)
            .args(rest),
    );
    let _ = std::fs::remove_dir_all(&dir);
    let st = st?;
    if !st.success() {
        // cargo already names the failing test binary; keep our line short.
        std::process::exit(st.code().unwrap_or(101));
    }
    Ok(())
}

fn e2e(dist: &Path, browser: &Browser, only: &[String]) -> Result<()> {
    let root = util::root();
    let e2e_dir = root.join("tests").join("e2e");

    // The native CLI, for tests that compare the page with `lab run --hash`.
    say("building the native `lab` binary…");
    let mut cmd = Command::new(util::cargo());
    cmd.current_dir(&root).args(["build", "--release", "-p", "lab-core", "--bin", "lab"]);
    util::run(&mut cmd)?;
    let lab_bin = root.join("target").join("release").join("lab");
    if !lab_bin.is_file() {
        bail!("{} was not built", lab_bin.display());
    }

    npm_ci(&e2e_dir)?;

    let files = e2e_files(only)?;

    let srv = server::start(dist, 0)?;
    say(format!("serving {} at {}", dist.display(), srv.url()));
    let timeout = std::env::var("LAB_E2E_TIMEOUT_S").ok().and_then(|s| s.parse().ok()).unwrap_or(E2E_TIMEOUT_S);
    let artifacts = e2e_dir.join("artifacts");

    let mut results = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        println!();
        say(format!("--- e2e {name}"));
        let t = Timer::start();
        let mut cmd = Command::new("node");
        cmd.current_dir(&e2e_dir)
            .arg(f)
            .env("LAB_URL", srv.url())
            .env("LAB_BIN", &lab_bin)
            .env("CHROMIUM", &browser.chromium)
            .env("LAB_CHROMIUM_ARGS", CHROMIUM_ARGS.join(" "))
            .env("LAB_ARTIFACTS", &artifacts)
            .stdin(Stdio::null());
        let outcome = run_with_timeout(&mut cmd, Duration::from_secs(timeout))?;
        let line = match &outcome {
            None => format!("ok      {name} ({})", t.took()),
            Some(why) => format!("FAILED  {name} ({}, {why})", t.took()),
        };
        say(format!("e2e {line}"));
        results.push((line, outcome.is_none()));
    }

    println!();
    say("end-to-end results:");
    for (line, _) in &results {
        println!("    {line}");
    }
    let failed = results.iter().filter(|(_, ok)| !ok).count();
    if failed > 0 {
        bail!("{failed} of {} E2E files failed", results.len());
    }
    Ok(())
}

/// `tests/e2e/*.mjs`, sorted; only those named in `only` when it is not empty.
fn e2e_files(only: &[String]) -> Result<Vec<PathBuf>> {
    let e2e_dir = util::root().join("tests").join("e2e");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&e2e_dir)
        .context(|| format!("cannot read {}", e2e_dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "mjs"))
        .collect();
    files.sort();
    let named = |p: &PathBuf, f: &String| p.file_name().is_some_and(|n| n == f.as_str());
    for f in only {
        if !files.iter().any(|p| named(p, f)) {
            bail!("no E2E test file tests/e2e/{f}");
        }
    }
    if !only.is_empty() {
        files.retain(|p| only.iter().any(|f| named(p, f)));
    }
    if files.is_empty() {
        bail!("no E2E test files (tests/e2e/*.mjs)");
    }
    Ok(files)
}

/// Run to completion or kill after `limit`; `None` = success, `Some(reason)` = failure.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Result<Option<String>> {
    let mut child = cmd.spawn().context(|| format!("cannot start `{}`", util::show(cmd)))?;
    let t = Timer::start();
    loop {
        if let Some(st) = child.try_wait()? {
            return Ok(if st.success() { None } else { Some(util::describe(st)) });
        }
        if t.elapsed() > limit {
            // The test's own children (Chromium) first, then the test.
            for pid in descendants(child.id()) {
                let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).stderr(Stdio::null()).status();
            }
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Some(format!("timed out after {}s (LAB_E2E_TIMEOUT_S)", limit.as_secs())));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// All descendants of `pid`, deepest first, read from /proc (empty if /proc is unavailable).
fn descendants(pid: u32) -> Vec<u32> {
    let mut parent: Vec<(u32, u32)> = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        // /proc/PID/stat: "pid (comm) state ppid …"; comm may contain spaces and parens.
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(pp) = after.split_whitespace().nth(1).and_then(|x| x.parse().ok()) {
            parent.push((p, pp));
        }
    }
    let mut out = Vec::new();
    let mut frontier = vec![pid];
    while let Some(cur) = frontier.pop() {
        for &(p, pp) in &parent {
            if pp == cur && !out.contains(&p) {
                out.push(p);
                frontier.push(p);
            }
        }
    }
    out.reverse();
    out
}

/// `npm ci` in tests/e2e when node_modules is missing or older than package-lock.json.
fn npm_ci(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    if !lock.is_file() {
        bail!("{} is missing", lock.display());
    }
    let stamp = dir.join("node_modules").join(".package-lock.json");
    let mtime = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    let fresh = matches!((mtime(&stamp), mtime(&lock)), (Some(s), Some(l)) if s >= l);
    if fresh {
        return Ok(());
    }
    say("installing the E2E test dependencies (npm ci in tests/e2e)…");
    let mut cmd = Command::new("npm");
    cmd.current_dir(dir).args(["ci", "--no-audit", "--no-fund"]);
    util::run(&mut cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn plans() {
        let p = plan(&[]).unwrap();
        assert!(p.native && p.wasm && p.site && p.e2e);
        let p = plan(&s(&["e2e"])).unwrap();
        assert!(!p.native && !p.wasm && p.site && p.e2e);
        let p = plan(&s(&["tests/e2e/smoke.mjs"])).unwrap();
        assert!(p.e2e && p.e2e_files == ["smoke.mjs"]);
        assert!(plan(&s(&["nope"])).is_err());
    }
}
