//! The robot factory under random faults (issue 5 acceptance; `lab check --factory`). One seed
//! drives the default cluster (3 control-plane nodes, 2 workers) through storms and calms:
//!
//! - a **storm** mixes a client's Deployment writes (create with a random rolling-update
//!   strategy, scale, image change, delete with a random cascade, a viewer's forbidden scale)
//!   with faults: worker nodes crash, restart, are cut off and come back; kube-controller-manager
//!   and kube-scheduler instances crash and restart; etcd members crash, restart and are
//!   partitioned; API servers crash, restart and slow down;
//! - a **calm** heals everything and keeps writing (mostly image changes: rollouts), so the
//!   rolling-update bounds, which the controllers only promise in steady conditions, are checked
//!   while they hold;
//! - then the **liveness** phase: nothing fails any more and every Deployment must converge to
//!   what the acknowledged writes asked for; the controller-manager's leader is killed and a new
//!   one must take the Lease in time and keep reconciling; and (in half the seeds) a worker dies
//!   for good, so its pods must be evicted after the grace period and the toleration and
//!   replaced on the other worker.
//!
//! The checkers sample the cluster every step (100 ms of simulated time in storms and calms) as
//! the API servers' freshest watch cache shows it — a committed state of etcd — plus the
//! kubelets and the factory's own records. One small function per property, each citing where
//! the property comes from.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

use serde_json::{json, Value};

use crate::apiserver::cache::WatchCache;
use crate::apiserver::handler::{ApiCall, DeleteOptions, Stage, Verb};
use crate::apiserver::{object, Informers, Object};
use crate::check::Violation;
use crate::controllers::deployment::equal_ignore_hash;
use crate::controllers::informer::{Delta, Informer};
use crate::controllers::leader::{LEASE_DURATION_US, RETRY_PERIOD_US};
use crate::controllers::node_lifecycle::GRACE_PERIOD_US;
use crate::controllers::replicaset::{controller_of, is_pod_active, is_pod_ready, is_terminating};
use crate::controllers::Propagation;
use crate::etcd::mutant::Mutant;
use crate::etcd::raft::RaftConfig;
use crate::k8s::authn::Credential;
use crate::sim::rng::SimRng;
use crate::sim::US_PER_S;
use crate::world::{Component, World};

/// Sampling period in storms and calms (and in the failover); the long liveness waits sample
/// every `SLOW_STEP_US`.
pub const STEP_US: u64 = 100_000;
pub const SLOW_STEP_US: u64 = US_PER_S;
/// Storm/calm cycles per seed, and at most.
pub const CYCLES: usize = 2;
pub const CYCLES_MAX: usize = 16;
/// The Deployments the client writes (all in `default`).
const NAMES: [&str; 6] = ["web0", "web1", "web2", "web3", "web4", "web5"];
const NAMESPACE: &str = "default";
const IMAGES: [&str; 4] = ["nginx:1.24", "nginx:1.25", "nginx:1.26", "nginx:1.27"];
/// Replicas a client asks for at most (two workers hold them all).
const REPLICAS_MAX: u64 = 6;
/// How long a ReplicaSet controller may take, in calm conditions, to carry out a lowered
/// `spec.replicas` (a watch delivery, a sync, a DELETE through the API server and etcd): the
/// pods of a ReplicaSet are bounded by the largest spec it had over this window.
pub const RS_LAG_US: u64 = 10 * US_PER_S;
/// After a control-plane fault (etcd, API server, controller-manager), quiet this long — and
/// every request sent before it answered — before the ReplicaSet bound is checked: a request
/// cut off by a fault may still be written (etcd's 7 s request timeout).
pub const SETTLE_US: u64 = 15 * US_PER_S;
/// After a worker-node fault, quiet this long before availability is checked again: the node
/// lifecycle controller may still mark pods not ready (40 s grace + a 10 s lease renewal + its
/// 5 s monitor period).
pub const NODE_SETTLE_US: u64 = 60 * US_PER_S;
/// How often Deployments are looked at whole to arm their rolling-update bounds.
pub const ARM_EVERY_US: u64 = US_PER_S;
/// The liveness phase: every Deployment converges within this long once all is healed.
pub const CONVERGE_US_MAX: u64 = 150 * US_PER_S;
/// `DefaultTolerationSeconds` (KW admission-controllers.md): pods tolerate `unreachable` 300 s.
pub const TOLERATION_US: u64 = 300 * US_PER_S;
/// After a leader dies, a new one holds the Lease by lease duration + a jittered retry period
/// (CG leaderelection `JitterFactor` 1.2) + a few requests' latency.
pub const FAILOVER_US_MAX: u64 = LEASE_DURATION_US + RETRY_PERIOD_US * 12 / 10 + 3 * US_PER_S;

/// The kubelet renews its node's Lease every 10 s (fact sheet §5).
const KUBELET_RENEW_US: u64 = 10 * US_PER_S;

const WORKERS: [&str; 2] = ["challenge-cluster-worker", "challenge-cluster-worker2"];

#[derive(Clone, Debug, Default)]
pub struct FactoryOutcome {
    pub seed: u64,
    pub violations: Vec<Violation>,
    /// Simulated time the seed ran.
    pub simulated_us: u64,
    pub samples: u64,
    /// Client writes acknowledged, and image changes among them (rollouts started).
    pub writes_ok: u64,
    pub rollouts: u64,
    /// Samples where a rolling update was checked against its bounds.
    pub rollout_samples: u64,
    /// Faults injected.
    pub faults: u64,
    /// Pods evicted from the dead worker (node-death seeds).
    pub evicted: u64,
    /// Samples where a Deployment's non-terminating pods exceeded replicas + maxSurge while its
    /// ReplicaSets' specs were within the bound (old pods whose deletion was still on its way).
    pub surge_lag_samples: u64,
    pub hash: u64,
}

/// Runs one seed and checks it. A panic in the lab is a violation too.
pub fn check_factory_seed(seed: u64, mutant: Option<Mutant>) -> FactoryOutcome {
    check_factory_seed_with(seed, mutant, FactoryOptions::default())
}

/// How much of a seed to run (`lab check --factory` runs it all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FactoryOptions {
    /// Stop at the first violation (the mutant tests only need to know one is caught).
    pub fail_fast: bool,
    /// Storm/calm cycles.
    pub cycles: usize,
    /// Whether a worker dies for good at the end (`None`: the seed decides, one in two).
    pub node_death: Option<bool>,
}

impl Default for FactoryOptions {
    fn default() -> FactoryOptions {
        FactoryOptions { fail_fast: false, cycles: CYCLES, node_death: None }
    }
}

/// [`check_factory_seed`] with options.
pub fn check_factory_seed_with(seed: u64, mutant: Option<Mutant>, options: FactoryOptions) -> FactoryOutcome {
    match std::panic::catch_unwind(move || run(seed, mutant, options)) {
        Ok(o) => o,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            FactoryOutcome {
                seed,
                violations: vec![Violation { at_us: 0, property: "an assertion in the code", detail }],
                ..FactoryOutcome::default()
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The cluster as the freshest API server's watch cache holds it.

/// Every object the checkers read, indexed by owner.
struct Snapshot {
    deployments: Vec<Rc<Object>>,
    /// ReplicaSets by the uid of their controlling Deployment (`""`: none).
    rss_of: BTreeMap<String, Vec<Rc<Object>>>,
    rss: Vec<Rc<Object>>,
    /// Pods by the uid of their controlling ReplicaSet (`""`: none).
    pods_of: BTreeMap<String, Vec<Rc<Object>>>,
    pods: Vec<Rc<Object>>,
    nodes: Vec<Rc<Object>>,
    leases: Vec<Rc<Object>>,
}

/// The watch cache with the highest revision: a state etcd committed (caches only apply what
/// their member applied), as fresh as any API server can serve.
fn freshest(w: &World) -> Option<&WatchCache> {
    w.office()?.tellers.iter().filter(|t| t.up).map(|t| &t.cache).max_by_key(|c| c.revision())
}

fn list(cache: &WatchCache, resource: &str) -> Vec<Rc<Object>> {
    crate::k8s::resources::resolve(resource).map_or_else(Vec::new, |r| cache.list_of(r, None))
}

fn owner_uid(obj: &Object) -> String {
    controller_of(obj).map(|r| object::str_at(r, "/uid").to_string()).unwrap_or_default()
}

fn uid(obj: &Object) -> &str {
    object::str_at(obj, "/metadata/uid")
}

fn key(obj: &Object) -> String {
    format!("{}/{}", object::namespace(obj), object::name(obj))
}

fn int(obj: &Object, pointer: &str) -> i64 {
    object::at(obj, pointer).and_then(Value::as_i64).unwrap_or(0)
}

impl Snapshot {
    fn of(w: &World) -> Option<Snapshot> {
        let cache = freshest(w)?;
        let rss = list(cache, "replicasets");
        let pods = list(cache, "pods");
        let mut rss_of: BTreeMap<String, Vec<Rc<Object>>> = BTreeMap::new();
        for rs in &rss {
            rss_of.entry(owner_uid(rs)).or_default().push(rs.clone());
        }
        let mut pods_of: BTreeMap<String, Vec<Rc<Object>>> = BTreeMap::new();
        for p in &pods {
            pods_of.entry(owner_uid(p)).or_default().push(p.clone());
        }
        Some(Snapshot {
            deployments: list(cache, "deployments"),
            rss_of,
            rss,
            pods_of,
            pods,
            nodes: list(cache, "nodes"),
            leases: list(cache, "leases"),
        })
    }

    fn rss_of(&self, owner: &Object) -> &[Rc<Object>] {
        self.rss_of.get(uid(owner)).map_or(&[], Vec::as_slice)
    }

    fn pods_of(&self, rs: &Object) -> &[Rc<Object>] {
        self.pods_of.get(uid(rs)).map_or(&[], Vec::as_slice)
    }

    /// The non-terminating pods of a Deployment's ReplicaSets (KK `controller.FilterActivePods`).
    fn active_pods(&self, d: &Object) -> Vec<&Rc<Object>> {
        self.rss_of(d).iter().flat_map(|rs| self.pods_of(rs)).filter(|p| is_pod_active(p)).collect()
    }

    fn deployment(&self, name: &str) -> Option<&Rc<Object>> {
        self.deployments.iter().find(|d| object::namespace(d) == NAMESPACE && object::name(d) == name)
    }

    fn node_ready(&self, node: &str) -> bool {
        self.nodes.iter().any(|n| {
            object::name(n) == node
                && object::at(n, "/status/conditions").and_then(Value::as_array).is_some_and(|cs| {
                    cs.iter().any(|c| object::str_at(c, "/type") == "Ready" && object::str_at(c, "/status") == "True")
                })
        })
    }
}

/// KK `deploymentutil.ResolveFenceposts` (`intstr.GetScaledValueFromIntOrPercent`): maxSurge of
/// `replicas` rounds up, maxUnavailable rounds down, both 0 makes maxUnavailable 1; an absent
/// value is the API default `25%`; `MaxUnavailable` is at most `replicas`. Written out here
/// again, not borrowed from the controller, so a bug there cannot hide itself.
fn fenceposts(d: &Object) -> (i64, i64) {
    let replicas = int(d, "/spec/replicas");
    let scaled = |field: &str, round_up: bool| -> i64 {
        let v = object::at(d, &format!("/spec/strategy/rollingUpdate/{field}")).filter(|v| !v.is_null());
        match v {
            Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
            Some(Value::String(s)) => {
                let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
                let x = pct * replicas;
                if round_up {
                    (x + 99) / 100
                } else {
                    x / 100
                }
            }
            _ => {
                let x = 25 * replicas;
                if round_up {
                    (x + 99) / 100
                } else {
                    x / 100
                }
            }
        }
    };
    let surge = scaled("maxSurge", true);
    let mut unavailable = scaled("maxUnavailable", false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable.min(replicas))
}

fn is_rolling(d: &Object) -> bool {
    matches!(object::str_at(d, "/spec/strategy/type"), "RollingUpdate" | "")
}

/// What the rolling-update bounds of a Deployment depend on: a scale or a new strategy starts a
/// new steady state to reach before they are promised again.
fn bound_signature(d: &Object) -> String {
    format!("{}/{}/{}", uid(d), int(d, "/spec/replicas"), object::at(d, "/spec/strategy").unwrap_or(&Value::Null))
}

/// Why a Deployment has not converged (KK `deploymentutil.DeploymentComplete`; KW
/// deployment.md "Complete Deployment"): `None` when it has — status replicas, updated and
/// available all equal spec, the status observed this generation, exactly one ReplicaSet with
/// replicas (the one of the current template), and that many running, ready pods.
fn not_converged(s: &Snapshot, d: &Object) -> Option<String> {
    let replicas = int(d, "/spec/replicas");
    let status = |f: &str| int(d, &format!("/status/{f}"));
    let generation = int(d, "/metadata/generation");
    if status("observedGeneration") != generation {
        return Some(format!("observedGeneration {} ≠ generation {generation}", status("observedGeneration")));
    }
    let counts = [status("replicas"), status("updatedReplicas"), status("availableReplicas")];
    if counts.iter().any(|&c| c != replicas) {
        return Some(format!("status replicas/updated/available {counts:?}, spec {replicas}"));
    }
    let rss = s.rss_of(d);
    let scaled: Vec<&Rc<Object>> = rss.iter().filter(|rs| int(rs, "/spec/replicas") > 0).collect();
    let want_scaled = usize::from(replicas > 0);
    if scaled.len() != want_scaled {
        return Some(format!("{} ReplicaSets with replicas > 0", scaled.len()));
    }
    for rs in rss {
        let (spec, st) = (int(rs, "/spec/replicas"), int(rs, "/status/replicas"));
        if spec != st {
            return Some(format!("ReplicaSet {} has status.replicas {st}, spec {spec}", object::name(rs)));
        }
    }
    let pods = s.active_pods(d);
    let running = pods.iter().filter(|p| object::str_at(p, "/status/phase") == "Running" && is_pod_ready(p)).count();
    if pods.len() as i64 != replicas || running as i64 != replicas {
        return Some(format!("{} active pods, {running} running and ready, spec {replicas}", pods.len()));
    }
    // Last, as the dearest: the ReplicaSet copies the template, so the pod specs are equal as
    // stored; only if not, compare as the controller does (ignoring the hash label, empties).
    if let Some(rs) = scaled.first() {
        let same = object::at(rs, "/spec/template/spec") == object::at(d, "/spec/template/spec")
            || equal_ignore_hash(object::at(rs, "/spec/template"), object::at(d, "/spec/template"));
        if !same {
            return Some(format!("the scaled ReplicaSet {} is not the current template's", object::name(rs)));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// The client: what it wrote, and what the cluster may hold because of it.

/// A Deployment as the client's writes define it: (replicas, image); `None`: absent (or being
/// deleted).
type State = Option<(i64, String)>;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Create { replicas: i64, image: String },
    Scale(i64),
    Image(String),
    Delete,
}

impl Op {
    /// The state after the op took effect on `s` (a create on an existing object is refused).
    fn apply(&self, s: &State) -> State {
        match (self, s) {
            (Op::Create { replicas, image }, None) => Some((*replicas, image.clone())),
            (Op::Create { .. }, Some(_)) => s.clone(),
            (Op::Scale(n), Some((_, image))) => Some((*n, image.clone())),
            (Op::Image(i), Some((n, _))) => Some((*n, i.clone())),
            (Op::Scale(_) | Op::Image(_), None) | (Op::Delete, _) => None,
        }
    }
}

#[derive(Clone, Debug)]
struct InFlight {
    request: u64,
    op: Op,
    sent_us: u64,
    /// Sent as the read-only viewer: must be refused.
    viewer: bool,
}

/// One Deployment name: the states the cluster may hold for it, given every answer so far. One
/// request at a time per name, so the writes are ordered. An answer that does not say whether
/// the write happened (5xx, a cut connection) adds the alternative; the name then waits until
/// the cluster has settled and the state it holds decides.
#[derive(Clone, Debug)]
struct Name {
    possible: BTreeSet<State>,
    in_flight: Option<InFlight>,
}

impl Default for Name {
    fn default() -> Name {
        Name { possible: BTreeSet::from([None]), in_flight: None }
    }
}

impl Name {
    fn sure(&self) -> Option<&State> {
        match self.possible.len() {
            1 => self.possible.first(),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Acked,
    Refused,
    /// The write may or may not have happened.
    Unknown,
}

fn answer_of(code: u16) -> Answer {
    match code {
        200..=299 => Answer::Acked,
        // Refused before anything was stored: invalid, forbidden, not found, conflict, too many
        // requests.
        400..=499 => Answer::Refused,
        // 0 (connection cut), 500 (etcd timeout: the proposal may still commit), 503, 504.
        _ => Answer::Unknown,
    }
}

fn admin() -> Credential {
    Credential::ClientCert { cn: "kubernetes-admin".into(), orgs: vec!["system:masters".into()] }
}

fn viewer() -> Credential {
    Credential::ClientCert { cn: "viewer".into(), orgs: vec!["viewers".into()] }
}

fn deployments_resource() -> &'static crate::k8s::resources::ApiResource {
    crate::k8s::resources::resolve("deployments").expect("deployments are known")
}

/// A random rolling-update strategy: ints and percentages, zeros included (both zero is
/// invalid: validation must refuse it, KK `ValidateRollingUpdateDeployment`).
fn random_strategy(rng: &mut SimRng) -> Value {
    let surges = [json!(0), json!(1), json!(2), json!("25%"), json!("50%"), json!("0%"), json!("100%")];
    let unavailables = [json!(0), json!(1), json!("25%"), json!("50%"), json!("0%"), json!(2)];
    let s = surges[rng.below(surges.len() as u64) as usize].clone();
    let u = unavailables[rng.below(unavailables.len() as u64) as usize].clone();
    json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": s, "maxUnavailable": u}})
}

fn deployment_body(name: &str, replicas: i64, image: &str, strategy: Value) -> Object {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "strategy": strategy,
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": image}]}}},
    })
}

#[derive(Default)]
struct Client {
    names: BTreeMap<&'static str, Name>,
    writes_ok: u64,
    rollouts: u64,
}

impl Client {
    /// An API server a client's load balancer would pick (kind's haproxy checks health).
    fn server(w: &World, rng: &mut SimRng) -> Option<u8> {
        let up: Vec<u8> = w.office()?.tellers.iter().filter(|t| t.up).map(|t| t.node).collect();
        up.get(rng.below(up.len().max(1) as u64) as usize).copied()
    }

    /// Sends one random write on a name that is idle and certain. `rollouts`: favour image
    /// changes (a calm's business).
    fn write(&mut self, w: &mut World, rng: &mut SimRng, rollouts: bool) {
        let idle: Vec<&'static str> = NAMES
            .iter()
            .copied()
            .filter(|n| self.names.get(n).is_none_or(|x| x.in_flight.is_none() && x.sure().is_some()))
            .collect();
        if idle.is_empty() {
            return;
        }
        let name = idle[rng.below(idle.len() as u64) as usize];
        let Some(server) = Client::server(w, rng) else { return };
        let state = self.names.entry(name).or_default().sure().cloned().flatten();
        let image = IMAGES[rng.below(IMAGES.len() as u64) as usize].to_string();
        let res = deployments_resource();
        let mut viewer_write = false;
        let (op, call) = match state {
            None => {
                let replicas = rng.between(1, REPLICAS_MAX) as i64;
                let mut c = ApiCall::new(Verb::Create, res, NAMESPACE, "", admin());
                c.body = Some(deployment_body(name, replicas, &image, random_strategy(rng)));
                (Op::Create { replicas, image }, c)
            }
            Some(_) => {
                let roll = if rollouts { 70 } else { 40 };
                let x = rng.below(100);
                if x < roll {
                    // `kubectl set image` plus, sometimes, a new strategy (a merge patch).
                    let mut c = ApiCall::new(Verb::Patch, res, NAMESPACE, name, admin());
                    let mut patch =
                        json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": image}]}}}});
                    if rng.below(3) == 0 {
                        patch["spec"]["strategy"] = random_strategy(rng);
                    }
                    c.body = Some(patch);
                    (Op::Image(image), c)
                } else if x < roll + 15 {
                    // `kubectl scale` (a merge patch of spec.replicas).
                    let n = rng.between(0, REPLICAS_MAX) as i64;
                    viewer_write = rng.below(5) == 0;
                    let cred = if viewer_write { viewer() } else { admin() };
                    let mut c = ApiCall::new(Verb::Patch, res, NAMESPACE, name, cred);
                    c.body = Some(json!({"spec": {"replicas": n}}));
                    (Op::Scale(n), c)
                } else if x < roll + 25 {
                    let n = rng.between(1, REPLICAS_MAX) as i64;
                    let mut c = ApiCall::new(Verb::Patch, res, NAMESPACE, name, admin());
                    c.body = Some(json!({"spec": {"replicas": n}}));
                    (Op::Scale(n), c)
                } else {
                    // `kubectl delete --cascade=background|foreground|orphan`.
                    let mut c = ApiCall::new(Verb::Delete, res, NAMESPACE, name, admin());
                    let propagation =
                        [Propagation::Background, Propagation::Foreground, Propagation::Orphan][rng.below(3) as usize];
                    c.delete = DeleteOptions { propagation: Some(propagation), ..DeleteOptions::default() };
                    (Op::Delete, c)
                }
            }
        };
        let Some(request) = w.api_call(server, call) else { return };
        let entry = self.names.entry(name).or_default();
        entry.in_flight = Some(InFlight { request, op, sent_us: w.now_us(), viewer: viewer_write });
    }

    /// Takes the answers that arrived. A viewer's write that succeeds is a violation.
    fn collect(&mut self, w: &mut World, v: &mut Vec<Violation>) {
        for (name, n) in self.names.iter_mut() {
            let Some(f) = &n.in_flight else { continue };
            let Some(response) = w.take_api_answer(f.request) else { continue };
            let code = response.code();
            let answer = answer_of(code);
            if f.viewer && answer != Answer::Refused {
                only_authorized_writes(w, name, code, v);
            }
            match answer {
                Answer::Acked => {
                    n.possible = n.possible.iter().map(|s| f.op.apply(s)).collect();
                    self.writes_ok += 1;
                    if matches!(f.op, Op::Image(_)) {
                        self.rollouts += 1;
                    }
                }
                Answer::Refused => {}
                Answer::Unknown => {
                    let applied: Vec<State> = n.possible.iter().map(|s| f.op.apply(s)).collect();
                    n.possible.extend(applied);
                }
            }
            n.in_flight = None;
        }
    }

    /// Requests still unanswered long after the API server's request timeout.
    fn unanswered(&self, now_us: u64) -> Vec<(&'static str, &InFlight)> {
        let limit_us = crate::world::office_request_timeout_us() + 30 * US_PER_S;
        self.names
            .iter()
            .filter_map(|(n, x)| x.in_flight.as_ref().map(|f| (*n, f)))
            .filter(|(_, f)| now_us.saturating_sub(f.sent_us) > limit_us)
            .collect()
    }
}

/// What the cluster holds for a name, as the client's model states it.
fn observed(s: &Snapshot, name: &str) -> State {
    let d = s.deployment(name)?;
    if is_terminating(d) {
        return None;
    }
    let image = object::str_at(d, "/spec/template/spec/containers/0/image").to_string();
    Some((int(d, "/spec/replicas"), image))
}

// ---------------------------------------------------------------------------------------------
// The checkers.

/// Default deny (KW authorization.md): the `viewer` user may read Deployments, not scale them.
fn only_authorized_writes(w: &World, name: &str, code: u16, v: &mut Vec<Violation>) {
    v.push(Violation {
        at_us: w.now_us(),
        property: "writes only by authorized users (KW authorization.md)",
        detail: format!("the viewer's scale of deployment {name} answered {code}, not 403"),
    });
}

/// Every acknowledged write is present (KW api-concepts.md: a write that answered 2xx is in etcd
/// and every later read sees it): once nothing is in flight, the cluster holds one of the states
/// the client's answered writes allow. The name's model then continues from what it holds.
fn acknowledged_writes_present(s: &Snapshot, client: &mut Client, now_us: u64, v: &mut Vec<Violation>) {
    for (name, n) in client.names.iter_mut() {
        if n.in_flight.is_some() {
            continue;
        }
        let held = observed(s, name);
        if !n.possible.contains(&held) {
            v.push(Violation {
                at_us: now_us,
                property: "every acknowledged write is present",
                detail: format!("deployment {name} is {held:?}; the answered writes allow only {:?}", n.possible),
            });
        }
        n.possible = BTreeSet::from([held]);
    }
}

/// The faults, as the checkers must know them.
#[derive(Clone, Debug, Default)]
struct Faults {
    /// Last etcd, API server or controller-manager fault (a change of leader counts).
    control_plane_us: u64,
    /// Last worker-node fault.
    node_us: u64,
    /// The control plane has settled since its last fault (quiet `SETTLE_US`, every request
    /// sent before it answered).
    settled: bool,
    count: u64,
}

/// A Deployment as the rolling-update checkers follow it.
#[derive(Clone, Debug, Default)]
struct DeploymentState {
    key: String,
    signature: String,
    replicas: i64,
    surge: i64,
    unavailable: i64,
    rss: BTreeSet<String>,
    /// `Some(availability)`: in a steady state from which a rolling update keeps its bounds
    /// (availability too when armed with the nodes calm; a node fault ends that part).
    armed: Option<bool>,
}

#[derive(Clone, Debug, Default)]
struct ReplicaSetState {
    key: String,
    owner: String,
    spec: i64,
    /// Larger specs it had, with when they were lowered (kept `RS_LAG_US`).
    lowered: VecDeque<(u64, i64)>,
    /// First seen (a ReplicaSet found by a list may still be carrying out an older spec).
    seen_us: u64,
    /// Non-terminating pods, and those of them ready.
    active: i64,
    ready: i64,
}

#[derive(Clone, Debug, Default)]
struct PodState {
    rs: String,
    active: bool,
    ready: bool,
}

/// The checkers' own informer on the freshest API server: every committed change of the
/// Deployments, ReplicaSets and pods, in revision order, so a bound broken for a single
/// revision is seen (sampling would miss an extra pod that lives for a few milliseconds).
struct Tracker {
    informer: Informer,
    deployments: BTreeMap<String, DeploymentState>,
    rss: BTreeMap<String, ReplicaSetState>,
    pods: BTreeMap<String, PodState>,
}

impl Default for Tracker {
    fn default() -> Tracker {
        Tracker {
            informer: Informer::new(&["deployments", "replicasets", "pods"]),
            deployments: BTreeMap::new(),
            rss: BTreeMap::new(),
            pods: BTreeMap::new(),
        }
    }
}

#[derive(Default)]
struct Checks {
    violations: Vec<Violation>,
    /// (property, subject) already reported, so one broken object is reported once.
    reported: BTreeSet<(&'static str, String)>,
    tracker: Tracker,
    /// Pod uid → `namespace/name` as first seen.
    pod_names: BTreeMap<String, String>,
    factory_seen: usize,
    office_seen: usize,
    leaders: Vec<(Component, usize)>,
    faults: Faults,
    samples: u64,
    /// Changes seen while a rolling update was held to its bounds.
    rollout_changes: u64,
    surge_lag_changes: u64,
    last_lost_update_check_us: u64,
    last_arm_us: u64,
}

impl Checks {
    fn report(&mut self, at_us: u64, property: &'static str, subject: String, detail: String) {
        if self.reported.insert((property, subject)) {
            self.violations.push(Violation { at_us, property, detail });
        }
    }

    fn fault(&mut self, line: &str, now_us: u64) {
        self.faults.count += 1;
        if line.starts_with("lab node ") {
            self.faults.node_us = now_us;
            for d in self.tracker.deployments.values_mut() {
                if let Some(a) = &mut d.armed {
                    *a = false;
                }
            }
        } else if !line.starts_with("lab scheduler ") && !line.contains(" slow ") {
            self.control_plane_fault(now_us);
        }
    }

    fn control_plane_fault(&mut self, now_us: u64) {
        self.faults.control_plane_us = now_us;
        self.faults.settled = false;
    }

    /// One step: every change since the last, then the per-step checkers.
    fn sample(&mut self, w: &World) {
        let now = w.now_us();
        self.samples += 1;
        self.leadership(w);
        self.settle(w);
        factory_records(w, self);
        let Some(cache) = freshest(w) else { return };
        let (synced, relists) = (self.tracker.informer.has_synced(), self.tracker.informer.relists);
        let deltas = self.tracker.informer.watch(cache, now);
        let listed = !synced || self.tracker.informer.relists != relists;
        for d in deltas {
            self.change(&d, listed, now);
        }
        running_pods_unique(w, self);
        // Arming is a look at whole Deployments: once a second is soon enough (later only
        // holds the bounds to fewer changes).
        if now >= self.last_arm_us + ARM_EVERY_US {
            self.last_arm_us = now;
            if let Some(s) = Snapshot::of(w) {
                self.arm(&s, now);
            }
        }
        if now >= self.last_lost_update_check_us + US_PER_S {
            self.last_lost_update_check_us = now;
            let mut v = Vec::new();
            crate::check::office::no_lost_updates(w, &mut v);
            for x in v {
                self.report(x.at_us, x.property, x.detail.clone(), x.detail);
            }
        }
    }

    /// At most one leader per component (CG leaderelection: a leader stops within its renew
    /// deadline, 10 s, before a candidate may take the 15 s Lease); a change of leader is a
    /// control-plane fault for the checkers that need calm.
    fn leadership(&mut self, w: &World) {
        let Some(f) = w.factory() else { return };
        let leaders: Vec<(Component, usize)> = f
            .instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.up && i.elector.leading)
            .map(|(n, i)| (i.component, n))
            .collect();
        for c in [Component::ControllerManager, Component::Scheduler] {
            let n = leaders.iter().filter(|l| l.0 == c).count();
            if n > 1 {
                let detail = format!("{n} instances of {} lead at once", c.binary());
                let subject = format!("{c:?}{}", w.now_us() / US_PER_S);
                self.report(w.now_us(), "one leader at a time (CG leaderelection)", subject, detail);
            }
        }
        if leaders != self.leaders {
            self.leaders = leaders;
            self.control_plane_fault(w.now_us());
        }
    }

    fn settle(&mut self, w: &World) {
        if self.faults.settled || w.now_us() < self.faults.control_plane_us + SETTLE_US {
            return;
        }
        let Some(office) = w.office() else { return };
        let before = self.faults.control_plane_us;
        self.faults.settled = !office.requests().any(|r| r.stage != Stage::Done && r.sent_us <= before);
    }

    /// Arms the rolling-update bounds of each Deployment that is complete (`not_converged` is
    /// `None`) with its present replicas and strategy: the steady state the controller keeps
    /// its promises from. Availability only with the worker nodes calm.
    fn arm(&mut self, s: &Snapshot, now_us: u64) {
        let node_calm = now_us >= self.faults.node_us + NODE_SETTLE_US && WORKERS.iter().all(|n| s.node_ready(n));
        for d in &s.deployments {
            let Some(t) = self.tracker.deployments.get_mut(uid(d)) else { continue };
            if t.signature != bound_signature(d) || is_terminating(d) || !is_rolling(d) {
                continue;
            }
            if t.armed == Some(true) || (t.armed == Some(false) && !node_calm) {
                continue;
            }
            if not_converged(s, d).is_none() {
                t.armed = Some(node_calm || t.armed == Some(true));
            }
        }
    }

    /// One committed change: the tracker's counts, then the bounds it may break. `listed`: it
    /// came from a list (the first, or after the watch fell behind), not from the watch.
    fn change(&mut self, d: &Delta, listed: bool, now_us: u64) {
        let Some(obj) = d.new.as_ref().or(d.old.as_ref()) else { return };
        let id = uid(obj).to_string();
        let t = &mut self.tracker;
        match d.resource {
            "deployments" => match &d.new {
                None => {
                    t.deployments.remove(&id);
                }
                Some(new) => {
                    let e = t.deployments.entry(id.clone()).or_insert_with(|| DeploymentState {
                        rss: t.rss.iter().filter(|(_, r)| r.owner == id).map(|(k, _)| k.clone()).collect(),
                        ..DeploymentState::default()
                    });
                    let signature = bound_signature(new);
                    if e.signature != signature || is_terminating(new) {
                        e.armed = None;
                    }
                    let (surge, unavailable) = fenceposts(new);
                    e.key = key(new);
                    e.signature = signature;
                    e.replicas = int(new, "/spec/replicas");
                    e.surge = surge;
                    e.unavailable = unavailable;
                }
            },
            "replicasets" => {
                let old_owner = t.rss.get(&id).map(|r| r.owner.clone());
                if let Some(o) = old_owner.filter(|o| !o.is_empty()) {
                    if let Some(dep) = t.deployments.get_mut(&o) {
                        dep.rss.remove(&id);
                    }
                }
                let Some(new) = &d.new else {
                    t.rss.remove(&id);
                    return;
                };
                let spec = int(new, "/spec/replicas");
                let owner = owner_uid(new);
                // One found by a list may still be carrying out an older spec; one created while
                // watched has none.
                let seen_us = if listed { now_us } else { 0 };
                let e = t.rss.entry(id.clone()).or_insert_with(|| {
                    // Its pods may have come first (a list hands out pods before ReplicaSets).
                    let mine = t.pods.values().filter(|p| p.rs == id && p.active);
                    let (active, ready) = mine.fold((0, 0), |(a, r), p| (a + 1, r + i64::from(p.ready)));
                    ReplicaSetState { seen_us, active, ready, ..Default::default() }
                });
                if spec < e.spec {
                    e.lowered.push_back((now_us, e.spec));
                }
                e.spec = spec;
                e.key = key(new);
                e.owner = owner.clone();
                if let Some(dep) = t.deployments.get_mut(&owner) {
                    dep.rss.insert(id);
                }
                self.surge_bound(&owner, now_us);
            }
            "pods" => {
                if let Some(p) = t.pods.remove(&id) {
                    if let Some(r) = t.rss.get_mut(&p.rs) {
                        r.active -= i64::from(p.active);
                        r.ready -= i64::from(p.active && p.ready);
                    }
                }
                let Some(new) = &d.new else { return };
                let name = key(new);
                let first = self.pod_names.entry(id.clone()).or_insert_with(|| name.clone());
                if *first != name {
                    let detail = format!("pod uid {id} is {name} now, was {first}");
                    self.report(now_us, "no two pods share a name", id.clone(), detail);
                }
                let t = &mut self.tracker;
                let p = PodState { rs: owner_uid(new), active: is_pod_active(new), ready: is_pod_ready(new) };
                let rs = p.rs.clone();
                let grew = p.active;
                if let Some(r) = t.rss.get_mut(&rs) {
                    r.active += i64::from(p.active);
                    r.ready += i64::from(p.active && p.ready);
                }
                t.pods.insert(id, p);
                if grew {
                    self.replica_set_bound(&rs, now_us);
                }
                let owner = self.tracker.rss.get(&rs).map(|r| r.owner.clone()).unwrap_or_default();
                self.availability_bound(&owner, now_us);
            }
            _ => {}
        }
    }

    /// (a, surge) KK `pkg/controller/deployment/rolling.go` `reconcileNewReplicaSet` →
    /// `deploymentutil.NewRSNewReplicas`: the ReplicaSets' `spec.replicas` add up to at most
    /// replicas + maxSurge (`maxTotalPods`; KW deployment.md "Max Surge"). Whatever fails: the
    /// controller sizes them from its cache and writes with resourceVersion preconditions. From
    /// a steady state on: a scale mid-rollout resizes every ReplicaSet proportionally first (KK
    /// `sync.go` `scale`), a new strategy moves the bound.
    fn surge_bound(&mut self, deployment: &str, now_us: u64) {
        let t = &self.tracker;
        let Some(d) = t.deployments.get(deployment).filter(|d| d.armed.is_some()) else { return };
        let specs: i64 = d.rss.iter().filter_map(|r| t.rss.get(r)).map(|r| r.spec).sum();
        if specs <= d.replicas + d.surge {
            return;
        }
        let names: Vec<String> =
            d.rss.iter().filter_map(|r| t.rss.get(r)).map(|r| format!("{}={}", r.key, r.spec)).collect();
        let detail =
            format!("{}: replicas {}, maxSurge {}, ReplicaSets {}", d.key, d.replicas, d.surge, names.join(" "));
        let subject = format!("{}/{}", d.key, d.signature);
        self.report(now_us, "rolling update: ReplicaSets ≤ replicas + maxSurge (KK rolling.go)", subject, detail);
    }

    /// (a, availability) KK `rolling.go` `reconcileOldReplicaSets` /
    /// `scaleDownOldReplicaSetsForRollingUpdate`: old pods go only while at least
    /// replicas − maxUnavailable stay available (`minAvailable`; KW deployment.md "Max
    /// Unavailable"): ready and not terminating (minReadySeconds 0). Promised while no worker
    /// node fails — a dead node's pods stop being ready whatever the controller does — from a
    /// steady state on. Also counts the changes where the pods exceed replicas + maxSurge: an
    /// old ReplicaSet's lowered spec let the new one grow before the old pod's DELETE was
    /// through (bounded per ReplicaSet by `replica_set_bound`; not a violation).
    fn availability_bound(&mut self, deployment: &str, now_us: u64) {
        let t = &self.tracker;
        let Some(d) = t.deployments.get(deployment) else { return };
        let Some(availability) = d.armed else { return };
        let rss: Vec<&ReplicaSetState> = d.rss.iter().filter_map(|r| t.rss.get(r)).collect();
        let active: i64 = rss.iter().map(|r| r.active).sum();
        let ready: i64 = rss.iter().map(|r| r.ready).sum();
        self.rollout_changes += 1;
        if active > d.replicas + d.surge {
            self.surge_lag_changes += 1;
        }
        if availability && ready < d.replicas - d.unavailable {
            let detail = format!(
                "{}: {ready} ready pods of {active} active, replicas {}, maxUnavailable {}",
                d.key, d.replicas, d.unavailable
            );
            let subject = format!("{}/{}", d.key, d.signature);
            self.report(
                now_us,
                "rolling update: available ≥ replicas − maxUnavailable (KK rolling.go)",
                subject,
                detail,
            );
        }
    }

    /// (a, pods) A ReplicaSet's controller creates only what its spec asks for (KK
    /// `pkg/controller/replicaset/replica_set.go` `manageReplicas`, with expectations "to avoid
    /// creating too many pods" on a cache that lags its own creates): with the control plane
    /// settled, its non-terminating pods never exceed the largest `spec.replicas` it had over
    /// the last `RS_LAG_US` (the time to carry out a lowered spec). With the surge bound, a
    /// Deployment's pods exceed replicas + maxSurge only while an old ReplicaSet's DELETE is on
    /// its way.
    fn replica_set_bound(&mut self, rs: &str, now_us: u64) {
        if !self.faults.settled {
            return;
        }
        let Some(r) = self.tracker.rss.get_mut(rs) else { return };
        while r.lowered.front().is_some_and(|&(t, _)| t + RS_LAG_US < now_us) {
            r.lowered.pop_front();
        }
        if r.seen_us + RS_LAG_US > now_us {
            return;
        }
        let most = r.lowered.iter().map(|&(_, n)| n).max().unwrap_or(0).max(r.spec);
        if r.active > most {
            let detail = format!(
                "{}: {} active pods, spec.replicas at most {most} over the last {} s",
                r.key,
                r.active,
                RS_LAG_US / US_PER_S
            );
            let subject = rs.to_string();
            self.report(now_us, "a ReplicaSet's pods ≤ its replicas (KK replica_set.go expectations)", subject, detail);
        }
    }
}

/// (b) No two pods share a name (KK `names.SimpleNameGenerator` and the API server's create: a
/// name is unique in its namespace while the object exists — so no two pods of one ReplicaSet
/// either — and a pod exists until its kubelet confirms the container stopped, KW pods
/// "Termination of Pods"). The API side is followed change by change (`Checks::change`: a uid
/// keeps its name for life); here the nodes' side: one namespace/name runs on at most one
/// node, and as the pod the API holds under that name.
fn running_pods_unique(w: &World, c: &mut Checks) {
    let now = w.now_us();
    let Some(f) = w.factory() else { return };
    let mut running: BTreeMap<&str, &str> = BTreeMap::new();
    let mut found = Vec::new();
    for k in &f.kubelets {
        for (pod, pod_uid) in k.live_pods(now) {
            if let Some(other) = running.insert(pod, k.node.as_str()) {
                found.push((pod.to_string(), format!("{pod} runs on {other} and on {}", k.node)));
            }
            let (ns, name) = pod.split_once('/').unwrap_or(("", pod));
            let held = c.tracker.informer.get("pods", ns, name).map(|p| uid(p).to_string());
            if held.is_some_and(|u| u != pod_uid) {
                let detail =
                    format!("{} runs {pod} (uid {pod_uid}) while the API holds another pod by that name", k.node);
                found.push((pod.to_string(), detail));
            }
        }
    }
    for (subject, detail) in found {
        c.report(now, "no two pods share a name", subject, detail);
    }
}

/// (c) client-go's work queue never hands a key to two workers at once (CG
/// `util/workqueue/queue.go`: `processing` set; the factory records a breach), and the API
/// servers stored nothing that skipped a check (`Office::violations`).
fn factory_records(w: &World, c: &mut Checks) {
    let now = w.now_us();
    if let Some(f) = w.factory() {
        for s in f.violations.iter().skip(c.factory_seen) {
            c.violations.push(Violation {
                at_us: now,
                property: "a work-queue key is synced by one worker at a time",
                detail: s.clone(),
            });
        }
        c.factory_seen = f.violations.len();
    }
    if let Some(o) = w.office() {
        for s in o.violations.iter().skip(c.office_seen) {
            c.violations.push(Violation { at_us: now, property: "stored only after the checks", detail: s.clone() });
        }
        c.office_seen = o.violations.len();
    }
}

/// (d) After the faults stop every Deployment converges (KW deployment.md "Complete
/// Deployment"), deleted ones are gone with their dependents (KW garbage-collection.md:
/// background and foreground deletion; orphaned ReplicaSets lose their owner reference), and
/// no pod is left terminating on a live node. `None` when all is converged, else the first
/// reason per object.
fn convergence(s: &Snapshot) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for d in &s.deployments {
        if is_terminating(d) {
            out.push((key(d), "still being deleted".to_string()));
        } else if let Some(why) = not_converged(s, d) {
            out.push((key(d), why));
        }
    }
    let deployment_uids: BTreeSet<&str> = s.deployments.iter().map(|d| uid(d)).collect();
    for rs in &s.rss {
        let owner = owner_uid(rs);
        if !owner.is_empty() && !deployment_uids.contains(owner.as_str()) {
            out.push((key(rs), "its Deployment is gone but it is not".into()));
        }
        if owner.is_empty() {
            // An orphan keeps its pods: it must still be in sync on its own.
            let (spec, st) = (int(rs, "/spec/replicas"), int(rs, "/status/replicas"));
            let active = s.pods_of(rs).iter().filter(|p| is_pod_active(p)).count() as i64;
            if spec != st || spec != active {
                out.push((key(rs), format!("orphan ReplicaSet: spec {spec}, status {st}, {active} active pods")));
            }
        }
    }
    let rs_uids: BTreeSet<&str> = s.rss.iter().map(|r| uid(r)).collect();
    for p in &s.pods {
        let owner = owner_uid(p);
        let kind = controller_of(p).map(|r| object::str_at(r, "/kind")).unwrap_or("");
        if kind == "ReplicaSet" && !rs_uids.contains(owner.as_str()) {
            out.push((key(p), "its ReplicaSet is gone but it is not".into()));
        } else if is_terminating(p) {
            out.push((key(p), format!("still terminating on {}", object::str_at(p, "/spec/nodeName"))));
        }
    }
    out
}

fn report_convergence(s: &Snapshot, c: &mut Checks, now_us: u64, when: &str) {
    for (subject, why) in convergence(s) {
        c.report(
            now_us,
            "every Deployment converges once the faults stop (KW deployment.md)",
            format!("{when}/{subject}"),
            format!("{when}: {subject}: {why}"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The run.

struct Run {
    fail_fast: bool,
    w: World,
    rng: SimRng,
    client: Client,
    checks: Checks,
}

impl Run {
    /// Failing fast, and something failed.
    fn stopped(&self) -> bool {
        self.fail_fast && !self.checks.violations.is_empty()
    }

    fn submit(&mut self, line: &str) {
        self.w.submit(line);
        self.checks.fault(line, self.w.now_us());
    }

    /// Advances one step, takes the client's answers and samples.
    fn step(&mut self, step_us: u64) {
        let t = self.w.now_us() + step_us;
        self.w.run_until(t);
        self.client.collect(&mut self.w, &mut self.checks.violations);
        self.checks.sample(&self.w);
    }

    fn snapshot(&self) -> Option<Snapshot> {
        Snapshot::of(&self.w)
    }

    fn random_fault(&mut self) -> String {
        let r = &mut self.rng;
        let worker = WORKERS[r.below(2) as usize];
        let n = r.between(1, 3);
        match r.below(14) {
            0 => format!("lab node crash {worker}"),
            1 | 2 => format!("lab node restart {worker}"),
            3 => format!("lab node partition {worker}"),
            4 => format!("lab node heal {worker}"),
            5 => format!("lab controller-manager crash {n}"),
            6 => format!("lab controller-manager restart {n}"),
            7 => format!("lab scheduler crash {n}"),
            8 => format!("lab scheduler restart {n}"),
            9 => format!("lab crash etcd-{n}"),
            10 => format!("lab restart etcd-{n}"),
            11 => {
                let others: Vec<String> = (1..=3).filter(|&m| m != n).map(|m| format!("etcd-{m}")).collect();
                match r.below(2) {
                    0 => format!("lab partition etcd-{n} | {}", others.join(" ")),
                    _ => "lab heal".to_string(),
                }
            }
            12 => format!("lab apiserver {} apiserver-{n}", if r.below(2) == 0 { "crash" } else { "restart" }),
            _ => format!("lab apiserver slow apiserver-{n} {}ms", r.below(4) * 500),
        }
    }

    /// Everything back: nodes, processes, etcd, API servers.
    fn heal_all(&mut self) {
        let mut lines = vec!["lab heal".to_string()];
        for wk in WORKERS {
            lines.push(format!("lab node heal {wk}"));
            lines.push(format!("lab node restart {wk}"));
        }
        for n in 1..=3 {
            lines.push(format!("lab restart etcd-{n}"));
            lines.push(format!("lab apiserver restart apiserver-{n}"));
            lines.push(format!("lab apiserver slow apiserver-{n} 0s"));
            lines.push(format!("lab controller-manager restart {n}"));
            lines.push(format!("lab scheduler restart {n}"));
        }
        for l in lines {
            // Only what is down is restarted (a restart of a running kubelet would restart its
            // containers: a fault of its own).
            if self.needs(&l) {
                self.submit(&l);
            }
        }
    }

    /// Whether a healing line changes anything.
    fn needs(&self, line: &str) -> bool {
        let w = &self.w;
        let Some(f) = w.factory() else { return false };
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["lab", "node", "heal", n] => f.kubelets.iter().any(|k| k.node == *n && !k.reachable),
            ["lab", "node", "restart", n] => f.kubelets.iter().any(|k| k.node == *n && !k.up),
            ["lab", "restart", m] => {
                m.strip_prefix("etcd-").and_then(|i| i.parse::<u8>().ok()).is_some_and(|i| !w.member(i).up)
            }
            ["lab", "apiserver", "restart", a] => {
                let i: u8 = a.trim_start_matches("apiserver-").parse().unwrap_or(0);
                w.office().is_some_and(|o| o.tellers.iter().any(|t| t.node == i && !t.up))
            }
            ["lab", "apiserver", "slow", a, _] => {
                let i: u8 = a.trim_start_matches("apiserver-").parse().unwrap_or(0);
                w.office().is_some_and(|o| o.tellers.iter().any(|t| t.node == i && t.slow_us > 0))
            }
            ["lab", c @ ("controller-manager" | "scheduler"), "restart", n] => {
                let comp = if *c == "scheduler" { Component::Scheduler } else { Component::ControllerManager };
                let i: u8 = n.parse().unwrap_or(0);
                f.instances.iter().any(|x| x.component == comp && x.node == i && !x.up)
            }
            _ => true,
        }
    }

    fn storm(&mut self, until_us: u64) {
        let mut next_us = self.w.now_us();
        while !self.stopped() && self.w.now_us() < until_us {
            if self.w.now_us() >= next_us {
                next_us = self.w.now_us() + self.rng.between(200_000, 2_000_000);
                if self.rng.below(100) < 55 {
                    self.client.write(&mut self.w, &mut self.rng, false);
                } else {
                    let line = self.random_fault();
                    self.submit(&line);
                }
            }
            self.step(STEP_US);
        }
    }

    fn calm(&mut self, until_us: u64) {
        self.heal_all();
        let mut next_us = self.w.now_us();
        let mut checked_writes = false;
        while !self.stopped() && self.w.now_us() < until_us {
            if self.w.now_us() >= next_us {
                next_us = self.w.now_us() + self.rng.between(2 * US_PER_S, 8 * US_PER_S);
                self.client.write(&mut self.w, &mut self.rng, true);
            }
            self.step(STEP_US);
            // Once settled, whatever the storm left undecided is decided by what etcd holds.
            if !checked_writes && self.checks.faults.settled {
                checked_writes = true;
                if let Some(s) = self.snapshot() {
                    acknowledged_writes_present(&s, &mut self.client, self.w.now_us(), &mut self.checks.violations);
                }
            }
        }
    }

    /// Heals everything and waits until all has converged (or `CONVERGE_US_MAX`); then (d) and
    /// (e) are checked.
    fn converge(&mut self, when: &str) {
        self.heal_all();
        let deadline = self.w.now_us() + CONVERGE_US_MAX;
        while !self.stopped() && self.w.now_us() < deadline {
            self.step(SLOW_STEP_US);
            let idle = self.client.names.values().all(|n| n.in_flight.is_none());
            if idle && self.checks.faults.settled && self.snapshot().is_some_and(|s| convergence(&s).is_empty()) {
                break;
            }
        }
        let now = self.w.now_us();
        for (name, f) in self.client.unanswered(now) {
            let detail = format!("the client's request {} on deployment {name} has no answer", f.request);
            self.checks.report(now, "every request answered", name.to_string(), detail);
        }
        let Some(s) = self.snapshot() else {
            self.checks.report(
                now,
                "an API server serves once healed",
                when.into(),
                format!("{when}: no API server is up"),
            );
            return;
        };
        report_convergence(&s, &mut self.checks, now, when);
        acknowledged_writes_present(&s, &mut self.client, now, &mut self.checks.violations);
    }

    /// (g) Controller-manager failover (CG leaderelection; fact sheet §5: 15 s / 10 s / 2 s):
    /// the leader dies; another instance holds the Lease within the lease duration and a retry,
    /// and the Deployments still converge after a scale.
    fn failover(&mut self) {
        let leader = self.w.factory().and_then(|f| {
            f.instances.iter().position(|i| i.component == Component::ControllerManager && i.up && i.elector.leading)
        });
        let now = self.w.now_us();
        let Some(leader) = leader else {
            self.checks.report(
                now,
                "controller-manager failover keeps reconciling",
                "leader".into(),
                "no controller-manager leads after convergence".into(),
            );
            return;
        };
        let node = self.w.factory().map_or(0, |f| f.instances[leader].node);
        self.submit(&format!("lab controller-manager crash {node}"));
        let crashed_us = self.w.now_us();
        let mut took_over = None;
        while !self.stopped() && self.w.now_us() < crashed_us + FAILOVER_US_MAX + 10 * US_PER_S {
            self.step(STEP_US);
            let (Some(f), Some(s)) = (self.w.factory(), self.snapshot()) else { continue };
            let new_leader =
                f.instances.iter().find(|i| i.component == Component::ControllerManager && i.up && i.elector.leading);
            let lease_holder = s
                .leases
                .iter()
                .find(|l| object::namespace(l) == "kube-system" && object::name(l) == "kube-controller-manager")
                .map(|l| object::str_at(l, "/spec/holderIdentity").to_string());
            if let Some(i) = new_leader {
                if lease_holder.as_deref() == Some(i.elector.identity.as_str()) {
                    took_over = Some((self.w.now_us(), i.node));
                    break;
                }
            }
        }
        let now = self.w.now_us();
        match took_over {
            None => self.checks.report(
                now,
                "controller-manager failover keeps reconciling",
                "takeover".into(),
                format!("no new leader holds the Lease {} s after the leader died", (now - crashed_us) / US_PER_S),
            ),
            Some((at, _)) if at > crashed_us + FAILOVER_US_MAX => self.checks.report(
                now,
                "controller-manager failover keeps reconciling",
                "takeover".into(),
                format!(
                    "the new leader took the Lease {} ms after the leader died (at most {} ms)",
                    (at - crashed_us) / 1000,
                    FAILOVER_US_MAX / 1000
                ),
            ),
            Some(_) => {}
        }
        // The new leader reconciles: a write, then everything converges again.
        for _ in 0..3 {
            self.client.write(&mut self.w, &mut self.rng, false);
        }
        self.converge("after the failover");
        self.submit(&format!("lab controller-manager restart {node}"));
    }

    /// (f) Node death (fact sheet §5 "Node lifecycle"; KW nodes.md, taint-and-toleration.md
    /// "taint based evictions"): a worker that stays dead is NotReady after the 40 s grace; its
    /// pods, tolerating `unreachable` for 300 s, are not evicted before grace + toleration and
    /// are by then plus the monitor period and some latency; their replacements run on the other
    /// worker. When the node returns, its kubelet confirms the deletions.
    fn node_death(&mut self) -> u64 {
        // A Deployment with pods on both workers, if the client left none.
        if self.snapshot().is_none_or(|s| s.pods.iter().filter(|p| object::namespace(p) == NAMESPACE).count() < 2) {
            let res = deployments_resource();
            let mut c = ApiCall::new(Verb::Create, res, NAMESPACE, "", admin());
            c.body = Some(deployment_body("survivor", 4, "nginx:1.25", json!({"type": "RollingUpdate"})));
            let server = self.w.office().and_then(|o| o.tellers.iter().find(|t| t.up)).map_or(1, |t| t.node);
            self.w.api_call(server, c);
            self.converge("before the node death");
        }
        let Some(s) = self.snapshot() else { return 0 };
        let on = |node: &str| -> Vec<(String, String)> {
            s.pods
                .iter()
                // A ReplicaSet's pods (a DaemonSet's tolerate `unreachable` for ever, KK
                // `daemon/util.AddOrUpdateDaemonPodTolerations`).
                .filter(|p| object::str_at(p, "/spec/nodeName") == node && is_pod_active(p))
                .filter(|p| controller_of(p).is_some_and(|r| object::str_at(r, "/kind") == "ReplicaSet"))
                .map(|p| (key(p), uid(p).to_string()))
                .collect()
        };
        let dead = if on(WORKERS[0]).len() >= on(WORKERS[1]).len() { WORKERS[0] } else { WORKERS[1] };
        let alive = if dead == WORKERS[0] { WORKERS[1] } else { WORKERS[0] };
        let victims = on(dead);
        self.submit(&format!("lab node crash {dead}"));
        let died_us = self.w.now_us();
        // No eviction before the grace period and the toleration have passed (the last Lease
        // renewal was at most 10 s before the crash).
        let earliest_us = died_us + GRACE_PERIOD_US + TOLERATION_US - KUBELET_RENEW_US;
        let by_us = died_us + GRACE_PERIOD_US + TOLERATION_US + 40 * US_PER_S;
        while !self.stopped() && self.w.now_us() < by_us {
            self.step(SLOW_STEP_US);
            if self.w.now_us() >= earliest_us {
                continue;
            }
            let Some(s) = self.snapshot() else { continue };
            for (k, u) in &victims {
                if s.pods.iter().any(|p| key(p) == *k && uid(p) == u && is_terminating(p)) {
                    let detail = format!(
                        "{k} on {dead} was evicted {} s after the node died, before grace + toleration",
                        (self.w.now_us() - died_us) / US_PER_S
                    );
                    self.checks.report(
                        self.w.now_us(),
                        "node death: eviction after grace + toleration",
                        k.clone(),
                        detail,
                    );
                }
            }
        }
        let now = self.w.now_us();
        let Some(s) = self.snapshot() else { return 0 };
        let mut evicted = 0;
        for (k, u) in &victims {
            match s.pods.iter().find(|p| key(p) == *k && uid(p) == u) {
                Some(p) if !is_terminating(p) => self.checks.report(
                    now,
                    "node death: eviction after grace + toleration",
                    k.clone(),
                    format!("{k} on {dead} is not evicted {} s after the node died", (now - died_us) / US_PER_S),
                ),
                _ => evicted += 1,
            }
        }
        for d in &s.deployments {
            if is_terminating(d) {
                continue;
            }
            let replicas = int(d, "/spec/replicas");
            let elsewhere = s
                .active_pods(d)
                .into_iter()
                .filter(|p| object::str_at(p, "/spec/nodeName") != dead && is_pod_ready(p))
                .count() as i64;
            let on_workers = s.active_pods(d).iter().any(|p| WORKERS.contains(&object::str_at(p, "/spec/nodeName")));
            if on_workers && elsewhere != replicas {
                self.checks.report(
                    now,
                    "node death: replacements scheduled elsewhere",
                    key(d),
                    format!("{}: {elsewhere} ready pods off {dead} (on {alive}), spec {replicas}", key(d)),
                );
            }
        }
        self.submit(&format!("lab node restart {dead}"));
        self.converge("after the node came back");
        evicted
    }
}

fn run(seed: u64, mutant: Option<Mutant>, options: FactoryOptions) -> FactoryOutcome {
    let w = World::with_kubernetes_config(seed, 3, RaftConfig { mutant, ..RaftConfig::default() });
    let rng = SimRng::new(seed ^ 0x0fac_7013);
    let mut r = Run { fail_fast: options.fail_fast, w, rng, client: Client::default(), checks: Checks::default() };
    let started_us = r.w.now_us();
    let drawn = r.rng.below(2) == 0;
    let node_death = options.node_death.unwrap_or(drawn);
    for _ in 0..options.cycles.min(CYCLES_MAX) {
        let storm_us = r.rng.between(20, 40) * US_PER_S;
        let calm_us = r.rng.between(60, 90) * US_PER_S;
        let t = r.w.now_us();
        r.storm(t + storm_us);
        let t = r.w.now_us();
        r.calm(t + calm_us);
    }
    if !r.stopped() {
        r.converge("after the faults stopped");
    }
    if !r.stopped() {
        r.failover();
    }
    let evicted = if node_death && !r.stopped() { r.node_death() } else { 0 };
    let now = r.w.now_us();
    FactoryOutcome {
        seed,
        violations: r.checks.violations,
        simulated_us: now - started_us,
        samples: r.checks.samples,
        writes_ok: r.client.writes_ok,
        rollouts: r.client.rollouts,
        rollout_samples: r.checks.rollout_changes,
        faults: r.checks.faults.count,
        evicted,
        surge_lag_samples: r.checks.surge_lag_changes,
        hash: r.w.state_hash(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(replicas: i64, surge: Value, unavailable: Value) -> Object {
        json!({"metadata": {"name": "web", "namespace": "default", "uid": "d", "generation": 1},
               "spec": {"replicas": replicas, "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}}})
    }

    fn rs(name: &str, replicas: i64) -> Object {
        json!({"metadata": {"name": name, "namespace": "default", "uid": name,
                   "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": "d", "controller": true}]},
               "spec": {"replicas": replicas}})
    }

    fn pod(name: &str, rs: &str, ready: bool) -> Object {
        json!({"metadata": {"name": name, "namespace": "default", "uid": name,
                   "ownerReferences": [{"kind": "ReplicaSet", "name": rs, "uid": rs, "controller": true}]},
               "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}})
    }

    fn added(resource: &'static str, o: Object) -> Delta {
        Delta { resource, old: None, new: Some(Rc::new(o)) }
    }

    /// KK `deploymentutil.ResolveFenceposts` / `intstr.GetScaledValueFromIntOrPercent`: surge
    /// rounds up, unavailability down, both 0 → unavailability 1; at most `replicas` unavailable.
    #[test]
    fn fenceposts_round_surge_up_and_unavailability_down() {
        for (replicas, s, u, want) in [
            (10, json!("25%"), json!("25%"), (3, 2)),
            (1, json!("25%"), json!("25%"), (1, 0)),
            (3, json!(0), json!(0), (0, 1)),
            (4, json!("0%"), json!("10%"), (0, 1)),
            (2, json!(0), json!(5), (0, 2)),
            (5, json!("100%"), json!(1), (5, 1)),
        ] {
            assert_eq!(fenceposts(&deployment(replicas, s.clone(), u.clone())), want, "{replicas} {s} {u}");
        }
        let absent = json!({"spec": {"replicas": 8, "strategy": {"type": "RollingUpdate"}}});
        assert_eq!(fenceposts(&absent), (2, 2), "absent values are the API default 25 %");
    }

    /// The client's model: an acknowledged write must show, a refused one must not, one whose
    /// answer says nothing (5xx, a cut connection) may or may not.
    #[test]
    fn the_client_model_follows_the_answers() {
        let create = Op::Create { replicas: 3, image: "nginx:1.24".into() };
        assert_eq!(create.apply(&None), Some((3, "nginx:1.24".into())));
        assert_eq!(
            create.apply(&Some((1, "x".into()))),
            Some((1, "x".into())),
            "a create of an existing one is refused"
        );
        assert_eq!(Op::Scale(5).apply(&None), None, "a scale of a deleted one keeps it deleted");
        assert_eq!(Op::Image("b".into()).apply(&Some((2, "a".into()))), Some((2, "b".into())));
        assert_eq!(answer_of(201), Answer::Acked);
        assert_eq!(answer_of(409), Answer::Refused);
        assert_eq!(answer_of(403), Answer::Refused);
        assert_eq!(answer_of(504), Answer::Unknown);
        assert_eq!(answer_of(0), Answer::Unknown);
        // The checker holds the cluster to what the answers allow.
        let mut client = Client::default();
        client.names.insert("web0", Name { possible: BTreeSet::from([Some((3, "a".into()))]), in_flight: None });
        let empty = Snapshot {
            deployments: vec![],
            rss_of: BTreeMap::new(),
            rss: vec![],
            pods_of: BTreeMap::new(),
            pods: vec![],
            nodes: vec![],
            leases: vec![],
        };
        let mut v = Vec::new();
        acknowledged_writes_present(&empty, &mut client, 0, &mut v);
        assert_eq!(v.len(), 1, "an acknowledged create that is not there");
        assert_eq!(client.names["web0"].possible, BTreeSet::from([None]), "the model goes on from what is held");
    }

    fn settled() -> Checks {
        let mut c = Checks::default();
        c.faults.settled = true;
        c
    }

    /// KK `replica_set.go` expectations: a ReplicaSet never has more pods than its spec asked
    /// for lately — seen at the single change that breaks it; a lowered spec still allows the
    /// old count for `RS_LAG_US`; nothing is checked while the control plane has not settled.
    #[test]
    fn a_replica_set_bound_is_checked_at_every_change() {
        let now = 100 * US_PER_S;
        let mut c = settled();
        c.change(&added("replicasets", rs("r", 2)), false, now);
        for p in ["a", "b"] {
            c.change(&added("pods", pod(p, "r", true)), false, now);
        }
        assert!(c.violations.is_empty());
        c.change(&added("pods", pod("c", "r", false)), false, now);
        assert_eq!(c.violations.len(), 1, "{:?}", c.violations);

        let mut c = settled();
        c.change(&added("replicasets", rs("r", 3)), false, now);
        for p in ["a", "b", "c"] {
            c.change(&added("pods", pod(p, "r", true)), false, now);
        }
        let lowered = Delta { resource: "replicasets", old: None, new: Some(Rc::new(rs("r", 2))) };
        c.change(&lowered, false, now);
        c.change(&added("pods", pod("c", "r", true)), false, now + RS_LAG_US / 2);
        assert!(c.violations.is_empty(), "the old spec still counts: {:?}", c.violations);
        c.change(&added("pods", pod("c", "r", true)), false, now + RS_LAG_US + US_PER_S);
        assert_eq!(c.violations.len(), 1, "not after the lag");

        let mut c = Checks::default();
        c.change(&added("replicasets", rs("r", 1)), false, now);
        for p in ["a", "b"] {
            c.change(&added("pods", pod(p, "r", true)), false, now);
        }
        assert!(c.violations.is_empty(), "faults may leave extra pods for a while");
    }

    /// KK `rolling.go`: once armed, ReplicaSets adding up to more than replicas + maxSurge, or
    /// fewer ready pods than replicas − maxUnavailable, are violations; a scale disarms.
    #[test]
    fn rolling_bounds_hold_once_armed() {
        let now = 100 * US_PER_S;
        let mut c = Checks::default();
        let d = deployment(4, json!(1), json!(1));
        c.change(&added("deployments", d.clone()), false, now);
        c.change(&added("replicasets", rs("old", 4)), false, now);
        for p in ["a", "b", "c", "e"] {
            c.change(&added("pods", pod(p, "old", true)), false, now);
        }
        c.tracker.deployments.get_mut("d").unwrap().armed = Some(true);
        c.change(&added("replicasets", rs("new", 1)), false, now);
        assert!(c.violations.is_empty(), "4 + 1 ≤ 4 + 1");
        c.change(&added("replicasets", rs("new", 2)), false, now);
        assert_eq!(c.violations.len(), 1, "4 + 2 > 4 + 1: {:?}", c.violations);
        let gone = Delta {
            resource: "pods",
            old: None,
            new: Some(Rc::new(json!({"metadata": {"name": "a", "namespace": "default", "uid": "a",
            "deletionTimestamp": "2026-11-27T09:00:00Z", "ownerReferences": [{"kind": "ReplicaSet", "uid": "old", "controller": true}]}}))),
        };
        c.change(&gone, false, now);
        assert_eq!(c.violations.len(), 1, "3 ready ≥ 4 − 1");
        let unready = added("pods", pod("b", "old", false));
        c.change(&unready, false, now);
        assert_eq!(c.violations.len(), 2, "2 ready < 4 − 1: {:?}", c.violations);
        // A scale ends the steady state: no bounds until complete again.
        let mut scaled = d;
        scaled["spec"]["replicas"] = json!(2);
        c.change(&added("deployments", scaled), false, now);
        assert_eq!(c.tracker.deployments["d"].armed, None);
    }
}
