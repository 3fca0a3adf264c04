//! The RBAC objects as the API stores them: conversions between the authorizer's typed structs
//! (`k8s::rbac`) and `rbac.authorization.k8s.io/v1` JSON objects, and the authorizer's store built
//! from what the API server's informers hold.
//!
//! The JSON follows the v1 types (KK `staging/src/k8s.io/api/rbac/v1/types.go`): a rule's `verbs`
//! is always written, `apiGroups`/`resources`/`resourceNames`/`nonResourceURLs` are `omitempty`;
//! `roleRef` always carries `apiGroup: rbac.authorization.k8s.io`; subjects carry the apiGroup the
//! API's defaulting gives them (KK `pkg/apis/rbac/v1/defaults.go` `SetDefaults_Subject`:
//! `rbac.authorization.k8s.io` for User and Group, `""` — hence omitted — for ServiceAccount) and
//! `namespace` only when set. Reading back ignores what the authorizer does not use (labels,
//! `aggregationRule`), so typed → JSON → typed is the identity.

use serde_json::{json, Map, Value};

use super::object::{self, Object};
use super::Informers;
use crate::k8s::rbac::{
    ClusterRole, ClusterRoleBinding, PolicyRule, RbacStore, Role, RoleBinding, RoleKind, RoleRef, Subject, SubjectKind,
};

/// The API group (and, with `/v1`, the apiVersion) of every RBAC object.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
pub const RBAC_API_VERSION: &str = "rbac.authorization.k8s.io/v1";

fn strings(list: &[String]) -> Value {
    Value::Array(list.iter().map(|s| Value::String(s.clone())).collect())
}

/// Reads a list of strings; a missing field is an empty list, anything else malformed is `None`.
fn read_strings(v: Option<&Value>) -> Option<Vec<String>> {
    match v {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(|i| i.as_str().map(str::to_string)).collect(),
        Some(_) => None,
    }
}

pub fn rule_to_json(rule: &PolicyRule) -> Value {
    let mut m = Map::new();
    m.insert("verbs".into(), strings(&rule.verbs));
    for (key, list) in [
        ("apiGroups", &rule.api_groups),
        ("resources", &rule.resources),
        ("resourceNames", &rule.resource_names),
        ("nonResourceURLs", &rule.non_resource_urls),
    ] {
        if !list.is_empty() {
            m.insert(key.into(), strings(list));
        }
    }
    Value::Object(m)
}

pub fn rule_from_json(v: &Value) -> Option<PolicyRule> {
    Some(PolicyRule {
        verbs: read_strings(v.get("verbs"))?,
        api_groups: read_strings(v.get("apiGroups"))?,
        resources: read_strings(v.get("resources"))?,
        resource_names: read_strings(v.get("resourceNames"))?,
        non_resource_urls: read_strings(v.get("nonResourceURLs"))?,
    })
}

fn rules_to_json(rules: &[PolicyRule]) -> Value {
    Value::Array(rules.iter().map(rule_to_json).collect())
}

fn rules_from(obj: &Object) -> Option<Vec<PolicyRule>> {
    match obj.get("rules") {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(rules)) => rules.iter().map(rule_from_json).collect(),
        Some(_) => None,
    }
}

pub fn subject_to_json(s: &Subject) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), json!(s.kind.as_str()));
    m.insert("name".into(), json!(s.name));
    if s.kind != SubjectKind::ServiceAccount {
        m.insert("apiGroup".into(), json!(RBAC_GROUP));
    }
    if let Some(ns) = &s.namespace {
        m.insert("namespace".into(), json!(ns));
    }
    Value::Object(m)
}

pub fn subject_from_json(v: &Value) -> Option<Subject> {
    let kind = match v.get("kind")?.as_str()? {
        "User" => SubjectKind::User,
        "Group" => SubjectKind::Group,
        "ServiceAccount" => SubjectKind::ServiceAccount,
        _ => return None,
    };
    let name = v.get("name")?.as_str()?.to_string();
    let namespace = v.get("namespace").and_then(Value::as_str).filter(|ns| !ns.is_empty()).map(str::to_string);
    Some(Subject { kind, name, namespace })
}

pub fn role_ref_to_json(r: &RoleRef) -> Value {
    json!({"apiGroup": RBAC_GROUP, "kind": r.kind.as_str(), "name": r.name})
}

pub fn role_ref_from_json(v: &Value) -> Option<RoleRef> {
    let kind = match v.get("kind")?.as_str()? {
        "Role" => RoleKind::Role,
        "ClusterRole" => RoleKind::ClusterRole,
        _ => return None,
    };
    Some(RoleRef { kind, name: v.get("name")?.as_str()?.to_string() })
}

fn subjects_to_json(subjects: &[Subject]) -> Option<Value> {
    (!subjects.is_empty()).then(|| Value::Array(subjects.iter().map(subject_to_json).collect()))
}

fn subjects_from(obj: &Object) -> Option<Vec<Subject>> {
    match obj.get("subjects") {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(list)) => list.iter().map(subject_from_json).collect(),
        Some(_) => None,
    }
}

/// `metadata` of an RBAC object: name, namespace (namespaced kinds only), a UID derived from the
/// object's resource and name, and its creation time. No resourceVersion: etcd supplies it.
fn metadata(resource: &str, namespace: &str, name: &str, created_unix_s: u64) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    if !namespace.is_empty() {
        m.insert("namespace".into(), json!(namespace));
    }
    m.insert("uid".into(), json!(object::uid(&format!("{resource}/{namespace}/{name}"))));
    m.insert("creationTimestamp".into(), json!(object::rfc3339(created_unix_s)));
    Value::Object(m)
}

fn with_kind<'a>(obj: &'a Object, kind: &str) -> Option<&'a Object> {
    (object::kind(obj) == kind && !object::name(obj).is_empty()).then_some(obj)
}

pub fn role_to_object(role: &Role, created_unix_s: u64) -> Object {
    json!({
        "apiVersion": RBAC_API_VERSION,
        "kind": "Role",
        "metadata": metadata("roles", &role.namespace, &role.name, created_unix_s),
        "rules": rules_to_json(&role.rules),
    })
}

pub fn object_to_role(obj: &Object) -> Option<Role> {
    let obj = with_kind(obj, "Role")?;
    Some(Role {
        namespace: object::namespace(obj).to_string(),
        name: object::name(obj).to_string(),
        rules: rules_from(obj)?,
    })
}

pub fn cluster_role_to_object(role: &ClusterRole, created_unix_s: u64) -> Object {
    json!({
        "apiVersion": RBAC_API_VERSION,
        "kind": "ClusterRole",
        "metadata": metadata("clusterroles", "", &role.name, created_unix_s),
        "rules": rules_to_json(&role.rules),
    })
}

pub fn object_to_cluster_role(obj: &Object) -> Option<ClusterRole> {
    let obj = with_kind(obj, "ClusterRole")?;
    Some(ClusterRole { name: object::name(obj).to_string(), rules: rules_from(obj)? })
}

pub fn role_binding_to_object(b: &RoleBinding, created_unix_s: u64) -> Object {
    let mut obj = json!({
        "apiVersion": RBAC_API_VERSION,
        "kind": "RoleBinding",
        "metadata": metadata("rolebindings", &b.namespace, &b.name, created_unix_s),
        "roleRef": role_ref_to_json(&b.role_ref),
    });
    if let (Some(subjects), Some(m)) = (subjects_to_json(&b.subjects), obj.as_object_mut()) {
        m.insert("subjects".into(), subjects);
    }
    obj
}

pub fn object_to_role_binding(obj: &Object) -> Option<RoleBinding> {
    let obj = with_kind(obj, "RoleBinding")?;
    Some(RoleBinding {
        namespace: object::namespace(obj).to_string(),
        name: object::name(obj).to_string(),
        role_ref: role_ref_from_json(obj.get("roleRef")?)?,
        subjects: subjects_from(obj)?,
    })
}

pub fn cluster_role_binding_to_object(b: &ClusterRoleBinding, created_unix_s: u64) -> Object {
    let mut obj = json!({
        "apiVersion": RBAC_API_VERSION,
        "kind": "ClusterRoleBinding",
        "metadata": metadata("clusterrolebindings", "", &b.name, created_unix_s),
        "roleRef": role_ref_to_json(&b.role_ref),
    });
    if let (Some(subjects), Some(m)) = (subjects_to_json(&b.subjects), obj.as_object_mut()) {
        m.insert("subjects".into(), subjects);
    }
    obj
}

pub fn object_to_cluster_role_binding(obj: &Object) -> Option<ClusterRoleBinding> {
    let obj = with_kind(obj, "ClusterRoleBinding")?;
    Some(ClusterRoleBinding {
        name: object::name(obj).to_string(),
        role_ref: role_ref_from_json(obj.get("roleRef")?)?,
        subjects: subjects_from(obj)?,
    })
}

/// The authorizer's store from the four RBAC resources an API server's informers hold (the RBAC
/// authorizer reads the same shared informers). Objects that do not parse are skipped, as the
/// API server would never have stored them.
pub fn rbac_store_from(informers: &(impl Informers + ?Sized)) -> RbacStore {
    let mut store = RbacStore::new();
    for obj in informers.list("roles", "") {
        if let Some(r) = object_to_role(obj) {
            store.put_role(r);
        }
    }
    for obj in informers.list("clusterroles", "") {
        if let Some(r) = object_to_cluster_role(obj) {
            store.put_cluster_role(r);
        }
    }
    for obj in informers.list("rolebindings", "") {
        if let Some(b) = object_to_role_binding(obj) {
            store.put_role_binding(b);
        }
    }
    for obj in informers.list("clusterrolebindings", "") {
        if let Some(b) = object_to_cluster_role_binding(obj) {
            store.put_cluster_role_binding(b);
        }
    }
    store
}

/// Every object of `store` as (resource, object), in etcd key order per resource — what the
/// authorizer's store looks like when written to the API.
pub fn store_to_objects(store: &RbacStore, created_unix_s: u64) -> Vec<(&'static str, Object)> {
    let mut out: Vec<(&'static str, Object)> = Vec::new();
    out.extend(store.cluster_roles.values().map(|r| ("clusterroles", cluster_role_to_object(r, created_unix_s))));
    out.extend(
        store
            .cluster_role_bindings
            .values()
            .map(|b| ("clusterrolebindings", cluster_role_binding_to_object(b, created_unix_s))),
    );
    out.extend(store.roles.values().map(|r| ("roles", role_to_object(r, created_unix_s))));
    out.extend(store.role_bindings.values().map(|b| ("rolebindings", role_binding_to_object(b, created_unix_s))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::ObjectSet;
    use crate::k8s::kubeconfig::lab_policy;

    const T: u64 = object::EPOCH_UNIX_S;

    #[test]
    fn rules_omit_empty_lists_but_always_write_verbs() {
        let r = PolicyRule::resource(&["get"], &[""], &["pods"]);
        assert_eq!(rule_to_json(&r), json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}));
        let u = PolicyRule::urls(&["get"], &["/healthz"]);
        assert_eq!(rule_to_json(&u), json!({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}));
        assert_eq!(rule_to_json(&PolicyRule::default()), json!({"verbs": []}));
        let named = PolicyRule::resource(&["get"], &[""], &["configmaps"]).named(&["cluster-info"]);
        assert_eq!(rule_from_json(&rule_to_json(&named)), Some(named));
        assert_eq!(rule_from_json(&json!({"verbs": "get"})), None);
    }

    #[test]
    fn subjects_carry_the_defaulted_api_group_or_the_namespace() {
        assert_eq!(
            subject_to_json(&Subject::user("jane")),
            json!({"kind": "User", "name": "jane", "apiGroup": RBAC_GROUP})
        );
        assert_eq!(
            subject_to_json(&Subject::group("system:masters")),
            json!({"kind": "Group", "name": "system:masters", "apiGroup": RBAC_GROUP})
        );
        assert_eq!(
            subject_to_json(&Subject::service_account("default", "ci")),
            json!({"kind": "ServiceAccount", "name": "ci", "namespace": "default"})
        );
        assert_eq!(subject_from_json(&json!({"kind": "Robot", "name": "x"})), None);
    }

    #[test]
    fn bindings_round_trip_and_write_the_role_ref() {
        let b = RoleBinding {
            namespace: "dev".into(),
            name: "developer-edit".into(),
            role_ref: RoleRef::cluster_role("edit"),
            subjects: vec![Subject::user("developer")],
        };
        let obj = role_binding_to_object(&b, T);
        assert_eq!(obj["roleRef"], json!({"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "edit"}));
        assert_eq!(obj["metadata"]["namespace"], "dev");
        assert_eq!(obj["metadata"]["creationTimestamp"], "2026-11-27T09:00:00Z");
        assert!(obj["metadata"].get("resourceVersion").is_none());
        assert_eq!(object_to_role_binding(&obj), Some(b));
        // A binding of the wrong kind, or with a broken roleRef, is not a RoleBinding.
        assert_eq!(object_to_cluster_role_binding(&obj), None);
        let mut broken = obj.clone();
        broken["roleRef"]["kind"] = json!("Secret");
        assert_eq!(object_to_role_binding(&broken), None);
        let empty = ClusterRoleBinding { name: "x".into(), role_ref: RoleRef::cluster_role("view"), subjects: vec![] };
        let obj = cluster_role_binding_to_object(&empty, T);
        assert!(obj.get("subjects").is_none(), "subjects is omitempty");
        assert_eq!(object_to_cluster_role_binding(&obj), Some(empty));
    }

    /// typed → JSON → informers → typed gives back exactly the lab's policy.
    #[test]
    fn the_lab_policy_round_trips_through_objects() {
        let policy = lab_policy();
        let mut set = ObjectSet::new();
        for (resource, obj) in store_to_objects(&policy, T) {
            set.insert(resource, obj);
        }
        assert_eq!(rbac_store_from(&set), policy);
        let role = Role {
            namespace: "kube-system".into(),
            name: "kube-proxy".into(),
            rules: vec![PolicyRule::resource(&["get"], &[""], &["configmaps"]).named(&["kube-proxy"])],
        };
        set.insert("roles", role_to_object(&role, T));
        assert_eq!(rbac_store_from(&set).role("kube-system", "kube-proxy"), Some(&role));
    }
}
