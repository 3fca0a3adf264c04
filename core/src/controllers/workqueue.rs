//! client-go's rate-limited work queue, in simulated time (CG `util/workqueue/queue.go`,
//! `delaying_queue.go`, `rate_limiting_queue.go`, `default_rate_limiters.go`; fact sheet §5).
//!
//! Three parts, as in client-go:
//! - the FIFO with its `dirty` and `processing` sets: a key added while it already waits is
//!   processed once (deduped); a key added while a worker holds it is only marked dirty and goes
//!   back in line when the worker calls [`WorkQueue::done`] — so no key is ever processed by two
//!   workers at once, and a change seen during processing is never lost;
//! - the delaying part: [`WorkQueue::add_after`] parks a key until its due time (a second
//!   `add_after` only moves it earlier); [`WorkQueue::get`] first moves the due keys in;
//! - the default controller rate limiter (`DefaultControllerRateLimiter`): the larger of a per-key
//!   exponential back-off (5 ms · 2^failures, at most 1000 s) and one token bucket shared by all
//!   keys (10 per second, burst 100). [`WorkQueue::forget`] clears a key's failures.
//!
//! Time is the world's `now_us`; the bucket counts tokens in millionths so that it stays integer
//! (x/time/rate uses float seconds).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Keys the queue holds at most, in line and waiting each (client-go has no bound; a lab
/// controller has a few hundred objects, so reaching it means a runaway producer).
pub const QUEUE_KEYS_MAX: usize = 10_000;
/// `ItemExponentialFailureRateLimiter` base delay: 5 ms.
pub const BACKOFF_BASE_US: u64 = 5_000;
/// … and its cap: 1000 s.
pub const BACKOFF_MAX_US: u64 = 1_000 * 1_000_000;
/// `BucketRateLimiter`: `rate.NewLimiter(rate.Limit(10), 100)`.
pub const BUCKET_QPS: u64 = 10;
pub const BUCKET_BURST: u64 = 100;

/// One token, in the bucket's unit (millionths of a token, so refills per µs are whole numbers).
const TOKEN: i64 = 1_000_000;

/// x/time/rate's token bucket, reserving one token per call (`Reserve().Delay()`): the bucket
/// may go negative; the delay is how long until the debt is paid back at `BUCKET_QPS`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct TokenBucket {
    /// Millionths of a token; starts full. Invariant: ≤ BUCKET_BURST · TOKEN.
    tokens: i64,
    /// When `tokens` was last brought up to date.
    last_us: u64,
}

impl Default for TokenBucket {
    fn default() -> Self {
        TokenBucket { tokens: BUCKET_BURST as i64 * TOKEN, last_us: 0 }
    }
}

impl TokenBucket {
    /// Takes one token at `now_us`; returns how long the caller must wait for it.
    fn reserve(&mut self, now_us: u64) -> u64 {
        let full = BUCKET_BURST as i64 * TOKEN;
        // A clock that does not move forwards refills nothing (x/time/rate: `if t.Before(last)`).
        let elapsed_us = now_us.saturating_sub(self.last_us);
        // 10 tokens/s = 10 millionths of a token per µs; capping elapsed first avoids overflow.
        let refill = elapsed_us.min(full as u64) as i64 * BUCKET_QPS as i64;
        self.tokens = (self.tokens + refill).min(full);
        self.last_us = self.last_us.max(now_us);
        self.tokens -= TOKEN;
        assert!(self.tokens <= full);
        if self.tokens >= 0 {
            0
        } else {
            // Rounded up so that the token really is there at the due time.
            (-self.tokens as u64).div_ceil(BUCKET_QPS)
        }
    }
}

/// A key parked until `due_us` (a delayed add or a rate-limited retry).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WaitingKey {
    pub key: String,
    pub due_us: u64,
    /// The key's failures so far (`NumRequeues`), for drawing its back-off.
    pub failures: u32,
}

/// What the factory draws for one robot's queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct QueueView {
    /// Keys in line, first out first.
    pub queued: Vec<String>,
    /// Keys a worker holds now (`*` when also dirty: they go back in line on `done`).
    pub processing: Vec<String>,
    /// Keys parked, soonest first.
    pub waiting: Vec<WaitingKey>,
    /// Adds that found their key already in line (each one a sync saved).
    pub deduped: u64,
    /// Adds refused because the queue was full (should stay 0).
    pub dropped: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WorkQueue {
    /// Keys in line. Invariant: exactly the dirty keys not being processed, each once.
    queue: VecDeque<String>,
    /// Keys that need processing (in line, or processing and changed since `get`).
    dirty: BTreeSet<String>,
    /// Keys a worker holds.
    processing: BTreeSet<String>,
    /// (due, arrival) → key: the delaying queue's heap, ties broken by arrival order.
    waiting: BTreeMap<(u64, u64), String>,
    /// key → its entry in `waiting` (client-go's `waitingEntryByData`).
    waiting_by_key: BTreeMap<String, (u64, u64)>,
    arrivals: u64,
    /// The exponential limiter's per-key failure counts (bounded like the queue).
    failures: BTreeMap<String, u32>,
    bucket: TokenBucket,
    deduped: u64,
    dropped: u64,
    /// QUEUE_KEYS_MAX, smaller only in tests.
    keys_max: usize,
}

impl Default for WorkQueue {
    fn default() -> Self {
        WorkQueue::new()
    }
}

impl WorkQueue {
    pub fn new() -> WorkQueue {
        WorkQueue::with_keys_max(QUEUE_KEYS_MAX)
    }

    fn with_keys_max(keys_max: usize) -> WorkQueue {
        WorkQueue {
            queue: VecDeque::new(),
            dirty: BTreeSet::new(),
            processing: BTreeSet::new(),
            waiting: BTreeMap::new(),
            waiting_by_key: BTreeMap::new(),
            arrivals: 0,
            failures: BTreeMap::new(),
            bucket: TokenBucket::default(),
            deduped: 0,
            dropped: 0,
            keys_max,
        }
    }

    /// `Add`: queue `key` unless it is already in line (deduped); while a worker holds it, only
    /// mark it dirty so that `done` puts it back in line.
    pub fn add(&mut self, key: &str) {
        if self.dirty.contains(key) {
            self.deduped += 1;
            return;
        }
        if self.dirty.len() >= self.keys_max {
            self.refuse(key);
            return;
        }
        self.dirty.insert(key.to_string());
        if !self.processing.contains(key) {
            self.queue.push_back(key.to_string());
        }
        self.check();
    }

    /// `AddAfter`: queue `key` once `delay_us` has passed (at once when 0). A key already
    /// waiting keeps the earlier of its two due times.
    pub fn add_after(&mut self, key: &str, delay_us: u64, now_us: u64) {
        if delay_us == 0 {
            return self.add(key);
        }
        let due_us = now_us.saturating_add(delay_us);
        if let Some(&(old_due_us, arrival)) = self.waiting_by_key.get(key) {
            if due_us < old_due_us {
                self.waiting.remove(&(old_due_us, arrival));
                self.waiting.insert((due_us, arrival), key.to_string());
                self.waiting_by_key.insert(key.to_string(), (due_us, arrival));
            }
            return;
        }
        if self.waiting.len() >= self.keys_max {
            self.refuse(key);
            return;
        }
        self.arrivals += 1;
        self.waiting.insert((due_us, self.arrivals), key.to_string());
        self.waiting_by_key.insert(key.to_string(), (due_us, self.arrivals));
        self.check();
    }

    /// `AddRateLimited`: queue `key` after the default controller limiter's delay, the larger
    /// of its exponential back-off and the shared bucket's wait (both are charged).
    pub fn add_rate_limited(&mut self, key: &str, now_us: u64) {
        let backoff_us = self.backoff_us(key);
        let bucket_us = self.bucket.reserve(now_us);
        self.add_after(key, backoff_us.max(bucket_us), now_us);
    }

    /// `ItemExponentialFailureRateLimiter.When`: 5 ms · 2^failures (capped), counting this one.
    fn backoff_us(&mut self, key: &str) -> u64 {
        if !self.failures.contains_key(key) && self.failures.len() >= self.keys_max {
            // Beyond the bound a key backs off from the base each time (never reached in practice).
            return BACKOFF_BASE_US;
        }
        let failures = self.failures.entry(key.to_string()).or_insert(0);
        let exp = *failures;
        *failures = failures.saturating_add(1);
        // 2^38 · 5 ms is far beyond the cap; stopping the shift there avoids overflow.
        BACKOFF_BASE_US.saturating_mul(1 << exp.min(38)).min(BACKOFF_MAX_US)
    }

    /// `Forget`: the key succeeded; its next failure backs off from 5 ms again.
    pub fn forget(&mut self, key: &str) {
        self.failures.remove(key);
    }

    /// `NumRequeues`: failures since the last `forget`.
    pub fn num_requeues(&self, key: &str) -> u32 {
        self.failures.get(key).copied().unwrap_or(0)
    }

    /// `Get`: the next key for a worker, after moving in the waiting keys due by `now_us`. The
    /// worker must call [`WorkQueue::done`] with it when finished.
    pub fn get(&mut self, now_us: u64) -> Option<String> {
        self.move_due(now_us);
        let key = self.queue.pop_front()?;
        assert!(self.dirty.remove(&key), "a queued key is dirty");
        assert!(self.processing.insert(key.clone()), "a queued key is not being processed");
        self.check();
        Some(key)
    }

    /// `Done`: the worker finished `key`; if it was added meanwhile it goes back in line.
    pub fn done(&mut self, key: &str) {
        let was_processing = self.processing.remove(key);
        debug_assert!(was_processing, "done({key}) for a key no worker holds");
        if was_processing && self.dirty.contains(key) {
            self.queue.push_back(key.to_string());
        }
        self.check();
    }

    /// Keys in line (client-go's `Len`: neither the processing nor the waiting ones).
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Whether a worker holds `key` now.
    pub fn is_processing(&self, key: &str) -> bool {
        self.processing.contains(key)
    }

    /// When the soonest waiting key becomes due (the world's timer for this queue).
    pub fn next_due_us(&self) -> Option<u64> {
        self.waiting.keys().next().map(|&(due_us, _)| due_us)
    }

    pub fn deduped(&self) -> u64 {
        self.deduped
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn view(&self) -> QueueView {
        QueueView {
            queued: self.queue.iter().cloned().collect(),
            processing: self
                .processing
                .iter()
                .map(|k| if self.dirty.contains(k) { format!("{k}*") } else { k.clone() })
                .collect(),
            waiting: self
                .waiting
                .iter()
                .map(|(&(due_us, _), key)| WaitingKey { key: key.clone(), due_us, failures: self.num_requeues(key) })
                .collect(),
            deduped: self.deduped,
            dropped: self.dropped,
        }
    }

    /// The delaying queue's loop: every key due by `now_us`, soonest first, is added.
    fn move_due(&mut self, now_us: u64) {
        while let Some(entry) = self.waiting.first_entry() {
            if entry.key().0 > now_us {
                break;
            }
            let key = entry.remove();
            self.waiting_by_key.remove(&key);
            self.add(&key);
        }
    }

    fn refuse(&mut self, key: &str) {
        self.dropped += 1;
        // Tests shrink the bound to see this path; at the real bound it means a runaway producer.
        debug_assert!(self.keys_max < QUEUE_KEYS_MAX, "work queue full ({} keys), dropped {key}", self.keys_max);
    }

    /// The FIFO's invariants (tests and debug builds; the queue is small, so the cost is too).
    fn check(&self) {
        if !cfg!(debug_assertions) {
            return;
        }
        assert!(self.queue.len() <= self.dirty.len());
        assert_eq!(self.waiting.len(), self.waiting_by_key.len());
        let queued: BTreeSet<&String> = self.queue.iter().collect();
        assert_eq!(queued.len(), self.queue.len(), "a key is in line twice");
        for k in &self.dirty {
            assert_eq!(queued.contains(k), !self.processing.contains(k), "{k}: in line iff dirty and not processing");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000;

    /// CG queue.go: "Add of a dirty key is a no-op" — three adds, one sync.
    #[test]
    fn a_key_added_twice_is_processed_once() {
        let mut q = WorkQueue::new();
        q.add("default/web");
        q.add("default/web");
        q.add("default/db");
        q.add("default/web");
        assert_eq!(q.len(), 2);
        assert_eq!(q.deduped(), 2);
        assert_eq!(q.get(0).as_deref(), Some("default/web"));
        assert_eq!(q.get(0).as_deref(), Some("default/db"));
        assert_eq!(q.get(0), None);
    }

    /// CG queue.go `Get`/`Done`: a second worker cannot take a key the first one holds.
    #[test]
    fn no_two_workers_hold_one_key() {
        let mut q = WorkQueue::new();
        q.add("a");
        let first = q.get(0);
        assert_eq!(first.as_deref(), Some("a"));
        q.add("a");
        assert!(q.is_processing("a"));
        assert_eq!(q.get(0), None, "the second worker finds nothing while a is processed");
        assert_eq!(q.view().processing, vec!["a*".to_string()]);
        q.done("a");
        assert_eq!(q.get(0).as_deref(), Some("a"), "re-queued on done because it changed meanwhile");
        q.done("a");
        assert_eq!(q.get(0), None, "not dirty any more: done does not re-queue");
    }

    /// Adds during processing collapse into one re-queue; a key not re-added is not re-queued.
    #[test]
    fn changes_during_processing_requeue_once_on_done() {
        let mut q = WorkQueue::new();
        q.add("a");
        q.add("b");
        let a = q.get(0).expect("a");
        q.add("a");
        q.add("a");
        assert_eq!(q.deduped(), 1);
        assert_eq!(q.view().queued, vec!["b".to_string()], "a waits for done, not in line");
        q.done(&a);
        assert_eq!(q.view().queued, vec!["b".to_string(), "a".to_string()]);
    }

    /// CG default_rate_limiters.go `ItemExponentialFailureRateLimiter`: 5 ms · 2^n.
    #[test]
    fn back_off_doubles_from_5ms_and_stops_at_1000s() {
        let mut q = WorkQueue::new();
        let mut now_us = 0;
        let mut delays_ms = Vec::new();
        for _ in 0..20 {
            // Far apart, so the bucket is always full and the back-off decides.
            now_us += 10_000_000 * MS;
            q.add_rate_limited("k", now_us);
            let due_us = q.next_due_us().expect("waiting");
            delays_ms.push((due_us - now_us) / MS);
            assert_eq!(q.get(due_us - 1), None, "not due a microsecond early");
            assert_eq!(q.get(due_us).as_deref(), Some("k"));
            q.done("k");
        }
        assert_eq!(delays_ms[..6], [5, 10, 20, 40, 80, 160]);
        // 5 ms · 2^17 = 655 s; 2^18 → 1310 s, capped at 1000 s.
        assert_eq!(delays_ms[17], 655_360);
        assert_eq!(delays_ms[18], 1_000_000);
        assert_eq!(delays_ms[19], 1_000_000);
        assert_eq!(q.num_requeues("k"), 20);
        // Far more failures neither overflow nor pass the cap.
        for _ in 0..100 {
            assert!(q.backoff_us("k") <= BACKOFF_MAX_US);
        }
    }

    /// CG rate_limiting_queue.go `Forget`: success resets the back-off of that key only.
    #[test]
    fn forget_resets_the_back_off() {
        let mut q = WorkQueue::new();
        for _ in 0..3 {
            q.add_rate_limited("k", 0);
            q.add_rate_limited("other", 0);
        }
        assert_eq!(q.num_requeues("k"), 3);
        q.forget("k");
        assert_eq!(q.num_requeues("k"), 0);
        assert_eq!(q.num_requeues("other"), 3);
        while let Some(k) = q.get(1_000 * MS) {
            q.done(&k);
        }
        let now_us = 3_600_000 * MS;
        q.add_rate_limited("k", now_us);
        q.add_rate_limited("other", now_us);
        let due: BTreeMap<String, u64> = q.view().waiting.into_iter().map(|w| (w.key, w.due_us - now_us)).collect();
        assert_eq!(due["k"], 5 * MS, "forgotten: back to 5 ms");
        assert_eq!(due["other"], 40 * MS, "its fourth failure: 5 ms · 2^3");
    }

    /// CG `BucketRateLimiter` (10 qps, burst 100): the first 100 retries only pay their own
    /// back-off; after that each waits 100 ms more than the one before.
    #[test]
    fn the_bucket_allows_a_burst_of_100_then_one_per_100ms() {
        let mut q = WorkQueue::new();
        for i in 0..103 {
            q.add_rate_limited(&format!("k{i:03}"), 0);
        }
        let due: BTreeMap<String, u64> = q.view().waiting.into_iter().map(|w| (w.key, w.due_us)).collect();
        assert_eq!(due["k000"], 5 * MS);
        assert_eq!(due["k099"], 5 * MS);
        assert_eq!(due["k100"], 100 * MS);
        assert_eq!(due["k101"], 200 * MS);
        assert_eq!(due["k102"], 300 * MS);
        // After the debt is repaid and 1 s more passes, ten tokens are back: ten retries at 5 ms.
        let later_us = 1_300 * MS;
        for i in 0..11 {
            q.add_rate_limited(&format!("j{i:02}"), later_us);
        }
        let due: BTreeMap<String, u64> = q.view().waiting.into_iter().map(|w| (w.key, w.due_us)).collect();
        assert_eq!(due["j09"], later_us + 5 * MS);
        assert_eq!(due["j10"], later_us + 100 * MS);
    }

    /// CG delaying_queue.go: keys come out in due order; re-adding keeps the earlier due time.
    #[test]
    fn delayed_keys_come_out_in_due_order() {
        let mut q = WorkQueue::new();
        q.add_after("late", 300 * MS, 0);
        q.add_after("early", 100 * MS, 0);
        q.add_after("tie-1", 200 * MS, 0);
        q.add_after("tie-2", 200 * MS, 0);
        q.add_after("late", 500 * MS, 0);
        assert_eq!(q.next_due_us(), Some(100 * MS));
        q.add_after("late", 50 * MS, 0);
        assert_eq!(q.next_due_us(), Some(50 * MS), "an earlier due time wins");
        assert_eq!(q.get(49 * MS), None);
        assert!(q.is_empty());
        let mut order = Vec::new();
        while let Some(k) = q.get(1_000 * MS) {
            q.done(&k);
            order.push(k);
        }
        assert_eq!(order, ["late", "early", "tie-1", "tie-2"]);
        assert_eq!(q.next_due_us(), None);
        // A zero delay is a plain add.
        q.add_after("now", 0, 0);
        assert_eq!(q.len(), 1);
    }

    /// A key waiting and also added is processed once when due (the due add is deduped).
    #[test]
    fn a_due_key_already_in_line_is_deduped() {
        let mut q = WorkQueue::new();
        q.add_after("k", 10 * MS, 0);
        q.add("k");
        assert_eq!(q.get(10 * MS).as_deref(), Some("k"));
        assert_eq!(q.deduped(), 1);
        assert_eq!(q.get(10 * MS), None);
    }

    #[test]
    fn the_view_lists_queued_processing_and_waiting_keys() {
        let mut q = WorkQueue::new();
        q.add("a");
        q.add("b");
        q.add_rate_limited("c", 0);
        let a = q.get(0).expect("a");
        let v = q.view();
        assert_eq!(v.queued, ["b"]);
        assert_eq!(v.processing, [a]);
        assert_eq!(v.waiting, [WaitingKey { key: "c".into(), due_us: 5 * MS, failures: 1 }]);
        assert_eq!(v.dropped, 0);
    }

    /// Beyond its bound the queue refuses keys and counts them (shrunk here; 10,000 for real).
    #[test]
    fn a_full_queue_counts_what_it_drops() {
        let mut q = WorkQueue::with_keys_max(3);
        for k in ["a", "b", "c", "d"] {
            q.add(k);
        }
        for k in ["w", "x", "y", "z"] {
            q.add_after(k, MS, 0);
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.dropped(), 2);
        q.add("a");
        assert_eq!(q.dropped(), 2, "a duplicate is deduped, not dropped");
    }
}
