//! Where kube-apiserver keeps objects in etcd (fact sheet §2; KK
//! `pkg/kubeapiserver/default_storage_factory_builder.go` `SpecialDefaultResourcePrefixes`):
//! `/registry/<resource>/<namespace>/<name>`, cluster-scoped objects without the namespace, built-in
//! API groups not in the key, and a few resources under historical names.

use super::resources::ApiResource;

/// `--etcd-prefix` (default `/registry`).
pub const ETCD_PREFIX: &str = "/registry";

/// The key-path segment of a resource: its plural, except the historical ones.
pub fn resource_prefix(resource: &str) -> &str {
    match resource {
        "services" => "services/specs",
        "endpoints" => "services/endpoints",
        "nodes" => "minions",
        "replicationcontrollers" => "controllers",
        "ingresses" => "ingress",
        other => other,
    }
}

/// The etcd key of an object (`namespace` is ignored for cluster-scoped resources).
pub fn object_key(res: &ApiResource, namespace: &str, name: &str) -> String {
    let prefix = resource_prefix(res.name);
    if res.namespaced {
        format!("{ETCD_PREFIX}/{prefix}/{namespace}/{name}")
    } else {
        format!("{ETCD_PREFIX}/{prefix}/{name}")
    }
}

/// The prefix a list of the resource reads: one namespace, or all of them (`-A`).
pub fn list_prefix(res: &ApiResource, namespace: Option<&str>) -> String {
    let prefix = resource_prefix(res.name);
    match namespace.filter(|_| res.namespaced) {
        Some(ns) => format!("{ETCD_PREFIX}/{prefix}/{ns}/"),
        None => format!("{ETCD_PREFIX}/{prefix}/"),
    }
}

/// The resource an etcd key belongs to (the inverse of [`object_key`]): `None` outside
/// `/registry/` or for resources the lab does not know.
pub fn resource_of_key(key: &str) -> Option<&'static ApiResource> {
    let rest = key.strip_prefix(ETCD_PREFIX)?.strip_prefix('/')?;
    super::resources::RESOURCES.iter().find(|r| {
        rest.strip_prefix(resource_prefix(r.name)).is_some_and(|tail| {
            // `services/specs/…` must not be taken for `services`, nor `pods` for `podtemplates`.
            tail.strip_prefix('/').is_some_and(|t| {
                if r.namespaced {
                    t.matches('/').count() == 1
                } else {
                    !t.contains('/')
                }
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::resources::resolve;

    /// The fact sheet's examples (§2), as a kind cluster stores them.
    #[test]
    fn keys_follow_kube_apiserver_layout() {
        let key = |r: &str, ns: &str, n: &str| object_key(resolve(r).expect("known resource"), ns, n);
        assert_eq!(key("pods", "default", "nginx-7854ff8877-4xkqz"), "/registry/pods/default/nginx-7854ff8877-4xkqz");
        assert_eq!(key("svc", "default", "kubernetes"), "/registry/services/specs/default/kubernetes");
        assert_eq!(key("ep", "default", "kubernetes"), "/registry/services/endpoints/default/kubernetes");
        assert_eq!(key("nodes", "", "node01"), "/registry/minions/node01");
        assert_eq!(key("deploy", "default", "nginx"), "/registry/deployments/default/nginx");
        assert_eq!(key("leases", "kube-node-lease", "node01"), "/registry/leases/kube-node-lease/node01");
        assert_eq!(key("ns", "ignored", "default"), "/registry/namespaces/default");
        assert_eq!(key("clusterroles", "", "view"), "/registry/clusterroles/view");
        let pods = resolve("pods").expect("pods");
        assert_eq!(list_prefix(pods, Some("default")), "/registry/pods/default/");
        assert_eq!(list_prefix(pods, None), "/registry/pods/");
        assert_eq!(list_prefix(resolve("nodes").expect("nodes"), Some("default")), "/registry/minions/");
        for (key, res) in [
            ("/registry/services/specs/default/kubernetes", "services"),
            ("/registry/services/endpoints/default/kubernetes", "endpoints"),
            ("/registry/minions/node01", "nodes"),
            ("/registry/pods/default/x", "pods"),
            ("/registry/clusterroles/view", "clusterroles"),
        ] {
            assert_eq!(resource_of_key(key).map(|r| r.name), Some(res), "{key}");
        }
        assert_eq!(resource_of_key("/registry/pods/x"), None);
        assert_eq!(resource_of_key("/foo"), None);
    }
}
