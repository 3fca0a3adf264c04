//! The robot factory's invariants (issue 5 acceptance, "Simulation tests"): a few seeded runs of
//! `lab check --factory` (storms of Deployment writes and faults, calms of rollouts, then
//! liveness, a controller-manager failover and a node death) keep every checker quiet; and
//! targeted runs show one property each, sampled as a student would watch it.

use lab_core::apiserver::cache::WatchCache;
use lab_core::apiserver::handler::{ApiCall, Verb};
use lab_core::apiserver::object;
use lab_core::check::factory::{check_factory_seed, check_factory_seed_with, FactoryOptions};
use lab_core::controllers::replicaset::{controller_of, is_pod_active, is_pod_ready};
use lab_core::k8s::authn::Credential;
use lab_core::k8s::resources;
use lab_core::world::Component;
use lab_core::World;

const S: u64 = 1_000_000;

/// Seeded runs: every checker of `lab check --factory` stays quiet, and the runs did what they
/// are for (writes acknowledged, rollouts held to their bounds, faults injected).
#[test]
fn seeded_runs_keep_every_factory_invariant() {
    for seed in 0..4 {
        let o = check_factory_seed(seed, None);
        assert!(o.violations.is_empty(), "seed {seed}: {:#?}", o.violations);
        assert!(o.writes_ok > 10 && o.rollouts > 2 && o.faults > 10, "seed {seed}: {o:?}");
        assert!(o.rollout_samples > 0, "seed {seed}: no rollout was held to its bounds");
    }
}

/// The same seed twice ends in the same state (determinism, DESIGN.md).
#[test]
fn a_factory_seed_is_deterministic() {
    let opts = FactoryOptions { cycles: 1, node_death: Some(false), ..FactoryOptions::default() };
    let a = check_factory_seed_with(7, None, opts);
    let b = check_factory_seed_with(7, None, opts);
    assert_eq!((a.hash, a.samples, a.writes_ok), (b.hash, b.samples, b.writes_ok));
}

/// Node death and failover through the checker alone (no storm): the worker with the most pods
/// dies, its pods are evicted after grace + toleration and replaced on the other worker; the
/// controller-manager's leader dies and another takes the Lease in time.
#[test]
fn node_death_and_failover_pass_the_checkers() {
    let o =
        check_factory_seed_with(3, None, FactoryOptions { cycles: 0, node_death: Some(true), ..Default::default() });
    assert!(o.violations.is_empty(), "{:#?}", o.violations);
    assert!(o.evicted >= 2, "{o:?}");
}

fn pods_cache(w: &World) -> &WatchCache {
    let o = w.office().expect("office");
    o.tellers.iter().filter(|t| t.up).map(|t| &t.cache).max_by_key(|c| c.revision()).expect("a cache")
}

fn admin() -> Credential {
    Credential::ClientCert { cn: "kubernetes-admin".into(), orgs: vec!["system:masters".into()] }
}

/// (pods of the Deployment `web` not terminating, of those ready, ReplicaSets with replicas).
fn web(w: &World) -> (i64, i64, usize) {
    let cache = pods_cache(w);
    let rss: Vec<String> = cache
        .list_of(resources::resolve("replicasets").unwrap(), Some("default"))
        .iter()
        .filter(|rs| object::name(rs).starts_with("web-"))
        .filter(|rs| rs.pointer("/spec/replicas").and_then(|v| v.as_i64()).unwrap_or(0) > 0)
        .map(|rs| object::str_at(rs, "/metadata/uid").to_string())
        .collect();
    let all_rss: Vec<String> = cache
        .list_of(resources::resolve("replicasets").unwrap(), Some("default"))
        .iter()
        .filter(|rs| object::name(rs).starts_with("web-"))
        .map(|rs| object::str_at(rs, "/metadata/uid").to_string())
        .collect();
    let pods: Vec<_> = cache
        .list_of(resources::resolve("pods").unwrap(), Some("default"))
        .into_iter()
        .filter(|p| controller_of(p).is_some_and(|r| all_rss.iter().any(|u| u == object::str_at(r, "/uid"))))
        .filter(|p| is_pod_active(p))
        .collect();
    let ready = pods.iter().filter(|p| is_pod_ready(p)).count() as i64;
    (pods.len() as i64, ready, rss.len())
}

fn run_until(w: &mut World, limit_us: u64, done: impl Fn(&World) -> bool) {
    let end = w.now_us() + limit_us;
    while w.now_us() < end && !done(w) {
        w.run_until(w.now_us() + 100_000);
    }
}

/// KK `pkg/controller/deployment/rolling.go`, KW deployment.md "Max Surge" / "Max
/// Unavailable": a 10-replica rollout with the default 25 % / 25 % (maxSurge 3 rounded up,
/// maxUnavailable 2 rounded down), sampled every 100 ms, never has more than 13 pods nor fewer
/// than 8 ready ones — and does use its room (more than 10 pods, fewer than 10 ready at times).
#[test]
fn a_ten_replica_rolling_update_keeps_surge_and_availability() {
    let mut w = World::with_kubernetes(5, 3);
    let id = w.submit("kubectl create deployment web --image=nginx:1.24 --replicas=10");
    w.run_until_done(id);
    run_until(&mut w, 120 * S, |w| web(w) == (10, 10, 1));
    assert_eq!(web(&w), (10, 10, 1));
    let d = pods_cache(&w)
        .list_of(resources::resolve("deployments").unwrap(), Some("default"))
        .into_iter()
        .find(|d| object::name(d) == "web")
        .expect("web");
    assert_eq!(d["spec"]["strategy"]["rollingUpdate"], serde_json::json!({"maxSurge": "25%", "maxUnavailable": "25%"}));
    // `kubectl set image deployment/web nginx=nginx:1.25`, as the merge patch it sends.
    let mut patch = ApiCall::new(Verb::Patch, resources::resolve("deployments").unwrap(), "default", "web", admin());
    patch.body = Some(
        serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}}),
    );
    w.api_call(1, patch).expect("an API server");
    let (mut most, mut fewest_ready, mut steps) = (0, i64::MAX, 0);
    let end = w.now_us() + 180 * S;
    loop {
        w.run_until(w.now_us() + 100_000);
        steps += 1;
        let (pods, ready, _) = web(&w);
        assert!(pods <= 10 + 3, "{pods} pods at step {steps}");
        assert!(ready >= 10 - 2, "{ready} ready pods at step {steps}");
        most = most.max(pods);
        fewest_ready = fewest_ready.min(ready);
        let rolled = pods_cache(&w)
            .list_of(resources::resolve("pods").unwrap(), Some("default"))
            .iter()
            .filter(|p| is_pod_active(p) && is_pod_ready(p))
            .filter(|p| object::str_at(p, "/spec/containers/0/image") == "nginx:1.25")
            .count();
        if (rolled, web(&w)) == (10, (10, 10, 1)) || w.now_us() > end {
            break;
        }
    }
    assert_eq!(web(&w), (10, 10, 1), "the rollout finished");
    assert!(most > 10 && fewest_ready < 10, "the rollout used its room: most {most}, fewest ready {fewest_ready}");
}

fn node_of_pods(w: &World) -> Vec<(String, String, bool)> {
    pods_cache(w)
        .list_of(resources::resolve("pods").unwrap(), Some("default"))
        .iter()
        .map(|p| {
            let terminating = p.pointer("/metadata/deletionTimestamp").is_some();
            (object::name(p).to_string(), object::str_at(p, "/spec/nodeName").to_string(), terminating)
        })
        .collect()
}

/// Fact sheet §5 "Node lifecycle"; KW taint-and-toleration.md "Taint based Evictions": a dead
/// worker's pods are not evicted before the 40 s grace and the 300 s toleration, are evicted
/// soon after, and their replacements run on the other worker; the evicted ones stay
/// Terminating until the node returns.
#[test]
fn node_death_evicts_after_grace_and_toleration_and_replaces_elsewhere() {
    let mut w = World::with_kubernetes(9, 3);
    let id = w.submit("kubectl create deployment web --image=nginx --replicas=6");
    w.run_until_done(id);
    run_until(&mut w, 60 * S, |w| web(w) == (6, 6, 1));
    let dead = "challenge-cluster-worker";
    let victims: Vec<String> = node_of_pods(&w).into_iter().filter(|p| p.1 == dead).map(|p| p.0).collect();
    assert!(!victims.is_empty(), "{:?}", node_of_pods(&w));
    let id = w.submit(&format!("lab node crash {dead}"));
    w.run_until_done(id);
    let died = w.now_us();
    // Not before grace + toleration (less the up to 10 s since the last Lease renewal).
    while w.now_us() < died + 330 * S {
        w.run_until(w.now_us() + S);
        let early: Vec<_> = node_of_pods(&w).into_iter().filter(|p| victims.contains(&p.0) && p.2).collect();
        assert!(early.is_empty(), "evicted at {} s: {early:?}", (w.now_us() - died) / S);
    }
    w.run_until(died + 380 * S);
    let pods = node_of_pods(&w);
    for v in &victims {
        assert!(pods.iter().any(|p| &p.0 == v && p.2), "{v} evicted: {pods:?}");
    }
    let elsewhere = pods.iter().filter(|p| !p.2 && p.1 == "challenge-cluster-worker2").count();
    assert_eq!(elsewhere, 6, "{pods:?}");
    assert_eq!(web(&w), (6, 6, 1));
    let id = w.submit(&format!("lab node restart {dead}"));
    w.run_until_done(id);
    run_until(&mut w, 60 * S, |w| node_of_pods(w).iter().all(|p| !p.2));
    assert!(node_of_pods(&w).iter().all(|p| !victims.contains(&p.0)), "the kubelet finished the deletions");
}

/// CG leaderelection (fact sheet §5: 15 s lease, 10 s renew deadline, 2 s retry): the
/// controller-manager that leads dies; another takes the Lease within lease duration + a
/// jittered retry, never two lead at once, and the new leader reconciles a scale.
#[test]
fn controller_manager_failover_takes_the_lease_in_time_and_reconciles() {
    let mut w = World::with_kubernetes(11, 3);
    let id = w.submit("kubectl create deployment web --image=nginx --replicas=2");
    w.run_until_done(id);
    run_until(&mut w, 60 * S, |w| web(w) == (2, 2, 1));
    let leading = |w: &World| -> Vec<u8> {
        w.factory()
            .unwrap()
            .instances
            .iter()
            .filter(|i| i.component == Component::ControllerManager && i.up && i.elector.leading)
            .map(|i| i.node)
            .collect()
    };
    let old = leading(&w);
    assert_eq!(old.len(), 1);
    let id = w.submit(&format!("lab controller-manager crash {}", old[0]));
    w.run_until_done(id);
    let crashed = w.now_us();
    let mut took = None;
    while w.now_us() < crashed + 30 * S {
        w.run_until(w.now_us() + 100_000);
        let now = leading(&w);
        assert!(now.len() <= 1, "two leaders: {now:?}");
        if let Some(&n) = now.first() {
            took = Some((n, w.now_us() - crashed));
            break;
        }
    }
    let (new, after_us) = took.expect("a new leader");
    assert_ne!(new, old[0]);
    assert!(after_us <= 15 * S + 2_400_000 + 2 * S, "took {} ms", after_us / 1000);
    let id = w.submit("kubectl scale deployment web --replicas=5");
    w.run_until_done(id);
    run_until(&mut w, 60 * S, |w| web(w) == (5, 5, 1));
    assert_eq!(web(&w), (5, 5, 1));
}
