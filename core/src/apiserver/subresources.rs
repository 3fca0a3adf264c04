//! The subresources the factory's components write through (pure functions; the request state
//! machine in `handler` drives them):
//!
//! - `status` (pods, nodes, workloads …): only `.status` changes — each status strategy's
//!   `PrepareForUpdate` puts back what the status endpoint may not touch (KK
//!   `pkg/registry/core/pod/strategy.go` `podStatusStrategy`, `pkg/registry/apps/deployment/strategy.go`
//!   `deploymentStatusStrategy`, and the others' `…StatusStrategy`);
//! - `binding` (pods): the scheduler's way to set `spec.nodeName` (KK
//!   `pkg/registry/core/pod/storage/storage.go` `BindingREST`, `setPodHostAndAnnotations`);
//! - `scale` (deployments, replica sets, stateful sets): an `autoscaling/v1` Scale over
//!   `spec.replicas` (KK `pkg/registry/apps/deployment/storage/storage.go` `ScaleREST`,
//!   `scaleFromDeployment`, `scaleUpdatedObjectInfo`);
//! - `eviction` (pods): a delete that respects PodDisruptionBudgets (KK
//!   `pkg/registry/core/pod/storage/eviction.go`). The lab has no PodDisruptionBudgets, so an
//!   eviction always goes ahead as a delete with the eviction's `deleteOptions`.

use serde_json::{json, Value};

use super::handler::{DeleteOptions, Verb};
use super::object::{self, Object};
use super::validation::{go_quote, FieldError};
use crate::k8s::resources::ApiResource;
use crate::k8s::status::{aggregate, Status};

/// Resources with a `status` subresource (of those the lab knows).
const WITH_STATUS: [&str; 10] = [
    "pods",
    "nodes",
    "namespaces",
    "services",
    "resourcequotas",
    "deployments",
    "replicasets",
    "daemonsets",
    "statefulsets",
    "jobs",
];
/// Resources with a `scale` subresource.
const WITH_SCALE: [&str; 3] = ["deployments", "replicasets", "statefulsets"];

/// Whether kube-apiserver serves `verb` on `resource/subresource`: an unknown path is 404
/// (`the server could not find the requested resource`), a known one with another method 405.
pub fn route(resource: &ApiResource, subresource: &str, verb: Verb, name: &str) -> Result<(), Status> {
    if subresource.is_empty() {
        return Ok(());
    }
    let r = resource.name;
    let (exists, verbs): (bool, &[Verb]) = match subresource {
        "status" => (WITH_STATUS.contains(&r), &[Verb::Get, Verb::Update, Verb::Patch]),
        "scale" => (WITH_SCALE.contains(&r), &[Verb::Get, Verb::Update, Verb::Patch]),
        "binding" | "eviction" => (r == "pods", &[Verb::Create]),
        _ => (false, &[]),
    };
    if !exists || name.is_empty() {
        return Err(Status::no_route());
    }
    if !verbs.contains(&verb) {
        return Err(Status::method_not_allowed());
    }
    Ok(())
}

/// `status` update: the stored object with the body's status (and, as the status strategies
/// allow, its metadata), but the stored spec; pods also keep their owner references,
/// Deployments their labels.
pub fn status_update(resource: &ApiResource, current: &Object, body: Object) -> Object {
    let mut new = body;
    let map = match new.as_object_mut() {
        Some(m) => m,
        None => return current.clone(),
    };
    match current.get("spec") {
        Some(spec) => {
            map.insert("spec".into(), spec.clone());
        }
        None => {
            map.remove("spec");
        }
    }
    let keep: &[&str] = match (resource.group, resource.name) {
        ("", "pods") => &["ownerReferences"],
        ("apps", "deployments") => &["labels"],
        _ => &[],
    };
    for k in keep {
        let old = current.pointer(&format!("/metadata/{k}")).cloned();
        let meta = object::metadata_mut(&mut new);
        match old {
            Some(v) => {
                meta.insert((*k).into(), v);
            }
            None => {
                meta.remove(*k);
            }
        }
    }
    new
}

/// An update of the main resource: the body, but the stored status for resources that have a
/// `status` subresource — each strategy's `PrepareForUpdate` (`newDeployment.Status =
/// oldDeployment.Status`, KK `pkg/registry/apps/deployment/strategy.go` and the others'), so a
/// writer with a stale copy can never roll a status back through the main resource.
pub fn main_update(resource: &ApiResource, current: &Object, body: Object) -> Object {
    if !WITH_STATUS.contains(&resource.name) {
        return body;
    }
    let mut new = body;
    if let Some(map) = new.as_object_mut() {
        match current.get("status") {
            Some(status) => {
                map.insert("status".into(), status.clone());
            }
            None => {
                map.remove("status");
            }
        }
    }
    new
}

/// `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key — `k=v`,
/// `k in (a,b)`, `k notin (a,b)`, `k`, `!k` — joined by commas.
pub fn selector_string(sel: Option<&Value>) -> String {
    let mut reqs: Vec<(String, String)> = Vec::new();
    let Some(sel) = sel else { return String::new() };
    if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in m {
            reqs.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or(""))));
        }
    }
    for e in sel.get("matchExpressions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
        let key = object::str_at(e, "/key");
        let mut values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        values.sort_unstable();
        let text = match object::str_at(e, "/operator") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            _ => continue,
        };
        reqs.push((key.to_string(), text));
    }
    reqs.sort();
    reqs.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(",")
}

/// `scaleFromDeployment` (and the ReplicaSet / StatefulSet twins): the parent's identity,
/// `spec.replicas`, and `status.replicas` with the selector as a string.
pub fn scale_of(parent: &Object) -> Object {
    let mut meta = serde_json::Map::new();
    for k in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
        if let Some(v) = parent.pointer(&format!("/metadata/{k}")) {
            meta.insert(k.into(), v.clone());
        }
    }
    let replicas = parent.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let current = parent.pointer("/status/replicas").and_then(Value::as_i64).unwrap_or(0);
    json!({
        "apiVersion": "autoscaling/v1",
        "kind": "Scale",
        "metadata": meta,
        "spec": {"replicas": replicas},
        "status": {"replicas": current, "selector": selector_string(parent.pointer("/spec/selector"))},
    })
}

/// `scaleUpdatedObjectInfo.UpdatedObject`: validate the new Scale (`ValidateScale`), check its
/// UID precondition, and carry `spec.replicas` (and the resourceVersion the client read, which
/// the caller compares) into the parent.
pub fn apply_scale(resource: &ApiResource, parent: &Object, scale: &Object) -> Result<Object, Status> {
    let name = object::name(parent);
    let replicas = scale.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(0);
    if replicas < 0 {
        let e = FieldError::invalid("spec.replicas", replicas.to_string(), "must be greater than or equal to 0");
        return Err(Status::invalid("autoscaling", "Scale", name, vec![e.cause()]));
    }
    let (want, have) = (object::str_at(scale, "/metadata/uid"), object::str_at(parent, "/metadata/uid"));
    if !want.is_empty() && want != have {
        let q = format!("{}/scale.{}", resource.name, resource.group);
        return Err(Status::conflict_because(
            &q,
            name,
            &format!("Precondition failed: UID in precondition: {want}, UID in object meta: {have}"),
        ));
    }
    let mut new = parent.clone();
    if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("replicas".into(), json!(replicas));
    } else if let Some(map) = new.as_object_mut() {
        map.insert("spec".into(), json!({"replicas": replicas}));
    }
    Ok(new)
}

/// `BindingREST.Create`'s checks of the body: its name must be the URL's, then
/// `ValidatePodBinding` — whose errors the registry returns unwrapped, so the client gets a 500.
pub fn validate_binding(binding: &Object, url_name: &str) -> Result<(), Status> {
    if object::name(binding) != url_name {
        return Err(Status::bad_request("name in URL does not match name in Binding object"));
    }
    let mut errs = Vec::new();
    let kind = object::str_at(binding, "/target/kind");
    if !kind.is_empty() && kind != "Node" {
        errs.push(FieldError::not_supported("target.kind", go_quote(kind), &["Node", "<empty>"]).cause().line());
    }
    if object::str_at(binding, "/target/name").is_empty() {
        errs.push(FieldError::required("target.name", "").cause().line());
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Status::internal(aggregate(&errs)))
    }
}

pub fn validate_eviction(eviction: &Object, url_name: &str) -> Result<(), Status> {
    if object::name(eviction) != url_name {
        return Err(Status::bad_request("name in URL does not match name in Eviction object"));
    }
    Ok(())
}

/// The etcd3 store's precondition failure as the API passes it on (`storage.Preconditions.Check`
/// → `StorageError` → `NewConflict`).
fn storage_precondition(what: &str, key: &str, want: &str, have: &str) -> String {
    format!(
        "StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: {what} in precondition: {want}, {what} in object meta: {have}"
    )
}

/// `setPodHostAndAnnotations`: the bound pod — `spec.nodeName` set, the binding's annotations
/// merged, condition `PodScheduled=True` — or the 409 that says why not.
pub fn bind(pod: &Object, binding: &Object, key: &str, now_unix_s: u64) -> Result<Object, Status> {
    let name = object::name(pod).to_string();
    for (what, field) in [("UID", "uid"), ("ResourceVersion", "resourceVersion")] {
        let want = object::str_at(binding, &format!("/metadata/{field}"));
        let have = object::str_at(pod, &format!("/metadata/{field}"));
        if !want.is_empty() && want != have {
            return Err(Status::conflict_because("pods", &name, &storage_precondition(what, key, want, have)));
        }
    }
    let refuse = |why: String| Err(Status::conflict_because("pods/binding", &name, &why));
    if pod.pointer("/metadata/deletionTimestamp").is_some_and(|v| !v.is_null()) {
        return refuse(format!("pod {name} is being deleted, cannot be assigned to a host"));
    }
    let assigned = object::str_at(pod, "/spec/nodeName");
    if !assigned.is_empty() {
        return refuse(format!("pod {name} is already assigned to node \"{assigned}\""));
    }
    if pod.pointer("/spec/schedulingGates").and_then(Value::as_array).is_some_and(|g| !g.is_empty()) {
        return refuse(format!("pod {name} has non-empty .spec.schedulingGates"));
    }
    let mut new = pod.clone();
    let node = object::str_at(binding, "/target/name").to_string();
    if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("nodeName".into(), Value::String(node));
    } else if let Some(map) = new.as_object_mut() {
        map.insert("spec".into(), json!({"nodeName": node}));
    }
    if let Some(extra) = binding.pointer("/metadata/annotations").and_then(Value::as_object) {
        let ann = object::metadata_mut(&mut new).entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = ann.as_object_mut() {
            for (k, v) in extra {
                a.insert(k.clone(), v.clone());
            }
        }
    }
    set_pod_condition(&mut new, "PodScheduled", "True", now_unix_s);
    Ok(new)
}

/// `podutil.UpdatePodCondition`: replaces the condition of that type (keeping its transition time
/// when the status is the same), or appends it.
pub fn set_pod_condition(pod: &mut Object, kind: &str, status: &str, now_unix_s: u64) {
    let Some(map) = pod.as_object_mut() else { return };
    let st = map.entry("status").or_insert_with(|| json!({}));
    if !st.is_object() {
        *st = json!({});
    }
    let list = st.as_object_mut().expect("made a map above").entry("conditions").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    let list = list.as_array_mut().expect("made a list above");
    let mut cond = json!({"lastProbeTime": null, "lastTransitionTime": object::rfc3339(now_unix_s),
        "status": status, "type": kind});
    match list.iter_mut().find(|c| object::str_at(c, "/type") == kind) {
        Some(old) => {
            if object::str_at(old, "/status") == status {
                cond["lastTransitionTime"] = old.get("lastTransitionTime").cloned().unwrap_or(Value::Null);
            }
            *old = cond;
        }
        None => list.push(cond),
    }
}

/// The delete an eviction performs: the request's options, overridden by the Eviction's own
/// `deleteOptions` (`gracePeriodSeconds`, `preconditions.uid`, `propagationPolicy`).
pub fn eviction_options(eviction: &Object, base: &DeleteOptions) -> DeleteOptions {
    let mut o = base.clone();
    if let Some(d) = eviction.get("deleteOptions") {
        if let Some(g) = d.get("gracePeriodSeconds").and_then(Value::as_u64) {
            o.grace_period_s = Some(g);
        }
        let uid = object::str_at(d, "/preconditions/uid");
        if !uid.is_empty() {
            o.uid = Some(uid.to_string());
        }
        use crate::controllers::Propagation;
        match object::str_at(d, "/propagationPolicy") {
            "Background" => o.propagation = Some(Propagation::Background),
            "Foreground" => o.propagation = Some(Propagation::Foreground),
            "Orphan" => o.propagation = Some(Propagation::Orphan),
            _ => {}
        }
    }
    o
}

/// The `Status` a binding or an eviction answers with (`{"kind":"Status","apiVersion":"v1",
/// "metadata":{},"status":"Success","code":201}`).
pub fn success(code: u16) -> Object {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::resources::resolve;

    fn res(name: &str) -> &'static ApiResource {
        resolve(name).expect("known resource")
    }

    #[test]
    fn only_the_real_subresources_are_routed() {
        assert!(route(res("pods"), "status", Verb::Update, "x").is_ok());
        assert!(route(res("pods"), "binding", Verb::Create, "x").is_ok());
        assert!(route(res("deployments"), "scale", Verb::Patch, "x").is_ok());
        let code = |r: Result<(), Status>| r.err().map(|s| s.code);
        assert_eq!(code(route(res("pods"), "binding", Verb::Get, "x")), Some(405));
        assert_eq!(code(route(res("configmaps"), "status", Verb::Update, "x")), Some(404));
        assert_eq!(code(route(res("pods"), "scale", Verb::Get, "x")), Some(404));
        assert_eq!(code(route(res("pods"), "status", Verb::Update, "")), Some(404));
        assert_eq!(
            route(res("pods"), "nope", Verb::Get, "x").unwrap_err().message,
            "the server could not find the requested resource"
        );
    }

    /// podStatusStrategy / deploymentStatusStrategy `PrepareForUpdate`.
    #[test]
    fn a_status_update_keeps_the_spec() {
        let current = json!({"metadata": {"name": "d", "labels": {"a": "1"}}, "spec": {"replicas": 3}, "status": {}});
        let body = json!({"metadata": {"name": "d", "labels": {"a": "2"}}, "spec": {"replicas": 9}, "status": {"replicas": 3}});
        let d = status_update(res("deployments"), &current, body.clone());
        assert_eq!((d["spec"]["replicas"].clone(), d["status"]["replicas"].clone()), (json!(3), json!(3)));
        assert_eq!(object::label(&d, "a"), Some("1"), "a Deployment's labels are kept too");
        let rs = status_update(res("replicasets"), &current, body);
        assert_eq!(object::label(&rs, "a"), Some("2"), "a ReplicaSet's labels may change through status");
    }

    #[test]
    fn scales_show_the_selector_as_a_string() {
        let d = json!({"metadata": {"name": "web", "namespace": "default", "uid": "u", "resourceVersion": "7"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"tier": "fe", "app": "web"},
                "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}]}},
            "status": {"replicas": 2}});
        let s = scale_of(&d);
        assert_eq!(s["status"]["selector"], json!("app=web,env in (dev,prod),tier=fe"));
        assert_eq!((s["spec"]["replicas"].clone(), s["status"]["replicas"].clone()), (json!(3), json!(2)));
        assert_eq!(s["metadata"]["resourceVersion"], json!("7"));
        let new = apply_scale(res("deployments"), &d, &json!({"spec": {"replicas": 5}})).expect("valid");
        assert_eq!(new["spec"]["replicas"], json!(5));
        let bad = apply_scale(res("deployments"), &d, &json!({"spec": {"replicas": -1}})).unwrap_err();
        assert_eq!(
            bad.kubectl_line(),
            "The Scale \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        let other = apply_scale(res("deployments"), &d, &json!({"metadata": {"uid": "v"}, "spec": {"replicas": 1}}));
        assert_eq!(
            other.unwrap_err().message,
            "Operation cannot be fulfilled on deployments/scale.apps \"web\": Precondition failed: UID in precondition: v, UID in object meta: u"
        );
    }

    /// BindingREST: `spec.nodeName` and PodScheduled; a second binding is a 409 with the
    /// registry's message.
    #[test]
    fn binding_assigns_a_node_once() {
        let pod = json!({"metadata": {"name": "x", "uid": "u"}, "spec": {}, "status": {"phase": "Pending"}});
        let b = json!({"metadata": {"name": "x", "uid": "u"}, "target": {"kind": "Node", "name": "worker"}});
        let bound = bind(&pod, &b, "/registry/pods/default/x", object::EPOCH_UNIX_S).expect("binds");
        assert_eq!(object::str_at(&bound, "/spec/nodeName"), "worker");
        assert_eq!(bound["status"]["conditions"][0]["type"], json!("PodScheduled"));
        assert_eq!(bound["status"]["conditions"][0]["status"], json!("True"));
        let again = bind(&bound, &b, "/registry/pods/default/x", object::EPOCH_UNIX_S).unwrap_err();
        assert_eq!(
            again.kubectl_line(),
            "Error from server (Conflict): Operation cannot be fulfilled on pods/binding \"x\": pod x is already assigned to node \"worker\""
        );
        let stale = json!({"metadata": {"name": "x", "uid": "old"}, "target": {"name": "worker"}});
        assert_eq!(
            bind(&pod, &stale, "/registry/pods/default/x", 0).unwrap_err().message,
            "Operation cannot be fulfilled on pods \"x\": StorageError: invalid object, Code: 4, Key: /registry/pods/default/x, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: old, UID in object meta: u"
        );
        assert_eq!(validate_binding(&b, "y").unwrap_err().code, 400);
        let no_target = json!({"metadata": {"name": "x"}, "target": {"kind": "Pod"}});
        let e = validate_binding(&no_target, "x").unwrap_err();
        assert_eq!(e.code, 500);
        assert_eq!(
            e.message,
            "[target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\", target.name: Required value]"
        );
    }

    #[test]
    fn eviction_options_come_from_the_eviction() {
        let e = json!({"metadata": {"name": "x"}, "deleteOptions": {"gracePeriodSeconds": 5, "preconditions": {"uid": "u"}}});
        let o = eviction_options(&e, &DeleteOptions::default());
        assert_eq!((o.grace_period_s, o.uid.as_deref()), (Some(5), Some("u")));
        assert_eq!(
            validate_eviction(&e, "y").unwrap_err().message,
            "name in URL does not match name in Eviction object"
        );
    }
}
