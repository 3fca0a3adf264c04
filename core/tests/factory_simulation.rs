//! Probe (temporary).
use lab_core::check::factory::check_factory_seed;

#[test]
#[ignore]
fn probe() {
    for seed in 0..2 {
        let t = std::time::Instant::now();
        let o = check_factory_seed(seed, None);
        println!(
            "seed {seed}: {:?} simulated {} s samples {} writes {} rollouts {} rollout_samples {} faults {} evicted {} lag {}",
            t.elapsed(),
            o.simulated_us / 1_000_000,
            o.samples,
            o.writes_ok,
            o.rollouts,
            o.rollout_samples,
            o.faults,
            o.evicted,
            o.surge_lag_samples
        );
        for v in &o.violations {
            println!("  {} {}: {}", v.at_us / 1000, v.property, v.detail);
        }
    }
}
