//! kubectl commands of several requests (`shell::kubectl_steps`): `rollout status|history|undo|
//! restart|pause|resume`, `set image`, `drain`. Each request goes as kubectl's does — through
//! kind's load balancer to an API server, with the context's credentials, past authentication,
//! RBAC, admission and validation — and its answer comes back here (`Print::Step`) to decide the
//! next request or what to print.
//!
//! Sources (KK v1.27 `staging/src/k8s.io/kubectl/pkg/`): `cmd/rollout/*.go`,
//! `polymorphichelpers/{rollout_status,history,rollback,objectpauser,objectresumer,
//! objectrestarter}.go`, `cmd/set/set_image.go`, `cmd/drain/drain.go`, `drain/{drain,filters}.go`.
//! The pure parts (status line, history table, rollback patch, images) are in
//! `controllers::deployment::rollout`.

use std::hash::{Hash, Hasher};

use serde_json::{json, Value};

use super::{Event, LineKind, World};
use crate::apiserver::handler::{DeleteOptions, Response, Verb};
use crate::apiserver::object::{self, Object};
use crate::apiserver::Informers;
use crate::controllers::deployment::{self, rollout, CHANGE_CAUSE_ANNOTATION};
use crate::etcd::message::MemberId;
use crate::i18n::Text;
use crate::k8s::kubeconfig::CONTEXTS;
use crate::k8s::rbac::UserInfo;
use crate::k8s::resources::{self, ApiResource};
use crate::k8s::status::Status;
use crate::shell::kubectl_objects::{Client, KubeCmd, Print};
use crate::shell::kubectl_steps::{Drain, Step, Steps};
use crate::sim::US_PER_S;

/// Requests one command may send; beyond, it stops with a lab error (a drain polls each pod
/// once a second until it is gone).
pub const STEP_REQUESTS_MAX: u32 = 5_000;
/// Pods one drain evicts (a node's default pod capacity).
pub const DRAIN_PODS_MAX: usize = 110;
/// drain.go `waitForDelete`: an evicted pod is looked at again every second until it is gone.
const DRAIN_POLL_US: u64 = US_PER_S;
/// drain.go `evictPods`: an eviction refused with 429 (a disruption budget) is retried after 5 s.
const EVICT_RETRY_US: u64 = 5 * US_PER_S;
/// The tag of a request that is not about one of a drain's pods.
const TAG_OBJECT: u32 = u32::MAX;

/// One request of a command.
struct Req {
    verb: Verb,
    resource: &'static ApiResource,
    /// `None`: every namespace (a list).
    namespace: Option<String>,
    name: String,
    body: Option<Object>,
    subresource: &'static str,
    delete: DeleteOptions,
}

impl Req {
    fn new(verb: Verb, resource: &'static ApiResource, namespace: Option<&str>, name: &str) -> Req {
        Req {
            verb,
            resource,
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
            body: None,
            subresource: "",
            delete: DeleteOptions::default(),
        }
    }
}

/// A running command.
#[derive(Clone, Debug)]
pub struct Flow {
    steps: Steps,
    /// The namespace the command works in (`-n`, else the context's).
    namespace: String,
    state: State,
    /// Requests sent so far (bounded by [`STEP_REQUESTS_MAX`]).
    sent: u32,
    /// `--timeout`: when the command gives up.
    deadline_us: Option<u64>,
    /// The earliest [`Event::KubectlWake`] already queued.
    wake_at_us: Option<u64>,
}

impl Flow {
    pub(super) fn hash_into(&self, h: &mut impl Hasher) {
        (self.sent, self.deadline_us, self.wake_at_us, &self.namespace).hash(h);
        match &self.state {
            State::Get => 0u8.hash(h),
            State::List { .. } => 1u8.hash(h),
            State::Write { .. } => 2u8.hash(h),
            State::Watching => 3u8.hash(h),
            State::Cordon => 4u8.hash(h),
            State::ListPods => 5u8.hash(h),
            State::Evicting { pods, errors } => {
                6u8.hash(h);
                errors.hash(h);
                for p in pods {
                    (&p.namespace, &p.name, &p.uid, p.state).hash(h);
                }
            }
        }
    }
}

#[derive(Clone, Debug)]
enum State {
    /// The first GET (the Deployment, the object, the node) is on its way.
    Get,
    /// The list after it (ReplicaSets for history and undo, with the Deployment GOT; the
    /// Deployment itself for status).
    List { object: Option<Object> },
    /// The write is on its way; then `<kind>.<group>/<name> <word>`, or `error: <fail><message>`.
    Write { word: String, fail: String },
    /// `rollout status`: the office's rollout watch prints and ends the command.
    Watching,
    /// `drain`: the cordon patch is on its way.
    Cordon,
    /// `drain`: the node's pods are being listed.
    ListPods,
    /// `drain`: evicting (or deleting) the pods and waiting until they are gone.
    Evicting { pods: Vec<PodEviction>, errors: Vec<String> },
}

#[derive(Clone, Debug)]
struct PodEviction {
    namespace: String,
    name: String,
    uid: String,
    state: PodState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PodState {
    /// The eviction (or delete) is on its way.
    Evicting,
    /// Refused with 429: evict again then.
    RetryAt(u64),
    /// Evicted; a GET is on its way (`in_flight`) or due at `next_us`.
    Waiting {
        in_flight: bool,
        next_us: u64,
    },
    Done,
}

fn deployments() -> &'static ApiResource {
    resources::resolve("deployments").expect("deployments are known")
}

/// `deployment.apps/nginx`: kubectl's name printer.
fn qualified_name(res: &ApiResource, name: &str) -> String {
    if res.group.is_empty() {
        format!("{}/{name}", res.singular)
    } else {
        format!("{}.{}/{name}", res.singular, res.group)
    }
}

/// `deployments.apps`: how the patch helpers name a resource in their errors.
fn plural_group(res: &ApiResource) -> String {
    if res.group.is_empty() {
        res.name.to_string()
    } else {
        format!("{}.{}", res.name, res.group)
    }
}

/// The message of an API error as `fmt.Errorf("…: %v", err)` prints it.
fn message(s: &Status) -> String {
    s.message.clone()
}

fn is_success(r: &Response) -> bool {
    matches!(r, Response::Object { .. } | Response::List { .. } | Response::Deleted(_))
}

/// drain's filters (`drain/filters.go` `makeFilters`), in order; each pod stops at the first
/// filter that does not delete it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Verdict {
    Okay,
    Skip,
    Warning { delete: bool, message: String },
    Error(String),
}

impl Verdict {
    fn deletes(&self) -> bool {
        matches!(self, Verdict::Okay | Verdict::Warning { delete: true, .. })
    }
}

/// `filterPods` for one pod. `daemon_set`: the controller DaemonSet's GET (kubectl asks the API;
/// the lab reads the answering API server's cache): `Err` its error message.
fn drain_verdict(d: &Drain, pod: &Object, daemon_set: impl Fn(&str, &str) -> Result<(), String>) -> Verdict {
    let finished = matches!(object::str_at(pod, "/status/phase"), "Succeeded" | "Failed");
    let controller = deployment::controller_ref(pod);
    let filters: [&dyn Fn() -> Verdict; 4] = [
        // daemonSetFilter
        &|| {
            let Some(c) = controller.filter(|c| object::str_at(c, "/kind") == "DaemonSet") else {
                return Verdict::Okay;
            };
            if finished {
                return Verdict::Okay;
            }
            if let Err(e) = daemon_set(object::namespace(pod), object::str_at(c, "/name")) {
                if d.force && e.ends_with("not found") {
                    return Verdict::Warning { delete: true, message: e };
                }
                return Verdict::Error(e);
            }
            if !d.ignore_daemonsets {
                return Verdict::Error("DaemonSet-managed Pods (use --ignore-daemonsets to ignore)".into());
            }
            Verdict::Warning { delete: false, message: "ignoring DaemonSet-managed Pods".into() }
        },
        // mirrorPodFilter: static pods' mirrors cannot be deleted through the API.
        &|| {
            let mirror = pod.pointer("/metadata/annotations/kubernetes.io~1config.mirror").is_some();
            if mirror {
                Verdict::Skip
            } else {
                Verdict::Okay
            }
        },
        // localStorageFilter
        &|| {
            let volumes = pod.pointer("/spec/volumes").and_then(Value::as_array);
            let empty_dir = volumes.is_some_and(|vs| vs.iter().any(|v| v.get("emptyDir").is_some()));
            if !empty_dir || finished {
                return Verdict::Okay;
            }
            if !d.delete_emptydir_data {
                return Verdict::Error("Pods with local storage (use --delete-emptydir-data to override)".into());
            }
            Verdict::Warning { delete: true, message: "deleting Pods with local storage".into() }
        },
        // unreplicatedFilter
        &|| {
            if finished || controller.is_some() {
                return Verdict::Okay;
            }
            if d.force {
                return Verdict::Warning { delete: true, message: "deleting Pods that declare no controller".into() };
            }
            // v1.27's wording (later versions say "Pods that declare no controller").
            Verdict::Error("Pods declare no controller (use --force to override)".into())
        },
    ];
    // skipDeletedFilter is Okay unless --skip-wait-for-delete-timeout (not simulated) is set.
    let mut verdict = Verdict::Okay;
    for f in filters {
        verdict = f();
        if !verdict.deletes() {
            break;
        }
    }
    verdict
}

/// `PodDeleteList.errors()` (v1.27: every message gets `cannot delete `) and `Warnings()`:
/// grouped by message with the pods' `ns/name`. kubectl groups through a Go map (random order);
/// the lab keeps the order of first appearance.
fn grouped(list: &[(String, String)]) -> Vec<(String, String)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (msg, pod) in list {
        match groups.iter_mut().find(|(m, _)| m == msg) {
            Some((_, pods)) => pods.push(pod.clone()),
            None => groups.push((msg.clone(), vec![pod.clone()])),
        }
    }
    groups.into_iter().map(|(m, p)| (m, p.join(", "))).collect()
}

/// An aggregate error's `Error()`: one message alone, several in brackets.
fn aggregate(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

impl World {
    /// Starts a command of several requests with its first GET.
    pub(super) fn start_kubectl_steps(&mut self, cmd: u32, s: Steps) -> Result<(), Text> {
        if self.office.is_none() {
            return Err(Text::new(
                "kubectl: 이 시나리오에는 Kubernetes가 없습니다 (etcd만 있는 세계). 새 랩을 열면 API 서버가 있는 클러스터가 시작됩니다",
                "kubectl: this scenario has no Kubernetes (an etcd-only world). A new lab starts a cluster with API servers",
            ));
        }
        if let Some(w) = &s.warning {
            self.say(cmd, LineKind::Stderr, Text::same(w.clone()));
        }
        let namespace =
            s.namespace.clone().unwrap_or_else(|| CONTEXTS[self.kube_context].namespace_or_default().to_string());
        let timeout_us = match &s.what {
            Step::RolloutStatus { timeout_us, .. } => *timeout_us,
            Step::Drain(d) => d.timeout_us,
            _ => 0,
        };
        let (res, name) = match &s.what {
            Step::RolloutStatus { name, .. }
            | Step::RolloutHistory { name, .. }
            | Step::RolloutUndo { name, .. }
            | Step::RolloutRestart { name }
            | Step::RolloutPause { name, .. } => (deployments(), name.clone()),
            Step::SetImage { resource, name, .. } => (*resource, name.clone()),
            Step::Drain(d) => (resources::resolve("nodes").expect("nodes are known"), d.node.clone()),
        };
        let deadline_us = (timeout_us > 0).then(|| self.now_us + timeout_us);
        let flow = Flow { steps: s, namespace, state: State::Get, sent: 0, deadline_us, wake_at_us: None };
        self.kubectl_steps.insert(cmd, flow);
        if let Some(at) = deadline_us {
            self.wake_steps_at(cmd, at);
        }
        let ns = self.kubectl_steps.get(&cmd).map(|f| f.namespace.clone()).unwrap_or_default();
        self.step_send(cmd, Req::new(Verb::Get, res, Some(&ns), &name), TAG_OBJECT);
        Ok(())
    }

    /// Sends one request of command `cmd` as kubectl (its context, `--as`, `--token`); a request
    /// that cannot be sent ends the command with kubectl's error.
    fn step_send(&mut self, cmd: u32, req: Req, tag: u32) {
        let Some(flow) = self.kubectl_steps.get_mut(&cmd) else { return };
        if flow.sent >= STEP_REQUESTS_MAX {
            self.step_fail(
                cmd,
                Text::new(
                    format!("lab: 이 명령은 요청을 {STEP_REQUESTS_MAX}개까지 보냅니다 — 멈춥니다"),
                    format!("lab: a command sends at most {STEP_REQUESTS_MAX} requests — stopping"),
                ),
            );
            return;
        }
        flow.sent += 1;
        let s = &flow.steps;
        let k = KubeCmd {
            verb: req.verb,
            resource: req.resource,
            all_namespaces: req.namespace.is_none(),
            namespace: req.namespace,
            name: req.name,
            body: req.body,
            resource_version: None,
            as_user: s.as_user.clone(),
            as_groups: s.as_groups.clone(),
            token: s.token.clone(),
            print: Print::Step(tag),
            watch: false,
            client: Client::Kubectl,
            subresource: req.subresource,
            delete: req.delete,
            warning: None,
        };
        if let Err(e) = self.submit_kube(cmd, k) {
            self.step_fail(cmd, e);
        }
    }

    /// Ends command `cmd` with an error line.
    fn step_fail(&mut self, cmd: u32, e: Text) {
        self.say(cmd, LineKind::Stderr, e);
        self.step_end(cmd, true);
    }

    fn step_end(&mut self, cmd: u32, failed: bool) {
        self.kubectl_steps.remove(&cmd);
        self.stop_api_watches_of(cmd);
        self.finish(cmd, failed);
    }

    fn step_out(&mut self, cmd: u32, line: String) {
        self.say(cmd, LineKind::Stdout, Text::same(line));
    }

    fn step_err(&mut self, cmd: u32, line: String) {
        self.say(cmd, LineKind::Stderr, Text::same(line));
    }

    fn wake_steps_at(&mut self, cmd: u32, at_us: u64) {
        let Some(flow) = self.kubectl_steps.get_mut(&cmd) else { return };
        if flow.wake_at_us.is_some_and(|w| w <= at_us && w >= self.now_us) {
            return;
        }
        flow.wake_at_us = Some(at_us);
        self.queue.push(at_us, Event::KubectlWake { cmd });
    }

    /// `^C`: stops the newest running command of several requests if it is newer than
    /// `than_cmd`; returns it.
    pub(super) fn interrupt_kubectl_steps(&mut self, than_cmd: Option<u32>) -> Option<u32> {
        let newest = *self.kubectl_steps.keys().next_back()?;
        if than_cmd.is_some_and(|c| c > newest) {
            return None;
        }
        self.kubectl_steps.remove(&newest);
        self.stop_api_watches_of(newest);
        Some(newest)
    }

    /// An answer to one of command `cmd`'s requests.
    pub(super) fn kubectl_step_answered(
        &mut self,
        cmd: u32,
        tag: u32,
        server: MemberId,
        user: Option<UserInfo>,
        response: Response,
    ) {
        let Some(flow) = self.kubectl_steps.get(&cmd) else { return };
        let state = flow.state.clone();
        let what = flow.steps.what.clone();
        match state {
            State::Get => self.step_got(cmd, &what, response),
            State::List { object } => self.step_listed(cmd, &what, object, server, user, response),
            State::Write { word, fail } => {
                let (res, name) = match &what {
                    Step::SetImage { resource, name, .. } => (*resource, name.as_str()),
                    Step::RolloutUndo { name, .. }
                    | Step::RolloutRestart { name }
                    | Step::RolloutPause { name, .. }
                    | Step::RolloutStatus { name, .. }
                    | Step::RolloutHistory { name, .. } => (deployments(), name.as_str()),
                    Step::Drain(d) => (resources::resolve("nodes").expect("nodes are known"), d.node.as_str()),
                };
                match response {
                    Response::Status(s) => self.step_fail(cmd, Text::same(format!("error: {fail}{}", message(&s)))),
                    _ => {
                        self.step_out(cmd, format!("{} {word}", qualified_name(res, name)));
                        self.step_end(cmd, false);
                    }
                }
            }
            State::Watching => {}
            State::Cordon => {
                let Step::Drain(d) = &what else { return };
                match &response {
                    Response::Status(s) => {
                        // drain.go RunCordonOrUncordon prints the error and drains anyway.
                        self.step_err(cmd, format!("error: unable to cordon node {:?}: {}", d.node, message(s)));
                    }
                    _ => self.step_out(cmd, format!("node/{} cordoned", d.node)),
                }
                self.drain_list_pods(cmd);
            }
            State::ListPods => self.drain_listed(cmd, server, response),
            State::Evicting { .. } => self.drain_pod_answered(cmd, tag, response),
        }
    }

    /// The first GET's answer: the object the command works on.
    fn step_got(&mut self, cmd: u32, what: &Step, response: Response) {
        let obj = match response {
            Response::Object { object, .. } => object,
            Response::Status(s) => return self.step_fail(cmd, Text::same(s.kubectl_line())),
            _ => return self.step_end(cmd, true),
        };
        let set_state = |w: &mut World, state: State| {
            if let Some(f) = w.kubectl_steps.get_mut(&cmd) {
                f.state = state;
            }
        };
        let ns = self.kubectl_steps.get(&cmd).map(|f| f.namespace.clone()).unwrap_or_default();
        let patch = |w: &mut World, res: &'static ApiResource, name: &str, body: Value, word: &str, fail: String| {
            set_state(w, State::Write { word: word.to_string(), fail });
            let ns = w.kubectl_steps.get(&cmd).map(|f| f.namespace.clone()).unwrap_or_default();
            w.step_send(cmd, Req { body: Some(body), ..Req::new(Verb::Patch, res, Some(&ns), name) }, TAG_OBJECT);
        };
        let name = object::name(&obj).to_string();
        let d_name = plural_group(deployments());
        let paused = obj.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
        match what {
            Step::RolloutStatus { .. } => {
                // rollout_status.go watches through a ListWatch (field selector on the name):
                // the list comes first.
                set_state(self, State::List { object: None });
                self.step_send(cmd, Req::new(Verb::List, deployments(), Some(&ns), ""), TAG_OBJECT);
            }
            Step::RolloutHistory { .. } | Step::RolloutUndo { .. } => {
                // `deploymentutil.GetAllReplicaSets`: the namespace's ReplicaSets.
                let rs = resources::resolve("replicasets").expect("replicasets are known");
                set_state(self, State::List { object: Some(obj) });
                self.step_send(cmd, Req::new(Verb::List, rs, Some(&ns), ""), TAG_OBJECT);
            }
            Step::RolloutRestart { .. } => {
                if paused {
                    let e =
                        format!("error: {d_name} {name:?} can't restart paused deployment (run rollout resume first)");
                    return self.step_fail(cmd, Text::same(e));
                }
                // objectrestarter.go: `time.Now().Format(time.RFC3339)` (the lab's clock is UTC).
                let at = object::rfc3339(object::unix_s(self.now_us));
                let key = "/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt";
                if object::str_at(&obj, key) == at {
                    let e = format!("error: failed to create patch for {name}: if restart has already been triggered within the past second, please wait before attempting to trigger another");
                    return self.step_fail(cmd, Text::same(e));
                }
                let body = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at}}}}});
                patch(self, deployments(), &name, body, "restarted", "failed to patch: ".into());
            }
            Step::RolloutPause { pause, .. } => {
                if paused == *pause {
                    let why = if *pause { "is already paused" } else { "is not paused" };
                    return self.step_fail(cmd, Text::same(format!("error: {d_name} {name:?} {why}")));
                }
                let body = json!({"spec": {"paused": if *pause { json!(true) } else { Value::Null }}});
                let word = if *pause { "paused" } else { "resumed" };
                patch(self, deployments(), &name, body, word, "failed to patch: ".into());
            }
            Step::SetImage { resource, images, change_cause, .. } => {
                let pairs: Vec<(&str, &str)> = images.iter().map(|(c, i)| (c.as_str(), i.as_str())).collect();
                let mut new = match rollout::set_image(&obj, &pairs) {
                    Ok(new) => new,
                    Err(e) => return self.step_fail(cmd, Text::same(e)),
                };
                if let Some(cause) = change_cause {
                    // `ChangeCauseRecorder.Record`.
                    if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                        let ann = meta.entry("annotations").or_insert_with(|| json!({}));
                        if let Some(ann) = ann.as_object_mut() {
                            ann.insert(CHANGE_CAUSE_ANNOTATION.to_string(), json!(cause));
                        }
                    }
                }
                if new == obj {
                    // set_image.go: an empty patch is not sent, and nothing is printed.
                    return self.step_end(cmd, false);
                }
                let body = rollout::replacing_merge_patch(&obj, &new);
                let fail = "failed to patch image update to pod template: ".to_string();
                patch(self, resource, &name, body, "image updated", fail);
            }
            Step::Drain(d) => {
                // cordon_helper.go `UpdateIfRequired`: nothing to patch when already cordoned.
                if obj.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
                    self.step_out(cmd, format!("node/{} already cordoned", d.node));
                    self.drain_list_pods(cmd);
                } else {
                    set_state(self, State::Cordon);
                    let nodes = resources::resolve("nodes").expect("nodes are known");
                    let body = json!({"spec": {"unschedulable": true}});
                    self.step_send(
                        cmd,
                        Req { body: Some(body), ..Req::new(Verb::Patch, nodes, None, &d.node) },
                        TAG_OBJECT,
                    );
                }
            }
        }
    }

    /// The list after the GET: the Deployment to watch (status) or the ReplicaSets (history,
    /// undo).
    fn step_listed(
        &mut self,
        cmd: u32,
        what: &Step,
        got: Option<Object>,
        server: MemberId,
        user: Option<UserInfo>,
        response: Response,
    ) {
        let (rv, items) = match response {
            Response::List { resource_version, items } => (resource_version, items),
            Response::Status(s) => return self.step_fail(cmd, Text::same(s.kubectl_line())),
            _ => return self.step_end(cmd, true),
        };
        let namespace = self.kubectl_steps.get(&cmd).map(|f| f.namespace.clone()).unwrap_or_default();
        let rss: Vec<&Object> = items.iter().collect();
        let d = got.unwrap_or(Value::Null);
        match what {
            Step::RolloutStatus { name, watch, revision, .. } => {
                let wanted = Some(*revision);
                if let Some(d) = items.iter().find(|d| object::name(d) == name) {
                    // The ListWatch's first event: ADDED with the listed object.
                    match rollout::rollout_status(d, wanted) {
                        Ok((line, done)) => {
                            self.step_out(cmd, line);
                            if done || !watch {
                                return self.step_end(cmd, false);
                            }
                        }
                        Err(e) => return self.step_fail(cmd, Text::same(e)),
                    }
                }
                if let Err(e) = self.start_rollout_watch(cmd, server, user, &namespace, name, *revision, rv) {
                    return self.step_fail(cmd, Text::same(e));
                }
                if let Some(f) = self.kubectl_steps.get_mut(&cmd) {
                    f.state = State::Watching;
                }
            }
            Step::RolloutHistory { revision, .. } => match rollout::rollout_history(&d, &rss, Some(*revision)) {
                Ok(lines) => {
                    for l in lines {
                        self.step_out(cmd, l);
                    }
                    self.step_end(cmd, false);
                }
                Err(e) => self.step_fail(cmd, Text::same(e)),
            },
            Step::RolloutUndo { to_revision, .. } => {
                let name = object::name(&d).to_string();
                match rollout::rollout_undo(&d, &rss, *to_revision) {
                    Ok(rollout::Undo::Skipped { message }) => {
                        self.step_out(cmd, format!("{} {message}", qualified_name(deployments(), &name)));
                        self.step_end(cmd, false);
                    }
                    Ok(rollout::Undo::RolledBack { patch }) => {
                        if let Some(f) = self.kubectl_steps.get_mut(&cmd) {
                            let fail = format!("failed restoring revision {to_revision}: ");
                            f.state = State::Write { word: "rolled back".into(), fail };
                        }
                        let req =
                            Req { body: Some(patch), ..Req::new(Verb::Patch, deployments(), Some(&namespace), &name) };
                        self.step_send(cmd, req, TAG_OBJECT);
                    }
                    Err(e) => self.step_fail(cmd, Text::same(e)),
                }
            }
            _ => self.step_end(cmd, true),
        }
    }

    /// The time (`--timeout`) or a drain's next poll has come.
    pub(super) fn kubectl_steps_wake(&mut self, cmd: u32) {
        let now = self.now_us;
        let Some(flow) = self.kubectl_steps.get_mut(&cmd) else { return };
        if flow.wake_at_us.is_some_and(|w| w <= now) {
            flow.wake_at_us = None;
        }
        if flow.deadline_us.is_some_and(|d| now >= d) {
            return self.step_timed_out(cmd);
        }
        self.drain_poll(cmd);
    }

    fn step_timed_out(&mut self, cmd: u32) {
        let Some(flow) = self.kubectl_steps.get(&cmd) else { return };
        match (&flow.steps.what, &flow.state) {
            (Step::Drain(d), State::Evicting { pods, errors }) => {
                // drain.go: the global timeout ends the wait for every pod still there.
                let took = crate::etcd::client::go_duration_us(d.timeout_us);
                let mut errors = errors.clone();
                for p in pods.iter().filter(|p| p.state != PodState::Done) {
                    errors.push(format!(
                        "error when waiting for pod {:?} in namespace {:?} to terminate: global timeout reached: {took}",
                        p.name, p.namespace
                    ));
                }
                let node = d.node.clone();
                self.drain_failed(cmd, &node, &errors);
            }
            // watch.UntilWithSync's context deadline.
            _ => self.step_fail(cmd, Text::same("error: timed out waiting for the condition")),
        }
    }

    // ---- drain ------------------------------------------------------------------------------

    /// `GetPodsForDeletion`: every pod on the node (kubectl lists with the field selector
    /// `spec.nodeName=NODE`; the lab's API servers have no field selectors, so kubectl lists all
    /// namespaces' pods and keeps the node's).
    fn drain_list_pods(&mut self, cmd: u32) {
        if let Some(f) = self.kubectl_steps.get_mut(&cmd) {
            f.state = State::ListPods;
        }
        let pods = resources::resolve("pods").expect("pods are known");
        self.step_send(cmd, Req::new(Verb::List, pods, None, ""), TAG_OBJECT);
    }

    /// `deleteOrEvictPodsSimple`: filter the node's pods, say what is ignored, evict the rest.
    fn drain_listed(&mut self, cmd: u32, server: MemberId, response: Response) {
        let Some(Step::Drain(d)) = self.kubectl_steps.get(&cmd).map(|f| f.steps.what.clone()) else { return };
        let items = match response {
            Response::List { items, .. } => items,
            Response::Status(s) => {
                let e = message(&s);
                self.step_err(
                    cmd,
                    format!("error: unable to drain node {:?} due to error:{e}, continuing command...", d.node),
                );
                self.step_err(cmd, "There are pending nodes to be drained:".into());
                self.step_err(cmd, format!(" {}", d.node));
                return self.step_fail(cmd, Text::same(s.kubectl_line()));
            }
            _ => return self.step_end(cmd, true),
        };
        let cache = self.office.as_ref().map(|o| &o.tellers[(server - 1) as usize].cache);
        let daemon_set = |ns: &str, name: &str| -> Result<(), String> {
            match cache.and_then(|c| Informers::get(c, "daemonsets", ns, name)) {
                Some(_) => Ok(()),
                None => Err(format!("daemonsets.apps {name:?} not found")),
            }
        };
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut warnings: Vec<(String, String)> = Vec::new();
        let mut evict: Vec<PodEviction> = Vec::new();
        for pod in items.iter().filter(|p| object::str_at(p, "/spec/nodeName") == d.node) {
            let key = format!("{}/{}", object::namespace(pod), object::name(pod));
            let verdict = drain_verdict(&d, pod, daemon_set);
            match &verdict {
                Verdict::Error(m) => errors.push((m.clone(), key)),
                Verdict::Warning { message, .. } => warnings.push((message.clone(), key)),
                Verdict::Okay | Verdict::Skip => {}
            }
            if verdict.deletes() {
                evict.push(PodEviction {
                    namespace: object::namespace(pod).to_string(),
                    name: object::name(pod).to_string(),
                    uid: object::str_at(pod, "/metadata/uid").to_string(),
                    state: PodState::Evicting,
                });
            }
        }
        if !errors.is_empty() {
            let errors: Vec<String> =
                grouped(&errors).into_iter().map(|(m, p)| format!("cannot delete {m}: {p}")).collect();
            return self.drain_failed(cmd, &d.node, &errors);
        }
        if !warnings.is_empty() {
            let w: Vec<String> = grouped(&warnings).into_iter().map(|(m, p)| format!("{m}: {p}")).collect();
            self.step_err(cmd, format!("Warning: {}", w.join("; ")));
        }
        if evict.len() > DRAIN_PODS_MAX {
            return self.step_fail(
                cmd,
                Text::new(
                    format!("lab: 이 랩의 drain은 파드 {DRAIN_PODS_MAX}개까지 내보냅니다"),
                    format!("lab: the lab's drain evicts at most {DRAIN_PODS_MAX} pods"),
                ),
            );
        }
        if evict.is_empty() {
            self.step_out(cmd, format!("node/{} drained", d.node));
            return self.step_end(cmd, false);
        }
        let n = evict.len();
        if let Some(f) = self.kubectl_steps.get_mut(&cmd) {
            f.state = State::Evicting { pods: evict, errors: Vec::new() };
        }
        // evictPods starts one goroutine per pod at once; deletePods deletes them in turn.
        for i in 0..n {
            self.drain_evict(cmd, i);
        }
    }

    /// Evicts (or, with `--disable-eviction`, deletes) pod `i` of the drain.
    fn drain_evict(&mut self, cmd: u32, i: usize) {
        let Some(flow) = self.kubectl_steps.get_mut(&cmd) else { return };
        let Step::Drain(d) = &flow.steps.what else { return };
        let (grace_s, disable) = (d.grace_period_s, d.disable_eviction);
        let State::Evicting { pods, .. } = &mut flow.state else { return };
        let Some(p) = pods.get_mut(i) else { return };
        p.state = PodState::Evicting;
        let (ns, name) = (p.namespace.clone(), p.name.clone());
        let pods_res = resources::resolve("pods").expect("pods are known");
        // drain.go `makeDeleteOptions`: a grace period only when one was asked for.
        let delete = DeleteOptions { grace_period_s: u64::try_from(grace_s).ok(), ..DeleteOptions::default() };
        let tag = i as u32;
        if disable {
            self.step_send(cmd, Req { delete, ..Req::new(Verb::Delete, pods_res, Some(&ns), &name) }, tag);
            return;
        }
        self.step_out(cmd, format!("evicting pod {ns}/{name}"));
        let mut eviction =
            json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": ns}});
        if grace_s >= 0 {
            eviction["deleteOptions"] = json!({"gracePeriodSeconds": grace_s});
        }
        let req =
            Req { body: Some(eviction), subresource: "eviction", ..Req::new(Verb::Create, pods_res, Some(&ns), &name) };
        self.step_send(cmd, req, tag);
    }

    /// GETs pod `i` (`waitForDelete`'s `getPodFn`).
    fn drain_get(&mut self, cmd: u32, i: usize) {
        let Some(flow) = self.kubectl_steps.get_mut(&cmd) else { return };
        let State::Evicting { pods, .. } = &mut flow.state else { return };
        let Some(p) = pods.get_mut(i) else { return };
        p.state = PodState::Waiting { in_flight: true, next_us: 0 };
        let (ns, name) = (p.namespace.clone(), p.name.clone());
        let pods_res = resources::resolve("pods").expect("pods are known");
        self.step_send(cmd, Req::new(Verb::Get, pods_res, Some(&ns), &name), i as u32);
    }

    fn drain_pod_answered(&mut self, cmd: u32, tag: u32, response: Response) {
        let now = self.now_us;
        let i = tag as usize;
        let Some(flow) = self.kubectl_steps.get_mut(&cmd) else { return };
        let Step::Drain(d) = &flow.steps.what else { return };
        let verb = if d.disable_eviction { "deleted" } else { "evicted" };
        let State::Evicting { pods, errors } = &mut flow.state else { return };
        let Some(p) = pods.get_mut(i) else { return };
        let mut out: Vec<(LineKind, String)> = Vec::new();
        let mut get_now = false;
        match p.state {
            PodState::Evicting => match &response {
                r if is_success(r) => get_now = true,
                // A pod already gone counts as evicted, silently.
                Response::Status(s) if s.code == 404 => p.state = PodState::Done,
                Response::Status(s) if s.code == 429 => {
                    out.push((
                        LineKind::Stderr,
                        format!(
                            "error when evicting pods/{:?} -n {:?} (will retry after 5s): {}",
                            p.name,
                            p.namespace,
                            message(s)
                        ),
                    ));
                    p.state = PodState::RetryAt(now + EVICT_RETRY_US);
                }
                Response::Status(s) => {
                    errors.push(format!("error when evicting pods/{:?} -n {:?}: {}", p.name, p.namespace, message(s)));
                    p.state = PodState::Done;
                }
                _ => p.state = PodState::Done,
            },
            PodState::Waiting { in_flight: true, .. } => {
                let gone = match &response {
                    Response::Object { object, .. } => object::str_at(object, "/metadata/uid") != p.uid,
                    Response::Status(s) if s.code == 404 => true,
                    Response::Status(s) => {
                        errors.push(format!(
                            "error when waiting for pod {:?} in namespace {:?} to terminate: {}",
                            p.name,
                            p.namespace,
                            message(s)
                        ));
                        p.state = PodState::Done;
                        false
                    }
                    _ => false,
                };
                if gone {
                    // drain.go `onPodDeletedOrEvicted`.
                    out.push((LineKind::Stdout, format!("pod/{} {verb}", p.name)));
                    p.state = PodState::Done;
                } else if p.state != PodState::Done {
                    p.state = PodState::Waiting { in_flight: false, next_us: now + DRAIN_POLL_US };
                }
            }
            _ => {}
        }
        for (kind, line) in out {
            self.say(cmd, kind, Text::same(line));
        }
        if get_now {
            // wait.PollImmediate: the first look right away.
            self.drain_get(cmd, i);
        }
        self.drain_poll(cmd);
    }

    /// Sends what is due (polls, retried evictions), queues the next wake, or ends the drain.
    fn drain_poll(&mut self, cmd: u32) {
        let now = self.now_us;
        let Some(flow) = self.kubectl_steps.get(&cmd) else { return };
        let Step::Drain(d) = &flow.steps.what else { return };
        let node = d.node.clone();
        let State::Evicting { pods, errors } = &flow.state else { return };
        if pods.iter().all(|p| p.state == PodState::Done) {
            if errors.is_empty() {
                self.step_out(cmd, format!("node/{node} drained"));
                return self.step_end(cmd, false);
            }
            let errors = errors.clone();
            return self.drain_failed(cmd, &node, &errors);
        }
        let mut next: Option<u64> = None;
        let mut due_get = Vec::new();
        let mut due_evict = Vec::new();
        for (i, p) in pods.iter().enumerate() {
            match p.state {
                PodState::Waiting { in_flight: false, next_us } if next_us <= now => due_get.push(i),
                PodState::RetryAt(t) if t <= now => due_evict.push(i),
                PodState::Waiting { in_flight: false, next_us: t } | PodState::RetryAt(t) => {
                    next = Some(next.map_or(t, |n: u64| n.min(t)));
                }
                _ => {}
            }
        }
        for i in due_get {
            self.drain_get(cmd, i);
        }
        for i in due_evict {
            self.drain_evict(cmd, i);
        }
        if let Some(t) = next {
            self.wake_steps_at(cmd, t);
        }
    }

    /// `RunDrain`'s failure: the error, the node left to drain, then the errors again as
    /// `cmdutil.CheckErr` prints an aggregate (one a line, without `error:`).
    fn drain_failed(&mut self, cmd: u32, node: &str, errors: &[String]) {
        let agg = aggregate(errors);
        self.step_err(cmd, format!("error: unable to drain node {node:?} due to error:{agg}, continuing command..."));
        self.step_err(cmd, "There are pending nodes to be drained:".into());
        self.step_err(cmd, format!(" {node}"));
        for e in errors {
            self.step_err(cmd, e.clone());
        }
        self.step_end(cmd, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::handler::Stage;

    fn world_with(lines: &[&str]) -> World {
        let mut w = World::with_kubernetes(1, 3);
        for l in lines {
            let id = w.submit(l);
            w.run_until_done(id);
        }
        w
    }

    /// The requests command `cmd` sent, as `METHOD path code`.
    fn requests_of(w: &World, cmd: u32) -> Vec<String> {
        let office = w.office().expect("a cluster");
        office
            .requests()
            .filter(|r| r.cmd == cmd && r.stage == Stage::Done)
            .map(|r| format!("{} {} {}", r.call.verb.method(), r.call.path(), r.code.unwrap_or(0)))
            .collect()
    }

    /// kubectl's requests, in kubectl's order, each through an API server (rollout_status.go:
    /// the builder's GET, then the ListWatch's LIST; rollback.go: GET, LIST ReplicaSets, PATCH).
    #[test]
    fn each_step_is_a_request_through_an_api_server() {
        let mut w = world_with(&["kubectl create deployment web --image=nginx --replicas=2"]);
        let status = w.submit("kubectl rollout status deployment/web");
        w.run_until_done(status);
        assert!(!w.commands()[status as usize].failed);
        assert_eq!(
            requests_of(&w, status)[..2],
            [
                "GET /apis/apps/v1/namespaces/default/deployments/web 200".to_string(),
                "GET /apis/apps/v1/namespaces/default/deployments 200".to_string(),
            ]
        );
        let set = w.submit("kubectl set image deployment/web nginx=nginx:1.25");
        w.run_until_done(set);
        let undo = w.submit("kubectl rollout undo deployment/web");
        w.run_until_done(undo);
        assert_eq!(
            requests_of(&w, undo),
            [
                "GET /apis/apps/v1/namespaces/default/deployments/web 200",
                "GET /apis/apps/v1/namespaces/default/replicasets 200",
                "PATCH /apis/apps/v1/namespaces/default/deployments/web 200",
            ]
        );
        assert!(w.kubectl_steps.is_empty(), "finished commands leave nothing behind");
    }

    /// drain.go: cordon (PATCH), list the pods, POST each one's eviction, GET it until it is gone.
    #[test]
    fn a_drain_evicts_through_the_eviction_subresource() {
        let mut w = world_with(&["kubectl create deployment web --image=nginx --replicas=4", "sleep 6"]);
        let drain = w.submit("kubectl drain challenge-cluster-worker --ignore-daemonsets");
        w.run_until_done(drain);
        assert!(!w.commands()[drain as usize].failed);
        let sent = requests_of(&w, drain);
        assert_eq!(sent[0], "GET /api/v1/nodes/challenge-cluster-worker 200");
        assert_eq!(sent[1], "PATCH /api/v1/nodes/challenge-cluster-worker 200");
        assert_eq!(sent[2], "GET /api/v1/pods 200");
        let evictions = sent.iter().filter(|r| r.starts_with("POST ") && r.ends_with("/eviction 201")).count();
        let gone = sent
            .iter()
            .filter(|r| r.starts_with("GET /api/v1/namespaces/default/pods/") && r.ends_with(" 404"))
            .count();
        assert!(evictions > 0 && evictions == gone, "{sent:?}");
        let cache = w.office_cache().expect("an API server");
        let left = Informers::list(cache, "pods", "default")
            .into_iter()
            .filter(|p| object::str_at(p, "/spec/nodeName") == "challenge-cluster-worker")
            .count();
        assert_eq!(left, 0);
    }

    /// `^C` ends a `rollout status` that is still waiting, and its watch.
    #[test]
    fn interrupt_stops_a_waiting_rollout_status() {
        let mut w = world_with(&["kubectl create deployment web --image=nginx --replicas=2", "sleep 5"]);
        let set = w.submit("kubectl set image deployment/web nginx=nginx:1.25");
        w.run_until_done(set);
        let status = w.submit("kubectl rollout status deployment/web");
        w.run_until(w.now_us() + 300_000);
        assert_eq!(w.commands()[status as usize].done_at_us, None, "still waiting");
        assert!(w.office().is_some_and(|o| o.watches.iter().any(|x| x.cmd == status)));
        let stop = w.submit("^C");
        w.run_until_done(stop);
        assert!(w.commands()[status as usize].failed);
        assert!(w.kubectl_steps.is_empty());
        assert!(w.office().is_some_and(|o| o.watches.iter().all(|x| x.cmd != status)));
    }

    fn drain(force: bool, ignore_daemonsets: bool, delete_emptydir_data: bool) -> Drain {
        Drain {
            node: "w".into(),
            ignore_daemonsets,
            delete_emptydir_data,
            force,
            grace_period_s: -1,
            timeout_us: 0,
            disable_eviction: false,
        }
    }

    fn pod(owner_kind: Option<&str>, empty_dir: bool, mirror: bool) -> Object {
        let mut p = json!({"metadata": {"name": "p", "namespace": "default"}, "spec": {"nodeName": "w"}, "status": {"phase": "Running"}});
        if let Some(k) = owner_kind {
            p["metadata"]["ownerReferences"] = json!([{"kind": k, "name": "owner", "controller": true, "uid": "u"}]);
        }
        if empty_dir {
            p["spec"]["volumes"] = json!([{"name": "scratch", "emptyDir": {}}]);
        }
        if mirror {
            p["metadata"]["annotations"] = json!({"kubernetes.io/config.mirror": "hash"});
        }
        p
    }

    const DS_OK: fn(&str, &str) -> Result<(), String> = |_, _| Ok(());

    /// KK v1.27 `staging/src/k8s.io/kubectl/pkg/drain/filters.go`: DaemonSet pods stop a drain
    /// unless ignored (then kept), bare pods unless --force (then deleted), emptyDir pods unless
    /// --delete-emptydir-data; mirror pods are skipped; ReplicaSet pods are evicted.
    #[test]
    fn drains_filters_decide_like_kubectl() {
        let plain = drain(false, false, false);
        assert_eq!(drain_verdict(&plain, &pod(Some("ReplicaSet"), false, false), DS_OK), Verdict::Okay);
        assert_eq!(
            drain_verdict(&plain, &pod(Some("DaemonSet"), false, false), DS_OK),
            Verdict::Error("DaemonSet-managed Pods (use --ignore-daemonsets to ignore)".into())
        );
        assert_eq!(
            drain_verdict(&drain(false, true, false), &pod(Some("DaemonSet"), false, false), DS_OK),
            Verdict::Warning { delete: false, message: "ignoring DaemonSet-managed Pods".into() }
        );
        assert_eq!(
            drain_verdict(&plain, &pod(None, false, false), DS_OK),
            Verdict::Error("Pods declare no controller (use --force to override)".into())
        );
        assert_eq!(
            drain_verdict(&drain(true, false, false), &pod(None, false, false), DS_OK),
            Verdict::Warning { delete: true, message: "deleting Pods that declare no controller".into() }
        );
        assert_eq!(drain_verdict(&plain, &pod(Some("Node"), false, true), DS_OK), Verdict::Skip);
        assert_eq!(
            drain_verdict(&plain, &pod(Some("ReplicaSet"), true, false), DS_OK),
            Verdict::Error("Pods with local storage (use --delete-emptydir-data to override)".into())
        );
        // The last filter's warning wins (filters.go's TODO): a bare emptyDir pod with both flags.
        assert_eq!(
            drain_verdict(&drain(true, false, true), &pod(None, true, false), DS_OK),
            Verdict::Warning { delete: true, message: "deleting Pods that declare no controller".into() }
        );
        // A finished pod goes, whoever owns it.
        let mut done = pod(Some("DaemonSet"), true, false);
        done["status"]["phase"] = json!("Succeeded");
        assert_eq!(drain_verdict(&plain, &done, DS_OK), Verdict::Okay);
        // An orphaned DaemonSet pod: the GET's error, a warning with --force.
        let gone = |_: &str, n: &str| Err(format!("daemonsets.apps {n:?} not found"));
        assert_eq!(
            drain_verdict(&plain, &pod(Some("DaemonSet"), false, false), gone),
            Verdict::Error("daemonsets.apps \"owner\" not found".into())
        );
        assert!(drain_verdict(&drain(true, false, false), &pod(Some("DaemonSet"), false, false), gone).deletes());
    }

    #[test]
    fn errors_and_warnings_group_by_message() {
        let list = vec![
            ("a".to_string(), "kube-system/x".to_string()),
            ("b".to_string(), "default/y".to_string()),
            ("a".to_string(), "kube-system/z".to_string()),
        ];
        assert_eq!(
            grouped(&list),
            vec![("a".into(), "kube-system/x, kube-system/z".into()), ("b".into(), "default/y".into())]
        );
        assert_eq!(aggregate(&["e".into()]), "e");
        assert_eq!(aggregate(&["e".into(), "f".into()]), "[e, f]");
    }
}
