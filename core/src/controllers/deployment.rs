//! The Deployment controller (kube-controller-manager's `deployment`, service account
//! `deployment-controller`): one ReplicaSet per pod template, rolled from the old template to the
//! new one within `maxSurge` / `maxUnavailable` (fact sheet §5).
//!
//! A faithful port of KK v1.27 `pkg/controller/deployment/` — `deployment_controller.go` (informer
//! handlers, `syncDeployment`), `sync.go` (`getNewReplicaSet`, `scale`, `cleanupDeployment`,
//! `calculateStatus`), `rolling.go`, `recreate.go`, `progress.go` (`syncRolloutStatus`) and
//! `util/deployment_util.go` (`ResolveFenceposts`, `NewRSNewReplicas`, `GetProportion`,
//! `EqualIgnoreHash`, …) — and of `ComputeHash` (`pkg/controller/controller_utils.go`).
//!
//! Pure: a sync reads the informers' cache and returns a [`Plan`]. KK issues its writes one after
//! another and returns at the first error; here every write is a batch of its own, so a failure
//! skips the rest the same way. KK never re-reads the Deployment inside a sync, so a sync that
//! writes its status twice (creating a ReplicaSet, then recording the rollout) sends the second
//! write with the first one's stale resourceVersion and gets 409 Conflict, exactly as a real
//! controller-manager does (it logs `Error syncing deployment` at V(2) and requeues).
//!
//! Logs: at klog's default verbosity KK's deployment controller prints nothing in a sync (its
//! lines are V(2) and up; the event broadcaster's lines are the integrator's), so plans carry
//! no log lines.
//!
//! Lab simplifications (each marked where it happens): the template hash is FNV-32a over the
//! lab's canonical JSON, not over Go's spew dump of the struct; a hash collision is detected in the
//! cache before the create instead of from its `AlreadyExists`; a write of a ReplicaSet copy that
//! an earlier write of the same sync returned goes without a resourceVersion (KK sends the one
//! that write returned, which the lab does not know while planning; writes of the informer's
//! copies keep theirs, so KK's own stale second writes still get their 409); adoption patches are JSON merge patches
//! carrying the whole `ownerReferences` list (KK: a strategic merge patch with a uid
//! precondition); the deprecated `rollbackTo` annotation (extensions/v1beta1 only) is ignored.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::{Change, Diff, EventType, Note, Plan, Robot, Write};
use crate::apiserver::handler::Verb;
use crate::apiserver::object::{self, Object};
use crate::apiserver::validation::selector_matches;
use crate::apiserver::Informers;

pub mod rollout;
#[cfg(test)]
mod tests;

/// `deployment.kubernetes.io/revision` on Deployments and their ReplicaSets.
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
/// The revisions a ReplicaSet had before a rollback made it new again.
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
/// `kubectl rollout history`'s CHANGE-CAUSE.
pub const CHANGE_CAUSE_ANNOTATION: &str = "kubernetes.io/change-cause";
/// `apps.DefaultDeploymentUniqueLabelKey`.
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";
const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
const DEPRECATED_ROLLBACK_TO: &str = "deprecated.deployment.rollback.to";

/// Annotations a Deployment does not copy to its ReplicaSets (`annotationsToSkip`); kubectl's
/// rollback keeps the same set on the Deployment.
pub const ANNOTATIONS_TO_SKIP: [&str; 6] = [
    LAST_APPLIED_ANNOTATION,
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    DEPRECATED_ROLLBACK_TO,
];

/// `maxRevHistoryLengthInChars` (sync.go): the revision-history annotation stays under this.
const REV_HISTORY_LENGTH_MAX: usize = 2000;
/// `math.MaxInt32`: a progressDeadlineSeconds / revisionHistoryLimit of this means "none".
const UNSET_I32: i64 = i32::MAX as i64;
/// `maxRetries` of the deployment controller's queue: a key is dropped after this many failures
/// (for the integrator's worker loop).
pub const MAX_RETRIES: u32 = 15;
/// Condition reasons (util/deployment_util.go).
pub const NEW_RS_CREATED_REASON: &str = "NewReplicaSetCreated";
pub const FOUND_NEW_RS_REASON: &str = "FoundNewReplicaSet";
pub const RS_UPDATED_REASON: &str = "ReplicaSetUpdated";
pub const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
pub const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
pub const PAUSED_REASON: &str = "DeploymentPaused";
pub const RESUMED_REASON: &str = "DeploymentResumed";
pub const MIN_AVAILABLE_REASON: &str = "MinimumReplicasAvailable";
pub const MIN_UNAVAILABLE_REASON: &str = "MinimumReplicasUnavailable";
pub const FAILED_RS_CREATE_REASON: &str = "ReplicaSetCreateError";

// ---------------------------------------------------------------------------------------------
// Reading Deployments and ReplicaSets, with the API's defaults (KK `pkg/apis/apps/v1/defaults.go`)
// for fields a hand-built object may lack.

fn i64_at(obj: &Object, pointer: &str) -> Option<i64> {
    object::at(obj, pointer).and_then(Value::as_i64)
}

/// `spec.replicas` of a Deployment or ReplicaSet (both default to 1; validation keeps it ≥ 0,
/// and a negative one read anyway counts as 0).
pub fn replicas(obj: &Object) -> i64 {
    i64_at(obj, "/spec/replicas").unwrap_or(1).max(0)
}

fn status_i64(obj: &Object, field: &str) -> i64 {
    obj.get("status").and_then(|s| s.get(field)).and_then(Value::as_i64).unwrap_or(0)
}

fn generation(obj: &Object) -> i64 {
    i64_at(obj, "/metadata/generation").unwrap_or(0)
}

fn uid(obj: &Object) -> &str {
    object::str_at(obj, "/metadata/uid")
}

fn min_ready_seconds(obj: &Object) -> i64 {
    i64_at(obj, "/spec/minReadySeconds").unwrap_or(0)
}

fn paused(d: &Object) -> bool {
    d.pointer("/spec/paused").and_then(Value::as_bool).unwrap_or(false)
}

fn being_deleted(obj: &Object) -> bool {
    object::at(obj, "/metadata/deletionTimestamp").is_some_and(|v| !v.is_null())
}

/// `spec.strategy.type` (default `RollingUpdate`).
pub fn strategy_type(d: &Object) -> &str {
    match object::str_at(d, "/spec/strategy/type") {
        "" => "RollingUpdate",
        t => t,
    }
}

fn is_rolling_update(d: &Object) -> bool {
    strategy_type(d) == "RollingUpdate"
}

/// `maxSurge` / `maxUnavailable` of a RollingUpdate strategy (each defaults to `25%`).
fn rolling_param(d: &Object, field: &str) -> Value {
    d.pointer(&format!("/spec/strategy/rollingUpdate/{field}"))
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or(json!("25%"))
}

/// `util.HasProgressDeadline`: the deadline in seconds (default 600), `None` when unset.
fn progress_deadline_s(d: &Object) -> Option<i64> {
    match d.pointer("/spec/progressDeadlineSeconds") {
        Some(Value::Null) => None,
        Some(v) => v.as_i64().filter(|&s| s != UNSET_I32),
        None => Some(600),
    }
}

/// `util.HasRevisionHistoryLimit`: the limit (default 10), `None` when unset.
fn revision_history_limit(d: &Object) -> Option<i64> {
    match d.pointer("/spec/revisionHistoryLimit") {
        Some(Value::Null) => None,
        Some(v) => v.as_i64().filter(|&l| l != UNSET_I32),
        None => Some(10),
    }
}

/// The owner reference with `controller: true` (`metav1.GetControllerOf`).
pub fn controller_ref(obj: &Object) -> Option<&Value> {
    object::at(obj, "/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

fn is_controlled_by(obj: &Object, owner: &Object) -> bool {
    controller_ref(obj).is_some_and(|r| object::str_at(r, "/uid") == uid(owner) && !uid(owner).is_empty())
}

pub fn annotation<'a>(obj: &'a Object, key: &str) -> Option<&'a str> {
    obj.pointer("/metadata/annotations")?.get(key)?.as_str()
}

fn annotations(obj: &Object) -> BTreeMap<String, String> {
    obj.pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

fn set_annotation(obj: &mut Object, key: &str, value: &str) {
    let meta = object::metadata_mut(obj);
    let ann = meta.entry("annotations").or_insert_with(|| json!({}));
    if !ann.is_object() {
        *ann = json!({});
    }
    if let Some(m) = ann.as_object_mut() {
        m.insert(key.to_string(), Value::String(value.to_string()));
    }
}

/// `deploymentutil.Revision`: the revision annotation as a number (0 when absent).
pub fn revision(obj: &Object) -> Result<i64, String> {
    match annotation(obj, REVISION_ANNOTATION) {
        None => Ok(0),
        Some(v) => v.parse::<i64>().map_err(|_| format!("strconv.ParseInt: parsing {v:?}: invalid syntax")),
    }
}

/// `deploymentutil.MaxRevision`: the highest revision among `rss` (unparseable ones skipped).
fn max_revision(rss: &[Object]) -> i64 {
    rss.iter().filter_map(|rs| revision(rs).ok()).max().unwrap_or(0).max(0)
}

fn creation_s(obj: &Object) -> u64 {
    object::parse_rfc3339(object::str_at(obj, "/metadata/creationTimestamp")).unwrap_or(0)
}

/// `controller.ReplicaSetsByCreationTimestamp`: older first, names break ties.
fn by_creation(a: &Object, b: &Object) -> Ordering {
    creation_s(a).cmp(&creation_s(b)).then_with(|| object::name(a).cmp(object::name(b)))
}

/// A copy of an object as a write returned it: KK goes on with the returned object, whose new
/// resourceVersion the lab does not know while planning, so a later write of this copy goes
/// without one (see the module note). Lister copies keep theirs.
fn as_written(obj: &Object) -> Object {
    let mut copy = obj.clone();
    object::metadata_mut(&mut copy).remove("resourceVersion");
    copy
}

fn is_active(rs: &Object) -> bool {
    replicas(rs) > 0
}

// ---------------------------------------------------------------------------------------------
// Fenceposts (util/deployment_util.go; apimachinery `util/intstr/intstr.go`).

/// `intstr.GetScaledValueFromIntOrPercent`: an int as is; `"25%"` of `total`, rounded up
/// (`math.Ceil`) or down (`math.Floor`). A string without `%` is an error, as in Go.
pub fn scaled_value(v: &Value, total: i64, round_up: bool) -> Result<i64, String> {
    match v {
        Value::Number(n) => {
            n.as_i64().ok_or_else(|| "invalid value for IntOrString: invalid type: neither int nor percentage".into())
        }
        Value::String(s) => {
            let Some(digits) = s.strip_suffix('%') else {
                return Err("invalid value for IntOrString: invalid type: string is not a percentage".into());
            };
            let percent: i64 = digits.parse().map_err(|_| {
                format!("invalid value for IntOrString: invalid value {s:?}: strconv.Atoi: parsing {digits:?}: invalid syntax")
            })?;
            // Exact integer arithmetic for Go's float64 ceil/floor of percent·total/100.
            let product = percent.saturating_mul(total);
            Ok(if round_up { -(-product).div_euclid(100) } else { product.div_euclid(100) })
        }
        _ => Err("invalid value for IntOrString: invalid type: neither int nor percentage".into()),
    }
}

/// `ResolveFenceposts`: (maxSurge rounded up, maxUnavailable rounded down); both 0 ⇒
/// maxUnavailable 1, so a rollout can always make progress. Missing values count as 0.
pub fn resolve_fenceposts(
    max_surge: Option<&Value>,
    max_unavailable: Option<&Value>,
    desired: i64,
) -> Result<(i64, i64), String> {
    let zero = json!(0);
    let surge = scaled_value(max_surge.unwrap_or(&zero), desired, true)?;
    let mut unavailable = scaled_value(max_unavailable.unwrap_or(&zero), desired, false)?;
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Ok((surge, unavailable))
}

/// `deploymentutil.MaxSurge` (0 unless RollingUpdate; errors are caught by validation → 0).
pub fn max_surge(d: &Object) -> i64 {
    if !is_rolling_update(d) {
        return 0;
    }
    let (s, u) = (rolling_param(d, "maxSurge"), rolling_param(d, "maxUnavailable"));
    resolve_fenceposts(Some(&s), Some(&u), replicas(d)).map_or(0, |(surge, _)| surge)
}

/// `deploymentutil.MaxUnavailable` (0 unless RollingUpdate with replicas; at most replicas).
pub fn max_unavailable(d: &Object) -> i64 {
    if !is_rolling_update(d) || replicas(d) == 0 {
        return 0;
    }
    let (s, u) = (rolling_param(d, "maxSurge"), rolling_param(d, "maxUnavailable"));
    let unavailable = resolve_fenceposts(Some(&s), Some(&u), replicas(d)).map_or(0, |(_, u)| u);
    unavailable.min(replicas(d))
}

/// `deploymentutil.NewRSNewReplicas`: how big the new ReplicaSet may be now. RollingUpdate: up
/// to `replicas + maxSurge` pods in all (maxSurge as given, rounded up, without the fencepost
/// rule), never above `replicas`; Recreate: `replicas`.
pub fn new_rs_new_replicas(d: &Object, all_rss: &[Object], new_rs: &Object) -> Result<i64, String> {
    match strategy_type(d) {
        "RollingUpdate" => {
            let surge = scaled_value(&rolling_param(d, "maxSurge"), replicas(d), true)?;
            let current: i64 = all_rss.iter().map(replicas).sum();
            let max_total = replicas(d) + surge;
            if current >= max_total {
                return Ok(replicas(new_rs));
            }
            let up = (max_total - current).min(replicas(d) - replicas(new_rs));
            Ok(replicas(new_rs) + up)
        }
        "Recreate" => Ok(replicas(d)),
        other => Err(format!("deployment type {other} isn't supported")),
    }
}

// ---------------------------------------------------------------------------------------------
// Templates: equality ignoring the hash label, and the hash.

/// The template as the API server holds it (defaulted, KK's `SetDefaults_PodSpec` via
/// `apiserver::defaults`), without the `pod-template-hash` label and with empty maps and lists
/// dropped — `apiequality.Semantic.DeepEqual` treats nil and empty alike.
fn normalized_template(template: Option<&Value>) -> Value {
    let mut wrapper = json!({"spec": {"template": template.cloned().unwrap_or_else(|| json!({}))}});
    if let Some(rs) = crate::k8s::resources::RESOURCES.iter().find(|r| r.name == "replicasets") {
        crate::apiserver::defaults::apply(rs, &mut wrapper);
    }
    let mut t = wrapper.pointer("/spec/template").cloned().unwrap_or(Value::Null);
    if let Some(labels) = t.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(POD_TEMPLATE_HASH_LABEL);
    }
    prune_empty(&mut t);
    t
}

/// Drops nulls and empty maps/lists, depth first.
fn prune_empty(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for x in m.values_mut() {
                prune_empty(x);
            }
            m.retain(|_, x| !is_empty(x));
        }
        Value::Array(a) => a.iter_mut().for_each(prune_empty),
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// `deploymentutil.EqualIgnoreHash`: the two pod templates are the same but for the
/// `pod-template-hash` label.
pub fn equal_ignore_hash(a: Option<&Value>, b: Option<&Value>) -> bool {
    normalized_template(a) == normalized_template(b)
}

/// apimachinery `rand.SafeEncodeString`: each character mapped into the alphabet without vowels
/// and confusable digits.
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.chars().map(|c| ALPHANUMS[(c as usize) % ALPHANUMS.len()] as char).collect()
}

/// `controller.ComputeHash`: FNV-32a of the pod template, then (if set) of the collision count as
/// 8 bytes (uint32 little-endian, zero padded), printed in decimal and safe-encoded.
///
/// KK feeds the hasher Go's `spew` dump of the `PodTemplateSpec` struct (`hashutil.DeepHashObject`),
/// which the lab cannot reproduce; it hashes the canonical JSON of the defaulted template instead
/// (sorted keys, the hash label dropped). Same shape, same alphabet, different digits — a
/// ReplicaSet the lab creates is not named as a real cluster would name it.
pub fn compute_hash(template: Option<&Value>, collision_count: Option<i64>) -> String {
    let mut h: u32 = 0x811c_9dc5;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    };
    feed(normalized_template(template).to_string().as_bytes());
    if let Some(c) = collision_count {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&(c as u32).to_le_bytes());
        feed(&bytes);
    }
    safe_encode(&h.to_string())
}

// ---------------------------------------------------------------------------------------------
// Status and conditions (apps/v1 `DeploymentStatus`, util/deployment_util.go).

/// One `DeploymentCondition`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Condition {
    /// `Available`, `Progressing`, `ReplicaFailure`.
    pub kind: String,
    /// `True`, `False`, `Unknown`.
    pub status: String,
    pub last_update_time: String,
    pub last_transition_time: String,
    pub reason: String,
    pub message: String,
}

/// `apps/v1 DeploymentStatus`; zero counts are omitted from JSON (`omitempty`), as Go writes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeploymentStatus {
    pub observed_generation: i64,
    pub replicas: i64,
    pub updated_replicas: i64,
    pub ready_replicas: i64,
    pub available_replicas: i64,
    pub unavailable_replicas: i64,
    pub collision_count: Option<i64>,
    pub conditions: Vec<Condition>,
}

impl DeploymentStatus {
    pub fn of(d: &Object) -> DeploymentStatus {
        let n = |f: &str| status_i64(d, f);
        let conditions = d
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .map(|c| Condition {
                        kind: object::str_at(c, "/type").to_string(),
                        status: object::str_at(c, "/status").to_string(),
                        last_update_time: object::str_at(c, "/lastUpdateTime").to_string(),
                        last_transition_time: object::str_at(c, "/lastTransitionTime").to_string(),
                        reason: object::str_at(c, "/reason").to_string(),
                        message: object::str_at(c, "/message").to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        DeploymentStatus {
            observed_generation: n("observedGeneration"),
            replicas: n("replicas"),
            updated_replicas: n("updatedReplicas"),
            ready_replicas: n("readyReplicas"),
            available_replicas: n("availableReplicas"),
            unavailable_replicas: n("unavailableReplicas"),
            collision_count: i64_at(d, "/status/collisionCount"),
            conditions,
        }
    }

    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in [
            ("observedGeneration", self.observed_generation),
            ("replicas", self.replicas),
            ("updatedReplicas", self.updated_replicas),
            ("readyReplicas", self.ready_replicas),
            ("availableReplicas", self.available_replicas),
            ("unavailableReplicas", self.unavailable_replicas),
        ] {
            if v != 0 {
                m.insert(k.into(), json!(v));
            }
        }
        if let Some(c) = self.collision_count {
            m.insert("collisionCount".into(), json!(c));
        }
        if !self.conditions.is_empty() {
            let cs = self
                .conditions
                .iter()
                .map(|c| {
                    let mut o = Map::new();
                    for (k, v) in [
                        ("type", &c.kind),
                        ("status", &c.status),
                        ("lastUpdateTime", &c.last_update_time),
                        ("lastTransitionTime", &c.last_transition_time),
                        ("reason", &c.reason),
                        ("message", &c.message),
                    ] {
                        if !v.is_empty() {
                            o.insert(k.into(), Value::String(v.clone()));
                        }
                    }
                    Value::Object(o)
                })
                .collect();
            m.insert("conditions".into(), Value::Array(cs));
        }
        Value::Object(m)
    }

    pub fn condition(&self, kind: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.kind == kind)
    }

    /// `SetDeploymentCondition`: nothing if status and reason are unchanged; keeps the
    /// transition time if only the reason changed; the condition moves to the end.
    fn set_condition(&mut self, mut c: Condition) {
        if let Some(cur) = self.condition(&c.kind) {
            if cur.status == c.status && cur.reason == c.reason {
                return;
            }
            if cur.status == c.status {
                c.last_transition_time = cur.last_transition_time.clone();
            }
        }
        self.remove_condition(&c.kind.clone());
        self.conditions.push(c);
    }

    fn remove_condition(&mut self, kind: &str) {
        self.conditions.retain(|c| c.kind != kind);
    }
}

/// `NewDeploymentCondition`: both times are now.
fn new_condition(kind: &str, status: &str, reason: &str, message: String, now_us: u64) -> Condition {
    let t = object::rfc3339(object::unix_s(now_us));
    Condition {
        kind: kind.into(),
        status: status.into(),
        last_update_time: t.clone(),
        last_transition_time: t,
        reason: reason.into(),
        message,
    }
}

/// `DeploymentComplete`: every replica updated and available, the latest spec observed.
fn deployment_complete(d: &Object, s: &DeploymentStatus) -> bool {
    let r = replicas(d);
    s.updated_replicas == r && s.replicas == r && s.available_replicas == r && s.observed_generation >= generation(d)
}

/// `DeploymentProgressing`: more updated, ready or available replicas, or fewer old ones.
fn deployment_progressing(old: &DeploymentStatus, new: &DeploymentStatus) -> bool {
    let old_old = old.replicas - old.updated_replicas;
    let new_old = new.replicas - new.updated_replicas;
    new.updated_replicas > old.updated_replicas
        || new_old < old_old
        || new.ready_replicas > old.ready_replicas
        || new.available_replicas > old.available_replicas
}

/// `DeploymentTimedOut`: the Progressing condition was last updated more than
/// progressDeadlineSeconds ago.
fn deployment_timed_out(d: &Object, s: &DeploymentStatus, now_us: u64) -> bool {
    let Some(deadline_s) = progress_deadline_s(d) else { return false };
    let Some(c) = s.condition("Progressing") else { return false };
    match c.reason.as_str() {
        NEW_RS_AVAILABLE_REASON => false,
        TIMED_OUT_REASON => true,
        _ => {
            let from_s = object::parse_rfc3339(&c.last_update_time).unwrap_or(0) as i64;
            let now_unix_us = (object::EPOCH_UNIX_S * crate::sim::US_PER_S + now_us) as i64;
            (from_s + deadline_s) * crate::sim::US_PER_S as i64 - now_unix_us < 0
        }
    }
}

/// `calculateStatus`: the counts summed over the ReplicaSets' statuses, Available from
/// `replicas − maxUnavailable`, the other conditions carried over.
fn calculate_status(
    all: &[Object],
    new_rs: Option<&Object>,
    d: &Object,
    cur: &DeploymentStatus,
    now_us: u64,
) -> DeploymentStatus {
    let sum = |field: &str| all.iter().map(|rs| status_i64(rs, field)).sum::<i64>();
    let available = sum("availableReplicas");
    let total: i64 = all.iter().map(replicas).sum();
    let mut s = DeploymentStatus {
        observed_generation: generation(d),
        replicas: sum("replicas"),
        updated_replicas: new_rs.map_or(0, |rs| status_i64(rs, "replicas")),
        ready_replicas: sum("readyReplicas"),
        available_replicas: available,
        unavailable_replicas: (total - available).max(0),
        collision_count: cur.collision_count,
        conditions: cur.conditions.clone(),
    };
    if available >= replicas(d) - max_unavailable(d) {
        let msg = "Deployment has minimum availability.".to_string();
        s.set_condition(new_condition("Available", "True", MIN_AVAILABLE_REASON, msg, now_us));
    } else {
        let msg = "Deployment does not have minimum availability.".to_string();
        s.set_condition(new_condition("Available", "False", MIN_UNAVAILABLE_REASON, msg, now_us));
    }
    s
}

/// `GetProportion`: this ReplicaSet's share of `to_add` (negative: to remove), by its size
/// against the `max-replicas` it was last sized for.
fn get_proportion(rs: &Object, d: &Object, to_add: i64, added: i64) -> i64 {
    if replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = replica_set_fraction(rs, d);
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

/// `getReplicaSetFraction`: round(rs · (replicas + maxSurge) / max-replicas annotation) − rs.
fn replica_set_fraction(rs: &Object, d: &Object) -> i64 {
    if replicas(d) == 0 {
        return -replicas(rs);
    }
    let deployment_replicas = replicas(d) + max_surge(d);
    let annotated = annotation(rs, MAX_REPLICAS_ANNOTATION)
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or_else(|| status_i64(d, "replicas"));
    if annotated <= 0 {
        // KK divides by zero here (float64 +Inf); the case is documented as never happening.
        return 0;
    }
    // integer.RoundToInt32(float64(rs·dr)/float64(annotated)): round half away from zero; both
    // operands are non-negative here.
    let n = replicas(rs) * deployment_replicas;
    (2 * n + annotated) / (2 * annotated) - replicas(rs)
}

/// `IsSaturated`: the new ReplicaSet has all the replicas, all available.
fn is_saturated(d: &Object, rs: Option<&Object>) -> bool {
    let Some(rs) = rs else { return false };
    let Some(desired) = annotation(rs, DESIRED_REPLICAS_ANNOTATION).and_then(|v| v.parse::<i64>().ok()) else {
        return false;
    };
    replicas(rs) == replicas(d) && desired == replicas(d) && status_i64(rs, "availableReplicas") == replicas(d)
}

/// `FindActiveOrLatest`: the one active ReplicaSet, or the newest if none is active.
fn find_active_or_latest(new_rs: Option<&Object>, old: &[Object]) -> Option<Object> {
    if new_rs.is_none() && old.is_empty() {
        return None;
    }
    let mut old_sorted = old.to_vec();
    old_sorted.sort_by(|a, b| by_creation(b, a));
    let mut all: Vec<Object> = old_sorted.clone();
    all.extend(new_rs.cloned());
    let active: Vec<Object> = all.into_iter().filter(is_active).collect();
    match active.len() {
        0 => new_rs.cloned().or_else(|| old_sorted.first().cloned()),
        1 => active.into_iter().next(),
        _ => None,
    }
}

fn replicas_annotations_need_update(rs: &Object, desired: i64, max: i64) -> bool {
    annotation(rs, DESIRED_REPLICAS_ANNOTATION) != Some(desired.to_string().as_str())
        || annotation(rs, MAX_REPLICAS_ANNOTATION) != Some(max.to_string().as_str())
}

/// `SetReplicasAnnotations`.
fn set_replicas_annotations(rs: &mut Object, desired: i64, max: i64) -> bool {
    let updated = replicas_annotations_need_update(rs, desired, max);
    set_annotation(rs, DESIRED_REPLICAS_ANNOTATION, &desired.to_string());
    set_annotation(rs, MAX_REPLICAS_ANNOTATION, &max.to_string());
    updated
}

/// `copyDeploymentAnnotationsToReplicaSet`: the Deployment's annotations but the skipped ones.
fn copy_annotations_to_rs(d: &Object, rs: &mut Object) -> bool {
    let mut changed = false;
    for (k, v) in annotations(d) {
        if ANNOTATIONS_TO_SKIP.contains(&k.as_str()) || annotation(rs, &k) == Some(v.as_str()) {
            continue;
        }
        set_annotation(rs, &k, &v);
        changed = true;
    }
    changed
}

/// `SetNewReplicaSetAnnotations`: copy the Deployment's annotations, raise the revision to
/// `new_revision` (recording the old one in revision-history when it existed — a rollback), and
/// for a ReplicaSet about to be created the desired/max replicas.
fn set_new_rs_annotations(d: &Object, rs: &mut Object, new_revision: i64, exists: bool) -> bool {
    let mut changed = copy_annotations_to_rs(d, rs);
    let old = annotation(rs, REVISION_ANNOTATION).map(str::to_string);
    let old_n = match &old {
        None => 0,
        Some(v) => match v.parse::<i64>() {
            Ok(n) => n,
            // KK logs "Updating replica set revision OldRevision not int" and stops here.
            Err(_) => return false,
        },
    };
    if old_n < new_revision {
        set_annotation(rs, REVISION_ANNOTATION, &new_revision.to_string());
        changed = true;
        if let Some(old) = old {
            let history = annotation(rs, REVISION_HISTORY_ANNOTATION).unwrap_or("").to_string();
            if history.is_empty() {
                set_annotation(rs, REVISION_HISTORY_ANNOTATION, &old);
            } else {
                let mut olds: Vec<&str> = history.split(',').collect();
                let mut total = history.len() + old.len() + 1;
                let mut start = 0;
                while total > REV_HISTORY_LENGTH_MAX && start < olds.len() {
                    total -= olds[start].len() + 1;
                    start += 1;
                }
                if total <= REV_HISTORY_LENGTH_MAX {
                    olds = olds.split_off(start);
                    olds.push(&old);
                    set_annotation(rs, REVISION_HISTORY_ANNOTATION, &olds.join(","));
                }
            }
        }
    }
    if !exists && set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge(d)) {
        changed = true;
    }
    changed
}

/// The ReplicaSet a Deployment creates for its template (`getNewReplicaSet`, the create branch):
/// named `<deployment>-<hash>`, the hash in its labels, selector and template labels, owned by
/// the Deployment, annotated with revision and desired/max replicas.
pub fn new_replica_set(d: &Object, hash: &str, replicas_n: i64, revision_n: i64) -> Object {
    let mut template = d.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let mut labels =
        template.pointer("/metadata/labels").cloned().filter(Value::is_object).unwrap_or_else(|| json!({}));
    labels[POD_TEMPLATE_HASH_LABEL] = json!(hash);
    if !template.is_object() {
        template = json!({});
    }
    if let Some(m) = template.as_object_mut() {
        let meta = m.entry("metadata").or_insert_with(|| json!({}));
        if !meta.is_object() {
            *meta = json!({});
        }
        meta["labels"] = labels.clone();
    }
    let mut selector = d.pointer("/spec/selector").cloned().filter(Value::is_object).unwrap_or_else(|| json!({}));
    let ml = selector.as_object_mut().expect("made a map above").entry("matchLabels").or_insert_with(|| json!({}));
    if !ml.is_object() {
        *ml = json!({});
    }
    ml[POD_TEMPLATE_HASH_LABEL] = json!(hash);
    let mut spec = json!({"replicas": replicas_n, "selector": selector, "template": template});
    if min_ready_seconds(d) != 0 {
        spec["minReadySeconds"] = json!(min_ready_seconds(d));
    }
    let mut rs = json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": format!("{}-{hash}", object::name(d)),
            "namespace": object::namespace(d),
            "labels": labels,
            "ownerReferences": [owner_ref(d)],
        },
        "spec": spec,
    });
    set_new_rs_annotations(d, &mut rs, revision_n, false);
    rs
}

/// `metav1.NewControllerRef(d, apps/v1 Deployment)`.
pub fn owner_ref(d: &Object) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "name": object::name(d), "uid": uid(d),
        "controller": true, "blockOwnerDeletion": true,
    })
}

fn container_images(template: Option<&Value>) -> String {
    template
        .and_then(|t| t.pointer("/spec/containers"))
        .and_then(Value::as_array)
        .map(|cs| cs.iter().map(|c| object::str_at(c, "/image")).collect::<Vec<_>>().join(","))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// One sync of one Deployment.

/// What one sync planned for `answered` to word the events with, once the API server has said.
#[derive(Clone, Debug, Default)]
struct Memo {
    namespace: String,
    name: String,
    uid: String,
    /// (ReplicaSet, replicas written, replicas before) of each planned ReplicaSet update.
    scalings: Vec<(String, i64, i64)>,
}

/// A sync in progress: the Deployment it mutates in place (its resourceVersion is never
/// refreshed, as in KK) and the writes so far.
struct Run<'a> {
    cache: &'a dyn Informers,
    now_us: u64,
    d: Object,
    status: DeploymentStatus,
    writes: Vec<Write>,
    notes: Vec<Note>,
    scalings: Vec<(String, i64, i64)>,
    requeue_after_us: Option<u64>,
}

/// A sync that returns early with an error and no further writes.
struct Stop;

impl<'a> Run<'a> {
    fn new(cache: &'a dyn Informers, now_us: u64, d: Object) -> Run<'a> {
        let status = DeploymentStatus::of(&d);
        Run {
            cache,
            now_us,
            d,
            status,
            writes: Vec::new(),
            notes: Vec::new(),
            scalings: Vec::new(),
            requeue_after_us: None,
        }
    }

    fn ns(&self) -> String {
        object::namespace(&self.d).to_string()
    }

    fn note(&mut self, kind: EventType, reason: &str, message: String) {
        self.notes.push(Note {
            resource: "deployments",
            namespace: self.ns(),
            name: object::name(&self.d).to_string(),
            uid: uid(&self.d).to_string(),
            kind,
            reason: reason.into(),
            message,
        });
    }

    /// The Deployment as this sync holds it (its status replaced), for an UpdateStatus.
    fn update_status(&mut self) {
        let mut body = self.d.clone();
        if let Some(m) = body.as_object_mut() {
            m.insert("status".into(), self.status.to_value());
        }
        self.writes.push(Write::update_status("deployments", body));
    }

    // --- syncDeployment (deployment_controller.go) ---

    fn sync_deployment(&mut self) {
        let selector = self.d.pointer("/spec/selector").cloned();
        if selector.as_ref().is_some_and(|s| s.as_object().is_some_and(|m| m.values().all(is_empty))) {
            let msg = "This deployment is selecting all pods. A non-empty selector is required.".to_string();
            self.note(EventType::Warning, "SelectingAll", msg);
            if self.status.observed_generation < generation(&self.d) {
                self.status.observed_generation = generation(&self.d);
                self.update_status();
            }
            return;
        }
        let rs_list = self.claim_replica_sets();
        let pod_map = self.pod_map(&rs_list);
        if being_deleted(&self.d) {
            return self.sync_status_only(&rs_list);
        }
        self.check_paused_conditions();
        if paused(&self.d) {
            return self.sync_scale(&rs_list);
        }
        match self.is_scaling_event(&rs_list) {
            Err(Stop) => return,
            Ok(true) => return self.sync_scale(&rs_list),
            Ok(false) => {}
        }
        match strategy_type(&self.d) {
            "Recreate" => self.rollout_recreate(&rs_list, &pod_map),
            "RollingUpdate" => self.rollout_rolling(&rs_list),
            // KK: `unexpected deployment strategy type` (validation prevents it).
            _ => {}
        }
    }

    /// `getReplicaSetsForDeployment` → `ClaimReplicaSets`: the ReplicaSets this Deployment
    /// controls and whose labels it selects; orphans it selects are adopted, owned ones it no
    /// longer selects released (both by patch). Sorted oldest first (`FindNewReplicaSet` sorts
    /// the shared slice in place in KK).
    fn claim_replica_sets(&mut self) -> Vec<Object> {
        let ns = self.ns();
        let selector = self.d.pointer("/spec/selector").cloned();
        let d_uid = uid(&self.d).to_string();
        let mut claimed = Vec::new();
        for rs in self.cache.list("replicasets", &ns) {
            let matches = selector_matches(selector.as_ref(), rs.pointer("/metadata/labels"));
            let refs: Vec<Value> =
                rs.pointer("/metadata/ownerReferences").and_then(Value::as_array).cloned().unwrap_or_default();
            match controller_ref(rs) {
                Some(r) if object::str_at(r, "/uid") != d_uid => {}
                Some(_) if matches => claimed.push(rs.clone()),
                Some(_) => {
                    if !being_deleted(&self.d) {
                        let kept: Vec<Value> =
                            refs.into_iter().filter(|r| object::str_at(r, "/uid") != d_uid).collect();
                        let refs = if kept.is_empty() { Value::Null } else { Value::Array(kept) };
                        self.patch_rs(rs, json!({"metadata": {"ownerReferences": refs}}));
                    }
                }
                None => {
                    if being_deleted(&self.d) || !matches || being_deleted(rs) {
                        continue;
                    }
                    let mut refs = refs;
                    refs.push(owner_ref(&self.d));
                    self.patch_rs(rs, json!({"metadata": {"ownerReferences": refs}}));
                    claimed.push(rs.clone());
                }
            }
        }
        claimed.sort_by(by_creation);
        claimed
    }

    fn patch_rs(&mut self, rs: &Object, patch: Value) {
        self.writes.push(Write {
            verb: Verb::Patch,
            resource: "replicasets",
            subresource: "",
            namespace: object::namespace(rs).to_string(),
            name: object::name(rs).to_string(),
            body: Some(patch),
            propagation: None,
            grace_period_s: None,
            uid: None,
        });
    }

    /// `getPodMapForDeployment`: the pods the Deployment selects, by the uid of the ReplicaSet
    /// (among `rs_list`) that controls them — terminating and finished ones included.
    fn pod_map(&self, rs_list: &[Object]) -> BTreeMap<String, Vec<Object>> {
        let mut map: BTreeMap<String, Vec<Object>> =
            rs_list.iter().map(|rs| (uid(rs).to_string(), Vec::new())).collect();
        let selector = self.d.pointer("/spec/selector");
        for pod in self.cache.list("pods", &self.ns()) {
            if !selector_matches(selector, pod.pointer("/metadata/labels")) {
                continue;
            }
            let Some(r) = controller_ref(pod) else { continue };
            if let Some(list) = map.get_mut(object::str_at(r, "/uid")) {
                list.push(pod.clone());
            }
        }
        map
    }

    /// `checkPausedConditions`: Progressing Unknown with DeploymentPaused / DeploymentResumed.
    fn check_paused_conditions(&mut self) {
        if progress_deadline_s(&self.d).is_none() {
            return;
        }
        let cond = self.status.condition("Progressing").cloned();
        if cond.as_ref().is_some_and(|c| c.reason == TIMED_OUT_REASON) {
            return;
        }
        let paused_exists = cond.as_ref().is_some_and(|c| c.reason == PAUSED_REASON);
        let c = if paused(&self.d) && !paused_exists {
            new_condition("Progressing", "Unknown", PAUSED_REASON, "Deployment is paused".into(), self.now_us)
        } else if !paused(&self.d) && paused_exists {
            new_condition("Progressing", "Unknown", RESUMED_REASON, "Deployment is resumed".into(), self.now_us)
        } else {
            return;
        };
        self.status.set_condition(c);
        self.update_status();
    }

    // --- sync.go ---

    /// `syncStatusOnly`.
    fn sync_status_only(&mut self, rs_list: &[Object]) {
        let Ok((new_rs, old)) = self.get_all_rss_and_sync_revision(rs_list, false) else { return };
        let all = with_new(old, new_rs.as_ref());
        self.sync_deployment_status(&all, new_rs.as_ref());
    }

    /// `sync`: scaling events and paused Deployments.
    fn sync_scale(&mut self, rs_list: &[Object]) {
        let Ok((new_rs, old)) = self.get_all_rss_and_sync_revision(rs_list, false) else { return };
        if self.scale(new_rs.as_ref(), &old).is_err() {
            return;
        }
        if paused(&self.d) && annotation(&self.d, DEPRECATED_ROLLBACK_TO).is_none() {
            self.cleanup_deployment(&old);
        }
        let all = with_new(old, new_rs.as_ref());
        self.sync_deployment_status(&all, new_rs.as_ref());
    }

    /// `isScalingEvent`: an active ReplicaSet was sized for another replica count.
    fn is_scaling_event(&mut self, rs_list: &[Object]) -> Result<bool, Stop> {
        let (new_rs, old) = self.get_all_rss_and_sync_revision(rs_list, false)?;
        let all = with_new(old, new_rs.as_ref());
        Ok(all.iter().filter(|rs| is_active(rs)).any(|rs| {
            annotation(rs, DESIRED_REPLICAS_ANNOTATION)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|desired| desired != replicas(&self.d))
        }))
    }

    /// `getAllReplicaSetsAndSyncRevision`: (new ReplicaSet, all old ones); the new one's
    /// revision raised to the highest old + 1 and copied to the Deployment.
    fn get_all_rss_and_sync_revision(
        &mut self,
        rs_list: &[Object],
        create: bool,
    ) -> Result<(Option<Object>, Vec<Object>), Stop> {
        let new_uid = find_new_rs(&self.d, rs_list).map(|rs| uid(rs).to_string());
        let old: Vec<Object> = rs_list.iter().filter(|rs| new_uid.as_deref() != Some(uid(rs))).cloned().collect();
        let new_rs = self.get_new_replica_set(rs_list, &old, create)?;
        Ok((new_rs, old))
    }

    /// `getNewReplicaSet`.
    fn get_new_replica_set(
        &mut self,
        rs_list: &[Object],
        old: &[Object],
        create: bool,
    ) -> Result<Option<Object>, Stop> {
        let new_revision = max_revision(old) + 1;
        if let Some(existing) = find_new_rs(&self.d, rs_list) {
            let mut rs = existing.clone();
            let annotations_updated = set_new_rs_annotations(&self.d, &mut rs, new_revision, true);
            let min_ready_differs = min_ready_seconds(&rs) != min_ready_seconds(&self.d);
            if annotations_updated || min_ready_differs {
                set_min_ready_seconds(&mut rs, min_ready_seconds(&self.d));
                let n = replicas(&rs);
                self.update_rs(&rs, n, n);
                return Ok(Some(as_written(&rs)));
            }
            let rs_revision = annotation(&rs, REVISION_ANNOTATION).unwrap_or("").to_string();
            let mut needs_update = annotation(&self.d, REVISION_ANNOTATION) != Some(rs_revision.as_str());
            set_annotation(&mut self.d, REVISION_ANNOTATION, &rs_revision);
            if progress_deadline_s(&self.d).is_some() && self.status.condition("Progressing").is_none() {
                let msg = format!("Found new replica set \"{}\"", object::name(&rs));
                self.status.set_condition(new_condition("Progressing", "True", FOUND_NEW_RS_REASON, msg, self.now_us));
                needs_update = true;
            }
            if needs_update {
                self.update_status();
            }
            return Ok(Some(rs));
        }
        if !create {
            return Ok(None);
        }
        let template = self.d.pointer("/spec/template").cloned();
        let hash = compute_hash(template.as_ref(), self.status.collision_count);
        let name = format!("{}-{hash}", object::name(&self.d));
        // The lab looks for a collision before creating: KK creates, gets AlreadyExists, finds
        // the ReplicaSet is not its own new one (else it would have been found above), bumps
        // collisionCount with an UpdateStatus and requeues. Same outcome, one request fewer.
        if self.cache.get("replicasets", &self.ns(), &name).is_some() {
            self.status.collision_count = Some(self.status.collision_count.unwrap_or(0) + 1);
            self.update_status();
            return Err(Stop);
        }
        let mut rs = new_replica_set(&self.d, &hash, 0, new_revision);
        let mut all = old.to_vec();
        all.push(rs.clone());
        let Ok(n) = new_rs_new_replicas(&self.d, &all, &rs) else { return Err(Stop) };
        rs["spec"]["replicas"] = json!(n);
        self.writes.push(Write::create("replicasets", &self.ns(), rs.clone()));
        let mut needs_update = annotation(&self.d, REVISION_ANNOTATION) != Some(new_revision.to_string().as_str());
        set_annotation(&mut self.d, REVISION_ANNOTATION, &new_revision.to_string());
        if progress_deadline_s(&self.d).is_some() {
            let msg = format!("Created new replica set \"{name}\"");
            self.status.set_condition(new_condition("Progressing", "True", NEW_RS_CREATED_REASON, msg, self.now_us));
            needs_update = true;
        }
        if needs_update {
            self.update_status();
        }
        Ok(Some(rs))
    }

    /// `scale`: proportional scaling for scaling events and paused Deployments.
    fn scale(&mut self, new_rs: Option<&Object>, old: &[Object]) -> Result<(), Stop> {
        let target = replicas(&self.d);
        if let Some(rs) = find_active_or_latest(new_rs, old) {
            if replicas(&rs) != target {
                self.scale_rs_and_record_event(&rs, target);
            }
            return Ok(());
        }
        if is_saturated(&self.d, new_rs) {
            for rs in old.iter().filter(|rs| is_active(rs)) {
                self.scale_rs_and_record_event(rs, 0);
            }
            return Ok(());
        }
        if !is_rolling_update(&self.d) {
            return Ok(());
        }
        let mut all: Vec<Object> = with_new(old.to_vec(), new_rs).into_iter().filter(is_active).collect();
        let current: i64 = all.iter().map(replicas).sum();
        let allowed = if target > 0 { target + max_surge(&self.d) } else { 0 };
        let to_add = allowed - current;
        // ReplicaSetsBySizeNewer (scaling up: newer first among equals) / BySizeOlder.
        all.sort_by(|a, b| {
            replicas(b).cmp(&replicas(a)).then_with(|| if to_add > 0 { by_creation(b, a) } else { by_creation(a, b) })
        });
        let mut added = 0;
        let mut sizes: Vec<i64> = Vec::with_capacity(all.len());
        for rs in &all {
            if to_add != 0 {
                let p = get_proportion(rs, &self.d, to_add, added);
                sizes.push(replicas(rs) + p);
                added += p;
            } else {
                sizes.push(replicas(rs));
            }
        }
        for (i, rs) in all.iter().enumerate() {
            if i == 0 && to_add != 0 {
                sizes[0] = (sizes[0] + to_add - added).max(0);
            }
            self.scale_rs(rs, sizes[i]);
        }
        Ok(())
    }

    /// `scaleReplicaSetAndRecordEvent`: nothing if already that size.
    fn scale_rs_and_record_event(&mut self, rs: &Object, new_scale: i64) -> (bool, Object) {
        if replicas(rs) == new_scale {
            return (false, rs.clone());
        }
        self.scale_rs(rs, new_scale)
    }

    /// `scaleReplicaSet`: an Update of the ReplicaSet's replicas and desired/max annotations;
    /// the event (`Scaled up replica set x to 3 from 1`) follows the API server's OK.
    fn scale_rs(&mut self, rs: &Object, new_scale: i64) -> (bool, Object) {
        assert!(new_scale >= 0, "a ReplicaSet is never scaled below zero");
        let size_changes = replicas(rs) != new_scale;
        let (desired, max) = (replicas(&self.d), replicas(&self.d) + max_surge(&self.d));
        if !size_changes && !replicas_annotations_need_update(rs, desired, max) {
            return (false, rs.clone());
        }
        let mut copy = rs.clone();
        copy["spec"]["replicas"] = json!(new_scale);
        set_replicas_annotations(&mut copy, desired, max);
        self.update_rs(&copy, new_scale, replicas(rs));
        (size_changes, as_written(&copy))
    }

    /// An Update of `rs` carrying the resourceVersion of the copy it was made from: a lister
    /// copy's (stale once this sync wrote the ReplicaSet: 409, as in KK) or none for a copy a
    /// write returned (see [`as_written`]).
    fn update_rs(&mut self, rs: &Object, new_scale: i64, old_scale: i64) {
        self.scalings.push((object::name(rs).to_string(), new_scale, old_scale));
        self.writes.push(Write::update("replicasets", rs.clone()));
    }

    /// `cleanupDeployment`: delete the oldest old ReplicaSets beyond revisionHistoryLimit — only
    /// those with no replicas, no pods and their latest spec observed.
    fn cleanup_deployment(&mut self, old: &[Object]) {
        let Some(limit) = revision_history_limit(&self.d) else { return };
        let mut cleanable: Vec<&Object> = old.iter().filter(|rs| !being_deleted(rs)).collect();
        let diff = cleanable.len() as i64 - limit;
        if diff <= 0 {
            return;
        }
        // deploymentutil.ReplicaSetsByRevision: lower revision first, creation order on ties.
        cleanable.sort_by(|a, b| {
            let (ra, rb) = (revision(a).unwrap_or(0), revision(b).unwrap_or(0));
            ra.cmp(&rb).then_with(|| by_creation(a, b))
        });
        for rs in cleanable.into_iter().take(diff as usize) {
            if status_i64(rs, "replicas") != 0
                || replicas(rs) != 0
                || generation(rs) > status_i64(rs, "observedGeneration")
                || being_deleted(rs)
            {
                continue;
            }
            self.writes.push(Write::delete("replicasets", object::namespace(rs), object::name(rs)));
        }
    }

    /// `syncDeploymentStatus`: write the calculated status if it differs.
    fn sync_deployment_status(&mut self, all: &[Object], new_rs: Option<&Object>) {
        let new = calculate_status(all, new_rs, &self.d, &self.status, self.now_us);
        if new == self.status {
            return;
        }
        self.status = new;
        self.update_status();
    }

    // --- rolling.go ---

    /// `rolloutRolling`: scale up the new ReplicaSet if it may grow; else scale old ones down if
    /// availability allows; else (complete) clean up history; then the status.
    fn rollout_rolling(&mut self, rs_list: &[Object]) {
        let Ok((new_rs, old)) = self.get_all_rss_and_sync_revision(rs_list, true) else { return };
        let Some(new_rs) = new_rs else { return };
        let all = with_new(old.clone(), Some(&new_rs));
        if self.reconcile_new_rs(&all, &new_rs) {
            return self.sync_rollout_status(&all, Some(&new_rs));
        }
        let active_old: Vec<Object> = old.iter().filter(|rs| is_active(rs)).cloned().collect();
        if self.reconcile_old_rss(&all, active_old, &new_rs) {
            return self.sync_rollout_status(&all, Some(&new_rs));
        }
        if deployment_complete(&self.d, &self.status) {
            self.cleanup_deployment(&old);
        }
        self.sync_rollout_status(&all, Some(&new_rs));
    }

    /// `reconcileNewReplicaSet`.
    fn reconcile_new_rs(&mut self, all: &[Object], new_rs: &Object) -> bool {
        let target = replicas(&self.d);
        match replicas(new_rs).cmp(&target) {
            Ordering::Equal => false,
            Ordering::Greater => self.scale_rs_and_record_event(new_rs, target).0,
            Ordering::Less => match new_rs_new_replicas(&self.d, all, new_rs) {
                Ok(n) => self.scale_rs_and_record_event(new_rs, n).0,
                Err(_) => false,
            },
        }
    }

    /// `reconcileOldReplicaSets`: at most `allPods − minAvailable − newRSUnavailable` old pods
    /// go, unhealthy ones first, then the oldest ReplicaSets' available ones.
    fn reconcile_old_rss(&mut self, all: &[Object], mut old: Vec<Object>, new_rs: &Object) -> bool {
        let old_pods: i64 = old.iter().map(replicas).sum();
        if old_pods == 0 {
            return false;
        }
        let all_pods: i64 = all.iter().map(replicas).sum();
        let min_available = replicas(&self.d) - max_unavailable(&self.d);
        let new_unavailable = replicas(new_rs) - status_i64(new_rs, "availableReplicas");
        let max_scaled_down = all_pods - min_available - new_unavailable;
        if max_scaled_down <= 0 {
            return false;
        }
        // KK: an error of either step reports "not scaled" (`return false, nil`).
        let Ok(cleaned) = self.cleanup_unhealthy_replicas(&mut old, max_scaled_down) else { return false };
        let mut all_after = old.clone();
        all_after.push(new_rs.clone());
        let scaled = self.scale_down_old_for_rolling(&all_after, &mut old);
        cleaned + scaled > 0
    }

    /// `cleanupUnhealthyReplicas`: trim old ReplicaSets' unavailable replicas (oldest first);
    /// losing those does not lower availability. A ReplicaSet whose status still counts more
    /// available pods than its (just lowered) spec would be "scaled down" upwards: KK refuses
    /// with an error (`got invalid request to scale down`), and so does this.
    fn cleanup_unhealthy_replicas(&mut self, old: &mut [Object], max_cleanup: i64) -> Result<i64, Stop> {
        old.sort_by(by_creation);
        let mut total = 0;
        for rs in old.iter_mut() {
            if total >= max_cleanup {
                break;
            }
            let available = status_i64(rs, "availableReplicas");
            if replicas(rs) == 0 || replicas(rs) == available {
                continue;
            }
            let count = (max_cleanup - total).min(replicas(rs) - available);
            if count < 0 {
                return Err(Stop);
            }
            let (_, updated) = self.scale_rs_and_record_event(rs, replicas(rs) - count);
            *rs = updated;
            total += count;
        }
        Ok(total)
    }

    /// `scaleDownOldReplicaSetsForRollingUpdate`: scale down, oldest first, as many as are
    /// available above `replicas − maxUnavailable`.
    fn scale_down_old_for_rolling(&mut self, all: &[Object], old: &mut [Object]) -> i64 {
        let min_available = replicas(&self.d) - max_unavailable(&self.d);
        let available: i64 = all.iter().map(|rs| status_i64(rs, "availableReplicas")).sum();
        if available <= min_available {
            return 0;
        }
        old.sort_by(by_creation);
        let to_scale_down = available - min_available;
        let mut total = 0;
        for rs in old.iter() {
            if total >= to_scale_down {
                break;
            }
            if replicas(rs) == 0 {
                continue;
            }
            let count = replicas(rs).min(to_scale_down - total);
            self.scale_rs_and_record_event(rs, replicas(rs) - count);
            total += count;
        }
        total
    }

    // --- recreate.go ---

    /// `rolloutRecreate`: scale every old ReplicaSet to 0, wait until none of their pods is left
    /// running, then create (or scale up) the new one.
    fn rollout_recreate(&mut self, rs_list: &[Object], pod_map: &BTreeMap<String, Vec<Object>>) {
        let Ok((mut new_rs, mut old)) = self.get_all_rss_and_sync_revision(rs_list, false) else { return };
        let mut all = with_new(old.clone(), new_rs.as_ref());
        let mut scaled_down = false;
        for rs in old.iter().filter(|rs| is_active(rs)).cloned().collect::<Vec<_>>() {
            scaled_down |= self.scale_rs_and_record_event(&rs, 0).0;
        }
        if scaled_down {
            return self.sync_rollout_status(&all, new_rs.as_ref());
        }
        if old_pods_running(new_rs.as_ref(), &old, pod_map) {
            return self.sync_rollout_status(&all, new_rs.as_ref());
        }
        if new_rs.is_none() {
            let Ok((n, o)) = self.get_all_rss_and_sync_revision(rs_list, true) else { return };
            (new_rs, old) = (n, o);
            all = with_new(old.clone(), new_rs.as_ref());
        }
        if let Some(rs) = &new_rs {
            self.scale_rs_and_record_event(rs, replicas(&self.d));
        }
        if deployment_complete(&self.d, &self.status) {
            self.cleanup_deployment(&old);
        }
        self.sync_rollout_status(&all, new_rs.as_ref());
    }

    // --- progress.go ---

    /// `syncRolloutStatus`: the status with the Progressing condition (created / updated /
    /// available / timed out); requeue for the deadline check when nothing changed.
    fn sync_rollout_status(&mut self, all: &[Object], new_rs: Option<&Object>) {
        let mut new = calculate_status(all, new_rs, &self.d, &self.status, self.now_us);
        let deadline = progress_deadline_s(&self.d);
        if deadline.is_none() {
            new.remove_condition("Progressing");
        }
        let current = self.status.condition("Progressing").cloned();
        let complete_before = new.replicas == new.updated_replicas
            && current.as_ref().is_some_and(|c| c.reason == NEW_RS_AVAILABLE_REASON);
        if deadline.is_some() && !complete_before {
            let rs_name = new_rs.map(|rs| object::name(rs).to_string());
            let subject = match &rs_name {
                Some(n) => format!("ReplicaSet \"{n}\""),
                None => format!("Deployment \"{}\"", object::name(&self.d)),
            };
            if deployment_complete(&self.d, &new) {
                let msg = format!("{subject} has successfully progressed.");
                new.set_condition(new_condition("Progressing", "True", NEW_RS_AVAILABLE_REASON, msg, self.now_us));
            } else if deployment_progressing(&self.status, &new) {
                let msg = format!("{subject} is progressing.");
                let mut c = new_condition("Progressing", "True", RS_UPDATED_REASON, msg, self.now_us);
                // Every sign of progress refreshes lastUpdateTime, keeping the transition time.
                if let Some(cur) = &current {
                    if cur.status == "True" {
                        c.last_transition_time = cur.last_transition_time.clone();
                    }
                    new.remove_condition("Progressing");
                }
                new.set_condition(c);
            } else if deployment_timed_out(&self.d, &new, self.now_us) {
                let msg = format!("{subject} has timed out progressing.");
                new.set_condition(new_condition("Progressing", "False", TIMED_OUT_REASON, msg, self.now_us));
            }
        }
        // getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else an old one's.
        let failure_of = |rs: &Object| {
            rs.pointer("/status/conditions")?
                .as_array()?
                .iter()
                .find(|c| object::str_at(c, "/type") == "ReplicaFailure")
                .cloned()
        };
        let failure = new_rs.and_then(failure_of).or_else(|| all.iter().find_map(failure_of));
        match failure {
            Some(c) => {
                let t = object::str_at(&c, "/lastTransitionTime").to_string();
                new.set_condition(Condition {
                    kind: "ReplicaFailure".into(),
                    status: object::str_at(&c, "/status").into(),
                    last_update_time: t.clone(),
                    last_transition_time: t,
                    reason: object::str_at(&c, "/reason").into(),
                    message: object::str_at(&c, "/message").into(),
                });
            }
            None => new.remove_condition("ReplicaFailure"),
        }
        if new == self.status {
            self.requeue_stuck_deployment(&new);
            return;
        }
        self.status = new;
        self.update_status();
    }

    /// `requeueStuckDeployment`: check again when the progress deadline would pass.
    fn requeue_stuck_deployment(&mut self, new: &DeploymentStatus) {
        let (Some(deadline_s), Some(cur)) = (progress_deadline_s(&self.d), self.status.condition("Progressing")) else {
            return;
        };
        if deployment_complete(&self.d, new) || cur.reason == TIMED_OUT_REASON {
            return;
        }
        let from_s = object::parse_rfc3339(&cur.last_update_time).unwrap_or(0) as i64;
        let now_unix_us = (object::EPOCH_UNIX_S * crate::sim::US_PER_S + self.now_us) as i64;
        let after_us = (from_s + deadline_s) * crate::sim::US_PER_S as i64 - now_unix_us;
        self.requeue_after_us = Some(if after_us < crate::sim::US_PER_S as i64 {
            0 // KK: enqueueRateLimited — at once, subject to the queue's back-off
        } else {
            after_us as u64 + crate::sim::US_PER_S // KK adds a second against clock skew
        });
    }

    fn into_plan(self, diff: Option<Diff>) -> (Plan, Vec<(String, i64, i64)>) {
        let plan = Plan {
            batches: self.writes.into_iter().map(|w| vec![w]).collect(),
            notes: self.notes,
            log: Vec::new(),
            diff,
            requeue_after_us: self.requeue_after_us,
        };
        (plan, self.scalings)
    }
}

fn set_min_ready_seconds(rs: &mut Object, s: i64) {
    if let Some(spec) = rs.get_mut("spec").and_then(Value::as_object_mut) {
        if s == 0 {
            spec.remove("minReadySeconds");
        } else {
            spec.insert("minReadySeconds".into(), json!(s));
        }
    }
}

fn with_new(mut old: Vec<Object>, new_rs: Option<&Object>) -> Vec<Object> {
    old.extend(new_rs.cloned());
    old
}

/// `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the Deployment's.
fn find_new_rs<'x>(d: &Object, rs_list: &'x [Object]) -> Option<&'x Object> {
    let mut sorted: Vec<&Object> = rs_list.iter().collect();
    sorted.sort_by(|a, b| by_creation(a, b));
    sorted.into_iter().find(|rs| equal_ignore_hash(rs.pointer("/spec/template"), d.pointer("/spec/template")))
}

/// `oldPodsRunning`: an old ReplicaSet still reports pods, or a pod of one is not finished
/// (terminating pods count: Recreate waits until they are gone).
fn old_pods_running(new_rs: Option<&Object>, old: &[Object], pod_map: &BTreeMap<String, Vec<Object>>) -> bool {
    if old.iter().map(|rs| status_i64(rs, "replicas")).sum::<i64>() > 0 {
        return true;
    }
    pod_map.iter().any(|(rs_uid, pods)| {
        new_rs.is_none_or(|n| uid(n) != rs_uid)
            && pods.iter().any(|p| !matches!(object::str_at(p, "/status/phase"), "Failed" | "Succeeded"))
    })
}

/// The factory's reconcile diff: the template's images while a rollout is under way, else the
/// replica count of the new ReplicaSet.
fn diff_of(d: &Object, rs_list: &[Object]) -> Diff {
    let new_rs = find_new_rs(d, rs_list);
    let old_active: Vec<&Object> =
        rs_list.iter().filter(|rs| is_active(rs) && new_rs.is_none_or(|n| uid(n) != uid(rs))).collect();
    if new_rs.is_none() || !old_active.is_empty() {
        let current = old_active.iter().map(|rs| container_images(rs.pointer("/spec/template"))).collect::<Vec<_>>();
        return Diff {
            what: "image".into(),
            desired: container_images(d.pointer("/spec/template")),
            current: if current.is_empty() { "<none>".into() } else { current.join(" ") },
        };
    }
    Diff { what: "replicas".into(), desired: replicas(d).to_string(), current: new_rs.map_or(0, replicas).to_string() }
}

// ---------------------------------------------------------------------------------------------
// The robot.

/// kube-controller-manager's Deployment controller.
#[derive(Clone, Debug, Default)]
pub struct DeploymentController {
    /// Per Deployment key, what its last sync planned (bounded by the number of Deployments:
    /// dropped when the Deployment is gone).
    memos: BTreeMap<String, Memo>,
}

impl DeploymentController {
    pub fn new() -> DeploymentController {
        DeploymentController::default()
    }

    /// `resolveControllerRef`: the Deployment a controller reference names, if its uid matches.
    fn resolve_controller_ref(cache: &dyn Informers, namespace: &str, r: &Value) -> Option<String> {
        if object::str_at(r, "/kind") != "Deployment" {
            return None;
        }
        let d = cache.get("deployments", namespace, object::str_at(r, "/name"))?;
        (uid(d) == object::str_at(r, "/uid")).then(|| key_of(d))
    }

    /// `getDeploymentsForReplicaSet`: Deployments in the namespace whose non-empty selector
    /// matches the ReplicaSet's labels.
    fn deployments_for_rs(cache: &dyn Informers, rs: &Object) -> Vec<String> {
        cache
            .list("deployments", object::namespace(rs))
            .into_iter()
            .filter(|d| {
                let sel = d.pointer("/spec/selector");
                sel.and_then(Value::as_object).is_some_and(|m| !m.values().all(is_empty))
                    && selector_matches(sel, rs.pointer("/metadata/labels"))
            })
            .map(key_of)
            .collect()
    }

    fn rs_added(cache: &dyn Informers, rs: &Object) -> Vec<String> {
        if being_deleted(rs) {
            return Self::rs_deleted(cache, rs);
        }
        match controller_ref(rs) {
            Some(r) => Self::resolve_controller_ref(cache, object::namespace(rs), r).into_iter().collect(),
            None => Self::deployments_for_rs(cache, rs),
        }
    }

    fn rs_updated(cache: &dyn Informers, old: &Object, cur: &Object) -> Vec<String> {
        if object::resource_version(old) == object::resource_version(cur) && object::resource_version(cur) != 0 {
            return Vec::new(); // a resync delivers every object again; nothing changed
        }
        let mut keys = Vec::new();
        let (old_ref, cur_ref) = (controller_ref(old), controller_ref(cur));
        let ref_changed = old_ref != cur_ref;
        if ref_changed {
            if let Some(r) = old_ref {
                keys.extend(Self::resolve_controller_ref(cache, object::namespace(old), r));
            }
        }
        if let Some(r) = cur_ref {
            keys.extend(Self::resolve_controller_ref(cache, object::namespace(cur), r));
            return keys;
        }
        let labels_changed = old.pointer("/metadata/labels") != cur.pointer("/metadata/labels");
        if labels_changed || ref_changed {
            keys.extend(Self::deployments_for_rs(cache, cur));
        }
        keys
    }

    fn rs_deleted(cache: &dyn Informers, rs: &Object) -> Vec<String> {
        controller_ref(rs)
            .and_then(|r| Self::resolve_controller_ref(cache, object::namespace(rs), r))
            .into_iter()
            .collect()
    }

    /// `deletePod`: only Recreate Deployments care, and only once all their pods are gone.
    fn pod_deleted(cache: &dyn Informers, pod: &Object) -> Vec<String> {
        let ns = object::namespace(pod);
        let Some(r) = controller_ref(pod).filter(|r| object::str_at(r, "/kind") == "ReplicaSet") else {
            return Vec::new();
        };
        let Some(rs) = cache.get("replicasets", ns, object::str_at(r, "/name")) else { return Vec::new() };
        if uid(rs) != object::str_at(r, "/uid") {
            return Vec::new();
        }
        let Some(key) = controller_ref(rs).and_then(|r| Self::resolve_controller_ref(cache, ns, r)) else {
            return Vec::new();
        };
        let name = key.split_once('/').map_or("", |(_, n)| n);
        let Some(d) = cache.get("deployments", ns, name) else { return Vec::new() };
        if strategy_type(d) != "Recreate" {
            return Vec::new();
        }
        // util.ListReplicaSets + getPodMapForDeployment: the pods of all its ReplicaSets.
        let selector = d.pointer("/spec/selector");
        let owned: BTreeSet<&str> = cache
            .list("replicasets", ns)
            .into_iter()
            .filter(|rs| selector_matches(selector, rs.pointer("/metadata/labels")) && is_controlled_by(rs, d))
            .map(uid)
            .collect();
        let pods_left = cache.list("pods", ns).into_iter().any(|p| {
            selector_matches(selector, p.pointer("/metadata/labels"))
                && controller_ref(p).is_some_and(|r| owned.contains(object::str_at(r, "/uid")))
        });
        if pods_left {
            Vec::new()
        } else {
            vec![key]
        }
    }
}

fn key_of(obj: &Object) -> String {
    format!("{}/{}", object::namespace(obj), object::name(obj))
}

impl Robot for DeploymentController {
    fn name(&self) -> &'static str {
        "deployment"
    }

    fn service_account(&self) -> &'static str {
        "deployment-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        &["deployments", "replicasets", "pods"]
    }

    /// `--concurrent-deployment-syncs` (default 5).
    fn workers(&self) -> usize {
        5
    }

    /// The informer handlers of `NewDeploymentController`.
    fn keys_for(&mut self, change: Change<'_>, cache: &dyn Informers, _now_us: u64) -> Vec<String> {
        let keys = match (change.resource, change.old, change.new) {
            ("deployments", _, Some(d)) | ("deployments", Some(d), None) => vec![key_of(d)],
            ("replicasets", None, Some(rs)) => Self::rs_added(cache, rs),
            ("replicasets", Some(old), Some(cur)) => Self::rs_updated(cache, old, cur),
            ("replicasets", Some(rs), None) => Self::rs_deleted(cache, rs),
            ("pods", Some(pod), None) => Self::pod_deleted(cache, pod),
            _ => Vec::new(),
        };
        let unique: BTreeSet<String> = keys.into_iter().collect();
        unique.into_iter().collect()
    }

    /// `syncDeployment`.
    fn sync(&mut self, key: &str, cache: &dyn Informers, now_us: u64) -> Plan {
        let Some((ns, name)) = key.split_once('/') else { return Plan::default() };
        let Some(d) = cache.get("deployments", ns, name) else {
            // "Deployment has been deleted" (V(2)): nothing to do.
            self.memos.remove(key);
            return Plan::default();
        };
        let mut run = Run::new(cache, now_us, d.clone());
        run.sync_deployment();
        let rs_list: Vec<Object> =
            cache.list("replicasets", ns).into_iter().filter(|rs| is_controlled_by(rs, d)).cloned().collect();
        let diff = diff_of(d, &rs_list);
        let (plan, scalings) = run.into_plan(Some(diff));
        let memo = Memo { namespace: ns.into(), name: name.into(), uid: uid(d).into(), scalings };
        self.memos.insert(key.to_string(), memo);
        plan
    }

    /// The events KK records after a ReplicaSet write returns: `Scaled up replica set x to 3`
    /// on create, `Scaled down replica set x to 1 from 2` on a resize, `ReplicaSetCreateError`
    /// when a create fails for another reason than AlreadyExists or a terminating namespace.
    fn answered(
        &mut self,
        key: &str,
        write: &Write,
        result: Result<&Object, &crate::k8s::status::Status>,
        _now_us: u64,
    ) -> Plan {
        let Some(memo) = self.memos.get_mut(key) else { return Plan::default() };
        if write.resource != "replicasets" || !write.subresource.is_empty() {
            return Plan::default();
        }
        let (namespace, name, uid) = (memo.namespace.clone(), memo.name.clone(), memo.uid.clone());
        let note = |message: String, kind: EventType, reason: &str| Note {
            resource: "deployments",
            namespace: namespace.clone(),
            name: name.clone(),
            uid: uid.clone(),
            kind,
            reason: reason.into(),
            message,
        };
        let body_replicas = write.body.as_ref().map_or(0, replicas);
        let notes = match (write.verb, result) {
            (Verb::Create, Ok(rs)) => {
                let n = rs.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(body_replicas);
                if n > 0 {
                    let msg = format!("Scaled up replica set {} to {n}", write.name);
                    vec![note(msg, EventType::Normal, "ScalingReplicaSet")]
                } else {
                    Vec::new()
                }
            }
            (Verb::Create, Err(s)) => {
                let terminating = s.message.contains("because it is being terminated");
                if s.reason == "AlreadyExists" || terminating {
                    Vec::new()
                } else {
                    let msg = format!("Failed to create new replica set \"{}\": {}", write.name, s.message);
                    vec![note(msg, EventType::Warning, FAILED_RS_CREATE_REASON)]
                }
            }
            (Verb::Update, Ok(_)) => {
                let pos = memo.scalings.iter().position(|(n, new, _)| *n == write.name && *new == body_replicas);
                match pos.map(|i| memo.scalings.remove(i)) {
                    Some((rs, new, old)) if new != old => {
                        let dir = if old < new { "up" } else { "down" };
                        // `to N from M`: KK PR #101142 added the old count (present in
                        // v1.28's sync.go; that v1.27 has it too is UNCONFIRMED); KK PR
                        // #125118 (2024) reorders it to `from M to N`. Creation events never
                        // carry it (`Scaled up replica set x to 3`).
                        let msg = format!("Scaled {dir} replica set {rs} to {new} from {old}");
                        vec![note(msg, EventType::Normal, "ScalingReplicaSet")]
                    }
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        };
        Plan { notes, ..Plan::default() }
    }
}
