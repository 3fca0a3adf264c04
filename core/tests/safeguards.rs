//! PreVote and CheckQuorum as etcd runs them, after the scenarios of etcd-io/raft
//! `testdata/prevote.txt` and `testdata/checkquorum.txt` (etcd 3.5: both on).

use lab_core::etcd::raft::Role;
use lab_core::sim::US_PER_S;
use lab_core::World;

mod common;
use common::settle;

fn run_cmd(w: &mut World, line: &str) {
    let id = w.submit(line);
    w.run_until_done(id);
}

/// CheckQuorum: a leader that cannot reach a quorum steps down within about one election
/// timeout (it checks every 1 s; etcd op-guide/failures.md: "the old leader steps down").
#[test]
fn isolated_leader_steps_down_within_two_election_timeouts() {
    for seed in 0..50 {
        let mut w = World::new(seed, 5);
        let old = settle(&mut w);
        run_cmd(&mut w, &format!("lab isolate etcd-{old}"));
        let t0 = w.now_us();
        while w.member(old).node.role == Role::Leader {
            let t = w.now_us() + 10_000;
            w.run_until(t);
            assert!(w.now_us() - t0 <= 2 * US_PER_S + 100_000, "seed {seed}: still leading after 2 s");
        }
        assert!(w.now_us() - t0 >= US_PER_S - 100_000, "seed {seed}: stepped down before an election timeout");
    }
}

/// Without CheckQuorum the cut-off leader keeps believing it leads (the lesson's contrast).
#[test]
fn without_check_quorum_an_isolated_leader_keeps_leading() {
    let mut w = World::new(3, 5);
    run_cmd(&mut w, "lab set checkquorum off");
    let old = settle(&mut w);
    run_cmd(&mut w, &format!("lab isolate etcd-{old}"));
    run_cmd(&mut w, "sleep 10s");
    assert_eq!(w.member(old).node.role, Role::Leader);
}

/// PreVote (etcd-io/raft testdata/prevote.txt): a member cut off from the others campaigns
/// without raising its term, so when the partition heals it does not depose the leader.
#[test]
fn rejoining_member_does_not_disrupt_the_leader_with_prevote() {
    for seed in 0..50 {
        let mut w = World::new(seed, 3);
        let leader = settle(&mut w);
        let follower = if leader == 1 { 2 } else { 1 };
        let term = w.member(leader).node.term;
        run_cmd(&mut w, &format!("lab isolate etcd-{follower}"));
        run_cmd(&mut w, "sleep 10s");
        assert_eq!(w.member(follower).node.term, term, "seed {seed}: pre-votes must not raise the term");
        run_cmd(&mut w, "lab heal");
        run_cmd(&mut w, "sleep 5s");
        assert_eq!(w.leader(), Some(leader), "seed {seed}: leader deposed");
        assert_eq!(w.member(leader).node.term, term, "seed {seed}: term exploded");
        assert_eq!(w.member(follower).node.leader, Some(leader));
    }
}

/// Without PreVote the isolated member's term runs away, and on rejoining it forces an election
/// (the disruption PreVote prevents; Raft thesis §9.6).
#[test]
fn rejoining_member_disrupts_the_leader_without_prevote() {
    let mut w = World::new(1, 3);
    run_cmd(&mut w, "lab set prevote off");
    let leader = settle(&mut w);
    let follower = if leader == 1 { 2 } else { 1 };
    let term = w.member(leader).node.term;
    run_cmd(&mut w, &format!("lab isolate etcd-{follower}"));
    run_cmd(&mut w, "sleep 10s");
    assert!(w.member(follower).node.term > term + 3, "the isolated member keeps raising its term");
    run_cmd(&mut w, "lab heal");
    run_cmd(&mut w, "sleep 5s");
    let new_leader = w.leader().expect("a leader again");
    assert!(w.member(new_leader).node.term > term + 3, "the cluster had to move to the runaway term");
}
