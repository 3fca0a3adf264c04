//! A shared informer (CG `tools/cache/reflector.go`, `shared_informer.go`): a local copy of the
//! objects of a few resources, kept by listing them from an API server and then watching from
//! the list's resourceVersion. A watch that the API server can no longer serve (410 Gone: the
//! watch cache's window moved past it) makes the reflector list again; the differences between
//! the old copy and the new list reach the handlers as changes, as DeltaFIFO's `Replaced` does.
//! Every resync period the handlers get every object again (`Sync` deltas).

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::apiserver::cache::WatchCache;
use crate::apiserver::{Informers, Object};
use crate::k8s::resources;

/// kube-controller-manager's `--min-resync-period` (12 h); client-go picks each informer's resync
/// in [12 h, 24 h]. A class never sees one, but a long replay may.
pub const RESYNC_US: u64 = 12 * 3600 * crate::sim::US_PER_S;

/// One change handed to the event handlers.
#[derive(Clone, Debug, PartialEq)]
pub struct Delta {
    pub resource: &'static str,
    /// `None`: added.
    pub old: Option<Rc<Object>>,
    /// `None`: deleted.
    pub new: Option<Rc<Object>>,
}

#[derive(Clone, Debug, Default)]
pub struct Informer {
    /// The resources it lists and watches (plural names).
    resources: Vec<&'static str>,
    /// (resource, namespace, name) → object.
    objects: BTreeMap<(&'static str, String, String), Rc<Object>>,
    /// The resourceVersion the copy reflects (the watch continues after it).
    /// Invariant: 0 until the first list.
    pub rv: u64,
    /// Lists after the first (410 Gone, or a restart of the watch).
    pub relists: u64,
    /// Watch events taken in.
    pub events: u64,
    next_resync_us: u64,
    /// Per resource, the revision its watch has delivered up to: client-go runs one reflector,
    /// one watch connection, per resource, so one can run ahead of another (a ReplicaSet's
    /// status update can arrive before the pods created just before it). `rv` is the least.
    positions: BTreeMap<&'static str, u64>,
}

impl Informer {
    pub fn new(resources: &[&'static str]) -> Informer {
        debug_assert!(resources.iter().all(|r| resources::resolve(r).is_some()), "unknown resource");
        Informer { resources: resources.to_vec(), ..Informer::default() }
    }

    /// The resources it lists and watches.
    pub fn resources(&self) -> &[&'static str] {
        &self.resources
    }

    pub fn has_synced(&self) -> bool {
        self.rv > 0
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// LIST: replaces the copy with what `cache` holds; returns the differences.
    pub fn list(&mut self, cache: &WatchCache, now_us: u64) -> Vec<Delta> {
        let mut fresh: BTreeMap<(&'static str, String, String), Rc<Object>> = BTreeMap::new();
        for &r in &self.resources {
            let Some(res) = resources::resolve(r) else { continue };
            for o in cache.list_of(res, None) {
                let key = (
                    r,
                    crate::apiserver::object::namespace(&o).to_string(),
                    crate::apiserver::object::name(&o).to_string(),
                );
                fresh.insert(key, o);
            }
        }
        let mut out = Vec::new();
        for (k, old) in &self.objects {
            if !fresh.contains_key(k) {
                out.push(Delta { resource: k.0, old: Some(old.clone()), new: None });
            }
        }
        for (k, new) in &fresh {
            match self.objects.get(k) {
                Some(old)
                    if crate::apiserver::object::resource_version(old)
                        == crate::apiserver::object::resource_version(new) => {}
                old => out.push(Delta { resource: k.0, old: old.cloned(), new: Some(new.clone()) }),
            }
        }
        if self.rv > 0 {
            self.relists += 1;
        }
        self.objects = fresh;
        self.rv = cache.revision().max(1);
        self.positions = self.resources.iter().map(|&r| (r, self.rv)).collect();
        self.next_resync_us = now_us + RESYNC_US;
        out
    }

    /// WATCH: takes in the changes `cache` has after the copy's resourceVersion, or lists again
    /// when the watch cache no longer reaches back that far (410 Gone).
    pub fn watch(&mut self, cache: &WatchCache, now_us: u64) -> Vec<Delta> {
        self.watch_upto(cache, u64::MAX, now_us)
    }

    /// WATCH as a stream delivers it: the changes after the copy's resourceVersion up to
    /// revision `upto` (what the API server had sent when this delivery left it; later changes
    /// are still on their way). A list (first, or after 410) takes everything.
    pub fn watch_upto(&mut self, cache: &WatchCache, upto: u64, now_us: u64) -> Vec<Delta> {
        self.watch_each(cache, |_| upto, now_us)
    }

    /// WATCH with one stream per resource: each resource's changes up to `upto(resource)`,
    /// after where its own stream stands, in order within the resource.
    pub fn watch_each(&mut self, cache: &WatchCache, upto: impl Fn(&str) -> u64, now_us: u64) -> Vec<Delta> {
        if !self.has_synced() {
            return self.list(cache, now_us);
        }
        let mut out = Vec::new();
        match cache.changes_after(self.rv) {
            Err(_) => return self.list(cache, now_us),
            Ok(changes) => {
                for c in changes {
                    let Some(&r) = self.resources.iter().find(|r| **r == c.resource.name) else { continue };
                    let at = self.positions.get(r).copied().unwrap_or(self.rv);
                    if c.revision <= at || c.revision > upto(r) {
                        continue;
                    }
                    let o = &c.object;
                    let key = (
                        r,
                        crate::apiserver::object::namespace(o).to_string(),
                        crate::apiserver::object::name(o).to_string(),
                    );
                    self.events += 1;
                    let d = match c.kind {
                        crate::apiserver::cache::ChangeKind::Deleted => {
                            Delta { resource: r, old: self.objects.remove(&key), new: None }
                        }
                        _ => Delta { resource: r, old: self.objects.insert(key, o.clone()), new: Some(o.clone()) },
                    };
                    if d.old.is_some() || d.new.is_some() {
                        out.push(d);
                    }
                }
            }
        }
        let head = cache.revision();
        for &r in &self.resources {
            let at = self.positions.entry(r).or_insert(self.rv);
            *at = (*at).max(head.min(upto(r)));
        }
        self.rv = self.positions.values().copied().min().unwrap_or(self.rv).max(self.rv);
        if now_us >= self.next_resync_us {
            // Resync: every object again, old = new (handlers decide whether it matters).
            self.next_resync_us = now_us + RESYNC_US;
            out.extend(self.objects.iter().map(|(k, o)| Delta {
                resource: k.0,
                old: Some(o.clone()),
                new: Some(o.clone()),
            }));
        }
        out
    }

    /// Forgets everything (the process stopped).
    /// The shared copy of one object (no deep clone).
    pub fn get_shared(&self, resource: &str, namespace: &str, name: &str) -> Option<Rc<Object>> {
        let r = resources::resolve(resource)?.name;
        self.objects.get(&(r, namespace.to_string(), name.to_string())).cloned()
    }

    /// The shared copies of every object of `resource` (all namespaces).
    pub fn all_shared(&self, resource: &str) -> Vec<Rc<Object>> {
        let Some(r) = resources::resolve(resource).map(|r| r.name) else { return Vec::new() };
        self.objects
            .range((r, String::new(), String::new())..)
            .take_while(|(k, _)| k.0 == r)
            .map(|(_, o)| o.clone())
            .collect()
    }

    pub fn stop(&mut self) {
        let resources = std::mem::take(&mut self.resources);
        *self = Informer::new(&resources);
    }
}

impl Informers for Informer {
    fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<&Object> {
        let r = resources::resolve(resource)?.name;
        self.objects.get(&(r, namespace.to_string(), name.to_string())).map(|o| &**o)
    }

    fn list(&self, resource: &str, namespace: &str) -> Vec<&Object> {
        let Some(r) = resources::resolve(resource).map(|r| r.name) else { return Vec::new() };
        let from = (r, namespace.to_string(), String::new());
        self.objects
            .range(from..)
            .take_while(|(k, _)| k.0 == r && (namespace.is_empty() || k.1 == namespace))
            .map(|(_, o)| &**o)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etcd::mvcc::MvccStore;
    use serde_json::json;

    fn pod(name: &str) -> String {
        crate::apiserver::object::for_storage(&json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "uid": name},
        }))
    }

    fn put(store: &mut MvccStore, name: &str) {
        store.put(format!("/registry/pods/default/{name}").into(), pod(name).into(), 0);
    }

    /// CG reflector: LIST, then WATCH from the list's resourceVersion; handlers see adds,
    /// updates and deletes in order.
    #[test]
    fn lists_then_watches_from_the_lists_resource_version() {
        let mut store = MvccStore::new();
        put(&mut store, "a");
        let mut cache = WatchCache::default();
        cache.relist(&store);
        let mut inf = Informer::new(&["pods"]);
        let first = inf.watch(&cache, 0);
        assert_eq!(first.len(), 1);
        assert!(first[0].old.is_none());
        put(&mut store, "b");
        put(&mut store, "a");
        store.delete(&crate::etcd::mvcc::KeyRange::Key("/registry/pods/default/b".into()));
        cache.catch_up(&store);
        let d = inf.watch(&cache, 1);
        let kinds: Vec<(bool, bool)> = d.iter().map(|d| (d.old.is_some(), d.new.is_some())).collect();
        assert_eq!(kinds, [(false, true), (true, true), (true, false)]);
        assert_eq!(inf.list("pods", "default").len(), 1);
        assert_eq!(inf.relists, 0);
    }

    /// CG reflector: a watch answered 410 Gone (the watch cache's window moved on) lists again,
    /// and the handlers get exactly the differences (DeltaFIFO `Replaced`).
    #[test]
    fn a_watch_too_old_for_the_watch_cache_relists_and_delivers_the_differences() {
        let mut store = MvccStore::new();
        put(&mut store, "keep");
        put(&mut store, "gone");
        let mut cache = WatchCache::default();
        cache.relist(&store);
        let mut inf = Informer::new(&["pods"]);
        inf.watch(&cache, 0);
        store.delete(&crate::etcd::mvcc::KeyRange::Key("/registry/pods/default/gone".into()));
        for i in 0..crate::apiserver::cache::WATCH_CACHE_EVENTS_MAX + 5 {
            put(&mut store, &format!("p{}", i % 3));
        }
        cache.catch_up(&store);
        let d = inf.watch(&cache, 1);
        assert_eq!(inf.relists, 1);
        assert!(d
            .iter()
            .any(|d| d.new.is_none() && crate::apiserver::object::name(d.old.as_deref().unwrap()) == "gone"));
        assert_eq!(d.iter().filter(|d| d.old.is_none()).count(), 3, "p0, p1, p2 are new");
        assert_eq!(inf.list("pods", "").len(), 4);
    }

    /// CG: one reflector (one watch) per resource, so streams run apart: a stream held back
    /// keeps its place and later delivers its changes in order, while another one ran ahead;
    /// `rv` is where every stream has been, and a delivery never takes changes past `upto`.
    #[test]
    fn each_resource_has_its_own_watch_stream() {
        let mut store = MvccStore::new();
        let mut cache = WatchCache::default();
        cache.relist(&store);
        let mut inf = Informer::new(&["pods", "replicasets"]);
        inf.watch(&cache, 0);
        put(&mut store, "a");
        let rs = crate::apiserver::object::for_storage(&json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r", "namespace": "default", "uid": "r"},
        }));
        store.put("/registry/replicasets/default/r".into(), rs.into(), 0);
        put(&mut store, "b");
        cache.catch_up(&store);
        let head = cache.revision();
        // The pods' stream is held back; the ReplicaSets' arrives.
        let d = inf.watch_each(&cache, |r| if r == "pods" { 0 } else { head }, 1);
        let got: Vec<&str> = d.iter().map(|d| d.resource).collect();
        assert_eq!(got, ["replicasets"]);
        assert!(inf.rv < head, "the pods' stream is behind");
        // Then the pods, in order; nothing twice.
        let d = inf.watch_each(&cache, |_| head, 2);
        let names: Vec<&str> = d.iter().map(|d| crate::apiserver::object::name(d.new.as_deref().unwrap())).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(inf.rv, head);
        // A delivery that left before the last change does not bring it.
        put(&mut store, "c");
        cache.catch_up(&store);
        assert!(inf.watch_upto(&cache, head, 3).is_empty());
        assert_eq!(inf.watch_upto(&cache, cache.revision(), 4).len(), 1);
    }
}
