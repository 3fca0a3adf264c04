//! Linearizability of the client history (Herlihy & Wing), checked per key as Porcupine does
//! (anishathalye/porcupine): each key is a register; a history is linearizable if its
//! operations can be put in one order that respects real time (an operation answered before
//! another was invoked comes first) and in which every read returns the latest write.
//! Operations whose outcome the client never learned (timeouts) may take effect at any point
//! after they were invoked, or never. The search is depth-first with memoisation of
//! (operations done, register value) and has a step budget: past it the answer is "unknown".

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::rc::Rc;

use crate::world::{HistoryKind, HistoryOp};

/// Operations per key the search takes on (a bit set of this size marks those done).
pub const OPS_PER_KEY_MAX: usize = 128;
/// Search steps per key before giving up with [`Outcome::Unknown`].
pub const STEPS_PER_KEY_MAX: u64 = 200_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Linearizable,
    /// No order explains the history of this key.
    Violation {
        key: Rc<str>,
        ops: usize,
    },
    /// Too long or too concurrent to decide within the budget.
    Unknown {
        key: Rc<str>,
        ops: usize,
    },
}

/// Checks every key; returns the first violation, else the first unknown, else linearizable.
pub fn check(history: &[HistoryOp]) -> Outcome {
    let mut by_key: BTreeMap<&str, Vec<&HistoryOp>> = BTreeMap::new();
    for op in history {
        by_key.entry(&op.key).or_default().push(op);
    }
    let mut unknown = None;
    for (key, ops) in by_key {
        match check_key(&ops) {
            Some(true) => {}
            Some(false) => return Outcome::Violation { key: Rc::from(key), ops: ops.len() },
            None => {
                unknown.get_or_insert(Outcome::Unknown { key: Rc::from(key), ops: ops.len() });
            }
        }
    }
    unknown.unwrap_or(Outcome::Linearizable)
}

/// Some(true): linearizable; Some(false): not; None: over budget.
fn check_key(ops: &[&HistoryOp]) -> Option<bool> {
    if ops.len() > OPS_PER_KEY_MAX {
        return None;
    }
    // Values become small integers (0 = absent) so a state is cheap to remember.
    let mut values: Vec<Rc<str>> = Vec::new();
    let mut value_id = |v: &Option<Rc<str>>| -> u32 {
        match v {
            None => 0,
            Some(s) => match values.iter().position(|x| x == s) {
                Some(i) => i as u32 + 1,
                None => {
                    values.push(s.clone());
                    values.len() as u32
                }
            },
        }
    };
    let ops: Vec<Op> = ops
        .iter()
        .map(|o| Op {
            invoked_us: o.invoked_us,
            answered_us: o.answered_us.unwrap_or(u64::MAX),
            effect: match &o.kind {
                HistoryKind::Write(v) => Effect::Write(value_id(&Some(v.clone()))),
                HistoryKind::Delete => Effect::Write(0),
                HistoryKind::Read(v) => Effect::Read(value_id(v)),
            },
        })
        .collect();
    let mut search = Search { ops: &ops, seen: BTreeSet::new(), steps: 0 };
    search.dfs(0, 0)
}

#[derive(Clone, Copy, Debug)]
struct Op {
    invoked_us: u64,
    /// u64::MAX when the outcome is unknown.
    answered_us: u64,
    effect: Effect,
}

#[derive(Clone, Copy, Debug)]
enum Effect {
    Write(u32),
    Read(u32),
}

struct Search<'a> {
    ops: &'a [Op],
    seen: BTreeSet<(u128, u32)>,
    steps: u64,
}

impl Search<'_> {
    fn dfs(&mut self, done: u128, state: u32) -> Option<bool> {
        self.steps += 1;
        if self.steps > STEPS_PER_KEY_MAX {
            return None;
        }
        let open = |i: usize| done & (1u128 << i) == 0;
        // Finished when every operation with a known answer is placed (unknown ones may never
        // have happened).
        if (0..self.ops.len()).all(|i| !open(i) || self.ops[i].answered_us == u64::MAX) {
            return Some(true);
        }
        // An operation may go next only if it was invoked before every open operation was
        // answered (otherwise that one must come first).
        let horizon =
            (0..self.ops.len()).filter(|&i| open(i)).map(|i| self.ops[i].answered_us).min().unwrap_or(u64::MAX);
        // Try the earliest-answered first: a correct history is usually found on the first path.
        let mut candidates: Vec<usize> =
            (0..self.ops.len()).filter(|&i| open(i) && self.ops[i].invoked_us <= horizon).collect();
        candidates.sort_by_key(|&i| (self.ops[i].answered_us, self.ops[i].invoked_us, i));
        let mut budget_hit = false;
        for i in candidates {
            let next = match self.ops[i].effect {
                Effect::Write(v) => v,
                Effect::Read(v) if v == state => state,
                Effect::Read(_) => continue,
            };
            let key = (done | (1u128 << i), next);
            if !self.seen.insert(key) {
                continue;
            }
            match self.dfs(key.0, next) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => budget_hit = true,
            }
        }
        if budget_hit {
            None
        } else {
            Some(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(key: &str, v: &str, inv: u64, ans: Option<u64>) -> HistoryOp {
        HistoryOp { key: key.into(), kind: HistoryKind::Write(v.into()), invoked_us: inv, answered_us: ans }
    }
    fn r(key: &str, v: Option<&str>, inv: u64, ans: u64) -> HistoryOp {
        HistoryOp { key: key.into(), kind: HistoryKind::Read(v.map(Rc::from)), invoked_us: inv, answered_us: Some(ans) }
    }

    #[test]
    fn sequential_history_is_linearizable() {
        let h =
            [w("x", "1", 0, Some(10)), r("x", Some("1"), 20, 30), w("x", "2", 40, Some(50)), r("x", Some("2"), 60, 70)];
        assert_eq!(check(&h), Outcome::Linearizable);
    }

    #[test]
    fn a_stale_read_after_a_completed_write_is_not() {
        // Porcupine's classic bad history: the read starts after write 2 completed yet sees 1.
        let h = [w("x", "1", 0, Some(10)), w("x", "2", 20, Some(30)), r("x", Some("1"), 40, 50)];
        assert!(matches!(check(&h), Outcome::Violation { .. }));
    }

    #[test]
    fn concurrent_operations_may_order_either_way() {
        let h = [w("x", "1", 0, Some(100)), r("x", None, 10, 20), r("x", Some("1"), 30, 40)];
        assert_eq!(check(&h), Outcome::Linearizable);
        // …but not back again once a later read saw the write.
        let h = [w("x", "1", 0, Some(100)), r("x", Some("1"), 10, 20), r("x", None, 30, 40)];
        assert!(matches!(check(&h), Outcome::Violation { .. }));
    }

    #[test]
    fn a_timed_out_write_may_or_may_not_have_happened() {
        let seen = [w("x", "1", 0, None), r("x", Some("1"), 50, 60)];
        assert_eq!(check(&seen), Outcome::Linearizable);
        let unseen = [w("x", "1", 0, None), r("x", None, 50, 60)];
        assert_eq!(check(&unseen), Outcome::Linearizable);
        // It cannot take effect before it was invoked.
        let early = [r("x", Some("1"), 0, 10), w("x", "1", 20, None)];
        assert!(matches!(check(&early), Outcome::Violation { .. }));
    }

    #[test]
    fn keys_are_independent() {
        let h =
            [w("x", "1", 0, Some(10)), w("y", "9", 0, Some(10)), r("y", Some("9"), 20, 30), r("x", Some("1"), 20, 30)];
        assert_eq!(check(&h), Outcome::Linearizable);
    }
}
