//! Building the release site with Trunk, exactly the same way for serve, test, bench and dist.

use crate::bail;
use crate::tools::{self, Toolchain};
use crate::util::{self, say, Result, Timer};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn dist_dir() -> PathBuf {
    util::root().join("dist")
}

fn stamp_file() -> PathBuf {
    util::root().join("target").join("xtask").join("site.stamp")
}

/// `trunk build --release --offline` with the pinned tools first on `PATH`; returns `dist/`.
///
/// With `reuse`, an existing `dist/` is kept when neither the sources nor `dist/` changed
/// since the last build by xtask (serve uses this: Trunk always re-runs wasm-opt, ~10 s).
pub fn build(tc: &Toolchain, reuse: bool) -> Result<PathBuf> {
    let root = util::root();
    let dist = dist_dir();
    let stamp = fingerprint(&root)?;
    if reuse && std::fs::read_to_string(stamp_file()).ok().as_deref() == Some(stamp.as_str()) {
        say("dist/ is up to date with the sources; not rebuilding (--rebuild forces a build)");
        return Ok(dist);
    }
    let _ = std::fs::remove_file(stamp_file());

    let Some(trunk) = tools::which("trunk", &tc.path) else {
        bail!("trunk is not on PATH even after installing it");
    };
    let t = Timer::start();
    // Trunk runs cargo with --offline, so every crate (incl. wasm32-only ones) must be
    // downloaded beforehand; this is a no-op taking well under a second when they are.
    let mut fetch = Command::new(util::cargo());
    fetch.current_dir(&root).args(["fetch", "--quiet"]);
    util::run(&mut fetch)?;
    say("building the release site with Trunk (offline, wasm-opt)…");
    let mut cmd = Command::new(trunk);
    cmd.current_dir(&root)
        .env("PATH", &tc.path)
        // Trunk's errors are clear; its anyhow backtraces (RUST_BACKTRACE=1) are noise.
        .env("RUST_LIB_BACKTRACE", "0")
        .args(["build", "--release", "--offline"]);
    util::run(&mut cmd)?;
    if !dist.join("index.html").is_file() {
        bail!("Trunk finished but {} is missing", dist.join("index.html").display());
    }
    say(format!("site built into {} in {}", dist.display(), t.took()));
    // Fingerprint again: the stamp must describe the dist/ we just made.
    let stamp = fingerprint(&root)?;
    if let Some(dir) = stamp_file().parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(stamp_file(), stamp);
    Ok(dist)
}

/// A digest of every input of the site (paths, sizes, mtimes) plus the tool pins and `dist/`.
fn fingerprint(root: &Path) -> Result<String> {
    let pins = tools::pins()?;
    let mut h = DefaultHasher::new();
    (&pins.trunk, &pins.wasm_bindgen, pins.wasm_opt).hash(&mut h);
    let mut files = Vec::new();
    // Not inputs of the site: VCS, build outputs, dependencies, tests, the tooling itself.
    walk(root, root, &mut files, &["tests", "xtask", ".ci", "dist"])?;
    walk(&root.join("dist"), root, &mut files, &[])?;
    files.sort();
    files.hash(&mut h);
    Ok(format!("{:016x} {} files\n", h.finish(), files.len()))
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, u64, u128)>, skip_top: &[&str]) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(()); // e.g. no dist/ yet
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if matches!(name.as_ref(), ".git" | "target" | "node_modules")
            || (dir == root && skip_top.contains(&name.as_ref()))
        {
            continue;
        }
        let Ok(meta) = e.metadata() else { continue };
        let path = e.path();
        if meta.is_dir() {
            walk(&path, root, out, skip_top)?;
        } else {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push((rel.to_string_lossy().into_owned(), meta.len(), mtime));
        }
    }
    Ok(())
}
