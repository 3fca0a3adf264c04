//! The RBAC authorizer of kube-apiserver, as a pure function over the RBAC objects.
//!
//! Semantics follow Kubernetes (KK = kubernetes/kubernetes; KW = kubernetes.io/docs):
//! - rule matching: KK `pkg/apis/rbac/v1/evaluation_helpers.go` (`VerbMatches`, `APIGroupMatches`,
//!   `ResourceMatches`, `ResourceNameMatches`, `NonResourceURLMatches`) and
//!   `plugin/pkg/auth/authorizer/rbac/rbac.go` (`RuleAllows`);
//! - which bindings apply, in which order, and how the allowing source is described:
//!   KK `pkg/registry/rbac/validation/rule.go` (`VisitRulesFor`, `appliesToUser`, `describeSubject`);
//! - the 403 text: KK `staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go`
//!   (`forbiddenMessage`, `Forbidden`) and apimachinery `pkg/api/errors/errors.go` (`NewForbidden`);
//! - `kubectl auth can-i [--list]`: KK `staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go`,
//!   `staging/src/k8s.io/kubectl/pkg/util/rbac/rbac.go` (`BreakdownRule`, `CompactRules`).
//!
//! RBAC is purely additive (KW `access-authn-authz/rbac.md`): there are no deny rules, a request is
//! allowed as soon as one rule of one applicable binding matches, and otherwise RBAC has no opinion,
//! which the apiserver turns into 403 when no other authorizer allows.
//!
//! Determinism (DESIGN.md): objects live in `BTreeMap`s keyed by their etcd key, so every walk is
//! in key order. Real kube-apiserver walks its informer cache, whose order is unspecified; the
//! decision (allowed or not) never depends on order, only the "allowed by" text may.

use std::collections::BTreeMap;

use crate::i18n::Text;

/// `*` in verbs, apiGroups, resources and nonResourceURLs (KK `rbacv1.VerbAll` etc.).
pub const ALL: &str = "*";
/// The group every authenticated user carries (KW `authentication.md`).
pub const AUTHENTICATED: &str = "system:authenticated";
/// The group of the anonymous user.
pub const UNAUTHENTICATED: &str = "system:unauthenticated";
/// The group whose members are bound to `cluster-admin` by default.
pub const MASTERS: &str = "system:masters";

/// One rule of a Role or ClusterRole. Empty `resource_names` means "any name".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl PolicyRule {
    /// A resource rule: `verbs` on `resources` in `api_groups` (`""` is the core group).
    pub fn resource(verbs: &[&str], api_groups: &[&str], resources: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: strings(verbs),
            api_groups: strings(api_groups),
            resources: strings(resources),
            ..PolicyRule::default()
        }
    }

    /// A non-resource rule (`/healthz`, `/api/*`); only meaningful in a ClusterRole.
    pub fn urls(verbs: &[&str], urls: &[&str]) -> PolicyRule {
        PolicyRule { verbs: strings(verbs), non_resource_urls: strings(urls), ..PolicyRule::default() }
    }

    /// The same rule limited to the given object names.
    pub fn named(mut self, names: &[&str]) -> PolicyRule {
        self.resource_names = strings(names);
        self
    }

    fn verb_matches(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == ALL || v == verb)
    }

    fn api_group_matches(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| g == ALL || g == group)
    }

    /// `*`, the exact `resource` or `resource/subresource`, or `*/subresource`. There is no
    /// `resource/*` form: `pods/*` matches only a subresource literally named `*`.
    fn resource_matches(&self, combined: &str, subresource: &str) -> bool {
        self.resources.iter().any(|r| {
            r == ALL
                || r == combined
                || (!subresource.is_empty() && r.strip_prefix("*/").is_some_and(|sub| sub == subresource))
        })
    }

    /// A rule with names never matches a request without a name (create, list, watch of a
    /// collection), because `""` is not among the names.
    fn resource_name_matches(&self, name: &str) -> bool {
        self.resource_names.is_empty() || self.resource_names.iter().any(|n| n == name)
    }

    /// `*`, an exact path, or a prefix when the rule ends in `*` (`/api/*` matches `/api/v1`,
    /// and `/healthz*` would match `/healthzfoo` too: the trim is textual, not per path segment).
    fn non_resource_url_matches(&self, path: &str) -> bool {
        self.non_resource_urls
            .iter()
            .any(|u| u == ALL || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*'))))
    }

    /// Whether this rule allows the request (KK `RuleAllows`).
    pub fn allows(&self, a: &Attributes) -> bool {
        match &a.path {
            None => {
                let combined = if a.subresource.is_empty() {
                    a.resource.clone()
                } else {
                    format!("{}/{}", a.resource, a.subresource)
                };
                self.verb_matches(&a.verb)
                    && self.api_group_matches(&a.api_group)
                    && self.resource_matches(&combined, &a.subresource)
                    && self.resource_name_matches(a.name.as_deref().unwrap_or(""))
            }
            Some(path) => self.verb_matches(&a.verb) && self.non_resource_url_matches(path),
        }
    }
}

/// A namespaced set of rules; only RoleBindings in the same namespace can use it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Role {
    pub namespace: String,
    pub name: String,
    pub rules: Vec<PolicyRule>,
}

impl Role {
    pub fn etcd_key(&self) -> String {
        format!("/registry/roles/{}/{}", self.namespace, self.name)
    }
}

/// A cluster-wide set of rules, usable by ClusterRoleBindings (everywhere) and by RoleBindings
/// (inside the binding's namespace only).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClusterRole {
    pub name: String,
    pub rules: Vec<PolicyRule>,
}

impl ClusterRole {
    pub fn etcd_key(&self) -> String {
        format!("/registry/clusterroles/{}", self.name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

/// What a binding grants; immutable in Kubernetes once the binding exists.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoleRef {
    pub kind: RoleKind,
    pub name: String,
}

impl RoleRef {
    pub fn role(name: &str) -> RoleRef {
        RoleRef { kind: RoleKind::Role, name: name.to_string() }
    }
    pub fn cluster_role(name: &str) -> RoleRef {
        RoleRef { kind: RoleKind::ClusterRole, name: name.to_string() }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }
}

/// Who a binding is for. `namespace` is used by ServiceAccount subjects only; when it is `None`
/// in a RoleBinding, the binding's own namespace is meant (KK `appliesToUser`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    pub namespace: Option<String>,
}

impl Subject {
    pub fn user(name: &str) -> Subject {
        Subject { kind: SubjectKind::User, name: name.to_string(), namespace: None }
    }
    pub fn group(name: &str) -> Subject {
        Subject { kind: SubjectKind::Group, name: name.to_string(), namespace: None }
    }
    pub fn service_account(namespace: &str, name: &str) -> Subject {
        Subject { kind: SubjectKind::ServiceAccount, name: name.to_string(), namespace: Some(namespace.to_string()) }
    }

    /// Whether this subject names `user`; `binding_ns` is `""` for ClusterRoleBindings.
    fn applies_to(&self, user: &UserInfo, binding_ns: &str) -> bool {
        match self.kind {
            SubjectKind::User => user.name == self.name,
            SubjectKind::Group => user.groups.contains(&self.name),
            SubjectKind::ServiceAccount => {
                let ns = self.namespace.as_deref().unwrap_or(binding_ns);
                !ns.is_empty() && user.name == service_account_username(ns, &self.name)
            }
        }
    }

    /// `User "jane"`, `Group "system:masters"`, `ServiceAccount "name/namespace"` — the
    /// service account is written name first, as KK `describeSubject` does.
    fn describe(&self, binding_ns: &str) -> String {
        match self.kind {
            SubjectKind::ServiceAccount => {
                let ns = self.namespace.as_deref().unwrap_or(binding_ns);
                format!("{} \"{}/{}\"", self.kind.as_str(), self.name, ns)
            }
            _ => format!("{} \"{}\"", self.kind.as_str(), self.name),
        }
    }
}

/// The user name a service account authenticates as (KW `authentication.md`).
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// Grants `role_ref` to `subjects` inside `namespace` only.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoleBinding {
    pub namespace: String,
    pub name: String,
    pub role_ref: RoleRef,
    pub subjects: Vec<Subject>,
}

impl RoleBinding {
    pub fn etcd_key(&self) -> String {
        format!("/registry/rolebindings/{}/{}", self.namespace, self.name)
    }
}

/// Grants a ClusterRole to `subjects` in every namespace and at the cluster scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClusterRoleBinding {
    pub name: String,
    pub role_ref: RoleRef,
    pub subjects: Vec<Subject>,
}

impl ClusterRoleBinding {
    pub fn etcd_key(&self) -> String {
        format!("/registry/clusterrolebindings/{}", self.name)
    }
}

/// One step of a rule walk: a rule with the binding it came from, or a binding whose role is missing.
type Visited<'a> = Result<(&'a Source, &'a PolicyRule), String>;

/// All RBAC objects, each under its etcd key (fact sheet §2), so walks are in key order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct RbacStore {
    pub roles: BTreeMap<String, Role>,
    pub cluster_roles: BTreeMap<String, ClusterRole>,
    pub role_bindings: BTreeMap<String, RoleBinding>,
    pub cluster_role_bindings: BTreeMap<String, ClusterRoleBinding>,
}

impl RbacStore {
    pub fn new() -> RbacStore {
        RbacStore::default()
    }

    /// Stores (or replaces) a Role; returns its etcd key.
    pub fn put_role(&mut self, role: Role) -> String {
        let key = role.etcd_key();
        self.roles.insert(key.clone(), role);
        key
    }
    pub fn put_cluster_role(&mut self, role: ClusterRole) -> String {
        let key = role.etcd_key();
        self.cluster_roles.insert(key.clone(), role);
        key
    }
    pub fn put_role_binding(&mut self, binding: RoleBinding) -> String {
        let key = binding.etcd_key();
        self.role_bindings.insert(key.clone(), binding);
        key
    }
    pub fn put_cluster_role_binding(&mut self, binding: ClusterRoleBinding) -> String {
        let key = binding.etcd_key();
        self.cluster_role_bindings.insert(key.clone(), binding);
        key
    }

    pub fn role(&self, namespace: &str, name: &str) -> Option<&Role> {
        self.roles.get(&format!("/registry/roles/{namespace}/{name}"))
    }
    pub fn cluster_role(&self, name: &str) -> Option<&ClusterRole> {
        self.cluster_roles.get(&format!("/registry/clusterroles/{name}"))
    }

    /// RoleBindings of one namespace, in name order (an etcd prefix range).
    pub fn role_bindings_in<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a RoleBinding> + 'a {
        let prefix = format!("/registry/rolebindings/{namespace}/");
        self.role_bindings.range(prefix.clone()..).take_while(move |(k, _)| k.starts_with(&prefix)).map(|(_, b)| b)
    }

    /// The rules a role reference stands for. The error text is the one the informer lister
    /// gives for a missing object (`clusterrole.rbac.authorization.k8s.io "x" not found`).
    fn rules_of(&self, role_ref: &RoleRef, binding_ns: &str) -> Result<&[PolicyRule], String> {
        match role_ref.kind {
            RoleKind::Role => match self.role(binding_ns, &role_ref.name) {
                Some(r) if !binding_ns.is_empty() => Ok(&r.rules),
                _ => Err(format!("role.rbac.authorization.k8s.io \"{}\" not found", role_ref.name)),
            },
            RoleKind::ClusterRole => match self.cluster_role(&role_ref.name) {
                Some(r) => Ok(&r.rules),
                None => Err(format!("clusterrole.rbac.authorization.k8s.io \"{}\" not found", role_ref.name)),
            },
        }
    }

    /// Walks every rule that applies to `user` in `namespace`: all ClusterRoleBindings first,
    /// then (for a namespaced request) the RoleBindings of that namespace — KK `VisitRulesFor`.
    /// Only the first matching subject of a binding is reported. `visit` returns false to stop.
    fn visit_rules(&self, user: &UserInfo, namespace: &str, visit: &mut dyn FnMut(Visited<'_>) -> bool) {
        for b in self.cluster_role_bindings.values() {
            let Some(subject) = b.subjects.iter().find(|s| s.applies_to(user, "")) else { continue };
            match self.rules_of(&b.role_ref, "") {
                Err(e) => {
                    if !visit(Err(e)) {
                        return;
                    }
                }
                Ok(rules) => {
                    let source = Source {
                        binding_kind: BindingKind::ClusterRoleBinding,
                        binding_name: b.name.clone(),
                        binding_namespace: None,
                        role_ref: b.role_ref.clone(),
                        subject: subject.clone(),
                    };
                    for r in rules {
                        if !visit(Ok((&source, r))) {
                            return;
                        }
                    }
                }
            }
        }
        if namespace.is_empty() {
            return;
        }
        for b in self.role_bindings_in(namespace) {
            let Some(subject) = b.subjects.iter().find(|s| s.applies_to(user, namespace)) else { continue };
            match self.rules_of(&b.role_ref, namespace) {
                Err(e) => {
                    if !visit(Err(e)) {
                        return;
                    }
                }
                Ok(rules) => {
                    let source = Source {
                        binding_kind: BindingKind::RoleBinding,
                        binding_name: b.name.clone(),
                        binding_namespace: Some(namespace.to_string()),
                        role_ref: b.role_ref.clone(),
                        subject: subject.clone(),
                    };
                    for r in rules {
                        if !visit(Ok((&source, r))) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Every rule granted to `user` in `namespace` (`""` = cluster scope only), in walk order,
    /// plus the resolution errors — what a SelfSubjectRulesReview is built from (KK `RulesFor`).
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> (Vec<PolicyRule>, Vec<String>) {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        self.visit_rules(user, namespace, &mut |item| {
            match item {
                Ok((_, r)) => rules.push(r.clone()),
                Err(e) => errors.push(e),
            }
            true
        });
        (rules, errors)
    }
}

/// The authenticated user as the authorizer sees it.
///
/// `groups` is taken as given: the authenticators add `system:authenticated` to every
/// authenticated user (and the anonymous user gets `system:unauthenticated`), so the caller —
/// the lab's authentication step — must put it there. [`UserInfo::authenticated`] does that.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// Exactly this name and these groups.
    pub fn new(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo { name: name.to_string(), groups: strings(groups) }
    }

    /// As an authenticator would hand it on: `groups` plus `system:authenticated`.
    pub fn authenticated(name: &str, groups: &[&str]) -> UserInfo {
        let mut u = UserInfo::new(name, groups);
        if !u.groups.iter().any(|g| g == AUTHENTICATED) {
            u.groups.push(AUTHENTICATED.to_string());
        }
        u
    }

    /// A service account's token identity: `system:serviceaccount:<ns>:<name>` in the groups
    /// `system:serviceaccounts`, `system:serviceaccounts:<ns>`, `system:authenticated`.
    pub fn service_account(namespace: &str, name: &str) -> UserInfo {
        UserInfo {
            name: service_account_username(namespace, name),
            groups: vec![
                "system:serviceaccounts".to_string(),
                format!("system:serviceaccounts:{namespace}"),
                AUTHENTICATED.to_string(),
            ],
        }
    }

    /// `system:anonymous` in `system:unauthenticated`.
    pub fn anonymous() -> UserInfo {
        UserInfo::new("system:anonymous", &[UNAUTHENTICATED])
    }
}

/// What is being asked: a resource request (`path` is `None`) or a non-resource request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Attributes {
    pub user: UserInfo,
    pub verb: String,
    /// `None` for cluster-scoped requests (nodes, namespaces, `--all-namespaces` lists).
    pub namespace: Option<String>,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub name: Option<String>,
    /// Set for non-resource requests (`/healthz`, `/api`); then the resource fields are unused.
    pub path: Option<String>,
}

impl Attributes {
    /// `verb` on `resource` of `api_group` at the cluster scope; narrow it with the builders.
    pub fn resource(user: &UserInfo, verb: &str, api_group: &str, resource: &str) -> Attributes {
        Attributes {
            user: user.clone(),
            verb: verb.to_string(),
            namespace: None,
            api_group: api_group.to_string(),
            resource: resource.to_string(),
            subresource: String::new(),
            name: None,
            path: None,
        }
    }

    /// `verb` (lower-case HTTP method: get, post, …) on a non-resource path.
    pub fn non_resource(user: &UserInfo, verb: &str, path: &str) -> Attributes {
        Attributes {
            user: user.clone(),
            verb: verb.to_string(),
            namespace: None,
            api_group: String::new(),
            resource: String::new(),
            subresource: String::new(),
            name: None,
            path: Some(path.to_string()),
        }
    }

    pub fn in_namespace(mut self, namespace: &str) -> Attributes {
        self.namespace = Some(namespace.to_string());
        self
    }
    pub fn named(mut self, name: &str) -> Attributes {
        self.name = Some(name.to_string());
        self
    }
    pub fn subresource(mut self, subresource: &str) -> Attributes {
        self.subresource = subresource.to_string();
        self
    }

    pub fn is_resource_request(&self) -> bool {
        self.path.is_none()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BindingKind {
    RoleBinding,
    ClusterRoleBinding,
}

/// The binding (and role, and subject) a rule came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Source {
    pub binding_kind: BindingKind,
    pub binding_name: String,
    /// The RoleBinding's namespace; `None` for a ClusterRoleBinding.
    pub binding_namespace: Option<String>,
    pub role_ref: RoleRef,
    /// The first subject of the binding that matched the user.
    pub subject: Subject,
}

impl Source {
    /// `ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"`
    /// or `RoleBinding "dev-edit/dev" of ClusterRole "edit" to User "dana"` (KK `rule.go`
    /// describers: a RoleBinding is written `name/namespace`).
    pub fn describe(&self) -> String {
        let ns = self.binding_namespace.as_deref().unwrap_or("");
        let binding = match self.binding_kind {
            BindingKind::ClusterRoleBinding => format!("ClusterRoleBinding \"{}\"", self.binding_name),
            BindingKind::RoleBinding => format!("RoleBinding \"{}/{}\"", self.binding_name, ns),
        };
        format!(
            "{binding} of {} \"{}\" to {}",
            self.role_ref.kind.as_str(),
            self.role_ref.name,
            self.subject.describe(ns)
        )
    }
}

/// The RBAC authorizer's answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decision {
    pub allowed: bool,
    /// Kubernetes' own reason string: `RBAC: allowed by …` when allowed; when denied, `""` or
    /// `RBAC: <resolution errors>` (a binding pointing at a missing role), which the 403 message
    /// then carries after a colon.
    pub reason: String,
    /// The binding that allowed the request (for the lab's request inspector).
    pub source: Option<Source>,
    /// The lab's explanation, in both languages.
    pub explain: Text,
}

/// Decides a request exactly as the RBAC authorizer does: allowed by the first applicable rule,
/// otherwise no opinion (a denial here; the lab runs RBAC as the only authorizer for users).
pub fn authorize(store: &RbacStore, a: &Attributes) -> Decision {
    let mut allowed_by: Option<Source> = None;
    let mut errors: Vec<String> = Vec::new();
    // Non-resource requests carry no namespace in Kubernetes, so only ClusterRoleBindings can
    // grant them; ignore a namespace a caller may have set.
    let namespace = if a.is_resource_request() { a.namespace.as_deref().unwrap_or("") } else { "" };
    store.visit_rules(&a.user, namespace, &mut |item| match item {
        Ok((source, rule)) => {
            if rule.allows(a) {
                allowed_by = Some(source.clone());
                false
            } else {
                true
            }
        }
        Err(e) => {
            errors.push(e);
            true
        }
    });
    match allowed_by {
        Some(source) => {
            let d = source.describe();
            Decision {
                allowed: true,
                reason: format!("RBAC: allowed by {d}"),
                explain: Text::new(format!("RBAC 허용: {d}"), format!("RBAC allowed: {d}")),
                source: Some(source),
            }
        }
        None => {
            let reason = match errors.len() {
                0 => String::new(),
                // utilerrors.NewAggregate prints one error bare and several as `[a, b]`.
                1 => format!("RBAC: {}", errors[0]),
                _ => format!("RBAC: [{}]", errors.join(", ")),
            };
            let mut explain = Text::new(
                "RBAC 거부: 이 요청을 허용하는 규칙이 어떤 RoleBinding·ClusterRoleBinding에도 없습니다 \
                 (RBAC에는 허용 규칙만 있고, 아무 규칙도 맞지 않으면 거부됩니다)",
                "RBAC denied: no rule in any RoleBinding or ClusterRoleBinding allows this request \
                 (RBAC only has allow rules; when none matches, the request is denied)",
            );
            if !errors.is_empty() {
                let list = errors.join("; ");
                explain.ko.push_str(&format!(" — 없는 역할을 가리키는 바인딩: {list}"));
                explain.en.push_str(&format!(" — bindings pointing at missing roles: {list}"));
            }
            Decision { allowed: false, reason, source: None, explain }
        }
    }
}

/// kube-apiserver escapes `&`, `<`, `>` so the message never looks like HTML (errors.go `sanitizer`).
fn sanitize(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The message of the 403 Status, e.g.
/// `pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"`,
/// `deployments.apps "web" is forbidden: … in API group "apps" …`, `… at the cluster scope`,
/// `forbidden: User "u" cannot get path "/healthz"`. A non-empty `reason` (the RBAC resolution
/// errors of [`Decision::reason`]) is appended after `": "`, unquoted, as in the errors.go
/// versions that use the `in API group` wording (older ones quoted it with `%q`).
pub fn forbidden_message(a: &Attributes, reason: &str) -> String {
    let user = &a.user.name;
    let inner = match &a.path {
        Some(path) => format!("User \"{user}\" cannot {} path \"{path}\"", a.verb),
        None => {
            let res =
                if a.subresource.is_empty() { a.resource.clone() } else { format!("{}/{}", a.resource, a.subresource) };
            match a.namespace.as_deref().filter(|n| !n.is_empty()) {
                Some(ns) => format!(
                    "User \"{user}\" cannot {} resource \"{res}\" in API group \"{}\" in the namespace \"{ns}\"",
                    a.verb, a.api_group
                ),
                None => format!(
                    "User \"{user}\" cannot {} resource \"{res}\" in API group \"{}\" at the cluster scope",
                    a.verb, a.api_group
                ),
            }
        }
    };
    let mut err = sanitize(&inner);
    if !reason.is_empty() {
        err.push_str(": ");
        err.push_str(reason);
    }
    // NewForbidden: the qualified resource is `resource.group`, the subresource is not part of it.
    let qualified = if a.api_group.is_empty() || a.resource.is_empty() {
        a.resource.clone()
    } else {
        format!("{}.{}", a.resource, a.api_group)
    };
    match (qualified.is_empty(), a.name.as_deref().filter(|n| !n.is_empty())) {
        (true, _) => format!("forbidden: {err}"),
        (false, None) => format!("{qualified} is forbidden: {err}"),
        (false, Some(name)) => format!("{qualified} \"{name}\" is forbidden: {err}"),
    }
}

/// How kubectl prints a 403: `Error from server (Forbidden): <message>`.
pub fn kubectl_forbidden(a: &Attributes, reason: &str) -> String {
    format!("Error from server (Forbidden): {}", forbidden_message(a, reason))
}

/// `kubectl auth can-i VERB TYPE[/NAME]` prints `yes` or `no` (`no - <reason>` if the review has
/// a reason; RBAC gives one only for resolution errors). kubectl exits 1 on `no`.
pub fn can_i(store: &RbacStore, a: &Attributes) -> String {
    let d = authorize(store, a);
    match (d.allowed, d.reason.is_empty()) {
        (true, _) => "yes".to_string(),
        (false, true) => "no".to_string(),
        (false, false) => format!("no - {}", d.reason),
    }
}

/// One line of `kubectl auth can-i --list`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CanIRow {
    /// `resource.group[/subresource]`, or empty for a non-resource row.
    pub resources: String,
    pub non_resource_urls: Vec<String>,
    pub resource_names: Vec<String>,
    pub verbs: Vec<String>,
}

/// kubectl's intermediate form: a rule with at most one group, resource, name and verb.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Piece {
    verbs: Vec<String>,
    api_groups: Vec<String>,
    resources: Vec<String>,
    resource_names: Vec<String>,
    non_resource_urls: Vec<String>,
}

/// Go's `%v` of a `[]string`: `[a b c]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

impl Piece {
    /// The sort key: the generated `PolicyRule.String()` of k8s.io/api, which kubectl's
    /// `SortableRuleSlice` compares. Verbs come first in it, which is why `[create]` rows precede
    /// `[get list watch]` rows, which precede `[get]` rows (a space sorts before `]`).
    fn sort_key(&self) -> String {
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            go_list(&self.verbs),
            go_list(&self.api_groups),
            go_list(&self.resources),
            go_list(&self.resource_names),
            go_list(&self.non_resource_urls)
        )
    }

    /// kubectl `CombineResourceGroup`: `pods`, `deployments.apps`, `deployments.apps/scale`.
    fn resource_column(&self) -> String {
        let Some(first) = self.resources.first() else { return String::new() };
        let (res, sub) = match first.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (first.as_str(), None),
        };
        let mut out = res.to_string();
        if let Some(g) = self.api_groups.first().filter(|g| !g.is_empty()) {
            out.push('.');
            out.push_str(g);
        }
        if let Some(s) = sub {
            out.push('/');
            out.push_str(s);
        }
        out
    }
}

/// The rows `kubectl auth can-i --list [-n namespace]` prints for `user`, in kubectl's order.
///
/// The server side is a SelfSubjectRulesReview (every rule from [`RbacStore::rules_for`], split into
/// resource and non-resource rules); kubectl then breaks each rule down to one verb × one group ×
/// one resource × one name (`BreakdownRule`), merges the resource pieces that differ only in verb
/// by concatenating verbs in order, without removing duplicates (`CompactRules`) — non-resource
/// pieces are never merged, so `/healthz` granted by two roles shows twice — and stable-sorts by
/// the rule's `String()`.
pub fn can_i_list(store: &RbacStore, user: &UserInfo, namespace: &str) -> Vec<CanIRow> {
    let (rules, _errors) = store.rules_for(user, namespace);
    let mut pieces: Vec<Piece> = Vec::new();
    let one = |s: &String| vec![s.clone()];
    // SelfSubjectRulesReview lists resource rules first, then non-resource rules.
    for r in rules.iter().filter(|r| !r.resources.is_empty()) {
        for g in &r.api_groups {
            for res in &r.resources {
                for v in &r.verbs {
                    let names: Vec<Vec<String>> = if r.resource_names.is_empty() {
                        vec![vec![]]
                    } else {
                        r.resource_names.iter().map(one).collect()
                    };
                    for n in names {
                        pieces.push(Piece {
                            verbs: one(v),
                            api_groups: one(g),
                            resources: one(res),
                            resource_names: n,
                            non_resource_urls: vec![],
                        });
                    }
                }
            }
        }
    }
    for r in rules.iter().filter(|r| !r.non_resource_urls.is_empty()) {
        for u in &r.non_resource_urls {
            for v in &r.verbs {
                pieces.push(Piece {
                    verbs: one(v),
                    api_groups: vec![],
                    resources: vec![],
                    resource_names: vec![],
                    non_resource_urls: one(u),
                });
            }
        }
    }
    // CompactRules: non-resource pieces stay as they are; resource pieces with the same
    // (group, resource, name) collect their verbs.
    let mut compact: Vec<Piece> = Vec::new();
    let mut merged: BTreeMap<(String, String, Vec<String>), Piece> = BTreeMap::new();
    for p in pieces {
        if p.non_resource_urls.is_empty() {
            let key = (p.api_groups[0].clone(), p.resources[0].clone(), p.resource_names.clone());
            match merged.get_mut(&key) {
                Some(m) => m.verbs.extend(p.verbs),
                None => {
                    merged.insert(key, p);
                }
            }
        } else {
            compact.push(p);
        }
    }
    compact.extend(merged.into_values());
    // Keys of merged pieces are distinct, so the only ties are identical non-resource pieces,
    // which keep their order, as with Go's sort.Stable.
    compact.sort_by_cached_key(Piece::sort_key);
    compact
        .into_iter()
        .map(|p| CanIRow {
            resources: p.resource_column(),
            non_resource_urls: p.non_resource_urls,
            resource_names: p.resource_names,
            verbs: p.verbs,
        })
        .collect()
}

/// The `--list` table: header `Resources  Non-Resource URLs  Resource Names  Verbs` (unless
/// `no_headers`), cells printed with Go's `%v` (`[get list watch]`). Lines are joined by `\n`,
/// with no final newline.
pub fn format_can_i_list(rows: &[CanIRow], no_headers: bool) -> String {
    let mut table: Vec<[String; 4]> = Vec::new();
    if !no_headers {
        table.push(["Resources", "Non-Resource URLs", "Resource Names", "Verbs"].map(str::to_string));
    }
    for r in rows {
        table.push([r.resources.clone(), go_list(&r.non_resource_urls), go_list(&r.resource_names), go_list(&r.verbs)]);
    }
    tabwrite(&table)
}

/// kubectl's tabwriter (cli-runtime `printers.GetNewTabWriter`: minwidth 6, padding 3, pad with
/// spaces): every column but the last is as wide as its widest cell + 3, and at least 6; the
/// last cell is written as is. Cells here are ASCII, so bytes = columns.
fn tabwrite(table: &[[String; 4]]) -> String {
    let mut widths = [0usize; 3];
    for row in table {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max((cell.len() + 3).max(6));
        }
    }
    let lines: Vec<String> = table
        .iter()
        .map(|row| {
            let mut line = String::new();
            for (w, cell) in widths.iter().zip(row.iter()) {
                line.push_str(&format!("{cell:<w$}"));
            }
            line.push_str(&row[3]);
            line
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(verb: &str, group: &str, resource: &str, sub: &str, name: Option<&str>) -> Attributes {
        let mut a = Attributes::resource(&UserInfo::new("u", &[]), verb, group, resource).subresource(sub);
        a.name = name.map(str::to_string);
        a
    }

    // Cases follow KK evaluation_helpers.go; each row: rule, request, expected.
    #[test]
    fn rule_matching_table() {
        let cases: Vec<(PolicyRule, Attributes, bool)> = vec![
            (PolicyRule::resource(&["get"], &[""], &["pods"]), req("get", "", "pods", "", None), true),
            (PolicyRule::resource(&["get"], &[""], &["pods"]), req("list", "", "pods", "", None), false),
            (PolicyRule::resource(&["*"], &[""], &["pods"]), req("escalate", "", "pods", "", None), true),
            (
                PolicyRule::resource(&["get"], &["*"], &["deployments"]),
                req("get", "apps", "deployments", "", None),
                true,
            ),
            (
                PolicyRule::resource(&["get"], &[""], &["deployments"]),
                req("get", "apps", "deployments", "", None),
                false,
            ),
            // A rule on `pods` does not cover `pods/log`; `*/log` and `*` do; `pods/*` does not.
            (PolicyRule::resource(&["get"], &[""], &["pods"]), req("get", "", "pods", "log", None), false),
            (PolicyRule::resource(&["get"], &[""], &["pods/log"]), req("get", "", "pods", "log", None), true),
            (PolicyRule::resource(&["get"], &[""], &["*/log"]), req("get", "", "pods", "log", None), true),
            (PolicyRule::resource(&["get"], &[""], &["*/log"]), req("get", "", "pods", "", None), false),
            (PolicyRule::resource(&["get"], &[""], &["*/exec"]), req("get", "", "pods", "log", None), false),
            (PolicyRule::resource(&["get"], &[""], &["pods/*"]), req("get", "", "pods", "log", None), false),
            (PolicyRule::resource(&["get"], &[""], &["*"]), req("get", "", "pods", "log", None), true),
            // Names: empty = all; a named rule never matches a request without a name.
            (
                PolicyRule::resource(&["get"], &[""], &["pods"]).named(&["a"]),
                req("get", "", "pods", "", Some("a")),
                true,
            ),
            (
                PolicyRule::resource(&["get"], &[""], &["pods"]).named(&["a"]),
                req("get", "", "pods", "", Some("b")),
                false,
            ),
            (PolicyRule::resource(&["list"], &[""], &["pods"]).named(&["a"]), req("list", "", "pods", "", None), false),
            // A URL rule never matches a resource request and vice versa.
            (PolicyRule::urls(&["get"], &["*"]), req("get", "", "pods", "", None), false),
        ];
        for (i, (rule, a, want)) in cases.iter().enumerate() {
            assert_eq!(rule.allows(a), *want, "case {i}: {rule:?} vs {a:?}");
        }
    }

    #[test]
    fn non_resource_url_table() {
        let u = UserInfo::new("u", &[]);
        let cases: &[(&str, &str, bool)] = &[
            ("/healthz", "/healthz", true),
            ("/healthz", "/healthz/etcd", false),
            ("/api/*", "/api/v1", true),
            ("/api/*", "/api", false),
            ("/api*", "/apis", true), // the prefix is textual
            ("*", "/anything", true),
            ("/version/", "/version", false),
        ];
        for (rule, path, want) in cases {
            let r = PolicyRule::urls(&["get"], &[rule]);
            assert_eq!(r.allows(&Attributes::non_resource(&u, "get", path)), *want, "{rule} vs {path}");
            assert!(!r.allows(&Attributes::non_resource(&u, "post", path)), "verb must match too");
        }
    }

    // Go's tabwriter never makes a column narrower than minwidth (6), even for `[]` + 3 = 5.
    #[test]
    fn tabwriter_minwidth() {
        let row = CanIRow {
            resources: "a".into(),
            non_resource_urls: vec![],
            resource_names: vec![],
            verbs: vec!["get".into()],
        };
        assert_eq!(format_can_i_list(&[row], true), "a     []    []    [get]");
    }

    #[test]
    fn etcd_keys() {
        let rb = RoleBinding {
            namespace: "dev".into(),
            name: "b".into(),
            role_ref: RoleRef::cluster_role("edit"),
            subjects: vec![],
        };
        assert_eq!(rb.etcd_key(), "/registry/rolebindings/dev/b");
        assert_eq!(ClusterRole { name: "view".into(), rules: vec![] }.etcd_key(), "/registry/clusterroles/view");
        assert_eq!(
            Role { namespace: "dev".into(), name: "r".into(), rules: vec![] }.etcd_key(),
            "/registry/roles/dev/r"
        );
        let crb = ClusterRoleBinding { name: "c".into(), role_ref: RoleRef::cluster_role("x"), subjects: vec![] };
        assert_eq!(crb.etcd_key(), "/registry/clusterrolebindings/c");
    }

    #[test]
    fn role_bindings_in_does_not_leak_prefix_neighbours() {
        let mut s = RbacStore::new();
        for ns in ["dev", "dev2", "de"] {
            s.put_role_binding(RoleBinding {
                namespace: ns.into(),
                name: "b".into(),
                role_ref: RoleRef::cluster_role("edit"),
                subjects: vec![],
            });
        }
        let got: Vec<_> = s.role_bindings_in("dev").map(|b| b.namespace.clone()).collect();
        assert_eq!(got, vec!["dev".to_string()]);
    }
}
