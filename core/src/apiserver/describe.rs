//! `kubectl describe node|pod|deployment|replicaset`: pure printers, one per kind, after KK
//! `staging/src/k8s.io/kubectl/pkg/describe/describe.go` v1.27 (`describeNode`, `describePod`,
//! `describeDeployment`, `describeReplicaSet`, `DescribePodTemplate`, `DescribeEvents`).
//!
//! describe.go writes everything through one `tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)`
//! (`tabbedString`): minwidth 0, padding 2, so a column block is the run of consecutive lines that
//! have a cell in that column, and a line without a tab (`Lease:`, `Conditions:`) ends the blocks
//! above it. `DescribeEvents` flushes before its table, which makes the table its own block.

use serde_json::Value;

use super::admission::{pod_requests_limits, Quantity, ResourceList};
use super::object::{self, human_duration, rfc1123z, str_at};
use super::printers::{time_at, TabWriter};
use super::Object;

/// Lines a description may have (a bound on what one object prints).
const LINES_MAX: usize = 4_000;
/// describe.go `maxAnnotationLen`: longer annotations print on their own lines, shortened.
const ANNOTATION_LEN_MAX: usize = 140;

/// describe.go's `PrefixWriter` over `tabbedString`'s tab writer.
struct Out {
    buf: String,
    lines: Vec<String>,
}

impl Out {
    fn new() -> Out {
        Out { buf: String::new(), lines: Vec::new() }
    }

    /// `w.Write(level, …)`: two spaces per level, then the text (tabs separate cells).
    fn w(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.buf.push_str("  ");
        }
        self.buf.push_str(text);
    }

    /// `w.Flush()`: the lines so far are aligned on their own.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.buf);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if text.is_empty() {
            return;
        }
        let rows: Vec<Vec<String>> = text.split('\n').map(|l| vec![l.to_string()]).collect();
        let mut tw = TabWriter::new(0, 2, false);
        self.lines.extend(tw.write_rows(&rows));
        self.lines.truncate(LINES_MAX);
    }

    fn done(mut self) -> Vec<String> {
        self.flush();
        self.lines
    }
}

fn arr<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn map_entries<'a>(v: &'a Value, pointer: &str) -> Vec<(&'a str, String)> {
    let Some(m) = v.pointer(pointer).and_then(Value::as_object) else { return Vec::new() };
    // serde_json's map is a BTreeMap here: keys already in byte order, as Go's sort.Strings.
    m.iter().map(|(k, v)| (k.as_str(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect()
}

/// A `metav1.Time` as `time.RFC1123Z` (seconds truncated, as Go's Format does).
fn time_1123(v: &Value, pointer: &str) -> Option<String> {
    time_at(v, pointer).map(|t| rfc1123z(t.secs))
}

/// `translateTimestampSince`: `<unknown>` for a missing time.
fn since(v: &Value, pointer: &str, now_unix_s: u64) -> String {
    match time_at(v, pointer) {
        Some(t) => human_duration(t.elapsed(now_unix_s)),
        None => "<unknown>".to_string(),
    }
}

/// `printLabelsMultilineWithIndent(w, "", title, "\t", labels, none)`.
fn labels_multiline(w: &mut Out, title: &str, v: &Value, pointer: &str) {
    w.w(0, &format!("{title}:\t"));
    let entries = map_entries(v, pointer);
    if entries.is_empty() {
        w.w(0, "<none>\n");
        return;
    }
    for (i, (k, val)) in entries.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        w.w(0, &format!("{k}={val}\n"));
    }
}

/// `printAnnotationsMultiline`: sorted, without `kubectl.kubernetes.io/last-applied-configuration`.
fn annotations_multiline(w: &mut Out, title: &str, v: &Value, pointer: &str) {
    w.w(0, &format!("{title}:\t"));
    let entries: Vec<_> = map_entries(v, pointer)
        .into_iter()
        .filter(|(k, _)| *k != "kubectl.kubernetes.io/last-applied-configuration")
        .collect();
    if entries.is_empty() {
        w.w(0, "<none>\n");
        return;
    }
    for (i, (k, val)) in entries.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        let val = val.strip_suffix('\n').unwrap_or(val);
        if val.len() + k.len() + 2 > ANNOTATION_LEN_MAX || val.contains('\n') {
            w.w(0, &format!("{k}:\n"));
            for s in val.split('\n') {
                w.w(0, &format!("\t  {}\n", shorten(s, ANNOTATION_LEN_MAX - 2)));
            }
        } else {
            w.w(0, &format!("{k}: {val}\n"));
        }
    }
}

/// describe.go `shorten`: the first `max` bytes and `...`.
fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// `DescribeEvents`: `<none>`, or a table sorted by lastTimestamp (its own tab block).
fn events(w: &mut Out, events: &[&Object], now_unix_s: u64) {
    if events.is_empty() {
        w.w(0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut sorted: Vec<&Object> = events.to_vec();
    // event.SortableEvents: by lastTimestamp (sort.Sort is not stable; the lab keeps list order).
    sorted.sort_by_key(|e| time_at(e, "/lastTimestamp"));
    w.w(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.w(1, "----\t------\t----\t----\t-------\n");
    for e in sorted {
        let first = if time_at(e, "/eventTime").is_some() {
            since(e, "/eventTime", now_unix_s)
        } else {
            since(e, "/firstTimestamp", now_unix_s)
        };
        let count = e.pointer("/count").and_then(Value::as_u64).unwrap_or(0);
        let interval = if let Some(n) = e.pointer("/series/count").and_then(Value::as_u64) {
            format!("{} (x{n} over {first})", since(e, "/series/lastObservedTime", now_unix_s))
        } else if count > 1 {
            format!("{} (x{count} over {first})", since(e, "/lastTimestamp", now_unix_s))
        } else {
            first
        };
        let mut source = str_at(e, "/source/component");
        if source.is_empty() {
            source = str_at(e, "/reportingComponent");
        }
        w.w(
            1,
            &format!(
                "{}\t{}\t{interval}\t{source}\t{}\n",
                str_at(e, "/type"),
                str_at(e, "/reason"),
                str_at(e, "/message").trim()
            ),
        );
    }
}

/// The events about one object, as kubectl asks for them (field selector on
/// `involvedObject.{kind,name,namespace}`; for a node also the kubelet's events whose uid is the
/// node's name — describe.go merges both queries, so the uid is not compared here).
pub fn events_about<'a>(all: &[&'a Object], kind: &str, namespace: &str, name: &str) -> Vec<&'a Object> {
    all.iter()
        .copied()
        .filter(|e| {
            str_at(e, "/involvedObject/kind") == kind
                && str_at(e, "/involvedObject/name") == name
                && str_at(e, "/involvedObject/namespace") == namespace
        })
        .collect()
}

fn quantity(list: &ResourceList, name: &str) -> Quantity {
    list.iter().find(|(n, _)| n == name).map_or(Quantity::zero(), |(_, q)| *q)
}

fn node_quantity(node: &Object, pointer: &str, name: &str) -> Quantity {
    node.pointer(pointer)
        .and_then(|m| m.get(name))
        .and_then(Value::as_str)
        .and_then(Quantity::parse)
        .unwrap_or_else(Quantity::zero)
}

/// `int64(float64(a) / float64(b) * 100)`, 0 when `b` is 0 (describe.go guards the totals; a pod
/// row on a node without the resource would print Go's NaN conversion, which the lab never has).
fn percent(a: Quantity, b: Quantity) -> i128 {
    if b.milli == 0 {
        0
    } else {
        a.milli * 100 / b.milli
    }
}

/// `describeNodeResource`: the non-terminated pods table and the allocated totals.
fn node_resources(w: &mut Out, node: &Object, pods: &[&Object], now_unix_s: u64) {
    w.w(0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.w(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.w(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let alloc = if node.pointer("/status/allocatable").and_then(Value::as_object).is_some_and(|m| !m.is_empty()) {
        "/status/allocatable"
    } else {
        "/status/capacity"
    };
    let (alloc_cpu, alloc_mem) = (node_quantity(node, alloc, "cpu"), node_quantity(node, alloc, "memory"));
    let (mut reqs, mut lims): (ResourceList, ResourceList) = (Vec::new(), Vec::new());
    for pod in pods {
        let (req, lim) = pod_requests_limits(pod);
        let (cr, cl, mr, ml) =
            (quantity(&req, "cpu"), quantity(&lim, "cpu"), quantity(&req, "memory"), quantity(&lim, "memory"));
        w.w(
            1,
            &format!(
                "{}\t{}\t\t{cr} ({}%)\t{cl} ({}%)\t{mr} ({}%)\t{ml} ({}%)\t{}\n",
                object::namespace(pod),
                object::name(pod),
                percent(cr, alloc_cpu),
                percent(cl, alloc_cpu),
                percent(mr, alloc_mem),
                percent(ml, alloc_mem),
                object::age(pod, now_unix_s)
            ),
        );
        // getPodsTotalRequestsAndLimits: the first pod's quantity, then Add (keeps its format).
        for (total, list) in [(&mut reqs, req), (&mut lims, lim)] {
            for (n, q) in list {
                match total.iter_mut().find(|(t, _)| *t == n) {
                    Some((_, t)) => *t = t.plus(q),
                    None => total.push((n, q)),
                }
            }
        }
    }
    w.w(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.w(1, "Resource\tRequests\tLimits\n");
    w.w(1, "--------\t--------\t------\n");
    for name in ["cpu", "memory", "ephemeral-storage"] {
        let a = node_quantity(node, alloc, name);
        let (r, l) = (quantity(&reqs, name), quantity(&lims, name));
        w.w(1, &format!("{name}\t{r} ({}%)\t{l} ({}%)\n", percent(r, a), percent(l, a)));
    }
    // Huge pages, then extended resources, each sorted (the node's map is in key order already).
    let names: Vec<&str> =
        node.pointer(alloc).and_then(Value::as_object).map_or(Vec::new(), |m| m.keys().map(String::as_str).collect());
    for name in names.iter().filter(|n| n.starts_with("hugepages-")) {
        let a = node_quantity(node, alloc, name);
        let (r, l) = (quantity(&reqs, name), quantity(&lims, name));
        w.w(1, &format!("{name}\t{r} ({}%)\t{l} ({}%)\n", percent(r, a), percent(l, a)));
    }
    let standard = |n: &str| {
        matches!(n, "cpu" | "memory" | "ephemeral-storage" | "pods" | "storage") || n.starts_with("hugepages-")
    };
    for name in names.iter().filter(|n| !standard(n)) {
        w.w(1, &format!("{name}\t{}\t{}\n", quantity(&reqs, name), quantity(&lims, name)));
    }
}

/// `kubectl describe node NAME`. `pods_on_node`: the node's pods not Succeeded or Failed
/// (kubectl's field selector), in list order; `events`: those about the node; `lease`: its
/// `kube-node-lease` Lease.
pub fn describe_node(
    node: &Object,
    pods_on_node: &[&Object],
    events_of: &[&Object],
    lease: Option<&Object>,
    now_unix_s: u64,
) -> Vec<String> {
    let mut w = Out::new();
    w.w(0, &format!("Name:\t{}\n", object::name(node)));
    // findNodeRoles: `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` value.
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in map_entries(node, "/metadata/labels") {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            roles.push(role.to_string());
        } else if k == "kubernetes.io/role" {
            roles.push(v);
        }
    }
    roles.sort();
    roles.dedup();
    roles.retain(|r| !r.is_empty());
    let roles = if roles.is_empty() { "<none>".to_string() } else { roles.join(",") };
    w.w(0, &format!("Roles:\t{roles}\n"));
    labels_multiline(&mut w, "Labels", node, "/metadata/labels");
    annotations_multiline(&mut w, "Annotations", node, "/metadata/annotations");
    w.w(0, &format!("CreationTimestamp:\t{}\n", time_1123(node, "/metadata/creationTimestamp").unwrap_or_default()));
    // printNodeTaintsMultiline: sorted by `effect,key`; `key=value:effect`.
    w.w(0, "Taints:\t");
    let mut taints: Vec<(String, String)> = arr(node, "/spec/taints")
        .iter()
        .map(|t| {
            let (k, v, e) = (str_at(t, "/key"), str_at(t, "/value"), str_at(t, "/effect"));
            let mut s = k.to_string();
            if !v.is_empty() {
                s = format!("{s}={v}");
            }
            if !e.is_empty() {
                s = format!("{s}:{e}");
            }
            (format!("{e},{k}"), s)
        })
        .collect();
    taints.sort();
    if taints.is_empty() {
        w.w(0, "<none>\n");
    }
    for (i, (_, t)) in taints.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        w.w(0, &format!("{t}\n"));
    }
    let unschedulable = node.pointer("/spec/unschedulable").and_then(Value::as_bool).unwrap_or(false);
    w.w(0, &format!("Unschedulable:\t{unschedulable}\n"));
    if let Some(l) = lease {
        let or_unset = |p: &str| time_1123(l, p).unwrap_or_else(|| "<unset>".into());
        let holder = l.pointer("/spec/holderIdentity").and_then(Value::as_str).unwrap_or("<unset>");
        w.w(0, "Lease:\n");
        w.w(1, &format!("HolderIdentity:\t{holder}\n"));
        w.w(1, &format!("AcquireTime:\t{}\n", or_unset("/spec/acquireTime")));
        w.w(1, &format!("RenewTime:\t{}\n", or_unset("/spec/renewTime")));
    }
    let conditions = arr(node, "/status/conditions");
    if !conditions.is_empty() {
        w.w(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.w(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conditions {
            // A missing time is Go's zero time.
            let t = |p: &str| time_1123(c, p).unwrap_or_else(|| "Mon, 01 Jan 0001 00:00:00 +0000".into());
            w.w(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    str_at(c, "/type"),
                    str_at(c, "/status"),
                    t("/lastHeartbeatTime"),
                    t("/lastTransitionTime"),
                    str_at(c, "/reason"),
                    str_at(c, "/message")
                ),
            );
        }
    }
    w.w(0, "Addresses:\n");
    for a in arr(node, "/status/addresses") {
        w.w(1, &format!("{}:\t{}\n", str_at(a, "/type"), str_at(a, "/address")));
    }
    for (title, p) in [("Capacity", "/status/capacity"), ("Allocatable", "/status/allocatable")] {
        let list = map_entries(node, p);
        if list.is_empty() {
            continue;
        }
        w.w(0, &format!("{title}:\n"));
        for (k, v) in list {
            // Quantity.String(): the canonical form of what was stored.
            let q = Quantity::parse(&v).map_or(v, |q| q.to_string());
            w.w(0, &format!("  {k}:\t{q}\n"));
        }
    }
    w.w(0, "System Info:\n");
    for (title, key) in [
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
        ("Kube-Proxy Version", "kubeProxyVersion"),
    ] {
        w.w(0, &format!("  {title}:\t{}\n", str_at(node, &format!("/status/nodeInfo/{key}"))));
    }
    let cidr = str_at(node, "/spec/podCIDR");
    if !cidr.is_empty() {
        w.w(0, &format!("PodCIDR:\t{cidr}\n"));
    }
    let cidrs: Vec<&str> = arr(node, "/spec/podCIDRs").iter().filter_map(Value::as_str).collect();
    if !cidrs.is_empty() {
        w.w(0, &format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    let provider = str_at(node, "/spec/providerID");
    if !provider.is_empty() {
        w.w(0, &format!("ProviderID:\t{provider}\n"));
    }
    node_resources(&mut w, node, pods_on_node, now_unix_s);
    events(&mut w, events_of, now_unix_s);
    w.done()
}

/// `metav1.GetControllerOf` as `Kind/name`.
fn controlled_by(obj: &Object) -> Option<String> {
    arr(obj, "/metadata/ownerReferences")
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .map(|r| format!("{}/{}", str_at(r, "/kind"), str_at(r, "/name")))
}

/// describe.go `describeContainers` (with `space` = "  " inside a pod template).
fn containers(w: &mut Out, label: &str, list: &[Value], pod: Option<&Object>, statuses_at: &str, space: &str) {
    let none = if list.is_empty() { " <none>" } else { "" };
    w.w(0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in list {
        let name = str_at(c, "/name");
        let status = pod.and_then(|p| arr(p, statuses_at).iter().find(|s| str_at(s, "/name") == name));
        w.w(1, &format!("{name_indent}{name}:\n"));
        if let Some(s) = status {
            w.w(2, &format!("Container ID:\t{}\n", str_at(s, "/containerID")));
        }
        w.w(2, &format!("Image:\t{}\n", str_at(c, "/image")));
        if let Some(s) = status {
            w.w(2, &format!("Image ID:\t{}\n", str_at(s, "/imageID")));
        }
        let ports = arr(c, "/ports");
        let port_list = |key: &str| {
            ports
                .iter()
                .map(|p| format!("{}/{}", p.get(key).and_then(Value::as_i64).unwrap_or(0), str_at(p, "/protocol")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (one, many, key) in [("Port", "Ports", "containerPort"), ("Host Port", "Host Ports", "hostPort")] {
            let s = port_list(key);
            if s.contains(',') {
                w.w(2, &format!("{many}:\t{s}\n"));
            } else {
                w.w(2, &format!("{one}:\t{}\n", if s.is_empty() { "<none>" } else { &s }));
            }
        }
        for (title, key) in [("Command", "/command"), ("Args", "/args")] {
            let items = arr(c, key);
            if !items.is_empty() {
                w.w(2, &format!("{title}:\n"));
                for s in items.iter().filter_map(Value::as_str).flat_map(|s| s.split('\n')) {
                    w.w(3, &format!("{s}\n"));
                }
            }
        }
        if let Some(s) = status {
            container_state(w, "State", s.get("state").unwrap_or(&Value::Null));
            if s.pointer("/lastState/terminated").is_some() {
                container_state(w, "Last State", s.get("lastState").unwrap_or(&Value::Null));
            }
            let ready = if s.get("ready").and_then(Value::as_bool) == Some(true) { "True" } else { "False" };
            w.w(2, &format!("Ready:\t{ready}\n"));
            w.w(2, &format!("Restart Count:\t{}\n", s.get("restartCount").and_then(Value::as_i64).unwrap_or(0)));
        }
        for (title, key) in [("Limits", "/resources/limits"), ("Requests", "/resources/requests")] {
            let list = map_entries(c, key);
            if !list.is_empty() {
                w.w(2, &format!("{title}:\n"));
            }
            for (k, v) in list {
                let q = Quantity::parse(&v).map_or(v, |q| q.to_string());
                w.w(3, &format!("{k}:\t{q}\n"));
            }
        }
        let env = arr(c, "/env");
        w.w(2, &format!("Environment:{}\n", if env.is_empty() { "\t<none>" } else { "" }));
        for e in env {
            let name = str_at(e, "/name");
            if let Some(path) = e.pointer("/valueFrom/fieldRef/fieldPath").and_then(Value::as_str) {
                // EnvValueRetriever resolves the field on the pod (nothing in a template).
                let value = pod.map_or(String::new(), |p| field_value(p, path));
                let api = e.pointer("/valueFrom/fieldRef/apiVersion").and_then(Value::as_str).unwrap_or("v1");
                w.w(3, &format!("{name}:\t{value} ({api}:{path})\n"));
            } else if let Some(r) = e.pointer("/valueFrom/secretKeyRef") {
                let optional = r.get("optional").and_then(Value::as_bool).unwrap_or(false);
                let (k, n) = (str_at(r, "/key"), str_at(r, "/name"));
                w.w(3, &format!("{name}:\t<set to the key '{k}' in secret '{n}'>\tOptional: {optional}\n"));
            } else if let Some(r) = e.pointer("/valueFrom/configMapKeyRef") {
                let optional = r.get("optional").and_then(Value::as_bool).unwrap_or(false);
                let (k, n) = (str_at(r, "/key"), str_at(r, "/name"));
                w.w(3, &format!("{name}:\t<set to the key '{k}' of config map '{n}'>\tOptional: {optional}\n"));
            } else {
                for (i, s) in str_at(e, "/value").split('\n').enumerate() {
                    if i == 0 {
                        w.w(3, &format!("{name}:\t{s}\n"));
                    } else {
                        w.w(3, &format!("\t{s}\n"));
                    }
                }
            }
        }
        let mut mounts: Vec<&Value> = arr(c, "/volumeMounts").iter().collect();
        w.w(2, &format!("Mounts:{}\n", if mounts.is_empty() { "\t<none>" } else { "" }));
        mounts.sort_by_key(|m| str_at(m, "/mountPath"));
        for m in mounts {
            let mut flags =
                vec![if m.get("readOnly").and_then(Value::as_bool) == Some(true) { "ro" } else { "rw" }.to_string()];
            let sub = str_at(m, "/subPath");
            if !sub.is_empty() {
                flags.push(format!("path={sub:?}"));
            }
            w.w(3, &format!("{} from {} ({})\n", str_at(m, "/mountPath"), str_at(m, "/name"), flags.join(",")));
        }
    }
}

/// A downward-API field of the pod (`metadata.name`, `spec.nodeName`, `status.podIP` …).
fn field_value(pod: &Object, path: &str) -> String {
    let pointer = format!("/{}", path.replace('.', "/"));
    pod.pointer(&pointer).and_then(Value::as_str).unwrap_or("").to_string()
}

/// describe.go `describeStatus`.
fn container_state(w: &mut Out, title: &str, state: &Value) {
    if let Some(r) = state.get("running") {
        w.w(2, &format!("{title}:\tRunning\n"));
        w.w(3, &format!("Started:\t{}\n", time_1123(r, "/startedAt").unwrap_or_default()));
    } else if let Some(t) = state.get("terminated") {
        w.w(2, &format!("{title}:\tTerminated\n"));
        for (k, p) in [("Reason", "/reason"), ("Message", "/message")] {
            let s = str_at(t, p);
            if !s.is_empty() {
                w.w(3, &format!("{k}:\t{s}\n"));
            }
        }
        w.w(3, &format!("Exit Code:\t{}\n", t.get("exitCode").and_then(Value::as_i64).unwrap_or(0)));
        if let Some(sig) = t.get("signal").and_then(Value::as_i64).filter(|&s| s > 0) {
            w.w(3, &format!("Signal:\t{sig}\n"));
        }
        w.w(3, &format!("Started:\t{}\n", time_1123(t, "/startedAt").unwrap_or_default()));
        w.w(3, &format!("Finished:\t{}\n", time_1123(t, "/finishedAt").unwrap_or_default()));
    } else {
        w.w(2, &format!("{title}:\tWaiting\n"));
        let reason = state.pointer("/waiting/reason").and_then(Value::as_str).unwrap_or("");
        if !reason.is_empty() {
            w.w(3, &format!("Reason:\t{reason}\n"));
        }
    }
}

/// describe.go `describeVolumes` for the sources the lab's pods use.
fn volumes(w: &mut Out, list: &[Value], space: &str) {
    if list.is_empty() {
        w.w(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.w(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in list {
        w.w(1, &format!("{name_indent}{}:\n", str_at(v, "/name")));
        if let Some(h) = v.get("hostPath") {
            let t = h.get("type").and_then(Value::as_str).unwrap_or("<none>");
            let t = if t.is_empty() { "\"\"" } else { t };
            w.w(2, "Type:\tHostPath (bare host directory volume)\n");
            w.w(2, &format!("Path:\t{}\n", str_at(h, "/path")));
            w.w(2, &format!("HostPathType:\t{t}\n"));
        } else if let Some(e) = v.get("emptyDir") {
            let medium = str_at(e, "/medium");
            w.w(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
            w.w(2, &format!("Medium:\t{medium}\n"));
            let limit = e.get("sizeLimit").and_then(Value::as_str).unwrap_or("<unset>");
            w.w(2, &format!("SizeLimit:\t{limit}\n"));
        } else if let Some(c) = v.get("configMap") {
            let optional = c.get("optional").and_then(Value::as_bool).unwrap_or(false);
            w.w(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
            w.w(2, &format!("Name:\t{}\n", str_at(c, "/name")));
            w.w(2, &format!("Optional:\t{optional}\n"));
        } else if let Some(s) = v.get("secret") {
            let optional = s.get("optional").and_then(Value::as_bool).unwrap_or(false);
            w.w(2, "Type:\tSecret (a volume populated by a Secret)\n");
            w.w(2, &format!("SecretName:\t{}\n", str_at(s, "/secretName")));
            w.w(2, &format!("Optional:\t{optional}\n"));
        } else if let Some(p) = v.get("projected") {
            w.w(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
            // Go prints the `*bool` Optional with %v: `<nil>` when unset.
            let opt = |s: &Value| s.get("optional").and_then(Value::as_bool).map_or("<nil>".into(), |b| b.to_string());
            for s in arr(p, "/sources") {
                if let Some(sa) = s.get("serviceAccountToken") {
                    let exp = sa.get("expirationSeconds").and_then(Value::as_i64).unwrap_or(3607);
                    w.w(2, &format!("TokenExpirationSeconds:\t{exp}\n"));
                } else if let Some(c) = s.get("configMap") {
                    w.w(2, &format!("ConfigMapName:\t{}\n", str_at(c, "/name")));
                    w.w(2, &format!("ConfigMapOptional:\t{}\n", opt(c)));
                } else if s.get("downwardAPI").is_some() {
                    w.w(2, "DownwardAPI:\ttrue\n");
                } else if let Some(c) = s.get("secret") {
                    w.w(2, &format!("SecretName:\t{}\n", str_at(c, "/name")));
                    w.w(2, &format!("SecretOptionalName:\t{}\n", opt(c)));
                }
            }
        } else {
            w.w(1, "<unknown>\n");
        }
    }
}

/// printTolerationsMultilineWithIndent: sorted by key; `key=value:effect op=Exists for 300s`.
fn tolerations(w: &mut Out, pod: &Object) {
    w.w(0, "Tolerations:\t");
    let mut list: Vec<&Value> = arr(pod, "/spec/tolerations").iter().collect();
    if list.is_empty() {
        w.w(0, "<none>\n");
        return;
    }
    list.sort_by_key(|t| str_at(t, "/key"));
    for (i, t) in list.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        let (k, v, e) = (str_at(t, "/key"), str_at(t, "/value"), str_at(t, "/effect"));
        let mut s = k.to_string();
        if !v.is_empty() {
            s.push_str(&format!("={v}"));
        }
        if !e.is_empty() {
            s.push_str(&format!(":{e}"));
        }
        if str_at(t, "/operator") == "Exists" && v.is_empty() {
            s.push_str(if k.is_empty() && e.is_empty() { "op=Exists" } else { " op=Exists" });
        }
        if let Some(secs) = t.get("tolerationSeconds").and_then(Value::as_i64) {
            s.push_str(&format!(" for {secs}s"));
        }
        w.w(0, &format!("{s}\n"));
    }
}

/// `kubectl describe pod NAME`; `events_of`: the events about the pod.
pub fn describe_pod(pod: &Object, events_of: &[&Object], now_unix_s: u64) -> Vec<String> {
    let mut w = Out::new();
    w.w(0, &format!("Name:\t{}\n", object::name(pod)));
    w.w(0, &format!("Namespace:\t{}\n", object::namespace(pod)));
    if let Some(p) = pod.pointer("/spec/priority").and_then(Value::as_i64) {
        w.w(0, &format!("Priority:\t{p}\n"));
    }
    let class = str_at(pod, "/spec/priorityClassName");
    if !class.is_empty() {
        w.w(0, &format!("Priority Class Name:\t{class}\n"));
    }
    let sa = str_at(pod, "/spec/serviceAccountName");
    if !sa.is_empty() {
        w.w(0, &format!("Service Account:\t{sa}\n"));
    }
    match str_at(pod, "/spec/nodeName") {
        "" => w.w(0, "Node:\t<none>\n"),
        n => w.w(0, &format!("Node:\t{n}/{}\n", str_at(pod, "/status/hostIP"))),
    }
    if let Some(t) = time_1123(pod, "/status/startTime") {
        w.w(0, &format!("Start Time:\t{t}\n"));
    }
    labels_multiline(&mut w, "Labels", pod, "/metadata/labels");
    annotations_multiline(&mut w, "Annotations", pod, "/metadata/annotations");
    let phase = str_at(pod, "/status/phase");
    if time_at(pod, "/metadata/deletionTimestamp").is_some() && phase != "Failed" && phase != "Succeeded" {
        let lasts = since(pod, "/metadata/deletionTimestamp", now_unix_s);
        w.w(0, &format!("Status:\tTerminating (lasts {lasts})\n"));
        let grace = pod.pointer("/metadata/deletionGracePeriodSeconds").and_then(Value::as_i64).unwrap_or(0);
        w.w(0, &format!("Termination Grace Period:\t{grace}s\n"));
    } else {
        w.w(0, &format!("Status:\t{phase}\n"));
    }
    for (k, p) in [("Reason", "/status/reason"), ("Message", "/status/message")] {
        let s = str_at(pod, p);
        if !s.is_empty() {
            w.w(0, &format!("{k}:\t{s}\n"));
        }
    }
    w.w(0, &format!("IP:\t{}\n", str_at(pod, "/status/podIP")));
    let ips = arr(pod, "/status/podIPs");
    if ips.is_empty() {
        w.w(0, "IPs:\t<none>\n");
    } else {
        w.w(0, "IPs:\n");
        for ip in ips {
            w.w(0, &format!("  IP:\t{}\n", str_at(ip, "/ip")));
        }
    }
    if let Some(c) = controlled_by(pod) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    let nominated = str_at(pod, "/status/nominatedNodeName");
    if !nominated.is_empty() {
        w.w(0, &format!("NominatedNodeName:\t{nominated}\n"));
    }
    let init = arr(pod, "/spec/initContainers");
    if !init.is_empty() {
        containers(&mut w, "Init Containers", init, Some(pod), "/status/initContainerStatuses", "");
    }
    containers(&mut w, "Containers", arr(pod, "/spec/containers"), Some(pod), "/status/containerStatuses", "");
    let conditions = arr(pod, "/status/conditions");
    if !conditions.is_empty() {
        w.w(0, "Conditions:\n  Type\tStatus\n");
        for c in conditions {
            w.w(1, &format!("{} \t{} \n", str_at(c, "/type"), str_at(c, "/status")));
        }
    }
    volumes(&mut w, arr(pod, "/spec/volumes"), "");
    let qos = str_at(pod, "/status/qosClass");
    w.w(0, &format!("QoS Class:\t{}\n", if qos.is_empty() { "BestEffort" } else { qos }));
    labels_multiline(&mut w, "Node-Selectors", pod, "/spec/nodeSelector");
    tolerations(&mut w, pod);
    events(&mut w, events_of, now_unix_s);
    w.done()
}

/// `metav1.FormatLabelSelector` (and `labels.Selector.String()` for a converted one).
pub fn format_selector(sel: Option<&Value>) -> String {
    let Some(sel) = sel.filter(|s| s.as_object().is_some_and(|m| !m.is_empty())) else {
        return "<none>".to_string();
    };
    // LabelSelectorAsSelector sorts the requirements by key.
    let mut parts: Vec<(String, String)> =
        map_entries(sel, "/matchLabels").into_iter().map(|(k, v)| (k.to_string(), format!("{k}={v}"))).collect();
    for e in arr(sel, "/matchExpressions") {
        let key = str_at(e, "/key");
        let values: Vec<&str> = arr(e, "/values").iter().filter_map(Value::as_str).collect();
        let text = match str_at(e, "/operator") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            op => format!("{key} {op} ({})", values.join(",")),
        };
        parts.push((key.to_string(), text));
    }
    if parts.is_empty() {
        return "<none>".to_string();
    }
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    parts.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(",")
}

/// `DescribePodTemplate`.
fn pod_template(w: &mut Out, template: &Value) {
    w.w(0, "Pod Template:\n");
    labels_multiline(w, "  Labels", template, "/metadata/labels");
    if template.pointer("/metadata/annotations").and_then(Value::as_object).is_some_and(|m| !m.is_empty()) {
        annotations_multiline(w, "  Annotations", template, "/metadata/annotations");
    }
    let sa = str_at(template, "/spec/serviceAccountName");
    if !sa.is_empty() {
        w.w(1, &format!("Service Account:\t{sa}\n"));
    }
    let init = arr(template, "/spec/initContainers");
    if !init.is_empty() {
        containers(w, "Init Containers", init, None, "", "  ");
    }
    containers(w, "Containers", arr(template, "/spec/containers"), None, "", "  ");
    volumes(w, arr(template, "/spec/volumes"), "  ");
    let class = str_at(template, "/spec/priorityClassName");
    if !class.is_empty() {
        w.w(1, &format!("Priority Class Name:\t{class}\n"));
    }
}

fn int(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn controller_conditions(w: &mut Out, obj: &Object) {
    let conditions = arr(obj, "/status/conditions");
    if !conditions.is_empty() {
        w.w(0, "Conditions:\n  Type\tStatus\tReason\n");
        w.w(1, "----\t------\t------\n");
        for c in conditions {
            w.w(1, &format!("{} \t{}\t{}\n", str_at(c, "/type"), str_at(c, "/status"), str_at(c, "/reason")));
        }
    }
}

fn owned_by(obj: &Object, owner: &Object) -> bool {
    let uid = str_at(owner, "/metadata/uid");
    arr(obj, "/metadata/ownerReferences").iter().any(|r| {
        r.get("controller").and_then(Value::as_bool) == Some(true)
            && (str_at(r, "/uid") == uid || uid.is_empty())
            && str_at(r, "/name") == object::name(owner)
    })
}

/// A template without the `pod-template-hash` label (deploymentutil `EqualIgnoreHash`).
fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(l) = t.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        l.remove("pod-template-hash");
    }
    t
}

/// `kubectl describe deployment NAME`; `replica_sets`: the namespace's ReplicaSets (the ones the
/// deployment controls are picked here, as `deploymentutil.GetAllReplicaSets`).
pub fn describe_deployment(
    d: &Object,
    replica_sets: &[&Object],
    events_of: &[&Object],
    now_unix_s: u64,
) -> Vec<String> {
    let mut w = Out::new();
    w.w(0, &format!("Name:\t{}\n", object::name(d)));
    w.w(0, &format!("Namespace:\t{}\n", object::namespace(d)));
    w.w(0, &format!("CreationTimestamp:\t{}\n", time_1123(d, "/metadata/creationTimestamp").unwrap_or_default()));
    labels_multiline(&mut w, "Labels", d, "/metadata/labels");
    annotations_multiline(&mut w, "Annotations", d, "/metadata/annotations");
    let selector = format_selector(d.pointer("/spec/selector"));
    w.w(0, &format!("Selector:\t{}\n", if selector == "<none>" { "" } else { &selector }));
    w.w(
        0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            d.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1),
            int(d, "/status/updatedReplicas"),
            int(d, "/status/replicas"),
            int(d, "/status/availableReplicas"),
            int(d, "/status/unavailableReplicas")
        ),
    );
    w.w(0, &format!("StrategyType:\t{}\n", str_at(d, "/spec/strategy/type")));
    w.w(0, &format!("MinReadySeconds:\t{}\n", int(d, "/spec/minReadySeconds")));
    if let Some(ru) = d.pointer("/spec/strategy/rollingUpdate") {
        // intstr.String(): a number or a percentage, as stored.
        let s = |k: &str| ru.get(k).map_or(String::new(), |v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
        w.w(
            0,
            &format!("RollingUpdateStrategy:\t{} max unavailable, {} max surge\n", s("maxUnavailable"), s("maxSurge")),
        );
    }
    let template = d.pointer("/spec/template").unwrap_or(&Value::Null);
    pod_template(&mut w, template);
    controller_conditions(&mut w, d);
    let owned: Vec<&Object> = replica_sets.iter().copied().filter(|rs| owned_by(rs, d)).collect();
    let wanted = without_hash(template);
    let new_rs =
        owned.iter().copied().find(|rs| rs.pointer("/spec/template").map(without_hash).as_ref() == Some(&wanted));
    // FindOldReplicaSets: the others that still have replicas.
    let old: Vec<&Object> = owned
        .iter()
        .copied()
        .filter(|rs| Some(*rs) != new_rs && rs.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1) != 0)
        .collect();
    let rs_list = |list: &[&Object]| {
        let s: Vec<String> = list
            .iter()
            .map(|rs| {
                let spec = rs.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
                format!("{} ({}/{spec} replicas created)", object::name(rs), int(rs, "/status/replicas"))
            })
            .collect();
        if s.is_empty() {
            "<none>".to_string()
        } else {
            s.join(", ")
        }
    };
    if !old.is_empty() || new_rs.is_some() {
        w.w(0, &format!("OldReplicaSets:\t{}\n", rs_list(&old)));
        w.w(0, &format!("NewReplicaSet:\t{}\n", rs_list(new_rs.as_slice())));
    }
    events(&mut w, events_of, now_unix_s);
    w.done()
}

/// `kubectl describe replicaset NAME`; `pods`: the namespace's pods (those it controls and its
/// selector matches are counted by phase, as `getPodStatusForController`).
pub fn describe_replica_set(rs: &Object, pods: &[&Object], events_of: &[&Object], now_unix_s: u64) -> Vec<String> {
    let mut w = Out::new();
    w.w(0, &format!("Name:\t{}\n", object::name(rs)));
    w.w(0, &format!("Namespace:\t{}\n", object::namespace(rs)));
    w.w(0, &format!("Selector:\t{}\n", format_selector(rs.pointer("/spec/selector"))));
    labels_multiline(&mut w, "Labels", rs, "/metadata/labels");
    annotations_multiline(&mut w, "Annotations", rs, "/metadata/annotations");
    if let Some(c) = controlled_by(rs) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    let desired = rs.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    w.w(0, &format!("Replicas:\t{} current / {desired} desired\n", int(rs, "/status/replicas")));
    let selector: Vec<(&str, String)> = map_entries(rs, "/spec/selector/matchLabels");
    let mut counts = [0usize; 4];
    for p in pods.iter().filter(|p| owned_by(p, rs)) {
        if !selector.iter().all(|(k, v)| object::label(p, k) == Some(v.as_str())) {
            continue;
        }
        match str_at(p, "/status/phase") {
            "Running" => counts[0] += 1,
            "Pending" => counts[1] += 1,
            "Succeeded" => counts[2] += 1,
            "Failed" => counts[3] += 1,
            _ => {}
        }
    }
    let [running, waiting, succeeded, failed] = counts;
    w.w(0, &format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"));
    pod_template(&mut w, rs.pointer("/spec/template").unwrap_or(&Value::Null));
    controller_conditions(&mut w, rs);
    events(&mut w, events_of, now_unix_s);
    w.done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::bootstrap;
    use serde_json::json;

    fn cluster() -> Vec<(&'static str, Object)> {
        bootstrap::cluster_objects(3, 2)
    }

    fn find<'a>(objs: &'a [(&'static str, Object)], res: &str, ns: &str, name: &str) -> &'a Object {
        objs.iter()
            .find(|(r, o)| *r == res && object::namespace(o) == ns && object::name(o) == name)
            .map(|(_, o)| o)
            .unwrap_or_else(|| panic!("{res} {ns}/{name} in the fresh cluster"))
    }

    /// The fresh kind worker as `kubectl describe node` prints it: labels and annotations one per
    /// line under the first column, the lease block, the conditions table, and the pods table
    /// sharing its first column with `PodCIDR:`…`Non-terminated Pods:` (one tab block, as in
    /// every real `kubectl describe node` output).
    #[test]
    fn a_fresh_worker_describes_as_kubectl_does() {
        let objs = cluster();
        let node = find(&objs, "nodes", "", "challenge-cluster-worker");
        let lease = find(&objs, "leases", "kube-node-lease", "challenge-cluster-worker");
        let pods: Vec<&Object> = objs
            .iter()
            .filter(|(r, o)| *r == "pods" && str_at(o, "/spec/nodeName") == "challenge-cluster-worker")
            .map(|(_, o)| o)
            .collect();
        assert!(!pods.is_empty(), "kindnet and kube-proxy run on every node");
        let now = object::EPOCH_UNIX_S;
        let lines = describe_node(node, &pods, &[], Some(lease), now);
        let text = lines.join("\n");
        assert_eq!(lines[0], "Name:               challenge-cluster-worker");
        assert_eq!(lines[1], "Roles:              <none>");
        assert_eq!(lines[2], "Labels:             beta.kubernetes.io/arch=amd64");
        assert_eq!(lines[3], "                    beta.kubernetes.io/os=linux");
        assert!(text.contains("\nTaints:             <none>\nUnschedulable:      false\nLease:\n  HolderIdentity:  challenge-cluster-worker\n  AcquireTime:     <unset>\n"), "{text}");
        assert!(text.contains("\nConditions:\n  Type             Status  LastHeartbeatTime "), "{text}");
        assert!(text.contains("\n  ----             ------  -----------------"), "{text}");
        assert!(text.contains("  Ready            True    "), "{text}");
        assert!(text.contains("KubeletReady                 kubelet is posting ready status"), "{text}");
        assert!(text.contains("\nCapacity:\n  cpu:                2\n  ephemeral-storage:  101430960Ki\n"), "{text}");
        assert!(
            text.contains(&format!("\nNon-terminated Pods:          ({} in total)\n  Namespace ", pods.len())),
            "{text}"
        );
        assert!(text.contains("\nPodCIDR:                      10.244."), "{text}");
        assert!(text.contains("\nAllocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n  Resource           Requests"), "{text}");
        assert!(text.contains("\n  hugepages-2Mi      0 (0%)"), "{text}");
        assert!(text.ends_with("\nEvents:              <none>"), "{text}");
        // Each condition row keeps describe.go's `%v \t` trailing space before its padding.
        let ready = lines.iter().find(|l| l.starts_with("  Ready ")).expect("a Ready row");
        assert!(ready.contains(" +0000   Fri, "), "{ready}");
    }

    /// A control-plane node shows its role and its taint (`key:effect`).
    #[test]
    fn a_control_plane_shows_role_and_taint() {
        let objs = cluster();
        let node = find(&objs, "nodes", "", "challenge-cluster-control-plane");
        let lines = describe_node(node, &[], &[], None, object::EPOCH_UNIX_S);
        let text = lines.join("\n");
        assert!(text.contains("Roles:              control-plane\n"), "{text}");
        assert!(text.contains("Taints:             node-role.kubernetes.io/control-plane:NoSchedule\n"), "{text}");
        assert!(!text.contains("Lease:"), "no lease given, no lease block");
        assert!(text.contains("Non-terminated Pods:          (0 in total)"), "{text}");
        assert!(text.contains("  cpu                0 (0%)    0 (0%)"), "{text}");
    }

    fn event(reason: &str, count: u64, last_s: u64, message: &str) -> Object {
        json!({
            "type": "Normal", "reason": reason, "message": message, "count": count,
            "source": {"component": "deployment-controller"},
            "firstTimestamp": object::rfc3339(last_s - 60), "lastTimestamp": object::rfc3339(last_s),
            "involvedObject": {"kind": "Deployment", "namespace": "default", "name": "web"},
        })
    }

    fn deployment() -> Object {
        json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u-web", "labels": {"app": "web"},
                "annotations": {"deployment.kubernetes.io/revision": "1"},
                "creationTimestamp": object::rfc3339(object::EPOCH_UNIX_S)},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}},
            "status": {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 3,
                "conditions": [
                    {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                    {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]},
        })
    }

    fn replica_set(name: &str, replicas: i64, image: &str) -> Object {
        json!({
            "metadata": {"name": name, "namespace": "default", "uid": format!("u-{name}"),
                "labels": {"app": "web", "pod-template-hash": "abc"},
                "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": "u-web", "controller": true}]},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "abc"}},
                "template": {"metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}},
                    "spec": {"containers": [{"name": "nginx", "image": image}]}}},
            "status": {"replicas": replicas},
        })
    }

    /// describeDeployment: the replicas line, the rolling-update bounds, the template block, the
    /// new ReplicaSet found by template (ignoring pod-template-hash), old ones with replicas only,
    /// and the events table: one event is aged by its firstTimestamp, a repeated one says
    /// `<last> (xN over <first>)`; rows sorted by lastTimestamp.
    #[test]
    fn a_deployment_describes_with_its_replica_sets_and_events() {
        let d = deployment();
        let new = replica_set("web-abc", 3, "nginx");
        let old_empty = replica_set("web-old", 0, "nginx:1.14");
        let old = replica_set("web-older", 1, "nginx:1.13");
        let e1 = event("ScalingReplicaSet", 1, object::EPOCH_UNIX_S + 60, "Scaled up replica set web-abc to 3");
        let e2 = event("ScalingReplicaSet", 2, object::EPOCH_UNIX_S + 30, "Scaled down replica set web-older to 1");
        let now = object::EPOCH_UNIX_S + 120;
        let lines = describe_deployment(&d, &[&old_empty, &new, &old], &[&e1, &e2], now);
        let want = [
            "Name:                   web",
            "Namespace:              default",
            "CreationTimestamp:      Fri, 27 Nov 2026 09:00:00 +0000",
            "Labels:                 app=web",
            "Annotations:            deployment.kubernetes.io/revision: 1",
            "Selector:               app=web",
            "Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable",
            "StrategyType:           RollingUpdate",
            "MinReadySeconds:        0",
            "RollingUpdateStrategy:  25% max unavailable, 25% max surge",
            "Pod Template:",
            "  Labels:  app=web",
            "  Containers:",
            "   nginx:",
            "    Image:        nginx",
            "    Port:         <none>",
            "    Host Port:    <none>",
            "    Environment:  <none>",
            "    Mounts:       <none>",
            "  Volumes:        <none>",
            "Conditions:",
            "  Type           Status  Reason",
            "  ----           ------  ------",
            "  Available      True    MinimumReplicasAvailable",
            "  Progressing    True    NewReplicaSetAvailable",
            "OldReplicaSets:  web-older (1/1 replicas created)",
            "NewReplicaSet:   web-abc (3/3 replicas created)",
            "Events:",
            "  Type    Reason             Age                  From                   Message",
            "  ----    ------             ----                 ----                   -------",
            "  Normal  ScalingReplicaSet  90s (x2 over 2m30s)  deployment-controller  Scaled down replica set web-older to 1",
            "  Normal  ScalingReplicaSet  2m                   deployment-controller  Scaled up replica set web-abc to 3",
        ];
        assert_eq!(lines, want);
    }

    /// describeReplicaSet: `current / desired`, pods counted by phase among those it controls.
    #[test]
    fn a_replica_set_counts_its_pods_by_phase() {
        let rs = replica_set("web-abc", 3, "nginx");
        let pod = |name: &str, phase: &str, owner: &str| {
            json!({"metadata": {"name": name, "namespace": "default",
                "labels": {"app": "web", "pod-template-hash": "abc"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": owner, "uid": format!("u-{owner}"), "controller": true}]},
                "status": {"phase": phase}})
        };
        let (a, b, c, stranger) = (
            pod("a", "Running", "web-abc"),
            pod("b", "Running", "web-abc"),
            pod("c", "Pending", "web-abc"),
            pod("d", "Running", "other"),
        );
        let lines = describe_replica_set(&rs, &[&a, &b, &c, &stranger], &[], object::EPOCH_UNIX_S);
        assert_eq!(lines[2], "Selector:       app=web,pod-template-hash=abc");
        assert_eq!(lines[3], "Labels:         app=web");
        assert_eq!(lines[4], "                pod-template-hash=abc");
        assert_eq!(lines[6], "Controlled By:  Deployment/web");
        assert_eq!(lines[7], "Replicas:       3 current / 3 desired");
        assert_eq!(lines[8], "Pods Status:    2 Running / 1 Waiting / 0 Succeeded / 0 Failed");
        assert_eq!(lines.last().map(String::as_str), Some("Events:           <none>"));
    }

    /// describePod for a running nginx pod of a ReplicaSet: `node/ip`, the odd `IPs:` block whose
    /// `  IP:` shares a tab block with `Controlled By:`, container state and ports (`0/TCP` host
    /// port), the projected token volume and the default tolerations.
    #[test]
    fn a_running_pod_describes_as_kubectl_does() {
        let t = object::rfc3339(object::EPOCH_UNIX_S);
        let pod = json!({
            "metadata": {"name": "web-abc-x", "namespace": "default", "labels": {"app": "web"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc", "controller": true}]},
            "spec": {"nodeName": "challenge-cluster-worker", "priority": 0, "serviceAccountName": "default",
                "containers": [{"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "volumeMounts": [{"name": "kube-api-access-abcde", "readOnly": true,
                        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
                "volumes": [{"name": "kube-api-access-abcde", "projected": {"sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt"}},
                    {"downwardAPI": {}}]}}],
                "tolerations": [
                    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]},
            "status": {"phase": "Running", "hostIP": "172.18.0.4", "podIP": "10.244.1.2", "podIPs": [{"ip": "10.244.1.2"}],
                "startTime": t, "qosClass": "BestEffort",
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [{"name": "nginx", "containerID": "containerd://abc", "imageID": "docker.io/library/nginx@sha256:1",
                    "ready": true, "restartCount": 0, "state": {"running": {"startedAt": t}}}]},
        });
        let lines = describe_pod(&pod, &[], object::EPOCH_UNIX_S);
        let text = lines.join("\n");
        assert!(text.starts_with("Name:             web-abc-x\nNamespace:        default\nPriority:         0\nService Account:  default\nNode:             challenge-cluster-worker/172.18.0.4\nStart Time:       Fri, 27 Nov 2026 09:00:00 +0000\n"), "{text}");
        assert!(text.contains("\nIP:               10.244.1.2\nIPs:\n  IP:           10.244.1.2\nControlled By:  ReplicaSet/web-abc\nContainers:\n  nginx:\n"), "{text}");
        assert!(text.contains("    Port:           80/TCP\n    Host Port:      0/TCP\n    State:          Running\n      Started:      Fri, 27 Nov 2026 09:00:00 +0000\n    Ready:          True\n    Restart Count:  0\n    Environment:    <none>\n    Mounts:\n      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-abcde (ro)\n"), "{text}");
        assert!(text.contains("\nConditions:\n  Type    Status\n  Ready   True \nVolumes:\n  kube-api-access-abcde:\n    Type:                    Projected (a volume that contains injected data from multiple sources)\n    TokenExpirationSeconds:  3607\n    ConfigMapName:           kube-root-ca.crt\n    ConfigMapOptional:       <nil>\n    DownwardAPI:             true\n"), "{text}");
        assert!(text.contains("\nQoS Class:                   BestEffort\nNode-Selectors:              <none>\nTolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\nEvents:                      <none>"), "{text}");
    }

    #[test]
    fn selectors_format_as_label_selector_strings() {
        let s = json!({"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [{"key": "t", "operator": "In", "values": ["x", "y"]}, {"key": "g", "operator": "DoesNotExist"}]});
        assert_eq!(format_selector(Some(&s)), "a=1,b=2,!g,t in (x,y)");
        assert_eq!(format_selector(None), "<none>");
    }
}
