//! `lab` — the headless CLI over the same world the browser runs.
//!
//!   lab shell [--scenario FILE|URL] [--seed N] [--etcd N] [--lang ko|en] [--save FILE]
//!   lab run SCENARIO [--until 60s] [--hash] [--lang ko|en]
//!   lab share FILE
//!   lab bench            engine speed, one JSON object per line (read by `cargo xtask bench`)
//!
//! A malformed scenario, URL or flag prints one error line and exits 2; never a panic.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use lab_core::hash::format_hash;
use lab_core::i18n::{Lang, Text};
use lab_core::scenario::{Scenario, Topology, JSON_BYTES_MAX};
use lab_core::shell::parse_duration_us;
use lab_core::world::{World, MEMBER_COUNTS};

const USAGE: &str = "usage:
  lab shell [--scenario FILE|URL] [--seed N] [--etcd 1|3|5|7] [--lang ko|en] [--save FILE]
  lab run SCENARIO [--until DURATION] [--hash] [--lang ko|en]
  lab share FILE
  lab bench";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("lab: {msg}");
            ExitCode::from(2)
        }
    }
}

struct Flags {
    positional: Vec<String>,
    scenario: Option<String>,
    seed: Option<u64>,
    etcd: Option<u8>,
    lang: Lang,
    save: Option<String>,
    until_us: Option<u64>,
    hash: bool,
}

fn parse_flags(args: &[String]) -> Result<Flags, String> {
    let mut f = Flags {
        positional: vec![],
        scenario: None,
        seed: None,
        etcd: None,
        lang: Lang::Ko,
        save: None,
        until_us: None,
        hash: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |flag: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match name {
            "--scenario" => f.scenario = Some(value(name)?),
            "--seed" => {
                f.seed = Some(
                    value(name)?
                        .parse()
                        .map_err(|_| "--seed must be a non-negative integer".to_string())?,
                )
            }
            "--etcd" => {
                let n: u8 = value(name)?
                    .parse()
                    .map_err(|_| "--etcd must be 1, 3, 5 or 7".to_string())?;
                if !MEMBER_COUNTS.contains(&n) {
                    return Err("--etcd must be 1, 3, 5 or 7".into());
                }
                f.etcd = Some(n);
            }
            "--lang" => f.lang = Lang::parse(&value(name)?).ok_or("--lang must be ko or en")?,
            "--save" => f.save = Some(value(name)?),
            "--until" => {
                let v = value(name)?;
                f.until_us = Some(
                    parse_duration_us(&v)
                        .ok_or_else(|| format!("--until: invalid duration '{v}'"))?,
                );
            }
            "--hash" => f.hash = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            s if s.starts_with("--") => return Err(format!("unknown flag {s}\n{USAGE}")),
            _ => f.positional.push(a.clone()),
        }
    }
    Ok(f)
}

fn run(args: &[String]) -> Result<(), String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(USAGE.to_string());
    };
    let flags = parse_flags(rest)?;
    match cmd.as_str() {
        "shell" => shell(flags),
        "run" => run_scenario(flags),
        "share" => {
            let [file] = flags.positional.as_slice() else {
                return Err(USAGE.to_string());
            };
            let s = load_scenario(file, flags.lang)?;
            println!("#{}", s.to_fragment());
            Ok(())
        }
        "bench" => {
            bench();
            Ok(())
        }
        other => Err(format!("unknown command '{other}'\n{USAGE}")),
    }
}

/// A scenario from a file (JSON) or, if no such file exists, from a share URL / fragment.
fn load_scenario(arg: &str, lang: Lang) -> Result<Scenario, String> {
    let path = std::path::Path::new(arg);
    let result = if path.is_file() {
        let meta = std::fs::metadata(path).map_err(|e| format!("{arg}: {e}"))?;
        if meta.len() > JSON_BYTES_MAX as u64 {
            return Err(format!(
                "{arg}: {}",
                Text::new("파일이 너무 큽니다", "file too large").get(lang)
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("{arg}: {e}"))?;
        Scenario::from_json(&text)
    } else {
        Scenario::from_url(arg)
    };
    result.map_err(|e| e.get(lang).to_string())
}

/// Prints transcript lines from `cursor` on; returns the new cursor.
fn print_transcript(w: &World, cursor: usize, lang: Lang, out: &mut impl Write) -> usize {
    let _ = out.write_all(w.render_transcript(cursor, lang).as_bytes());
    w.transcript().len()
}

fn shell(flags: Flags) -> Result<(), String> {
    let (mut world, mut cursor) = match &flags.scenario {
        Some(s) => {
            let sc = load_scenario(s, flags.lang)?;
            let w = sc.replay(None);
            let c = w.transcript().len();
            (w, c)
        }
        None => (
            World::new(
                flags.seed.unwrap_or(1),
                flags.etcd.unwrap_or(Topology::default().etcd),
            ),
            0,
        ),
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| format!("reading stdin: {e}"))?;
        let id = world.submit(&line);
        world.run_until_done(id);
        cursor = print_transcript(&world, cursor, flags.lang, &mut out);
    }
    if let Some(path) = &flags.save {
        std::fs::write(path, Scenario::from_world(&world).to_json())
            .map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

fn run_scenario(flags: Flags) -> Result<(), String> {
    let [arg] = flags.positional.as_slice() else {
        return Err(USAGE.to_string());
    };
    let sc = load_scenario(arg, flags.lang)?;
    let world = sc.replay(flags.until_us);
    let mut out = std::io::stdout().lock();
    print_transcript(&world, 0, flags.lang, &mut out);
    if flags.hash {
        let _ = writeln!(out, "state-hash {}", format_hash(world.state_hash()));
    }
    Ok(())
}

/// Raft-only engine speed: 5 members, one client write every 100 ms, 600 s of simulated time
/// (issue 2's workload; RaftScope's JavaScript engine does 57–88 model-s per wall-s on it).
/// Wall time is read here, in the CLI, never inside the simulation. Best of 5 runs.
fn bench() {
    const MODEL_S: u64 = 600;
    let mut best_wall_us = u128::MAX;
    let mut hash = 0;
    let mut delivered = 0;
    for _ in 0..5 {
        let start = std::time::Instant::now();
        let mut w = World::new(1, 5);
        for i in 0..MODEL_S * 10 {
            w.run_until(i * 100_000);
            w.submit(&format!(
                "lab put k{} v{i} --via etcd-{}",
                i % 100,
                1 + i % 5
            ));
        }
        w.run_until(MODEL_S * 1_000_000);
        best_wall_us = best_wall_us.min(start.elapsed().as_micros().max(1));
        hash = w.state_hash();
        delivered = w.stats.messages_delivered;
        assert_eq!(
            w.stats.writes_ok + w.stats.writes_failed,
            MODEL_S * 10,
            "every write finished"
        );
    }
    let wall_ms = best_wall_us as f64 / 1000.0;
    let rate = MODEL_S as f64 * 1e6 / best_wall_us as f64;
    println!(
        "{{\"name\":\"raft5_write100ms_600s\",\"model_s\":{MODEL_S},\"wall_ms\":{wall_ms:.3},\"model_s_per_wall_s\":{rate:.0},\"messages_delivered\":{delivered},\"state_hash\":\"{}\"}}",
        format_hash(hash)
    );
}
