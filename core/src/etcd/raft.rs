//! One etcd member's Raft state machine, shaped like etcd/raft and raft-rs: a pure step
//! function. A message or a tick goes in; messages to send collect in `msgs`; committed
//! entries wait in the log for the world to apply. No I/O, no clock.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::message::{ConfChangeKind, Entry, EntryData, MemberId, Message, MsgKind, Origin};
use super::mutant::Mutant;
use super::raft_log::RaftLog;
use super::snapshot::Snapshot;
use crate::sim::rng::SimRng;

/// etcd's defaults: 100 ms heartbeat, 1000 ms election timeout, one tick per heartbeat
/// (etcd `server/etcdserver/bootstrap.go` `raftConfig`).
pub const TICK_US: u64 = 100_000;
pub const ELECTION_TICKS: u32 = 10;
pub const HEARTBEAT_TICKS: u32 = 1;
/// Entries per AppendEntries, a stand-in for etcd's `MaxSizePerMsg`.
pub const ENTRIES_PER_MSG_MAX: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Follower,
    /// Asking for pre-votes without having bumped its term (Raft thesis §9.6; etcd `--pre-vote`).
    PreCandidate,
    Candidate,
    Leader,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// The two election safeguards etcd 3.5 runs with, switchable per scenario so a lesson can
/// show what each prevents (`lab set prevote off`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RaftConfig {
    /// `--pre-vote`: true since etcd v3.5 (etcd `server/embed/config.go`).
    pub pre_vote: bool,
    /// Hard-coded true in etcd (`server/etcdserver/bootstrap.go`).
    pub check_quorum: bool,
    /// A deliberate bug (acts only with the `mutants` feature).
    pub mutant: Option<Mutant>,
}

impl Default for RaftConfig {
    fn default() -> Self {
        RaftConfig { pre_vote: true, check_quorum: true, mutant: None }
    }
}

/// Members that make a majority of `voters` (etcd FAQ: 3 of 5, 4 of 7).
pub fn majority(voters: usize) -> usize {
    voters / 2 + 1
}

/// The leader's view of one follower (Raft §5.3 `nextIndex` / `matchIndex`).
#[derive(Clone, Copy, Debug, Hash)]
pub struct Progress {
    /// Invariant: matched < next
    pub matched: u64,
    pub next: u64,
    /// Heard from since the last CheckQuorum round.
    pub recent_active: bool,
    /// Heartbeat ticks left before a snapshot sent to this follower counts as lost (etcd/raft
    /// `StateSnapshot`: nothing else is sent while one is in flight). 0: none in flight.
    pub snapshot_wait_ticks: u32,
}

/// How long a leader waits for a snapshot's answer before sending it again.
pub const SNAPSHOT_WAIT_TICKS: u32 = ELECTION_TICKS;

/// A linearizable read the leader is confirming (etcd/raft `readIndexStatus`).
#[derive(Clone, Debug, Hash)]
pub struct PendingRead {
    pub ctx: Origin,
    /// The commit index when the read arrived: the reader serves once applied ≥ this.
    pub index: u64,
    /// Who asked (the leader itself, or a follower that forwarded it).
    pub from: MemberId,
    /// Members that answered a heartbeat carrying this read (or a later one).
    pub acks: Vec<MemberId>,
}

/// A confirmed read: serve `ctx` once this member has applied `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadState {
    pub ctx: Origin,
    pub index: u64,
}

/// What survives a crash: etcd's `HardState` (term, vote, commit), the log in the WAL and the
/// newest snapshot file.
#[derive(Clone, Debug, Hash)]
pub struct DurableState {
    pub term: u64,
    pub vote: Option<MemberId>,
    pub log: RaftLog,
    pub snapshot: Option<Rc<Snapshot>>,
}

/// One write to the member's disk: the hard state and the log up to `index` as they were when
/// the write began (etcd saves a `Ready`'s HardState and entries to the WAL, then fsyncs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DiskWrite {
    pub term: u64,
    pub vote: Option<MemberId>,
    pub index: u64,
    pub index_term: u64,
}

#[derive(Clone, Debug, Hash)]
pub struct RaftNode {
    pub id: MemberId,
    pub config: RaftConfig,
    /// All voting members (this one too, unless it is a learner or was removed), ascending.
    voters: Vec<MemberId>,
    /// Members that receive the log but do not vote or count for quorum (etcd learners).
    /// Invariant: disjoint from `voters`
    learners: Vec<MemberId>,
    /// The membership this member booted with (what its log starts from when no snapshot
    /// holds a newer one): the initial cluster, or `--initial-cluster` of a member added later.
    boot_voters: Vec<MemberId>,
    boot_learners: Vec<MemberId>,
    /// Leader: the index of the last membership change it proposed; another waits until that
    /// one is applied (etcd/raft `pendingConfIndex`).
    pending_conf_index: u64,
    pub term: u64,
    /// Who this member voted for in `term`.
    pub vote: Option<MemberId>,
    /// The hard state on disk. Raft Fig. 2: "updated on stable storage before responding to
    /// RPCs" — the world holds this member's replies until a write covering them finished.
    /// Invariant: disk_term <= term
    pub disk_term: u64,
    pub disk_vote: Option<MemberId>,
    pub log: RaftLog,
    /// The newest snapshot: taken from our own applied state, or received from a leader.
    /// Invariant: its index <= log.applied, and >= log.snapshot_index
    pub snapshot: Option<Rc<Snapshot>>,
    /// A snapshot received from the leader that the world must load into the state machine.
    pub restored: Option<Rc<Snapshot>>,
    pub role: Role,
    pub leader: Option<MemberId>,
    /// Follower/candidate: ticks since the last valid message from a leader (or since the
    /// campaign began). Leader: ticks since the last CheckQuorum round.
    pub election_elapsed_ticks: u32,
    pub heartbeat_elapsed_ticks: u32,
    /// Redrawn in `[ELECTION_TICKS, 2·ELECTION_TICKS)` on every reset, as etcd/raft does.
    pub randomized_election_ticks: u32,
    /// Votes (or pre-votes) received while campaigning: member → granted.
    votes: BTreeMap<MemberId, bool>,
    /// Leader only: one entry per other voter.
    progress: BTreeMap<MemberId, Progress>,
    /// Leader: reads waiting for a quorum's heartbeat replies, in arrival order.
    read_only: Vec<PendingRead>,
    /// Leader: reads that arrived before it committed an entry of its own term (etcd/raft
    /// holds them: until then its commit index may be behind the cluster's).
    reads_before_first_commit: Vec<(Origin, MemberId)>,
    /// Leader: the member leadership is being handed to (etcd/raft `leadTransferee`). While set,
    /// new proposals are refused; it is abandoned after an election timeout.
    pub transferee: Option<MemberId>,
    /// Ticks since the transfer began. (etcd/raft reuses `electionElapsed`, which postpones
    /// CheckQuorum; the lab keeps its own count so a transfer never delays a step-down.)
    transfer_elapsed_ticks: u32,
    /// Outbox. The world drains it after every step; it is empty between steps.
    pub msgs: Vec<Message>,
    /// Confirmed reads for the world to serve (drained with the outbox).
    pub read_states: Vec<ReadState>,
}

impl RaftNode {
    /// A member starting with an empty log (a new cluster).
    pub fn new(id: MemberId, voters: Vec<MemberId>, config: RaftConfig, rng: &mut SimRng) -> RaftNode {
        let durable = DurableState { term: 0, vote: None, log: RaftLog::default(), snapshot: None };
        RaftNode::restart(id, voters, config, durable, rng)
    }

    /// A member coming back from its durable state; everything volatile starts over.
    pub fn restart(
        id: MemberId,
        voters: Vec<MemberId>,
        config: RaftConfig,
        durable: DurableState,
        rng: &mut SimRng,
    ) -> RaftNode {
        let mut log = durable.log;
        // The state machine is rebuilt from the snapshot, then by re-applying the log after it.
        log.applied = durable.snapshot.as_ref().map_or(log.snapshot_index, |s| s.index);
        log.committed = log.committed.max(log.applied);
        let mut node = RaftNode {
            id,
            config,
            boot_voters: voters.clone(),
            boot_learners: Vec::new(),
            voters,
            learners: Vec::new(),
            pending_conf_index: 0,
            term: durable.term,
            vote: durable.vote,
            disk_term: durable.term,
            disk_vote: durable.vote,
            log,
            snapshot: durable.snapshot,
            restored: None,
            role: Role::Follower,
            leader: None,
            election_elapsed_ticks: 0,
            heartbeat_elapsed_ticks: 0,
            randomized_election_ticks: ELECTION_TICKS,
            votes: BTreeMap::new(),
            progress: BTreeMap::new(),
            read_only: Vec::new(),
            reads_before_first_commit: Vec::new(),
            transferee: None,
            transfer_elapsed_ticks: 0,
            msgs: Vec::new(),
            read_states: Vec::new(),
        };
        node.reset_randomized_election_timeout(rng);
        // The membership is the snapshot's; replaying the log after it re-applies the changes.
        if let Some(s) = &node.snapshot {
            node.voters = s.voters.clone();
            node.learners = s.learners.clone();
        }
        node
    }

    /// The member after a crash or restart: only its disk remains (membership included).
    pub fn reboot(&self, rng: &mut SimRng) -> RaftNode {
        let mut node = RaftNode::restart(self.id, self.boot_voters.clone(), self.config, self.durable(), rng);
        node.boot_learners = self.boot_learners.clone();
        if node.snapshot.is_none() {
            node.learners = self.boot_learners.clone();
        }
        node
    }

    /// After a restart, the state machine (etcd's backend) has applied up to `index`: the log
    /// replays only what follows it.
    pub fn resume_applied_at(&mut self, index: u64) {
        assert!(
            self.log.snapshot_index <= index && index <= self.log.last_index(),
            "backend index {index} outside the log ({}..={})",
            self.log.snapshot_index,
            self.log.last_index()
        );
        self.log.applied = index;
        self.log.committed = self.log.committed.max(index);
    }

    /// What a crash leaves: only what reached the disk.
    pub fn durable(&self) -> DurableState {
        DurableState {
            term: self.disk_term,
            vote: self.disk_vote,
            log: self.log.durable(),
            snapshot: self.snapshot.clone(),
        }
    }

    /// Whether some state is not on disk yet (then replies must wait for a [`DiskWrite`]).
    pub fn needs_disk_write(&self) -> bool {
        self.term != self.disk_term || self.vote != self.disk_vote || self.log.stable < self.log.last_index()
    }

    /// The write that would make everything now in memory durable.
    pub fn disk_write(&self) -> DiskWrite {
        DiskWrite { term: self.term, vote: self.vote, index: self.log.last_index(), index_term: self.log.last_term() }
    }

    /// A disk write finished. A leader may now count its own copy of the entries it wrote.
    pub fn disk_written(&mut self, w: DiskWrite) {
        assert!(w.term <= self.term, "wrote term {} beyond the current {}", w.term, self.term);
        if w.term >= self.disk_term {
            self.disk_term = w.term;
            self.disk_vote = w.vote;
        }
        self.log.stable_to(w.index, w.index_term);
        if self.role == Role::Leader && self.maybe_commit() {
            self.bcast_append_all();
        }
    }

    /// Takes a snapshot of the state machine at `snapshot.index` (applied and on disk) and
    /// compacts the log before it, keeping `keep_entries` for followers a little behind.
    pub fn take_snapshot(&mut self, snapshot: Snapshot, keep_entries: u64) {
        assert!(snapshot.index <= self.log.applied && snapshot.index <= self.log.stable, "snapshot beyond applied");
        assert_eq!(self.log.term(snapshot.index), Some(snapshot.term), "snapshot term");
        self.log.compact(snapshot.index.saturating_sub(keep_entries));
        self.snapshot = Some(Rc::new(snapshot));
    }

    pub fn voters(&self) -> &[MemberId] {
        &self.voters
    }

    pub fn learners(&self) -> &[MemberId] {
        &self.learners
    }

    /// Sets the membership a member starts with (a new member joining an existing cluster
    /// learns it from `--initial-cluster`, as etcd's `ETCD_INITIAL_CLUSTER` tells it).
    pub fn set_membership(&mut self, voters: Vec<MemberId>, learners: Vec<MemberId>) {
        debug_assert!(voters.iter().all(|v| !learners.contains(v)));
        self.boot_voters = voters.clone();
        self.boot_learners = learners.clone();
        self.voters = voters;
        self.learners = learners;
    }

    /// Whether this member may campaign and vote: it is a voter in its own configuration.
    pub fn is_voter(&self) -> bool {
        self.voters.contains(&self.id)
    }

    /// Applies a committed membership change (etcd/raft `ApplyConfChange`): quorum follows the
    /// voters from now on; a leader starts or stops replicating to the member.
    pub fn apply_conf_change(&mut self, kind: ConfChangeKind, member: MemberId) {
        self.voters.retain(|&v| v != member);
        self.learners.retain(|&l| l != member);
        match kind {
            ConfChangeKind::AddVoter | ConfChangeKind::Promote => {
                self.voters.push(member);
                self.voters.sort_unstable();
            }
            ConfChangeKind::AddLearner => {
                self.learners.push(member);
                self.learners.sort_unstable();
            }
            ConfChangeKind::Remove => {}
        }
        if self.role != Role::Leader {
            return;
        }
        let in_config = kind != ConfChangeKind::Remove;
        if member != self.id {
            if in_config {
                let next = self.log.last_index() + 1;
                self.progress.entry(member).or_insert(Progress {
                    matched: 0,
                    next,
                    recent_active: true,
                    snapshot_wait_ticks: 0,
                });
            } else {
                self.progress.remove(&member);
                if self.transferee == Some(member) {
                    self.transferee = None;
                }
            }
        }
        // A smaller quorum may commit at once; tell everyone.
        if self.maybe_commit() {
            self.bcast_append_all();
        }
    }

    /// Proposes a membership change at the leader. Refused while another is not yet applied.
    pub fn propose_conf_change(&mut self, kind: ConfChangeKind, member: MemberId, origin: Origin) -> bool {
        match self.role {
            Role::Leader if self.pending_conf_index > self.log.applied => false,
            Role::Leader => {
                let ok = self.propose(EntryData::ConfChange { kind, member }, origin);
                if ok {
                    self.pending_conf_index = self.log.last_index();
                }
                ok
            }
            _ => self.propose(EntryData::ConfChange { kind, member }, origin),
        }
    }

    /// Whether the deliberate bug `m` is on (never, in a build without the `mutants` feature).
    #[inline]
    pub fn is_mutant(&self, m: Mutant) -> bool {
        Mutant::ENABLED && self.config.mutant == Some(m)
    }

    pub fn quorum(&self) -> usize {
        majority(self.voters.len())
    }

    pub fn progress(&self) -> &BTreeMap<MemberId, Progress> {
        &self.progress
    }

    // ---- inputs -------------------------------------------------------------------------

    /// One tick of the member's clock (every `TICK_US`).
    pub fn tick(&mut self, rng: &mut SimRng) {
        match self.role {
            Role::Leader => {
                self.heartbeat_elapsed_ticks += 1;
                self.election_elapsed_ticks += 1;
                for pr in self.progress.values_mut() {
                    pr.snapshot_wait_ticks = pr.snapshot_wait_ticks.saturating_sub(1);
                }
                if self.transferee.is_some() {
                    // A transfer not done within an election timeout is abandoned (etcd/raft).
                    self.transfer_elapsed_ticks += 1;
                    if self.transfer_elapsed_ticks >= ELECTION_TICKS {
                        self.transferee = None;
                    }
                }
                if self.election_elapsed_ticks >= ELECTION_TICKS {
                    self.election_elapsed_ticks = 0;
                    if self.config.check_quorum {
                        self.check_quorum(rng);
                        if self.role != Role::Leader {
                            return;
                        }
                    }
                }
                if self.heartbeat_elapsed_ticks >= HEARTBEAT_TICKS {
                    self.heartbeat_elapsed_ticks = 0;
                    self.bcast_heartbeat();
                }
            }
            Role::Follower | Role::PreCandidate | Role::Candidate => {
                self.election_elapsed_ticks += 1;
                // A learner (or a member outside the configuration) never campaigns.
                if self.election_elapsed_ticks >= self.randomized_election_ticks && self.is_voter() {
                    self.election_elapsed_ticks = 0;
                    self.hup(rng);
                }
            }
        }
    }

    /// CheckQuorum (etcd/raft `MsgCheckQuorum`): a leader that has not heard from a quorum
    /// during the last election timeout steps down, so a leader cut off in a minority stops
    /// believing it leads.
    fn check_quorum(&mut self, rng: &mut SimRng) {
        let voters = &self.voters;
        let active = 1 + self.progress.iter().filter(|(id, p)| p.recent_active && voters.contains(id)).count();
        if active < self.quorum() && !self.is_mutant(Mutant::NoCheckQuorumStepDown) {
            let term = self.term;
            self.become_follower(term, None, rng);
            return;
        }
        for pr in self.progress.values_mut() {
            pr.recent_active = false;
        }
    }

    /// A client write arriving at this member. Returns false when it is dropped (no known
    /// leader); the client then times out, as etcdctl does.
    pub fn propose(&mut self, data: EntryData, origin: Origin) -> bool {
        let entry = Entry { term: 0, index: 0, data, origin: Some(origin) };
        match self.role {
            Role::Leader if self.transferee.is_some() => false,
            Role::Leader => {
                self.append_and_replicate(vec![entry]);
                true
            }
            Role::Follower => match self.leader {
                Some(leader) => {
                    // Proposals carry term 0, like etcd/raft's local messages: no term check.
                    let mut m = Message::new(MsgKind::Prop, self.id, leader, 0);
                    m.entries = vec![entry];
                    self.msgs.push(m);
                    true
                }
                None => false,
            },
            Role::PreCandidate | Role::Candidate => false,
        }
    }

    /// A linearizable read arriving at this member (ReadIndex, Raft thesis §6.4). Returns false
    /// when it is dropped (no known leader); the client then times out.
    pub fn read_index(&mut self, ctx: Origin) -> bool {
        if self.is_mutant(Mutant::ReadWithoutReadIndex) {
            let index = self.log.applied;
            self.read_states.push(ReadState { ctx, index });
            return true;
        }
        match self.role {
            Role::Leader => {
                self.leader_read(ctx, self.id);
                true
            }
            Role::Follower => match self.leader {
                Some(leader) => {
                    let mut m = Message::new(MsgKind::ReadIndex, self.id, leader, 0);
                    m.ctx = Some(ctx);
                    self.msgs.push(m);
                    true
                }
                None => false,
            },
            Role::PreCandidate | Role::Candidate => false,
        }
    }

    fn committed_in_term(&self) -> bool {
        self.log.term(self.log.committed) == Some(self.term)
    }

    /// Leader side of ReadIndex: remember the commit index, then confirm leadership with a
    /// heartbeat round; a quorum of replies releases the read.
    fn leader_read(&mut self, ctx: Origin, from: MemberId) {
        if !self.committed_in_term() {
            self.reads_before_first_commit.push((ctx, from));
            return;
        }
        let index = self.log.committed;
        if self.quorum() == 1 {
            self.release_read(ctx, from, index);
            return;
        }
        self.read_only.push(PendingRead { ctx, index, from, acks: vec![self.id] });
        self.bcast_heartbeat();
    }

    fn release_read(&mut self, ctx: Origin, from: MemberId, index: u64) {
        if from == self.id {
            self.read_states.push(ReadState { ctx, index });
        } else {
            let mut m = Message::new(MsgKind::ReadIndexResp, self.id, from, self.term);
            m.ctx = Some(ctx);
            m.index = index;
            self.msgs.push(m);
        }
    }

    /// A heartbeat reply echoing `ctx` acknowledges that read and every earlier one.
    fn ack_read(&mut self, from: MemberId, ctx: Origin) {
        let Some(pos) = self.read_only.iter().position(|r| r.ctx == ctx) else {
            return;
        };
        if !self.voters.contains(&from) {
            return; // a learner's reply does not confirm leadership
        }
        for r in &mut self.read_only[..=pos] {
            if !r.acks.contains(&from) {
                r.acks.push(from);
            }
        }
        let quorum = self.quorum();
        let ready = self.read_only.iter().take_while(|r| r.acks.len() >= quorum).count();
        let released: Vec<PendingRead> = self.read_only.drain(..ready).collect();
        for r in released {
            self.release_read(r.ctx, r.from, r.index);
        }
    }

    /// Hands leadership to `to` (Raft thesis §3.10; etcd/raft `MsgTransferLeader`): bring it
    /// up to date, then tell it to campaign at once. Only a leader transfers; `to` must vote.
    pub fn transfer_leader(&mut self, to: MemberId) -> bool {
        if self.role != Role::Leader || !self.voters.contains(&to) {
            return false;
        }
        if to == self.id || self.transferee == Some(to) {
            return true;
        }
        self.transferee = Some(to);
        // The transfer must finish within one election timeout.
        self.transfer_elapsed_ticks = 0;
        let caught_up = self.progress.get(&to).is_some_and(|p| p.matched == self.log.last_index());
        if caught_up {
            self.send_timeout_now(to);
        } else {
            self.send_append(to);
        }
        true
    }

    fn send_timeout_now(&mut self, to: MemberId) {
        let m = Message::new(MsgKind::TimeoutNow, self.id, to, self.term);
        self.msgs.push(m);
    }

    /// An entry the leader proposes on its own behalf (a lease expiry). Ignored by others.
    pub fn propose_internal(&mut self, data: EntryData) {
        if self.role == Role::Leader && self.transferee.is_none() {
            self.append_and_replicate(vec![Entry { term: 0, index: 0, data, origin: None }]);
        }
    }

    /// Handles one message from another member (etcd/raft `Step`: term checks first, then
    /// votes, then the role's own step function).
    pub fn step(&mut self, m: Message, rng: &mut SimRng) {
        debug_assert_eq!(m.to, self.id);
        let is_vote_request = matches!(m.kind, MsgKind::Vote | MsgKind::PreVote);
        if matches!(m.kind, MsgKind::Prop | MsgKind::ReadIndex) {
            // Forwarded requests carry term 0, like etcd/raft's local messages: no term check.
        } else if m.term > self.term {
            if is_vote_request {
                // CheckQuorum's lease (Raft thesis §4.2.3): a member that heard from a leader
                // within the election timeout ignores campaigns, so a rejoining member cannot
                // depose a healthy leader.
                let in_lease = self.config.check_quorum
                    && self.leader.is_some()
                    && self.election_elapsed_ticks < ELECTION_TICKS
                    && !m.transfer;
                if in_lease {
                    return;
                }
            }
            match m.kind {
                // A pre-vote never changes our term; nor does a granted pre-vote reply (the
                // pre-candidate bumps its term only once a quorum agreed).
                MsgKind::PreVote => {}
                MsgKind::PreVoteResp if !m.reject => {}
                _ => {
                    // A newer term: its leader (if the sender is one) wins (Raft §5.1).
                    let leader = matches!(m.kind, MsgKind::App | MsgKind::Heartbeat | MsgKind::Snap).then_some(m.from);
                    self.become_follower(m.term, leader, rng);
                }
            }
        } else if m.term < self.term {
            if (self.config.check_quorum || self.config.pre_vote)
                && matches!(m.kind, MsgKind::App | MsgKind::Heartbeat | MsgKind::Snap)
            {
                // A stale leader (e.g. back from a partition): tell it our term so it steps
                // down. Without this it could never learn it, since we ignore its messages.
                let resp = Message::new(MsgKind::AppResp, self.id, m.from, self.term);
                self.msgs.push(resp);
            } else if m.kind == MsgKind::PreVote {
                // Reject with our term, so the pre-candidate learns it is behind.
                let mut resp = Message::new(MsgKind::PreVoteResp, self.id, m.from, self.term);
                resp.reject = true;
                self.msgs.push(resp);
            }
            return;
        }

        if is_vote_request {
            self.handle_vote_request(m);
            return;
        }
        match self.role {
            Role::Leader => self.step_leader(m),
            Role::PreCandidate | Role::Candidate => self.step_candidate(m, rng),
            Role::Follower => self.step_follower(m, rng),
        }
    }

    /// Committed entries not yet applied, in order; marks them applied.
    pub fn take_to_apply(&mut self) -> Vec<Entry> {
        self.log.take_to_apply()
    }

    // ---- role dispatch ------------------------------------------------------------------

    fn step_leader(&mut self, m: Message) {
        match m.kind {
            MsgKind::Prop if self.transferee.is_some() => {} // dropped while handing over
            MsgKind::Prop => {
                let conf = m.entries.iter().any(|e| matches!(e.data, EntryData::ConfChange { .. }));
                if conf && self.pending_conf_index > self.log.applied {
                    return; // one membership change at a time; the client times out
                }
                self.append_and_replicate(m.entries);
                if conf {
                    self.pending_conf_index = self.log.last_index();
                }
            }
            MsgKind::AppResp => {
                if let Some(pr) = self.progress.get_mut(&m.from) {
                    pr.recent_active = true;
                }
                let from = m.from;
                self.handle_append_response(m);
                // The transferee has caught up: tell it to campaign.
                if self.transferee == Some(from)
                    && self.progress.get(&from).is_some_and(|p| p.matched == self.log.last_index())
                {
                    self.send_timeout_now(from);
                }
            }
            MsgKind::ReadIndex => {
                if let Some(ctx) = m.ctx {
                    self.leader_read(ctx, m.from);
                }
            }
            MsgKind::HeartbeatResp => {
                if let Some(ctx) = m.ctx {
                    self.ack_read(m.from, ctx);
                }
                // A follower behind us missed entries (a lost AppendEntries): resend from its match.
                let last = self.log.last_index();
                if let Some(pr) = self.progress.get_mut(&m.from) {
                    pr.recent_active = true;
                    if pr.matched < last {
                        pr.next = pr.matched + 1;
                        self.send_append(m.from);
                    }
                }
            }
            // Same-term App/Heartbeat from another leader would break Election Safety.
            MsgKind::App | MsgKind::Heartbeat | MsgKind::Snap => {
                panic!("two leaders in term {}: {} and {}", self.term, self.id, m.from)
            }
            MsgKind::Vote
            | MsgKind::VoteResp
            | MsgKind::PreVote
            | MsgKind::PreVoteResp
            | MsgKind::ReadIndexResp
            | MsgKind::TimeoutNow => {}
        }
    }

    fn step_candidate(&mut self, m: Message, rng: &mut SimRng) {
        match m.kind {
            // Dropped: no leader to forward to; the client times out.
            MsgKind::Prop | MsgKind::ReadIndex | MsgKind::ReadIndexResp => {}
            MsgKind::App | MsgKind::Heartbeat | MsgKind::Snap => {
                // A leader exists for our term (Raft §5.2): step down and follow it.
                self.become_follower(m.term, Some(m.from), rng);
                self.step_follower(m, rng);
            }
            MsgKind::VoteResp | MsgKind::PreVoteResp => {
                // Only replies to our own kind of campaign count.
                let pre = self.role == Role::PreCandidate;
                if pre != (m.kind == MsgKind::PreVoteResp) {
                    return;
                }
                self.votes.insert(m.from, !m.reject);
                let granted = self.votes.values().filter(|&&g| g).count();
                let rejected = self.votes.len() - granted;
                if granted >= self.quorum() {
                    if pre {
                        self.campaign(rng);
                    } else {
                        self.become_leader();
                    }
                } else if rejected >= self.quorum() {
                    let term = self.term;
                    self.become_follower(term, None, rng);
                }
            }
            MsgKind::AppResp | MsgKind::HeartbeatResp | MsgKind::Vote | MsgKind::PreVote | MsgKind::TimeoutNow => {}
        }
    }

    fn step_follower(&mut self, m: Message, rng: &mut SimRng) {
        match m.kind {
            MsgKind::Prop => {
                if let Some(leader) = self.leader {
                    let mut fwd = m;
                    fwd.from = self.id;
                    fwd.to = leader;
                    self.msgs.push(fwd);
                }
            }
            MsgKind::App => {
                self.election_elapsed_ticks = 0;
                self.leader = Some(m.from);
                self.handle_append_entries(m);
            }
            MsgKind::Heartbeat => {
                self.election_elapsed_ticks = 0;
                self.leader = Some(m.from);
                self.log.commit_to(m.commit.min(self.log.last_index()));
                let mut resp = Message::new(MsgKind::HeartbeatResp, self.id, m.from, self.term);
                resp.ctx = m.ctx; // confirms the leader's pending reads
                self.msgs.push(resp);
            }
            MsgKind::ReadIndexResp => {
                if let Some(ctx) = m.ctx {
                    self.read_states.push(ReadState { ctx, index: m.index });
                }
            }
            MsgKind::Snap => {
                self.election_elapsed_ticks = 0;
                self.leader = Some(m.from);
                self.handle_snapshot(m);
            }
            MsgKind::TimeoutNow => {
                // The leader hands over: campaign at once, skipping PreVote, and ask members to
                // answer despite their lease (etcd/raft `campaignTransfer`).
                if self.voters.contains(&self.id) {
                    self.campaign_with(rng, true);
                }
            }
            MsgKind::ReadIndex => {} // only a leader answers; the asker times out
            MsgKind::AppResp
            | MsgKind::HeartbeatResp
            | MsgKind::VoteResp
            | MsgKind::Vote
            | MsgKind::PreVote
            | MsgKind::PreVoteResp => {}
        }
    }

    // ---- handlers -----------------------------------------------------------------------

    fn handle_vote_request(&mut self, m: Message) {
        // etcd/raft: we may vote if we already voted for this candidate, or have not voted and
        // know no leader in this term; a pre-vote for a later term is always considered.
        let pre = m.kind == MsgKind::PreVote;
        let can_vote =
            self.vote == Some(m.from) || (self.vote.is_none() && self.leader.is_none()) || (pre && m.term > self.term);
        let grant =
            can_vote && (self.log.is_up_to_date(m.index, m.log_term) || self.is_mutant(Mutant::VoteWithoutLogCheck));
        let kind = if pre { MsgKind::PreVoteResp } else { MsgKind::VoteResp };
        // A granted reply carries the campaign's term (for a pre-vote, the term it would
        // have); a rejection carries ours, so a candidate that is behind learns it.
        let mut resp = Message::new(kind, self.id, m.from, if grant { m.term } else { self.term });
        resp.reject = !grant;
        if grant && !pre {
            // Persisting the vote happens with this step (durable state), before the reply leaves.
            self.vote = Some(m.from);
            self.election_elapsed_ticks = 0;
        }
        self.msgs.push(resp);
    }

    fn handle_append_entries(&mut self, m: Message) {
        let mut resp = Message::new(MsgKind::AppResp, self.id, m.from, self.term);
        if m.index < self.log.committed {
            // Already have everything up to our commit index; tell the leader where we are.
            resp.index = self.log.committed;
        } else if let Some(last_new) = {
            // The mutant skips the consistency check: any prev index we hold "matches".
            let prev_term = match self.log.term(m.index) {
                Some(t) if self.is_mutant(Mutant::AcceptMismatchedPrevTerm) => t,
                _ => m.log_term,
            };
            self.log.maybe_append(m.index, prev_term, m.commit, m.entries)
        } {
            resp.index = last_new;
        } else {
            resp.index = m.index;
            resp.reject = true;
            resp.reject_hint = self.log.last_index();
        }
        self.msgs.push(resp);
    }

    /// InstallSnapshot (Raft §7; etcd/raft `handleSnapshot`): adopt the leader's snapshot unless
    /// our log already has what it covers.
    fn handle_snapshot(&mut self, m: Message) {
        let Some(snap) = m.snapshot else { return };
        let mut resp = Message::new(MsgKind::AppResp, self.id, m.from, self.term);
        if snap.index <= self.log.committed {
            resp.index = self.log.committed;
        } else if self.log.match_term(snap.index, snap.term) {
            // Our log has the snapshot's last entry: just commit up to it.
            self.log.commit_to(snap.index);
            resp.index = self.log.last_index();
        } else if snap.data.is_some() {
            self.log.restore(snap.index, snap.term);
            self.voters = snap.voters.clone();
            self.learners = snap.learners.clone();
            // Keep the metadata; the data goes to the state machine.
            let meta = Snapshot { data: None, ..(*snap).clone() };
            self.snapshot = Some(Rc::new(meta));
            self.restored = Some(snap);
            resp.index = self.log.last_index();
        } else {
            return; // metadata without data cannot restore anything
        }
        self.msgs.push(resp);
    }

    fn handle_append_response(&mut self, m: Message) {
        let Some(pr) = self.progress.get_mut(&m.from) else {
            return;
        };
        if m.reject {
            // A rejection at or below what we know matches is stale (a reordered reply).
            if m.index <= pr.matched {
                return;
            }
            // Skip back to just after the follower's last entry, but never below its match.
            pr.next = m.index.min(m.reject_hint + 1).max(pr.matched + 1);
            self.send_append(m.from);
            return;
        }
        if m.index > pr.matched {
            pr.matched = m.index;
        }
        if pr.matched >= self.log.first_index() - 1 {
            pr.snapshot_wait_ticks = 0;
        }
        if pr.next <= pr.matched {
            pr.next = pr.matched + 1;
        }
        let behind = pr.next <= self.log.last_index();
        if self.maybe_commit() {
            self.bcast_append_all();
        } else if behind {
            self.send_append(m.from);
        }
    }

    // ---- leader machinery ---------------------------------------------------------------

    fn append_and_replicate(&mut self, entries: Vec<Entry>) {
        let mut index = self.log.last_index();
        let stamped = entries
            .into_iter()
            .map(|mut e| {
                index += 1;
                e.term = self.term;
                e.index = index;
                e
            })
            .collect();
        self.log.append(stamped);
        // A single-member cluster commits on its own.
        self.maybe_commit();
        self.bcast_append();
    }

    /// Commit the highest index stored on a quorum, if it is of the current term.
    fn maybe_commit(&mut self) -> bool {
        // At most 7 voters: a fixed array keeps this allocation-free on every append reply.
        let mut matched = [0u64; crate::sim::network::MEMBERS_MAX as usize];
        let n = self.voters.len();
        for (slot, &v) in matched.iter_mut().zip(&self.voters) {
            // Our own copy counts once it is on our disk.
            *slot = if v == self.id { self.log.stable } else { self.progress.get(&v).map_or(0, |p| p.matched) };
        }
        matched[..n].sort_unstable_by(|a, b| b.cmp(a));
        let quorum_index = matched[self.quorum() - 1];
        let advanced = if self.is_mutant(Mutant::CommitOldTerm) && quorum_index > self.log.committed {
            self.log.commit_to(quorum_index);
            true
        } else {
            self.log.maybe_commit(quorum_index, self.term)
        };
        if advanced && self.committed_in_term() && !self.reads_before_first_commit.is_empty() {
            // The first commit of our term: our commit index is now the cluster's; serve the
            // reads that waited for it.
            let waiting = std::mem::take(&mut self.reads_before_first_commit);
            for (ctx, from) in waiting {
                self.leader_read(ctx, from);
            }
        }
        advanced
    }

    fn send_append(&mut self, to: MemberId) {
        let Some(pr) = self.progress.get_mut(&to) else {
            return;
        };
        if pr.snapshot_wait_ticks > 0 {
            return; // a snapshot is on its way; wait for its answer
        }
        let prev = pr.next - 1;
        let Some(prev_term) = self.log.term(prev) else {
            // The entries it needs were compacted: send the snapshot instead (Raft §7).
            let Some(snap) = self.snapshot.clone() else {
                return;
            };
            pr.snapshot_wait_ticks = SNAPSHOT_WAIT_TICKS;
            pr.next = snap.index + 1;
            let mut m = Message::new(MsgKind::Snap, self.id, to, self.term);
            m.index = snap.index;
            m.log_term = snap.term;
            m.snapshot = Some(snap);
            self.msgs.push(m);
            return;
        };
        let entries = self.log.entries_from(pr.next, ENTRIES_PER_MSG_MAX);
        if let Some(last) = entries.last() {
            // Pipeline: assume delivery; a rejection or heartbeat reply rewinds `next`.
            pr.next = last.index + 1;
        }
        let mut m = Message::new(MsgKind::App, self.id, to, self.term);
        m.index = prev;
        m.log_term = prev_term;
        m.entries = entries;
        m.commit = self.log.committed;
        self.msgs.push(m);
    }

    /// Spreads a new commit index right away, empty appends included (etcd/raft `bcastAppend`
    /// after `maybeCommit`), so followers apply without waiting for a heartbeat.
    fn bcast_append_all(&mut self) {
        let peers: Vec<MemberId> = self.progress.keys().copied().collect();
        for id in peers {
            self.send_append(id);
        }
    }

    fn bcast_append(&mut self) {
        let last = self.log.last_index();
        let peers: Vec<MemberId> = self.progress.iter().filter(|(_, p)| p.next <= last).map(|(&id, _)| id).collect();
        for id in peers {
            self.send_append(id);
        }
    }

    fn bcast_heartbeat(&mut self) {
        for (&id, pr) in &self.progress {
            let mut m = Message::new(MsgKind::Heartbeat, self.id, id, self.term);
            // Never tell a follower to commit beyond what it is known to hold (etcd/raft).
            m.commit = pr.matched.min(self.log.committed);
            // The newest pending read rides along; a reply confirms it and all before it.
            m.ctx = self.read_only.last().map(|r| r.ctx);
            self.msgs.push(m);
        }
    }

    // ---- role changes -------------------------------------------------------------------

    fn reset(&mut self, term: u64, rng: &mut SimRng) {
        if term != self.term {
            assert!(term > self.term, "term went backwards: {} -> {term}", self.term);
            self.term = term;
            self.vote = None;
        }
        self.leader = None;
        self.election_elapsed_ticks = 0;
        self.heartbeat_elapsed_ticks = 0;
        self.reset_randomized_election_timeout(rng);
        self.votes.clear();
        self.progress.clear();
        // Pending reads die with the leadership; their clients time out (etcd does the same).
        self.read_only.clear();
        self.reads_before_first_commit.clear();
        self.transferee = None;
    }

    fn reset_randomized_election_timeout(&mut self, rng: &mut SimRng) {
        // etcd/raft: ET + rand.Intn(ET), i.e. [ET, 2·ET-1] ticks.
        self.randomized_election_ticks = ELECTION_TICKS + rng.below(ELECTION_TICKS as u64) as u32;
    }

    pub fn become_follower(&mut self, term: u64, leader: Option<MemberId>, rng: &mut SimRng) {
        self.reset(term, rng);
        self.role = Role::Follower;
        self.leader = leader;
    }

    /// A pre-candidate keeps its term and vote (etcd/raft `becomePreCandidate`).
    fn become_pre_candidate(&mut self) {
        assert_ne!(self.role, Role::Leader, "a leader does not campaign");
        self.role = Role::PreCandidate;
        self.leader = None;
        self.votes.clear();
        self.votes.insert(self.id, true);
    }

    fn become_candidate(&mut self, rng: &mut SimRng) {
        assert_ne!(self.role, Role::Leader, "a leader does not campaign");
        self.reset(self.term + 1, rng);
        self.role = Role::Candidate;
        self.vote = Some(self.id);
        self.votes.insert(self.id, true);
    }

    fn become_leader(&mut self) {
        assert_eq!(self.role, Role::Candidate, "only a candidate becomes leader");
        self.role = Role::Leader;
        self.leader = Some(self.id);
        self.heartbeat_elapsed_ticks = 0;
        let next = self.log.last_index() + 1;
        // Entries of earlier terms may hold a membership change not applied yet: wait for them.
        self.pending_conf_index = self.log.last_index();
        self.progress = self
            .voters
            .iter()
            .chain(&self.learners)
            .filter(|&&v| v != self.id)
            .map(|&v| (v, Progress { matched: 0, next, recent_active: false, snapshot_wait_ticks: 0 }))
            .collect();
        // The empty entry of the new term lets earlier-term entries commit (Raft §5.4.2, §8).
        self.append_and_replicate(vec![Entry { term: 0, index: 0, data: EntryData::Empty, origin: None }]);
    }

    /// The election timer fired (etcd/raft `MsgHup`): pre-campaign first when PreVote is on.
    fn hup(&mut self, rng: &mut SimRng) {
        if self.config.pre_vote {
            self.pre_campaign(rng);
        } else {
            self.campaign(rng);
        }
    }

    /// Asks for pre-votes for `term + 1` without changing our own term (Raft thesis §9.6).
    fn pre_campaign(&mut self, rng: &mut SimRng) {
        if self.is_mutant(Mutant::PreVoteBumpsTerm) {
            let term = self.term + 1;
            self.reset(term, rng);
        }
        self.become_pre_candidate();
        if self.quorum() == 1 {
            self.campaign(rng);
            return;
        }
        self.send_vote_requests(MsgKind::PreVote, self.term + 1, false);
    }

    fn campaign(&mut self, rng: &mut SimRng) {
        self.campaign_with(rng, false);
    }

    fn campaign_with(&mut self, rng: &mut SimRng, transfer: bool) {
        self.become_candidate(rng);
        if self.quorum() == 1 {
            self.become_leader();
            return;
        }
        self.send_vote_requests(MsgKind::Vote, self.term, transfer);
    }

    fn send_vote_requests(&mut self, kind: MsgKind, term: u64, transfer: bool) {
        let (index, log_term) = (self.log.last_index(), self.log.last_term());
        for &v in &self.voters {
            if v != self.id {
                let mut m = Message::new(kind, self.id, v, term);
                m.index = index;
                m.log_term = log_term;
                m.transfer = transfer;
                self.msgs.push(m);
            }
        }
    }
}
