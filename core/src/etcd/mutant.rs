//! Deliberate bugs, one per safety or liveness property, to prove the checkers can fail
//! (etcd is tested the same way: a checker that cannot fail proves nothing).
//!
//! The names always exist so `lab check --mutant NAME` can explain itself; the bugs only act in
//! a build with the cargo feature `mutants` (see [`super::raft::RaftNode::is_mutant`]).

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutant {
    /// Commit an earlier term's entry by counting replicas (Raft §5.4.2, Figure 8).
    CommitOldTerm,
    /// Grant a vote without the up-to-date-log check (Raft §5.4.1).
    VoteWithoutLogCheck,
    /// Accept AppendEntries whose prevLogTerm does not match (Raft §5.3 consistency check).
    AcceptMismatchedPrevTerm,
    /// Never step down when CheckQuorum finds no quorum (etcd/raft `MsgCheckQuorum`).
    NoCheckQuorumStepDown,
    /// A PreVote campaign that raises the term anyway (Raft thesis §9.6).
    PreVoteBumpsTerm,
    /// Serve a linearizable read from local state, without ReadIndex (Raft thesis §6.4).
    ReadWithoutReadIndex,
    /// Send a granted vote before the vote is on disk (Raft Fig. 2: "updated on stable storage
    /// before responding to RPCs"); a crash then forgets it and the member votes twice.
    VoteReplyBeforePersist,
    /// A watch resuming after its member restarts skips one revision (etcd api_guarantees.md
    /// "Watch APIs": no gaps).
    WatchSkipsRevision,
    /// A watch resuming after its member restarts repeats its last revision (etcd
    /// api_guarantees.md "Watch APIs": unique).
    WatchRepeatsRevision,
    /// The API server's authorization desk lets every request through (KW authorization.md:
    /// default deny).
    SkipAuthorization,
    /// An update writes without its `mod_revision` precondition, so a concurrent update is lost
    /// (KW api-concepts.md "Resource versions": optimistic concurrency).
    UpdateWithoutPrecondition,
    /// The ReplicaSet controller acts on every sync as if its expectations were met, so a
    /// cache that has not seen its own creates yet makes it create again (KK
    /// `replica_set.go`: expectations exist "to avoid creating too many pods").
    ReplicaSetIgnoresExpectations,
}

impl Mutant {
    pub const ALL: [Mutant; 12] = [
        Mutant::CommitOldTerm,
        Mutant::VoteWithoutLogCheck,
        Mutant::AcceptMismatchedPrevTerm,
        Mutant::NoCheckQuorumStepDown,
        Mutant::PreVoteBumpsTerm,
        Mutant::ReadWithoutReadIndex,
        Mutant::VoteReplyBeforePersist,
        Mutant::WatchSkipsRevision,
        Mutant::WatchRepeatsRevision,
        Mutant::SkipAuthorization,
        Mutant::UpdateWithoutPrecondition,
        Mutant::ReplicaSetIgnoresExpectations,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mutant::CommitOldTerm => "commit-old-term",
            Mutant::VoteWithoutLogCheck => "vote-without-log-check",
            Mutant::AcceptMismatchedPrevTerm => "accept-mismatched-prev-term",
            Mutant::NoCheckQuorumStepDown => "no-checkquorum-step-down",
            Mutant::PreVoteBumpsTerm => "prevote-bumps-term",
            Mutant::ReadWithoutReadIndex => "read-without-readindex",
            Mutant::VoteReplyBeforePersist => "vote-before-persist",
            Mutant::WatchSkipsRevision => "watch-skips-revision",
            Mutant::WatchRepeatsRevision => "watch-repeats-revision",
            Mutant::SkipAuthorization => "skip-authorization",
            Mutant::UpdateWithoutPrecondition => "update-without-precondition",
            Mutant::ReplicaSetIgnoresExpectations => "replicaset-ignores-expectations",
        }
    }

    pub fn parse(name: &str) -> Option<Mutant> {
        Mutant::ALL.into_iter().find(|m| m.name() == name)
    }

    /// A bug in the API server (caught by the office checks, `check::office`), not in etcd.
    pub fn is_office(self) -> bool {
        matches!(self, Mutant::SkipAuthorization | Mutant::UpdateWithoutPrecondition)
    }

    /// A bug in the robot factory's controllers (caught by `check::factory`).
    pub fn is_factory(self) -> bool {
        matches!(self, Mutant::ReplicaSetIgnoresExpectations)
    }

    /// Whether this build can run mutants at all.
    pub const ENABLED: bool = cfg!(feature = "mutants");
}
