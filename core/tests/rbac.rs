//! RBAC authorizer, table-driven. Each table row cites where Kubernetes defines the behaviour:
//! KW = kubernetes.io/docs `reference/access-authn-authz/rbac.md`; KK = kubernetes/kubernetes
//! (`pkg/apis/rbac/v1/evaluation_helpers.go`, `pkg/registry/rbac/validation/rule.go`,
//! `staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go`,
//! `staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go`,
//! `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml`).

use lab_core::k8s::rbac::*;
use lab_core::k8s::rbac_defaults::default_store;

/// The cluster of the lessons: default policy, plus
/// - dana: RoleBinding `dev-edit` in `dev` to ClusterRole `edit`;
/// - viewer: RoleBinding `viewer` in `default` to ClusterRole `view`;
/// - Role `config-reader` in `dev`: get configmaps named `app-config` only (bound to `rita`);
/// - Role `log-reader` in `dev`: get `pods/log` only (bound to `lou`);
/// - Role `pod-reader` in `prod` and a RoleBinding in `dev` that names it (it never resolves);
/// - ServiceAccount `dev/builder` bound to Role `log-reader` with the namespace left implicit.
fn lab_store() -> RbacStore {
    let mut s = default_store();
    let rb = |ns: &str, name: &str, role_ref: RoleRef, subjects: Vec<Subject>| RoleBinding {
        namespace: ns.into(),
        name: name.into(),
        role_ref,
        subjects,
    };
    s.put_role_binding(rb("dev", "dev-edit", RoleRef::cluster_role("edit"), vec![Subject::user("dana")]));
    s.put_role_binding(rb("default", "viewer", RoleRef::cluster_role("view"), vec![Subject::user("viewer")]));
    s.put_role(Role {
        namespace: "dev".into(),
        name: "config-reader".into(),
        rules: vec![PolicyRule::resource(&["get", "update"], &[""], &["configmaps"]).named(&["app-config"])],
    });
    s.put_role_binding(rb("dev", "rita", RoleRef::role("config-reader"), vec![Subject::user("rita")]));
    s.put_role(Role {
        namespace: "dev".into(),
        name: "log-reader".into(),
        rules: vec![PolicyRule::resource(&["get"], &[""], &["pods/log"])],
    });
    s.put_role_binding(rb("dev", "lou", RoleRef::role("log-reader"), vec![Subject::user("lou")]));
    let mut sa = Subject::service_account("dev", "builder");
    sa.namespace = None; // defaults to the RoleBinding's namespace (KK rule.go appliesToUser)
    s.put_role_binding(rb("dev", "builder", RoleRef::role("log-reader"), vec![sa]));
    s.put_role(Role {
        namespace: "prod".into(),
        name: "pod-reader".into(),
        rules: vec![PolicyRule::resource(&["get", "list"], &[""], &["pods"])],
    });
    s.put_role_binding(rb("dev", "borrow-prod", RoleRef::role("pod-reader"), vec![Subject::user("pat")]));
    s.put_role_binding(rb("prod", "pat", RoleRef::role("pod-reader"), vec![Subject::user("pat")]));
    s
}

fn admin() -> UserInfo {
    // kind's kubeconfig user: client certificate O=system:masters (fact sheet §3).
    UserInfo::authenticated("kubernetes-admin", &["system:masters"])
}

fn user(name: &str) -> UserInfo {
    UserInfo::authenticated(name, &[])
}

/// (verb, group, resource, subresource, namespace, name) → allowed?
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>, bool);

fn attrs(u: &UserInfo, row: &Row) -> Attributes {
    let (verb, group, resource, sub, ns, name, _) = *row;
    let mut a = Attributes::resource(u, verb, group, resource).subresource(sub);
    a.namespace = ns.map(str::to_string);
    a.name = name.map(str::to_string);
    a
}

fn check_table(store: &RbacStore, u: &UserInfo, rows: &[Row]) {
    for row in rows {
        let a = attrs(u, row);
        let d = authorize(store, &a);
        assert_eq!(d.allowed, row.6, "{} {row:?}: {}", u.name, d.reason);
        // An allow always names its source; a denial never does.
        assert_eq!(d.source.is_some(), d.allowed);
        // `no` may carry the resolution errors: `no - RBAC: …` (cani.go).
        let answer = can_i(store, &a);
        assert_eq!(answer.split(" - ").next(), Some(if row.6 { "yes" } else { "no" }), "{answer}");
    }
}

fn allowed_by(store: &RbacStore, a: &Attributes) -> String {
    let d = authorize(store, a);
    assert!(d.allowed, "{a:?} denied");
    d.reason
}

// KW "Default roles": cluster-admin bound to system:masters allows every action on every
// resource and URL, cluster-wide and in every namespace.
#[test]
fn admin_in_system_masters_can_do_anything() {
    let s = lab_store();
    let rows: &[Row] = &[
        ("create", "", "pods", "", Some("default"), None, true),
        ("delete", "", "nodes", "", None, Some("challenge-cluster-worker"), true),
        ("get", "", "secrets", "", Some("kube-system"), Some("x"), true),
        ("create", "", "pods", "exec", Some("dev"), Some("web"), true),
        ("escalate", "rbac.authorization.k8s.io", "clusterroles", "", None, Some("admin"), true),
        ("patch", "apps", "deployments", "scale", Some("default"), Some("nginx"), true),
        ("list", "made.up.example", "widgets", "", None, None, true),
    ];
    check_table(&s, &admin(), rows);
    let a = Attributes::resource(&admin(), "create", "", "pods").in_namespace("default");
    assert_eq!(
        allowed_by(&s, &a),
        r#"RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters""#
    );
    let d = authorize(&s, &Attributes::non_resource(&admin(), "post", "/anything/at/all"));
    assert!(d.allowed);
    assert_eq!(d.source.unwrap().binding_name, "cluster-admin");
}

// KW "User-facing roles": edit = read/write most objects in a namespace, incl. Secrets and
// exec, but no Roles/RoleBindings; a RoleBinding grants a ClusterRole only in its namespace.
#[test]
fn developer_with_edit_in_dev() {
    let s = lab_store();
    let rows: &[Row] = &[
        ("create", "apps", "deployments", "", Some("dev"), None, true),
        ("patch", "apps", "deployments", "scale", Some("dev"), Some("web"), true),
        ("delete", "", "pods", "", Some("dev"), Some("web-1"), true),
        ("create", "", "pods", "exec", Some("dev"), Some("web-1"), true),
        ("get", "", "secrets", "", Some("dev"), Some("db"), true),
        ("create", "", "configmaps", "", Some("dev"), None, true),
        ("update", "coordination.k8s.io", "leases", "", Some("dev"), Some("l"), true),
        // Other namespaces and the cluster scope are untouched by a RoleBinding in dev.
        ("create", "apps", "deployments", "", Some("default"), None, false),
        ("list", "", "pods", "", None, None, false),
        ("list", "", "nodes", "", None, None, false),
        // edit does not include RBAC objects, quota writes or the namespace itself.
        ("get", "rbac.authorization.k8s.io", "roles", "", Some("dev"), None, false),
        ("create", "rbac.authorization.k8s.io", "rolebindings", "", Some("dev"), None, false),
        ("create", "", "resourcequotas", "", Some("dev"), None, false),
        ("delete", "", "namespaces", "", Some("dev"), Some("dev"), false),
        // "deployments" in the core group is not deployments.apps: the group must match.
        ("create", "", "deployments", "", Some("dev"), None, false),
    ];
    check_table(&s, &user("dana"), rows);
    let a = Attributes::resource(&user("dana"), "create", "apps", "deployments").in_namespace("dev");
    assert_eq!(
        allowed_by(&s, &a),
        r#"RBAC: allowed by RoleBinding "dev-edit/dev" of ClusterRole "edit" to User "dana""#
    );
}

// KW "User-facing roles": view = read-only, no Secrets, no Roles/RoleBindings.
#[test]
fn viewer_reads_but_not_secrets_nor_writes() {
    let s = lab_store();
    let rows: &[Row] = &[
        ("get", "", "pods", "", Some("default"), Some("nginx"), true),
        ("list", "", "pods", "", Some("default"), None, true),
        ("watch", "", "pods", "", Some("default"), None, true),
        ("get", "", "pods", "log", Some("default"), Some("nginx"), true),
        ("list", "apps", "deployments", "", Some("default"), None, true),
        ("get", "", "namespaces", "", Some("default"), Some("default"), true),
        ("get", "", "secrets", "", Some("default"), Some("x"), false),
        ("list", "", "secrets", "", Some("default"), None, false),
        ("create", "", "pods", "", Some("default"), None, false),
        ("delete", "", "pods", "", Some("default"), Some("nginx"), false),
        ("create", "", "pods", "exec", Some("default"), Some("nginx"), false),
        ("list", "rbac.authorization.k8s.io", "roles", "", Some("default"), None, false),
        ("list", "", "pods", "", Some("kube-system"), None, false),
        ("list", "", "pods", "", None, None, false),
    ];
    check_table(&s, &user("viewer"), rows);
}

// KW "Referring to resources": resourceNames restrict get/update of named objects; a request
// without a name (list, create, watch of a collection) never matches a rule with names.
#[test]
fn resource_names_restrict_get_but_not_list_or_create() {
    let s = lab_store();
    let rows: &[Row] = &[
        ("get", "", "configmaps", "", Some("dev"), Some("app-config"), true),
        ("update", "", "configmaps", "", Some("dev"), Some("app-config"), true),
        ("get", "", "configmaps", "", Some("dev"), Some("other"), false),
        ("delete", "", "configmaps", "", Some("dev"), Some("app-config"), false),
        ("list", "", "configmaps", "", Some("dev"), None, false),
        ("create", "", "configmaps", "", Some("dev"), None, false),
        ("watch", "", "configmaps", "", Some("dev"), None, false),
    ];
    check_table(&s, &user("rita"), rows);
}

// KW "Referring to resources": subresources are named `pods/log`; a rule on one subresource
// says nothing about the parent or other subresources.
#[test]
fn subresources_are_separate() {
    let s = lab_store();
    let rows: &[Row] = &[
        ("get", "", "pods", "log", Some("dev"), Some("web-1"), true),
        ("create", "", "pods", "exec", Some("dev"), Some("web-1"), false),
        ("get", "", "pods", "exec", Some("dev"), Some("web-1"), false),
        ("get", "", "pods", "", Some("dev"), Some("web-1"), false),
        ("get", "", "pods", "log", Some("default"), Some("web-1"), false),
    ];
    check_table(&s, &user("lou"), rows);
}

// KK evaluation_helpers.go: `*` in verbs / apiGroups / resources, `*/sub`, and no `res/*`.
#[test]
fn wildcards() {
    let mut s = RbacStore::new();
    s.put_cluster_role(ClusterRole {
        name: "wild".into(),
        rules: vec![
            PolicyRule::resource(&["*"], &["apps"], &["deployments"]),
            PolicyRule::resource(&["get"], &["*"], &["*"]),
            PolicyRule::resource(&["update"], &["*"], &["*/scale"]),
            PolicyRule::resource(&["patch"], &[""], &["pods/*"]),
        ],
    });
    s.put_cluster_role_binding(ClusterRoleBinding {
        name: "wild".into(),
        role_ref: RoleRef::cluster_role("wild"),
        subjects: vec![Subject::group("wildlings")],
    });
    let w = UserInfo::authenticated("will", &["wildlings"]);
    let rows: &[Row] = &[
        ("deletecollection", "apps", "deployments", "", Some("x"), None, true),
        ("delete", "apps", "deployments", "", None, Some("d"), true),
        ("delete", "apps", "replicasets", "", Some("x"), None, false),
        ("get", "batch", "jobs", "", Some("x"), Some("j"), true),
        ("get", "", "pods", "log", Some("x"), Some("p"), true),
        ("update", "apps", "deployments", "scale", Some("x"), Some("d"), true),
        ("update", "", "replicationcontrollers", "scale", Some("x"), Some("r"), true),
        ("update", "apps", "deployments", "", Some("x"), Some("d"), true), // via the apps `*` verb rule
        ("update", "", "pods", "", Some("x"), Some("p"), false),
        ("update", "", "pods", "status", Some("x"), Some("p"), false),
        // `pods/*` is not a wildcard: it only names a subresource literally called "*".
        ("patch", "", "pods", "status", Some("x"), Some("p"), false),
    ];
    check_table(&s, &w, rows);
    // Membership is by group: the same user without the group gets nothing.
    check_table(&s, &user("will"), &[("get", "batch", "jobs", "", Some("x"), Some("j"), false)]);
}

// KW "Default roles and role bindings": system:discovery and system:basic-user for
// system:authenticated; system:public-info-viewer also for system:unauthenticated.
#[test]
fn non_resource_urls_from_defaults() {
    let s = lab_store();
    let jane = user("jane");
    let anon = UserInfo::anonymous();
    let cases: &[(&UserInfo, &str, &str, bool)] = &[
        (&jane, "get", "/healthz", true),
        (&jane, "get", "/api", true),
        (&jane, "get", "/api/v1", true),
        (&jane, "get", "/apis/apps/v1", true),
        (&jane, "get", "/version/", true),
        (&jane, "post", "/api/v1", false),
        (&jane, "get", "/metrics", false),
        (&jane, "get", "/healthz/etcd", false),
        (&anon, "get", "/healthz", true),
        (&anon, "get", "/version", true),
        (&anon, "get", "/api", false),
        (&anon, "get", "/apis/apps/v1", false),
    ];
    for (u, verb, path, want) in cases {
        let d = authorize(&s, &Attributes::non_resource(u, verb, path));
        assert_eq!(d.allowed, *want, "{} {verb} {path}", u.name);
    }
    let a = Attributes::non_resource(&jane, "get", "/healthz");
    assert_eq!(
        allowed_by(&s, &a),
        r#"RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated""#
    );
    let a = Attributes::non_resource(&anon, "get", "/healthz");
    assert_eq!(
        allowed_by(&s, &a),
        r#"RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated""#
    );
    // system:basic-user lets every signed-in user run `kubectl auth can-i`, but not anonymous.
    let ssar = |u: &UserInfo| Attributes::resource(u, "create", "authorization.k8s.io", "selfsubjectaccessreviews");
    assert!(authorize(&s, &ssar(&jane)).allowed);
    assert!(!authorize(&s, &ssar(&anon)).allowed);
}

// KW "Role and ClusterRole": nonResourceURLs mean something only through a ClusterRoleBinding,
// because non-resource requests have no namespace and so never consult RoleBindings.
#[test]
fn non_resource_urls_only_through_cluster_role_bindings() {
    let mut s = RbacStore::new();
    s.put_cluster_role(ClusterRole { name: "urls".into(), rules: vec![PolicyRule::urls(&["get"], &["/logs/*"])] });
    s.put_role_binding(RoleBinding {
        namespace: "dev".into(),
        name: "urls".into(),
        role_ref: RoleRef::cluster_role("urls"),
        subjects: vec![Subject::user("nora")],
    });
    let a = Attributes::non_resource(&user("nora"), "get", "/logs/kube-apiserver.log");
    assert!(!authorize(&s, &a).allowed);
    assert!(!authorize(&s, &a.clone().in_namespace("dev")).allowed, "a namespace on a URL request changes nothing");
    s.put_cluster_role_binding(ClusterRoleBinding {
        name: "urls".into(),
        role_ref: RoleRef::cluster_role("urls"),
        subjects: vec![Subject::user("nora")],
    });
    assert_eq!(
        allowed_by(&s, &a),
        r#"RBAC: allowed by ClusterRoleBinding "urls" of ClusterRole "urls" to User "nora""#
    );
}

// KW "Referring to subjects": a ServiceAccount authenticates as
// system:serviceaccount:<ns>:<name>; an omitted subject namespace means the binding's.
#[test]
fn service_account_subject() {
    let s = lab_store();
    let builder = UserInfo::service_account("dev", "builder");
    assert_eq!(builder.name, "system:serviceaccount:dev:builder");
    check_table(
        &s,
        &builder,
        &[
            ("get", "", "pods", "log", Some("dev"), Some("web-1"), true),
            ("get", "", "pods", "", Some("dev"), Some("web-1"), false),
            ("get", "", "pods", "log", Some("default"), Some("web-1"), false),
        ],
    );
    let a = Attributes::resource(&builder, "get", "", "pods").subresource("log").in_namespace("dev").named("web-1");
    assert_eq!(
        allowed_by(&s, &a),
        r#"RBAC: allowed by RoleBinding "builder/dev" of Role "log-reader" to ServiceAccount "builder/dev""#
    );
    // Same account name, other namespace: a different user.
    let other = UserInfo::service_account("prod", "builder");
    check_table(&s, &other, &[("get", "", "pods", "log", Some("dev"), Some("web-1"), false)]);
    // A ServiceAccount subject without a namespace in a ClusterRoleBinding matches nobody.
    let mut s2 = default_store();
    let mut sa = Subject::service_account("dev", "builder");
    sa.namespace = None;
    s2.put_cluster_role_binding(ClusterRoleBinding {
        name: "sa".into(),
        role_ref: RoleRef::cluster_role("view"),
        subjects: vec![sa],
    });
    check_table(&s2, &builder, &[("list", "", "pods", "", Some("dev"), None, false)]);
}

// KW "RoleBinding and ClusterRoleBinding": a RoleBinding may reference a Role in the same
// namespace only; naming a Role of another namespace resolves to nothing (KK rule.go
// GetRoleReferenceRules looks the Role up in the binding's namespace).
#[test]
fn role_in_another_namespace_never_applies() {
    let s = lab_store();
    let pat = user("pat");
    check_table(
        &s,
        &pat,
        &[
            ("get", "", "pods", "", Some("prod"), Some("p"), true),
            ("get", "", "pods", "", Some("dev"), Some("p"), false),
            ("list", "", "pods", "", Some("dev"), None, false),
        ],
    );
    let a = Attributes::resource(&pat, "list", "", "pods").in_namespace("dev");
    let d = authorize(&s, &a);
    assert_eq!(d.reason, r#"RBAC: role.rbac.authorization.k8s.io "pod-reader" not found"#);
    assert_eq!(can_i(&s, &a), r#"no - RBAC: role.rbac.authorization.k8s.io "pod-reader" not found"#);
    assert_eq!(
        forbidden_message(&a, &d.reason),
        r#"pods is forbidden: User "pat" cannot list resource "pods" in API group "" in the namespace "dev": RBAC: role.rbac.authorization.k8s.io "pod-reader" not found"#
    );
    assert!(d.explain.en.contains("missing roles") && d.explain.ko.contains("없는 역할"));
}

// KW "Default roles": RBAC is purely additive — granting more never takes anything away, and a
// ClusterRoleBinding of `view` reaches every namespace and the cluster scope.
#[test]
fn permissions_add_up() {
    let mut s = lab_store();
    let dana = user("dana");
    let rows: &[Row] = &[
        ("create", "apps", "deployments", "", Some("dev"), None, true),
        ("list", "", "pods", "", Some("kube-system"), None, false),
        ("list", "", "pods", "", None, None, false),
    ];
    check_table(&s, &dana, rows);
    s.put_cluster_role_binding(ClusterRoleBinding {
        name: "dana-view".into(),
        role_ref: RoleRef::cluster_role("view"),
        subjects: vec![Subject::user("dana")],
    });
    let rows: &[Row] = &[
        ("create", "apps", "deployments", "", Some("dev"), None, true),
        ("list", "", "pods", "", Some("kube-system"), None, true),
        ("list", "", "pods", "", None, None, true),
        ("create", "apps", "deployments", "", Some("kube-system"), None, false),
    ];
    check_table(&s, &dana, rows);
}

// KK responsewriters/errors.go forbiddenMessage + apimachinery NewForbidden; fact sheet §3.
#[test]
fn forbidden_messages() {
    let jane = user("jane");
    let s = lab_store();
    let cases: Vec<(Attributes, &str)> = vec![
        (
            Attributes::resource(&jane, "create", "", "pods").in_namespace("default"),
            r#"pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default""#,
        ),
        (
            Attributes::resource(&jane, "get", "", "pods").in_namespace("default").named("x"),
            r#"pods "x" is forbidden: User "jane" cannot get resource "pods" in API group "" in the namespace "default""#,
        ),
        (
            Attributes::resource(&jane, "list", "apps", "deployments").in_namespace("dev"),
            r#"deployments.apps is forbidden: User "jane" cannot list resource "deployments" in API group "apps" in the namespace "dev""#,
        ),
        (
            Attributes::resource(&jane, "get", "", "pods").subresource("log").in_namespace("default").named("web"),
            r#"pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default""#,
        ),
        (
            Attributes::resource(&jane, "patch", "apps", "deployments")
                .subresource("scale")
                .in_namespace("dev")
                .named("web"),
            r#"deployments.apps "web" is forbidden: User "jane" cannot patch resource "deployments/scale" in API group "apps" in the namespace "dev""#,
        ),
        (
            Attributes::resource(&jane, "list", "", "nodes"),
            r#"nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope"#,
        ),
        (
            Attributes::resource(&jane, "delete", "rbac.authorization.k8s.io", "clusterroles").named("admin"),
            r#"clusterroles.rbac.authorization.k8s.io "admin" is forbidden: User "jane" cannot delete resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope"#,
        ),
        (Attributes::non_resource(&jane, "get", "/metrics"), r#"forbidden: User "jane" cannot get path "/metrics""#),
        (
            Attributes::non_resource(&UserInfo::anonymous(), "get", "/api"),
            r#"forbidden: User "system:anonymous" cannot get path "/api""#,
        ),
    ];
    for (a, want) in &cases {
        let d = authorize(&s, a);
        assert!(!d.allowed, "{a:?} should be denied");
        assert_eq!(forbidden_message(a, &d.reason), *want);
        assert_eq!(kubectl_forbidden(a, &d.reason), format!("Error from server (Forbidden): {want}"));
    }
    // The user-controlled parts are HTML-escaped by the apiserver's sanitizer.
    let odd = Attributes::non_resource(&user("<b>&"), "get", "/x");
    assert_eq!(forbidden_message(&odd, ""), r#"forbidden: User "&lt;b&gt;&amp;" cannot get path "/x""#);
}

// KK cani.go: `--list` prints a SelfSubjectRulesReview broken down, compacted and sorted.
#[test]
fn can_i_list_admin_golden() {
    let s = lab_store();
    let want = "\
Resources                                       Non-Resource URLs   Resource Names   Verbs
*.*                                             []                  []               [*]
                                                [*]                 []               [*]
selfsubjectreviews.authentication.k8s.io        []                  []               [create]
selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]
selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]
                                                [/api/*]            []               [get]
                                                [/api]              []               [get]
                                                [/apis/*]           []               [get]
                                                [/apis]             []               [get]
                                                [/healthz]          []               [get]
                                                [/healthz]          []               [get]
                                                [/livez]            []               [get]
                                                [/livez]            []               [get]
                                                [/openapi/*]        []               [get]
                                                [/openapi]          []               [get]
                                                [/readyz]           []               [get]
                                                [/readyz]           []               [get]
                                                [/version/]         []               [get]
                                                [/version/]         []               [get]
                                                [/version]          []               [get]
                                                [/version]          []               [get]";
    assert_eq!(format_can_i_list(&can_i_list(&s, &admin(), "default"), false), want);
}

#[test]
fn can_i_list_viewer_golden() {
    let s = lab_store();
    let want = "\
Resources                                       Non-Resource URLs   Resource Names   Verbs
selfsubjectreviews.authentication.k8s.io        []                  []               [create]
selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]
selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]
bindings                                        []                  []               [get list watch]
configmaps                                      []                  []               [get list watch]
endpoints                                       []                  []               [get list watch]
events                                          []                  []               [get list watch]
limitranges                                     []                  []               [get list watch]
namespaces/status                               []                  []               [get list watch]
namespaces                                      []                  []               [get list watch]
persistentvolumeclaims/status                   []                  []               [get list watch]
persistentvolumeclaims                          []                  []               [get list watch]
pods/log                                        []                  []               [get list watch]
pods/status                                     []                  []               [get list watch]
pods                                            []                  []               [get list watch]
replicationcontrollers/scale                    []                  []               [get list watch]
replicationcontrollers/status                   []                  []               [get list watch]
replicationcontrollers                          []                  []               [get list watch]
resourcequotas/status                           []                  []               [get list watch]
resourcequotas                                  []                  []               [get list watch]
serviceaccounts                                 []                  []               [get list watch]
services/status                                 []                  []               [get list watch]
services                                        []                  []               [get list watch]
controllerrevisions.apps                        []                  []               [get list watch]
daemonsets.apps/status                          []                  []               [get list watch]
daemonsets.apps                                 []                  []               [get list watch]
deployments.apps/scale                          []                  []               [get list watch]
deployments.apps/status                         []                  []               [get list watch]
deployments.apps                                []                  []               [get list watch]
replicasets.apps/scale                          []                  []               [get list watch]
replicasets.apps/status                         []                  []               [get list watch]
replicasets.apps                                []                  []               [get list watch]
statefulsets.apps/scale                         []                  []               [get list watch]
statefulsets.apps/status                        []                  []               [get list watch]
statefulsets.apps                               []                  []               [get list watch]
horizontalpodautoscalers.autoscaling/status     []                  []               [get list watch]
horizontalpodautoscalers.autoscaling            []                  []               [get list watch]
cronjobs.batch/status                           []                  []               [get list watch]
cronjobs.batch                                  []                  []               [get list watch]
jobs.batch/status                               []                  []               [get list watch]
jobs.batch                                      []                  []               [get list watch]
endpointslices.discovery.k8s.io                 []                  []               [get list watch]
daemonsets.extensions/status                    []                  []               [get list watch]
daemonsets.extensions                           []                  []               [get list watch]
deployments.extensions/scale                    []                  []               [get list watch]
deployments.extensions/status                   []                  []               [get list watch]
deployments.extensions                          []                  []               [get list watch]
ingresses.extensions/status                     []                  []               [get list watch]
ingresses.extensions                            []                  []               [get list watch]
networkpolicies.extensions                      []                  []               [get list watch]
replicasets.extensions/scale                    []                  []               [get list watch]
replicasets.extensions/status                   []                  []               [get list watch]
replicasets.extensions                          []                  []               [get list watch]
replicationcontrollers.extensions/scale         []                  []               [get list watch]
ingresses.networking.k8s.io/status              []                  []               [get list watch]
ingresses.networking.k8s.io                     []                  []               [get list watch]
networkpolicies.networking.k8s.io               []                  []               [get list watch]
poddisruptionbudgets.policy/status              []                  []               [get list watch]
poddisruptionbudgets.policy                     []                  []               [get list watch]
                                                [/api/*]            []               [get]
                                                [/api]              []               [get]
                                                [/apis/*]           []               [get]
                                                [/apis]             []               [get]
                                                [/healthz]          []               [get]
                                                [/healthz]          []               [get]
                                                [/livez]            []               [get]
                                                [/livez]            []               [get]
                                                [/openapi/*]        []               [get]
                                                [/openapi]          []               [get]
                                                [/readyz]           []               [get]
                                                [/readyz]           []               [get]
                                                [/version/]         []               [get]
                                                [/version/]         []               [get]
                                                [/version]          []               [get]
                                                [/version]          []               [get]";
    assert_eq!(format_can_i_list(&can_i_list(&s, &user("viewer"), "default"), false), want);
}

// KK cani.go + util/rbac CompactRules: verbs of the same resource from different rules are
// concatenated in the order the rules were found (edit's writes come before view's reads), and
// resource names get their own rows. `--no-headers` drops the header line.
#[test]
fn can_i_list_merging_and_names() {
    let s = lab_store();
    let rows = can_i_list(&s, &user("dana"), "dev");
    let pods = rows.iter().find(|r| r.resources == "pods").expect("pods row");
    assert_eq!(pods.verbs, ["create", "delete", "deletecollection", "patch", "update", "get", "list", "watch"]);
    let scale = rows.iter().find(|r| r.resources == "deployments.apps/scale").expect("scale row");
    assert_eq!(scale.verbs, ["create", "delete", "deletecollection", "patch", "update", "get", "list", "watch"]);
    assert!(rows.iter().all(|r| !r.resources.starts_with("roles")));
    // dana has nothing in default beyond the cluster-wide defaults.
    assert_eq!(can_i_list(&s, &user("dana"), "default").len(), 3 + 16);

    // Without the header the columns are as wide as the data: 45+3, then `[/openapi/*]` and
    // `[app-config]` (12) + 3.
    let rita = format_can_i_list(&can_i_list(&s, &user("rita"), "dev"), true);
    let lines: Vec<&str> = rita.lines().collect();
    assert_eq!(
        &lines[..4],
        &[
            "selfsubjectreviews.authentication.k8s.io        []             []             [create]",
            "selfsubjectaccessreviews.authorization.k8s.io   []             []             [create]",
            "selfsubjectrulesreviews.authorization.k8s.io    []             []             [create]",
            "configmaps                                      []             [app-config]   [get update]",
        ]
    );
    assert_eq!(lines.len(), 4 + 16);
}
