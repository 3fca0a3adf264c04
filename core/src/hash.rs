//! A platform-independent hasher for the state hash.

use std::hash::Hasher;

/// FNV-1a, 64-bit. `usize`/`isize` are written as 64-bit so wasm32 and x86_64 agree.
#[derive(Clone, Copy, Debug)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv64 {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.write(&(n as u64).to_le_bytes());
    }

    fn write_isize(&mut self, n: isize) {
        self.write(&(n as i64).to_le_bytes());
    }
}

/// The hash as the UI and CLI show it: 16 lowercase hex digits.
pub fn format_hash(h: u64) -> String {
    format!("{h:016x}")
}

/// FNV-1a 64 of `bytes` (for deterministic choices such as tie-breaks).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv64::default();
    h.write(bytes);
    h.finish()
}
