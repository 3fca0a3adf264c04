//! kube-apiserver v1.27's admission chain as pure functions (fact sheet §3): the default plugins in
//! their execution order, each as the real one behaves on the objects the lab has, with the real
//! messages; plus the webhooks a teacher adds with `lab webhook add …`.
//!
//! A write passes [`mutate`] (the plugins that implement `admission.MutationInterface`, in
//! order, serially), then object validation (`validation::validate_object`, 422), then
//! [`validate`] (`admission.ValidationInterface`, ResourceQuota last). Each returns the steps it
//! ran (one per plugin of that phase, in [`PLUGINS`] order; a webhook plugin's step is followed by
//! one step per webhook) and stops at the first rejection. Reads never reach admission.
//!
//! Sources (kubernetes/kubernetes unless noted, read at v1.27 where the index had it, else at a
//! later tag with the same text):
//! - order: `pkg/kubeapiserver/options/plugins.go` `AllOrderedPlugins` and the default-on set in
//!   `DefaultOffAdmissionPlugins` (read in a v1.28.0 copy and at HEAD; see [`PLUGINS`] for what
//!   is UNCONFIRMED for v1.27);
//! - NamespaceLifecycle: `staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle`;
//! - LimitRanger: `plugin/pkg/admission/limitranger/admission.go`;
//! - ServiceAccount: `plugin/pkg/admission/serviceaccount/admission.go`;
//! - NodeRestriction: `plugin/pkg/admission/noderestriction/admission.go`;
//! - PodSecurity: kubernetes/pod-security-admission at v0.27.3 (`policy/check_*.go`,
//!   `admission/admission.go`, `api/helpers.go`);
//! - Priority: `plugin/pkg/admission/priority/admission.go`;
//! - ResourceQuota: `staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go`
//!   and `pkg/quota/v1/evaluator/core/pods.go`;
//! - webhook denials: `staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/errors`
//!   (`admission webhook "<name>" denied the request: <message>`);
//! - `admission.NewForbidden` / apimachinery `NewForbidden`: `<resource>[.<group>] "<name>" is
//!   forbidden: <reason>`; several reasons from one plugin are an aggregate (`[a, b]`).

use std::fmt;
use std::hash::Hasher;

use serde_json::{json, Map, Value};

use super::object::{self, Object};
use super::validation::{self, quantity_of, FieldError};
use super::Informers;
use crate::hash::Fnv64;
use crate::k8s::rbac::UserInfo;
use crate::k8s::resources::{self, ApiResource};
use crate::k8s::status::{aggregate, Status};

/// The admission operations (`CONNECT` is not modelled: the lab has no exec/attach/proxy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    /// As `admission.Operation` prints (`CREATE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
        }
    }
}

/// What admission knows about a request (`admission.Attributes`).
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub operation: Operation,
    pub resource: &'static ApiResource,
    /// `""`, `status`, `binding`, `scale`, …
    pub subresource: &'a str,
    /// `""` for cluster-scoped resources.
    pub namespace: &'a str,
    /// The object's name. On create this is `metadata.name` as sent — for the mutating phase the
    /// `generateName` prefix when the name is still to be generated (messages then show the
    /// prefix, as the real API server's do), for the validating phase the generated name. When
    /// empty, messages take the object's name or generateName (`admission.NewForbidden`).
    pub name: &'a str,
    pub user: &'a UserInfo,
}

/// An admission plugin: whether it takes part in the mutating phase (`Admit`) and/or the
/// validating phase (`Validate`), per its Go type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plugin {
    pub name: &'static str,
    pub mutating: bool,
    pub validating: bool,
}

const fn plugin(name: &'static str, mutating: bool, validating: bool) -> Plugin {
    Plugin { name, mutating, validating }
}

/// kube-apiserver v1.27's default-on admission plugins plus kubeadm's (kind's)
/// `--enable-admission-plugins=NodeRestriction`, in execution order (`AllOrderedPlugins`:
/// NodeRestriction sits right after ServiceAccount, before TaintNodesByCondition).
///
/// - NamespaceLifecycle and NodeRestriction implement only `Admit`, so they run in the mutating
///   phase (kubernetes.io calls them validating; the code decides when they run).
/// - ClusterTrustBundleAttest came with the alpha ClusterTrustBundle API in v1.27 (KK PR
///   #113218) and is in the default-on set of the v1.28.0 source read here; its being default-on
///   in v1.27 too is UNCONFIRMED (it only acts on clustertrustbundles, which the lab has not).
/// - ValidatingAdmissionPolicy is default-on but inert in v1.27 (its feature gate is alpha/off).
pub const PLUGINS: [Plugin; 21] = [
    plugin("NamespaceLifecycle", true, false),
    plugin("LimitRanger", true, true),
    plugin("ServiceAccount", true, true),
    plugin("NodeRestriction", true, false),
    plugin("TaintNodesByCondition", true, false),
    plugin("PodSecurity", false, true),
    plugin("Priority", true, true),
    plugin("DefaultTolerationSeconds", true, false),
    plugin("DefaultStorageClass", true, false),
    plugin("StorageObjectInUseProtection", true, false),
    plugin("PersistentVolumeClaimResize", false, true),
    plugin("RuntimeClass", true, true),
    plugin("CertificateApproval", false, true),
    plugin("CertificateSigning", false, true),
    plugin("ClusterTrustBundleAttest", false, true),
    plugin("CertificateSubjectRestriction", false, true),
    plugin("DefaultIngressClass", true, false),
    plugin("MutatingAdmissionWebhook", true, false),
    plugin("ValidatingAdmissionPolicy", false, true),
    plugin("ValidatingAdmissionWebhook", false, true),
    plugin("ResourceQuota", false, true),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Mutate,
    Validate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The plugin looked at the request and let it through unchanged.
    Passed,
    /// The plugin ignores this resource, subresource or operation (or the lab does not model it).
    NotApplicable,
    /// The plugin changed the object: what, in short English.
    Mutated(String),
    /// Let through with warnings (each as the API server sends it; kubectl prints
    /// `Warning: <text>`).
    Warned(Vec<String>),
    Rejected(Status),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// A [`PLUGINS`] name, or a webhook's name (right after its webhook plugin's step).
    pub plugin: String,
    pub phase: Phase,
    pub outcome: Outcome,
}

/// Every warning the steps carry, in order (kubectl prints each as `Warning: <text>`).
pub fn warnings(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .flat_map(|s| match &s.outcome {
            Outcome::Warned(w) => w.clone(),
            _ => Vec::new(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Webhooks.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookKind {
    Mutating,
    Validating,
}

/// What a webhook added with `lab webhook add` does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookAction {
    /// Validating: rejects pods and pod templates (deployments, replica sets, stateful sets,
    /// daemon sets, jobs, cron jobs) whose images have the tag `latest` or no tag.
    DenyLatestTag,
    /// Mutating: adds `key: value` to the labels of every object created.
    AddLabel { key: String, value: String },
    /// Validating: rejects every create, update and delete with `message`.
    DenyAll { message: String },
}

/// A webhook registered in a Mutating/ValidatingWebhookConfiguration. Like most real ones it
/// matches every resource (`*`, so no subresources) in every namespace except `kube-system` and
/// `kube-node-lease` (a namespaceSelector keeping the control plane's own writes out), and it
/// answers a denial the way controller-runtime's `admission.Denied` does: 403 Forbidden.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub name: String,
    pub kind: WebhookKind,
    pub action: WebhookAction,
}

/// The syntax of `lab webhook add …`, for help texts.
pub const WEBHOOK_USAGE: &str = "\
lab webhook add deny-latest NAME            validating: reject pods and workloads whose images use :latest or no tag
lab webhook add add-label NAME KEY=VALUE    mutating: add the label KEY=VALUE to every object created
lab webhook add deny NAME MESSAGE...        validating: reject every create, update and delete with MESSAGE
NAME is the webhook's name, a DNS subdomain such as no-latest.example.com.";

/// Parses the arguments after `lab webhook add`: `deny-latest NAME`, `add-label NAME KEY=VALUE`
/// or `deny NAME MESSAGE…` (the message is the remaining words joined by spaces).
pub fn parse_webhook_spec(args: &[String]) -> Result<Webhook, String> {
    let usage = || format!("usage:\n{WEBHOOK_USAGE}");
    let (verb, rest) = args.split_first().ok_or_else(usage)?;
    let (name, rest) = rest.split_first().ok_or_else(|| format!("missing the webhook NAME\n{}", usage()))?;
    if let Some(msg) = validation::is_dns1123_subdomain(name).first() {
        return Err(format!("invalid webhook name {name:?}: {msg}"));
    }
    let name = name.clone();
    match verb.as_str() {
        "deny-latest" => {
            if !rest.is_empty() {
                return Err(format!("deny-latest takes only a NAME\n{}", usage()));
            }
            Ok(Webhook { name, kind: WebhookKind::Validating, action: WebhookAction::DenyLatestTag })
        }
        "add-label" => {
            let [kv] = rest else { return Err(format!("add-label takes NAME KEY=VALUE\n{}", usage())) };
            let (key, value) = kv.split_once('=').ok_or_else(|| format!("expected KEY=VALUE, got {kv:?}"))?;
            if let Some(msg) = validation::is_qualified_name(key).first() {
                return Err(format!("invalid label key {key:?}: {msg}"));
            }
            if let Some(msg) = validation::is_valid_label_value(value).first() {
                return Err(format!("invalid label value {value:?}: {msg}"));
            }
            let action = WebhookAction::AddLabel { key: key.to_string(), value: value.to_string() };
            Ok(Webhook { name, kind: WebhookKind::Mutating, action })
        }
        "deny" => {
            if rest.is_empty() {
                return Err(format!("deny takes NAME MESSAGE\n{}", usage()));
            }
            Ok(Webhook {
                name,
                kind: WebhookKind::Validating,
                action: WebhookAction::DenyAll { message: rest.join(" ") },
            })
        }
        other => Err(format!("unknown webhook kind {other:?}\n{}", usage())),
    }
}

// ---------------------------------------------------------------------------------------------
// Quantities (apimachinery `resource.Quantity`), in thousandths so that 0.5 cpu is 500: integers
// only, never floats.

/// A quantity in milli-units and whether it was written with a binary suffix (Ki, Mi, …), which
/// decides how it prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    pub milli: i128,
    pub binary: bool,
}

impl Quantity {
    /// Parses `500m`, `1`, `0.5`, `2k`, `128974848`, `129M`, `1e3`, `100Mi`, `1Gi`, … (suffixes
    /// n u m k M G T P E, Ki Mi Gi Ti Pi Ei, exponents e/E). Precision below a thousandth rounds
    /// up, as `MilliValue` does.
    pub fn parse(s: &str) -> Option<Quantity> {
        let b = s.as_bytes();
        if b.is_empty() || b.len() > 64 {
            return None;
        }
        let mut i = 0;
        let negative = match b[0] {
            b'-' => {
                i = 1;
                true
            }
            b'+' => {
                i = 1;
                false
            }
            _ => false,
        };
        let (mut mantissa, mut frac, mut digits, mut dot) = (0i128, 0u32, 0u32, false);
        while i < b.len() {
            match b[i] {
                c if c.is_ascii_digit() => {
                    mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(c - b'0'))?;
                    digits += 1;
                    if dot {
                        frac += 1;
                    }
                }
                b'.' if !dot => dot = true,
                _ => break,
            }
            i += 1;
        }
        if digits == 0 || digits > 30 {
            return None;
        }
        let suffix = &s[i..];
        let (exp10, binary_power) = match suffix {
            "" => (0, 0u32),
            "n" => (-9, 0),
            "u" => (-6, 0),
            "m" => (-3, 0),
            "k" => (3, 0),
            "M" => (6, 0),
            "G" => (9, 0),
            "T" => (12, 0),
            "P" => (15, 0),
            "E" => (18, 0),
            "Ki" => (0, 1),
            "Mi" => (0, 2),
            "Gi" => (0, 3),
            "Ti" => (0, 4),
            "Pi" => (0, 5),
            "Ei" => (0, 6),
            _ => {
                let rest = suffix.strip_prefix(['e', 'E'])?;
                if rest.is_empty() || rest.len() > 4 {
                    return None;
                }
                (rest.parse::<i32>().ok()?, 0)
            }
        };
        // milli = mantissa × 10^exp10 × 1024^binary_power × 1000 / 10^frac
        let scale = exp10 + 3 - frac as i32;
        let num = mantissa.checked_mul(1024i128.checked_pow(binary_power)?)?;
        let (num, den) = if scale >= 0 {
            (num.checked_mul(10i128.checked_pow(scale as u32)?)?, 1)
        } else {
            (num, 10i128.checked_pow((-scale) as u32)?)
        };
        let milli = (num + den - 1) / den;
        if milli > 1_000_000_000_000_000_000_000_000i128 {
            return None;
        }
        Some(Quantity { milli: if negative { -milli } else { milli }, binary: binary_power > 0 })
    }

    pub fn zero() -> Quantity {
        Quantity { milli: 0, binary: false }
    }

    /// `a + b` keeping `a`'s format (`Quantity.Add`).
    pub fn plus(self, other: Quantity) -> Quantity {
        Quantity { milli: self.milli + other.milli, binary: self.binary }
    }
}

/// [`Quantity::parse`]'s value in milli-units (`0.5` → 500, `1Gi` → 1073741824000).
pub fn parse_quantity(s: &str) -> Option<i128> {
    Quantity::parse(s).map(|q| q.milli)
}

/// `Quantity.String()`: the canonical form (`500m`, `1`, `2k`, `1536Mi`, `1Gi`).
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.milli == 0 {
            return write!(f, "0");
        }
        let sign = if self.milli < 0 { "-" } else { "" };
        let a = self.milli.unsigned_abs();
        if !a.is_multiple_of(1000) {
            return write!(f, "{sign}{a}m");
        }
        let units = a / 1000;
        let (base, suffixes): (u128, [&str; 6]) = if self.binary && units >= 1024 {
            (1024, ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"])
        } else {
            (1000, ["k", "M", "G", "T", "P", "E"])
        };
        let mut best: Option<(u128, &str)> = None;
        let mut d = 1u128;
        for s in suffixes {
            d *= base;
            if units.is_multiple_of(d) {
                best = Some((units / d, s));
            }
        }
        match best {
            Some((v, s)) => write!(f, "{sign}{v}{s}"),
            None => write!(f, "{sign}{units}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The chain.

/// Runs the mutating plugins in order on `obj` (the object being created or the new object of an
/// update; `None` for deletes), stopping at the first rejection.
pub fn mutate(
    req: &Request,
    obj: Option<&mut Object>,
    old: Option<&Object>,
    informers: &impl Informers,
    webhooks: &[Webhook],
) -> (Vec<Step>, Result<(), Status>) {
    let mut obj = obj;
    let mut steps = Vec::new();
    for p in PLUGINS.iter().filter(|p| p.mutating) {
        let mut extra = Vec::new();
        let outcome = match p.name {
            "NamespaceLifecycle" => namespace_lifecycle(req, obj.as_deref(), informers),
            "LimitRanger" => limit_ranger_mutate(req, obj.as_deref_mut(), old, informers),
            "ServiceAccount" => service_account_mutate(req, obj.as_deref_mut(), informers),
            "NodeRestriction" => node_restriction(req, obj.as_deref(), old, informers),
            "TaintNodesByCondition" => taint_nodes_by_condition(req, obj.as_deref_mut()),
            "Priority" => priority_mutate(req, obj.as_deref_mut(), old, informers),
            "DefaultTolerationSeconds" => default_toleration_seconds(req, obj.as_deref_mut()),
            "DefaultStorageClass" => default_storage_class(req, obj.as_deref_mut(), informers),
            "StorageObjectInUseProtection" => storage_object_in_use_protection(req, obj.as_deref_mut()),
            "RuntimeClass" => runtime_class(req, obj.as_deref(), informers),
            "DefaultIngressClass" => default_ingress_class(req, obj.as_deref_mut(), informers),
            "MutatingAdmissionWebhook" => {
                let (outcome, each) = run_webhooks(req, obj.as_deref_mut(), WebhookKind::Mutating, webhooks);
                extra = each;
                outcome
            }
            _ => Outcome::NotApplicable,
        };
        if let Some(err) = record(&mut steps, p.name, Phase::Mutate, outcome, extra) {
            return (steps, Err(err));
        }
    }
    (steps, Ok(()))
}

/// Runs the validating plugins in order on the (mutated, schema-valid) object, stopping at the
/// first rejection.
pub fn validate(
    req: &Request,
    obj: Option<&Object>,
    old: Option<&Object>,
    informers: &impl Informers,
    webhooks: &[Webhook],
) -> (Vec<Step>, Result<(), Status>) {
    let mut steps = Vec::new();
    for p in PLUGINS.iter().filter(|p| p.validating) {
        let mut extra = Vec::new();
        let outcome = match p.name {
            "LimitRanger" => limit_ranger_validate(req, obj, old, informers),
            "ServiceAccount" => service_account_validate(req, obj, informers),
            "PodSecurity" => pod_security(req, obj, old, informers),
            "Priority" => applies_to(req, "priorityclasses"),
            "PersistentVolumeClaimResize" => {
                if req.operation == Operation::Update {
                    applies_to(req, "persistentvolumeclaims")
                } else {
                    Outcome::NotApplicable
                }
            }
            "RuntimeClass" => {
                if is_pod_create(req) && obj.is_some_and(|o| !object::str_at(o, "/spec/runtimeClassName").is_empty()) {
                    Outcome::Passed
                } else {
                    Outcome::NotApplicable
                }
            }
            "CertificateApproval" | "CertificateSigning" | "CertificateSubjectRestriction" => {
                applies_to(req, "certificatesigningrequests")
            }
            "ClusterTrustBundleAttest" => applies_to(req, "clustertrustbundles"),
            "ValidatingAdmissionWebhook" => {
                let mut copy = obj.cloned();
                let (outcome, each) = run_webhooks(req, copy.as_mut(), WebhookKind::Validating, webhooks);
                extra = each;
                outcome
            }
            "ResourceQuota" => resource_quota(req, obj, informers),
            // ValidatingAdmissionPolicy: inert in v1.27 (feature gate off).
            _ => Outcome::NotApplicable,
        };
        if let Some(err) = record(&mut steps, p.name, Phase::Validate, outcome, extra) {
            return (steps, Err(err));
        }
    }
    (steps, Ok(()))
}

fn record(steps: &mut Vec<Step>, name: &str, phase: Phase, outcome: Outcome, extra: Vec<Step>) -> Option<Status> {
    let rejected = match &outcome {
        Outcome::Rejected(s) => Some(s.clone()),
        _ => None,
    };
    steps.push(Step { plugin: name.to_string(), phase, outcome });
    steps.extend(extra);
    rejected
}

fn applies_to(req: &Request, resource: &str) -> Outcome {
    if req.resource.name == resource {
        Outcome::Passed
    } else {
        Outcome::NotApplicable
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// `GroupResource.String()`: `pods`, `deployments.apps`, `leases.coordination.k8s.io`.
pub fn qualified_resource(res: &ApiResource) -> String {
    if res.group.is_empty() {
        res.name.to_string()
    } else {
        format!("{}.{}", res.name, res.group)
    }
}

/// `admission.NewForbidden(a, err)`.
fn forbidden(req: &Request, obj: Option<&Object>, reason: impl fmt::Display) -> Status {
    let mut name = req.name.to_string();
    if name.is_empty() {
        if let Some(o) = obj {
            name = object::name(o).to_string();
            if name.is_empty() {
                name = object::str_at(o, "/metadata/generateName").to_string();
            }
        }
    }
    let res = qualified_resource(req.resource);
    if name.is_empty() {
        Status::forbidden(format!("{res} is forbidden: {reason}"))
    } else {
        Status::forbidden(format!("{res} \"{name}\" is forbidden: {reason}"))
    }
}

fn reject(req: &Request, obj: Option<&Object>, reason: impl fmt::Display) -> Outcome {
    Outcome::Rejected(forbidden(req, obj, reason))
}

fn is_pod(req: &Request) -> bool {
    req.resource.group.is_empty() && req.resource.name == "pods" && req.subresource.is_empty()
}

fn is_pod_create(req: &Request) -> bool {
    is_pod(req) && req.operation == Operation::Create
}

fn is_mirror_pod(pod: &Object) -> bool {
    pod.pointer("/metadata/annotations/kubernetes.io~1config.mirror").is_some()
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// A map inside `v` at `key`, created if missing.
fn map_mut<'a>(v: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    let m = v.as_object_mut().expect("made a map above");
    let entry = m.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry.as_object_mut().expect("made a map above")
}

/// The value at `key` inside `v` (both made maps if they are not).
fn child_mut<'a>(v: &'a mut Value, key: &str) -> &'a mut Value {
    map_mut(v, key);
    v.get_mut(key).expect("made above")
}

fn list_mut<'a>(v: &'a mut Value, key: &str) -> &'a mut Vec<Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    let m = v.as_object_mut().expect("made a map above");
    let entry = m.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = Value::Array(Vec::new());
    }
    entry.as_array_mut().expect("made a list above")
}

/// `"a", "b"` (pod-security-admission `joinQuote`).
fn join_quote(items: &[String]) -> String {
    items.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
}

fn pluralize<'a>(singular: &'a str, plural: &'a str, n: usize) -> &'a str {
    if n == 1 {
        singular
    } else {
        plural
    }
}

/// A `corev1.ResourceList`: (name, quantity) in name order.
pub(crate) type ResourceList = Vec<(String, Quantity)>;

/// A resource list (`requests`/`limits`) as quantities, in name order; unparsable entries skipped
/// (validation rejects them).
fn resource_list(v: Option<&Value>) -> Vec<(String, Quantity)> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, q)| quantity_of(q).map(|q| (k.clone(), q))).collect())
        .unwrap_or_default()
}

fn get_q(list: &[(String, Quantity)], name: &str) -> Option<Quantity> {
    list.iter().find(|(n, _)| n == name).map(|(_, q)| *q)
}

/// `quota.Add`: keys of either, summed where both (keeping the first's format).
fn add_lists(a: &mut Vec<(String, Quantity)>, b: &[(String, Quantity)]) {
    for (k, q) in b {
        match a.iter_mut().find(|(n, _)| n == k) {
            Some((_, x)) => *x = x.plus(*q),
            None => a.push((k.clone(), *q)),
        }
    }
    a.sort_by(|x, y| x.0.cmp(&y.0));
}

/// `quota.Max`.
fn max_lists(a: &mut Vec<(String, Quantity)>, b: &[(String, Quantity)]) {
    for (k, q) in b {
        match a.iter_mut().find(|(n, _)| n == k) {
            Some((_, x)) => {
                if q.milli > x.milli {
                    *x = *q;
                }
            }
            None => a.push((k.clone(), *q)),
        }
    }
    a.sort_by(|x, y| x.0.cmp(&y.0));
}

/// The pod spec inside a pod or a pod-template-bearing workload, and its template metadata.
fn pod_spec_of<'a>(resource: &str, obj: &'a Object) -> Option<(&'a Value, &'a Value)> {
    let template = match resource {
        "pods" => return obj.get("spec").map(|s| (obj.get("metadata").unwrap_or(&Value::Null), s)),
        "deployments"
        | "replicasets"
        | "statefulsets"
        | "daemonsets"
        | "jobs"
        | "replicationcontrollers"
        | "podtemplates" => obj.pointer("/spec/template").or_else(|| obj.get("template")),
        "cronjobs" => obj.pointer("/spec/jobTemplate/spec/template"),
        _ => None,
    }?;
    Some((template.get("metadata").unwrap_or(&Value::Null), template.get("spec")?))
}

// ---------------------------------------------------------------------------------------------
// NamespaceLifecycle.

const IMMORTAL_NAMESPACES: [&str; 3] = ["default", "kube-system", "kube-public"];

fn namespace_lifecycle(req: &Request, obj: Option<&Object>, informers: &impl Informers) -> Outcome {
    let is_namespace = req.resource.group.is_empty() && req.resource.name == "namespaces";
    if is_namespace {
        if req.operation == Operation::Delete && IMMORTAL_NAMESPACES.contains(&req.name) {
            return Outcome::Rejected(Status::forbidden(format!(
                "namespaces \"{}\" is forbidden: this namespace may not be deleted",
                req.name
            )));
        }
        return Outcome::Passed;
    }
    if req.namespace.is_empty() || !req.resource.namespaced || req.operation == Operation::Delete {
        return Outcome::NotApplicable;
    }
    let Some(ns) = informers.get("namespaces", "", req.namespace) else {
        return Outcome::Rejected(Status::not_found("namespaces", req.namespace));
    };
    let terminating = object::str_at(ns, "/status/phase") == "Terminating"
        || ns.pointer("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null());
    if req.operation == Operation::Create && terminating {
        return reject(
            req,
            obj,
            format!("unable to create new content in namespace {} because it is being terminated", req.namespace),
        );
    }
    Outcome::Passed
}

// ---------------------------------------------------------------------------------------------
// LimitRanger.

/// core/v1 `SetDefaults_LimitRangeItem`, which the API server applied when the LimitRange was
/// created: for Container items, `default` ← `max`, `defaultRequest` ← `default`, then ← `min`.
/// Applied again here in case a LimitRange reached the informers undefaulted.
pub fn default_limit_range(lr: &Value) -> Value {
    let mut lr = lr.clone();
    if let Some(Value::Array(limits)) = lr.pointer_mut("/spec/limits") {
        for item in limits.iter_mut() {
            if object::str_at(item, "/type") != "Container" {
                continue;
            }
            for (from, to) in [("max", "default"), ("default", "defaultRequest"), ("min", "defaultRequest")] {
                let source = item.get(from).and_then(Value::as_object).cloned().unwrap_or_default();
                if source.is_empty() {
                    continue;
                }
                let target = map_mut(item, to);
                for (k, v) in source {
                    target.entry(k).or_insert(v);
                }
            }
        }
    }
    lr
}

fn limit_ranges(namespace: &str, informers: &impl Informers) -> Vec<Value> {
    informers.list("limitranges", namespace).into_iter().map(default_limit_range).collect()
}

fn limit_ranger_mutate(
    req: &Request,
    obj: Option<&mut Object>,
    old: Option<&Object>,
    informers: &impl Informers,
) -> Outcome {
    // SupportsAttributes: pods on create (containers cannot change on update), no subresources.
    let Some(pod) = obj.filter(|_| is_pod_create(req)) else { return Outcome::NotApplicable };
    if old.is_some_and(|o| o.pointer("/metadata/deletionTimestamp").is_some()) {
        return Outcome::NotApplicable;
    }
    let mut note = None;
    for lr in limit_ranges(req.namespace, informers) {
        let (mut requests, mut limits) = (Map::new(), Map::new());
        for item in arr(lr.get("spec").unwrap_or(&Value::Null), "limits") {
            if object::str_at(item, "/type") != "Container" {
                continue;
            }
            for (k, v) in item.get("defaultRequest").and_then(Value::as_object).into_iter().flatten() {
                requests.insert(k.clone(), v.clone());
            }
            for (k, v) in item.get("default").and_then(Value::as_object).into_iter().flatten() {
                limits.insert(k.clone(), v.clone());
            }
        }
        let mut notes = Vec::new();
        for (key, prefix) in [("containers", "container"), ("initContainers", "init container")] {
            if let Some(Value::Array(cs)) = pod.pointer_mut(&format!("/spec/{key}")) {
                for c in cs.iter_mut() {
                    let cname = object::str_at(c, "/name").to_string();
                    let set_limits = fill_defaults(c, "limits", &limits);
                    let set_requests = fill_defaults(c, "requests", &requests);
                    if !set_requests.is_empty() {
                        notes.push(format!("{} request for {prefix} {cname}", set_requests.join(", ")));
                    }
                    if !set_limits.is_empty() {
                        notes.push(format!("{} limit for {prefix} {cname}", set_limits.join(", ")));
                    }
                }
            }
        }
        if !notes.is_empty() {
            let value = format!("LimitRanger plugin set: {}", notes.join("; "));
            let meta = object::metadata_mut(pod);
            let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
            if !annotations.is_object() {
                *annotations = Value::Object(Map::new());
            }
            if let Some(a) = annotations.as_object_mut() {
                a.insert("kubernetes.io/limit-ranger".into(), Value::String(value.clone()));
            }
            note = Some(value);
        }
    }
    match note {
        Some(n) => Outcome::Mutated(format!("annotation kubernetes.io/limit-ranger: {n}")),
        None => Outcome::Passed,
    }
}

/// Sets each of `defaults` the container's `resources.<which>` lacks (canonical quantities);
/// returns the names set, sorted.
fn fill_defaults(c: &mut Value, which: &str, defaults: &Map<String, Value>) -> Vec<String> {
    let have = c.pointer(&format!("/resources/{which}")).and_then(Value::as_object).cloned().unwrap_or_default();
    let missing: Vec<(&String, &Value)> = defaults.iter().filter(|(k, _)| !have.contains_key(*k)).collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let list = map_mut(child_mut(c, "resources"), which);
    let mut names = Vec::new();
    for (k, v) in missing {
        let canon = quantity_of(v).map_or_else(|| v.clone(), |q| Value::String(q.to_string()));
        list.insert(k.clone(), canon);
        names.push(k.clone());
    }
    names
}

// The constraint messages are the current ones (lower-case, no trailing period); the v1.10-era
// ones ended in '.'. That v1.27 already had today's text is UNCONFIRMED (it matches the fact sheet).
// One violation prints bare, several as `[a, b]` (apimachinery aggregate): the fact sheet's
// `[minimum memory usage …]` with brackets around a single message is not what the code does.
fn min_constraint(
    limit_type: &str,
    resource: &str,
    enforced: Quantity,
    req: Option<Quantity>,
    lim: Option<Quantity>,
) -> Option<String> {
    let Some(r) = req else {
        return Some(format!("minimum {resource} usage per {limit_type} is {enforced}.  No request is specified"));
    };
    if r.milli < enforced.milli {
        return Some(format!("minimum {resource} usage per {limit_type} is {enforced}, but request is {r}"));
    }
    if let Some(l) = lim.filter(|l| l.milli < enforced.milli) {
        return Some(format!("minimum {resource} usage per {limit_type} is {enforced}, but limit is {l}"));
    }
    None
}

fn max_constraint(
    limit_type: &str,
    resource: &str,
    enforced: Quantity,
    req: Option<Quantity>,
    lim: Option<Quantity>,
) -> Option<String> {
    let Some(l) = lim else {
        return Some(format!("maximum {resource} usage per {limit_type} is {enforced}.  No limit is specified"));
    };
    if l.milli > enforced.milli {
        return Some(format!("maximum {resource} usage per {limit_type} is {enforced}, but limit is {l}"));
    }
    if let Some(r) = req.filter(|r| r.milli > enforced.milli) {
        return Some(format!("maximum {resource} usage per {limit_type} is {enforced}, but request is {r}"));
    }
    None
}

/// `limitRequestRatioConstraint`; the ratio prints like Go's `%f` (six decimals), computed in
/// integers.
fn ratio_constraint(
    limit_type: &str,
    resource: &str,
    enforced: Quantity,
    req: Option<Quantity>,
    lim: Option<Quantity>,
) -> Option<String> {
    let r = req.filter(|r| r.milli != 0);
    let Some(r) = r else {
        return Some(format!(
            "{resource} max limit to request ratio per {limit_type} is {enforced}, but no request is specified or request is 0"
        ));
    };
    let Some(l) = lim.filter(|l| l.milli != 0) else {
        return Some(format!(
            "{resource} max limit to request ratio per {limit_type} is {enforced}, but no limit is specified or limit is 0"
        ));
    };
    if l.milli * 1000 > enforced.milli * r.milli {
        let micro = (l.milli * 1_000_000 * 2 + r.milli) / (2 * r.milli);
        return Some(format!(
            "{resource} max limit to request ratio per {limit_type} is {enforced}, but provided ratio is {}.{:06}",
            micro / 1_000_000,
            micro % 1_000_000
        ));
    }
    None
}

fn limit_ranger_validate(
    req: &Request,
    obj: Option<&Object>,
    old: Option<&Object>,
    informers: &impl Informers,
) -> Outcome {
    let Some(o) = obj else { return Outcome::NotApplicable };
    let is_pvc = req.resource.group.is_empty()
        && req.resource.name == "persistentvolumeclaims"
        && req.subresource.is_empty()
        && req.operation != Operation::Delete;
    if !is_pod_create(req) && !is_pvc {
        return Outcome::NotApplicable;
    }
    if old.is_some_and(|o| o.pointer("/metadata/deletionTimestamp").is_some()) {
        return Outcome::NotApplicable;
    }
    for lr in limit_ranges(req.namespace, informers) {
        let mut errs = Vec::new();
        for item in arr(lr.get("spec").unwrap_or(&Value::Null), "limits") {
            let ty = object::str_at(item, "/type");
            let mins = resource_list(item.get("min"));
            let maxs = resource_list(item.get("max"));
            let ratios = resource_list(item.get("maxLimitRequestRatio"));
            let check = |errs: &mut Vec<String>, reqs: &[(String, Quantity)], lims: &[(String, Quantity)]| {
                for (k, v) in &mins {
                    errs.extend(min_constraint(ty, k, *v, get_q(reqs, k), get_q(lims, k)));
                }
                for (k, v) in &maxs {
                    errs.extend(max_constraint(ty, k, *v, get_q(reqs, k), get_q(lims, k)));
                }
                for (k, v) in &ratios {
                    errs.extend(ratio_constraint(ty, k, *v, get_q(reqs, k), get_q(lims, k)));
                }
            };
            match (ty, is_pvc) {
                ("Container", false) => {
                    let spec = o.get("spec").unwrap_or(&Value::Null);
                    for c in arr(spec, "containers").iter().chain(arr(spec, "initContainers")) {
                        let reqs = resource_list(c.pointer("/resources/requests"));
                        let lims = resource_list(c.pointer("/resources/limits"));
                        check(&mut errs, &reqs, &lims);
                    }
                }
                ("Pod", false) => {
                    let (reqs, lims) = pod_requests_limits(o);
                    check(&mut errs, &reqs, &lims);
                }
                ("PersistentVolumeClaim", true) => {
                    let reqs = resource_list(o.pointer("/spec/resources/requests"));
                    for (k, v) in &mins {
                        errs.extend(min_constraint(ty, k, *v, get_q(&reqs, k), None));
                    }
                    for (k, v) in &maxs {
                        let r = get_q(&reqs, k);
                        errs.extend(match r {
                            None => Some(format!("maximum {k} usage per {ty} is {v}.  No request is specified")),
                            Some(r) if r.milli > v.milli => {
                                Some(format!("maximum {k} usage per {ty} is {v}, but request is {r}"))
                            }
                            Some(_) => None,
                        });
                    }
                }
                _ => {}
            }
        }
        if !errs.is_empty() {
            return reject(req, obj, aggregate(&errs));
        }
    }
    Outcome::Passed
}

/// A pod's requests and limits: containers summed, then the largest init container where
/// larger (`PodRequests`/`PodLimits` without overhead).
pub(crate) fn pod_requests_limits(pod: &Object) -> (ResourceList, ResourceList) {
    let spec = pod.get("spec").unwrap_or(&Value::Null);
    let (mut reqs, mut lims) = (Vec::new(), Vec::new());
    for c in arr(spec, "containers") {
        add_lists(&mut reqs, &resource_list(c.pointer("/resources/requests")));
        add_lists(&mut lims, &resource_list(c.pointer("/resources/limits")));
    }
    for c in arr(spec, "initContainers") {
        max_lists(&mut reqs, &resource_list(c.pointer("/resources/requests")));
        max_lists(&mut lims, &resource_list(c.pointer("/resources/limits")));
    }
    (reqs, lims)
}

// ---------------------------------------------------------------------------------------------
// ServiceAccount.

/// Where the token volume is mounted (`DefaultAPITokenMountPath`).
pub const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// `k8s.io/apimachinery/pkg/util/rand` `alphanums`: the 27 characters generated names use.
const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Five characters of `NAME_ALPHABET` derived from `material` (the API server draws them at
/// random; the lab derives them so a replay gives the same names).
pub fn name_suffix(material: &str) -> String {
    let mut h = Fnv64::default();
    h.write(material.as_bytes());
    let mut x = h.finish();
    (0..5)
        .map(|_| {
            let c = NAME_ALPHABET[(x % NAME_ALPHABET.len() as u64) as usize] as char;
            x /= NAME_ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// The projected volume the ServiceAccount plugin adds (`TokenVolumeSource`).
pub fn token_volume(name: &str) -> Value {
    json!({
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                            "path": "namespace"}]}}
            ]
        }
    })
}

fn service_account_mutate(req: &Request, obj: Option<&mut Object>, informers: &impl Informers) -> Outcome {
    let Some(pod) = obj.filter(|_| is_pod_create(req)) else { return Outcome::NotApplicable };
    if is_mirror_pod(pod) {
        // Mirror pods are left alone here and checked in the validating phase.
        return Outcome::Passed;
    }
    let mut changes = Vec::new();
    let mut sa_name = object::str_at(pod, "/spec/serviceAccountName").to_string();
    if sa_name.is_empty() {
        sa_name = object::str_at(pod, "/spec/serviceAccount").to_string();
    }
    if sa_name.is_empty() {
        sa_name = "default".to_string();
    }
    if object::str_at(pod, "/spec/serviceAccountName") != sa_name {
        changes.push(format!("serviceAccountName: {sa_name}"));
    }
    {
        let spec = map_mut(pod, "spec");
        spec.insert("serviceAccountName".into(), Value::String(sa_name.clone()));
        // The v1 API keeps the deprecated `serviceAccount` in step.
        spec.insert("serviceAccount".into(), Value::String(sa_name.clone()));
    }
    let Some(sa) = informers.get("serviceaccounts", req.namespace, &sa_name) else {
        return reject(
            req,
            Some(pod),
            format!(
                "error looking up service account {}/{sa_name}: serviceaccount \"{sa_name}\" not found",
                req.namespace
            ),
        );
    };
    let automount = pod
        .pointer("/spec/automountServiceAccountToken")
        .and_then(Value::as_bool)
        .or_else(|| sa.get("automountServiceAccountToken").and_then(Value::as_bool))
        .unwrap_or(true);
    if automount {
        let existing = arr(pod.get("spec").unwrap_or(&Value::Null), "volumes")
            .iter()
            .map(|v| object::str_at(v, "/name").to_string())
            .find(|n| n.starts_with("kube-api-access-"));
        let volume_name = existing.clone().unwrap_or_else(|| {
            let material = format!(
                "{}/{}/{}/{}",
                req.namespace,
                object::name(pod),
                object::str_at(pod, "/metadata/generateName"),
                object::str_at(pod, "/metadata/uid")
            );
            format!("kube-api-access-{}", name_suffix(&material))
        });
        let mount = json!({"mountPath": TOKEN_MOUNT_PATH, "name": volume_name, "readOnly": true});
        let mut mounted = Vec::new();
        for key in ["initContainers", "containers"] {
            if let Some(Value::Array(cs)) = pod.pointer_mut(&format!("/spec/{key}")) {
                for c in cs.iter_mut() {
                    let has =
                        arr(c, "volumeMounts").iter().any(|m| object::str_at(m, "/mountPath") == TOKEN_MOUNT_PATH);
                    if !has {
                        list_mut(c, "volumeMounts").push(mount.clone());
                        mounted.push(object::str_at(c, "/name").to_string());
                    }
                }
            }
        }
        if existing.is_none() && !mounted.is_empty() {
            list_mut(child_mut(pod, "spec"), "volumes").push(token_volume(&volume_name));
        }
        if !mounted.is_empty() {
            changes.push(format!("token volume {volume_name} mounted at {TOKEN_MOUNT_PATH} in {}", mounted.join(", ")));
        }
    }
    let pull = arr(sa, "imagePullSecrets").to_vec();
    if arr(pod.get("spec").unwrap_or(&Value::Null), "imagePullSecrets").is_empty() && !pull.is_empty() {
        let names: Vec<Value> = pull.iter().map(|s| json!({"name": object::str_at(s, "/name")})).collect();
        map_mut(pod, "spec").insert("imagePullSecrets".into(), Value::Array(names));
        changes.push("imagePullSecrets from the service account".to_string());
    }
    if changes.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Mutated(changes.join("; "))
    }
}

fn service_account_validate(req: &Request, obj: Option<&Object>, informers: &impl Informers) -> Outcome {
    let Some(pod) = obj.filter(|_| is_pod_create(req)) else { return Outcome::NotApplicable };
    let spec = pod.get("spec").unwrap_or(&Value::Null);
    if is_mirror_pod(pod) {
        if !object::str_at(spec, "/serviceAccountName").is_empty() {
            return reject(req, obj, "a mirror pod may not reference service accounts");
        }
        if arr(spec, "volumes").iter().any(|v| v.get("secret").is_some()) {
            return reject(req, obj, "a mirror pod may not reference secrets");
        }
        if arr(spec, "volumes").iter().any(|v| v.get("configMap").is_some()) {
            return reject(req, obj, "a mirror pod may not reference configmaps");
        }
        return Outcome::Passed;
    }
    let sa = object::str_at(spec, "/serviceAccountName");
    if sa.is_empty() {
        return reject(
            req,
            obj,
            format!("no service account specified for pod {}/{}", req.namespace, object::name(pod)),
        );
    }
    if informers.get("serviceaccounts", req.namespace, sa).is_none() {
        return reject(
            req,
            obj,
            format!("error looking up service account {}/{sa}: serviceaccount \"{sa}\" not found", req.namespace),
        );
    }
    Outcome::Passed
}

// ---------------------------------------------------------------------------------------------
// NodeRestriction.

/// The node a kubelet's credentials name (`system:node:<name>` in group `system:nodes`).
fn node_identity(user: &UserInfo) -> Option<&str> {
    if !user.groups.iter().any(|g| g == "system:nodes") {
        return None;
    }
    Some(user.name.strip_prefix("system:node:").unwrap_or(""))
}

fn node_restriction(req: &Request, obj: Option<&Object>, old: Option<&Object>, informers: &impl Informers) -> Outcome {
    let Some(node) = node_identity(req.user) else { return Outcome::NotApplicable };
    if node.is_empty() {
        return reject(req, obj, format!("could not determine node from user \"{}\"", req.user.name));
    }
    match (req.resource.group, req.resource.name, req.subresource) {
        ("", "pods", "") => match req.operation {
            Operation::Create => {
                let Some(pod) = obj else { return Outcome::Passed };
                if !is_mirror_pod(pod) {
                    return reject(
                        req,
                        obj,
                        format!("pod does not have \"kubernetes.io/config.mirror\" annotation, node \"{node}\" can only create mirror pods"),
                    );
                }
                if object::str_at(pod, "/spec/nodeName") != node {
                    return reject(
                        req,
                        obj,
                        format!("node \"{node}\" can only create pods with spec.nodeName set to itself"),
                    );
                }
                Outcome::Passed
            }
            Operation::Delete => {
                let existing = old.or_else(|| informers.get("pods", req.namespace, req.name));
                match existing {
                    None => Outcome::Rejected(Status::not_found("pods", req.name)),
                    Some(p) if object::str_at(p, "/spec/nodeName") != node => reject(
                        req,
                        obj,
                        format!("node \"{node}\" can only delete pods with spec.nodeName set to itself"),
                    ),
                    Some(_) => Outcome::Passed,
                }
            }
            Operation::Update => reject(
                req,
                obj,
                format!("unexpected operation \"UPDATE\", node \"{node}\" can only create and delete mirror pods"),
            ),
        },
        ("", "pods", "status") => {
            if req.operation != Operation::Update {
                return reject(req, obj, format!("unexpected operation \"{}\"", req.operation.as_str()));
            }
            let Some(old) = old else { return Outcome::Passed };
            if object::str_at(old, "/spec/nodeName") != node {
                return reject(
                    req,
                    obj,
                    format!("node \"{node}\" can only update pod status for pods with spec.nodeName set to itself"),
                );
            }
            if obj.and_then(|o| o.pointer("/metadata/labels")) != old.pointer("/metadata/labels") {
                return reject(req, obj, format!("node \"{node}\" cannot update labels through pod status"));
            }
            Outcome::Passed
        }
        ("", "nodes", _) => {
            let requested = if req.name.is_empty() { obj.map(object::name).unwrap_or("") } else { req.name };
            if requested != node {
                return reject(req, obj, format!("node \"{node}\" is not allowed to modify node \"{requested}\""));
            }
            if req.operation == Operation::Update {
                if let (Some(new), Some(old)) = (obj, old) {
                    if new.pointer("/spec/taints") != old.pointer("/spec/taints") {
                        return reject(req, obj, format!("node \"{node}\" is not allowed to modify taints"));
                    }
                }
            }
            Outcome::Passed
        }
        ("", "pods", "eviction") => {
            if req.operation != Operation::Create {
                return reject(req, obj, format!("unexpected operation {}", req.operation.as_str()));
            }
            // The pod named in the URL, else the Eviction's own name.
            let pod = if req.name.is_empty() { obj.map(object::name).unwrap_or("") } else { req.name };
            if pod.is_empty() {
                return reject(req, obj, "could not determine pod from request data");
            }
            match informers.get("pods", req.namespace, pod) {
                None => Outcome::Rejected(Status::not_found("pods", pod)),
                Some(p) if object::str_at(p, "/spec/nodeName") != node => {
                    reject(req, obj, format!("node {node} can only evict pods with spec.nodeName set to itself"))
                }
                Some(_) => Outcome::Passed,
            }
        }
        ("", "pods", sub) => {
            reject(req, obj, format!("unexpected pod subresource \"{sub}\", only 'status' and 'eviction' are allowed"))
        }
        ("coordination.k8s.io", "leases", _) => {
            if req.namespace != "kube-node-lease" {
                return reject(req, obj, "can only access leases in the \"kube-node-lease\" system namespace");
            }
            let lease = if req.operation == Operation::Create { obj.map(object::name).unwrap_or("") } else { req.name };
            if lease != node {
                return reject(req, obj, "can only access node lease with the same name as the requesting node");
            }
            Outcome::Passed
        }
        _ => Outcome::NotApplicable,
    }
}

// ---------------------------------------------------------------------------------------------
// TaintNodesByCondition, DefaultTolerationSeconds, Priority, storage, ingress, RuntimeClass.

fn taint_nodes_by_condition(req: &Request, obj: Option<&mut Object>) -> Outcome {
    let is_node_create = req.resource.group.is_empty()
        && req.resource.name == "nodes"
        && req.subresource.is_empty()
        && req.operation == Operation::Create;
    let Some(node) = obj.filter(|_| is_node_create) else { return Outcome::NotApplicable };
    let taint = json!({"effect": "NoSchedule", "key": "node.kubernetes.io/not-ready"});
    let list = list_mut(child_mut(node, "spec"), "taints");
    let has = |t: &Value| {
        object::str_at(t, "/key") == "node.kubernetes.io/not-ready" && object::str_at(t, "/effect") == "NoSchedule"
    };
    if list.iter().any(has) {
        return Outcome::Passed;
    }
    list.push(taint);
    Outcome::Mutated("taint node.kubernetes.io/not-ready:NoSchedule".to_string())
}

fn default_toleration_seconds(req: &Request, obj: Option<&mut Object>) -> Outcome {
    let Some(pod) = obj.filter(|_| is_pod_create(req)) else { return Outcome::NotApplicable };
    let tolerations = arr(pod.get("spec").unwrap_or(&Value::Null), "tolerations").to_vec();
    let tolerates = |key: &str| {
        tolerations.iter().any(|t| {
            let k = object::str_at(t, "/key");
            let e = object::str_at(t, "/effect");
            (k == key || k.is_empty()) && (e == "NoExecute" || e.is_empty())
        })
    };
    let mut added = Vec::new();
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        if !tolerates(key) {
            let t = json!({"effect": "NoExecute", "key": key, "operator": "Exists", "tolerationSeconds": 300});
            list_mut(child_mut(pod, "spec"), "tolerations").push(t);
            added.push(format!("{key}:NoExecute for 300s"));
        }
    }
    if added.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Mutated(format!("tolerations {}", added.join(", ")))
    }
}

/// The built-in PriorityClasses the API server creates at start-up (`SystemPriorityClasses`),
/// for when the informers do not hold them.
const SYSTEM_PRIORITY_CLASSES: [(&str, i64); 2] =
    [("system-node-critical", 2_000_001_000), ("system-cluster-critical", 2_000_000_000)];

fn priority_class(name: &str, informers: &impl Informers) -> Option<(i64, String)> {
    if let Some(pc) = informers.get("priorityclasses", "", name) {
        let value = pc.get("value").and_then(Value::as_i64).unwrap_or(0);
        let policy = pc.get("preemptionPolicy").and_then(Value::as_str).unwrap_or("PreemptLowerPriority");
        return Some((value, policy.to_string()));
    }
    SYSTEM_PRIORITY_CLASSES.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v, "PreemptLowerPriority".to_string()))
}

fn priority_mutate(
    req: &Request,
    obj: Option<&mut Object>,
    old: Option<&Object>,
    informers: &impl Informers,
) -> Outcome {
    let Some(pod) = obj.filter(|_| is_pod(req)) else { return Outcome::NotApplicable };
    match req.operation {
        Operation::Update => {
            // Keep the priority set at creation.
            if pod.pointer("/spec/priority").is_none() {
                if let Some(p) = old.and_then(|o| o.pointer("/spec/priority")).cloned() {
                    map_mut(pod, "spec").insert("priority".into(), p);
                    return Outcome::Mutated("priority kept from the stored pod".to_string());
                }
            }
            Outcome::Passed
        }
        Operation::Delete => Outcome::NotApplicable,
        Operation::Create => {
            let class = object::str_at(pod, "/spec/priorityClassName").to_string();
            let (value, policy, class_name) = if class.is_empty() {
                let mut defaults: Vec<(i64, String, String)> = informers
                    .list("priorityclasses", "")
                    .into_iter()
                    .filter(|pc| pc.get("globalDefault").and_then(Value::as_bool) == Some(true))
                    .map(|pc| {
                        (
                            pc.get("value").and_then(Value::as_i64).unwrap_or(0),
                            pc.get("preemptionPolicy")
                                .and_then(Value::as_str)
                                .unwrap_or("PreemptLowerPriority")
                                .to_string(),
                            object::name(pc).to_string(),
                        )
                    })
                    .collect();
                defaults.sort();
                defaults.into_iter().next().unwrap_or((0, "PreemptLowerPriority".to_string(), String::new()))
            } else {
                match priority_class(&class, informers) {
                    Some((v, p)) => (v, p, class.clone()),
                    None => return reject(req, Some(pod), format!("no PriorityClass with name {class} was found")),
                }
            };
            if let Some(given) = pod.pointer("/spec/priority").and_then(Value::as_i64) {
                if given != value {
                    return reject(
                        req,
                        Some(pod),
                        format!("the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {value} from the given PriorityClass name"),
                    );
                }
            }
            // UNCONFIRMED wording (from memory of v1.27's admitPod).
            if let Some(given) = pod.pointer("/spec/preemptionPolicy").and_then(Value::as_str) {
                if given != policy {
                    return reject(
                        req,
                        Some(pod),
                        format!("the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name"),
                    );
                }
            }
            let spec = map_mut(pod, "spec");
            if !class_name.is_empty() {
                spec.insert("priorityClassName".into(), Value::String(class_name.clone()));
            }
            spec.insert("priority".into(), json!(value));
            spec.insert("preemptionPolicy".into(), Value::String(policy.clone()));
            let from = if class_name.is_empty() { String::new() } else { format!(" ({class_name})") };
            Outcome::Mutated(format!("priority: {value}{from}; preemptionPolicy: {policy}"))
        }
    }
}

/// The first object of `resource` whose `annotation` is `"true"` (default StorageClass,
/// IngressClass).
fn default_class(resource: &str, annotations: &[&str], informers: &impl Informers) -> Option<String> {
    informers
        .list(resource, "")
        .into_iter()
        .find(|c| {
            annotations.iter().any(|a| {
                c.pointer(&format!("/metadata/annotations/{}", a.replace('/', "~1"))).and_then(Value::as_str)
                    == Some("true")
            })
        })
        .map(|c| object::name(c).to_string())
}

fn default_storage_class(req: &Request, obj: Option<&mut Object>, informers: &impl Informers) -> Outcome {
    let is_pvc_create = req.resource.name == "persistentvolumeclaims"
        && req.subresource.is_empty()
        && req.operation == Operation::Create;
    let Some(pvc) = obj.filter(|_| is_pvc_create) else { return Outcome::NotApplicable };
    if pvc.pointer("/spec/storageClassName").is_some() {
        return Outcome::Passed;
    }
    let annotations =
        ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];
    match default_class("storageclasses", &annotations, informers) {
        Some(class) => {
            map_mut(pvc, "spec").insert("storageClassName".into(), Value::String(class.clone()));
            Outcome::Mutated(format!("storageClassName: {class}"))
        }
        None => Outcome::Passed,
    }
}

fn storage_object_in_use_protection(req: &Request, obj: Option<&mut Object>) -> Outcome {
    let finalizer = match req.resource.name {
        "persistentvolumeclaims" => "kubernetes.io/pvc-protection",
        "persistentvolumes" => "kubernetes.io/pv-protection",
        _ => return Outcome::NotApplicable,
    };
    if !req.subresource.is_empty() || req.operation != Operation::Create {
        return Outcome::NotApplicable;
    }
    let Some(o) = obj else { return Outcome::NotApplicable };
    let meta = object::metadata_mut(o);
    let list = meta.entry("finalizers").or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    let list = list.as_array_mut().expect("made a list above");
    if list.iter().any(|f| f.as_str() == Some(finalizer)) {
        return Outcome::Passed;
    }
    list.push(Value::String(finalizer.to_string()));
    Outcome::Mutated(format!("finalizer {finalizer}"))
}

fn default_ingress_class(req: &Request, obj: Option<&mut Object>, informers: &impl Informers) -> Outcome {
    let is_create =
        req.resource.name == "ingresses" && req.subresource.is_empty() && req.operation == Operation::Create;
    let Some(ing) = obj.filter(|_| is_create) else { return Outcome::NotApplicable };
    if ing.pointer("/spec/ingressClassName").is_some()
        || ing.pointer("/metadata/annotations/kubernetes.io~1ingress.class").is_some()
    {
        return Outcome::Passed;
    }
    match default_class("ingressclasses", &["ingressclass.kubernetes.io/is-default-class"], informers) {
        Some(class) => {
            map_mut(ing, "spec").insert("ingressClassName".into(), Value::String(class.clone()));
            Outcome::Mutated(format!("ingressClassName: {class}"))
        }
        None => Outcome::Passed,
    }
}

fn runtime_class(req: &Request, obj: Option<&Object>, informers: &impl Informers) -> Outcome {
    let Some(pod) = obj.filter(|_| is_pod_create(req)) else { return Outcome::NotApplicable };
    let class = object::str_at(pod, "/spec/runtimeClassName");
    if class.is_empty() {
        return Outcome::NotApplicable;
    }
    if informers.get("runtimeclasses", "", class).is_none() {
        // UNCONFIRMED wording (from memory of plugin/pkg/admission/runtimeclass).
        return reject(req, obj, format!("pod rejected: RuntimeClass \"{class}\" not found"));
    }
    Outcome::Passed
}

// ---------------------------------------------------------------------------------------------
// PodSecurity (pod-security-admission v0.27.3).

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// A level and a version (`None`: latest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LevelVersion {
    level: Level,
    minor: Option<u32>,
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.minor {
            None => write!(f, "{}:latest", self.level.as_str()),
            Some(m) => write!(f, "{}:v1.{m}", self.level.as_str()),
        }
    }
}

struct Policy {
    enforce: LevelVersion,
    warn: LevelVersion,
}

const PSA_PREFIX: &str = "pod-security.kubernetes.io/";

/// `api.PolicyToEvaluate`: the namespace labels' policy (defaults privileged:latest), with the
/// label errors (an unparsable enforce level fails closed to restricted; warn fails open).
fn policy_to_evaluate(labels: Option<&Value>) -> (Policy, Vec<FieldError>) {
    let privileged = LevelVersion { level: Level::Privileged, minor: None };
    let mut p = Policy { enforce: privileged, warn: privileged };
    let mut errs = Vec::new();
    let label = |k: &str| labels.and_then(|l| l.get(format!("{PSA_PREFIX}{k}"))).and_then(Value::as_str);
    let field = |k: &str| format!("metadata.labels[{PSA_PREFIX}{k}]");
    let parse_level = |v: &str| match v {
        "privileged" => Some(Level::Privileged),
        "baseline" => Some(Level::Baseline),
        "restricted" => Some(Level::Restricted),
        _ => None,
    };
    let parse_version = |v: &str| -> Result<Option<u32>, ()> {
        if v == "latest" {
            return Ok(None);
        }
        v.strip_prefix("v1.").and_then(|m| m.parse::<u32>().ok()).map(Some).ok_or(())
    };
    let level_err = "must be one of privileged, baseline, restricted";
    let version_err = "must be \"latest\" or \"v1.x\"";
    let mut has_enforce = false;
    let (mut has_warn, mut has_warn_version) = (false, false);
    if let Some(v) = label("enforce") {
        match parse_level(v) {
            Some(l) => {
                p.enforce.level = l;
                has_enforce = true;
            }
            None => {
                p.enforce.level = Level::Restricted;
                errs.push(FieldError::invalid(&field("enforce"), validation::go_quote(v), level_err));
            }
        }
    }
    if let Some(v) = label("enforce-version") {
        match parse_version(v) {
            Ok(m) => p.enforce.minor = m,
            Err(()) => errs.push(FieldError::invalid(&field("enforce-version"), validation::go_quote(v), version_err)),
        }
    }
    if let Some(v) = label("audit") {
        if parse_level(v).is_none() {
            errs.push(FieldError::invalid(&field("audit"), validation::go_quote(v), level_err));
        }
    }
    if let Some(v) = label("audit-version") {
        if parse_version(v).is_err() {
            errs.push(FieldError::invalid(&field("audit-version"), validation::go_quote(v), version_err));
        }
    }
    if let Some(v) = label("warn") {
        has_warn = true;
        match parse_level(v) {
            Some(l) => p.warn.level = l,
            None => errs.push(FieldError::invalid(&field("warn"), validation::go_quote(v), level_err)),
        }
    }
    if let Some(v) = label("warn-version") {
        has_warn_version = true;
        match parse_version(v) {
            Ok(m) => p.warn.minor = m,
            Err(()) => errs.push(FieldError::invalid(&field("warn-version"), validation::go_quote(v), version_err)),
        }
    }
    // Warn defaults to the enforce level when enforce is stricter and warn is unset.
    if !has_warn && has_enforce && p.enforce.level > p.warn.level {
        p.warn.level = p.enforce.level;
        if !has_warn_version {
            p.warn.minor = p.enforce.minor;
        }
    }
    (p, errs)
}

/// Every container of a pod spec, init containers first (`visitContainers`).
fn all_containers(spec: &Value) -> impl Iterator<Item = &Value> {
    arr(spec, "initContainers").iter().chain(arr(spec, "containers")).chain(arr(spec, "ephemeralContainers"))
}

fn cname(c: &Value) -> String {
    object::str_at(c, "/name").to_string()
}

/// One failed check: (`ForbiddenReason`, `ForbiddenDetail`).
type CheckResult = Option<(String, String)>;

fn containers_where(spec: &Value, bad: impl Fn(&Value) -> bool) -> Vec<String> {
    all_containers(spec).filter(|c| bad(c)).map(cname).collect()
}

fn check_capabilities_baseline(spec: &Value) -> CheckResult {
    const ALLOWED: [&str; 13] = [
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ];
    let mut caps: Vec<String> = Vec::new();
    let bad = containers_where(spec, |c| {
        let mut b = false;
        for cap in arr(c.pointer("/securityContext/capabilities").unwrap_or(&Value::Null), "add") {
            let cap = cap.as_str().unwrap_or("");
            if !ALLOWED.contains(&cap) {
                b = true;
            }
        }
        b
    });
    if bad.is_empty() {
        return None;
    }
    for c in all_containers(spec) {
        for cap in arr(c.pointer("/securityContext/capabilities").unwrap_or(&Value::Null), "add") {
            let cap = cap.as_str().unwrap_or("").to_string();
            if !ALLOWED.contains(&cap.as_str()) && !caps.contains(&cap) {
                caps.push(cap);
            }
        }
    }
    caps.sort();
    Some((
        "non-default capabilities".into(),
        format!(
            "{} {} must not include {} in securityContext.capabilities.add",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad),
            join_quote(&caps)
        ),
    ))
}

fn check_host_namespaces(spec: &Value) -> CheckResult {
    let on = |k: &str| spec.get(k).and_then(Value::as_bool) == Some(true);
    let list: Vec<&str> =
        [("hostNetwork", "hostNetwork=true"), ("hostPID", "hostPID=true"), ("hostIPC", "hostIPC=true")]
            .iter()
            .filter(|(k, _)| on(k))
            .map(|(_, s)| *s)
            .collect();
    (!list.is_empty()).then(|| ("host namespaces".into(), list.join(", ")))
}

fn check_host_path_volumes(spec: &Value) -> CheckResult {
    let vols: Vec<String> = arr(spec, "volumes")
        .iter()
        .filter(|v| v.get("hostPath").is_some())
        .map(|v| object::str_at(v, "/name").to_string())
        .collect();
    (!vols.is_empty()).then(|| {
        ("hostPath volumes".into(), format!("{} {}", pluralize("volume", "volumes", vols.len()), join_quote(&vols)))
    })
}

fn check_host_ports(spec: &Value) -> CheckResult {
    let mut ports: Vec<i64> = Vec::new();
    let bad = containers_where(spec, |c| {
        arr(c, "ports").iter().any(|p| p.get("hostPort").and_then(Value::as_i64).unwrap_or(0) != 0)
    });
    if bad.is_empty() {
        return None;
    }
    for c in all_containers(spec) {
        for p in arr(c, "ports") {
            let hp = p.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
            if hp != 0 && !ports.contains(&hp) {
                ports.push(hp);
            }
        }
    }
    // sets.String.List(): sorted as strings.
    let mut ports: Vec<String> = ports.iter().map(i64::to_string).collect();
    ports.sort();
    Some((
        "hostPort".into(),
        format!(
            "{} {} {} {} {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
    ))
}

fn check_privileged(spec: &Value) -> CheckResult {
    let bad =
        containers_where(spec, |c| c.pointer("/securityContext/privileged").and_then(Value::as_bool) == Some(true));
    (!bad.is_empty()).then(|| {
        (
            "privileged".into(),
            format!(
                "{} {} must not set securityContext.privileged=true",
                pluralize("container", "containers", bad.len()),
                join_quote(&bad)
            ),
        )
    })
}

fn check_proc_mount(spec: &Value) -> CheckResult {
    let pm = |c: &Value| c.pointer("/securityContext/procMount").and_then(Value::as_str).map(str::to_string);
    let bad = containers_where(spec, |c| pm(c).is_some_and(|v| v != "Default"));
    if bad.is_empty() {
        return None;
    }
    let mut values: Vec<String> = all_containers(spec).filter_map(pm).filter(|v| v != "Default").collect();
    values.sort();
    values.dedup();
    Some((
        "procMount".into(),
        format!(
            "{} {} must not set securityContext.procMount to {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad),
            join_quote(&values)
        ),
    ))
}

fn valid_seccomp(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

/// Pod and containers explicitly setting a seccomp type other than RuntimeDefault/Localhost
/// (both seccompProfile checks start with this).
fn seccomp_explicitly_bad(spec: &Value) -> (Vec<String>, Vec<String>) {
    let mut setters = Vec::new();
    let mut values: Vec<String> = Vec::new();
    if let Some(t) = spec.pointer("/securityContext/seccompProfile/type").and_then(Value::as_str) {
        if !valid_seccomp(t) {
            setters.push("pod".to_string());
            values.push(t.to_string());
        }
    }
    let mut bad = Vec::new();
    for c in all_containers(spec) {
        if let Some(t) = c.pointer("/securityContext/seccompProfile/type").and_then(Value::as_str) {
            if !valid_seccomp(t) {
                bad.push(cname(c));
                values.push(t.to_string());
            }
        }
    }
    if !bad.is_empty() {
        setters.push(format!("{} {}", pluralize("container", "containers", bad.len()), join_quote(&bad)));
    }
    values.sort();
    values.dedup();
    (setters, values)
}

fn check_seccomp_baseline(spec: &Value) -> CheckResult {
    let (setters, values) = seccomp_explicitly_bad(spec);
    (!setters.is_empty()).then(|| {
        (
            "seccompProfile".into(),
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                join_quote(&values)
            ),
        )
    })
}

fn check_allow_privilege_escalation(spec: &Value) -> CheckResult {
    let bad = containers_where(spec, |c| {
        c.pointer("/securityContext/allowPrivilegeEscalation").and_then(Value::as_bool) != Some(false)
    });
    (!bad.is_empty()).then(|| {
        (
            "allowPrivilegeEscalation != false".into(),
            format!(
                "{} {} must set securityContext.allowPrivilegeEscalation=false",
                pluralize("container", "containers", bad.len()),
                join_quote(&bad)
            ),
        )
    })
}

fn check_capabilities_restricted(spec: &Value) -> CheckResult {
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut caps: Vec<String> = Vec::new();
    for c in all_containers(spec) {
        let Some(capabilities) = c.pointer("/securityContext/capabilities").filter(|v| !v.is_null()) else {
            missing_drop.push(cname(c));
            continue;
        };
        if !arr(capabilities, "drop").iter().any(|d| d.as_str() == Some("ALL")) {
            missing_drop.push(cname(c));
        }
        let mut forbidden = false;
        for a in arr(capabilities, "add") {
            let a = a.as_str().unwrap_or("");
            if a != "NET_BIND_SERVICE" {
                forbidden = true;
                if !caps.iter().any(|x| x == a) {
                    caps.push(a.to_string());
                }
            }
        }
        if forbidden {
            adding.push(cname(c));
        }
    }
    caps.sort();
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            "{} {} must set securityContext.capabilities.drop=[\"ALL\"]",
            pluralize("container", "containers", missing_drop.len()),
            join_quote(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        details.push(format!(
            "{} {} must not include {} in securityContext.capabilities.add",
            pluralize("container", "containers", adding.len()),
            join_quote(&adding),
            join_quote(&caps)
        ));
    }
    (!details.is_empty()).then(|| ("unrestricted capabilities".into(), details.join("; ")))
}

fn check_restricted_volumes(spec: &Value) -> CheckResult {
    const ALLOWED: [&str; 8] =
        ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
    let mut bad = Vec::new();
    let mut types: Vec<String> = Vec::new();
    for v in arr(spec, "volumes") {
        let Some(m) = v.as_object() else { continue };
        let source = m.keys().find(|k| k.as_str() != "name").cloned().unwrap_or_default();
        if ALLOWED.contains(&source.as_str()) {
            continue;
        }
        bad.push(object::str_at(v, "/name").to_string());
        let ty = if source.is_empty() { "unknown".to_string() } else { source };
        if !types.contains(&ty) {
            types.push(ty);
        }
    }
    types.sort();
    (!bad.is_empty()).then(|| {
        (
            "restricted volume types".into(),
            format!(
                "{} {} {} {} {}",
                pluralize("volume", "volumes", bad.len()),
                join_quote(&bad),
                pluralize("uses", "use", bad.len()),
                pluralize("restricted volume type", "restricted volume types", types.len()),
                join_quote(&types)
            ),
        )
    })
}

/// The runAsNonRoot/seccompProfile pattern: pod-level setting, explicit bad containers, implicit
/// ones (neither pod nor container set it).
fn check_run_as_non_root(spec: &Value) -> CheckResult {
    let mut setters = Vec::new();
    let mut pod_ok = false;
    if let Some(v) = spec.pointer("/securityContext/runAsNonRoot").and_then(Value::as_bool) {
        if v {
            pod_ok = true;
        } else {
            setters.push("pod".to_string());
        }
    }
    let (mut explicit, mut implicit) = (Vec::new(), Vec::new());
    for c in all_containers(spec) {
        match c.pointer("/securityContext/runAsNonRoot").and_then(Value::as_bool) {
            Some(false) => explicit.push(cname(c)),
            Some(true) => {}
            None if !pod_ok => implicit.push(cname(c)),
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(format!("{} {}", pluralize("container", "containers", explicit.len()), join_quote(&explicit)));
    }
    if !setters.is_empty() {
        return Some((
            "runAsNonRoot != true".into(),
            format!("{} must not set securityContext.runAsNonRoot=false", setters.join(" and ")),
        ));
    }
    (!implicit.is_empty()).then(|| {
        (
            "runAsNonRoot != true".into(),
            format!(
                "pod or {} {} must set securityContext.runAsNonRoot=true",
                pluralize("container", "containers", implicit.len()),
                join_quote(&implicit)
            ),
        )
    })
}

fn check_run_as_user(spec: &Value) -> CheckResult {
    let mut setters = Vec::new();
    if spec.pointer("/securityContext/runAsUser").and_then(Value::as_i64) == Some(0) {
        setters.push("pod".to_string());
    }
    let bad = containers_where(spec, |c| c.pointer("/securityContext/runAsUser").and_then(Value::as_i64) == Some(0));
    if !bad.is_empty() {
        setters.push(format!("{} {}", pluralize("container", "containers", bad.len()), join_quote(&bad)));
    }
    (!setters.is_empty()).then(|| ("runAsUser=0".into(), format!("{} must not set runAsUser=0", setters.join(" and "))))
}

fn check_seccomp_restricted(spec: &Value) -> CheckResult {
    if let Some(r) = check_seccomp_baseline(spec) {
        return Some(r);
    }
    let pod_set =
        spec.pointer("/securityContext/seccompProfile/type").and_then(Value::as_str).is_some_and(valid_seccomp);
    let implicit: Vec<String> = if pod_set {
        Vec::new()
    } else {
        containers_where(spec, |c| c.pointer("/securityContext/seccompProfile").is_none_or(Value::is_null))
    };
    (!implicit.is_empty()).then(|| {
        (
            "seccompProfile".into(),
            format!(
                "pod or {} {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                pluralize("container", "containers", implicit.len()),
                join_quote(&implicit)
            ),
        )
    })
}

/// The checks of a level and version, in the registry's order: baseline IDs sorted, then
/// restricted IDs sorted, overridden baseline checks dropped. Not modelled: appArmorProfile,
/// seLinuxOptions, sysctls, windowsHostProcess (the lab's pods never set them) and the Windows
/// exemptions.
fn evaluate_pod(lv: LevelVersion, spec: &Value) -> Vec<(String, String)> {
    if lv.level == Level::Privileged {
        return Vec::new();
    }
    let minor = lv.minor.unwrap_or(u32::MAX);
    let restricted = lv.level == Level::Restricted;
    let mut checks: Vec<fn(&Value) -> CheckResult> = Vec::new();
    // Baseline (sorted IDs): capabilities_baseline, hostNamespaces, hostPathVolumes, hostPorts,
    // privileged, procMount, seccompProfile_baseline.
    if !(restricted && minor >= 22) {
        checks.push(check_capabilities_baseline);
    }
    checks.push(check_host_namespaces);
    if !restricted {
        checks.push(check_host_path_volumes);
    }
    checks.push(check_host_ports);
    checks.push(check_privileged);
    checks.push(check_proc_mount);
    if !(restricted && minor >= 19) {
        checks.push(check_seccomp_baseline);
    }
    if restricted {
        // Restricted (sorted IDs): allowPrivilegeEscalation (1.8+), capabilities_restricted
        // (1.22+), restrictedVolumes, runAsNonRoot, runAsUser (1.23+), seccompProfile_restricted
        // (1.19+).
        if minor >= 8 {
            checks.push(check_allow_privilege_escalation);
        }
        if minor >= 22 {
            checks.push(check_capabilities_restricted);
        }
        checks.push(check_restricted_volumes);
        checks.push(check_run_as_non_root);
        if minor >= 23 {
            checks.push(check_run_as_user);
        }
        if minor >= 19 {
            checks.push(check_seccomp_restricted);
        }
    }
    checks.iter().filter_map(|c| c(spec)).collect()
}

/// `AggregateCheckResult.ForbiddenDetail()`: `reason (detail), reason (detail)`.
fn forbidden_detail(results: &[(String, String)]) -> String {
    results
        .iter()
        .map(|(r, d)| if d.is_empty() { r.clone() } else { format!("{r} ({d})") })
        .collect::<Vec<_>>()
        .join(", ")
}

fn pod_security(req: &Request, obj: Option<&Object>, old: Option<&Object>, informers: &impl Informers) -> Outcome {
    if !req.subresource.is_empty() || req.operation == Operation::Delete {
        return Outcome::NotApplicable;
    }
    let Some(o) = obj else { return Outcome::NotApplicable };
    let res = req.resource.name;
    if req.resource.group.is_empty() && res == "namespaces" {
        return pod_security_namespace(req, o, old, informers);
    }
    let Some((_, spec)) = pod_spec_of(res, o) else { return Outcome::NotApplicable };
    let ns_labels = informers.get("namespaces", "", req.namespace).and_then(|n| n.pointer("/metadata/labels"));
    let (policy, _label_errors) = policy_to_evaluate(ns_labels);
    let is_pod = res == "pods" && req.resource.group.is_empty();
    if is_pod {
        if policy.enforce.level == Level::Privileged && policy.warn.level == Level::Privileged {
            return Outcome::Passed;
        }
        if req.operation == Operation::Update {
            if let Some(old_spec) = old.and_then(|p| p.get("spec")) {
                if !significant_pod_update(spec, old_spec) {
                    return Outcome::Passed;
                }
            }
        }
        let enforce = evaluate_pod(policy.enforce, spec);
        if !enforce.is_empty() {
            return reject(
                req,
                obj,
                format!("violates PodSecurity \"{}\": {}", policy.enforce, forbidden_detail(&enforce)),
            );
        }
    } else if policy.warn.level == Level::Privileged {
        return Outcome::Passed;
    }
    let warn = evaluate_pod(policy.warn, spec);
    if warn.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Warned(vec![format!("would violate PodSecurity \"{}\": {}", policy.warn, forbidden_detail(&warn))])
    }
}

/// `isSignificantPodUpdate`: container lists or images changed.
fn significant_pod_update(spec: &Value, old: &Value) -> bool {
    ["containers", "initContainers", "ephemeralContainers"].iter().any(|k| {
        let (a, b) = (arr(spec, k), arr(old, k));
        a.len() != b.len() || a.iter().zip(b).any(|(x, y)| x.get("image") != y.get("image"))
    })
}

fn pod_security_namespace(req: &Request, ns: &Object, old: Option<&Object>, informers: &impl Informers) -> Outcome {
    let labels = ns.pointer("/metadata/labels");
    let (policy, errs) = policy_to_evaluate(labels);
    let old_labels = old.and_then(|o| o.pointer("/metadata/labels"));
    let (old_policy, old_errs) = policy_to_evaluate(old_labels);
    if !errs.is_empty() && (req.operation == Operation::Create || old_errs != errs) {
        return Outcome::Rejected(validation::invalid(req.resource, object::name(ns), &errs));
    }
    if req.operation != Operation::Update {
        return Outcome::Passed;
    }
    let (new, prev) = (policy.enforce, old_policy.enforce);
    if new == prev || new.level == Level::Privileged || (new.minor == prev.minor && new.level <= prev.level) {
        return Outcome::Passed;
    }
    // Existing pods checked against the new enforce level: one warning per distinct set of
    // reasons, prefixed with the first pod's name (`decoratePodWarnings`).
    let mut by_reason: Vec<(String, String, usize)> = Vec::new();
    for pod in informers.list("pods", object::name(ns)) {
        let Some(spec) = pod.get("spec") else { continue };
        let results = evaluate_pod(new, spec);
        if results.is_empty() {
            continue;
        }
        let reason = results.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>().join(", ");
        let name = object::name(pod).to_string();
        match by_reason.iter_mut().find(|(r, _, _)| *r == reason) {
            Some((_, first, n)) => {
                *n += 1;
                if name < *first {
                    *first = name;
                }
            }
            None => by_reason.push((reason, name, 1)),
        }
    }
    if by_reason.is_empty() {
        return Outcome::Passed;
    }
    let mut pod_warnings: Vec<String> = by_reason
        .iter()
        .map(|(reason, first, n)| match n {
            1 => format!("{first}: {reason}"),
            2 => format!("{first} (and 1 other pod): {reason}"),
            _ => format!("{first} (and {} other pods): {reason}", n - 1),
        })
        .collect();
    pod_warnings.sort();
    let mut out = vec![format!(
        "existing pods in namespace \"{}\" violate the new PodSecurity enforce level \"{new}\"",
        object::name(ns)
    )];
    out.extend(pod_warnings);
    Outcome::Warned(out)
}

// ---------------------------------------------------------------------------------------------
// ResourceQuota.

/// What one object counts against a quota (`Evaluator.Usage`): pods (`PodUsageFunc`: compute
/// resources only while not terminal), services, PVCs, the legacy object counts and
/// `count/<resource>[.<group>]` for everything.
fn usage(resource: &ApiResource, obj: &Object) -> Vec<(String, Quantity)> {
    let one = Quantity { milli: 1000, binary: false };
    let mut out = vec![(format!("count/{}", qualified_resource(resource)), one)];
    match (resource.group, resource.name) {
        ("", "pods") => {
            let phase = object::str_at(obj, "/status/phase");
            if phase != "Succeeded" && phase != "Failed" {
                out.push(("pods".into(), one));
                let (reqs, lims) = pod_requests_limits(obj);
                for (name, q) in &reqs {
                    match name.as_str() {
                        "cpu" | "memory" => {
                            out.push((name.clone(), *q));
                            out.push((format!("requests.{name}"), *q));
                        }
                        "ephemeral-storage" => out.push(("requests.ephemeral-storage".into(), *q)),
                        _ if name.contains('/') => out.push((format!("requests.{name}"), *q)),
                        _ => {}
                    }
                }
                for (name, q) in &lims {
                    if matches!(name.as_str(), "cpu" | "memory" | "ephemeral-storage") {
                        out.push((format!("limits.{name}"), *q));
                    }
                }
            }
        }
        ("", "services") => {
            out.push(("services".into(), one));
            let ty = object::str_at(obj, "/spec/type");
            let ports = arr(obj.get("spec").unwrap_or(&Value::Null), "ports").len() as i128;
            if ty == "LoadBalancer" {
                out.push(("services.loadbalancers".into(), one));
            }
            if ty == "LoadBalancer" || ty == "NodePort" {
                out.push(("services.nodeports".into(), Quantity { milli: ports * 1000, binary: false }));
            }
        }
        ("", "persistentvolumeclaims") => {
            out.push(("persistentvolumeclaims".into(), one));
            if let Some(q) = obj.pointer("/spec/resources/requests/storage").and_then(quantity_of) {
                out.push(("requests.storage".into(), q));
            }
        }
        ("", legacy @ ("configmaps" | "secrets" | "replicationcontrollers" | "resourcequotas")) => {
            out.push((legacy.to_string(), one));
        }
        _ => {}
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn best_effort(pod: &Object) -> bool {
    let spec = pod.get("spec").unwrap_or(&Value::Null);
    arr(spec, "containers").iter().chain(arr(spec, "initContainers")).all(|c| {
        resource_list(c.pointer("/resources/requests")).is_empty()
            && resource_list(c.pointer("/resources/limits")).is_empty()
    })
}

/// Whether a quota's scopes (and scopeSelector) select `obj`; scoped quotas only ever select pods.
fn quota_matches(quota: &Value, resource: &ApiResource, obj: &Object) -> bool {
    let mut selectors: Vec<(String, String, Vec<String>)> = arr(quota.get("spec").unwrap_or(&Value::Null), "scopes")
        .iter()
        .map(|s| (s.as_str().unwrap_or("").to_string(), "Exists".to_string(), Vec::new()))
        .collect();
    for e in arr(quota.pointer("/spec/scopeSelector").unwrap_or(&Value::Null), "matchExpressions") {
        let values = arr(e, "values").iter().filter_map(Value::as_str).map(str::to_string).collect();
        selectors.push((object::str_at(e, "/scopeName").into(), object::str_at(e, "/operator").into(), values));
    }
    if selectors.is_empty() {
        return true;
    }
    if !(resource.group.is_empty() && resource.name == "pods") {
        return false;
    }
    let terminating = obj.pointer("/spec/activeDeadlineSeconds").and_then(Value::as_i64).is_some_and(|s| s >= 0);
    let class = object::str_at(obj, "/spec/priorityClassName");
    selectors.iter().all(|(scope, op, values)| match scope.as_str() {
        "Terminating" => terminating,
        "NotTerminating" => !terminating,
        "BestEffort" => best_effort(obj),
        "NotBestEffort" => !best_effort(obj),
        "PriorityClass" => match op.as_str() {
            "In" => values.iter().any(|v| v == class),
            "NotIn" => !values.iter().any(|v| v == class),
            "Exists" => !class.is_empty(),
            "DoesNotExist" => class.is_empty(),
            _ => false,
        },
        _ => false,
    })
}

/// `prettyPrint`: `name=value` sorted by name, joined by commas.
fn pretty(list: &[(String, Quantity)]) -> String {
    let mut items: Vec<&(String, Quantity)> = list.iter().collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items.iter().map(|(k, q)| format!("{k}={q}")).collect::<Vec<_>>().join(",")
}

/// `podEvaluator.Constraints`: with cpu/memory quota'd, every container must state them. The
/// `<resource> for: <containers>` form came with KK PR #107210 (v1.24); earlier releases said
/// only `must specify limits.cpu,requests.cpu`.
fn pod_constraints(hard: &[(String, Quantity)], pod: &Object) -> Option<String> {
    const VALIDATION: [&str; 6] = ["cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"];
    let required: Vec<&str> = VALIDATION.iter().copied().filter(|r| hard.iter().any(|(k, _)| k == r)).collect();
    if required.is_empty() {
        return None;
    }
    let spec = pod.get("spec").unwrap_or(&Value::Null);
    let mut missing: Vec<(String, Vec<String>)> = Vec::new();
    for c in arr(spec, "containers").iter().chain(arr(spec, "initContainers")) {
        let reqs = resource_list(c.pointer("/resources/requests"));
        let lims = resource_list(c.pointer("/resources/limits"));
        let has = |r: &str| match r {
            "cpu" | "requests.cpu" => get_q(&reqs, "cpu").is_some(),
            "memory" | "requests.memory" => get_q(&reqs, "memory").is_some(),
            "limits.cpu" => get_q(&lims, "cpu").is_some(),
            "limits.memory" => get_q(&lims, "memory").is_some(),
            _ => true,
        };
        for r in &required {
            if !has(r) {
                let name = cname(c);
                match missing.iter_mut().find(|(m, _)| m == r) {
                    Some((_, names)) => {
                        if !names.contains(&name) {
                            names.push(name);
                        }
                    }
                    None => missing.push((r.to_string(), vec![name])),
                }
            }
        }
    }
    if missing.is_empty() {
        return None;
    }
    missing.sort();
    let parts: Vec<String> = missing
        .into_iter()
        .map(|(r, mut names)| {
            names.sort();
            format!("{r} for: {}", names.join(","))
        })
        .collect();
    Some(format!("must specify {}", parts.join("; ")))
}

/// The ResourceQuota plugin on creates. The real one compares against `status.used` as the quota
/// controller last recorded it; the lab recounts from the informers (what the controller would
/// record), so there is no "status unknown for quota" state. `status.hard` is used when set, else
/// `spec.hard`.
fn resource_quota(req: &Request, obj: Option<&Object>, informers: &impl Informers) -> Outcome {
    if req.operation != Operation::Create || !req.subresource.is_empty() || req.namespace.is_empty() {
        return Outcome::NotApplicable;
    }
    let Some(o) = obj else { return Outcome::NotApplicable };
    let quotas = informers.list("resourcequotas", req.namespace);
    if quotas.is_empty() {
        return Outcome::Passed;
    }
    let is_pod = req.resource.group.is_empty() && req.resource.name == "pods";
    let delta = usage(req.resource, o);
    let mut interesting = Vec::new();
    for quota in &quotas {
        if !quota_matches(quota, req.resource, o) {
            continue;
        }
        let hard_value = quota.pointer("/status/hard").filter(|h| h.as_object().is_some_and(|m| !m.is_empty()));
        let hard = resource_list(hard_value.or_else(|| quota.pointer("/spec/hard")));
        if is_pod {
            if let Some(msg) = pod_constraints(&hard, o) {
                return reject(req, obj, format!("failed quota: {}: {msg}", object::name(quota)));
            }
        }
        interesting.push((*quota, hard));
    }
    let own_name = object::name(o);
    for (quota, hard) in interesting {
        let requested: Vec<(String, Quantity)> =
            delta.iter().filter(|(k, q)| q.milli != 0 && hard.iter().any(|(h, _)| h == k)).cloned().collect();
        if requested.is_empty() {
            continue;
        }
        // Usage as the quota controller would have recorded it: only objects the quota selects.
        let mut used: Vec<(String, Quantity)> = Vec::new();
        for other in informers.list(req.resource.name, req.namespace) {
            if object::name(other) != own_name && quota_matches(quota, req.resource, other) {
                add_lists(&mut used, &usage(req.resource, other));
            }
        }
        let mut exceeded: Vec<String> = Vec::new();
        for (k, q) in &requested {
            let u = get_q(&used, k).unwrap_or_else(Quantity::zero);
            if let Some(h) = get_q(&hard, k) {
                if u.milli + q.milli > h.milli {
                    exceeded.push(k.clone());
                }
            }
        }
        if !exceeded.is_empty() {
            let pick = |list: &[(String, Quantity)]| -> Vec<(String, Quantity)> {
                exceeded.iter().map(|k| (k.clone(), get_q(list, k).unwrap_or_else(Quantity::zero))).collect()
            };
            return reject(
                req,
                obj,
                format!(
                    "exceeded quota: {}, requested: {}, used: {}, limited: {}",
                    object::name(quota),
                    pretty(&pick(&requested)),
                    pretty(&pick(&used)),
                    pretty(&pick(&hard))
                ),
            );
        }
    }
    Outcome::Passed
}

// ---------------------------------------------------------------------------------------------
// Webhooks.

/// Whether a webhook sees the request (see [`Webhook`]).
fn webhook_sees(req: &Request) -> bool {
    const EXCLUDED: [&str; 2] = ["kube-system", "kube-node-lease"];
    let ns_object = req.resource.group.is_empty() && req.resource.name == "namespaces";
    req.subresource.is_empty() && !EXCLUDED.contains(&req.namespace) && !(ns_object && EXCLUDED.contains(&req.name))
}

/// `<image>` has the tag `latest` or none (a digest pins it).
fn unpinned(image: &str) -> Option<&'static str> {
    if image.contains('@') {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, "latest")) => Some("latest"),
        Some(_) => None,
        None => Some(""),
    }
}

/// The lab's own wording (a real policy webhook words its denial as its authors chose).
fn deny_latest(req: &Request, obj: &Object) -> Option<String> {
    let (_, spec) = pod_spec_of(req.resource.name, obj)?;
    let mut problems = Vec::new();
    for c in arr(spec, "initContainers").iter().chain(arr(spec, "containers")) {
        let image = object::str_at(c, "/image");
        match unpinned(image) {
            Some("latest") => problems.push(format!(
                "container \"{}\" uses image \"{image}\": the :latest tag is not allowed, pin a version",
                cname(c)
            )),
            Some(_) => problems.push(format!(
                "container \"{}\" uses image \"{image}\" without a tag (that means :latest), pin a version",
                cname(c)
            )),
            None => {}
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// `webhookerrors.ToStatusErr` for a denial answered with 403 Forbidden.
fn webhook_denial(name: &str, message: &str) -> Status {
    Status::forbidden(format!("admission webhook \"{name}\" denied the request: {message}"))
}

/// Runs the webhooks of `kind` in registration order: the plugin's outcome and one step per
/// webhook.
fn run_webhooks(
    req: &Request,
    obj: Option<&mut Object>,
    kind: WebhookKind,
    webhooks: &[Webhook],
) -> (Outcome, Vec<Step>) {
    let phase = if kind == WebhookKind::Mutating { Phase::Mutate } else { Phase::Validate };
    let mine: Vec<&Webhook> = webhooks.iter().filter(|w| w.kind == kind).collect();
    if mine.is_empty() || !webhook_sees(req) {
        return (Outcome::NotApplicable, Vec::new());
    }
    let mut obj = obj;
    let mut steps = Vec::new();
    let mut changes = Vec::new();
    let mut any_passed = false;
    for w in mine {
        let outcome = match (&w.action, req.operation) {
            (WebhookAction::AddLabel { key, value }, Operation::Create) => match obj.as_deref_mut() {
                Some(o) => {
                    let labels = object::metadata_mut(o).entry("labels").or_insert_with(|| Value::Object(Map::new()));
                    if !labels.is_object() {
                        *labels = Value::Object(Map::new());
                    }
                    let labels = labels.as_object_mut().expect("made a map above");
                    if labels.get(key).and_then(Value::as_str) == Some(value.as_str()) {
                        Outcome::Passed
                    } else {
                        labels.insert(key.clone(), Value::String(value.clone()));
                        Outcome::Mutated(format!("label {key}={value}"))
                    }
                }
                None => Outcome::NotApplicable,
            },
            (WebhookAction::AddLabel { .. }, _) => Outcome::NotApplicable,
            (WebhookAction::DenyLatestTag, Operation::Create | Operation::Update) => {
                match obj.as_deref().and_then(|o| deny_latest(req, o)) {
                    Some(msg) => Outcome::Rejected(webhook_denial(&w.name, &msg)),
                    None if obj.as_deref().and_then(|o| pod_spec_of(req.resource.name, o)).is_some() => Outcome::Passed,
                    None => Outcome::NotApplicable,
                }
            }
            (WebhookAction::DenyLatestTag, Operation::Delete) => Outcome::NotApplicable,
            (WebhookAction::DenyAll { message }, _) => Outcome::Rejected(webhook_denial(&w.name, message)),
        };
        match &outcome {
            Outcome::Mutated(what) => changes.push(format!("{}: {what}", w.name)),
            Outcome::Passed => any_passed = true,
            _ => {}
        }
        let rejected = match &outcome {
            Outcome::Rejected(s) => Some(s.clone()),
            _ => None,
        };
        steps.push(Step { plugin: w.name.clone(), phase, outcome });
        if let Some(s) = rejected {
            return (Outcome::Rejected(s), steps);
        }
    }
    let outcome = if !changes.is_empty() {
        Outcome::Mutated(changes.join("; "))
    } else if any_passed {
        Outcome::Passed
    } else {
        Outcome::NotApplicable
    };
    (outcome, steps)
}

/// The resource a kind's objects live in (for callers holding only an object).
pub fn resource_of(obj: &Object) -> Option<&'static ApiResource> {
    resources::RESOURCES.iter().find(|r| r.kind == object::kind(obj))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::ObjectSet;
    use crate::k8s::resources::resolve;

    fn res(name: &str) -> &'static ApiResource {
        resolve(name).expect("known resource")
    }

    fn namespace(name: &str, labels: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels},
               "status": {"phase": "Active"}})
    }

    /// A fresh cluster's namespaces with their `default` service accounts.
    fn cluster() -> ObjectSet {
        let mut s = ObjectSet::new();
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            s.insert("namespaces", namespace(ns, json!({"kubernetes.io/metadata.name": ns})));
            s.insert(
                "serviceaccounts",
                json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}}),
            );
        }
        s
    }

    fn admin() -> UserInfo {
        UserInfo::authenticated("kubernetes-admin", &["system:masters"])
    }

    fn request<'a>(op: Operation, resource: &str, ns: &'a str, name: &'a str, user: &'a UserInfo) -> Request<'a> {
        Request { operation: op, resource: res(resource), subresource: "", namespace: ns, name, user }
    }

    fn pod(name: &str, ns: &str, containers: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
               "spec": {"containers": containers}})
    }

    fn nginx(name: &str, ns: &str) -> Value {
        pod(name, ns, json!([{"name": "nginx", "image": "nginx:1.25"}]))
    }

    /// Mutating phase, then validating phase (validation between them is the caller's).
    fn admit(
        req: &Request,
        obj: Option<Value>,
        old: Option<&Value>,
        s: &ObjectSet,
        webhooks: &[Webhook],
    ) -> (Vec<Step>, Result<Option<Value>, Status>) {
        let mut obj = obj;
        let (mut steps, r) = mutate(req, obj.as_mut(), old, s, webhooks);
        if let Err(e) = r {
            return (steps, Err(e));
        }
        let (more, r) = validate(req, obj.as_ref(), old, s, webhooks);
        steps.extend(more);
        (steps, r.map(|()| obj))
    }

    fn rejection(r: Result<Option<Value>, Status>) -> String {
        r.expect_err("rejected").kubectl_line()
    }

    fn outcome<'a>(steps: &'a [Step], plugin: &str) -> &'a Outcome {
        &steps.iter().find(|s| s.plugin == plugin).unwrap_or_else(|| panic!("no step {plugin}")).outcome
    }

    #[test]
    fn quantities_parse_to_milli_units_and_print_canonically() {
        for (text, milli) in [
            ("500m", Some(500)),
            ("1", Some(1000)),
            ("0.5", Some(500)),
            ("1.5", Some(1500)),
            ("2k", Some(2_000_000)),
            ("1Ki", Some(1_024_000)),
            ("100Mi", Some(104_857_600_000)),
            ("1Gi", Some(1_073_741_824_000)),
            ("129M", Some(129_000_000_000)),
            ("1e3", Some(1_000_000)),
            ("-1", Some(-1000)),
            ("100n", Some(1)),
            ("", None),
            ("abc", None),
            ("1.2.3", None),
            ("1Qi", None),
            ("m", None),
            ("1 Gi", None),
        ] {
            assert_eq!(parse_quantity(text), milli, "{text:?}");
        }
        for (text, canonical) in [
            ("0.5", "500m"),
            ("1000m", "1"),
            ("2000", "2k"),
            ("1536Mi", "1536Mi"),
            ("1024Mi", "1Gi"),
            ("0.5Gi", "512Mi"),
            ("1500", "1500"),
            ("0", "0"),
            ("129M", "129M"),
            ("128974848", "128974848"),
            ("1000Ki", "1000Ki"),
        ] {
            assert_eq!(Quantity::parse(text).expect(text).to_string(), canonical, "{text}");
        }
    }

    #[test]
    fn the_plugins_run_in_kube_apiserver_order() {
        let names: Vec<&str> = PLUGINS.iter().map(|p| p.name).collect();
        assert_eq!(
            &names[..5],
            ["NamespaceLifecycle", "LimitRanger", "ServiceAccount", "NodeRestriction", "TaintNodesByCondition"]
        );
        assert_eq!(names.last(), Some(&"ResourceQuota"));
        let s = cluster();
        let u = admin();
        let req = request(Operation::Create, "pods", "default", "x", &u);
        let (steps, r) = admit(&req, Some(nginx("x", "default")), None, &s, &[]);
        assert!(r.is_ok());
        let mutating: Vec<&str> = PLUGINS.iter().filter(|p| p.mutating).map(|p| p.name).collect();
        let validating: Vec<&str> = PLUGINS.iter().filter(|p| p.validating).map(|p| p.name).collect();
        let got_m: Vec<&str> = steps.iter().filter(|s| s.phase == Phase::Mutate).map(|s| s.plugin.as_str()).collect();
        let got_v: Vec<&str> = steps.iter().filter(|s| s.phase == Phase::Validate).map(|s| s.plugin.as_str()).collect();
        assert_eq!(got_m, mutating);
        assert_eq!(got_v, validating);
        // Every plugin appears in one phase or both.
        assert!(PLUGINS.iter().all(|p| p.mutating || p.validating));
        // A rejection stops the chain: the first plugin refuses a pod in a missing namespace.
        let req = request(Operation::Create, "pods", "nope", "x", &u);
        let (steps, r) = admit(&req, Some(nginx("x", "nope")), None, &s, &[]);
        assert_eq!(steps.len(), 1);
        assert_eq!(rejection(r), "Error from server (NotFound): namespaces \"nope\" not found");
    }

    #[test]
    fn a_plain_pod_is_defaulted_like_the_real_api_server_does() {
        let s = cluster();
        let u = admin();
        let req = request(Operation::Create, "pods", "default", "nginx", &u);
        let (steps, r) = admit(&req, Some(nginx("nginx", "default")), None, &s, &[]);
        let p = r.expect("admitted").expect("object");
        let spec = &p["spec"];
        assert_eq!(spec["serviceAccountName"], "default");
        assert_eq!(spec["serviceAccount"], "default");
        assert_eq!(spec["priority"], 0);
        assert_eq!(spec["preemptionPolicy"], "PreemptLowerPriority");
        let vol = spec["volumes"][0]["name"].as_str().expect("token volume");
        assert!(vol.starts_with("kube-api-access-") && vol.len() == "kube-api-access-".len() + 5, "{vol}");
        assert!(vol["kube-api-access-".len()..].bytes().all(|b| NAME_ALPHABET.contains(&b)));
        assert_eq!(spec["volumes"][0], token_volume(vol));
        assert_eq!(
            spec["containers"][0]["volumeMounts"],
            json!([{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": vol, "readOnly": true}])
        );
        assert_eq!(
            spec["tolerations"],
            json!([
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}
            ])
        );
        assert_eq!(
            outcome(&steps, "ServiceAccount"),
            &Outcome::Mutated(format!(
                "serviceAccountName: default; token volume {vol} mounted at /var/run/secrets/kubernetes.io/serviceaccount in nginx"
            ))
        );
        assert_eq!(
            outcome(&steps, "Priority"),
            &Outcome::Mutated("priority: 0; preemptionPolicy: PreemptLowerPriority".into())
        );
        assert_eq!(outcome(&steps, "DefaultStorageClass"), &Outcome::NotApplicable);
        // What admission produced passes object validation.
        assert_eq!(validation::validate_object(res("pods"), &p, None), Ok(()));
        // Deterministic: the same pod gets the same volume name.
        let (_, again) = admit(&req, Some(nginx("nginx", "default")), None, &s, &[]);
        assert_eq!(again.expect("ok").expect("obj")["spec"]["volumes"][0]["name"], vol);
    }

    #[test]
    fn namespace_lifecycle() {
        let mut s = cluster();
        let mut dying = namespace("old", json!({}));
        dying["status"]["phase"] = json!("Terminating");
        dying["metadata"]["deletionTimestamp"] = json!("2026-11-27T09:00:00Z");
        s.insert("namespaces", dying);
        s.insert(
            "serviceaccounts",
            json!({"kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "old"}}),
        );
        let u = admin();
        type Case<'a> = (Operation, &'a str, &'a str, &'a str, Option<Value>, Option<&'a str>);
        let cases: Vec<Case> = vec![
            (Operation::Create, "pods", "default", "x", Some(nginx("x", "default")), None),
            (
                Operation::Create,
                "pods",
                "old",
                "x",
                Some(nginx("x", "old")),
                Some("Error from server (Forbidden): pods \"x\" is forbidden: unable to create new content in namespace old because it is being terminated"),
            ),
            (
                Operation::Create,
                "configmaps",
                "ghost",
                "c",
                Some(json!({"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ghost"}})),
                Some("Error from server (NotFound): namespaces \"ghost\" not found"),
            ),
            (
                Operation::Delete,
                "namespaces",
                "",
                "kube-system",
                None,
                Some("Error from server (Forbidden): namespaces \"kube-system\" is forbidden: this namespace may not be deleted"),
            ),
            (
                Operation::Delete,
                "namespaces",
                "",
                "default",
                None,
                Some("Error from server (Forbidden): namespaces \"default\" is forbidden: this namespace may not be deleted"),
            ),
            (Operation::Delete, "namespaces", "", "old", None, None),
            (Operation::Delete, "pods", "old", "x", None, None),
        ];
        for (op, resource, ns, name, obj, want) in cases {
            let req = request(op, resource, ns, name, &u);
            let (_, r) = admit(&req, obj, None, &s, &[]);
            assert_eq!(r.err().map(|e| e.kubectl_line()).as_deref(), want, "{op:?} {resource} {ns}/{name}");
        }
        let req = request(Operation::Create, "nodes", "", "n", &u);
        let (steps, _) = mutate(&req, Some(&mut json!({"kind": "Node", "metadata": {"name": "n"}})), None, &s, &[]);
        assert_eq!(outcome(&steps, "NamespaceLifecycle"), &Outcome::NotApplicable);
    }

    fn limit_range(spec_limits: Value) -> Value {
        json!({"kind": "LimitRange", "metadata": {"name": "limits", "namespace": "default"},
               "spec": {"limits": spec_limits}})
    }

    #[test]
    fn limit_ranger_fills_defaults_and_enforces_min_max() {
        let u = admin();
        let req = request(Operation::Create, "pods", "default", "x", &u);
        // Defaults.
        let mut s = cluster();
        s.insert(
            "limitranges",
            limit_range(json!([{"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"},
                                "defaultRequest": {"cpu": "0.25", "memory": "256Mi"}}])),
        );
        let (steps, r) = admit(&req, Some(nginx("x", "default")), None, &s, &[]);
        let p = r.expect("ok").expect("obj");
        assert_eq!(
            p["spec"]["containers"][0]["resources"],
            json!({"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}})
        );
        let note =
            "LimitRanger plugin set: cpu, memory request for container nginx; cpu, memory limit for container nginx";
        assert_eq!(p["metadata"]["annotations"]["kubernetes.io/limit-ranger"], note);
        assert_eq!(
            outcome(&steps, "LimitRanger"),
            &Outcome::Mutated(format!("annotation kubernetes.io/limit-ranger: {note}"))
        );
        // Only max/min given: defaulted from them (LimitRange defaulting).
        let mut s = cluster();
        s.insert(
            "limitranges",
            limit_range(json!([{"type": "Container", "max": {"memory": "1Gi"}, "min": {"memory": "500Mi"}}])),
        );
        let (_, r) = admit(&req, Some(nginx("x", "default")), None, &s, &[]);
        let p = r.expect("ok").expect("obj");
        assert_eq!(
            p["spec"]["containers"][0]["resources"],
            json!({"limits": {"memory": "1Gi"}, "requests": {"memory": "1Gi"}})
        );
        // Violations.
        let with = |requests: Value, limits: Value| {
            pod(
                "x",
                "default",
                json!([{"name": "nginx", "image": "nginx", "resources": {"requests": requests, "limits": limits}}]),
            )
        };
        let cases = vec![
            (with(json!({"memory": "600Mi"}), json!({"memory": "800Mi"})), None),
            (
                with(json!({"memory": "100Mi"}), json!({"memory": "800Mi"})),
                Some("Error from server (Forbidden): pods \"x\" is forbidden: minimum memory usage per Container is 500Mi, but request is 100Mi"),
            ),
            (
                with(json!({"memory": "600Mi"}), json!({"memory": "1536Mi"})),
                Some("Error from server (Forbidden): pods \"x\" is forbidden: maximum memory usage per Container is 1Gi, but limit is 1536Mi"),
            ),
        ];
        for (p, want) in cases {
            let (_, r) = admit(&req, Some(p), None, &s, &[]);
            assert_eq!(r.err().map(|e| e.kubectl_line()).as_deref(), want);
        }
        let mut s = cluster();
        s.insert(
            "limitranges",
            limit_range(
                json!([{"type": "Container", "max": {"cpu": "1", "memory": "1Gi"}, "min": {"memory": "500Mi"}}]),
            ),
        );
        let (_, r) = admit(
            &req,
            Some(with(json!({"cpu": "1", "memory": "100Mi"}), json!({"cpu": "2", "memory": "1Gi"}))),
            None,
            &s,
            &[],
        );
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): pods \"x\" is forbidden: [minimum memory usage per Container is 500Mi, but request is 100Mi, maximum cpu usage per Container is 1, but limit is 2]"
        );
    }

    #[test]
    fn service_account_plugin() {
        let u = admin();
        let req = request(Operation::Create, "pods", "default", "x", &u);
        let s = cluster();
        let mut p = nginx("x", "default");
        p["spec"]["serviceAccountName"] = json!("builder");
        let (steps, r) = admit(&req, Some(p), None, &s, &[]);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): pods \"x\" is forbidden: error looking up service account default/builder: serviceaccount \"builder\" not found"
        );
        assert_eq!(steps.len(), 3, "stops at ServiceAccount");
        // automountServiceAccountToken: false keeps the token out.
        let mut p = nginx("x", "default");
        p["spec"]["automountServiceAccountToken"] = json!(false);
        let (_, r) = admit(&req, Some(p), None, &s, &[]);
        let p = r.expect("ok").expect("obj");
        assert!(p["spec"].get("volumes").is_none());
        assert!(p["spec"]["containers"][0].get("volumeMounts").is_none());
        // Mirror pods: not mutated; may not name a service account.
        let mut mirror = nginx("etcd-node", "kube-system");
        mirror["metadata"]["annotations"] = json!({"kubernetes.io/config.mirror": "abc"});
        mirror["spec"]["priorityClassName"] = json!("system-node-critical");
        let req = request(Operation::Create, "pods", "kube-system", "etcd-node", &u);
        let (steps, r) = admit(&req, Some(mirror.clone()), None, &s, &[]);
        let p = r.expect("ok").expect("obj");
        assert!(p["spec"].get("serviceAccountName").is_none());
        assert_eq!(p["spec"]["priority"], 2_000_001_000);
        assert_eq!(outcome(&steps, "ServiceAccount"), &Outcome::Passed);
        mirror["spec"]["serviceAccountName"] = json!("default");
        let (_, r) = admit(&req, Some(mirror), None, &s, &[]);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): pods \"etcd-node\" is forbidden: a mirror pod may not reference service accounts"
        );
    }

    #[test]
    fn priority_and_tolerations() {
        let u = admin();
        let req = request(Operation::Create, "pods", "default", "x", &u);
        let mut s = cluster();
        let cases: Vec<(Value, Result<i64, &str>)> = vec![
            (json!({"priorityClassName": "system-cluster-critical"}), Ok(2_000_000_000)),
            (
                json!({"priorityClassName": "gold"}),
                Err("Error from server (Forbidden): pods \"x\" is forbidden: no PriorityClass with name gold was found"),
            ),
            (
                json!({"priority": 7}),
                Err("Error from server (Forbidden): pods \"x\" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name"),
            ),
        ];
        for (extra, want) in cases {
            let mut p = nginx("x", "default");
            for (k, v) in extra.as_object().expect("map") {
                p["spec"][k] = v.clone();
            }
            let (_, r) = admit(&req, Some(p), None, &s, &[]);
            match want {
                Ok(v) => assert_eq!(r.expect("ok").expect("obj")["spec"]["priority"], v),
                Err(msg) => assert_eq!(rejection(r), msg),
            }
        }
        s.insert(
            "priorityclasses",
            json!({"kind": "PriorityClass", "metadata": {"name": "high"}, "value": 1000, "globalDefault": true}),
        );
        let (_, r) = admit(&req, Some(nginx("x", "default")), None, &s, &[]);
        let p = r.expect("ok").expect("obj");
        assert_eq!(
            (p["spec"]["priority"].clone(), p["spec"]["priorityClassName"].clone()),
            (json!(1000), json!("high"))
        );
        // A pod tolerating everything gets no extra tolerations.
        let mut p = nginx("x", "default");
        p["spec"]["tolerations"] = json!([{"operator": "Exists"}]);
        let (steps, r) = admit(&req, Some(p), None, &s, &[]);
        assert_eq!(r.expect("ok").expect("obj")["spec"]["tolerations"], json!([{"operator": "Exists"}]));
        assert_eq!(outcome(&steps, "DefaultTolerationSeconds"), &Outcome::Passed);
    }

    fn restricted_ns(s: &mut ObjectSet, name: &str, level: &str) {
        s.insert("namespaces", namespace(name, json!({"pod-security.kubernetes.io/enforce": level})));
        s.insert(
            "serviceaccounts",
            json!({"kind": "ServiceAccount", "metadata": {"name": "default", "namespace": name}}),
        );
    }

    const RESTRICTED_NGINX: &str = "violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"nginx\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"nginx\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"nginx\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"nginx\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")";

    #[test]
    fn pod_security_enforces_levels_and_warns_for_workloads() {
        let mut s = cluster();
        restricted_ns(&mut s, "secure", "restricted");
        restricted_ns(&mut s, "base", "baseline");
        let u = admin();
        let req = request(Operation::Create, "pods", "secure", "x", &u);
        let (_, r) = admit(&req, Some(nginx("x", "secure")), None, &s, &[]);
        assert_eq!(rejection(r), format!("Error from server (Forbidden): pods \"x\" is forbidden: {RESTRICTED_NGINX}"));
        // A compliant pod passes.
        let mut ok = nginx("x", "secure");
        ok["spec"]["securityContext"] = json!({"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}});
        ok["spec"]["containers"][0]["securityContext"] =
            json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}});
        let (steps, r) = admit(&req, Some(ok), None, &s, &[]);
        assert!(r.is_ok());
        assert_eq!(outcome(&steps, "PodSecurity"), &Outcome::Passed);
        // Baseline.
        let req = request(Operation::Create, "pods", "base", "x", &u);
        let mut p = nginx("x", "base");
        p["spec"]["hostNetwork"] = json!(true);
        p["spec"]["containers"][0]["securityContext"] =
            json!({"privileged": true, "capabilities": {"add": ["NET_ADMIN", "CHOWN"]}});
        p["spec"]["containers"][0]["ports"] = json!([{"containerPort": 80, "hostPort": 8080}]);
        p["spec"]["volumes"] = json!([{"name": "host", "hostPath": {"path": "/"}}]);
        let (_, r) = admit(&req, Some(p), None, &s, &[]);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): pods \"x\" is forbidden: violates PodSecurity \"baseline:latest\": non-default capabilities (container \"nginx\" must not include \"NET_ADMIN\" in securityContext.capabilities.add), host namespaces (hostNetwork=true), hostPath volumes (volume \"host\"), hostPort (container \"nginx\" uses hostPort 8080), privileged (container \"nginx\" must not set securityContext.privileged=true)"
        );
        // Unlabelled namespaces are privileged.
        let req = request(Operation::Create, "pods", "default", "x", &u);
        let mut p = nginx("x", "default");
        p["spec"]["hostPID"] = json!(true);
        assert!(admit(&req, Some(p), None, &s, &[]).1.is_ok());
        // Workloads are only warned about.
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "secure"},
                       "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                                "template": {"metadata": {"labels": {"app": "web"}},
                                             "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}});
        let req = request(Operation::Create, "deployments", "secure", "web", &u);
        let (steps, r) = admit(&req, Some(d), None, &s, &[]);
        assert!(r.is_ok());
        let w = warnings(&steps);
        assert_eq!(w, vec![format!("would {}", RESTRICTED_NGINX.replacen("violates", "violate", 1))]);
    }

    #[test]
    fn pod_security_checks_namespace_labels() {
        let mut s = cluster();
        let u = admin();
        s.insert("pods", nginx("web-1", "default"));
        s.insert("pods", nginx("web-2", "default"));
        let old = s.get("namespaces", "", "default").cloned().expect("default ns");
        let mut new = old.clone();
        new["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = json!("restricted");
        let req = request(Operation::Update, "namespaces", "", "default", &u);
        let (steps, r) = admit(&req, Some(new.clone()), Some(&old), &s, &[]);
        assert!(r.is_ok());
        assert_eq!(
            warnings(&steps),
            vec![
                "existing pods in namespace \"default\" violate the new PodSecurity enforce level \"restricted:latest\"".to_string(),
                "web-1 (and 1 other pod): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile".to_string(),
            ]
        );
        new["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = json!("strict");
        let (_, r) = admit(&req, Some(new), Some(&old), &s, &[]);
        assert_eq!(
            rejection(r),
            "The Namespace \"default\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted"
        );
    }

    fn quota(hard: Value) -> Value {
        json!({"kind": "ResourceQuota", "metadata": {"name": "compute", "namespace": "default"}, "spec": {"hard": hard}})
    }

    #[test]
    fn resource_quota_counts_and_sums() {
        let u = admin();
        let req = request(Operation::Create, "pods", "default", "x", &u);
        let with_cpu = |name: &str, cpu: &str| {
            pod(
                name,
                "default",
                json!([{"name": "nginx", "image": "nginx",
                                          "resources": {"requests": {"cpu": cpu, "memory": "64Mi"},
                                                        "limits": {"cpu": cpu, "memory": "64Mi"}}}]),
            )
        };
        // Pod count.
        let mut s = cluster();
        s.insert("resourcequotas", quota(json!({"pods": "2"})));
        s.insert("pods", nginx("a", "default"));
        s.insert("pods", nginx("b", "default"));
        let (steps, r) = admit(&req, Some(nginx("x", "default")), None, &s, &[]);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): pods \"x\" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2"
        );
        assert_eq!(steps.last().map(|s| s.plugin.as_str()), Some("ResourceQuota"));
        // Finished pods do not count.
        let mut done = nginx("b", "default");
        done["status"] = json!({"phase": "Succeeded"});
        s.insert("pods", done);
        assert!(admit(&req, Some(nginx("x", "default")), None, &s, &[]).1.is_ok());
        // CPU/memory quota: every container must state them.
        let mut s = cluster();
        s.insert("resourcequotas", quota(json!({"requests.cpu": "1", "limits.memory": "1Gi", "pods": "10"})));
        let (_, r) = admit(&req, Some(nginx("x", "default")), None, &s, &[]);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): pods \"x\" is forbidden: failed quota: compute: must specify limits.memory for: nginx; requests.cpu for: nginx"
        );
        s.insert("pods", with_cpu("a", "600m"));
        assert!(admit(&req, Some(with_cpu("x", "400m")), None, &s, &[]).1.is_ok());
        let (_, r) = admit(&req, Some(with_cpu("x", "500m")), None, &s, &[]);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): pods \"x\" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1"
        );
        // Several resources exceeded: sorted, comma-separated.
        let mut s = cluster();
        s.insert("resourcequotas", quota(json!({"requests.cpu": "1", "pods": "1", "limits.memory": "1Gi"})));
        s.insert("pods", with_cpu("a", "1"));
        let (_, r) = admit(&req, Some(with_cpu("x", "1")), None, &s, &[]);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): pods \"x\" is forbidden: exceeded quota: compute, requested: pods=1,requests.cpu=1, used: pods=1,requests.cpu=1, limited: pods=1,requests.cpu=1"
        );
        // Object counts.
        let mut s = cluster();
        s.insert("resourcequotas", quota(json!({"configmaps": "1", "count/deployments.apps": "0"})));
        s.insert(
            "configmaps",
            json!({"kind": "ConfigMap", "metadata": {"name": "kube-root-ca.crt", "namespace": "default"}}),
        );
        let req = request(Operation::Create, "configmaps", "default", "c", &u);
        let (_, r) = admit(
            &req,
            Some(json!({"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}})),
            None,
            &s,
            &[],
        );
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): configmaps \"c\" is forbidden: exceeded quota: compute, requested: configmaps=1, used: configmaps=1, limited: configmaps=1"
        );
        let req = request(Operation::Create, "deployments", "default", "web", &u);
        let d = json!({"kind": "Deployment", "metadata": {"name": "web", "namespace": "default"}, "spec": {}});
        let (_, r) = admit(&req, Some(d), None, &s, &[]);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): deployments.apps \"web\" is forbidden: exceeded quota: compute, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0"
        );
        // Scoped quotas select only matching pods.
        let mut s = cluster();
        let mut q = quota(json!({"pods": "0"}));
        q["spec"]["scopes"] = json!(["NotBestEffort"]);
        s.insert("resourcequotas", q);
        let req = request(Operation::Create, "pods", "default", "x", &u);
        assert!(admit(&req, Some(nginx("x", "default")), None, &s, &[]).1.is_ok());
        assert!(admit(&req, Some(with_cpu("x", "1")), None, &s, &[]).1.is_err());
    }

    #[test]
    fn node_restriction_keeps_kubelets_to_their_own_node() {
        let s = cluster();
        let kubelet = UserInfo::authenticated("system:node:worker", &["system:nodes"]);
        let node = |name: &str| json!({"kind": "Node", "metadata": {"name": name}});
        let req = request(Operation::Update, "nodes", "", "worker2", &kubelet);
        let (_, r) = admit(&req, Some(node("worker2")), Some(&node("worker2")), &s, &[]);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): nodes \"worker2\" is forbidden: node \"worker\" is not allowed to modify node \"worker2\""
        );
        let req = request(Operation::Update, "nodes", "", "worker", &kubelet);
        assert!(admit(&req, Some(node("worker")), Some(&node("worker")), &s, &[]).1.is_ok());
        let lease = |name: &str| json!({"kind": "Lease", "metadata": {"name": name, "namespace": "kube-node-lease"}});
        let req = request(Operation::Update, "leases", "kube-node-lease", "worker2", &kubelet);
        let (_, r) = admit(&req, Some(lease("worker2")), Some(&lease("worker2")), &s, &[]);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): leases.coordination.k8s.io \"worker2\" is forbidden: can only access node lease with the same name as the requesting node"
        );
        // Not a node: not this plugin's business.
        let u = admin();
        let req = request(Operation::Update, "nodes", "", "worker2", &u);
        let (steps, r) = admit(&req, Some(node("worker2")), Some(&node("worker2")), &s, &[]);
        assert!(r.is_ok());
        assert_eq!(outcome(&steps, "NodeRestriction"), &Outcome::NotApplicable);
    }

    /// NodeRestriction `admitPodEviction` and its default for other pod subresources: a kubelet
    /// evicts only pods bound to its node, and may not use any other pod subresource.
    #[test]
    fn node_restriction_limits_pod_subresources() {
        let mut s = cluster();
        let mut bound = nginx("web", "default");
        bound["spec"]["nodeName"] = json!("worker");
        s.insert("pods", bound);
        let kubelet = UserInfo::authenticated("system:node:worker2", &["system:nodes"]);
        let eviction = json!({"kind": "Eviction", "metadata": {"name": "web", "namespace": "default"}});
        let req = Request { subresource: "eviction", ..request(Operation::Create, "pods", "default", "web", &kubelet) };
        assert_eq!(
            rejection(admit(&req, Some(eviction.clone()), None, &s, &[]).1),
            "Error from server (Forbidden): pods \"web\" is forbidden: node worker2 can only evict pods with spec.nodeName set to itself"
        );
        let own = UserInfo::authenticated("system:node:worker", &["system:nodes"]);
        let req = Request { subresource: "eviction", ..request(Operation::Create, "pods", "default", "web", &own) };
        assert!(admit(&req, Some(eviction), None, &s, &[]).1.is_ok());
        let req = Request { subresource: "binding", ..request(Operation::Create, "pods", "default", "web", &own) };
        assert_eq!(
            rejection(admit(&req, Some(json!({"kind": "Binding"})), None, &s, &[]).1),
            "Error from server (Forbidden): pods \"web\" is forbidden: unexpected pod subresource \"binding\", only 'status' and 'eviction' are allowed"
        );
    }

    #[test]
    fn new_nodes_are_tainted_not_ready() {
        let s = cluster();
        let kubelet = UserInfo::authenticated("system:node:worker", &["system:nodes"]);
        let req = request(Operation::Create, "nodes", "", "worker", &kubelet);
        let (steps, r) = admit(&req, Some(json!({"kind": "Node", "metadata": {"name": "worker"}})), None, &s, &[]);
        let n = r.expect("ok").expect("obj");
        assert_eq!(n["spec"]["taints"], json!([{"effect": "NoSchedule", "key": "node.kubernetes.io/not-ready"}]));
        assert_eq!(
            outcome(&steps, "TaintNodesByCondition"),
            &Outcome::Mutated("taint node.kubernetes.io/not-ready:NoSchedule".into())
        );
    }

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn webhook_specs_parse() {
        assert_eq!(
            parse_webhook_spec(&args(&["deny-latest", "no-latest.example.com"])),
            Ok(Webhook {
                name: "no-latest.example.com".into(),
                kind: WebhookKind::Validating,
                action: WebhookAction::DenyLatestTag
            })
        );
        assert_eq!(
            parse_webhook_spec(&args(&["add-label", "team.example.com", "team=blue"])),
            Ok(Webhook {
                name: "team.example.com".into(),
                kind: WebhookKind::Mutating,
                action: WebhookAction::AddLabel { key: "team".into(), value: "blue".into() }
            })
        );
        assert_eq!(
            parse_webhook_spec(&args(&["deny", "freeze.example.com", "change", "freeze", "until", "Monday"])),
            Ok(Webhook {
                name: "freeze.example.com".into(),
                kind: WebhookKind::Validating,
                action: WebhookAction::DenyAll { message: "change freeze until Monday".into() }
            })
        );
        for bad in [
            &[][..],
            &["deny-latest"],
            &["deny", "x"],
            &["add-label", "x", "novalue"],
            &["add-label", "x", "a b=c"],
            &["frob", "x"],
            &["deny-latest", "Bad_Name"],
        ] {
            assert!(parse_webhook_spec(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn webhooks_mutate_and_deny() {
        let s = cluster();
        let u = admin();
        let hooks = vec![
            parse_webhook_spec(&args(&["add-label", "team.example.com", "team=blue"])).expect("spec"),
            parse_webhook_spec(&args(&["deny-latest", "no-latest.example.com"])).expect("spec"),
        ];
        let req = request(Operation::Create, "pods", "default", "x", &u);
        let (steps, r) = admit(&req, Some(nginx("x", "default")), None, &s, &hooks);
        assert_eq!(r.expect("ok").expect("obj")["metadata"]["labels"]["team"], "blue");
        let names: Vec<&str> = steps.iter().map(|s| s.plugin.as_str()).collect();
        let at = names.iter().position(|n| *n == "MutatingAdmissionWebhook").expect("step");
        assert_eq!(names[at + 1], "team.example.com");
        assert_eq!(outcome(&steps, "team.example.com"), &Outcome::Mutated("label team=blue".into()));
        assert_eq!(outcome(&steps, "no-latest.example.com"), &Outcome::Passed);
        for (image, reason) in [
            ("nginx:latest", "container \"nginx\" uses image \"nginx:latest\": the :latest tag is not allowed, pin a version"),
            ("nginx", "container \"nginx\" uses image \"nginx\" without a tag (that means :latest), pin a version"),
            ("localhost:5000/app", "container \"nginx\" uses image \"localhost:5000/app\" without a tag (that means :latest), pin a version"),
        ] {
            let (steps, r) = admit(&req, Some(pod("x", "default", json!([{"name": "nginx", "image": image}]))), None, &s, &hooks);
            assert_eq!(
                rejection(r),
                format!("Error from server (Forbidden): admission webhook \"no-latest.example.com\" denied the request: {reason}")
            );
            assert_eq!(steps.last().map(|s| s.plugin.as_str()), Some("no-latest.example.com"));
        }
        let digest = pod("x", "default", json!([{"name": "nginx", "image": "nginx@sha256:abc"}]));
        assert!(admit(&req, Some(digest), None, &s, &hooks).1.is_ok());
        // Deployments' templates too; kube-system is out of the webhooks' reach.
        let d = json!({"kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                       "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web:latest"}]}}}});
        let dreq = request(Operation::Create, "deployments", "default", "web", &u);
        assert!(admit(&dreq, Some(d), None, &s, &hooks).1.is_err());
        let kreq = request(Operation::Create, "pods", "kube-system", "x", &u);
        let latest = pod("x", "kube-system", json!([{"name": "nginx", "image": "nginx"}]));
        assert!(admit(&kreq, Some(latest), None, &s, &hooks).1.is_ok());
        // Deny everything.
        let freeze =
            vec![parse_webhook_spec(&args(&["deny", "freeze.example.com", "change", "freeze"])).expect("spec")];
        let del = request(Operation::Delete, "pods", "default", "x", &u);
        let (_, r) = admit(&del, None, None, &s, &freeze);
        assert_eq!(
            rejection(r),
            "Error from server (Forbidden): admission webhook \"freeze.example.com\" denied the request: change freeze"
        );
    }

    #[test]
    fn storage_defaults() {
        let mut s = cluster();
        s.insert(
            "storageclasses",
            json!({"kind": "StorageClass", "metadata": {"name": "standard",
                   "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}),
        );
        let pvcs = ApiResource {
            name: "persistentvolumeclaims",
            singular: "persistentvolumeclaim",
            short_names: &["pvc"],
            group: "",
            namespaced: true,
            kind: "PersistentVolumeClaim",
        };
        let pvcs: &'static ApiResource = Box::leak(Box::new(pvcs));
        let u = admin();
        let req = Request {
            operation: Operation::Create,
            resource: pvcs,
            subresource: "",
            namespace: "default",
            name: "data",
            user: &u,
        };
        let claim = json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "default"},
                           "spec": {"resources": {"requests": {"storage": "1Gi"}}}});
        let (_, r) = admit(&req, Some(claim), None, &s, &[]);
        let c = r.expect("ok").expect("obj");
        assert_eq!(c["spec"]["storageClassName"], "standard");
        assert_eq!(c["metadata"]["finalizers"], json!(["kubernetes.io/pvc-protection"]));
    }
}
