//! Two controllers, one object (the class's discussion question 3): a second writer of a
//! Deployment — a "rogue" controller that, every round, reads the Deployment from its informer's
//! cache, works on it for a while, and writes it back whole with an annotation of its own
//! (`lab rogue start deployment/NAME`).
//!
//! With its `resourceVersion` precondition (as every real controller writes), a change anyone
//! made between its read and its write makes its update fail with 409 Conflict; it requeues, reads
//! again and retries, and nothing is lost (KW `reference/using-api/api-concepts.md`, "Resource
//! versions"; the deployment controller's own status writes meet the same 409 when the rogue wrote
//! first). Without it (`--precondition=false`: the body has no `resourceVersion`, which
//! kube-apiserver takes as an unconditional update), the write silently puts back what it read —
//! a lost update: a `kubectl scale` made meanwhile is undone. The lab, which sees every version,
//! says so.
//!
//! A real rogue controller would be a process of its own; the lab runs it in the
//! controller-manager's factory so it is drawn and logged beside the others (it says so).

use serde_json::Value;

use super::{Change, Diff, Plan, Robot, Write};
use crate::apiserver::{object, Informers, Object};
use crate::i18n::Text;
use crate::sim::US_PER_S;

/// Between its read and its write: the window in which another writer's change races it.
pub const THINK_US: u64 = 1_500 * 1_000;
/// A round starts this long after the last one finished.
pub const ROUND_US: u64 = 4 * US_PER_S;
/// The annotation it writes (its own field: it never means to touch anything else).
pub const ANNOTATION: &str = "lab.example/rogue-round";
/// The service account it acts as (`lab rogue start` binds it to the deployment controller's role).
pub const SERVICE_ACCOUNT: &str = "rogue-controller";
/// Narration lines waiting for the world to print (bounded: the world drains them every sync).
const SAID_MAX: usize = 16;
/// Versions of the Deployment remembered.
const SEEN_MAX: usize = 8;
/// Fields named in a lost update at most.
const LOST_FIELDS_MAX: usize = 3;

/// What `lab rogue start` asked for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RogueSpec {
    pub namespace: String,
    pub name: String,
    /// Send the `resourceVersion` read (optimistic concurrency); `false`: an unconditional update.
    pub precondition: bool,
}

impl RogueSpec {
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

#[derive(Clone, Debug)]
pub struct Rogue {
    pub spec: RogueSpec,
    /// `lab rogue stop`: the robot stays in its slot (answers in flight still find it) but does nothing.
    pub stopped: bool,
    /// The Deployment as read at the start of this round, and when.
    read: Option<(Object, u64)>,
    /// The version a write in flight was built from.
    writing_from: Option<Object>,
    /// The newest versions the informer delivered (oldest first): the lab compares a write with
    /// the version it replaced.
    seen: std::collections::VecDeque<Object>,
    /// The next round does not start before this.
    next_round_us: u64,
    pub rounds: u64,
    pub conflicts: u64,
    pub lost_updates: u64,
    /// Narration for the `lab rogue start` command's output (drained by the world).
    pub said: Vec<Text>,
}

impl Rogue {
    pub fn new(spec: RogueSpec) -> Rogue {
        Rogue {
            spec,
            stopped: false,
            read: None,
            writing_from: None,
            seen: std::collections::VecDeque::new(),
            next_round_us: 0,
            rounds: 0,
            conflicts: 0,
            lost_updates: 0,
            said: Vec::new(),
        }
    }

    fn say(&mut self, ko: String, en: String) {
        if self.said.len() < SAID_MAX {
            self.said.push(Text::new(ko, en));
        }
    }

    fn what(&self) -> String {
        format!("deployment/{}", self.spec.name)
    }

    /// The round's write: what it read, with its annotation — and the read `resourceVersion`
    /// only with the precondition on.
    fn write_from(&self, read: &Object) -> Write {
        let mut body = read.clone();
        let round = (self.rounds + 1).to_string();
        let meta = object::metadata_mut(&mut body);
        let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
        if !annotations.is_object() {
            *annotations = Value::Object(Default::default());
        }
        if let Some(a) = annotations.as_object_mut() {
            a.insert(ANNOTATION.into(), Value::String(round));
        }
        if !self.spec.precondition {
            meta.remove("resourceVersion");
        }
        Write::update("deployments", body)
    }
}

/// Where `newer` differs from `older` outside the rogue's own annotation and the status (which
/// an update of the main resource keeps): `spec.replicas: 5 → 3` (as written, newer → older).
pub fn overwritten(older: &Object, newer: &Object) -> Vec<String> {
    let mut out = Vec::new();
    differences("", newer.get("spec"), older.get("spec"), "spec", &mut out);
    for part in ["labels", "annotations"] {
        let (n, o) = (newer.pointer(&format!("/metadata/{part}")), older.pointer(&format!("/metadata/{part}")));
        differences("", n, o, &format!("metadata.{part}"), &mut out);
    }
    out.retain(|d| !d.contains(ANNOTATION));
    out.truncate(LOST_FIELDS_MAX);
    out
}

fn differences(_at: &str, a: Option<&Value>, b: Option<&Value>, path: &str, out: &mut Vec<String>) {
    if a == b || out.len() > LOST_FIELDS_MAX {
        return;
    }
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                differences("", x.get(k), y.get(k), &format!("{path}.{k}"), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences("", Some(p), Some(q), &format!("{path}[{i}]"), out);
            }
        }
        _ => {
            let show = |v: Option<&Value>| match v {
                None => "(none)".to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            };
            out.push(format!("{path}: {} → {}", show(a), show(b)));
        }
    }
}

impl Robot for Rogue {
    fn name(&self) -> &'static str {
        "rogue"
    }

    fn service_account(&self) -> &'static str {
        SERVICE_ACCOUNT
    }

    fn watches(&self) -> &'static [&'static str] {
        &["deployments"]
    }

    fn workers(&self) -> usize {
        1
    }

    fn keys_for(&mut self, change: Change<'_>, _cache: &dyn Informers, _now_us: u64) -> Vec<String> {
        let Some(d) = change.new.or(change.old) else { return Vec::new() };
        if change.resource != "deployments"
            || object::namespace(d) != self.spec.namespace
            || object::name(d) != self.spec.name
        {
            return Vec::new();
        }
        if let Some(new) = change.new {
            if self.seen.len() == SEEN_MAX {
                self.seen.pop_front();
            }
            self.seen.push_back(new.clone());
        }
        if self.stopped {
            return Vec::new();
        }
        vec![self.spec.key()]
    }

    fn sync(&mut self, key: &str, cache: &dyn Informers, now_us: u64) -> Plan {
        let mut plan = Plan::default();
        if self.stopped || key != self.spec.key() {
            return plan;
        }
        match self.read.take() {
            None if now_us < self.next_round_us => plan.requeue_after_us = Some(self.next_round_us - now_us),
            None => {
                let Some(d) = cache.get("deployments", &self.spec.namespace, &self.spec.name) else {
                    plan.requeue_after_us = Some(ROUND_US);
                    return plan;
                };
                let rv = object::resource_version(d);
                let replicas = d.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
                let what = self.what();
                self.say(
                    format!("rogue: {what} 읽음 (resourceVersion {rv}, replicas {replicas}) — 1.5초 뒤에 씁니다"),
                    format!("rogue: read {what} (resourceVersion {rv}, replicas {replicas}) — writing it in 1.5s"),
                );
                plan.log.push((
                    "rogue.go:71",
                    format!("\"Read\" deployment=\"{key}\" resourceVersion=\"{rv}\" replicas={replicas}"),
                ));
                plan.diff = Some(Diff {
                    what: ANNOTATION.to_string(),
                    desired: (self.rounds + 1).to_string(),
                    current: object::str_at(d, &format!("/metadata/annotations/{}", ANNOTATION.replace('/', "~1")))
                        .to_string(),
                });
                self.read = Some((d.clone(), now_us));
                plan.requeue_after_us = Some(THINK_US);
            }
            Some((read, at)) if now_us < at + THINK_US => {
                // Woken early (a watch event): the round goes on as planned.
                plan.requeue_after_us = Some(at + THINK_US - now_us);
                self.read = Some((read, at));
            }
            Some((read, _)) => {
                plan.batches.push(vec![self.write_from(&read)]);
                self.writing_from = Some(read);
                self.next_round_us = now_us + ROUND_US;
                plan.requeue_after_us = Some(ROUND_US);
            }
        }
        plan
    }

    fn answered(
        &mut self,
        key: &str,
        _write: &Write,
        result: Result<&Object, &crate::k8s::status::Status>,
        _now_us: u64,
    ) -> Plan {
        let mut plan = Plan::default();
        let from = self.writing_from.take();
        let from_rv = from.as_ref().map_or(0, object::resource_version);
        let what = self.what();
        match result {
            Ok(written) => {
                self.rounds += 1;
                let rv = object::resource_version(written);
                let round = self.rounds;
                plan.log.push((
                    "rogue.go:98",
                    format!("\"Updated\" deployment=\"{key}\" round={round} resourceVersion=\"{rv}\""),
                ));
                self.say(
                    format!("rogue: {what} 씀 (라운드 {round}) → resourceVersion {rv}"),
                    format!("rogue: wrote {what} (round {round}) → resourceVersion {rv}"),
                );
                // The lab sees what the rogue could not: the version its write replaced, if that was
                // newer than the one it read.
                let replaced = self
                    .seen
                    .iter()
                    .filter(|o| object::resource_version(o) < rv)
                    .max_by_key(|o| object::resource_version(o));
                let lost = match (&from, replaced) {
                    (Some(from), Some(before)) if object::resource_version(before) > from_rv => {
                        overwritten(from, before)
                    }
                    _ => Vec::new(),
                };
                if !lost.is_empty() {
                    self.lost_updates += 1;
                    let fields = lost.join(", ");
                    self.say(
                        format!(
                            "lab: 갱신 손실! rogue는 resourceVersion {from_rv}을 읽은 뒤 다른 사람이 바꾼 것을 덮어썼습니다: {fields} (resourceVersion 전제 조건 없음)"
                        ),
                        format!(
                            "lab: LOST UPDATE — the rogue wrote over a change made after its read at resourceVersion {from_rv}: {fields} (no resourceVersion precondition)"
                        ),
                    );
                }
            }
            Err(s) if s.code == 409 => {
                self.conflicts += 1;
                self.next_round_us = 0;
                plan.log.push((
                    "rogue.go:92",
                    format!("\"Error syncing\" deployment=\"{key}\" err=\"{}\"", s.message.replace('"', "\\\"")),
                ));
                self.say(
                    format!(
                        "rogue: 409 Conflict — resourceVersion {from_rv} 이후 {what}이(가) 바뀌었습니다; 다시 읽고 재시도합니다"
                    ),
                    format!("rogue: 409 Conflict — {what} changed since resourceVersion {from_rv}; reading it again and retrying"),
                );
            }
            Err(s) => {
                self.next_round_us = 0;
                plan.log.push((
                    "rogue.go:92",
                    format!("\"Error syncing\" deployment=\"{key}\" err=\"{}\"", s.message.replace('"', "\\\"")),
                ));
                self.say(
                    format!("rogue: {what} 쓰기 실패 ({}): {}", s.code, s.message),
                    format!("rogue: writing {what} failed ({}): {}", s.code, s.message),
                );
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::ObjectSet;
    use serde_json::json;

    fn deployment(rv: u64, replicas: i64) -> Object {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "nginx", "namespace": "default", "resourceVersion": rv.to_string()},
               "spec": {"replicas": replicas}})
    }

    fn rogue(precondition: bool) -> Rogue {
        Rogue::new(RogueSpec { namespace: "default".into(), name: "nginx".into(), precondition })
    }

    #[test]
    fn a_round_reads_then_writes_after_thinking_with_the_read_resource_version() {
        let mut cache = ObjectSet::new();
        cache.insert("deployments", deployment(100, 3));
        let mut r = rogue(true);
        let first = r.sync("default/nginx", &cache, 0);
        assert!(first.batches.is_empty(), "the first sync only reads");
        assert_eq!(first.requeue_after_us, Some(THINK_US));
        let early = r.sync("default/nginx", &cache, THINK_US / 2);
        assert!(early.batches.is_empty(), "woken early, it keeps thinking");
        assert_eq!(early.requeue_after_us, Some(THINK_US / 2));
        let write = r.sync("default/nginx", &cache, THINK_US);
        let body = write.batches[0][0].body.clone().unwrap();
        assert_eq!(object::resource_version(&body), 100, "the precondition: the version read");
        assert_eq!(body.pointer("/metadata/annotations/lab.example~1rogue-round"), Some(&json!("1")));
    }

    #[test]
    fn without_the_precondition_the_body_has_no_resource_version() {
        // KW api-concepts "Resource versions": an update without one is unconditional.
        let mut cache = ObjectSet::new();
        cache.insert("deployments", deployment(100, 3));
        let mut r = rogue(false);
        r.sync("default/nginx", &cache, 0);
        let write = r.sync("default/nginx", &cache, THINK_US);
        let body = write.batches[0][0].body.clone().unwrap();
        assert_eq!(body.pointer("/metadata/resourceVersion"), None);
    }

    #[test]
    fn writing_over_a_newer_spec_is_reported_as_a_lost_update() {
        let mut cache = ObjectSet::new();
        cache.insert("deployments", deployment(100, 3));
        let mut r = rogue(false);
        r.sync("default/nginx", &cache, 0);
        // Someone scales to 5 while the rogue thinks.
        let scaled = deployment(120, 5);
        let change = Change { resource: "deployments", old: None, new: Some(&scaled) };
        assert_eq!(r.keys_for(change, &cache, 1), vec!["default/nginx".to_string()]);
        let write = r.sync("default/nginx", &cache, THINK_US);
        let w = write.batches[0][0].clone();
        r.said.clear();
        r.answered("default/nginx", &w, Ok(&deployment(130, 3)), THINK_US);
        assert_eq!(r.lost_updates, 1);
        assert!(
            r.said.iter().any(|t| t.en.contains("LOST UPDATE") && t.en.contains("spec.replicas: 5 → 3")),
            "{:?}",
            r.said
        );
    }

    #[test]
    fn a_conflict_is_counted_and_the_next_round_reads_again() {
        let mut cache = ObjectSet::new();
        cache.insert("deployments", deployment(100, 3));
        let mut r = rogue(true);
        r.sync("default/nginx", &cache, 0);
        let write = r.sync("default/nginx", &cache, THINK_US);
        let w = write.batches[0][0].clone();
        let conflict = crate::k8s::status::Status::conflict("deployments.apps", "nginx");
        r.answered("default/nginx", &w, Err(&conflict), THINK_US);
        assert_eq!((r.conflicts, r.rounds, r.lost_updates), (1, 0, 0));
        let again = r.sync("default/nginx", &cache, THINK_US + 5_000);
        assert!(again.batches.is_empty(), "a retry starts with a fresh read");
        assert_eq!(again.requeue_after_us, Some(THINK_US));
    }

    #[test]
    fn a_stopped_rogue_does_nothing() {
        let mut cache = ObjectSet::new();
        cache.insert("deployments", deployment(100, 3));
        let mut r = rogue(true);
        r.stopped = true;
        assert_eq!(r.sync("default/nginx", &cache, 0), Plan::default());
    }
}
