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
/// The most a teller can be slowed down (`lab apiserver slow`).
pub const TELLER_SLOW_US_MAX: u64 = 60 * US_PER_S;

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
        }
        (self.next_request, self.lb_next).hash(h);
        self.etcd_of.hash(h);
        self.responses_by_code.hash(h);
        self.webhooks.len().hash(h);
    }
}

impl World {
    /// A cluster as kind creates it: `members` control-plane nodes with stacked etcd and an API
    /// server each, two workers, and the objects a fresh kind v1.27.3 cluster holds.
    pub fn with_kubernetes(seed: u64, members: u8) -> World {
        let mut w = World::new(seed, members);
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
    fn hop_us(&mut self) -> u64 {
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
        let ctx = &CONTEXTS[self.kube_context];
        let credential = match &k.token {
            Some(t) => Credential::Bearer(t.clone()),
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
        };
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
        let Some(office) = &mut self.office else { return };
        let Some(mut req) = office.requests.remove(&id) else { return };
        let teller = &office.tellers[(req.server - 1) as usize];
        let authenticator = kubeconfig::lab_authenticator();
        let desks = Desks {
            cache: &teller.cache,
            rbac: &teller.rbac,
            authenticator: &authenticator,
            webhooks: &office.webhooks,
            now_us,
        };
        let next = f(&mut req, &desks);
        let server = req.server;
        let slow_us = teller.slow_us;
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
        let Some(response) = req.response.clone() else { return };
        *office.responses_by_code.entry(response.code()).or_default() += 1;
        if matches!(req.call.verb, Verb::Create | Verb::Update | Verb::Patch)
            && matches!(response, Response::Object { .. })
            && !req.passed_checks_in_order()
        {
            office.violations.push(format!("request {id} stored an object without passing the checks in order"));
        }
        let cmd = req.cmd;
        let namespace = req.call.namespace.clone();
        let resource = req.call.resource;
        let name = req.call.name.clone();
        let print = office.prints.remove(&id);
        // Keep the last finished requests for the inspector.
        let done: Vec<u64> = office.requests.iter().filter(|(_, r)| r.stage == Stage::Done).map(|(&k, _)| k).collect();
        if done.len() > API_REQUESTS_KEPT {
            for k in &done[..done.len() - API_REQUESTS_KEPT] {
                office.requests.remove(k);
            }
        }
        let Some(print) = print else { return };
        let now_unix_s = crate::apiserver::object::unix_s(now_us);
        let (lines, failed) = print_response(&print, resource, &namespace, &name, &response, now_unix_s);
        for (kind, line) in lines {
            self.say(cmd, kind, Text::same(line));
        }
        self.finish(cmd, failed);
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
        (Response::Deleted(_), _) => (out(vec![format!("{qualified} \"{name}\" deleted")]), false),
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
        let skip = office.requests.len().saturating_sub(OFFICE_REQUESTS_SHOWN);
        let pretty =
            |o: &Option<crate::apiserver::Object>| o.as_ref().and_then(|o| serde_json::to_string_pretty(o).ok());
        let requests = office
            .requests
            .values()
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
                    code: r.response.as_ref().map(Response::code).filter(|_| r.stage == Stage::Done),
                    message: match &r.response {
                        Some(Response::Status(s)) if r.stage == Stage::Done => Some(s.message.clone()),
                        _ => None,
                    },
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
