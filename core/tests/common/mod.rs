//! Helpers shared by the integration tests.

use lab_core::sim::US_PER_S;
use lab_core::World;

/// Runs until a leader exists (at most 30 s simulated), then one more second so every member
/// has heard from it; returns the leader.
pub fn settle(w: &mut World) -> u8 {
    let mut t = w.now_us();
    while w.leader().is_none() {
        t += 10_000;
        w.run_until(t);
        assert!(t < 30 * US_PER_S, "no leader");
    }
    w.run_until(t + US_PER_S);
    w.leader().expect("leader")
}
