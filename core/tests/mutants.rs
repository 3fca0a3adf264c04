//! Every deliberate bug is caught: `lab check` must report a violation within 500 seeds for
//! each mutant (a checker that cannot fail proves nothing). Runs only with
//! `--features mutants` (`cargo xtask test` does).
#![cfg(feature = "mutants")]

use lab_core::check::office::check_office_seed;
use lab_core::check::run::check_seed;
use lab_core::etcd::mutant::Mutant;

/// etcd's bugs are caught by `lab check`, the API server's by the office checks.
fn first_failing_seed(m: Mutant) -> Option<u64> {
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

#[test]
fn a_correct_build_passes_the_same_seeds() {
    for seed in 0..50 {
        let o = check_seed(seed, None);
        assert!(o.violations.is_empty(), "seed {seed}: {:?}", o.violations);
    }
}
