//! The world's side of the robot factory (issue 5): one kube-controller-manager and one
//! kube-scheduler per control-plane node, each electing a leader on its Lease; the leader's
//! informers watch its own node's API server and feed its robots' work queues; workers sync keys
//! and send the writes through the API server like anyone (`controllers::Robot`). Every node runs
//! a kubelet that renews its Lease, posts its status, and starts and stops the pods bound to it.
//! DESIGN.md "The simulated cluster"; fact sheet §5.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::hash::{Hash, Hasher};

use serde_json::{json, Value};

use super::factory_view::{Drawing, Feed, Reconcile};
use super::{Event, World};
use crate::apiserver::handler::{ApiCall, Response, Verb};
use crate::apiserver::{object, Object};
use crate::controllers::deployment::DeploymentController;
use crate::controllers::endpoints::EndpointsController;
use crate::controllers::gc::GarbageCollector;
use crate::controllers::informer::{Delta, Informer};
use crate::controllers::leader::{self, Attempt, Elector, Transition};
use crate::controllers::node_lifecycle::NodeLifecycle;
use crate::controllers::replicaset::ReplicaSetController;
use crate::controllers::rogue::{self, Rogue, RogueSpec};
use crate::controllers::scheduler::Scheduler;
use crate::controllers::workqueue::WorkQueue;
use crate::controllers::{Change, Diff, EventType, Note, Plan, Robot, Write};
use crate::etcd::message::MemberId;
use crate::etcd::mutant::Mutant;
use crate::k8s::authn::{self, Credential};
use crate::k8s::kubeconfig;
use crate::k8s::status::Status;
use crate::sim::US_PER_S;

/// Log lines kept per process (`kubectl logs` prints them; older ones are dropped).
pub const LOG_LINES_MAX: usize = 2_000;
/// How often each kubelet renews its Lease (fact sheet §5: 10 s = ¼ of 40 s).
pub const KUBELET_LEASE_RENEW_US: u64 = 10 * US_PER_S;
/// kube-controller-manager restarts (the kubelet restarts its static pod) this long after
/// `leaderelection lost` makes it exit.
const RESTART_DELAY_US: u64 = 5 * US_PER_S;
/// Rounds of syncing one instance does at one simulated instant before it waits a millisecond
/// (a robot that keeps asking for "again now" cannot stop time).
const SYNCS_PER_INSTANT_MAX: u32 = 64;
/// At a delivery, one watch stream in this many stalls …
const STREAM_STALLS_IN: u64 = 16;
/// … for up to this long.
const STREAM_STALL_US_MAX: u64 = 400_000;
/// Workers per controller in the lab (kube-controller-manager's defaults are 5 for most).
pub const WORKERS_PER_ROBOT_MAX: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    ControllerManager,
    Scheduler,
}

impl Component {
    pub fn binary(self) -> &'static str {
        match self {
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
        }
    }

    fn user(self) -> &'static str {
        match self {
            Component::ControllerManager => "system:kube-controller-manager",
            Component::Scheduler => "system:kube-scheduler",
        }
    }
}

/// The controllers of one process, each with its own queue and workers.
#[derive(Clone, Debug)]
pub enum Robots {
    Deployment(DeploymentController),
    ReplicaSet(ReplicaSetController),
    NodeLifecycle(NodeLifecycle),
    GarbageCollector(GarbageCollector),
    Endpoints(EndpointsController),
    Scheduler(Scheduler),
    /// `lab rogue start`: a second writer of one Deployment (the class's discussion question 3).
    Rogue(Rogue),
}

impl Robots {
    fn robot(&mut self) -> &mut dyn Robot {
        match self {
            Robots::Deployment(r) => r,
            Robots::ReplicaSet(r) => r,
            Robots::NodeLifecycle(r) => r,
            Robots::GarbageCollector(r) => r,
            Robots::Endpoints(r) => r,
            Robots::Scheduler(r) => r,
            Robots::Rogue(r) => r,
        }
    }

    fn robot_ref(&self) -> &dyn Robot {
        match self {
            Robots::Deployment(r) => r,
            Robots::ReplicaSet(r) => r,
            Robots::NodeLifecycle(r) => r,
            Robots::GarbageCollector(r) => r,
            Robots::Endpoints(r) => r,
            Robots::Scheduler(r) => r,
            Robots::Rogue(r) => r,
        }
    }

    pub(super) fn name(&self) -> &'static str {
        self.robot_ref().name()
    }

    /// The robots of a fresh process of `component`; `mutant`: the world's deliberate bug, if
    /// any (acts only with the `mutants` feature).
    pub(super) fn all(component: Component, mutant: Option<Mutant>) -> Vec<Robots> {
        let ignore_expectations = Mutant::ENABLED && mutant == Some(Mutant::ReplicaSetIgnoresExpectations);
        match component {
            Component::ControllerManager => vec![
                Robots::Deployment(DeploymentController::new()),
                Robots::ReplicaSet({
                    let mut rs = ReplicaSetController::new();
                    rs.ignore_expectations = ignore_expectations;
                    rs
                }),
                Robots::NodeLifecycle(NodeLifecycle::default()),
                Robots::GarbageCollector(GarbageCollector::new()),
                Robots::Endpoints(EndpointsController::new()),
            ],
            Component::Scheduler => vec![Robots::Scheduler(Scheduler::default())],
        }
    }
}

/// A worker of a robot: idle, or busy with one key until the writes of its plan are answered.
#[derive(Clone, Debug, Default)]
pub struct Worker {
    pub key: Option<String>,
    /// Batches not sent yet.
    batches: VecDeque<Vec<Write>>,
    /// API requests of the current batch still unanswered.
    pending: BTreeSet<u64>,
    failed: bool,
    requeue_after_us: Option<u64>,
    pub diff: Option<Diff>,
    /// What the worker did last (for the drawing): `created pod`, `409 Conflict`, …
    pub last: String,
    /// The slot's sync number of the key it holds (ties answers to the drawn reconcile).
    pub(super) sync_no: u64,
}

#[derive(Clone, Debug)]
pub struct Slot {
    pub robot: Robots,
    pub queue: WorkQueue,
    pub workers: Vec<Worker>,
    pub syncs: u64,
    pub conflicts: u64,
    /// What the factory drawing shows of it (deduplicated adds, the last reconcile); never
    /// read by the simulation.
    pub(super) drawing: Drawing,
}

impl Worker {
    /// Its writes still waiting for the API server's answer.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }
}

impl Slot {
    fn new(robot: Robots) -> Slot {
        let n = robot.robot_ref().workers().clamp(1, WORKERS_PER_ROBOT_MAX);
        Slot {
            robot,
            queue: WorkQueue::default(),
            workers: vec![Worker::default(); n],
            syncs: 0,
            conflicts: 0,
            drawing: Drawing::default(),
        }
    }

    pub fn name(&self) -> &'static str {
        self.robot.robot_ref().name()
    }
}

/// One kube-controller-manager or kube-scheduler process.
#[derive(Clone, Debug)]
pub struct Instance {
    pub component: Component,
    pub node: MemberId,
    pub up: bool,
    /// Bumped when the process stops or starts: timers and answers of an earlier life are ignored.
    generation: u32,
    pub elector: Elector,
    pub informer: Informer,
    pub slots: Vec<Slot>,
    pub log: VecDeque<String>,
    /// Lines ever written (`kubectl logs -f` follows from a count).
    pub log_written: u64,
    pub restarts: u32,
    /// An election step is in flight.
    electing: bool,
    /// A watch delivery is on its way.
    delivery_pending: bool,
    /// The teller's revision when that delivery left: it carries the changes up to there
    /// (newer ones are still on the wire, a hop behind).
    delivery_upto: u64,
    /// Per watch stream (the informer's resources, in order): stalled until then.
    stream_held_until_us: Vec<u64>,
    /// The work queues' wake-up already scheduled.
    timer_at_us: Option<u64>,
    /// (instant, rounds of syncing at it): bounds the work done at one simulated instant.
    syncs_at: (u64, u32),
    /// The newest watch deliveries its informer took in, for the drawing (never read by the
    /// simulation; bounded).
    pub(super) feed: Feed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Container {
    /// The container image is being pulled; the container starts at the given time.
    Creating {
        start_at_us: u64,
    },
    Running,
    /// Marked for deletion: the container stops at the given time, then the pod is deleted.
    Stopping {
        done_at_us: u64,
    },
}

#[derive(Clone, Debug, Hash)]
pub(super) struct PodRun {
    pub(super) uid: String,
    pub(super) state: Container,
    pub(super) ip: String,
    pub(super) restarts: u64,
    /// A status write or delete for it is in flight.
    pub(super) busy: bool,
    /// The resourceVersion this kubelet last wrote (newer than its informer's, for a while).
    pub(super) written: Option<u64>,
    pub(super) started_us: u64,
    /// The `ContainerCreating` status was posted (while creating), or the stopped containers'
    /// status (while stopping).
    pub(super) status_posted: bool,
}

/// The kubelet of one node.
#[derive(Clone, Debug)]
pub struct Kubelet {
    pub node: String,
    pub control_plane: bool,
    /// Restarted after a crash: its containers start again (restart counts go up).
    pub(super) rebooted: bool,
    /// Join order (its pods' IPs are `10.244.<index>.x`).
    pub index: u8,
    pub up: bool,
    /// `false`: partitioned away from the control plane (`lab node partition`).
    pub reachable: bool,
    pub(super) generation: u32,
    pub(super) informer: Informer,
    /// The API server its watch is connected to.
    pub(super) server: MemberId,
    pub(super) pods: BTreeMap<String, PodRun>,
    pub(super) next_ip: u32,
    pub(super) images: BTreeSet<String>,
    pub(super) lease_rv: Option<u64>,
    pub(super) lease_in_flight: bool,
    pub(super) status_in_flight: bool,
    pub(super) delivery_pending: bool,
    pub restarts: u32,
}

/// Who waits for an internal API request.
#[derive(Clone, Debug)]
pub(super) enum Waiter {
    ElectRead { inst: usize, generation: u32 },
    ElectWrite { inst: usize, generation: u32 },
    Robot { inst: usize, generation: u32, slot: usize, worker: usize, write: Box<Write> },
    Event,
    KubeletLease { kubelet: usize, generation: u32 },
    KubeletStatus { kubelet: usize, generation: u32 },
    KubeletPod { kubelet: usize, generation: u32, pod: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FactoryEvent {
    /// An election step (retry period).
    Elect {
        inst: usize,
        generation: u32,
    },
    /// Watch events reach the instance's informer.
    Deliver {
        inst: usize,
        generation: u32,
    },
    /// A delayed work-queue key is due.
    Wake {
        inst: usize,
        generation: u32,
    },
    /// The process starts again after exiting.
    Restart {
        inst: usize,
        generation: u32,
    },
    KubeletBeat {
        kubelet: usize,
        generation: u32,
    },
    KubeletDeliver {
        kubelet: usize,
        generation: u32,
    },
    KubeletPods {
        kubelet: usize,
        generation: u32,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Factory {
    /// kube-controller-manager instances, then kube-scheduler instances.
    pub instances: Vec<Instance>,
    pub kubelets: Vec<Kubelet>,
    waiting: BTreeMap<u64, Waiter>,
    tokens: BTreeMap<&'static str, String>,
    events_written: u64,
    /// Factory invariants broken (always empty unless the lab has a bug).
    pub violations: Vec<String>,
    /// `kubectl logs -f` streams: (command, instance, lines already printed).
    pub follows: Vec<(u32, usize, u64)>,
    /// (robot, key) pairs being synced, for the one-worker-per-key check.
    in_sync: BTreeSet<(usize, usize, String)>,
    /// `lab rogue start`: the command whose output the rogue narrates, and what it writes. Every
    /// controller-manager that starts leading starts it too.
    pub rogue: Option<(u32, RogueSpec)>,
}

impl Factory {
    pub(super) fn hash_into(&self, h: &mut impl Hasher) {
        for i in &self.instances {
            (i.node, i.up, i.generation, i.elector.leading, i.informer.rv, i.log_written, i.restarts).hash(h);
            for s in &i.slots {
                (s.queue.len(), s.syncs, s.conflicts).hash(h);
                for w in &s.workers {
                    (&w.key, w.pending.len()).hash(h);
                }
            }
        }
        for k in &self.kubelets {
            (k.up, k.reachable, k.generation, k.informer.rv, &k.pods, k.next_ip).hash(h);
        }
        self.events_written.hash(h);
        self.waiting.keys().for_each(|k| k.hash(h));
    }
}

/// A klog line: `I1127 09:00:05.123456       1 event.go:307] message`.
pub fn klog(level: char, now_us: u64, at: &str, message: &str) -> String {
    let t = object::rfc3339_micro(now_us);
    // 2026-11-27T09:00:05.123456Z → 1127 09:00:05.123456
    let (date, time) = t.split_once('T').unwrap_or(("", ""));
    let mmdd: String = date.split('-').skip(1).collect();
    format!("{level}{mmdd} {}       1 {at}] {message}", time.trim_end_matches('Z'))
}

fn go_quote(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

impl Instance {
    fn new(component: Component, node: MemberId, leading: bool) -> Instance {
        let host = crate::names::node_name(node);
        let identity = format!("{host}_{}", object::uid(&format!("instance/{}/{host}", component.binary())));
        let mut elector = Elector::new(component_lease(component), identity);
        elector.leading = leading;
        let resources: Vec<&'static str> = {
            let mut r: Vec<&'static str> = Vec::new();
            for robot in Robots::all(component, None) {
                for w in robot.robot_ref().watches() {
                    if !r.contains(w) {
                        r.push(w);
                    }
                }
            }
            r
        };
        Instance {
            component,
            node,
            up: true,
            generation: 0,
            elector,
            informer: Informer::new(&resources),
            slots: Vec::new(),
            log: VecDeque::new(),
            log_written: 0,
            restarts: 0,
            electing: false,
            delivery_pending: false,
            delivery_upto: 0,
            stream_held_until_us: Vec::new(),
            timer_at_us: None,
            syncs_at: (u64::MAX, 0),
            feed: Feed::default(),
        }
    }

    pub fn pod_name(&self) -> String {
        format!("{}-{}", self.component.binary(), crate::names::node_name(self.node))
    }

    fn log(&mut self, line: String) {
        if self.log.len() == LOG_LINES_MAX {
            self.log.pop_front();
        }
        self.log.push_back(line);
        self.log_written += 1;
    }

    /// The leader's controllers start (`StartControllers` after winning the election).
    fn start_robots(&mut self, now_us: u64, mutant: Option<Mutant>, rogue: Option<&RogueSpec>) {
        let mut robots = Robots::all(self.component, mutant);
        if let (Component::ControllerManager, Some(spec)) = (self.component, rogue) {
            robots.push(Robots::Rogue(Rogue::new(spec.clone())));
        }
        self.slots = robots.into_iter().map(Slot::new).collect();
        if self.component == Component::ControllerManager {
            let names: Vec<&'static str> = self.slots.iter().map(Slot::name).collect();
            for name in names {
                let msg = format!("\"Started controller\" controller=\"{name}\"");
                self.log(klog('I', now_us, "controllermanager.go:638", &msg));
            }
        }
    }
}

fn component_lease(c: Component) -> &'static str {
    c.binary()
}

impl World {
    /// Starts the factory of a fresh kind cluster: the first control plane's instances lead (as
    /// the Leases in etcd say), the others wait; a kubelet on every node.
    pub(super) fn start_factory(&mut self, control_planes: u8, workers: u8) {
        let mutant = self.mutant();
        let mut f = Factory::default();
        for component in [Component::ControllerManager, Component::Scheduler] {
            for node in 1..=control_planes {
                let mut inst = Instance::new(component, node, node == 1);
                // The process started when kind created the cluster.
                let boot_us = 0;
                inst.log(klog('I', boot_us, "serving.go:348", "Generated self-signed cert in-memory"));
                let what = format!("attempting to acquire leader lease kube-system/{}...", component_lease(component));
                inst.log(klog('I', boot_us, "leaderelection.go:245", &what));
                if node == 1 {
                    let got = format!("successfully acquired lease kube-system/{}", component_lease(component));
                    inst.log(klog('I', boot_us, "leaderelection.go:255", &got));
                    inst.elector.renewed_us = 0;
                    inst.start_robots(0, mutant, None);
                }
                f.instances.push(inst);
            }
        }
        let names = crate::apiserver::bootstrap::node_names(control_planes, workers);
        for (index, node) in names.into_iter().enumerate() {
            f.kubelets.push(Kubelet::new(node, index as u8, control_planes));
        }
        let (n_inst, n_kubelets) = (f.instances.len(), f.kubelets.len());
        self.factory = Some(f);
        for inst in 0..n_inst {
            let jitter = self.rng.below(RETRY_JITTER_US);
            self.queue.push(self.now_us + jitter, Event::Factory(FactoryEvent::Elect { inst, generation: 0 }));
        }
        for kubelet in 0..n_kubelets {
            let jitter = self.rng.below(KUBELET_LEASE_RENEW_US);
            self.queue.push(self.now_us + jitter, Event::Factory(FactoryEvent::KubeletBeat { kubelet, generation: 0 }));
        }
    }

    /// The same cluster with no controller-manager, scheduler or kubelets running (tests of the
    /// API server alone: nothing else writes).
    pub fn without_robots(mut self) -> World {
        self.factory = None;
        self
    }

    pub fn factory(&self) -> Option<&Factory> {
        self.factory.as_ref()
    }

    /// Pods the kubelets run (or start, or stop) right now.
    pub fn factory_pod_count(&self) -> usize {
        self.factory.as_ref().map_or(0, |f| f.kubelets.iter().map(|k| k.pods.len()).sum())
    }

    pub(super) fn handle_factory(&mut self, e: FactoryEvent) {
        match e {
            FactoryEvent::Elect { inst, generation } => self.elect(inst, generation),
            FactoryEvent::Deliver { inst, generation } => self.informer_deliver(inst, generation),
            FactoryEvent::Wake { inst, generation } => {
                if let Some(i) = self.instance_mut(inst, generation) {
                    i.timer_at_us = None;
                    self.run_workers(inst);
                }
            }
            FactoryEvent::Restart { inst, generation } => {
                let now = self.now_us;
                let Some(i) = self.factory.as_mut().and_then(|f| f.instances.get_mut(inst)) else { return };
                if i.up || i.generation != generation {
                    return;
                }
                i.up = true;
                i.restarts += 1;
                i.log.clear();
                i.log(klog('I', now, "serving.go:348", "Generated self-signed cert in-memory"));
                let what =
                    format!("attempting to acquire leader lease kube-system/{}...", component_lease(i.component));
                i.log(klog('I', now, "leaderelection.go:245", &what));
                self.queue.push(now, Event::Factory(FactoryEvent::Elect { inst, generation }));
            }
            FactoryEvent::KubeletBeat { kubelet, generation } => self.kubelet_beat(kubelet, generation),
            FactoryEvent::KubeletDeliver { kubelet, generation } => self.kubelet_deliver(kubelet, generation),
            FactoryEvent::KubeletPods { kubelet, generation } => self.kubelet_pods(kubelet, generation),
        }
    }

    fn instance_mut(&mut self, inst: usize, generation: u32) -> Option<&mut Instance> {
        self.factory.as_mut()?.instances.get_mut(inst).filter(|i| i.up && i.generation == generation)
    }

    /// An internal request from a component on `server`'s node (or a kubelet through the load
    /// balancer) as `credential`; `waiter` gets the answer.
    pub(super) fn factory_send(&mut self, server: MemberId, credential: Credential, w: &Write, waiter: Waiter) -> u64 {
        let resource = crate::k8s::resources::resolve(w.resource).expect("robots write known resources");
        let call = ApiCall {
            verb: w.verb,
            resource,
            namespace: w.namespace.clone(),
            name: w.name.clone(),
            body: w.body.clone(),
            resource_version: None,
            credential,
            impersonate: None,
            subresource: w.subresource,
            delete: crate::apiserver::handler::DeleteOptions {
                propagation: w.propagation,
                grace_period_s: w.grace_period_s,
                uid: w.uid.clone(),
            },
        };
        let id = self.send_internal(server, call);
        if let Some(f) = &mut self.factory {
            f.waiting.insert(id, waiter);
        }
        id
    }

    fn robot_credential(&mut self, component: Component, sa: &'static str) -> Credential {
        if sa.is_empty() {
            return Credential::ClientCert { cn: component.user().to_string(), orgs: Vec::new() };
        }
        let f = self.factory.as_mut().expect("factory");
        let token = f.tokens.entry(sa).or_insert_with(|| {
            authn::mint_service_account_token(kubeconfig::SA_KEY, "kube-system", sa, 365 * 24 * 3600)
        });
        Credential::Bearer(token.clone())
    }

    /// The answer to an internal request the factory sent (called by the office).
    pub(super) fn factory_answered(&mut self, id: u64, response: &Response) -> bool {
        let Some(waiter) = self.factory.as_mut().and_then(|f| f.waiting.remove(&id)) else { return false };
        let result: Result<Object, Status> = match response {
            Response::Object { object, .. } | Response::Deleted(object) => Ok(object.clone()),
            Response::List { .. } => Ok(Value::Null),
            Response::Status(s) if s.code < 300 && s.code > 0 => Ok(Value::Null),
            Response::Status(s) => Err(s.clone()),
        };
        match waiter {
            Waiter::ElectRead { inst, generation } => self.elect_read(inst, generation, result),
            Waiter::ElectWrite { inst, generation } => self.elect_written(inst, generation, result.is_ok()),
            Waiter::Robot { inst, generation, slot, worker, write } => {
                if let Some(s) = self.instance_mut(inst, generation).and_then(|i| i.slots.get_mut(slot)) {
                    s.drawing.answered(id, response.code(), result.as_ref().ok());
                }
                self.robot_answered(id, (inst, generation), slot, worker, &write, result)
            }
            Waiter::Event => {}
            Waiter::KubeletLease { kubelet, generation } => {
                if let Some(k) = self.kubelet_mut(kubelet, generation) {
                    k.lease_in_flight = false;
                    k.lease_rv = result.ok().map(|o| object::resource_version(&o)).filter(|&rv| rv > 0);
                }
            }
            Waiter::KubeletStatus { kubelet, generation } => {
                if let Some(k) = self.kubelet_mut(kubelet, generation) {
                    k.status_in_flight = false;
                }
            }
            Waiter::KubeletPod { kubelet, generation, pod } => {
                let retry = result.is_err();
                if let Some(k) = self.kubelet_mut(kubelet, generation) {
                    if let Some(p) = k.pods.get_mut(&pod) {
                        p.busy = false;
                        p.written = result.ok().map(|o| object::resource_version(&o)).filter(|&rv| rv > 0);
                    }
                }
                if retry {
                    self.queue.push(
                        self.now_us + US_PER_S,
                        Event::Factory(FactoryEvent::KubeletPods { kubelet, generation }),
                    );
                } else {
                    self.queue.push(self.now_us, Event::Factory(FactoryEvent::KubeletPods { kubelet, generation }));
                }
            }
        }
        true
    }

    // -----------------------------------------------------------------------------------------
    // Leader election.

    fn elect(&mut self, inst: usize, generation: u32) {
        let now = self.now_us;
        let Some(i) = self.instance_mut(inst, generation) else { return };
        if let Some(Transition::Lost) = i.elector.check_deadline(now) {
            return self.leadership_lost(inst);
        }
        let (node, component, leading) = (i.node, i.component, i.elector.leading);
        let busy = std::mem::replace(&mut i.electing, true);
        // Candidates retry with jitter (`wait.JitterUntil(…, 1.2)`); the leader every retry period.
        let next =
            if leading { leader::RETRY_PERIOD_US } else { leader::RETRY_PERIOD_US + self.rng.below(RETRY_JITTER_US) };
        self.queue.push(now + next, Event::Factory(FactoryEvent::Elect { inst, generation }));
        if busy {
            return;
        }
        let read = Write { verb: Verb::Get, ..Write::delete("leases", "kube-system", component_lease(component)) };
        let cred = Credential::ClientCert { cn: component.user().to_string(), orgs: Vec::new() };
        self.factory_send(node, cred, &read, Waiter::ElectRead { inst, generation });
    }

    fn elect_read(&mut self, inst: usize, generation: u32, result: Result<Object, Status>) {
        let now = self.now_us;
        let Some(i) = self.instance_mut(inst, generation) else { return };
        let current = match result {
            Ok(o) => Some(o),
            Err(s) if s.code == 404 => None,
            Err(s) => {
                i.electing = false;
                let msg = format!("error retrieving resource lock kube-system/{}: {}", i.elector.lease_name, s.message);
                i.log(klog('E', now, "leaderelection.go:327", &msg));
                return;
            }
        };
        match i.elector.attempt(current.as_ref(), now) {
            Attempt::Wait => i.electing = false,
            Attempt::Write { lease, create } => {
                let (node, component) = (i.node, i.component);
                let w =
                    if create { Write::create("leases", "kube-system", lease) } else { Write::update("leases", lease) };
                let cred = Credential::ClientCert { cn: component.user().to_string(), orgs: Vec::new() };
                self.factory_send(node, cred, &w, Waiter::ElectWrite { inst, generation });
            }
        }
    }

    fn elect_written(&mut self, inst: usize, generation: u32, ok: bool) {
        let now = self.now_us;
        let mutant = self.mutant();
        let Some(i) = self.instance_mut(inst, generation) else { return };
        i.electing = false;
        if !ok {
            if let Some(Transition::Lost) = i.elector.check_deadline(now) {
                self.leadership_lost(inst);
            }
            return;
        }
        if i.elector.written(now) == Some(Transition::BecameLeader) {
            let lease = component_lease(i.component);
            i.log(klog('I', now, "leaderelection.go:255", &format!("successfully acquired lease kube-system/{lease}")));
            let msg = format!(
                "\"Event occurred\" object=\"kube-system/{lease}\" fieldPath=\"\" kind=\"Lease\" apiVersion=\"coordination.k8s.io/v1\" type=\"Normal\" reason=\"LeaderElection\" message=\"{} became leader\"",
                i.elector.identity
            );
            i.log(klog('I', now, "event.go:307", &msg));
            let rogue = self.factory.as_ref().and_then(|f| f.rogue.as_ref().map(|r| r.1.clone()));
            let Some(i) = self.instance_mut(inst, generation) else { return };
            i.start_robots(now, mutant, rogue.as_ref());
            i.informer.stop();
            self.schedule_delivery(inst);
        }
    }

    /// `leaderelection lost`: kube-controller-manager exits (klog.Fatal) and its kubelet starts it
    /// again; it comes back as a candidate.
    fn leadership_lost(&mut self, inst: usize) {
        let now = self.now_us;
        let Some(f) = &mut self.factory else { return };
        let i = &mut f.instances[inst];
        let lease = component_lease(i.component);
        let msg = format!("failed to renew lease kube-system/{lease}: timed out waiting for the condition");
        i.log(klog('E', now, "leaderelection.go:308", &msg));
        i.log(klog('E', now, "controllermanager.go:312", "\"leaderelection lost\""));
        self.stop_instance(inst);
        let Some(i) = self.factory.as_ref().map(|f| &f.instances[inst]) else { return };
        let generation = i.generation;
        self.queue.push(now + RESTART_DELAY_US, Event::Factory(FactoryEvent::Restart { inst, generation }));
    }

    /// The process stops: leadership, informers, queues and in-flight work are gone.
    fn stop_instance(&mut self, inst: usize) {
        let Some(f) = &mut self.factory else { return };
        let i = &mut f.instances[inst];
        i.up = false;
        i.generation += 1;
        i.elector.reset();
        i.informer.stop();
        i.stream_held_until_us.clear();
        i.slots.clear();
        i.electing = false;
        i.delivery_pending = false;
        i.timer_at_us = None;
        f.in_sync.retain(|(n, _, _)| *n != inst);
    }

    // -----------------------------------------------------------------------------------------
    // Informers and workers.

    /// After every event: instances whose API server has news get a watch delivery.
    pub(super) fn pump_factory(&mut self) {
        self.pump_log_follows();
        let Some(f) = &self.factory else { return };
        let Some(office) = &self.office else { return };
        let mut due = Vec::new();
        for (n, i) in f.instances.iter().enumerate() {
            if !i.up || !i.elector.leading || i.delivery_pending {
                continue;
            }
            let t = &office.tellers[(i.node - 1) as usize];
            if t.up && t.cache.revision() > i.informer.rv {
                due.push(n);
            }
        }
        let mut kubelets = Vec::new();
        for (n, k) in f.kubelets.iter().enumerate() {
            if !k.up || !k.reachable || k.delivery_pending {
                continue;
            }
            let t = &office.tellers[(k.server - 1) as usize];
            if !t.up || t.cache.revision() > k.informer.rv {
                kubelets.push(n);
            }
        }
        for n in due {
            self.schedule_delivery(n);
        }
        for n in kubelets {
            let hop = self.hop_us();
            let Some(k) = self.factory.as_mut().map(|f| &mut f.kubelets[n]) else { return };
            k.delivery_pending = true;
            let generation = k.generation;
            self.queue.push(self.now_us + hop, Event::Factory(FactoryEvent::KubeletDeliver { kubelet: n, generation }));
        }
    }

    fn schedule_delivery(&mut self, inst: usize) {
        // Two hops: etcd's watch to the API server's cacher, the cacher to the informer (a
        // write's answer takes two as well: etcd to the API server, the API server to the
        // client). The lab's watch caches read their member at once, so the first hop is here.
        let hop = self.hop_us() + self.hop_us();
        let Some(f) = self.factory.as_mut() else { return };
        let i = &mut f.instances[inst];
        if i.delivery_pending {
            return;
        }
        i.delivery_pending = true;
        // A watch event is sent when the API server's cache has it and arrives a hop later: a
        // delivery carries what the cache held when it left, not what it holds on arrival (so
        // an answer to a write can reach a controller before the watch event of that write,
        // as in a real cluster; the ReplicaSet controller's expectations exist for that).
        i.delivery_upto =
            self.office.as_ref().and_then(|o| o.tellers.get((i.node - 1) as usize)).map_or(0, |t| t.cache.revision());
        let generation = i.generation;
        self.queue.push(self.now_us + hop, Event::Factory(FactoryEvent::Deliver { inst, generation }));
    }

    /// Watch events reach the informer; the handlers queue keys; workers run.
    fn informer_deliver(&mut self, inst: usize, generation: u32) {
        let now = self.now_us;
        // Each resource has its own watch connection (CG: one reflector per informer), and
        // now and then one falls behind the others for a while (a busy cacher, a slow
        // connection): a ReplicaSet's own status update can then arrive before the pods it
        // created, which is what the ReplicaSet controller's expectations are for.
        let streams =
            self.factory.as_ref().and_then(|f| f.instances.get(inst)).map_or(0, |i| i.informer.resources().len());
        let stalls: Vec<u64> = (0..streams)
            .map(|_| if self.rng.below(STREAM_STALLS_IN) == 0 { now + self.rng.below(STREAM_STALL_US_MAX) } else { 0 })
            .collect();
        let lagging: Vec<bool> = match self.factory.as_mut().and_then(|f| f.instances.get_mut(inst)) {
            Some(i) => {
                i.stream_held_until_us.resize(streams, 0);
                i.stream_held_until_us
                    .iter_mut()
                    .zip(stalls)
                    .map(|(held, stall)| {
                        *held = (*held).max(stall);
                        now < *held
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let (Some(f), Some(office)) = (self.factory.as_mut(), self.office.as_ref()) else { return };
        let Some(i) = f.instances.get_mut(inst).filter(|i| i.up && i.generation == generation) else { return };
        i.delivery_pending = false;
        let t = &office.tellers[(i.node - 1) as usize];
        if !t.up || !i.elector.leading {
            return;
        }
        let first = !i.informer.has_synced();
        let upto = i.delivery_upto;
        let resources: Vec<&'static str> = i.informer.resources().to_vec();
        let stream_upto = |r: &str| match resources.iter().position(|x| *x == r) {
            Some(n) if lagging.get(n) == Some(&true) => 0,
            _ => upto,
        };
        let relists = i.informer.relists;
        let deltas: Vec<Delta> = i.informer.watch_each(&t.cache, stream_upto, now);
        let listed = first || i.informer.relists != relists;
        i.feed.record(&deltas, listed, now);
        let cache = &i.informer;
        for slot in &mut i.slots {
            let robot = slot.robot.robot();
            let watches = robot.watches();
            for d in &deltas {
                if !watches.contains(&d.resource) {
                    continue;
                }
                let change = Change { resource: d.resource, old: d.old.as_deref(), new: d.new.as_deref() };
                for key in robot.keys_for(change, cache, now) {
                    let deduped = slot.queue.deduped();
                    slot.queue.add(&key);
                    slot.drawing.added(&key, slot.queue.deduped() > deduped);
                }
            }
        }
        if first {
            let names: Vec<&'static str> = i.slots.iter().map(Slot::name).collect();
            for name in names {
                i.log(klog('I', now, "shared_informer.go:318", &format!("Caches are synced for {name}")));
            }
        }
        self.run_workers(inst);
    }

    /// Idle workers take keys off their queues and sync them.
    fn run_workers(&mut self, inst: usize) {
        let now = self.now_us;
        let mut sends: Vec<(usize, usize, Vec<Write>)> = Vec::new();
        let mut notes: Vec<(usize, Vec<Note>)> = Vec::new();
        let Some(f) = self.factory.as_mut() else { return };
        let i = &mut f.instances[inst];
        if !i.up || !i.elector.leading {
            return;
        }
        let mut log_lines = Vec::new();
        for (s, slot) in i.slots.iter_mut().enumerate() {
            for (w, worker) in slot.workers.iter_mut().enumerate() {
                if worker.key.is_some() {
                    continue;
                }
                let Some(key) = slot.queue.get(now) else { break };
                // client-go's queue never hands a key to two workers at once.
                if !f.in_sync.insert((inst, s, key.clone())) {
                    f.violations
                        .push(format!("{}: key {key} synced by two workers at once", slot.robot.robot_ref().name()));
                }
                slot.syncs += 1;
                let plan = slot.robot.robot().sync(&key, &i.informer, now);
                let sync_no = slot.syncs;
                slot.drawing.synced(Reconcile::of(sync_no, &key, now, &plan));
                worker.sync_no = sync_no;
                let Plan { batches, notes: n, log, diff, requeue_after_us } = plan;
                for (at, line) in log {
                    log_lines.push(klog('I', now, at, &line));
                }
                if !n.is_empty() {
                    notes.push((s, n));
                }
                worker.key = Some(key);
                worker.batches = batches.into_iter().filter(|b| !b.is_empty()).collect();
                worker.failed = false;
                worker.requeue_after_us = requeue_after_us;
                worker.diff = diff;
                if let Some(first) = worker.batches.pop_front() {
                    sends.push((s, w, first));
                }
            }
        }
        for l in log_lines {
            i.log(l);
        }
        self.rogue_narrate(inst);
        for (s, n) in notes {
            self.record_notes(inst, s, n);
        }
        let mut idle_done = Vec::new();
        for (s, w, batch) in sends {
            self.send_batch(inst, s, w, batch);
        }
        // Workers whose plan had no writes are done at once.
        if let Some(f) = self.factory.as_ref() {
            let i = &f.instances[inst];
            for (s, slot) in i.slots.iter().enumerate() {
                for (w, worker) in slot.workers.iter().enumerate() {
                    if worker.key.is_some() && worker.pending.is_empty() && worker.batches.is_empty() {
                        idle_done.push((s, w));
                    }
                }
            }
        }
        let any = !idle_done.is_empty();
        for (s, w) in idle_done {
            self.finish_key(inst, s, w);
        }
        // Keys freed workers: take more, up to a budget per instant (then a wake 1 ms later).
        let budget_left = self.factory.as_mut().is_some_and(|f| {
            let i = &mut f.instances[inst];
            if i.syncs_at.0 != now {
                i.syncs_at = (now, 0);
            }
            i.syncs_at.1 = i.syncs_at.1.saturating_add(1);
            i.syncs_at.1 < SYNCS_PER_INSTANT_MAX
        });
        if any && budget_left {
            self.run_workers(inst);
        } else if any {
            let generation = self.factory.as_ref().map_or(0, |f| f.instances[inst].generation);
            self.queue.push(now + 1_000, Event::Factory(FactoryEvent::Wake { inst, generation }));
        } else {
            self.schedule_wake(inst);
        }
    }

    fn send_batch(&mut self, inst: usize, s: usize, w: usize, batch: Vec<Write>) {
        let Some(i) = self.factory.as_ref().map(|f| &f.instances[inst]) else { return };
        let (node, component, generation) = (i.node, i.component, i.generation);
        let sa = i.slots[s].robot.robot_ref().service_account();
        let cred = self.robot_credential(component, sa);
        for write in batch {
            let waiter = Waiter::Robot { inst, generation, slot: s, worker: w, write: Box::new(write.clone()) };
            let id = self.factory_send(node, cred.clone(), &write, waiter);
            if let Some(f) = &mut self.factory {
                let slot = &mut f.instances[inst].slots[s];
                slot.workers[w].pending.insert(id);
                let sync_no = slot.workers[w].sync_no;
                slot.drawing.sent(sync_no, id, &write);
            }
        }
    }

    fn robot_answered(
        &mut self,
        id: u64,
        (inst, generation): (usize, u32),
        s: usize,
        w: usize,
        write: &Write,
        result: Result<Object, Status>,
    ) {
        let now = self.now_us;
        let Some(i) = self.instance_mut(inst, generation) else { return };
        let Some(slot) = i.slots.get_mut(s) else { return };
        let worker = &mut slot.workers[w];
        let Some(key) = worker.key.clone() else { return };
        let reaction = slot.robot.robot().answered(&key, write, result.as_ref(), now);
        let worker = &mut slot.workers[w];
        worker.pending.remove(&id);
        match &result {
            Ok(_) => worker.last = format!("{} {}", write.verb.as_str(), write.resource),
            Err(e) => {
                worker.failed = true;
                worker.last = format!("{} {}: {}", write.verb.as_str(), write.resource, e.code);
                if e.code == 409 {
                    slot.conflicts += 1;
                }
            }
        }
        for (at, line) in reaction.log {
            i.log(klog('I', now, at, &line));
        }
        self.rogue_narrate(inst);
        if !reaction.notes.is_empty() {
            self.record_notes(inst, s, reaction.notes);
        }
        let Some(f) = self.factory.as_mut() else { return };
        let worker = &mut f.instances[inst].slots[s].workers[w];
        if !worker.pending.is_empty() {
            return;
        }
        if !worker.failed {
            if let Some(next) = worker.batches.pop_front() {
                self.send_batch(inst, s, w, next);
                return;
            }
        }
        self.finish_key(inst, s, w);
        self.run_workers(inst);
    }

    /// `processNextWorkItem`'s end: `Done`, and `Forget` or `AddRateLimited`.
    fn finish_key(&mut self, inst: usize, s: usize, w: usize) {
        let now = self.now_us;
        let Some(f) = self.factory.as_mut() else { return };
        let slot = &mut f.instances[inst].slots[s];
        let worker = &mut slot.workers[w];
        let Some(key) = worker.key.take() else { return };
        worker.batches.clear();
        f.in_sync.remove(&(inst, s, key.clone()));
        slot.queue.done(&key);
        match (worker.failed, worker.requeue_after_us.take()) {
            // A failed sync, or "again now" (`Some(0)`), backs off (`AddRateLimited`) so a robot
            // can never spin at one instant.
            (true, _) | (false, Some(0)) => slot.queue.add_rate_limited(&key, now),
            (false, after) => {
                slot.queue.forget(&key);
                if let Some(after) = after {
                    slot.queue.add_after(&key, after, now);
                }
            }
        }
    }

    fn schedule_wake(&mut self, inst: usize) {
        let Some(i) = self.factory.as_mut().map(|f| &mut f.instances[inst]) else { return };
        // Only robots with an idle worker: a busy one takes its due keys when a worker is freed
        // (waking for it now would spin at this instant).
        let Some(due) = i
            .slots
            .iter()
            .filter(|s| s.workers.iter().any(|w| w.key.is_none()))
            .filter_map(|s| s.queue.next_due_us())
            .min()
        else {
            return;
        };
        if i.timer_at_us.is_some_and(|t| t <= due) {
            return;
        }
        let at = due.max(self.now_us + 1);
        i.timer_at_us = Some(at);
        let generation = i.generation;
        self.queue.push(at, Event::Factory(FactoryEvent::Wake { inst, generation }));
    }

    /// The event recorder: each note becomes an Event object (sent on the side) and, in
    /// kube-controller-manager, the broadcaster's "Event occurred" log line.
    fn record_notes(&mut self, inst: usize, s: usize, notes: Vec<Note>) {
        let now = self.now_us;
        let Some(i) = self.factory.as_ref().map(|f| &f.instances[inst]) else { return };
        let (node, component) = (i.node, i.component);
        let robot = i.slots[s].robot.robot_ref();
        let sa = robot.service_account();
        let source = match component {
            Component::Scheduler => "default-scheduler",
            Component::ControllerManager if robot.name() == "node-lifecycle" => "node-controller",
            Component::ControllerManager => sa,
        };
        let cred = self.robot_credential(component, sa);
        for n in notes {
            if component == Component::ControllerManager {
                let line = event_log_line(&n);
                if let Some(f) = self.factory.as_mut() {
                    f.instances[inst].log(klog('I', now, "event.go:307", &line));
                }
            }
            self.send_event(node, cred.clone(), &n, source, "");
        }
    }

    pub(super) fn send_event(&mut self, server: MemberId, cred: Credential, n: &Note, source: &str, host: &str) {
        let now = self.now_us;
        let Some(f) = self.factory.as_mut() else { return };
        f.events_written += 1;
        let seq = f.events_written;
        let body = event_object(n, source, host, now, seq);
        let ns = object::namespace(&body).to_string();
        let w = Write::create("events", &ns, body);
        self.factory_send(server, cred, &w, Waiter::Event);
    }
}

/// How far candidates' retries spread beyond the retry period (`JitterFactor` 1.2).
const RETRY_JITTER_US: u64 = leader::RETRY_PERIOD_US * 12 / 10;

/// The event broadcaster's structured log line (`StartStructuredLogging(0)`; v1.27 event.go,
/// line number UNCONFIRMED).
fn event_log_line(n: &Note) -> String {
    let r = crate::k8s::resources::resolve(n.resource);
    let (kind, api) = r.map(|r| (r.kind, api_version(r))).unwrap_or(("", String::new()));
    let object = if n.namespace.is_empty() { n.name.clone() } else { format!("{}/{}", n.namespace, n.name) };
    let t = match n.kind {
        EventType::Normal => "Normal",
        EventType::Warning => "Warning",
    };
    format!(
        "\"Event occurred\" object={} fieldPath=\"\" kind={} apiVersion={} type=\"{t}\" reason={} message={}",
        go_quote(&object),
        go_quote(kind),
        go_quote(&api),
        go_quote(&n.reason),
        go_quote(&n.message)
    )
}

fn api_version(r: &crate::k8s::resources::ApiResource) -> String {
    if r.group.is_empty() {
        "v1".to_string()
    } else {
        format!("{}/v1", r.group)
    }
}

/// A core/v1 Event as client-go's recorder writes it (name `<object>.<hex>`; `count` 1 — the
/// lab does not aggregate repeats).
fn event_object(n: &Note, source: &str, host: &str, now_us: u64, seq: u64) -> Object {
    let r = crate::k8s::resources::resolve(n.resource);
    let (kind, api) = r.map(|r| (r.kind, api_version(r))).unwrap_or(("", String::new()));
    let ns = if n.namespace.is_empty() { "default" } else { &n.namespace };
    let stamp = object::rfc3339(object::unix_s(now_us));
    // client-go names events `<name>.<UnixNano in hex>`.
    let nanos = (object::unix_s(now_us) * 1_000_000_000 + (now_us % US_PER_S) * 1000 + seq % 1000) as u128;
    let mut src = json!({"component": source});
    if !host.is_empty() {
        src["host"] = json!(host);
    }
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": format!("{}.{nanos:x}", n.name), "namespace": ns},
        "involvedObject": {"apiVersion": api, "kind": kind, "name": n.name, "namespace": n.namespace, "uid": n.uid},
        "reason": n.reason, "message": n.message, "source": src,
        "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1,
        "type": match n.kind { EventType::Normal => "Normal", EventType::Warning => "Warning" },
        "eventTime": null, "reportingComponent": source, "reportingInstance": host,
    })
}

impl World {
    /// `lab node crash|restart|partition|heal NODE`, `lab node add`.
    pub(super) fn node_command(
        &mut self,
        cmd: u32,
        action: crate::shell::NodeAction,
        node: &str,
    ) -> Result<(), crate::i18n::Text> {
        use crate::i18n::Text;
        use crate::shell::NodeAction;
        let now = self.now_us;
        let Some(f) = self.factory.as_mut() else {
            return Err(Text::new(
                "lab node: 이 시나리오에는 Kubernetes 노드가 없습니다 (etcd만 있는 세계)",
                "lab node: this scenario has no Kubernetes nodes (an etcd-only world)",
            ));
        };
        if action == NodeAction::Add {
            let control_planes = f.kubelets.iter().filter(|k| k.control_plane).count() as u8;
            let workers = f.kubelets.len() as u8 - control_planes;
            if workers >= WORKERS_MAX {
                return Err(Text::new(
                    format!("lab node add: 워커 노드는 최대 {WORKERS_MAX}개입니다"),
                    format!("lab node add: at most {WORKERS_MAX} worker nodes"),
                ));
            }
            let name = crate::apiserver::bootstrap::node_names(control_planes, workers + 1).pop().expect("a name");
            let index = f.kubelets.len();
            f.kubelets.push(Kubelet::new(name.clone(), index as u8, control_planes));
            self.queue.push(now, Event::Factory(FactoryEvent::KubeletBeat { kubelet: index, generation: 0 }));
            self.say(
                cmd,
                super::LineKind::Stdout,
                Text::new(
                    format!("{name}: 새 워커 노드 — kubelet이 Node를 등록합니다"),
                    format!("{name}: a new worker node — its kubelet registers the Node"),
                ),
            );
            self.finish(cmd, false);
            return Ok(());
        }
        let Some(k) = f.kubelets.iter().position(|k| k.node == node) else {
            return Err(Text::same(format!(
                "Error from server (NotFound): nodes \"{}\" not found",
                crate::shell::printable(node)
            )));
        };
        let kl = &mut f.kubelets[k];
        if kl.control_plane && matches!(action, NodeAction::Crash | NodeAction::Restart) {
            return Err(Text::new(
                "lab node: 컨트롤 플레인 노드는 구성 요소별로 멈춥니다: lab crash etcd-N, lab apiserver crash apiserver-N, lab controller-manager crash N",
                "lab node: control-plane nodes fail part by part: lab crash etcd-N, lab apiserver crash apiserver-N, lab controller-manager crash N",
            ));
        }
        let (ko, en) = match action {
            NodeAction::Crash if !kl.up => ("이미 멈춰 있습니다", "is already down"),
            NodeAction::Crash => {
                kl.up = false;
                kl.generation += 1;
                kl.pods.clear();
                kl.informer.stop();
                kl.delivery_pending = false;
                kl.lease_in_flight = false;
                kl.status_in_flight = false;
                (
                    "멈춤: kubelet과 컨테이너가 모두 멈췄습니다 (Lease 갱신 중단)",
                    "crashed: the kubelet and its containers stopped (no more Lease renewals)",
                )
            }
            NodeAction::Restart if kl.up => ("이미 실행 중입니다", "is already running"),
            NodeAction::Restart => {
                kl.up = true;
                kl.generation += 1;
                kl.restarts += 1;
                kl.rebooted = true;
                let generation = kl.generation;
                self.queue.push(now, Event::Factory(FactoryEvent::KubeletBeat { kubelet: k, generation }));
                (
                    "다시 시작: kubelet이 Lease를 갱신하고 컨테이너를 다시 시작합니다",
                    "restarted: the kubelet renews its Lease and starts its containers again",
                )
            }
            NodeAction::Partition => {
                kl.reachable = false;
                ("분리됨: API 서버에 닿지 못합니다", "partitioned: it cannot reach the API servers")
            }
            NodeAction::Heal => {
                kl.reachable = true;
                kl.delivery_pending = false;
                ("다시 연결됨", "reconnected")
            }
            NodeAction::Add => unreachable!("handled above"),
        };
        self.say(cmd, super::LineKind::Stdout, Text::new(format!("{node}: {ko}"), format!("{node}: {en}")));
        self.finish(cmd, false);
        Ok(())
    }

    /// `lab controller-manager|scheduler crash|restart N`.
    pub(super) fn component_command(
        &mut self,
        cmd: u32,
        scheduler: bool,
        crash: bool,
        node: &crate::shell::MemberRef,
    ) -> Result<(), crate::i18n::Text> {
        use crate::i18n::Text;
        let m = self.resolve(node)?;
        let now = self.now_us;
        let component = if scheduler { Component::Scheduler } else { Component::ControllerManager };
        let Some(f) = self.factory.as_mut() else {
            return Err(Text::new(
                "lab: 이 시나리오에는 Kubernetes가 없습니다 (etcd만 있는 세계)",
                "lab: this scenario has no Kubernetes (an etcd-only world)",
            ));
        };
        let Some(inst) = f.instances.iter().position(|i| i.component == component && i.node == m) else {
            return Err(Text::new(
                format!("lab: {}-{}가 없습니다", component.binary(), crate::names::node_name(m)),
                format!("lab: there is no {}-{}", component.binary(), crate::names::node_name(m)),
            ));
        };
        let i = &mut f.instances[inst];
        let who = i.pod_name();
        let (ko, en) = match (crash, i.up) {
            (true, false) => ("이미 멈춰 있습니다", "is already down"),
            (true, true) => {
                let was_leader = i.elector.leading;
                self.stop_instance(inst);
                if was_leader {
                    (
                        "멈춤: 리더였으므로 Lease가 만료되면(15초) 다른 인스턴스가 이어받습니다",
                        "crashed: it was the leader; another instance takes over when the Lease expires (15 s)",
                    )
                } else {
                    ("멈춤 (대기 중이던 인스턴스)", "crashed (it was a standby)")
                }
            }
            (false, true) => ("이미 실행 중입니다", "is already running"),
            (false, false) => {
                let generation = i.generation;
                self.queue.push(now, Event::Factory(FactoryEvent::Restart { inst, generation }));
                ("다시 시작: 리더 선출에 후보로 참여합니다", "restarted: it joins the election as a candidate")
            }
        };
        self.say(cmd, super::LineKind::Stdout, Text::new(format!("{who}: {ko}"), format!("{who}: {en}")));
        self.finish(cmd, false);
        Ok(())
    }
}

/// Worker nodes at most (DESIGN.md: 0 to 5).
pub const WORKERS_MAX: u8 = 5;

/// `kubectl logs -f` streams running at once.
pub const LOG_FOLLOWS_MAX: usize = 8;

impl World {
    /// `kubectl logs [-f] -n kube-system kube-controller-manager-…|kube-scheduler-…`: the
    /// instance's klog lines; a standby's end with a note naming the leader. `false`: `pod` is
    /// not one of the factory's processes.
    pub(super) fn factory_logs(
        &mut self,
        cmd: u32,
        namespace: &str,
        pod: &str,
        follow: bool,
        tail_lines: Option<u64>,
    ) -> bool {
        use crate::i18n::Text;
        let Some(f) = self.factory.as_ref() else { return false };
        if namespace != "kube-system" {
            return false;
        }
        let Some(inst) = f.instances.iter().position(|i| i.pod_name() == pod) else { return false };
        let i = &f.instances[inst];
        let skip = tail_lines.map_or(0, |n| i.log.len().saturating_sub(n as usize));
        let lines: Vec<String> = i.log.iter().skip(skip).cloned().collect();
        let written = i.log_written;
        let standby = i.up && !i.elector.leading;
        let leader = f
            .instances
            .iter()
            .find(|o| o.component == i.component && o.up && o.elector.leading)
            .map(Instance::pod_name);
        for l in lines {
            self.push_line(cmd, super::LineKind::Stdout, Text::same(l));
        }
        if standby {
            let (ko, en) = match &leader {
                Some(l) => (
                    format!("lab: 이 인스턴스는 대기 중입니다 — 리더는 {l}입니다"),
                    format!("lab: this instance is a standby — the leader is {l}"),
                ),
                None => (
                    "lab: 이 인스턴스는 대기 중입니다 — 지금은 리더가 없습니다".to_string(),
                    "lab: this instance is a standby — there is no leader right now".to_string(),
                ),
            };
            self.say(cmd, super::LineKind::Stderr, Text::new(ko, en));
        }
        let room = self.factory.as_ref().is_some_and(|f| f.follows.len() < LOG_FOLLOWS_MAX);
        if follow && room {
            if let Some(f) = self.factory.as_mut() {
                f.follows.push((cmd, inst, written));
            }
        }
        self.finish(cmd, false);
        true
    }

    /// Prints what followed processes logged since.
    fn pump_log_follows(&mut self) {
        let Some(f) = self.factory.as_mut() else { return };
        if f.follows.is_empty() {
            return;
        }
        let mut out = Vec::new();
        for (cmd, inst, seen) in &mut f.follows {
            let i = &f.instances[*inst];
            if i.log_written == *seen {
                continue;
            }
            let new = (i.log_written - *seen).min(i.log.len() as u64) as usize;
            out.extend(i.log.iter().skip(i.log.len() - new).map(|l| (*cmd, l.clone())));
            *seen = i.log_written;
        }
        for (cmd, l) in out {
            self.push_line(cmd, super::LineKind::Stdout, crate::i18n::Text::same(l));
        }
    }

    /// `^C` for `kubectl logs -f`: stops the newest follow if it is newer than `than_cmd`.
    pub(super) fn interrupt_log_follow(&mut self, than_cmd: Option<u32>) -> Option<u32> {
        let f = self.factory.as_mut()?;
        let newest = f.follows.iter().map(|x| x.0).max()?;
        if than_cmd.is_some_and(|c| c > newest) {
            return None;
        }
        f.follows.retain(|x| x.0 != newest);
        Some(newest)
    }
}

impl World {
    /// `lab rogue start deployment/NAME [--precondition=false]` / `lab rogue stop`: a second
    /// controller writing the same Deployment (`controllers::rogue`). Its service account gets the
    /// deployment controller's role through a real ClusterRoleBinding, written as the admin.
    pub(super) fn rogue_command(&mut self, cmd: u32, start: Option<RogueSpec>) -> Result<(), crate::i18n::Text> {
        use crate::i18n::Text;
        let Some(f) = self.factory.as_mut() else {
            return Err(Text::new(
                "lab: 이 시나리오에는 Kubernetes가 없습니다 (etcd만 있는 세계)",
                "lab: this scenario has no Kubernetes (an etcd-only world)",
            ));
        };
        let Some(spec) = start else {
            let Some((was, spec)) = f.rogue.take() else {
                return Err(Text::new(
                    "lab rogue stop: 실행 중인 rogue 컨트롤러가 없습니다",
                    "lab rogue stop: no rogue controller is running",
                ));
            };
            for i in &mut f.instances {
                for slot in &mut i.slots {
                    if let Robots::Rogue(r) = &mut slot.robot {
                        r.stopped = true;
                    }
                }
            }
            let (rounds, conflicts, lost) = self.rogue_counts();
            let what = format!("deployment/{}", spec.name);
            let summary = Text::new(
                format!("rogue: 멈춤 ({what}: 쓰기 {rounds}번, 409 Conflict {conflicts}번, 갱신 손실 {lost}번)"),
                format!("rogue: stopped ({what}: {rounds} writes, {conflicts} 409 Conflicts, {lost} lost updates)"),
            );
            self.say(was, super::LineKind::Stdout, summary.clone());
            self.say(cmd, super::LineKind::Stdout, summary);
            self.finish(cmd, false);
            return Ok(());
        };
        if f.rogue.is_some() {
            return Err(Text::new(
                "lab rogue start: rogue 컨트롤러가 이미 실행 중입니다 (먼저 lab rogue stop)",
                "lab rogue start: a rogue controller is already running (lab rogue stop first)",
            ));
        }
        f.rogue = Some((cmd, spec.clone()));
        let key = spec.key();
        let now = self.now_us;
        let mut leader = None;
        for (n, i) in f.instances.iter_mut().enumerate() {
            if i.component != Component::ControllerManager || !i.up || !i.elector.leading {
                continue;
            }
            // A stopped rogue from before keeps its slot (answers in flight find it); it starts over.
            let existing = i.slots.iter().position(|s| matches!(s.robot, Robots::Rogue(_)));
            let s = match existing {
                Some(s) => {
                    i.slots[s].robot = Robots::Rogue(Rogue::new(spec.clone()));
                    s
                }
                None => {
                    i.slots.push(Slot::new(Robots::Rogue(Rogue::new(spec.clone()))));
                    i.slots.len() - 1
                }
            };
            i.slots[s].queue.add(&key);
            i.log(klog('I', now, "controllermanager.go:638", "\"Started controller\" controller=\"rogue\""));
            leader = Some(n);
        }
        // Its rights: the deployment controller's ClusterRole, bound to its service account.
        let binding = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "lab:rogue-controller"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                        "name": "system:controller:deployment-controller"},
            "subjects": [{"kind": "ServiceAccount", "name": rogue::SERVICE_ACCOUNT, "namespace": "kube-system"}],
        });
        let admin = Credential::ClientCert { cn: "kubernetes-admin".into(), orgs: vec!["system:masters".into()] };
        self.factory_send(1, admin, &Write::create("clusterrolebindings", "", binding), Waiter::Event);
        let what = format!("deployment/{}", spec.name);
        let (ko, en) = if spec.precondition {
            (
                format!("rogue: {what}을(를) 4초마다 읽고 1.5초 뒤에 resourceVersion 전제 조건과 함께 다시 씁니다 (annotation {})", rogue::ANNOTATION),
                format!("rogue: reads {what} every 4s and writes it back 1.5s later with its resourceVersion precondition (annotation {})", rogue::ANNOTATION),
            )
        } else {
            (
                format!("rogue: {what}을(를) 4초마다 읽고 1.5초 뒤에 전제 조건 없이 다시 씁니다 — 그 사이의 변경은 사라집니다"),
                format!("rogue: reads {what} every 4s and writes it back 1.5s later WITHOUT a precondition — changes made in between are lost"),
            )
        };
        self.say(cmd, super::LineKind::Stdout, Text::new(ko, en));
        self.say(
            cmd,
            super::LineKind::Stderr,
            Text::new(
                "lab: 보통 rogue 컨트롤러는 별도 프로세스입니다; 여기서는 공장 안에서 돌려 그림과 kube-controller-manager 로그에 함께 보입니다",
                "lab: a real rogue controller would be a process of its own; the lab runs it in the factory so it is drawn and logged with the others",
            ),
        );
        // The stream's prompt returns; the rogue narrates here as it goes (`lab rogue stop` ends it).
        self.finish(cmd, false);
        if let Some(n) = leader {
            self.run_workers(n);
        }
        Ok(())
    }

    /// (writes, conflicts, lost updates) of the rogue in whichever instance ran it.
    fn rogue_counts(&self) -> (u64, u64, u64) {
        let Some(f) = &self.factory else { return (0, 0, 0) };
        let mut t = (0, 0, 0);
        for i in &f.instances {
            for s in &i.slots {
                if let Robots::Rogue(r) = &s.robot {
                    t = (t.0 + r.rounds, t.1 + r.conflicts, t.2 + r.lost_updates);
                }
            }
        }
        t
    }

    /// Prints what the instance's rogue said, on the `lab rogue start` command's output.
    fn rogue_narrate(&mut self, inst: usize) {
        let Some(f) = self.factory.as_mut() else { return };
        let cmd = f.rogue.as_ref().map(|r| r.0);
        let mut said = Vec::new();
        for s in &mut f.instances[inst].slots {
            if let Robots::Rogue(r) = &mut s.robot {
                said.append(&mut r.said);
            }
        }
        let Some(cmd) = cmd else { return };
        for t in said {
            self.say(cmd, super::LineKind::Stdout, t);
        }
    }
}
