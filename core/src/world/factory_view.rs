//! The factory, drawn (issue 5): what the world keeps only for the drawing — each instance's
//! newest watch deliveries, each robot's deduplicated adds and its last reconcile with the
//! writes it sent — and [`World::factory_view`], which reads the factory and the freshest API
//! server's watch cache into a [`FactoryView`]. Nothing here is read by the simulation or put
//! in the state hash: drawing never changes what happens.
//!
//! Every part is bounded (`FEED_MAX`, `ACTIONS_MAX`, `DEDUPE_KEYS_MAX`, the `FACTORY_*_SHOWN`
//! limits of `view`), and the view is built every frame, so it only reads and clones a few
//! dozen small strings.

use std::collections::{BTreeMap, VecDeque};

use super::factory::{Component, Factory, Instance, Robots, Slot};
use super::World;
use crate::apiserver::cache::{ChangeKind, WatchCache};
use crate::apiserver::object::{self, Object};
use crate::controllers::informer::Delta;
use crate::controllers::leader;
use crate::controllers::{Diff, Plan, Write};
use crate::sim::US_PER_S;
use crate::view::{
    ActionView, DeploymentView, FactoryView, FeedView, InstanceView, LeaseView, NodeView, PodPhase, PodView,
    QueuedKeyView, ReconcileView, RobotView, WaitingKeyView, WorkerView, FACTORY_DEPLOYMENTS_SHOWN, FACTORY_FEED_SHOWN,
    FACTORY_KEYS_SHOWN, FACTORY_PODS_SHOWN, FACTORY_TAINTS_SHOWN,
};

/// Watch deliveries kept per instance (the feed shows the newest `FACTORY_FEED_SHOWN`).
pub const FEED_MAX: usize = 24;
const _: () = assert!(FEED_MAX >= FACTORY_FEED_SHOWN);
/// Writes of one reconcile kept for the drawing (a ReplicaSet's slow start sends 1, 2, 4, …).
pub const ACTIONS_MAX: usize = 8;
/// Keys whose deduplicated adds are counted at once (the keys in line; more are drawn as ×1).
const DEDUPE_KEYS_MAX: usize = 256;
/// Namespaces whose Deployments are the cluster's own (CoreDNS, local-path-provisioner): the
/// factory offers no scale buttons for them.
const SYSTEM_NAMESPACES: [&str; 2] = ["kube-system", "local-path-storage"];

/// The newest changes an instance's informer took in, Lease renewals (heartbeats: the
/// kubelets' every 10 s, the leaders' every 2 s) only counted, so that they do not hide the
/// changes the robots act on.
#[derive(Clone, Debug, Default)]
pub struct Feed {
    /// At most `FEED_MAX`, oldest first.
    entries: VecDeque<FeedEntry>,
    /// Changes taken in, heartbeats included.
    total: u64,
    heartbeats: u64,
}

/// One change an informer took in.
#[derive(Clone, Debug)]
struct FeedEntry {
    seq: u64,
    at_us: u64,
    resource: &'static str,
    kind: ChangeKind,
    key: String,
    rv: u64,
    listed: bool,
}

/// One write of a reconcile, and its answer.
#[derive(Clone, Debug)]
struct Action {
    request: u64,
    verb: &'static str,
    resource: &'static str,
    subresource: &'static str,
    name: String,
    code: Option<u16>,
}

/// One sync of a key as the drawing shows it.
#[derive(Clone, Debug)]
pub struct Reconcile {
    /// The slot's sync number (answers find their reconcile by it).
    sync_no: u64,
    key: String,
    at_us: u64,
    diff: Option<Diff>,
    planned: usize,
    actions: Vec<Action>,
    /// Worth keeping on the board: it found desired and current apart, or wrote more than its
    /// own status (status-only writes are bookkeeping, not a gap it closes).
    gap: bool,
}

impl Reconcile {
    pub(super) fn of(sync_no: u64, key: &str, now_us: u64, plan: &Plan) -> Reconcile {
        Reconcile {
            sync_no,
            key: key.to_string(),
            at_us: now_us,
            diff: plan.diff.clone(),
            planned: plan.batches.iter().map(Vec::len).sum(),
            actions: Vec::new(),
            gap: plan.batches.iter().flatten().any(|w| w.subresource != "status")
                || plan.diff.as_ref().is_some_and(|d| d.desired != d.current),
        }
    }

    fn view(&self) -> ReconcileView {
        ReconcileView {
            key: self.key.clone(),
            at_us: self.at_us,
            diff: self.diff.clone(),
            planned: self.planned,
            actions: self
                .actions
                .iter()
                .map(|a| ActionView {
                    verb: a.verb,
                    resource: a.resource,
                    subresource: a.subresource,
                    name: a.name.clone(),
                    code: a.code,
                })
                .collect(),
        }
    }
}

/// A robot's side of the drawing.
#[derive(Clone, Debug, Default)]
pub struct Drawing {
    /// key → adds since it got in line, for keys added twice or more (absent: once).
    adds: BTreeMap<String, u32>,
    /// The newest sync that found a gap or wrote, and the newest sync of all.
    last: Option<Reconcile>,
    latest: Option<Reconcile>,
}

impl Drawing {
    /// An informer handler added `key`; `deduped`: it was already in line (or held and dirty).
    pub(super) fn added(&mut self, key: &str, deduped: bool) {
        if !deduped {
            return;
        }
        let room = self.adds.len() < DEDUPE_KEYS_MAX;
        match self.adds.get_mut(key) {
            Some(n) => *n = n.saturating_add(1),
            None if room => {
                self.adds.insert(key.to_string(), 2);
            }
            None => {}
        }
    }

    /// A worker took the key and synced it: the adds it merged are spent.
    pub(super) fn synced(&mut self, r: Reconcile) {
        self.adds.remove(&r.key);
        if r.gap {
            self.last = Some(r.clone());
        }
        self.latest = Some(r);
    }

    /// One of the reconcile's writes went out as API request `request`.
    pub(super) fn sent(&mut self, sync_no: u64, request: u64, w: &Write) {
        for r in [&mut self.last, &mut self.latest].into_iter().flatten() {
            if r.sync_no == sync_no && r.actions.len() < ACTIONS_MAX {
                r.actions.push(Action {
                    request,
                    verb: w.verb.as_str(),
                    resource: w.resource,
                    subresource: w.subresource,
                    name: w.name.clone(),
                    code: None,
                });
            }
        }
    }

    /// The API server answered request `request` with `code` (and the object, when it worked).
    pub(super) fn answered(&mut self, request: u64, code: u16, object: Option<&Object>) {
        for r in [&mut self.last, &mut self.latest].into_iter().flatten() {
            if let Some(a) = r.actions.iter_mut().find(|a| a.request == request) {
                a.code = Some(code);
                if a.name.is_empty() {
                    a.name = object.map_or_else(String::new, |o| object::name(o).to_string());
                }
            }
        }
    }
}

impl Feed {
    /// Keeps the newest of `deltas` (a first list of hundreds builds only the last `FEED_MAX`).
    pub(super) fn record(&mut self, deltas: &[Delta], listed: bool, now_us: u64) {
        let heartbeats = deltas.iter().filter(|d| d.resource == "leases").count();
        let mut newest: Vec<(usize, &Delta)> =
            deltas.iter().enumerate().rev().filter(|(_, d)| d.resource != "leases").take(FEED_MAX).collect();
        newest.reverse();
        for (n, d) in newest {
            let (kind, obj) = match (&d.old, &d.new) {
                (_, Some(new)) if d.old.is_none() => (ChangeKind::Added, new),
                (_, Some(new)) => (ChangeKind::Modified, new),
                (Some(old), None) => (ChangeKind::Deleted, old),
                (None, None) => continue,
            };
            if self.entries.len() == FEED_MAX {
                self.entries.pop_front();
            }
            self.entries.push_back(FeedEntry {
                seq: self.total + n as u64 + 1,
                at_us: now_us,
                resource: d.resource,
                kind,
                key: object_key(obj),
                rv: object::resource_version(obj),
                listed,
            });
        }
        self.total += deltas.len() as u64;
        self.heartbeats += heartbeats as u64;
        debug_assert!(self.entries.len() <= FEED_MAX);
    }
}

/// `namespace/name`, or `name` for a cluster-scoped object (the work-queue key format).
fn object_key(o: &Object) -> String {
    match object::namespace(o) {
        "" => object::name(o).to_string(),
        ns => format!("{ns}/{}", object::name(o)),
    }
}

/// A `metav1.MicroTime` (`2026-11-27T09:00:02.000100Z`) in Unix microseconds; `None` when
/// unreadable.
fn micro_time_us(s: &str) -> Option<u64> {
    let (whole, frac) = s.strip_suffix('Z')?.split_once('.').unwrap_or((s.strip_suffix('Z')?, ""));
    let secs = object::parse_rfc3339(&format!("{whole}Z"))?;
    let frac_us: u64 = if frac.is_empty() {
        0
    } else if frac.len() <= 6 && frac.bytes().all(|b| b.is_ascii_digit()) {
        frac.parse::<u64>().ok()? * 10u64.pow(6 - frac.len() as u32)
    } else {
        return None;
    };
    Some(secs.saturating_mul(US_PER_S) + frac_us)
}

/// kubectl's STATUS word for a pod (the part of `kubectl get pods` the factory needs:
/// KK `pkg/printers/internalversion/printers.go` `printPod`), with its icon class.
fn pod_status(pod: &Object) -> (PodPhase, String) {
    if object::at(pod, "/metadata/deletionTimestamp").is_some_and(|t| !t.is_null()) {
        let word = if object::str_at(pod, "/status/reason") == "NodeLost" { "Unknown" } else { "Terminating" };
        return (PodPhase::Terminating, word.to_string());
    }
    let statuses = object::at(pod, "/status/containerStatuses").and_then(|v| v.as_array());
    // Backwards, so the first container with a reason has the last word (as printPod).
    let waiting = statuses
        .into_iter()
        .flatten()
        .rev()
        .map(|c| object::str_at(c, "/state/waiting/reason"))
        .find(|r| !r.is_empty());
    match (waiting, object::str_at(pod, "/status/phase")) {
        (Some("ContainerCreating"), _) => (PodPhase::ContainerCreating, "ContainerCreating".to_string()),
        (Some(reason), _) => (PodPhase::Other, reason.to_string()),
        (None, "Running") => (PodPhase::Running, "Running".to_string()),
        (None, "Pending" | "") => (PodPhase::Pending, "Pending".to_string()),
        (None, other) => (PodPhase::Other, other.to_string()),
    }
}

fn u64_at(o: &Object, pointer: &str) -> u64 {
    object::at(o, pointer).and_then(|v| v.as_u64()).unwrap_or(0)
}

fn pod_view(p: &Object) -> PodView {
    let (phase, status) = pod_status(p);
    PodView { namespace: object::namespace(p).to_string(), name: object::name(p).to_string(), phase, status }
}

/// Taints as `key:Effect`.
fn taints(node: &Object) -> Vec<String> {
    object::at(node, "/spec/taints")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .take(FACTORY_TAINTS_SHOWN)
        .map(|t| format!("{}:{}", object::str_at(t, "/key"), object::str_at(t, "/effect")))
        .collect()
}

/// The Ready condition's status (the last one, if listed twice, as kubectl reads it).
fn ready_status(node: &Object) -> &'static str {
    let ready = object::at(node, "/status/conditions")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .rev()
        .find(|c| object::str_at(c, "/type") == "Ready");
    match ready.map(|c| object::str_at(c, "/status")) {
        Some("True") => "True",
        Some("False") => "False",
        Some(_) => "Unknown",
        None => "",
    }
}

fn robot_view(slot: &Slot, component: Component, now_us: u64) -> RobotView {
    let q = slot.queue.view();
    let adds = &slot.drawing.adds;
    let queued = q
        .queued
        .iter()
        .take(FACTORY_KEYS_SHOWN)
        .map(|k| QueuedKeyView { key: k.clone(), adds: adds.get(k).copied().unwrap_or(1) })
        .collect();
    let waiting = q
        .waiting
        .iter()
        .take(FACTORY_KEYS_SHOWN)
        .map(|w| WaitingKeyView { key: w.key.clone(), due_us: w.due_us.max(now_us), failures: w.failures })
        .collect();
    let workers = slot
        .workers
        .iter()
        .map(|w| {
            let dirty = w.key.as_ref().is_some_and(|k| q.processing.iter().any(|p| p.strip_suffix('*') == Some(k)));
            // The first change marks the key dirty; later ones are deduplicated (counted from 2).
            let merged = w.key.as_ref().filter(|_| dirty).map_or(0, |k| adds.get(k).copied().unwrap_or(1));
            WorkerView { dirty, merged, key: w.key.clone(), pending: w.pending_len() }
        })
        .collect();
    RobotView {
        name: slot.name(),
        component: component.binary(),
        running: true,
        queued,
        queued_total: q.queued.len(),
        waiting,
        waiting_total: q.waiting.len(),
        workers,
        deduped: q.deduped,
        syncs: slot.syncs,
        conflicts: slot.conflicts,
        last: slot.drawing.last.as_ref().map(Reconcile::view),
        latest: slot.drawing.latest.as_ref().map(Reconcile::view),
    }
}

/// The robots of a component nobody leads: named, idle, without a queue.
fn stopped_robots(component: Component) -> Vec<RobotView> {
    Robots::all(component, None)
        .iter()
        .map(|r| RobotView {
            name: r.name(),
            component: component.binary(),
            running: false,
            queued: Vec::new(),
            queued_total: 0,
            waiting: Vec::new(),
            waiting_total: 0,
            workers: Vec::new(),
            deduped: 0,
            syncs: 0,
            conflicts: 0,
            last: None,
            latest: None,
        })
        .collect()
}

fn leader_of(f: &Factory, component: Component) -> Option<&Instance> {
    f.instances.iter().find(|i| i.component == component && i.up && i.elector.leading)
}

fn lease_view(f: &Factory, component: Component, cache: Option<&WatchCache>, now_us: u64) -> LeaseView {
    let lease = cache.and_then(|c| {
        let res = crate::k8s::resources::resolve("leases")?;
        c.list_of(res, Some("kube-system")).into_iter().find(|l| object::name(l) == component.binary())
    });
    let holder = lease.as_ref().map_or("", |l| object::str_at(l, "/spec/holderIdentity")).to_string();
    let holder_pod = f
        .instances
        .iter()
        .find(|i| i.component == component && !holder.is_empty() && i.elector.identity == holder)
        .map(Instance::pod_name);
    // Unix time, as the Lease says it (kind's bootstrap renewal predates the class's t = 0).
    let now_unix_us = object::EPOCH_UNIX_S * US_PER_S + now_us;
    let renewed = lease.as_ref().and_then(|l| micro_time_us(object::str_at(l, "/spec/renewTime")));
    let duration_us = lease
        .as_ref()
        .and_then(|l| object::at(l, "/spec/leaseDurationSeconds"))
        .and_then(|v| v.as_u64())
        .map_or(leader::LEASE_DURATION_US, |s| s.saturating_mul(US_PER_S));
    LeaseView {
        component: component.binary(),
        holder,
        holder_pod,
        renewed_ago_us: renewed.map(|r| now_unix_us.saturating_sub(r)),
        duration_us,
        renew_deadline_us: leader::RENEW_DEADLINE_US,
    }
}

impl World {
    /// The API server watch cache that is most up to date (an up teller's), if any.
    fn freshest_cache(&self) -> Option<&WatchCache> {
        let office = self.office.as_ref()?;
        office.tellers.iter().filter(|t| t.up).map(|t| &t.cache).max_by_key(|c| c.revision())
    }

    /// The factory as its drawing shows it; `None` in a world without Kubernetes or robots.
    pub fn factory_view(&self) -> Option<FactoryView> {
        let f = self.factory.as_ref()?;
        let now = self.now_us;
        let cache = self.freshest_cache();
        let components = [Component::ControllerManager, Component::Scheduler];
        let leases = components.iter().map(|&c| lease_view(f, c, cache, now)).collect();
        let instances = f
            .instances
            .iter()
            .map(|i| InstanceView {
                component: i.component.binary(),
                node: i.node,
                node_name: crate::names::node_name(i.node),
                pod: i.pod_name(),
                up: i.up,
                leading: i.up && i.elector.leading,
                restarts: i.restarts,
            })
            .collect();
        let kcm = leader_of(f, Component::ControllerManager);
        let feed = kcm.map_or_else(Vec::new, |i| {
            let skip = i.feed.entries.len().saturating_sub(FACTORY_FEED_SHOWN);
            i.feed
                .entries
                .iter()
                .skip(skip)
                .map(|e| FeedView {
                    seq: e.seq,
                    at_us: e.at_us,
                    resource: e.resource,
                    kind: e.kind.as_str(),
                    key: e.key.clone(),
                    resource_version: e.rv,
                    listed: e.listed,
                })
                .collect()
        });
        let mut robots = Vec::new();
        for c in components {
            match leader_of(f, c) {
                Some(i) => robots.extend(i.slots.iter().map(|s| robot_view(s, c, now))),
                None => robots.extend(stopped_robots(c)),
            }
        }
        let (nodes, unscheduled, unscheduled_hidden, deployments) = match cache {
            Some(c) => self.cluster_view(f, c),
            None => (Vec::new(), Vec::new(), 0, Vec::new()),
        };
        Some(FactoryView {
            leases,
            instances,
            feed,
            feed_total: kcm.map_or(0, |i| i.feed.total),
            feed_heartbeats: kcm.map_or(0, |i| i.feed.heartbeats),
            robots,
            nodes,
            unscheduled,
            unscheduled_hidden,
            deployments,
        })
    }

    /// Nodes with their pods, the unscheduled pods and the Deployments, as `cache` has them.
    fn cluster_view(
        &self,
        f: &Factory,
        cache: &WatchCache,
    ) -> (Vec<NodeView>, Vec<PodView>, usize, Vec<DeploymentView>) {
        let resolve = crate::k8s::resources::resolve;
        let list = |r: &str| resolve(r).map_or_else(Vec::new, |res| cache.list_of(res, None));
        let mut nodes: Vec<NodeView> = list("nodes")
            .iter()
            .map(|n| {
                let name = object::name(n).to_string();
                let kubelet = f.kubelets.iter().find(|k| k.node == name);
                NodeView {
                    control_plane: object::label(n, "node-role.kubernetes.io/control-plane").is_some(),
                    ready: ready_status(n),
                    unschedulable: object::at(n, "/spec/unschedulable").and_then(|v| v.as_bool()).unwrap_or(false),
                    taints: taints(n),
                    kubelet_up: kubelet.is_none_or(|k| k.up),
                    reachable: kubelet.is_none_or(|k| k.reachable),
                    name,
                    pods: Vec::new(),
                    pods_hidden: 0,
                    system_pods: 0,
                }
            })
            .collect();
        let index: BTreeMap<String, usize> = nodes.iter().enumerate().map(|(i, n)| (n.name.clone(), i)).collect();
        let mut unscheduled = Vec::new();
        let mut unscheduled_hidden = 0;
        for p in list("pods") {
            let node = index.get(object::str_at(&p, "/spec/nodeName")).map(|&i| &mut nodes[i]);
            match node {
                Some(n) if object::namespace(&p) == "kube-system" => n.system_pods += 1,
                Some(n) if n.pods.len() < FACTORY_PODS_SHOWN => n.pods.push(pod_view(&p)),
                Some(n) => n.pods_hidden += 1,
                None if unscheduled.len() < FACTORY_PODS_SHOWN => unscheduled.push(pod_view(&p)),
                None => unscheduled_hidden += 1,
            }
        }
        let deployments = list("deployments")
            .iter()
            .filter(|d| !SYSTEM_NAMESPACES.contains(&object::namespace(d)))
            .take(FACTORY_DEPLOYMENTS_SHOWN)
            .map(|d| DeploymentView {
                namespace: object::namespace(d).to_string(),
                name: object::name(d).to_string(),
                replicas: object::at(d, "/spec/replicas").and_then(|v| v.as_u64()).unwrap_or(1),
                ready: u64_at(d, "/status/readyReplicas"),
                updated: u64_at(d, "/status/updatedReplicas"),
                available: u64_at(d, "/status/availableReplicas"),
            })
            .collect();
        (nodes, unscheduled, unscheduled_hidden, deployments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_times_read_back() {
        let epoch_us = object::EPOCH_UNIX_S * US_PER_S;
        assert_eq!(micro_time_us(&object::rfc3339_micro(2_000_100)), Some(epoch_us + 2_000_100));
        assert_eq!(micro_time_us(&object::rfc3339(object::unix_s(7 * US_PER_S))), Some(epoch_us + 7 * US_PER_S));
        // Before the class started (kind made the cluster earlier).
        assert_eq!(micro_time_us(&object::rfc3339(object::EPOCH_UNIX_S - 5)), Some(epoch_us - 5 * US_PER_S));
        assert_eq!(micro_time_us("yesterday"), None);
        assert_eq!(micro_time_us("2026-11-27T09:00:02.1234567Z"), None);
    }

    #[test]
    fn dedupe_counts_start_at_two_and_end_when_the_key_is_synced() {
        let mut d = Drawing::default();
        d.added("default/nginx", false);
        assert!(d.adds.is_empty(), "a first add is drawn as one");
        d.added("default/nginx", true);
        d.added("default/nginx", true);
        assert_eq!(d.adds.get("default/nginx"), Some(&3));
        d.synced(Reconcile::of(1, "default/nginx", 0, &Plan::default()));
        assert!(d.adds.is_empty());
        for n in 0..DEDUPE_KEYS_MAX + 10 {
            d.added(&format!("k{n}"), true);
        }
        assert_eq!(d.adds.len(), DEDUPE_KEYS_MAX, "bounded");
    }

    #[test]
    fn the_board_keeps_the_last_reconcile_that_found_a_gap_and_its_answers() {
        let mut d = Drawing::default();
        let gap = Plan {
            batches: vec![vec![Write::create("pods", "default", serde_json::json!({"metadata": {}}))]],
            diff: Some(Diff { what: "replicas".into(), desired: "3".into(), current: "2".into() }),
            ..Plan::default()
        };
        d.synced(Reconcile::of(1, "default/web", 10, &gap));
        d.sent(1, 77, &gap.batches[0][0]);
        let in_sync = Plan {
            diff: Some(Diff { what: "replicas".into(), desired: "3".into(), current: "3".into() }),
            ..Plan::default()
        };
        d.synced(Reconcile::of(2, "default/web", 20, &in_sync));
        d.answered(77, 201, Some(&serde_json::json!({"metadata": {"name": "web-abcde"}})));
        let last = d.last.as_ref().unwrap().view();
        assert_eq!((last.at_us, last.planned), (10, 1));
        assert_eq!(last.actions[0].name, "web-abcde");
        assert_eq!(last.actions[0].code, Some(201));
        assert_eq!(d.latest.as_ref().unwrap().at_us, 20);
    }
}
