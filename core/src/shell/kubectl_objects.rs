//! The kubectl commands that talk to the API server: `get`, `create …`, `run`, `delete`,
//! `label`, `get --raw`. Each becomes one REST call ([`KubeCmd`]); the world sends it through
//! kind's load balancer to an API server and prints the answer as kubectl v1.27 does.

use serde_json::{json, Map, Value};

use super::{printable, Command, ParseError};
use crate::apiserver::handler::{DeleteOptions, Verb};
use crate::apiserver::Object;
use crate::controllers::Propagation;
use crate::i18n::Text;
use crate::k8s::resources::{self, ApiResource};

/// How kubectl prints a successful answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Print {
    /// `kubectl get`: a table (`wide`), or `-o yaml|json|name`.
    Get { output: Output, show_labels: bool, no_headers: bool },
    /// `<kind>[.<group>]/<name> <word>` (`pod/x created`, `namespace/dev labeled`).
    Done(&'static str),
    /// `<kind>[.<group>] "<name>" deleted` (lowercase kind, as delete.go `PrintObj`).
    Deleted,
    /// `<kind>[.<group>] "<name>" force deleted` (`--grace-period=0 --force`).
    ForceDeleted,
    /// `kubectl get --raw`: the response body as JSON.
    Raw,
    /// `curl`: the HTTP response body, pretty-printed as kube-apiserver does for curl.
    Curl,
    /// `kubectl describe`: the object(s) with their events (and pods, lease) from the answering
    /// API server's watch cache.
    Describe,
    /// One request of a command of several (`shell::kubectl_steps`): the answer goes back to
    /// that command, with this tag, instead of being printed.
    Step(u32),
}

/// Who sends the request and with which credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// kubectl with the current context's credentials.
    Kubectl,
    /// curl through `kubectl proxy` on this port (the proxy adds its context's credentials).
    Proxy(u16),
    /// curl straight at the API server, without credentials (the anonymous user).
    Direct,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Table,
    Wide,
    Yaml,
    Json,
    Name,
}

/// One kubectl command that becomes one API request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeCmd {
    pub verb: Verb,
    pub resource: &'static ApiResource,
    /// `-n`; `None`: the context's namespace.
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    pub name: String,
    pub body: Option<Object>,
    /// `?resourceVersion=` (only `get --raw` can set it).
    pub resource_version: Option<String>,
    pub as_user: Option<String>,
    pub as_groups: Vec<String>,
    pub token: Option<String>,
    pub print: Print,
    /// `get -w` / `?watch=1`: after the list, stream the changes (a watch on the API server's
    /// cache) until `^C`.
    pub watch: bool,
    pub client: Client,
    /// `""` or the subresource addressed (`ApiCall::subresource`).
    pub subresource: &'static str,
    /// A delete's options, as kubectl sets them.
    pub delete: DeleteOptions,
    /// What kubectl writes to stderr before it sends the request.
    pub warning: Option<String>,
}

fn err(msg: String) -> ParseError {
    Text::same(format!("error: {msg}"))
}

/// The flags every kubectl command takes, and the words left over.
pub(super) struct Flags {
    pub(super) words: Vec<String>,
    /// Flags kept for the subcommand: name → value ("" for a switch).
    values: Vec<(String, String)>,
}

/// Switches: flags without a value (pflag bools: `--watch=false` gives one with `=`).
const SWITCHES: [&str; 16] = [
    "-A",
    "--all-namespaces",
    "--show-labels",
    "--no-headers",
    "--overwrite",
    "--privileged",
    "--dry-run",
    "-w",
    "--watch",
    // pflag `NoOptDefVal`: a bare `--cascade` is `background`; a value needs `=`.
    "--cascade",
    "--force",
    // `kubectl set image --record`, `kubectl drain`.
    "--record",
    "--ignore-daemonsets",
    "--delete-emptydir-data",
    "--delete-local-data",
    "--disable-eviction",
];

pub(super) fn split_flags_pub(args: &[String]) -> Result<Flags, ParseError> {
    split_flags(args)
}

fn split_flags(args: &[String]) -> Result<Flags, ParseError> {
    let mut words = Vec::new();
    let mut values = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if !a.starts_with('-') || a == "-" {
            words.push(a.clone());
            continue;
        }
        if let Some((f, v)) = a.split_once('=') {
            values.push((f.to_string(), v.to_string()));
        } else if SWITCHES.contains(&a.as_str()) {
            values.push((a.clone(), String::new()));
        } else {
            let v = it.next().ok_or_else(|| err(format!("flag needs an argument: {}", printable(a))))?;
            values.push((a.clone(), v.clone()));
        }
    }
    Ok(Flags { words, values })
}

impl Flags {
    pub(super) fn take(&mut self, names: &[&str]) -> Option<String> {
        let i = self.values.iter().position(|(f, _)| names.contains(&f.as_str()))?;
        Some(self.values.remove(i).1)
    }

    pub(super) fn take_all(&mut self, name: &str) -> Vec<String> {
        let (hit, rest): (Vec<_>, Vec<_>) = self.values.drain(..).partition(|(f, _)| f == name);
        self.values = rest;
        hit.into_iter().map(|(_, v)| v).collect()
    }

    pub(super) fn has(&mut self, names: &[&str]) -> bool {
        self.take(names).is_some()
    }

    /// Any flag left over is one kubectl does not know (for this command).
    pub(super) fn done(&self) -> Result<(), ParseError> {
        match self.values.first() {
            Some((f, _)) => Err(err(format!("unknown flag: {}", printable(f)))),
            None => Ok(()),
        }
    }
}

pub(super) fn resource(typed: &str) -> Result<&'static ApiResource, ParseError> {
    resources::resolve(typed)
        .ok_or_else(|| Text::same(format!("error: the server doesn't have a resource type \"{}\"", printable(typed))))
}

pub(super) fn cmd(verb: Verb, res: &'static ApiResource, f: &mut Flags, print: Print) -> KubeCmd {
    KubeCmd {
        verb,
        resource: res,
        namespace: f.take(&["-n", "--namespace"]),
        all_namespaces: false,
        name: String::new(),
        body: None,
        resource_version: None,
        as_user: f.take(&["--as"]),
        as_groups: f.take_all("--as-group"),
        token: f.take(&["--token"]),
        print,
        watch: false,
        client: Client::Kubectl,
        subresource: "",
        delete: DeleteOptions::default(),
        warning: None,
    }
}

pub(super) fn parse(sub: &str, args: &[String]) -> Option<Result<Command, ParseError>> {
    let r = match sub {
        "get" => parse_get(args),
        "describe" => parse_describe(args),
        "run" => parse_run(args),
        "delete" => parse_delete(args),
        "label" => parse_label(args),
        "scale" => parse_scale(args),
        "cordon" => parse_cordon(args, true),
        "uncordon" => parse_cordon(args, false),
        "create" => match args.first().map(String::as_str) {
            Some("token") => return None,
            _ => parse_create(args),
        },
        _ => return None,
    };
    Some(r.map(|c| Command::Kube(Box::new(c))))
}

/// `TYPE NAME`, `TYPE/NAME` or `TYPE`.
fn target(words: &[String]) -> Result<(&'static ApiResource, String), ParseError> {
    match words {
        [t] => match t.split_once('/') {
            Some((t, n)) => Ok((resource(t)?, n.to_string())),
            None => Ok((resource(t)?, String::new())),
        },
        [t, n] => Ok((resource(t)?, n.clone())),
        [] => Err(err("you must specify the type of resource to get".into())),
        _ => Err(Text::new(
            "kubectl: 이 랩은 한 번에 한 종류, 한 이름만 받습니다 (kubectl get pods x)",
            "kubectl: the lab takes one resource type and at most one name (kubectl get pods x)",
        )),
    }
}

fn parse_get(args: &[String]) -> Result<KubeCmd, ParseError> {
    let mut f = split_flags(args)?;
    if let Some(path) = f.take(&["--raw"]) {
        return parse_raw(&path, &mut f);
    }
    let output = match f.take(&["-o", "--output"]).as_deref() {
        None => Output::Table,
        Some("wide") => Output::Wide,
        Some("yaml") => Output::Yaml,
        Some("json") => Output::Json,
        Some("name") => Output::Name,
        Some(o) => {
            return Err(err(format!(
                "unable to match a printer suitable for the output format \"{}\", allowed formats are: json,name,wide,yaml (the lab's subset)",
                printable(o)
            )))
        }
    };
    let show_labels = f.has(&["--show-labels"]);
    let no_headers = f.has(&["--no-headers"]);
    let all = f.has(&["-A", "--all-namespaces"]);
    let watch = f.has(&["-w", "--watch"]);
    let (res, name) = target(&f.words)?;
    let verb = if name.is_empty() { Verb::List } else { Verb::Get };
    let mut c = cmd(verb, res, &mut f, Print::Get { output, show_labels, no_headers });
    f.done()?;
    c.all_namespaces = all && name.is_empty();
    if watch && !name.is_empty() {
        return Err(Text::new(
            "kubectl get -w: 이 랩은 목록(이름 없이)만 watch합니다 (kubectl get pods -w)",
            "kubectl get -w: the lab watches lists only, without a name (kubectl get pods -w)",
        ));
    }
    c.watch = watch;
    c.name = name;
    Ok(c)
}

/// `kubectl get --raw /api/v1/namespaces/default/pods?resourceVersion=0`.
/// A REST path the API server serves: `/api/v1/namespaces/default/pods/x?resourceVersion=0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiPath {
    pub resource: &'static ApiResource,
    pub namespace: Option<String>,
    pub name: String,
    pub resource_version: Option<String>,
    pub watch: bool,
}

/// Reads a REST path (`/api/v1/…` for the core group, `/apis/GROUP/v1/…` for the others).
pub fn api_path(full: &str) -> Option<ApiPath> {
    let (path, query) = full.split_once('?').unwrap_or((full, ""));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, rest) = match parts.as_slice() {
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", group, "v1", rest @ ..] => (*group, rest),
        _ => return None,
    };
    let (ns, res, name) = match rest {
        ["namespaces", ns, res] => (Some(ns.to_string()), *res, ""),
        ["namespaces", ns, res, name] => (Some(ns.to_string()), *res, *name),
        [res] => (None, *res, ""),
        [res, name] => (None, *res, *name),
        _ => return None,
    };
    let r = resources::RESOURCES.iter().find(|r| r.name == res && r.group == group)?;
    if ns.is_some() && !r.namespaced {
        return None;
    }
    let resource_version = query.split('&').find_map(|kv| kv.strip_prefix("resourceVersion=")).map(str::to_string);
    let watch = query.split('&').any(|kv| kv == "watch=1" || kv == "watch=true");
    Some(ApiPath { resource: r, namespace: ns, name: name.to_string(), resource_version, watch })
}

fn parse_raw(path: &str, f: &mut Flags) -> Result<KubeCmd, ParseError> {
    let bad = || {
        Text::new(
            format!(
                "kubectl get --raw: 이 랩이 모르는 경로입니다: {} (예: /api/v1/namespaces/default/pods)",
                printable(path)
            ),
            format!(
                "kubectl get --raw: a path the lab does not serve: {} (e.g. /api/v1/namespaces/default/pods)",
                printable(path)
            ),
        )
    };
    let p = api_path(path).ok_or_else(bad)?;
    let verb = if p.name.is_empty() { Verb::List } else { Verb::Get };
    let mut c = cmd(verb, p.resource, f, Print::Raw);
    f.done()?;
    c.all_namespaces = p.namespace.is_none() && p.resource.namespaced;
    c.namespace = p.namespace;
    c.watch = p.watch && p.name.is_empty();
    c.name = p.name;
    c.resource_version = p.resource_version;
    Ok(c)
}

/// `kubectl describe TYPE [NAME] [-n NS] [-A]`: a GET, or a LIST when no name is given (kubectl
/// describes every object of the type then, e.g. `kubectl describe node | grep -A5 Conditions`).
fn parse_describe(args: &[String]) -> Result<KubeCmd, ParseError> {
    let mut f = split_flags(args)?;
    let all = f.has(&["-A", "--all-namespaces"]);
    let (res, name) = target(&f.words)?;
    if !matches!(res.name, "nodes" | "pods" | "deployments" | "replicasets") {
        return Err(Text::new(
            format!("kubectl describe {}: 이 랩은 nodes, pods, deployments, replicasets를 describe합니다", res.name),
            format!("kubectl describe {}: the lab describes nodes, pods, deployments, replicasets", res.name),
        ));
    }
    let verb = if name.is_empty() { Verb::List } else { Verb::Get };
    let mut c = cmd(verb, res, &mut f, Print::Describe);
    f.done()?;
    c.all_namespaces = all && name.is_empty();
    c.name = name;
    Ok(c)
}

fn parse_delete(args: &[String]) -> Result<KubeCmd, ParseError> {
    let mut f = split_flags(args)?;
    let (res, name) = target(&f.words)?;
    if name.is_empty() {
        return Err(err("resource(s) were provided, but no name was specified".into()));
    }
    // KK staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go `GetCascadingStrategy`; kubectl
    // always sends a propagationPolicy (background by default).
    let propagation = match f.take(&["--cascade"]).as_deref() {
        None | Some("") | Some("background") | Some("true") => Propagation::Background,
        Some("foreground") => Propagation::Foreground,
        Some("orphan") | Some("false") => Propagation::Orphan,
        Some(v) => {
            return Err(err(format!(
                "invalid cascade value ({}). Must be \"background\", \"foreground\", or \"orphan\"",
                printable(v)
            )))
        }
    };
    // delete.go: `--grace-period` defaults to -1 (the object's own period).
    let mut grace: i64 = match f.take(&["--grace-period"]) {
        None => -1,
        Some(v) => v.parse().map_err(|_| {
            err(format!(
                "invalid argument \"{}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{}\": invalid syntax",
                printable(&v),
                printable(&v)
            ))
        })?,
    };
    let force = f.has(&["--force"]);
    // delete.go Complete: `--grace-period=0` without `--force` becomes 1 (no accidental
    // immediate deletion); `--force` without a period means 0.
    if grace == 0 && !force {
        grace = 1;
    }
    if force && grace < 0 {
        grace = 0;
    }
    if force && grace > 0 {
        return Err(err("--force and --grace-period greater than 0 cannot be specified together".into()));
    }
    let print = if grace == 0 { Print::ForceDeleted } else { Print::Deleted };
    let mut c = cmd(Verb::Delete, res, &mut f, print);
    f.done()?;
    c.name = name;
    c.delete.propagation = Some(propagation);
    c.delete.grace_period_s = u64::try_from(grace).ok();
    if grace == 0 {
        // delete.go Validate writes this before anything is sent.
        c.warning = Some(
            "warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely."
                .into(),
        );
    }
    Ok(c)
}

/// `kubectl scale deployment|rs NAME --replicas=N` (or `TYPE/NAME`). kubectl PATCHes the `scale`
/// subresource with `{"spec":{"replicas":N}}`; the lab sends the same merge patch to the object
/// itself (same effect on `spec.replicas`, no Scale object to build).
fn parse_scale(args: &[String]) -> Result<KubeCmd, ParseError> {
    let mut f = split_flags(args)?;
    let replicas = f.take(&["--replicas"]).ok_or_else(|| err("required flag(s) \"replicas\" not set".into()))?;
    let n: u32 = replicas.parse().map_err(|_| {
        err(format!(
            "invalid argument \"{0}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{0}\": invalid syntax",
            printable(&replicas)
        ))
    })?;
    let (res, name) = target(&f.words)?;
    if name.is_empty() {
        return Err(err("resource(s) were provided, but no name was specified".into()));
    }
    if !matches!(res.name, "deployments" | "replicasets") {
        return Err(Text::new(
            "kubectl scale: 이 랩은 deployments와 replicasets를 scale합니다",
            "kubectl scale: the lab scales deployments and replicasets",
        ));
    }
    let mut c = cmd(Verb::Patch, res, &mut f, Print::Done("scaled"));
    f.done()?;
    c.name = name;
    c.body = Some(json!({"spec": {"replicas": n}}));
    Ok(c)
}

/// `kubectl cordon|uncordon NODE`: a merge patch of `spec.unschedulable` (true, or null to drop
/// it, as drain.go's `PatchOrReplace` diff does).
fn parse_cordon(args: &[String], cordon: bool) -> Result<KubeCmd, ParseError> {
    let mut f = split_flags(args)?;
    let name = match f.words.as_slice() {
        [n] => n.split_once('/').map_or(n.as_str(), |(_, n)| n).to_string(),
        _ => {
            return Err(err("USAGE: cordon NODE [flags]".replace("cordon", if cordon { "cordon" } else { "uncordon" })))
        }
    };
    let res = resources::resolve("nodes").expect("nodes are known");
    let word = if cordon { "cordoned" } else { "uncordoned" };
    let mut c = cmd(Verb::Patch, res, &mut f, Print::Done(word));
    f.done()?;
    c.name = name;
    c.body = Some(json!({"spec": {"unschedulable": if cordon { json!(true) } else { Value::Null }}}));
    Ok(c)
}

/// `kubectl label TYPE NAME k=v [k2-] [--overwrite]`: a merge patch of `metadata.labels`.
fn parse_label(args: &[String]) -> Result<KubeCmd, ParseError> {
    let mut f = split_flags(args)?;
    let _overwrite = f.has(&["--overwrite"]);
    let (typ, rest) = f.words.split_first().ok_or_else(|| err("one or more resources must be specified".into()))?;
    let (res, name, pairs) = match typ.split_once('/') {
        Some((t, n)) => (resource(t)?, n.to_string(), rest.to_vec()),
        None => {
            let (n, pairs) = rest.split_first().ok_or_else(|| err("one or more resources must be specified".into()))?;
            (resource(typ)?, n.clone(), pairs.to_vec())
        }
    };
    if pairs.is_empty() {
        return Err(err("at least one label update is required".into()));
    }
    let mut labels = Map::new();
    for p in &pairs {
        match (p.split_once('='), p.strip_suffix('-')) {
            (Some((k, v)), _) => labels.insert(k.to_string(), Value::String(v.to_string())),
            (None, Some(k)) => labels.insert(k.to_string(), Value::Null),
            _ => return Err(err(format!("invalid label spec: {}", printable(p)))),
        };
    }
    let mut c = cmd(Verb::Patch, res, &mut f, Print::Done("labeled"));
    f.done()?;
    c.name = name;
    c.body = Some(json!({"metadata": {"labels": labels}}));
    Ok(c)
}

/// kubectl's container name for an image: the last path segment without tag or digest.
fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split(['@', ':']).next().unwrap_or(last).to_string()
}

/// `kubectl run NAME --image=I [--labels=k=v,…] [--privileged] [--restart=Never]`.
fn parse_run(args: &[String]) -> Result<KubeCmd, ParseError> {
    let mut f = split_flags(args)?;
    let image = f.take(&["--image"]).ok_or_else(|| err("required flag(s) \"image\" not set".into()))?;
    let privileged = f.has(&["--privileged"]);
    let restart = f.take(&["--restart"]).unwrap_or_else(|| "Always".into());
    let mut labels = Map::new();
    let name = match f.words.as_slice() {
        [n] => n.clone(),
        _ => return Err(err("NAME is required for run".into())),
    };
    match f.take(&["-l", "--labels"]) {
        Some(l) => {
            for kv in l.split(',') {
                let (k, v) = kv.split_once('=').ok_or_else(|| err(format!("invalid label spec: {}", printable(kv))))?;
                labels.insert(k.into(), Value::String(v.into()));
            }
        }
        None => {
            labels.insert("run".into(), Value::String(name.clone()));
        }
    }
    let res = resources::resolve("pods").expect("pods are known");
    let mut c = cmd(Verb::Create, res, &mut f, Print::Done("created"));
    f.done()?;
    let mut container = json!({"name": name, "image": image, "resources": {}});
    if privileged {
        container["securityContext"] = json!({"privileged": true});
    }
    c.body = Some(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [container], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"},
        "status": {}
    }));
    c.name = name;
    Ok(c)
}

fn list(v: &str) -> Vec<String> {
    v.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn parse_create(args: &[String]) -> Result<KubeCmd, ParseError> {
    let mut f = split_flags(args)?;
    let (what, name) = match f.words.as_slice() {
        [w, n] => (w.clone(), n.clone()),
        [w] => return Err(err(format!("exactly one NAME is required, got 0 (kubectl create {})", printable(w)))),
        _ => {
            return Err(Text::new(
                "kubectl create: 이 랩은 namespace, deployment, quota, configmap, serviceaccount, role, clusterrole, rolebinding, clusterrolebinding, token을 만듭니다",
                "kubectl create: the lab creates namespace, deployment, quota, configmap, serviceaccount, role, clusterrole, rolebinding, clusterrolebinding, token",
            ))
        }
    };
    let (res, body) = match what.as_str() {
        "namespace" | "ns" => (
            "namespaces",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}, "spec": {}, "status": {}}),
        ),
        "deployment" | "deploy" => {
            let images = f.take_all("--image");
            if images.is_empty() {
                return Err(err("required flag(s) \"image\" not set".into()));
            }
            let replicas: i64 = match f.take(&["-r", "--replicas"]) {
                Some(r) => r.parse().map_err(|_| err(format!("invalid argument \"{}\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"{}\": invalid syntax", printable(&r), printable(&r))))?,
                None => 1,
            };
            let containers: Vec<Value> =
                images.iter().map(|i| json!({"name": container_name(i), "image": i, "resources": {}})).collect();
            (
                "deployments",
                json!({
                    "apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": name, "labels": {"app": name}},
                    "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "strategy": {},
                        "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": containers}}},
                    "status": {}
                }),
            )
        }
        "quota" | "resourcequota" => {
            let hard = f.take(&["--hard"]).unwrap_or_default();
            let mut h = Map::new();
            for kv in list(&hard) {
                let (k, v) = kv.split_once('=').ok_or_else(|| {
                    err(format!("invalid argument {}: the format of the resource quota is key=value", printable(&kv)))
                })?;
                h.insert(k.into(), Value::String(v.into()));
            }
            (
                "resourcequotas",
                json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name}, "spec": {"hard": h}, "status": {}}),
            )
        }
        "configmap" | "cm" => {
            let mut data = Map::new();
            for kv in f.take_all("--from-literal") {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| err(format!("invalid literal source {}, expected key=value", printable(&kv))))?;
                data.insert(k.into(), Value::String(v.into()));
            }
            ("configmaps", json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}))
        }
        "serviceaccount" | "sa" => {
            ("serviceaccounts", json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}}))
        }
        "role" | "clusterrole" => {
            let verbs: Vec<String> = f.take_all("--verb").iter().flat_map(|v| list(v)).collect();
            let res_list: Vec<String> = f.take_all("--resource").iter().flat_map(|v| list(v)).collect();
            let names: Vec<String> = f.take_all("--resource-name").iter().flat_map(|v| list(v)).collect();
            let urls: Vec<String> = f.take_all("--non-resource-url").iter().flat_map(|v| list(v)).collect();
            if verbs.is_empty() {
                return Err(err("at least one verb must be specified".into()));
            }
            if res_list.is_empty() && urls.is_empty() {
                return Err(err("at least one resource must be specified".into()));
            }
            let mut rules = Vec::new();
            // kubectl groups the resources by API group, one rule per group.
            let mut by_group: std::collections::BTreeMap<String, Vec<String>> = Default::default();
            for r in &res_list {
                let (base, sub) = r.split_once('/').map_or((r.as_str(), None), |(b, s)| (b, Some(s)));
                let known = resource(base)?;
                let full = match sub {
                    Some(s) => format!("{}/{s}", known.name),
                    None => known.name.to_string(),
                };
                by_group.entry(known.group.to_string()).or_default().push(full);
            }
            for (g, rs) in by_group {
                let mut rule = json!({"apiGroups": [g], "resources": rs, "verbs": verbs});
                if !names.is_empty() {
                    rule["resourceNames"] = json!(names);
                }
                rules.push(rule);
            }
            if !urls.is_empty() {
                rules.push(json!({"nonResourceURLs": urls, "verbs": verbs}));
            }
            let kind = if what == "role" { "Role" } else { "ClusterRole" };
            let plural = if what == "role" { "roles" } else { "clusterroles" };
            (
                plural,
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": name}, "rules": rules}),
            )
        }
        "rolebinding" | "clusterrolebinding" => {
            let role = f.take(&["--role"]);
            let cluster_role = f.take(&["--clusterrole"]);
            let role_ref = match (role, cluster_role) {
                (Some(r), None) if what == "rolebinding" => {
                    json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": r})
                }
                (None, Some(r)) => json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": r}),
                _ => return Err(err("exactly one of clusterrole or role must be specified".into())),
            };
            let mut subjects = Vec::new();
            for u in f.take_all("--user") {
                subjects.push(json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": u}));
            }
            for g in f.take_all("--group") {
                subjects.push(json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g}));
            }
            for sa in f.take_all("--serviceaccount") {
                let (ns, n) = sa
                    .split_once(':')
                    .ok_or_else(|| err(format!("serviceaccount must be <namespace>:<name>: {}", printable(&sa))))?;
                subjects.push(json!({"kind": "ServiceAccount", "name": n, "namespace": ns}));
            }
            let kind = if what == "rolebinding" { "RoleBinding" } else { "ClusterRoleBinding" };
            let plural = if what == "rolebinding" { "rolebindings" } else { "clusterrolebindings" };
            (
                plural,
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": name}, "roleRef": role_ref, "subjects": subjects}),
            )
        }
        other => {
            return Err(Text::new(
                format!("kubectl create {}: 이 랩에서 시뮬레이션하지 않는 종류입니다", printable(other)),
                format!("kubectl create {}: not a kind the lab creates", printable(other)),
            ))
        }
    };
    let r = resources::resolve(res).expect("the lab's resources are known");
    let mut c = cmd(Verb::Create, r, &mut f, Print::Done("created"));
    f.done()?;
    c.name = name;
    c.body = Some(body);
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::super::parse as parse_line;
    use super::*;

    fn kube(line: &str) -> KubeCmd {
        match parse_line(line) {
            Ok(Command::Kube(c)) => *c,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn the_class_commands_parse() {
        let c = kube("kubectl get pods -n kube-system -o wide");
        assert_eq!((c.verb, c.resource.name, c.namespace.as_deref()), (Verb::List, "pods", Some("kube-system")));
        let c = kube("kubectl get pod/etcd-x -n kube-system");
        assert_eq!((c.verb, c.name.as_str()), (Verb::Get, "etcd-x"));
        let c = kube("kubectl create deployment nginx --image=nginx --replicas=3");
        assert_eq!(c.body.as_ref().and_then(|b| b.pointer("/spec/replicas")), Some(&json!(3)));
        assert_eq!(
            c.body.as_ref().and_then(|b| b.pointer("/spec/template/spec/containers/0/name")),
            Some(&json!("nginx"))
        );
        let c = kube("kubectl run etcd-demo --image=nginx");
        assert_eq!(c.body.as_ref().and_then(|b| b.pointer("/metadata/labels/run")), Some(&json!("etcd-demo")));
        let c = kube("kubectl get --raw /api/v1/namespaces/default/pods?resourceVersion=0");
        assert_eq!((c.namespace.as_deref(), c.resource_version.as_deref()), (Some("default"), Some("0")));
        let c = kube("kubectl label ns dev pod-security.kubernetes.io/enforce=restricted");
        assert_eq!(c.verb, Verb::Patch);
        let c = kube("kubectl create rolebinding r --clusterrole=view --user=jane -n dev");
        assert_eq!(c.body.as_ref().and_then(|b| b.pointer("/subjects/0/name")), Some(&json!("jane")));
        let c = kube("kubectl create role pod-reader --verb=get,list --resource=pods,deployments.apps");
        assert_eq!(
            c.body.as_ref().and_then(|b| b.pointer("/rules")).map(|r| r.as_array().map_or(0, Vec::len)),
            Some(2)
        );
        assert_eq!(container_name("registry.k8s.io/nginx:1.25@sha256:abc"), "nginx");
    }

    /// kubectl delete's flags (KK kubectl/pkg/cmd/delete/delete.go, cmd/util/helpers.go
    /// `GetCascadingStrategy`): propagation always sent, grace period only when asked.
    #[test]
    fn delete_flags_set_the_delete_options() {
        let c = kube("kubectl delete deployment web");
        assert_eq!((c.delete.propagation, c.delete.grace_period_s), (Some(Propagation::Background), None));
        for (flag, want) in [
            ("--cascade=orphan", Propagation::Orphan),
            ("--cascade=false", Propagation::Orphan),
            ("--cascade=foreground", Propagation::Foreground),
            ("--cascade=true", Propagation::Background),
            ("--cascade", Propagation::Background),
        ] {
            assert_eq!(kube(&format!("kubectl delete deployment web {flag}")).delete.propagation, Some(want), "{flag}");
        }
        assert_eq!(
            parse_line("kubectl delete deployment web --cascade=maybe"),
            Err(Text::same(
                "error: invalid cascade value (maybe). Must be \"background\", \"foreground\", or \"orphan\""
            ))
        );
        let c = kube("kubectl delete pod x --grace-period=5");
        assert_eq!((c.delete.grace_period_s, c.print.clone(), c.warning.is_some()), (Some(5), Print::Deleted, false));
        // 0 without --force is 1; --force alone is 0 and warns first.
        assert_eq!(kube("kubectl delete pod x --grace-period=0").delete.grace_period_s, Some(1));
        let c = kube("kubectl delete pod x --force");
        assert_eq!((c.delete.grace_period_s, c.print.clone()), (Some(0), Print::ForceDeleted));
        assert!(c.warning.as_deref().is_some_and(|w| w.starts_with("warning: Immediate deletion")));
        assert!(parse_line("kubectl delete pod x --force --grace-period=3").is_err());
    }

    #[test]
    fn scale_and_cordon_are_merge_patches() {
        for line in ["kubectl scale deployment web --replicas=5", "kubectl scale --replicas=5 deployment/web"] {
            let c = kube(line);
            assert_eq!((c.verb, c.resource.name, c.name.as_str()), (Verb::Patch, "deployments", "web"), "{line}");
            assert_eq!(c.body, Some(json!({"spec": {"replicas": 5}})));
            assert_eq!(c.print, Print::Done("scaled"));
        }
        assert_eq!(kube("kubectl scale rs web-1 --replicas=0").resource.name, "replicasets");
        assert!(parse_line("kubectl scale deployment web").is_err());
        assert!(parse_line("kubectl scale deployment web --replicas=-1").is_err());
        assert!(parse_line("kubectl scale pods web --replicas=1").is_err());
        let c = kube("kubectl cordon challenge-cluster-worker");
        assert_eq!((c.resource.name, c.name.as_str()), ("nodes", "challenge-cluster-worker"));
        assert_eq!(c.body, Some(json!({"spec": {"unschedulable": true}})));
        let c = kube("kubectl uncordon challenge-cluster-worker");
        assert_eq!((c.body, c.print), (Some(json!({"spec": {"unschedulable": null}})), Print::Done("uncordoned")));
        let c = kube("kubectl describe node");
        assert_eq!((c.verb, c.print), (Verb::List, Print::Describe));
        let c = kube("kubectl describe deploy web -n dev");
        assert_eq!((c.verb, c.name.as_str(), c.namespace.as_deref()), (Verb::Get, "web", Some("dev")));
        assert!(parse_line("kubectl describe configmaps").is_err());
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        for line in [
            "kubectl get frobs",
            "kubectl get",
            "kubectl get pods --bogus",
            "kubectl create deployment x",
            "kubectl run",
            "kubectl delete pods",
            "kubectl get pods -o toml",
            "kubectl get --raw /nope",
            "kubectl create rolebinding r --user=x",
        ] {
            assert!(parse_line(line).is_err(), "{line}");
        }
    }
}
