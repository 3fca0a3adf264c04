//! What a DELETE does to a stored object, as a pure function: remove it now, or only mark it
//! (`metadata.deletionTimestamp`, `deletionGracePeriodSeconds`, the garbage collector's
//! finalizers) and leave the removal to whoever finishes the deletion — the kubelet for a pod it
//! runs (graceful deletion), the garbage collector for `foregroundDeletion` / `orphan`, any
//! controller for its own finalizer. KW `concepts/architecture/garbage-collection.md`,
//! `concepts/overview/working-with-objects/finalizers.md`, `concepts/workloads/pods/pod-lifecycle.md`
//! ("Termination of Pods").
//!
//! Sources (KK at v1.27): `staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go`
//! (`Delete`, `updateForGracefulDeletionAndFinalizers`, `deletionFinalizersForGarbageCollection`,
//! `shouldOrphanDependents`, `shouldDeleteDependents`, `markAsDeleting`, `ShouldDeleteDuringUpdate`),
//! `staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go` (`BeforeDelete`),
//! `pkg/registry/core/pod/strategy.go` (`CheckGracefulDelete`), and the `DefaultGarbageCollectionPolicy`
//! of `pkg/registry/apps/*/strategy.go` and `pkg/registry/batch/job/strategy.go`.
//!
//! Simplified: when the real store deletes "gracelessly" a pod that supports graceful deletion
//! (grace 0, or an unbound pod), it first stores the object with `deletionTimestamp` set and then
//! removes it — two etcd revisions; the lab removes it in one. Namespaces keep the lab's immediate
//! removal (the namespace controller, which would empty a `Terminating` namespace, is not
//! simulated).

use serde_json::Value;

use super::handler::DeleteOptions;
use super::object::{self, Object};
use crate::controllers::Propagation;
use crate::k8s::resources::ApiResource;

/// The garbage collector's finalizers (apimachinery `metav1.FinalizerOrphanDependents`,
/// `metav1.FinalizerDeleteDependents`).
pub const FINALIZER_ORPHAN: &str = "orphan";
pub const FINALIZER_FOREGROUND: &str = "foregroundDeletion";

/// `terminationGracePeriodSeconds` when a pod has none (`SetDefaults_PodSpec`; every stored pod
/// has been defaulted, so this only guards hand-made objects).
pub const POD_GRACE_DEFAULT_S: u64 = 30;

/// The most a grace period may be (a year): bounds the arithmetic on timestamps.
pub const GRACE_MAX_S: u64 = 365 * 24 * 3600;

/// What a delete request does to the object it found.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// Remove the key now.
    Remove,
    /// Store this object instead: it is being deleted, but something must finish first.
    Mark(Object),
    /// Nothing to write: a graceful deletion with no shorter grace period is already under way
    /// (or the marks asked for are already there).
    Unchanged,
}

/// The resource's `DefaultGarbageCollectionPolicy` when the request names none: batch/v1 Jobs
/// orphan their pods (kept for compatibility); everything else deletes dependents in the
/// background. (kubectl always sends a policy — `--cascade=background` by default.)
fn orphans_by_default(resource: &ApiResource) -> bool {
    resource.group == "batch" && resource.name == "jobs"
}

/// Only pods implement `RESTGracefulDeleteStrategy` among the lab's resources.
fn supports_graceful_deletion(resource: &ApiResource) -> bool {
    resource.group.is_empty() && resource.name == "pods"
}

pub fn finalizers(obj: &Object) -> Vec<String> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).map(String::from).collect())
        .unwrap_or_default()
}

fn set_finalizers(obj: &mut Object, list: &[String]) {
    let meta = object::metadata_mut(obj);
    if list.is_empty() {
        meta.remove("finalizers");
    } else {
        meta.insert("finalizers".into(), Value::from(list.to_vec()));
    }
}

/// `metadata.deletionTimestamp` in Unix seconds (`None`: not being deleted).
pub fn deletion_timestamp_s(obj: &Object) -> Option<u64> {
    object::parse_rfc3339(object::str_at(obj, "/metadata/deletionTimestamp"))
        .or_else(|| obj.pointer("/metadata/deletionTimestamp").filter(|v| !v.is_null()).map(|_| 0))
}

pub fn deletion_grace_s(obj: &Object) -> Option<u64> {
    obj.pointer("/metadata/deletionGracePeriodSeconds").and_then(Value::as_u64)
}

fn set_deletion(obj: &mut Object, at_unix_s: u64, grace_s: u64) {
    let meta = object::metadata_mut(obj);
    meta.insert("deletionTimestamp".into(), Value::String(object::rfc3339(at_unix_s)));
    meta.insert("deletionGracePeriodSeconds".into(), Value::from(grace_s));
}

fn bump_generation(obj: &mut Object) {
    if let Some(g) = obj.pointer("/metadata/generation").and_then(Value::as_u64).filter(|&g| g > 0) {
        object::metadata_mut(obj).insert("generation".into(), Value::from(g + 1));
    }
}

/// The pod strategy's `CheckGracefulDelete`: the grace period asked for, else the pod's own;
/// 0 for a pod no node runs (unbound) or one that has finished (Succeeded, Failed).
fn pod_grace_s(pod: &Object, options: &DeleteOptions) -> u64 {
    let own = pod.pointer("/spec/terminationGracePeriodSeconds").and_then(Value::as_u64);
    let mut period = options.grace_period_s.unwrap_or(own.unwrap_or(POD_GRACE_DEFAULT_S));
    if object::str_at(pod, "/spec/nodeName").is_empty() {
        period = 0;
    }
    if matches!(object::str_at(pod, "/status/phase"), "Succeeded" | "Failed") {
        period = 0;
    }
    period.min(GRACE_MAX_S)
}

/// `deletionFinalizersForGarbageCollection`: the finalizers the object should carry for this
/// delete — `orphan` or `foregroundDeletion` as the propagation policy asks (an explicit policy
/// wins; without one, a GC finalizer already there decides, then the resource's default) — and
/// whether that changes the set.
fn gc_finalizers(resource: &ApiResource, existing: &[String], propagation: Option<Propagation>) -> (bool, Vec<String>) {
    let first_gc = existing.iter().find(|f| *f == FINALIZER_ORPHAN || *f == FINALIZER_FOREGROUND).map(String::as_str);
    let orphan = match propagation {
        Some(p) => p == Propagation::Orphan,
        None => match first_gc {
            Some(f) => f == FINALIZER_ORPHAN,
            None => orphans_by_default(resource),
        },
    };
    let foreground = match propagation {
        Some(p) => p == Propagation::Foreground,
        None => first_gc == Some(FINALIZER_FOREGROUND),
    };
    let mut list: Vec<String> =
        existing.iter().filter(|f| *f != FINALIZER_ORPHAN && *f != FINALIZER_FOREGROUND).cloned().collect();
    if orphan {
        list.push(FINALIZER_ORPHAN.into());
    }
    if foreground {
        list.push(FINALIZER_FOREGROUND.into());
    }
    let as_set = |l: &[String]| l.iter().cloned().collect::<std::collections::BTreeSet<String>>();
    let changed = as_set(existing) != as_set(&list);
    (changed, if changed { list } else { existing.to_vec() })
}

/// `markAsDeleting`: for an object without graceful deletion that must wait for finalizers —
/// deletionTimestamp now (unless an earlier one is set), grace 0, generation bumped the first time.
fn mark_as_deleting(obj: &mut Object, now_unix_s: u64) {
    let existing = deletion_timestamp_s(obj);
    if existing.is_none() {
        bump_generation(obj);
    }
    let at = match existing {
        Some(t) if t <= now_unix_s => t,
        _ => now_unix_s,
    };
    set_deletion(obj, at, 0);
}

/// What deleting `current` (an object of `resource`) with `options` at `now_unix_s` does.
/// Preconditions (`options.uid`) are the caller's to check first, as `BeforeDelete` does.
pub fn plan(resource: &ApiResource, current: &Object, options: &DeleteOptions, now_unix_s: u64) -> Plan {
    if resource.group.is_empty() && resource.name == "namespaces" {
        return Plan::Remove;
    }
    let mut obj = current.clone();
    // rest.BeforeDelete.
    let mut graceful = false;
    let mut grace_s = 0;
    if supports_graceful_deletion(resource) {
        match (deletion_timestamp_s(&obj), deletion_grace_s(&obj)) {
            // Already being deleted with no grace left: delete (or mark, for finalizers) now.
            (Some(_), None | Some(0)) => {}
            // Already being deleted: only a shorter grace period changes anything.
            (Some(at), Some(old_grace)) => match options.grace_period_s {
                Some(p) if p < old_grace => {
                    set_deletion(&mut obj, at.saturating_sub(old_grace) + p, p);
                    graceful = true;
                    grace_s = p;
                }
                _ => return Plan::Unchanged,
            },
            (None, _) => {
                grace_s = pod_grace_s(&obj, options);
                set_deletion(&mut obj, now_unix_s + grace_s, grace_s);
                bump_generation(&mut obj);
                graceful = true;
            }
        }
    }
    // updateForGracefulDeletionAndFinalizers.
    let (changed, list) = gc_finalizers(resource, &finalizers(&obj), options.propagation);
    if changed {
        set_finalizers(&mut obj, &list);
    }
    let pending_finalizers = !list.is_empty();
    if !graceful {
        if !pending_finalizers {
            return Plan::Remove;
        }
        mark_as_deleting(&mut obj, now_unix_s);
    } else if !pending_finalizers && grace_s == 0 {
        return Plan::Remove;
    }
    // etcd3 GuaranteedUpdate writes nothing when the object did not change.
    if obj == *current {
        Plan::Unchanged
    } else {
        Plan::Mark(obj)
    }
}

/// `ShouldDeleteDuringUpdate`: an update that leaves an object being deleted (with no grace
/// left) without finalizers removes it instead of storing it.
pub fn should_delete_during_update(new: &Object, old: &Object) -> bool {
    finalizers(new).is_empty() && deletion_timestamp_s(old).is_some() && deletion_grace_s(old).is_none_or(|g| g == 0)
}

/// `rest.BeforeUpdate`: an update can never remove or change a deletion timestamp, nor drop the
/// grace period it was given.
pub fn keep_deletion_marks(new: &mut Object, old: &Object) {
    let ts = old.pointer("/metadata/deletionTimestamp").filter(|v| !v.is_null()).cloned();
    let grace = old.pointer("/metadata/deletionGracePeriodSeconds").filter(|v| !v.is_null()).cloned();
    let new_has_grace = new.pointer("/metadata/deletionGracePeriodSeconds").is_some_and(|v| !v.is_null());
    let meta = object::metadata_mut(new);
    match ts {
        Some(t) => {
            meta.insert("deletionTimestamp".into(), t);
        }
        None => {
            meta.remove("deletionTimestamp");
        }
    }
    if let Some(g) = grace.filter(|_| !new_has_grace) {
        meta.insert("deletionGracePeriodSeconds".into(), g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::resources::resolve;
    use serde_json::json;

    const NOW: u64 = object::EPOCH_UNIX_S + 100;

    fn pod(node: &str) -> Object {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default", "uid": "u1"},
            "spec": {"nodeName": node, "terminationGracePeriodSeconds": 30}, "status": {"phase": "Running"}})
    }

    fn deploy() -> Object {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "uid": "u2", "generation": 3}, "spec": {"replicas": 2}})
    }

    fn opts(grace: Option<u64>, propagation: Option<Propagation>) -> DeleteOptions {
        DeleteOptions { propagation, grace_period_s: grace, uid: None }
    }

    fn marked(p: Plan) -> Object {
        match p {
            Plan::Mark(o) => o,
            other => panic!("expected a mark, got {other:?}"),
        }
    }

    /// KW pod-lifecycle.md "Termination of Pods": a pod a node runs is marked with
    /// deletionTimestamp = now + grace (its terminationGracePeriodSeconds, 30) and stays until the
    /// kubelet deletes it with grace 0.
    #[test]
    fn a_bound_pod_is_only_marked_for_its_grace_period() {
        let pods = resolve("pods").expect("pods");
        let o = marked(plan(pods, &pod("worker"), &opts(None, None), NOW));
        assert_eq!(object::str_at(&o, "/metadata/deletionTimestamp"), object::rfc3339(NOW + 30));
        assert_eq!(deletion_grace_s(&o), Some(30));
        assert!(finalizers(&o).is_empty(), "Background propagation adds no finalizer");
        let o = marked(plan(pods, &pod("worker"), &opts(Some(5), Some(Propagation::Background)), NOW));
        assert_eq!(deletion_grace_s(&o), Some(5));
        // A second delete with no shorter grace changes nothing; a shorter one moves the time up.
        assert_eq!(plan(pods, &o, &opts(None, None), NOW + 1), Plan::Unchanged);
        assert_eq!(plan(pods, &o, &opts(Some(5), None), NOW + 1), Plan::Unchanged);
        let shorter = marked(plan(pods, &o, &opts(Some(2), None), NOW + 1));
        assert_eq!(object::str_at(&shorter, "/metadata/deletionTimestamp"), object::rfc3339(NOW + 2));
        // The kubelet's final delete (grace 0) removes it.
        assert_eq!(plan(pods, &o, &opts(Some(0), None), NOW + 4), Plan::Remove);
    }

    /// pod strategy `CheckGracefulDelete`: no node, or a finished pod, means grace 0.
    #[test]
    fn unbound_finished_or_zero_grace_pods_go_at_once() {
        let pods = resolve("pods").expect("pods");
        assert_eq!(plan(pods, &pod(""), &opts(None, None), NOW), Plan::Remove);
        assert_eq!(plan(pods, &pod("worker"), &opts(Some(0), None), NOW), Plan::Remove);
        let mut done = pod("worker");
        done["status"]["phase"] = json!("Succeeded");
        assert_eq!(plan(pods, &done, &opts(None, None), NOW), Plan::Remove);
    }

    /// KW garbage-collection.md: foreground deletion marks the owner with `foregroundDeletion`,
    /// orphan with `orphan`; deletionTimestamp is now, deletionGracePeriodSeconds 0, and the
    /// generation moves (store.go `markAsDeleting`). Background removes the owner at once.
    #[test]
    fn propagation_policies_add_the_collectors_finalizers() {
        let deployments = resolve("deployments").expect("deployments");
        let o = marked(plan(deployments, &deploy(), &opts(None, Some(Propagation::Foreground)), NOW));
        assert_eq!(finalizers(&o), ["foregroundDeletion"]);
        assert_eq!(object::str_at(&o, "/metadata/deletionTimestamp"), object::rfc3339(NOW));
        assert_eq!(deletion_grace_s(&o), Some(0));
        assert_eq!(o.pointer("/metadata/generation"), Some(&json!(4)));
        let o = marked(plan(deployments, &deploy(), &opts(None, Some(Propagation::Orphan)), NOW));
        assert_eq!(finalizers(&o), ["orphan"]);
        assert_eq!(plan(deployments, &deploy(), &opts(None, Some(Propagation::Background)), NOW), Plan::Remove);
        assert_eq!(plan(deployments, &deploy(), &opts(None, None), NOW), Plan::Remove, "apps/v1 default");
        // batch/v1 Jobs orphan by default.
        let jobs = resolve("jobs").expect("jobs");
        let job = json!({"kind": "Job", "metadata": {"name": "j", "namespace": "default"}});
        assert_eq!(finalizers(&marked(plan(jobs, &job, &opts(None, None), NOW))), ["orphan"]);
        // A bound pod deleted in the foreground keeps its grace period and gets the finalizer.
        let pods = resolve("pods").expect("pods");
        let o = marked(plan(pods, &pod("worker"), &opts(None, Some(Propagation::Foreground)), NOW));
        assert_eq!((finalizers(&o), deletion_grace_s(&o)), (vec!["foregroundDeletion".to_string()], Some(30)));
    }

    /// Finalizers hold an object (KW finalizers.md): any finalizer means "mark only"; deleting
    /// again changes nothing; switching policy swaps the collector's finalizer.
    #[test]
    fn objects_with_finalizers_are_only_marked() {
        let cms = resolve("configmaps").expect("configmaps");
        let cm = json!({"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default", "finalizers": ["example.com/keep"]}});
        let o = marked(plan(cms, &cm, &opts(None, Some(Propagation::Background)), NOW));
        assert_eq!(finalizers(&o), ["example.com/keep"]);
        assert_eq!(plan(cms, &o, &opts(None, Some(Propagation::Background)), NOW + 5), Plan::Unchanged);
        let o2 = marked(plan(cms, &o, &opts(None, Some(Propagation::Orphan)), NOW + 5));
        assert_eq!(finalizers(&o2), ["example.com/keep", "orphan"]);
        assert_eq!(object::str_at(&o2, "/metadata/deletionTimestamp"), object::rfc3339(NOW), "kept");
        // With the finalizers gone an update removes it (ShouldDeleteDuringUpdate).
        let mut emptied = o.clone();
        set_finalizers(&mut emptied, &[]);
        assert!(should_delete_during_update(&emptied, &o));
        assert!(!should_delete_during_update(&o, &o));
        assert!(!should_delete_during_update(&emptied, &cm), "not being deleted");
        let graceful = marked(plan(resolve("pods").expect("pods"), &pod("worker"), &opts(None, None), NOW));
        assert!(!should_delete_during_update(&graceful, &graceful), "grace left: the kubelet deletes it");
    }

    #[test]
    fn updates_keep_the_deletion_marks() {
        let old = marked(plan(resolve("pods").expect("pods"), &pod("worker"), &opts(None, None), NOW));
        let mut new = pod("worker");
        keep_deletion_marks(&mut new, &old);
        assert_eq!(new.pointer("/metadata/deletionTimestamp"), old.pointer("/metadata/deletionTimestamp"));
        assert_eq!(deletion_grace_s(&new), Some(30));
        let mut sneaky = old.clone();
        keep_deletion_marks(&mut sneaky, &pod("worker"));
        assert!(sneaky.pointer("/metadata/deletionTimestamp").is_none(), "an update cannot set it either");
    }
}
