//! How kubectl v1.27 prints what the API server returns (fact sheet §6): `kubectl get` tables,
//! `-o wide`, `-A`, `--show-labels`, `--no-headers`, `-o yaml`, `-o json` and `-o name`.
//!
//! Tables are printed server-side: kube-apiserver's TableConvertor fills the cells (KK
//! `pkg/printers/internalversion/printers.go`, always with `Wide: true`), kubectl drops the
//! priority-1 columns unless `-o wide`, adds NAMESPACE first (`-A`, namespaced resources) and
//! LABELS last, upper-cases the headers, cuts a cell at its first newline (appending `...`) and
//! lays the rows out with a tab writer (cli-runtime `printers/tableprinter.go`, `tabwriter.go`).
//! Resources without a printer (roles, limit ranges, …) get the API server's default table:
//! NAME and CREATED AT (apiserver `registry/rest/table.go`).
//!
//! The tab writer is cli-runtime's `GetNewTabWriter`:
//! `tabwriter.NewWriter(out, 6, 4, 3, ' ', tabwriter.RememberWidths)` from github.com/liggitt/tabwriter
//! (Go's text/tabwriter plus widths remembered across flushes, for `get -w`). So a column is
//! `max(6, widest cell + 3)` runes wide and the last cell of a line is never padded. (The
//! `minwidth 10` in old notes is kubectl's 2017 value; fact sheet §6's `10d   v1.30.0` node line
//! has the 3 spaces that only minwidth 6 gives.)
//!
//! `-o yaml` is sigs.k8s.io/yaml (JSON → gopkg.in/yaml.v2 v2.4.0): maps sorted with yaml.v2's
//! "natural" key order, sequences under a key not indented (`containers:` / `- image: nginx`),
//! strings quoted only when they would read back as something else (`"80"`, `"true"`, `""`,
//! timestamps) or cannot be plain (`'- x'`, `'a: b'`), multi-line strings as `|` blocks, long
//! lines folded at spaces past column 80. `-o json` is Go's `json.MarshalIndent(obj, "", "    ")`
//! (HTML-safe escapes). A list prints as `kind: List` with `metadata: {resourceVersion: ""}`
//! (kubectl `get.go` `printGeneric`).
//!
//! UNCONFIRMED points are marked where they occur.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde_json::{Map, Number, Value};

use super::object::{self, Object};
use crate::k8s::resources::ApiResource;

/// `-o`: the output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Output {
    /// No `-o`: the human-readable table.
    #[default]
    Table,
    /// `-o wide`.
    Wide,
    Yaml,
    Json,
    /// `-o name`.
    Name,
}

/// The `kubectl get` flags that shape the output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetOptions {
    /// Same as `output: Output::Wide`.
    pub wide: bool,
    /// `-A` / `--all-namespaces`.
    pub all_namespaces: bool,
    /// `--show-labels`.
    pub show_labels: bool,
    /// `--no-headers`.
    pub no_headers: bool,
    pub output: Output,
}

impl GetOptions {
    fn is_wide(&self) -> bool {
        self.wide || self.output == Output::Wide
    }
}

/// What kubectl writes: lines on stdout and on stderr (`No resources found …` goes to stderr).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Printed {
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
}

/// `kubectl get <resource>` over `objects` (already filtered to `namespace`, or to all namespaces
/// with `-A`) at wall-clock `now_unix_s`.
pub fn print_list(
    resource: &ApiResource,
    objects: &[Object],
    namespace: &str,
    now_unix_s: u64,
    opts: &GetOptions,
) -> Printed {
    match opts.output {
        Output::Table | Output::Wide => {
            let stdout = table_lines(resource, objects, now_unix_s, opts, &mut TabWriter::kubectl());
            let mut stderr = Vec::new();
            if stdout.is_empty() {
                // kubectl get.go: nothing written, no errors → say so. The server's Table carries
                // the resource's scope, so a cluster-scoped list gets no namespace.
                if resource.namespaced && !opts.all_namespaces {
                    stderr.push(format!("No resources found in {namespace} namespace."));
                } else {
                    stderr.push("No resources found".to_string());
                }
            }
            Printed { stdout, stderr }
        }
        Output::Yaml => Printed { stdout: text_lines(&to_yaml(&list_object(objects))), stderr: Vec::new() },
        Output::Json => Printed { stdout: text_lines(&to_json(&list_object(objects))), stderr: Vec::new() },
        Output::Name => {
            Printed { stdout: objects.iter().map(|o| resource_name(resource, o)).collect(), stderr: Vec::new() }
        }
    }
}

/// `kubectl get <resource> <name>`: one object (`-o yaml|json` print it as is, not as a List).
pub fn print_one(resource: &ApiResource, obj: &Object, now_unix_s: u64, opts: &GetOptions) -> Printed {
    let stdout = match opts.output {
        Output::Table | Output::Wide => {
            table_lines(resource, std::slice::from_ref(obj), now_unix_s, opts, &mut TabWriter::kubectl())
        }
        Output::Yaml => text_lines(&to_yaml(obj)),
        Output::Json => text_lines(&to_json(obj)),
        Output::Name => vec![resource_name(resource, obj)],
    };
    Printed { stdout, stderr: Vec::new() }
}

/// The List kubectl wraps several objects in for `-o yaml|json` (`printGeneric`).
/// UNCONFIRMED: the kubectl release that stopped adding `selfLink: ""` next to `resourceVersion`
/// (left in by KK PR #107527, 1.24; gone from later get.go); 1.27 is assumed to print only
/// `resourceVersion`.
pub fn list_object(objects: &[Object]) -> Value {
    let mut meta = Map::new();
    meta.insert("resourceVersion".into(), Value::String(String::new()));
    let mut list = Map::new();
    list.insert("apiVersion".into(), Value::String("v1".into()));
    list.insert("items".into(), Value::Array(objects.to_vec()));
    list.insert("kind".into(), Value::String("List".into()));
    list.insert("metadata".into(), Value::Object(meta));
    Value::Object(list)
}

/// `-o name`: `pod/nginx`, `deployment.apps/nginx` (cli-runtime `NamePrinter`: lower-case kind,
/// `.group` unless core). Kind and group come from the object, else from the resource.
pub fn resource_name(resource: &ApiResource, obj: &Object) -> String {
    let kind = match object::kind(obj) {
        "" => resource.kind,
        k => k,
    };
    let group = match obj.get("apiVersion").and_then(Value::as_str) {
        Some(av) => av.rsplit_once('/').map_or("", |(g, _)| g),
        None => resource.group,
    };
    let kind = kind.to_lowercase();
    let name = object::name(obj);
    if group.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}.{group}/{name}")
    }
}

fn text_lines(text: &str) -> Vec<String> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.split('\n').map(str::to_string).collect()
}

// ---------------------------------------------------------------------------------------------
// Server-side tables
// ---------------------------------------------------------------------------------------------

/// A column of a server-side table: its name as the TableConvertor spells it (kubectl prints it
/// upper-cased) and its priority (1: only with `-o wide`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub priority: u8,
}

/// What kube-apiserver answers for `Accept: application/json;as=Table`: column definitions and,
/// per object, every cell (wide ones included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

/// The server-side table of `objects` of `resource` at `now_unix_s`.
pub fn table(resource: &ApiResource, objects: &[Object], now_unix_s: u64) -> Table {
    Table {
        columns: columns(resource.name),
        rows: objects.iter().map(|o| cells(resource.name, o, now_unix_s)).collect(),
    }
}

/// The lines `kubectl get` prints for the objects' table (no lines at all for no objects: kubectl
/// prints no header without rows). `tw` keeps column widths across calls, as `get -w` does.
pub fn table_lines(
    resource: &ApiResource,
    objects: &[Object],
    now_unix_s: u64,
    opts: &GetOptions,
    tw: &mut TabWriter,
) -> Vec<String> {
    if objects.is_empty() {
        return Vec::new();
    }
    let t = table(resource, objects, now_unix_s);
    let wide = opts.is_wide();
    let with_namespace = opts.all_namespaces && resource.namespaced;
    let shown: Vec<usize> = (0..t.columns.len()).filter(|&i| wide || t.columns[i].priority == 0).collect();
    let mut rows = Vec::with_capacity(t.rows.len() + 1);
    if !opts.no_headers {
        let mut header = Vec::new();
        if with_namespace {
            header.push("NAMESPACE".to_string());
        }
        header.extend(shown.iter().map(|&i| t.columns[i].name.to_ascii_uppercase()));
        if opts.show_labels {
            header.push("LABELS".to_string());
        }
        rows.push(header);
    }
    for (obj, cells) in objects.iter().zip(&t.rows) {
        let mut row = Vec::with_capacity(shown.len() + 2);
        if with_namespace {
            row.push(object::namespace(obj).to_string());
        }
        row.extend(shown.iter().map(|&i| cells.get(i).cloned().unwrap_or_default()));
        if opts.show_labels {
            row.push(format_labels(obj.pointer("/metadata/labels")));
        }
        rows.push(row.iter().map(|c| cut_at_newline(c)).collect());
    }
    tw.write_rows(&rows)
}

/// printTable: a cell is cut at its first newline, with `...` appended. (Later kubectl releases
/// also cut at `\r`/`\f` and escape terminal control characters; 1.27 only cuts at `\n`.)
fn cut_at_newline(cell: &str) -> String {
    match cell.find('\n') {
        Some(i) => format!("{}...", &cell[..i]),
        None => cell.to_string(),
    }
}

fn columns(resource: &str) -> Vec<Column> {
    let cols: &[(&'static str, u8)] = match resource {
        "pods" => &[
            ("Name", 0),
            ("Ready", 0),
            ("Status", 0),
            ("Restarts", 0),
            ("Age", 0),
            ("IP", 1),
            ("Node", 1),
            ("Nominated Node", 1),
            ("Readiness Gates", 1),
        ],
        "nodes" => &[
            ("Name", 0),
            ("Status", 0),
            ("Roles", 0),
            ("Age", 0),
            ("Version", 0),
            ("Internal-IP", 1),
            ("External-IP", 1),
            ("OS-Image", 1),
            ("Kernel-Version", 1),
            ("Container-Runtime", 1),
        ],
        "namespaces" => &[("Name", 0), ("Status", 0), ("Age", 0)],
        "services" => &[
            ("Name", 0),
            ("Type", 0),
            ("Cluster-IP", 0),
            ("External-IP", 0),
            ("Port(s)", 0),
            ("Age", 0),
            ("Selector", 1),
        ],
        "endpoints" => &[("Name", 0), ("Endpoints", 0), ("Age", 0)],
        "deployments" => &[
            ("Name", 0),
            ("Ready", 0),
            ("Up-to-date", 0),
            ("Available", 0),
            ("Age", 0),
            ("Containers", 1),
            ("Images", 1),
            ("Selector", 1),
        ],
        "replicasets" => &[
            ("Name", 0),
            ("Desired", 0),
            ("Current", 0),
            ("Ready", 0),
            ("Age", 0),
            ("Containers", 1),
            ("Images", 1),
            ("Selector", 1),
        ],
        "daemonsets" => &[
            ("Name", 0),
            ("Desired", 0),
            ("Current", 0),
            ("Ready", 0),
            ("Up-to-date", 0),
            ("Available", 0),
            ("Node Selector", 0),
            ("Age", 0),
            ("Containers", 1),
            ("Images", 1),
            ("Selector", 1),
        ],
        "statefulsets" => &[("Name", 0), ("Ready", 0), ("Age", 0), ("Containers", 1), ("Images", 1)],
        "jobs" => &[
            ("Name", 0),
            ("Completions", 0),
            ("Duration", 0),
            ("Age", 0),
            ("Containers", 1),
            ("Images", 1),
            ("Selector", 1),
        ],
        "configmaps" => &[("Name", 0), ("Data", 0), ("Age", 0)],
        "secrets" => &[("Name", 0), ("Type", 0), ("Data", 0), ("Age", 0)],
        "serviceaccounts" => &[("Name", 0), ("Secrets", 0), ("Age", 0)],
        // The v1.27 server-side event columns (`kubectl get events`); the wide ones sit between.
        "events" => &[
            ("Last Seen", 0),
            ("Type", 0),
            ("Reason", 0),
            ("Object", 0),
            ("Subobject", 1),
            ("Source", 1),
            ("Message", 0),
            ("First Seen", 1),
            ("Count", 1),
            ("Name", 1),
        ],
        "leases" => &[("Name", 0), ("Holder", 0), ("Age", 0)],
        "resourcequotas" => &[("Name", 0), ("Age", 0), ("Request", 0), ("Limit", 0)],
        "rolebindings" | "clusterrolebindings" => {
            &[("Name", 0), ("Role", 0), ("Age", 0), ("Users", 1), ("Groups", 1), ("ServiceAccounts", 1)]
        }
        // No printer (roles, clusterroles, limitranges, …): the API server's default table.
        _ => &[("Name", 0), ("Created At", 0)],
    };
    cols.iter().map(|&(name, priority)| Column { name, priority }).collect()
}

fn cells(resource: &str, obj: &Object, now: u64) -> Vec<String> {
    let name = object::name(obj).to_string();
    let age = object::age(obj, now);
    match resource {
        "pods" => pod_cells(obj, now),
        "nodes" => node_cells(obj, now),
        "namespaces" => {
            vec![name, or(str_at(obj, "/status/phase"), "Active").to_string(), age]
        }
        "services" => service_cells(obj, now),
        "endpoints" => vec![name, format_endpoints(obj), age],
        "deployments" => {
            let (containers, images) = container_cells(obj, "/spec/template/spec/containers");
            let selector = label_selector(obj.pointer("/spec/selector")).unwrap_or_else(|| "<invalid>".into());
            vec![
                name,
                format!("{}/{}", int_at(obj, "/status/readyReplicas"), replicas(obj)),
                int_at(obj, "/status/updatedReplicas").to_string(),
                int_at(obj, "/status/availableReplicas").to_string(),
                age,
                containers,
                images,
                selector,
            ]
        }
        "replicasets" => {
            let (containers, images) = container_cells(obj, "/spec/template/spec/containers");
            vec![
                name,
                replicas(obj).to_string(),
                int_at(obj, "/status/replicas").to_string(),
                int_at(obj, "/status/readyReplicas").to_string(),
                age,
                containers,
                images,
                format_label_selector(obj.pointer("/spec/selector")),
            ]
        }
        "daemonsets" => {
            let (containers, images) = container_cells(obj, "/spec/template/spec/containers");
            vec![
                name,
                int_at(obj, "/status/desiredNumberScheduled").to_string(),
                int_at(obj, "/status/currentNumberScheduled").to_string(),
                int_at(obj, "/status/numberReady").to_string(),
                int_at(obj, "/status/updatedNumberScheduled").to_string(),
                int_at(obj, "/status/numberAvailable").to_string(),
                format_labels(obj.pointer("/spec/template/spec/nodeSelector")),
                age,
                containers,
                images,
                format_label_selector(obj.pointer("/spec/selector")),
            ]
        }
        "statefulsets" => {
            let (containers, images) = container_cells(obj, "/spec/template/spec/containers");
            vec![name, format!("{}/{}", int_at(obj, "/status/readyReplicas"), replicas(obj)), age, containers, images]
        }
        "jobs" => job_cells(obj, now),
        "configmaps" => {
            let n = map_len(obj, "/data") + map_len(obj, "/binaryData");
            vec![name, n.to_string(), age]
        }
        "secrets" => {
            vec![name, or(str_at(obj, "/type"), "Opaque").to_string(), map_len(obj, "/data").to_string(), age]
        }
        "serviceaccounts" => vec![name, arr_at(obj, "/secrets").len().to_string(), age],
        "events" => event_cells(obj, now),
        "leases" => vec![name, str_at(obj, "/spec/holderIdentity").to_string(), age],
        "resourcequotas" => {
            let (request, limit) = quota_cells(obj);
            vec![name, age, request, limit]
        }
        "rolebindings" | "clusterrolebindings" => {
            let role_ref = format!("{}/{}", str_at(obj, "/roleRef/kind"), str_at(obj, "/roleRef/name"));
            let (mut users, mut groups, mut sas) = (Vec::new(), Vec::new(), Vec::new());
            for s in arr_at(obj, "/subjects") {
                let n = str_at(s, "/name");
                match str_at(s, "/kind") {
                    "ServiceAccount" => sas.push(format!("{}/{n}", str_at(s, "/namespace"))),
                    "User" => users.push(n.to_string()),
                    "Group" => groups.push(n.to_string()),
                    _ => {}
                }
            }
            vec![name, role_ref, age, users.join(", "), groups.join(", "), sas.join(", ")]
        }
        _ => {
            // Default TableConvertor: creationTimestamp.UTC().Format(time.RFC3339); the zero time
            // when there is none.
            let created = time_at(obj, "/metadata/creationTimestamp")
                .map_or_else(|| "0001-01-01T00:00:00Z".to_string(), |t| object::rfc3339(t.secs));
            vec![name, created]
        }
    }
}

fn pod_cells(pod: &Object, now: u64) -> Vec<String> {
    let total = arr_at(pod, "/spec/containers").len();
    let mut ready = 0;
    let mut restarts: i64 = 0;
    let mut last_restart: Option<Time> = None;
    let note_restart = |c: &Value, last: &mut Option<Time>| {
        if let Some(finished) = time_at(c, "/lastState/terminated/finishedAt") {
            if last.is_none_or(|l| l < finished) {
                *last = Some(finished);
            }
        }
    };

    let mut reason = str_at(pod, "/status/phase").to_string();
    if !str_at(pod, "/status/reason").is_empty() {
        reason = str_at(pod, "/status/reason").to_string();
    }
    for cond in arr_at(pod, "/status/conditions") {
        if str_at(cond, "/type") == "PodScheduled" && str_at(cond, "/reason") == "SchedulingGated" {
            reason = "SchedulingGated".to_string();
        }
    }

    let init_total = arr_at(pod, "/spec/initContainers").len();
    let mut initializing = false;
    for (i, c) in arr_at(pod, "/status/initContainerStatuses").iter().enumerate() {
        restarts += int_at(c, "/restartCount");
        note_restart(c, &mut last_restart);
        let terminated = present(c, "/state/terminated");
        let waiting = str_at(c, "/state/waiting/reason");
        match terminated {
            Some(t) if int_at(t, "/exitCode") == 0 => continue,
            Some(t) => {
                reason = match str_at(t, "/reason") {
                    "" if int_at(t, "/signal") != 0 => format!("Init:Signal:{}", int_at(t, "/signal")),
                    "" => format!("Init:ExitCode:{}", int_at(t, "/exitCode")),
                    r => format!("Init:{r}"),
                }
            }
            None if !waiting.is_empty() && waiting != "PodInitializing" => reason = format!("Init:{waiting}"),
            None => reason = format!("Init:{i}/{init_total}"),
        }
        initializing = true;
        break;
    }

    if !initializing {
        // UNCONFIRMED: whether 1.27 also forgets init containers' last restart time here (later
        // releases do); it only matters for pods whose init containers restarted.
        restarts = 0;
        let mut has_running = false;
        // Backwards, so the first container with a reason has the last word.
        for c in arr_at(pod, "/status/containerStatuses").iter().rev() {
            restarts += int_at(c, "/restartCount");
            note_restart(c, &mut last_restart);
            let waiting = str_at(c, "/state/waiting/reason");
            if !waiting.is_empty() {
                reason = waiting.to_string();
            } else if let Some(t) = present(c, "/state/terminated") {
                reason = match str_at(t, "/reason") {
                    "" if int_at(t, "/signal") != 0 => format!("Signal:{}", int_at(t, "/signal")),
                    "" => format!("ExitCode:{}", int_at(t, "/exitCode")),
                    r => r.to_string(),
                };
            } else if c.get("ready") == Some(&Value::Bool(true)) && present(c, "/state/running").is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = arr_at(pod, "/status/conditions")
                .iter()
                .any(|c| str_at(c, "/type") == "Ready" && str_at(c, "/status") == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_string();
        }
    }

    if present(pod, "/metadata/deletionTimestamp").is_some() {
        reason = if str_at(pod, "/status/reason") == "NodeLost" { "Unknown" } else { "Terminating" }.to_string();
    }

    let restarts = match last_restart {
        Some(t) if restarts != 0 => format!("{restarts} ({} ago)", object::human_duration(t.elapsed(now))),
        _ => restarts.to_string(),
    };

    let ip = arr_at(pod, "/status/podIPs").first().map_or("", |p| str_at(p, "/ip"));
    let gates = arr_at(pod, "/spec/readinessGates");
    let readiness_gates = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let conditions = arr_at(pod, "/status/conditions");
        let true_count = gates
            .iter()
            .filter(|g| {
                let ty = str_at(g, "/conditionType");
                conditions.iter().find(|c| str_at(c, "/type") == ty).is_some_and(|c| str_at(c, "/status") == "True")
            })
            .count();
        format!("{true_count}/{}", gates.len())
    };
    vec![
        object::name(pod).to_string(),
        format!("{ready}/{total}"),
        reason,
        restarts,
        object::age(pod, now),
        or(ip, "<none>").to_string(),
        or(str_at(pod, "/spec/nodeName"), "<none>").to_string(),
        or(str_at(pod, "/status/nominatedNodeName"), "<none>").to_string(),
        readiness_gates,
    ]
}

fn node_cells(node: &Object, now: u64) -> Vec<String> {
    // Only the Ready condition counts (the last one, if listed twice).
    let ready = arr_at(node, "/status/conditions").iter().rev().find(|c| str_at(c, "/type") == "Ready");
    let mut status = vec![match ready.map(|c| str_at(c, "/status")) {
        Some("True") => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    }];
    if node.pointer("/spec/unschedulable") == Some(&Value::Bool(true)) {
        status.push("SchedulingDisabled");
    }
    let mut roles = BTreeSet::new();
    if let Some(labels) = node.pointer("/metadata/labels").and_then(Value::as_object) {
        for (k, v) in labels {
            let v = v.as_str().unwrap_or("");
            if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                if !role.is_empty() {
                    roles.insert(role.to_string());
                }
            } else if k == "kubernetes.io/role" && !v.is_empty() {
                roles.insert(v.to_string());
            }
        }
    }
    let roles = if roles.is_empty() { "<none>".to_string() } else { roles.into_iter().collect::<Vec<_>>().join(",") };
    let address = |ty: &str| {
        arr_at(node, "/status/addresses")
            .iter()
            .find(|a| str_at(a, "/type") == ty)
            .map_or("<none>", |a| str_at(a, "/address"))
            .to_string()
    };
    let info = |field: &str| or(str_at(node, &format!("/status/nodeInfo/{field}")), "<unknown>").to_string();
    vec![
        object::name(node).to_string(),
        status.join(","),
        roles,
        object::age(node, now),
        str_at(node, "/status/nodeInfo/kubeletVersion").to_string(),
        address("InternalIP"),
        address("ExternalIP"),
        info("osImage"),
        info("kernelVersion"),
        info("containerRuntimeVersion"),
    ]
}

fn service_cells(svc: &Object, now: u64) -> Vec<String> {
    // Decoding defaults `type` to ClusterIP and `clusterIPs` to `[clusterIP]`.
    let ty = or(str_at(svc, "/spec/type"), "ClusterIP");
    let cluster_ip = arr_at(svc, "/spec/clusterIPs")
        .first()
        .and_then(Value::as_str)
        .unwrap_or_else(|| str_at(svc, "/spec/clusterIP"));
    let external_ips: Vec<&str> = arr_at(svc, "/spec/externalIPs").iter().filter_map(Value::as_str).collect();
    let external = match ty {
        "ClusterIP" | "NodePort" if external_ips.is_empty() => "<none>".to_string(),
        "ClusterIP" | "NodePort" => external_ips.join(","),
        "LoadBalancer" => {
            // The server prints with Wide: true, so the 16-character clipping never applies.
            let lb: BTreeSet<&str> = arr_at(svc, "/status/loadBalancer/ingress")
                .iter()
                .map(|i| or(str_at(i, "/ip"), str_at(i, "/hostname")))
                .filter(|s| !s.is_empty())
                .collect();
            let mut all: Vec<&str> = lb.into_iter().collect();
            if !external_ips.is_empty() {
                all.extend(external_ips);
                all.join(",")
            } else if all.is_empty() {
                "<pending>".to_string()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => str_at(svc, "/spec/externalName").to_string(),
        _ => "<unknown>".to_string(),
    };
    let ports: Vec<String> = arr_at(svc, "/spec/ports")
        .iter()
        .map(|p| {
            let proto = or(str_at(p, "/protocol"), "TCP");
            match int_at(p, "/nodePort") {
                np if np > 0 => format!("{}:{np}/{proto}", int_at(p, "/port")),
                _ => format!("{}/{proto}", int_at(p, "/port")),
            }
        })
        .collect();
    let ports = if ports.is_empty() { "<none>".to_string() } else { ports.join(",") };
    vec![
        object::name(svc).to_string(),
        ty.to_string(),
        or(cluster_ip, "<none>").to_string(),
        external,
        ports,
        object::age(svc, now),
        format_labels(svc.pointer("/spec/selector")),
    ]
}

/// printers.go `formatEndpoints` with all ports: up to 3 `ip:port`, then ` + N more...`.
fn format_endpoints(ep: &Object) -> String {
    let subsets = arr_at(ep, "/subsets");
    if subsets.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in subsets {
        let addresses = arr_at(ss, "/addresses");
        let ports = arr_at(ss, "/ports");
        if ports.is_empty() {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(str_at(a, "/ip").to_string());
            }
            continue;
        }
        for p in ports {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                let ip = str_at(a, "/ip");
                let port = int_at(p, "/port");
                list.push(if ip.contains(':') { format!("[{ip}]:{port}") } else { format!("{ip}:{port}") });
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count - MAX)
    } else {
        joined
    }
}

fn job_cells(job: &Object, now: u64) -> Vec<String> {
    let succeeded = int_at(job, "/status/succeeded");
    let completions = match present(job, "/spec/completions").and_then(Value::as_i64) {
        Some(c) => format!("{succeeded}/{c}"),
        None => match int_at(job, "/spec/parallelism") {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let duration = match (time_at(job, "/status/startTime"), time_at(job, "/status/completionTime")) {
        (None, _) => String::new(),
        (Some(start), None) => object::human_duration(start.elapsed(now)),
        (Some(start), Some(end)) => object::human_duration(end.secs.saturating_sub(start.secs)),
    };
    let (containers, images) = container_cells(job, "/spec/template/spec/containers");
    vec![
        object::name(job).to_string(),
        completions,
        duration,
        object::age(job, now),
        containers,
        images,
        format_label_selector(job.pointer("/spec/selector")),
    ]
}

fn event_cells(ev: &Object, now: u64) -> Vec<String> {
    let since = |t: Option<Time>| t.map_or_else(|| "<unknown>".to_string(), |t| object::human_duration(t.elapsed(now)));
    let first = time_at(ev, "/firstTimestamp").or_else(|| time_at(ev, "/eventTime"));
    let first_seen = since(first);
    let mut last_seen = match time_at(ev, "/lastTimestamp") {
        Some(t) => since(Some(t)),
        None => first_seen.clone(),
    };
    let mut count = int_at(ev, "/count");
    if let Some(series) = present(ev, "/series") {
        last_seen = since(time_at(series, "/lastObservedTime"));
        count = int_at(series, "/count");
    } else if count == 0 {
        count = 1;
    }
    let kind = str_at(ev, "/involvedObject/kind").to_lowercase();
    let target = match str_at(ev, "/involvedObject/name") {
        "" => kind,
        n => format!("{kind}/{n}"),
    };
    let component = or(str_at(ev, "/source/component"), str_at(ev, "/reportingComponent"));
    let host = or(str_at(ev, "/source/host"), str_at(ev, "/reportingInstance"));
    let source = if host.is_empty() { component.to_string() } else { format!("{component}, {host}") };
    vec![
        last_seen,
        str_at(ev, "/type").to_string(),
        str_at(ev, "/reason").to_string(),
        target,
        str_at(ev, "/involvedObject/fieldPath").to_string(),
        source,
        str_at(ev, "/message").trim().to_string(),
        first_seen,
        count.to_string(),
        object::name(ev).to_string(),
    ]
}

/// REQUEST and LIMIT of a ResourceQuota: `resource: used/hard` for each hard limit, in name order,
/// `limits.*` in LIMIT. Quantities print as stored (the API server writes them canonical).
fn quota_cells(q: &Object) -> (String, String) {
    let (mut request, mut limit) = (Vec::new(), Vec::new());
    if let Some(hard) = q.pointer("/status/hard").and_then(Value::as_object) {
        let mut names: Vec<&String> = hard.keys().collect();
        names.sort();
        for name in names {
            let used = q.pointer("/status/used").and_then(|u| u.get(name.as_str())).map_or("0".to_string(), quantity);
            let cell = format!("{name}: {used}/{}", quantity(&hard[name.as_str()]));
            if name.starts_with("limits.") {
                limit.push(cell);
            } else {
                request.push(cell);
            }
        }
    }
    (request.join(", "), limit.join(", "))
}

fn quantity(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// printers.go `layoutContainerCells`: names and images, comma-separated.
fn container_cells(obj: &Object, pointer: &str) -> (String, String) {
    let containers = arr_at(obj, pointer);
    let names: Vec<&str> = containers.iter().map(|c| str_at(c, "/name")).collect();
    let images: Vec<&str> = containers.iter().map(|c| str_at(c, "/image")).collect();
    (names.join(","), images.join(","))
}

/// `spec.replicas`, which decoding defaults to 1.
fn replicas(obj: &Object) -> i64 {
    present(obj, "/spec/replicas").and_then(Value::as_i64).unwrap_or(1)
}

/// apimachinery `labels.FormatLabels`: `k=v` pairs sorted as strings, or `<none>`.
pub fn format_labels(labels: Option<&Value>) -> String {
    let mut pairs: Vec<String> = labels
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect())
        .unwrap_or_default();
    if pairs.is_empty() {
        return "<none>".to_string();
    }
    pairs.sort();
    pairs.join(",")
}

/// `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key (`app=nginx`,
/// `tier in (a,b)`, `tier notin (c)`, `x`, `!y`); empty for no selector; `None` if invalid.
pub fn label_selector(selector: Option<&Value>) -> Option<String> {
    let Some(sel) = selector.filter(|s| !s.is_null()) else {
        return Some(String::new());
    };
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in m {
            reqs.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or(""))));
        }
    }
    for e in arr_at(sel, "/matchExpressions") {
        let key = str_at(e, "/key");
        let mut values: Vec<&str> = arr_at(e, "/values").iter().filter_map(Value::as_str).collect();
        values.sort_unstable();
        let rendered = match str_at(e, "/operator") {
            "In" if !values.is_empty() => format!("{key} in ({})", values.join(",")),
            "NotIn" if !values.is_empty() => format!("{key} notin ({})", values.join(",")),
            "Exists" if values.is_empty() => key.to_string(),
            "DoesNotExist" if values.is_empty() => format!("!{key}"),
            _ => return None,
        };
        reqs.push((key.to_string(), rendered));
    }
    // UNCONFIRMED: Go sorts with sort.Sort (not stable); requirements sharing a key keep their
    // order here.
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    Some(reqs.into_iter().map(|(_, r)| r).collect::<Vec<_>>().join(","))
}

/// `metav1.FormatLabelSelector`: the selector, `<none>` when empty, `<error>` when invalid.
pub fn format_label_selector(selector: Option<&Value>) -> String {
    match label_selector(selector) {
        None => "<error>".to_string(),
        Some(s) if s.is_empty() => "<none>".to_string(),
        Some(s) => s,
    }
}

// ---- small accessors -------------------------------------------------------------------------

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn int_at(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn arr_at<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn map_len(v: &Value, pointer: &str) -> usize {
    v.pointer(pointer).and_then(Value::as_object).map_or(0, Map::len)
}

/// A field that is there and not null (Go's non-nil pointer).
fn present<'a>(v: &'a Value, pointer: &str) -> Option<&'a Value> {
    v.pointer(pointer).filter(|x| !x.is_null())
}

fn or<'a>(s: &'a str, default: &'a str) -> &'a str {
    if s.is_empty() {
        default
    } else {
        s
    }
}

/// A `metav1.Time` / `MicroTime`: whole seconds and whether a fraction followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Time {
    pub(crate) secs: u64,
    pub(crate) nanos: u32,
}

impl Time {
    /// Whole seconds from this time to `now` (Go truncates the duration; never negative here, as
    /// `object::age`).
    pub(crate) fn elapsed(self, now: u64) -> u64 {
        if now > self.secs {
            now - self.secs - u64::from(self.nanos > 0)
        } else {
            0
        }
    }
}

/// `2026-11-27T09:00:00Z` or `2026-11-27T09:00:00.123456Z`.
pub(crate) fn time_at(v: &Value, pointer: &str) -> Option<Time> {
    let s = v.pointer(pointer)?.as_str()?;
    if !s.is_ascii() {
        return None;
    }
    match s.find('.') {
        Some(dot) if s.ends_with('Z') && dot == 19 => {
            let frac = &s[20..s.len() - 1];
            if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let nanos = frac.parse::<u32>().ok()? * 10u32.pow(9 - frac.len() as u32);
            Some(Time { secs: object::parse_rfc3339(&format!("{}Z", &s[..19]))?, nanos })
        }
        _ => Some(Time { secs: object::parse_rfc3339(s)?, nanos: 0 }),
    }
}

// ---------------------------------------------------------------------------------------------
// Tab writer
// ---------------------------------------------------------------------------------------------

/// Go's text/tabwriter as kubectl configures it (liggitt/tabwriter, padding with spaces, no
/// flags but `RememberWidths`). Cells are tab-terminated text; a column block is a run of lines
/// with a cell in that column; each column is `max(minwidth, widest cell + padding)` runes wide;
/// the last cell of a line is not a column and is not padded. Widths count runes (a Hangul
/// syllable is one, as in Go).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TabWriter {
    minwidth: usize,
    padding: usize,
    remember_widths: bool,
    maxwidths: Vec<usize>,
}

impl TabWriter {
    pub fn new(minwidth: usize, padding: usize, remember_widths: bool) -> TabWriter {
        TabWriter { minwidth, padding, remember_widths, maxwidths: Vec::new() }
    }

    /// cli-runtime `GetNewTabWriter`: minwidth 6, tabwidth 4 (unused with space padding),
    /// padding 3, `RememberWidths`.
    pub fn kubectl() -> TabWriter {
        TabWriter::new(6, 3, true)
    }

    /// Writes one line per row (cells joined by tabs, so a tab inside a cell splits it as it would
    /// in kubectl) and flushes; returns the lines without their newlines. With remembered widths a
    /// later call never makes a column narrower than an earlier one did.
    pub fn write_rows(&mut self, rows: &[Vec<String>]) -> Vec<String> {
        let lines: Vec<Vec<String>> =
            rows.iter().map(|r| r.join("\t").split(['\t', '\x0b']).map(str::to_string).collect()).collect();
        let mut out = Vec::with_capacity(lines.len());
        let mut widths = Vec::new();
        self.format(&lines, &mut widths, 0, lines.len(), &mut out);
        out
    }

    fn format(
        &mut self,
        lines: &[Vec<String>],
        widths: &mut Vec<usize>,
        mut line0: usize,
        line1: usize,
        out: &mut Vec<String>,
    ) {
        let column = widths.len();
        let has_cell = |line: &Vec<String>| column + 1 < line.len();
        let mut this = line0;
        while this < line1 {
            if !has_cell(&lines[this]) {
                this += 1;
                continue;
            }
            // A column block starts here: print the lines before it, then size the block.
            write_lines(lines, widths, line0, this, out);
            line0 = this;
            let mut width = self.minwidth;
            while this < line1 && has_cell(&lines[this]) {
                width = width.max(lines[this][column].chars().count() + self.padding);
                this += 1;
            }
            if self.remember_widths {
                if self.maxwidths.len() < widths.len() {
                    self.maxwidths.extend_from_slice(&widths[self.maxwidths.len()..]);
                }
                match self.maxwidths.get(column).copied() {
                    None => self.maxwidths.push(width),
                    Some(m) if m > width => width = m,
                    Some(_) => self.maxwidths[column] = width,
                }
            }
            widths.push(width);
            self.format(lines, widths, line0, this, out);
            widths.pop();
            line0 = this;
        }
        write_lines(lines, widths, line0, line1, out);
    }
}

fn write_lines(lines: &[Vec<String>], widths: &[usize], line0: usize, line1: usize, out: &mut Vec<String>) {
    for line in &lines[line0..line1] {
        let mut text = String::new();
        for (j, cell) in line.iter().enumerate() {
            text.push_str(cell);
            if let Some(&w) = widths.get(j) {
                let n = cell.chars().count();
                text.extend(std::iter::repeat_n(' ', w.saturating_sub(n)));
            }
        }
        out.push(text);
    }
}

// ---------------------------------------------------------------------------------------------
// -o json
// ---------------------------------------------------------------------------------------------

/// Go's `json.MarshalIndent(obj, "", "    ")` plus the newline kubectl's JSONPrinter adds: keys in
/// byte order, `[]`/`{}` for empty, `<`, `>`, `&`, U+2028, U+2029 escaped as `\u003c`… (Go's
/// HTML-safe default).
pub fn to_json(v: &Value) -> String {
    let mut out = String::new();
    json_value(v, 0, &mut out);
    out.push('\n');
    out
}

fn json_value(v: &Value, level: usize, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&json_number(n)),
        Value::String(s) => json_string(s, out),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_newline(level + 1, out);
                json_value(item, level + 1, out);
            }
            json_newline(level, out);
            out.push(']');
        }
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_newline(level + 1, out);
                json_string(k, out);
                out.push_str(": ");
                json_value(&m[k.as_str()], level + 1, out);
            }
            json_newline(level, out);
            out.push('}');
        }
    }
}

fn json_newline(level: usize, out: &mut String) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', 4 * level));
}

/// Go encoding/json string escaping (escapeHTML on). UNCONFIRMED: `\b` and `\f` print as
/// `\u0008`/`\u000c` with the Go 1.20 that built kubectl 1.27 (Go 1.22 switched to `\b`, `\f`).
fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's float64 JSON form: integers without `.0`, `e` notation below 1e-6 and from 1e21.
fn json_number(n: &Number) -> String {
    match n.as_f64() {
        Some(f) if !n.is_i64() && !n.is_u64() => {
            let abs = f.abs();
            if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
                go_exponent(f, false)
            } else {
                format!("{f}")
            }
        }
        _ => n.to_string(),
    }
}

/// Go exponent notation from Rust's shortest `{:e}`: `pad` gives strconv's two-digit exponent
/// (`1e-07`, `1e+21`), no `pad` the form encoding/json cleans it to (`1e-7`, `1e+21`).
fn go_exponent(f: f64, pad: bool) -> String {
    let s = format!("{f:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    if pad {
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{mantissa}e{sign}{}", exp.abs())
    }
}

// ---------------------------------------------------------------------------------------------
// -o yaml
// ---------------------------------------------------------------------------------------------

/// sigs.k8s.io/yaml `Marshal`: the JSON value through gopkg.in/yaml.v2 (v2.4.0)'s encoder and
/// emitter, ported for the block styles it produces here (best indent 2, best width 80,
/// unicode on). Ends with a newline.
pub fn to_yaml(v: &Value) -> String {
    let mut e = Yaml {
        out: String::new(),
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
        mapping_context: false,
        simple_key_context: false,
    };
    e.node(v, false, false);
    e.write_indent(); // DOCUMENT-END (implicit)
    e.out
}

const BEST_WIDTH: usize = 80;
const BEST_INDENT: i64 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// yaml.v2's emitter state, as far as block output needs it.
struct Yaml {
    out: String,
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
    mapping_context: bool,
    simple_key_context: bool,
}

impl Yaml {
    fn node(&mut self, v: &Value, mapping: bool, simple_key: bool) {
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match v {
            Value::Null => self.scalar("null", Style::Plain),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain),
            Value::Number(n) => self.scalar(&yaml_number(n), Style::Plain),
            Value::String(s) => self.scalar(s, string_style(s)),
            Value::Array(a) if a.is_empty() => self.empty_flow("[", "]"),
            Value::Array(a) => self.block_sequence(a),
            Value::Object(m) if m.is_empty() => self.empty_flow("{", "}"),
            Value::Object(m) => self.block_mapping(m),
        }
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Value]) {
        // Under a mapping key the items are not indented (`key:` / `- item`).
        let indentless = self.mapping_context && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, false, false);
        }
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn block_mapping(&mut self, m: &Map<String, Value>) {
        self.increase_indent(false, false);
        let mut keys: Vec<&String> = m.keys().collect();
        keys.sort_by(|a, b| yaml_key_cmp(a, b));
        for k in keys {
            self.write_indent();
            let a = analyze(k);
            if !a.multiline && k.len() <= 128 {
                self.mapping_context = true;
                self.simple_key_context = true;
                self.scalar(k, string_style(k));
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.mapping_context = true;
                self.simple_key_context = false;
                self.scalar(k, string_style(k));
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(&m[k.as_str()], true, false);
        }
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn scalar(&mut self, value: &str, requested: Style) {
        let a = analyze(value);
        let mut style = requested;
        if self.simple_key_context && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (value.is_empty() && self.simple_key_context)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || self.simple_key_context) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let chars: Vec<char> = value.chars().collect();
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.write_plain(&chars, allow_breaks),
            Style::Single => self.write_single_quoted(&chars, allow_breaks),
            Style::Double => self.write_double_quoted(&chars, allow_breaks),
            Style::Literal => self.write_literal(&chars),
        }
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn write_plain(&mut self, v: &[char], allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in v.iter().enumerate() {
            if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && v.get(i + 1) != Some(&' ') {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, v: &[char], allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in v.iter().enumerate() {
            if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < v.len() && v[i + 1] != ' ' {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, v: &[char], allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // yaml.v2 quirk: `is_bom` looks at the start of the value, not at the character, so a
        // value starting with U+FEFF gets every character escaped.
        let bom = v.first() == Some(&'\u{feff}');
        let mut spaces = false;
        let mut i = 0;
        while i < v.len() {
            let c = v[i];
            if !is_printable(c) || bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let short = match c {
                    '\0' => Some('0'),
                    '\x07' => Some('a'),
                    '\x08' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\x0b' => Some('v'),
                    '\x0c' => Some('f'),
                    '\r' => Some('r'),
                    '\x1b' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match short {
                    Some(s) => self.put(s),
                    None => {
                        let code = c as u32;
                        let (prefix, digits) = match code {
                            0..=0xff => ('x', 2),
                            0x100..=0xffff => ('u', 4),
                            _ => ('U', 8),
                        };
                        self.put(prefix);
                        for ch in format!("{code:0digits$X}").chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < v.len() {
                    self.write_indent();
                    if v[i + 1] == ' ' {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            i += 1;
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, v: &[char]) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints: an indentation indicator when the text starts with a space or a
        // break; `-` without a final break, `+` with more than one, none with exactly one.
        if v.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let chomp = match v {
            [] => Some("-"),
            [.., last] if !is_break(*last) => Some("-"),
            [_] => Some("+"),
            [.., before, _] if is_break(*before) => Some("+"),
            _ => None,
        };
        if let Some(ch) = chomp {
            self.write_indicator(ch, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in v {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// yaml.v2 `is_printable` (which, working on UTF-8 bytes, leaves out every character beyond
/// U+FFFF: those are escaped in double quotes).
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\x20'..='\x7e' | '\u{a0}'..='\u{d7ff}')
        || (('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}')
}

#[derive(Debug)]
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// yaml.v2 `yaml_emitter_analyze_scalar` (block context only).
fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let v: Vec<char> = value.chars().collect();
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    for (i, &c) in v.iter().enumerate() {
        let followed_by_whitespace = v.get(i + 1).is_none_or(|&n| n == ' ' || n == '\t');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    block_indicators = true
                }
                '?' | ':' if followed_by_whitespace => block_indicators = true,
                '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        let last = i + 1 == v.len();
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = c == ' ' || c == '\t' || is_break(c) || c == '\0';
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// yaml.v2 encoder `stringv`: a literal block for multi-line text, plain when the text would read
/// back as the same string, double quotes otherwise.
fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if resolves_to_str(s) && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::Double
    }
}

/// A JSON number as yaml.v2 writes it after sigs.k8s.io/yaml's JSON round trip: integers as
/// they are (a whole float comes back as an integer), other floats in Go's `%g` shortest form.
fn yaml_number(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{f:.0}");
    }
    let exp = format!("{f:e}").split_once('e').and_then(|(_, e)| e.parse::<i32>().ok()).unwrap_or(0);
    // strconv.FormatFloat(f, 'g', -1, 64): `%e` below 1e-4 and from 1e6.
    if !(-4..6).contains(&exp) {
        go_exponent(f, true)
    } else {
        format!("{f}")
    }
}

/// yaml.v2 `resolve("", s)` says `!!str`: the text would not read back as a bool, null, number or
/// timestamp.
fn resolves_to_str(s: &str) -> bool {
    // yaml.v2 resolve.go's map: booleans, nulls, the float specials (and `<<`, whose first
    // character never gets this far).
    const NON_STR: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No", "NO", "false",
        "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf",
        ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    ];
    let hint = match s.bytes().next() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return true,
    };
    if NON_STR.contains(&s) {
        return false;
    }
    match hint {
        b'.' => go_parse_float(s).is_none(),
        b'D' | b'S' => {
            if is_yaml_timestamp(s) {
                return false;
            }
            let plain = s.replace('_', "");
            if go_parse_int(&plain, true).is_some() || go_parse_int(&plain, false).is_some() {
                return false;
            }
            if is_yaml_style_float(&plain) && go_parse_float(&plain).is_some() {
                return false;
            }
            // `0b…`/`-0b…` already parse as base-0 integers above.
            true
        }
        _ => true,
    }
}

/// Go `strconv.ParseInt(s, 0, 64)` (`signed`) or `ParseUint(s, 0, 64)` succeeds.
fn go_parse_int(s: &str, signed: bool) -> Option<()> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+' | b'-') if signed => (s.starts_with('-'), &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    let fits = if !signed {
        magnitude <= u128::from(u64::MAX)
    } else if neg {
        magnitude <= 1u128 << 63
    } else {
        magnitude < 1u128 << 63
    };
    fits.then_some(())
}

/// Go `strconv.ParseFloat(s, 64)` succeeds, for the decimal forms the callers pass (a leading
/// `.`, or text matching `yamlStyleFloat`); out of range is an error in Go.
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exp) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 || mantissa.matches('.').count() > 1 || !mantissa.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return None;
    }
    if let Some(e) = exp {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !e.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// yaml.v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// yaml.v2 `isBase60Float` (`1:20`, `-3:25:45.5`): quoted for YAML 1.1 readers.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if !matches!(b.first(), Some(b'+' | b'-' | b'0'..=b'9')) || !s.contains(':') {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = usize::from(matches!(b[0], b'+' | b'-'));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let group = &b[start..i];
        let ok = match group {
            [d] => d.is_ascii_digit(),
            [a, _] => (b'0'..=b'5').contains(a),
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// yaml.v2 `parseTimestamp`: `YYYY-M-D`, `YYYY-M-DTh:m:s[.f](Z|±hh:mm)` (`t` too), or
/// `YYYY-M-D h:m:s[.f]` (Go `time.Parse` with 1–2 digit fields, validated ranges).
fn is_yaml_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut i = 5;
    // Go's getnum(value, false): one digit, or two when the second is a digit too.
    let num = |i: &mut usize| -> Option<u32> {
        let d0 = *b.get(*i).filter(|c| c.is_ascii_digit())?;
        *i += 1;
        match b.get(*i).filter(|c| c.is_ascii_digit()) {
            Some(&d1) => {
                *i += 1;
                Some(u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'))
            }
            None => Some(u32::from(d0 - b'0')),
        }
    };
    let expect = |i: &mut usize, c: u8| -> Option<()> { (b.get(*i) == Some(&c)).then(|| *i += 1) };
    let date = (|| {
        let month = num(&mut i)?;
        expect(&mut i, b'-')?;
        let day = num(&mut i)?;
        let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(())
    })();
    if date.is_none() {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let time = (|| {
        let h = num(&mut i)?;
        expect(&mut i, b':')?;
        let m = num(&mut i)?;
        expect(&mut i, b':')?;
        let sec = num(&mut i)?;
        (h < 24 && m < 60 && sec < 60).then_some(())
    })();
    if time.is_none() {
        return false;
    }
    if b.get(i).is_some_and(|&c| c == b'.' || c == b',') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if !zoned {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let z = &b[i + 1..];
            z.len() == 5
                && z[2] == b':'
                && [z[0], z[1], z[3], z[4]].iter().all(u8::is_ascii_digit)
                && (z[0] - b'0') * 10 + (z[1] - b'0') <= 24
                && (z[3] - b'0') * 10 + (z[4] - b'0') <= 60
        }
        _ => false,
    }
}

/// yaml.v2 `keyList.Less` for string keys: letters after other characters, runs of digits
/// compared as numbers (`a2` before `a10`), otherwise by code point.
fn yaml_key_cmp(a: &str, b: &str) -> Ordering {
    if yaml_key_less(a, b) {
        Ordering::Less
    } else if yaml_key_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn yaml_key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    // Go's unicode.IsDigit; the arithmetic below assumes ASCII digits, as yaml.v2's does.
    let digit = |c: char| c.is_ascii_digit();
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            for j in (0..i).rev() {
                if !digit(ar[j]) {
                    break;
                }
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::k8s::resources::resolve;

    const NOW: u64 = object::EPOCH_UNIX_S + 1_000_000;

    /// The RFC 3339 time `ago` seconds before NOW.
    fn ts(ago: u64) -> String {
        object::rfc3339(NOW - ago)
    }

    fn res(name: &str) -> &'static ApiResource {
        resolve(name).expect("a known resource")
    }

    fn get(resource: &str, objects: &[Object], opts: GetOptions) -> Vec<String> {
        let printed = print_list(res(resource), objects, "default", NOW, &opts);
        assert!(printed.stderr.is_empty(), "{:?}", printed.stderr);
        printed.stdout
    }

    fn table(resource: &str, objects: &[Object]) -> Vec<String> {
        get(resource, objects, GetOptions::default())
    }

    fn wide(resource: &str, objects: &[Object]) -> Vec<String> {
        get(resource, objects, GetOptions { output: Output::Wide, ..GetOptions::default() })
    }

    fn meta(name: &str, ns: &str, ago: u64) -> Value {
        json!({"name": name, "namespace": ns, "creationTimestamp": ts(ago)})
    }

    // ---- tab writer ----

    #[test]
    fn tabwriter_pads_to_widest_plus_three_with_minimum_six_and_leaves_the_last_cell() {
        let mut tw = TabWriter::kubectl();
        let rows =
            vec![vec!["A".to_string(), "BB".into(), "C".into()], vec!["AAAA".into(), "B".into(), "CCCCCCC".into()]];
        assert_eq!(tw.write_rows(&rows), ["A      BB    C", "AAAA   B     CCCCCCC"]);
        // An empty last cell leaves the padding of the one before it (kubectl prints it so).
        let mut tw = TabWriter::kubectl();
        assert_eq!(tw.write_rows(&[vec!["name".into(), "req".into(), String::new()]]), ["name   req   "]);
        // A line with fewer cells ends the column blocks above it.
        let mut tw = TabWriter::kubectl();
        let rows = vec![
            vec!["a".to_string(), "b".into(), "c".into()],
            vec!["only-one-cell-here".into()],
            vec!["d".into(), "e".into()],
        ];
        assert_eq!(tw.write_rows(&rows), ["a     b     c", "only-one-cell-here", "d     e"]);
        // Widths count runes, as Go's tabwriter does.
        let mut tw = TabWriter::kubectl();
        assert_eq!(tw.write_rows(&[vec!["한글".into(), "x".into()]]), ["한글    x"]);
        // A tab inside a cell splits it, as in kubectl.
        let mut tw = TabWriter::kubectl();
        assert_eq!(tw.write_rows(&[vec!["a\tb".into(), "c".into()]]), ["a     b     c"]);
    }

    #[test]
    fn tabwriter_remembers_widths_across_flushes_like_get_watch() {
        let mut tw = TabWriter::kubectl();
        assert_eq!(tw.write_rows(&[vec!["abcdefgh".into(), "x".into()]]), ["abcdefgh   x"]);
        assert_eq!(tw.write_rows(&[vec!["a".into(), "y".into()]]), ["a          y"]);
        let mut forgetful = TabWriter::new(6, 3, false);
        assert_eq!(forgetful.write_rows(&[vec!["abcdefgh".into(), "x".into()]]), ["abcdefgh   x"]);
        assert_eq!(forgetful.write_rows(&[vec!["a".into(), "y".into()]]), ["a     y"]);
    }

    // ---- pods ----

    fn pod(name: &str, ago: u64, phase: &str, statuses: Value) -> Value {
        let n = statuses.as_array().map_or(1, |a| a.len().max(1));
        let containers: Vec<Value> = (0..n).map(|i| json!({"name": format!("c{i}"), "image": "nginx"})).collect();
        json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": meta(name, "default", ago),
            "spec": {"containers": containers},
            "status": {"phase": phase, "containerStatuses": statuses}
        })
    }

    fn running(restarts: i64) -> Value {
        json!({"name": "c0", "ready": true, "restartCount": restarts, "state": {"running": {"startedAt": ts(60)}}})
    }

    fn waiting(reason: &str) -> Value {
        json!({"name": "c0", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": reason}}})
    }

    #[test]
    fn pods_print_the_fact_sheet_line() {
        let p = pod("nginx-7854ff8877-4xkqz", 18, "Running", json!([running(0)]));
        assert_eq!(
            table("pods", &[p]),
            [
                "NAME                     READY   STATUS    RESTARTS   AGE",
                "nginx-7854ff8877-4xkqz   1/1     Running   0          18s",
            ]
        );
    }

    #[test]
    fn pod_status_column_follows_kubectl() {
        let mut crash = waiting("CrashLoopBackOff");
        crash["restartCount"] = json!(2);
        crash["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ts(180)}});
        let mut pending = pod("pending", 5, "Pending", json!([]));
        pending["status"].as_object_mut().unwrap().remove("containerStatuses");
        let mut two = pod("two", 18, "Pending", json!([running(0), waiting("ImagePullBackOff")]));
        two["status"]["containerStatuses"][1]["name"] = json!("c1");
        let mut init = pod("init", 18, "Pending", json!([waiting("PodInitializing")]));
        init["spec"]["initContainers"] = json!([{"name": "setup", "image": "busybox"}]);
        init["status"]["initContainerStatuses"] =
            json!([{"name": "setup", "ready": false, "restartCount": 0, "state": {"running": {}}}]);
        let done = pod(
            "done",
            7200,
            "Succeeded",
            json!([{"name": "c0", "ready": false, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]),
        );
        let mut leaving = pod("leaving", 18, "Running", json!([running(0)]));
        leaving["metadata"]["deletionTimestamp"] = json!(ts(1));
        let pods = [
            pod("nginx-7854ff8877-4xkqz", 18, "Running", json!([running(0)])),
            pending,
            pod("creating", 5, "Pending", json!([waiting("ContainerCreating")])),
            pod("crash", 600, "Running", json!([crash])),
            pod("pull", 18, "Pending", json!([waiting("ErrImagePull")])),
            two,
            init,
            done,
            leaving,
        ];
        assert_eq!(
            table("pods", &pods),
            [
                "NAME                     READY   STATUS              RESTARTS     AGE",
                "nginx-7854ff8877-4xkqz   1/1     Running             0            18s",
                "pending                  0/1     Pending             0            5s",
                "creating                 0/1     ContainerCreating   0            5s",
                "crash                    0/1     CrashLoopBackOff    2 (3m ago)   10m",
                "pull                     0/1     ErrImagePull        0            18s",
                "two                      1/2     ImagePullBackOff    0            18s",
                "init                     0/1     Init:0/1            0            18s",
                "done                     0/1     Completed           0            120m",
                "leaving                  1/1     Terminating         0            18s",
            ]
        );
    }

    #[test]
    fn pod_status_edge_cases() {
        let status = |p: Value| super::table(res("pods"), &[p], NOW).rows[0][2].clone();
        let restarts = |p: Value| super::table(res("pods"), &[p], NOW).rows[0][3].clone();
        let terminated =
            |t: Value| json!([{"name": "c0", "ready": false, "restartCount": 0, "state": {"terminated": t}}]);
        assert_eq!(status(pod("a", 1, "Running", terminated(json!({"exitCode": 0, "signal": 9})))), "Signal:9");
        assert_eq!(status(pod("a", 1, "Failed", terminated(json!({"exitCode": 137})))), "ExitCode:137");
        assert_eq!(status(pod("a", 1, "Failed", terminated(json!({"exitCode": 1, "reason": "Error"})))), "Error");
        // A Completed container beside a running one: Running if the pod is Ready, else NotReady.
        let mut partial = pod(
            "a",
            1,
            "Running",
            json!([{"name": "c0", "ready": false, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}, running(0)]),
        );
        assert_eq!(status(partial.clone()), "NotReady");
        partial["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
        assert_eq!(status(partial), "Running");
        // Node lost while deleting; scheduling gates; the pod-level reason.
        let mut lost = pod("a", 1, "Running", json!([running(0)]));
        lost["metadata"]["deletionTimestamp"] = json!(ts(1));
        lost["status"]["reason"] = json!("NodeLost");
        assert_eq!(status(lost), "Unknown");
        let mut gated = pod("a", 1, "Pending", json!([]));
        gated["status"]["conditions"] =
            json!([{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]);
        assert_eq!(status(gated), "SchedulingGated");
        let mut evicted = pod("a", 1, "Failed", json!([]));
        evicted["status"]["reason"] = json!("Evicted");
        assert_eq!(status(evicted), "Evicted");
        // Init containers: a failed one, a waiting one.
        let mut failed_init = pod("a", 1, "Pending", json!([]));
        failed_init["spec"]["initContainers"] = json!([{"name": "i"}, {"name": "j"}]);
        failed_init["status"]["initContainerStatuses"] = json!([
            {"name": "i", "restartCount": 0, "state": {"terminated": {"exitCode": 0}}},
            {"name": "j", "restartCount": 3, "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}
        ]);
        assert_eq!(status(failed_init.clone()), "Init:Error");
        assert_eq!(restarts(failed_init), "3");
        let mut waiting_init = pod("a", 1, "Pending", json!([]));
        waiting_init["status"]["initContainerStatuses"] =
            json!([{"name": "i", "restartCount": 0, "state": {"waiting": {"reason": "ImagePullBackOff"}}}]);
        assert_eq!(status(waiting_init), "Init:ImagePullBackOff");
        // Restarts without a finish time print bare; the newest finish time counts.
        assert_eq!(restarts(pod("a", 1, "Running", json!([running(4)]))), "4");
        let mut r0 = running(1);
        r0["lastState"] = json!({"terminated": {"exitCode": 1, "finishedAt": ts(3600)}});
        let mut r1 = running(2);
        r1["name"] = json!("c1");
        let micro = format!("{}.500000Z", &ts(100)[..19]);
        r1["lastState"] = json!({"terminated": {"exitCode": 1, "finishedAt": micro}});
        // 99.5 s ago (Go truncates the duration) is newer than an hour ago.
        assert_eq!(restarts(pod("a", 1, "Running", json!([r0.clone(), r1]))), "3 (99s ago)");
        assert_eq!(restarts(pod("a", 1, "Running", json!([r0]))), "1 (60m ago)");
    }

    #[test]
    fn pods_wide_adds_ip_node_nominated_node_and_readiness_gates() {
        let mut web = pod("web", 18, "Running", json!([running(0)]));
        web["spec"]["nodeName"] = json!("node01");
        web["spec"]["readinessGates"] = json!([{"conditionType": "example.com/lb"}]);
        web["status"]["podIPs"] = json!([{"ip": "10.244.1.5"}]);
        web["status"]["podIP"] = json!("10.244.1.5");
        web["status"]["conditions"] = json!([{"type": "example.com/lb", "status": "True"}]);
        let mut queued = pod("queued", 5, "Pending", json!([]));
        queued["status"].as_object_mut().unwrap().remove("containerStatuses");
        assert_eq!(
            wide("pods", &[web.clone(), queued.clone()]),
            [
                "NAME     READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES",
                "web      1/1     Running   0          18s   10.244.1.5   node01   <none>           1/1",
                "queued   0/1     Pending   0          5s    <none>       <none>   <none>           <none>",
            ]
        );
        let opts = GetOptions { wide: true, ..GetOptions::default() };
        assert_eq!(
            get("pods", &[web, queued], opts)[0],
            "NAME     READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES"
        );
    }

    // ---- nodes ----

    fn node(name: &str, ago: u64, ready: Option<&str>, version: &str) -> Value {
        let conditions: Vec<Value> = ready
            .map(|s| vec![json!({"type": "MemoryPressure", "status": "False"}), json!({"type": "Ready", "status": s})])
            .unwrap_or_default();
        json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "creationTimestamp": ts(ago), "labels": {"kubernetes.io/hostname": name}},
            "spec": {},
            "status": {"conditions": conditions, "nodeInfo": {"kubeletVersion": version}}
        })
    }

    #[test]
    fn nodes_print_the_fact_sheet_line() {
        let mut n = node("node01", 10 * 86_400, Some("True"), "v1.30.0");
        n["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] = json!("");
        assert_eq!(
            table("nodes", &[n]),
            ["NAME     STATUS   ROLES           AGE   VERSION", "node01   Ready    control-plane   10d   v1.30.0"]
        );
    }

    #[test]
    fn node_status_roles_and_wide_columns() {
        let mut n1 = node("node01", 10 * 86_400, Some("True"), "v1.27.3");
        n1["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] = json!("");
        n1["status"]["addresses"] =
            json!([{"type": "Hostname", "address": "node01"}, {"type": "InternalIP", "address": "172.18.0.2"}]);
        n1["status"]["nodeInfo"]["osImage"] = json!("Debian GNU/Linux 11 (bullseye)");
        n1["status"]["nodeInfo"]["kernelVersion"] = json!("5.15.0");
        n1["status"]["nodeInfo"]["containerRuntimeVersion"] = json!("containerd://1.7.1");
        let mut n2 = node("node02", 300, Some("Unknown"), "v1.27.3");
        n2["spec"]["unschedulable"] = json!(true);
        let mut n3 = node("node03", 18, None, "");
        n3["metadata"]["labels"]["kubernetes.io/role"] = json!("worker");
        assert_eq!(
            table("nodes", &[n1.clone(), n2, n3.clone()]),
            [
                "NAME     STATUS                        ROLES           AGE   VERSION",
                "node01   Ready                         control-plane   10d   v1.27.3",
                "node02   NotReady,SchedulingDisabled   <none>          5m    v1.27.3",
                "node03   Unknown                       worker          18s   ",
            ]
        );
        assert_eq!(
            wide("nodes", &[n1, n3]),
            [
                "NAME     STATUS    ROLES           AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION   CONTAINER-RUNTIME",
                "node01   Ready     control-plane   10d   v1.27.3   172.18.0.2    <none>        Debian GNU/Linux 11 (bullseye)   5.15.0           containerd://1.7.1",
                "node03   Unknown   worker          18s             <none>        <none>        <unknown>                        <unknown>        <unknown>",
            ]
        );
    }

    // ---- namespaces, services, endpoints ----

    #[test]
    fn namespaces() {
        let ns = |name: &str, ago: u64, phase: &str| {
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "creationTimestamp": ts(ago)},
                   "status": {"phase": phase}})
        };
        assert_eq!(
            table(
                "ns",
                &[ns("default", 864_000, "Active"), ns("kube-system", 864_000, "Active"), ns("old", 18, "Terminating")]
            ),
            [
                "NAME          STATUS        AGE",
                "default       Active        10d",
                "kube-system   Active        10d",
                "old           Terminating   18s",
            ]
        );
    }

    #[test]
    fn services_print_type_ips_ports_and_wide_selector() {
        let kubernetes = json!({
            "apiVersion": "v1", "kind": "Service", "metadata": meta("kubernetes", "default", 864_000),
            "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"],
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}
        });
        assert_eq!(
            table("svc", &[kubernetes]),
            [
                "NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE",
                "kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   10d",
            ]
        );
        let web = json!({
            "apiVersion": "v1", "kind": "Service", "metadata": meta("web", "default", 18),
            "spec": {"type": "NodePort", "clusterIP": "10.96.100.7", "selector": {"tier": "front", "app": "web"},
                     "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}
        });
        let lb = json!({
            "apiVersion": "v1", "kind": "Service", "metadata": meta("lb", "default", 18),
            "spec": {"type": "LoadBalancer", "clusterIPs": ["10.96.9.9"],
                     "ports": [{"port": 80, "nodePort": 31000, "protocol": "TCP"},
                               {"port": 443, "nodePort": 31443, "protocol": "TCP"}]},
            "status": {"loadBalancer": {}}
        });
        let ext = json!({
            "apiVersion": "v1", "kind": "Service", "metadata": meta("ext", "default", 18),
            "spec": {"type": "ExternalName", "externalName": "db.example.com"}
        });
        assert_eq!(
            wide("svc", &[web, lb.clone(), ext]),
            [
                "NAME   TYPE           CLUSTER-IP    EXTERNAL-IP      PORT(S)                      AGE   SELECTOR",
                "web    NodePort       10.96.100.7   <none>           80:30080/TCP                 18s   app=web,tier=front",
                "lb     LoadBalancer   10.96.9.9     <pending>        80:31000/TCP,443:31443/TCP   18s   <none>",
                "ext    ExternalName   <none>        db.example.com   <none>                       18s   <none>",
            ]
        );
        let mut lb = lb;
        lb["status"]["loadBalancer"]["ingress"] = json!([{"ip": "172.18.255.201"}, {"hostname": "a.example.com"}]);
        assert_eq!(super::table(res("svc"), &[lb.clone()], NOW).rows[0][3], "172.18.255.201,a.example.com");
        lb["spec"]["externalIPs"] = json!(["1.2.3.4"]);
        assert_eq!(super::table(res("svc"), &[lb], NOW).rows[0][3], "172.18.255.201,a.example.com,1.2.3.4");
    }

    #[test]
    fn endpoints_list_three_addresses_then_count_the_rest() {
        let ep = |name: &str, ago: u64, subsets: Value| json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": meta(name, "default", ago), "subsets": subsets});
        let web = ep(
            "web",
            18,
            json!([
                {"addresses": [{"ip": "10.244.1.2"}, {"ip": "10.244.1.3"}], "ports": [{"port": 80, "protocol": "TCP"}]},
                {"addresses": [{"ip": "10.244.2.2"}, {"ip": "10.244.2.3"}], "ports": [{"port": 80, "protocol": "TCP"}]}
            ]),
        );
        let api = ep("kubernetes", 864_000, json!([{"addresses": [{"ip": "172.18.0.2"}], "ports": [{"port": 6443}]}]));
        let idle = json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": meta("idle", "default", 18)});
        assert_eq!(
            table("ep", &[api, web, idle]),
            [
                "NAME         ENDPOINTS                                               AGE",
                "kubernetes   172.18.0.2:6443                                         10d",
                "web          10.244.1.2:80,10.244.1.3:80,10.244.2.2:80 + 1 more...   18s",
                "idle         <none>                                                  18s",
            ]
        );
        let headless = ep("h", 1, json!([{"addresses": [{"ip": "fd00::1"}]}]));
        assert_eq!(super::table(res("ep"), &[headless], NOW).rows[0][1], "fd00::1");
        let v6 = ep("h", 1, json!([{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 53}]}]));
        assert_eq!(super::table(res("ep"), &[v6], NOW).rows[0][1], "[fd00::1]:53");
    }

    // ---- workloads ----

    fn template(containers: Value) -> Value {
        json!({"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": containers}})
    }

    #[test]
    fn deployments_match_the_docs_and_wide_shows_containers_images_selector() {
        let d = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("nginx-deployment", "default", 18),
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
                     "template": template(json!([{"name": "nginx", "image": "nginx:1.14.2"}]))},
            "status": {"replicas": 3, "readyReplicas": 3, "updatedReplicas": 3, "availableReplicas": 3}
        });
        assert_eq!(
            table("deploy", &[d]),
            [
                "NAME               READY   UP-TO-DATE   AVAILABLE   AGE",
                "nginx-deployment   3/3     3            3           18s",
            ]
        );
        let d = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("nginx-deployment", "default", 18),
            "spec": {"replicas": 3,
                     "selector": {"matchLabels": {"app": "nginx"},
                                  "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]},
                     "template": template(json!([{"name": "nginx", "image": "nginx:1.14.2"},
                                                 {"name": "sidecar", "image": "busybox"}]))},
            "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}
        });
        assert_eq!(
            wide("deployments.apps", &[d]),
            [
                "NAME               READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS      IMAGES                 SELECTOR",
                "nginx-deployment   2/3     3            2           18s   nginx,sidecar   nginx:1.14.2,busybox   app=nginx,tier in (a,b)",
            ]
        );
        // A fresh deployment without status: 0/<replicas>; replicas default to 1.
        let fresh = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("x", "default", 1),
                           "spec": {"template": template(json!([]))}});
        assert_eq!(super::table(res("deploy"), &[fresh], NOW).rows[0][1..4], ["0/1", "0", "0"]);
    }

    #[test]
    fn replicasets_match_the_docs() {
        let rs = json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta("nginx-deployment-75675f5897", "default", 18),
            "spec": {"replicas": 3,
                     "selector": {"matchLabels": {"app": "nginx", "pod-template-hash": "75675f5897"}},
                     "template": template(json!([{"name": "nginx", "image": "nginx:1.14.2"}]))},
            "status": {"replicas": 3, "readyReplicas": 3}
        });
        assert_eq!(
            table("rs", std::slice::from_ref(&rs)),
            [
                "NAME                          DESIRED   CURRENT   READY   AGE",
                "nginx-deployment-75675f5897   3         3         3       18s",
            ]
        );
        assert_eq!(
            wide("rs", &[rs]),
            [
                "NAME                          DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES         SELECTOR",
                "nginx-deployment-75675f5897   3         3         3       18s   nginx        nginx:1.14.2   app=nginx,pod-template-hash=75675f5897",
            ]
        );
    }

    #[test]
    fn daemonsets_statefulsets_and_jobs() {
        let ds = |name: &str, ago: u64, node_selector: Value, counts: [i64; 5]| {
            json!({
                "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta(name, "kube-system", ago),
                "spec": {"selector": {"matchLabels": {"k8s-app": name}},
                         "template": {"spec": {"nodeSelector": node_selector, "containers": []}}},
                "status": {"desiredNumberScheduled": counts[0], "currentNumberScheduled": counts[1],
                           "numberReady": counts[2], "updatedNumberScheduled": counts[3], "numberAvailable": counts[4]}
            })
        };
        assert_eq!(
            table(
                "ds",
                &[
                    ds("kube-proxy", 864_000, json!({"kubernetes.io/os": "linux"}), [3, 3, 2, 3, 2]),
                    ds("agent", 18, json!(null), [1, 1, 1, 1, 1]),
                ]
            ),
            [
                "NAME         DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE",
                "kube-proxy   3         3         2       3            2           kubernetes.io/os=linux   10d",
                "agent        1         1         1       1            1           <none>                   18s",
            ]
        );
        let sts = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("db", "default", 18),
                         "spec": {"replicas": 3, "template": template(json!([]))}, "status": {"readyReplicas": 2}});
        assert_eq!(table("sts", &[sts]), ["NAME   READY   AGE", "db     2/3     18s"]);
        let pi = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("pi", "default", 120),
                        "spec": {"completions": 1, "parallelism": 1, "template": template(json!([]))},
                        "status": {"succeeded": 1, "startTime": ts(120), "completionTime": ts(78)}});
        let batch = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("batch", "default", 18),
                           "spec": {"parallelism": 3, "template": template(json!([]))},
                           "status": {"startTime": ts(18)}});
        assert_eq!(
            table("jobs", &[pi, batch]),
            [
                "NAME    COMPLETIONS   DURATION   AGE",
                "pi      1/1           42s        2m",
                "batch   0/1 of 3      18s        18s",
            ]
        );
    }

    // ---- config and accounts ----

    #[test]
    fn configmaps_secrets_and_serviceaccounts_count_their_entries() {
        let cm = |name: &str, ago: u64, data: Value, binary: Value| {
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(name, "default", ago),
                   "data": data, "binaryData": binary})
        };
        assert_eq!(
            table(
                "cm",
                &[
                    cm("kube-root-ca.crt", 864_000, json!({"ca.crt": "-----BEGIN CERTIFICATE-----"}), json!(null)),
                    cm("settings", 18, json!({"a": "1", "b": "2"}), json!({"blob": "AAEC"})),
                ]
            ),
            ["NAME               DATA   AGE", "kube-root-ca.crt   1      10d", "settings           3      18s"]
        );
        let secret = |name: &str, ago: u64, ty: Option<&str>| {
            let mut s = json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta(name, "default", ago),
                               "data": {"a": "eA==", "b": "eQ=="}});
            if let Some(t) = ty {
                s["type"] = json!(t);
            }
            s
        };
        assert_eq!(
            table("secrets", &[secret("db", 18, None), secret("tls", 300, Some("kubernetes.io/tls"))]),
            [
                "NAME   TYPE                DATA   AGE",
                "db     Opaque              2      18s",
                "tls    kubernetes.io/tls   2      5m"
            ]
        );
        let sa = |name: &str, ago: u64, secrets: Value| json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name, "default", ago), "secrets": secrets});
        assert_eq!(
            table("sa", &[sa("default", 864_000, json!(null)), sa("builder", 18, json!([{"name": "builder-token"}]))]),
            ["NAME      SECRETS   AGE", "default   0         10d", "builder   1         18s"]
        );
    }

    // ---- events ----

    #[test]
    fn events_use_the_v1_27_columns() {
        let scheduled = json!({
            "apiVersion": "v1", "kind": "Event", "metadata": meta("nginx.17a", "default", 18),
            "type": "Normal", "reason": "Scheduled", "message": "Successfully assigned default/nginx to node01",
            "involvedObject": {"kind": "Pod", "name": "nginx", "namespace": "default"},
            "source": {"component": "default-scheduler"}, "firstTimestamp": ts(18), "lastTimestamp": ts(18), "count": 1
        });
        let backoff = json!({
            "apiVersion": "v1", "kind": "Event", "metadata": meta("crash.17b", "default", 300),
            "type": "Warning", "reason": "BackOff", "message": "  Back-off restarting failed container\nmore  ",
            "involvedObject": {"kind": "Pod", "name": "crash", "fieldPath": "spec.containers{crash}"},
            "source": {"component": "kubelet", "host": "node01"}, "firstTimestamp": ts(300),
            "lastTimestamp": ts(60), "count": 3,
            "series": {"count": 5, "lastObservedTime": "2026-12-08T22:46:35.500000Z"}
        });
        let scaled = json!({
            "apiVersion": "v1", "kind": "Event", "metadata": meta("web.17c", "default", 180),
            "type": "Normal", "reason": "ScalingReplicaSet", "message": "Scaled up replica set web-1 to 1",
            "involvedObject": {"kind": "Deployment", "name": "web"},
            "reportingComponent": "deployment-controller", "eventTime": format!("{}.000000Z", &ts(180)[..19])
        });
        // lastObservedTime above is NOW - 5 s + 0.5 s: 4.5 s ago prints as 4s.
        assert_eq!(object::parse_rfc3339("2026-12-08T22:46:35Z"), Some(NOW - 5));
        let events = [scheduled, backoff, scaled];
        assert_eq!(
            table("events", &events),
            [
                "LAST SEEN   TYPE      REASON              OBJECT           MESSAGE",
                "18s         Normal    Scheduled           pod/nginx        Successfully assigned default/nginx to node01",
                "4s          Warning   BackOff             pod/crash        Back-off restarting failed container...",
                "3m          Normal    ScalingReplicaSet   deployment/web   Scaled up replica set web-1 to 1",
            ]
        );
        let t = super::table(res("events"), &events, NOW);
        assert_eq!(
            t.rows[1],
            [
                "4s",
                "Warning",
                "BackOff",
                "pod/crash",
                "spec.containers{crash}",
                "kubelet, node01",
                "Back-off restarting failed container\nmore",
                "5m",
                "5",
                "crash.17b"
            ]
        );
        assert_eq!(t.rows[2][5..], ["deployment-controller", "Scaled up replica set web-1 to 1", "3m", "1", "web.17c"]);
    }

    // ---- leases, quotas, RBAC, defaults ----

    #[test]
    fn leases_and_resource_quotas() {
        let lease = |name: &str, ago: u64, holder: Option<&str>| {
            json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta(name, "kube-system", ago),
                   "spec": {"holderIdentity": holder, "leaseDurationSeconds": 15}})
        };
        assert_eq!(
            table("leases", &[lease("kube-controller-manager", 864_000, Some("node01_6f4e")), lease("idle", 18, None)]),
            [
                "NAME                      HOLDER        AGE",
                "kube-controller-manager   node01_6f4e   10d",
                "idle                                    18s",
            ]
        );
        let compute = json!({
            "apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta("compute", "default", 18),
            "spec": {"hard": {"pods": "2", "requests.cpu": "1", "limits.memory": "1Gi"}},
            "status": {"hard": {"pods": "2", "requests.cpu": "1", "limits.memory": "1Gi"},
                       "used": {"pods": "1", "requests.cpu": "500m"}}
        });
        let pods_only = json!({
            "apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta("pods-only", "default", 300),
            "spec": {"hard": {"pods": "10"}}, "status": {"hard": {"pods": "10"}, "used": {"pods": "0"}}
        });
        assert_eq!(
            table("quota", &[compute, pods_only]),
            [
                "NAME        AGE   REQUEST                           LIMIT",
                "compute     18s   pods: 1/2, requests.cpu: 500m/1   limits.memory: 0/1Gi",
                "pods-only   5m    pods: 0/10                        ",
            ]
        );
    }

    #[test]
    fn roles_and_limitranges_get_the_default_name_created_at_table() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                          "metadata": meta("pod-reader", "default", 18), "rules": []});
        assert_eq!(
            table("roles", &[role]),
            ["NAME         CREATED AT", "pod-reader   2026-11-27T08:59:42Z"]
                .map(|l| { l.replace("2026-11-27T08:59:42Z", &ts(18)) })
        );
        assert_eq!(ts(18), "2026-12-08T22:46:22Z");
        let limits =
            json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": meta("cpu-limit-range", "default", 60)});
        assert_eq!(
            table("limits", &[limits]),
            ["NAME              CREATED AT", "cpu-limit-range   2026-12-08T22:45:40Z"]
        );
        let cr = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                        "metadata": {"name": "view"}});
        assert_eq!(table("clusterroles", &[cr]), ["NAME   CREATED AT", "view   0001-01-01T00:00:00Z"]);
    }

    #[test]
    fn rolebindings_show_the_role_and_wide_subjects() {
        let rb = |name: &str, ago: u64, role: Value, subjects: Value| {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                   "metadata": meta(name, "default", ago), "roleRef": role, "subjects": subjects})
        };
        let read = rb(
            "read-pods",
            18,
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"}),
            json!([{"kind": "User", "name": "jane"}, {"kind": "Group", "name": "devs"},
                   {"kind": "ServiceAccount", "name": "builder", "namespace": "default"}, {"kind": "User", "name": "joe"}]),
        );
        let empty = rb("empty", 5, json!({"kind": "ClusterRole", "name": "view"}), json!(null));
        assert_eq!(
            table("rolebindings", &[read.clone(), empty.clone()]),
            [
                "NAME        ROLE               AGE",
                "read-pods   Role/pod-reader    18s",
                "empty       ClusterRole/view   5s"
            ]
        );
        assert_eq!(
            wide("rolebindings", &[read, empty]),
            [
                "NAME        ROLE               AGE   USERS       GROUPS   SERVICEACCOUNTS",
                "read-pods   Role/pod-reader    18s   jane, joe   devs     default/builder",
                "empty       ClusterRole/view   5s                         ",
            ]
        );
    }

    // ---- kubectl-side decoration, empty lists, -o name ----

    fn simple_pod(name: &str, ns: &str, ago: u64) -> Value {
        let mut p = pod(name, ago, "Running", json!([running(0)]));
        p["metadata"]["namespace"] = json!(ns);
        p
    }

    #[test]
    fn all_namespaces_puts_namespace_first_but_not_for_cluster_scoped() {
        let opts = GetOptions { all_namespaces: true, ..GetOptions::default() };
        assert_eq!(
            get("pods", &[simple_pod("web", "default", 18), simple_pod("etcd-node01", "kube-system", 864_000)], opts),
            [
                "NAMESPACE     NAME          READY   STATUS    RESTARTS   AGE",
                "default       web           1/1     Running   0          18s",
                "kube-system   etcd-node01   1/1     Running   0          10d",
            ]
        );
        let n = node("node01", 864_000, Some("True"), "v1.27.3");
        assert_eq!(get("nodes", &[n], opts)[0], "NAME     STATUS   ROLES    AGE   VERSION");
    }

    #[test]
    fn show_labels_and_no_headers() {
        let mut web = simple_pod("web", "default", 18);
        web["metadata"]["labels"] = json!({"tier": "front", "app": "web", "app.kubernetes.io/name": "web"});
        let bare = simple_pod("bare", "default", 18);
        let opts = GetOptions { show_labels: true, ..GetOptions::default() };
        // FormatLabels sorts the `k=v` strings: `app.kubernetes.io/name=web` before `app=web`.
        assert_eq!(
            get("pods", &[web.clone(), bare.clone()], opts),
            [
                "NAME   READY   STATUS    RESTARTS   AGE   LABELS",
                "web    1/1     Running   0          18s   app.kubernetes.io/name=web,app=web,tier=front",
                "bare   1/1     Running   0          18s   <none>",
            ]
        );
        let opts = GetOptions { no_headers: true, ..GetOptions::default() };
        assert_eq!(
            get("pods", &[web, bare], opts),
            ["web    1/1   Running   0     18s", "bare   1/1   Running   0     18s"]
        );
    }

    #[test]
    fn empty_lists_say_no_resources_found_on_stderr() {
        let p = print_list(res("pods"), &[], "default", NOW, &GetOptions::default());
        assert_eq!(p, Printed { stdout: vec![], stderr: vec!["No resources found in default namespace.".into()] });
        let p =
            print_list(res("deploy"), &[], "team-a", NOW, &GetOptions { no_headers: true, ..GetOptions::default() });
        assert_eq!(p.stderr, ["No resources found in team-a namespace."]);
        let p = print_list(res("nodes"), &[], "default", NOW, &GetOptions::default());
        assert_eq!(p, Printed { stdout: vec![], stderr: vec!["No resources found".into()] });
        let all = GetOptions { all_namespaces: true, ..GetOptions::default() };
        assert_eq!(print_list(res("pods"), &[], "default", NOW, &all).stderr, ["No resources found"]);
        // Structured output prints an empty List instead; -o name prints nothing.
        let yaml = GetOptions { output: Output::Yaml, ..GetOptions::default() };
        assert_eq!(
            print_list(res("pods"), &[], "default", NOW, &yaml),
            Printed {
                stdout: ["apiVersion: v1", "items: []", "kind: List", "metadata:", "  resourceVersion: \"\""]
                    .map(String::from)
                    .to_vec(),
                stderr: vec![]
            }
        );
        let name = GetOptions { output: Output::Name, ..GetOptions::default() };
        assert_eq!(print_list(res("pods"), &[], "default", NOW, &name), Printed::default());
    }

    #[test]
    fn output_name_is_kind_dot_group_slash_name() {
        let opts = GetOptions { output: Output::Name, ..GetOptions::default() };
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nginx"}});
        assert_eq!(print_one(res("deploy"), &d, NOW, &opts).stdout, ["deployment.apps/nginx"]);
        let pods = [simple_pod("a", "default", 1), simple_pod("b", "default", 1)];
        assert_eq!(print_list(res("po"), &pods, "default", NOW, &opts).stdout, ["pod/a", "pod/b"]);
        let r =
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "view"}});
        assert_eq!(resource_name(res("clusterroles"), &r), "clusterrole.rbac.authorization.k8s.io/view");
        assert_eq!(resource_name(res("leases"), &json!({"metadata": {"name": "x"}})), "lease.coordination.k8s.io/x");
    }

    #[test]
    fn print_one_prints_a_single_row_or_the_object_itself() {
        let p = simple_pod("web", "default", 18);
        assert_eq!(
            print_one(res("pods"), &p, NOW, &GetOptions::default()).stdout,
            ["NAME   READY   STATUS    RESTARTS   AGE", "web    1/1     Running   0          18s"]
        );
        let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": "v"}});
        let yaml = GetOptions { output: Output::Yaml, ..GetOptions::default() };
        assert_eq!(
            print_one(res("cm"), &obj, NOW, &yaml).stdout,
            ["apiVersion: v1", "data:", "  k: v", "kind: ConfigMap", "metadata:", "  name: x"]
        );
        let json_opts = GetOptions { output: Output::Json, ..GetOptions::default() };
        assert_eq!(
            print_one(res("cm"), &obj, NOW, &json_opts).stdout[..3],
            ["{", "    \"apiVersion\": \"v1\",", "    \"data\": {"]
        );
    }

    #[test]
    fn cells_are_cut_at_the_first_newline() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "two\nlines", "creationTimestamp": ts(1)}});
        assert_eq!(table("cm", &[cm])[1], "two...   0      1s");
    }

    #[test]
    fn selectors_format_like_apimachinery() {
        let sel = json!({"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [
            {"key": "c", "operator": "NotIn", "values": ["y", "x"]},
            {"key": "aa", "operator": "Exists"},
            {"key": "d", "operator": "DoesNotExist"}
        ]});
        assert_eq!(label_selector(Some(&sel)).as_deref(), Some("a=1,aa,b=2,c notin (x,y),!d"));
        assert_eq!(format_label_selector(Some(&json!({}))), "<none>");
        assert_eq!(format_label_selector(None), "<none>");
        assert_eq!(
            format_label_selector(Some(&json!({"matchExpressions": [{"key": "k", "operator": "In"}]}))),
            "<error>"
        );
        assert_eq!(format_labels(Some(&json!({"a-b": "1", "a": "2"}))), "a-b=1,a=2");
    }

    // ---- -o json ----

    #[test]
    fn json_is_go_marshal_indent_with_four_spaces() {
        let v = json!({
            "z": null, "t": true, "n": 5, "neg": -3, "e": {}, "items": [],
            "arr": [{"a": 1}, {"b": [1, 2]}],
            "s": "a<b>&c \"q\" \\ \n\t\u{1}\u{2028} é"
        });
        let want = r#"{
    "arr": [
        {
            "a": 1
        },
        {
            "b": [
                1,
                2
            ]
        }
    ],
    "e": {},
    "items": [],
    "n": 5,
    "neg": -3,
    "s": "a\u003cb\u003e\u0026c \"q\" \\ \n\t\u0001\u2028 é",
    "t": true,
    "z": null
}
"#;
        assert_eq!(to_json(&v), want);
        let floats = json!([1.5, 3.0, 0.0000001, 1e21]);
        assert_eq!(to_json(&floats), "[\n    1.5,\n    3,\n    1e-7,\n    1e+21\n]\n");
    }

    #[test]
    fn json_lists_wrap_items_in_a_v1_list() {
        let opts = GetOptions { output: Output::Json, ..GetOptions::default() };
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
        assert_eq!(
            print_list(res("cm"), &[cm], "default", NOW, &opts).stdout.join("\n"),
            r#"{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "x"
            }
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}"#
        );
    }

    // ---- -o yaml ----

    #[test]
    fn yaml_prints_a_pod_like_kubectl() {
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": "nginx", "namespace": "default", "uid": "6f1c0a2e-4d5b-4c3a-9e8f-0a1b2c3d4e5f",
                "resourceVersion": "1234", "creationTimestamp": "2026-11-27T08:59:42Z",
                "labels": {"app": "nginx", "pod-template-hash": "7854ff8877"},
                "annotations": {"note": "line one\nline two"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "nginx-7854ff8877",
                                     "controller": true, "blockOwnerDeletion": true, "uid": "abc"}]
            },
            "spec": {
                "containers": [{"name": "nginx", "image": "nginx:1.14.2", "args": [],
                                "ports": [{"containerPort": 80, "protocol": "TCP"}], "resources": {}}],
                "nodeName": "node01",
                "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                 "effect": "NoExecute", "tolerationSeconds": 300}]
            },
            "status": {"phase": "Running", "podIP": "10.244.1.5",
                       "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null}]}
        });
        let want = "\
apiVersion: v1
kind: Pod
metadata:
  annotations:
    note: |-
      line one
      line two
  creationTimestamp: \"2026-11-27T08:59:42Z\"
  labels:
    app: nginx
    pod-template-hash: 7854ff8877
  name: nginx
  namespace: default
  ownerReferences:
  - apiVersion: apps/v1
    blockOwnerDeletion: true
    controller: true
    kind: ReplicaSet
    name: nginx-7854ff8877
    uid: abc
  resourceVersion: \"1234\"
  uid: 6f1c0a2e-4d5b-4c3a-9e8f-0a1b2c3d4e5f
spec:
  containers:
  - args: []
    image: nginx:1.14.2
    name: nginx
    ports:
    - containerPort: 80
      protocol: TCP
    resources: {}
  nodeName: node01
  tolerations:
  - effect: NoExecute
    key: node.kubernetes.io/not-ready
    operator: Exists
    tolerationSeconds: 300
status:
  conditions:
  - lastProbeTime: null
    status: \"True\"
    type: Ready
  phase: Running
  podIP: 10.244.1.5
";
        assert_eq!(to_yaml(&pod), want);
    }

    #[test]
    fn yaml_quotes_strings_only_when_needed() {
        let line = |s: &str| to_yaml(&json!({ "k": s }));
        for (value, want) in [
            // Would read back as something else: double quotes.
            ("", r#"k: """#),
            ("true", r#"k: "true""#),
            ("yes", r#"k: "yes""#),
            ("on", r#"k: "on""#),
            ("No", r#"k: "No""#),
            ("null", r#"k: "null""#),
            ("~", r#"k: "~""#),
            ("80", r#"k: "80""#),
            ("-5", r#"k: "-5""#),
            ("+1", r#"k: "+1""#),
            ("1.5", r#"k: "1.5""#),
            (".5", r#"k: ".5""#),
            ("1e3", r#"k: "1e3""#),
            ("0x1F", r#"k: "0x1F""#),
            ("012", r#"k: "012""#),
            ("089", r#"k: "089""#),
            ("1_000", r#"k: "1_000""#),
            ("2026-11-27T09:00:00Z", r#"k: "2026-11-27T09:00:00Z""#),
            ("2026-11-27", r#"k: "2026-11-27""#),
            ("12:30", r#"k: "12:30""#),
            // Plain.
            ("10.96.0.1", "k: 10.96.0.1"),
            ("500m", "k: 500m"),
            ("1Gi", "k: 1Gi"),
            ("v1.27.3", "k: v1.27.3"),
            ("443/TCP", "k: 443/TCP"),
            ("<none>", "k: <none>"),
            ("http://x:80/a", "k: http://x:80/a"),
            ("a,b", "k: a,b"),
            ("it's", "k: it's"),
            ("a#b", "k: a#b"),
            ("-x", "k: -x"),
            (":x", "k: :x"),
            ("2026-13-01", "k: 2026-13-01"),
            ("1.2.3", "k: 1.2.3"),
            ("1e400", "k: 1e400"),
            (
                "ReplicaSet \"web-1\" has successfully progressed.",
                "k: ReplicaSet \"web-1\" has successfully progressed.",
            ),
            ("é", "k: é"),
            ("한글", "k: 한글"),
            // Cannot be plain: single quotes.
            ("- x", "k: '- x'"),
            ("-", "k: '-'"),
            ("a: b", "k: 'a: b'"),
            ("a:", "k: 'a:'"),
            ("a #b", "k: 'a #b'"),
            ("#x", "k: '#x'"),
            ("*", "k: '*'"),
            ("&a", "k: '&a'"),
            ("!x", "k: '!x'"),
            ("@x", "k: '@x'"),
            ("%x", "k: '%x'"),
            ("`x", "k: '`x'"),
            ("'q'", "k: '''q'''"),
            ("\"q\"", "k: '\"q\"'"),
            ("[a]", "k: '[a]'"),
            ("{a}", "k: '{a}'"),
            ("? x", "k: '? x'"),
            ("---", "k: '---'"),
            (" lead", "k: ' lead'"),
            ("trail ", "k: 'trail '"),
            // Not printable: double quotes with escapes.
            ("tab\there", r#"k: "tab\there""#),
            ("bell\u{7}", r#"k: "bell\a""#),
            ("del\u{7f}", r#"k: "del\x7F""#),
            ("nel\u{85}", r#"k: "nel\N""#),
            ("😀", r#"k: "\U0001F600""#),
        ] {
            assert_eq!(line(value), format!("{want}\n"), "{value:?}");
        }
    }

    #[test]
    fn yaml_multiline_strings_are_literal_blocks() {
        let doc = |s: &str| to_yaml(&json!({ "k": s }));
        assert_eq!(doc("a\nb"), "k: |-\n  a\n  b\n");
        assert_eq!(doc("a\n"), "k: |\n  a\n");
        assert_eq!(doc("a\n\n"), "k: |+\n  a\n\n");
        assert_eq!(doc(" a\nb"), "k: |2-\n   a\n  b\n");
        assert_eq!(doc("a\n\nb"), "k: |-\n  a\n\n  b\n");
        // Trailing space before a break rules out a block: double quotes.
        assert_eq!(doc("a \nb"), "k: \"a \\nb\"\n");
        // In a list item the block is indented under the item's mapping.
        assert_eq!(to_yaml(&json!([{"script": "set -e\necho hi\n"}])), "- script: |\n    set -e\n    echo hi\n");
    }

    #[test]
    fn yaml_empty_collections_nesting_and_scalars() {
        assert_eq!(to_yaml(&json!({})), "{}\n");
        assert_eq!(to_yaml(&json!({"a": {}, "b": [], "c": [[], {}]})), "a: {}\nb: []\nc:\n- []\n- {}\n");
        assert_eq!(to_yaml(&json!({"m": [[1, 2], ["x"]]})), "m:\n- - 1\n  - 2\n- - x\n");
        assert_eq!(to_yaml(&json!({"a": {"b": {"c": [{"d": null}]}}})), "a:\n  b:\n    c:\n    - d: null\n");
        assert_eq!(
            to_yaml(&json!({"i": -7, "f": 1.5, "w": 2.0, "big": 1234567.5, "b": false})),
            "b: false\nbig: 1.2345675e+06\nf: 1.5\ni: -7\nw: 2\n"
        );
        assert_eq!(to_yaml(&json!(["a", 1])), "- a\n- 1\n");
        // Keys are quoted like values; yaml.v2 sorts them "naturally".
        assert_eq!(to_yaml(&json!({"80": "x", "": "y"})), "\"\": \"y\"\n\"80\": x\n");
        let keys = json!({"a10": 1, "a2": 2, "B": 3, "_x": 4, "a": 5, "a-b": 6, "ab": 7});
        assert_eq!(to_yaml(&keys), "_x: 4\nB: 3\na: 5\na-b: 6\na2: 2\na10: 1\nab: 7\n");
    }

    #[test]
    fn yaml_folds_long_lines_past_column_80() {
        let words = ["abcd"; 20].join(" ");
        let first = ["abcd"; 15].join(" ");
        let rest = ["abcd"; 5].join(" ");
        assert_eq!(to_yaml(&json!({ "message": words })), format!("message: {first}\n  {rest}\n"));
        // Inside single quotes; deeper in the tree the continuation is deeper too.
        let quoted = format!("- {words}");
        let first = ["abcd"; 16].join(" ");
        let rest = ["abcd"; 4].join(" ");
        assert_eq!(to_yaml(&json!({ "k": quoted })), format!("k: '- {first}\n  {rest}'\n"));
        let nested = to_yaml(&json!({"status": {"conditions": [{"message": words}]}}));
        let first = ["abcd"; 14].join(" ");
        let rest = ["abcd"; 6].join(" ");
        assert_eq!(nested, format!("status:\n  conditions:\n  - message: {first}\n      {rest}\n"));
        // A key never folds.
        let key = "x ".repeat(50) + "x";
        assert_eq!(to_yaml(&json!({ key.clone(): 1 })), format!("{key}: 1\n"));
    }
}
