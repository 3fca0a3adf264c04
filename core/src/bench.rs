//! The engine benchmark's workload, shared by `lab bench` (native) and `tests/bench_wasm.rs`
//! (in Chromium): five members, one write every 100 ms, through a different teller each time.
//! Timing stays with the caller — the library never reads a clock.

use crate::world::World;

/// Simulated seconds the benchmark runs.
pub const RAFT_WRITES_MODEL_S: u64 = 600;

/// Runs the workload and returns the world at its end.
pub fn raft_writes(model_s: u64) -> World {
    let mut w = World::new(1, 5);
    for i in 0..model_s * 10 {
        w.run_until(i * 100_000);
        w.submit(&format!("lab put k{} v{i} --via etcd-{}", i % 100, 1 + i % 5));
    }
    w.run_until(model_s * 1_000_000);
    assert_eq!(w.stats.writes_ok + w.stats.writes_failed, model_s * 10, "every write finished");
    w
}

/// Requests the office benchmark sends.
pub const OFFICE_REQUESTS: u64 = 2_000;
/// One kubectl request every this many simulated microseconds.
pub const OFFICE_REQUEST_EVERY_US: u64 = 20_000;

/// The office workload (issue 4's figure): the default cluster (3 etcd members, 3 API servers),
/// a kubectl request every 20 ms through kind's load balancer, in turn a create, a get, a list
/// (kube-system's 25 pods) and an update (`kubectl label`: a read, then a compare-and-swap).
/// Every request passes authentication, RBAC, admission and etcd. Returns the world once every
/// request has answered.
pub fn office_mix(requests: u64) -> World {
    let mut w = World::with_kubernetes(1, 3);
    let t0 = w.now_us();
    let first = w.commands().len();
    for i in 0..requests {
        w.run_until(t0 + i * OFFICE_REQUEST_EVERY_US);
        // Reads and updates go to the pod created a round earlier (80 ms: it exists by then).
        let (n, prev) = (i / 4, (i / 4).saturating_sub(1));
        let line = match i % 4 {
            0 => format!("kubectl run p{n} --image=nginx:1.25"),
            1 => format!("kubectl get pod p{prev}"),
            2 => "kubectl get pods -n kube-system".to_string(),
            _ => format!("kubectl label pod p{prev} round=r{n} --overwrite"),
        };
        w.submit(&line);
    }
    let end = t0 + requests * OFFICE_REQUEST_EVERY_US + 30_000_000;
    while w.commands()[first..].iter().any(|c| c.done_at_us.is_none()) && w.now_us() < end {
        if !w.step_event() {
            break;
        }
    }
    let failed: Vec<&str> =
        w.commands()[first..].iter().filter(|c| c.failed || c.done_at_us.is_none()).map(|c| c.line.as_str()).collect();
    assert!(failed.is_empty(), "every request succeeded: {failed:?}");
    w
}

/// Simulated seconds the factory benchmark runs.
pub const FACTORY_MODEL_S: u64 = 600;
/// Replicas of the benchmark's Deployment.
pub const FACTORY_REPLICAS: u64 = 100;
/// A new image is set this often: the Deployment is always rolling or just finished.
pub const FACTORY_ROLLOUT_EVERY_US: u64 = 120 * 1_000_000;
/// One client write this often (10 writes/s).
pub const FACTORY_WRITE_EVERY_US: u64 = 100_000;

/// The full control plane (issue 5's figure): the default cluster (3 control-plane nodes with
/// etcd, API servers, controller-managers and schedulers; 2 workers with kubelets), a
/// 100-replica Deployment whose image changes every two minutes (a rolling update of 100 pods
/// each time), and a client write every 100 ms (`kubectl label`, a read then a compare-and-swap).
/// Returns the world after `model_s` simulated seconds.
pub fn factory_rollout(model_s: u64) -> World {
    let mut w = World::with_kubernetes(1, 3);
    let t0 = w.now_us();
    w.submit(&format!("kubectl create deployment web --image=nginx:1.25 --replicas={FACTORY_REPLICAS}"));
    let end = t0 + model_s * 1_000_000;
    let (mut next_write, mut next_rollout, mut writes, mut rollouts) =
        (t0 + FACTORY_WRITE_EVERY_US, t0 + FACTORY_ROLLOUT_EVERY_US / 2, 0u64, 0u64);
    while next_write <= end {
        if next_rollout <= next_write {
            w.run_until(next_rollout);
            rollouts += 1;
            w.submit(&format!("kubectl set image deployment/web nginx=nginx:1.{}", 25 + rollouts));
            next_rollout += FACTORY_ROLLOUT_EVERY_US;
            continue;
        }
        w.run_until(next_write);
        writes += 1;
        w.submit(&format!("kubectl label namespace default tick=t{writes} --overwrite"));
        next_write += FACTORY_WRITE_EVERY_US;
    }
    w.run_until(end);
    w
}
