//! One request's walk through the office, as a state machine the world drives: it arrives at a
//! teller (floor 1: authentication, authorization, admission with validation between the
//! mutating and validating plugins), is handled (floor 2) and reaches etcd (the basement), whose
//! answer finishes it. Each desk leaves a [`Step`] in the request's trace, which the request
//! inspector and the office drawing show. Order and messages: fact sheet §3 (KK
//! `staging/src/k8s.io/apiserver/pkg/server/config.go` `DefaultBuildHandlerChain`;
//! `staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go` for the etcd transactions).

use std::rc::Rc;

use serde_json::Value;

use super::admission::{self, Operation, Webhook};
use super::cache::WatchCache;
use super::object::{self, Object};
use super::{defaults, validation};
use crate::etcd::mvcc::{
    Compare, CompareOp, CompareTarget, KeyRange, KeyValue, TxnOp, TxnRequest, TxnResponse, TxnResult,
};
use crate::k8s::authn::{Authenticator, Credential};
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
    /// The URL path kubectl would request (`/api/v1/namespaces/default/pods/x`).
    pub fn path(&self) -> String {
        let r = self.resource;
        let base = if r.group.is_empty() { "/api/v1".to_string() } else { format!("/apis/{}/v1", r.group) };
        let ns = if r.namespaced && !self.namespace.is_empty() {
            format!("/namespaces/{}", self.namespace)
        } else {
            String::new()
        };
        let name = if self.name.is_empty() { String::new() } else { format!("/{}", self.name) };
        format!("{base}{ns}/{}{name}", r.name)
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
    /// Waiting for etcd to read the current object (an update's first step).
    Reading,
    /// Waiting for etcd to answer a read or a transaction that finishes the request.
    Finishing,
    /// On the wire back to kubectl.
    ToClient,
    Done,
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
    /// The object an update started from (its resourceVersion is the compare of the CAS).
    current: Option<Object>,
    /// An update's precondition: the `mod_revision` it read and must still find.
    pub cas_revision: Option<u64>,
    pub attempts: u8,
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
        // Authorization: Node (no opinion for users who are not kubelets), then RBAC.
        let call = &self.call;
        let mut attrs = Attributes::resource(&user, call.verb.as_str(), call.resource.group, call.resource.name);
        if call.resource.namespaced && !call.namespace.is_empty() {
            attrs = attrs.in_namespace(&call.namespace);
        }
        if !call.name.is_empty() && call.verb != Verb::Create {
            attrs = attrs.named(&call.name);
        }
        let decision = rbac::authorize(d.rbac, &attrs);
        self.user = Some(user);
        if !decision.allowed && !d.is_mutant(crate::etcd::mutant::Mutant::SkipAuthorization) {
            let status = Status::forbidden(rbac::forbidden_message(&attrs, &decision.reason));
            return self.reject("authorization", Floor::Checks, now, status);
        }
        self.step("authorization", Floor::Checks, now, Outcome::Noted(decision.reason));
        match self.call.verb {
            Verb::Get | Verb::List => self.read(d),
            Verb::Create => self.create(d),
            // An update starts from the current object, read from etcd (the handler's
            // GuaranteedUpdate reads the cached object first; the lab reads etcd to keep it simple).
            Verb::Update | Verb::Patch => {
                self.step("handler", Floor::Handling, now, Outcome::Passed);
                self.stage = Stage::Reading;
                self.step("etcd", Floor::Basement, now, Outcome::Waiting);
                Next::Etcd(EtcdOp::Read(KeyRange::Key(self.call.key().into())))
            }
            Verb::Delete => self.delete(d),
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
                    Some(o) => self.respond(Response::Object { code: 200, object: (**o).clone() }),
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
    fn admit(&mut self, d: &Desks, obj: &mut Option<Object>, old: Option<&Object>) -> Result<(), Status> {
        let Some(op) = self.call.verb.operation() else { return Ok(()) };
        let now = d.now_us;
        let user = self.user.clone().unwrap_or_else(UserInfo::anonymous);
        let name = obj.as_ref().map_or(self.call.name.clone(), |o| object::name(o).to_string());
        let namespace = self.call.namespace.clone();
        let req = admission::Request {
            operation: op,
            resource: self.call.resource,
            subresource: "",
            namespace: &namespace,
            name: &name,
            user: &user,
        };
        let (steps, result) = admission::mutate(&req, obj.as_mut(), old, d.cache, d.webhooks);
        self.record_admission(steps, now);
        result?;
        if let Some(o) = obj.as_ref().filter(|_| op != Operation::Delete) {
            match validation::validate_object(self.call.resource, o, old) {
                Ok(()) => self.step("validation", Floor::Checks, now, Outcome::Passed),
                Err(s) => {
                    self.step("validation", Floor::Checks, now, Outcome::Rejected(s.clone()));
                    return Err(s);
                }
            }
        } else {
            self.step("validation", Floor::Checks, now, Outcome::Passed);
        }
        let (steps, result) = admission::validate(&req, obj.as_ref(), old, d.cache, d.webhooks);
        self.record_admission(steps, now);
        result
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

    fn delete(&mut self, d: &Desks) -> Next {
        let now = d.now_us;
        let current = d.cache.at_key(&self.call.key()).map(|o| (**o).clone());
        let mut none = None;
        if let Err(s) = self.admit(d, &mut none, current.as_ref()) {
            return self.respond(Response::Status(s));
        }
        self.step("handler", Floor::Handling, now, Outcome::Passed);
        // If the key exists: read it and delete it, in one revision.
        let key: Rc<str> = self.call.key().into();
        let txn = TxnRequest {
            compares: vec![Compare {
                key: key.clone(),
                target: CompareTarget::CreateRevision(0),
                op: CompareOp::Greater,
            }],
            success: vec![TxnOp::Get(KeyRange::Key(key.clone())), TxnOp::Delete(KeyRange::Key(key))],
            failure: vec![],
        };
        self.stage = Stage::Finishing;
        self.step("etcd", Floor::Basement, now, Outcome::Waiting);
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
        match (self.stage, self.call.verb) {
            (Stage::Reading, _) => self.update_from(d, answer),
            (_, Verb::Get) => {
                match answer.kvs.first().and_then(|kv| object::from_storage(&kv.value, kv.mod_revision)) {
                    Some(o) => self.respond(Response::Object { code: 200, object: o }),
                    None => self.respond(Response::Status(Status::not_found(&q, &self.call.name))),
                }
            }
            (_, Verb::List) => {
                let items = answer
                    .kvs
                    .iter()
                    .filter(|kv| storage::resource_of_key(&kv.key).is_some_and(|x| x.name == r.name))
                    .filter_map(|kv| object::from_storage(&kv.value, kv.mod_revision))
                    .collect();
                self.respond(Response::List { resource_version: answer.revision, items })
            }
            (_, Verb::Create) => {
                if !answer.succeeded {
                    return self.respond(Response::Status(Status::already_exists(&q, &self.call.name)));
                }
                let mut obj = self.after.clone().unwrap_or(Value::Null);
                object::set_resource_version(&mut obj, answer.revision);
                self.after = Some(obj.clone());
                self.respond(Response::Object { code: 201, object: obj })
            }
            (_, Verb::Update | Verb::Patch) => {
                if answer.succeeded {
                    let mut obj = self.after.clone().unwrap_or(Value::Null);
                    object::set_resource_version(&mut obj, answer.revision);
                    self.after = Some(obj.clone());
                    return self.respond(Response::Object { code: 200, object: obj });
                }
                // Someone wrote in between: a client-chosen resourceVersion is a conflict; else
                // start over from the object etcd returned.
                let pinned = self.call.verb == Verb::Update
                    && self.call.body.as_ref().is_some_and(|b| object::resource_version(b) != 0);
                self.attempts += 1;
                if pinned || self.attempts >= UPDATE_ATTEMPTS_MAX {
                    return self.respond(Response::Status(Status::conflict(&q, &self.call.name)));
                }
                self.update_from(d, answer)
            }
            (_, Verb::Delete) => {
                match answer.kvs.first().and_then(|kv| object::from_storage(&kv.value, kv.mod_revision)) {
                    Some(o) if answer.succeeded => self.respond(Response::Deleted(o)),
                    _ => self.respond(Response::Status(Status::not_found(&q, &self.call.name))),
                }
            }
        }
    }

    /// Builds the updated object from the current one, runs admission, and sends the CAS.
    fn update_from(&mut self, d: &Desks, answer: EtcdAnswer) -> Next {
        let now = d.now_us;
        let q = qualified(self.call.resource);
        let Some(current) = answer.kvs.first().and_then(|kv| object::from_storage(&kv.value, kv.mod_revision)) else {
            return self.respond(Response::Status(Status::not_found(&q, &self.call.name)));
        };
        let current_rv = object::resource_version(&current);
        let mut new = match (self.call.verb, self.call.body.clone()) {
            (Verb::Patch, Some(patch)) => {
                let mut o = current.clone();
                merge_patch(&mut o, &patch);
                o
            }
            (Verb::Update, Some(body)) => {
                let wanted = object::resource_version(&body);
                if wanted != 0 && wanted != current_rv {
                    return self.respond(Response::Status(Status::conflict(&q, &self.call.name)));
                }
                let mut o = body;
                // Fields the client may not change on update (ObjectMeta's `uid`, creation time).
                for k in ["uid", "creationTimestamp"] {
                    if let Some(v) = current.pointer(&format!("/metadata/{k}")) {
                        object::metadata_mut(&mut o).insert(k.into(), v.clone());
                    }
                }
                o
            }
            _ => {
                let s = Status::bad_request("the body of the request was empty");
                return self.reject("handler", Floor::Handling, now, s);
            }
        };
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
        let key: Rc<str> = self.call.key().into();
        // etcd3 store GuaranteedUpdate: If(mod_revision(key) = the version read) Then(put)
        // Else(get), so a lost race comes back with the newer object.
        let precondition =
            Compare { key: key.clone(), target: CompareTarget::ModRevision(current_rv), op: CompareOp::Equal };
        let compares = if d.is_mutant(crate::etcd::mutant::Mutant::UpdateWithoutPrecondition) {
            vec![]
        } else {
            vec![precondition]
        };
        self.cas_revision = Some(current_rv);
        let txn = TxnRequest {
            compares,
            success: vec![TxnOp::Put { key: key.clone(), value: object::for_storage(&new).into(), lease: 0 }],
            failure: vec![TxnOp::Get(KeyRange::Key(key))],
        };
        self.current = Some(current);
        self.after = Some(new);
        self.stage = Stage::Finishing;
        self.step("etcd", Floor::Basement, now, Outcome::Waiting);
        Next::Etcd(EtcdOp::Txn(Rc::new(txn)))
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
    }
}
