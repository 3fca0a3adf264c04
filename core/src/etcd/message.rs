//! What etcd members say to each other (the Raft RPCs, named as in etcd/raft's `raftpb`).

use std::rc::Rc;

use super::snapshot::Snapshot;

/// An etcd member, 1-based: `etcd-1` is 1.
pub type MemberId = u8;

/// What a log entry asks the state machine to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EntryData {
    /// The empty entry a new leader appends to commit entries of earlier terms (Raft §5.4.2, §8).
    Empty,
    /// Shared strings: an entry is copied into every AppendEntries to every follower, and a
    /// reference count is far cheaper than copying the bytes each time.
    Put { key: Rc<str>, value: Rc<str>, lease: u64 },
    /// `lease grant`: the ID is chosen by the member that took the request.
    LeaseGrant { id: u64, ttl_s: u64 },
    /// `lease revoke`, or the leader revoking an expired lease: its keys go in one revision.
    LeaseRevoke { id: u64 },
    /// `lease keep-alive`. (etcd renews on the leader only; the lab replicates the renewal so
    /// every member's `timetolive` agrees — a simplification.)
    LeaseKeepAlive { id: u64 },
    /// `del`: every live key in the range, at one revision.
    Delete { range: super::mvcc::KeyRange },
    /// `compact`: drop history before this revision on every member.
    Compact { revision: u64 },
    /// `member add|promote|remove`: one membership change, in effect once applied (etcd 3.5
    /// proposes single-step `ConfChange`s; etcd/raft allows one pending at a time).
    ConfChange { kind: ConfChangeKind, member: MemberId },
    /// `txn`: compares, then one branch of requests, at one revision. Shared like `Put`'s strings.
    Txn(Rc<super::mvcc::TxnRequest>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfChangeKind {
    /// `member add` (etcd `ConfChangeAddNode`): a new voter.
    AddVoter,
    /// `member add --learner` (`ConfChangeAddLearnerNode`): receives the log, never votes.
    AddLearner,
    /// `member promote` (`ConfChangeAddNode` for a learner): the learner becomes a voter.
    Promote,
    /// `member remove` (`ConfChangeRemoveNode`).
    Remove,
}

/// Where a client request entered the cluster, so the member that accepted it can answer the
/// client once the entry is applied (etcd matches the request ID on apply).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub member: MemberId,
    pub request: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    pub term: u64,
    pub index: u64,
    pub data: EntryData,
    pub origin: Option<Origin>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MsgKind {
    /// RequestVote (Raft §5.2).
    Vote,
    VoteResp,
    /// A pre-vote: "would you vote for me in term+1?" — no term changes (Raft thesis §9.6).
    PreVote,
    PreVoteResp,
    /// AppendEntries carrying entries (Raft §5.3).
    App,
    AppResp,
    /// AppendEntries without entries, sent every heartbeat tick; carries the commit index.
    Heartbeat,
    HeartbeatResp,
    /// A client proposal forwarded from a follower to its leader.
    Prop,
    /// A linearizable read forwarded to the leader, and the leader's answer: the commit index
    /// the reader must apply up to before serving (etcd/raft ReadOnlySafe).
    ReadIndex,
    ReadIndexResp,
    /// InstallSnapshot (Raft §7): the leader's state machine at an index, for a follower that
    /// needs entries the leader has compacted away.
    Snap,
    /// Leadership transfer (Raft thesis §3.10, etcd/raft `MsgTimeoutNow`): "campaign now",
    /// sent by a leader to a caught-up transferee.
    TimeoutNow,
}

impl MsgKind {
    /// The label the diagrams and the event log use.
    pub fn label(self) -> &'static str {
        match self {
            MsgKind::Vote => "RequestVote",
            MsgKind::VoteResp => "Vote reply",
            MsgKind::PreVote => "PreVote",
            MsgKind::PreVoteResp => "PreVote reply",
            MsgKind::App => "AppendEntries",
            MsgKind::AppResp => "Append reply",
            MsgKind::Heartbeat => "Heartbeat",
            MsgKind::HeartbeatResp => "Heartbeat reply",
            MsgKind::Prop => "Proposal",
            MsgKind::ReadIndex => "ReadIndex",
            MsgKind::ReadIndexResp => "ReadIndex reply",
            MsgKind::Snap => "InstallSnapshot",
            MsgKind::TimeoutNow => "TimeoutNow",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    pub kind: MsgKind,
    pub from: MemberId,
    pub to: MemberId,
    pub term: u64,
    /// App: term of the entry at `index` (prev log term). Vote: candidate's last log term.
    pub log_term: u64,
    /// App: index preceding `entries` (prev log index). AppResp: last index matched (or the
    /// rejected index). Vote: candidate's last log index.
    pub index: u64,
    pub entries: Vec<Entry>,
    /// App/Heartbeat: the leader's commit index (for a heartbeat, capped at the follower's match).
    pub commit: u64,
    pub reject: bool,
    /// AppResp with reject: the follower's last index, so the leader can skip back quickly.
    pub reject_hint: u64,
    /// ReadIndex / ReadIndexResp: which read; Heartbeat / HeartbeatResp: the newest pending
    /// read the round confirms (etcd/raft's heartbeat `Context`).
    pub ctx: Option<Origin>,
    /// Vote/PreVote: a campaign started by a leadership transfer, which members answer even
    /// while they still hear from the old leader (etcd/raft `campaignTransfer`).
    pub transfer: bool,
    /// Snap: the snapshot (shared: the same one goes to every follower that needs it).
    pub snapshot: Option<Rc<Snapshot>>,
}

impl Message {
    pub fn new(kind: MsgKind, from: MemberId, to: MemberId, term: u64) -> Message {
        Message {
            kind,
            from,
            to,
            term,
            log_term: 0,
            index: 0,
            entries: Vec::new(),
            commit: 0,
            reject: false,
            reject_hint: 0,
            ctx: None,
            transfer: false,
            snapshot: None,
        }
    }
}
