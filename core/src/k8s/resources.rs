//! The API resources the lab knows, as `kubectl api-resources` lists them: how kubectl resolves
//! `pod`, `po`, `pods`, `deploy`, `deployments.apps` to a resource and API group.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiResource {
    pub name: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    /// `""` is the core group.
    pub group: &'static str,
    pub namespaced: bool,
    pub kind: &'static str,
}

const fn r(
    name: &'static str,
    singular: &'static str,
    short_names: &'static [&'static str],
    group: &'static str,
    namespaced: bool,
    kind: &'static str,
) -> ApiResource {
    ApiResource { name, singular, short_names, group, namespaced, kind }
}

/// From a kind v1.27 cluster's `kubectl api-resources` (the resources the lab uses).
pub const RESOURCES: [ApiResource; 24] = [
    r("configmaps", "configmap", &["cm"], "", true, "ConfigMap"),
    r("endpoints", "endpoints", &["ep"], "", true, "Endpoints"),
    r("events", "event", &["ev"], "", true, "Event"),
    r("limitranges", "limitrange", &["limits"], "", true, "LimitRange"),
    r("namespaces", "namespace", &["ns"], "", false, "Namespace"),
    r("nodes", "node", &["no"], "", false, "Node"),
    r("pods", "pod", &["po"], "", true, "Pod"),
    r("resourcequotas", "resourcequota", &["quota"], "", true, "ResourceQuota"),
    r("secrets", "secret", &[], "", true, "Secret"),
    r("serviceaccounts", "serviceaccount", &["sa"], "", true, "ServiceAccount"),
    r("services", "service", &["svc"], "", true, "Service"),
    r("daemonsets", "daemonset", &["ds"], "apps", true, "DaemonSet"),
    r("deployments", "deployment", &["deploy"], "apps", true, "Deployment"),
    r("replicasets", "replicaset", &["rs"], "apps", true, "ReplicaSet"),
    r("statefulsets", "statefulset", &["sts"], "apps", true, "StatefulSet"),
    r("jobs", "job", &[], "batch", true, "Job"),
    r("leases", "lease", &[], "coordination.k8s.io", true, "Lease"),
    r("endpointslices", "endpointslice", &[], "discovery.k8s.io", true, "EndpointSlice"),
    r("clusterrolebindings", "clusterrolebinding", &[], "rbac.authorization.k8s.io", false, "ClusterRoleBinding"),
    r("clusterroles", "clusterrole", &[], "rbac.authorization.k8s.io", false, "ClusterRole"),
    r("rolebindings", "rolebinding", &[], "rbac.authorization.k8s.io", true, "RoleBinding"),
    r("roles", "role", &[], "rbac.authorization.k8s.io", true, "Role"),
    r("priorityclasses", "priorityclass", &["pc"], "scheduling.k8s.io", false, "PriorityClass"),
    r("storageclasses", "storageclass", &["sc"], "storage.k8s.io", false, "StorageClass"),
];

/// Resolves what a user typed (`po`, `pod`, `pods`, `deployments.apps`, `Deployment`).
pub fn resolve(typed: &str) -> Option<&'static ApiResource> {
    let lower = typed.to_ascii_lowercase();
    let (name, group) = match lower.split_once('.') {
        Some((n, g)) => (n.to_string(), Some(g.to_string())),
        None => (lower, None),
    };
    RESOURCES.iter().find(|res| {
        let named = res.name == name
            || res.singular == name
            || res.short_names.contains(&name.as_str())
            || res.kind.eq_ignore_ascii_case(&name);
        named && group.as_deref().is_none_or(|g| g == res.group)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_names_resolve() {
        assert_eq!(resolve("po").map(|r| r.name), Some("pods"));
        assert_eq!(resolve("deploy").map(|r| r.group), Some("apps"));
        assert_eq!(resolve("deployments.apps").map(|r| r.name), Some("deployments"));
        assert_eq!(resolve("Deployment").map(|r| r.name), Some("deployments"));
        assert_eq!(resolve("deployments.batch"), None);
        assert_eq!(resolve("frobs"), None);
        assert_eq!(resolve("pc").map(|r| (r.group, r.namespaced)), Some(("scheduling.k8s.io", false)));
        assert_eq!(resolve("endpointslices.discovery.k8s.io").map(|r| r.kind), Some("EndpointSlice"));
        assert_eq!(resolve("sc").map(|r| r.name), Some("storageclasses"));
    }
}
