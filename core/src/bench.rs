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
