//! Defaulting (the API's `SetDefaults_*` functions, run when a request body is decoded, before
//! admission) and what the registry sets on create (uid, creationTimestamp, generation), for the
//! kinds the lab creates. Sources: KK `pkg/apis/core/v1/defaults.go`, `pkg/apis/apps/v1/defaults.go`.

use serde_json::{json, Map, Value};

use super::object::{self, Object};
use crate::k8s::resources::ApiResource;

/// Fills what the API server fills on create: uid, creationTimestamp, generation (for kinds
/// with a spec the controllers track), and the type defaults below.
pub fn on_create(resource: &ApiResource, obj: &mut Object, namespace: &str, uid_material: &str, now_unix_s: u64) {
    let meta = object::metadata_mut(obj);
    if resource.namespaced && !namespace.is_empty() {
        meta.insert("namespace".into(), Value::String(namespace.to_string()));
    } else if !resource.namespaced {
        meta.remove("namespace");
    }
    meta.insert("uid".into(), Value::String(object::uid(uid_material)));
    meta.insert("creationTimestamp".into(), Value::String(object::rfc3339(now_unix_s)));
    meta.remove("resourceVersion");
    // rest.BeforeCreate: nothing is created already being deleted.
    meta.remove("deletionTimestamp");
    meta.remove("deletionGracePeriodSeconds");
    if matches!(resource.name, "deployments" | "replicasets" | "daemonsets" | "statefulsets") {
        meta.insert("generation".into(), json!(1));
    }
    apply(resource, obj);
}

fn map<'a>(obj: &'a mut Object, key: &str) -> &'a mut Map<String, Value> {
    let m = obj.as_object_mut().expect("objects are maps");
    let v = m.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    v.as_object_mut().expect("made a map above")
}

/// `obj.spec` as an object (made one if missing), to take maps from.
fn spec_value(obj: &mut Object) -> &mut Object {
    map(obj, "spec");
    obj.get_mut("spec").expect("made above")
}

fn default(m: &mut Map<String, Value>, key: &str, v: Value) {
    m.entry(key).or_insert(v);
}

/// `IfNotPresent`, unless the image is `:latest` or has no tag (`Always`).
fn pull_policy(image: &str) -> &'static str {
    let last = image.rsplit('/').next().unwrap_or(image);
    let tag = last.split_once('@').map_or(last, |(n, _)| n).split_once(':').map(|(_, t)| t);
    if image.contains('@') {
        "IfNotPresent"
    } else {
        match tag {
            None | Some("latest") => "Always",
            Some(_) => "IfNotPresent",
        }
    }
}

fn pod_spec_defaults(spec: &mut Map<String, Value>) {
    default(spec, "restartPolicy", json!("Always"));
    default(spec, "dnsPolicy", json!("ClusterFirst"));
    default(spec, "terminationGracePeriodSeconds", json!(30));
    default(spec, "schedulerName", json!("default-scheduler"));
    default(spec, "securityContext", json!({}));
    default(spec, "enableServiceLinks", json!(true));
    default(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
    if let Some(containers) = spec.get_mut("containers").and_then(Value::as_array_mut) {
        for c in containers.iter_mut().filter_map(Value::as_object_mut) {
            let image = c.get("image").and_then(Value::as_str).unwrap_or("").to_string();
            default(c, "imagePullPolicy", json!(pull_policy(&image)));
            default(c, "terminationMessagePath", json!("/dev/termination-log"));
            default(c, "terminationMessagePolicy", json!("File"));
            default(c, "resources", json!({}));
            // SetDefaults_ContainerPort.
            if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
                for p in ports.iter_mut().filter_map(Value::as_object_mut) {
                    default(p, "protocol", json!("TCP"));
                }
            }
        }
    }
}

/// The type's defaults (`SetObjectDefaults_*`), for the kinds the lab's users create.
pub fn apply(resource: &ApiResource, obj: &mut Object) {
    match resource.name {
        "pods" => {
            pod_spec_defaults(map(obj, "spec"));
            let status = map(obj, "status");
            default(status, "phase", json!("Pending"));
            default(status, "qosClass", json!("BestEffort"));
        }
        "deployments" => {
            let spec = map(obj, "spec");
            default(spec, "replicas", json!(1));
            default(spec, "revisionHistoryLimit", json!(10));
            default(spec, "progressDeadlineSeconds", json!(600));
            // SetDefaults_Deployment: the type, then (for RollingUpdate) each missing bound —
            // `kubectl create deployment` sends `strategy: {}`, which gets all three.
            let strategy = map(spec_value(obj), "strategy");
            default(strategy, "type", json!("RollingUpdate"));
            if strategy.get("type") == Some(&json!("RollingUpdate")) {
                let rolling = strategy.entry("rollingUpdate").or_insert_with(|| json!({}));
                if let Some(r) = rolling.as_object_mut() {
                    default(r, "maxUnavailable", json!("25%"));
                    default(r, "maxSurge", json!("25%"));
                }
            }
            let spec = map(obj, "spec");
            if let Some(t) = spec.get_mut("template").and_then(|t| t.get_mut("spec")).and_then(Value::as_object_mut) {
                pod_spec_defaults(t);
            }
            map(obj, "status");
        }
        "replicasets" => {
            let spec = map(obj, "spec");
            default(spec, "replicas", json!(1));
            if let Some(t) = spec.get_mut("template").and_then(|t| t.get_mut("spec")).and_then(Value::as_object_mut) {
                pod_spec_defaults(t);
            }
        }
        "namespaces" => {
            let name = object::name(obj).to_string();
            let labels = object::metadata_mut(obj).entry("labels").or_insert_with(|| json!({}));
            if let Some(l) = labels.as_object_mut() {
                // Added by the API server since v1.22 (NamespaceDefaultLabelName).
                l.insert("kubernetes.io/metadata.name".into(), Value::String(name));
            }
            default(map(obj, "spec"), "finalizers", json!(["kubernetes"]));
            default(map(obj, "status"), "phase", json!("Active"));
        }
        "services" => {
            let spec = map(obj, "spec");
            default(spec, "type", json!("ClusterIP"));
            default(spec, "sessionAffinity", json!("None"));
            default(spec, "ipFamilies", json!(["IPv4"]));
            default(spec, "ipFamilyPolicy", json!("SingleStack"));
            default(spec, "internalTrafficPolicy", json!("Cluster"));
        }
        "secrets" => {
            default(obj.as_object_mut().expect("map"), "type", json!("Opaque"));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::resources::resolve;

    #[test]
    fn a_created_pod_gets_the_api_defaults() {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "web", "image": "nginx"}, {"name": "side", "image": "busybox:1.36"}]}});
        on_create(resolve("pods").expect("pods"), &mut pod, "default", "1", object::EPOCH_UNIX_S);
        assert_eq!(object::namespace(&pod), "default");
        assert_eq!(object::str_at(&pod, "/metadata/creationTimestamp"), "2026-11-27T09:00:00Z");
        assert_eq!(object::str_at(&pod, "/spec/containers/0/imagePullPolicy"), "Always");
        assert_eq!(object::str_at(&pod, "/spec/containers/1/imagePullPolicy"), "IfNotPresent");
        assert_eq!(object::str_at(&pod, "/status/phase"), "Pending");
        assert_eq!(pod.pointer("/spec/terminationGracePeriodSeconds"), Some(&json!(30)));
    }

    #[test]
    fn a_namespace_gets_its_name_label_and_finalizer() {
        let mut ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev2"}});
        on_create(resolve("ns").expect("ns"), &mut ns, "", "1", object::EPOCH_UNIX_S);
        assert_eq!(object::label(&ns, "kubernetes.io/metadata.name"), Some("dev2"));
        assert_eq!(object::str_at(&ns, "/status/phase"), "Active");
        assert_eq!(object::namespace(&ns), "");
    }
}
