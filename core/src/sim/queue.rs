//! The event queue: what happens next, in simulated time order.
//!
//! Ties are broken by insertion order (`seq`), never by anything platform-dependent, so the
//! same scenario pops events in the same order natively and in wasm.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Hard limit on pending events: a runaway scenario must fail loudly, not eat the laptop.
pub const QUEUE_LEN_MAX: usize = 1_000_000;

#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Slot<E>>>,
    next_seq: u64,
}

#[derive(Clone, Debug)]
struct Slot<E> {
    at_us: u64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Slot<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at_us, self.seq) == (other.at_us, other.seq)
    }
}
impl<E> Eq for Slot<E> {}
impl<E> PartialOrd for Slot<E> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Slot<E> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at_us, self.seq).cmp(&(other.at_us, other.seq))
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `at_us`. Returns false (and drops it) when the queue is full.
    pub fn push(&mut self, at_us: u64, event: E) -> bool {
        if self.heap.len() >= QUEUE_LEN_MAX {
            return false;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Slot { at_us, seq, event }));
        true
    }

    pub fn peek_time_us(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse(s)| s.at_us)
    }

    pub fn pop(&mut self) -> Option<(u64, E)> {
        self.heap.pop().map(|Reverse(s)| (s.at_us, s.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Pending events in pop order (time, then insertion). Allocates; for views and hashing.
    pub fn sorted(&self) -> Vec<(u64, u64, &E)> {
        let mut v: Vec<(u64, u64, &E)> = self
            .heap
            .iter()
            .map(|Reverse(s)| (s.at_us, s.seq, &s.event))
            .collect();
        v.sort_by_key(|(t, s, _)| (*t, *s));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::default();
        q.push(20, "c");
        q.push(10, "a");
        q.push(10, "b");
        assert_eq!(q.pop(), Some((10, "a")));
        assert_eq!(q.pop(), Some((10, "b")));
        assert_eq!(q.pop(), Some((20, "c")));
        assert_eq!(q.pop(), None);
    }
}
