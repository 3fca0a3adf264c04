//! The simulation kernel: integer simulated time, the event queue, the seeded PRNG and the
//! network. Time is always integer microseconds (`_us`); nothing here reads a wall clock.

pub mod network;
pub mod queue;
pub mod rng;

pub const US_PER_MS: u64 = 1_000;
pub const US_PER_S: u64 = 1_000_000;
