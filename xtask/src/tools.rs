//! Finding, checking and installing the pinned toolchain.
//!
//! Single sources of truth:
//! - wasm-bindgen(-cli) version: the `wasm-bindgen` entry of `Cargo.lock`;
//! - Trunk version: `trunk-version = "=X.Y.Z"` in `Trunk.toml`;
//! - wasm-opt (binaryen) version: `[tools] wasm_opt = "version_N"` in `Trunk.toml`.

use crate::bail;
use crate::util::{self, say, Context, Result, Timer};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where the pinned tools live, and the `PATH` children must run with.
pub struct Toolchain {
    /// `PATH` with the binaryen bin dir and `~/.cargo/bin` first.
    pub path: OsString,
}

/// The pins, read from the repository.
pub struct Pins {
    pub trunk: String,
    pub wasm_bindgen: String,
    /// binaryen major version, e.g. 132.
    pub wasm_opt: u32,
}

pub fn pins() -> Result<Pins> {
    let root = util::root();
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .context(|| format!("cannot read {}", root.join("Cargo.lock").display()))?;
    let trunk_toml = std::fs::read_to_string(root.join("Trunk.toml"))
        .context(|| format!("cannot read {}", root.join("Trunk.toml").display()))?;
    Ok(Pins {
        trunk: trunk_version(&trunk_toml)?,
        wasm_bindgen: lock_version(&lock, "wasm-bindgen")?,
        wasm_opt: wasm_opt_version(&trunk_toml)?,
    })
}

/// The single version of package `name` in a `Cargo.lock`.
pub fn lock_version(lock: &str, name: &str) -> Result<String> {
    let mut versions = Vec::new();
    let mut in_pkg_named = false;
    for line in lock.lines().map(str::trim) {
        if line == "[[package]]" {
            in_pkg_named = false;
        } else if let Some(v) = toml_str(line, "name") {
            in_pkg_named = v == name;
        } else if in_pkg_named {
            if let Some(v) = toml_str(line, "version") {
                if !versions.contains(&v) {
                    versions.push(v);
                }
                in_pkg_named = false;
            }
        }
    }
    match versions.len() {
        1 => Ok(versions.remove(0)),
        0 => bail!("Cargo.lock has no `{name}` package (run `cargo generate-lockfile`?)"),
        _ => bail!(
            "Cargo.lock has several `{name}` versions ({}); wasm-bindgen-cli must match exactly one",
            versions.join(", ")
        ),
    }
}

/// `key = "value"` → `value` (only for simple one-line string entries).
fn toml_str(line: &str, key: &str) -> Option<String> {
    let rest = line.strip_prefix(key)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(rest[..end].to_string())
}

fn trunk_version(trunk_toml: &str) -> Result<String> {
    for line in trunk_toml.lines().map(str::trim) {
        if line.starts_with('[') {
            break; // `trunk-version` is a top-level key
        }
        if let Some(v) = toml_str(line, "trunk-version") {
            let v = v.trim_start_matches('=').trim();
            if v.split('.').count() == 3 && v.split('.').all(|p| p.parse::<u32>().is_ok()) {
                return Ok(v.to_string());
            }
            bail!("Trunk.toml: trunk-version must be an exact pin like \"=0.21.14\", found \"{v}\"");
        }
    }
    bail!("Trunk.toml has no top-level `trunk-version = \"=X.Y.Z\"` pin")
}

fn wasm_opt_version(trunk_toml: &str) -> Result<u32> {
    let mut in_tools = false;
    for line in trunk_toml.lines().map(str::trim) {
        if line.starts_with('[') {
            in_tools = line == "[tools]";
        } else if in_tools {
            if let Some(v) = toml_str(line, "wasm_opt") {
                if let Some(n) = v.strip_prefix("version_").and_then(|n| n.parse().ok()) {
                    return Ok(n);
                }
                bail!("Trunk.toml: [tools] wasm_opt must look like \"version_132\", found \"{v}\"");
            }
        }
    }
    bail!("Trunk.toml has no `[tools] wasm_opt = \"version_N\"` pin")
}

/// Find an executable named `name` in a `PATH`-style list.
pub fn which(name: &str, path: &OsString) -> Option<PathBuf> {
    std::env::split_paths(path).map(|d| d.join(name)).find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// First line of `tool --version`, if it runs.
fn version_of(tool: &Path) -> Option<String> {
    util::capture(Command::new(tool).arg("--version")).map(|s| s.lines().next().unwrap_or("").trim().to_string())
}

fn binaryen_dir(major: u32) -> Result<PathBuf> {
    Ok(util::cache_dir()?.join(format!("binaryen-{major}")))
}

/// Make sure everything `trunk build` needs is installed; returns the `PATH` to use.
pub fn ensure_web_toolchain() -> Result<Toolchain> {
    let pins = pins()?;
    let binaryen_bin = binaryen_dir(pins.wasm_opt)?.join("node_modules").join(".bin");
    let path = util::path_with(&[binaryen_bin.clone(), util::cargo_bin_dir()?])?;

    ensure_wasm_target()?;
    ensure_cargo_tool(&path, "trunk", "trunk", &pins.trunk, true, "first time only, ~11 min")?;
    ensure_cargo_tool(&path, "wasm-bindgen", "wasm-bindgen-cli", &pins.wasm_bindgen, false, "first time only, ~3 min")?;
    if which("wasm-bindgen-test-runner", &path).is_none() {
        bail!("wasm-bindgen-test-runner is missing although wasm-bindgen-cli is installed; reinstall with `cargo install --force wasm-bindgen-cli --version {}`", pins.wasm_bindgen);
    }
    ensure_wasm_opt(&binaryen_bin, pins.wasm_opt)?;
    say(format!(
        "tools ok: trunk {}, wasm-bindgen {} (from Cargo.lock), wasm-opt {} (npm binaryen)",
        pins.trunk, pins.wasm_bindgen, pins.wasm_opt
    ));
    Ok(Toolchain { path })
}

pub fn ensure_wasm_target() -> Result<()> {
    let installed = util::capture(Command::new("rustup").args(["target", "list", "--installed"]));
    let Some(installed) = installed else {
        bail!(
            "`rustup` is not available; install Rust with rustup (https://rustup.rs) \
             or add the `{WASM_TARGET}` target to your toolchain yourself"
        );
    };
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    say(format!("adding the Rust target {WASM_TARGET} (first time only)…"));
    util::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// `cargo install` `krate` at exactly `version` unless `bin --version` already says so.
fn ensure_cargo_tool(path: &OsString, bin: &str, krate: &str, version: &str, locked: bool, hint: &str) -> Result<()> {
    let found = which(bin, path);
    let have = found.as_deref().and_then(version_of);
    let want = format!("{bin} {version}");
    if have.as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    match (&found, &have) {
        (Some(p), Some(v)) => say(format!("{} reports `{v}`, need `{want}`; replacing it", p.display())),
        (Some(p), None) => say(format!("{} does not run; reinstalling", p.display())),
        _ => {}
    }
    say(format!("installing {krate} {version} ({hint})…"));
    let t = Timer::start();
    let mut cmd = Command::new(util::cargo());
    cmd.args(["install", "--force"]);
    if locked {
        // Trunk's own lockfile: newer dependency versions need a newer rustc.
        cmd.arg("--locked");
    }
    cmd.args([krate, "--version", version]);
    util::run(&mut cmd)?;
    let have = which(bin, path).as_deref().and_then(version_of);
    if have.as_deref() != Some(want.as_str()) {
        bail!(
            "installed {krate} {version}, but `{bin} --version` now says {:?}; is another `{bin}` \
             earlier on PATH than {}?",
            have.unwrap_or_else(|| "nothing".into()),
            util::cargo_bin_dir()?.display()
        );
    }
    say(format!("installed {krate} {version} in {}", t.took()));
    Ok(())
}

fn ensure_wasm_opt(bin_dir: &Path, major: u32) -> Result<()> {
    let wasm_opt = bin_dir.join("wasm-opt");
    let ok = |v: &Option<String>| v.as_deref().is_some_and(|v| v.contains(&format!("version {major}")));
    if ok(&version_of(&wasm_opt)) {
        return Ok(());
    }
    ensure_node()?;
    let prefix = bin_dir.parent().and_then(Path::parent).ok_or_else(|| util::Error("bad binaryen directory".into()))?;
    std::fs::create_dir_all(prefix).context(|| format!("cannot create {}", prefix.display()))?;
    say(format!(
        "installing wasm-opt {major} from npm `binaryen@{major}.0.0` into {} (first time only)…",
        prefix.display()
    ));
    let t = Timer::start();
    let mut cmd = Command::new("npm");
    cmd.arg("install")
        .arg("--prefix")
        .arg(prefix)
        .args(["--no-audit", "--no-fund", "--save-exact"])
        .arg(format!("binaryen@{major}.0.0"));
    util::run(&mut cmd)?;
    let v = version_of(&wasm_opt);
    if !ok(&v) {
        bail!(
            "{} should report version {major} but reports {:?}",
            wasm_opt.display(),
            v.unwrap_or_else(|| "nothing (does not run)".into())
        );
    }
    say(format!("installed wasm-opt {major} in {}", t.took()));
    Ok(())
}

/// Node.js (≥ 20, for playwright-core) and npm must be present; we never install them ourselves.
pub fn ensure_node() -> Result<()> {
    let node = util::capture(Command::new("node").arg("--version"));
    let npm = util::capture(Command::new("npm").arg("--version"));
    let help = "install Node.js 20 or newer with npm (Debian 12 ships 18: use NodeSource's `nodejs` 20+ package or nodejs.org)";
    let Some(node) = node else {
        bail!("`node` was not found on PATH; {help}");
    };
    if npm.is_none() {
        bail!("`npm` was not found on PATH; {help}");
    }
    let major: u32 = node.trim().trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    if major < 20 {
        bail!("node {} is too old; {help}", node.trim());
    }
    Ok(())
}

/// Paths of the browser and its WebDriver.
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Debian's `chromium` and `chromium-driver`; installed with apt when absent and we are root.
pub fn ensure_chromium() -> Result<Browser> {
    let env_or = |var: &str, default: &str| {
        std::env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default))
    };
    let b = Browser {
        chromium: env_or("CHROMIUM", "/usr/bin/chromium"),
        chromedriver: env_or("CHROMEDRIVER", "/usr/bin/chromedriver"),
    };
    let missing = || {
        [&b.chromium, &b.chromedriver]
            .into_iter()
            .filter(|p| !is_executable(p))
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    };
    if missing().is_empty() {
        return Ok(b);
    }
    let install = "apt-get install -y chromium chromium-driver";
    if !util::is_root() {
        bail!(
            "headless Chromium is needed for the browser tests but {} is missing.\n\
             Install Debian's packages as root:\n\n    sudo apt-get update && sudo {install}\n\n\
             (or point CHROMIUM / CHROMEDRIVER at existing binaries of the same version)",
            missing().join(" and ")
        );
    }
    say(format!(
        "{} missing; installing Debian's chromium and chromium-driver (first time only)…",
        missing().join(" and ")
    ));
    let t = Timer::start();
    let apt = |args: &[&str]| {
        let mut c = Command::new("apt-get");
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    let pkgs = ["install", "-y", "chromium", "chromium-driver"];
    if util::run(&mut apt(&pkgs)).is_err() {
        say("retrying after `apt-get update`…");
        util::run(&mut apt(&["update"]))?;
        util::run(&mut apt(&pkgs))?;
    }
    if !missing().is_empty() {
        bail!("apt installed chromium, but {} is still missing", missing().join(" and "));
    }
    say(format!("installed chromium in {}", t.took()));
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lock_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.130\"\n";
        assert_eq!(lock_version(lock, "wasm-bindgen").unwrap(), "0.2.130");
        assert!(lock_version(lock, "nope").is_err());
    }

    #[test]
    fn reads_trunk_toml_pins() {
        let t = "trunk-version = \"=0.21.14\"\n\n[build]\ntarget = \"www/index.html\"\n\n[tools]\nwasm_opt = \"version_132\"\n";
        assert_eq!(trunk_version(t).unwrap(), "0.21.14");
        assert_eq!(wasm_opt_version(t).unwrap(), 132);
        assert!(trunk_version("trunk-version = \"^0.21\"\n").is_err());
    }

    #[test]
    fn real_pins_are_consistent() {
        let p = pins().unwrap();
        assert!(p.wasm_bindgen.starts_with("0.2."));
        assert!(p.wasm_opt >= 116, "binaryen older than 116 cannot handle modern rustc output");
    }
}
