//! A member's state machine at one log index: what a snapshot file holds (etcd `snap/`
//! directory plus the bbolt database), sent to followers that fell behind the compacted log.

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
    pub store: MvccStore,
    pub leases: BTreeMap<u64, Lease>,
}
