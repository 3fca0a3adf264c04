//! `lab` — the headless CLI over the same world the browser runs.
//!
//!   lab shell [--scenario FILE|URL] [--seed N] [--etcd N] [--lang ko|en] [--save FILE]
//!   lab run SCENARIO [--until 60s] [--hash] [--lang ko|en]
//!   lab share FILE
//!   lab check [--office|--factory] [--seeds N] [--start S] [--mutant NAME]   random faults, every checker
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
  lab shell [--scenario FILE|URL [--until DURATION]] [--seed N] [--etcd 1|3|5|7] [--etcd-only] [--lang ko|en] [--save FILE]
  lab run SCENARIO [--until DURATION] [--hash] [--lang ko|en]
  lab share FILE
  lab check [--office|--factory] [--seeds N] [--start S] [--mutant NAME]
  lab bench [factory [SECONDS]]";

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
    /// `--etcd-only`: no Kubernetes on top (the first lessons' world).
    etcd_only: bool,
    /// `lab check --office`: the API server's checks instead of etcd's.
    office: bool,
    /// `lab check --factory`: the controllers', scheduler's and kubelets' checks.
    factory: bool,
    lang: Lang,
    save: Option<String>,
    until_us: Option<u64>,
    hash: bool,
    seeds: u64,
    start: u64,
    mutant: Option<String>,
}

fn parse_flags(args: &[String]) -> Result<Flags, String> {
    let mut f = Flags {
        positional: vec![],
        scenario: None,
        seed: None,
        etcd: None,
        etcd_only: false,
        office: false,
        factory: false,
        lang: Lang::Ko,
        save: None,
        until_us: None,
        hash: false,
        seeds: 100,
        start: 0,
        mutant: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |flag: &str| -> Result<String, String> {
            inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match name {
            "--scenario" => f.scenario = Some(value(name)?),
            "--seed" => {
                f.seed = Some(value(name)?.parse().map_err(|_| "--seed must be a non-negative integer".to_string())?)
            }
            "--etcd" => {
                let n: u8 = value(name)?.parse().map_err(|_| "--etcd must be 1, 3, 5 or 7".to_string())?;
                if !MEMBER_COUNTS.contains(&n) {
                    return Err("--etcd must be 1, 3, 5 or 7".into());
                }
                f.etcd = Some(n);
            }
            "--lang" => f.lang = Lang::parse(&value(name)?).ok_or("--lang must be ko or en")?,
            "--save" => f.save = Some(value(name)?),
            "--until" => {
                let v = value(name)?;
                f.until_us = Some(parse_duration_us(&v).ok_or_else(|| format!("--until: invalid duration '{v}'"))?);
            }
            "--hash" => f.hash = true,
            "--etcd-only" => f.etcd_only = true,
            "--office" => f.office = true,
            "--factory" => f.factory = true,
            "--seeds" => {
                f.seeds = value(name)?.parse().map_err(|_| "--seeds must be a positive integer".to_string())?
            }
            "--start" => {
                f.start = value(name)?.parse().map_err(|_| "--start must be a non-negative integer".to_string())?
            }
            "--mutant" => f.mutant = Some(value(name)?),
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
            println!("#{}", s.to_fragment().map_err(|e| e.get(flags.lang).to_string())?);
            Ok(())
        }
        "check" => check(flags),
        "bench" => match flags.positional.first().map(String::as_str) {
            None => {
                bench();
                Ok(())
            }
            // `lab bench factory [SECONDS]`: the full control plane alone (for profiling).
            Some("factory") => {
                let model_s = match flags.positional.get(1) {
                    Some(n) => n.parse::<u64>().ok().filter(|&n| (1..=3600).contains(&n)).ok_or("SECONDS: 1..3600")?,
                    None => lab_core::bench::FACTORY_MODEL_S,
                };
                bench_factory(model_s);
                Ok(())
            }
            Some(other) => Err(format!("unknown benchmark '{other}'\n{USAGE}")),
        },
        other => Err(format!("unknown command '{other}'\n{USAGE}")),
    }
}

/// A scenario from a file (JSON) or, if no such file exists, from a share URL / fragment.
fn load_scenario(arg: &str, lang: Lang) -> Result<Scenario, String> {
    let path = std::path::Path::new(arg);
    let result = if path.is_file() {
        let meta = std::fs::metadata(path).map_err(|e| format!("{arg}: {e}"))?;
        if meta.len() > JSON_BYTES_MAX as u64 {
            return Err(format!("{arg}: {}", Text::new("파일이 너무 큽니다", "file too large").get(lang)));
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
            let w = sc.replay(flags.until_us);
            let c = w.transcript().len();
            (w, c)
        }
        None => {
            let (seed, members) = (flags.seed.unwrap_or(1), flags.etcd.unwrap_or(Topology::default().etcd));
            let w = if flags.etcd_only { World::new(seed, members) } else { World::with_kubernetes(seed, members) };
            (w, 0)
        }
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
        let json = Scenario::from_world(&world).to_json().map_err(|e| e.get(flags.lang).to_string())?;
        std::fs::write(path, json).map_err(|e| format!("{path}: {e}"))?;
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
/// The process's peak resident memory (Linux `VmHWM`), 0 where unknown.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The full control plane (issue 5's figure), one run; its peak memory is the process's when it
/// runs first.
fn bench_factory(model_s: u64) {
    let start = std::time::Instant::now();
    let w = lab_core::bench::factory_rollout(model_s);
    let wall_us = start.elapsed().as_micros().max(1);
    let peak_kib = peak_rss_kib();
    let wall_ms = wall_us as f64 / 1000.0;
    let rate = model_s as f64 * 1e6 / wall_us as f64;
    let pods = w.factory_pod_count();
    println!(
        "{{\"name\":\"factory_rollout100_write100ms_{model_s}s\",\"model_s\":{model_s},\"wall_ms\":{wall_ms:.3},\"model_s_per_wall_s\":{rate:.0},\"peak_rss_mib\":{:.1},\"pods\":{pods},\"state_hash\":\"{}\"}}",
        peak_kib as f64 / 1024.0,
        format_hash(w.state_hash())
    );
}

/// Wall time is read here, in the CLI, never inside the simulation. Best of 5 runs.
fn bench() {
    // The full control plane first, so the process's peak memory is this run's.
    bench_factory(lab_core::bench::FACTORY_MODEL_S);
    const MODEL_S: u64 = lab_core::bench::RAFT_WRITES_MODEL_S;
    let mut best_wall_us = u128::MAX;
    let mut hash = 0;
    let mut delivered = 0;
    for _ in 0..5 {
        let start = std::time::Instant::now();
        let w = lab_core::bench::raft_writes(MODEL_S);
        best_wall_us = best_wall_us.min(start.elapsed().as_micros().max(1));
        hash = w.state_hash();
        delivered = w.stats.messages_delivered;
    }
    let wall_ms = best_wall_us as f64 / 1000.0;
    let rate = MODEL_S as f64 * 1e6 / best_wall_us as f64;
    println!(
        "{{\"name\":\"raft5_write100ms_600s\",\"model_s\":{MODEL_S},\"wall_ms\":{wall_ms:.3},\"model_s_per_wall_s\":{rate:.0},\"messages_delivered\":{delivered},\"state_hash\":\"{}\"}}",
        format_hash(hash)
    );
    // The office: API requests through authentication, RBAC, admission and etcd (issue 4).
    const REQUESTS: u64 = lab_core::bench::OFFICE_REQUESTS;
    let mut best_wall_us = u128::MAX;
    let mut hash = 0;
    for _ in 0..3 {
        let start = std::time::Instant::now();
        let w = lab_core::bench::office_mix(REQUESTS);
        best_wall_us = best_wall_us.min(start.elapsed().as_micros().max(1));
        hash = w.state_hash();
    }
    let wall_ms = best_wall_us as f64 / 1000.0;
    let rate = REQUESTS as f64 * 1e6 / best_wall_us as f64;
    println!(
        "{{\"name\":\"office_mix_3etcd\",\"requests\":{REQUESTS},\"wall_ms\":{wall_ms:.3},\"requests_per_wall_s\":{rate:.0},\"state_hash\":\"{}\"}}",
        format_hash(hash)
    );
}

/// `lab check --office`: the API server's invariants over random requests and faults
/// (`lab_core::check::office`). Exit 1 when anything was violated.
fn check_office(flags: &Flags, mutant: Option<lab_core::etcd::mutant::Mutant>) -> Result<(), String> {
    let started = std::time::Instant::now();
    let (mut failed, mut requests, mut writes, mut conflicts) = (0u64, 0usize, 0usize, 0usize);
    let end = flags.start.saturating_add(flags.seeds);
    for seed in flags.start..end {
        let o = lab_core::check::office::check_office_seed(seed, mutant);
        requests += o.requests;
        writes += o.writes_ok;
        conflicts += o.conflicts;
        if o.violations.is_empty() {
            continue;
        }
        failed += 1;
        println!("seed {seed}: {} violation(s)", o.violations.len());
        for v in o.violations.iter().take(5) {
            println!("  at {}: {} — {}", lab_core::view::format_time_us(v.at_us), v.property, v.detail);
        }
        let mutant_flag = flags.mutant.as_ref().map(|m| format!(" --mutant {m}")).unwrap_or_default();
        println!("  reproduce: lab check --office --seeds 1 --start {seed}{mutant_flag}");
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    println!(
        "checked {} office seeds ({}..{}): {failed} with violations; {requests} requests answered, {writes} writes stored, {conflicts} updates met a conflict; {:.1} seeds/s",
        flags.seeds,
        flags.start,
        end.saturating_sub(1),
        flags.seeds as f64 / secs
    );
    if failed > 0 {
        return Err(format!("{failed} office seed(s) violated an invariant"));
    }
    Ok(())
}

/// `lab check --factory`: the robot factory's invariants over random Deployment writes and
/// faults (`lab_core::check::factory`). Exit 1 when anything was violated.
fn check_factory(flags: &Flags, mutant: Option<lab_core::etcd::mutant::Mutant>) -> Result<(), String> {
    let started = std::time::Instant::now();
    let (mut failed, mut simulated_us, mut writes, mut rollouts, mut evicted) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut rollout_samples, mut lag_samples) = (0u64, 0u64);
    let end = flags.start.saturating_add(flags.seeds);
    for seed in flags.start..end {
        let o = lab_core::check::factory::check_factory_seed(seed, mutant);
        simulated_us += o.simulated_us;
        writes += o.writes_ok;
        rollouts += o.rollouts;
        evicted += o.evicted;
        rollout_samples += o.rollout_samples;
        lag_samples += o.surge_lag_samples;
        if o.violations.is_empty() {
            continue;
        }
        failed += 1;
        println!("seed {seed}: {} violation(s)", o.violations.len());
        for v in o.violations.iter().take(5) {
            println!("  at {}: {} — {}", lab_core::view::format_time_us(v.at_us), v.property, v.detail);
        }
        let mutant_flag = flags.mutant.as_ref().map(|m| format!(" --mutant {m}")).unwrap_or_default();
        println!("  reproduce: lab check --factory --seeds 1 --start {seed}{mutant_flag}");
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    println!(
        "checked {} factory seeds ({}..{}): {failed} with violations; {} s simulated; {writes} client writes acknowledged, {rollouts} rollouts, {rollout_samples} rollout samples within bounds ({lag_samples} with old pods still being deleted), {evicted} pods evicted from dead nodes; {:.2} seeds/s, {:.0} simulated s per wall s",
        flags.seeds,
        flags.start,
        end.saturating_sub(1),
        simulated_us / 1_000_000,
        flags.seeds as f64 / secs,
        simulated_us as f64 / 1e6 / secs
    );
    if failed > 0 {
        return Err(format!("{failed} factory seed(s) violated an invariant"));
    }
    Ok(())
}

/// `lab check`: runs seeds with random faults and every checker; prints each failing seed with
/// its parameters and how to reproduce it. Exit 1 when anything was violated.
fn check(flags: Flags) -> Result<(), String> {
    use lab_core::check::run::{check_seed, LIVENESS_US, SAFETY_US};
    use lab_core::etcd::mutant::Mutant;
    let mutant = match &flags.mutant {
        None => None,
        Some(name) => {
            let m = Mutant::parse(name).ok_or_else(|| {
                let names: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
                format!("unknown mutant '{name}' (mutants: {})", names.join(", "))
            })?;
            if !Mutant::ENABLED {
                return Err(format!(
                    "this lab was built without mutants; run: cargo run --release -p lab-core --features mutants --bin lab -- check --mutant {name}"
                ));
            }
            Some(m)
        }
    };
    // Panics inside a seed are reported as violations; keep the default hook from printing them.
    std::panic::set_hook(Box::new(|_| {}));
    if flags.factory || mutant.is_some_and(Mutant::is_factory) {
        return check_factory(&flags, mutant);
    }
    if flags.office || mutant.is_some_and(Mutant::is_office) {
        return check_office(&flags, mutant);
    }
    let started = std::time::Instant::now();
    let mut failed = 0u64;
    let mut committed = 0u64;
    let mut lin_unknown = 0u64;
    let (mut snapshots, mut membership, mut transfers) = (0u64, 0u64, 0u64);
    // The longest client history any seed produced, to time the linearizability checker on it.
    let mut longest: (u64, Vec<lab_core::world::HistoryOp>) = (0, Vec::new());
    let end = flags.start.saturating_add(flags.seeds);
    for seed in flags.start..end {
        let o = check_seed(seed, mutant);
        committed += o.committed;
        lin_unknown += u64::from(o.lin_unknown);
        snapshots += o.snapshots_installed;
        membership += o.membership_changes;
        transfers += o.transfers;
        // The longest history the checker decided (a key with more than OPS_PER_KEY_MAX
        // operations, or a search over budget, is reported as undecided instead).
        if !o.lin_unknown && o.history.len() > longest.1.len() {
            longest = (seed, o.history.clone());
        }
        if o.violations.is_empty() {
            continue;
        }
        failed += 1;
        println!(
            "seed {seed}: {} violation(s) — {} members, {:?}",
            o.violations.len(),
            o.params.members,
            o.params.rates
        );
        for v in o.violations.iter().take(5) {
            println!("  at {}: {} — {}", lab_core::view::format_time_us(v.at_us), v.property, v.detail);
        }
        let mutant_flag = flags.mutant.as_ref().map(|m| format!(" --mutant {m}")).unwrap_or_default();
        println!("  reproduce: lab check --seeds 1 --start {seed}{mutant_flag}");
        if mutant.is_none() && !o.fragment.is_empty() {
            println!("  replay:    lab run '#{}'", o.fragment);
        }
    }
    let wall_s = started.elapsed().as_secs_f64().max(1e-9);
    let n = end - flags.start;
    println!(
        "checked {n} seeds ({}..{}), {} s simulated each: {failed} with violations; {committed} entries committed; {snapshots} snapshots installed, {membership} membership changes, {transfers} leadership transfers; linearizability undecided (over budget) in {lin_unknown}; {:.1} seeds/s",
        flags.start,
        end.saturating_sub(1),
        (SAFETY_US + LIVENESS_US) / 1_000_000,
        n as f64 / wall_s
    );
    if !longest.1.is_empty() {
        let keys: std::collections::BTreeSet<&str> = longest.1.iter().map(|op| &*op.key).collect();
        let started = std::time::Instant::now();
        let outcome = lab_core::check::linearizability::check(&longest.1);
        let took_ms = started.elapsed().as_secs_f64() * 1000.0;
        let verdict = match outcome {
            lab_core::check::linearizability::Outcome::Linearizable => "linearizable",
            lab_core::check::linearizability::Outcome::Unknown { .. } => "undecided (over budget)",
            lab_core::check::linearizability::Outcome::Violation { .. } => "NOT linearizable",
        };
        println!(
            "longest decided client history: seed {}, {} operations on {} keys, {verdict}, checked in {took_ms:.1} ms",
            longest.0,
            longest.1.len(),
            keys.len()
        );
    }
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}
