//! Simulation tests: many seeds, random faults driven through the command language, checkers
//! for the Raft safety properties (Raft paper Figure 3) and a liveness measure.

use lab_core::check::run::check_seed;
use lab_core::etcd::raft::Role;
use lab_core::sim::rng::SimRng;
use lab_core::sim::US_PER_S;
use lab_core::World;

/// One random fault (or client write) as a command line, for the determinism test below.
fn random_fault(r: &mut SimRng, members: u8, write_no: &mut u32) -> String {
    let m = |r: &mut SimRng| format!("etcd-{}", r.between(1, members as u64));
    match r.below(10) {
        0..=3 => {
            *write_no += 1;
            format!("lab put k{} v{} --via {}", *write_no % 7, write_no, m(r))
        }
        4 => format!("lab crash {}", m(r)),
        5 | 6 => format!("lab restart {}", m(r)),
        7 => format!("lab isolate {}", m(r)),
        _ => "lab heal".to_string(),
    }
}

/// Raft paper Figure 3 and etcd's guarantees, checked after every event over 500 seeds (3–7
/// members, fault rates drawn per seed: crashes, restarts, partitions incl. one-way cuts and
/// leader isolation, message loss, PreVote/CheckQuorum switched): zero violations, then a
/// liveness phase (a leader within 4 s of healing, a new write succeeds, no acknowledged
/// write lost). `lab check --seeds N` runs the same code.
#[test]
fn safety_and_liveness_hold_over_500_seeds_with_random_faults() {
    let mut committed_total = 0;
    let mut failures = Vec::new();
    for seed in 0..500u64 {
        let o = check_seed(seed, None);
        if !o.violations.is_empty() {
            failures.push(format!("seed {seed} {:?}: {:#?}", o.params, o.violations));
        }
        committed_total += o.committed;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The test must exercise commits, not just elections.
    assert!(committed_total > 5_000, "only {committed_total} entries committed over all seeds");
}

/// The faults above only help if safety can fail: a checker fed two leaders in one term, or a
/// changed committed entry, reports it (the checkers are not vacuous).
#[test]
fn checkers_report_violations() {
    use lab_core::check::{CommittedNeverChange, ElectionSafety};
    let mut w = World::new(3, 3);
    w.run_until(5 * US_PER_S);
    let leader = w.leader().expect("a leader within 5 s");
    let mut out = Vec::new();
    let mut election = ElectionSafety::default();
    election.observe(&w, &mut out);
    // Forge the history: pretend another member led this same term before.
    let mut forged = World::new(3, 3);
    forged.run_until(5 * US_PER_S);
    let mut e2 = ElectionSafety::default();
    e2.observe(&forged, &mut out);
    assert!(out.is_empty());
    let other = if leader == 1 { 2 } else { 1 };
    let mut e3 = ElectionSafety::default();
    e3.pretend_leader(w.member(leader).node.term, other);
    e3.observe(&w, &mut out);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].property.starts_with("Election Safety"));

    // Two unrelated clusters seen as one: their committed entries at index 2 differ. The
    // 5-member cluster's etcd-4 and etcd-5 are compared against what the 3-member one committed.
    let mut committed = CommittedNeverChange::default();
    let mut small = World::new(4, 3);
    small.run_until(5 * US_PER_S);
    let id = small.submit("lab put a DIFFERENT");
    small.run_until_done(id);
    committed.observe(&small, &mut out);
    assert_eq!(out.len(), 1, "{out:?}");
    let mut big = World::new(3, 5);
    big.run_until(5 * US_PER_S);
    let id = big.submit("lab put a 1");
    big.run_until_done(id);
    committed.observe(&big, &mut out);
    assert!(out.iter().any(|v| v.property.starts_with("State Machine Safety")), "{out:?}");
}

/// etcd op-guide/failures.md: after a partition the majority side elects a leader (about one
/// election timeout, 1–1.9 s). Issue 2 asks for ≤ 3 s of simulated time in ≥ 99 % of seeds.
#[test]
fn majority_side_elects_a_leader_within_3s_in_99_percent_of_seeds() {
    let mut within = 0;
    let mut slowest_us = 0;
    let seeds = 500;
    for seed in 0..seeds {
        let mut w = World::new(seed, 5);
        let mut t = 0;
        while w.leader().is_none() {
            t += 10_000;
            w.run_until(t);
            assert!(t < 20 * US_PER_S, "seed {seed}: no first leader");
        }
        // Let the cluster settle, then cut the leader and one follower off.
        w.run_until(t + US_PER_S);
        let old = w.leader().expect("leader");
        let old_term = w.member(old).node.term;
        let buddy = if old == 1 { 2 } else { 1 };
        let majority: Vec<u8> = (1..=5).filter(|&m| m != old && m != buddy).collect();
        let line = format!(
            "lab partition etcd-{old} etcd-{buddy} | {}",
            majority.iter().map(|m| format!("etcd-{m}")).collect::<Vec<_>>().join(" ")
        );
        w.submit(&line);
        let t0 = w.now_us();
        let mut elected_at = None;
        while w.now_us() < t0 + 10 * US_PER_S {
            if !w.step_event() {
                break;
            }
            let leads = majority.iter().any(|&m| {
                let n = &w.member(m).node;
                n.role == Role::Leader && n.term > old_term
            });
            if leads {
                elected_at = Some(w.now_us() - t0);
                break;
            }
        }
        let dt = elected_at.unwrap_or(u64::MAX);
        slowest_us = slowest_us.max(dt.min(10 * US_PER_S));
        if dt <= 3 * US_PER_S {
            within += 1;
        }
    }
    let percent = within * 100 / seeds;
    eprintln!("majority elected within 3 s in {within}/{seeds} seeds; slowest {} ms", slowest_us / 1000);
    assert!(within * 100 >= 99 * seeds, "only {percent}% of seeds elected within 3 s");
}

/// DESIGN.md "Determinism": the same seed and commands give the same state hash.
#[test]
fn same_seed_twice_gives_the_same_hash() {
    let run = |seed| {
        let mut w = World::new(seed, 5);
        let mut r = SimRng::new(seed);
        let mut n = 0;
        for i in 1..=40 {
            w.run_until(i * 500_000);
            w.submit(&random_fault(&mut r, 5, &mut n));
        }
        w.run_until(30 * US_PER_S);
        w.state_hash()
    };
    for seed in [1, 2, 99] {
        assert_eq!(run(seed), run(seed), "seed {seed}");
    }
    assert_ne!(run(1), run(2));
}
