//! The lab's kubeconfig: kind's admin context for `challenge-cluster`, plus three users a class
//! needs to show authorization (a developer, a read-only viewer, a CI service account), and the
//! RBAC bindings that give them their rights. `kubectl config …` prints as kubectl does.
//!
//! The RBAC objects here are the cluster's default policy plus those bindings. (Until the API
//! server stores them in etcd — issue 4 — they are fixed; the lab says so in `help`.)

use super::rbac::{ClusterRoleBinding, RbacStore, RoleBinding, RoleRef, Subject, UserInfo};
use super::rbac_defaults::default_store;

/// kind names the admin context, cluster and user after the cluster: `kind-<name>`.
pub const ADMIN_CONTEXT: &str = "kind-challenge-cluster";
/// The API server address kind writes into the kubeconfig (a random host port; fixed here).
pub const SERVER: &str = "https://127.0.0.1:35541";

/// How a kubeconfig user proves who it is (kubectl shows the data as `DATA+OMITTED`/`REDACTED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// An x509 client certificate: CN is the user, each O a group.
    ClientCert { cn: &'static str, orgs: &'static [&'static str] },
    /// A service account token.
    Token { namespace: &'static str, service_account: &'static str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    pub name: &'static str,
    pub user: &'static str,
    pub namespace: Option<&'static str>,
    pub credential: Credential,
}

/// The contexts, in the order `kubectl config get-contexts` lists them (by name).
pub const CONTEXTS: [Context; 4] = [
    Context {
        name: "ci@challenge-cluster",
        user: "ci",
        namespace: Some("default"),
        credential: Credential::Token { namespace: "default", service_account: "ci" },
    },
    Context {
        name: "developer@challenge-cluster",
        user: "developer",
        namespace: Some("dev"),
        credential: Credential::ClientCert { cn: "developer", orgs: &["dev-team"] },
    },
    Context {
        name: ADMIN_CONTEXT,
        user: ADMIN_CONTEXT,
        namespace: None,
        // kubeadm's admin certificate (v1.27): CN=kubernetes-admin, O=system:masters.
        credential: Credential::ClientCert { cn: "kubernetes-admin", orgs: &["system:masters"] },
    },
    Context {
        name: "viewer@challenge-cluster",
        user: "viewer",
        namespace: None,
        credential: Credential::ClientCert { cn: "viewer", orgs: &["viewers"] },
    },
];

/// The context kind leaves current.
pub fn default_context() -> usize {
    CONTEXTS.iter().position(|c| c.name == ADMIN_CONTEXT).unwrap_or(0)
}

impl Context {
    /// Who the API server's authenticators say this context is (every authenticated user is
    /// also in `system:authenticated`).
    pub fn user_info(&self) -> UserInfo {
        match self.credential {
            Credential::ClientCert { cn, orgs } => UserInfo::authenticated(cn, orgs),
            Credential::Token { namespace, service_account } => UserInfo::service_account(namespace, service_account),
        }
    }

    /// The namespace commands use when none is given.
    pub fn namespace_or_default(&self) -> &'static str {
        self.namespace.unwrap_or("default")
    }
}

/// The key the lab's service account tokens are signed with.
pub const SA_KEY: &str = "challenge-cluster/sa.key";

/// The service accounts the lab knows (until the API server stores them): `default` in the
/// kind cluster's namespaces, and the CI robot.
pub fn service_account_exists(namespace: &str, name: &str) -> bool {
    let namespaces = ["default", "kube-system", "kube-public", "kube-node-lease", "local-path-storage", "dev"];
    (name == "default" && namespaces.contains(&namespace)) || (namespace == "default" && name == "ci")
}

/// The lab's OIDC provider (a Dex the class could run; `lab oidc-token` plays its login).
pub const OIDC_ISSUER: &str = "https://dex.challenge-cluster.local:32000";
pub const OIDC_CLIENT_ID: &str = "kubernetes";
/// The key the lab's stand-in signature uses for the OIDC provider's id_tokens.
pub const OIDC_KEY: &str = "challenge-cluster/dex.key";

/// The API server's authenticators: x509 (kind's CA), service account tokens, OIDC id_tokens
/// (`--oidc-issuer-url`, `--oidc-client-id=kubernetes`, `--oidc-username-claim=email`,
/// `--oidc-groups-claim=groups`: a lab addition, kind does not set these), anonymous on.
pub fn lab_authenticator() -> super::authn::Authenticator {
    super::authn::Authenticator {
        sa_key: SA_KEY.to_string(),
        anonymous: true,
        oidc: Some(super::authn::OidcConfig {
            issuer_url: OIDC_ISSUER.to_string(),
            client_id: OIDC_CLIENT_ID.to_string(),
            username_claim: "email".to_string(),
            username_prefix: None,
            groups_claim: Some("groups".to_string()),
            key: OIDC_KEY.to_string(),
        }),
        ..Default::default()
    }
}

/// An id_token as the lab's OIDC provider issues it after a login: `email` and `groups` claims,
/// audience `kubernetes`, valid for an hour from `now_s` (simulated seconds).
pub fn mint_oidc_id_token(email: &str, groups: &[String], now_s: u64) -> String {
    let sub = format!("{:016x}", {
        use std::hash::Hasher;
        let mut h = crate::hash::Fnv64::default();
        h.write(email.as_bytes());
        h.finish()
    });
    let claims = serde_json::json!({
        "iss": OIDC_ISSUER, "sub": sub, "aud": OIDC_CLIENT_ID, "email": email, "email_verified": true,
        "groups": groups, "iat": now_s, "exp": now_s + 3600,
    });
    super::authn::mint_jwt(&claims, OIDC_KEY)
}

/// The cluster's RBAC policy: Kubernetes' defaults and the lab users' bindings.
pub fn lab_policy() -> RbacStore {
    let mut store = default_store();
    store.put_role_binding(RoleBinding {
        name: "developer-edit".to_string(),
        namespace: "dev".to_string(),
        role_ref: RoleRef::cluster_role("edit"),
        subjects: vec![Subject::user("developer")],
    });
    store.put_cluster_role_binding(ClusterRoleBinding {
        name: "viewers-view".to_string(),
        role_ref: RoleRef::cluster_role("view"),
        subjects: vec![Subject::group("viewers")],
    });
    store.put_role_binding(RoleBinding {
        name: "ci-deployer".to_string(),
        namespace: "default".to_string(),
        role_ref: RoleRef::cluster_role("edit"),
        subjects: vec![Subject::service_account("default", "ci")],
    });
    store
}

/// `kubectl config get-contexts`.
pub fn format_get_contexts(current: usize) -> String {
    let mut rows = vec![["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"].map(str::to_string).to_vec()];
    for (i, c) in CONTEXTS.iter().enumerate() {
        let mark = if i == current { "*" } else { "" };
        rows.push(vec![
            mark.to_string(),
            c.name.to_string(),
            ADMIN_CONTEXT.to_string(),
            c.user.to_string(),
            c.namespace.unwrap_or("").to_string(),
        ]);
    }
    crate::table::render_rows(&rows)
}

/// `kubectl config view --minify`: the current context only, secrets shown as kubectl hides them.
pub fn format_view_minify(current: usize) -> String {
    let c = &CONTEXTS[current];
    let mut out = String::from("apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: DATA+OMITTED\n");
    out.push_str(&format!("    server: {SERVER}\n  name: {ADMIN_CONTEXT}\ncontexts:\n- context:\n"));
    out.push_str(&format!("    cluster: {ADMIN_CONTEXT}\n"));
    if let Some(ns) = c.namespace {
        out.push_str(&format!("    namespace: {ns}\n"));
    }
    out.push_str(&format!("    user: {}\n  name: {}\ncurrent-context: {}\n", c.user, c.name, c.name));
    out.push_str("kind: Config\npreferences: {}\nusers:\n");
    out.push_str(&format!("- name: {}\n  user:\n", c.user));
    match c.credential {
        Credential::ClientCert { .. } => {
            out.push_str("    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED");
        }
        Credential::Token { .. } => out.push_str("    token: REDACTED"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::rbac::{authorize, Attributes};

    #[test]
    fn the_lab_users_have_the_rights_their_bindings_give() {
        let store = lab_policy();
        let user = |name: &str| CONTEXTS.iter().find(|c| c.user == name).expect("context").user_info();
        let can = |u: &UserInfo, verb: &str, group: &str, res: &str, ns: &str| {
            authorize(&store, &Attributes::resource(u, verb, group, res).in_namespace(ns)).allowed
        };
        let admin = CONTEXTS[default_context()].user_info();
        assert!(can(&admin, "delete", "", "nodes", ""));
        let dev = user("developer");
        assert!(can(&dev, "create", "apps", "deployments", "dev"));
        assert!(!can(&dev, "create", "apps", "deployments", "default"));
        let viewer = user("viewer");
        assert!(can(&viewer, "list", "", "pods", "kube-system"));
        assert!(!can(&viewer, "get", "", "secrets", "default"), "view does not read secrets");
        let ci = user("ci");
        assert_eq!(ci.name, "system:serviceaccount:default:ci");
        assert!(can(&ci, "update", "apps", "deployments", "default"));
    }

    #[test]
    fn view_minify_hides_the_secrets() {
        let v = format_view_minify(default_context());
        assert!(v.contains("client-key-data: DATA+OMITTED"));
        assert!(v.contains("current-context: kind-challenge-cluster"));
        let ci = CONTEXTS.iter().position(|c| c.user == "ci").expect("ci");
        assert!(format_view_minify(ci).ends_with("token: REDACTED"));
    }
}
