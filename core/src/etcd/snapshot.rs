//! Snapshots (Raft §7). A member's own snapshot records only where its log was compacted (the
//! index, term and membership there: etcd's `snap/*.snap` metadata); its key-value state lives in
//! the backend (etcd's bbolt database), which survives a crash with the index it has applied.
//! What a leader sends a follower behind the compacted log carries the backend's current state
//! (etcd `createMergedSnapshotMessage`: the applied index and the whole database).

use std::collections::BTreeMap;

use super::message::MemberId;
use super::mvcc::MvccStore;

/// etcd's `--snapshot-count` is 100,000 entries (v3.5); the lab snapshots after 50 so a class
/// sees it happen. `lab set snapshot-count N` changes it.
pub const SNAPSHOT_COUNT_DEFAULT: u64 = 50;
pub const SNAPSHOT_COUNT_MAX: u64 = 100_000;
/// After a snapshot the log keeps `snapshot_count / 20` entries before it, so a follower a little
/// behind catches up from the log rather than a snapshot: etcd keeps `SnapshotCatchUpEntries`
/// = 5,000 of its 100,000, the same share.
pub const SNAPSHOT_CATCH_UP_DIVISOR: u64 = 20;

/// A granted lease (etcd's lessor): its TTL and when it expires on this member's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lease {
    pub ttl_s: u64,
    pub expiry_us: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Snapshot {
    /// The last log entry the snapshot includes, and its term.
    pub index: u64,
    pub term: u64,
    /// The voters and learners as of `index` (etcd `ConfState`).
    pub voters: Vec<MemberId>,
    pub learners: Vec<MemberId>,
    /// The state machine at `index`: only in a snapshot on its way to a follower.
    pub data: Option<std::rc::Rc<SnapshotData>>,
}

/// The backend's contents: the MVCC store (with its history, so watches resume) and the leases.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SnapshotData {
    pub store: MvccStore,
    pub leases: BTreeMap<u64, Lease>,
}
