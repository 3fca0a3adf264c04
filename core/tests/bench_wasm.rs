//! The engine benchmark in wasm, in headless Chromium: `cargo xtask bench` runs it with
//! `--nocapture` and reads the JSON line it prints. (Not a `wasm_*` test: CI does not time.)
#![cfg(target_arch = "wasm32")]

use lab_core::bench::{raft_writes, RAFT_WRITES_MODEL_S};
use lab_core::hash::format_hash;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    /// The page's high-resolution clock (`performance.now()`, milliseconds).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

#[wasm_bindgen_test]
fn engine_speed_in_wasm() {
    let mut best_ms = f64::MAX;
    let mut hash = 0;
    for _ in 0..3 {
        let start = performance_now();
        let w = raft_writes(RAFT_WRITES_MODEL_S);
        best_ms = best_ms.min((performance_now() - start).max(0.001));
        hash = w.state_hash();
    }
    let rate = RAFT_WRITES_MODEL_S as f64 * 1000.0 / best_ms;
    console_log!(
        "{{\"name\":\"wasm_raft5_write100ms_600s\",\"model_s\":{RAFT_WRITES_MODEL_S},\"wall_ms\":{best_ms:.3},\"model_s_per_wall_s\":{rate:.0},\"state_hash\":\"{}\"}}",
        format_hash(hash)
    );
}

#[wasm_bindgen_test]
fn office_speed_in_wasm() {
    use lab_core::bench::{office_mix, OFFICE_REQUESTS};
    let mut best_ms = f64::MAX;
    let mut hash = 0;
    for _ in 0..2 {
        let start = performance_now();
        let w = office_mix(OFFICE_REQUESTS);
        best_ms = best_ms.min((performance_now() - start).max(0.001));
        hash = w.state_hash();
    }
    let rate = OFFICE_REQUESTS as f64 * 1000.0 / best_ms;
    console_log!(
        "{{\"name\":\"wasm_office_mix_3etcd\",\"requests\":{OFFICE_REQUESTS},\"wall_ms\":{best_ms:.3},\"requests_per_wall_s\":{rate:.0},\"state_hash\":\"{}\"}}",
        format_hash(hash)
    );
}

#[wasm_bindgen_test]
fn factory_speed_in_wasm() {
    use lab_core::bench::{factory_rollout, FACTORY_MODEL_S};
    let start = performance_now();
    let w = factory_rollout(FACTORY_MODEL_S);
    let wall_ms = (performance_now() - start).max(0.001);
    let rate = FACTORY_MODEL_S as f64 * 1000.0 / wall_ms;
    // Linear memory only grows: its size now is the run's peak.
    let memory_mib = core::arch::wasm32::memory_size(0) as f64 * 65_536.0 / (1024.0 * 1024.0);
    console_log!(
        "{{\"name\":\"wasm_factory_rollout100_write100ms_600s\",\"model_s\":{FACTORY_MODEL_S},\"wall_ms\":{wall_ms:.3},\"model_s_per_wall_s\":{rate:.0},\"wasm_memory_mib\":{memory_mib:.1},\"pods\":{},\"state_hash\":\"{}\"}}",
        w.factory_pod_count(),
        format_hash(w.state_hash())
    );
}
