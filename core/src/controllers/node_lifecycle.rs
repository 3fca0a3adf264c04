//! The node lifecycle controller (KK `pkg/controller/nodelifecycle/node_lifecycle_controller.go`,
//! fact sheet §5 "Node lifecycle"): every node-monitor period it looks at each node's heartbeat
//! (the kubelet renews its Lease in `kube-node-lease` every 10 s). A node whose heartbeat has not
//! changed for the grace period (40 s in v1.27) gets its conditions set to `Unknown` (`Kubelet
//! stopped posting node status.`), its pods marked not ready, and the taints
//! `node.kubernetes.io/unreachable` (NoSchedule and NoExecute). Pods that tolerate the NoExecute
//! taint for 300 s (the DefaultTolerationSeconds admission plugin adds that to every pod) are
//! deleted when the toleration ends (the taint manager's eviction); they stay Terminating until
//! their kubelet confirms, and their ReplicaSet replaces them at once (terminating pods are not
//! active). When the kubelet posts Ready again, the taints go.
//!
//! Simplified: one node at a time, no eviction rate limiting (0.1 nodes/s; no zones), no
//! startup grace for new nodes.

use std::collections::BTreeMap;

use super::{Change, EventType, Note, Plan, Robot, Write};
use crate::apiserver::{object, Informers, Object};
use crate::sim::US_PER_S;
use serde_json::{json, Value};

/// `--node-monitor-period`.
pub const MONITOR_PERIOD_US: u64 = 5 * US_PER_S;
/// `--node-monitor-grace-period` (40 s up to v1.31).
pub const GRACE_PERIOD_US: u64 = 40 * US_PER_S;
pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const NOT_READY: &str = "node.kubernetes.io/not-ready";
/// After a write, look again soon (the next step waits for the informer to show the first).
const FOLLOW_UP_US: u64 = 200_000;

#[derive(Clone, Debug, Default)]
pub struct NodeLifecycle {
    /// node → (the heartbeat last seen: lease renewTime + Ready heartbeat, when it changed on
    /// this controller's clock).
    health: BTreeMap<String, (String, u64)>,
}

fn node_of_key(key: &str) -> &str {
    key
}

fn condition<'a>(node: &'a Object, kind: &str) -> Option<&'a Value> {
    node.pointer("/status/conditions").and_then(Value::as_array)?.iter().find(|c| c["type"] == kind)
}

fn taints(node: &Object) -> Vec<Value> {
    node.pointer("/spec/taints").and_then(Value::as_array).cloned().unwrap_or_default()
}

fn note(resource: &'static str, obj: &Object, kind: EventType, reason: &str, message: String) -> Note {
    Note::about(resource, obj, kind, reason, message)
}

/// Pods bound to `node` that are not terminating.
fn pods_on<'a>(cache: &'a dyn Informers, node: &str) -> Vec<&'a Object> {
    cache
        .list("pods", "")
        .into_iter()
        .filter(|p| object::str_at(p, "/spec/nodeName") == node && p.pointer("/metadata/deletionTimestamp").is_none())
        .collect()
}

impl NodeLifecycle {
    /// The taints the Ready condition calls for (`TaintNodesByCondition` + `doNoExecuteTaintingPass`).
    fn wanted_taints(node: &Object, now_us: u64) -> Vec<Value> {
        let ready = condition(node, "Ready").and_then(|c| c["status"].as_str()).unwrap_or("Unknown");
        let now = object::rfc3339(object::unix_s(now_us));
        let mut out: Vec<Value> =
            taints(node).into_iter().filter(|t| !matches!(t["key"].as_str(), Some(UNREACHABLE | NOT_READY))).collect();
        let key = match ready {
            "True" => return out,
            "False" => NOT_READY,
            _ => UNREACHABLE,
        };
        let current = taints(node);
        for effect in ["NoSchedule", "NoExecute"] {
            let kept = current.iter().find(|t| t["key"] == key && t["effect"] == effect);
            out.push(match kept {
                Some(t) => t.clone(),
                None if effect == "NoExecute" => json!({"key": key, "effect": effect, "timeAdded": now}),
                None => json!({"key": key, "effect": effect}),
            });
        }
        out
    }

    /// The taint manager: pods on a node with NoExecute taints they do not tolerate (or no
    /// longer: `tolerationSeconds` after the taint was added) are deleted.
    fn evictions(node: &Object, cache: &dyn Informers, now_us: u64, plan: &mut Plan) {
        let no_execute: Vec<Value> = taints(node).into_iter().filter(|t| t["effect"] == "NoExecute").collect();
        if no_execute.is_empty() {
            return;
        }
        let now_s = object::unix_s(now_us);
        let mut next_s: Option<u64> = None;
        let mut deletes = Vec::new();
        for pod in pods_on(cache, object::name(node)) {
            // The earliest time any taint's toleration runs out (`None`: tolerated forever).
            let mut evict_at_s: Option<u64> = None;
            for taint in &no_execute {
                let added_s = object::parse_rfc3339(taint["timeAdded"].as_str().unwrap_or("")).unwrap_or(now_s);
                let seconds = pod
                    .pointer("/spec/tolerations")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|t| super::scheduler::tolerates(&json!({"spec": {"tolerations": [t]}}), taint))
                    .map(|t| t["tolerationSeconds"].as_u64())
                    .max_by_key(|s| s.unwrap_or(u64::MAX));
                let at = match seconds {
                    None => Some(now_s), // not tolerated
                    Some(None) => None,  // tolerated forever
                    Some(Some(s)) => Some(added_s + s),
                };
                if let Some(at) = at {
                    evict_at_s = Some(evict_at_s.map_or(at, |e: u64| e.min(at)));
                }
            }
            match evict_at_s {
                Some(at) if at <= now_s => {
                    let msg = format!("Marking for deletion Pod {}/{}", object::namespace(pod), object::name(pod));
                    plan.notes.push(note("pods", pod, EventType::Normal, "TaintManagerEviction", msg));
                    let mut w = Write::delete("pods", object::namespace(pod), object::name(pod));
                    w.uid = Some(object::str_at(pod, "/metadata/uid").to_string());
                    deletes.push(w);
                }
                Some(at) => next_s = Some(next_s.map_or(at, |n: u64| n.min(at))),
                None => {}
            }
        }
        if !deletes.is_empty() {
            plan.batches.push(deletes);
        }
        if let Some(at) = next_s {
            let wait_us = (at - now_s) * US_PER_S;
            plan.requeue_after_us = Some(plan.requeue_after_us.map_or(wait_us, |r| r.min(wait_us)));
        }
    }
}

impl Robot for NodeLifecycle {
    fn name(&self) -> &'static str {
        "node-lifecycle"
    }

    fn service_account(&self) -> &'static str {
        "node-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["nodes", "leases", "pods"]
    }

    fn workers(&self) -> usize {
        1
    }

    fn keys_for(&mut self, change: Change<'_>, cache: &dyn Informers, _now_us: u64) -> Vec<String> {
        let Some(obj) = change.new.or(change.old) else { return Vec::new() };
        match change.resource {
            "nodes" => vec![object::name(obj).to_string()],
            "leases" if object::namespace(obj) == "kube-node-lease" => vec![object::name(obj).to_string()],
            // A pod bound to a node with NoExecute taints may have to go.
            "pods" => {
                let node = object::str_at(obj, "/spec/nodeName");
                let tainted =
                    cache.get("nodes", "", node).is_some_and(|n| taints(n).iter().any(|t| t["effect"] == "NoExecute"));
                if tainted && change.old.is_none() {
                    vec![node.to_string()]
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        }
    }

    fn sync(&mut self, key: &str, cache: &dyn Informers, now_us: u64) -> Plan {
        let name = node_of_key(key);
        let mut plan = Plan { requeue_after_us: Some(MONITOR_PERIOD_US), ..Plan::default() };
        let Some(node) = cache.get("nodes", "", name) else {
            self.health.remove(name);
            plan.requeue_after_us = None;
            return plan;
        };
        // The heartbeat: the Lease's renewTime, or the kubelet's posted Ready heartbeat.
        let lease = cache.get("leases", "kube-node-lease", name).map(|l| object::str_at(l, "/spec/renewTime"));
        let posted = condition(node, "Ready").and_then(|c| c["lastHeartbeatTime"].as_str()).unwrap_or("");
        let beat = format!("{}|{posted}", lease.unwrap_or(""));
        let entry = self.health.entry(name.to_string()).or_insert_with(|| (beat.clone(), now_us));
        if entry.0 != beat {
            *entry = (beat, now_us);
        }
        let silent_us = now_us - entry.1;
        let ready = condition(node, "Ready").and_then(|c| c["status"].as_str()).unwrap_or("Unknown");
        if silent_us >= GRACE_PERIOD_US && ready != "Unknown" {
            // `tryUpdateNodeHealth`: every condition the kubelet owns becomes Unknown.
            let mut updated = node.clone();
            let now = object::rfc3339(object::unix_s(now_us));
            if let Some(conds) = updated.pointer_mut("/status/conditions").and_then(Value::as_array_mut) {
                for c in conds {
                    c["status"] = json!("Unknown");
                    c["reason"] = json!("NodeStatusUnknown");
                    c["message"] = json!("Kubelet stopped posting node status.");
                    c["lastTransitionTime"] = json!(now);
                }
            }
            plan.batches.push(vec![Write::update_status("nodes", updated)]);
            let msg = format!("Node {name} status is now: NodeNotReady");
            plan.notes.push(note("nodes", node, EventType::Normal, "NodeNotReady", msg));
            // `MarkPodsNotReady`.
            let mut pods = Vec::new();
            for pod in pods_on(cache, name) {
                let Some(i) = pod
                    .pointer("/status/conditions")
                    .and_then(Value::as_array)
                    .and_then(|cs| cs.iter().position(|c| c["type"] == "Ready" && c["status"] == "True"))
                else {
                    continue;
                };
                let mut p = pod.clone();
                p["status"]["conditions"][i]["status"] = json!("False");
                p["status"]["conditions"][i]["lastTransitionTime"] = json!(now);
                pods.push(Write::update_status("pods", p));
                plan.notes.push(note("pods", pod, EventType::Warning, "NodeNotReady", "Node is not ready".into()));
            }
            if !pods.is_empty() {
                plan.batches.push(pods);
            }
            plan.diff = Some(super::Diff { what: "Ready".into(), desired: "True".into(), current: "Unknown".into() });
            plan.requeue_after_us = Some(FOLLOW_UP_US);
            return plan;
        }
        let wanted = NodeLifecycle::wanted_taints(node, now_us);
        if wanted != taints(node) {
            let mut updated = node.clone();
            if wanted.is_empty() {
                if let Some(spec) = updated.get_mut("spec").and_then(Value::as_object_mut) {
                    spec.remove("taints");
                }
            } else {
                updated["spec"]["taints"] = Value::Array(wanted);
            }
            plan.batches.push(vec![Write::update("nodes", updated)]);
            if ready == "True" {
                let msg = format!("Node {name} status is now: NodeReady");
                plan.notes.push(note("nodes", node, EventType::Normal, "NodeReady", msg));
            }
            plan.diff = Some(super::Diff { what: "taints".into(), desired: ready.into(), current: "taints".into() });
            plan.requeue_after_us = Some(FOLLOW_UP_US);
            return plan;
        }
        NodeLifecycle::evictions(node, cache, now_us, &mut plan);
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::ObjectSet;

    fn worker(ready: &str, taints: Value) -> Object {
        json!({"metadata": {"name": "w", "uid": "n1", "resourceVersion": "5"}, "spec": {"taints": taints},
               "status": {"conditions": [{"type": "Ready", "status": ready, "lastHeartbeatTime": "h"}]}})
    }

    fn lease(renew: &str) -> Object {
        json!({"metadata": {"name": "w", "namespace": "kube-node-lease"}, "spec": {"renewTime": renew}})
    }

    fn pod(tolerate_s: Option<u64>) -> Object {
        let tol = match tolerate_s {
            Some(s) => {
                json!([{"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": s}])
            }
            None => json!([]),
        };
        json!({"metadata": {"name": "p", "namespace": "default", "uid": "p1"},
               "spec": {"nodeName": "w", "tolerations": tol},
               "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    }

    /// Fact sheet §5: 40 s without a heartbeat → Ready Unknown, "Kubelet stopped posting node
    /// status.", and the node's pods marked not ready.
    #[test]
    fn a_silent_node_becomes_unknown_after_the_grace_period() {
        let mut s = ObjectSet::new();
        s.insert("nodes", worker("True", json!([])));
        s.insert("leases", lease("t0"));
        s.insert("pods", pod(Some(300)));
        let mut nlc = NodeLifecycle::default();
        assert!(nlc.sync("w", &s, 0).batches.is_empty());
        assert!(nlc.sync("w", &s, GRACE_PERIOD_US - 1).batches.is_empty());
        let plan = nlc.sync("w", &s, GRACE_PERIOD_US);
        let node = plan.batches[0][0].body.as_ref().unwrap();
        assert_eq!(node.pointer("/status/conditions/0/status"), Some(&json!("Unknown")));
        assert_eq!(node.pointer("/status/conditions/0/message"), Some(&json!("Kubelet stopped posting node status.")));
        assert_eq!(
            plan.batches[1][0].body.as_ref().unwrap().pointer("/status/conditions/0/status"),
            Some(&json!("False"))
        );
    }

    /// A renewed Lease is a heartbeat: the node stays Ready.
    #[test]
    fn lease_renewals_keep_a_node_ready() {
        let mut s = ObjectSet::new();
        s.insert("nodes", worker("True", json!([])));
        let mut nlc = NodeLifecycle::default();
        for i in 0..10u64 {
            s.insert("leases", lease(&format!("t{i}")));
            assert!(nlc.sync("w", &s, i * 10 * US_PER_S).batches.is_empty());
        }
    }

    /// Unknown → taints unreachable NoSchedule + NoExecute; pods tolerating 300 s are evicted
    /// when the toleration ends, not before.
    #[test]
    fn unreachable_taints_then_eviction_when_the_toleration_ends() {
        let mut s = ObjectSet::new();
        s.insert("nodes", worker("Unknown", json!([])));
        s.insert("pods", pod(Some(300)));
        let mut nlc = NodeLifecycle::default();
        let t0 = 100 * US_PER_S;
        let plan = nlc.sync("w", &s, t0);
        let tainted = plan.batches[0][0].body.clone().unwrap();
        let keys: Vec<(&str, &str)> = tainted["spec"]["taints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["key"].as_str().unwrap(), t["effect"].as_str().unwrap()))
            .collect();
        assert_eq!(keys, [(UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")]);
        s.insert("nodes", tainted);
        let waiting = nlc.sync("w", &s, t0 + 299 * US_PER_S);
        assert!(waiting.batches.is_empty());
        assert_eq!(waiting.requeue_after_us, Some(US_PER_S));
        let evict = nlc.sync("w", &s, t0 + 300 * US_PER_S);
        assert_eq!(evict.batches[0][0].verb, crate::apiserver::handler::Verb::Delete);
        assert_eq!(evict.notes[0].message, "Marking for deletion Pod default/p");
    }

    /// The kubelet is back (Ready True): the taints go.
    #[test]
    fn a_ready_node_loses_its_unreachable_taints() {
        let mut s = ObjectSet::new();
        let t = json!([{"key": UNREACHABLE, "effect": "NoSchedule"}, {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": "x"}]);
        s.insert("nodes", worker("True", t));
        let plan = NodeLifecycle::default().sync("w", &s, 0);
        assert!(plan.batches[0][0].body.as_ref().unwrap().pointer("/spec/taints").is_none());
    }
}
