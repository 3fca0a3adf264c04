//! Behaviours of the Raft paper as etcd-io/raft tests them (`raft_paper_test.go`), carried over
//! as our own tests of [`RaftNode`]'s step function. Plain Raft here (PreVote and CheckQuorum
//! off), as in that file; each test names the paper section and the etcd-io/raft test.

use lab_core::etcd::message::{Message, MsgKind};
use lab_core::etcd::raft::{RaftConfig, RaftNode, Role, ELECTION_TICKS, HEARTBEAT_TICKS};
use lab_core::sim::rng::SimRng;

fn plain() -> RaftConfig {
    RaftConfig { pre_vote: false, check_quorum: false, mutant: None }
}

fn node(id: u8, voters: &[u8], rng: &mut SimRng) -> RaftNode {
    RaftNode::new(id, voters.to_vec(), plain(), rng)
}

/// Ticks until the node campaigns (at most 2 × election timeout).
fn campaign(n: &mut RaftNode, rng: &mut SimRng) {
    for _ in 0..2 * ELECTION_TICKS {
        n.tick(rng);
        if n.role == Role::Candidate {
            return;
        }
    }
    panic!("no campaign within 2 election timeouts");
}

fn reply(kind: MsgKind, from: u8, to: u8, term: u64, reject: bool) -> Message {
    let mut m = Message::new(kind, from, to, term);
    m.reject = reject;
    m
}

/// Leader of term 1 among {1,2,3}, outbox drained.
fn leader(rng: &mut SimRng) -> RaftNode {
    let mut n = node(1, &[1, 2, 3], rng);
    campaign(&mut n, rng);
    n.step(reply(MsgKind::VoteResp, 2, 1, n.term, false), rng);
    assert_eq!(n.role, Role::Leader);
    // Its empty entry reaches its disk (the world does this after the fsync latency).
    n.disk_written(n.disk_write());
    n.msgs.clear();
    n
}

/// §5.2, TestStartAsFollower: members begin as followers.
#[test]
fn start_as_follower() {
    let mut rng = SimRng::new(1);
    assert_eq!(node(1, &[1, 2, 3], &mut rng).role, Role::Follower);
}

/// §5.2, TestFollowerStartElection: on election timeout a follower increments its term, votes
/// for itself and sends RequestVote (with its last log index and term) to every other member.
#[test]
fn follower_starts_an_election() {
    let mut rng = SimRng::new(1);
    let mut n = node(1, &[1, 2, 3], &mut rng);
    campaign(&mut n, &mut rng);
    assert_eq!((n.term, n.vote, n.role), (1, Some(1), Role::Candidate));
    let mut to: Vec<u8> = n.msgs.iter().filter(|m| m.kind == MsgKind::Vote).map(|m| m.to).collect();
    to.sort();
    assert_eq!(to, [2, 3]);
    assert!(n.msgs.iter().all(|m| m.term == 1 && m.index == 0 && m.log_term == 0));
}

/// §5.2, TestLeaderElectionInOneRoundRPC: a quorum of votes wins; a quorum of rejections makes
/// the candidate a follower again.
#[test]
fn election_in_one_round() {
    let mut rng = SimRng::new(2);
    let mut n = node(1, &[1, 2, 3, 4, 5], &mut rng);
    campaign(&mut n, &mut rng);
    n.step(reply(MsgKind::VoteResp, 2, 1, n.term, false), &mut rng);
    assert_eq!(n.role, Role::Candidate, "2 of 5 is not a quorum");
    n.step(reply(MsgKind::VoteResp, 3, 1, n.term, false), &mut rng);
    assert_eq!(n.role, Role::Leader);

    let mut m = node(1, &[1, 2, 3, 4, 5], &mut rng);
    campaign(&mut m, &mut rng);
    for from in [2, 3, 4] {
        m.step(reply(MsgKind::VoteResp, from, 1, m.term, true), &mut rng);
    }
    assert_eq!(m.role, Role::Follower);
}

/// §5.2, TestFollowerVote: one vote per term, first come first served.
#[test]
fn follower_votes_once_per_term() {
    let mut rng = SimRng::new(3);
    let mut n = node(1, &[1, 2, 3], &mut rng);
    n.step(Message::new(MsgKind::Vote, 2, 1, 1), &mut rng);
    n.step(Message::new(MsgKind::Vote, 3, 1, 1), &mut rng);
    let answers: Vec<(u8, bool)> = n.msgs.iter().map(|m| (m.to, m.reject)).collect();
    assert_eq!(answers, [(2, false), (3, true)]);
    assert_eq!(n.vote, Some(2));
}

/// §5.4.1, TestVoter: a vote goes only to a candidate whose log is at least as up to date.
#[test]
fn vote_requires_an_up_to_date_log() {
    let mut rng = SimRng::new(4);
    let cases = [
        // (our last term, candidate last index, candidate last term, granted)
        (2, 1, 1, false), // older last term
        (2, 1, 3, true),  // newer last term wins regardless of length
        (2, 1, 2, true),  // same term, same length
    ];
    for (ours, index, term, granted) in cases {
        let mut n = node(1, &[1, 2, 3], &mut rng);
        n.step(leader_append(2, ours, 0, 0, &[ours]), &mut rng);
        n.msgs.clear();
        let mut v = Message::new(MsgKind::Vote, 3, 1, ours + 5);
        v.index = index;
        v.log_term = term;
        n.step(v, &mut rng);
        assert_eq!(n.msgs.last().map(|m| !m.reject), Some(granted), "ours {ours} vs ({index}, {term})");
    }
}

/// An AppendEntries from `from` in `term` after (index, log_term) carrying entries of `terms`.
fn leader_append(from: u8, term: u64, index: u64, log_term: u64, terms: &[u64]) -> Message {
    use lab_core::etcd::message::{Entry, EntryData};
    let mut m = Message::new(MsgKind::App, from, 1, term);
    m.index = index;
    m.log_term = log_term;
    m.entries = terms
        .iter()
        .enumerate()
        .map(|(i, &t)| Entry { term: t, index: index + 1 + i as u64, data: EntryData::Empty, origin: None })
        .collect();
    m
}

/// §5.2, TestCandidateFallback: a candidate that hears from a leader of its term steps down.
#[test]
fn candidate_falls_back_to_a_leader() {
    let mut rng = SimRng::new(5);
    let mut n = node(1, &[1, 2, 3], &mut rng);
    campaign(&mut n, &mut rng);
    let term = n.term;
    n.step(leader_append(2, term, 0, 0, &[]), &mut rng);
    assert_eq!((n.role, n.leader), (Role::Follower, Some(2)));
}

/// §5.2, TestFollowerElectionTimeoutRandomized: timeouts are spread over [ET, 2·ET).
#[test]
fn election_timeouts_are_randomized() {
    let mut rng = SimRng::new(6);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let n = node(1, &[1, 2, 3], &mut rng);
        assert!((ELECTION_TICKS..2 * ELECTION_TICKS).contains(&n.randomized_election_ticks));
        seen.insert(n.randomized_election_ticks);
    }
    assert!(seen.len() >= 8, "timeouts not spread: {seen:?}");
}

/// §5.2, TestLeaderBcastBeat: a leader sends heartbeats to every follower each heartbeat tick.
#[test]
fn leader_broadcasts_heartbeats() {
    let mut rng = SimRng::new(7);
    let mut n = leader(&mut rng);
    for _ in 0..HEARTBEAT_TICKS {
        n.tick(&mut rng);
    }
    let mut to: Vec<u8> = n.msgs.iter().filter(|m| m.kind == MsgKind::Heartbeat).map(|m| m.to).collect();
    to.sort();
    assert_eq!(to, [2, 3]);
}

/// §5.3, TestFollowerCheckMsgApp: a follower rejects entries whose previous entry it lacks,
/// and hints its last index.
#[test]
fn follower_checks_the_previous_entry() {
    let mut rng = SimRng::new(8);
    let mut n = node(1, &[1, 2, 3], &mut rng);
    n.step(leader_append(2, 1, 0, 0, &[1, 1]), &mut rng);
    n.msgs.clear();
    n.step(leader_append(2, 1, 2, 1, &[1]), &mut rng); // matches (2, 1)
    assert!(!n.msgs[0].reject);
    n.msgs.clear();
    n.step(leader_append(2, 1, 5, 1, &[1]), &mut rng); // we have no index 5
    assert!(n.msgs[0].reject);
    assert_eq!((n.msgs[0].index, n.msgs[0].reject_hint), (5, 3));
}

/// §5.3/§5.4.2, TestLeaderCommitEntry and TestLeaderOnlyCommitsLogFromCurrentTerm: the leader
/// commits once a quorum acknowledged an entry of its own term, and tells the followers.
#[test]
fn leader_commits_on_a_quorum_of_its_own_term() {
    let mut rng = SimRng::new(9);
    let mut n = leader(&mut rng);
    let last = n.log.last_index(); // the leader's empty entry of term 1
    assert_eq!(n.log.committed, 0);
    let mut ack = reply(MsgKind::AppResp, 2, 1, n.term, false);
    ack.index = last;
    n.step(ack, &mut rng);
    assert_eq!(n.log.committed, last);
    assert!(n.msgs.iter().any(|m| m.kind == MsgKind::App && m.commit == last), "commit spread to followers");
}
