//! The world's one source of randomness.
//!
//! ChaCha8 (from `rand_chacha`) is a named, portable algorithm: the same seed gives the same
//! stream on x86_64 and wasm32. Every draw in the simulation goes through [`SimRng`]; range
//! helpers are written here rather than taken from `rand` so a dependency upgrade can never
//! change a scenario's outcome.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

#[derive(Clone, Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
    /// Number of 64-bit draws so far; part of the state hash (cheaper than hashing ChaCha state).
    draws: u64,
}

impl SimRng {
    pub fn new(seed: u64) -> SimRng {
        SimRng { inner: ChaCha8Rng::seed_from_u64(seed), draws: 0 }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.draws += 1;
        self.inner.next_u64()
    }

    /// Uniform in `[0, n)`; `n == 0` gives 0. Uses Lemire's multiply-shift (bias < 2^-64·n).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `[lo, hi]` inclusive.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_million / 1_000_000`.
    pub fn chance_ppm(&mut self, per_million: u32) -> bool {
        per_million > 0 && self.below(1_000_000) < per_million as u64
    }

    pub fn draws(&self) -> u64 {
        self.draws
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = SimRng::new(7);
        let mut b = SimRng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn stream_is_pinned() {
        // Guards against a silent algorithm change (a dependency bump): scenarios shared
        // before the change must replay the same after it.
        let mut r = SimRng::new(1);
        let first = r.next_u64();
        let mut again = SimRng::new(1);
        assert_eq!(first, again.next_u64());
        assert_eq!(first, PINNED_FIRST_DRAW_SEED_1);
    }
    const PINNED_FIRST_DRAW_SEED_1: u64 = 7424550030962593201;

    #[test]
    fn below_stays_in_range() {
        let mut r = SimRng::new(3);
        for n in 1..200 {
            assert!(r.below(n) < n);
        }
        assert_eq!(r.below(0), 0);
        for _ in 0..100 {
            let x = r.between(10, 19);
            assert!((10..=19).contains(&x));
        }
    }
}
