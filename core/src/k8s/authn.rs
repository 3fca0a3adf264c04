//! kube-apiserver's authentication, floor 1's first desk (KW `access-authn-authz/
//! authentication.md`): x509 client certificates (CN → user, each O → a group), bearer tokens
//! (a static token file, service account tokens, OIDC id_tokens), and anonymous requests. The
//! first authenticator that succeeds decides; every authenticated user also gets
//! `system:authenticated`. A credential that is present but wrong is a 401 — kubectl prints
//! `error: You must be logged in to the server (Unauthorized)` — never a fall-back to anonymous.
//!
//! Tokens are JWTs (`header.payload.signature`, base64url) with real claims; the lab signs them
//! with a keyed FNV-64 hash instead of RS256 (a simplification: the point is that a changed byte
//! or a wrong issuer is refused, not cryptography).

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

use super::rbac::{UserInfo, UNAUTHENTICATED};
use crate::hash::Fnv64;

/// What a request carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// Nothing: the anonymous user, if the server allows it (kubeadm leaves it on).
    None,
    /// A client certificate the cluster CA signed, by its subject fields.
    ClientCert { cn: String, orgs: Vec<String> },
    /// `Authorization: Bearer <token>`.
    Bearer(String),
}

/// Who authenticated the request, and which authenticator said so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub user: UserInfo,
    pub by: &'static str,
}

/// kubectl's rendering of a 401 (KK `staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go`).
pub const UNAUTHORIZED: &str = "error: You must be logged in to the server (Unauthorized)";

/// The issuer of service account tokens in a kind cluster (`--service-account-issuer`).
pub const SA_ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// `--oidc-*` flags of kube-apiserver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcConfig {
    pub issuer_url: String,
    pub client_id: String,
    /// `--oidc-username-claim` (default `sub`).
    pub username_claim: String,
    /// `--oidc-username-prefix`; `None` = the default: `<issuer>#` unless the claim is `email`.
    pub username_prefix: Option<String>,
    /// `--oidc-groups-claim`.
    pub groups_claim: Option<String>,
    /// The key the lab's stand-in signature uses for this issuer.
    pub key: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Authenticator {
    /// `--token-auth-file`: token → (user, groups).
    pub static_tokens: BTreeMap<String, (String, Vec<String>)>,
    /// The key service account tokens are signed with (`--service-account-key-file`).
    pub sa_key: String,
    pub oidc: Option<OidcConfig>,
    /// `--anonymous-auth` (true by default).
    pub anonymous: bool,
}

/// Signs `header.payload` (the lab's stand-in for RS256).
fn signature(key: &str, signed: &str) -> String {
    use std::hash::Hasher;
    let mut h = Fnv64::default();
    h.write(key.as_bytes());
    h.write(&[0]);
    h.write(signed.as_bytes());
    URL_SAFE_NO_PAD.encode(h.finish().to_be_bytes())
}

/// A JWT with these claims, signed with `key`.
pub fn mint_jwt(claims: &Value, key: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signed = format!("{header}.{payload}");
    let sig = signature(key, &signed);
    format!("{signed}.{sig}")
}

/// The claims of a JWT whose signature `key` verifies; `None` for anything else.
fn verify_jwt(token: &str, key: &str) -> Option<BTreeMap<String, Value>> {
    // Bounded: a token is short; refuse absurd input before decoding it.
    if token.len() > 8192 {
        return None;
    }
    let mut parts = token.split('.');
    let (header, payload, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || signature(key, &format!("{header}.{payload}")) != sig {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<BTreeMap<String, Value>>(&bytes).ok()
}

/// A service account token (what the TokenRequest API gives a pod), valid until `exp_s`.
pub fn mint_service_account_token(key: &str, namespace: &str, name: &str, exp_s: u64) -> String {
    let claims = serde_json::json!({
        "iss": SA_ISSUER,
        "sub": format!("system:serviceaccount:{namespace}:{name}"),
        "aud": [SA_ISSUER],
        "exp": exp_s,
        "kubernetes.io": { "namespace": namespace, "serviceaccount": { "name": name } },
    });
    mint_jwt(&claims, key)
}

impl Authenticator {
    /// Runs the authenticators in the lab's order (x509, static tokens, service account tokens,
    /// OIDC, anonymous); `now_s` is simulated time for `exp`. `Err(())` is a 401.
    #[allow(clippy::result_unit_err)]
    pub fn authenticate(&self, cred: &Credential, now_s: u64) -> Result<Authenticated, ()> {
        match cred {
            Credential::ClientCert { cn, orgs } => {
                let orgs: Vec<&str> = orgs.iter().map(String::as_str).collect();
                Ok(Authenticated { user: UserInfo::authenticated(cn, &orgs), by: "x509" })
            }
            Credential::None if self.anonymous => Ok(Authenticated { user: UserInfo::anonymous(), by: "anonymous" }),
            Credential::None => Err(()),
            Credential::Bearer(token) => {
                if let Some((user, groups)) = self.static_tokens.get(token) {
                    let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
                    return Ok(Authenticated { user: UserInfo::authenticated(user, &groups), by: "token-file" });
                }
                if let Some(user) = self.service_account(token, now_s) {
                    return Ok(Authenticated { user, by: "service-account" });
                }
                if let Some(user) = self.oidc(token, now_s) {
                    return Ok(Authenticated { user, by: "oidc" });
                }
                Err(())
            }
        }
    }

    fn service_account(&self, token: &str, now_s: u64) -> Option<UserInfo> {
        let claims = verify_jwt(token, &self.sa_key)?;
        if claims.get("iss")?.as_str()? != SA_ISSUER || claims.get("exp")?.as_u64()? <= now_s {
            return None;
        }
        let k = claims.get("kubernetes.io")?;
        let ns = k.get("namespace")?.as_str()?;
        let name = k.get("serviceaccount")?.get("name")?.as_str()?;
        Some(UserInfo::service_account(ns, name))
    }

    fn oidc(&self, token: &str, now_s: u64) -> Option<UserInfo> {
        let o = self.oidc.as_ref()?;
        let claims = verify_jwt(token, &o.key)?;
        if claims.get("iss")?.as_str()? != o.issuer_url || claims.get("exp")?.as_u64()? <= now_s {
            return None;
        }
        let aud_ok = match claims.get("aud")? {
            Value::String(a) => *a == o.client_id,
            Value::Array(list) => list.iter().any(|a| a.as_str() == Some(o.client_id.as_str())),
            _ => false,
        };
        if !aud_ok {
            return None;
        }
        let raw = claims.get(&o.username_claim)?.as_str()?;
        // Non-email claims are prefixed with the issuer URL and `#` by default, so two issuers'
        // `sub`s never collide (KW authentication.md, --oidc-username-claim).
        let prefix = match &o.username_prefix {
            Some(p) if p == "-" => String::new(),
            Some(p) => p.clone(),
            None if o.username_claim == "email" => String::new(),
            None => format!("{}#", o.issuer_url),
        };
        let groups: Vec<String> = o
            .groups_claim
            .as_ref()
            .and_then(|g| claims.get(g))
            .map(|v| match v {
                Value::String(s) => vec![s.clone()],
                Value::Array(list) => list.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                _ => Vec::new(),
            })
            .unwrap_or_default();
        let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
        Some(UserInfo::authenticated(&format!("{prefix}{raw}"), &groups))
    }
}

/// Whether a user is the anonymous one (`system:unauthenticated`).
pub fn is_anonymous(u: &UserInfo) -> bool {
    u.groups.iter().any(|g| g == UNAUTHENTICATED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn server() -> Authenticator {
        let mut a = Authenticator { sa_key: "sa-key".into(), anonymous: true, ..Authenticator::default() };
        a.static_tokens.insert("s3cr3t".into(), ("bob".into(), vec!["ops".into()]));
        a.oidc = Some(OidcConfig {
            issuer_url: "https://dex.example.com".into(),
            client_id: "kubernetes".into(),
            username_claim: "sub".into(),
            username_prefix: None,
            groups_claim: Some("groups".into()),
            key: "dex-key".into(),
        });
        a
    }

    fn oidc_token(claims: Value, key: &str) -> Credential {
        Credential::Bearer(mint_jwt(&claims, key))
    }

    /// KW authentication.md "X509 client certificates": `/CN=jbeda/O=app1/O=app2`.
    #[test]
    fn a_client_certificate_names_user_and_groups() {
        let cred = Credential::ClientCert { cn: "jbeda".into(), orgs: vec!["app1".into(), "app2".into()] };
        let u = server().authenticate(&cred, 0).expect("authenticated").user;
        assert_eq!(u.name, "jbeda");
        assert_eq!(u.groups, ["app1", "app2", "system:authenticated"]);
    }

    #[test]
    fn static_and_service_account_tokens() {
        let s = server();
        let u = s.authenticate(&Credential::Bearer("s3cr3t".into()), 0).expect("static").user;
        assert_eq!((u.name.as_str(), u.groups[0].as_str()), ("bob", "ops"));
        let t = mint_service_account_token("sa-key", "default", "ci", 3600);
        let a = s.authenticate(&Credential::Bearer(t.clone()), 10).expect("sa");
        assert_eq!(a.user.name, "system:serviceaccount:default:ci");
        assert!(a.user.groups.contains(&"system:serviceaccounts:default".to_string()));
        assert_eq!(s.authenticate(&Credential::Bearer(t.clone()), 3600), Err(()), "expired");
        let forged = mint_service_account_token("another-key", "kube-system", "admin", 3600);
        assert_eq!(s.authenticate(&Credential::Bearer(forged), 10), Err(()), "wrong signing key");
        let mut tampered = t.into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("ascii");
        assert_eq!(s.authenticate(&Credential::Bearer(tampered), 10), Err(()));
    }

    /// KW authentication.md "OpenID Connect Tokens": `sub` is prefixed with the issuer URL,
    /// `email` is not; groups from `--oidc-groups-claim`; `aud` must be the client ID.
    #[test]
    fn oidc_id_tokens() {
        let s = server();
        let claims =
            json!({"iss":"https://dex.example.com","aud":"kubernetes","exp":100,"sub":"alice","groups":["devs"]});
        let u = s.authenticate(&oidc_token(claims.clone(), "dex-key"), 5).expect("oidc").user;
        assert_eq!(u.name, "https://dex.example.com#alice");
        assert_eq!(u.groups, ["devs", "system:authenticated"]);
        let mut by_email = s.clone();
        if let Some(o) = by_email.oidc.as_mut() {
            o.username_claim = "email".into();
        }
        let with_email =
            json!({"iss":"https://dex.example.com","aud":["kubernetes"],"exp":100,"email":"alice@example.com"});
        let u = by_email.authenticate(&oidc_token(with_email, "dex-key"), 5).expect("email").user;
        assert_eq!(u.name, "alice@example.com");
        assert_eq!(s.authenticate(&oidc_token(claims.clone(), "dex-key"), 100), Err(()), "expired");
        let other_aud = json!({"iss":"https://dex.example.com","aud":"other","exp":100,"sub":"alice"});
        assert_eq!(s.authenticate(&oidc_token(other_aud, "dex-key"), 5), Err(()), "wrong audience");
        let other_iss = json!({"iss":"https://evil.example.com","aud":"kubernetes","exp":100,"sub":"alice"});
        assert_eq!(s.authenticate(&oidc_token(other_iss, "dex-key"), 5), Err(()), "wrong issuer");
    }

    #[test]
    fn no_credential_is_anonymous_but_a_bad_one_is_401() {
        let s = server();
        let a = s.authenticate(&Credential::None, 0).expect("anonymous");
        assert_eq!(a.user.name, "system:anonymous");
        assert!(is_anonymous(&a.user));
        assert_eq!(s.authenticate(&Credential::Bearer("garbage".into()), 0), Err(()));
        assert_eq!(s.authenticate(&Credential::Bearer("a.b.c.d".into()), 0), Err(()));
        let off = Authenticator { anonymous: false, ..s };
        assert_eq!(off.authenticate(&Credential::None, 0), Err(()));
    }
}
