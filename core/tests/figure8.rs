//! Raft paper Figure 8, scripted: an entry from an earlier term that reaches a majority must
//! not be committed by counting replicas (§5.4.2). The schedule below makes a new leader
//! replicate old-term entries to a majority before its own entry, then fail, so a leader with
//! a newer-term log overwrites them. A correct member never committed them: nothing breaks.
//! With the `commit-old-term` mutant they were committed, and the checkers catch it.

use lab_core::check::SafetyChecks;
use lab_core::etcd::mutant::Mutant;
use lab_core::etcd::raft::{RaftConfig, Role};
use lab_core::sim::US_PER_S;
use lab_core::World;

/// Steps until `cond` holds (observing the checkers), at most `limit_us` more simulated time.
fn step_until(w: &mut World, checks: &mut SafetyChecks, limit_us: u64, cond: impl Fn(&World) -> bool) -> bool {
    let end = w.now_us() + limit_us;
    while w.now_us() < end {
        if cond(w) {
            return true;
        }
        if !w.step_event() {
            break;
        }
        checks.observe(w);
    }
    cond(w)
}

fn submit(w: &mut World, checks: &mut SafetyChecks, line: &str) {
    w.submit(line);
    checks.observe(w);
}

/// Runs the Figure 8 schedule; returns the violations seen (a panic counts as one).
pub fn figure8(mutant: Option<Mutant>) -> Vec<String> {
    let run = move || {
        let mut w = World::with_config(8, 5, RaftConfig { mutant, ..RaftConfig::default() });
        let mut c = SafetyChecks::default();
        assert!(step_until(&mut w, &mut c, 10 * US_PER_S, |w| w.leader().is_some()), "a first leader");
        let l1 = w.leader().expect("leader");
        let s2 = if l1 == 1 { 2 } else { 1 };
        let rest: Vec<u8> = (1..=5).filter(|&m| m != l1 && m != s2).collect();
        let base = w.member(l1).node.log.committed;
        // (a) The leader and one follower, cut off, take 100 entries the others never see.
        submit(
            &mut w,
            &mut c,
            &format!("lab partition etcd-{l1} etcd-{s2} | etcd-{} etcd-{} etcd-{}", rest[0], rest[1], rest[2]),
        );
        for i in 0..100 {
            submit(&mut w, &mut c, &format!("lab put k{i} v{i} --via etcd-{l1}"));
        }
        assert!(step_until(&mut w, &mut c, US_PER_S, |w| w.member(s2).node.log.last_index() >= base + 100));
        // (b) The old leader crashes; the majority elects one of its own, which is cut off the
        // instant it wins, holding its new-term entry alone.
        submit(&mut w, &mut c, &format!("lab crash etcd-{l1}"));
        let in_rest = |w: &World| rest.iter().copied().find(|&m| w.member(m).node.role == Role::Leader);
        assert!(step_until(&mut w, &mut c, 10 * US_PER_S, |w| in_rest(w).is_some()), "a majority leader");
        let l2 = in_rest(&w).expect("leader");
        submit(&mut w, &mut c, &format!("lab isolate etcd-{l2}"));
        let (a, b) = {
            let ab: Vec<u8> = rest.iter().copied().filter(|&m| m != l2).collect();
            (ab[0], ab[1])
        };
        // (c) The old leader returns and one of the two holders of the old entries wins; its
        // catch-up sends old-term entries first (64 per message).
        submit(&mut w, &mut c, &format!("lab restart etcd-{l1}"));
        let holder_leads =
            |w: &World| [l1, s2].into_iter().find(|&m| w.member(m).up && w.member(m).node.role == Role::Leader);
        assert!(step_until(&mut w, &mut c, 10 * US_PER_S, |w| holder_leads(w).is_some()), "a holder leads");
        let l3 = holder_leads(&w).expect("leader");
        let first_batch = |w: &World| {
            w.member(l3).node.progress().get(&a).is_some_and(|p| p.matched >= base + 64)
                || w.member(l3).node.progress().get(&b).is_some_and(|p| p.matched >= base + 64)
        };
        assert!(step_until(&mut w, &mut c, 5 * US_PER_S, first_batch), "first catch-up batch acknowledged");
        // (d) Both holders are cut off and fail before their newer entries reach a majority; the
        // leader of the middle term rejoins the other two and, with a newer last term, wins.
        // The cut comes as the first acknowledgement lands, so the leader's next batch (already
        // on the wire) is lost with it.
        submit(&mut w, &mut c, &format!("lab partition etcd-{l1} etcd-{s2} | etcd-{a} etcd-{b} etcd-{l2}"));
        submit(&mut w, &mut c, &format!("lab crash etcd-{l1}"));
        submit(&mut w, &mut c, &format!("lab crash etcd-{s2}"));
        step_until(&mut w, &mut c, 15 * US_PER_S, |_| false);
        c.observe_logs(&w);
        c.violations.iter().map(|v| format!("{}: {}", v.property, v.detail)).collect::<Vec<_>>()
    };
    match std::panic::catch_unwind(run) {
        Ok(v) => v,
        Err(p) => vec![p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into())],
    }
}

#[test]
fn figure_8_is_safe_when_old_term_entries_are_never_committed_by_counting() {
    let v = figure8(None);
    assert!(v.is_empty(), "{v:#?}");
}

#[cfg(feature = "mutants")]
#[test]
fn figure_8_catches_the_commit_old_term_mutant() {
    let v = figure8(Some(Mutant::CommitOldTerm));
    assert!(!v.is_empty(), "the mutant went unnoticed");
    eprintln!("caught: {v:?}");
}
