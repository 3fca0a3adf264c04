//! etcd's multi-version key-value store (etcd `server/storage/mvcc`), as each member applies it.
//!
//! One cluster-wide revision, +1 per modifying request (a transaction is one revision, all its
//! events share it); a new store is at revision 1, so the first put makes revision 2. Each key
//! keeps `create_revision`, `mod_revision`, `version` (1 on create, +1 per change, 0 after a
//! delete) and its lease. Reads can go back to any revision not yet compacted.
//! Facts: `shared/reference/k8s-etcd-facts.md` §1.3 (EW learning/api.md, api_guarantees.md).

use std::collections::BTreeMap;
use std::rc::Rc;

/// Keys and values are shared strings: a key's history and every watch event point at them.
pub type Bytes = Rc<str>;

/// A key's state at one revision, as etcd returns it (`mvccpb.KeyValue`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyValue {
    pub key: Bytes,
    pub value: Bytes,
    pub create_revision: u64,
    pub mod_revision: u64,
    /// 1 on create, +1 per modification; a deleted key reads as absent (its DELETE event's kv
    /// carries version 0).
    pub version: u64,
    /// 0 = no lease.
    pub lease: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    Put,
    Delete,
}

/// One change, as a watcher receives it (`mvccpb.Event`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    pub kind: EventKind,
    /// For a DELETE: the key, an empty value, version 0 and `mod_revision` = the delete's revision.
    pub kv: KeyValue,
    pub prev_kv: Option<KeyValue>,
}

/// The errors etcd returns for reads in the wrong place in history (`rpctypes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MvccError {
    /// `etcdserver: mvcc: required revision has been compacted`
    Compacted { compact_revision: u64 },
    /// `etcdserver: mvcc: required revision is a future revision`
    FutureRevision,
    /// `etcdserver: duplicate key given in txn request` (a key written twice in one txn).
    DuplicateKey,
}

impl MvccError {
    pub fn message(self) -> &'static str {
        match self {
            MvccError::Compacted { .. } => "etcdserver: mvcc: required revision has been compacted",
            MvccError::FutureRevision => "etcdserver: mvcc: required revision is a future revision",
            MvccError::DuplicateKey => "etcdserver: duplicate key given in txn request",
        }
    }
}

/// Which keys an operation touches: one key, a `[start, end)` range, or a prefix.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyRange {
    Key(Bytes),
    /// `[start, end)`; etcd's "range end".
    Range(Bytes, Bytes),
    Prefix(Bytes),
}

impl KeyRange {
    pub fn contains(&self, key: &str) -> bool {
        match self {
            KeyRange::Key(k) => &**k == key,
            KeyRange::Range(s, e) => key >= &**s && key < &**e,
            KeyRange::Prefix(p) => key.starts_with(&**p),
        }
    }

    /// The first key the range can contain (for ordered iteration).
    fn start(&self) -> &str {
        match self {
            KeyRange::Key(k) | KeyRange::Range(k, _) | KeyRange::Prefix(k) => k,
        }
    }
}

/// One change in a key's history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Change {
    revision: u64,
    /// `None`: deleted at `revision`.
    kv: Option<KeyValue>,
}

/// A compare of a transaction (etcd `Compare`): the key's version / create / mod revision or
/// value against a target. A missing key has version, revisions and value all zero/empty.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Compare {
    pub key: Bytes,
    pub target: CompareTarget,
    pub op: CompareOp,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CompareTarget {
    Version(u64),
    CreateRevision(u64),
    ModRevision(u64),
    Value(Bytes),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Equal,
    NotEqual,
    Less,
    Greater,
}

/// A request inside a transaction (etcd `RequestOp`): a write, or a read that sees the writes
/// made before it in the same transaction (etcd `storeTxnWrite.Range` reads at the new revision).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TxnOp {
    Put { key: Bytes, value: Bytes, lease: u64 },
    Delete(KeyRange),
    Get(KeyRange),
}

/// What one [`TxnOp`] answered (etcd `ResponseOp`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxnResponse {
    Put,
    /// How many keys were deleted.
    Delete(usize),
    Get(Vec<KeyValue>),
}

/// A whole transaction as a client sends it (etcd `TxnRequest`): if every compare holds, the
/// success requests run, else the failure requests — all at one revision.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TxnRequest {
    pub compares: Vec<Compare>,
    pub success: Vec<TxnOp>,
    pub failure: Vec<TxnOp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnResult {
    pub succeeded: bool,
    /// The store revision after the transaction (unchanged if it wrote nothing).
    pub revision: u64,
    pub events: Vec<Event>,
    /// One answer per request of the branch that ran, in order.
    pub responses: Vec<TxnResponse>,
}

/// Keys a single revision may change at most (etcd `--max-txn-ops` 128 bounds a txn; a delete
/// range or lease revoke is bounded by this so one request cannot rewrite the world).
pub const KEYS_PER_REVISION_MAX: usize = 10_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MvccStore {
    /// Invariant: revision >= 1 and revision >= compact_revision
    revision: u64,
    /// Revisions below this are gone (0 = never compacted).
    compact_revision: u64,
    /// key → its changes, oldest first (etcd's keyIndex generations, flattened).
    history: BTreeMap<Bytes, Vec<Change>>,
    /// Every event in revision order, kept until compaction, for watchers to catch up from.
    /// Invariant: events are sorted by `kv.mod_revision`, all >= compact_revision.
    events: Vec<Event>,
    /// A running FNV digest of every event ever written: with the revision and the compact
    /// revision it determines the store, so the state hash need not walk the whole history
    /// (a cluster's objects make that walk the page's most expensive work per frame).
    digest: u64,
}

impl std::hash::Hash for MvccStore {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.revision, self.compact_revision, self.digest).hash(state);
    }
}

impl MvccStore {
    pub fn new() -> MvccStore {
        MvccStore { revision: 1, compact_revision: 0, history: BTreeMap::new(), events: Vec::new(), digest: 0 }
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// How many keys are live now.
    pub fn live_keys(&self) -> usize {
        self.history.values().filter(|h| h.last().is_some_and(|c| c.kv.is_some())).count()
    }

    pub fn compact_revision(&self) -> u64 {
        self.compact_revision
    }

    fn check_read_revision(&self, at: u64) -> Result<u64, MvccError> {
        if at == 0 {
            return Ok(self.revision);
        }
        if at > self.revision {
            return Err(MvccError::FutureRevision);
        }
        if at < self.compact_revision {
            return Err(MvccError::Compacted { compact_revision: self.compact_revision });
        }
        Ok(at)
    }

    /// The key's value at revision `at` (0 = now).
    pub fn get(&self, key: &str, at: u64) -> Result<Option<KeyValue>, MvccError> {
        let at = self.check_read_revision(at)?;
        Ok(self.history.get(key).and_then(|h| visible(h, at)).cloned())
    }

    /// Every live key in `range` at revision `at` (0 = now), in key order, at most `limit`
    /// (0 = no limit). Also returns how many matched in all (etcd's `count`).
    pub fn range(&self, range: &KeyRange, at: u64, limit: usize) -> Result<(Vec<KeyValue>, usize), MvccError> {
        let at = self.check_read_revision(at)?;
        Ok(self.range_at(range, at, limit))
    }

    /// [`MvccStore::range`] at a revision already checked (or the one a transaction is writing).
    fn range_at(&self, range: &KeyRange, at: u64, limit: usize) -> (Vec<KeyValue>, usize) {
        let mut out = Vec::new();
        let mut count = 0;
        let from = (std::ops::Bound::Included(range.start()), std::ops::Bound::Unbounded);
        for (k, h) in self.history.range::<str, _>(from) {
            if !range.contains(k) {
                match range {
                    KeyRange::Key(_) | KeyRange::Prefix(_) => break,
                    KeyRange::Range(_, end) if **k >= **end => break,
                    KeyRange::Range(..) => continue,
                }
            }
            if let Some(kv) = visible(h, at) {
                count += 1;
                if limit == 0 || out.len() < limit {
                    out.push(kv.clone());
                }
            }
        }
        (out, count)
    }

    /// `put`: one revision.
    pub fn put(&mut self, key: Bytes, value: Bytes, lease: u64) -> Event {
        let rev = self.revision + 1;
        let ev = self.write_put(rev, key, value, lease);
        self.revision = rev;
        self.record(std::slice::from_ref(&ev));
        ev
    }

    /// `del`: one revision for all deleted keys; none deleted → no new revision.
    pub fn delete(&mut self, range: &KeyRange) -> Vec<Event> {
        let rev = self.revision + 1;
        let evs = self.write_delete(rev, range);
        if !evs.is_empty() {
            self.revision = rev;
            self.record(&evs);
        }
        evs
    }

    /// A transaction: compares, then the success or failure writes, all at one revision.
    /// etcd refuses a transaction whose branch writes one key twice (its events would share a
    /// revision and a key, breaking the watch's "no duplicates").
    pub fn txn(&mut self, compares: &[Compare], success: &[TxnOp], failure: &[TxnOp]) -> Result<TxnResult, MvccError> {
        for ops in [success, failure] {
            let mut puts: Vec<&str> = ops
                .iter()
                .filter_map(|o| match o {
                    TxnOp::Put { key, .. } => Some(&**key),
                    TxnOp::Delete(_) | TxnOp::Get(_) => None,
                })
                .collect();
            puts.sort_unstable();
            if puts.windows(2).any(|w| w[0] == w[1]) {
                return Err(MvccError::DuplicateKey);
            }
            let deletes = ops.iter().filter_map(|o| match o {
                TxnOp::Delete(r) => Some(r),
                TxnOp::Put { .. } | TxnOp::Get(_) => None,
            });
            for r in deletes {
                if puts.iter().any(|k| r.contains(k)) {
                    return Err(MvccError::DuplicateKey);
                }
            }
        }
        let succeeded = compares.iter().all(|c| self.compare(c));
        let ops = if succeeded { success } else { failure };
        let rev = self.revision + 1;
        let mut events = Vec::new();
        let mut responses = Vec::with_capacity(ops.len());
        for op in ops {
            match op {
                TxnOp::Put { key, value, lease } => {
                    events.push(self.write_put(rev, key.clone(), value.clone(), *lease));
                    responses.push(TxnResponse::Put);
                }
                TxnOp::Delete(r) => {
                    let evs = self.write_delete(rev, r);
                    responses.push(TxnResponse::Delete(evs.len()));
                    events.extend(evs);
                }
                // At `rev`: the writes made so far in this transaction are visible.
                TxnOp::Get(r) => responses.push(TxnResponse::Get(self.range_at(r, rev, 0).0)),
            }
        }
        if !events.is_empty() {
            self.revision = rev;
            self.record(&events);
        }
        Ok(TxnResult { succeeded, revision: self.revision, events, responses })
    }

    fn compare(&self, c: &Compare) -> bool {
        let kv = self.history.get(&c.key).and_then(|h| visible(h, self.revision));
        use std::cmp::Ordering;
        let ord = match &c.target {
            CompareTarget::Version(v) => kv.map_or(0, |k| k.version).cmp(v),
            CompareTarget::CreateRevision(r) => kv.map_or(0, |k| k.create_revision).cmp(r),
            CompareTarget::ModRevision(r) => kv.map_or(0, |k| k.mod_revision).cmp(r),
            CompareTarget::Value(v) => match kv {
                Some(k) => (*k.value).cmp(&**v),
                // etcd: comparing the value of a missing key is false whatever the op.
                None => return false,
            },
        };
        match c.op {
            CompareOp::Equal => ord == Ordering::Equal,
            CompareOp::NotEqual => ord != Ordering::Equal,
            CompareOp::Less => ord == Ordering::Less,
            CompareOp::Greater => ord == Ordering::Greater,
        }
    }

    /// Appends events to the watchable history and folds them into the digest.
    fn record(&mut self, evs: &[Event]) {
        use std::hash::{Hash, Hasher};
        let mut h = crate::hash::Fnv64::default();
        self.digest.hash(&mut h);
        evs.hash(&mut h);
        self.digest = h.finish();
        self.events.extend(evs.iter().cloned());
    }

    fn write_put(&mut self, rev: u64, key: Bytes, value: Bytes, lease: u64) -> Event {
        let h = self.history.entry(key.clone()).or_default();
        let prev = h.last().and_then(|c| c.kv.clone());
        let kv = KeyValue {
            key,
            value,
            create_revision: prev.as_ref().map_or(rev, |p| p.create_revision),
            mod_revision: rev,
            version: prev.as_ref().map_or(1, |p| p.version + 1),
            lease,
        };
        h.push(Change { revision: rev, kv: Some(kv.clone()) });
        Event { kind: EventKind::Put, kv, prev_kv: prev }
    }

    fn write_delete(&mut self, rev: u64, range: &KeyRange) -> Vec<Event> {
        let live: Vec<Bytes> = match self.range(range, 0, KEYS_PER_REVISION_MAX) {
            Ok((kvs, _)) => kvs.into_iter().map(|kv| kv.key).collect(),
            Err(_) => Vec::new(),
        };
        let mut evs = Vec::with_capacity(live.len());
        for key in live {
            let h = self.history.get_mut(&key).expect("a live key has history");
            let prev = h.last().and_then(|c| c.kv.clone());
            h.push(Change { revision: rev, kv: None });
            let kv = KeyValue { key, value: Rc::from(""), create_revision: 0, mod_revision: rev, version: 0, lease: 0 };
            evs.push(Event { kind: EventKind::Delete, kv, prev_kv: prev });
        }
        evs
    }

    /// Keys attached to `lease` right now (for revoke and `lease timetolive --keys`).
    pub fn keys_with_lease(&self, lease: u64) -> Vec<Bytes> {
        self.history
            .iter()
            .filter_map(|(k, h)| h.last().and_then(|c| c.kv.as_ref()).filter(|kv| kv.lease == lease).map(|_| k.clone()))
            .collect()
    }

    /// Removes history before `rev` (etcd `compact`): afterwards reads and watches from below
    /// `rev` fail with [`MvccError::Compacted`]; the latest value of every live key stays.
    pub fn compact(&mut self, rev: u64) -> Result<(), MvccError> {
        if rev > self.revision {
            return Err(MvccError::FutureRevision);
        }
        if rev <= self.compact_revision {
            return Err(MvccError::Compacted { compact_revision: self.compact_revision });
        }
        self.history.retain(|_, h| {
            // Keep the newest change at or below `rev` if it is a live value, and all after.
            let keep_from = h.iter().rposition(|c| c.revision <= rev).unwrap_or(0);
            h.drain(..keep_from);
            if h.first().is_some_and(|c| c.revision <= rev && c.kv.is_none()) {
                h.remove(0);
            }
            !h.is_empty()
        });
        self.events.retain(|e| e.kv.mod_revision >= rev);
        self.compact_revision = rev;
        Ok(())
    }

    /// Every event (any key) with revision ≥ `from`, in order, borrowed: a watch stream walks
    /// this slice without copying history it has not reached yet.
    pub fn events_from(&self, from: u64) -> Result<&[Event], MvccError> {
        if from != 0 && from < self.compact_revision {
            return Err(MvccError::Compacted { compact_revision: self.compact_revision });
        }
        let start = self.events.partition_point(|e| e.kv.mod_revision < from);
        Ok(&self.events[start..])
    }

    /// Events in `range` with revision ≥ `from` (a watch starting at `from`), in order.
    pub fn events_since(&self, range: &KeyRange, from: u64) -> Result<Vec<Event>, MvccError> {
        // etcd: a watch may start at the compact revision itself, not below it.
        if from != 0 && from < self.compact_revision {
            return Err(MvccError::Compacted { compact_revision: self.compact_revision });
        }
        let start = self.events.partition_point(|e| e.kv.mod_revision < from);
        Ok(self.events[start..].iter().filter(|e| range.contains(&e.kv.key)).cloned().collect())
    }
}

/// The key's live value at revision `at`, if any.
fn visible(h: &[Change], at: u64) -> Option<&KeyValue> {
    let i = h.partition_point(|c| c.revision <= at);
    h[..i].last().and_then(|c| c.kv.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Rc::from(s)
    }

    #[test]
    fn a_new_store_is_at_revision_1_and_the_first_put_makes_2() {
        // etcd server/storage/mvcc/kvstore.go; facts §1.3
        let mut s = MvccStore::new();
        assert_eq!(s.revision(), 1);
        let ev = s.put(b("foo"), b("bar"), 0);
        assert_eq!(s.revision(), 2);
        assert_eq!((ev.kv.create_revision, ev.kv.mod_revision, ev.kv.version), (2, 2, 1));
    }

    #[test]
    fn versions_and_revisions_follow_etcd() {
        let mut s = MvccStore::new();
        s.put(b("a"), b("1"), 0); // rev 2
        s.put(b("b"), b("x"), 0); // rev 3
        let ev = s.put(b("a"), b("2"), 0); // rev 4
        assert_eq!((ev.kv.create_revision, ev.kv.mod_revision, ev.kv.version), (2, 4, 2));
        assert_eq!(ev.prev_kv.as_ref().map(|p| &*p.value), Some("1"));
        let del = s.delete(&KeyRange::Key(b("a"))); // rev 5
        assert_eq!(del.len(), 1);
        assert_eq!((del[0].kv.mod_revision, del[0].kv.version), (5, 0));
        assert_eq!(s.get("a", 0), Ok(None));
        // Recreated: a new create_revision, version starts at 1 again.
        let ev = s.put(b("a"), b("3"), 0); // rev 6
        assert_eq!((ev.kv.create_revision, ev.kv.version), (6, 1));
        // History is readable.
        assert_eq!(s.get("a", 4).unwrap().map(|kv| kv.value), Some(b("2")));
        assert_eq!(s.get("a", 5), Ok(None));
        assert_eq!(s.get("a", 99), Err(MvccError::FutureRevision));
    }

    #[test]
    fn deleting_nothing_does_not_bump_the_revision() {
        let mut s = MvccStore::new();
        assert!(s.delete(&KeyRange::Key(b("missing"))).is_empty());
        assert_eq!(s.revision(), 1);
    }

    #[test]
    fn prefix_and_range_reads_are_in_key_order() {
        let mut s = MvccStore::new();
        for k in [
            "/registry/pods/default/b",
            "/registry/pods/default/a",
            "/registry/pods/kube-system/c",
            "/registry/services/x",
        ] {
            s.put(b(k), b("v"), 0);
        }
        let (kvs, count) = s.range(&KeyRange::Prefix(b("/registry/pods/default/")), 0, 0).unwrap();
        let keys: Vec<&str> = kvs.iter().map(|kv| &*kv.key).collect();
        assert_eq!(keys, ["/registry/pods/default/a", "/registry/pods/default/b"]);
        assert_eq!(count, 2);
        let (kvs, count) = s.range(&KeyRange::Prefix(b("/registry/")), 0, 2).unwrap();
        assert_eq!((kvs.len(), count), (2, 4));
        let (kvs, _) = s.range(&KeyRange::Range(b("/registry/pods/default/b"), b("/registry/s")), 0, 0).unwrap();
        assert_eq!(kvs.len(), 2);
    }

    #[test]
    fn compaction_keeps_the_latest_values_and_refuses_older_reads() {
        let mut s = MvccStore::new();
        s.put(b("k"), b("1"), 0); // 2
        s.put(b("k"), b("2"), 0); // 3
        s.put(b("gone"), b("x"), 0); // 4
        s.delete(&KeyRange::Key(b("gone"))); // 5
        s.put(b("k"), b("3"), 0); // 6
        s.compact(5).unwrap();
        assert_eq!(s.get("k", 3), Err(MvccError::Compacted { compact_revision: 5 }));
        assert_eq!(s.get("k", 5).unwrap().map(|kv| kv.value), Some(b("2")));
        assert_eq!(s.get("k", 0).unwrap().map(|kv| kv.value), Some(b("3")));
        assert_eq!(s.get("gone", 5), Ok(None));
        assert_eq!(
            MvccError::Compacted { compact_revision: 5 }.message(),
            "etcdserver: mvcc: required revision has been compacted"
        );
        assert_eq!(s.compact(4), Err(MvccError::Compacted { compact_revision: 5 }));
        assert_eq!(s.compact(7), Err(MvccError::FutureRevision));
    }

    #[test]
    fn a_transaction_is_one_revision_and_compares_mod_revision() {
        // The API server's optimistic concurrency: update only if mod_revision is unchanged.
        let mut s = MvccStore::new();
        let ev = s.put(b("/registry/deployments/default/nginx"), b("v1"), 0);
        let cas = |rev| Compare {
            key: b("/registry/deployments/default/nginx"),
            target: CompareTarget::ModRevision(rev),
            op: CompareOp::Equal,
        };
        let put = |v: &str| TxnOp::Put { key: b("/registry/deployments/default/nginx"), value: b(v), lease: 0 };
        let r = s
            .txn(&[cas(ev.kv.mod_revision)], &[put("v2"), TxnOp::Put { key: b("other"), value: b("o"), lease: 0 }], &[])
            .unwrap();
        assert!(r.succeeded);
        assert_eq!(r.revision, 3);
        assert!(r.events.iter().all(|e| e.kv.mod_revision == 3), "one transaction, one revision");
        let stale = s.txn(&[cas(ev.kv.mod_revision)], &[put("v3")], &[]).unwrap();
        assert!(!stale.succeeded);
        assert_eq!(stale.revision, 3, "a failed compare with no else-writes changes nothing");
        // A missing key compares as version 0 (create-if-absent).
        let create = s
            .txn(
                &[Compare { key: b("new"), target: CompareTarget::Version(0), op: CompareOp::Equal }],
                &[TxnOp::Put { key: b("new"), value: b("1"), lease: 0 }],
                &[],
            )
            .unwrap();
        assert!(create.succeeded);
        // etcd refuses a key written twice in one transaction.
        assert_eq!(s.txn(&[], &[put("a"), put("b")], &[]), Err(MvccError::DuplicateKey));
    }

    #[test]
    fn a_read_inside_a_transaction_sees_the_writes_before_it() {
        // etcd server/storage/mvcc/kvstore_txn.go: a write txn's Range reads at the new revision.
        let mut s = MvccStore::new();
        s.put(b("a"), b("old"), 0);
        let r = s
            .txn(
                &[],
                &[
                    TxnOp::Get(KeyRange::Key(b("a"))),
                    TxnOp::Put { key: b("a"), value: b("new"), lease: 0 },
                    TxnOp::Get(KeyRange::Key(b("a"))),
                    TxnOp::Delete(KeyRange::Key(b("gone"))),
                ],
                &[],
            )
            .unwrap();
        let values: Vec<Option<Bytes>> = r
            .responses
            .iter()
            .map(|x| match x {
                TxnResponse::Get(kvs) => kvs.first().map(|kv| kv.value.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(values, [Some(b("old")), None, Some(b("new")), None]);
        assert_eq!(r.responses[3], TxnResponse::Delete(0));
        assert_eq!(r.revision, 3);
        // A txn that only reads makes no revision.
        let ro = s.txn(&[], &[TxnOp::Get(KeyRange::Prefix(b("")))], &[]).unwrap();
        assert_eq!((ro.revision, ro.events.len()), (3, 0));
    }

    #[test]
    fn watch_history_is_ordered_filtered_and_cut_by_compaction() {
        let mut s = MvccStore::new();
        s.put(b("/a/1"), b("x"), 0); // 2
        s.put(b("/b/1"), b("y"), 0); // 3
        s.put(b("/a/2"), b("z"), 0); // 4
        s.delete(&KeyRange::Prefix(b("/a/"))); // 5: two DELETE events, one revision
        let evs = s.events_since(&KeyRange::Prefix(b("/a/")), 3).unwrap();
        let revs: Vec<(u64, EventKind)> = evs.iter().map(|e| (e.kv.mod_revision, e.kind)).collect();
        assert_eq!(revs, [(4, EventKind::Put), (5, EventKind::Delete), (5, EventKind::Delete)]);
        s.compact(4).unwrap();
        assert_eq!(s.events_since(&KeyRange::Prefix(b("/a/")), 3), Err(MvccError::Compacted { compact_revision: 4 }));
        assert_eq!(s.events_since(&KeyRange::Prefix(b("/a/")), 4).unwrap().len(), 3);
        assert_eq!(s.events_since(&KeyRange::Prefix(b("/a/")), 5).unwrap().len(), 2);
    }

    #[test]
    fn leases_attach_to_keys() {
        let mut s = MvccStore::new();
        s.put(b("e1"), b("x"), 0x694d);
        s.put(b("e2"), b("y"), 0x694d);
        s.put(b("e3"), b("z"), 0);
        assert_eq!(s.keys_with_lease(0x694d), [b("e1"), b("e2")]);
    }
}
