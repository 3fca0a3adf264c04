//! client-go's work queue (CG `util/workqueue/queue.go`) — a stand-in until the full rate-limited
//! queue lands: dedupe, one worker per key, re-queue when re-added during processing, delays.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

#[derive(Clone, Debug, Default)]
pub struct WorkQueue {
    queue: VecDeque<String>,
    dirty: BTreeSet<String>,
    processing: BTreeSet<String>,
    waiting: BTreeMap<(u64, u64), String>,
    seq: u64,
    failures: BTreeMap<String, u32>,
}

impl WorkQueue {
    pub fn add(&mut self, key: &str) {
        if self.dirty.contains(key) {
            return;
        }
        self.dirty.insert(key.to_string());
        if !self.processing.contains(key) {
            self.queue.push_back(key.to_string());
        }
    }
    pub fn add_after(&mut self, key: &str, delay_us: u64, now_us: u64) {
        self.seq += 1;
        self.waiting.insert((now_us + delay_us, self.seq), key.to_string());
    }
    pub fn add_rate_limited(&mut self, key: &str, now_us: u64) {
        let n = self.failures.entry(key.to_string()).or_default();
        let delay = (5_000u64 << (*n).min(30)).min(1_000_000_000);
        *n += 1;
        self.add_after(key, delay, now_us);
    }
    pub fn forget(&mut self, key: &str) {
        self.failures.remove(key);
    }
    pub fn get(&mut self, now_us: u64) -> Option<String> {
        while let Some(e) = self.waiting.first_entry() {
            if e.key().0 > now_us {
                break;
            }
            let k = e.remove();
            self.add(&k);
        }
        let k = self.queue.pop_front()?;
        self.dirty.remove(&k);
        self.processing.insert(k.clone());
        Some(k)
    }
    pub fn done(&mut self, key: &str) {
        self.processing.remove(key);
        if self.dirty.contains(key) {
            self.queue.push_back(key.to_string());
        }
    }
    pub fn len(&self) -> usize {
        self.queue.len()
    }
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
    pub fn next_due_us(&self) -> Option<u64> {
        self.waiting.keys().next().map(|k| k.0)
    }
}
