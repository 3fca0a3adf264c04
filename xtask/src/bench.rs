//! `cargo xtask bench`: release bundle sizes and the engine's speed, compared with the last run.

use crate::util::{self, say, Context, Result};
use crate::{bail, site, tools};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// RaftScope's JavaScript engine on this kind of machine, same workload (model-s per wall-s).
const RAFTSCOPE_BEST: f64 = 88.0;

/// A figure, its unit, and whether smaller is better (for the change column).
struct Figure {
    key: String,
    label: String,
    value: f64,
    unit: Unit,
}

#[derive(Clone, Copy)]
enum Unit {
    Bytes,
    Ms,
    Rate,
    MiB,
}

impl Unit {
    fn fmt(self, v: f64) -> String {
        match self {
            Unit::Bytes => format!("{:.1} KiB", v / 1024.0),
            Unit::Ms => format!("{v:.1} ms"),
            Unit::Rate => format!("{v:.0}"),
            Unit::MiB => format!("{v:.1} MiB"),
        }
    }
}

pub fn run() -> Result<()> {
    let root = util::root();
    let tc = tools::ensure_web_toolchain()?;
    let dist = site::build(&tc, false)?;

    let mut figures = bundle_figures(&dist)?;
    let engine = engine_figures(&root)?;
    let engine_available = engine.is_some();
    figures.extend(engine.unwrap_or_default());
    figures.extend(wasm_engine_figures(&tc)?.unwrap_or_default());

    let out_dir = root.join("target").join("bench");
    let last = out_dir.join("last.json");
    let previous: Map<String, Value> = std::fs::read_to_string(&last)
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .and_then(|v| v.get("figures").and_then(Value::as_object).cloned())
        .unwrap_or_default();

    println!();
    println!("{:<44} {:>14} {:>14} {:>9}", "figure", "now", "previous", "change");
    println!("{}", "-".repeat(84));
    for f in &figures {
        let prev = previous.get(&f.key).and_then(Value::as_f64);
        let (p, change) = match prev {
            Some(p) if p != 0.0 => (f.unit.fmt(p), format!("{:+.1}%", (f.value - p) / p * 100.0)),
            Some(p) => (f.unit.fmt(p), "".into()),
            None => ("-".into(), "".into()),
        };
        println!("{:<44} {:>14} {:>14} {:>9}", f.label, f.unit.fmt(f.value), p, change);
    }
    if !engine_available {
        println!("{:<44} {:>14}", "engine (lab bench)", "n/a");
    }
    if let Some(t) = figures.iter().find(|f| f.key == "bundle.total.brotli") {
        println!(
            "\nfirst load, brotli 11 (wasm+js+css): {:.0} bytes = {:.1} kB; goal for the finished lab ≤ 200 kB",
            t.value,
            t.value / 1000.0
        );
    }
    for f in &figures {
        if f.key.ends_with(".model_s_per_wall_s") {
            println!(
                "\n{}: {:.0}× RaftScope's best ({RAFTSCOPE_BEST} model-s/s); goal ≥ 1000×",
                f.key.trim_start_matches("engine.").trim_end_matches(".model_s_per_wall_s"),
                f.value / RAFTSCOPE_BEST
            );
        }
    }

    let mut map = Map::new();
    for f in &figures {
        map.insert(f.key.clone(), json!(f.value));
    }
    let when = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let doc = json!({ "unix_time": when, "figures": map });
    std::fs::create_dir_all(&out_dir).context(|| format!("cannot create {}", out_dir.display()))?;
    std::fs::write(&last, serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n")
        .context(|| format!("cannot write {}", last.display()))?;
    println!();
    say(format!("saved {}", last.display()));
    Ok(())
}

fn bundle_figures(dist: &Path) -> Result<Vec<Figure>> {
    let mut files: Vec<_> = std::fs::read_dir(dist)
        .context(|| format!("cannot read {}", dist.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut figures = Vec::new();
    let mut total = [0usize; 3];
    for kind in ["wasm", "js", "css"] {
        let mut sums = [0usize; 3];
        let mut names = Vec::new();
        for p in files.iter().filter(|p| p.extension().is_some_and(|e| e == kind)) {
            let data = std::fs::read(p).context(|| format!("cannot read {}", p.display()))?;
            let sizes = [data.len(), gzip9(&data)?, brotli11(&data)?];
            for i in 0..3 {
                sums[i] += sizes[i];
            }
            names.push(p.file_name().unwrap_or_default().to_string_lossy().into_owned());
        }
        if names.is_empty() {
            say(format!("dist/ has no .{kind} file"));
            continue;
        }
        say(format!(".{kind}: {}", names.join(", ")));
        for (i, how) in ["raw", "gzip -9", "brotli 11"].iter().enumerate() {
            total[i] += sums[i];
            figures.push(Figure {
                key: format!("bundle.{kind}.{}", ["raw", "gzip", "brotli"][i]),
                label: format!("bundle .{kind} {how}"),
                value: sums[i] as f64,
                unit: Unit::Bytes,
            });
        }
    }
    for (i, how) in ["raw", "gzip -9", "brotli 11"].iter().enumerate() {
        figures.push(Figure {
            key: format!("bundle.total.{}", ["raw", "gzip", "brotli"][i]),
            label: format!("bundle total (wasm+js+css) {how}"),
            value: total[i] as f64,
            unit: Unit::Bytes,
        });
    }
    Ok(figures)
}

fn gzip9(data: &[u8]) -> Result<usize> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    e.write_all(data)?;
    Ok(e.finish()?.len())
}

fn brotli11(data: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(data)?;
        w.flush()?;
    }
    Ok(out.len())
}

/// Run `lab bench` (built with the `bench-native` profile: release + opt-level 3),
/// one JSON object per line. `None` when the subcommand is not there yet.
/// The same engine workload compiled to wasm (release profile, as the app ships) and run in
/// headless Chromium by wasm-bindgen-test (`core/tests/bench_wasm.rs`).
fn wasm_engine_figures(tc: &tools::Toolchain) -> Result<Option<Vec<Figure>>> {
    let browser = tools::ensure_chromium()?;
    let me = std::env::current_exe().context(|| "cannot find the xtask binary".into())?;
    let Some(me) = me.to_str().filter(|s| !s.contains(char::is_whitespace)).map(str::to_string) else {
        say("the xtask binary's path contains whitespace; wasm engine figures n/a");
        return Ok(None);
    };
    say("running the engine benchmark in wasm (headless Chromium)…");
    let out = Command::new(util::cargo())
        .current_dir(util::root())
        .env("PATH", &tc.path)
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", format!("{me} wasm-test-runner"))
        .env("CHROMEDRIVER", &browser.chromedriver)
        .env("CHROMIUM", &browser.chromium)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "300")
        .args(["test", "--release", "-p", "lab-core", "--target", tools::WASM_TARGET, "--test", "bench_wasm"])
        .args(["--", "--nocapture"])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context(|| "cannot run cargo test for the wasm benchmark".into())?;
    if !out.status.success() {
        say(format!("the wasm benchmark failed ({}); wasm engine figures n/a", util::describe(out.status)));
        return Ok(None);
    }
    Ok(json_figures(&String::from_utf8_lossy(&out.stdout)))
}

fn engine_figures(root: &Path) -> Result<Option<Vec<Figure>>> {
    say("building `lab` with the bench-native profile (opt-level 3)…");
    let mut cmd = Command::new(util::cargo());
    cmd.current_dir(root).args(["build", "--profile", "bench-native", "-p", "lab-core", "--bin", "lab"]);
    util::run(&mut cmd)?;
    let lab = root.join("target").join("bench-native").join("lab");
    if !lab.is_file() {
        bail!("{} was not built", lab.display());
    }
    say(format!("$ {} bench", lab.display()));
    let out = Command::new(&lab)
        .arg("bench")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context(|| format!("cannot run {}", lab.display()))?;
    if !out.status.success() {
        say(format!("`lab bench` failed ({}); engine figures n/a", util::describe(out.status)));
        return Ok(None);
    }
    let figures = json_figures(&String::from_utf8_lossy(&out.stdout));
    if figures.is_none() {
        say("`lab bench` printed no JSON figures; engine figures n/a");
    }
    Ok(figures)
}

/// The figures in the JSON lines a benchmark printed (`{"name":…,"model_s_per_wall_s":…}`).
fn json_figures(stdout: &str) -> Option<Vec<Figure>> {
    let mut figures = Vec::new();
    for line in stdout.lines() {
        let Some(start) = line.find('{') else { continue };
        let Ok(Value::Object(o)) = serde_json::from_str::<Value>(line[start..].trim()) else {
            continue;
        };
        let Some(name) = o.get("name").and_then(Value::as_str) else {
            continue;
        };
        println!("    {line}");
        for (field, unit, label) in [
            ("model_s_per_wall_s", Unit::Rate, "model-s/wall-s"),
            ("requests_per_wall_s", Unit::Rate, "requests/wall-s"),
            ("wall_ms", Unit::Ms, "wall"),
            ("peak_rss_mib", Unit::MiB, "peak memory (process RSS)"),
            ("wasm_memory_mib", Unit::MiB, "wasm linear memory"),
        ] {
            if let Some(v) = o.get(field).and_then(Value::as_f64) {
                figures.push(Figure {
                    key: format!("engine.{name}.{field}"),
                    label: format!("{name} {label}"),
                    value: v,
                    unit,
                });
            }
        }
    }
    (!figures.is_empty()).then_some(figures)
}
