//! The event queue: what happens next, in simulated time order.
//!
//! Ties are broken by insertion order (`seq`), never by anything platform-dependent, so the
//! same scenario pops events in the same order natively and in wasm.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Hard limit on pending events: a runaway scenario must fail loudly, not eat the laptop.
pub const QUEUE_LEN_MAX: usize = 1_000_000;

/// Events live in a slab; the heap orders small `(time, seq, slot)` keys, so sifting never
/// moves a large event (a message with entries) around.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<(u64, u64, u32)>>,
    slots: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue { heap: BinaryHeap::new(), slots: Vec::new(), free: Vec::new(), next_seq: 0 }
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
        let slot = match self.free.pop() {
            Some(i) => {
                debug_assert!(self.slots[i as usize].is_none());
                self.slots[i as usize] = Some(event);
                i
            }
            None => {
                self.slots.push(Some(event));
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Reverse((at_us, seq, slot)));
        true
    }

    pub fn peek_time_us(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    pub fn pop(&mut self) -> Option<(u64, E)> {
        let Reverse((at_us, _, slot)) = self.heap.pop()?;
        let event = self.slots[slot as usize].take().expect("a queued slot holds its event");
        self.free.push(slot);
        Some((at_us, event))
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

    /// Pending events pushed at or after sequence number `seq`, in no particular order (for
    /// checkers looking at what was just sent). Never use it to drive the simulation.
    pub fn pushed_since(&self, seq: u64) -> impl Iterator<Item = (u64, &E)> + '_ {
        self.heap.iter().filter(move |Reverse((_, s, _))| *s >= seq).map(|Reverse((_, s, slot))| {
            (*s, self.slots[*slot as usize].as_ref().expect("a queued slot holds its event"))
        })
    }

    /// Pending events in pop order (time, then insertion). Allocates; for views and hashing.
    pub fn sorted(&self) -> Vec<(u64, u64, &E)> {
        let mut keys: Vec<(u64, u64, u32)> = self.heap.iter().map(|Reverse(k)| *k).collect();
        keys.sort_unstable();
        keys.into_iter()
            .map(|(at, seq, slot)| {
                (at, seq, self.slots[slot as usize].as_ref().expect("a queued slot holds its event"))
            })
            .collect()
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
