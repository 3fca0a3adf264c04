//! Every deliberate bug is caught: `lab check` must report a violation within 500 seeds for
//! each mutant (a checker that cannot fail proves nothing). Runs only with
//! `--features mutants` (`cargo xtask test` does).
#![cfg(feature = "mutants")]

use lab_core::check::factory::{check_factory_seed_with, FactoryOptions};
use lab_core::check::office::check_office_seed;
use lab_core::check::run::check_seed;
use lab_core::etcd::mutant::Mutant;

/// Factory seeds a mutant gets (each runs minutes of simulated time).
const FACTORY_SEEDS: u64 = 10;

fn caught_by_factory(m: Mutant, seeds: u64) -> Option<u64> {
    let fail_fast = FactoryOptions { fail_fast: true, ..FactoryOptions::default() };
    (0..seeds).find(|&seed| !check_factory_seed_with(seed, Some(m), fail_fast).violations.is_empty())
}

/// etcd's bugs are caught by `lab check`, the API server's by the office checks, the
/// controllers' by the factory checks.
fn first_failing_seed(m: Mutant) -> Option<u64> {
    if m.is_factory() {
        return caught_by_factory(m, FACTORY_SEEDS);
    }
    if m.is_office() {
        return (0..100).find(|&seed| !check_office_seed(seed, Some(m)).violations.is_empty());
    }
    (0..500).find(|&seed| !check_seed(seed, Some(m)).violations.is_empty())
}

#[test]
fn every_mutant_is_caught_within_500_seeds() {
    std::panic::set_hook(Box::new(|_| {}));
    let mut missed = Vec::new();
    for m in Mutant::ALL {
        match first_failing_seed(m) {
            Some(seed) => eprintln!("{}: caught at seed {seed}", m.name()),
            None => missed.push(m.name()),
        }
    }
    let _ = std::panic::take_hook();
    assert!(missed.is_empty(), "mutants not caught in 500 seeds: {missed:?}");
}

/// The API server's bugs break the robot factory too, and `lab check --factory` sees it: an
/// update without its resourceVersion precondition loses a controller's or the client's write
/// (two writers on one object, the class's question 3); RBAC that lets everything through
/// lets the read-only viewer scale a Deployment.
#[test]
fn the_factory_checks_catch_the_api_servers_bugs_too() {
    for m in [Mutant::UpdateWithoutPrecondition, Mutant::SkipAuthorization] {
        assert!(caught_by_factory(m, FACTORY_SEEDS).is_some(), "{} not caught by the factory checks", m.name());
    }
}

#[test]
fn a_correct_build_passes_the_same_seeds() {
    for seed in 0..50 {
        let o = check_seed(seed, None);
        assert!(o.violations.is_empty(), "seed {seed}: {:?}", o.violations);
    }
}
