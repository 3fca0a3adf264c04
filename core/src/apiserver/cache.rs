//! An API server's watch cache (KK `staging/src/k8s.io/apiserver/pkg/storage/cacher`): every
//! object under `/registry/` as of one etcd revision, decoded, plus a bounded window of recent
//! changes that watches are served from. It is fed by an etcd watch on the API server's own etcd
//! member (kubeadm's stacked layout: `--etcd-servers=https://127.0.0.1:2379`), so when that member
//! is cut off or down the cache simply stops moving — reads with `resourceVersion=0` keep
//! answering from it, stale, while consistent reads wait for etcd.

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use super::object::{self, Object};
use super::Informers;
use crate::etcd::mvcc::{EventKind, KeyRange, MvccStore};
use crate::k8s::resources::{self, ApiResource};
use crate::k8s::storage::{self, ETCD_PREFIX};

/// How many changes the cache keeps for watches (kube-apiserver sizes its per-resource caches
/// dynamically from `--default-watch-cache-size=100`; the lab keeps one window for all
/// resources). A watch from a revision older than the window gets 410 Gone.
pub const WATCH_CACHE_EVENTS_MAX: usize = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

impl ChangeKind {
    /// The watch event type on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "ADDED",
            ChangeKind::Modified => "MODIFIED",
            ChangeKind::Deleted => "DELETED",
        }
    }
}

/// One change as a watch delivers it.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub revision: u64,
    pub kind: ChangeKind,
    pub resource: &'static ApiResource,
    /// The object after the change (for a deletion: the last state, with the deletion's RV).
    pub object: Rc<Object>,
}

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    resource: &'static ApiResource,
    object: Rc<Object>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct WatchCache {
    /// Invariant: the cache holds exactly etcd's `/registry/` objects as of this revision.
    revision: u64,
    objects: BTreeMap<Rc<str>, Entry>,
    /// Recent changes, oldest first. Invariant: sorted by revision, len ≤ WATCH_CACHE_EVENTS_MAX.
    changes: VecDeque<Change>,
    /// A watch may start from any revision ≥ this one (older → 410).
    oldest_revision: u64,
    /// The cache re-listed etcd because its watch fell behind a compaction.
    pub relists: u64,
    /// An RBAC object changed since the API server last rebuilt its authorizer.
    pub rbac_changed: bool,
}

fn is_rbac(r: &ApiResource) -> bool {
    r.group == "rbac.authorization.k8s.io"
}

impl WatchCache {
    /// The etcd revision the cache reflects (a list from the cache carries it as its RV).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn oldest_revision(&self) -> u64 {
        self.oldest_revision
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Takes in what the API server's etcd member has applied since the cache's revision, as
    /// the cacher's etcd watch would deliver it. A watch that fell behind a compaction re-lists.
    pub fn catch_up(&mut self, store: &MvccStore) {
        if store.revision() <= self.revision {
            return;
        }
        let events = match store.events_from(self.revision + 1) {
            Ok(events) => events,
            Err(_) => return self.relist(store),
        };
        for e in events {
            let key: &str = &e.kv.key;
            if !key.starts_with(ETCD_PREFIX) {
                continue;
            }
            let Some(resource) = storage::resource_of_key(key) else { continue };
            let revision = e.kv.mod_revision;
            let (kind, obj) = match e.kind {
                EventKind::Put => {
                    let Some(obj) = object::from_storage(&e.kv.value, revision) else { continue };
                    let kind = if self.objects.contains_key(key) { ChangeKind::Modified } else { ChangeKind::Added };
                    let obj = Rc::new(obj);
                    self.objects.insert(e.kv.key.clone(), Entry { resource, object: obj.clone() });
                    (kind, obj)
                }
                EventKind::Delete => {
                    let Some(old) = self.objects.remove(key) else { continue };
                    let mut last = (*old.object).clone();
                    object::set_resource_version(&mut last, revision);
                    (ChangeKind::Deleted, Rc::new(last))
                }
            };
            self.rbac_changed |= is_rbac(resource);
            self.push_change(Change { revision, kind, resource, object: obj });
        }
        self.revision = store.revision();
    }

    /// Rebuilds the cache from a fresh list of etcd (the reflector's relist after 410).
    pub fn relist(&mut self, store: &MvccStore) {
        self.objects.clear();
        self.changes.clear();
        let prefix = KeyRange::Prefix(format!("{ETCD_PREFIX}/").into());
        let (kvs, _) = store.range(&prefix, 0, 0).unwrap_or_default();
        for kv in kvs {
            let Some(resource) = storage::resource_of_key(&kv.key) else { continue };
            if let Some(obj) = object::from_storage(&kv.value, kv.mod_revision) {
                self.objects.insert(kv.key.clone(), Entry { resource, object: Rc::new(obj) });
            }
        }
        self.revision = store.revision();
        self.oldest_revision = self.revision;
        self.relists += 1;
        self.rbac_changed = true;
    }

    fn push_change(&mut self, c: Change) {
        debug_assert!(self.changes.back().is_none_or(|l| l.revision <= c.revision), "changes out of order");
        if self.changes.len() == WATCH_CACHE_EVENTS_MAX {
            if let Some(dropped) = self.changes.pop_front() {
                // Watches may start at the revision of the oldest change still kept.
                self.oldest_revision = dropped.revision + 1;
            }
        }
        self.changes.push_back(c);
    }

    /// The object at an etcd key.
    pub fn at_key(&self, key: &str) -> Option<&Rc<Object>> {
        self.objects.get(key).map(|e| &e.object)
    }

    /// Every object of `resource` under `namespace` (`None`: all), in key order.
    pub fn list_of(&self, resource: &ApiResource, namespace: Option<&str>) -> Vec<Rc<Object>> {
        let prefix = storage::list_prefix(resource, namespace);
        self.objects
            .range::<str, _>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(_, e)| e.resource.name == resource.name)
            .map(|(_, e)| e.object.clone())
            .collect()
    }

    /// Changes after `revision` (a watch from RV `revision`), or `Err(oldest)` if the window no
    /// longer reaches back that far (410 `too old resource version`).
    pub fn changes_after(&self, revision: u64) -> Result<impl Iterator<Item = &Change>, u64> {
        if revision + 1 < self.oldest_revision {
            return Err(self.oldest_revision);
        }
        // Sorted by revision (the invariant on `changes`): start where the newer ones begin.
        let from = self.changes.partition_point(|c| c.revision <= revision);
        Ok(self.changes.range(from..))
    }
}

impl Informers for WatchCache {
    fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<&Object> {
        let r = resources::resolve(resource)?;
        self.objects.get(storage::object_key(r, namespace, name).as_str()).map(|e| &*e.object)
    }

    fn list(&self, resource: &str, namespace: &str) -> Vec<&Object> {
        let Some(r) = resources::resolve(resource) else { return Vec::new() };
        let prefix = storage::list_prefix(r, Some(namespace).filter(|n| !n.is_empty()));
        self.objects
            .range::<str, _>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(_, e)| e.resource.name == r.name)
            .map(|(_, e)| &*e.object)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str) -> String {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}}).to_string()
    }

    /// The cacher reflects etcd: ADDED, MODIFIED, DELETED with etcd's revisions as RVs.
    #[test]
    fn the_cache_follows_etcd_revision_by_revision() {
        let mut store = MvccStore::new();
        let mut cache = WatchCache::default();
        store.put("/registry/pods/default/a".into(), pod("a").into(), 0);
        store.put("/unrelated".into(), "x".into(), 0);
        cache.catch_up(&store);
        assert_eq!(cache.revision(), 3);
        assert_eq!(cache.get("pods", "default", "a").map(object::resource_version), Some(2));
        store.put("/registry/pods/default/a".into(), pod("a").into(), 0);
        store.delete(&KeyRange::Key("/registry/pods/default/a".into()));
        cache.catch_up(&store);
        let kinds: Vec<(u64, ChangeKind)> =
            cache.changes_after(0).expect("in window").map(|c| (c.revision, c.kind)).collect();
        assert_eq!(kinds, [(2, ChangeKind::Added), (4, ChangeKind::Modified), (5, ChangeKind::Deleted)]);
        assert!(cache.get("pods", "default", "a").is_none());
        assert_eq!(cache.changes_after(4).expect("in window").count(), 1);
    }

    /// A watch cache that falls behind etcd's compaction re-lists (client-go reflector on 410).
    #[test]
    fn a_compacted_history_makes_the_cache_relist() {
        let mut store = MvccStore::new();
        let mut cache = WatchCache::default();
        store.put("/registry/pods/default/a".into(), pod("a").into(), 0);
        store.put("/registry/pods/default/b".into(), pod("b").into(), 0);
        store.compact(3).expect("compact");
        cache.catch_up(&store);
        assert_eq!(cache.relists, 1);
        assert_eq!(cache.list("pods", "default").len(), 2);
        assert_eq!(cache.changes_after(1).err(), Some(3), "too old: the window starts at the relist");
    }

    #[test]
    fn the_window_is_bounded() {
        let mut store = MvccStore::new();
        let mut cache = WatchCache::default();
        for i in 0..WATCH_CACHE_EVENTS_MAX + 10 {
            store.put(format!("/registry/pods/default/p{i}").into(), pod(&format!("p{i}")).into(), 0);
            cache.catch_up(&store);
        }
        assert_eq!(cache.changes.len(), WATCH_CACHE_EVENTS_MAX);
        assert!(cache.changes_after(2).is_err());
        assert!(cache.changes_after(cache.oldest_revision()).is_ok());
    }
}
