//! kube-apiserver's Node authorizer, the first of kind's `--authorization-mode=Node,RBAC`
//! (KW `reference/access-authn-authz/node.md`; KK `plugin/pkg/auth/authorizer/node/node_authorizer.go`,
//! `pkg/auth/nodeidentifier/default.go`, `staging/src/k8s.io/apiserver/pkg/authorization/union/union.go`).
//!
//! A kubelet authenticates with a client certificate `CN=system:node:<node>, O=system:nodes`.
//! The Node authorizer has an opinion only on such users: secrets and config maps it may read only
//! when a pod bound to its node uses them (the authorizer's graph), service account tokens only
//! for service accounts of its pods, node leases only its own (in `kube-node-lease`); everything
//! else is the static `system:node` rules (`bootstrappolicy.NodeRules`, [`rbac_defaults::node_rules`]).
//! What those rules allow broadly (update any Node, delete any pod), the NodeRestriction admission
//! plugin narrows to the kubelet's own node. Without an opinion, RBAC decides; the 403 then carries
//! both authorizers' reasons.
//!
//! Simplified: the graph is computed from the API server's watch cache on each request (the real
//! authorizer keeps it up to date from informers) and knows pods → secrets, config maps and service
//! accounts; the lab has no persistent volumes, volume attachments, CSI nodes or resource claims, so
//! requests for those find no relationship.

use serde_json::Value;

use super::rbac::{self, Attributes, Decision, PolicyRule, RbacStore, UserInfo};
use super::rbac_defaults;
use crate::apiserver::object;
use crate::apiserver::Informers;
use crate::i18n::Text;

/// The group every kubelet's certificate names (`user.NodesGroup`).
pub const NODES_GROUP: &str = "system:nodes";
/// The prefix of a kubelet's user name.
pub const NODE_USER_PREFIX: &str = "system:node:";
/// Where node leases live (`api.NamespaceNodeLease`).
pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";

/// `nodeidentifier.NodeIdentity`: the node a user is the kubelet of — its name must start with
/// `system:node:` and it must be in `system:nodes`. `Some("")` is a node whose name is empty.
pub fn node_identity(user: &UserInfo) -> Option<&str> {
    let node = user.name.strip_prefix(NODE_USER_PREFIX)?;
    user.groups.iter().any(|g| g == NODES_GROUP).then_some(node)
}

/// The Node authorizer's answer: `None` for users that are not kubelets (no opinion, no reason);
/// `Some(Ok(()))` allowed; `Some(Err(reason))` no opinion, with why.
pub fn decide(a: &Attributes, informers: &dyn Informers) -> Option<Result<(), String>> {
    let node = node_identity(&a.user)?;
    if node.is_empty() {
        return Some(Err(format!("unknown node for user \"{}\"", a.user.name)));
    }
    if a.is_resource_request() {
        match (a.api_group.as_str(), a.resource.as_str()) {
            ("", "secrets") => return Some(read_namespaced(node, "secrets", a, informers)),
            ("", "configmaps") => return Some(read_namespaced(node, "configmaps", a, informers)),
            ("", "persistentvolumeclaims") | ("", "persistentvolumes") | ("storage.k8s.io", "volumeattachments") => {
                return Some(Err(no_relationship(node)));
            }
            ("", "serviceaccounts") => return Some(create_token(node, a, informers)),
            ("coordination.k8s.io", "leases") => return Some(lease(node, a)),
            _ => {}
        }
    }
    if node_rules_allow(a) {
        Some(Ok(()))
    } else {
        Some(Err(String::new()))
    }
}

fn node_rules_allow(a: &Attributes) -> bool {
    thread_local! {
        static RULES: Vec<PolicyRule> = rbac_defaults::node_rules();
    }
    RULES.with(|rules| rules.iter().any(|r| r.allows(a)))
}

fn no_relationship(node: &str) -> String {
    format!("no relationship found between node '{node}' and this object")
}

/// `authorizeReadNamespacedObject`: get/list/watch of one named object that a pod on the node uses.
fn read_namespaced(node: &str, resource: &str, a: &Attributes, informers: &dyn Informers) -> Result<(), String> {
    if !matches!(a.verb.as_str(), "get" | "list" | "watch") {
        return Err("can only read resources of this type".into());
    }
    if !a.subresource.is_empty() {
        return Err("cannot read subresource".into());
    }
    let Some(ns) = a.namespace.as_deref().filter(|n| !n.is_empty()) else {
        return Err("can only read namespaced object of this type".into());
    };
    let Some(name) = a.name.as_deref().filter(|n| !n.is_empty()) else {
        return Err("No Object name found".into());
    };
    let used = pods_on(node, ns, informers).any(|p| references(p, resource).iter().any(|r| r == name));
    if used {
        Ok(())
    } else {
        Err(no_relationship(node))
    }
}

/// `authorizeCreateToken`: a token for a service account one of the node's pods runs as.
fn create_token(node: &str, a: &Attributes, informers: &dyn Informers) -> Result<(), String> {
    let name = a.name.as_deref().unwrap_or("");
    if a.verb != "create" || name.is_empty() {
        return Err("can only create tokens for individual service accounts".into());
    }
    if a.subresource != "token" {
        return Err("can only create token subresource of serviceaccount".into());
    }
    let ns = a.namespace.as_deref().unwrap_or("");
    let used = pods_on(node, ns, informers).any(|p| {
        let sa = object::str_at(p, "/spec/serviceAccountName");
        (if sa.is_empty() { "default" } else { sa }) == name
    });
    if used {
        Ok(())
    } else {
        Err(no_relationship(node))
    }
}

/// `authorizeLease`: the node's own Lease in `kube-node-lease` (any name on create: the name is
/// not known yet; NodeRestriction checks it).
fn lease(node: &str, a: &Attributes) -> Result<(), String> {
    if !matches!(a.verb.as_str(), "get" | "create" | "update" | "patch" | "delete") {
        return Err("can only get, create, update, patch, or delete a node lease".into());
    }
    if a.namespace.as_deref() != Some(NODE_LEASE_NAMESPACE) {
        return Err(format!("can only access leases in the \"{NODE_LEASE_NAMESPACE}\" system namespace"));
    }
    if a.verb != "create" && a.name.as_deref() != Some(node) {
        return Err("can only access node lease with the same name as the requesting node".into());
    }
    Ok(())
}

/// The pods bound to `node` in `namespace`.
fn pods_on<'a>(node: &'a str, namespace: &str, informers: &'a dyn Informers) -> impl Iterator<Item = &'a Value> + 'a {
    informers.list("pods", namespace).into_iter().filter(move |p| object::str_at(p, "/spec/nodeName") == node)
}

/// The secrets or config maps a pod uses (`podutil.VisitPodSecretNames` /
/// `VisitPodConfigmapNames`): volumes, projected volume sources, env and envFrom of every
/// container, and (secrets) imagePullSecrets.
pub fn references(pod: &Value, resource: &str) -> Vec<String> {
    let secret = resource == "secrets";
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: Option<&Value>| {
        if let Some(n) = v.and_then(Value::as_str).filter(|n| !n.is_empty()) {
            if !out.iter().any(|o| o == n) {
                out.push(n.to_string());
            }
        }
    };
    let list = |v: &Value, k: &str| v.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let spec = pod.get("spec").cloned().unwrap_or(Value::Null);
    if secret {
        for s in list(&spec, "imagePullSecrets") {
            add(s.get("name"));
        }
    }
    for v in list(&spec, "volumes") {
        if secret {
            add(v.pointer("/secret/secretName"));
        } else {
            add(v.pointer("/configMap/name"));
        }
        for src in v.pointer("/projected/sources").and_then(Value::as_array).cloned().unwrap_or_default() {
            add(src.pointer(if secret { "/secret/name" } else { "/configMap/name" }));
        }
    }
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        for c in list(&spec, key) {
            for e in list(&c, "env") {
                add(e.pointer(if secret { "/valueFrom/secretKeyRef/name" } else { "/valueFrom/configMapKeyRef/name" }));
            }
            for e in list(&c, "envFrom") {
                add(e.pointer(if secret { "/secretRef/name" } else { "/configMapRef/name" }));
            }
        }
    }
    out
}

/// The union of the Node and RBAC authorizers, in that order: the first to allow decides;
/// otherwise the reasons of both (non-empty ones, joined by newlines) go into the 403.
pub fn authorize(rbac_store: &RbacStore, informers: &dyn Informers, a: &Attributes) -> Decision {
    let node = decide(a, informers);
    if let Some(Ok(())) = node {
        let who = node_identity(&a.user).unwrap_or("");
        return Decision {
            allowed: true,
            reason: format!("Node: allowed for the kubelet of node \"{who}\""),
            source: None,
            explain: Text::new(
                format!("Node 인가 허용: 노드 \"{who}\"의 kubelet"),
                format!("Node authorizer allowed: the kubelet of node \"{who}\""),
            ),
        };
    }
    let mut d = rbac::authorize(rbac_store, a);
    if d.allowed {
        return d;
    }
    if let Some(Err(why)) = node.filter(|r| r.as_ref().is_err_and(|w| !w.is_empty())) {
        d.reason = if d.reason.is_empty() { why.clone() } else { format!("{why}\n{}", d.reason) };
        d.explain.ko.push_str(&format!(" — Node 인가: {why}"));
        d.explain.en.push_str(&format!(" — Node authorizer: {why}"));
    }
    d
}

/// `kubectl auth can-i` against both authorizers (`yes`, `no`, or `no - <reason>`).
pub fn can_i(rbac_store: &RbacStore, informers: &dyn Informers, a: &Attributes) -> String {
    let d = authorize(rbac_store, informers, a);
    match (d.allowed, d.reason.is_empty()) {
        (true, _) => "yes".to_string(),
        (false, true) => "no".to_string(),
        (false, false) => format!("no - {}", d.reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::ObjectSet;
    use serde_json::json;

    fn kubelet(node: &str) -> UserInfo {
        UserInfo::authenticated(&format!("system:node:{node}"), &[NODES_GROUP])
    }

    fn cluster() -> ObjectSet {
        let mut s = ObjectSet::new();
        s.insert(
            "pods",
            json!({"metadata": {"name": "web", "namespace": "default"},
                "spec": {"nodeName": "worker", "serviceAccountName": "web-sa",
                    "volumes": [{"name": "cfg", "configMap": {"name": "web-config"}},
                        {"name": "api", "projected": {"sources": [{"configMap": {"name": "kube-root-ca.crt"}}]}}],
                    "containers": [{"name": "web", "env": [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "db-pass", "key": "p"}}}]}]}}),
        );
        s
    }

    fn ask(user: &UserInfo, verb: &str, group: &str, resource: &str, ns: &str, name: &str) -> Attributes {
        let mut a = Attributes::resource(user, verb, group, resource);
        if !ns.is_empty() {
            a = a.in_namespace(ns);
        }
        if !name.is_empty() {
            a = a.named(name);
        }
        a
    }

    /// KW node.md: a kubelet may read the secrets and config maps of pods bound to its node, and
    /// no others.
    #[test]
    fn kubelets_read_only_what_their_pods_use() {
        let s = cluster();
        let store = RbacStore::new();
        let w = kubelet("worker");
        let allowed = |a: &Attributes| authorize(&store, &s, a).allowed;
        assert!(allowed(&ask(&w, "get", "", "configmaps", "default", "web-config")));
        assert!(allowed(&ask(&w, "get", "", "configmaps", "default", "kube-root-ca.crt")));
        assert!(allowed(&ask(&w, "get", "", "secrets", "default", "db-pass")));
        assert!(!allowed(&ask(&w, "get", "", "secrets", "default", "other")));
        assert!(!allowed(&ask(&w, "list", "", "secrets", "default", "")));
        let w2 = kubelet("worker2");
        let d = authorize(&store, &s, &ask(&w2, "get", "", "secrets", "default", "db-pass"));
        assert!(!d.allowed);
        assert_eq!(d.reason, "no relationship found between node 'worker2' and this object");
        assert_eq!(
            rbac::forbidden_message(&ask(&w2, "get", "", "secrets", "default", "db-pass"), &d.reason),
            "secrets \"db-pass\" is forbidden: User \"system:node:worker2\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\": no relationship found between node 'worker2' and this object"
        );
        let token = ask(&w, "create", "", "serviceaccounts", "default", "web-sa").subresource("token");
        assert!(allowed(&token));
        assert!(!allowed(&ask(&w2, "create", "", "serviceaccounts", "default", "web-sa").subresource("token")));
    }

    /// The kubelet's own writes (KK `bootstrappolicy.NodeRules`; node_authorizer.go
    /// `authorizeLease`): its Node and node status, pod status and pod deletion, events, its own
    /// Lease — narrowed further by NodeRestriction.
    #[test]
    fn kubelets_may_do_their_jobs() {
        let s = cluster();
        let store = RbacStore::new();
        let w = kubelet("worker");
        let ok = |a: Attributes| authorize(&store, &s, &a).allowed;
        for (verb, resource, sub, ns, name) in [
            ("get", "nodes", "", "", "worker"),
            ("list", "nodes", "", "", ""),
            ("watch", "pods", "", "", ""),
            ("patch", "nodes", "status", "", "worker"),
            ("update", "nodes", "", "", "worker"),
            ("update", "pods", "status", "default", "web"),
            ("delete", "pods", "", "default", "web"),
            ("create", "pods", "eviction", "default", "web"),
            ("create", "events", "", "default", ""),
            ("patch", "events", "", "default", "x.123"),
        ] {
            let a = ask(&w, verb, "", resource, ns, name).subresource(sub);
            assert!(ok(a), "{verb} {resource}/{sub}");
        }
        let lease = |verb: &str, ns: &str, name: &str| ask(&w, verb, "coordination.k8s.io", "leases", ns, name);
        assert!(ok(lease("get", "kube-node-lease", "worker")));
        assert!(ok(lease("create", "kube-node-lease", "")));
        assert!(ok(lease("update", "kube-node-lease", "worker")));
        let d = authorize(&store, &s, &lease("update", "kube-node-lease", "worker2"));
        assert_eq!(
            (d.allowed, d.reason.as_str()),
            (false, "can only access node lease with the same name as the requesting node")
        );
        let d = authorize(&store, &s, &lease("get", "kube-system", "kube-controller-manager"));
        assert_eq!(d.reason, "can only access leases in the \"kube-node-lease\" system namespace");
        // Not among its rules: creating Deployments, binding pods.
        assert!(!ok(ask(&w, "create", "apps", "deployments", "default", "")));
        assert!(!ok(ask(&w, "create", "", "pods", "default", "web").subresource("binding")));
    }

    /// nodeidentifier: both the `system:node:` name and the `system:nodes` group make a kubelet;
    /// anyone else gets no opinion from the Node authorizer (RBAC alone decides).
    #[test]
    fn only_kubelets_are_nodes() {
        assert_eq!(node_identity(&kubelet("worker")), Some("worker"));
        assert_eq!(node_identity(&UserInfo::authenticated("system:node:worker", &[])), None);
        assert_eq!(node_identity(&UserInfo::authenticated("worker", &[NODES_GROUP])), None);
        let s = cluster();
        let jane = UserInfo::authenticated("jane", &[]);
        assert_eq!(decide(&ask(&jane, "get", "", "nodes", "", "x"), &s), None);
        let d = authorize(&RbacStore::new(), &s, &ask(&kubelet(""), "get", "", "nodes", "", "x"));
        assert_eq!(d.reason, "unknown node for user \"system:node:\"");
    }
}
