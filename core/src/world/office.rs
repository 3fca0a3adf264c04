//! The world's side of the office: the API servers (tellers) on the control-plane nodes, kind's
//! load balancer in front of them, and the wiring between a request's state machine
//! (`apiserver::handler`) and the simulated network and etcd. DESIGN.md "The simulated cluster".

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use super::{Event, LineKind, World};
use crate::apiserver::admission::Webhook;
use crate::apiserver::cache::WatchCache;
use crate::apiserver::handler::{self, ApiCall, ApiRequest, Desks, EtcdAnswer, EtcdOp, Next, Response, Stage, Verb};
use crate::apiserver::{bootstrap, printers, rbac_objects};
use crate::etcd::client::{ClientOp, GetFormat, GetQuery};
use crate::etcd::message::MemberId;
use crate::etcd::mvcc::MvccStore;
use crate::i18n::Text;
use crate::k8s::authn::{self, Credential};
use crate::k8s::kubeconfig::{self, CONTEXTS};
use crate::k8s::rbac::RbacStore;
use crate::shell::kubectl_objects::{KubeCmd, Output, Print};
use crate::sim::network::Endpoint;
use crate::sim::US_PER_S;

/// etcd's request timeout (`ReqTimeout`: 5 s + 2 × the 1 s election timeout): a proposal not
/// committed, or a read not confirmed, by then fails with `etcdserver: request timed out`.
pub const ETCD_REQUEST_TIMEOUT_US: u64 = 7 * US_PER_S;
/// Finished requests kept for the request inspector (older ones are dropped).
pub const API_REQUESTS_KEPT: usize = 200;
/// Worker nodes of the default cluster (DESIGN.md: 0 to 5, default 2).
pub const WORKERS_DEFAULT: u8 = 2;
/// The `cmd` of requests no command sent (the controllers'): nothing is printed for them.
pub const INTERNAL_CMD: u32 = u32::MAX;
/// The node whose kube-controller-manager holds the leader Lease in a fresh kind cluster (its
/// controllers talk to the API server on their own node).
const CONTROLLER_MANAGER_NODE: MemberId = 1;
/// kube-apiserver's `--request-timeout` default.
pub const API_REQUEST_TIMEOUT_US: u64 = 60 * US_PER_S;
/// The most a teller can be slowed down (`lab apiserver slow`).
pub const TELLER_SLOW_US_MAX: u64 = 60 * US_PER_S;

/// Watches clients may hold at once (`kubectl get -w`, `?watch=1`).
pub const API_WATCHES_MAX: usize = 8;
/// Answers of [`World::api_call`] requests kept until taken (the oldest are dropped beyond).
pub const API_ANSWERS_KEPT: usize = 1000;

/// A watch a client holds on a teller (`kubectl get -w`, `?watch=1`), served from its watch
/// cache as kube-apiserver's cacher serves watches.
#[derive(Clone, Debug)]
pub struct ApiWatch {
    pub cmd: u32,
    pub server: MemberId,
    pub resource: &'static crate::k8s::resources::ApiResource,
    /// `""`: every namespace.
    pub namespace: String,
    /// The last resourceVersion delivered (the watch continues after it).
    pub rv: u64,
    /// `?watch=1` prints JSON events; `kubectl get -w` prints table rows.
    json: bool,
    opts: printers::GetOptions,
    /// kubectl keeps one tab writer for the whole stream, so columns stay put.
    tw: printers::TabWriter,
    /// The list was empty: the first row printed brings the column headers.
    header_pending: bool,
    /// `kubectl rollout status`: the one Deployment watched, and the `--revision` wanted.
    rollout: Option<(String, i64)>,
}

/// A watch event on the wire: `{"type":"ADDED","object":{…}}` (type first, as the API writes it).
fn watch_event_json(kind: &str, obj: &crate::apiserver::Object) -> String {
    format!("{{\"type\":\"{kind}\",\"object\":{obj}}}")
}

/// One API server: kube-apiserver on a control-plane node, with its own watch cache.
#[derive(Clone, Debug)]
pub struct Teller {
    /// The control-plane node (= its etcd member's number).
    pub node: MemberId,
    pub up: bool,
    pub cache: WatchCache,
    /// The RBAC authorizer's view, rebuilt from the cache when an RBAC object changes.
    rbac: RbacStore,
    /// Extra time this teller takes per request (the class's question: who suffers when the
    /// API server is slow?).
    pub slow_us: u64,
    pub handled: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Office {
    pub tellers: Vec<Teller>,
    /// Requests in flight and the last finished ones, by number.
    requests: BTreeMap<u64, ApiRequest>,
    next_request: u64,
    /// kind's load balancer (haproxy) hands requests to the tellers in turn.
    lb_next: usize,
    /// etcd request → the API request waiting for it.
    etcd_of: BTreeMap<u64, u64>,
    /// How each request's answer is printed (by API request).
    prints: BTreeMap<u64, KubeCmd>,
    pub webhooks: Vec<Webhook>,
    /// Responses by HTTP status code.
    pub responses_by_code: BTreeMap<u16, u64>,
    /// API invariants broken (always empty unless the lab has a bug): a stored object that did
    /// not pass the checks in order.
    pub violations: Vec<String>,
    /// Requests the controllers sent and still wait for: request → (resource, namespace).
    robot_requests: BTreeMap<u64, (&'static str, String)>,
    /// The cache revision the controllers last looked at.
    robots_seen_revision: u64,
    /// Running watches, oldest first.
    pub watches: Vec<ApiWatch>,
    /// `kubectl proxy` processes: port → the kubeconfig context they were started with.
    pub proxies: BTreeMap<u16, usize>,
    /// Requests sent through [`World::api_call`] → their answer once done (until taken).
    answers: BTreeMap<u64, Option<Response>>,
}

impl Office {
    /// Requests in flight and recently finished, oldest first.
    pub fn requests(&self) -> impl Iterator<Item = &ApiRequest> {
        self.requests.values()
    }

    fn hash_into(&self, h: &mut impl Hasher) {
        for t in &self.tellers {
            (t.node, t.up, t.cache.revision(), t.slow_us, t.handled).hash(h);
        }
        for r in self.requests.values() {
            (r.id, r.cmd, r.server, r.stage as u8, r.sent_us, r.answered_us, r.steps.len()).hash(h);
            r.response.as_ref().map(Response::code).hash(h);
            r.code.hash(h);
        }
        (self.next_request, self.lb_next, self.robots_seen_revision).hash(h);
        self.robot_requests.hash(h);
        for w in &self.watches {
            (w.cmd, w.server, w.rv).hash(h);
        }
        self.proxies.hash(h);
        for (id, a) in &self.answers {
            (id, a.as_ref().map(Response::code)).hash(h);
        }
        self.etcd_of.hash(h);
        self.responses_by_code.hash(h);
        self.webhooks.len().hash(h);
    }
}

impl World {
    /// A cluster as kind creates it: `members` control-plane nodes with stacked etcd and an API
    /// server each, two workers, and the objects a fresh kind v1.27.3 cluster holds.
    pub fn with_kubernetes(seed: u64, members: u8) -> World {
        World::with_kubernetes_config(seed, members, crate::etcd::raft::RaftConfig::default())
    }

    /// [`World::with_kubernetes`] with a Raft configuration (`lab check` sets mutants here).
    pub fn with_kubernetes_config(seed: u64, members: u8, config: crate::etcd::raft::RaftConfig) -> World {
        let mut w = World::with_config(seed, members, config);
        let mut genesis = MvccStore::new();
        for (key, value) in bootstrap::etcd_entries(members, WORKERS_DEFAULT) {
            genesis.put(key.into(), value.into(), 0);
        }
        for m in &mut w.members {
            m.store = genesis.clone();
        }
        let tellers = (1..=members)
            .map(|node| {
                let mut cache = WatchCache::default();
                cache.relist(&genesis);
                let rbac = rbac_objects::rbac_store_from(&cache);
                cache.rbac_changed = false;
                Teller { node, up: true, cache, rbac, slow_us: 0, handled: 0 }
            })
            .collect();
        w.genesis = Some(Rc::new(genesis));
        w.office = Some(Office { tellers, next_request: 1, ..Office::default() });
        // kind's cluster has run for minutes before the class: etcd has a leader that has
        // committed an entry of its term. Elect it now (a second or two of simulated time),
        // so the first kubectl finds the cluster as a student's would.
        while !w.leader().is_some_and(|l| {
            let n = &w.members[(l - 1) as usize].node;
            n.log.committed == n.log.last_index() && n.log.last_index() > 0
        }) {
            if !w.step_event() || w.now_us >= 30 * US_PER_S {
                break;
            }
        }
        // The controller-managers, schedulers and kubelets have been running against that etcd
        // (started before it served, their first requests would wait out etcd's 7 s timeout
        // and a standby would learn of the leader's Lease late).
        w.start_factory(members, WORKERS_DEFAULT);
        w
    }

    pub fn office(&self) -> Option<&Office> {
        self.office.as_ref()
    }

    pub(super) fn hash_office(&self, h: &mut impl Hasher) {
        if let Some(o) = &self.office {
            o.hash_into(h);
        }
    }

    /// The watch cache of the first teller that is up (what a SelfSubjectAccessReview or a
    /// TokenRequest would be answered from).
    pub(super) fn office_cache(&self) -> Option<&WatchCache> {
        self.office.as_ref()?.tellers.iter().find(|t| t.up).map(|t| &t.cache)
    }

    /// The RBAC policy the API servers enforce: what etcd holds (as a teller's cache sees it),
    /// or, in an etcd-only world, the lab's fixed default policy.
    pub fn rbac_policy(&self) -> RbacStore {
        match self.office.as_ref().and_then(|o| o.tellers.iter().find(|t| t.up)) {
            Some(t) => t.rbac.clone(),
            None => kubeconfig::lab_policy(),
        }
    }

    pub(super) fn api_owns(&self, etcd_request: u64) -> bool {
        self.office.as_ref().is_some_and(|o| o.etcd_of.contains_key(&etcd_request))
    }

    /// Lets each teller's watch cache take in what its etcd member applied.
    pub(super) fn pump_office(&mut self) {
        let Some(office) = &mut self.office else { return };
        for t in &mut office.tellers {
            let m = &self.members[(t.node - 1) as usize];
            if !t.up || !m.up || m.store.revision() == t.cache.revision() {
                continue;
            }
            t.cache.catch_up(&m.store);
            if t.cache.rbac_changed {
                t.rbac = rbac_objects::rbac_store_from(&t.cache);
                t.cache.rbac_changed = false;
            }
        }
        self.run_namespace_robots();
        self.pump_api_watches();
    }

    /// Hands every watch the changes its teller's cache took in since the last pump.
    fn pump_api_watches(&mut self) {
        let Some(office) = &mut self.office else { return };
        if office.watches.is_empty() {
            return;
        }
        let now_unix_s = crate::apiserver::object::unix_s(self.now_us);
        let mut out: Vec<(u32, LineKind, Text)> = Vec::new();
        // Watches that ended, and whether their command failed (a `get -w` has finished
        // already; a `rollout status` finishes here).
        let mut ended: Vec<(u32, bool)> = Vec::new();
        let tellers = &office.tellers;
        office.watches.retain_mut(|w| {
            let t = &tellers[(w.server - 1) as usize];
            if !t.up {
                ended.push((w.cmd, true));
                out.push((
                    w.cmd,
                    LineKind::Stderr,
                    Text::new(
                        format!("lab: apiserver-{}이(가) 멈춰 watch가 끊겼습니다", w.server),
                        format!("lab: the watch ended: apiserver-{} went down", w.server),
                    ),
                ));
                return false;
            }
            if t.cache.revision() <= w.rv {
                return true;
            }
            let changes = match t.cache.changes_after(w.rv) {
                Ok(c) => c,
                Err(oldest) => {
                    let s = crate::k8s::status::Status::expired(w.rv, oldest);
                    let line = if w.json {
                        // The watch's last event: ERROR with the 410 Status (api-concepts.md).
                        let status = format!(
                            "{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{{}},\"status\":\"Failure\",\"message\":{},\"reason\":\"{}\",\"code\":{}}}",
                            serde_json::Value::String(s.message.clone()),
                            s.reason,
                            s.code
                        );
                        (LineKind::Stdout, format!("{{\"type\":\"ERROR\",\"object\":{status}}}"))
                    } else {
                        (LineKind::Stderr, s.kubectl_line())
                    };
                    out.push((w.cmd, line.0, Text::same(line.1)));
                    ended.push((w.cmd, true));
                    return false;
                }
            };
            if let Some((name, revision)) = &w.rollout {
                for c in changes {
                    let obj = &*c.object;
                    let ns = crate::apiserver::object::namespace(obj);
                    if c.resource.name != w.resource.name || ns != w.namespace || crate::apiserver::object::name(obj) != name
                    {
                        continue;
                    }
                    // rollout_status.go: Added/Modified print the status; Deleted ends the wait.
                    let status = if c.kind.as_str() == "DELETED" {
                        Err("error: object has been deleted".to_string())
                    } else {
                        crate::controllers::deployment::rollout::rollout_status(obj, Some(*revision))
                    };
                    match status {
                        Ok((line, done)) => {
                            out.push((w.cmd, LineKind::Stdout, Text::same(line)));
                            if done {
                                ended.push((w.cmd, false));
                                return false;
                            }
                        }
                        Err(e) => {
                            out.push((w.cmd, LineKind::Stderr, Text::same(e)));
                            ended.push((w.cmd, true));
                            return false;
                        }
                    }
                }
                w.rv = t.cache.revision();
                return true;
            }
            for c in changes {
                let ns = crate::apiserver::object::namespace(&c.object);
                if c.resource.name != w.resource.name || (!w.namespace.is_empty() && ns != w.namespace) {
                    continue;
                }
                let lines = if w.json {
                    vec![watch_event_json(c.kind.as_str(), &c.object)]
                } else {
                    let opts = printers::GetOptions { no_headers: w.opts.no_headers && !w.header_pending, ..w.opts };
                    w.header_pending = false;
                    printers::table_lines(w.resource, std::slice::from_ref(&*c.object), now_unix_s, &opts, &mut w.tw)
                };
                out.extend(lines.into_iter().map(|l| (w.cmd, LineKind::Stdout, Text::same(l))));
            }
            w.rv = t.cache.revision();
            true
        });
        for (cmd, kind, text) in out {
            self.push_line(cmd, kind, text);
        }
        for (cmd, failed) in ended {
            self.finish(cmd, failed);
            self.kubectl_steps.remove(&cmd);
        }
    }

    /// `^C` for an API watch: stops the newest one if it is newer than `than_cmd` (the newest
    /// etcdctl stream's command); returns its command.
    pub(super) fn interrupt_api_watch(&mut self, than_cmd: Option<u32>) -> Option<u32> {
        let office = self.office.as_mut()?;
        let newest = office.watches.last()?.cmd;
        if than_cmd.is_some_and(|c| c > newest) {
            return None;
        }
        office.watches.pop();
        Some(newest)
    }

    /// Two of kube-controller-manager's controllers, enough for new namespaces to work: the
    /// service-account controller gives each namespace its `default` ServiceAccount, the
    /// root-ca-cert-publisher its `kube-root-ca.crt` ConfigMap. Each acts as its own service
    /// account through the API server on the controller-manager's node, so its requests pass the
    /// same desks as anyone's. (The full controller-manager, with informers and work queues,
    /// leader election and the other robots, is the factory's part of the lab.)
    fn run_namespace_robots(&mut self) {
        let Some(office) = &mut self.office else { return };
        let Some(t) = office.tellers.get((CONTROLLER_MANAGER_NODE - 1) as usize).filter(|t| t.up) else { return };
        if t.cache.revision() == office.robots_seen_revision {
            return;
        }
        office.robots_seen_revision = t.cache.revision();
        let mut wanted: Vec<(&'static str, &'static str, String, crate::apiserver::Object)> = Vec::new();
        use crate::apiserver::Informers;
        for ns in t.cache.list("namespaces", "") {
            let name = crate::apiserver::object::name(ns).to_string();
            let terminating = crate::apiserver::object::str_at(ns, "/status/phase") == "Terminating";
            if terminating {
                continue;
            }
            if t.cache.get("serviceaccounts", &name, "default").is_none() {
                let obj = bootstrap::service_account(&name, "default");
                wanted.push(("serviceaccounts", "service-account-controller", name.clone(), obj));
            }
            if t.cache.get("configmaps", &name, "kube-root-ca.crt").is_none() {
                let obj = bootstrap::root_ca(&name);
                wanted.push(("configmaps", "root-ca-cert-publisher", name.clone(), obj));
            }
        }
        wanted.retain(|(res, _, ns, _)| !office.robot_requests.values().any(|(r, n)| r == res && n == ns));
        for (res, controller, ns, obj) in wanted {
            let token =
                authn::mint_service_account_token(kubeconfig::SA_KEY, "kube-system", controller, 365 * 24 * 3600);
            let call = ApiCall {
                verb: Verb::Create,
                resource: crate::k8s::resources::resolve(res).expect("known resource"),
                namespace: ns.clone(),
                name: crate::apiserver::object::name(&obj).to_string(),
                body: Some(obj),
                resource_version: None,
                credential: Credential::Bearer(token),
                impersonate: None,
                subresource: "",
                delete: Default::default(),
            };
            let id = self.send_internal(CONTROLLER_MANAGER_NODE, call);
            if let Some(o) = &mut self.office {
                o.robot_requests.insert(id, (res, ns));
            }
        }
    }

    /// Sends `call` to the API server on control-plane node `server`, as a component on that
    /// node does (kube-controller-manager, kube-scheduler: not through the load balancer,
    /// nothing printed); returns the request's number, or `None` without such an API server.
    /// Its answer waits in [`World::take_api_answer`].
    pub fn api_call(&mut self, server: MemberId, call: ApiCall) -> Option<u64> {
        let office = self.office.as_ref()?;
        if !office.tellers.iter().any(|t| t.node == server) {
            return None;
        }
        let id = self.send_internal(server, call);
        let office = self.office.as_mut().expect("checked above");
        office.answers.insert(id, None);
        while office.answers.len() > API_ANSWERS_KEPT {
            office.answers.pop_first();
        }
        Some(id)
    }

    /// The answer to an [`World::api_call`] request once it is done (taken: asked again, `None`).
    pub fn take_api_answer(&mut self, id: u64) -> Option<Response> {
        let office = self.office.as_mut()?;
        match office.answers.get(&id) {
            Some(Some(_)) => office.answers.remove(&id).flatten(),
            _ => None,
        }
    }

    /// A request from a component on node `server` to its own API server (not through the load
    /// balancer); nothing is printed for it.
    pub(super) fn send_internal(&mut self, server: MemberId, call: ApiCall) -> u64 {
        let hop = self.hop_us();
        let now = self.now_us;
        let office = self.office.as_mut().expect("only called with an office");
        let id = office.next_request;
        office.next_request += 1;
        office.requests.insert(id, ApiRequest::new(id, INTERNAL_CMD, server, call, now));
        self.queue.push(now + hop, Event::ApiArrive { request: id });
        id
    }

    /// A teller that is up, in the load balancer's turn (for kubelets, whose side of a
    /// partition `lab node partition` decides).
    pub(super) fn pick_teller_any(&mut self) -> Option<MemberId> {
        let office = self.office.as_mut()?;
        let n = office.tellers.len();
        let i = (0..n).find(|i| office.tellers[(office.lb_next + i) % n].up)?;
        let node = office.tellers[(office.lb_next + i) % n].node;
        office.lb_next = (office.lb_next + i + 1) % n;
        Some(node)
    }

    /// A teller the load balancer can reach: up, and on the clients' side of any partition.
    fn pick_teller(&mut self) -> Option<MemberId> {
        let office = self.office.as_mut()?;
        let n = office.tellers.len();
        for i in 0..n {
            let t = &office.tellers[(office.lb_next + i) % n];
            let reachable = self.net.connected(Endpoint::Client(t.node), Endpoint::Member(t.node));
            if t.up && reachable {
                let node = t.node;
                office.lb_next = (office.lb_next + i + 1) % n;
                return Some(node);
            }
        }
        None
    }

    /// One hop on the wire between kubectl (through the load balancer) and a teller.
    pub(super) fn hop_us(&mut self) -> u64 {
        self.net.latency_us + self.rng.below(self.net.jitter_us + 1)
    }

    /// `kubectl get|create|run|delete|label …`: one API request through the load balancer.
    pub(super) fn submit_kube(&mut self, cmd: u32, k: KubeCmd) -> Result<(), Text> {
        if self.office.is_none() {
            return Err(Text::new(
                "kubectl: 이 시나리오에는 Kubernetes가 없습니다 (etcd만 있는 세계). 새 랩을 열면 API 서버가 있는 클러스터가 시작됩니다",
                "kubectl: this scenario has no Kubernetes (an etcd-only world). A new lab starts a cluster with API servers",
            ));
        }
        let mut ctx = &CONTEXTS[self.kube_context];
        use crate::shell::kubectl_objects::Client;
        if let Client::Proxy(port) = k.client {
            match self.office.as_ref().and_then(|o| o.proxies.get(&port)) {
                Some(&c) => ctx = &CONTEXTS[c],
                None => {
                    return Err(Text::same(format!(
                        "curl: (7) Failed to connect to localhost port {port} after 0 ms: Connection refused"
                    )))
                }
            }
        }
        let credential = match &k.token {
            Some(t) => Credential::Bearer(t.clone()),
            None if k.client == Client::Direct => Credential::None,
            None => match ctx.credential {
                kubeconfig::Credential::ClientCert { cn, orgs } => {
                    Credential::ClientCert { cn: cn.to_string(), orgs: orgs.iter().map(|s| s.to_string()).collect() }
                }
                kubeconfig::Credential::Token { namespace, service_account } => {
                    // The CI user's long-lived token (a year from the start of the class).
                    let exp_s = 365 * 24 * 3600;
                    let token =
                        authn::mint_service_account_token(kubeconfig::SA_KEY, namespace, service_account, exp_s);
                    Credential::Bearer(token)
                }
            },
        };
        let namespace = if k.all_namespaces || !k.resource.namespaced {
            String::new()
        } else {
            k.namespace.clone().unwrap_or_else(|| ctx.namespace_or_default().to_string())
        };
        let impersonate = k.as_user.clone().map(|u| (u, k.as_groups.clone()));
        let call = ApiCall {
            verb: k.verb,
            resource: k.resource,
            namespace,
            name: k.name.clone(),
            body: k.body.clone(),
            resource_version: k.resource_version.clone(),
            credential,
            impersonate,
            subresource: k.subresource,
            delete: k.delete.clone(),
        };
        if let Some(w) = &k.warning {
            self.say(cmd, LineKind::Stderr, Text::same(w.clone()));
        }
        // `kubectl cordon|uncordon`: drain.go GETs the node first and says `already cordoned`
        // without patching when nothing would change. The lab reads that from the first up
        // API server's watch cache instead of a consistent GET.
        if let (Print::Done(word @ ("cordoned" | "uncordoned")), "nodes") = (&k.print, k.resource.name) {
            let cordon = *word == "cordoned";
            let node = self.office_cache().and_then(|c| crate::apiserver::Informers::get(c, "nodes", "", &k.name));
            let unschedulable =
                node.and_then(|n| n.pointer("/spec/unschedulable")).and_then(serde_json::Value::as_bool);
            if node.is_some() && unschedulable.unwrap_or(false) == cordon {
                self.say(cmd, LineKind::Stdout, Text::same(format!("node/{} already {word}", k.name)));
                self.finish(cmd, false);
                return Ok(());
            }
        }
        let Some(server) = self.pick_teller() else {
            // haproxy with every backend down closes the connection (message UNCONFIRMED).
            return Err(Text::same(format!("Unable to connect to the server: EOF ({})", kubeconfig::SERVER)));
        };
        let hop = self.hop_us();
        let now = self.now_us;
        let office = self.office.as_mut().expect("checked above");
        let id = office.next_request;
        office.next_request += 1;
        office.requests.insert(id, ApiRequest::new(id, cmd, server, call, now));
        office.prints.insert(id, k);
        self.queue.push(now + hop, Event::ApiArrive { request: id });
        Ok(())
    }

    /// Runs `f` on request `id` with the desks of its teller, then carries out what it asks.
    fn api_step(&mut self, id: u64, f: impl FnOnce(&mut ApiRequest, &Desks) -> Next) {
        let now_us = self.now_us;
        let mutant = self.members[0].node.config.mutant;
        let Some(office) = &mut self.office else { return };
        let Some(mut req) = office.requests.remove(&id) else { return };
        let teller = &office.tellers[(req.server - 1) as usize];
        let in_flight = office
            .requests
            .values()
            .filter(|r| r.server == req.server && matches!(r.stage, Stage::Reading | Stage::Finishing))
            .count();
        let authenticator = kubeconfig::lab_authenticator();
        let desks = Desks {
            cache: &teller.cache,
            rbac: &teller.rbac,
            authenticator: &authenticator,
            webhooks: &office.webhooks,
            now_us,
            mutant,
            in_flight,
        };
        let next = f(&mut req, &desks);
        let server = req.server;
        let mut slow_us = teller.slow_us;
        // kube-apiserver's `--request-timeout` (1 m): a handler still busy then answers 504,
        // though the work it started may still finish (a write can land after the 504).
        if next == Next::Respond && slow_us >= API_REQUEST_TIMEOUT_US {
            slow_us = API_REQUEST_TIMEOUT_US;
            req.response = Some(Response::Status(crate::k8s::status::Status::timeout()));
        }
        let cmd = req.cmd;
        office.requests.insert(id, req);
        match next {
            Next::Respond => {
                let hop = self.hop_us();
                self.queue.push(self.now_us + slow_us + hop, Event::ApiRespond { request: id });
            }
            Next::Etcd(op) => {
                let op = match op {
                    EtcdOp::Read(range) => ClientOp::Get(GetQuery {
                        range,
                        rev: 0,
                        limit: 0,
                        serializable: false,
                        format: GetFormat::Simple,
                    }),
                    EtcdOp::Txn(t) => ClientOp::Txn(t),
                };
                let etcd_request = self.next_request;
                if let Some(o) = &mut self.office {
                    o.etcd_of.insert(etcd_request, id);
                }
                let sent = self.send_etcd_request(cmd, server, op, ETCD_REQUEST_TIMEOUT_US);
                debug_assert_eq!(sent, etcd_request);
            }
        }
    }

    pub(super) fn api_arrive(&mut self, id: u64) {
        let (server, up) = match self.office.as_ref().and_then(|o| o.requests.get(&id)) {
            Some(r) => (r.server, self.office.as_ref().is_some_and(|o| o.tellers[(r.server - 1) as usize].up)),
            None => return,
        };
        if !up {
            // The teller went down while the request was on its way.
            self.api_step(id, |req, _| {
                // haproxy drops the connection to a dead backend (message UNCONFIRMED).
                req.response = Some(Response::Status(crate::k8s::status::Status::connection_failed(format!(
                    "Unable to connect to the server: EOF ({})",
                    kubeconfig::SERVER
                ))));
                req.stage = Stage::ToClient;
                Next::Respond
            });
            return;
        }
        if let Some(o) = &mut self.office {
            o.tellers[(server - 1) as usize].handled += 1;
        }
        self.api_step(id, |req, d| req.arrive(d));
    }

    pub(super) fn api_etcd_reply(&mut self, etcd_request: u64, answer: Result<EtcdAnswer, String>) {
        let Some(id) = self.office.as_mut().and_then(|o| o.etcd_of.remove(&etcd_request)) else { return };
        if let Some(r) = self.requests.get_mut(&etcd_request) {
            r.done = true;
        }
        self.api_step(id, |req, d| req.etcd_answered(d, answer));
    }

    pub(super) fn api_respond(&mut self, id: u64) {
        let now_us = self.now_us;
        let Some(office) = &mut self.office else { return };
        let Some(req) = office.requests.get_mut(&id) else { return };
        req.stage = Stage::Done;
        req.answered_us = Some(now_us);
        // The body goes to kubectl; the inspector keeps the code (finished requests stay small).
        let Some(response) = req.response.take() else { return };
        if let Some(slot) = office.answers.get_mut(&id) {
            *slot = Some(response.clone());
        }
        req.code = Some(response.code());
        if let Response::Status(s) = &response {
            req.message = Some(s.message.clone());
        }
        *office.responses_by_code.entry(response.code()).or_default() += 1;
        if matches!(req.call.verb, Verb::Create | Verb::Update | Verb::Patch)
            && matches!(response, Response::Object { .. })
            && !req.passed_checks_in_order()
        {
            office.violations.push(format!("request {id} stored an object without passing the checks in order"));
        }
        let cmd = req.cmd;
        let (server, user) = (req.server, req.user.clone());
        office.robot_requests.remove(&id);
        let namespace = req.call.namespace.clone();
        let resource = req.call.resource;
        let name = req.call.name.clone();
        let print = office.prints.remove(&id);
        // Keep the last finished requests for the inspector: the users' and the robots' apart,
        // so the robots' steady traffic never pushes a user's request out. (Before the robots'
        // early return below: their requests were never dropped, and every request's
        // `in_flight` count walked all of them, so the world slowed down as it ran.)
        let internal = cmd == INTERNAL_CMD;
        let done: Vec<u64> = office
            .requests
            .iter()
            .filter(|(_, r)| r.stage == Stage::Done && (r.cmd == INTERNAL_CMD) == internal)
            .map(|(&k, _)| k)
            .collect();
        if done.len() > API_REQUESTS_KEPT {
            for k in &done[..done.len() - API_REQUESTS_KEPT] {
                office.requests.remove(k);
            }
        }
        if internal {
            self.factory_answered(id, &response);
            return;
        }
        let Some(print) = print else { return };
        let now_unix_s = crate::apiserver::object::unix_s(now_us);
        if let Print::Step(tag) = print.print {
            self.kubectl_step_answered(cmd, tag, server, user, response);
            return;
        }
        if print.watch {
            if let Response::List { resource_version, items } = &response {
                let lines =
                    self.start_api_watch(cmd, server, user, &print, resource, &namespace, *resource_version, items);
                let failed = lines.iter().any(|(k, _)| *k == LineKind::Stderr);
                for (kind, line) in lines {
                    self.say(cmd, kind, Text::same(line));
                }
                self.finish(cmd, failed);
                return;
            }
        }
        let (lines, failed) = match (&print.print, &response) {
            (Print::Describe, Response::Object { .. } | Response::List { .. }) => match &self.office {
                Some(o) => describe_response(
                    &o.tellers[(server - 1) as usize].cache,
                    resource,
                    &namespace,
                    &response,
                    now_unix_s,
                ),
                None => (Vec::new(), false),
            },
            _ => print_response(&print, resource, &namespace, &name, &response, now_unix_s),
        };
        for (kind, line) in lines {
            self.say(cmd, kind, Text::same(line));
        }
        self.finish(cmd, failed);
    }

    /// After a watch's list: authorizes `watch`, prints the list (table) or synthetic ADDED events
    /// (JSON), and starts the stream from the list's resourceVersion. The prompt returns at once.
    #[allow(clippy::too_many_arguments)]
    fn start_api_watch(
        &mut self,
        cmd: u32,
        server: MemberId,
        user: Option<crate::k8s::rbac::UserInfo>,
        k: &KubeCmd,
        resource: &'static crate::k8s::resources::ApiResource,
        namespace: &str,
        rv: u64,
        items: &[crate::apiserver::Object],
    ) -> Vec<(LineKind, String)> {
        use crate::k8s::rbac::{self, Attributes};
        let now_unix_s = crate::apiserver::object::unix_s(self.now_us);
        let Some(office) = &mut self.office else { return Vec::new() };
        let user = user.unwrap_or_else(crate::k8s::rbac::UserInfo::anonymous);
        let mut a = Attributes::resource(&user, "watch", resource.group, resource.name);
        if !namespace.is_empty() {
            a = a.in_namespace(namespace);
        }
        let teller = &office.tellers[(server - 1) as usize];
        let d = crate::k8s::node_authorizer::authorize(&teller.rbac, &teller.cache, &a);
        if !d.allowed {
            return vec![(LineKind::Stderr, rbac::kubectl_forbidden(&a, &d.reason))];
        }
        if office.watches.len() >= API_WATCHES_MAX {
            return vec![(
                LineKind::Stderr,
                format!("lab: {API_WATCHES_MAX} watches are running already — stop one with ^C"),
            )];
        }
        let (output, show_labels, no_headers) = match k.print {
            Print::Get { output, show_labels, no_headers } => (output, show_labels, no_headers),
            _ => (Output::Table, false, false),
        };
        let json = matches!(k.print, Print::Raw | Print::Curl);
        let opts = get_options(output, show_labels, no_headers, k.all_namespaces);
        let mut tw = printers::TabWriter::kubectl();
        // `?watch=1&resourceVersion=N` (N > 0): the changes after N, no synthetic ADDED events
        // (api-concepts.md "Semantics for watch").
        let from = k.resource_version.as_deref().and_then(|v| v.parse::<u64>().ok()).filter(|&n| n > 0);
        let rv = from.unwrap_or(rv);
        let lines: Vec<String> = if from.is_some() {
            Vec::new()
        } else if json {
            items.iter().map(|o| watch_event_json("ADDED", o)).collect()
        } else if items.is_empty() {
            Vec::new()
        } else {
            printers::table_lines(resource, items, now_unix_s, &opts, &mut tw)
        };
        let header_pending = items.is_empty() && !opts.no_headers;
        let row_opts = printers::GetOptions { no_headers: true, ..opts };
        office.watches.push(ApiWatch {
            cmd,
            server,
            resource,
            namespace: namespace.to_string(),
            rv,
            json,
            opts: row_opts,
            tw,
            header_pending,
            rollout: None,
        });
        lines.into_iter().map(|l| (LineKind::Stdout, l)).collect()
    }

    /// `kubectl rollout status`: after the list, watch the Deployment `name` from `rv` (kubectl's
    /// `UntilWithSync`): every change prints the rollout's status line, and the command ends when
    /// the rollout is done, fails, or the Deployment is deleted. Authorizes `watch` first;
    /// `Err`: the line kubectl prints.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn start_rollout_watch(
        &mut self,
        cmd: u32,
        server: MemberId,
        user: Option<crate::k8s::rbac::UserInfo>,
        namespace: &str,
        name: &str,
        revision: i64,
        rv: u64,
    ) -> Result<(), String> {
        use crate::k8s::rbac::{self, Attributes};
        let resource = crate::k8s::resources::resolve("deployments").expect("deployments are known");
        let Some(office) = &mut self.office else { return Err("error: no API server".into()) };
        let user = user.unwrap_or_else(crate::k8s::rbac::UserInfo::anonymous);
        let a = Attributes::resource(&user, "watch", resource.group, resource.name).in_namespace(namespace);
        let teller = &office.tellers[(server - 1) as usize];
        let d = crate::k8s::node_authorizer::authorize(&teller.rbac, &teller.cache, &a);
        if !d.allowed {
            return Err(rbac::kubectl_forbidden(&a, &d.reason));
        }
        if office.watches.len() >= API_WATCHES_MAX {
            return Err(format!("lab: {API_WATCHES_MAX} watches are running already — stop one with ^C"));
        }
        let opts = get_options(Output::Table, false, true, false);
        office.watches.push(ApiWatch {
            cmd,
            server,
            resource,
            namespace: namespace.to_string(),
            rv,
            json: false,
            opts,
            tw: printers::TabWriter::kubectl(),
            header_pending: false,
            rollout: Some((name.to_string(), revision)),
        });
        Ok(())
    }

    /// Stops the watches command `cmd` holds.
    pub(super) fn stop_api_watches_of(&mut self, cmd: u32) {
        if let Some(o) = &mut self.office {
            o.watches.retain(|w| w.cmd != cmd);
        }
    }
}

/// What kubectl prints for the answer, and whether the command failed.
fn print_response(
    k: &KubeCmd,
    resource: &'static crate::k8s::resources::ApiResource,
    namespace: &str,
    name: &str,
    response: &Response,
    now_unix_s: u64,
) -> (Vec<(LineKind, String)>, bool) {
    let qualified = handler::qualified(resource);
    let singular = if resource.group.is_empty() {
        resource.singular.to_string()
    } else {
        format!("{}.{}", resource.singular, resource.group)
    };
    let out = |lines: Vec<String>| lines.into_iter().map(|l| (LineKind::Stdout, l)).collect::<Vec<_>>();
    match (response, &k.print) {
        (Response::Status(s), Print::Curl) if s.code == 0 => {
            (vec![(LineKind::Stderr, "curl: (52) Empty reply from server".to_string())], true)
        }
        // curl prints whatever the server answered, errors included, and exits 0.
        (Response::Status(s), Print::Curl) => {
            (out(crate::apiserver::wire::status(s, resource, name).lines().map(String::from).collect()), false)
        }
        (Response::Object { object, .. } | Response::Deleted(object), Print::Curl) => {
            (out(crate::apiserver::wire::pretty(object).lines().map(String::from).collect()), false)
        }
        (Response::List { resource_version, items }, Print::Curl) => {
            let l = crate::apiserver::wire::list(resource, *resource_version, items);
            (out(crate::apiserver::wire::pretty(&l).lines().map(String::from).collect()), false)
        }
        (Response::Status(s), _) => (vec![(LineKind::Stderr, s.kubectl_line())], true),
        (Response::Object { object, .. }, Print::Raw) | (Response::Deleted(object), Print::Raw) => {
            (out(vec![object.to_string()]), false)
        }
        (Response::List { resource_version, items }, Print::Raw) => {
            let kind = format!("{}List", resource.kind);
            let api_version =
                if resource.group.is_empty() { "v1".to_string() } else { format!("{}/v1", resource.group) };
            let body = serde_json::json!({"apiVersion": api_version, "kind": kind,
                "metadata": {"resourceVersion": resource_version.to_string()}, "items": items});
            (out(vec![body.to_string()]), false)
        }
        (Response::Object { object, .. }, Print::Done(word)) => {
            let n = crate::apiserver::object::name(object);
            (out(vec![format!("{singular}/{n} {word}")]), false)
        }
        (Response::Deleted(_), Print::ForceDeleted) => {
            (out(vec![format!("{singular} \"{name}\" force deleted")]), false)
        }
        // kubectl delete's `PrintObj`: the lower-case kind with its group (`pod "x" deleted`,
        // `deployment.apps "web" deleted`). A graceful deletion answers with the marked object
        // instead of the removed one; kubectl prints the same line.
        (Response::Deleted(_), _) | (Response::Object { .. }, Print::Deleted) => {
            (out(vec![format!("{singular} \"{name}\" deleted")]), false)
        }
        (Response::Object { object, .. }, Print::Get { output, show_labels, no_headers }) => {
            let opts = get_options(*output, *show_labels, *no_headers, false);
            let p = printers::print_one(resource, object, now_unix_s, &opts);
            printed(p)
        }
        (Response::List { items, .. }, Print::Get { output, show_labels, no_headers }) => {
            let opts = get_options(*output, *show_labels, *no_headers, k.all_namespaces);
            let p = printers::print_list(resource, items, namespace, now_unix_s, &opts);
            printed(p)
        }
        (r, _) => (out(vec![format!("{} {}", r.code(), qualified)]), false),
    }
}

/// `kubectl describe`: each object described, with what kubectl fetches next to it. kubectl
/// sends one more GET per object, then LISTs events (field selector on the involved object), the
/// node's pods and its Lease, or the namespace's ReplicaSets/pods; the lab reads those from the
/// answering API server's watch cache instead of sending the requests (same data, one request in
/// the inspector).
fn describe_response(
    cache: &crate::apiserver::cache::WatchCache,
    resource: &'static crate::k8s::resources::ApiResource,
    namespace: &str,
    response: &Response,
    now_unix_s: u64,
) -> (Vec<(LineKind, String)>, bool) {
    use crate::apiserver::describe;
    use crate::apiserver::object::{name, namespace as ns_of, str_at};
    use crate::k8s::resources::resolve;
    let objects: Vec<&crate::apiserver::Object> = match response {
        Response::Object { object, .. } => vec![object],
        Response::List { items, .. } => items.iter().collect(),
        _ => Vec::new(),
    };
    if objects.is_empty() {
        // describe.go: nothing described and no error → say so.
        let line = if namespace.is_empty() && resource.namespaced {
            "No resources found".to_string()
        } else {
            format!("No resources found in {} namespace.", if namespace.is_empty() { "default" } else { namespace })
        };
        return (vec![(LineKind::Stderr, line)], false);
    }
    let list = |r: &str, ns: Option<&str>| resolve(r).map_or(Vec::new(), |r| cache.list_of(r, ns));
    let all_events = list("events", None);
    let all_events: Vec<&crate::apiserver::Object> = all_events.iter().map(|e| e.as_ref()).collect();
    let mut out = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        let events = describe::events_about(&all_events, resource.kind, ns_of(obj), name(obj));
        let lines = match resource.name {
            "nodes" => {
                let pods = list("pods", None);
                let on_node: Vec<&crate::apiserver::Object> = pods
                    .iter()
                    .map(|p| p.as_ref())
                    .filter(|p| str_at(p, "/spec/nodeName") == name(obj))
                    .filter(|p| !matches!(str_at(p, "/status/phase"), "Succeeded" | "Failed"))
                    .collect();
                let leases = list("leases", Some("kube-node-lease"));
                let lease = leases.iter().map(|l| l.as_ref()).find(|l| name(l) == name(obj));
                describe::describe_node(obj, &on_node, &events, lease, now_unix_s)
            }
            "pods" => describe::describe_pod(obj, &events, now_unix_s),
            "deployments" => {
                let rss = list("replicasets", Some(ns_of(obj)));
                let rss: Vec<&crate::apiserver::Object> = rss.iter().map(|r| r.as_ref()).collect();
                describe::describe_deployment(obj, &rss, &events, now_unix_s)
            }
            "replicasets" => {
                let pods = list("pods", Some(ns_of(obj)));
                let pods: Vec<&crate::apiserver::Object> = pods.iter().map(|p| p.as_ref()).collect();
                describe::describe_replica_set(obj, &pods, &events, now_unix_s)
            }
            _ => Vec::new(),
        };
        // describe.go: `fmt.Fprintf(o.Out, "\n\n%s", s)` before every description but the first.
        if i > 0 {
            out.push((LineKind::Stdout, String::new()));
            out.push((LineKind::Stdout, String::new()));
        }
        out.extend(lines.into_iter().map(|l| (LineKind::Stdout, l)));
    }
    (out, false)
}

fn get_options(output: Output, show_labels: bool, no_headers: bool, all_namespaces: bool) -> printers::GetOptions {
    let output = match output {
        Output::Table => printers::Output::Table,
        Output::Wide => printers::Output::Wide,
        Output::Yaml => printers::Output::Yaml,
        Output::Json => printers::Output::Json,
        Output::Name => printers::Output::Name,
    };
    printers::GetOptions { wide: output == printers::Output::Wide, all_namespaces, show_labels, no_headers, output }
}

fn printed(p: printers::Printed) -> (Vec<(LineKind, String)>, bool) {
    let mut lines: Vec<(LineKind, String)> = p.stdout.into_iter().map(|l| (LineKind::Stdout, l)).collect();
    lines.extend(p.stderr.into_iter().map(|l| (LineKind::Stderr, l)));
    (lines, false)
}

impl World {
    /// `kubectl proxy --port=N`: serves in the background with the current context's credentials.
    pub(super) fn start_proxy(&mut self, cmd: u32, port: u16) -> Result<(), Text> {
        let context = self.kube_context;
        let Some(office) = &mut self.office else {
            return Err(Text::new(
                "kubectl proxy: 이 시나리오에는 API 서버가 없습니다 (etcd만 있는 세계)",
                "kubectl proxy: this scenario has no API servers (an etcd-only world)",
            ));
        };
        if office.proxies.contains_key(&port) {
            return Err(Text::same(format!("error: listen tcp 127.0.0.1:{port}: bind: address already in use")));
        }
        if office.proxies.len() >= 4 {
            return Err(Text::new("lab: kubectl proxy는 4개까지입니다", "lab: at most 4 kubectl proxies"));
        }
        office.proxies.insert(port, context);
        self.say(cmd, LineKind::Stdout, Text::same(format!("Starting to serve on 127.0.0.1:{port}")));
        self.finish(cmd, false);
        Ok(())
    }

    /// `lab apiserver crash|restart|slow`.
    pub(super) fn teller_command(
        &mut self,
        cmd: u32,
        node: &crate::shell::MemberRef,
        action: crate::shell::TellerAction,
    ) -> Result<(), Text> {
        use crate::shell::TellerAction;
        let m = self.resolve(node)?;
        let member_up = self.members[(m - 1) as usize].up;
        let Some(office) = &mut self.office else {
            return Err(Text::new(
                "lab apiserver: 이 시나리오에는 API 서버가 없습니다 (etcd만 있는 세계)",
                "lab apiserver: this scenario has no API servers (an etcd-only world)",
            ));
        };
        let Some(t) = office.tellers.get_mut((m - 1) as usize) else {
            return Err(Text::new(
                format!(
                    "lab apiserver: apiserver-{m}은(는) 없습니다 (API 서버는 처음 컨트롤 플레인 노드에만 있습니다)"
                ),
                format!(
                    "lab apiserver: there is no apiserver-{m} (API servers run on the initial control-plane nodes)"
                ),
            ));
        };
        let who = format!("apiserver-{m} (kube-apiserver-{})", crate::names::node_name(m));
        let (ko, en) = match action {
            TellerAction::Crash if !t.up => ("이미 중지되어 있습니다".to_string(), "is already down".to_string()),
            TellerAction::Crash => {
                t.up = false;
                // Its watch cache is memory: gone with the process.
                t.cache = WatchCache::default();
                ("중지됨 (watch 캐시 사라짐)".to_string(), "crashed (its watch cache is gone)".to_string())
            }
            TellerAction::Restart if t.up => ("이미 실행 중입니다".to_string(), "is already running".to_string()),
            TellerAction::Restart => {
                t.up = true;
                if member_up {
                    t.cache.relist(&self.members[(m - 1) as usize].store);
                }
                t.rbac = rbac_objects::rbac_store_from(&t.cache);
                t.cache.rbac_changed = false;
                (
                    "다시 시작: etcd에서 목록을 다시 읽어 watch 캐시를 채움".to_string(),
                    "restarted: re-listed etcd to fill its watch cache".to_string(),
                )
            }
            TellerAction::Slow { delay_us } => {
                t.slow_us = delay_us.min(TELLER_SLOW_US_MAX);
                let d = crate::etcd::client::go_duration_us(delay_us);
                if delay_us == 0 {
                    ("정상 속도".to_string(), "normal speed".to_string())
                } else {
                    (format!("요청마다 {d} 더 걸림"), format!("every request takes {d} longer"))
                }
            }
        };
        if action == TellerAction::Crash {
            self.fail_in_flight(m);
        }
        self.say(cmd, LineKind::Stdout, Text::new(format!("{who}: {ko}"), format!("{who}: {en}")));
        self.finish(cmd, false);
        Ok(())
    }

    /// A teller died: the requests it was working on lose their connection.
    fn fail_in_flight(&mut self, node: MemberId) {
        let Some(office) = &mut self.office else { return };
        let mut failed = Vec::new();
        for r in office.requests.values_mut() {
            if r.server == node && matches!(r.stage, Stage::Reading | Stage::Finishing) {
                r.response = Some(Response::Status(crate::k8s::status::Status::connection_failed(format!(
                    "Unable to connect to the server: EOF ({})",
                    kubeconfig::SERVER
                ))));
                r.stage = Stage::ToClient;
                failed.push(r.id);
            }
        }
        let abandoned: Vec<u64> = office.etcd_of.iter().filter(|(_, a)| failed.contains(a)).map(|(&e, _)| e).collect();
        office.etcd_of.retain(|_, api| !failed.contains(api));
        // Nobody waits for those etcd answers any more (and their timeouts must not print).
        for e in abandoned {
            if let Some(r) = self.requests.get_mut(&e) {
                r.done = true;
            }
        }
        for id in failed {
            let hop = self.hop_us();
            self.queue.push(self.now_us + hop, Event::ApiRespond { request: id });
        }
    }

    /// `lab webhook add …` / `lab webhook remove NAME`.
    pub(super) fn webhook_command(
        &mut self,
        cmd: u32,
        add: Option<&[String]>,
        remove: Option<&str>,
    ) -> Result<(), Text> {
        let Some(office) = &mut self.office else {
            return Err(Text::new(
                "lab webhook: 이 시나리오에는 API 서버가 없습니다",
                "lab webhook: this scenario has no API servers",
            ));
        };
        let (ko, en) = if let Some(spec) = add {
            let w = crate::apiserver::admission::parse_webhook_spec(spec)
                .map_err(|e| Text::same(format!("lab webhook: {e}")))?;
            if office.webhooks.iter().any(|x| x.name == w.name) {
                return Err(Text::same(format!(
                    "lab webhook: \"{}\" already exists",
                    crate::shell::printable(&w.name)
                )));
            }
            let kind = match w.kind {
                crate::apiserver::admission::WebhookKind::Mutating => "MutatingAdmissionWebhook",
                crate::apiserver::admission::WebhookKind::Validating => "ValidatingAdmissionWebhook",
            };
            let said =
                (format!("웹훅 {} 추가됨 ({kind} 단계)", w.name), format!("webhook {} added ({kind} step)", w.name));
            office.webhooks.push(w);
            said
        } else {
            let name = remove.unwrap_or("");
            let before = office.webhooks.len();
            office.webhooks.retain(|w| w.name != name);
            if office.webhooks.len() == before {
                return Err(Text::same(format!("lab webhook: no webhook \"{}\"", crate::shell::printable(name))));
            }
            (format!("웹훅 {name} 제거됨"), format!("webhook {name} removed"))
        };
        self.say(cmd, LineKind::Stdout, Text::new(ko, en));
        self.finish(cmd, false);
        Ok(())
    }
}

impl World {
    /// The office as the UI draws it.
    pub fn office_view(&self) -> Option<crate::view::OfficeView> {
        use crate::apiserver::handler::{Floor, Outcome};
        use crate::view::{OfficeView, RequestView, StepKind, StepView, TellerView, OFFICE_REQUESTS_SHOWN};
        let office = self.office.as_ref()?;
        let tellers = office
            .tellers
            .iter()
            .map(|t| TellerView {
                node: t.node,
                up: t.up,
                slow_us: t.slow_us,
                cache_revision: t.cache.revision(),
                etcd_revision: self.members[(t.node - 1) as usize].store.revision(),
                cached_objects: t.cache.len(),
                handled: t.handled,
                in_flight: office.requests.values().filter(|r| r.server == t.node && r.stage != Stage::Done).count(),
            })
            .collect();
        // The office draws the users' requests (the robots' are the factory's to draw).
        let users = office.requests.values().filter(|r| r.cmd != INTERNAL_CMD).count();
        let skip = users.saturating_sub(OFFICE_REQUESTS_SHOWN);
        let pretty =
            |o: &Option<crate::apiserver::Object>| o.as_ref().and_then(|o| serde_json::to_string_pretty(o).ok());
        let requests = office
            .requests
            .values()
            .filter(|r| r.cmd != INTERNAL_CMD)
            .skip(skip)
            .map(|r| {
                let steps: Vec<StepView> = r
                    .steps
                    .iter()
                    .map(|s| {
                        let (kind, text) = match &s.outcome {
                            Outcome::Passed => (StepKind::Passed, String::new()),
                            Outcome::Mutated(w) => (StepKind::Mutated, w.clone()),
                            Outcome::Rejected(st) => (StepKind::Rejected, format!("{} {}", st.code, st.message)),
                            Outcome::Waiting => (StepKind::Waiting, String::new()),
                            Outcome::Noted(n) => (StepKind::Noted, n.clone()),
                        };
                        let floor = match s.floor {
                            Floor::Checks => 1,
                            Floor::Handling => 2,
                            Floor::Basement => 0,
                        };
                        StepView { desk: s.desk.clone(), floor, kind, text, at_us: s.at_us }
                    })
                    .collect();
                let rejected_at = steps.iter().find(|s| s.kind == StepKind::Rejected).map(|s| s.desk.clone());
                RequestView {
                    id: r.id,
                    cmd: r.cmd,
                    line: self.commands.get(r.cmd as usize).map_or_else(String::new, |c| c.line.clone()),
                    server: r.server,
                    method: r.call.verb.method(),
                    verb: r.call.verb.as_str(),
                    resource: handler::qualified(r.call.resource),
                    namespace: r.call.namespace.clone(),
                    path: r.call.path(),
                    user: r.user.as_ref().map_or_else(String::new, |u| u.name.clone()),
                    groups: r.user.as_ref().map_or_else(Vec::new, |u| u.groups.clone()),
                    code: r.code,
                    message: r.message.clone(),
                    done: r.stage == Stage::Done,
                    steps,
                    rejected_at,
                    before: pretty(&r.before),
                    after: pretty(&r.after),
                    sent_us: r.sent_us,
                    answered_us: r.answered_us,
                }
            })
            .collect();
        Some(OfficeView {
            tellers,
            requests,
            plugins: crate::apiserver::admission::PLUGINS.iter().map(|p| (p.name, p.mutating, p.validating)).collect(),
            webhooks: office.webhooks.iter().map(|w| w.name.clone()).collect(),
            responses_by_code: office.responses_by_code.iter().map(|(&c, &n)| (c, n)).collect(),
            context: CONTEXTS[self.kube_context].name,
        })
    }
}

impl World {
    /// `kubectl exec [-n NS] POD -- COMMAND`: the exec request is authorized (`create` on
    /// `pods/exec`), the pod must exist and its container run; then the command runs inside.
    pub(super) fn exec(&mut self, cmd: u32, e: crate::shell::exec::Exec) -> Result<(), Text> {
        use crate::k8s::rbac::{self, Attributes};
        use crate::shell::exec::{expand_short_name, static_pod_node, Inside};
        let ctx = &CONTEXTS[self.kube_context];
        let ns = e.namespace.clone().unwrap_or_else(|| ctx.namespace_or_default().to_string());
        let pod = match expand_short_name(&e.pod) {
            Some(full) => {
                self.say(
                    cmd,
                    LineKind::Stderr,
                    Text::new(
                        format!("lab: {} → {full} (kind는 정적 파드 이름 뒤에 노드 이름을 붙입니다)", e.pod),
                        format!("lab: {} → {full} (kind names static pods after their node)", e.pod),
                    ),
                );
                full
            }
            None => e.pod.clone(),
        };
        let user = ctx.user_info();
        let a = Attributes::resource(&user, "create", "", "pods").in_namespace(&ns).named(&pod).subresource("exec");
        let d = rbac::authorize(&self.rbac_policy(), &a);
        if !d.allowed {
            return Err(Text::same(rbac::kubectl_forbidden(&a, &d.reason)));
        }
        let not_found = || {
            Text::same(format!("Error from server (NotFound): pods \"{}\" not found", crate::shell::printable(&pod)))
        };
        let static_node = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]
            .iter()
            .find_map(|c| static_pod_node(&pod, c).map(|n| (*c, n)))
            .filter(|(_, n)| *n <= self.initial_member_count());
        let exists = match self.office_cache() {
            Some(cache) => crate::apiserver::Informers::get(cache, "pods", &ns, &pod).is_some(),
            None => ns == "kube-system" && static_node.is_some(),
        };
        if !exists {
            return Err(not_found());
        }
        // The container must be running: etcd's with its member, the API server's with its teller.
        let running = match static_node {
            Some(("etcd", n)) => self.members[(n - 1) as usize].up,
            Some(("kube-apiserver", n)) => self.office.as_ref().is_none_or(|o| o.tellers[(n - 1) as usize].up),
            _ => true,
        };
        if !running {
            let container = static_node.map_or("", |(c, _)| c);
            return Err(Text::same(format!(
                "error: unable to upgrade connection: container not found (\"{container}\")"
            )));
        }
        match e.inside {
            Inside::Etcdctl(inner) => self.apply(cmd, *inner),
            Inside::ApiServerHelp if static_node.is_some_and(|(c, _)| c == "kube-apiserver") => {
                for line in crate::apiserver::help::admission_flags() {
                    self.say(cmd, LineKind::Stdout, Text::same(line));
                }
                self.say(
                    cmd,
                    LineKind::Stderr,
                    Text::new(
                        "lab: kube-apiserver --help 중 Admission flags 부분만 시뮬레이션합니다. 수업 자료의 PodSecurityPolicy는 v1.25에서 제거되었고, v1.27에서는 PodSecurity가 그 일을 합니다",
                        "lab: only the Admission flags section of kube-apiserver --help is simulated. The PodSecurityPolicy the class material names was removed in v1.25; in v1.27 PodSecurity does its job",
                    ),
                );
                self.finish(cmd, false);
                Ok(())
            }
            Inside::ApiServerHelp => Err(self.exec_missing(cmd, "kube-apiserver")),
            Inside::Missing(c) => Err(self.exec_missing(cmd, &c)),
        }
    }

    /// What containerd says when the container has no such program (and kubectl's exit note).
    fn exec_missing(&mut self, cmd: u32, program: &str) -> Text {
        self.say(
            cmd,
            LineKind::Stderr,
            Text::same(format!(
                "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": executable file not found in $PATH: unknown",
                crate::shell::printable(program)
            )),
        );
        Text::same("command terminated with exit code 126")
    }
}
