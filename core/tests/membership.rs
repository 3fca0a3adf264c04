//! Membership changes as etcd 3.5 makes them (etcd docs op-guide/runtime-configuration.md and
//! learning/design-learner.md; single-step `ConfChange`s in etcd/raft), and etcd-io/raft's
//! `testdata/confchange_v2_replace_leader.txt` carried over with those single steps.

use lab_core::etcd::client::member_id;
use lab_core::etcd::raft::{majority, Role};
use lab_core::sim::US_PER_S;
use lab_core::World;

mod common;
use common::settle;

/// Runs a command to completion and returns what it printed (English).
fn run(w: &mut World, line: &str) -> String {
    let from = w.transcript().len();
    let id = w.submit(line);
    w.run_until_done(id);
    w.render_transcript(from + 1, lab_core::i18n::Lang::En)
}

fn sleep(w: &mut World, s: u64) {
    let t = w.now_us() + s * US_PER_S;
    w.run_until(t);
}

/// etcd FAQ "What is failure tolerance?": majority = n/2 + 1 for 1–9 members.
#[test]
fn majorities_match_the_etcd_faq() {
    let faq = [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4), (8, 5), (9, 5)];
    for (n, m) in faq {
        assert_eq!(majority(n), m, "{n} members");
    }
}

/// design-learner.md: a learner receives the log (here by snapshot, the leader having compacted
/// it) but does not vote and is not counted for quorum; promotion waits until it is in sync.
#[test]
fn a_learner_catches_up_by_snapshot_then_is_promoted() {
    let mut w = World::new(5, 3);
    let leader = settle(&mut w);
    run(&mut w, "lab set snapshot-count 5");
    for i in 0..12 {
        assert_eq!(run(&mut w, &format!("lab put k{i} v{i}")).trim(), "OK");
    }
    let out = run(&mut w, "etcdctl member add node4 --peer-urls=https://172.18.0.5:2380 --learner");
    assert!(out.starts_with(&format!("Member {:16x} added as learner to cluster", member_id(4))), "{out}");
    assert!(out.contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\""), "{out}");
    sleep(&mut w, 1);
    let l = w.member(4);
    assert!(l.up && l.node.learners().contains(&4), "etcd-4 is a learner");
    assert!(w.stats.snapshots_installed >= 1, "the learner was sent a snapshot");
    assert_eq!(l.store.revision(), w.member(leader).store.revision(), "caught up");
    assert_eq!(w.member(leader).node.quorum(), 2, "a learner does not count for quorum");
    // A learner never campaigns, even cut off from everyone.
    run(&mut w, "lab isolate etcd-4");
    sleep(&mut w, 5);
    assert_eq!(w.member(4).node.role, Role::Follower);
    assert_eq!(w.member(4).node.term, w.member(leader).node.term, "no term raised by a learner");
    // Behind (isolated while writes go on), it cannot be promoted yet.
    for i in 0..30 {
        run(&mut w, &format!("lab put more{i} x"));
    }
    let refused = run(&mut w, &format!("etcdctl member promote {:x}", member_id(4)));
    assert_eq!(refused.trim(), "Error: etcdserver: can only promote a learner member which is in sync with leader");
    run(&mut w, "lab heal");
    sleep(&mut w, 1);
    let out = run(&mut w, &format!("etcdctl member promote {:x}", member_id(4)));
    assert_eq!(
        out.trim(),
        format!("Member {:16x} promoted in cluster {:16x}", member_id(4), lab_core::etcd::client::cluster_id())
    );
    sleep(&mut w, 1);
    let leader = w.leader().expect("leader");
    assert_eq!(w.member(leader).node.voters(), &[1, 2, 3, 4]);
    assert_eq!(w.member(leader).node.quorum(), 3, "4 voters: a majority is 3 (etcd FAQ)");
}

/// etcd-io/raft `confchange_v2_replace_leader.txt`: the leader is replaced by a new member and
/// the cluster keeps working. etcd 3.5 changes one member at a time, so the same outcome takes
/// single steps: add the new member as a learner, promote it, hand leadership over
/// (`move-leader`), remove the old leader.
#[test]
fn the_leader_is_replaced_one_step_at_a_time() {
    let mut w = World::new(11, 3);
    let old = settle(&mut w);
    run(&mut w, "lab put before replace");
    run(&mut w, "etcdctl member add node4 --peer-urls=https://172.18.0.5:2380 --learner");
    sleep(&mut w, 1);
    let out = run(&mut w, &format!("etcdctl --endpoints=etcd-{old} member promote {:x}", member_id(4)));
    assert!(out.contains("promoted"), "{out}");
    sleep(&mut w, 1);
    let out = run(&mut w, &format!("etcdctl --endpoints=etcd-{old} move-leader {:x}", member_id(4)));
    assert_eq!(out.trim(), format!("Leadership transferred from {:x} to {:x}", member_id(old), member_id(4)));
    assert_eq!(w.leader(), Some(4));
    let out = run(&mut w, &format!("etcdctl --endpoints=etcd-4 member remove {:x}", member_id(old)));
    assert!(out.contains("removed from cluster"), "{out}");
    sleep(&mut w, 2);
    assert!(w.member(old).removed && !w.member(old).up, "the old leader is gone");
    assert_eq!(w.leader(), Some(4), "no election was needed");
    assert_eq!(w.member(4).node.voters().len(), 3);
    assert_eq!(run(&mut w, "lab put after replace --via etcd-4").trim(), "OK");
    let out = run(&mut w, "etcdctl --endpoints=etcd-4 get before");
    assert_eq!(out, "before\nreplace\n");
}

/// etcd `mayRemoveMember` with --strict-reconfig-check (on by default): removing a running
/// voter must leave a quorum of connected members; a member already down may always go.
#[test]
fn removal_never_costs_the_quorum() {
    let mut w = World::new(2, 3);
    settle(&mut w);
    run(&mut w, "lab crash etcd-3");
    let leader = w.leader().expect("leader");
    let other = if leader == 1 { 2 } else { 1 };
    let out = run(&mut w, &format!("etcdctl --endpoints=etcd-{leader} member remove {:x}", member_id(other)));
    assert_eq!(out.trim(), "Error: etcdserver: unhealthy cluster");
    let out = run(&mut w, &format!("etcdctl --endpoints=etcd-{leader} member remove {:x}", member_id(3)));
    assert!(out.contains("removed from cluster"), "{out}");
    sleep(&mut w, 1);
    assert_eq!(w.member(leader).node.voters().len(), 2);
    assert_eq!(run(&mut w, &format!("lab put two voters --via etcd-{leader}")).trim(), "OK");
    let out = run(&mut w, "lab restart etcd-3");
    assert!(out.contains("removed"), "{out}");
}
