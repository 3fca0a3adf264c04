//! What kubectl computes for `rollout status|history|undo` and `set image` on a Deployment,
//! without the requests: the command code fetches the objects, calls these, sends the write
//! and prints the lines.
//!
//! Sources (KK v1.27, `staging/src/k8s.io/kubectl/pkg/`): `polymorphichelpers/rollout_status.go`
//! (`DeploymentStatusViewer`), `polymorphichelpers/history.go` (`DeploymentHistoryViewer`),
//! `polymorphichelpers/rollback.go` (`DeploymentRollbacker`), `cmd/set/set_image.go`,
//! `cmd/rollout/rollout_history.go`, `describe/describe.go` (`DescribePodTemplate`).
//!
//! Errors are returned as the line kubectl prints on stderr (`error: …`).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{
    annotation, equal_ignore_hash, is_controlled_by, revision, ANNOTATIONS_TO_SKIP, CHANGE_CAUSE_ANNOTATION,
    POD_TEMPLATE_HASH_LABEL, TIMED_OUT_REASON,
};
use crate::apiserver::object::{self, Object};
use crate::apiserver::validation::selector_matches;

fn i64_at(obj: &Object, pointer: &str) -> i64 {
    obj.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// rollout status

/// `DeploymentStatusViewer.Status`: kubectl's one-line report on a Deployment's rollout and
/// whether it is done (kubectl prints the line and, unless `--watch=false`, watches until done).
/// `revision`: `--revision`, which must equal the Deployment's. Only the Deployment is read.
///
/// Lines are returned without the trailing newline kubectl's message carries.
pub fn rollout_status(d: &Object, revision_wanted: Option<i64>) -> Result<(String, bool), String> {
    let name = object::name(d);
    if let Some(want) = revision_wanted.filter(|&r| r > 0) {
        let have = revision(d).map_err(|e| format!("error: cannot get the revision of deployment {name:?}: {e}"))?;
        if want != have {
            return Err(format!("error: desired revision ({want}) is different from the running revision ({have})"));
        }
    }
    let generation = i64_at(d, "/metadata/generation");
    let observed = i64_at(d, "/status/observedGeneration");
    if generation > observed {
        return Ok(("Waiting for deployment spec update to be observed...".into(), false));
    }
    let timed_out = d
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| object::str_at(c, "/type") == "Progressing"))
        .is_some_and(|c| object::str_at(c, "/reason") == TIMED_OUT_REASON);
    if timed_out {
        return Err(format!("error: deployment {name:?} exceeded its progress deadline"));
    }
    let (updated, total, available) =
        (i64_at(d, "/status/updatedReplicas"), i64_at(d, "/status/replicas"), i64_at(d, "/status/availableReplicas"));
    if let Some(wanted) = d.pointer("/spec/replicas").and_then(Value::as_i64) {
        if updated < wanted {
            let msg = format!(
                "Waiting for deployment {name:?} rollout to finish: {updated} out of {wanted} new replicas have been updated..."
            );
            return Ok((msg, false));
        }
    }
    if total > updated {
        let old = total - updated;
        let msg =
            format!("Waiting for deployment {name:?} rollout to finish: {old} old replicas are pending termination...");
        return Ok((msg, false));
    }
    if available < updated {
        let msg = format!(
            "Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available..."
        );
        return Ok((msg, false));
    }
    Ok((format!("deployment {name:?} successfully rolled out"), true))
}

// ---------------------------------------------------------------------------------------------
// rollout history

/// `deploymentutil.ListReplicaSets`: the ReplicaSets the Deployment selects and controls.
fn owned<'a>(d: &Object, rss: &[&'a Object]) -> Vec<&'a Object> {
    let selector = d.pointer("/spec/selector");
    let mut v: Vec<&Object> = rss
        .iter()
        .copied()
        .filter(|rs| {
            object::namespace(rs) == object::namespace(d)
                && selector_matches(selector, rs.pointer("/metadata/labels"))
                && is_controlled_by(rs, d)
        })
        .collect();
    v.sort_by(|a, b| super::by_creation(a, b));
    v
}

/// `DeploymentHistoryViewer.ViewHistory` as `kubectl rollout history deployment/<name>
/// [--revision=N]` prints it: `deployment.apps/nginx ` (the name printer's line, with its
/// trailing space), then the `REVISION  CHANGE-CAUSE` table (`<none>` without a
/// `kubernetes.io/change-cause`), or for `--revision=N` `deployment.apps/nginx with revision #N`
/// and the revision's pod template; both end with an empty line, as kubectl's output does.
/// `rss`: the namespace's ReplicaSets (those the Deployment controls are picked out).
pub fn rollout_history(d: &Object, rss: &[&Object], revision_wanted: Option<i64>) -> Result<Vec<String>, String> {
    let head = format!("deployment.apps/{}", object::name(d));
    if let Some(r) = revision_wanted.filter(|&r| r < 0) {
        return Err(format!("error: revision must be a positive integer: {r}"));
    }
    let mut history: BTreeMap<i64, Value> = BTreeMap::new();
    for rs in owned(d, rss) {
        // kubectl warns (klog) about an unparseable revision and skips the ReplicaSet.
        let Ok(v) = revision(rs) else { continue };
        let mut template = rs.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
        let cause = annotation(rs, CHANGE_CAUSE_ANNOTATION).unwrap_or("");
        if !cause.is_empty() {
            let meta = template.as_object_mut().map(|m| m.entry("metadata").or_insert_with(|| json!({})));
            if let Some(meta) = meta.filter(|m| m.is_object()) {
                let ann = meta.as_object_mut().expect("checked").entry("annotations").or_insert_with(|| json!({}));
                if ann.is_object() {
                    ann[CHANGE_CAUSE_ANNOTATION] = json!(cause);
                }
            }
        }
        history.insert(v, template);
    }
    if history.is_empty() {
        return Ok(vec![format!("{head} "), "No rollout history found.".into()]);
    }
    if let Some(r) = revision_wanted.filter(|&r| r > 0) {
        let template = history.get(&r).ok_or("error: unable to find the specified revision")?;
        let mut lines = vec![format!("{head} with revision #{r}")];
        lines.extend(describe_pod_template(Some(template)));
        lines.push(String::new());
        return Ok(lines);
    }
    let rows: Vec<(String, String)> = history
        .iter()
        .map(|(r, t)| {
            let cause = t.pointer("/metadata/annotations").and_then(|a| a.get(CHANGE_CAUSE_ANNOTATION));
            let cause = cause.and_then(Value::as_str).filter(|c| !c.is_empty()).unwrap_or("<none>");
            (r.to_string(), cause.to_string())
        })
        .collect();
    // tabwriter(minwidth 0, tabwidth 8, padding 2): the first column padded to its widest + 2.
    let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(0).max("REVISION".len()) + 2;
    let mut lines = vec![format!("{head} "), format!("{:<width$}CHANGE-CAUSE", "REVISION")];
    lines.extend(rows.iter().map(|(r, c)| format!("{r:<width$}{c}")));
    lines.push(String::new());
    Ok(lines)
}

// ---------------------------------------------------------------------------------------------
// The pod template, as `describe` prints it.

/// `describe.PrefixWriter`: two spaces per level.
struct Prefix(String);

impl Prefix {
    fn write(&mut self, level: usize, text: &str) {
        self.0.push_str(&"  ".repeat(level));
        self.0.push_str(text);
    }
}

fn str_list(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect())
        .unwrap_or_default()
}

/// `printLabelsMultiline` (`key=value`, sorted, one a line) and `printAnnotationsMultiline`
/// (`key: value`).
fn print_map(w: &mut Prefix, title: &str, map: &BTreeMap<String, String>, sep: &str) {
    w.write(0, &format!("{title}:\t"));
    if map.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    for (i, (k, v)) in map.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        w.write(0, &format!("{k}{sep}{v}\n"));
    }
}

/// `DescribeProbe`.
fn describe_probe(p: &Value) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        i64_at(p, "/initialDelaySeconds"),
        i64_at(p, "/timeoutSeconds"),
        i64_at(p, "/periodSeconds"),
        i64_at(p, "/successThreshold"),
        i64_at(p, "/failureThreshold"),
    );
    let port =
        |v: Option<&Value>| v.map_or(String::new(), |v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    if let Some(e) = p.get("exec") {
        return format!("exec [{}] {attrs}", str_list(e.get("command")).join(" "));
    }
    if let Some(h) = p.get("httpGet") {
        let scheme = object::str_at(h, "/scheme").to_ascii_lowercase();
        let (host, port) = (object::str_at(h, "/host"), port(h.get("port")));
        let hostport = if port.is_empty() { host.to_string() } else { format!("{host}:{port}") };
        return format!("http-get {scheme}://{hostport}{} {attrs}", object::str_at(h, "/path"));
    }
    if let Some(t) = p.get("tcpSocket") {
        return format!("tcp-socket {}:{} {attrs}", object::str_at(t, "/host"), port(t.get("port")));
    }
    if let Some(g) = p.get("grpc") {
        return format!("grpc <pod>:{} {} {attrs}", i64_at(g, "/port"), object::str_at(g, "/service"));
    }
    format!("unknown {attrs}")
}

fn describe_containers(w: &mut Prefix, label: &str, containers: &[Value]) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(0, &format!("  {label}:{none}\n"));
    for c in containers {
        w.write(1, &format!(" {}:\n", object::str_at(c, "/name")));
        w.write(2, &format!("Image:\t{}\n", object::str_at(c, "/image")));
        let ports: Vec<&Value> =
            c.get("ports").and_then(Value::as_array).map(|p| p.iter().collect()).unwrap_or_default();
        let proto = |p: &Value| match object::str_at(p, "/protocol") {
            "" => "TCP".to_string(),
            x => x.to_string(),
        };
        let container_ports: Vec<String> =
            ports.iter().map(|p| format!("{}/{}", i64_at(p, "/containerPort"), proto(p))).collect();
        let host_ports: Vec<String> =
            ports.iter().map(|p| format!("{}/{}", i64_at(p, "/hostPort"), proto(p))).collect();
        for (one, many, list) in [("Port", "Ports", &container_ports), ("Host Port", "Host Ports", &host_ports)] {
            match list.len() {
                0 => w.write(2, &format!("{one}:\t<none>\n")),
                1 => w.write(2, &format!("{one}:\t{}\n", list[0])),
                _ => w.write(2, &format!("{many}:\t{}\n", list.join(", "))),
            }
        }
        for (title, key) in [("Command", "command"), ("Args", "args")] {
            let items = str_list(c.get(key));
            if !items.is_empty() {
                w.write(2, &format!("{title}:\n"));
                for item in items {
                    for line in item.split('\n') {
                        w.write(3, &format!("{line}\n"));
                    }
                }
            }
        }
        for (title, key) in [("Limits", "limits"), ("Requests", "requests")] {
            let m = string_map(c.pointer(&format!("/resources/{key}")));
            if !m.is_empty() {
                w.write(2, &format!("{title}:\n"));
                for (k, v) in m {
                    w.write(3, &format!("{k}:\t{v}\n"));
                }
            }
        }
        for (title, key) in
            [("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"), ("Startup", "startupProbe")]
        {
            if let Some(p) = c.get(key).filter(|p| p.is_object()) {
                w.write(2, &format!("{title}:\t{}\n", describe_probe(p)));
            }
        }
        let env = c.get("env").and_then(Value::as_array).cloned().unwrap_or_default();
        w.write(2, &format!("Environment:{}\n", if env.is_empty() { "\t<none>" } else { "" }));
        for e in &env {
            let name = object::str_at(e, "/name");
            if let Some(f) = e.pointer("/valueFrom/fieldRef") {
                let (api, path) = (object::str_at(f, "/apiVersion"), object::str_at(f, "/fieldPath"));
                w.write(3, &format!("{name}:\t ({api}:{path})\n"));
            } else if let Some(k) = e.pointer("/valueFrom/configMapKeyRef") {
                let (key, cm) = (object::str_at(k, "/key"), object::str_at(k, "/name"));
                w.write(3, &format!("{name}:\t<set to the key '{key}' of config map '{cm}'>\n"));
            } else if let Some(k) = e.pointer("/valueFrom/secretKeyRef") {
                let (key, s) = (object::str_at(k, "/key"), object::str_at(k, "/name"));
                w.write(3, &format!("{name}:\t<set to the key '{key}' in secret '{s}'>\n"));
            } else {
                for (i, line) in object::str_at(e, "/value").split('\n').enumerate() {
                    if i == 0 {
                        w.write(3, &format!("{name}:\t{line}\n"));
                    } else {
                        w.write(3, &format!("\t{line}\n"));
                    }
                }
            }
        }
        let mut mounts = c.get("volumeMounts").and_then(Value::as_array).cloned().unwrap_or_default();
        mounts.sort_by(|a, b| object::str_at(a, "/mountPath").cmp(object::str_at(b, "/mountPath")));
        w.write(2, &format!("Mounts:{}\n", if mounts.is_empty() { "\t<none>" } else { "" }));
        for m in &mounts {
            let mut flags =
                vec![if m.get("readOnly").and_then(Value::as_bool) == Some(true) { "ro" } else { "rw" }.to_string()];
            let sub = object::str_at(m, "/subPath");
            if !sub.is_empty() {
                flags.push(format!("path={sub:?}"));
            }
            let (path, name) = (object::str_at(m, "/mountPath"), object::str_at(m, "/name"));
            w.write(3, &format!("{path} from {name} ({})\n", flags.join(",")));
        }
    }
}

fn describe_volumes(w: &mut Prefix, volumes: &[Value]) {
    if volumes.is_empty() {
        w.write(0, "  Volumes:\t<none>\n");
        return;
    }
    w.write(0, "  Volumes:\n");
    for v in volumes {
        w.write(1, &format!(" {}:\n", object::str_at(v, "/name")));
        let optional = |s: &Value| s.get("optional").and_then(Value::as_bool).unwrap_or(false);
        if let Some(s) = v.get("configMap") {
            w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
            w.write(2, &format!("Name:\t{}\n", object::str_at(s, "/name")));
            w.write(2, &format!("Optional:\t{}\n", optional(s)));
        } else if let Some(s) = v.get("secret") {
            w.write(2, "Type:\tSecret (a volume populated by a Secret)\n");
            w.write(2, &format!("SecretName:\t{}\n", object::str_at(s, "/secretName")));
            w.write(2, &format!("Optional:\t{}\n", optional(s)));
        } else if let Some(s) = v.get("hostPath") {
            let kind = match object::str_at(s, "/type") {
                "" => "<none>",
                t => t,
            };
            w.write(2, "Type:\tHostPath (bare host directory volume)\n");
            w.write(2, &format!("Path:\t{}\n", object::str_at(s, "/path")));
            w.write(2, &format!("HostPathType:\t{kind}\n"));
        } else if let Some(s) = v.get("emptyDir") {
            let limit = match s.get("sizeLimit") {
                Some(Value::String(l)) => l.clone(),
                _ => "<unset>".into(),
            };
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
            w.write(2, &format!("Medium:\t{}\n", object::str_at(s, "/medium")));
            w.write(2, &format!("SizeLimit:\t{limit}\n"));
        } else {
            // The lab describes the volume kinds its workloads use; KK knows ~30.
            w.write(2, "Type:\t<unknown>\n");
        }
    }
}

/// Expands tabs to the next multiple of 8 columns, as a terminal shows kubectl's raw output.
fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let mut col = 0;
    for ch in line.chars() {
        if ch == '\t' {
            let n = 8 - col % 8;
            out.push_str(&" ".repeat(n));
            col += n;
        } else {
            out.push(ch);
            col += 1;
        }
    }
    out
}

/// `describe.DescribePodTemplate` (v1.27): `Pod Template:` with Labels, Annotations, Service
/// Account, Init Containers and Containers (Image, Port, Host Port, Command, Args, Limits,
/// Requests, probes, Environment, Mounts), Volumes and Priority Class Name.
///
/// kubectl writes these lines with raw tabs, not through a tabwriter; they are returned with the
/// tabs expanded to 8-column stops, as a terminal displays them. Simplified: only ConfigMap,
/// Secret, HostPath and EmptyDir volumes are described; env `resourceFieldRef` shows as a plain
/// value; Node-Selectors and Tolerations (printed by later kubectl versions) are not shown.
pub fn describe_pod_template(template: Option<&Value>) -> Vec<String> {
    let mut w = Prefix(String::new());
    w.write(0, "Pod Template:\n");
    let Some(t) = template else {
        w.write(1, "<unset>\n");
        return w.0.lines().map(expand_tabs).collect();
    };
    print_map(&mut w, "  Labels", &string_map(t.pointer("/metadata/labels")), "=");
    let ann = string_map(t.pointer("/metadata/annotations"));
    if !ann.is_empty() {
        print_map(&mut w, "  Annotations", &ann, ": ");
    }
    let spec = t.get("spec").cloned().unwrap_or_else(|| json!({}));
    let sa = object::str_at(&spec, "/serviceAccountName");
    if !sa.is_empty() {
        w.write(1, &format!("Service Account:\t{sa}\n"));
    }
    let list = |k: &str| spec.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let init = list("initContainers");
    if !init.is_empty() {
        describe_containers(&mut w, "Init Containers", &init);
    }
    describe_containers(&mut w, "Containers", &list("containers"));
    describe_volumes(&mut w, &list("volumes"));
    let pc = object::str_at(&spec, "/priorityClassName");
    if !pc.is_empty() {
        w.write(1, &format!("Priority Class Name:\t{pc}\n"));
    }
    w.0.lines().map(expand_tabs).collect()
}

// ---------------------------------------------------------------------------------------------
// rollout undo

/// What `kubectl rollout undo` does.
#[derive(Clone, Debug, PartialEq)]
pub enum Undo {
    /// PATCH the Deployment with this JSON merge patch, then print `deployment.apps/<name> rolled
    /// back`. (kubectl sends a JSON patch replacing `/spec/template` and `/metadata/annotations`;
    /// this merge patch has the same effect: it sets what the revision has and nulls what it
    /// lacks.)
    RolledBack { patch: Value },
    /// Nothing to send; kubectl prints `deployment.apps/<name> <message>` and exits 0.
    Skipped { message: String },
}

impl Undo {
    /// The words after `deployment.apps/<name> `.
    pub fn message(&self) -> &str {
        match self {
            Undo::RolledBack { .. } => "rolled back",
            Undo::Skipped { message } => message,
        }
    }
}

/// The merge patch (RFC 7386) that turns `current` into `target`: keys of `target` set (maps
/// recursed into), keys only in `current` nulled, anything else replaced whole.
pub fn replacing_merge_patch(current: &Value, target: &Value) -> Value {
    match (current, target) {
        (Value::Object(cur), Value::Object(tgt)) => {
            let mut patch = Map::new();
            for (k, tv) in tgt {
                match cur.get(k) {
                    Some(cv) if cv == tv => {}
                    Some(cv) if cv.is_object() && tv.is_object() => {
                        patch.insert(k.clone(), replacing_merge_patch(cv, tv));
                    }
                    _ => {
                        patch.insert(k.clone(), tv.clone());
                    }
                }
            }
            for k in cur.keys().filter(|k| !tgt.contains_key(*k)) {
                patch.insert(k.clone(), Value::Null);
            }
            Value::Object(patch)
        }
        _ => target.clone(),
    }
}

/// `DeploymentRollbacker.Rollback` (`kubectl rollout undo deployment/<name> [--to-revision=N]`):
/// restore the pod template of revision `to_revision` (0: the one before the latest) and its
/// annotations (keeping the Deployment's own revision/apply annotations). `rss`: the
/// namespace's ReplicaSets.
pub fn rollout_undo(d: &Object, rss: &[&Object], to_revision: i64) -> Result<Undo, String> {
    if to_revision < 0 {
        return Err(format!("error: unable to find specified revision {to_revision} in history"));
    }
    let all = owned(d, rss);
    let rs = if to_revision == 0 {
        // deploymentRevision: the second-highest revision.
        let mut latest: Option<(i64, &Object)> = None;
        let mut previous: Option<(i64, &Object)> = None;
        for rs in &all {
            let Ok(v) = revision(rs) else { continue };
            if latest.is_none_or(|(l, _)| l < v) {
                previous = latest;
                latest = Some((v, rs));
            } else if previous.is_none_or(|(p, _)| p < v) {
                previous = Some((v, rs));
            }
        }
        match previous {
            Some((_, rs)) => rs,
            None => return Err(format!("error: no rollout history found for deployment {:?}", object::name(d))),
        }
    } else {
        match all.iter().find(|rs| revision(rs).ok() == Some(to_revision)) {
            Some(rs) => rs,
            None => return Err(format!("error: unable to find specified revision {to_revision} in history")),
        }
    };
    if d.pointer("/spec/paused").and_then(Value::as_bool) == Some(true) {
        return Err("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again".into());
    }
    let (rs_template, d_template) = (rs.pointer("/spec/template"), d.pointer("/spec/template"));
    if equal_ignore_hash(rs_template, d_template) {
        let message = format!("skipped rollback (current template already matches revision {to_revision})");
        return Ok(Undo::Skipped { message });
    }
    let mut template = rs_template.cloned().unwrap_or_else(|| json!({}));
    if let Some(labels) = template.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(POD_TEMPLATE_HASH_LABEL);
    }
    let mut annotations = Map::new();
    let d_ann = d.pointer("/metadata/annotations").and_then(Value::as_object);
    for k in ANNOTATIONS_TO_SKIP {
        if let Some(v) = d_ann.and_then(|a| a.get(k)) {
            annotations.insert(k.to_string(), v.clone());
        }
    }
    if let Some(a) = rs.pointer("/metadata/annotations").and_then(Value::as_object) {
        for (k, v) in a.iter().filter(|(k, _)| !ANNOTATIONS_TO_SKIP.contains(&k.as_str())) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    let empty = json!({});
    let current_annotations = d.pointer("/metadata/annotations").unwrap_or(&empty);
    let patch = json!({
        "metadata": {"annotations": replacing_merge_patch(current_annotations, &Value::Object(annotations))},
        "spec": {"template": replacing_merge_patch(d_template.unwrap_or(&empty), &template)},
    });
    Ok(Undo::RolledBack { patch })
}

// ---------------------------------------------------------------------------------------------
// set image

/// `kubectl set image <obj> <container>=<image> …` (`set_image.go`): the object with the images
/// replaced in its pod spec's init containers and containers (`*` names them all). Pods: `spec`;
/// CronJobs: `spec.jobTemplate.spec.template.spec`; the rest: `spec.template.spec`.
///
/// An unknown container name is an error (`error: unable to find container named "x"`, one line
/// each). kubectl still patches what it did find and prints the error after; the lab returns
/// only the error (the caller sends nothing). When the returned object equals the input (the
/// images were already set) kubectl sends nothing and prints nothing.
pub fn set_image(obj: &Object, images: &[(&str, &str)]) -> Result<Object, String> {
    let mut out = obj.clone();
    let path = match object::kind(obj) {
        "Pod" => "/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        _ => "/spec/template/spec",
    };
    let mut errors = Vec::new();
    for (container, image) in images {
        let mut found = false;
        for list in ["initContainers", "containers"] {
            let Some(cs) = out.pointer_mut(&format!("{path}/{list}")).and_then(Value::as_array_mut) else { continue };
            for c in cs.iter_mut().filter(|c| c.is_object()) {
                if *container == "*" || object::str_at(c, "/name") == *container {
                    c["image"] = json!(image);
                    found = true;
                }
            }
        }
        if !found {
            errors.push(format!("error: unable to find container named {container:?}"));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}
