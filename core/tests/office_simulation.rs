//! The office's invariants hold under random faults (issue 4 acceptance, "Simulation"): every
//! stored object passed authentication, authorization, then mutating admission, validation and
//! validating admission, in that order; only authorized writes; no update without its revision
//! precondition (no lost update); watch caches converge; every request is answered.

use lab_core::check::office::check_office_seed;

#[test]
fn api_invariants_hold_across_random_faults() {
    let (mut requests, mut writes, mut conflicts) = (0, 0, 0);
    for seed in 0..40 {
        let o = check_office_seed(seed, None);
        assert!(o.violations.is_empty(), "seed {seed}: {:#?}", o.violations);
        requests += o.requests;
        writes += o.writes_ok;
        conflicts += o.conflicts;
    }
    eprintln!(
        "40 seeds: {requests} requests answered, {writes} writes stored, {conflicts} updates that met a conflict"
    );
    // The run must exercise what it checks: writes, and updates racing each other.
    assert!(writes > 400, "too few writes to prove anything: {writes}");
    assert!(conflicts > 0, "no update ever raced another");
}

#[test]
fn the_same_seed_gives_the_same_office() {
    assert_eq!(check_office_seed(7, None).hash, check_office_seed(7, None).hash);
}
