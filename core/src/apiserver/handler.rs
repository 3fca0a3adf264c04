//! One request's walk through the office, as a state machine the world drives: it arrives at a
//! teller (floor 1: authentication, authorization, admission with validation between the
//! mutating and validating plugins), is handled (floor 2) and reaches etcd (the basement), whose
//! answer finishes it. Each desk leaves a [`Step`] in the request's trace, which the request
//! inspector and the office drawing show. Order and messages: fact sheet §3 (KK
//! `staging/src/k8s.io/apiserver/pkg/server/config.go` `DefaultBuildHandlerChain`;
//! `staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go` for the etcd transactions).
//!
//! Writes other than a plain create are compare-and-swaps on the key's `mod_revision`, retried
//! from the newer object etcd returns when they lose (`GuaranteedUpdate`): updates and patches
//! (also of the `status` and `scale` subresources, see `subresources`), bindings, and deletes —
//! which remove the object, or only mark it for graceful deletion or its finalizers (see
//! `deletion`).

use std::rc::Rc;

use serde_json::Value;

use super::admission::{self, Operation, Webhook};
use super::cache::WatchCache;
use super::object::{self, Object};
use super::{bootstrap, defaults, deletion, subresources, validation};
use crate::etcd::mvcc::{
    Compare, CompareOp, CompareTarget, KeyRange, KeyValue, TxnOp, TxnRequest, TxnResponse, TxnResult,
};
use crate::k8s::authn::{Authenticator, Credential};
use crate::k8s::node_authorizer;
use crate::k8s::rbac::{self, Attributes, RbacStore, UserInfo};
use crate::k8s::resources::ApiResource;
use crate::k8s::status::Status;
use crate::k8s::storage;

/// How often an update retries after losing a compare-and-swap to a concurrent writer before
/// answering 409 (etcd3 store `GuaranteedUpdate` retries on a stale cached object).
pub const UPDATE_ATTEMPTS_MAX: u8 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verb {
    Get,
    List,
    Create,
    Update,
    Patch,
    Delete,
}

impl Verb {
    /// The RBAC verb.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
        }
    }

    /// The HTTP method.
    pub fn method(self) -> &'static str {
        match self {
            Verb::Get | Verb::List => "GET",
            Verb::Create => "POST",
            Verb::Update => "PUT",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }

    fn operation(self) -> Option<Operation> {
        match self {
            Verb::Create => Some(Operation::Create),
            Verb::Update | Verb::Patch => Some(Operation::Update),
            Verb::Delete => Some(Operation::Delete),
            Verb::Get | Verb::List => None,
        }
    }
}

/// What a client asks: one REST call.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiCall {
    pub verb: Verb,
    pub resource: &'static ApiResource,
    /// `""` for cluster-scoped resources and for lists across all namespaces.
    pub namespace: String,
    pub name: String,
    /// Create/Update: the object; Patch: a JSON merge patch.
    pub body: Option<Object>,
    /// `?resourceVersion=` of a get or list: `None` = most recent (a consistent read from etcd),
    /// `"0"` = any (the watch cache), `N` = not older than N (the cache once it has caught up).
    pub resource_version: Option<String>,
    pub credential: Credential,
    /// `--as` / `--as-group` (the `Impersonate-User` / `Impersonate-Group` headers).
    pub impersonate: Option<(String, Vec<String>)>,
    /// `""`, or the subresource addressed: `status`, `binding`, `scale`, `eviction`.
    pub subresource: &'static str,
    /// A delete's options (`DeleteOptions`).
    pub delete: DeleteOptions,
}

/// `DeleteOptions` of a delete request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// `propagationPolicy` (`None`: the resource's default).
    pub propagation: Option<crate::controllers::Propagation>,
    /// `gracePeriodSeconds` (`None`: the object's own, e.g. a pod's `terminationGracePeriodSeconds`).
    pub grace_period_s: Option<u64>,
    /// `preconditions.uid`.
    pub uid: Option<String>,
}

impl ApiCall {
    /// A call of `verb` on `resource` as `credential`, without body, options or subresource
    /// (set those fields as needed).
    pub fn new(
        verb: Verb,
        resource: &'static ApiResource,
        namespace: &str,
        name: &str,
        credential: Credential,
    ) -> ApiCall {
        ApiCall {
            verb,
            resource,
            namespace: if resource.namespaced { namespace.to_string() } else { String::new() },
            name: name.to_string(),
            body: None,
            resource_version: None,
            credential,
            impersonate: None,
            subresource: "",
            delete: DeleteOptions::default(),
        }
    }

    /// The URL path kubectl would request (`/api/v1/namespaces/default/pods/x`,
    /// `/api/v1/namespaces/default/pods/x/status`).
    pub fn path(&self) -> String {
        let r = self.resource;
        let base = if r.group.is_empty() { "/api/v1".to_string() } else { format!("/apis/{}/v1", r.group) };
        let ns = if r.namespaced && !self.namespace.is_empty() {
            format!("/namespaces/{}", self.namespace)
        } else {
            String::new()
        };
        let name = if self.name.is_empty() { String::new() } else { format!("/{}", self.name) };
        let sub = if self.subresource.is_empty() { String::new() } else { format!("/{}", self.subresource) };
        format!("{base}{ns}/{}{name}{sub}", r.name)
    }

    /// What the authorizers are asked (the API server's `RequestInfo`): verb, group, resource,
    /// subresource, namespace, and the name from the URL — none for a plain create, whose URL
    /// is the collection's.
    pub fn attributes(&self, user: &UserInfo) -> Attributes {
        let r = self.resource;
        let mut a = Attributes::resource(user, self.verb.as_str(), r.group, r.name);
        if r.namespaced && !self.namespace.is_empty() {
            a = a.in_namespace(&self.namespace);
        }
        if !self.name.is_empty() && (self.verb != Verb::Create || !self.subresource.is_empty()) {
            a = a.named(&self.name);
        }
        a.subresource(self.subresource)
    }

    fn key(&self) -> String {
        storage::object_key(self.resource, &self.namespace, &self.name)
    }
}

/// Where in the office a desk is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Floor {
    /// Authentication, authorization, admission (and validation between its two phases).
    Checks,
    /// Routing and the REST handler.
    Handling,
    /// etcd reads, writes and watches.
    Basement,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Passed,
    /// The desk changed the object (what changed).
    Mutated(String),
    /// The request stops here.
    Rejected(Status),
    /// Sent to etcd; the answer is pending.
    Waiting,
    /// A note from the desk (who the user is, which binding allowed, what etcd answered).
    Noted(String),
}

/// One desk's verdict in the request's trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub desk: String,
    pub floor: Floor,
    pub at_us: u64,
    pub outcome: Outcome,
}

/// What the office answers.
#[derive(Clone, Debug, PartialEq)]
pub enum Response {
    /// 200/201 with the object.
    Object { code: u16, object: Object },
    /// A list at the given resourceVersion.
    List { resource_version: u64, items: Vec<Object> },
    /// An error (or a deletion's Status: kubectl only needs to know it succeeded).
    Status(Status),
    /// 200 for a delete, with the object as it was.
    Deleted(Object),
}

impl Response {
    pub fn code(&self) -> u16 {
        match self {
            Response::Object { code, .. } => *code,
            Response::List { .. } | Response::Deleted(_) => 200,
            Response::Status(s) => s.code,
        }
    }
}

/// What the basement asks etcd.
#[derive(Clone, Debug, PartialEq)]
pub enum EtcdOp {
    /// A linearizable range read (one key or a prefix).
    Read(KeyRange),
    Txn(Rc<TxnRequest>),
}

/// What etcd answered: the header revision and the key-values read (for a transaction, those of
/// its `Get` operations), and whether its compares held.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EtcdAnswer {
    pub revision: u64,
    pub succeeded: bool,
    pub kvs: Vec<KeyValue>,
}

impl EtcdAnswer {
    /// A transaction's answer: its revision, whether the compares held, what its gets read.
    pub fn of_txn(r: &TxnResult) -> EtcdAnswer {
        let kvs = r
            .responses
            .iter()
            .flat_map(|resp| match resp {
                TxnResponse::Get(kvs) => kvs.clone(),
                _ => Vec::new(),
            })
            .collect();
        EtcdAnswer { revision: r.revision, succeeded: r.succeeded, kvs }
    }
}

/// What the world does next for a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    Etcd(EtcdOp),
    /// The response is ready (in [`ApiRequest::response`]).
    Respond,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// On the wire from kubectl (through kind's load balancer) to the teller.
    ToServer,
    /// Waiting for etcd to read the current object (an update's or a binding's first step, a
    /// delete's when the teller has no copy).
    Reading,
    /// Waiting for etcd to answer a read or a transaction that finishes the request.
    Finishing,
    /// On the wire back to kubectl.
    ToClient,
    Done,
}

/// What a write answers once its etcd transaction holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reply {
    /// The stored object, its new resourceVersion set, with this code.
    Object(u16),
    /// The object is gone: 200 with the object as it last was.
    Removed,
    /// The `autoscaling/v1` Scale of the stored object (the scale subresource).
    Scale,
    /// A `Status` of Success with this code (binding, eviction).
    Success(u16),
}

/// A request in the office.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiRequest {
    pub id: u64,
    /// The command that sent it.
    pub cmd: u32,
    /// The API server (teller) handling it: the control-plane node's number.
    pub server: u8,
    pub call: ApiCall,
    pub user: Option<UserInfo>,
    pub steps: Vec<Step>,
    pub stage: Stage,
    pub sent_us: u64,
    pub answered_us: Option<u64>,
    /// The answer, until kubectl has printed it (then only its code is kept).
    pub response: Option<Response>,
    /// The HTTP status code the client received.
    pub code: Option<u16>,
    /// The Status message of an error answer.
    pub message: Option<String>,
    /// The object as the client sent it and as it was stored (the inspector's before/after).
    pub before: Option<Object>,
    pub after: Option<Object>,
    /// The object a write started from (its resourceVersion is the compare of the CAS).
    current: Option<Object>,
    /// A write's precondition: the `mod_revision` it read and must still find.
    pub cas_revision: Option<u64>,
    pub attempts: u8,
    reply: Reply,
}

/// What the desks read: the teller's watch cache and authorizer, the webhooks the teacher added.
pub struct Desks<'a> {
    pub cache: &'a WatchCache,
    pub rbac: &'a RbacStore,
    pub authenticator: &'a Authenticator,
    pub webhooks: &'a [Webhook],
    pub now_us: u64,
    /// The world's deliberate bug, if any (acts only with the `mutants` feature).
    pub mutant: Option<crate::etcd::mutant::Mutant>,
    /// Requests this API server is already working on (API Priority and Fairness seats).
    pub in_flight: usize,
}

/// Seats of API Priority and Fairness: `--max-requests-inflight` (400) plus
/// `--max-mutating-requests-inflight` (200). The lab has one priority level and no queues: a
/// request beyond them is refused at once.
pub const SEATS_MAX: usize = 600;

impl Desks<'_> {
    fn is_mutant(&self, m: crate::etcd::mutant::Mutant) -> bool {
        crate::etcd::mutant::Mutant::ENABLED && self.mutant == Some(m)
    }
}

impl ApiRequest {
    pub fn new(id: u64, cmd: u32, server: u8, call: ApiCall, sent_us: u64) -> ApiRequest {
        let before = call.body.clone();
        ApiRequest {
            id,
            cmd,
            server,
            call,
            user: None,
            steps: Vec::new(),
            stage: Stage::ToServer,
            sent_us,
            answered_us: None,
            response: None,
            code: None,
            message: None,
            before,
            after: None,
            current: None,
            cas_revision: None,
            attempts: 0,
            reply: Reply::Object(200),
        }
    }

    fn step(&mut self, desk: &str, floor: Floor, at_us: u64, outcome: Outcome) {
        self.steps.push(Step { desk: desk.to_string(), floor, at_us, outcome });
    }

    fn reject(&mut self, desk: &str, floor: Floor, at_us: u64, status: Status) -> Next {
        self.step(desk, floor, at_us, Outcome::Rejected(status.clone()));
        self.respond(Response::Status(status))
    }

    fn respond(&mut self, r: Response) -> Next {
        self.response = Some(r);
        self.stage = Stage::ToClient;
        Next::Respond
    }

    /// Whether a stored object passed the checks in order (an API invariant the simulation
    /// checks): authentication, authorization, then every admission step, validation between.
    pub fn passed_checks_in_order(&self) -> bool {
        let pos = |d: &str| self.steps.iter().position(|s| s.desk == d);
        match (pos("authentication"), pos("authorization"), pos("validation")) {
            (Some(a), Some(z), Some(v)) => a < z && z < v,
            _ => false,
        }
    }

    /// The request arrives at its teller: floor 1, then the handler.
    pub fn arrive(&mut self, d: &Desks) -> Next {
        let now = d.now_us;
        // Authentication: the first authenticator that accepts the credential decides.
        let now_s = now / crate::sim::US_PER_S;
        let authed = match d.authenticator.authenticate(&self.call.credential, now_s) {
            Ok(a) => a,
            Err(()) => return self.reject("authentication", Floor::Checks, now, Status::unauthorized()),
        };
        let mut user = authed.user;
        self.step(
            "authentication",
            Floor::Checks,
            now,
            Outcome::Noted(format!("{} ({}) groups={}", user.name, authed.by, user.groups.join(","))),
        );
        // Impersonation: the real user needs `impersonate` on the user and on each group.
        if let Some((target, groups)) = self.call.impersonate.clone() {
            let checks =
                std::iter::once(("users", target.as_str())).chain(groups.iter().map(|g| ("groups", g.as_str())));
            for (res, name) in checks {
                let a = Attributes::resource(&user, "impersonate", "", res).named(name);
                if !rbac::authorize(d.rbac, &a).allowed {
                    let status = Status::forbidden(rbac::forbidden_message(&a, ""));
                    return self.reject("impersonation", Floor::Checks, now, status);
                }
            }
            let gs: Vec<&str> = groups.iter().map(String::as_str).collect();
            user = match target.strip_prefix("system:serviceaccount:").and_then(|r| r.split_once(':')) {
                Some((ns, name)) => UserInfo::service_account(ns, name),
                None => UserInfo::authenticated(&target, &gs),
            };
            self.step("impersonation", Floor::Checks, now, Outcome::Noted(format!("as {}", user.name)));
        }
        // API Priority and Fairness: no free seat → 429 (client-go retries these on its own;
        // the lab's kubectl prints them, so a class can see the desk refuse).
        if d.in_flight >= SEATS_MAX {
            let s = Status::too_many_requests();
            return self.reject("priority and fairness", Floor::Checks, now, s);
        }
        // Authorization: Node (an opinion only on kubelets), then RBAC.
        let attrs = self.call.attributes(&user);
        let decision = node_authorizer::authorize(d.rbac, d.cache, &attrs);
        self.user = Some(user);
        if !decision.allowed && !d.is_mutant(crate::etcd::mutant::Mutant::SkipAuthorization) {
            let status = Status::forbidden(rbac::forbidden_message(&attrs, &decision.reason));
            return self.reject("authorization", Floor::Checks, now, status);
        }
        self.step("authorization", Floor::Checks, now, Outcome::Noted(decision.reason));
        // The router: a subresource the resource does not have is 404, a method it does not
        // serve 405 (after the filters: authentication and authorization come first).
        let c = &self.call;
        if let Err(s) = subresources::route(c.resource, c.subresource, c.verb, &c.name) {
            return self.reject("handler", Floor::Handling, now, s);
        }
        match (self.call.verb, self.call.subresource) {
            (Verb::Get | Verb::List, _) => self.read(d),
            (Verb::Create, "") => self.create(d),
            (Verb::Create, _) => self.create_subresource(d),
            // An update starts from the current object, read from etcd (the handler's
            // GuaranteedUpdate reads the cached object first; the lab reads etcd to keep it simple).
            (Verb::Update | Verb::Patch, _) => {
                self.step("handler", Floor::Handling, now, Outcome::Passed);
                self.read_current(now)
            }
            (Verb::Delete, _) => {
                self.step("handler", Floor::Handling, now, Outcome::Passed);
                self.start_delete(d)
            }
        }
    }

    /// Asks etcd for the object the request works on; the answer goes to [`Self::continue_with`].
    fn read_current(&mut self, now: u64) -> Next {
        self.stage = Stage::Reading;
        self.step("etcd", Floor::Basement, now, Outcome::Waiting);
        Next::Etcd(EtcdOp::Read(KeyRange::Key(self.call.key().into())))
    }

    /// What a read of this call shows of the object: itself, or its Scale.
    fn present(&self, obj: Object) -> Object {
        if self.call.subresource == "scale" {
            subresources::scale_of(&obj)
        } else {
            obj
        }
    }

    fn read(&mut self, d: &Desks) -> Next {
        let now = d.now_us;
        self.step("handler", Floor::Handling, now, Outcome::Passed);
        let from_cache = self.call.resource_version.as_deref().is_some_and(|rv| rv == "0");
        if !from_cache {
            self.stage = Stage::Finishing;
            self.step("etcd", Floor::Basement, now, Outcome::Waiting);
            let range = match self.call.verb {
                Verb::Get => KeyRange::Key(self.call.key().into()),
                _ => {
                    let ns = Some(self.call.namespace.as_str()).filter(|n| !n.is_empty());
                    KeyRange::Prefix(storage::list_prefix(self.call.resource, ns).into())
                }
            };
            return Next::Etcd(EtcdOp::Read(range));
        }
        // resourceVersion=0: served from this teller's watch cache, however stale.
        let note = format!("watch cache at revision {}", d.cache.revision());
        self.step("watch cache", Floor::Handling, now, Outcome::Noted(note));
        let r = self.call.resource;
        match self.call.verb {
            Verb::Get => {
                let key = self.call.key();
                match d.cache.at_key(&key) {
                    Some(o) => {
                        let o = self.present((**o).clone());
                        self.respond(Response::Object { code: 200, object: o })
                    }
                    None => self.respond(Response::Status(Status::not_found(&qualified(r), &self.call.name))),
                }
            }
            _ => {
                let ns = Some(self.call.namespace.as_str()).filter(|n| !n.is_empty());
                let items = d.cache.list_of(r, ns).iter().map(|o| (**o).clone()).collect();
                self.respond(Response::List { resource_version: d.cache.revision(), items })
            }
        }
    }

    /// Admission (mutating), validation, admission (validating) on `obj`; `Err` is the status.
    /// A create whose name is still to be generated gets it between the mutating phase and
    /// validation, as the registry's `BeforeCreate` does after mutating admission.
    fn admit(&mut self, d: &Desks, obj: &mut Option<Object>, old: Option<&Object>) -> Result<(), Status> {
        let Some(op) = self.call.verb.operation() else { return Ok(()) };
        let now = d.now_us;
        let user = self.user.clone().unwrap_or_else(UserInfo::anonymous);
        // Subresource bodies (Binding, Eviction) name the pod in the URL, not in their metadata.
        let named_by_body = op == Operation::Create && self.call.subresource.is_empty();
        let name_of = |obj: &Option<Object>, call: &ApiCall| match obj.as_ref().filter(|_| named_by_body) {
            Some(o) => object::name(o).to_string(),
            None => call.name.clone(),
        };
        let name = name_of(obj, &self.call);
        let namespace = self.call.namespace.clone();
        let req = admission::Request {
            operation: op,
            resource: self.call.resource,
            subresource: self.call.subresource,
            namespace: &namespace,
            name: &name,
            user: &user,
        };
        let (steps, result) = admission::mutate(&req, obj.as_mut(), old, d.cache, d.webhooks);
        self.record_admission(steps, now);
        result?;
        if let Some(o) = obj.as_mut().filter(|o| named_by_body && object::name(o).is_empty()) {
            let base = object::str_at(o, "/metadata/generateName").to_string();
            if !base.is_empty() {
                let material = format!("{}/{}/{}/{}", self.call.resource.name, namespace, base, self.id);
                let generated = bootstrap::generate_name(&base, &material);
                object::metadata_mut(o).insert("name".into(), Value::String(generated.clone()));
                self.call.name = generated;
            }
        }
        let validated = match obj.as_ref().filter(|_| op != Operation::Delete) {
            Some(o) => self.validate(o, old),
            None => Ok(()),
        };
        match validated {
            Ok(()) => self.step("validation", Floor::Checks, now, Outcome::Passed),
            Err(s) => {
                self.step("validation", Floor::Checks, now, Outcome::Rejected(s.clone()));
                return Err(s);
            }
        }
        let name = name_of(obj, &self.call);
        let req = admission::Request { name: &name, ..req };
        let (steps, result) = admission::validate(&req, obj.as_ref(), old, d.cache, d.webhooks);
        self.record_admission(steps, now);
        result
    }

    /// The registry's validation for what the request writes: the object's own (create, update,
    /// and the parent of a Scale), a status update's, or a subresource body's checks.
    fn validate(&self, o: &Object, old: Option<&Object>) -> Result<(), Status> {
        let r = self.call.resource;
        match (self.call.subresource, old) {
            ("status", Some(old)) => validation::validate_status_update(r, o, old),
            ("binding", _) => subresources::validate_binding(o, &self.call.name),
            ("eviction", _) => subresources::validate_eviction(o, &self.call.name),
            _ => validation::validate_object(r, o, old),
        }
    }

    fn record_admission(&mut self, steps: Vec<admission::Step>, now: u64) {
        for s in steps {
            let outcome = match s.outcome {
                admission::Outcome::Passed | admission::Outcome::NotApplicable => Outcome::Passed,
                admission::Outcome::Mutated(what) => Outcome::Mutated(what),
                admission::Outcome::Warned(w) => Outcome::Noted(w.join("\n")),
                admission::Outcome::Rejected(st) => Outcome::Rejected(st),
            };
            self.step(&s.plugin, Floor::Checks, now, outcome);
        }
    }

    fn create(&mut self, d: &Desks) -> Next {
        let now = d.now_us;
        let r = self.call.resource;
        let Some(mut obj) = self.call.body.clone().filter(Value::is_object) else {
            let s = Status::bad_request("the body of the request was empty");
            return self.reject("handler", Floor::Handling, now, s);
        };
        if self.call.name.is_empty() {
            self.call.name = object::name(&obj).to_string();
        }
        let material = format!("{}/{}/{}/{}", r.name, self.call.namespace, self.call.name, self.id);
        defaults::on_create(r, &mut obj, &self.call.namespace, &material, object::unix_s(now));
        let mut slot = Some(obj);
        if let Err(s) = self.admit(d, &mut slot, None) {
            return self.respond(Response::Status(s));
        }
        let obj = slot.expect("create keeps its object");
        self.step("handler", Floor::Handling, now, Outcome::Passed);
        // etcd3 store Create: If(mod_revision(key) = 0) Then(put).
        let key: Rc<str> = self.call.key().into();
        let txn = TxnRequest {
            compares: vec![Compare { key: key.clone(), target: CompareTarget::ModRevision(0), op: CompareOp::Equal }],
            success: vec![TxnOp::Put { key, value: object::for_storage(&obj).into(), lease: 0 }],
            failure: vec![],
        };
        self.after = Some(obj);
        self.stage = Stage::Finishing;
        self.step("etcd", Floor::Basement, now, Outcome::Waiting);
        Next::Etcd(EtcdOp::Txn(Rc::new(txn)))
    }

    /// `POST pods/<name>/binding` and `POST pods/<name>/eviction`: admission on the Binding or
    /// Eviction, then the pod is read and bound, or deleted.
    fn create_subresource(&mut self, d: &Desks) -> Next {
        let now = d.now_us;
        let Some(body) = self.call.body.clone().filter(Value::is_object) else {
            let s = Status::bad_request("the body of the request was empty");
            return self.reject("handler", Floor::Handling, now, s);
        };
        let mut slot = Some(body);
        if let Err(s) = self.admit(d, &mut slot, None) {
            return self.respond(Response::Status(s));
        }
        self.step("handler", Floor::Handling, now, Outcome::Passed);
        self.reply = Reply::Success(201);
        if self.call.subresource == "eviction" {
            // No PodDisruptionBudgets in the lab: nothing can refuse the eviction, which is the
            // pod's deletion with the Eviction's options (eviction.go; the registry skips delete
            // admission here — the Eviction itself was admitted).
            let body = slot.as_ref().expect("admitted");
            self.call.delete = subresources::eviction_options(body, &self.call.delete);
            return self.start_delete(d);
        }
        self.read_current(now)
    }

    /// A delete starts from the teller's cached copy (the registry reads the object first; a
    /// stale copy only costs a retry, since the write compares its revision); with none cached
    /// it reads etcd.
    fn start_delete(&mut self, d: &Desks) -> Next {
        match d.cache.at_key(&self.call.key()) {
            Some(o) => {
                let o = (**o).clone();
                self.delete_from(d, Some(o), true)
            }
            None => self.read_current(d.now_us),
        }
    }

    /// The object the request works on has been read (`None`: it does not exist).
    fn continue_with(&mut self, d: &Desks, current: Option<Object>) -> Next {
        match (self.call.verb, self.call.subresource) {
            (Verb::Update | Verb::Patch, _) => self.update_from(d, current),
            (Verb::Create, "binding") => self.bind_from(d, current),
            (Verb::Delete, _) | (Verb::Create, "eviction") => self.delete_from(d, current, false),
            (verb, sub) => {
                debug_assert!(false, "{verb:?} {sub} never reads first");
                self.respond(Response::Status(Status::internal(format!("{} {sub}: nothing to read", verb.as_str()))))
            }
        }
    }

    /// store.go `Delete`: preconditions, then remove, mark or leave the object (see `deletion`).
    /// `cached`: `current` is the teller's copy, good enough to start a compare-and-swap but not
    /// to answer without writing — those answers are given from etcd's copy.
    fn delete_from(&mut self, d: &Desks, current: Option<Object>, cached: bool) -> Next {
        let now = d.now_us;
        let r = self.call.resource;
        let Some(current) = current else {
            return self.respond(Response::Status(Status::not_found(&qualified(r), &self.call.name)));
        };
        // rest.BeforeDelete checks the preconditions first; its Conflict names the kind.
        if let Some(uid) = self.call.delete.uid.clone() {
            let have = object::str_at(&current, "/metadata/uid");
            if uid != have && cached {
                return self.read_current(now);
            }
            if uid != have {
                let kind = if r.group.is_empty() { r.kind.to_string() } else { format!("{}.{}", r.kind, r.group) };
                let why = format!(
                    "the UID in the precondition ({uid}) does not match the UID in record ({have}). The object might have been deleted and then recreated"
                );
                return self.respond(Response::Status(Status::conflict_because(&kind, &self.call.name, &why)));
            }
        }
        let plan = deletion::plan(r, &current, &self.call.delete, object::unix_s(now));
        let eviction = self.call.subresource == "eviction";
        if plan == deletion::Plan::Unchanged && cached {
            return self.read_current(now);
        }
        if plan == deletion::Plan::Unchanged {
            // A graceful deletion already under way: answered without admission or a write.
            self.step("handler", Floor::Handling, now, Outcome::Noted("already being deleted".into()));
            let r = if eviction {
                Response::Object { code: 201, object: subresources::success(201) }
            } else {
                Response::Object { code: 200, object: current }
            };
            return self.respond(r);
        }
        if !eviction {
            let mut none = None;
            if let Err(s) = self.admit(d, &mut none, Some(&current)) {
                return self.respond(Response::Status(s));
            }
        }
        let rv = object::resource_version(&current);
        let key: Rc<str> = self.call.key().into();
        self.current = Some(current);
        match plan {
            deletion::Plan::Mark(obj) => {
                let what = match deletion::deletion_grace_s(&obj) {
                    Some(g) if g > 0 => format!("marked: deletionTimestamp set, {g}s to terminate"),
                    _ => format!("marked: waits for finalizers {:?}", deletion::finalizers(&obj)),
                };
                self.step("handler", Floor::Handling, now, Outcome::Noted(what));
                if !eviction {
                    self.reply = Reply::Object(200);
                }
                let op = TxnOp::Put { key, value: object::for_storage(&obj).into(), lease: 0 };
                self.after = Some(obj);
                self.cas(d, rv, op, false)
            }
            _ => {
                if !eviction {
                    self.reply = Reply::Removed;
                }
                self.after = None;
                self.cas(d, rv, TxnOp::Delete(KeyRange::Key(key)), false)
            }
        }
    }

    /// BindingREST: bind the pod read from etcd, or answer why not.
    fn bind_from(&mut self, d: &Desks, current: Option<Object>) -> Next {
        let Some(pod) = current else {
            return self.respond(Response::Status(Status::not_found("pods", &self.call.name)));
        };
        let binding = self.call.body.clone().unwrap_or(Value::Null);
        let key = self.call.key();
        match subresources::bind(&pod, &binding, &key, object::unix_s(d.now_us)) {
            Err(s) => self.respond(Response::Status(s)),
            Ok(new) => {
                let rv = object::resource_version(&pod);
                let op = TxnOp::Put { key: key.into(), value: object::for_storage(&new).into(), lease: 0 };
                self.current = Some(pod);
                self.after = Some(new);
                self.cas(d, rv, op, false)
            }
        }
    }

    /// A compare-and-swap on the key: If(mod_revision = `rv`) Then(`op`) Else(get), so a lost
    /// race comes back with the newer object (etcd3 store `GuaranteedUpdate`, `conditionalDelete`).
    fn cas(&mut self, d: &Desks, rv: u64, op: TxnOp, is_update: bool) -> Next {
        let key: Rc<str> = self.call.key().into();
        let precondition = Compare { key: key.clone(), target: CompareTarget::ModRevision(rv), op: CompareOp::Equal };
        let compares = if is_update && d.is_mutant(crate::etcd::mutant::Mutant::UpdateWithoutPrecondition) {
            vec![]
        } else {
            vec![precondition]
        };
        self.cas_revision = Some(rv);
        let txn = TxnRequest { compares, success: vec![op], failure: vec![TxnOp::Get(KeyRange::Key(key))] };
        self.stage = Stage::Finishing;
        self.step("etcd", Floor::Basement, d.now_us, Outcome::Waiting);
        Next::Etcd(EtcdOp::Txn(Rc::new(txn)))
    }

    /// etcd answered (or failed: `Err` is etcd's error text, e.g. `etcdserver: request timed out`).
    pub fn etcd_answered(&mut self, d: &Desks, answer: Result<EtcdAnswer, String>) -> Next {
        let now = d.now_us;
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                // kube-apiserver passes etcd's error on as a 500 without a reason
                // (`ErrorToAPIStatus`); kubectl prints `Error from server: <message>`.
                let s = Status::internal(e);
                return self.reject("etcd", Floor::Basement, now, s);
            }
        };
        self.step("etcd", Floor::Basement, now, Outcome::Noted(format!("revision {}", answer.revision)));
        let r = self.call.resource;
        let q = qualified(r);
        let first = |a: &EtcdAnswer| a.kvs.first().and_then(|kv| object::from_storage(&kv.value, kv.mod_revision));
        match (self.stage, self.call.verb) {
            (Stage::Reading, _) => {
                let current = first(&answer);
                self.continue_with(d, current)
            }
            (_, Verb::Get) => match first(&answer) {
                Some(o) => {
                    let o = self.present(o);
                    self.respond(Response::Object { code: 200, object: o })
                }
                None => self.respond(Response::Status(Status::not_found(&q, &self.call.name))),
            },
            (_, Verb::List) => {
                let items = answer
                    .kvs
                    .iter()
                    .filter(|kv| storage::resource_of_key(&kv.key).is_some_and(|x| x.name == r.name))
                    .filter_map(|kv| object::from_storage(&kv.value, kv.mod_revision))
                    .collect();
                self.respond(Response::List { resource_version: answer.revision, items })
            }
            (_, Verb::Create) if self.call.subresource.is_empty() => {
                if !answer.succeeded {
                    // A name drawn from generateName that is taken: NewGenerateNameConflict.
                    let generated =
                        self.after.as_ref().is_some_and(|o| !object::str_at(o, "/metadata/generateName").is_empty());
                    let s = if generated {
                        Status::generate_name_conflict(&q, &self.call.name)
                    } else {
                        Status::already_exists(&q, &self.call.name)
                    };
                    return self.respond(Response::Status(s));
                }
                let mut obj = self.after.clone().unwrap_or(Value::Null);
                object::set_resource_version(&mut obj, answer.revision);
                self.after = Some(obj.clone());
                self.respond(Response::Object { code: 201, object: obj })
            }
            _ => {
                if answer.succeeded {
                    return self.finish_write(answer.revision);
                }
                // Someone wrote in between: start over from the object etcd returned (a
                // client-chosen resourceVersion then fails as a conflict).
                self.attempts += 1;
                if self.attempts >= UPDATE_ATTEMPTS_MAX {
                    return self.respond(Response::Status(Status::conflict(&q, &self.call.name)));
                }
                let current = first(&answer);
                self.continue_with(d, current)
            }
        }
    }

    /// The compare-and-swap held: answer as the request's kind of write does.
    fn finish_write(&mut self, revision: u64) -> Next {
        if let Some(o) = self.after.as_mut() {
            object::set_resource_version(o, revision);
        }
        let after = self.after.clone().unwrap_or(Value::Null);
        match self.reply {
            Reply::Object(code) => self.respond(Response::Object { code, object: after }),
            Reply::Scale => self.respond(Response::Object { code: 200, object: subresources::scale_of(&after) }),
            Reply::Success(code) => self.respond(Response::Object { code, object: subresources::success(code) }),
            Reply::Removed => {
                let gone = self.current.clone().unwrap_or(Value::Null);
                self.respond(Response::Deleted(gone))
            }
        }
    }

    /// Builds the updated object from the current one, runs admission, and sends the CAS.
    fn update_from(&mut self, d: &Desks, current: Option<Object>) -> Next {
        let now = d.now_us;
        let r = self.call.resource;
        let q = qualified(r);
        let Some(current) = current else {
            return self.respond(Response::Status(Status::not_found(&q, &self.call.name)));
        };
        let current_rv = object::resource_version(&current);
        // The body as the request means it: the object (update) or the current one patched.
        let (sent, patched) = match (self.call.verb, self.call.body.clone()) {
            (Verb::Patch, Some(patch)) => {
                let mut o =
                    if self.call.subresource == "scale" { subresources::scale_of(&current) } else { current.clone() };
                merge_patch(&mut o, &patch);
                (o, true)
            }
            (Verb::Update, Some(body)) => (body, false),
            _ => {
                let s = Status::bad_request("the body of the request was empty");
                return self.reject("handler", Floor::Handling, now, s);
            }
        };
        // A resourceVersion the client sent is a precondition (optimistic concurrency).
        let wanted = if patched { 0 } else { object::resource_version(&sent) };
        if wanted != 0 && wanted != current_rv {
            return self.respond(Response::Status(Status::conflict(&q, &self.call.name)));
        }
        let mut new = match self.call.subresource {
            "status" => subresources::status_update(r, &current, sent),
            "scale" => match subresources::apply_scale(r, &current, &sent) {
                Ok(o) => o,
                Err(s) => return self.respond(Response::Status(s)),
            },
            _ => subresources::main_update(r, &current, sent),
        };
        // rest.BeforeUpdate: fields the client may not change on update (uid, creation time,
        // deletion marks).
        for k in ["uid", "creationTimestamp"] {
            if let Some(v) = current.pointer(&format!("/metadata/{k}")) {
                object::metadata_mut(&mut new).insert(k.into(), v.clone());
            }
        }
        deletion::keep_deletion_marks(&mut new, &current);
        if new.pointer("/spec") != current.pointer("/spec") {
            if let Some(g) = current.pointer("/metadata/generation").and_then(Value::as_u64) {
                object::metadata_mut(&mut new).insert("generation".into(), Value::from(g + 1));
            }
        }
        let mut slot = Some(new);
        if let Err(s) = self.admit(d, &mut slot, Some(&current)) {
            return self.respond(Response::Status(s));
        }
        let new = slot.expect("update keeps its object");
        if self.call.subresource == "scale" {
            self.reply = Reply::Scale;
        }
        let key: Rc<str> = self.call.key().into();
        // An update that empties the finalizers of an object being deleted removes it.
        let op = if deletion::should_delete_during_update(&new, &current) {
            self.step("handler", Floor::Handling, now, Outcome::Noted("no finalizers left: deleted".into()));
            TxnOp::Delete(KeyRange::Key(key))
        } else {
            TxnOp::Put { key, value: object::for_storage(&new).into(), lease: 0 }
        };
        self.current = Some(current);
        self.after = Some(new);
        self.cas(d, current_rv, op, true)
    }
}

/// `pods`, `deployments.apps`: how Status messages name a resource.
pub fn qualified(r: &ApiResource) -> String {
    if r.group.is_empty() {
        r.name.to_string()
    } else {
        format!("{}.{}", r.name, r.group)
    }
}

/// RFC 7386 JSON merge patch (what `kubectl patch --type merge` and `kubectl label` send).
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let t = target.as_object_mut().expect("made a map above");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 7386 §3's example.
    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
    }

    #[test]
    fn paths_are_the_rest_paths() {
        let call = |res: &str, ns: &str, name: &str| ApiCall {
            verb: Verb::Get,
            resource: crate::k8s::resources::resolve(res).expect("known"),
            namespace: ns.into(),
            name: name.into(),
            body: None,
            resource_version: None,
            credential: Credential::None,
            impersonate: None,
            subresource: "",
            delete: Default::default(),
        };
        assert_eq!(call("pods", "default", "x").path(), "/api/v1/namespaces/default/pods/x");
        assert_eq!(call("pods", "", "").path(), "/api/v1/pods");
        assert_eq!(call("deploy", "dev", "").path(), "/apis/apps/v1/namespaces/dev/deployments");
        assert_eq!(call("nodes", "", "n1").path(), "/api/v1/nodes/n1");
        let status = ApiCall { subresource: "status", ..call("pods", "ns", "x") };
        assert_eq!(status.path(), "/api/v1/namespaces/ns/pods/x/status");
        let scale = ApiCall { subresource: "scale", ..call("deploy", "dev", "web") };
        assert_eq!(scale.path(), "/apis/apps/v1/namespaces/dev/deployments/web/scale");
    }

    /// The authorizer sees the subresource, and the pod's name for `POST pods/x/binding` (the
    /// URL names the pod) but no name for a plain create (the URL is the collection).
    #[test]
    fn authorization_attributes_follow_the_url() {
        let pods = crate::k8s::resources::resolve("pods").expect("pods");
        let u = UserInfo::authenticated("system:kube-scheduler", &[]);
        let mut c = ApiCall::new(Verb::Create, pods, "default", "x", Credential::None);
        assert_eq!(c.attributes(&u).name, None);
        c.subresource = "binding";
        let a = c.attributes(&u);
        assert_eq!(
            (a.name.as_deref(), a.subresource.as_str(), a.namespace.as_deref()),
            (Some("x"), "binding", Some("default"))
        );
        let nodes = crate::k8s::resources::resolve("nodes").expect("nodes");
        let n = ApiCall::new(Verb::Patch, nodes, "default", "w", Credential::None);
        assert_eq!((n.namespace.as_str(), n.attributes(&u).namespace), ("", None));
    }
}
