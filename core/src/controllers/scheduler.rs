//! kube-scheduler, minimal but real (KK `pkg/scheduler/`): pods without a node wait in its queue;
//! for each, the filters keep the nodes that can run it (Ready, schedulable, taints tolerated,
//! resources fit, nodeSelector), the NodeResourcesFit `LeastAllocated` score picks among them,
//! and the scheduler binds the pod (`pods/binding`). A pod it just bound counts on its node
//! ("assumed") until the informer shows the binding, so a burst of pods spreads out.
//!
//! Simplified: no affinity, spreading, volumes, preemption or priority order (the queue is
//! FIFO); ties are broken by the pod's uid rather than at random, so replays agree.

use std::collections::BTreeMap;

use super::{Change, Note, Plan, Robot, Write};
use crate::apiserver::handler::Verb;
use crate::apiserver::{object, Informers, Object};
use crate::sim::US_PER_S;
use serde_json::{json, Value};

/// `podInitialBackoffSeconds` / `podMaxBackoffSeconds`: an unschedulable pod is retried after
/// 1 s, 2 s, 4 s, … up to 10 s (or at once when a node changes).
pub const BACKOFF_INITIAL_US: u64 = US_PER_S;
pub const BACKOFF_MAX_US: u64 = 10 * US_PER_S;
/// `DefaultMilliCPURequest` / `DefaultMemoryRequest`: what a container without requests counts
/// as when scoring (KK `pkg/scheduler/util/pod_resources.go`).
const DEFAULT_MILLI_CPU: i128 = 100;
const DEFAULT_MEMORY_BYTES: i128 = 200 * 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    /// Pods bound by this scheduler whose binding the informer has not shown yet: pod key → node.
    assumed: BTreeMap<String, String>,
    /// Scheduling attempts that failed, per pod (for the back-off).
    attempts: BTreeMap<String, u32>,
}

/// A node's resources in milli-units: (cpu millicores, memory milli-bytes, pods).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Res {
    cpu: i128,
    memory: i128,
    pods: i128,
}

fn quantity(v: Option<&Value>) -> i128 {
    v.and_then(crate::apiserver::validation::quantity_of).map(|q| q.milli).unwrap_or(0)
}

/// The pod's requests (sum over containers); `nonzero` counts containers without requests as
/// the scheduler's defaults (for scoring).
fn requests(pod: &Object, nonzero: bool) -> Res {
    let mut r = Res { pods: 1000, ..Res::default() };
    for c in pod.pointer("/spec/containers").and_then(Value::as_array).into_iter().flatten() {
        let cpu = quantity(c.pointer("/resources/requests/cpu"));
        let mem = quantity(c.pointer("/resources/requests/memory"));
        r.cpu += if nonzero && cpu == 0 { DEFAULT_MILLI_CPU } else { cpu };
        r.memory += if nonzero && mem == 0 { DEFAULT_MEMORY_BYTES * 1000 } else { mem };
    }
    r
}

fn allocatable(node: &Object) -> Res {
    Res {
        cpu: quantity(node.pointer("/status/allocatable/cpu")),
        memory: quantity(node.pointer("/status/allocatable/memory")),
        pods: quantity(node.pointer("/status/allocatable/pods")),
    }
}

pub fn is_terminated(pod: &Object) -> bool {
    matches!(object::str_at(pod, "/status/phase"), "Succeeded" | "Failed")
}

fn is_unscheduled(pod: &Object) -> bool {
    object::str_at(pod, "/spec/nodeName").is_empty()
        && pod.pointer("/metadata/deletionTimestamp").is_none()
        && !is_terminated(pod)
        && matches!(object::str_at(pod, "/spec/schedulerName"), "" | "default-scheduler")
}

fn pod_key(pod: &Object) -> String {
    format!("{}/{}", object::namespace(pod), object::name(pod))
}

pub fn node_ready(node: &Object) -> bool {
    node.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// `v1helper.TolerationsTolerateTaint`.
pub fn tolerates(pod: &Object, taint: &Value) -> bool {
    let tolerations = pod.pointer("/spec/tolerations").and_then(Value::as_array);
    tolerations.into_iter().flatten().any(|t| {
        let effect_ok = t["effect"].as_str().is_none_or(str::is_empty) || t["effect"] == taint["effect"];
        let key = t["key"].as_str().unwrap_or("");
        let key_ok = key.is_empty() || key == taint["key"].as_str().unwrap_or("");
        let op_ok = match t["operator"].as_str().unwrap_or("Equal") {
            "Exists" => true,
            _ => t["value"].as_str().unwrap_or("") == taint["value"].as_str().unwrap_or(""),
        };
        effect_ok && key_ok && op_ok && (!key.is_empty() || t["operator"] == "Exists")
    })
}

/// Why a node cannot run the pod (the FailedScheduling message's parts), or `None`.
fn unfit(pod: &Object, node: &Object, used: Res) -> Option<String> {
    if node.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        return Some("node(s) were unschedulable".into());
    }
    for taint in node.pointer("/spec/taints").and_then(Value::as_array).into_iter().flatten() {
        let hard = matches!(taint["effect"].as_str(), Some("NoSchedule" | "NoExecute"));
        if hard && !tolerates(pod, taint) {
            let (k, v) = (taint["key"].as_str().unwrap_or(""), taint["value"].as_str().unwrap_or(""));
            return Some(format!("node(s) had untolerated taint {{{k}: {v}}}"));
        }
    }
    if !node_ready(node) {
        return Some("node(s) were not ready".into());
    }
    if let Some(sel) = pod.pointer("/spec/nodeSelector").and_then(Value::as_object) {
        let labels = node.pointer("/metadata/labels");
        if sel.iter().any(|(k, v)| labels.and_then(|l| l.get(k)) != Some(v)) {
            return Some("node(s) didn't match Pod's node affinity/selector".into());
        }
    }
    let alloc = allocatable(node);
    let want = requests(pod, false);
    if used.pods + want.pods > alloc.pods {
        return Some("Too many pods".into());
    }
    if want.cpu > 0 && used.cpu + want.cpu > alloc.cpu {
        return Some("Insufficient cpu".into());
    }
    if want.memory > 0 && used.memory + want.memory > alloc.memory {
        return Some("Insufficient memory".into());
    }
    None
}

/// `LeastAllocated`: the mean over cpu and memory of (free after placing the pod) / allocatable,
/// on a 0–100 scale.
fn score(pod: &Object, node: &Object, used_nonzero: Res) -> i128 {
    let alloc = allocatable(node);
    let want = requests(pod, true);
    let part = |cap: i128, used: i128| if cap == 0 { 0 } else { ((cap - used).max(0) * 100) / cap };
    (part(alloc.cpu, used_nonzero.cpu + want.cpu) + part(alloc.memory, used_nonzero.memory + want.memory)) / 2
}

impl Scheduler {
    /// What each node already runs, with this scheduler's assumed pods (exact, and with the
    /// scoring defaults).
    fn usage(&self, cache: &dyn Informers) -> BTreeMap<String, (Res, Res)> {
        let mut used: BTreeMap<String, (Res, Res)> = BTreeMap::new();
        for p in cache.list("pods", "") {
            let node = match object::str_at(p, "/spec/nodeName") {
                "" => match self.assumed.get(&pod_key(p)) {
                    Some(n) => n.as_str(),
                    None => continue,
                },
                n => n,
            };
            if is_terminated(p) {
                continue;
            }
            let e = used.entry(node.to_string()).or_default();
            let (exact, nonzero) = (requests(p, false), requests(p, true));
            e.0 = Res { cpu: e.0.cpu + exact.cpu, memory: e.0.memory + exact.memory, pods: e.0.pods + exact.pods };
            e.1 = Res { cpu: e.1.cpu + nonzero.cpu, memory: e.1.memory + nonzero.memory, pods: e.1.pods + 1000 };
        }
        used
    }
}

impl Robot for Scheduler {
    fn name(&self) -> &'static str {
        "scheduler"
    }

    fn service_account(&self) -> &'static str {
        ""
    }

    fn watches(&self) -> &'static [&'static str] {
        &["pods", "nodes"]
    }

    fn workers(&self) -> usize {
        1
    }

    fn keys_for(&mut self, change: Change<'_>, cache: &dyn Informers, _now_us: u64) -> Vec<String> {
        match change.resource {
            "pods" => {
                let Some(pod) = change.new else {
                    if let Some(old) = change.old {
                        self.assumed.remove(&pod_key(old));
                        self.attempts.remove(&pod_key(old));
                    }
                    return Vec::new();
                };
                if !object::str_at(pod, "/spec/nodeName").is_empty() {
                    self.assumed.remove(&pod_key(pod));
                    self.attempts.remove(&pod_key(pod));
                }
                if is_unscheduled(pod) && !self.assumed.contains_key(&pod_key(pod)) {
                    vec![pod_key(pod)]
                } else {
                    Vec::new()
                }
            }
            // A node that changed may fit pods that did not fit before (the queue's
            // `MoveAllToActiveOrBackoffQueue` on node events).
            "nodes"
                if change.old.map(|o| &o["spec"]) != change.new.map(|n| &n["spec"])
                    || change.old.map(node_ready) != change.new.map(node_ready) =>
            {
                cache
                    .list("pods", "")
                    .into_iter()
                    .filter(|p| is_unscheduled(p) && !self.assumed.contains_key(&pod_key(p)))
                    .map(pod_key)
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    fn sync(&mut self, key: &str, cache: &dyn Informers, _now_us: u64) -> Plan {
        let (ns, name) = key.split_once('/').unwrap_or(("", key));
        let Some(pod) = cache.get("pods", ns, name) else { return Plan::default() };
        if !is_unscheduled(pod) || self.assumed.contains_key(key) {
            return Plan::default();
        }
        let used = self.usage(cache);
        let nodes = cache.list("nodes", "");
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut best: Option<(i128, u64, &Object)> = None;
        let tie = crate::hash::fnv1a(object::str_at(pod, "/metadata/uid").as_bytes());
        for node in &nodes {
            let (exact, nonzero) = used.get(object::name(node)).copied().unwrap_or_default();
            if let Some(why) = unfit(pod, node, exact) {
                *reasons.entry(why).or_default() += 1;
                continue;
            }
            let s = score(pod, node, nonzero);
            let t = crate::hash::fnv1a(format!("{tie}/{}", object::name(node)).as_bytes());
            if best.is_none_or(|(bs, bt, _)| s > bs || (s == bs && t < bt)) {
                best = Some((s, t, node));
            }
        }
        let mut plan = Plan::default();
        let Some((_, _, node)) = best else {
            // `FitError.Error()`: "0/5 nodes are available: <count> <reason>, …." with the
            // reasons sorted, then the preemption part.
            let mut parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
            parts.sort();
            let total = nodes.len();
            let message = format!(
                "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling..",
                parts.join(", ")
            );
            plan.notes.push(note(pod, super::EventType::Warning, "FailedScheduling", message));
            let n = self.attempts.entry(key.to_string()).or_default();
            plan.requeue_after_us = Some((BACKOFF_INITIAL_US << (*n).min(4)).min(BACKOFF_MAX_US));
            *n += 1;
            return plan;
        };
        let node_name = object::name(node).to_string();
        let binding = json!({
            "apiVersion": "v1", "kind": "Binding",
            "metadata": {"name": name, "namespace": ns, "uid": object::str_at(pod, "/metadata/uid")},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node_name},
        });
        let mut w = Write::create("pods", ns, binding);
        w.verb = Verb::Create;
        w.subresource = "binding";
        w.name = name.to_string();
        plan.diff = Some(super::Diff { what: "nodeName".into(), desired: node_name.clone(), current: "<none>".into() });
        plan.batches.push(vec![w]);
        self.assumed.insert(key.to_string(), node_name);
        plan
    }

    fn answered(
        &mut self,
        key: &str,
        write: &Write,
        result: Result<&Object, &crate::k8s::status::Status>,
        _now_us: u64,
    ) -> Plan {
        let mut plan = Plan::default();
        // The Binding names the node; the assumption may be gone already (the informer saw the
        // bound pod before the answer came back).
        let node = write.body.as_ref().map(|b| object::str_at(b, "/target/name")).unwrap_or("").to_string();
        match result {
            Ok(_) => {
                let pod = json!({"metadata": {"name": write.name, "namespace": write.namespace,
                    "uid": write.body.as_ref().map(|b| object::str_at(b, "/metadata/uid")).unwrap_or("")}});
                let msg = format!("Successfully assigned {key} to {node}");
                plan.notes.push(note(&pod, super::EventType::Normal, "Scheduled", msg));
            }
            Err(_) => {
                // Forget the assumption: the pod goes back to the queue (the world re-adds the key).
                self.assumed.remove(key);
            }
        }
        plan
    }
}

fn note(pod: &Object, kind: super::EventType, reason: &str, message: String) -> Note {
    Note::about("pods", pod, kind, reason, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::ObjectSet;

    fn node(name: &str, taints: Value, ready: bool) -> Object {
        json!({"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
               "spec": {"taints": taints},
               "status": {"allocatable": {"cpu": "2", "memory": "8131976Ki", "pods": "110"},
                          "conditions": [{"type": "Ready", "status": if ready {"True"} else {"Unknown"}}]}})
    }

    fn pod(name: &str, node: &str, cpu: &str) -> Object {
        json!({"metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}")},
               "spec": {"nodeName": node, "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]},
               "status": {"phase": "Pending"}})
    }

    fn kind_nodes() -> ObjectSet {
        let mut s = ObjectSet::new();
        let cp = json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
        s.insert("nodes", node("challenge-cluster-control-plane", cp, true));
        s.insert("nodes", node("challenge-cluster-worker", json!([]), true));
        s.insert("nodes", node("challenge-cluster-worker2", json!([]), true));
        s
    }

    fn bound_to(plan: &Plan) -> String {
        let w = &plan.batches[0][0];
        assert_eq!((w.resource, w.subresource), ("pods", "binding"));
        w.body.as_ref().map(|b| object::str_at(b, "/target/name").to_string()).unwrap_or_default()
    }

    /// kind's control-plane nodes carry `node-role.kubernetes.io/control-plane:NoSchedule`, so
    /// ordinary pods land on the workers; LeastAllocated picks the emptier worker.
    #[test]
    fn pods_go_to_the_least_allocated_untainted_node() {
        let mut s = kind_nodes();
        s.insert("pods", pod("busy", "challenge-cluster-worker", "1"));
        s.insert("pods", pod("new", "", "100m"));
        let mut sched = Scheduler::default();
        let plan = sched.sync("default/new", &s, 0);
        assert_eq!(bound_to(&plan), "challenge-cluster-worker2");
    }

    /// A pod just bound counts on its node before the informer shows it (assumed pods), so the
    /// next one goes elsewhere.
    #[test]
    fn an_assumed_pod_counts_on_its_node() {
        let mut s = kind_nodes();
        s.insert("pods", pod("a", "", "500m"));
        s.insert("pods", pod("b", "", "500m"));
        let mut sched = Scheduler::default();
        let first = bound_to(&sched.sync("default/a", &s, 0));
        let second = bound_to(&sched.sync("default/b", &s, 0));
        assert_ne!(first, second);
    }

    /// KK `pkg/scheduler/schedule_one.go` `bind`: `Successfully assigned default/x to NODE`, the
    /// node from the Binding even when the informer already showed the bound pod (and the
    /// assumption is gone) before the answer came back.
    #[test]
    fn the_scheduled_event_names_the_node() {
        let mut s = kind_nodes();
        s.insert("pods", pod("new", "", "100m"));
        let mut sched = Scheduler::default();
        let plan = sched.sync("default/new", &s, 0);
        let w = plan.batches[0][0].clone();
        sched.assumed.clear();
        let bound = pod("new", "challenge-cluster-worker2", "100m");
        let plan = sched.answered("default/new", &w, Ok(&bound), 0);
        assert_eq!(plan.notes[0].message, "Successfully assigned default/new to challenge-cluster-worker2");
    }

    /// No node fits: a FailedScheduling event with the scheduler's summary, and a back-off.
    #[test]
    fn an_unschedulable_pod_gets_failed_scheduling_and_backs_off() {
        let mut s = ObjectSet::new();
        let cp = json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
        s.insert("nodes", node("challenge-cluster-control-plane", cp, true));
        s.insert("nodes", node("challenge-cluster-worker", json!([]), false));
        let mut sick = node("challenge-cluster-worker2", json!([]), true);
        sick["spec"]["unschedulable"] = json!(true);
        s.insert("nodes", sick);
        s.insert("pods", pod("p", "", "100m"));
        let mut sched = Scheduler::default();
        let plan = sched.sync("default/p", &s, 0);
        assert!(plan.batches.is_empty());
        assert_eq!(
            plan.notes[0].message,
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) were not ready, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.."
        );
        assert_eq!(plan.requeue_after_us, Some(BACKOFF_INITIAL_US));
        assert_eq!(sched.sync("default/p", &s, 0).requeue_after_us, Some(2 * BACKOFF_INITIAL_US));
    }

    /// Resources: a pod asking for more cpu than any node has left does not fit.
    #[test]
    fn requests_must_fit_the_allocatable_left() {
        let mut s = kind_nodes();
        s.insert("pods", pod("big", "", "3"));
        let plan = Scheduler::default().sync("default/big", &s, 0);
        assert!(plan.notes[0].message.contains("2 Insufficient cpu"), "{}", plan.notes[0].message);
    }
}
