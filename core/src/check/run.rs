//! `lab check`: one seed = one random world. The seed draws a topology and fault rates from
//! itself, a safety phase injects faults through the command language while every checker
//! watches every event, then a liveness phase heals everything and demands a leader, a
//! successful new write, and every acknowledged write still present.

use crate::check::linearizability::{self, Outcome};
use crate::check::watch::{check_watches, WatchSchedule};
use crate::check::{log_matching, SafetyChecks, Violation};
use crate::etcd::message::EntryData;
use crate::etcd::mutant::Mutant;
use crate::etcd::raft::RaftConfig;
use crate::scenario::Scenario;
use crate::sim::rng::SimRng;
use crate::sim::US_PER_S;
use crate::world::World;

/// Simulated time of one seed: faults for `SAFETY_US`, then `LIVENESS_US` without.
pub const SAFETY_US: u64 = 45 * US_PER_S;
pub const LIVENESS_US: u64 = 15 * US_PER_S;
/// After healing, a leader every member follows must exist within this long. Usually it takes
/// about one election timeout (1–2 s); split votes (likelier with even sizes) add rounds.
pub const LEADER_AFTER_HEAL_US_MAX: u64 = 10 * US_PER_S;

/// How long the liveness phase's client waits before retrying a write refused at once.
const CLIENT_RETRY_US: u64 = 200_000;

/// Relative weights of the fault kinds, drawn per seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRates {
    pub write: u64,
    /// Reads through ReadIndex (linearizable) or local state (serializable).
    pub read: u64,
    pub crash: u64,
    pub restart: u64,
    pub partition: u64,
    pub isolate_leader: u64,
    pub cut: u64,
    pub heal: u64,
    pub loss: u64,
    pub safeguards: u64,
    /// A burst of writes at one instant: long logs, so a lagging follower catches up over
    /// several AppendEntries (where an earlier term's entries can arrive without newer ones).
    pub burst: u64,
    /// Leases (grant, attach a key, keep alive, revoke) and compactions.
    pub lease: u64,
    /// A slow disk (fsync up to 400 ms) or a disk back to normal.
    pub slow_disk: u64,
    /// Leadership transfers: `etcdctl move-leader` and graceful stops.
    pub transfer: u64,
    /// Membership changes: add a learner or a voter, promote, remove.
    pub membership: u64,
    /// Longest quiet gap between two faults.
    pub gap_us_max: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedParams {
    pub members: u8,
    /// Applied entries between snapshots: small, so snapshots and InstallSnapshot happen often.
    pub snapshot_count: u64,
    pub rates: FaultRates,
}

impl SeedParams {
    /// Everything about a seed's world comes from the seed itself.
    pub fn draw(seed: u64) -> SeedParams {
        let mut r = SimRng::new(seed ^ 0x00c0_ffee_5eed);
        SeedParams {
            members: r.between(3, 7) as u8,
            snapshot_count: r.between(3, 60),
            rates: FaultRates {
                write: r.between(20, 50),
                read: r.between(5, 25),
                crash: r.between(2, 20),
                restart: r.between(10, 25),
                partition: r.between(0, 15),
                isolate_leader: r.between(0, 10),
                cut: r.between(0, 5),
                heal: r.between(5, 15),
                loss: r.between(0, 4),
                safeguards: r.between(0, 2),
                burst: r.between(0, 3),
                lease: r.between(0, 8),
                slow_disk: r.between(0, 6),
                transfer: r.between(0, 4),
                membership: r.between(0, 3),
                gap_us_max: r.between(300_000, 2_000_000),
            },
        }
    }
}

#[derive(Clone, Debug)]
pub struct SeedOutcome {
    pub seed: u64,
    pub params: SeedParams,
    pub violations: Vec<Violation>,
    /// The run as a share fragment: open it in the lab (or `lab run`) to see it again.
    pub fragment: String,
    pub hash: u64,
    pub committed: u64,
    pub writes_ok: u64,
    /// What the seed exercised: InstallSnapshots, membership changes, leadership transfers.
    pub snapshots_installed: u64,
    pub membership_changes: u64,
    pub transfers: u64,
    /// The client history the linearizability checker saw (for `lab check`'s timing figure).
    pub history: Vec<crate::world::HistoryOp>,
    /// The linearizability search ran out of budget on some key (neither pass nor fail).
    pub lin_unknown: bool,
}

/// One fault (or client write) as a command line.
pub fn random_fault(r: &mut SimRng, p: &SeedParams, w: &World, write_no: &mut u64) -> String {
    let f = &p.rates;
    let member = |r: &mut SimRng| format!("etcd-{}", r.between(1, w.member_count() as u64));
    let total = f.read
        + f.write
        + f.crash
        + f.restart
        + f.partition
        + f.isolate_leader
        + f.cut
        + f.heal
        + f.loss
        + f.safeguards
        + f.burst
        + f.lease
        + f.slow_disk
        + f.transfer
        + f.membership;
    let mut x = r.below(total);
    let mut pick = |weight: u64| {
        let hit = x < weight;
        x = x.saturating_sub(weight);
        hit
    };
    if pick(f.read) {
        let consistency = if r.below(3) == 0 { "s" } else { "l" };
        format!("etcdctl --endpoints={} get k{} --consistency={consistency}", member(r), r.below(7))
    } else if pick(f.write) {
        *write_no += 1;
        format!("lab put k{} v{} --via {}", *write_no % 7, write_no, member(r))
    } else if pick(f.crash) {
        // Half the crashes hit the worst moment: a member whose vote is not on disk yet (a
        // nemesis aimed at Raft Fig. 2's "persist before replying").
        let voting: Vec<u8> = w
            .members()
            .iter()
            .filter(|m| m.up && m.node.vote.is_some() && m.node.vote != m.node.disk_vote)
            .map(|m| m.node.id)
            .collect();
        match voting.get(r.below(2 * voting.len() as u64 + 1) as usize) {
            Some(&m) => format!("lab crash etcd-{m}"),
            None => format!("lab crash {}", member(r)),
        }
    } else if pick(f.restart) {
        format!("lab restart {}", member(r))
    } else if pick(f.partition) {
        let count = w.member_count();
        let sides: Vec<u64> = (0..count).map(|_| r.below(2)).collect();
        let side = |s: u64| {
            (1..=count).filter(|&m| sides[(m - 1) as usize] == s).map(|m| format!("etcd-{m}")).collect::<Vec<_>>()
        };
        let (a, b) = (side(0), side(1));
        if a.is_empty() || b.is_empty() {
            "lab heal".to_string()
        } else {
            format!("lab partition {} | {}", a.join(" "), b.join(" "))
        }
    } else if pick(f.isolate_leader) {
        match w.leader() {
            Some(l) => format!("lab isolate etcd-{l}"),
            None => format!("lab isolate {}", member(r)),
        }
    } else if pick(f.cut) {
        format!("lab cut {} {}", member(r), member(r))
    } else if pick(f.heal) {
        "lab heal".to_string()
    } else if pick(f.loss) {
        match r.below(3) {
            0 => format!("lab loss {}%", r.below(11)),
            1 => format!("lab duplicate {}%", r.below(21)),
            _ => format!("lab reorder {}%", r.below(31)),
        }
    } else if pick(f.lease) {
        // Leases the cluster knows of, as some up member has applied them.
        let known: Vec<u64> = w.members().iter().filter(|m| m.up).flat_map(|m| m.leases.keys().copied()).collect();
        let pick_lease = |r: &mut SimRng| known.get(r.below(known.len() as u64) as usize).copied();
        match (r.below(5), pick_lease(r)) {
            (0, _) | (_, None) => format!("etcdctl --endpoints={} lease grant {}", member(r), r.between(2, 8)),
            (1, Some(id)) => {
                format!("etcdctl --endpoints={} put lk{} v --lease={id:016x}", member(r), r.below(4))
            }
            (2, Some(id)) => format!("etcdctl --endpoints={} lease keep-alive --once {id:016x}", member(r)),
            (3, Some(id)) => format!("etcdctl --endpoints={} lease revoke {id:016x}", member(r)),
            (_, Some(_)) => {
                let rev = w.members().iter().map(|m| m.store.revision()).min().unwrap_or(1);
                format!("etcdctl --endpoints={} compact {}", member(r), rev.saturating_sub(r.below(5)).max(1))
            }
        }
    } else if pick(f.slow_disk) {
        match r.below(3) {
            0 => format!("lab disk {} normal", member(r)),
            _ => format!("lab disk {} {}ms", member(r), r.between(1, 400)),
        }
    } else if pick(f.membership) {
        use crate::etcd::client::member_id;
        let count = w.member_count();
        let live: Vec<u8> = (1..=count).filter(|&m| !w.member(m).removed).collect();
        let learner = live.iter().copied().find(|&m| w.members().iter().any(|o| o.node.learners().contains(&m)));
        let via = member(r);
        match (learner, r.below(3)) {
            (Some(l), 0 | 1) => format!("etcdctl --endpoints={via} member promote {:x}", member_id(l)),
            (_, 0) if count < crate::sim::network::MEMBERS_MAX && live.len() < 7 => {
                let n = count + 1;
                let flag = if r.below(3) == 0 { "" } else { " --learner" };
                format!(
                    "etcdctl --endpoints={via} member add extra-{n} --peer-urls=https://172.18.0.{}:2380{flag}",
                    n + 1
                )
            }
            _ if live.len() > 3 => {
                let victim = live[r.below(live.len() as u64) as usize];
                format!("etcdctl --endpoints={via} member remove {:x}", member_id(victim))
            }
            _ => format!("etcdctl --endpoints={via} member list"),
        }
    } else if pick(f.transfer) {
        let target = r.between(1, w.member_count() as u64) as u8;
        match (r.below(3), w.leader()) {
            (0, _) => format!("lab stop {}", member(r)),
            (_, Some(l)) => {
                format!("etcdctl --endpoints=etcd-{l} move-leader {:x}", crate::etcd::client::member_id(target))
            }
            (_, None) => format!("etcdctl move-leader {:x}", crate::etcd::client::member_id(target)),
        }
    } else if pick(f.burst) {
        // `burst:N` is expanded by the runner into N writes at this instant.
        format!("burst:{} {}", r.between(65, 140), member(r))
    } else {
        let option = if r.below(2) == 0 { "prevote" } else { "checkquorum" };
        let on = if r.below(3) == 0 { "off" } else { "on" };
        format!("lab set {option} {on}")
    }
}

/// Runs `w` to `t_us`, observing every checker after every event.
fn run_checked(w: &mut World, checks: &mut SafetyChecks, t_us: u64) {
    while w.next_event_us().is_some_and(|at| at <= t_us) {
        w.step_event();
        checks.observe(w);
    }
    w.run_until(t_us);
}

fn submit_checked(w: &mut World, checks: &mut SafetyChecks, line: &str) -> u32 {
    let id = w.submit(line);
    checks.observe(w);
    id
}

/// Runs one seed. A panic inside the simulation (an assertion the code makes about itself)
/// is reported as a violation too.
pub fn check_seed(seed: u64, mutant: Option<Mutant>) -> SeedOutcome {
    let params = SeedParams::draw(seed);
    let p = params.clone();
    let result = std::panic::catch_unwind(move || run_seed(seed, &p, mutant));
    match result {
        Ok(outcome) => outcome,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".to_string());
            SeedOutcome {
                seed,
                params,
                violations: vec![Violation { at_us: 0, property: "an assertion in the code", detail: msg }],
                fragment: String::new(),
                hash: 0,
                committed: 0,
                writes_ok: 0,
                snapshots_installed: 0,
                membership_changes: 0,
                transfers: 0,
                history: Vec::new(),
                lin_unknown: false,
            }
        }
    }
}

fn run_seed(seed: u64, params: &SeedParams, mutant: Option<Mutant>) -> SeedOutcome {
    let config = RaftConfig { mutant, ..RaftConfig::default() };
    let mut w = World::with_config(seed, params.members, config);
    let mut checks = SafetyChecks::default();
    let mut faults = SimRng::new(seed ^ 0x5eed_fa17);
    // Watches draw from their own generator, so the faults (and the world) stay as they were.
    let mut watches = WatchSchedule::draw(&mut SimRng::new(seed ^ 0x3a7c_0b5e), params.members);
    let mut write_no = 0;
    let mut t_us = 0;
    submit_checked(&mut w, &mut checks, &format!("lab set snapshot-count {}", params.snapshot_count));
    for line in watches.due(0, &w) {
        submit_checked(&mut w, &mut checks, &line);
    }
    // Safety phase: faults.
    loop {
        t_us += faults.between(20_000, params.rates.gap_us_max);
        if t_us >= SAFETY_US {
            break;
        }
        run_checked(&mut w, &mut checks, t_us);
        for line in watches.due(t_us, &w) {
            submit_checked(&mut w, &mut checks, &line);
        }
        let line = random_fault(&mut faults, params, &w, &mut write_no);
        if let Some((n, via)) = line.strip_prefix("burst:").and_then(|b| b.split_once(' ')) {
            for _ in 0..n.parse::<u32>().unwrap_or(0) {
                write_no += 1;
                submit_checked(&mut w, &mut checks, &format!("lab put k{} v{write_no} --via {via}", write_no % 7));
            }
        } else {
            submit_checked(&mut w, &mut checks, &line);
        }
    }
    run_checked(&mut w, &mut checks, SAFETY_US);
    log_matching(&w, &mut checks.violations);

    // Liveness phase: no faults. Everything heals and restarts, with etcd's safeguards back on
    // (without PreVote, members with stale logs can keep deposing every election: the very
    // disruption PreVote exists to stop, Raft thesis §9.6).
    for line in [
        "lab heal",
        "lab loss 0%",
        "lab duplicate 0%",
        "lab reorder 0%",
        "lab set prevote on",
        "lab set checkquorum on",
    ] {
        submit_checked(&mut w, &mut checks, line);
    }
    for m in 1..=w.member_count() {
        if w.member(m).removed {
            continue;
        }
        if !w.member(m).up {
            submit_checked(&mut w, &mut checks, &format!("lab restart etcd-{m}"));
        }
        submit_checked(&mut w, &mut checks, &format!("lab disk etcd-{m} normal"));
    }
    let deadline_us = SAFETY_US + LIVENESS_US;
    let mut stable_leader = None;
    let leader_deadline_us = SAFETY_US + LEADER_AFTER_HEAL_US_MAX;
    while w.now_us() < leader_deadline_us {
        let t = w.now_us() + 100_000;
        run_checked(&mut w, &mut checks, t);
        // A graceful stop begun in the safety phase may still take its member down.
        for m in 1..=w.member_count() {
            if !w.member(m).up && !w.member(m).removed {
                submit_checked(&mut w, &mut checks, &format!("lab restart etcd-{m}"));
            }
        }
        // A leader every member of the cluster follows, in its term.
        if let Some(l) = w.leader() {
            let term = w.member(l).node.term;
            if w.members().iter().filter(|m| !m.removed).all(|m| m.node.leader == Some(l) && m.node.term == term) {
                stable_leader = Some(l);
                break;
            }
        }
    }
    let mut liveness = |detail: String| {
        checks.violations.push(Violation { at_us: w.now_us(), property: "Liveness after healing", detail })
    };
    match stable_leader {
        None => liveness(format!(
            "no leader followed by every member within {} s of healing",
            LEADER_AFTER_HEAL_US_MAX / US_PER_S
        )),
        Some(l) => {
            // A client retries a write refused at once (a leadership transfer finishing).
            let mut id = w.submit(&format!("lab put liveness ok --via etcd-{l}"));
            loop {
                while w.commands()[id as usize].done_at_us.is_none() && w.now_us() < deadline_us {
                    let t = w.now_us() + 10_000;
                    run_checked(&mut w, &mut checks, t);
                }
                let rec = &w.commands()[id as usize];
                let refused_at_once = rec.failed && rec.done_at_us.is_some_and(|d| d - rec.at_us < CLIENT_RETRY_US);
                if !refused_at_once || w.now_us() + CLIENT_RETRY_US >= deadline_us {
                    break;
                }
                let t = w.now_us() + CLIENT_RETRY_US;
                run_checked(&mut w, &mut checks, t);
                let leader = w.leader().unwrap_or(l);
                id = w.submit(&format!("lab put liveness ok --via etcd-{leader}"));
            }
            let rec = &w.commands()[id as usize];
            if rec.failed || rec.done_at_us.is_none() {
                checks.violations.push(Violation {
                    at_us: w.now_us(),
                    property: "Liveness after healing",
                    detail: "a new write through the leader did not succeed".to_string(),
                });
            }
            // Every acknowledged write is in the cluster's committed log (etcd: committed
            // writes are never lost), which every new leader holds (Leader Completeness).
            let committed: Vec<&EntryData> = checks.committed.committed.iter().flatten().map(|(_, d)| d).collect();
            for c in w.commands() {
                let acked = c.done_at_us.is_some() && !c.failed && c.line.starts_with("lab put ");
                if !acked {
                    continue;
                }
                let mut words = c.line.split_whitespace().skip(2);
                let (Some(key), Some(value)) = (words.next(), words.next()) else {
                    continue;
                };
                let present = committed
                    .iter()
                    .any(|d| matches!(d, EntryData::Put { key: k, value: v, .. } if &**k == key && &**v == value));
                if !present {
                    checks.violations.push(Violation {
                        at_us: w.now_us(),
                        property: "Durability of acknowledged writes (etcd api_guarantees)",
                        detail: format!("`{}` was acknowledged OK but is not in the committed log", c.line),
                    });
                }
            }
        }
    }
    w.run_until(deadline_us);
    // Linearizability of every single-key put, delete and linearizable get (etcd
    // api_guarantees.md: "linearizable reads and writes").
    let mut lin_unknown = false;
    let history = w.client_history();
    match linearizability::check(&history) {
        Outcome::Linearizable => {}
        Outcome::Unknown { .. } => lin_unknown = true,
        Outcome::Violation { key, ops } => checks.violations.push(Violation {
            at_us: w.now_us(),
            property: "Linearizability (Herlihy & Wing; etcd api_guarantees)",
            detail: format!("no order of the {ops} operations on key {key} explains what the clients saw"),
        }),
    }
    // Every watch stream: ordered, unique, gapless, atomic, and caught up at the end.
    check_watches(&w, &mut checks.violations);
    let committed = w.members().iter().map(|m| m.node.log.committed).max().unwrap_or(0);
    SeedOutcome {
        seed,
        params: params.clone(),
        violations: checks.violations,
        fragment: Scenario::from_world(&w).to_fragment().unwrap_or_default(),
        hash: w.state_hash(),
        committed,
        writes_ok: w.stats.writes_ok,
        snapshots_installed: w.stats.snapshots_installed,
        membership_changes: w.stats.membership_changes,
        transfers: w.stats.transfers,
        history,
        lin_unknown,
    }
}
