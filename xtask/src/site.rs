//! Building the release site with Trunk, exactly the same way for serve, test and bench.

use crate::bail;
use crate::tools::{self, Toolchain};
use crate::util::{self, say, Result, Timer};
use std::path::PathBuf;
use std::process::Command;

pub fn dist_dir() -> PathBuf {
    util::root().join("dist")
}

/// `trunk build --release --offline` with the pinned tools first on `PATH`; returns `dist/`.
pub fn build(tc: &Toolchain) -> Result<PathBuf> {
    let root = util::root();
    let Some(trunk) = tools::which("trunk", &tc.path) else {
        bail!("trunk is not on PATH even after installing it");
    };
    say("building the release site with Trunk (offline, wasm-opt)…");
    let t = Timer::start();
    let mut cmd = Command::new(trunk);
    cmd.current_dir(&root)
        .env("PATH", &tc.path)
        .args(["build", "--release", "--offline"]);
    util::run(&mut cmd)?;
    let dist = dist_dir();
    if !dist.join("index.html").is_file() {
        bail!(
            "Trunk finished but {} is missing",
            dist.join("index.html").display()
        );
    }
    say(format!(
        "site built into {} in {}",
        dist.display(),
        t.took()
    ));
    Ok(dist)
}
