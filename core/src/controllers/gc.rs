//! The garbage collector (KW `concepts/architecture/garbage-collection.md`; KK
//! `pkg/controller/garbagecollector/garbagecollector.go` `attemptToDeleteItem`,
//! `processDeletingDependentsItem`, `attemptToOrphanWorker`; fact sheet §5).
//!
//! Objects name their owners in `metadata.ownerReferences` (by UID; never across namespaces).
//! - Background (the default): once every owner of a dependent is gone, the dependent is
//!   deleted — a Deployment's ReplicaSets, then their pods, one generation per round.
//! - Foreground: the API server gives the owner a deletionTimestamp and the `foregroundDeletion`
//!   finalizer; the collector deletes its dependents, and when none with `blockOwnerDeletion`
//!   is left (terminating pods still count), removes the finalizer, which lets the owner go.
//! - Orphan: the owner gets the `orphan` finalizer; the collector removes the owner's reference
//!   from every dependent, then the finalizer. The dependents keep running.
//!
//! The real collector keeps a graph of every object of every resource and confirms an owner's
//! absence with a live GET. The lab's watches Deployments, ReplicaSets and pods only and reads
//! owners from its cache, which is one API server's watch cache in revision order: an owner
//! created before its dependents is there whenever they are, so "absent from the cache" is
//! "absent". Owners of other kinds (DaemonSet, Node, Job, …) count as present — the lab does not
//! collect what it does not watch. Deletes carry the dependent's UID as precondition, so a
//! re-created namesake is never hit. At klog's default verbosity the collector logs nothing and
//! records no events for these (all its lines are V(2) and above), so plans carry neither.

use serde_json::Value;

use super::replicaset::{is_terminating, owner_refs};
use super::{Change, Plan, Propagation, Robot, Write};
use crate::apiserver::object::{self, Object};
use crate::apiserver::Informers;

/// The resources the lab's collector builds its picture from.
pub const WATCHED: &[&str] = &["deployments", "replicasets", "pods"];
/// `metav1.FinalizerDeleteDependents`.
pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
/// `metav1.FinalizerOrphanDependents`.
pub const ORPHAN_FINALIZER: &str = "orphan";
/// Dependents one owner's sync handles at most (the rest on the next round; a lab namespace
/// holds far fewer).
pub const DEPENDENTS_MAX: usize = 5_000;

/// The resource an owner reference points to, if the collector watches it.
fn resource_of(owner_ref: &Value) -> Option<&'static str> {
    let group = object::str_at(owner_ref, "/apiVersion").rsplit_once('/').map_or("", |(g, _)| g);
    match (group, object::str_at(owner_ref, "/kind")) {
        ("apps", "Deployment") => Some("deployments"),
        ("apps", "ReplicaSet") => Some("replicasets"),
        ("", "Pod") => Some("pods"),
        _ => None,
    }
}

/// The collector's key: `resource/namespace/name`.
pub fn key(resource: &str, obj: &Object) -> String {
    format!("{resource}/{}/{}", object::namespace(obj), object::name(obj))
}

fn parse_key(key: &str) -> Option<(&'static str, &str, &str)> {
    let (resource, rest) = key.split_once('/')?;
    let (namespace, name) = rest.split_once('/')?;
    let resource = WATCHED.iter().find(|r| **r == resource)?;
    Some((resource, namespace, name))
}

fn uid(obj: &Object) -> &str {
    object::str_at(obj, "/metadata/uid")
}

fn has_finalizer(obj: &Object, finalizer: &str) -> bool {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|fs| fs.iter().any(|f| f.as_str() == Some(finalizer)))
}

/// `isDeletingDependents`: being deleted in the foreground.
fn deleting_dependents(obj: &Object) -> bool {
    is_terminating(obj) && has_finalizer(obj, FOREGROUND_FINALIZER)
}

/// `classifyReferences`: what became of the owner a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    /// Present and not waiting for its dependents.
    Solid,
    /// Gone (or replaced by a namesake with another UID).
    Dangling,
    /// Being deleted in the foreground: waiting for its dependents to go.
    Waiting,
}

fn classify(namespace: &str, owner_ref: &Value, cache: &dyn Informers) -> Owner {
    let Some(resource) = resource_of(owner_ref) else { return Owner::Solid };
    match cache.get(resource, namespace, object::str_at(owner_ref, "/name")) {
        Some(owner) if uid(owner) == object::str_at(owner_ref, "/uid") => {
            if deleting_dependents(owner) {
                Owner::Waiting
            } else {
                Owner::Solid
            }
        }
        _ => Owner::Dangling,
    }
}

/// The watched objects of `owner`'s namespace that name it as an owner, with their resource.
fn dependents_of<'c>(owner: &Object, cache: &'c dyn Informers) -> Vec<(&'static str, &'c Object)> {
    let owner_uid = uid(owner);
    if owner_uid.is_empty() {
        return Vec::new();
    }
    let mut deps = Vec::new();
    for &resource in WATCHED {
        for obj in cache.list(resource, object::namespace(owner)) {
            if owner_refs(obj).iter().any(|r| object::str_at(r, "/uid") == owner_uid) {
                deps.push((resource, obj));
            }
        }
    }
    deps.truncate(DEPENDENTS_MAX);
    deps
}

/// The object as read, less the given owner references, as an update carrying its
/// resourceVersion (the real collector patches; the precondition keeps a concurrent writer's
/// change from being overwritten).
fn without_owners(resource: &'static str, obj: &Object, uids: &[&str]) -> Write {
    let refs: Vec<Value> =
        owner_refs(obj).iter().filter(|r| !uids.contains(&object::str_at(r, "/uid"))).cloned().collect();
    let mut body = obj.clone();
    let meta = object::metadata_mut(&mut body);
    if refs.is_empty() {
        meta.remove("ownerReferences");
    } else {
        meta.insert("ownerReferences".into(), Value::Array(refs));
    }
    Write::update(resource, body)
}

/// `removeFinalizer`: the owner as read, less `finalizer`, with its resourceVersion.
fn without_finalizer(resource: &'static str, obj: &Object, finalizer: &str) -> Write {
    let mut body = obj.clone();
    let meta = object::metadata_mut(&mut body);
    let left: Vec<Value> = meta
        .get("finalizers")
        .and_then(Value::as_array)
        .map(|fs| fs.iter().filter(|f| f.as_str() != Some(finalizer)).cloned().collect())
        .unwrap_or_default();
    if left.is_empty() {
        meta.remove("finalizers");
    } else {
        meta.insert("finalizers".into(), Value::Array(left));
    }
    Write::update(resource, body)
}

fn delete(resource: &'static str, obj: &Object, propagation: Propagation) -> Write {
    Write {
        propagation: Some(propagation),
        uid: Some(uid(obj).to_string()),
        ..Write::delete(resource, object::namespace(obj), object::name(obj))
    }
}

/// `attemptToDeleteItem` for an object that is not itself deleting its dependents: the write
/// that collects it (or trims its references), if any.
fn attempt_to_delete(resource: &'static str, item: &Object, cache: &dyn Informers) -> Option<Write> {
    // "Being deleted" is a one-way trip: wait for the final deletion.
    if is_terminating(item) {
        return None;
    }
    let refs = owner_refs(item);
    if refs.is_empty() {
        return None;
    }
    let ns = object::namespace(item);
    let classes: Vec<(Owner, &str)> =
        refs.iter().map(|r| (classify(ns, r, cache), object::str_at(r, "/uid"))).collect();
    let of = |c: Owner| classes.iter().filter(move |(k, _)| *k == c).map(|&(_, u)| u);
    if of(Owner::Solid).next().is_some() {
        // Someone still owns it: only drop the references to owners that are gone or going.
        let stale: Vec<&str> = of(Owner::Dangling).chain(of(Owner::Waiting)).collect();
        return (!stale.is_empty()).then(|| without_owners(resource, item, &stale));
    }
    if of(Owner::Waiting).next().is_some() && !dependents_of(item, cache).is_empty() {
        // Its owner waits for it and it has dependents of its own: they go first.
        return Some(delete(resource, item, Propagation::Foreground));
    }
    let policy = if has_finalizer(item, ORPHAN_FINALIZER) {
        Propagation::Orphan
    } else if has_finalizer(item, FOREGROUND_FINALIZER) {
        Propagation::Foreground
    } else {
        Propagation::Background
    };
    Some(delete(resource, item, policy))
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct GarbageCollector;

impl GarbageCollector {
    pub fn new() -> GarbageCollector {
        GarbageCollector
    }

    /// The keys of the owners `refs` name that wait for their dependents (a dependent of theirs
    /// changed or went, so their blocking set may be empty now).
    fn waiting_owners(namespace: &str, refs: &[Value], cache: &dyn Informers, keys: &mut Vec<String>) {
        for r in refs {
            let Some(resource) = resource_of(r) else { continue };
            if let Some(owner) = cache.get(resource, namespace, object::str_at(r, "/name")) {
                if uid(owner) == object::str_at(r, "/uid") && deleting_dependents(owner) {
                    keys.push(key(resource, owner));
                }
            }
        }
    }
}

impl Robot for GarbageCollector {
    fn name(&self) -> &'static str {
        "garbagecollector"
    }

    fn service_account(&self) -> &'static str {
        "generic-garbage-collector"
    }

    fn watches(&self) -> &'static [&'static str] {
        WATCHED
    }

    /// `--concurrent-gc-syncs` default.
    fn workers(&self) -> usize {
        20
    }

    /// The graph builder's `processGraphChanges`, without the graph: an object whose owner is
    /// gone or going (or which starts a foreground/orphan deletion itself) is checked; a deleted
    /// object's dependents are checked; owners waiting for a dependent that changed or went are
    /// checked again.
    fn keys_for(&mut self, change: Change<'_>, cache: &dyn Informers, _now_us: u64) -> Vec<String> {
        let Some(&resource) = WATCHED.iter().find(|r| **r == change.resource) else { return Vec::new() };
        let mut keys = Vec::new();
        match (change.old, change.new) {
            (old, Some(new)) => {
                let finalizing = is_terminating(new)
                    && (has_finalizer(new, FOREGROUND_FINALIZER) || has_finalizer(new, ORPHAN_FINALIZER));
                let ns = object::namespace(new);
                // Like the graph builder, act only on an absent or departing owner (an owner
                // that is there and staying needs nothing): most pod updates queue nothing.
                let owner_in_question = owner_refs(new).iter().any(|r| classify(ns, r, cache) != Owner::Solid);
                if owner_in_question || finalizing {
                    keys.push(key(resource, new));
                }
                if let Some(old) = old {
                    Self::waiting_owners(ns, owner_refs(old), cache, &mut keys);
                }
                Self::waiting_owners(ns, owner_refs(new), cache, &mut keys);
            }
            (Some(old), None) => {
                keys.extend(dependents_of(old, cache).into_iter().map(|(r, d)| key(r, d)));
                Self::waiting_owners(object::namespace(old), owner_refs(old), cache, &mut keys);
            }
            (None, None) => {}
        }
        let mut seen = std::collections::BTreeSet::new();
        keys.retain(|k| seen.insert(k.clone()));
        keys
    }

    fn sync(&mut self, key: &str, cache: &dyn Informers, _now_us: u64) -> Plan {
        let Some((resource, namespace, name)) = parse_key(key) else { return Plan::default() };
        let Some(obj) = cache.get(resource, namespace, name) else { return Plan::default() };
        let mut plan = Plan::default();
        if is_terminating(obj) && has_finalizer(obj, ORPHAN_FINALIZER) {
            // `attemptToOrphanWorker`: free every dependent, then let the owner go.
            let owner_uid = uid(obj);
            let freed: Vec<Write> =
                dependents_of(obj, cache).into_iter().map(|(r, d)| without_owners(r, d, &[owner_uid])).collect();
            if !freed.is_empty() {
                plan.batches.push(freed);
            }
            plan.batches.push(vec![without_finalizer(resource, obj, ORPHAN_FINALIZER)]);
        } else if deleting_dependents(obj) {
            // `processDeletingDependentsItem`.
            let owner_uid = uid(obj);
            let dependents = dependents_of(obj, cache);
            let blocking = dependents.iter().any(|(_, d)| {
                owner_refs(d).iter().any(|r| {
                    object::str_at(r, "/uid") == owner_uid && r.get("blockOwnerDeletion") == Some(&Value::Bool(true))
                })
            });
            if blocking {
                let writes: Vec<Write> = dependents
                    .iter()
                    .filter(|(_, d)| !deleting_dependents(d))
                    .filter_map(|&(r, d)| attempt_to_delete(r, d, cache))
                    .collect();
                if !writes.is_empty() {
                    plan.batches.push(writes);
                }
            } else {
                plan.batches.push(vec![without_finalizer(resource, obj, FOREGROUND_FINALIZER)]);
            }
        } else if let Some(w) = attempt_to_delete(resource, obj, cache) {
            plan.batches.push(vec![w]);
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::handler::Verb;
    use crate::apiserver::ObjectSet;
    use serde_json::json;

    const NS: &str = "default";

    fn owner_ref(kind: &str, name: &str, block: bool) -> Value {
        let api_version = if kind == "Pod" { "v1" } else { "apps/v1" };
        json!({"apiVersion": api_version, "kind": kind, "name": name, "uid": format!("uid-{name}"),
               "controller": true, "blockOwnerDeletion": block})
    }

    fn obj(kind: &str, name: &str, owners: Vec<Value>) -> Object {
        let api_version = if kind == "Pod" { "v1" } else { "apps/v1" };
        let mut o = json!({"apiVersion": api_version, "kind": kind,
                           "metadata": {"name": name, "namespace": NS, "uid": format!("uid-{name}"),
                                        "resourceVersion": "7"}});
        if !owners.is_empty() {
            o["metadata"]["ownerReferences"] = Value::Array(owners);
        }
        o
    }

    fn deleting(mut o: Object, finalizer: &str) -> Object {
        o["metadata"]["deletionTimestamp"] = json!("2026-11-27T09:10:00Z");
        o["metadata"]["finalizers"] = json!([finalizer]);
        o
    }

    /// nginx Deployment → ReplicaSet → two pods.
    fn family() -> ObjectSet {
        let mut s = ObjectSet::new();
        s.insert("deployments", obj("Deployment", "nginx", vec![]));
        s.insert("replicasets", obj("ReplicaSet", "nginx-7854ff8877", vec![owner_ref("Deployment", "nginx", true)]));
        for p in ["nginx-7854ff8877-4xkqz", "nginx-7854ff8877-9zvq2"] {
            s.insert("pods", obj("Pod", p, vec![owner_ref("ReplicaSet", "nginx-7854ff8877", true)]));
        }
        s
    }

    fn writes(plan: &Plan) -> Vec<(Verb, &str, &str, Option<Propagation>)> {
        plan.batches.iter().flatten().map(|w| (w.verb, w.resource, w.name.as_str(), w.propagation)).collect()
    }

    fn sync_all(gc: &mut GarbageCollector, keys: &[String], cache: &ObjectSet) -> Vec<Plan> {
        keys.iter().map(|k| gc.sync(k, cache, 0)).collect()
    }

    /// KW garbage-collection.md, background cascading deletion: `kubectl delete deployment
    /// nginx` → its ReplicaSet is collected, then the ReplicaSet's pods, with UID preconditions.
    #[test]
    fn background_deletion_collects_one_generation_at_a_time() {
        let mut cache = family();
        let mut gc = GarbageCollector::new();
        for k in ["deployments/default/nginx", "replicasets/default/nginx-7854ff8877"] {
            assert!(gc.sync(k, &cache, 0).is_empty(), "{k}: everything owned");
        }
        let deploy = cache.remove("deployments", NS, "nginx").expect("there");
        let keys = gc.keys_for(Change { resource: "deployments", old: Some(&deploy), new: None }, &cache, 0);
        assert_eq!(keys, ["replicasets/default/nginx-7854ff8877"]);
        let plans = sync_all(&mut gc, &keys, &cache);
        assert_eq!(
            writes(&plans[0]),
            [(Verb::Delete, "replicasets", "nginx-7854ff8877", Some(Propagation::Background))]
        );
        assert_eq!(plans[0].batches[0][0].uid.as_deref(), Some("uid-nginx-7854ff8877"));
        let rs = cache.remove("replicasets", NS, "nginx-7854ff8877").expect("there");
        let keys = gc.keys_for(Change { resource: "replicasets", old: Some(&rs), new: None }, &cache, 0);
        assert_eq!(keys, ["pods/default/nginx-7854ff8877-4xkqz", "pods/default/nginx-7854ff8877-9zvq2"]);
        for plan in sync_all(&mut gc, &keys, &cache) {
            assert_eq!(writes(&plan).len(), 1);
            assert_eq!(writes(&plan)[0].3, Some(Propagation::Background));
            assert!(plan.notes.is_empty() && plan.log.is_empty(), "the collector logs nothing at -v=0");
        }
    }

    /// An owner re-created under the same name is another object (UID mismatch → dangling); a
    /// dependent with another live owner only loses the dead reference.
    #[test]
    fn owners_are_matched_by_uid_and_live_co_owners_keep_a_dependent() {
        let mut cache = family();
        let mut reborn = obj("ReplicaSet", "nginx-7854ff8877", vec![]);
        reborn["metadata"]["uid"] = json!("uid-reborn");
        cache.insert("replicasets", reborn);
        let mut gc = GarbageCollector::new();
        let pod = cache.get("pods", NS, "nginx-7854ff8877-4xkqz").cloned().expect("there");
        let keys = gc.keys_for(Change { resource: "pods", old: None, new: Some(&pod) }, &cache, 0);
        assert_eq!(keys, ["pods/default/nginx-7854ff8877-4xkqz"], "its owner is not the one named");
        let plan = gc.sync(&keys[0], &cache, 0);
        assert_eq!(writes(&plan), [(Verb::Delete, "pods", "nginx-7854ff8877-4xkqz", Some(Propagation::Background))]);
        let mut shared =
            obj("Pod", "shared", vec![owner_ref("ReplicaSet", "gone", false), owner_ref("Deployment", "nginx", false)]);
        shared["metadata"]["ownerReferences"][1]["controller"] = json!(false);
        cache.insert("pods", shared);
        let plan = gc.sync("pods/default/shared", &cache, 0);
        assert_eq!(writes(&plan), [(Verb::Update, "pods", "shared", None)]);
        let body = plan.batches[0][0].body.as_ref().expect("pod");
        let mut kept = owner_ref("Deployment", "nginx", false);
        kept["controller"] = json!(false);
        assert_eq!(body["metadata"]["ownerReferences"], json!([kept]));
        assert_eq!(body["metadata"]["resourceVersion"], "7", "an update with the resourceVersion read");
    }

    /// KW: foreground cascading deletion — the owner waits (finalizer `foregroundDeletion`)
    /// until its blocking dependents are gone; a dependent with dependents is itself deleted in
    /// the foreground; terminating pods still block.
    #[test]
    fn foreground_deletion_waits_for_blocking_dependents() {
        let mut cache = family();
        let mut gc = GarbageCollector::new();
        let old = cache.get("deployments", NS, "nginx").cloned().expect("there");
        let waiting = deleting(old.clone(), FOREGROUND_FINALIZER);
        cache.insert("deployments", waiting.clone());
        let keys = gc.keys_for(Change { resource: "deployments", old: Some(&old), new: Some(&waiting) }, &cache, 0);
        assert_eq!(keys, ["deployments/default/nginx"]);
        let plan = gc.sync(&keys[0], &cache, 0);
        assert_eq!(writes(&plan), [(Verb::Delete, "replicasets", "nginx-7854ff8877", Some(Propagation::Foreground))]);
        // The API server marks the ReplicaSet; its sync deletes the pods (no dependents: background).
        let rs = cache.get("replicasets", NS, "nginx-7854ff8877").cloned().expect("there");
        cache.insert("replicasets", deleting(rs.clone(), FOREGROUND_FINALIZER));
        let plan = gc.sync("replicasets/default/nginx-7854ff8877", &cache, 0);
        assert_eq!(writes(&plan).iter().map(|w| w.3).collect::<Vec<_>>(), [Some(Propagation::Background); 2]);
        assert!(gc.sync("deployments/default/nginx", &cache, 0).is_empty(), "the RS is still there and blocking");
        // Pods terminating (the kubelet has not finished): still blocking, nothing to do.
        for p in ["nginx-7854ff8877-4xkqz", "nginx-7854ff8877-9zvq2"] {
            let mut pod = cache.get("pods", NS, p).cloned().expect("there");
            pod["metadata"]["deletionTimestamp"] = json!("2026-11-27T09:10:00Z");
            cache.insert("pods", pod);
        }
        assert!(gc.sync("replicasets/default/nginx-7854ff8877", &cache, 0).is_empty());
        // The pods go: the ReplicaSet's finalizer is removed, with its resourceVersion.
        let pod = cache.remove("pods", NS, "nginx-7854ff8877-4xkqz").expect("there");
        let keys = gc.keys_for(Change { resource: "pods", old: Some(&pod), new: None }, &cache, 0);
        assert_eq!(keys, ["replicasets/default/nginx-7854ff8877"], "the waiting owner is woken");
        cache.remove("pods", NS, "nginx-7854ff8877-9zvq2");
        let plan = gc.sync("replicasets/default/nginx-7854ff8877", &cache, 0);
        assert_eq!(writes(&plan), [(Verb::Update, "replicasets", "nginx-7854ff8877", None)]);
        let body = plan.batches[0][0].body.as_ref().expect("rs");
        assert!(body["metadata"].get("finalizers").is_none());
        assert_eq!(body["metadata"]["resourceVersion"], "7");
        // Then the Deployment's.
        let rs = cache.remove("replicasets", NS, "nginx-7854ff8877").expect("there");
        let keys = gc.keys_for(Change { resource: "replicasets", old: Some(&rs), new: None }, &cache, 0);
        assert_eq!(keys, ["deployments/default/nginx"]);
        let plan = gc.sync(&keys[0], &cache, 0);
        assert_eq!(writes(&plan), [(Verb::Update, "deployments", "nginx", None)]);
    }

    /// Non-blocking dependents do not hold the owner back.
    #[test]
    fn only_block_owner_deletion_references_block() {
        let mut cache = ObjectSet::new();
        cache.insert("replicasets", deleting(obj("ReplicaSet", "rs", vec![]), FOREGROUND_FINALIZER));
        let mut pod = obj("Pod", "p", vec![owner_ref("ReplicaSet", "rs", false)]);
        pod["metadata"]["deletionTimestamp"] = json!("2026-11-27T09:10:00Z");
        cache.insert("pods", pod);
        let plan = GarbageCollector::new().sync("replicasets/default/rs", &cache, 0);
        assert_eq!(writes(&plan), [(Verb::Update, "replicasets", "rs", None)]);
    }

    /// KW: `kubectl delete deployment nginx --cascade=orphan` — the ReplicaSet loses its owner
    /// reference (and keeps running), then the Deployment its `orphan` finalizer.
    #[test]
    fn orphan_deletion_frees_dependents_then_the_owner() {
        let mut cache = family();
        let d = cache.get("deployments", NS, "nginx").cloned().expect("there");
        cache.insert("deployments", deleting(d, ORPHAN_FINALIZER));
        let mut gc = GarbageCollector::new();
        let plan = gc.sync("deployments/default/nginx", &cache, 0);
        assert_eq!(plan.batches.len(), 2, "the finalizer goes only after every dependent is freed");
        assert_eq!(
            writes(&plan),
            [(Verb::Update, "replicasets", "nginx-7854ff8877", None), (Verb::Update, "deployments", "nginx", None),]
        );
        let rs = plan.batches[0][0].body.as_ref().expect("rs");
        assert!(rs["metadata"].get("ownerReferences").is_none());
        let d = plan.batches[1][0].body.as_ref().expect("deployment");
        assert!(d["metadata"].get("finalizers").is_none());
    }

    /// The fresh cluster: static pods (owned by Nodes), DaemonSet pods, Deployments' pods —
    /// nothing to collect.
    #[test]
    fn the_fresh_cluster_has_no_garbage() {
        let mut cache = ObjectSet::new();
        for (r, o) in crate::apiserver::bootstrap::cluster_objects(3, 2) {
            cache.insert(r, o);
        }
        let mut gc = GarbageCollector::new();
        let mut checked = 0;
        for resource in WATCHED {
            for o in cache.list(resource, "") {
                let k = key(resource, o);
                let keys = gc.keys_for(Change { resource, old: None, new: Some(o) }, &cache, 0);
                assert!(keys.is_empty(), "{k}: {keys:?}");
                assert!(gc.sync(&k, &cache, 0).is_empty(), "{k}");
                checked += 1;
            }
        }
        assert!(checked > 20);
    }

    #[test]
    fn keys_name_resource_namespace_and_name() {
        let pod = obj("Pod", "p", vec![]);
        assert_eq!(key("pods", &pod), "pods/default/p");
        assert_eq!(parse_key("pods/default/p"), Some(("pods", "default", "p")));
        assert_eq!(parse_key("secrets/default/p"), None);
        assert_eq!(parse_key("garbage"), None);
        assert!(GarbageCollector::new().sync("garbage", &ObjectSet::new(), 0).is_empty());
    }
}
