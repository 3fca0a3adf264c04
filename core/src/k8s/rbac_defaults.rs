//! The default ("bootstrap") RBAC policy a kind v1.27 cluster starts with.
//!
//! Source: KK `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go` and its rendered form
//! `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml` /
//! `cluster-role-bindings.yaml`; role meanings in KW `access-authn-authz/rbac.md` ("Default roles
//! and role bindings"). The rule lists are transcribed from the stored testdata, which is newer
//! than v1.27; that `edit` already writes `events` and `coordination.k8s.io` `leases` in v1.27 is
//! UNCONFIRMED. Resource and verb lists are sorted, as the policy builder stores them.
//!
//! `admin`, `edit` and `view` carry no rules of their own in Kubernetes: the clusterrole-aggregation
//! controller fills them from the `system:aggregate-to-*` roles (plus `edit` into `admin`, `view`
//! into `edit`), taking the selected roles in name order and skipping exact duplicate rules. The
//! lab stores that steady-state result directly instead of running the controller.
//!
//! Trimmed: the lab installs only the roles its lessons and its components touch — `cluster-admin`,
//! `admin`, `edit`, `view`, the three `system:aggregate-to-*`, `system:basic-user`,
//! `system:discovery`, `system:public-info-viewer`, `system:monitoring`,
//! `system:service-account-issuer-discovery`, and the components' `system:kube-controller-manager`,
//! `system:kube-scheduler` and `system:node` (the last bound to no one: the Node authorizer applies
//! its rules, `k8s::node_authorizer`). Kubernetes also has certificate approvers,
//! `system:volume-scheduler`, `system:heapster` and more. The controllers' `system:controller:*`
//! roles are in `apiserver::bootstrap` (only those of the controllers the lab runs), and kubeadm/kind
//! add their own bindings (`kubeadm:*`, `kindnet`, …). The rules of the component roles are from
//! the stored `testdata/cluster-roles.yaml` (newer than v1.27; the same rules assumed, UNCONFIRMED).

use super::rbac::{
    ClusterRole, ClusterRoleBinding, PolicyRule, RbacStore, RoleRef, Subject, AUTHENTICATED, MASTERS, UNAUTHENTICATED,
};

const READ: &[&str] = &["get", "list", "watch"];
/// bootstrappolicy `Write`, sorted.
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
/// bootstrappolicy `ReadWrite`, sorted.
const READ_WRITE: &[&str] = &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

fn r(verbs: &[&str], groups: &[&str], resources: &[&str]) -> PolicyRule {
    PolicyRule::resource(verbs, groups, resources)
}

fn cluster_role(name: &str, rules: Vec<PolicyRule>) -> ClusterRole {
    ClusterRole { name: name.to_string(), rules }
}

/// `system:aggregate-to-view`: read of non-escalating namespaced objects — no Secrets, no
/// Roles/RoleBindings, no `pods/exec`.
pub fn aggregate_to_view_rules() -> Vec<PolicyRule> {
    vec![
        r(
            READ,
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
            ],
        ),
        r(
            READ,
            &[""],
            &[
                "bindings",
                "events",
                "limitranges",
                "namespaces/status",
                "pods/log",
                "pods/status",
                "replicationcontrollers/status",
                "resourcequotas",
                "resourcequotas/status",
            ],
        ),
        // Read of `namespaces` through a RoleBinding means reading *this* namespace only.
        r(READ, &[""], &["namespaces"]),
        r(READ, &["discovery.k8s.io"], &["endpointslices"]),
        r(
            READ,
            &["apps"],
            &[
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
        ),
        r(READ, &["autoscaling"], &["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        r(READ, &["batch"], &["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
        r(
            READ,
            &["extensions"],
            &[
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "ingresses",
                "ingresses/status",
                "networkpolicies",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "replicationcontrollers/scale",
            ],
        ),
        r(READ, &["policy"], &["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        r(READ, &["networking.k8s.io"], &["ingresses", "ingresses/status", "networkpolicies"]),
    ]
}

/// `system:aggregate-to-edit`: writes of user workloads, plus reading Secrets and the escalating
/// pod subresources (exec, attach, port-forward, proxy). Still no Roles/RoleBindings.
pub fn aggregate_to_edit_rules() -> Vec<PolicyRule> {
    vec![
        r(READ, &[""], &["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
        r(&["impersonate"], &[""], &["serviceaccounts"]),
        r(WRITE, &[""], &["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
        r(&["create"], &[""], &["pods/eviction"]),
        r(
            WRITE,
            &[""],
            &[
                "configmaps",
                "events",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
        ),
        r(&["create"], &[""], &["serviceaccounts/token"]),
        r(
            WRITE,
            &["apps"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "replicasets",
                "replicasets/scale",
                "statefulsets",
                "statefulsets/scale",
            ],
        ),
        r(WRITE, &["autoscaling"], &["horizontalpodautoscalers"]),
        r(WRITE, &["batch"], &["cronjobs", "jobs"]),
        r(
            WRITE,
            &["extensions"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "ingresses",
                "networkpolicies",
                "replicasets",
                "replicasets/scale",
                "replicationcontrollers/scale",
            ],
        ),
        r(WRITE, &["policy"], &["poddisruptionbudgets"]),
        r(WRITE, &["networking.k8s.io"], &["ingresses", "networkpolicies"]),
        r(READ_WRITE, &["coordination.k8s.io"], &["leases"]),
    ]
}

/// `system:aggregate-to-admin`: what `admin` has beyond `edit` — granting access inside the
/// namespace (Roles, RoleBindings) and LocalSubjectAccessReviews. Not ResourceQuota writes and
/// not the Namespace object itself.
pub fn aggregate_to_admin_rules() -> Vec<PolicyRule> {
    vec![
        r(&["create"], &["authorization.k8s.io"], &["localsubjectaccessreviews"]),
        r(READ_WRITE, &["rbac.authorization.k8s.io"], &["rolebindings", "roles"]),
    ]
}

/// The events rule every component has (`eventsRule()` of the bootstrap policy).
pub fn events_rule() -> PolicyRule {
    r(&["create", "patch", "update"], &["", "events.k8s.io"], &["events"])
}

/// `system:node` (`bootstrappolicy.NodeRules()`): what the Node authorizer lets every kubelet do
/// beyond its graph-checked reads; NodeRestriction narrows the writes to the kubelet's own node.
pub fn node_rules() -> Vec<PolicyRule> {
    vec![
        r(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
        r(&["create"], &["authorization.k8s.io"], &["localsubjectaccessreviews", "subjectaccessreviews"]),
        r(READ, &[""], &["services"]),
        r(&["create", "get", "list", "watch"], &[""], &["nodes"]),
        r(&["patch", "update"], &[""], &["nodes/status"]),
        r(&["patch", "update"], &[""], &["nodes"]),
        r(&["create", "patch", "update"], &[""], &["events"]),
        r(READ, &[""], &["pods"]),
        r(&["create", "delete"], &[""], &["pods"]),
        r(&["patch", "update"], &[""], &["pods/status"]),
        r(&["create"], &[""], &["pods/eviction"]),
        r(READ, &[""], &["configmaps", "secrets"]),
        r(&["get"], &[""], &["persistentvolumeclaims", "persistentvolumes"]),
        r(&["get"], &[""], &["endpoints"]),
        r(&["create", "get", "list", "watch"], &["certificates.k8s.io"], &["certificatesigningrequests"]),
        r(&["create", "delete", "get", "patch", "update"], &["coordination.k8s.io"], &["leases"]),
        r(&["get"], &["storage.k8s.io"], &["volumeattachments"]),
        r(&["create"], &[""], &["serviceaccounts/token"]),
        r(&["get", "patch", "update"], &[""], &["persistentvolumeclaims/status"]),
        r(READ, &["storage.k8s.io"], &["csidrivers"]),
        r(&["create", "delete", "get", "patch", "update"], &["storage.k8s.io"], &["csinodes"]),
        r(READ, &["node.k8s.io"], &["runtimeclasses"]),
    ]
}

/// `system:kube-controller-manager`: what kube-controller-manager needs as itself — its leader
/// Lease, the service accounts and tokens it hands its controllers
/// (`--use-service-account-credentials`), and list/watch of everything for its informers.
pub fn kube_controller_manager_rules() -> Vec<PolicyRule> {
    vec![
        events_rule(),
        r(&["create"], &["coordination.k8s.io"], &["leases"]),
        r(&["get", "update"], &["coordination.k8s.io"], &["leases"]).named(&["kube-controller-manager"]),
        r(&["create"], &[""], &["secrets", "serviceaccounts"]),
        r(&["delete"], &[""], &["secrets"]),
        r(&["get"], &[""], &["configmaps", "namespaces", "secrets", "serviceaccounts"]),
        r(&["update"], &[""], &["secrets", "serviceaccounts"]),
        r(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
        r(&["create"], &["authorization.k8s.io"], &["subjectaccessreviews"]),
        r(&["list", "watch"], &["*"], &["*"]),
        r(&["create"], &[""], &["serviceaccounts/token"]),
    ]
}

/// `system:kube-scheduler`: its leader Lease, reading what it schedules against, binding pods
/// (`pods/binding`), writing pod status (PodScheduled=False) and deleting preemption victims.
pub fn kube_scheduler_rules() -> Vec<PolicyRule> {
    vec![
        events_rule(),
        r(&["create"], &["coordination.k8s.io"], &["leases"]),
        r(&["get", "update"], &["coordination.k8s.io"], &["leases"]).named(&["kube-scheduler"]),
        r(READ, &[""], &["nodes"]),
        r(&["delete", "get", "list", "watch"], &[""], &["pods"]),
        r(&["create"], &[""], &["bindings", "pods/binding"]),
        r(&["patch", "update"], &[""], &["pods/status"]),
        r(READ, &[""], &["replicationcontrollers", "services"]),
        r(READ, &["apps", "extensions"], &["replicasets"]),
        r(READ, &["apps"], &["statefulsets"]),
        r(READ, &["policy"], &["poddisruptionbudgets"]),
        r(READ, &[""], &["persistentvolumeclaims", "persistentvolumes"]),
        r(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
        r(&["create"], &["authorization.k8s.io"], &["subjectaccessreviews"]),
        r(READ, &["storage.k8s.io"], &["csinodes"]),
        r(READ, &[""], &["namespaces"]),
        r(READ, &["storage.k8s.io"], &["csidrivers"]),
        r(READ, &["storage.k8s.io"], &["csistoragecapacities"]),
    ]
}

/// The aggregation controller's merge: rules in the given order, exact duplicates dropped.
fn aggregate(parts: &[Vec<PolicyRule>]) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    for rule in parts.iter().flatten() {
        if !out.contains(rule) {
            out.push(rule.clone());
        }
    }
    out
}

/// The default ClusterRoles, in name order.
pub fn default_cluster_roles() -> Vec<ClusterRole> {
    let view = aggregate(&[aggregate_to_view_rules()]);
    // edit selects `system:aggregate-to-edit` and `view` ("system:…" < "view").
    let edit = aggregate(&[aggregate_to_edit_rules(), view.clone()]);
    // admin selects `edit` and `system:aggregate-to-admin` ("edit" < "system:…").
    let admin = aggregate(&[edit.clone(), aggregate_to_admin_rules()]);
    vec![
        cluster_role("admin", admin),
        // The "root" role: every verb on every resource of every group, and every URL.
        cluster_role("cluster-admin", vec![r(&["*"], &["*"], &["*"]), PolicyRule::urls(&["*"], &["*"])]),
        cluster_role("edit", edit),
        cluster_role("system:aggregate-to-admin", aggregate_to_admin_rules()),
        cluster_role("system:aggregate-to-edit", aggregate_to_edit_rules()),
        cluster_role("system:aggregate-to-view", aggregate_to_view_rules()),
        // Lets any signed-in user ask "what may I do?" (`kubectl auth can-i`, `kubectl auth whoami`).
        cluster_role(
            "system:basic-user",
            vec![
                r(&["create"], &["authorization.k8s.io"], &["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
                r(&["create"], &["authentication.k8s.io"], &["selfsubjectreviews"]),
            ],
        ),
        // Enough to negotiate API versions and check health.
        cluster_role(
            "system:discovery",
            vec![PolicyRule::urls(
                &["get"],
                &[
                    "/api",
                    "/api/*",
                    "/apis",
                    "/apis/*",
                    "/healthz",
                    "/livez",
                    "/openapi",
                    "/openapi/*",
                    "/readyz",
                    "/version",
                    "/version/",
                ],
            )],
        ),
        cluster_role("system:kube-controller-manager", kube_controller_manager_rules()),
        cluster_role("system:kube-scheduler", kube_scheduler_rules()),
        cluster_role(
            "system:monitoring",
            vec![PolicyRule::urls(
                &["get"],
                &["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"],
            )],
        ),
        cluster_role("system:node", node_rules()),
        // Health and version, readable even without credentials.
        cluster_role(
            "system:public-info-viewer",
            vec![PolicyRule::urls(&["get"], &["/healthz", "/livez", "/readyz", "/version", "/version/"])],
        ),
        cluster_role(
            "system:service-account-issuer-discovery",
            vec![PolicyRule::urls(&["get"], &["/.well-known/openid-configuration", "/openid/v1/jwks"])],
        ),
        cluster_role("view", view),
    ]
}

fn binding(name: &str, subjects: Vec<Subject>) -> ClusterRoleBinding {
    ClusterRoleBinding { name: name.to_string(), role_ref: RoleRef::cluster_role(name), subjects }
}

/// The default ClusterRoleBindings (each named after its ClusterRole). `admin`, `edit` and
/// `view` are not bound by default: they are meant to be granted per namespace by RoleBindings.
pub fn default_cluster_role_bindings() -> Vec<ClusterRoleBinding> {
    vec![
        binding("cluster-admin", vec![Subject::group(MASTERS)]),
        binding("system:basic-user", vec![Subject::group(AUTHENTICATED)]),
        binding("system:discovery", vec![Subject::group(AUTHENTICATED)]),
        binding("system:kube-controller-manager", vec![Subject::user("system:kube-controller-manager")]),
        binding("system:kube-scheduler", vec![Subject::user("system:kube-scheduler")]),
        binding("system:monitoring", vec![Subject::group("system:monitoring")]),
        // Bound to no one since v1.8: the Node authorizer grants these rules to kubelets.
        binding("system:node", vec![]),
        binding("system:public-info-viewer", vec![Subject::group(AUTHENTICATED), Subject::group(UNAUTHENTICATED)]),
        binding("system:service-account-issuer-discovery", vec![Subject::group("system:serviceaccounts")]),
    ]
}

/// A store holding the default policy and nothing else.
pub fn default_store() -> RbacStore {
    let mut s = RbacStore::new();
    for role in default_cluster_roles() {
        s.put_cluster_role(role);
    }
    for b in default_cluster_role_bindings() {
        s.put_cluster_role_binding(b);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregation_nests_view_in_edit_in_admin() {
        let roles = default_cluster_roles();
        let get = |n: &str| roles.iter().find(|r| r.name == n).unwrap().rules.clone();
        let (view, edit, admin) = (get("view"), get("edit"), get("admin"));
        assert!(view.iter().all(|r| edit.contains(r)));
        assert!(edit.iter().all(|r| admin.contains(r)));
        assert_eq!(edit.len(), aggregate_to_edit_rules().len() + view.len());
        assert_eq!(admin.len(), edit.len() + 2);
        // view and edit never mention RBAC objects; only admin does.
        let mentions_roles = |rules: &[PolicyRule]| rules.iter().any(|r| r.resources.iter().any(|x| x == "roles"));
        assert!(!mentions_roles(&view) && !mentions_roles(&edit) && mentions_roles(&admin));
    }

    #[test]
    fn names_are_sorted_and_bindings_point_at_existing_roles() {
        let roles = default_cluster_roles();
        let names: Vec<_> = roles.iter().map(|r| r.name.clone()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        let store = default_store();
        for b in store.cluster_role_bindings.values() {
            assert!(store.cluster_role(&b.role_ref.name).is_some(), "{} points nowhere", b.name);
        }
    }
}
