//! The robot factory: kube-controller-manager's controllers, the scheduler and the kubelets
//! (issue 5; DESIGN.md "Shape"; fact sheet §5).
//!
//! Each controller is a robot with its own work queue: informers (a local copy of what an API
//! server's watch cache holds) turn watch events into keys, a worker takes a key, compares the
//! desired state with the current one, and asks the API server for the writes that close the gap
//! — the same requests, through the same desks and the same etcd, as anyone's. The reconcile
//! functions here are pure: objects in, a [`Plan`] out; `world::factory` carries plans out.

pub mod deployment;
pub mod endpoints;
pub mod gc;
pub mod informer;
pub mod leader;
pub mod node_lifecycle;
pub mod replicaset;
pub mod rogue;
pub mod scheduler;
pub mod workqueue;

use crate::apiserver::handler::Verb;
use crate::apiserver::Object;

/// `propagationPolicy` of a delete (`kubectl delete --cascade=background|foreground|orphan`;
/// KW `concepts/architecture/garbage-collection.md`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Propagation {
    #[default]
    Background,
    Foreground,
    Orphan,
}

impl Propagation {
    pub fn as_str(self) -> &'static str {
        match self {
            Propagation::Background => "Background",
            Propagation::Foreground => "Foreground",
            Propagation::Orphan => "Orphan",
        }
    }
}

/// A write a controller asks its API server for.
#[derive(Clone, Debug, PartialEq)]
pub struct Write {
    /// Create, Update, Patch (JSON merge patch) or Delete.
    pub verb: Verb,
    /// The resource's plural name (`pods`, `replicasets`).
    pub resource: &'static str,
    /// `""`, `"status"` (status only; spec untouched) or `"binding"` (pods: `spec.nodeName`).
    pub subresource: &'static str,
    pub namespace: String,
    /// Empty for a create whose body has only `metadata.generateName`.
    pub name: String,
    /// Create/Update: the object (an update carries the `resourceVersion` it read, so a
    /// concurrent writer makes it fail with 409 Conflict); Patch: the merge patch.
    pub body: Option<Object>,
    /// Delete only.
    pub propagation: Option<Propagation>,
    /// Delete only: `gracePeriodSeconds` (`Some(0)`: at once; `None`: the object's default).
    pub grace_period_s: Option<u64>,
    /// Delete only: the `uid` precondition (the object deleted must be the one the robot saw).
    pub uid: Option<String>,
}

impl Write {
    pub fn create(resource: &'static str, namespace: &str, body: Object) -> Write {
        let name = crate::apiserver::object::name(&body).to_string();
        Write::new(Verb::Create, resource, "", namespace, &name, Some(body))
    }

    pub fn update(resource: &'static str, body: Object) -> Write {
        let ns = crate::apiserver::object::namespace(&body).to_string();
        let name = crate::apiserver::object::name(&body).to_string();
        Write::new(Verb::Update, resource, "", &ns, &name, Some(body))
    }

    pub fn update_status(resource: &'static str, body: Object) -> Write {
        Write { subresource: "status", ..Write::update(resource, body) }
    }

    pub fn delete(resource: &'static str, namespace: &str, name: &str) -> Write {
        Write::new(Verb::Delete, resource, "", namespace, name, None)
    }

    fn new(
        verb: Verb,
        resource: &'static str,
        subresource: &'static str,
        namespace: &str,
        name: &str,
        body: Option<Object>,
    ) -> Write {
        Write {
            verb,
            resource,
            subresource,
            namespace: namespace.to_string(),
            name: name.to_string(),
            body,
            propagation: None,
            grace_period_s: None,
            uid: None,
        }
    }
}

/// `type` of a Kubernetes Event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    Normal,
    Warning,
}

/// An Event a robot records about an object (`Scaled up replica set nginx-… to 3`).
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// The object the event is about: (resource plural, namespace, name).
    pub resource: &'static str,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub kind: EventType,
    /// `ScalingReplicaSet`, `SuccessfulCreate`, `FailedCreate`, …
    pub reason: String,
    pub message: String,
}

impl Note {
    /// An event about `obj` (of `resource`), its namespace, name and uid taken from the object.
    pub fn about(resource: &'static str, obj: &Object, kind: EventType, reason: &str, message: String) -> Note {
        use crate::apiserver::object;
        Note {
            resource,
            namespace: object::namespace(obj).to_string(),
            name: object::name(obj).to_string(),
            uid: object::str_at(obj, "/metadata/uid").to_string(),
            kind,
            reason: reason.to_string(),
            message,
        }
    }
}

/// Desired against current, as the factory draws it for the key a robot works on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Diff {
    /// What the robot compares (`replicas`, `image`, `Ready`).
    pub what: String,
    pub desired: String,
    pub current: String,
}

/// What one sync of a key decided.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Writes in batches: a batch is sent when the one before it has fully succeeded; a failure
    /// skips the batches left (the ReplicaSet controller's slow start, `slowStartBatch`).
    pub batches: Vec<Vec<Write>>,
    /// Events to record (sent on the side: the robot does not wait for them).
    pub notes: Vec<Note>,
    /// Log lines at klog's default verbosity, without the `I1127 09:00:00.000000       1 file.go:N] `
    /// header (the factory adds it): `(file:line, message)`.
    pub log: Vec<(&'static str, String)>,
    pub diff: Option<Diff>,
    /// Sync this key again after that long even if nothing changes (e.g. a pod's toleration
    /// ending, a Deployment's minReadySeconds).
    pub requeue_after_us: Option<u64>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.batches.iter().all(Vec::is_empty) && self.notes.is_empty()
    }
}

/// A change an informer delivered: `old` is `None` for an add, `new` is `None` for a delete.
#[derive(Clone, Copy, Debug)]
pub struct Change<'a> {
    /// The resource's plural name.
    pub resource: &'static str,
    pub old: Option<&'a Object>,
    pub new: Option<&'a Object>,
}

/// A controller of kube-controller-manager (or the scheduler): what it watches, which keys a
/// change puts on its queue, and one sync of a key. Implementations keep only their own
/// bookkeeping (e.g. the ReplicaSet controller's expectations); the objects come from the
/// informers' cache, passed in.
pub trait Robot {
    /// The controller's name as kube-controller-manager logs it (`deployment`, `replicaset`).
    fn name(&self) -> &'static str;
    /// The service account it acts as in `kube-system` (`deployment-controller`).
    fn service_account(&self) -> &'static str;
    /// The resources whose informers feed its queue (plural names).
    fn watches(&self) -> &'static [&'static str];
    /// Parallel workers (`--concurrent-deployment-syncs` and the like; defaults 5, lab may use fewer).
    fn workers(&self) -> usize;
    /// The keys (`namespace/name`, or `name` for cluster-scoped objects) a change queues.
    fn keys_for(&mut self, change: Change<'_>, cache: &dyn crate::apiserver::Informers, now_us: u64) -> Vec<String>;
    /// One sync of `key` against the cache: the writes that move the current state towards the
    /// desired one.
    fn sync(&mut self, key: &str, cache: &dyn crate::apiserver::Informers, now_us: u64) -> Plan;
    /// The API server's answer to one of the plan's writes (`Err`: the status it failed with);
    /// returns the events and log lines that depend on it (`Created pod: nginx-7854ff8877-4xkqz`,
    /// `FailedCreate`). Only `notes` and `log` of the returned plan are used.
    fn answered(
        &mut self,
        _key: &str,
        _write: &Write,
        _result: Result<&Object, &crate::k8s::status::Status>,
        _now_us: u64,
    ) -> Plan {
        Plan::default()
    }
}
