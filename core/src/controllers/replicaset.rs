//! The ReplicaSet controller (KK `pkg/controller/replicaset/replica_set.go`,
//! `replica_set_utils.go`, `pkg/controller/controller_utils.go`; fact sheet §5).
//!
//! A sync compares the ReplicaSet's `spec.replicas` with its active pods (not terminating, not
//! Succeeded/Failed) and creates or deletes the difference, at most `BurstReplicas` = 500 at a
//! time. Creates go out in slow-start batches (1, 2, 4, …): a failing batch (a quota, say) stops
//! the rest, so a doomed scale-up costs one request, not hundreds. Deletes pick the pods that
//! are cheapest to lose first (`ActivePodsWithRanks.Less`).
//!
//! Expectations keep it from acting twice on a stale cache: after asking for N creates the
//! controller does nothing more for that ReplicaSet until its informer has seen the N pods (or
//! the requests failed, or 5 minutes passed). [`ReplicaSetController::ignore_expectations`]
//! switches that off — the lab's mutant, which over-creates.
//!
//! Also here, because the other robots read pods the same way: the pod helpers of KK
//! `pkg/api/v1/pod/util.go` and `controller_utils.go` (ready, active, available, controller ref).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::{json, Value};

use super::{Change, Diff, EventType, Note, Plan, Robot, Write};
use crate::apiserver::handler::Verb;
use crate::apiserver::object::{self, Object};
use crate::apiserver::validation::selector_matches;
use crate::apiserver::Informers;
use crate::k8s::status::Status;
use crate::sim::US_PER_S;

/// `BurstReplicas`: creates or deletes one sync asks for at most.
pub const BURST_REPLICAS: usize = 500;
/// `controller.SlowStartInitialBatchSize`.
pub const SLOW_START_INITIAL_BATCH_SIZE: usize = 1;
/// `controller.ExpectationsTimeout`: unmet expectations are given up after 5 minutes.
pub const EXPECTATIONS_TIMEOUT_US: u64 = 5 * 60 * US_PER_S;
/// ReplicaSets the controller keeps expectations for at most (one per ReplicaSet in practice).
pub const EXPECTATIONS_MAX: usize = 10_000;
/// The annotation `ActivePodsWithRanks` reads (KK `pkg/apis/core/types.go` `PodDeletionCost`).
pub const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

// ---------------------------------------------------------------------------------------------
// Pods as controllers read them.

/// `status.phase` (`""` when the kubelet has not reported yet).
pub fn pod_phase(pod: &Object) -> &str {
    object::str_at(pod, "/status/phase")
}

/// The pod's condition of `type` (`Ready`, `PodScheduled`, …).
pub fn pod_condition<'a>(pod: &'a Object, kind: &str) -> Option<&'a Value> {
    object::at(pod, "/status/conditions")?.as_array()?.iter().find(|c| object::str_at(c, "/type") == kind)
}

/// podutil `IsPodReady`: condition `Ready` with status `"True"`.
pub fn is_pod_ready(pod: &Object) -> bool {
    pod_condition(pod, "Ready").is_some_and(|c| object::str_at(c, "/status") == "True")
}

/// Since when the pod has been Ready (Unix seconds of the Ready condition's
/// `lastTransitionTime`); `None` if it is not ready or the time is missing.
pub fn pod_ready_since_s(pod: &Object) -> Option<u64> {
    if !is_pod_ready(pod) {
        return None;
    }
    pod_condition(pod, "Ready").and_then(|c| object::parse_rfc3339(object::str_at(c, "/lastTransitionTime")))
}

/// `metadata.deletionTimestamp` is set (kubectl shows `Terminating`).
pub fn is_terminating(obj: &Object) -> bool {
    object::at(obj, "/metadata/deletionTimestamp").is_some_and(|t| !t.is_null())
}

/// controller `IsPodActive`: not Succeeded, not Failed, not terminating.
pub fn is_pod_active(pod: &Object) -> bool {
    !matches!(pod_phase(pod), "Succeeded" | "Failed") && !is_terminating(pod)
}

/// podutil `IsPodAvailable`: Ready, and for longer than `min_ready_s` at `now_us` (strictly).
pub fn is_pod_available(pod: &Object, min_ready_s: u64, now_us: u64) -> bool {
    if !is_pod_ready(pod) {
        return false;
    }
    if min_ready_s == 0 {
        return true;
    }
    let Some(since_s) = pod_ready_since_s(pod) else { return false };
    (since_s + min_ready_s) * US_PER_S < unix_us(now_us)
}

/// Unix microseconds at simulated `now_us`.
fn unix_us(now_us: u64) -> u64 {
    object::EPOCH_UNIX_S * US_PER_S + now_us
}

/// The owner references of `obj` (empty when none).
pub fn owner_refs(obj: &Object) -> &[Value] {
    object::at(obj, "/metadata/ownerReferences").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// metav1 `GetControllerOf`: the owner reference with `controller: true`.
pub fn controller_of(obj: &Object) -> Option<&Value> {
    owner_refs(obj).iter().find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

/// `namespace/name` (`name` for cluster-scoped objects): client-go's `MetaNamespaceKeyFunc`.
pub fn key_of(obj: &Object) -> String {
    match object::namespace(obj) {
        "" => object::name(obj).to_string(),
        ns => format!("{ns}/{}", object::name(obj)),
    }
}

/// client-go `SplitMetaNamespaceKey`.
pub fn split_key(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or(("", key))
}

fn uid(obj: &Object) -> &str {
    object::str_at(obj, "/metadata/uid")
}

fn int_at(obj: &Object, pointer: &str) -> i64 {
    object::at(obj, pointer).and_then(Value::as_i64).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Slow start and deletion ranking.

/// `slowStartBatch`'s batch sizes for `count` calls: 1, 2, 4, … with the last one what is left.
pub fn slow_start_sizes(count: usize, initial: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut remaining = count;
    let mut size = remaining.min(initial);
    while size > 0 {
        sizes.push(size);
        remaining -= size;
        size = (2 * size).min(remaining);
    }
    assert!(initial == 0 || sizes.iter().sum::<usize>() == count);
    sizes
}

/// What `ActivePodsWithRanks.Less` reads of one pod, read once.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ranked<'a> {
    pod: &'a Object,
    scheduled: bool,
    /// `podPhaseToOrdinal`: Pending 0, Unknown 1, Running 2 (anything else 0).
    phase: u8,
    ready: bool,
    cost: i64,
    /// Active pods of this ReplicaSet's family on the same node (this one included).
    colocated: usize,
    /// Unix seconds; `None` is Go's zero time.
    ready_since_s: Option<u64>,
    restarts: i64,
    created_s: Option<u64>,
    uid: &'a str,
}

impl<'a> Ranked<'a> {
    fn new(pod: &'a Object, colocated: usize) -> Ranked<'a> {
        let restarts = pod
            .pointer("/status/containerStatuses")
            .and_then(Value::as_array)
            .map_or(0, |cs| cs.iter().map(|c| int_at(c, "/restartCount")).max().unwrap_or(0));
        // `GetDeletionCostFromPodAnnotations`: an int32; anything else counts as 0.
        let cost = object::str_at(pod, "/metadata/annotations/controller.kubernetes.io~1pod-deletion-cost")
            .parse::<i32>()
            .map_or(0, i64::from);
        Ranked {
            pod,
            scheduled: !object::str_at(pod, "/spec/nodeName").is_empty(),
            phase: match pod_phase(pod) {
                "Unknown" => 1,
                "Running" => 2,
                _ => 0,
            },
            ready: is_pod_ready(pod),
            cost,
            colocated,
            ready_since_s: pod_condition(pod, "Ready")
                .and_then(|c| object::parse_rfc3339(object::str_at(c, "/lastTransitionTime"))),
            restarts,
            created_s: object::parse_rfc3339(object::str_at(pod, "/metadata/creationTimestamp")),
            uid: uid(pod),
        }
    }
}

/// `logarithmicRankDiff` (feature LogarithmicScaleDown, on by default since 1.22): compares the
/// ages in whole powers of two of nanoseconds, so pods of about the same age count as equal.
fn log_rank(t_s: u64, now_unix_us: u64) -> i64 {
    let age_ns = (now_unix_us.saturating_sub(t_s * US_PER_S)) as u128 * 1_000;
    if age_ns == 0 {
        -1
    } else {
        // floor(log2) in integers (Go: int64(math.Log2(float64(d)))).
        i64::from(127 - age_ns.leading_zeros())
    }
}

/// Go's `afterOrZero` then the log-scale comparison, for two times that differ: `Less` if `a`
/// is to be deleted first (newer, or zero).
fn newer_first(a: Option<u64>, b: Option<u64>, uid_a: &str, uid_b: &str, now_unix_us: u64) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => match log_rank(a, now_unix_us).cmp(&log_rank(b, now_unix_us)) {
            Ordering::Equal => uid_a.cmp(uid_b),
            o => o,
        },
    }
}

/// `ActivePodsWithRanks.Less`: `Less` means `a` goes before `b` (is deleted first).
fn deletion_order(a: &Ranked<'_>, b: &Ranked<'_>, now_unix_us: u64) -> Ordering {
    // 1. Unscheduled < scheduled.
    if a.scheduled != b.scheduled {
        return if a.scheduled { Ordering::Greater } else { Ordering::Less };
    }
    // 2. Pending < Unknown < Running.
    if a.phase != b.phase {
        return a.phase.cmp(&b.phase);
    }
    // 3. Not ready < ready.
    if a.ready != b.ready {
        return a.ready.cmp(&b.ready);
    }
    // 4. Lower pod-deletion-cost first.
    if a.cost != b.cost {
        return a.cost.cmp(&b.cost);
    }
    // 5. More pods of the family on the same node first (doubled-up pods go first).
    if a.colocated != b.colocated {
        return b.colocated.cmp(&a.colocated);
    }
    // 6. Ready for less time first.
    if a.ready && b.ready && a.ready_since_s != b.ready_since_s {
        return newer_first(a.ready_since_s, b.ready_since_s, a.uid, b.uid, now_unix_us);
    }
    // 7. More restarts first.
    if a.restarts != b.restarts {
        return b.restarts.cmp(&a.restarts);
    }
    // 8. Newer first.
    if a.created_s != b.created_s {
        return newer_first(a.created_s, b.created_s, a.uid, b.uid, now_unix_us);
    }
    Ordering::Equal
}

/// A stable merge sort that cannot panic on a comparison that is not a total order (the
/// log-scale buckets make `Less` intransitive in corner cases; std's sort may then panic).
fn merge_sort<T: Clone>(items: &mut Vec<T>, cmp: &impl Fn(&T, &T) -> Ordering) {
    if items.len() <= 1 {
        return;
    }
    let mut right = items.split_off(items.len() / 2);
    merge_sort(items, cmp);
    merge_sort(&mut right, cmp);
    let left = std::mem::take(items);
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if cmp(&right[j], &left[i]) == Ordering::Less {
            items.push(right[j].clone());
            j += 1;
        } else {
            items.push(left[i].clone());
            i += 1;
        }
    }
    items.extend_from_slice(&left[i..]);
    items.extend_from_slice(&right[j..]);
}

/// `getPodsToDelete`: the `count` pods of `pods` to delete, ranked against `related` (the
/// pods of every ReplicaSet with the same controller, for the same-node count).
pub fn pods_to_delete<'a>(pods: &[&'a Object], related: &[&Object], count: usize, now_us: u64) -> Vec<&'a Object> {
    let mut on_node: BTreeMap<&str, usize> = BTreeMap::new();
    for p in related.iter().filter(|p| is_pod_active(p)) {
        *on_node.entry(object::str_at(p, "/spec/nodeName")).or_default() += 1;
    }
    let mut ranked: Vec<Ranked<'a>> = pods
        .iter()
        .map(|p| Ranked::new(p, on_node.get(object::str_at(p, "/spec/nodeName")).copied().unwrap_or(0)))
        .collect();
    let now_unix_us = unix_us(now_us);
    merge_sort(&mut ranked, &|a, b| deletion_order(a, b, now_unix_us));
    ranked.into_iter().take(count).map(|r| r.pod).collect()
}

// ---------------------------------------------------------------------------------------------
// The controller.

/// `ControllerExpectations` + `UIDTrackingControllerExpectations` for one ReplicaSet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct Expectations {
    /// Creates asked for and not yet seen (or failed).
    add: i64,
    /// Deletes asked for and not yet seen.
    del: i64,
    set_at_us: u64,
    /// `namespace/name` of the pods whose deletion is expected (each observed once).
    deleting: BTreeSet<String>,
}

/// The answers still due for one sync's plan (the integrator sends batch n+1 only after
/// batch n fully succeeded, so a failure means every later batch is skipped).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct Flight {
    /// Per batch: (answers not yet in, creates in it).
    batches: VecDeque<(usize, usize)>,
    failed: bool,
    rs_uid: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ReplicaSetController {
    expectations: BTreeMap<String, Expectations>,
    flights: BTreeMap<String, Flight>,
    /// The lab's mutant: act on every sync as if expectations were met (over-creates on a
    /// cache that has not caught up with the creates yet).
    pub ignore_expectations: bool,
}

const WATCHES: &[&str] = &["replicasets", "pods"];

impl ReplicaSetController {
    pub fn new() -> ReplicaSetController {
        ReplicaSetController::default()
    }

    /// `SatisfiedExpectations`: no record, all observed, or given up after 5 minutes.
    pub fn expectations_satisfied(&self, key: &str, now_us: u64) -> bool {
        match self.expectations.get(key) {
            None => true,
            Some(e) => (e.add <= 0 && e.del <= 0) || now_us.saturating_sub(e.set_at_us) > EXPECTATIONS_TIMEOUT_US,
        }
    }

    /// (creates, deletes) still expected for `key` (for drawing and tests).
    pub fn expected(&self, key: &str) -> (i64, i64) {
        self.expectations.get(key).map_or((0, 0), |e| (e.add, e.del))
    }

    fn set_expectations(&mut self, key: &str, add: i64, deleting: BTreeSet<String>, now_us: u64) {
        if !self.expectations.contains_key(key) && self.expectations.len() >= EXPECTATIONS_MAX {
            // Untracked: the ReplicaSet then syncs as if satisfied (never reached in practice).
            return;
        }
        let del = deleting.len() as i64;
        self.expectations.insert(key.to_string(), Expectations { add, del, set_at_us: now_us, deleting });
    }

    /// `CreationObserved` (also used for a create that failed or was skipped).
    fn creation_observed(&mut self, key: &str) {
        if let Some(e) = self.expectations.get_mut(key) {
            e.add -= 1;
        }
    }

    /// `UIDTrackingControllerExpectations.DeletionObserved`: counts once per expected pod.
    fn deletion_observed(&mut self, key: &str, pod_key: &str) {
        if let Some(e) = self.expectations.get_mut(key) {
            if e.deleting.remove(pod_key) {
                e.del -= 1;
            }
        }
    }

    /// `resolveControllerRef`: the ReplicaSet a controller reference names, if it still is the
    /// one with that UID.
    fn resolve<'c>(cache: &'c dyn Informers, namespace: &str, r: &Value) -> Option<&'c Object> {
        if object::str_at(r, "/kind") != "ReplicaSet" {
            return None;
        }
        let rs = cache.get("replicasets", namespace, object::str_at(r, "/name"))?;
        (uid(rs) == object::str_at(r, "/uid")).then_some(rs)
    }

    /// `getPodReplicaSets`: ReplicaSets whose selector takes this (orphan) pod.
    fn selecting<'c>(cache: &'c dyn Informers, pod: &Object) -> Vec<&'c Object> {
        let labels = pod.pointer("/metadata/labels");
        cache
            .list("replicasets", object::namespace(pod))
            .into_iter()
            .filter(|rs| selector_matches(rs.pointer("/spec/selector"), labels))
            .collect()
    }

    /// `addPod`.
    fn pod_added(&mut self, pod: &Object, cache: &dyn Informers, keys: &mut Vec<String>) {
        if is_terminating(pod) {
            return self.pod_deleted(pod, cache, keys);
        }
        if let Some(r) = controller_of(pod) {
            if let Some(rs) = Self::resolve(cache, object::namespace(pod), r) {
                let key = key_of(rs);
                self.creation_observed(&key);
                keys.push(key);
            }
            return;
        }
        // An orphan: whoever selects it may adopt it (no creation observed: nobody waits for it).
        keys.extend(Self::selecting(cache, pod).into_iter().map(key_of));
    }

    /// `updatePod`.
    fn pod_updated(&mut self, old: &Object, cur: &Object, cache: &dyn Informers, keys: &mut Vec<String>) {
        if object::resource_version(old) == object::resource_version(cur) {
            return; // A resync, not a change.
        }
        let labels_changed = old.pointer("/metadata/labels") != cur.pointer("/metadata/labels");
        if is_terminating(cur) {
            // Graceful deletion started: replace the pod now, not when the kubelet is done.
            self.pod_deleted(cur, cache, keys);
            if labels_changed {
                self.pod_deleted(old, cache, keys);
            }
            return;
        }
        let (cur_ref, old_ref) = (controller_of(cur), controller_of(old));
        let ref_changed = cur_ref != old_ref;
        if ref_changed {
            if let Some(rs) = old_ref.and_then(|r| Self::resolve(cache, object::namespace(old), r)) {
                keys.push(key_of(rs));
            }
        }
        if let Some(r) = cur_ref {
            if let Some(rs) = Self::resolve(cache, object::namespace(cur), r) {
                keys.push(key_of(rs));
            }
            return;
        }
        if labels_changed || ref_changed {
            keys.extend(Self::selecting(cache, cur).into_iter().map(key_of));
        }
    }

    /// `deletePod` (also a pod that got its deletionTimestamp).
    fn pod_deleted(&mut self, pod: &Object, cache: &dyn Informers, keys: &mut Vec<String>) {
        let Some(r) = controller_of(pod) else { return };
        let Some(rs) = Self::resolve(cache, object::namespace(pod), r) else { return };
        let key = key_of(rs);
        self.deletion_observed(&key, &key_of(pod));
        keys.push(key);
    }

    /// One answer of a flight came back; when its batch is complete and something in it failed,
    /// the creates of the batches that will now be skipped are no longer expected.
    fn flight_answered(&mut self, key: &str, failed: bool) {
        let Some(flight) = self.flights.get_mut(key) else { return };
        flight.failed |= failed;
        let Some(front) = flight.batches.front_mut() else { return };
        front.0 = front.0.saturating_sub(1);
        if front.0 > 0 {
            return;
        }
        flight.batches.pop_front();
        if flight.failed || flight.batches.is_empty() {
            let skipped: usize = flight.batches.iter().map(|&(_, creates)| creates).sum();
            self.flights.remove(key);
            // `Slow-start failure. Skipping creation of pods, decrementing expectations`.
            for _ in 0..skipped {
                self.creation_observed(key);
            }
        }
    }

    /// The pod `GetPodFromTemplate` builds: the template's labels, annotations, finalizers and
    /// spec, `generateName: <rs>-`, and the ReplicaSet as its controller.
    pub fn pod_from_template(rs: &Object) -> Object {
        let template = rs.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
        let mut meta = json!({
            "generateName": format!("{}-", object::name(rs)),
            "namespace": object::namespace(rs),
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": object::name(rs), "uid": uid(rs),
                "controller": true, "blockOwnerDeletion": true,
            }],
        });
        for field in ["labels", "annotations", "finalizers"] {
            if let Some(v) = template.pointer(&format!("/metadata/{field}")).filter(|v| !v.is_null()) {
                meta[field] = v.clone();
            }
        }
        let spec = template.get("spec").cloned().unwrap_or_else(|| json!({}));
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
    }

    fn note(rs_key: &str, rs_uid: &str, kind: EventType, reason: &str, message: String) -> Note {
        let (namespace, name) = split_key(rs_key);
        Note {
            resource: "replicasets",
            namespace: namespace.to_string(),
            name: name.to_string(),
            uid: rs_uid.to_string(),
            kind,
            reason: reason.to_string(),
            message,
        }
    }
}

/// The pod with `owner_uid`'s reference removed (release) or the ReplicaSet's added (adopt),
/// as an update carrying the pod's resourceVersion.
fn with_owner_refs(pod: &Object, refs: Vec<Value>) -> Object {
    let mut copy = pod.clone();
    let meta = object::metadata_mut(&mut copy);
    if refs.is_empty() {
        meta.remove("ownerReferences");
    } else {
        meta.insert("ownerReferences".into(), Value::Array(refs));
    }
    copy
}

/// The status `calculateStatus` gives (replicas, fullyLabeled, ready, available).
fn calculate_status(rs: &Object, pods: &[&Object], now_us: u64) -> [i64; 4] {
    let template_labels = rs.pointer("/spec/template/metadata/labels").and_then(Value::as_object);
    let min_ready_s = int_at(rs, "/spec/minReadySeconds").max(0) as u64;
    let mut status = [pods.len() as i64, 0, 0, 0];
    for pod in pods {
        let fully_labeled = template_labels
            .is_none_or(|tl| tl.iter().all(|(k, v)| pod.pointer("/metadata/labels").and_then(|l| l.get(k)) == Some(v)));
        status[1] += i64::from(fully_labeled);
        if is_pod_ready(pod) {
            status[2] += 1;
            status[3] += i64::from(is_pod_available(pod, min_ready_s, now_us));
        }
    }
    status
}

const STATUS_FIELDS: [&str; 4] = ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas"];

impl Robot for ReplicaSetController {
    fn name(&self) -> &'static str {
        "replicaset"
    }

    fn service_account(&self) -> &'static str {
        "replicaset-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        WATCHES
    }

    /// `--concurrent-replicaset-syncs` default.
    fn workers(&self) -> usize {
        5
    }

    /// The informers' event handlers (`addRS`/`updateRS`/`deleteRS`, `addPod`/`updatePod`/
    /// `deletePod`), which also record what the pod informer observed for expectations. The
    /// cache already holds the change (client-go updates the indexer before notifying).
    fn keys_for(&mut self, change: Change<'_>, cache: &dyn Informers, _now_us: u64) -> Vec<String> {
        let mut keys = Vec::new();
        match (change.resource, change.old, change.new) {
            ("replicasets", old, Some(new)) => {
                if let Some(old) = old.filter(|o| uid(o) != uid(new)) {
                    // Deleted and re-created under the same name between two events.
                    self.expectations.remove(&key_of(old));
                }
                keys.push(key_of(new));
            }
            ("replicasets", Some(old), None) => {
                // So that a new ReplicaSet with this name starts clean.
                self.expectations.remove(&key_of(old));
                keys.push(key_of(old));
            }
            ("pods", None, Some(new)) => self.pod_added(new, cache, &mut keys),
            ("pods", Some(old), Some(new)) => self.pod_updated(old, new, cache, &mut keys),
            ("pods", Some(old), None) => self.pod_deleted(old, cache, &mut keys),
            _ => {}
        }
        keys.dedup();
        keys
    }

    /// `syncReplicaSet`: claim pods, `manageReplicas` if expectations are met, then the status.
    fn sync(&mut self, key: &str, cache: &dyn Informers, now_us: u64) -> Plan {
        let (namespace, name) = split_key(key);
        let Some(rs) = cache.get("replicasets", namespace, name) else {
            self.expectations.remove(key);
            return Plan::default();
        };
        let needs_sync = self.ignore_expectations || self.expectations_satisfied(key, now_us);
        let selector = rs.pointer("/spec/selector");
        let rs_deleting = is_terminating(rs);
        let all_pods = cache.list("pods", namespace);

        // `claimPods` (PodControllerRefManager.ClaimPods) over the active pods.
        let mut claims = Vec::new();
        let mut owned: Vec<&Object> = Vec::new();
        for &pod in all_pods.iter().filter(|p| is_pod_active(p)) {
            let matches = selector_matches(selector, pod.pointer("/metadata/labels"));
            match controller_of(pod) {
                Some(r) if object::str_at(r, "/uid") != uid(rs) => {}
                Some(_) if matches => owned.push(pod),
                Some(_) if rs_deleting => {}
                Some(_) => {
                    // Its labels no longer match: let it go (`kubectl label pod … app-`).
                    let refs = owner_refs(pod).iter().filter(|r| object::str_at(r, "/uid") != uid(rs)).cloned();
                    claims.push(Write::update("pods", with_owner_refs(pod, refs.collect())));
                }
                None if rs_deleting || !matches => {}
                None => {
                    let mut refs = owner_refs(pod).to_vec();
                    refs.push(Self::pod_from_template(rs)["metadata"]["ownerReferences"][0].clone());
                    claims.push(Write::update("pods", with_owner_refs(pod, refs)));
                    owned.push(pod);
                }
            }
        }

        let replicas = rs.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1).max(0);
        let mut plan = Plan {
            diff: Some(Diff {
                what: "replicas".into(),
                desired: replicas.to_string(),
                current: owned.len().to_string(),
            }),
            ..Plan::default()
        };
        if !claims.is_empty() {
            plan.batches.push(claims);
        }

        // `manageReplicas`.
        let diff = owned.len() as i64 - replicas;
        if needs_sync && !rs_deleting && diff < 0 {
            let count = (diff.unsigned_abs() as usize).min(BURST_REPLICAS);
            self.set_expectations(key, count as i64, BTreeSet::new(), now_us);
            for size in slow_start_sizes(count, SLOW_START_INITIAL_BATCH_SIZE) {
                let pod = Self::pod_from_template(rs);
                plan.batches.push(vec![Write::create("pods", namespace, pod); size]);
            }
        } else if needs_sync && !rs_deleting && diff > 0 {
            let count = (diff as usize).min(BURST_REPLICAS);
            let related = related_pods(rs, cache, &all_pods);
            let doomed = pods_to_delete(&owned, &related, count, now_us);
            self.set_expectations(key, 0, doomed.iter().map(|p| key_of(p)).collect(), now_us);
            let deletes = doomed
                .iter()
                .map(|p| Write { uid: Some(uid(p).to_string()), ..Write::delete("pods", namespace, object::name(p)) })
                .collect();
            plan.batches.push(deletes);
        }

        // `calculateStatus` + `updateReplicaSetStatus`: only when something changed.
        let status = calculate_status(rs, &owned, now_us);
        let generation = int_at(rs, "/metadata/generation");
        let unchanged = STATUS_FIELDS.iter().zip(status).all(|(f, v)| int_at(rs, &format!("/status/{f}")) == v)
            && int_at(rs, "/status/observedGeneration") == generation;
        if !unchanged {
            let mut body = rs.clone();
            let st = &mut body["status"];
            if !st.is_object() {
                *st = json!({});
            }
            for (f, v) in STATUS_FIELDS.iter().zip(status) {
                // Go's `omitempty` on all but `replicas`.
                if v == 0 && *f != "replicas" {
                    st.as_object_mut().map(|m| m.remove(*f));
                } else {
                    st[*f] = json!(v);
                }
            }
            if generation != 0 {
                st["observedGeneration"] = json!(generation);
            }
            plan.batches.push(vec![Write::update_status("replicasets", body)]);
        }
        // Resync after minReadySeconds so that ready pods are counted available in time.
        let min_ready_s = int_at(rs, "/spec/minReadySeconds").max(0) as u64;
        if min_ready_s > 0 && status[2] == replicas && status[3] != replicas {
            plan.requeue_after_us = Some(min_ready_s * US_PER_S);
        }

        if plan.batches.is_empty() {
            self.flights.remove(key);
        } else {
            let batches =
                plan.batches.iter().map(|b| (b.len(), b.iter().filter(|w| w.verb == Verb::Create).count())).collect();
            self.flights.insert(key.to_string(), Flight { batches, failed: false, rs_uid: uid(rs).to_string() });
        }
        plan
    }

    /// `RealPodControl`'s events, and expectations lowered for what will never be observed.
    fn answered(&mut self, key: &str, write: &Write, result: Result<&Object, &Status>, _now_us: u64) -> Plan {
        let rs_uid = self.flights.get(key).map(|f| f.rs_uid.clone()).unwrap_or_default();
        let mut plan = Plan::default();
        match (write.verb, write.resource, result) {
            (Verb::Create, "pods", Ok(pod)) => {
                let message = format!("Created pod: {}", object::name(pod));
                plan.notes.push(Self::note(key, &rs_uid, EventType::Normal, "SuccessfulCreate", message));
            }
            (Verb::Create, "pods", Err(status)) => {
                // The informer will never see this pod.
                self.creation_observed(key);
                let terminating_ns = status
                    .details
                    .as_ref()
                    .is_some_and(|d| d.causes.iter().any(|c| c.reason == "NamespaceTerminating"));
                if !terminating_ns {
                    let message = format!("Error creating: {}", status.message);
                    plan.notes.push(Self::note(key, &rs_uid, EventType::Warning, "FailedCreate", message));
                }
            }
            (Verb::Delete, "pods", Ok(_)) => {
                let message = format!("Deleted pod: {}", write.name);
                plan.notes.push(Self::note(key, &rs_uid, EventType::Normal, "SuccessfulDelete", message));
            }
            (Verb::Delete, "pods", Err(status)) => {
                self.deletion_observed(key, &format!("{}/{}", write.namespace, write.name));
                if status.code != 404 {
                    let message = format!("Error deleting: {}", status.message);
                    plan.notes.push(Self::note(key, &rs_uid, EventType::Warning, "FailedDelete", message));
                }
            }
            _ => {}
        }
        self.flight_answered(key, result.is_err());
        plan
    }
}

/// `getIndirectlyRelatedPods`: the pods of every ReplicaSet that has the same controller
/// (a Deployment's old and new ReplicaSets), each once. None for a ReplicaSet without one.
fn related_pods<'c>(rs: &Object, cache: &'c dyn Informers, all_pods: &[&'c Object]) -> Vec<&'c Object> {
    let Some(owner_uid) = controller_of(rs).map(|r| object::str_at(r, "/uid")) else { return Vec::new() };
    let mut seen = BTreeSet::new();
    let mut related = Vec::new();
    for sibling in cache.list("replicasets", object::namespace(rs)) {
        if controller_of(sibling).map(|r| object::str_at(r, "/uid")) != Some(owner_uid) {
            continue;
        }
        for &pod in all_pods {
            if selector_matches(sibling.pointer("/spec/selector"), pod.pointer("/metadata/labels"))
                && seen.insert(uid(pod))
            {
                related.push(pod);
            }
        }
    }
    related
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::ObjectSet;

    const NS: &str = "default";
    const KEY: &str = "default/web-abc";
    /// Simulated time one hour in (objects below are created at t = 0).
    const NOW_US: u64 = 3_600 * US_PER_S;

    fn ts(s: u64) -> String {
        object::rfc3339(object::EPOCH_UNIX_S + s)
    }

    fn rs(replicas: i64) -> Object {
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "name": "web-abc", "namespace": NS, "uid": "rs-uid", "generation": 1, "resourceVersion": "10",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "dep-uid",
                                     "controller": true, "blockOwnerDeletion": true}],
            },
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web", "tier": "front"}},
                             "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}},
            },
        })
    }

    /// A running, ready pod of the ReplicaSet on `node`, ready since `ready_s` (sim seconds).
    fn pod(name: &str, node: &str, ready_s: u64) -> Object {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": name, "namespace": NS, "uid": format!("uid-{name}"), "resourceVersion": "20",
                "creationTimestamp": ts(0), "labels": {"app": "web", "tier": "front"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc",
                                     "uid": "rs-uid", "controller": true, "blockOwnerDeletion": true}],
            },
            "spec": {"nodeName": node, "containers": [{"name": "nginx", "image": "nginx"}]},
            "status": {
                "phase": "Running", "podIP": "10.244.1.5",
                "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": ts(ready_s)}],
                "containerStatuses": [{"name": "nginx", "restartCount": 0}],
            },
        })
    }

    fn set_of(objs: Vec<(&str, Object)>) -> ObjectSet {
        let mut s = ObjectSet::new();
        for (r, o) in objs {
            s.insert(r, o);
        }
        s
    }

    fn creates(plan: &Plan) -> Vec<usize> {
        plan.batches
            .iter()
            .filter(|b| b.iter().any(|w| w.verb == Verb::Create))
            .map(|b| {
                assert!(b.iter().all(|w| w.verb == Verb::Create));
                b.len()
            })
            .collect()
    }

    fn ok_status() -> Object {
        json!({})
    }

    /// KK replica_set.go `slowStartBatch`: 1, 2, 4, … — the last batch is what is left.
    #[test]
    fn slow_start_batches_double_and_sum_to_the_count() {
        assert_eq!(slow_start_sizes(0, 1), Vec::<usize>::new());
        assert_eq!(slow_start_sizes(1, 1), [1]);
        assert_eq!(slow_start_sizes(3, 1), [1, 2]);
        assert_eq!(slow_start_sizes(5, 1), [1, 2, 2]);
        assert_eq!(slow_start_sizes(10, 1), [1, 2, 4, 3]);
        assert_eq!(slow_start_sizes(500, 1), [1, 2, 4, 8, 16, 32, 64, 128, 245]);
        for n in 0..600 {
            assert_eq!(slow_start_sizes(n, 1).iter().sum::<usize>(), n);
        }
    }

    /// `kubectl scale rs --replicas=10` from nothing: 1, 2, 4, 3, each pod from the template.
    /// (If batch 2 fails, the integrator skips 4 and 3 and tells `answered`; see the next test.)
    #[test]
    fn a_scale_up_creates_from_the_template_in_slow_start_batches() {
        let cache = set_of(vec![("replicasets", rs(10))]);
        let mut c = ReplicaSetController::new();
        let plan = c.sync(KEY, &cache, NOW_US);
        assert_eq!(creates(&plan), [1, 2, 4, 3]);
        assert_eq!(plan.diff, Some(Diff { what: "replicas".into(), desired: "10".into(), current: "0".into() }));
        let w = &plan.batches[0][0];
        assert_eq!((w.resource, w.namespace.as_str(), w.name.as_str()), ("pods", NS, ""));
        let body = w.body.as_ref().expect("a pod");
        assert_eq!(
            body["metadata"],
            json!({
                "generateName": "web-abc-", "namespace": NS, "labels": {"app": "web", "tier": "front"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc",
                                     "uid": "rs-uid", "controller": true, "blockOwnerDeletion": true}],
            })
        );
        assert_eq!(body["spec"], rs(10)["spec"]["template"]["spec"]);
        assert_eq!(c.expected(KEY), (10, 0), "expectations are set before the plan goes out");
        // The status follows the creates: 0 replicas, observedGeneration 1.
        let last = plan.batches.last().expect("status");
        assert_eq!((last[0].verb, last[0].subresource), (Verb::Update, "status"));
        assert_eq!(last[0].body.as_ref().expect("rs")["status"], json!({"replicas": 0, "observedGeneration": 1}));
    }

    /// A quota rejection in batch 2: FailedCreate for each failure, and the skipped creates are
    /// no longer expected, so the next sync may try again (KK `manageReplicas` "skippedPods").
    #[test]
    fn a_failed_batch_lowers_expectations_for_it_and_every_skipped_batch() {
        let cache = set_of(vec![("replicasets", rs(10))]);
        let mut c = ReplicaSetController::new();
        let plan = c.sync(KEY, &cache, NOW_US);
        let quota = Status {
            code: 403,
            reason: "Forbidden",
            message: "pods \"web-abc-x2x9q\" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=1, \
                      limited: pods=1"
                .into(),
            details: None,
        };
        let created = json!({"metadata": {"name": "web-abc-7bq2k"}});
        let notes = c.answered(KEY, &plan.batches[0][0], Ok(&created), NOW_US).notes;
        assert_eq!(notes[0].reason, "SuccessfulCreate");
        assert_eq!(notes[0].message, "Created pod: web-abc-7bq2k");
        assert_eq!(
            (notes[0].resource, notes[0].name.as_str(), notes[0].uid.as_str()),
            ("replicasets", "web-abc", "rs-uid")
        );
        let notes = c.answered(KEY, &plan.batches[1][0], Err(&quota), NOW_US).notes;
        assert_eq!(notes.len(), 1);
        assert_eq!((notes[0].kind, notes[0].reason.as_str()), (EventType::Warning, "FailedCreate"));
        assert_eq!(notes[0].message, format!("Error creating: {}", quota.message));
        assert_eq!(c.expected(KEY), (9, 0), "the failed one will never be observed");
        c.answered(KEY, &plan.batches[1][1], Ok(&created), NOW_US);
        // Batch 2 complete with a failure: 4 + 3 skipped creates are not expected any more.
        assert_eq!(c.expected(KEY), (2, 0));
        // The informer sees the two pods that were created.
        let mut cache = cache;
        for name in ["web-abc-7bq2k", "web-abc-k8d4z"] {
            let p = pod(name, "", 0);
            cache.insert("pods", p.clone());
            c.keys_for(Change { resource: "pods", old: None, new: Some(&p) }, &cache, NOW_US);
        }
        assert!(c.expectations_satisfied(KEY, NOW_US));
        assert_eq!(creates(&c.sync(KEY, &cache, NOW_US)), [1, 2, 4, 1], "8 more, slow start again");
    }

    /// Expectations: a second sync before the informer saw the creates asks for nothing; once
    /// each pod is observed, the controller acts again. The mutant over-creates instead.
    #[test]
    fn expectations_hold_back_a_second_wave_until_the_pods_are_observed() {
        let mut cache = set_of(vec![("replicasets", rs(3))]);
        let mut c = ReplicaSetController::new();
        assert_eq!(creates(&c.sync(KEY, &cache, NOW_US)), [1, 2]);
        // A stale cache (no pods yet): nothing more.
        assert!(creates(&c.sync(KEY, &cache, NOW_US)).is_empty());
        let mut mutant = ReplicaSetController { ignore_expectations: true, ..c.clone() };
        assert_eq!(creates(&mutant.sync(KEY, &cache, NOW_US)), [1, 2], "the mutant creates 3 more");
        // The informer delivers two of the three pods: still waiting for one.
        for name in ["web-abc-aaaaa", "web-abc-bbbbb"] {
            let p = pod(name, "worker", 10);
            cache.insert("pods", p.clone());
            assert_eq!(c.keys_for(Change { resource: "pods", old: None, new: Some(&p) }, &cache, NOW_US), [KEY]);
        }
        assert_eq!(c.expected(KEY), (1, 0));
        assert!(creates(&c.sync(KEY, &cache, NOW_US)).is_empty());
        // Five minutes later the controller gives up waiting and creates the missing one.
        assert!(!c.expectations_satisfied(KEY, NOW_US + EXPECTATIONS_TIMEOUT_US));
        assert_eq!(creates(&c.sync(KEY, &cache, NOW_US + EXPECTATIONS_TIMEOUT_US + 1)), [1]);
    }

    /// `kubectl delete pod` on an RS's pod: its deletionTimestamp is the observation; the
    /// replacement is created at once, not when the kubelet finishes.
    #[test]
    fn a_terminating_pod_is_replaced_at_once() {
        let pods: Vec<Object> = ["a", "b", "c"].iter().map(|n| pod(n, "worker", 10)).collect();
        let mut cache = set_of(vec![("replicasets", rs(3))]);
        for p in &pods {
            cache.insert("pods", p.clone());
        }
        let mut c = ReplicaSetController::new();
        assert!(c.sync(KEY, &cache, NOW_US).batches.iter().all(|b| b[0].subresource == "status"));
        let mut gone = pods[1].clone();
        gone["metadata"]["deletionTimestamp"] = json!(ts(3_600));
        gone["metadata"]["resourceVersion"] = json!("21");
        cache.insert("pods", gone.clone());
        let keys = c.keys_for(Change { resource: "pods", old: Some(&pods[1]), new: Some(&gone) }, &cache, NOW_US);
        assert_eq!(keys, [KEY]);
        assert_eq!(creates(&c.sync(KEY, &cache, NOW_US)), [1]);
    }

    /// Scale down picks by rank and deletes with the pod's UID as precondition; each deletion is
    /// observed once (the deletionTimestamp update and the delete event count as one).
    #[test]
    fn a_scale_down_deletes_the_lowest_ranked_pods_with_uid_preconditions() {
        let mut cache = set_of(vec![("replicasets", rs(1))]);
        // old: ready for an hour; young: ready for 10 s; pending: not scheduled.
        let old = pod("old", "w1", 0);
        let young = pod("young", "w1", 3_590);
        let mut pending = pod("pending", "", 0);
        pending["status"] = json!({"phase": "Pending"});
        for p in [&old, &young, &pending] {
            cache.insert("pods", p.clone());
        }
        let mut c = ReplicaSetController::new();
        let plan = c.sync(KEY, &cache, NOW_US);
        let deletes: Vec<(&str, Option<&str>)> =
            plan.batches[0].iter().map(|w| (w.name.as_str(), w.uid.as_deref())).collect();
        assert_eq!(deletes, [("pending", Some("uid-pending")), ("young", Some("uid-young"))]);
        assert!(plan.batches[0].iter().all(|w| w.verb == Verb::Delete && w.propagation.is_none()));
        assert_eq!(c.expected(KEY), (0, 2));
        let mut terminating = young.clone();
        terminating["metadata"]["deletionTimestamp"] = json!(ts(3_600));
        terminating["metadata"]["resourceVersion"] = json!("30");
        cache.insert("pods", terminating.clone());
        c.keys_for(Change { resource: "pods", old: Some(&young), new: Some(&terminating) }, &cache, NOW_US);
        cache.remove("pods", NS, "young");
        c.keys_for(Change { resource: "pods", old: Some(&terminating), new: None }, &cache, NOW_US);
        assert_eq!(c.expected(KEY), (0, 1), "young counted once");
        // The other delete fails (404: already gone): lowered, no event.
        let not_found =
            Status { code: 404, reason: "NotFound", message: "pods \"pending\" not found".into(), details: None };
        let notes = c.answered(KEY, &plan.batches[0][0], Err(&not_found), NOW_US).notes;
        assert!(notes.is_empty());
        assert!(c.expectations_satisfied(KEY, NOW_US));
        let notes = c.answered(KEY, &plan.batches[0][1], Ok(&ok_status()), NOW_US).notes;
        assert_eq!((notes[0].reason.as_str(), notes[0].message.as_str()), ("SuccessfulDelete", "Deleted pod: young"));
    }

    /// KK controller_utils.go `ActivePodsWithRanks.Less`, one criterion per row: the first pod of
    /// each pair goes first.
    #[test]
    fn the_deletion_ranking_follows_active_pods_with_ranks() {
        let base = || pod("p", "w1", 0);
        let with = |name: &str, f: &dyn Fn(&mut Object)| {
            let mut p = base();
            p["metadata"]["name"] = json!(name);
            p["metadata"]["uid"] = json!(format!("uid-{name}"));
            f(&mut p);
            p
        };
        let rows: Vec<(&str, Object, Object)> = vec![
            ("unscheduled < scheduled", with("a", &|p| p["spec"]["nodeName"] = json!("")), with("b", &|_| {})),
            (
                "Pending < Unknown",
                with("a", &|p| p["status"]["phase"] = json!("Pending")),
                with("b", &|p| p["status"]["phase"] = json!("Unknown")),
            ),
            ("Unknown < Running", with("a", &|p| p["status"]["phase"] = json!("Unknown")), with("b", &|_| {})),
            (
                "not ready < ready",
                with("a", &|p| p["status"]["conditions"][0]["status"] = json!("False")),
                with("b", &|_| {}),
            ),
            (
                "lower deletion cost first",
                with("a", &|p| p["metadata"]["annotations"] = json!({POD_DELETION_COST: "-5"})),
                with("b", &|_| {}),
            ),
            (
                "more pods on its node first",
                with("a", &|p| p["spec"]["nodeName"] = json!("crowded")),
                with("b", &|_| {}),
            ),
            (
                "ready for less time first (log scale: 10 s vs 1 h)",
                with("a", &|p| p["status"]["conditions"][0]["lastTransitionTime"] = json!(ts(3_590))),
                with("b", &|_| {}),
            ),
            (
                "same log bucket (ready 2000 s vs 2100 s): by UID",
                with("a", &|p| p["status"]["conditions"][0]["lastTransitionTime"] = json!(ts(1_600))),
                with("b", &|p| p["status"]["conditions"][0]["lastTransitionTime"] = json!(ts(1_500))),
            ),
            (
                "more restarts first",
                with("a", &|p| p["status"]["containerStatuses"][0]["restartCount"] = json!(3)),
                with("b", &|_| {}),
            ),
            ("newer first", with("a", &|p| p["metadata"]["creationTimestamp"] = json!(ts(3_000))), with("b", &|_| {})),
            (
                "no creation time first",
                with("a", &|p| {
                    p["metadata"].as_object_mut().map(|m| m.remove("creationTimestamp"));
                }),
                with("b", &|_| {}),
            ),
        ];
        for (what, a, b) in &rows {
            let crowd = [
                with("c1", &|p| p["spec"]["nodeName"] = json!("crowded")),
                with("c2", &|p| p["spec"]["nodeName"] = json!("crowded")),
            ];
            let related: Vec<&Object> = [a, b].into_iter().chain(crowd.iter()).collect();
            for pair in [[a, b], [b, a]] {
                let chosen = pods_to_delete(&pair, &related, 1, NOW_US);
                assert_eq!(object::name(chosen[0]), "a", "{what}");
            }
        }
        // The same bucket in the other UID order: b first.
        let early = with("b", &|p| p["status"]["conditions"][0]["lastTransitionTime"] = json!(ts(1_600)));
        let late = with("a", &|p| p["status"]["conditions"][0]["lastTransitionTime"] = json!(ts(1_500)));
        assert_eq!(object::name(pods_to_delete(&[&early, &late], &[], 1, NOW_US)[0]), "a", "UID a < b");
    }

    /// `kubectl label pod x app-`: the pod is released, and a replacement created; an orphan
    /// that matches is adopted (KK `PodControllerRefManager.ClaimPods`).
    #[test]
    fn pods_are_released_when_labels_stop_matching_and_orphans_adopted() {
        let mut relabeled = pod("a", "w1", 0);
        relabeled["metadata"]["labels"] = json!({"app": "debug"});
        let mut orphan = pod("b", "w1", 0);
        orphan["metadata"].as_object_mut().map(|m| m.remove("ownerReferences"));
        let cache =
            set_of(vec![("replicasets", rs(2)), ("pods", relabeled), ("pods", orphan), ("pods", pod("c", "w1", 0))]);
        let mut c = ReplicaSetController::new();
        let plan = c.sync(KEY, &cache, NOW_US);
        let claims = &plan.batches[0];
        assert_eq!(claims.len(), 2);
        let by_name = |n: &str| claims.iter().find(|w| w.name == n).and_then(|w| w.body.as_ref()).expect(n);
        assert!(by_name("a")["metadata"].get("ownerReferences").is_none(), "released");
        assert_eq!(by_name("a")["metadata"]["resourceVersion"], "20", "with its resourceVersion");
        assert_eq!(by_name("b")["metadata"]["ownerReferences"][0]["uid"], "rs-uid", "adopted");
        assert_eq!(plan.diff.as_ref().map(|d| d.current.as_str()), Some("2"));
        assert!(creates(&plan).is_empty(), "b and c make two");
    }

    /// KK replica_set_utils.go `calculateStatus`: ready, available after minReadySeconds, fully
    /// labeled; written only when it changed, with the resourceVersion read.
    #[test]
    fn the_status_counts_ready_available_and_fully_labeled_pods() {
        let mut r = rs(3);
        r["spec"]["minReadySeconds"] = json!(30);
        let mut partly_labeled = pod("a", "w1", 0);
        partly_labeled["metadata"]["labels"] = json!({"app": "web"});
        let just_ready = pod("b", "w1", 3_590);
        let mut not_ready = pod("c", "w1", 0);
        not_ready["status"]["conditions"][0]["status"] = json!("False");
        let cache = set_of(vec![
            ("replicasets", r.clone()),
            ("pods", partly_labeled),
            ("pods", just_ready),
            ("pods", not_ready),
        ]);
        let mut c = ReplicaSetController::new();
        let plan = c.sync(KEY, &cache, NOW_US);
        assert_eq!(plan.batches.len(), 1);
        let w = &plan.batches[0][0];
        assert_eq!((w.verb, w.resource, w.subresource), (Verb::Update, "replicasets", "status"));
        let body = w.body.as_ref().expect("rs");
        assert_eq!(body["metadata"]["resourceVersion"], "10");
        assert_eq!(
            body["status"],
            json!({"replicas": 3, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 1,
                   "observedGeneration": 1})
        );
        assert_eq!(plan.requeue_after_us, None, "not all ready: no availability resync");
        // Written back, nothing changes: no write.
        let mut cache = cache;
        cache.insert("replicasets", body.clone());
        assert!(c.sync(KEY, &cache, NOW_US).batches.is_empty());
        // 25 s later b has been ready for 35 s > 30 s: available.
        let later = c.sync(KEY, &cache, NOW_US + 25 * US_PER_S);
        assert_eq!(later.batches[0][0].body.as_ref().expect("rs")["status"]["availableReplicas"], 2);
    }

    /// The fresh cluster's coredns ReplicaSet already has its pods and status: no writes.
    #[test]
    fn the_fresh_clusters_replica_sets_need_nothing() {
        let mut cache = ObjectSet::new();
        for (r, o) in crate::apiserver::bootstrap::cluster_objects(3, 2) {
            cache.insert(r, o);
        }
        let mut c = ReplicaSetController::new();
        let rss: Vec<String> = cache.list("replicasets", "").into_iter().map(key_of).collect();
        assert!(!rss.is_empty());
        for key in rss {
            let plan = c.sync(&key, &cache, 0);
            assert!(plan.batches.is_empty(), "{key}: {:?}", plan.batches);
            assert_eq!(plan.diff.as_ref().map(|d| d.desired == d.current), Some(true), "{key}");
        }
    }

    /// A deleted ReplicaSet drops its expectations (a new one of that name starts clean).
    #[test]
    fn a_deleted_replica_set_forgets_its_expectations() {
        let r = rs(3);
        let cache = set_of(vec![("replicasets", r.clone())]);
        let mut c = ReplicaSetController::new();
        c.sync(KEY, &cache, NOW_US);
        assert_eq!(c.expected(KEY), (3, 0));
        let empty = ObjectSet::new();
        assert_eq!(c.keys_for(Change { resource: "replicasets", old: Some(&r), new: None }, &empty, NOW_US), [KEY]);
        assert!(c.sync(KEY, &empty, NOW_US).is_empty());
        assert_eq!(c.expected(KEY), (0, 0));
    }

    /// A pod change wakes only its controller (by UID); an orphan wakes whoever selects it.
    #[test]
    fn pod_changes_queue_their_owner_by_uid() {
        let cache = set_of(vec![("replicasets", rs(1))]);
        let mut c = ReplicaSetController::new();
        let mine = pod("a", "w1", 0);
        assert_eq!(c.keys_for(Change { resource: "pods", old: None, new: Some(&mine) }, &cache, 0), [KEY]);
        let mut impostor = mine.clone();
        impostor["metadata"]["ownerReferences"][0]["uid"] = json!("another-rs-uid");
        assert!(c.keys_for(Change { resource: "pods", old: None, new: Some(&impostor) }, &cache, 0).is_empty());
        let mut orphan = mine.clone();
        orphan["metadata"].as_object_mut().map(|m| m.remove("ownerReferences"));
        assert_eq!(c.keys_for(Change { resource: "pods", old: None, new: Some(&orphan) }, &cache, 0), [KEY]);
        // A resync (same resourceVersion) is not a change.
        assert!(c.keys_for(Change { resource: "pods", old: Some(&mine), new: Some(&mine) }, &cache, 0).is_empty());
        let mut other = orphan.clone();
        other["metadata"]["labels"] = json!({"app": "db"});
        assert!(c.keys_for(Change { resource: "pods", old: None, new: Some(&other) }, &cache, 0).is_empty());
    }
}
