//! Log compaction, InstallSnapshot, durable writes and leadership transfer, at the level of one
//! member's step function (as etcd-io/raft tests them) and of the whole simulated cluster.

use std::collections::BTreeMap;
use std::rc::Rc;

use lab_core::etcd::message::{EntryData, Message, MsgKind, Origin};
use lab_core::etcd::mvcc::MvccStore;
use lab_core::etcd::raft::{RaftConfig, RaftNode, Role, ELECTION_TICKS};
use lab_core::etcd::snapshot::{Snapshot, SnapshotData};
use lab_core::sim::rng::SimRng;
use lab_core::sim::US_PER_S;
use lab_core::World;

/// Members wired together by hand: every message is delivered at once unless `drop` says no;
/// each member writes its disk before its messages leave (etcd: save the Ready, then send).
struct Cluster {
    nodes: Vec<RaftNode>,
    rng: SimRng,
}

impl Cluster {
    fn new(n: u8, config: RaftConfig) -> Cluster {
        let mut rng = SimRng::new(7);
        let voters: Vec<u8> = (1..=n).collect();
        let nodes = voters.iter().map(|&id| RaftNode::new(id, voters.clone(), config, &mut rng)).collect();
        Cluster { nodes, rng }
    }

    fn node(&mut self, id: u8) -> &mut RaftNode {
        &mut self.nodes[(id - 1) as usize]
    }

    fn stabilize(&mut self, drop: impl Fn(&Message) -> bool) {
        for _ in 0..1000 {
            let mut msgs = Vec::new();
            for n in &mut self.nodes {
                n.disk_written(n.disk_write());
                if let Some(s) = n.restored.take() {
                    assert!(s.index <= n.log.applied);
                }
                n.take_to_apply();
                msgs.append(&mut n.msgs);
            }
            if msgs.is_empty() {
                return;
            }
            for m in msgs {
                if !drop(&m) {
                    let to = m.to;
                    self.nodes[(to - 1) as usize].step(m, &mut self.rng);
                }
            }
        }
        panic!("did not stabilize");
    }

    fn elect(&mut self, id: u8) {
        for _ in 0..3 * ELECTION_TICKS {
            let rng = &mut self.rng;
            self.nodes[(id - 1) as usize].tick(rng);
            if self.nodes[(id - 1) as usize].role != Role::Follower {
                break;
            }
        }
        self.stabilize(|_| false);
        assert_eq!(self.node(id).role, Role::Leader);
    }

    fn propose(&mut self, id: u8, n: u64) {
        let origin = Origin { member: id, request: n };
        let data = EntryData::Put { key: format!("k{n}").into(), value: "v".into(), lease: 0 };
        assert!(self.node(id).propose(data, origin));
    }
}

fn plain() -> RaftConfig {
    RaftConfig { pre_vote: false, check_quorum: false, mutant: None }
}

/// etcd-io/raft `testdata/slow_follower_after_compaction.txt`: a follower misses appends, the
/// leader compacts its log past what the follower has; a heartbeat reveals the gap and the
/// leader sends its snapshot, after which the follower is caught up (Raft §7).
#[test]
fn slow_follower_after_compaction_gets_the_snapshot() {
    let mut c = Cluster::new(3, plain());
    c.elect(1);
    for i in 0..3 {
        c.propose(1, i);
    }
    c.stabilize(|_| false);
    let caught_up = c.node(3).log.last_index();
    assert_eq!(caught_up, c.node(1).log.last_index());
    for i in 3..7 {
        c.propose(1, i);
    }
    // Appends to node 3 are lost.
    c.stabilize(|m| m.to == 3);
    assert_eq!(c.node(3).log.last_index(), caught_up, "node 3 is behind");
    let leader = c.node(1);
    let at = leader.log.applied;
    let term = leader.log.term(at).expect("applied entry");
    let snap = Snapshot { index: at, term, voters: vec![1, 2, 3], learners: Vec::new(), data: None };
    leader.take_snapshot(snap, 0);
    assert!(leader.log.first_index() > caught_up + 1, "the entries node 3 needs are compacted");
    // A heartbeat round: node 3's reply shows it is behind; the leader sends the snapshot.
    let mut sent_snapshot = false;
    let rng = &mut c.rng;
    c.nodes[0].tick(rng);
    for _ in 0..10 {
        let mut msgs = Vec::new();
        for n in &mut c.nodes {
            n.disk_written(n.disk_write());
            n.restored.take();
            n.take_to_apply();
            msgs.append(&mut n.msgs);
        }
        for mut m in msgs {
            if m.kind == MsgKind::Snap {
                // As the world does: the snapshot leaves with the state machine's data.
                sent_snapshot |= m.to == 3;
                let meta = m.snapshot.as_deref().expect("snapshot metadata").clone();
                let data = SnapshotData { store: MvccStore::new(), leases: BTreeMap::new() };
                m.snapshot = Some(Rc::new(Snapshot { data: Some(Rc::new(data)), ..meta }));
            }
            let to = m.to;
            c.nodes[(to - 1) as usize].step(m, &mut c.rng);
        }
    }
    assert!(sent_snapshot, "the leader sent InstallSnapshot");
    let last = c.node(1).log.last_index();
    assert_eq!(c.node(3).log.last_index(), last, "node 3 caught up");
    assert_eq!(c.node(3).log.snapshot_index, at, "node 3's log starts at the snapshot");
    assert_eq!(c.node(1).progress()[&3].matched, last);
}

/// Raft Fig. 2 ("persistent state … updated on stable storage before responding to RPCs"): a
/// follower's acknowledgement waits for its disk, so a crash loses only what it never acked.
#[test]
fn a_follower_acknowledges_only_what_is_on_its_disk() {
    let mut c = Cluster::new(3, plain());
    c.elect(1);
    c.propose(1, 1);
    // Deliver the leader's append to node 2 without letting node 2 write its disk.
    let appends: Vec<Message> = std::mem::take(&mut c.node(1).msgs);
    for m in appends.into_iter().filter(|m| m.to == 2) {
        c.nodes[1].step(m, &mut c.rng);
    }
    let n2 = c.node(2);
    assert!(n2.needs_disk_write(), "the new entry is only in memory");
    let durable = n2.durable();
    assert!(durable.log.last_index() < n2.log.last_index(), "a crash now would lose it");
    let ack = n2.msgs.iter().find(|m| m.kind == MsgKind::AppResp).expect("an ack is ready");
    assert!(ack.index > n2.log.stable, "the ack covers an entry not yet on disk — the world holds it");
    let write = n2.disk_write();
    n2.disk_written(write);
    assert!(!n2.needs_disk_write());
    assert_eq!(n2.durable().log.last_index(), n2.log.last_index(), "now it survives a crash");
}

/// The same in the whole cluster: with both followers' disks slow, a write cannot commit
/// before one of them has written it (the leader alone is not a quorum of three).
#[test]
fn a_slow_disk_slows_every_commit_that_needs_it() {
    let mut w = World::new(4, 3);
    let mut t = 0;
    while w.leader().is_none() {
        t += 10_000;
        w.run_until(t);
    }
    let leader = w.leader().expect("leader");
    for m in (1..=3).filter(|&m| m != leader) {
        let id = w.submit(&format!("lab disk etcd-{m} 800ms"));
        w.run_until_done(id);
    }
    let start = w.now_us();
    let id = w.submit(&format!("lab put slow yes --via etcd-{leader}"));
    w.run_until_done(id);
    let took = w.commands()[id as usize].done_at_us.expect("done") - start;
    assert!(!w.commands()[id as usize].failed);
    assert!(took >= 800_000, "committed in {took} µs, before any follower's fsync finished");
    assert!(took < 2 * US_PER_S, "one fsync, not several: {took} µs");
}

/// Leadership transfer (Raft thesis §3.10; etcd-io/raft `TestLeaderTransferToUpToDateNode`):
/// the transferee campaigns at once, and members still hearing from the old leader vote for
/// it anyway (with CheckQuorum they ignore ordinary campaigns while in lease).
#[test]
fn transfer_makes_the_transferee_leader_at_once() {
    let mut c = Cluster::new(3, RaftConfig::default());
    c.elect(1);
    c.propose(1, 1);
    c.stabilize(|_| false);
    let term = c.node(1).term;
    assert!(c.node(1).transfer_leader(3));
    c.stabilize(|_| false);
    assert_eq!(c.node(3).role, Role::Leader, "no election timeout was needed");
    assert_eq!(c.node(3).term, term + 1);
    assert_eq!(c.node(1).role, Role::Follower);
    assert_eq!(c.node(1).leader, Some(3));
    // While handing over, the old leader refuses new proposals (etcd/raft ErrProposalDropped).
    assert!(c.node(3).transfer_leader(2));
    let refused = !c.node(3).propose(EntryData::Empty, Origin { member: 3, request: 99 });
    assert!(refused);
}
