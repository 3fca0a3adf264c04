//! The office under random faults (issue 4, "Simulation"): one seed drives the default cluster
//! with kubectl requests from four users — creates, deletes, concurrent updates of the same pod,
//! quotas, RBAC grants — while etcd members crash and restart, partitions cut the clients' side,
//! and API servers crash, restart and slow down. Then everything heals and the checkers read the
//! record: one small checker per property, each citing where the property comes from.

use crate::apiserver::admission::PLUGINS;
use crate::apiserver::handler::{ApiRequest, Outcome, Stage, Verb};
use crate::apiserver::object;
use crate::check::Violation;
use crate::etcd::mutant::Mutant;
use crate::etcd::raft::RaftConfig;
use crate::k8s::node_authorizer;
use crate::k8s::rbac::RbacStore;
use crate::k8s::storage;
use crate::sim::rng::SimRng;
use crate::sim::US_PER_S;
use crate::world::World;

/// Commands one seed sends (faults included), over about a minute of simulated time.
pub const STEPS: usize = 120;

#[derive(Clone, Debug)]
pub struct OfficeOutcome {
    pub seed: u64,
    pub violations: Vec<Violation>,
    /// API requests answered, and the writes among them that succeeded.
    pub requests: usize,
    pub writes_ok: usize,
    /// Updates that lost a race and retried or answered 409.
    pub conflicts: usize,
    pub hash: u64,
}

const CONTEXTS: [&str; 4] =
    ["kind-challenge-cluster", "developer@challenge-cluster", "viewer@challenge-cluster", "ci@challenge-cluster"];

/// Runs one seed and checks it. A panic in the lab is a violation too.
pub fn check_office_seed(seed: u64, mutant: Option<Mutant>) -> OfficeOutcome {
    match std::panic::catch_unwind(move || run(seed, mutant)) {
        Ok(o) => o,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            OfficeOutcome {
                seed,
                violations: vec![Violation { at_us: 0, property: "an assertion in the code", detail }],
                requests: 0,
                writes_ok: 0,
                conflicts: 0,
                hash: 0,
            }
        }
    }
}

fn pick<'a>(rng: &mut SimRng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

fn run(seed: u64, mutant: Option<Mutant>) -> OfficeOutcome {
    let mut w = World::with_kubernetes_config(seed, 3, RaftConfig { mutant, ..RaftConfig::default() });
    let mut rng = SimRng::new(seed ^ 0x0ff1_ce00);
    let mut t = w.now_us();
    let namespaces = ["default", "dev", "team"];
    for _ in 0..STEPS {
        t += 50_000 + rng.below(450_000);
        w.run_until(t);
        let ns = pick(&mut rng, &namespaces);
        let pod = format!("p{}", rng.below(8));
        let ctx = if rng.below(3) == 0 { pick(&mut rng, &CONTEXTS) } else { CONTEXTS[0] };
        let lines: Vec<String> = match rng.below(20) {
            0..=4 => vec![format!("kubectl run {pod} --image=nginx:1.25 -n {ns}")],
            5 | 6 => vec![format!("kubectl delete pod {pod} -n {ns}")],
            // Two updates of one object at the same instant through different API servers: one
            // of them must see the other's write (optimistic concurrency).
            7..=9 => vec![
                format!("kubectl label pod {pod} -n {ns} a=x{} --overwrite", rng.below(100)),
                format!("kubectl label pod {pod} -n {ns} b=y{} --overwrite", rng.below(100)),
            ],
            10 => vec!["kubectl create ns team".into()],
            11 => vec![format!("kubectl create quota q{} --hard=pods={} -n {ns}", rng.below(2), 1 + rng.below(4))],
            // RBAC only grows in this run (bindings are added, never removed), so whatever was
            // allowed when it happened is still allowed at the end.
            12 => {
                vec![format!("kubectl create rolebinding jane-{} --clusterrole=edit --user=jane -n {ns}", rng.below(3))]
            }
            13 => vec![
                format!("kubectl get pods -n {ns}"),
                format!("kubectl get --raw /api/v1/namespaces/{ns}/pods?resourceVersion=0"),
            ],
            14 => vec![format!("lab crash etcd-{}", 1 + rng.below(3))],
            15 => vec![format!("lab restart etcd-{}", 1 + rng.below(3))],
            16 => {
                let a = 1 + rng.below(3);
                vec![format!("lab partition etcd-{a} client | {}", others(a))]
            }
            17 => vec!["lab heal".into()],
            18 => vec![format!(
                "lab apiserver {} apiserver-{}",
                pick(&mut rng, &["crash", "restart", "restart"]),
                1 + rng.below(3)
            )],
            _ => vec![format!("lab apiserver slow apiserver-{} {}ms", 1 + rng.below(3), rng.below(3) * 500)],
        };
        if !lines[0].starts_with("lab") {
            w.submit(&format!("kubectl config use-context {ctx}"));
        }
        for l in lines {
            w.submit(&l);
        }
    }
    // Liveness: heal everything and let every request finish.
    w.run_until(t + US_PER_S);
    for l in ["lab heal", "lab restart etcd-1", "lab restart etcd-2", "lab restart etcd-3"] {
        w.submit(l);
    }
    for n in 1..=3 {
        w.submit(&format!("lab apiserver restart apiserver-{n}"));
        w.submit(&format!("lab apiserver slow apiserver-{n} 0s"));
    }
    w.run_until(w.now_us() + 20 * US_PER_S);
    let mut v = Vec::new();
    checks_in_order(&w, &mut v);
    only_authorized_writes(&w, &mut v);
    no_lost_updates(&w, &mut v);
    caches_converge(&w, &mut v);
    every_request_answered(&w, &mut v);
    let office = w.office().expect("a cluster with an office");
    for s in &office.violations {
        v.push(Violation { at_us: w.now_us(), property: "stored only after the checks", detail: s.clone() });
    }
    let answered: Vec<&ApiRequest> = office.requests().filter(|r| r.stage == Stage::Done).collect();
    OfficeOutcome {
        seed,
        violations: v,
        requests: answered.len(),
        writes_ok: answered.iter().filter(|r| is_write(r) && r.code.is_some_and(|c| c < 300)).count(),
        conflicts: answered.iter().filter(|r| r.attempts > 0 || r.code == Some(409)).count(),
        hash: w.state_hash(),
    }
}

fn others(a: u64) -> String {
    (1..=3).filter(|&m| m != a).map(|m| format!("etcd-{m}")).collect::<Vec<_>>().join(" ")
}

fn is_write(r: &ApiRequest) -> bool {
    matches!(r.call.verb, Verb::Create | Verb::Update | Verb::Patch | Verb::Delete)
}

fn stored(r: &ApiRequest) -> bool {
    is_write(r) && r.code.is_some_and(|c| (200..300).contains(&c))
}

/// kube-apiserver's handler chain (KK `DefaultBuildHandlerChain`; KW admission-controllers.md):
/// authentication, then authorization, then the mutating admission plugins in order, object
/// validation, the validating plugins in order — and only then etcd.
fn checks_in_order(w: &World, v: &mut Vec<Violation>) {
    let office = w.office().expect("office");
    for r in office.requests().filter(|r| stored(r) && r.call.verb != Verb::Delete) {
        let pos = |desk: &str| r.steps.iter().position(|s| s.desk == desk);
        // An update that lost a race runs admission again on the newer object: the round that
        // was stored is the last one.
        let val = r.steps.iter().rposition(|s| s.desk == "validation");
        let etcd_write = r.steps.iter().rposition(|s| s.desk == "etcd");
        let ok = match (pos("authentication"), pos("authorization"), val, etcd_write) {
            (Some(a), Some(z), Some(val), Some(e)) => a < z && z < val && val < e,
            _ => false,
        };
        // That round's admission: the mutating plugins before validation (after the last etcd
        // read), the validating ones after it (before the write), each phase in the plugins' order.
        let plugin_index = |desk: &str| PLUGINS.iter().position(|p| p.name == desk);
        let val = val.unwrap_or(0);
        let round_start = r.steps[..val].iter().rposition(|s| s.desk == "etcd").map_or(0, |i| i + 1);
        let round_end = r.steps[val..].iter().position(|s| s.desk == "etcd").map_or(r.steps.len(), |i| val + i);
        let phases_ordered = [&r.steps[round_start..val], &r.steps[val..round_end]].iter().all(|phase| {
            let idx: Vec<usize> = phase.iter().filter_map(|s| plugin_index(&s.desk)).collect();
            idx.windows(2).all(|p| p[0] <= p[1])
        });
        if !ok || !phases_ordered {
            let desks: Vec<&str> = r.steps.iter().map(|s| s.desk.as_str()).collect();
            v.push(Violation {
                at_us: r.answered_us.unwrap_or(0),
                property: "authentication, authorization, admission, validation, then etcd",
                detail: format!("request {} ({} {}) walked {desks:?}", r.id, r.call.verb.method(), r.call.path()),
            });
        }
    }
}

/// Default deny (KW authorization.md): a write happens only if an authorizer (Node, then RBAC)
/// allows it. RBAC is additive and this run only adds bindings, so the final policy allows
/// everything that was allowed.
fn only_authorized_writes(w: &World, v: &mut Vec<Violation>) {
    let office = w.office().expect("office");
    let policy: RbacStore = w.rbac_policy();
    for r in office.requests().filter(|r| stored(r)) {
        let Some(user) = &r.user else { continue };
        let c = &r.call;
        let a = c.attributes(user);
        // Writes never depend on the Node authorizer's graph (only reads of secrets and
        // config maps do), so an empty object set stands in for the cache.
        if !node_authorizer::authorize(&policy, &crate::apiserver::ObjectSet::new(), &a).allowed {
            v.push(Violation {
                at_us: r.answered_us.unwrap_or(0),
                property: "writes only by authorized users",
                detail: format!("{} could {} {}", user.name, c.verb.as_str(), c.path()),
            });
        }
    }
}

/// Optimistic concurrency (KW api-concepts.md "Resource versions"; etcd3 store
/// `GuaranteedUpdate`): an update based on revision b that stored revision r leaves no other
/// write of the key between them — the key's version just before r is b.
pub(crate) fn no_lost_updates(w: &World, v: &mut Vec<Violation>) {
    let office = w.office().expect("office");
    let Some(store) = w.members().iter().filter(|m| m.up).map(|m| &m.store).max_by_key(|s| s.revision()) else {
        return;
    };
    for r in office.requests().filter(|r| stored(r) && matches!(r.call.verb, Verb::Update | Verb::Patch)) {
        let (Some(base), Some(after)) = (r.cas_revision, r.after.as_ref()) else { continue };
        let rev = object::resource_version(after);
        let key = storage::object_key(r.call.resource, &r.call.namespace, &r.call.name);
        let Ok(before) = store.get(&key, rev.saturating_sub(1)) else { continue };
        let prev = before.map_or(0, |kv| kv.mod_revision);
        if prev != base {
            v.push(Violation {
                at_us: r.answered_us.unwrap_or(0),
                property: "no lost update",
                detail: format!(
                    "request {} updated {key} from revision {base}, but the key changed at {prev} before its write at {rev}"
                ,r.id),
            });
        }
    }
}

/// The cacher serves what etcd holds (KK `storage/cacher`): once healed, every API server's
/// watch cache equals its etcd member's `/registry/` objects.
fn caches_converge(w: &World, v: &mut Vec<Violation>) {
    let office = w.office().expect("office");
    for t in office.tellers.iter().filter(|t| t.up) {
        let m = w.member(t.node);
        let prefix = crate::etcd::mvcc::KeyRange::Prefix("/registry/".into());
        let Ok((kvs, _)) = m.store.range(&prefix, 0, 0) else { continue };
        let mut diff = Vec::new();
        if t.cache.revision() != m.store.revision() {
            diff.push(format!("cache at revision {}, etcd at {}", t.cache.revision(), m.store.revision()));
        }
        let known: Vec<_> = kvs.iter().filter(|kv| storage::resource_of_key(&kv.key).is_some()).collect();
        if known.len() != t.cache.len() {
            diff.push(format!("{} objects cached, {} in etcd", t.cache.len(), known.len()));
        }
        for kv in known {
            let want = object::from_storage(&kv.value, kv.mod_revision);
            if t.cache.at_key(&kv.key).map(|o| (**o).clone()) != want {
                diff.push(format!("{} differs", kv.key));
                break;
            }
        }
        if !diff.is_empty() {
            v.push(Violation {
                at_us: w.now_us(),
                property: "watch caches converge to etcd",
                detail: format!("apiserver-{}: {}", t.node, diff.join("; ")),
            });
        }
    }
}

/// Every request is answered once the cluster is healthy again (an answer may be an error).
fn every_request_answered(w: &World, v: &mut Vec<Violation>) {
    let office = w.office().expect("office");
    // The robots keep sending requests: only those old enough to have been answered or timed out
    // (etcd's 7 s, the API server's 60 s) count.
    let answered_by_us =
        w.now_us().saturating_sub(crate::world::office_request_timeout_us() + 10 * crate::sim::US_PER_S);
    for r in office.requests().filter(|r| r.stage != Stage::Done && r.sent_us < answered_by_us) {
        let waiting = r.steps.last().is_some_and(|s| s.outcome == Outcome::Waiting);
        v.push(Violation {
            at_us: w.now_us(),
            property: "every request answered",
            detail: format!(
                "request {} ({} {}) still {:?} (waiting on etcd: {waiting})",
                r.id,
                r.call.verb.method(),
                r.call.path(),
                r.stage
            ),
        });
    }
}
