//! The same scenario gives the same state hash inside wasm (headless Chromium) as natively
//! (`replay_fixture.rs`). Run by `cargo xtask test` via wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use lab_core::hash::format_hash;
use lab_core::{Scenario, World};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!("fixtures/replay.json");
const EXPECTED_HASH: &str = include_str!("fixtures/replay.hash");

#[wasm_bindgen_test]
fn fixture_hash_in_wasm_equals_native() {
    let s = Scenario::from_json(FIXTURE).expect("fixture is valid");
    let w = s.replay(None);
    assert_eq!(format_hash(w.state_hash()), EXPECTED_HASH.trim());
}

#[wasm_bindgen_test]
fn share_url_round_trip_in_wasm() {
    let s = Scenario::from_json(FIXTURE).expect("fixture is valid");
    let back = Scenario::from_url(&s.to_fragment().expect("fits a link")).expect("decodes");
    assert_eq!(back, s);
}

#[wasm_bindgen_test]
fn same_seed_same_hash_in_wasm() {
    let run = || {
        let mut w = World::new(11, 3);
        w.run_until(3_000_000);
        w.submit("lab crash leader");
        w.run_until(8_000_000);
        w.state_hash()
    };
    assert_eq!(run(), run());
}

const SEED_HASHES: &str = include_str!("fixtures/seed_hashes.txt");

/// The same twenty faulty `lab check` runs end in the same hashes as natively (`seed_hashes.rs`).
#[wasm_bindgen_test]
fn twenty_check_seeds_match_native_hashes_in_wasm() {
    let now: String = (0..20u64)
        .map(|seed| format!("{seed} {}\n", format_hash(lab_core::check::run::check_seed(seed, None).hash)))
        .collect();
    assert_eq!(now, SEED_HASHES);
}
