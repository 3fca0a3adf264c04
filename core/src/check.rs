//! Safety checkers, one per Raft property (Raft paper Figure 3), each collecting violations
//! instead of panicking so a test can report the first one with its explanation.

use std::collections::BTreeMap;

use crate::etcd::message::{EntryData, MemberId};
use crate::etcd::raft::Role;
use crate::names::member_short;
use crate::world::World;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub at_us: u64,
    pub property: &'static str,
    pub detail: String,
}

/// Election Safety (Raft §5.2, Figure 3): at most one leader can be elected in a given term.
#[derive(Clone, Debug, Default)]
pub struct ElectionSafety {
    leader_of_term: BTreeMap<u64, MemberId>,
}

impl ElectionSafety {
    /// Records that `member` led `term` (for tests that prove the checker can fail).
    pub fn pretend_leader(&mut self, term: u64, member: MemberId) {
        self.leader_of_term.insert(term, member);
    }

    pub fn observe(&mut self, w: &World, out: &mut Vec<Violation>) {
        for m in w.members() {
            if m.up && m.node.role == Role::Leader {
                let prev = *self.leader_of_term.entry(m.node.term).or_insert(m.node.id);
                if prev != m.node.id {
                    out.push(Violation {
                        at_us: w.now_us(),
                        property: "Election Safety (Raft §5.2)",
                        detail: format!(
                            "term {} has two leaders: {} and {}",
                            m.node.term,
                            member_short(prev),
                            member_short(m.node.id)
                        ),
                    });
                }
            }
        }
    }
}

/// State Machine Safety (Raft §5.4.3, Figure 3): once any member has committed an entry at an
/// index, no member ever commits a different entry there — committed entries never change.
#[derive(Clone, Debug, Default)]
pub struct CommittedNeverChange {
    /// The cluster's committed log as first seen: (term, data) per index (1-based).
    committed: Vec<(u64, EntryData)>,
    /// Per member, how far its committed prefix has been compared.
    checked_upto: BTreeMap<MemberId, u64>,
}

impl CommittedNeverChange {
    pub fn observe(&mut self, w: &World, out: &mut Vec<Violation>) {
        for m in w.members() {
            let n = &m.node;
            let from = self.checked_upto.get(&n.id).copied().unwrap_or(0);
            for e in n
                .log
                .entries()
                .iter()
                .take(n.log.committed as usize)
                .skip(from as usize)
            {
                match self.committed.get((e.index - 1) as usize) {
                    Some((term, data)) if *term != e.term || *data != e.data => out.push(Violation {
                        at_us: w.now_us(),
                        property: "State Machine Safety (Raft §5.4.3)",
                        detail: format!(
                            "{} committed index {} with term {} but it was committed before with term {}",
                            member_short(n.id),
                            e.index,
                            e.term,
                            term
                        ),
                    }),
                    Some(_) => {}
                    None => {
                        debug_assert_eq!(self.committed.len() as u64 + 1, e.index);
                        self.committed.push((e.term, e.data.clone()));
                    }
                }
            }
            self.checked_upto.insert(n.id, n.log.committed.max(from));
        }
    }

    pub fn committed_len(&self) -> u64 {
        self.committed.len() as u64
    }
}

/// Log Matching (Raft §5.3, Figure 3): if two logs hold an entry with the same index and term,
/// the logs are identical up to it. Checked on the committed prefixes' last shared entry.
pub fn log_matching(w: &World, out: &mut Vec<Violation>) {
    let ms = w.members();
    for (i, a) in ms.iter().enumerate() {
        for b in &ms[i + 1..] {
            let (la, lb) = (a.node.log.entries(), b.node.log.entries());
            // Find the highest index where both logs have the same term; everything below must match.
            let shared = la.len().min(lb.len());
            if let Some(k) = (0..shared).rev().find(|&k| la[k].term == lb[k].term) {
                if la[..=k] != lb[..=k] {
                    out.push(Violation {
                        at_us: w.now_us(),
                        property: "Log Matching (Raft §5.3)",
                        detail: format!(
                            "{} and {} agree on (index {}, term {}) but differ before it",
                            member_short(a.node.id),
                            member_short(b.node.id),
                            k + 1,
                            la[k].term
                        ),
                    });
                }
            }
        }
    }
}

/// All the checkers, observed together after every step of a simulation test.
#[derive(Clone, Debug, Default)]
pub struct SafetyChecks {
    pub election: ElectionSafety,
    pub committed: CommittedNeverChange,
    pub violations: Vec<Violation>,
}

impl SafetyChecks {
    pub fn observe(&mut self, w: &World) {
        self.election.observe(w, &mut self.violations);
        self.committed.observe(w, &mut self.violations);
    }

    /// The expensive one (quadratic in log length): call now and then.
    pub fn observe_logs(&mut self, w: &World) {
        log_matching(w, &mut self.violations);
    }
}
